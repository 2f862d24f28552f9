//! The `supervision_order` table: a 督办单 on a task (reason, deadline); it escalates blue →
//! yellow → red as its deadline passes and closes when the supervisor confirms the lead
//! department's answer.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "supervision_order")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub task_id: i64,
    pub reason: String,
    pub issued_on: Date,
    pub deadline: Date,
    /// `open` or `closed`.
    pub status: String,
    pub closed_on: Option<Date>,
    pub closed_by: Option<i64>,
    pub closing_note: Option<String>,
    pub issued_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("supervision_order", zone);
