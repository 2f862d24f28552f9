//! The registry's own record: the columns of the enterprise template and import, the
//! validated record, and the reading of one row of cells into it.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{Scale, Status};
use gaoxin_core::industry;
use gaoxin_core::quantity::Mu;
use gaoxin_core::tabular::{self, Cell, ColumnSpec};
use gaoxin_core::uscc::verify_uscc;

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

#[cfg(test)]
mod tests {
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
}
