//! Targets in from Excel (the zone's 指标完成情况表 or the template): every row checked as the
//! form checks it — each refusal in its row and column —, then all saved in one transaction. A
//! row whose 期间 and 目标名称 exist updates that target; any other creates one.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use crate::domain::{TargetDraft, TargetSpec};
use crate::entities::target;
use crate::store;
use gaoxin_core::tabular::{self, Cell, ColumnSpec};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::departments::entity as department;
use gaoxin_platform::error::AppError;
use gaoxin_platform::settings;
use gaoxin_platform::spreadsheet::{self, ImportError};

/// The columns of the template (and of the export, so that an export imports back unchanged).
pub const COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "name",
        header: "目标名称",
        required: true,
        hint: "如“新认定高新技术企业”；同一期间内不重复",
    },
    ColumnSpec {
        key: "period",
        header: "期间",
        required: true,
        hint: "2026（全年）、2026-H1（上半年）、2026-Q3（季度）、2026-03（月），也可写 2026年第三季度",
    },
    ColumnSpec {
        key: "value",
        header: "目标值",
        required: true,
        hint: "数字（130、1,600、4.5）或区间（1—2）",
    },
    ColumnSpec {
        key: "unit",
        header: "单位",
        required: true,
        hint: "家、个、人、亿元、万平方米……（最多 20 字）",
    },
    ColumnSpec {
        key: "direction",
        header: "方向",
        required: false,
        hint: "不少于（默认）或 不超过",
    },
    ColumnSpec {
        key: "department",
        header: "责任部门",
        required: false,
        hint: "部门全称或简称，须与“部门管理”中的一致；空则只有管理员填报",
    },
    ColumnSpec {
        key: "profile",
        header: "月度分布",
        required: false,
        hint: "空为按月均匀；或 1—12 月的 12 个权重，逗号分隔，如 1,1,2,2,2,2,2,2,2,2,2,2",
    },
    ColumnSpec {
        key: "metric",
        header: "计算指标",
        required: false,
        hint: "空为责任部门每月填报；或填指标目录中的名称（如“新签约项目”），由系统按其定义计算",
    },
    ColumnSpec {
        key: "note",
        header: "备注",
        required: false,
        hint: "来源、口径等（最多 2000 字）",
    },
];

/// What an import did, as the registry import reports it.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct TargetImportReport {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub errors: Vec<ImportError>,
}

struct Parsed {
    spec: TargetSpec,
    department_id: Option<i64>,
    existing: Option<target::Model>,
}

/// The department a row names, as people write it (`科技局`, `区科学技术局`): the one matcher
/// every module uses.
fn department_of(name: &str, departments: &[department::Model]) -> Option<i64> {
    gaoxin_platform::departments::domain::match_department(
        name,
        departments
            .iter()
            .map(|d| (d.id, d.name.as_str(), d.short_name.as_deref())),
    )
}

