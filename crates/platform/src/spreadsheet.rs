//! Reading uploaded tables (.xlsx, .xls, .csv in UTF-8 or GB18030) into [`Sheet`]s, finding
//! the columns an import expects, and writing back the user's own file with a 错误说明 column
//! and the bad cells highlighted.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader};
use serde::Serialize;

pub use gaoxin_core::tabular::ColumnSpec;
use gaoxin_core::tabular::{Cell, excel_text, header_stem, normalize_header};

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

/// How much of an uploaded table is read before it is refused: a small file must not be able to
/// take the server's memory (a cell at XFD1048576, a zip bomb, a huge CSV). Every import reads
/// through [`read`], so these bounds hold for all of them.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Rows of one sheet (Excel's own limit is 1,048,576).
    pub max_rows: u32,
    /// Columns of one sheet (Excel's own limit is 16,384).
    pub max_columns: u32,
    /// Cells held in memory for the whole file, counting the empty ones inside each row.
    pub max_cells: usize,
    /// Bytes of an .xlsx once unzipped, all its parts together (checked before reading).
    pub max_unzipped_bytes: u64,
    /// Bytes of the file as uploaded (at most [`MAX_FILE_BYTES`]; a zone may set less).
    pub max_file_bytes: usize,
}

impl Default for Limits {
    /// 500,000 rows of 16 columns (five years of 100,000 enterprises' annual data) fit.
    fn default() -> Limits {
        Limits {
            max_rows: 1_000_000,
            max_columns: 256,
            max_cells: 12_000_000,
            max_unzipped_bytes: 1 << 30,
            max_file_bytes: MAX_FILE_BYTES,
        }
    }
}

impl Limits {
    /// The limits a server or command uses: the defaults, each replaceable by an environment
    /// variable (`GAOXIN_UPLOAD_MAX_ROWS`, `…_MAX_COLUMNS`, `…_MAX_CELLS`, `…_MAX_UNZIPPED_MB`).
    pub fn from_env() -> Result<Limits, String> {
        Limits::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Limits::from_env`] with the variables looked up by `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Limits, String> {
        let mut limits = Limits::default();
        let number = |name: &str, low: u64, high: u64| -> Result<Option<u64>, String> {
            match lookup(name) {
                None => Ok(None),
                Some(raw) => match raw.trim().parse::<u64>() {
                    Ok(n) if (low..=high).contains(&n) => Ok(Some(n)),
                    _ => Err(format!("{name} 应为 {low}–{high} 之间的整数（收到“{raw}”）")),
                },
            }
        };
        if let Some(n) = number("GAOXIN_UPLOAD_MAX_ROWS", 100, 1_048_576)? {
            limits.max_rows = n as u32;
        }
        if let Some(n) = number("GAOXIN_UPLOAD_MAX_COLUMNS", 10, 16_384)? {
            limits.max_columns = n as u32;
        }
        if let Some(n) = number("GAOXIN_UPLOAD_MAX_CELLS", 1_000, 200_000_000)? {
            limits.max_cells = n as usize;
        }
        if let Some(n) = number("GAOXIN_UPLOAD_MAX_UNZIPPED_MB", 1, 16_384)? {
            limits.max_unzipped_bytes = n << 20;
        }
        Ok(limits)
    }
}

static CONFIGURED: std::sync::OnceLock<Limits> = std::sync::OnceLock::new();

/// Sets the limits every upload of this process is read within (once, at start; the defaults
/// when never called).
pub fn configure(limits: Limits) {
    let _ = CONFIGURED.set(limits);
}

/// The limits in force.
pub fn limits() -> Limits {
    CONFIGURED.get().copied().unwrap_or_default()
}

/// Rows being filled cell by cell, within the [`Limits`].
struct Grid<'a> {
    sheet: &'a str,
    limits: &'a Limits,
    /// Cells already taken by earlier sheets.
    held: usize,
    cells: Vec<(u32, u32, Cell)>,
}

