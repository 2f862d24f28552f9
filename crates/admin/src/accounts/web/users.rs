//! User management: the user list and its export (admins and auditors), and the forms that
//! create and change accounts (admins), with the update both the form and the API use.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::hash;
use crate::accounts::domain::{self, AccountDraft, AccountState};
use crate::accounts::store::{self, Account, AccountFilter};
use gaoxin_core::roles::Role;
use gaoxin_core::uscc::verify_uscc;
use gaoxin_core::validate;
use gaoxin_enterprises::entity as enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::{entity::Model as Department, store as departments};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::i18n::Locale;
use gaoxin_platform::web::{
    Cell, FormErrors, Id, Ids, PageCtx, PageParams, Pager, Q, WebForm, finish, render, render_with_status,
    xlsx_download,
};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Search in user name and display name.
    pub q: Option<String>,
    /// Filter by role code.
    pub role: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl UserQuery {
    pub(super) fn filter(&self) -> AccountFilter {
        AccountFilter {
            q: self.q.clone(),
            role: self.role.as_deref().and_then(Role::parse),
        }
    }

    pub(super) fn page(&self) -> PageParams {
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

pub(super) async fn users_page(
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

pub(super) async fn users_export(
    State(state): State<AppState>,
    scope: Scope,
    Q(query): Q<UserQuery>,
) -> AppResult<Response> {
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
                Cell::Text(AccountState::of_flag(r.account.active).label().into()),
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
pub(super) struct UserForm {
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
    /// When editing: the account's id, lock-out (zone time) and API tokens.
    id: i64,
    locked_until: Option<String>,
    tokens: Vec<store::Token>,
    revoke_base: String,
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
    editing: Option<&Account>,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let roles = role_choices(ctx.locale, false);
    let now = gaoxin_core::clock::system_now();
    let (id, locked_until, tokens) = match editing {
        Some(a) => (
            a.id,
            store::locked_until(&state.db, a.id, now).await?.map(|u| {
                u.with_timezone(&gaoxin_core::clock::zone_offset())
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            }),
            store::tokens_of(&state.db, a.id).await?,
        ),
        None => (0, None, Vec::new()),
    };
    let editing = editing.is_some();
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
            revoke_base: format!("/admin/users/{id}/tokens"),
            id,
            locked_until,
            tokens,
        },
    ))
}

pub(super) async fn user_new_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let ctx = ctx.crumb("nav.users", "/admin/users").crumb("action.create", "");
    let form = UserForm {
        role: Role::Staff.code().into(),
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
        None,
    )
    .await
}

pub(super) async fn user_create_form(
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
                user_form_page(&state, &scope, ctx, "/admin/users".into(), form, errors, None).await
            }
            None => Err(err),
        },
    }
}

pub(super) async fn user_edit_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
) -> AppResult<Response> {
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
        Some(&account),
    )
    .await
}

pub(super) async fn apply_update(
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

pub(super) async fn user_update_form(
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
                user_form_page(
                    &state,
                    &scope,
                    ctx,
                    format!("/admin/users/{id}"),
                    form,
                    errors,
                    Some(&before),
                )
                .await
            }
            None => Err(err),
        },
    }
}

/// Revokes a token of an account of the zone (admin), from the user's page.
pub(super) async fn user_token_revoke_form(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Ids(id, token_id): Ids,
) -> AppResult<Response> {
    let account = store::get(&state.db, &scope, id).await?;
    let token = store::token_of(&state.db, account.id, token_id).await?;
    let back = format!("/admin/users/{id}/edit");
    let mut writer = scope.writer(&state).await?;
    store::revoke_token(&mut writer, &token).await?;
    writer.commit().await?;
    finish(
        &state,
        &headers,
        &back,
        Ok((
            back.clone(),
            format!("已吊销 {} 的令牌：{}", account.username, token.name),
        )),
    )
}

/// Lifts an account's lock-out after failed logins (admin).
pub(super) async fn user_unlock_form(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
) -> AppResult<Response> {
    let account = store::get(&state.db, &scope, id).await?;
    let back = format!("/admin/users/{id}/edit");
    let mut writer = scope.writer(&state).await?;
    store::unlock(&mut writer, &account).await?;
    writer.commit().await?;
    finish(
        &state,
        &headers,
        &back,
        Ok((back.clone(), format!("已解除 {} 的登录锁定", account.username))),
    )
}
