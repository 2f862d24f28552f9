//! What the project views compute from a zone's project book (one read of its projects,
//! transitions, problems and monthly figures): each project's line (stage, stalled or not and
//! why, problems), the pipeline board, the book as it stood on a day, the quarter's site-visit
//! list and the facts the half-year scores need. The monthly bulletin's facts are in
//! `bulletin`, the yearly targets against 序时进度 in `targets`, the 达产 check against the
//! 标准地 contract in `capacity`. Pure: no web framework, no database.

mod bulletin;
mod capacity;
mod targets;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use super::entities::{cooperation, monthly, problem, project, transition};
use super::status::{Milestone, ProblemStatus};
use gaoxin_rules::project_rules::{self, ProblemFacts, ProblemState, ProjectFacts, Rulebook};

pub use bulletin::{BehindLine, Bulletin, DepartmentCounts, MovedLine};
pub use capacity::{CapacityCheck, capacity_check};
pub use targets::{TargetLine, expected_percent};

pub type Project = project::Model;
pub type Problem = problem::Model;
pub type Transition = transition::Model;
pub type Monthly = monthly::Model;

/// 万元 as text from fen (`12500.5`).
pub fn wan(fen: i64) -> String {
    gaoxin_core::quantity::Fixed::<6>(fen).to_string()
}

pub fn wan_opt(fen: Option<i64>) -> String {
    fen.map(wan).unwrap_or_default()
}

/// 亿元 with two decimals from fen (boards and lists; explanations use `project_rules::yi_text`).
pub fn yi(fen: i64) -> String {
    (Decimal::from(fen) / Decimal::from(10_000_000_000_i64))
        .round_dp(2)
        .normalize()
        .to_string()
}

/// A zone's projects and everything the views compute from.
#[derive(Debug, Clone)]
pub struct Book {
    pub rules: Rulebook,
    /// False when the zone has loaded no rulebook and the shipped example is in use.
    pub rules_loaded: bool,
    pub projects: Vec<Project>,
    pub departments: HashMap<i64, String>,
    pub carriers: HashMap<i64, String>,
    pub cooperation: Vec<cooperation::Model>,
    /// Oldest first.
    pub transitions: Vec<Transition>,
    pub problems: Vec<Problem>,
    pub monthly: Vec<Monthly>,
}

/// A problem with its state today.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemLine {
    pub problem: Problem,
    pub project_code: String,
    pub project_name: String,
    pub leader: String,
    pub lead_name: String,
    pub cooperating: Vec<String>,
    pub cooperating_ids: Vec<i64>,
    pub state: ProblemState,
    pub reason: String,
}

impl ProblemLine {
    /// The stored status: open or resolved.
    pub fn status(&self) -> Option<ProblemStatus> {
        ProblemStatus::of(&self.problem.status)
    }
    pub fn state_name(&self) -> &'static str {
        self.state.name()
    }
    pub fn css(&self) -> &'static str {
        self.state.css()
    }
    pub fn cooperating_names(&self) -> String {
        self.cooperating.join("、")
    }
}

/// A project with what lists show beside it.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectLine {
    pub project: Project,
    pub stage_name: String,
    pub stage_position: usize,
    pub lead_name: String,
    pub cooperating: Vec<String>,
    pub cooperating_ids: Vec<i64>,
    pub carrier: String,
    pub major: bool,
    /// Why the project is flagged as stalled, if it is.
    pub stalled: Option<String>,
    pub open_problems: usize,
    pub overdue_problems: usize,
}

impl ProjectLine {
    pub fn total_wan(&self) -> String {
        wan(self.project.total_investment)
    }
    pub fn cooperating_names(&self) -> String {
        self.cooperating.join("、")
    }
    pub fn is_stalled(&self) -> bool {
        self.stalled.is_some()
    }
    pub fn stalled_text(&self) -> String {
        self.stalled.clone().unwrap_or_default()
    }
}

/// One column of the pipeline board.
#[derive(Debug, Clone, Serialize)]
pub struct StageColumn {
    pub key: String,
    pub name: String,
    pub count: usize,
    pub major: usize,
    /// Fen.
    pub amount: i64,
    pub stalled: usize,
}

impl StageColumn {
    pub fn amount_yi(&self) -> String {
        yi(self.amount)
    }
}

impl Book {
    pub fn department(&self, id: Option<i64>) -> String {
        id.and_then(|i| self.departments.get(&i).cloned()).unwrap_or_default()
    }

    fn cooperating_of(&self, project_id: i64, problem_id: Option<i64>) -> (Vec<String>, Vec<i64>) {
        let ids: Vec<i64> = self
            .cooperation
            .iter()
            .filter(|c| c.project_id == project_id && c.problem_id == problem_id)
            .map(|c| c.department_id)
            .collect();
        (ids.iter().map(|i| self.department(Some(*i))).collect(), ids)
    }

