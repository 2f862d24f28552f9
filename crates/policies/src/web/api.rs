//! The policy cash-out API: policies in use, events (list and save), batches and their lines,
//! an award's explanation, and the policy calculator.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::event_pages::{cells_of, kind_of};
use crate::compute;
use crate::event_entity::Model as Event;
use crate::events::{self, EventInput};
use crate::store::{self, EventFilter, SaveCounts};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult, ErrorBody};
use gaoxin_platform::spreadsheet::ImportError;
use gaoxin_platform::web::{Id, PageParams, Q};
use gaoxin_rules::eval::{CaseOf, Evaluator, Explanation};
use gaoxin_rules::expr::Value;
use gaoxin_rules::sources::EventKind;

/// A policy in use.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PolicyDto {
    pub id: i64,
    pub policy: String,
    pub version: String,
    pub title: String,
    pub document_number: String,
    pub effective_from: chrono::NaiveDate,
    pub effective_to: Option<chrono::NaiveDate>,
    pub example: bool,
}

#[utoipa::path(get, path = "/api/v1/policies", tag = "policies",
    responses((status = 200, body = [PolicyDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn api_policies(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Vec<PolicyDto>>> {
    Ok(Json(
        store::active_versions(state.db.conn(), scope.zone_id())
            .await?
            .into_iter()
            .map(|v| PolicyDto {
                id: v.id,
                policy: v.policy_id,
                version: v.version,
                title: v.title,
                document_number: v.document_number,
                effective_from: v.effective_from,
                effective_to: v.effective_to,
                example: v.example,
            })
            .collect(),
    ))
}

/// An event, money in yuan as decimal strings.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EventDto {
    pub id: i64,
    pub enterprise_id: i64,
    pub kind: String,
    pub occurred_on: chrono::NaiveDate,
    pub started_on: Option<chrono::NaiveDate>,
    pub reference: String,
    pub category: Option<String>,
    pub level: Option<String>,
    pub amount: Option<String>,
    pub secondary_amount: Option<String>,
    pub quantity: Option<String>,
    pub certified: Option<bool>,
    pub first_time: Option<bool>,
    pub note: Option<String>,
}

fn event_dto(e: Event) -> EventDto {
    let money = |v: Option<i64>| v.map(|v| format!("{:.2}", Decimal::new(v, 2)));
    EventDto {
        id: e.id,
        enterprise_id: e.enterprise_id,
        kind: e.kind,
        occurred_on: e.occurred_on,
        started_on: e.started_on,
        reference: e.reference,
        category: e.category,
        level: e.level,
        amount: money(e.amount),
        secondary_amount: money(e.secondary_amount),
        quantity: e.quantity.map(events::hundredths),
        certified: e.certified,
        first_time: e.first_time,
        note: e.note,
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EventPage {
    pub items: Vec<EventDto>,
    pub total: u64,
}

#[utoipa::path(get, path = "/api/v1/events", tag = "policies", params(EventFilter),
    responses((status = 200, body = EventPage), (status = 401, body = ErrorBody)))]
pub async fn api_events(
    State(state): State<AppState>,
    scope: Scope,
    Q(f): Q<EventFilter>,
) -> AppResult<Json<EventPage>> {
    let (rows, total) = store::search_events(&state.db, &scope, &f).await?;
    Ok(Json(EventPage {
        items: rows.into_iter().map(|(e, _)| event_dto(e)).collect(),
        total,
    }))
}

/// Events of one kind to save: each row's keys as in the import template
/// (`uscc`, `reference`, `occurred_on`, `amount` in yuan, `certified` 是/否 …).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct SaveEvents {
    pub kind: String,
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<HashMap<String, serde_json::Value>>,
}

/// Row-level problems (row 1 = the first row posted).
#[derive(Serialize, utoipa::ToSchema)]
pub struct RowErrors {
    pub errors: Vec<ImportError>,
}

#[utoipa::path(post, path = "/api/v1/events", tag = "policies", request_body = SaveEvents,
    responses((status = 200, body = SaveCounts), (status = 422, body = RowErrors), (status = 403, body = ErrorBody)))]
