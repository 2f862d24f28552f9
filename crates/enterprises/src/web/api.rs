//! The enterprises API: the registry with the list page's filters, one enterprise, its
//! annual and innovation data, and the import.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::import::{read_upload, run_import};
use crate::annual_entity as annual;
use crate::domain::tags_from_column;
use crate::entity::Model as Enterprise;
use crate::import::{ImportOptions, ImportReport, source_by_field};
use crate::innovation_entity;
use crate::store;
use gaoxin_core::industry;
use gaoxin_core::quantity::Fixed;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::duties::{self, Duty, Owner};
use gaoxin_platform::error::{AppResult, ErrorBody};
use gaoxin_platform::web::{Id, Q};

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EnterpriseOut {
    pub id: i64,
    pub name: String,
    /// 统一社会信用代码
    pub uscc: String,
    pub industry_code: Option<String>,
    /// 制造业 › … › the code's own name
    pub industry_path: Option<String>,
    pub registered_on: Option<chrono::NaiveDate>,
    pub registered_address: Option<String>,
    pub legal_representative: Option<String>,
    pub principal: Option<String>,
    pub phone: Option<String>,
    pub finance_officer: Option<String>,
    /// 亩, as a decimal string.
    pub land_area_mu: Option<String>,
    pub employees: Option<i32>,
    pub leading_industry: Option<String>,
    pub carrier_id: Option<i64>,
    /// above / below
    pub scale: Option<String>,
    /// active / moved_out / deregistered
    pub status: String,
    pub tags: Vec<String>,
    pub service_officer: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Enterprise> for EnterpriseOut {
    fn from(e: Enterprise) -> EnterpriseOut {
        EnterpriseOut {
            industry_path: e.industry_code.as_deref().map(industry::path_text),
            land_area_mu: e.land_area.map(|r| Fixed::<4>(r).to_string()),
            tags: tags_from_column(e.tags.as_deref()),
            id: e.id,
            name: e.name,
            uscc: e.uscc,
            industry_code: e.industry_code,
            registered_on: e.registered_on,
            registered_address: e.registered_address,
            legal_representative: e.legal_representative,
            principal: e.principal,
            phone: e.phone,
            finance_officer: e.finance_officer,
            employees: e.employees,
            leading_industry: e.leading_industry,
            carrier_id: e.carrier_id,
            scale: e.scale,
            status: e.status,
            service_officer: e.service_officer,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EnterpriseList {
    pub items: Vec<EnterpriseOut>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// Enterprises of the caller's zone with the list page's filters (an enterprise user gets only its own).
#[utoipa::path(get, path = "/api/v1/enterprises", tag = "enterprises", params(store::EnterpriseFilter),
    responses((status = 200, body = EnterpriseList), (status = 401, body = ErrorBody)))]
pub async fn list_enterprises(
    State(state): State<AppState>,
    scope: Scope,
    Q(f): Q<store::EnterpriseFilter>,
) -> AppResult<Json<EnterpriseList>> {
    let (rows, total) = store::search_page(&state.db, &scope, &f).await?;
    let page = f.paging();
    Ok(Json(EnterpriseList {
        items: rows.into_iter().map(EnterpriseOut::from).collect(),
        total,
        page: page.page(),
        per_page: page.per_page(),
    }))
}

/// One enterprise (404 outside the caller's zone, or another enterprise for an enterprise user).
#[utoipa::path(get, path = "/api/v1/enterprises/{id}", tag = "enterprises", params(("id" = i64, Path)),
    responses((status = 200, body = EnterpriseOut), (status = 404, body = ErrorBody)))]
pub async fn get_enterprise(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<EnterpriseOut>> {
    Ok(Json(store::get(&state.db, &scope, id).await?.into()))
}

/// One year of an enterprise's figures; money in 万元 and masses in 吨 as decimal strings.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnnualOut {
    pub year: i32,
    pub revenue: Option<String>,
    pub gross_output: Option<String>,
    pub value_added: Option<String>,
    pub tax: Option<String>,
    pub rd_expense: Option<String>,
    pub energy_tce: Option<String>,
    pub cod: Option<String>,
    pub ammonia: Option<String>,
    pub sulfur_dioxide: Option<String>,
    pub nitrogen_oxides: Option<String>,
    /// 用电量, 万千瓦时.
    pub electricity: Option<String>,
    pub rd_staff: Option<i32>,
    pub tech_staff: Option<i32>,
    pub hitech_revenue: Option<String>,
    pub invention_patents: Option<i32>,
    /// Where each value came from.
    #[schema(value_type = Option<Object>)]
    pub sources: Option<serde_json::Value>,
}

impl From<annual::Model> for AnnualOut {
    fn from(a: annual::Model) -> AnnualOut {
        let w = |v: Option<i64>| v.map(|r| Fixed::<6>(r).to_string());
        let t = |v: Option<i64>| v.map(|r| Fixed::<3>(r).to_string());
        AnnualOut {
            year: a.year,
            revenue: w(a.revenue),
            gross_output: w(a.gross_output),
            value_added: w(a.value_added),
            tax: w(a.tax),
            rd_expense: w(a.rd_expense),
            energy_tce: t(a.energy),
            cod: t(a.cod),
            ammonia: t(a.ammonia),
            sulfur_dioxide: t(a.sulfur_dioxide),
            nitrogen_oxides: t(a.nitrogen_oxides),
            electricity: a.electricity.map(|r| Fixed::<4>(r).to_string()),
            rd_staff: a.rd_staff,
            tech_staff: a.tech_staff,
            hitech_revenue: w(a.hitech_revenue),
            invention_patents: a.invention_patents,
            sources: a.sources_json.map(|s| serde_json::Value::Object(source_by_field(&s))),
        }
    }
}

/// An enterprise's annual data, oldest year first.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/annual", tag = "enterprises", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AnnualOut>), (status = 404, body = ErrorBody)))]
pub async fn get_annual(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<Vec<AnnualOut>>> {
    Ok(Json(
        store::annual_of(&state.db, &scope, id)
            .await?
            .into_iter()
            .map(AnnualOut::from)
            .collect(),
    ))
}

/// Innovation figures of one year (创新指标): money in yuan as decimal strings, valuation in US
/// dollars, market share in percent; absent = unknown.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InnovationOut {
    pub year: i32,
    pub total_staff: Option<i32>,
    pub total_assets: Option<String>,
    pub net_assets: Option<String>,
    pub domestic_rd_expense: Option<String>,
    pub total_cost: Option<String>,
    pub main_revenue: Option<String>,
    pub ip_class1: Option<i32>,
    pub ip_class2: Option<i32>,
    pub achievements_transferred: Option<i32>,
    pub equity_financing: Option<String>,
    pub valuation_usd: Option<String>,
    pub market_share_percent: Option<String>,
    pub rd_institutions: Option<i32>,
    pub rd_management_score: Option<i32>,
    pub ip_quality_score: Option<i32>,
}

impl From<innovation_entity::Model> for InnovationOut {
    fn from(m: innovation_entity::Model) -> InnovationOut {
        let yuan = |v: Option<i64>| v.map(|r| Fixed::<2>(r).to_string());
        InnovationOut {
            year: m.year,
            total_staff: m.total_staff,
            total_assets: yuan(m.total_assets),
            net_assets: yuan(m.net_assets),
            domestic_rd_expense: yuan(m.domestic_rd_expense),
            total_cost: yuan(m.total_cost),
            main_revenue: yuan(m.main_revenue),
            ip_class1: m.ip_class1,
            ip_class2: m.ip_class2,
            achievements_transferred: m.achievements_transferred,
            equity_financing: yuan(m.equity_financing),
            valuation_usd: yuan(m.valuation_usd),
            market_share_percent: m.market_share.map(|r| Fixed::<2>(r).to_string()),
            rd_institutions: m.rd_institutions,
            rd_management_score: m.rd_management_score,
            ip_quality_score: m.ip_quality_score,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/enterprises/{id}/innovation", tag = "enterprises", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<InnovationOut>), (status = 404, description = "不存在或无权查看")))]
pub async fn get_innovation(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
) -> AppResult<Json<Vec<InnovationOut>>> {
    Ok(Json(
        store::innovation_of(&state.db, &scope, id)
            .await?
            .into_iter()
            .map(InnovationOut::from)
            .collect(),
    ))
}

/// Imports a .xlsx/.xls/.csv file (multipart field `file`; fields `kind` = enterprise|annual|innovation,
/// `dry_run`, `update_existing`). 200 with the report; 422 with the report when any cell is wrong
/// (then nothing is written).
#[utoipa::path(post, path = "/api/v1/enterprises/import", tag = "enterprises",
    request_body(content_type = "multipart/form-data", description = "file, kind, dry_run, update_existing"),
    responses((status = 200, body = ImportReport), (status = 422, body = ImportReport), (status = 403, body = ErrorBody)))]
pub async fn api_import(State(state): State<AppState>, scope: Scope, multipart: Multipart) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Registry)]).await?;
    let (file_name, bytes, kind, update_existing, dry_run) = read_upload(multipart).await?;
    let options = ImportOptions {
        update_existing,
        dry_run,
    };
    let (report, _) = run_import(&state, &scope, kind, &file_name, &bytes, options).await?;
    let status = if report.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report)).into_response())
}