    pub fn project(&self, id: i64) -> Option<&Project> {
        self.projects.iter().find(|p| p.id == id)
    }

    pub fn problem_line(&self, q: &Problem, today: NaiveDate) -> ProblemLine {
        let p = self.project(q.project_id);
        let leader = p.map(|p| p.leader.clone()).unwrap_or_default();
        let (state, reason) =
            project_rules::problem_state(&self.rules.problems, q.deadline, q.resolved_on, &leader, today);
        let (cooperating, cooperating_ids) = self.cooperating_of(q.project_id, Some(q.id));
        ProblemLine {
            problem: q.clone(),
            project_code: p.map(|p| p.code.clone()).unwrap_or_default(),
            project_name: p.map(|p| p.name.clone()).unwrap_or_default(),
            leader,
            lead_name: self.department(Some(q.lead_department_id)),
            cooperating,
            cooperating_ids,
            state,
            reason,
        }
    }

    /// Problems newest first.
    pub fn problem_lines(&self, today: NaiveDate) -> Vec<ProblemLine> {
        let mut out: Vec<ProblemLine> = self.problems.iter().map(|q| self.problem_line(q, today)).collect();
        out.sort_by(|a, b| {
            b.problem
                .raised_on
                .cmp(&a.problem.raised_on)
                .then(b.problem.id.cmp(&a.problem.id))
        });
        out
    }

    pub fn line(&self, p: &Project, today: NaiveDate) -> ProjectLine {
        let (cooperating, cooperating_ids) = self.cooperating_of(p.id, None);
        let problems: Vec<ProblemLine> = self
            .problems
            .iter()
            .filter(|q| q.project_id == p.id)
            .map(|q| self.problem_line(q, today))
            .collect();
        ProjectLine {
            stage_name: self.rules.stage_name(&p.stage),
            stage_position: self.rules.position(&p.stage),
            lead_name: self.department(p.lead_department_id),
            cooperating,
            cooperating_ids,
            carrier: p
                .carrier_id
                .and_then(|c| self.carriers.get(&c).cloned())
                .unwrap_or_default(),
            major: self.rules.is_major(p.total_investment),
            stalled: self.rules.stalled(&p.stage, p.stage_since, today),
            open_problems: problems.iter().filter(|q| q.state != ProblemState::Resolved).count(),
            overdue_problems: problems.iter().filter(|q| q.state.is_overdue()).count(),
            project: p.clone(),
        }
    }

    pub fn lines(&self, today: NaiveDate) -> Vec<ProjectLine> {
        self.projects.iter().map(|p| self.line(p, today)).collect()
    }

    /// The pipeline board: one column per stage, in the rulebook's order.
    pub fn board(&self, lines: &[ProjectLine]) -> Vec<StageColumn> {
        self.rules
            .stages
            .iter()
            .map(|s| {
                let in_stage: Vec<&ProjectLine> = lines.iter().filter(|l| l.project.stage == s.key).collect();
                StageColumn {
                    key: s.key.clone(),
                    name: s.name.clone(),
                    count: in_stage.len(),
                    major: in_stage.iter().filter(|l| l.major).count(),
                    amount: in_stage.iter().map(|l| l.project.total_investment).sum(),
                    stalled: in_stage.iter().filter(|l| l.stalled.is_some()).count(),
                }
            })
            .collect()
    }

    /// The date a project entered the stage the rulebook marks with `milestone`, if it has.
    pub fn reached_on(&self, project_id: i64, milestone: Milestone) -> Option<NaiveDate> {
        let key = &self.rules.counting(milestone.code()).key;
        let at = self.rules.position(key);
        self.transitions
            .iter()
            .filter(|t| t.project_id == project_id && self.rules.position(&t.to_stage) >= at)
            .map(|t| t.on_date)
            .min()
    }

    /// Investment completed (fen) by a project in months `from..=to` (`YYYY-MM`).
    pub fn investment_between(&self, project_id: i64, from: &str, to: &str) -> i64 {
        self.monthly
            .iter()
            .filter(|m| m.project_id == project_id && m.month.as_str() >= from && m.month.as_str() <= to)
            .filter_map(|m| m.investment)
            .sum()
    }

