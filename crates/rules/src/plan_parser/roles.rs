//! Responsibility annotations: `(牵头部门:X;配合部门:Y、Z)`, `(X牵头,Y、Z配合)`,
//! `责任单位:X`, `[牵头单位:…]`, with person fields (责任领导) ignored and the deadline kept.

/// What a labelled field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Lead,
    Cooperating,
    /// 责任单位: lead when the annotation names no lead, else cooperating.
    Responsible,
    Person,
    Deadline,
}

/// Field labels, longest first so that `牵头负责领导` wins over `牵头`.
const KEYS: &[(&str, Field)] = &[
    ("牵头负责领导", Field::Person),
    ("牵头负责同志", Field::Person),
    ("牵头责任单位", Field::Lead),
    ("牵头责任部门", Field::Lead),
    ("牵头负责单位", Field::Lead),
    ("牵头负责部门", Field::Lead),
    ("牵头负责人", Field::Person),
    ("牵头区领导", Field::Person),
    ("牵头市领导", Field::Person),
    ("牵头县领导", Field::Person),
    ("责任区领导", Field::Person),
    ("责任市领导", Field::Person),
    ("配合责任单位", Field::Cooperating),
    ("协同责任单位", Field::Cooperating),
    ("协同责任部门", Field::Cooperating),
    ("参与责任单位", Field::Cooperating),
    ("协办责任单位", Field::Cooperating),
    ("配合责任部门", Field::Cooperating),
    ("牵头领导", Field::Person),
    ("责任领导", Field::Person),
    ("分管领导", Field::Person),
    ("联系领导", Field::Person),
    ("包抓领导", Field::Person),
    ("挂钩领导", Field::Person),
    ("牵头单位", Field::Lead),
    ("牵头部门", Field::Lead),
    ("牵头科室", Field::Lead),
    ("牵头处室", Field::Lead),
    ("主责单位", Field::Lead),
    ("主责部门", Field::Lead),
    ("主办单位", Field::Lead),
    ("配合单位", Field::Cooperating),
    ("配合部门", Field::Cooperating),
    ("配合科室", Field::Cooperating),
    ("协同单位", Field::Cooperating),
    ("协同部门", Field::Cooperating),
    ("参与单位", Field::Cooperating),
    ("参与部门", Field::Cooperating),
    ("协办单位", Field::Cooperating),
    ("协作单位", Field::Cooperating),
    ("协助单位", Field::Cooperating),
    ("配合责任", Field::Cooperating),
    ("责任单位", Field::Responsible),
    ("责任部门", Field::Responsible),
    ("责任科室", Field::Responsible),
    ("责任主体", Field::Responsible),
    ("实施单位", Field::Responsible),
    ("落实单位", Field::Responsible),
    ("完成时限", Field::Deadline),
    ("时限要求", Field::Deadline),
    ("完成时间", Field::Deadline),
    ("时间节点", Field::Deadline),
    ("时间要求", Field::Deadline),
    ("完成期限", Field::Deadline),
    ("办结时限", Field::Deadline),
    ("责任人", Field::Person),
    ("负责人", Field::Person),
    ("牵头", Field::Lead),
    ("配合", Field::Cooperating),
    ("协同", Field::Cooperating),
    ("参与", Field::Cooperating),
    ("时限", Field::Deadline),
];

/// The departments and deadline an annotation gives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roles {
    pub lead: Vec<String>,
    pub cooperating: Vec<String>,
    pub deadline: Option<String>,
}

impl Roles {
    pub fn names_any(&self) -> bool {
        !self.lead.is_empty() || !self.cooperating.is_empty()
    }

    /// Adds what a later line says (a separate `配合单位:` or `完成时限:` line).
    pub fn merge(&mut self, other: Roles) {
        self.lead.extend(other.lead);
        self.cooperating.extend(other.cooperating);
        if self.deadline.is_none() {
            self.deadline = other.deadline;
        }
    }
}

