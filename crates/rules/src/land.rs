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

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::compile::Compiler;
use super::expr::{Compiled, Type, Value, round_half_up};
use super::policy::{RuleError, StepToml, VarKind, parse_date};

pub mod input;

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

// ---------------------------------------------------------------- the file

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemeToml {
    id: String,
    name: String,
    /// Who is evaluated, in words ("规上工业企业").
    group: String,
    jurisdiction: String,
    document_number: String,
    issuer: String,
    effective_from: String,
    effective_to: Option<String>,
    #[serde(default)]
    local: bool,
    #[serde(default)]
    example: bool,
    source: Option<String>,
    note: Option<String>,
    /// Which year's group the average benchmarks are taken over: `same_year` (default) or
    /// `previous_year` (淮安: 上一年度平均值的 2 倍).
    baseline: Option<Spanned<String>>,
    /// Enterprises sharing a parcel: `merge` (default: their figures are summed over the
    /// parcels' area and they share the result, as 遂昌 does) or `separate` (each on the land
    /// the registry records for it).
    shared_parcels: Option<Spanned<String>>,
    #[serde(default)]
    variables: Vec<VariableToml>,
    #[serde(default)]
    steps: Vec<StepToml>,
    #[serde(default)]
    articles: Vec<ArticleToml>,
    scope: Option<RuleToml>,
    #[serde(default)]
    exclusions: Vec<RuleToml>,
    indicators: Vec<IndicatorToml>,
    /// The weights by indicator id, in one place (instead of `weight` on each indicator).
    weights: Option<HashMap<String, Spanned<String>>>,
    #[serde(default)]
    adjustments: Vec<AdjustmentToml>,
    classes: ClassesToml,
    #[serde(default)]
    tests: Vec<SchemeTest>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VariableToml {
    name: String,
    label: String,
    #[serde(rename = "type")]
    kind: Spanned<String>,
    unit: Option<String>,
    from: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArticleToml {
    id: String,
    text: String,
}

/// A yes/no rule with its label and article (the scope, an exclusion).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleToml {
    id: String,
    label: String,
    article: Option<String>,
    when: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorToml {
    id: String,
    label: String,
    unit: Option<String>,
    article: Option<String>,
    value: Spanned<String>,
    /// Or in the `[weights]` table.
    weight: Option<Spanned<String>>,
    /// A fixed benchmark (a constant).
    benchmark: Option<Spanned<String>>,
    /// Or: the benchmark is this multiple of the average value over the baseline group.
    benchmark_average_times: Option<Spanned<String>>,
    /// `group_average` (the average score of those with a value) or `zero` (default).
    #[serde(default)]
    missing: Option<String>,
    /// The ratio value / benchmark is capped at this (e.g. 2: at most twice the weight).
    cap: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdjustmentToml {
    id: String,
    label: String,
    article: Option<String>,
    when: Spanned<String>,
    /// Points added (negative: deducted).
    points: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassesToml {
    /// `percentile` (`shares`: each class's share of the ranking, in percent, summing to 100)
    /// or `score` (`cuts`: the least score of each class but the last).
    method: String,
    #[serde(default)]
    shares: Vec<Spanned<String>>,
    #[serde(default)]
    cuts: Vec<Spanned<String>>,
    names: Vec<String>,
    /// The name of the class of excluded enterprises (T 不参评).
    excluded: String,
    article: Option<String>,
}

/// A test: cases by variable name (left out: unknown), an optional baseline group for average
/// benchmarks, and what each enterprise should get.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct SchemeTest {
    pub name: String,
    pub year: i32,
    pub cases: Vec<toml::Table>,
    #[serde(default)]
    pub baseline: Vec<toml::Table>,
    pub expect: Vec<SchemeExpectation>,
}

#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct SchemeExpectation {
    pub enterprise: String,
    /// The total, to 2 decimals ("87.31").
    pub score: Option<String>,
    pub rank: Option<usize>,
    pub class: Option<String>,
    /// The exclusion id, or "scope" when outside the scope.
    pub excluded: Option<String>,
    /// Indicator scores to check, by id, to 2 decimals.
    #[serde(default)]
    pub indicators: HashMap<String, String>,
}

pub struct Variable {
    pub name: String,
    pub label: String,
    pub kind: VarKind,
    pub unit: Option<String>,
    pub from: &'static LandSource,
}

pub use super::compile::Step;

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

/// Loads one scheme file; every expression is parsed, type-checked and compiled, and any
/// mistake is reported as `file:line:column: message`.
pub fn load(file: &str, text: &str) -> Result<Scheme, RuleError> {
    let mut cx = Compiler::new(file, text);
    let raw: SchemeToml = cx.toml()?;
    let mut variables = Vec::new();
    for v in &raw.variables {
        let kind = cx.kind(&v.name, &v.kind)?;
        let from = source(v.from.get_ref()).ok_or_else(|| {
            let known: Vec<&str> = SOURCES.iter().map(|s| s.name).collect();
            cx.unknown_source(&v.name, &v.from, &known)
        })?;
        cx.matches_source(&v.name, &v.kind, kind, (from.name, from.kind), v.from.span().start)?;
        cx.declare(&v.name, kind, v.from.span().start)?;
        variables.push(Variable {
            name: v.name.clone(),
            label: v.label.clone(),
            kind,
            unit: v.unit.clone(),
            from,
        });
    }
    let steps = cx.steps(&raw.steps)?;
    let typed = |value: &Spanned<String>, want: Type, what: &str| -> Result<(Compiled, Vec<usize>), RuleError> {
        let (_, compiled, inputs) = cx.typed(value, want, what)?;
        Ok((compiled, inputs))
    };
    let constant = |value: &Spanned<String>, what: &str| cx.constant(value, what);
    let articles: Vec<(String, String)> = raw.articles.iter().map(|a| (a.id.clone(), a.text.clone())).collect();
    let article = |a: &Option<String>, at: usize| -> Result<Option<String>, RuleError> {
        match a {
            None => Ok(None),
            Some(id) if articles.iter().any(|(x, _)| x == id) => Ok(Some(id.clone())),
            Some(id) => Err(cx
                .ctx
                .at(at, format!("条款“{id}”未在 articles 中列出（请引用条款原文）"))),
        }
    };
    let rule = |r: &RuleToml, what: &str| -> Result<Rule, RuleError> {
        let (compiled, inputs) = typed(&r.when, Type::Bool, &format!("{what}“{}”", r.id))?;
        Ok(Rule {
            id: r.id.clone(),
            label: r.label.clone(),
            article: article(&r.article, r.when.span().start)?,
            source: r.when.get_ref().clone(),
            compiled,
            inputs,
        })
    };
    let scope = raw.scope.as_ref().map(|r| rule(r, "评价范围")).transpose()?;
    let exclusions = raw
        .exclusions
        .iter()
        .map(|r| rule(r, "不参评情形"))
        .collect::<Result<Vec<_>, _>>()?;
    if raw.indicators.is_empty() {
        return Err(cx.ctx.at(0, "至少需要一项指标（[[indicators]]）"));
    }
    let mut indicators = Vec::new();
    for i in &raw.indicators {
        let what = format!("指标“{}”", i.id);
        if raw.indicators.iter().filter(|o| o.id == i.id).count() > 1 {
            return Err(cx.ctx.at(i.value.span().start, format!("{what}重复")));
        }
        let (compiled, inputs) = typed(&i.value, Type::Number, &what)?;
        let benchmark = match (&i.benchmark, &i.benchmark_average_times) {
            (Some(b), None) => {
                let v = constant(b, &format!("{what}的基准值"))?;
                if v <= Decimal::ZERO {
                    return Err(cx.ctx.in_expr(b, 0, &format!("{what}的基准值应大于 0")));
                }
                Benchmark::Fixed(v)
            }
            (None, Some(t)) => Benchmark::AverageTimes(constant(t, &format!("{what}的基准倍数"))?),
            _ => {
                return Err(cx.ctx.at(
                    i.value.span().start,
                    format!("{what}须写 benchmark（固定基准值）或 benchmark_average_times（平均值的倍数）之一"),
                ));
            }
        };
        let missing = match i.missing.as_deref() {
            None | Some("zero") => Missing::Zero,
            Some("group_average") => Missing::GroupAverage,
            Some(other) => {
                return Err(cx.ctx.at(
                    i.value.span().start,
                    format!("{what}的 missing“{other}”未知（可用 group_average、zero）"),
                ));
            }
        };
        indicators.push(Indicator {
            id: i.id.clone(),
            label: i.label.clone(),
            unit: i.unit.clone(),
            article: article(&i.article, i.value.span().start)?,
            source: i.value.get_ref().clone(),
            compiled,
            inputs,
            weight: match (&i.weight, raw.weights.as_ref().and_then(|w| w.get(&i.id))) {
                (Some(w), None) | (None, Some(w)) => constant(w, &format!("{what}的权重"))?,
                (Some(w), Some(_)) => {
                    return Err(cx.ctx.at(
                        w.span().start,
                        format!("{what}的权重在指标和 [weights] 中各写了一次，只能写一处"),
                    ));
                }
                (None, None) => {
                    return Err(cx.ctx.at(
                        i.value.span().start,
                        format!("{what}没有权重（写 weight，或在 [weights] 中写 {} = \"…\"）", i.id),
                    ));
                }
            },
            benchmark,
            missing,
            cap: i
                .cap
                .as_ref()
                .map(|c| constant(c, &format!("{what}的封顶倍数")))
                .transpose()?,
        });
    }
    if let Some(weights) = &raw.weights {
        let mut keys: Vec<(&String, &Spanned<String>)> = weights.iter().collect();
        keys.sort_by_key(|(_, w)| w.span().start);
        if let Some((id, w)) = keys.iter().find(|(id, _)| !raw.indicators.iter().any(|i| &i.id == *id)) {
            let known: Vec<&str> = raw.indicators.iter().map(|i| i.id.as_str()).collect();
            return Err(cx.ctx.at(
                w.span().start,
                format!("[weights] 中的指标“{id}”未定义（已定义的指标：{}）", known.join("、")),
            ));
        }
    }
    let mut adjustments = Vec::new();
    for a in &raw.adjustments {
        let r = rule(
            &RuleToml {
                id: a.id.clone(),
                label: a.label.clone(),
                article: a.article.clone(),
                when: a.when.clone(),
            },
            "加减分项",
        )?;
        let (points, _) = typed(&a.points, Type::Number, &format!("加减分项“{}”的分值", a.id))?;
        adjustments.push(Adjustment { rule: r, points });
    }
    let method = match raw.classes.method.as_str() {
        "percentile" => ClassMethod::Percentile,
        "score" => ClassMethod::Score,
        other => {
            return Err(cx.ctx.at(
                text.find("method").unwrap_or(0),
                format!("分类方法“{other}”未知（可用 percentile 按排名百分比、score 按得分）"),
            ));
        }
    };
    let classes_at = text.find("[classes]").unwrap_or(0);
    let cuts = match method {
        ClassMethod::Percentile => {
            if !raw.classes.cuts.is_empty() || raw.classes.shares.is_empty() {
                return Err(cx.ctx.at(
                    classes_at,
                    "按排名百分比分类（percentile）时写 shares：各类所占百分比，如 [\"20\", \"40\", \"35\", \"5\"]",
                ));
            }
            let shares = raw
                .classes
                .shares
                .iter()
                .map(|s| {
                    let v = constant(s, "分类比例")?;
                    if v <= Decimal::ZERO {
                        return Err(cx.ctx.in_expr(s, 0, "分类比例应大于 0"));
                    }
                    Ok(v)
                })
                .collect::<Result<Vec<_>, _>>()?;
            let sum: Decimal = shares.iter().sum();
            if sum != Decimal::ONE_HUNDRED {
                let written: Vec<String> = shares.iter().map(|s| format!("{}%", s.normalize())).collect();
                return Err(cx.ctx.at(
                    raw.classes.shares[0].span().start,
                    format!(
                        "分类比例合计应为 100%，这里 {} 合计 {}%",
                        written.join(" + "),
                        sum.normalize()
                    ),
                ));
            }
            // Cumulative cuts: the share of the ranking up to the end of each class but the last.
            shares[..shares.len() - 1]
                .iter()
                .scan(Decimal::ZERO, |acc, s| {
                    *acc += *s;
                    Some(*acc)
                })
                .collect::<Vec<_>>()
        }
        ClassMethod::Score => {
            if !raw.classes.shares.is_empty() {
                return Err(cx
                    .ctx
                    .at(classes_at, "按得分分类（score）时写 cuts：各类的最低分，从高到低"));
            }
            let cuts = raw
                .classes
                .cuts
                .iter()
                .map(|c| constant(c, "分类界限"))
                .collect::<Result<Vec<_>, _>>()?;
            if !cuts.windows(2).all(|w| w[0] > w[1]) {
                return Err(cx.ctx.at(
                    raw.classes.cuts.first().map(|c| c.span().start).unwrap_or(classes_at),
                    "分类界限（各类最低分）应从高到低排列",
                ));
            }
            cuts
        }
    };
    if raw.classes.names.len() != cuts.len() + 1 {
        let what = match method {
            ClassMethod::Percentile => format!("{} 个分类比例", cuts.len() + 1),
            ClassMethod::Score => format!("{} 个分类界限", cuts.len()),
        };
        return Err(cx.ctx.at(
            text.find("names").unwrap_or(0),
            format!(
                "{what}须对应 {} 个类别名称，这里有 {} 个",
                cuts.len() + 1,
                raw.classes.names.len()
            ),
        ));
    }
    let classes = Classes {
        method,
        cuts,
        names: raw.classes.names.clone(),
        excluded: raw.classes.excluded.clone(),
        article: article(&raw.classes.article, classes_at)?,
    };
    let baseline_previous_year = match raw.baseline.as_ref().map(|b| (b, b.get_ref().as_str())) {
        None | Some((_, "same_year")) => false,
        Some((_, "previous_year")) => true,
        Some((b, other)) => {
            return Err(cx.ctx.at(
                b.span().start,
                format!("baseline“{other}”未知（可用 same_year 本年、previous_year 上一年）"),
            ));
        }
    };
    let merge_shared_parcels = match raw.shared_parcels.as_ref().map(|b| (b, b.get_ref().as_str())) {
        None | Some((_, "merge")) => true,
        Some((_, "separate")) => false,
        Some((b, other)) => {
            return Err(cx.ctx.at(
                b.span().start,
                format!("shared_parcels“{other}”未知（可用 merge 合并计算、separate 分别计算）"),
            ));
        }
    };
    Ok(Scheme {
        baseline_previous_year,
        merge_shared_parcels,
        effective_from: parse_date(&cx.ctx, "effective_from", &raw.effective_from)?,
        effective_to: raw
            .effective_to
            .as_deref()
            .map(|d| parse_date(&cx.ctx, "effective_to", d))
            .transpose()?,
        id: raw.id,
        name: raw.name,
        group: raw.group,
        jurisdiction: raw.jurisdiction,
        document_number: raw.document_number,
        issuer: raw.issuer,
        local: raw.local,
        example: raw.example,
        source: raw.source,
        note: raw.note,
        variables,
        steps,
        articles,
        scope,
        exclusions,
        indicators,
        adjustments,
        classes,
        tests: raw.tests,
        version: hex::encode(Sha256::digest(text.as_bytes())),
        file: file.to_string(),
    })
}

/// Every scheme of a folder (`*.toml`, sorted by name) or one file.
pub fn load_path(path: &std::path::Path) -> Result<Vec<Scheme>, RuleError> {
    let io = |p: &std::path::Path, e: std::io::Error| RuleError {
        file: p.display().to_string(),
        line: 0,
        column: 0,
        message: format!("无法读取：{e}"),
    };
    super::toml_files(path)
        .map_err(|e| io(path, e))?
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).map_err(|e| io(f, e))?;
            load(&f.display().to_string(), &text)
        })
        .collect()
}

