//! The `enterprise` table: the registry record of one enterprise of a zone.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "enterprise")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    /// 企业名称
    pub name: String,
    /// 统一社会信用代码 (GB 32100-2015), unique within the zone.
    pub uscc: String,
    /// 行业代码 (GB/T 4754-2017): a section letter or 2/3/4 digits.
    pub industry_code: Option<String>,
    /// 注册日期
    pub registered_on: Option<Date>,
    pub registered_address: Option<String>,
    /// 法定代表人
    pub legal_representative: Option<String>,
    /// 企业负责人
    pub principal: Option<String>,
    pub phone: Option<String>,
    /// 财务负责人
    pub finance_officer: Option<String>,
    /// 用地面积 in ten-thousandths of a 亩 (`quantity::Mu`).
    pub land_area: Option<i64>,
    /// 从业人员数
    pub employees: Option<i32>,
    /// 主导产业
    pub leading_industry: Option<String>,
    /// 所属载体
    pub carrier_id: Option<i64>,
    /// A [`Scale`](crate::status::Scale) code: `above` (规上) or `below` (规下).
    pub scale: Option<String>,
    /// A [`Status`](crate::status::Status) code: `active` (在营), `moved_out` (迁出), `deregistered` (注销).
    pub status: String,
    /// Tags as `|高企|瞪羚|`, so that a tag filter matches whole tags.
    pub tags: Option<String>,
    /// 服务专员
    pub service_officer: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("enterprise", zone);
