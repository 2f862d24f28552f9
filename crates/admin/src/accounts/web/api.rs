//! The accounts API: tokens for a user name and password, one's own tokens, who the caller
//! is, and user management.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::users::{UserQuery, apply_update};
use super::{hash, own_context, token_days};
use crate::accounts::domain::{self, AccountDraft};
use crate::accounts::login::check_password;
use crate::accounts::store::{self, Account, Token};
use gaoxin_core::roles::Role;
use gaoxin_core::validate;
use gaoxin_platform::AppState;
use gaoxin_platform::audit::{WriteContext, Writer};
use gaoxin_platform::auth::{Scope, request_id};
use gaoxin_platform::error::{AppResult, ErrorBody};
use gaoxin_platform::i18n::Locale;
use gaoxin_platform::web::{ApiJson, Id, Ids, Q};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// A name to recognise the token by (default "api").
    pub name: Option<String>,
    /// Validity in days: 1–3650 (default 90); every token expires.
    pub expires_in_days: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TokenIssued {
    /// Send as `Authorization: Bearer <token>`. Shown only once.
    pub token: String,
    pub id: i64,
    pub name: String,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Exchanges a user name and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 201, body = TokenIssued), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn issue_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    gaoxin_platform::auth::ClientAddress(address): gaoxin_platform::auth::ClientAddress,
    ApiJson(body): ApiJson<TokenRequest>,
) -> AppResult<Response> {
    let days = token_days(body.expires_in_days)?;
    let name = validate::required_text("name", "令牌名称", body.name.as_deref().unwrap_or("api"), 100)?;
    let account = check_password(
        &state,
        &body.username,
        &body.password,
        address.as_deref(),
        request_id(&headers),
    )
    .await?;
    let ctx = WriteContext {
        zone_id: account.zone_id,
        actor_account_id: Some(account.id),
        actor_name: format!("{} ({})", account.display_name, account.username),
        request_id: request_id(&headers),
    };
    let mut writer = Writer::begin(&state.db, ctx).await?;
    let (token, row) = store::create_token(&mut writer, account.id, &name, days).await?;
    writer.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenIssued {
            token,
            id: row.id,
            name: row.name,
            expires_at: row.expires_at,
        }),
    )
        .into_response())
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TokenOut {
    pub id: i64,
    pub name: String,
    /// The first characters of the token.
    pub prefix: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<Token> for TokenOut {
    fn from(t: Token) -> TokenOut {
        TokenOut {
            id: t.id,
            name: t.name,
            prefix: t.token_prefix,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// The caller's own API tokens.
#[utoipa::path(get, path = "/api/v1/auth/tokens", tag = "auth", responses((status = 200, body = Vec<TokenOut>), (status = 401, body = ErrorBody)))]
pub async fn list_tokens(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Vec<TokenOut>>> {
    let tokens = store::tokens_of(&state.db, scope.caller().account_id).await?;
    Ok(Json(tokens.into_iter().map(TokenOut::from).collect()))
}

/// The API tokens of an account of the caller's zone (admins and auditors).
#[utoipa::path(get, path = "/api/v1/users/{id}/tokens", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<TokenOut>), (status = 404, body = ErrorBody)))]
pub async fn user_tokens(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<Vec<TokenOut>>> {
    let account = store::get(&state.db, &scope, id).await?;
    let tokens = store::tokens_of(&state.db, account.id).await?;
    Ok(Json(tokens.into_iter().map(TokenOut::from).collect()))
}

/// Revokes a token of an account of the caller's zone (admin).
#[utoipa::path(delete, path = "/api/v1/users/{id}/tokens/{token_id}", tag = "users",
    params(("id" = i64, Path), ("token_id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_user_token(
    State(state): State<AppState>,
    scope: Scope,
    Ids(id, token_id): Ids,
) -> AppResult<StatusCode> {
    let account = store::get(&state.db, &scope, id).await?;
    let token = store::token_of(&state.db, account.id, token_id).await?;
    let mut writer = scope.writer(&state).await?;
    store::revoke_token(&mut writer, &token).await?;
    writer.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts an account's lock-out after failed logins (admin).
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = UserOut), (status = 404, body = ErrorBody)))]
pub async fn unlock_user(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<UserOut>> {
    let account = store::get(&state.db, &scope, id).await?;
    let mut writer = scope.writer(&state).await?;
    let after = store::unlock(&mut writer, &account).await?;
    writer.commit().await?;
    Ok(Json(user_out(&state, after).await?))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/auth/tokens/{id}", tag = "auth", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<StatusCode> {
    let token = store::token_of(&state.db, scope.caller().account_id, id).await?;
    let mut writer = Writer::begin(&state.db, own_context(&scope)).await?;
    store::revoke_token(&mut writer, &token).await?;
    writer.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub zone_code: String,
    pub zone_name: String,
    pub department_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub locale: Locale,
}

/// Who the caller is, and the zone the request works on.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(scope: Scope) -> Json<Me> {
    let c = scope.caller();
    Json(Me {
        id: c.account_id,
        username: c.username.clone(),
        display_name: c.display_name.clone(),
        role: c.role,
        zone_code: scope.zone().code.clone(),
        zone_name: scope.zone().name.clone(),
        department_id: c.department_id,
        enterprise_id: c.enterprise_id,
        locale: c.locale,
    })
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub active: bool,
    /// Locked after failed logins until this time (an admin may unlock earlier).
    pub locked_until: Option<chrono::DateTime<chrono::Utc>>,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Account> for UserOut {
    fn from(a: Account) -> UserOut {
        UserOut {
            role: a.role(),
            id: a.id,
            username: a.username,
            display_name: a.display_name,
            department_id: a.department_id,
            enterprise_id: a.enterprise_id,
            active: a.active,
            locked_until: None,
            last_login_at: a.last_login_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// The accounts as the API shows them, each with its current lock-out.
async fn users_out(state: &AppState, accounts: Vec<Account>) -> AppResult<Vec<UserOut>> {
    let now = gaoxin_core::clock::system_now();
    let locks = gaoxin_platform::accounts::throttle::locked_accounts(state.db.conn(), now).await?;
    Ok(accounts
        .into_iter()
        .map(|a| {
            let until = locks.get(&a.id).copied();
            UserOut {
                locked_until: until,
                ..UserOut::from(a)
            }
        })
        .collect())
}

async fn user_out(state: &AppState, account: Account) -> AppResult<UserOut> {
    Ok(users_out(state, vec![account]).await?.remove(0))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserList {
    pub items: Vec<UserOut>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// Accounts of the caller's zone (admin, auditor).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserQuery),
    responses((status = 200, body = UserList), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    scope: Scope,
    Q(query): Q<UserQuery>,
) -> AppResult<Json<UserList>> {
    let page = query.page();
    let (rows, total) = store::list(&state.db, &scope, &query.filter(), &page).await?;
    Ok(Json(UserList {
        items: users_out(&state, rows).await?,
        total,
        page: page.page(),
        per_page: page.per_page(),
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    pub username: String,
    pub display_name: String,
    /// admin, leader, staff, enterprise or auditor.
    pub role: String,
    pub password: String,
    /// Required for staff.
    pub department_id: Option<i64>,
    /// Required for enterprise users.
    pub enterprise_id: Option<i64>,
}

/// Creates an account in the caller's zone (admin).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UserIn,
    responses((status = 201, body = UserOut), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    scope: Scope,
    ApiJson(body): ApiJson<UserIn>,
) -> AppResult<Response> {
    let input = domain::validate(
        &AccountDraft {
            username: body.username,
            display_name: body.display_name,
            role: body.role,
            department_id: body.department_id,
            enterprise_id: body.enterprise_id,
        },
        false,
    )?;
    validate::password("password", &body.password)?;
    let hashed = hash(body.password).await?;
    let mut writer = scope.writer(&state).await?;
    let created = store::create(&mut writer, Some(scope.zone_id()), input, hashed).await?;
    writer.commit().await?;
    Ok((StatusCode::CREATED, Json(UserOut::from(created))).into_response())
}

/// One account of the caller's zone.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = UserOut), (status = 404, body = ErrorBody)))]
pub async fn get_user(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<UserOut>> {
    Ok(Json(user_out(&state, store::get(&state.db, &scope, id).await?).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub department_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub active: Option<bool>,
    /// A new password (8–128 characters); signs the user out everywhere.
    pub password: Option<String>,
}

/// Changes an account of the caller's zone (admin); absent fields stay as they are.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UserPatch,
    responses((status = 200, body = UserOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    ApiJson(body): ApiJson<UserPatch>,
) -> AppResult<Json<UserOut>> {
    let before = store::get(&state.db, &scope, id).await?;
    let input = domain::validate(
        &AccountDraft {
            username: before.username.clone(),
            display_name: body.display_name.unwrap_or_else(|| before.display_name.clone()),
            role: body.role.unwrap_or_else(|| before.role.clone()),
            department_id: body.department_id.or(before.department_id),
            enterprise_id: body.enterprise_id.or(before.enterprise_id),
        },
        false,
    )?;
    let after = apply_update(
        &state,
        &scope,
        &before,
        input,
        body.active.unwrap_or(before.active),
        body.password.as_deref(),
    )
    .await?;
    Ok(Json(after.into()))
}
