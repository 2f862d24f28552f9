//! 亩均效益评价 on the database: the facts a scheme reads from the registry (one unit per
//! enterprise or per group sharing parcels, each variable read from the source it names,
//! `rules::land::SOURCES`), scheme versions, runs and their explained results, 公示 and
//! objections, class adjustments, differentiated policies, D-class clearance cases and
//! year-on-year transitions: queries (always within one zone; an enterprise user sees only its
//! own enterprise, and only published runs) and audited writes.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::clearance_entity::{self as clearance, Model as ClearanceCase};
use super::measure_entity::{self as measure, Model as Measure};
use super::objection_entity::{self as objection, Model as Objection};
use super::result_entity::{self as result, Model as LandResultRow};
use super::run_entity::{self as run, Model as Run};
use super::scheme_entity::{self as scheme_version, Model as SchemeVersion};
use gaoxin_enterprises::annual_entity as annual;
use gaoxin_enterprises::entity::{self as enterprise, Model as Enterprise};
use gaoxin_enterprises::innovation_entity as innovation;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
pub use gaoxin_platform::versions::Loaded;
use gaoxin_platform::web::PageParams;
use gaoxin_rules::expr::{Value, round_half_up};
use gaoxin_rules::land::{self, Case, Scheme};

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
    let groups = super::parcels::groups(conn, zone_id).await?;
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

// ---------------------------------------------------------------- scheme versions

pub async fn active_versions<C: ConnectionTrait>(conn: &C, zone_id: i64) -> Result<Vec<SchemeVersion>, AppError> {
    Ok(scheme_version::Entity::find()
        .filter(scheme_version::Column::ZoneId.eq(zone_id))
        .filter(scheme_version::Column::Status.eq("active"))
        .order_by_asc(scheme_version::Column::SchemeId)
        .all(conn)
        .await?)
}

pub async fn all_versions(db: &Db, scope: &Scope) -> Result<Vec<SchemeVersion>, AppError> {
    Ok(scope
        .select::<scheme_version::Entity>()
        .order_by_asc(scheme_version::Column::SchemeId)
        .order_by_desc(scheme_version::Column::Id)
        .all(db.conn())
        .await?)
}

pub async fn version_by_id<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<SchemeVersion, AppError> {
    scope
        .select::<scheme_version::Entity>()
        .filter(scheme_version::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// A stored version, parsed; cached by (id, SHA-256): a stored version never changes.
pub fn parse(v: &SchemeVersion) -> Result<Arc<Scheme>, AppError> {
    use std::sync::{Mutex, OnceLock};
    type Parsed = HashMap<(i64, String), Arc<Scheme>>;
    static CACHE: OnceLock<Mutex<Parsed>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let poisoned = |_| AppError::Internal(anyhow::anyhow!("cache poisoned"));
    let key = (v.id, v.version.clone());
    if let Some(s) = cache.lock().map_err(poisoned)?.get(&key) {
        return Ok(s.clone());
    }
    let parsed = Arc::new(
        land::load(&v.file_name, &v.source)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("stored scheme does not load: {e}")))?,
    );
    cache.lock().map_err(poisoned)?.insert(key, parsed.clone());
    Ok(parsed)
}

/// The checks of [`crate::rule_file::load_scheme_file`]: the scheme parses and its own tests pass.
pub fn check_scheme_file(
    file_name: &str,
    source: &str,
    loaded_by: Option<i64>,
) -> Result<gaoxin_platform::versions::Checked<scheme_version::ActiveModel>, AppError> {
    let parsed = land::load(file_name, source).map_err(|e| AppError::field("file", e.to_string()))?;
    let tests = parsed.run_tests();
    gaoxin_platform::versions::own_tests(
        file_name,
        tests
            .iter()
            .filter(|t| !t.failures.is_empty())
            .map(|t| (t.name.as_str(), t.failures.as_slice())),
    )?;
    Ok(gaoxin_platform::versions::Checked {
        key: parsed.id.chars().take(100).collect(),
        version: parsed.version.clone(),
        row: scheme_version::ActiveModel {
            scheme_id: Set(parsed.id.chars().take(100).collect()),
            name: Set(parsed.name.chars().take(200).collect()),
            group_label: Set(parsed.group.chars().take(100).collect()),
            version: Set(parsed.version.clone()),
            file_name: Set(file_name.chars().take(200).collect()),
            source: Set(source.to_string()),
            document_number: Set(parsed.document_number.chars().take(200).collect()),
            effective_from: Set(parsed.effective_from),
            effective_to: Set(parsed.effective_to),
            example: Set(parsed.example),
            status: Set("active".into()),
            loaded_by: Set(loaded_by),
            ..Default::default()
        },
    })
}

// ---------------------------------------------------------------- runs

