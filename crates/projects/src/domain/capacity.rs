//! The 达产 check against the 标准地 contract: a producing project's output and tax per 亩 over
//! its last twelve reported months, against the contract's 产出强度 and 亩均税收, with the
//! shortfall in words. Pure: no web framework, no database.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Monthly, wan};

/// One line of the 达产 check against the 标准地 contract.
#[derive(Debug, Clone, Serialize)]
pub struct CapacityCheck {
    pub indicator: &'static str,
    pub required: String,
    pub actual: String,
    pub passed: bool,
    pub explanation: String,
}

/// Output and tax per 亩 over the last twelve reported months against the contract's 产出强度
/// and 亩均税收 (both ten-thousandths of 万元/亩).
pub fn capacity_check(
    land_area: i64,
    months: &[Monthly],
    output_per_mu: Option<i64>,
    tax_per_mu: Option<i64>,
) -> Vec<CapacityCheck> {
    let mut recent: Vec<&Monthly> = months.iter().collect();
    recent.sort_by(|a, b| b.month.cmp(&a.month));
    recent.truncate(12);
    let span = match (recent.last(), recent.first()) {
        (Some(a), Some(b)) => format!("{} 至 {}，{} 个月", a.month, b.month, recent.len()),
        _ => "无月度数据".into(),
    };
    let sales: i64 = recent.iter().filter_map(|m| m.sales).sum();
    let tax: i64 = recent.iter().filter_map(|m| m.tax).sum();
    let mu = Decimal::new(land_area, 4);
    let per_mu = |fen: i64| {
        if mu > Decimal::ZERO {
            (Decimal::from(fen) / Decimal::from(1_000_000) / mu).round_dp(2)
        } else {
            Decimal::ZERO
        }
    };
    let mut out = Vec::new();
    for (indicator, total, required) in [
        ("产出强度（开票销售/亩）", sales, output_per_mu),
        ("亩均税收", tax, tax_per_mu),
    ] {
        let Some(required) = required else { continue };
        let required = Decimal::new(required, 4);
        let actual = per_mu(total);
        let passed = actual >= required;
        let mut explanation = format!(
            "近 12 个月（{span}）合计 {} 万元 ÷ 用地 {} 亩 = {} 万元/亩，合同要求不低于 {} 万元/亩",
            wan(total),
            mu.normalize(),
            actual.normalize(),
            required.normalize()
        );
        if !passed {
            let short = required - actual;
            explanation.push_str(&format!(
                "，差 {} 万元/亩（≈ 少 {} 万元）",
                short.normalize(),
                (short * mu).round_dp(2).normalize()
            ));
        }
        out.push(CapacityCheck {
            indicator,
            required: required.normalize().to_string(),
            actual: actual.normalize().to_string(),
            passed,
            explanation,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(m: &str, sales: i64, tax: i64) -> Monthly {
        Monthly {
            id: 0,
            zone_id: 1,
            project_id: 1,
            month: m.into(),
            planned_investment: None,
            investment: None,
            planned_sales: None,
            sales: Some(sales),
            planned_tax: None,
            tax: Some(tax),
            created_at: Default::default(),
            updated_at: Default::default(),
        }
    }

    #[test]
    fn capacity_check_explains_the_shortfall() {
        // 10 亩; 12 months of 100 万元 sales and 2 万元 tax → 120 万元/亩 and 2.4 万元/亩.
        let months: Vec<Monthly> = (1..=12)
            .map(|m| month(&format!("2026-{m:02}"), 100 * 1_000_000, 2 * 1_000_000))
            .collect();
        let c = capacity_check(10 * 10_000, &months, Some(100 * 10_000), Some(3 * 10_000));
        assert!(c[0].passed, "{c:?}");
        assert!(!c[1].passed);
        assert!(
            c[1].explanation.contains("差 0.6 万元/亩（≈ 少 6 万元）"),
            "{}",
            c[1].explanation
        );
    }
}
