//! Plan parsing: a work plan as zones write it (a Word document or its text) becomes the list
//! of tasks it assigns, each with its numbering path (`ref`), text, lead and cooperating
//! departments, deadline and quantitative targets. Pure: no database, no web.
//!
//! A task is the smallest item that carries its own responsibility annotation; headings and
//! paragraphs without one are context (the task's `section`). The outline levels are taken in
//! the order the document first uses each numbering style, so any nesting of `一、` `(一)`
//! `1.` `(1)` `①` `一是` works, including item numbers that run across sections.

pub mod deadline;
pub mod numbering;
pub mod roles;
pub mod source;
pub mod table;
pub mod targets;

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use numbering::Style;
use roles::{Field, Form, Roles};
pub use source::{Block, Located, SourceError};
use table::{Columns, header_columns};
pub use targets::Target;

/// What a plan document yields.
#[derive(Debug, Clone, Serialize)]
pub struct ParsedPlan {
    pub title: Option<String>,
    pub year: Option<i32>,
    pub document_number: Option<String>,
    pub tasks: Vec<ParsedTask>,
    pub warnings: Vec<Warning>,
}

/// One task. The JSON field names `ref`, `text`, `lead`, `cooperating`, `deadline`, `due_date`
/// and `targets` are a contract.
#[derive(Debug, Clone, Serialize)]
pub struct ParsedTask {
    #[serde(rename = "ref")]
    pub reference: String,
    pub text: String,
    pub lead: Vec<String>,
    pub cooperating: Vec<String>,
    pub deadline: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub targets: Vec<Target>,
    /// The headings above the task, as written.
    pub section: Vec<String>,
    /// The line (paragraph or table row) where the task starts.
    pub line: usize,
}

/// Something the reader should check: where, and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Warning {
    pub line: Option<usize>,
    pub message: String,
}

/// Parses a plan from the bytes of a .txt or .docx file.
pub fn parse_bytes(bytes: &[u8]) -> Result<ParsedPlan, SourceError> {
    Ok(parse_blocks(&source::blocks_from_bytes(bytes)?))
}

/// Parses pasted text.
pub fn parse_text(text: &str) -> ParsedPlan {
    parse_blocks(&source::blocks_from_text(text))
}

