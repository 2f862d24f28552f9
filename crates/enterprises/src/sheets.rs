//! The registry's .xlsx files: import templates (Chinese headers, an instructions sheet,
//! dropdowns, date validation, an example row) and exports that re-import unchanged.

use chrono::NaiveDate;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, Format, Formula, Workbook, Worksheet,
    XlsxError,
};

use super::domain::{ANNUAL_COLUMNS, ENTERPRISE_COLUMNS, Status};
use gaoxin_core::industry;
use gaoxin_core::tabular::ColumnSpec;

/// A typed cell of a registry sheet.
pub enum Value {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Empty,
}

/// An exact stored quantity (raw integer with `S` decimals) as a spreadsheet number.
pub fn number<const S: u32>(raw: Option<i64>) -> Value {
    raw.map(|r| {
        Value::Number(
            gaoxin_core::quantity::Fixed::<S>(r)
                .to_decimal()
                .try_into()
                .unwrap_or(0.0),
        )
    })
    .unwrap_or(Value::Empty)
}

pub fn count(v: Option<i32>) -> Value {
    v.map(|n| Value::Number(n.into())).unwrap_or(Value::Empty)
}

fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn write_rows(ws: &mut Worksheet, specs: &[ColumnSpec], rows: &[Vec<Value>]) -> Result<(), XlsxError> {
    let header = Format::new().set_bold().set_background_color(Color::RGB(0xE8EEF7));
    let required = Format::new()
        .set_bold()
        .set_font_color(Color::RGB(0xC00000))
        .set_background_color(Color::RGB(0xE8EEF7));
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut widths: Vec<usize> = specs.iter().map(|s| width(s.header) + 2).collect();
    for (c, spec) in specs.iter().enumerate() {
        ws.write_string_with_format(
            0,
            c as u16,
            spec.header,
            if spec.required { &required } else { &header },
        )?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, value) in row.iter().enumerate() {
            let col = c as u16;
            let w = match value {
                Value::Text(s) => {
                    ws.write_string(r, col, gaoxin_core::tabular::excel_text(s))?;
                    width(s)
                }
                Value::Number(n) => {
                    ws.write_number(r, col, *n)?;
                    n.to_string().len()
                }
                Value::Date(d) => {
                    ws.write_date_with_format(r, col, *d, &date)?;
                    10
                }
                Value::Empty => 0,
            };
            if let Some(slot) = widths.get_mut(c) {
                *slot = (*slot).max(w + 2);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).min(50) as f64)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn instructions(workbook: &mut Workbook, title: &str, specs: &[ColumnSpec], notes: &[&str]) -> Result<(), XlsxError> {
    let ws = workbook.add_worksheet();
    ws.set_name("填写说明")?;
    let bold = Format::new().set_bold();
    ws.write_string_with_format(0, 0, title, &bold)?;
    for (i, note) in notes.iter().enumerate() {
        ws.write_string(1 + i as u32, 0, *note)?;
    }
    let start = notes.len() as u32 + 2;
    ws.write_string_with_format(start, 0, "列名", &bold)?;
    ws.write_string_with_format(start, 1, "是否必填", &bold)?;
    ws.write_string_with_format(start, 2, "说明", &bold)?;
    for (i, spec) in specs.iter().enumerate() {
        let r = start + 1 + i as u32;
        ws.write_string(r, 0, spec.header)?;
        ws.write_string(r, 1, if spec.required { "必填" } else { "选填" })?;
        ws.write_string(r, 2, spec.hint)?;
    }
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 10)?;
    ws.set_column_width(2, 80)?;
    Ok(())
}

fn column_of(specs: &[ColumnSpec], key: &str) -> u16 {
    specs.iter().position(|s| s.key == key).expect("a known column") as u16
}

const TEMPLATE_ROWS: u32 = 10_000;

