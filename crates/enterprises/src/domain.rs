//! The registry record: the enterprise and its yearly rows as imports and forms read them.

use gaoxin_core::uscc::verify_uscc;
use gaoxin_core::validate::{FieldError, required_text};

/// A validated enterprise (foundation fields only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterpriseInput {
    pub name: String,
    pub uscc: String,
}

pub fn validate(name: &str, uscc: &str) -> Result<EnterpriseInput, FieldError> {
    Ok(EnterpriseInput {
        name: required_text("name", "企业名称", name, 200)?,
        uscc: verify_uscc(uscc).map_err(|m| FieldError::new("uscc", m))?,
    })
}

use std::collections::HashMap;

use chrono::NaiveDate;

use gaoxin_core::industry;
use gaoxin_core::quantity::{Fixed, Mu, Tonnes, Wan, WanKwh};
use gaoxin_core::tabular::{self, Cell, ColumnSpec};

/// 规上 / 规下 (规模以上工业企业: revenue ≥ 20 million yuan).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    Above,
    Below,
}

impl Scale {
    pub fn code(self) -> &'static str {
        match self {
            Scale::Above => "above",
            Scale::Below => "below",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scale::Above => "规上",
            Scale::Below => "规下",
        }
    }

    pub fn parse(text: &str) -> Option<Scale> {
        match text.trim() {
            "规上" | "规模以上" | "above" => Some(Scale::Above),
            "规下" | "规模以下" | "below" => Some(Scale::Below),
            _ => None,
        }
    }
}

/// 在营 / 迁出 / 注销.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Active,
    MovedOut,
    Deregistered,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Active, Status::MovedOut, Status::Deregistered];

    pub fn code(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::MovedOut => "moved_out",
            Status::Deregistered => "deregistered",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Active => "在营",
            Status::MovedOut => "迁出",
            Status::Deregistered => "注销",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        let text = text.trim();
        Status::ALL
            .into_iter()
            .find(|s| s.label() == text || s.code() == text)
            .or(match text {
                "存续" | "开业" | "正常" => Some(Status::Active),
                "吊销" | "注销中" => Some(Status::Deregistered),
                _ => None,
            })
    }
}

/// The columns of the enterprise template and import, in template order.
pub const ENTERPRISE_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "name",
        header: "企业名称",
        required: true,
        hint: "必填，最多 200 字",
    },
    ColumnSpec {
        key: "uscc",
        header: "统一社会信用代码",
        required: true,
        hint: "必填，18 位，校验位按 GB 32100-2015 检查；按此代码更新已有企业",
    },
    ColumnSpec {
        key: "industry_code",
        header: "行业代码",
        required: false,
        hint: "GB/T 4754-2017：门类字母或 2–4 位数字，如 C、39、3911 或 C3911",
    },
    ColumnSpec {
        key: "registered_on",
        header: "注册日期",
        required: false,
        hint: "如 2023-01-05、2023/1/5、2023年1月5日",
    },
    ColumnSpec {
        key: "registered_address",
        header: "注册地址",
        required: false,
        hint: "最多 200 字",
    },
    ColumnSpec {
        key: "legal_representative",
        header: "法定代表人",
        required: false,
        hint: "",
    },
    ColumnSpec {
        key: "principal",
        header: "企业负责人",
        required: false,
        hint: "",
    },
    ColumnSpec {
        key: "phone",
        header: "联系电话",
        required: false,
        hint: "",
    },
    ColumnSpec {
        key: "finance_officer",
        header: "财务负责人",
        required: false,
        hint: "",
    },
    ColumnSpec {
        key: "land_area",
        header: "用地面积(亩)",
        required: false,
        hint: "单位亩，最多 4 位小数；无自有用地填 0",
    },
    ColumnSpec {
        key: "employees",
        header: "从业人员数",
        required: false,
        hint: "整数",
    },
    ColumnSpec {
        key: "leading_industry",
        header: "主导产业",
        required: false,
        hint: "如 生命科学和生物技术",
    },
    ColumnSpec {
        key: "carrier",
        header: "所属载体",
        required: false,
        hint: "园区、孵化器、楼宇的名称；新名称导入时自动新建",
    },
    ColumnSpec {
        key: "scale",
        header: "企业规模",
        required: false,
        hint: "规上 或 规下",
    },
    ColumnSpec {
        key: "status",
        header: "经营状态",
        required: false,
        hint: "在营、迁出 或 注销；空为在营",
    },
    ColumnSpec {
        key: "tags",
        header: "标签",
        required: false,
        hint: "多个标签用顿号或逗号分隔",
    },
    ColumnSpec {
        key: "service_officer",
        header: "服务专员",
        required: false,
        hint: "",
    },
];