pub fn parse_blocks(blocks: &[Located]) -> ParsedPlan {
    let blocks = &table::unflatten(blocks.to_vec());
    let all_text: String = blocks
        .iter()
        .map(|b| match &b.block {
            Block::Para(p) => p.clone(),
            Block::Row(cells) => cells.join(" "),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let (title, year, document_number) = header(blocks);
    let mut parser = Parser {
        first_is_lead: roles::states_first_is_lead(&all_text),
        plan_year: year,
        stack: Vec::new(),
        open: None,
        heading_has_children: false,
        unnumbered: HashMap::new(),
        tasks: Vec::new(),
        warnings: Vec::new(),
        table: None,
    };
    for located in blocks {
        match &located.block {
            Block::Para(text) => {
                parser.table = None;
                parser.paragraph(located.line, text);
            }
            Block::Row(cells) => parser.row(located.line, cells),
        }
    }
    parser.close();
    if parser.tasks.is_empty() {
        parser.warnings.push(Warning {
            line: None,
            message: "没有找到写明责任单位的条目。每项任务应写明牵头单位，例如“（牵头单位：区科技局；配合单位：区财政局）”或单独一行“责任单位：区科技局”".into(),
        });
    }
    for task in &parser.tasks {
        if task.lead.is_empty() && !task.cooperating.is_empty() {
            parser.warnings.push(Warning {
                line: Some(task.line),
                message: format!("条目 {} 只写了配合单位，没有牵头单位", task.reference),
            });
        }
    }
    ParsedPlan {
        title,
        year,
        document_number,
        tasks: parser.tasks,
        warnings: parser.warnings,
    }
}

struct Heading {
    style: Style,
    label: String,
    title: String,
}

/// The item being read: from its numbering (or first paragraph) to its annotation.
struct Item {
    /// Labels of the headings above and, for a numbered item, its own label last.
    path: Vec<String>,
    numbered: bool,
    /// The style of its own numbering, if numbered.
    style: Option<Style>,
    section: Vec<String>,
    lines: Vec<String>,
    line: usize,
    pure_heading: bool,
    /// Once annotated: the task it became (later annotation lines add to it).
    task: Option<usize>,
    /// A deadline line that came before the departments.
    pending: Roles,
}

struct Parser {
    first_is_lead: bool,
    plan_year: Option<i32>,
    stack: Vec<Heading>,
    open: Option<Item>,
    heading_has_children: bool,
    unnumbered: HashMap<String, usize>,
    tasks: Vec<ParsedTask>,
    warnings: Vec<Warning>,
    table: Option<Columns>,
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

fn trim(text: &str) -> &str {
    text.trim_matches(is_space)
}

fn trim_lead_punct(text: &str) -> &str {
    text.trim_start_matches(|c: char| is_space(c) || matches!(c, '。' | '；' | ';' | '，' | ',' | '、'))
}

/// An annotation found in a line.
#[derive(Debug)]
struct Span {
    start: usize,
    end: usize,
    roles: Roles,
    form: Form,
    unclosed: bool,
}

fn opening(c: char) -> Option<char> {
    match c {
        '(' | '（' => Some(')'),
        '[' => Some(']'),
        '【' => Some('】'),
        '〔' => Some('〕'),
        _ => None,
    }
}

fn is_closing(c: char) -> bool {
    matches!(c, ')' | '）' | ']' | '】' | '〕')
}

/// Annotations in a line: bracketed ones, and labelled fields without brackets at its end.
fn annotations(line: &str, first_is_lead: bool) -> Vec<Span> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut spans: Vec<Span> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if opening(c).is_none() {
            i += 1;
            continue;
        }
        let mut depth = 0;
        let mut close = None;
        for (k, &(_, d)) in chars.iter().enumerate().skip(i) {
            if opening(d).is_some() {
                depth += 1;
            } else if is_closing(d) {
                depth -= 1;
                if depth == 0 {
                    close = Some(k);
                    break;
                }
            }
        }
        let content_start = at + c.len_utf8();
        match close {
            Some(k) => {
                let (close_at, close_c) = chars[k];
                if let Some((roles, form)) = roles::parse(&line[content_start..close_at], first_is_lead) {
                    spans.push(Span {
                        start: at,
                        end: close_at + close_c.len_utf8(),
                        roles,
                        form,
                        unclosed: false,
                    });
                    i = k + 1;
                    continue;
                }
                i += 1;
            }
            None => {
                if let Some((roles, Form::Labelled)) = roles::parse(&line[content_start..], first_is_lead)
                    && roles.names_any()
                {
                    spans.push(Span {
                        start: at,
                        end: line.len(),
                        roles,
                        form: Form::Labelled,
                        unclosed: true,
                    });
                    break;
                }
                i += 1;
            }
        }
    }
    // Labelled fields without brackets after the item's text: `…。牵头单位：X 配合单位：Y`.
    let covered = |pos: usize| spans.iter().any(|s| s.start <= pos && pos < s.end);
    if let Some(&(start, _, _)) = roles::fields(line).iter().find(|(start, _, field)| {
        *start > 0
            && !covered(*start)
            && matches!(
                field,
                Field::Lead | Field::Responsible | Field::Cooperating | Field::Person | Field::Deadline
            )
    }) {
        let before = line[..start].chars().last();
        let end = spans.iter().find(|s| s.start > start).map_or(line.len(), |s| s.start);
        if before.is_some_and(|c| is_space(c) || matches!(c, '。' | '；' | ';' | '，' | ','))
            && let Some((roles, Form::Labelled)) = roles::parse(&line[start..end], first_is_lead)
            && roles.names_any()
        {
            spans.push(Span {
                start,
                end,
                roles,
                form: Form::Labelled,
                unclosed: false,
            });
            spans.sort_by_key(|s| s.start);
        }
    }
    // Annotations side by side (`（牵头单位：X）（完成时限：6月底前）`) are one annotation.
    let mut merged: Vec<Span> = Vec::new();
    for span in spans {
        if let Some(last) = merged.last_mut()
            && trim_lead_punct(&line[last.end..span.start]).is_empty()
            && (span.form == Form::Labelled || !span.roles.names_any())
        {
            last.end = span.end;
            last.unclosed |= span.unclosed;
            let roles = span.roles;
            last.roles.merge(roles);
            continue;
        }
        merged.push(span);
    }
    // A deadline on its own, beside no departments, is part of the text.
    let spans: Vec<Span> = merged.into_iter().filter(|s| s.roles.names_any()).collect();
    // Verbs and bare department lists count only where an item ends.
    let keep: Vec<bool> = spans
        .iter()
        .enumerate()
        .map(|(k, s)| {
            if s.form == Form::Labelled {
                return true;
            }
            let after = trim_lead_punct(&line[s.end..]);
            after.is_empty()
                || spans.get(k + 1).is_some_and(|n| line.len() - after.len() >= n.start)
                || numbering::leading(after).is_some()
        })
        .collect();
    spans
        .into_iter()
        .zip(keep)
        .filter_map(|(s, k)| k.then_some(s))
        .collect()
}

/// A line that is only an annotation: `责任单位：X`, `牵头单位：X  配合单位：Y`, `完成时限：…`,
/// or a bracketed annotation on its own. The flag says whether it names 责任单位 only (which are
/// cooperating when another line gave the lead).
fn annotation_line(text: &str, first_is_lead: bool) -> Option<(Roles, bool)> {
    let whole_bracket = text.chars().next().and_then(opening).is_some() && {
        let mut depth = 0;
        let mut closed_at = None;
        for (i, c) in text.char_indices() {
            if opening(c).is_some() {
                depth += 1;
            } else if is_closing(c) {
                depth -= 1;
                if depth == 0 {
                    closed_at = Some(i + c.len_utf8());
                    break;
                }
            }
        }
        closed_at.is_some_and(|end| trim_lead_punct(&text[end..]).is_empty())
    };
    let inner = if whole_bracket {
        let first = text.chars().next()?;
        let body = &text[first.len_utf8()..];
        let close = body.char_indices().rev().find(|(_, c)| is_closing(*c))?.0;
        &body[..close]
    } else {
        text
    };
    let found = roles::fields(inner);
    let responsible_only = found
        .iter()
        .all(|f| matches!(f.2, Field::Responsible | Field::Person | Field::Deadline));
    if found.first().is_some_and(|f| f.0 == 0) {
        return Some((
            roles::parse(inner, first_is_lead).map(|(r, _)| r).unwrap_or_default(),
            responsible_only,
        ));
    }
    if inner.len() != text.len()
        && let Some((roles, _)) = roles::parse(inner, first_is_lead)
    {
        return Some((roles, responsible_only && !found.is_empty()));
    }
    None
}

/// `【牵头单位】X【配合单位】Y`: field labels written in brackets instead of before a colon.
fn bracket_labels(text: &str) -> String {
    if !text.contains('【') && !text.contains('[') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['【', '[']) {
        let open_char = rest[open..].chars().next().unwrap_or('【');
        let close_char = if open_char == '【' { '】' } else { ']' };
        let after = &rest[open + open_char.len_utf8()..];
        match after.find(close_char) {
            Some(close) if roles::field_of_label(&after[..close]).is_some() && after[..close].chars().count() <= 8 => {
                out.push_str(&rest[..open]);
                // A space before the label, so that it starts a field.
                if !out.is_empty() && !out.ends_with(|c: char| is_space(c) || "（(；;。，,".contains(c)) {
                    out.push(' ');
                }
                out.push_str(&after[..close]);
                out.push('：');
                rest = &after[close + close_char.len_utf8()..];
            }
            _ => {
                out.push_str(&rest[..open + open_char.len_utf8()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_pure_heading(rest: &str) -> bool {
    let rest = trim(rest);
    rest.chars().count() <= 40 && !rest.ends_with(['。', '；', ';', '！']) && !rest.contains('。')
}

impl Parser {
    fn labels(&self) -> Vec<String> {
        self.stack.iter().map(|h| h.label.clone()).collect()
    }

    fn titles(&self, skip_last: bool) -> Vec<String> {
        let n = if skip_last {
            self.stack.len().saturating_sub(1)
        } else {
            self.stack.len()
        };
        self.stack[..n].iter().map(|h| h.title.clone()).collect()
    }

    fn close(&mut self) {
        self.open = None;
    }

    fn paragraph(&mut self, line: usize, raw: &str) {
        let labelled = bracket_labels(trim(raw));
        let text = labelled.as_str();
        if text.is_empty() {
            return;
        }
        if let Some((roles, responsible_only)) = annotation_line(text, self.first_is_lead) {
            self.attach(line, roles, responsible_only);
            return;
        }
        if let Some(n) = numbering::leading(text) {
            self.open = None;
            if let Some(pos) = self.stack.iter().position(|h| h.style == n.style) {
                self.stack.truncate(pos);
            }
            let rest = trim(&text[n.len..]).to_string();
            self.stack.push(Heading {
                style: n.style,
                label: n.label,
                title: text.to_string(),
            });
            self.heading_has_children = false;
            let spans_here = !annotations(&rest, self.first_is_lead).is_empty();
            self.open = Some(Item {
                path: self.labels(),
                numbered: true,
                style: Some(n.style),
                section: self.titles(true),
                pure_heading: is_pure_heading(&rest) && !spans_here,
                lines: vec![rest],
                line,
                task: None,
                pending: Roles::default(),
            });
            self.scan(line);
            return;
        }
        let has_inline = !annotations(text, self.first_is_lead).is_empty();
        let heading_has_children = self.heading_has_children;
        match &mut self.open {
            Some(item) if item.task.is_none() && !(item.pure_heading && has_inline) && !heading_has_children => {
                item.lines.push(text.to_string());
                item.pure_heading = false;
            }
            _ => {
                if self.open.as_ref().is_some_and(|o| o.numbered) || self.open.is_none() {
                    self.heading_has_children = true;
                }
                self.open = Some(Item {
                    path: self.labels(),
                    numbered: false,
                    style: None,
                    section: self.titles(false),
                    lines: vec![text.to_string()],
                    line,
                    pure_heading: false,
                    task: None,
                    pending: Roles::default(),
                });
            }
        }
        self.scan(line);
    }

    /// An annotation line: it makes the open item a task, or adds to the task it made.
    fn attach(&mut self, line: usize, mut roles: Roles, responsible_only: bool) {
        if let Some(item) = &mut self.open {
            if let Some(t) = item.task {
                let task = &mut self.tasks[t];
                if responsible_only && !task.lead.is_empty() {
                    // `牵头单位：X` then `责任单位：Y` on the next line: Y cooperate.
                    let lead = std::mem::take(&mut roles.lead);
                    roles.cooperating.splice(0..0, lead);
                }
                merge_into(task, roles, self.plan_year);
                return;
            }
            if !roles.names_any() {
                item.pending.merge(roles);
                return;
            }
            let mut all = roles;
            all.merge(std::mem::take(&mut item.pending));
            let text = item.lines.join("\n");
            let item_path = item.path.clone();
            let numbered = item.numbered;
            let section = item.section.clone();
            let item_line = item.line;
            let index = self.emit(item_path, numbered, None, section, item_line, &text, all);
            if let Some(item) = &mut self.open {
                item.task = Some(index);
            }
            return;
        }
        if roles.names_any() {
            self.warnings.push(Warning {
                line: Some(line),
                message: format!("第 {line} 行：责任单位前面没有可以对应的任务条目，已忽略"),
            });
        }
    }

    /// Looks for annotations in the open item's last line and turns what they close into tasks.
    fn scan(&mut self, line: usize) {
        let Some(item) = &self.open else { return };
        if item.task.is_some() {
            return;
        }
        let last = item.lines.last().cloned().unwrap_or_default();
        let spans = annotations(&last, self.first_is_lead);
        if spans.is_empty() {
            return;
        }
        for span in &spans {
            if span.unclosed {
                self.warnings.push(Warning {
                    line: Some(line),
                    message: format!("第 {line} 行：括号没有闭合，已把括号后到行尾的内容当作责任单位"),
                });
            }
        }
        let earlier: Vec<String> = item.lines[..item.lines.len() - 1].to_vec();
        let path = item.path.clone();
        let numbered = item.numbered;
        let own_style = item.style;
        let section = item.section.clone();
        let item_line = item.line;
        let mut prev_end = 0;
        let mut last_task = None;
        let several = spans.len() > 1;
        for (k, span) in spans.into_iter().enumerate() {
            let segment = &last[prev_end..span.start];
            prev_end = span.end;
            let ordinals = numbering::inline_ordinals(segment);
            let (sub, body) = match ordinals.first() {
                Some((at, n)) if several || (k > 0) => (Some((n.label.clone(), n.style)), &segment[at + n.len..]),
                _ => (None, trim_lead_punct(segment)),
            };
            let index = if k == 0 && sub.is_none() {
                let mut lines = earlier.clone();
                lines.push(body.to_string());
                let text = lines.join("\n");
                self.emit(
                    path.clone(),
                    numbered,
                    None,
                    section.clone(),
                    item_line,
                    &text,
                    span.roles,
                )
            } else if let Some((label, style)) = sub {
                let mut sub_path = path.clone();
                // `一是…；二是…` after an item numbered `一是`: siblings, not children.
                if numbered && own_style == Some(style) {
                    sub_path.pop();
                }
                if !numbered {
                    // an un-numbered paragraph: its ordinals sit under its headings
                } else {
                    // a numbered item: its ordinals sit under it
                }
                sub_path.push(label);
                let mut sub_section = section.clone();
                if numbered {
                    sub_section.push(self.stack.last().map(|h| h.title.clone()).unwrap_or_default());
                }
                self.emit(sub_path, true, None, sub_section, line, body, span.roles)
            } else {
                self.emit(path.clone(), false, None, section.clone(), line, body, span.roles)
            };
            last_task = Some(index);
        }
        let tail = trim_lead_punct(&last[prev_end..]).to_string();
        if let Some(item) = &mut self.open {
            item.task = last_task;
        }
        if !tail.is_empty() && tail.chars().count() > 4 {
            // Text after the annotation starts the next (un-numbered) item.
            self.open = Some(Item {
                path: self.labels(),
                numbered: false,
                style: None,
                section: self.titles(false),
                lines: vec![tail],
                line,
                pure_heading: false,
                task: None,
                pending: Roles::default(),
            });
            self.heading_has_children = true;
            self.scan(line);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        mut path: Vec<String>,
        numbered: bool,
        _sub: Option<String>,
        section: Vec<String>,
        line: usize,
        text: &str,
        roles: Roles,
    ) -> usize {
        if !numbered {
            let key = path.join(".");
            let k = self.unnumbered.entry(key).or_insert(0);
            *k += 1;
            path.push(format!("#{k}"));
        }
        let text = trim(text).to_string();
        let due_date = roles
            .deadline
            .as_deref()
            .and_then(|d| deadline::due_date(d, self.plan_year));
        self.tasks.push(ParsedTask {
            reference: path.join("."),
            targets: targets::find(&text),
            text,
            lead: roles.lead,
            cooperating: roles.cooperating,
            deadline: roles.deadline,
            due_date,
            section,
            line,
        });
        self.tasks.len() - 1
    }

    fn row(&mut self, line: usize, cells: &[String]) {
        if let Some(columns) = header_columns(cells) {
            self.open = None;
            self.table = Some(columns);
            return;
        }
        let Some(columns) = self.table.clone() else {
            let joined: Vec<&str> = cells.iter().map(|c| trim(c)).filter(|c| !c.is_empty()).collect();
            self.paragraph(line, &joined.join(" "));
            return;
        };
        let mut distinct: Vec<&str> = cells.iter().map(|c| trim(c)).filter(|c| !c.is_empty()).collect();
        distinct.dedup();
        if distinct.len() <= 1 {
            // A heading row across the table (`一、产业发展`).
            let text = distinct.first().copied().unwrap_or_default().to_string();
            self.paragraph(line, &text);
            self.table = Some(columns);
            return;
        }
        let cell = |c: Option<usize>| c.and_then(|c| cells.get(c)).map(|s| trim(s)).unwrap_or_default();
        let mut text = cell(columns.task).to_string();
        let number = cell(columns.number);
        let mut label = None;
        if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '#') {
            label = Some(number.trim_end_matches('.').to_string());
        } else if let Some(n) = numbering::leading(&text) {
            label = Some(n.label.clone());
            text = trim(&text[n.len..]).to_string();
        }
        let mut roles = Roles::default();
        let mut responsible = Roles::default();
        for (c, field) in &columns.fields {
            let value = cell(Some(*c));
            match field {
                Field::Lead | Field::Cooperating => roles.merge(roles::column_roles(value, *field, self.first_is_lead)),
                // 责任单位 as a column: cooperating beside a 牵头 column, else lead (first is
                // lead when the document says so).
                Field::Responsible => responsible.merge(roles::column_roles(value, *field, self.first_is_lead)),
                Field::Deadline if !value.is_empty() => roles.deadline = Some(value.to_string()),
                _ => {}
            }
        }
        let has_lead_column = columns.fields.iter().any(|f| f.1 == Field::Lead);
        if has_lead_column || !responsible.lead.is_empty() {
            roles.lead.extend(std::mem::take(&mut responsible.lead));
            let cooperating = std::mem::take(&mut roles.cooperating);
            roles.cooperating = responsible.cooperating;
            roles.cooperating.extend(cooperating);
        } else if self.first_is_lead && !responsible.cooperating.is_empty() {
            roles.lead.push(responsible.cooperating.remove(0));
            roles.cooperating.splice(0..0, responsible.cooperating);
        } else {
            roles.lead.extend(responsible.cooperating);
        }
        if roles.deadline.is_none() {
            roles.deadline = responsible.deadline;
        }
        if text.is_empty() || !roles.names_any() {
            return;
        }
        let mut path = self.labels();
        let numbered = label.is_some();
        if let Some(label) = label {
            path.push(label);
        }
        let section = self.titles(false);
        self.open = None;
        self.emit(path, numbered, None, section, line, &text, roles);
    }
}

fn merge_into(task: &mut ParsedTask, roles: Roles, plan_year: Option<i32>) {
    task.lead.extend(roles.lead);
    task.cooperating.extend(roles.cooperating);
    if task.deadline.is_none()
        && let Some(d) = roles.deadline
    {
        task.due_date = deadline::due_date(&d, plan_year);
        task.deadline = Some(d);
    }
}

/// Title, year and document number from the lines before the first heading.
fn header(blocks: &[Located]) -> (Option<String>, Option<i32>, Option<String>) {
    let lines: Vec<&str> = blocks
        .iter()
        .take(40)
        .filter_map(|b| match &b.block {
            Block::Para(p) => Some(trim(p)),
            Block::Row(_) => None,
        })
        .collect();
    let document_number = lines.iter().find_map(|l| document_number(l));
    let mut title = None;
    for (i, line) in lines.iter().enumerate() {
        if numbering::leading(line).is_some() {
            break;
        }
        if let (Some(a), Some(b)) = (line.find('《'), line.rfind('》'))
            && line.contains("印发")
            && a < b
        {
            title = Some(line[a + '《'.len_utf8()..b].to_string());
            break;
        }
        let bare = line.trim_end_matches(['。', ' ']);
        let n = bare.chars().count();
        if (4..=80).contains(&n)
            && [
                "方案",
                "要点",
                "计划",
                "清单",
                "分工",
                "安排",
                "意见",
                "任务",
                "措施",
                "责任分解",
            ]
            .iter()
            .any(|s| bare.ends_with(s))
            && !bare.contains('：')
            && !bare.contains(':')
        {
            let previous = i.checked_sub(1).map(|p| lines[p]);
            title = Some(match previous {
                Some(p)
                    if p.chars().count() <= 24
                        && !p.ends_with(['。', '：', ':', '）', ')', '号'])
                        && numbering::leading(p).is_none()
                        && !p.contains("日") =>
                {
                    format!("{p}{bare}")
                }
                _ => bare.to_string(),
            });
            break;
        }
    }
    let year_in = |s: &str| -> Option<i32> {
        let chars: Vec<char> = s.chars().collect();
        chars.windows(5).find_map(|w| {
            let digits: String = w[..4].iter().collect();
            (w[4] == '年' && digits.starts_with("20") && digits.chars().all(|c| c.is_ascii_digit()))
                .then(|| digits.parse().ok())
                .flatten()
        })
    };
    let year = title
        .as_deref()
        .and_then(year_in)
        .or_else(|| {
            document_number.as_deref().and_then(|d| {
                let digits: String = d.chars().filter(|c| c.is_ascii_digit()).take(4).collect();
                digits.parse().ok()
            })
        })
        .or_else(|| {
            lines
                .iter()
                .take_while(|l| numbering::leading(l).is_none())
                .take(15)
                .find_map(|l| year_in(l))
        });
    (title, year, document_number)
}

/// `新开〔2020〕28号`, `鞍立政发〔2023〕2号`.
fn document_number(line: &str) -> Option<String> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for (k, &(at, c)) in chars.iter().enumerate() {
        if !matches!(c, '〔' | '[' | '［' | '【' | '(' | '（') {
            continue;
        }
        let year: String = chars.iter().skip(k + 1).take(4).map(|c| c.1).collect();
        if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if !chars
            .get(k + 5)
            .is_some_and(|c| matches!(c.1, '〕' | ']' | '］' | '】' | ')' | '）'))
        {
            continue;
        }
        let mut j = k + 6;
        while chars.get(j).is_some_and(|c| c.1.is_ascii_digit()) {
            j += 1;
        }
        if j == k + 6 || chars.get(j).is_none_or(|c| c.1 != '号') {
            continue;
        }
        let mut s = k;
        while s > 0
            && k - s < 8
            && chars[s - 1].1 > '\u{2E80}'
            && !matches!(chars[s - 1].1, '，' | '。' | '（' | '《' | '：')
        {
            s -= 1;
        }
        if s == k {
            continue;
        }
        let end = chars[j].0 + '号'.len_utf8();
        return Some(line[chars[s].0..end].to_string()).filter(|_| at > 0);
    }
    None
}

#[cfg(test)]
mod tests;
