//! The facts a land-efficiency scheme reads, from the registry: one case per active enterprise
//! of the zone, its variables read from the sources they name (`rules::land::SOURCES`).

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::modules::enterprises::annual_entity as annual;
use crate::modules::enterprises::entity::{self as enterprise, Model as Enterprise};
use crate::modules::enterprises::innovation_entity as innovation;
use crate::platform::error::AppError;
use crate::rules::expr::Value;
use crate::rules::land::{Case, Scheme};

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
        "enterprise.above_scale" => e.scale.as_deref().map(|s| Value::Bool(s == "above")),
        "enterprise.industry_code" => e.industry_code.as_deref().map(|c| Value::Text(c.into())),
        "enterprise.registered_on" => e.registered_on.map(Value::Date),
        "period.year" => Some(Value::Num(year.into())),
        "period.as_of" => Some(Value::Date(as_of)),
        // Not in the registry yet (用电量, 投产日期): unknown.
        _ => None,
    }
}

/// One case per active enterprise of the zone for `year`, in id order.
pub async fn cases<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    scheme: &Scheme,
    year: i32,
    as_of: NaiveDate,
) -> Result<Vec<(Enterprise, Case)>, AppError> {
    let enterprises = enterprise::Entity::find()
        .filter(enterprise::Column::ZoneId.eq(zone_id))
        .filter(enterprise::Column::Status.eq("active"))
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
    Ok(enterprises
        .into_iter()
        .map(|e| {
            let values = scheme
                .variables
                .iter()
                .map(|v| read(v.from.name, &e, annual.get(&e.id), innovation.get(&e.id), year, as_of))
                .collect();
            let case = Case {
                id: e.id.to_string(),
                values,
            };
            (e, case)
        })
        .collect())
}
