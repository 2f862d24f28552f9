//! The `policy_version` table: a policy file as a zone loaded it. Its text is kept forever, so
//! that a batch made with it recomputes identically years later; its SHA-256 is the version.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "policy_version")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    /// The policy's `id` in the file.
    pub policy_id: String,
    /// SHA-256 of the file's text.
    pub version: String,
    pub file_name: String,
    /// The file's text (not repeated in the audit log; the version names it).
    #[serde(skip_serializing)]
    pub source: String,
    pub title: String,
    pub document_number: String,
    pub effective_from: Date,
    pub effective_to: Option<Date>,
    pub example: bool,
    /// `active`, `retired`, `draft`.
    pub status: String,
    pub loaded_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("policy_version", zone);

impl gaoxin_platform::versions::Versioned for Entity {
    fn key_column() -> Column {
        Column::PolicyId
    }

    fn version_column() -> Column {
        Column::Version
    }

    fn status_column() -> Column {
        Column::Status
    }
}
