//! D-class clearance (出清): the list of cases with its totals and export, a case's page, and
//! its route and actions, progress reports and closing (销号).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::DEPARTMENT_EDITORS;
use crate::clearance_entity::Model as ClearanceCase;
use crate::result_entity::Model as LandResultRow;
use crate::status::{CaseStatus, ClearanceRoute};
use crate::store::{self, CaseFilter};
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::entity::Model as Department;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{
    Cell as XCell, Id, PageCtx, PageParams, Pager, Q, WebForm, finish, parse_date, render, xlsx_download,
};

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    pub status: Option<String>,
    pub route: Option<String>,
    pub run: Option<i64>,
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl CaseQuery {
    pub(super) fn filter(&self) -> CaseFilter {
        CaseFilter {
            status: self.status.clone(),
            route: self.route.clone(),
            run: self.run,
            q: self.q.clone(),
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// A case as the list, its page, its export and the API show it.
pub(super) struct CaseLine {
    pub(super) c: ClearanceCase,
    pub(super) e: Enterprise,
    /// The route's name, or empty.
    pub(super) route: &'static str,
    pub(super) department: String,
    /// Closed, overdue (open past its deadline) or open, as of today.
    pub(super) status: CaseStatus,
    pub(super) land: String,
    /// The latest percent reported ("60%"), or empty.
    pub(super) progress: String,
}

pub(super) async fn case_lines(
    state: &AppState,
    scope: &Scope,
    rows: Vec<(ClearanceCase, Enterprise)>,
) -> AppResult<Vec<CaseLine>> {
    let departments = gaoxin_platform::departments::store::all(&state.db, scope, None).await?;
    let now = scope.today();
    let ids: Vec<i64> = rows.iter().map(|(c, _)| c.id).collect();
    let progress = store::latest_progress(&state.db, scope, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|(c, e)| {
            let status = CaseStatus::shown(&c.status, c.deadline, now);
            CaseLine {
                progress: match (status, progress.get(&c.id)) {
                    (CaseStatus::Closed, _) => "100%".into(),
                    (_, Some(p)) => format!("{p}%"),
                    _ => String::new(),
                },
                route: c.route.as_deref().map_or("", ClearanceRoute::name_of),
                department: c
                    .department_id
                    .and_then(|d| departments.iter().find(|x| x.id == d))
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
                status,
                land: c
                    .land_recovered
                    .map(|l| Decimal::new(l, 4).normalize().to_string())
                    .unwrap_or_default(),
                c,
                e,
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "clearance.html")]
struct ClearancePage {
    ctx: PageCtx,
    rows: Vec<CaseLine>,
    pager: Pager,
    status: String,
    route: String,
    q: String,
    routes: Vec<(&'static str, &'static str)>,
    totals: (u64, u64, u64, String),
    export_query: String,
}

pub(super) async fn clearance_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    RawQuery(raw): RawQuery,
    Q(q): Q<CaseQuery>,
) -> AppResult<Response> {
    let (rows, total) = store::clearance_cases(&state.db, &scope, &q.filter(), scope.today(), false).await?;
    let (open, overdue, closed, land) = store::clearance_totals(&state.db, &scope, scope.today()).await?;
    Ok(render(&ClearancePage {
        ctx: ctx.crumb("nav.land", "/land").crumb("land.clearance", ""),
        rows: case_lines(&state, &scope, rows).await?,
        pager: Pager::new(
            &PageParams {
                page: q.page,
                per_page: q.per_page,
            },
            total,
            "/land/clearance",
            raw.as_deref(),
        ),
        status: q.status.clone().unwrap_or_default(),
        route: q.route.clone().unwrap_or_default(),
        q: q.q.clone().unwrap_or_default(),
        routes: store::ROUTES.to_vec(),
        totals: (open, overdue, closed, land.normalize().to_string()),
        export_query: raw.unwrap_or_default(),
    }))
}

pub(super) async fn clearance_export(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<CaseQuery>,
) -> AppResult<Response> {
    let (rows, _) = store::clearance_cases(&state.db, &scope, &q.filter(), scope.today(), true).await?;
    let lines = case_lines(&state, &scope, rows).await?;
    xlsx_download(
        "D类企业出清台账.xlsx",
        "出清台账",
        &[
            "企业名称",
            "统一社会信用代码",
            "出清路径",
            "措施",
            "责任部门",
            "完成时限",
            "状态",
            "销号日期",
            "收回土地(亩)",
            "销号说明",
            "最新进展",
        ],
        lines
            .into_iter()
            .map(|l| {
                vec![
                    XCell::Text(l.e.name),
                    XCell::Text(l.e.uscc),
                    XCell::Text(l.route.to_string()),
                    XCell::Text(l.c.actions),
                    XCell::Text(l.department),
                    XCell::Text(l.c.deadline.map(|d| d.to_string()).unwrap_or_default()),
                    XCell::Text(l.status.label().to_string()),
                    XCell::Text(l.c.closed_on.map(|d| d.to_string()).unwrap_or_default()),
                    XCell::Text(l.land),
                    XCell::Text(l.c.closing_note.unwrap_or_default()),
                    XCell::Text(l.progress),
                ]
            })
            .collect(),
    )
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    ctx: PageCtx,
    line: CaseLine,
    result: LandResultRow,
    routes: Vec<(&'static str, &'static str)>,
    departments: Vec<Department>,
    can_edit: bool,
    today: NaiveDate,
    progress: Vec<crate::update_entity::Model>,
}

pub(super) async fn case_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
) -> AppResult<Response> {
    let c = store::case_by_id(state.db.conn(), &scope, id).await?;
    let (result, _, e) = store::result_by_id(state.db.conn(), &scope, c.result_id).await?;
    let line = case_lines(&state, &scope, vec![(c, e)])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(render(&CasePage {
        ctx: ctx
            .crumb("nav.land", "/land")
            .crumb("land.clearance", "/land/clearance")
            .crumb("land.case", ""),
        can_edit: DEPARTMENT_EDITORS.contains(scope.role()) && line.c.status == CaseStatus::Open.code(),
        line,
        result,
        routes: store::ROUTES.to_vec(),
        departments: gaoxin_platform::departments::store::all(&state.db, &scope, None).await?,
        today: scope.today(),
        progress: store::progress_of(state.db.conn(), &scope, id).await?,
    }))
}

#[derive(Deserialize)]
pub(super) struct ProgressForm {
    note: String,
    percent: String,
}

pub(super) async fn case_progress(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<ProgressForm>,
) -> AppResult<Response> {
    let back = format!("/land/clearance/{id}");
    let result = async {
        let percent: i32 = form
            .percent
            .trim()
            .trim_end_matches('%')
            .parse()
            .map_err(|_| AppError::field("percent", "完成比例应为 0–100 的整数"))?;
        let mut writer = scope.writer(&state).await?;
        store::report_progress(&mut writer, &scope, id, &form.note, percent).await?;
        writer.commit().await?;
        Ok((back.clone(), "已报送进展".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Deserialize)]
pub(super) struct PlanForm {
    route: String,
    actions: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    deadline: Option<String>,
}

pub(super) async fn case_plan(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<PlanForm>,
) -> AppResult<Response> {
    let back = format!("/land/clearance/{id}");
    let result = async {
        let department = match form.department_id.trim() {
            "" => None,
            d => Some(
                d.parse::<i64>()
                    .map_err(|_| AppError::field("department_id", "请选择责任部门"))?,
            ),
        };
        let deadline = parse_date(form.deadline.as_deref(), "deadline", "完成时限")?;
        let mut writer = scope.writer(&state).await?;
        store::plan_case(
            &mut writer,
            &scope,
            id,
            &form.route,
            &form.actions,
            department,
            deadline,
        )
        .await?;
        writer.commit().await?;
        Ok((back.clone(), "已保存出清路径与措施".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Deserialize)]
pub(super) struct CloseForm {
    closed_on: String,
    #[serde(default)]
    land_recovered: String,
    note: String,
}

pub(super) async fn case_close(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<CloseForm>,
) -> AppResult<Response> {
    let back = format!("/land/clearance/{id}");
    let result = async {
        let closed_on = parse_date(Some(&form.closed_on), "closed_on", "销号日期")?
            .ok_or_else(|| AppError::field("closed_on", "请填写销号日期"))?;
        let land = match form.land_recovered.trim() {
            "" => Decimal::ZERO,
            s => s
                .parse::<Decimal>()
                .map_err(|_| AppError::field("land_recovered", format!("收回土地“{s}”不是数字（亩）")))?,
        };
        let mut writer = scope.writer(&state).await?;
        store::close_case(&mut writer, &scope, id, closed_on, land, &form.note).await?;
        writer.commit().await?;
        Ok((back.clone(), "已销号".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}
