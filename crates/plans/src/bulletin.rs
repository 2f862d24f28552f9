//! The monthly 督查通报: counts by status colour as of the month's end, tasks completed in the
//! month, the overdue list with lead departments, the departments ranked, and supervision
//! orders. Built from plain values (pure), then written as .docx.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::domain::{self, Colour, TaskState, Thresholds};
use super::status::TaskStatus;

/// A task as the bulletin sees it on its day.
#[derive(Debug, Clone)]
pub struct TaskFacts {
    pub reference: String,
    pub plan: String,
    pub text: String,
    pub lead: Vec<String>,
    pub start: NaiveDate,
    pub due: Option<NaiveDate>,
    /// Percent complete reported by the day.
    pub percent: i32,
    pub done_on: Option<NaiveDate>,
    pub confirmed_on: Option<NaiveDate>,
}

/// A supervision order as the bulletin sees it.
#[derive(Debug, Clone)]
pub struct OrderFacts {
    pub task: String,
    pub lead: Vec<String>,
    pub issued_on: NaiveDate,
    pub deadline: NaiveDate,
    pub closed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Overdue {
    #[serde(rename = "ref")]
    pub reference: String,
    pub plan: String,
    pub text: String,
    pub lead: String,
    pub due_date: NaiveDate,
    pub days_overdue: i64,
    pub percent: i32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DepartmentRow {
    pub rank: usize,
    pub department: String,
    pub tasks: usize,
    pub green: usize,
    pub on_track: usize,
    pub yellow: usize,
    pub red: usize,
    /// (green + on track) / tasks, percent with one decimal.
    pub rate: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bulletin {
    pub year: i32,
    pub month: u32,
    pub as_of: NaiveDate,
    pub total: usize,
    /// Tasks per colour code (red, yellow, blue, normal, green).
    pub counts: BTreeMap<String, usize>,
    pub completed_this_month: Vec<String>,
    pub overdue: Vec<Overdue>,
    pub departments: Vec<DepartmentRow>,
    pub orders_issued: usize,
    pub orders_closed: usize,
    pub orders_open: usize,
    pub orders_red: Vec<String>,
}

pub fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

pub fn build(
    year: i32,
    month: u32,
    today: NaiveDate,
    tasks: &[TaskFacts],
    orders: &[OrderFacts],
    thresholds: &Thresholds,
) -> Option<Bulletin> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let as_of = month_end(year, month)?.min(today);
    let in_month = |d: Option<NaiveDate>| d.is_some_and(|d| d >= first && d <= as_of);
    let mut counts: BTreeMap<String, usize> = Colour::ALL.iter().map(|c| (c.code().to_string(), 0)).collect();
    let mut overdue = Vec::new();
    let mut completed = Vec::new();
    let mut per_department: BTreeMap<String, [usize; 5]> = BTreeMap::new();
    let mut total = 0;
    for t in tasks.iter().filter(|t| t.start <= as_of) {
        total += 1;
        let status = match (t.confirmed_on, t.done_on) {
            (Some(c), _) if c <= as_of => TaskStatus::Confirmed,
            (_, Some(d)) if d <= as_of => TaskStatus::Done,
            _ => TaskStatus::Open,
        };
        let colour = domain::colour(
            &TaskState {
                start: t.start,
                due: t.due,
                percent: t.percent,
                status,
                done_on: t.done_on,
            },
            as_of,
            thresholds,
        )
        .colour;
        *counts.entry(colour.code().to_string()).or_default() += 1;
        if in_month(t.confirmed_on) {
            completed.push(format!("{} {}", t.reference, short(&t.text)));
        }
        if colour == Colour::Red
            && let Some(due) = t.due
        {
            overdue.push(Overdue {
                reference: t.reference.clone(),
                plan: t.plan.clone(),
                text: short(&t.text),
                lead: t.lead.join("、"),
                due_date: due,
                days_overdue: (as_of - due).num_days(),
                percent: t.percent,
            });
        }
        for lead in &t.lead {
            let row = per_department.entry(lead.clone()).or_default();
            row[0] += 1;
            match colour {
                Colour::Green => row[1] += 1,
                Colour::Normal | Colour::Blue => row[2] += 1,
                Colour::Yellow => row[3] += 1,
                Colour::Red => row[4] += 1,
            }
        }
    }
    overdue.sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then(a.reference.cmp(&b.reference)));
    // Ranked by the share green or on track (per mille, rounded half up), then fewer red, then name.
    let mut departments: Vec<(String, [usize; 5], usize)> = per_department
        .into_iter()
        .map(|(name, r)| (name, r, ((r[1] + r[2]) * 2000 + r[0]) / (2 * r[0].max(1))))
        .collect();
    departments.sort_by(|a, b| b.2.cmp(&a.2).then(a.1[4].cmp(&b.1[4])).then(a.0.cmp(&b.0)));
    let mut rows = Vec::new();
    let mut rank = 0;
    let mut previous: Option<(usize, usize)> = None;
    for (i, (name, r, permille)) in departments.into_iter().enumerate() {
        if previous != Some((permille, r[4])) {
            rank = i + 1;
        }
        previous = Some((permille, r[4]));
        rows.push(DepartmentRow {
            rank,
            department: name,
            tasks: r[0],
            green: r[1],
            on_track: r[2],
            yellow: r[3],
            red: r[4],
            rate: format!("{}.{}%", permille / 10, permille % 10),
        });
    }
    let live: Vec<&OrderFacts> = orders.iter().filter(|o| o.issued_on <= as_of).collect();
    let orders_red = live
        .iter()
        .filter(|o| o.closed_on.is_none_or(|c| c > as_of))
        .filter(|o| domain::escalation(o.issued_on, o.deadline, None, as_of, thresholds).level == Colour::Red)
        .map(|o| format!("{}（{}，办理时限 {}）", short(&o.task), o.lead.join("、"), o.deadline))
        .collect();
    Some(Bulletin {
        year,
        month,
        as_of,
        total,
        counts,
        completed_this_month: completed,
        overdue,
        departments: rows,
        orders_issued: live.iter().filter(|o| in_month(Some(o.issued_on))).count(),
        orders_closed: live.iter().filter(|o| in_month(o.closed_on)).count(),
        orders_open: live.iter().filter(|o| o.closed_on.is_none_or(|c| c > as_of)).count(),
        orders_red,
    })
}

/// A task's text cut to its first sentence (at most 40 characters) for lists.
pub fn short(text: &str) -> String {
    let first = text.split(['。', '\n']).next().unwrap_or(text);
    let mut s: String = first.chars().take(40).collect();
    if first.chars().count() > 40 {
        s.push('…');
    }
    s
}

/// The bulletin as a Word document.
pub fn to_docx(b: &Bulletin, zone: &str) -> std::io::Result<Vec<u8>> {
    let count = |c: Colour| b.counts.get(c.code()).copied().unwrap_or(0);
    let mut doc = gaoxin_platform::docx::Document::new()
        .title(format!("{zone}重点工作督查通报"))
        .right(format!("（{}年第{}期）", b.year, b.month))
        .heading("一、总体情况")
        .paragraph(format!(
            "截至{}年{}月{}日，纳入台账管理的重点工作任务共{}项：已完成{}项，正常推进{}项，临近时限{}项，滞后于序时进度{}项，逾期未完成{}项。本月确认完成{}项。",
            b.as_of.year(),
            b.as_of.month(),
            b.as_of.day(),
            b.total,
            count(Colour::Green),
            count(Colour::Normal),
            count(Colour::Blue),
            count(Colour::Yellow),
            count(Colour::Red),
            b.completed_this_month.len()
        ))
        .paragraph(format!(
            "本月下发督办单{}份，办结{}份，尚未办结{}份，其中升级为红色督办{}份。",
            b.orders_issued,
            b.orders_closed,
            b.orders_open,
            b.orders_red.len()
        ))
        .heading("二、逾期未完成任务");
    if b.overdue.is_empty() {
        doc = doc.paragraph("本月无逾期未完成任务。");
    } else {
        doc = doc.table(
            [
                "序号",
                "任务编号",
                "工作任务",
                "牵头部门",
                "完成时限",
                "逾期天数",
                "完成比例",
            ]
            .map(String::from)
            .to_vec(),
            b.overdue
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    vec![
                        (i + 1).to_string(),
                        o.reference.clone(),
                        o.text.clone(),
                        o.lead.clone(),
                        o.due_date.to_string(),
                        o.days_overdue.to_string(),
                        format!("{}%", o.percent),
                    ]
                })
                .collect(),
        );
    }
    doc = doc.heading("三、部门推进情况排名").table(
        [
            "名次",
            "牵头部门",
            "牵头任务",
            "已完成",
            "正常推进",
            "滞后",
            "逾期",
            "推进率",
        ]
        .map(String::from)
        .to_vec(),
        b.departments
            .iter()
            .map(|d| {
                vec![
                    d.rank.to_string(),
                    d.department.clone(),
                    d.tasks.to_string(),
                    d.green.to_string(),
                    d.on_track.to_string(),
                    d.yellow.to_string(),
                    d.red.to_string(),
                    d.rate.clone(),
                ]
            })
            .collect(),
    );
    if !b.orders_red.is_empty() {
        doc = doc.heading("四、红色督办事项");
        for (i, o) in b.orders_red.iter().enumerate() {
            doc = doc.paragraph(format!("{}. {o}", i + 1));
        }
    }
    if !b.completed_this_month.is_empty() {
        doc = doc.heading(if b.orders_red.is_empty() {
            "四、本月完成任务"
        } else {
            "五、本月完成任务"
        });
        for (i, t) in b.completed_this_month.iter().enumerate() {
            doc = doc.paragraph(format!("{}. {t}", i + 1));
        }
    }
    doc.paragraph("请各牵头部门对照逾期和滞后事项，逐项分析原因、明确措施，加快推进，并于下月5日前报送整改情况。")
        .right(format!("{zone}督查室"))
        .right(format!("{}年{}月{}日", b.as_of.year(), b.as_of.month(), b.as_of.day()))
        .to_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, day).unwrap()
    }

    fn task(reference: &str, lead: &str, due: NaiveDate, percent: i32, confirmed: Option<NaiveDate>) -> TaskFacts {
        TaskFacts {
            reference: reference.into(),
            plan: "方案".into(),
            text: format!("任务{reference}。说明"),
            lead: vec![lead.into()],
            start: d(1, 1),
            due: Some(due),
            percent,
            done_on: confirmed,
            confirmed_on: confirmed,
        }
    }

    #[test]
    fn counts_overdue_and_ranking() {
        let tasks = vec![
            task("1", "科技局", d(5, 31), 80, None),
            task("2", "科技局", d(12, 31), 60, None),
            task("3", "财政局", d(6, 30), 100, Some(d(6, 20))),
            task("4", "财政局", d(12, 31), 10, None),
        ];
        let orders = vec![OrderFacts {
            task: "任务1".into(),
            lead: vec!["科技局".into()],
            issued_on: d(6, 1),
            deadline: d(6, 10),
            closed_on: None,
        }];
        let b = build(2024, 6, d(12, 1), &tasks, &orders, &Thresholds::default()).unwrap();
        assert_eq!(b.as_of, d(6, 30));
        assert_eq!(b.total, 4);
        assert_eq!(b.counts["red"], 1);
        assert_eq!(b.counts["green"], 1);
        assert_eq!(b.counts["yellow"], 1, "task 4: 10% against 49%");
        assert_eq!(b.counts["normal"], 1);
        assert_eq!(b.overdue[0].reference, "1");
        assert_eq!(b.overdue[0].days_overdue, 30);
        assert_eq!(b.completed_this_month, vec!["3 任务3"]);
        // Both at 50.0%; 财政局 has no red task, so it ranks first.
        assert_eq!(b.departments[0].department, "财政局");
        assert_eq!(b.departments[0].rate, "50.0%");
        assert_eq!(
            (
                b.departments[1].department.as_str(),
                b.departments[1].rank,
                b.departments[1].red
            ),
            ("科技局", 2, 1)
        );
        assert_eq!((b.orders_issued, b.orders_open, b.orders_red.len()), (1, 1, 1));
        let text = String::from_utf8_lossy(&to_docx(&b, "测试高新区").unwrap()).len();
        assert!(text > 1000);
    }
}
