//! D-class clearance (出清): the cases opened for the last class of a final run, the list and
//! its totals, a case's route, actions, department and deadline, its progress reports, and its
//! closing (销号) with the land recovered.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};
use serde::Deserialize;

use super::{get_run, paged, parse, version_by_id};
use crate::clearance_entity::{self as clearance, Model as ClearanceCase};
use crate::result_entity::{self as result, Model as LandResultRow};
use crate::status::{CaseStatus, ClearanceRoute, RunStatus};
use crate::update_entity as update;
use gaoxin_enterprises::entity::Model as Enterprise;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::departments::duties::{self, Duty, Owner};
use gaoxin_platform::error::AppError;

/// The routes of [`ClearanceRoute`] as (code, name), in order: the choices pages list.
pub const ROUTES: [(&str, &str); ClearanceRoute::ALL.len()] = {
    let mut out = [("", ""); ClearanceRoute::ALL.len()];
    let mut k = 0;
    while k < out.len() {
        out[k] = (ClearanceRoute::ALL[k].code(), ClearanceRoute::ALL[k].label());
        k += 1;
    }
    out
};

/// Opens a clearance case for every enterprise of the last class (D) of a final run that has
/// none yet; returns how many were opened.
pub async fn open_clearance(writer: &mut Writer, scope: &Scope, run_id: i64) -> Result<u64, AppError> {
    let r = get_run(writer.read(), scope, run_id).await?;
    if r.status != RunStatus::Final.code() {
        return Err(AppError::BadRequest("评价结果确认（锁定）后才能建立出清台账".into()));
    }
    let version = version_by_id(writer.read(), scope, r.scheme_version_id).await?;
    let scheme = parse(&version)?;
    let last = scheme.classes.names.last().cloned().unwrap_or_default();
    let d: Vec<LandResultRow> = result::Entity::find()
        .filter(result::Column::ZoneId.eq(r.zone_id))
        .filter(result::Column::RunId.eq(r.id))
        .filter(result::Column::Class.eq(last))
        .filter(result::Column::ExclusionId.is_null())
        .all(writer.read())
        .await?;
    let have: std::collections::HashSet<i64> = clearance::Entity::find()
        .filter(clearance::Column::ZoneId.eq(r.zone_id))
        .filter(clearance::Column::RunId.eq(r.id))
        .all(writer.read())
        .await?
        .into_iter()
        .map(|c| c.result_id)
        .collect();
    let new: Vec<clearance::ActiveModel> = d
        .iter()
        .filter(|x| !have.contains(&x.id))
        .map(|x| clearance::ActiveModel {
            run_id: Set(r.id),
            result_id: Set(x.id),
            enterprise_id: Set(x.enterprise_id),
            route: Set(None),
            actions: Set(String::new()),
            status: Set(CaseStatus::Open.code().into()),
            created_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .collect();
    let n = new.len() as u64;
    if !new.is_empty() {
        writer.insert_many_in_zone(new).await?;
    }
    Ok(n)
}

#[derive(Deserialize, Default, Clone, Debug)]
pub struct CaseFilter {
    /// A [`CaseStatus`] code: `open`, `closed`, `overdue`.
    pub status: Option<String>,
    pub route: Option<String>,
    pub run: Option<i64>,
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

pub async fn clearance_cases(
    db: &Db,
    scope: &Scope,
    f: &CaseFilter,
    today: NaiveDate,
    all: bool,
) -> Result<(Vec<(ClearanceCase, Enterprise)>, u64), AppError> {
    let mut select = scope.select::<clearance::Entity>();
    if let Some(id) = scope.own_enterprise() {
        select = select.filter(clearance::Column::EnterpriseId.eq(id));
    }
    if let Some(run) = f.run {
        select = select.filter(clearance::Column::RunId.eq(run));
    }
    let open = CaseStatus::Open.code();
    select = match f.status.as_deref().and_then(CaseStatus::of) {
        Some(CaseStatus::Open) => select.filter(clearance::Column::Status.eq(open)),
        Some(CaseStatus::Closed) => select.filter(clearance::Column::Status.eq(CaseStatus::Closed.code())),
        Some(CaseStatus::Overdue) => select
            .filter(clearance::Column::Status.eq(open))
            .filter(clearance::Column::Deadline.lt(today)),
        None => select,
    };
    if let Some(route) = f.route.as_deref().filter(|r| !r.is_empty()) {
        select = select.filter(clearance::Column::Route.eq(route));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        select = select.filter(gaoxin_enterprises::store::matching(
            scope,
            clearance::Column::EnterpriseId,
            q,
        ));
    }
    let select = select
        .order_by_asc(clearance::Column::Status)
        // Cases without a deadline last, on both databases (SQLite puts NULL first by default,
        // PostgreSQL last).
        .order_by_with_nulls(
            clearance::Column::Deadline,
            sea_orm::Order::Asc,
            sea_orm::sea_query::NullOrdering::Last,
        )
        .order_by_asc(clearance::Column::Id);
    let (rows, total) = paged(db, select, f.page, f.per_page, all).await?;
    Ok((
        gaoxin_enterprises::store::paired(db.conn(), scope, rows, |c| c.enterprise_id).await?,
        total,
    ))
}

/// Clearance totals: open, overdue, closed, land recovered (亩, exact).
pub async fn clearance_totals(db: &Db, scope: &Scope, today: NaiveDate) -> Result<(u64, u64, u64, Decimal), AppError> {
    let all = scope.select::<clearance::Entity>().all(db.conn()).await?;
    let is_open = |c: &&ClearanceCase| c.status == CaseStatus::Open.code();
    let open = all.iter().filter(is_open).count() as u64;
    let overdue = all
        .iter()
        .filter(is_open)
        .filter(|c| c.deadline.is_some_and(|d| d < today))
        .count() as u64;
    let recovered: i64 = all.iter().filter_map(|c| c.land_recovered).sum();
    Ok((open, overdue, all.len() as u64 - open, Decimal::new(recovered, 4)))
}

pub async fn case_by_id<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<ClearanceCase, AppError> {
    let mut select = scope.select::<clearance::Entity>().filter(clearance::Column::Id.eq(id));
    if let Some(own) = scope.own_enterprise() {
        select = select.filter(clearance::Column::EnterpriseId.eq(own));
    }
    select.one(conn).await?.ok_or(AppError::NotFound)
}

/// Sets a case's route, actions, responsible department and deadline.
pub async fn plan_case(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    route: &str,
    actions: &str,
    department_id: Option<i64>,
    deadline: Option<NaiveDate>,
) -> Result<ClearanceCase, AppError> {
    let c = case_by_id(writer.read(), scope, id).await?;
    duties::ensure(writer.read(), scope, &[Owner::Duty(Duty::Land)]).await?;
    if c.status == CaseStatus::Closed.code() {
        return Err(AppError::BadRequest("已销号的出清事项不能再修改".into()));
    }
    if ClearanceRoute::of(route).is_none() {
        return Err(AppError::field(
            "route",
            format!(
                "请选择出清路径（{}）",
                ClearanceRoute::ALL
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        ));
    }
    if actions.trim().chars().count() < 4 {
        return Err(AppError::field("actions", "请写明出清措施（至少 4 个字）"));
    }
    if let Some(d) = department_id {
        use gaoxin_platform::departments::entity as department;
        scope
            .select::<department::Entity>()
            .filter(department::Column::Id.eq(d))
            .one(writer.read())
            .await?
            .ok_or_else(|| AppError::field("department_id", "责任部门不存在"))?;
    }
    let mut a = c.clone().into_active_model();
    a.route = Set(Some(route.to_string()));
    a.actions = Set(actions.trim().chars().take(4000).collect());
    a.department_id = Set(department_id);
    a.deadline = Set(deadline);
    Ok(writer.update_in_zone(&c, a).await?)
}

/// A progress report on an open case: what was done and the percent complete (not lower than
/// the last report's).
pub async fn report_progress(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    note: &str,
    percent: i32,
) -> Result<update::Model, AppError> {
    let c = case_by_id(writer.read(), scope, id).await?;
    duties::ensure(
        writer.read(),
        scope,
        &[Owner::Department(c.department_id), Owner::Duty(Duty::Land)],
    )
    .await?;
    if c.status == CaseStatus::Closed.code() {
        return Err(AppError::BadRequest("已销号的出清事项不再报送进展".into()));
    }
    let note = note.trim();
    if note.chars().count() < 4 || note.chars().count() > 2000 {
        return Err(AppError::field("note", "请写明进展（4–2000 字）"));
    }
    if !(0..=100).contains(&percent) {
        return Err(AppError::field("percent", "完成比例应为 0–100"));
    }
    let last = progress_of(writer.read(), scope, id).await?.last().map(|u| u.percent);
    if let Some(last) = last
        && percent < last
    {
        return Err(AppError::field(
            "percent",
            format!("完成比例不能低于上次报送的 {last}%"),
        ));
    }
    Ok(writer
        .insert_in_zone(update::ActiveModel {
            case_id: Set(c.id),
            note: Set(note.to_string()),
            percent: Set(percent),
            created_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?)
}

/// A case's progress reports, oldest first.
pub async fn progress_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    case_id: i64,
) -> Result<Vec<update::Model>, AppError> {
    Ok(scope
        .select::<update::Entity>()
        .filter(update::Column::CaseId.eq(case_id))
        .order_by_asc(update::Column::Id)
        .all(conn)
        .await?)
}

/// The latest percent reported of each case.
pub async fn latest_progress(db: &Db, scope: &Scope, case_ids: &[i64]) -> Result<HashMap<i64, i32>, AppError> {
    let mut out = HashMap::new();
    for u in scope
        .select::<update::Entity>()
        .filter(update::Column::CaseId.is_in(case_ids.to_vec()))
        .order_by_asc(update::Column::Id)
        .all(db.conn())
        .await?
    {
        out.insert(u.case_id, u.percent);
    }
    Ok(out)
}

/// Closes a case (销号): the day, the land recovered (亩, may be 0) and a note.
pub async fn close_case(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    closed_on: NaiveDate,
    land_recovered: Decimal,
    note: &str,
) -> Result<ClearanceCase, AppError> {
    use rust_decimal::prelude::ToPrimitive;
    let c = case_by_id(writer.read(), scope, id).await?;
    duties::ensure(
        writer.read(),
        scope,
        &[Owner::Department(c.department_id), Owner::Duty(Duty::Land)],
    )
    .await?;
    if c.status == CaseStatus::Closed.code() {
        return Err(AppError::BadRequest("这项出清已销号".into()));
    }
    if c.route.is_none() {
        return Err(AppError::field("route", "请先确定出清路径和措施"));
    }
    if land_recovered.is_sign_negative() || land_recovered.scale() > 4 {
        return Err(AppError::field(
            "land_recovered",
            "收回土地（亩）应为不小于 0 的数，最多 4 位小数",
        ));
    }
    if note.trim().chars().count() < 2 {
        return Err(AppError::field("note", "请写明销号说明"));
    }
    let mut a = c.clone().into_active_model();
    a.status = Set(CaseStatus::Closed.code().into());
    a.closed_on = Set(Some(closed_on));
    a.land_recovered = Set((land_recovered * Decimal::from(10_000)).to_i64());
    a.closing_note = Set(Some(note.trim().chars().take(2000).collect()));
    Ok(writer.update_in_zone(&c, a).await?)
}
