//! Department queries (always through the caller's `Scope`) and audited writes.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::domain::DepartmentInput;
use super::entity::{self as department, Model as Department};
use crate::accounts::entity::account;
use crate::audit::Writer;
use crate::auth::Scope;
use crate::db::Db;
use crate::error::AppError;
use crate::web::PageParams;

fn search(scope: &Scope, q: Option<&str>) -> sea_orm::Select<department::Entity> {
    let mut select = scope.select::<department::Entity>();
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        select = select.filter(
            Condition::any()
                .add(department::Column::Name.contains(q))
                .add(department::Column::ShortName.contains(q))
                .add(department::Column::ContactPerson.contains(q)),
        );
    }
    select
        .order_by_asc(department::Column::SortOrder)
        .order_by_asc(department::Column::Id)
}

pub async fn list(
    db: &Db,
    scope: &Scope,
    q: Option<&str>,
    page: &PageParams,
) -> Result<(Vec<Department>, u64), AppError> {
    let total = search(scope, q).count(db.conn()).await?;
    let rows = search(scope, q)
        .offset(page.offset())
        .limit(page.per_page())
        .all(db.conn())
        .await?;
    Ok((rows, total))
}

pub async fn all(db: &Db, scope: &Scope, q: Option<&str>) -> Result<Vec<Department>, AppError> {
    Ok(search(scope, q).all(db.conn()).await?)
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Department, AppError> {
    scope
        .select::<department::Entity>()
        .filter(department::Column::Id.eq(id))
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound)
}

async fn name_taken(writer: &Writer, zone_id: i64, name: &str, except: Option<i64>) -> Result<bool, AppError> {
    let mut select = department::Entity::find()
        .filter(department::Column::ZoneId.eq(zone_id))
        .filter(department::Column::Name.eq(name));
    if let Some(id) = except {
        select = select.filter(department::Column::Id.ne(id));
    }
    Ok(select.count(writer.read()).await? > 0)
}

fn duplicate(name: &str) -> AppError {
    AppError::field("name", format!("部门名称“{name}”已存在"))
}

pub async fn create(writer: &mut Writer, zone_id: i64, input: DepartmentInput) -> Result<Department, AppError> {
    if name_taken(writer, zone_id, &input.name, None).await? {
        return Err(duplicate(&input.name));
    }
    Ok(writer
        .insert_in_zone(department::ActiveModel {
            name: Set(input.name),
            short_name: Set(input.short_name),
            contact_person: Set(input.contact_person),
            phone: Set(input.phone),
            sort_order: Set(input.sort_order),
            ..Default::default()
        })
        .await?)
}

pub async fn update(writer: &mut Writer, before: &Department, input: DepartmentInput) -> Result<Department, AppError> {
    if name_taken(writer, before.zone_id, &input.name, Some(before.id)).await? {
        return Err(duplicate(&input.name));
    }
    let mut active = before.clone().into_active_model();
    active.name = Set(input.name);
    active.short_name = Set(input.short_name);
    active.contact_person = Set(input.contact_person);
    active.phone = Set(input.phone);
    active.sort_order = Set(input.sort_order);
    Ok(writer.update_in_zone(before, active).await?)
}

pub async fn delete(writer: &mut Writer, department: Department) -> Result<(), AppError> {
    let members = account::Entity::find()
        .filter(account::Column::DepartmentId.eq(department.id))
        .count(writer.read())
        .await?;
    if members > 0 {
        return Err(AppError::Conflict(format!(
            "部门“{}”下还有 {members} 个用户，请先调整这些用户的部门",
            department.name
        )));
    }
    Ok(writer.delete_in_zone(department).await?)
}
