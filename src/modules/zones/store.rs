//! Zone queries and writes.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::entity::{self as zone, Model as Zone};
use crate::modules::accounts::entity::account;
use crate::modules::departments::entity as department;
use crate::modules::enterprises::entity as enterprise;
use crate::platform::audit::{WriteContext, Writer, entity as audit_log};
use crate::platform::db::Db;
use crate::platform::error::AppError;

pub async fn all(db: &Db) -> Result<Vec<Zone>, AppError> {
    Ok(zone::Entity::find()
        .order_by_asc(zone::Column::Id)
        .all(db.conn())
        .await?)
}

pub async fn by_code(db: &Db, code: &str) -> Result<Option<Zone>, AppError> {
    Ok(zone::Entity::find()
        .filter(zone::Column::Code.eq(code))
        .one(db.conn())
        .await?)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Zone>, AppError> {
    Ok(zone::Entity::find_by_id(id).one(db.conn()).await?)
}

/// Creates a zone (audited as a change of that zone).
pub async fn create(db: &Db, mut ctx: WriteContext, code: &str, name: &str) -> Result<Zone, AppError> {
    let code = super::domain::code(code)?;
    let name = super::domain::name(name)?;
    if by_code(db, &code).await?.is_some() {
        return Err(AppError::Conflict(format!("开发区代码 {code} 已存在")));
    }
    ctx.zone_id = None;
    let mut writer = Writer::begin(db, ctx).await?;
    let zone = writer
        .insert(zone::ActiveModel {
            code: Set(code),
            name: Set(name),
            ..Default::default()
        })
        .await?;
    writer.commit().await?;
    Ok(zone)
}

/// Counts per zone, for the province comparison.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ZoneSummary {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub departments: u64,
    pub accounts: u64,
    pub enterprises: u64,
    pub audit_lines: u64,
}

pub async fn summary(db: &Db, z: Zone) -> Result<ZoneSummary, AppError> {
    let conn = db.conn();
    Ok(ZoneSummary {
        departments: department::Entity::find()
            .filter(department::Column::ZoneId.eq(z.id))
            .count(conn)
            .await?,
        accounts: account::Entity::find()
            .filter(account::Column::ZoneId.eq(z.id))
            .count(conn)
            .await?,
        enterprises: enterprise::Entity::find()
            .filter(enterprise::Column::ZoneId.eq(z.id))
            .count(conn)
            .await?,
        audit_lines: audit_log::Entity::find()
            .filter(audit_log::Column::ZoneId.eq(z.id))
            .count(conn)
            .await?,
        id: z.id,
        code: z.code,
        name: z.name,
    })
}
