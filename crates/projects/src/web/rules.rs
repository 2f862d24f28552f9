//! The rulebook page: the rules in use (stages, admission, problems, visits, scores), the
//! versions loaded, and the upload form (the upload itself is the platform's).

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use crate::domain;
use crate::entities::rulebook as rulebook_row;
use crate::store;
use gaoxin_core::roles::Role;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::web::{PageCtx, render};
use gaoxin_rules::project_rules::Rulebook;

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    ctx: PageCtx,
    rules: Rulebook,
    loaded: bool,
    versions: Vec<rulebook_row::Model>,
    is_admin: bool,
    major_wan: String,
}

pub(super) async fn rules_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    use sea_orm::QueryOrder;
    let (rules, loaded) = store::rulebook_in_use(state.db.conn(), &scope).await?;
    let versions = scope
        .select::<rulebook_row::Entity>()
        .order_by_desc(rulebook_row::Column::Id)
        .all(state.db.conn())
        .await?;
    Ok(render(&RulesPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.rules", ""),
        major_wan: domain::wan(rules.major_threshold),
        rules,
        loaded,
        versions,
        is_admin: scope.role() == Role::Admin,
    }))
}
