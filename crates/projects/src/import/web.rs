//! The import page and the downloads: the ledger export, the template, and the two uploads
//! (ledger, monthly figures), each imported in one transaction or refused with every row's
//! error on the page.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{
    MONTHLY_COLUMNS, PROJECT_COLUMNS, PROJECT_HEADERS, credit_codes, export_rows, import_monthly, import_projects,
    template,
};
use crate::status::Upload;
use crate::store;
use gaoxin_core::roles::{ADMINS, ZONE_READERS};
use gaoxin_platform::AppState;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::spreadsheet::{ColumnSpec, ImportError};
use gaoxin_platform::uploads::read_form;
use gaoxin_platform::web::{PageCtx, finish, render, render_with_status, xlsx_download, xlsx_response};

pub fn routes() -> Routes {
    Routes::new()
        .get("/projects/export.xlsx", Access::Roles(ZONE_READERS), export)
        .get("/projects/template.xlsx", Access::Roles(ADMINS), template_download)
        .get("/projects/import", Access::Roles(ADMINS), import_page)
        .upload("/projects/import", Access::Roles(ADMINS), upload_ledger)
        .upload("/projects/import/monthly", Access::Roles(ADMINS), upload_monthly)
}

async fn export(State(state): State<AppState>, scope: Scope) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let codes = credit_codes(state.db.conn(), &scope, &book).await?;
    xlsx_download(
        "招商项目台账.xlsx",
        "招商项目",
        &PROJECT_HEADERS,
        export_rows(&book, &codes),
    )
}

async fn template_download() -> AppResult<Response> {
    let bytes = template().map_err(|e| AppError::Internal(anyhow::anyhow!("xlsx: {e}")))?;
    xlsx_response(bytes, "招商项目导入模板.xlsx")
}

/// One column as the import page explains it.
struct Hint {
    header: &'static str,
    required: bool,
    hint: &'static str,
}

fn hints(specs: &[ColumnSpec]) -> Vec<Hint> {
    specs
        .iter()
        .map(|c| Hint {
            header: c.header,
            required: c.required,
            hint: c.hint,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: PageCtx,
    /// Which upload the errors are about: an [`Upload`] code (empty: none).
    refused: &'static str,
    errors: Vec<ImportError>,
    ledger: Vec<Hint>,
    monthly: Vec<Hint>,
}

fn import_page_of(ctx: PageCtx, refused: &'static str, errors: Vec<ImportError>) -> ImportPage {
    ImportPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("project_import.title", ""),
        refused,
        errors,
        ledger: hints(PROJECT_COLUMNS),
        monthly: hints(MONTHLY_COLUMNS),
    }
}

async fn import_page(ctx: PageCtx) -> AppResult<Response> {
    Ok(render(&import_page_of(ctx, "", Vec::new())))
}

const BACK: &str = "/projects/import";

/// Reads the uploaded file and imports it in one transaction: saved → back with a flash;
/// refused → the import page with every row's error (a flash cookie could not hold them).
async fn upload(
    state: &AppState,
    scope: &Scope,
    ctx: PageCtx,
    headers: &HeaderMap,
    multipart: Multipart,
    refused: &'static str,
    import: impl AsyncFnOnce(&mut Writer, &str, &[u8]) -> Result<String, Vec<ImportError>>,
) -> AppResult<Response> {
    let (_, files) = read_form(multipart, "file").await?;
    let Some((file_name, bytes)) = files.into_iter().next() else {
        return finish(
            state,
            headers,
            BACK,
            Err(AppError::field("file", "请选择要导入的 Excel 文件")),
        );
    };
    let mut writer = scope.writer(state).await?;
    match import(&mut writer, &file_name, &bytes).await {
        Ok(message) => {
            writer.commit().await?;
            finish(state, headers, BACK, Ok((BACK.to_string(), message)))
        }
        Err(errors) => {
            drop(writer);
            Ok(render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &import_page_of(ctx, refused, errors),
            ))
        }
    }
}

async fn upload_ledger(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    multipart: Multipart,
) -> AppResult<Response> {
    upload(
        &state,
        &scope,
        ctx,
        &headers,
        multipart,
        Upload::Ledger.code(),
        async |w, name, bytes| {
            let saved = import_projects(w, &scope, name, bytes, scope.today()).await?;
            Ok(format!(
                "已导入 {name}：新增 {} 个项目，更新 {} 个项目",
                saved.created, saved.updated
            ))
        },
    )
    .await
}

async fn upload_monthly(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    multipart: Multipart,
) -> AppResult<Response> {
    upload(
        &state,
        &scope,
        ctx,
        &headers,
        multipart,
        Upload::Monthly.code(),
        async |w, name, bytes| {
            let count = import_monthly(w, &scope, name, bytes, scope.today()).await?;
            Ok(format!("已导入 {name}：{count} 条月度数据"))
        },
    )
    .await
}
