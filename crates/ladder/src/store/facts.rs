//! The facts of enterprises as the criteria read them: registry, annual and innovation figures
//! by year, recognitions held; and the hash of those facts a run records.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use sha2::{Digest, Sha256};

use gaoxin_enterprises::annual_entity as annual;
use gaoxin_enterprises::entity::{self as enterprise, Model as Enterprise};
use gaoxin_enterprises::innovation_entity as innovation;
use gaoxin_enterprises::status::Status as EnterpriseStatus;
use gaoxin_platform::error::AppError;
use gaoxin_policies::event_entity as event;
use gaoxin_rules::ladder::{Facts, Held, YEAR_FIELDS, YearField, YearFigures};
use gaoxin_rules::sources::EventKind;

fn yuan(fen: Option<i64>) -> Option<Decimal> {
    fen.map(|f| Decimal::new(f, 2))
}

fn whole(n: Option<i32>) -> Option<Decimal> {
    n.map(Decimal::from)
}

/// The annual figures the criteria read (a projection: the rows also hold emissions and the
/// JSON of where each value came from, which evaluating a zone need not load).
type AnnualFigures = (
    i64,
    i32,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<i64>,
    Option<i64>,
);

fn figures_of_annual(a: &AnnualFigures, f: &mut YearFigures) {
    let (_, _, revenue, rd, hitech, tech, rd_staff, patents, tax, value_added) = *a;
    f[YearField::Revenue as usize] = yuan(revenue);
    f[YearField::RdExpense as usize] = yuan(rd);
    f[YearField::HitechRevenue as usize] = yuan(hitech);
    f[YearField::TechStaff as usize] = whole(tech);
    f[YearField::RdStaff as usize] = whole(rd_staff);
    f[YearField::InventionPatents as usize] = whole(patents);
    f[YearField::Tax as usize] = yuan(tax);
    f[YearField::ValueAdded as usize] = yuan(value_added);
}

fn figures_of_innovation(m: &innovation::Model, f: &mut YearFigures) {
    f[YearField::TotalStaff as usize] = whole(m.total_staff);
    f[YearField::TotalAssets as usize] = yuan(m.total_assets);
    f[YearField::NetAssets as usize] = yuan(m.net_assets);
    f[YearField::DomesticRdExpense as usize] = yuan(m.domestic_rd_expense);
    f[YearField::TotalCost as usize] = yuan(m.total_cost);
    f[YearField::MainRevenue as usize] = yuan(m.main_revenue);
    f[YearField::IpClass1 as usize] = whole(m.ip_class1);
    f[YearField::IpClass2 as usize] = whole(m.ip_class2);
    f[YearField::AchievementsTransferred as usize] = whole(m.achievements_transferred);
    f[YearField::EquityFinancing as usize] = yuan(m.equity_financing);
    f[YearField::Valuation as usize] = yuan(m.valuation_usd);
    f[YearField::MarketShare as usize] = m.market_share.map(|r| Decimal::new(r, 2));
    f[YearField::RdInstitutions as usize] = whole(m.rd_institutions);
    f[YearField::RdManagementScore as usize] = whole(m.rd_management_score);
    f[YearField::IpQualityScore as usize] = whole(m.ip_quality_score);
}

/// The facts of the zone's active enterprises (or one) for evaluating `year` on `as_of`, read
/// back `back` years: registry, annual and innovation data, recognitions held.
pub async fn gather<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    only: Option<i64>,
    year: i32,
    back: i32,
    as_of: NaiveDate,
) -> Result<Vec<(Enterprise, Facts)>, AppError> {
    let mut eq = enterprise::Entity::find()
        .filter(enterprise::Column::ZoneId.eq(zone_id))
        .filter(enterprise::Column::Status.eq(EnterpriseStatus::Active.code()));
    if let Some(id) = only {
        eq = eq.filter(enterprise::Column::Id.eq(id));
    }
    let enterprises = eq.order_by_asc(enterprise::Column::Id).all(conn).await?;
    let first = year + back.min(0);
    let mut aq = annual::Entity::find()
        .filter(annual::Column::ZoneId.eq(zone_id))
        .filter(annual::Column::Year.between(first, year));
    let mut iq = innovation::Entity::find()
        .filter(innovation::Column::ZoneId.eq(zone_id))
        .filter(innovation::Column::Year.between(first, year));
    let mut rq = event::Entity::find()
        .filter(event::Column::ZoneId.eq(zone_id))
        .filter(event::Column::Kind.eq(EventKind::Recognition.code()))
        .filter(event::Column::OccurredOn.lte(as_of));
    if let Some(id) = only {
        aq = aq.filter(annual::Column::EnterpriseId.eq(id));
        iq = iq.filter(innovation::Column::EnterpriseId.eq(id));
        rq = rq.filter(event::Column::EnterpriseId.eq(id));
    }
    let mut years: HashMap<i64, BTreeMap<i32, YearFigures>> = HashMap::new();
    let annual_rows: Vec<AnnualFigures> = aq
        .select_only()
        .columns([
            annual::Column::EnterpriseId,
            annual::Column::Year,
            annual::Column::Revenue,
            annual::Column::RdExpense,
            annual::Column::HitechRevenue,
            annual::Column::TechStaff,
            annual::Column::RdStaff,
            annual::Column::InventionPatents,
            annual::Column::Tax,
            annual::Column::ValueAdded,
        ])
        .into_tuple()
        .all(conn)
        .await?;
    for a in &annual_rows {
        let f = years.entry(a.0).or_default().entry(a.1).or_insert([None; YEAR_FIELDS]);
        figures_of_annual(a, f);
    }
    for m in iq.all(conn).await? {
        let f = years
            .entry(m.enterprise_id)
            .or_default()
            .entry(m.year)
            .or_insert([None; YEAR_FIELDS]);
        figures_of_innovation(&m, f);
    }
    let mut held: HashMap<i64, Vec<Held>> = HashMap::new();
    for r in rq.order_by_asc(event::Column::OccurredOn).all(conn).await? {
        held.entry(r.enterprise_id).or_default().push(Held {
            category: r.category.unwrap_or_default(),
            level: r.level,
            date: r.occurred_on,
            reference: r.reference,
        });
    }
    Ok(enterprises
        .into_iter()
        .map(|e| {
            let facts = Facts {
                registered_on: e.registered_on,
                industry_code: e.industry_code.clone(),
                employees: e.employees.map(i64::from),
                years: years.remove(&e.id).unwrap_or_default(),
                recognitions: held.remove(&e.id).unwrap_or_default(),
            };
            (e, facts)
        })
        .collect())
}

/// Feeds one enterprise's facts to a hash, in a fixed order.
pub(super) fn hash_facts(h: &mut Sha256, id: i64, f: &Facts) {
    h.update(id.to_le_bytes());
    h.update(format!("{:?}|{:?}|{:?}", f.registered_on, f.industry_code, f.employees));
    for (y, figures) in &f.years {
        h.update(y.to_le_bytes());
        for v in figures {
            match v {
                Some(d) => h.update(d.normalize().to_string()),
                None => h.update(b"-"),
            }
            h.update(b",");
        }
    }
    for r in &f.recognitions {
        h.update(format!("{}|{:?}|{}|{}", r.category, r.level, r.date, r.reference));
    }
}
