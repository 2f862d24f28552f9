//! Enterprise pages (list with search, filters and sort; 一企一档; import with preview;
//! templates; exports) and the enterprises API.

use std::collections::HashMap;

use askama::Template;
use axum::Json;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::annual_entity as annual;
use super::domain::{Scale, Status, tags_from_column};
use super::entity::Model as Enterprise;
use super::import::{ImportOptions, ImportReport, import_annual, import_enterprises, import_yearly};
use super::innovation::{self, InnovationSheet};
use super::sheets::{self, Value, count, number};
use super::store;
use gaoxin_core::clock::datetime_text;
use gaoxin_core::industry;
use gaoxin_core::quantity::Fixed;
use gaoxin_core::roles::{DEPARTMENT_EDITORS, ENTERPRISE_READERS, Role, ZONE_READERS};
use gaoxin_platform::AppState;
use gaoxin_platform::audit::entity::Model as AuditLine;
use gaoxin_platform::audit_log as audit;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult, ErrorBody};
use gaoxin_platform::panels::{EnterprisePanels, INNOVATION_CARD_ORDER, PanelSubject};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::uploads::{self, Upload};
use gaoxin_platform::web::{Id, PageCtx, Pager, Q, finish, render};

/// Most rows one export writes.
pub const EXPORT_LIMIT: u64 = 200_000;

pub fn routes() -> Routes {
    Routes::new()
        .get("/enterprises", Access::Roles(ENTERPRISE_READERS), list_page)
        .get("/enterprises/export", Access::Roles(ZONE_READERS), export)
        .get(
            "/enterprises/template.xlsx",
            Access::Roles(ZONE_READERS),
            enterprise_template,
        )
        .get(
            "/enterprises/annual/template.xlsx",
            Access::Roles(ZONE_READERS),
            annual_template,
        )
        .get("/enterprises/annual/export", Access::Roles(ZONE_READERS), annual_export)
        .get(
            "/enterprises/innovation/template.xlsx",
            Access::Roles(ZONE_READERS),
            innovation_template,
        )
        .get(
            "/enterprises/innovation/export",
            Access::Roles(ZONE_READERS),
            innovation_export,
        )
        .get("/enterprises/import", Access::Roles(DEPARTMENT_EDITORS), import_page)
        .upload("/enterprises/import", Access::Roles(DEPARTMENT_EDITORS), import_upload)
        .post(
            "/enterprises/import/{token}/commit",
            Access::Roles(DEPARTMENT_EDITORS),
            import_commit,
        )
        .get(
            "/enterprises/import/{token}/errors.xlsx",
            Access::Roles(DEPARTMENT_EDITORS),
            import_errors_file,
        )
        .get("/enterprises/{id}", Access::Roles(ENTERPRISE_READERS), detail_page)
        .get(
            "/api/v1/enterprises",
            Access::Roles(ENTERPRISE_READERS),
            list_enterprises,
        )
        .get(
            "/api/v1/enterprises/{id}",
            Access::Roles(ENTERPRISE_READERS),
            get_enterprise,
        )
        .get(
            "/api/v1/enterprises/{id}/annual",
            Access::Roles(ENTERPRISE_READERS),
            get_annual,
        )
        .get(
            "/api/v1/enterprises/{id}/innovation",
            Access::Roles(ENTERPRISE_READERS),
            get_innovation,
        )
        .upload(
            "/api/v1/enterprises/import",
            Access::Roles(DEPARTMENT_EDITORS),
            api_import,
        )
}