// ---------------------------------------------------------------- evaluation

/// One enterprise's facts for the year: a value per scheme variable (None: unknown).
#[derive(Clone, Debug)]
pub struct Case {
    pub id: String,
    pub values: Vec<Option<Value>>,
}

/// Why an enterprise is not ranked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Excluded {
    /// Outside the scheme's scope.
    Scope,
    /// The scheme's exclusion of this index.
    Rule(usize),
}

/// One indicator's outcome for one enterprise, in the order of `Scheme::indicators`.
#[derive(Clone, Copy, Debug)]
pub struct IndicatorScore {
    /// None: unknown (a fact missing, or a division by zero).
    pub value: Option<Decimal>,
    pub score: Decimal,
    /// The ratio value / benchmark was capped.
    pub capped: bool,
    /// The value was unknown and the score filled as the indicator's `missing` says.
    pub filled: bool,
}

/// One enterprise's result (the same position as its case).
#[derive(Clone, Debug)]
pub struct LandResult {
    pub excluded: Option<Excluded>,
    /// Empty when excluded.
    pub indicators: Vec<IndicatorScore>,
    /// (index into `Scheme::adjustments`, points) of each that applied.
    pub adjustments: Vec<(usize, Decimal)>,
    pub total: Decimal,
    /// 1-based; ties share the best rank. 0 when excluded.
    pub rank: usize,
    /// Index into `classes.names`; `names.len()` when excluded.
    pub class: usize,
}

