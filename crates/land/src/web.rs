//! Pages and API of 亩均效益评价: the schemes in use (upload, text), evaluation runs (draft →
//! 公示 → final) with their ranked results and export, one result's explanation with its
//! objections and class adjustment, an enterprise's own results, differentiated policies per
//! class with their lists, D-class clearance, and year-on-year class transitions.

use askama::Template;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::clearance_entity::Model as ClearanceCase;
use super::objection_entity::Model as Objection;
use super::result_entity::Model as LandResultRow;
use super::run_entity::Model as Run;
use super::scheme_entity::Model as SchemeVersion;
use super::store::{self, CaseFilter, ResultDetail, ResultFilter, RunCounts, RunIndicator};
use gaoxin_core::roles::{DEPARTMENT_EDITORS, ENTERPRISE_READERS, ENTERPRISE_USERS, Role, RoleSet, ZONE_READERS};
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::entity::Model as Department;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::web::{
    Cell as XCell, Id, PageCtx, PageParams, Pager, Q, WebForm, finish, parse_date, render, xlsx_download,
};

/// Who may object to a result: the enterprise itself, or staff on its behalf (written
/// objections handed in at the 乡镇街道).
const OBJECTORS: RoleSet = RoleSet::of(&[Role::Admin, Role::Staff, Role::Enterprise]);

pub fn routes() -> Routes {
    Routes::new()
        .get("/land", Access::Roles(ZONE_READERS), overview_page)
        .get("/land/schemes/{id}", Access::Roles(ZONE_READERS), scheme_page)
        .post("/land/runs", Access::Roles(DEPARTMENT_EDITORS), run_create)
        .get("/land/runs/{id}", Access::Roles(ENTERPRISE_READERS), run_page)
        .get("/land/runs/{id}/export.xlsx", Access::Roles(ZONE_READERS), run_export)
        .get(
            "/land/runs/{id}/measures.xlsx",
            Access::Roles(ZONE_READERS),
            measures_export,
        )
        .post(
            "/land/runs/{id}/publish",
            Access::Roles(DEPARTMENT_EDITORS),
            run_publish,
        )
        .post(
            "/land/runs/{id}/finalize",
            Access::Roles(DEPARTMENT_EDITORS),
            run_finalize,
        )
        .post("/land/runs/{id}/rerun", Access::Roles(DEPARTMENT_EDITORS), run_rerun)
        .post(
            "/land/runs/{id}/clearance",
            Access::Roles(DEPARTMENT_EDITORS),
            clearance_open,
        )
        .get("/land/results/{id}", Access::Roles(ENTERPRISE_READERS), result_page)
        .post(
            "/land/results/{id}/class",
            Access::Roles(DEPARTMENT_EDITORS),
            result_adjust,
        )
        .post(
            "/land/results/{id}/objections",
            Access::Roles(OBJECTORS),
            objection_file,
        )
        .post(
            "/land/objections/{id}/resolve",
            Access::Roles(DEPARTMENT_EDITORS),
            objection_resolve,
        )
        .get("/land/my", Access::Roles(ENTERPRISE_USERS), my_page)
        .get("/land/measures", Access::Roles(ZONE_READERS), measures_page)
        .post("/land/measures", Access::Roles(DEPARTMENT_EDITORS), measure_add)
        .post(
            "/land/measures/{id}/delete",
            Access::Roles(DEPARTMENT_EDITORS),
            measure_delete,
        )
        .get("/land/clearance", Access::Roles(ZONE_READERS), clearance_page)
        .get(
            "/land/clearance/export.xlsx",
            Access::Roles(ZONE_READERS),
            clearance_export,
        )
        .get("/land/clearance/{id}", Access::Roles(ZONE_READERS), case_page)
        .post(
            "/land/clearance/{id}/plan",
            Access::Roles(DEPARTMENT_EDITORS),
            case_plan,
        )
        .post(
            "/land/clearance/{id}/close",
            Access::Roles(DEPARTMENT_EDITORS),
            case_close,
        )
        .post(
            "/land/clearance/{id}/progress",
            Access::Roles(DEPARTMENT_EDITORS),
            case_progress,
        )
        .get("/land/transitions", Access::Roles(ZONE_READERS), transitions_page)
        .get("/api/v1/land/schemes", Access::Roles(ZONE_READERS), api_schemes)
        .get("/api/v1/land/runs", Access::Roles(ENTERPRISE_READERS), api_runs)
        .post("/api/v1/land/runs", Access::Roles(DEPARTMENT_EDITORS), api_run_create)
        .get("/api/v1/land/runs/{id}", Access::Roles(ENTERPRISE_READERS), api_run)
        .get(
            "/api/v1/land/runs/{id}/results",
            Access::Roles(ENTERPRISE_READERS),
            api_results,
        )
        .post(
            "/api/v1/land/runs/{id}/publish",
            Access::Roles(DEPARTMENT_EDITORS),
            api_publish,
        )
        .post(
            "/api/v1/land/runs/{id}/finalize",
            Access::Roles(DEPARTMENT_EDITORS),
            api_finalize,
        )
        .get(
            "/api/v1/land/results/{id}",
            Access::Roles(ENTERPRISE_READERS),
            api_result,
        )
        .post(
            "/api/v1/land/results/{id}/objections",
            Access::Roles(OBJECTORS),
            api_objection,
        )
        .get("/api/v1/land/clearance", Access::Roles(ZONE_READERS), api_clearance)
        .get("/api/v1/land/transitions", Access::Roles(ZONE_READERS), api_transitions)
}

