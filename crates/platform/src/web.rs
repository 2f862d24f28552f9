//! The web shell every page module reuses: the page context (layout, navigation, flash,
//! CSRF token), rendering, pagination, form errors, request extractors with Chinese error
//! messages, .xlsx downloads and the vendored static files.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Path};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use rust_embed::RustEmbed;
use serde::Deserialize;

use super::auth::{Caller, FLASH_COOKIE, cookie, set_cookie};
use super::error::{AppError, AppResult};
use super::i18n::{self, Locale};
use crate::AppState;
use gaoxin_core::roles::{Role, RoleSet};

/// A link of the module navigation. `href` empty = a module of PRODUCT.md not built yet,
/// shown greyed so the map of the product is visible from day one.
pub struct NavLink {
    pub key: &'static str,
    pub href: &'static str,
    pub roles: RoleSet,
}

pub struct NavGroup {
    pub key: &'static str,
    pub links: &'static [NavLink],
}

/// The navigation the binary wires in (put into every request).
#[derive(Clone, Copy)]
pub struct Navigation(pub &'static [NavGroup]);

pub struct NavGroupView {
    pub label: String,
    pub links: Vec<NavLinkView>,
}

pub struct NavLinkView {
    pub label: String,
    pub href: String,
    pub active: bool,
    pub enabled: bool,
}

pub struct Flash {
    pub kind: String,
    pub message: String,
}

pub struct ZoneChoice {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

/// Everything the layout needs. Every page template has a `ctx: PageCtx` field.
pub struct PageCtx {
    pub locale: Locale,
    pub caller: Option<Caller>,
    pub csrf: String,
    pub flash: Option<Flash>,
    pub path: String,
    pub nav: Vec<NavGroupView>,
    pub zone_choices: Vec<ZoneChoice>,
    pub breadcrumbs: Vec<(String, String)>,
}

impl PageCtx {
    pub fn t(&self, key: &str) -> String {
        i18n::t(self.locale, key).to_string()
    }

    pub fn lang(&self) -> &'static str {
        self.locale.html_lang()
    }

    pub fn role_label(&self) -> String {
        self.caller
            .as_ref()
            .map(|c| self.t(c.role.label_key()))
            .unwrap_or_default()
    }

    pub fn user_name(&self) -> String {
        self.caller.as_ref().map(|c| c.display_name.clone()).unwrap_or_default()
    }

    pub fn zone_name(&self) -> String {
        self.caller
            .as_ref()
            .and_then(|c| c.zone.as_ref())
            .map(|z| z.name.clone())
            .unwrap_or_default()
    }

    pub fn is_role(&self, code: &str) -> bool {
        self.caller.as_ref().is_some_and(|c| c.role.code() == code)
    }

    /// Adds a breadcrumb (label key, link; empty link for the current page).
    pub fn crumb(mut self, key: &str, href: &str) -> PageCtx {
        let label = self.t(key);
        self.breadcrumbs.push((label, href.to_string()));
        self
    }

    pub fn crumb_text(mut self, label: impl Into<String>, href: &str) -> PageCtx {
        self.breadcrumbs.push((label.into(), href.to_string()));
        self
    }

    /// Money, counts: 1234567 → "1,234,567".
    pub fn thousands(&self, n: &i64) -> String {
        thousands(*n)
    }
}

pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<PageCtx, AppError> {
        let caller = parts.extensions.get::<Caller>().cloned();
        let locale = caller.as_ref().map(|c| c.locale).unwrap_or_default();
        let path = parts.uri.path().to_string();
        let flash = cookie(&parts.headers, FLASH_COOKIE).and_then(decode_flash);
        let role = caller.as_ref().map(|c| c.role);
        let navigation = parts.extensions.get::<Navigation>().copied();
        let nav = match (role, navigation) {
            (Some(role), Some(Navigation(groups))) => nav_for(groups, role, locale, &path),
            _ => Vec::new(),
        };
        let zone_choices = match &caller {
            Some(c) if c.role == Role::Province => {
                let current = c.zone.as_ref().map(|z| z.id);
                crate::zones::store::all(&state.db)
                    .await?
                    .into_iter()
                    .map(|z| ZoneChoice {
                        selected: Some(z.id) == current,
                        id: z.id,
                        name: z.name,
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        let home = i18n::t(locale, "nav.home").to_string();
        Ok(PageCtx {
            locale,
            csrf: caller
                .as_ref()
                .and_then(|c| c.csrf_token().map(str::to_string))
                .unwrap_or_default(),
            caller,
            flash,
            path,
            nav,
            zone_choices,
            breadcrumbs: vec![(home, "/".to_string())],
        })
    }
}

fn nav_for(navigation: &[NavGroup], role: Role, locale: Locale, path: &str) -> Vec<NavGroupView> {
    navigation
        .iter()
        .filter_map(|group| {
            let links: Vec<NavLinkView> = group
                .links
                .iter()
                .filter(|l| l.roles.contains(role))
                .map(|l| NavLinkView {
                    label: i18n::t(locale, l.key).to_string(),
                    href: l.href.to_string(),
                    active: !l.href.is_empty() && (path == l.href || (l.href != "/" && path.starts_with(l.href))),
                    enabled: !l.href.is_empty(),
                })
                .collect();
            (!links.is_empty()).then(|| NavGroupView {
                label: i18n::t(locale, group.key).to_string(),
                links,
            })
        })
        .collect()
}

fn decode_flash(raw: &str) -> Option<Flash> {
    let decoded: String = url::form_urlencoded::parse(format!("f={raw}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())?;
    let (kind, message) = decoded.split_once('|')?;
    Some(Flash {
        kind: kind.to_string(),
        message: message.to_string(),
    })
}

/// Redirects (303) after a successful form post, with a message for the next page.
pub(crate) fn redirect_with_flash(
    state: &AppState,
    headers: &HeaderMap,
    to: &str,
    kind: &str,
    message: &str,
) -> Response {
    let value: String = url::form_urlencoded::byte_serialize(format!("{kind}|{message}").as_bytes()).collect();
    let mut response = Redirect::to(to).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(state, headers, FLASH_COOKIE, &value, 60));
    response
}

/// How every form action ends, the one way: `Ok((to, message))` — the action committed — is a
/// 303 to `to` with `message`; a refusal the user can act on (a validation error, a conflict
/// such as a duplicate or "该问题已解决", a bad request) is a 303 back to `back` with the reason,
/// the writer dropped so nothing changed; anything else is the error page.
pub fn finish(
    state: &AppState,
    headers: &HeaderMap,
    back: &str,
    result: AppResult<(String, String)>,
) -> AppResult<Response> {
    match result {
        Ok((to, message)) => Ok(redirect_with_flash(state, headers, &to, "success", &message)),
        Err(AppError::Validation { message, .. } | AppError::Conflict(message) | AppError::BadRequest(message)) => {
            Ok(redirect_with_flash(state, headers, back, "error", &message))
        }
        Err(e) => Err(e),
    }
}

/// An optional `yyyy-mm-dd` form field; the error names the field and what it is.
pub fn parse_date(raw: Option<&str>, field: &'static str, what: &str) -> AppResult<Option<NaiveDate>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::field(field, format!("{what}“{s}”不是日期（应为 2024-12-31）"))),
    }
}

/// Renders a template, or a logged 500 when rendering fails.
/// Data for a page's script, to be written with `|safe` inside
/// `<script type="application/json">`: `<`, `>` and `&` become `\u003c` … so that no value (a
/// criteria name, a class name) can close the element and start markup of its own.
pub fn script_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    for c in value.to_string().chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

pub fn render<T: Template>(template: &T) -> Response {
    render_with_status(StatusCode::OK, template)
}

/// Renders a part of a page (a card another module adds) to HTML.
pub fn render_fragment<T: Template>(template: &T) -> AppResult<String> {
    template
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template rendering failed: {e}")))
}

pub fn render_with_status<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("template rendering failed: {e}")).into_response(),
    }
}

/// Field-level form errors, shown under each field.
#[derive(Default, Debug)]
pub struct FormErrors(pub BTreeMap<String, String>);

impl FormErrors {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.insert(field.to_string(), message.into());
    }

    pub fn from_error(err: &AppError) -> Option<FormErrors> {
        match err {
            AppError::Validation {
                field: Some(f),
                message,
            } => {
                let mut errors = FormErrors::default();
                errors.add(f, message.clone());
                Some(errors)
            }
            AppError::Conflict(message) | AppError::Validation { field: None, message } => {
                let mut errors = FormErrors::default();
                errors.add("_form", message.clone());
                Some(errors)
            }
            _ => None,
        }
    }
}

