//! From the bytes a user gives (a .txt in UTF-8 or GB18030, a .docx, pasted text) to the plan's
//! blocks: paragraphs, and table rows with their cells. Binary junk is refused with a reason.

use std::io::Read;

use quick_xml::events::Event;

/// One unit of the document: a paragraph (a line of text) or a table row.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Para(String),
    Row(Vec<String>),
}

/// A block with the 1-based line (paragraph or row) it came from.
#[derive(Debug, Clone)]
pub struct Located {
    pub line: usize,
    pub block: Block,
}

/// Why the bytes cannot be read as a plan.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    #[error("文件是空的")]
    Empty,
    #[error("不是文本文件或 .docx 文件（含有二进制内容）；请上传 .txt（UTF-8 或 GB18030）或 .docx，或直接粘贴文字")]
    Binary,
    #[error("这是旧版 Word（.doc）文件，无法读取；请在 Word/WPS 中另存为 .docx 后上传")]
    LegacyWord,
    #[error(".docx 文件无法打开：{0}")]
    Docx(String),
    #[error("方案正文过长：超过 {} 万字（约 {} MB）；请拆分后分别上传", MAX_PLAN_BYTES / 3 / 10_000, MAX_PLAN_BYTES / 1_000_000)]
    TooLong,
}

/// The most text a plan may hold (UTF-8 bytes; about two million Chinese characters, some
/// fifty times the longest 工作报告 in the seeds): what is parsed, and so what is answered, is
/// bounded whatever the file.
pub const MAX_PLAN_BYTES: usize = 6_000_000;

/// Reads a plan's bytes, whatever the user gave.
pub fn blocks_from_bytes(bytes: &[u8]) -> Result<Vec<Located>, SourceError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SourceError::Empty);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(SourceError::LegacyWord);
    }
    let blocks = if bytes.starts_with(b"PK\x03\x04") {
        docx_blocks(bytes)?
    } else {
        if bytes.len() > MAX_PLAN_BYTES * 2 {
            return Err(SourceError::TooLong);
        }
        blocks_from_text(&decode(bytes)?)
    };
    let text_bytes: usize = blocks
        .iter()
        .map(|b| match &b.block {
            Block::Para(p) => p.len(),
            Block::Row(cells) => cells.iter().map(String::len).sum(),
        })
        .sum();
    if text_bytes > MAX_PLAN_BYTES {
        return Err(SourceError::TooLong);
    }
    Ok(blocks)
}

/// UTF-8 (with or without BOM), else GB18030, as Chinese offices save text files.
fn decode(bytes: &[u8]) -> Result<String, SourceError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(SourceError::Binary);
            }
            text.into_owned()
        }
    };
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if controls * 50 > text.chars().count().max(1) || text.contains('\0') {
        return Err(SourceError::Binary);
    }
    Ok(text)
}

/// Lines of text; a line with tab-separated or `|`-separated cells is a table row.
pub fn blocks_from_text(text: &str) -> Vec<Located> {
    let mut out = Vec::new();
    // A table laid out with runs of spaces (copied from a PDF): from a header row of column
    // names until a line that is not split into cells.
    let mut spaced_table = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches(['\r', '\u{c}']);
        if line.trim().is_empty() {
            continue;
        }
        if is_table_rule(line) {
            continue;
        }
        let spaced = spaced_cells(line);
        if spaced
            .as_ref()
            .is_some_and(|c| super::table::header_columns(c).is_some())
        {
            spaced_table = true;
        } else if spaced.is_none() {
            spaced_table = false;
        }
        let block = if let Some(cells) = row_cells(line) {
            Block::Row(cells)
        } else if let (true, Some(cells)) = (spaced_table, spaced) {
            Block::Row(cells)
        } else {
            Block::Para(line.to_string())
        };
        out.push(Located { line: i + 1, block });
    }
    out
}

/// Cells separated by two or more spaces (or an ideographic space), when there are at least three.
fn spaced_cells(line: &str) -> Option<Vec<String>> {
    let mut cells = Vec::new();
    let mut current = String::new();
    let mut spaces = 0;
    for c in line.trim().chars() {
        if c == ' ' || c == '\u{3000}' {
            spaces += if c == '\u{3000}' { 2 } else { 1 };
            continue;
        }
        if spaces >= 2 && !current.is_empty() {
            cells.push(std::mem::take(&mut current));
        } else if spaces == 1 {
            current.push(' ');
        }
        spaces = 0;
        current.push(c);
    }
    if !current.is_empty() {
        cells.push(current);
    }
    (cells.len() >= 3).then_some(cells)
}

/// A Markdown table's rule line (`|---|---|`).
fn is_table_rule(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.contains('-') && t.chars().all(|c| matches!(c, '-' | ':' | '|' | ' '))
}

fn row_cells(line: &str) -> Option<Vec<String>> {
    let trimmed = line.trim();
    if trimmed.starts_with('|') && trimmed.ends_with('|') && trimmed.len() > 2 {
        let inner = &trimmed[1..trimmed.len() - 1];
        return Some(inner.split('|').map(|c| c.trim().to_string()).collect());
    }
    if line.contains('\t') {
        return Some(line.split('\t').map(|c| c.trim().to_string()).collect());
    }
    None
}

const MAX_DOCX_XML: u64 = 64 * 1024 * 1024;

