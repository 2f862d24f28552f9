//! The `land_run` table: one evaluation of a zone's enterprises with one scheme version for a
//! year. A run is a draft, then published for 公示 (enterprises see their own result and may
//! object), then final and locked.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "land_run")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub scheme_version_id: i64,
    pub scheme_id: String,
    pub year: i32,
    pub as_of: Date,
    /// A [`crate::status::RunStatus`] code: `draft`, `publicity` or `final`.
    pub status: String,
    pub publicity_from: Option<Date>,
    pub publicity_until: Option<Date>,
    pub finalized_at: Option<DateTimeUtc>,
    pub finalized_by: Option<i64>,
    pub enterprise_count: i64,
    /// JSON: {"ranked", "excluded", "classes": [[name, n]]}.
    pub counts: String,
    /// JSON: [{"id", "label", "unit", "weight", "benchmark", "fill"}].
    pub benchmarks: String,
    pub input_hash: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("land_run", zone);
