//! Pages and API of the cultivation ladder: the overview (tier counts per run against the
//! zone's targets, by industry and carrier; runs), the cultivation pool (培育库) per tier with its
//! .xlsx export, the criteria in use (upload, text), and one enterprise's standing.

use std::collections::BTreeMap;

use askama::Template;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::criteria_entity::Model as CriteriaVersion;
use super::run_entity::Model as Run;
use super::store::{self, CandidateFilter, TierCounts};
use gaoxin_core::roles::{DEPARTMENT_EDITORS, ENTERPRISE_READERS, ZONE_READERS};
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::web::{Cell as XCell, Id, PageCtx, Pager, Q, WebForm, finish, render, xlsx_download};
use gaoxin_rules::ladder;

pub fn routes() -> Routes {
    Routes::new()
        .get("/ladder", Access::Roles(ZONE_READERS), overview_page)
        .post("/ladder/runs", Access::Roles(DEPARTMENT_EDITORS), run_create)
        .post("/ladder/targets", Access::Roles(DEPARTMENT_EDITORS), target_set)
        .get("/ladder/pool", Access::Roles(ZONE_READERS), pool_page)
        .get("/ladder/pool/export.xlsx", Access::Roles(ZONE_READERS), pool_export)
        .get("/ladder/criteria", Access::Roles(ZONE_READERS), criteria_page)
        .get("/ladder/criteria/{id}", Access::Roles(ZONE_READERS), criteria_text_page)
        .get("/ladder/runs/{id}/recheck", Access::Roles(ZONE_READERS), recheck_page)
        .get("/ladder/expiring", Access::Roles(ZONE_READERS), expiring_page)
        .get(
            "/ladder/expiring/export.xlsx",
            Access::Roles(ZONE_READERS),
            expiring_export,
        )
        .get(
            "/api/v1/ladder/runs/{id}/recheck",
            Access::Roles(ZONE_READERS),
            api_recheck,
        )
        .get("/api/v1/ladder/expiring", Access::Roles(ZONE_READERS), api_expiring)
        .get("/api/v1/ladder/criteria", Access::Roles(ZONE_READERS), api_criteria)
        .get("/api/v1/ladder/runs", Access::Roles(ZONE_READERS), api_runs)
        .post("/api/v1/ladder/runs", Access::Roles(DEPARTMENT_EDITORS), api_run_create)
        .get("/api/v1/ladder/runs/{id}", Access::Roles(ZONE_READERS), api_run)
        .get(
            "/api/v1/ladder/runs/{id}/candidates",
            Access::Roles(ZONE_READERS),
            api_candidates,
        )
        .get("/api/v1/ladder/targets", Access::Roles(ZONE_READERS), api_targets)
        .get(
            "/api/v1/enterprises/{id}/ladder",
            Access::Roles(ENTERPRISE_READERS),
            api_standing,
        )
}

fn parse_year(raw: &str) -> AppResult<i32> {
    match raw.trim().parse::<i32>() {
        Ok(y) if (1978..=2100).contains(&y) => Ok(y),
        _ => Err(AppError::field("year", "年度应为四位数字，如 2024")),
    }
}

fn parse_margin(raw: Option<&str>) -> AppResult<Decimal> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(ladder::DEFAULT_MARGIN),
        Some(s) => match s.trim_end_matches('%').parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => Ok(Decimal::new(n.into(), 2)),
            _ => Err(AppError::field("margin", "“差一项”幅度应为 1–100 的整数（百分比）")),
        },
    }
}

fn parse_as_of(raw: Option<&str>, year: i32) -> AppResult<NaiveDate> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(ladder::default_as_of(year)),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| AppError::field("as_of", format!("评价日“{s}”不是日期（应为 2024-12-31）"))),
    }
}

// ---------------------------------------------------------------- overview

struct TierLine {
    counts: TierCounts,
    target: Option<i32>,
    /// held − target (negative: short of the target).
    vs_target: Option<i64>,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    ctx: PageCtx,
    run: Option<Run>,
    runs: Vec<Run>,
    tiers: Vec<TierLine>,
    tier_names: Vec<(String, String)>,
    by_industry: Vec<(String, Vec<u64>)>,
    by_carrier: Vec<(String, Vec<u64>)>,
    chart_json: String,
    can_run: bool,
    default_year: i32,
}

