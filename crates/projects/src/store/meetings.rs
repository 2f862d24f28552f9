//! Meetings: the week's proposed 会办 agenda (overdue, due and new problems, stalled projects),
//! holding a meeting with the items picked, and the decision recorded on each item.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter, QueryOrder};

use super::{project, trimmed};
use crate::domain::Book;
use crate::entities::{meeting as meeting_row, meeting_item};
use crate::status::{MeetingKind, ProblemStatus};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::entity as department;
use gaoxin_platform::error::{AppError, AppResult};

/// The zone's meetings, newest first.
pub async fn meetings(conn: &impl ConnectionTrait, scope: &Scope) -> AppResult<Vec<meeting_row::Model>> {
    Ok(scope
        .select::<meeting_row::Entity>()
        .order_by_desc(meeting_row::Column::HeldOn)
        .order_by_desc(meeting_row::Column::Id)
        .all(conn)
        .await?)
}

/// One meeting with its agenda items in order.
pub async fn meeting(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: i64,
) -> AppResult<(meeting_row::Model, Vec<meeting_item::Model>)> {
    let m = scope
        .select::<meeting_row::Entity>()
        .filter(meeting_row::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let items = scope
        .select::<meeting_item::Entity>()
        .filter(meeting_item::Column::MeetingId.eq(id))
        .order_by_asc(meeting_item::Column::Id)
        .all(conn)
        .await?;
    Ok((m, items))
}

/// An agenda item the week's meeting should take up.
#[derive(Debug, Clone)]
pub struct Proposed {
    pub project_id: i64,
    pub problem_id: Option<i64>,
    pub reason: String,
}

/// The week's agenda: open problems overdue or due by the week's end, problems raised in the
/// last 7 days, and stalled projects.
pub fn agenda(book: &Book, week_end: NaiveDate, today: NaiveDate) -> Vec<Proposed> {
    let mut out = Vec::new();
    for q in book.problem_lines(today) {
        if q.status() == Some(ProblemStatus::Resolved) {
            continue;
        }
        let reason = if q.state.is_overdue() {
            Some(format!("问题{}：{}", q.reason, q.problem.title))
        } else if q.problem.deadline <= week_end {
            Some(format!("问题本周到期（{}）：{}", q.problem.deadline, q.problem.title))
        } else if (today - q.problem.raised_on).num_days() <= 7 {
            Some(format!("新提出的问题（{}）：{}", q.problem.raised_on, q.problem.title))
        } else {
            None
        };
        if let Some(reason) = reason {
            out.push(Proposed {
                project_id: q.problem.project_id,
                problem_id: Some(q.problem.id),
                reason,
            });
        }
    }
    for l in book.lines(today) {
        if let Some(s) = l.stalled {
            out.push(Proposed {
                project_id: l.project.id,
                problem_id: None,
                reason: format!(
                    "{s}（挂钩领导：{}）",
                    if l.project.leader.is_empty() {
                        "未定"
                    } else {
                        &l.project.leader
                    }
                ),
            });
        }
    }
    out
}

/// Holds a meeting of a kind (`weekly`, `review`) with its agenda (admin).
pub async fn create_meeting(
    writer: &mut Writer,
    scope: &Scope,
    kind: &str,
    held_on: NaiveDate,
    title: &str,
    items: &[Proposed],
) -> AppResult<meeting_row::Model> {
    let Some(kind) = MeetingKind::of(kind) else {
        return Err(AppError::field("kind", "会议类型应为会办或评审"));
    };
    let title = trimmed(title, 200, "title", "会议名称")?;
    if title.is_empty() {
        return Err(AppError::field("title", "请填写会议名称"));
    }
    let m = writer
        .insert_in_zone(meeting_row::ActiveModel {
            kind: Set(kind.code().into()),
            held_on: Set(held_on),
            title: Set(title),
            note: Set(String::new()),
            created_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?;
    if !items.is_empty() {
        for i in items {
            project(writer.read(), scope, i.project_id).await?;
        }
        writer
            .insert_many_in_zone(
                items
                    .iter()
                    .map(|i| meeting_item::ActiveModel {
                        meeting_id: Set(m.id),
                        project_id: Set(i.project_id),
                        problem_id: Set(i.problem_id),
                        reason: Set(i.reason.chars().take(300).collect()),
                        decision: Set(None),
                        department_id: Set(None),
                        due_date: Set(None),
                        ..Default::default()
                    })
                    .collect(),
            )
            .await?;
    }
    Ok(m)
}

/// Records the meeting's decision on an agenda item: what, which department, by when.
pub async fn record_decision(
    writer: &mut Writer,
    scope: &Scope,
    item_id: i64,
    decision: &str,
    department_id: Option<i64>,
    due_date: Option<NaiveDate>,
) -> AppResult<meeting_item::Model> {
    let before = scope
        .select::<meeting_item::Entity>()
        .filter(meeting_item::Column::Id.eq(item_id))
        .one(writer.read())
        .await?
        .ok_or(AppError::NotFound)?;
    let decision = decision.trim();
    if decision.is_empty() {
        return Err(AppError::field("decision", "请填写会办意见"));
    }
    let Some(d) = department_id else {
        return Err(AppError::field("department_id", "请选择责任部门"));
    };
    if scope
        .select::<department::Entity>()
        .filter(department::Column::Id.eq(d))
        .one(writer.read())
        .await?
        .is_none()
    {
        return Err(AppError::field("department_id", "责任部门不在本园区部门列表中"));
    }
    if due_date.is_none() {
        return Err(AppError::field("due_date", "请填写完成时限"));
    }
    let mut a = before.clone().into_active_model();
    a.decision = Set(Some(decision.to_string()));
    a.department_id = Set(Some(d));
    a.due_date = Set(due_date);
    Ok(writer.update_in_zone(&before, a).await?)
}

/// The decisions recorded against each problem, for the project page.
pub async fn decisions_by_problem(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    project_id: i64,
) -> AppResult<Vec<(meeting_row::Model, meeting_item::Model)>> {
    let items = scope
        .select::<meeting_item::Entity>()
        .filter(meeting_item::Column::ProjectId.eq(project_id))
        .order_by_asc(meeting_item::Column::Id)
        .all(conn)
        .await?;
    let meetings: HashMap<i64, meeting_row::Model> =
        meetings(conn, scope).await?.into_iter().map(|m| (m.id, m)).collect();
    Ok(items
        .into_iter()
        .filter_map(|i| meetings.get(&i.meeting_id).cloned().map(|m| (m, i)))
        .collect())
}
