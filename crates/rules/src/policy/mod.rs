//! Policy files: one TOML file per policy, read next to the policy document by the department
//! that owns it. A file names the policy (id, title, 文号, issuer, dates), declares the variables
//! its conditions read (name, Chinese label, type, unit), may define named intermediate steps,
//! and lists the articles — each with its text verbatim and the awards it defines. Tests live in
//! the same file. A file's SHA-256 is its version.
//!
//! Every expression is parsed, type-checked and compiled when the file is loaded; any mistake is
//! reported as `file:line:column: what is wrong`.
//!
//! The model of a loaded policy, its errors and what every rule kind shares when loading are
//! here; reading and compiling a policy file is in `load`.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::expr::{self, Compiled, Expr, Op, line_col};
use super::sources::{EventKind, Source};

mod load;

pub use load::{Expectation, PaidBefore, TestToml, load, load_path};

/// One part of a condition joined by `and`.
pub struct Conjunct {
    /// The part as written (re-printed from the syntax tree).
    pub source: String,
    pub test: Compiled,
    /// For `a < b`, `a <= b`, `a > b`, `a >= b` on numbers: both sides and the operator.
    pub sides: Option<(Compiled, Compiled, Op)>,
}

pub use super::sources::VarKind;

/// A mistake in a rule file, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

impl std::error::Error for RuleError {}

/// A named intermediate step (policy and criteria files alike).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepToml {
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) expr: Spanned<String>,
}

#[derive(Clone, Debug)]
pub struct Variable {
    pub name: String,
    pub label: String,
    pub kind: VarKind,
    pub unit: Option<String>,
    pub from: Option<&'static Source>,
}

pub struct Step {
    pub name: String,
    pub label: String,
    pub source: String,
    pub compiled: Compiled,
}

/// Who receives an award.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Beneficiary {
    Enterprise,
    Institution,
    Talent,
}

pub struct Award {
    pub id: String,
    pub name: String,
    pub article_id: String,
    pub article_text: String,
    pub beneficiary: Beneficiary,
    /// 免申即享 (true) or on application (快申快享).
    pub without_application: bool,
    /// The event kind it is paid on; `None`: once per recipient and year.
    pub on: Option<EventKind>,
    pub when_source: Option<String>,
    pub when: Option<Compiled>,
    /// Local slots (variables and steps) the condition reads, for explanations.
    pub when_inputs: Vec<usize>,
    /// The condition's parts joined by `and`, for matching (empty: no condition).
    pub conjuncts: Vec<Conjunct>,
    pub amount_source: String,
    pub amount: Compiled,
    pub amount_inputs: Vec<usize>,
    pub cap_per_item: Option<Decimal>,
    pub cap_per_recipient_year: Option<Decimal>,
    /// Over all years: what earlier approved batches paid counts against it.
    pub cap_per_recipient_total: Option<Decimal>,
    pub budget: Option<Decimal>,
}

pub struct Policy {
    pub id: String,
    pub title: String,
    pub document_number: String,
    pub issuer: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub example: bool,
    pub source: Option<String>,
    /// The yearly budget of the whole policy (all its awards together).
    pub budget: Option<Decimal>,
    pub variables: Vec<Variable>,
    pub steps: Vec<Step>,
    pub awards: Vec<Award>,
    pub tests: Vec<TestToml>,
    /// For each of its variables, the index of that variable in the shared input row.
    pub var_globals: Vec<usize>,
    /// Name and label of each local slot: the variables, then the steps in evaluation order.
    pub slot_names: Vec<(String, String)>,
    /// SHA-256 of the file: the policy's version.
    pub version: String,
    pub file: String,
}

impl Policy {
    /// Whether the policy is in force on a day (an event's date).
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        date >= self.effective_from && self.effective_to.is_none_or(|to| date <= to)
    }

    /// Whether the policy is in force at some point of the year.
    pub fn in_force(&self, year: i32) -> bool {
        let (start, end) = (
            NaiveDate::from_ymd_opt(year, 1, 1).expect("a year"),
            NaiveDate::from_ymd_opt(year, 12, 31).expect("a year"),
        );
        self.effective_from <= end && self.effective_to.is_none_or(|to| to >= start)
    }
}

/// Where the global variable slots are: the union of the variables of several policies.
pub type Slots = HashMap<String, usize>;

/// The declared type of every variable of a set of policies.
pub type Kinds = HashMap<String, VarKind>;

/// Policies loaded together, with their shared input slots and variable types.
pub type Loaded = (Vec<Policy>, Slots, Kinds);

/// Where a rule file's mistakes are reported: its name and text.
pub(crate) struct Ctx<'a> {
    pub(crate) file: &'a str,
    pub(crate) source: &'a str,
}

impl Ctx<'_> {
    pub(crate) fn at(&self, offset: usize, message: impl Into<String>) -> RuleError {
        let (line, column) = line_col(self.source, offset);
        RuleError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    /// An error inside the expression held by a TOML string value.
    pub(crate) fn in_expr(&self, value: &Spanned<String>, offset: usize, message: &str) -> RuleError {
        // +1 skips the opening quote of a basic string.
        self.at(value.span().start + 1 + offset, message)
    }
}

pub(crate) fn parse_date(ctx: &Ctx, field: &str, raw: &str) -> Result<NaiveDate, RuleError> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        let offset = ctx.source.find(raw).unwrap_or(0);
        ctx.at(offset, format!("{field} 应为日期，如 2020-03-31，不是“{raw}”"))
    })
}

/// Orders named steps so that each comes after the steps it reads. A cycle is refused with the
/// index of the step where it was found and the path of names around it.
pub(crate) fn order_steps(steps: &[(&str, &Expr)]) -> Result<Vec<usize>, (usize, Vec<String>)> {
    fn visit(
        i: usize,
        steps: &[(&str, &Expr)],
        state: &mut [u8],
        order: &mut Vec<usize>,
        path: &mut Vec<String>,
    ) -> Result<(), Vec<String>> {
        if state[i] == 2 {
            return Ok(());
        }
        path.push(steps[i].0.to_string());
        if state[i] == 1 {
            return Err(path.clone());
        }
        state[i] = 1;
        let mut refs = Vec::new();
        expr::references(steps[i].1, &mut refs);
        for r in refs {
            if let Some(j) = steps.iter().position(|(n, _)| *n == r) {
                visit(j, steps, state, order, path)?;
            }
        }
        state[i] = 2;
        path.pop();
        order.push(i);
        Ok(())
    }
    let mut order = Vec::new();
    let mut state = vec![0u8; steps.len()];
    for i in 0..steps.len() {
        visit(i, steps, &mut state, &mut order, &mut Vec::new()).map_err(|cycle| (i, cycle))?;
    }
    Ok(order)
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("id", &self.id)
            .field("version", &self.version)
            .field("awards", &self.awards.iter().map(|a| a.id.as_str()).collect::<Vec<_>>())
            .finish()
    }
}
