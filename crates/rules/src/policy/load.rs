//! Loading a policy file: the TOML as written, its variables bound into the slots shared with
//! the other policies loaded with it, its steps ordered and compiled, and each award's
//! condition, formula and caps compiled against the policy's own variables and steps. An award
//! paid on an event may only read that event's data.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use rust_decimal::Decimal;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::{
    Award, Beneficiary, Conjunct, Ctx, Kinds, Loaded, Policy, RuleError, Slots, Step, StepToml, VarKind, Variable,
    order_steps, parse_date,
};
use crate::expr::{self, Compiled, Expr, Type};
use crate::sources::{self, EventKind};

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

/// Loads one policy file. `slots` receives the policy's variables (shared by name with other
/// policies loaded into the same slots; a name must keep its type).
pub fn load(file: &str, source: &str, slots: &mut Slots, kinds: &mut Kinds) -> Result<Policy, RuleError> {
    let ctx = Ctx { file, source };
    let raw: PolicyToml = toml::from_str(source).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        ctx.at(offset, format!("文件格式错误：{}", e.message()))
    })?;
    let variables = raw
        .variables
        .iter()
        .map(|v| variable(&ctx, v, slots, kinds))
        .collect::<Result<Vec<_>, _>>()?;
    let var_globals: Vec<usize> = variables.iter().map(|v| slots[&v.name]).collect();
    let mut scope = Scope::new(&ctx, &variables, kinds);
    let steps = scope.steps(&raw.steps, variables.len())?;
    let mut awards = Vec::new();
    for article in &raw.articles {
        for a in &article.awards {
            awards.push(scope.award(article, a)?);
        }
    }
    let policy_budget = raw
        .budget
        .as_ref()
        .map(|c| constant(&ctx, c, "政策年度总预算"))
        .transpose()?;
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

/// A declared variable: its type (the same as in every other policy loaded with it), its
/// source if it has one (of the same type), and its slot in the shared input row.
fn variable(ctx: &Ctx<'_>, v: &VariableToml, slots: &mut Slots, kinds: &mut Kinds) -> Result<Variable, RuleError> {
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
    Ok(Variable {
        name: v.name.clone(),
        label: v.label.clone(),
        kind,
        unit: v.unit.clone(),
        from,
    })
}

/// A constant number (a cap, a budget): no variable, not negative.
fn constant(ctx: &Ctx<'_>, value: &Spanned<String>, what: &str) -> Result<Decimal, RuleError> {
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
}

/// What a policy's expressions are compiled against: each policy evaluates on its own buffer,
/// its variables in declared order, then its steps; only its own variables may be read.
struct Scope<'a> {
    ctx: &'a Ctx<'a>,
    /// Name → local slot.
    local: HashMap<String, usize>,
    types: HashMap<String, Type>,
    /// Which event kinds each name reads, through the steps it uses.
    events_read: HashMap<String, BTreeSet<EventKind>>,
}

