//! Pages and API of parcels (地块: area, location, carrier, the enterprises on it) and 标准地
//! contracts (control indicators, 初始运行期, completion, checks against the annual data).

use askama::Template;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::contract_entity::Model as Contract;
use super::domain::CheckLine;
use super::parcel_entity::Model as Parcel;
use super::parcels::{self, ContractInput, ParcelInput, ParcelLine, ten_thousandths};
use super::status::{ContractStage, OccupantRole};
use gaoxin_core::roles::{DEPARTMENT_EDITORS, ZONE_READERS};
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::duties::{self, Duty, Owner};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::web::finish;
use gaoxin_platform::web::{Cell as XCell, Id, PageCtx, PageParams, Pager, Q, WebForm, render, xlsx_download};

pub fn routes() -> Routes {
    Routes::new()
        .get("/land/parcels", Access::Roles(ZONE_READERS), parcels_page)
        .post("/land/parcels", Access::Roles(DEPARTMENT_EDITORS), parcel_create)
        .get("/land/parcels/export.xlsx", Access::Roles(ZONE_READERS), parcels_export)
        .get(
            "/land/parcels/template.xlsx",
            Access::Roles(ZONE_READERS),
            parcels_template,
        )
        .upload(
            "/land/parcels/import",
            Access::Roles(DEPARTMENT_EDITORS),
            parcels_import,
        )
        .get("/land/parcels/{id}", Access::Roles(ZONE_READERS), parcel_page)
        .post(
            "/land/parcels/{id}/occupants",
            Access::Roles(DEPARTMENT_EDITORS),
            occupant_add,
        )
        .post(
            "/land/occupants/{id}/delete",
            Access::Roles(DEPARTMENT_EDITORS),
            occupant_remove,
        )
        .post(
            "/land/parcels/{id}/contracts",
            Access::Roles(DEPARTMENT_EDITORS),
            contract_create,
        )
        .get("/land/contracts", Access::Roles(ZONE_READERS), contracts_page)
        .get("/land/contracts/{id}", Access::Roles(ZONE_READERS), contract_page)
        .post(
            "/land/contracts/{id}/completion",
            Access::Roles(DEPARTMENT_EDITORS),
            completion_record,
        )
        .get("/api/v1/land/parcels", Access::Roles(ZONE_READERS), api_parcels)
        .get(
            "/api/v1/land/contracts/{id}/check",
            Access::Roles(ZONE_READERS),
            api_check,
        )
}

fn mu(raw: i64) -> String {
    ten_thousandths(raw).normalize().to_string()
}

fn date_of(raw: &str, field: &'static str, what: &str) -> AppResult<Option<NaiveDate>> {
    match raw.trim() {
        "" => Ok(None),
        s => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::field(field, format!("{what}“{s}”不是日期（应为 2024-12-31）"))),
    }
}

// ---------------------------------------------------------------- parcels

/// Code, name, location or an occupant's name or code contains `q`.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ParcelQuery {
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

struct ParcelRow {
    line: ParcelLine,
    area: String,
    occupants: String,
    shared: bool,
}

fn rows_of(lines: Vec<ParcelLine>) -> Vec<ParcelRow> {
    lines
        .into_iter()
        .map(|line| ParcelRow {
            area: mu(line.parcel.area),
            occupants: line
                .occupants
                .iter()
                .map(|(o, e)| format!("{}（{}）", e.name, OccupantRole::shown(&o.role)))
                .collect::<Vec<_>>()
                .join("、"),
            shared: line.occupants.len() > 1,
            line,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "parcels.html")]
struct ParcelsPage {
    ctx: PageCtx,
    rows: Vec<ParcelRow>,
    pager: Pager,
    q: String,
    can_edit: bool,
    carriers: Vec<(i64, String)>,
    /// The rows of a refused import, each with its row, column and reason.
    errors: Vec<gaoxin_platform::spreadsheet::ImportError>,
}

async fn parcels_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    RawQuery(raw): RawQuery,
    Q(q): Q<ParcelQuery>,
) -> AppResult<Response> {
    let page = PageParams {
        page: q.page,
        per_page: q.per_page,
    };
    let (lines, total) = parcels::parcels(&state.db, &scope, q.q.as_deref(), &page, false).await?;
    let mut carriers: Vec<(i64, String)> = gaoxin_enterprises::store::carrier_names(&state.db, &scope)
        .await?
        .into_iter()
        .collect();
    carriers.sort();
    Ok(render(&ParcelsPage {
        ctx: ctx.crumb("nav.land", "/land").crumb("land.parcels", ""),
        rows: rows_of(lines),
        pager: Pager::new(&page, total, "/land/parcels", raw.as_deref()),
        q: q.q.clone().unwrap_or_default(),
        can_edit: DEPARTMENT_EDITORS.contains(scope.role()),
        carriers,
        errors: Vec::new(),
    }))
}

