//! The home page (首页): what the caller's role needs first. Enterprise users go straight
//! to their own enterprise's page.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use sea_orm::PaginatorTrait;

use crate::app::AppState;
use crate::modules::accounts::entity::account;
use crate::modules::audit::{store as audit, web::beijing};
use crate::modules::departments::entity as department;
use crate::modules::enterprises::store as enterprises;
use crate::platform::audit::entity::Model as AuditLine;
use crate::platform::auth::Scope;
use crate::platform::error::AppResult;
use crate::platform::routes::{Access, Routes};
use crate::platform::web::{PageCtx, render};
use crate::roles::{AUDIT_READERS, EVERYONE, Role};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

pub fn routes() -> Routes {
    Routes::new().get("/", Access::Roles(EVERYONE), home)
}

pub struct Stat {
    pub label: String,
    pub value: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "home/templates/home.html")]
struct HomePage {
    ctx: PageCtx,
    stats: Vec<Stat>,
    recent: Vec<(String, AuditLine, String)>,
}

async fn home(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    if scope.role() == Role::Enterprise {
        let target = match scope.caller().enterprise_id {
            Some(id) => format!("/enterprises/{id}"),
            None => "/account".to_string(),
        };
        return Ok(Redirect::to(&target).into_response());
    }
    let conn = state.db.conn();
    let departments = scope.select::<department::Entity>().count(conn).await?;
    let accounts = account::Entity::find()
        .filter(account::Column::ZoneId.eq(scope.zone_id()))
        .count(conn)
        .await?;
    let enterprises = enterprises::count(&state.db, &scope).await?;
    let stat = |key: &str, n: u64, href: &str| Stat {
        label: ctx.t(key),
        value: crate::platform::web::thousands(n as i64),
        href: href.to_string(),
    };
    let mut stats = vec![
        stat("home.enterprises", enterprises, "/enterprises"),
        stat("home.departments", departments, "/departments"),
    ];
    if AUDIT_READERS.contains(scope.role()) {
        stats.push(stat("home.accounts", accounts, "/admin/users"));
    }
    let recent = if AUDIT_READERS.contains(scope.role()) {
        audit::recent(&state.db, &scope, 8)
            .await?
            .into_iter()
            .map(|l| (beijing(&l.at), l.clone(), ctx.t(&format!("audit.action.{}", l.action))))
            .collect()
    } else {
        Vec::new()
    };
    let mut ctx = ctx;
    ctx.breadcrumbs.clear();
    Ok(render(&HomePage { ctx, stats, recent }))
}
