//! The project ledger from and to Excel: the 招商项目台账 (one row a project) and the monthly
//! figures (one row a project and month). Every row is checked first and any problem is
//! reported with its row, column and reason, leaving the database unchanged. The export
//! (`/projects/export.xlsx`) has the import's headers, so an exported ledger re-imports as is.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};

use super::domain::{self, Book, Project};
use super::entities::project;
use super::store::{self, MonthFigures, NewProject};
use gaoxin_core::roles::{ADMINS, Role, ZONE_READERS};
use gaoxin_core::tabular::{self, Cell};
use gaoxin_enterprises::carrier_entity as carrier;
use gaoxin_enterprises::entity as enterprise;
use gaoxin_platform::AppState;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::entity as department;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::spreadsheet::{self, ColumnSpec, ImportError, Row};
use gaoxin_platform::uploads::read_form;
use gaoxin_platform::web::finish;
use gaoxin_platform::web::{Cell as XCell, PageCtx, render, render_with_status, xlsx_download, xlsx_response};

const fn col(key: &'static str, header: &'static str, required: bool, hint: &'static str) -> ColumnSpec {
    ColumnSpec {
        key,
        header,
        required,
        hint,
    }
}

/// The ledger's columns, in the order of the template and the export.
pub const PROJECT_COLUMNS: &[ColumnSpec] = &[
    col(
        "code",
        "项目编号",
        false,
        "编号已存在的更新该项目，否则新增；不填则自动编号（如 XM2026-0001）",
    ),
    col("name", "项目名称", true, "必填"),
    col("investor", "投资方", true, "必填（填了本区企业的信用代码时可不填）"),
    col(
        "uscc",
        "统一社会信用代码",
        false,
        "投资方在本园区企业库中时填写，用于关联该企业；须是企业库中已有的代码",
    ),
    col(
        "industry_code",
        "行业代码",
        false,
        "GB/T 4754-2017：门类字母或 2–4 位代码",
    ),
    col("total_investment", "总投资（万元）", true, "必填，万元，最多 6 位小数"),
    col("fixed_investment", "固定资产投资（万元）", false, "万元，不大于总投资"),
    col("source", "项目来源", false, "如 以商招商、驻外招商、展会"),
    col("officer", "招商专员", false, "姓名"),
    col("leader", "挂钩领导", false, "姓名"),
    col("lead_department", "牵头部门", true, "必填，本园区部门的全称或简称"),
    col("cooperating", "配合部门", false, "多个用顿号（、）分隔"),
    col("carrier", "载体", false, "本园区载体（园区、孵化器、楼宇）的名称"),
    col("location", "项目地点", false, ""),
    col("land_area", "用地面积（亩）", false, "亩，最多 4 位小数"),
    col(
        "stage",
        "阶段",
        false,
        "如 在谈、签约、开工；不填为第一阶段。只对新项目有效：已有项目的阶段不随导入改变，请在项目页办理转段",
    ),
    col(
        "stage_since",
        "进入阶段日期",
        false,
        "如 2026-03-01，不填为今天；新项目以此日期登记入库，已有项目不改",
    ),
    col("planned_start", "计划开工", false, "日期，如 2026-03-01"),
    col("planned_production", "计划投产", false, "日期，不早于计划开工"),
    col("planned_investment", "年度计划投资（万元）", false, "万元"),
    col("planned_output", "年度计划产值（万元）", false, "万元"),
    col("planned_tax", "年度计划税收（万元）", false, "万元"),
    col("note", "备注", false, ""),
];

const PROJECT_COUNT: usize = 23;

/// The ledger's Excel headers (import, export and template).
pub const PROJECT_HEADERS: [&str; PROJECT_COUNT] = {
    assert!(PROJECT_COLUMNS.len() == PROJECT_COUNT);
    let mut out = [""; PROJECT_COUNT];
    let mut i = 0;
    while i < PROJECT_COUNT {
        out[i] = PROJECT_COLUMNS[i].header;
        i += 1;
    }
    out
};

