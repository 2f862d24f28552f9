//! Every input bounded and checked before a handler sees it (issue 17, finding 9): in the query
//! string, a urlencoded form and a JSON body, no text carries a NUL or another control character
//! (PostgreSQL refuses NUL; none of them belongs in a zone's data), no value is longer than
//! [`MAX_FIELD_CHARS`], and a field named `year` holds a year between 1900 and 2100. A refusal is
//! 422 naming the field. One middleware for every route, so a handler that forgets cannot store
//! what no page can show. Uploads (multipart) are read by their own bounded readers.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::FORM_LIMIT_BYTES;
use crate::error::AppError;

/// The longest value a form or JSON field may hold (characters), when [`FIELD_LIMITS`] does not
/// name it: a long note is a few thousand.
pub const MAX_FIELD_CHARS: usize = 20_000;

/// Per-field limits (characters) for the fields every module shares, with the label a message
/// uses: a name is a line, a note a few paragraphs. A module may check a field more narrowly
/// (a batch title at 200, a reason at 500); none accepts more. Matched on the field's own name,
/// or, for `…_name`, `…_date`, `…_on`, on its ending.
pub const FIELD_LIMITS: &[(&str, &str, usize)] = &[
    ("name", "名称", 200),
    ("short_name", "简称", 50),
    ("display_name", "姓名", 100),
    ("username", "用户名", 64),
    ("password", "密码", 128),
    ("title", "标题", 200),
    ("code", "编码", 64),
    ("uscc", "统一社会信用代码", 64),
    ("industry_code", "行业代码", 64),
    ("contact_person", "联系人", 64),
    ("phone", "联系电话", 64),
    ("email", "电子邮箱", 200),
    ("document_number", "文号", 100),
    ("reference", "编号", 200),
    ("ref", "编号", 200),
    ("investor", "投资方", 200),
    ("location", "地点", 200),
    ("leader", "领导", 100),
    ("officer", "负责人", 100),
    ("unit", "单位", 100),
    ("kind", "类别", 100),
    ("category", "类别", 100),
    ("stage", "阶段", 64),
    ("role", "角色", 64),
    ("section", "章节", 200),
    ("q", "搜索词", 200),
    ("deadline", "时限", 200),
    ("as_of", "日期", 32),
    ("stage_since", "日期", 32),
    ("planned_start", "计划开工", 32),
    ("note", "备注", 5_000),
    ("reason", "理由", 5_000),
    ("answer", "答复", 5_000),
    ("detail", "详情", 5_000),
    ("evidence", "佐证材料", 5_000),
    ("comment", "意见", 5_000),
    ("text", "内容", 20_000),
];

/// The label and the longest value of `field`.
pub fn field_limit(field: &str) -> (&'static str, usize) {
    if let Some((_, label, max)) = FIELD_LIMITS.iter().find(|(name, _, _)| *name == field) {
        return (label, *max);
    }
    if field.ends_with("_name") {
        return ("名称", 200);
    }
    if field.ends_with("_date") || field.ends_with("_on") {
        return ("日期", 32);
    }
    ("", MAX_FIELD_CHARS)
}

/// Paths whose body carries a whole document as one field (a plan's text, parsed and bounded
/// by the plan parser itself).
pub const DOCUMENT_BODIES: &[&str] = &["/api/v1/plans/parse"];

/// Why `value` of `field` is refused, if it is.
pub fn refusal(field: &str, value: &str) -> Option<AppError> {
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Some(AppError::field(
            field,
            format!("{field} 含有不可见的控制字符（U+{:04X}），请删除后重试", u32::from(c)),
        ));
    }
    let (label, max) = field_limit(field);
    let chars = value.chars().count();
    if chars > max {
        let named = if label.is_empty() {
            field.to_string()
        } else {
            format!("{label}（{field}）")
        };
        return Some(AppError::field(
            field,
            format!("{named}过长：{chars} 字，最多 {max} 字"),
        ));
    }
    // A year no calendar computation survives (`2147483647` used to panic in date arithmetic);
    // a year that is merely wrong ("26", "二〇二四") is left to the handler's own message.
    if field == "year"
        && let Ok(y) = value.trim().parse::<i64>()
        && !(0..=9999).contains(&y)
    {
        return Some(AppError::field(
            "year",
            format!(
                "年份须为四位数字（收到“{}”）",
                value.trim().chars().take(20).collect::<String>()
            ),
        ));
    }
    None
}

