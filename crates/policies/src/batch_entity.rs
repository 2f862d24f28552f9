//! The `payment_batch` table: one run of the 免申即享 awards of a zone for a year, from draft
//! through review to a leader's approval, after which it is locked.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "payment_batch")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub year: i32,
    pub title: String,
    /// `draft`, `submitted`, `approved`.
    pub status: String,
    /// JSON `[{"policy", "version_id", "version"}]`: the rule versions the batch used.
    pub policy_versions: String,
    /// SHA-256 of the input cases, in evaluation order.
    pub input_hash: String,
    pub line_count: i64,
    /// Fen, lines not excluded.
    pub total: i64,
    pub created_by: i64,
    pub submitted_by: Option<i64>,
    pub approved_by: Option<i64>,
    pub approved_at: Option<DateTimeUtc>,
    pub return_note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("payment_batch", zone);
