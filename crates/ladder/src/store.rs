//! Criteria versions, the facts of enterprises as the criteria read them, evaluation runs and
//! their results, and targets: queries (always within one zone; an enterprise user sees only
//! its own enterprise) and audited writes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::criteria_entity::{self as criteria, Model as CriteriaVersion};
use super::result_entity::{self as result, Model as LadderResult};
use super::run_entity::{self as run, Model as Run};
use super::target_entity::{self as target, Model as Target};
use gaoxin_enterprises::annual_entity as annual;
use gaoxin_enterprises::entity::{self as enterprise, Model as Enterprise};
use gaoxin_enterprises::innovation_entity as innovation;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_platform::web::PageParams;
use gaoxin_policies::event_entity as event;
use gaoxin_rules::ladder::{
    self, Criteria, Facts, Held, Status, TierResult, Validities, YEAR_FIELDS, YearField, YearFigures,
};

// ---------------------------------------------------------------- criteria versions

pub async fn active_versions<C: ConnectionTrait>(conn: &C, zone_id: i64) -> Result<Vec<CriteriaVersion>, AppError> {
    Ok(criteria::Entity::find()
        .filter(criteria::Column::ZoneId.eq(zone_id))
        .filter(criteria::Column::Status.eq("active"))
        .order_by_asc(criteria::Column::Tier)
        .all(conn)
        .await?)
}

pub async fn all_versions(db: &Db, scope: &Scope) -> Result<Vec<CriteriaVersion>, AppError> {
    Ok(scope
        .select::<criteria::Entity>()
        .order_by_asc(criteria::Column::Tier)
        .order_by_desc(criteria::Column::Id)
        .all(db.conn())
        .await?)
}

pub async fn version_by_id(db: &Db, scope: &Scope, id: i64) -> Result<CriteriaVersion, AppError> {
    scope
        .select::<criteria::Entity>()
        .filter(criteria::Column::Id.eq(id))
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound)
}

/// Parsed criteria, cached by (version id, SHA-256): a stored version never changes, and a
/// run or a page parses each once.
fn parse(v: &CriteriaVersion) -> Result<Arc<Criteria>, AppError> {
    use std::sync::{Mutex, OnceLock};
    type Parsed = HashMap<(i64, String), Arc<Criteria>>;
    static CACHE: OnceLock<Mutex<Parsed>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (v.id, v.version.clone());
    if let Some(c) = cache
        .lock()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("cache poisoned")))?
        .get(&key)
    {
        return Ok(c.clone());
    }
    let parsed = Arc::new(
        ladder::load(&v.file_name, &v.source)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("stored criteria do not load: {e}")))?,
    );
    cache
        .lock()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("cache poisoned")))?
        .insert(key, parsed.clone());
    Ok(parsed)
}

/// The zone's criteria in use, parsed, ordered by ladder and rank.
pub struct CriteriaSet {
    pub versions: Vec<(CriteriaVersion, Arc<Criteria>)>,
    pub validities: Validities,
}

impl CriteriaSet {
    /// The criteria in force on a day.
    pub fn in_force(&self, day: NaiveDate) -> impl Iterator<Item = &(CriteriaVersion, Arc<Criteria>)> {
        self.versions.iter().filter(move |(_, c)| c.in_force_on(day))
    }

    pub fn by_tier(&self, tier: &str) -> Option<&(CriteriaVersion, Arc<Criteria>)> {
        self.versions.iter().find(|(_, c)| c.tier == tier)
    }

    /// The earliest year offset any variable reads (0 or negative).
    fn min_offset(&self) -> i32 {
        self.versions
            .iter()
            .flat_map(|(_, c)| c.variables.iter().map(|v| v.year_offset))
            .min()
            .unwrap_or(0)
    }
}

pub async fn criteria_set<C: ConnectionTrait>(conn: &C, zone_id: i64) -> Result<CriteriaSet, AppError> {
    set_of(active_versions(conn, zone_id).await?)
}

