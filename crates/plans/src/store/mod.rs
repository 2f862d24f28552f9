//! Ledger queries (always through the caller's `Scope`) and audited writes. This module holds
//! the ledger as read (tasks with their departments, targets and colour today), the zone's
//! thresholds and who may do what on a task; [`tasks`] saves plans and tasks and edits them,
//! [`reports`] files progress reports with actuals and evidence and confirms completion,
//! [`orders`] issues and closes supervision orders.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter, QueryOrder};

use super::domain::{self, Colour, Explained, TaskState, Thresholds};
use super::plan_entity::{self as plan, Model as Plan};
use super::setting_entity as setting;
use super::status::{DepartmentRole, OrderStatus, TaskStatus};
use super::supervision_entity as supervision;
use super::target_entity::{self as target, Model as Target};
use super::task_department_entity::{self as task_department, Model as TaskDepartment};
use super::task_entity::{self as task, Model as Task};
use gaoxin_core::roles::Role;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::departments::entity::{self as department, Model as Department};
use gaoxin_platform::error::{AppError, AppResult};

mod orders;
mod reports;
mod tasks;

pub use orders::*;
pub use reports::*;
pub use tasks::*;

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
        names(&self.departments, DepartmentRole::Lead)
    }

    pub fn cooperating_names(&self) -> String {
        names(&self.departments, DepartmentRole::Cooperating)
    }

    pub fn lead_ids(&self) -> Vec<i64> {
        self.departments
            .iter()
            .filter(|d| DepartmentRole::Lead.is(&d.role))
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

fn names(departments: &[TaskDepartment], role: DepartmentRole) -> String {
    departments
        .iter()
        .filter(|d| role.is(&d.role))
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

/// The department of the zone a name as written means (by its name or short name), if any.
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
            .filter(supervision::Column::Status.eq(OrderStatus::Open.code()))
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
            status: TaskStatus::of_stored(&t.status),
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
    let is = |r: DepartmentRole| {
        role == Role::Staff && own.is_some() && line.departments.iter().any(|d| r.is(&d.role) && d.department_id == own)
    };
    Rights {
        lead: role == Role::Admin || is(DepartmentRole::Lead),
        cooperating: role == Role::Admin || is(DepartmentRole::Cooperating),
        comment: matches!(role, Role::Leader | Role::Admin),
        supervise: role == Role::Admin,
    }
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
pub fn counted_names(line: &TaskLine, role: DepartmentRole, departments: &HashMap<i64, String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in line.departments.iter().filter(|d| role.is(&d.role)) {
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
    Ok(gaoxin_platform::departments::store::all(db, scope, None)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect())
}
