//! Checking a user name and password, with lock-out after repeated failures. Shared by the
//! login page and `POST /api/v1/auth/token`. Every attempt, good or bad, is audited.

use serde_json::json;

use super::domain::after_failed_login;
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
    if let Some(until) = account.locked_until.filter(|u| *u > now) {
        let local = until.with_timezone(&gaoxin_core::clock::zone_offset());
        return Err(AppError::TooManyAttempts(format!(
            "连续登录失败次数过多，账号已锁定，请于 {} 后重试",
            local.format("%H:%M")
        )));
    }
    let (pw, hash) = (password.to_string(), account.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let mut writer = Writer::begin(&state.db, context(Some(&account), username, request_id)).await?;
    if ok {
        let after = store::record_login_attempt(&mut writer, &account, 0, None, true).await?;
        writer.event("login", "account", account.id.to_string(), None).await?;
        writer.commit().await?;
        Ok(after)
    } else {
        let (failed, locked_until) = after_failed_login(account.failed_logins, now);
        store::record_login_attempt(&mut writer, &account, failed, locked_until, false).await?;
        let action = if locked_until.is_some() {
            "locked"
        } else {
            "login_failed"
        };
        writer
            .event(
                action,
                "account",
                account.id.to_string(),
                Some(json!({"reason": "wrong password"})),
            )
            .await?;
        writer.commit().await?;
        Err(AppError::BadCredentials)
    }
}
