//! The `correction` table: a change to its own registry record that an enterprise user
//! proposes, and the department's decision on it.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "correction")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub enterprise_id: i64,
    /// The column key (`phone`, `registered_address`, …).
    pub field: String,
    /// The value when the correction was proposed, as shown.
    pub current_value: Option<String>,
    pub proposed_value: String,
    pub reason: String,
    /// A [`CorrectionStatus`](crate::status::CorrectionStatus) code: `pending`, `approved`, `rejected`.
    pub status: String,
    pub proposed_by: i64,
    pub reviewed_by: Option<i64>,
    pub review_note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("correction", zone);
