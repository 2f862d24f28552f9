//! The `annual_data` table: one row per enterprise and year. Money in fen, energy and
//! emissions in kilograms (`quantity::Tonnes`); an empty value is unknown, never zero.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "annual_data")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub enterprise_id: i64,
    pub year: i32,
    /// 营业收入 (fen)
    pub revenue: Option<i64>,
    /// 工业总产值 (fen)
    pub gross_output: Option<i64>,
    /// 工业增加值 (fen)
    pub value_added: Option<i64>,
    /// 税收 (fen)
    pub tax: Option<i64>,
    /// 研发经费 (fen)
    pub rd_expense: Option<i64>,
    /// 综合能耗 (kg of standard coal)
    pub energy: Option<i64>,
    /// 化学需氧量 (kg)
    pub cod: Option<i64>,
    /// 氨氮 (kg)
    pub ammonia: Option<i64>,
    /// 二氧化硫 (kg)
    pub sulfur_dioxide: Option<i64>,
    /// 氮氧化物 (kg)
    pub nitrogen_oxides: Option<i64>,
    /// 用电量 (kWh)
    pub electricity: Option<i64>,
    /// 研发人员数
    pub rd_staff: Option<i32>,
    /// 科技人员数
    pub tech_staff: Option<i32>,
    /// 高新技术产品收入 (fen)
    pub hitech_revenue: Option<i64>,
    /// 有效发明专利数
    pub invention_patents: Option<i32>,
    /// Where each value came from: `{"导入 2024年报.xlsx（王建国）": ["revenue", "tax"], …}`.
    /// Not repeated in the audit log, whose lines name the import themselves.
    #[serde(skip_serializing)]
    pub sources_json: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("annual_data", zone);
