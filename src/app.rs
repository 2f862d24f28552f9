//! Assembling the application: state, the module routes, the middleware stack, serving.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Request, header};
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::system;
use gaoxin_admin::{accounts, audit, departments, home, settings, zones};
use gaoxin_core::roles::{AUDIT_READERS, EVERYONE, PROVINCE, ZONE_READERS};
use gaoxin_platform::auth::authenticate;
use gaoxin_platform::panels::EnterprisePanels;
use gaoxin_platform::routes::{RouteSpec, Routes};
use gaoxin_platform::web::{NavGroup, NavLink, Navigation};
pub use gaoxin_platform::{AppConfig, AppState};

/// The module navigation of PRODUCT.md. Links with an empty `href` are modules not built yet.
pub static NAVIGATION: &[NavGroup] = &[
    NavGroup {
        key: "nav.group.work",
        links: &[
            NavLink {
                key: "nav.home",
                href: "/",
                roles: EVERYONE,
            },
            NavLink {
                key: "nav.cockpit",
                href: "",
                roles: ZONE_READERS,
            },
        ],
    },
    NavGroup {
        key: "nav.group.enterprise",
        links: &[
            NavLink {
                key: "nav.enterprises",
                href: "/enterprises",
                roles: ZONE_READERS,
            },
            NavLink {
                key: "nav.ladder",
                href: "/ladder",
                roles: ZONE_READERS,
            },
            NavLink {
                key: "nav.service",
                href: "",
                roles: ZONE_READERS,
            },
        ],
    },
    NavGroup {
        key: "nav.group.economy",
        links: &[
            NavLink {
                key: "nav.policies",
                href: "/policies",
                roles: ZONE_READERS,
            },
            NavLink {
                key: "nav.my_matches",
                href: "/policies/matches",
                roles: gaoxin_core::roles::ENTERPRISE_USERS,
            },
            NavLink {
                key: "nav.my_applications",
                href: "/policies/applications",
                roles: gaoxin_core::roles::ENTERPRISE_USERS,
            },
            NavLink {
                key: "nav.my_awards",
                href: "/policies/awards",
                roles: gaoxin_core::roles::ENTERPRISE_USERS,
            },
            NavLink {
                key: "nav.land",
                href: "/land",
                roles: ZONE_READERS,
            },
            NavLink {
                key: "nav.my_land",
                href: "/land/my",
                roles: gaoxin_core::roles::ENTERPRISE_USERS,
            },
            NavLink {
                key: "nav.projects",
                href: "/projects",
                roles: gaoxin_core::roles::ENTERPRISE_READERS,
            },
        ],
    },
    NavGroup {
        key: "nav.group.supervision",
        links: &[
            NavLink {
                key: "nav.tasks",
                href: "/plans",
                roles: ZONE_READERS,
            },
            NavLink {
                key: "nav.targets",
                href: "/targets",
                roles: ZONE_READERS,
            },
            NavLink {
                key: "nav.records",
                href: "",
                roles: ZONE_READERS,
            },
        ],
    },
    NavGroup {
        key: "nav.system",
        links: &[
            NavLink {
                key: "nav.departments",
                href: "/departments",
                roles: ZONE_READERS,
            },
            NavLink {
                key: "nav.settings",
                href: "/settings",
                roles: ZONE_READERS,
            },
            NavLink {
                key: "nav.users",
                href: "/admin/users",
                roles: AUDIT_READERS,
            },
            NavLink {
                key: "nav.audit",
                href: "/audit",
                roles: AUDIT_READERS,
            },
            NavLink {
                key: "nav.zones",
                href: "/province/zones",
                roles: PROVINCE,
            },
            NavLink {
                key: "nav.account",
                href: "/account",
                roles: EVERYONE,
            },
        ],
    },
];

/// Every route of every module, with who may use it.
pub fn routes() -> Routes {
    Routes::new()
        .merge(home::routes())
        .merge(accounts::routes())
        .merge(departments::routes())
        .merge(settings::routes())
        .merge(gaoxin_enterprises::routes())
        .merge(gaoxin_enterprises::corrections::routes())
        .merge(gaoxin_policies::routes())
        .merge(gaoxin_policies::applications::routes())
        .merge(gaoxin_ladder::routes())
        .merge(gaoxin_land::routes())
        .merge(gaoxin_plans::routes())
        .merge(gaoxin_projects::routes())
        .merge(gaoxin_targets::routes())
        .merge(audit::routes())
        .merge(zones::routes())
        .merge(system::routes())
        .merge(crate::openapi::routes())
}

/// The cards other modules add to the enterprise page (each says where it goes).
pub fn enterprise_panels() -> EnterprisePanels {
    EnterprisePanels::new(vec![
        Arc::new(gaoxin_ladder::panel::Panel),
        Arc::new(gaoxin_land::panel::Panel),
        Arc::new(gaoxin_policies::panel::Panel),
    ])
}

/// The route list (for the authorisation matrix and OpenAPI coverage tests).
pub fn route_specs() -> Vec<RouteSpec> {
    routes().into_parts().1
}

#[derive(Clone, Default)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&gaoxin_platform::secrets::random_hex(8))
            .ok()
            .map(RequestId::new)
    }
}

/// Scripts only from the server's own files (no inline script, no `eval`); inline styles are
/// allowed (ECharts and htmx set them); no framing; forms post only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %what, "a request panicked");
    axum::response::IntoResponse::into_response(gaoxin_platform::error::AppError::Internal(anyhow::anyhow!(
        "panic: {what}"
    )))
}

/// The whole application as a router, ready for `axum::serve` or for tests (`oneshot`).
pub fn app(state: AppState) -> Router {
    let (router, _) = routes().into_parts();
    layered(router, state)
}

/// The middleware every route runs under (request id, tracing, panics, security headers, input
/// bounds, authentication, the import gate), around `router`. Public so that a test can put a
/// route of its own under the same layers (a handler that panics).
pub fn layered(router: Router<AppState>, state: AppState) -> Router {
    let x_request_id = header::HeaderName::from_static("x-request-id");
    router
        .fallback(|| async { gaoxin_platform::error::AppError::NoRoute })
        .layer(axum::middleware::from_fn(gaoxin_platform::inputs::bounded))
        .layer(axum::middleware::from_fn_with_state(state.clone(), authenticate))
        .layer(axum::Extension(Navigation(NAVIGATION)))
        .layer(axum::Extension(state.config.imports.clone()))
        .layer(axum::Extension(enterprise_panels()))
        .layer(DefaultBodyLimit::max(gaoxin_platform::auth::FORM_LIMIT_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // No script but our own files: data in a page can never run (issue 17, finding 3).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // Pages and exports hold a zone's data: not kept by browsers or proxies (static files
        // set their own).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // A panic anywhere is a logged 500 with a body, never a dropped connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_response))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            // Path only: query strings may carry search terms, never secrets, but stay out anyway.
            tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
        }))
        .layer(SetRequestIdLayer::new(x_request_id, RandomRequestId))
        .with_state(state)
}

/// Serves until Ctrl-C / SIGTERM.
pub async fn serve(state: AppState, bind: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| anyhow::anyhow!("无法监听 {bind}：{e}"))?;
    tracing::info!(%bind, "gaoxin listening");
    // The peer's address reaches handlers (login throttling per address).
    axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    // Give in-flight requests a moment; axum waits for them after this returns.
    tokio::time::sleep(Duration::from_millis(10)).await;
}
