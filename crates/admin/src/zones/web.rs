//! Province pages and the zones API.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::summary::{self, ZoneSummary};
use gaoxin_core::roles::{EVERYONE, PROVINCE, Role};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::{Credential, Scope, set_viewing_zone};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::web::{PageCtx, WebForm, finish, render};
use gaoxin_platform::zones::store;

pub fn routes() -> Routes {
    Routes::new()
        .get("/province/zones", Access::Roles(PROVINCE), zones_page)
        .post("/province/zone", Access::Roles(PROVINCE), choose_zone)
        .get("/api/v1/zones", Access::Roles(EVERYONE), list_zones)
}

async fn summaries(state: &AppState, scope: &Scope) -> AppResult<Vec<ZoneSummary>> {
    let zones = store::all(&state.db).await?;
    let mut out = Vec::new();
    for z in zones {
        if scope.role() == Role::Province || z.id == scope.zone_id() {
            out.push(summary::summary(&state.db, z).await?);
        }
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "zones/list.html")]
struct ZonesPage {
    ctx: PageCtx,
    zones: Vec<ZoneSummary>,
    current: i64,
}

async fn zones_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let zones = summaries(&state, &scope).await?;
    let ctx = ctx.crumb("nav.zones", "");
    Ok(render(&ZonesPage {
        ctx,
        zones,
        current: scope.zone_id(),
    }))
}

#[derive(Deserialize)]
struct ChooseZone {
    zone_id: i64,
}

/// Province readers choose which zone their pages show. A session setting, not domain data.
async fn choose_zone(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<ChooseZone>,
) -> AppResult<Response> {
    let zone = store::by_id(&state.db, form.zone_id)
        .await?
        .ok_or_else(|| AppError::field("zone_id", "所选开发区不存在"))?;
    let Credential::Session { id, .. } = &scope.caller().credential else {
        return Err(AppError::BadRequest(
            "令牌调用请使用 X-Gaoxin-Zone 请求头选择开发区".into(),
        ));
    };
    set_viewing_zone(&state, id, zone.id).await?;
    let message = format!("已切换到：{}", zone.name);
    finish(&state, &headers, "/", Ok(("/".to_string(), message)))
}

/// Zones visible to the caller, with counts: every zone for province readers, the caller's
/// own zone for everyone else.
#[utoipa::path(get, path = "/api/v1/zones", tag = "zones",
    responses((status = 200, body = Vec<ZoneSummary>), (status = 401, body = gaoxin_platform::error::ErrorBody)))]
pub async fn list_zones(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Vec<ZoneSummary>>> {
    Ok(Json(summaries(&state, &scope).await?))
}
