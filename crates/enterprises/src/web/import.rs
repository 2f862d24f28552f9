//! The import pages: choose a file and its kind, preview what it would change (with the
//! user's file annotated when cells are wrong), then commit it. The upload waits between
//! preview and commit under a token (`platform::uploads`). The API's import shares the
//! reading of the form and the running of an import.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::xlsx;
use crate::import::{ImportOptions, ImportReport, import_annual, import_enterprises, import_yearly};
use crate::innovation::InnovationSheet;
use crate::status::ImportKind;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::duties::{self, Duty, Owner};
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::uploads::{self, Upload};
use gaoxin_platform::web::{PageCtx, finish, render};

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: PageCtx,
    error: Option<String>,
    kinds: &'static [ImportKind],
}

pub(super) async fn import_page(ctx: PageCtx) -> Response {
    render(&ImportPage {
        ctx: ctx
            .crumb("nav.enterprises", "/enterprises")
            .crumb("enterprise.import", ""),
        error: None,
        kinds: ImportKind::ALL,
    })
}

#[derive(Template)]
#[template(path = "preview.html")]
struct PreviewPage {
    ctx: PageCtx,
    report: ImportReport,
    token: String,
    kind: ImportKind,
    has_annotated: bool,
}

/// Reads the multipart form: the file, its name, and the options.
pub(super) async fn read_upload(mut multipart: Multipart) -> AppResult<(String, Vec<u8>, ImportKind, bool, bool)> {
    let (mut file_name, mut bytes) = (String::new(), Vec::new());
    let (mut kind, mut update_existing, mut dry_run) = (ImportKind::Enterprise.code().to_string(), false, false);
    let mut saw_update = false;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("上传内容有误：{e}")))?
    {
        match field.name().unwrap_or("") {
            "file" => {
                file_name = field.file_name().unwrap_or("upload.xlsx").to_string();
                bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::BadRequest("文件过大或上传中断（最多 64 MB）".into()))?
                    .to_vec();
            }
            "kind" => kind = field.text().await.unwrap_or_default(),
            "update_existing" => {
                saw_update = true;
                update_existing = matches!(field.text().await.unwrap_or_default().as_str(), "on" | "true" | "1");
            }
            "dry_run" => dry_run = matches!(field.text().await.unwrap_or_default().as_str(), "on" | "true" | "1"),
            _ => {}
        }
    }
    if bytes.is_empty() {
        return Err(AppError::field("file", "请选择要导入的文件"));
    }
    let Some(kind) = ImportKind::of(&kind) else {
        return Err(AppError::field(
            "kind",
            "导入类型只能是 enterprise（企业）、annual（年度数据）或 innovation（创新指标）",
        ));
    };
    Ok((
        file_name,
        bytes,
        kind,
        if saw_update { update_existing } else { true },
        dry_run,
    ))
}

pub(super) async fn run_import(
    state: &AppState,
    scope: &Scope,
    kind: ImportKind,
    file_name: &str,
    bytes: &[u8],
    options: ImportOptions,
) -> AppResult<(ImportReport, Option<Vec<u8>>)> {
    if !scope.role().may_write() {
        return Err(AppError::Forbidden);
    }
    // The registry is written by the department that holds it (issue 17, finding 5).
    duties::ensure(state.db.conn(), scope, &[Owner::Duty(Duty::Registry)]).await?;
    let ctx = scope.write_context();
    match kind {
        ImportKind::Annual => import_annual(&state.db, ctx, file_name, bytes, options).await,
        ImportKind::Innovation => import_yearly::<InnovationSheet>(&state.db, ctx, file_name, bytes, options).await,
        ImportKind::Enterprise => import_enterprises(&state.db, ctx, file_name, bytes, options).await,
    }
}

pub(super) async fn import_upload(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    multipart: Multipart,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Registry)]).await?;
    let (file_name, bytes, kind, update_existing, _) = match read_upload(multipart).await {
        Ok(v) => v,
        Err(AppError::Validation { message, .. }) => {
            return Ok(render(&ImportPage {
                ctx: ctx
                    .crumb("nav.enterprises", "/enterprises")
                    .crumb("enterprise.import", ""),
                error: Some(message),
                kinds: ImportKind::ALL,
            }));
        }
        Err(e) => return Err(e),
    };
    let options = ImportOptions {
        update_existing,
        dry_run: true,
    };
    let (report, annotated) = run_import(&state, &scope, kind, &file_name, &bytes, options).await?;
    let token = uploads::save(
        &Upload {
            file_name,
            kind: kind.code().to_string(),
            zone_id: scope.zone_id(),
            account_id: scope.caller().account_id,
            update_existing,
        },
        &bytes,
    )?;
    let status = if report.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(&PreviewPage {
        ctx: ctx
            .crumb("nav.enterprises", "/enterprises")
            .crumb("enterprise.import_preview", ""),
        has_annotated: annotated.is_some(),
        report,
        token,
        kind,
    });
    *response.status_mut() = status;
    Ok(response)
}

pub(super) async fn import_commit(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> AppResult<Response> {
    duties::ensure(state.db.conn(), &scope, &[Owner::Duty(Duty::Registry)]).await?;
    let (meta, bytes) = uploads::load(&token, scope.caller().account_id, scope.zone_id())?;
    let options = ImportOptions {
        update_existing: meta.update_existing,
        dry_run: false,
    };
    let kind = ImportKind::of(&meta.kind).unwrap_or_default();
    let (report, _) = run_import(&state, &scope, kind, &meta.file_name, &bytes, options).await?;
    if !report.errors.is_empty() {
        let refused = AppError::BadRequest("文件有错误，未导入：请修改后重新上传".into());
        return finish(&state, &headers, "/enterprises/import", Err(refused));
    }
    uploads::remove(&token);
    let what = kind.label();
    let message = format!(
        "已导入{what}“{}”：新增 {}，更新 {}，不变 {}",
        meta.file_name, report.new, report.changed, report.unchanged
    );
    finish(
        &state,
        &headers,
        "/enterprises/import",
        Ok(("/enterprises".into(), message)),
    )
}

pub(super) async fn import_errors_file(
    State(state): State<AppState>,
    scope: Scope,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (meta, bytes) = uploads::load(&token, scope.caller().account_id, scope.zone_id())?;
    let options = ImportOptions {
        update_existing: meta.update_existing,
        dry_run: true,
    };
    let kind = ImportKind::of(&meta.kind).unwrap_or_default();
    let (_, annotated) = run_import(&state, &scope, kind, &meta.file_name, &bytes, options).await?;
    let annotated = annotated.ok_or(AppError::NotFound)?;
    let stem = meta
        .file_name
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(&meta.file_name);
    xlsx(annotated, &format!("{stem}-错误说明.xlsx"))
}
