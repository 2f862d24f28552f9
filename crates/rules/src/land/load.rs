//! Loading a scheme file: the TOML as written, checked and compiled into a [`Scheme`]. Every
//! expression is parsed, type-checked and compiled; weights, benchmarks, class shares and
//! cut-offs are checked to make sense together; any mistake is reported as
//! `file:line:column: message`.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::{Adjustment, Benchmark, ClassMethod, Classes, Indicator, Missing, Rule, SOURCES, Scheme, Variable, source};
use crate::compile::Compiler;
use crate::expr::{Compiled, Type};
use crate::policy::{RuleError, StepToml, parse_date};

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

/// Loads one scheme file; every expression is parsed, type-checked and compiled, and any
/// mistake is reported as `file:line:column: message`.
pub fn load(file: &str, text: &str) -> Result<Scheme, RuleError> {
    let mut cx = Compiler::new(file, text);
    let raw: SchemeToml = cx.toml()?;
    let variables = raw
        .variables
        .iter()
        .map(|v| variable(&mut cx, v))
        .collect::<Result<Vec<_>, _>>()?;
    let steps = cx.steps(&raw.steps)?;
    let articles: Vec<(String, String)> = raw.articles.iter().map(|a| (a.id.clone(), a.text.clone())).collect();
    let rules = Rules {
        cx: &cx,
        articles: &articles,
    };
    let scope = raw.scope.as_ref().map(|r| rules.rule(r, "评价范围")).transpose()?;
    let exclusions = raw
        .exclusions
        .iter()
        .map(|r| rules.rule(r, "不参评情形"))
        .collect::<Result<Vec<_>, _>>()?;
    if raw.indicators.is_empty() {
        return Err(cx.ctx.at(0, "至少需要一项指标（[[indicators]]）"));
    }
    let indicators = raw
        .indicators
        .iter()
        .map(|i| rules.indicator(i, &raw))
        .collect::<Result<Vec<_>, _>>()?;
    rules.weights_name_indicators(&raw)?;
    let adjustments = raw
        .adjustments
        .iter()
        .map(|a| rules.adjustment(a))
        .collect::<Result<Vec<_>, _>>()?;
    let classes = rules.classes(&raw.classes, text)?;
    let baseline_previous_year = choice(
        &cx,
        raw.baseline.as_ref(),
        ("same_year", false),
        ("previous_year", true),
        |other| format!("baseline“{other}”未知（可用 same_year 本年、previous_year 上一年）"),
    )?;
    let merge_shared_parcels = choice(
        &cx,
        raw.shared_parcels.as_ref(),
        ("merge", true),
        ("separate", false),
        |other| format!("shared_parcels“{other}”未知（可用 merge 合并计算、separate 分别计算）"),
    )?;
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

/// A declared variable, bound to a source of the same type.
fn variable(cx: &mut Compiler<'_>, v: &VariableToml) -> Result<Variable, RuleError> {
    let kind = cx.kind(&v.name, &v.kind)?;
    let from = source(v.from.get_ref()).ok_or_else(|| {
        let known: Vec<&str> = SOURCES.iter().map(|s| s.name).collect();
        cx.unknown_source(&v.name, &v.from, &known)
    })?;
    cx.matches_source(&v.name, &v.kind, kind, (from.name, from.kind), v.from.span().start)?;
    cx.declare(&v.name, kind, v.from.span().start)?;
    Ok(Variable {
        name: v.name.clone(),
        label: v.label.clone(),
        kind,
        unit: v.unit.clone(),
        from,
    })
}

/// A setting that is one of two words: the first (also when the setting is absent) or the
/// second; any other word is refused with the message `unknown` gives for it.
fn choice(
    cx: &Compiler<'_>,
    setting: Option<&Spanned<String>>,
    first: (&str, bool),
    second: (&str, bool),
    unknown: impl Fn(&str) -> String,
) -> Result<bool, RuleError> {
    match setting.map(|b| (b, b.get_ref().as_str())) {
        None => Ok(first.1),
        Some((_, word)) if word == first.0 => Ok(first.1),
        Some((_, word)) if word == second.0 => Ok(second.1),
        Some((b, other)) => Err(cx.ctx.at(b.span().start, unknown(other))),
    }
}

/// What the rules of a scheme are compiled with once its variables and steps are declared:
/// the compiler, and the articles they may cite.
struct Rules<'a> {
    cx: &'a Compiler<'a>,
    articles: &'a [(String, String)],
}

