//! The ledger's JSON API: parse a plan, save it, list plans and tasks, a task with its
//! reports and supervision orders, file a report, confirm a completion, issue and close
//! supervision orders, the monthly bulletin.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::LedgerQuery;
use super::bulletin_pages::{MonthQuery, bulletin_of};
use crate::bulletin::Bulletin;
use crate::domain;
use crate::status::DepartmentRole;
use crate::store::{self, Filter, NewReport, NewTask, TaskLine};
use crate::supervision_entity::Model as Order;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{Id, Q};

/// A plan to parse: its text, or a .docx in base64.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ParseRequest {
    pub text: Option<String>,
    pub docx_base64: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/plans/parse", tag = "plans", request_body = ParseRequest, responses((status = 200, description = "The parsed plan: title, year, document_number, tasks (ref, text, lead, cooperating, deadline, due_date, targets, section, line), warnings")))]
pub async fn api_parse(Json(req): Json<ParseRequest>) -> AppResult<Json<serde_json::Value>> {
    let bytes = match (req.text, req.docx_base64) {
        (Some(t), _) if !t.trim().is_empty() => t.into_bytes(),
        (_, Some(b)) => {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .map_err(|_| AppError::field("docx_base64", "docx_base64 不是有效的 Base64"))?
        }
        _ => return Err(AppError::field("text", "请提供 text（方案全文）或 docx_base64")),
    };
    let plan = super::parse_plan(bytes).await?;
    Ok(Json(
        serde_json::to_value(plan).map_err(|e| AppError::Internal(e.into()))?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanOut {
    pub id: i64,
    pub title: String,
    pub year: i32,
    pub document_number: Option<String>,
    pub tasks: usize,
}

#[utoipa::path(get, path = "/api/v1/plans", tag = "plans", responses((status = 200, body = Vec<PlanOut>)))]
pub async fn api_plans(State(state): State<AppState>, scope: Scope) -> AppResult<Json<Vec<PlanOut>>> {
    let lines = store::ledger(&state.db, &scope, &Filter::default(), scope.today()).await?;
    Ok(Json(
        store::plans(&state.db, &scope)
            .await?
            .into_iter()
            .map(|p| PlanOut {
                tasks: lines.iter().filter(|l| l.task.plan_id == Some(p.id)).count(),
                id: p.id,
                title: p.title,
                year: p.year,
                document_number: p.document_number,
            })
            .collect(),
    ))
}

/// A plan to save (e.g. what `/api/v1/plans/parse` returned, checked by a person).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PlanIn {
    pub title: String,
    pub year: i32,
    pub document_number: Option<String>,
    pub tasks: Vec<NewTask>,
}

#[utoipa::path(post, path = "/api/v1/plans", tag = "plans", request_body = PlanIn, responses((status = 200, body = PlanOut)))]
pub async fn api_plan_create(
    State(state): State<AppState>,
    scope: Scope,
    Json(input): Json<PlanIn>,
) -> AppResult<Json<PlanOut>> {
    let count = input.tasks.len();
    let mut writer = scope.writer(&state).await?;
    let plan = store::create_plan(
        &mut writer,
        &scope,
        &input.title,
        input.year,
        input.document_number,
        None,
        input.tasks,
    )
    .await?;
    writer.commit().await?;
    Ok(Json(PlanOut {
        id: plan.id,
        title: plan.title,
        year: plan.year,
        document_number: plan.document_number,
        tasks: count,
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TargetOut {
    pub id: i64,
    pub text: String,
    pub value: String,
    pub unit: String,
    pub actual: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DepartmentOut {
    pub written: String,
    pub department_id: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TaskOut {
    pub id: i64,
    pub plan_id: Option<i64>,
    pub plan: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub text: String,
    pub lead: Vec<DepartmentOut>,
    pub cooperating: Vec<DepartmentOut>,
    pub deadline: Option<String>,
    pub start_date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub percent: i32,
    pub status: String,
    /// `red`, `yellow`, `blue`, `normal`, `green`.
    pub colour: String,
    pub colour_reason: String,
    pub expected_percent: Option<i32>,
    pub targets: Vec<TargetOut>,
    pub open_orders: usize,
}

fn task_out(l: TaskLine) -> TaskOut {
    let dept = |role: DepartmentRole| {
        l.departments
            .iter()
            .filter(|d| role.is(&d.role))
            .map(|d| DepartmentOut {
                written: d.written.clone(),
                department_id: d.department_id,
            })
            .collect()
    };
    TaskOut {
        lead: dept(DepartmentRole::Lead),
        cooperating: dept(DepartmentRole::Cooperating),
        id: l.task.id,
        plan_id: l.task.plan_id,
        plan: l.plan_title.clone(),
        reference: l.task.reference.clone(),
        text: l.task.text.clone(),
        deadline: l.task.deadline_text.clone(),
        start_date: l.task.start_date,
        due_date: l.task.due_date,
        percent: l.task.percent,
        status: l.task.status.clone(),
        colour: l.status.colour.code().into(),
        colour_reason: l.status.reason.clone(),
        expected_percent: l.status.expected_percent,
        targets: l
            .targets
            .iter()
            .map(|t| TargetOut {
                id: t.id,
                text: t.text.clone(),
                value: t.value.clone(),
                unit: t.unit.clone(),
                actual: t.actual.clone(),
            })
            .collect(),
        open_orders: l.open_orders,
    }
}

#[utoipa::path(get, path = "/api/v1/plan-tasks", tag = "plans", params(LedgerQuery), responses((status = 200, body = Vec<TaskOut>)))]
pub async fn api_tasks(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<LedgerQuery>,
) -> AppResult<Json<Vec<TaskOut>>> {
    Ok(Json(
        store::ledger(&state.db, &scope, &q.filter(), scope.today())
            .await?
            .into_iter()
            .map(task_out)
            .collect(),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportOut {
    pub id: i64,
    pub kind: String,
    pub department_id: Option<i64>,
    pub note: String,
    pub percent: Option<i32>,
    pub supervision_id: Option<i64>,
    pub author: String,
    pub attachments: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderOut {
    pub id: i64,
    pub reason: String,
    pub issued_on: NaiveDate,
    pub deadline: NaiveDate,
    pub status: String,
    /// `blue`, `yellow`, `red`, or `green` once closed.
    pub level: String,
    /// `[level, from]` in order.
    pub steps: Vec<(String, NaiveDate)>,
    pub closed_on: Option<NaiveDate>,
}

/// A supervision order with its level and escalation steps on `today`.
fn order_out(o: Order, today: NaiveDate, thresholds: &domain::Thresholds) -> OrderOut {
    let e = domain::escalation(o.issued_on, o.deadline, o.closed_on, today, thresholds);
    OrderOut {
        id: o.id,
        reason: o.reason,
        issued_on: o.issued_on,
        deadline: o.deadline,
        status: o.status,
        level: e.level.code().into(),
        steps: e.steps.iter().map(|(c, d)| (c.code().to_string(), *d)).collect(),
        closed_on: o.closed_on,
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TaskDetailOut {
    #[serde(flatten)]
    pub task: TaskOut,
    pub reports: Vec<ReportOut>,
    pub supervision: Vec<OrderOut>,
}

#[utoipa::path(get, path = "/api/v1/plan-tasks/{id}", tag = "plans", params(("id" = i64, Path)), responses((status = 200, body = TaskDetailOut)))]
pub async fn api_task(State(state): State<AppState>, scope: Scope, Id(id): Id) -> AppResult<Json<TaskDetailOut>> {
    let t = scope.today();
    let line = store::task_line(state.db.conn(), &scope, id, t).await?;
    let thresholds = store::thresholds(state.db.conn(), &scope).await?;
    let reports = store::reports(&state.db, &scope, id).await?;
    let supervision = store::orders_of(&state.db, &scope, id)
        .await?
        .into_iter()
        .map(|o| order_out(o, t, &thresholds))
        .collect();
    Ok(Json(TaskDetailOut {
        task: task_out(line),
        reports: reports
            .into_iter()
            .map(|r| ReportOut {
                id: r.report.id,
                kind: r.report.kind,
                department_id: r.report.department_id,
                note: r.report.note,
                percent: r.report.percent,
                supervision_id: r.report.supervision_id,
                author: r.author,
                attachments: r.attachments.into_iter().map(|a| a.1).collect(),
            })
            .collect(),
        supervision,
    }))
}

#[utoipa::path(post, path = "/api/v1/plan-tasks/{id}/reports", tag = "plans", params(("id" = i64, Path)), request_body = NewReport, responses((status = 200, body = TaskOut)))]
pub async fn api_report(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(input): Json<NewReport>,
) -> AppResult<Json<TaskOut>> {
    let mut writer = scope.writer(&state).await?;
    store::file_report(&mut writer, &scope, id, input, Vec::new(), scope.today()).await?;
    writer.commit().await?;
    Ok(Json(task_out(
        store::task_line(state.db.conn(), &scope, id, scope.today()).await?,
    )))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ConfirmIn {
    pub accept: bool,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/plan-tasks/{id}/confirm", tag = "plans", params(("id" = i64, Path)), request_body = ConfirmIn, responses((status = 200, body = TaskOut)))]
pub async fn api_confirm(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(input): Json<ConfirmIn>,
) -> AppResult<Json<TaskOut>> {
    let mut writer = scope.writer(&state).await?;
    store::confirm(&mut writer, &scope, id, input.accept, &input.note, scope.today()).await?;
    writer.commit().await?;
    Ok(Json(task_out(
        store::task_line(state.db.conn(), &scope, id, scope.today()).await?,
    )))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OrderIn {
    pub reason: String,
    pub deadline: NaiveDate,
}

#[utoipa::path(post, path = "/api/v1/plan-tasks/{id}/supervision", tag = "plans", params(("id" = i64, Path)), request_body = OrderIn, responses((status = 200, body = OrderOut)))]
pub async fn api_order(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(input): Json<OrderIn>,
) -> AppResult<Json<OrderOut>> {
    let mut writer = scope.writer(&state).await?;
    let o = store::issue_order(
        &mut writer,
        &scope,
        id,
        &input.reason,
        Some(input.deadline),
        scope.today(),
    )
    .await?;
    writer.commit().await?;
    let thresholds = store::thresholds(state.db.conn(), &scope).await?;
    Ok(Json(order_out(o, scope.today(), &thresholds)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CloseIn {
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/supervision/{id}/close", tag = "plans", params(("id" = i64, Path)), request_body = CloseIn, responses((status = 200, body = OrderOut)))]
pub async fn api_order_close(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
    Json(input): Json<CloseIn>,
) -> AppResult<Json<OrderOut>> {
    let mut writer = scope.writer(&state).await?;
    let o = store::close_order(&mut writer, &scope, id, &input.note, scope.today()).await?;
    writer.commit().await?;
    let thresholds = store::thresholds(state.db.conn(), &scope).await?;
    Ok(Json(order_out(o, scope.today(), &thresholds)))
}

#[utoipa::path(get, path = "/api/v1/plans/bulletin", tag = "plans", params(MonthQuery), responses((status = 200, body = Bulletin)))]
pub async fn api_bulletin(
    State(state): State<AppState>,
    scope: Scope,
    Q(q): Q<MonthQuery>,
) -> AppResult<Json<Bulletin>> {
    let (y, m) = q.year_month(scope.today())?;
    Ok(Json(bulletin_of(&state.db, &scope, y, m).await?))
}
