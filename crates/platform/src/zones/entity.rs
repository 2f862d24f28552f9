//! The `zone` table: one row per 高新区/开发区 hosted by this deployment.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "zone")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Short stable code used in URLs, the CLI and the `X-Gaoxin-Zone` header.
    pub code: String,
    pub name: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

crate::audited_entity!("zone");
