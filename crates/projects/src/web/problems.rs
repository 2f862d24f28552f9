//! Problems: the zone's list with its filters, a department's "my problems" (led or
//! cooperated on), resolving one with an answer, and the leader's "my projects" with their
//! open problems.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;

use super::{Fields, choices};
use crate::domain::{ProblemLine, ProjectLine};
use crate::status::{DepartmentRole, ProblemFilter, ProblemStatus};
use crate::store;
use gaoxin_core::roles::Role;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::web::{Id, PageCtx, Q, WebForm, finish, render};

#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct ProblemQuery {
    /// `1`: the caller's department's problems (lead or cooperating).
    mine: Option<String>,
    /// `open`, `overdue`, `resolved`.
    state: Option<String>,
    department_id: Option<String>,
}

#[derive(Template)]
#[template(path = "problems.html")]
struct ProblemsPage {
    ctx: PageCtx,
    rows: Vec<ProblemLine>,
    departments: Vec<(i64, String)>,
    mine: bool,
    state_filter: String,
    department_id: String,
    own_department: Option<i64>,
    is_admin: bool,
    today: NaiveDate,
}

impl ProblemsPage {
    fn may_resolve(&self, q: &ProblemLine) -> bool {
        q.status() == Some(ProblemStatus::Open)
            && (self.is_admin || self.own_department == Some(q.problem.lead_department_id))
    }
    fn role_of(&self, q: &ProblemLine) -> &'static str {
        match self.own_department {
            Some(d) if d == q.problem.lead_department_id => DepartmentRole::Lead.label(),
            Some(d) if q.cooperating_ids.contains(&d) => DepartmentRole::Cooperating.label(),
            _ => "",
        }
    }
}

pub(super) async fn problems_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<ProblemQuery>,
) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let t = scope.today();
    let own = scope.caller().department_id;
    let mine = q.mine.as_deref() == Some("1") && own.is_some();
    let st = q.state.clone().unwrap_or_default();
    let dept: Option<i64> = q.department_id.as_deref().and_then(|d| d.parse().ok());
    let rows = book
        .problem_lines(t)
        .into_iter()
        .filter(|l| {
            !mine || own == Some(l.problem.lead_department_id) || own.is_some_and(|d| l.cooperating_ids.contains(&d))
        })
        .filter(|l| dept.is_none_or(|d| d == l.problem.lead_department_id))
        .filter(|l| match ProblemFilter::of(&st) {
            Some(ProblemFilter::Open) => l.status() == Some(ProblemStatus::Open),
            Some(ProblemFilter::Overdue) => l.state.is_overdue(),
            Some(ProblemFilter::Resolved) => l.status() == Some(ProblemStatus::Resolved),
            None => true,
        })
        .collect();
    Ok(render(&ProblemsPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb(
            if mine {
                "projects.my_problems"
            } else {
                "projects.problems"
            },
            "",
        ),
        rows,
        departments: choices(&state, &scope).await?.departments,
        mine,
        state_filter: st,
        department_id: q.department_id.unwrap_or_default(),
        own_department: if scope.role() == Role::Staff { own } else { None },
        is_admin: scope.role() == Role::Admin,
        today: t,
    }))
}

#[derive(Template)]
#[template(path = "mine.html")]
struct MinePage {
    ctx: PageCtx,
    rows: Vec<ProjectLine>,
    problems: Vec<ProblemLine>,
}

pub(super) async fn mine_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let t = scope.today();
    let me = scope.caller();
    let rows: Vec<ProjectLine> = book
        .projects
        .iter()
        .filter(|p| {
            p.leader_account_id == Some(me.account_id)
                || (p.leader_account_id.is_none() && !p.leader.is_empty() && p.leader == me.display_name)
        })
        .map(|p| book.line(p, t))
        .collect();
    let ids: Vec<i64> = rows.iter().map(|l| l.project.id).collect();
    let problems = book
        .problem_lines(t)
        .into_iter()
        .filter(|q| ids.contains(&q.problem.project_id) && q.status() == Some(ProblemStatus::Open))
        .collect();
    Ok(render(&MinePage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.mine", ""),
        rows,
        problems,
    }))
}

/// Resolves a problem from the problems page or the project page (`back` says which).
pub(super) async fn resolve(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = match f.get("back") {
        b if b.starts_with("/projects") => b,
        _ => "/projects/problems".to_string(),
    };
    let result = async {
        let on = f.date("resolved_on", "解决日期")?.unwrap_or(scope.today());
        let mut writer = scope.writer(&state).await?;
        store::resolve_problem(&mut writer, &scope, id, &f.get("answer"), on, scope.today()).await?;
        writer.commit().await?;
        Ok((back.clone(), "问题已办结".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}
