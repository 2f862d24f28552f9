//! Pages and API of the targets: the list with each target's status and explanation (filtered
//! by year, department, status; exported as on screen), a target's page with its reports and the
//! report form, the new-target form; `/api/v1/targets…`.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::domain::{TargetDraft, TargetLine};
use crate::entities::report;
use crate::store::{self, Filter};
use gaoxin_core::roles::{ADMINS, DEPARTMENT_EDITORS, Role, ZONE_READERS};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::duties::{self, Owner};
use gaoxin_platform::departments::entity::Model as Department;
use gaoxin_platform::error::{AppError, AppResult, ErrorBody};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::web::{
    ApiJson, Cell, Id, PageCtx, Q, WebForm, finish, render, render_with_status, xlsx_download, xlsx_response,
};

pub fn routes() -> Routes {
    Routes::new()
        .get("/targets", Access::Roles(ZONE_READERS), list_page)
        .get("/targets/export", Access::Roles(ZONE_READERS), export)
        .get("/targets/template.xlsx", Access::Roles(ZONE_READERS), template_download)
        .get("/targets/import", Access::Roles(ADMINS), import_page)
        .get("/targets/from-plan", Access::Roles(ADMINS), from_plan_page)
        .post("/targets/from-plan", Access::Roles(ADMINS), from_plan_form)
        .upload("/targets/import", Access::Roles(ADMINS), import_upload)
        .upload("/api/v1/targets/import", Access::Roles(ADMINS), api_import)
        .post("/targets", Access::Roles(DEPARTMENT_EDITORS), create_form)
        .get("/targets/{id}", Access::Roles(ZONE_READERS), target_page)
        .post("/targets/{id}/reports", Access::Roles(DEPARTMENT_EDITORS), report_form)
        .get("/api/v1/targets", Access::Roles(ZONE_READERS), list_targets)
        .post("/api/v1/targets", Access::Roles(DEPARTMENT_EDITORS), create_target)
        .get("/api/v1/targets/{id}", Access::Roles(ZONE_READERS), get_target)
        .get("/api/v1/target-metrics", Access::Roles(ZONE_READERS), list_metrics)
        .post(
            "/api/v1/targets/{id}/reports",
            Access::Roles(DEPARTMENT_EDITORS),
            report_target,
        )
}

/// The list's query: `year`, `month` (assessed at its end; default today), `department_id`,
/// `status`, `q`.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub year: Option<String>,
    /// `2026-11`: the status as it stood at that month's end.
    pub month: Option<String>,
    pub department_id: Option<String>,
    /// ahead, on_track, behind, severely_behind or missing.
    pub status: Option<String>,
    pub q: Option<String>,
}

impl ListQuery {
    fn filter(&self, default_year: i32) -> AppResult<Filter> {
        let number = |raw: &Option<String>, field: &str, what: &str| -> AppResult<Option<i64>> {
            match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => s
                    .parse()
                    .map(Some)
                    .map_err(|_| AppError::field(field, format!("{what}“{s}”应为数字"))),
            }
        };
        let year = number(&self.year, "year", "年度")?.map(|y| y as i32);
        let year = match (&self.month, year) {
            (_, Some(y)) => Some(y),
            (Some(m), None) if !m.trim().is_empty() => Some(crate::domain::parse_month(m)?.0),
            _ => Some(default_year),
        };
        Ok(Filter {
            year,
            department_id: number(&self.department_id, "department_id", "部门")?,
            status: self.status.clone().filter(|s| !s.trim().is_empty()),
            q: self.q.clone(),
        })
    }
}

