//! Evaluation runs: every enterprise of a zone against every tier in force, stored with the
//! criteria versions used, the hash of the facts and the counts per tier, one result per
//! enterprise and tier; a stored run rechecked with the versions it recorded.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{criteria_set, gather, hash_facts, set_of};
use crate::criteria_entity::{self as criteria, Model as CriteriaVersion};
use crate::result_entity::{self as result, Model as LadderResult};
use crate::run_entity::{self as run, Model as Run};
use crate::status::CandidateKind;
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_rules::ladder::{self, Criteria, Facts, Status, Validities};

/// Counts of one tier in a run.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TierCounts {
    pub tier: String,
    pub name: String,
    /// Holding a valid recognition on the day evaluated.
    pub held: u64,
    /// Qualifying now and not yet recognised (培育库：可申报).
    pub qualifies: u64,
    /// Not recognised, nothing known fails, data missing.
    pub unknown: u64,
    /// Not recognised, one failing item within the margin.
    pub within_reach: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UsedVersion {
    pub tier: String,
    pub criteria: String,
    pub version_id: i64,
    pub version: String,
}

/// One result row, before it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultRow {
    pub enterprise_id: i64,
    pub tier: String,
    pub status: String,
    pub within_reach: bool,
    pub held: bool,
    pub unmet: i32,
    pub gaps: String,
    pub missing: String,
    pub detail: Option<String>,
}

/// What evaluating a set of enterprises against a set of criteria gives.
struct Evaluated {
    input_hash: String,
    counts: Vec<TierCounts>,
    rows: Vec<ResultRow>,
}

fn evaluate_all(
    criteria: &[&(CriteriaVersion, Arc<Criteria>)],
    validities: &Validities,
    gathered: &[(Enterprise, Facts)],
    year: i32,
    as_of: NaiveDate,
    margin: Decimal,
) -> Evaluated {
    let mut hash = Sha256::new();
    let mut counts: Vec<TierCounts> = criteria
        .iter()
        .map(|(_, c)| TierCounts {
            tier: c.tier.clone(),
            name: c.name.clone(),
            ..Default::default()
        })
        .collect();
    // Every enterprise is evaluated on its own, on every core, and its results are turned into
    // rows at once (a full result with every condition is a few KB; a zone holds 100,000 × 11).
    let evaluated: Vec<Vec<ResultRow>> = ladder::parallel_map(gathered, |(e, facts)| {
        criteria
            .iter()
            .map(|(_, c)| {
                let held = c.recognition.as_ref().is_some_and(|cat| {
                    facts
                        .recognitions
                        .iter()
                        .any(|h| &h.category == cat && ladder::valid_on(h, validities, as_of))
                });
                let r = c.evaluate(facts, year, as_of, validities, margin);
                let best = r.best();
                // The deciding route in full for the pool's candidates; the rest keep the summary.
                let candidate = !held && (r.status == Status::Qualifies || r.within_reach);
                ResultRow {
                    enterprise_id: e.id,
                    tier: c.tier.clone(),
                    status: r.status.code().to_string(),
                    within_reach: r.within_reach,
                    held,
                    unmet: best.unmet().len() as i32,
                    gaps: best.gaps().join("\n"),
                    missing: best.missing().join("、"),
                    detail: if candidate {
                        serde_json::to_string(best).ok()
                    } else {
                        None
                    },
                }
            })
            .collect()
    });
    let mut rows = Vec::with_capacity(gathered.len() * criteria.len());
    for ((e, facts), results) in gathered.iter().zip(evaluated) {
        hash_facts(&mut hash, e.id, facts);
        for (k, row) in results.into_iter().enumerate() {
            let tally = &mut counts[k];
            match CandidateKind::of_result(row.held, &row.status, row.within_reach) {
                Some(CandidateKind::Held) => tally.held += 1,
                Some(CandidateKind::Qualifies) => tally.qualifies += 1,
                Some(CandidateKind::Unknown) => tally.unknown += 1,
                Some(CandidateKind::WithinReach) => tally.within_reach += 1,
                None => {}
            }
            rows.push(row);
        }
    }
    Evaluated {
        input_hash: hex::encode(hash.finalize()),
        counts,
        rows,
    }
}

