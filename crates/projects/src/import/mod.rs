//! The project ledger from and to Excel: the 招商项目台账 (one row a project, `ledger`) and the
//! monthly figures (one row a project and month, `monthly`). Every row is checked first and
//! any problem is reported with its row, column and reason, leaving the database unchanged.
//! The export (`/projects/export.xlsx`, `export`) has the import's headers, so an exported
//! ledger re-imports as is; the import page and downloads are in `web`. Here: the columns of
//! both sheets and what the imports share.

mod export;
mod ledger;
mod monthly;
mod web;

use sea_orm::{ConnectionTrait, QueryOrder};

use super::domain::Project;
use super::entities::project;
use gaoxin_core::roles::Role;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::spreadsheet::{ColumnSpec, ImportError};

pub use export::{credit_codes, export_rows, template};
pub use ledger::import_projects;
pub use monthly::import_monthly;
pub use web::routes;

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

/// A refusal about the whole file (no row or column).
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

/// The header of a column key (the key itself when no column has it).
fn header_of(specs: &[ColumnSpec], key: &str) -> String {
    specs
        .iter()
        .find(|c| c.key == key)
        .map(|c| c.header)
        .unwrap_or(key)
        .to_string()
}

/// The zone's projects by code, as the caller may see them (an enterprise: its own).
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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use gaoxin_core::tabular;

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
    fn check_fields_name_their_columns() {
        assert_eq!(column_of_field("lead_department_id"), "lead_department");
        assert_eq!(column_of_field("total_investment"), "total_investment");
        assert_eq!(column_of_field("stage"), "stage");
        assert_eq!(header_of(PROJECT_COLUMNS, column_of_field("carrier_id")), "载体");
    }
}
