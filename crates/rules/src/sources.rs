//! What gaoxin's database can feed a policy: the catalogue of data sources a rule variable may
//! bind to with `from = "…"`. Event sources (a technology contract, a talent, …) give one case
//! per event; annual, enterprise and period sources give the facts of the enterprise for the
//! year evaluated. A policy file that binds its variables can be evaluated on the database; one
//! that does not can still be evaluated on a CSV (`gaoxin policy eval`).
//!
//! The event kinds share one table (`policy_event`) with generic columns; `EventKind::fields`
//! says what each column means for each kind (labels for pages and import templates).

/// The facts awards are paid on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    TechnologyContract,
    TechnologyIntroduction,
    PatentTransfer,
    EquipmentPurchase,
    Recognition,
    Talent,
    Lease,
    Loan,
}

/// A generic column of the event table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventColumn {
    /// 日期 (`occurred_on`)
    Date,
    /// 起始日期 (`started_on`)
    StartDate,
    /// 编号 / 名称 (`reference`)
    Reference,
    /// 类别 (`category`)
    Category,
    /// 级别 (`level`)
    Level,
    /// 金额 (`amount`, fen)
    Amount,
    /// 第二个金额 (`secondary_amount`, fen)
    SecondaryAmount,
    /// 数量 (`quantity`)
    Quantity,
    /// 是否经认定 (`certified`)
    Certified,
    /// 是否首次 (`first_time`)
    FirstTime,
}

/// What a column means for one kind of event: its Chinese label, whether it must be filled,
/// and the choices allowed (empty: free).
#[derive(Clone, Copy, Debug)]
pub struct EventField {
    pub column: EventColumn,
    pub label: &'static str,
    pub required: bool,
    pub choices: &'static [&'static str],
}

const fn field(column: EventColumn, label: &'static str, required: bool) -> EventField {
    EventField {
        column,
        label,
        required,
        choices: &[],
    }
}

const fn choice(
    column: EventColumn,
    label: &'static str,
    required: bool,
    choices: &'static [&'static str],
) -> EventField {
    EventField {
        column,
        label,
        required,
        choices,
    }
}

use super::expr::{Type, Value};
use EventColumn as C;
use chrono::NaiveDate;
use rust_decimal::Decimal;

