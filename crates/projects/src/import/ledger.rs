//! The 招商项目台账 import: every row read into a project and checked as the form checks it
//! (the investor's 统一社会信用代码, departments and carrier by name, dates), then all saved
//! in one transaction — a row whose 项目编号 exists updates that project, any other creates one.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};

use super::{Imported, PROJECT_COLUMNS, column_of_field, header_of, whole, zone_projects};
use crate::domain::Project;
use crate::store::{self, NewProject};
use gaoxin_core::tabular::{self, Cell};
use gaoxin_enterprises::carrier_entity as carrier;
use gaoxin_enterprises::entity as enterprise;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::entity as department;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::settings;
use gaoxin_platform::spreadsheet::{self, ImportError, Located, Row};
use gaoxin_rules::project_rules::Rulebook;

/// One ledger row turned into a project (and the project it updates, if any).
struct Parsed {
    row: u32,
    new: NewProject,
    existing: Option<Project>,
}

/// What ledger rows are checked against: the rulebook in use, the zone's departments and
/// carriers, and the projects already in the ledger by 项目编号.
struct Known {
    rules: Rulebook,
    departments: Vec<department::Model>,
    carriers: Vec<carrier::Model>,
    existing: HashMap<String, Project>,
}

async fn known(conn: &impl ConnectionTrait, scope: &Scope) -> AppResult<Known> {
    let (rules, _) = store::rulebook_in_use(conn, scope).await?;
    let departments = scope
        .select::<department::Entity>()
        .order_by_asc(department::Column::SortOrder)
        .all(conn)
        .await?;
    let carriers = scope.select::<carrier::Entity>().all(conn).await?;
    let existing = zone_projects(conn, scope)
        .await?
        .into_iter()
        .map(|p| (p.code.clone(), p))
        .collect();
    Ok(Known {
        rules,
        departments,
        carriers,
        existing,
    })
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
    let sheets = settings::read_upload(writer.read(), scope.zone_id(), file_name, bytes)
        .await
        .map_err(whole)?;
    let located = spreadsheet::locate(sheets, PROJECT_COLUMNS)?;
    let conn = writer.read();
    let known = known(conn, scope).await.map_err(internal)?;
    let mut errors: Vec<ImportError> = Vec::new();
    let mut parsed = Vec::new();
    let mut codes_seen: HashMap<String, u32> = HashMap::new();
    for row in &located.rows {
        let mut errs = RowErrors {
            located: &located,
            row,
            errors: Vec::new(),
        };
        let read = read_row(conn, scope, &known, &mut errs, &mut codes_seen, today)
            .await
            .map_err(internal)?;
        if errs.errors.is_empty() {
            parsed.push(read);
        } else {
            errors.extend(errs.errors);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if parsed.is_empty() {
        return Err(whole(format!("工作表“{}”中没有项目行", located.sheet.name)));
    }
    save(writer, scope, &located.sheet.name, parsed, today).await
}

/// The errors of one ledger row, each in its column.
struct RowErrors<'a> {
    located: &'a Located,
    row: &'a Row,
    errors: Vec<ImportError>,
}

impl RowErrors<'_> {
    fn fail(&mut self, key: &str, reason: impl Into<String>) {
        self.errors
            .push(self.located.error(self.row, key, PROJECT_COLUMNS, reason));
    }
}

/// Reads one row into a project, recording each problem in `errs` (the project is only kept
/// when there is none), and checks it as the form would. Errs only when the database fails.
async fn read_row(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    known: &Known,
    errs: &mut RowErrors<'_>,
    codes_seen: &mut HashMap<String, u32>,
    today: NaiveDate,
) -> AppResult<Parsed> {
    let row = errs.row;
    let empty = Cell::Empty;
    let cell = |k: &str| row.cells.get(k).unwrap_or(&empty);
    let text = |k: &str| tabular::text(cell(k)).unwrap_or_default();
    let code = text("code");
    if !code.is_empty() {
        if let Some(first) = codes_seen.get(&code) {
            errs.fail("code", format!("项目编号“{code}”与第 {first} 行重复"));
        } else {
            codes_seen.insert(code.clone(), row.row);
        }
    }
    let enterprise_id = enterprise_of(conn, scope, &text("uscc"), errs).await?;
    let lead_department_id = lead_of(&text("lead_department"), &known.departments, errs);
    let cooperating = cooperating_of(&text("cooperating"), &known.departments, errs);
    let carrier_id = carrier_of(&text("carrier"), &known.carriers, errs);
    let mut date = |k: &str| match tabular::date(cell(k)) {
        Ok(d) => d,
        Err(reason) => {
            errs.fail(k, reason);
            None
        }
    };
    let stage_since = date("stage_since");
    let planned_start = date("planned_start");
    let planned_production = date("planned_production");
    let before = known.existing.get(&code).cloned();
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
    match store::check(conn, scope, &known.rules, &new, today).await {
        Ok(_) => {}
        // The form's first refusal, in its column unless that column is already reported.
        Err(AppError::Validation { field, message }) => {
            let key = column_of_field(field.as_deref().unwrap_or(""));
            if !errs.errors.iter().any(|e| e.column == header_of(PROJECT_COLUMNS, key)) {
                errs.fail(key, message);
            }
        }
        Err(e) => return Err(e),
    }
    Ok(Parsed {
        row: row.row,
        new,
        existing: before,
    })
}

