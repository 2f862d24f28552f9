//! Compiling a checked expression into a tree of closures that read the variables by slot, and
//! the errors evaluating one can meet. This is the hot path of every evaluation: a constant or a
//! variable operand is read in place, without a call.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use super::{Expr, ExprError, Op, Value};

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
pub(super) fn compare_numbers(x: &Decimal, y: &Decimal) -> std::cmp::Ordering {
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
