//! 序时进度: how much of a target a zone should have reached by a day, and how far ahead or behind
//! an actual stands, said in words a leader reads ("应完成 58.3%（7/12 个月），实际 41.0%，落后
//! 17.3 个百分点，差 52 家").
//!
//! A target is set for a [`Period`] (a year, a half, a quarter or a month). The share expected by
//! a day runs month by month: each whole month elapsed counts its weight, the current month the
//! part of its days gone by — so at every month end the share is exactly "months elapsed / months
//! in the period" (7/12 at 31 July, 2/12 at 29 February of a leap year), and between month ends
//! it moves day by day. The weights are equal ([`Profile::Linear`]) or set per month
//! ([`Profile::Monthly`]: seasonal work, e.g. little in January and February). Pure: no web
//! framework, no database.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

/// The span a target is set for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Period {
    Year(i32),
    /// 1 = 上半年, 2 = 下半年.
    Half(i32, u8),
    Quarter(i32, u8),
    Month(i32, u8),
}

impl Period {
    /// Reads a period as zones write it: `2026`, `2026年`, `2026-H1`, `2026年上半年`, `2026-Q3`,
    /// `2026年第三季度`, `2026-03`, `2026年3月`, `202603`. The reason when it is none of these.
    pub fn parse(raw: &str) -> Result<Period, String> {
        let text: String = raw
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        let bad = || {
            format!(
                "期间“{}”无法识别：应写作 2026（年）、2026-H1（半年）、2026-Q3（季度）或 2026-03（月）",
                raw.trim().chars().take(30).collect::<String>()
            )
        };
        let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
        if digits.len() == 6 && text.len() == 6 {
            let (y, m) = (
                digits[..4].parse().map_err(|_| bad())?,
                digits[4..].parse().map_err(|_| bad())?,
            );
            return Period::Month(y, m).checked().ok_or_else(bad);
        }
        if digits.len() != 4 {
            return Err(bad());
        }
        let year: i32 = digits.parse().map_err(|_| bad())?;
        let rest = text[4..].trim_start_matches(['年', '-', '/', '.']);
        let period = match rest {
            "" => Period::Year(year),
            "H1" | "上半年" => Period::Half(year, 1),
            "H2" | "下半年" => Period::Half(year, 2),
            _ => {
                let quarter = rest
                    .strip_prefix('Q')
                    .or_else(|| rest.strip_prefix('第').and_then(|r| r.strip_suffix("季度")))
                    .or_else(|| rest.strip_suffix("季度"));
                if let Some(q) = quarter {
                    let n = match q {
                        "1" | "一" => 1,
                        "2" | "二" => 2,
                        "3" | "三" => 3,
                        "4" | "四" => 4,
                        _ => return Err(bad()),
                    };
                    Period::Quarter(year, n)
                } else {
                    let m = rest.trim_end_matches('月');
                    Period::Month(year, m.parse().map_err(|_| bad())?)
                }
            }
        };
        period.checked().ok_or_else(bad)
    }

    fn checked(self) -> Option<Period> {
        let ok = match self {
            Period::Year(y) => (1900..=2200).contains(&y),
            Period::Half(y, h) => (1900..=2200).contains(&y) && (1..=2).contains(&h),
            Period::Quarter(y, q) => (1900..=2200).contains(&y) && (1..=4).contains(&q),
            Period::Month(y, m) => (1900..=2200).contains(&y) && (1..=12).contains(&m),
        };
        ok.then_some(self)
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) | Period::Half(y, _) | Period::Quarter(y, _) | Period::Month(y, _) => y,
        }
    }

    /// The calendar months of the period, first to last (1–12).
    pub fn months(self) -> std::ops::RangeInclusive<u32> {
        match self {
            Period::Year(_) => 1..=12,
            Period::Half(_, h) => {
                let first = (u32::from(h) - 1) * 6 + 1;
                first..=first + 5
            }
            Period::Quarter(_, q) => {
                let first = (u32::from(q) - 1) * 3 + 1;
                first..=first + 2
            }
            Period::Month(_, m) => u32::from(m)..=u32::from(m),
        }
    }

    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), *self.months().start(), 1).expect("a checked period")
    }

    pub fn end(self) -> NaiveDate {
        month_end(self.year(), *self.months().end())
    }

    /// The stored form: `2026`, `2026-H1`, `2026-Q3`, `2026-03`.
    pub fn code(self) -> String {
        match self {
            Period::Year(y) => format!("{y}"),
            Period::Half(y, h) => format!("{y}-H{h}"),
            Period::Quarter(y, q) => format!("{y}-Q{q}"),
            Period::Month(y, m) => format!("{y}-{m:02}"),
        }
    }

    /// As a report writes it: 2026年, 2026年上半年, 2026年第三季度, 2026年3月.
    pub fn label(self) -> String {
        match self {
            Period::Year(y) => format!("{y}年"),
            Period::Half(y, 1) => format!("{y}年上半年"),
            Period::Half(y, _) => format!("{y}年下半年"),
            Period::Quarter(y, q) => format!(
                "{y}年第{}季度",
                ["一", "二", "三", "四"][usize::from(q.clamp(1, 4)) - 1]
            ),
            Period::Month(y, m) => format!("{y}年{m}月"),
        }
    }
}

