//! Reports on a task: the lead department's progress (percent, targets' actual values,
//! evidence files) or completion, a cooperating department's part, a leader's comment; the
//! supervisor's confirmation of a completion; and the percent complete as it stood on a day.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};
use serde::Deserialize;

use super::{TaskLine, rights, task_line, valid_decimal};
use crate::attachment_entity::{self as attachment, Model as Attachment};
use crate::report_entity::{self as report, Model as Report};
use crate::status::{DepartmentRole, OrderStatus, ReportKind, TaskStatus};
use crate::supervision_entity as supervision;
use crate::target_entity::Model as Target;
use crate::task_entity::Model as Task;
use gaoxin_core::roles::Role;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::{AppError, AppResult};

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
    let Some(kind) = ReportKind::of(&input.kind) else {
        return Err(AppError::field("kind", format!("报送类型“{}”无效", input.kind)));
    };
    let allowed = match kind {
        ReportKind::Progress | ReportKind::Completion => rights.lead,
        ReportKind::Part => rights.cooperating || rights.lead,
        ReportKind::Comment => rights.comment,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if TaskStatus::of_stored(&line.task.status) == TaskStatus::Confirmed && kind != ReportKind::Comment {
        return Err(AppError::BadRequest("该任务已确认完成，不再报送进展".into()));
    }
    let percent = checked_percent(kind, input.percent, line.task.percent)?;
    let actuals = checked_actuals(&line, &input.actuals)?;
    if !actuals.is_empty() && !kind.by_lead() {
        return Err(AppError::field("actuals", "目标实际值由牵头部门报送"));
    }
    if files.iter().any(|f| f.bytes.len() > MAX_FILE) {
        return Err(AppError::field("files", "附件不能超过 20 MB"));
    }
    let open_order = if kind.by_lead() {
        scope
            .select::<supervision::Entity>()
            .filter(supervision::Column::TaskId.eq(task_id))
            .filter(supervision::Column::Status.eq(OrderStatus::Open.code()))
            .order_by_desc(supervision::Column::Id)
            .one(writer.read())
            .await?
            .map(|o| o.id)
    } else {
        None
    };
    // Staff report for their own department. A report filed by anyone else (an admin, a
    // leader) is counted for the department the kind speaks for (the cooperating one for a
    // part, else the lead), and a comment for none.
    let department_id = match scope.role() {
        Role::Staff => scope.caller().department_id,
        _ if kind != ReportKind::Comment => {
            let role = if kind == ReportKind::Part {
                DepartmentRole::Cooperating
            } else {
                DepartmentRole::Lead
            };
            line.departments
                .iter()
                .find(|d| role.is(&d.role))
                .and_then(|d| d.department_id)
        }
        _ => None,
    };
    let report = writer
        .insert_in_zone(report::ActiveModel {
            task_id: Set(task_id),
            department_id: Set(department_id),
            kind: Set(kind.code().into()),
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
        if kind == ReportKind::Completion {
            a.status = Set(TaskStatus::Done.code().into());
            a.done_on = Set(Some(today));
        }
        writer.update_in_zone(&before, a).await?;
    }
    Ok(report)
}

/// The percent complete a report sets: 100 for a completion, the reported one for progress (it
/// never goes down), none for the other kinds.
fn checked_percent(kind: ReportKind, percent: Option<i32>, current: i32) -> AppResult<Option<i32>> {
    match (kind, percent) {
        (ReportKind::Completion, _) => Ok(Some(100)),
        (ReportKind::Progress, Some(p)) => {
            if !(0..=100).contains(&p) {
                return Err(AppError::field("percent", "完成比例应为 0–100 的整数"));
            }
            if p < current {
                return Err(AppError::field(
                    "percent",
                    format!("完成比例不能低于上次报送的 {current}%"),
                ));
            }
            Ok(Some(p))
        }
        (ReportKind::Progress, None) => Err(AppError::field("percent", "请填写完成比例")),
        _ => Ok(None),
    }
}

/// The actual values reported, each against one of the task's targets and an exact decimal;
/// blank ones are left out.
fn checked_actuals(line: &TaskLine, actuals: &[(i64, String)]) -> AppResult<Vec<(Target, String)>> {
    let mut out = Vec::new();
    for (target_id, value) in actuals {
        if value.trim().is_empty() {
            continue;
        }
        let Some(t) = line.targets.iter().find(|t| t.id == *target_id) else {
            return Err(AppError::field("actuals", format!("目标编号 {target_id} 不属于该任务")));
        };
        let v = valid_decimal(value, &format!("“{}”的实际值", t.text))?;
        out.push((t.clone(), v));
    }
    Ok(out)
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
    if TaskStatus::of_stored(&line.task.status) != TaskStatus::Done {
        return Err(AppError::BadRequest("牵头部门尚未报送完成，不能确认".into()));
    }
    let before = line.task.clone();
    let mut a = before.clone().into_active_model();
    if accept {
        a.status = Set(TaskStatus::Confirmed.code().into());
        a.confirmed_on = Set(Some(today));
        a.confirmed_by = Set(Some(scope.caller().account_id));
    } else {
        if note.trim().is_empty() {
            return Err(AppError::field("note", "退回时请写明理由"));
        }
        a.status = Set(TaskStatus::Open.code().into());
        a.done_on = Set(None);
        a.percent = Set(before.percent.min(99));
        writer
            .insert_in_zone(report::ActiveModel {
                task_id: Set(task_id),
                kind: Set(ReportKind::Comment.code().into()),
                note: Set(format!("退回：{}", note.trim())),
                created_by: Set(Some(scope.caller().account_id)),
                ..Default::default()
            })
            .await?;
    }
    Ok(writer.update_in_zone(&before, a).await?)
}

/// Percent complete of each task as it stood at the end of `day` (from the reports).
pub async fn percent_at(db: &Db, scope: &Scope, day: NaiveDate) -> AppResult<HashMap<i64, (i32, bool)>> {
    let end = day.and_hms_opt(23, 59, 59).expect("valid time").and_utc();
    let mut out: HashMap<i64, (i32, bool)> = HashMap::new();
    for r in scope
        .select::<report::Entity>()
        .filter(report::Column::CreatedAt.lte(end))
        .filter(report::Column::Kind.is_in(ReportKind::by_lead_codes()))
        .order_by_asc(report::Column::Id)
        .all(db.conn())
        .await?
    {
        if let Some(p) = r.percent {
            let e = out.entry(r.task_id).or_insert((0, false));
            e.0 = p;
            e.1 |= r.kind == ReportKind::Completion.code();
        }
    }
    Ok(out)
}

/// The latest progress note of each task (for the ledger's 进展情况 column).
pub async fn latest_notes(db: &Db, scope: &Scope) -> AppResult<HashMap<i64, String>> {
    let mut out = HashMap::new();
    for r in scope
        .select::<report::Entity>()
        .filter(report::Column::Kind.is_in(ReportKind::by_lead_codes()))
        .order_by_asc(report::Column::Id)
        .all(db.conn())
        .await?
    {
        out.insert(r.task_id, format!("{}：{}", r.created_at.format("%Y-%m-%d"), r.note));
    }
    Ok(out)
}
