//! The `plan_task` table: one task of the ledger (台账), with its deadline, percent complete and
//! completion (reported `done` by the lead department, then `confirmed` by the supervisor).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "plan_task")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub plan_id: Option<i64>,
    pub seq: i32,
    pub reference: String,
    pub section: String,
    pub text: String,
    pub deadline_text: Option<String>,
    pub start_date: Date,
    pub due_date: Option<Date>,
    pub percent: i32,
    /// `open`, `done`, `confirmed`.
    pub status: String,
    pub done_on: Option<Date>,
    pub confirmed_on: Option<Date>,
    pub confirmed_by: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("plan_task", zone);
