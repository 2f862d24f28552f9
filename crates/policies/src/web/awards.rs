//! Awards as paid: one award line with its explanation (计算说明), and the awards an
//! enterprise received.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::ctx_base;
use super::event_pages::event_details;
use super::policies::evaluation_page;
use crate::batch_entity::Model as Batch;
use crate::compute::yuan;
use crate::line_entity::Model as Line;
use crate::store;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::web::{Id, PageCtx, Q, render};
use gaoxin_rules::eval::Explanation;
use gaoxin_rules::sources::EventKind;

#[derive(Template)]
#[template(path = "award.html")]
struct AwardPage {
    ctx: PageCtx,
    l: Line,
    b: Batch,
    n: Explanation,
    amount: String,
    event: Option<(String, String, String)>,
}

pub(super) async fn award_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
) -> AppResult<Response> {
    let (l, b) = store::visible_line(&state.db, &scope, id).await?;
    let n = store::explanation(&l)?;
    let event = match l.event_id {
        Some(eid) => store::get_event(&state.db, &scope, eid).await.ok().map(|e| {
            (
                EventKind::parse(&e.kind).map(|k| k.label()).unwrap_or("").to_string(),
                e.reference.clone(),
                event_details(&e),
            )
        }),
        None => None,
    };
    Ok(render(&AwardPage {
        ctx: ctx_base(ctx)
            .crumb("policy.batches", "/policies/batches")
            .crumb_text(format!("#{} {}", b.id, b.title), &format!("/policies/batches/{}", b.id))
            .crumb("policy.explain", ""),
        amount: yuan(l.amount),
        l,
        b,
        n,
        event,
    }))
}

struct AwardRow {
    l: Line,
    b: Batch,
    enterprise: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "awards.html")]
struct AwardsPage {
    ctx: PageCtx,
    rows: Vec<AwardRow>,
    total: String,
    own: bool,
}

#[derive(Deserialize, Default)]
pub(super) struct AwardsQuery {
    enterprise: Option<i64>,
}

pub(super) async fn awards_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<AwardsQuery>,
) -> AppResult<Response> {
    let own = scope.own_enterprise();
    let Some(enterprise_id) = own.or(q.enterprise) else {
        // Staff without a chosen enterprise: the evaluation report is the overview.
        return evaluation_page(State(state), scope, ctx).await;
    };
    let lines = store::awards_of_enterprise(&state.db, &scope, enterprise_id).await?;
    let names = store::enterprises_by_id(&state.db, &scope, std::iter::once(enterprise_id)).await?;
    let name = names.get(&enterprise_id).map(|e| e.name.clone()).unwrap_or_default();
    let total: i64 = lines.iter().filter(|(l, _)| !l.excluded).map(|(l, _)| l.amount).sum();
    Ok(render(&AwardsPage {
        ctx: ctx_base(ctx).crumb("policy.awards", ""),
        rows: lines
            .into_iter()
            .filter(|(l, _)| !l.excluded)
            .map(|(l, b)| AwardRow {
                amount: yuan(l.amount),
                enterprise: name.clone(),
                l,
                b,
            })
            .collect(),
        total: yuan(total),
        own: own.is_some(),
    }))
}
