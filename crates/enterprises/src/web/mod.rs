//! Enterprise pages and the enterprises API: the list with search, filters and sort
//! (`list`), the exports and import templates (`exports`), 一企一档 (`detail`), the import
//! with its preview (`import`) and the JSON API (`api`). This file holds the routes and the
//! number formatting the pages share.

use axum::response::Response;

use gaoxin_core::quantity::Fixed;
use gaoxin_core::roles::{DEPARTMENT_EDITORS, ENTERPRISE_READERS, ZONE_READERS};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::routes::{Access, Routes};

mod api;
mod detail;
mod exports;
mod import;
mod list;

pub use api::*;
pub use detail::AnnualRow;
pub use exports::{EXPORT_LIMIT, YearQuery};
pub use list::ListRow;

use detail::detail_page;
use exports::{annual_export, annual_template, enterprise_template, export, innovation_export, innovation_template};
use import::{import_commit, import_errors_file, import_page, import_upload};
use list::list_page;

pub fn routes() -> Routes {
    Routes::new()
        .get("/enterprises", Access::Roles(ENTERPRISE_READERS), list_page)
        .get("/enterprises/export", Access::Roles(ZONE_READERS), export)
        .get(
            "/enterprises/template.xlsx",
            Access::Roles(ZONE_READERS),
            enterprise_template,
        )
        .get(
            "/enterprises/annual/template.xlsx",
            Access::Roles(ZONE_READERS),
            annual_template,
        )
        .get("/enterprises/annual/export", Access::Roles(ZONE_READERS), annual_export)
        .get(
            "/enterprises/innovation/template.xlsx",
            Access::Roles(ZONE_READERS),
            innovation_template,
        )
        .get(
            "/enterprises/innovation/export",
            Access::Roles(ZONE_READERS),
            innovation_export,
        )
        .get("/enterprises/import", Access::Roles(DEPARTMENT_EDITORS), import_page)
        .upload("/enterprises/import", Access::Roles(DEPARTMENT_EDITORS), import_upload)
        .post(
            "/enterprises/import/{token}/commit",
            Access::Roles(DEPARTMENT_EDITORS),
            import_commit,
        )
        .get(
            "/enterprises/import/{token}/errors.xlsx",
            Access::Roles(DEPARTMENT_EDITORS),
            import_errors_file,
        )
        .get("/enterprises/{id}", Access::Roles(ENTERPRISE_READERS), detail_page)
        .get(
            "/api/v1/enterprises",
            Access::Roles(ENTERPRISE_READERS),
            list_enterprises,
        )
        .get(
            "/api/v1/enterprises/{id}",
            Access::Roles(ENTERPRISE_READERS),
            get_enterprise,
        )
        .get(
            "/api/v1/enterprises/{id}/annual",
            Access::Roles(ENTERPRISE_READERS),
            get_annual,
        )
        .get(
            "/api/v1/enterprises/{id}/innovation",
            Access::Roles(ENTERPRISE_READERS),
            get_innovation,
        )
        .upload(
            "/api/v1/enterprises/import",
            Access::Roles(DEPARTMENT_EDITORS),
            api_import,
        )
}

/// A stored fixed-point figure (`S` decimals) as a report prints it (two decimals, grouped);
/// empty when unknown. Exports keep every stored decimal.
fn fixed<const S: u32>(raw: Option<i64>) -> String {
    raw.map(|r| gaoxin_core::quantity::shown(Fixed::<S>(r).to_decimal(), 2))
        .unwrap_or_default()
}

/// An .xlsx file as a download.
fn xlsx(bytes: Vec<u8>, file_name: &str) -> AppResult<Response> {
    gaoxin_platform::web::xlsx_response(bytes, file_name)
}

/// A failure to write a workbook (never the user's fault).
fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Internal(anyhow::anyhow!("xlsx: {e}"))
}