/// A registry record, validated.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct EnterpriseRecord {
    pub name: String,
    pub uscc: String,
    pub industry_code: Option<String>,
    pub registered_on: Option<NaiveDate>,
    pub registered_address: Option<String>,
    pub legal_representative: Option<String>,
    pub principal: Option<String>,
    pub phone: Option<String>,
    pub finance_officer: Option<String>,
    pub land_area: Option<Mu>,
    pub employees: Option<i32>,
    pub leading_industry: Option<String>,
    /// The carrier's name (resolved to a row by the store).
    pub carrier: Option<String>,
    pub scale: Option<Scale>,
    pub status: Status,
    pub tags: Vec<String>,
    pub service_officer: Option<String>,
}

/// Tags as stored: `|a|b|`.
pub fn tags_to_column(tags: &[String]) -> Option<String> {
    (!tags.is_empty()).then(|| format!("|{}|", tags.join("|")))
}

pub fn tags_from_column(column: Option<&str>) -> Vec<String> {
    column
        .map(|c| c.split('|').filter(|t| !t.is_empty()).map(str::to_string).collect())
        .unwrap_or_default()
}

fn split_tags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = text
        .split(['、', ',', '，', ';', '；', '|', '/'])
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    tags.dedup();
    tags
}

/// Parses one row of cells (by column key) into a record, or every problem of the row as
/// (column key, reason).
pub fn parse_enterprise(cells: &HashMap<&str, Cell>) -> Result<EnterpriseRecord, Vec<(&'static str, String)>> {
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let empty = Cell::Empty;
    let cell = |key: &str| cells.get(key).unwrap_or(&empty);
    let text =
        |key: &'static str, label: &str, max: usize, errors: &mut Vec<(&'static str, String)>| -> Option<String> {
            let value = tabular::text(cell(key))?;
            match gaoxin_core::validate::optional_text(key, label, &value, max) {
                Ok(v) => v,
                Err(e) => {
                    errors.push((key, e.message));
                    None
                }
            }
        };
    let name = text("name", "企业名称", 200, &mut errors);
    if name.is_none() && !errors.iter().any(|(k, _)| *k == "name") {
        errors.push(("name", "企业名称不能为空".into()));
    }
    let uscc = match tabular::text(cell("uscc")) {
        None => {
            errors.push(("uscc", "统一社会信用代码不能为空".into()));
            None
        }
        Some(code) => match verify_uscc(&code) {
            Ok(c) => Some(c),
            Err(reason) => {
                errors.push(("uscc", reason));
                None
            }
        },
    };
    let industry_code = tabular::text(cell("industry_code")).and_then(|code| match industry::normalize(&code) {
        Ok(c) => Some(c),
        Err(reason) => {
            errors.push(("industry_code", reason));
            None
        }
    });
    let registered_on = match tabular::date(cell("registered_on")) {
        Ok(d) => d,
        Err(reason) => {
            errors.push(("registered_on", reason));
            None
        }
    };
    let registered_address = text("registered_address", "注册地址", 200, &mut errors);
    let legal_representative = text("legal_representative", "法定代表人", 50, &mut errors);
    let principal = text("principal", "企业负责人", 50, &mut errors);
    let phone = match tabular::text(cell("phone")) {
        None => None,
        Some(p) => match gaoxin_core::validate::phone("phone", &p) {
            Ok(v) => v,
            Err(e) => {
                errors.push(("phone", e.message));
                None
            }
        },
    };
    let finance_officer = text("finance_officer", "财务负责人", 50, &mut errors);
    let land_area = match tabular::quantity::<4>(cell("land_area")) {
        Ok(Some(v)) if v.0 < 0 => {
            errors.push(("land_area", "用地面积不能为负数".into()));
            None
        }
        Ok(v) => v,
        Err(reason) => {
            errors.push(("land_area", reason));
            None
        }
    };
    let employees = match tabular::whole_number(cell("employees")) {
        Ok(Some(n)) if !(0..=10_000_000).contains(&n) => {
            errors.push(("employees", format!("从业人员数 {n} 不合理")));
            None
        }
        Ok(n) => n.map(|n| n as i32),
        Err(reason) => {
            errors.push(("employees", reason));
            None
        }
    };
    let leading_industry = text("leading_industry", "主导产业", 50, &mut errors);
    let carrier = text("carrier", "所属载体", 100, &mut errors);
    let scale = tabular::text(cell("scale")).and_then(|s| match Scale::parse(&s) {
        Some(v) => Some(v),
        None => {
            errors.push(("scale", format!("企业规模应为“规上”或“规下”，不是“{s}”")));
            None
        }
    });
    let status = match tabular::text(cell("status")) {
        None => Status::Active,
        Some(s) => Status::parse(&s).unwrap_or_else(|| {
            errors.push(("status", format!("经营状态应为 在营、迁出 或 注销，不是“{s}”")));
            Status::Active
        }),
    };
    let tags = tabular::text(cell("tags")).map(|t| split_tags(&t)).unwrap_or_default();
    if tags.iter().any(|t| t.chars().count() > 20) || tags.join("|").chars().count() > 480 {
        errors.push(("tags", "标签过长：每个标签最多 20 字".into()));
    }
    let service_officer = text("service_officer", "服务专员", 50, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(EnterpriseRecord {
        name: name.unwrap_or_default(),
        uscc: uscc.unwrap_or_default(),
        industry_code,
        registered_on,
        registered_address,
        legal_representative,
        principal,
        phone,
        finance_officer,
        land_area,
        employees,
        leading_industry,
        carrier,
        scale,
        status,
        tags,
        service_officer,
    })
}

