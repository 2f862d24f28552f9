//! The `ladder_target` table: how many enterprises of a tier the zone aims to have by the end
//! of a year (seed 000: "到2022年,全区高新技术企业…突破250家").

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "ladder_target")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub tier: String,
    pub year: i32,
    pub count: i32,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("ladder_target", zone);
