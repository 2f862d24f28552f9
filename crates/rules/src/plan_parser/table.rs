//! Tables: a header row names the columns (序号, 工作任务, 牵头单位, 配合单位, 完成时限, 责任领导);
//! each row below it is a task. Tables copied from a web page often arrive flattened, one cell
//! per line (`序号` `重点工作` `责任单位` `完成时限` `1` `…` `县水务局` `县住建局` `12月底前`);
//! those lines are put back into rows first.

use super::roles::{self, Field};
use super::source::{Block, Located};

/// The columns of a table whose rows are tasks.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    pub number: Option<usize>,
    pub task: Option<usize>,
    pub fields: Vec<(usize, Field)>,
    pub count: usize,
}

fn clean(cell: &str) -> &str {
    cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '|')
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Number,
    Task,
    Field(Field),
}

fn header_kind(cell: &str, task_seen: bool) -> Option<Kind> {
    let label: String = clean(cell)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect();
    if label.is_empty() || label.chars().count() > 12 {
        return None;
    }
    if ["序号", "编号", "序"].contains(&label.as_str()) {
        return Some(Kind::Number);
    }
    if let Some(field) = roles::field_of_label(&label) {
        return Some(Kind::Field(field));
    }
    (!task_seen
        && [
            "任务", "内容", "措施", "事项", "举措", "工作", "项目", "名称", "要点", "目标", "实事",
        ]
        .iter()
        .any(|k| label.contains(k)))
    .then_some(Kind::Task)
}

/// A header row: a column of departments and a column of tasks.
pub fn header_columns(cells: &[String]) -> Option<Columns> {
    let mut columns = Columns {
        count: cells.len(),
        ..Columns::default()
    };
    for (i, cell) in cells.iter().enumerate() {
        match header_kind(cell, columns.task.is_some()) {
            Some(Kind::Number) => columns.number = Some(i),
            Some(Kind::Task) => columns.task = Some(i),
            Some(Kind::Field(f)) => columns.fields.push((i, f)),
            None => {}
        }
    }
    let has_departments = columns
        .fields
        .iter()
        .any(|f| matches!(f.1, Field::Lead | Field::Responsible | Field::Cooperating));
    (has_departments && columns.task.is_some()).then_some(columns)
}

fn para(b: &Located) -> Option<&str> {
    match &b.block {
        Block::Para(p) => Some(clean(p)),
        Block::Row(_) => None,
    }
}

fn is_row_number(line: &str) -> bool {
    !line.is_empty() && line.chars().count() <= 3 && line.chars().all(|c| c.is_ascii_digit())
}

fn looks_like_deadline(line: &str) -> bool {
    super::deadline::is_deadline_phrase(line)
        || (line.chars().count() <= 16
            && (line.contains("月") || line.contains("年底") || line.contains("季度"))
            && !line.ends_with('。'))
}

fn looks_like_person(line: &str) -> bool {
    let n = line.chars().count();
    (2..=4).contains(&n)
        && line.chars().all(|c| c > '\u{4e00}')
        && !roles::parse(line, false).is_some_and(|(r, _)| r.names_any())
}

fn looks_like_department(line: &str) -> bool {
    line.chars().count() <= 40
        && !line.ends_with('。')
        && roles::parse(line, false).is_some_and(|(r, _)| !r.lead.is_empty())
}

