//! Enterprise list and page (foundation: name and USCC), and the enterprises API.

use askama::Template;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::entity::Model as Enterprise;
use super::store;
use crate::app::AppState;
use crate::platform::auth::Scope;
use crate::platform::error::{AppResult, ErrorBody};
use crate::platform::routes::{Access, Routes};
use crate::platform::web::{Id, PageCtx, Pager, Q, SearchParams, render};
use crate::roles::{ENTERPRISE_READERS, Role};

pub fn routes() -> Routes {
    Routes::new()
        .get("/enterprises", Access::Roles(ENTERPRISE_READERS), list_page)
        .get("/enterprises/{id}", Access::Roles(ENTERPRISE_READERS), detail_page)
        .get(
            "/api/v1/enterprises",
            Access::Roles(ENTERPRISE_READERS),
            list_enterprises,
        )
        .get(
            "/api/v1/enterprises/{id}",
            Access::Roles(ENTERPRISE_READERS),
            get_enterprise,
        )
}

#[derive(Template)]
#[template(path = "enterprises/templates/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<Enterprise>,
    q: String,
    pager: Pager,
}

async fn list_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(query): Q<SearchParams>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let page = query.paging();
    let (rows, total) = store::list(&state.db, &scope, query.text(), &page).await?;
    Ok(render(&ListPage {
        ctx: ctx.crumb("nav.enterprises", ""),
        rows,
        q: query.q.unwrap_or_default(),
        pager: Pager::new(&page, total, "/enterprises", raw.as_deref()),
    }))
}

#[derive(Template)]
#[template(path = "enterprises/templates/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    e: Enterprise,
    own: bool,
}

async fn detail_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx, Id(id): Id) -> AppResult<Response> {
    let e = store::get(&state.db, &scope, id).await?;
    let own = scope.role() == Role::Enterprise;
    let ctx = if own {
        ctx
    } else {
        ctx.crumb("nav.enterprises", "/enterprises")
    };
    Ok(render(&DetailPage {
        ctx: ctx.crumb_text(e.name.clone(), ""),
        e,
        own,
    }))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EnterpriseOut {
    pub id: i64,
    pub name: String,
    /// 统一社会信用代码
    pub uscc: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Enterprise> for EnterpriseOut {
    fn from(e: Enterprise) -> EnterpriseOut {
        EnterpriseOut {
            id: e.id,
            name: e.name,
            uscc: e.uscc,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EnterpriseList {
    pub items: Vec<EnterpriseOut>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// Enterprises of the caller's zone (an enterprise user gets only its own).
#[utoipa::path(get, path = "/api/v1/enterprises", tag = "enterprises", params(SearchParams),
    responses((status = 200, body = EnterpriseList), (status = 401, body = ErrorBody)))]
pub async fn list_enterprises(
    State(state): State<AppState>,
    scope: Scope,
    Q(query): Q<SearchParams>,
) -> AppResult<Json<EnterpriseList>> {
    let page = query.paging();
    let (rows, total) = store::list(&state.db, &scope, query.text(), &page).await?;
    Ok(Json(EnterpriseList {
        items: rows.into_iter().map(EnterpriseOut::from).collect(),
        total,
        page: page.page(),
        per_page: page.per_page(),
    }))
}

/// One enterprise (404 outside the caller's zone, or another enterprise for an enterprise user).
#[utoipa::path(get, path = "/api/v1/enterprises/{id}", tag = "enterprises", params(("id" = i64, Path)),
    responses((status = 200, body = EnterpriseOut), (status = 404, body = ErrorBody)))]
pub async fn get_enterprise(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<EnterpriseOut>> {
    Ok(Json(store::get(&state.db, &scope, id).await?.into()))
}
