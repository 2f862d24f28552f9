//! Login, logout, one's own account (password, language, API tokens), user management for
//! admins, and the matching API.

use std::collections::HashMap;

use askama::Template;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::domain::{self, AccountDraft};
use super::login::check_password;
use super::store::{self, Account, AccountFilter, Token};
use gaoxin_core::roles::{ADMINS, AUDIT_READERS, EVERYONE, Role};
use gaoxin_core::uscc::verify_uscc;
use gaoxin_core::validate;
use gaoxin_enterprises::entity as enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::audit::{WriteContext, Writer};
use gaoxin_platform::auth::{Credential, MaybeCaller, SESSION_COOKIE, Scope, audit_event, request_id, set_cookie};
use gaoxin_platform::departments::{entity::Model as Department, store as departments};
use gaoxin_platform::error::{AppError, AppResult, ErrorBody};
use gaoxin_platform::i18n::Locale;
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::secrets::hash_password;
use gaoxin_platform::web::{
    ApiJson, Cell, FormErrors, Id, PageCtx, PageParams, Pager, Q, WebForm, finish, render, render_with_status,
    xlsx_download,
};

pub fn routes() -> Routes {
    Routes::new()
        .get("/login", Access::Public, login_page)
        .post("/login", Access::Public, login_submit)
        .post("/logout", Access::Roles(EVERYONE), logout)
        .get("/account", Access::Roles(EVERYONE), account_page)
        .post("/account/password", Access::Roles(EVERYONE), change_password)
        .post("/account/locale", Access::Roles(EVERYONE), change_locale)
        .post("/account/tokens", Access::Roles(EVERYONE), create_token_form)
        .post(
            "/account/tokens/{id}/revoke",
            Access::Roles(EVERYONE),
            revoke_token_form,
        )
        .get("/admin/users", Access::Roles(AUDIT_READERS), users_page)
        .get("/admin/users/export", Access::Roles(AUDIT_READERS), users_export)
        .get("/admin/users/new", Access::Roles(ADMINS), user_new_page)
        .post("/admin/users", Access::Roles(ADMINS), user_create_form)
        .get("/admin/users/{id}/edit", Access::Roles(ADMINS), user_edit_page)
        .post("/admin/users/{id}", Access::Roles(ADMINS), user_update_form)
        .post("/api/v1/auth/token", Access::Public, issue_token)
        .get("/api/v1/auth/tokens", Access::Roles(EVERYONE), list_tokens)
        .delete("/api/v1/auth/tokens/{id}", Access::Roles(EVERYONE), revoke_token)
        .get("/api/v1/me", Access::Roles(EVERYONE), me)
        .get("/api/v1/users", Access::Roles(AUDIT_READERS), list_users)
        .post("/api/v1/users", Access::Roles(ADMINS), create_user)
        .get("/api/v1/users/{id}", Access::Roles(AUDIT_READERS), get_user)
        .patch("/api/v1/users/{id}", Access::Roles(ADMINS), update_user)
}

/// The audit context for changes to one's own account: their home zone (none for province).
fn own_context(scope: &Scope) -> WriteContext {
    let mut ctx = scope.write_context();
    if scope.role() == Role::Province {
        ctx.zone_id = None;
    }
    ctx
}

async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)
}

/// Only local paths are followed after login (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_string(),
        _ => "/".to_string(),
    }
}

// ---------------------------------------------------------------- login / logout

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
struct LoginQuery {
    next: Option<String>,
}

