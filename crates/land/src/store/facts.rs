//! The facts a scheme reads from the registry: one unit per enterprise, or per group of
//! enterprises sharing parcels, each variable read from the source it names
//! (`rules::land::SOURCES`).

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use gaoxin_enterprises::annual_entity as annual;
use gaoxin_enterprises::domain::{Scale, Status as EnterpriseStatus};
use gaoxin_enterprises::entity::{self as enterprise, Model as Enterprise};
use gaoxin_enterprises::innovation_entity as innovation;
use gaoxin_platform::error::AppError;
use gaoxin_rules::expr::Value;
use gaoxin_rules::land::{Case, Scheme};

/// What one source gives for one enterprise and year (None: unknown). Money in yuan, land in
/// 亩, energy in 吨标准煤, emissions in 吨.
fn read(
    source: &str,
    e: &Enterprise,
    a: Option<&annual::Model>,
    i: Option<&innovation::Model>,
    year: i32,
    as_of: NaiveDate,
) -> Option<Value> {
    let yuan = |fen: Option<i64>| fen.map(|f| Value::Num(Decimal::new(f, 2)));
    let tonnes = |kg: Option<i64>| kg.map(|k| Value::Num(Decimal::new(k, 3)));
    let count = |n: Option<i32>| n.map(|n| Value::Num(n.into()));
    match source {
        "annual.tax" => yuan(a?.tax),
        "annual.revenue" => yuan(a?.revenue),
        "annual.value_added" => yuan(a?.value_added),
        "annual.gross_output" => yuan(a?.gross_output),
        "annual.rd_expense" => yuan(a?.rd_expense),
        "annual.energy" => tonnes(a?.energy),
        "annual.cod" => tonnes(a?.cod),
        "annual.ammonia" => tonnes(a?.ammonia),
        "annual.sulfur_dioxide" => tonnes(a?.sulfur_dioxide),
        "annual.nitrogen_oxides" => tonnes(a?.nitrogen_oxides),
        "innovation.main_revenue" => yuan(i?.main_revenue),
        "innovation.total_staff" => count(i?.total_staff),
        // No land recorded: no land of its own (a tenant, listed separately), not unknown.
        "enterprise.land_area" => Some(Value::Num(Decimal::new(e.land_area.unwrap_or(0), 4))),
        "enterprise.employees" => count(e.employees),
        "enterprise.above_scale" => e.scale.as_deref().map(|s| Value::Bool(s == Scale::Above.code())),
        "enterprise.industry_code" => e.industry_code.as_deref().map(|c| Value::Text(c.into())),
        "enterprise.registered_on" => e.registered_on.map(Value::Date),
        "period.year" => Some(Value::Num(year.into())),
        "period.as_of" => Some(Value::Date(as_of)),
        "annual.electricity" => a?.electricity.map(|kwh| Value::Num(kwh.into())),
        // Not in the registry yet (投产日期): unknown.
        _ => None,
    }
}

/// One evaluated unit: an enterprise, or the enterprises sharing parcels when the scheme
/// merges them (their figures summed, the parcels' area as their land; they share the result).
pub struct Unit {
    pub members: Vec<Enterprise>,
    pub case: Case,
    /// How the unit was formed, for its explanation ("与 … 共用地块 …，合并计算").
    pub merged: Option<String>,
}

/// Combines the members' values of one variable: numbers summed (unknown only when no member
/// knows it), 规上 if any member is, the first known text, the earliest date.
fn combine(values: &[Option<Value>]) -> Option<Value> {
    let known: Vec<&Value> = values.iter().flatten().collect();
    match known.first()? {
        Value::Num(_) => Some(Value::Num(known.iter().map(|v| v.as_num()).sum())),
        Value::Bool(_) => Some(Value::Bool(known.iter().any(|v| v.as_bool()))),
        Value::Text(t) => Some(Value::Text(t.clone())),
        Value::Date(_) => known
            .iter()
            .filter_map(|v| match v {
                Value::Date(d) => Some(*d),
                _ => None,
            })
            .min()
            .map(Value::Date),
    }
}

/// The units of the zone's active enterprises for `year`, in id order: enterprises on parcels
/// take the parcels' area as their land; those sharing parcels form one unit when the scheme
/// merges shared parcels (`shared_parcels = "merge"`, the default).
pub async fn cases<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    scheme: &Scheme,
    year: i32,
    as_of: NaiveDate,
) -> Result<Vec<Unit>, AppError> {
    let enterprises = enterprise::Entity::find()
        .filter(enterprise::Column::ZoneId.eq(zone_id))
        .filter(enterprise::Column::Status.eq(EnterpriseStatus::Active.code()))
        .order_by_asc(enterprise::Column::Id)
        .all(conn)
        .await?;
    let annual: HashMap<i64, annual::Model> = annual::Entity::find()
        .filter(annual::Column::ZoneId.eq(zone_id))
        .filter(annual::Column::Year.eq(year))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.enterprise_id, a))
        .collect();
    let innovation: HashMap<i64, innovation::Model> = innovation::Entity::find()
        .filter(innovation::Column::ZoneId.eq(zone_id))
        .filter(innovation::Column::Year.eq(year))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.enterprise_id, m))
        .collect();
    let groups = crate::parcels::groups(conn, zone_id).await?;
    let land_slot = scheme
        .variables
        .iter()
        .position(|v| v.from.name == "enterprise.land_area");
    let values_of = |e: &Enterprise| -> Vec<Option<Value>> {
        scheme
            .variables
            .iter()
            .map(|v| read(v.from.name, e, annual.get(&e.id), innovation.get(&e.id), year, as_of))
            .collect()
    };
    let names: HashMap<i64, String> = enterprises.iter().map(|e| (e.id, e.name.clone())).collect();
    let mut units: Vec<Unit> = Vec::new();
    let mut placed: HashMap<i64, usize> = HashMap::new();
    for e in enterprises {
        let group = groups.get(&e.id);
        let merge = scheme.merge_shared_parcels && group.is_some_and(|g| g.members.len() > 1);
        if merge && let Some(&at) = group.and_then(|g| g.members.iter().find_map(|m| placed.get(m))) {
            // A later member of a unit already made: its figures join the unit's.
            let unit: &mut Unit = &mut units[at];
            let mine = values_of(&e);
            for (slot, value) in unit.case.values.iter_mut().enumerate() {
                if Some(slot) == land_slot {
                    continue;
                }
                *value = combine(&[value.clone(), mine[slot].clone()]);
            }
            placed.insert(e.id, at);
            unit.members.push(e);
            continue;
        }
        let mut values = values_of(&e);
        let mut merged = None;
        if let (Some(g), Some(slot)) = (group, land_slot) {
            values[slot] = Some(Value::Num(g.area));
            if merge {
                let others: Vec<String> = g
                    .members
                    .iter()
                    .filter(|m| **m != e.id)
                    .filter_map(|m| names.get(m).cloned())
                    .collect();
                merged = Some(format!(
                    "与{}共用地块 {}（{} 亩），合并计算，结果共享",
                    others.join("、"),
                    g.codes.join("、"),
                    g.area.normalize()
                ));
            }
        }
        placed.insert(e.id, units.len());
        units.push(Unit {
            case: Case {
                id: e.id.to_string(),
                values,
            },
            members: vec![e],
            merged,
        });
    }
    Ok(units)
}