fn docx_blocks(bytes: &[u8]) -> Result<Vec<Located>, SourceError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| SourceError::Docx(format!("不是有效的压缩包（{e}）")))?;
    let mut xml = String::new();
    {
        let entry = archive
            .by_name("word/document.xml")
            .map_err(|_| SourceError::Docx("缺少 word/document.xml，不是 Word 文档".into()))?;
        if entry.size() > MAX_DOCX_XML {
            return Err(SourceError::Docx("正文超过 64 MB".into()));
        }
        entry
            .take(MAX_DOCX_XML)
            .read_to_string(&mut xml)
            .map_err(|e| SourceError::Docx(format!("正文无法读取（{e}）")))?;
    }
    docx_xml_blocks(&xml).map_err(SourceError::Docx)
}

/// Paragraphs become lines; a table row becomes a row of cells (a cell's paragraphs joined by
/// newlines). A vertically merged cell repeats the text of the cell above, as a reader sees it.
pub fn docx_xml_blocks(xml: &str) -> Result<Vec<Located>, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut table_depth = 0usize;
    let mut paragraph = String::new();
    let mut in_text = false;
    let mut cell = String::new();
    let mut cell_merged_continue = false;
    let mut cells: Vec<(String, bool)> = Vec::new();
    let mut above: Vec<String> = Vec::new();
    let mut line = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("第 {} 字节处 XML 有误（{e}）", reader.buffer_position()))?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                "tbl" => {
                    table_depth += 1;
                    above.clear();
                }
                "t" => in_text = true,
                "tr" if table_depth == 1 => cells.clear(),
                "tc" if table_depth == 1 => {
                    cell.clear();
                    cell_merged_continue = false;
                }
                "vMerge" => cell_merged_continue = !has_attr_value(&e, "restart"),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "tab" => paragraph.push('\t'),
                "br" | "cr" => paragraph.push('\n'),
                "vMerge" => cell_merged_continue = !has_attr_value(&e, "restart"),
                _ => {}
            },
            Event::Text(t) if in_text => paragraph.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    paragraph.push(c);
                } else {
                    paragraph.push_str(match &*r {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => {
                    let text = std::mem::take(&mut paragraph);
                    if table_depth > 0 {
                        if !cell.is_empty() && !text.trim().is_empty() {
                            cell.push('\n');
                        }
                        cell.push_str(text.trim());
                    } else if !text.trim().is_empty() {
                        line += 1;
                        out.push(Located {
                            line,
                            block: Block::Para(text),
                        });
                    }
                }
                "tc" if table_depth == 1 => cells.push((std::mem::take(&mut cell), cell_merged_continue)),
                "tr" if table_depth == 1 => {
                    let mut row = Vec::with_capacity(cells.len());
                    for (i, (text, merged)) in cells.drain(..).enumerate() {
                        if merged && text.is_empty() {
                            row.push(above.get(i).cloned().unwrap_or_default());
                        } else {
                            row.push(text);
                        }
                    }
                    above = row.clone();
                    if row.iter().any(|c| !c.trim().is_empty()) {
                        line += 1;
                        out.push(Located {
                            line,
                            block: Block::Row(row),
                        });
                    }
                }
                "tbl" => table_depth = table_depth.saturating_sub(1),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn has_attr_value(e: &quick_xml::events::BytesStart, value: &str) -> bool {
    e.attributes().flatten().any(|a| a.value.as_ref() == value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_lines_and_tab_rows() {
        let blocks = blocks_from_text(
            "一、总体要求\n\n1\t建设平台\t区科技局\t财政局\n| 2 | 引进人才 | 人社局 |\n|---|---|---|\n",
        );
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[0].line, 1);
        assert_eq!(
            blocks[1].block,
            Block::Row(vec!["1".into(), "建设平台".into(), "区科技局".into(), "财政局".into()])
        );
        assert_eq!(blocks[1].line, 3);
        assert_eq!(
            blocks[2].block,
            Block::Row(vec!["2".into(), "引进人才".into(), "人社局".into()])
        );
    }

    #[test]
    fn junk_and_legacy_word_are_refused() {
        assert_eq!(blocks_from_bytes(b"").unwrap_err(), SourceError::Empty);
        assert_eq!(
            blocks_from_bytes(&[0xD0, 0xCF, 0x11, 0xE0, 1, 2]).unwrap_err(),
            SourceError::LegacyWord
        );
        let junk: Vec<u8> = (0..4000u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert_eq!(blocks_from_bytes(&junk).unwrap_err(), SourceError::Binary);
        assert!(matches!(
            blocks_from_bytes(b"PK\x03\x04garbage").unwrap_err(),
            SourceError::Docx(_)
        ));
    }

    #[test]
    fn gb18030_text_is_decoded() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("一、任务（牵头单位：区科技局）");
        let blocks = blocks_from_bytes(&bytes).unwrap();
        assert_eq!(blocks[0].block, Block::Para("一、任务（牵头单位：区科技局）".into()));
    }

    #[test]
    fn docx_paragraphs_and_merged_cells() {
        let xml = r#"<w:document xmlns:w="x"><w:body>
<w:p><w:r><w:t>一、重点任务</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>序号</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>牵头单位</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>区科技局&amp;财政局</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr>
</w:tbl><w:p><w:r><w:t xml:space="preserve">二、保障</w:t></w:r></w:p></w:body></w:document>"#;
        let blocks = docx_xml_blocks(xml).unwrap();
        let got: Vec<Block> = blocks.into_iter().map(|b| b.block).collect();
        assert_eq!(
            got,
            vec![
                Block::Para("一、重点任务".into()),
                Block::Row(vec!["序号".into(), "牵头单位".into()]),
                Block::Row(vec!["1".into(), "区科技局&财政局".into()]),
                Block::Row(vec!["2".into(), "区科技局&财政局".into()]),
                Block::Para("二、保障".into()),
            ]
        );
    }
}