    /// The score facts of a period.
    pub fn score_facts(&self, from: NaiveDate, to: NaiveDate) -> (Vec<ProjectFacts>, Vec<ProblemFacts>) {
        let within = |d: Option<NaiveDate>| d.is_some_and(|d| d >= from && d <= to);
        let (m0, m1) = (month_key(from), month_key(to));
        let projects = self
            .projects
            .iter()
            .map(|p| ProjectFacts {
                code: p.code.clone(),
                name: p.name.clone(),
                department: p.lead_department_id.map(|d| self.department(Some(d))),
                officer: p.officer.clone(),
                total_investment: p.total_investment,
                signed_in_period: within(self.reached_on(p.id, Milestone::Signed)),
                started_in_period: within(self.reached_on(p.id, Milestone::Started)),
                producing_in_period: within(self.reached_on(p.id, Milestone::Producing)),
                investment_in_period: self.investment_between(p.id, &m0, &m1),
            })
            .collect();
        let problems = self
            .problems
            .iter()
            .filter(|q| q.raised_on <= to)
            .map(|q| ProblemFacts {
                project: self.project(q.project_id).map(|p| p.name.clone()).unwrap_or_default(),
                title: q.title.clone(),
                department: Some(self.department(Some(q.lead_department_id))),
                deadline: q.deadline,
                resolved_on: q.resolved_on,
            })
            .collect();
        (projects, problems)
    }
}

pub fn month_key(d: NaiveDate) -> String {
    format!("{}-{:02}", d.year(), d.month())
}

/// The first and last day of a `YYYY-MM` month.
pub fn month_bounds(month: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let bad = || format!("月份“{month}”应写作 2026-11");
    let (y, m) = month.trim().split_once('-').ok_or_else(bad)?;
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let first = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    }
    .ok_or_else(bad)?;
    Ok((first, next.pred_opt().ok_or_else(bad)?))
}

/// The share of the year elapsed by `day` (序时进度), in whole percent.
pub fn year_elapsed_percent(day: NaiveDate) -> i64 {
    let days = if NaiveDate::from_ymd_opt(day.year(), 2, 29).is_some() {
        366
    } else {
        365
    };
    (day.ordinal() as i64 * 100) / days
}

impl Book {
    /// The book as it stood at the end of `as_of`: projects created by then, at the stage their
    /// transitions had reached, problems raised by then and resolved only if resolved by then.
    pub fn as_of(&self, as_of: NaiveDate) -> Book {
        let mut book = self.clone();
        book.transitions.retain(|t| t.on_date <= as_of);
        book.projects.retain(|p| {
            gaoxin_core::clock::local_date(&p.created_at) <= as_of
                || book.transitions.iter().any(|t| t.project_id == p.id)
        });
        for p in &mut book.projects {
            if let Some(t) = book
                .transitions
                .iter()
                .filter(|t| t.project_id == p.id)
                .max_by_key(|t| (t.on_date, t.id))
            {
                p.stage = t.to_stage.clone();
                p.stage_since = t.on_date;
            }
        }
        book.problems.retain(|q| q.raised_on <= as_of);
        for q in &mut book.problems {
            if q.resolved_on.is_some_and(|r| r > as_of) {
                q.resolved_on = None;
                q.status = ProblemStatus::Open.code().into();
            }
        }
        book
    }

    /// The quarter's site-visit list: projects at or past the rule's stage and at or above its
    /// amount, most advanced first, then largest; at most `count`.
    pub fn visits(&self, today: NaiveDate) -> Vec<(ProjectLine, String)> {
        let v = &self.rules.visit;
        let from = self.rules.position(&v.from_stage);
        let min = v.min_investment * Decimal::from(1_000_000);
        let mut lines: Vec<ProjectLine> = self
            .lines(today)
            .into_iter()
            .filter(|l| l.stage_position >= from && Decimal::from(l.project.total_investment) >= min)
            .collect();
        lines.sort_by(|a, b| {
            b.project
                .total_investment
                .cmp(&a.project.total_investment)
                .then(b.stage_position.cmp(&a.stage_position))
                .then(a.project.code.cmp(&b.project.code))
        });
        lines.truncate(v.count);
        lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let why = format!(
                    "第 {} 位：{}阶段（{}及以后），总投资 {} 亿元（不低于 {} 万元），按总投资从大到小取前 {} 个",
                    i + 1,
                    l.stage_name,
                    self.rules.stage_name(&v.from_stage),
                    yi(l.project.total_investment),
                    v.min_investment,
                    v.count
                );
                (l, why)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_bounds_and_elapsed() {
        let (a, b) = month_bounds("2026-02").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2026-02-01".into(), "2026-02-28".into())
        );
        assert!(month_bounds("2026/02").is_err());
        assert_eq!(
            year_elapsed_percent(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
            100
        );
        assert_eq!(year_elapsed_percent(NaiveDate::from_ymd_opt(2026, 7, 2).unwrap()), 50);
    }
}
