//! A year's facts from a CSV file, for a scheme evaluated without a database
//! (`gaoxin land evaluate --input FILE.csv`). The columns are the annual-data import's Chinese
//! headers (money in 万元 unless the header says 元 or 亿元) plus 用地面积(亩), 从业人员数 and
//! 企业规模 (规上/规下); 用电量(万千瓦时), 主营业务收入(万元), 职工总数, 行业代码, 注册日期 and
//! 投产日期 where a scheme reads them. Columns the scheme does not read may be absent; a column
//! it reads that is absent leaves that fact unknown (and says so), except 用地面积, which it
//! cannot do without.
//!
//! Bad input is refused with the line, the enterprise and the column: a figure that is not a
//! number, a negative figure, 0 亩 (a firm without land of its own leaves 用地面积 blank: it is
//! listed separately), a code given twice for one year.

use std::collections::HashMap;
use std::io::Read;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Case, Scheme};
use crate::expr::Value;
use gaoxin_core::tabular::{header_stem, normalize_header};

/// One enterprise row of the file, for the output.
#[derive(Clone, Debug)]
pub struct Row {
    /// The line in the file (1 is the header).
    pub line: usize,
    pub uscc: String,
    pub name: Option<String>,
}

/// What was read: the rows of the year evaluated with their cases, the previous year's cases
/// when the scheme averages over last year's group, and notes on absent columns.
pub struct Input {
    pub rows: Vec<Row>,
    pub cases: Vec<Case>,
    pub baseline: Option<Vec<Case>>,
    pub notes: Vec<String>,
}

#[derive(Debug, PartialEq)]
pub struct InputError {
    pub line: usize,
    pub uscc: Option<String>,
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "第 {} 行", self.line)?;
        if let Some(u) = &self.uscc {
            write!(f, "（{u}）")?;
        }
        if let Some(c) = &self.column {
            write!(f, "，列“{c}”")?;
        }
        write!(f, "：{}", self.message)
    }
}

impl std::error::Error for InputError {}

/// How a source's column is read.
#[derive(Clone, Copy, PartialEq)]
enum Reading {
    /// Money: yuan, from the header's unit (万元 by default).
    Money,
    /// A non-negative quantity in the header's unit (电: 万千瓦时 → 千瓦时).
    Quantity,
    Count,
    Land,
    Scale,
    Text,
    Date,
}

/// The column (header stem) of each source, its reading and its default unit.
fn column_of(source: &str) -> Option<(&'static str, Reading)> {
    Some(match source {
        "annual.tax" => ("税收", Reading::Money),
        "annual.revenue" => ("营业收入", Reading::Money),
        "annual.value_added" => ("工业增加值", Reading::Money),
        "annual.gross_output" => ("工业总产值", Reading::Money),
        "annual.rd_expense" => ("研发经费", Reading::Money),
        "annual.energy" => ("综合能耗", Reading::Quantity),
        "annual.electricity" => ("用电量", Reading::Quantity),
        "annual.cod" => ("化学需氧量排放", Reading::Quantity),
        "annual.ammonia" => ("氨氮排放", Reading::Quantity),
        "annual.sulfur_dioxide" => ("二氧化硫排放", Reading::Quantity),
        "annual.nitrogen_oxides" => ("氮氧化物排放", Reading::Quantity),
        "innovation.main_revenue" => ("主营业务收入", Reading::Money),
        "innovation.total_staff" => ("职工总数", Reading::Count),
        "enterprise.land_area" => ("用地面积", Reading::Land),
        "enterprise.employees" => ("从业人员数", Reading::Count),
        "enterprise.above_scale" => ("企业规模", Reading::Scale),
        "enterprise.industry_code" => ("行业代码", Reading::Text),
        "enterprise.registered_on" => ("注册日期", Reading::Date),
        "enterprise.production_started_on" => ("投产日期", Reading::Date),
        _ => return None,
    })
}

