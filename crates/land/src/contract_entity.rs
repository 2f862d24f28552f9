//! The `standard_land_contract` table: a 标准地 investment contract on a parcel with its control
//! indicators (ten-thousandths: 万元/亩, ratio, 万元/吨标准煤, 万元/吨, percent; None where the
//! contract sets none), the 初始运行期, and what was recorded at 竣工.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "standard_land_contract")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub parcel_id: i64,
    pub enterprise_id: i64,
    pub contract_no: String,
    pub signed_on: Date,
    /// The investment project (its ledger comes with the projects module).
    pub project_name: String,
    pub investment_intensity: Option<i64>,
    pub floor_area_ratio: Option<i64>,
    pub tax_per_mu: Option<i64>,
    pub value_added_per_mu: Option<i64>,
    pub output_per_mu: Option<i64>,
    pub energy_value_added: Option<i64>,
    pub emission_value_added: Option<i64>,
    pub rd_share: Option<i64>,
    pub completion_due: Option<Date>,
    /// 初始运行期 in years after completion.
    pub operating_years: i32,
    pub completed_on: Option<Date>,
    /// Fen.
    pub fixed_investment: Option<i64>,
    /// Hundredths of a m².
    pub floor_area: Option<i64>,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("standard_land_contract", zone);
