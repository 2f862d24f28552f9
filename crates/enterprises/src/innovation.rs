//! Innovation data (创新指标): the yearly figures the cultivation criteria read beside the
//! annual data — staff, assets, IP by class, conversions, financing, valuation, market share,
//! review scores. Imported with the same machinery as annual data (`import::import_yearly`),
//! exported with the template's headers so that a re-import changes nothing.

use std::collections::HashMap;

use rust_xlsxwriter::XlsxError;
use sea_orm::{ActiveValue::Set, IntoActiveModel};

use super::domain::{INNOVATION_COLUMNS, InnovationRecord, parse_innovation};
use super::import::YearlySheet;
use super::innovation_entity as innovation;
use super::sheets::{Value, count, number};
use gaoxin_core::quantity::Fixed;
use gaoxin_core::tabular::{Cell, ColumnSpec};

pub struct InnovationSheet;

fn show<const S: u32>(v: Option<Fixed<S>>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn show_count(v: Option<i32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The figures of a stored row, in the template's column order (after 年度), for pages: money
/// to two decimals and percentages to one, as reports print them.
pub fn record_cells(m: &innovation::Model) -> Vec<String> {
    cells(&record_of(m, ""))
        .into_iter()
        .map(|(label, v)| {
            let decimals = if label.contains('%') {
                1
            } else if label.contains("万") {
                2
            } else {
                return v;
            };
            v.parse::<rust_decimal::Decimal>()
                .map(|d| gaoxin_core::quantity::shown(d, decimals))
                .unwrap_or(v)
        })
        .collect()
}

fn cells(r: &InnovationRecord) -> Vec<(&'static str, String)> {
    vec![
        ("职工总数", show_count(r.total_staff)),
        ("资产总额(万元)", show(r.total_assets)),
        ("净资产(万元)", show(r.net_assets)),
        ("境内研发费用(万元)", show(r.domestic_rd_expense)),
        ("成本费用支出总额(万元)", show(r.total_cost)),
        ("主营业务收入(万元)", show(r.main_revenue)),
        ("I类知识产权数", show_count(r.ip_class1)),
        ("II类知识产权数", show_count(r.ip_class2)),
        ("科技成果转化数", show_count(r.achievements_transferred)),
        ("新增股权融资(万元)", show(r.equity_financing)),
        ("企业估值(万美元)", show(r.valuation_usd)),
        ("主导产品市场占有率(%)", show(r.market_share)),
        ("研发机构数", show_count(r.rd_institutions)),
        ("研发组织管理得分", show_count(r.rd_management_score)),
        ("知识产权评审得分", show_count(r.ip_quality_score)),
    ]
}

pub fn record_of(m: &innovation::Model, uscc: &str) -> InnovationRecord {
    InnovationRecord {
        uscc: uscc.to_string(),
        year: m.year,
        total_staff: m.total_staff,
        total_assets: m.total_assets.map(Fixed),
        net_assets: m.net_assets.map(Fixed),
        domestic_rd_expense: m.domestic_rd_expense.map(Fixed),
        total_cost: m.total_cost.map(Fixed),
        main_revenue: m.main_revenue.map(Fixed),
        ip_class1: m.ip_class1,
        ip_class2: m.ip_class2,
        achievements_transferred: m.achievements_transferred,
        equity_financing: m.equity_financing.map(Fixed),
        valuation_usd: m.valuation_usd.map(Fixed),
        market_share: m.market_share.map(Fixed),
        rd_institutions: m.rd_institutions,
        rd_management_score: m.rd_management_score,
        ip_quality_score: m.ip_quality_score,
    }
}

fn apply(active: &mut innovation::ActiveModel, r: &InnovationRecord) {
    let raw = |v: Option<Fixed<6>>| v.map(|v| v.0);
    active.year = Set(r.year);
    active.total_staff = Set(r.total_staff);
    active.total_assets = Set(raw(r.total_assets));
    active.net_assets = Set(raw(r.net_assets));
    active.domestic_rd_expense = Set(raw(r.domestic_rd_expense));
    active.total_cost = Set(raw(r.total_cost));
    active.main_revenue = Set(raw(r.main_revenue));
    active.ip_class1 = Set(r.ip_class1);
    active.ip_class2 = Set(r.ip_class2);
    active.achievements_transferred = Set(r.achievements_transferred);
    active.equity_financing = Set(raw(r.equity_financing));
    active.valuation_usd = Set(raw(r.valuation_usd));
    active.market_share = Set(r.market_share.map(|v| v.0));
    active.rd_institutions = Set(r.rd_institutions);
    active.rd_management_score = Set(r.rd_management_score);
    active.ip_quality_score = Set(r.ip_quality_score);
}

impl YearlySheet for InnovationSheet {
    type Record = InnovationRecord;
    type Active = innovation::ActiveModel;
    const COLUMNS: &'static [ColumnSpec] = INNOVATION_COLUMNS;
    const ENTITY: &'static str = "innovation_data";

    fn parse(cells: &HashMap<&str, Cell>) -> Result<InnovationRecord, Vec<(&'static str, String)>> {
        parse_innovation(cells)
    }

    fn key(r: &InnovationRecord) -> (&str, i32) {
        (&r.uscc, r.year)
    }

    fn stored_key(m: &innovation::Model) -> (i64, i32) {
        (m.enterprise_id, m.year)
    }

    fn cells(r: &InnovationRecord) -> Vec<(&'static str, String)> {
        cells(r)
    }

    fn record_of(m: &innovation::Model, uscc: &str) -> InnovationRecord {
        record_of(m, uscc)
    }

    fn merge(stored: &InnovationRecord, incoming: &InnovationRecord) -> InnovationRecord {
        InnovationRecord {
            uscc: incoming.uscc.clone(),
            year: incoming.year,
            total_staff: incoming.total_staff.or(stored.total_staff),
            total_assets: incoming.total_assets.or(stored.total_assets),
            net_assets: incoming.net_assets.or(stored.net_assets),
            domestic_rd_expense: incoming.domestic_rd_expense.or(stored.domestic_rd_expense),
            total_cost: incoming.total_cost.or(stored.total_cost),
            main_revenue: incoming.main_revenue.or(stored.main_revenue),
            ip_class1: incoming.ip_class1.or(stored.ip_class1),
            ip_class2: incoming.ip_class2.or(stored.ip_class2),
            achievements_transferred: incoming.achievements_transferred.or(stored.achievements_transferred),
            equity_financing: incoming.equity_financing.or(stored.equity_financing),
            valuation_usd: incoming.valuation_usd.or(stored.valuation_usd),
            market_share: incoming.market_share.or(stored.market_share),
            rd_institutions: incoming.rd_institutions.or(stored.rd_institutions),
            rd_management_score: incoming.rd_management_score.or(stored.rd_management_score),
            ip_quality_score: incoming.ip_quality_score.or(stored.ip_quality_score),
        }
    }

    fn create(enterprise_id: i64, _: &InnovationRecord, merged: &InnovationRecord, _: &str) -> innovation::ActiveModel {
        let mut active = innovation::ActiveModel {
            enterprise_id: Set(enterprise_id),
            ..Default::default()
        };
        apply(&mut active, merged);
        active
    }

    fn update(
        model: &innovation::Model,
        _: &InnovationRecord,
        merged: &InnovationRecord,
        _: &str,
    ) -> innovation::ActiveModel {
        let mut active = model.clone().into_active_model();
        apply(&mut active, merged);
        active
    }
}

/// A stored row as export cells, in the template's column order.
pub fn export_cells(uscc: String, m: &innovation::Model) -> Vec<Value> {
    vec![
        Value::Text(uscc),
        Value::Number(m.year.into()),
        count(m.total_staff),
        number::<6>(m.total_assets),
        number::<6>(m.net_assets),
        number::<6>(m.domestic_rd_expense),
        number::<6>(m.total_cost),
        number::<6>(m.main_revenue),
        count(m.ip_class1),
        count(m.ip_class2),
        count(m.achievements_transferred),
        number::<6>(m.equity_financing),
        number::<6>(m.valuation_usd),
        number::<2>(m.market_share),
        count(m.rd_institutions),
        count(m.rd_management_score),
        count(m.ip_quality_score),
    ]
}

/// The innovation-data template, with an example row and instructions.
pub fn template() -> Result<Vec<u8>, XlsxError> {
    super::sheets::yearly_template(
        "创新指标",
        INNOVATION_COLUMNS,
        vec![
            Value::Text("914403001922038216".into()),
            Value::Number(2024.0),
            Value::Number(120.0),
            Value::Number(8600.0),
            Value::Number(5200.0),
            Value::Number(450.0),
            Value::Number(9800.0),
            Value::Number(11500.0),
            Value::Number(2.0),
            Value::Number(9.0),
            Value::Number(3.0),
            Value::Number(2000.0),
            Value::Empty,
            Value::Number(12.5),
            Value::Number(1.0),
            Value::Number(14.0),
            Value::Number(16.0),
        ],
        &[
            "1. 每行是一家企业一个年度的创新指标；第 2 行是示例，导入前请删除或改写。",
            "2. 金额单位万元（最多 6 位小数，即精确到分）；企业估值单位万美元；市场占有率填百分数（12.5 即 12.5%）。",
            "3. 留空表示本文件不提供该项：已有数值保持不变，不会被当作 0；梯度培育把缺少的数据列为“需补充”。",
            "4. 研发组织管理得分、知识产权评审得分来自高企评审或企业自评，没有可留空。",
            "5. 企业须已在企业库中（按统一社会信用代码匹配）。",
        ],
    )
}

/// An export with the template's headers.
pub fn export(rows: Vec<Vec<Value>>) -> Result<Vec<u8>, XlsxError> {
    super::sheets::yearly_export("创新指标", INNOVATION_COLUMNS, &rows)
}
