//! Pages and API of the task ledger. This module holds the routes and what several pages share
//! (the ledger's filters); the pages are in [`ledger`] (the ledger with colours and filters,
//! its Excel export, a task by hand, the zone's thresholds), [`upload`] (a plan uploaded or
//! pasted → its parsed tasks checked and unknown department names mapped → saved; a ledger
//! imported from Excel), [`task`] (a task's page: progress reports with actuals and evidence, a
//! cooperating department's part, leaders' comments, completion and its confirmation, 督办;
//! the supervision orders), [`bulletin_pages`] (the monthly 督查通报, .docx) and [`api`].

use serde::Deserialize;

use super::domain::Colour;
use super::store::Filter;
use gaoxin_core::roles::{ADMINS, DEPARTMENT_EDITORS, Role, RoleSet, ZONE_READERS};
use gaoxin_platform::routes::{Access, Routes};

mod api;

/// Parses a plan's bytes on a blocking thread (a long document never holds an async worker).
async fn parse_plan(bytes: Vec<u8>) -> Result<gaoxin_rules::plan_parser::ParsedPlan, gaoxin_platform::error::AppError> {
    use gaoxin_platform::error::AppError;
    tokio::task::spawn_blocking(move || gaoxin_rules::plan_parser::parse_bytes(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::BadRequest(e.to_string()))
}
mod bulletin_pages;
mod ledger;
mod task;
mod upload;

pub use api::*;
pub use bulletin_pages::{__path_bulletin_docx, MonthQuery, bulletin_docx, bulletin_of};
pub use ledger::LEDGER_HEADERS;

/// Who writes on tasks at all (what each may do is decided per task: its lead department, a
/// cooperating department, a leader's comment).
const TASK_WRITERS: RoleSet = RoleSet::of(&[Role::Admin, Role::Leader, Role::Staff]);

pub fn routes() -> Routes {
    Routes::new()
        .get("/plans", Access::Roles(ZONE_READERS), ledger::ledger_page)
        .get("/plans/ledger.xlsx", Access::Roles(ZONE_READERS), ledger::ledger_export)
        .get("/plans/upload", Access::Roles(DEPARTMENT_EDITORS), upload::upload_page)
        .upload("/plans/upload", Access::Roles(DEPARTMENT_EDITORS), upload::upload_parse)
        .get(
            "/plans/upload/{token}",
            Access::Roles(DEPARTMENT_EDITORS),
            upload::preview_page,
        )
        .post(
            "/plans/upload/{token}/commit",
            Access::Roles(DEPARTMENT_EDITORS),
            upload::upload_commit,
        )
        .get("/plans/import", Access::Roles(ADMINS), upload::import_page)
        .upload("/plans/import", Access::Roles(ADMINS), upload::import_ledger)
        .get(
            "/plans/tasks/new",
            Access::Roles(DEPARTMENT_EDITORS),
            ledger::task_new_page,
        )
        .post("/plans/tasks", Access::Roles(DEPARTMENT_EDITORS), ledger::task_create)
        .get("/plans/tasks/{id}", Access::Roles(ZONE_READERS), task::task_page)
        .upload(
            "/plans/tasks/{id}/reports",
            Access::Roles(TASK_WRITERS),
            task::report_create,
        )
        .post(
            "/plans/tasks/{id}/edit",
            Access::Roles(DEPARTMENT_EDITORS),
            task::task_edit,
        )
        .post("/plans/tasks/{id}/confirm", Access::Roles(ADMINS), task::task_confirm)
        .post("/plans/tasks/{id}/orders", Access::Roles(ADMINS), task::order_issue)
        .post("/plans/orders/{id}/close", Access::Roles(ADMINS), task::order_close)
        .get("/plans/orders", Access::Roles(ZONE_READERS), task::orders_page)
        .get(
            "/plans/attachments/{id}",
            Access::Roles(ZONE_READERS),
            task::attachment_download,
        )
        .get(
            "/plans/bulletin",
            Access::Roles(ZONE_READERS),
            bulletin_pages::bulletin_page,
        )
        .get("/plans/bulletin.docx", Access::Roles(ZONE_READERS), bulletin_docx)
        .post("/plans/settings", Access::Roles(ADMINS), ledger::settings_save)
        .upload("/api/v1/plans/parse", Access::Roles(DEPARTMENT_EDITORS), api_parse)
        .get("/api/v1/plans", Access::Roles(ZONE_READERS), api_plans)
        .post("/api/v1/plans", Access::Roles(DEPARTMENT_EDITORS), api_plan_create)
        .get("/api/v1/plan-tasks", Access::Roles(ZONE_READERS), api_tasks)
        .get("/api/v1/plan-tasks/{id}", Access::Roles(ZONE_READERS), api_task)
        .post(
            "/api/v1/plan-tasks/{id}/reports",
            Access::Roles(TASK_WRITERS),
            api_report,
        )
        .post("/api/v1/plan-tasks/{id}/confirm", Access::Roles(ADMINS), api_confirm)
        .post("/api/v1/plan-tasks/{id}/supervision", Access::Roles(ADMINS), api_order)
        .post("/api/v1/supervision/{id}/close", Access::Roles(ADMINS), api_order_close)
        .get("/api/v1/plans/bulletin", Access::Roles(ZONE_READERS), api_bulletin)
        .get(
            "/api/v1/plans/bulletin.docx",
            Access::Roles(ZONE_READERS),
            bulletin_docx,
        )
}

fn colour_choices() -> Vec<(&'static str, &'static str)> {
    Colour::ALL.iter().map(|c| (c.code(), c.name())).collect()
}

fn opt_id(raw: &Option<String>) -> Option<i64> {
    raw.as_deref().and_then(|s| s.trim().parse().ok())
}

/// What narrows the ledger (pages and API).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// A plan's id.
    pub plan_id: Option<String>,
    /// A department's id (lead or cooperating).
    pub department_id: Option<String>,
    /// `red`, `yellow`, `blue`, `normal`, `green`.
    pub colour: Option<String>,
    /// Words in the task's text.
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl LedgerQuery {
    fn filter(&self) -> Filter {
        Filter {
            plan_id: opt_id(&self.plan_id),
            department_id: opt_id(&self.department_id),
            colour: self.colour.as_deref().and_then(Colour::parse),
            q: self.q.clone(),
        }
    }
}
