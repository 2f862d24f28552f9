//! The `ladder_run` table: one evaluation of every enterprise of a zone against every tier, for
//! a year, with the criteria versions it used and a hash of its inputs.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "ladder_run")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub year: i32,
    pub as_of: Date,
    /// The "within reach" margin in basis points (2000 = 20%).
    pub margin_bp: i32,
    /// JSON: [{"tier", "criteria", "version_id", "version"}].
    pub criteria_versions: String,
    pub enterprise_count: i64,
    /// JSON: {tier: {"held", "qualifies", "unknown", "within_reach"}}.
    pub counts: String,
    pub input_hash: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("ladder_run", zone);