/// A target with where it stands.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TargetOut {
    pub id: i64,
    pub name: String,
    pub unit: String,
    /// `2026`, `2026-H1`, `2026-Q3` or `2026-03`.
    pub period: String,
    pub period_label: String,
    pub value_low: String,
    pub value_high: Option<String>,
    /// at_least or at_most.
    pub direction: String,
    pub goal: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    /// entered, import or plan.
    pub origin: String,
    /// reported (the owning department reports the figure to date each month) or computed
    /// (from gaoxin's own data by `metric`).
    pub method: String,
    /// The computed metric's code (`GET /api/v1/target-metrics`).
    pub metric: Option<String>,
    pub metric_name: Option<String>,
    /// Monthly weights (empty: linear).
    pub profile: String,
    pub note: Option<String>,
    /// The day the status is assessed at: the end of the month last reported (or the day asked
    /// for, when earlier).
    pub as_of: String,
    /// The figure to date, as last reported (decimal string).
    pub actual: Option<String>,
    pub actual_month: Option<String>,
    pub expected_percent: Option<String>,
    pub actual_percent: Option<String>,
    pub gap_pp: Option<String>,
    /// ahead, on_track, behind, severely_behind, or missing (nothing reported yet).
    pub status: String,
    pub status_label: String,
    pub explanation: String,
}

fn out(line: &TargetLine, departments: &[Department]) -> TargetOut {
    let t = &line.target;
    let a = line.assessment.as_ref();
    TargetOut {
        id: t.id,
        name: t.name.clone(),
        unit: t.unit.clone(),
        period: t.period.clone(),
        period_label: line.period.label(),
        value_low: t.value_low.clone(),
        value_high: t.value_high.clone(),
        direction: t.direction.clone(),
        goal: line.goal_text.clone(),
        department_id: t.department_id,
        department_name: departments
            .iter()
            .find(|d| Some(d.id) == t.department_id)
            .map(|d| d.name.clone()),
        origin: t.origin.clone(),
        method: t.method.clone(),
        metric: t.metric.clone(),
        metric_name: t
            .metric
            .as_deref()
            .and_then(crate::metrics::by_code)
            .map(|m| m.name.to_string()),
        profile: t.profile.clone(),
        note: t.note.clone(),
        as_of: line.as_of.to_string(),
        actual: line.actual.map(|v| v.normalize().to_string()),
        actual_month: line.actual_month.clone(),
        expected_percent: a.map(|a| a.expected_percent.to_string()),
        actual_percent: a.map(|a| a.actual_percent.to_string()),
        gap_pp: a.map(|a| a.gap_pp.to_string()),
        status: line.status_code().into(),
        status_label: line.status_label().into(),
        explanation: line.explanation(),
    }
}

/// A list answer: `{"items", "total"}` like every list.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TargetList {
    pub items: Vec<TargetOut>,
    pub total: u64,
}

async fn listed(state: &AppState, scope: &Scope, q: &ListQuery) -> AppResult<(Vec<TargetOut>, i32, Vec<i32>)> {
    let conn = state.db.conn();
    let (years, default_year) = store::years(conn, scope).await?;
    let filter = q.filter(default_year)?;
    let as_of = store::as_of(q.month.as_deref(), scope.today())?;
    let lines = store::lines(conn, scope, &filter, as_of).await?;
    let departments = gaoxin_platform::departments::store::all(&state.db, scope, None).await?;
    Ok((
        lines.iter().map(|l| out(l, &departments)).collect(),
        filter.year.unwrap_or(default_year),
        years,
    ))
}

/// The zone's targets with their status against 序时进度 and its explanation.
#[utoipa::path(get, path = "/api/v1/targets", tag = "targets", params(ListQuery),
    responses((status = 200, description = "目标及其序时进度", body = TargetList),
              (status = 422, description = "查询参数有误", body = ErrorBody)))]
pub async fn list_targets(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<ListQuery>,
) -> AppResult<Json<TargetList>> {
    let (items, _, _) = listed(&state, &scope, &q).await?;
    Ok(Json(TargetList {
        total: items.len() as u64,
        items,
    }))
}

