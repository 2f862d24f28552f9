//! The `parcel_occupant` table: an enterprise on a parcel, as its owner (土地使用权人) or a
//! tenant. Enterprises sharing a parcel are evaluated together by a scheme that merges them.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "parcel_occupant")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub parcel_id: i64,
    pub enterprise_id: i64,
    /// An [`crate::status::OccupantRole`] code: `owner` or `tenant`.
    pub role: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("parcel_occupant", zone);