/// Reads and checks every row; saves nothing unless all are clean (unless `dry_run`, then
/// nothing at all). The report's errors name sheet, row, column, value and reason.
pub async fn import(
    writer: &mut Writer,
    scope: &Scope,
    file_name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> Result<TargetImportReport, AppError> {
    let whole = |reason: String| TargetImportReport {
        errors: vec![ImportError {
            sheet: String::new(),
            row: 0,
            column: String::new(),
            value: String::new(),
            reason,
        }],
        ..Default::default()
    };
    let sheets = match settings::read_upload(writer.read(), scope.zone_id(), file_name, bytes).await {
        Ok(s) => s,
        Err(reason) => return Ok(whole(reason)),
    };
    let located = match spreadsheet::locate(sheets, COLUMNS) {
        Ok(l) => l,
        Err(errors) => {
            return Ok(TargetImportReport {
                errors,
                ..Default::default()
            });
        }
    };
    let conn = writer.read();
    let departments = scope
        .select::<department::Entity>()
        .order_by_asc(department::Column::SortOrder)
        .all(conn)
        .await?;
    let existing: HashMap<(String, String), target::Model> = scope
        .select::<target::Entity>()
        .all(conn)
        .await?
        .into_iter()
        .map(|t| ((t.period.clone(), t.name.clone()), t))
        .collect();
    let mut errors = Vec::new();
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    let empty = Cell::Empty;
    for row in &located.rows {
        let text = |k: &str| tabular::text(row.cells.get(k).unwrap_or(&empty)).unwrap_or_default();
        let mut fail = |key: &str, reason: String| errors.push(located.error(row, key, COLUMNS, reason));
        let draft = TargetDraft {
            name: text("name"),
            unit: text("unit"),
            period: text("period"),
            value: text("value"),
            direction: text("direction"),
            profile: text("profile"),
            note: text("note"),
            metric: text("metric"),
        };
        let department_name = text("department");
        let department_id = if department_name.trim().is_empty() {
            None
        } else {
            match department_of(&department_name, &departments) {
                Some(id) => Some(id),
                None => {
                    fail(
                        "department",
                        format!("部门“{}”不在本区部门名单中（或与多个部门相近）", department_name.trim()),
                    );
                    None
                }
            }
        };
        if let Err(AppError::Validation { message, .. }) = store::metric_of(Some(draft.metric.as_str())) {
            fail("metric", message);
        }
        match draft.check() {
            Ok(spec) => {
                let key = (spec.period.code(), spec.name.clone());
                if let Some(first) = seen.get(&key) {
                    fail("name", format!("与第 {first} 行重复：同一期间的目标名称不能重复"));
                    continue;
                }
                seen.insert(key.clone(), row.row);
                parsed.push(Parsed {
                    existing: existing.get(&key).cloned(),
                    spec,
                    department_id,
                });
            }
            Err(field_errors) => {
                for e in field_errors {
                    fail(&e.field, e.message);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Ok(TargetImportReport {
            errors,
            ..Default::default()
        });
    }
    if parsed.is_empty() {
        return Ok(whole(format!("工作表“{}”中没有目标行", located.sheet.name)));
    }
    let mut report = TargetImportReport::default();
    for p in parsed {
        match p.existing {
            None => {
                report.new += 1;
                if !dry_run {
                    store::create(writer, scope, p.spec, p.department_id, "import").await?;
                }
            }
            Some(before) => {
                if store::differs(&before, &p.spec, p.department_id) {
                    report.changed += 1;
                    if !dry_run {
                        store::update(writer, &before, p.spec, p.department_id).await?;
                    }
                } else {
                    report.unchanged += 1;
                }
            }
        }
    }
    Ok(report)
}

/// The rows of the export, in the template's columns.
pub fn export_row(t: &target::Model, department: Option<&str>) -> Vec<String> {
    let direction =
        gaoxin_core::schedule::Direction::of(&t.direction).unwrap_or(gaoxin_core::schedule::Direction::AtLeast);
    vec![
        t.name.clone(),
        t.period.clone(),
        match &t.value_high {
            Some(high) => format!("{}—{high}", t.value_low),
            None => t.value_low.clone(),
        },
        t.unit.clone(),
        direction.label().to_string(),
        department.unwrap_or("").to_string(),
        t.profile.clone(),
        t.metric
            .as_deref()
            .and_then(crate::metrics::by_code)
            .map(|m| m.name.to_string())
            .unwrap_or_default(),
        t.note.clone().unwrap_or_default(),
    ]
}

/// The zone's targets of `year` in the template's columns.
pub async fn export_rows<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    year: Option<i32>,
) -> Result<Vec<Vec<String>>, AppError> {
    let mut select = scope.select::<target::Entity>().order_by_asc(target::Column::Id);
    if let Some(y) = year {
        select = select.filter(target::Column::Year.eq(y));
    }
    let departments = scope.select::<department::Entity>().all(conn).await?;
    Ok(select
        .all(conn)
        .await?
        .iter()
        .map(|t| {
            let d = departments
                .iter()
                .find(|d| Some(d.id) == t.department_id)
                .map(|d| d.name.as_str());
            export_row(t, d)
        })
        .collect())
}
