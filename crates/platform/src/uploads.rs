//! Files uploaded for an import, kept between the preview and the commit (and for the
//! annotated error file). Stored under the system temp directory; a token names each, and
//! only the account that uploaded a file can use its token.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Multipart;

use serde::{Deserialize, Serialize};

use super::error::{AppError, AppResult};
use super::secrets::random_hex;

/// How many uploads one server reads and checks at once (imports, rule files, plans): the
/// others wait their turn, up to [`ImportGate::wait`], then get 503 with a message. With the
/// reading itself on blocking threads ([`crate::spreadsheet::read`]), this keeps async workers
/// free for pages and `/healthz` however many large files arrive together (issue 17, finding 2).
#[derive(Clone, Debug)]
pub struct ImportGate {
    slots: Arc<tokio::sync::Semaphore>,
    pub wait: Duration,
}

impl ImportGate {
    pub fn new(slots: usize, wait: Duration) -> ImportGate {
        ImportGate {
            slots: Arc::new(tokio::sync::Semaphore::new(slots.max(1))),
            wait,
        }
    }

    /// One slot fewer than the machine has cores (at least one): a core stays for everyone else.
    pub fn for_this_machine() -> ImportGate {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        ImportGate::new(cores.saturating_sub(1), Duration::from_secs(120))
    }

    /// Waits for a slot; the slot is free again when the permit is dropped.
    pub async fn enter(&self) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
        let busy = || AppError::Busy("服务器正在处理其他导入文件，请稍后再试".into());
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(busy()),
        }
    }
}

impl Default for ImportGate {
    fn default() -> ImportGate {
        ImportGate::for_this_machine()
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Upload {
    pub file_name: String,
    /// What the file is for (`enterprise`, `annual`).
    pub kind: String,
    pub zone_id: i64,
    pub account_id: i64,
    pub update_existing: bool,
}

fn dir() -> PathBuf {
    std::env::temp_dir().join("gaoxin-uploads")
}

fn valid_token(token: &str) -> bool {
    token.len() == 32 && token.chars().all(|c| c.is_ascii_hexdigit())
}

pub fn save(meta: &Upload, bytes: &[u8]) -> Result<String, AppError> {
    let token = random_hex(16);
    let dir = dir();
    let internal = |e: std::io::Error| AppError::Internal(e.into());
    std::fs::create_dir_all(&dir).map_err(internal)?;
    private(&dir, 0o700).map_err(internal)?;
    let json = serde_json::to_vec(meta).map_err(|e| AppError::Internal(e.into()))?;
    for (path, content) in [
        (dir.join(format!("{token}.bin")), bytes),
        (dir.join(format!("{token}.json")), &json[..]),
    ] {
        std::fs::write(&path, content).map_err(internal)?;
        private(&path, 0o600).map_err(internal)?;
    }
    Ok(token)
}

/// Uploads hold a zone's data: readable by the server's own user only (issue 17, finding 10).
#[cfg(unix)]
fn private(path: &std::path::Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn private(_: &std::path::Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

/// Where uploads wait between preview and commit (for tests and operators).
pub fn folder() -> PathBuf {
    dir()
}

/// The upload behind a token, if it exists and belongs to this account and zone.
pub fn load(token: &str, account_id: i64, zone_id: i64) -> Result<(Upload, Vec<u8>), AppError> {
    if !valid_token(token) {
        return Err(AppError::NotFound);
    }
    let dir = dir();
    let meta: Upload = std::fs::read(dir.join(format!("{token}.json")))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(AppError::NotFound)?;
    if meta.account_id != account_id || meta.zone_id != zone_id {
        return Err(AppError::NotFound);
    }
    let bytes = std::fs::read(dir.join(format!("{token}.bin"))).map_err(|_| AppError::NotFound)?;
    Ok((meta, bytes))
}

pub fn remove(token: &str) {
    if valid_token(token) {
        let dir = dir();
        let _ = std::fs::remove_file(dir.join(format!("{token}.bin")));
        let _ = std::fs::remove_file(dir.join(format!("{token}.json")));
    }
}

/// The attachment types accepted (evidence files, application materials): extension → MIME type.
pub const ATTACHMENT_TYPES: &[(&str, &str)] = &[
    (".pdf", "application/pdf"),
    (".jpg", "image/jpeg"),
    (".jpeg", "image/jpeg"),
    (".png", "image/png"),
    (
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (".doc", "application/msword"),
    (".xls", "application/vnd.ms-excel"),
];

/// The MIME type of an accepted attachment, by its extension; None for other files.
pub fn content_type_of(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    ATTACHMENT_TYPES
        .iter()
        .find(|(ext, _)| lower.ends_with(ext))
        .map(|(_, t)| *t)
}

/// A multipart form: its text fields, and the files of the field `file_field` (file name and
/// bytes; an empty file input is left out).
pub async fn read_form(
    mut multipart: Multipart,
    file_field: &str,
) -> AppResult<(HashMap<String, String>, Vec<(String, Vec<u8>)>)> {
    let (mut fields, mut files) = (HashMap::new(), Vec::new());
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("上传内容有误：{e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == file_field {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::BadRequest("文件过大或上传中断（最多 64 MB）".into()))?;
            if !bytes.is_empty() {
                files.push((
                    if file_name.is_empty() {
                        "upload".into()
                    } else {
                        file_name
                    },
                    bytes.to_vec(),
                ));
            }
        } else {
            fields.insert(name, field.text().await.unwrap_or_default());
        }
    }
    Ok((fields, files))
}

/// A multipart form with one required file in the field `file`.
pub async fn read_multipart(multipart: Multipart) -> AppResult<(String, Vec<u8>, HashMap<String, String>)> {
    let (fields, files) = read_form(multipart, "file").await?;
    let (file_name, bytes) = files
        .into_iter()
        .next()
        .ok_or_else(|| AppError::field("file", "请选择要上传的文件"))?;
    Ok((file_name, bytes, fields))
}
