//! The `land_result` table: one enterprise's result in a run, with its explanation. The class
//! in force is the computed one unless set by hand (定档调档) with a reason.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "land_result")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub run_id: i64,
    pub enterprise_id: i64,
    /// The exclusion's id (the scheme's own, or `scope` outside the scope — see
    /// [`crate::status::ResultSubset`]) and its reason.
    pub exclusion_id: Option<String>,
    pub excluded: Option<String>,
    /// 0 when excluded.
    pub rank: i32,
    /// Hundredths of a point (rounded half up), as ranked.
    pub total: i64,
    pub computed_class: String,
    pub class: String,
    pub adjust_reason: Option<String>,
    /// JSON `ResultDetail`.
    pub detail: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("land_result", zone);
