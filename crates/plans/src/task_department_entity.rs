//! The `task_department` table: a department on a task, lead or cooperating, as the plan wrote
//! it and (when the zone has it) linked to the department list.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "task_department")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub task_id: i64,
    pub department_id: Option<i64>,
    pub written: String,
    /// `lead` or `cooperating`.
    pub role: String,
    pub position: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("task_department", zone);