pub(crate) fn status_key(status: &str) -> &'static str {
    match status {
        "draft" => "land.status_draft",
        "publicity" => "land.status_publicity",
        "final" => "land.status_final",
        _ => "land.status_draft",
    }
}

fn parse_year(raw: &str) -> AppResult<i32> {
    match raw.trim().parse::<i32>() {
        Ok(y) if (1978..=2100).contains(&y) => Ok(y),
        _ => Err(AppError::field("year", "年度应为四位数字，如 2024")),
    }
}

/// Points (hundredths) as shown: "87.31".
pub fn show_points(hundredths: i64) -> String {
    Decimal::new(hundredths, 2).to_string()
}

// ---------------------------------------------------------------- overview

struct RunLine {
    run: Run,
    counts: RunCounts,
    /// The status's message key.
    status: &'static str,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    ctx: PageCtx,
    versions: Vec<SchemeVersion>,
    active: Vec<SchemeVersion>,
    runs: Vec<RunLine>,
    can_edit: bool,
    default_year: i32,
    error: Option<String>,
    clearance: (u64, u64, u64, String),
}

pub(crate) async fn overview(
    state: &AppState,
    scope: &Scope,
    ctx: PageCtx,
    error: Option<String>,
) -> AppResult<Response> {
    let versions = store::all_versions(&state.db, scope).await?;
    let active: Vec<SchemeVersion> = versions.iter().filter(|v| v.status == "active").cloned().collect();
    let runs: Vec<RunLine> = store::runs(&state.db, scope)
        .await?
        .into_iter()
        .map(|run| RunLine {
            counts: store::counts_of(&run),
            status: status_key(&run.status),
            run,
        })
        .collect();
    let (open, overdue, closed, land) = store::clearance_totals(&state.db, scope, scope.today()).await?;
    let mut response = render(&OverviewPage {
        ctx: ctx.crumb("nav.land", ""),
        default_year: runs.first().map_or_else(|| scope.today().year() - 1, |r| r.run.year),
        versions,
        active,
        runs,
        can_edit: DEPARTMENT_EDITORS.contains(scope.role()),
        error: error.clone(),
        clearance: (open, overdue, closed, land.normalize().to_string()),
    });
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

async fn overview_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    overview(&state, &scope, ctx, None).await
}

#[derive(Template)]
#[template(path = "scheme.html")]
struct SchemePage {
    ctx: PageCtx,
    v: SchemeVersion,
    scheme: std::sync::Arc<gaoxin_rules::land::Scheme>,
    shares: Vec<String>,
    /// Each indicator's benchmark as written: a number, or a multiple of the group's average.
    benchmarks: Vec<String>,
}

async fn scheme_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let v = store::version_by_id(state.db.conn(), &scope, id).await?;
    let scheme = store::parse(&v)?;
    let mut previous = Decimal::ZERO;
    let mut shares = Vec::new();
    for (k, name) in scheme.classes.names.iter().enumerate() {
        shares.push(match scheme.classes.method {
            gaoxin_rules::land::ClassMethod::Percentile => {
                let cut = scheme.classes.cuts.get(k).copied().unwrap_or(Decimal::ONE_HUNDRED);
                let s = format!("{name}：排名 {}%–{}%", previous.normalize(), cut.normalize());
                previous = cut;
                s
            }
            gaoxin_rules::land::ClassMethod::Score => match scheme.classes.cuts.get(k) {
                Some(c) => format!("{name}：得分 ≥ {}", c.normalize()),
                None => format!("{name}：其余"),
            },
        });
    }
    let benchmarks = scheme
        .indicators
        .iter()
        .map(|i| match i.benchmark {
            gaoxin_rules::land::Benchmark::Fixed(b) => b.normalize().to_string(),
            gaoxin_rules::land::Benchmark::AverageTimes(t) => {
                let group = if scheme.baseline_previous_year {
                    "上一年度"
                } else {
                    "本年度"
                };
                format!("{group}参评企业平均值 × {}", t.normalize())
            }
        })
        .collect();
    Ok(render(&SchemePage {
        ctx: ctx.crumb("nav.land", "/land").crumb("land.scheme", ""),
        v,
        scheme,
        shares,
        benchmarks,
    }))
}

