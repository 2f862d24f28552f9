//! The yearly targets (“12345”招商目标) against their actuals and 序时进度: each metric's actual
//! as of today, the percent reached, and whether it is behind the share of the year elapsed.
//! Pure: no web framework, no database.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use super::{Book, month_key, year_elapsed_percent};
use crate::entities::target;
use crate::status::{Metric, Milestone};

/// A target against its actual and the time-elapsed schedule.
#[derive(Debug, Clone, Serialize)]
pub struct TargetLine {
    pub metric: String,
    pub metric_name: String,
    pub label: String,
    pub target: Decimal,
    pub actual: Decimal,
    pub percent: Decimal,
    pub expected_percent: i64,
    pub behind: bool,
    pub explanation: String,
}

/// The share of `year` a target should have reached by `today` (序时进度), in whole percent:
/// all of a past year, none of a future one.
pub fn expected_percent(year: i32, today: NaiveDate) -> i64 {
    if year < today.year() {
        100
    } else if year > today.year() {
        0
    } else {
        year_elapsed_percent(today)
    }
}

/// 亿元 from fen, exact.
fn to_yi(fen: i64) -> Decimal {
    Decimal::from(fen) / Decimal::from(10_000_000_000_i64)
}

impl Book {
    /// The year's targets with their actuals as of `today` (or the year's end, if it is over).
    pub fn targets(&self, year: i32, targets: &[target::Model], today: NaiveDate) -> Vec<TargetLine> {
        let year_end = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid");
        let as_of = today.min(year_end);
        let expected = expected_percent(year, today);
        targets
            .iter()
            .filter(|t| t.year == year)
            .map(|t| {
                let target: Decimal = t.value.parse().unwrap_or_default();
                let (actual, how) = self.actual(Metric::of(&t.metric), year, as_of);
                let percent = if target > Decimal::ZERO {
                    (actual * Decimal::from(100) / target).round_dp(1)
                } else {
                    Decimal::ZERO
                };
                let behind = percent < Decimal::from(expected);
                TargetLine {
                    metric: t.metric.clone(),
                    metric_name: Metric::label_of(&t.metric).to_string(),
                    label: t.label.clone(),
                    explanation: format!(
                        "{how}：{} / 目标 {} = {percent}%，序时进度 {expected}%（截至 {as_of}）{}",
                        actual.normalize(),
                        target.normalize(),
                        if behind { "，滞后" } else { "，达到序时进度" }
                    ),
                    target,
                    actual,
                    percent,
                    expected_percent: expected,
                    behind,
                }
            })
            .collect()
    }

    /// A metric's actual in `year` up to `as_of`, and how it is counted in words. A stored
    /// metric this version does not know is counted as completed investment.
    fn actual(&self, metric: Option<Metric>, year: i32, as_of: NaiveDate) -> (Decimal, String) {
        let in_year = |d: Option<NaiveDate>| d.is_some_and(|d| d.year() == year && d <= as_of);
        if let Some(milestone) = metric.and_then(Metric::milestone) {
            let count = self
                .projects
                .iter()
                .filter(|p| self.rules.is_major(p.total_investment) && in_year(self.reached_on(p.id, milestone)))
                .count();
            return (
                Decimal::from(count),
                format!(
                    "{year} 年内进入{}阶段的超亿元项目数",
                    self.rules.counting(milestone.code()).name
                ),
            );
        }
        if metric == Some(Metric::SignedAmount) {
            let signed = self
                .projects
                .iter()
                .filter(|p| in_year(self.reached_on(p.id, Milestone::Signed)))
                .map(|p| p.total_investment)
                .sum();
            return (to_yi(signed).round_dp(2), format!("{year} 年内签约项目的总投资之和"));
        }
        let done = self
            .projects
            .iter()
            .map(|p| self.investment_between(p.id, &format!("{year}-01"), &month_key(as_of)))
            .sum();
        (to_yi(done).round_dp(2), format!("{year} 年各项目月度完成投资之和"))
    }
}
