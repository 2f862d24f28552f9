//! One enterprise's standing in every tier in force (evaluated live, with the recognition it
//! holds or held), and the recognitions of the zone about to expire (认定到期提醒).

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, QueryFilter};
use serde::Serialize;

use super::{CriteriaSet, criteria_set, gather};
use gaoxin_enterprises::entity::{self as enterprise, Model as Enterprise};
use gaoxin_enterprises::status::Status as EnterpriseStatus;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_policies::event_entity as event;
use gaoxin_rules::ladder::{self, Facts, Held, TierResult};
use gaoxin_rules::sources::EventKind;

/// A tier as it stands for one enterprise: held (with expiry), and the evaluation.
#[derive(Clone, Debug, Serialize)]
pub struct Standing {
    pub ladder: String,
    pub rank: u32,
    pub local: bool,
    pub document_number: String,
    /// The recognition held, valid on the day (certificate, date, expiry).
    pub held: Option<HeldRecognition>,
    /// A recognition held before and expired.
    pub expired: Option<HeldRecognition>,
    pub result: TierResult,
}

#[derive(Clone, Debug, Serialize)]
pub struct HeldRecognition {
    pub reference: String,
    pub level: Option<String>,
    pub date: NaiveDate,
    /// The first day it is no longer valid.
    pub expires_on: Option<NaiveDate>,
    /// The last day it is valid (有效期至).
    pub valid_until: Option<NaiveDate>,
}

/// Evaluates one enterprise live (today's data, the criteria in use) for a year.
pub async fn standing(
    db: &Db,
    scope: &Scope,
    enterprise_id: i64,
    year: i32,
    as_of: NaiveDate,
) -> Result<Vec<Standing>, AppError> {
    let e = gaoxin_enterprises::store::get(db, scope, enterprise_id).await?;
    let set = criteria_set(db.conn(), scope.zone_id()).await?;
    let gathered = gather(db.conn(), scope.zone_id(), Some(e.id), year, set.min_offset(), as_of).await?;
    let Some((_, facts)) = gathered.into_iter().next() else {
        return Ok(Vec::new());
    };
    Ok(standings(&set, &facts, year, as_of, ladder::DEFAULT_MARGIN))
}

/// Every tier in force for one enterprise's facts.
pub fn standings(set: &CriteriaSet, facts: &Facts, year: i32, as_of: NaiveDate, margin: Decimal) -> Vec<Standing> {
    set.in_force(as_of)
        .map(|(v, c)| {
            let result = c.evaluate(facts, year, as_of, &set.validities, margin);
            let of_tier: Vec<&Held> = match &c.recognition {
                Some(r) => facts.recognitions.iter().filter(|h| &h.category == r).collect(),
                None => Vec::new(),
            };
            let describe = |h: &Held| {
                let expires_on = ladder::expires_on(h, &set.validities);
                HeldRecognition {
                    reference: h.reference.clone(),
                    level: h.level.clone(),
                    date: h.date,
                    expires_on,
                    valid_until: expires_on.and_then(|d| d.pred_opt()),
                }
            };
            let held = of_tier
                .iter()
                .rev()
                .find(|h| ladder::valid_on(h, &set.validities, as_of))
                .map(|h| describe(h));
            let expired = match held {
                Some(_) => None,
                None => of_tier.last().map(|h| describe(h)),
            };
            Standing {
                ladder: c.ladder.clone(),
                rank: c.rank,
                local: v.local,
                document_number: c.document_number.clone(),
                held,
                expired,
                result,
            }
        })
        .collect()
}

/// Recognitions whose validity ends between `from` and `from + days` (认定到期提醒), with their
/// enterprises, soonest first.
pub async fn expiring(
    db: &Db,
    scope: &Scope,
    from: NaiveDate,
    days: i64,
) -> Result<Vec<(Enterprise, HeldRecognition, String)>, AppError> {
    let set = criteria_set(db.conn(), scope.zone_id()).await?;
    let names: HashMap<&str, &str> = set
        .versions
        .iter()
        .filter_map(|(_, c)| Some((c.recognition.as_deref()?, c.name.as_str())))
        .collect();
    let until = from + chrono::Duration::days(days);
    let mut q = scope
        .select::<event::Entity>()
        .filter(event::Column::Kind.eq(EventKind::Recognition.code()));
    if let Some(id) = scope.own_enterprise() {
        q = q.filter(event::Column::EnterpriseId.eq(id));
    }
    let mut due = Vec::new();
    for r in q.all(db.conn()).await? {
        let held = Held {
            category: r.category.clone().unwrap_or_default(),
            level: r.level.clone(),
            date: r.occurred_on,
            reference: r.reference.clone(),
        };
        if let Some(end) = ladder::expires_on(&held, &set.validities)
            && end > from
            && end <= until
        {
            due.push((r.enterprise_id, held, end));
        }
    }
    let enterprises: HashMap<i64, Enterprise> = scope
        .select::<enterprise::Entity>()
        .filter(enterprise::Column::Id.is_in(due.iter().map(|(id, _, _)| *id).collect::<Vec<_>>()))
        .filter(enterprise::Column::Status.eq(EnterpriseStatus::Active.code()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let mut out: Vec<(Enterprise, HeldRecognition, String)> = due
        .into_iter()
        .filter_map(|(id, held, end)| {
            let name = names
                .get(held.category.as_str())
                .copied()
                .unwrap_or(held.category.as_str())
                .to_string();
            Some((
                enterprises.get(&id)?.clone(),
                HeldRecognition {
                    reference: held.reference,
                    level: held.level,
                    date: held.date,
                    expires_on: Some(end),
                    valid_until: end.pred_opt(),
                },
                name,
            ))
        })
        .collect();
    out.sort_by_key(|(e, h, _)| (h.expires_on, e.id));
    Ok(out)
}
