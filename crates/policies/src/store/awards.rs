//! Awards as paid: the lines of approved batches an enterprise received, one line with its
//! explanation, and the policy evaluation report (recipients and amount per policy and year).

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use super::batches::get_batch;
use crate::batch_entity::{self as batch, Model as Batch};
use crate::line_entity::{self as line, Model as Line};
use crate::status::BatchStatus;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_rules::eval::Explanation;

/// An award line the caller may see: zone staff see every line; an enterprise user only its
/// own lines of approved batches.
pub async fn visible_line(db: &Db, scope: &Scope, id: i64) -> Result<(Line, Batch), AppError> {
    let l = scope
        .select::<line::Entity>()
        .filter(line::Column::Id.eq(id))
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let b = get_batch(db.conn(), scope.zone_id(), l.batch_id).await?;
    if let Some(own) = scope.own_enterprise()
        && (l.enterprise_id != own || BatchStatus::of(&b.status) != Some(BatchStatus::Approved))
    {
        return Err(AppError::NotFound);
    }
    Ok((l, b))
}

pub fn explanation(l: &Line) -> Result<Explanation, AppError> {
    serde_json::from_str(&l.explanation)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("explanation of line {}: {e}", l.id)))
}

/// Award lines of approved batches, for the policy evaluation report: per policy and year,
/// recipients and amount.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PolicyYear {
    pub policy: String,
    pub year: i32,
    pub recipients: usize,
    pub lines: usize,
    /// Fen.
    pub amount: i64,
}

pub async fn evaluation(db: &Db, scope: &Scope) -> Result<Vec<PolicyYear>, AppError> {
    let approved: HashMap<i64, i32> = scope
        .select::<batch::Entity>()
        .filter(batch::Column::Status.eq(BatchStatus::Approved.code()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|b| (b.id, b.year))
        .collect();
    if approved.is_empty() {
        return Ok(Vec::new());
    }
    let mut map: BTreeMap<(String, i32), (HashSet<i64>, usize, i64)> = BTreeMap::new();
    let lines: Vec<(i64, i64, String, i64)> = scope
        .select::<line::Entity>()
        .filter(line::Column::BatchId.is_in(approved.keys().copied()))
        .filter(line::Column::Excluded.eq(false))
        .select_only()
        .column(line::Column::BatchId)
        .column(line::Column::EnterpriseId)
        .column(line::Column::PolicyId)
        .column(line::Column::Amount)
        .into_tuple()
        .all(db.conn())
        .await?;
    for (batch_id, enterprise_id, policy, amount) in lines {
        let e = map.entry((policy, approved[&batch_id])).or_default();
        e.0.insert(enterprise_id);
        e.1 += 1;
        e.2 += amount;
    }
    Ok(map
        .into_iter()
        .map(|((policy, year), (recipients, lines, amount))| PolicyYear {
            policy,
            year,
            recipients: recipients.len(),
            lines,
            amount,
        })
        .collect())
}

/// The award lines an enterprise received (approved batches only).
pub async fn awards_of_enterprise(db: &Db, scope: &Scope, enterprise_id: i64) -> Result<Vec<(Line, Batch)>, AppError> {
    if scope.own_enterprise().is_some_and(|own| own != enterprise_id) {
        return Err(AppError::NotFound);
    }
    let approved: HashMap<i64, Batch> = scope
        .select::<batch::Entity>()
        .filter(batch::Column::Status.eq(BatchStatus::Approved.code()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    let lines = scope
        .select::<line::Entity>()
        .filter(line::Column::EnterpriseId.eq(enterprise_id))
        .filter(line::Column::BatchId.is_in(approved.keys().copied()))
        .order_by_desc(line::Column::Id)
        .all(db.conn())
        .await?;
    Ok(lines
        .into_iter()
        .map(|l| {
            let b = approved[&l.batch_id].clone();
            (l, b)
        })
        .collect())
}
