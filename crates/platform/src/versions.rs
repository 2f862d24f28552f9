//! Rule files a zone loads as versions (policies, cultivation criteria, 亩均 schemes): the text
//! is kept forever and its SHA-256 is the version; one version per key (policy id, tier, scheme
//! id) is in use at a time. [`activate`] is the one way a checked file becomes the version in
//! use: the same file again changes nothing, an earlier file is restored, a new file is stored,
//! and the version it replaces is retired — every change through the audited writer.
//!
//! Every kind of rule file (policies, cultivation criteria, 亩均 schemes, task-scoring schemes,
//! project rulebooks) implements [`RuleFile`]: how to check a file. [`load`] is then the one
//! loader (check, its own tests included → [`activate`]) and [`upload`] the one upload handler;
//! [`rule_version_table!`](crate::rule_version_table) defines the version table of a kind that
//! keeps nothing but the file.

use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, ModelTrait, QueryFilter,
};
use serde::Serialize;

use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::audit::{Audited, ModelOf, Writer, ZoneScoped};
use super::error::{AppError, AppResult};
use crate::AppState;
use crate::auth::Scope;
use crate::web::{PageCtx, finish};

gaoxin_core::coded_enum! {
    /// A rule-file version's status: in use, or replaced by a later one.
    pub enum VersionStatus {
        Active = "active" / "在用",
        Retired = "retired" / "已停用",
    }
}

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
    let active = sea_orm::Value::from(VersionStatus::Active.code());
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
        .filter(status.eq(VersionStatus::Active.code()))
        .filter(<A::Entity as Versioned>::key_column().eq(key))
        .all(writer.read())
        .await?;
    for old in in_use {
        let mut a = old.clone().into_active_model();
        a.set(status, VersionStatus::Retired.code().into());
        writer.update_in_zone(&old, a).await?;
    }
    if let Some(e) = existing {
        let mut a = e.clone().into_active_model();
        a.set(status, active);
        return Ok((writer.update_in_zone(&e, a).await?, Loaded::Restored));
    }
    Ok((writer.insert_in_zone(new).await?, Loaded::New))
}

/// A rule file that passed its checks, ready to become a version: what it is a version of
/// (the policy id, the tier, the scheme id), its version (SHA-256) and the row to store.
pub struct Checked<A> {
    pub key: String,
    pub version: String,
    pub row: A,
}

/// A kind of rule file a zone loads as versions.
#[async_trait::async_trait]
pub trait RuleFile: Send + Sync + 'static {
    /// A row of the kind's version table.
    type Row: ActiveModelTrait + ActiveModelBehavior + Send + 'static;

    /// The page the kind's files are uploaded on.
    const PAGE: &'static str;

    /// The area of work whose department loads the kind's files; `None` when the route's role
    /// alone decides (files only the admin loads).
    const DUTY: Option<crate::departments::duties::Duty>;

    /// Parses `source`, checks it against what the zone has in use and runs the file's own
    /// tests: the row to store, or why not (a field error on `file`, with file:line).
    async fn check(
        writer: &Writer,
        zone_id: i64,
        file_name: &str,
        source: &str,
        loaded_by: Option<i64>,
    ) -> AppResult<Checked<Self::Row>>;

    /// Where a loaded version is shown, and what the page calls it.
    fn shown(version: &ModelOf<Self::Row>) -> (String, String);

    /// A refused upload: back to [`RuleFile::PAGE`] with the reason. A kind whose page shows the
    /// error in place answers that page instead (422).
    async fn refused(
        state: &AppState,
        scope: &Scope,
        ctx: PageCtx,
        headers: &HeaderMap,
        message: String,
    ) -> AppResult<Response> {
        let _ = (scope, ctx);
        finish(state, headers, Self::PAGE, Err(AppError::field("file", message)))
    }
}

