//! Supervision orders (督办单): issued on a task by the supervisor, answered by the lead
//! department's report, closed (办结) once answered.

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, IntoActiveModel, QueryFilter, QueryOrder};

use super::{rights, task_line};
use crate::report_entity as report;
use crate::status::{OrderStatus, TaskStatus};
use crate::supervision_entity::{self as supervision, Model as Order};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::{AppError, AppResult};

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
    if TaskStatus::of_stored(&line.task.status) == TaskStatus::Confirmed {
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
            status: Set(OrderStatus::Open.code().into()),
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
    if OrderStatus::of(&order.status) != Some(OrderStatus::Open) {
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
    a.status = Set(OrderStatus::Closed.code().into());
    a.closed_on = Set(Some(today));
    a.closed_by = Set(Some(scope.caller().account_id));
    a.closing_note = Set(Some(note.trim().to_string()).filter(|n| !n.is_empty()));
    Ok(writer.update_in_zone(&order, a).await?)
}
