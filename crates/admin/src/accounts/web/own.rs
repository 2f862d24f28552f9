//! One's own account: the account page, changing one's password and language, and creating
//! and revoking one's API tokens.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{hash, own_context, safe_next, token_days};
use crate::accounts::store::{self, Account, Token};
use gaoxin_core::validate;
use gaoxin_platform::AppState;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::{Credential, Scope};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::i18n::Locale;
use gaoxin_platform::web::{FormErrors, Id, PageCtx, WebForm, finish, render_with_status};

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    ctx: PageCtx,
    account: Account,
    tokens: Vec<Token>,
    new_token: Option<String>,
    errors: FormErrors,
}

async fn load_own(state: &AppState, scope: &Scope) -> AppResult<Account> {
    store::by_id(&state.db, scope.caller().account_id)
        .await?
        .ok_or(AppError::Unauthenticated)
}

async fn show_account(
    state: &AppState,
    scope: &Scope,
    ctx: PageCtx,
    new_token: Option<String>,
    errors: FormErrors,
) -> AppResult<Response> {
    let account = load_own(state, scope).await?;
    let tokens = store::tokens_of(&state.db, account.id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_with_status(
        status,
        &AccountPage {
            ctx: ctx.crumb("nav.account", ""),
            account,
            tokens,
            new_token,
            errors,
        },
    ))
}

pub(super) async fn account_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    show_account(&state, &scope, ctx, None, FormErrors::default()).await
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

pub(super) async fn change_password(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    WebForm(form): WebForm<PasswordForm>,
) -> AppResult<Response> {
    let account = load_own(&state, &scope).await?;
    let mut errors = FormErrors::default();
    let (pw, current_hash) = (form.current.clone(), account.password_hash.clone());
    let current_ok = tokio::task::spawn_blocking(move || gaoxin_platform::secrets::verify_password(&pw, &current_hash))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    if !current_ok {
        errors.add("current", "当前密码不正确");
    } else if let Err(e) = validate::password("new_password", &form.new_password) {
        errors.add(&e.field, e.message);
    } else if form.new_password != form.confirm {
        errors.add("confirm", "两次输入的新密码不一致");
    }
    if !errors.is_empty() {
        return show_account(&state, &scope, ctx, None, errors).await;
    }
    let new_hash = hash(form.new_password).await?;
    let mut writer = Writer::begin(&state.db, own_context(&scope)).await?;
    store::set_password(&mut writer, &account, new_hash).await?;
    let keep = match &scope.caller().credential {
        Credential::Session { id, .. } => Some(id.as_str()),
        Credential::Token { .. } => None,
    };
    store::end_sessions(&mut writer, account.id, keep).await?;
    writer.commit().await?;
    finish(
        &state,
        &headers,
        "/account",
        Ok(("/account".to_string(), "密码已修改，其他设备上的登录已退出".to_string())),
    )
}

#[derive(Deserialize)]
pub(super) struct LocaleForm {
    locale: String,
}

pub(super) async fn change_locale(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<LocaleForm>,
) -> AppResult<Response> {
    let locale = Locale::parse(&form.locale).ok_or_else(|| AppError::field("locale", "语言只能是 zh 或 en"))?;
    let account = load_own(&state, &scope).await?;
    let mut writer = Writer::begin(&state.db, own_context(&scope)).await?;
    store::set_locale(&mut writer, &account, locale.code()).await?;
    writer.commit().await?;
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| u.path().to_string());
    Ok(Redirect::to(&safe_next(back.as_deref())).into_response())
}

#[derive(Deserialize)]
pub(super) struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    days: String,
}

pub(super) async fn create_token_form(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    WebForm(form): WebForm<TokenForm>,
) -> AppResult<Response> {
    let result = async {
        let name = validate::required_text("name", "令牌名称", &form.name, 100)?;
        let days = match form.days.trim() {
            "" => None,
            d => Some(
                d.parse::<i64>()
                    .map_err(|_| AppError::field("expires_in_days", "有效期须为整数天"))?,
            ),
        };
        let days = token_days(days)?;
        let mut writer = Writer::begin(&state.db, own_context(&scope)).await?;
        let (token, _) = store::create_token(&mut writer, scope.caller().account_id, &name, days).await?;
        writer.commit().await?;
        Ok::<_, AppError>(token)
    }
    .await;
    match result {
        Ok(token) => show_account(&state, &scope, ctx, Some(token), FormErrors::default()).await,
        Err(err) => match FormErrors::from_error(&err) {
            Some(errors) => show_account(&state, &scope, ctx, None, errors).await,
            None => Err(err),
        },
    }
}

pub(super) async fn revoke_token_form(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    let token = store::token_of(&state.db, scope.caller().account_id, id).await?;
    let mut writer = Writer::begin(&state.db, own_context(&scope)).await?;
    store::revoke_token(&mut writer, &token).await?;
    writer.commit().await?;
    finish(
        &state,
        &headers,
        "/account",
        Ok(("/account".to_string(), format!("已吊销令牌：{}", token.name))),
    )
}