/// A group evaluated: the benchmark and the fill of each indicator, and the results.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub benchmarks: Vec<Decimal>,
    /// What a missing value scored, per indicator.
    pub fills: Vec<Decimal>,
    pub results: Vec<LandResult>,
}

/// A case's indicator values and adjustments, before benchmarks are known.
struct Prepared {
    excluded: Option<Excluded>,
    values: Vec<Option<Decimal>>,
    adjustments: Vec<(usize, Decimal)>,
}

impl Scheme {
    /// Fills steps; a step reading an unknown value (or failing, e.g. a division by zero) is
    /// unknown.
    fn buffer(&self, case: &Case) -> (Vec<Value>, Vec<bool>) {
        let width = self.variables.len() + self.steps.len();
        let mut values: Vec<Value> = Vec::with_capacity(width);
        let mut known: Vec<bool> = Vec::with_capacity(width);
        for i in 0..self.variables.len() {
            match case.values.get(i) {
                Some(Some(v)) => {
                    values.push(v.clone());
                    known.push(true);
                }
                _ => {
                    values.push(Value::Num(Decimal::ZERO));
                    known.push(false);
                }
            }
        }
        for s in &self.steps {
            let v = if s.inputs.iter().all(|i| known[*i]) {
                (s.compiled)(&values).ok()
            } else {
                None
            };
            known.push(v.is_some());
            values.push(v.unwrap_or(Value::Num(Decimal::ZERO)));
        }
        (values, known)
    }

