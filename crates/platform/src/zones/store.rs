//! Zone queries and writes.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entity::{self as zone, Model as Zone};
use crate::audit::{WriteContext, Writer};
use crate::db::Db;
use crate::error::AppError;

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
