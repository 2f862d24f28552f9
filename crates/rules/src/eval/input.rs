//! Evaluating a CSV file (`gaoxin rules evaluate`): a column `enterprise` and one column per
//! variable, read a batch of rows at a time, with a fast path for the plain numbers most cells
//! hold.

use std::collections::HashMap;
use std::io::Read;

use rust_decimal::Decimal;

use super::{EvalFailure, Evaluator, Explanation, Outcome, TOUCH_BATCH};
use crate::expr::Value;
use crate::policy::{Policy, Slots, VarKind};
use crate::sources::Origin;

/// Evaluates a CSV: a column `enterprise` and one column per variable (named as in the rule
/// files). Empty numeric cells are 0 (the event did not happen); negative amounts are refused.
pub fn evaluate_csv<R: Read>(
    policies: &[Policy],
    slots: &Slots,
    kinds: &HashMap<String, VarKind>,
    input: R,
    year: i32,
) -> Result<Outcome, EvalFailure> {
    let mut evaluator = Evaluator::new(policies, year).map_err(|message| EvalFailure {
        row: 0,
        column: String::new(),
        message,
    })?;
    drive(
        policies,
        slots,
        kinds,
        input,
        year,
        &mut evaluator,
        |evaluator, enterprise, values, line| evaluator.case(enterprise, values, line).map(|_| true),
    )?;
    Ok(evaluator.finish())
}

/// Explains the awards of one CSV row (2 = the first data row), after evaluating the rows
/// before it so that yearly caps per recipient and budgets stand as they would.
pub fn explain_csv_row<R: Read>(
    policies: &[Policy],
    slots: &Slots,
    kinds: &HashMap<String, VarKind>,
    input: R,
    year: i32,
    target: usize,
) -> Result<Vec<Explanation>, EvalFailure> {
    let mut evaluator = Evaluator::new(policies, year).map_err(|message| EvalFailure {
        row: 0,
        column: String::new(),
        message,
    })?;
    let mut found = None;
    drive(
        policies,
        slots,
        kinds,
        input,
        year,
        &mut evaluator,
        |evaluator, enterprise, values, line| {
            if line == target {
                found = Some(evaluator.explain(enterprise, values, line)?);
                Ok(false)
            } else {
                evaluator.case(enterprise, values, line).map(|_| true)
            }
        },
    )?;
    found.ok_or(EvalFailure {
        row: target,
        column: String::new(),
        message: "文件中没有这一行".into(),
    })
}

