//! How results read: values in their unit (万元 from 1 万 up, percentages with their gap in 个百分点),
//! and one line per condition or score saying where the enterprise stands, as zone staff write it.

use rust_decimal::Decimal;

use super::evaluate::{Check, ConditionResult, RouteResult, ScoreResult};
use crate::expr::round_half_up;

/// A value as a person reads it, in the condition's unit.
pub fn show(value: Decimal, unit: Option<&str>) -> String {
    let wan = Decimal::from(10_000);
    match unit {
        Some("%") => format!("{}%", round_half_up(value * Decimal::ONE_HUNDRED, 2).normalize()),
        Some("元") if value.abs() >= wan => format!("{} 万元", round_half_up(value / wan, 2).normalize()),
        Some("元") => format!("{} 元", round_half_up(value, 2).normalize()),
        Some(u) if !u.is_empty() => format!("{} {u}", round_half_up(value, 2).normalize()),
        _ => round_half_up(value, 4).normalize().to_string(),
    }
}

impl ConditionResult {
    /// One line saying where the enterprise stands against this condition, e.g.
    /// "研发费用占比：3.1%，需 ≥ 4%，差 0.9 个百分点（≈ 研发费用再增加 127 万元）".
    pub fn describe(&self) -> String {
        let unit = self.unit;
        match self.check {
            Check::Met => match self.current {
                Some(c) => format!("{}：符合（{}）", self.label, show(c, unit)),
                None => format!("{}：符合", self.label),
            },
            Check::Manual => format!("{}：需人工确认", self.label),
            Check::Unknown => match &self.error {
                Some(e) => format!("{}：无法计算（{e}）", self.label),
                None => format!("{}：需补充 {}", self.label, self.missing.join("、")),
            },
            Check::NotMet => {
                let mut line = match (self.current, self.threshold, self.gap) {
                    (Some(c), Some(t), Some(g)) => {
                        let gap = match unit {
                            // Short by less than shows: say so rather than "0".
                            Some("%") if round_half_up(g * Decimal::ONE_HUNDRED, 2).is_zero() => {
                                "不足 0.01 个百分点".to_string()
                            }
                            Some("%") => format!("{} 个百分点", round_half_up(g * Decimal::ONE_HUNDRED, 2).normalize()),
                            _ if round_half_up(g, 2).is_zero() => "不足 0.01".to_string(),
                            _ => show(g, unit),
                        };
                        format!(
                            "{}：{}，需 {} {}，差 {gap}",
                            self.label,
                            show(c, unit),
                            self.op.unwrap_or("≥"),
                            show(t, unit)
                        )
                    }
                    _ => format!("{}：不符合", self.label),
                };
                if let Some(h) = &self.hint {
                    line.push_str(&format!("（≈ {h}）"));
                }
                line
            }
        }
    }
}

impl ScoreResult {
    /// "企业创新能力评价：68 分，需 ≥ 71 分，差 3 分"; a range when some items are unknown.
    pub fn describe(&self) -> String {
        let points = if self.low == self.high {
            format!("{} 分", self.low.normalize())
        } else {
            format!("{}–{} 分", self.low.normalize(), self.high.normalize())
        };
        match self.check {
            Check::Met => format!("{}：{points}，符合", self.label),
            Check::NotMet => format!(
                "{}：{points}，需 ≥ {} 分，差 {} 分",
                self.label,
                self.pass.normalize(),
                self.gap.unwrap_or_default().normalize()
            ),
            _ => {
                let missing: Vec<String> = self.items.iter().flat_map(|i| i.missing.iter().cloned()).collect();
                format!(
                    "{}：{points}（需 ≥ {} 分），需补充 {}",
                    self.label,
                    self.pass.normalize(),
                    missing.join("、")
                )
            }
        }
    }
}

impl RouteResult {
    /// The failing items, one line each, with their gaps.
    pub fn gaps(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .conditions
            .iter()
            .filter(|c| c.check == Check::NotMet)
            .map(ConditionResult::describe)
            .collect();
        if let Some(s) = self.score.as_ref().filter(|s| s.check == Check::NotMet) {
            out.push(s.describe());
        }
        out
    }
}