/// A header cell or field label without its colon, as in a table's header row.
pub fn field_of_label(label: &str) -> Option<Field> {
    let label: String = label
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect();
    KEYS.iter().find(|(k, _)| *k == label).map(|(_, f)| *f).or_else(|| {
        if label.contains("牵头") && label.contains("领导") || label.ends_with("领导") || label.contains("责任人")
        {
            Some(Field::Person)
        } else if label.contains("牵头") {
            Some(Field::Lead)
        } else if label.contains("配合") || label.contains("协同") || label.contains("参与") || label.contains("协办")
        {
            Some(Field::Cooperating)
        } else if label.contains("责任单位") || label.contains("责任部门") {
            Some(Field::Responsible)
        } else if label.contains("时限")
            || label.contains("完成时间")
            || label.contains("时间节点")
            || label.contains("完成期限")
        {
            Some(Field::Deadline)
        } else {
            None
        }
    })
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        '；' | ';' | '，' | ',' | '。' | '、' | '(' | '（' | '[' | '【' | '〔' | ')' | '）' | ']' | '】' | '〕' | '\n'
    ) || c.is_whitespace()
        || c == '\u{3000}'
}

fn is_colon(c: char) -> bool {
    c == ':' || c == '：'
}

/// Labelled fields in `text`: (start of label, start of value, field). A label counts when it
/// starts the text or follows a separator, and a colon follows it.
pub fn fields(text: &str) -> Vec<(usize, usize, Field)> {
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    let mut skip_until = 0usize;
    for (i, c) in text.char_indices() {
        if i < skip_until {
            prev = Some(c);
            continue;
        }
        if prev.is_none_or(is_separator) {
            for (key, field) in KEYS {
                if let Some(rest) = text[i..].strip_prefix(key) {
                    let trimmed = rest.trim_start_matches([' ', '\u{3000}']);
                    if let Some(colon) = trimmed.chars().next()
                        && is_colon(colon)
                    {
                        let value_start = text.len() - trimmed.len() + colon.len_utf8();
                        out.push((i, value_start, *field));
                        skip_until = value_start;
                        break;
                    }
                }
            }
            // Other labels zones use (`主要责任单位：`, `包保领导：`, `时间安排：`): up to eight
            // characters before a colon, naming a unit, a department, a leader or a time.
            if skip_until <= i
                && let Some((label, value_start)) = label_at(text, i)
                && let Some(field) = field_of_label(label)
            {
                out.push((i, value_start, field));
                skip_until = value_start;
            }
        }
        prev = Some(c);
    }
    out
}

fn label_at(text: &str, at: usize) -> Option<(&str, usize)> {
    for (k, (j, c)) in text[at..].char_indices().enumerate() {
        if k > 8 {
            return None;
        }
        if is_colon(c) {
            let label = text[at..at + j].trim_end();
            let named = ["单位", "部门", "领导", "责任人", "时限", "时间", "科室", "处室"]
                .iter()
                .any(|w| label.contains(w));
            return (named && !label.is_empty()).then_some((label, at + j + c.len_utf8()));
        }
        if is_separator(c) {
            // Spaces may stand only between a label and its colon (`牵头单位 ：`).
            let after = text[at + j..].trim_start_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
            if !(c.is_whitespace() || c == '\u{3000}') || !after.starts_with(is_colon) {
                return None;
            }
        }
    }
    None
}

/// `区发改局（牵头）`: a name marked as the lead within a list.
fn lead_marked(name: &str) -> Option<&str> {
    for marker in [
        "（牵头）",
        "(牵头)",
        "（牵头单位）",
        "(牵头单位)",
        "（牵头部门）",
        "(牵头部门)",
    ] {
        if let Some(rest) = name.strip_suffix(marker) {
            return Some(rest.trim());
        }
    }
    None
}

