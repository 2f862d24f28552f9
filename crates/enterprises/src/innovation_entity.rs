//! The `innovation_data` table: the figures of an enterprise for a year that the cultivation
//! criteria read beside its annual data (职工总数, 资产, 知识产权, 成果转化, 融资, 估值 …).
//! Money in fen, valuation in US cents, market share in hundredths of a percent; an empty
//! value is unknown, never zero.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "innovation_data")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i64,
    pub enterprise_id: i64,
    pub year: i32,
    /// 职工总数
    pub total_staff: Option<i32>,
    /// 资产总额 (fen)
    pub total_assets: Option<i64>,
    /// 净资产 (fen; may be negative)
    pub net_assets: Option<i64>,
    /// 境内研发费用 (fen)
    pub domestic_rd_expense: Option<i64>,
    /// 成本费用支出总额 (fen)
    pub total_cost: Option<i64>,
    /// 主营业务收入 (fen)
    pub main_revenue: Option<i64>,
    /// I类知识产权数 (发明专利、植物新品种、集成电路布图设计 …)
    pub ip_class1: Option<i32>,
    /// II类知识产权数 (实用新型、外观设计、软件著作权 …)
    pub ip_class2: Option<i32>,
    /// 科技成果转化数
    pub achievements_transferred: Option<i32>,
    /// 新增股权融资 (fen)
    pub equity_financing: Option<i64>,
    /// 企业估值 (US cents)
    pub valuation_usd: Option<i64>,
    /// 主导产品市场占有率 (hundredths of a percent)
    pub market_share: Option<i64>,
    /// 研发机构数
    pub rd_institutions: Option<i32>,
    /// 研究开发组织管理水平得分 (0–20, from the review)
    pub rd_management_score: Option<i32>,
    /// 知识产权评审得分 (0–22: 技术先进程度、核心支持作用、获得方式)
    pub ip_quality_score: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

gaoxin_platform::audited_entity!("innovation_data", zone);
