//! A project's page: its record, its timeline (stage moves, problems raised and resolved,
//! comments, meeting decisions, admission reviews), monthly figures, problems, the 达产 check
//! against its 标准地 contract; and the actions taken on it there: moving the stage, entering a
//! month's figures, raising a problem, commenting (批示).

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use sea_orm::ConnectionTrait;

use super::{Fields, choices};
use crate::domain::{self, Book, CapacityCheck, ProblemLine, ProjectLine};
use crate::entities::review;
use crate::status::{EventKind, ProblemStatus, ReviewDecision};
use crate::store::{self, MonthFigures, Move, NewProblem, Rights};
use gaoxin_core::roles::Role;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{Id, PageCtx, WebForm, finish, render};

/// One event of a project's timeline.
#[derive(Debug, Clone)]
pub struct Event {
    pub on: NaiveDate,
    pub kind: EventKind,
    pub title: String,
    pub detail: String,
    pub who: String,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    ctx: PageCtx,
    line: ProjectLine,
    rights: Rights,
    next_stage: Option<(String, String, String)>,
    timeline: Vec<Event>,
    problems: Vec<ProblemLine>,
    months: Vec<domain::Monthly>,
    reviews: Vec<review::Model>,
    checklist: Vec<(String, String, i32)>,
    /// The decisions a review may record, in the select's order.
    decisions: &'static [ReviewDecision],
    departments: Vec<(i64, String)>,
    capacity: Vec<CapacityCheck>,
    contract_no: String,
    industry: String,
    own_department: Option<i64>,
    is_staff: bool,
    today: NaiveDate,
    this_month: String,
}

impl ProjectPage {
    fn money(&self, v: &Option<i64>) -> String {
        domain::wan_opt(*v)
    }
    fn area(&self, v: &Option<i64>) -> String {
        v.map(|a| gaoxin_core::quantity::Fixed::<4>(a).to_string())
            .unwrap_or_default()
    }
    fn decision<'a>(&self, d: &'a str) -> &'a str {
        ReviewDecision::label_of(d)
    }
    fn may_resolve(&self, q: &ProblemLine) -> bool {
        q.status() == Some(ProblemStatus::Open)
            && (self.rights.admin || (self.is_staff && self.own_department == Some(q.problem.lead_department_id)))
    }
}

fn who(names: &HashMap<i64, String>, id: Option<i64>) -> String {
    id.and_then(|i| names.get(&i).cloned()).unwrap_or_default()
}

pub(super) async fn project_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
) -> AppResult<Response> {
    let conn = state.db.conn();
    let book = store::book(conn, &scope).await?;
    let p = book.project(id).ok_or(AppError::NotFound)?.clone();
    let t = scope.today();
    let line = book.line(&p, t);
    let rights = store::rights(&scope, &p, &line.cooperating_ids);
    let rules = &book.rules;
    let problems: Vec<ProblemLine> = book
        .problem_lines(t)
        .into_iter()
        .filter(|q| q.problem.project_id == id)
        .collect();
    let (timeline, reviews) = timeline(conn, &scope, &book, id, &problems).await?;
    let months: Vec<domain::Monthly> = book
        .monthly
        .iter()
        .filter(|m| m.project_id == id)
        .cloned()
        .rev()
        .collect();
    let (capacity, contract_no) = capacity(conn, &scope, &p, &months).await?;
    let c = choices(&state, &scope).await?;
    Ok(render(&ProjectPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb_text(p.name.clone(), ""),
        next_stage: rules
            .next(&p.stage)
            .map(|s| (s.key.clone(), s.name.clone(), s.evidence.clone())),
        industry: p
            .industry_code
            .as_deref()
            .map(|c| format!("{c} {}", gaoxin_core::industry::path_text(c)))
            .unwrap_or_default(),
        line,
        rights,
        timeline,
        problems,
        months,
        reviews,
        checklist: rules
            .admission
            .checklist
            .iter()
            .map(|c| (c.key.clone(), c.text.clone(), c.points))
            .collect(),
        decisions: ReviewDecision::ALL,
        departments: c.departments,
        capacity,
        contract_no,
        own_department: scope.caller().department_id,
        is_staff: scope.role() == Role::Staff,
        today: t,
        this_month: domain::month_key(t),
    }))
}

