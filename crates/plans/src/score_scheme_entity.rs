//! The `plan_score_scheme` table: a scoring scheme file (考核计分办法) as a zone loaded it. Its
//! text is kept forever; its SHA-256 is the version; one version per scheme id is in use.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "plan_score_scheme")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub scheme_id: String,
    pub name: String,
    pub version: String,
    pub file_name: String,
    /// The file's text (not repeated in the audit log; the version names it).
    #[serde(skip_serializing)]
    pub source: String,
    /// `active` or `retired`.
    pub status: String,
    pub loaded_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("plan_score_scheme", zone);

impl gaoxin_platform::versions::Versioned for Entity {
    fn key_column() -> Column {
        Column::SchemeId
    }
    fn version_column() -> Column {
        Column::Version
    }
    fn status_column() -> Column {
        Column::Status
    }
}
