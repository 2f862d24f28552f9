//! Comparing award lines between two runs (a batch against a recomputation, or the version in
//! use against a draft), line by line with why each amount changed.

use std::collections::{BTreeMap, HashMap};

use sea_orm::ConnectionTrait;
use serde::Serialize;

use super::batches::{LineKey, key_of, key_of_computed, paid_keys};
use super::computing::compute_with;
use crate::batch_entity::Model as Batch;
use crate::compute::{self, Computed};
use crate::line_entity::Model as Line;
use crate::version_entity::Model as Version;
use gaoxin_platform::error::AppError;
use gaoxin_rules::eval::Explanation;

/// One difference between a batch's lines and a new computation.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DiffRow {
    pub enterprise_id: i64,
    pub enterprise: String,
    pub award: String,
    pub event_id: Option<i64>,
    /// Fen; None: not in that run.
    pub before: Option<i64>,
    pub after: Option<i64>,
    /// Why, in Chinese: version change, inputs that changed, condition no longer met…
    pub why: String,
}

/// One side of a comparison: an award line with what explains it.
pub struct Side {
    pub key: LineKey,
    pub amount: i64,
    pub award_name: String,
    pub explanation: Option<Explanation>,
}

impl Side {
    pub fn stored(l: &Line) -> Side {
        Side {
            key: key_of(l),
            amount: l.amount,
            award_name: l.award_name.clone(),
            explanation: serde_json::from_str(&l.explanation).ok(),
        }
    }

    pub fn computed(l: &compute::Line) -> Side {
        Side {
            key: key_of_computed(l),
            amount: l.amount,
            award_name: l.award_name.clone(),
            explanation: Some(l.explanation.clone()),
        }
    }
}

/// Compares the batch's lines with a new computation (its 免申即享 lines).
pub fn diff(stored: &[Line], fresh: &Computed) -> Vec<DiffRow> {
    compare(
        stored
            .iter()
            .filter(|l| l.application_id.is_none())
            .map(Side::stored)
            .collect(),
        fresh
            .lines
            .iter()
            .filter(|l| l.without_application)
            .map(Side::computed)
            .collect(),
    )
}

/// The lines whose amount differs between two runs, with why.
pub fn compare(before: Vec<Side>, after: Vec<Side>) -> Vec<DiffRow> {
    let old: HashMap<&LineKey, &Side> = before.iter().map(|l| (&l.key, l)).collect();
    let new: HashMap<&LineKey, &Side> = after.iter().map(|l| (&l.key, l)).collect();
    let mut keys: Vec<&LineKey> = old.keys().chain(new.keys()).copied().collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        let (b, a) = (old.get(k), new.get(k));
        let (b_amount, a_amount) = (b.map(|l| l.amount), a.map(|l| l.amount));
        if b_amount == a_amount {
            continue;
        }
        let (o, n) = (
            b.and_then(|l| l.explanation.as_ref()),
            a.and_then(|l| l.explanation.as_ref()),
        );
        let why = match (o, n) {
            (None, Some(_)) => "新满足条件（或新增的数据 / 政策）".to_string(),
            (Some(_), None) => "不再满足条件（或数据 / 政策已删除）".to_string(),
            (Some(o), Some(n)) => why_changed(o, n),
            (None, None) => String::new(),
        };
        let enterprise = n.or(o).map(|e| e.enterprise.clone()).unwrap_or_default();
        let award = a.or(b).map(|l| l.award_name.clone()).unwrap_or_default();
        out.push(DiffRow {
            enterprise_id: k.0,
            enterprise,
            award,
            event_id: k.1,
            before: b_amount,
            after: a_amount,
            why,
        });
    }
    out
}

fn why_changed(o: &Explanation, n: &Explanation) -> String {
    let mut reasons = Vec::new();
    if o.version != n.version {
        reasons.push(format!(
            "规则版本 {} → {}",
            o.version.get(..12).unwrap_or(&o.version),
            n.version.get(..12).unwrap_or(&n.version)
        ));
    }
    let inputs = |e: &Explanation| -> BTreeMap<String, (String, String)> {
        e.condition_inputs
            .iter()
            .chain(e.formula_inputs.iter())
            .map(|i| (i.name.clone(), (i.label.clone(), i.value.clone())))
            .collect()
    };
    let (oi, ni) = (inputs(o), inputs(n));
    for (name, (label, value)) in &ni {
        if let Some((_, old)) = oi.get(name)
            && old != value
        {
            reasons.push(format!("{label}：{old} → {value}"));
        }
    }
    if o.formula != n.formula {
        reasons.push(format!("公式：{} → {}", o.formula, n.formula));
    }
    let caps = |e: &Explanation| {
        e.caps
            .iter()
            .map(|c| format!("{} {}", c.kind, c.limit))
            .collect::<Vec<_>>()
            .join("、")
    };
    if caps(o) != caps(n) {
        reasons.push(format!("封顶：{} → {}", or_none(&caps(o)), or_none(&caps(n))));
    }
    if reasons.is_empty() {
        reasons.push("同一对象的其他奖励变化影响了年度或累计上限".into());
    }
    reasons.join("；")
}

fn or_none(s: &str) -> &str {
    if s.is_empty() { "无" } else { s }
}

/// What the batch would hold if run now with these versions: its 免申即享 lines, less what
/// other approved batches of the year already pay.
pub async fn fresh_for_batch<C: ConnectionTrait>(
    conn: &C,
    b: &Batch,
    versions: &[Version],
) -> Result<Computed, AppError> {
    let (_, mut computed) = compute_with(conn, b.zone_id, b.year, versions).await?;
    let paid = paid_keys(conn, b.zone_id, b.year, Some(b.id)).await?;
    computed.lines.retain(|l| !paid.contains(&key_of_computed(l)));
    Ok(computed)
}
