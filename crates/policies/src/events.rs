//! Events awards are paid on: the columns of each kind's form and import template, and one
//! parser for a row of cells — used by the form, the .xlsx import and the API alike, so the
//! same value gets the same answer everywhere. Pure.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use gaoxin_core::tabular::{self, Cell, ColumnSpec};
use gaoxin_core::uscc::verify_uscc;
use gaoxin_rules::sources::{EventColumn, EventKind};

/// The key of a generic column, as in forms, import column maps and the API.
pub fn key(column: EventColumn) -> &'static str {
    match column {
        EventColumn::Date => "occurred_on",
        EventColumn::StartDate => "started_on",
        EventColumn::Reference => "reference",
        EventColumn::Category => "category",
        EventColumn::Level => "level",
        EventColumn::Amount => "amount",
        EventColumn::SecondaryAmount => "secondary_amount",
        EventColumn::Quantity => "quantity",
        EventColumn::Certified => "certified",
        EventColumn::FirstTime => "first_time",
    }
}

/// The columns of a kind's import template: the enterprise, the kind's fields, a note.
pub fn column_specs(kind: EventKind) -> Vec<ColumnSpec> {
    let mut specs = vec![
        ColumnSpec {
            key: "uscc",
            header: "统一社会信用代码",
            required: true,
            hint: "企业或机构的统一社会信用代码（须已在企业库中）",
        },
        ColumnSpec {
            key: "enterprise_name",
            header: "企业名称",
            required: false,
            hint: "仅供核对，可不填；填写时须与企业库一致",
        },
    ];
    for f in kind.fields() {
        specs.push(ColumnSpec {
            key: key(f.column),
            header: f.label,
            required: f.required,
            hint: hint(f.column),
        });
    }
    specs.push(ColumnSpec {
        key: "note",
        header: "备注",
        required: false,
        hint: "可不填，最多 500 字",
    });
    specs
}

fn hint(column: EventColumn) -> &'static str {
    match column {
        EventColumn::Date | EventColumn::StartDate => "日期，如 2024-03-15",
        EventColumn::Reference => "编号或名称，同一企业同类事件内唯一；再次导入同一编号即更新",
        EventColumn::Category | EventColumn::Level => "从下拉选项中选择",
        EventColumn::Amount | EventColumn::SecondaryAmount => "单位：元，最多两位小数，不能为负数",
        EventColumn::Quantity => "数字，最多两位小数，不能为负数",
        EventColumn::Certified | EventColumn::FirstTime => "是 或 否",
    }
}

/// A parsed event (money in fen, quantities in hundredths).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct EventInput {
    pub uscc: String,
    pub enterprise_name: Option<String>,
    pub occurred_on: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    pub reference: String,
    pub category: Option<String>,
    pub level: Option<String>,
    pub amount: Option<i64>,
    pub secondary_amount: Option<i64>,
    pub quantity: Option<i64>,
    pub certified: Option<bool>,
    pub first_time: Option<bool>,
    pub note: Option<String>,
}

impl EventInput {
    pub fn year(&self) -> i32 {
        self.occurred_on.map(|d| d.year()).unwrap_or(0)
    }
}

fn yes_no(cell: &Cell) -> Result<Option<bool>, String> {
    match cell {
        Cell::Bool(b) => Ok(Some(*b)),
        Cell::Number(n) if *n == 1.0 => Ok(Some(true)),
        Cell::Number(n) if *n == 0.0 => Ok(Some(false)),
        _ => match cell.display().to_lowercase().as_str() {
            "" => Ok(None),
            "是" | "1" | "true" | "y" | "yes" => Ok(Some(true)),
            "否" | "0" | "false" | "n" | "no" => Ok(Some(false)),
            other => Err(format!("“{other}”应为 是 或 否")),
        },
    }
}