    fn holds(rule: &Rule, values: &[Value], known: &[bool]) -> bool {
        rule.inputs.iter().all(|i| known[*i]) && (rule.compiled)(values).is_ok_and(|v| v.as_bool())
    }

    /// Why a case is not evaluated, if it is not.
    fn exclusion(&self, values: &[Value], known: &[bool]) -> Option<Excluded> {
        if let Some(scope) = &self.scope
            && !Self::holds(scope, values, known)
        {
            return Some(Excluded::Scope);
        }
        self.exclusions
            .iter()
            .position(|r| Self::holds(r, values, known))
            .map(Excluded::Rule)
    }

    /// The exclusion's id ("scope" for the scope) and the reason as staff read it.
    pub fn exclusion_reason(&self, excluded: Excluded) -> (&str, String) {
        match excluded {
            Excluded::Scope => (
                "scope",
                format!("不在评价范围：{}", self.scope.as_ref().map_or("", |s| s.label.as_str())),
            ),
            Excluded::Rule(i) => (self.exclusions[i].id.as_str(), self.exclusions[i].label.clone()),
        }
    }

    /// The class name of a result (the excluded class for an excluded one).
    pub fn class_name(&self, result: &LandResult) -> &str {
        self.classes.names.get(result.class).unwrap_or(&self.classes.excluded)
    }