/// The factor from the header's unit to the variable's unit, e.g. `税收(万元)` → 10000.
fn unit_factor(header: &str, stem: &str, reading: Reading) -> Result<Decimal, String> {
    let unit = header
        .strip_prefix(stem)
        .and_then(|rest| rest.strip_prefix('('))
        .and_then(|rest| rest.strip_suffix(')'));
    let factor = match (reading, stem, unit) {
        (Reading::Money, _, None | Some("万元")) => 10_000,
        (Reading::Money, _, Some("元")) => 1,
        (Reading::Money, _, Some("亿元")) => 100_000_000,
        (Reading::Quantity, "用电量", None | Some("万千瓦时") | Some("万kwh") | Some("万度")) => 10_000,
        (Reading::Quantity, "用电量", Some("千瓦时") | Some("kwh") | Some("度")) => 1,
        (Reading::Quantity, "综合能耗", None | Some("吨标准煤") | Some("吨标煤") | Some("tce")) => 1,
        (Reading::Quantity, _, None | Some("吨")) => 1,
        (Reading::Land, _, None | Some("亩")) => 1,
        (Reading::Count | Reading::Scale | Reading::Text | Reading::Date, _, _) => 1,
        (_, _, Some(other)) => return Err(format!("单位“{other}”无法识别")),
    };
    Ok(Decimal::from(factor))
}

fn number(raw: &str) -> Option<Decimal> {
    let raw = raw.trim();
    if raw.contains(',') {
        Decimal::from_str(&raw.replace(',', "")).ok()
    } else {
        Decimal::from_str(raw).ok()
    }
}

fn date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(raw, f).ok())
}

/// Reads the file for `year` (and `year − 1` when the scheme's average benchmarks are taken
/// over last year's group).
pub fn read_csv<R: Read>(scheme: &Scheme, input: R, year: i32) -> Result<Input, InputError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| header_error(None, format!("无法读取表头：{e}")))?
        .iter()
        .map(|h| normalize_header(h.trim_start_matches('\u{feff}')))
        .collect();
    let (columns, notes) = Columns::find(scheme, &headers, year)?;
    let parsed = read_records(&mut reader, |records| {
        crate::ladder::parallel_map(records, |(line, record)| columns.parse(scheme, year, *line, record))
            .into_iter()
            .collect()
    })?;
    let ByYear { rows, cases, baseline } = by_year(parsed, year)?;
    if scheme.baseline_previous_year && baseline.is_empty() {
        return Err(header_error(
            Some("年度"),
            format!(
                "方案“{}”以上一年度参评企业的平均值为基准：文件中没有 {} 年的数据",
                scheme.id,
                year - 1
            ),
        ));
    }
    Ok(Input {
        rows,
        cases,
        baseline: scheme.baseline_previous_year.then_some(baseline),
        notes,
    })
}

/// A mistake in the header line.
fn header_error(column: Option<&str>, message: String) -> InputError {
    InputError {
        line: 1,
        uscc: None,
        column: column.map(str::to_string),
        message,
    }
}

/// One row read: its year, the row for the output, and a value per scheme variable.
type Parsed = (i32, Row, Vec<Option<Value>>);

/// Where each thing the scheme reads is in the file.
struct Columns {
    uscc: usize,
    name: Option<usize>,
    year: Option<usize>,
    /// Per variable: its column, reading, unit factor and header; None: unknown for everyone.
    variables: Vec<Option<(usize, Reading, Decimal, String)>>,
}

