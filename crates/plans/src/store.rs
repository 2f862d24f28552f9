//! Ledger queries (always through the caller's `Scope`) and audited writes: plans saved from a
//! parse, tasks by hand, progress reports with actuals and evidence, completion and its
//! confirmation, supervision orders, the zone's thresholds.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use super::attachment_entity::{self as attachment, Model as Attachment};
use super::domain::{self, Colour, Explained, TaskState, Thresholds};
use super::plan_entity::{self as plan, Model as Plan};
use super::report_entity::{self as report, Model as Report};
use super::setting_entity as setting;
use super::supervision_entity::{self as supervision, Model as Order};
use super::target_entity::{self as target, Model as Target};
use super::task_department_entity::{self as task_department, Model as TaskDepartment};
use super::task_entity::{self as task, Model as Task};
use gaoxin_core::roles::Role;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::departments::entity::{self as department, Model as Department};
use gaoxin_platform::error::{AppError, AppResult};

/// A department on a new task, as written and as linked.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewDepartment {
    /// `lead` or `cooperating`.
    pub role: String,
    pub written: String,
    pub department_id: Option<i64>,
}

/// A target on a new task.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewTarget {
    pub text: String,
    /// An exact decimal (`141`, `4.5`).
    pub value: String,
    pub unit: String,
}

/// A task to save.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewTask {
    #[serde(rename = "ref", default)]
    pub reference: String,
    #[serde(default)]
    pub section: String,
    pub text: String,
    pub deadline: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub start_date: Option<NaiveDate>,
    pub departments: Vec<NewDepartment>,
    #[serde(default)]
    pub targets: Vec<NewTarget>,
}

/// A task with what the ledger shows beside it.
#[derive(Debug, Clone)]
pub struct TaskLine {
    pub task: Task,
    pub plan_title: String,
    pub departments: Vec<TaskDepartment>,
    pub targets: Vec<Target>,
    pub status: Explained,
    pub open_orders: usize,
}

impl TaskLine {
    pub fn lead_names(&self) -> String {
        names(&self.departments, "lead")
    }

    pub fn cooperating_names(&self) -> String {
        names(&self.departments, "cooperating")
    }

    pub fn lead_ids(&self) -> Vec<i64> {
        self.departments
            .iter()
            .filter(|d| d.role == "lead")
            .filter_map(|d| d.department_id)
            .collect()
    }

    pub fn targets_text(&self) -> String {
        self.targets
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join("；")
    }
}

