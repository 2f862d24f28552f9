//! Policy cash-out pages and API: the zone's policies (upload a rule file, read its articles,
//! awards, variables and versions), events (list, form, .xlsx import, API), 免申即享 batches
//! (run → review/exclude → submit → a leader approves or returns → locked, exported; recheck and
//! diff), each award's explanation, the policy evaluation report and the policy calculator.
//!
//! Each group of pages lives in its own file; the API handlers are re-exported here, where the
//! OpenAPI document names them (`web::api_…`).

mod api;
mod awards;
mod batches;
mod event_pages;
mod matching;
mod policies;
mod sandbox;

pub use api::*;
pub use matching::{__path_api_matches, MatchQuery, api_matches};
pub(crate) use policies::policies_page;

use awards::{award_page, awards_page};
use batches::{
    batch_approve, batch_create, batch_diff_page, batch_discard, batch_export, batch_page, batch_recompute,
    batch_return, batch_submit, batches_page, line_exclude, line_include,
};
use event_pages::{event_create, event_delete, event_form, event_import, event_template, events_page};
use matching::{matches_export, matches_page};
use policies::{evaluation_page, policies_list, version_page};
use sandbox::{sandbox_page, sandbox_run};

use crate::compute::yuan;
use crate::store::DiffRow;
use gaoxin_core::roles::{DEPARTMENT_EDITORS, ENTERPRISE_READERS, LEADERS, ZONE_READERS};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::web::PageCtx;
use gaoxin_rules::sources::EventKind;

/// Every page and API route of the module (the policy file upload and the applications have
/// their own), with who may use it.
pub fn routes() -> Routes {
    Routes::new()
        .get("/policies", Access::Roles(ZONE_READERS), policies_list)
        .get("/policies/evaluation", Access::Roles(ZONE_READERS), evaluation_page)
        .get("/policies/versions/{id}", Access::Roles(ZONE_READERS), version_page)
        .get("/policies/events", Access::Roles(ENTERPRISE_READERS), events_page)
        .get("/policies/events/new", Access::Roles(DEPARTMENT_EDITORS), event_form)
        .post("/policies/events", Access::Roles(DEPARTMENT_EDITORS), event_create)
        .post(
            "/policies/events/{id}/delete",
            Access::Roles(DEPARTMENT_EDITORS),
            event_delete,
        )
        .get(
            "/policies/events/template.xlsx",
            Access::Roles(ZONE_READERS),
            event_template,
        )
        .upload(
            "/policies/events/import",
            Access::Roles(DEPARTMENT_EDITORS),
            event_import,
        )
        .get("/policies/batches", Access::Roles(ZONE_READERS), batches_page)
        .post("/policies/batches", Access::Roles(DEPARTMENT_EDITORS), batch_create)
        .get("/policies/batches/{id}", Access::Roles(ZONE_READERS), batch_page)
        .get(
            "/policies/batches/{id}/export.xlsx",
            Access::Roles(ZONE_READERS),
            batch_export,
        )
        .get(
            "/policies/batches/{id}/diff",
            Access::Roles(ZONE_READERS),
            batch_diff_page,
        )
        .post(
            "/policies/batches/{id}/recompute",
            Access::Roles(DEPARTMENT_EDITORS),
            batch_recompute,
        )
        .post(
            "/policies/batches/{id}/submit",
            Access::Roles(DEPARTMENT_EDITORS),
            batch_submit,
        )
        .post(
            "/policies/batches/{id}/discard",
            Access::Roles(DEPARTMENT_EDITORS),
            batch_discard,
        )
        .post("/policies/batches/{id}/approve", Access::Roles(LEADERS), batch_approve)
        .post("/policies/batches/{id}/return", Access::Roles(LEADERS), batch_return)
        .post(
            "/policies/lines/{id}/exclude",
            Access::Roles(DEPARTMENT_EDITORS),
            line_exclude,
        )
        .post(
            "/policies/lines/{id}/include",
            Access::Roles(DEPARTMENT_EDITORS),
            line_include,
        )
        .get("/policies/awards", Access::Roles(ENTERPRISE_READERS), awards_page)
        .get("/policies/sandbox", Access::Roles(ZONE_READERS), sandbox_page)
        .post("/policies/sandbox", Access::Roles(ZONE_READERS), sandbox_run)
        .get("/policies/matches", Access::Roles(ENTERPRISE_READERS), matches_page)
        .get(
            "/policies/matches/export.xlsx",
            Access::Roles(ZONE_READERS),
            matches_export,
        )
        .get("/api/v1/matches", Access::Roles(ENTERPRISE_READERS), api_matches)
        .get("/policies/awards/{id}", Access::Roles(ENTERPRISE_READERS), award_page)
        .get("/api/v1/policies", Access::Roles(ZONE_READERS), api_policies)
        .get("/api/v1/events", Access::Roles(ENTERPRISE_READERS), api_events)
        .post("/api/v1/events", Access::Roles(DEPARTMENT_EDITORS), api_save_events)
        .get("/api/v1/batches", Access::Roles(ZONE_READERS), api_batches)
        .get(
            "/api/v1/batches/{id}/lines",
            Access::Roles(ZONE_READERS),
            api_batch_lines,
        )
        .get(
            "/api/v1/awards/{id}/explain",
            Access::Roles(ENTERPRISE_READERS),
            api_explain,
        )
        .post(
            "/api/v1/policy/calculate",
            Access::Roles(ENTERPRISE_READERS),
            api_calculate,
        )
}

/// The crumb every policies page starts with.
fn ctx_base(ctx: PageCtx) -> PageCtx {
    ctx.crumb("nav.policies", "/policies")
}

/// The event kinds as (code, label), for choosers.
fn kind_choices() -> Vec<(&'static str, &'static str)> {
    EventKind::ALL.iter().map(|k| (k.code(), k.label())).collect()
}

/// A difference between two runs as shown (the batch comparison and the what-if), amounts in
/// yuan.
struct DiffView {
    d: DiffRow,
    before: String,
    after: String,
}

/// The differences as shown: a missing side reads “—”.
fn diff_views(rows: Vec<DiffRow>) -> Vec<DiffView> {
    rows.into_iter()
        .map(|d| DiffView {
            before: d.before.map(yuan).unwrap_or_else(|| "—".into()),
            after: d.after.map(yuan).unwrap_or_else(|| "—".into()),
            d,
        })
        .collect()
}
