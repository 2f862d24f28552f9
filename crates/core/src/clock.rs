//! The zone's clock: the one place gaoxin asks what day and year it is.
//!
//! A zone lives on Beijing time (Asia/Shanghai: UTC+8, without daylight saving since 1991, so a
//! fixed offset is exact). "Today", "this year", 序时进度 and every deadline are read from a
//! [`Clock`]: the system clock in production, a fixed instant in tests and when a report must be
//! reproduced as of a past moment (`GAOXIN_NOW=2026-01-01T06:00:00+08:00`). Record stamps
//! (audit lines, `created_at`, session expiry) are the real instant, [`system_now`], whatever
//! the clock says: a fixed clock never back-dates what was written.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Utc};

/// The zone's time zone (Asia/Shanghai).
pub const ZONE_OFFSET_SECONDS: i32 = 8 * 3600;

/// The zone's time zone as a chrono offset.
pub fn zone_offset() -> FixedOffset {
    FixedOffset::east_opt(ZONE_OFFSET_SECONDS).expect("UTC+8 is a valid offset")
}

/// The real instant, for record stamps (audit lines, `created_at`, sessions).
pub fn system_now() -> DateTime<Utc> {
    Utc::now()
}

/// The zone's clock: real, or fixed at an instant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    fixed: Option<DateTime<Utc>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    /// A clock that always reads `at`.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock { fixed: Some(at) }
    }

    /// The system clock, unless `GAOXIN_NOW` (RFC 3339, e.g. `2026-01-01T06:00:00+08:00`, or a
    /// date `2026-01-01`, meaning its midnight in the zone) fixes it.
    pub fn from_env() -> Result<Clock, String> {
        match std::env::var("GAOXIN_NOW") {
            Ok(raw) if !raw.trim().is_empty() => Clock::parse(&raw).map(Clock::fixed),
            _ => Ok(Clock::system()),
        }
    }

    /// Reads an instant as `GAOXIN_NOW` gives it.
    pub fn parse(raw: &str) -> Result<DateTime<Utc>, String> {
        let raw = raw.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
            return Ok(t.with_timezone(&Utc));
        }
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| t.and_local_timezone(zone_offset()).single())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| format!("GAOXIN_NOW“{raw}”应为 2026-01-01T06:00:00+08:00 或 2026-01-01"))
    }

    pub fn is_fixed(&self) -> bool {
        self.fixed.is_some()
    }

    /// Now, as an instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.unwrap_or_else(system_now)
    }

    /// Now on the zone's wall clock.
    pub fn local_now(&self) -> NaiveDateTime {
        self.now().with_timezone(&zone_offset()).naive_local()
    }

    /// Today in the zone.
    pub fn today(&self) -> NaiveDate {
        self.local_now().date()
    }

    /// This year in the zone.
    pub fn year(&self) -> i32 {
        self.today().year()
    }
}

/// The zone's calendar day of an instant.
pub fn local_date(t: &DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&zone_offset()).date_naive()
}

/// An instant on the zone's wall clock, as pages and exports show it: `2026-01-01 06:00:00`.
pub fn datetime_text(t: &DateTime<Utc>) -> String {
    t.with_timezone(&zone_offset()).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// 序时进度: the share of `start..=due` elapsed by `today`, in whole percent (0–100).
pub fn expected_percent(start: NaiveDate, due: NaiveDate, today: NaiveDate) -> i32 {
    let total = (due - start).num_days();
    if total <= 0 {
        return if today >= due { 100 } else { 0 };
    }
    let elapsed = (today - start).num_days().clamp(0, total);
    (elapsed * 100 / total) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_eight_in_the_morning_it_is_already_the_new_year_in_the_zone() {
        let clock = Clock::fixed(Clock::parse("2026-01-01T06:00:00+08:00").unwrap());
        assert_eq!(clock.now().to_rfc3339(), "2025-12-31T22:00:00+00:00");
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(clock.year(), 2026);
        assert_eq!(datetime_text(&clock.now()), "2026-01-01 06:00:00");
    }

    #[test]
    fn a_date_alone_means_its_midnight_in_the_zone() {
        let at = Clock::parse("2026-03-01").unwrap();
        assert_eq!(local_date(&at), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        assert!(Clock::parse("3月1日").unwrap_err().contains("GAOXIN_NOW"));
    }

    #[test]
    fn expected_percent_is_the_elapsed_share() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(expected_percent(d(1, 1), d(12, 31), d(1, 1)), 0);
        assert_eq!(expected_percent(d(1, 1), d(12, 31), d(7, 1)), 49);
        assert_eq!(expected_percent(d(1, 1), d(12, 31), d(12, 31)), 100);
        assert_eq!(expected_percent(d(3, 1), d(3, 1), d(3, 1)), 100);
    }
}
