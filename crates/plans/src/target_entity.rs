//! The `task_target` table: a quantitative target of a task (`新增发明专利141件` → 141 件) and
//! the actual value reported against it.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "task_target")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub task_id: i64,
    pub position: i32,
    pub text: String,
    /// An exact decimal.
    pub value: String,
    pub unit: String,
    pub actual: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("task_target", zone);
