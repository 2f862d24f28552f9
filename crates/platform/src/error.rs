//! The one error type of the web layer, and how it becomes a response.
//!
//! API routes answer `{"error": {"code", "message", "field"?}}` with a proper status; page
//! routes get the same status with an HTML page (see `auth::web_layer`, which turns the JSON
//! of a non-API error into a page, or a redirect to the login page for 401). Internal errors
//! are logged with their cause chain and answered with an opaque message.

use askama::Template;
use axum::Json;
use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

use crate::i18n::{self, Locale};
use sea_orm::{DbErr, SqlErr};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("未登录或登录已过期，请重新登录")]
    Unauthenticated,
    #[error("令牌无效、已过期或已吊销")]
    InvalidToken,
    #[error("用户名或密码错误")]
    BadCredentials,
    #[error("无权访问：您的角色不能执行此操作")]
    Forbidden,
    #[error("{0}")]
    Csrf(&'static str),
    /// The role may do this, but the object belongs to another department (department scope).
    #[error("{0}")]
    OtherDepartment(String),
    #[error("未找到该记录")]
    NotFound,
    /// No route answers this path (a wrong address, not a missing record).
    #[error("没有这个地址：请检查网址")]
    NoRoute,
    #[error("{message}")]
    Validation { field: Option<String>, message: String },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyAttempts(String),
    /// The server is at its limit for this kind of work (concurrent imports); try again soon.
    #[error("{0}")]
    Busy(String),
    #[error("服务器内部错误，请稍后重试或联系管理员")]
    Internal(#[source] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> AppError {
        AppError::Validation {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::InvalidToken | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf(_) | AppError::OtherDepartment(_) => StatusCode::FORBIDDEN,
            AppError::NotFound | AppError::NoRoute => StatusCode::NOT_FOUND,
            AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidToken => "invalid_token",
            AppError::BadCredentials => "bad_credentials",
            AppError::Forbidden | AppError::OtherDepartment(_) => "forbidden",
            AppError::Csrf(_) => "csrf",
            AppError::NotFound => "not_found",
            AppError::NoRoute => "no_route",
            AppError::Validation { .. } => "validation",
            AppError::BadRequest(_) => "bad_request",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyAttempts(_) => "too_many_attempts",
            AppError::Busy(_) => "busy",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code().to_string(),
                message: self.to_string(),
                field: match self {
                    AppError::Validation { field, .. } => field.clone(),
                    _ => None,
                },
            },
        }
    }
}

/// The JSON error envelope of every API error.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable code: unauthenticated, invalid_token, bad_credentials, forbidden, csrf, not_found, no_route,
    /// validation, bad_request, conflict, too_many_attempts, busy, internal.
    pub code: String,
    /// A message for people, in Chinese.
    pub message: String,
    /// The request field the message is about, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Marks a response as an error, so the page layer can render it as HTML.
#[derive(Clone, Debug)]
pub struct ErrorMarker(pub ErrorBody);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(error = ?cause, "internal error");
        }
        let body = self.body();
        let mut response = (self.status(), Json(body.clone())).into_response();
        response.extensions_mut().insert(ErrorMarker(body));
        response
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> AppError {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                AppError::Conflict("记录已存在：与现有数据重复（唯一性约束）".into())
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                AppError::Conflict("该记录仍被其他数据引用，或引用的数据不存在（外键约束）".into())
            }
            _ => match err {
                DbErr::RecordNotFound(_) | DbErr::RecordNotUpdated => AppError::NotFound,
                other => AppError::Internal(other.into()),
            },
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> AppError {
        AppError::Internal(err)
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> AppError {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => {
                AppError::BadRequest("请求头须为 Content-Type: application/json".into())
            }
            JsonRejection::JsonSyntaxError(e) => {
                AppError::BadRequest(format!("请求体不是有效的 JSON：{}", e.body_text()))
            }
            JsonRejection::JsonDataError(e) => AppError::BadRequest(format!("请求数据与接口不符：{}", e.body_text())),
            JsonRejection::BytesRejection(e) => AppError::BadRequest(format!("无法读取请求体：{}", e.body_text())),
            other => AppError::BadRequest(other.body_text()),
        }
    }
}

impl From<FormRejection> for AppError {
    fn from(rejection: FormRejection) -> AppError {
        AppError::BadRequest(format!("表单数据有误：{}", rejection.body_text()))
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> AppError {
        AppError::BadRequest(format!("查询参数有误：{}", rejection.body_text()))
    }
}

impl From<gaoxin_core::validate::FieldError> for AppError {
    fn from(err: gaoxin_core::validate::FieldError) -> AppError {
        AppError::Validation {
            field: Some(err.field),
            message: err.message,
        }
    }
}

// ---------------------------------------------------------------- error pages

pub fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: &'static str,
    status: u16,
    title: String,
    message: String,
    back: String,
    home: String,
    signed_in: bool,
}

pub fn error_page(status: StatusCode, locale: Locale, message: &str, signed_in: bool) -> Response {
    let title_key = match status.as_u16() {
        403 => "error.forbidden",
        404 => "error.not_found",
        409 => "error.conflict",
        422 | 400 => "error.bad_input",
        429 => "error.too_many",
        _ => "error.internal",
    };
    let page = ErrorPage {
        lang: locale.html_lang(),
        status: status.as_u16(),
        title: i18n::t(locale, title_key).to_string(),
        message: message.to_string(),
        back: i18n::t(locale, "action.back").to_string(),
        home: i18n::t(locale, "nav.home").to_string(),
        signed_in,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "500").into_response()
        }
    }
}
