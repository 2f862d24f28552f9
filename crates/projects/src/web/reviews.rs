//! Admission reviews (准入评审): the zone's reviews with the projects at the first stage still
//! waiting for one, and recording a review from a project's page.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::Fields;
use crate::domain::ProjectLine;
use crate::entities::review;
use crate::status::ReviewDecision;
use crate::store;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::web::{Id, PageCtx, WebForm, finish, render};

#[derive(Template)]
#[template(path = "reviews.html")]
struct ReviewsPage {
    ctx: PageCtx,
    reviews: Vec<(review::Model, String)>,
    waiting: Vec<ProjectLine>,
}

impl ReviewsPage {
    fn decision<'a>(&self, d: &'a str) -> &'a str {
        ReviewDecision::label_of(d)
    }
}

pub(super) async fn reviews_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let reviews = store::reviews(state.db.conn(), &scope, None).await?;
    let first = book.rules.stages[0].key.clone();
    let waiting = book
        .lines(scope.today())
        .into_iter()
        .filter(|l| l.project.stage == first && !reviews.iter().any(|r| r.project_id == l.project.id))
        .collect();
    let reviews = reviews
        .into_iter()
        .map(|r| {
            let name = book
                .project(r.project_id)
                .map(|p| format!("{} {}", p.code, p.name))
                .unwrap_or_default();
            (r, name)
        })
        .collect();
    Ok(render(&ReviewsPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.reviews", ""),
        reviews,
        waiting,
    }))
}

/// Records an admission review from the project page.
pub(super) async fn review_save(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = format!("/projects/{id}");
    let result = async {
        let on = f.date("reviewed_on", "评审日期")?.unwrap_or(scope.today());
        let mut writer = scope.writer(&state).await?;
        let r = store::record_review(
            &mut writer,
            &scope,
            id,
            &f.all("checked"),
            &f.get("decision"),
            &f.get("note"),
            on,
        )
        .await?;
        writer.commit().await?;
        Ok((
            back.clone(),
            format!("已记录评审：{} 分，{}", r.score, ReviewDecision::label_of(&r.decision)),
        ))
    }
    .await;
    finish(&state, &headers, &back, result)
}