#[derive(Deserialize)]
struct ParcelForm {
    code: String,
    #[serde(default)]
    name: String,
    area: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    land_use: String,
    #[serde(default)]
    supplied_on: String,
    #[serde(default)]
    carrier_id: String,
    #[serde(default)]
    note: String,
}

async fn parcel_create(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<ParcelForm>,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Parcels)]).await?;
    let result = async {
        let carrier_id = match form.carrier_id.trim() {
            "" => None,
            c => Some(
                c.parse::<i64>()
                    .map_err(|_| AppError::field("carrier_id", "请选择载体"))?,
            ),
        };
        let mut writer = scope.writer(&state).await?;
        let p = parcels::create_parcel(
            &mut writer,
            &scope,
            ParcelInput {
                supplied_on: date_of(&form.supplied_on, "supplied_on", "供地日期")?,
                code: form.code,
                name: form.name,
                area: form.area,
                location: form.location,
                land_use: form.land_use,
                carrier_id,
                note: form.note,
            },
        )
        .await?;
        writer.commit().await?;
        Ok((format!("/land/parcels/{}", p.id), format!("已登记地块 {}", p.code)))
    }
    .await;
    finish(&state, &headers, "/land/parcels", result)
}

async fn parcels_export(State(state): State<AppState>, scope: Scope, Q(q): Q<ParcelQuery>) -> AppResult<Response> {
    let (lines, _) = parcels::parcels(&state.db, &scope, q.q.as_deref(), &PageParams::default(), true).await?;
    let carriers = gaoxin_enterprises::store::carrier_names(&state.db, &scope).await?;
    let headers: Vec<&str> = parcels::PARCEL_COLUMNS.iter().map(|c| c.header).collect();
    xlsx_download(
        "地块.xlsx",
        "地块",
        &headers,
        lines
            .iter()
            .map(|l| parcels::export_row(l, &carriers).into_iter().map(XCell::Text).collect())
            .collect(),
    )
}

async fn parcels_template() -> AppResult<Response> {
    let headers: Vec<String> = parcels::PARCEL_COLUMNS
        .iter()
        .map(|c| {
            if c.required {
                format!("{}*", c.header)
            } else {
                c.header.to_string()
            }
        })
        .collect();
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    xlsx_download(
        "地块导入模板.xlsx",
        "地块",
        &refs,
        vec![
            parcels::PARCEL_COLUMNS
                .iter()
                .map(|c| XCell::Text(format!("（{}）", c.hint)))
                .collect(),
        ],
    )
}

