//! Counts per zone, for the province comparison.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use gaoxin_enterprises::entity as enterprise;
use gaoxin_platform::accounts::entity::account;
use gaoxin_platform::audit::entity as audit_log;
use gaoxin_platform::db::Db;
use gaoxin_platform::departments::entity as department;
use gaoxin_platform::error::AppError;
use gaoxin_platform::zones::entity::Model as Zone;

/// A zone with its counts.
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
