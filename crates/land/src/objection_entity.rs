//! The `land_objection` table: an enterprise's objection (异议) to its result during 公示, and
//! how a department resolved it.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "land_objection")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub run_id: i64,
    pub result_id: i64,
    pub enterprise_id: i64,
    pub reason: String,
    /// What the enterprise offers as evidence (documents, figures).
    pub evidence: String,
    /// An [`crate::status::ObjectionStatus`] code: `open`, `accepted` or `rejected`.
    pub status: String,
    pub department_id: Option<i64>,
    pub answer: Option<String>,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<DateTimeUtc>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("land_objection", zone);
