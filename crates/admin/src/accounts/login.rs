//! Checking a user name and password, with lock-out after repeated failures. Shared by the
//! login page and `POST /api/v1/auth/token`. Every attempt, good or bad, is audited.

use serde_json::json;

use super::domain::MAX_FAILED_LOGINS;
use super::store::{self, Account};
use gaoxin_platform::AppState;
use gaoxin_platform::accounts::throttle;
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

/// The most failures one address may have in a window, whatever the user names it tries.
pub const MAX_FAILURES_PER_ADDRESS: i32 = 20;

/// Verifies the credentials. Wrong user name, wrong password and disabled account give the
/// same answer, in the same time, and lock the same way, so the form does not reveal which user
/// names exist (issue 17, finding 10). Failures are counted per account (or unknown name) *and
/// address*, before the password is looked at (finding 4): five from one address lock that
/// account for that address only — someone elsewhere cannot keep it locked out —, and twenty
/// from one address lock the address. A real account's failures are audited one by one; an
/// unknown name's only when it locks (aggregated).
pub async fn check_password(
    state: &AppState,
    username: &str,
    password: &str,
    address: Option<&str>,
    request_id: Option<String>,
) -> Result<Account, AppError> {
    let username = username.trim();
    let now = gaoxin_core::clock::system_now();
    let locked = |until: chrono::DateTime<chrono::Utc>| {
        let local = until.with_timezone(&gaoxin_core::clock::zone_offset());
        AppError::TooManyAttempts(format!(
            "连续登录失败次数过多，账号已锁定，请于 {} 后重试",
            local.format("%H:%M")
        ))
    };
    if let Some(address) = address
        && let Some(until) = throttle::check(&state.db, &throttle::address_key(address), now).await?
    {
        return Err(locked(until));
    }
    let account = store::by_username(&state.db, username).await?.filter(|a| a.active);
    let key = throttle::person_key(account.as_ref().map(|a| a.id), username, address);
    // Counted before the slow check, atomically: the sixth of 30 parallel tries is refused
    // without its password being looked at, whatever it is.
    let attempt = match throttle::claim(&state.db, &key, MAX_FAILED_LOGINS, now).await? {
        throttle::Claim::Counted(n) => n,
        throttle::Claim::Locked(until) => return Err(locked(until)),
    };
    let hash = account
        .as_ref()
        .map_or_else(|| dummy_hash().to_string(), |a| a.password_hash.clone());
    let pw = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    match account {
        Some(account) if ok => {
            throttle::clear(&state.db, &key).await?;
            let mut writer = Writer::begin(&state.db, context(Some(&account), username, request_id)).await?;
            // The audit line first: on SQLite the transaction then holds the write lock before it reads.
            writer
                .event(
                    "login",
                    "account",
                    account.id.to_string(),
                    address.map(|a| json!({"address": a})),
                )
                .await?;
            let fresh = fresh(&writer, account.id).await?;
            let after = store::record_login_attempt(&mut writer, &fresh, 0, None, true).await?;
            writer.commit().await?;
            Ok(after)
        }
        account => {
            let lock = attempt >= MAX_FAILED_LOGINS;
            if lock {
                throttle::lock(&state.db, &key, now).await?;
            }
            if let Some(address) = address {
                let address_key = throttle::address_key(address);
                if let throttle::Claim::Counted(n) =
                    throttle::claim(&state.db, &address_key, MAX_FAILURES_PER_ADDRESS, now).await?
                    && n >= MAX_FAILURES_PER_ADDRESS
                {
                    throttle::lock(&state.db, &address_key, now).await?;
                    audit_event(
                        state,
                        context(None, username, request_id.clone()),
                        "address_locked",
                        "address",
                        address,
                        Some(json!({"failures": n})),
                    )
                    .await?;
                }
            }
            match &account {
                Some(account) => {
                    audit_event(
                        state,
                        context(Some(account), username, request_id),
                        if lock { "locked" } else { "login_failed" },
                        "account",
                        account.id.to_string(),
                        Some(json!({"reason": "wrong password", "attempt": attempt, "address": address})),
                    )
                    .await?
                }
                // An unknown or disabled name: one line when it locks, not one per attempt.
                None if lock => {
                    audit_event(
                        state,
                        context(None, username, request_id),
                        "locked",
                        "username",
                        username.chars().take(64).collect::<String>(),
                        Some(json!({"reason": "unknown or disabled user", "failures": attempt, "address": address})),
                    )
                    .await?
                }
                None => {}
            }
            Err(AppError::BadCredentials)
        }
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
