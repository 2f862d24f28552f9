//! The tests written in a criteria file: cases given by variable name, evaluated directly, and
//! the status, score, unmet conditions and "within reach" each case should get.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::Criteria;
use super::evaluate::{DEFAULT_MARGIN, TierResult, default_as_of};
use super::facts::Origin;
use super::load::{CriteriaExpectation, CriteriaTest};
use crate::expr::Value;

/// The outcome of one test of a criteria file.
#[derive(Clone, Debug, Serialize)]
pub struct TestOutcome {
    pub file: String,
    pub name: String,
    pub failures: Vec<String>,
}

impl Criteria {
    /// Runs the file's own tests; each failure says which case and why.
    pub fn run_tests(&self) -> Vec<TestOutcome> {
        self.tests.iter().map(|t| self.run_test(t)).collect()
    }

    fn run_test(&self, t: &CriteriaTest) -> TestOutcome {
        let mut failures = Vec::new();
        let mut results: HashMap<String, TierResult> = HashMap::new();
        for case in &t.cases {
            let name = case
                .get("enterprise")
                .and_then(|v| v.as_str())
                .unwrap_or("?")
                .to_string();
            if let Some((values, known)) = self.case_values(t, case, &name, &mut failures) {
                results.insert(name, self.evaluate_values(values, known, DEFAULT_MARGIN));
            }
        }
        for e in &t.expect {
            let Some(r) = results.get(&e.enterprise) else {
                failures.push(format!("{}：没有这个用例", e.enterprise));
                continue;
            };
            unmet_expectations(e, r, &mut failures);
        }
        TestOutcome {
            file: self.file.clone(),
            name: t.name.clone(),
            failures,
        }
    }

    /// The variables of a case, and which are known; None when the case names a variable the
    /// file does not declare or gives one a value it cannot read (each said in `failures`).
    fn case_values(
        &self,
        t: &CriteriaTest,
        case: &toml::Table,
        name: &str,
        failures: &mut Vec<String>,
    ) -> Option<(Vec<Value>, Vec<bool>)> {
        let mut values = Vec::new();
        let mut known = Vec::new();
        let mut bad = false;
        for (k, _) in case.iter() {
            if k != "enterprise" && !self.variables.iter().any(|v| &v.name == k) {
                failures.push(format!("{name}：用例中的“{k}”不是本文件的变量"));
                bad = true;
            }
        }
        for v in &self.variables {
            match case.get(&v.name) {
                None => {
                    // The year evaluated and the day are always known.
                    let implied = match v.from.origin {
                        Origin::PeriodYear => Some(Value::Num(t.year.into())),
                        Origin::AsOf => Some(Value::Date(default_as_of(t.year))),
                        Origin::Holds => Some(Value::Bool(false)),
                        _ => None,
                    };
                    known.push(implied.is_some());
                    values.push(implied.unwrap_or(Value::Num(Decimal::ZERO)));
                }
                Some(raw) => {
                    let text = match raw {
                        toml::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    match v.kind.read(&text) {
                        Ok(value) => {
                            values.push(value);
                            known.push(true);
                        }
                        Err(e) => {
                            failures.push(format!("{name}：变量“{}”{e}", v.name));
                            bad = true;
                            values.push(Value::Num(Decimal::ZERO));
                            known.push(false);
                        }
                    }
                }
            }
        }
        (!bad).then_some((values, known))
    }
}

/// Says in `failures` where a result differs from what the test expects of it.
fn unmet_expectations(e: &CriteriaExpectation, r: &TierResult, failures: &mut Vec<String>) {
    if r.status.code() != e.status {
        failures.push(format!(
            "{}：应为 {}，实为 {}（未满足：{}）",
            e.enterprise,
            e.status,
            r.status.code(),
            r.best().unmet().join("、")
        ));
    }
    if let Some(want) = &e.score {
        let got = r
            .routes
            .iter()
            .find_map(|route| route.score.as_ref())
            .map(|s| {
                if s.low == s.high {
                    s.low.normalize().to_string()
                } else {
                    format!("{}-{}", s.low.normalize(), s.high.normalize())
                }
            })
            .unwrap_or_default();
        if &got != want {
            failures.push(format!("{}：得分应为 {want}，实为 {got}", e.enterprise));
        }
    }
    if let Some(want) = &e.unmet {
        let got = r.best().unmet();
        if &got != want {
            failures.push(format!("{}：未满足项应为 {want:?}，实为 {got:?}", e.enterprise));
        }
    }
    if let Some(want) = e.within_reach
        && want != r.within_reach
    {
        failures.push(format!(
            "{}：within_reach 应为 {want}，实为 {}",
            e.enterprise, r.within_reach
        ));
    }
}