impl Columns {
    /// Finds the columns in the header, with a note for each column the scheme reads that is
    /// absent (that fact is unknown).
    fn find(scheme: &Scheme, headers: &[String], year: i32) -> Result<(Columns, Vec<String>), InputError> {
        let find = |stem: &str| headers.iter().position(|h| header_stem(h) == stem);
        let uscc = find("统一社会信用代码")
            .ok_or_else(|| header_error(Some("统一社会信用代码"), "缺少这一列（每行一家企业）".into()))?;
        let name = find("企业名称");
        let year_col = find("年度");
        if scheme.baseline_previous_year && year_col.is_none() {
            return Err(header_error(
                Some("年度"),
                format!(
                    "方案“{}”以上一年度参评企业的平均值为基准：文件需要“年度”列，并含 {} 年和 {year} 年的数据",
                    scheme.id,
                    year - 1
                ),
            ));
        }
        let mut notes = Vec::new();
        let mut variables = Vec::new();
        for v in &scheme.variables {
            match v.from.name {
                "period.year" | "period.as_of" => variables.push(None),
                source => {
                    let Some((stem, reading)) = column_of(source) else {
                        variables.push(None);
                        continue;
                    };
                    match find(stem) {
                        Some(col) => {
                            let factor = unit_factor(&headers[col], stem, reading)
                                .map_err(|m| header_error(Some(&headers[col]), m))?;
                            variables.push(Some((col, reading, factor, headers[col].clone())));
                        }
                        None if reading == Reading::Land => {
                            return Err(header_error(
                                Some("用地面积(亩)"),
                                format!("缺少这一列（方案“{}”按用地面积计算亩均指标）", scheme.id),
                            ));
                        }
                        None => {
                            notes.push(format!(
                                "文件没有“{stem}”列：变量“{}”（{}）按缺少数据处理",
                                v.name, v.label
                            ));
                            variables.push(None);
                        }
                    }
                }
            }
        }
        let columns = Columns {
            uscc,
            name,
            year: year_col,
            variables,
        };
        Ok((columns, notes))
    }

    /// Reads one record; None when it is of a year not evaluated.
    fn parse(
        &self,
        scheme: &Scheme,
        year: i32,
        line: usize,
        record: &csv::StringRecord,
    ) -> Result<Option<Parsed>, InputError> {
        let uscc = record.get(self.uscc).unwrap_or("").trim();
        let fail = |column: Option<&str>, message: String| InputError {
            line,
            uscc: (!uscc.is_empty()).then(|| uscc.to_string()),
            column: column.map(str::to_string),
            message,
        };
        if uscc.is_empty() {
            return Err(fail(Some("统一社会信用代码"), "不能为空".into()));
        }
        let row_year = match self.year {
            None => year,
            Some(col) => {
                let raw = record.get(col).unwrap_or("").trim();
                raw.parse::<i32>()
                    .map_err(|_| fail(Some("年度"), format!("“{raw}”不是年份")))?
            }
        };
        let previous = scheme.baseline_previous_year && row_year == year - 1;
        if row_year != year && !previous {
            return Ok(None);
        }
        let as_of = crate::ladder::default_as_of(row_year);
        let mut values = Vec::with_capacity(scheme.variables.len());
        for (v, column) in scheme.variables.iter().zip(&self.variables) {
            let value = match (v.from.name, column) {
                ("period.year", _) => Some(Value::Num(row_year.into())),
                ("period.as_of", _) => Some(Value::Date(as_of)),
                (_, None) => None,
                (_, Some((col, reading, factor, header))) => {
                    let raw = record.get(*col).unwrap_or("").trim();
                    read_cell(raw, *reading, *factor).map_err(|m| fail(Some(header), m))?
                }
            };
            values.push(value);
        }
        let row = Row {
            line,
            uscc: uscc.to_string(),
            name: self.name.and_then(|c| record.get(c)).map(|n| n.trim().to_string()),
        };
        Ok(Some((row_year, row, values)))
    }
}

