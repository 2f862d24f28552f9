//! Pages and API of the zone settings.

use std::collections::BTreeMap;

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use gaoxin_core::roles::{ADMINS, Role, ZONE_READERS};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult, ErrorBody};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::settings::{self, Setting};
use gaoxin_platform::web::{ApiJson, PageCtx, WebForm, finish, render};

pub fn routes() -> Routes {
    Routes::new()
        .get("/settings", Access::Roles(ZONE_READERS), page)
        .post("/settings", Access::Roles(ADMINS), save_form)
        .get("/api/v1/settings", Access::Roles(ZONE_READERS), list_settings)
        .put("/api/v1/settings", Access::Roles(ADMINS), set_settings)
}

/// One setting with the zone's value.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SettingOut {
    pub key: String,
    pub label: String,
    pub unit: String,
    pub hint: String,
    pub min: i64,
    pub max: i64,
    pub default: i64,
    pub value: i64,
    /// True when the zone has not changed it.
    pub is_default: bool,
}

async fn settings_out(state: &AppState, scope: &Scope) -> AppResult<Vec<SettingOut>> {
    Ok(settings::values(state.db.conn(), scope.zone_id())
        .await?
        .into_iter()
        .map(|(s, value, is_default)| SettingOut {
            key: s.code.into(),
            label: s.label.into(),
            unit: s.unit.into(),
            hint: s.hint.into(),
            min: s.min,
            max: s.max,
            default: s.default,
            value,
            is_default,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "settings/page.html")]
struct Page {
    ctx: PageCtx,
    rows: Vec<SettingOut>,
    can_edit: bool,
}

async fn page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    Ok(render(&Page {
        rows: settings_out(&state, &scope).await?,
        ctx: ctx.crumb("nav.system", "").crumb("nav.settings", ""),
        can_edit: scope.role() == Role::Admin,
    }))
}

/// Checks every value first, then saves them all in one transaction (nothing when one is wrong).
async fn save_all(state: &AppState, scope: &Scope, values: &BTreeMap<String, String>) -> AppResult<usize> {
    let mut chosen: Vec<(&Setting, i64)> = Vec::new();
    for (key, raw) in values {
        if key.starts_with('_') {
            continue;
        }
        let setting = settings::by_key(key).ok_or_else(|| AppError::field(key, format!("未知的设置项“{key}”")))?;
        chosen.push((setting, setting.parse(raw)?));
    }
    let mut writer = scope.writer(state).await?;
    for (setting, value) in &chosen {
        settings::set(&mut writer, scope.zone_id(), setting, *value).await?;
    }
    writer.commit().await?;
    Ok(chosen.len())
}

async fn save_form(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(values): WebForm<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let result = async {
        save_all(&state, &scope, &values).await?;
        Ok(("/settings".to_string(), "已保存本区设置".to_string()))
    }
    .await;
    finish(&state, &headers, "/settings", result)
}

/// The zone's settings: each with its bounds, default and the zone's value.
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings",
    responses((status = 200, description = "本区设置", body = Vec<SettingOut>)))]
pub async fn list_settings(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Vec<SettingOut>>> {
    Ok(Json(settings_out(&state, &scope).await?))
}

/// Changes settings (admin): `{"upload.max_rows": 50000, …}`; settings left out stay. All or
/// nothing: one value out of bounds changes none.
#[utoipa::path(put, path = "/api/v1/settings", tag = "settings",
    request_body = BTreeMap<String, i64>,
    responses((status = 200, description = "保存后的本区设置", body = Vec<SettingOut>),
              (status = 422, description = "设置项未知或超出范围", body = ErrorBody)))]
pub async fn set_settings(
    State(state): State<AppState>,
    scope: Scope,
    ApiJson(body): ApiJson<BTreeMap<String, serde_json::Value>>,
) -> AppResult<Json<Vec<SettingOut>>> {
    let values = body
        .into_iter()
        .map(|(k, v)| {
            let raw = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (k, raw)
        })
        .collect();
    save_all(&state, &scope, &values).await?;
    Ok(Json(settings_out(&state, &scope).await?))
}