pub const CONTRACT_TYPES: &[&str] = &["技术转让", "技术开发", "技术咨询", "技术服务"];
pub const LEVELS: &[&str] = &["国家级", "省级", "市级"];
pub const RECOGNITIONS: &[&str] = &[
    "科技型中小企业",
    "高新技术企业",
    "创新型中小企业",
    "专精特新中小企业",
    "专精特新“小巨人”",
    "制造业单项冠军",
    "瞪羚企业",
    "研发平台",
    "瞪羚培育企业",
    "雏鹰企业",
    "准独角兽企业",
    "独角兽企业",
];
pub const TALENT_CATEGORIES: &[&str] = &["顶尖人才", "领军人才", "拔尖人才", "青年人才", "博士"];

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        EventKind::TechnologyContract,
        EventKind::TechnologyIntroduction,
        EventKind::PatentTransfer,
        EventKind::EquipmentPurchase,
        EventKind::Recognition,
        EventKind::Talent,
        EventKind::Lease,
        EventKind::Loan,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventKind::TechnologyContract => "technology_contract",
            EventKind::TechnologyIntroduction => "technology_introduction",
            EventKind::PatentTransfer => "patent_transfer",
            EventKind::EquipmentPurchase => "equipment_purchase",
            EventKind::Recognition => "recognition",
            EventKind::Talent => "talent",
            EventKind::Lease => "lease",
            EventKind::Loan => "loan",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::TechnologyContract => "技术合同",
            EventKind::TechnologyIntroduction => "技术引进（成果转化）",
            EventKind::PatentTransfer => "专利转移",
            EventKind::EquipmentPurchase => "首台（套）装备采购",
            EventKind::Recognition => "认定（资质、平台）",
            EventKind::Talent => "人才引进",
            EventKind::Lease => "载体租赁",
            EventKind::Loan => "贷款",
        }
    }

    pub fn parse(code: &str) -> Option<EventKind> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.code() == code || k.label() == code)
    }

    /// The columns this kind uses, in the order of its import template.
    pub fn fields(self) -> &'static [EventField] {
        match self {
            EventKind::TechnologyContract => {
                const {
                    &[
                        field(C::Reference, "合同登记号", true),
                        choice(C::Category, "合同类型", true, CONTRACT_TYPES),
                        field(C::Date, "登记日期", true),
                        field(C::Amount, "技术交易额（元）", true),
                        field(C::Certified, "是否经认定登记", true),
                    ]
                }
            }
            EventKind::TechnologyIntroduction => {
                const {
                    &[
                        field(C::Reference, "项目名称", true),
                        field(C::Category, "技术来源地", false),
                        field(C::Date, "合同日期", true),
                        field(C::Amount, "实际发生技术交易额（元）", true),
                    ]
                }
            }
            EventKind::PatentTransfer => {
                const {
                    &[
                        field(C::Reference, "转移批次 / 专利号", true),
                        field(C::Date, "转移日期", true),
                        field(C::Quantity, "发明专利件数", true),
                    ]
                }
            }
            EventKind::EquipmentPurchase => {
                const {
                    &[
                        field(C::Reference, "装备名称", true),
                        field(C::Date, "采购日期", true),
                        field(C::Amount, "采购价格（元）", true),
                        field(C::Certified, "是否经省认定首台（套）", true),
                    ]
                }
            }
            EventKind::Recognition => {
                const {
                    &[
                        choice(C::Category, "认定类别", true, RECOGNITIONS),
                        choice(C::Level, "级别", true, LEVELS),
                        field(C::Reference, "证书编号", false),
                        field(C::Date, "认定日期", true),
                        field(C::FirstTime, "是否首次认定", true),
                    ]
                }
            }
            EventKind::Talent => {
                const {
                    &[
                        field(C::Reference, "姓名", true),
                        choice(C::Category, "人才类别", true, TALENT_CATEGORIES),
                        choice(C::Level, "级别", false, LEVELS),
                        field(C::Date, "入职日期", true),
                    ]
                }
            }
            EventKind::Lease => {
                const {
                    &[
                        field(C::Reference, "载体 / 房号", true),
                        field(C::StartDate, "入驻日期", true),
                        field(C::Date, "缴租日期", true),
                        field(C::Quantity, "租赁面积（平方米）", true),
                        field(C::Amount, "当年实缴租金（元）", true),
                    ]
                }
            }
            EventKind::Loan => {
                const {
                    &[
                        field(C::Reference, "贷款合同号", true),
                        field(C::Category, "贷款银行", false),
                        field(C::StartDate, "放款日期", true),
                        field(C::Date, "付息日期（计入年度）", true),
                        field(C::Amount, "贷款本金（元）", true),
                        field(C::SecondaryAmount, "当年实付利息（元）", true),
                    ]
                }
            }
        }
    }

    pub fn field(self, column: EventColumn) -> Option<&'static EventField> {
        self.fields().iter().find(|f| f.column == column)
    }
}

/// The type of a declared variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    /// Yuan, exact, not negative.
    Money,
    /// A non-negative whole number.
    Count,
    Number,
    Bool,
    Text,
    Date,
}