/// A target to create: `value` is a figure (`130`) or a range (`1—2`); `period` as
/// `2026`, `2026-H1`, `2026-Q3`, `2026-03` (or 2026年第三季度 …).
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewTarget {
    pub name: String,
    /// Required unless `metric` gives it.
    #[serde(default)]
    pub unit: String,
    pub period: String,
    pub value: String,
    /// at_least (default) or at_most.
    #[serde(default)]
    pub direction: String,
    /// 12 monthly weights, e.g. `1,1,2,2,2,2,2,2,2,2,2,2`; empty: linear.
    #[serde(default)]
    pub profile: String,
    pub department_id: Option<i64>,
    #[serde(default)]
    pub note: String,
    /// A metric of the catalogue (code or name): the target is then computed from gaoxin's own
    /// data, and `unit` may be left out (the metric's).
    #[serde(default)]
    pub metric: Option<String>,
}

impl NewTarget {
    fn draft(&self) -> TargetDraft {
        let metric = self.metric.as_deref().and_then(|m| {
            crate::metrics::CATALOGUE
                .iter()
                .find(|x| x.code == m.trim() || x.name == m.trim())
        });
        TargetDraft {
            name: self.name.clone(),
            unit: match metric {
                Some(m) if self.unit.trim().is_empty() => m.unit.to_string(),
                _ => self.unit.clone(),
            },
            metric: self.metric.clone().unwrap_or_default(),
            period: self.period.clone(),
            value: self.value.clone(),
            direction: self.direction.clone(),
            profile: self.profile.clone(),
            note: self.note.clone(),
        }
    }
}

/// Staff set targets for their own department; the admin for any (or for none).
async fn create(state: &AppState, scope: &Scope, body: &NewTarget) -> AppResult<i64> {
    let spec = body
        .draft()
        .check()
        .map_err(|errors| AppError::from(errors.into_iter().next().expect("a refusal names a field")))?;
    let mut writer = scope.writer(state).await?;
    duties::ensure(writer.read(), scope, &[Owner::Department(body.department_id)]).await?;
    let t = store::create(&mut writer, scope, spec, body.department_id, "entered").await?;
    writer.commit().await?;
    Ok(t.id)
}

/// Creates a target (admin; staff for their own department).
#[utoipa::path(post, path = "/api/v1/targets", tag = "targets", request_body = NewTarget,
    responses((status = 201, description = "已创建", body = TargetOut),
              (status = 403, description = "不是本部门的目标", body = ErrorBody),
              (status = 409, description = "同一期间已有同名目标", body = ErrorBody),
              (status = 422, description = "字段有误", body = ErrorBody)))]
pub async fn create_target(
    State(state): State<AppState>,
    scope: Scope,
    ApiJson(body): ApiJson<NewTarget>,
) -> AppResult<Response> {
    let id = create(&state, &scope, &body).await?;
    let one = one(&state, &scope, id).await?;
    Ok((StatusCode::CREATED, Json(one.target)).into_response())
}

/// A report as the API shows it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportOut {
    pub month: String,
    pub value: String,
    pub note: Option<String>,
    pub updated_at: String,
}

/// A target with its reports, latest month first.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TargetDetail {
    #[serde(flatten)]
    pub target: TargetOut,
    pub reports: Vec<ReportOut>,
    /// A computed target's definition and what makes its figure (firms, projects, batches,
    /// tasks), by date.
    pub definition: Option<String>,
    pub items: Vec<crate::metrics::Item>,
}

/// A target with its status today, its reports and, when computed, what makes its figure.
struct One {
    target: TargetOut,
    reports: Vec<report::Model>,
    items: Vec<crate::metrics::Item>,
}

async fn one(state: &AppState, scope: &Scope, id: i64) -> AppResult<One> {
    let conn = state.db.conn();
    let t = store::find(conn, scope, id).await?;
    let reports = store::reports(conn, scope, id).await?;
    let thresholds = gaoxin_platform::settings::schedule_thresholds(conn, scope.zone_id()).await?;
    let computed = store::computed(conn, scope, &t, scope.today()).await?;
    let line = crate::domain::assess(&t, &reports, computed.as_ref().map(|c| c.0), scope.today(), &thresholds);
    let departments = gaoxin_platform::departments::store::all(&state.db, scope, None).await?;
    Ok(One {
        target: out(&line, &departments),
        reports,
        items: computed.map(|c| c.1).unwrap_or_default(),
    })
}