/// 1234567.5 → "1,234,567.5"
pub fn grouped(value: Decimal) -> String {
    let text = value.normalize().to_string();
    let (sign, rest) = text.strip_prefix('-').map(|r| ("-", r)).unwrap_or(("", text.as_str()));
    let (int, frac) = rest.split_once('.').map(|(i, f)| (i, Some(f))).unwrap_or((rest, None));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

fn fixed<const S: u32>(raw: Option<i64>) -> String {
    raw.map(|r| grouped(Fixed::<S>(r).to_decimal())).unwrap_or_default()
}

/// One row of the enterprise list, ready to show.
pub struct ListRow {
    pub e: Enterprise,
    pub industry: String,
    pub carrier: String,
    pub scale: String,
    pub status: String,
    pub land: String,
    pub tags: Vec<String>,
}

fn list_row(e: Enterprise, carriers: &HashMap<i64, String>) -> ListRow {
    ListRow {
        industry: e
            .industry_code
            .as_deref()
            .and_then(industry::lookup)
            .map(|i| format!("{} {}", i.code, i.name))
            .unwrap_or_default(),
        carrier: e.carrier_id.and_then(|c| carriers.get(&c).cloned()).unwrap_or_default(),
        scale: e
            .scale
            .as_deref()
            .and_then(Scale::parse)
            .map(|s| s.label().to_string())
            .unwrap_or_default(),
        status: Status::parse(&e.status).unwrap_or_default().label().to_string(),
        land: fixed::<4>(e.land_area),
        tags: tags_from_column(e.tags.as_deref()),
        e,
    }
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<ListRow>,
    f: store::EnterpriseFilter,
    pager: Pager,
    industries: Vec<(String, String)>,
    carriers: Vec<(i64, String)>,
    can_import: bool,
    can_export: bool,
    export_query: String,
}

impl ListPage {
    fn v<'a>(&self, value: &'a Option<String>) -> &'a str {
        value.as_deref().unwrap_or("")
    }
}

fn industry_choices() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for section in industry::sections() {
        out.push((section.code.to_string(), format!("{} {}", section.code, section.name)));
        let mut divisions: Vec<_> = industry::all()
            .filter(|i| i.level == industry::Level::Division && i.parent == Some(section.code))
            .collect();
        divisions.sort_by_key(|i| i.code);
        for d in divisions {
            out.push((d.code.to_string(), format!("\u{3000}{} {}", d.code, d.name)));
        }
    }
    out
}

async fn list_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(f): Q<store::EnterpriseFilter>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let (rows, total) = store::search_page(&state.db, &scope, &f).await?;
    let carriers = store::carrier_names(&state.db, &scope).await?;
    let mut carrier_list: Vec<(i64, String)> = carriers.iter().map(|(k, v)| (*k, v.clone())).collect();
    carrier_list.sort_by(|a, b| a.1.cmp(&b.1));
    let export_query: String = raw
        .as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k != "page" && k != "per_page")
                .fold(url::form_urlencoded::Serializer::new(String::new()), |mut s, (k, v)| {
                    s.append_pair(&k, &v);
                    s
                })
                .finish()
        })
        .unwrap_or_default();
    Ok(render(&ListPage {
        ctx: ctx.crumb("nav.enterprises", ""),
        rows: rows.into_iter().map(|e| list_row(e, &carriers)).collect(),
        pager: Pager::new(&f.paging(), total, "/enterprises", raw.as_deref()),
        f,
        industries: industry_choices(),
        carriers: carrier_list,
        can_import: DEPARTMENT_EDITORS.contains(scope.role()),
        can_export: ZONE_READERS.contains(scope.role()),
        export_query,
    }))
}

fn xlsx(bytes: Vec<u8>, file_name: &str) -> AppResult<Response> {
    gaoxin_platform::web::xlsx_response(bytes, file_name)
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Internal(anyhow::anyhow!("xlsx: {e}"))
}

fn text(v: &Option<String>) -> Value {
    v.as_ref().map(|s| Value::Text(s.clone())).unwrap_or(Value::Empty)
}

