//! Reading tables people make: cell values as spreadsheets hold them, header matching that
//! tolerates spaces and full-width brackets, and the Chinese ways of writing dates and numbers.
//! Pure: the file formats are read in `platform::spreadsheet`.

use chrono::{Datelike, NaiveDate};

use crate::quantity::{Fixed, decimal_from_spreadsheet};

/// A column an import understands.
#[derive(Clone, Copy, Debug)]
pub struct ColumnSpec {
    /// The field it fills (English, as in code).
    pub key: &'static str,
    /// The Chinese header of the template.
    pub header: &'static str,
    pub required: bool,
    /// A line for the template's instructions sheet.
    pub hint: &'static str,
}

/// One cell as read from .xlsx or .csv.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    /// A spreadsheet error value such as `#REF!`.
    Error(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as a person would read it.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_string(),
            Cell::Number(n) => decimal_from_spreadsheet(*n)
                .map(|d| d.normalize().to_string())
                .unwrap_or_default(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// A header as compared: no spaces at all, full-width brackets and colons made half-width,
/// ASCII lower-cased, a trailing `*` (required mark) dropped.
pub fn normalize_header(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '：' => ':',
            c => c.to_ascii_lowercase(),
        })
        .collect::<String>()
        .trim_end_matches('*')
        .trim_start_matches('*')
        .to_string()
}

/// The header without its unit in brackets: `用地面积(亩)` → `用地面积`.
pub fn header_stem(normalized: &str) -> &str {
    normalized.split('(').next().unwrap_or(normalized)
}

/// Days since 1899-12-30, as Excel counts (1900 date system).
pub fn date_from_serial(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(serial.floor() as u64))
}

/// A date: an Excel date or serial, or text as `2023-01-05`, `2023/1/5`, `2023.1.5`,
/// `2023年1月5日`, `20230105`. Empty is None.
pub fn date(cell: &Cell) -> Result<Option<NaiveDate>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(d) => Ok(Some(*d)),
        Cell::Number(n) => date_from_serial(*n)
            .map(Some)
            .ok_or_else(|| format!("“{}”不是有效的日期", cell.display())),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Text(t) => parse_date_text(t.trim()).map(Some).ok_or_else(|| {
            format!(
                "“{}”不是有效的日期（可写作 2023-01-05、2023/1/5 或 2023年1月5日）",
                t.trim()
            )
        }),
        other => Err(format!("“{}”不是有效的日期", other.display())),
    }
}

fn parse_date_text(text: &str) -> Option<NaiveDate> {
    let text = text.trim_end_matches('日').trim_end_matches('号');
    if text.len() == 8 && text.chars().all(|c| c.is_ascii_digit()) {
        return NaiveDate::parse_from_str(text, "%Y%m%d").ok();
    }
    // Dates with a time part (2023-01-05 00:00:00): keep the date.
    let text = text.split([' ', 'T']).next().unwrap_or(text);
    let parts: Vec<&str> = text
        .split(['-', '/', '.', '年', '月'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() != 3 {
        return None;
    }
    let (y, m, d) = (parts[0].parse().ok()?, parts[1].parse().ok()?, parts[2].parse().ok()?);
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    (1900..=2200).contains(&date.year()).then_some(date)
}

/// Plain text (numbers written as people read them). Empty is None.
pub fn text(cell: &Cell) -> Option<String> {
    let shown = cell.display();
    (!shown.is_empty()).then_some(shown)
}

/// A whole number such as a head count: `1,200`, `1200.0`; refuses fractions and text.
pub fn whole_number(cell: &Cell) -> Result<Option<i64>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => Ok(Some(*n as i64)),
        Cell::Number(_) => Err(format!("“{}”应为整数", cell.display())),
        Cell::Text(t) => {
            let value = Fixed::<0>::parse(t).map_err(|e| match e {
                crate::quantity::QuantityError::TooManyDecimals { .. } => format!("“{}”应为整数", t.trim()),
                other => other.to_string(),
            })?;
            Ok(Some(value.0))
        }
        other => Err(format!("“{}”不是数字", other.display())),
    }
}