#[derive(Deserialize, Default)]
struct OverviewQuery {
    run: Option<i64>,
}

async fn overview_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<OverviewQuery>,
) -> AppResult<Response> {
    let runs = store::runs(&state.db, &scope).await?;
    let run = match q.run {
        Some(id) => Some(store::get_run(&state.db, &scope, id).await?),
        None => runs.first().cloned(),
    };
    let targets = store::targets(&state.db, &scope).await?;
    let set = store::criteria_set(state.db.conn(), scope.zone_id()).await?;
    let tier_names: Vec<(String, String)> = set
        .versions
        .iter()
        .map(|(_, c)| (c.tier.clone(), c.name.clone()))
        .collect();
    let (mut tiers, mut by_industry, mut by_carrier) = (Vec::new(), Vec::new(), Vec::new());
    if let Some(r) = &run {
        for counts in store::counts_of(r) {
            let target = targets
                .iter()
                .find(|t| t.tier == counts.tier && t.year == r.year)
                .map(|t| t.count);
            tiers.push(TierLine {
                vs_target: target.map(|t| counts.held as i64 - i64::from(t)),
                target,
                counts,
            });
        }
        let carriers = gaoxin_enterprises::store::carrier_names(&state.db, &scope).await?;
        let order: Vec<String> = tiers.iter().map(|t| t.counts.tier.clone()).collect();
        let table = |m: BTreeMap<String, BTreeMap<String, u64>>| -> Vec<(String, Vec<u64>)> {
            m.into_iter()
                .map(|(k, v)| {
                    (
                        if k.is_empty() { "（未填）".to_string() } else { k },
                        order.iter().map(|t| v.get(t).copied().unwrap_or(0)).collect(),
                    )
                })
                .collect()
        };
        by_industry = table(
            store::held_by_group(&state.db, &scope, r.id, |e: &Enterprise| {
                e.leading_industry.clone().unwrap_or_default()
            })
            .await?,
        );
        by_carrier = table(
            store::held_by_group(&state.db, &scope, r.id, |e: &Enterprise| {
                e.carrier_id.and_then(|c| carriers.get(&c).cloned()).unwrap_or_default()
            })
            .await?,
        );
    }
    // Held per tier over the years (the latest run of each year) against the targets.
    let latest = store::latest_runs(&state.db, &scope).await?;
    // Each run's counts, read once.
    let latest_counts: Vec<(i32, Vec<TierCounts>)> = latest.iter().map(|r| (r.year, store::counts_of(r))).collect();
    let mut years: Vec<i32> = latest.iter().map(|r| r.year).collect();
    years.extend(targets.iter().map(|t| t.year));
    years.sort_unstable();
    years.dedup();
    let series: Vec<serde_json::Value> = tier_names
        .iter()
        .map(|(tier, name)| {
            let held: Vec<Option<u64>> = years
                .iter()
                .map(|y| {
                    latest_counts
                        .iter()
                        .find(|(year, _)| year == y)
                        .and_then(|(_, counts)| counts.iter().find(|c| &c.tier == tier))
                        .map(|c| c.held)
                })
                .collect();
            let target: Vec<Option<i32>> = years
                .iter()
                .map(|y| {
                    targets
                        .iter()
                        .find(|t| &t.tier == tier && t.year == *y)
                        .map(|t| t.count)
                })
                .collect();
            serde_json::json!({"tier": tier, "name": name, "held": held, "target": target})
        })
        .collect();
    let chart_json = serde_json::json!({"years": years, "series": series}).to_string();
    Ok(render(&OverviewPage {
        ctx: ctx.crumb("nav.ladder", ""),
        run,
        runs,
        tiers,
        tier_names,
        by_industry,
        by_carrier,
        chart_json,
        can_run: DEPARTMENT_EDITORS.contains(scope.role()),
        default_year: latest.first().map_or(scope.year() - 1, |r| r.year),
    }))
}

#[derive(Deserialize)]
struct RunForm {
    year: String,
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    margin: Option<String>,
}

async fn run_create(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<RunForm>,
) -> AppResult<Response> {
    let result: AppResult<(String, String)> = async {
        let year = parse_year(&form.year)?;
        let as_of = parse_as_of(form.as_of.as_deref(), year)?;
        let margin = parse_margin(form.margin.as_deref())?;
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
        Ok((
            format!("/ladder?run={}", run.id),
            format!("已完成 {} 年度梯度评价：{} 家企业", run.year, run.enterprise_count),
        ))
    }
    .await;
    finish(&state, &headers, "/ladder", result)
}

