//! Pages and API of 亩均效益评价: the schemes in use (upload, text), evaluation runs (draft →
//! 公示 → final) with their ranked results and export, one result's explanation with its
//! objections and class adjustment, an enterprise's own results, differentiated policies per
//! class with their lists, D-class clearance, and year-on-year class transitions. This file
//! holds the routes and what the pages share; each file beside it serves one part, and the API
//! is in `api.rs` (re-exported here, where `src/openapi.rs` names its handlers).

mod api;
mod clearance;
mod measures;
mod overview;
mod results;
mod runs;
mod transitions;

pub use api::*;
pub use clearance::CaseQuery;
pub(crate) use overview::overview;
pub use results::ObjectionForm;
pub use runs::ResultQuery;
pub use transitions::TransitionQuery;

use clearance::{case_close, case_page, case_plan, case_progress, clearance_export, clearance_page};
use measures::{measure_add, measure_delete, measures_export, measures_page};
use overview::{overview_page, scheme_page};
use results::{my_page, objection_file, objection_resolve, result_adjust, result_page};
use runs::{clearance_open, run_create, run_export, run_finalize, run_page, run_publish, run_rerun};
use transitions::transitions_page;

use rust_decimal::Decimal;

use gaoxin_core::roles::{DEPARTMENT_EDITORS, ENTERPRISE_READERS, ENTERPRISE_USERS, Role, RoleSet, ZONE_READERS};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::routes::{Access, Routes};

/// Who may object to a result: the enterprise itself, or staff on its behalf (written
/// objections handed in at the 乡镇街道).
const OBJECTORS: RoleSet = RoleSet::of(&[Role::Admin, Role::Staff, Role::Enterprise]);

pub fn routes() -> Routes {
    Routes::new()
        .get("/land", Access::Roles(ZONE_READERS), overview_page)
        .get("/land/schemes/{id}", Access::Roles(ZONE_READERS), scheme_page)
        .post("/land/runs", Access::Roles(DEPARTMENT_EDITORS), run_create)
        .get("/land/runs/{id}", Access::Roles(ENTERPRISE_READERS), run_page)
        .get("/land/runs/{id}/export.xlsx", Access::Roles(ZONE_READERS), run_export)
        .get(
            "/land/runs/{id}/measures.xlsx",
            Access::Roles(ZONE_READERS),
            measures_export,
        )
        .post(
            "/land/runs/{id}/publish",
            Access::Roles(DEPARTMENT_EDITORS),
            run_publish,
        )
        .post(
            "/land/runs/{id}/finalize",
            Access::Roles(DEPARTMENT_EDITORS),
            run_finalize,
        )
        .post("/land/runs/{id}/rerun", Access::Roles(DEPARTMENT_EDITORS), run_rerun)
        .post(
            "/land/runs/{id}/clearance",
            Access::Roles(DEPARTMENT_EDITORS),
            clearance_open,
        )
        .get("/land/results/{id}", Access::Roles(ENTERPRISE_READERS), result_page)
        .post(
            "/land/results/{id}/class",
            Access::Roles(DEPARTMENT_EDITORS),
            result_adjust,
        )
        .post(
            "/land/results/{id}/objections",
            Access::Roles(OBJECTORS),
            objection_file,
        )
        .post(
            "/land/objections/{id}/resolve",
            Access::Roles(DEPARTMENT_EDITORS),
            objection_resolve,
        )
        .get("/land/my", Access::Roles(ENTERPRISE_USERS), my_page)
        .get("/land/measures", Access::Roles(ZONE_READERS), measures_page)
        .post("/land/measures", Access::Roles(DEPARTMENT_EDITORS), measure_add)
        .post(
            "/land/measures/{id}/delete",
            Access::Roles(DEPARTMENT_EDITORS),
            measure_delete,
        )
        .get("/land/clearance", Access::Roles(ZONE_READERS), clearance_page)
        .get(
            "/land/clearance/export.xlsx",
            Access::Roles(ZONE_READERS),
            clearance_export,
        )
        .get("/land/clearance/{id}", Access::Roles(ZONE_READERS), case_page)
        .post(
            "/land/clearance/{id}/plan",
            Access::Roles(DEPARTMENT_EDITORS),
            case_plan,
        )
        .post(
            "/land/clearance/{id}/close",
            Access::Roles(DEPARTMENT_EDITORS),
            case_close,
        )
        .post(
            "/land/clearance/{id}/progress",
            Access::Roles(DEPARTMENT_EDITORS),
            case_progress,
        )
        .get("/land/transitions", Access::Roles(ZONE_READERS), transitions_page)
        .get("/api/v1/land/schemes", Access::Roles(ZONE_READERS), api_schemes)
        .get("/api/v1/land/runs", Access::Roles(ENTERPRISE_READERS), api_runs)
        .post("/api/v1/land/runs", Access::Roles(DEPARTMENT_EDITORS), api_run_create)
        .get("/api/v1/land/runs/{id}", Access::Roles(ENTERPRISE_READERS), api_run)
        .get(
            "/api/v1/land/runs/{id}/results",
            Access::Roles(ENTERPRISE_READERS),
            api_results,
        )
        .post(
            "/api/v1/land/runs/{id}/publish",
            Access::Roles(DEPARTMENT_EDITORS),
            api_publish,
        )
        .post(
            "/api/v1/land/runs/{id}/finalize",
            Access::Roles(DEPARTMENT_EDITORS),
            api_finalize,
        )
        .get(
            "/api/v1/land/results/{id}",
            Access::Roles(ENTERPRISE_READERS),
            api_result,
        )
        .post(
            "/api/v1/land/results/{id}/objections",
            Access::Roles(OBJECTORS),
            api_objection,
        )
        .get("/api/v1/land/clearance", Access::Roles(ZONE_READERS), api_clearance)
        .get("/api/v1/land/transitions", Access::Roles(ZONE_READERS), api_transitions)
}

pub(super) fn parse_year(raw: &str) -> AppResult<i32> {
    match raw.trim().parse::<i32>() {
        Ok(y) if (1978..=2100).contains(&y) => Ok(y),
        _ => Err(AppError::field("year", "年度应为四位数字，如 2024")),
    }
}

/// Points (hundredths) as shown: "87.31".
pub fn show_points(hundredths: i64) -> String {
    Decimal::new(hundredths, 2).to_string()
}
