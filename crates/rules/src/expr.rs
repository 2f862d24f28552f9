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

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use winnow::ascii::multispace0;
use winnow::combinator::{alt, cut_err, delimited, opt, preceded, separated};
use winnow::error::{ContextError, StrContext, StrContextValue};
use winnow::prelude::*;
use winnow::stream::{LocatingSlice, Location};
use winnow::token::{one_of, take_while};

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

type In<'s> = LocatingSlice<&'s str>;
type PResult<T> = winnow::ModalResult<T>;

fn ws<'s, O, P>(inner: P) -> impl Parser<In<'s>, O, winnow::error::ErrMode<ContextError>>
where
    P: Parser<In<'s>, O, winnow::error::ErrMode<ContextError>>,
{
    delimited(multispace0, inner, multispace0)
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

const KEYWORDS: [&str; 10] = [
    "and",
    "or",
    "not",
    "if",
    "then",
    "else",
    "in",
    "starts_with",
    "true",
    "false",
];

fn raw_ident<'s>(i: &mut In<'s>) -> PResult<&'s str> {
    (one_of(is_ident_start), take_while(0.., is_ident_char))
        .take()
        .parse_next(i)
}

/// A keyword, not followed by more identifier characters.
fn keyword<'s>(word: &'static str) -> impl Parser<In<'s>, &'s str, winnow::error::ErrMode<ContextError>> {
    ws(raw_ident.verify(move |w: &str| w == word))
}

fn number(i: &mut In<'_>) -> PResult<Expr> {
    let digits = (
        take_while(1.., |c: char| c.is_ascii_digit()),
        opt(('.', take_while(1.., |c: char| c.is_ascii_digit()))),
    )
        .take()
        .parse_next(i)?;
    let mut value = Decimal::from_str(digits).map_err(|_| winnow::error::ErrMode::Cut(ContextError::new()))?;
    let suffix = opt(one_of(['%', '万', '亿'])).parse_next(i)?;
    value = match suffix {
        Some('%') => value / Decimal::ONE_HUNDRED,
        Some('万') => value * Decimal::from(10_000),
        Some('亿') => value * Decimal::from(100_000_000),
        _ => value,
    };
    Ok(Expr::Num(value))
}

fn text(i: &mut In<'_>) -> PResult<Expr> {
    delimited(
        '"',
        take_while(0.., |c: char| c != '"'),
        cut_err('"').context(StrContext::Expected(StrContextValue::CharLiteral('"'))),
    )
    .map(|s: &str| Expr::Text(s.to_string()))
    .parse_next(i)
}

fn list(i: &mut In<'_>) -> PResult<Vec<Expr>> {
    delimited(
        ws('['),
        separated(1.., expr, ws(',')),
        cut_err(ws(']')).context(StrContext::Expected(StrContextValue::CharLiteral(']'))),
    )
    .parse_next(i)
}

fn primary(i: &mut In<'_>) -> PResult<Expr> {
    let _ = multispace0.parse_next(i)?;
    let start = i.current_token_start();
    let node = alt((
        number,
        text,
        (
            keyword("if"),
            cut_err(expr),
            cut_err(keyword("then")).context(StrContext::Expected(StrContextValue::StringLiteral("then"))),
            cut_err(expr),
            cut_err(keyword("else")).context(StrContext::Expected(StrContextValue::StringLiteral("else"))),
            cut_err(expr),
        )
            .map(|(_, c, _, a, _, b)| Expr::If(Box::new(c), Box::new(a), Box::new(b))),
        keyword("true").map(|_| Expr::Bool(true)),
        keyword("false").map(|_| Expr::Bool(false)),
        delimited(
            alt(('(', '（')),
            cut_err(expr),
            cut_err(ws(alt((')', '）')))).context(StrContext::Expected(StrContextValue::CharLiteral(')'))),
        ),
        (
            raw_ident.verify(|w: &str| !KEYWORDS.contains(&w)),
            opt(preceded(
                ws('('),
                cut_err((separated(0.., expr, ws(',')), ws(')')))
                    .context(StrContext::Expected(StrContextValue::CharLiteral(')'))),
            )),
        )
            .map(move |(name, args): (&str, Option<(Vec<Expr>, char)>)| match args {
                Some((args, _)) => Expr::Call(name.to_string(), args, start),
                None => Expr::Var(name.to_string(), start),
            }),
    ))
    .context(StrContext::Expected(StrContextValue::Description(
        "数值、变量、函数或括号",
    )))
    .parse_next(i)?;
    let _ = multispace0.parse_next(i)?;
    Ok(node)
}

