//! Saving a plan with its tasks (from a parse, an import or the API), a task by hand, and
//! editing a task: its text, deadline and which department each name as written means.

use chrono::{Datelike, NaiveDate};
use sea_orm::{ActiveValue::Set, IntoActiveModel};
use serde::{Deserialize, Serialize};

use super::{match_written, rights, task_line, valid_decimal};
use crate::plan_entity::{self as plan, Model as Plan};
use crate::status::{DepartmentRole, TaskStatus};
use crate::target_entity as target;
use crate::task_department_entity as task_department;
use crate::task_entity::{self as task, Model as Task};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::entity as department;
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
        .any(|d| DepartmentRole::Lead.is(&d.role) && !d.written.trim().is_empty())
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
            status: Set(TaskStatus::Open.code().into()),
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
        if DepartmentRole::of(&d.role).is_none() {
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
