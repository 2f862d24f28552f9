//! The registry record: the enterprise and its yearly rows as imports and forms read them —
//! pure parsing and validation, no database. `enterprise` holds the registry's columns and
//! record, `annual` the annual data (年度数据), `innovation` the innovation data (创新指标);
//! the two yearly sheets share the reading of their key (统一社会信用代码 + 年度) here.

use std::collections::HashMap;

use gaoxin_core::tabular::{self, Cell};
use gaoxin_core::uscc::verify_uscc;
use gaoxin_core::validate::{FieldError, required_text};

mod annual;
mod enterprise;
mod innovation;

pub use crate::status::{Scale, Status};
pub use annual::{ANNUAL_COLUMNS, AnnualRecord, parse_annual};
pub use enterprise::{ENTERPRISE_COLUMNS, EnterpriseRecord, parse_enterprise, tags_from_column, tags_to_column};
pub use innovation::{INNOVATION_COLUMNS, InnovationRecord, parse_innovation};

/// A validated enterprise (foundation fields only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterpriseInput {
    pub name: String,
    pub uscc: String,
}

/// Validates the foundation fields of an enterprise (name and 统一社会信用代码).
pub fn validate(name: &str, uscc: &str) -> Result<EnterpriseInput, FieldError> {
    Ok(EnterpriseInput {
        name: required_text("name", "企业名称", name, 200)?,
        uscc: verify_uscc(uscc).map_err(|m| FieldError::new("uscc", m))?,
    })
}

/// Years an annual row may be about.
pub const YEARS: std::ops::RangeInclusive<i32> = 1978..=2100;

/// Reads the uscc and year of a yearly row (annual or innovation data).
fn uscc_and_year(cells: &HashMap<&str, Cell>, errors: &mut Vec<(&'static str, String)>) -> (String, i32) {
    let empty = Cell::Empty;
    let cell = |key: &str| cells.get(key).unwrap_or(&empty);
    let uscc = match tabular::text(cell("uscc")) {
        None => {
            errors.push(("uscc", "统一社会信用代码不能为空".into()));
            String::new()
        }
        Some(code) => verify_uscc(&code).unwrap_or_else(|reason| {
            errors.push(("uscc", reason));
            String::new()
        }),
    };
    let year = match tabular::whole_number(cell("year")) {
        Ok(Some(y)) if YEARS.contains(&(y as i32)) => y as i32,
        Ok(Some(y)) => {
            errors.push(("year", format!("年度 {y} 不在 1978–2100 之间")));
            0
        }
        Ok(None) => {
            errors.push(("year", "年度不能为空".into()));
            0
        }
        Err(reason) => {
            errors.push(("year", reason));
            0
        }
    };
    (uscc, year)
}
