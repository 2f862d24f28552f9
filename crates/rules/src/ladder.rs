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

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::compile::Compiler;
use super::expr::{Compiled, Op, Type, Value, round_half_up};
use super::policy::{RuleError, StepToml, VarKind, parse_date};

// ---------------------------------------------------------------- facts and sources

/// A figure of one enterprise in one year: from the annual data (年度数据) or the innovation
/// data (创新指标) of the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum YearField {
    Revenue,
    RdExpense,
    HitechRevenue,
    TechStaff,
    RdStaff,
    InventionPatents,
    Tax,
    ValueAdded,
    TotalStaff,
    TotalAssets,
    NetAssets,
    DomesticRdExpense,
    TotalCost,
    MainRevenue,
    IpClass1,
    IpClass2,
    AchievementsTransferred,
    EquityFinancing,
    Valuation,
    MarketShare,
    RdInstitutions,
    RdManagementScore,
    IpQualityScore,
}

/// How many [`YearField`]s there are (the length of a year's figures).
pub const YEAR_FIELDS: usize = 23;

/// The figures of one enterprise-year, indexed by `YearField as usize`; `None` is unknown.
pub type YearFigures = [Option<Decimal>; YEAR_FIELDS];

/// A recognition the enterprise holds or held (from the recognitions of the registry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Held {
    pub category: String,
    pub level: Option<String>,
    pub date: NaiveDate,
    pub reference: String,
}

/// What gaoxin knows of one enterprise, for evaluating every tier.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub registered_on: Option<NaiveDate>,
    pub industry_code: Option<String>,
    pub employees: Option<i64>,
    pub years: BTreeMap<i32, YearFigures>,
    pub recognitions: Vec<Held>,
}

impl Facts {
    /// A figure of a year: known, 0 for a year before the enterprise was registered (it did not
    /// exist, so had no revenue), or unknown.
    pub fn figure(&self, year: i32, field: YearField) -> Option<Decimal> {
        if let Some(v) = self.years.get(&year).and_then(|f| f[field as usize]) {
            return Some(v);
        }
        match self.registered_on {
            Some(r) if year < r.year() => Some(Decimal::ZERO),
            _ => None,
        }
    }
}

/// How long each recognition category stays valid (years), from the criteria that define it.
pub type Validities = HashMap<String, u32>;

/// The first day a recognition is no longer valid (None: no validity set, it does not expire).
pub fn expires_on(held: &Held, validities: &Validities) -> Option<NaiveDate> {
    validities
        .get(&held.category)
        .and_then(|years| held.date.checked_add_months(chrono::Months::new(years * 12)))
}

/// Whether a recognition is valid on a day.
pub fn valid_on(held: &Held, validities: &Validities, day: NaiveDate) -> bool {
    held.date <= day && expires_on(held, validities).is_none_or(|end| day < end)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Year(YearField),
    RegisteredOn,
    IndustryCode,
    Employees,
    /// The day evaluated (a date).
    AsOf,
    /// The year evaluated.
    PeriodYear,
    /// Whether a recognition of the variable's `category` is valid on the day evaluated.
    Holds,
}

/// A fact a criteria variable may bind to with `from`.
#[derive(Clone, Copy, Debug)]
pub struct LadderSource {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: VarKind,
    pub origin: Origin,
}

const fn year(name: &'static str, label: &'static str, kind: VarKind, field: YearField) -> LadderSource {
    LadderSource {
        name,
        label,
        kind,
        origin: Origin::Year(field),
    }
}

use VarKind as V;
use YearField as Y;