/// Reads the CSV and hands each row's values to `on_row` (which returns false to stop), a
/// batch of rows at a time: the evaluator looks up a batch's recipients together first (see
/// [`Evaluator::touch`]).
///
/// An empty date cell is the first day of the year; a variable bound to `period.year` that has
/// no column is the year evaluated.
fn drive<R: Read>(
    policies: &[Policy],
    slots: &Slots,
    kinds: &HashMap<String, VarKind>,
    input: R,
    year: i32,
    evaluator: &mut Evaluator<'_>,
    mut on_row: impl FnMut(&mut Evaluator<'_>, &str, &[Value], usize) -> Result<bool, EvalFailure>,
) -> Result<(), EvalFailure> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| EvalFailure {
            row: 1,
            column: String::new(),
            message: format!("无法读取表头：{e}"),
        })?
        .clone();
    let position = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
    };
    let enterprise_col = position("enterprise").ok_or_else(|| EvalFailure {
        row: 1,
        column: "enterprise".into(),
        message: "缺少 enterprise 列".into(),
    })?;
    let period_year: std::collections::HashSet<&str> = policies
        .iter()
        .flat_map(|p| p.variables.iter())
        .filter(|v| v.from.is_some_and(|f| f.origin == Origin::PeriodYear))
        .map(|v| v.name.as_str())
        .collect();
    let first_day = chrono::NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| EvalFailure {
        row: 0,
        column: String::new(),
        message: format!("年度 {year} 无效"),
    })?;
    // Column of each slot; None: the slot is the year evaluated (no column in the file).
    let mut by_slot: Vec<(Option<usize>, String, VarKind)> = Vec::new();
    let mut needed: Vec<(&String, &usize)> = slots.iter().collect();
    needed.sort_by_key(|(_, i)| **i);
    for (name, _) in &needed {
        let col = match position(name) {
            Some(col) => Some(col),
            None if period_year.contains(name.as_str()) => None,
            None => {
                return Err(EvalFailure {
                    row: 1,
                    column: (*name).clone(),
                    message: format!("缺少列 {name}（规则文件中声明的变量）"),
                });
            }
        };
        by_slot.push((col, (*name).clone(), kinds[*name]));
    }
    let mut row_values = vec![Value::Num(Decimal::ZERO); by_slot.len()];
    for (slot, (col, _, _)) in by_slot.iter().enumerate() {
        if col.is_none() {
            row_values[slot] = Value::Num(Decimal::from(year));
        }
    }
    let mut batch = vec![csv::StringRecord::new(); TOUCH_BATCH];
    let mut line = 1usize;
    loop {
        // A format error is reported after the rows before it (a row before it may be the one
        // to explain).
        let mut filled = 0;
        let mut failure = None;
        while filled < TOUCH_BATCH {
            match reader.read_record(&mut batch[filled]) {
                Ok(true) => filled += 1,
                Ok(false) => break,
                Err(e) => {
                    failure = Some(EvalFailure {
                        row: line + filled + 1,
                        column: String::new(),
                        message: format!("CSV 格式错误：{e}"),
                    });
                    break;
                }
            }
        }
        evaluator.touch(
            batch[..filled]
                .iter()
                .map(|r| r.get(enterprise_col).unwrap_or("").trim()),
        );
        for record in &batch[..filled] {
            line += 1;
            for (slot, (col, name, kind)) in by_slot.iter().enumerate() {
                let Some(col) = col else { continue };
                let raw = record.get(*col).unwrap_or("");
                row_values[slot] = if *kind == VarKind::Date && raw.trim().is_empty() {
                    Value::Date(first_day)
                } else {
                    read_cell(*kind, raw).map_err(|message| EvalFailure {
                        row: line,
                        column: name.clone(),
                        message,
                    })?
                };
            }
            let enterprise = record.get(enterprise_col).unwrap_or("").trim();
            if enterprise.is_empty() {
                return Err(EvalFailure {
                    row: line,
                    column: "enterprise".into(),
                    message: "enterprise 为空".into(),
                });
            }
            if !on_row(evaluator, enterprise, &row_values, line)? {
                return Ok(());
            }
        }
        if let Some(failure) = failure {
            return Err(failure);
        }
        if filled < TOUCH_BATCH {
            return Ok(());
        }
    }
}

/// `kind.read(raw)`, with a shortcut for the usual cell of a number column: plain digits,
/// optionally a point and more digits (at most 18 in all). The value is the same exact decimal,
/// scale included; anything else (blanks, commas, signs, errors) goes to `VarKind::read`.
pub(super) fn read_cell(kind: VarKind, raw: &str) -> Result<Value, String> {
    if matches!(kind, VarKind::Money | VarKind::Number | VarKind::Count)
        && let Some(n) = plain_decimal(raw.as_bytes(), kind != VarKind::Count)
    {
        return Ok(Value::Num(n));
    }
    kind.read(raw)
}

pub(super) fn plain_decimal(bytes: &[u8], fraction: bool) -> Option<Decimal> {
    if bytes.is_empty() || bytes.len() > 18 {
        return None;
    }
    let mut mantissa = 0i64;
    let mut scale: Option<u32> = None;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + i64::from(b - b'0');
                if let Some(s) = scale.as_mut() {
                    *s += 1;
                }
            }
            b'.' if fraction && scale.is_none() && i > 0 => scale = Some(0),
            _ => return None,
        }
    }
    match scale {
        Some(0) => None,
        s => Some(Decimal::new(mantissa, s.unwrap_or(0))),
    }
}
