//! Evaluating an enterprise against one tier: the variables read from its facts, the steps, each
//! route's conditions and score, the route that decides, and whether the tier is within reach.
//! What is unknown stays unknown: it never counts as zero nor as a failure.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::facts::{Facts, Origin, Validities, valid_on};
use super::{Condition, Criteria, Route, Score};
use crate::expr::{Op, Value, round_half_up};

gaoxin_core::coded_enum! {
    /// Whether an enterprise meets a tier (or a route, or a score). The order matters: the
    /// worst status of a route's items is the route's.
    #[derive(PartialOrd, Ord, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Status {
        /// Some condition fails on known data.
        Fails = "fails" / "不符合",
        /// Nothing known fails, but some data is missing (需补充).
        Unknown = "unknown" / "需补充数据",
        /// Every condition that can be computed holds; manual ones are listed for confirmation.
        Qualifies = "qualifies" / "符合",
    }
}

impl Status {
    /// The status of a stored code: the same as [`Status::of`].
    pub fn parse(code: &str) -> Option<Status> {
        Status::of(code)
    }
}

/// One condition's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Met,
    NotMet,
    Unknown,
    Manual,
}

/// A condition as it stands for one enterprise.
#[derive(Clone, Debug, Serialize)]
pub struct ConditionResult {
    pub id: &'static str,
    pub label: &'static str,
    pub article: Option<&'static str>,
    pub check: Check,
    /// The condition as written.
    pub rule: Option<&'static str>,
    /// How the values read ("%", "元", "人" …).
    pub unit: Option<&'static str>,
    /// The comparison ("≥", ">", "≤", "<").
    pub op: Option<&'static str>,
    /// For a comparison of numbers: the current value and the threshold.
    pub current: Option<Decimal>,
    pub threshold: Option<Decimal>,
    /// How far the current value is from the threshold (when not met).
    pub gap: Option<Decimal>,
    /// The gap as a share of the threshold.
    pub relative: Option<Decimal>,
    /// What closing the gap means ("研发费用再增加 127 万元").
    pub hint: Option<String>,
    /// The labels of the facts that are missing (需补充).
    pub missing: Vec<String>,
    /// Why it could not be computed (a division by zero in the data).
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ItemResult {
    pub id: &'static str,
    pub label: &'static str,
    pub max: Decimal,
    /// None: unknown (a fact is missing).
    pub points: Option<Decimal>,
    pub missing: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ScoreResult {
    pub label: &'static str,
    pub article: Option<&'static str>,
    pub pass: Decimal,
    /// The known points; with unknown items the total lies between `low` and `high`.
    pub low: Decimal,
    pub high: Decimal,
    pub check: Check,
    pub gap: Option<Decimal>,
    pub items: Vec<ItemResult>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RouteResult {
    pub id: &'static str,
    pub name: &'static str,
    pub status: Status,
    pub conditions: Vec<ConditionResult>,
    pub score: Option<ScoreResult>,
}

impl RouteResult {
    /// The ids of what fails on known data ("score" for the score).
    pub fn unmet(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .conditions
            .iter()
            .filter(|c| c.check == Check::NotMet)
            .map(|c| c.id.to_string())
            .collect();
        if self.score.as_ref().is_some_and(|s| s.check == Check::NotMet) {
            out.push("score".into());
        }
        out
    }

    /// The largest failing item's gap as a share of its bar (None when nothing fails; a
    /// failed yes/no or a bar of zero counts as `Decimal::MAX`).
    fn worst_relative_gap(&self) -> Option<Decimal> {
        self.conditions
            .iter()
            .filter(|c| c.check == Check::NotMet)
            .map(|c| c.relative.unwrap_or(Decimal::MAX))
            .chain(
                self.score
                    .iter()
                    .filter(|s| s.check == Check::NotMet)
                    .map(|s| s.gap.unwrap_or_default() / s.pass.max(Decimal::ONE)),
            )
            .max()
    }

    fn unknown_count(&self) -> usize {
        self.conditions.iter().filter(|c| c.check == Check::Unknown).count()
            + usize::from(self.score.as_ref().is_some_and(|s| s.check == Check::Unknown))
    }

    /// Labels of the facts missing anywhere in the route.
    pub fn missing(&self) -> Vec<String> {
        let mut out: Vec<String> = self.conditions.iter().flat_map(|c| c.missing.iter().cloned()).collect();
        if let Some(s) = &self.score {
            out.extend(s.items.iter().flat_map(|i| i.missing.iter().cloned()));
        }
        out.sort();
        out.dedup();
        out
    }

    /// The manual conditions to be confirmed by a person.
    pub fn manual(&self) -> Vec<String> {
        self.conditions
            .iter()
            .filter(|c| c.check == Check::Manual)
            .map(|c| c.label.to_string())
            .collect()
    }
}

/// Where an enterprise stands against one tier.
#[derive(Clone, Debug, Serialize)]
pub struct TierResult {
    pub tier: &'static str,
    pub name: &'static str,
    pub criteria: &'static str,
    pub version: &'static str,
    pub status: Status,
    /// The route that decides: the one that qualifies, or the nearest.
    pub route: usize,
    /// One failing item only, within the margin: 培育库 "within reach".
    pub within_reach: bool,
    pub routes: Vec<RouteResult>,
}

impl TierResult {
    pub fn best(&self) -> &RouteResult {
        &self.routes[self.route]
    }
}

/// The day a year is evaluated on, when none is given: its last day.
pub fn default_as_of(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).expect("a year")
}

/// The default "within reach" margin: one failing item, short by at most a fifth.
pub const DEFAULT_MARGIN: Decimal = Decimal::from_parts(20, 0, 0, false, 2);

impl Criteria {
    /// Reads the variables of an enterprise for a year: values, and which are known.
    pub fn read(&self, facts: &Facts, year: i32, as_of: NaiveDate, validities: &Validities) -> (Vec<Value>, Vec<bool>) {
        let n = self.variables.len() + self.steps.len();
        let mut values = Vec::with_capacity(n);
        let mut known = Vec::with_capacity(n);
        for v in &self.variables {
            let value = match v.from.origin {
                Origin::Year(field) => facts.figure(year + v.year_offset, field).map(Value::Num),
                Origin::RegisteredOn => facts.registered_on.map(Value::Date),
                Origin::IndustryCode => facts.industry_code.as_deref().map(|c| Value::Text(c.into())),
                Origin::Employees => facts.employees.map(|e| Value::Num(e.into())),
                Origin::AsOf => Some(Value::Date(as_of)),
                Origin::PeriodYear => Some(Value::Num(year.into())),
                Origin::Holds => {
                    let category = v.category.as_deref().unwrap_or_default();
                    Some(Value::Bool(
                        facts
                            .recognitions
                            .iter()
                            .any(|h| h.category == category && valid_on(h, validities, as_of)),
                    ))
                }
            };
            known.push(value.is_some());
            values.push(value.unwrap_or(Value::Num(Decimal::ZERO)));
        }
        (values, known)
    }

    /// Evaluates an enterprise's facts.
    pub fn evaluate(
        &self,
        facts: &Facts,
        year: i32,
        as_of: NaiveDate,
        validities: &Validities,
        margin: Decimal,
    ) -> TierResult {
        let (values, known) = self.read(facts, year, as_of, validities);
        self.evaluate_values(values, known, margin)
    }

    /// Evaluates variables given directly (tests, what-if): `known[i]` says whether variable i
    /// is known.
    pub fn evaluate_values(&self, mut values: Vec<Value>, mut known: Vec<bool>, margin: Decimal) -> TierResult {
        let errors = self.run_steps(&mut values, &mut known);
        let missing_of = |inputs: &[usize]| -> Vec<String> {
            let mut out = Vec::new();
            self.missing_labels(inputs, &known, &mut out);
            out.sort();
            out.dedup();
            out
        };
        let routes: Vec<RouteResult> = self
            .routes
            .iter()
            .map(|r| self.route_result(r, &values, &known, &errors, &missing_of))
            .collect();
        let route = deciding_route(&routes);
        let best = &routes[route];
        let within_reach = within_reach(best, margin);
        TierResult {
            tier: self.shared[0],
            name: self.shared[1],
            criteria: self.shared[2],
            version: self.shared[3],
            status: best.status,
            route,
            within_reach,
            routes,
        }
    }

    /// Computes the steps after the variables; a step that reads an unknown value is unknown,
    /// and one that fails (a division by zero in the data) is unknown with its error, by slot.
    fn run_steps(&self, values: &mut Vec<Value>, known: &mut Vec<bool>) -> HashMap<usize, String> {
        let mut errors: HashMap<usize, String> = HashMap::new();
        for step in &self.steps {
            let ok = step.inputs.iter().all(|i| known[*i]);
            let value = if ok {
                match (step.compiled)(values) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        errors.insert(values.len(), format!("步骤“{}”：{}", step.name, e.message));
                        None
                    }
                }
            } else {
                None
            };
            known.push(value.is_some());
            values.push(value.unwrap_or(Value::Num(Decimal::ZERO)));
        }
        errors
    }