    fn value_of(i: &Indicator, values: &[Value], known: &[bool]) -> Option<Decimal> {
        if !i.inputs.iter().all(|k| known[*k]) {
            return None;
        }
        (i.compiled)(values).ok().map(|v| v.as_num())
    }

    fn prepare(&self, case: &Case, with_adjustments: bool) -> Prepared {
        let (values, known) = self.buffer(case);
        let excluded = self.exclusion(&values, &known);
        if excluded.is_some() {
            return Prepared {
                excluded,
                values: Vec::new(),
                adjustments: Vec::new(),
            };
        }
        let adjustments = if with_adjustments {
            self.adjustments
                .iter()
                .enumerate()
                .filter(|(_, a)| Self::holds(&a.rule, &values, &known))
                .filter_map(|(n, a)| match (a.points)(&values) {
                    Ok(Value::Num(points)) => Some((n, points)),
                    _ => None,
                })
                .collect()
        } else {
            Vec::new()
        };
        Prepared {
            excluded,
            values: self
                .indicators
                .iter()
                .map(|i| Self::value_of(i, &values, &known))
                .collect(),
            adjustments,
        }
    }

    /// Evaluates a group (in parallel: each enterprise's facts independently, then the
    /// group's benchmarks and ranking). `baseline` gives the group whose evaluated members'
    /// values are averaged for `benchmark_average_times` (e.g. last year's); by default the
    /// group itself.
    pub fn evaluate(&self, cases: &[Case], baseline: Option<&[Case]>) -> Evaluation {
        let prepared = super::ladder::parallel_map(cases, |c| self.prepare(c, true));
        let base_prepared = baseline.map(|b| super::ladder::parallel_map(b, |c| self.prepare(c, false)));
        let base: &[Prepared] = base_prepared.as_deref().unwrap_or(&prepared);
        let benchmarks: Vec<Decimal> = self
            .indicators
            .iter()
            .enumerate()
            .map(|(k, ind)| match ind.benchmark {
                Benchmark::Fixed(b) => b,
                Benchmark::AverageTimes(times) => {
                    let (sum, n) = base
                        .iter()
                        .filter(|p| p.excluded.is_none())
                        .filter_map(|p| p.values[k])
                        .fold((Decimal::ZERO, 0u64), |(s, n), v| (s + v, n + 1));
                    if n == 0 {
                        Decimal::ZERO
                    } else {
                        sum / Decimal::from(n) * times
                    }
                }
            })
            .collect();
        // Each known value's score: the ratio to the benchmark (at least 0, capped) × weight.
        let score = |k: usize, value: Decimal| -> (Decimal, bool) {
            let ind = &self.indicators[k];
            let mut ratio = (value / benchmarks[k]).max(Decimal::ZERO);
            let capped = ind.cap.is_some_and(|c| ratio > c);
            if let Some(c) = ind.cap {
                ratio = ratio.min(c);
            }
            (ratio * ind.weight, capped)
        };
        let mut results: Vec<LandResult> = super::ladder::parallel_map(&prepared, |p| {
            if let Some(x) = p.excluded {
                return LandResult {
                    excluded: Some(x),
                    indicators: Vec::new(),
                    adjustments: Vec::new(),
                    total: Decimal::ZERO,
                    rank: 0,
                    class: self.classes.names.len(),
                };
            }
            let indicators: Vec<IndicatorScore> = p
                .values
                .iter()
                .enumerate()
                .map(|(k, v)| match v {
                    Some(value) if benchmarks[k] > Decimal::ZERO => {
                        let (score, capped) = score(k, *value);
                        IndicatorScore {
                            value: Some(*value),
                            score,
                            capped,
                            filled: false,
                        }
                    }
                    _ => IndicatorScore {
                        value: *v,
                        score: Decimal::ZERO,
                        capped: false,
                        filled: true,
                    },
                })
                .collect();
            LandResult {
                excluded: None,
                indicators,
                adjustments: p.adjustments.clone(),
                total: Decimal::ZERO,
                rank: 0,
                class: 0,
            }
        });
        // What a missing value scores, per indicator: zero, or the average score of those with one.
        let fills: Vec<Decimal> = self
            .indicators
            .iter()
            .enumerate()
            .map(|(k, ind)| match ind.missing {
                Missing::Zero => Decimal::ZERO,
                Missing::GroupAverage => {
                    let (sum, n) = results
                        .iter()
                        .filter(|r| r.excluded.is_none() && !r.indicators[k].filled)
                        .fold((Decimal::ZERO, 0u64), |(s, n), r| (s + r.indicators[k].score, n + 1));
                    if n == 0 { Decimal::ZERO } else { sum / Decimal::from(n) }
                }
            })
            .collect();
        for r in results.iter_mut().filter(|r| r.excluded.is_none()) {
            for (k, i) in r.indicators.iter_mut().enumerate() {
                if i.filled {
                    i.score = fills[k];
                }
            }
            r.total = r.indicators.iter().map(|i| i.score).sum::<Decimal>()
                + r.adjustments.iter().map(|(_, p)| *p).sum::<Decimal>();
        }
        // Rank by the total to 2 decimals (as published); ties share the best rank.
        let shown: Vec<Decimal> = results.iter().map(|r| round_half_up(r.total, 2)).collect();
        let mut order: Vec<usize> = (0..results.len()).filter(|i| results[*i].excluded.is_none()).collect();
        order.sort_unstable_by(|a, b| shown[*b].cmp(&shown[*a]).then(a.cmp(b)));
        let evaluated = order.len();
        let limits: Vec<Decimal> = self
            .classes
            .cuts
            .iter()
            .map(|cut| round_half_up(Decimal::from(evaluated) * cut / Decimal::ONE_HUNDRED, 0))
            .collect();
        let mut rank = 0;
        for (position, i) in order.iter().enumerate() {
            if position == 0 || shown[*i] != shown[order[position - 1]] {
                rank = position + 1;
            }
            let class = match self.classes.method {
                // A class holds the ranks up to its cumulative share of the group, rounded half up.
                ClassMethod::Percentile => limits.iter().position(|l| Decimal::from(rank) <= *l),
                ClassMethod::Score => self.classes.cuts.iter().position(|c| shown[*i] >= *c),
            };
            let r = &mut results[*i];
            r.rank = rank;
            r.class = class.unwrap_or(self.classes.cuts.len());
        }
        Evaluation {
            benchmarks,
            fills,
            results,
        }
    }

