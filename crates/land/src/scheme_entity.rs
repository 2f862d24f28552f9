//! The `land_scheme_version` table: an evaluation scheme file as a zone loaded it. Its text is
//! kept forever, so that a run made with it can be reproduced; its SHA-256 is the version.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "land_scheme_version")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    /// The scheme's `id` in the file (`huaian-2024`).
    pub scheme_id: String,
    pub name: String,
    /// Who it evaluates (规上工业企业 …).
    pub group_label: String,
    /// SHA-256 of the file's text.
    pub version: String,
    pub file_name: String,
    /// The file's text (not repeated in the audit log; the version names it).
    #[serde(skip_serializing)]
    pub source: String,
    pub document_number: String,
    pub effective_from: Date,
    pub effective_to: Option<Date>,
    /// An example scheme, not a jurisdiction's own file.
    pub example: bool,
    /// A [`gaoxin_platform::versions::VersionStatus`] code: `active` or `retired`.
    pub status: String,
    pub loaded_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("land_scheme_version", zone);

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
