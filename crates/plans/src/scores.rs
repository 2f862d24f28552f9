//! Department scores (考核): scoring schemes loaded as versions, and a period's scores computed
//! from the ledger as it stood at the period's end, each explained task by task.

use std::collections::HashMap;

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder};
use serde::Deserialize;

use super::domain;
use super::score_scheme_entity::{self as scheme_row, Model as SchemeRow};
use super::status::DepartmentRole;
use super::store::{self, Filter};
use gaoxin_core::roles::{ADMINS, ZONE_READERS};
use gaoxin_platform::AppState;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::versions::{self, Loaded, VersionStatus};
use gaoxin_platform::web::finish;
use gaoxin_platform::web::{PageCtx, Q, render};
use gaoxin_rules::task_scoring::{self, DepartmentScore, Outcome, Scheme, TaskFacts};

/// The scoring scheme shipped as an example.
pub const SHIPPED: (&str, &str) = (
    "kaohe-example.toml",
    include_str!("../../../rules/plans/kaohe-example.toml"),
);

pub fn routes() -> Routes {
    Routes::new()
        .get("/plans/scores", Access::Roles(ZONE_READERS), scores_page)
        .upload(
            "/plans/scores/schemes",
            Access::Roles(ADMINS),
            versions::upload::<ScoringFile>,
        )
        .post("/plans/scores/shipped", Access::Roles(ADMINS), scheme_shipped)
        .get("/api/v1/plans/scores", Access::Roles(ZONE_READERS), api_scores)
}

/// Checks a scheme file and makes it the version in use.
pub async fn load_scheme(
    writer: &mut Writer,
    zone_id: i64,
    file_name: &str,
    text: &str,
    by: Option<i64>,
) -> AppResult<(SchemeRow, Loaded)> {
    versions::load::<ScoringFile>(writer, zone_id, file_name, text, by).await
}

/// A scoring scheme (考核计分办法) file.
pub struct ScoringFile;

#[async_trait::async_trait]
impl versions::RuleFile for ScoringFile {
    type Row = scheme_row::ActiveModel;
    const PAGE: &'static str = "/plans/scores";
    /// Loaded by the admin only (the route says so).
    const DUTY: Option<gaoxin_platform::departments::duties::Duty> = None;

    async fn check(
        _: &Writer,
        _: i64,
        file_name: &str,
        text: &str,
        by: Option<i64>,
    ) -> AppResult<versions::Checked<Self::Row>> {
        let scheme = task_scoring::load(text).map_err(|e| AppError::field("file", format!("{file_name}：{e}")))?;
        Ok(versions::Checked {
            key: scheme.id.clone(),
            version: scheme.version.clone(),
            row: scheme_row::ActiveModel {
                scheme_id: Set(scheme.id.clone()),
                name: Set(scheme.name.clone()),
                version: Set(scheme.version.clone()),
                file_name: Set(file_name.chars().take(200).collect()),
                source: Set(text.to_string()),
                status: Set(VersionStatus::Active.code().into()),
                loaded_by: Set(by),
                ..Default::default()
            },
        })
    }

    fn shown(row: &SchemeRow) -> (String, String) {
        (format!("/plans/scores?scheme={}", row.scheme_id), row.name.clone())
    }
}

pub async fn schemes_in_use(db: &Db, scope: &Scope) -> AppResult<Vec<SchemeRow>> {
    Ok(scope
        .select::<scheme_row::Entity>()
        .filter(scheme_row::Column::Status.eq(VersionStatus::Active.code()))
        .order_by_asc(scheme_row::Column::SchemeId)
        .all(db.conn())
        .await?)
}

/// A period's scores under a scheme, from the ledger as it stood at the period's end.
pub async fn scores_for(
    db: &Db,
    scope: &Scope,
    scheme: &Scheme,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<DepartmentScore>> {
    let t = scope.today();
    let end = to.min(t);
    let lines = store::ledger(db, scope, &Filter::default(), t).await?;
    let percent = store::percent_at(db, scope, end).await?;
    let names = store::department_names(db, scope).await?;
    let thresholds = store::thresholds(db.conn(), scope).await?;
    let mut orders: HashMap<i64, (usize, usize)> = HashMap::new();
    for o in store::all_orders(db, scope).await? {
        if o.issued_on < from || o.issued_on > end {
            continue;
        }
        let e = domain::escalation(o.issued_on, o.deadline, o.closed_on, end, &thresholds);
        let entry = orders.entry(o.task_id).or_default();
        entry.0 += 1;
        if e.steps.iter().any(|s| s.0 == domain::Colour::Red) {
            entry.1 += 1;
        }
    }
    let facts: Vec<TaskFacts> = lines
        .iter()
        .filter(|l| l.task.start_date <= end)
        .map(|l| {
            let names = |role: DepartmentRole| store::counted_names(l, role, &names);
            let (n, red) = orders.get(&l.task.id).copied().unwrap_or_default();
            TaskFacts {
                reference: l.task.reference.clone(),
                text: super::bulletin::short(&l.task.text),
                lead: names(DepartmentRole::Lead),
                cooperating: names(DepartmentRole::Cooperating),
                outcome: task_scoring::outcome(
                    l.task.start_date,
                    l.task.due_date,
                    l.task.done_on,
                    l.task.confirmed_on,
                    percent.get(&l.task.id).map(|p| p.0).unwrap_or(0),
                    (from, end),
                ),
                orders: n,
                red_orders: red,
            }
        })
        .filter(|f| f.outcome != Outcome::None || f.orders > 0)
        .collect();
    Ok(task_scoring::score(scheme, &facts))
}

/// `?period=2024H1&scheme=kaohe-example`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScoreQuery {
    /// `2024` (the year), `2024H1` or `2024H2`; default the current half-year.
    pub period: Option<String>,
    /// The scheme's id; default the first in use.
    pub scheme: Option<String>,
}