    /// One route: its conditions, its score, and its status, the worst of theirs.
    fn route_result(
        &self,
        r: &Route,
        values: &[Value],
        known: &[bool],
        errors: &HashMap<usize, String>,
        missing_of: &dyn Fn(&[usize]) -> Vec<String>,
    ) -> RouteResult {
        let conditions: Vec<ConditionResult> = r
            .conditions
            .iter()
            .map(|c| self.check_condition(c, values, known, errors, missing_of))
            .collect();
        let score = r.score.as_ref().map(|s| score_result(s, values, known, missing_of));
        let checks = conditions
            .iter()
            .map(|c| c.check)
            .chain(score.as_ref().map(|s| s.check));
        let mut status = Status::Qualifies;
        for c in checks {
            status = status.min(match c {
                Check::NotMet => Status::Fails,
                Check::Unknown => Status::Unknown,
                Check::Met | Check::Manual => Status::Qualifies,
            });
        }
        RouteResult {
            id: r.id,
            name: r.name,
            status,
            conditions,
            score,
        }
    }

    fn missing_labels(&self, inputs: &[usize], known: &[bool], out: &mut Vec<String>) {
        let base = self.variables.len();
        for i in inputs {
            if known[*i] {
                continue;
            }
            if *i < base {
                let v = &self.variables[*i];
                out.push(match v.year_offset {
                    0 => v.label.clone(),
                    o => format!("{}（{}年前）", v.label, -o),
                });
            } else {
                self.missing_labels(&self.steps[*i - base].inputs, known, out);
            }
        }
    }

