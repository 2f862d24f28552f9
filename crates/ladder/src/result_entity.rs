//! The `ladder_result` table: where one enterprise stood against one tier in a run. Derived
//! rows: the run's audit line records the run, not each result (see `store::evaluate_zone`).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "ladder_result")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub run_id: i64,
    pub enterprise_id: i64,
    pub tier: String,
    /// `qualifies`, `unknown`, `fails` (`rules::ladder::Status`).
    pub status: String,
    pub within_reach: bool,
    /// Holds a valid recognition of the tier on the day evaluated.
    pub held: bool,
    /// How many items of the deciding route fail.
    pub unmet: i32,
    /// The failing items with their gaps, one per line.
    pub gaps: String,
    /// The facts to supply (需补充), separated by 、.
    pub missing: String,
    /// JSON `rules::ladder::RouteResult` of the deciding route, kept for candidates.
    pub detail: Option<String>,
}

gaoxin_platform::audited_entity!("ladder_result", zone);
