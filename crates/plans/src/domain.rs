//! The ledger's rules, pure: a task's status colour and why, a supervision order's escalation
//! with its dates, and matching the departments a plan names to the zone's department list.

use chrono::NaiveDate;
use gaoxin_core::clock::expected_percent;
use serde::Serialize;

use crate::status::TaskStatus;

/// Thresholds the zone configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    /// Blue: due within this many days.
    pub blue_days: i64,
    /// A supervision order turns red this many days after its deadline.
    pub red_after_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            blue_days: 15,
            red_after_days: 7,
        }
    }
}

/// A task's status colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    /// Overdue.
    Red,
    /// Behind the time-elapsed schedule (序时进度).
    Yellow,
    /// Due soon.
    Blue,
    /// On track.
    Normal,
    /// Done, confirmed.
    Green,
}

impl Colour {
    pub const ALL: [Colour; 5] = [Colour::Red, Colour::Yellow, Colour::Blue, Colour::Normal, Colour::Green];

    pub fn code(self) -> &'static str {
        match self {
            Colour::Red => "red",
            Colour::Yellow => "yellow",
            Colour::Blue => "blue",
            Colour::Normal => "normal",
            Colour::Green => "green",
        }
    }

    pub fn parse(code: &str) -> Option<Colour> {
        Colour::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The Chinese name used in the ledger and bulletins.
    pub fn name(self) -> &'static str {
        match self {
            Colour::Red => "红色（逾期）",
            Colour::Yellow => "黄色（滞后于序时进度）",
            Colour::Blue => "蓝色（临近时限）",
            Colour::Normal => "正常推进",
            Colour::Green => "绿色（已完成）",
        }
    }

    /// A supervision order's level as 督办 names it.
    pub fn order_label(self) -> &'static str {
        match self {
            Colour::Blue | Colour::Normal => "蓝色督办",
            Colour::Yellow => "黄色督办",
            Colour::Red => "红色督办",
            Colour::Green => "已办结",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Colour::Red => "逾期",
            Colour::Yellow => "滞后",
            Colour::Blue => "临期",
            Colour::Normal => "正常",
            Colour::Green => "完成",
        }
    }
}

/// What the colour is computed from.
#[derive(Debug, Clone, Copy)]
pub struct TaskState {
    pub start: NaiveDate,
    pub due: Option<NaiveDate>,
    pub percent: i32,
    pub status: TaskStatus,
    pub done_on: Option<NaiveDate>,
}

/// A colour with its reason in words and the expected percent by today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explained {
    pub colour: Colour,
    pub reason: String,
    /// 序时进度: the share of the period elapsed, in percent.
    pub expected_percent: Option<i32>,
}

/// The colour of a task today: green when its completion is confirmed; red when its due date
/// has passed; yellow when its percent complete is below the 序时进度; blue when it is due
/// within the zone's days; otherwise on track.
pub fn colour(task: &TaskState, today: NaiveDate, thresholds: &Thresholds) -> Explained {
    if task.status == TaskStatus::Confirmed {
        return Explained {
            colour: Colour::Green,
            reason: "已完成，经督查确认".into(),
            expected_percent: None,
        };
    }
    let expected = task.due.map(|due| expected_percent(task.start, due, today));
    if task.status == TaskStatus::Done {
        let late = match (task.due, task.done_on) {
            (Some(due), Some(done)) if done > due => format!("，晚于完成时限 {due}"),
            _ => String::new(),
        };
        return Explained {
            colour: Colour::Normal,
            reason: format!("牵头部门已报完成{late}，待督查确认"),
            expected_percent: expected,
        };
    }
    let Some(due) = task.due else {
        return Explained {
            colour: Colour::Normal,
            reason: "没有完成时限（持续推进），按进展跟踪".into(),
            expected_percent: None,
        };
    };
    let expected = expected.unwrap_or(0);
    if today > due {
        return Explained {
            colour: Colour::Red,
            reason: format!(
                "逾期 {} 天：完成时限 {due}，已完成 {}%",
                (today - due).num_days(),
                task.percent
            ),
            expected_percent: Some(100),
        };
    }
    if task.percent < expected {
        return Explained {
            colour: Colour::Yellow,
            reason: format!(
                "滞后于序时进度：{} 至 {due} 已过 {expected}%，已完成 {}%",
                task.start, task.percent
            ),
            expected_percent: Some(expected),
        };
    }
    let left = (due - today).num_days();
    if left <= thresholds.blue_days {
        return Explained {
            colour: Colour::Blue,
            reason: format!(
                "距完成时限 {due} 还有 {left} 天（{} 天内为临期），已完成 {}%",
                thresholds.blue_days, task.percent
            ),
            expected_percent: Some(expected),
        };
    }
    Explained {
        colour: Colour::Normal,
        reason: format!("正常推进：序时进度 {expected}%，已完成 {}%", task.percent),
        expected_percent: Some(expected),
    }
}

