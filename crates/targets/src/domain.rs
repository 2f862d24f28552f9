//! What a target is and where it stands: a draft checked field by field (each refusal names its
//! field in Chinese), and a target with its reports assessed against 序时进度 on a day. Pure: no
//! web framework, no database.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::entities::{report, target};
use gaoxin_core::schedule::{self, Assessment, Direction, Goal, Period, Profile, Thresholds};
use gaoxin_core::validate::{FieldError, optional_text, required_text};

/// A target as typed or imported, before it is checked.
#[derive(Clone, Debug, Default)]
pub struct TargetDraft {
    pub name: String,
    pub unit: String,
    pub period: String,
    /// `130`, `1—2` (a range), `1,200.5`.
    pub value: String,
    /// `at_least` / `at_most` / 不少于 / 不超过; empty: at least.
    pub direction: String,
    pub profile: String,
    pub note: String,
    /// A computed metric's code (empty: reported by the department).
    pub metric: String,
}

/// A checked target.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetSpec {
    pub name: String,
    pub unit: String,
    pub period: Period,
    pub low: Decimal,
    pub high: Option<Decimal>,
    pub direction: Direction,
    pub profile: Profile,
    pub note: Option<String>,
    /// The computed metric's code, checked against the catalogue when saved.
    pub metric: Option<String>,
}

/// A figure as people type it: `1,200.5`, `１２０`, with or without spaces.
pub fn parse_figure(field: &str, label: &str, raw: &str) -> Result<Decimal, FieldError> {
    let cleaned: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c),
            '．' => '.',
            _ => c,
        })
        .filter(|c| !matches!(c, ',' | '，' | ' '))
        .collect();
    let value: Decimal = cleaned
        .parse()
        .map_err(|_| FieldError::new(field, format!("{label}“{}”应为数字", raw.trim())))?;
    if value < Decimal::ZERO {
        return Err(FieldError::new(field, format!("{label}不能为负数")));
    }
    if value.scale() > 4 {
        return Err(FieldError::new(field, format!("{label}最多保留 4 位小数")));
    }
    Ok(value.normalize())
}

/// A value or a range: `130`, `1—2`, `1-2`, `1~2`, `1至2`.
pub fn parse_value(raw: &str) -> Result<(Decimal, Option<Decimal>), FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::new("value", "目标值不能为空"));
    }
    let split = ['—', '–', '~', '～', '至']
        .iter()
        .find_map(|sep| raw.split_once(*sep))
        // A hyphen after the first character (a leading one would be a sign).
        .or_else(|| {
            raw.char_indices()
                .skip(1)
                .find(|(_, c)| *c == '-')
                .map(|(i, _)| (&raw[..i], &raw[i + 1..]))
        });
    match split {
        Some((low, high)) => {
            let low = parse_figure("value", "目标值下限", low)?;
            let high = parse_figure("value", "目标值上限", high)?;
            if high <= low {
                return Err(FieldError::new("value", format!("目标区间“{raw}”的上限应大于下限")));
            }
            Ok((low, Some(high)))
        }
        None => Ok((parse_figure("value", "目标值", raw)?, None)),
    }
}

impl TargetDraft {
    /// Checks every field; every refusal, each naming its field.
    pub fn check(&self) -> Result<TargetSpec, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = required_text("name", "目标名称", &self.name, 200)
            .map_err(|e| errors.push(e))
            .ok();
        let unit = required_text("unit", "单位", &self.unit, 20)
            .map_err(|e| errors.push(e))
            .ok();
        let period = Period::parse(&self.period)
            .map_err(|e| errors.push(FieldError::new("period", e)))
            .ok();
        let value = parse_value(&self.value).map_err(|e| errors.push(e)).ok();
        let direction = Direction::of(&self.direction)
            .ok_or_else(|| {
                errors.push(FieldError::new(
                    "direction",
                    format!("方向“{}”应为“不少于”或“不超过”", self.direction.trim()),
                ))
            })
            .ok();
        let profile = Profile::parse(&self.profile)
            .map_err(|e| errors.push(FieldError::new("profile", e)))
            .ok();
        let note = optional_text("note", "备注", &self.note, 2000)
            .map_err(|e| errors.push(e))
            .ok();
        if let (Some((low, None)), Some(Direction::AtLeast)) = (value, direction)
            && low.is_zero()
        {
            errors.push(FieldError::new("value", "“不少于”的目标值应大于 0"));
        }
        match (name, unit, period, value, direction, profile, note) {
            (Some(name), Some(unit), Some(period), Some((low, high)), Some(direction), Some(profile), Some(note))
                if errors.is_empty() =>
            {
                Ok(TargetSpec {
                    name,
                    unit,
                    period,
                    low,
                    high,
                    direction,
                    profile,
                    note,
                    metric: Some(self.metric.trim().to_string()).filter(|m| !m.is_empty()),
                })
            }
            _ => Err(errors),
        }
    }
}