#[derive(Deserialize)]
struct TargetForm {
    tier: String,
    year: String,
    count: String,
    #[serde(default)]
    note: String,
}

async fn target_set(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<TargetForm>,
) -> AppResult<Response> {
    let result: AppResult<(String, String)> = async {
        let year = parse_year(&form.year)?;
        let count: i32 = form
            .count
            .trim()
            .parse()
            .map_err(|_| AppError::field("count", "目标数量应为整数"))?;
        let set = store::criteria_set(state.db.conn(), scope.zone_id()).await?;
        if set.by_tier(&form.tier).is_none() {
            return Err(AppError::field("tier", "没有这个梯度的在用标准"));
        }
        let note = Some(form.note.trim().chars().take(300).collect::<String>()).filter(|n| !n.is_empty());
        let mut writer = scope.writer(&state).await?;
        store::set_target(&mut writer, scope.zone_id(), &form.tier, year, count, note).await?;
        writer.commit().await?;
        Ok(("/ladder".to_string(), "已保存目标".to_string()))
    }
    .await;
    finish(&state, &headers, "/ladder", result)
}

// ---------------------------------------------------------------- cultivation pool

/// The pool's query (flat: serde_urlencoded cannot read numbers inside a flattened struct).
#[derive(Deserialize, Default)]
struct PoolQuery {
    /// Run id (default: the latest).
    run: Option<i64>,
    /// Tier code (default: the first tier of the run).
    tier: Option<String>,
    kind: Option<String>,
    q: Option<String>,
    page: Option<u64>,
    per_page: Option<u64>,
}

impl PoolQuery {
    fn filter(&self) -> CandidateFilter {
        CandidateFilter {
            kind: self.kind.clone(),
            q: self.q.clone(),
            page: self.page,
            per_page: self.per_page,
        }
    }
}

struct PoolRow {
    r: super::result_entity::Model,
    e: Enterprise,
    gaps: Vec<String>,
}

#[derive(Template)]
#[template(path = "pool.html")]
struct PoolPage {
    ctx: PageCtx,
    run: Option<Run>,
    runs: Vec<Run>,
    tiers: Vec<(String, String)>,
    tier: String,
    kind: String,
    q: String,
    rows: Vec<PoolRow>,
    pager: Pager,
    export_query: String,
}

async fn pool_rows(
    state: &AppState,
    scope: &Scope,
    q: &PoolQuery,
    all: bool,
) -> AppResult<(Option<Run>, String, Vec<PoolRow>, u64)> {
    let run = match q.run {
        Some(id) => Some(store::get_run(&state.db, scope, id).await?),
        None => store::runs(&state.db, scope).await?.into_iter().next(),
    };
    let Some(run) = run else {
        return Ok((None, String::new(), Vec::new(), 0));
    };
    let tier = q
        .tier
        .clone()
        .filter(|t| !t.is_empty())
        .or_else(|| store::counts_of(&run).first().map(|c| c.tier.clone()))
        .unwrap_or_default();
    let (rows, total) = store::candidates(&state.db, scope, run.id, &tier, &q.filter(), all).await?;
    let rows = rows
        .into_iter()
        .map(|(r, e)| PoolRow {
            gaps: r.gaps.lines().map(str::to_string).collect(),
            r,
            e,
        })
        .collect();
    Ok((Some(run), tier, rows, total))
}

async fn pool_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    RawQuery(raw): RawQuery,
    Q(q): Q<PoolQuery>,
) -> AppResult<Response> {
    let (run, tier, rows, total) = pool_rows(&state, &scope, &q, false).await?;
    let tiers = run
        .as_ref()
        .map(|r| store::counts_of(r).into_iter().map(|c| (c.tier, c.name)).collect())
        .unwrap_or_default();
    Ok(render(&PoolPage {
        ctx: ctx.crumb("nav.ladder", "/ladder").crumb("ladder.pool", ""),
        runs: store::runs(&state.db, &scope).await?,
        pager: Pager::new(&q.filter().paging(), total, "/ladder/pool", raw.as_deref()),
        export_query: raw.unwrap_or_default(),
        run,
        tiers,
        tier,
        kind: q.kind.clone().unwrap_or_default(),
        q: q.q.clone().unwrap_or_default(),
        rows,
    }))
}

