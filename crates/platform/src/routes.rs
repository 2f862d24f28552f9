//! Registering a route means saying who may use it.
//!
//! Modules contribute their routes as a [`Routes`], whose only way to add a route takes an
//! [`Access`]. The guard wraps every route it registers, checks the caller's role, and puts
//! the caller's [`Scope`](super::auth::Scope) (role + zone) into the request. A new route
//! therefore cannot forget its check, and the list of [`RouteSpec`]s is what the authorisation
//! matrix test walks through.

use axum::Router;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};

use super::auth::{Caller, scope_for};
use super::error::AppError;
use crate::AppState;
use gaoxin_core::roles::RoleSet;

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (login page, health check, static files, API docs).
    Public,
    /// Signed-in callers whose role is in the set.
    Roles(RoleSet),
}

/// One registered route: what the authorisation matrix and the OpenAPI coverage test read.
#[derive(Clone, Debug)]
pub struct RouteSpec {
    pub method: Method,
    pub path: String,
    pub access: Access,
}

impl RouteSpec {
    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/v1/") && !self.path.starts_with("/api/v1/docs")
    }
}

pub struct Routes {
    router: Router<AppState>,
    specs: Vec<RouteSpec>,
}

impl Default for Routes {
    fn default() -> Self {
        Routes::new()
    }
}

impl Routes {
    pub fn new() -> Routes {
        Routes {
            router: Router::new(),
            specs: Vec::new(),
        }
    }

    /// Adds `handler` for `method` on `path`, usable by `access`.
    pub fn route<H, T>(mut self, method: Method, path: &str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("a standard HTTP method");
        let method_router = on(filter, handler).route_layer(middleware::from_fn_with_state(access, guard));
        self.router = self.router.route(path, method_router);
        self.specs.push(RouteSpec {
            method,
            path: path.to_string(),
            access,
        });
        self
    }

    /// A POST route that accepts a file upload (a larger body limit than other routes), or
    /// another request whose work grows with what it is sent: it waits for a slot of the
    /// server's [`ImportGate`](super::uploads::ImportGate) before its body is read.
    pub fn upload<H, T>(mut self, path: &str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let method_router = axum::routing::post(handler)
            .layer(axum::extract::DefaultBodyLimit::max(
                super::spreadsheet::MAX_FILE_BYTES + 1024 * 1024,
            ))
            .layer(middleware::from_fn(one_import_slot))
            .route_layer(middleware::from_fn_with_state(access, guard));
        self.router = self.router.route(path, method_router);
        self.specs.push(RouteSpec {
            method: Method::POST,
            path: path.to_string(),
            access,
        });
        self
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &str, access: Access, handler: H) -> Routes {
        self.route(Method::GET, path, access, handler)
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &str, access: Access, handler: H) -> Routes {
        self.route(Method::POST, path, access, handler)
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(self, path: &str, access: Access, handler: H) -> Routes {
        self.route(Method::PUT, path, access, handler)
    }

    pub fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &str, access: Access, handler: H) -> Routes {
        self.route(Method::PATCH, path, access, handler)
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &str, access: Access, handler: H) -> Routes {
        self.route(Method::DELETE, path, access, handler)
    }

    /// Mounts a ready-made public router (the vendored Swagger UI), listing its paths so the
    /// matrix test covers them too.
    pub fn public_router(mut self, router: Router<AppState>, gets: &[&str]) -> Routes {
        self.router = self.router.merge(router);
        self.specs.extend(gets.iter().map(|p| RouteSpec {
            method: Method::GET,
            path: p.to_string(),
            access: Access::Public,
        }));
        self
    }

    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.specs.extend(other.specs);
        self
    }

    pub fn specs(&self) -> &[RouteSpec] {
        &self.specs
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteSpec>) {
        (self.router, self.specs)
    }
}

/// Holds a slot of the server's import gate for the whole request (after the role check).
async fn one_import_slot(req: Request, next: Next) -> Response {
    let Some(gate) = req.extensions().get::<super::uploads::ImportGate>().cloned() else {
        return next.run(req).await;
    };
    match gate.enter().await {
        Ok(_slot) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

async fn guard(State(access): State<Access>, mut req: Request, next: Next) -> Response {
    let Access::Roles(roles) = access else {
        return next.run(req).await;
    };
    let Some(caller) = req.extensions().get::<Caller>().cloned() else {
        return AppError::Unauthenticated.into_response();
    };
    if !roles.contains(caller.role) {
        return AppError::Forbidden.into_response();
    }
    match scope_for(&req, &caller) {
        Ok(scope) => {
            req.extensions_mut().insert(scope);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}