/// Applies `（牵头）` marks: a list with a marked name has that name as lead, the rest cooperating.
/// Names that are deadlines (`2023年6月底前完成`) come out as the deadline.
fn sort_marked(names: Vec<String>) -> (Vec<String>, Vec<String>, Option<String>) {
    let mut deadline = None;
    let mut names: Vec<String> = names
        .into_iter()
        .filter(|n| {
            if super::deadline::is_deadline_phrase(n) {
                deadline = Some(super::deadline::trim_phrase(n).to_string());
                false
            } else {
                true
            }
        })
        .collect();
    if names.iter().any(|n| lead_marked(n).is_some()) {
        let mut lead = Vec::new();
        let mut rest = Vec::new();
        for n in names.drain(..) {
            match lead_marked(&n) {
                Some(l) => lead.push(l.to_string()),
                None => rest.push(n),
            }
        }
        return (lead, rest, deadline);
    }
    (Vec::new(), names, deadline)
}

/// Whether the document states that the first 责任单位 is the lead
/// (`第一责任单位为牵头单位`, `排在第一位的为牵头单位`, `列首位的为牵头单位`).
pub fn states_first_is_lead(text: &str) -> bool {
    text.match_indices("牵头").any(|(i, _)| {
        let before: String = text[..i]
            .chars()
            .rev()
            .take(14)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        (before.contains("第一") || before.contains("首位") || before.contains("首个") || before.contains("第1"))
            && before.contains('为')
    })
}

fn is_rule_statement(name: &str) -> bool {
    name.contains("下同") || (name.contains("为牵头") && (name.contains("第一") || name.contains("首位")))
}

/// Splits a list of names as written: on `、 , ， ; ；`, spaces and newlines, never inside
/// parentheses (`各街办(新区)` stays whole).
pub fn split_names(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for c in value.chars() {
        match c {
            '(' | '（' | '[' | '【' => {
                depth += 1;
                current.push(c);
            }
            ')' | '）' | ']' | '】' => {
                depth -= 1;
                current.push(c);
            }
            '、' | ',' | '，' | ';' | '；' | '\n' | ' ' | '\u{3000}' | '\t' if depth <= 0 => {
                push_name(&mut out, &current);
                current.clear();
            }
            _ => current.push(c),
        }
    }
    push_name(&mut out, &current);
    // A one-character piece (`各县、市、区政府`) is not a department: the 、 was inside a name.
    let mut merged: Vec<String> = Vec::new();
    let mut glue = false;
    for name in out {
        let short = name.chars().count() == 1;
        match merged.last_mut() {
            Some(last) if short || glue => {
                last.push('、');
                last.push_str(&name);
                glue = short;
            }
            _ => {
                glue = short;
                merged.push(name);
            }
        }
    }
    merged
}

/// Role verbs written after the names, longest first, and the role each gives.
const VERBS: &[(&str, Field)] = &[
    ("按照职责分工负责", Field::Responsible),
    ("按职责分工抓好落实", Field::Responsible),
    ("按职责分工负责", Field::Responsible),
    ("按职责分工落实", Field::Responsible),
    ("按职能职责负责", Field::Responsible),
    ("按职责分工配合", Field::Cooperating),
    ("根据职责分工负责", Field::Responsible),
    ("按职责负责", Field::Responsible),
    ("按职责落实", Field::Responsible),
    ("按职责配合", Field::Cooperating),
    ("为牵头单位", Field::Lead),
    ("为配合单位", Field::Cooperating),
    ("为责任单位", Field::Responsible),
    ("牵头负责", Field::Lead),
    ("牵头落实", Field::Lead),
    ("牵头抓总", Field::Lead),
    ("配合落实", Field::Cooperating),
    ("协助配合", Field::Cooperating),
    ("积极配合", Field::Cooperating),
    ("共同负责", Field::Cooperating),
    ("共同推进", Field::Cooperating),
    ("分工负责", Field::Responsible),
    ("分别负责", Field::Responsible),
    ("具体负责", Field::Responsible),
    ("负责落实", Field::Responsible),
    ("牵头", Field::Lead),
    ("主责", Field::Lead),
    ("配合", Field::Cooperating),
    ("协同", Field::Cooperating),
    ("协助", Field::Cooperating),
    ("参与", Field::Cooperating),
    ("负责", Field::Responsible),
    ("落实", Field::Responsible),
];