/// Every fact a criteria file may read.
pub const SOURCES: &[LadderSource] = &[
    year("annual.revenue", "营业收入（销售收入）", V::Money, Y::Revenue),
    year("annual.rd_expense", "研发经费", V::Money, Y::RdExpense),
    year(
        "annual.hitech_revenue",
        "高新技术产品（服务）收入",
        V::Money,
        Y::HitechRevenue,
    ),
    year("annual.tech_staff", "科技人员数", V::Count, Y::TechStaff),
    year("annual.rd_staff", "研发人员数", V::Count, Y::RdStaff),
    year(
        "annual.invention_patents",
        "有效发明专利数",
        V::Count,
        Y::InventionPatents,
    ),
    year("annual.tax", "税收", V::Money, Y::Tax),
    year("annual.value_added", "工业增加值", V::Money, Y::ValueAdded),
    year("innovation.total_staff", "职工总数", V::Count, Y::TotalStaff),
    year("innovation.total_assets", "资产总额", V::Money, Y::TotalAssets),
    year("innovation.net_assets", "净资产", V::Number, Y::NetAssets),
    year(
        "innovation.domestic_rd_expense",
        "境内研发费用",
        V::Money,
        Y::DomesticRdExpense,
    ),
    year("innovation.total_cost", "成本费用支出总额", V::Money, Y::TotalCost),
    year("innovation.main_revenue", "主营业务收入", V::Money, Y::MainRevenue),
    year("innovation.ip_class1", "I类知识产权数", V::Count, Y::IpClass1),
    year("innovation.ip_class2", "II类知识产权数", V::Count, Y::IpClass2),
    year(
        "innovation.achievements_transferred",
        "科技成果转化数",
        V::Count,
        Y::AchievementsTransferred,
    ),
    year(
        "innovation.equity_financing",
        "新增股权融资",
        V::Money,
        Y::EquityFinancing,
    ),
    year("innovation.valuation_usd", "企业估值（美元）", V::Money, Y::Valuation),
    year(
        "innovation.market_share",
        "主导产品市场占有率（%）",
        V::Number,
        Y::MarketShare,
    ),
    year("innovation.rd_institutions", "研发机构数", V::Count, Y::RdInstitutions),
    year(
        "innovation.rd_management_score",
        "研究开发组织管理水平得分（评审）",
        V::Number,
        Y::RdManagementScore,
    ),
    year(
        "innovation.ip_quality_score",
        "知识产权技术先进程度与核心支持作用得分（评审）",
        V::Number,
        Y::IpQualityScore,
    ),
    LadderSource {
        name: "enterprise.registered_on",
        label: "注册日期",
        kind: V::Date,
        origin: Origin::RegisteredOn,
    },
    LadderSource {
        name: "enterprise.industry_code",
        label: "行业代码",
        kind: V::Text,
        origin: Origin::IndustryCode,
    },
    LadderSource {
        name: "enterprise.employees",
        label: "从业人员数",
        kind: V::Count,
        origin: Origin::Employees,
    },
    LadderSource {
        name: "period.as_of",
        label: "评价日",
        kind: V::Date,
        origin: Origin::AsOf,
    },
    LadderSource {
        name: "period.year",
        label: "评价年度",
        kind: V::Count,
        origin: Origin::PeriodYear,
    },
    LadderSource {
        name: "recognition.holds",
        label: "持有有效期内的认定（category 指定类别）",
        kind: V::Bool,
        origin: Origin::Holds,
    },
];

pub fn source(name: &str) -> Option<&'static LadderSource> {
    SOURCES.iter().find(|s| s.name == name)
}

// ---------------------------------------------------------------- the file

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

pub use super::compile::Step;

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
    let mut variables = Vec::new();
    for v in &raw.variables {
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
        variables.push(Variable {
            name: v.name.clone(),
            label: v.label.clone(),
            kind,
            unit: v.unit.clone(),
            from,
            year_offset: v.year,
            category: v.category.clone(),
        });
    }
    let steps = cx.steps(&raw.steps)?;
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
    let typed = |value: &Spanned<String>, want: Type, what: &str| cx.typed(value, want, what);
    let constant = |value: &Spanned<String>, what: &str| cx.constant(value, what);
    let articles: Vec<(String, String)> = raw.articles.iter().map(|a| (a.id.clone(), a.text.clone())).collect();
    let article = |a: &Option<Spanned<String>>| -> Result<Option<String>, RuleError> {
        match a {
            None => Ok(None),
            Some(id) if articles.iter().any(|(x, _)| x == id.get_ref()) => Ok(Some(id.get_ref().clone())),
            Some(id) => Err(cx.ctx.at(
                id.span().start,
                format!("条款“{}”未在 articles 中列出（请引用条款原文）", id.get_ref()),
            )),
        }
    };
    if raw.routes.is_empty() {
        return Err(cx.ctx.at(0, "至少需要一条认定路径（[[routes]]）"));
    }
    let mut routes = Vec::new();
    for r in &raw.routes {
        let mut conditions = Vec::new();
        for c in &r.conditions {
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
                    let (e, compiled, inputs) = typed(w, Type::Bool, &what)?;
                    let sides = cx.number_sides(&e, w)?;
                    (Some(w.get_ref().clone()), Some(compiled), inputs, sides)
                }
            };
            let hint = match (&c.hint, &c.hint_label) {
                (Some(h), Some(label)) => {
                    let (_, compiled, _) = typed(h, Type::Number, &format!("{what}的 hint"))?;
                    Some((label.clone(), compiled, c.hint_unit.clone().unwrap_or_default()))
                }
                (None, None) => None,
                (Some(h), None) => {
                    return Err(cx.ctx.at(h.span().start, format!("{what}写了 hint，也须写 hint_label")));
                }
                (None, Some(_)) => return Err(cx.ctx.at(0, format!("{what}写了 hint_label，也须写 hint"))),
            };
            conditions.push(Condition {
                id: intern(&c.id),
                label: intern(&c.label),
                article: article(&c.article)?.map(|a| intern(&a)),
                manual: c.manual,
                when_source: when_source.map(|w| intern(&w)),
                when,
                inputs,
                sides,
                hint,
                unit: c.unit.as_deref().map(intern),
            });
        }
        let score = match &r.score {
            None => None,
            Some(s) => {
                let mut items = Vec::new();
                for it in &s.items {
                    let what = format!("评分项“{}”", it.id);
                    let (_, compiled, inputs) = typed(&it.expr, Type::Number, &what)?;
                    items.push(ScoreItem {
                        id: intern(&it.id),
                        label: intern(&it.label),
                        max: constant(&it.max, &format!("{what}的满分"))?,
                        source: it.expr.get_ref().clone(),
                        compiled,
                        inputs,
                    });
                }
                Some(Score {
                    label: intern(&s.label),
                    article: article(&s.article)?.map(|a| intern(&a)),
                    pass: constant(&s.pass, "及格分")?,
                    items,
                })
            }
        };
        if conditions.is_empty() && score.is_none() {
            return Err(cx.ctx.at(0, format!("认定路径“{}”既没有条件也没有评分", r.id)));
        }
        routes.push(Route {
            id: intern(&r.id),
            name: intern(&r.name),
            conditions,
            score,
        });
    }
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

