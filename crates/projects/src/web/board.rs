//! The pipeline board with the filtered, paged project list, and the location list (projects by
//! carrier).

use std::collections::{BTreeMap, HashSet};

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Deserialize;

use super::{last_month, rules_note};
use crate::domain::{self, ProjectLine, StageColumn};
use crate::store;
use gaoxin_core::roles::{DEPARTMENT_EDITORS, Role};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::web::{PageCtx, PageParams, Pager, Q, render};

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A stage key.
    pub stage: Option<String>,
    /// The lead department's id.
    pub department_id: Option<String>,
    /// `1`: stalled projects only.
    pub stalled: Option<String>,
    /// `1`: 超亿元 projects only.
    pub major: Option<String>,
    /// Words in the name, investor or code.
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl ListQuery {
    pub(super) fn keep(&self, l: &ProjectLine, investors: &HashSet<i64>) -> bool {
        let s = |o: &Option<String>| {
            o.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        s(&self.stage).is_none_or(|v| l.project.stage == v)
            && s(&self.department_id).is_none_or(|v| l.project.lead_department_id.map(|d| d.to_string()) == Some(v))
            && (s(&self.stalled).as_deref() != Some("1") || l.stalled.is_some())
            && (s(&self.major).as_deref() != Some("1") || l.major)
            && s(&self.q).is_none_or(|q| {
                l.project.name.contains(&q)
                    || l.project.investor.contains(&q)
                    || l.project.code.contains(&q)
                    || l.project.enterprise_id.is_some_and(|id| investors.contains(&id))
            })
    }

    /// The registry enterprises the search names (an investor is found by its 统一社会信用代码 too).
    pub(super) async fn investors(&self, state: &AppState, scope: &Scope) -> AppResult<HashSet<i64>> {
        use gaoxin_enterprises::entity as enterprise;
        use sea_orm::{QueryFilter, QuerySelect};
        let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
            return Ok(Default::default());
        };
        let ids: Vec<i64> = scope
            .select::<enterprise::Entity>()
            .filter(gaoxin_enterprises::store::named(q))
            .select_only()
            .column(enterprise::Column::Id)
            .into_tuple()
            .all(state.db.conn())
            .await?;
        Ok(ids.into_iter().collect())
    }
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    ctx: PageCtx,
    board: Vec<StageColumn>,
    rows: Vec<ProjectLine>,
    pager: Pager,
    stages: Vec<(String, String)>,
    departments: Vec<(i64, String)>,
    q: ListQuery,
    total: usize,
    stalled: usize,
    major: usize,
    can_create: bool,
    is_admin: bool,
    enterprise: bool,
    month: String,
    rules_note: String,
}

impl BoardPage {
    fn sel(&self, v: &Option<String>, x: &str) -> bool {
        v.as_deref() == Some(x)
    }
    fn val(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }
}

pub(super) async fn board_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    RawQuery(raw): RawQuery,
    Q(q): Q<ListQuery>,
) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let t = scope.today();
    let lines = book.lines(t);
    let board = book.board(&lines);
    let (stalled, major) = (
        lines.iter().filter(|l| l.stalled.is_some()).count(),
        lines.iter().filter(|l| l.major).count(),
    );
    let total = lines.len();
    let investors = q.investors(&state, &scope).await?;
    let mut rows: Vec<ProjectLine> = lines.into_iter().filter(|l| q.keep(l, &investors)).collect();
    rows.sort_by(|a, b| {
        b.stage_position
            .cmp(&a.stage_position)
            .then(a.project.code.cmp(&b.project.code))
    });
    let params = PageParams {
        page: q.page,
        per_page: q.per_page,
    };
    let count = rows.len() as u64;
    let rows = rows
        .into_iter()
        .skip(params.offset() as usize)
        .take(params.per_page() as usize)
        .collect();
    Ok(render(&BoardPage {
        ctx: ctx.crumb("nav.projects", ""),
        board,
        rows,
        pager: Pager::new(&params, count, "/projects", raw.as_deref()),
        stages: book
            .rules
            .stages
            .iter()
            .map(|s| (s.key.clone(), s.name.clone()))
            .collect(),
        departments: book
            .departments
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .collect(),
        q,
        total,
        stalled,
        major,
        can_create: DEPARTMENT_EDITORS.contains(scope.role()),
        is_admin: scope.role() == Role::Admin,
        enterprise: scope.role() == Role::Enterprise,
        month: last_month(t),
        rules_note: rules_note(&book),
    }))
}

#[derive(Template)]
#[template(path = "locations.html")]
struct LocationsPage {
    ctx: PageCtx,
    groups: Vec<(String, Vec<ProjectLine>, String, String)>,
}

impl LocationsPage {
    fn area(&self, v: &Option<i64>) -> String {
        v.map(|a| format!("{} 亩", gaoxin_core::quantity::Fixed::<4>(a)))
            .unwrap_or_default()
    }
}

pub(super) async fn locations_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let mut groups: BTreeMap<String, Vec<ProjectLine>> = BTreeMap::new();
    for l in book.lines(scope.today()) {
        let key = if l.carrier.is_empty() {
            "（未落载体）".to_string()
        } else {
            l.carrier.clone()
        };
        groups.entry(key).or_default().push(l);
    }
    let groups = groups
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_by(|a, b| {
                a.project
                    .location
                    .cmp(&b.project.location)
                    .then(a.project.code.cmp(&b.project.code))
            });
            let amount = domain::yi(v.iter().map(|l| l.project.total_investment).sum());
            let land: i64 = v.iter().filter_map(|l| l.project.land_area).sum();
            (k, v, amount, gaoxin_core::quantity::Fixed::<4>(land).to_string())
        })
        .collect();
    Ok(render(&LocationsPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.locations", ""),
        groups,
    }))
}
