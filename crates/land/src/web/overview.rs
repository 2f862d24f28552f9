//! The overview (schemes in use, runs, clearance totals; refused uploads are shown here) and a
//! scheme's page (its classes, indicators and benchmarks as written, and its text).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use rust_decimal::Decimal;

use crate::run_entity::Model as Run;
use crate::scheme_entity::Model as SchemeVersion;
use crate::status::{CaseStatus, RunStatus};
use crate::store::{self, RunCounts};
use gaoxin_core::roles::DEPARTMENT_EDITORS;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::versions::VersionStatus;
use gaoxin_platform::web::{Id, PageCtx, render};

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
    let active: Vec<SchemeVersion> = versions
        .iter()
        .filter(|v| v.status == VersionStatus::Active.code())
        .cloned()
        .collect();
    let runs: Vec<RunLine> = store::runs(&state.db, scope)
        .await?
        .into_iter()
        .map(|run| RunLine {
            counts: store::counts_of(&run),
            status: RunStatus::key_of(&run.status),
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

pub(super) async fn overview_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
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

pub(super) async fn scheme_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
) -> AppResult<Response> {
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