/// A set of stored versions, parsed and ordered by ladder and rank.
fn set_of(stored: Vec<CriteriaVersion>) -> Result<CriteriaSet, AppError> {
    let mut versions = Vec::new();
    for v in stored {
        let parsed = parse(&v)?;
        versions.push((v, parsed));
    }
    versions.sort_by(|(_, a), (_, b)| (&a.ladder, a.rank, &a.tier).cmp(&(&b.ladder, b.rank, &b.tier)));
    let parsed: Vec<&Criteria> = versions.iter().map(|(_, c)| c.as_ref()).collect();
    let validities = parsed
        .iter()
        .filter_map(|c| Some((c.recognition.clone()?, c.validity_years?)))
        .collect();
    Ok(CriteriaSet { versions, validities })
}

pub use gaoxin_policies::store::Loaded;

/// The checks of [`crate::rule_file::load_criteria_file`]: the file parses and its own tests pass.
pub fn check_criteria_file(
    file_name: &str,
    source: &str,
    loaded_by: Option<i64>,
) -> Result<gaoxin_platform::versions::Checked<criteria::ActiveModel>, AppError> {
    let parsed = ladder::load(file_name, source).map_err(|e| AppError::field("file", e.to_string()))?;
    let tests = parsed.run_tests();
    gaoxin_platform::versions::own_tests(
        file_name,
        tests
            .iter()
            .filter(|t| !t.failures.is_empty())
            .map(|t| (t.name.as_str(), t.failures.as_slice())),
    )?;
    Ok(gaoxin_platform::versions::Checked {
        key: parsed.tier.chars().take(50).collect(),
        version: parsed.version.clone(),
        row: criteria::ActiveModel {
            criteria_id: Set(parsed.id.chars().take(100).collect()),
            tier: Set(parsed.tier.chars().take(50).collect()),
            name: Set(parsed.name.chars().take(100).collect()),
            version: Set(parsed.version.clone()),
            file_name: Set(file_name.chars().take(200).collect()),
            source: Set(source.to_string()),
            document_number: Set(parsed.document_number.chars().take(100).collect()),
            effective_from: Set(parsed.effective_from),
            effective_to: Set(parsed.effective_to),
            local: Set(parsed.local),
            status: Set("active".into()),
            loaded_by: Set(loaded_by),
            ..Default::default()
        },
    })
}

// ---------------------------------------------------------------- facts

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
        .filter(enterprise::Column::Status.eq("active"));
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
        .filter(event::Column::Kind.eq("recognition"))
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
fn hash_facts(h: &mut Sha256, id: i64, f: &Facts) {
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

// ---------------------------------------------------------------- standing of one enterprise

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

// ---------------------------------------------------------------- runs

/// Counts of one tier in a run.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TierCounts {
    pub tier: String,
    pub name: String,
    /// Holding a valid recognition on the day evaluated.
    pub held: u64,
    /// Qualifying now and not yet recognised (培育库：可申报).
    pub qualifies: u64,
    /// Not recognised, nothing known fails, data missing.
    pub unknown: u64,
    /// Not recognised, one failing item within the margin.
    pub within_reach: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UsedVersion {
    pub tier: String,
    pub criteria: String,
    pub version_id: i64,
    pub version: String,
}

/// One result row, before it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultRow {
    pub enterprise_id: i64,
    pub tier: String,
    pub status: String,
    pub within_reach: bool,
    pub held: bool,
    pub unmet: i32,
    pub gaps: String,
    pub missing: String,
    pub detail: Option<String>,
}

/// What evaluating a set of enterprises against a set of criteria gives.
struct Evaluated {
    input_hash: String,
    counts: Vec<TierCounts>,
    rows: Vec<ResultRow>,
}

