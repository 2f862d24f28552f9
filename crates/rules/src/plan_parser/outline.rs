//! The reader of a plan's outline: it walks the paragraphs and table rows in order, keeps the
//! stack of headings by numbering style, gathers each item's lines until its annotation, and
//! turns what each annotation closes into tasks (with their `ref`, section, departments and
//! deadline).

use std::collections::HashMap;

use super::annotations::{annotation_line, annotations, bracket_labels};
use super::numbering::{self, Style};
use super::roles::{self, Field, Roles};
use super::source::{Block, Located};
use super::table::{Columns, header_columns};
use super::{ParsedTask, Warning, deadline, targets, trim, trim_lead_punct};

/// Reads the blocks of a plan into its tasks, with a warning for each thing the reader should
/// check.
pub(super) fn read(blocks: &[Located], first_is_lead: bool, plan_year: Option<i32>) -> (Vec<ParsedTask>, Vec<Warning>) {
    let mut parser = Parser {
        first_is_lead,
        plan_year,
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
    let (mut tasks, mut warnings) = (parser.tasks, parser.warnings);
    warnings.truncate(MAX_WARNINGS);
    if tasks.len() > MAX_TASKS {
        warnings.push(Warning {
            line: Some(tasks[MAX_TASKS].line),
            message: format!(
                "共找到 {} 项任务，超过一份方案的上限 {MAX_TASKS} 项：只列出前 {MAX_TASKS} 项，请拆分方案",
                tasks.len()
            ),
        });
        tasks.truncate(MAX_TASKS);
    }
    (tasks, warnings)
}

/// The most tasks one plan yields (the seeds' longest has under 200), and warnings it lists:
/// the parse and its answer stay small whatever the document.
pub const MAX_TASKS: usize = 5_000;
const MAX_WARNINGS: usize = 1_000;
/// A heading is repeated in the `section` of each task under it: at most this many characters.
const MAX_SECTION_CHARS: usize = 200;

fn section_title(title: &str) -> String {
    match title.char_indices().nth(MAX_SECTION_CHARS) {
        Some((cut, _)) => format!("{}…", &title[..cut]),
        None => title.to_string(),
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
        self.stack[..n].iter().map(|h| section_title(&h.title)).collect()
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
            let index = self.emit(item_path, numbered, section, item_line, &text, all);
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
                self.emit(path.clone(), numbered, section.clone(), item_line, &text, span.roles)
            } else if let Some((label, style)) = sub {
                let mut sub_path = path.clone();
                // `一是…；二是…` after an item numbered `一是`: siblings, not children.
                if numbered && own_style == Some(style) {
                    sub_path.pop();
                }
                // The ordinal's label goes last: under the item when the item is numbered, under
                // the headings above it when it is an un-numbered paragraph.
                sub_path.push(label);
                let mut sub_section = section.clone();
                if numbered {
                    sub_section.push(self.stack.last().map(|h| section_title(&h.title)).unwrap_or_default());
                }
                self.emit(sub_path, true, sub_section, line, body, span.roles)
            } else {
                self.emit(path.clone(), false, section.clone(), line, body, span.roles)
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

    /// Adds a task and returns its index. An un-numbered item's `ref` ends in `#n`: the n-th
    /// such item under the same headings.
    fn emit(
        &mut self,
        mut path: Vec<String>,
        numbered: bool,
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
        // Past the limit, tasks keep only what `read` needs to count them.
        let section = if self.tasks.len() >= MAX_TASKS {
            Vec::new()
        } else {
            section
        };
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
        self.emit(path, numbered, section, line, &text, roles);
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
