//! 国民经济行业分类 GB/T 4754-2017: the full table (20 sections, 97 divisions, 473 groups,
//! 1,381 classes) compiled into the binary from `data/gbt4754-2017.csv`. Pure domain code.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// 门类: a letter, A–T.
    Section,
    /// 大类: two digits.
    Division,
    /// 中类: three digits.
    Group,
    /// 小类: four digits.
    Class,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Industry {
    pub code: &'static str,
    pub level: Level,
    pub name: &'static str,
    pub parent: Option<&'static str>,
}

const TABLE_CSV: &str = include_str!("../../../data/gbt4754-2017.csv");

struct Table {
    by_code: HashMap<&'static str, Industry>,
    sections: Vec<&'static str>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut by_code = HashMap::new();
    let mut sections = Vec::new();
    for line in TABLE_CSV.lines().skip(1) {
        let mut parts = line.splitn(4, ',');
        let (Some(code), Some(level), Some(name), Some(parent)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let level = match level {
            "section" => Level::Section,
            "division" => Level::Division,
            "group" => Level::Group,
            _ => Level::Class,
        };
        if level == Level::Section {
            sections.push(code);
        }
        // A group with a single class appears twice (019 and 0190); codes differ, so both stay.
        by_code.insert(
            code,
            Industry {
                code,
                level,
                name,
                parent: (!parent.is_empty()).then_some(parent),
            },
        );
    }
    Table { by_code, sections }
});

pub fn lookup(code: &str) -> Option<&'static Industry> {
    TABLE.by_code.get(code)
}

/// The 20 sections (门类), in the standard's order.
pub fn sections() -> Vec<&'static Industry> {
    TABLE.sections.iter().filter_map(|c| lookup(c)).collect()
}

/// Every code of the table (for generated demo data and dropdowns).
pub fn all() -> impl Iterator<Item = &'static Industry> {
    TABLE.by_code.values()
}

/// Checks and normalises a code as zones write it: a section letter (`C`), or 2/3/4 digits,
/// optionally behind their section letter (`C3911` → `3911`). Returns the canonical code.
pub fn normalize(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_uppercase();
    if code.is_empty() {
        return Err("行业代码为空".into());
    }
    let (letter, digits) = match code.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => (Some(c), &code[1..]),
        _ => (None, code.as_str()),
    };
    let canonical = if digits.is_empty() {
        code.clone()
    } else {
        if !digits.chars().all(|c| c.is_ascii_digit()) || !(2..=4).contains(&digits.len()) {
            return Err(format!(
                "行业代码“{}”格式不对：应为门类字母或 2–4 位数字（如 C、39、391、3911）",
                raw.trim()
            ));
        }
        digits.to_string()
    };
    let Some(found) = lookup(&canonical) else {
        return Err(format!("行业代码“{}”不在 GB/T 4754-2017 中", raw.trim()));
    };
    if let (Some(letter), true) = (letter, !digits.is_empty()) {
        let section = section_of(found.code);
        if section != letter.to_string() {
            return Err(format!("行业代码“{}”的门类应为 {section}，不是 {letter}", raw.trim()));
        }
    }
    Ok(found.code.to_string())
}

/// From the section down to the code itself.
pub fn path(code: &str) -> Vec<&'static Industry> {
    let mut out = Vec::new();
    let mut current = lookup(code);
    while let Some(industry) = current {
        out.push(industry);
        current = industry.parent.and_then(lookup);
    }
    out.reverse();
    out
}

/// `制造业 › 计算机、通信和其他电子设备制造业 › 计算机制造 › 计算机整机制造`
pub fn path_text(code: &str) -> String {
    path(code).iter().map(|i| i.name).collect::<Vec<_>>().join(" › ")
}

/// The section letter of a code (`3911` → `C`).
pub fn section_of(code: &str) -> String {
    path(code).first().map(|i| i.code.to_string()).unwrap_or_default()
}

/// The division (2 digits) of a code, if it is at least a division.
pub fn division_of(code: &str) -> Option<&'static str> {
    path(code)
        .into_iter()
        .find(|i| i.level == Level::Division)
        .map(|i| i.code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_table_is_there() {
        let count = |level| all().filter(|i| i.level == level).count();
        assert_eq!(count(Level::Section), 20);
        assert_eq!(count(Level::Division), 97);
        assert_eq!(count(Level::Group), 473);
        assert_eq!(count(Level::Class), 1381);
        assert_eq!(sections().first().unwrap().name, "农、林、牧、渔业");
    }

    #[test]
    fn codes_are_normalised_and_their_names_shown_as_a_path() {
        assert_eq!(normalize(" c3911 ").unwrap(), "3911");
        assert_eq!(normalize("39").unwrap(), "39");
        assert_eq!(normalize("m").unwrap(), "M");
        assert_eq!(
            path_text("3911"),
            "制造业 › 计算机、通信和其他电子设备制造业 › 计算机制造 › 计算机整机制造"
        );
        assert_eq!(section_of("2710"), "C");
        assert_eq!(division_of("2710"), Some("27"));
        assert_eq!(division_of("C"), None);
    }

    #[test]
    fn wrong_codes_say_why() {
        assert!(normalize("9999").unwrap_err().contains("不在 GB/T 4754-2017"));
        assert!(normalize("39A1").unwrap_err().contains("格式不对"));
        assert!(normalize("A3911").unwrap_err().contains("门类应为 C"));
        assert!(normalize("").is_err());
    }
}
