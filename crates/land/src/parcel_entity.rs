//! The `land_parcel` table: a parcel of land (地块) of the zone, with the enterprises on it in
//! `parcel_occupant`.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "land_parcel")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    /// 地块编号 (宗地号), unique in the zone.
    pub code: String,
    pub name: String,
    /// Ten-thousandths of a 亩.
    pub area: i64,
    pub location: String,
    pub carrier_id: Option<i64>,
    /// 工业, 仓储, 研发 …
    pub land_use: String,
    pub supplied_on: Option<Date>,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("land_parcel", zone);