impl ScoreQuery {
    pub fn period(&self, t: NaiveDate) -> AppResult<(String, NaiveDate, NaiveDate)> {
        let text = self
            .period
            .clone()
            .filter(|p| !p.trim().is_empty())
            .unwrap_or_else(|| format!("{}H{}", t.year(), if t.month() <= 6 { 1 } else { 2 }));
        let (from, to) = task_scoring::period(&text)
            .ok_or_else(|| AppError::field("period", format!("考核期“{text}”应写作 2024、2024H1 或 2024H2")))?;
        Ok((text.trim().to_uppercase(), from, to))
    }
}

pub async fn chosen(db: &Db, scope: &Scope, q: &ScoreQuery) -> AppResult<Option<(SchemeRow, Scheme)>> {
    let schemes = schemes_in_use(db, scope).await?;
    let row = match q.scheme.as_deref().filter(|s| !s.is_empty()) {
        Some(id) => Some(
            schemes
                .into_iter()
                .find(|s| s.scheme_id == id)
                .ok_or_else(|| AppError::field("scheme", format!("没有在用的计分办法“{id}”")))?,
        ),
        None => schemes.into_iter().next(),
    };
    Ok(match row {
        Some(row) => {
            let scheme = task_scoring::load(&row.source).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
            Some((row, scheme))
        }
        None => None,
    })
}

#[derive(Template)]
#[template(path = "scores.html")]
struct ScoresPage {
    ctx: PageCtx,
    schemes: Vec<SchemeRow>,
    scheme: Option<Scheme>,
    scheme_id: String,
    period: String,
    range: String,
    scores: Vec<DepartmentScore>,
    is_admin: bool,
}

async fn scores_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<ScoreQuery>,
) -> AppResult<Response> {
    let (period, from, to) = q.period(scope.today())?;
    let chosen = chosen(&state.db, &scope, &q).await?;
    let scores = match &chosen {
        Some((_, scheme)) => scores_for(&state.db, &scope, scheme, from, to).await?,
        None => Vec::new(),
    };
    Ok(render(&ScoresPage {
        ctx: ctx.crumb("nav.tasks", "/plans").crumb("plans.scores", ""),
        schemes: schemes_in_use(&state.db, &scope).await?,
        scheme_id: chosen.as_ref().map(|c| c.0.scheme_id.clone()).unwrap_or_default(),
        scheme: chosen.map(|c| c.1),
        period,
        range: format!("{from} 至 {to}"),
        scores,
        is_admin: scope.role() == gaoxin_core::roles::Role::Admin,
    }))
}

async fn scheme_shipped(State(state): State<AppState>, scope: Scope, headers: HeaderMap) -> AppResult<Response> {
    let result = async {
        let mut writer = scope.writer(&state).await?;
        let (row, loaded) = load_scheme(
            &mut writer,
            scope.zone_id(),
            SHIPPED.0,
            SHIPPED.1,
            Some(scope.caller().account_id),
        )
        .await?;
        writer.commit().await?;
        Ok((
            format!("/plans/scores?scheme={}", row.scheme_id),
            format!("{}：{}", row.name, loaded.message()),
        ))
    }
    .await;
    finish(&state, &headers, "/plans/scores", result)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ScoresOut {
    pub scheme: String,
    pub version: String,
    pub period: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub departments: Vec<DepartmentScore>,
}

#[utoipa::path(get, path = "/api/v1/plans/scores", tag = "plans", params(ScoreQuery), responses((status = 200, body = ScoresOut)))]
pub async fn api_scores(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<ScoreQuery>,
) -> AppResult<Json<ScoresOut>> {
    let (period, from, to) = q.period(scope.today())?;
    let (row, scheme) = chosen(&state.db, &scope, &q)
        .await?
        .ok_or_else(|| AppError::BadRequest("本区还没有在用的考核计分办法，请先上传或载入示例".into()))?;
    Ok(Json(ScoresOut {
        departments: scores_for(&state.db, &scope, &scheme, from, to).await?,
        scheme: row.scheme_id,
        version: row.version,
        period,
        from,
        to,
    }))
}