impl VarKind {
    pub(crate) fn parse(s: &str) -> Option<VarKind> {
        Some(match s {
            "money" => VarKind::Money,
            "count" => VarKind::Count,
            "number" => VarKind::Number,
            "bool" => VarKind::Bool,
            "text" => VarKind::Text,
            "date" => VarKind::Date,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            VarKind::Money => "money",
            VarKind::Count => "count",
            VarKind::Number => "number",
            VarKind::Bool => "bool",
            VarKind::Text => "text",
            VarKind::Date => "date",
        }
    }

    pub fn expr_type(self) -> Type {
        match self {
            VarKind::Money | VarKind::Count | VarKind::Number => Type::Number,
            VarKind::Bool => Type::Bool,
            VarKind::Text => Type::Text,
            VarKind::Date => Type::Date,
        }
    }

    /// Reads a cell of input; empty is "did not happen": zero, false or empty text.
    pub fn read(self, raw: &str) -> Result<Value, String> {
        let raw = raw.trim();
        match self {
            VarKind::Money | VarKind::Number | VarKind::Count => {
                if raw.is_empty() {
                    return Ok(Value::Num(Decimal::ZERO));
                }
                let parsed = if raw.contains(',') {
                    raw.replace(',', "").parse()
                } else {
                    raw.parse()
                };
                let n: Decimal = parsed.map_err(|_| format!("“{raw}”不是数字"))?;
                if self != VarKind::Number && n.is_sign_negative() && !n.is_zero() {
                    return Err(format!("“{raw}”为负数"));
                }
                if self == VarKind::Count && !n.fract().is_zero() {
                    return Err(format!("“{raw}”应为整数"));
                }
                Ok(Value::Num(n))
            }
            VarKind::Bool => match raw {
                "" | "0" | "false" | "否" | "FALSE" => Ok(Value::Bool(false)),
                "1" | "true" | "是" | "TRUE" => Ok(Value::Bool(true)),
                other => Err(format!("“{other}”应为 是/否")),
            },
            VarKind::Text => Ok(Value::Text(raw.into())),
            VarKind::Date => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map(Value::Date)
                .map_err(|_| format!("“{raw}”不是日期（应为 2024-12-31）")),
        }
    }
}

/// Where a source's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A column of the event; `CertifiedAmount` is the amount when certified, else 0.
    Event(EventKind, EventRead),
    Annual(AnnualRead),
    Enterprise(EnterpriseRead),
    /// The year evaluated.
    PeriodYear,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventRead {
    Column(EventColumn),
    /// The amount if the event is certified, else 0.
    CertifiedAmount,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnnualRead {
    Revenue,
    RdExpense,
    Tax,
    ValueAdded,
    HitechRevenue,
    RdStaff,
    TechStaff,
    InventionPatents,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnterpriseRead {
    IndustryCode,
    RegisteredOn,
    AboveScale,
    Employees,
    LeadingIndustry,
}

/// One entry of the catalogue.
#[derive(Clone, Copy, Debug)]
pub struct Source {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: VarKind,
    pub origin: Origin,
}

const fn ev(name: &'static str, label: &'static str, kind: VarKind, e: EventKind, column: EventColumn) -> Source {
    Source {
        name,
        label,
        kind,
        origin: Origin::Event(e, EventRead::Column(column)),
    }
}

use EventKind as K;
use VarKind as V;

/// Every source a rule variable may name in `from`.
pub const CATALOGUE: &[Source] = &[
    ev(
        "technology_contract.amount",
        "技术合同交易额",
        V::Money,
        K::TechnologyContract,
        C::Amount,
    ),
    Source {
        name: "technology_contract.certified_amount",
        label: "经认定登记的技术合同交易额（未认定为 0）",
        kind: V::Money,
        origin: Origin::Event(K::TechnologyContract, EventRead::CertifiedAmount),
    },
    ev(
        "technology_contract.certified",
        "技术合同是否经认定登记",
        V::Bool,
        K::TechnologyContract,
        C::Certified,
    ),
    ev(
        "technology_contract.type",
        "技术合同类型",
        V::Text,
        K::TechnologyContract,
        C::Category,
    ),
    ev(
        "technology_contract.date",
        "技术合同登记日期",
        V::Date,
        K::TechnologyContract,
        C::Date,
    ),
    ev(
        "technology_introduction.amount",
        "引进技术实际发生交易额",
        V::Money,
        K::TechnologyIntroduction,
        C::Amount,
    ),
    ev(
        "technology_introduction.origin",
        "技术来源地",
        V::Text,
        K::TechnologyIntroduction,
        C::Category,
    ),
    ev(
        "patent_transfer.invention_count",
        "转移的发明专利件数",
        V::Count,
        K::PatentTransfer,
        C::Quantity,
    ),
    ev(
        "equipment_purchase.price",
        "装备采购价格",
        V::Money,
        K::EquipmentPurchase,
        C::Amount,
    ),
    Source {
        name: "equipment_purchase.certified_price",
        label: "经省认定首台（套）装备采购价格（未认定为 0）",
        kind: V::Money,
        origin: Origin::Event(K::EquipmentPurchase, EventRead::CertifiedAmount),
    },
    ev(
        "equipment_purchase.certified",
        "是否经省认定首台（套）",
        V::Bool,
        K::EquipmentPurchase,
        C::Certified,
    ),
    ev("recognition.category", "认定类别", V::Text, K::Recognition, C::Category),
    ev("recognition.level", "认定级别", V::Text, K::Recognition, C::Level),
    ev(
        "recognition.first_time",
        "是否首次认定",
        V::Bool,
        K::Recognition,
        C::FirstTime,
    ),
    ev("recognition.date", "认定日期", V::Date, K::Recognition, C::Date),
    ev("talent.category", "人才类别", V::Text, K::Talent, C::Category),
    ev("talent.level", "人才级别", V::Text, K::Talent, C::Level),
    ev("talent.joined_on", "入职日期", V::Date, K::Talent, C::Date),
    ev("lease.start", "入驻日期", V::Date, K::Lease, C::StartDate),
    ev("lease.paid_on", "缴租日期", V::Date, K::Lease, C::Date),
    ev("lease.area", "租赁面积（平方米）", V::Number, K::Lease, C::Quantity),
    ev("lease.rent_paid", "当年实缴租金", V::Money, K::Lease, C::Amount),
    ev("loan.principal", "贷款本金", V::Money, K::Loan, C::Amount),
    ev(
        "loan.interest_paid",
        "当年实付利息",
        V::Money,
        K::Loan,
        C::SecondaryAmount,
    ),
    ev("loan.start", "放款日期", V::Date, K::Loan, C::StartDate),
    ev("loan.paid_on", "付息日期", V::Date, K::Loan, C::Date),
    annual("annual.revenue", "营业收入", V::Money, AnnualRead::Revenue),
    annual("annual.rd_expense", "研发经费", V::Money, AnnualRead::RdExpense),
    annual("annual.tax", "税收", V::Money, AnnualRead::Tax),
    annual("annual.value_added", "工业增加值", V::Money, AnnualRead::ValueAdded),
    annual(
        "annual.hitech_revenue",
        "高新技术产品收入",
        V::Money,
        AnnualRead::HitechRevenue,
    ),
    annual("annual.rd_staff", "研发人员数", V::Count, AnnualRead::RdStaff),
    annual("annual.tech_staff", "科技人员数", V::Count, AnnualRead::TechStaff),
    annual(
        "annual.invention_patents",
        "有效发明专利数",
        V::Count,
        AnnualRead::InventionPatents,
    ),
    enterprise(
        "enterprise.industry_code",
        "行业代码",
        V::Text,
        EnterpriseRead::IndustryCode,
    ),
    enterprise(
        "enterprise.registered_on",
        "注册日期",
        V::Date,
        EnterpriseRead::RegisteredOn,
    ),
    enterprise(
        "enterprise.above_scale",
        "是否规上企业",
        V::Bool,
        EnterpriseRead::AboveScale,
    ),
    enterprise(
        "enterprise.employees",
        "从业人员数",
        V::Count,
        EnterpriseRead::Employees,
    ),
    enterprise(
        "enterprise.leading_industry",
        "主导产业",
        V::Text,
        EnterpriseRead::LeadingIndustry,
    ),
    Source {
        name: "period.year",
        label: "计算年度",
        kind: V::Count,
        origin: Origin::PeriodYear,
    },
];

const fn annual(name: &'static str, label: &'static str, kind: VarKind, read: AnnualRead) -> Source {
    Source {
        name,
        label,
        kind,
        origin: Origin::Annual(read),
    }
}

const fn enterprise(name: &'static str, label: &'static str, kind: VarKind, read: EnterpriseRead) -> Source {
    Source {
        name,
        label,
        kind,
        origin: Origin::Enterprise(read),
    }
}

pub fn source(name: &str) -> Option<&'static Source> {
    CATALOGUE.iter().find(|s| s.name == name)
}

impl Source {
    pub fn event(&self) -> Option<EventKind> {
        match self.origin {
            Origin::Event(k, _) => Some(k),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_names_are_unique_and_events_read_columns_their_kind_has() {
        let mut names: Vec<&str> = CATALOGUE.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CATALOGUE.len());
        for s in CATALOGUE {
            if let Origin::Event(kind, read) = s.origin {
                assert!(s.name.starts_with(kind.code()), "{}", s.name);
                let column = match read {
                    EventRead::Column(c) => c,
                    EventRead::CertifiedAmount => {
                        assert!(kind.field(C::Certified).is_some(), "{}", s.name);
                        C::Amount
                    }
                };
                assert!(
                    kind.field(column).is_some(),
                    "{} reads a column {kind:?} does not use",
                    s.name
                );
            }
        }
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.code()), Some(k));
            assert_eq!(EventKind::parse(k.label()), Some(k));
        }
    }
}
