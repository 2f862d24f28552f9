//! The enterprise list: search, filters, sort and paging, with links to the import and the
//! export of what the filters select.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::fixed;
use crate::domain::{Scale, Status, tags_from_column};
use crate::entity::Model as Enterprise;
use crate::store;
use gaoxin_core::industry;
use gaoxin_core::roles::{DEPARTMENT_EDITORS, ZONE_READERS};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::web::{PageCtx, Pager, Q, render};

/// One row of the enterprise list, ready to show.
pub struct ListRow {
    pub e: Enterprise,
    pub industry: String,
    pub carrier: String,
    pub scale: String,
    /// The 经营状态's label.
    pub status: String,
    /// Whether it operates (the others are shown greyed).
    pub active: bool,
    pub land: String,
    pub tags: Vec<String>,
}

/// The row of an enterprise (also the 一企一档 page's shown fields).
pub(super) fn list_row(e: Enterprise, carriers: &HashMap<i64, String>) -> ListRow {
    ListRow {
        industry: e
            .industry_code
            .as_deref()
            .and_then(industry::lookup)
            .map(|i| format!("{} {}", i.code, i.name))
            .unwrap_or_default(),
        carrier: e.carrier_id.and_then(|c| carriers.get(&c).cloned()).unwrap_or_default(),
        scale: e
            .scale
            .as_deref()
            .and_then(Scale::parse)
            .map(|s| s.label().to_string())
            .unwrap_or_default(),
        status: Status::parse(&e.status).unwrap_or_default().label().to_string(),
        active: Status::parse(&e.status).unwrap_or_default() == Status::Active,
        land: fixed::<4>(e.land_area),
        tags: tags_from_column(e.tags.as_deref()),
        e,
    }
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<ListRow>,
    f: store::EnterpriseFilter,
    pager: Pager,
    industries: Vec<(String, String)>,
    carriers: Vec<(i64, String)>,
    scales: &'static [Scale],
    statuses: &'static [Status],
    can_import: bool,
    can_export: bool,
    export_query: String,
}

impl ListPage {
    fn v<'a>(&self, value: &'a Option<String>) -> &'a str {
        value.as_deref().unwrap_or("")
    }
}

fn industry_choices() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for section in industry::sections() {
        out.push((section.code.to_string(), format!("{} {}", section.code, section.name)));
        let mut divisions: Vec<_> = industry::all()
            .filter(|i| i.level == industry::Level::Division && i.parent == Some(section.code))
            .collect();
        divisions.sort_by_key(|i| i.code);
        for d in divisions {
            out.push((d.code.to_string(), format!("\u{3000}{} {}", d.code, d.name)));
        }
    }
    out
}

pub(super) async fn list_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Q(f): Q<store::EnterpriseFilter>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let (rows, total) = store::search_page(&state.db, &scope, &f).await?;
    let carriers = store::carrier_names(&state.db, &scope).await?;
    let mut carrier_list: Vec<(i64, String)> = carriers.iter().map(|(k, v)| (*k, v.clone())).collect();
    carrier_list.sort_by(|a, b| a.1.cmp(&b.1));
    let export_query: String = raw
        .as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k != "page" && k != "per_page")
                .fold(url::form_urlencoded::Serializer::new(String::new()), |mut s, (k, v)| {
                    s.append_pair(&k, &v);
                    s
                })
                .finish()
        })
        .unwrap_or_default();
    Ok(render(&ListPage {
        ctx: ctx.crumb("nav.enterprises", ""),
        rows: rows.into_iter().map(|e| list_row(e, &carriers)).collect(),
        pager: Pager::new(&f.paging(), total, "/enterprises", raw.as_deref()),
        f,
        industries: industry_choices(),
        carriers: carrier_list,
        scales: Scale::ALL,
        statuses: Status::ALL,
        can_import: DEPARTMENT_EDITORS.contains(scope.role()),
        can_export: ZONE_READERS.contains(scope.role()),
        export_query,
    }))
}
