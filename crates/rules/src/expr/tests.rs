use std::collections::HashMap;
use std::str::FromStr;

use super::compiled::compare_numbers;
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
    // Found by `gaoxin fuzz rule_file`: an offset inside a character panicked.
    assert_eq!(line_col("a\n码b", 3), (2, 1));
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
