//! The parcel import (.xlsx/.csv) and export: the columns, the export row (which re-imports
//! unchanged), and the import itself in steps — read the file, check every row against the
//! registry, then save — all in one transaction.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, IntoActiveModel, QueryFilter};

use super::{ParcelLine, ten_thousandths};
use crate::occupant_entity as occupant;
use crate::parcel_entity::{self as parcel, Model as Parcel};
use crate::status::OccupantRole;
use gaoxin_core::tabular::{self, Cell};
use gaoxin_enterprises::carrier_entity as carrier;
use gaoxin_enterprises::entity as enterprise;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppError;
use gaoxin_platform::settings;
use gaoxin_platform::spreadsheet::{self, ColumnSpec, ImportError, Located, Row};

/// The columns of the parcel import, template and export (the export re-imports unchanged).
pub const PARCEL_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "code",
        header: "地块编号",
        required: true,
        hint: "必填，开发区内唯一（宗地号/不动产单元号）；已有的编号更新该地块",
    },
    ColumnSpec {
        key: "name",
        header: "名称",
        required: false,
        hint: "如 创新路 8 号地块",
    },
    ColumnSpec {
        key: "area",
        header: "用地面积(亩)",
        required: true,
        hint: "必填，大于 0，最多 4 位小数",
    },
    ColumnSpec {
        key: "location",
        header: "位置",
        required: false,
        hint: "坐落",
    },
    ColumnSpec {
        key: "land_use",
        header: "用途",
        required: false,
        hint: "工业、仓储、研发等，默认工业",
    },
    ColumnSpec {
        key: "supplied_on",
        header: "供地日期",
        required: false,
        hint: "如 2021-06-30",
    },
    ColumnSpec {
        key: "carrier",
        header: "所属载体",
        required: false,
        hint: "载体名称，须已在企业库登记",
    },
    ColumnSpec {
        key: "owner",
        header: "土地使用权人",
        required: false,
        hint: "统一社会信用代码，须已在企业库",
    },
    ColumnSpec {
        key: "tenants",
        header: "租赁企业",
        required: false,
        hint: "统一社会信用代码，多个用、分隔",
    },
];

/// The columns that list the enterprises on a parcel, with the role each gives them.
const ROLE_COLUMNS: [(&str, OccupantRole); 2] = [("owner", OccupantRole::Owner), ("tenants", OccupantRole::Tenant)];

/// One parcel row of an export (or a template example): the cells in `PARCEL_COLUMNS` order.
pub fn export_row(line: &ParcelLine, carriers: &HashMap<i64, String>) -> Vec<String> {
    let p = &line.parcel;
    let by_role = |role: OccupantRole| {
        line.occupants
            .iter()
            .filter(|(o, _)| o.role == role.code())
            .map(|(_, e)| e.uscc.clone())
            .collect::<Vec<_>>()
            .join("、")
    };
    vec![
        p.code.clone(),
        p.name.clone(),
        ten_thousandths(p.area).normalize().to_string(),
        p.location.clone(),
        p.land_use.clone(),
        p.supplied_on.map(|d| d.to_string()).unwrap_or_default(),
        p.carrier_id.and_then(|c| carriers.get(&c).cloned()).unwrap_or_default(),
        by_role(OccupantRole::Owner),
        by_role(OccupantRole::Tenant),
    ]
}

/// What an import did.
pub struct ParcelImport {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub occupants_added: usize,
}

/// Imports parcels from .xlsx/.csv in one transaction: every row is checked first (each error
/// names its row and column) and nothing is saved unless all are clean. A known code updates
/// its parcel; occupants are added, never removed.
pub async fn import_parcels(
    writer: &mut Writer,
    scope: &Scope,
    file_name: &str,
    bytes: &[u8],
) -> Result<ParcelImport, Vec<ImportError>> {
    let sheets = settings::read_upload(writer.read(), scope.zone_id(), file_name, bytes)
        .await
        .map_err(whole_file)?;
    let located = spreadsheet::locate(sheets, PARCEL_COLUMNS)?;
    let known = known(writer, scope).await.map_err(failed)?;
    let parsed = check_rows(&located, &known)?;
    if parsed.is_empty() {
        return Err(failed(AppError::BadRequest("文件中没有数据行".into())));
    }
    save(writer, scope, parsed, &known.parcels).await.map_err(failed)
}