/// The last day of a month.
pub fn month_end(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|d| d.pred_opt()).expect("a valid month")
}

/// How a target's work is spread over the months.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Profile {
    /// Evenly: each month the same.
    #[default]
    Linear,
    /// A weight per calendar month (January first), e.g. `[2,3,8,9,9,9,9,9,9,10,11,12]`.
    Monthly([u32; 12]),
}

impl Profile {
    /// Reads 12 whole-number weights separated by commas or spaces (empty: linear).
    pub fn parse(raw: &str) -> Result<Profile, String> {
        let raw = raw.trim();
        if raw.is_empty() || raw == "线性" || raw.eq_ignore_ascii_case("linear") {
            return Ok(Profile::Linear);
        }
        let parts: Vec<&str> = raw
            .split([',', '，', ' ', '、', '/'])
            .filter(|p| !p.is_empty())
            .collect();
        let bad = || format!("月度分布“{raw}”应为 12 个非负整数（1—12 月的权重），用逗号分隔");
        if parts.len() != 12 {
            return Err(bad());
        }
        let mut weights = [0u32; 12];
        for (w, p) in weights.iter_mut().zip(parts) {
            *w = p.parse().map_err(|_| bad())?;
            if *w > 1_000 {
                return Err(bad());
            }
        }
        if weights.iter().all(|w| *w == 0) {
            return Err(format!("月度分布“{raw}”的权重不能全为 0"));
        }
        Ok(Profile::Monthly(weights))
    }

    /// The stored form: empty for linear, else the 12 weights.
    pub fn code(&self) -> String {
        match self {
            Profile::Linear => String::new(),
            Profile::Monthly(w) => w.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
        }
    }

    fn weight(&self, month: u32) -> Decimal {
        match self {
            Profile::Linear => Decimal::ONE,
            Profile::Monthly(w) => Decimal::from(w[(month - 1) as usize]),
        }
    }
}

/// The share (0–1, exact) of a target for `period` expected by the end of `as_of`, and the
/// months elapsed (whole months plus the part of the current one).
pub fn expected_share(period: Period, profile: &Profile, as_of: NaiveDate) -> (Decimal, Decimal) {
    let months = period.months();
    let count = Decimal::from(months.clone().count() as u32);
    if as_of < period.start() {
        return (Decimal::ZERO, Decimal::ZERO);
    }
    if as_of >= period.end() {
        return (Decimal::ONE, count);
    }
    let mut total = Decimal::ZERO;
    let mut done = Decimal::ZERO;
    let mut elapsed = Decimal::ZERO;
    for m in months {
        let weight = profile.weight(m);
        total += weight;
        let end = month_end(period.year(), m);
        if as_of >= end {
            done += weight;
            elapsed += Decimal::ONE;
        } else if as_of.month() == m && as_of.year() == period.year() {
            let part = Decimal::from(as_of.day()) / Decimal::from(end.day());
            done += weight * part;
            elapsed += part;
        }
    }
    if total.is_zero() {
        return (Decimal::ONE, elapsed);
    }
    (done / total, elapsed)
}

/// Whether the actual should reach the value (a count of firms) or stay under it (energy used).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    AtLeast,
    AtMost,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::AtLeast => "at_least",
            Direction::AtMost => "at_most",
        }
    }

    pub fn of(code: &str) -> Option<Direction> {
        match code.trim() {
            "at_least" | "不少于" | "至少" | "≥" | ">=" | "" => Some(Direction::AtLeast),
            "at_most" | "不超过" | "至多" | "≤" | "<=" => Some(Direction::AtMost),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Direction::AtLeast => "不少于",
            Direction::AtMost => "不超过",
        }
    }
}

