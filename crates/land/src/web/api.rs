//! The JSON API of 亩均效益评价 (`/api/v1/land/…`): schemes, runs (list, one, new, publish,
//! finalize), results, objections, clearance cases and transitions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::clearance::{CaseQuery, case_lines};
use super::results::ObjectionForm;
use super::runs::ResultQuery;
use super::show_points;
use super::transitions::{TransitionQuery, transitions_of};
use crate::result_entity::Model as LandResultRow;
use crate::run_entity::Model as Run;
use crate::status::CaseStatus;
use crate::store::{self, ResultDetail, RunIndicator};
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::duties::{self, Duty, Owner};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{Id, Q};

#[derive(Serialize, utoipa::ToSchema)]
pub struct SchemeOut {
    pub id: i64,
    pub scheme_id: String,
    pub name: String,
    pub group: String,
    pub version: String,
    pub document_number: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub example: bool,
    pub status: String,
    /// Class names in order, best first.
    pub classes: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/land/schemes", tag = "land", responses((status = 200, body = Vec<SchemeOut>)))]
pub async fn api_schemes(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Vec<SchemeOut>>> {
    let mut out = Vec::new();
    for v in store::all_versions(&state.db, &scope).await? {
        let classes = store::parse(&v)?.classes.names.clone();
        out.push(SchemeOut {
            id: v.id,
            scheme_id: v.scheme_id,
            name: v.name,
            group: v.group_label,
            version: v.version,
            document_number: v.document_number,
            effective_from: v.effective_from,
            effective_to: v.effective_to,
            example: v.example,
            status: v.status,
            classes,
        });
    }
    Ok(Json(out))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RunOut {
    pub id: i64,
    pub scheme_version_id: i64,
    pub scheme_id: String,
    pub year: i32,
    pub as_of: NaiveDate,
    /// `draft`, `publicity` (公示) or `final`.
    pub status: String,
    pub publicity_from: Option<NaiveDate>,
    pub publicity_until: Option<NaiveDate>,
    pub enterprises: i64,
    pub ranked: u64,
    pub excluded: u64,
    pub out_of_scope: u64,
    /// [[class, count]] best first.
    #[schema(value_type = Vec<Object>)]
    pub classes: Vec<(String, u64)>,
    /// Each indicator's benchmark, weight and fill as used.
    #[schema(value_type = Vec<Object>)]
    pub indicators: Vec<RunIndicator>,
    pub input_hash: String,
}

impl From<Run> for RunOut {
    fn from(r: Run) -> RunOut {
        let c = store::counts_of(&r);
        RunOut {
            indicators: store::indicators_of(&r),
            id: r.id,
            scheme_version_id: r.scheme_version_id,
            scheme_id: r.scheme_id,
            year: r.year,
            as_of: r.as_of,
            status: r.status,
            publicity_from: r.publicity_from,
            publicity_until: r.publicity_until,
            enterprises: r.enterprise_count,
            ranked: c.ranked,
            excluded: c.excluded,
            out_of_scope: c.out_of_scope,
            classes: c.classes,
            input_hash: r.input_hash,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/land/runs", tag = "land", responses((status = 200, body = Vec<RunOut>)))]
pub async fn api_runs(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Vec<RunOut>>> {
    Ok(Json(
        store::runs(&state.db, &scope)
            .await?
            .into_iter()
            .map(RunOut::from)
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/land/runs/{id}", tag = "land", params(("id" = i64, Path)),
    responses((status = 200, body = RunOut), (status = 404, description = "不存在")))]
pub async fn api_run(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<RunOut>> {
    Ok(Json(store::get_run(state.db.conn(), &scope, id).await?.into()))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewRun {
    /// A scheme version of the zone (or `scheme_id`: its version in use).
    pub scheme_version_id: Option<i64>,
    pub scheme_id: Option<String>,
    pub year: i32,
    /// The day evaluated (default: 31 December of the year).
    pub as_of: Option<NaiveDate>,
}

/// Evaluates the zone's enterprises with a scheme and stores the run as a draft.
#[utoipa::path(post, path = "/api/v1/land/runs", tag = "land", request_body = NewRun,
    responses((status = 201, body = RunOut), (status = 400, description = "参数有误、没有这个方案或没有可参评的企业")))]
pub async fn api_run_create(
    State(state): State<AppState>,
    scope: Scope,
    Json(body): Json<NewRun>,
) -> AppResult<(StatusCode, Json<RunOut>)> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Land)]).await?;
    let mut writer = scope.writer(&state).await?;
    let version = match (body.scheme_version_id, body.scheme_id.as_deref()) {
        (Some(id), _) => store::version_by_id(writer.read(), &scope, id).await?,
        (None, Some(s)) => store::active_versions(writer.read(), scope.zone_id())
            .await?
            .into_iter()
            .find(|v| v.scheme_id == s)
            .ok_or_else(|| AppError::field("scheme_id", format!("没有在用的评价方案“{s}”")))?,
        (None, None) => return Err(AppError::field("scheme_id", "请给出 scheme_version_id 或 scheme_id")),
    };
    let as_of = body
        .as_of
        .unwrap_or_else(|| gaoxin_rules::ladder::default_as_of(body.year));
    let run = store::evaluate_zone(&mut writer, &version, body.year, as_of, Some(scope.caller().account_id)).await?;
    writer.commit().await?;
    Ok((StatusCode::CREATED, Json(run.into())))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ResultOut {
    pub id: i64,
    pub run_id: i64,
    pub enterprise_id: i64,
    pub uscc: String,
    pub name: String,
    /// Null when excluded.
    pub rank: Option<i32>,
    /// The total to 2 decimals, e.g. "87.31"; null when excluded.
    pub score: Option<String>,
    /// The class in force (set by hand when `adjust_reason` is given).
    pub class: String,
    pub computed_class: String,
    pub adjust_reason: Option<String>,
    /// The reason it is not ranked.
    pub excluded: Option<String>,
    /// Indicators (value to 4 decimals, score to 2), adjustments, the exact total.
    #[schema(value_type = Object)]
    pub detail: ResultDetail,
}

fn result_out(r: LandResultRow, e: &Enterprise) -> ResultOut {
    ResultOut {
        detail: store::detail_of(&r),
        id: r.id,
        run_id: r.run_id,
        enterprise_id: r.enterprise_id,
        uscc: e.uscc.clone(),
        name: e.name.clone(),
        rank: r.exclusion_id.is_none().then_some(r.rank),
        score: r.exclusion_id.is_none().then(|| show_points(r.total)),
        class: r.class,
        computed_class: r.computed_class,
        adjust_reason: r.adjust_reason,
        excluded: r.excluded,
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ResultPage_ {
    pub total: u64,
    pub results: Vec<ResultOut>,
}

/// A run's results, ranked first; an enterprise user gets only its own.
#[utoipa::path(get, path = "/api/v1/land/runs/{id}/results", tag = "land", params(("id" = i64, Path), ResultQuery),
    responses((status = 200, body = ResultPage_), (status = 404, description = "不存在")))]
pub async fn api_results(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Q(q): Q<ResultQuery>,
) -> AppResult<Json<ResultPage_>> {
    store::get_run(state.db.conn(), &scope, id).await?;
    let (rows, total) = store::results(&state.db, &scope, id, &q.filter(), false).await?;
    Ok(Json(ResultPage_ {
        total,
        results: rows.into_iter().map(|(r, e)| result_out(r, &e)).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/land/results/{id}", tag = "land", params(("id" = i64, Path)),
    responses((status = 200, body = ResultOut), (status = 404, description = "不存在")))]
pub async fn api_result(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<ResultOut>> {
    let (r, _, e) = store::result_by_id(state.db.conn(), &scope, id).await?;
    Ok(Json(result_out(r, &e)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PublishBody {
    /// Days of 公示 (0–90).
    pub days: i64,
}

#[utoipa::path(post, path = "/api/v1/land/runs/{id}/publish", tag = "land", params(("id" = i64, Path)), request_body = PublishBody,
    responses((status = 200, body = RunOut), (status = 400, description = "不是草稿或天数有误")))]
pub async fn api_publish(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(body): Json<PublishBody>,
) -> AppResult<Json<RunOut>> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Land)]).await?;
    let mut writer = scope.writer(&state).await?;
    let run = store::publish(&mut writer, &scope, id, body.days, scope.today()).await?;
    writer.commit().await?;
    Ok(Json(run.into()))
}

#[utoipa::path(post, path = "/api/v1/land/runs/{id}/finalize", tag = "land", params(("id" = i64, Path)),
    responses((status = 200, body = RunOut), (status = 400, description = "未公示、公示未满或有未处理的异议")))]
pub async fn api_finalize(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<RunOut>> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Land)]).await?;
    let mut writer = scope.writer(&state).await?;
    let run = store::finalize(&mut writer, &scope, id, scope.today(), Some(scope.caller().account_id)).await?;
    writer.commit().await?;
    Ok(Json(run.into()))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ObjectionOut {
    pub id: i64,
    pub result_id: i64,
    pub status: String,
}

/// Files an objection (异议) to a result during 公示.
#[utoipa::path(post, path = "/api/v1/land/results/{id}/objections", tag = "land", params(("id" = i64, Path)),
    request_body = ObjectionForm,
    responses((status = 201, body = ObjectionOut), (status = 400, description = "不在公示期或理由为空")))]