// ---------------------------------------------------------------- runs

#[derive(Deserialize)]
struct RunForm {
    scheme_version_id: String,
    year: String,
    #[serde(default)]
    as_of: Option<String>,
}

async fn run_create(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<RunForm>,
) -> AppResult<Response> {
    let result = async {
        let id: i64 = form
            .scheme_version_id
            .trim()
            .parse()
            .map_err(|_| AppError::field("scheme_version_id", "请选择评价方案"))?;
        let year = parse_year(&form.year)?;
        let as_of = parse_date(form.as_of.as_deref(), "as_of", "评价日")?
            .unwrap_or_else(|| gaoxin_rules::ladder::default_as_of(year));
        let mut writer = scope.writer(&state).await?;
        let v = store::version_by_id(writer.read(), &scope, id).await?;
        let run = store::evaluate_zone(&mut writer, &v, year, as_of, Some(scope.caller().account_id)).await?;
        writer.commit().await?;
        let c = store::counts_of(&run);
        Ok((
            format!("/land/runs/{}", run.id),
            format!(
                "已完成 {year} 年度评价（草稿）：{} 家参评，{} 家不参评（另列），{} 家不在评价范围",
                c.ranked, c.excluded, c.out_of_scope
            ),
        ))
    }
    .await;
    finish(&state, &headers, "/land", result)
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
pub struct ResultQuery {
    pub class: Option<String>,
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl ResultQuery {
    fn filter(&self) -> ResultFilter {
        ResultFilter {
            class: self.class.clone(),
            q: self.q.clone(),
            page: self.page,
            per_page: self.per_page,
        }
    }
}

#[derive(Template)]
#[template(path = "run.html")]
struct RunPage {
    ctx: PageCtx,
    run: Run,
    version: SchemeVersion,
    counts: RunCounts,
    indicators: Vec<RunIndicator>,
    rows: Vec<(LandResultRow, Enterprise)>,
    pager: Pager,
    class: String,
    q: String,
    objections: Vec<(Objection, Enterprise)>,
    open_objections: usize,
    can_edit: bool,
    is_enterprise: bool,
    publicity_over: bool,
    export_query: String,
    categories: Vec<String>,
    status: &'static str,
}

impl RunPage {
    fn points(&self, hundredths: &i64) -> String {
        show_points(*hundredths)
    }

    fn objection_key(&self, status: &str) -> &'static str {
        objection_key(status)
    }
}

fn objection_key(status: &str) -> &'static str {
    match status {
        "accepted" => "land.objection_accepted",
        "rejected" => "land.objection_rejected",
        _ => "land.objection_open",
    }
}

async fn run_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
    RawQuery(raw): RawQuery,
    Q(q): Q<ResultQuery>,
) -> AppResult<Response> {
    let run = store::get_run(state.db.conn(), &scope, id).await?;
    let version = store::version_by_id(state.db.conn(), &scope, run.scheme_version_id).await?;
    let (rows, total) = store::results(&state.db, &scope, id, &q.filter(), false).await?;
    let objections = store::objections_of_run(&state.db, &scope, id).await?;
    let mut categories: Vec<String> = store::measures(&state.db, &scope, Some(&run.scheme_id))
        .await?
        .into_iter()
        .map(|m| m.category)
        .collect();
    categories.sort();
    categories.dedup();
    Ok(render(&RunPage {
        ctx: ctx.crumb("nav.land", "/land").crumb("land.run", ""),
        counts: store::counts_of(&run),
        indicators: store::indicators_of(&run),
        pager: Pager::new(
            &PageParams {
                page: q.page,
                per_page: q.per_page,
            },
            total,
            &format!("/land/runs/{id}"),
            raw.as_deref(),
        ),
        class: q.class.clone().unwrap_or_default(),
        q: q.q.clone().unwrap_or_default(),
        open_objections: objections.iter().filter(|(o, _)| o.status == "open").count(),
        objections,
        can_edit: DEPARTMENT_EDITORS.contains(scope.role()),
        is_enterprise: scope.own_enterprise().is_some(),
        publicity_over: run.publicity_until.is_some_and(|u| scope.today() >= u),
        export_query: raw.unwrap_or_default(),
        status: status_key(&run.status),
        run,
        version,
        rows,
        categories,
    }))
}

