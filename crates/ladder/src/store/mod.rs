//! Queries (always within one zone; an enterprise user sees only its own enterprise) and
//! audited writes of the cultivation ladder. This module holds the criteria versions (parsed
//! once, the set in use) and the zone's targets; [`facts`] gathers the facts of enterprises as
//! the criteria read them, [`standing`] evaluates one enterprise live and finds expiring
//! recognitions, [`runs`] evaluates a zone into a stored run and rechecks it, [`pool`] lists a
//! run's candidates (培育库).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

use super::criteria_entity::{self as criteria, Model as CriteriaVersion};
use super::target_entity::{self as target, Model as Target};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_platform::versions::VersionStatus;
use gaoxin_rules::ladder::{self, Criteria, Validities};

mod facts;
mod pool;
mod runs;
mod standing;

pub use facts::*;
pub use pool::*;
pub use runs::*;
pub use standing::*;

// ---------------------------------------------------------------- criteria versions

pub async fn active_versions<C: ConnectionTrait>(conn: &C, zone_id: i64) -> Result<Vec<CriteriaVersion>, AppError> {
    Ok(criteria::Entity::find()
        .filter(criteria::Column::ZoneId.eq(zone_id))
        .filter(criteria::Column::Status.eq(VersionStatus::Active.code()))
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

pub use gaoxin_platform::versions::Loaded;

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
            status: Set(VersionStatus::Active.code().into()),
            loaded_by: Set(loaded_by),
            ..Default::default()
        },
    })
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