async fn export(State(state): State<AppState>, scope: Scope, Q(f): Q<store::EnterpriseFilter>) -> AppResult<Response> {
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

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct YearQuery {
    pub year: Option<i32>,
}

async fn annual_export(State(state): State<AppState>, scope: Scope, Q(q): Q<YearQuery>) -> AppResult<Response> {
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

async fn enterprise_template() -> AppResult<Response> {
    xlsx(sheets::enterprise_template().map_err(xlsx_error)?, "企业导入模板.xlsx")
}

async fn annual_template() -> AppResult<Response> {
    xlsx(sheets::annual_template().map_err(xlsx_error)?, "年度数据导入模板.xlsx")
}

async fn innovation_template() -> AppResult<Response> {
    xlsx(innovation::template().map_err(xlsx_error)?, "创新指标导入模板.xlsx")
}

async fn innovation_export(State(state): State<AppState>, scope: Scope, Q(q): Q<YearQuery>) -> AppResult<Response> {
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

// ---------------------------------------------------------------- 一企一档

pub struct AnnualRow {
    pub year: i32,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "detail.html")]
struct DetailPage {
    ctx: PageCtx,
    e: Enterprise,
    fields: Vec<(&'static str, String)>,
    industry_path: String,
    annual: Vec<AnnualRow>,
    chart_json: String,
    history: Vec<(String, AuditLine, String)>,
    own: bool,
    corrections: Vec<(&'static str, super::correction_entity::Model, &'static str)>,
    correctable: Vec<(&'static str, &'static str)>,
    can_review: bool,
    /// Innovation data by year (创新指标), as shown.
    innovation: Vec<AnnualRow>,
    /// Other modules' cards (培育, 亩均, 奖励 …) before and after the innovation card.
    panels_before: Vec<String>,
    panels_after: Vec<String>,
}

fn annual_cells(a: &annual::Model) -> Vec<String> {
    vec![
        fixed::<6>(a.revenue),
        fixed::<6>(a.gross_output),
        fixed::<6>(a.value_added),
        fixed::<6>(a.tax),
        fixed::<6>(a.rd_expense),
        fixed::<3>(a.energy),
        a.rd_staff.map(|n| n.to_string()).unwrap_or_default(),
        a.tech_staff.map(|n| n.to_string()).unwrap_or_default(),
        fixed::<6>(a.hitech_revenue),
        a.invention_patents.map(|n| n.to_string()).unwrap_or_default(),
    ]
}

/// The series of the enterprise page's chart: values in 万元 (null when unknown).
fn chart(rows: &[annual::Model]) -> serde_json::Value {
    let wan = |v: Option<i64>| v.map(|r| Fixed::<6>(r).to_decimal().round_dp(2).to_string());
    serde_json::json!({
        "years": rows.iter().map(|a| a.year.to_string()).collect::<Vec<_>>(),
        "series": [
            {"name": "营业收入", "data": rows.iter().map(|a| wan(a.revenue)).collect::<Vec<_>>()},
            {"name": "税收", "data": rows.iter().map(|a| wan(a.tax)).collect::<Vec<_>>()},
            {"name": "研发经费", "data": rows.iter().map(|a| wan(a.rd_expense)).collect::<Vec<_>>()},
        ],
        "staff": rows.iter().map(|a| a.tech_staff).collect::<Vec<_>>(),
    })
}

async fn detail_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    panels: EnterprisePanels,
    Id(id): Id,
) -> AppResult<Response> {
    let e = store::get(&state.db, &scope, id).await?;
    let annual_rows = store::annual_of(&state.db, &scope, id).await?;
    let carriers = store::carrier_names(&state.db, &scope).await?;
    let row = list_row(e.clone(), &carriers);
    let own = scope.role() == Role::Enterprise;
    let history = if gaoxin_core::roles::AUDIT_READERS.contains(scope.role()) || ZONE_READERS.contains(scope.role()) {
        let mut lines = audit::list(
            &state.db,
            &scope,
            &audit::AuditFilter {
                entity: Some("enterprise".into()),
                entity_id: Some(id.to_string()),
                ..Default::default()
            },
            &gaoxin_platform::web::PageParams {
                page: Some(1),
                per_page: Some(50),
            },
        )
        .await?
        .0;
        for a in &annual_rows {
            lines.extend(
                audit::list(
                    &state.db,
                    &scope,
                    &audit::AuditFilter {
                        entity: Some("annual_data".into()),
                        entity_id: Some(a.id.to_string()),
                        ..Default::default()
                    },
                    &gaoxin_platform::web::PageParams {
                        page: Some(1),
                        per_page: Some(20),
                    },
                )
                .await?
                .0,
            );
        }
        lines.sort_by_key(|l| std::cmp::Reverse(l.id));
        lines
            .into_iter()
            .map(|l| {
                (
                    datetime_text(&l.at),
                    l.clone(),
                    ctx.t(&format!("audit.action.{}", l.action)),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let fields = vec![
        ("统一社会信用代码", e.uscc.clone()),
        ("行业代码", row.industry.clone()),
        (
            "注册日期",
            e.registered_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
        ),
        ("注册地址", e.registered_address.clone().unwrap_or_default()),
        ("法定代表人", e.legal_representative.clone().unwrap_or_default()),
        ("企业负责人", e.principal.clone().unwrap_or_default()),
        ("联系电话", e.phone.clone().unwrap_or_default()),
        ("财务负责人", e.finance_officer.clone().unwrap_or_default()),
        ("用地面积(亩)", row.land.clone()),
        ("从业人员数", e.employees.map(|n| n.to_string()).unwrap_or_default()),
        ("主导产业", e.leading_industry.clone().unwrap_or_default()),
        ("所属载体", row.carrier.clone()),
        ("企业规模", row.scale.clone()),
        ("经营状态", row.status.clone()),
        ("标签", row.tags.join("、")),
        ("服务专员", e.service_officer.clone().unwrap_or_default()),
    ];
    let corrections = super::corrections::of_enterprise(&state, &scope, id)
        .await?
        .into_iter()
        .map(|c| {
            let field = super::corrections::header_of(&c.field);
            let status = super::corrections::status_label(&c.status);
            (field, c, status)
        })
        .collect();
    let ctx = if own {
        ctx
    } else {
        ctx.crumb("nav.enterprises", "/enterprises")
    };
    let innovation = store::innovation_of(&state.db, &scope, id)
        .await?
        .iter()
        .map(|m| AnnualRow {
            year: m.year,
            cells: innovation::record_cells(m),
        })
        .collect();
    let subject = PanelSubject {
        enterprise_id: id,
        latest_year: annual_rows.last().map(|a| a.year),
    };
    let (mut panels_before, mut panels_after) = (Vec::new(), Vec::new());
    for panel in panels.in_order() {
        if let Some(card) = panel.render(&state, &scope, &ctx, subject).await? {
            if panel.order() < INNOVATION_CARD_ORDER {
                panels_before.push(card);
            } else {
                panels_after.push(card);
            }
        }
    }
    Ok(render(&DetailPage {
        innovation,
        panels_before,
        panels_after,
        corrections,
        correctable: super::corrections::correctable().collect(),
        can_review: DEPARTMENT_EDITORS.contains(scope.role()),
        ctx: ctx.crumb_text(e.name.clone(), ""),
        industry_path: e.industry_code.as_deref().map(industry::path_text).unwrap_or_default(),
        annual: annual_rows
            .iter()
            .map(|a| AnnualRow {
                year: a.year,
                cells: annual_cells(a),
            })
            .collect(),
        chart_json: chart(&annual_rows).to_string(),
        history,
        fields,
        e,
        own,
    }))
}

// ---------------------------------------------------------------- import pages

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: PageCtx,
    error: Option<String>,
}

async fn import_page(ctx: PageCtx) -> Response {
    render(&ImportPage {
        ctx: ctx
            .crumb("nav.enterprises", "/enterprises")
            .crumb("enterprise.import", ""),
        error: None,
    })
}

#[derive(Template)]
#[template(path = "preview.html")]
struct PreviewPage {
    ctx: PageCtx,
    report: ImportReport,
    token: String,
    kind: String,
    has_annotated: bool,
}

/// Reads the multipart form: the file, its name, and the options.
async fn read_upload(mut multipart: Multipart) -> AppResult<(String, Vec<u8>, String, bool, bool)> {
    let (mut file_name, mut bytes) = (String::new(), Vec::new());
    let (mut kind, mut update_existing, mut dry_run) = ("enterprise".to_string(), false, false);
    let mut saw_update = false;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("上传内容有误：{e}")))?
    {
        match field.name().unwrap_or("") {
            "file" => {
                file_name = field.file_name().unwrap_or("upload.xlsx").to_string();
                bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::BadRequest("文件过大或上传中断（最多 64 MB）".into()))?
                    .to_vec();
            }
            "kind" => kind = field.text().await.unwrap_or_default(),
            "update_existing" => {
                saw_update = true;
                update_existing = matches!(field.text().await.unwrap_or_default().as_str(), "on" | "true" | "1");
            }
            "dry_run" => dry_run = matches!(field.text().await.unwrap_or_default().as_str(), "on" | "true" | "1"),
            _ => {}
        }
    }
    if bytes.is_empty() {
        return Err(AppError::field("file", "请选择要导入的文件"));
    }
    if !matches!(kind.as_str(), "enterprise" | "annual" | "innovation") {
        return Err(AppError::field(
            "kind",
            "导入类型只能是 enterprise（企业）、annual（年度数据）或 innovation（创新指标）",
        ));
    }
    Ok((
        file_name,
        bytes,
        kind,
        if saw_update { update_existing } else { true },
        dry_run,
    ))
}

async fn run_import(
    state: &AppState,
    scope: &Scope,
    kind: &str,
    file_name: &str,
    bytes: &[u8],
    options: ImportOptions,
) -> AppResult<(ImportReport, Option<Vec<u8>>)> {
    if !scope.role().may_write() {
        return Err(AppError::Forbidden);
    }
    let ctx = scope.write_context();
    match kind {
        "annual" => import_annual(&state.db, ctx, file_name, bytes, options).await,
        "innovation" => import_yearly::<InnovationSheet>(&state.db, ctx, file_name, bytes, options).await,
        _ => import_enterprises(&state.db, ctx, file_name, bytes, options).await,
    }
}

async fn import_upload(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    multipart: Multipart,
) -> AppResult<Response> {
    let (file_name, bytes, kind, update_existing, _) = match read_upload(multipart).await {
        Ok(v) => v,
        Err(AppError::Validation { message, .. }) => {
            return Ok(render(&ImportPage {
                ctx: ctx
                    .crumb("nav.enterprises", "/enterprises")
                    .crumb("enterprise.import", ""),
                error: Some(message),
            }));
        }
        Err(e) => return Err(e),
    };
    let options = ImportOptions {
        update_existing,
        dry_run: true,
    };
    let (report, annotated) = run_import(&state, &scope, &kind, &file_name, &bytes, options).await?;
    let token = uploads::save(
        &Upload {
            file_name,
            kind: kind.clone(),
            zone_id: scope.zone_id(),
            account_id: scope.caller().account_id,
            update_existing,
        },
        &bytes,
    )?;
    let status = if report.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(&PreviewPage {
        ctx: ctx
            .crumb("nav.enterprises", "/enterprises")
            .crumb("enterprise.import_preview", ""),
        has_annotated: annotated.is_some(),
        report,
        token,
        kind,
    });
    *response.status_mut() = status;
    Ok(response)
}

async fn import_commit(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (meta, bytes) = uploads::load(&token, scope.caller().account_id, scope.zone_id())?;
    let options = ImportOptions {
        update_existing: meta.update_existing,
        dry_run: false,
    };
    let (report, _) = run_import(&state, &scope, &meta.kind, &meta.file_name, &bytes, options).await?;
    if !report.errors.is_empty() {
        let refused = AppError::BadRequest("文件有错误，未导入：请修改后重新上传".into());
        return finish(&state, &headers, "/enterprises/import", Err(refused));
    }
    uploads::remove(&token);
    let what = match meta.kind.as_str() {
        "annual" => "年度数据",
        "innovation" => "创新指标",
        _ => "企业",
    };
    let message = format!(
        "已导入{what}“{}”：新增 {}，更新 {}，不变 {}",
        meta.file_name, report.new, report.changed, report.unchanged
    );
    finish(
        &state,
        &headers,
        "/enterprises/import",
        Ok(("/enterprises".into(), message)),
    )
}

async fn import_errors_file(
    State(state): State<AppState>,
    scope: Scope,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (meta, bytes) = uploads::load(&token, scope.caller().account_id, scope.zone_id())?;
    let options = ImportOptions {
        update_existing: meta.update_existing,
        dry_run: true,
    };
    let (_, annotated) = run_import(&state, &scope, &meta.kind, &meta.file_name, &bytes, options).await?;
    let annotated = annotated.ok_or(AppError::NotFound)?;
    let stem = meta
        .file_name
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(&meta.file_name);
    xlsx(annotated, &format!("{stem}-错误说明.xlsx"))
}

// ---------------------------------------------------------------- API

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
            sources: a
                .sources_json
                .map(|s| serde_json::Value::Object(super::import::source_by_field(&s))),
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

impl From<crate::innovation_entity::Model> for InnovationOut {
    fn from(m: crate::innovation_entity::Model) -> InnovationOut {
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
    let (file_name, bytes, kind, update_existing, dry_run) = read_upload(multipart).await?;
    let options = ImportOptions {
        update_existing,
        dry_run,
    };
    let (report, _) = run_import(&state, &scope, &kind, &file_name, &bytes, options).await?;
    let status = if report.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report)).into_response())
}
