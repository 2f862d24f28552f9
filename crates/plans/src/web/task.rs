//! A task's page and what is done on it: progress reports with actuals and evidence (the lead
//! department), a cooperating department's part, leaders' comments, the supervisor's
//! confirmation of a completion, an edit of the task, 督办 orders issued and closed; the list of
//! supervision orders; evidence downloads.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use crate::bulletin;
use crate::domain::{self, Colour};
use crate::status::{DepartmentRole, OrderStatus, ReportKind, TaskStatus};
use crate::store::{self, Filter, NewReport, ReportLine, Rights, TaskLine};
use crate::supervision_entity::Model as Order;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::entity::Model as Department;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::uploads::read_form;
use gaoxin_platform::web::{Id, PageCtx, WebForm, finish, parse_date, render};

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    ctx: PageCtx,
    line: TaskLine,
    reports: Vec<ReportLine>,
    orders: Vec<(Order, domain::Escalation, bool)>,
    rights: Rights,
    departments: Vec<Department>,
}

impl TaskPage {
    /// The message key of a report's kind (a code that is none of them reads as a comment).
    fn kind(&self, kind: &str) -> &'static str {
        ReportKind::of(kind).unwrap_or(ReportKind::Comment).message_key()
    }

    /// The message key of a department's role on the task (anything but lead reads as
    /// cooperating).
    fn role(&self, role: &str) -> &'static str {
        crate::status::role_key(DepartmentRole::of(role).unwrap_or(DepartmentRole::Cooperating))
    }

    /// Whether the task is in this status.
    fn task_is(&self, status: TaskStatus) -> bool {
        self.line.task.status == status.code()
    }

    /// Whether a supervision order is in this status.
    fn order_is(&self, order: &Order, status: OrderStatus) -> bool {
        order.status == status.code()
    }
}

pub(super) async fn task_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
) -> AppResult<Response> {
    let t = scope.today();
    let line = store::task_line(state.db.conn(), &scope, id, t).await?;
    let thresholds = store::thresholds(state.db.conn(), &scope).await?;
    let reports = store::reports(&state.db, &scope, id).await?;
    let orders = store::orders_of(&state.db, &scope, id)
        .await?
        .into_iter()
        .map(|o| {
            let answered = reports.iter().any(|r| r.report.supervision_id == Some(o.id));
            let e = domain::escalation(o.issued_on, o.deadline, o.closed_on, t, &thresholds);
            (o, e, answered)
        })
        .collect();
    Ok(render(&TaskPage {
        ctx: ctx
            .crumb("nav.tasks", "/plans")
            .crumb_text(line.task.reference.clone(), ""),
        rights: store::rights(&scope, &line),
        line,
        reports,
        orders,
        departments: gaoxin_platform::departments::store::all(&state.db, &scope, None).await?,
    }))
}

pub(super) async fn report_create(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    multipart: Multipart,
) -> AppResult<Response> {
    let back = format!("/plans/tasks/{id}");
    let result = async {
        let (fields, files) = read_form(multipart, "file").await?;
        let input = report_from_fields(&fields)?;
        let files = files
            .into_iter()
            .map(|(name, bytes)| store::NewFile {
                content_type: gaoxin_platform::uploads::content_type_of(&name)
                    .unwrap_or("application/octet-stream")
                    .to_string(),
                file_name: name,
                bytes,
            })
            .collect();
        let mut writer = scope.writer(&state).await?;
        let kind = ReportKind::of(&input.kind);
        store::file_report(&mut writer, &scope, id, input, files, scope.today()).await?;
        writer.commit().await?;
        Ok((
            back.clone(),
            match kind {
                Some(ReportKind::Completion) => "已报送完成，待督查确认",
                Some(ReportKind::Comment) => "已批示",
                _ => "已报送进展",
            }
            .to_string(),
        ))
    }
    .await;
    finish(&state, &headers, &back, result)
}

fn report_from_fields(fields: &HashMap<String, String>) -> AppResult<NewReport> {
    let percent = match fields
        .get("percent")
        .map(|p| p.trim().trim_end_matches('%'))
        .filter(|p| !p.is_empty())
    {
        Some(p) => Some(
            p.parse::<i32>()
                .map_err(|_| AppError::field("percent", "完成比例应为 0–100 的整数"))?,
        ),
        None => None,
    };
    let mut actuals = Vec::new();
    for (k, v) in fields {
        if let Some(id) = k.strip_prefix("actual_")
            && let Ok(id) = id.parse::<i64>()
        {
            actuals.push((id, v.clone()));
        }
    }
    actuals.sort();
    Ok(NewReport {
        kind: fields
            .get("kind")
            .cloned()
            .unwrap_or_else(|| ReportKind::Progress.code().into()),
        note: fields.get("note").cloned().unwrap_or_default(),
        percent,
        actuals,
    })
}