/// An exact decimal quantity (万元, 亩, 吨). Empty is None (unknown, never zero).
pub fn quantity<const SCALE: u32>(cell: &Cell) -> Result<Option<Fixed<SCALE>>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Number(n) => {
            let decimal = decimal_from_spreadsheet(*n).ok_or_else(|| "不是有效的数字".to_string())?;
            Fixed::from_decimal(decimal).map(Some).map_err(|e| e.to_string())
        }
        Cell::Text(t) => Fixed::parse(t).map(Some).map_err(|e| e.to_string()),
        other => Err(format!("“{}”不是数字", other.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_despite_spaces_brackets_and_marks() {
        assert_eq!(normalize_header(" 用地面积（亩） "), "用地面积(亩)");
        assert_eq!(normalize_header("*企业 名称"), "企业名称");
        assert_eq!(header_stem("用地面积(亩)"), "用地面积");
    }

    #[test]
    fn dates_in_every_common_form() {
        let d = NaiveDate::from_ymd_opt(2023, 1, 5).unwrap();
        for text in [
            "2023-01-05",
            "2023/1/5",
            "2023年1月5日",
            "2023.1.5",
            "20230105",
            "2023-01-05 00:00:00",
        ] {
            assert_eq!(date(&Cell::Text(text.into())), Ok(Some(d)), "{text}");
        }
        assert_eq!(date(&Cell::Number(44931.0)), Ok(Some(d)));
        assert_eq!(date(&Cell::Empty), Ok(None));
        assert!(
            date(&Cell::Text("2023-02-30".into()))
                .unwrap_err()
                .contains("不是有效的日期")
        );
        assert!(date(&Cell::Text("去年".into())).is_err());
    }

    #[test]
    fn numbers_with_separators_and_exact_decimals() {
        assert_eq!(whole_number(&Cell::Text("1,200".into())), Ok(Some(1200)));
        assert_eq!(whole_number(&Cell::Number(35.0)), Ok(Some(35)));
        assert!(whole_number(&Cell::Number(35.5)).unwrap_err().contains("整数"));
        assert!(whole_number(&Cell::Text("3.5".into())).unwrap_err().contains("整数"));
        let v: Option<crate::quantity::Wan> = quantity(&Cell::Number(1234.56)).unwrap();
        assert_eq!(v.unwrap().0, 1_234_560_000);
        let err = quantity::<6>(&Cell::Text("12,3a".into())).unwrap_err();
        assert!(err.contains("不是数字"), "{err}");
        assert_eq!(Cell::Number(1200.0).display(), "1200");
    }
}

/// Excel's limit on the characters of one cell.
pub const EXCEL_CELL_CHARS: usize = 32_767;

/// Text as an exported cell can hold it: past Excel's limit it is cut, with a marker saying so,
/// so that one long value never makes an export fail (issue 17, finding 6).
pub fn excel_text(text: &str) -> std::borrow::Cow<'_, str> {
    const MARK: &str = "…（超出 Excel 单元格 32767 字的上限，以下已截断）";
    if text.len() <= EXCEL_CELL_CHARS || text.chars().count() <= EXCEL_CELL_CHARS {
        return std::borrow::Cow::Borrowed(text);
    }
    let keep = EXCEL_CELL_CHARS - MARK.chars().count();
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(MARK);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod excel_text_tests {
    use super::*;

    #[test]
    fn long_text_is_cut_at_excels_limit_with_a_marker() {
        assert_eq!(excel_text("短"), "短");
        let exact = "字".repeat(EXCEL_CELL_CHARS);
        assert_eq!(excel_text(&exact).chars().count(), EXCEL_CELL_CHARS);
        let long = "字".repeat(EXCEL_CELL_CHARS + 1);
        let cut = excel_text(&long);
        assert_eq!(cut.chars().count(), EXCEL_CELL_CHARS);
        assert!(cut.ends_with("以下已截断）"));
    }
}
