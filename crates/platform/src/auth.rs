//! Who is calling: session cookies and bearer tokens become a [`Caller`]; unsafe requests
//! that ride on a cookie must pass the CSRF checks; the zone a request works on is fixed here.
//!
//! [`authenticate`] runs on every request. It never refuses a request for being anonymous
//! (that is the route guard's job, see `routes`), but it does refuse a bad bearer token,
//! a cross-site write and a write without the session's CSRF token.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveDate};
use gaoxin_core::clock::Clock;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Select,
};

use super::audit::{WriteContext, Writer, ZoneScoped};
use super::db::Db;
use super::error::{AppError, ErrorMarker};
use super::i18n::Locale;
use super::secrets::{constant_time_eq, random_hex, sha256_hex};
use crate::AppState;
use crate::accounts::entity::{account, api_token, session};
use crate::zones::entity as zone;
use gaoxin_core::roles::Role;

pub const SESSION_COOKIE: &str = "gaoxin_session";
pub const FLASH_COOKIE: &str = "gaoxin_flash";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "_csrf";
pub const ZONE_HEADER: &str = "x-gaoxin-zone";

/// Largest urlencoded form the CSRF check buffers (the router refuses larger form bodies).
pub const FORM_LIMIT_BYTES: usize = 2 * 1024 * 1024;

/// The zone a request works on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

impl From<zone::Model> for ZoneRef {
    fn from(z: zone::Model) -> ZoneRef {
        ZoneRef {
            id: z.id,
            code: z.code,
            name: z.name,
        }
    }
}

/// How the caller proved who they are.
#[derive(Clone, Debug)]
pub enum Credential {
    Session { id: String, csrf_token: String },
    Token { id: i64 },
}

/// A signed-in caller, as resolved for this request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The zone the caller works on: the account's zone, or for a province reader the zone
    /// they chose (session) or named (`X-Gaoxin-Zone` header), else the first zone.
    pub zone: Option<ZoneRef>,
    pub department_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub locale: Locale,
    pub credential: Credential,
}

impl Caller {
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.credential {
            Credential::Session { csrf_token, .. } => Some(csrf_token),
            Credential::Token { .. } => None,
        }
    }
}

/// What a handler of a guarded route works with: the caller and the one zone it may touch.
/// Only the route guard creates a `Scope`, after checking the caller's role, so a handler that
/// takes a `Scope` cannot run for the wrong role or outside the caller's zone.
#[derive(Clone, Debug)]
pub struct Scope {
    caller: Caller,
    zone: ZoneRef,
    request_id: Option<String>,
    clock: Clock,
}

impl Scope {
    /// Requests get their scope from the route guard; in-process actors (the demo generator,
    /// the command line) build theirs here.
    pub fn new(caller: Caller, zone: ZoneRef, request_id: Option<String>, clock: Clock) -> Scope {
        Scope {
            caller,
            zone,
            request_id,
            clock,
        }
    }

    /// The scope of the zone's administrator account `account_id`, for the demo generator,
    /// which acts in-process as that administrator (no request, no credential to check).
    pub fn demo_admin(zone: ZoneRef, account_id: i64, clock: Clock) -> Scope {
        Scope {
            caller: Caller {
                account_id,
                username: "admin".into(),
                display_name: "演示管理员".into(),
                role: Role::Admin,
                zone: Some(zone.clone()),
                department_id: None,
                enterprise_id: None,
                locale: Default::default(),
                credential: Credential::Token { id: 0 },
            },
            zone,
            request_id: None,
            clock,
        }
    }

    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    pub fn role(&self) -> Role {
        self.caller.role
    }

    pub fn zone(&self) -> &ZoneRef {
        &self.zone
    }

    pub fn zone_id(&self) -> i64 {
        self.zone.id
    }

    pub fn locale(&self) -> Locale {
        self.caller.locale
    }

    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The zone's clock.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Today in the zone.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// This year in the zone.
    pub fn year(&self) -> i32 {
        self.clock.year()
    }

    /// All rows of a zone-scoped table that this scope may see: the only way handlers
    /// start a query on such a table.
    pub fn select<E: ZoneScoped>(&self) -> Select<E> {
        E::find().filter(E::zone_column().eq(self.zone.id))
    }

    /// For enterprise users, the one enterprise they may see.
    pub fn own_enterprise(&self) -> Option<i64> {
        match self.caller.role {
            Role::Enterprise => Some(self.caller.enterprise_id.unwrap_or(-1)),
            _ => None,
        }
    }