/// Puts flattened tables back into rows; everything else passes through unchanged.
pub fn unflatten(blocks: Vec<Located>) -> Vec<Located> {
    let mut out = Vec::with_capacity(blocks.len());
    let mut i = 0;
    while i < blocks.len() {
        // A header: at least three consecutive one-cell lines that are column names.
        let mut kinds = Vec::new();
        let mut j = i;
        while let Some(line) = blocks.get(j).and_then(para) {
            match header_kind(line, kinds.contains(&Kind::Task)) {
                Some(k) if !kinds.contains(&k) || matches!(k, Kind::Field(_)) => kinds.push(k),
                _ => break,
            }
            j += 1;
        }
        let has_departments = kinds
            .iter()
            .any(|k| matches!(k, Kind::Field(Field::Lead | Field::Responsible | Field::Cooperating)));
        if kinds.len() < 3
            || !has_departments
            || !kinds.contains(&Kind::Task)
            || kinds[0] != Kind::Number
            || !blocks.get(j).and_then(para).is_some_and(is_row_number)
        {
            out.push(blocks[i].clone());
            i += 1;
            continue;
        }
        let header: Vec<String> = blocks[i..j].iter().filter_map(para).map(str::to_string).collect();
        out.push(Located {
            line: blocks[i].line,
            block: Block::Row(header),
        });
        i = j;
        // Rows: each starts at a line holding only its number.
        while let Some(first) = blocks.get(i).and_then(para) {
            if !is_row_number(first) {
                if super::numbering::leading(first).is_some_and(|n| {
                    matches!(
                        n.style,
                        super::numbering::Style::Chinese | super::numbering::Style::ParenChinese
                    )
                }) {
                    out.push(blocks[i].clone());
                    i += 1;
                    continue;
                }
                break;
            }
            let number = first.to_string();
            let line = blocks[i].line;
            i += 1;
            let mut cells: Vec<Vec<String>> = vec![Vec::new(); kinds.len()];
            cells[0].push(number.clone());
            let mut sub = 0;
            let mut filled_after_task = false;
            while let Some(text) = blocks.get(i).and_then(para) {
                if is_row_number(text) {
                    break;
                }
                let column = |k: &dyn Fn(&Kind) -> bool| kinds.iter().position(k);
                let task_col = column(&|k| *k == Kind::Task).unwrap_or(1);
                let slot = if cells[task_col].is_empty() {
                    Some(task_col)
                } else if looks_like_deadline(text) {
                    column(&|k| *k == Kind::Field(Field::Deadline))
                } else if kinds.contains(&Kind::Field(Field::Person))
                    && looks_like_person(text)
                    && cells[column(&|k| *k == Kind::Field(Field::Person)).unwrap_or(0)].is_empty()
                {
                    column(&|k| *k == Kind::Field(Field::Person))
                } else if looks_like_department(text) {
                    // the first department column still empty, else the last one filled
                    let dept_cols: Vec<usize> = kinds
                        .iter()
                        .enumerate()
                        .filter(|(_, k)| {
                            matches!(k, Kind::Field(Field::Lead | Field::Responsible | Field::Cooperating))
                        })
                        .map(|(c, _)| c)
                        .collect();
                    dept_cols
                        .iter()
                        .copied()
                        .find(|c| cells[*c].is_empty() && !filled_after_task)
                        .or_else(|| dept_cols.iter().rev().copied().find(|c| !cells[*c].is_empty()))
                        .or(dept_cols.first().copied())
                } else {
                    None
                };
                match slot {
                    Some(c) => {
                        if c != task_col && !cells[c].is_empty() && kinds[c] == Kind::Field(Field::Deadline) {
                            cells[c].clear();
                        }
                        cells[c].push(text.to_string());
                        if c != task_col && kinds[c] == Kind::Field(Field::Deadline) {
                            filled_after_task = true;
                        }
                    }
                    None if filled_after_task => {
                        // A second task in the same row (merged cells): the row so far, then
                        // this task with the row's departments.
                        out.push(row(line, &cells));
                        sub += 1;
                        cells[0] = vec![format!("{number}.#{sub}")];
                        cells[task_col] = vec![text.to_string()];
                        for (c, k) in kinds.iter().enumerate() {
                            if *k == Kind::Field(Field::Deadline) {
                                cells[c].clear();
                            }
                        }
                        filled_after_task = false;
                    }
                    None => cells[task_col].push(text.to_string()),
                }
                i += 1;
            }
            out.push(row(line, &cells));
        }
    }
    out
}

fn row(line: usize, cells: &[Vec<String>]) -> Located {
    Located {
        line,
        block: Block::Row(cells.iter().map(|c| c.join("\n")).collect()),
    }
}
