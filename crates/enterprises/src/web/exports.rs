//! Downloads: the registry, annual data and innovation data as .xlsx (what the list's filters
//! select, or one year), and the three import templates.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::{xlsx, xlsx_error};
use crate::domain::{Scale, Status, tags_from_column};
use crate::innovation;
use crate::sheets::{self, Value, count, number};
use crate::store;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::web::Q;

/// Most rows one export writes.
pub const EXPORT_LIMIT: u64 = 200_000;

/// A text cell, empty when unknown.
fn text(v: &Option<String>) -> Value {
    v.as_ref().map(|s| Value::Text(s.clone())).unwrap_or(Value::Empty)
}

pub(super) async fn export(
    State(state): State<AppState>,
    scope: Scope,
    Q(f): Q<store::EnterpriseFilter>,
) -> AppResult<Response> {
    let rows = store::search_all(&state.db, &scope, &f, EXPORT_LIMIT).await?;
    let carriers = store::carrier_names(&state.db, &scope).await?;
    let cells = rows
        .into_iter()
        .map(|e| {
            vec![
                Value::Text(e.name.clone()),
                Value::Text(e.uscc.clone()),
                text(&e.industry_code),
                e.registered_on.map(Value::Date).unwrap_or(Value::Empty),
                text(&e.registered_address),
                text(&e.legal_representative),
                text(&e.principal),
                text(&e.phone),
                text(&e.finance_officer),
                number::<4>(e.land_area),
                count(e.employees),
                text(&e.leading_industry),
                e.carrier_id
                    .and_then(|c| carriers.get(&c).cloned())
                    .map(Value::Text)
                    .unwrap_or(Value::Empty),
                e.scale
                    .as_deref()
                    .and_then(Scale::parse)
                    .map(|s| Value::Text(s.label().into()))
                    .unwrap_or(Value::Empty),
                Value::Text(Status::parse(&e.status).unwrap_or_default().label().into()),
                {
                    let tags = tags_from_column(e.tags.as_deref());
                    if tags.is_empty() {
                        Value::Empty
                    } else {
                        Value::Text(tags.join("、"))
                    }
                },
                text(&e.service_officer),
            ]
        })
        .collect();
    xlsx(
        sheets::enterprise_export(cells).map_err(xlsx_error)?,
        &format!("企业-{}.xlsx", scope.zone().name),
    )
}

/// The year an export is limited to (all years when absent).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    pub year: Option<i32>,
}

pub(super) async fn annual_export(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<YearQuery>,
) -> AppResult<Response> {
    let rows = store::annual_export_rows(&state.db, &scope, q.year).await?;
    let cells = rows
        .into_iter()
        .map(|(uscc, a)| {
            vec![
                Value::Text(uscc),
                Value::Number(a.year.into()),
                number::<6>(a.revenue),
                number::<6>(a.gross_output),
                number::<6>(a.value_added),
                number::<6>(a.tax),
                number::<6>(a.rd_expense),
                number::<3>(a.energy),
                number::<3>(a.cod),
                number::<3>(a.ammonia),
                number::<3>(a.sulfur_dioxide),
                number::<3>(a.nitrogen_oxides),
                number::<4>(a.electricity),
                count(a.rd_staff),
                count(a.tech_staff),
                number::<6>(a.hitech_revenue),
                count(a.invention_patents),
            ]
        })
        .collect();
    xlsx(
        sheets::annual_export(cells).map_err(xlsx_error)?,
        &format!("年度数据-{}.xlsx", scope.zone().name),
    )
}

pub(super) async fn enterprise_template() -> AppResult<Response> {
    xlsx(sheets::enterprise_template().map_err(xlsx_error)?, "企业导入模板.xlsx")
}

pub(super) async fn annual_template() -> AppResult<Response> {
    xlsx(sheets::annual_template().map_err(xlsx_error)?, "年度数据导入模板.xlsx")
}

pub(super) async fn innovation_template() -> AppResult<Response> {
    xlsx(innovation::template().map_err(xlsx_error)?, "创新指标导入模板.xlsx")
}

pub(super) async fn innovation_export(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<YearQuery>,
) -> AppResult<Response> {
    let rows = store::innovation_export_rows(&state.db, &scope, q.year).await?;
    let cells = rows
        .into_iter()
        .map(|(uscc, m)| innovation::export_cells(uscc, &m))
        .collect();
    xlsx(
        innovation::export(cells).map_err(xlsx_error)?,
        &format!("创新指标-{}.xlsx", scope.zone().name),
    )
}
