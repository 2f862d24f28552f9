//! The parser of the expression language (winnow): precedence from `or` down to literals, and
//! error messages that say where the expression stops making sense and what was expected there.

use std::str::FromStr;

use rust_decimal::Decimal;
use winnow::ascii::multispace0;
use winnow::combinator::{alt, cut_err, delimited, opt, preceded, separated};
use winnow::error::{ContextError, StrContext, StrContextValue};
use winnow::prelude::*;
use winnow::stream::{LocatingSlice, Location};
use winnow::token::{one_of, take_while};

use super::{Expr, ExprError, Op};

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