/// Reads the records in order, a batch at a time into reused buffers, and hands each batch to
/// `parse_batch` (which parses it on every core); blank lines are skipped.
fn read_records<R: Read>(
    reader: &mut csv::Reader<R>,
    parse_batch: impl Fn(&[(usize, csv::StringRecord)]) -> Result<Vec<Option<Parsed>>, InputError>,
) -> Result<Vec<Option<Parsed>>, InputError> {
    const BATCH: usize = 16_384;
    let mut batch: Vec<(usize, csv::StringRecord)> = (0..BATCH).map(|_| (0, csv::StringRecord::new())).collect();
    let mut parsed = Vec::new();
    let mut line = 1usize;
    let mut done = false;
    while !done {
        let mut filled = 0;
        while filled < BATCH {
            line += 1;
            let (at, record) = &mut batch[filled];
            match reader.read_record(record) {
                Ok(false) => {
                    done = true;
                    break;
                }
                Ok(true) if record.iter().all(|c| c.trim().is_empty()) => {}
                Ok(true) => {
                    *at = line;
                    filled += 1;
                }
                Err(e) => {
                    return Err(InputError {
                        line,
                        uscc: None,
                        column: None,
                        message: format!("无法读取：{e}"),
                    });
                }
            }
        }
        parsed.extend(parse_batch(&batch[..filled])?);
    }
    Ok(parsed)
}

/// The rows read, by year.
struct ByYear {
    /// The rows and cases of the year evaluated, in the order of the file.
    rows: Vec<Row>,
    cases: Vec<Case>,
    /// The previous year's cases.
    baseline: Vec<Case>,
}

/// The rows and cases of the year evaluated, and the previous year's cases; an enterprise
/// given twice for one year is refused.
fn by_year(parsed: Vec<Option<Parsed>>, year: i32) -> Result<ByYear, InputError> {
    let mut seen: HashMap<(i32, &str), usize> = HashMap::new();
    for (row_year, row, _) in parsed.iter().flatten() {
        if let Some(first) = seen.insert((*row_year, row.uscc.as_str()), row.line) {
            return Err(InputError {
                line: row.line,
                uscc: Some(row.uscc.clone()),
                column: Some("统一社会信用代码".into()),
                message: format!("{row_year} 年度重复：第 {first} 行已有这家企业"),
            });
        }
    }
    drop(seen);
    let mut rows = Vec::new();
    let mut cases = Vec::new();
    let mut baseline = Vec::new();
    for (row_year, row, values) in parsed.into_iter().flatten() {
        let case = Case {
            id: row.uscc.clone(),
            values,
        };
        if row_year == year {
            rows.push(row);
            cases.push(case);
        } else {
            baseline.push(case);
        }
    }
    Ok(ByYear { rows, cases, baseline })
}

fn read_cell(raw: &str, reading: Reading, factor: Decimal) -> Result<Option<Value>, String> {
    if raw.is_empty() {
        // A blank 用地面积: no land of its own (listed separately), not unknown.
        return Ok((reading == Reading::Land).then_some(Value::Num(Decimal::ZERO)));
    }
    match reading {
        Reading::Money | Reading::Quantity | Reading::Count | Reading::Land => {
            let n = number(raw).ok_or_else(|| format!("“{raw}”不是数字"))?;
            if n.is_sign_negative() && !n.is_zero() {
                return Err(format!("不能为负数（{raw}）"));
            }
            if reading == Reading::Land && n.is_zero() {
                return Err("用地面积为 0：名下无工业用地的企业（租赁企业）请留空，另列名单".into());
            }
            if reading == Reading::Count && n.fract() != Decimal::ZERO {
                return Err(format!("应为整数（{raw}）"));
            }
            Ok(Some(Value::Num(if factor == Decimal::ONE { n } else { n * factor })))
        }
        Reading::Scale => match raw {
            "规上" | "规模以上" | "规上企业" | "是" => Ok(Some(Value::Bool(true))),
            "规下" | "规模以下" | "规下企业" | "否" => Ok(Some(Value::Bool(false))),
            other => Err(format!("“{other}”应为 规上 或 规下")),
        },
        Reading::Text => Ok(Some(Value::Text(raw.into()))),
        Reading::Date => date(raw)
            .map(|d| Some(Value::Date(d)))
            .ok_or_else(|| format!("“{raw}”不是日期（如 2021-06-30）")),
    }
}