    fn check_condition(
        &self,
        c: &Condition,
        values: &[Value],
        known: &[bool],
        errors: &HashMap<usize, String>,
        missing_of: &dyn Fn(&[usize]) -> Vec<String>,
    ) -> ConditionResult {
        let mut out = ConditionResult {
            id: c.id,
            label: c.label,
            article: c.article,
            check: Check::Manual,
            rule: c.when_source,
            unit: c.unit,
            op: None,
            current: None,
            threshold: None,
            gap: None,
            relative: None,
            hint: None,
            missing: Vec::new(),
            error: None,
        };
        let Some(when) = &c.when else { return out };
        if !c.inputs.iter().all(|i| known[*i]) {
            out.check = Check::Unknown;
            out.missing = missing_of(&c.inputs);
            out.error = c.inputs.iter().find_map(|i| errors.get(i).cloned());
            if out.error.is_some() {
                out.missing.clear();
            }
            return out;
        }
        match when(values) {
            Err(e) => {
                out.check = Check::Unknown;
                out.error = Some(e.message);
                return out;
            }
            Ok(v) => out.check = if v.as_bool() { Check::Met } else { Check::NotMet },
        }
        if let Some((l, r, op)) = &c.sides
            && let (Ok(Value::Num(left)), Ok(Value::Num(right))) = (l(values), r(values))
        {
            out.current = Some(left);
            out.threshold = Some(right);
            out.op = Some(match op {
                Op::Ge => "≥",
                Op::Gt => ">",
                Op::Le => "≤",
                _ => "<",
            });
            if out.check == Check::NotMet {
                let gap = match op {
                    Op::Ge | Op::Gt => right - left,
                    _ => left - right,
                };
                out.gap = Some(gap);
                if !right.is_zero() {
                    out.relative = Some(gap / right.abs());
                }
            }
        }
        if out.check == Check::NotMet
            && let Some((label, hint, unit)) = &c.hint
            && let Ok(Value::Num(amount)) = hint(values)
        {
            out.hint = Some(
                format!("{label} {} {unit}", round_half_up(amount, 2).normalize())
                    .trim_end()
                    .to_string(),
            );
        }
        out
    }
}

