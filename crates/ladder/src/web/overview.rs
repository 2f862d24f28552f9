//! The overview: tier counts of a run against the zone's targets (and over the years), held
//! counts by leading industry and by carrier, the runs; starting a run, setting a target, and
//! a run's recheck.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::{parse_as_of, parse_margin, parse_year};
use crate::run_entity::Model as Run;
use crate::store::{self, TierCounts};
use gaoxin_core::roles::DEPARTMENT_EDITORS;
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::duties::{self, Duty, Owner};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{Id, PageCtx, Q, WebForm, finish, render};

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
pub(super) struct OverviewQuery {
    run: Option<i64>,
}

pub(super) async fn overview_page(
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
    let chart_json = gaoxin_platform::web::script_json(&serde_json::json!({"years": years, "series": series}));
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
pub(super) struct RunForm {
    year: String,
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    margin: Option<String>,
}

pub(super) async fn run_create(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<RunForm>,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Ladder)]).await?;
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
pub(super) struct TargetForm {
    tier: String,
    year: String,
    count: String,
    #[serde(default)]
    note: String,
}

pub(super) async fn target_set(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<TargetForm>,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Ladder)]).await?;
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

#[derive(Template)]
#[template(path = "recheck.html")]
struct RecheckPage {
    ctx: PageCtx,
    run: Run,
    report: store::Recheck,
    /// Each difference with its enterprise's name.
    rows: Vec<(String, store::RecheckDifference)>,
}

pub(super) async fn recheck_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
) -> AppResult<Response> {
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
