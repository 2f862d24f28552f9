//! Annual data (年度数据): the columns of its template and import, one enterprise's figures
//! for one year, and the reading of one row of cells into them.

use std::collections::HashMap;

use super::uscc_and_year;
use gaoxin_core::quantity::{Tonnes, Wan, WanKwh};
use gaoxin_core::tabular::{self, Cell, ColumnSpec};

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

/// Parses one row of cells (by column key) into a year's figures, or every problem of the row
/// as (column key, reason).
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
mod tests {
    use super::*;

    fn row(pairs: &[(&'static str, Cell)]) -> HashMap<&'static str, Cell> {
        pairs.iter().cloned().collect()
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
