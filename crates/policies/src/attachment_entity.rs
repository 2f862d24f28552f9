//! The `application_attachment` table: files an enterprise attaches to an application (the
//! bytes stay in the database, so a backup of the database is a backup of everything).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "application_attachment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub application_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    /// The file (not repeated in the audit log).
    #[serde(skip_serializing)]
    pub data: Vec<u8>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("application_attachment", zone);