pub async fn api_save_events(
    State(state): State<AppState>,
    scope: Scope,
    gaoxin_platform::web::ApiJson(body): gaoxin_platform::web::ApiJson<SaveEvents>,
) -> AppResult<Response> {
    use axum::response::IntoResponse;
    let kind = kind_of(Some(&body.kind))?;
    let specs = events::column_specs(kind);
    let header = |k: &str| {
        specs
            .iter()
            .find(|s| s.key == k)
            .map(|s| s.header)
            .unwrap_or("")
            .to_string()
    };
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for (i, row) in body.rows.iter().enumerate() {
        let values: HashMap<String, String> = row
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect();
        for k in values.keys() {
            if !specs.iter().any(|s| s.key == k) {
                errors.push(ImportError {
                    sheet: kind.code().into(),
                    row: i as u32 + 1,
                    column: k.clone(),
                    value: values[k].clone(),
                    reason: format!(
                        "{}没有此字段（可用 {}）",
                        kind.label(),
                        specs.iter().map(|s| s.key).collect::<Vec<_>>().join("、")
                    ),
                });
            }
        }
        match events::parse(kind, &cells_of(&values)) {
            Ok(input) => parsed.push((i, input)),
            Err(problems) => {
                for (k, reason) in problems {
                    errors.push(ImportError {
                        sheet: kind.code().into(),
                        row: i as u32 + 1,
                        column: header(k),
                        value: values.get(k).cloned().unwrap_or_default(),
                        reason,
                    });
                }
            }
        }
    }
    let mut writer = scope.writer(&state).await?;
    let inputs: Vec<EventInput> = parsed.iter().map(|(_, i)| i.clone()).collect();
    let ids = match store::resolve_enterprises(writer.read(), scope.zone_id(), &inputs).await {
        Ok(ids) => ids,
        Err(problems) => {
            for (index, k, reason) in problems {
                errors.push(ImportError {
                    sheet: kind.code().into(),
                    row: parsed[index].0 as u32 + 1,
                    column: header(k),
                    value: inputs[index].uscc.clone(),
                    reason,
                });
            }
            Vec::new()
        }
    };
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(RowErrors { errors })).into_response());
    }
    let rows: Vec<(i64, EventInput)> = ids.into_iter().zip(inputs).collect();
    let counts = store::save_events(
        &mut writer,
        scope.zone_id(),
        kind,
        &rows,
        store::Registrant::of(state.db.conn(), &scope).await?,
    )
    .await?;
    writer.commit().await?;
    Ok(Json(counts).into_response())
}

/// A payment batch.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BatchDto {
    pub id: i64,
    pub year: i32,
    pub title: String,
    /// `draft`, `submitted`, `approved`.
    pub status: String,
    pub line_count: i64,
    /// Yuan, lines not excluded.
    pub total: String,
    pub input_hash: String,
    #[schema(value_type = Object)]
    pub policy_versions: serde_json::Value,
}

#[utoipa::path(get, path = "/api/v1/batches", tag = "policies", params(PageParams),
    responses((status = 200, body = [BatchDto]), (status = 403, body = ErrorBody)))]
pub async fn api_batches(
    State(state): State<AppState>,
    scope: Scope,
    Q(p): Q<PageParams>,
) -> AppResult<Json<Vec<BatchDto>>> {
    let (rows, _) = store::list_batches(&state.db, &scope, &p).await?;
    Ok(Json(
        rows.into_iter()
            .map(|b| BatchDto {
                id: b.id,
                year: b.year,
                title: b.title,
                status: b.status,
                line_count: b.line_count,
                total: format!("{:.2}", Decimal::new(b.total, 2)),
                input_hash: b.input_hash,
                policy_versions: serde_json::from_str(&b.policy_versions).unwrap_or_default(),
            })
            .collect(),
    ))
}

/// An award line.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LineDto {
    pub id: i64,
    pub enterprise_id: i64,
    pub event_id: Option<i64>,
    pub policy: String,
    pub award: String,
    pub award_name: String,
    pub article: String,
    /// Yuan, 2 decimals.
    pub amount: String,
    pub excluded: bool,
    pub exclude_reason: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/batches/{id}/lines", tag = "policies", params(("id" = i64, Path)),
    responses((status = 200, body = [LineDto]), (status = 404, body = ErrorBody)))]
pub async fn api_batch_lines(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<Vec<LineDto>>> {
    let b = store::get_batch(state.db.conn(), scope.zone_id(), id).await?;
    Ok(Json(
        store::batch_lines(state.db.conn(), scope.zone_id(), b.id)
            .await?
            .into_iter()
            .map(|l| LineDto {
                id: l.id,
                enterprise_id: l.enterprise_id,
                event_id: l.event_id,
                policy: l.policy_id,
                award: l.award_id,
                award_name: l.award_name,
                article: l.article_id,
                amount: format!("{:.2}", Decimal::new(l.amount, 2)),
                excluded: l.excluded,
                exclude_reason: l.exclude_reason,
            })
            .collect(),
    ))
}

/// An award line's explanation.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ExplainDto {
    pub line_id: i64,
    pub batch_id: i64,
    pub batch_status: String,
    /// Yuan, 2 decimals.
    pub amount: String,
    #[schema(value_type = Object)]
    pub explanation: serde_json::Value,
}

