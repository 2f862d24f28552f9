//! Enterprise queries (scoped: an enterprise user sees only its own) and audited writes.

use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::domain::EnterpriseInput;
use super::entity::{self as enterprise, Model as Enterprise};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_platform::web::PageParams;

fn visible(scope: &Scope) -> sea_orm::Select<enterprise::Entity> {
    let select = scope.select::<enterprise::Entity>();
    match scope.own_enterprise() {
        Some(id) => select.filter(enterprise::Column::Id.eq(id)),
        None => select,
    }
}

/// The one way to search enterprises by what people type: the name contains `q`, or the
/// 统一社会信用代码 contains it (upper-cased, as codes are stored: `91410700ma…` finds the firm).
pub fn named(q: &str) -> Condition {
    let q = q.trim();
    Condition::any()
        .add(enterprise::Column::Name.contains(q))
        .add(enterprise::Column::Uscc.contains(q.to_uppercase()))
}

/// `column IN (the zone's enterprises [`named`] `q`)`: how every list that holds an enterprise
/// id filters by enterprise (one subquery, no ids fetched first).
pub fn matching<C: ColumnTrait>(scope: &Scope, column: C, q: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::QueryTrait;
    let ids = scope
        .select::<enterprise::Entity>()
        .filter(named(q))
        .select_only()
        .column(enterprise::Column::Id)
        .into_query();
    column.in_subquery(ids)
}

