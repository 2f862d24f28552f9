//! What a department record must satisfy.

use crate::validate::{FieldError, optional_text, phone, required_text};

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
