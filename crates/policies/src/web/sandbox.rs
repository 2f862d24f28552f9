//! The policy what-if (政策沙盘): edit a copy of a policy in use and see what it would have
//! paid in a past year, against the version in use.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::{DiffView, ctx_base, diff_views};
use crate::compute::yuan;
use crate::store;
use crate::version_entity::Model as Version;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{PageCtx, Q, WebForm, render};

#[derive(Deserialize, Default)]
pub(super) struct SandboxQuery {
    version: Option<i64>,
}

#[derive(Deserialize)]
pub(super) struct SandboxForm {
    version: Option<i64>,
    source: String,
    year: String,
}

#[derive(Template)]
#[template(path = "sandbox.html")]
struct SandboxPage {
    ctx: PageCtx,
    versions: Vec<Version>,
    version: i64,
    source: String,
    year: String,
    error: Option<String>,
    result: Option<store::WhatIf>,
    changes: Vec<DiffView>,
}

impl SandboxPage {
    fn money(&self, fen: &i64) -> String {
        yuan(*fen)
    }
    fn money_opt(&self, fen: &Option<i64>) -> String {
        fen.map(yuan).unwrap_or_else(|| "—".into())
    }
    fn delta(&self, r: &store::WhatIf) -> String {
        let d = r.after - r.before;
        format!("{}{}", if d > 0 { "+" } else { "" }, yuan(d))
    }
}

pub(super) async fn sandbox_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<SandboxQuery>,
) -> AppResult<Response> {
    let versions = store::active_versions(state.db.conn(), scope.zone_id()).await?;
    let chosen = q
        .version
        .and_then(|id| versions.iter().find(|v| v.id == id))
        .or(versions.first());
    Ok(render(&SandboxPage {
        ctx: ctx_base(ctx).crumb("policy.sandbox", ""),
        version: chosen.map(|v| v.id).unwrap_or(0),
        source: chosen.map(|v| v.source.clone()).unwrap_or_default(),
        year: (scope.year() - 1).to_string(),
        versions,
        error: None,
        result: None,
        changes: Vec::new(),
    }))
}

pub(super) async fn sandbox_run(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    WebForm(form): WebForm<SandboxForm>,
) -> AppResult<Response> {
    let versions = store::active_versions(state.db.conn(), scope.zone_id()).await?;
    let outcome = match form.year.trim().parse::<i32>() {
        Err(_) => Err(AppError::field("year", "年度应为四位数字，如 2024")),
        Ok(year) => store::what_if(&state.db, scope.zone_id(), year, "草稿.toml", &form.source).await,
    };
    let (result, error) = match outcome {
        Ok(r) => (Some(r), None),
        Err(AppError::Validation { message, .. } | AppError::BadRequest(message)) => (None, Some(message)),
        Err(e) => return Err(e),
    };
    let changes = result
        .as_ref()
        .map(|r| diff_views(r.changes.iter().take(50).cloned().collect()))
        .unwrap_or_default();
    let mut response = render(&SandboxPage {
        ctx: ctx_base(ctx).crumb("policy.sandbox", ""),
        versions,
        version: form.version.unwrap_or(0),
        source: form.source,
        year: form.year,
        error: error.clone(),
        result,
        changes,
    });
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}
