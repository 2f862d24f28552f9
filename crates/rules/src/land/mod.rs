//! Land-efficiency evaluation schemes (亩均效益评价 / 亩均论英雄): one dated TOML file per
//! scheme of a jurisdiction (规上 and 规下 are usually two schemes), in the expression language of
//! policy and criteria files. A scheme says who it evaluates (`scope`), who is left out and why
//! (`exclusions`, the T class 不参评), its indicators — each a formula over the year's facts
//! with a weight and a benchmark (a fixed number, or a multiple of the group's average, e.g.
//! 2 × the previous year's average) and what a missing value scores (the group's average
//! score, as 黄岩 does for emissions, or zero) — bonus and penalty items, and the classes
//! (A/B/C/D by rank percentiles such as 20/60/95, or by score cut-offs, named as the
//! jurisdiction names them).
//!
//! score = Σ min(value / benchmark, cap) × weight (+ bonus − penalty); a negative ratio scores 0.
//! Every enterprise's result explains itself: each indicator's value, benchmark, weight and
//! contribution, how a missing value was filled, the adjustments, the rank and the class — or
//! the exclusion and its reason.
//!
//! Pure: no web framework, no database. Binding to the registry (the `from` of each variable)
//! is checked against [`SOURCES`]; the store feeds cases.
//!
//! The schemes' model is here; loading a file is in `load`, evaluating a group in `evaluate`,
//! the file's own tests in `self_test`, and reading a year's facts from a CSV in `input`.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::expr::Compiled;
use super::policy::VarKind;

mod evaluate;
pub mod input;
mod load;
pub mod output;
mod self_test;

pub use evaluate::{Case, Evaluation, Excluded, IndicatorScore, LandResult};
pub use load::{SchemeExpectation, SchemeTest, load, load_path};

pub use super::compile::Step;

/// A fact a scheme variable may bind to with `from`.
#[derive(Clone, Copy, Debug)]
pub struct LandSource {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: VarKind,
}

const fn src(name: &'static str, label: &'static str, kind: VarKind) -> LandSource {
    LandSource { name, label, kind }
}

/// Every fact a scheme may read: the year's annual figures, innovation figures and registry
/// fields of the enterprise.
pub const SOURCES: &[LandSource] = &[
    src("annual.tax", "税收（元）", VarKind::Money),
    src("annual.revenue", "营业收入（元）", VarKind::Money),
    src("annual.value_added", "工业增加值（元）", VarKind::Number),
    src("annual.gross_output", "工业总产值（元）", VarKind::Money),
    src("annual.rd_expense", "研发经费（元）", VarKind::Money),
    src("annual.energy", "综合能耗（吨标准煤）", VarKind::Number),
    src("annual.electricity", "用电量（千瓦时）", VarKind::Number),
    src("annual.cod", "化学需氧量排放（吨）", VarKind::Number),
    src("annual.ammonia", "氨氮排放（吨）", VarKind::Number),
    src("annual.sulfur_dioxide", "二氧化硫排放（吨）", VarKind::Number),
    src("annual.nitrogen_oxides", "氮氧化物排放（吨）", VarKind::Number),
    src("innovation.main_revenue", "主营业务收入（元）", VarKind::Money),
    src("innovation.total_staff", "职工总数", VarKind::Count),
    src("enterprise.land_area", "用地面积（亩）", VarKind::Number),
    src("enterprise.employees", "从业人员数", VarKind::Count),
    src("enterprise.above_scale", "是否规上企业", VarKind::Bool),
    src("enterprise.industry_code", "行业代码", VarKind::Text),
    src("enterprise.registered_on", "注册日期", VarKind::Date),
    src("enterprise.production_started_on", "投产日期", VarKind::Date),
    src("period.year", "评价年度", VarKind::Count),
    src("period.as_of", "评价日", VarKind::Date),
];

pub fn source(name: &str) -> Option<&'static LandSource> {
    SOURCES.iter().find(|s| s.name == name)
}

pub struct Variable {
    pub name: String,
    pub label: String,
    pub kind: VarKind,
    pub unit: Option<String>,
    pub from: &'static LandSource,
}

pub struct Rule {
    pub id: String,
    pub label: String,
    pub article: Option<String>,
    pub source: String,
    pub compiled: Compiled,
    pub inputs: Vec<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Benchmark {
    Fixed(Decimal),
    /// This multiple of the baseline group's average value.
    AverageTimes(Decimal),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    GroupAverage,
    Zero,
}

pub struct Indicator {
    pub id: String,
    pub label: String,
    pub unit: Option<String>,
    pub article: Option<String>,
    pub source: String,
    pub compiled: Compiled,
    pub inputs: Vec<usize>,
    pub weight: Decimal,
    pub benchmark: Benchmark,
    pub missing: Missing,
    pub cap: Option<Decimal>,
}

pub struct Adjustment {
    pub rule: Rule,
    pub points: Compiled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassMethod {
    Percentile,
    Score,
}

pub struct Classes {
    pub method: ClassMethod,
    pub cuts: Vec<Decimal>,
    pub names: Vec<String>,
    pub excluded: String,
    pub article: Option<String>,
}

/// A scheme, loaded and compiled.
pub struct Scheme {
    pub id: String,
    pub name: String,
    pub group: String,
    pub jurisdiction: String,
    pub document_number: String,
    pub issuer: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub local: bool,
    pub example: bool,
    pub source: Option<String>,
    pub note: Option<String>,
    /// Average benchmarks are taken over the previous year's group (else the same year's).
    pub baseline_previous_year: bool,
    /// Enterprises sharing parcels are evaluated as one (their figures summed over the
    /// parcels' area) and share the result.
    pub merge_shared_parcels: bool,
    pub variables: Vec<Variable>,
    pub steps: Vec<Step>,
    pub articles: Vec<(String, String)>,
    pub scope: Option<Rule>,
    pub exclusions: Vec<Rule>,
    pub indicators: Vec<Indicator>,
    pub adjustments: Vec<Adjustment>,
    pub classes: Classes,
    pub tests: Vec<SchemeTest>,
    pub version: String,
    pub file: String,
}

impl std::fmt::Debug for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheme")
            .field("id", &self.id)
            .field("version", &self.version)
            .finish()
    }
}

#[cfg(test)]
mod tests;
