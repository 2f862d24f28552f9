//! A zone's runs (an enterprise user sees only published ones) and their life: a draft is
//! published for 公示, then made final and locked once the period is over and no objection is
//! open.

use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use crate::objection_entity as objection;
use crate::run_entity::{self as run, Model as Run};
use crate::status::{ObjectionStatus, RunStatus};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;

pub async fn runs(db: &Db, scope: &Scope) -> Result<Vec<Run>, AppError> {
    let mut select = scope.select::<run::Entity>();
    if scope.own_enterprise().is_some() {
        select = select.filter(run::Column::Status.ne(RunStatus::Draft.code()));
    }
    Ok(select
        .order_by_desc(run::Column::Year)
        .order_by_desc(run::Column::Id)
        .all(db.conn())
        .await?)
}

/// A run of the zone; an enterprise user sees only published runs.
pub async fn get_run<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<Run, AppError> {
    let r = scope
        .select::<run::Entity>()
        .filter(run::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if scope.own_enterprise().is_some() && r.status == RunStatus::Draft.code() {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

/// Publishes a draft for 公示 for `days` days from `today`.
pub async fn publish(
    writer: &mut Writer,
    scope: &Scope,
    run_id: i64,
    days: i64,
    today: NaiveDate,
) -> Result<Run, AppError> {
    let r = get_run(writer.read(), scope, run_id).await?;
    if r.status != RunStatus::Draft.code() {
        return Err(AppError::BadRequest("只有草稿可以公示".into()));
    }
    if !(0..=90).contains(&days) {
        return Err(AppError::field("days", "公示天数应为 0–90 天"));
    }
    let mut a = r.clone().into_active_model();
    a.status = Set(RunStatus::Publicity.code().into());
    a.publicity_from = Set(Some(today));
    a.publicity_until = Set(Some(today + chrono::Duration::days(days)));
    Ok(writer.update_in_zone(&r, a).await?)
}

/// Makes a run final and locks it: the 公示 period is over and no objection is open.
pub async fn finalize(
    writer: &mut Writer,
    scope: &Scope,
    run_id: i64,
    today: NaiveDate,
    by: Option<i64>,
) -> Result<Run, AppError> {
    let r = get_run(writer.read(), scope, run_id).await?;
    if r.status != RunStatus::Publicity.code() {
        return Err(AppError::BadRequest("只有公示中的评价结果可以确认（请先公示）".into()));
    }
    if let Some(until) = r.publicity_until
        && today < until
    {
        return Err(AppError::BadRequest(format!("公示期至 {until}，期满后才能确认")));
    }
    let open = objection::Entity::find()
        .filter(objection::Column::ZoneId.eq(r.zone_id))
        .filter(objection::Column::RunId.eq(r.id))
        .filter(objection::Column::Status.eq(ObjectionStatus::Open.code()))
        .count(writer.read())
        .await?;
    if open > 0 {
        return Err(AppError::BadRequest(format!(
            "还有 {open} 条异议未处理，处理完才能确认"
        )));
    }
    let mut a = r.clone().into_active_model();
    a.status = Set(RunStatus::Final.code().into());
    a.finalized_at = Set(Some(writer.now()));
    a.finalized_by = Set(by);
    Ok(writer.update_in_zone(&r, a).await?)
}
