//! The monthly bulletin's facts (一月一通报), as of the month's end or as of today while the
//! month runs: projects per stage, the month's stage moves, projects behind their plan, overdue
//! and resolved problems, each lead department's counts, stalled projects. The .docx and .xlsx
//! are written from these by the crate's `bulletin` module. Pure: no web framework, no database.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use super::{Book, ProblemLine, ProjectLine, StageColumn, month_bounds, wan, year_elapsed_percent};
use crate::status::Milestone;
use gaoxin_rules::project_rules::ProblemState;

/// A transition in the bulletin.
#[derive(Debug, Clone, Serialize)]
pub struct MovedLine {
    pub code: String,
    pub name: String,
    pub from: String,
    pub to: String,
    pub on: NaiveDate,
    pub evidence: String,
}

/// A project behind its plan.
#[derive(Debug, Clone, Serialize)]
pub struct BehindLine {
    pub code: String,
    pub name: String,
    pub department: String,
    pub stage: String,
    pub reasons: Vec<String>,
}

impl BehindLine {
    pub fn reasons_text(&self) -> String {
        self.reasons.join("；")
    }
}

/// A department's counts in the bulletin.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DepartmentCounts {
    pub name: String,
    pub projects: usize,
    pub moved: usize,
    pub problems_open: usize,
    pub problems_overdue: usize,
    pub problems_resolved: usize,
}

/// The monthly bulletin (一月一通报) as of the month's end.
#[derive(Debug, Clone, Serialize)]
pub struct Bulletin {
    pub month: String,
    pub as_of: NaiveDate,
    pub rulebook: String,
    pub stages: Vec<StageColumn>,
    pub total: usize,
    pub moved: Vec<MovedLine>,
    pub behind: Vec<BehindLine>,
    pub overdue: Vec<ProblemLine>,
    pub resolved: Vec<ProblemLine>,
    pub departments: Vec<DepartmentCounts>,
    pub stalled: Vec<(String, String, String, String)>,
}

impl Book {
    /// The bulletin of a month as of its end.
    pub fn bulletin(&self, month: &str) -> Result<Bulletin, String> {
        self.bulletin_at(month, NaiveDate::MAX)
    }

    /// The bulletin of a month as of its end, or as of `today` while the month runs.
    pub fn bulletin_at(&self, month: &str, today: NaiveDate) -> Result<Bulletin, String> {
        let (first, end) = month_bounds(month)?;
        if first > today {
            return Err(format!("{month} 还没有开始"));
        }
        let last = end.min(today);
        let book = self.as_of(last);
        let lines = book.lines(last);
        let moved = book.moved_between(first, last);
        let behind = lines.iter().filter_map(|l| book.behind(l, month, last)).collect();
        let problems = book.problem_lines(last);
        let overdue: Vec<ProblemLine> = problems.iter().filter(|q| q.state.is_overdue()).cloned().collect();
        let resolved: Vec<ProblemLine> = problems
            .iter()
            .filter(|q| q.problem.resolved_on.is_some_and(|r| r >= first && r <= last))
            .cloned()
            .collect();
        let departments = department_counts(&lines, &moved, &problems, first);
        let stalled = lines
            .iter()
            .filter_map(|l| {
                l.stalled.as_ref().map(|s| {
                    (
                        l.project.code.clone(),
                        l.project.name.clone(),
                        l.project.leader.clone(),
                        s.clone(),
                    )
                })
            })
            .collect();
        Ok(Bulletin {
            month: month.to_string(),
            as_of: last,
            rulebook: format!("{}（版本 {}）", book.rules.name, &book.rules.version[..12]),
            stages: book.board(&lines),
            total: lines.len(),
            moved,
            behind,
            overdue,
            resolved,
            departments,
            stalled,
        })
    }

    /// The stage moves made from `first` to `last`, oldest first.
    fn moved_between(&self, first: NaiveDate, last: NaiveDate) -> Vec<MovedLine> {
        let rules = &self.rules;
        self.transitions
            .iter()
            .filter(|t| t.on_date >= first && t.on_date <= last)
            .filter_map(|t| {
                let p = self.project(t.project_id)?;
                Some(MovedLine {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    from: t.from_stage.as_deref().map(|s| rules.stage_name(s)).unwrap_or_default(),
                    to: rules.stage_name(&t.to_stage),
                    on: t.on_date,
                    evidence: t.evidence.clone(),
                })
            })
            .collect()
    }

    /// Why a project is behind its plan by `last` (None: it is not): not started or not
    /// producing by the planned date, or the year's investment below 序时进度.
    fn behind(&self, l: &ProjectLine, month: &str, last: NaiveDate) -> Option<BehindLine> {
        let rules = &self.rules;
        let p = &l.project;
        let mut reasons = Vec::new();
        if let Some(d) = p.planned_start
            && d <= last
            && !rules.reached(&p.stage, Milestone::Started.code())
        {
            reasons.push(format!("计划 {d} 开工，至今未开工"));
        }
        if let Some(d) = p.planned_production
            && d <= last
            && !rules.reached(&p.stage, Milestone::Producing.code())
        {
            reasons.push(format!("计划 {d} 投产，至今未投产"));
        }
        if let Some(plan) = p.planned_investment
            && plan > 0
            && rules.reached(&p.stage, Milestone::Started.code())
        {
            let elapsed = year_elapsed_percent(last);
            let done = self.investment_between(p.id, &format!("{}-01", last.year()), month);
            let rate = (Decimal::from(done) * Decimal::from(100) / Decimal::from(plan)).round_dp(1);
            if rate < Decimal::from(elapsed) {
                reasons.push(format!(
                    "年度投资完成 {} 万元 / 计划 {} 万元 = {rate}%，低于序时进度 {elapsed}%",
                    wan(done),
                    wan(plan)
                ));
            }
        }
        (!reasons.is_empty()).then(|| BehindLine {
            code: p.code.clone(),
            name: p.name.clone(),
            department: l.lead_name.clone(),
            stage: l.stage_name.clone(),
            reasons,
        })
    }
}

/// Each lead department's projects, stage moves and problems, by name: a project counts for
/// its lead department (when it has one), a problem for the department leading it.
fn department_counts(
    lines: &[ProjectLine],
    moved: &[MovedLine],
    problems: &[ProblemLine],
    first: NaiveDate,
) -> Vec<DepartmentCounts> {
    fn counts<'a>(m: &'a mut BTreeMap<String, DepartmentCounts>, name: &str) -> &'a mut DepartmentCounts {
        m.entry(name.to_string()).or_insert_with(|| DepartmentCounts {
            name: name.to_string(),
            ..Default::default()
        })
    }
    let mut departments: BTreeMap<String, DepartmentCounts> = BTreeMap::new();
    for l in lines.iter().filter(|l| !l.lead_name.is_empty()) {
        let d = counts(&mut departments, &l.lead_name);
        d.projects += 1;
        d.moved += moved.iter().filter(|m| m.code == l.project.code).count();
    }
    for q in problems {
        let d = counts(&mut departments, &q.lead_name);
        if q.state == ProblemState::Resolved {
            if q.problem.resolved_on.is_some_and(|r| r >= first) {
                d.problems_resolved += 1;
            }
        } else {
            d.problems_open += 1;
            if q.state.is_overdue() {
                d.problems_overdue += 1;
            }
        }
    }
    departments.into_values().collect()
}
