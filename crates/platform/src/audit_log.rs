//! Reading the audit log (what the audit pages, the enterprise page's history and the home
//! page show), always limited to the caller's zone. The log is written by `audit::Writer`.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::audit::entity::{self as audit_log, Model as AuditLine};
use crate::auth::Scope;
use crate::db::Db;
use crate::error::AppError;
use crate::web::PageParams;

/// Filters of the audit list (all optional).
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// Part of the actor's name or user name.
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
    /// First day, Beijing time.
    pub from: Option<NaiveDate>,
    /// Last day (inclusive), Beijing time.
    pub to: Option<NaiveDate>,
}

fn beijing_start(day: NaiveDate) -> DateTime<Utc> {
    gaoxin_core::clock::zone_offset()
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
        .single()
        .expect("fixed offsets are unambiguous")
        .with_timezone(&Utc)
}

fn search(scope: &Scope, f: &AuditFilter) -> sea_orm::Select<audit_log::Entity> {
    let mut select = audit_log::Entity::find().filter(audit_log::Column::ZoneId.eq(scope.zone_id()));
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if let Some(actor) = text(&f.actor) {
        select = select.filter(audit_log::Column::ActorName.contains(actor));
    }
    if let Some(entity) = text(&f.entity) {
        select = select.filter(audit_log::Column::Entity.eq(entity));
    }
    if let Some(id) = text(&f.entity_id) {
        select = select.filter(audit_log::Column::EntityId.eq(id));
    }
    if let Some(action) = text(&f.action) {
        select = select.filter(audit_log::Column::Action.eq(action));
    }
    if let Some(from) = f.from {
        select = select.filter(audit_log::Column::At.gte(beijing_start(from)));
    }
    if let Some(to) = f.to.and_then(|d| d.succ_opt()) {
        select = select.filter(audit_log::Column::At.lt(beijing_start(to)));
    }
    select.order_by_desc(audit_log::Column::Id)
}

pub async fn list(
    db: &Db,
    scope: &Scope,
    f: &AuditFilter,
    page: &PageParams,
) -> Result<(Vec<AuditLine>, u64), AppError> {
    let total = search(scope, f).count(db.conn()).await?;
    let rows = search(scope, f)
        .offset(page.offset())
        .limit(page.per_page())
        .all(db.conn())
        .await?;
    Ok((rows, total))
}

/// At most `limit` lines for an export, newest first.
pub async fn export(db: &Db, scope: &Scope, f: &AuditFilter, limit: u64) -> Result<Vec<AuditLine>, AppError> {
    Ok(search(scope, f).limit(limit).all(db.conn()).await?)
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<AuditLine, AppError> {
    audit_log::Entity::find_by_id(id)
        .filter(audit_log::Column::ZoneId.eq(scope.zone_id()))
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn recent(db: &Db, scope: &Scope, n: u64) -> Result<Vec<AuditLine>, AppError> {
    Ok(search(scope, &AuditFilter::default()).limit(n).all(db.conn()).await?)
}

/// One changed field of an update, for the detail page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// Field-by-field differences between the before and after JSON of a line.
pub fn changes(line: &AuditLine) -> Vec<FieldChange> {
    let parse = |s: &Option<String>| -> serde_json::Map<String, serde_json::Value> {
        s.as_deref()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default()
    };
    let (before, after) = (parse(&line.before_json), parse(&line.after_json));
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let show = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    keys.into_iter()
        .filter(|k| k.as_str() != "updated_at")
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| FieldChange {
            field: k.clone(),
            before: show(before.get(k)),
            after: show(after.get(k)),
        })
        .collect()
}
