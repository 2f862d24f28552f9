//! Enterprise queries (scoped: an enterprise user sees only its own) and audited writes.

use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::domain::EnterpriseInput;
use super::entity::{self as enterprise, Model as Enterprise};
use crate::platform::audit::Writer;
use crate::platform::auth::Scope;
use crate::platform::db::Db;
use crate::platform::error::AppError;
use crate::platform::web::PageParams;

fn visible(scope: &Scope) -> sea_orm::Select<enterprise::Entity> {
    let select = scope.select::<enterprise::Entity>();
    match scope.own_enterprise() {
        Some(id) => select.filter(enterprise::Column::Id.eq(id)),
        None => select,
    }
}

fn search(scope: &Scope, q: Option<&str>) -> sea_orm::Select<enterprise::Entity> {
    let mut select = visible(scope);
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        select = select.filter(
            Condition::any()
                .add(enterprise::Column::Name.contains(q))
                .add(enterprise::Column::Uscc.contains(q.to_uppercase())),
        );
    }
    select.order_by_asc(enterprise::Column::Id)
}

pub async fn list(
    db: &Db,
    scope: &Scope,
    q: Option<&str>,
    page: &PageParams,
) -> Result<(Vec<Enterprise>, u64), AppError> {
    let total = search(scope, q).count(db.conn()).await?;
    let rows = search(scope, q)
        .offset(page.offset())
        .limit(page.per_page())
        .all(db.conn())
        .await?;
    Ok((rows, total))
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
