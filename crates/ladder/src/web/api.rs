//! The ladder's JSON API: criteria versions, runs (list, one, start, recheck), a run's
//! candidates, targets, recognitions about to expire, and one enterprise's standing.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::expiring::{ExpiringQuery, expiring_rows};
use super::{parse_margin, parse_year};
use crate::criteria_entity::Model as CriteriaVersion;
use crate::run_entity::Model as Run;
use crate::store::{self, CandidateFilter, TierCounts};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::duties::{self, Duty, Owner};
use gaoxin_platform::error::AppResult;
use gaoxin_platform::web::{Id, Q};
use gaoxin_rules::ladder;

#[derive(Serialize, utoipa::ToSchema)]
pub struct CriteriaOut {
    pub id: i64,
    pub tier: String,
    pub name: String,
    pub criteria: String,
    pub document_number: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    /// A local definition the zone may edit.
    pub local: bool,
    /// SHA-256 of the file.
    pub version: String,
    pub status: String,
}

impl From<CriteriaVersion> for CriteriaOut {
    fn from(v: CriteriaVersion) -> CriteriaOut {
        CriteriaOut {
            id: v.id,
            tier: v.tier,
            name: v.name,
            criteria: v.criteria_id,
            document_number: v.document_number,
            effective_from: v.effective_from,
            effective_to: v.effective_to,
            local: v.local,
            version: v.version,
            status: v.status,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/ladder/criteria", tag = "ladder",
    responses((status = 200, body = Vec<CriteriaOut>)))]
pub async fn api_criteria(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Vec<CriteriaOut>>> {
    Ok(Json(
        store::all_versions(&state.db, &scope)
            .await?
            .into_iter()
            .map(CriteriaOut::from)
            .collect(),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RunOut {
    pub id: i64,
    pub year: i32,
    pub as_of: NaiveDate,
    /// The "within reach" margin, in percent.
    pub margin_percent: i32,
    pub enterprises: i64,
    /// SHA-256 over every enterprise's facts: equal hashes with equal versions give equal results.
    pub input_hash: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub counts: Vec<TierCounts>,
    /// The criteria versions used: [{"tier", "criteria", "version_id", "version"}].
    #[schema(value_type = Vec<Object>)]
    pub criteria: serde_json::Value,
}

impl From<Run> for RunOut {
    fn from(r: Run) -> RunOut {
        RunOut {
            counts: store::counts_of(&r),
            criteria: serde_json::from_str(&r.criteria_versions).unwrap_or_default(),
            id: r.id,
            year: r.year,
            as_of: r.as_of,
            margin_percent: r.margin_bp / 100,
            enterprises: r.enterprise_count,
            input_hash: r.input_hash,
            created_at: r.created_at,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/ladder/runs", tag = "ladder", responses((status = 200, body = Vec<RunOut>)))]
pub async fn api_runs(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Vec<RunOut>>> {
    Ok(Json(
        store::runs(&state.db, &scope)
            .await?
            .into_iter()
            .map(RunOut::from)
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/ladder/runs/{id}", tag = "ladder", params(("id" = i64, Path)),
    responses((status = 200, body = RunOut), (status = 404, description = "不存在")))]
pub async fn api_run(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<RunOut>> {
    Ok(Json(store::get_run(&state.db, &scope, id).await?.into()))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewRun {
    pub year: i32,
    /// The day evaluated (default: 31 December of the year).
    pub as_of: Option<NaiveDate>,
    /// The "within reach" margin in percent (default 20).
    pub margin_percent: Option<u32>,
}

/// Evaluates every enterprise of the zone against every tier in force and stores the run.
#[utoipa::path(post, path = "/api/v1/ladder/runs", tag = "ladder", request_body = NewRun,
    responses((status = 201, body = RunOut), (status = 400, description = "参数有误或没有在用的标准")))]
pub async fn api_run_create(
    State(state): State<AppState>,
    scope: Scope,
    gaoxin_platform::web::ApiJson(body): gaoxin_platform::web::ApiJson<NewRun>,
) -> AppResult<(StatusCode, Json<RunOut>)> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Ladder)]).await?;
    let year = parse_year(&body.year.to_string())?;
    let margin = parse_margin(body.margin_percent.map(|m| m.to_string()).as_deref())?;
    let as_of = body.as_of.unwrap_or_else(|| ladder::default_as_of(year));
    let mut writer = scope.writer(&state).await?;
    let run = store::evaluate_zone(
        &mut writer,
        scope.zone_id(),
        year,
        as_of,
        margin,
        Some(scope.caller().account_id),
    )
    .await?;
    writer.commit().await?;
    Ok((StatusCode::CREATED, Json(run.into())))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CandidateOut {
    pub enterprise_id: i64,
    pub name: String,
    pub uscc: String,
    pub service_officer: Option<String>,
    pub tier: String,
    /// `qualifies`, `unknown`, `fails`.
    pub status: String,
    pub held: bool,
    pub within_reach: bool,
    /// The failing items with their gaps, one per line.
    pub gaps: Vec<String>,
    /// The facts to supply (需补充).
    pub missing: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CandidateQuery {
    /// Tier code (`high_tech`, …).
    pub tier: String,
    /// `qualifies` (可申报), `within_reach` (差一项), `unknown` (需补充数据), `held` (已认定);
    /// default: qualifies and within reach.
    pub kind: Option<String>,
    /// Search in the enterprise's name or 统一社会信用代码.
    pub q: Option<String>,
    pub page: Option<u64>,
    /// 10, 20, 50 or 100.
    pub per_page: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/ladder/runs/{id}/candidates", tag = "ladder",
    params(("id" = i64, Path), CandidateQuery),
    responses((status = 200, body = Vec<CandidateOut>), (status = 404, description = "不存在")))]
pub async fn api_candidates(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Q(q): Q<CandidateQuery>,
) -> AppResult<Json<Vec<CandidateOut>>> {
    let run = store::get_run(&state.db, &scope, id).await?;
    let filter = CandidateFilter {
        kind: q.kind,
        q: q.q,
        page: q.page,
        per_page: q.per_page,
    };
    let (rows, _) = store::candidates(&state.db, &scope, run.id, &q.tier, &filter, false).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(r, e)| CandidateOut {
                enterprise_id: e.id,
                name: e.name,
                uscc: e.uscc,
                service_officer: e.service_officer,
                tier: r.tier,
                status: r.status,
                held: r.held,
                within_reach: r.within_reach,
                gaps: r.gaps.lines().map(str::to_string).collect(),
                missing: r.missing,
            })
            .collect(),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TargetOut {
    pub tier: String,
    pub year: i32,
    pub count: i32,
    pub note: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/ladder/targets", tag = "ladder", responses((status = 200, body = Vec<TargetOut>)))]
pub async fn api_targets(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Vec<TargetOut>>> {
    Ok(Json(
        store::targets(&state.db, &scope)
            .await?
            .into_iter()
            .map(|t| TargetOut {
                tier: t.tier,
                year: t.year,
                count: t.count,
                note: t.note,
            })
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StandingQuery {
    /// The year evaluated (default: last year).
    pub year: Option<i32>,
    /// The day evaluated (default: 31 December of the year).
    pub as_of: Option<NaiveDate>,
}

/// One tier for one enterprise: status, the recognition held, and the deciding route with
/// every condition's value, threshold, gap and the facts to supply.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StandingOut {
    pub tier: String,
    pub name: String,
    pub ladder: String,
    pub local: bool,
    pub document_number: String,
    /// `qualifies`, `unknown`, `fails`.
    pub status: String,
    pub within_reach: bool,
    #[schema(value_type = Option<Object>)]
    pub held: Option<serde_json::Value>,
    pub gaps: Vec<String>,
    pub missing: Vec<String>,
    pub manual: Vec<String>,
    /// `rules::ladder::RouteResult` of the deciding route.
    #[schema(value_type = Object)]
    pub route: serde_json::Value,
}

#[utoipa::path(get, path = "/api/v1/enterprises/{id}/ladder", tag = "ladder",
    params(("id" = i64, Path), StandingQuery),
    responses((status = 200, body = Vec<StandingOut>), (status = 404, description = "不存在或无权查看")))]
pub async fn api_standing(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Q(q): Q<StandingQuery>,
) -> AppResult<Json<Vec<StandingOut>>> {
    let year = q.year.unwrap_or(scope.year() - 1);
    let as_of = q.as_of.unwrap_or_else(|| ladder::default_as_of(year));
    let standings = store::standing(&state.db, &scope, id, year, as_of).await?;
    Ok(Json(
        standings
            .into_iter()
            .map(|s| {
                let best = s.result.best();
                StandingOut {
                    tier: s.result.tier.to_string(),
                    name: s.result.name.to_string(),
                    ladder: s.ladder.clone(),
                    local: s.local,
                    document_number: s.document_number.clone(),
                    status: s.result.status.code().into(),
                    within_reach: s.result.within_reach,
                    held: s.held.as_ref().and_then(|h| serde_json::to_value(h).ok()),
                    gaps: best.gaps(),
                    missing: best.missing(),
                    manual: best.manual(),
                    route: serde_json::to_value(best).unwrap_or_default(),
                }
            })
            .collect(),
    ))
}

/// Re-evaluates a stored run with the criteria versions it recorded and compares every result.
#[utoipa::path(get, path = "/api/v1/ladder/runs/{id}/recheck", tag = "ladder", params(("id" = i64, Path)),
    responses((status = 200, body = store::Recheck), (status = 404, description = "不存在")))]
pub async fn api_recheck(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<store::Recheck>> {
    Ok(Json(store::recheck(&state.db, &scope, id).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ExpiringOut {
    pub enterprise_id: i64,
    pub name: String,
    pub uscc: String,
    pub tier: String,
    pub reference: String,
    pub recognised_on: NaiveDate,
    /// The last day the recognition is valid.
    pub valid_until: Option<NaiveDate>,
    pub service_officer: Option<String>,
}

/// Recognitions whose validity ends within `days` of today (认定到期提醒), soonest first.
#[utoipa::path(get, path = "/api/v1/ladder/expiring", tag = "ladder", params(ExpiringQuery),
    responses((status = 200, body = Vec<ExpiringOut>)))]
pub async fn api_expiring(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<ExpiringQuery>,
) -> AppResult<Json<Vec<ExpiringOut>>> {
    Ok(Json(
        expiring_rows(&state, &scope, &q)
            .await?
            .into_iter()
            .map(|r| ExpiringOut {
                enterprise_id: r.e.id,
                name: r.e.name,
                uscc: r.e.uscc,
                tier: r.tier,
                reference: r.h.reference,
                recognised_on: r.h.date,
                valid_until: r.h.valid_until,
                service_officer: r.e.service_officer,
            })
            .collect(),
    ))
}