/// `?page=&per_page=` of a list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1-based page number (default 1).
    pub page: Option<u64>,
    /// Rows per page: 10, 20, 50 or 100 (default 20).
    pub per_page: Option<u64>,
}

impl PageParams {
    pub fn per_page(&self) -> u64 {
        match self.per_page {
            Some(n @ (10 | 20 | 50 | 100)) => n,
            Some(n) if n > 100 => 100,
            Some(n) if n > 0 => n,
            _ => 20,
        }
    }

    pub fn page(&self) -> u64 {
        self.page.unwrap_or(1).max(1)
    }

    pub fn offset(&self) -> u64 {
        (self.page() - 1).saturating_mul(self.per_page())
    }
}

/// `?q=&page=&per_page=` of a searchable list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Search text (matched in the list's name-like columns).
    pub q: Option<String>,
    /// 1-based page number (default 1).
    pub page: Option<u64>,
    /// Rows per page: 10, 20, 50 or 100 (default 20).
    pub per_page: Option<u64>,
}

impl SearchParams {
    pub fn paging(&self) -> PageParams {
        PageParams {
            page: self.page,
            per_page: self.per_page,
        }
    }

    pub fn text(&self) -> Option<&str> {
        self.q.as_deref()
    }
}

/// The pagination bar: "共 1,234 条", page links that keep the other query parameters,
/// page size choice.
pub struct Pager {
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
    path: String,
    query: Vec<(String, String)>,
}

