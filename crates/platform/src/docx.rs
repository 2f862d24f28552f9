//! A small .docx writer for the bulletins zones print (督查通报): headings, paragraphs and
//! tables in 仿宋/黑体 on A4, as OOXML written by hand into a zip (no extra crate).

use std::io::Write;

/// One block of the document.
#[derive(Debug, Clone)]
enum Block {
    Title(String),
    Heading(String),
    Paragraph(String),
    Right(String),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// A document under construction.
#[derive(Debug, Clone, Default)]
pub struct Document {
    blocks: Vec<Block>,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

fn run(text: &str, font: &str, half_points: u32, bold: bool) -> String {
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<w:r><w:br/></w:r>");
        }
        out.push_str(&format!(
            "<w:r><w:rPr><w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\" w:eastAsia=\"{font}\"/>{}<w:sz w:val=\"{half_points}\"/><w:szCs w:val=\"{half_points}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
            if bold { "<w:b/>" } else { "" },
            escape(line)
        ));
    }
    out
}

fn paragraph(text: &str, font: &str, half_points: u32, bold: bool, align: &str, indent: bool) -> String {
    format!(
        "<w:p><w:pPr><w:jc w:val=\"{align}\"/>{}<w:spacing w:line=\"400\" w:lineRule=\"exact\"/></w:pPr>{}</w:p>",
        if indent {
            "<w:ind w:firstLineChars=\"200\"/>"
        } else {
            ""
        },
        run(text, font, half_points, bold)
    )
}

impl Document {
    pub fn new() -> Document {
        Document::default()
    }

    /// The centred title (小标宋, 二号).
    pub fn title(mut self, text: impl Into<String>) -> Document {
        self.blocks.push(Block::Title(text.into()));
        self
    }

    /// A section heading (黑体, 三号).
    pub fn heading(mut self, text: impl Into<String>) -> Document {
        self.blocks.push(Block::Heading(text.into()));
        self
    }

    /// A body paragraph (仿宋, 三号, first line indented two characters).
    pub fn paragraph(mut self, text: impl Into<String>) -> Document {
        self.blocks.push(Block::Paragraph(text.into()));
        self
    }

    /// A right-aligned line (issuer and date).
    pub fn right(mut self, text: impl Into<String>) -> Document {
        self.blocks.push(Block::Right(text.into()));
        self
    }

    pub fn table(mut self, header: Vec<String>, rows: Vec<Vec<String>>) -> Document {
        self.blocks.push(Block::Table { header, rows });
        self
    }

    fn body(&self) -> String {
        let mut xml = String::new();
        for block in &self.blocks {
            match block {
                Block::Title(t) => xml.push_str(&paragraph(t, "方正小标宋简体", 44, false, "center", false)),
                Block::Heading(t) => xml.push_str(&paragraph(t, "黑体", 32, false, "left", true)),
                Block::Paragraph(t) => xml.push_str(&paragraph(t, "仿宋_GB2312", 32, false, "both", true)),
                Block::Right(t) => xml.push_str(&paragraph(t, "仿宋_GB2312", 32, false, "right", false)),
                Block::Table { header, rows } => {
                    xml.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>");
                    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
                        xml.push_str(&format!(
                            "<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
                        ));
                    }
                    xml.push_str("</w:tblBorders></w:tblPr>");
                    for (i, row) in std::iter::once(header).chain(rows.iter()).enumerate() {
                        xml.push_str("<w:tr>");
                        for cell in row {
                            xml.push_str("<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/></w:tcPr>");
                            xml.push_str(&format!(
                                "<w:p><w:pPr><w:jc w:val=\"{}\"/></w:pPr>{}</w:p>",
                                if i == 0 { "center" } else { "left" },
                                run(cell, if i == 0 { "黑体" } else { "仿宋_GB2312" }, 21, false)
                            ));
                            xml.push_str("</w:tc>");
                        }
                        xml.push_str("</w:tr>");
                    }
                    xml.push_str("</w:tbl><w:p/>");
                }
            }
        }
        xml
    }

    /// The .docx file.
    pub fn to_bytes(&self) -> std::io::Result<Vec<u8>> {
        let document = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>",
            self.body()
        );
        let files: [(&str, &str); 3] = [
            (
                "[Content_Types].xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>",
            ),
            (
                "_rels/.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>",
            ),
            ("word/document.xml", &document),
        ];
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in files {
            zip.start_file(name, options).map_err(std::io::Error::other)?;
            zip.write_all(content.as_bytes())?;
        }
        Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_document_reads_back() {
        let bytes = Document::new()
            .title("督查通报")
            .heading("一、总体情况")
            .paragraph("共 3 项任务 <含 & 符号>\n第二行")
            .table(
                vec!["序号".into(), "牵头部门".into()],
                vec![vec!["1".into(), "区科技局".into()]],
            )
            .to_bytes()
            .unwrap();
        let blocks = gaoxin_rules::plan_parser::source::blocks_from_bytes(&bytes).unwrap();
        let text: Vec<String> = blocks
            .into_iter()
            .map(|b| match b.block {
                gaoxin_rules::plan_parser::Block::Para(p) => p,
                gaoxin_rules::plan_parser::Block::Row(r) => r.join("|"),
            })
            .collect();
        assert_eq!(
            text,
            vec![
                "督查通报",
                "一、总体情况",
                "共 3 项任务 <含 & 符号>\n第二行",
                "序号|牵头部门",
                "1|区科技局"
            ]
        );
    }
}
