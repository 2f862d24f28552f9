//! 标准地 checks (pure): a contract's control indicators against what was built (at 竣工:
//! 固定资产投资强度, 容积率) and against what the enterprise produced after the 初始运行期 (亩均
//! 税收, 亩均增加值, 产出强度, 单位能耗增加值, 单位排放增加值, R&D 占比, from its annual data).
//! Every line says how the actual figure was computed, the contracted floor and the shortfall
//! in the terms staff use ("差 2 万元/亩（≈ 少缴税收 20 万元）").

use rust_decimal::Decimal;
use serde::Serialize;

use gaoxin_rules::expr::round_half_up;

/// Square metres in one 亩 (10000 / 15).
pub fn square_metres_per_mu() -> Decimal {
    Decimal::from(10_000) / Decimal::from(15)
}

/// A contract's control indicators (None: not set by the contract); all are floors (≥).
#[derive(Clone, Debug, Default)]
pub struct Terms {
    /// The parcel's area, 亩.
    pub area_mu: Decimal,
    /// 万元/亩.
    pub investment_intensity: Option<Decimal>,
    pub floor_area_ratio: Option<Decimal>,
    /// 万元/亩.
    pub tax_per_mu: Option<Decimal>,
    /// 万元/亩.
    pub value_added_per_mu: Option<Decimal>,
    /// 产出强度, 万元/亩 (工业总产值 / 用地).
    pub output_per_mu: Option<Decimal>,
    /// 万元/吨标准煤.
    pub energy_value_added: Option<Decimal>,
    /// 万元/吨 (主要污染物).
    pub emission_value_added: Option<Decimal>,
    /// Percent of revenue.
    pub rd_share: Option<Decimal>,
}

/// What was recorded at 竣工.
#[derive(Clone, Debug, Default)]
pub struct Completion {
    /// Fixed-asset investment, yuan.
    pub fixed_investment: Option<Decimal>,
    /// Total floor area, m².
    pub floor_area: Option<Decimal>,
}

/// The enterprise's figures of one year (yuan, 吨标准煤, 吨); None: unknown.
#[derive(Clone, Debug, Default)]
pub struct YearFigures {
    pub year: i32,
    pub tax: Option<Decimal>,
    pub value_added: Option<Decimal>,
    pub gross_output: Option<Decimal>,
    pub revenue: Option<Decimal>,
    pub rd_expense: Option<Decimal>,
    pub energy: Option<Decimal>,
    /// 化学需氧量 + 氨氮 + 二氧化硫 + 氮氧化物; None when any is unknown.
    pub emissions: Option<Decimal>,
}

/// One indicator checked.
#[derive(Clone, Debug, Serialize)]
pub struct CheckLine {
    pub label: &'static str,
    pub unit: &'static str,
    pub contract: Decimal,
    pub actual: Option<Decimal>,
    /// None: the figures needed are missing.
    pub met: Option<bool>,
    /// contract − actual, when short.
    pub shortfall: Option<Decimal>,
    pub explanation: String,
}

fn show(d: Decimal, places: u32) -> String {
    round_half_up(d, places).normalize().to_string()
}

/// "360 万元/亩", or "1.2" for a ratio without a unit.
fn with_unit(v: String, unit: &str) -> String {
    if unit.is_empty() { v } else { format!("{v} {unit}") }
}

fn wan(yuan: Decimal) -> Decimal {
    yuan / Decimal::from(10_000)
}

