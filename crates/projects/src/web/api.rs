//! The JSON API of the project book: list and register projects, one project with its
//! transitions, problems and monthly figures, move a stage, raise and resolve problems, the
//! monthly bulletin and the half-year scores.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::board::ListQuery;
use super::reports::{MonthQuery, PeriodQuery, ScoresOut, bulletin_of, scores_of};
use crate::domain::{self, Bulletin, ProblemLine, ProjectLine};
use crate::store::{self, Move, NewProblem, NewProject};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{Id, Q};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub investor: String,
    pub enterprise_id: Option<i64>,
    pub industry_code: Option<String>,
    /// 万元.
    pub total_investment: String,
    pub stage: String,
    pub stage_name: String,
    pub stage_since: NaiveDate,
    pub lead_department: String,
    pub cooperating_departments: Vec<String>,
    pub leader: String,
    pub officer: String,
    pub major: bool,
    pub stalled: Option<String>,
    pub open_problems: usize,
    pub overdue_problems: usize,
}

fn out(l: &ProjectLine) -> ProjectOut {
    ProjectOut {
        id: l.project.id,
        code: l.project.code.clone(),
        name: l.project.name.clone(),
        investor: l.project.investor.clone(),
        enterprise_id: l.project.enterprise_id,
        industry_code: l.project.industry_code.clone(),
        total_investment: l.total_wan(),
        stage: l.project.stage.clone(),
        stage_name: l.stage_name.clone(),
        stage_since: l.project.stage_since,
        lead_department: l.lead_name.clone(),
        cooperating_departments: l.cooperating.clone(),
        leader: l.project.leader.clone(),
        officer: l.project.officer.clone(),
        major: l.major,
        stalled: l.stalled.clone(),
        open_problems: l.open_problems,
        overdue_problems: l.overdue_problems,
    }
}

/// The projects the caller may see (an enterprise: its own), filtered.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ListQuery), responses((status = 200, body = [ProjectOut])))]
pub async fn api_list(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<ListQuery>,
) -> AppResult<Json<Vec<ProjectOut>>> {
    let book = store::book(state.db.conn(), &scope).await?;
    let investors = q.investors(&state, &scope).await?;
    Ok(Json(
        book.lines(scope.today())
            .iter()
            .filter(|l| q.keep(l, &investors))
            .map(out)
            .collect(),
    ))
}

