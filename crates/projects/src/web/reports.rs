//! The reports: the monthly bulletin (page, .docx, .xlsx), the quarter's site-visit list, the
//! half-year scores, and the yearly targets against 序时进度 with the form that sets them.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{Fields, last_month, rules_note};
use crate::domain::{self, Bulletin, ProblemLine, ProjectLine, TargetLine};
use crate::status::{Metric, ProblemStatus};
use crate::store;
use gaoxin_core::roles::Role;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{PageCtx, Q, WebForm, file_download, finish, render, xlsx_response};
use gaoxin_rules::project_rules::{self, Score};

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// `2026-11`; default: last month.
    pub month: Option<String>,
}

/// The bulletin of a month (default: last month), as of today while the month runs.
pub(super) async fn bulletin_of(state: &AppState, scope: &Scope, month: Option<String>) -> AppResult<Bulletin> {
    let month = month
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| last_month(scope.today()));
    let book = store::book(state.db.conn(), scope).await?;
    book.bulletin_at(month.trim(), scope.today())
        .map_err(|e| AppError::field("month", e))
}

#[derive(Template)]
#[template(path = "bulletin.html")]
struct BulletinPage {
    ctx: PageCtx,
    b: Bulletin,
}

pub(super) async fn bulletin_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<MonthQuery>,
) -> AppResult<Response> {
    let b = bulletin_of(&state, &scope, q.month).await?;
    Ok(render(&BulletinPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.bulletin", ""),
        b,
    }))
}

pub(super) async fn bulletin_docx(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<MonthQuery>,
) -> AppResult<Response> {
    let b = bulletin_of(&state, &scope, q.month).await?;
    let bytes = crate::bulletin::to_docx(&b, &scope.zone().name).map_err(|e| AppError::Internal(e.into()))?;
    file_download(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "bulletin.docx",
        &format!("重大项目推进情况通报-{}.docx", b.month),
    )
}

pub(super) async fn bulletin_xlsx(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<MonthQuery>,
) -> AppResult<Response> {
    let b = bulletin_of(&state, &scope, q.month).await?;
    let bytes = crate::bulletin::to_xlsx(&b).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    xlsx_response(bytes, &format!("重大项目推进情况通报-{}.xlsx", b.month))
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct QuarterQuery {
    /// `2026Q4`.
    quarter: Option<String>,
}

#[derive(Template)]
#[template(path = "visits.html")]
struct VisitsPage {
    ctx: PageCtx,
    quarter: String,
    rows: Vec<(ProjectLine, String, Vec<ProblemLine>, String)>,
    rule: String,
}

pub(super) async fn visits_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<QuarterQuery>,
) -> AppResult<Response> {
    let t = scope.today();
    let quarter = q
        .quarter
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("{}Q{}", t.year(), (t.month() - 1) / 3 + 1));
    let bad = || AppError::field("quarter", format!("季度“{quarter}”应写作 2026Q4"));
    let (y, n) = quarter
        .trim()
        .to_ascii_uppercase()
        .split_once('Q')
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .ok_or_else(bad)?;
    let (y, n): (i32, u32) = (y.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if !(1..=4).contains(&n) {
        return Err(bad());
    }
    let end = NaiveDate::from_ymd_opt(if n == 4 { y + 1 } else { y }, if n == 4 { 1 } else { n * 3 + 1 }, 1)
        .and_then(|d| d.pred_opt())
        .ok_or_else(bad)?;
    let book = store::book(state.db.conn(), &scope).await?.as_of(end.min(t));
    let as_of = end.min(t);
    let problems = book.problem_lines(as_of);
    let rows = book
        .visits(as_of)
        .into_iter()
        .map(|(l, why)| {
            let open = problems
                .iter()
                .filter(|q| q.problem.project_id == l.project.id && q.status() == Some(ProblemStatus::Open))
                .cloned()
                .collect();
            let year = format!("{}-01", as_of.year());
            let done = book.investment_between(l.project.id, &year, &domain::month_key(as_of));
            (l, why, open, domain::wan(done))
        })
        .collect();
    let v = &book.rules.visit;
    Ok(render(&VisitsPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.visits", ""),
        rule: format!(
            "{}：{}及以后阶段、总投资不低于 {} 万元的项目，按总投资从大到小取前 {} 个（截至 {as_of}）",
            book.rules.name,
            book.rules.stage_name(&v.from_stage),
            v.min_investment,
            v.count
        ),
        quarter,
        rows,
    }))
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// `2026H1`, `2026H2` or `2026`; default: the current half-year.
    pub period: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScoresOut {
    pub period: String,
    pub rulebook: String,
    #[schema(value_type = Object)]
    pub departments: Vec<Score>,
    #[schema(value_type = Object)]
    pub officers: Vec<Score>,
}

/// The department and officer scores of a period (default: the current half-year).
pub(super) async fn scores_of(state: &AppState, scope: &Scope, period: Option<String>) -> AppResult<ScoresOut> {
    let t = scope.today();
    let period = period
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| format!("{}H{}", t.year(), if t.month() <= 6 { 1 } else { 2 }));
    let (from, to) = project_rules::period(&period).map_err(|e| AppError::field("period", e))?;
    let book = store::book(state.db.conn(), scope).await?.as_of(to.min(t));
    let (projects, problems) = book.score_facts(from, to);
    let (departments, officers) = project_rules::scores(&book.rules.scores, &projects, &problems, to.min(t));
    Ok(ScoresOut {
        period,
        rulebook: rules_note(&book),
        departments,
        officers,
    })
}

#[derive(Template)]
#[template(path = "scores.html")]
struct ScoresPage {
    ctx: PageCtx,
    s: ScoresOut,
    rule: project_rules::ScoreRule,
}

pub(super) async fn scores_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<PeriodQuery>,
) -> AppResult<Response> {
    let s = scores_of(&state, &scope, q.period).await?;
    let (rules, _) = store::rulebook_in_use(state.db.conn(), &scope).await?;
    Ok(render(&ScoresPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.scores", ""),
        s,
        rule: rules.scores,
    }))
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct YearQuery {
    year: Option<i32>,
}

#[derive(Template)]
#[template(path = "targets.html")]
struct TargetsPage {
    ctx: PageCtx,
    year: i32,
    rows: Vec<TargetLine>,
    metrics: &'static [Metric],
    is_admin: bool,
    elapsed: i64,
}

pub(super) async fn targets_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<YearQuery>,
) -> AppResult<Response> {
    let t = scope.today();
    let year = q.year.unwrap_or(t.year());
    let book = store::book(state.db.conn(), &scope).await?;
    let targets = store::targets(state.db.conn(), &scope).await?;
    Ok(render(&TargetsPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.targets", ""),
        rows: book.targets(year, &targets, t),
        year,
        metrics: Metric::ALL,
        is_admin: scope.role() == Role::Admin,
        elapsed: domain::expected_percent(year, t),
    }))
}

pub(super) async fn target_save(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let year: i32 = f.get("year").parse().unwrap_or(0);
    let back = format!("/projects/targets?year={year}");
    let result = async {
        let mut writer = scope.writer(&state).await?;
        store::save_target(
            &mut writer,
            &scope,
            year,
            &f.get("metric"),
            &f.get("label"),
            &f.get("value"),
        )
        .await?;
        writer.commit().await?;
        Ok((back.clone(), "已保存目标".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}