/// Where a target stands against 序时进度.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Status {
    Ahead,
    OnTrack,
    Behind,
    SeverelyBehind,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Ahead, Status::OnTrack, Status::Behind, Status::SeverelyBehind];

    pub fn code(self) -> &'static str {
        match self {
            Status::Ahead => "ahead",
            Status::OnTrack => "on_track",
            Status::Behind => "behind",
            Status::SeverelyBehind => "severely_behind",
        }
    }

    pub fn of(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Ahead => "超前",
            Status::OnTrack => "正常",
            Status::Behind => "滞后",
            Status::SeverelyBehind => "严重滞后",
        }
    }
}

/// Where the statuses part, in percentage points of the target between the actual share and
/// the expected one (zone settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    /// At least this far ahead: 超前.
    pub ahead_pp: Decimal,
    /// Behind by more than this: 滞后 (up to it: 正常).
    pub behind_pp: Decimal,
    /// Behind by more than this: 严重滞后.
    pub severe_pp: Decimal,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            ahead_pp: Decimal::from(10),
            behind_pp: Decimal::from(5),
            severe_pp: Decimal::from(20),
        }
    }
}

/// A target's value: one figure, or a range written "1—2个" (its low end is what must be reached
/// — or, for [`Direction::AtMost`], its high end what must not be passed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Goal {
    pub low: Decimal,
    pub high: Option<Decimal>,
    pub direction: Direction,
}

impl Goal {
    /// The figure the status is measured against.
    pub fn bar(&self) -> Decimal {
        match (self.direction, self.high) {
            (Direction::AtMost, Some(high)) => high,
            _ => self.low,
        }
    }
}

/// A target assessed on a day: the figures and the sentence that explains them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// Expected share of the target by the day, percent, one decimal.
    pub expected_percent: Decimal,
    /// The actual as a share of the target, percent, one decimal.
    pub actual_percent: Decimal,
    /// Actual minus expected (at most: expected minus actual), percentage points, one decimal.
    pub gap_pp: Decimal,
    /// What the expected share is in the target's unit, and how far the actual is from it.
    pub expected_amount: Decimal,
    pub status: Status,
    pub explanation: String,
}

/// Units whose amounts are whole things (firms, people, projects): a shortfall is rounded up.
const COUNTED: &[&str] = &["家", "个", "人", "项", "件", "次", "户", "名", "座", "宗", "批"];

/// An amount in a unit as a report writes it: whole things rounded up, others to two decimals.
pub fn amount_text(amount: Decimal, unit: &str) -> String {
    let counted = COUNTED.iter().any(|u| unit.ends_with(u));
    let value = if counted { amount.ceil() } else { amount.round_dp(2) };
    format!("{}{unit}", value.normalize())
}

/// A share as a percent with exactly one decimal (`100.0`, not `100`).
fn pct(share: Decimal) -> Decimal {
    let mut percent =
        (share * Decimal::ONE_HUNDRED).round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    percent.rescale(1);
    percent
}

fn months_text(elapsed: Decimal) -> String {
    let rounded = elapsed.round_dp(1).normalize();
    rounded.to_string()
}