fn definition(t: &TargetOut) -> Option<String> {
    t.metric
        .as_deref()
        .and_then(crate::metrics::by_code)
        .map(|m| m.definition.to_string())
}

fn reports_out(reports: Vec<report::Model>) -> Vec<ReportOut> {
    reports
        .into_iter()
        .map(|r| ReportOut {
            month: r.month,
            value: r.value,
            note: r.note,
            updated_at: r.updated_at.to_rfc3339(),
        })
        .collect()
}

/// One target with its status today and its reports.
#[utoipa::path(get, path = "/api/v1/targets/{id}", tag = "targets", params(("id" = i64, Path, description = "目标 id")),
    responses((status = 200, description = "目标、序时进度和各月填报", body = TargetDetail),
              (status = 404, description = "没有这个目标", body = ErrorBody)))]
pub async fn get_target(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<TargetDetail>> {
    let one = one(&state, &scope, id).await?;
    Ok(Json(TargetDetail {
        definition: definition(&one.target),
        target: one.target,
        reports: reports_out(one.reports),
        items: one.items,
    }))
}

/// A metric of the catalogue computed targets use.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MetricOut {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub definition: String,
}

/// The catalogue of metrics a target can be computed by, each with its definition.
#[utoipa::path(get, path = "/api/v1/target-metrics", tag = "targets",
    responses((status = 200, description = "计算指标目录", body = Vec<MetricOut>)))]
pub async fn list_metrics() -> Json<Vec<MetricOut>> {
    Json(
        crate::metrics::CATALOGUE
            .iter()
            .map(|m| MetricOut {
                code: m.code.into(),
                name: m.name.into(),
                unit: m.unit.into(),
                definition: m.definition.into(),
            })
            .collect(),
    )
}

/// A figure to date at a month's end.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewReport {
    /// `2026-11`.
    pub month: String,
    /// The cumulative figure at the month's end.
    pub value: String,
    #[serde(default)]
    pub note: String,
}

async fn save_report(state: &AppState, scope: &Scope, id: i64, body: &NewReport) -> AppResult<()> {
    let mut writer = scope.writer(state).await?;
    let t = store::find(writer.read(), scope, id).await?;
    duties::ensure(writer.read(), scope, &[Owner::Department(t.department_id)]).await?;
    store::report(&mut writer, scope, &t, &body.month, &body.value, &body.note).await?;
    writer.commit().await?;
    Ok(())
}

/// Reports the figure to date at a month's end (the owning department's staff, or the admin).
/// A month closes 10 days after its end; later only the admin corrects it.
#[utoipa::path(post, path = "/api/v1/targets/{id}/reports", tag = "targets", request_body = NewReport,
    params(("id" = i64, Path, description = "目标 id")),
    responses((status = 200, description = "已填报；返回目标的最新状态", body = TargetDetail),
              (status = 403, description = "不是本部门的目标", body = ErrorBody),
              (status = 404, description = "没有这个目标", body = ErrorBody),
              (status = 422, description = "月份或数值有误，或该月已结账", body = ErrorBody)))]
pub async fn report_target(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    ApiJson(body): ApiJson<NewReport>,
) -> AppResult<Json<TargetDetail>> {
    save_report(&state, &scope, id, &body).await?;
    get_target(State(state), scope, Id(id)).await
}

// ---------------------------------------------------------------- pages

#[derive(Template)]
#[template(path = "targets/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<TargetOut>,
    q: ListQuery,
    year: i32,
    years: Vec<i32>,
    departments: Vec<Department>,
    counts: Vec<(String, &'static str, usize)>,
    can_create: bool,
    metrics: &'static [crate::metrics::Metric],
    is_admin: bool,
    own_department: Option<i64>,
}