/// Registers a project (at the first stage unless `stage` says otherwise).
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = NewProject, responses((status = 201, body = ProjectOut)))]
pub async fn api_create(
    State(state): State<AppState>,
    scope: Scope,
    Json(new): Json<NewProject>,
) -> AppResult<(axum::http::StatusCode, Json<ProjectOut>)> {
    let mut writer = scope.writer(&state).await?;
    let p = store::create(&mut writer, &scope, &new, scope.today()).await?;
    writer.commit().await?;
    let book = store::book(state.db.conn(), &scope).await?;
    let p = book.project(p.id).ok_or(AppError::NotFound)?;
    Ok((axum::http::StatusCode::CREATED, Json(out(&book.line(p, scope.today())))))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectDetailOut {
    pub project: ProjectOut,
    /// Oldest first: stage, date, evidence.
    #[schema(value_type = Object)]
    pub transitions: Vec<domain::Transition>,
    #[schema(value_type = Object)]
    pub problems: Vec<ProblemLine>,
    #[schema(value_type = Object)]
    pub monthly: Vec<domain::Monthly>,
}

/// One project with its transitions, problems and monthly figures (fen).
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = i64, Path)), responses((status = 200, body = ProjectDetailOut)))]
pub async fn api_project(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<ProjectDetailOut>> {
    let book = store::book(state.db.conn(), &scope).await?;
    let p = book.project(id).ok_or(AppError::NotFound)?;
    let t = scope.today();
    Ok(Json(ProjectDetailOut {
        project: out(&book.line(p, t)),
        transitions: book
            .transitions
            .iter()
            .filter(|x| x.project_id == id)
            .cloned()
            .collect(),
        problems: book
            .problem_lines(t)
            .into_iter()
            .filter(|q| q.problem.project_id == id)
            .collect(),
        monthly: book.monthly.iter().filter(|m| m.project_id == id).cloned().collect(),
    }))
}

/// Moves a project to its next stage (its lead department or admin), with date and evidence.
#[utoipa::path(post, path = "/api/v1/projects/{id}/stage", tag = "projects", params(("id" = i64, Path)), request_body = Move, responses((status = 200, body = ProjectOut)))]
pub async fn api_move(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(m): Json<Move>,
) -> AppResult<Json<ProjectOut>> {
    let mut writer = scope.writer(&state).await?;
    store::move_stage(&mut writer, &scope, id, &m, scope.today()).await?;
    writer.commit().await?;
    let book = store::book(state.db.conn(), &scope).await?;
    let p = book.project(id).ok_or(AppError::NotFound)?;
    Ok(Json(out(&book.line(p, scope.today()))))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemOut {
    pub id: i64,
    pub state: String,
    pub reason: String,
}

/// Raises a blocking problem on a project (anyone involved).
#[utoipa::path(post, path = "/api/v1/projects/{id}/problems", tag = "projects", params(("id" = i64, Path)), request_body = NewProblem, responses((status = 201, body = ProblemOut)))]
pub async fn api_raise(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(new): Json<NewProblem>,
) -> AppResult<(axum::http::StatusCode, Json<ProblemOut>)> {
    let mut writer = scope.writer(&state).await?;
    let q = store::raise_problem(&mut writer, &scope, id, &new, scope.today()).await?;
    writer.commit().await?;
    let book = store::book(state.db.conn(), &scope).await?;
    let l = book.problem_line(&q, scope.today());
    Ok((
        axum::http::StatusCode::CREATED,
        Json(ProblemOut {
            id: q.id,
            state: l.state.name().into(),
            reason: l.reason,
        }),
    ))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ResolveIn {
    pub answer: String,
    /// Default today.
    pub resolved_on: Option<NaiveDate>,
}

/// Resolves a problem with a written answer (its lead department or admin).
#[utoipa::path(post, path = "/api/v1/project-problems/{id}/resolve", tag = "projects", params(("id" = i64, Path)), request_body = ResolveIn, responses((status = 200, body = ProblemOut)))]
pub async fn api_resolve(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(r): Json<ResolveIn>,
) -> AppResult<Json<ProblemOut>> {
    let t = scope.today();
    let mut writer = scope.writer(&state).await?;
    let q = store::resolve_problem(&mut writer, &scope, id, &r.answer, r.resolved_on.unwrap_or(t), t).await?;
    writer.commit().await?;
    let book = store::book(state.db.conn(), &scope).await?;
    let l = book.problem_line(&q, t);
    Ok(Json(ProblemOut {
        id: q.id,
        state: l.state.name().into(),
        reason: l.reason,
    }))
}

/// The monthly bulletin's facts as of the month's end.
#[utoipa::path(get, path = "/api/v1/projects/bulletin", tag = "projects", params(MonthQuery), responses((status = 200, description = "通报内容：各阶段项目、本月转段、滞后项目、逾期问题、部门情况")))]
pub async fn api_bulletin(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<MonthQuery>,
) -> AppResult<Json<Bulletin>> {
    Ok(Json(bulletin_of(&state, &scope, q.month).await?))
}

/// Department and 招商 officer scores of a period, each with its lines.
#[utoipa::path(get, path = "/api/v1/projects/scores", tag = "projects", params(PeriodQuery), responses((status = 200, body = ScoresOut)))]
pub async fn api_scores(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<PeriodQuery>,
) -> AppResult<Json<ScoresOut>> {
    Ok(Json(scores_of(&state, &scope, q.period).await?))
}
