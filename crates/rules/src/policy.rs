//! Policy files: one TOML file per policy, read next to the policy document by the department
//! that owns it. A file names the policy (id, title, 文号, issuer, dates), declares the variables
//! its conditions read (name, Chinese label, type, unit), may define named intermediate steps,
//! and lists the articles — each with its text verbatim and the awards it defines. Tests live in
//! the same file. A file's SHA-256 is its version.
//!
//! Every expression is parsed, type-checked and compiled when the file is loaded; any mistake is
//! reported as `file:line:column: what is wrong`.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::expr::{self, Compiled, Expr, Op, Type, line_col};
use super::sources::{self, EventKind, Source};

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyToml {
    id: String,
    title: String,
    document_number: String,
    issuer: String,
    effective_from: String,
    effective_to: Option<String>,
    /// Whether this policy is an example written for gaoxin (not a real zone's policy).
    #[serde(default)]
    example: bool,
    source: Option<String>,
    /// The yearly budget of the whole policy: bounds the sum of all its awards' lines in a run.
    budget: Option<Spanned<String>>,
    #[serde(default)]
    variables: Vec<VariableToml>,
    #[serde(default)]
    steps: Vec<StepToml>,
    articles: Vec<ArticleToml>,
    #[serde(default)]
    tests: Vec<TestToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VariableToml {
    name: String,
    label: String,
    #[serde(rename = "type")]
    kind: Spanned<String>,
    unit: Option<String>,
    /// The data source in gaoxin's database (`sources::CATALOGUE`).
    from: Option<Spanned<String>>,
}

/// A named intermediate step (policy and criteria files alike).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepToml {
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) expr: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArticleToml {
    id: String,
    text: String,
    awards: Vec<AwardToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AwardToml {
    id: String,
    name: String,
    beneficiary: Spanned<String>,
    paid: Spanned<String>,
    /// The kind of event the award is paid on (one case per event); none: once per recipient
    /// and year, on its annual and registry facts.
    on: Option<Spanned<String>>,
    when: Option<Spanned<String>>,
    amount: Spanned<String>,
    cap_per_item: Option<Spanned<String>>,
    cap_per_recipient_year: Option<Spanned<String>>,
    cap_per_recipient_total: Option<Spanned<String>>,
    budget: Option<Spanned<String>>,
}

#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct TestToml {
    pub name: String,
    pub period: i32,
    pub cases: Vec<toml::Table>,
    pub expect: Vec<Expectation>,
    /// What earlier years paid, for caps over all years.
    #[serde(default)]
    pub paid_before: Vec<PaidBefore>,
}

/// An amount paid in an earlier year (counts against `cap_per_recipient_total`).
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct PaidBefore {
    pub enterprise: String,
    pub award: String,
    pub amount: String,
}

/// An expected outcome: an award's total for one enterprise, or (no `award`) its grand total.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub enterprise: String,
    pub award: Option<String>,
    pub amount: String,
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