// ---------------------------------------------------------------- annual data

/// The columns of the annual-data template and import.
pub const ANNUAL_COLUMNS: &[ColumnSpec] = &[
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
        key: "revenue",
        header: "营业收入(万元)",
        required: false,
        hint: "万元，最多 6 位小数（精确到分）",
    },
    ColumnSpec {
        key: "gross_output",
        header: "工业总产值(万元)",
        required: false,
        hint: "万元",
    },
    ColumnSpec {
        key: "value_added",
        header: "工业增加值(万元)",
        required: false,
        hint: "万元",
    },
    ColumnSpec {
        key: "tax",
        header: "税收(万元)",
        required: false,
        hint: "万元",
    },
    ColumnSpec {
        key: "rd_expense",
        header: "研发经费(万元)",
        required: false,
        hint: "万元",
    },
    ColumnSpec {
        key: "energy",
        header: "综合能耗(吨标准煤)",
        required: false,
        hint: "吨标准煤，最多 3 位小数",
    },
    ColumnSpec {
        key: "cod",
        header: "化学需氧量排放(吨)",
        required: false,
        hint: "吨",
    },
    ColumnSpec {
        key: "ammonia",
        header: "氨氮排放(吨)",
        required: false,
        hint: "吨",
    },
    ColumnSpec {
        key: "sulfur_dioxide",
        header: "二氧化硫排放(吨)",
        required: false,
        hint: "吨",
    },
    ColumnSpec {
        key: "nitrogen_oxides",
        header: "氮氧化物排放(吨)",
        required: false,
        hint: "吨",
    },
    ColumnSpec {
        key: "electricity",
        header: "用电量(万千瓦时)",
        required: false,
        hint: "万千瓦时，最多 4 位小数（精确到千瓦时）",
    },
    ColumnSpec {
        key: "rd_staff",
        header: "研发人员数",
        required: false,
        hint: "整数",
    },
    ColumnSpec {
        key: "tech_staff",
        header: "科技人员数",
        required: false,
        hint: "整数",
    },
    ColumnSpec {
        key: "hitech_revenue",
        header: "高新技术产品收入(万元)",
        required: false,
        hint: "万元",
    },
    ColumnSpec {
        key: "invention_patents",
        header: "有效发明专利数",
        required: false,
        hint: "整数",
    },
];

