//! The `task_report` table: what a department reported on a task (progress by the lead,
//! a cooperating department's part, the completion), or a leader's comment.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "task_report")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub task_id: i64,
    pub department_id: Option<i64>,
    /// `progress`, `part`, `completion`, `comment`.
    pub kind: String,
    pub note: String,
    pub percent: Option<i32>,
    /// JSON `[{"target_id": 1, "actual": "120"}]`.
    pub actuals: Option<String>,
    pub supervision_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("task_report", zone);
