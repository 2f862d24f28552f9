//! Department scores for the task ledger (考核): a dated scheme file gives a base, points per
//! lead task (completed on time or late, overdue, behind the time-elapsed schedule, supervised,
//! supervision turned red) and the share cooperating departments carry. Each department's
//! score lists the tasks that gave or cost its points. Pure: no web framework, no database.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A scoring scheme as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    id: String,
    name: String,
    #[serde(default)]
    document_number: String,
    valid_from: toml::value::Datetime,
    #[serde(default)]
    example: bool,
    base: Decimal,
    points: Points,
    #[serde(default)]
    weights: Weights,
}

/// Points per lead task.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Points {
    pub on_time: Decimal,
    pub late: Decimal,
    pub overdue: Decimal,
    pub behind: Decimal,
    #[serde(default)]
    pub supervision: Decimal,
    #[serde(default)]
    pub supervision_red: Decimal,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub lead: Decimal,
    pub cooperating: Decimal,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            lead: Decimal::ONE,
            cooperating: Decimal::ZERO,
        }
    }
}

/// A checked scheme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scheme {
    pub id: String,
    pub name: String,
    pub document_number: String,
    pub valid_from: NaiveDate,
    pub example: bool,
    pub base: Decimal,
    pub points: Points,
    pub weights: Weights,
    /// SHA-256 of the file's text.
    pub version: String,
}

/// Reads and checks a scheme file; errors name the line and what is wrong.
pub fn load(text: &str) -> Result<Scheme, String> {
    let file: File = toml::from_str(text).map_err(|e| {
        let at = e.span().map(|s| {
            let line = text[..s.start].matches('\n').count() + 1;
            format!("第 {line} 行：")
        });
        format!("{}{}", at.unwrap_or_default(), e.message())
    })?;
    let valid_from = NaiveDate::parse_from_str(&file.valid_from.to_string(), "%Y-%m-%d")
        .map_err(|_| "valid_from 应为日期，如 2024-01-01".to_string())?;
    if file.id.trim().is_empty()
        || !file
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err("id 应为字母、数字和连字符，如 kaohe-2024".into());
    }
    if file.points.on_time < Decimal::ZERO || file.points.late < Decimal::ZERO {
        return Err("[points] on_time 和 late 是加分，不能为负数".into());
    }
    if file.points.overdue > Decimal::ZERO
        || file.points.behind > Decimal::ZERO
        || file.points.supervision > Decimal::ZERO
        || file.points.supervision_red > Decimal::ZERO
    {
        return Err("[points] overdue、behind、supervision、supervision_red 是扣分，应为 0 或负数".into());
    }
    for (name, w) in [("lead", file.weights.lead), ("cooperating", file.weights.cooperating)] {
        if w < Decimal::ZERO || w > Decimal::ONE {
            return Err(format!("[weights] {name} 应在 0 到 1 之间"));
        }
    }
    Ok(Scheme {
        id: file.id,
        name: file.name,
        document_number: file.document_number,
        valid_from,
        example: file.example,
        base: file.base,
        points: file.points,
        weights: file.weights,
        version: hex::encode(Sha256::digest(text.as_bytes())),
    })
}

/// What happened to a task by the end of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    OnTime,
    Late,
    Overdue,
    Behind,
    /// Nothing to score (on track, or completed in another period).
    None,
}

/// A task as the scores see it at the period's end.
#[derive(Debug, Clone)]
pub struct TaskFacts {
    pub reference: String,
    pub text: String,
    /// (department, as written) of the lead and cooperating departments.
    pub lead: Vec<String>,
    pub cooperating: Vec<String>,
    pub outcome: Outcome,
    /// Supervision orders issued on it in the period, and how many of them turned red.
    pub orders: usize,
    pub red_orders: usize,
}

pub use gaoxin_core::status::DepartmentRole as Role;

/// One line of a department's explanation.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ScoreLine {
    #[serde(rename = "ref")]
    pub reference: String,
    pub text: String,
    /// The code of the department's [`Role`] on the task.
    pub role: String,
    pub reason: String,
    /// Exact decimal.
    pub points: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct DepartmentScore {
    pub rank: usize,
    pub department: String,
    pub base: String,
    pub total: String,
    pub lines: Vec<ScoreLine>,
}

