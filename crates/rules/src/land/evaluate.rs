//! Evaluating a group of enterprises against a scheme: each enterprise's facts independently
//! (in parallel), then the group's benchmarks, the fills for missing values, the totals, the
//! ranking and the classes. Every result keeps what explains it.

use rust_decimal::Decimal;

use super::{Benchmark, ClassMethod, Indicator, Missing, Rule, Scheme};
use crate::expr::{Value, round_half_up};
use crate::ladder::parallel_map;

/// One enterprise's facts for the year: a value per scheme variable (None: unknown).
#[derive(Clone, Debug)]
pub struct Case {
    pub id: String,
    pub values: Vec<Option<Value>>,
}

/// Why an enterprise is not ranked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Excluded {
    /// Outside the scheme's scope.
    Scope,
    /// The scheme's exclusion of this index.
    Rule(usize),
}

/// One indicator's outcome for one enterprise, in the order of `Scheme::indicators`.
#[derive(Clone, Copy, Debug)]
pub struct IndicatorScore {
    /// None: unknown (a fact missing, or a division by zero).
    pub value: Option<Decimal>,
    pub score: Decimal,
    /// The ratio value / benchmark was capped.
    pub capped: bool,
    /// The value was unknown and the score filled as the indicator's `missing` says.
    pub filled: bool,
}

/// One enterprise's result (the same position as its case).
#[derive(Clone, Debug)]
pub struct LandResult {
    pub excluded: Option<Excluded>,
    /// Empty when excluded.
    pub indicators: Vec<IndicatorScore>,
    /// (index into `Scheme::adjustments`, points) of each that applied.
    pub adjustments: Vec<(usize, Decimal)>,
    pub total: Decimal,
    /// 1-based; ties share the best rank. 0 when excluded.
    pub rank: usize,
    /// Index into `classes.names`; `names.len()` when excluded.
    pub class: usize,
}

/// A group evaluated: the benchmark and the fill of each indicator, and the results.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub benchmarks: Vec<Decimal>,
    /// What a missing value scored, per indicator.
    pub fills: Vec<Decimal>,
    pub results: Vec<LandResult>,
}

/// A case's indicator values and adjustments, before benchmarks are known.
struct Prepared {
    excluded: Option<Excluded>,
    values: Vec<Option<Decimal>>,
    adjustments: Vec<(usize, Decimal)>,
}

impl Scheme {
    /// Fills steps; a step reading an unknown value (or failing, e.g. a division by zero) is
    /// unknown.
    fn buffer(&self, case: &Case) -> (Vec<Value>, Vec<bool>) {
        let width = self.variables.len() + self.steps.len();
        let mut values: Vec<Value> = Vec::with_capacity(width);
        let mut known: Vec<bool> = Vec::with_capacity(width);
        for i in 0..self.variables.len() {
            match case.values.get(i) {
                Some(Some(v)) => {
                    values.push(v.clone());
                    known.push(true);
                }
                _ => {
                    values.push(Value::Num(Decimal::ZERO));
                    known.push(false);
                }
            }
        }
        for s in &self.steps {
            let v = if s.inputs.iter().all(|i| known[*i]) {
                (s.compiled)(&values).ok()
            } else {
                None
            };
            known.push(v.is_some());
            values.push(v.unwrap_or(Value::Num(Decimal::ZERO)));
        }
        (values, known)
    }

    fn holds(rule: &Rule, values: &[Value], known: &[bool]) -> bool {
        rule.inputs.iter().all(|i| known[*i]) && (rule.compiled)(values).is_ok_and(|v| v.as_bool())
    }

    /// Why a case is not evaluated, if it is not.
    fn exclusion(&self, values: &[Value], known: &[bool]) -> Option<Excluded> {
        if let Some(scope) = &self.scope
            && !Self::holds(scope, values, known)
        {
            return Some(Excluded::Scope);
        }
        self.exclusions
            .iter()
            .position(|r| Self::holds(r, values, known))
            .map(Excluded::Rule)
    }

    /// The exclusion's id ("scope" for the scope) and the reason as staff read it.
    pub fn exclusion_reason(&self, excluded: Excluded) -> (&str, String) {
        match excluded {
            Excluded::Scope => (
                "scope",
                format!("不在评价范围：{}", self.scope.as_ref().map_or("", |s| s.label.as_str())),
            ),
            Excluded::Rule(i) => (self.exclusions[i].id.as_str(), self.exclusions[i].label.clone()),
        }
    }

    /// The class name of a result (the excluded class for an excluded one).
    pub fn class_name(&self, result: &LandResult) -> &str {
        self.classes.names.get(result.class).unwrap_or(&self.classes.excluded)
    }

    fn value_of(i: &Indicator, values: &[Value], known: &[bool]) -> Option<Decimal> {
        if !i.inputs.iter().all(|k| known[*k]) {
            return None;
        }
        (i.compiled)(values).ok().map(|v| v.as_num())
    }

    fn prepare(&self, case: &Case, with_adjustments: bool) -> Prepared {
        let (values, known) = self.buffer(case);
        let excluded = self.exclusion(&values, &known);
        if excluded.is_some() {
            return Prepared {
                excluded,
                values: Vec::new(),
                adjustments: Vec::new(),
            };
        }
        let adjustments = if with_adjustments {
            self.adjustments
                .iter()
                .enumerate()
                .filter(|(_, a)| Self::holds(&a.rule, &values, &known))
                .filter_map(|(n, a)| match (a.points)(&values) {
                    Ok(Value::Num(points)) => Some((n, points)),
                    _ => None,
                })
                .collect()
        } else {
            Vec::new()
        };
        Prepared {
            excluded,
            values: self
                .indicators
                .iter()
                .map(|i| Self::value_of(i, &values, &known))
                .collect(),
            adjustments,
        }
    }

