//! What the project views compute from a zone's project book (one read of its projects,
//! transitions, problems and monthly figures): each project's line (stage, stalled or not and
//! why, problems), the pipeline board, the monthly bulletin's facts, the quarter's site-visit
//! list, the yearly targets against 序时进度, the 达产 check against the 标准地 contract, and the
//! facts the half-year scores need. Pure: no web framework, no database.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use super::entities::{cooperation, monthly, problem, project, target, transition};
use gaoxin_rules::project_rules::{self, ProblemFacts, ProblemState, ProjectFacts, Rulebook};

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

    /// The date a project entered the stage `counts` names (`signed`), if it has.
    pub fn reached_on(&self, project_id: i64, counts: &str) -> Option<NaiveDate> {
        let key = &self.rules.counting(counts).key;
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
                signed_in_period: within(self.reached_on(p.id, "signed")),
                started_in_period: within(self.reached_on(p.id, "started")),
                producing_in_period: within(self.reached_on(p.id, "producing")),
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
#[derive(Debug, Clone, Serialize)]
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
                q.status = "open".into();
            }
        }
        book
    }

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
        let rules = &book.rules;
        let moved: Vec<MovedLine> = book
            .transitions
            .iter()
            .filter(|t| t.on_date >= first && t.on_date <= last)
            .filter_map(|t| {
                let p = book.project(t.project_id)?;
                Some(MovedLine {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    from: t.from_stage.as_deref().map(|s| rules.stage_name(s)).unwrap_or_default(),
                    to: rules.stage_name(&t.to_stage),
                    on: t.on_date,
                    evidence: t.evidence.clone(),
                })
            })
            .collect();
        let year_start = format!("{}-01", last.year());
        let elapsed = year_elapsed_percent(last);
        let mut behind = Vec::new();
        for l in &lines {
            let p = &l.project;
            let mut reasons = Vec::new();
            if let Some(d) = p.planned_start
                && d <= last
                && !rules.reached(&p.stage, "started")
            {
                reasons.push(format!("计划 {d} 开工，至今未开工"));
            }
            if let Some(d) = p.planned_production
                && d <= last
                && !rules.reached(&p.stage, "producing")
            {
                reasons.push(format!("计划 {d} 投产，至今未投产"));
            }
            if let Some(plan) = p.planned_investment
                && plan > 0
                && rules.reached(&p.stage, "started")
            {
                let done = book.investment_between(p.id, &year_start, month);
                let rate = (Decimal::from(done) * Decimal::from(100) / Decimal::from(plan)).round_dp(1);
                if rate < Decimal::from(elapsed) {
                    reasons.push(format!(
                        "年度投资完成 {} 万元 / 计划 {} 万元 = {rate}%，低于序时进度 {elapsed}%",
                        wan(done),
                        wan(plan)
                    ));
                }
            }
            if !reasons.is_empty() {
                behind.push(BehindLine {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    department: l.lead_name.clone(),
                    stage: l.stage_name.clone(),
                    reasons,
                });
            }
        }
        let problems = book.problem_lines(last);
        let overdue: Vec<ProblemLine> = problems.iter().filter(|q| q.state.is_overdue()).cloned().collect();
        let resolved: Vec<ProblemLine> = problems
            .iter()
            .filter(|q| q.problem.resolved_on.is_some_and(|r| r >= first && r <= last))
            .cloned()
            .collect();
        let mut departments: BTreeMap<String, DepartmentCounts> = BTreeMap::new();
        let entry = |m: &mut BTreeMap<String, DepartmentCounts>, name: &str| {
            m.entry(name.to_string())
                .or_insert_with(|| DepartmentCounts {
                    name: name.to_string(),
                    projects: 0,
                    moved: 0,
                    problems_open: 0,
                    problems_overdue: 0,
                    problems_resolved: 0,
                })
                .name
                .clone()
        };
        for l in &lines {
            if l.lead_name.is_empty() {
                continue;
            }
            entry(&mut departments, &l.lead_name);
            let d = departments.get_mut(&l.lead_name).expect("inserted");
            d.projects += 1;
            d.moved += moved.iter().filter(|m| m.code == l.project.code).count();
        }
        for q in &problems {
            entry(&mut departments, &q.lead_name);
            let d = departments.get_mut(&q.lead_name).expect("inserted");
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
            rulebook: format!("{}（版本 {}）", rules.name, &rules.version[..12]),
            stages: book.board(&lines),
            total: lines.len(),
            moved,
            behind,
            overdue,
            resolved,
            departments: departments.into_values().collect(),
            stalled,
        })
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

/// The target metrics.
pub const METRICS: [(&str, &str); 5] = [
    ("major_signed", "超亿元项目签约（个）"),
    ("major_started", "超亿元项目开工（个）"),
    ("major_producing", "超亿元项目投产（个）"),
    ("signed_amount", "签约总投资（亿元）"),
    ("investment", "完成投资（亿元）"),
];

pub fn metric_name(code: &str) -> &'static str {
    METRICS.iter().find(|m| m.0 == code).map(|m| m.1).unwrap_or("")
}

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