/// Scores every department that leads or cooperates on a task, ranked by total (ties share a
/// rank, then by name).
pub fn score(scheme: &Scheme, tasks: &[TaskFacts]) -> Vec<DepartmentScore> {
    let mut lines: BTreeMap<String, Vec<(ScoreLine, Decimal)>> = BTreeMap::new();
    let p = &scheme.points;
    for t in tasks {
        let mut items: Vec<(String, Decimal)> = Vec::new();
        match t.outcome {
            Outcome::OnTime => items.push(("按时完成".into(), p.on_time)),
            Outcome::Late => items.push(("超过时限后完成".into(), p.late)),
            Outcome::Overdue => items.push(("逾期未完成".into(), p.overdue)),
            Outcome::Behind => items.push(("滞后于序时进度".into(), p.behind)),
            Outcome::None => {}
        }
        if t.orders > 0 && !p.supervision.is_zero() {
            items.push((
                format!("被督办 {} 次", t.orders),
                p.supervision * Decimal::from(t.orders),
            ));
        }
        if t.red_orders > 0 && !p.supervision_red.is_zero() {
            items.push((
                format!("督办升级为红色 {} 次", t.red_orders),
                p.supervision_red * Decimal::from(t.red_orders),
            ));
        }
        for (role, names, weight) in [
            (Role::Lead, &t.lead, scheme.weights.lead),
            (Role::Cooperating, &t.cooperating, scheme.weights.cooperating),
        ] {
            if weight.is_zero() {
                continue;
            }
            for name in names {
                for (reason, points) in &items {
                    let points = (*points * weight).round_dp(2);
                    if points.is_zero() {
                        continue;
                    }
                    let reason = match role {
                        Role::Lead => format!("{}：{reason}", role.label()),
                        Role::Cooperating => format!("{}：{reason}（按 {} 计）", role.label(), weight.normalize()),
                    };
                    lines.entry(name.clone()).or_default().push((
                        ScoreLine {
                            reference: t.reference.clone(),
                            text: t.text.clone(),
                            role: role.code().into(),
                            reason,
                            points: points.normalize().to_string(),
                        },
                        points,
                    ));
                }
            }
        }
        // Departments with tasks but no points still appear.
        for name in t.lead.iter().chain(t.cooperating.iter()) {
            lines.entry(name.clone()).or_default();
        }
    }
    let mut scores: Vec<(String, Decimal, Vec<ScoreLine>)> = lines
        .into_iter()
        .map(|(name, ls)| {
            let total = scheme.base + ls.iter().map(|l| l.1).sum::<Decimal>();
            (name, total, ls.into_iter().map(|l| l.0).collect())
        })
        .collect();
    scores.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = Vec::new();
    let mut rank = 0;
    let mut previous = None;
    for (i, (name, total, lines)) in scores.into_iter().enumerate() {
        if previous != Some(total) {
            rank = i + 1;
        }
        previous = Some(total);
        out.push(DepartmentScore {
            rank,
            department: name,
            base: scheme.base.normalize().to_string(),
            total: total.normalize().to_string(),
            lines,
        });
    }
    out
}

/// A period: a year (`2024`) or a half (`2024H1`, `2024H2`).
pub fn period(text: &str) -> Option<(NaiveDate, NaiveDate)> {
    let t = text.trim().to_uppercase();
    let (year, half) = match t.split_once('H') {
        Some((y, h)) => (y.parse::<i32>().ok()?, Some(h.parse::<u32>().ok()?)),
        None => (t.parse::<i32>().ok()?, None),
    };
    if !(2000..=2100).contains(&year) {
        return None;
    }
    let d = |m, day| NaiveDate::from_ymd_opt(year, m, day);
    match half {
        None => Some((d(1, 1)?, d(12, 31)?)),
        Some(1) => Some((d(1, 1)?, d(6, 30)?)),
        Some(2) => Some((d(7, 1)?, d(12, 31)?)),
        _ => None,
    }
}