    /// Evaluates a group (in parallel: each enterprise's facts independently, then the
    /// group's benchmarks and ranking). `baseline` gives the group whose evaluated members'
    /// values are averaged for `benchmark_average_times` (e.g. last year's); by default the
    /// group itself.
    pub fn evaluate(&self, cases: &[Case], baseline: Option<&[Case]>) -> Evaluation {
        let prepared = parallel_map(cases, |c| self.prepare(c, true));
        let base_prepared = baseline.map(|b| parallel_map(b, |c| self.prepare(c, false)));
        let base: &[Prepared] = base_prepared.as_deref().unwrap_or(&prepared);
        let benchmarks = self.benchmarks(base);
        // Each known value's score: the ratio to the benchmark (at least 0, capped) × weight.
        let score = |k: usize, value: Decimal| -> (Decimal, bool) {
            let ind = &self.indicators[k];
            let mut ratio = (value / benchmarks[k]).max(Decimal::ZERO);
            let capped = ind.cap.is_some_and(|c| ratio > c);
            if let Some(c) = ind.cap {
                ratio = ratio.min(c);
            }
            (ratio * ind.weight, capped)
        };
        let mut results: Vec<LandResult> = parallel_map(&prepared, |p| {
            if let Some(x) = p.excluded {
                return LandResult {
                    excluded: Some(x),
                    indicators: Vec::new(),
                    adjustments: Vec::new(),
                    total: Decimal::ZERO,
                    rank: 0,
                    class: self.classes.names.len(),
                };
            }
            let indicators: Vec<IndicatorScore> = p
                .values
                .iter()
                .enumerate()
                .map(|(k, v)| match v {
                    Some(value) if benchmarks[k] > Decimal::ZERO => {
                        let (score, capped) = score(k, *value);
                        IndicatorScore {
                            value: Some(*value),
                            score,
                            capped,
                            filled: false,
                        }
                    }
                    _ => IndicatorScore {
                        value: *v,
                        score: Decimal::ZERO,
                        capped: false,
                        filled: true,
                    },
                })
                .collect();
            LandResult {
                excluded: None,
                indicators,
                adjustments: p.adjustments.clone(),
                total: Decimal::ZERO,
                rank: 0,
                class: 0,
            }
        });
        // What a missing value scores, per indicator: zero, or the average score of those with one.
        let fills: Vec<Decimal> = self
            .indicators
            .iter()
            .enumerate()
            .map(|(k, ind)| match ind.missing {
                Missing::Zero => Decimal::ZERO,
                Missing::GroupAverage => {
                    let (sum, n) = results
                        .iter()
                        .filter(|r| r.excluded.is_none() && !r.indicators[k].filled)
                        .fold((Decimal::ZERO, 0u64), |(s, n), r| (s + r.indicators[k].score, n + 1));
                    if n == 0 { Decimal::ZERO } else { sum / Decimal::from(n) }
                }
            })
            .collect();
        for r in results.iter_mut().filter(|r| r.excluded.is_none()) {
            for (k, i) in r.indicators.iter_mut().enumerate() {
                if i.filled {
                    i.score = fills[k];
                }
            }
            r.total = r.indicators.iter().map(|i| i.score).sum::<Decimal>()
                + r.adjustments.iter().map(|(_, p)| *p).sum::<Decimal>();
        }
        self.rank(&mut results);
        Evaluation {
            benchmarks,
            fills,
            results,
        }
    }

    /// Each indicator's benchmark: fixed, or a multiple of the average value over the
    /// evaluated members of the baseline group (0 when none has a value).
    fn benchmarks(&self, base: &[Prepared]) -> Vec<Decimal> {
        self.indicators
            .iter()
            .enumerate()
            .map(|(k, ind)| match ind.benchmark {
                Benchmark::Fixed(b) => b,
                Benchmark::AverageTimes(times) => {
                    let (sum, n) = base
                        .iter()
                        .filter(|p| p.excluded.is_none())
                        .filter_map(|p| p.values[k])
                        .fold((Decimal::ZERO, 0u64), |(s, n), v| (s + v, n + 1));
                    if n == 0 {
                        Decimal::ZERO
                    } else {
                        sum / Decimal::from(n) * times
                    }
                }
            })
            .collect()
    }

    /// Ranks the evaluated results by their total to 2 decimals (as published), ties sharing
    /// the best rank, and gives each its class.
    fn rank(&self, results: &mut [LandResult]) {
        let shown: Vec<Decimal> = results.iter().map(|r| round_half_up(r.total, 2)).collect();
        let mut order: Vec<usize> = (0..results.len()).filter(|i| results[*i].excluded.is_none()).collect();
        order.sort_unstable_by(|a, b| shown[*b].cmp(&shown[*a]).then(a.cmp(b)));
        let evaluated = order.len();
        let limits: Vec<Decimal> = self
            .classes
            .cuts
            .iter()
            .map(|cut| round_half_up(Decimal::from(evaluated) * cut / Decimal::ONE_HUNDRED, 0))
            .collect();
        let mut rank = 0;
        for (position, i) in order.iter().enumerate() {
            if position == 0 || shown[*i] != shown[order[position - 1]] {
                rank = position + 1;
            }
            let class = match self.classes.method {
                // A class holds the ranks up to its cumulative share of the group, rounded half up.
                ClassMethod::Percentile => limits.iter().position(|l| Decimal::from(rank) <= *l),
                ClassMethod::Score => self.classes.cuts.iter().position(|c| shown[*i] >= *c),
            };
            let r = &mut results[*i];
            r.rank = rank;
            r.class = class.unwrap_or(self.classes.cuts.len());
        }
    }
}