impl ListPage {
    fn is_own(&self, id: &i64) -> bool {
        self.own_department == Some(*id)
    }

    fn selected(&self, field: &Option<String>, value: &str) -> bool {
        field.as_deref() == Some(value)
    }
}

async fn list_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<ListQuery>,
) -> AppResult<Response> {
    let (rows, year, years) = listed(&state, &scope, &q).await?;
    let mut counts: Vec<(String, &'static str, usize)> = gaoxin_core::schedule::Status::ALL
        .iter()
        .map(|s| {
            (
                s.code().to_string(),
                s.label(),
                rows.iter().filter(|r| r.status == s.code()).count(),
            )
        })
        .collect();
    counts.push((
        "missing".into(),
        "未填报",
        rows.iter().filter(|r| r.status == "missing").count(),
    ));
    Ok(render(&ListPage {
        ctx: ctx.crumb("nav.targets", ""),
        departments: gaoxin_platform::departments::store::all(&state.db, &scope, None).await?,
        can_create: matches!(scope.role(), Role::Admin | Role::Staff),
        is_admin: scope.role() == Role::Admin,
        metrics: crate::metrics::CATALOGUE,
        own_department: scope.caller().department_id,
        rows,
        q,
        year,
        years,
        counts,
    }))
}

/// The list as on screen: the template's columns first (so that the file imports back
/// unchanged), then where each target stands.
async fn export(State(state): State<AppState>, scope: Scope, Q(q): Q<ListQuery>) -> AppResult<Response> {
    let conn = state.db.conn();
    let (_, default_year) = store::years(conn, &scope).await?;
    let filter = q.filter(default_year)?;
    let as_of = store::as_of(q.month.as_deref(), scope.today())?;
    let lines = store::lines(conn, &scope, &filter, as_of).await?;
    let departments = gaoxin_platform::departments::store::all(&state.db, &scope, None).await?;
    let cells = lines
        .iter()
        .map(|line| {
            let department = departments
                .iter()
                .find(|d| Some(d.id) == line.target.department_id)
                .map(|d| d.name.as_str());
            let r = out(line, &departments);
            let mut row: Vec<Cell> = crate::import::export_row(&line.target, department)
                .into_iter()
                .map(Cell::Text)
                .collect();
            row.extend([
                Cell::Text(r.actual.unwrap_or_default()),
                Cell::Text(r.as_of),
                Cell::Text(r.expected_percent.map(|p| format!("{p}%")).unwrap_or_default()),
                Cell::Text(r.actual_percent.map(|p| format!("{p}%")).unwrap_or_default()),
                Cell::Text(r.status_label),
                Cell::Text(r.explanation),
            ]);
            row
        })
        .collect();
    let mut headers: Vec<&str> = crate::import::COLUMNS.iter().map(|c| c.header).collect();
    headers.extend(["完成数", "截至", "序时进度", "完成比例", "状态", "说明"]);
    xlsx_download(
        &format!(
            "目标完成情况-{}-{}.xlsx",
            scope.zone().name,
            filter.year.unwrap_or(default_year)
        ),
        "目标",
        &headers,
        cells,
    )
}

async fn template_download(scope: Scope) -> AppResult<Response> {
    let year = chrono::Datelike::year(&scope.today()).to_string();
    let bytes = gaoxin_platform::spreadsheet::template(
        "目标",
        crate::import::COLUMNS,
        &["新认定高新技术企业", &year, "40", "家", "不少于", "科学技术局", "", "", "年度工作要点"],
        &[
            "1. 每行一个目标；第 2 行是示例，导入前请删除或改写。",
            "2. 列的顺序可以调整，列名须与模板一致；先检查全部行，任何一格有误时整个文件都不导入，并列出行号、列名和原因。",
            "3. 同一期间、同一名称的目标已存在时按表格更新，其余新增；“目标”页导出的表格可修改后直接导入（多出的列会被忽略）。",
            "4. 完成数由责任部门每月在目标页填报，不在此表导入。",
        ],
    )
    .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    xlsx_response(bytes, "目标导入模板.xlsx")
}

#[derive(Template)]
#[template(path = "targets/import.html")]
struct ImportPage {
    ctx: PageCtx,
    columns: &'static [gaoxin_core::tabular::ColumnSpec],
    errors: Vec<gaoxin_platform::spreadsheet::ImportError>,
}

fn import_page_of(ctx: PageCtx, errors: Vec<gaoxin_platform::spreadsheet::ImportError>) -> ImportPage {
    ImportPage {
        ctx: ctx.crumb("nav.targets", "/targets").crumb("targets.import", ""),
        columns: crate::import::COLUMNS,
        errors,
    }
}

async fn import_page(ctx: PageCtx) -> Response {
    render(&import_page_of(ctx, Vec::new()))
}

/// Reads the uploaded file and imports it in one transaction (or not at all).
async fn run_import(
    state: &AppState,
    scope: &Scope,
    multipart: axum::extract::Multipart,
) -> AppResult<(String, crate::import::TargetImportReport)> {
    let (fields, files) = gaoxin_platform::uploads::read_form(multipart, "file").await?;
    let Some((file_name, bytes)) = files.into_iter().next() else {
        return Err(AppError::field("file", "请选择要导入的 Excel 文件"));
    };
    let dry_run = matches!(fields.get("dry_run").map(String::as_str), Some("true" | "1" | "on"));
    let mut writer = scope.writer(state).await?;
    let report = crate::import::import(&mut writer, scope, &file_name, &bytes, dry_run).await?;
    if report.errors.is_empty() && !dry_run {
        writer.commit().await?;
    }
    Ok((file_name, report))
}

async fn import_upload(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    match run_import(&state, &scope, multipart).await {
        Ok((name, report)) if report.errors.is_empty() => finish(
            &state,
            &headers,
            "/targets/import",
            Ok((
                "/targets".to_string(),
                format!(
                    "已导入 {name}：新增 {} 个目标，更新 {} 个，未变 {} 个",
                    report.new, report.changed, report.unchanged
                ),
            )),
        ),
        Ok((_, report)) => Ok(render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &import_page_of(ctx, report.errors),
        )),
        Err(e) => finish(&state, &headers, "/targets/import", Err(e)),
    }
}

