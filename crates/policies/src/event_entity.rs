//! The `policy_event` table: the facts awards are paid on (a technology contract, a patent
//! transfer, a recognition, a talent, …), one row each, linked to an enterprise or institution
//! of the registry. What each generic column means per kind: `rules::sources::EventKind::fields`.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "policy_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub enterprise_id: i64,
    /// `rules::sources::EventKind::code`.
    pub kind: String,
    /// The year of `occurred_on`: the period it is paid in.
    pub year: i32,
    pub occurred_on: Date,
    /// A lease's move-in date.
    pub started_on: Option<Date>,
    /// Contract number, project name, talent's name…; unique per enterprise and kind.
    pub reference: String,
    pub category: Option<String>,
    pub level: Option<String>,
    /// Fen.
    pub amount: Option<i64>,
    /// Fen.
    pub secondary_amount: Option<i64>,
    /// Hundredths (count or area).
    pub quantity: Option<i64>,
    pub certified: Option<bool>,
    pub first_time: Option<bool>,
    pub note: Option<String>,
    /// The department that registered it (none: the admin, an import from the command line).
    pub department_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("policy_event", zone);
