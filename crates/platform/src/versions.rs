//! Rule files a zone loads as versions (policies, cultivation criteria, 亩均 schemes): the text
//! is kept forever and its SHA-256 is the version; one version per key (policy id, tier, scheme
//! id) is in use at a time. [`activate`] is the one way a checked file becomes the version in
//! use: the same file again changes nothing, an earlier file is restored, a new file is stored,
//! and the version it replaces is retired — every change through the audited writer.

use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, ModelTrait, QueryFilter,
};
use serde::Serialize;

use super::audit::{Audited, ModelOf, Writer, ZoneScoped};
use super::error::{AppError, AppResult};
use crate::AppState;
use crate::auth::Scope;
use axum::extract::Multipart;

/// What loading a rule file did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Loaded {
    /// A new version, now in use (the previous one retired).
    New,
    /// This exact file is already the version in use.
    Unchanged,
    /// An earlier version, in use again.
    Restored,
}

impl Loaded {
    /// What the page says after an upload.
    pub fn message(self) -> &'static str {
        match self {
            Loaded::New => "已启用新版本",
            Loaded::Unchanged => "与在用版本相同，未变化",
            Loaded::Restored => "已恢复使用此前的版本",
        }
    }

    /// What the command line prints for a file.
    pub fn short(self) -> &'static str {
        match self {
            Loaded::New => "已启用",
            Loaded::Unchanged => "未变化",
            Loaded::Restored => "已恢复",
        }
    }
}

/// A table of rule-file versions: which column names what a version is of, its version
/// (SHA-256) and its status (`active` / `retired`).
pub trait Versioned: ZoneScoped {
    fn key_column() -> Self::Column;
    fn version_column() -> Self::Column;
    fn status_column() -> Self::Column;
}

/// Makes the checked file `version` of `key` the version in use in the zone; `new` is the row
/// to insert when the zone has never loaded this file (status `active`).
pub async fn activate<A>(
    writer: &mut Writer,
    zone_id: i64,
    key: &str,
    version: &str,
    new: A,
) -> Result<(ModelOf<A>, Loaded), AppError>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    A::Entity: Versioned,
    ModelOf<A>: IntoActiveModel<A> + Audited + Clone,
{
    let zone = <A::Entity as ZoneScoped>::zone_column();
    let status = <A::Entity as Versioned>::status_column();
    let active = sea_orm::Value::from("active");
    let existing = <A::Entity as EntityTrait>::find()
        .filter(zone.eq(zone_id))
        .filter(<A::Entity as Versioned>::version_column().eq(version))
        .one(writer.read())
        .await?;
    if let Some(e) = &existing
        && e.get(status) == active
    {
        return Ok((e.clone(), Loaded::Unchanged));
    }
    let in_use = <A::Entity as EntityTrait>::find()
        .filter(zone.eq(zone_id))
        .filter(status.eq("active"))
        .filter(<A::Entity as Versioned>::key_column().eq(key))
        .all(writer.read())
        .await?;
    for old in in_use {
        let mut a = old.clone().into_active_model();
        a.set(status, "retired".into());
        writer.update_in_zone(&old, a).await?;
    }
    if let Some(e) = existing {
        let mut a = e.clone().into_active_model();
        a.set(status, active);
        return Ok((writer.update_in_zone(&e, a).await?, Loaded::Restored));
    }
    Ok((writer.insert_in_zone(new).await?, Loaded::New))
}

/// Reads an uploaded rule file (UTF-8 TOML: a policy, or cultivation criteria) and loads it
/// with `load` in one audited transaction.
pub async fn load_uploaded<T>(
    state: &AppState,
    scope: &Scope,
    multipart: Multipart,
    load: impl AsyncFnOnce(&mut Writer, &str, &str) -> AppResult<(T, Loaded)>,
) -> AppResult<(T, Loaded)> {
    let (file_name, bytes, _) = crate::uploads::read_multipart(multipart).await?;
    let source =
        String::from_utf8(bytes).map_err(|_| AppError::field("file", "规则文件应为 UTF-8 编码的 TOML 文本"))?;
    let mut writer = scope.writer(state).await?;
    let out = load(&mut writer, &file_name, &source).await?;
    writer.commit().await?;
    Ok(out)
}