async fn login_page(
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
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    WebForm(form): WebForm<LoginForm>,
) -> AppResult<Response> {
    let next = safe_next(form.next.as_deref());
    match check_password(&state, &form.username, &form.password, request_id(&headers)).await {
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

async fn logout(State(state): State<AppState>, scope: Scope, headers: HeaderMap) -> AppResult<Response> {
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

// ---------------------------------------------------------------- own account

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

async fn account_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    show_account(&state, &scope, ctx, None, FormErrors::default()).await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(
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
struct LocaleForm {
    locale: String,
}

async fn change_locale(
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
struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    days: String,
}

fn token_days(raw: Option<i64>) -> AppResult<Option<i64>> {
    match raw {
        None => Ok(Some(90)),
        Some(0) => Ok(None),
        Some(d) if (1..=3650).contains(&d) => Ok(Some(d)),
        Some(_) => Err(AppError::field(
            "expires_in_days",
            "有效期须为 0（永不过期）或 1–3650 天",
        )),
    }
}

async fn create_token_form(
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

async fn revoke_token_form(
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

// ---------------------------------------------------------------- user management

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct UserQuery {
    /// Search in user name and display name.
    pub q: Option<String>,
    /// Filter by role code.
    pub role: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl UserQuery {
    fn filter(&self) -> AccountFilter {
        AccountFilter {
            q: self.q.clone(),
            role: self.role.as_deref().and_then(Role::parse),
        }
    }

    fn page(&self) -> PageParams {
        PageParams {
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// A row of the user list, with names resolved.
pub struct UserRow {
    pub account: Account,
    pub role_label: String,
    pub department: String,
    pub enterprise: String,
}

async fn resolve_rows(
    state: &AppState,
    scope: &Scope,
    accounts: Vec<Account>,
    ctx_locale: Locale,
) -> AppResult<Vec<UserRow>> {
    let departments: HashMap<i64, String> = departments::all(&state.db, scope, None)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let mut rows = Vec::new();
    for account in accounts {
        let enterprise = match account.enterprise_id {
            Some(id) => gaoxin_enterprises::store::get(&state.db, scope, id)
                .await
                .map(|e| e.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        rows.push(UserRow {
            role_label: gaoxin_platform::i18n::t(ctx_locale, account.role().label_key()).to_string(),
            department: account
                .department_id
                .and_then(|id| departments.get(&id).cloned())
                .unwrap_or_default(),
            enterprise,
            account,
        });
    }
    Ok(rows)
}

#[derive(Template)]
#[template(path = "accounts/users.html")]
struct UsersPage {
    ctx: PageCtx,
    rows: Vec<UserRow>,
    q: String,
    role: String,
    roles: Vec<(String, String)>,
    pager: Pager,
    can_edit: bool,
}

fn role_choices(locale: Locale, include_province: bool) -> Vec<(String, String)> {
    Role::ALL
        .into_iter()
        .filter(|r| include_province || *r != Role::Province)
        .map(|r| {
            (
                r.code().to_string(),
                gaoxin_platform::i18n::t(locale, r.label_key()).to_string(),
            )
        })
        .collect()
}

async fn users_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(query): Q<UserQuery>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let page = query.page();
    let (accounts, total) = store::list(&state.db, &scope, &query.filter(), &page).await?;
    let rows = resolve_rows(&state, &scope, accounts, ctx.locale).await?;
    let roles = role_choices(ctx.locale, false);
    Ok(render(&UsersPage {
        ctx: ctx.crumb("nav.system", "").crumb("nav.users", ""),
        rows,
        q: query.q.clone().unwrap_or_default(),
        role: query.role.clone().unwrap_or_default(),
        roles,
        pager: Pager::new(&page, total, "/admin/users", raw.as_deref()),
        can_edit: scope.role() == Role::Admin,
    }))
}

async fn users_export(State(state): State<AppState>, scope: Scope, Q(query): Q<UserQuery>) -> AppResult<Response> {
    let accounts = store::all(&state.db, &scope, &query.filter()).await?;
    let rows = resolve_rows(&state, &scope, accounts, scope.locale()).await?;
    let cells = rows
        .into_iter()
        .map(|r| {
            vec![
                Cell::Text(r.account.username),
                Cell::Text(r.account.display_name),
                Cell::Text(r.role_label),
                Cell::Text(r.department),
                Cell::Text(r.enterprise),
                Cell::Text(if r.account.active { "启用" } else { "停用" }.into()),
                r.account.last_login_at.map(Cell::Time).unwrap_or(Cell::Empty),
            ]
        })
        .collect();
    xlsx_download(
        &format!("用户-{}.xlsx", scope.zone().name),
        "用户",
        &["用户名", "姓名", "角色", "所属部门", "所属企业", "状态", "最近登录"],
        cells,
    )
}

#[derive(Debug, Default, Deserialize)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    department_id: String,
    /// The enterprise's 统一社会信用代码.
    #[serde(default)]
    enterprise: String,
    #[serde(default)]
    password: String,
    active: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/user_form.html")]
struct UserFormPage {
    ctx: PageCtx,
    action: String,
    form: UserForm,
    errors: FormErrors,
    editing: bool,
    roles: Vec<(String, String)>,
    departments: Vec<Department>,
}

async fn enterprise_by_uscc(state: &AppState, scope: &Scope, raw: &str) -> AppResult<Option<i64>> {
    use sea_orm::{ColumnTrait, QueryFilter};
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let uscc = verify_uscc(raw).map_err(|m| AppError::field("enterprise", m))?;
    let found = scope
        .select::<enterprise::Entity>()
        .filter(enterprise::Column::Uscc.eq(uscc.clone()))
        .one(state.db.conn())
        .await?
        .ok_or_else(|| AppError::field("enterprise", format!("本开发区没有统一社会信用代码为 {uscc} 的企业")))?;
    Ok(Some(found.id))
}

impl UserForm {
    async fn draft(&self, state: &AppState, scope: &Scope) -> AppResult<AccountDraft> {
        let department_id = match self.department_id.trim() {
            "" => None,
            d => Some(
                d.parse()
                    .map_err(|_| AppError::field("department_id", "部门选择无效"))?,
            ),
        };
        Ok(AccountDraft {
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role.clone(),
            department_id,
            enterprise_id: enterprise_by_uscc(state, scope, &self.enterprise).await?,
        })
    }
}

async fn user_form_page(
    state: &AppState,
    scope: &Scope,
    ctx: PageCtx,
    action: String,
    form: UserForm,
    errors: FormErrors,
    editing: bool,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let roles = role_choices(ctx.locale, false);
    Ok(render_with_status(
        status,
        &UserFormPage {
            ctx,
            action,
            form,
            errors,
            editing,
            roles,
            departments: departments::all(&state.db, scope, None).await?,
        },
    ))
}

async fn user_new_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let ctx = ctx.crumb("nav.users", "/admin/users").crumb("action.create", "");
    let form = UserForm {
        role: "staff".into(),
        active: Some("on".into()),
        ..Default::default()
    };
    user_form_page(
        &state,
        &scope,
        ctx,
        "/admin/users".into(),
        form,
        FormErrors::default(),
        false,
    )
    .await
}

async fn user_create_form(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    WebForm(form): WebForm<UserForm>,
) -> AppResult<Response> {
    let result = async {
        let input = domain::validate(&form.draft(&state, &scope).await?, false)?;
        validate::password("password", &form.password)?;
        let hashed = hash(form.password.clone()).await?;
        let mut writer = scope.writer(&state).await?;
        let created = store::create(&mut writer, Some(scope.zone_id()), input, hashed).await?;
        writer.commit().await?;
        Ok::<_, AppError>(created)
    }
    .await;
    match result {
        Ok(a) => finish(
            &state,
            &headers,
            "/admin/users",
            Ok(("/admin/users".to_string(), format!("已新增用户：{}", a.username))),
        ),
        Err(err) => match FormErrors::from_error(&err) {
            Some(errors) => {
                let ctx = ctx.crumb("nav.users", "/admin/users").crumb("action.create", "");
                user_form_page(&state, &scope, ctx, "/admin/users".into(), form, errors, false).await
            }
            None => Err(err),
        },
    }
}

async fn user_edit_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let account = store::get(&state.db, &scope, id).await?;
    let enterprise = match account.enterprise_id {
        Some(eid) => gaoxin_enterprises::store::get(&state.db, &scope, eid)
            .await
            .map(|e| e.uscc)
            .unwrap_or_default(),
        None => String::new(),
    };
    let form = UserForm {
        username: account.username.clone(),
        display_name: account.display_name.clone(),
        role: account.role.clone(),
        department_id: account.department_id.map(|d| d.to_string()).unwrap_or_default(),
        enterprise,
        password: String::new(),
        active: account.active.then(|| "on".to_string()),
    };
    let ctx = ctx
        .crumb("nav.users", "/admin/users")
        .crumb_text(account.username.clone(), "");
    user_form_page(
        &state,
        &scope,
        ctx,
        format!("/admin/users/{id}"),
        form,
        FormErrors::default(),
        true,
    )
    .await
}

async fn apply_update(
    state: &AppState,
    scope: &Scope,
    before: &Account,
    input: domain::AccountInput,
    active: bool,
    password: Option<&str>,
) -> AppResult<Account> {
    if before.id == scope.caller().account_id && (!active || input.role != Role::Admin) {
        return Err(AppError::field("role", "不能停用自己的账号或取消自己的管理员角色"));
    }
    let new_hash = match password.filter(|p| !p.is_empty()) {
        Some(p) => {
            validate::password("password", p)?;
            Some(hash(p.to_string()).await?)
        }
        None => None,
    };
    let mut writer = scope.writer(state).await?;
    let mut after = store::update(&mut writer, before, input, active).await?;
    if let Some(h) = new_hash {
        after = store::set_password(&mut writer, &after, h).await?;
        store::end_sessions(&mut writer, after.id, None).await?;
    }
    writer.commit().await?;
    Ok(after)
}

async fn user_update_form(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(mut form): WebForm<UserForm>,
) -> AppResult<Response> {
    let before = store::get(&state.db, &scope, id).await?;
    form.username = before.username.clone();
    let result = async {
        let input = domain::validate(&form.draft(&state, &scope).await?, false)?;
        apply_update(
            &state,
            &scope,
            &before,
            input,
            form.active.is_some(),
            Some(&form.password),
        )
        .await
    }
    .await;
    match result {
        Ok(a) => finish(
            &state,
            &headers,
            "/admin/users",
            Ok(("/admin/users".to_string(), format!("已保存用户：{}", a.username))),
        ),
        Err(err) => match FormErrors::from_error(&err) {
            Some(errors) => {
                let ctx = ctx
                    .crumb("nav.users", "/admin/users")
                    .crumb_text(before.username.clone(), "");
                user_form_page(&state, &scope, ctx, format!("/admin/users/{id}"), form, errors, true).await
            }
            None => Err(err),
        },
    }
}

// ---------------------------------------------------------------- API

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// A name to recognise the token by (default "api").
    pub name: Option<String>,
    /// Validity in days: 1–3650, or 0 for no expiry (default 90).
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
    ApiJson(body): ApiJson<TokenRequest>,
) -> AppResult<Response> {
    let days = token_days(body.expires_in_days)?;
    let name = validate::required_text("name", "令牌名称", body.name.as_deref().unwrap_or("api"), 100)?;
    let account = check_password(&state, &body.username, &body.password, request_id(&headers)).await?;
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
            last_login_at: a.last_login_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
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
        items: rows.into_iter().map(UserOut::from).collect(),
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
    Ok(Json(store::get(&state.db, &scope, id).await?.into()))
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
