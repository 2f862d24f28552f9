//! Objections (异议) to results during 公示: those of a result or a run, filing one, and a
//! department's answer (accepted or rejected).

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter, QueryOrder};

use super::result_by_id;
use crate::objection_entity::{self as objection, Model as Objection};
use crate::status::{ObjectionStatus, RunStatus};
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;

pub async fn objections_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    result_id: i64,
) -> Result<Vec<Objection>, AppError> {
    Ok(scope
        .select::<objection::Entity>()
        .filter(objection::Column::ResultId.eq(result_id))
        .order_by_asc(objection::Column::Id)
        .all(conn)
        .await?)
}

pub async fn objections_of_run(db: &Db, scope: &Scope, run_id: i64) -> Result<Vec<(Objection, Enterprise)>, AppError> {
    let mut select = scope
        .select::<objection::Entity>()
        .filter(objection::Column::RunId.eq(run_id));
    if let Some(own) = scope.own_enterprise() {
        select = select.filter(objection::Column::EnterpriseId.eq(own));
    }
    let rows = select.order_by_asc(objection::Column::Id).all(db.conn()).await?;
    gaoxin_enterprises::store::paired(db.conn(), scope, rows, |o| o.enterprise_id).await
}

/// Files an objection to a result during its run's 公示.
pub async fn file_objection(
    writer: &mut Writer,
    scope: &Scope,
    result_id: i64,
    reason: &str,
    evidence: &str,
    today: NaiveDate,
) -> Result<Objection, AppError> {
    let (r, run, _) = result_by_id(writer.read(), scope, result_id).await?;
    if run.status != RunStatus::Publicity.code() {
        return Err(AppError::BadRequest("只能在公示期内提出异议".into()));
    }
    if let Some(until) = run.publicity_until
        && today > until
    {
        return Err(AppError::BadRequest(format!("公示期已于 {until} 结束，不能再提出异议")));
    }
    let reason = reason.trim();
    if reason.chars().count() < 4 {
        return Err(AppError::field("reason", "请写明异议理由（至少 4 个字）"));
    }
    if reason.chars().count() > 2000 || evidence.chars().count() > 4000 {
        return Err(AppError::field(
            "reason",
            "异议理由不超过 2000 字，证据说明不超过 4000 字",
        ));
    }
    Ok(writer
        .insert_in_zone(objection::ActiveModel {
            run_id: Set(run.id),
            result_id: Set(r.id),
            enterprise_id: Set(r.enterprise_id),
            reason: Set(reason.to_string()),
            evidence: Set(evidence.trim().to_string()),
            status: Set(ObjectionStatus::Open.code().into()),
            created_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?)
}

/// A department resolves an objection: accepted (the data was corrected; the run is then
/// re-evaluated) or rejected, with a written answer.
pub async fn resolve_objection(
    writer: &mut Writer,
    scope: &Scope,
    objection_id: i64,
    accept: bool,
    answer: &str,
) -> Result<Objection, AppError> {
    let o = scope
        .select::<objection::Entity>()
        .filter(objection::Column::Id.eq(objection_id))
        .one(writer.read())
        .await?
        .ok_or(AppError::NotFound)?;
    if o.status != ObjectionStatus::Open.code() {
        return Err(AppError::BadRequest("这条异议已处理".into()));
    }
    let answer = answer.trim();
    if answer.chars().count() < 2 {
        return Err(AppError::field("answer", "请写明处理意见"));
    }
    let mut a = o.clone().into_active_model();
    a.status = Set(if accept {
        ObjectionStatus::Accepted
    } else {
        ObjectionStatus::Rejected
    }
    .code()
    .into());
    a.answer = Set(Some(answer.chars().take(2000).collect()));
    a.department_id = Set(scope.caller().department_id);
    a.resolved_by = Set(Some(scope.caller().account_id));
    a.resolved_at = Set(Some(writer.now()));
    Ok(writer.update_in_zone(&o, a).await?)
}