impl Rules<'_> {
    fn typed(&self, value: &Spanned<String>, want: Type, what: &str) -> Result<(Compiled, Vec<usize>), RuleError> {
        let (_, compiled, inputs) = self.cx.typed(value, want, what)?;
        Ok((compiled, inputs))
    }

    fn constant(&self, value: &Spanned<String>, what: &str) -> Result<Decimal, RuleError> {
        self.cx.constant(value, what)
    }

    /// The article a rule cites, which the file must quote in `articles`.
    fn article(&self, a: &Option<String>, at: usize) -> Result<Option<String>, RuleError> {
        match a {
            None => Ok(None),
            Some(id) if self.articles.iter().any(|(x, _)| x == id) => Ok(Some(id.clone())),
            Some(id) => Err(self
                .cx
                .ctx
                .at(at, format!("条款“{id}”未在 articles 中列出（请引用条款原文）"))),
        }
    }

    /// A yes/no rule: the scope, an exclusion, the condition of an adjustment.
    fn rule(&self, r: &RuleToml, what: &str) -> Result<Rule, RuleError> {
        let (compiled, inputs) = self.typed(&r.when, Type::Bool, &format!("{what}“{}”", r.id))?;
        Ok(Rule {
            id: r.id.clone(),
            label: r.label.clone(),
            article: self.article(&r.article, r.when.span().start)?,
            source: r.when.get_ref().clone(),
            compiled,
            inputs,
        })
    }

    /// An indicator: its formula, its benchmark, what a missing value scores, its weight (on
    /// the indicator or in `[weights]`, not both) and its cap.
    fn indicator(&self, i: &IndicatorToml, raw: &SchemeToml) -> Result<Indicator, RuleError> {
        let ctx = &self.cx.ctx;
        let what = format!("指标“{}”", i.id);
        if raw.indicators.iter().filter(|o| o.id == i.id).count() > 1 {
            return Err(ctx.at(i.value.span().start, format!("{what}重复")));
        }
        let (compiled, inputs) = self.typed(&i.value, Type::Number, &what)?;
        let benchmark = match (&i.benchmark, &i.benchmark_average_times) {
            (Some(b), None) => {
                let v = self.constant(b, &format!("{what}的基准值"))?;
                if v <= Decimal::ZERO {
                    return Err(ctx.in_expr(b, 0, &format!("{what}的基准值应大于 0")));
                }
                Benchmark::Fixed(v)
            }
            (None, Some(t)) => Benchmark::AverageTimes(self.constant(t, &format!("{what}的基准倍数"))?),
            _ => {
                return Err(ctx.at(
                    i.value.span().start,
                    format!("{what}须写 benchmark（固定基准值）或 benchmark_average_times（平均值的倍数）之一"),
                ));
            }
        };
        let missing = match i.missing.as_deref() {
            None | Some("zero") => Missing::Zero,
            Some("group_average") => Missing::GroupAverage,
            Some(other) => {
                return Err(ctx.at(
                    i.value.span().start,
                    format!("{what}的 missing“{other}”未知（可用 group_average、zero）"),
                ));
            }
        };
        Ok(Indicator {
            id: i.id.clone(),
            label: i.label.clone(),
            unit: i.unit.clone(),
            article: self.article(&i.article, i.value.span().start)?,
            source: i.value.get_ref().clone(),
            compiled,
            inputs,
            weight: match (&i.weight, raw.weights.as_ref().and_then(|w| w.get(&i.id))) {
                (Some(w), None) | (None, Some(w)) => self.constant(w, &format!("{what}的权重"))?,
                (Some(w), Some(_)) => {
                    return Err(ctx.at(
                        w.span().start,
                        format!("{what}的权重在指标和 [weights] 中各写了一次，只能写一处"),
                    ));
                }
                (None, None) => {
                    return Err(ctx.at(
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
                .map(|c| self.constant(c, &format!("{what}的封顶倍数")))
                .transpose()?,
        })
    }

    /// Every weight of the `[weights]` table is for an indicator the file defines.
    fn weights_name_indicators(&self, raw: &SchemeToml) -> Result<(), RuleError> {
        if let Some(weights) = &raw.weights {
            let mut keys: Vec<(&String, &Spanned<String>)> = weights.iter().collect();
            keys.sort_by_key(|(_, w)| w.span().start);
            if let Some((id, w)) = keys.iter().find(|(id, _)| !raw.indicators.iter().any(|i| &i.id == *id)) {
                let known: Vec<&str> = raw.indicators.iter().map(|i| i.id.as_str()).collect();
                return Err(self.cx.ctx.at(
                    w.span().start,
                    format!("[weights] 中的指标“{id}”未定义（已定义的指标：{}）", known.join("、")),
                ));
            }
        }
        Ok(())
    }

    /// A bonus or a penalty: its condition, and its points (negative: deducted).
    fn adjustment(&self, a: &AdjustmentToml) -> Result<Adjustment, RuleError> {
        let r = self.rule(
            &RuleToml {
                id: a.id.clone(),
                label: a.label.clone(),
                article: a.article.clone(),
                when: a.when.clone(),
            },
            "加减分项",
        )?;
        let (points, _) = self.typed(&a.points, Type::Number, &format!("加减分项“{}”的分值", a.id))?;
        Ok(Adjustment { rule: r, points })
    }

    /// The classes: by rank percentiles (shares summing to 100) or by score cut-offs (from the
    /// highest down), with one name more than cuts.
    fn classes(&self, raw: &ClassesToml, text: &str) -> Result<Classes, RuleError> {
        let ctx = &self.cx.ctx;
        let method = match raw.method.as_str() {
            "percentile" => ClassMethod::Percentile,
            "score" => ClassMethod::Score,
            other => {
                return Err(ctx.at(
                    text.find("method").unwrap_or(0),
                    format!("分类方法“{other}”未知（可用 percentile 按排名百分比、score 按得分）"),
                ));
            }
        };
        let classes_at = text.find("[classes]").unwrap_or(0);
        let cuts = match method {
            ClassMethod::Percentile => self.percentile_cuts(raw, classes_at)?,
            ClassMethod::Score => self.score_cuts(raw, classes_at)?,
        };
        if raw.names.len() != cuts.len() + 1 {
            let what = match method {
                ClassMethod::Percentile => format!("{} 个分类比例", cuts.len() + 1),
                ClassMethod::Score => format!("{} 个分类界限", cuts.len()),
            };
            return Err(ctx.at(
                text.find("names").unwrap_or(0),
                format!(
                    "{what}须对应 {} 个类别名称，这里有 {} 个",
                    cuts.len() + 1,
                    raw.names.len()
                ),
            ));
        }
        Ok(Classes {
            method,
            cuts,
            names: raw.names.clone(),
            excluded: raw.excluded.clone(),
            article: self.article(&raw.article, classes_at)?,
        })
    }

    /// Classes by rank: each class's share of the ranking, in percent, summing to 100.
    fn percentile_cuts(&self, raw: &ClassesToml, classes_at: usize) -> Result<Vec<Decimal>, RuleError> {
        let ctx = &self.cx.ctx;
        if !raw.cuts.is_empty() || raw.shares.is_empty() {
            return Err(ctx.at(
                classes_at,
                "按排名百分比分类（percentile）时写 shares：各类所占百分比，如 [\"20\", \"40\", \"35\", \"5\"]",
            ));
        }
        let shares = raw
            .shares
            .iter()
            .map(|s| {
                let v = self.constant(s, "分类比例")?;
                if v <= Decimal::ZERO {
                    return Err(ctx.in_expr(s, 0, "分类比例应大于 0"));
                }
                Ok(v)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let sum: Decimal = shares.iter().sum();
        if sum != Decimal::ONE_HUNDRED {
            let written: Vec<String> = shares.iter().map(|s| format!("{}%", s.normalize())).collect();
            return Err(ctx.at(
                raw.shares[0].span().start,
                format!(
                    "分类比例合计应为 100%，这里 {} 合计 {}%",
                    written.join(" + "),
                    sum.normalize()
                ),
            ));
        }
        // Cumulative cuts: the share of the ranking up to the end of each class but the last.
        Ok(shares[..shares.len() - 1]
            .iter()
            .scan(Decimal::ZERO, |acc, s| {
                *acc += *s;
                Some(*acc)
            })
            .collect::<Vec<_>>())
    }

    /// Classes by score: the least score of each class but the last, from the highest down.
    fn score_cuts(&self, raw: &ClassesToml, classes_at: usize) -> Result<Vec<Decimal>, RuleError> {
        let ctx = &self.cx.ctx;
        if !raw.shares.is_empty() {
            return Err(ctx.at(classes_at, "按得分分类（score）时写 cuts：各类的最低分，从高到低"));
        }
        let cuts = raw
            .cuts
            .iter()
            .map(|c| self.constant(c, "分类界限"))
            .collect::<Result<Vec<_>, _>>()?;
        if !cuts.windows(2).all(|w| w[0] > w[1]) {
            return Err(ctx.at(
                raw.cuts.first().map(|c| c.span().start).unwrap_or(classes_at),
                "分类界限（各类最低分）应从高到低排列",
            ));
        }
        Ok(cuts)
    }
}

/// Every scheme of a folder (`*.toml`, sorted by name) or one file.
pub fn load_path(path: &std::path::Path) -> Result<Vec<Scheme>, RuleError> {
    let io = |p: &std::path::Path, e: std::io::Error| RuleError {
        file: p.display().to_string(),
        line: 0,
        column: 0,
        message: format!("无法读取：{e}"),
    };
    crate::toml_files(path)
        .map_err(|e| io(path, e))?
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).map_err(|e| io(f, e))?;
            load(&f.display().to_string(), &text)
        })
        .collect()
}