/// Evaluates every active enterprise of the writer's zone against every tier in force, and
/// stores the run (versions used, input hash, counts) with one result per enterprise and tier.
pub async fn evaluate_zone(
    writer: &mut Writer,
    zone_id: i64,
    year: i32,
    as_of: NaiveDate,
    margin: Decimal,
    created_by: Option<i64>,
) -> Result<Run, AppError> {
    let set = criteria_set(writer.read(), zone_id).await?;
    let in_force: Vec<&(CriteriaVersion, Arc<Criteria>)> = set.in_force(as_of).collect();
    if in_force.is_empty() {
        return Err(AppError::BadRequest(format!(
            "{as_of} 没有生效的培育标准：请先在“培育标准”中导入标准文件"
        )));
    }
    let started = std::time::Instant::now();
    let gathered = gather(writer.read(), zone_id, None, year, set.min_offset(), as_of).await?;
    let gathered_in = started.elapsed();
    let evaluated = evaluate_all(&in_force, &set.validities, &gathered, year, as_of, margin);
    let evaluated_in = started.elapsed() - gathered_in;
    let versions: Vec<UsedVersion> = in_force
        .iter()
        .map(|(v, c)| UsedVersion {
            tier: c.tier.clone(),
            criteria: c.id.clone(),
            version_id: v.id,
            version: v.version.clone(),
        })
        .collect();
    let created = writer
        .insert_in_zone(run::ActiveModel {
            year: Set(year),
            as_of: Set(as_of),
            margin_bp: Set((margin * Decimal::from(10_000)).trunc().try_into().unwrap_or(2000)),
            criteria_versions: Set(serde_json::to_string(&versions).unwrap_or_default()),
            enterprise_count: Set(gathered.len() as i64),
            counts: Set(serde_json::to_string(&evaluated.counts).unwrap_or_default()),
            input_hash: Set(evaluated.input_hash),
            created_by: Set(created_by),
            ..Default::default()
        })
        .await?;
    let rows: Vec<result::ActiveModel> = evaluated
        .rows
        .into_iter()
        .map(|r| result::ActiveModel {
            run_id: Set(created.id),
            enterprise_id: Set(r.enterprise_id),
            tier: Set(r.tier),
            status: Set(r.status),
            within_reach: Set(r.within_reach),
            held: Set(r.held),
            unmet: Set(r.unmet),
            gaps: Set(r.gaps),
            missing: Set(r.missing),
            detail: Set(r.detail),
            ..Default::default()
        })
        .collect();
    let written = writer.insert_derived_in_zone(rows).await?;
    tracing::debug!(
        enterprises = gathered.len(),
        results = written,
        gather_ms = gathered_in.as_millis() as u64,
        evaluate_ms = evaluated_in.as_millis() as u64,
        write_ms = (started.elapsed() - gathered_in - evaluated_in).as_millis() as u64,
        "ladder run"
    );
    writer
        .event(
            "evaluate",
            "ladder_run",
            created.id.to_string(),
            Some(serde_json::json!({"year": year, "as_of": as_of, "results": written, "enterprises": gathered.len()})),
        )
        .await?;
    Ok(created)
}

/// What re-evaluating a stored run with the versions it recorded gives.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Recheck {
    pub run: i64,
    /// The facts are the same as when the run was made (same input hash).
    pub same_inputs: bool,
    pub compared: usize,
    /// Results that differ: (enterprise id, tier, stored status, status now).
    pub differences: Vec<RecheckDifference>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RecheckDifference {
    pub enterprise_id: i64,
    pub tier: String,
    pub stored: String,
    pub now: String,
    pub stored_gaps: String,
    pub gaps_now: String,
}

