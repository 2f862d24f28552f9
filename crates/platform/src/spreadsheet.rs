//! Reading uploaded tables (.xlsx, .xls, .csv in UTF-8 or GB18030) into [`Sheet`]s, finding
//! the columns an import expects, and writing back the user's own file with a 错误说明 column
//! and the bad cells highlighted.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader};
use serde::Serialize;

pub use gaoxin_core::tabular::ColumnSpec;
use gaoxin_core::tabular::{Cell, header_stem, normalize_header};

/// One worksheet as read: `rows[i]` is Excel row `first_row + i + 1`.
#[derive(Clone, Debug)]
pub struct Sheet {
    pub name: String,
    pub first_row: u32,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    pub fn excel_row(&self, index: usize) -> u32 {
        self.first_row + index as u32 + 1
    }
}

/// Largest upload accepted (the web layer refuses more before reading).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

fn convert(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) => Cell::Date(t.date()),
            None => Cell::Number(dt.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(format!("{e}")),
    }
}

/// Reads a file by its content (and name, for CSV). Errors are sentences for the user.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Vec<Sheet>, String> {
    if bytes.is_empty() {
        return Err("文件是空的".into());
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!("文件过大：最多 {} MB", MAX_FILE_BYTES / 1024 / 1024));
    }
    let lower = file_name.to_lowercase();
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    if lower.ends_with(".csv") || (!is_zip && !is_ole && !lower.ends_with(".xlsx") && !lower.ends_with(".xls")) {
        return read_csv(bytes).map(|rows| {
            vec![Sheet {
                name: "CSV".into(),
                first_row: 0,
                rows,
            }]
        });
    }
    if is_ole && lower.ends_with(".xlsx") {
        return Err("文件已加密（设置了打开密码）：请在 Excel 中取消密码后另存为 .xlsx 再导入".into());
    }
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|_| {
        if is_ole {
            "无法读取该 .xls 文件（可能已加密或损坏）：请在 Excel 中另存为 .xlsx 再导入".to_string()
        } else {
            "文件已损坏或不是 Excel 文件：请上传 .xlsx、.xls 或 .csv".to_string()
        }
    })?;
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| format!("无法读取工作表“{name}”：{e}"))?;
        let first_row = range.start().map(|(r, _)| r).unwrap_or(0);
        let first_col = range.start().map(|(_, c)| c).unwrap_or(0) as usize;
        let rows = range
            .rows()
            .map(|row| {
                let mut cells = vec![Cell::Empty; first_col];
                cells.extend(row.iter().map(convert));
                cells
            })
            .collect();
        sheets.push(Sheet { name, first_row, rows });
    }
    Ok(sheets)
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => {
            let (decoded, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err("无法识别文件编码：CSV 须为 UTF-8 或 GB18030（GBK）编码".into());
            }
            decoded.into_owned()
        }
    };
    if text.contains('\0') {
        return Err("文件不是文本表格：请上传 .xlsx、.xls 或 .csv".into());
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("CSV 第 {} 行格式有误：{e}", i + 1))?;
        rows.push(
            record
                .iter()
                .map(|v| {
                    if v.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(v.to_string())
                    }
                })
                .collect(),
        );
    }
    Ok(rows)
}

/// One problem of an import, where the user will look for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ImportError {
    pub sheet: String,
    /// The Excel row number (1-based, as Excel shows it); 0 when about the whole file.
    pub row: u32,
    /// The column header.
    pub column: String,
    pub value: String,
    pub reason: String,
}

/// A data row: its Excel row number and its cells by column key.
#[derive(Clone, Debug)]
pub struct Row {
    pub row: u32,
    /// Index in `Sheet::rows`.
    pub index: usize,
    pub cells: HashMap<&'static str, Cell>,
}

/// The sheet an import reads, with its columns found.
#[derive(Clone, Debug)]
pub struct Located {
    pub sheet: Sheet,
    pub header_index: usize,
    /// Column key → column index.
    pub columns: HashMap<&'static str, usize>,
    pub unknown_columns: Vec<String>,
    pub rows: Vec<Row>,
}

impl Located {
    pub fn error(&self, row: &Row, key: &str, specs: &[ColumnSpec], reason: impl Into<String>) -> ImportError {
        let header = specs.iter().find(|c| c.key == key).map(|c| c.header).unwrap_or(key);
        ImportError {
            sheet: self.sheet.name.clone(),
            row: row.row,
            column: header.to_string(),
            value: row.cells.get(key).map(Cell::display).unwrap_or_default(),
            reason: reason.into(),
        }
    }
}

fn file_error(sheet: &str, reason: String) -> ImportError {
    ImportError {
        sheet: sheet.to_string(),
        row: 0,
        column: String::new(),
        value: String::new(),
        reason,
    }
}