impl Pager {
    pub fn new(params: &PageParams, total: u64, path: &str, raw_query: Option<&str>) -> Pager {
        let query = raw_query
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .filter(|(k, _)| k != "page")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Pager {
            page: params.page(),
            per_page: params.per_page(),
            total,
            path: path.to_string(),
            query,
        }
    }

    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page).max(1)
    }

    pub fn href(&self, page: impl std::borrow::Borrow<u64>) -> String {
        let page = *page.borrow();
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.query {
            ser.append_pair(k, v);
        }
        ser.append_pair("page", &page.to_string());
        format!("{}?{}", self.path, ser.finish())
    }

    /// The query string without `page` and `per_page`, for the page-size form.
    pub fn hidden_fields(&self) -> Vec<(String, String)> {
        self.query.iter().filter(|(k, _)| k != "per_page").cloned().collect()
    }

    pub fn has_prev(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }

    pub fn prev_href(&self) -> String {
        self.href(self.page.saturating_sub(1).max(1))
    }

    pub fn next_href(&self) -> String {
        self.href((self.page + 1).min(self.pages()))
    }

    /// Up to 7 page numbers around the current one.
    pub fn window(&self) -> Vec<u64> {
        let last = self.pages();
        let start = self.page.saturating_sub(3).max(1);
        let end = (start + 6).min(last);
        let start = end.saturating_sub(6).max(1);
        (start..=end).collect()
    }

    pub fn total_text(&self) -> String {
        thousands(self.total as i64)
    }
}

/// JSON body extractor whose rejections are API errors in Chinese.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// Form body extractor whose rejections are errors in Chinese.
#[derive(FromRequest)]
#[from_request(via(axum::Form), rejection(AppError))]
pub struct WebForm<T>(pub T);

/// Query-string extractor whose rejections are errors in Chinese. Before the fields are read,
/// the parameters every list shares are checked for range (`page`, `per_page`, `year`), so that
/// no handler computes with `page=9223372036854775807` or `year=2147483647`: 422 naming the field.
pub struct Q<T>(pub T);

/// The ranges [`Q`] enforces: name, smallest, largest, message.
const QUERY_RANGES: &[(&str, i64, i64, &str)] = &[
    ("page", 1, 1_000_000, "页码须为 1–1000000 的整数"),
    ("per_page", 1, 1_000, "每页条数须为 1–1000 的整数"),
    ("year", 1900, 2100, "年份须为 1900–2100 之间的整数"),
];

fn check_query_ranges(query: Option<&str>) -> Result<(), AppError> {
    let Some(query) = query else { return Ok(()) };
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let Some((name, low, high, message)) = QUERY_RANGES.iter().find(|(n, ..)| *n == key) else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match value.parse::<i64>() {
            Ok(n) if (*low..=*high).contains(&n) => {}
            _ => {
                return Err(AppError::field(
                    name,
                    format!("{message}（收到“{}”）", value.chars().take(20).collect::<String>()),
                ));
            }
        }
    }
    Ok(())
}

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Q<T>, AppError> {
        check_query_ranges(parts.uri.query())?;
        let axum::extract::Query(value) = axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Q(value))
    }
}

