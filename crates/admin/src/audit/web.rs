//! Audit log pages (list with filters, detail with field changes, .xlsx export) and
//! `GET /api/v1/audit`.

use askama::Template;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use gaoxin_core::clock::datetime_text;
use gaoxin_core::roles::AUDIT_READERS;
use gaoxin_platform::AppState;
use gaoxin_platform::audit::entity::Model as AuditLine;
use gaoxin_platform::audit_log::{self as store, AuditFilter, FieldChange};
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult, ErrorBody};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::web::{Cell, Id, PageCtx, PageParams, Pager, Q, render, xlsx_download};

/// Rows in one export; a larger log is exported in date ranges.
pub const EXPORT_LIMIT: u64 = 100_000;

pub fn routes() -> Routes {
    Routes::new()
        .get("/audit", Access::Roles(AUDIT_READERS), list_page)
        .get("/audit/export", Access::Roles(AUDIT_READERS), export)
        .get("/audit/{id}", Access::Roles(AUDIT_READERS), detail_page)
        .get("/api/v1/audit", Access::Roles(AUDIT_READERS), list_audit)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entity (table) name, e.g. `department`, `account`.
    pub entity: Option<String>,
    /// Entity id.
    pub id: Option<String>,
    /// Part of the actor's name or user name.
    pub actor: Option<String>,
    /// create, update, delete, login, login_failed, locked, logout, password_changed.
    pub action: Option<String>,
    /// First day (YYYY-MM-DD, Beijing time).
    pub from: Option<String>,
    /// Last day, inclusive (YYYY-MM-DD).
    pub to: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

fn date(field: &str, value: &Option<String>) -> AppResult<Option<NaiveDate>> {
    match value.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::field(field, format!("日期格式应为 2025-03-01，收到“{s}”"))),
    }
}

impl AuditQuery {
    fn filter(&self) -> AppResult<AuditFilter> {
        Ok(AuditFilter {
            actor: self.actor.clone(),
            entity: self.entity.clone(),
            entity_id: self.id.clone(),
            action: self.action.clone(),
            from: date("from", &self.from)?,
            to: date("to", &self.to)?,
        })
    }

    fn page(&self) -> PageParams {
        PageParams {
            page: self.page,
            per_page: self.per_page,
        }
    }
}

pub const ACTIONS: [&str; 8] = [
    "create",
    "update",
    "delete",
    "login",
    "login_failed",
    "locked",
    "logout",
    "password_changed",
];

/// The Chinese name of an audited entity (its table name when there is none).
pub fn entity_label(ctx: &PageCtx, entity: &str) -> String {
    let key = format!("audit.entity_name.{entity}");
    let label = ctx.t(&key);
    if label == key { entity.to_string() } else { label }
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<AuditLine>,
    query: AuditQuery,
    pager: Pager,
    actions: Vec<(String, String)>,
}

impl ListPage {
    fn at(&self, line: &AuditLine) -> String {
        datetime_text(&line.at)
    }
    fn action_label(&self, action: &str) -> String {
        self.ctx.t(&format!("audit.action.{action}"))
    }
    fn entity_label(&self, entity: &str) -> String {
        entity_label(&self.ctx, entity)
    }
    fn v<'a>(&self, value: &'a Option<String>) -> &'a str {
        value.as_deref().unwrap_or("")
    }
}

async fn list_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(query): Q<AuditQuery>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let page = query.page();
    let (rows, total) = store::list(&state.db, &scope, &query.filter()?, &page).await?;
    let actions = ACTIONS
        .iter()
        .map(|a| (a.to_string(), ctx.t(&format!("audit.action.{a}"))))
        .collect();
    Ok(render(&ListPage {
        ctx: ctx.crumb("nav.system", "").crumb("nav.audit", ""),
        rows,
        pager: Pager::new(&page, total, "/audit", raw.as_deref()),
        query,
        actions,
    }))
}

#[derive(Template)]
#[template(path = "audit/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    line: AuditLine,
    at: String,
    action: String,
    changes: Vec<FieldChange>,
    before: String,
    after: String,
}

fn pretty(json: &Option<String>) -> String {
    json.as_deref()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_default()
}

async fn detail_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let line = store::get(&state.db, &scope, id).await?;
    let action = ctx.t(&format!("audit.action.{}", line.action));
    Ok(render(&DetailPage {
        ctx: ctx.crumb("nav.audit", "/audit").crumb_text(format!("#{id}"), ""),
        at: datetime_text(&line.at),
        action,
        changes: store::changes(&line),
        before: pretty(&line.before_json),
        after: pretty(&line.after_json),
        line,
    }))
}

async fn export(State(state): State<AppState>, scope: Scope, Q(query): Q<AuditQuery>) -> AppResult<Response> {
    let rows = store::export(&state.db, &scope, &query.filter()?, EXPORT_LIMIT).await?;
    let cells = rows
        .into_iter()
        .map(|l| {
            vec![
                Cell::Int(l.id),
                Cell::Time(l.at),
                Cell::Text(l.actor_name),
                Cell::Text(l.action),
                Cell::Text(l.entity),
                Cell::Text(l.entity_id),
                Cell::Text(l.before_json.unwrap_or_default()),
                Cell::Text(l.after_json.unwrap_or_default()),
                Cell::Text(l.request_id.unwrap_or_default()),
            ]
        })
        .collect();
    xlsx_download(
        &format!("审计日志-{}.xlsx", scope.zone().name),
        "审计日志",
        &[
            "序号",
            "时间",
            "操作人",
            "操作",
            "对象",
            "对象ID",
            "修改前",
            "修改后",
            "请求ID",
        ],
        cells,
    )
}

/// One audit line as the API returns it; `before` and `after` are the rows as JSON.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditOut {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor_account_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
}

impl From<AuditLine> for AuditOut {
    fn from(l: AuditLine) -> AuditOut {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        AuditOut {
            id: l.id,
            at: l.at,
            actor_account_id: l.actor_account_id,
            actor_name: l.actor_name,
            action: l.action,
            entity: l.entity,
            entity_id: l.entity_id,
            before: parse(l.before_json),
            after: parse(l.after_json),
            request_id: l.request_id,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditOut>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// The caller's zone's audit log, newest first (admin, auditor).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_audit(
    State(state): State<AppState>,
    scope: Scope,
    Q(query): Q<AuditQuery>,
) -> AppResult<Json<AuditList>> {
    let page = query.page();
    let (rows, total) = store::list(&state.db, &scope, &query.filter()?, &page).await?;
    Ok(Json(AuditList {
        items: rows.into_iter().map(AuditOut::from).collect(),
        total,
        page: page.page(),
        per_page: page.per_page(),
    }))
}
