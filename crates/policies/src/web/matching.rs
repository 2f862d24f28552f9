//! Policy matching and push (政策匹配与推送): who qualifies or nearly qualifies for which
//! award, as a page, an .xlsx list to push, and the API.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::ctx_base;
use crate::compute::{self, yuan};
use crate::status::Standing;
use crate::store;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult, ErrorBody};
use gaoxin_platform::web::{Cell as XCell, PageCtx, Q, render, xlsx_download};

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchQuery {
    /// The year whose data is matched (default: last year).
    pub year: Option<i32>,
    /// `policy:award` to list who matches one award (zone staff).
    pub award: Option<String>,
    /// `qualifies` or `near` (default: both).
    pub standing: Option<String>,
}

impl MatchQuery {
    /// The year asked for, or the last full year.
    fn year(&self, this_year: i32) -> i32 {
        self.year.unwrap_or(this_year - 1)
    }
}

/// One match as listed on the page and in the push list.
struct MatchRow {
    enterprise_id: i64,
    enterprise: String,
    uscc: String,
    award: String,
    paid: &'static str,
    on: String,
    standing: Standing,
    estimate: String,
    condition: String,
    gap: String,
}

/// How a match stands: it qualifies when no condition is missed.
fn standing_of(m: &gaoxin_rules::matching::Match) -> Standing {
    if m.miss.is_none() {
        Standing::Qualifies
    } else {
        Standing::Near
    }
}

impl MatchRow {
    /// Whether the enterprise already meets every condition (the page tags the others as near).
    fn qualifies(&self) -> bool {
        self.standing == Standing::Qualifies
    }
}

async fn match_rows(state: &AppState, scope: &Scope, q: &MatchQuery) -> AppResult<Vec<MatchRow>> {
    let lines = store::matches(&state.db, scope, q.year(scope.year())).await?;
    let names = store::enterprises_by_id(&state.db, scope, lines.iter().map(|l| l.enterprise_id)).await?;
    let wanted = q.award.as_deref().filter(|a| !a.is_empty());
    // An unknown or empty standing lists both.
    let standing = q.standing.as_deref().and_then(Standing::of);
    Ok(lines
        .into_iter()
        .filter(|l| wanted.is_none_or(|w| w == format!("{}:{}", l.m.policy, l.m.award)))
        .filter(|l| standing.is_none_or(|s| s == standing_of(&l.m)))
        .map(|l| {
            let e = names.get(&l.enterprise_id);
            MatchRow {
                enterprise_id: l.enterprise_id,
                enterprise: e.map(|e| e.name.clone()).unwrap_or_default(),
                uscc: e.map(|e| e.uscc.clone()).unwrap_or_default(),
                award: l.m.award_name.clone(),
                paid: if l.m.without_application {
                    "免申即享"
                } else {
                    "须申请"
                },
                on: l.on.clone(),
                standing: standing_of(&l.m),
                estimate: l
                    .m
                    .estimate
                    .as_deref()
                    .and_then(|v| v.parse::<Decimal>().ok())
                    .map(|v| yuan(compute::to_fen(v)))
                    .unwrap_or_default(),
                condition: l.m.miss.as_ref().map(|m| m.condition.clone()).unwrap_or_default(),
                gap: l
                    .m
                    .miss
                    .as_ref()
                    .map(|m| format!("现为 {}，要求 {}，差 {}（{}）", m.left, m.right, m.gap, m.relative))
                    .unwrap_or_default(),
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "matches.html")]
struct MatchesPage {
    ctx: PageCtx,
    rows: Vec<MatchRow>,
    year: i32,
    awards: Vec<(String, String)>,
    award: String,
    standing: String,
    own: bool,
    export_query: String,
}

async fn award_choices(state: &AppState, scope: &Scope) -> AppResult<Vec<(String, String)>> {
    let versions = store::active_versions(state.db.conn(), scope.zone_id()).await?;
    let set = compute::policy_set(&store::stored(&versions)).map_err(AppError::BadRequest)?;
    Ok(set
        .policies
        .iter()
        .flat_map(|p| {
            p.awards.iter().map(|a| {
                (
                    format!("{}:{}", p.id, a.id),
                    format!("{} · {}", p.document_number, a.name),
                )
            })
        })
        .collect())
}

pub(super) async fn matches_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<MatchQuery>,
) -> AppResult<Response> {
    let rows = match_rows(&state, &scope, &q).await?;
    let export_query = format!(
        "year={}&award={}&standing={}",
        q.year(scope.year()),
        q.award.clone().unwrap_or_default(),
        q.standing.clone().unwrap_or_default()
    );
    Ok(render(&MatchesPage {
        ctx: ctx_base(ctx).crumb("policy.matches", ""),
        rows,
        year: q.year(scope.year()),
        awards: award_choices(&state, &scope).await?,
        award: q.award.clone().unwrap_or_default(),
        standing: q.standing.clone().unwrap_or_default(),
        own: scope.own_enterprise().is_some(),
        export_query,
    }))
}

pub(super) async fn matches_export(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<MatchQuery>,
) -> AppResult<Response> {
    let rows = match_rows(&state, &scope, &q).await?;
    xlsx_download(
        &format!("{}年度政策匹配与推送名单.xlsx", q.year(scope.year())),
        "推送名单",
        &[
            "企业（机构）名称",
            "统一社会信用代码",
            "奖励项目",
            "兑现方式",
            "依据",
            "匹配情况",
            "预计金额（元，封顶前）",
            "未满足的条件",
            "差距",
        ],
        rows.into_iter()
            .map(|r| {
                vec![
                    XCell::Text(r.enterprise),
                    XCell::Text(r.uscc),
                    XCell::Text(r.award),
                    XCell::Text(r.paid.into()),
                    XCell::Text(r.on),
                    XCell::Text(r.standing.label().into()),
                    XCell::Text(r.estimate),
                    XCell::Text(r.condition),
                    XCell::Text(r.gap),
                ]
            })
            .collect(),
    )
}

#[utoipa::path(get, path = "/api/v1/matches", tag = "policies", params(MatchQuery),
    responses((status = 200, body = [Object]), (status = 401, body = ErrorBody)))]
pub async fn api_matches(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<MatchQuery>,
) -> AppResult<Json<Vec<serde_json::Value>>> {
    let lines = store::matches(&state.db, &scope, q.year(scope.year())).await?;
    Ok(Json(
        lines
            .into_iter()
            .filter(|l| {
                q.award
                    .as_deref()
                    .is_none_or(|w| w.is_empty() || w == format!("{}:{}", l.m.policy, l.m.award))
            })
            .map(|l| {
                serde_json::json!({
                    "enterprise_id": l.enterprise_id,
                    "event_id": l.event_id,
                    "on": l.on,
                    "match": l.m,
                })
            })
            .collect(),
    ))
}
