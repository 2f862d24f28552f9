//! Account, session and token queries and writes.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::domain::AccountInput;
use gaoxin_core::roles::Role;
use gaoxin_enterprises::entity as enterprise;
use gaoxin_platform::accounts::entity::{account, api_token};
use gaoxin_platform::accounts::throttle;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
pub use gaoxin_platform::auth::{close_session, end_sessions, open_session};
use gaoxin_platform::db::Db;
use gaoxin_platform::departments::entity as department;
use gaoxin_platform::error::AppError;
use gaoxin_platform::secrets::{random_hex, sha256_hex};
use gaoxin_platform::web::PageParams;

pub type Account = account::Model;

/// User names compare without regard to case (`Admin` is `admin`); they are ASCII.
fn username_is(username: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::ExprTrait;
    use sea_orm::sea_query::{Expr, Func};
    Expr::expr(Func::lower(Expr::col(account::Column::Username))).eq(username.trim().to_ascii_lowercase())
}

pub async fn by_username(db: &Db, username: &str) -> Result<Option<Account>, AppError> {
    Ok(account::Entity::find()
        .filter(username_is(username))
        .one(db.conn())
        .await?)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Account>, AppError> {
    Ok(account::Entity::find_by_id(id).one(db.conn()).await?)
}

/// Accounts of the scope's zone.
fn in_zone(scope: &Scope) -> sea_orm::Select<account::Entity> {
    account::Entity::find().filter(account::Column::ZoneId.eq(scope.zone_id()))
}

#[derive(Debug, Default, Clone)]
pub struct AccountFilter {
    pub q: Option<String>,
    pub role: Option<Role>,
}

fn search(scope: &Scope, filter: &AccountFilter) -> sea_orm::Select<account::Entity> {
    let mut select = in_zone(scope);
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        select = select.filter(
            Condition::any()
                .add(account::Column::Username.contains(q))
                .add(account::Column::DisplayName.contains(q)),
        );
    }
    if let Some(role) = filter.role {
        select = select.filter(account::Column::Role.eq(role.code()));
    }
    select.order_by_asc(account::Column::Id)
}

pub async fn list(
    db: &Db,
    scope: &Scope,
    filter: &AccountFilter,
    page: &PageParams,
) -> Result<(Vec<Account>, u64), AppError> {
    let total = search(scope, filter).count(db.conn()).await?;
    let rows = search(scope, filter)
        .offset(page.offset())
        .limit(page.per_page())
        .all(db.conn())
        .await?;
    Ok((rows, total))
}

pub async fn all(db: &Db, scope: &Scope, filter: &AccountFilter) -> Result<Vec<Account>, AppError> {
    Ok(search(scope, filter).all(db.conn()).await?)
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Account, AppError> {
    in_zone(scope)
        .filter(account::Column::Id.eq(id))
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound)
}

/// Checks that the department and enterprise an account points at are of the same zone.
async fn check_links(writer: &Writer, zone_id: i64, input: &AccountInput) -> Result<(), AppError> {
    if let Some(id) = input.department_id {
        let found = department::Entity::find_by_id(id)
            .filter(department::Column::ZoneId.eq(zone_id))
            .one(writer.read())
            .await?;
        if found.is_none() {
            return Err(AppError::field("department_id", "所选部门不存在"));
        }
    }
    if let Some(id) = input.enterprise_id {
        let found = enterprise::Entity::find_by_id(id)
            .filter(enterprise::Column::ZoneId.eq(zone_id))
            .one(writer.read())
            .await?;
        if found.is_none() {
            return Err(AppError::field("enterprise", "所指定的企业不存在"));
        }
    }
    Ok(())
}

/// Creates an account; `zone_id` is None only for province readers.
pub async fn create(
    writer: &mut Writer,
    zone_id: Option<i64>,
    input: AccountInput,
    password_hash: String,
) -> Result<Account, AppError> {
    let taken = account::Entity::find()
        .filter(username_is(&input.username))
        .count(writer.read())
        .await?;
    if taken > 0 {
        return Err(AppError::field(
            "username",
            format!("用户名 {} 已被使用", input.username),
        ));
    }
    if let Some(zone_id) = zone_id {
        check_links(writer, zone_id, &input).await?;
    }
    Ok(writer
        .insert(account::ActiveModel {
            zone_id: Set(zone_id),
            username: Set(input.username),
            display_name: Set(input.display_name),
            role: Set(input.role.code().to_string()),
            department_id: Set(input.department_id),
            enterprise_id: Set(input.enterprise_id),
            password_hash: Set(password_hash),
            locale: Set("zh".into()),
            active: Set(true),
            failed_logins: Set(0),
            locked_until: Set(None),
            last_login_at: Set(None),
            ..Default::default()
        })
        .await?)
}