#[utoipa::path(get, path = "/api/v1/awards/{id}/explain", tag = "policies", params(("id" = i64, Path)),
    responses((status = 200, body = ExplainDto), (status = 404, body = ErrorBody)))]
pub async fn api_explain(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<ExplainDto>> {
    let (l, b) = store::visible_line(&state.db, &scope, id).await?;
    let n = store::explanation(&l)?;
    Ok(Json(ExplainDto {
        line_id: l.id,
        batch_id: b.id,
        batch_status: b.status,
        amount: format!("{:.2}", Decimal::new(l.amount, 2)),
        explanation: serde_json::to_value(n).expect("an explanation serialises"),
    }))
}

/// One case for the calculator: the event kind it is (none: the year's facts) and the values
/// of rule variables by name (missing: 0 / empty).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CalculateCase {
    pub on: Option<String>,
    #[schema(value_type = Object)]
    pub values: HashMap<String, serde_json::Value>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CalculateRequest {
    pub year: i32,
    pub cases: Vec<CalculateCase>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CalculateResponse {
    /// Yuan, 2 decimals.
    pub total: String,
    #[schema(value_type = Vec<Object>)]
    pub awards: Vec<Explanation>,
}

/// 政策计算器: what the zone's policies in use would pay for these cases (nothing is saved;
/// application awards included). Per-recipient caps apply over the cases posted together.
#[utoipa::path(post, path = "/api/v1/policy/calculate", tag = "policies", request_body = CalculateRequest,
    responses((status = 200, body = CalculateResponse), (status = 422, body = ErrorBody)))]
pub async fn api_calculate(
    State(state): State<AppState>,
    scope: Scope,
    gaoxin_platform::web::ApiJson(body): gaoxin_platform::web::ApiJson<CalculateRequest>,
) -> AppResult<Json<CalculateResponse>> {
    let versions = store::active_versions(state.db.conn(), scope.zone_id()).await?;
    let set = compute::policy_set(&store::stored(&versions)).map_err(AppError::BadRequest)?;
    let mut evaluator = Evaluator::new(&set.policies, body.year).map_err(|m| AppError::field("year", m))?;
    let mut notes = Vec::new();
    let mut row = vec![Value::Num(Decimal::ZERO); set.slots.len()];
    let period_year: std::collections::HashSet<&str> = set
        .policies
        .iter()
        .flat_map(|p| p.variables.iter())
        .filter(|v| {
            v.from
                .is_some_and(|f| f.origin == gaoxin_rules::sources::Origin::PeriodYear)
        })
        .map(|v| v.name.as_str())
        .collect();
    for (i, case) in body.cases.iter().enumerate() {
        let of = match case.on.as_deref() {
            None | Some("") | Some("facts") => CaseOf::Facts,
            Some(code) => CaseOf::Event(
                EventKind::parse(code)
                    .ok_or_else(|| AppError::field("on", format!("第 {} 个案例：事件类型“{code}”未知", i + 1)))?,
            ),
        };
        for (name, slot) in &set.slots {
            let raw = match case.values.get(name) {
                // Left out: the year evaluated for `period.year`, the first day of the year for a
                // date, else "did not happen" (0, false, empty) — as in rule tests and CSVs.
                None | Some(serde_json::Value::Null) if period_year.contains(name.as_str()) => body.year.to_string(),
                None | Some(serde_json::Value::Null) if set.kinds[name] == gaoxin_rules::policy::VarKind::Date => {
                    format!("{}-01-01", body.year)
                }
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Bool(b)) => b.to_string(),
                Some(other) => other.to_string(),
            };
            row[*slot] = set.kinds[name]
                .read(&raw)
                .map_err(|m| AppError::field(name, format!("第 {} 个案例的 {name}：{m}", i + 1)))?;
        }
        for name in case.values.keys() {
            if !set.slots.contains_key(name) {
                return Err(AppError::field(
                    name,
                    format!("第 {} 个案例：没有名为“{name}”的规则变量", i + 1),
                ));
            }
        }
        evaluator
            .case_of(of, "calculator", &row, i + 1, Some(&mut notes))
            .map_err(|f| AppError::field("values", format!("第 {} 个案例：{}", i + 1, f.message)))?;
    }
    let outcome = evaluator.finish();
    let total = outcome.totals.first().map(|(_, t)| *t).unwrap_or_default();
    notes.retain(|n| n.amount != "0.00");
    Ok(Json(CalculateResponse {
        total: format!("{total:.2}"),
        awards: notes,
    }))
}
