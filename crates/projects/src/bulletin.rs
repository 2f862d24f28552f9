//! The monthly project bulletin (一月一通报) as a .docx to print and an .xlsx with one sheet per
//! section. Both are written from the `Bulletin` the book computes; the sections, their
//! headers and the rows are the same in both files (`sections`). Pure: no web framework, no
//! database.

use chrono::Datelike;
use rust_decimal::Decimal;

use super::domain::{self, Bulletin};

/// A cell of a bulletin table: text, or a count / an exact number the sheet keeps numeric.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Count(usize),
    /// 亿元 (exact; written to the sheet as a number).
    Yi(Decimal),
}

impl Value {
    pub fn text(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Count(n) => n.to_string(),
            Value::Yi(d) => d.round_dp(2).normalize().to_string(),
        }
    }
}

/// One section of the bulletin: its heading, the sheet's name, the table.
#[derive(Debug, Clone)]
pub struct Section {
    /// `一、项目总体情况`.
    pub heading: &'static str,
    /// The worksheet's name (≤ 31 characters).
    pub sheet: &'static str,
    pub header: &'static [&'static str],
    pub rows: Vec<Vec<Value>>,
}

fn t(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn yi(fen: i64) -> Value {
    Value::Yi(Decimal::from(fen) / Decimal::from(10_000_000_000_i64))
}

/// The seven sections, in order.
pub fn sections(b: &Bulletin) -> Vec<Section> {
    let mut overall: Vec<Vec<Value>> = b
        .stages
        .iter()
        .map(|s| {
            vec![
                t(&s.name),
                Value::Count(s.count),
                Value::Count(s.major),
                yi(s.amount),
                Value::Count(s.stalled),
            ]
        })
        .collect();
    overall.push(vec![
        t("合计"),
        Value::Count(b.stages.iter().map(|s| s.count).sum()),
        Value::Count(b.stages.iter().map(|s| s.major).sum()),
        yi(b.stages.iter().map(|s| s.amount).sum()),
        Value::Count(b.stages.iter().map(|s| s.stalled).sum()),
    ]);
    vec![
        Section {
            heading: "一、项目总体情况",
            sheet: "项目总体情况",
            header: &["阶段", "项目数", "其中超亿元", "总投资（亿元）", "停滞"],
            rows: overall,
        },
        Section {
            heading: "二、本月转段项目",
            sheet: "本月转段项目",
            header: &["项目编号", "项目名称", "由", "转入", "日期", "凭证"],
            rows: b
                .moved
                .iter()
                .map(|m| {
                    vec![
                        t(&m.code),
                        t(&m.name),
                        t(if m.from.is_empty() { "（新入库）" } else { &m.from }),
                        t(&m.to),
                        t(m.on.to_string()),
                        t(&m.evidence),
                    ]
                })
                .collect(),
        },
        Section {
            heading: "三、进度滞后项目",
            sheet: "进度滞后项目",
            header: &["项目", "牵头部门", "阶段", "滞后情况"],
            rows: b
                .behind
                .iter()
                .map(|l| {
                    vec![
                        t(format!("{} {}", l.code, l.name)),
                        t(&l.department),
                        t(&l.stage),
                        t(l.reasons_text()),
                    ]
                })
                .collect(),
        },
        Section {
            heading: "四、逾期未解决问题",
            sheet: "逾期未解决问题",
            header: &["项目", "问题", "牵头部门", "时限", "状态说明"],
            rows: b
                .overdue
                .iter()
                .map(|q| {
                    vec![
                        t(format!("{} {}", q.project_code, q.project_name)),
                        t(&q.problem.title),
                        t(&q.lead_name),
                        t(q.problem.deadline.to_string()),
                        t(&q.reason),
                    ]
                })
                .collect(),
        },
        Section {
            heading: "五、本月解决的问题",
            sheet: "本月解决的问题",
            header: &["项目", "问题", "牵头部门", "解决日期", "办理结果"],
            rows: b
                .resolved
                .iter()
                .map(|q| {
                    vec![
                        t(format!("{} {}", q.project_code, q.project_name)),
                        t(&q.problem.title),
                        t(&q.lead_name),
                        t(q.problem.resolved_on.map(|d| d.to_string()).unwrap_or_default()),
                        t(q.problem.answer.clone().unwrap_or_default()),
                    ]
                })
                .collect(),
        },
        Section {
            heading: "六、停滞项目",
            sheet: "停滞项目",
            header: &["项目", "挂钩领导", "说明"],
            rows: b
                .stalled
                .iter()
                .map(|(code, name, leader, why)| {
                    vec![
                        t(format!("{code} {name}")),
                        t(if leader.is_empty() { "未定" } else { leader }),
                        t(why),
                    ]
                })
                .collect(),
        },
        Section {
            heading: "七、部门情况",
            sheet: "部门情况",
            header: &["部门", "牵头项目", "本月转段", "在办问题", "逾期问题", "本月解决"],
            rows: b
                .departments
                .iter()
                .map(|d| {
                    vec![
                        t(&d.name),
                        Value::Count(d.projects),
                        Value::Count(d.moved),
                        Value::Count(d.problems_open),
                        Value::Count(d.problems_overdue),
                        Value::Count(d.problems_resolved),
                    ]
                })
                .collect(),
        },
    ]
}

/// `2026-11` → `2026年11月`.
fn month_text(month: &str) -> String {
    match month.split_once('-') {
        Some((y, m)) => format!("{y}年{}月", m.trim_start_matches('0')),
        None => month.to_string(),
    }
}

/// The opening paragraph: totals as of the month's end.
pub fn summary(b: &Bulletin) -> String {
    let amount: i64 = b.stages.iter().map(|s| s.amount).sum();
    let major: usize = b.stages.iter().map(|s| s.major).sum();
    let stalled: usize = b.stages.iter().map(|s| s.stalled).sum();
    format!(
        "截至{}年{}月{}日，项目库共有项目{}个，总投资{}亿元，其中超亿元项目{}个。本月转段{}次，进度滞后项目{}个，停滞项目{}个；逾期未解决问题{}个，本月解决问题{}个。",
        b.as_of.year(),
        b.as_of.month(),
        b.as_of.day(),
        b.total,
        domain::yi(amount),
        major,
        b.moved.len(),
        b.behind.len(),
        stalled,
        b.overdue.len(),
        b.resolved.len()
    )
}

/// The bulletin as a .docx to print.
pub fn to_docx(b: &Bulletin, zone_name: &str) -> std::io::Result<Vec<u8>> {
    let mut doc = gaoxin_platform::docx::Document::new()
        .title(format!("{zone_name}重大项目推进情况通报（{}）", month_text(&b.month)))
        .paragraph(summary(b));
    for s in sections(b) {
        doc = doc.heading(s.heading);
        if s.rows.is_empty() {
            doc = doc.paragraph("无。");
        } else {
            doc = doc.table(
                s.header.iter().map(|h| h.to_string()).collect(),
                s.rows.iter().map(|r| r.iter().map(Value::text).collect()).collect(),
            );
        }
    }
    doc.paragraph("请各牵头部门对照滞后项目和逾期问题，逐项分析原因、明确措施和时限，加快推进。")
        .paragraph(format!("计算依据：{}。", b.rulebook))
        .right(format!("{zone_name}管委会"))
        .right(format!("{}年{}月{}日", b.as_of.year(), b.as_of.month(), b.as_of.day()))
        .to_bytes()
}

fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// The bulletin as an .xlsx: one worksheet per section, the same headers.
pub fn to_xlsx(b: &Bulletin) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Color, Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| format!("无法生成通报表格：{e}");
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color(Color::RGB(0xE8EEF7));
    let two = Format::new().set_num_format("0.00");
    for s in sections(b) {
        let ws = workbook.add_worksheet();
        ws.set_name(s.sheet.chars().take(31).collect::<String>())
            .map_err(fail)?;
        let mut widths: Vec<usize> = s.header.iter().map(|h| width(h)).collect();
        for (c, h) in s.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold).map_err(fail)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, v) in row.iter().enumerate() {
                let col = c as u16;
                match v {
                    Value::Text(text) => ws
                        .write_string(r, col, gaoxin_core::tabular::excel_text(text))
                        .map(|_| ()),
                    Value::Count(n) => ws.write_number(r, col, *n as f64).map(|_| ()),
                    // The sheet's number at the file boundary; the text is the exact value.
                    Value::Yi(d) => ws
                        .write_number_with_format(r, col, f64::try_from(*d).unwrap_or(0.0), &two)
                        .map(|_| ()),
                }
                .map_err(fail)?;
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(width(&v.text()));
                }
            }
        }
        if s.rows.is_empty() {
            ws.write_string(1, 0, "无").map_err(fail)?;
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, (*w + 2).min(60) as f64).map_err(fail)?;
        }
        ws.set_freeze_panes(1, 0).map_err(fail)?;
    }
    let info = workbook.add_worksheet();
    info.set_name("说明").map_err(fail)?;
    for (r, line) in [
        format!("重大项目推进情况通报（{}）", month_text(&b.month)),
        summary(b),
        format!("截至日期：{}", b.as_of),
        format!("计算依据：{}", b.rulebook),
    ]
    .iter()
    .enumerate()
    {
        info.write_string(r as u32, 0, line).map_err(fail)?;
    }
    info.set_column_width(0, 100).map_err(fail)?;
    workbook.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DepartmentCounts, MovedLine, StageColumn};
    use chrono::NaiveDate;

    fn bulletin() -> Bulletin {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        Bulletin {
            month: "2026-11".into(),
            as_of: day("2026-11-30"),
            rulebook: "重大项目推进规则（示例）（版本 0123456789ab）".into(),
            stages: vec![
                StageColumn {
                    key: "negotiating".into(),
                    name: "在谈".into(),
                    count: 3,
                    major: 2,
                    amount: 25_000 * 1_000_000,
                    stalled: 1,
                },
                StageColumn {
                    key: "signed".into(),
                    name: "签约".into(),
                    count: 1,
                    major: 1,
                    amount: 12_345_678_900,
                    stalled: 0,
                },
            ],
            total: 4,
            moved: vec![MovedLine {
                code: "XM2026-0001".into(),
                name: "年产5万吨锂电池隔膜项目".into(),
                from: "在谈".into(),
                to: "签约".into(),
                on: day("2026-11-05"),
                evidence: "HT-2026-031".into(),
            }],
            behind: Vec::new(),
            overdue: Vec::new(),
            resolved: Vec::new(),
            departments: vec![DepartmentCounts {
                name: "投资促进局".into(),
                projects: 4,
                moved: 1,
                problems_open: 0,
                problems_overdue: 0,
                problems_resolved: 0,
            }],
            stalled: vec![(
                "XM2025-0003".into(),
                "智能装备产业园二期".into(),
                String::new(),
                "停滞：在谈阶段已 200 天".into(),
            )],
        }
    }

    #[test]
    fn sections_carry_the_totals_and_the_exact_amounts() {
        let s = sections(&bulletin());
        assert_eq!(s.len(), 7);
        assert_eq!(s[0].rows.len(), 3, "two stages and the total");
        assert_eq!(s[0].rows[0][3].text(), "2.5");
        assert_eq!(s[0].rows[1][3].text(), "1.23");
        assert_eq!(s[0].rows[2][1], Value::Count(4));
        assert_eq!(s[1].rows[0][5].text(), "HT-2026-031");
        assert!(s[2].rows.is_empty());
        assert_eq!(s[5].rows[0][1].text(), "未定");
        assert!(s.iter().all(|x| x.sheet.chars().count() <= 31));
        assert!(
            summary(&bulletin()).contains("总投资3.73亿元"),
            "{}",
            summary(&bulletin())
        );
    }

    #[test]
    fn docx_and_xlsx_are_written() {
        let b = bulletin();
        let docx = to_docx(&b, "测试高新区").unwrap();
        assert_eq!(&docx[..2], b"PK");
        let xlsx = to_xlsx(&b).unwrap();
        assert_eq!(&xlsx[..2], b"PK");
        assert_eq!(month_text("2026-01"), "2026年1月");
    }
}