/// A month as `2026-11` (also `2026年11月`, `202611`).
pub fn parse_month(raw: &str) -> Result<(i32, u32), FieldError> {
    match Period::parse(raw) {
        Ok(Period::Month(y, m)) => Ok((y, u32::from(m))),
        _ => Err(FieldError::new(
            "month",
            format!(
                "月份“{}”应写作 2026-11",
                raw.trim().chars().take(20).collect::<String>()
            ),
        )),
    }
}

pub fn month_code(year: i32, month: u32) -> String {
    format!("{year}-{month:02}")
}

/// A target with where it stands on a day.
#[derive(Clone, Debug, Serialize)]
pub struct TargetLine {
    pub target: target::Model,
    pub period: Period,
    pub goal_text: String,
    pub as_of: NaiveDate,
    /// The latest report at or before `as_of`'s month within the period, if any.
    pub actual: Option<Decimal>,
    pub actual_month: Option<String>,
    pub assessment: Option<Assessment>,
}

impl TargetLine {
    pub fn status_code(&self) -> &'static str {
        self.assessment.as_ref().map_or("missing", |a| a.status.code())
    }

    pub fn status_label(&self) -> &'static str {
        self.assessment.as_ref().map_or("未填报", |a| a.status.label())
    }

    pub fn explanation(&self) -> String {
        match &self.assessment {
            Some(a) => a.explanation.clone(),
            None => format!(
                "截至 {} 尚无填报数：请{}填报本期累计完成数",
                self.as_of,
                if self.target.department_id.is_some() {
                    "责任部门"
                } else {
                    "管理员"
                }
            ),
        }
    }
}

/// The goal of a stored target.
pub fn goal_of(t: &target::Model) -> Goal {
    Goal {
        low: t.value_low.parse().unwrap_or_default(),
        high: t.value_high.as_deref().and_then(|v| v.parse().ok()),
        direction: Direction::of(&t.direction).unwrap_or(Direction::AtLeast),
    }
}

/// "不少于 130 家", "1—2 个", "不超过 1,200.5 万元".
pub fn goal_text(t: &target::Model) -> String {
    let goal = goal_of(t);
    match goal.high {
        Some(high) => format!("{}—{} {}", goal.low, high, t.unit),
        None => format!("{} {} {}", goal.direction.label(), goal.low, t.unit),
    }
}

/// Where `t` stands at the end of `as_of`, from its reports (the figure to date each month end:
/// the latest one reported for a month of the period up to `as_of`'s month counts). A figure
/// to the end of an earlier month is held against 序时进度 at that month's end, not today's: on
/// 8 December the November figure answers for November.
///
/// A computed target's actual is `computed` (counted up to `as_of` by its metric) instead.
pub fn assess(
    t: &target::Model,
    reports: &[report::Model],
    computed: Option<Decimal>,
    as_of: NaiveDate,
    thresholds: &Thresholds,
) -> TargetLine {
    let period = Period::parse(&t.period).unwrap_or(Period::Year(t.year));
    let upto = month_code(as_of.year(), as_of.month());
    let first = month_code(period.year(), *period.months().start());
    let last = month_code(period.year(), *period.months().end());
    let latest = reports
        .iter()
        .filter(|r| r.target_id == t.id && r.month >= first && r.month <= last && r.month <= upto)
        .max_by(|a, b| a.month.cmp(&b.month));
    let (actual, as_of, latest) = match computed {
        Some(value) => (Some(value), as_of, None),
        None => (
            latest.and_then(|r| r.value.parse::<Decimal>().ok()),
            latest
                .and_then(|r| parse_month(&r.month).ok())
                .map_or(as_of, |(y, m)| schedule::month_end(y, m).min(as_of)),
            latest,
        ),
    };
    let profile = Profile::parse(&t.profile).unwrap_or_default();
    let assessment = actual.map(|a| schedule::assess(period, &profile, goal_of(t), &t.unit, a, as_of, thresholds));
    TargetLine {
        goal_text: goal_text(t),
        period,
        as_of,
        actual,
        actual_month: latest.map(|r| r.month.clone()),
        assessment,
        target: t.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(value: &str) -> TargetDraft {
        TargetDraft {
            name: "新认定高新技术企业".into(),
            unit: "家".into(),
            period: "2026年".into(),
            value: value.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_draft_is_checked_field_by_field() {
        let spec = draft("40").check().unwrap();
        assert_eq!(
            (spec.low, spec.high, spec.period),
            (Decimal::from(40), None, Period::Year(2026))
        );
        let range = draft("1—2").check().unwrap();
        assert_eq!((range.low, range.high), (Decimal::from(1), Some(Decimal::from(2))));
        assert_eq!(parse_value("1,600").unwrap(), (Decimal::from(1600), None));
        assert_eq!(parse_value("5-8").unwrap(), (Decimal::from(5), Some(Decimal::from(8))));
        let bad = TargetDraft {
            name: "".into(),
            unit: "家".into(),
            period: "2026-13".into(),
            value: "四十".into(),
            direction: "大约".into(),
            ..Default::default()
        }
        .check()
        .unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "period", "value", "direction"]);
        assert!(draft("0").check().is_err());
        assert!(draft("2—1").check().is_err());
    }
}