/// Imports targets from .xlsx/.csv (admin): multipart `file`, optional `dry_run=true`. All or
/// nothing; 422 with every error by sheet, row and column.
#[utoipa::path(post, path = "/api/v1/targets/import", tag = "targets",
    request_body(content_type = "multipart/form-data", description = "file：目标表（.xlsx/.xls/.csv）；dry_run：true 只检查不保存"),
    responses((status = 200, description = "导入结果", body = crate::import::TargetImportReport),
              (status = 422, description = "有错误，未导入", body = crate::import::TargetImportReport)))]
pub async fn api_import(
    State(state): State<AppState>,
    scope: Scope,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let (_, report) = run_import(&state, &scope, multipart).await?;
    let status = if report.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report)).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct TargetForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    profile: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    metric: String,
}

async fn create_form(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<TargetForm>,
) -> AppResult<Response> {
    let result = async {
        let department_id = match form.department_id.trim() {
            "" => None,
            s => Some(
                s.parse()
                    .map_err(|_| AppError::field("department_id", "所选部门无效"))?,
            ),
        };
        let body = NewTarget {
            name: form.name,
            unit: form.unit,
            period: form.period,
            value: form.value,
            direction: form.direction,
            profile: form.profile,
            department_id,
            note: form.note,
            metric: Some(form.metric).filter(|m| !m.trim().is_empty()),
        };
        let id = create(&state, &scope, &body).await?;
        Ok((format!("/targets/{id}"), "已新增目标".to_string()))
    }
    .await;
    finish(&state, &headers, "/targets", result)
}

