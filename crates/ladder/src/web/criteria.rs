//! The criteria pages: the versions loaded (in use and retired) with the upload, and one
//! version's text as articles and routes.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use crate::criteria_entity::Model as CriteriaVersion;
use crate::store;
use gaoxin_core::roles::DEPARTMENT_EDITORS;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::versions::VersionStatus;
use gaoxin_platform::web::{Id, PageCtx, render};
use gaoxin_rules::ladder;

#[derive(Template)]
#[template(path = "criteria.html")]
struct CriteriaPage {
    ctx: PageCtx,
    versions: Vec<CriteriaVersion>,
    can_upload: bool,
    error: Option<String>,
}

impl CriteriaPage {
    /// Whether a version is the one in use for its tier (else it was retired by a later one).
    fn in_use(&self, v: &CriteriaVersion) -> bool {
        in_use(v)
    }
}

fn in_use(v: &CriteriaVersion) -> bool {
    v.status == VersionStatus::Active.code()
}

pub(super) async fn criteria_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    criteria_page_with(&state, &scope, ctx, None).await
}

/// The criteria page, with the reason an upload was refused.
pub(crate) async fn criteria_page_with(
    state: &AppState,
    scope: &Scope,
    ctx: PageCtx,
    error: Option<String>,
) -> AppResult<Response> {
    Ok(render(&CriteriaPage {
        ctx: ctx.crumb("nav.ladder", "/ladder").crumb("ladder.criteria", ""),
        versions: store::all_versions(&state.db, scope).await?,
        can_upload: DEPARTMENT_EDITORS.contains(scope.role()),
        error,
    }))
}

#[derive(Template)]
#[template(path = "criteria_text.html")]
struct CriteriaTextPage {
    ctx: PageCtx,
    v: CriteriaVersion,
    articles: Vec<(String, String)>,
    /// Each route's name and its conditions as (label, article, rule).
    routes: Vec<RouteText>,
}

impl CriteriaTextPage {
    /// Whether the version shown is the one in use for its tier.
    fn in_use(&self) -> bool {
        in_use(&self.v)
    }
}

type RouteText = (String, Vec<(String, String, String)>);

pub(super) async fn criteria_text_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
) -> AppResult<Response> {
    let v = store::version_by_id(&state.db, &scope, id).await?;
    let parsed = ladder::load(&v.file_name, &v.source).ok();
    let (articles, routes) = match &parsed {
        Some(c) => (
            c.articles.clone(),
            c.routes
                .iter()
                .map(|r| {
                    let mut lines: Vec<(String, String, String)> = r
                        .conditions
                        .iter()
                        .map(|c| {
                            (
                                c.label.to_string(),
                                c.article.unwrap_or_default().to_string(),
                                c.when_source.unwrap_or("需人工确认").to_string(),
                            )
                        })
                        .collect();
                    if let Some(s) = &r.score {
                        lines.push((
                            s.label.to_string(),
                            s.article.unwrap_or_default().to_string(),
                            format!("总分 ≥ {}", s.pass.normalize()),
                        ));
                    }
                    (r.name.to_string(), lines)
                })
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    Ok(render(&CriteriaTextPage {
        ctx: ctx
            .crumb("nav.ladder", "/ladder")
            .crumb("ladder.criteria", "/ladder/criteria")
            .crumb_text(v.name.clone(), ""),
        v,
        articles,
        routes,
    }))
}