/// Every criteria of a folder (`*.toml`, sorted by name) or one file.
pub fn load_path(path: &std::path::Path) -> Result<Vec<Criteria>, RuleError> {
    let io = |p: &std::path::Path, e: std::io::Error| RuleError {
        file: p.display().to_string(),
        line: 0,
        column: 0,
        message: format!("无法读取：{e}"),
    };
    let files = super::toml_files(path).map_err(|e| io(path, e))?;
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

// ---------------------------------------------------------------- evaluation

/// Whether an enterprise meets a tier (or a route, or a score).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Some condition fails on known data.
    Fails,
    /// Nothing known fails, but some data is missing (需补充).
    Unknown,
    /// Every condition that can be computed holds; manual ones are listed for confirmation.
    Qualifies,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Fails => "fails",
            Status::Unknown => "unknown",
            Status::Qualifies => "qualifies",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Fails => "不符合",
            Status::Unknown => "需补充数据",
            Status::Qualifies => "符合",
        }
    }

    pub fn parse(code: &str) -> Option<Status> {
        [Status::Fails, Status::Unknown, Status::Qualifies]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// One condition's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Met,
    NotMet,
    Unknown,
    Manual,
}

/// A condition as it stands for one enterprise.
#[derive(Clone, Debug, Serialize)]
pub struct ConditionResult {
    pub id: &'static str,
    pub label: &'static str,
    pub article: Option<&'static str>,
    pub check: Check,
    /// The condition as written.
    pub rule: Option<&'static str>,
    /// How the values read ("%", "元", "人" …).
    pub unit: Option<&'static str>,
    /// The comparison ("≥", ">", "≤", "<").
    pub op: Option<&'static str>,
    /// For a comparison of numbers: the current value and the threshold.
    pub current: Option<Decimal>,
    pub threshold: Option<Decimal>,
    /// How far the current value is from the threshold (when not met).
    pub gap: Option<Decimal>,
    /// The gap as a share of the threshold.
    pub relative: Option<Decimal>,
    /// What closing the gap means ("研发费用再增加 127 万元").
    pub hint: Option<String>,
    /// The labels of the facts that are missing (需补充).
    pub missing: Vec<String>,
    /// Why it could not be computed (a division by zero in the data).
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ItemResult {
    pub id: &'static str,
    pub label: &'static str,
    pub max: Decimal,
    /// None: unknown (a fact is missing).
    pub points: Option<Decimal>,
    pub missing: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ScoreResult {
    pub label: &'static str,
    pub article: Option<&'static str>,
    pub pass: Decimal,
    /// The known points; with unknown items the total lies between `low` and `high`.
    pub low: Decimal,
    pub high: Decimal,
    pub check: Check,
    pub gap: Option<Decimal>,
    pub items: Vec<ItemResult>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RouteResult {
    pub id: &'static str,
    pub name: &'static str,
    pub status: Status,
    pub conditions: Vec<ConditionResult>,
    pub score: Option<ScoreResult>,
}

impl RouteResult {
    /// The ids of what fails on known data ("score" for the score).
    pub fn unmet(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .conditions
            .iter()
            .filter(|c| c.check == Check::NotMet)
            .map(|c| c.id.to_string())
            .collect();
        if self.score.as_ref().is_some_and(|s| s.check == Check::NotMet) {
            out.push("score".into());
        }
        out
    }

    /// The largest failing item's gap as a share of its bar (None when nothing fails; a
    /// failed yes/no or a bar of zero counts as `Decimal::MAX`).
    fn worst_relative_gap(&self) -> Option<Decimal> {
        self.conditions
            .iter()
            .filter(|c| c.check == Check::NotMet)
            .map(|c| c.relative.unwrap_or(Decimal::MAX))
            .chain(
                self.score
                    .iter()
                    .filter(|s| s.check == Check::NotMet)
                    .map(|s| s.gap.unwrap_or_default() / s.pass.max(Decimal::ONE)),
            )
            .max()
    }

    fn unknown_count(&self) -> usize {
        self.conditions.iter().filter(|c| c.check == Check::Unknown).count()
            + usize::from(self.score.as_ref().is_some_and(|s| s.check == Check::Unknown))
    }

    /// Labels of the facts missing anywhere in the route.
    pub fn missing(&self) -> Vec<String> {
        let mut out: Vec<String> = self.conditions.iter().flat_map(|c| c.missing.iter().cloned()).collect();
        if let Some(s) = &self.score {
            out.extend(s.items.iter().flat_map(|i| i.missing.iter().cloned()));
        }
        out.sort();
        out.dedup();
        out
    }

    /// The manual conditions to be confirmed by a person.
    pub fn manual(&self) -> Vec<String> {
        self.conditions
            .iter()
            .filter(|c| c.check == Check::Manual)
            .map(|c| c.label.to_string())
            .collect()
    }
}

/// Where an enterprise stands against one tier.
#[derive(Clone, Debug, Serialize)]
pub struct TierResult {
    pub tier: &'static str,
    pub name: &'static str,
    pub criteria: &'static str,
    pub version: &'static str,
    pub status: Status,
    /// The route that decides: the one that qualifies, or the nearest.
    pub route: usize,
    /// One failing item only, within the margin: 培育库 "within reach".
    pub within_reach: bool,
    pub routes: Vec<RouteResult>,
}

impl TierResult {
    pub fn best(&self) -> &RouteResult {
        &self.routes[self.route]
    }
}

/// The day a year is evaluated on, when none is given: its last day.
pub fn default_as_of(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).expect("a year")
}

/// The default "within reach" margin: one failing item, short by at most a fifth.
pub const DEFAULT_MARGIN: Decimal = Decimal::from_parts(20, 0, 0, false, 2);

impl Criteria {
    /// Reads the variables of an enterprise for a year: values, and which are known.
    pub fn read(&self, facts: &Facts, year: i32, as_of: NaiveDate, validities: &Validities) -> (Vec<Value>, Vec<bool>) {
        let n = self.variables.len() + self.steps.len();
        let mut values = Vec::with_capacity(n);
        let mut known = Vec::with_capacity(n);
        for v in &self.variables {
            let value = match v.from.origin {
                Origin::Year(field) => facts.figure(year + v.year_offset, field).map(Value::Num),
                Origin::RegisteredOn => facts.registered_on.map(Value::Date),
                Origin::IndustryCode => facts.industry_code.as_deref().map(|c| Value::Text(c.into())),
                Origin::Employees => facts.employees.map(|e| Value::Num(e.into())),
                Origin::AsOf => Some(Value::Date(as_of)),
                Origin::PeriodYear => Some(Value::Num(year.into())),
                Origin::Holds => {
                    let category = v.category.as_deref().unwrap_or_default();
                    Some(Value::Bool(
                        facts
                            .recognitions
                            .iter()
                            .any(|h| h.category == category && valid_on(h, validities, as_of)),
                    ))
                }
            };
            known.push(value.is_some());
            values.push(value.unwrap_or(Value::Num(Decimal::ZERO)));
        }
        (values, known)
    }

    /// Evaluates an enterprise's facts.
    pub fn evaluate(
        &self,
        facts: &Facts,
        year: i32,
        as_of: NaiveDate,
        validities: &Validities,
        margin: Decimal,
    ) -> TierResult {
        let (values, known) = self.read(facts, year, as_of, validities);
        self.evaluate_values(values, known, margin)
    }

    /// Evaluates variables given directly (tests, what-if): `known[i]` says whether variable i
    /// is known.
    pub fn evaluate_values(&self, mut values: Vec<Value>, mut known: Vec<bool>, margin: Decimal) -> TierResult {
        let mut errors: HashMap<usize, String> = HashMap::new();
        for step in &self.steps {
            let ok = step.inputs.iter().all(|i| known[*i]);
            let value = if ok {
                match (step.compiled)(&values) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        errors.insert(values.len(), format!("步骤“{}”：{}", step.name, e.message));
                        None
                    }
                }
            } else {
                None
            };
            known.push(value.is_some());
            values.push(value.unwrap_or(Value::Num(Decimal::ZERO)));
        }
        let missing_of = |inputs: &[usize]| -> Vec<String> {
            let mut out = Vec::new();
            self.missing_labels(inputs, &known, &mut out);
            out.sort();
            out.dedup();
            out
        };
        let routes: Vec<RouteResult> = self
            .routes
            .iter()
            .map(|r| {
                let conditions: Vec<ConditionResult> = r
                    .conditions
                    .iter()
                    .map(|c| self.check_condition(c, &values, &known, &errors, &missing_of))
                    .collect();
                let score = r.score.as_ref().map(|s| {
                    let mut low = Decimal::ZERO;
                    let mut high = Decimal::ZERO;
                    let items: Vec<ItemResult> = s
                        .items
                        .iter()
                        .map(|it| {
                            let points = if it.inputs.iter().all(|i| known[*i]) {
                                (it.compiled)(&values).ok().map(|v| v.as_num().min(it.max))
                            } else {
                                None
                            };
                            match points {
                                Some(p) => {
                                    low += p;
                                    high += p;
                                }
                                None => high += it.max,
                            }
                            ItemResult {
                                id: it.id,
                                label: it.label,
                                max: it.max,
                                points,
                                missing: if points.is_none() {
                                    missing_of(&it.inputs)
                                } else {
                                    Vec::new()
                                },
                            }
                        })
                        .collect();
                    let (check, gap) = if low >= s.pass {
                        (Check::Met, None)
                    } else if high < s.pass {
                        (Check::NotMet, Some(s.pass - high))
                    } else {
                        (Check::Unknown, Some(s.pass - low))
                    };
                    ScoreResult {
                        label: s.label,
                        article: s.article,
                        pass: s.pass,
                        low,
                        high,
                        check,
                        gap,
                        items,
                    }
                });
                let checks = conditions
                    .iter()
                    .map(|c| c.check)
                    .chain(score.as_ref().map(|s| s.check));
                let mut status = Status::Qualifies;
                for c in checks {
                    status = status.min(match c {
                        Check::NotMet => Status::Fails,
                        Check::Unknown => Status::Unknown,
                        Check::Met | Check::Manual => Status::Qualifies,
                    });
                }
                RouteResult {
                    id: r.id,
                    name: r.name,
                    status,
                    conditions,
                    score,
                }
            })
            .collect();
        // The deciding route: the best status; among failing ones the fewest failures, then the
        // fewest unknowns; the first on a tie.
        // Among routes failing as many items, the one whose worst failing item is closest to
        // its bar (a failed yes/no counts as farthest).
        let route = (0..routes.len())
            .min_by_key(|i| {
                let r = &routes[*i];
                (
                    std::cmp::Reverse(r.status),
                    r.unmet().len(),
                    r.worst_relative_gap(),
                    r.unknown_count(),
                    *i,
                )
            })
            .unwrap_or(0);
        let best = &routes[route];
        let within_reach = best.status == Status::Fails && {
            let failing: Vec<Option<Decimal>> = best
                .conditions
                .iter()
                .filter(|c| c.check == Check::NotMet)
                .map(|c| c.relative)
                .chain(
                    best.score
                        .iter()
                        .filter(|s| s.check == Check::NotMet)
                        .map(|s| s.gap.map(|g| g / s.pass.max(Decimal::ONE))),
                )
                .collect();
            matches!(failing.as_slice(), [Some(r)] if *r <= margin)
        };
        TierResult {
            tier: self.shared[0],
            name: self.shared[1],
            criteria: self.shared[2],
            version: self.shared[3],
            status: best.status,
            route,
            within_reach,
            routes,
        }
    }

