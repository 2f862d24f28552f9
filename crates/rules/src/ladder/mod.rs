//! Cultivation criteria (梯度培育): one dated TOML file per tier of the ladder (科技型中小企业,
//! 高新技术企业, 瞪羚, …), in the same expression language and with the same explanations as
//! policy files. A file names the tier and the document it comes from, declares the variables
//! its conditions read (each bound to a fact of gaoxin's registry, for a year relative to the
//! year evaluated), may define named steps, quotes its articles, and lists one or more routes
//! (认定路径): a route holds when all its conditions hold and, if it has one, its score reaches
//! the pass mark. The tier is met when any route is.
//!
//! Missing data is unknown, never zero: a condition or score item that reads an unknown fact is
//! "需补充" rather than failed, and a score with unknown items is a range (what is known, up to
//! what is known plus the unknown items' maxima). Conditions that need a person's judgement
//! (no major accident in the year, core technology in the supported fields) are `manual`: they
//! are listed as 需人工确认 and never decide alone.
//!
//! Pure: no web framework, no database. The store fills [`Facts`] from the registry.
//!
//! The facts and the catalogue of sources are in `facts`, loading a file in `load`, evaluating
//! an enterprise in `evaluate`, how results read in `explain` and the file's own tests in
//! `self_test`.

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::expr::{Compiled, Op};
use super::policy::VarKind;

mod evaluate;
mod explain;
mod facts;
mod load;
mod self_test;

pub use evaluate::{
    Check, ConditionResult, DEFAULT_MARGIN, ItemResult, RouteResult, ScoreResult, Status, TierResult, default_as_of,
    parallel_map,
};
pub use explain::show;
pub use facts::{
    Facts, Held, LadderSource, Origin, SOURCES, Validities, YEAR_FIELDS, YearField, YearFigures, expires_on, source,
    valid_on,
};
pub use load::{CriteriaExpectation, CriteriaTest, load, load_path, validities};
pub use self_test::TestOutcome;

pub use super::compile::Step;

#[derive(Clone, Debug)]
pub struct Variable {
    pub name: String,
    pub label: String,
    pub kind: VarKind,
    pub unit: Option<String>,
    pub from: &'static LadderSource,
    pub year_offset: i32,
    pub category: Option<String>,
}

pub struct Condition {
    pub id: &'static str,
    pub label: &'static str,
    pub article: Option<&'static str>,
    pub manual: bool,
    pub when_source: Option<&'static str>,
    pub when: Option<Compiled>,
    pub inputs: Vec<usize>,
    /// For a comparison of numbers: both sides and the operator, for the gap.
    pub sides: Option<(Compiled, Compiled, Op)>,
    pub hint: Option<(String, Compiled, String)>,
    pub unit: Option<&'static str>,
}

pub struct ScoreItem {
    pub id: &'static str,
    pub label: &'static str,
    pub max: Decimal,
    pub source: String,
    pub compiled: Compiled,
    pub inputs: Vec<usize>,
}

pub struct Score {
    pub label: &'static str,
    pub article: Option<&'static str>,
    pub pass: Decimal,
    pub items: Vec<ScoreItem>,
}

pub struct Route {
    pub id: &'static str,
    pub name: &'static str,
    pub conditions: Vec<Condition>,
    pub score: Option<Score>,
}

/// One tier's criteria, loaded and compiled.
pub struct Criteria {
    pub id: String,
    pub tier: String,
    pub name: String,
    pub ladder: String,
    pub rank: u32,
    pub recognition: Option<String>,
    pub validity_years: Option<u32>,
    pub document_number: String,
    pub issuer: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub local: bool,
    pub source: Option<String>,
    pub note: Option<String>,
    pub variables: Vec<Variable>,
    pub steps: Vec<Step>,
    /// Article id → text.
    pub articles: Vec<(String, String)>,
    pub routes: Vec<Route>,
    pub tests: Vec<CriteriaTest>,
    /// Name and label of each local slot: the variables, then the steps in evaluation order.
    pub slot_names: Vec<(String, String)>,
    pub version: String,
    pub file: String,
    /// tier, name, id and version, shared by every result.
    shared: [&'static str; 4],
}

impl Criteria {
    /// Whether the criteria are in force on a day.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        day >= self.effective_from && self.effective_to.is_none_or(|to| day <= to)
    }

    /// The text of an article, by id.
    pub fn article_text(&self, id: &str) -> Option<&str> {
        self.articles.iter().find(|(a, _)| a == id).map(|(_, t)| t.as_str())
    }
}

impl fmt::Debug for Criteria {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Criteria")
            .field("id", &self.id)
            .field("tier", &self.tier)
            .field("version", &self.version)
            .finish()
    }
}

#[cfg(test)]
mod tests;
