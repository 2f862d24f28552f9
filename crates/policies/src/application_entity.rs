//! The `policy_application` table: an enterprise's application for an award paid on
//! application (快申快享), and the department's decision; an approved one joins a payment list.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "policy_application")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub enterprise_id: i64,
    pub year: i32,
    pub policy_id: String,
    pub award_id: String,
    pub award_name: String,
    /// The event applied on, for awards paid on events.
    pub event_id: Option<i64>,
    pub statement: String,
    /// `submitted`, `approved`, `returned`.
    pub status: String,
    /// Fen, computed by the rules when approved.
    pub amount: Option<i64>,
    /// JSON `rules::eval::Explanation` (not repeated in the audit log).
    #[serde(skip_serializing)]
    pub explanation: Option<String>,
    pub review_note: Option<String>,
    pub submitted_by: i64,
    pub reviewed_by: Option<i64>,
    /// The payment batch it joined.
    pub batch_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("policy_application", zone);