    pub fn write_context(&self) -> WriteContext {
        WriteContext {
            zone_id: Some(self.zone.id),
            actor_account_id: Some(self.caller.account_id),
            actor_name: format!("{} ({})", self.caller.display_name, self.caller.username),
            request_id: self.request_id.clone(),
        }
    }

    /// Starts an audited transaction on behalf of this caller and zone.
    pub async fn writer(&self, state: &AppState) -> Result<Writer, AppError> {
        if !self.caller.role.may_write() {
            return Err(AppError::Forbidden);
        }
        Ok(Writer::begin(&state.db, self.write_context()).await?)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Scope {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Scope, AppError> {
        // Present on every guarded route; absent only on public ones, where taking a Scope
        // is a programming error that fails closed.
        parts
            .extensions
            .get::<Scope>()
            .cloned()
            .ok_or(AppError::Unauthenticated)
    }
}

/// The caller if there is one (for public routes such as the login page).
#[derive(Clone, Debug)]
pub struct MaybeCaller(pub Option<Caller>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeCaller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<MaybeCaller, Self::Rejection> {
        Ok(MaybeCaller(parts.extensions.get::<Caller>().cloned()))
    }
}

/// The address a request comes from: the connection's peer, or — when the peer is this machine
/// (a reverse proxy in front of gaoxin, as zones deploy it) — the last address the proxy added
/// to `X-Forwarded-For`. `None` when neither is known (requests made in tests).
pub struct ClientAddress(pub Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok());
        Ok(ClientAddress(match (peer, forwarded) {
            (Some(p), Some(f)) if p.is_loopback() => Some(f.to_string()),
            (Some(p), _) => Some(p.to_string()),
            (None, _) => None,
        }))
    }
}

/// The request id set by the request-id layer (or sent by the client: then only its first
/// 64 plain characters are kept).
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .take(64)
                .collect::<String>()
        })
        .filter(|v| !v.is_empty())
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value with the attributes every gaoxin cookie carries.
pub fn set_cookie(state: &AppState, headers: &HeaderMap, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}");
    if secure {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).expect("cookie values are ASCII")
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

async fn first_zone(state: &AppState) -> Result<Option<ZoneRef>, AppError> {
    Ok(zone::Entity::find()
        .order_by_asc(zone::Column::Id)
        .one(state.db.conn())
        .await?
        .map(ZoneRef::from))
}

async fn zone_by_id(state: &AppState, id: i64) -> Result<Option<ZoneRef>, AppError> {
    Ok(zone::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .map(ZoneRef::from))
}

async fn zone_by_code(state: &AppState, code: &str) -> Result<Option<ZoneRef>, AppError> {
    Ok(zone::Entity::find()
        .filter(zone::Column::Code.eq(code))
        .one(state.db.conn())
        .await?
        .map(ZoneRef::from))
}

async fn caller_for(
    state: &AppState,
    account: account::Model,
    credential: Credential,
    chosen_zone: Option<ZoneRef>,
) -> Result<Caller, AppError> {
    let role = account.role();
    let zone = if role == Role::Province {
        match chosen_zone {
            Some(z) => Some(z),
            None => first_zone(state).await?,
        }
    } else {
        match account.zone_id {
            Some(id) => zone_by_id(state, id).await?,
            None => None,
        }
    };
    Ok(Caller {
        account_id: account.id,
        username: account.username,
        display_name: account.display_name,
        role,
        zone,
        department_id: account.department_id,
        enterprise_id: account.enterprise_id,
        locale: Locale::parse(&account.locale).unwrap_or_default(),
        credential,
    })
}

async fn resolve_token(state: &AppState, token: &str, headers: &HeaderMap) -> Result<Caller, AppError> {
    let now = gaoxin_core::clock::system_now();
    let found = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(sha256_hex(token)))
        .one(state.db.conn())
        .await?;
    let Some(found) = found else {
        return Err(AppError::InvalidToken);
    };
    if found.revoked_at.is_some() || found.expires_at.is_some_and(|e| e <= now) {
        return Err(AppError::InvalidToken);
    }
    let account = account::Entity::find_by_id(found.account_id)
        .one(state.db.conn())
        .await?
        .filter(|a| a.active)
        .ok_or(AppError::InvalidToken)?;
    // Token bookkeeping, not a change of domain data: not audited (see ARCHITECTURE.md).
    if found.last_used_at.is_none_or(|t| (now - t).num_seconds() > 60) {
        let mut active = found.clone().into_active_model();
        active.last_used_at = Set(Some(now));
        active.update(state.db.conn()).await?;
    }
    let chosen = match headers.get(ZONE_HEADER).and_then(|v| v.to_str().ok()) {
        Some(code) if account.role() == Role::Province => Some(
            zone_by_code(state, code)
                .await?
                .ok_or_else(|| AppError::field("X-Gaoxin-Zone", format!("开发区代码 {code} 不存在")))?,
        ),
        _ => None,
    };
    caller_for(state, account, Credential::Token { id: found.id }, chosen).await
}

