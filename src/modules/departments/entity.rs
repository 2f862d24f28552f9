//! The `department` table.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::platform::audit::{Audited, ZoneScoped};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "department")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub name: String,
    pub short_name: Option<String>,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub sort_order: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Audited for Model {
    const ENTITY: &'static str = "department";
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
}

impl ZoneScoped for Entity {
    fn zone_column() -> Column {
        Column::ZoneId
    }
}