/// Finds the sheet whose first non-empty row holds the required headers, maps headers to
/// columns (order free; spaces, full-width brackets and a missing unit tolerated), and lists
/// the data rows (empty rows skipped).
pub fn locate(sheets: Vec<Sheet>, specs: &[ColumnSpec]) -> Result<Located, Vec<ImportError>> {
    let required: Vec<&ColumnSpec> = specs.iter().filter(|c| c.required).collect();
    let mut best_error = None;
    for sheet in sheets {
        if sheet.name == "填写说明" {
            continue;
        }
        let Some(header_index) = sheet.rows.iter().position(|r| r.iter().any(|c| !c.is_empty())) else {
            best_error.get_or_insert_with(|| vec![file_error(&sheet.name, format!("工作表“{}”是空的", sheet.name))]);
            continue;
        };
        let header_row = &sheet.rows[header_index];
        let mut columns = HashMap::new();
        let mut unknown = Vec::new();
        let mut errors = Vec::new();
        for (i, cell) in header_row.iter().enumerate() {
            let raw = cell.display();
            if raw.is_empty() {
                let has_data = sheet.rows[header_index + 1..]
                    .iter()
                    .any(|r| r.get(i).is_some_and(|c| !c.is_empty()));
                if has_data {
                    errors.push(ImportError {
                        sheet: sheet.name.clone(),
                        row: sheet.excel_row(header_index),
                        column: column_letter(i),
                        value: String::new(),
                        reason: format!(
                            "第 {} 列（{}列）有数据但没有表头，可能是合并单元格：请取消合并、每列一个表头",
                            i + 1,
                            column_letter(i)
                        ),
                    });
                }
                continue;
            }
            let normalized = normalize_header(&raw);
            let found = specs.iter().find(|spec| {
                let expected = normalize_header(spec.header);
                normalized == expected || header_stem(&normalized) == header_stem(&expected)
            });
            match found {
                Some(spec) if columns.contains_key(spec.key) => errors.push(ImportError {
                    sheet: sheet.name.clone(),
                    row: sheet.excel_row(header_index),
                    column: raw.clone(),
                    value: raw.clone(),
                    reason: format!("表头“{}”重复出现", spec.header),
                }),
                Some(spec) => {
                    columns.insert(spec.key, i);
                }
                None => unknown.push(raw),
            }
        }
        let missing: Vec<&str> = required
            .iter()
            .filter(|c| !columns.contains_key(c.key))
            .map(|c| c.header)
            .collect();
        if !missing.is_empty() {
            best_error.get_or_insert_with(|| {
                vec![file_error(
                    &sheet.name,
                    format!(
                        "工作表“{}”缺少必填列：{}（请使用下载的模板）",
                        sheet.name,
                        missing.join("、")
                    ),
                )]
            });
            continue;
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let rows = sheet
            .rows
            .iter()
            .enumerate()
            .skip(header_index + 1)
            .filter(|(_, r)| r.iter().any(|c| !c.is_empty()))
            .map(|(index, r)| Row {
                row: sheet.excel_row(index),
                index,
                cells: columns
                    .iter()
                    .map(|(key, col)| (*key, r.get(*col).cloned().unwrap_or(Cell::Empty)))
                    .collect(),
            })
            .collect();
        return Ok(Located {
            sheet,
            header_index,
            columns,
            unknown_columns: unknown,
            rows,
        });
    }
    Err(best_error.unwrap_or_else(|| vec![file_error("", "文件中没有工作表".into())]))
}

/// `0` → `A`, `27` → `AB`.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push((b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// The user's sheet again, with a 错误说明 column and every bad cell filled red, so they fix
/// the file they know rather than a list.
pub fn annotated_copy(located: &Located, errors: &[ImportError], specs: &[ColumnSpec]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Color, Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| format!("无法生成错误文件：{e}");
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    ws.set_name(located.sheet.name.chars().take(31).collect::<String>())
        .map_err(fail)?;
    let bad = Format::new()
        .set_background_color(Color::RGB(0xFFC7CE))
        .set_font_color(Color::RGB(0x9C0006));
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let width = located.sheet.rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut by_row: HashMap<u32, Vec<&ImportError>> = HashMap::new();
    for e in errors.iter().filter(|e| e.row > 0) {
        by_row.entry(e.row).or_default().push(e);
    }
    let header_to_col: HashMap<&str, usize> = specs
        .iter()
        .filter_map(|s| located.columns.get(s.key).map(|c| (s.header, *c)))
        .collect();
    for (i, row) in located.sheet.rows.iter().enumerate() {
        let r = i as u32;
        let excel_row = located.sheet.excel_row(i);
        let row_errors = by_row.get(&excel_row);
        for (c, cell) in row.iter().enumerate() {
            let is_bad =
                row_errors.is_some_and(|es| es.iter().any(|e| header_to_col.get(e.column.as_str()) == Some(&c)));
            let col = c as u16;
            let result = match (cell, is_bad) {
                (Cell::Empty, true) => ws.write_blank(r, col, &bad),
                (Cell::Empty, false) => Ok(&mut *ws),
                (Cell::Number(n), true) => ws.write_number_with_format(r, col, *n, &bad),
                (Cell::Number(n), false) => ws.write_number(r, col, *n),
                (Cell::Date(d), false) => ws.write_date_with_format(r, col, *d, &date),
                (other, true) => ws.write_string_with_format(r, col, other.display(), &bad),
                (other, false) => ws.write_string(r, col, other.display()),
            };
            result.map_err(fail)?;
        }
        if i == located.header_index {
            ws.write_string_with_format(r, width as u16, "错误说明", &bold)
                .map_err(fail)?;
        } else if let Some(es) = row_errors {
            let text = es
                .iter()
                .map(|e| format!("{}：{}", e.column, e.reason))
                .collect::<Vec<_>>()
                .join("；");
            ws.write_string_with_format(r, width as u16, text, &bad).map_err(fail)?;
        }
    }
    ws.set_column_width(width as u16, 60).map_err(fail)?;
    ws.set_freeze_panes(located.header_index as u32 + 1, 0).map_err(fail)?;
    workbook.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }

    #[test]
    fn gb18030_and_utf8_csv_both_read() {
        let text = "企业名称,统一社会信用代码\n华为技术有限公司,914403001922038216\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        for bytes in [text.as_bytes().to_vec(), gbk.into_owned()] {
            let sheets = read("list.csv", &bytes).unwrap();
            assert_eq!(sheets[0].rows[1][0], Cell::Text("华为技术有限公司".into()));
        }
        assert!(read("x.xlsx", b"not a workbook at all").unwrap_err().contains("已损坏"));
        assert!(read("x.csv", b"").unwrap_err().contains("空的"));
    }
}
