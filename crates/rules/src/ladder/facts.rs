//! The facts gaoxin knows of an enterprise for evaluating the ladder — its figures by year, its
//! registry fields and the recognitions it holds — and the catalogue of sources a criteria
//! variable may bind to with `from`.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::policy::VarKind;

/// A figure of one enterprise in one year: from the annual data (年度数据) or the innovation
/// data (创新指标) of the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum YearField {
    Revenue,
    RdExpense,
    HitechRevenue,
    TechStaff,
    RdStaff,
    InventionPatents,
    Tax,
    ValueAdded,
    TotalStaff,
    TotalAssets,
    NetAssets,
    DomesticRdExpense,
    TotalCost,
    MainRevenue,
    IpClass1,
    IpClass2,
    AchievementsTransferred,
    EquityFinancing,
    Valuation,
    MarketShare,
    RdInstitutions,
    RdManagementScore,
    IpQualityScore,
}

/// How many [`YearField`]s there are (the length of a year's figures).
pub const YEAR_FIELDS: usize = 23;

/// The figures of one enterprise-year, indexed by `YearField as usize`; `None` is unknown.
pub type YearFigures = [Option<Decimal>; YEAR_FIELDS];

/// A recognition the enterprise holds or held (from the recognitions of the registry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Held {
    pub category: String,
    pub level: Option<String>,
    pub date: NaiveDate,
    pub reference: String,
}

/// What gaoxin knows of one enterprise, for evaluating every tier.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub registered_on: Option<NaiveDate>,
    pub industry_code: Option<String>,
    pub employees: Option<i64>,
    pub years: BTreeMap<i32, YearFigures>,
    pub recognitions: Vec<Held>,
}

impl Facts {
    /// A figure of a year: known, 0 for a year before the enterprise was registered (it did not
    /// exist, so had no revenue), or unknown.
    pub fn figure(&self, year: i32, field: YearField) -> Option<Decimal> {
        if let Some(v) = self.years.get(&year).and_then(|f| f[field as usize]) {
            return Some(v);
        }
        match self.registered_on {
            Some(r) if year < r.year() => Some(Decimal::ZERO),
            _ => None,
        }
    }
}

/// How long each recognition category stays valid (years), from the criteria that define it.
pub type Validities = HashMap<String, u32>;

/// The first day a recognition is no longer valid (None: no validity set, it does not expire).
pub fn expires_on(held: &Held, validities: &Validities) -> Option<NaiveDate> {
    validities
        .get(&held.category)
        .and_then(|years| held.date.checked_add_months(chrono::Months::new(years * 12)))
}

/// Whether a recognition is valid on a day.
pub fn valid_on(held: &Held, validities: &Validities, day: NaiveDate) -> bool {
    held.date <= day && expires_on(held, validities).is_none_or(|end| day < end)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Year(YearField),
    RegisteredOn,
    IndustryCode,
    Employees,
    /// The day evaluated (a date).
    AsOf,
    /// The year evaluated.
    PeriodYear,
    /// Whether a recognition of the variable's `category` is valid on the day evaluated.
    Holds,
}

/// A fact a criteria variable may bind to with `from`.
#[derive(Clone, Copy, Debug)]
pub struct LadderSource {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: VarKind,
    pub origin: Origin,
}

const fn year(name: &'static str, label: &'static str, kind: VarKind, field: YearField) -> LadderSource {
    LadderSource {
        name,
        label,
        kind,
        origin: Origin::Year(field),
    }
}

use VarKind as V;
use YearField as Y;

/// Every fact a criteria file may read.
pub const SOURCES: &[LadderSource] = &[
    year("annual.revenue", "营业收入（销售收入）", V::Money, Y::Revenue),
    year("annual.rd_expense", "研发经费", V::Money, Y::RdExpense),
    year(
        "annual.hitech_revenue",
        "高新技术产品（服务）收入",
        V::Money,
        Y::HitechRevenue,
    ),
    year("annual.tech_staff", "科技人员数", V::Count, Y::TechStaff),
    year("annual.rd_staff", "研发人员数", V::Count, Y::RdStaff),
    year(
        "annual.invention_patents",
        "有效发明专利数",
        V::Count,
        Y::InventionPatents,
    ),
    year("annual.tax", "税收", V::Money, Y::Tax),
    year("annual.value_added", "工业增加值", V::Money, Y::ValueAdded),
    year("innovation.total_staff", "职工总数", V::Count, Y::TotalStaff),
    year("innovation.total_assets", "资产总额", V::Money, Y::TotalAssets),
    year("innovation.net_assets", "净资产", V::Number, Y::NetAssets),
    year(
        "innovation.domestic_rd_expense",
        "境内研发费用",
        V::Money,
        Y::DomesticRdExpense,
    ),
    year("innovation.total_cost", "成本费用支出总额", V::Money, Y::TotalCost),
    year("innovation.main_revenue", "主营业务收入", V::Money, Y::MainRevenue),
    year("innovation.ip_class1", "I类知识产权数", V::Count, Y::IpClass1),
    year("innovation.ip_class2", "II类知识产权数", V::Count, Y::IpClass2),
    year(
        "innovation.achievements_transferred",
        "科技成果转化数",
        V::Count,
        Y::AchievementsTransferred,
    ),
    year(
        "innovation.equity_financing",
        "新增股权融资",
        V::Money,
        Y::EquityFinancing,
    ),
    year("innovation.valuation_usd", "企业估值（美元）", V::Money, Y::Valuation),
    year(
        "innovation.market_share",
        "主导产品市场占有率（%）",
        V::Number,
        Y::MarketShare,
    ),
    year("innovation.rd_institutions", "研发机构数", V::Count, Y::RdInstitutions),
    year(
        "innovation.rd_management_score",
        "研究开发组织管理水平得分（评审）",
        V::Number,
        Y::RdManagementScore,
    ),
    year(
        "innovation.ip_quality_score",
        "知识产权技术先进程度与核心支持作用得分（评审）",
        V::Number,
        Y::IpQualityScore,
    ),
    LadderSource {
        name: "enterprise.registered_on",
        label: "注册日期",
        kind: V::Date,
        origin: Origin::RegisteredOn,
    },
    LadderSource {
        name: "enterprise.industry_code",
        label: "行业代码",
        kind: V::Text,
        origin: Origin::IndustryCode,
    },
    LadderSource {
        name: "enterprise.employees",
        label: "从业人员数",
        kind: V::Count,
        origin: Origin::Employees,
    },
    LadderSource {
        name: "period.as_of",
        label: "评价日",
        kind: V::Date,
        origin: Origin::AsOf,
    },
    LadderSource {
        name: "period.year",
        label: "评价年度",
        kind: V::Count,
        origin: Origin::PeriodYear,
    },
    LadderSource {
        name: "recognition.holds",
        label: "持有有效期内的认定（category 指定类别）",
        kind: V::Bool,
        origin: Origin::Holds,
    },
];

pub fn source(name: &str) -> Option<&'static LadderSource> {
    SOURCES.iter().find(|s| s.name == name)
}