/// The monthly figures' columns.
pub const MONTHLY_COLUMNS: &[ColumnSpec] = &[
    col("code", "项目编号", true, "必填，台账中已有的项目编号"),
    col(
        "month",
        "月份",
        true,
        "必填，如 2026-11（或该月任一天的日期）；不能是以后的月份",
    ),
    col("planned_investment", "计划投资（万元）", false, "万元"),
    col("investment", "完成投资（万元）", false, "万元"),
    col("planned_sales", "计划开票销售（万元）", false, "万元"),
    col("sales", "开票销售（万元）", false, "万元"),
    col("planned_tax", "计划纳税（万元）", false, "万元"),
    col(
        "tax",
        "纳税（万元）",
        false,
        "万元；每行至少填一项数据，空格不改已有数据",
    ),
];

/// What a ledger import saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub created: usize,
    pub updated: usize,
}

fn whole(reason: impl Into<String>) -> Vec<ImportError> {
    vec![ImportError {
        sheet: String::new(),
        row: 0,
        column: String::new(),
        value: String::new(),
        reason: reason.into(),
    }]
}

/// The ledger column a `store::check` field is entered in.
fn column_of_field(field: &str) -> &'static str {
    match field {
        "enterprise_id" => "uscc",
        "lead_department_id" => "lead_department",
        "cooperating_department_ids" => "cooperating",
        "carrier_id" => "carrier",
        other => PROJECT_COLUMNS
            .iter()
            .find(|c| c.key == other)
            .map(|c| c.key)
            .unwrap_or(""),
    }
}