pub async fn api_objection(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(body): Json<ObjectionForm>,
) -> AppResult<(StatusCode, Json<ObjectionOut>)> {
    let mut writer = scope.writer(&state).await?;
    let o = store::file_objection(&mut writer, &scope, id, &body.reason, &body.evidence, scope.today()).await?;
    writer.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(ObjectionOut {
            id: o.id,
            result_id: o.result_id,
            status: o.status,
        }),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CaseOut {
    pub id: i64,
    pub run_id: i64,
    pub enterprise_id: i64,
    pub name: String,
    pub uscc: String,
    /// Route code and name (出清路径).
    pub route: Option<String>,
    pub route_name: String,
    pub actions: String,
    pub department: String,
    pub deadline: Option<NaiveDate>,
    pub status: String,
    pub overdue: bool,
    pub closed_on: Option<NaiveDate>,
    /// 亩, exact.
    pub land_recovered: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/land/clearance", tag = "land", params(CaseQuery), responses((status = 200, body = Vec<CaseOut>)))]
pub async fn api_clearance(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<CaseQuery>,
) -> AppResult<Json<Vec<CaseOut>>> {
    let (rows, _) = store::clearance_cases(&state.db, &scope, &q.filter(), scope.today(), false).await?;
    Ok(Json(
        case_lines(&state, &scope, rows)
            .await?
            .into_iter()
            .map(|l| CaseOut {
                id: l.c.id,
                run_id: l.c.run_id,
                enterprise_id: l.e.id,
                name: l.e.name,
                uscc: l.e.uscc,
                route: l.c.route,
                route_name: l.route.to_string(),
                actions: l.c.actions,
                department: l.department,
                deadline: l.c.deadline,
                status: l.c.status,
                overdue: l.status == CaseStatus::Overdue,
                closed_on: l.c.closed_on,
                land_recovered: (!l.land.is_empty()).then_some(l.land),
            })
            .collect(),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TransitionsOut {
    pub from_run: i64,
    pub to_run: i64,
    /// Row (from) and column (to) labels.
    pub labels: Vec<String>,
    /// counts[from][to].
    pub counts: Vec<Vec<u64>>,
    /// Per group (with `by`): [[name, counts]].
    #[schema(value_type = Vec<Object>)]
    pub groups: Vec<(String, Vec<Vec<u64>>)>,
}

/// Class transitions between two runs (default: the latest runs of the two latest years).
#[utoipa::path(get, path = "/api/v1/land/transitions", tag = "land", params(TransitionQuery),
    responses((status = 200, body = TransitionsOut), (status = 404, description = "少于两次评价")))]
pub async fn api_transitions(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<TransitionQuery>,
) -> AppResult<Json<TransitionsOut>> {
    let (_, from, to, t) = transitions_of(&state, &scope, &q).await?;
    match (from, to, t) {
        (Some(a), Some(b), Some(t)) => Ok(Json(TransitionsOut {
            from_run: a.id,
            to_run: b.id,
            labels: t.labels,
            counts: t.total,
            groups: t.groups,
        })),
        _ => Err(AppError::NotFound),
    }
}