impl<'a> Grid<'a> {
    fn new(sheet: &'a str, limits: &'a Limits, held: usize) -> Grid<'a> {
        Grid {
            sheet,
            limits,
            held,
            cells: Vec::new(),
        }
    }

    /// Ends the sheet and adds it to `sheets`; the cells held so far in the file.
    fn into_sheet(self, sheets: &mut Vec<Sheet>) -> Result<usize, String> {
        let name = self.sheet.to_string();
        let (first_row, rows, held) = self.finish()?;
        sheets.push(Sheet { name, first_row, rows });
        Ok(held)
    }

    fn put(&mut self, row: u32, column: u32, cell: Cell) -> Result<(), String> {
        if cell.is_empty() {
            return Ok(());
        }
        if row >= self.limits.max_rows || column >= self.limits.max_columns {
            return Err(format!(
                "工作表“{}”的 {}{} 单元格超出可读取的范围（最多 {} 行、{} 列）：请删除多余的行列后再导入",
                self.sheet,
                column_letter(column as usize),
                row as u64 + 1,
                self.limits.max_rows,
                self.limits.max_columns
            ));
        }
        if self.held + self.cells.len() >= self.limits.max_cells {
            return Err(self.too_many());
        }
        self.cells.push((row, column, cell));
        Ok(())
    }

    fn too_many(&self) -> String {
        format!(
            "表格过大：超过 {} 万个单元格（工作表“{}”）：请分批导入",
            self.limits.max_cells / 10_000,
            self.sheet
        )
    }

    /// The sheet's rows from its first non-empty row; each row as long as its last non-empty cell.
    fn finish(mut self) -> Result<(u32, Vec<Vec<Cell>>, usize), String> {
        let Some(first) = self.cells.iter().map(|c| c.0).min() else {
            return Ok((0, Vec::new(), self.held));
        };
        let last = self.cells.iter().map(|c| c.0).max().unwrap_or(first);
        let mut widths = vec![0u32; (last - first + 1) as usize];
        for (r, c, _) in &self.cells {
            let w = &mut widths[(r - first) as usize];
            *w = (*w).max(c + 1);
        }
        let total: usize = widths.iter().map(|w| *w as usize).sum::<usize>() + widths.len();
        if self.held + total > self.limits.max_cells {
            return Err(self.too_many());
        }
        let mut rows: Vec<Vec<Cell>> = widths.iter().map(|w| vec![Cell::Empty; *w as usize]).collect();
        for (r, c, cell) in std::mem::take(&mut self.cells) {
            rows[(r - first) as usize][c as usize] = cell;
        }
        Ok((first, rows, self.held + total))
    }
}

/// Refuses an .xlsx whose parts unzip to more than the limit: first by the sizes the archive
/// declares, then by counting what actually comes out (a declared size can lie).
fn check_unzipped_size(bytes: &[u8], limits: &Limits) -> Result<(), String> {
    let limit = limits.max_unzipped_bytes;
    let too_big = || {
        format!(
            "文件解压后超过 {} MB，无法读取（可能是“压缩炸弹”）：请删除多余内容或分批导入",
            limit / 1024 / 1024
        )
    };
    let corrupt = || "文件已损坏或不是 Excel 文件：请上传 .xlsx、.xls 或 .csv".to_string();
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| corrupt())?;
    // What the directory declares (a reader may reserve that much before reading a byte).
    let mut declared = 0u64;
    for i in 0..archive.len() {
        declared = declared.saturating_add(archive.by_index_raw(i).map_err(|_| corrupt())?.size());
    }
    if declared > limit {
        return Err(too_big());
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|_| corrupt())?;
        let room = limit - total;
        let n = std::io::copy(&mut std::io::Read::take(&mut entry, room + 1), &mut std::io::sink())
            .map_err(|_| corrupt())?;
        if n > room {
            return Err(too_big());
        }
        total += n;
    }
    Ok(())
}

/// An .xlsx read cell by cell (never as one rectangle, whose size a single far cell decides).
fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, String> {
    check_unzipped_size(bytes, limits)?;
    let mut workbook: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes))
        .map_err(|_| "文件已损坏或不是 Excel 文件：请上传 .xlsx、.xls 或 .csv".to_string())?;
    let mut sheets = Vec::new();
    let mut held = 0;
    for name in workbook.sheet_names() {
        let mut reader = workbook
            .worksheet_cells_reader(&name)
            .map_err(|e| format!("无法读取工作表“{name}”：{e}"))?;
        let mut grid = Grid::new(&name, limits, held);
        while let Some(cell) = reader.next_cell().map_err(|e| format!("无法读取工作表“{name}”：{e}"))? {
            let (row, column) = cell.get_position();
            grid.put(row, column, convert(Data::from(cell.get_value().clone())))?;
        }
        held = grid.into_sheet(&mut sheets)?;
    }
    Ok(sheets)
}