async fn parcels_import(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Parcels)]).await?;
    let (file_name, bytes, _) = gaoxin_platform::uploads::read_multipart(multipart).await?;
    let mut writer = scope.writer(&state).await?;
    match parcels::import_parcels(&mut writer, &scope, &file_name, &bytes).await {
        Ok(r) => {
            writer.commit().await?;
            let message = format!(
                "已导入 {file_name}：新增 {} 个地块，更新 {} 个，未变 {} 个；新增使用企业 {} 家",
                r.new, r.changed, r.unchanged, r.occupants_added
            );
            finish(&state, &headers, "/land/parcels", Ok(("/land/parcels".into(), message)))
        }
        Err(errors) => {
            drop(writer);
            let page = PageParams::default();
            let (lines, total) = parcels::parcels(&state.db, &scope, None, &page, false).await?;
            let mut carriers: Vec<(i64, String)> = gaoxin_enterprises::store::carrier_names(&state.db, &scope)
                .await?
                .into_iter()
                .collect();
            carriers.sort();
            let mut response = render(&ParcelsPage {
                ctx: ctx.crumb("nav.land", "/land").crumb("land.parcels", ""),
                rows: rows_of(lines),
                pager: Pager::new(&page, total, "/land/parcels", None),
                q: String::new(),
                can_edit: true,
                carriers,
                errors,
            });
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

struct ContractRow {
    c: Contract,
    e: Enterprise,
    stage: ContractStage,
}

#[derive(Template)]
#[template(path = "parcel.html")]
struct ParcelPage {
    ctx: PageCtx,
    p: Parcel,
    area: String,
    occupants: Vec<(i64, String, String, &'static str)>,
    contracts: Vec<ContractRow>,
    can_edit: bool,
}

async fn parcel_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let line = parcels::parcel_by_id(state.db.conn(), &scope, id).await?;
    let now = scope.today();
    let contracts = parcels::contracts(&state.db, &scope)
        .await?
        .into_iter()
        .filter(|(c, _, _)| c.parcel_id == id)
        .map(|(c, _, e)| ContractRow {
            stage: parcels::stage(&c, now),
            c,
            e,
        })
        .collect();
    Ok(render(&ParcelPage {
        ctx: ctx
            .crumb("nav.land", "/land")
            .crumb("land.parcels", "/land/parcels")
            .crumb("land.parcel", ""),
        area: mu(line.parcel.area),
        occupants: line
            .occupants
            .iter()
            .map(|(o, e)| (o.id, e.name.clone(), e.uscc.clone(), OccupantRole::shown(&o.role)))
            .collect(),
        p: line.parcel,
        contracts,
        can_edit: DEPARTMENT_EDITORS.contains(scope.role()),
    }))
}

#[derive(Deserialize)]
struct OccupantForm {
    uscc: String,
    role: String,
}

async fn occupant_add(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<OccupantForm>,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Parcels)]).await?;
    let back = format!("/land/parcels/{id}");
    let result = async {
        let mut writer = scope.writer(&state).await?;
        parcels::add_occupant(&mut writer, &scope, id, &form.uscc, &form.role).await?;
        writer.commit().await?;
        Ok((back.clone(), "已添加使用企业".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

async fn occupant_remove(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Parcels)]).await?;
    let result = async {
        let mut writer = scope.writer(&state).await?;
        let parcel = parcels::remove_occupant(&mut writer, &scope, id).await?;
        writer.commit().await?;
        Ok((format!("/land/parcels/{parcel}"), "已移除".to_string()))
    }
    .await;
    finish(&state, &headers, "/land/parcels", result)
}

#[derive(Deserialize)]
struct ContractForm {
    uscc: String,
    contract_no: String,
    signed_on: String,
    #[serde(default)]
    project_name: String,
    #[serde(default)]
    investment_intensity: String,
    #[serde(default)]
    floor_area_ratio: String,
    #[serde(default)]
    tax_per_mu: String,
    #[serde(default)]
    value_added_per_mu: String,
    #[serde(default)]
    output_per_mu: String,
    #[serde(default)]
    energy_value_added: String,
    #[serde(default)]
    emission_value_added: String,
    #[serde(default)]
    rd_share: String,
    #[serde(default)]
    completion_due: String,
    #[serde(default)]
    operating_years: String,
}

async fn contract_create(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<ContractForm>,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Parcels)]).await?;
    let back = format!("/land/parcels/{id}");
    let result = async {
        let signed_on = date_of(&form.signed_on, "signed_on", "签约日期")?
            .ok_or_else(|| AppError::field("signed_on", "请填写签约日期"))?;
        let mut writer = scope.writer(&state).await?;
        let c = parcels::create_contract(
            &mut writer,
            &scope,
            id,
            ContractInput {
                completion_due: date_of(&form.completion_due, "completion_due", "约定竣工日期")?,
                signed_on,
                uscc: form.uscc,
                contract_no: form.contract_no,
                project_name: form.project_name,
                investment_intensity: form.investment_intensity,
                floor_area_ratio: form.floor_area_ratio,
                tax_per_mu: form.tax_per_mu,
                value_added_per_mu: form.value_added_per_mu,
                output_per_mu: form.output_per_mu,
                energy_value_added: form.energy_value_added,
                emission_value_added: form.emission_value_added,
                rd_share: form.rd_share,
                operating_years: form.operating_years,
            },
        )
        .await?;
        writer.commit().await?;
        Ok((
            format!("/land/contracts/{}", c.id),
            format!("已登记标准地合同 {}", c.contract_no),
        ))
    }
    .await;
    finish(&state, &headers, &back, result)
}

