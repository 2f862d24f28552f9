//! The home page (首页): what the caller's role needs first. Enterprise users go straight
//! to their own enterprise's page.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use sea_orm::PaginatorTrait;

use gaoxin_core::clock::datetime_text;
use gaoxin_core::roles::{AUDIT_READERS, EVERYONE, Role};
use gaoxin_enterprises::store as enterprises;
use gaoxin_platform::AppState;
use gaoxin_platform::accounts::entity::account;
use gaoxin_platform::audit::entity::Model as AuditLine;
use gaoxin_platform::audit_log as audit;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::entity as department;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::web::{PageCtx, render};
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
#[template(path = "home/home.html")]
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
        value: gaoxin_platform::web::thousands(n as i64),
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
            .map(|l| {
                (
                    datetime_text(&l.at),
                    l.clone(),
                    ctx.t(&format!("audit.action.{}", l.action)),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut ctx = ctx;
    ctx.breadcrumbs.clear();
    Ok(render(&HomePage { ctx, stats, recent }))
}