fn unary(i: &mut In<'_>) -> PResult<Expr> {
    alt((preceded(ws('-'), unary).map(|e| Expr::Neg(Box::new(e))), primary)).parse_next(i)
}

fn binary_level(i: &mut In<'_>, next: fn(&mut In<'_>) -> PResult<Expr>, ops: &[(&'static str, Op)]) -> PResult<Expr> {
    let mut left = next(i)?;
    loop {
        let _ = multispace0.parse_next(i)?;
        let at = i.current_token_start();
        let mut matched = None;
        for (symbol, op) in ops {
            let is_word = symbol.chars().all(|c| c.is_ascii_alphabetic());
            let checkpoint = winnow::stream::Stream::checkpoint(i);
            let ok = if is_word {
                keyword(symbol).parse_next(i).is_ok()
            } else {
                ws(*symbol).parse_next(i).is_ok()
            };
            if ok {
                matched = Some(*op);
                break;
            }
            winnow::stream::Stream::reset(i, &checkpoint);
        }
        let Some(op) = matched else {
            return Ok(left);
        };
        let right = cut_err(next)
            .context(StrContext::Expected(StrContextValue::Description("运算符右边的表达式")))
            .parse_next(i)?;
        left = Expr::Binary(op, Box::new(left), Box::new(right), at);
    }
}

fn mul(i: &mut In<'_>) -> PResult<Expr> {
    binary_level(
        i,
        unary,
        &[("*", Op::Mul), ("/", Op::Div), ("×", Op::Mul), ("÷", Op::Div)],
    )
}

fn add(i: &mut In<'_>) -> PResult<Expr> {
    binary_level(i, mul, &[("+", Op::Add), ("-", Op::Sub)])
}

fn comparison(i: &mut In<'_>) -> PResult<Expr> {
    let left = add(i)?;
    let _ = multispace0.parse_next(i)?;
    let at = i.current_token_start();
    let ops: [(&str, Op); 10] = [
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("≤", Op::Le),
        ("≥", Op::Ge),
        ("≠", Op::Ne),
        ("<", Op::Lt),
        (">", Op::Gt),
        ("=", Op::Eq),
    ];
    for (symbol, op) in ops {
        let checkpoint = winnow::stream::Stream::checkpoint(i);
        if ws(symbol).parse_next(i).is_ok() {
            let right = cut_err(add)
                .context(StrContext::Expected(StrContextValue::Description("比较符右边的表达式")))
                .parse_next(i)?;
            return Ok(Expr::Binary(op, Box::new(left), Box::new(right), at));
        }
        winnow::stream::Stream::reset(i, &checkpoint);
    }
    if opt(keyword("in")).parse_next(i)?.is_some() {
        return cut_err(list)
            .map(|items| Expr::In(Box::new(left.clone()), items))
            .parse_next(i);
    }
    if opt(keyword("starts_with")).parse_next(i)?.is_some() {
        return cut_err(add)
            .map(|p| Expr::StartsWith(Box::new(left.clone()), Box::new(p)))
            .parse_next(i);
    }
    Ok(left)
}

fn negation(i: &mut In<'_>) -> PResult<Expr> {
    alt((
        preceded(keyword("not"), cut_err(negation)).map(|e| Expr::Not(Box::new(e))),
        comparison,
    ))
    .parse_next(i)
}

fn conjunction(i: &mut In<'_>) -> PResult<Expr> {
    binary_level(i, negation, &[("and", Op::And), ("且", Op::And)])
}

fn expr(i: &mut In<'_>) -> PResult<Expr> {
    binary_level(i, conjunction, &[("or", Op::Or), ("或", Op::Or)])
}

/// Parses an expression.
pub fn parse(source: &str) -> Result<Expr, ExprError> {
    let mut input = LocatingSlice::new(source);
    let result: Result<Expr, _> = (expr, multispace0).map(|(e, _)| e).parse(input);
    let _ = &mut input;
    result.map_err(|e| {
        let offset = e.offset();
        let rest: String = source[offset..].chars().take(12).collect();
        let expected: Vec<String> = e
            .inner()
            .context()
            .filter_map(|c| match c {
                StrContext::Expected(v) => Some(match v {
                    StrContextValue::CharLiteral(c) => format!("“{c}”"),
                    StrContextValue::StringLiteral(s) => format!("“{s}”"),
                    StrContextValue::Description(d) => d.to_string(),
                    _ => v.to_string(),
                }),
                _ => None,
            })
            .collect();
        let message = match (rest.is_empty(), expected.is_empty()) {
            (true, false) => format!("表达式不完整：缺少{}", expected.join("或")),
            (true, true) => "表达式不完整".to_string(),
            (false, false) => format!("无法识别“{rest}”：应为{}", expected.join("或")),
            (false, true) => format!("无法识别“{rest}”"),
        };
        ExprError { offset, message }
    })
}

// ---------------------------------------------------------------- types

/// The built-in functions and their types.
fn function_type(name: &str, args: &[Type], at: usize) -> Result<Type, ExprError> {
    let err = |message: String| Err(ExprError { offset: at, message });
    let all_numbers = args.iter().all(|t| *t == Type::Number);
    match name {
        "min" | "max" if !args.is_empty() && all_numbers => Ok(Type::Number),
        "min" | "max" => err(format!("{name}(…) 需要至少一个数值参数")),
        "round" if args == [Type::Number, Type::Number] || args == [Type::Number] => Ok(Type::Number),
        "round" => err("round(数值[, 小数位数])".into()),
        "abs" if args == [Type::Number] => Ok(Type::Number),
        "abs" => err("abs(数值)".into()),
        "days_between" | "years_between" if args == [Type::Date, Type::Date] => Ok(Type::Number),
        "days_between" | "years_between" => err(format!("{name}(日期, 日期)")),
        "year" if args == [Type::Date] => Ok(Type::Number),
        "year" => err("year(日期)".into()),
        "date" if args == [Type::Text] => Ok(Type::Date),
        "date" => err("date(\"2024-12-31\")".into()),
        _ => err(format!(
            "未知函数“{name}”（可用：min、max、round、abs、days_between、years_between、year、date）"
        )),
    }
}

/// Type-checks an expression; `lookup` gives the type of a variable or step.
pub fn check(expr: &Expr, lookup: &dyn Fn(&str) -> Option<Type>) -> Result<Type, ExprError> {
    let mismatch = |at: usize, message: String| Err(ExprError { offset: at, message });
    match expr {
        Expr::Num(_) => Ok(Type::Number),
        Expr::Bool(_) => Ok(Type::Bool),
        Expr::Text(_) => Ok(Type::Text),
        Expr::Var(name, at) => lookup(name).ok_or_else(|| ExprError {
            offset: *at,
            message: format!("未知变量“{name}”：请先在 variables 或 steps 中声明"),
        }),
        Expr::Neg(e) => match check(e, lookup)? {
            Type::Number => Ok(Type::Number),
            t => mismatch(0, format!("负号只能用于数值，不能用于{}", t.name())),
        },
        Expr::Not(e) => match check(e, lookup)? {
            Type::Bool => Ok(Type::Bool),
            t => mismatch(0, format!("not 只能用于是/否，不能用于{}", t.name())),
        },
        Expr::Binary(op, a, b, at) => {
            let (ta, tb) = (check(a, lookup)?, check(b, lookup)?);
            match op {
                Op::Add | Op::Sub | Op::Mul | Op::Div if ta == Type::Number && tb == Type::Number => Ok(Type::Number),
                Op::Add | Op::Sub | Op::Mul | Op::Div => {
                    mismatch(*at, format!("算术运算需要两个数值，这里是{}和{}", ta.name(), tb.name()))
                }
                Op::And | Op::Or if ta == Type::Bool && tb == Type::Bool => Ok(Type::Bool),
                Op::And | Op::Or => mismatch(*at, format!("and/or 需要两个是/否，这里是{}和{}", ta.name(), tb.name())),
                Op::Eq | Op::Ne if ta == tb => Ok(Type::Bool),
                Op::Lt | Op::Le | Op::Gt | Op::Ge if ta == tb && matches!(ta, Type::Number | Type::Date) => {
                    Ok(Type::Bool)
                }
                _ => mismatch(*at, format!("不能比较{}和{}", ta.name(), tb.name())),
            }
        }
        Expr::If(c, a, b) => {
            if check(c, lookup)? != Type::Bool {
                return mismatch(0, "if 的条件必须是是/否".into());
            }
            let (ta, tb) = (check(a, lookup)?, check(b, lookup)?);
            if ta != tb {
                return mismatch(0, format!("if 的两个分支类型不同：{}和{}", ta.name(), tb.name()));
            }
            Ok(ta)
        }
        Expr::Call(name, args, at) => {
            let types = args.iter().map(|a| check(a, lookup)).collect::<Result<Vec<_>, _>>()?;
            function_type(name, &types, *at)
        }
        Expr::In(e, items) => {
            let t = check(e, lookup)?;
            for item in items {
                let ti = check(item, lookup)?;
                if ti != t {
                    return mismatch(0, format!("in 列表中的值应为{}，这里有{}", t.name(), ti.name()));
                }
            }
            Ok(Type::Bool)
        }
        Expr::StartsWith(e, p) => match (check(e, lookup)?, check(p, lookup)?) {
            (Type::Text, Type::Text) => Ok(Type::Bool),
            (a, b) => mismatch(0, format!("starts_with 需要两个文本，这里是{}和{}", a.name(), b.name())),
        },
    }
}

/// Names of the variables and steps an expression reads.
pub fn references(expr: &Expr, out: &mut Vec<String>) {
    match expr {
        Expr::Var(name, _) => out.push(name.clone()),
        Expr::Neg(e) | Expr::Not(e) => references(e, out),
        Expr::Binary(_, a, b, _) | Expr::StartsWith(a, b) => {
            references(a, out);
            references(b, out);
        }
        Expr::If(c, a, b) => {
            references(c, out);
            references(a, out);
            references(b, out);
        }
        Expr::Call(_, args, _) => args.iter().for_each(|a| references(a, out)),
        Expr::In(e, items) => {
            references(e, out);
            items.iter().for_each(|a| references(a, out));
        }
        Expr::Num(_) | Expr::Bool(_) | Expr::Text(_) => {}
    }
}

// ---------------------------------------------------------------- compiled evaluation

/// An error while evaluating (a division by zero, an invalid date literal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    pub offset: usize,
    pub message: String,
}