/// A refusal of the whole file, with no sheet, row or column: it cannot be read, holds no
/// rows, or the database failed.
fn whole_file(reason: String) -> Vec<ImportError> {
    vec![ImportError {
        sheet: String::new(),
        row: 0,
        column: String::new(),
        value: String::new(),
        reason,
    }]
}

fn failed(e: AppError) -> Vec<ImportError> {
    whole_file(e.to_string())
}

/// What the rows are checked against: the zone's enterprises by USCC, its carriers by name and
/// its parcels by code.
struct Known {
    firms: HashMap<String, i64>,
    carriers: HashMap<String, i64>,
    parcels: HashMap<String, Parcel>,
}

async fn known(writer: &Writer, scope: &Scope) -> Result<Known, AppError> {
    let conn = writer.read();
    Ok(Known {
        firms: scope
            .select::<enterprise::Entity>()
            .all(conn)
            .await?
            .into_iter()
            .map(|e| (e.uscc, e.id))
            .collect(),
        carriers: scope
            .select::<carrier::Entity>()
            .all(conn)
            .await?
            .into_iter()
            .map(|c| (c.name, c.id))
            .collect(),
        parcels: scope
            .select::<parcel::Entity>()
            .all(conn)
            .await?
            .into_iter()
            .map(|p| (p.code.clone(), p))
            .collect(),
    })
}

/// One row, checked.
struct Parsed {
    code: String,
    name: String,
    area: i64,
    location: String,
    land_use: String,
    supplied_on: Option<NaiveDate>,
    carrier_id: Option<i64>,
    occupants: Vec<(i64, OccupantRole)>,
}

/// Checks every row: the parsed rows, or every error found.
fn check_rows(located: &Located, known: &Known) -> Result<Vec<Parsed>, Vec<ImportError>> {
    let mut errors = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut parsed = Vec::new();
    for row in &located.rows {
        if let Some(p) = check_row(located, row, known, &mut seen, &mut errors) {
            parsed.push(p);
        }
    }
    if errors.is_empty() { Ok(parsed) } else { Err(errors) }
}

/// Checks one row, adding its errors to `errors`; None when it has no usable code (or is the
/// template's hint row, which is skipped if left in). `seen` holds the codes of the rows before
/// it, with their row numbers.
fn check_row(
    located: &Located,
    row: &Row,
    known: &Known,
    seen: &mut HashMap<String, u32>,
    errors: &mut Vec<ImportError>,
) -> Option<Parsed> {
    let empty = Cell::Empty;
    let cell = |k: &str| row.cells.get(k).unwrap_or(&empty);
    if matches!(cell("code"), Cell::Text(t) if t.starts_with('（')) {
        return None;
    }
    let mut fail = |k: &str, reason: String| errors.push(located.error(row, k, PARCEL_COLUMNS, reason));
    let code = tabular::text(cell("code")).unwrap_or_default();
    if code.is_empty() || code.chars().count() > 60 {
        fail("code", "地块编号不能为空，不超过 60 字".into());
        return None;
    }
    if let Some(first) = seen.insert(code.clone(), row.row) {
        fail("code", format!("与第 {first} 行的地块编号重复"));
        return None;
    }
    let area = match tabular::quantity::<4>(cell("area")) {
        Ok(Some(a)) if a.0 > 0 => a.0,
        Ok(_) => {
            fail("area", "用地面积（亩）应大于 0".into());
            0
        }
        Err(reason) => {
            fail("area", reason);
            0
        }
    };
    let supplied_on = tabular::date(cell("supplied_on")).unwrap_or_else(|reason| {
        fail("supplied_on", reason);
        None
    });
    let carrier_id = match tabular::text(cell("carrier")) {
        None => None,
        Some(name) => match known.carriers.get(&name) {
            Some(id) => Some(*id),
            None => {
                fail("carrier", format!("企业库中没有载体“{name}”"));
                None
            }
        },
    };
    let mut occupants = Vec::new();
    for (key, role) in ROLE_COLUMNS {
        let listed = tabular::text(cell(key)).unwrap_or_default();
        for problem in add_listed(&listed, role, &known.firms, &mut occupants) {
            fail(key, problem);
        }
    }
    let text = |k: &str, default: &str, max: usize| -> String {
        tabular::text(cell(k))
            .unwrap_or_else(|| default.to_string())
            .chars()
            .take(max)
            .collect()
    };
    Some(Parsed {
        name: text("name", "", 200),
        location: text("location", "", 300),
        land_use: text("land_use", "工业", 30),
        code,
        area,
        supplied_on,
        carrier_id,
        occupants,
    })
}

