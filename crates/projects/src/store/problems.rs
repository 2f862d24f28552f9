//! Blocking problems (卡壳问题): raising one with its lead and cooperating departments and
//! deadline, resolving it with a written answer; and the leaders' comments (批示) on a project
//! or one of its problems.

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter, QueryOrder};
use serde::Deserialize;

use super::{lead_and_cooperating, project, rights_on, save_cooperation, trimmed};
use crate::domain::Problem;
use crate::entities::{comment, problem as problem_row};
use crate::status::ProblemStatus;
use gaoxin_core::roles::Role;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};

/// A problem to raise.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewProblem {
    pub title: String,
    #[serde(default)]
    pub detail: String,
    pub lead_department_id: Option<i64>,
    #[serde(default)]
    pub cooperating_department_ids: Vec<i64>,
    pub deadline: Option<NaiveDate>,
}

/// Raises a blocking problem on a project: anyone involved in it may.
pub async fn raise_problem(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    new: &NewProblem,
    today: NaiveDate,
) -> AppResult<Problem> {
    let p = project(writer.read(), scope, id).await?;
    if !rights_on(writer.read(), scope, &p).await?.raise {
        return Err(AppError::Forbidden);
    }
    let title = trimmed(&new.title, 300, "title", "问题")?;
    if title.is_empty() {
        return Err(AppError::field("title", "请填写问题"));
    }
    let (lead, cooperating) = lead_and_cooperating(
        writer.read(),
        scope,
        new.lead_department_id,
        &new.cooperating_department_ids,
    )
    .await?;
    let deadline = new
        .deadline
        .ok_or_else(|| AppError::field("deadline", "请填写办结时限"))?;
    if deadline < today {
        return Err(AppError::field("deadline", "办结时限不能早于今天"));
    }
    let saved = writer
        .insert_in_zone(problem_row::ActiveModel {
            project_id: Set(id),
            title: Set(title),
            detail: Set(new.detail.trim().to_string()),
            raised_on: Set(today),
            raised_by: Set(Some(scope.caller().account_id)),
            lead_department_id: Set(lead),
            deadline: Set(deadline),
            status: Set(ProblemStatus::Open.code().into()),
            answer: Set(None),
            resolved_on: Set(None),
            resolved_by: Set(None),
            ..Default::default()
        })
        .await?;
    save_cooperation(writer, id, Some(saved.id), &cooperating).await?;
    Ok(saved)
}

/// One problem, on a project the caller may see.
pub async fn problem(conn: &impl ConnectionTrait, scope: &Scope, id: i64) -> AppResult<Problem> {
    let q = scope
        .select::<problem_row::Entity>()
        .filter(problem_row::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    project(conn, scope, q.project_id).await?;
    Ok(q)
}

/// Resolves a problem with a written answer: its lead department's staff, or admin.
pub async fn resolve_problem(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    answer: &str,
    on: NaiveDate,
    today: NaiveDate,
) -> AppResult<Problem> {
    let before = problem(writer.read(), scope, id).await?;
    let own = scope.caller().department_id;
    if !(scope.role() == Role::Admin || (scope.role() == Role::Staff && own == Some(before.lead_department_id))) {
        return Err(AppError::Forbidden);
    }
    if ProblemStatus::of(&before.status) == Some(ProblemStatus::Resolved) {
        return Err(AppError::Conflict("该问题已解决".into()));
    }
    let answer = answer.trim();
    if answer.is_empty() {
        return Err(AppError::field("answer", "请填写办理结果"));
    }
    if on > today || on < before.raised_on {
        return Err(AppError::field("resolved_on", "解决日期应在提出日期和今天之间"));
    }
    let mut a = before.clone().into_active_model();
    a.status = Set(ProblemStatus::Resolved.code().into());
    a.answer = Set(Some(answer.to_string()));
    a.resolved_on = Set(Some(on));
    a.resolved_by = Set(Some(scope.caller().account_id));
    Ok(writer.update_in_zone(&before, a).await?)
}

/// A leader's (or admin's) comment on a project or one of its problems.
pub async fn add_comment(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    problem_id: Option<i64>,
    text: &str,
) -> AppResult<()> {
    let p = project(writer.read(), scope, id).await?;
    if !rights_on(writer.read(), scope, &p).await?.comment {
        return Err(AppError::Forbidden);
    }
    if let Some(q) = problem_id
        && problem(writer.read(), scope, q).await?.project_id != id
    {
        return Err(AppError::NotFound);
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::field("text", "请填写批示或意见"));
    }
    writer
        .insert_in_zone(comment::ActiveModel {
            project_id: Set(id),
            problem_id: Set(problem_id),
            text: Set(text.to_string()),
            created_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?;
    Ok(())
}

/// A project's comments, oldest first.
pub async fn comments(conn: &impl ConnectionTrait, scope: &Scope, id: i64) -> AppResult<Vec<comment::Model>> {
    Ok(scope
        .select::<comment::Entity>()
        .filter(comment::Column::ProjectId.eq(id))
        .order_by_asc(comment::Column::Id)
        .all(conn)
        .await?)
}