/// A supervision order's level, and the day each level began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escalation {
    pub level: Colour,
    /// (level, from) in order: blue from the day issued, yellow from the day after the
    /// deadline, red `red_after_days` later; a closed order stops where it was.
    pub steps: Vec<(Colour, NaiveDate)>,
}

pub fn escalation(
    issued: NaiveDate,
    deadline: NaiveDate,
    closed_on: Option<NaiveDate>,
    today: NaiveDate,
    thresholds: &Thresholds,
) -> Escalation {
    let until = closed_on.unwrap_or(today);
    let yellow_from = deadline.succ_opt().unwrap_or(deadline);
    let red_from = yellow_from + chrono::Duration::days(thresholds.red_after_days);
    let mut steps = vec![(Colour::Blue, issued)];
    if until >= yellow_from {
        steps.push((Colour::Yellow, yellow_from));
    }
    if until >= red_from {
        steps.push((Colour::Red, red_from));
    }
    let level = if closed_on.is_some() {
        Colour::Green
    } else {
        steps.last().map_or(Colour::Blue, |s| s.0)
    };
    Escalation { level, steps }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, day).unwrap()
    }

    fn state(percent: i32, status: TaskStatus) -> TaskState {
        TaskState {
            start: d(1, 1),
            due: Some(d(12, 31)),
            percent,
            status,
            done_on: None,
        }
    }

    #[test]
    fn colours_and_their_reasons() {
        let t = Thresholds::default();
        let c = colour(&state(60, TaskStatus::Open), d(7, 1), &t);
        assert_eq!(c.colour, Colour::Normal);
        assert_eq!(c.expected_percent, Some(49));
        let c = colour(&state(30, TaskStatus::Open), d(7, 1), &t);
        assert_eq!(c.colour, Colour::Yellow);
        assert_eq!(
            c.reason,
            "滞后于序时进度：2024-01-01 至 2024-12-31 已过 49%，已完成 30%"
        );
        let c = colour(&state(99, TaskStatus::Open), d(12, 20), &t);
        assert_eq!(c.colour, Colour::Blue);
        assert!(c.reason.contains("还有 11 天"));
        let c = colour(
            &state(99, TaskStatus::Open),
            NaiveDate::from_ymd_opt(2025, 1, 3).unwrap(),
            &t,
        );
        assert_eq!(c.colour, Colour::Red);
        assert!(c.reason.starts_with("逾期 3 天"));
        assert_eq!(
            colour(&state(100, TaskStatus::Confirmed), d(7, 1), &t).colour,
            Colour::Green
        );
        assert_eq!(
            colour(&state(100, TaskStatus::Done), d(7, 1), &t).colour,
            Colour::Normal
        );
    }

    #[test]
    fn supervision_escalates_with_dates() {
        let t = Thresholds::default();
        let e = escalation(d(3, 1), d(3, 15), None, d(3, 10), &t);
        assert_eq!(e.level, Colour::Blue);
        let e = escalation(d(3, 1), d(3, 15), None, d(3, 16), &t);
        assert_eq!(e.steps, vec![(Colour::Blue, d(3, 1)), (Colour::Yellow, d(3, 16))]);
        let e = escalation(d(3, 1), d(3, 15), None, d(3, 23), &t);
        assert_eq!(e.level, Colour::Red);
        assert_eq!(e.steps[2], (Colour::Red, d(3, 23)));
        let e = escalation(d(3, 1), d(3, 15), Some(d(3, 18)), d(4, 30), &t);
        assert_eq!(e.level, Colour::Green);
        assert_eq!(e.steps.len(), 2);
    }
}