async fn resolve_session(state: &AppState, cookie_value: &str) -> Result<Option<Caller>, AppError> {
    let now = gaoxin_core::clock::system_now();
    let id = sha256_hex(cookie_value);
    let Some(found) = session::Entity::find_by_id(id.clone()).one(state.db.conn()).await? else {
        return Ok(None);
    };
    if found.expires_at <= now {
        session::Entity::delete_by_id(id).exec(state.db.conn()).await?;
        return Ok(None);
    }
    let Some(account) = account::Entity::find_by_id(found.account_id)
        .one(state.db.conn())
        .await?
        .filter(|a| a.active)
    else {
        return Ok(None);
    };
    // Sliding expiry; session bookkeeping is not audited (logins and logouts are).
    if (now - found.last_seen_at).num_seconds() > 60 {
        let mut active = found.clone().into_active_model();
        active.last_seen_at = Set(now);
        active.expires_at = Set(now + state.config.session_ttl);
        active.updated_at = Set(now);
        active.update(state.db.conn()).await?;
    }
    let chosen = match found.viewing_zone_id {
        Some(z) => zone_by_id(state, z).await?,
        None => None,
    };
    let credential = Credential::Session {
        id: found.id,
        csrf_token: found.csrf_token,
    };
    Ok(Some(caller_for(state, account, credential, chosen).await?))
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses writes sent from another site: the browser says so in `Sec-Fetch-Site`, or the
/// `Origin` names another host than the one the request was sent to.
fn check_origin(headers: &HeaderMap) -> Result<(), AppError> {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err(AppError::Csrf("拒绝跨站请求：请从本系统页面提交"));
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        let origin_host = url::Url::parse(origin).ok().and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        });
        if origin_host.is_none() || origin_host.as_deref() != host {
            return Err(AppError::Csrf("拒绝跨站请求：来源与本站不一致"));
        }
    }
    Ok(())
}

/// Checks the CSRF token of a cookie-authenticated write: the `X-CSRF-Token` header (htmx
/// and scripts), the `_csrf` field of a urlencoded form, or `_csrf` in the query string
/// (multipart uploads). Returns the request with its body intact.
async fn check_csrf(req: Request, expected: &str) -> Result<Request, AppError> {
    const MISSING: AppError = AppError::Csrf("缺少或无效的 CSRF 令牌：请刷新页面后重试");
    if let Some(sent) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return if constant_time_eq(sent, expected) {
            Ok(req)
        } else {
            Err(MISSING)
        };
    }
    if let Some(query) = req.uri().query()
        && let Some((_, sent)) = url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == CSRF_FIELD)
    {
        return if constant_time_eq(&sent, expected) {
            Ok(req)
        } else {
            Err(MISSING)
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(MISSING);
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, FORM_LIMIT_BYTES)
        .await
        .map_err(|_| AppError::BadRequest("表单过大".into()))?;
    let ok = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == CSRF_FIELD)
        .is_some_and(|(_, sent)| constant_time_eq(&sent, expected));
    if !ok {
        return Err(MISSING);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The middleware that resolves the caller, enforces CSRF rules and turns page errors into
/// pages. Runs on every request.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let is_api = path.starts_with("/api/");
    let had_flash = cookie(req.headers(), FLASH_COOKIE).is_some();

    let caller = if let Some(token) = bearer(req.headers()) {
        match resolve_token(&state, token, req.headers()).await {
            Ok(caller) => Some(caller),
            Err(e) => return e.into_response(),
        }
    } else if let Some(value) = cookie(req.headers(), SESSION_COOKIE).map(str::to_string) {
        match resolve_session(&state, &value).await {
            Ok(caller) => caller,
            Err(e) => return e.into_response(),
        }
    } else {
        None
    };

    if !is_safe(req.method()) {
        let cookie_auth = caller
            .as_ref()
            .is_none_or(|c| matches!(c.credential, Credential::Session { .. }));
        if cookie_auth && let Err(e) = check_origin(req.headers()) {
            return finish_page(e.into_response(), is_api, &path, caller.as_ref());
        }
        // Signing in is the one write that does not need the session's token: it replaces the
        // session, and a stale login page in another tab must still work. The Origin check
        // above protects it against login CSRF.
        let signing_in = path == "/login";
        if let Some(csrf) = caller.as_ref().and_then(Caller::csrf_token).filter(|_| !signing_in) {
            match check_csrf(req, csrf).await {
                Ok(r) => req = r,
                Err(e) => return finish_page(e.into_response(), is_api, &path, caller.as_ref()),
            }
        }
    }

    req.extensions_mut().insert(state.config.clock);
    if let Some(c) = caller.clone() {
        req.extensions_mut().insert(c);
    }
    let mut response = finish_page(next.run(req).await, is_api, &path, caller.as_ref());
    if had_flash && response.status() == StatusCode::OK && super::error::is_html(&response) {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&state, &HeaderMap::new(), FLASH_COOKIE, "", 0),
        );
    }
    response
}

