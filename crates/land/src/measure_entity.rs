//! The `land_measure` table: a differentiated policy (差别化政策) applied to a class of a scheme
//! — 电价, 水价, 用地, 扶持资金 … — and who applies it.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "land_measure")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub scheme_id: String,
    pub class_name: String,
    pub category: String,
    pub measure: String,
    pub department: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("land_measure", zone);