    fn missing_labels(&self, inputs: &[usize], known: &[bool], out: &mut Vec<String>) {
        let base = self.variables.len();
        for i in inputs {
            if known[*i] {
                continue;
            }
            if *i < base {
                let v = &self.variables[*i];
                out.push(match v.year_offset {
                    0 => v.label.clone(),
                    o => format!("{}（{}年前）", v.label, -o),
                });
            } else {
                self.missing_labels(&self.steps[*i - base].inputs, known, out);
            }
        }
    }

    fn check_condition(
        &self,
        c: &Condition,
        values: &[Value],
        known: &[bool],
        errors: &HashMap<usize, String>,
        missing_of: &dyn Fn(&[usize]) -> Vec<String>,
    ) -> ConditionResult {
        let mut out = ConditionResult {
            id: c.id,
            label: c.label,
            article: c.article,
            check: Check::Manual,
            rule: c.when_source,
            unit: c.unit,
            op: None,
            current: None,
            threshold: None,
            gap: None,
            relative: None,
            hint: None,
            missing: Vec::new(),
            error: None,
        };
        let Some(when) = &c.when else { return out };
        if !c.inputs.iter().all(|i| known[*i]) {
            out.check = Check::Unknown;
            out.missing = missing_of(&c.inputs);
            out.error = c.inputs.iter().find_map(|i| errors.get(i).cloned());
            if out.error.is_some() {
                out.missing.clear();
            }
            return out;
        }
        match when(values) {
            Err(e) => {
                out.check = Check::Unknown;
                out.error = Some(e.message);
                return out;
            }
            Ok(v) => out.check = if v.as_bool() { Check::Met } else { Check::NotMet },
        }
        if let Some((l, r, op)) = &c.sides
            && let (Ok(Value::Num(left)), Ok(Value::Num(right))) = (l(values), r(values))
        {
            out.current = Some(left);
            out.threshold = Some(right);
            out.op = Some(match op {
                Op::Ge => "≥",
                Op::Gt => ">",
                Op::Le => "≤",
                _ => "<",
            });
            if out.check == Check::NotMet {
                let gap = match op {
                    Op::Ge | Op::Gt => right - left,
                    _ => left - right,
                };
                out.gap = Some(gap);
                if !right.is_zero() {
                    out.relative = Some(gap / right.abs());
                }
            }
        }
        if out.check == Check::NotMet
            && let Some((label, hint, unit)) = &c.hint
            && let Ok(Value::Num(amount)) = hint(values)
        {
            out.hint = Some(
                format!("{label} {} {unit}", round_half_up(amount, 2).normalize())
                    .trim_end()
                    .to_string(),
            );
        }
        out
    }

