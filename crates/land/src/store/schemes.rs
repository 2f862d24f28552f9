//! Scheme versions: the zone's schemes in use and all it loaded, one by id, a stored version
//! parsed (cached), and the checks a scheme file passes before it is loaded.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::scheme_entity::{self as scheme_version, Model as SchemeVersion};
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_platform::versions::VersionStatus;
use gaoxin_rules::land::{self, Scheme};

pub async fn active_versions<C: ConnectionTrait>(conn: &C, zone_id: i64) -> Result<Vec<SchemeVersion>, AppError> {
    Ok(scheme_version::Entity::find()
        .filter(scheme_version::Column::ZoneId.eq(zone_id))
        .filter(scheme_version::Column::Status.eq(VersionStatus::Active.code()))
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
            status: Set(VersionStatus::Active.code().into()),
            loaded_by: Set(loaded_by),
            ..Default::default()
        },
    })
}
