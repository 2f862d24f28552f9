//! The `clearance_case` table: a D-class enterprise's clearance (出清) — one of the five
//! routes, the actions, the responsible department, the deadline, and the closing with the
//! land recovered.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "clearance_case")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub run_id: i64,
    pub result_id: i64,
    pub enterprise_id: i64,
    /// A [`crate::status::ClearanceRoute`] code (`revitalize`, `upgrade`, `eliminate`,
    /// `relieve`, `buy_back`); None until chosen.
    pub route: Option<String>,
    pub actions: String,
    pub department_id: Option<i64>,
    pub deadline: Option<Date>,
    /// A [`crate::status::CaseStatus`] code: `open` or `closed` (overdue is never stored).
    pub status: String,
    pub closed_on: Option<Date>,
    /// Ten-thousandths of a 亩.
    pub land_recovered: Option<i64>,
    pub closing_note: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("clearance_case", zone);
