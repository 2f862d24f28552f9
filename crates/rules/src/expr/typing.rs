//! The type checker of the expression language: every expression has one type, and a mistake is
//! reported at its offset with both types named; also the names an expression reads.

use super::{Expr, ExprError, Op, Type};

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