    /// Runs the file's own tests; each failure says which case and why.
    pub fn run_tests(&self) -> Vec<TestOutcome> {
        self.tests
            .iter()
            .map(|t| {
                let mut failures = Vec::new();
                let mut results: HashMap<String, TierResult> = HashMap::new();
                for case in &t.cases {
                    let name = case
                        .get("enterprise")
                        .and_then(|v| v.as_str())
                        .unwrap_or("?")
                        .to_string();
                    let mut values = Vec::new();
                    let mut known = Vec::new();
                    let mut bad = false;
                    for (k, _) in case.iter() {
                        if k != "enterprise" && !self.variables.iter().any(|v| &v.name == k) {
                            failures.push(format!("{name}：用例中的“{k}”不是本文件的变量"));
                            bad = true;
                        }
                    }
                    for v in &self.variables {
                        match case.get(&v.name) {
                            None => {
                                // The year evaluated and the day are always known.
                                let implied = match v.from.origin {
                                    Origin::PeriodYear => Some(Value::Num(t.year.into())),
                                    Origin::AsOf => Some(Value::Date(default_as_of(t.year))),
                                    Origin::Holds => Some(Value::Bool(false)),
                                    _ => None,
                                };
                                known.push(implied.is_some());
                                values.push(implied.unwrap_or(Value::Num(Decimal::ZERO)));
                            }
                            Some(raw) => {
                                let text = match raw {
                                    toml::Value::String(s) => s.clone(),
                                    other => other.to_string(),
                                };
                                match v.kind.read(&text) {
                                    Ok(value) => {
                                        values.push(value);
                                        known.push(true);
                                    }
                                    Err(e) => {
                                        failures.push(format!("{name}：变量“{}”{e}", v.name));
                                        bad = true;
                                        values.push(Value::Num(Decimal::ZERO));
                                        known.push(false);
                                    }
                                }
                            }
                        }
                    }
                    if !bad {
                        results.insert(name, self.evaluate_values(values, known, DEFAULT_MARGIN));
                    }
                }
                for e in &t.expect {
                    let Some(r) = results.get(&e.enterprise) else {
                        failures.push(format!("{}：没有这个用例", e.enterprise));
                        continue;
                    };
                    if r.status.code() != e.status {
                        failures.push(format!(
                            "{}：应为 {}，实为 {}（未满足：{}）",
                            e.enterprise,
                            e.status,
                            r.status.code(),
                            r.best().unmet().join("、")
                        ));
                    }
                    if let Some(want) = &e.score {
                        let got = r
                            .routes
                            .iter()
                            .find_map(|route| route.score.as_ref())
                            .map(|s| {
                                if s.low == s.high {
                                    s.low.normalize().to_string()
                                } else {
                                    format!("{}-{}", s.low.normalize(), s.high.normalize())
                                }
                            })
                            .unwrap_or_default();
                        if &got != want {
                            failures.push(format!("{}：得分应为 {want}，实为 {got}", e.enterprise));
                        }
                    }
                    if let Some(want) = &e.unmet {
                        let got = r.best().unmet();
                        if &got != want {
                            failures.push(format!("{}：未满足项应为 {want:?}，实为 {got:?}", e.enterprise));
                        }
                    }
                    if let Some(want) = e.within_reach
                        && want != r.within_reach
                    {
                        failures.push(format!(
                            "{}：within_reach 应为 {want}，实为 {}",
                            e.enterprise, r.within_reach
                        ));
                    }
                }
                TestOutcome {
                    file: self.file.clone(),
                    name: t.name.clone(),
                    failures,
                }
            })
            .collect()
    }
}

