//! Policy versions: the versions in use, a policy's history, the checks a policy file passes
//! before it is stored, and the versions a batch records.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::batch_entity::Model as Batch;
use crate::compute::StoredVersion;
use crate::version_entity::{self as version, Model as Version};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_platform::versions::{Checked, VersionStatus, own_tests};
use gaoxin_rules::policy::{self, Kinds, Slots};

pub async fn active_versions<C: ConnectionTrait>(conn: &C, zone_id: i64) -> Result<Vec<Version>, AppError> {
    Ok(version::Entity::find()
        .filter(version::Column::ZoneId.eq(zone_id))
        .filter(version::Column::Status.eq(VersionStatus::Active.code()))
        .order_by_asc(version::Column::PolicyId)
        .all(conn)
        .await?)
}

pub fn stored(versions: &[Version]) -> Vec<StoredVersion> {
    versions
        .iter()
        .map(|v| StoredVersion {
            id: v.id,
            version: v.version.clone(),
            file_name: v.file_name.clone(),
            source: v.source.clone(),
        })
        .collect()
}

pub async fn versions_of_policy(db: &Db, scope: &Scope, policy_id: &str) -> Result<Vec<Version>, AppError> {
    Ok(scope
        .select::<version::Entity>()
        .filter(version::Column::PolicyId.eq(policy_id))
        .order_by_desc(version::Column::Id)
        .all(db.conn())
        .await?)
}

pub async fn version_by_id<C: ConnectionTrait>(conn: &C, zone_id: i64, id: i64) -> Result<Version, AppError> {
    version::Entity::find_by_id(id)
        .filter(version::Column::ZoneId.eq(zone_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// The checks of [`crate::rule_file::load_policy_file`]: the version row to store.
pub async fn check_policy_file(
    writer: &Writer,
    zone_id: i64,
    file_name: &str,
    source: &str,
    loaded_by: Option<i64>,
) -> Result<Checked<version::ActiveModel>, AppError> {
    let active = active_versions(writer.read(), zone_id).await?;
    let mut slots = Slots::new();
    let mut kinds = Kinds::new();
    let parsed =
        policy::load(file_name, source, &mut slots, &mut kinds).map_err(|e| AppError::field("file", e.to_string()))?;
    // Shared variable names must keep their type across the zone's policies.
    let mut others = (Slots::new(), Kinds::new());
    for v in active.iter().filter(|v| v.policy_id != parsed.id) {
        // An active version loaded before; only its variables' types matter here.
        let _ = policy::load(&v.file_name, &v.source, &mut others.0, &mut others.1);
    }
    policy::load(file_name, source, &mut others.0, &mut others.1)
        .map_err(|e| AppError::field("file", format!("与已启用的其他政策冲突：{e}")))?;
    for v in &parsed.variables {
        if v.from.is_none() {
            return Err(AppError::field(
                "file",
                format!("{file_name}：变量“{}”没有声明数据来源 from，无法按数据库计算", v.name),
            ));
        }
    }
    let results = gaoxin_rules::eval::run_tests(std::slice::from_ref(&parsed), &slots, &kinds);
    own_tests(
        file_name,
        results
            .iter()
            .filter(|r| !r.failures.is_empty())
            .map(|r| (r.name.as_str(), r.failures.as_slice())),
    )?;
    Ok(Checked {
        key: parsed.id.clone(),
        version: parsed.version.clone(),
        row: version::ActiveModel {
            policy_id: Set(parsed.id.clone()),
            version: Set(parsed.version.clone()),
            file_name: Set(file_name.chars().take(200).collect()),
            source: Set(source.to_string()),
            title: Set(parsed.title.chars().take(300).collect()),
            document_number: Set(parsed.document_number.chars().take(100).collect()),
            effective_from: Set(parsed.effective_from),
            effective_to: Set(parsed.effective_to),
            example: Set(parsed.example),
            status: Set(VersionStatus::Active.code().into()),
            loaded_by: Set(loaded_by),
            ..Default::default()
        },
    })
}

/// The versions a batch recorded.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UsedVersion {
    pub policy: String,
    pub version_id: i64,
    pub version: String,
}

pub(super) fn used_versions(versions: &[Version]) -> Vec<UsedVersion> {
    versions
        .iter()
        .map(|v| UsedVersion {
            policy: v.policy_id.clone(),
            version_id: v.id,
            version: v.version.clone(),
        })
        .collect()
}

/// The versions a batch recorded, as stored rows.
pub async fn recorded_versions<C: ConnectionTrait>(conn: &C, b: &Batch) -> Result<Vec<Version>, AppError> {
    let used: Vec<UsedVersion> = serde_json::from_str(&b.policy_versions)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("batch {} versions: {e}", b.id)))?;
    let mut out = Vec::new();
    for u in used {
        out.push(version_by_id(conn, b.zone_id, u.version_id).await?);
    }
    Ok(out)
}
