//! The zone's division of work (职责分工): which department holds each [`Duty`] — the
//! registry, the ladder, 亩均, parcels, policies —, set by the admin on the departments page.
//! [`ensure`] is the one check of department scope (issue 17, finding 5): staff act on an
//! object when one of its [`Owner`]s is their department; the admin always; nobody else.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::entity as department;
use crate::audit::Writer;
use crate::auth::Scope;
use crate::error::AppError;
use gaoxin_core::roles::Role;
pub use gaoxin_core::status::Duty;

pub mod entity {
    //! The `department_duty` table: one row per zone and duty.
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "department_duty")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: i64,
        /// A [`super::Duty`] code.
        pub duty: String,
        pub department_id: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    crate::audited_entity!("department_duty", zone);
}

/// Who answers for an object: a department named on it, or whoever holds a duty.
#[derive(Clone, Copy, Debug)]
pub enum Owner {
    Department(Option<i64>),
    Duty(Duty),
}

/// The department holding `duty` in a zone, if any.
pub async fn holder<C: ConnectionTrait>(conn: &C, zone_id: i64, duty: Duty) -> Result<Option<i64>, AppError> {
    Ok(entity::Entity::find()
        .filter(entity::Column::ZoneId.eq(zone_id))
        .filter(entity::Column::Duty.eq(duty.code()))
        .one(conn)
        .await?
        .map(|d| d.department_id))
}

/// Every duty with the department holding it in the scope's zone.
pub async fn all<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
) -> Result<Vec<(Duty, Option<department::Model>)>, AppError> {
    let rows = scope.select::<entity::Entity>().all(conn).await?;
    let departments = scope.select::<department::Entity>().all(conn).await?;
    Ok(Duty::ALL
        .iter()
        .map(|duty| {
            let held = rows
                .iter()
                .find(|r| r.duty == duty.code())
                .and_then(|r| departments.iter().find(|d| d.id == r.department_id).cloned());
            (*duty, held)
        })
        .collect())
}

/// Gives `duty` to a department of the zone, or to nobody (then only the admin acts on it).
pub async fn assign(writer: &mut Writer, zone_id: i64, duty: Duty, department_id: Option<i64>) -> Result<(), AppError> {
    if let Some(id) = department_id {
        department::Entity::find_by_id(id)
            .filter(department::Column::ZoneId.eq(zone_id))
            .one(writer.read())
            .await?
            .ok_or_else(|| AppError::field(duty.code(), "所选部门不存在"))?;
    }
    let before = entity::Entity::find()
        .filter(entity::Column::ZoneId.eq(zone_id))
        .filter(entity::Column::Duty.eq(duty.code()))
        .one(writer.read())
        .await?;
    match (before, department_id) {
        (None, None) => {}
        (Some(row), None) => writer.delete_in_zone(row).await?,
        (None, Some(id)) => {
            writer
                .insert_in_zone(entity::ActiveModel {
                    duty: Set(duty.code().to_string()),
                    department_id: Set(id),
                    ..Default::default()
                })
                .await?;
        }
        (Some(row), Some(id)) if row.department_id != id => {
            let mut active: entity::ActiveModel = row.clone().into();
            active.department_id = Set(id);
            writer.update_in_zone(&row, active).await?;
        }
        (Some(_), Some(_)) => {}
    }
    Ok(())
}

/// Refuses (403, with who answers for it) unless the caller may act on an object owned by
/// `owners`: the admin always; staff when one owner is their department; nobody else.
pub async fn ensure<C: ConnectionTrait>(conn: &C, scope: &Scope, owners: &[Owner]) -> Result<(), AppError> {
    match scope.role() {
        Role::Admin => return Ok(()),
        Role::Staff => {}
        _ => return Err(AppError::Forbidden),
    }
    let own = scope.caller().department_id;
    let mut first: Option<(Option<i64>, Option<Duty>)> = None;
    for owner in owners {
        let (department_id, duty) = match *owner {
            Owner::Department(id) => (id, None),
            Owner::Duty(duty) => (holder(conn, scope.zone_id(), duty).await?, Some(duty)),
        };
        if department_id.is_some() && department_id == own {
            return Ok(());
        }
        first.get_or_insert((department_id, duty));
    }
    let message = match first {
        Some((Some(id), _)) => {
            let name = department::Entity::find_by_id(id)
                .one(conn)
                .await?
                .map(|d| d.name)
                .unwrap_or_default();
            format!("此事项由“{name}”负责：只有该部门人员或管理员可以操作")
        }
        Some((None, Some(duty))) => format!(
            "“{}”尚未指定负责部门：请管理员在“部门”页面的职责分工中指定，此前只有管理员可以操作",
            duty.label()
        ),
        _ => "此事项不属于您的部门：只有负责部门人员或管理员可以操作".to_string(),
    };
    Err(AppError::OtherDepartment(message))
}
