//! Signing in and out: the login page and form (sessions with CSRF tokens; lock-out after
//! repeated failures is in `login::check_password`) and logout.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{own_context, safe_next};
use crate::accounts::login::check_password;
use crate::accounts::store;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::{Credential, MaybeCaller, SESSION_COOKIE, Scope, audit_event, request_id, set_cookie};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::i18n::Locale;
use gaoxin_platform::web::{Q, WebForm, render, render_with_status};

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    lang: &'static str,
    next: String,
    username: String,
    error: Option<String>,
    demo: bool,
}

#[derive(Deserialize, Default)]
pub(super) struct LoginQuery {
    next: Option<String>,
}

pub(super) async fn login_page(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Q(query): Q<LoginQuery>,
) -> Response {
    if caller.is_some() {
        return Redirect::to(&safe_next(query.next.as_deref())).into_response();
    }
    render(&LoginPage {
        lang: Locale::Zh.html_lang(),
        next: safe_next(query.next.as_deref()),
        username: String::new(),
        error: None,
        demo: state.config.demo,
    })
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub(super) async fn login_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    gaoxin_platform::auth::ClientAddress(address): gaoxin_platform::auth::ClientAddress,
    WebForm(form): WebForm<LoginForm>,
) -> AppResult<Response> {
    let next = safe_next(form.next.as_deref());
    match check_password(
        &state,
        &form.username,
        &form.password,
        address.as_deref(),
        request_id(&headers),
    )
    .await
    {
        Ok(account) => {
            let cookie = store::open_session(&state.db, account.id, state.config.session_ttl).await?;
            let mut response = Redirect::to(&next).into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    &state,
                    &headers,
                    SESSION_COOKIE,
                    &cookie,
                    state.config.session_ttl.num_seconds(),
                ),
            );
            Ok(response)
        }
        Err(err @ (AppError::BadCredentials | AppError::TooManyAttempts(_))) => Ok(render_with_status(
            err.status(),
            &LoginPage {
                lang: Locale::Zh.html_lang(),
                next,
                username: form.username.trim().to_string(),
                error: Some(err.to_string()),
                demo: state.config.demo,
            },
        )),
        Err(other) => Err(other),
    }
}

pub(super) async fn logout(State(state): State<AppState>, scope: Scope, headers: HeaderMap) -> AppResult<Response> {
    if let Credential::Session { id, .. } = &scope.caller().credential {
        store::close_session(&state.db, id).await?;
    }
    let caller = scope.caller();
    audit_event(
        &state,
        own_context(&scope),
        "logout",
        "account",
        caller.account_id.to_string(),
        None,
    )
    .await?;
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(&state, &headers, SESSION_COOKIE, "", 0));
    Ok(response)
}