/// Re-evaluates a run with the criteria versions it recorded (retired ones too) on today's
/// data, and compares every result with the stored one: with the same inputs, every result is
/// the same (完全一致); with changed data, each difference is listed.
pub async fn recheck(db: &Db, scope: &Scope, run_id: i64) -> Result<Recheck, AppError> {
    let run = get_run(db, scope, run_id).await?;
    let ids: Vec<i64> = versions_of(&run).iter().map(|v| v.version_id).collect();
    let stored_versions = scope
        .select::<criteria::Entity>()
        .filter(criteria::Column::Id.is_in(ids.clone()))
        .all(db.conn())
        .await?;
    if stored_versions.len() != ids.len() {
        return Err(AppError::Conflict("该批次记录的标准版本不全，无法复核".into()));
    }
    let set = set_of(stored_versions)?;
    let all: Vec<&(CriteriaVersion, Arc<Criteria>)> = set.versions.iter().collect();
    let margin = Decimal::new(run.margin_bp.into(), 4);
    let gathered = gather(db.conn(), scope.zone_id(), None, run.year, set.min_offset(), run.as_of).await?;
    let fresh = evaluate_all(&all, &set.validities, &gathered, run.year, run.as_of, margin);
    let stored: HashMap<(i64, String), LadderResult> = scope
        .select::<result::Entity>()
        .filter(result::Column::RunId.eq(run.id))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|r| ((r.enterprise_id, r.tier.clone()), r))
        .collect();
    let mut differences = Vec::new();
    let mut compared = 0;
    for row in &fresh.rows {
        compared += 1;
        let before = stored.get(&(row.enterprise_id, row.tier.clone()));
        let same = before.is_some_and(|b| {
            b.status == row.status
                && b.within_reach == row.within_reach
                && b.held == row.held
                && b.gaps == row.gaps
                && b.missing == row.missing
        });
        if !same {
            differences.push(RecheckDifference {
                enterprise_id: row.enterprise_id,
                tier: row.tier.clone(),
                stored: before.map(|b| b.status.clone()).unwrap_or_else(|| "（无）".into()),
                now: row.status.clone(),
                stored_gaps: before.map(|b| b.gaps.clone()).unwrap_or_default(),
                gaps_now: row.gaps.clone(),
            });
        }
    }
    // Results stored for enterprises no longer evaluated (moved out, deregistered).
    let evaluated: std::collections::HashSet<(i64, &str)> =
        fresh.rows.iter().map(|r| (r.enterprise_id, r.tier.as_str())).collect();
    for ((e, tier), b) in &stored {
        if !evaluated.contains(&(*e, tier.as_str())) {
            differences.push(RecheckDifference {
                enterprise_id: *e,
                tier: tier.clone(),
                stored: b.status.clone(),
                now: "（不再评价）".into(),
                stored_gaps: b.gaps.clone(),
                gaps_now: String::new(),
            });
        }
    }
    differences.sort_by(|a, b| (a.enterprise_id, &a.tier).cmp(&(b.enterprise_id, &b.tier)));
    Ok(Recheck {
        run: run.id,
        same_inputs: fresh.input_hash == run.input_hash,
        compared,
        differences,
    })
}

pub fn counts_of(r: &Run) -> Vec<TierCounts> {
    serde_json::from_str(&r.counts).unwrap_or_default()
}

pub fn versions_of(r: &Run) -> Vec<UsedVersion> {
    serde_json::from_str(&r.criteria_versions).unwrap_or_default()
}

pub async fn runs(db: &Db, scope: &Scope) -> Result<Vec<Run>, AppError> {
    Ok(scope
        .select::<run::Entity>()
        .order_by_desc(run::Column::Id)
        .all(db.conn())
        .await?)
}

pub async fn get_run(db: &Db, scope: &Scope, id: i64) -> Result<Run, AppError> {
    scope
        .select::<run::Entity>()
        .filter(run::Column::Id.eq(id))
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound)
}

/// The latest run of each year, newest year first.
pub async fn latest_runs(db: &Db, scope: &Scope) -> Result<Vec<Run>, AppError> {
    let mut out: Vec<Run> = Vec::new();
    for r in runs(db, scope).await? {
        if !out.iter().any(|o| o.year == r.year) {
            out.push(r);
        }
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.year));
    Ok(out)
}