// ---------------------------------------------------------------- contracts

struct ContractLine {
    c: Contract,
    p: Parcel,
    e: Enterprise,
    stage: ContractStage,
    /// "3/5 达标" of the checks that could be made.
    summary: String,
}

fn summary(lines: &[CheckLine]) -> String {
    let checked: Vec<&CheckLine> = lines.iter().filter(|l| l.met.is_some()).collect();
    if checked.is_empty() {
        return String::new();
    }
    let met = checked.iter().filter(|l| l.met == Some(true)).count();
    format!("{met}/{} 达标", checked.len())
}

#[derive(Template)]
#[template(path = "contracts.html")]
struct ContractsPage {
    ctx: PageCtx,
    rows: Vec<ContractLine>,
}

async fn contracts_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let now = scope.today();
    let mut rows = Vec::new();
    for (c, p, e) in parcels::contracts(&state.db, &scope).await? {
        let (completion, output) = parcels::check(state.db.conn(), &c, &p, None).await?;
        let mut lines = completion;
        if parcels::stage(&c, now) == ContractStage::Expired
            && let Some((_, o)) = output
        {
            lines.extend(o);
        }
        rows.push(ContractLine {
            stage: parcels::stage(&c, now),
            summary: summary(&lines),
            c,
            p,
            e,
        });
    }
    Ok(render(&ContractsPage {
        ctx: ctx.crumb("nav.land", "/land").crumb("land.contracts", ""),
        rows,
    }))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckQuery {
    /// The year of annual data for the output check (default: the year the 初始运行期 ends).
    pub year: Option<i32>,
}

#[derive(Template)]
#[template(path = "contract.html")]
struct ContractPage {
    ctx: PageCtx,
    c: Contract,
    p: Parcel,
    e: Enterprise,
    area: String,
    stage: ContractStage,
    operating_until: Option<NaiveDate>,
    terms: Vec<(&'static str, String)>,
    completion: Vec<CheckLine>,
    output: Option<(i32, Vec<CheckLine>)>,
    can_edit: bool,
    today: NaiveDate,
    investment: String,
    floor_area: String,
}

async fn contract_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
    Q(q): Q<CheckQuery>,
) -> AppResult<Response> {
    let (c, p, e) = parcels::contract_by_id(state.db.conn(), &scope, id).await?;
    let (completion, output) = parcels::check(state.db.conn(), &c, &p, q.year).await?;
    let t = |v: Option<i64>, unit: &str| v.map(|v| format!("≥ {} {unit}", ten_thousandths(v).normalize()));
    let terms = [
        ("固定资产投资强度", t(c.investment_intensity, "万元/亩")),
        ("容积率", t(c.floor_area_ratio, "")),
        ("亩均税收", t(c.tax_per_mu, "万元/亩")),
        ("亩均增加值", t(c.value_added_per_mu, "万元/亩")),
        ("产出强度", t(c.output_per_mu, "万元/亩")),
        ("单位能耗增加值", t(c.energy_value_added, "万元/吨标准煤")),
        ("单位排放增加值", t(c.emission_value_added, "万元/吨")),
        ("研发经费占营业收入比例", t(c.rd_share, "%")),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v.trim_end().to_string())))
    .collect();
    Ok(render(&ContractPage {
        ctx: ctx
            .crumb("nav.land", "/land")
            .crumb("land.contracts", "/land/contracts")
            .crumb("land.contract", ""),
        area: mu(p.area),
        stage: parcels::stage(&c, scope.today()),
        operating_until: parcels::operating_until(&c),
        investment: c
            .fixed_investment
            .map(|f| (Decimal::new(f, 2) / Decimal::from(10_000)).normalize().to_string())
            .unwrap_or_default(),
        floor_area: c
            .floor_area
            .map(|f| Decimal::new(f, 2).normalize().to_string())
            .unwrap_or_default(),
        can_edit: DEPARTMENT_EDITORS.contains(scope.role()),
        today: scope.today(),
        terms,
        completion,
        output,
        c,
        p,
        e,
    }))
}