fn evaluate_all(
    criteria: &[&(CriteriaVersion, Arc<Criteria>)],
    validities: &Validities,
    gathered: &[(Enterprise, Facts)],
    year: i32,
    as_of: NaiveDate,
    margin: Decimal,
) -> Evaluated {
    let mut hash = Sha256::new();
    let mut counts: Vec<TierCounts> = criteria
        .iter()
        .map(|(_, c)| TierCounts {
            tier: c.tier.clone(),
            name: c.name.clone(),
            ..Default::default()
        })
        .collect();
    // Every enterprise is evaluated on its own, on every core, and its results are turned into
    // rows at once (a full result with every condition is a few KB; a zone holds 100,000 × 11).
    let evaluated: Vec<Vec<ResultRow>> = ladder::parallel_map(gathered, |(e, facts)| {
        criteria
            .iter()
            .map(|(_, c)| {
                let held = c.recognition.as_ref().is_some_and(|cat| {
                    facts
                        .recognitions
                        .iter()
                        .any(|h| &h.category == cat && ladder::valid_on(h, validities, as_of))
                });
                let r = c.evaluate(facts, year, as_of, validities, margin);
                let best = r.best();
                // The deciding route in full for the pool's candidates; the rest keep the summary.
                let candidate = !held && (r.status == Status::Qualifies || r.within_reach);
                ResultRow {
                    enterprise_id: e.id,
                    tier: c.tier.clone(),
                    status: r.status.code().to_string(),
                    within_reach: r.within_reach,
                    held,
                    unmet: best.unmet().len() as i32,
                    gaps: best.gaps().join("\n"),
                    missing: best.missing().join("、"),
                    detail: if candidate {
                        serde_json::to_string(best).ok()
                    } else {
                        None
                    },
                }
            })
            .collect()
    });
    let mut rows = Vec::with_capacity(gathered.len() * criteria.len());
    for ((e, facts), results) in gathered.iter().zip(evaluated) {
        hash_facts(&mut hash, e.id, facts);
        for (k, row) in results.into_iter().enumerate() {
            let tally = &mut counts[k];
            if row.held {
                tally.held += 1;
            } else if row.status == "qualifies" {
                tally.qualifies += 1;
            } else if row.status == "unknown" {
                tally.unknown += 1;
            } else if row.within_reach {
                tally.within_reach += 1;
            }
            rows.push(row);
        }
    }
    Evaluated {
        input_hash: hex::encode(hash.finalize()),
        counts,
        rows,
    }
}

/// Evaluates every active enterprise of the writer's zone against every tier in force, and
/// stores the run (versions used, input hash, counts) with one result per enterprise and tier.
pub async fn evaluate_zone(
    writer: &mut Writer,
    zone_id: i64,
    year: i32,
    as_of: NaiveDate,
    margin: Decimal,
    created_by: Option<i64>,
) -> Result<Run, AppError> {
    let set = criteria_set(writer.read(), zone_id).await?;
    let in_force: Vec<&(CriteriaVersion, Arc<Criteria>)> = set.in_force(as_of).collect();
    if in_force.is_empty() {
        return Err(AppError::BadRequest(format!(
            "{as_of} 没有生效的培育标准：请先在“培育标准”中导入标准文件"
        )));
    }
    let started = std::time::Instant::now();
    let gathered = gather(writer.read(), zone_id, None, year, set.min_offset(), as_of).await?;
    let gathered_in = started.elapsed();
    let evaluated = evaluate_all(&in_force, &set.validities, &gathered, year, as_of, margin);
    let evaluated_in = started.elapsed() - gathered_in;
    let versions: Vec<UsedVersion> = in_force
        .iter()
        .map(|(v, c)| UsedVersion {
            tier: c.tier.clone(),
            criteria: c.id.clone(),
            version_id: v.id,
            version: v.version.clone(),
        })
        .collect();
    let created = writer
        .insert_in_zone(run::ActiveModel {
            year: Set(year),
            as_of: Set(as_of),
            margin_bp: Set((margin * Decimal::from(10_000)).trunc().try_into().unwrap_or(2000)),
            criteria_versions: Set(serde_json::to_string(&versions).unwrap_or_default()),
            enterprise_count: Set(gathered.len() as i64),
            counts: Set(serde_json::to_string(&evaluated.counts).unwrap_or_default()),
            input_hash: Set(evaluated.input_hash),
            created_by: Set(created_by),
            ..Default::default()
        })
        .await?;
    let rows: Vec<result::ActiveModel> = evaluated
        .rows
        .into_iter()
        .map(|r| result::ActiveModel {
            run_id: Set(created.id),
            enterprise_id: Set(r.enterprise_id),
            tier: Set(r.tier),
            status: Set(r.status),
            within_reach: Set(r.within_reach),
            held: Set(r.held),
            unmet: Set(r.unmet),
            gaps: Set(r.gaps),
            missing: Set(r.missing),
            detail: Set(r.detail),
            ..Default::default()
        })
        .collect();
    let written = writer.insert_derived_in_zone(rows).await?;
    tracing::debug!(
        enterprises = gathered.len(),
        results = written,
        gather_ms = gathered_in.as_millis() as u64,
        evaluate_ms = evaluated_in.as_millis() as u64,
        write_ms = (started.elapsed() - gathered_in - evaluated_in).as_millis() as u64,
        "ladder run"
    );
    writer
        .event(
            "evaluate",
            "ladder_run",
            created.id.to_string(),
            Some(serde_json::json!({"year": year, "as_of": as_of, "results": written, "enterprises": gathered.len()})),
        )
        .await?;
    Ok(created)
}