fn names(departments: &[TaskDepartment], role: &str) -> String {
    departments
        .iter()
        .filter(|d| d.role == role)
        .map(|d| d.written.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

pub async fn thresholds(conn: &impl ConnectionTrait, scope: &Scope) -> AppResult<Thresholds> {
    Ok(scope
        .select::<setting::Entity>()
        .one(conn)
        .await?
        .map(|s| Thresholds {
            blue_days: s.blue_days as i64,
            red_after_days: s.red_after_days as i64,
        })
        .unwrap_or_default())
}

pub async fn save_thresholds(writer: &mut Writer, scope: &Scope, blue_days: i32, red_after_days: i32) -> AppResult<()> {
    if !(0..=365).contains(&blue_days) {
        return Err(AppError::field("blue_days", "临期天数应为 0–365 的整数"));
    }
    if !(0..=365).contains(&red_after_days) {
        return Err(AppError::field(
            "red_after_days",
            "督办升级为红色的天数应为 0–365 的整数",
        ));
    }
    match scope.select::<setting::Entity>().one(writer.read()).await? {
        Some(before) => {
            let mut a = before.clone().into_active_model();
            a.blue_days = Set(blue_days);
            a.red_after_days = Set(red_after_days);
            writer.update_in_zone(&before, a).await?;
        }
        None => {
            writer
                .insert_in_zone(setting::ActiveModel {
                    blue_days: Set(blue_days),
                    red_after_days: Set(red_after_days),
                    ..Default::default()
                })
                .await?;
        }
    }
    Ok(())
}

/// The zone's departments as (id, name, short name) for matching written names.
pub fn match_written(written: &str, departments: &[Department]) -> Option<i64> {
    gaoxin_platform::departments::domain::match_department(
        written,
        departments
            .iter()
            .map(|d| (d.id, d.name.as_str(), d.short_name.as_deref())),
    )
}

fn valid_decimal(value: &str, what: &str) -> AppResult<String> {
    value
        .trim()
        .parse::<Decimal>()
        .map(|d| d.normalize().to_string())
        .map_err(|_| AppError::field("targets", format!("{what}“{value}”不是数字")))
}

/// Saves a plan with its tasks in one transaction.
pub async fn create_plan(
    writer: &mut Writer,
    scope: &Scope,
    title: &str,
    year: i32,
    document_number: Option<String>,
    source_name: Option<String>,
    tasks: Vec<NewTask>,
) -> AppResult<Plan> {
    let title = title.trim();
    if title.is_empty() {
        return Err(AppError::field("title", "请填写方案名称"));
    }
    if !(2000..=2100).contains(&year) {
        return Err(AppError::field("year", "年度应为四位数字，如 2024"));
    }
    if tasks.is_empty() {
        return Err(AppError::field("tasks", "没有要保存的任务"));
    }
    let plan = writer
        .insert_in_zone(plan::ActiveModel {
            title: Set(title.to_string()),
            year: Set(year),
            document_number: Set(document_number.filter(|d| !d.trim().is_empty())),
            source_name: Set(source_name),
            created_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?;
    for (i, t) in tasks.into_iter().enumerate() {
        insert_task(writer, scope, Some(&plan), i as i32 + 1, t).await?;
    }
    Ok(plan)
}

/// Saves one task (from a plan, or by hand when `plan` is None).
pub async fn insert_task(
    writer: &mut Writer,
    scope: &Scope,
    plan: Option<&Plan>,
    seq: i32,
    t: NewTask,
) -> AppResult<Task> {
    let text = t.text.trim();
    if text.is_empty() {
        return Err(AppError::field("text", format!("第 {seq} 项任务没有内容")));
    }
    if !t
        .departments
        .iter()
        .any(|d| d.role == "lead" && !d.written.trim().is_empty())
    {
        return Err(AppError::field(
            "lead",
            format!("第 {seq} 项任务（{}）没有牵头部门", t.reference),
        ));
    }
    let year = plan.map_or_else(|| scope.year(), |p| p.year);
    // A yearly plan's task without a date is due at the year's end (`全年`, `年内`, none written).
    let due = t.due_date.or_else(|| match t.deadline.as_deref().map(str::trim) {
        None | Some("") | Some("全年") | Some("年内") | Some("年底前") | Some("年底") => {
            NaiveDate::from_ymd_opt(year, 12, 31)
        }
        _ => None,
    });
    // The period of the 序时进度 starts with the plan's year, or earlier for a task carried over
    // with an earlier deadline.
    let start = match t.start_date {
        Some(start) => {
            if let Some(due) = due
                && due < start
            {
                return Err(AppError::field(
                    "due_date",
                    format!("第 {seq} 项任务的完成时限 {due} 早于开始日期 {start}"),
                ));
            }
            start
        }
        None => {
            let january = NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January");
            due.map_or(january, |due| {
                january.min(NaiveDate::from_ymd_opt(due.year(), 1, 1).unwrap_or(january))
            })
        }
    };
    let departments = scope.select::<department::Entity>().all(writer.read()).await?;
    for d in &t.departments {
        if let Some(id) = d.department_id
            && !departments.iter().any(|x| x.id == id)
        {
            return Err(AppError::field("departments", format!("部门编号 {id} 不存在")));
        }
    }
    let task = writer
        .insert_in_zone(task::ActiveModel {
            plan_id: Set(plan.map(|p| p.id)),
            seq: Set(seq),
            reference: Set(t.reference.chars().take(100).collect()),
            section: Set(t.section),
            text: Set(text.to_string()),
            deadline_text: Set(t
                .deadline
                .filter(|d| !d.trim().is_empty())
                .map(|d| d.chars().take(100).collect())),
            start_date: Set(start),
            due_date: Set(due),
            percent: Set(0),
            status: Set("open".into()),
            created_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?;
    let mut rows = Vec::new();
    for (i, d) in t.departments.into_iter().enumerate() {
        let written = d.written.trim().to_string();
        if written.is_empty() {
            continue;
        }
        if d.role != "lead" && d.role != "cooperating" {
            return Err(AppError::field(
                "departments",
                format!("部门角色“{}”应为 lead 或 cooperating", d.role),
            ));
        }
        rows.push(task_department::ActiveModel {
            task_id: Set(task.id),
            department_id: Set(d.department_id.or_else(|| match_written(&written, &departments))),
            written: Set(written.chars().take(200).collect()),
            role: Set(d.role),
            position: Set(i as i32),
            ..Default::default()
        });
    }
    writer.insert_many_in_zone(rows).await?;
    let mut targets = Vec::new();
    for (i, g) in t.targets.into_iter().enumerate() {
        targets.push(target::ActiveModel {
            task_id: Set(task.id),
            position: Set(i as i32),
            text: Set(g.text.chars().take(500).collect()),
            value: Set(valid_decimal(&g.value, "目标值")?),
            unit: Set(g.unit.chars().take(20).collect()),
            ..Default::default()
        });
    }
    writer.insert_many_in_zone(targets).await?;
    Ok(task)
}

/// What narrows the ledger.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub plan_id: Option<i64>,
    pub department_id: Option<i64>,
    pub colour: Option<Colour>,
    pub q: Option<String>,
}

/// The ledger: tasks with their departments, targets and colour today, in plan order.
pub async fn ledger(db: &Db, scope: &Scope, filter: &Filter, today: NaiveDate) -> AppResult<Vec<TaskLine>> {
    let conn = db.conn();
    let mut select = scope.select::<task::Entity>();
    if let Some(p) = filter.plan_id {
        select = select.filter(task::Column::PlanId.eq(p));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        select = select.filter(task::Column::Text.contains(q));
    }
    let tasks = select
        .order_by_asc(task::Column::PlanId)
        .order_by_asc(task::Column::Seq)
        .order_by_asc(task::Column::Id)
        .all(conn)
        .await?;
    let mut lines = lines_for(conn, scope, tasks, today).await?;
    if let Some(d) = filter.department_id {
        lines.retain(|l| l.departments.iter().any(|x| x.department_id == Some(d)));
    }
    if let Some(c) = filter.colour {
        lines.retain(|l| l.status.colour == c);
    }
    Ok(lines)
}

async fn lines_for(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    tasks: Vec<Task>,
    today: NaiveDate,
) -> AppResult<Vec<TaskLine>> {
    let thresholds = thresholds(conn, scope).await?;
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let mut departments: HashMap<i64, Vec<TaskDepartment>> = HashMap::new();
    let mut targets: HashMap<i64, Vec<Target>> = HashMap::new();
    let mut orders: HashMap<i64, usize> = HashMap::new();
    for chunk in ids.chunks(500) {
        for d in scope
            .select::<task_department::Entity>()
            .filter(task_department::Column::TaskId.is_in(chunk.to_vec()))
            .order_by_asc(task_department::Column::Position)
            .all(conn)
            .await?
        {
            departments.entry(d.task_id).or_default().push(d);
        }
        for g in scope
            .select::<target::Entity>()
            .filter(target::Column::TaskId.is_in(chunk.to_vec()))
            .order_by_asc(target::Column::Position)
            .all(conn)
            .await?
        {
            targets.entry(g.task_id).or_default().push(g);
        }
        for o in scope
            .select::<supervision::Entity>()
            .filter(supervision::Column::TaskId.is_in(chunk.to_vec()))
            .filter(supervision::Column::Status.eq("open"))
            .all(conn)
            .await?
        {
            *orders.entry(o.task_id).or_default() += 1;
        }
    }
    let plans: HashMap<i64, String> = scope
        .select::<plan::Entity>()
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.title))
        .collect();
    Ok(tasks
        .into_iter()
        .map(|t| TaskLine {
            status: status_of(&t, today, &thresholds),
            plan_title: t.plan_id.and_then(|p| plans.get(&p).cloned()).unwrap_or_default(),
            departments: departments.remove(&t.id).unwrap_or_default(),
            targets: targets.remove(&t.id).unwrap_or_default(),
            open_orders: orders.get(&t.id).copied().unwrap_or(0),
            task: t,
        })
        .collect())
}

pub fn status_of(t: &Task, today: NaiveDate, thresholds: &Thresholds) -> Explained {
    domain::colour(
        &TaskState {
            start: t.start_date,
            due: t.due_date,
            percent: t.percent,
            status: &t.status,
            done_on: t.done_on,
        },
        today,
        thresholds,
    )
}

pub async fn plans(db: &Db, scope: &Scope) -> AppResult<Vec<Plan>> {
    Ok(scope
        .select::<plan::Entity>()
        .order_by_desc(plan::Column::Year)
        .order_by_desc(plan::Column::Id)
        .all(db.conn())
        .await?)
}

pub async fn plan_by_id(db: &Db, scope: &Scope, id: i64) -> AppResult<Plan> {
    scope
        .select::<plan::Entity>()
        .filter(plan::Column::Id.eq(id))
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn task_line(conn: &impl ConnectionTrait, scope: &Scope, id: i64, today: NaiveDate) -> AppResult<TaskLine> {
    let t = scope
        .select::<task::Entity>()
        .filter(task::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    lines_for(conn, scope, vec![t], today)
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// A report with its attachments' (id, file name, size).
pub struct ReportLine {
    pub report: Report,
    pub department: String,
    pub author: String,
    pub attachments: Vec<(i64, String, i64)>,
}

pub async fn reports(db: &Db, scope: &Scope, task_id: i64) -> AppResult<Vec<ReportLine>> {
    let conn = db.conn();
    let rows = scope
        .select::<report::Entity>()
        .filter(report::Column::TaskId.eq(task_id))
        .order_by_asc(report::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let files: Vec<Attachment> = scope
        .select::<attachment::Entity>()
        .filter(attachment::Column::ReportId.is_in(ids))
        .all(conn)
        .await?;
    let departments = gaoxin_platform::departments::store::all(db, scope, None).await?;
    let accounts: HashMap<i64, String> = gaoxin_platform::accounts::entity::account::Entity::find()
        .filter(gaoxin_platform::accounts::entity::account::Column::ZoneId.eq(scope.zone_id()))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.display_name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| ReportLine {
            department: r
                .department_id
                .and_then(|d| departments.iter().find(|x| x.id == d))
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            author: r.created_by.and_then(|a| accounts.get(&a).cloned()).unwrap_or_default(),
            attachments: files
                .iter()
                .filter(|f| f.report_id == r.id)
                .map(|f| (f.id, f.file_name.clone(), f.size))
                .collect(),
            report: r,
        })
        .collect())
}

pub async fn attachment(db: &Db, scope: &Scope, id: i64) -> AppResult<Attachment> {
    scope
        .select::<attachment::Entity>()
        .filter(attachment::Column::Id.eq(id))
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn orders_of(db: &Db, scope: &Scope, task_id: i64) -> AppResult<Vec<Order>> {
    Ok(scope
        .select::<supervision::Entity>()
        .filter(supervision::Column::TaskId.eq(task_id))
        .order_by_asc(supervision::Column::Id)
        .all(db.conn())
        .await?)
}

pub async fn all_orders(db: &Db, scope: &Scope) -> AppResult<Vec<Order>> {
    Ok(scope
        .select::<supervision::Entity>()
        .order_by_desc(supervision::Column::Id)
        .all(db.conn())
        .await?)
}

/// What the caller may do on a task.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rights {
    /// Report progress and completion, answer supervision (the lead department, or admin).
    pub lead: bool,
    /// Add a cooperating department's part.
    pub cooperating: bool,
    /// Comment (leaders, admin).
    pub comment: bool,
    /// Issue and close supervision orders, confirm completion (admin: the 督查 office).
    pub supervise: bool,
}

pub fn rights(scope: &Scope, line: &TaskLine) -> Rights {
    let role = scope.role();
    let own = scope.caller().department_id;
    let is = |r: &str| {
        role == Role::Staff && own.is_some() && line.departments.iter().any(|d| d.role == r && d.department_id == own)
    };
    Rights {
        lead: role == Role::Admin || is("lead"),
        cooperating: role == Role::Admin || is("cooperating"),
        comment: matches!(role, Role::Leader | Role::Admin),
        supervise: role == Role::Admin,
    }
}

/// A report to file.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewReport {
    /// `progress`, `part`, `completion`, `comment`.
    pub kind: String,
    pub note: String,
    pub percent: Option<i32>,
    /// Actual values per target id (exact decimals).
    #[serde(default)]
    pub actuals: Vec<(i64, String)>,
}

/// An evidence file.
pub struct NewFile {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

pub const MAX_FILE: usize = 20 * 1024 * 1024;

/// Files a report: the lead department's progress (percent, actuals) or completion, a
/// cooperating department's part, a leader's comment. A lead report answers the task's open
/// supervision order.
pub async fn file_report(
    writer: &mut Writer,
    scope: &Scope,
    task_id: i64,
    input: NewReport,
    files: Vec<NewFile>,
    today: NaiveDate,
) -> AppResult<Report> {
    let line = task_line(writer.read(), scope, task_id, today).await?;
    let note = input.note.trim().to_string();
    if note.is_empty() {
        return Err(AppError::field("note", "请填写进展情况"));
    }
    let rights = rights(scope, &line);
    let allowed = match input.kind.as_str() {
        "progress" | "completion" => rights.lead,
        "part" => rights.cooperating || rights.lead,
        "comment" => rights.comment,
        other => return Err(AppError::field("kind", format!("报送类型“{other}”无效"))),
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if line.task.status == "confirmed" && input.kind != "comment" {
        return Err(AppError::BadRequest("该任务已确认完成，不再报送进展".into()));
    }
    let percent = match (input.kind.as_str(), input.percent) {
        ("completion", _) => Some(100),
        ("progress", Some(p)) => {
            if !(0..=100).contains(&p) {
                return Err(AppError::field("percent", "完成比例应为 0–100 的整数"));
            }
            if p < line.task.percent {
                return Err(AppError::field(
                    "percent",
                    format!("完成比例不能低于上次报送的 {}%", line.task.percent),
                ));
            }
            Some(p)
        }
        ("progress", None) => return Err(AppError::field("percent", "请填写完成比例")),
        _ => None,
    };
    let mut actuals = Vec::new();
    for (target_id, value) in &input.actuals {
        if value.trim().is_empty() {
            continue;
        }
        let Some(t) = line.targets.iter().find(|t| t.id == *target_id) else {
            return Err(AppError::field("actuals", format!("目标编号 {target_id} 不属于该任务")));
        };
        let v = valid_decimal(value, &format!("“{}”的实际值", t.text))?;
        actuals.push((t.clone(), v));
    }
    if !actuals.is_empty() && !matches!(input.kind.as_str(), "progress" | "completion") {
        return Err(AppError::field("actuals", "目标实际值由牵头部门报送"));
    }
    if files.iter().any(|f| f.bytes.len() > MAX_FILE) {
        return Err(AppError::field("files", "附件不能超过 20 MB"));
    }
    let open_order = if matches!(input.kind.as_str(), "progress" | "completion") {
        scope
            .select::<supervision::Entity>()
            .filter(supervision::Column::TaskId.eq(task_id))
            .filter(supervision::Column::Status.eq("open"))
            .order_by_desc(supervision::Column::Id)
            .one(writer.read())
            .await?
            .map(|o| o.id)
    } else {
        None
    };
    let department_id = match scope.role() {
        Role::Staff => scope.caller().department_id,
        _ if input.kind != "comment" => line
            .departments
            .iter()
            .find(|d| d.role == if input.kind == "part" { "cooperating" } else { "lead" })
            .and_then(|d| d.department_id),
        _ => None,
    };
    let report = writer
        .insert_in_zone(report::ActiveModel {
            task_id: Set(task_id),
            department_id: Set(department_id),
            kind: Set(input.kind.clone()),
            note: Set(note),
            percent: Set(percent),
            actuals: Set((!actuals.is_empty()).then(|| {
                serde_json::json!(
                    actuals
                        .iter()
                        .map(|(t, v)| serde_json::json!({"target_id": t.id, "actual": v}))
                        .collect::<Vec<_>>()
                )
                .to_string()
            })),
            supervision_id: Set(open_order),
            created_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?;
    for f in files {
        writer
            .insert_in_zone(attachment::ActiveModel {
                report_id: Set(report.id),
                file_name: Set(f.file_name.chars().take(200).collect()),
                content_type: Set(f.content_type.chars().take(100).collect()),
                size: Set(f.bytes.len() as i64),
                data: Set(f.bytes),
                ..Default::default()
            })
            .await?;
    }
    for (t, v) in actuals {
        let mut a = t.clone().into_active_model();
        a.actual = Set(Some(v));
        writer.update_in_zone(&t, a).await?;
    }
    if let Some(p) = percent {
        let before = line.task.clone();
        let mut a = before.clone().into_active_model();
        a.percent = Set(p);
        if input.kind == "completion" {
            a.status = Set("done".into());
            a.done_on = Set(Some(today));
        }
        writer.update_in_zone(&before, a).await?;
    }
    Ok(report)
}

/// The supervisor confirms a completion (green) or returns it (back to open, with a reason).
pub async fn confirm(
    writer: &mut Writer,
    scope: &Scope,
    task_id: i64,
    accept: bool,
    note: &str,
    today: NaiveDate,
) -> AppResult<Task> {
    let line = task_line(writer.read(), scope, task_id, today).await?;
    if !rights(scope, &line).supervise {
        return Err(AppError::Forbidden);
    }
    if line.task.status != "done" {
        return Err(AppError::BadRequest("牵头部门尚未报送完成，不能确认".into()));
    }
    let before = line.task.clone();
    let mut a = before.clone().into_active_model();
    if accept {
        a.status = Set("confirmed".into());
        a.confirmed_on = Set(Some(today));
        a.confirmed_by = Set(Some(scope.caller().account_id));
    } else {
        if note.trim().is_empty() {
            return Err(AppError::field("note", "退回时请写明理由"));
        }
        a.status = Set("open".into());
        a.done_on = Set(None);
        a.percent = Set(before.percent.min(99));
        writer
            .insert_in_zone(report::ActiveModel {
                task_id: Set(task_id),
                kind: Set("comment".into()),
                note: Set(format!("退回：{}", note.trim())),
                created_by: Set(Some(scope.caller().account_id)),
                ..Default::default()
            })
            .await?;
    }
    Ok(writer.update_in_zone(&before, a).await?)
}

/// Issues a 督办单 on a task.
pub async fn issue_order(
    writer: &mut Writer,
    scope: &Scope,
    task_id: i64,
    reason: &str,
    deadline: Option<NaiveDate>,
    today: NaiveDate,
) -> AppResult<Order> {
    let line = task_line(writer.read(), scope, task_id, today).await?;
    if !rights(scope, &line).supervise {
        return Err(AppError::Forbidden);
    }
    if line.task.status == "confirmed" {
        return Err(AppError::BadRequest("该任务已确认完成，不能督办".into()));
    }
    if reason.trim().is_empty() {
        return Err(AppError::field("reason", "请填写督办事由"));
    }
    let Some(deadline) = deadline else {
        return Err(AppError::field("deadline", "请填写办理时限"));
    };
    if deadline < today {
        return Err(AppError::field("deadline", format!("办理时限 {deadline} 早于今天")));
    }
    Ok(writer
        .insert_in_zone(supervision::ActiveModel {
            task_id: Set(task_id),
            reason: Set(reason.trim().to_string()),
            issued_on: Set(today),
            deadline: Set(deadline),
            status: Set("open".into()),
            issued_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?)
}

/// Closes a 督办单: only once the lead department has answered it with a report.
pub async fn close_order(
    writer: &mut Writer,
    scope: &Scope,
    order_id: i64,
    note: &str,
    today: NaiveDate,
) -> AppResult<Order> {
    let order = scope
        .select::<supervision::Entity>()
        .filter(supervision::Column::Id.eq(order_id))
        .one(writer.read())
        .await?
        .ok_or(AppError::NotFound)?;
    let line = task_line(writer.read(), scope, order.task_id, today).await?;
    if !rights(scope, &line).supervise {
        return Err(AppError::Forbidden);
    }
    if order.status != "open" {
        return Err(AppError::BadRequest("该督办单已办结".into()));
    }
    let answered = scope
        .select::<report::Entity>()
        .filter(report::Column::SupervisionId.eq(order.id))
        .one(writer.read())
        .await?
        .is_some();
    if !answered {
        return Err(AppError::BadRequest("牵头部门尚未报送办理情况，不能办结督办单".into()));
    }
    let mut a = order.clone().into_active_model();
    a.status = Set("closed".into());
    a.closed_on = Set(Some(today));
    a.closed_by = Set(Some(scope.caller().account_id));
    a.closing_note = Set(Some(note.trim().to_string()).filter(|n| !n.is_empty()));
    Ok(writer.update_in_zone(&order, a).await?)
}

/// Percent complete of each task as it stood at the end of `day` (from the reports).
pub async fn percent_at(db: &Db, scope: &Scope, day: NaiveDate) -> AppResult<HashMap<i64, (i32, bool)>> {
    let end = day.and_hms_opt(23, 59, 59).expect("valid time").and_utc();
    let mut out: HashMap<i64, (i32, bool)> = HashMap::new();
    for r in scope
        .select::<report::Entity>()
        .filter(report::Column::CreatedAt.lte(end))
        .filter(report::Column::Kind.is_in(["progress", "completion"]))
        .order_by_asc(report::Column::Id)
        .all(db.conn())
        .await?
    {
        if let Some(p) = r.percent {
            let e = out.entry(r.task_id).or_insert((0, false));
            e.0 = p;
            e.1 |= r.kind == "completion";
        }
    }
    Ok(out)
}

pub async fn departments(db: &Db, scope: &Scope) -> AppResult<Vec<Department>> {
    Ok(scope
        .select::<department::Entity>()
        .order_by_asc(department::Column::SortOrder)
        .order_by_asc(department::Column::Id)
        .all(db.conn())
        .await?)
}

/// The latest progress note of each task (for the ledger's 进展情况 column).
pub async fn latest_notes(db: &Db, scope: &Scope) -> AppResult<HashMap<i64, String>> {
    let mut out = HashMap::new();
    for r in scope
        .select::<report::Entity>()
        .filter(report::Column::Kind.is_in(["progress", "completion"]))
        .order_by_asc(report::Column::Id)
        .all(db.conn())
        .await?
    {
        out.insert(r.task_id, format!("{}：{}", r.created_at.format("%Y-%m-%d"), r.note));
    }
    Ok(out)
}

/// The zone's departments, read inside a writer's transaction.
pub async fn departments_in(writer: &Writer, scope: &Scope) -> AppResult<Vec<Department>> {
    Ok(scope
        .select::<department::Entity>()
        .order_by_asc(department::Column::SortOrder)
        .all(writer.read())
        .await?)
}

/// A plan's tasks as lines, read inside a writer's transaction.
pub async fn ledger_of_plan(
    writer: &Writer,
    scope: &Scope,
    plan_id: i64,
    today: NaiveDate,
) -> AppResult<Vec<TaskLine>> {
    let tasks = scope
        .select::<task::Entity>()
        .filter(task::Column::PlanId.eq(plan_id))
        .order_by_asc(task::Column::Seq)
        .all(writer.read())
        .await?;
    lines_for(writer.read(), scope, tasks, today).await
}

/// The name a task's department is counted under: the linked department's name, else as written.
pub fn counted_names(line: &TaskLine, role: &str, departments: &HashMap<i64, String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in line.departments.iter().filter(|d| d.role == role) {
        let name = d
            .department_id
            .and_then(|id| departments.get(&id).cloned())
            .unwrap_or_else(|| d.written.clone());
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

pub async fn department_names(db: &Db, scope: &Scope) -> AppResult<HashMap<i64, String>> {
    Ok(departments(db, scope)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect())
}

/// What an edit of a task changes.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TaskEdit {
    pub text: String,
    pub deadline: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// (task_department id, department id or None) links of names as written.
    #[serde(default)]
    pub links: Vec<(i64, Option<i64>)>,
}

/// Edits a task (the lead department or admin): its text, deadline and due date, and which
/// department each name as written means.
pub async fn edit_task(
    writer: &mut Writer,
    scope: &Scope,
    task_id: i64,
    edit: TaskEdit,
    today: NaiveDate,
) -> AppResult<Task> {
    let line = task_line(writer.read(), scope, task_id, today).await?;
    if !rights(scope, &line).lead {
        return Err(AppError::Forbidden);
    }
    let text = edit.text.trim();
    if text.is_empty() {
        return Err(AppError::field("text", "工作任务不能为空"));
    }
    if let Some(due) = edit.due_date
        && due < line.task.start_date
    {
        return Err(AppError::field(
            "due_date",
            format!("完成日期 {due} 早于开始日期 {}", line.task.start_date),
        ));
    }
    let departments = scope.select::<department::Entity>().all(writer.read()).await?;
    for (row_id, link) in &edit.links {
        let Some(row) = line.departments.iter().find(|d| d.id == *row_id) else {
            return Err(AppError::field("links", format!("部门行 {row_id} 不属于该任务")));
        };
        if let Some(id) = link
            && !departments.iter().any(|d| d.id == *id)
        {
            return Err(AppError::field("links", format!("部门编号 {id} 不存在")));
        }
        if row.department_id != *link {
            let mut a = row.clone().into_active_model();
            a.department_id = Set(*link);
            writer.update_in_zone(row, a).await?;
        }
    }
    let before = line.task.clone();
    let deadline = edit.deadline.map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
    if before.text == text && before.deadline_text == deadline && before.due_date == edit.due_date {
        return Ok(before);
    }
    let mut a = before.clone().into_active_model();
    a.text = Set(text.to_string());
    a.deadline_text = Set(deadline);
    a.due_date = Set(edit.due_date);
    Ok(writer.update_in_zone(&before, a).await?)
}