/// A cell as the importers see it (the .xlsx reader's borrowed cells go through `Data` too).
fn convert(data: Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s),
        Data::Int(i) => Cell::Number(i as f64),
        Data::Float(f) => Cell::Number(f),
        Data::Bool(b) => Cell::Bool(b),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) => Cell::Date(t.date()),
            None => Cell::Number(dt.as_f64()),
        },
        Data::Error(e) => Cell::Error(format!("{e}")),
    }
}

/// Reads a file by its content (and name, for CSV), within `limits` (an import passes its
/// zone's, [`crate::settings::read_upload`]). Errors are sentences for the user. The reading runs on a blocking thread, never on the async workers:
/// however large or hostile the file, other requests (pages, `/healthz`) are answered meanwhile
/// (issue 17, finding 2).
pub async fn read(file_name: &str, bytes: &[u8], limits: Limits) -> Result<Vec<Sheet>, String> {
    let (name, bytes) = (file_name.to_string(), bytes.to_vec());
    tokio::task::spawn_blocking(move || read_within(&name, &bytes, &limits))
        .await
        .unwrap_or_else(|e| Err(format!("读取文件时出错（{e}）")))
}

/// [`read`] within the given limits. A panic inside a file-format library (found by fuzzing:
/// calamine 0.38 overflows on a cell reference of many letters) is a refusal, not a crash.
pub fn read_within(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_unguarded(file_name, bytes, limits)
    }))
    .unwrap_or_else(|_| Err("文件已损坏或格式异常，无法读取：请在 Excel 中打开并另存为 .xlsx 后重试".into()))
}

fn read_unguarded(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, String> {
    if bytes.is_empty() {
        return Err("文件是空的".into());
    }
    let max_bytes = limits.max_file_bytes.min(MAX_FILE_BYTES);
    if bytes.len() > max_bytes {
        return Err(format!(
            "文件过大：{:.1} MB，最多 {} MB",
            bytes.len() as f64 / 1048576.0,
            max_bytes / 1024 / 1024
        ));
    }
    let lower = file_name.to_lowercase();
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    if lower.ends_with(".csv") || (!is_zip && !is_ole && !lower.ends_with(".xlsx") && !lower.ends_with(".xls")) {
        return read_csv(bytes, limits).map(|(first_row, rows)| {
            vec![Sheet {
                name: "CSV".into(),
                first_row,
                rows,
            }]
        });
    }
    if is_ole && lower.ends_with(".xlsx") {
        return Err("文件已加密（设置了打开密码）：请在 Excel 中取消密码后另存为 .xlsx 再导入".into());
    }
    if is_zip {
        return read_xlsx(bytes, limits);
    }
    // .xls (BIFF): the format itself stops at 65,536 rows × 256 columns.
    let mut workbook: calamine::Xls<_> = calamine::Xls::new(Cursor::new(bytes)).map_err(|_| {
        if is_ole {
            "无法读取该 .xls 文件（可能已加密或损坏）：请在 Excel 中另存为 .xlsx 再导入".to_string()
        } else {
            "文件已损坏或不是 Excel 文件：请上传 .xlsx、.xls 或 .csv".to_string()
        }
    })?;
    let mut sheets = Vec::new();
    let mut held = 0;
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| format!("无法读取工作表“{name}”：{e}"))?;
        let mut grid = Grid::new(&name, limits, held);
        let (top, left) = range.start().unwrap_or((0, 0));
        for (row, column, data) in range.used_cells() {
            grid.put(top + row as u32, left + column as u32, convert(data.clone()))?;
        }
        held = grid.into_sheet(&mut sheets)?;
    }
    Ok(sheets)
}

fn read_csv(bytes: &[u8], limits: &Limits) -> Result<(u32, Vec<Vec<Cell>>), String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => {
            let (decoded, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err("无法识别文件编码：CSV 须为 UTF-8 或 GB18030（GBK）编码".into());
            }
            decoded
        }
    };
    if text.contains('\0') {
        return Err("文件不是文本表格：请上传 .xlsx、.xls 或 .csv".into());
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut grid = Grid::new("CSV", limits, 0);
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("CSV 第 {} 行格式有误：{e}", i + 1))?;
        for (c, v) in record.iter().enumerate() {
            if !v.trim().is_empty() {
                let column = u32::try_from(c).unwrap_or(u32::MAX);
                let row = u32::try_from(i).unwrap_or(u32::MAX);
                grid.put(row, column, Cell::Text(v.to_string()))?;
            }
        }
    }
    grid.finish().map(|(first, rows, _)| (first, rows))
}