/// Department names as written in a 配合部门 cell.
fn split_names(text: &str) -> Vec<String> {
    text.split(['、', ',', '，', ';', '；', '/', '\n'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn department_id(written: &str, departments: &[department::Model]) -> Option<i64> {
    gaoxin_platform::departments::domain::match_department(
        written,
        departments
            .iter()
            .map(|d| (d.id, d.name.as_str(), d.short_name.as_deref())),
    )
}

async fn zone_projects(conn: &impl ConnectionTrait, scope: &Scope) -> AppResult<Vec<Project>> {
    let mut projects = scope
        .select::<project::Entity>()
        .order_by_asc(project::Column::Code)
        .all(conn)
        .await?;
    if scope.role() == Role::Enterprise {
        let own = scope.own_enterprise();
        projects.retain(|p| own.is_some() && p.enterprise_id == own);
    }
    Ok(projects)
}

/// One ledger row turned into a project (and the project it updates, if any).
struct Parsed {
    row: u32,
    new: NewProject,
    existing: Option<Project>,
}

/// Reads every row of the ledger, checks them all, then saves them in the writer's
/// transaction: a row whose 项目编号 exists updates that project (never its stage), any other
/// row creates one (recording its entry into the row's stage on the 进入阶段日期).
pub async fn import_projects(
    writer: &mut Writer,
    scope: &Scope,
    file_name: &str,
    bytes: &[u8],
    today: NaiveDate,
) -> Result<Imported, Vec<ImportError>> {
    let internal = |e: AppError| whole(e.to_string());
    let sheets = spreadsheet::read(file_name, bytes).map_err(whole)?;
    let located = spreadsheet::locate(sheets, PROJECT_COLUMNS)?;
    let conn = writer.read();
    let (rules, _) = store::rulebook_in_use(conn, scope).await.map_err(internal)?;
    let departments = scope
        .select::<department::Entity>()
        .order_by_asc(department::Column::SortOrder)
        .all(conn)
        .await
        .map_err(|e| internal(e.into()))?;
    let carriers = scope
        .select::<carrier::Entity>()
        .all(conn)
        .await
        .map_err(|e| internal(e.into()))?;
    let existing: HashMap<String, Project> = zone_projects(conn, scope)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|p| (p.code.clone(), p))
        .collect();
    let empty = Cell::Empty;
    let mut errors: Vec<ImportError> = Vec::new();
    let mut parsed = Vec::new();
    let mut codes_seen: HashMap<String, u32> = HashMap::new();
    for row in &located.rows {
        let cell = |k: &str| row.cells.get(k).unwrap_or(&empty);
        let text = |k: &str| tabular::text(cell(k)).unwrap_or_default();
        let mut row_errors: Vec<ImportError> = Vec::new();
        let mut fail = |k: &str, reason: String| row_errors.push(located.error(row, k, PROJECT_COLUMNS, reason));
        let code = text("code");
        if !code.is_empty() {
            if let Some(first) = codes_seen.get(&code) {
                fail("code", format!("项目编号“{code}”与第 {first} 行重复"));
            } else {
                codes_seen.insert(code.clone(), row.row);
            }
        }
        let mut enterprise_id = None;
        let uscc = text("uscc");
        if !uscc.is_empty() {
            match gaoxin_core::uscc::verify_uscc(&uscc) {
                Err(reason) => fail("uscc", format!("统一社会信用代码“{uscc}”有误：{reason}")),
                Ok(normalised) => {
                    let found = scope
                        .select::<enterprise::Entity>()
                        .filter(enterprise::Column::Uscc.eq(&normalised))
                        .one(conn)
                        .await
                        .map_err(|e| internal(e.into()))?;
                    match found {
                        Some(e) => enterprise_id = Some(e.id),
                        None => fail(
                            "uscc",
                            format!("本园区企业库中没有统一社会信用代码为“{normalised}”的企业：请先登记该企业，或留空"),
                        ),
                    }
                }
            }
        }
        let lead = text("lead_department");
        let lead_department_id = if lead.is_empty() {
            fail("lead_department", "请填写牵头部门".into());
            None
        } else {
            let found = department_id(&lead, &departments);
            if found.is_none() {
                fail(
                    "lead_department",
                    format!("牵头部门“{lead}”不在本园区部门列表中（可填部门全称或简称）"),
                );
            }
            found
        };
        let mut cooperating = Vec::new();
        let mut unknown = Vec::new();
        for name in split_names(&text("cooperating")) {
            match department_id(&name, &departments) {
                Some(id) => cooperating.push(id),
                None => unknown.push(name),
            }
        }
        if !unknown.is_empty() {
            fail(
                "cooperating",
                format!("配合部门“{}”不在本园区部门列表中", unknown.join("、")),
            );
        }
        let carrier_name = text("carrier");
        let carrier_id = if carrier_name.is_empty() {
            None
        } else {
            let matches: Vec<i64> = carriers
                .iter()
                .filter(|c| c.name.trim() == carrier_name)
                .map(|c| c.id)
                .collect();
            match matches.as_slice() {
                [one] => Some(*one),
                [] => {
                    fail("carrier", format!("载体“{carrier_name}”不在本园区载体列表中"));
                    None
                }
                _ => {
                    fail(
                        "carrier",
                        format!("本园区有多个名为“{carrier_name}”的载体，无法确定是哪一个"),
                    );
                    None
                }
            }
        };
        let mut date = |k: &str| match tabular::date(cell(k)) {
            Ok(d) => d,
            Err(reason) => {
                fail(k, reason);
                None
            }
        };
        let stage_since = date("stage_since");
        let planned_start = date("planned_start");
        let planned_production = date("planned_production");
        let before = existing.get(&code).cloned();
        let leader = text("leader");
        let mut new = NewProject {
            code,
            name: text("name"),
            enterprise_id,
            investor: text("investor"),
            industry_code: text("industry_code"),
            total_investment: text("total_investment"),
            fixed_investment: text("fixed_investment"),
            source: text("source"),
            officer: text("officer"),
            leader_account_id: None,
            leader,
            lead_department_id,
            cooperating_department_ids: cooperating,
            carrier_id,
            location: text("location"),
            parcel_id: None,
            contract_id: None,
            land_area: text("land_area"),
            stage: text("stage"),
            stage_since,
            planned_start,
            planned_production,
            planned_investment: text("planned_investment"),
            planned_output: text("planned_output"),
            planned_tax: text("planned_tax"),
            note: text("note"),
        };
        if let Some(b) = &before {
            // An import does not move a stage (that takes a transition with its evidence), and
            // what the ledger does not show stays as it was.
            new.stage = b.stage.clone();
            new.stage_since = Some(b.stage_since);
            new.parcel_id = b.parcel_id;
            new.contract_id = b.contract_id;
            if b.leader == new.leader {
                new.leader_account_id = b.leader_account_id;
            }
        }
        match store::check(conn, scope, &rules, &new, today).await {
            Ok(_) => {}
            Err(AppError::Validation { field, message }) => {
                let key = column_of_field(field.as_deref().unwrap_or(""));
                if !row_errors.iter().any(|e| e.column == header_of(PROJECT_COLUMNS, key)) {
                    row_errors.push(located.error(row, key, PROJECT_COLUMNS, message));
                }
            }
            Err(e) => return Err(internal(e)),
        }
        if row_errors.is_empty() {
            parsed.push(Parsed {
                row: row.row,
                new,
                existing: before,
            });
        } else {
            errors.extend(row_errors);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if parsed.is_empty() {
        return Err(whole(format!("工作表“{}”中没有项目行", located.sheet.name)));
    }
    let mut done = Imported { created: 0, updated: 0 };
    for p in parsed {
        let saved = match &p.existing {
            Some(before) => store::update(writer, scope, before, &p.new, today)
                .await
                .map(|_| done.updated += 1),
            None => store::create(writer, scope, &p.new, today)
                .await
                .map(|_| done.created += 1),
        };
        if let Err(e) = saved {
            let column = match &e {
                AppError::Validation { field, .. } => {
                    header_of(PROJECT_COLUMNS, column_of_field(field.as_deref().unwrap_or("")))
                }
                _ => String::new(),
            };
            return Err(vec![ImportError {
                sheet: located.sheet.name.clone(),
                row: p.row,
                column,
                value: String::new(),
                reason: e.to_string(),
            }]);
        }
    }
    Ok(done)
}

fn header_of(specs: &[ColumnSpec], key: &str) -> String {
    specs
        .iter()
        .find(|c| c.key == key)
        .map(|c| c.header)
        .unwrap_or(key)
        .to_string()
}

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

/// A month as written: `2026-11`, `2026/11`, `2026年11月`, a date, or an Excel date serial.
fn month_of(cell: &Cell) -> Result<String, String> {
    match cell {
        Cell::Date(d) => Ok(domain::month_key(*d)),
        Cell::Number(n) if *n > 100_000.0 => {
            // 202611 typed as a number.
            let n = *n as i64;
            domain::month_bounds(&format!("{}-{}", n / 100, n % 100)).map(|(first, _)| domain::month_key(first))
        }
        Cell::Number(_) => tabular::date(cell).map(|d| d.map(domain::month_key).unwrap_or_default()),
        other => {
            let raw = other.display();
            let t = raw.trim();
            if t.is_empty() {
                return Err("请填写月份，如 2026-11".into());
            }
            let as_month = t.replace(['/', '.', '年'], "-").trim_end_matches('月').to_string();
            if let Ok((first, _)) = domain::month_bounds(&as_month) {
                return Ok(domain::month_key(first));
            }
            match tabular::date(other) {
                Ok(Some(d)) => Ok(domain::month_key(d)),
                _ => Err(format!("月份“{t}”应写作 2026-11")),
            }
        }
    }
}

/// Reads every row of the monthly figures, checks them all, then saves each project's month
/// (a blank cell keeps what was entered before). Returns the number of rows saved.
pub async fn import_monthly(
    writer: &mut Writer,
    scope: &Scope,
    file_name: &str,
    bytes: &[u8],
    today: NaiveDate,
) -> Result<usize, Vec<ImportError>> {
    let internal = |e: AppError| whole(e.to_string());
    let sheets = spreadsheet::read(file_name, bytes).map_err(whole)?;
    let located = spreadsheet::locate(sheets, MONTHLY_COLUMNS)?;
    let projects: HashMap<String, Project> = zone_projects(writer.read(), scope)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|p| (p.code.clone(), p))
        .collect();
    let this_month = domain::month_key(today);
    let empty = Cell::Empty;
    let mut errors = Vec::new();
    let mut rows: Vec<(i64, MonthFigures)> = Vec::new();
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    for row in &located.rows {
        let cell = |k: &str| row.cells.get(k).unwrap_or(&empty);
        let text = |k: &str| tabular::text(cell(k)).unwrap_or_default();
        let before = errors.len();
        let mut fail = |row: &Row, k: &str, reason: String| errors.push(located.error(row, k, MONTHLY_COLUMNS, reason));
        let code = text("code");
        let project = if code.is_empty() {
            fail(row, "code", "请填写项目编号".into());
            None
        } else {
            match projects.get(&code) {
                None => {
                    fail(row, "code", format!("项目编号“{code}”不在本园区项目台账中"));
                    None
                }
                Some(p) if !store::rights(scope, p, &[]).lead => {
                    fail(row, "code", format!("无权填报项目“{code}”的月度数据"));
                    None
                }
                Some(p) => Some(p.id),
            }
        };
        let month = match month_of(cell("month")) {
            Ok(m) if m > this_month => {
                fail(row, "month", format!("月份 {m} 还没有到"));
                None
            }
            Ok(m) => Some(m),
            Err(reason) => {
                fail(row, "month", reason);
                None
            }
        };
        if let (Some(m), false) = (&month, code.is_empty()) {
            let key = (code.clone(), m.clone());
            if let Some(first) = seen.get(&key) {
                fail(row, "month", format!("项目“{code}”{m} 的数据与第 {first} 行重复"));
            } else {
                seen.insert(key, row.row);
            }
        }
        let mut any = false;
        for (key, label) in [
            ("planned_investment", "计划投资"),
            ("investment", "完成投资"),
            ("planned_sales", "计划开票销售"),
            ("sales", "开票销售"),
            ("planned_tax", "计划纳税"),
            ("tax", "纳税"),
        ] {
            match store::money(key, label, &text(key), false) {
                Ok(v) => any |= v.is_some(),
                Err(e) => {
                    any = true;
                    fail(row, key, e.to_string());
                }
            }
        }
        if !any {
            fail(row, "investment", "请至少填写一项数据".into());
        }
        if errors.len() == before
            && let (Some(id), Some(month)) = (project, month)
        {
            rows.push((
                id,
                MonthFigures {
                    month,
                    planned_investment: text("planned_investment"),
                    investment: text("investment"),
                    planned_sales: text("planned_sales"),
                    sales: text("sales"),
                    planned_tax: text("planned_tax"),
                    tax: text("tax"),
                },
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if rows.is_empty() {
        return Err(whole(format!("工作表“{}”中没有数据行", located.sheet.name)));
    }
    for (id, figures) in &rows {
        store::save_month_unchecked(writer, scope, *id, figures, today)
            .await
            .map_err(internal)?;
    }
    Ok(rows.len())
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

pub fn routes() -> Routes {
    Routes::new()
        .get("/projects/export.xlsx", Access::Roles(ZONE_READERS), export)
        .get("/projects/template.xlsx", Access::Roles(ADMINS), template_download)
        .get("/projects/import", Access::Roles(ADMINS), import_page)
        .upload("/projects/import", Access::Roles(ADMINS), upload_ledger)
        .upload("/projects/import/monthly", Access::Roles(ADMINS), upload_monthly)
}

async fn export(State(state): State<AppState>, scope: Scope) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let codes = credit_codes(state.db.conn(), &scope, &book).await?;
    xlsx_download(
        "招商项目台账.xlsx",
        "招商项目",
        &PROJECT_HEADERS,
        export_rows(&book, &codes),
    )
}

async fn template_download() -> AppResult<Response> {
    let bytes = template().map_err(|e| AppError::Internal(anyhow::anyhow!("xlsx: {e}")))?;
    xlsx_response(bytes, "招商项目导入模板.xlsx")
}

/// One column as the import page explains it.
struct Hint {
    header: &'static str,
    required: bool,
    hint: &'static str,
}

fn hints(specs: &[ColumnSpec]) -> Vec<Hint> {
    specs
        .iter()
        .map(|c| Hint {
            header: c.header,
            required: c.required,
            hint: c.hint,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: PageCtx,
    /// Which upload the errors are about: `ledger` or `monthly` (empty: none).
    refused: &'static str,
    errors: Vec<ImportError>,
    ledger: Vec<Hint>,
    monthly: Vec<Hint>,
}

fn import_page_of(ctx: PageCtx, refused: &'static str, errors: Vec<ImportError>) -> ImportPage {
    ImportPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("project_import.title", ""),
        refused,
        errors,
        ledger: hints(PROJECT_COLUMNS),
        monthly: hints(MONTHLY_COLUMNS),
    }
}

async fn import_page(ctx: PageCtx) -> AppResult<Response> {
    Ok(render(&import_page_of(ctx, "", Vec::new())))
}

const BACK: &str = "/projects/import";

/// Reads the uploaded file and imports it in one transaction: saved → back with a flash;
/// refused → the import page with every row's error (a flash cookie could not hold them).
async fn upload(
    state: &AppState,
    scope: &Scope,
    ctx: PageCtx,
    headers: &HeaderMap,
    multipart: Multipart,
    refused: &'static str,
    import: impl AsyncFnOnce(&mut Writer, &str, &[u8]) -> Result<String, Vec<ImportError>>,
) -> AppResult<Response> {
    let (_, files) = read_form(multipart, "file").await?;
    let Some((file_name, bytes)) = files.into_iter().next() else {
        return finish(
            state,
            headers,
            BACK,
            Err(AppError::field("file", "请选择要导入的 Excel 文件")),
        );
    };
    let mut writer = scope.writer(state).await?;
    match import(&mut writer, &file_name, &bytes).await {
        Ok(message) => {
            writer.commit().await?;
            finish(state, headers, BACK, Ok((BACK.to_string(), message)))
        }
        Err(errors) => {
            drop(writer);
            Ok(render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &import_page_of(ctx, refused, errors),
            ))
        }
    }
}

async fn upload_ledger(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    multipart: Multipart,
) -> AppResult<Response> {
    upload(
        &state,
        &scope,
        ctx,
        &headers,
        multipart,
        "ledger",
        async |w, name, bytes| {
            let saved = import_projects(w, &scope, name, bytes, scope.today()).await?;
            Ok(format!(
                "已导入 {name}：新增 {} 个项目，更新 {} 个项目",
                saved.created, saved.updated
            ))
        },
    )
    .await
}

async fn upload_monthly(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    headers: HeaderMap,
    multipart: Multipart,
) -> AppResult<Response> {
    upload(
        &state,
        &scope,
        ctx,
        &headers,
        multipart,
        "monthly",
        async |w, name, bytes| {
            let count = import_monthly(w, &scope, name, bytes, scope.today()).await?;
            Ok(format!("已导入 {name}：{count} 条月度数据"))
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_the_columns_and_distinct() {
        assert_eq!(PROJECT_HEADERS[0], "项目编号");
        assert_eq!(PROJECT_HEADERS[PROJECT_COUNT - 1], "备注");
        for specs in [PROJECT_COLUMNS, MONTHLY_COLUMNS] {
            let stems: HashSet<String> = specs
                .iter()
                .map(|c| {
                    let n = tabular::normalize_header(c.header);
                    tabular::header_stem(&n).to_string()
                })
                .collect();
            assert_eq!(stems.len(), specs.len(), "two headers would match the same column");
        }
    }

    #[test]
    fn months_in_the_ways_people_write_them() {
        let nov = "2026-11".to_string();
        for cell in [
            Cell::Text("2026-11".into()),
            Cell::Text("2026/11".into()),
            Cell::Text("2026年11月".into()),
            Cell::Text("2026-11-15".into()),
            Cell::Date(NaiveDate::from_ymd_opt(2026, 11, 3).unwrap()),
            Cell::Number(202611.0),
        ] {
            assert_eq!(month_of(&cell), Ok(nov.clone()), "{cell:?}");
        }
        assert!(month_of(&Cell::Text("十一月".into())).is_err());
        assert!(month_of(&Cell::Empty).is_err());
    }

    #[test]
    fn check_fields_name_their_columns() {
        assert_eq!(column_of_field("lead_department_id"), "lead_department");
        assert_eq!(column_of_field("total_investment"), "total_investment");
        assert_eq!(column_of_field("stage"), "stage");
        assert_eq!(header_of(PROJECT_COLUMNS, column_of_field("carrier_id")), "载体");
    }
}
