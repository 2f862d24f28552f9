//! What a department record must satisfy.

use gaoxin_core::validate::{FieldError, optional_text, phone, required_text};

/// A department as typed into a form or sent to the API, before validation.
#[derive(Clone, Debug, Default)]
pub struct DepartmentDraft {
    pub name: String,
    pub short_name: String,
    pub contact_person: String,
    pub phone: String,
    pub sort_order: Option<i32>,
}

/// A validated department.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepartmentInput {
    pub name: String,
    pub short_name: Option<String>,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub sort_order: i32,
}

pub fn validate(draft: &DepartmentDraft) -> Result<DepartmentInput, FieldError> {
    let sort_order = draft.sort_order.unwrap_or(0);
    if !(0..=9999).contains(&sort_order) {
        return Err(FieldError::new("sort_order", "排序须在 0–9999 之间"));
    }
    Ok(DepartmentInput {
        name: required_text("name", "部门名称", &draft.name, 100)?,
        short_name: optional_text("short_name", "简称", &draft.short_name, 50)?,
        contact_person: optional_text("contact_person", "联系人", &draft.contact_person, 50)?,
        phone: phone("phone", &draft.phone)?,
        sort_order,
    })
}

/// The departments of seed 002 (新乡高新区), the demo zone's set.
pub const DEMO_DEPARTMENTS: [(&str, &str); 12] = [
    ("科学技术局", "科技局"),
    ("经济发展局", "经发局"),
    ("人力资源部", "人力部"),
    ("财政局", "财政局"),
    ("服务业促进局", "服务业局"),
    ("国土规划建设管理局", "国规局"),
    ("综合监管和执法局", "执法局"),
    ("社会事务局", "社会事务局"),
    ("行政服务中心", "行政中心"),
    ("管委会办公室", "管委办"),
    ("纪工委", "纪工委"),
    ("投资促进局", "投促局"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_department_needs_a_name_and_a_sane_phone() {
        let ok = validate(&DepartmentDraft {
            name: " 科学技术局 ".into(),
            phone: "0373-3681234".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.name, "科学技术局");
        assert_eq!(ok.short_name, None);
        let err = validate(&DepartmentDraft::default()).unwrap_err();
        assert_eq!(err.field, "name");
        let err = validate(&DepartmentDraft {
            name: "科技局".into(),
            phone: "abc".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.field, "phone");
        let err = validate(&DepartmentDraft {
            name: "科技局".into(),
            sort_order: Some(-1),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.field, "sort_order");
    }
}

// ---------------------------------------------------------------- names as plans write them

const PREFIXES: &[&str] = &["高新区", "开发区", "经开区", "管委会", "区", "市", "县"];

/// A department name without its jurisdiction prefix (`区科学技术局` → `科学技术局`).
pub fn normalise(name: &str) -> String {
    let mut n: &str = name.trim();
    loop {
        let before = n;
        for p in PREFIXES {
            if let Some(rest) = n.strip_prefix(p)
                && rest.chars().count() >= 2
            {
                n = rest;
            }
        }
        if n == before {
            break;
        }
    }
    n.to_string()
}

/// Whether `short` abbreviates `long` (`科技局` ↔ `科学技术局`): same first and last character,
/// the rest in order.
pub fn abbreviates(short: &str, long: &str) -> bool {
    let s: Vec<char> = short.chars().collect();
    let l: Vec<char> = long.chars().collect();
    if s.len() < 2 || s.len() >= l.len() || s.first() != l.first() || s.last() != l.last() {
        return false;
    }
    let mut it = l.iter();
    s.iter().all(|c| it.any(|d| d == c))
}

/// Whether `written` names `name` or its tail: the same, or an abbreviation of the name after
/// a prefix the plan left out (`科技局` for `新乡高新区科学技术局`).
fn names(written: &str, name: &str) -> bool {
    if written.chars().count() < 2 {
        return false;
    }
    let first = written.chars().next();
    name.char_indices()
        .any(|(k, c)| Some(c) == first && (name[k..] == *written || abbreviates(written, &name[k..])))
        || abbreviates(name, written)
}

/// The department a written name means: the one whose name or short name is the same
/// without prefixes, else the only one it abbreviates (or that abbreviates it). None when
/// no department or more than one fits.
pub fn match_department<'a>(
    written: &str,
    departments: impl IntoIterator<Item = (i64, &'a str, Option<&'a str>)>,
) -> Option<i64> {
    let w = normalise(written);
    let departments: Vec<(i64, String, Option<String>)> = departments
        .into_iter()
        .map(|(id, n, s)| (id, normalise(n), s.map(normalise)))
        .collect();
    let exact: Vec<i64> = departments
        .iter()
        .filter(|(_, n, s)| *n == w || s.as_deref() == Some(w.as_str()))
        .map(|d| d.0)
        .collect();
    if exact.len() == 1 {
        return Some(exact[0]);
    }
    if exact.len() > 1 {
        return None;
    }
    let close: Vec<i64> = departments
        .iter()
        .filter(|(_, n, s)| names(&w, n) || s.as_deref().is_some_and(|s| names(&w, s)))
        .map(|d| d.0)
        .collect();
    (close.len() == 1).then(|| close[0])
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn department_names_are_matched() {
        let list = [
            (1, "科学技术局", Some("科技局")),
            (2, "财政局", None),
            (3, "经济发展局", None),
            (4, "人力资源部", None),
        ];
        assert_eq!(match_department("区科学技术局", list), Some(1));
        assert_eq!(match_department("科技局", list), Some(1));
        assert_eq!(match_department("区财政局", list), Some(2));
        assert_eq!(match_department("经发局", list), Some(3));
        assert_eq!(match_department("区人力资源部", list), Some(4));
        assert_eq!(match_department("纪工委", list), None);
        let prefixed = [(7, "新乡高新区科学技术局", None), (8, "新乡高新区经济发展局", None)];
        assert_eq!(match_department("科技局", prefixed), Some(7));
        assert_eq!(match_department("区经济发展局", prefixed), Some(8));
        assert_eq!(match_department("局", prefixed), None);
        let list2 = [(1, "科学技术局", None), (2, "科学技术协会局", None)];
        assert_eq!(match_department("科技局", list2), None);
    }
}
