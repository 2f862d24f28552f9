//! The `award_line` table: one award to one recipient in a batch, with its explanation.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "award_line")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub batch_id: i64,
    pub enterprise_id: i64,
    /// The event it is paid on; none for awards paid on the year's facts.
    pub event_id: Option<i64>,
    pub policy_id: String,
    pub policy_version_id: i64,
    pub award_id: String,
    pub award_name: String,
    pub article_id: String,
    /// Fen.
    pub amount: i64,
    /// JSON `rules::eval::Explanation` (not repeated in the audit log).
    #[serde(skip_serializing)]
    pub explanation: String,
    pub excluded: bool,
    pub exclude_reason: Option<String>,
    /// The approved application this line pays (快申快享); None for 免申即享 lines.
    pub application_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("award_line", zone);
