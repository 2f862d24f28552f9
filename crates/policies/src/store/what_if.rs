//! The policy what-if (政策沙盘): what a draft version of a policy would have paid in a past
//! year against the version in use, computed without saving anything.

use std::collections::{HashMap, HashSet};

use super::computing::gather;
use super::diff::{DiffRow, Side, compare};
use super::versions::{active_versions, stored};
use crate::compute::{self, Computed, PolicySet, StoredVersion};
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_rules::policy::{self, Kinds, Slots};

/// What a draft version of a policy would have paid in a past year, against the version in use.
pub struct WhatIf {
    pub policy: String,
    pub title: String,
    /// Fen, the policy's lines (both ways of paying).
    pub before: i64,
    pub after: i64,
    /// Sum of the awards' budgets (fen), before and after; None when no award has one.
    pub budget_before: Option<i64>,
    pub budget_after: Option<i64>,
    pub recipients_before: usize,
    pub recipients_after: usize,
    pub gained: Vec<String>,
    pub lost: Vec<String>,
    /// The largest changes first.
    pub changes: Vec<DiffRow>,
    /// The draft's own tests that fail (the what-if still runs).
    pub failing_tests: Vec<String>,
}

/// Runs a draft policy file against `year`'s data without saving anything.
pub async fn what_if(db: &Db, zone_id: i64, year: i32, file_name: &str, source: &str) -> Result<WhatIf, AppError> {
    use sha2::Digest;
    let mut slots = Slots::new();
    let mut kinds = Kinds::new();
    let draft = policy::load(file_name, source, &mut slots, &mut kinds)
        .map_err(|e| AppError::field("source", e.to_string()))?;
    let failing_tests = gaoxin_rules::eval::run_tests(std::slice::from_ref(&draft), &slots, &kinds)
        .into_iter()
        .filter(|r| !r.failures.is_empty())
        .map(|r| format!("{}：{}", r.name, r.failures.join("；")))
        .collect();
    if !draft.in_force(year) {
        return Err(AppError::field(
            "year",
            format!("草稿政策在 {year} 年不生效（见 effective_from / effective_to）"),
        ));
    }
    let active = active_versions(db.conn(), zone_id).await?;
    let mut after = stored(
        &active
            .iter()
            .filter(|v| v.policy_id != draft.id)
            .cloned()
            .collect::<Vec<_>>(),
    );
    after.push(StoredVersion {
        id: -1,
        version: hex::encode(sha2::Sha256::digest(source.as_bytes())),
        file_name: file_name.to_string(),
        source: source.to_string(),
    });
    let before_set = compute::policy_set(&stored(&active)).map_err(AppError::BadRequest)?;
    let after_set = compute::policy_set(&after).map_err(|e| AppError::field("source", e))?;
    let (facts, events, paid) = gather(db.conn(), zone_id, year, None).await?;
    let run = |set: &PolicySet| -> Result<Computed, AppError> {
        if !set.policies.iter().any(|p| p.in_force(year)) {
            return Ok(Computed {
                lines: Vec::new(),
                input_hash: String::new(),
                cases: 0,
            });
        }
        compute::compute(set, year, &facts, &events, &paid).map_err(AppError::BadRequest)
    };
    let (b, a) = (run(&before_set)?, run(&after_set)?);
    let of_policy = |c: &Computed| -> Vec<Side> {
        c.lines
            .iter()
            .filter(|l| l.policy == draft.id)
            .map(Side::computed)
            .collect()
    };
    let (bs, as_) = (of_policy(&b), of_policy(&a));
    let recipients =
        |sides: &[Side]| -> HashSet<i64> { sides.iter().filter(|l| l.amount > 0).map(|l| l.key.0).collect() };
    let (rb, ra) = (recipients(&bs), recipients(&as_));
    let name_of: HashMap<i64, &str> = facts.iter().map(|f| (f.enterprise_id, f.name.as_str())).collect();
    let names = |ids: Vec<&i64>| -> Vec<String> {
        let mut v: Vec<String> = ids
            .into_iter()
            .map(|i| name_of.get(i).copied().unwrap_or("").to_string())
            .collect();
        v.sort();
        v
    };
    let budget = |set: &PolicySet| -> Option<i64> { compute::yearly_budget(set.policy(&draft.id)?) };
    let before_total: i64 = bs.iter().map(|l| l.amount).sum();
    let after_total: i64 = as_.iter().map(|l| l.amount).sum();
    let mut changes = compare(bs, as_);
    changes.sort_by_key(|d| std::cmp::Reverse((d.after.unwrap_or(0) - d.before.unwrap_or(0)).abs()));
    Ok(WhatIf {
        policy: draft.id.clone(),
        title: format!("{} {}", draft.document_number, draft.title),
        before: before_total,
        after: after_total,
        budget_before: budget(&before_set),
        budget_after: budget(&after_set),
        recipients_before: rb.len(),
        recipients_after: ra.len(),
        gained: names(ra.difference(&rb).collect()),
        lost: names(rb.difference(&ra).collect()),
        changes,
        failing_tests,
    })
}