/// An import template: one sheet with the columns' headers (formatted as text, so that codes
/// and months keep what is typed) and an example row, then a 填写说明 sheet with `notes` and
/// each column's hint. Imports skip the 填写说明 sheet.
pub fn template(sheet: &str, specs: &[ColumnSpec], example: &[&str], notes: &[&str]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| format!("无法生成模板：{e}");
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let text = Format::new().set_num_format("@");
    let ws = workbook.add_worksheet();
    ws.set_name(sheet).map_err(fail)?;
    for (c, spec) in specs.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, spec.header, &bold).map_err(fail)?;
        ws.set_column_format(c, &text).map_err(fail)?;
        let example = example.get(c as usize).copied().unwrap_or("");
        let width = spec.header.chars().count().max(example.chars().count()) as f64 * 2.0 + 2.0;
        ws.set_column_width(c, width.clamp(12.0, 50.0)).map_err(fail)?;
        if !example.is_empty() {
            ws.write_string(1, c, example).map_err(fail)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    let ws = workbook.add_worksheet();
    ws.set_name("填写说明").map_err(fail)?;
    let plain_bold = Format::new().set_bold();
    ws.write_string_with_format(0, 0, format!("{sheet}导入模板 填写说明"), &plain_bold)
        .map_err(fail)?;
    for (i, note) in notes.iter().enumerate() {
        ws.write_string(1 + i as u32, 0, *note).map_err(fail)?;
    }
    let start = notes.len() as u32 + 2;
    for (c, title) in ["列名", "是否必填", "说明"].iter().enumerate() {
        ws.write_string_with_format(start, c as u16, *title, &plain_bold)
            .map_err(fail)?;
    }
    for (i, spec) in specs.iter().enumerate() {
        let r = start + 1 + i as u32;
        ws.write_string(r, 0, spec.header).map_err(fail)?;
        ws.write_string(r, 1, if spec.required { "必填" } else { "选填" })
            .map_err(fail)?;
        ws.write_string(r, 2, spec.hint).map_err(fail)?;
    }
    ws.set_column_width(0, 28).map_err(fail)?;
    ws.set_column_width(1, 10).map_err(fail)?;
    ws.set_column_width(2, 90).map_err(fail)?;
    workbook.save_to_buffer().map_err(fail)
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

/// As a command prints it: `Sheet 第 3 行 [列] “value”：reason`, or the reason alone for the whole file.
impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.row == 0 {
            let sep = if self.sheet.is_empty() { "" } else { "：" };
            return write!(f, "{}{sep}{}", self.sheet, self.reason);
        }
        write!(
            f,
            "{} 第 {} 行 [{}] “{}”：{}",
            self.sheet, self.row, self.column, self.value, self.reason
        )
    }
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
                (other, true) => ws.write_string_with_format(r, col, excel_text(&other.display()), &bad),
                (other, false) => ws.write_string(r, col, excel_text(&other.display())),
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
            ws.write_string_with_format(r, width as u16, excel_text(&text), &bad)
                .map_err(fail)?;
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
    fn limits_come_from_the_environment_or_are_refused_with_the_variable() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        let limits = Limits::from_lookup(vars(&[
            ("GAOXIN_UPLOAD_MAX_ROWS", "20000"),
            ("GAOXIN_UPLOAD_MAX_UNZIPPED_MB", "64"),
        ]))
        .unwrap();
        assert_eq!((limits.max_rows, limits.max_unzipped_bytes), (20_000, 64 << 20));
        assert_eq!(limits.max_columns, Limits::default().max_columns);
        let err = Limits::from_lookup(vars(&[("GAOXIN_UPLOAD_MAX_CELLS", "lots")])).unwrap_err();
        assert!(err.contains("GAOXIN_UPLOAD_MAX_CELLS"), "{err}");
        let small = Limits::from_lookup(vars(&[("GAOXIN_UPLOAD_MAX_ROWS", "100")])).unwrap();
        let text = "名称\n".to_string() + &"甲\n".repeat(150);
        assert!(
            read_within("a.csv", text.as_bytes(), &small)
                .unwrap_err()
                .contains("100")
        );
    }

    /// Found by `gaoxin fuzz spreadsheet` (seed 1, 1,949 runs): a cell reference whose letters
    /// overflow calamine's column arithmetic panicked the reader.
    #[test]
    fn a_file_that_panics_the_format_library_is_refused() {
        let bytes = include_bytes!("../../../fuzz/regressions/spreadsheet-calamine-cell-reference-overflow.xlsx");
        let err = read_within("fuzz.xlsx", bytes, &Limits::default()).unwrap_err();
        assert!(err.contains("无法读取"), "{err}");
    }

    /// What [`super::read`] does, without the thread.
    fn read(file_name: &str, bytes: &[u8]) -> Result<Vec<Sheet>, String> {
        read_within(file_name, bytes, &Limits::default())
    }

    fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let ws = workbook.add_worksheet();
        for (r, c, v) in cells {
            ws.write_string(*r, *c, *v).unwrap();
        }
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn cells_keep_their_excel_rows_and_columns() {
        let bytes = workbook(&[(2, 1, "企业名称"), (3, 1, "甲"), (3, 3, "乙"), (5, 2, "丙")]);
        let sheets = read("a.xlsx", &bytes).unwrap();
        let sheet = &sheets[0];
        assert_eq!(sheet.first_row, 2);
        assert_eq!(sheet.excel_row(0), 3);
        assert_eq!(sheet.rows.len(), 4);
        assert_eq!(sheet.rows[0][1], Cell::Text("企业名称".into()));
        assert_eq!(sheet.rows[1][3], Cell::Text("乙".into()));
        assert!(sheet.rows[2].is_empty());
        assert_eq!(sheet.rows[3][2], Cell::Text("丙".into()));
        assert_eq!(sheet.excel_row(3), 6);
    }

    #[test]
    fn a_far_cell_is_named_not_allocated() {
        let bytes = workbook(&[(0, 0, "企业名称"), (1_048_575, 16_383, "x")]);
        let err = read("a.xlsx", &bytes).unwrap_err();
        assert!(
            err.contains("XFD1048576") && err.contains("最多 1000000 行、256 列"),
            "{err}"
        );
    }

    #[test]
    fn an_archive_is_measured_by_what_it_unzips_to_not_what_it_declares() {
        let rows: Vec<(u32, u16, String)> = (0..2000).map(|r| (r, 0, "重复的内容".repeat(20))).collect();
        let cells: Vec<(u32, u16, &str)> = rows.iter().map(|(r, c, v)| (*r, *c, v.as_str())).collect();
        let bytes = workbook(&cells);
        let small = Limits {
            max_unzipped_bytes: 100_000,
            ..Limits::default()
        };
        let err = read_within("a.xlsx", &bytes, &small).unwrap_err();
        assert!(err.contains("解压后超过"), "{err}");
        // Declared sizes rewritten to 1 byte each: the count of what comes out still refuses it.
        let mut lying = bytes.clone();
        for at in 0..lying.len() - 30 {
            let sig = &lying[at..at + 4];
            if sig == [0x50, 0x4b, 0x01, 0x02] {
                lying[at + 24..at + 28].copy_from_slice(&1u32.to_le_bytes());
            } else if sig == [0x50, 0x4b, 0x03, 0x04] {
                lying[at + 22..at + 26].copy_from_slice(&1u32.to_le_bytes());
            }
        }
        let err = read_within("a.xlsx", &lying, &small).unwrap_err();
        assert!(err.contains("解压后超过") || err.contains("已损坏"), "{err}");
        assert!(read("a.xlsx", &bytes).is_ok(), "within the default limits");
    }

    #[test]
    fn a_csv_past_the_cell_limit_is_refused() {
        let text = "a,b,c\n".repeat(1000);
        let small = Limits {
            max_cells: 2000,
            ..Limits::default()
        };
        let err = read_within("a.csv", text.as_bytes(), &small).unwrap_err();
        assert!(err.contains("表格过大"), "{err}");
        assert_eq!(read("a.csv", text.as_bytes()).unwrap()[0].rows.len(), 1000);
        let wide = format!("{}x\n", ",".repeat(300));
        let err = read("a.csv", wide.as_bytes()).unwrap_err();
        assert!(err.contains("KO1") && err.contains("超出可读取的范围"), "{err}");
    }

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
