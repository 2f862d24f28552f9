//! Innovation data (创新指标): the columns of its template and import, one enterprise's
//! figures for one year, and the reading of one row of cells into them.

use std::collections::HashMap;

use super::uscc_and_year;
use gaoxin_core::quantity::{Fixed, Wan};
use gaoxin_core::tabular::{self, Cell, ColumnSpec};

/// The columns of the innovation-data (创新指标) template and import: what the cultivation
/// criteria read beside the annual data.
pub const INNOVATION_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "uscc",
        header: "统一社会信用代码",
        required: true,
        hint: "必填；企业须已在企业库中",
    },
    ColumnSpec {
        key: "year",
        header: "年度",
        required: true,
        hint: "必填，如 2024",
    },
    ColumnSpec {
        key: "total_staff",
        header: "职工总数",
        required: false,
        hint: "整数（含兼职、临时聘用且全年工作 183 天以上的人员）",
    },
    ColumnSpec {
        key: "total_assets",
        header: "资产总额(万元)",
        required: false,
        hint: "万元，年末数",
    },
    ColumnSpec {
        key: "net_assets",
        header: "净资产(万元)",
        required: false,
        hint: "万元，资产总额减负债总额，可为负数",
    },
    ColumnSpec {
        key: "domestic_rd_expense",
        header: "境内研发费用(万元)",
        required: false,
        hint: "万元，在中国境内发生的研究开发费用",
    },
    ColumnSpec {
        key: "total_cost",
        header: "成本费用支出总额(万元)",
        required: false,
        hint: "万元",
    },
    ColumnSpec {
        key: "main_revenue",
        header: "主营业务收入(万元)",
        required: false,
        hint: "万元",
    },
    ColumnSpec {
        key: "ip_class1",
        header: "I类知识产权数",
        required: false,
        hint: "整数：发明专利（含国防专利）、植物新品种、国家级农作物品种、国家新药、国家一级中药保护品种、集成电路布图设计专有权等",
    },
    ColumnSpec {
        key: "ip_class2",
        header: "II类知识产权数",
        required: false,
        hint: "整数：实用新型专利、外观设计专利、软件著作权等（不含商标）",
    },
    ColumnSpec {
        key: "achievements_transferred",
        header: "科技成果转化数",
        required: false,
        hint: "整数，当年完成的科技成果转化项数",
    },
    ColumnSpec {
        key: "equity_financing",
        header: "新增股权融资(万元)",
        required: false,
        hint: "万元，当年合格机构投资者实缴额",
    },
    ColumnSpec {
        key: "valuation_usd",
        header: "企业估值(万美元)",
        required: false,
        hint: "万美元，最近一轮融资估值",
    },
    ColumnSpec {
        key: "market_share",
        header: "主导产品市场占有率(%)",
        required: false,
        hint: "百分数，如 12.5 表示 12.5%，最多 2 位小数",
    },
    ColumnSpec {
        key: "rd_institutions",
        header: "研发机构数",
        required: false,
        hint: "整数，自建或与高校院所共建的研发机构",
    },
    ColumnSpec {
        key: "rd_management_score",
        header: "研发组织管理得分",
        required: false,
        hint: "0–20 的整数（高企创新能力评价“研究开发组织管理水平”，评审或自评）",
    },
    ColumnSpec {
        key: "ip_quality_score",
        header: "知识产权评审得分",
        required: false,
        hint: "0–22 的整数（高企知识产权中的技术先进程度、核心支持作用、获得方式）",
    },
];

/// One enterprise's innovation figures for one year. `None` = unknown.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct InnovationRecord {
    pub uscc: String,
    pub year: i32,
    pub total_staff: Option<i32>,
    pub total_assets: Option<Wan>,
    pub net_assets: Option<Wan>,
    pub domestic_rd_expense: Option<Wan>,
    pub total_cost: Option<Wan>,
    pub main_revenue: Option<Wan>,
    pub ip_class1: Option<i32>,
    pub ip_class2: Option<i32>,
    pub achievements_transferred: Option<i32>,
    pub equity_financing: Option<Wan>,
    /// 万美元, to the cent.
    pub valuation_usd: Option<Wan>,
    /// Percent, to 2 decimals.
    pub market_share: Option<Fixed<2>>,
    pub rd_institutions: Option<i32>,
    pub rd_management_score: Option<i32>,
    pub ip_quality_score: Option<i32>,
}

/// Parses one row of cells (by column key) into a year's innovation figures, or every problem
/// of the row as (column key, reason).
pub fn parse_innovation(cells: &HashMap<&str, Cell>) -> Result<InnovationRecord, Vec<(&'static str, String)>> {
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let (uscc, year) = uscc_and_year(cells, &mut errors);
    let empty = Cell::Empty;
    let cell = |key: &str| cells.get(key).unwrap_or(&empty);
    let mut money = |key: &'static str, may_be_negative: bool| -> Option<Wan> {
        match tabular::quantity::<6>(cell(key)) {
            Ok(Some(v)) if v.0 < 0 && !may_be_negative => {
                errors.push((key, "不能为负数".into()));
                None
            }
            Ok(v) => v,
            Err(reason) => {
                errors.push((key, reason));
                None
            }
        }
    };
    let total_assets = money("total_assets", false);
    let net_assets = money("net_assets", true);
    let domestic_rd_expense = money("domestic_rd_expense", false);
    let total_cost = money("total_cost", false);
    let main_revenue = money("main_revenue", false);
    let equity_financing = money("equity_financing", false);
    let valuation_usd = money("valuation_usd", false);
    let market_share = match tabular::quantity::<2>(cell("market_share")) {
        Ok(Some(v)) if !(0..=10_000).contains(&v.0) => {
            errors.push(("market_share", "市场占有率应在 0 到 100 之间".into()));
            None
        }
        Ok(v) => v,
        Err(reason) => {
            errors.push(("market_share", reason));
            None
        }
    };
    let mut count = |key: &'static str, max: i64| -> Option<i32> {
        match tabular::whole_number(cell(key)) {
            Ok(Some(n)) if !(0..=max).contains(&n) => {
                errors.push((key, format!("{n} 不合理（应为 0 到 {max} 之间的整数）")));
                None
            }
            Ok(n) => n.map(|n| n as i32),
            Err(reason) => {
                errors.push((key, reason));
                None
            }
        }
    };
    let total_staff = count("total_staff", 10_000_000);
    let ip_class1 = count("ip_class1", 10_000_000);
    let ip_class2 = count("ip_class2", 10_000_000);
    let achievements_transferred = count("achievements_transferred", 1_000_000);
    let rd_institutions = count("rd_institutions", 10_000);
    let rd_management_score = count("rd_management_score", 20);
    let ip_quality_score = count("ip_quality_score", 22);
    if let (Some(n), Some(t)) = (net_assets, total_assets)
        && n.0 > t.0
    {
        errors.push(("net_assets", "净资产不能大于资产总额".into()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(InnovationRecord {
        uscc,
        year,
        total_staff,
        total_assets,
        net_assets,
        domestic_rd_expense,
        total_cost,
        main_revenue,
        ip_class1,
        ip_class2,
        achievements_transferred,
        equity_financing,
        valuation_usd,
        market_share,
        rd_institutions,
        rd_management_score,
        ip_quality_score,
    })
}
