//! A run's candidates for one tier (the cultivation pool, 培育库) with their enterprises, held
//! counts by a grouping of enterprises, and enterprises' names.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Deserialize;

use crate::result_entity::{self as result, Model as LadderResult};
use crate::status::CandidateKind;
use gaoxin_enterprises::entity::{self as enterprise, Model as Enterprise};
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_platform::web::PageParams;
use gaoxin_rules::ladder::Status;

/// Which results a candidate list shows.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CandidateFilter {
    /// `qualifies` (可申报), `within_reach` (差一项), `unknown` (需补充数据), `held` (已认定);
    /// default: qualifies and within reach.
    pub kind: Option<String>,
    /// Search in the enterprise's name or 统一社会信用代码.
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl CandidateFilter {
    pub fn paging(&self) -> PageParams {
        PageParams {
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// Candidates of a tier in a run, with their enterprises; one page, or all (`page` None).
pub async fn candidates(
    db: &Db,
    scope: &Scope,
    run_id: i64,
    tier: &str,
    f: &CandidateFilter,
    all: bool,
) -> Result<(Vec<(LadderResult, Enterprise)>, u64), AppError> {
    let mut select = scope
        .select::<result::Entity>()
        .filter(result::Column::RunId.eq(run_id))
        .filter(result::Column::Tier.eq(tier));
    select = match f.kind.as_deref().and_then(CandidateKind::of) {
        Some(CandidateKind::Held) => select.filter(result::Column::Held.eq(true)),
        Some(CandidateKind::Qualifies) => select
            .filter(result::Column::Held.eq(false))
            .filter(result::Column::Status.eq(Status::Qualifies.code())),
        Some(CandidateKind::WithinReach) => select
            .filter(result::Column::Held.eq(false))
            .filter(result::Column::WithinReach.eq(true)),
        Some(CandidateKind::Unknown) => select
            .filter(result::Column::Held.eq(false))
            .filter(result::Column::Status.eq(Status::Unknown.code())),
        None => select.filter(result::Column::Held.eq(false)).filter(
            sea_orm::Condition::any()
                .add(result::Column::Status.eq(Status::Qualifies.code()))
                .add(result::Column::WithinReach.eq(true)),
        ),
    };
    if let Some(id) = scope.own_enterprise() {
        select = select.filter(result::Column::EnterpriseId.eq(id));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        select = select.filter(gaoxin_enterprises::store::matching(
            scope,
            result::Column::EnterpriseId,
            q,
        ));
    }
    let select = select
        .order_by_asc(result::Column::Status)
        .order_by_asc(result::Column::Unmet)
        .order_by_asc(result::Column::EnterpriseId);
    let total = select.clone().count(db.conn()).await?;
    let rows = if all {
        select.all(db.conn()).await?
    } else {
        let p = f.paging();
        select
            .paginate(db.conn(), p.per_page())
            .fetch_page(p.page().saturating_sub(1))
            .await?
    };
    let ids: Vec<i64> = rows.iter().map(|r| r.enterprise_id).collect();
    let enterprises: HashMap<i64, Enterprise> = scope
        .select::<enterprise::Entity>()
        .filter(enterprise::Column::Id.is_in(ids))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    Ok((
        rows.into_iter()
            .filter_map(|r| {
                let e = enterprises.get(&r.enterprise_id)?.clone();
                Some((r, e))
            })
            .collect(),
        total,
    ))
}

/// Held counts of a run by a grouping of enterprises (leading industry or carrier).
pub async fn held_by_group(
    db: &Db,
    scope: &Scope,
    run_id: i64,
    group: impl Fn(&Enterprise) -> String,
) -> Result<BTreeMap<String, BTreeMap<String, u64>>, AppError> {
    let held = scope
        .select::<result::Entity>()
        .filter(result::Column::RunId.eq(run_id))
        .filter(result::Column::Held.eq(true))
        .all(db.conn())
        .await?;
    let enterprises: HashMap<i64, Enterprise> = scope
        .select::<enterprise::Entity>()
        .all(db.conn())
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let mut out: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for r in held {
        let key = enterprises.get(&r.enterprise_id).map(&group).unwrap_or_default();
        *out.entry(key).or_default().entry(r.tier).or_default() += 1;
    }
    Ok(out)
}

/// Names of some enterprises of the zone, by id.
pub async fn enterprise_names(db: &Db, scope: &Scope, ids: Vec<i64>) -> Result<HashMap<i64, String>, AppError> {
    Ok(scope
        .select::<enterprise::Entity>()
        .filter(enterprise::Column::Id.is_in(ids))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect())
}
