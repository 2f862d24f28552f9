//! Evaluating a zone: the results of a scheme on the registry's facts with their explanations,
//! the run's indicators and counts, stored as a draft run; and a run that is not final
//! re-evaluated on today's data.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{cases, get_run, parse, version_by_id};
use crate::result_entity::{self as result, Model as LandResultRow};
use crate::run_entity::{self as run, Model as Run};
use crate::scheme_entity::Model as SchemeVersion;
use crate::status::RunStatus;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppError;
use gaoxin_rules::expr::round_half_up;
use gaoxin_rules::land::{self, Case, Scheme};

/// A result's explanation as stored (texts copied from the scheme so that the page reads
/// without it; benchmarks and weights are on the run).
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct ResultDetail {
    /// The exact total.
    pub total: String,
    pub indicators: Vec<IndicatorDetail>,
    pub adjustments: Vec<AdjustmentDetail>,
    /// Evaluated together with the enterprises sharing its parcels.
    #[serde(default)]
    pub merged: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct IndicatorDetail {
    pub id: String,
    /// To 4 decimals; None: unknown.
    pub value: Option<String>,
    /// To 2 decimals.
    pub score: String,
    pub filled: bool,
    pub capped: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct AdjustmentDetail {
    pub id: String,
    pub label: String,
    pub points: String,
}

/// An indicator of the run: its benchmark and weight as used, and what a missing value scored.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct RunIndicator {
    pub id: String,
    pub label: String,
    pub unit: Option<String>,
    pub weight: String,
    pub benchmark: String,
    /// How a missing value scores (按 0 分计 / 按平均得分计) and what it scored.
    pub missing: String,
    pub fill: String,
    pub formula: String,
    pub article: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct RunCounts {
    pub ranked: u64,
    /// Not ranked for a reason (no land of its own, T 类 …).
    pub excluded: u64,
    /// Outside the scheme's scope (e.g. 规下 firms for a 规上 scheme).
    #[serde(default)]
    pub out_of_scope: u64,
    /// (class name, count), in the scheme's order.
    pub classes: Vec<(String, u64)>,
}

pub fn counts_of(run: &Run) -> RunCounts {
    serde_json::from_str(&run.counts).unwrap_or_default()
}

pub fn indicators_of(run: &Run) -> Vec<RunIndicator> {
    serde_json::from_str(&run.benchmarks).unwrap_or_default()
}

pub fn detail_of(r: &LandResultRow) -> ResultDetail {
    serde_json::from_str(&r.detail).unwrap_or_default()
}

pub(super) fn points(d: Decimal) -> String {
    format!("{:.2}", round_half_up(d, 2))
}

fn hundredths(d: Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    (round_half_up(d, 2) * Decimal::ONE_HUNDRED)
        .to_i64()
        .unwrap_or(i64::MAX)
}

/// What a run stores of one enterprise's result (before zone and ids).
struct Computed {
    enterprise_id: i64,
    exclusion_id: Option<String>,
    excluded: Option<String>,
    rank: i32,
    total: i64,
    class: String,
    detail: String,
}

/// Evaluates the zone's active enterprises with a scheme: the results in enterprise order,
/// the run's indicators (benchmarks) and counts, and a hash of the inputs.
async fn compute<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    scheme: &Scheme,
    year: i32,
    as_of: NaiveDate,
) -> Result<(Vec<Computed>, Vec<RunIndicator>, RunCounts, String), AppError> {
    let units = cases(conn, zone_id, scheme, year, as_of).await?;
    let baseline = if scheme.baseline_previous_year {
        let previous = cases(
            conn,
            zone_id,
            scheme,
            year - 1,
            gaoxin_rules::ladder::default_as_of(year - 1),
        )
        .await?;
        Some(previous.into_iter().map(|u| u.case).collect::<Vec<_>>())
    } else {
        None
    };
    let mut hasher = Sha256::new();
    hasher.update(format!("{}|{year}|{as_of}", scheme.version));
    for c in units.iter().map(|u| &u.case).chain(baseline.iter().flatten()) {
        hasher.update(format!("{}:{:?};", c.id, c.values));
    }
    let input_hash = hex::encode(hasher.finalize());
    let plain: Vec<Case> = units.iter().map(|u| u.case.clone()).collect();
    let evaluation = scheme.evaluate(&plain, baseline.as_deref());
    let mut counts = RunCounts {
        classes: scheme.classes.names.iter().map(|n| (n.clone(), 0)).collect(),
        ..Default::default()
    };
    let mut computed = Vec::new();
    for (unit, r) in units.iter().zip(&evaluation.results) {
        let reason = r.excluded.map(|x| scheme.exclusion_reason(x));
        let detail = ResultDetail {
            total: r.total.normalize().to_string(),
            indicators: r
                .indicators
                .iter()
                .zip(&scheme.indicators)
                .map(|(i, ind)| IndicatorDetail {
                    id: ind.id.clone(),
                    value: i.value.map(|v| format!("{:.4}", round_half_up(v, 4))),
                    score: points(i.score),
                    filled: i.filled,
                    capped: i.capped,
                })
                .collect(),
            adjustments: r
                .adjustments
                .iter()
                .map(|(a, p)| AdjustmentDetail {
                    id: scheme.adjustments[*a].rule.id.clone(),
                    label: scheme.adjustments[*a].rule.label.clone(),
                    points: points(*p),
                })
                .collect(),
            merged: unit.merged.clone(),
        };
        let detail = serde_json::to_string(&detail).unwrap_or_default();
        for e in &unit.members {
            match r.excluded {
                Some(gaoxin_rules::land::Excluded::Scope) => counts.out_of_scope += 1,
                Some(_) => counts.excluded += 1,
                None => {
                    counts.ranked += 1;
                    counts.classes[r.class].1 += 1;
                }
            }
            computed.push(Computed {
                enterprise_id: e.id,
                exclusion_id: reason.as_ref().map(|(id, _)| id.to_string()),
                excluded: reason.as_ref().map(|(_, label)| label.chars().take(300).collect()),
                rank: r.rank as i32,
                total: if r.excluded.is_some() { 0 } else { hundredths(r.total) },
                class: scheme.class_name(r).chars().take(50).collect(),
                detail: detail.clone(),
            });
        }
    }
    let indicators = scheme
        .indicators
        .iter()
        .enumerate()
        .map(|(k, i)| RunIndicator {
            id: i.id.clone(),
            label: i.label.clone(),
            unit: i.unit.clone(),
            weight: i.weight.normalize().to_string(),
            benchmark: round_half_up(evaluation.benchmarks[k], 4).normalize().to_string(),
            missing: match i.missing {
                land::Missing::Zero => "缺少数据按 0 分计".into(),
                land::Missing::GroupAverage => "缺少数据按参评企业该项平均得分计".into(),
            },
            fill: points(evaluation.fills[k]),
            formula: i.source.clone(),
            article: i.article.clone(),
        })
        .collect();
    Ok((computed, indicators, counts, input_hash))
}

/// Evaluates the zone with a scheme version and stores the run (a draft) and its results.
pub async fn evaluate_zone(
    writer: &mut Writer,
    version: &SchemeVersion,
    year: i32,
    as_of: NaiveDate,
    created_by: Option<i64>,
) -> Result<Run, AppError> {
    let scheme = parse(version)?;
    if !(1978..=2100).contains(&year) {
        return Err(AppError::field("year", "年度应为四位数字，如 2024"));
    }
    let (computed, indicators, counts, input_hash) =
        compute(writer.read(), version.zone_id, &scheme, year, as_of).await?;
    if counts.ranked == 0 {
        return Err(AppError::field(
            "year",
            format!(
                "{year} 年度没有可参评的企业（方案“{}”的范围内没有企业有用地和年度数据）：请先导入企业和年度数据",
                scheme.name
            ),
        ));
    }
    let run = writer
        .insert_in_zone(run::ActiveModel {
            scheme_version_id: Set(version.id),
            scheme_id: Set(version.scheme_id.clone()),
            year: Set(year),
            as_of: Set(as_of),
            status: Set(RunStatus::Draft.code().into()),
            enterprise_count: Set(computed.len() as i64),
            counts: Set(serde_json::to_string(&counts).unwrap_or_default()),
            benchmarks: Set(serde_json::to_string(&indicators).unwrap_or_default()),
            input_hash: Set(input_hash),
            created_by: Set(created_by),
            ..Default::default()
        })
        .await?;
    let rows: Vec<result::ActiveModel> = computed
        .into_iter()
        .map(|c| result::ActiveModel {
            run_id: Set(run.id),
            enterprise_id: Set(c.enterprise_id),
            exclusion_id: Set(c.exclusion_id),
            excluded: Set(c.excluded),
            rank: Set(c.rank),
            total: Set(c.total),
            computed_class: Set(c.class.clone()),
            class: Set(c.class),
            adjust_reason: Set(None),
            detail: Set(c.detail),
            ..Default::default()
        })
        .collect();
    let written = writer.insert_derived_in_zone(rows).await?;
    writer
        .event(
            "evaluate",
            "land_run",
            run.id.to_string(),
            Some(serde_json::json!({"scheme": version.scheme_id, "version": version.version, "year": year, "results": written, "counts": counts})),
        )
        .await?;
    Ok(run)
}

/// Re-evaluates a run that is not final with its scheme version on today's data (after an
/// objection corrected the data): every result that changed is updated and audited (before,
/// after); a class set by hand stays, with the computed class updated beside it.
pub async fn rerun(writer: &mut Writer, scope: &Scope, run_id: i64) -> Result<(Run, u64), AppError> {
    let r = get_run(writer.read(), scope, run_id).await?;
    if r.status == RunStatus::Final.code() {
        return Err(AppError::BadRequest("评价结果已确认锁定，不能重新计算".into()));
    }
    let version = version_by_id(writer.read(), scope, r.scheme_version_id).await?;
    let scheme = parse(&version)?;
    let (computed, indicators, counts, input_hash) =
        compute(writer.read(), r.zone_id, &scheme, r.year, r.as_of).await?;
    let existing: HashMap<i64, LandResultRow> = result::Entity::find()
        .filter(result::Column::ZoneId.eq(r.zone_id))
        .filter(result::Column::RunId.eq(r.id))
        .all(writer.read())
        .await?
        .into_iter()
        .map(|x| (x.enterprise_id, x))
        .collect();
    let mut changed = 0u64;
    let mut added = Vec::new();
    for c in computed {
        match existing.get(&c.enterprise_id) {
            None => added.push(result::ActiveModel {
                run_id: Set(r.id),
                enterprise_id: Set(c.enterprise_id),
                exclusion_id: Set(c.exclusion_id),
                excluded: Set(c.excluded),
                rank: Set(c.rank),
                total: Set(c.total),
                computed_class: Set(c.class.clone()),
                class: Set(c.class),
                adjust_reason: Set(None),
                detail: Set(c.detail),
                ..Default::default()
            }),
            Some(old) => {
                let class = if old.adjust_reason.is_some() {
                    old.class.clone()
                } else {
                    c.class.clone()
                };
                let same = old.exclusion_id == c.exclusion_id
                    && old.rank == c.rank
                    && old.total == c.total
                    && old.computed_class == c.class
                    && old.class == class
                    && old.detail == c.detail;
                if !same {
                    let mut a = old.clone().into_active_model();
                    a.exclusion_id = Set(c.exclusion_id);
                    a.excluded = Set(c.excluded);
                    a.rank = Set(c.rank);
                    a.total = Set(c.total);
                    a.computed_class = Set(c.class);
                    a.class = Set(class);
                    a.detail = Set(c.detail);
                    writer.update_in_zone(old, a).await?;
                    changed += 1;
                }
            }
        }
    }
    changed += added.len() as u64;
    if !added.is_empty() {
        writer.insert_many_in_zone(added).await?;
    }
    let mut a = r.clone().into_active_model();
    a.counts = Set(serde_json::to_string(&counts).unwrap_or_default());
    a.benchmarks = Set(serde_json::to_string(&indicators).unwrap_or_default());
    a.input_hash = Set(input_hash);
    let updated = writer.update_in_zone(&r, a).await?;
    writer
        .event(
            "rerun",
            "land_run",
            r.id.to_string(),
            Some(serde_json::json!({"changed": changed})),
        )
        .await?;
    Ok((updated, changed))
}