fn kind_label(r: &super::result_entity::Model) -> &'static str {
    if r.held {
        "已认定"
    } else if r.status == "qualifies" {
        "可申报"
    } else if r.within_reach {
        "差一项"
    } else if r.status == "unknown" {
        "需补充数据"
    } else {
        "不符合"
    }
}

async fn pool_export(State(state): State<AppState>, scope: Scope, Q(q): Q<PoolQuery>) -> AppResult<Response> {
    let (run, tier, rows, _) = pool_rows(&state, &scope, &q, true).await?;
    let run = run.ok_or(AppError::NotFound)?;
    let name = store::counts_of(&run)
        .into_iter()
        .find(|c| c.tier == tier)
        .map(|c| c.name)
        .unwrap_or(tier);
    xlsx_download(
        &format!("{}年度{}培育库.xlsx", run.year, name),
        "培育库",
        &[
            "企业名称",
            "统一社会信用代码",
            "主导产业",
            "服务专员",
            "企业负责人",
            "联系电话",
            "梯度",
            "情况",
            "未满足的条件与差距",
            "需补充的数据",
        ],
        rows.into_iter()
            .map(|p| {
                vec![
                    XCell::Text(p.e.name.clone()),
                    XCell::Text(p.e.uscc.clone()),
                    XCell::Text(p.e.leading_industry.clone().unwrap_or_default()),
                    XCell::Text(p.e.service_officer.clone().unwrap_or_default()),
                    XCell::Text(p.e.principal.clone().unwrap_or_default()),
                    XCell::Text(p.e.phone.clone().unwrap_or_default()),
                    XCell::Text(name.clone()),
                    XCell::Text(kind_label(&p.r).into()),
                    XCell::Text(p.gaps.join("；")),
                    XCell::Text(p.r.missing.clone()),
                ]
            })
            .collect(),
    )
}

// ---------------------------------------------------------------- recheck and expiry reminders

#[derive(Template)]
#[template(path = "recheck.html")]
struct RecheckPage {
    ctx: PageCtx,
    run: Run,
    report: store::Recheck,
    /// Each difference with its enterprise's name.
    rows: Vec<(String, store::RecheckDifference)>,
}

async fn recheck_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let run = store::get_run(&state.db, &scope, id).await?;
    let report = store::recheck(&state.db, &scope, id).await?;
    let ids: Vec<i64> = report.differences.iter().map(|d| d.enterprise_id).collect();
    let names = store::enterprise_names(&state.db, &scope, ids).await?;
    let rows = report
        .differences
        .iter()
        .map(|d| (names.get(&d.enterprise_id).cloned().unwrap_or_default(), d.clone()))
        .collect();
    Ok(render(&RecheckPage {
        ctx: ctx
            .crumb("nav.ladder", "/ladder")
            .crumb_text(format!("#{} {}", run.id, run.year), &format!("/ladder?run={}", run.id))
            .crumb("ladder.recheck", ""),
        run,
        report,
        rows,
    }))
}

/// Re-evaluates a stored run with the criteria versions it recorded and compares every result.
#[utoipa::path(get, path = "/api/v1/ladder/runs/{id}/recheck", tag = "ladder", params(("id" = i64, Path)),
    responses((status = 200, body = store::Recheck), (status = 404, description = "不存在")))]
