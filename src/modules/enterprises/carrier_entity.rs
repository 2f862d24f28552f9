//! The `carrier` table: 所属载体 — parks, incubators, maker spaces, accelerators, buildings.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::platform::audit::{Audited, ZoneScoped};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "carrier")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub name: String,
    /// incubator, maker_space, accelerator, industrial_park, building
    pub kind: String,
    pub address: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Audited for Model {
    const ENTITY: &'static str = "carrier";
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
}

impl ZoneScoped for Entity {
    fn zone_column() -> Column {
        Column::ZoneId
    }
}
