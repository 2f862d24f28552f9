//! Loading a criteria file: the TOML as written, checked and compiled into [`Criteria`]. Every
//! expression is parsed, type-checked and compiled, ids are checked to be unique and articles to
//! be quoted, and any mistake is reported as `file:line:column: message`.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::facts::{Origin, SOURCES, Validities, source};
use super::{Condition, Criteria, Route, Score, ScoreItem, Variable};
use crate::compile::Compiler;
use crate::expr::Type;
use crate::policy::{RuleError, StepToml, parse_date};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CriteriaToml {
    id: String,
    tier: String,
    name: String,
    ladder: String,
    rank: u32,
    recognition: Option<String>,
    validity_years: Option<u32>,
    document_number: String,
    issuer: String,
    effective_from: String,
    effective_to: Option<String>,
    /// A local definition (瞪羚, 雏鹰 …): a zone is expected to edit it.
    #[serde(default)]
    local: bool,
    source: Option<String>,
    note: Option<String>,
    #[serde(default)]
    variables: Vec<VariableToml>,
    #[serde(default)]
    steps: Vec<StepToml>,
    #[serde(default)]
    articles: Vec<ArticleToml>,
    routes: Vec<RouteToml>,
    #[serde(default)]
    tests: Vec<CriteriaTest>,
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
    /// For a yearly figure: the year relative to the year evaluated (0, -1, -2 …).
    #[serde(default)]
    year: i32,
    /// For `recognition.holds`: the recognition category.
    category: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArticleToml {
    id: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteToml {
    id: String,
    name: String,
    #[serde(default)]
    conditions: Vec<ConditionToml>,
    score: Option<ScoreToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConditionToml {
    id: String,
    label: String,
    article: Option<Spanned<String>>,
    when: Option<Spanned<String>>,
    #[serde(default)]
    manual: bool,
    /// What closing the gap means, e.g. "研发费用再增加".
    hint_label: Option<String>,
    /// How much (an expression), shown when the condition fails.
    hint: Option<Spanned<String>>,
    hint_unit: Option<String>,
    /// How the compared values read: "%" (a ratio shown as a percentage, the gap in 个百分点),
    /// "元" (shown in 万元 from 1 万 up), or any other unit ("人", "年").
    unit: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoreToml {
    label: String,
    article: Option<Spanned<String>>,
    /// The least total that passes (a constant).
    pass: Spanned<String>,
    items: Vec<ScoreItemToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoreItemToml {
    id: String,
    label: String,
    max: Spanned<String>,
    expr: Spanned<String>,
}

/// A test of a criteria file: cases given by variable name (a variable left out is unknown)
/// and the outcome expected for each.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct CriteriaTest {
    pub name: String,
    pub year: i32,
    pub cases: Vec<toml::Table>,
    pub expect: Vec<CriteriaExpectation>,
}

#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct CriteriaExpectation {
    pub enterprise: String,
    pub status: String,
    /// The score of the first route with a score, as "72" or a range "50-66".
    pub score: Option<String>,
    /// The ids of the failing conditions of the nearest route ("score" for its score).
    pub unmet: Option<Vec<String>>,
    pub within_reach: Option<bool>,
}

/// The texts of loaded criteria (ids, labels, articles, rules, units), kept once for the life of
/// the process: results refer to them without copying or counting references, which is what
/// lets a zone of 100,000 enterprises be evaluated in about a second. Bounded by the distinct
/// texts ever loaded (a few KB per criteria version), whatever the number of loads.
fn intern(text: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static TEXTS: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut texts = TEXTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(known) = texts.get(text) {
        return known;
    }
    let kept: &'static str = Box::leak(text.to_string().into_boxed_str());
    texts.insert(kept);
    kept
}

/// Loads one criteria file; every expression is parsed, type-checked and compiled, and any
/// mistake is reported as `file:line:column: message`.
pub fn load(file: &str, text: &str) -> Result<Criteria, RuleError> {
    let mut cx = Compiler::new(file, text);
    let raw: CriteriaToml = cx.toml()?;
    if raw.tier.is_empty() || !raw.tier.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        let at = text.find("tier").unwrap_or(0);
        return Err(cx.ctx.at(at, "tier 应为小写英文和下划线，如 high_tech"));
    }
    let variables = raw
        .variables
        .iter()
        .map(|v| variable(&mut cx, v))
        .collect::<Result<Vec<_>, _>>()?;
    let steps = cx.steps(&raw.steps)?;
    unique_ids(&cx, &raw, text)?;
    let articles: Vec<(String, String)> = raw.articles.iter().map(|a| (a.id.clone(), a.text.clone())).collect();
    if raw.routes.is_empty() {
        return Err(cx.ctx.at(0, "至少需要一条认定路径（[[routes]]）"));
    }
    let routes = raw
        .routes
        .iter()
        .map(|r| route(&cx, r, &articles))
        .collect::<Result<Vec<_>, _>>()?;
    let slot_names = variables
        .iter()
        .map(|v| (v.name.clone(), v.label.clone()))
        .chain(steps.iter().map(|s| (s.name.clone(), s.label.clone())))
        .collect();
    let version = hex::encode(Sha256::digest(text.as_bytes()));
    Ok(Criteria {
        shared: [intern(&raw.tier), intern(&raw.name), intern(&raw.id), intern(&version)],
        effective_from: parse_date(&cx.ctx, "effective_from", &raw.effective_from)?,
        effective_to: raw
            .effective_to
            .as_deref()
            .map(|d| parse_date(&cx.ctx, "effective_to", d))
            .transpose()?,
        id: raw.id,
        tier: raw.tier,
        name: raw.name,
        ladder: raw.ladder,
        rank: raw.rank,
        recognition: raw.recognition,
        validity_years: raw.validity_years,
        document_number: raw.document_number,
        issuer: raw.issuer,
        local: raw.local,
        source: raw.source,
        note: raw.note,
        variables,
        steps,
        articles,
        routes,
        tests: raw.tests,
        slot_names,
        version,
        file: file.to_string(),
    })
}

/// A declared variable: its type, its source (which must have that type), the year it reads
/// (only a yearly figure has one) and the category it reads (only a recognition has one).
fn variable(cx: &mut Compiler<'_>, v: &VariableToml) -> Result<Variable, RuleError> {
    let kind = cx.kind(&v.name, &v.kind)?;
    let from = source(v.from.get_ref()).ok_or_else(|| {
        let known: Vec<&str> = SOURCES.iter().map(|s| s.name).collect();
        cx.unknown_source(&v.name, &v.from, &known)
    })?;
    cx.matches_source(&v.name, &v.kind, kind, (from.name, from.kind), v.from.span().start)?;
    let yearly = matches!(from.origin, Origin::Year(_));
    if v.year != 0 && !yearly {
        return Err(cx.ctx.at(
            v.from.span().start,
            format!("变量“{}”不是年度数据，不能设 year", v.name),
        ));
    }
    if !(-9..=0).contains(&v.year) {
        return Err(cx.ctx.at(
            v.from.span().start,
            format!("变量“{}”的 year 应在 -9 到 0 之间（相对评价年度）", v.name),
        ));
    }
    match (&from.origin, &v.category) {
        (Origin::Holds, None) => {
            return Err(cx.ctx.at(
                v.from.span().start,
                format!("变量“{}”读取认定，须写 category（如 \"高新技术企业\"）", v.name),
            ));
        }
        (Origin::Holds, Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Err(cx.ctx.at(
                v.from.span().start,
                format!("变量“{}”不是认定，不能写 category", v.name),
            ));
        }
    }
    cx.declare(&v.name, kind, v.from.span().start)?;
    Ok(Variable {
        name: v.name.clone(),
        label: v.label.clone(),
        kind,
        unit: v.unit.clone(),
        from,
        year_offset: v.year,
        category: v.category.clone(),
    })
}

/// Articles, routes, and the conditions and score items within each route, are each named once.
fn unique_ids(cx: &Compiler<'_>, raw: &CriteriaToml, text: &str) -> Result<(), RuleError> {
    let duplicate = |ids: Vec<&str>, what: &str| -> Result<(), RuleError> {
        for (i, id) in ids.iter().enumerate() {
            if ids[..i].contains(id) {
                let at = text.find(&format!("\"{id}\"")).unwrap_or(0);
                return Err(cx.ctx.at(at, format!("{what}“{id}”重复")));
            }
        }
        Ok(())
    };
    duplicate(raw.articles.iter().map(|a| a.id.as_str()).collect(), "条款")?;
    duplicate(raw.routes.iter().map(|r| r.id.as_str()).collect(), "认定路径")?;
    for r in &raw.routes {
        let mut ids: Vec<&str> = r.conditions.iter().map(|c| c.id.as_str()).collect();
        if let Some(score) = &r.score {
            ids.push("score");
            ids.extend(score.items.iter().map(|i| i.id.as_str()));
        }
        duplicate(ids, &format!("认定路径“{}”中的条件或评分项", r.id))?;
    }
    Ok(())
}

/// The article a condition or a score cites, which the file must quote in `articles`.
fn article(
    cx: &Compiler<'_>,
    cited: &Option<Spanned<String>>,
    articles: &[(String, String)],
) -> Result<Option<&'static str>, RuleError> {
    match cited {
        None => Ok(None),
        Some(id) if articles.iter().any(|(x, _)| x == id.get_ref()) => Ok(Some(intern(id.get_ref()))),
        Some(id) => Err(cx.ctx.at(
            id.span().start,
            format!("条款“{}”未在 articles 中列出（请引用条款原文）", id.get_ref()),
        )),
    }
}

/// A route: its conditions and its score, at least one of the two.
fn route(cx: &Compiler<'_>, r: &RouteToml, articles: &[(String, String)]) -> Result<Route, RuleError> {
    let conditions = r
        .conditions
        .iter()
        .map(|c| condition(cx, c, articles))
        .collect::<Result<Vec<_>, _>>()?;
    let score = r.score.as_ref().map(|s| score(cx, s, articles)).transpose()?;
    if conditions.is_empty() && score.is_none() {
        return Err(cx.ctx.at(0, format!("认定路径“{}”既没有条件也没有评分", r.id)));
    }
    Ok(Route {
        id: intern(&r.id),
        name: intern(&r.name),
        conditions,
        score,
    })
}

/// A condition: a yes/no rule (with both sides of a comparison of numbers kept for its gap, and
/// the hint that says what closing it means), or a manual one for a person to confirm.
fn condition(cx: &Compiler<'_>, c: &ConditionToml, articles: &[(String, String)]) -> Result<Condition, RuleError> {
    let what = format!("条件“{}”", c.id);
    let (when_source, when, inputs, sides) = match (&c.when, c.manual) {
        (None, false) => {
            return Err(cx.ctx.at(
                c.article.as_ref().map(|a| a.span().start).unwrap_or(0),
                format!("{what}既没有 when 也不是 manual（需人工确认）"),
            ));
        }
        (Some(w), true) => {
            return Err(cx.ctx.at(w.span().start, format!("{what}是 manual，不能同时写 when")));
        }
        (None, true) => (None, None, Vec::new(), None),
        (Some(w), false) => {
            let (e, compiled, inputs) = cx.typed(w, Type::Bool, &what)?;
            let sides = cx.number_sides(&e, w)?;
            (Some(w.get_ref().clone()), Some(compiled), inputs, sides)
        }
    };
    let hint = match (&c.hint, &c.hint_label) {
        (Some(h), Some(label)) => {
            let (_, compiled, _) = cx.typed(h, Type::Number, &format!("{what}的 hint"))?;
            Some((label.clone(), compiled, c.hint_unit.clone().unwrap_or_default()))
        }
        (None, None) => None,
        (Some(h), None) => {
            return Err(cx.ctx.at(h.span().start, format!("{what}写了 hint，也须写 hint_label")));
        }
        (None, Some(_)) => return Err(cx.ctx.at(0, format!("{what}写了 hint_label，也须写 hint"))),
    };
    Ok(Condition {
        id: intern(&c.id),
        label: intern(&c.label),
        article: article(cx, &c.article, articles)?,
        manual: c.manual,
        when_source: when_source.map(|w| intern(&w)),
        when,
        inputs,
        sides,
        hint,
        unit: c.unit.as_deref().map(intern),
    })
}

/// A route's score: its items, each with its maximum, and the pass mark.
fn score(cx: &Compiler<'_>, s: &ScoreToml, articles: &[(String, String)]) -> Result<Score, RuleError> {
    let mut items = Vec::new();
    for it in &s.items {
        let what = format!("评分项“{}”", it.id);
        let (_, compiled, inputs) = cx.typed(&it.expr, Type::Number, &what)?;
        items.push(ScoreItem {
            id: intern(&it.id),
            label: intern(&it.label),
            max: cx.constant(&it.max, &format!("{what}的满分"))?,
            source: it.expr.get_ref().clone(),
            compiled,
            inputs,
        });
    }
    Ok(Score {
        label: intern(&s.label),
        article: article(cx, &s.article, articles)?,
        pass: cx.constant(&s.pass, "及格分")?,
        items,
    })
}

/// Every criteria of a folder (`*.toml`, sorted by name) or one file.
pub fn load_path(path: &std::path::Path) -> Result<Vec<Criteria>, RuleError> {
    let io = |p: &std::path::Path, e: std::io::Error| RuleError {
        file: p.display().to_string(),
        line: 0,
        column: 0,
        message: format!("无法读取：{e}"),
    };
    let files = crate::toml_files(path).map_err(|e| io(path, e))?;
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).map_err(|e| io(f, e))?;
            load(&f.display().to_string(), &text)
        })
        .collect()
}

/// The validity of each recognition category the criteria define.
pub fn validities(all: &[Criteria]) -> Validities {
    all.iter()
        .filter_map(|c| Some((c.recognition.clone()?, c.validity_years?)))
        .collect()
}
