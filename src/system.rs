//! Routes for machines and the browser's plumbing: the health check and the static files.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use gaoxin_platform::AppState;
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::web::static_file;

pub fn routes() -> Routes {
    Routes::new()
        .get("/healthz", Access::Public, healthz)
        .get("/static/{*path}", Access::Public, static_file)
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when the database answers.
    pub status: String,
    pub database: String,
    pub version: String,
}

/// For monitoring: 200 when the server and its database answer, 503 otherwise.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> Response {
    let ok = state.db.ping().await;
    let body = Health {
        status: if ok { "ok" } else { "unavailable" }.into(),
        database: if ok { "ok" } else { "unreachable" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}