/// Assesses `actual` against `goal` for `period` as of the end of `as_of`.
pub fn assess(
    period: Period,
    profile: &Profile,
    goal: Goal,
    unit: &str,
    actual: Decimal,
    as_of: NaiveDate,
    thresholds: &Thresholds,
) -> Assessment {
    let (share, elapsed) = expected_share(period, profile, as_of);
    let months = period.months().count();
    let bar = goal.bar();
    let expected_amount = bar * share;
    let expected_percent = pct(share);
    let actual_share = if bar.is_zero() {
        if actual.is_zero() { share } else { Decimal::ONE + share }
    } else {
        actual / bar
    };
    let actual_percent = pct(actual_share);
    let gap_pp = match goal.direction {
        Direction::AtLeast => actual_percent - expected_percent,
        Direction::AtMost => expected_percent - actual_percent,
    };
    let status = if gap_pp >= thresholds.ahead_pp {
        Status::Ahead
    } else if gap_pp >= -thresholds.behind_pp {
        Status::OnTrack
    } else if gap_pp >= -thresholds.severe_pp {
        Status::Behind
    } else {
        Status::SeverelyBehind
    };
    let when = match profile {
        Profile::Linear => format!("{}/{months} 个月", months_text(elapsed)),
        Profile::Monthly(_) => format!("按月度分布，已过 {}/{months} 个月", months_text(elapsed)),
    };
    let distance = gap_pp.abs();
    let explanation = match goal.direction {
        Direction::AtLeast => {
            let head = format!("应完成 {expected_percent}%（{when}），实际 {actual_percent}%");
            if gap_pp < Decimal::ZERO {
                format!(
                    "{head}，落后 {distance} 个百分点，差 {}",
                    amount_text(expected_amount - actual, unit)
                )
            } else if gap_pp > Decimal::ZERO {
                format!("{head}，领先 {distance} 个百分点")
            } else {
                format!("{head}，与序时进度持平")
            }
        }
        Direction::AtMost => {
            let head = format!("序时额度 {expected_percent}%（{when}），实际已用 {actual_percent}%");
            if gap_pp < Decimal::ZERO {
                format!(
                    "{head}，超出 {distance} 个百分点，多 {}",
                    amount_text(actual - expected_amount, unit)
                )
            } else {
                format!("{head}，未超出")
            }
        }
    };
    Assessment {
        expected_percent,
        actual_percent,
        gap_pp,
        expected_amount,
        status,
        explanation: format!("{explanation}（{}）", status.label()),
    }
}

