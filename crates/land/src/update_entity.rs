//! The `clearance_update` table: a dated progress report on a D-class clearance case (what was
//! done, percent complete), as the responsible department reports on a ledger task.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "clearance_update")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub case_id: i64,
    pub note: String,
    /// 0–100.
    pub percent: i32,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("clearance_update", zone);