/// Renders an error response of a page route as an HTML page (401 becomes a redirect to the
/// login page). API responses pass through unchanged.
fn finish_page(response: Response, is_api: bool, path: &str, caller: Option<&Caller>) -> Response {
    if is_api {
        return response;
    }
    let Some(ErrorMarker(body)) = response.extensions().get::<ErrorMarker>().cloned() else {
        return response;
    };
    let status = response.status();
    if status == StatusCode::UNAUTHORIZED {
        let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let locale = caller.map(|c| c.locale).unwrap_or_default();
    super::error::error_page(status, locale, &body.error.message, caller.is_some())
}

/// Route guard support: builds the `Scope` once the role has been checked.
pub(crate) fn scope_for(req: &Request, caller: &Caller) -> Result<Scope, AppError> {
    let zone = caller
        .zone
        .clone()
        .ok_or_else(|| AppError::Conflict("尚未配置开发区：请先用 `gaoxin zone add` 创建开发区".into()))?;
    let clock = req.extensions().get::<Clock>().copied().unwrap_or_default();
    Ok(Scope::new(caller.clone(), zone, request_id(req.headers()), clock))
}

/// Writes an audit event with its own transaction (used for logins and logouts).
pub async fn audit_event(
    state: &AppState,
    ctx: WriteContext,
    action: &str,
    entity: &str,
    entity_id: impl Into<String>,
    detail: Option<serde_json::Value>,
) -> Result<(), AppError> {
    let mut writer = Writer::begin(&state.db, ctx).await?;
    writer.event(action, entity, entity_id, detail).await?;
    writer.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- session bookkeeping
//
// Sessions are security bookkeeping, not domain data: their rows are written here directly;
// the events (login, logout, password change) are what the audit log records.

/// Ends an account's sessions (all, or all but `keep`). Session rows are bookkeeping; the
/// caller records the audited event.
pub async fn end_sessions(writer: &mut Writer, account_id: i64, keep: Option<&str>) -> Result<(), AppError> {
    let mut delete = session::Entity::delete_many().filter(session::Column::AccountId.eq(account_id));
    if let Some(keep) = keep {
        delete = delete.filter(session::Column::Id.ne(keep));
    }
    delete.exec(writer.read()).await?;
    Ok(())
}

/// Opens a session; returns the cookie value (only its hash is stored).
pub async fn open_session(db: &Db, account_id: i64, ttl: Duration) -> Result<String, AppError> {
    let cookie_value = random_hex(32);
    let now = gaoxin_core::clock::system_now();
    session::ActiveModel {
        id: Set(sha256_hex(&cookie_value)),
        account_id: Set(account_id),
        csrf_token: Set(random_hex(24)),
        viewing_zone_id: Set(None),
        expires_at: Set(now + ttl),
        last_seen_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db.conn())
    .await?;
    Ok(cookie_value)
}

pub async fn close_session(db: &Db, session_id: &str) -> Result<(), AppError> {
    session::Entity::delete_by_id(session_id.to_string())
        .exec(db.conn())
        .await?;
    Ok(())
}

/// Province readers choose the zone their pages show (kept in the session).
pub async fn set_viewing_zone(state: &AppState, session_id: &str, zone_id: i64) -> Result<(), AppError> {
    if let Some(found) = session::Entity::find_by_id(session_id.to_string())
        .one(state.db.conn())
        .await?
    {
        let mut active = found.into_active_model();
        active.viewing_zone_id = Set(Some(zone_id));
        active.update(state.db.conn()).await?;
    }
    Ok(())
}