fn push_name(out: &mut Vec<String>, raw: &str) {
    if is_rule_statement(raw) {
        return;
    }
    let mut name = raw.trim_matches(|c: char| {
        c.is_whitespace() || c == '\u{3000}' || matches!(c, '。' | '.' | '：' | ':' | '“' | '”' | '"')
    });
    for prefix in ["由", "请"] {
        if let Some(rest) = name.strip_prefix(prefix)
            && rest.chars().count() >= 2
        {
            name = rest;
        }
    }
    for (verb, _) in VERBS {
        if let Some(rest) = name.strip_suffix(verb)
            && !rest.is_empty()
        {
            name = rest;
            break;
        }
    }
    let name = name.trim();
    if name.is_empty() || is_rule_statement(name) || name.chars().all(|c| !c.is_alphanumeric()) {
        return;
    }
    out.push(name.to_string());
}

const ORG_ENDINGS: &[&str] = &[
    "局",
    "办",
    "委",
    "部",
    "中心",
    "院",
    "会",
    "处",
    "所",
    "街道",
    "镇",
    "乡",
    "公司",
    "集团",
    "政府",
    "园区",
    "园",
    "科",
    "站",
    "队",
    "厅",
    "署",
    "银行",
    "部门",
    "单位",
    "街办",
    "社区",
    "学校",
    "医院",
    "协会",
    "平台",
    "联",
    "科协",
    "社",
    "电视台",
    "区",
    "县",
    "市",
    "组",
    "室",
    "馆",
    "团",
    "校",
];

fn looks_like_department(name: &str) -> bool {
    let n = name.chars().count();
    (2..=30).contains(&n) && ORG_ENDINGS.iter().any(|e| name.ends_with(e)) && !name.contains('。')
}

/// How an annotation was written: labelled fields are recognised anywhere; verbs and bare lists
/// of departments only where an item ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Labelled,
    Verbs,
    Bare,
}

/// Reads an annotation's content (without its brackets); `None` when it is not an annotation
/// (ordinary parentheses in a task's text).
pub fn parse(content: &str, first_is_lead: bool) -> Option<(Roles, Form)> {
    let content = content.trim();
    if content.is_empty() || content.chars().count() > 400 {
        return None;
    }
    let found = fields(content);
    if !found.is_empty() {
        let mut lead = Vec::new();
        let mut cooperating = Vec::new();
        let mut responsible = Vec::new();
        let mut deadline = None;
        let mut lead_field = false;
        // Text before the first label may be a verb-form annotation (`X牵头；完成时限：…`).
        let prefix = &content[..found[0].0];
        if let Some(roles) = parse_verbs(prefix, first_is_lead) {
            lead_field = !roles.lead.is_empty();
            lead.extend(roles.lead);
            cooperating.extend(roles.cooperating);
            deadline = roles.deadline;
        }
        for (k, (_, value_start, field)) in found.iter().enumerate() {
            let end = found.get(k + 1).map_or(content.len(), |f| f.0);
            let value = &content[*value_start..end];
            let (marked, names, when) = sort_marked(split_names(value));
            if when.is_some() && deadline.is_none() {
                deadline = when;
            }
            if !marked.is_empty() {
                lead_field = true;
                lead.extend(marked);
            }
            match field {
                Field::Lead => {
                    lead_field = true;
                    lead.extend(names);
                }
                Field::Cooperating => cooperating.extend(names),
                Field::Responsible => responsible.extend(names),
                Field::Person => {}
                Field::Deadline => {
                    let value = value.trim_matches(|c: char| is_separator(c) || c == '。');
                    if !value.is_empty() {
                        deadline = Some(value.to_string());
                    }
                }
            }
        }
        if lead_field {
            // 责任单位 beside a 牵头 field are cooperating, in written order before 配合 fields
            // that come after them.
            let mut merged = Vec::new();
            let responsible_first = found.iter().position(|f| f.2 == Field::Responsible);
            let coop_first = found.iter().position(|f| f.2 == Field::Cooperating);
            if responsible_first < coop_first || coop_first.is_none() {
                merged.extend(responsible);
                merged.extend(cooperating);
            } else {
                merged.extend(cooperating);
                merged.extend(responsible);
            }
            cooperating = merged;
        } else if first_is_lead && !responsible.is_empty() {
            lead.push(responsible.remove(0));
            responsible.extend(cooperating);
            cooperating = responsible;
        } else {
            lead.extend(responsible);
        }
        let roles = Roles {
            lead,
            cooperating,
            deadline,
        };
        return (roles.names_any() || roles.deadline.is_some()).then_some((roles, Form::Labelled));
    }
    if let Some(roles) = parse_verbs(content, first_is_lead) {
        return Some((roles, Form::Verbs));
    }
    {
        // A bare list of departments (`（区科技局、区财政局）`) names the lead.
        let names = split_names(content);
        (!names.is_empty() && names.iter().all(|n| looks_like_department(n)) && !content.contains('。')).then(|| {
            let mut roles = Roles::default();
            if first_is_lead && names.len() > 1 {
                roles.lead.push(names[0].clone());
                roles.cooperating.extend(names[1..].iter().cloned());
            } else {
                roles.lead = names;
            }
            (roles, Form::Bare)
        })
    }
}