async fn run_export(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Q(q): Q<ResultQuery>,
) -> AppResult<Response> {
    let run = store::get_run(state.db.conn(), &scope, id).await?;
    let indicators = store::indicators_of(&run);
    let (rows, _) = store::results(&state.db, &scope, id, &q.filter(), true).await?;
    let mut headers: Vec<String> = [
        "排名",
        "类别",
        "计算类别",
        "调档理由",
        "企业名称",
        "统一社会信用代码",
        "综合得分",
        "不参评原因",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for i in &indicators {
        headers.push(format!(
            "{}{}",
            i.label,
            i.unit.as_ref().map(|u| format!("({u})")).unwrap_or_default()
        ));
        headers.push(format!("{}得分", i.label));
    }
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let data = rows
        .into_iter()
        .map(|(r, e)| {
            let detail = store::detail_of(&r);
            let mut cells = vec![
                if r.exclusion_id.is_some() {
                    XCell::Empty
                } else {
                    XCell::Int(r.rank.into())
                },
                XCell::Text(r.class.clone()),
                XCell::Text(r.computed_class.clone()),
                XCell::Text(r.adjust_reason.clone().unwrap_or_default()),
                XCell::Text(e.name),
                XCell::Text(e.uscc),
                if r.exclusion_id.is_some() {
                    XCell::Empty
                } else {
                    XCell::Text(show_points(r.total))
                },
                XCell::Text(r.excluded.clone().unwrap_or_default()),
            ];
            for i in &indicators {
                let d = detail.indicators.iter().find(|d| d.id == i.id);
                cells.push(XCell::Text(d.and_then(|d| d.value.clone()).unwrap_or_default()));
                cells.push(XCell::Text(d.map(|d| d.score.clone()).unwrap_or_default()));
            }
            cells
        })
        .collect();
    xlsx_download(
        &format!("{}年度亩均效益评价结果（{}）.xlsx", run.year, run.scheme_id),
        "评价结果",
        &header_refs,
        data,
    )
}

#[derive(Deserialize)]
struct PublishForm {
    days: String,
}

async fn run_publish(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<PublishForm>,
) -> AppResult<Response> {
    let back = format!("/land/runs/{id}");
    let result = async {
        let days: i64 = form
            .days
            .trim()
            .parse()
            .map_err(|_| AppError::field("days", "公示天数应为整数"))?;
        let mut writer = scope.writer(&state).await?;
        let run = store::publish(&mut writer, &scope, id, days, scope.today()).await?;
        writer.commit().await?;
        Ok((
            back.clone(),
            format!(
                "已公示，至 {}：企业可查看本企业结果并提出异议",
                run.publicity_until.map(|d| d.to_string()).unwrap_or_default()
            ),
        ))
    }
    .await;
    finish(&state, &headers, &back, result)
}

async fn run_finalize(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    let back = format!("/land/runs/{id}");
    let result = async {
        let mut writer = scope.writer(&state).await?;
        store::finalize(&mut writer, &scope, id, scope.today(), Some(scope.caller().account_id)).await?;
        writer.commit().await?;
        Ok((back.clone(), "评价结果已确认并锁定".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

async fn run_rerun(State(state): State<AppState>, scope: Scope, headers: HeaderMap, Id(id): Id) -> AppResult<Response> {
    let back = format!("/land/runs/{id}");
    let result = async {
        let mut writer = scope.writer(&state).await?;
        let (_, changed) = store::rerun(&mut writer, &scope, id).await?;
        writer.commit().await?;
        Ok((
            back.clone(),
            format!("已按最新数据重新计算：{changed} 家企业的结果有变化（逐条记入审计日志）"),
        ))
    }
    .await;
    finish(&state, &headers, &back, result)
}

async fn clearance_open(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    let back = format!("/land/runs/{id}");
    let result = async {
        let mut writer = scope.writer(&state).await?;
        let n = store::open_clearance(&mut writer, &scope, id).await?;
        writer.commit().await?;
        Ok((
            format!("/land/clearance?run={id}"),
            format!("已为 {n} 家末档企业建立出清台账"),
        ))
    }
    .await;
    finish(&state, &headers, &back, result)
}

// ---------------------------------------------------------------- one result

struct IndicatorLine {
    label: String,
    unit: String,
    value: String,
    benchmark: String,
    weight: String,
    score: String,
    note: String,
}

#[derive(Template)]
#[template(path = "result.html")]
struct ResultPage {
    ctx: PageCtx,
    r: LandResultRow,
    run: Run,
    e: Enterprise,
    version: SchemeVersion,
    detail: ResultDetail,
    lines: Vec<IndicatorLine>,
    classes: Vec<String>,
    objections: Vec<Objection>,
    measures: Vec<super::measure_entity::Model>,
    can_edit: bool,
    can_object: bool,
}

impl ResultPage {
    fn points(&self, hundredths: &i64) -> String {
        show_points(*hundredths)
    }

    fn objection_key(&self, status: &str) -> &'static str {
        objection_key(status)
    }
}

async fn result_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let (r, run, e) = store::result_by_id(state.db.conn(), &scope, id).await?;
    let version = store::version_by_id(state.db.conn(), &scope, run.scheme_version_id).await?;
    let scheme = store::parse(&version)?;
    let detail = store::detail_of(&r);
    let lines = store::indicators_of(&run)
        .into_iter()
        .filter_map(|i| {
            let d = detail.indicators.iter().find(|d| d.id == i.id)?;
            let mut note = Vec::new();
            if d.filled {
                note.push(format!("{}（{}）", i.missing, i.fill));
            }
            if d.capped {
                note.push("已封顶".to_string());
            }
            Some(IndicatorLine {
                value: d.value.clone().unwrap_or_else(|| "—".into()),
                unit: i.unit.clone().unwrap_or_default(),
                benchmark: i.benchmark.clone(),
                weight: i.weight.clone(),
                score: d.score.clone(),
                note: note.join("；"),
                label: i.label,
            })
        })
        .collect();
    let measures = store::measures(&state.db, &scope, Some(&run.scheme_id))
        .await?
        .into_iter()
        .filter(|m| m.class_name == r.class)
        .collect();
    let objections = store::objections_of(state.db.conn(), &scope, r.id).await?;
    Ok(render(&ResultPage {
        ctx: ctx
            .crumb("nav.land", "/land")
            .crumb("land.run", &format!("/land/runs/{}", run.id))
            .crumb("land.result", ""),
        can_edit: DEPARTMENT_EDITORS.contains(scope.role()) && run.status != "final",
        can_object: OBJECTORS.contains(scope.role())
            && run.status == "publicity"
            && run.publicity_until.is_none_or(|u| scope.today() <= u),
        classes: scheme.classes.names.clone(),
        r,
        run,
        e,
        version,
        detail,
        lines,
        objections,
        measures,
    }))
}

#[derive(Deserialize)]
struct AdjustForm {
    class: String,
    #[serde(default)]
    reason: String,
}

async fn result_adjust(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<AdjustForm>,
) -> AppResult<Response> {
    let back = format!("/land/results/{id}");
    let result = async {
        let mut writer = scope.writer(&state).await?;
        let r = store::adjust_class(&mut writer, &scope, id, &form.class, &form.reason).await?;
        writer.commit().await?;
        Ok((back.clone(), format!("已调整为 {}", r.class)))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ObjectionForm {
    pub reason: String,
    #[serde(default)]
    pub evidence: String,
}

async fn objection_file(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<ObjectionForm>,
) -> AppResult<Response> {
    let back = format!("/land/results/{id}");
    let result = async {
        let mut writer = scope.writer(&state).await?;
        store::file_objection(&mut writer, &scope, id, &form.reason, &form.evidence, scope.today()).await?;
        writer.commit().await?;
        Ok((back.clone(), "异议已提交，将由主管部门处理".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Deserialize)]
struct ResolveForm {
    decision: String,
    answer: String,
    #[serde(default)]
    back: Option<String>,
}

async fn objection_resolve(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<ResolveForm>,
) -> AppResult<Response> {
    let back = form
        .back
        .clone()
        .filter(|b| b.starts_with("/land/"))
        .unwrap_or_else(|| "/land".into());
    let result = async {
        let accept = match form.decision.as_str() {
            "accept" => true,
            "reject" => false,
            _ => return Err(AppError::field("decision", "请选择采纳或不予采纳")),
        };
        let mut writer = scope.writer(&state).await?;
        let o = store::resolve_objection(&mut writer, &scope, id, accept, &form.answer).await?;
        writer.commit().await?;
        let message = if accept {
            "已采纳：请在企业库更正数据后“按最新数据重新计算”"
        } else {
            "已答复，不予采纳"
        };
        Ok((format!("/land/results/{}", o.result_id), message.to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Template)]
#[template(path = "my.html")]
struct MyPage {
    ctx: PageCtx,
    rows: Vec<(Run, LandResultRow)>,
}

impl MyPage {
    fn points(&self, hundredths: &i64) -> String {
        show_points(*hundredths)
    }
}

async fn my_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let mut rows = Vec::new();
    for run in store::runs(&state.db, &scope).await? {
        let (results, _) = store::results(&state.db, &scope, run.id, &ResultFilter::default(), true).await?;
        for (r, _) in results {
            rows.push((run.clone(), r));
        }
    }
    Ok(render(&MyPage {
        ctx: ctx.crumb("nav.my_land", ""),
        rows,
    }))
}

// ---------------------------------------------------------------- differentiated policies

#[derive(Template)]
#[template(path = "measures.html")]
struct MeasuresPage {
    ctx: PageCtx,
    schemes: Vec<(String, Vec<String>)>,
    measures: Vec<super::measure_entity::Model>,
    can_edit: bool,
}

async fn measures_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let mut schemes = Vec::new();
    for v in store::active_versions(state.db.conn(), scope.zone_id()).await? {
        schemes.push((v.scheme_id.clone(), store::parse(&v)?.classes.names.clone()));
    }
    Ok(render(&MeasuresPage {
        ctx: ctx.crumb("nav.land", "/land").crumb("land.measures", ""),
        schemes,
        measures: store::measures(&state.db, &scope, None).await?,
        can_edit: DEPARTMENT_EDITORS.contains(scope.role()),
    }))
}

#[derive(Deserialize)]
struct MeasureForm {
    /// `scheme_id|class name`.
    class: String,
    category: String,
    measure: String,
    department: String,
}

async fn measure_add(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<MeasureForm>,
) -> AppResult<Response> {
    let result = async {
        let (scheme_id, class) = form
            .class
            .split_once('|')
            .ok_or_else(|| AppError::field("class", "请选择方案和类别"))?;
        let mut writer = scope.writer(&state).await?;
        store::add_measure(
            &mut writer,
            &scope,
            scheme_id,
            class,
            &form.category,
            &form.measure,
            &form.department,
        )
        .await?;
        writer.commit().await?;
        Ok(("/land/measures".to_string(), "已添加差别化政策".to_string()))
    }
    .await;
    finish(&state, &headers, "/land/measures", result)
}

async fn measure_delete(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    let result = async {
        let mut writer = scope.writer(&state).await?;
        store::delete_measure(&mut writer, &scope, id).await?;
        writer.commit().await?;
        Ok(("/land/measures".to_string(), "已删除".to_string()))
    }
    .await;
    finish(&state, &headers, "/land/measures", result)
}

#[derive(Deserialize, Default)]
struct MeasuresExportQuery {
    /// Only this category (e.g. 电价, for the power company).
    category: Option<String>,
}

/// The list a utility or department applies: every enterprise of a class with a measure,
/// with the measure (one line per enterprise and measure).
async fn measures_export(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Q(q): Q<MeasuresExportQuery>,
) -> AppResult<Response> {
    let run = store::get_run(state.db.conn(), &scope, id).await?;
    let category = q.category.filter(|c| !c.trim().is_empty());
    let measures: Vec<_> = store::measures(&state.db, &scope, Some(&run.scheme_id))
        .await?
        .into_iter()
        .filter(|m| category.as_ref().is_none_or(|c| &m.category == c))
        .collect();
    let (rows, _) = store::results(&state.db, &scope, id, &ResultFilter::default(), true).await?;
    let mut data = Vec::new();
    for (r, e) in rows.iter().filter(|(r, _)| r.exclusion_id.is_none()) {
        for m in measures.iter().filter(|m| m.class_name == r.class) {
            data.push(vec![
                XCell::Text(r.class.clone()),
                XCell::Text(e.name.clone()),
                XCell::Text(e.uscc.clone()),
                XCell::Text(e.registered_address.clone().unwrap_or_default()),
                XCell::Text(m.category.clone()),
                XCell::Text(m.measure.clone()),
                XCell::Text(m.department.clone()),
            ]);
        }
    }
    xlsx_download(
        &format!(
            "{}年度亩均评价差别化政策名单{}.xlsx",
            run.year,
            category.map(|c| format!("（{c}）")).unwrap_or_default()
        ),
        "差别化政策名单",
        &[
            "类别",
            "企业名称",
            "统一社会信用代码",
            "注册地址",
            "政策类别",
            "政策内容",
            "执行单位",
        ],
        data,
    )
}

// ---------------------------------------------------------------- D-class clearance

#[derive(Deserialize, Default, utoipa::IntoParams)]
pub struct CaseQuery {
    pub status: Option<String>,
    pub route: Option<String>,
    pub run: Option<i64>,
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl CaseQuery {
    fn filter(&self) -> CaseFilter {
        CaseFilter {
            status: self.status.clone(),
            route: self.route.clone(),
            run: self.run,
            q: self.q.clone(),
            page: self.page,
            per_page: self.per_page,
        }
    }
}

struct CaseLine {
    c: ClearanceCase,
    e: Enterprise,
    route: &'static str,
    department: String,
    overdue: bool,
    land: String,
    /// The latest percent reported ("60%"), or empty.
    progress: String,
}

async fn case_lines(
    state: &AppState,
    scope: &Scope,
    rows: Vec<(ClearanceCase, Enterprise)>,
) -> AppResult<Vec<CaseLine>> {
    let departments = gaoxin_platform::departments::store::all(&state.db, scope, None).await?;
    let now = scope.today();
    let ids: Vec<i64> = rows.iter().map(|(c, _)| c.id).collect();
    let progress = store::latest_progress(&state.db, scope, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|(c, e)| CaseLine {
            progress: match (c.status.as_str(), progress.get(&c.id)) {
                ("closed", _) => "100%".into(),
                (_, Some(p)) => format!("{p}%"),
                _ => String::new(),
            },
            route: c.route.as_deref().map_or("", store::route_name),
            department: c
                .department_id
                .and_then(|d| departments.iter().find(|x| x.id == d))
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            overdue: c.status == "open" && c.deadline.is_some_and(|d| d < now),
            land: c
                .land_recovered
                .map(|l| Decimal::new(l, 4).normalize().to_string())
                .unwrap_or_default(),
            c,
            e,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "clearance.html")]
struct ClearancePage {
    ctx: PageCtx,
    rows: Vec<CaseLine>,
    pager: Pager,
    status: String,
    route: String,
    q: String,
    routes: Vec<(&'static str, &'static str)>,
    totals: (u64, u64, u64, String),
    export_query: String,
}

async fn clearance_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    RawQuery(raw): RawQuery,
    Q(q): Q<CaseQuery>,
) -> AppResult<Response> {
    let (rows, total) = store::clearance_cases(&state.db, &scope, &q.filter(), scope.today(), false).await?;
    let (open, overdue, closed, land) = store::clearance_totals(&state.db, &scope, scope.today()).await?;
    Ok(render(&ClearancePage {
        ctx: ctx.crumb("nav.land", "/land").crumb("land.clearance", ""),
        rows: case_lines(&state, &scope, rows).await?,
        pager: Pager::new(
            &PageParams {
                page: q.page,
                per_page: q.per_page,
            },
            total,
            "/land/clearance",
            raw.as_deref(),
        ),
        status: q.status.clone().unwrap_or_default(),
        route: q.route.clone().unwrap_or_default(),
        q: q.q.clone().unwrap_or_default(),
        routes: store::ROUTES.to_vec(),
        totals: (open, overdue, closed, land.normalize().to_string()),
        export_query: raw.unwrap_or_default(),
    }))
}

async fn clearance_export(State(state): State<AppState>, scope: Scope, Q(q): Q<CaseQuery>) -> AppResult<Response> {
    let (rows, _) = store::clearance_cases(&state.db, &scope, &q.filter(), scope.today(), true).await?;
    let lines = case_lines(&state, &scope, rows).await?;
    xlsx_download(
        "D类企业出清台账.xlsx",
        "出清台账",
        &[
            "企业名称",
            "统一社会信用代码",
            "出清路径",
            "措施",
            "责任部门",
            "完成时限",
            "状态",
            "销号日期",
            "收回土地(亩)",
            "销号说明",
            "最新进展",
        ],
        lines
            .into_iter()
            .map(|l| {
                vec![
                    XCell::Text(l.e.name),
                    XCell::Text(l.e.uscc),
                    XCell::Text(l.route.to_string()),
                    XCell::Text(l.c.actions),
                    XCell::Text(l.department),
                    XCell::Text(l.c.deadline.map(|d| d.to_string()).unwrap_or_default()),
                    XCell::Text(
                        match (l.c.status.as_str(), l.overdue) {
                            ("closed", _) => "已销号",
                            (_, true) => "逾期",
                            _ => "推进中",
                        }
                        .to_string(),
                    ),
                    XCell::Text(l.c.closed_on.map(|d| d.to_string()).unwrap_or_default()),
                    XCell::Text(l.land),
                    XCell::Text(l.c.closing_note.unwrap_or_default()),
                    XCell::Text(l.progress),
                ]
            })
            .collect(),
    )
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    ctx: PageCtx,
    line: CaseLine,
    result: LandResultRow,
    routes: Vec<(&'static str, &'static str)>,
    departments: Vec<Department>,
    can_edit: bool,
    today: NaiveDate,
    progress: Vec<super::update_entity::Model>,
}

async fn case_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let c = store::case_by_id(state.db.conn(), &scope, id).await?;
    let (result, _, e) = store::result_by_id(state.db.conn(), &scope, c.result_id).await?;
    let line = case_lines(&state, &scope, vec![(c, e)])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(render(&CasePage {
        ctx: ctx
            .crumb("nav.land", "/land")
            .crumb("land.clearance", "/land/clearance")
            .crumb("land.case", ""),
        can_edit: DEPARTMENT_EDITORS.contains(scope.role()) && line.c.status == "open",
        line,
        result,
        routes: store::ROUTES.to_vec(),
        departments: gaoxin_platform::departments::store::all(&state.db, &scope, None).await?,
        today: scope.today(),
        progress: store::progress_of(state.db.conn(), &scope, id).await?,
    }))
}

#[derive(Deserialize)]
struct ProgressForm {
    note: String,
    percent: String,
}

async fn case_progress(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<ProgressForm>,
) -> AppResult<Response> {
    let back = format!("/land/clearance/{id}");
    let result = async {
        let percent: i32 = form
            .percent
            .trim()
            .trim_end_matches('%')
            .parse()
            .map_err(|_| AppError::field("percent", "完成比例应为 0–100 的整数"))?;
        let mut writer = scope.writer(&state).await?;
        store::report_progress(&mut writer, &scope, id, &form.note, percent).await?;
        writer.commit().await?;
        Ok((back.clone(), "已报送进展".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Deserialize)]
struct PlanForm {
    route: String,
    actions: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    deadline: Option<String>,
}

async fn case_plan(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<PlanForm>,
) -> AppResult<Response> {
    let back = format!("/land/clearance/{id}");
    let result = async {
        let department = match form.department_id.trim() {
            "" => None,
            d => Some(
                d.parse::<i64>()
                    .map_err(|_| AppError::field("department_id", "请选择责任部门"))?,
            ),
        };
        let deadline = parse_date(form.deadline.as_deref(), "deadline", "完成时限")?;
        let mut writer = scope.writer(&state).await?;
        store::plan_case(
            &mut writer,
            &scope,
            id,
            &form.route,
            &form.actions,
            department,
            deadline,
        )
        .await?;
        writer.commit().await?;
        Ok((back.clone(), "已保存出清路径与措施".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Deserialize)]
struct CloseForm {
    closed_on: String,
    #[serde(default)]
    land_recovered: String,
    note: String,
}

async fn case_close(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<CloseForm>,
) -> AppResult<Response> {
    let back = format!("/land/clearance/{id}");
    let result = async {
        let closed_on = parse_date(Some(&form.closed_on), "closed_on", "销号日期")?
            .ok_or_else(|| AppError::field("closed_on", "请填写销号日期"))?;
        let land = match form.land_recovered.trim() {
            "" => Decimal::ZERO,
            s => s
                .parse::<Decimal>()
                .map_err(|_| AppError::field("land_recovered", format!("收回土地“{s}”不是数字（亩）")))?,
        };
        let mut writer = scope.writer(&state).await?;
        store::close_case(&mut writer, &scope, id, closed_on, land, &form.note).await?;
        writer.commit().await?;
        Ok((back.clone(), "已销号".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

// ---------------------------------------------------------------- year on year

#[derive(Deserialize, Default, utoipa::IntoParams)]
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

async fn transitions_of(
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
            let group_of = (!by.is_empty()).then_some(|e: &Enterprise| match by.as_str() {
                "industry" => e.leading_industry.clone().unwrap_or_default(),
                "carrier" => e.carrier_id.and_then(|c| carriers.get(&c).cloned()).unwrap_or_default(),
                _ => String::new(),
            });
            Some(store::transitions(&state.db, scope, a, b, group_of).await?)
        }
        _ => None,
    };
    Ok((runs, from, to, t))
}

async fn transitions_page(
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
    let chart_json = serde_json::json!({
        "years": years.iter().map(|(y, _)| y).collect::<Vec<_>>(),
        "series": names.iter().map(|n| serde_json::json!({
            "name": n,
            "data": years.iter().map(|(_, c)| c.classes.iter().find(|(x, _)| x == n).map_or(0, |(_, k)| *k)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
    .to_string();
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

// ---------------------------------------------------------------- API

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
    let mut writer = scope.writer(&state).await?;
    let run = store::publish(&mut writer, &scope, id, body.days, scope.today()).await?;
    writer.commit().await?;
    Ok(Json(run.into()))
}

#[utoipa::path(post, path = "/api/v1/land/runs/{id}/finalize", tag = "land", params(("id" = i64, Path)),
    responses((status = 200, body = RunOut), (status = 400, description = "未公示、公示未满或有未处理的异议")))]
pub async fn api_finalize(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<RunOut>> {
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
                overdue: l.overdue,
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
