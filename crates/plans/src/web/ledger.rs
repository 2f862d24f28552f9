//! The ledger page with its colour counts and filters, its Excel export, a task added by hand,
//! and the zone's thresholds (临期天数, 督办升级).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::{LedgerQuery, colour_choices, opt_id};
use crate::domain::{self, Colour};
use crate::plan_entity::Model as Plan;
use crate::status::DepartmentRole;
use crate::store::{self, NewDepartment, NewTarget, NewTask, TaskLine};
use gaoxin_core::roles::{DEPARTMENT_EDITORS, Role};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::entity::Model as Department;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{Cell as XCell, PageCtx, PageParams, Pager, Q, WebForm, finish, render, xlsx_download};
use gaoxin_rules::plan_parser as parse;

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    ctx: PageCtx,
    rows: Vec<TaskLine>,
    pager: Pager,
    counts: Vec<(&'static str, &'static str, usize)>,
    plans: Vec<Plan>,
    departments: Vec<Department>,
    colours: Vec<(&'static str, &'static str)>,
    plan_id: String,
    department_id: String,
    colour: String,
    q: String,
    export_query: String,
    can_upload: bool,
    is_admin: bool,
    thresholds: domain::Thresholds,
    month: String,
}

pub(super) async fn ledger_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    RawQuery(raw): RawQuery,
    Q(q): Q<LedgerQuery>,
) -> AppResult<Response> {
    let mut filter = q.filter();
    let colour = filter.colour.take();
    let all = store::ledger(&state.db, &scope, &filter, scope.today()).await?;
    let counts = Colour::ALL
        .iter()
        .map(|c| {
            (
                c.code(),
                c.short(),
                all.iter().filter(|l| l.status.colour == *c).count(),
            )
        })
        .collect();
    let mut rows: Vec<TaskLine> = all
        .into_iter()
        .filter(|l| colour.is_none_or(|c| l.status.colour == c))
        .collect();
    let params = PageParams {
        page: q.page,
        per_page: q.per_page,
    };
    let total = rows.len() as u64;
    let rows: Vec<TaskLine> = rows
        .drain(..)
        .skip(params.offset() as usize)
        .take(params.per_page() as usize)
        .collect();
    let t = scope.today();
    Ok(render(&LedgerPage {
        ctx: ctx.crumb("nav.tasks", ""),
        rows,
        pager: Pager::new(&params, total, "/plans", raw.as_deref()),
        counts,
        plans: store::plans(&state.db, &scope).await?,
        departments: gaoxin_platform::departments::store::all(&state.db, &scope, None).await?,
        colours: colour_choices(),
        plan_id: q.plan_id.clone().unwrap_or_default(),
        department_id: q.department_id.clone().unwrap_or_default(),
        colour: q.colour.clone().unwrap_or_default(),
        q: q.q.clone().unwrap_or_default(),
        export_query: raw.unwrap_or_default(),
        can_upload: DEPARTMENT_EDITORS.contains(scope.role()),
        is_admin: scope.role() == Role::Admin,
        thresholds: store::thresholds(state.db.conn(), &scope).await?,
        month: format!("{}-{:02}", t.year(), t.month()),
    }))
}

/// The ledger's Excel headers (import and export).
pub const LEDGER_HEADERS: [&str; 12] = [
    "序号",
    "任务编号",
    "所属方案",
    "工作任务",
    "牵头部门",
    "配合部门",
    "完成时限",
    "目标",
    "进展情况",
    "完成比例",
    "状态",
    "状态说明",
];

pub(super) async fn ledger_export(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<LedgerQuery>,
) -> AppResult<Response> {
    let rows = store::ledger(&state.db, &scope, &q.filter(), scope.today()).await?;
    let latest = store::latest_notes(&state.db, &scope).await?;
    xlsx_download(
        "重点工作任务台账.xlsx",
        "任务台账",
        &LEDGER_HEADERS,
        rows.into_iter()
            .enumerate()
            .map(|(i, l)| {
                vec![
                    XCell::Int(i as i64 + 1),
                    XCell::Text(l.task.reference.clone()),
                    XCell::Text(l.plan_title.clone()),
                    XCell::Text(l.task.text.clone()),
                    XCell::Text(l.lead_names()),
                    XCell::Text(l.cooperating_names()),
                    XCell::Text(deadline_shown(&l)),
                    XCell::Text(l.targets_text()),
                    XCell::Text(latest.get(&l.task.id).cloned().unwrap_or_default()),
                    XCell::Text(format!("{}%", l.task.percent)),
                    XCell::Text(l.status.colour.short().to_string()),
                    XCell::Text(l.status.reason.clone()),
                ]
            })
            .collect(),
    )
}

