//! The tests written in a scheme file: cases (and an optional baseline group) given by variable
//! name, evaluated together, and the score, rank, class, exclusion and indicator scores each
//! enterprise should get.

use super::{Case, LandResult, Scheme, SchemeExpectation, SchemeTest};
use crate::expr::{Value, round_half_up};
use crate::ladder::{TestOutcome, default_as_of};

impl Scheme {
    /// Runs the file's own tests.
    pub fn run_tests(&self) -> Vec<TestOutcome> {
        self.tests.iter().map(|t| self.run_test(t)).collect()
    }

    fn run_test(&self, t: &SchemeTest) -> TestOutcome {
        let mut failures = Vec::new();
        let cases = self.test_cases(t, &t.cases, &mut failures);
        let baseline = self.test_cases(t, &t.baseline, &mut failures);
        let evaluation = self.evaluate(&cases, (!t.baseline.is_empty()).then_some(baseline.as_slice()));
        for e in &t.expect {
            let Some(r) = cases
                .iter()
                .position(|c| c.id == e.enterprise)
                .map(|n| &evaluation.results[n])
            else {
                failures.push(format!("{}：没有这个用例", e.enterprise));
                continue;
            };
            self.unmet_expectations(e, r, &mut failures);
        }
        TestOutcome {
            file: self.file.clone(),
            name: t.name.clone(),
            failures,
        }
    }

    /// The cases of a test by variable name: one left out is unknown, except the year evaluated
    /// and its last day; a name the file does not declare, or a value it cannot read, is said in
    /// `failures`.
    fn test_cases(&self, t: &SchemeTest, tables: &[toml::Table], failures: &mut Vec<String>) -> Vec<Case> {
        tables
            .iter()
            .map(|case| {
                let id = case
                    .get("enterprise")
                    .and_then(|v| v.as_str())
                    .unwrap_or("?")
                    .to_string();
                for k in case.keys() {
                    if k != "enterprise" && !self.variables.iter().any(|v| &v.name == k) {
                        failures.push(format!("{id}：用例中的“{k}”不是本文件的变量"));
                    }
                }
                let values = self
                    .variables
                    .iter()
                    .map(|v| match case.get(&v.name) {
                        None => match v.from.name {
                            "period.year" => Some(Value::Num(t.year.into())),
                            "period.as_of" => Some(Value::Date(default_as_of(t.year))),
                            _ => None,
                        },
                        Some(raw) => {
                            let text = match raw {
                                toml::Value::String(s) => s.clone(),
                                other => other.to_string(),
                            };
                            match v.kind.read(&text) {
                                Ok(value) => Some(value),
                                Err(e) => {
                                    failures.push(format!("{id}：变量“{}”{e}", v.name));
                                    None
                                }
                            }
                        }
                    })
                    .collect();
                Case { id, values }
            })
            .collect()
    }

    /// Says in `failures` where a result differs from what the test expects of it.
    fn unmet_expectations(&self, e: &SchemeExpectation, r: &LandResult, failures: &mut Vec<String>) {
        let got_excluded = r.excluded.map(|x| self.exclusion_reason(x).0.to_string());
        if got_excluded != e.excluded {
            failures.push(format!(
                "{}：不参评应为 {:?}，实为 {:?}",
                e.enterprise, e.excluded, got_excluded
            ));
        }
        if let Some(want) = &e.score {
            let got = format!("{:.2}", round_half_up(r.total, 2));
            if &got != want {
                failures.push(format!("{}：得分应为 {want}，实为 {got}", e.enterprise));
            }
        }
        if let Some(want) = e.rank
            && want != r.rank
        {
            failures.push(format!("{}：排名应为 {want}，实为 {}", e.enterprise, r.rank));
        }
        if let Some(want) = &e.class
            && want != self.class_name(r)
        {
            failures.push(format!(
                "{}：类别应为 {want}，实为 {}",
                e.enterprise,
                self.class_name(r)
            ));
        }
        for (id, want) in &e.indicators {
            let found = self.indicators.iter().position(|i| &i.id == id);
            match found.and_then(|k| r.indicators.get(k)) {
                None => failures.push(format!("{}：没有指标 {id}", e.enterprise)),
                Some(i) => {
                    let got = format!("{:.2}", round_half_up(i.score, 2));
                    if &got != want {
                        failures.push(format!("{}：指标 {id} 得分应为 {want}，实为 {got}", e.enterprise));
                    }
                }
            }
        }
    }
}