/// A result's explanation as stored (texts copied from the scheme so that the page reads
/// without it; benchmarks and weights are on the run).
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct ResultDetail {
    /// The exact total.
    pub total: String,
    pub indicators: Vec<IndicatorDetail>,
    pub adjustments: Vec<AdjustmentDetail>,
    /// Evaluated together with the enterprises sharing its parcels.
    #[serde(default)]
    pub merged: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct IndicatorDetail {
    pub id: String,
    /// To 4 decimals; None: unknown.
    pub value: Option<String>,
    /// To 2 decimals.
    pub score: String,
    pub filled: bool,
    pub capped: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct AdjustmentDetail {
    pub id: String,
    pub label: String,
    pub points: String,
}

/// An indicator of the run: its benchmark and weight as used, and what a missing value scored.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct RunIndicator {
    pub id: String,
    pub label: String,
    pub unit: Option<String>,
    pub weight: String,
    pub benchmark: String,
    /// How a missing value scores (按 0 分计 / 按平均得分计) and what it scored.
    pub missing: String,
    pub fill: String,
    pub formula: String,
    pub article: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct RunCounts {
    pub ranked: u64,
    /// Not ranked for a reason (no land of its own, T 类 …).
    pub excluded: u64,
    /// Outside the scheme's scope (e.g. 规下 firms for a 规上 scheme).
    #[serde(default)]
    pub out_of_scope: u64,
    /// (class name, count), in the scheme's order.
    pub classes: Vec<(String, u64)>,
}

pub fn counts_of(run: &Run) -> RunCounts {
    serde_json::from_str(&run.counts).unwrap_or_default()
}

pub fn indicators_of(run: &Run) -> Vec<RunIndicator> {
    serde_json::from_str(&run.benchmarks).unwrap_or_default()
}

pub fn detail_of(r: &LandResultRow) -> ResultDetail {
    serde_json::from_str(&r.detail).unwrap_or_default()
}

fn points(d: Decimal) -> String {
    format!("{:.2}", round_half_up(d, 2))
}

fn hundredths(d: Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    (round_half_up(d, 2) * Decimal::ONE_HUNDRED)
        .to_i64()
        .unwrap_or(i64::MAX)
}

/// What a run stores of one enterprise's result (before zone and ids).
struct Computed {
    enterprise_id: i64,
    exclusion_id: Option<String>,
    excluded: Option<String>,
    rank: i32,
    total: i64,
    class: String,
    detail: String,
}

/// Evaluates the zone's active enterprises with a scheme: the results in enterprise order,
/// the run's indicators (benchmarks) and counts, and a hash of the inputs.
async fn compute<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    scheme: &Scheme,
    year: i32,
    as_of: NaiveDate,
) -> Result<(Vec<Computed>, Vec<RunIndicator>, RunCounts, String), AppError> {
    let units = cases(conn, zone_id, scheme, year, as_of).await?;
    let baseline = if scheme.baseline_previous_year {
        let previous = cases(
            conn,
            zone_id,
            scheme,
            year - 1,
            gaoxin_rules::ladder::default_as_of(year - 1),
        )
        .await?;
        Some(previous.into_iter().map(|u| u.case).collect::<Vec<_>>())
    } else {
        None
    };
    let mut hasher = Sha256::new();
    hasher.update(format!("{}|{year}|{as_of}", scheme.version));
    for c in units.iter().map(|u| &u.case).chain(baseline.iter().flatten()) {
        hasher.update(format!("{}:{:?};", c.id, c.values));
    }
    let input_hash = hex::encode(hasher.finalize());
    let plain: Vec<Case> = units.iter().map(|u| u.case.clone()).collect();
    let evaluation = scheme.evaluate(&plain, baseline.as_deref());
    let mut counts = RunCounts {
        classes: scheme.classes.names.iter().map(|n| (n.clone(), 0)).collect(),
        ..Default::default()
    };
    let mut computed = Vec::new();
    for (unit, r) in units.iter().zip(&evaluation.results) {
        let reason = r.excluded.map(|x| scheme.exclusion_reason(x));
        let detail = ResultDetail {
            total: r.total.normalize().to_string(),
            indicators: r
                .indicators
                .iter()
                .zip(&scheme.indicators)
                .map(|(i, ind)| IndicatorDetail {
                    id: ind.id.clone(),
                    value: i.value.map(|v| format!("{:.4}", round_half_up(v, 4))),
                    score: points(i.score),
                    filled: i.filled,
                    capped: i.capped,
                })
                .collect(),
            adjustments: r
                .adjustments
                .iter()
                .map(|(a, p)| AdjustmentDetail {
                    id: scheme.adjustments[*a].rule.id.clone(),
                    label: scheme.adjustments[*a].rule.label.clone(),
                    points: points(*p),
                })
                .collect(),
            merged: unit.merged.clone(),
        };
        let detail = serde_json::to_string(&detail).unwrap_or_default();
        for e in &unit.members {
            match r.excluded {
                Some(gaoxin_rules::land::Excluded::Scope) => counts.out_of_scope += 1,
                Some(_) => counts.excluded += 1,
                None => {
                    counts.ranked += 1;
                    counts.classes[r.class].1 += 1;
                }
            }
            computed.push(Computed {
                enterprise_id: e.id,
                exclusion_id: reason.as_ref().map(|(id, _)| id.to_string()),
                excluded: reason.as_ref().map(|(_, label)| label.chars().take(300).collect()),
                rank: r.rank as i32,
                total: if r.excluded.is_some() { 0 } else { hundredths(r.total) },
                class: scheme.class_name(r).chars().take(50).collect(),
                detail: detail.clone(),
            });
        }
    }
    let indicators = scheme
        .indicators
        .iter()
        .enumerate()
        .map(|(k, i)| RunIndicator {
            id: i.id.clone(),
            label: i.label.clone(),
            unit: i.unit.clone(),
            weight: i.weight.normalize().to_string(),
            benchmark: round_half_up(evaluation.benchmarks[k], 4).normalize().to_string(),
            missing: match i.missing {
                land::Missing::Zero => "缺少数据按 0 分计".into(),
                land::Missing::GroupAverage => "缺少数据按参评企业该项平均得分计".into(),
            },
            fill: points(evaluation.fills[k]),
            formula: i.source.clone(),
            article: i.article.clone(),
        })
        .collect();
    Ok((computed, indicators, counts, input_hash))
}

/// Evaluates the zone with a scheme version and stores the run (a draft) and its results.
pub async fn evaluate_zone(
    writer: &mut Writer,
    version: &SchemeVersion,
    year: i32,
    as_of: NaiveDate,
    created_by: Option<i64>,
) -> Result<Run, AppError> {
    let scheme = parse(version)?;
    if !(1978..=2100).contains(&year) {
        return Err(AppError::field("year", "年度应为四位数字，如 2024"));
    }
    let (computed, indicators, counts, input_hash) =
        compute(writer.read(), version.zone_id, &scheme, year, as_of).await?;
    if counts.ranked == 0 {
        return Err(AppError::field(
            "year",
            format!(
                "{year} 年度没有可参评的企业（方案“{}”的范围内没有企业有用地和年度数据）：请先导入企业和年度数据",
                scheme.name
            ),
        ));
    }
    let run = writer
        .insert_in_zone(run::ActiveModel {
            scheme_version_id: Set(version.id),
            scheme_id: Set(version.scheme_id.clone()),
            year: Set(year),
            as_of: Set(as_of),
            status: Set("draft".into()),
            enterprise_count: Set(computed.len() as i64),
            counts: Set(serde_json::to_string(&counts).unwrap_or_default()),
            benchmarks: Set(serde_json::to_string(&indicators).unwrap_or_default()),
            input_hash: Set(input_hash),
            created_by: Set(created_by),
            ..Default::default()
        })
        .await?;
    let rows: Vec<result::ActiveModel> = computed
        .into_iter()
        .map(|c| result::ActiveModel {
            run_id: Set(run.id),
            enterprise_id: Set(c.enterprise_id),
            exclusion_id: Set(c.exclusion_id),
            excluded: Set(c.excluded),
            rank: Set(c.rank),
            total: Set(c.total),
            computed_class: Set(c.class.clone()),
            class: Set(c.class),
            adjust_reason: Set(None),
            detail: Set(c.detail),
            ..Default::default()
        })
        .collect();
    let written = writer.insert_derived_in_zone(rows).await?;
    writer
        .event(
            "evaluate",
            "land_run",
            run.id.to_string(),
            Some(serde_json::json!({"scheme": version.scheme_id, "version": version.version, "year": year, "results": written, "counts": counts})),
        )
        .await?;
    Ok(run)
}

/// Re-evaluates a run that is not final with its scheme version on today's data (after an
/// objection corrected the data): every result that changed is updated and audited (before,
/// after); a class set by hand stays, with the computed class updated beside it.
pub async fn rerun(writer: &mut Writer, scope: &Scope, run_id: i64) -> Result<(Run, u64), AppError> {
    let r = get_run(writer.read(), scope, run_id).await?;
    if r.status == "final" {
        return Err(AppError::BadRequest("评价结果已确认锁定，不能重新计算".into()));
    }
    let version = version_by_id(writer.read(), scope, r.scheme_version_id).await?;
    let scheme = parse(&version)?;
    let (computed, indicators, counts, input_hash) =
        compute(writer.read(), r.zone_id, &scheme, r.year, r.as_of).await?;
    let existing: HashMap<i64, LandResultRow> = result::Entity::find()
        .filter(result::Column::ZoneId.eq(r.zone_id))
        .filter(result::Column::RunId.eq(r.id))
        .all(writer.read())
        .await?
        .into_iter()
        .map(|x| (x.enterprise_id, x))
        .collect();
    let mut changed = 0u64;
    let mut added = Vec::new();
    for c in computed {
        match existing.get(&c.enterprise_id) {
            None => added.push(result::ActiveModel {
                run_id: Set(r.id),
                enterprise_id: Set(c.enterprise_id),
                exclusion_id: Set(c.exclusion_id),
                excluded: Set(c.excluded),
                rank: Set(c.rank),
                total: Set(c.total),
                computed_class: Set(c.class.clone()),
                class: Set(c.class),
                adjust_reason: Set(None),
                detail: Set(c.detail),
                ..Default::default()
            }),
            Some(old) => {
                let class = if old.adjust_reason.is_some() {
                    old.class.clone()
                } else {
                    c.class.clone()
                };
                let same = old.exclusion_id == c.exclusion_id
                    && old.rank == c.rank
                    && old.total == c.total
                    && old.computed_class == c.class
                    && old.class == class
                    && old.detail == c.detail;
                if !same {
                    let mut a = old.clone().into_active_model();
                    a.exclusion_id = Set(c.exclusion_id);
                    a.excluded = Set(c.excluded);
                    a.rank = Set(c.rank);
                    a.total = Set(c.total);
                    a.computed_class = Set(c.class);
                    a.class = Set(class);
                    a.detail = Set(c.detail);
                    writer.update_in_zone(old, a).await?;
                    changed += 1;
                }
            }
        }
    }
    changed += added.len() as u64;
    if !added.is_empty() {
        writer.insert_many_in_zone(added).await?;
    }
    let mut a = r.clone().into_active_model();
    a.counts = Set(serde_json::to_string(&counts).unwrap_or_default());
    a.benchmarks = Set(serde_json::to_string(&indicators).unwrap_or_default());
    a.input_hash = Set(input_hash);
    let updated = writer.update_in_zone(&r, a).await?;
    writer
        .event(
            "rerun",
            "land_run",
            r.id.to_string(),
            Some(serde_json::json!({"changed": changed})),
        )
        .await?;
    Ok((updated, changed))
}

pub async fn runs(db: &Db, scope: &Scope) -> Result<Vec<Run>, AppError> {
    let mut select = scope.select::<run::Entity>();
    if scope.own_enterprise().is_some() {
        select = select.filter(run::Column::Status.ne("draft"));
    }
    Ok(select
        .order_by_desc(run::Column::Year)
        .order_by_desc(run::Column::Id)
        .all(db.conn())
        .await?)
}

/// A run of the zone; an enterprise user sees only published runs.
pub async fn get_run<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<Run, AppError> {
    let r = scope
        .select::<run::Entity>()
        .filter(run::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if scope.own_enterprise().is_some() && r.status == "draft" {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

/// Publishes a draft for 公示 for `days` days from `today`.
pub async fn publish(
    writer: &mut Writer,
    scope: &Scope,
    run_id: i64,
    days: i64,
    today: NaiveDate,
) -> Result<Run, AppError> {
    let r = get_run(writer.read(), scope, run_id).await?;
    if r.status != "draft" {
        return Err(AppError::BadRequest("只有草稿可以公示".into()));
    }
    if !(0..=90).contains(&days) {
        return Err(AppError::field("days", "公示天数应为 0–90 天"));
    }
    let mut a = r.clone().into_active_model();
    a.status = Set("publicity".into());
    a.publicity_from = Set(Some(today));
    a.publicity_until = Set(Some(today + chrono::Duration::days(days)));
    Ok(writer.update_in_zone(&r, a).await?)
}

/// Makes a run final and locks it: the 公示 period is over and no objection is open.
pub async fn finalize(
    writer: &mut Writer,
    scope: &Scope,
    run_id: i64,
    today: NaiveDate,
    by: Option<i64>,
) -> Result<Run, AppError> {
    let r = get_run(writer.read(), scope, run_id).await?;
    if r.status != "publicity" {
        return Err(AppError::BadRequest("只有公示中的评价结果可以确认（请先公示）".into()));
    }
    if let Some(until) = r.publicity_until
        && today < until
    {
        return Err(AppError::BadRequest(format!("公示期至 {until}，期满后才能确认")));
    }
    let open = objection::Entity::find()
        .filter(objection::Column::ZoneId.eq(r.zone_id))
        .filter(objection::Column::RunId.eq(r.id))
        .filter(objection::Column::Status.eq("open"))
        .count(writer.read())
        .await?;
    if open > 0 {
        return Err(AppError::BadRequest(format!(
            "还有 {open} 条异议未处理，处理完才能确认"
        )));
    }
    let mut a = r.clone().into_active_model();
    a.status = Set("final".into());
    a.finalized_at = Set(Some(writer.now()));
    a.finalized_by = Set(by);
    Ok(writer.update_in_zone(&r, a).await?)
}

/// The total and one page of a query (every row when `all`).
async fn paged<E>(
    db: &Db,
    select: sea_orm::Select<E>,
    page: Option<u64>,
    per_page: Option<u64>,
    all: bool,
) -> Result<(Vec<E::Model>, u64), AppError>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let total = select.clone().count(db.conn()).await?;
    let rows = if all {
        select.all(db.conn()).await?
    } else {
        let p = PageParams { page, per_page };
        select
            .paginate(db.conn(), p.per_page())
            .fetch_page(p.page().saturating_sub(1))
            .await?
    };
    Ok((rows, total))
}

// ---------------------------------------------------------------- results

#[derive(Deserialize, Default, Clone, Debug)]
pub struct ResultFilter {
    /// A class name, `excluded` or `adjusted`.
    pub class: Option<String>,
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

pub async fn results(
    db: &Db,
    scope: &Scope,
    run_id: i64,
    f: &ResultFilter,
    all: bool,
) -> Result<(Vec<(LandResultRow, Enterprise)>, u64), AppError> {
    let mut select = scope
        .select::<result::Entity>()
        .filter(result::Column::RunId.eq(run_id));
    if let Some(id) = scope.own_enterprise() {
        select = select.filter(result::Column::EnterpriseId.eq(id));
    }
    // Those outside the scheme's scope are listed only when asked for.
    let in_scope = sea_orm::Condition::any()
        .add(result::Column::ExclusionId.is_null())
        .add(result::Column::ExclusionId.ne("scope"));
    select = match f.class.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => select.filter(in_scope),
        Some("scope") => select.filter(result::Column::ExclusionId.eq("scope")),
        Some("excluded") => select
            .filter(result::Column::ExclusionId.is_not_null())
            .filter(result::Column::ExclusionId.ne("scope")),
        Some("adjusted") => select.filter(result::Column::AdjustReason.is_not_null()),
        Some(c) => select
            .filter(result::Column::Class.eq(c))
            .filter(result::Column::ExclusionId.is_null()),
    };
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        select = select.filter(gaoxin_enterprises::store::matching(
            scope,
            result::Column::EnterpriseId,
            q,
        ));
    }
    // Ranked first by rank, then the excluded.
    let select = select
        .order_by_asc(result::Column::ExclusionId.is_not_null())
        .order_by_asc(result::Column::Rank)
        .order_by_asc(result::Column::EnterpriseId);
    let (rows, total) = paged(db, select, f.page, f.per_page, all).await?;
    Ok((
        gaoxin_enterprises::store::paired(db.conn(), scope, rows, |r| r.enterprise_id).await?,
        total,
    ))
}

/// One result with its run and enterprise; an enterprise user sees only its own, published.
pub async fn result_by_id<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    id: i64,
) -> Result<(LandResultRow, Run, Enterprise), AppError> {
    let r = scope
        .select::<result::Entity>()
        .filter(result::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(own) = scope.own_enterprise()
        && own != r.enterprise_id
    {
        return Err(AppError::NotFound);
    }
    let run = get_run(conn, scope, r.run_id).await?;
    let e = scope
        .select::<enterprise::Entity>()
        .filter(enterprise::Column::Id.eq(r.enterprise_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((r, run, e))
}

/// Sets a result's class by hand (定档调档) with the reason; back to the computed class when
/// `class` is the computed one.
pub async fn adjust_class(
    writer: &mut Writer,
    scope: &Scope,
    result_id: i64,
    class: &str,
    reason: &str,
) -> Result<LandResultRow, AppError> {
    let (r, run, _) = result_by_id(writer.read(), scope, result_id).await?;
    if run.status == "final" {
        return Err(AppError::BadRequest("评价结果已确认锁定，不能调档".into()));
    }
    if r.exclusion_id.is_some() {
        return Err(AppError::field("class", "不参评的企业没有档次可调"));
    }
    let version = version_by_id(writer.read(), scope, run.scheme_version_id).await?;
    let scheme = parse(&version)?;
    if !scheme.classes.names.iter().any(|n| n == class) {
        return Err(AppError::field(
            "class",
            format!("类别“{class}”不是本方案的类别（{}）", scheme.classes.names.join("、")),
        ));
    }
    let reason = reason.trim();
    let back = class == r.computed_class;
    if !back && reason.chars().count() < 4 {
        return Err(AppError::field("reason", "调档须写明理由（至少 4 个字）"));
    }
    let mut a = r.clone().into_active_model();
    a.class = Set(class.to_string());
    a.adjust_reason = Set((!back).then(|| reason.chars().take(500).collect()));
    Ok(writer.update_in_zone(&r, a).await?)
}

pub async fn objections_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    result_id: i64,
) -> Result<Vec<Objection>, AppError> {
    Ok(scope
        .select::<objection::Entity>()
        .filter(objection::Column::ResultId.eq(result_id))
        .order_by_asc(objection::Column::Id)
        .all(conn)
        .await?)
}

pub async fn objections_of_run(db: &Db, scope: &Scope, run_id: i64) -> Result<Vec<(Objection, Enterprise)>, AppError> {
    let mut select = scope
        .select::<objection::Entity>()
        .filter(objection::Column::RunId.eq(run_id));
    if let Some(own) = scope.own_enterprise() {
        select = select.filter(objection::Column::EnterpriseId.eq(own));
    }
    let rows = select.order_by_asc(objection::Column::Id).all(db.conn()).await?;
    gaoxin_enterprises::store::paired(db.conn(), scope, rows, |o| o.enterprise_id).await
}

/// Files an objection to a result during its run's 公示.
pub async fn file_objection(
    writer: &mut Writer,
    scope: &Scope,
    result_id: i64,
    reason: &str,
    evidence: &str,
    today: NaiveDate,
) -> Result<Objection, AppError> {
    let (r, run, _) = result_by_id(writer.read(), scope, result_id).await?;
    if run.status != "publicity" {
        return Err(AppError::BadRequest("只能在公示期内提出异议".into()));
    }
    if let Some(until) = run.publicity_until
        && today > until
    {
        return Err(AppError::BadRequest(format!("公示期已于 {until} 结束，不能再提出异议")));
    }
    let reason = reason.trim();
    if reason.chars().count() < 4 {
        return Err(AppError::field("reason", "请写明异议理由（至少 4 个字）"));
    }
    if reason.chars().count() > 2000 || evidence.chars().count() > 4000 {
        return Err(AppError::field(
            "reason",
            "异议理由不超过 2000 字，证据说明不超过 4000 字",
        ));
    }
    Ok(writer
        .insert_in_zone(objection::ActiveModel {
            run_id: Set(run.id),
            result_id: Set(r.id),
            enterprise_id: Set(r.enterprise_id),
            reason: Set(reason.to_string()),
            evidence: Set(evidence.trim().to_string()),
            status: Set("open".into()),
            created_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?)
}

/// A department resolves an objection: accepted (the data was corrected; the run is then
/// re-evaluated) or rejected, with a written answer.
pub async fn resolve_objection(
    writer: &mut Writer,
    scope: &Scope,
    objection_id: i64,
    accept: bool,
    answer: &str,
) -> Result<Objection, AppError> {
    let o = scope
        .select::<objection::Entity>()
        .filter(objection::Column::Id.eq(objection_id))
        .one(writer.read())
        .await?
        .ok_or(AppError::NotFound)?;
    if o.status != "open" {
        return Err(AppError::BadRequest("这条异议已处理".into()));
    }
    let answer = answer.trim();
    if answer.chars().count() < 2 {
        return Err(AppError::field("answer", "请写明处理意见"));
    }
    let mut a = o.clone().into_active_model();
    a.status = Set(if accept { "accepted" } else { "rejected" }.into());
    a.answer = Set(Some(answer.chars().take(2000).collect()));
    a.department_id = Set(scope.caller().department_id);
    a.resolved_by = Set(Some(scope.caller().account_id));
    a.resolved_at = Set(Some(writer.now()));
    Ok(writer.update_in_zone(&o, a).await?)
}

// ---------------------------------------------------------------- differentiated policies

pub async fn measures(db: &Db, scope: &Scope, scheme_id: Option<&str>) -> Result<Vec<Measure>, AppError> {
    let mut select = scope.select::<measure::Entity>();
    if let Some(s) = scheme_id {
        select = select.filter(measure::Column::SchemeId.eq(s));
    }
    Ok(select
        .order_by_asc(measure::Column::SchemeId)
        .order_by_asc(measure::Column::ClassName)
        .order_by_asc(measure::Column::Id)
        .all(db.conn())
        .await?)
}

pub async fn add_measure(
    writer: &mut Writer,
    scope: &Scope,
    scheme_id: &str,
    class_name: &str,
    category: &str,
    text: &str,
    department: &str,
) -> Result<Measure, AppError> {
    let version = active_versions(writer.read(), scope.zone_id())
        .await?
        .into_iter()
        .find(|v| v.scheme_id == scheme_id)
        .ok_or_else(|| AppError::field("scheme_id", format!("没有在用的评价方案“{scheme_id}”")))?;
    let scheme = parse(&version)?;
    if !scheme.classes.names.iter().any(|n| n == class_name) {
        return Err(AppError::field(
            "class_name",
            format!(
                "类别“{class_name}”不是本方案的类别（{}）",
                scheme.classes.names.join("、")
            ),
        ));
    }
    let need = |v: &str, field: &'static str, what: &str, max: usize| -> Result<String, AppError> {
        let v = v.trim();
        if v.is_empty() {
            return Err(AppError::field(field, format!("请填写{what}")));
        }
        if v.chars().count() > max {
            return Err(AppError::field(field, format!("{what}不超过 {max} 字")));
        }
        Ok(v.to_string())
    };
    Ok(writer
        .insert_in_zone(measure::ActiveModel {
            scheme_id: Set(scheme_id.to_string()),
            class_name: Set(class_name.to_string()),
            category: Set(need(
                category,
                "category",
                "政策类别（如 电价、水价、用地、扶持资金）",
                50,
            )?),
            measure: Set(need(text, "measure", "政策内容", 500)?),
            department: Set(need(
                department,
                "department",
                "执行单位（如 供电公司、自然资源局）",
                100,
            )?),
            ..Default::default()
        })
        .await?)
}

pub async fn delete_measure(writer: &mut Writer, scope: &Scope, id: i64) -> Result<(), AppError> {
    let m = scope
        .select::<measure::Entity>()
        .filter(measure::Column::Id.eq(id))
        .one(writer.read())
        .await?
        .ok_or(AppError::NotFound)?;
    writer.delete_in_zone(m).await?;
    Ok(())
}

// ---------------------------------------------------------------- D-class clearance

/// The five routes of seed 003 (全面出清 D 类企业), code and name.
pub const ROUTES: [(&str, &str); 5] = [
    ("revitalize", "引进项目盘活"),
    ("upgrade", "技术改造提升"),
    ("eliminate", "末位整治淘汰"),
    ("relieve", "纾困服务破解"),
    ("buy_back", "政府回购收储"),
];

pub fn route_name(code: &str) -> &'static str {
    ROUTES.iter().find(|(c, _)| *c == code).map_or("", |(_, n)| n)
}

/// Opens a clearance case for every enterprise of the last class (D) of a final run that has
/// none yet; returns how many were opened.
pub async fn open_clearance(writer: &mut Writer, scope: &Scope, run_id: i64) -> Result<u64, AppError> {
    let r = get_run(writer.read(), scope, run_id).await?;
    if r.status != "final" {
        return Err(AppError::BadRequest("评价结果确认（锁定）后才能建立出清台账".into()));
    }
    let version = version_by_id(writer.read(), scope, r.scheme_version_id).await?;
    let scheme = parse(&version)?;
    let last = scheme.classes.names.last().cloned().unwrap_or_default();
    let d: Vec<LandResultRow> = result::Entity::find()
        .filter(result::Column::ZoneId.eq(r.zone_id))
        .filter(result::Column::RunId.eq(r.id))
        .filter(result::Column::Class.eq(last))
        .filter(result::Column::ExclusionId.is_null())
        .all(writer.read())
        .await?;
    let have: std::collections::HashSet<i64> = clearance::Entity::find()
        .filter(clearance::Column::ZoneId.eq(r.zone_id))
        .filter(clearance::Column::RunId.eq(r.id))
        .all(writer.read())
        .await?
        .into_iter()
        .map(|c| c.result_id)
        .collect();
    let new: Vec<clearance::ActiveModel> = d
        .iter()
        .filter(|x| !have.contains(&x.id))
        .map(|x| clearance::ActiveModel {
            run_id: Set(r.id),
            result_id: Set(x.id),
            enterprise_id: Set(x.enterprise_id),
            route: Set(None),
            actions: Set(String::new()),
            status: Set("open".into()),
            created_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .collect();
    let n = new.len() as u64;
    if !new.is_empty() {
        writer.insert_many_in_zone(new).await?;
    }
    Ok(n)
}

#[derive(Deserialize, Default, Clone, Debug)]
pub struct CaseFilter {
    /// `open`, `closed`, `overdue`.
    pub status: Option<String>,
    pub route: Option<String>,
    pub run: Option<i64>,
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

pub async fn clearance_cases(
    db: &Db,
    scope: &Scope,
    f: &CaseFilter,
    today: NaiveDate,
    all: bool,
) -> Result<(Vec<(ClearanceCase, Enterprise)>, u64), AppError> {
    let mut select = scope.select::<clearance::Entity>();
    if let Some(id) = scope.own_enterprise() {
        select = select.filter(clearance::Column::EnterpriseId.eq(id));
    }
    if let Some(run) = f.run {
        select = select.filter(clearance::Column::RunId.eq(run));
    }
    select = match f.status.as_deref() {
        Some("open") => select.filter(clearance::Column::Status.eq("open")),
        Some("closed") => select.filter(clearance::Column::Status.eq("closed")),
        Some("overdue") => select
            .filter(clearance::Column::Status.eq("open"))
            .filter(clearance::Column::Deadline.lt(today)),
        _ => select,
    };
    if let Some(route) = f.route.as_deref().filter(|r| !r.is_empty()) {
        select = select.filter(clearance::Column::Route.eq(route));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        select = select.filter(gaoxin_enterprises::store::matching(
            scope,
            clearance::Column::EnterpriseId,
            q,
        ));
    }
    let select = select
        .order_by_asc(clearance::Column::Status)
        .order_by_asc(clearance::Column::Deadline)
        .order_by_asc(clearance::Column::Id);
    let (rows, total) = paged(db, select, f.page, f.per_page, all).await?;
    Ok((
        gaoxin_enterprises::store::paired(db.conn(), scope, rows, |c| c.enterprise_id).await?,
        total,
    ))
}

/// Clearance totals: open, overdue, closed, land recovered (亩, exact).
pub async fn clearance_totals(db: &Db, scope: &Scope, today: NaiveDate) -> Result<(u64, u64, u64, Decimal), AppError> {
    let all = scope.select::<clearance::Entity>().all(db.conn()).await?;
    let open = all.iter().filter(|c| c.status == "open").count() as u64;
    let overdue = all
        .iter()
        .filter(|c| c.status == "open" && c.deadline.is_some_and(|d| d < today))
        .count() as u64;
    let recovered: i64 = all.iter().filter_map(|c| c.land_recovered).sum();
    Ok((open, overdue, all.len() as u64 - open, Decimal::new(recovered, 4)))
}

pub async fn case_by_id<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<ClearanceCase, AppError> {
    let mut select = scope.select::<clearance::Entity>().filter(clearance::Column::Id.eq(id));
    if let Some(own) = scope.own_enterprise() {
        select = select.filter(clearance::Column::EnterpriseId.eq(own));
    }
    select.one(conn).await?.ok_or(AppError::NotFound)
}

/// Sets a case's route, actions, responsible department and deadline.
pub async fn plan_case(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    route: &str,
    actions: &str,
    department_id: Option<i64>,
    deadline: Option<NaiveDate>,
) -> Result<ClearanceCase, AppError> {
    let c = case_by_id(writer.read(), scope, id).await?;
    if c.status == "closed" {
        return Err(AppError::BadRequest("已销号的出清事项不能再修改".into()));
    }
    if !ROUTES.iter().any(|(code, _)| *code == route) {
        return Err(AppError::field(
            "route",
            format!(
                "请选择出清路径（{}）",
                ROUTES.iter().map(|(_, n)| *n).collect::<Vec<_>>().join("、")
            ),
        ));
    }
    if actions.trim().chars().count() < 4 {
        return Err(AppError::field("actions", "请写明出清措施（至少 4 个字）"));
    }
    if let Some(d) = department_id {
        use gaoxin_platform::departments::entity as department;
        scope
            .select::<department::Entity>()
            .filter(department::Column::Id.eq(d))
            .one(writer.read())
            .await?
            .ok_or_else(|| AppError::field("department_id", "责任部门不存在"))?;
    }
    let mut a = c.clone().into_active_model();
    a.route = Set(Some(route.to_string()));
    a.actions = Set(actions.trim().chars().take(4000).collect());
    a.department_id = Set(department_id);
    a.deadline = Set(deadline);
    Ok(writer.update_in_zone(&c, a).await?)
}

/// A progress report on an open case: what was done and the percent complete (not lower than
/// the last report's).
pub async fn report_progress(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    note: &str,
    percent: i32,
) -> Result<super::update_entity::Model, AppError> {
    use super::update_entity as update;
    let c = case_by_id(writer.read(), scope, id).await?;
    if c.status == "closed" {
        return Err(AppError::BadRequest("已销号的出清事项不再报送进展".into()));
    }
    let note = note.trim();
    if note.chars().count() < 4 || note.chars().count() > 2000 {
        return Err(AppError::field("note", "请写明进展（4–2000 字）"));
    }
    if !(0..=100).contains(&percent) {
        return Err(AppError::field("percent", "完成比例应为 0–100"));
    }
    let last = progress_of(writer.read(), scope, id).await?.last().map(|u| u.percent);
    if let Some(last) = last
        && percent < last
    {
        return Err(AppError::field(
            "percent",
            format!("完成比例不能低于上次报送的 {last}%"),
        ));
    }
    Ok(writer
        .insert_in_zone(update::ActiveModel {
            case_id: Set(c.id),
            note: Set(note.to_string()),
            percent: Set(percent),
            created_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?)
}

/// A case's progress reports, oldest first.
pub async fn progress_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    case_id: i64,
) -> Result<Vec<super::update_entity::Model>, AppError> {
    use super::update_entity as update;
    Ok(scope
        .select::<update::Entity>()
        .filter(update::Column::CaseId.eq(case_id))
        .order_by_asc(update::Column::Id)
        .all(conn)
        .await?)
}

/// The latest percent reported of each case.
pub async fn latest_progress(db: &Db, scope: &Scope, case_ids: &[i64]) -> Result<HashMap<i64, i32>, AppError> {
    use super::update_entity as update;
    let mut out = HashMap::new();
    for u in scope
        .select::<update::Entity>()
        .filter(update::Column::CaseId.is_in(case_ids.to_vec()))
        .order_by_asc(update::Column::Id)
        .all(db.conn())
        .await?
    {
        out.insert(u.case_id, u.percent);
    }
    Ok(out)
}

/// Closes a case (销号): the day, the land recovered (亩, may be 0) and a note.
pub async fn close_case(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    closed_on: NaiveDate,
    land_recovered: Decimal,
    note: &str,
) -> Result<ClearanceCase, AppError> {
    use rust_decimal::prelude::ToPrimitive;
    let c = case_by_id(writer.read(), scope, id).await?;
    if c.status == "closed" {
        return Err(AppError::BadRequest("这项出清已销号".into()));
    }
    if c.route.is_none() {
        return Err(AppError::field("route", "请先确定出清路径和措施"));
    }
    if land_recovered.is_sign_negative() || land_recovered.scale() > 4 {
        return Err(AppError::field(
            "land_recovered",
            "收回土地（亩）应为不小于 0 的数，最多 4 位小数",
        ));
    }
    if note.trim().chars().count() < 2 {
        return Err(AppError::field("note", "请写明销号说明"));
    }
    let mut a = c.clone().into_active_model();
    a.status = Set("closed".into());
    a.closed_on = Set(Some(closed_on));
    a.land_recovered = Set((land_recovered * Decimal::from(10_000)).to_i64());
    a.closing_note = Set(Some(note.trim().chars().take(2000).collect()));
    Ok(writer.update_in_zone(&c, a).await?)
}

// ---------------------------------------------------------------- year on year

/// Class transitions between two runs: for each enterprise in either, its class in the first
/// (or 未评价 / 不参评) and in the second; counted overall and per group (industry or carrier).
pub struct Transitions {
    /// Row and column labels (the classes of both schemes, then 不参评, 未评价).
    pub labels: Vec<String>,
    pub total: Vec<Vec<u64>>,
    pub groups: Vec<(String, Vec<Vec<u64>>)>,
}

pub const NOT_RANKED: &str = "不参评";
pub const NOT_EVALUATED: &str = "未评价";

pub async fn transitions(
    db: &Db,
    scope: &Scope,
    from: &Run,
    to: &Run,
    group_of: Option<impl Fn(&Enterprise) -> String>,
) -> Result<Transitions, AppError> {
    let mut labels: Vec<String> = Vec::new();
    for r in [from, to] {
        for (name, _) in counts_of(r).classes {
            if !labels.contains(&name) {
                labels.push(name);
            }
        }
    }
    labels.push(NOT_RANKED.into());
    labels.push(NOT_EVALUATED.into());
    // Only the three columns needed, not the explanations; those outside the scope are left
    // out (they count as 未评价).
    let classes = |run_id: i64| async move {
        use sea_orm::QuerySelect;
        let rows: Vec<(i64, Option<String>, String)> = scope
            .select::<result::Entity>()
            .filter(result::Column::RunId.eq(run_id))
            .select_only()
            .column(result::Column::EnterpriseId)
            .column(result::Column::ExclusionId)
            .column(result::Column::Class)
            .into_tuple()
            .all(db.conn())
            .await?;
        Ok::<HashMap<i64, String>, AppError>(
            rows.into_iter()
                .filter(|(_, x, _)| x.as_deref() != Some("scope"))
                .map(|(id, x, class)| (id, if x.is_some() { NOT_RANKED.to_string() } else { class }))
                .collect(),
        )
    };
    let a = classes(from.id).await?;
    let b = classes(to.id).await?;
    let mut ids: Vec<i64> = a.keys().chain(b.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    // The enterprises are read only to group them.
    let firms: HashMap<i64, Enterprise> = match &group_of {
        None => HashMap::new(),
        Some(_) => scope
            .select::<enterprise::Entity>()
            .all(db.conn())
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect(),
    };
    let n = labels.len();
    let index = |c: Option<&String>| {
        let c = c.map_or(NOT_EVALUATED, |s| s.as_str());
        labels.iter().position(|l| l == c).unwrap_or(n - 1)
    };
    let mut total = vec![vec![0u64; n]; n];
    let mut groups: std::collections::BTreeMap<String, Vec<Vec<u64>>> = Default::default();
    for id in ids {
        let (i, j) = (index(a.get(&id)), index(b.get(&id)));
        total[i][j] += 1;
        let Some(group_of) = &group_of else {
            continue;
        };
        let g = firms.get(&id).map(group_of).unwrap_or_default();
        let g = if g.is_empty() { "（未填）".to_string() } else { g };
        groups.entry(g).or_insert_with(|| vec![vec![0u64; n]; n])[i][j] += 1;
    }
    Ok(Transitions {
        labels,
        total,
        groups: groups.into_iter().collect(),
    })
}
