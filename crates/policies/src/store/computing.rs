//! Computing on the database: gathering a year's facts, events and earlier payments, running
//! the policies in use over them, and matching enterprises to awards.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::versions::{active_versions, stored};
use crate::batch_entity as batch;
use crate::compute::{self, Computed, EventFacts, Facts, Paid, PolicySet};
use crate::event_entity as event;
use crate::line_entity as line;
use crate::status::BatchStatus;
use crate::version_entity::Model as Version;
use gaoxin_enterprises::annual_entity as annual;
use gaoxin_enterprises::entity as enterprise;
use gaoxin_enterprises::status::{Scale, Status};
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_rules::sources::EventKind;

/// The enterprises in business with their facts for `year`, the year's events, and what
/// approved batches of earlier years paid.
pub async fn gather<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    year: i32,
    only_enterprise: Option<i64>,
) -> Result<(Vec<Facts>, Vec<EventFacts>, Vec<Paid>), AppError> {
    let facts = enterprise_facts(conn, zone_id, year, only_enterprise).await?;
    let events = event_facts(conn, zone_id, year, only_enterprise).await?;
    let paid = paid_before(conn, zone_id, year, only_enterprise).await?;
    Ok((facts, events, paid))
}

/// The enterprises in business (or the one asked for), each with its registry facts and its
/// annual data for `year`.
async fn enterprise_facts<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    year: i32,
    only_enterprise: Option<i64>,
) -> Result<Vec<Facts>, AppError> {
    let mut eq = enterprise::Entity::find()
        .filter(enterprise::Column::ZoneId.eq(zone_id))
        .filter(enterprise::Column::Status.eq(Status::Active.code()));
    if let Some(id) = only_enterprise {
        eq = eq.filter(enterprise::Column::Id.eq(id));
    }
    let enterprises = eq.order_by_asc(enterprise::Column::Id).all(conn).await?;
    let mut aq = annual::Entity::find()
        .filter(annual::Column::ZoneId.eq(zone_id))
        .filter(annual::Column::Year.eq(year));
    if let Some(id) = only_enterprise {
        aq = aq.filter(annual::Column::EnterpriseId.eq(id));
    }
    let annual: HashMap<i64, annual::Model> = aq.all(conn).await?.into_iter().map(|a| (a.enterprise_id, a)).collect();
    Ok(enterprises
        .into_iter()
        .map(|e| {
            let a = annual.get(&e.id);
            Facts {
                enterprise_id: e.id,
                name: e.name,
                uscc: e.uscc,
                industry_code: e.industry_code,
                registered_on: e.registered_on,
                above_scale: e.scale.map(|s| Scale::of(&s) == Some(Scale::Above)),
                employees: e.employees,
                leading_industry: e.leading_industry,
                revenue: a.and_then(|a| a.revenue),
                rd_expense: a.and_then(|a| a.rd_expense),
                tax: a.and_then(|a| a.tax),
                value_added: a.and_then(|a| a.value_added),
                hitech_revenue: a.and_then(|a| a.hitech_revenue),
                rd_staff: a.and_then(|a| a.rd_staff),
                tech_staff: a.and_then(|a| a.tech_staff),
                invention_patents: a.and_then(|a| a.invention_patents),
            }
        })
        .collect())
}

/// The events of `year` (of the one enterprise asked for), of the kinds the rules know.
async fn event_facts<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    year: i32,
    only_enterprise: Option<i64>,
) -> Result<Vec<EventFacts>, AppError> {
    let mut evq = event::Entity::find()
        .filter(event::Column::ZoneId.eq(zone_id))
        .filter(event::Column::Year.eq(year));
    if let Some(id) = only_enterprise {
        evq = evq.filter(event::Column::EnterpriseId.eq(id));
    }
    Ok(evq
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|e| {
            Some(EventFacts {
                kind: EventKind::parse(&e.kind)?,
                id: e.id,
                enterprise_id: e.enterprise_id,
                occurred_on: e.occurred_on,
                started_on: e.started_on,
                reference: e.reference,
                category: e.category,
                level: e.level,
                amount: e.amount,
                secondary_amount: e.secondary_amount,
                quantity: e.quantity,
                certified: e.certified,
                first_time: e.first_time,
            })
        })
        .collect())
}

/// What approved batches of years before `year` paid, per recipient, policy and award (the
/// cumulative caps count it).
async fn paid_before<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    year: i32,
    only_enterprise: Option<i64>,
) -> Result<Vec<Paid>, AppError> {
    let earlier: Vec<i64> = batch::Entity::find()
        .filter(batch::Column::ZoneId.eq(zone_id))
        .filter(batch::Column::Status.eq(BatchStatus::Approved.code()))
        .filter(batch::Column::Year.lt(year))
        .select_only()
        .column(batch::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let mut paid_map: BTreeMap<(i64, String, String), i64> = BTreeMap::new();
    if !earlier.is_empty() {
        let mut lq = line::Entity::find()
            .filter(line::Column::ZoneId.eq(zone_id))
            .filter(line::Column::BatchId.is_in(earlier))
            .filter(line::Column::Excluded.eq(false));
        if let Some(id) = only_enterprise {
            lq = lq.filter(line::Column::EnterpriseId.eq(id));
        }
        for l in lq.all(conn).await? {
            *paid_map.entry((l.enterprise_id, l.policy_id, l.award_id)).or_default() += l.amount;
        }
    }
    Ok(paid_map
        .into_iter()
        .map(|((enterprise_id, policy, award), amount)| Paid {
            enterprise_id,
            policy,
            award,
            amount,
        })
        .collect())
}

/// Runs `versions` over the zone's data of `year`: the parsed policy set and every award line.
pub async fn compute_with<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    year: i32,
    versions: &[Version],
) -> Result<(std::sync::Arc<PolicySet>, Computed), AppError> {
    if versions.is_empty() {
        return Err(AppError::BadRequest(
            "本区还没有启用的政策：请先在“政策”页上传规则文件".into(),
        ));
    }
    let set = compute::policy_set(&stored(versions)).map_err(AppError::BadRequest)?;
    let (facts, events, paid) = gather(conn, zone_id, year, None).await?;
    let computed = compute::compute(&set, year, &facts, &events, &paid).map_err(AppError::BadRequest)?;
    Ok((set, computed))
}

/// Which awards the zone's enterprises (an enterprise user: its own) qualify or nearly qualify
/// for in `year`, under the policies in use.
pub async fn matches(db: &Db, scope: &Scope, year: i32) -> Result<Vec<compute::MatchLine>, AppError> {
    let versions = active_versions(db.conn(), scope.zone_id()).await?;
    if versions.is_empty() {
        return Ok(Vec::new());
    }
    let set = compute::policy_set(&stored(&versions)).map_err(AppError::BadRequest)?;
    let (facts, events, _) = gather(db.conn(), scope.zone_id(), year, scope.own_enterprise()).await?;
    compute::matches(&set, year, &facts, &events).map_err(AppError::BadRequest)
}