/// The outcome of one test of a criteria file.
#[derive(Clone, Debug, Serialize)]
pub struct TestOutcome {
    pub file: String,
    pub name: String,
    pub failures: Vec<String>,
}

/// Maps `f` over `items` on every core (scoped threads, contiguous chunks, order kept): a
/// zone's enterprises are evaluated independently of one another.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 64 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("an evaluation thread panicked"))
            .collect()
    })
}

// ---------------------------------------------------------------- how results read

/// A value as a person reads it, in the condition's unit.
pub fn show(value: Decimal, unit: Option<&str>) -> String {
    let wan = Decimal::from(10_000);
    match unit {
        Some("%") => format!("{}%", round_half_up(value * Decimal::ONE_HUNDRED, 2).normalize()),
        Some("元") if value.abs() >= wan => format!("{} 万元", round_half_up(value / wan, 2).normalize()),
        Some("元") => format!("{} 元", round_half_up(value, 2).normalize()),
        Some(u) if !u.is_empty() => format!("{} {u}", round_half_up(value, 2).normalize()),
        _ => round_half_up(value, 4).normalize().to_string(),
    }
}

impl ConditionResult {
    /// One line saying where the enterprise stands against this condition, e.g.
    /// "研发费用占比：3.1%，需 ≥ 4%，差 0.9 个百分点（≈ 研发费用再增加 127 万元）".
    pub fn describe(&self) -> String {
        let unit = self.unit;
        match self.check {
            Check::Met => match self.current {
                Some(c) => format!("{}：符合（{}）", self.label, show(c, unit)),
                None => format!("{}：符合", self.label),
            },
            Check::Manual => format!("{}：需人工确认", self.label),
            Check::Unknown => match &self.error {
                Some(e) => format!("{}：无法计算（{e}）", self.label),
                None => format!("{}：需补充 {}", self.label, self.missing.join("、")),
            },
            Check::NotMet => {
                let mut line = match (self.current, self.threshold, self.gap) {
                    (Some(c), Some(t), Some(g)) => {
                        let gap = match unit {
                            // Short by less than shows: say so rather than "0".
                            Some("%") if round_half_up(g * Decimal::ONE_HUNDRED, 2).is_zero() => {
                                "不足 0.01 个百分点".to_string()
                            }
                            Some("%") => format!("{} 个百分点", round_half_up(g * Decimal::ONE_HUNDRED, 2).normalize()),
                            _ if round_half_up(g, 2).is_zero() => "不足 0.01".to_string(),
                            _ => show(g, unit),
                        };
                        format!(
                            "{}：{}，需 {} {}，差 {gap}",
                            self.label,
                            show(c, unit),
                            self.op.unwrap_or("≥"),
                            show(t, unit)
                        )
                    }
                    _ => format!("{}：不符合", self.label),
                };
                if let Some(h) = &self.hint {
                    line.push_str(&format!("（≈ {h}）"));
                }
                line
            }
        }
    }
}

