//! The ledger to Excel: the export (one row a project, with the import's headers, so that it
//! re-imports as is) and the empty import template with its instructions sheet.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter};

use super::{MONTHLY_COLUMNS, PROJECT_COLUMNS};
use crate::domain::{self, Book};
use gaoxin_enterprises::entity as enterprise;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::web::Cell as XCell;

/// 统一社会信用代码 of the enterprises the book's projects are linked to.
pub async fn credit_codes(conn: &impl ConnectionTrait, scope: &Scope, book: &Book) -> AppResult<HashMap<i64, String>> {
    let ids: HashSet<i64> = book.projects.iter().filter_map(|p| p.enterprise_id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(scope
        .select::<enterprise::Entity>()
        .filter(enterprise::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id, e.uscc))
        .collect())
}

fn date_text(d: Option<NaiveDate>) -> XCell {
    match d {
        Some(d) => XCell::Text(d.format("%Y-%m-%d").to_string()),
        None => XCell::Empty,
    }
}

fn text_cell(s: &str) -> XCell {
    if s.is_empty() {
        XCell::Empty
    } else {
        XCell::Text(s.to_string())
    }
}

/// The book's projects as ledger rows, in [`PROJECT_HEADERS`] order: amounts in 万元 and
/// areas in 亩 as exact text, the stage by its name, departments and carrier by name.
/// `credit_codes` (see [`credit_codes`]) gives the linked enterprises' codes.
pub fn export_rows(book: &Book, credit_codes: &HashMap<i64, String>) -> Vec<Vec<XCell>> {
    book.projects
        .iter()
        .map(|p| {
            let cooperating: Vec<String> = book
                .cooperation
                .iter()
                .filter(|c| c.project_id == p.id && c.problem_id.is_none())
                .map(|c| book.department(Some(c.department_id)))
                .collect();
            vec![
                text_cell(&p.code),
                text_cell(&p.name),
                text_cell(&p.investor),
                text_cell(
                    p.enterprise_id
                        .and_then(|e| credit_codes.get(&e))
                        .map(String::as_str)
                        .unwrap_or(""),
                ),
                text_cell(p.industry_code.as_deref().unwrap_or("")),
                XCell::Text(domain::wan(p.total_investment)),
                text_cell(&domain::wan_opt(p.fixed_investment)),
                text_cell(&p.source),
                text_cell(&p.officer),
                text_cell(&p.leader),
                text_cell(&book.department(p.lead_department_id)),
                text_cell(&cooperating.join("、")),
                text_cell(
                    p.carrier_id
                        .and_then(|c| book.carriers.get(&c))
                        .map(String::as_str)
                        .unwrap_or(""),
                ),
                text_cell(&p.location),
                text_cell(
                    &p.land_area
                        .map(|a| gaoxin_core::quantity::Fixed::<4>(a).to_string())
                        .unwrap_or_default(),
                ),
                XCell::Text(book.rules.stage_name(&p.stage)),
                date_text(Some(p.stage_since)),
                date_text(p.planned_start),
                date_text(p.planned_production),
                text_cell(&domain::wan_opt(p.planned_investment)),
                text_cell(&domain::wan_opt(p.planned_output)),
                text_cell(&domain::wan_opt(p.planned_tax)),
                text_cell(p.note.as_deref().unwrap_or("")),
            ]
        })
        .collect()
}

/// The import template: an empty 招商项目 sheet, an empty 月度数据 sheet, and the instructions.
pub fn template() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let text = Format::new().set_num_format("@");
    for (sheet, specs) in [("招商项目", PROJECT_COLUMNS), ("月度数据", MONTHLY_COLUMNS)] {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet)?;
        for (c, spec) in specs.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, spec.header, &bold)?;
            let width = spec.header.chars().count() as f64 * 2.2 + 2.0;
            // Text columns, so that codes and months keep what is typed.
            ws.set_column_format(c as u16, &text)?;
            ws.set_column_width(c as u16, width.max(12.0))?;
        }
        ws.set_freeze_panes(1, 0)?;
    }
    let ws = workbook.add_worksheet();
    ws.set_name("填写说明")?;
    let plain_bold = Format::new().set_bold();
    let plain = Format::new();
    let mut r = 0;
    for line in [
        "招商项目导入模板 填写说明",
        "1. “招商项目”工作表每行一个项目，“月度数据”工作表每行一个项目一个月，分别在导入页面上传。",
        "2. 列的顺序可以调整，列名须与模板一致；先检查全部行，任何一格有误时整个文件都不导入，并列出行号、列名和原因。",
        "3. 项目编号已存在的项目按表格更新（阶段不随导入改变，请在项目页办理转段），其余新增。",
        "4. 金额以万元填写，用地面积以亩填写；导出的台账可修改后直接导入。",
    ] {
        ws.write_string_with_format(r, 0, line, if r == 0 { &plain_bold } else { &plain })?;
        r += 1;
    }
    for (title, specs) in [("招商项目", PROJECT_COLUMNS), ("月度数据", MONTHLY_COLUMNS)] {
        r += 1;
        ws.write_string_with_format(r, 0, format!("{title}：列名"), &plain_bold)?;
        ws.write_string_with_format(r, 1, "是否必填", &plain_bold)?;
        ws.write_string_with_format(r, 2, "说明", &plain_bold)?;
        for spec in specs {
            r += 1;
            ws.write_string(r, 0, spec.header)?;
            ws.write_string(r, 1, if spec.required { "必填" } else { "选填" })?;
            ws.write_string(r, 2, spec.hint)?;
        }
    }
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 10)?;
    ws.set_column_width(2, 90)?;
    workbook.save_to_buffer()
}