/// A project's timeline, newest first (a day's events in the order: stage moves, problems
/// raised and resolved, comments, meeting decisions, reviews), and its reviews, which the page
/// also lists.
async fn timeline(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    book: &Book,
    id: i64,
    problems: &[ProblemLine],
) -> AppResult<(Vec<Event>, Vec<review::Model>)> {
    let names = store::account_names(conn, scope).await?;
    let rules = &book.rules;
    let mut timeline = Vec::new();
    for tr in book.transitions.iter().filter(|tr| tr.project_id == id) {
        timeline.push(Event {
            on: tr.on_date,
            kind: EventKind::Stage,
            title: match &tr.from_stage {
                Some(f) => format!("{} → {}", rules.stage_name(f), rules.stage_name(&tr.to_stage)),
                None => format!("登记入库（{}）", rules.stage_name(&tr.to_stage)),
            },
            detail: [tr.evidence.clone(), tr.note.clone()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("；"),
            who: who(&names, tr.moved_by),
        });
    }
    for q in problems {
        timeline.push(Event {
            on: q.problem.raised_on,
            kind: EventKind::Problem,
            title: q.problem.title.clone(),
            detail: format!("牵头：{}；时限 {}", q.lead_name, q.problem.deadline),
            who: who(&names, q.problem.raised_by),
        });
        if let Some(r) = q.problem.resolved_on {
            timeline.push(Event {
                on: r,
                kind: EventKind::Resolved,
                title: q.problem.title.clone(),
                detail: q.problem.answer.clone().unwrap_or_default(),
                who: who(&names, q.problem.resolved_by),
            });
        }
    }
    for c in store::comments(conn, scope, id).await? {
        timeline.push(Event {
            on: gaoxin_core::clock::local_date(&c.created_at),
            kind: EventKind::Comment,
            detail: c
                .problem_id
                .and_then(|q| problems.iter().find(|x| x.problem.id == q))
                .map(|q| format!("关于：{}", q.problem.title))
                .unwrap_or_default(),
            who: who(&names, c.created_by),
            title: c.text,
        });
    }
    for (m, i) in store::decisions_by_problem(conn, scope, id).await? {
        if let Some(d) = &i.decision {
            timeline.push(Event {
                on: m.held_on,
                kind: EventKind::Decision,
                title: d.clone(),
                detail: format!(
                    "{}；责任部门 {}{}",
                    m.title,
                    book.department(i.department_id),
                    i.due_date.map(|d| format!("，{d} 前")).unwrap_or_default()
                ),
                who: String::new(),
            });
        }
    }
    let reviews = store::reviews(conn, scope, Some(id)).await?;
    for r in &reviews {
        timeline.push(Event {
            on: r.reviewed_on,
            kind: EventKind::Review,
            title: format!("{}，{} 分", ReviewDecision::label_of(&r.decision), r.score),
            detail: r.note.clone(),
            who: who(&names, r.created_by),
        });
    }
    timeline.sort_by_key(|e| std::cmp::Reverse(e.on));
    Ok((timeline, reviews))
}

/// The 达产 check against the project's 标准地 contract (none without a contract or a land
/// area), and the contract's number.
async fn capacity(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    p: &domain::Project,
    months: &[domain::Monthly],
) -> AppResult<(Vec<CapacityCheck>, String)> {
    use gaoxin_land::contract_entity as contract;
    use sea_orm::{ColumnTrait, QueryFilter};
    let Some(cid) = p.contract_id else {
        return Ok((Vec::new(), String::new()));
    };
    let Some(c) = scope
        .select::<contract::Entity>()
        .filter(contract::Column::Id.eq(cid))
        .one(conn)
        .await?
    else {
        return Ok((Vec::new(), String::new()));
    };
    let capacity = match p.land_area {
        Some(area) => domain::capacity_check(area, months, c.output_per_mu, c.tax_per_mu),
        None => Vec::new(),
    };
    Ok((capacity, c.contract_no))
}

pub(super) async fn stage_move(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = format!("/projects/{id}");
    let result = async {
        let m = Move {
            to: f.get("to"),
            on_date: f
                .date("on_date", "转段日期")?
                .ok_or_else(|| AppError::field("on_date", "请填写转段日期"))?,
            evidence: f.get("evidence"),
            note: f.get("note"),
        };
        let mut writer = scope.writer(&state).await?;
        let p = store::move_stage(&mut writer, &scope, id, &m, scope.today()).await?;
        let (rules, _) = store::rulebook_in_use(writer.read(), &scope).await?;
        writer.commit().await?;
        Ok((back.clone(), format!("已进入{}阶段", rules.stage_name(&p.stage))))
    }
    .await;
    finish(&state, &headers, &back, result)
}

pub(super) async fn monthly_save(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = format!("/projects/{id}");
    let result = async {
        let figures = MonthFigures {
            month: f.get("month"),
            planned_investment: f.get("planned_investment"),
            investment: f.get("investment"),
            planned_sales: f.get("planned_sales"),
            sales: f.get("sales"),
            planned_tax: f.get("planned_tax"),
            tax: f.get("tax"),
        };
        let mut writer = scope.writer(&state).await?;
        store::save_month(&mut writer, &scope, id, &figures, scope.today()).await?;
        writer.commit().await?;
        Ok((back.clone(), format!("已保存 {} 月度数据", figures.month)))
    }
    .await;
    finish(&state, &headers, &back, result)
}

fn problem_from(f: &Fields) -> AppResult<NewProblem> {
    Ok(NewProblem {
        title: f.get("title"),
        detail: f.get("detail"),
        lead_department_id: f.id("lead_department_id"),
        cooperating_department_ids: f.ids("cooperating"),
        deadline: f.date("deadline", "办结时限")?,
    })
}

pub(super) async fn problem_raise(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = format!("/projects/{id}");
    let result = async {
        let new = problem_from(&f)?;
        let mut writer = scope.writer(&state).await?;
        store::raise_problem(&mut writer, &scope, id, &new, scope.today()).await?;
        writer.commit().await?;
        Ok((back.clone(), "已提出问题".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

pub(super) async fn comment_add(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = format!("/projects/{id}");
    let result = async {
        let mut writer = scope.writer(&state).await?;
        store::add_comment(&mut writer, &scope, id, f.id("problem_id"), &f.get("text")).await?;
        writer.commit().await?;
        Ok((back.clone(), "已记录批示".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}