/// Builds a line: `actual` with how it was computed (`how`), against the floor `contract`;
/// `total_of` turns a per-亩 shortfall into the total it stands for ("少投资 400 万元").
fn line(
    label: &'static str,
    unit: &'static str,
    contract: Decimal,
    actual: Option<(Decimal, String)>,
    places: u32,
    total_of: Option<(&str, Decimal)>,
    missing: &str,
) -> CheckLine {
    let Some((actual, how)) = actual else {
        return CheckLine {
            label,
            unit,
            contract: contract.normalize(),
            actual: None,
            met: None,
            shortfall: None,
            explanation: format!(
                "{label}：缺少{missing}，无法核验（约定 ≥ {}）",
                with_unit(show(contract, 4), unit)
            ),
        };
    };
    let rounded = round_half_up(actual, places);
    let met = rounded >= contract;
    let shortfall = (!met).then(|| (contract - rounded).normalize());
    let verdict = match shortfall {
        None => "达标".to_string(),
        Some(s) => {
            let total = total_of
                .map(|(what, per)| format!("（≈ {what} {} 万元）", show(s * per, 2)))
                .unwrap_or_default();
            format!("差 {}{total}", with_unit(show(s, places), unit))
        }
    };
    CheckLine {
        label,
        unit,
        contract: contract.normalize(),
        actual: Some(rounded.normalize()),
        met: Some(met),
        shortfall,
        explanation: format!(
            "{label} = {how} = {}；约定 ≥ {}，{verdict}",
            with_unit(show(rounded, places), unit),
            with_unit(show(contract, 4), unit)
        ),
    }
}

/// At 竣工: 固定资产投资强度 and 容积率.
pub fn completion_check(terms: &Terms, done: &Completion) -> Vec<CheckLine> {
    let mut lines = Vec::new();
    let area = terms.area_mu;
    if let Some(c) = terms.investment_intensity {
        let actual = done.fixed_investment.filter(|_| area > Decimal::ZERO).map(|f| {
            (
                wan(f) / area,
                format!("固定资产投资 {} 万元 ÷ 用地 {} 亩", show(wan(f), 2), show(area, 4)),
            )
        });
        lines.push(line(
            "固定资产投资强度",
            "万元/亩",
            c,
            actual,
            2,
            Some(("少投资", area)),
            "竣工时的固定资产投资额",
        ));
    }
    if let Some(c) = terms.floor_area_ratio {
        let site = area * square_metres_per_mu();
        let actual = done.floor_area.filter(|_| area > Decimal::ZERO).map(|f| {
            (
                f / site,
                format!("总建筑面积 {} m² ÷（{} 亩 × 666.67 m²/亩）", show(f, 2), show(area, 4)),
            )
        });
        lines.push(line("容积率", "", c, actual, 2, None, "竣工时的总建筑面积"));
    }
    lines
}