/// Loads one policy file. `slots` receives the policy's variables (shared by name with other
/// policies loaded into the same slots; a name must keep its type).
pub fn load(
    file: &str,
    source: &str,
    slots: &mut Slots,
    kinds: &mut HashMap<String, VarKind>,
) -> Result<Policy, RuleError> {
    let ctx = Ctx { file, source };
    let raw: PolicyToml = toml::from_str(source).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        ctx.at(offset, format!("文件格式错误：{}", e.message()))
    })?;
    let mut variables = Vec::new();
    for v in &raw.variables {
        let kind = VarKind::parse(v.kind.get_ref()).ok_or_else(|| {
            ctx.at(
                v.kind.span().start,
                format!(
                    "变量“{}”的类型“{}”未知（可用 money、count、number、bool、text、date）",
                    v.name,
                    v.kind.get_ref()
                ),
            )
        })?;
        if let Some(existing) = kinds.get(&v.name)
            && *existing != kind
        {
            return Err(ctx.at(v.kind.span().start, format!("变量“{}”在另一个政策中的类型不同", v.name)));
        }
        let from = match &v.from {
            None => None,
            Some(f) => {
                let src = sources::source(f.get_ref()).ok_or_else(|| {
                    ctx.at(
                        f.span().start,
                        format!(
                            "变量“{}”的数据来源“{}”未知（见 gaoxin rules sources）",
                            v.name,
                            f.get_ref()
                        ),
                    )
                })?;
                if src.kind != kind {
                    return Err(ctx.at(
                        f.span().start,
                        format!(
                            "变量“{}”声明为 {}，数据来源“{}”是 {}",
                            v.name,
                            v.kind.get_ref(),
                            src.name,
                            src.kind.code()
                        ),
                    ));
                }
                Some(src)
            }
        };
        kinds.insert(v.name.clone(), kind);
        let next = slots.len();
        slots.entry(v.name.clone()).or_insert(next);
        variables.push(Variable {
            name: v.name.clone(),
            label: v.label.clone(),
            kind,
            unit: v.unit.clone(),
            from,
        });
    }
    // Steps: parse all, then order them so each comes after what it reads (cycles refused).
    let mut parsed_steps: Vec<(&StepToml, Expr)> = Vec::new();
    for s in &raw.steps {
        let e = expr::parse(s.expr.get_ref())
            .map_err(|e| ctx.in_expr(&s.expr, e.offset, &format!("步骤“{}”：{}", s.name, e.message)))?;
        parsed_steps.push((s, e));
    }
    let order = order_steps(
        &parsed_steps
            .iter()
            .map(|(s, e)| (s.name.as_str(), e))
            .collect::<Vec<_>>(),
    )
    .map_err(|(i, cycle)| {
        ctx.at(
            parsed_steps[i].0.expr.span().start,
            format!("步骤之间循环引用：{}", cycle.join(" → ")),
        )
    })?;
    // Each policy evaluates on its own buffer: its variables in declared order, then its steps.
    let mut local: HashMap<String, usize> = variables.iter().enumerate().map(|(i, v)| (v.name.clone(), i)).collect();
    let base = variables.len();
    let var_globals: Vec<usize> = variables.iter().map(|v| slots[&v.name]).collect();
    let mut types: HashMap<String, Type> = kinds.iter().map(|(k, v)| (k.clone(), v.expr_type())).collect();
    // Only this policy's own variables may be read by its expressions.
    let own: std::collections::HashSet<&str> = variables.iter().map(|v| v.name.as_str()).collect();
    types.retain(|k, _| own.contains(k.as_str()));
    // Which event kinds each name reads, through the steps it uses.
    let mut events_read: HashMap<String, std::collections::BTreeSet<EventKind>> = variables
        .iter()
        .map(|v| (v.name.clone(), v.from.and_then(|f| f.event()).into_iter().collect()))
        .collect();
    let events_of = |e: &Expr, known: &HashMap<String, std::collections::BTreeSet<EventKind>>| {
        let mut refs = Vec::new();
        expr::references(e, &mut refs);
        refs.iter()
            .filter_map(|r| known.get(r))
            .flatten()
            .copied()
            .collect::<std::collections::BTreeSet<EventKind>>()
    };
    let mut steps = Vec::new();
    for (k, i) in order.iter().enumerate() {
        let (s, e) = &parsed_steps[*i];
        let read = events_of(e, &events_read);
        events_read.insert(s.name.clone(), read);
        let t = expr::check(e, &|n| types.get(n).copied())
            .map_err(|err| ctx.in_expr(&s.expr, err.offset, &format!("步骤“{}”：{}", s.name, err.message)))?;
        types.insert(s.name.clone(), t);
        local.insert(s.name.clone(), base + k);
        let compiled = expr::compile(e, &local).map_err(|err| ctx.in_expr(&s.expr, err.offset, &err.message))?;
        steps.push(Step {
            name: s.name.clone(),
            label: s.label.clone(),
            source: s.expr.get_ref().clone(),
            compiled,
        });
    }
    let inputs_of = |e: &Expr| -> Vec<usize> {
        let mut refs = Vec::new();
        expr::references(e, &mut refs);
        let mut slots: Vec<usize> = refs.iter().filter_map(|r| local.get(r).copied()).collect();
        slots.sort_unstable();
        slots.dedup();
        slots
    };
    let typed = |value: &Spanned<String>, want: Type, what: &str| -> Result<(Compiled, Vec<usize>), RuleError> {
        let e = expr::parse(value.get_ref())
            .map_err(|err| ctx.in_expr(value, err.offset, &format!("{what}：{}", err.message)))?;
        let t = expr::check(&e, &|n| types.get(n).copied())
            .map_err(|err| ctx.in_expr(value, err.offset, &format!("{what}：{}", err.message)))?;
        if t != want {
            return Err(ctx.in_expr(value, 0, &format!("{what}应为{}，这里是{}", want.name(), t.name())));
        }
        let compiled = expr::compile(&e, &local).map_err(|err| ctx.in_expr(value, err.offset, &err.message))?;
        Ok((compiled, inputs_of(&e)))
    };
    let constant = |value: &Spanned<String>, what: &str| -> Result<Decimal, RuleError> {
        let e = expr::parse(value.get_ref())
            .map_err(|err| ctx.in_expr(value, err.offset, &format!("{what}：{}", err.message)))?;
        let mut refs = Vec::new();
        expr::references(&e, &mut refs);
        if !refs.is_empty() {
            return Err(ctx.in_expr(value, 0, &format!("{what}须为常数，不能引用变量")));
        }
        let t = expr::check(&e, &|_| None).map_err(|err| ctx.in_expr(value, err.offset, &err.message))?;
        if t != Type::Number {
            return Err(ctx.in_expr(value, 0, &format!("{what}应为数值")));
        }
        let f = expr::compile(&e, &HashMap::new()).map_err(|err| ctx.in_expr(value, err.offset, &err.message))?;
        let v = f(&[])
            .map_err(|err| ctx.in_expr(value, err.offset, &err.message))?
            .as_num();
        if v.is_sign_negative() {
            return Err(ctx.in_expr(value, 0, &format!("{what}不能为负数")));
        }
        Ok(v)
    };
    let mut awards = Vec::new();
    for article in &raw.articles {
        for a in &article.awards {
            let beneficiary = match a.beneficiary.get_ref().as_str() {
                "enterprise" => Beneficiary::Enterprise,
                "institution" => Beneficiary::Institution,
                "talent" => Beneficiary::Talent,
                other => {
                    return Err(ctx.at(
                        a.beneficiary.span().start,
                        format!("受益对象“{other}”未知（enterprise、institution、talent）"),
                    ));
                }
            };
            let without_application = match a.paid.get_ref().as_str() {
                "without_application" => true,
                "application" => false,
                other => {
                    return Err(ctx.at(
                        a.paid.span().start,
                        format!("兑现方式“{other}”未知（without_application 免申即享、application 快申快享）"),
                    ));
                }
            };
            let on = match &a.on {
                None => None,
                Some(o) => Some(EventKind::parse(o.get_ref()).ok_or_else(|| {
                    let known: Vec<&str> = EventKind::ALL.iter().map(|k| k.code()).collect();
                    ctx.at(
                        o.span().start,
                        format!("事件类型“{}”未知（可用 {}）", o.get_ref(), known.join("、")),
                    )
                })?),
            };
            for (what, value) in [("条件", a.when.as_ref()), ("金额", Some(&a.amount))] {
                let Some(value) = value else { continue };
                let Ok(e) = expr::parse(value.get_ref()) else { continue };
                for kind in events_of(&e, &events_read) {
                    if Some(kind) != on {
                        let told = match on {
                            Some(o) => format!("它按“{}”计算（on = \"{}\"）", o.label(), o.code()),
                            None => "它没有声明 on（每个对象每年计算一次）".to_string(),
                        };
                        return Err(ctx.in_expr(
                            value,
                            0,
                            &format!("奖励“{}”的{what}读取了“{}”事件的数据，但{told}", a.id, kind.label()),
                        ));
                    }
                }
            }
            let (when, when_inputs) = match &a.when {
                Some(w) => {
                    let (c, i) = typed(w, Type::Bool, &format!("奖励“{}”的条件", a.id))?;
                    (Some(c), i)
                }
                None => (None, Vec::new()),
            };
            let mut conjuncts = Vec::new();
            if let Some(w) = &a.when {
                let whole = expr::parse(w.get_ref()).map_err(|e| ctx.in_expr(w, e.offset, &e.message))?;
                let lookup = |n: &str| types.get(n).copied();
                let fail = |e: expr::ExprError| ctx.in_expr(w, e.offset, &e.message);
                for part in super::expr::conjuncts(&whole) {
                    let sides = match part {
                        Expr::Binary(op @ (expr::Op::Lt | expr::Op::Le | expr::Op::Gt | expr::Op::Ge), l, r, _)
                            if expr::check(l, &lookup).map_err(fail)? == Type::Number =>
                        {
                            Some((
                                expr::compile(l, &local).map_err(fail)?,
                                expr::compile(r, &local).map_err(fail)?,
                                *op,
                            ))
                        }
                        _ => None,
                    };
                    conjuncts.push(Conjunct {
                        source: super::expr::print(part),
                        test: expr::compile(part, &local).map_err(fail)?,
                        sides,
                    });
                }
            }
            let (amount, amount_inputs) = typed(&a.amount, Type::Number, &format!("奖励“{}”的金额", a.id))?;
            awards.push(Award {
                id: a.id.clone(),
                name: a.name.clone(),
                article_id: article.id.clone(),
                article_text: article.text.clone(),
                beneficiary,
                without_application,
                on,
                when_source: a.when.as_ref().map(|w| w.get_ref().clone()),
                when,
                when_inputs,
                conjuncts,
                amount_source: a.amount.get_ref().clone(),
                amount,
                amount_inputs,
                cap_per_item: a.cap_per_item.as_ref().map(|c| constant(c, "单项上限")).transpose()?,
                cap_per_recipient_year: a
                    .cap_per_recipient_year
                    .as_ref()
                    .map(|c| constant(c, "每年每个对象上限"))
                    .transpose()?,
                cap_per_recipient_total: a
                    .cap_per_recipient_total
                    .as_ref()
                    .map(|c| constant(c, "每个对象累计上限"))
                    .transpose()?,
                budget: a.budget.as_ref().map(|c| constant(c, "政策总预算")).transpose()?,
            });
        }
    }
    let policy_budget = raw.budget.as_ref().map(|c| constant(c, "政策年度总预算")).transpose()?;
    let slot_names = variables
        .iter()
        .map(|v| (v.name.clone(), v.label.clone()))
        .chain(steps.iter().map(|s| (s.name.clone(), s.label.clone())))
        .collect();
    Ok(Policy {
        effective_from: parse_date(&ctx, "effective_from", &raw.effective_from)?,
        effective_to: raw
            .effective_to
            .as_deref()
            .map(|d| parse_date(&ctx, "effective_to", d))
            .transpose()?,
        id: raw.id,
        title: raw.title,
        document_number: raw.document_number,
        issuer: raw.issuer,
        example: raw.example,
        source: raw.source,
        budget: policy_budget,
        variables,
        steps,
        awards,
        tests: raw.tests,
        slot_names,
        var_globals,
        version: hex::encode(Sha256::digest(source.as_bytes())),
        file: file.to_string(),
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

/// Loads a file, or every `*.toml` of a folder (sorted by name), into one slot space.
pub fn load_path(path: &Path) -> Result<Loaded, RuleError> {
    let io = |p: &Path, e: std::io::Error| RuleError {
        file: p.display().to_string(),
        line: 0,
        column: 0,
        message: format!("无法读取：{e}"),
    };
    let files = super::toml_files(path).map_err(|e| io(path, e))?;
    let mut slots = Slots::new();
    let mut kinds = HashMap::new();
    let mut policies = Vec::new();
    for f in files {
        let source = std::fs::read_to_string(&f).map_err(|e| io(&f, e))?;
        policies.push(load(&f.display().to_string(), &source, &mut slots, &mut kinds)?);
    }
    Ok((policies, slots, kinds))
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