impl<'a> Scope<'a> {
    fn new(ctx: &'a Ctx<'a>, variables: &[Variable], kinds: &Kinds) -> Scope<'a> {
        let local: HashMap<String, usize> = variables.iter().enumerate().map(|(i, v)| (v.name.clone(), i)).collect();
        let mut types: HashMap<String, Type> = kinds.iter().map(|(k, v)| (k.clone(), v.expr_type())).collect();
        // Only this policy's own variables may be read by its expressions.
        let own: HashSet<&str> = variables.iter().map(|v| v.name.as_str()).collect();
        types.retain(|k, _| own.contains(k.as_str()));
        let events_read = variables
            .iter()
            .map(|v| (v.name.clone(), v.from.and_then(|f| f.event()).into_iter().collect()))
            .collect();
        Scope {
            ctx,
            local,
            types,
            events_read,
        }
    }

    /// The steps, in the slots after the variables (from `base`): parsed, ordered so that each
    /// comes after what it reads (cycles refused), type-checked and compiled.
    fn steps(&mut self, raw: &[StepToml], base: usize) -> Result<Vec<Step>, RuleError> {
        let ctx = self.ctx;
        let mut parsed_steps: Vec<(&StepToml, Expr)> = Vec::new();
        for s in raw {
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
        let mut steps = Vec::new();
        for (k, i) in order.iter().enumerate() {
            let (s, e) = &parsed_steps[*i];
            let read = self.events_of(e);
            self.events_read.insert(s.name.clone(), read);
            let t = expr::check(e, &|n| self.types.get(n).copied())
                .map_err(|err| ctx.in_expr(&s.expr, err.offset, &format!("步骤“{}”：{}", s.name, err.message)))?;
            self.types.insert(s.name.clone(), t);
            self.local.insert(s.name.clone(), base + k);
            let compiled =
                expr::compile(e, &self.local).map_err(|err| ctx.in_expr(&s.expr, err.offset, &err.message))?;
            steps.push(Step {
                name: s.name.clone(),
                label: s.label.clone(),
                source: s.expr.get_ref().clone(),
                compiled,
            });
        }
        Ok(steps)
    }

    /// The kinds of event an expression reads, through the steps it uses.
    fn events_of(&self, e: &Expr) -> BTreeSet<EventKind> {
        let mut refs = Vec::new();
        expr::references(e, &mut refs);
        refs.iter()
            .filter_map(|r| self.events_read.get(r))
            .flatten()
            .copied()
            .collect::<BTreeSet<EventKind>>()
    }

    /// The local slots an expression reads.
    fn inputs_of(&self, e: &Expr) -> Vec<usize> {
        let mut refs = Vec::new();
        expr::references(e, &mut refs);
        let mut slots: Vec<usize> = refs.iter().filter_map(|r| self.local.get(r).copied()).collect();
        slots.sort_unstable();
        slots.dedup();
        slots
    }

    /// Parses, checks that the expression has type `want`, and compiles it, with the slots it
    /// reads.
    fn typed(&self, value: &Spanned<String>, want: Type, what: &str) -> Result<(Compiled, Vec<usize>), RuleError> {
        let ctx = self.ctx;
        let e = expr::parse(value.get_ref())
            .map_err(|err| ctx.in_expr(value, err.offset, &format!("{what}：{}", err.message)))?;
        let t = expr::check(&e, &|n| self.types.get(n).copied())
            .map_err(|err| ctx.in_expr(value, err.offset, &format!("{what}：{}", err.message)))?;
        if t != want {
            return Err(ctx.in_expr(value, 0, &format!("{what}应为{}，这里是{}", want.name(), t.name())));
        }
        let compiled = expr::compile(&e, &self.local).map_err(|err| ctx.in_expr(value, err.offset, &err.message))?;
        Ok((compiled, self.inputs_of(&e)))
    }

    /// One award of an article: who receives it and how, the event it is paid on, its
    /// condition (whole and in parts), its formula and its caps.
    fn award(&self, article: &ArticleToml, a: &AwardToml) -> Result<Award, RuleError> {
        let ctx = self.ctx;
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
        self.reads_only_its_event(a, on)?;
        let (when, when_inputs) = match &a.when {
            Some(w) => {
                let (c, i) = self.typed(w, Type::Bool, &format!("奖励“{}”的条件", a.id))?;
                (Some(c), i)
            }
            None => (None, Vec::new()),
        };
        let conjuncts = match &a.when {
            Some(w) => self.conjuncts(w)?,
            None => Vec::new(),
        };
        let (amount, amount_inputs) = self.typed(&a.amount, Type::Number, &format!("奖励“{}”的金额", a.id))?;
        Ok(Award {
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
            cap_per_item: a
                .cap_per_item
                .as_ref()
                .map(|c| constant(ctx, c, "单项上限"))
                .transpose()?,
            cap_per_recipient_year: a
                .cap_per_recipient_year
                .as_ref()
                .map(|c| constant(ctx, c, "每年每个对象上限"))
                .transpose()?,
            cap_per_recipient_total: a
                .cap_per_recipient_total
                .as_ref()
                .map(|c| constant(ctx, c, "每个对象累计上限"))
                .transpose()?,
            budget: a.budget.as_ref().map(|c| constant(ctx, c, "政策总预算")).transpose()?,
        })
    }

    /// An award's condition and formula read no event's data but that of the event it is paid
    /// on (none at all when it is paid once per recipient and year).
    fn reads_only_its_event(&self, a: &AwardToml, on: Option<EventKind>) -> Result<(), RuleError> {
        for (what, value) in [("条件", a.when.as_ref()), ("金额", Some(&a.amount))] {
            let Some(value) = value else { continue };
            let Ok(e) = expr::parse(value.get_ref()) else { continue };
            for kind in self.events_of(&e) {
                if Some(kind) != on {
                    let told = match on {
                        Some(o) => format!("它按“{}”计算（on = \"{}\"）", o.label(), o.code()),
                        None => "它没有声明 on（每个对象每年计算一次）".to_string(),
                    };
                    return Err(self.ctx.in_expr(
                        value,
                        0,
                        &format!("奖励“{}”的{what}读取了“{}”事件的数据，但{told}", a.id, kind.label()),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The parts of a condition joined by `and`, each compiled, with both sides of a comparison
    /// of numbers (for matching).
    fn conjuncts(&self, w: &Spanned<String>) -> Result<Vec<Conjunct>, RuleError> {
        let whole = expr::parse(w.get_ref()).map_err(|e| self.ctx.in_expr(w, e.offset, &e.message))?;
        let lookup = |n: &str| self.types.get(n).copied();
        let fail = |e: expr::ExprError| self.ctx.in_expr(w, e.offset, &e.message);
        let mut conjuncts = Vec::new();
        for part in expr::conjuncts(&whole) {
            let sides = match part {
                Expr::Binary(op @ (expr::Op::Lt | expr::Op::Le | expr::Op::Gt | expr::Op::Ge), l, r, _)
                    if expr::check(l, &lookup).map_err(fail)? == Type::Number =>
                {
                    Some((
                        expr::compile(l, &self.local).map_err(fail)?,
                        expr::compile(r, &self.local).map_err(fail)?,
                        *op,
                    ))
                }
                _ => None,
            };
            conjuncts.push(Conjunct {
                source: expr::print(part),
                test: expr::compile(part, &self.local).map_err(fail)?,
                sides,
            });
        }
        Ok(conjuncts)
    }
}

/// Loads a file, or every `*.toml` of a folder (sorted by name), into one slot space.
pub fn load_path(path: &Path) -> Result<Loaded, RuleError> {
    let io = |p: &Path, e: std::io::Error| RuleError {
        file: p.display().to_string(),
        line: 0,
        column: 0,
        message: format!("无法读取：{e}"),
    };
    let files = crate::toml_files(path).map_err(|e| io(path, e))?;
    let mut slots = Slots::new();
    let mut kinds = HashMap::new();
    let mut policies = Vec::new();
    for f in files {
        let source = std::fs::read_to_string(&f).map_err(|e| io(&f, e))?;
        policies.push(load(&f.display().to_string(), &source, &mut slots, &mut kinds)?);
    }
    Ok((policies, slots, kinds))
}