/// Adds the enterprises a cell lists (USCCs separated by 、 , ； or spaces) to the row's
/// occupants with `role`; returns what is wrong with the cell.
fn add_listed(
    listed: &str,
    role: OccupantRole,
    firms: &HashMap<String, i64>,
    occupants: &mut Vec<(i64, OccupantRole)>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for uscc in listed
        .split(['、', ',', '，', ';', '；', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match firms.get(&uscc.to_uppercase()) {
            Some(id) if occupants.iter().any(|(x, _)| x == id) => {
                problems.push(format!("{uscc} 在本行出现了两次"));
            }
            Some(id) => occupants.push((*id, role)),
            None => problems.push(format!("企业库中没有统一社会信用代码为 {uscc} 的企业")),
        }
    }
    problems
}

/// Saves the checked rows, in order: each parcel, then the enterprises it lists that are not on
/// it yet.
async fn save(
    writer: &mut Writer,
    scope: &Scope,
    parsed: Vec<Parsed>,
    existing: &HashMap<String, Parcel>,
) -> Result<ParcelImport, AppError> {
    let mut report = ParcelImport {
        new: 0,
        changed: 0,
        unchanged: 0,
        occupants_added: 0,
    };
    for mut p in parsed {
        let occupants = std::mem::take(&mut p.occupants);
        let old = existing.get(&p.code);
        let saved = save_parcel(writer, p, old, &mut report).await?;
        report.occupants_added += add_occupants(writer, scope, saved.id, occupants).await?;
    }
    Ok(report)
}

/// A known code updates its parcel when anything changed; a new code is a new parcel.
async fn save_parcel(
    writer: &mut Writer,
    p: Parsed,
    old: Option<&Parcel>,
    report: &mut ParcelImport,
) -> Result<Parcel, AppError> {
    let Some(old) = old else {
        report.new += 1;
        return Ok(writer
            .insert_in_zone(parcel::ActiveModel {
                code: Set(p.code),
                name: Set(p.name),
                area: Set(p.area),
                location: Set(p.location),
                land_use: Set(p.land_use),
                supplied_on: Set(p.supplied_on),
                carrier_id: Set(p.carrier_id),
                ..Default::default()
            })
            .await?);
    };
    let same = old.name == p.name
        && old.area == p.area
        && old.location == p.location
        && old.land_use == p.land_use
        && old.supplied_on == p.supplied_on
        && old.carrier_id == p.carrier_id;
    if same {
        report.unchanged += 1;
        return Ok(old.clone());
    }
    report.changed += 1;
    let mut a = old.clone().into_active_model();
    a.name = Set(p.name);
    a.area = Set(p.area);
    a.location = Set(p.location);
    a.land_use = Set(p.land_use);
    a.supplied_on = Set(p.supplied_on);
    a.carrier_id = Set(p.carrier_id);
    Ok(writer.update_in_zone(old, a).await?)
}

/// Puts the listed enterprises that are not on the parcel yet on it; returns how many.
async fn add_occupants(
    writer: &mut Writer,
    scope: &Scope,
    parcel_id: i64,
    listed: Vec<(i64, OccupantRole)>,
) -> Result<usize, AppError> {
    let on: Vec<i64> = scope
        .select::<occupant::Entity>()
        .filter(occupant::Column::ParcelId.eq(parcel_id))
        .all(writer.read())
        .await?
        .into_iter()
        .map(|o| o.enterprise_id)
        .collect();
    let mut added = 0;
    for (enterprise_id, role) in listed.into_iter().filter(|(id, _)| !on.contains(id)) {
        writer
            .insert_in_zone(occupant::ActiveModel {
                parcel_id: Set(parcel_id),
                enterprise_id: Set(enterprise_id),
                role: Set(role.code().to_string()),
                ..Default::default()
            })
            .await?;
        added += 1;
    }
    Ok(added)
}