/// The enterprise import template.
pub fn enterprise_template() -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let example = vec![
        Value::Text("新乡华瑞生物医药有限公司".into()),
        Value::Text("914403001922038216".into()),
        Value::Text("2761".into()),
        Value::Date(NaiveDate::from_ymd_opt(2018, 5, 20).expect("a date")),
        Value::Text("新乡市高新区新二街 88 号".into()),
        Value::Text("张伟".into()),
        Value::Text("李娜".into()),
        Value::Text("0373-3681234".into()),
        Value::Text("王芳".into()),
        Value::Number(35.5),
        Value::Number(120.0),
        Value::Text("生命科学和生物技术".into()),
        Value::Text("生物医药产业园".into()),
        Value::Text("规上".into()),
        Value::Text("在营".into()),
        Value::Text("高企、瞪羚".into()),
        Value::Text("刘洋".into()),
    ];
    {
        let ws = workbook.add_worksheet();
        ws.set_name("企业")?;
        write_rows(ws, ENTERPRISE_COLUMNS, &[example])?;
        let scale = DataValidation::new().allow_list_strings(&["规上", "规下"])?;
        let col = column_of(ENTERPRISE_COLUMNS, "scale");
        ws.add_data_validation(1, col, TEMPLATE_ROWS, col, &scale)?;
        let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.label()).collect();
        let status = DataValidation::new().allow_list_strings(&statuses)?;
        let col = column_of(ENTERPRISE_COLUMNS, "status");
        ws.add_data_validation(1, col, TEMPLATE_ROWS, col, &status)?;
        // Section letters offered as a dropdown; 2–4 digit codes may be typed (information style).
        let industry_list = DataValidation::new()
            .allow_list_formula(Formula::new("=行业代码!$A$2:$A$21"))
            .set_error_style(DataValidationErrorStyle::Information)
            .set_error_title("行业代码")?
            .set_error_message("可填门类字母，或“行业代码”工作表中的 2–4 位代码")?;
        let col = column_of(ENTERPRISE_COLUMNS, "industry_code");
        ws.add_data_validation(1, col, TEMPLATE_ROWS, col, &industry_list)?;
        let date = DataValidation::new()
            .allow_date(DataValidationRule::GreaterThanOrEqualTo(
                NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date"),
            ))
            .set_error_title("注册日期")?
            .set_error_message("请填写日期，如 2023-01-05")?;
        let col = column_of(ENTERPRISE_COLUMNS, "registered_on");
        ws.add_data_validation(1, col, TEMPLATE_ROWS, col, &date)?;
    }
    {
        let ws = workbook.add_worksheet();
        ws.set_name("行业代码")?;
        let bold = Format::new().set_bold();
        for (c, h) in ["门类", "名称", "代码", "名称", "上级"].iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (i, s) in industry::sections().iter().enumerate() {
            ws.write_string(1 + i as u32, 0, s.code)?;
            ws.write_string(1 + i as u32, 1, s.name)?;
        }
        let mut all: Vec<_> = industry::all()
            .filter(|i| i.level != industry::Level::Section)
            .collect();
        all.sort_by(|a, b| a.code.cmp(b.code));
        for (i, ind) in all.iter().enumerate() {
            ws.write_string(1 + i as u32, 2, ind.code)?;
            ws.write_string(1 + i as u32, 3, ind.name)?;
            ws.write_string(1 + i as u32, 4, ind.parent.unwrap_or(""))?;
        }
        ws.set_column_width(1, 30)?;
        ws.set_column_width(3, 40)?;
    }
    instructions(
        &mut workbook,
        "企业导入模板 填写说明",
        ENTERPRISE_COLUMNS,
        &[
            "1. 在“企业”工作表中每行填写一家企业；第 2 行是示例，导入前请删除或改写。",
            "2. 列的顺序可以调整，列名须与模板一致（多余空格、全角括号可以）；不认识的列会被忽略并提示。",
            "3. 按统一社会信用代码匹配：已有的企业会被更新，新的企业会被新增。导入前可预览变化。",
            "4. 任何一格有误时整个文件都不会导入，系统会给出错误清单和标注了错误的文件。",
        ],
    )?;
    workbook.save_to_buffer()
}

/// The template of a yearly sheet (annual data, innovation data): headers, one example row,
/// a year validation, and the instructions sheet.
pub fn yearly_template(
    sheet: &str,
    specs: &[ColumnSpec],
    example: Vec<Value>,
    notes: &[&str],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet)?;
        write_rows(ws, specs, &[example])?;
        let year = DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(1978, 2100))
            .set_error_title("年度")?
            .set_error_message("请填写 4 位年份，如 2024")?;
        ws.add_data_validation(1, 1, TEMPLATE_ROWS, 1, &year)?;
    }
    instructions(&mut workbook, &format!("{sheet}导入模板 填写说明"), specs, notes)?;
    workbook.save_to_buffer()
}

/// An export of a yearly sheet with the template's headers: re-importing it changes nothing.
pub fn yearly_export(sheet: &str, specs: &[ColumnSpec], rows: &[Vec<Value>]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    ws.set_name(sheet)?;
    write_rows(ws, specs, rows)?;
    workbook.save_to_buffer()
}

/// The annual-data import template.
pub fn annual_template() -> Result<Vec<u8>, XlsxError> {
    let example = vec![
        Value::Text("914403001922038216".into()),
        Value::Number(2024.0),
        Value::Number(12345.67),
        Value::Number(11800.0),
        Value::Number(3200.5),
        Value::Number(620.0),
        Value::Number(580.25),
        Value::Number(1520.0),
        Value::Number(3.2),
        Value::Number(0.4),
        Value::Number(1.1),
        Value::Number(2.3),
        Value::Number(36.0),
        Value::Number(52.0),
        Value::Number(9800.0),
        Value::Number(14.0),
    ];
    yearly_template(
        "年度数据",
        ANNUAL_COLUMNS,
        example,
        &[
            "1. 每行是一家企业一个年度的数据；第 2 行是示例，导入前请删除或改写。",
            "2. 金额单位万元（最多 6 位小数，即精确到分），能耗单位吨标准煤，排放单位吨。",
            "3. 留空表示本文件不提供该项：已有数值保持不变，不会被当作 0。",
            "4. 企业须已在企业库中（按统一社会信用代码匹配）。",
        ],
    )
}

/// An export of enterprises with the template's headers: re-importing it changes nothing.
pub fn enterprise_export(rows: Vec<Vec<Value>>) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    ws.set_name("企业")?;
    write_rows(ws, ENTERPRISE_COLUMNS, &rows)?;
    ws.autofilter(0, 0, rows.len() as u32, ENTERPRISE_COLUMNS.len() as u16 - 1)?;
    workbook.save_to_buffer()
}

/// An export of annual data with the template's headers.
pub fn annual_export(rows: Vec<Vec<Value>>) -> Result<Vec<u8>, XlsxError> {
    yearly_export("年度数据", ANNUAL_COLUMNS, &rows)
}
