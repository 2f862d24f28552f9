//! The ledger from Excel: a task list as zones keep it (序号, 工作任务, 牵头部门, 配合部门, 完成时限,
//! 目标, 进展情况, 完成比例, 状态) becomes a plan's tasks; every row is checked first and any
//! problem is reported with its row, column and reason, leaving the database unchanged. The
//! export (`/plans/ledger.xlsx`) has the same headers, so an exported ledger imports as a copy.

use chrono::NaiveDate;

use super::status::{DepartmentRole, ReportKind};
use super::store::{self, NewDepartment, NewReport, NewTarget, NewTask};
use gaoxin_core::tabular::{self, Cell};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::settings;
use gaoxin_platform::spreadsheet::{self, ColumnSpec, ImportError};
use gaoxin_rules::plan_parser as parse;

pub const LEDGER_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "seq",
        header: "序号",
        required: false,
        hint: "可选",
    },
    ColumnSpec {
        key: "reference",
        header: "任务编号",
        required: false,
        hint: "方案中的编号，如 二.(一).1",
    },
    ColumnSpec {
        key: "plan",
        header: "所属方案",
        required: false,
        hint: "导入时不读，方案名称在页面上填写",
    },
    ColumnSpec {
        key: "text",
        header: "工作任务",
        required: true,
        hint: "必填",
    },
    ColumnSpec {
        key: "lead",
        header: "牵头部门",
        required: true,
        hint: "必填，多个用顿号分隔",
    },
    ColumnSpec {
        key: "cooperating",
        header: "配合部门",
        required: false,
        hint: "多个用顿号分隔",
    },
    ColumnSpec {
        key: "deadline",
        header: "完成时限",
        required: false,
        hint: "如 6月底前、2024-09-30、全年、持续推进",
    },
    ColumnSpec {
        key: "targets",
        header: "目标",
        required: false,
        hint: "不填则从工作任务中识别量化目标",
    },
    ColumnSpec {
        key: "progress",
        header: "进展情况",
        required: false,
        hint: "导入为一条进展",
    },
    ColumnSpec {
        key: "percent",
        header: "完成比例",
        required: false,
        hint: "0–100，可带 %",
    },
    ColumnSpec {
        key: "status",
        header: "状态",
        required: false,
        hint: "导入时不读（每天按时限和进度计算）",
    },
];

/// What an import saved.
pub struct Imported {
    pub plan_id: i64,
    pub tasks: usize,
}

fn percent(cell: &Cell) -> Result<Option<i32>, String> {
    let text = match cell {
        Cell::Empty => return Ok(None),
        Cell::Number(n) if *n <= 1.0 && *n > 0.0 && n.fract() != 0.0 => return Ok(Some((n * 100.0).round() as i32)),
        other => other.display(),
    };
    let t = text.trim().trim_end_matches(['%', '％']);
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(Some(p.round() as i32)),
        _ => Err(format!("完成比例“{text}”应为 0–100 的数字")),
    }
}

/// The 完成时限 cell as written and the due date it means: a date cell, or text (`2024-09-30`,
/// `6月底前`, `全年`) read against the plan's year.
fn deadline(cell: &Cell, year: i32) -> Result<(Option<String>, Option<NaiveDate>), String> {
    Ok(match cell {
        Cell::Date(d) => (Some(d.to_string()), Some(*d)),
        Cell::Number(n) => match tabular::date(&Cell::Number(*n)) {
            Ok(Some(d)) => (Some(d.to_string()), Some(d)),
            _ => return Err(format!("完成时限“{n}”不是日期")),
        },
        other => {
            let text = other.display();
            if text.is_empty() {
                (None, None)
            } else {
                let due = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                    .ok()
                    .or_else(|| parse::deadline::due_date(&text, Some(year)));
                (Some(text), due)
            }
        }
    })
}