pub type Compiled = Box<dyn Fn(&[Value]) -> Result<Value, EvalError> + Send + Sync>;

/// Half-up rounding to `places` decimals.
pub fn round_half_up(value: Decimal, places: u32) -> Decimal {
    value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

fn whole_years(from: NaiveDate, to: NaiveDate) -> i64 {
    let mut years = to.year() as i64 - from.year() as i64;
    if (to.month(), to.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    years
}

/// An operand of a binary operator.
trait Operand: Send + Sync + 'static {
    /// Calls `f` with the operand's value: a variable's is read in place, not copied.
    fn with<R>(&self, vals: &[Value], f: impl FnOnce(&Value) -> R) -> Result<R, EvalError>;

    fn num(&self, vals: &[Value]) -> Result<Decimal, EvalError> {
        self.with(vals, Value::as_num)
    }

    fn boolean(&self, vals: &[Value]) -> Result<bool, EvalError> {
        self.with(vals, Value::as_bool)
    }
}

impl Operand for Compiled {
    fn with<R>(&self, vals: &[Value], f: impl FnOnce(&Value) -> R) -> Result<R, EvalError> {
        Ok(f(&self(vals)?))
    }
}

/// A constant or a variable's slot: read without a call.
enum Leaf {
    Const(Value),
    Slot(usize),
}

impl Operand for Leaf {
    #[inline(always)]
    fn with<R>(&self, vals: &[Value], f: impl FnOnce(&Value) -> R) -> Result<R, EvalError> {
        Ok(f(match self {
            Leaf::Const(v) => v,
            Leaf::Slot(slot) => &vals[*slot],
        }))
    }
}

fn leaf(expr: &Expr, slots: &HashMap<String, usize>) -> Result<Option<Leaf>, ExprError> {
    Ok(Some(match expr {
        Expr::Num(n) => Leaf::Const(Value::Num(*n)),
        Expr::Bool(b) => Leaf::Const(Value::Bool(*b)),
        Expr::Text(t) => Leaf::Const(Value::Text(Arc::from(t.as_str()))),
        Expr::Var(name, at) => Leaf::Slot(*slots.get(name).ok_or_else(|| ExprError {
            offset: *at,
            message: format!("未知变量“{name}”"),
        })?),
        _ => return Ok(None),
    }))
}

/// Numbers compared by value; a comparison with 0 (most conditions) needs no rescaling.
fn compare_numbers(x: &Decimal, y: &Decimal) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let sign = |d: &Decimal| {
        if d.is_zero() {
            Ordering::Equal
        } else if d.is_sign_negative() {
            Ordering::Less
        } else {
            Ordering::Greater
        }
    };
    if y.is_zero() {
        sign(x)
    } else if x.is_zero() {
        sign(y).reverse()
    } else {
        x.cmp(y)
    }
}