#[derive(Deserialize)]
struct CompletionForm {
    completed_on: String,
    fixed_investment: String,
    floor_area: String,
}

async fn completion_record(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<CompletionForm>,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Parcels)]).await?;
    let back = format!("/land/contracts/{id}");
    let result = async {
        let on = date_of(&form.completed_on, "completed_on", "竣工日期")?
            .ok_or_else(|| AppError::field("completed_on", "请填写竣工日期"))?;
        let mut writer = scope.writer(&state).await?;
        parcels::record_completion(&mut writer, &scope, id, on, &form.fixed_investment, &form.floor_area).await?;
        writer.commit().await?;
        Ok((back.clone(), "已登记竣工情况".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

// ---------------------------------------------------------------- API

#[derive(Serialize, utoipa::ToSchema)]
pub struct ParcelOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// 亩, exact.
    pub area: String,
    pub location: String,
    pub land_use: String,
    pub supplied_on: Option<NaiveDate>,
    /// [[enterprise_id, name, "owner" | "tenant"]].
    #[schema(value_type = Vec<Object>)]
    pub occupants: Vec<(i64, String, String)>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ParcelsOut {
    pub total: u64,
    pub parcels: Vec<ParcelOut>,
}

#[utoipa::path(get, path = "/api/v1/land/parcels", tag = "land", params(ParcelQuery), responses((status = 200, body = ParcelsOut)))]
pub async fn api_parcels(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<ParcelQuery>,
) -> AppResult<Json<ParcelsOut>> {
    let page = PageParams {
        page: q.page,
        per_page: q.per_page,
    };
    let (lines, total) = parcels::parcels(&state.db, &scope, q.q.as_deref(), &page, false).await?;
    Ok(Json(ParcelsOut {
        total,
        parcels: lines
            .into_iter()
            .map(|l| ParcelOut {
                id: l.parcel.id,
                code: l.parcel.code,
                name: l.parcel.name,
                area: mu(l.parcel.area),
                location: l.parcel.location,
                land_use: l.parcel.land_use,
                supplied_on: l.parcel.supplied_on,
                occupants: l.occupants.into_iter().map(|(o, e)| (e.id, e.name, o.role)).collect(),
            })
            .collect(),
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CheckOut {
    pub contract_no: String,
    pub stage: String,
    pub operating_until: Option<NaiveDate>,
    /// At 竣工: each indicator's contract floor, actual, met, shortfall and explanation.
    #[schema(value_type = Vec<Object>)]
    pub completion: Vec<CheckLine>,
    /// After the 初始运行期, on the year's annual data.
    pub output_year: Option<i32>,
    #[schema(value_type = Vec<Object>)]
    pub output: Vec<CheckLine>,
}

#[utoipa::path(get, path = "/api/v1/land/contracts/{id}/check", tag = "land", params(("id" = i64, Path), CheckQuery),
    responses((status = 200, body = CheckOut), (status = 404, description = "不存在")))]
pub async fn api_check(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Q(q): Q<CheckQuery>,
) -> AppResult<Json<CheckOut>> {
    let (c, p, _) = parcels::contract_by_id(state.db.conn(), &scope, id).await?;
    let (completion, output) = parcels::check(state.db.conn(), &c, &p, q.year).await?;
    Ok(Json(CheckOut {
        stage: parcels::stage(&c, scope.today()).label().to_string(),
        operating_until: parcels::operating_until(&c),
        contract_no: c.contract_no,
        completion,
        output_year: output.as_ref().map(|(y, _)| *y),
        output: output.map(|(_, o)| o).unwrap_or_default(),
    }))
}