/// The message of a rule file whose own test failed, or `Ok`.
pub fn own_tests<'a>(file_name: &str, failed: impl IntoIterator<Item = (&'a str, &'a [String])>) -> AppResult<()> {
    match failed.into_iter().next() {
        None => Ok(()),
        Some((name, failures)) => Err(AppError::field(
            "file",
            format!("{file_name}：测试“{name}”未通过：{}", failures.join("；")),
        )),
    }
}

/// The one way a rule file of kind `K` becomes the version in use: checked (its own tests
/// included), then [`activate`]d.
pub async fn load<K>(
    writer: &mut Writer,
    zone_id: i64,
    file_name: &str,
    source: &str,
    loaded_by: Option<i64>,
) -> AppResult<(ModelOf<K::Row>, Loaded)>
where
    K: RuleFile,
    <K::Row as ActiveModelTrait>::Entity: Versioned,
    ModelOf<K::Row>: IntoActiveModel<K::Row> + Audited + Clone,
{
    let checked = K::check(writer, zone_id, file_name, source, loaded_by).await?;
    activate(writer, zone_id, &checked.key, &checked.version, checked.row).await
}

/// The one upload handler of every kind of rule file: the file (UTF-8 TOML) is loaded in one
/// audited transaction; the version's page says what happened, a refused file says why.
pub async fn upload<K>(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    multipart: Multipart,
) -> AppResult<Response>
where
    K: RuleFile,
    <K::Row as ActiveModelTrait>::Entity: Versioned,
    ModelOf<K::Row>: IntoActiveModel<K::Row> + Audited + Clone,
{
    use crate::departments::duties::{Owner, ensure};
    if let Some(duty) = K::DUTY {
        ensure(state.db.conn(), &scope, &[Owner::Duty(duty)]).await?;
    }
    let result = async {
        let (file_name, bytes, _) = crate::uploads::read_multipart(multipart).await?;
        let source =
            String::from_utf8(bytes).map_err(|_| AppError::field("file", "规则文件应为 UTF-8 编码的 TOML 文本"))?;
        let mut writer = scope.writer(&state).await?;
        let out = load::<K>(
            &mut writer,
            scope.zone_id(),
            &file_name,
            &source,
            Some(scope.caller().account_id),
        )
        .await?;
        writer.commit().await?;
        Ok(out)
    }
    .await;
    match result {
        Ok((version, loaded)) => {
            let (to, title) = K::shown(&version);
            finish(
                &state,
                &headers,
                K::PAGE,
                Ok((to, format!("{title}：{}", loaded.message()))),
            )
        }
        Err(AppError::Validation { message, .. }) => K::refused(&state, &scope, ctx, &headers, message).await,
        Err(e) => Err(e),
    }
}

/// The version table of a kind of rule file that keeps only the file: `id`, `zone_id`,
/// `scheme_id` (what it is a version of), `name`, `version` (SHA-256), `file_name`, `source`
/// (never repeated in the audit log), `status` (`active` / `retired`), `loaded_by` and the
/// stamps. Used inside the entity's module: `gaoxin_platform::rule_version_table!("table");`.
#[macro_export]
macro_rules! rule_version_table {
    ($table:literal) => {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
        #[sea_orm(table_name = $table)]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub zone_id: i64,
            pub scheme_id: String,
            pub name: String,
            pub version: String,
            pub file_name: String,
            /// The file's text (not repeated in the audit log; the version names it).
            #[serde(skip_serializing)]
            pub source: String,
            /// A [`VersionStatus`]($crate::versions::VersionStatus) code.
            pub status: String,
            pub loaded_by: Option<i64>,
            pub created_at: DateTimeUtc,
            pub updated_at: DateTimeUtc,
        }

        $crate::audited_entity!($table, zone);

        impl $crate::versions::Versioned for Entity {
            fn key_column() -> Column {
                Column::SchemeId
            }
            fn version_column() -> Column {
                Column::Version
            }
            fn status_column() -> Column {
                Column::Status
            }
        }
    };
}