/// The edit form: text, deadline, due date and `link_<row>` selects.
pub(super) async fn task_edit(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let back = format!("/plans/tasks/{id}");
    let result = async {
        let field = |k: &str| {
            form.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let mut links = Vec::new();
        for (k, v) in &form {
            if let Some(row) = k.strip_prefix("link_").and_then(|r| r.parse::<i64>().ok()) {
                let link = match v.trim() {
                    "" => None,
                    id => Some(
                        id.parse::<i64>()
                            .map_err(|_| AppError::field("links", "对应部门无效"))?,
                    ),
                };
                links.push((row, link));
            }
        }
        let edit = store::TaskEdit {
            text: field("text"),
            deadline: Some(field("deadline")),
            due_date: parse_date(Some(&field("due_date")), "due_date", "完成日期")?,
            links,
        };
        let mut writer = scope.writer(&state).await?;
        store::edit_task(&mut writer, &scope, id, edit, scope.today()).await?;
        writer.commit().await?;
        Ok((back.clone(), "已保存任务".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Deserialize)]
pub(super) struct ConfirmForm {
    #[serde(default)]
    accept: String,
    #[serde(default)]
    note: String,
}

pub(super) async fn task_confirm(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<ConfirmForm>,
) -> AppResult<Response> {
    let back = format!("/plans/tasks/{id}");
    let result = async {
        let accept = form.accept == "1";
        let mut writer = scope.writer(&state).await?;
        store::confirm(&mut writer, &scope, id, accept, &form.note, scope.today()).await?;
        writer.commit().await?;
        Ok((
            back.clone(),
            if accept {
                "已确认完成"
            } else {
                "已退回牵头部门"
            }
            .to_string(),
        ))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Deserialize)]
pub(super) struct OrderForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    deadline: String,
}

pub(super) async fn order_issue(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<OrderForm>,
) -> AppResult<Response> {
    let back = format!("/plans/tasks/{id}");
    let result = async {
        let deadline = parse_date(Some(&form.deadline), "deadline", "办理时限")?;
        let mut writer = scope.writer(&state).await?;
        store::issue_order(&mut writer, &scope, id, &form.reason, deadline, scope.today()).await?;
        writer.commit().await?;
        Ok((back.clone(), "已下发督办单".to_string()))
    }
    .await;
    finish(&state, &headers, &back, result)
}

#[derive(Deserialize)]
pub(super) struct CloseForm {
    #[serde(default)]
    note: String,
}

pub(super) async fn order_close(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(form): WebForm<CloseForm>,
) -> AppResult<Response> {
    let result = async {
        let mut writer = scope.writer(&state).await?;
        let order = store::close_order(&mut writer, &scope, id, &form.note, scope.today()).await?;
        writer.commit().await?;
        Ok((format!("/plans/tasks/{}", order.task_id), "督办单已办结".to_string()))
    }
    .await;
    let back = match &result {
        Err(_) => store::all_orders(&state.db, &scope)
            .await?
            .into_iter()
            .find(|o| o.id == id)
            .map(|o| format!("/plans/tasks/{}", o.task_id))
            .unwrap_or_else(|| "/plans/orders".into()),
        Ok(_) => "/plans/orders".into(),
    };
    finish(&state, &headers, &back, result)
}

/// A supervision order with its task and level today.
struct OrderLine {
    order: Order,
    task: String,
    lead: String,
    level: Colour,
    steps: String,
    /// The message key of the order's status.
    status_key: &'static str,
}

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    ctx: PageCtx,
    rows: Vec<OrderLine>,
}

async fn order_lines(state: &AppState, scope: &Scope) -> AppResult<Vec<OrderLine>> {
    let t = scope.today();
    let thresholds = store::thresholds(state.db.conn(), scope).await?;
    let lines: HashMap<i64, TaskLine> = store::ledger(&state.db, scope, &Filter::default(), t)
        .await?
        .into_iter()
        .map(|l| (l.task.id, l))
        .collect();
    Ok(store::all_orders(&state.db, scope)
        .await?
        .into_iter()
        .map(|o| {
            let e = domain::escalation(o.issued_on, o.deadline, o.closed_on, t, &thresholds);
            let line = lines.get(&o.task_id);
            OrderLine {
                task: line
                    .map(|l| format!("{} {}", l.task.reference, bulletin::short(&l.task.text)))
                    .unwrap_or_default(),
                lead: line.map(|l| l.lead_names()).unwrap_or_default(),
                level: e.level,
                steps: e
                    .steps
                    .iter()
                    .map(|(c, d)| format!("{} {d}", c.order_label()))
                    .collect::<Vec<_>>()
                    .join(" → "),
                status_key: OrderStatus::of_stored(&o.status).message_key(),
                order: o,
            }
        })
        .collect())
}

pub(super) async fn orders_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    Ok(render(&OrdersPage {
        ctx: ctx.crumb("nav.tasks", "/plans").crumb("plans.orders", ""),
        rows: order_lines(&state, &scope).await?,
    }))
}

pub(super) async fn attachment_download(
    State(state): State<AppState>,
    scope: Scope,
    Id(id): Id,
) -> AppResult<Response> {
    let f = store::attachment(&state.db, &scope, id).await?;
    gaoxin_platform::web::file_download(f.data, &f.content_type, "attachment", &f.file_name)
}