impl ScoreResult {
    /// "企业创新能力评价：68 分，需 ≥ 71 分，差 3 分"; a range when some items are unknown.
    pub fn describe(&self) -> String {
        let points = if self.low == self.high {
            format!("{} 分", self.low.normalize())
        } else {
            format!("{}–{} 分", self.low.normalize(), self.high.normalize())
        };
        match self.check {
            Check::Met => format!("{}：{points}，符合", self.label),
            Check::NotMet => format!(
                "{}：{points}，需 ≥ {} 分，差 {} 分",
                self.label,
                self.pass.normalize(),
                self.gap.unwrap_or_default().normalize()
            ),
            _ => {
                let missing: Vec<String> = self.items.iter().flat_map(|i| i.missing.iter().cloned()).collect();
                format!(
                    "{}：{points}（需 ≥ {} 分），需补充 {}",
                    self.label,
                    self.pass.normalize(),
                    missing.join("、")
                )
            }
        }
    }
}

impl RouteResult {
    /// The failing items, one line each, with their gaps.
    pub fn gaps(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .conditions
            .iter()
            .filter(|c| c.check == Check::NotMet)
            .map(ConditionResult::describe)
            .collect();
        if let Some(s) = self.score.as_ref().filter(|s| s.check == Check::NotMet) {
            out.push(s.describe());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
id = "t"
tier = "t"
name = "测试梯度"
ladder = "测试"
rank = 1
document_number = "测试"
issuer = "测试"
effective_from = "2020-01-01"

[[variables]]
name = "收入"
label = "营业收入"
type = "money"
from = "annual.revenue"

[[variables]]
name = "研发"
label = "研发费用"
type = "money"
from = "annual.rd_expense"

[[variables]]
name = "估值"
label = "企业估值（美元）"
type = "money"
from = "innovation.valuation_usd"

[[steps]]
name = "占比"
label = "研发费用占比"
expr = "if 收入 > 0 then 研发 / 收入 else 0"

[[articles]]
id = "一"
text = "研发费用占营业收入比例不低于 4%。"

[[routes]]
id = "a"
name = "条件"

[[routes.conditions]]
id = "rd"
label = "研发费用占比"
article = "一"
when = "占比 >= 4%"
unit = "%"
hint_label = "研发费用再增加"
hint = "(收入 * 4% - 研发) / 1万"
hint_unit = "万元"

[[routes.conditions]]
id = "revenue"
label = "营业收入"
article = "一"
when = "收入 >= 1亿"
unit = "元"

[[routes.conditions]]
id = "valuation"
label = "估值"
article = "一"
when = "估值 >= 1"
"#;

    fn value(n: &str) -> Value {
        Value::Num(n.parse().unwrap())
    }

    #[test]
    fn a_gap_reads_as_zone_staff_write_it() {
        let c = load("t.toml", SMALL).unwrap();
        // 3.1% of 141,111,111.11: 4% would need 5,644,444.44, i.e. 127 万 more (half-up).
        let r = c.evaluate_values(
            vec![value("141111111.11"), value("4374444.44"), value("0")],
            vec![true, true, false],
            DEFAULT_MARGIN,
        );
        let route = r.best();
        assert_eq!(
            route.conditions[0].describe(),
            "研发费用占比：3.1%，需 ≥ 4%，差 0.9 个百分点（≈ 研发费用再增加 127 万元）"
        );
        assert_eq!(route.conditions[1].describe(), "营业收入：符合（14111.11 万元）");
        assert_eq!(route.conditions[2].describe(), "估值：需补充 企业估值（美元）");
        assert_eq!(r.status, Status::Fails, "a known failure outweighs an unknown");
        // One failing item, 22.5% short of its bar: outside the default 20% margin, inside 25%.
        assert!(!r.within_reach);
        let wide = c.evaluate_values(
            vec![value("141111111.11"), value("4374444.44"), value("0")],
            vec![true, true, false],
            Decimal::new(25, 2),
        );
        assert!(wide.within_reach);
        assert_eq!(route.missing(), vec!["企业估值（美元）".to_string()]);
    }

    #[test]
    fn mistakes_in_a_criteria_file_say_where() {
        let unknown = SMALL.replace("from = \"annual.rd_expense\"", "from = \"annual.rd\"");
        let e = load("x.toml", &unknown).unwrap_err().to_string();
        assert!(e.starts_with("x.toml:21:"), "{e}");
        assert!(e.contains("数据来源“annual.rd”未知"), "{e}");
        let no_article = SMALL.replace("article = \"一\"\nwhen = \"收入", "article = \"二\"\nwhen = \"收入");
        let e = load("x.toml", &no_article).unwrap_err().to_string();
        assert!(e.contains("条款“二”未在 articles 中列出"), "{e}");
        let type_error = SMALL.replace("when = \"估值 >= 1\"", "when = \"估值 + 1\"");
        let e = load("x.toml", &type_error).unwrap_err().to_string();
        assert!(e.contains("应为是/否"), "{e}");
    }

    #[test]
    fn every_shipped_criteria_file_loads_and_passes_its_own_tests() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/ladder");
        let all = load_path(&dir).unwrap_or_else(|e| panic!("{e}"));
        assert!(all.len() >= 2, "criteria files found: {}", all.len());
        let mut failures = Vec::new();
        let mut count = 0;
        for c in &all {
            assert!(!c.tests.is_empty(), "{} has no tests", c.file);
            for t in c.run_tests() {
                count += 1;
                for f in t.failures {
                    failures.push(format!("{} / {}: {f}", t.file, t.name));
                }
            }
        }
        assert!(failures.is_empty(), "{count} tests, failures:\n{}", failures.join("\n"));
    }
}