/// What re-evaluating a stored run with the versions it recorded gives.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Recheck {
    pub run: i64,
    /// The facts are the same as when the run was made (same input hash).
    pub same_inputs: bool,
    pub compared: usize,
    /// Results that differ: (enterprise id, tier, stored status, status now).
    pub differences: Vec<RecheckDifference>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RecheckDifference {
    pub enterprise_id: i64,
    pub tier: String,
    pub stored: String,
    pub now: String,
    pub stored_gaps: String,
    pub gaps_now: String,
}

/// Re-evaluates a run with the criteria versions it recorded (retired ones too) on today's
/// data, and compares every result with the stored one: with the same inputs, every result is
/// the same (完全一致); with changed data, each difference is listed.
pub async fn recheck(db: &Db, scope: &Scope, run_id: i64) -> Result<Recheck, AppError> {
    let run = get_run(db, scope, run_id).await?;
    let ids: Vec<i64> = versions_of(&run).iter().map(|v| v.version_id).collect();
    let stored_versions = scope
        .select::<criteria::Entity>()
        .filter(criteria::Column::Id.is_in(ids.clone()))
        .all(db.conn())
        .await?;
    if stored_versions.len() != ids.len() {
        return Err(AppError::Conflict("该批次记录的标准版本不全，无法复核".into()));
    }
    let set = set_of(stored_versions)?;
    let all: Vec<&(CriteriaVersion, Arc<Criteria>)> = set.versions.iter().collect();
    let margin = Decimal::new(run.margin_bp.into(), 4);
    let gathered = gather(db.conn(), scope.zone_id(), None, run.year, set.min_offset(), run.as_of).await?;
    let fresh = evaluate_all(&all, &set.validities, &gathered, run.year, run.as_of, margin);
    let stored: HashMap<(i64, String), LadderResult> = scope
        .select::<result::Entity>()
        .filter(result::Column::RunId.eq(run.id))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|r| ((r.enterprise_id, r.tier.clone()), r))
        .collect();
    let mut differences = Vec::new();
    let mut compared = 0;
    for row in &fresh.rows {
        compared += 1;
        let before = stored.get(&(row.enterprise_id, row.tier.clone()));
        let same = before.is_some_and(|b| {
            b.status == row.status
                && b.within_reach == row.within_reach
                && b.held == row.held
                && b.gaps == row.gaps
                && b.missing == row.missing
        });
        if !same {
            differences.push(RecheckDifference {
                enterprise_id: row.enterprise_id,
                tier: row.tier.clone(),
                stored: before.map(|b| b.status.clone()).unwrap_or_else(|| "（无）".into()),
                now: row.status.clone(),
                stored_gaps: before.map(|b| b.gaps.clone()).unwrap_or_default(),
                gaps_now: row.gaps.clone(),
            });
        }
    }
    // Results stored for enterprises no longer evaluated (moved out, deregistered).
    let evaluated: std::collections::HashSet<(i64, &str)> =
        fresh.rows.iter().map(|r| (r.enterprise_id, r.tier.as_str())).collect();
    for ((e, tier), b) in &stored {
        if !evaluated.contains(&(*e, tier.as_str())) {
            differences.push(RecheckDifference {
                enterprise_id: *e,
                tier: tier.clone(),
                stored: b.status.clone(),
                now: "（不再评价）".into(),
                stored_gaps: b.gaps.clone(),
                gaps_now: String::new(),
            });
        }
    }
    differences.sort_by(|a, b| (a.enterprise_id, &a.tier).cmp(&(b.enterprise_id, &b.tier)));
    Ok(Recheck {
        run: run.id,
        same_inputs: fresh.input_hash == run.input_hash,
        compared,
        differences,
    })
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
        .filter(event::Column::Kind.eq("recognition"));
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
        .filter(enterprise::Column::Status.eq("active"))
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

