//! What cultivation criteria and land-evaluation schemes share when they are loaded: the
//! declared variables with their types and slots, the named steps (ordered by what they read,
//! cycles refused), and the helpers that parse, type-check and compile an expression held by a
//! TOML string, reporting each mistake at its place in the file (`file:line:column`).

use std::collections::HashMap;

use rust_decimal::Decimal;
use toml::Spanned;

use super::expr::{self, Compiled, Expr, Type, Value};
use super::policy::{Ctx, RuleError, StepToml, VarKind, order_steps};

/// A named step, compiled.
pub struct Step {
    pub name: String,
    pub label: String,
    pub source: String,
    pub compiled: Compiled,
    /// The slots it reads (variables and earlier steps).
    pub inputs: Vec<usize>,
}

/// The names a file declares so far, and where mistakes are reported.
pub(crate) struct Compiler<'a> {
    pub(crate) ctx: Ctx<'a>,
    local: HashMap<String, usize>,
    types: HashMap<String, Type>,
}

impl<'a> Compiler<'a> {
    pub(crate) fn new(file: &'a str, source: &'a str) -> Compiler<'a> {
        Compiler {
            ctx: Ctx { file, source },
            local: HashMap::new(),
            types: HashMap::new(),
        }
    }

    /// The file read as `T`; a mistake in the TOML is reported where it is.
    pub(crate) fn toml<T: serde::de::DeserializeOwned>(&self) -> Result<T, RuleError> {
        toml::from_str(self.ctx.source).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            self.ctx.at(offset, format!("文件格式错误：{}", e.message()))
        })
    }

    /// A variable names a source its catalogue (`known`) does not have.
    pub(crate) fn unknown_source(&self, name: &str, from: &Spanned<String>, known: &[&str]) -> RuleError {
        self.ctx.at(
            from.span().start,
            format!(
                "变量“{name}”的数据来源“{}”未知（可用：{}）",
                from.get_ref(),
                known.join("、")
            ),
        )
    }

    /// The declared type of a variable.
    pub(crate) fn kind(&self, name: &str, kind: &Spanned<String>) -> Result<VarKind, RuleError> {
        VarKind::parse(kind.get_ref()).ok_or_else(|| {
            self.ctx.at(
                kind.span().start,
                format!(
                    "变量“{name}”的类型“{}”未知（可用 money、count、number、bool、text、date）",
                    kind.get_ref()
                ),
            )
        })
    }

    /// Checks that a variable's declared type is its source's.
    pub(crate) fn matches_source(
        &self,
        name: &str,
        declared: &Spanned<String>,
        kind: VarKind,
        source: (&str, VarKind),
        at: usize,
    ) -> Result<(), RuleError> {
        if source.1 == kind {
            return Ok(());
        }
        Err(self.ctx.at(
            at,
            format!(
                "变量“{name}”声明为 {}，数据来源“{}”是 {}",
                declared.get_ref(),
                source.0,
                source.1.code()
            ),
        ))
    }

    /// Declares a variable in the next slot; a name is declared once.
    pub(crate) fn declare(&mut self, name: &str, kind: VarKind, at: usize) -> Result<(), RuleError> {
        let slot = self.local.len();
        if self.local.insert(name.to_string(), slot).is_some() {
            return Err(self.ctx.at(at, format!("变量“{name}”重复声明")));
        }
        self.types.insert(name.to_string(), kind.expr_type());
        Ok(())
    }

    /// Compiles the named steps into the slots after the variables, each after what it reads.
    pub(crate) fn steps(&mut self, steps: &[StepToml]) -> Result<Vec<Step>, RuleError> {
        let mut parsed = Vec::new();
        for s in steps {
            if self.local.contains_key(&s.name) || steps.iter().filter(|o| o.name == s.name).count() > 1 {
                return Err(self
                    .ctx
                    .at(s.expr.span().start, format!("步骤“{}”与变量或其他步骤重名", s.name)));
            }
            parsed.push((s, self.parse(&s.expr, &format!("步骤“{}”", s.name))?));
        }
        let order = order_steps(&parsed.iter().map(|(s, e)| (s.name.as_str(), e)).collect::<Vec<_>>()).map_err(
            |(i, cycle)| {
                self.ctx.at(
                    parsed[i].0.expr.span().start,
                    format!("步骤之间循环引用：{}", cycle.join(" → ")),
                )
            },
        )?;
        let mut out = Vec::new();
        for i in order {
            let (s, e) = &parsed[i];
            let t = expr::check(e, &|n| self.types.get(n).copied()).map_err(|err| {
                self.ctx
                    .in_expr(&s.expr, err.offset, &format!("步骤“{}”：{}", s.name, err.message))
            })?;
            let inputs = self.inputs(e);
            self.types.insert(s.name.clone(), t);
            let slot = self.local.len();
            self.local.insert(s.name.clone(), slot);
            out.push(Step {
                name: s.name.clone(),
                label: s.label.clone(),
                source: s.expr.get_ref().clone(),
                compiled: expr::compile(e, &self.local)
                    .map_err(|err| self.ctx.in_expr(&s.expr, err.offset, &err.message))?,
                inputs,
            });
        }
        Ok(out)
    }

    pub(crate) fn parse(&self, value: &Spanned<String>, what: &str) -> Result<Expr, RuleError> {
        expr::parse(value.get_ref()).map_err(|e| self.ctx.in_expr(value, e.offset, &format!("{what}：{}", e.message)))
    }

    /// The slots an expression reads.
    pub(crate) fn inputs(&self, e: &Expr) -> Vec<usize> {
        let mut refs = Vec::new();
        expr::references(e, &mut refs);
        let mut slots: Vec<usize> = refs.iter().filter_map(|r| self.local.get(r).copied()).collect();
        slots.sort_unstable();
        slots.dedup();
        slots
    }

    /// Parses, checks that the expression has type `want`, and compiles it.
    pub(crate) fn typed(
        &self,
        value: &Spanned<String>,
        want: Type,
        what: &str,
    ) -> Result<(Expr, Compiled, Vec<usize>), RuleError> {
        let e = self.parse(value, what)?;
        let t = expr::check(&e, &|n| self.types.get(n).copied())
            .map_err(|err| self.ctx.in_expr(value, err.offset, &format!("{what}：{}", err.message)))?;
        if t != want {
            return Err(self
                .ctx
                .in_expr(value, 0, &format!("{what}应为{}，这里是{}", want.name(), t.name())));
        }
        let compiled =
            expr::compile(&e, &self.local).map_err(|err| self.ctx.in_expr(value, err.offset, &err.message))?;
        let inputs = self.inputs(&e);
        Ok((e, compiled, inputs))
    }

    /// Compiles a comparison's two sides when both are numbers (for gaps).
    pub(crate) fn number_sides(
        &self,
        e: &Expr,
        value: &Spanned<String>,
    ) -> Result<Option<(Compiled, Compiled, expr::Op)>, RuleError> {
        let fail = |err: expr::ExprError| self.ctx.in_expr(value, err.offset, &err.message);
        Ok(match e {
            Expr::Binary(op @ (expr::Op::Lt | expr::Op::Le | expr::Op::Gt | expr::Op::Ge), l, r, _)
                if expr::check(l, &|n| self.types.get(n).copied()).map_err(fail)? == Type::Number =>
            {
                Some((
                    expr::compile(l, &self.local).map_err(fail)?,
                    expr::compile(r, &self.local).map_err(fail)?,
                    *op,
                ))
            }
            _ => None,
        })
    }

    /// A constant number (a weight, a threshold, a cut-off).
    pub(crate) fn constant(&self, value: &Spanned<String>, what: &str) -> Result<Decimal, RuleError> {
        let e = self.parse(value, what)?;
        let mut refs = Vec::new();
        expr::references(&e, &mut refs);
        if !refs.is_empty() {
            return Err(self.ctx.in_expr(value, 0, &format!("{what}须为常数，不能引用变量")));
        }
        let f = expr::compile(&e, &HashMap::new()).map_err(|err| self.ctx.in_expr(value, err.offset, &err.message))?;
        match f(&[]) {
            Ok(Value::Num(n)) => Ok(n),
            _ => Err(self.ctx.in_expr(value, 0, &format!("{what}应为数值"))),
        }
    }
}
