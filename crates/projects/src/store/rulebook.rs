//! The zone's project rulebook (招商项目规则): the example shipped with the software, the
//! version a zone loaded (parsed once per process), and the rule file's check on upload.

use std::collections::HashMap;

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, QueryFilter};

use crate::entities::rulebook;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::versions::{self, Loaded, VersionStatus};
use gaoxin_rules::project_rules::{self, Rulebook};

/// The rulebook shipped as an example (used until a zone loads its own).
pub const SHIPPED: (&str, &str) = (
    "xiangmu-example.toml",
    include_str!("../../../../rules/projects/xiangmu-example.toml"),
);

/// Parsed rulebooks by version (the SHA-256 of their text): a version never changes, so each
/// is parsed once per process whichever zone uses it.
static PARSED: std::sync::LazyLock<std::sync::Mutex<HashMap<String, Rulebook>>> =
    std::sync::LazyLock::new(Default::default);

static SHIPPED_BOOK: std::sync::LazyLock<Rulebook> =
    std::sync::LazyLock::new(|| project_rules::load(SHIPPED.1).expect("the shipped rulebook loads"));

/// The zone's rulebook in use, and whether the zone loaded it (false: the shipped example).
pub async fn rulebook_in_use(conn: &impl ConnectionTrait, scope: &Scope) -> AppResult<(Rulebook, bool)> {
    let row = scope
        .select::<rulebook::Entity>()
        .filter(rulebook::Column::Status.eq(VersionStatus::Active.code()))
        .one(conn)
        .await?;
    let Some(r) = row else {
        return Ok((SHIPPED_BOOK.clone(), false));
    };
    if let Some(book) = PARSED.lock().expect("not poisoned").get(&r.version) {
        return Ok((book.clone(), true));
    }
    let book =
        project_rules::load(&r.source).map_err(|e| AppError::Internal(anyhow::anyhow!("stored rulebook: {e}")))?;
    PARSED
        .lock()
        .expect("not poisoned")
        .insert(r.version.clone(), book.clone());
    Ok((book, true))
}

/// Checks a rulebook file and makes it the version in use.
pub async fn load_rulebook(
    writer: &mut Writer,
    zone_id: i64,
    file_name: &str,
    text: &str,
    by: Option<i64>,
) -> AppResult<(rulebook::Model, Loaded)> {
    versions::load::<RulebookFile>(writer, zone_id, file_name, text, by).await
}

/// A project rulebook (招商项目规则) file.
pub struct RulebookFile;

#[async_trait::async_trait]
impl versions::RuleFile for RulebookFile {
    type Row = rulebook::ActiveModel;
    const PAGE: &'static str = "/projects/rules";
    /// Loaded by the admin only (the route says so).
    const DUTY: Option<gaoxin_platform::departments::duties::Duty> = None;

    async fn check(
        _: &Writer,
        _: i64,
        file_name: &str,
        text: &str,
        by: Option<i64>,
    ) -> AppResult<versions::Checked<Self::Row>> {
        let book = project_rules::load(text).map_err(|e| AppError::field("file", format!("{file_name}：{e}")))?;
        Ok(versions::Checked {
            key: book.id.clone(),
            version: book.version.clone(),
            row: rulebook::ActiveModel {
                scheme_id: Set(book.id.clone()),
                name: Set(book.name.clone()),
                version: Set(book.version.clone()),
                file_name: Set(file_name.chars().take(200).collect()),
                source: Set(text.to_string()),
                status: Set(VersionStatus::Active.code().into()),
                loaded_by: Set(by),
                ..Default::default()
            },
        })
    }

    fn shown(row: &rulebook::Model) -> (String, String) {
        ("/projects/rules".to_string(), row.name.clone())
    }
}