/// One enterprise's figures for one year. `None` = unknown.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AnnualRecord {
    pub uscc: String,
    pub year: i32,
    pub revenue: Option<Wan>,
    pub gross_output: Option<Wan>,
    pub value_added: Option<Wan>,
    pub tax: Option<Wan>,
    pub rd_expense: Option<Wan>,
    pub energy: Option<Tonnes>,
    pub cod: Option<Tonnes>,
    pub ammonia: Option<Tonnes>,
    pub sulfur_dioxide: Option<Tonnes>,
    pub nitrogen_oxides: Option<Tonnes>,
    pub electricity: Option<WanKwh>,
    pub rd_staff: Option<i32>,
    pub tech_staff: Option<i32>,
    pub hitech_revenue: Option<Wan>,
    pub invention_patents: Option<i32>,
}

/// Years an annual row may be about.
pub const YEARS: std::ops::RangeInclusive<i32> = 1978..=2100;

pub fn parse_annual(cells: &HashMap<&str, Cell>) -> Result<AnnualRecord, Vec<(&'static str, String)>> {
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let (uscc, year) = uscc_and_year(cells, &mut errors);
    let empty = Cell::Empty;
    let cell = |key: &str| cells.get(key).unwrap_or(&empty);
    let money = |key: &'static str, errors: &mut Vec<(&'static str, String)>| -> Option<Wan> {
        match tabular::quantity::<6>(cell(key)) {
            Ok(v) => v,
            Err(reason) => {
                errors.push((key, reason));
                None
            }
        }
    };
    let revenue = money("revenue", &mut errors);
    let gross_output = money("gross_output", &mut errors);
    let value_added = money("value_added", &mut errors);
    let tax = money("tax", &mut errors);
    let rd_expense = money("rd_expense", &mut errors);
    let hitech_revenue = money("hitech_revenue", &mut errors);
    let mass = |key: &'static str, errors: &mut Vec<(&'static str, String)>| -> Option<Tonnes> {
        match tabular::quantity::<3>(cell(key)) {
            Ok(Some(v)) if v.0 < 0 => {
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
    let energy = mass("energy", &mut errors);
    let cod = mass("cod", &mut errors);
    let ammonia = mass("ammonia", &mut errors);
    let sulfur_dioxide = mass("sulfur_dioxide", &mut errors);
    let nitrogen_oxides = mass("nitrogen_oxides", &mut errors);
    let electricity = match tabular::quantity::<4>(cell("electricity")) {
        Ok(Some(v)) if v.0 < 0 => {
            errors.push(("electricity", "不能为负数".into()));
            None
        }
        Ok(v) => v,
        Err(reason) => {
            errors.push(("electricity", reason));
            None
        }
    };
    let count = |key: &'static str, errors: &mut Vec<(&'static str, String)>| -> Option<i32> {
        match tabular::whole_number(cell(key)) {
            Ok(Some(n)) if !(0..=10_000_000).contains(&n) => {
                errors.push((key, format!("{n} 不合理（应为 0 到 1000 万之间的整数）")));
                None
            }
            Ok(n) => n.map(|n| n as i32),
            Err(reason) => {
                errors.push((key, reason));
                None
            }
        }
    };
    let rd_staff = count("rd_staff", &mut errors);
    let tech_staff = count("tech_staff", &mut errors);
    let invention_patents = count("invention_patents", &mut errors);
    // Negative money is possible (a loss in value added) but not for revenue, tax or R&D.
    for (key, value) in [
        ("revenue", revenue),
        ("tax", tax),
        ("rd_expense", rd_expense),
        ("hitech_revenue", hitech_revenue),
    ] {
        if value.is_some_and(|v| v.0 < 0) {
            errors.push((key, "不能为负数".into()));
        }
    }
    if let (Some(h), Some(r)) = (hitech_revenue, revenue)
        && h.0 > r.0
    {
        errors.push(("hitech_revenue", "高新技术产品收入不能大于营业收入".into()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(AnnualRecord {
        uscc,
        year,
        revenue,
        gross_output,
        value_added,
        tax,
        rd_expense,
        energy,
        cod,
        ammonia,
        sulfur_dioxide,
        nitrogen_oxides,
        electricity,
        rd_staff,
        tech_staff,
        hitech_revenue,
        invention_patents,
    })
}

#[cfg(test)]
mod record_tests {
    use super::*;

    fn row(pairs: &[(&'static str, Cell)]) -> HashMap<&'static str, Cell> {
        pairs.iter().cloned().collect()
    }

    #[test]
    fn a_full_row_parses_into_typed_values() {
        let r = parse_enterprise(&row(&[
            ("name", Cell::Text(" 华为技术有限公司 ".into())),
            ("uscc", Cell::Text("914403001922038216".into())),
            ("industry_code", Cell::Text("C3921".into())),
            ("registered_on", Cell::Text("1987年9月15日".into())),
            ("land_area", Cell::Number(35.5)),
            ("employees", Cell::Text("1,200".into())),
            ("scale", Cell::Text("规上".into())),
            ("tags", Cell::Text("高企、瞪羚, 专精特新".into())),
        ]))
        .unwrap();
        assert_eq!(r.name, "华为技术有限公司");
        assert_eq!(r.industry_code.as_deref(), Some("3921"));
        assert_eq!(r.registered_on, NaiveDate::from_ymd_opt(1987, 9, 15));
        assert_eq!(r.land_area.unwrap().0, 355_000);
        assert_eq!(r.employees, Some(1200));
        assert_eq!(r.scale, Some(Scale::Above));
        assert_eq!(r.status, Status::Active);
        assert_eq!(r.tags, vec!["高企", "瞪羚", "专精特新"]);
        assert_eq!(tags_to_column(&r.tags).as_deref(), Some("|高企|瞪羚|专精特新|"));
    }

    #[test]
    fn every_bad_cell_of_a_row_is_reported() {
        let errors = parse_enterprise(&row(&[
            ("uscc", Cell::Text("91440300708461136X".into())),
            ("industry_code", Cell::Text("9999".into())),
            ("registered_on", Cell::Text("2023-13-01".into())),
            ("land_area", Cell::Text("-3".into())),
            ("employees", Cell::Number(3.5)),
            ("scale", Cell::Text("大型".into())),
        ]))
        .unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            vec![
                "name",
                "uscc",
                "industry_code",
                "registered_on",
                "land_area",
                "employees",
                "scale"
            ]
        );
    }

    #[test]
    fn annual_figures_are_exact_and_unknown_stays_unknown() {
        let r = parse_annual(&row(&[
            ("uscc", Cell::Text("914403001922038216".into())),
            ("year", Cell::Number(2024.0)),
            ("revenue", Cell::Text("12,345.67".into())),
            ("tax", Cell::Number(0.1)),
            ("energy", Cell::Text("1234.5".into())),
            ("rd_staff", Cell::Number(12.0)),
        ]))
        .unwrap();
        assert_eq!(r.revenue.unwrap().0, 12_345_670_000);
        assert_eq!(r.tax.unwrap().0, 100_000);
        assert_eq!(r.energy.unwrap().0, 1_234_500);
        assert_eq!(r.gross_output, None);
        let errors = parse_annual(&row(&[
            ("uscc", Cell::Text("914403001922038216".into())),
            ("year", Cell::Text("二〇二四".into())),
            ("revenue", Cell::Text("100".into())),
            ("hitech_revenue", Cell::Text("200".into())),
            ("tax", Cell::Text("-1".into())),
        ]))
        .unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, vec!["year", "tax", "hitech_revenue"]);
    }
}

// ---------------------------------------------------------------- innovation data

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

/// Reads the uscc and year of a yearly row (annual or innovation data).
fn uscc_and_year(cells: &HashMap<&str, Cell>, errors: &mut Vec<(&'static str, String)>) -> (String, i32) {
    let empty = Cell::Empty;
    let cell = |key: &str| cells.get(key).unwrap_or(&empty);
    let uscc = match tabular::text(cell("uscc")) {
        None => {
            errors.push(("uscc", "统一社会信用代码不能为空".into()));
            String::new()
        }
        Some(code) => verify_uscc(&code).unwrap_or_else(|reason| {
            errors.push(("uscc", reason));
            String::new()
        }),
    };
    let year = match tabular::whole_number(cell("year")) {
        Ok(Some(y)) if YEARS.contains(&(y as i32)) => y as i32,
        Ok(Some(y)) => {
            errors.push(("year", format!("年度 {y} 不在 1978–2100 之间")));
            0
        }
        Ok(None) => {
            errors.push(("year", "年度不能为空".into()));
            0
        }
        Err(reason) => {
            errors.push(("year", reason));
            0
        }
    };
    (uscc, year)
}

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