pub async fn api_recheck(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<store::Recheck>> {
    Ok(Json(store::recheck(&state.db, &scope, id).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ExpiringQuery {
    /// Days ahead (default 180, at most 1095).
    pub days: Option<i64>,
    /// The first day (default today).
    pub from: Option<NaiveDate>,
}

impl ExpiringQuery {
    fn days(&self) -> i64 {
        self.days.unwrap_or(180).clamp(1, 1095)
    }

    fn from(&self, today: NaiveDate) -> NaiveDate {
        self.from.unwrap_or(today)
    }
}

struct ExpiringRow {
    e: Enterprise,
    h: store::HeldRecognition,
    tier: String,
}

#[derive(Template)]
#[template(path = "expiring.html")]
struct ExpiringPage {
    ctx: PageCtx,
    days: i64,
    today: NaiveDate,
    rows: Vec<ExpiringRow>,
}

async fn expiring_rows(state: &AppState, scope: &Scope, q: &ExpiringQuery) -> AppResult<Vec<ExpiringRow>> {
    Ok(store::expiring(&state.db, scope, q.from(scope.today()), q.days())
        .await?
        .into_iter()
        .map(|(e, h, tier)| ExpiringRow { e, h, tier })
        .collect())
}

async fn expiring_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(q): Q<ExpiringQuery>,
) -> AppResult<Response> {
    Ok(render(&ExpiringPage {
        ctx: ctx.crumb("nav.ladder", "/ladder").crumb("ladder.expiring", ""),
        days: q.days(),
        today: q.from(scope.today()),
        rows: expiring_rows(&state, &scope, &q).await?,
    }))
}

async fn expiring_export(State(state): State<AppState>, scope: Scope, Q(q): Q<ExpiringQuery>) -> AppResult<Response> {
    let rows = expiring_rows(&state, &scope, &q).await?;
    xlsx_download(
        &format!("认定到期提醒（{}天内）.xlsx", q.days()),
        "到期提醒",
        &[
            "企业名称",
            "统一社会信用代码",
            "认定类别",
            "级别",
            "证书编号",
            "认定日期",
            "有效期至",
            "服务专员",
            "联系电话",
        ],
        rows.into_iter()
            .map(|r| {
                vec![
                    XCell::Text(r.e.name),
                    XCell::Text(r.e.uscc),
                    XCell::Text(r.tier),
                    XCell::Text(r.h.level.unwrap_or_default()),
                    XCell::Text(r.h.reference),
                    XCell::Text(r.h.date.to_string()),
                    XCell::Text(r.h.valid_until.map(|d| d.to_string()).unwrap_or_default()),
                    XCell::Text(r.e.service_officer.unwrap_or_default()),
                    XCell::Text(r.e.phone.unwrap_or_default()),
                ]
            })
            .collect(),
    )
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

// ---------------------------------------------------------------- criteria

#[derive(Template)]
#[template(path = "criteria.html")]
struct CriteriaPage {
    ctx: PageCtx,
    versions: Vec<CriteriaVersion>,
    can_upload: bool,
    error: Option<String>,
}

async fn criteria_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    criteria_page_with(&state, &scope, ctx, None).await
}

/// The criteria page, with the reason an upload was refused.
pub(crate) async fn criteria_page_with(
    state: &AppState,
    scope: &Scope,
    ctx: PageCtx,
    error: Option<String>,
) -> AppResult<Response> {
    Ok(render(&CriteriaPage {
        ctx: ctx.crumb("nav.ladder", "/ladder").crumb("ladder.criteria", ""),
        versions: store::all_versions(&state.db, scope).await?,
        can_upload: DEPARTMENT_EDITORS.contains(scope.role()),
        error,
    }))
}

#[derive(Template)]
#[template(path = "criteria_text.html")]
struct CriteriaTextPage {
    ctx: PageCtx,
    v: CriteriaVersion,
    articles: Vec<(String, String)>,
    /// Each route's name and its conditions as (label, article, rule).
    routes: Vec<RouteText>,
}

type RouteText = (String, Vec<(String, String, String)>);

async fn criteria_text_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
) -> AppResult<Response> {
    let v = store::version_by_id(&state.db, &scope, id).await?;
    let parsed = ladder::load(&v.file_name, &v.source).ok();
    let (articles, routes) = match &parsed {
        Some(c) => (
            c.articles.clone(),
            c.routes
                .iter()
                .map(|r| {
                    let mut lines: Vec<(String, String, String)> = r
                        .conditions
                        .iter()
                        .map(|c| {
                            (
                                c.label.to_string(),
                                c.article.unwrap_or_default().to_string(),
                                c.when_source.unwrap_or("需人工确认").to_string(),
                            )
                        })
                        .collect();
                    if let Some(s) = &r.score {
                        lines.push((
                            s.label.to_string(),
                            s.article.unwrap_or_default().to_string(),
                            format!("总分 ≥ {}", s.pass.normalize()),
                        ));
                    }
                    (r.name.to_string(), lines)
                })
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    Ok(render(&CriteriaTextPage {
        ctx: ctx
            .crumb("nav.ladder", "/ladder")
            .crumb("ladder.criteria", "/ladder/criteria")
            .crumb_text(v.name.clone(), ""),
        v,
        articles,
        routes,
    }))
}

// ---------------------------------------------------------------- API

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