impl Book {
    pub fn targets(&self, year: i32, targets: &[target::Model], today: NaiveDate) -> Vec<TargetLine> {
        let year_end = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid");
        let as_of = today.min(year_end);
        let expected = if year < today.year() {
            100
        } else if year > today.year() {
            0
        } else {
            year_elapsed_percent(as_of)
        };
        let in_year = |d: Option<NaiveDate>| d.is_some_and(|d| d.year() == year && d <= as_of);
        let count = |counts: &str| {
            Decimal::from(
                self.projects
                    .iter()
                    .filter(|p| self.rules.is_major(p.total_investment) && in_year(self.reached_on(p.id, counts)))
                    .count(),
            )
        };
        let to_yi = |fen: i64| Decimal::from(fen) / Decimal::from(10_000_000_000_i64);
        targets
            .iter()
            .filter(|t| t.year == year)
            .map(|t| {
                let target: Decimal = t.value.parse().unwrap_or_default();
                let (actual, how) = match t.metric.as_str() {
                    "major_signed" => (
                        count("signed"),
                        format!(
                            "{year} 年内进入{}阶段的超亿元项目数",
                            self.rules.counting("signed").name
                        ),
                    ),
                    "major_started" => (
                        count("started"),
                        format!(
                            "{year} 年内进入{}阶段的超亿元项目数",
                            self.rules.counting("started").name
                        ),
                    ),
                    "major_producing" => (
                        count("producing"),
                        format!(
                            "{year} 年内进入{}阶段的超亿元项目数",
                            self.rules.counting("producing").name
                        ),
                    ),
                    "signed_amount" => (
                        to_yi(
                            self.projects
                                .iter()
                                .filter(|p| in_year(self.reached_on(p.id, "signed")))
                                .map(|p| p.total_investment)
                                .sum(),
                        )
                        .round_dp(2),
                        format!("{year} 年内签约项目的总投资之和"),
                    ),
                    _ => (
                        to_yi(
                            self.projects
                                .iter()
                                .map(|p| self.investment_between(p.id, &format!("{year}-01"), &month_key(as_of)))
                                .sum(),
                        )
                        .round_dp(2),
                        format!("{year} 年各项目月度完成投资之和"),
                    ),
                };
                let percent = if target > Decimal::ZERO {
                    (actual * Decimal::from(100) / target).round_dp(1)
                } else {
                    Decimal::ZERO
                };
                let behind = percent < Decimal::from(expected);
                TargetLine {
                    metric: t.metric.clone(),
                    metric_name: metric_name(&t.metric).to_string(),
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
}

/// One line of the 达产 check against the 标准地 contract.
#[derive(Debug, Clone, Serialize)]
pub struct CapacityCheck {
    pub indicator: &'static str,
    pub required: String,
    pub actual: String,
    pub passed: bool,
    pub explanation: String,
}

/// Output and tax per 亩 over the last twelve reported months against the contract's 产出强度
/// and 亩均税收 (both ten-thousandths of 万元/亩).
pub fn capacity_check(
    land_area: i64,
    months: &[Monthly],
    output_per_mu: Option<i64>,
    tax_per_mu: Option<i64>,
) -> Vec<CapacityCheck> {
    let mut recent: Vec<&Monthly> = months.iter().collect();
    recent.sort_by(|a, b| b.month.cmp(&a.month));
    recent.truncate(12);
    let span = match (recent.last(), recent.first()) {
        (Some(a), Some(b)) => format!("{} 至 {}，{} 个月", a.month, b.month, recent.len()),
        _ => "无月度数据".into(),
    };
    let sales: i64 = recent.iter().filter_map(|m| m.sales).sum();
    let tax: i64 = recent.iter().filter_map(|m| m.tax).sum();
    let mu = Decimal::new(land_area, 4);
    let per_mu = |fen: i64| {
        if mu > Decimal::ZERO {
            (Decimal::from(fen) / Decimal::from(1_000_000) / mu).round_dp(2)
        } else {
            Decimal::ZERO
        }
    };
    let mut out = Vec::new();
    for (indicator, total, required) in [
        ("产出强度（开票销售/亩）", sales, output_per_mu),
        ("亩均税收", tax, tax_per_mu),
    ] {
        let Some(required) = required else { continue };
        let required = Decimal::new(required, 4);
        let actual = per_mu(total);
        let passed = actual >= required;
        let mut explanation = format!(
            "近 12 个月（{span}）合计 {} 万元 ÷ 用地 {} 亩 = {} 万元/亩，合同要求不低于 {} 万元/亩",
            wan(total),
            mu.normalize(),
            actual.normalize(),
            required.normalize()
        );
        if !passed {
            let short = required - actual;
            explanation.push_str(&format!(
                "，差 {} 万元/亩（≈ 少 {} 万元）",
                short.normalize(),
                (short * mu).round_dp(2).normalize()
            ));
        }
        out.push(CapacityCheck {
            indicator,
            required: required.normalize().to_string(),
            actual: actual.normalize().to_string(),
            passed,
            explanation,
        });
    }
    out
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

    fn month(m: &str, sales: i64, tax: i64) -> Monthly {
        Monthly {
            id: 0,
            zone_id: 1,
            project_id: 1,
            month: m.into(),
            planned_investment: None,
            investment: None,
            planned_sales: None,
            sales: Some(sales),
            planned_tax: None,
            tax: Some(tax),
            created_at: Default::default(),
            updated_at: Default::default(),
        }
    }

    #[test]
    fn capacity_check_explains_the_shortfall() {
        // 10 亩; 12 months of 100 万元 sales and 2 万元 tax → 120 万元/亩 and 2.4 万元/亩.
        let months: Vec<Monthly> = (1..=12)
            .map(|m| month(&format!("2026-{m:02}"), 100 * 1_000_000, 2 * 1_000_000))
            .collect();
        let c = capacity_check(10 * 10_000, &months, Some(100 * 10_000), Some(3 * 10_000));
        assert!(c[0].passed, "{c:?}");
        assert!(!c[1].passed);
        assert!(
            c[1].explanation.contains("差 0.6 万元/亩（≈ 少 6 万元）"),
            "{}",
            c[1].explanation
        );
    }
}
