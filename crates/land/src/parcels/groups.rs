//! The parcel groups the evaluation reads: enterprises that share a parcel, directly or through
//! another shared parcel, with the parcels' codes and total area.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::ten_thousandths;
use crate::occupant_entity as occupant;
use crate::parcel_entity::{self as parcel, Model as Parcel};
use gaoxin_platform::error::AppError;

/// The parcel groups of a zone, for evaluation: each enterprise on at least one parcel → the
/// group's key (its least parcel id), the members (enterprise ids, ordered), the parcels' codes
/// and total area (亩).
pub struct ParcelGroup {
    pub members: Vec<i64>,
    pub codes: Vec<String>,
    pub area: Decimal,
}

pub async fn groups<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
) -> Result<HashMap<i64, std::sync::Arc<ParcelGroup>>, AppError> {
    let parcels: HashMap<i64, Parcel> = parcel::Entity::find()
        .filter(parcel::Column::ZoneId.eq(zone_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let on = occupant::Entity::find()
        .filter(occupant::Column::ZoneId.eq(zone_id))
        .all(conn)
        .await?;
    // Union-find over enterprises: those on one parcel are joined.
    let mut parent: HashMap<i64, i64> = HashMap::new();
    fn root(parent: &mut HashMap<i64, i64>, x: i64) -> i64 {
        let p = *parent.entry(x).or_insert(x);
        if p == x {
            return x;
        }
        let r = root(parent, p);
        parent.insert(x, r);
        r
    }
    let mut by_parcel: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for o in &on {
        by_parcel.entry(o.parcel_id).or_default().push(o.enterprise_id);
    }
    for members in by_parcel.values() {
        for m in members {
            let (a, b) = (root(&mut parent, members[0]), root(&mut parent, *m));
            if a != b {
                parent.insert(a.max(b), a.min(b));
            }
        }
    }
    let mut grouped: BTreeMap<i64, (Vec<i64>, Vec<i64>)> = BTreeMap::new();
    for (parcel_id, members) in &by_parcel {
        let r = root(&mut parent, members[0]);
        let g = grouped.entry(r).or_default();
        g.1.push(*parcel_id);
        for m in members {
            if !g.0.contains(m) {
                g.0.push(*m);
            }
        }
    }
    let mut out = HashMap::new();
    for (_, (mut members, parcel_ids)) in grouped {
        members.sort_unstable();
        let group = std::sync::Arc::new(ParcelGroup {
            codes: parcel_ids
                .iter()
                .filter_map(|id| parcels.get(id).map(|p| p.code.clone()))
                .collect(),
            area: parcel_ids
                .iter()
                .filter_map(|id| parcels.get(id).map(|p| ten_thousandths(p.area)))
                .sum(),
            members: members.clone(),
        });
        for m in members {
            out.insert(m, group.clone());
        }
    }
    Ok(out)
}