/// The registry enterprise a 统一社会信用代码 names (None when the cell is empty).
async fn enterprise_of(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    uscc: &str,
    errs: &mut RowErrors<'_>,
) -> AppResult<Option<i64>> {
    if uscc.is_empty() {
        return Ok(None);
    }
    let normalised = match gaoxin_core::uscc::verify_uscc(uscc) {
        Ok(n) => n,
        Err(reason) => {
            errs.fail("uscc", format!("统一社会信用代码“{uscc}”有误：{reason}"));
            return Ok(None);
        }
    };
    let found = scope
        .select::<enterprise::Entity>()
        .filter(enterprise::Column::Uscc.eq(&normalised))
        .one(conn)
        .await?;
    if found.is_none() {
        errs.fail(
            "uscc",
            format!("本园区企业库中没有统一社会信用代码为“{normalised}”的企业：请先登记该企业，或留空"),
        );
    }
    Ok(found.map(|e| e.id))
}

/// A department as written (full or short name).
fn department_id(written: &str, departments: &[department::Model]) -> Option<i64> {
    gaoxin_platform::departments::domain::match_department(
        written,
        departments
            .iter()
            .map(|d| (d.id, d.name.as_str(), d.short_name.as_deref())),
    )
}

/// The 牵头部门, which every row must name.
fn lead_of(written: &str, departments: &[department::Model], errs: &mut RowErrors<'_>) -> Option<i64> {
    if written.is_empty() {
        errs.fail("lead_department", "请填写牵头部门");
        return None;
    }
    let found = department_id(written, departments);
    if found.is_none() {
        errs.fail(
            "lead_department",
            format!("牵头部门“{written}”不在本园区部门列表中（可填部门全称或简称）"),
        );
    }
    found
}

/// The 配合部门 as written in one cell (separated by 、 or the like); those not found are
/// reported together.
fn cooperating_of(written: &str, departments: &[department::Model], errs: &mut RowErrors<'_>) -> Vec<i64> {
    let names: Vec<&str> = written
        .split(['、', ',', '，', ';', '；', '/', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let mut cooperating = Vec::new();
    let mut unknown = Vec::new();
    for name in names {
        match department_id(name, departments) {
            Some(id) => cooperating.push(id),
            None => unknown.push(name),
        }
    }
    if !unknown.is_empty() {
        errs.fail(
            "cooperating",
            format!("配合部门“{}”不在本园区部门列表中", unknown.join("、")),
        );
    }
    cooperating
}

/// The carrier named, which must be exactly one of the zone's.
fn carrier_of(written: &str, carriers: &[carrier::Model], errs: &mut RowErrors<'_>) -> Option<i64> {
    if written.is_empty() {
        return None;
    }
    let matches: Vec<i64> = carriers
        .iter()
        .filter(|c| c.name.trim() == written)
        .map(|c| c.id)
        .collect();
    match matches.as_slice() {
        [one] => Some(*one),
        [] => {
            errs.fail("carrier", format!("载体“{written}”不在本园区载体列表中"));
            None
        }
        _ => {
            errs.fail(
                "carrier",
                format!("本园区有多个名为“{written}”的载体，无法确定是哪一个"),
            );
            None
        }
    }
}

/// Saves the checked rows in the writer's transaction; a row the save still refuses stops the
/// import with that row's error.
async fn save(
    writer: &mut Writer,
    scope: &Scope,
    sheet: &str,
    parsed: Vec<Parsed>,
    today: NaiveDate,
) -> Result<Imported, Vec<ImportError>> {
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
                sheet: sheet.to_string(),
                row: p.row,
                column,
                value: String::new(),
                reason: e.to_string(),
            }]);
        }
    }
    Ok(done)
}
