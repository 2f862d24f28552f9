//! The expression language of rule files.
//!
//! ```text
//! 研发费用 / 营业收入 >= 5%                      Chinese identifiers, percent literals
//! min(certified_contract_amount * 1%, 10万)      万 and 亿 after a number
//! if 级别 == "国家级" then 50万 else 20万           conditionals (both branches typed alike)
//! industry starts_with "C39" and scale in ["above"] and not moved_out
//! days_between(registered_on, date("2024-12-31")) >= 365
//! ```
//!
//! Values are exact decimals (rust_decimal), booleans, texts and dates. An expression is parsed
//! with winnow, type-checked against the declared variables (unknown names and type errors are
//! reported with their position), and compiled once into a tree of closures that reads the
//! variables by slot: evaluating a case does no name lookups and no type dispatch on syntax.
//!
//! The parser is in `syntax`, the type checker in `typing`, and the compiler to closures (with
//! the evaluation errors and the rounding every rule kind uses) in `compiled`.

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

mod compiled;
mod syntax;
mod typing;

pub use compiled::{Compiled, EvalError, compile, round_half_up};
pub use syntax::parse;
pub use typing::{check, references};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Number,
    Bool,
    Text,
    Date,
}

impl Type {
    pub fn name(self) -> &'static str {
        match self {
            Type::Number => "数值",
            Type::Bool => "是/否",
            Type::Text => "文本",
            Type::Date => "日期",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Num(Decimal),
    Bool(bool),
    Text(Arc<str>),
    Date(NaiveDate),
}

impl Value {
    pub fn as_num(&self) -> Decimal {
        match self {
            Value::Num(n) => *n,
            _ => Decimal::ZERO,
        }
    }

    pub fn as_bool(&self) -> bool {
        matches!(self, Value::Bool(true))
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Num(n) => write!(f, "{}", n.normalize()),
            Value::Bool(b) => f.write_str(if *b { "是" } else { "否" }),
            Value::Text(t) => write!(f, "“{t}”"),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

/// A syntax tree node with the byte range of its source text.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Num(Decimal),
    Bool(bool),
    Text(String),
    Var(String, usize),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>, usize),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>, usize),
    In(Box<Expr>, Vec<Expr>),
    StartsWith(Box<Expr>, Box<Expr>),
}

/// An error with the byte offset in the expression where it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// (line, column) of a byte offset, both 1-based, columns in characters.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    // An offset inside a character (a span from another parser) counts as that character.
    let mut end = offset.min(source.len());
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    let before = &source[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

/// Splits an expression at its top-level `and`s.
pub fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::Binary(Op::And, a, b, _) => {
            let mut out = conjuncts(a);
            out.extend(conjuncts(b));
            out
        }
        other => vec![other],
    }
}

/// An expression written back out (for showing one part of a condition).
pub fn print(e: &Expr) -> String {
    let op = |o: &Op| match o {
        Op::Add => "+",
        Op::Sub => "-",
        Op::Mul => "*",
        Op::Div => "/",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Eq => "==",
        Op::Ne => "!=",
        Op::And => "and",
        Op::Or => "or",
    };
    match e {
        Expr::Num(n) => n.normalize().to_string(),
        Expr::Bool(b) => b.to_string(),
        Expr::Text(t) => format!("\"{t}\""),
        Expr::Var(name, _) => name.clone(),
        Expr::Neg(x) => format!("-{}", print(x)),
        Expr::Not(x) => format!("not {}", print(x)),
        Expr::Binary(o, a, b, _) => {
            let side = |x: &Expr| match x {
                Expr::Binary(..) => format!("({})", print(x)),
                _ => print(x),
            };
            format!("{} {} {}", side(a), op(o), side(b))
        }
        Expr::If(c, a, b) => format!("if {} then {} else {}", print(c), print(a), print(b)),
        Expr::Call(name, args, _) => format!("{name}({})", args.iter().map(print).collect::<Vec<_>>().join(", ")),
        Expr::In(x, items) => format!(
            "{} in [{}]",
            print(x),
            items.iter().map(print).collect::<Vec<_>>().join(", ")
        ),
        Expr::StartsWith(a, b) => format!("{} starts_with {}", print(a), print(b)),
    }
}

#[cfg(test)]
mod tests;
