//! Year on year: the class transitions between two runs (by default the latest runs of the two
//! latest years), overall and per industry or carrier, with each year's class distribution.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use crate::run_entity::Model as Run;
use crate::status::TransitionGroup;
use crate::store::{self, RunCounts};
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{PageCtx, Q, render};

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransitionQuery {
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// `industry` or `carrier` (default: none).
    pub by: Option<String>,
}

#[derive(Template)]
#[template(path = "transitions.html")]
struct TransitionsPage {
    ctx: PageCtx,
    runs: Vec<Run>,
    from: Option<Run>,
    to: Option<Run>,
    by: String,
    t: Option<store::Transitions>,
    chart_json: String,
}

pub(super) async fn transitions_of(
    state: &AppState,
    scope: &Scope,
    q: &TransitionQuery,
) -> AppResult<(Vec<Run>, Option<Run>, Option<Run>, Option<store::Transitions>)> {
    let runs = store::runs(&state.db, scope).await?;
    // Default: the two latest years' latest runs.
    let mut latest: Vec<&Run> = Vec::new();
    for r in &runs {
        if !latest.iter().any(|x| x.year == r.year) {
            latest.push(r);
        }
    }
    let pick = |id: Option<i64>, fallback: Option<&&Run>| -> Option<Run> {
        match id {
            Some(id) => runs.iter().find(|r| r.id == id).cloned(),
            None => fallback.map(|r| (*r).clone()),
        }
    };
    let to = pick(q.to, latest.first());
    let from = pick(q.from, latest.get(1));
    if (q.from.is_some() && from.is_none()) || (q.to.is_some() && to.is_none()) {
        return Err(AppError::NotFound);
    }
    let t = match (&from, &to) {
        (Some(a), Some(b)) => {
            let carriers = gaoxin_enterprises::store::carrier_names(&state.db, scope).await?;
            let by = q.by.clone().unwrap_or_default();
            let group_of = (!by.is_empty()).then_some(|e: &Enterprise| match TransitionGroup::of(&by) {
                Some(TransitionGroup::Industry) => e.leading_industry.clone().unwrap_or_default(),
                Some(TransitionGroup::Carrier) => {
                    e.carrier_id.and_then(|c| carriers.get(&c).cloned()).unwrap_or_default()
                }
                None => String::new(),
            });
            Some(store::transitions(&state.db, scope, a, b, group_of).await?)
        }
        _ => None,
    };
    Ok((runs, from, to, t))
}

pub(super) async fn transitions_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<TransitionQuery>,
) -> AppResult<Response> {
    let (runs, from, to, t) = transitions_of(&state, &scope, &q).await?;
    // The class distribution of each year's latest run, for the chart.
    let mut years: Vec<(i32, RunCounts)> = Vec::new();
    for r in runs.iter().rev() {
        if let Some(slot) = years.iter_mut().find(|(y, _)| *y == r.year) {
            slot.1 = store::counts_of(r);
        } else {
            years.push((r.year, store::counts_of(r)));
        }
    }
    let mut names: Vec<String> = Vec::new();
    for (_, c) in &years {
        for (n, _) in &c.classes {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    let chart_json = gaoxin_platform::web::script_json(&serde_json::json!({
        "years": years.iter().map(|(y, _)| y).collect::<Vec<_>>(),
        "series": names.iter().map(|n| serde_json::json!({
            "name": n,
            "data": years.iter().map(|(_, c)| c.classes.iter().find(|(x, _)| x == n).map_or(0, |(_, k)| *k)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    }));
    Ok(render(&TransitionsPage {
        ctx: ctx.crumb("nav.land", "/land").crumb("land.transitions", ""),
        by: q.by.clone().unwrap_or_default(),
        runs,
        from,
        to,
        t,
        chart_json,
    }))
}