/// After the 初始运行期: the output indicators from a year's annual data.
pub fn output_check(terms: &Terms, y: &YearFigures) -> Vec<CheckLine> {
    let mut lines = Vec::new();
    let area = terms.area_mu;
    let per_mu = |v: Option<Decimal>, what: &str| -> Option<(Decimal, String)> {
        let v = v?;
        (area > Decimal::ZERO).then(|| {
            (
                wan(v) / area,
                format!(
                    "{} 年{what} {} 万元 ÷ 用地 {} 亩",
                    y.year,
                    show(wan(v), 2),
                    show(area, 4)
                ),
            )
        })
    };
    if let Some(c) = terms.tax_per_mu {
        lines.push(line(
            "亩均税收",
            "万元/亩",
            c,
            per_mu(y.tax, "税收"),
            2,
            Some(("少缴税收", area)),
            "该年税收",
        ));
    }
    if let Some(c) = terms.value_added_per_mu {
        lines.push(line(
            "亩均增加值",
            "万元/亩",
            c,
            per_mu(y.value_added, "工业增加值"),
            2,
            Some(("少创造增加值", area)),
            "该年工业增加值",
        ));
    }
    if let Some(c) = terms.output_per_mu {
        lines.push(line(
            "产出强度（亩均产值）",
            "万元/亩",
            c,
            per_mu(y.gross_output, "工业总产值"),
            2,
            Some(("少产出", area)),
            "该年工业总产值",
        ));
    }
    if let Some(c) = terms.energy_value_added {
        let actual = match (y.value_added, y.energy) {
            (Some(v), Some(e)) if e > Decimal::ZERO => Some((
                wan(v) / e,
                format!(
                    "{} 年工业增加值 {} 万元 ÷ 综合能耗 {} 吨标准煤",
                    y.year,
                    show(wan(v), 2),
                    show(e, 3)
                ),
            )),
            _ => None,
        };
        lines.push(line(
            "单位能耗增加值",
            "万元/吨标准煤",
            c,
            actual,
            2,
            None,
            "该年工业增加值或综合能耗",
        ));
    }
    if let Some(c) = terms.emission_value_added {
        let actual = match (y.value_added, y.emissions) {
            (Some(v), Some(e)) if e > Decimal::ZERO => Some((
                wan(v) / e,
                format!(
                    "{} 年工业增加值 {} 万元 ÷ 主要污染物排放 {} 吨",
                    y.year,
                    show(wan(v), 2),
                    show(e, 3)
                ),
            )),
            _ => None,
        };
        lines.push(line(
            "单位排放增加值",
            "万元/吨",
            c,
            actual,
            2,
            None,
            "该年工业增加值或排放数据",
        ));
    }
    if let Some(c) = terms.rd_share {
        let actual = match (y.rd_expense, y.revenue) {
            (Some(r), Some(v)) if v > Decimal::ZERO => Some((
                r / v * Decimal::ONE_HUNDRED,
                format!(
                    "{} 年研发经费 {} 万元 ÷ 营业收入 {} 万元",
                    y.year,
                    show(wan(r), 2),
                    show(wan(v), 2)
                ),
            )),
            _ => None,
        };
        lines.push(line(
            "研发经费占营业收入比例",
            "%",
            c,
            actual,
            2,
            None,
            "该年研发经费或营业收入",
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn completion_is_checked_against_investment_intensity_and_floor_area_ratio() {
        let terms = Terms {
            area_mu: d("10"),
            investment_intensity: Some(d("400")),
            floor_area_ratio: Some(d("1.2")),
            ..Default::default()
        };
        // 3600 万 over 10 亩 = 360 万/亩: 40 short, ≈ 400 万 less invested. 8000 m² over
        // 6666.67 m² = 1.2: met.
        let lines = completion_check(
            &terms,
            &Completion {
                fixed_investment: Some(d("36000000")),
                floor_area: Some(d("8000")),
            },
        );
        assert_eq!(lines[0].actual, Some(d("360")));
        assert_eq!((lines[0].met, lines[0].shortfall), (Some(false), Some(d("40"))));
        assert_eq!(
            lines[0].explanation,
            "固定资产投资强度 = 固定资产投资 3600 万元 ÷ 用地 10 亩 = 360 万元/亩；约定 ≥ 400 万元/亩，差 40 万元/亩（≈ 少投资 400 万元）"
        );
        assert_eq!((lines[1].actual, lines[1].met), (Some(d("1.2")), Some(true)));
        assert!(
            lines[1].explanation.ends_with("= 1.2；约定 ≥ 1.2，达标"),
            "{}",
            lines[1].explanation
        );
        // Nothing recorded yet: not checked, and it says what is missing.
        let lines = completion_check(&terms, &Completion::default());
        assert_eq!(lines[0].met, None);
        assert!(lines[0].explanation.contains("缺少竣工时的固定资产投资额"));
    }

    #[test]
    fn output_is_checked_from_the_years_figures() {
        let terms = Terms {
            area_mu: d("10"),
            tax_per_mu: Some(d("20")),
            value_added_per_mu: Some(d("100")),
            energy_value_added: Some(d("2")),
            emission_value_added: Some(d("500")),
            rd_share: Some(d("3")),
            ..Default::default()
        };
        let y = YearFigures {
            year: 2024,
            tax: Some(d("1800000")),
            value_added: Some(d("12000000")),
            revenue: Some(d("50000000")),
            rd_expense: Some(d("1000000")),
            energy: Some(d("400")),
            emissions: None,
            gross_output: None,
        };
        let lines = output_check(&terms, &y);
        let by = |label: &str| lines.iter().find(|l| l.label == label).unwrap();
        let tax = by("亩均税收");
        assert_eq!((tax.actual, tax.shortfall), (Some(d("18")), Some(d("2"))));
        assert!(
            tax.explanation.ends_with("差 2 万元/亩（≈ 少缴税收 20 万元）"),
            "{}",
            tax.explanation
        );
        assert_eq!(by("亩均增加值").met, Some(true));
        assert_eq!(by("单位能耗增加值").actual, Some(d("3")));
        assert_eq!(by("单位排放增加值").met, None, "no emission figures");
        let rd = by("研发经费占营业收入比例");
        assert_eq!((rd.actual, rd.shortfall), (Some(d("2")), Some(d("1"))));
    }
}
