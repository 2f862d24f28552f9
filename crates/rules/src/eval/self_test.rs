//! The tests written in policy files: each runs its cases through an evaluator of its policy
//! alone and compares what each enterprise receives with what the file expects.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{CaseOf, Evaluator, Outcome};
use crate::expr::Value;
use crate::policy::{Policy, Slots, VarKind};
use crate::sources::{EventKind, Origin};

/// The outcome of one rule-file test.
pub struct TestResult {
    pub policy: String,
    pub name: String,
    pub failures: Vec<String>,
}

/// Runs the tests written in the policy files.
pub fn run_tests(policies: &[Policy], slots: &Slots, kinds: &HashMap<String, VarKind>) -> Vec<TestResult> {
    let mut results = Vec::new();
    for (index, policy) in policies.iter().enumerate() {
        for test in &policy.tests {
            let mut failures = Vec::new();
            let only = std::slice::from_ref(&policies[index]);
            let outcome = (|| -> Result<Outcome, String> {
                if !policy.in_force(test.period) {
                    // Not in force that year: every expected amount must be 0.
                    return Ok(Outcome::default());
                }
                let mut evaluator = Evaluator::new(only, test.period)?;
                for paid in &test.paid_before {
                    if !policy.awards.iter().any(|a| a.id == paid.award) {
                        return Err(format!("paid_before 中的奖励“{}”不存在", paid.award));
                    }
                    let amount: Decimal = paid
                        .amount
                        .replace(',', "")
                        .parse()
                        .map_err(|_| format!("paid_before 金额“{}”不是数字", paid.amount))?;
                    evaluator.paid_before(&paid.enterprise, &policy.id, &paid.award, amount);
                }
                for (i, case) in test.cases.iter().enumerate() {
                    // `on = "recognition"` (an event kind) or `on = "facts"`: which awards the case
                    // reaches, as when evaluating the database; absent: every award.
                    let of = match case.get("on").and_then(|v| v.as_str()) {
                        None => CaseOf::Any,
                        Some("facts") => CaseOf::Facts,
                        Some(code) => CaseOf::Event(
                            EventKind::parse(code).ok_or_else(|| format!("case {} 的 on“{code}”未知", i + 1))?,
                        ),
                    };
                    let enterprise = case
                        .get("enterprise")
                        .and_then(|v| v.as_str())
                        .ok_or_else(|| format!("第 {} 个 case 缺少 enterprise", i + 1))?;
                    // The policy's own variables; one a case leaves out is "did not happen":
                    // 0, false, empty text, or the first day of the period for a date.
                    let mut row = vec![Value::Num(Decimal::ZERO); slots.len()];
                    for (v, slot) in policy.variables.iter().zip(&policy.var_globals) {
                        let name = &v.name;
                        let raw = match case.get(name) {
                            None if v.from.is_some_and(|f| f.origin == Origin::PeriodYear) => test.period.to_string(),
                            None if v.kind == VarKind::Date => {
                                row[*slot] = Value::Date(
                                    chrono::NaiveDate::from_ymd_opt(test.period, 1, 1)
                                        .ok_or_else(|| format!("测试年度 {} 无效", test.period))?,
                                );
                                continue;
                            }
                            None => String::new(),
                            Some(toml::Value::String(s)) => s.clone(),
                            Some(toml::Value::Integer(n)) => n.to_string(),
                            Some(toml::Value::Float(f)) => format!("{f}"),
                            Some(toml::Value::Boolean(b)) => b.to_string(),
                            Some(other) => other.to_string(),
                        };
                        row[*slot] = kinds[name]
                            .read(&raw)
                            .map_err(|m| format!("case {} 的 {name}：{m}", i + 1))?;
                    }
                    for key in case.keys() {
                        if key != "enterprise" && key != "on" && !policy.variables.iter().any(|v| &v.name == key) {
                            return Err(format!("case {} 有未声明的变量“{key}”", i + 1));
                        }
                    }
                    evaluator
                        .case_of(of, enterprise, &row, i + 1, None)
                        .map_err(|e| e.message)?;
                }
                Ok(evaluator.finish())
            })();
            match outcome {
                Err(message) => failures.push(message),
                Ok(outcome) => {
                    for expect in &test.expect {
                        let want: Decimal = match expect.amount.replace(',', "").parse() {
                            Ok(v) => v,
                            Err(_) => {
                                failures.push(format!("期望金额“{}”不是数字", expect.amount));
                                continue;
                            }
                        };
                        let got: Decimal = match &expect.award {
                            Some(award) => outcome
                                .lines()
                                .filter(|l| l.enterprise == expect.enterprise && l.award == award)
                                .map(|l| l.amount)
                                .sum(),
                            None => outcome
                                .totals
                                .iter()
                                .find(|(e, _)| *e == expect.enterprise)
                                .map(|(_, a)| *a)
                                .unwrap_or_default(),
                        };
                        if got != want {
                            failures.push(format!(
                                "{} {}：期望 {}，实际 {}",
                                expect.enterprise,
                                expect.award.as_deref().unwrap_or("合计"),
                                want,
                                got
                            ));
                        }
                    }
                }
            }
            results.push(TestResult {
                policy: policy.id.clone(),
                name: test.name.clone(),
                failures,
            });
        }
    }
    results
}