/// Path parameter holding a numeric id; anything else is a 404, not a 400.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Id, AppError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        raw.parse().map(Id).map_err(|_| AppError::NotFound)
    }
}

/// Two numeric ids in the path (`/users/{id}/tokens/{token_id}`), in their order; anything
/// else is a 404.
pub struct Ids(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Ids, AppError> {
        let Path((a, b)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        match (a.parse(), b.parse()) {
            (Ok(a), Ok(b)) => Ok(Ids(a, b)),
            _ => Err(AppError::NotFound),
        }
    }
}

/// Trims a text field; empty becomes None.
pub fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// A cell of an exported sheet.
pub enum Cell {
    Text(String),
    Int(i64),
    Time(chrono::DateTime<chrono::Utc>),
    Empty,
}

/// Builds an .xlsx download: Chinese headers, frozen header row, column widths that fit
/// Chinese text, numbers as numbers and times as Excel dates (Beijing time).
pub fn xlsx_download(
    filename: &str,
    sheet: &str,
    headers: &[&str],
    rows: Vec<Vec<Cell>>,
) -> Result<Response, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::anyhow!("xlsx: {e}"));
    ws.set_name(sheet).map_err(fail)?;
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold).map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            let width = match cell {
                Cell::Text(s) => {
                    ws.write_string(r, col, gaoxin_core::tabular::excel_text(s))
                        .map_err(fail)?;
                    display_width(s)
                }
                Cell::Int(n) => {
                    ws.write_number(r, col, *n as f64).map_err(fail)?;
                    n.to_string().len()
                }
                Cell::Time(t) => {
                    let local = t.with_timezone(&gaoxin_core::clock::zone_offset()).naive_local();
                    ws.write_datetime_with_format(r, col, local, &date).map_err(fail)?;
                    19
                }
                Cell::Empty => 0,
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w as f64 + 2.0).min(60.0))
            .map_err(fail)?;
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    let bytes = workbook.save_to_buffer().map_err(fail)?;
    xlsx_response(bytes, filename)
}

/// An .xlsx download of ready bytes, its Chinese file name in `filename*`.
pub fn xlsx_response(bytes: Vec<u8>, filename: &str) -> Result<Response, AppError> {
    file_download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "export.xlsx",
        filename,
    )
}

/// A file download: its (Chinese) name in `filename*`, an ASCII `fallback` for old clients.
pub fn file_download(bytes: Vec<u8>, content_type: &str, fallback: &str, filename: &str) -> Result<Response, AppError> {
    let encoded: String = url::form_urlencoded::byte_serialize(filename.as_bytes()).collect();
    let disposition = format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        encoded.replace('+', "%20")
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).map_err(|e| AppError::Internal(e.into()))?,
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Column width in Excel units: a CJK character is two.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

/// `GET /static/{*path}`: the vendored htmx, echarts, the stylesheet; served from the binary.
pub async fn static_file(Path(path): Path<String>) -> Response {
    match Assets::get(&path) {
        Some(file) => {
            let mime = file.metadata.mimetype();
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
                    ),
                    (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
                ],
                file.data.into_owned(),
            )
                .into_response()
        }
        None => AppError::NotFound.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators_follow_chinese_reports() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-1000), "-1,000");
    }

    #[test]
    fn pager_keeps_filters_and_clamps_pages() {
        let params = PageParams {
            page: Some(3),
            per_page: Some(10),
        };
        let pager = Pager::new(&params, 95, "/departments", Some("q=%E7%A7%91&page=3"));
        assert_eq!(pager.pages(), 10);
        assert_eq!(pager.href(4), "/departments?q=%E7%A7%91&page=4");
        assert_eq!(pager.window(), vec![1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(params.offset(), 20);
        let none = Pager::new(&PageParams::default(), 0, "/x", None);
        assert_eq!(none.pages(), 1);
        assert!(!none.has_next());
    }

    #[test]
    fn page_size_is_bounded() {
        assert_eq!(
            PageParams {
                page: None,
                per_page: Some(100000)
            }
            .per_page(),
            100
        );
        assert_eq!(
            PageParams {
                page: Some(0),
                per_page: None
            }
            .page(),
            1
        );
    }
}
