//! Plan parsing: a work plan as zones write it (a Word document or its text) becomes the list
//! of tasks it assigns, each with its numbering path (`ref`), text, lead and cooperating
//! departments, deadline and quantitative targets. Pure: no database, no web.
//!
//! A task is the smallest item that carries its own responsibility annotation; headings and
//! paragraphs without one are context (the task's `section`). The outline levels are taken in
//! the order the document first uses each numbering style, so any nesting of `一、` `(一)`
//! `1.` `(1)` `①` `一是` works, including item numbers that run across sections.
//!
//! The document's header (title, year, 文号) is read here; the outline and its tasks in
//! `outline`, the annotations in a line in `annotations`.

mod annotations;
pub mod deadline;
pub mod numbering;
mod outline;
pub mod roles;
pub mod source;
pub mod table;
pub mod targets;

use chrono::NaiveDate;
use serde::Serialize;

pub use source::{Block, Located, SourceError};
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
    let (tasks, mut warnings) = outline::read(blocks, roles::states_first_is_lead(&all_text), year);
    if tasks.is_empty() {
        warnings.push(Warning {
            line: None,
            message: "没有找到写明责任单位的条目。每项任务应写明牵头单位，例如“（牵头单位：区科技局；配合单位：区财政局）”或单独一行“责任单位：区科技局”".into(),
        });
    }
    for task in &tasks {
        if task.lead.is_empty() && !task.cooperating.is_empty() {
            warnings.push(Warning {
                line: Some(task.line),
                message: format!("条目 {} 只写了配合单位，没有牵头单位", task.reference),
            });
        }
    }
    ParsedPlan {
        title,
        year,
        document_number,
        tasks,
        warnings,
    }
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