#[derive(Template)]
#[template(path = "targets/target.html")]
struct TargetPage {
    ctx: PageCtx,
    t: TargetOut,
    definition: Option<String>,
    items: Vec<crate::metrics::Item>,
    reports: Vec<ReportOut>,
    can_report: bool,
    this_month: String,
}

async fn target_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let One {
        target: t,
        reports,
        items,
    } = one(&state, &scope, id).await?;
    let can_report = t.method == "reported"
        && match scope.role() {
            Role::Admin => true,
            Role::Staff => t.department_id.is_some() && t.department_id == scope.caller().department_id,
            _ => false,
        };
    let today = scope.today();
    Ok(render(&TargetPage {
        ctx: ctx.crumb("nav.targets", "/targets").crumb_text(t.name.clone(), ""),
        this_month: crate::domain::month_code(chrono::Datelike::year(&today), chrono::Datelike::month(&today)),
        definition: definition(&t),
        items,
        t,
        reports: reports_out(reports),
        can_report,
    }))
}

async fn report_form(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<NewReport>,
) -> AppResult<Response> {
    let back = format!("/targets/{id}");
    let result = async {
        save_report(&state, &scope, id, &form).await?;
        Ok((back.clone(), format!("已填报 {}", form.month.trim())))
    }
    .await;
    finish(&state, &headers, &back, result)
}

// ---------------------------------------------------------------- from the year's plan

#[derive(Clone, Debug, Default, Deserialize)]
struct PlanQuery {
    plan_id: Option<String>,
}

#[derive(Template)]
#[template(path = "targets/from_plan.html")]
struct FromPlanPage {
    ctx: PageCtx,
    plans: Vec<gaoxin_plans::plan_entity::Model>,
    plan: Option<gaoxin_plans::plan_entity::Model>,
    candidates: Vec<crate::from_plan::Candidate>,
    departments: Vec<Department>,
}

impl FromPlanPage {
    fn department_name(&self, c: &crate::from_plan::Candidate) -> String {
        self.departments
            .iter()
            .find(|d| Some(d.id) == c.department_id)
            .map_or_else(|| c.department_written.clone(), |d| d.name.clone())
    }
}

async fn from_plan_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<PlanQuery>,
) -> AppResult<Response> {
    let conn = state.db.conn();
    let plans = crate::from_plan::plans(conn, &scope).await?;
    let chosen = match q.plan_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(
            s.parse::<i64>()
                .map_err(|_| AppError::field("plan_id", "所选方案无效"))?,
        ),
        None => plans.first().map(|p| p.id),
    };
    let (plan, candidates) = match chosen {
        Some(id) => {
            let (p, c) = crate::from_plan::candidates(conn, &scope, id).await?;
            (Some(p), c)
        }
        None => (None, Vec::new()),
    };
    Ok(render(&FromPlanPage {
        ctx: ctx.crumb("nav.targets", "/targets").crumb("targets.from_plan", ""),
        departments: gaoxin_platform::departments::store::all(&state.db, &scope, None).await?,
        plans,
        plan,
        candidates,
    }))
}

async fn from_plan_form(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
    };
    let plan_id: i64 = field("plan_id").and_then(|v| v.parse().ok()).unwrap_or(0);
    let back = format!("/targets/from-plan?plan_id={plan_id}");
    let result = async {
        let mut chosen = Vec::new();
        for (k, v) in &pairs {
            if k == "pick" {
                let id: i64 = v.parse().map_err(|_| AppError::field("pick", "所选指标无效"))?;
                chosen.push((id, field(&format!("name_{id}")).unwrap_or_default()));
            }
        }
        let mut writer = scope.writer(&state).await?;
        let n = crate::from_plan::create(&mut writer, &scope, plan_id, &chosen).await?;
        writer.commit().await?;
        Ok(("/targets".to_string(), format!("已从工作方案生成 {n} 个目标")))
    }
    .await;
    finish(&state, &headers, &back, result)
}