/// The enterprises of `rows` (by `enterprise_of`), each row paired with its enterprise (rows
/// whose enterprise the scope cannot see are dropped).
pub async fn paired<C: sea_orm::ConnectionTrait, M>(
    conn: &C,
    scope: &Scope,
    rows: Vec<M>,
    enterprise_of: impl Fn(&M) -> i64,
) -> Result<Vec<(M, Enterprise)>, AppError> {
    let ids: Vec<i64> = rows.iter().map(&enterprise_of).collect();
    let firms: std::collections::HashMap<i64, Enterprise> = scope
        .select::<enterprise::Entity>()
        .filter(enterprise::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|r| firms.get(&enterprise_of(&r)).cloned().map(|e| (r, e)))
        .collect())
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Enterprise, AppError> {
    visible(scope)
        .filter(enterprise::Column::Id.eq(id))
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn count(db: &Db, scope: &Scope) -> Result<u64, AppError> {
    Ok(visible(scope).count(db.conn()).await?)
}

pub async fn create(writer: &mut Writer, input: EnterpriseInput) -> Result<Enterprise, AppError> {
    Ok(writer
        .insert_in_zone(enterprise::ActiveModel {
            name: Set(input.name),
            uscc: Set(input.uscc),
            ..Default::default()
        })
        .await?)
}

// ---------------------------------------------------------------- registry lists and the enterprise file

use std::collections::HashMap;

use serde::Deserialize;

use super::annual_entity as annual;
use super::carrier_entity as carrier;
use super::innovation_entity as innovation;
use gaoxin_core::industry;

/// Filters of the enterprise list (all optional), as in the query string.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseFilter {
    /// Search in name, 统一社会信用代码 and legal representative.
    pub q: Option<String>,
    /// Industry: a section letter (C) or a division (39).
    pub industry: Option<String>,
    /// Carrier id.
    pub carrier: Option<i64>,
    /// `above` (规上) or `below` (规下).
    pub scale: Option<String>,
    /// A tag, matched whole.
    pub tag: Option<String>,
    /// `active`, `moved_out`, `deregistered`.
    pub status: Option<String>,
    /// `name`, `registered_on`, `employees`, `land_area`, `updated` (default: id).
    pub sort: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl EnterpriseFilter {
    pub fn paging(&self) -> PageParams {
        PageParams {
            page: self.page,
            per_page: self.per_page,
        }
    }
}

fn some(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn filtered(scope: &Scope, f: &EnterpriseFilter) -> sea_orm::Select<enterprise::Entity> {
    let mut select = visible(scope);
    if let Some(q) = some(&f.q) {
        select = select.filter(named(q).add(enterprise::Column::LegalRepresentative.contains(q)));
    }
    if let Some(code) = some(&f.industry).map(str::to_uppercase) {
        if code.len() == 1 {
            let mut any = Condition::any().add(enterprise::Column::IndustryCode.eq(code.clone()));
            for division in
                industry::all().filter(|i| i.level == industry::Level::Division && i.parent == Some(code.as_str()))
            {
                any = any.add(enterprise::Column::IndustryCode.starts_with(division.code));
            }
            select = select.filter(any);
        } else {
            select = select.filter(enterprise::Column::IndustryCode.starts_with(code));
        }
    }
    if let Some(carrier) = f.carrier {
        select = select.filter(enterprise::Column::CarrierId.eq(carrier));
    }
    if let Some(scale) = some(&f.scale) {
        select = select.filter(enterprise::Column::Scale.eq(scale));
    }
    if let Some(tag) = some(&f.tag) {
        select = select.filter(enterprise::Column::Tags.contains(format!("|{tag}|")));
    }
    if let Some(status) = some(&f.status) {
        select = select.filter(enterprise::Column::Status.eq(status));
    }
    // Largest first, unknown values last on both databases (PostgreSQL puts NULLs first).
    let desc = |select: sea_orm::Select<enterprise::Entity>, column: enterprise::Column| {
        select
            .order_by_with_nulls(column, sea_orm::Order::Desc, sea_orm::sea_query::NullOrdering::Last)
            .order_by_asc(enterprise::Column::Id)
    };
    match some(&f.sort) {
        Some("name") => select
            .order_by_asc(enterprise::Column::Name)
            .order_by_asc(enterprise::Column::Id),
        Some("registered_on") => desc(select, enterprise::Column::RegisteredOn),
        Some("employees") => desc(select, enterprise::Column::Employees),
        Some("land_area") => desc(select, enterprise::Column::LandArea),
        Some("updated") => desc(select, enterprise::Column::UpdatedAt),
        _ => select.order_by_asc(enterprise::Column::Id),
    }
}

pub async fn search_page(db: &Db, scope: &Scope, f: &EnterpriseFilter) -> Result<(Vec<Enterprise>, u64), AppError> {
    let page = f.paging();
    let total = filtered(scope, f).count(db.conn()).await?;
    let rows = filtered(scope, f)
        .offset(page.offset())
        .limit(page.per_page())
        .all(db.conn())
        .await?;
    Ok((rows, total))
}

/// Every enterprise matching the filter (for exports), up to `limit`.
pub async fn search_all(db: &Db, scope: &Scope, f: &EnterpriseFilter, limit: u64) -> Result<Vec<Enterprise>, AppError> {
    Ok(filtered(scope, f).limit(limit).all(db.conn()).await?)
}

pub async fn carriers(db: &Db, scope: &Scope) -> Result<Vec<carrier::Model>, AppError> {
    Ok(scope
        .select::<carrier::Entity>()
        .order_by_asc(carrier::Column::Name)
        .all(db.conn())
        .await?)
}

pub async fn carrier_names(db: &Db, scope: &Scope) -> Result<HashMap<i64, String>, AppError> {
    Ok(carriers(db, scope).await?.into_iter().map(|c| (c.id, c.name)).collect())
}

/// Annual rows of one enterprise (visible to the scope), oldest year first.
pub async fn annual_of(db: &Db, scope: &Scope, enterprise_id: i64) -> Result<Vec<annual::Model>, AppError> {
    let e = get(db, scope, enterprise_id).await?;
    Ok(scope
        .select::<annual::Entity>()
        .filter(annual::Column::EnterpriseId.eq(e.id))
        .order_by_asc(annual::Column::Year)
        .all(db.conn())
        .await?)
}

/// Annual rows of the zone for one year (or all years), with their enterprise's USCC, for exports.
pub async fn annual_export_rows(
    db: &Db,
    scope: &Scope,
    year: Option<i32>,
) -> Result<Vec<(String, annual::Model)>, AppError> {
    let mut select = scope.select::<annual::Entity>();
    if let Some(y) = year {
        select = select.filter(annual::Column::Year.eq(y));
    }
    let rows = select
        .order_by_asc(annual::Column::EnterpriseId)
        .order_by_asc(annual::Column::Year)
        .all(db.conn())
        .await?;
    with_uscc(db, scope, rows, |a| a.enterprise_id).await
}

/// Innovation rows of the zone for one year (or all years), with their enterprise's USCC.
pub async fn innovation_export_rows(
    db: &Db,
    scope: &Scope,
    year: Option<i32>,
) -> Result<Vec<(String, innovation::Model)>, AppError> {
    let mut select = scope.select::<innovation::Entity>();
    if let Some(y) = year {
        select = select.filter(innovation::Column::Year.eq(y));
    }
    let rows = select
        .order_by_asc(innovation::Column::EnterpriseId)
        .order_by_asc(innovation::Column::Year)
        .all(db.conn())
        .await?;
    with_uscc(db, scope, rows, |m| m.enterprise_id).await
}

/// Pairs rows with the USCC of their enterprise (rows of enterprises the caller cannot see are
/// left out).
async fn with_uscc<T>(
    db: &Db,
    scope: &Scope,
    rows: Vec<T>,
    of: impl Fn(&T) -> i64,
) -> Result<Vec<(String, T)>, AppError> {
    let usccs: HashMap<i64, String> = visible(scope)
        .all(db.conn())
        .await?
        .into_iter()
        .map(|e| (e.id, e.uscc))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|a| usccs.get(&of(&a)).map(|u| (u.clone(), a)))
        .collect())
}

/// The innovation rows of one enterprise, by year.
pub async fn innovation_of(db: &Db, scope: &Scope, enterprise_id: i64) -> Result<Vec<innovation::Model>, AppError> {
    let e = get(db, scope, enterprise_id).await?;
    Ok(scope
        .select::<innovation::Entity>()
        .filter(innovation::Column::EnterpriseId.eq(e.id))
        .order_by_asc(innovation::Column::Year)
        .all(db.conn())
        .await?)
}