pub fn counts_of(r: &Run) -> Vec<TierCounts> {
    serde_json::from_str(&r.counts).unwrap_or_default()
}

pub fn versions_of(r: &Run) -> Vec<UsedVersion> {
    serde_json::from_str(&r.criteria_versions).unwrap_or_default()
}

pub async fn runs(db: &Db, scope: &Scope) -> Result<Vec<Run>, AppError> {
    Ok(scope
        .select::<run::Entity>()
        .order_by_desc(run::Column::Id)
        .all(db.conn())
        .await?)
}

pub async fn get_run(db: &Db, scope: &Scope, id: i64) -> Result<Run, AppError> {
    scope
        .select::<run::Entity>()
        .filter(run::Column::Id.eq(id))
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound)
}

/// The latest run of each year, newest year first.
pub async fn latest_runs(db: &Db, scope: &Scope) -> Result<Vec<Run>, AppError> {
    let mut out: Vec<Run> = Vec::new();
    for r in runs(db, scope).await? {
        if !out.iter().any(|o| o.year == r.year) {
            out.push(r);
        }
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.year));
    Ok(out)
}

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
    select = match f.kind.as_deref() {
        Some("held") => select.filter(result::Column::Held.eq(true)),
        Some("qualifies") => select
            .filter(result::Column::Held.eq(false))
            .filter(result::Column::Status.eq("qualifies")),
        Some("within_reach") => select
            .filter(result::Column::Held.eq(false))
            .filter(result::Column::WithinReach.eq(true)),
        Some("unknown") => select
            .filter(result::Column::Held.eq(false))
            .filter(result::Column::Status.eq("unknown")),
        _ => select.filter(result::Column::Held.eq(false)).filter(
            sea_orm::Condition::any()
                .add(result::Column::Status.eq("qualifies"))
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

// ---------------------------------------------------------------- targets

pub async fn targets(db: &Db, scope: &Scope) -> Result<Vec<Target>, AppError> {
    Ok(scope
        .select::<target::Entity>()
        .order_by_asc(target::Column::Tier)
        .order_by_asc(target::Column::Year)
        .all(db.conn())
        .await?)
}

/// Sets (or replaces) the zone's target for a tier and year.
pub async fn set_target(
    writer: &mut Writer,
    zone_id: i64,
    tier: &str,
    year: i32,
    count: i32,
    note: Option<String>,
) -> Result<Target, AppError> {
    if !(1978..=2100).contains(&year) {
        return Err(AppError::field("year", format!("年度 {year} 不在 1978–2100 之间")));
    }
    if count < 0 {
        return Err(AppError::field("count", "目标数量不能为负数"));
    }
    let existing = target::Entity::find()
        .filter(target::Column::ZoneId.eq(zone_id))
        .filter(target::Column::Tier.eq(tier))
        .filter(target::Column::Year.eq(year))
        .one(writer.read())
        .await?;
    Ok(match existing {
        Some(t) => {
            let mut a = t.clone().into_active_model();
            a.count = Set(count);
            a.note = Set(note);
            writer.update_in_zone(&t, a).await?
        }
        None => {
            writer
                .insert_in_zone(target::ActiveModel {
                    tier: Set(tier.to_string()),
                    year: Set(year),
                    count: Set(count),
                    note: Set(note),
                    ..Default::default()
                })
                .await?
        }
    })
}