/// Reads every row, then saves the plan and its tasks in the writer's transaction.
pub async fn import_ledger(
    writer: &mut Writer,
    scope: &Scope,
    title: &str,
    year: i32,
    file_name: &str,
    bytes: &[u8],
    today: NaiveDate,
) -> Result<Imported, Vec<ImportError>> {
    let whole = |reason: String| {
        vec![ImportError {
            sheet: String::new(),
            row: 0,
            column: String::new(),
            value: String::new(),
            reason,
        }]
    };
    if title.trim().is_empty() {
        return Err(whole("请填写方案名称".into()));
    }
    if !(2000..=2100).contains(&year) {
        return Err(whole("年度应为四位数字，如 2024".into()));
    }
    let sheets = settings::read_upload(writer.read(), scope.zone_id(), file_name, bytes)
        .await
        .map_err(whole)?;
    let located = spreadsheet::locate(sheets, LEDGER_COLUMNS)?;
    let departments = store::departments_in(writer, scope)
        .await
        .map_err(|e| whole(e.to_string()))?;
    let empty = Cell::Empty;
    let mut errors = Vec::new();
    let mut tasks = Vec::new();
    let mut progress = Vec::new();
    for row in &located.rows {
        let cell = |k: &str| row.cells.get(k).unwrap_or(&empty);
        if matches!(cell("text"), Cell::Text(t) if t.starts_with('（')) {
            continue;
        }
        let mut fail = |k: &str, reason: String| errors.push(located.error(row, k, LEDGER_COLUMNS, reason));
        let text = tabular::text(cell("text")).unwrap_or_default();
        if text.is_empty() {
            fail("text", "工作任务不能为空".into());
            continue;
        }
        let lead = parse::roles::split_names(&tabular::text(cell("lead")).unwrap_or_default());
        if lead.is_empty() {
            fail("lead", "牵头部门不能为空".into());
            continue;
        }
        let cooperating = parse::roles::split_names(&tabular::text(cell("cooperating")).unwrap_or_default());
        let (deadline, due_date) = match deadline(cell("deadline"), year) {
            Ok(d) => d,
            Err(reason) => {
                fail("deadline", reason);
                continue;
            }
        };
        let percent = match percent(cell("percent")) {
            Ok(p) => p,
            Err(reason) => {
                fail("percent", reason);
                continue;
            }
        };
        let targets_text = tabular::text(cell("targets")).unwrap_or_default();
        let targets = parse::targets::find(if targets_text.is_empty() { &text } else { &targets_text })
            .into_iter()
            .map(|g| NewTarget {
                text: g.text,
                value: g.value.normalize().to_string(),
                unit: g.unit,
            })
            .collect();
        let mut depts = Vec::new();
        for (role, names) in [(DepartmentRole::Lead, lead), (DepartmentRole::Cooperating, cooperating)] {
            for n in names {
                depts.push(NewDepartment {
                    role: role.code().into(),
                    department_id: store::match_written(&n, &departments),
                    written: n,
                });
            }
        }
        let note = tabular::text(cell("progress")).unwrap_or_default();
        progress.push((percent, note));
        tasks.push(NewTask {
            reference: tabular::text(cell("reference")).unwrap_or_else(|| cell("seq").display()),
            section: String::new(),
            text,
            deadline,
            due_date,
            start_date: None,
            departments: depts,
            targets,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if tasks.is_empty() {
        return Err(whole("表格中没有任务行".into()));
    }
    let count = tasks.len();
    let plan = store::create_plan(writer, scope, title, year, None, Some(file_name.to_string()), tasks)
        .await
        .map_err(|e| whole(e.to_string()))?;
    let lines = store::ledger_of_plan(writer, scope, plan.id, today)
        .await
        .map_err(|e| whole(e.to_string()))?;
    for (line, (percent, note)) in lines.iter().zip(progress) {
        if percent.is_none() && note.is_empty() {
            continue;
        }
        let report = NewReport {
            kind: ReportKind::Progress.code().into(),
            note: if note.is_empty() {
                "导入台账时的进展".into()
            } else {
                note
            },
            percent: Some(percent.unwrap_or(0)),
            actuals: Vec::new(),
        };
        store::file_report(writer, scope, line.task.id, report, Vec::new(), today)
            .await
            .map_err(|e| whole(format!("第 {} 项任务：{e}", line.task.seq)))?;
    }
    Ok(Imported {
        plan_id: plan.id,
        tasks: count,
    })
}