fn check_pairs(bytes: &[u8]) -> Result<(), AppError> {
    for (key, value) in url::form_urlencoded::parse(bytes) {
        if let Some(e) = refusal(&key, &key).filter(|_| key.chars().any(char::is_control)) {
            return Err(e);
        }
        if let Some(e) = refusal(&key, &value) {
            return Err(e);
        }
    }
    Ok(())
}

fn check_json(path: &str, value: &serde_json::Value) -> Result<(), AppError> {
    let leaf = path.rsplit(['.', ']']).next().unwrap_or(path);
    let field = if leaf.is_empty() { path } else { leaf };
    match value {
        serde_json::Value::String(s) => refusal(field, s).map_or(Ok(()), Err),
        serde_json::Value::Number(n) if field == "year" => refusal("year", &n.to_string()).map_or(Ok(()), Err),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| check_json(&format!("{path}[{i}]"), v)),
        serde_json::Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            if let Some(e) = refusal(k, k).filter(|_| k.chars().any(char::is_control)) {
                return Err(e);
            }
            let inner = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            check_json(&inner, v)
        }),
        _ => Ok(()),
    }
}

/// The middleware: checks the query string, then a urlencoded or JSON body (buffered, then
/// handed on unchanged). A body that is not valid JSON is left for the handler to refuse.
pub async fn bounded(req: Request, next: Next) -> Response {
    if let Some(query) = req.uri().query()
        && let Err(e) = check_pairs(query.as_bytes())
    {
        return e.into_response();
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let is_json = content_type.starts_with("application/json");
    if !(is_form || is_json) || DOCUMENT_BODIES.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, FORM_LIMIT_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return AppError::BadRequest(format!("请求体过大：最多 {} MB", FORM_LIMIT_BYTES / 1024 / 1024))
                .into_response();
        }
    };
    let checked = if is_form {
        check_pairs(&bytes)
    } else {
        match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(value) => check_json("", &value),
            Err(_) => Ok(()),
        }
    };
    if let Err(e) = checked {
        return e.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_long_values_and_odd_years_are_named() {
        assert!(refusal("name", "华为技术有限公司\n第二行\t").is_none());
        let nul = refusal("name", "华为\0").unwrap();
        assert!(nul.to_string().contains("U+0000"), "{nul}");
        assert!(
            refusal("note", &"长".repeat(MAX_FIELD_CHARS + 1))
                .unwrap()
                .to_string()
                .contains("过长")
        );
        assert!(refusal("year", "2147483647").is_some());
        assert!(refusal("year", "-5").is_some());
        for fine in ["2024", "", "26", "二〇二四"] {
            assert!(refusal("year", fine).is_none(), "{fine} is the handler's to judge");
        }
        let json: serde_json::Value = serde_json::json!({"rows": [{"name": "甲", "year": 99999}]});
        let e = check_json("", &json).unwrap_err();
        assert!(
            matches!(e, AppError::Validation { field: Some(ref f), .. } if f == "year"),
            "{e:?}"
        );
        let json: serde_json::Value = serde_json::json!({"rows": [{"reference": "a\u{1b}b"}]});
        let e = check_json("", &json).unwrap_err();
        assert!(
            matches!(e, AppError::Validation { field: Some(ref f), .. } if f == "reference"),
            "{e:?}"
        );
        let long_name = refusal("enterprise_name", &"华".repeat(201)).unwrap().to_string();
        assert!(
            long_name.contains("名称（enterprise_name）过长：201 字，最多 200 字"),
            "{long_name}"
        );
        assert!(refusal("name", &"华".repeat(200)).is_none());
        assert!(refusal("note", &"注".repeat(5_001)).is_some());
        assert!(refusal("due_date", "2026-12-31").is_none());
        assert!(check_pairs(b"q=%E5%8D%8E&page=2").is_ok());
        assert!(check_pairs(b"q=%00").is_err());
    }
}