fn deadline_shown(l: &TaskLine) -> String {
    match (&l.task.deadline_text, l.task.due_date) {
        (Some(t), Some(d)) if t != &d.to_string() => format!("{t}（{d}）"),
        (Some(t), _) => t.clone(),
        (None, Some(d)) => d.to_string(),
        (None, None) => String::new(),
    }
}

#[derive(Template)]
#[template(path = "task_new.html")]
struct TaskNewPage {
    ctx: PageCtx,
    plans: Vec<Plan>,
    departments: Vec<Department>,
}

pub(super) async fn task_new_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    Ok(render(&TaskNewPage {
        ctx: ctx.crumb("nav.tasks", "/plans").crumb("plans.new_task", ""),
        plans: store::plans(&state.db, &scope).await?,
        departments: gaoxin_platform::departments::store::all(&state.db, &scope, None).await?,
    }))
}

#[derive(Deserialize)]
pub(super) struct TaskForm {
    #[serde(default)]
    plan_id: String,
    #[serde(default)]
    reference: String,
    text: String,
    #[serde(default)]
    lead_id: String,
    #[serde(default)]
    cooperating: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    due_date: String,
}

pub(super) async fn task_create(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<TaskForm>,
) -> AppResult<Response> {
    let result = async {
        let departments = gaoxin_platform::departments::store::all(&state.db, &scope, None).await?;
        let lead: i64 = form
            .lead_id
            .trim()
            .parse()
            .map_err(|_| AppError::field("lead_id", "请选择牵头部门"))?;
        let lead = departments
            .iter()
            .find(|d| d.id == lead)
            .ok_or_else(|| AppError::field("lead_id", "牵头部门不存在"))?;
        if scope.role() == Role::Staff && scope.caller().department_id != Some(lead.id) {
            return Err(AppError::field("lead_id", "部门人员只能新建本部门牵头的任务"));
        }
        let due = match form.due_date.trim() {
            "" => None,
            s => Some(
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| AppError::field("due_date", format!("完成日期“{s}”不是日期（应为 2024-12-31）")))?,
            ),
        };
        let mut depts = vec![NewDepartment {
            role: DepartmentRole::Lead.code().into(),
            written: lead.name.clone(),
            department_id: Some(lead.id),
        }];
        for name in parse::roles::split_names(&form.cooperating) {
            depts.push(NewDepartment {
                role: DepartmentRole::Cooperating.code().into(),
                department_id: store::match_written(&name, &departments),
                written: name,
            });
        }
        let plan = match opt_id(&Some(form.plan_id.clone())) {
            Some(id) => Some(store::plan_by_id(&state.db, &scope, id).await?),
            None => None,
        };
        let text = form.text.trim().to_string();
        let mut writer = scope.writer(&state).await?;
        let task = store::insert_task(
            &mut writer,
            &scope,
            plan.as_ref(),
            0,
            NewTask {
                reference: form.reference.trim().to_string(),
                section: String::new(),
                targets: parse::targets::find(&text)
                    .into_iter()
                    .map(|g| NewTarget {
                        text: g.text,
                        value: g.value.normalize().to_string(),
                        unit: g.unit,
                    })
                    .collect(),
                text,
                deadline: Some(form.deadline.trim().to_string()).filter(|d| !d.is_empty()),
                due_date: due
                    .or_else(|| parse::deadline::due_date(form.deadline.trim(), plan.as_ref().map(|p| p.year))),
                start_date: None,
                departments: depts,
            },
        )
        .await?;
        writer.commit().await?;
        Ok((format!("/plans/tasks/{}", task.id), "已新建任务".to_string()))
    }
    .await;
    finish(&state, &headers, "/plans/tasks/new", result)
}

#[derive(Deserialize)]
pub(super) struct SettingsForm {
    blue_days: String,
    red_after_days: String,
}

pub(super) async fn settings_save(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(form): WebForm<SettingsForm>,
) -> AppResult<Response> {
    let result = async {
        let blue: i32 = form
            .blue_days
            .trim()
            .parse()
            .map_err(|_| AppError::field("blue_days", "临期天数应为 0–365 的整数"))?;
        let red: i32 = form
            .red_after_days
            .trim()
            .parse()
            .map_err(|_| AppError::field("red_after_days", "督办升级为红色的天数应为 0–365 的整数"))?;
        let mut writer = scope.writer(&state).await?;
        store::save_thresholds(&mut writer, &scope, blue, red).await?;
        writer.commit().await?;
        Ok(("/plans".to_string(), "已保存阈值".to_string()))
    }
    .await;
    finish(&state, &headers, "/plans", result)
}