/// Parses one row of cells (keys as in `column_specs`) for `kind`; every problem is returned
/// with the key of its column.
pub fn parse(kind: EventKind, cells: &HashMap<&str, Cell>) -> Result<EventInput, Vec<(&'static str, String)>> {
    let empty = Cell::Empty;
    let cell = |k: &str| cells.get(k).unwrap_or(&empty);
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let mut out = EventInput::default();
    match tabular::text(cell("uscc")) {
        None => errors.push(("uscc", "统一社会信用代码不能为空".into())),
        Some(code) => match verify_uscc(&code) {
            Ok(code) => out.uscc = code,
            Err(reason) => errors.push(("uscc", reason)),
        },
    }
    out.enterprise_name = tabular::text(cell("enterprise_name"));
    for f in kind.fields() {
        let k = key(f.column);
        let c = cell(k);
        if c.is_empty() {
            if f.required {
                errors.push((k, format!("{}不能为空", f.label)));
            }
            continue;
        }
        let result: Result<(), String> = (|| {
            match f.column {
                EventColumn::Date | EventColumn::StartDate => {
                    let d = tabular::date(c)?;
                    if let Some(d) = d
                        && !(1978..=2100).contains(&d.year())
                    {
                        return Err(format!("日期 {d} 不在 1978–2100 年之间"));
                    }
                    if f.column == EventColumn::Date {
                        out.occurred_on = d;
                    } else {
                        out.started_on = d;
                    }
                }
                EventColumn::Reference => {
                    let t = tabular::text(c).unwrap_or_default();
                    if t.chars().count() > 200 {
                        return Err("最多 200 字".into());
                    }
                    out.reference = t;
                }
                EventColumn::Category | EventColumn::Level => {
                    let t = tabular::text(c).unwrap_or_default();
                    if !f.choices.is_empty() && !f.choices.contains(&t.as_str()) {
                        return Err(format!("“{t}”不是可选值（{}）", f.choices.join("、")));
                    }
                    if t.chars().count() > 100 {
                        return Err("最多 100 字".into());
                    }
                    if f.column == EventColumn::Category {
                        out.category = Some(t);
                    } else {
                        out.level = Some(t);
                    }
                }
                EventColumn::Amount | EventColumn::SecondaryAmount | EventColumn::Quantity => {
                    let v = tabular::quantity::<2>(c)?.map(|v| v.0);
                    if v.is_some_and(|v| v < 0) {
                        return Err(format!("{}不能为负数", f.label));
                    }
                    if f.column == EventColumn::Quantity
                        && kind == EventKind::PatentTransfer
                        && v.is_some_and(|v| v % 100 != 0)
                    {
                        return Err("件数应为整数".into());
                    }
                    match f.column {
                        EventColumn::Amount => out.amount = v,
                        EventColumn::SecondaryAmount => out.secondary_amount = v,
                        _ => out.quantity = v,
                    }
                }
                EventColumn::Certified => out.certified = yes_no(c)?,
                EventColumn::FirstTime => out.first_time = yes_no(c)?,
            }
            Ok(())
        })();
        if let Err(reason) = result {
            errors.push((k, reason));
        }
    }
    if kind.field(EventColumn::Reference).is_none_or(|f| !f.required) && out.reference.is_empty() {
        // Kinds whose reference is optional (a recognition's certificate number) are keyed by
        // category, level and date instead.
        out.reference = format!(
            "{} {} {}",
            out.category.as_deref().unwrap_or(""),
            out.level.as_deref().unwrap_or(""),
            out.occurred_on.map(|d| d.to_string()).unwrap_or_default()
        )
        .trim()
        .to_string();
    }
    match tabular::text(cell("note")) {
        Some(n) if n.chars().count() > 500 => errors.push(("note", "备注最多 500 字".into())),
        n => out.note = n,
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Hundredths → "12" or "12.5".
pub fn hundredths(v: i64) -> String {
    rust_decimal::Decimal::new(v, 2).normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uscc() -> String {
        gaoxin_core::uscc::numbered_uscc(1)
    }

    fn cells(pairs: &[(&'static str, &str)]) -> HashMap<&'static str, Cell> {
        pairs.iter().map(|(k, v)| (*k, Cell::Text(v.to_string()))).collect()
    }

    #[test]
    fn a_contract_row_parses_to_fen_and_a_bad_one_names_each_field() {
        let ok = parse(
            EventKind::TechnologyContract,
            &cells(&[
                ("uscc", &uscc()),
                ("reference", "2024410700000123"),
                ("category", "技术开发"),
                ("occurred_on", "2024/3/15"),
                ("amount", "1,234,567.89"),
                ("certified", "是"),
            ]),
        );
        let ok = ok.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(ok.amount, Some(123_456_789));
        assert_eq!(ok.certified, Some(true));
        assert_eq!(ok.year(), 2024);
        let bad = parse(
            EventKind::TechnologyContract,
            &cells(&[
                ("uscc", "91410700MA44L7RX5"),
                ("category", "技术买卖"),
                ("occurred_on", "2024-02-30"),
                ("amount", "-5"),
                ("certified", "也许"),
            ]),
        )
        .unwrap_err();
        let keys: Vec<&str> = bad.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            ["uscc", "reference", "category", "occurred_on", "amount", "certified"]
        );
        assert!(bad[4].1.contains("负数"), "{:?}", bad[4]);
        assert!(bad[2].1.contains("技术转让"), "{:?}", bad[2]);
    }

    #[test]
    fn patent_counts_are_whole_and_a_recognition_without_number_gets_a_key() {
        let bad = parse(
            EventKind::PatentTransfer,
            &cells(&[
                ("uscc", &uscc()),
                ("reference", "P1"),
                ("occurred_on", "2024-01-01"),
                ("quantity", "2.5"),
            ]),
        )
        .unwrap_err();
        assert_eq!(bad, vec![("quantity", "件数应为整数".to_string())]);
        let r = parse(
            EventKind::Recognition,
            &cells(&[
                ("uscc", &uscc()),
                ("category", "高新技术企业"),
                ("level", "国家级"),
                ("occurred_on", "2024-12-01"),
                ("first_time", "是"),
            ]),
        )
        .unwrap();
        assert_eq!(r.reference, "高新技术企业 国家级 2024-12-01");
    }
}