/// A percent as a float for a chart (never for a figure shown as text).
pub fn chart_value(percent: Decimal) -> f64 {
    percent.to_f64().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn periods_are_read_as_zones_write_them() {
        for (raw, code) in [
            ("2026", "2026"),
            ("2026年", "2026"),
            ("2026-H1", "2026-H1"),
            ("2026年上半年", "2026-H1"),
            ("2026 下半年", "2026-H2"),
            ("2026-Q3", "2026-Q3"),
            ("2026q3", "2026-Q3"),
            ("2026年第三季度", "2026-Q3"),
            ("2026年四季度", "2026-Q4"),
            ("2026-03", "2026-03"),
            ("2026年3月", "2026-03"),
            ("202603", "2026-03"),
            ("2026/12", "2026-12"),
        ] {
            assert_eq!(Period::parse(raw).map(Period::code), Ok(code.to_string()), "{raw}");
        }
        for bad in [
            "",
            "26",
            "2026-13",
            "2026-Q5",
            "2026年第五季度",
            "明年",
            "2026-H3",
            "99999",
        ] {
            let e = Period::parse(bad).unwrap_err();
            assert!(e.contains("无法识别"), "{bad}: {e}");
        }
        assert_eq!(Period::Quarter(2026, 3).label(), "2026年第三季度");
        assert_eq!(Period::Half(2026, 2).start(), d(2026, 7, 1));
        assert_eq!(Period::Month(2028, 2).end(), d(2028, 2, 29));
    }

    #[test]
    fn the_expected_share_is_months_elapsed_at_each_month_end() {
        let year = Period::Year(2026);
        for m in 1..=12 {
            let (share, elapsed) = expected_share(year, &Profile::Linear, month_end(2026, m));
            assert_eq!(share, Decimal::from(m) / Decimal::from(12), "month {m}");
            assert_eq!(elapsed, Decimal::from(m));
        }
        // 29 February of a leap year is February's end: 2/12; the 28th is not yet.
        let leap = Period::Year(2028);
        assert_eq!(
            expected_share(leap, &Profile::Linear, d(2028, 2, 29)).0,
            dec("2") / dec("12")
        );
        let (share, _) = expected_share(leap, &Profile::Linear, d(2028, 2, 28));
        assert_eq!(share, (Decimal::ONE + dec("28") / dec("29")) / dec("12"));
        // Before the period nothing, after it all (across a year boundary).
        assert_eq!(expected_share(year, &Profile::Linear, d(2025, 12, 31)).0, Decimal::ZERO);
        assert_eq!(expected_share(year, &Profile::Linear, d(2027, 1, 1)).0, Decimal::ONE);
        assert_eq!(
            expected_share(Period::Quarter(2026, 4), &Profile::Linear, d(2026, 11, 30)).0,
            dec("2") / dec("3")
        );
        assert_eq!(
            expected_share(Period::Month(2026, 11), &Profile::Linear, d(2026, 11, 15)).0,
            dec("0.5")
        );
    }

    #[test]
    fn a_monthly_profile_weights_the_months() {
        let profile = Profile::parse("1,1,2,2,2,2,2,2,2,2,2,2").unwrap();
        assert_eq!(profile.code(), "1,1,2,2,2,2,2,2,2,2,2,2");
        let (share, _) = expected_share(Period::Year(2026), &profile, d(2026, 2, 28));
        assert_eq!(share, dec("2") / dec("22"));
        let (share, _) = expected_share(Period::Year(2026), &profile, d(2026, 6, 30));
        assert_eq!(share, dec("10") / dec("22"));
        assert!(Profile::parse("1,2,3").is_err());
        assert!(Profile::parse("0,0,0,0,0,0,0,0,0,0,0,0").is_err());
        assert_eq!(Profile::parse("").unwrap(), Profile::Linear);
    }

    #[test]
    fn the_explanation_says_how_far_behind_and_by_how_many() {
        // 130 new 科小 a year; at 31 July 7/12 expected (75.83); 53 entered.
        let goal = Goal {
            low: dec("130"),
            high: None,
            direction: Direction::AtLeast,
        };
        let a = assess(
            Period::Year(2026),
            &Profile::Linear,
            goal,
            "家",
            dec("53"),
            d(2026, 7, 31),
            &Thresholds::default(),
        );
        assert_eq!(a.expected_percent, dec("58.3"));
        assert_eq!(a.actual_percent, dec("40.8"));
        assert_eq!(a.gap_pp, dec("-17.5"));
        assert_eq!(a.status, Status::Behind);
        assert_eq!(
            a.explanation,
            "应完成 58.3%（7/12 个月），实际 40.8%，落后 17.5 个百分点，差 23家（滞后）"
        );
        let ahead = assess(
            Period::Year(2026),
            &Profile::Linear,
            goal,
            "家",
            dec("100"),
            d(2026, 7, 31),
            &Thresholds::default(),
        );
        assert_eq!(ahead.status, Status::Ahead);
        assert!(
            ahead.explanation.contains("领先 18.6 个百分点"),
            "{}",
            ahead.explanation
        );
        let severe = assess(
            Period::Year(2026),
            &Profile::Linear,
            goal,
            "家",
            dec("20"),
            d(2026, 7, 31),
            &Thresholds::default(),
        );
        assert_eq!(severe.status, Status::SeverelyBehind);
        // Within 5 points behind is still on track; a year over, all of it is expected.
        let near = assess(
            Period::Year(2026),
            &Profile::Linear,
            goal,
            "家",
            dec("72"),
            d(2026, 7, 31),
            &Thresholds::default(),
        );
        assert_eq!(near.status, Status::OnTrack);
        let over = assess(
            Period::Year(2025),
            &Profile::Linear,
            goal,
            "家",
            dec("129"),
            d(2026, 1, 15),
            &Thresholds::default(),
        );
        assert_eq!(
            (over.expected_percent.to_string().as_str(), over.status),
            ("100.0", Status::OnTrack)
        );
        assert!(over.explanation.contains("12/12 个月"), "{}", over.explanation);
    }

    #[test]
    fn a_ceiling_is_assessed_the_other_way_and_money_keeps_its_decimals() {
        let goal = Goal {
            low: dec("0"),
            high: Some(dec("1200.50")),
            direction: Direction::AtMost,
        };
        let a = assess(
            Period::Half(2026, 1),
            &Profile::Linear,
            goal,
            "万元",
            dec("900"),
            d(2026, 3, 31),
            &Thresholds::default(),
        );
        assert_eq!(a.expected_percent, dec("50.0"));
        assert_eq!(a.actual_percent, dec("75.0"));
        assert_eq!(a.status, Status::SeverelyBehind);
        assert_eq!(
            a.explanation,
            "序时额度 50.0%（3/6 个月），实际已用 75.0%，超出 25.0 个百分点，多 299.75万元（严重滞后）"
        );
        assert_eq!(amount_text(dec("52.0001"), "人"), "53人");
        assert_eq!(amount_text(dec("3.456"), "亿元"), "3.46亿元");
    }
}