    /// Runs the file's own tests.
    pub fn run_tests(&self) -> Vec<super::ladder::TestOutcome> {
        self.tests
            .iter()
            .map(|t| {
                let mut failures = Vec::new();
                let cases_of = |tables: &[toml::Table], failures: &mut Vec<String>| -> Vec<Case> {
                    tables
                        .iter()
                        .map(|case| {
                            let id = case
                                .get("enterprise")
                                .and_then(|v| v.as_str())
                                .unwrap_or("?")
                                .to_string();
                            for k in case.keys() {
                                if k != "enterprise" && !self.variables.iter().any(|v| &v.name == k) {
                                    failures.push(format!("{id}：用例中的“{k}”不是本文件的变量"));
                                }
                            }
                            let values = self
                                .variables
                                .iter()
                                .map(|v| match case.get(&v.name) {
                                    None => match v.from.name {
                                        "period.year" => Some(Value::Num(t.year.into())),
                                        "period.as_of" => Some(Value::Date(super::ladder::default_as_of(t.year))),
                                        _ => None,
                                    },
                                    Some(raw) => {
                                        let text = match raw {
                                            toml::Value::String(s) => s.clone(),
                                            other => other.to_string(),
                                        };
                                        match v.kind.read(&text) {
                                            Ok(value) => Some(value),
                                            Err(e) => {
                                                failures.push(format!("{id}：变量“{}”{e}", v.name));
                                                None
                                            }
                                        }
                                    }
                                })
                                .collect();
                            Case { id, values }
                        })
                        .collect()
                };
                let cases = cases_of(&t.cases, &mut failures);
                let baseline = cases_of(&t.baseline, &mut failures);
                let evaluation = self.evaluate(&cases, (!t.baseline.is_empty()).then_some(baseline.as_slice()));
                for e in &t.expect {
                    let Some(r) = cases
                        .iter()
                        .position(|c| c.id == e.enterprise)
                        .map(|n| &evaluation.results[n])
                    else {
                        failures.push(format!("{}：没有这个用例", e.enterprise));
                        continue;
                    };
                    let got_excluded = r.excluded.map(|x| self.exclusion_reason(x).0.to_string());
                    if got_excluded != e.excluded {
                        failures.push(format!(
                            "{}：不参评应为 {:?}，实为 {:?}",
                            e.enterprise, e.excluded, got_excluded
                        ));
                    }
                    if let Some(want) = &e.score {
                        let got = format!("{:.2}", round_half_up(r.total, 2));
                        if &got != want {
                            failures.push(format!("{}：得分应为 {want}，实为 {got}", e.enterprise));
                        }
                    }
                    if let Some(want) = e.rank
                        && want != r.rank
                    {
                        failures.push(format!("{}：排名应为 {want}，实为 {}", e.enterprise, r.rank));
                    }
                    if let Some(want) = &e.class
                        && want != self.class_name(r)
                    {
                        failures.push(format!(
                            "{}：类别应为 {want}，实为 {}",
                            e.enterprise,
                            self.class_name(r)
                        ));
                    }
                    for (id, want) in &e.indicators {
                        let found = self.indicators.iter().position(|i| &i.id == id);
                        match found.and_then(|k| r.indicators.get(k)) {
                            None => failures.push(format!("{}：没有指标 {id}", e.enterprise)),
                            Some(i) => {
                                let got = format!("{:.2}", round_half_up(i.score, 2));
                                if &got != want {
                                    failures.push(format!("{}：指标 {id} 得分应为 {want}，实为 {got}", e.enterprise));
                                }
                            }
                        }
                    }
                }
                super::ladder::TestOutcome {
                    file: self.file.clone(),
                    name: t.name.clone(),
                    failures,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped(name: &str) -> String {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../rules/land")
                .join(name),
        )
        .unwrap()
    }

    #[test]
    fn mistakes_in_a_scheme_file_say_where_and_what() {
        let text = shipped("huaian-2024.toml");
        let bad = |from: &str, to: &str| {
            let changed = text.replacen(from, to, 1);
            assert_ne!(changed, text, "{from}");
            load("s.toml", &changed).unwrap_err().to_string()
        };
        let e = bad("from = \"annual.energy\"", "from = \"annual.power\"");
        assert!(
            e.starts_with("s.toml:") && e.contains("数据来源“annual.power”未知"),
            "{e}"
        );
        let e = bad("benchmark_average_times = \"2\"\n", "");
        assert!(e.contains("须写 benchmark"), "{e}");
        let e = bad(
            "shares = [\"20\", \"40\", \"35\", \"5\"]",
            "shares = [\"20\", \"40\", \"30\", \"5\"]",
        );
        assert!(
            e.starts_with("s.toml:") && e.contains("分类比例合计应为 100%，这里 20% + 40% + 30% + 5% 合计 95%"),
            "{e}"
        );
        let e = bad("names = [\"A 优先发展\", ", "names = [");
        assert!(e.contains("4 个分类比例须对应 4 个类别名称，这里有 3 个"), "{e}");
        let e = bad("method = \"percentile\"", "method = \"score\"");
        assert!(e.contains("按得分分类（score）时写 cuts"), "{e}");
        // Weights in one table: a weight for an indicator the file does not define.
        let e = bad("weight = \"45\"\n", "");
        assert!(e.contains("没有权重"), "{e}");
        let with_table =
            text.replacen("weight = \"45\"\n", "", 1) + "\n[weights]\ntax_per_mu = \"45\"\nland_tax = \"10\"\n";
        let e = load("s.toml", &with_table).unwrap_err();
        assert!(e.to_string().contains("[weights] 中的指标“land_tax”未定义"), "{e}");
        assert_eq!(e.line, with_table.lines().count(), "{e}");
        let fixed = with_table.replace("land_tax = \"10\"\n", "");
        let scheme = load("s.toml", &fixed).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(scheme.indicators[0].weight, Decimal::from(45));
        let e = bad("value = \"税收 / 1万 / 用地\"", "value = \"税收 > 用地\"");
        assert!(e.contains("应为数值"), "{e}");
    }

    #[test]
    fn a_result_explains_every_indicator_and_an_exclusion_its_reason() {
        let scheme = load("h.toml", &shipped("huangyan-2022-guishang.toml")).unwrap();
        let case = |id: &str, land: &str, emissions: bool| {
            let values = scheme
                .variables
                .iter()
                .map(|v| {
                    let raw = match v.name.as_str() {
                        "规上" => "是",
                        "用地" => land,
                        "税收" => "2409700",
                        "增加值" => "13616000",
                        "能耗" => "500",
                        "化学需氧量" if emissions => "0.3",
                        "氨氮" | "二氧化硫" | "氮氧化物" if emissions => "0",
                        "职工" => "75",
                        "研发" => "300000",
                        "营收" => "10000000",
                        _ => return None,
                    };
                    Some(v.kind.read(raw).unwrap())
                })
                .collect();
            Case { id: id.into(), values }
        };
        let evaluation = scheme.evaluate(
            &[case("A", "10", true), case("B", "10", false), case("R", "0", true)],
            None,
        );
        let results = &evaluation.results;
        let a = &results[0];
        assert_eq!(a.indicators.len(), 6);
        let tax = &scheme.indicators[0];
        assert_eq!(
            (tax.id.as_str(), tax.weight, evaluation.benchmarks[0]),
            ("tax_per_mu", Decimal::from(30), "24.097".parse().unwrap())
        );
        assert_eq!(
            a.indicators[0].value.map(|v| round_half_up(v, 3)),
            Some("24.097".parse().unwrap())
        );
        assert_eq!(round_half_up(a.indicators[0].score, 2), Decimal::from(30));
        // B has no emission data: filled with the average of those who have it (A alone).
        let b_emission = &results[1].indicators[3];
        assert_eq!(b_emission.value, None);
        assert!(b_emission.filled);
        assert_eq!(scheme.indicators[3].missing, Missing::GroupAverage);
        assert_eq!(b_emission.score, a.indicators[3].score);
        assert_eq!(evaluation.fills[3], a.indicators[3].score);
        assert_eq!(results[0].total, results[1].total);
        assert_eq!((results[0].rank, results[1].rank), (1, 1));
        let r = &results[2];
        assert_eq!(r.excluded.map(|x| scheme.exclusion_reason(x).0), Some("no_land"));
        assert_eq!(scheme.class_name(r), "另列（不参加排序）");
        assert_eq!(r.rank, 0);
    }

    #[test]
    fn every_shipped_scheme_loads_and_passes_its_own_tests() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/land");
        let all = load_path(&dir).unwrap_or_else(|e| panic!("{e}"));
        assert!(all.len() >= 3, "schemes found: {}", all.len());
        let mut failures = Vec::new();
        for s in &all {
            assert!(!s.tests.is_empty(), "{} has no tests", s.file);
            for t in s.run_tests() {
                for f in t.failures {
                    failures.push(format!("{} / {}: {f}", t.file, t.name));
                }
            }
        }
        assert!(failures.is_empty(), "failures:\n{}", failures.join("\n"));
    }
}
