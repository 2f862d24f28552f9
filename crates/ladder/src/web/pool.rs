//! The cultivation pool (培育库) of a run for one tier: candidates by kind (可申报, 差一项,
//! 需补充数据, 已认定) with what each lacks, and its .xlsx export.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Deserialize;

use crate::result_entity::Model as LadderResult;
use crate::run_entity::Model as Run;
use crate::status::CandidateKind;
use crate::store::{self, CandidateFilter};
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{Cell as XCell, PageCtx, Pager, Q, render, xlsx_download};

/// The pool's query (flat: serde_urlencoded cannot read numbers inside a flattened struct).
#[derive(Deserialize, Default)]
pub(super) struct PoolQuery {
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
    r: LadderResult,
    e: Enterprise,
    gaps: Vec<String>,
}

impl PoolRow {
    /// The kind the page shows the row as; a plainly failing result (which the pool's filters
    /// never list) shows as missing data.
    fn shown_kind(&self) -> CandidateKind {
        CandidateKind::of_result(self.r.held, &self.r.status, self.r.within_reach).unwrap_or(CandidateKind::Unknown)
    }
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
    /// The kinds the list can be narrowed to, in the order the page offers them.
    kinds: &'static [CandidateKind],
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

pub(super) async fn pool_page(
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
        kinds: CandidateKind::ALL,
        q: q.q.clone().unwrap_or_default(),
        rows,
    }))
}

pub(super) async fn pool_export(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<PoolQuery>,
) -> AppResult<Response> {
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
                    XCell::Text(CandidateKind::kind_label(p.r.held, &p.r.status, p.r.within_reach).into()),
                    XCell::Text(p.gaps.join("；")),
                    XCell::Text(p.r.missing.clone()),
                ]
            })
            .collect(),
    )
}
