//! The `carrier` table: 所属载体 — parks, incubators, maker spaces, accelerators, buildings.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "carrier")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub name: String,
    /// A [`CarrierKind`](crate::status::CarrierKind) code: incubator, maker_space, accelerator,
    /// industrial_park, building.
    pub kind: String,
    pub address: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("carrier", zone);