/// Changes role, name, department, enterprise and whether the account is active.
pub async fn update(
    writer: &mut Writer,
    before: &Account,
    input: AccountInput,
    active_flag: bool,
) -> Result<Account, AppError> {
    if let Some(zone_id) = before.zone_id {
        check_links(writer, zone_id, &input).await?;
    }
    let mut active = before.clone().into_active_model();
    active.display_name = Set(input.display_name);
    active.role = Set(input.role.code().to_string());
    active.department_id = Set(input.department_id);
    active.enterprise_id = Set(input.enterprise_id);
    active.active = Set(active_flag);
    if active_flag {
        active.failed_logins = Set(0);
        active.locked_until = Set(None);
        // Enabling an account lifts its lock-outs too.
        throttle::clear_prefix(writer.read(), &throttle::account_prefix(before.id)).await?;
    }
    let after = writer.update(before, active).await?;
    if !active_flag {
        end_sessions(writer, after.id, None).await?;
        revoke_tokens_of(writer, after.id).await?;
    }
    Ok(after)
}

pub async fn set_password(writer: &mut Writer, before: &Account, password_hash: String) -> Result<Account, AppError> {
    let mut active = before.clone().into_active_model();
    active.password_hash = Set(password_hash);
    active.failed_logins = Set(0);
    active.locked_until = Set(None);
    let after = writer.update(before, active).await?;
    writer
        .event("password_changed", "account", after.id.to_string(), None)
        .await?;
    // A token is as good as the password it was issued for (issue 17, finding 8).
    revoke_tokens_of(writer, after.id).await?;
    Ok(after)
}

/// Lifts an account's lock-outs after failed logins, from every address (admin), audited.
pub async fn unlock(writer: &mut Writer, before: &Account) -> Result<Account, AppError> {
    writer.event("unlocked", "account", before.id.to_string(), None).await?;
    throttle::clear_prefix(writer.read(), &throttle::account_prefix(before.id)).await?;
    record_login_attempt(writer, before, 0, None, false).await
}

/// Until when an account is locked out (from some address), if it is.
pub async fn locked_until(db: &Db, account_id: i64, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(throttle::locked_prefix(db.conn(), &throttle::account_prefix(account_id), now).await?)
}

pub async fn set_locale(writer: &mut Writer, before: &Account, locale: &str) -> Result<Account, AppError> {
    let mut active = before.clone().into_active_model();
    active.locale = Set(locale.to_string());
    Ok(writer.update(before, active).await?)
}

pub async fn record_login_attempt(
    writer: &mut Writer,
    before: &Account,
    failed_logins: i32,
    locked_until: Option<DateTime<Utc>>,
    succeeded: bool,
) -> Result<Account, AppError> {
    let mut active = before.clone().into_active_model();
    active.failed_logins = Set(failed_logins);
    active.locked_until = Set(locked_until);
    if succeeded {
        active.last_login_at = Set(Some(writer.now()));
    }
    Ok(writer.update(before, active).await?)
}

pub type Token = api_token::Model;

/// Creates an API token; returns the token (shown once) and its row.
pub async fn create_token(
    writer: &mut Writer,
    account_id: i64,
    name: &str,
    valid_days: Option<i64>,
) -> Result<(String, Token), AppError> {
    let token = format!("gx_{}", random_hex(24));
    let model = writer
        .insert(api_token::ActiveModel {
            account_id: Set(account_id),
            name: Set(name.to_string()),
            token_hash: Set(sha256_hex(&token)),
            token_prefix: Set(token[..10].to_string()),
            expires_at: Set(valid_days.map(|d| writer.now() + Duration::days(d))),
            last_used_at: Set(None),
            revoked_at: Set(None),
            ..Default::default()
        })
        .await?;
    Ok((token, model))
}

pub async fn tokens_of(db: &Db, account_id: i64) -> Result<Vec<Token>, AppError> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::AccountId.eq(account_id))
        .order_by_desc(api_token::Column::Id)
        .all(db.conn())
        .await?)
}

pub async fn token_of(db: &Db, account_id: i64, id: i64) -> Result<Token, AppError> {
    api_token::Entity::find_by_id(id)
        .filter(api_token::Column::AccountId.eq(account_id))
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound)
}

/// Revokes every token of the account still in force (its password changed or was reset, or
/// the account was disabled); each revocation is audited.
pub async fn revoke_tokens_of(writer: &mut Writer, account_id: i64) -> Result<usize, AppError> {
    let live = api_token::Entity::find()
        .filter(api_token::Column::AccountId.eq(account_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .all(writer.read())
        .await?;
    for token in &live {
        revoke_token(writer, token).await?;
    }
    Ok(live.len())
}

pub async fn revoke_token(writer: &mut Writer, before: &Token) -> Result<Token, AppError> {
    if before.revoked_at.is_some() {
        return Ok(before.clone());
    }
    let mut active = before.clone().into_active_model();
    active.revoked_at = Set(Some(writer.now()));
    Ok(writer.update(before, active).await?)
}
