//! The monthly figures import (月度数据): one row a project and month, the project by its
//! 项目编号 and the month however people write it; every row checked, then each saved (a blank
//! cell keeps what was entered before).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{MONTHLY_COLUMNS, whole, zone_projects};
use crate::domain::{self, Project};
use crate::store::{self, MonthFigures};
use gaoxin_core::tabular::{self, Cell};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppError;
use gaoxin_platform::settings;
use gaoxin_platform::spreadsheet::{self, ImportError, Row};

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
    let sheets = settings::read_upload(writer.read(), scope.zone_id(), file_name, bytes)
        .await
        .map_err(whole)?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
