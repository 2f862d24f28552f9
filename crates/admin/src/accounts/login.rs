//! Checking a user name and password, with lock-out after repeated failures. Shared by the
//! login page and `POST /api/v1/auth/token`. Every attempt, good or bad, is audited.

use serde_json::json;

use super::domain::{LOCK_MINUTES, MAX_FAILED_LOGINS};
use super::store::{self, Account};
use gaoxin_platform::AppState;
use gaoxin_platform::audit::{WriteContext, Writer};
use gaoxin_platform::auth::audit_event;
use gaoxin_platform::error::AppError;
use gaoxin_platform::secrets::{dummy_hash, verify_password};

fn context(account: Option<&Account>, username: &str, request_id: Option<String>) -> WriteContext {
    WriteContext {
        zone_id: account.and_then(|a| a.zone_id),
        actor_account_id: account.map(|a| a.id),
        actor_name: match account {
            Some(a) => format!("{} ({})", a.display_name, a.username),
            None => format!("未知用户 ({username})"),
        },
        request_id,
    }
}

/// Verifies the credentials. Wrong user name, wrong password and disabled account give the
/// same answer, so the form does not reveal which user names exist.
pub async fn check_password(
    state: &AppState,
    username: &str,
    password: &str,
    request_id: Option<String>,
) -> Result<Account, AppError> {
    let username = username.trim();
    let found = store::by_username(&state.db, username).await?;
    let Some(account) = found.filter(|a| a.active) else {
        let password = password.to_string();
        let _ = tokio::task::spawn_blocking(move || verify_password(&password, dummy_hash())).await;
        audit_event(
            state,
            context(None, username, request_id),
            "login_failed",
            "account",
            username,
            Some(json!({"reason": "unknown or disabled user"})),
        )
        .await?;
        return Err(AppError::BadCredentials);
    };
    let now = gaoxin_core::clock::system_now();
    let locked = |until: chrono::DateTime<chrono::Utc>| {
        let local = until.with_timezone(&gaoxin_core::clock::zone_offset());
        AppError::TooManyAttempts(format!(
            "连续登录失败次数过多，账号已锁定，请于 {} 后重试",
            local.format("%H:%M")
        ))
    };
    match account.locked_until {
        Some(until) if until > now => return Err(locked(until)),
        // A lock that has run out is lifted (audited) before the attempt is counted.
        Some(_) => {
            let mut writer = Writer::begin(&state.db, context(Some(&account), username, request_id.clone())).await?;
            // A write first: on SQLite the transaction then holds the write lock before it reads.
            writer
                .event("lock_expired", "account", account.id.to_string(), None)
                .await?;
            let fresh = fresh(&writer, account.id).await?;
            if fresh.locked_until.is_some() {
                store::record_login_attempt(&mut writer, &fresh, 0, None, false).await?;
            }
            writer.commit().await?;
        }
        None => {}
    }
    // Counted before the slow check, atomically: the sixth of 30 parallel tries is refused
    // without its password being looked at, whatever it is.
    let attempt = gaoxin_platform::accounts::claim_login_attempt(&state.db, account.id).await?;
    let Some(attempt) = attempt.filter(|n| *n <= MAX_FAILED_LOGINS) else {
        let until = fresh_conn(state, account.id).await?.and_then(|a| a.locked_until);
        return Err(locked(until.unwrap_or(now + chrono::Duration::minutes(LOCK_MINUTES))));
    };
    let (pw, hash) = (password.to_string(), account.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let mut writer = Writer::begin(&state.db, context(Some(&account), username, request_id)).await?;
    // The audit line first: on SQLite the transaction then holds the write lock before it reads.
    if ok {
        writer.event("login", "account", account.id.to_string(), None).await?;
        let fresh = fresh(&writer, account.id).await?;
        let after = store::record_login_attempt(&mut writer, &fresh, 0, None, true).await?;
        writer.commit().await?;
        Ok(after)
    } else {
        let lock = attempt >= MAX_FAILED_LOGINS;
        writer
            .event(
                if lock { "locked" } else { "login_failed" },
                "account",
                account.id.to_string(),
                Some(json!({"reason": "wrong password", "attempt": attempt})),
            )
            .await?;
        if lock {
            let fresh = fresh(&writer, account.id).await?;
            let until = now + chrono::Duration::minutes(LOCK_MINUTES);
            store::record_login_attempt(&mut writer, &fresh, 0, Some(until), false).await?;
        }
        writer.commit().await?;
        Err(AppError::BadCredentials)
    }
}

/// The account as it is now, inside the writer's transaction (other attempts may have changed it).
async fn fresh(writer: &Writer, id: i64) -> Result<Account, AppError> {
    use sea_orm::EntityTrait;
    gaoxin_platform::accounts::entity::account::Entity::find_by_id(id)
        .one(writer.read())
        .await?
        .ok_or(AppError::BadCredentials)
}

async fn fresh_conn(state: &AppState, id: i64) -> Result<Option<Account>, AppError> {
    store::by_id(&state.db, id).await
}