fn order(x: &Value, y: &Value) -> std::cmp::Ordering {
    match (x, y) {
        (Value::Num(x), Value::Num(y)) => compare_numbers(x, y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        _ => std::cmp::Ordering::Equal,
    }
}

fn binary(op: Op, at: usize, fa: impl Operand, fb: impl Operand) -> Compiled {
    match op {
        Op::And => Box::new(move |vals| Ok(Value::Bool(fa.boolean(vals)? && fb.boolean(vals)?))),
        Op::Or => Box::new(move |vals| Ok(Value::Bool(fa.boolean(vals)? || fb.boolean(vals)?))),
        Op::Add => Box::new(move |vals| Ok(Value::Num(fa.num(vals)? + fb.num(vals)?))),
        Op::Sub => Box::new(move |vals| Ok(Value::Num(fa.num(vals)? - fb.num(vals)?))),
        Op::Mul => Box::new(move |vals| {
            fa.num(vals)?
                .checked_mul(fb.num(vals)?)
                .map(Value::Num)
                .ok_or(EvalError {
                    offset: at,
                    message: "乘积超出范围".into(),
                })
        }),
        Op::Div => Box::new(move |vals| {
            let divisor = fb.num(vals)?;
            if divisor.is_zero() {
                return Err(EvalError {
                    offset: at,
                    message: "除数为零".into(),
                });
            }
            Ok(Value::Num(fa.num(vals)? / divisor))
        }),
        Op::Eq => Box::new(move |vals| Ok(Value::Bool(fa.with(vals, |x| fb.with(vals, |y| x == y))??))),
        Op::Ne => Box::new(move |vals| Ok(Value::Bool(fa.with(vals, |x| fb.with(vals, |y| x != y))??))),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => Box::new(move |vals| {
            let ordering = fa.with(vals, |x| fb.with(vals, |y| order(x, y)))??;
            Ok(Value::Bool(match op {
                Op::Lt => ordering.is_lt(),
                Op::Le => ordering.is_le(),
                Op::Gt => ordering.is_gt(),
                _ => ordering.is_ge(),
            }))
        }),
    }
}

/// Compiles a checked expression; `slots` maps each name to its index in the value slice.
pub fn compile(expr: &Expr, slots: &HashMap<String, usize>) -> Result<Compiled, ExprError> {
    Ok(match expr {
        Expr::Num(n) => {
            let v = Value::Num(*n);
            Box::new(move |_| Ok(v.clone()))
        }
        Expr::Bool(b) => {
            let v = Value::Bool(*b);
            Box::new(move |_| Ok(v.clone()))
        }
        Expr::Text(t) => {
            let v = Value::Text(Arc::from(t.as_str()));
            Box::new(move |_| Ok(v.clone()))
        }
        Expr::Var(name, at) => {
            let slot = *slots.get(name).ok_or_else(|| ExprError {
                offset: *at,
                message: format!("未知变量“{name}”"),
            })?;
            Box::new(move |vals| Ok(vals[slot].clone()))
        }
        Expr::Neg(e) => {
            let e = compile(e, slots)?;
            Box::new(move |vals| Ok(Value::Num(-e(vals)?.as_num())))
        }
        Expr::Not(e) => {
            let e = compile(e, slots)?;
            Box::new(move |vals| Ok(Value::Bool(!e(vals)?.as_bool())))
        }
        Expr::Binary(op, a, b, at) => {
            // A constant or a variable operand is read in place rather than through a call:
            // `amount > 0` and `count * 1万` are most of what rule files say.
            let operand = |e: &Expr| -> Result<Result<Leaf, Compiled>, ExprError> {
                Ok(match leaf(e, slots)? {
                    Some(l) => Ok(l),
                    None => Err(compile(e, slots)?),
                })
            };
            match (operand(a)?, operand(b)?) {
                (Ok(la), Ok(lb)) => binary(*op, *at, la, lb),
                (Ok(la), Err(fb)) => binary(*op, *at, la, fb),
                (Err(fa), Ok(lb)) => binary(*op, *at, fa, lb),
                (Err(fa), Err(fb)) => binary(*op, *at, fa, fb),
            }
        }
        Expr::If(c, a, b) => {
            let (fc, fa, fb) = (compile(c, slots)?, compile(a, slots)?, compile(b, slots)?);
            Box::new(move |vals| if fc(vals)?.as_bool() { fa(vals) } else { fb(vals) })
        }
        Expr::In(e, items) => {
            let fe = compile(e, slots)?;
            let items = items.iter().map(|i| compile(i, slots)).collect::<Result<Vec<_>, _>>()?;
            Box::new(move |vals| {
                let v = fe(vals)?;
                for item in &items {
                    if item(vals)? == v {
                        return Ok(Value::Bool(true));
                    }
                }
                Ok(Value::Bool(false))
            })
        }
        Expr::StartsWith(e, p) => {
            let (fe, fp) = (compile(e, slots)?, compile(p, slots)?);
            Box::new(move |vals| match (fe(vals)?, fp(vals)?) {
                (Value::Text(t), Value::Text(p)) => Ok(Value::Bool(t.starts_with(&*p))),
                _ => Ok(Value::Bool(false)),
            })
        }
        Expr::Call(name, args, at) => {
            let at = *at;
            let mut fs = args.iter().map(|a| compile(a, slots)).collect::<Result<Vec<_>, _>>()?;
            match name.as_str() {
                "min" | "max" => {
                    let want_min = name == "min";
                    Box::new(move |vals| {
                        let mut best: Option<Decimal> = None;
                        for f in &fs {
                            let v = f(vals)?.as_num();
                            best = Some(match best {
                                None => v,
                                Some(b) if want_min => b.min(v),
                                Some(b) => b.max(v),
                            });
                        }
                        Ok(Value::Num(best.unwrap_or_default()))
                    })
                }
                "round" => {
                    let places = if fs.len() == 2 { Some(fs.remove(1)) } else { None };
                    let f = fs.remove(0);
                    Box::new(move |vals| {
                        let p = match &places {
                            Some(p) => p(vals)?.as_num().trunc().try_into().unwrap_or(0u32).min(12),
                            None => 0,
                        };
                        Ok(Value::Num(round_half_up(f(vals)?.as_num(), p)))
                    })
                }
                "abs" => {
                    let f = fs.remove(0);
                    Box::new(move |vals| Ok(Value::Num(f(vals)?.as_num().abs())))
                }
                "year" => {
                    let f = fs.remove(0);
                    Box::new(move |vals| match f(vals)? {
                        Value::Date(d) => Ok(Value::Num(Decimal::from(d.year()))),
                        _ => Ok(Value::Num(Decimal::ZERO)),
                    })
                }
                "days_between" | "years_between" => {
                    let days = name == "days_between";
                    let (fa, fb) = (fs.remove(0), fs.remove(0));
                    Box::new(move |vals| match (fa(vals)?, fb(vals)?) {
                        (Value::Date(a), Value::Date(b)) if days => Ok(Value::Num(Decimal::from((b - a).num_days()))),
                        (Value::Date(a), Value::Date(b)) => Ok(Value::Num(Decimal::from(whole_years(a, b)))),
                        _ => Ok(Value::Num(Decimal::ZERO)),
                    })
                }
                "date" => {
                    let f = fs.remove(0);
                    Box::new(move |vals| match f(vals)? {
                        Value::Text(t) => {
                            NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                                .map(Value::Date)
                                .map_err(|_| EvalError {
                                    offset: at,
                                    message: format!("“{t}”不是日期（应为 2024-12-31）"),
                                })
                        }
                        _ => Err(EvalError {
                            offset: at,
                            message: "date() 需要文本".into(),
                        }),
                    })
                }
                other => {
                    return Err(ExprError {
                        offset: at,
                        message: format!("未知函数“{other}”"),
                    });
                }
            }
        }
    })
}

/// (line, column) of a byte offset, both 1-based, columns in characters.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
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
mod tests {
    use super::*;

    fn eval(src: &str, vars: &[(&str, Value)]) -> Result<Value, String> {
        let expr = parse(src).map_err(|e| format!("parse: {} at {}", e.message, e.offset))?;
        let types: HashMap<&str, Type> = vars
            .iter()
            .map(|(n, v)| {
                (
                    *n,
                    match v {
                        Value::Num(_) => Type::Number,
                        Value::Bool(_) => Type::Bool,
                        Value::Text(_) => Type::Text,
                        Value::Date(_) => Type::Date,
                    },
                )
            })
            .collect();
        check(&expr, &|n| types.get(n).copied()).map_err(|e| format!("check: {}", e.message))?;
        let slots: HashMap<String, usize> = vars.iter().enumerate().map(|(i, (n, _))| (n.to_string(), i)).collect();
        let f = compile(&expr, &slots).map_err(|e| e.message)?;
        let values: Vec<Value> = vars.iter().map(|(_, v)| v.clone()).collect();
        f(&values).map_err(|e| format!("eval: {}", e.message))
    }

    fn num(s: &str) -> Value {
        Value::Num(Decimal::from_str(s).unwrap())
    }

    #[test]
    fn arithmetic_is_exact_and_chinese_names_work() {
        assert_eq!(eval("0.1 + 0.2 == 0.3", &[]), Ok(Value::Bool(true)));
        assert_eq!(
            eval(
                "研发费用 / 营业收入 >= 5%",
                &[("研发费用", num("50")), ("营业收入", num("1000"))]
            ),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            eval("min(合同金额 * 1%, 10万)", &[("合同金额", num("20000000"))]),
            Ok(num("100000"))
        );
        assert_eq!(eval("round(4321 * 5%, 2)", &[]), Ok(num("216.05")));
        assert_eq!(eval("round(0.125, 2)", &[]), Ok(num("0.13")));
        assert_eq!(eval("2 + 3 * 4 - -1", &[]), Ok(num("15")));
        assert_eq!(eval("1.5亿 / 1万", &[]), Ok(num("15000")));
    }

    #[test]
    fn conditions_lists_prefixes_and_dates() {
        let vars = [
            ("industry", Value::Text("3911".into())),
            ("级别", Value::Text("省级".into())),
            (
                "registered_on",
                Value::Date(NaiveDate::from_ymd_opt(2023, 12, 31).unwrap()),
            ),
        ];
        assert_eq!(
            eval("industry starts_with \"39\" and not (级别 in [\"国家级\"])", &vars),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            eval(
                "if 级别 == \"国家级\" then 50万 else if 级别 == \"省级\" then 20万 else 5万",
                &vars
            ),
            Ok(num("200000"))
        );
        assert_eq!(
            eval("days_between(registered_on, date(\"2024-12-30\"))", &vars),
            Ok(num("365"))
        );
        assert_eq!(
            eval("years_between(registered_on, date(\"2024-12-30\"))", &vars),
            Ok(num("0"))
        );
        assert_eq!(
            eval("years_between(registered_on, date(\"2024-12-31\"))", &vars),
            Ok(num("1"))
        );
        assert_eq!(eval("industry ≠ \"39\" 且 true", &vars), Ok(Value::Bool(true)));
    }

    #[test]
    fn mistakes_are_reported_where_they_are() {
        let e = parse("min(a, b").unwrap_err();
        assert_eq!(e.offset, 8);
        assert!(e.message.contains("“)”"), "{}", e.message);
        let e = parse("a + * b").unwrap_err();
        assert!(e.message.contains("无法识别"), "{}", e.message);
        let unknown = eval("营业收入 > 0", &[]).unwrap_err();
        assert!(unknown.contains("未知变量“营业收入”"), "{unknown}");
        assert!(eval("1 + \"a\"", &[]).unwrap_err().contains("算术运算需要两个数值"));
        assert!(
            eval("if true then 1 else \"x\"", &[])
                .unwrap_err()
                .contains("两个分支类型不同")
        );
        assert!(eval("foo(1)", &[]).unwrap_err().contains("未知函数"));
        assert!(eval("1 / (2 - 2)", &[]).unwrap_err().contains("除数为零"));
        assert_eq!(line_col("a\nbc d", 5), (2, 4));
    }

    #[test]
    fn keywords_are_whole_words() {
        let vars = [("order", num("1")), ("android", Value::Bool(true))];
        assert_eq!(eval("order > 0 and android", &vars), Ok(Value::Bool(true)));
    }

    #[test]
    fn comparisons_with_zero_agree_with_decimal_ordering() {
        let values = ["0", "0.00", "-0", "0.01", "-0.01", "5", "-5", "100000.00", "1e-10"];
        for x in values {
            for y in values {
                let (x, y) = (
                    Decimal::from_scientific(x).or_else(|_| Decimal::from_str(x)).unwrap(),
                    Decimal::from_scientific(y).or_else(|_| Decimal::from_str(y)).unwrap(),
                );
                assert_eq!(compare_numbers(&x, &y), x.cmp(&y), "{x} {y}");
            }
        }
    }
}