/// A task's outcome at the period's end: completed (and confirmed) within the period, on time
/// or late; due within the period and not done (overdue); or still running and behind.
pub fn outcome(
    start: NaiveDate,
    due: Option<NaiveDate>,
    done_on: Option<NaiveDate>,
    confirmed_on: Option<NaiveDate>,
    percent_at_end: i32,
    period: (NaiveDate, NaiveDate),
) -> Outcome {
    let (from, to) = period;
    if let (Some(done), Some(confirmed)) = (done_on, confirmed_on)
        && confirmed <= to
    {
        if confirmed < from {
            return Outcome::None;
        }
        return match due {
            Some(due) if done > due => Outcome::Late,
            _ => Outcome::OnTime,
        };
    }
    let Some(due) = due else { return Outcome::None };
    if due <= to {
        return Outcome::Overdue;
    }
    if percent_at_end < gaoxin_core::clock::expected_percent(start, due, to) {
        Outcome::Behind
    } else {
        Outcome::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Scheme {
        load(include_str!("../../../rules/plans/kaohe-example.toml")).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_shipped_example_loads() {
        let s = shipped();
        assert_eq!(s.id, "kaohe-example");
        assert_eq!(s.points.overdue, Decimal::from(-3));
        assert_eq!(s.weights.cooperating, Decimal::new(3, 1));
    }

    #[test]
    fn bad_schemes_are_refused_with_a_reason() {
        let good = include_str!("../../../rules/plans/kaohe-example.toml");
        assert!(
            load(&good.replace("overdue = -3", "overdue = 3"))
                .unwrap_err()
                .contains("扣分")
        );
        assert!(
            load(&good.replace("cooperating = 0.3", "cooperating = 1.5"))
                .unwrap_err()
                .contains("0 到 1")
        );
        let err = load(&good.replace("base = 100", "base = \"一百\"")).unwrap_err();
        assert!(err.starts_with("第 "), "{err}");
    }

    #[test]
    fn outcomes_at_the_period_end() {
        let h1 = period("2024H1").unwrap();
        assert_eq!(h1, (d(2024, 1, 1), d(2024, 6, 30)));
        let start = d(2024, 1, 1);
        assert_eq!(
            outcome(
                start,
                Some(d(2024, 5, 31)),
                Some(d(2024, 5, 20)),
                Some(d(2024, 5, 25)),
                100,
                h1
            ),
            Outcome::OnTime
        );
        assert_eq!(
            outcome(
                start,
                Some(d(2024, 5, 31)),
                Some(d(2024, 6, 10)),
                Some(d(2024, 6, 12)),
                100,
                h1
            ),
            Outcome::Late
        );
        assert_eq!(
            outcome(start, Some(d(2024, 5, 31)), None, None, 80, h1),
            Outcome::Overdue
        );
        assert_eq!(
            outcome(start, Some(d(2024, 12, 31)), None, None, 20, h1),
            Outcome::Behind
        );
        assert_eq!(outcome(start, Some(d(2024, 12, 31)), None, None, 60, h1), Outcome::None);
        assert_eq!(
            outcome(
                start,
                Some(d(2024, 12, 31)),
                Some(d(2024, 5, 1)),
                Some(d(2024, 5, 2)),
                100,
                period("2024H2").unwrap()
            ),
            Outcome::None
        );
        assert_eq!(period("2024H3"), None);
    }

    #[test]
    fn scores_are_explained_task_by_task() {
        let task = |r: &str, lead: &str, coop: &[&str], outcome, orders, red| TaskFacts {
            reference: r.into(),
            text: format!("任务{r}"),
            lead: vec![lead.into()],
            cooperating: coop.iter().map(|s| s.to_string()).collect(),
            outcome,
            orders,
            red_orders: red,
        };
        let tasks = vec![
            task("1", "科技局", &["财政局"], Outcome::OnTime, 0, 0),
            task("2", "科技局", &[], Outcome::Overdue, 1, 1),
            task("3", "财政局", &[], Outcome::OnTime, 0, 0),
            task("4", "经发局", &[], Outcome::None, 0, 0),
        ];
        let scores = score(&shipped(), &tasks);
        let get = |n: &str| scores.iter().find(|s| s.department == n).unwrap();
        // 科技局: 100 + 2 − 3 − 2 − 2 = 95.
        assert_eq!(get("科技局").total, "95");
        assert_eq!(get("科技局").lines.len(), 4);
        assert_eq!(get("科技局").lines[1].reason, "牵头：逾期未完成");
        // 财政局: 100 + 2 + 0.3 × 2 = 102.6.
        assert_eq!(get("财政局").total, "102.6");
        assert_eq!(get("财政局").lines[0].reason, "配合：按时完成（按 0.3 计）");
        assert_eq!(get("经发局").total, "100");
        assert_eq!((scores[0].department.as_str(), scores[0].rank), ("财政局", 1));
        assert_eq!(scores[2].department, "科技局");
    }
}