/// A score: the known points, and with unknown items the range up to their maxima; met when
/// the known points reach the pass mark, not met when even the maxima cannot.
fn score_result(
    s: &Score,
    values: &[Value],
    known: &[bool],
    missing_of: &dyn Fn(&[usize]) -> Vec<String>,
) -> ScoreResult {
    let mut low = Decimal::ZERO;
    let mut high = Decimal::ZERO;
    let items: Vec<ItemResult> = s
        .items
        .iter()
        .map(|it| {
            let points = if it.inputs.iter().all(|i| known[*i]) {
                (it.compiled)(values).ok().map(|v| v.as_num().min(it.max))
            } else {
                None
            };
            match points {
                Some(p) => {
                    low += p;
                    high += p;
                }
                None => high += it.max,
            }
            ItemResult {
                id: it.id,
                label: it.label,
                max: it.max,
                points,
                missing: if points.is_none() {
                    missing_of(&it.inputs)
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    let (check, gap) = if low >= s.pass {
        (Check::Met, None)
    } else if high < s.pass {
        (Check::NotMet, Some(s.pass - high))
    } else {
        (Check::Unknown, Some(s.pass - low))
    };
    ScoreResult {
        label: s.label,
        article: s.article,
        pass: s.pass,
        low,
        high,
        check,
        gap,
        items,
    }
}

/// The deciding route: the best status; among failing ones the fewest failures, then the
/// fewest unknowns; the first on a tie.
fn deciding_route(routes: &[RouteResult]) -> usize {
    // Among routes failing as many items, the one whose worst failing item is closest to
    // its bar (a failed yes/no counts as farthest).
    (0..routes.len())
        .min_by_key(|i| {
            let r = &routes[*i];
            (
                std::cmp::Reverse(r.status),
                r.unmet().len(),
                r.worst_relative_gap(),
                r.unknown_count(),
                *i,
            )
        })
        .unwrap_or(0)
}

/// Within reach (培育库): the deciding route fails on one item only, short of its bar by at
/// most `margin` of it.
fn within_reach(best: &RouteResult, margin: Decimal) -> bool {
    best.status == Status::Fails && {
        let failing: Vec<Option<Decimal>> = best
            .conditions
            .iter()
            .filter(|c| c.check == Check::NotMet)
            .map(|c| c.relative)
            .chain(
                best.score
                    .iter()
                    .filter(|s| s.check == Check::NotMet)
                    .map(|s| s.gap.map(|g| g / s.pass.max(Decimal::ONE))),
            )
            .collect();
        matches!(failing.as_slice(), [Some(r)] if *r <= margin)
    }
}

/// Maps `f` over `items` on every core (scoped threads, contiguous chunks, order kept): a
/// zone's enterprises are evaluated independently of one another.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 64 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("an evaluation thread panicked"))
            .collect()
    })
}
