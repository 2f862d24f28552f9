//! Pages and API of the cultivation ladder. This module holds the routes and the parsing of
//! a run's parameters; the pages are in [`overview`] (tier counts per run against the zone's
//! targets, by industry and carrier; runs and their recheck), [`pool`] (the cultivation pool,
//! 培育库, per tier with its .xlsx export), [`expiring`] (recognitions about to expire),
//! [`criteria`] (the criteria in use: upload, text) and [`api`] (with one enterprise's standing).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use gaoxin_core::roles::{DEPARTMENT_EDITORS, ENTERPRISE_READERS, ZONE_READERS};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_rules::ladder;

mod api;
mod criteria;
mod expiring;
mod overview;
mod pool;

pub use api::*;
pub(crate) use criteria::criteria_page_with;
pub use expiring::ExpiringQuery;

pub fn routes() -> Routes {
    Routes::new()
        .get("/ladder", Access::Roles(ZONE_READERS), overview::overview_page)
        .post("/ladder/runs", Access::Roles(DEPARTMENT_EDITORS), overview::run_create)
        .post(
            "/ladder/targets",
            Access::Roles(DEPARTMENT_EDITORS),
            overview::target_set,
        )
        .get("/ladder/pool", Access::Roles(ZONE_READERS), pool::pool_page)
        .get(
            "/ladder/pool/export.xlsx",
            Access::Roles(ZONE_READERS),
            pool::pool_export,
        )
        .get("/ladder/criteria", Access::Roles(ZONE_READERS), criteria::criteria_page)
        .get(
            "/ladder/criteria/{id}",
            Access::Roles(ZONE_READERS),
            criteria::criteria_text_page,
        )
        .get(
            "/ladder/runs/{id}/recheck",
            Access::Roles(ZONE_READERS),
            overview::recheck_page,
        )
        .get("/ladder/expiring", Access::Roles(ZONE_READERS), expiring::expiring_page)
        .get(
            "/ladder/expiring/export.xlsx",
            Access::Roles(ZONE_READERS),
            expiring::expiring_export,
        )
        .get(
            "/api/v1/ladder/runs/{id}/recheck",
            Access::Roles(ZONE_READERS),
            api_recheck,
        )
        .get("/api/v1/ladder/expiring", Access::Roles(ZONE_READERS), api_expiring)
        .get("/api/v1/ladder/criteria", Access::Roles(ZONE_READERS), api_criteria)
        .get("/api/v1/ladder/runs", Access::Roles(ZONE_READERS), api_runs)
        .post("/api/v1/ladder/runs", Access::Roles(DEPARTMENT_EDITORS), api_run_create)
        .get("/api/v1/ladder/runs/{id}", Access::Roles(ZONE_READERS), api_run)
        .get(
            "/api/v1/ladder/runs/{id}/candidates",
            Access::Roles(ZONE_READERS),
            api_candidates,
        )
        .get("/api/v1/ladder/targets", Access::Roles(ZONE_READERS), api_targets)
        .get(
            "/api/v1/enterprises/{id}/ladder",
            Access::Roles(ENTERPRISE_READERS),
            api_standing,
        )
}

fn parse_year(raw: &str) -> AppResult<i32> {
    match raw.trim().parse::<i32>() {
        Ok(y) if (1978..=2100).contains(&y) => Ok(y),
        _ => Err(AppError::field("year", "年度应为四位数字，如 2024")),
    }
}

fn parse_margin(raw: Option<&str>) -> AppResult<Decimal> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(ladder::DEFAULT_MARGIN),
        Some(s) => match s.trim_end_matches('%').parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => Ok(Decimal::new(n.into(), 2)),
            _ => Err(AppError::field("margin", "“差一项”幅度应为 1–100 的整数（百分比）")),
        },
    }
}

fn parse_as_of(raw: Option<&str>, year: i32) -> AppResult<NaiveDate> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(ladder::default_as_of(year)),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| AppError::field("as_of", format!("评价日“{s}”不是日期（应为 2024-12-31）"))),
    }
}