/// A table cell under a department column: a plain list takes the column's role; a cell that
/// says more (`牵头：X；配合：Y`, `X（牵头）、Y`, `X牵头，Y配合`) is read as an annotation.
pub fn column_roles(value: &str, field: Field, first_is_lead: bool) -> Roles {
    let value = value.trim();
    if value.is_empty() {
        return Roles::default();
    }
    let says_more =
        !fields(value).is_empty() || value.contains("牵头") || value.contains("配合") || value.contains("负责");
    if says_more && let Some((roles, _)) = parse(value, first_is_lead) {
        return roles;
    }
    let (marked, names, deadline) = sort_marked(split_names(value));
    let mut roles = Roles {
        deadline,
        ..Roles::default()
    };
    if !marked.is_empty() {
        roles.lead = marked;
        roles.cooperating = names;
        return roles;
    }
    match field {
        Field::Lead => roles.lead = names,
        Field::Cooperating => roles.cooperating = names,
        Field::Responsible => roles.cooperating = names,
        _ => {}
    }
    roles
}

/// `X、Y牵头，Z配合`, `X牵头，各街道按职责分工负责`, `X负责`, with a deadline clause.
fn parse_verbs(content: &str, first_is_lead: bool) -> Option<Roles> {
    let mut roles = Roles::default();
    let mut pending: Vec<String> = Vec::new();
    let mut any_verb = false;
    for clause in content.split(['，', ',', '；', ';', '。']) {
        let clause = clause.trim();
        if clause.is_empty() {
            continue;
        }
        if super::deadline::is_deadline_phrase(clause) {
            roles.deadline = Some(super::deadline::trim_phrase(clause).to_string());
            continue;
        }
        if is_rule_statement(clause) {
            continue;
        }
        let verb = VERBS.iter().find(|(v, _)| clause.ends_with(v));
        let Some((verb, field)) = verb else {
            pending.extend(split_names(clause));
            continue;
        };
        let names_part = &clause[..clause.len() - verb.len()];
        let mut names = std::mem::take(&mut pending);
        names.extend(split_names(names_part));
        if names.is_empty() || names.iter().any(|n| n.chars().count() > 30 || n.contains('。')) {
            return None;
        }
        any_verb = true;
        match field {
            Field::Lead => roles.lead.extend(names),
            Field::Cooperating => roles.cooperating.extend(names),
            _ if roles.lead.is_empty() => {
                if first_is_lead && names.len() > 1 {
                    roles.lead.push(names.remove(0));
                    roles.cooperating.extend(names);
                } else {
                    roles.lead.extend(names)
                }
            }
            _ => roles.cooperating.extend(names),
        }
    }
    if !any_verb && pending.is_empty() && roles.deadline.is_some() {
        // Only a deadline (`（2024年6月底前完成）`): it joins the annotation beside it.
        return Some(roles);
    }
    if !pending.is_empty() {
        if !any_verb || !pending.iter().all(|n| looks_like_department(n)) {
            return None;
        }
        if roles.lead.is_empty() {
            roles.lead.extend(pending);
        } else {
            roles.cooperating.extend(pending);
        }
    }
    any_verb.then_some(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(content: &str, first_is_lead: bool) -> Option<Roles> {
        super::parse(content, first_is_lead).map(|a| a.0)
    }

    fn roles(lead: &[&str], cooperating: &[&str], deadline: Option<&str>) -> Option<Roles> {
        Some(Roles {
            lead: lead.iter().map(|s| s.to_string()).collect(),
            cooperating: cooperating.iter().map(|s| s.to_string()).collect(),
            deadline: deadline.map(str::to_string),
        })
    }

    #[test]
    fn labelled_fields() {
        assert_eq!(
            parse("牵头部门:区科学技术局;配合部门:区人力资源部、财政局", false),
            roles(&["区科学技术局"], &["区人力资源部", "财政局"], None)
        );
        assert_eq!(
            parse("牵头单位：区发改局；责任单位：各街办(新区)、区财政局", false),
            roles(&["区发改局"], &["各街办(新区)", "区财政局"], None)
        );
        assert_eq!(
            parse("责任单位：区发改局、区财政局", false),
            roles(&["区发改局", "区财政局"], &[], None)
        );
        assert_eq!(
            parse("责任单位：区发改局、区财政局", true),
            roles(&["区发改局"], &["区财政局"], None)
        );
        assert_eq!(
            parse(
                "责任领导：张三；牵头单位：区科技局；协同单位：区财政局；完成时限：2023年6月底前",
                false
            ),
            roles(&["区科技局"], &["区财政局"], Some("2023年6月底前"))
        );
        assert_eq!(
            parse("牵头责任单位：区商务局 参与单位：各街道", false),
            roles(&["区商务局"], &["各街道"], None)
        );
    }

    #[test]
    fn marks_labels_and_deadlines_inside_lists() {
        assert_eq!(
            parse("责任单位：市发改委（牵头），市财政局，市商务局", false),
            roles(&["市发改委"], &["市财政局", "市商务局"], None)
        );
        assert_eq!(
            parse("主要责任单位：区住建局；配合单位：区城管局", false),
            roles(&["区住建局"], &["区城管局"], None)
        );
        assert_eq!(
            parse("包保领导：李四；责任单位：区住建局、区城管局，2023年6月底前完成", false),
            roles(&["区住建局", "区城管局"], &[], Some("2023年6月底前"))
        );
        assert_eq!(parse("重点包括：技术转让、开发", false), None);
    }

    #[test]
    fn verb_forms() {
        assert_eq!(
            parse("区发改局、区财政局牵头，区统计局配合", false),
            roles(&["区发改局", "区财政局"], &["区统计局"], None)
        );
        assert_eq!(
            parse("市政府办公室牵头,市级各有关部门及各县市区政府按职责分工负责", false),
            roles(&["市政府办公室"], &["市级各有关部门及各县市区政府"], None)
        );
        assert_eq!(parse("区科技局负责", false), roles(&["区科技局"], &[], None));
        assert_eq!(
            parse("区住建局牵头，2023年12月底前完成", false),
            roles(&["区住建局"], &[], Some("2023年12月底前"))
        );
        assert_eq!(
            parse("区科技局、区财政局", false),
            roles(&["区科技局", "区财政局"], &[], None)
        );
    }

    #[test]
    fn ordinary_parentheses_are_not_annotations() {
        for text in [
            "含",
            "试行",
            "套",
            "国办发〔2019〕58号,以下简称《指导意见》",
            "包括技术转让、开发、咨询、服务",
            "项目",
            "第一责任单位为牵头单位，下同",
        ] {
            assert_eq!(parse(text, false), None, "{text}");
        }
    }

    #[test]
    fn the_first_is_lead_rule_is_read() {
        assert!(states_first_is_lead("各项任务中（第一责任单位为牵头单位，下同）"));
        assert!(states_first_is_lead("排在第一位的为牵头单位"));
        assert!(!states_first_is_lead("牵头单位：区科技局"));
    }
}
