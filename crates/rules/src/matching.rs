//! Matching (政策匹配): for one case (an enterprise's facts for a year, or one of its events),
//! which awards it qualifies for, and which it nearly qualifies for — every part of the
//! condition holds but one comparison, and that one misses by at most a fifth of its threshold.
//! The failing part is shown with both sides and the distance ("营业收入 ≥ 1亿：差 800万").
//!
//! A condition is split at its top-level `and`s when the policy is loaded (`Conjunct`); each
//! part is compiled on its own, and a numeric comparison keeps its two sides compiled too.

use rust_decimal::Decimal;

use super::expr::{Op, Value};
use super::policy::{Award, Policy};

/// How close a case is to an award.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Standing {
    Qualifies,
    NearlyQualifies,
}

/// The part of a condition that failed, with both sides and how far off it is.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Miss {
    pub condition: String,
    pub left: String,
    pub right: String,
    /// How much the left side must move (absolute value).
    pub gap: String,
    /// The gap as a share of the threshold, e.g. "8%".
    pub relative: String,
}

/// An award a case qualifies or nearly qualifies for.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Match {
    pub policy: String,
    pub award: String,
    pub award_name: String,
    pub without_application: bool,
    pub standing: Standing,
    /// The formula's result before caps (yuan), when it qualifies.
    pub estimate: Option<String>,
    pub miss: Option<Miss>,
}

/// A miss counts as near when the gap is at most this share of the threshold.
pub const NEAR: Decimal = Decimal::from_parts(20, 0, 0, false, 2);

/// Fills a policy's local buffer (its variables from the shared row, then its steps).
pub fn local_values(policy: &Policy, row: &[Value]) -> Result<Vec<Value>, String> {
    let mut buffer = vec![Value::Num(Decimal::ZERO); policy.variables.len() + policy.steps.len()];
    for (i, global) in policy.var_globals.iter().enumerate() {
        buffer[i] = row[*global].clone();
    }
    let base = policy.variables.len();
    for (k, step) in policy.steps.iter().enumerate() {
        buffer[base + k] = (step.compiled)(&buffer).map_err(|e| format!("步骤“{}”：{}", step.name, e.message))?;
    }
    Ok(buffer)
}

/// Where a case stands against an award (None: neither qualifies nor nearly qualifies).
pub fn standing(award: &Award, buffer: &[Value]) -> Option<Match> {
    let mut failed = Vec::new();
    for c in &award.conjuncts {
        match (c.test)(buffer) {
            Ok(v) if v.as_bool() => {}
            Ok(_) => failed.push(c),
            // A part that cannot be evaluated (a division by zero) is not a near miss.
            Err(_) => return None,
        }
    }
    let base = Match {
        policy: String::new(),
        award: award.id.clone(),
        award_name: award.name.clone(),
        without_application: award.without_application,
        standing: Standing::Qualifies,
        estimate: None,
        miss: None,
    };
    match failed.as_slice() {
        [] => Some(Match {
            estimate: (award.amount)(buffer)
                .ok()
                .map(|v| format!("{:.2}", super::expr::round_half_up(v.as_num().max(Decimal::ZERO), 2))),
            ..base
        }),
        [one] => {
            let (l, r, op) = one.sides.as_ref()?;
            let (left, right) = ((l)(buffer).ok()?.as_num(), (r)(buffer).ok()?.as_num());
            // The side that is a threshold: the right one unless it reads like `1亿 <= 营业收入`.
            let gap = match op {
                Op::Ge | Op::Gt => right - left,
                Op::Le | Op::Lt => left - right,
                _ => return None,
            };
            if gap.is_sign_negative() || right.is_zero() {
                return None;
            }
            let relative = gap / right.abs();
            if relative > NEAR {
                return None;
            }
            Some(Match {
                standing: Standing::NearlyQualifies,
                miss: Some(Miss {
                    condition: one.source.clone(),
                    // Shown to 6 decimals: a ratio of two money amounts has 28 digits.
                    left: super::expr::round_half_up(left, 6).normalize().to_string(),
                    right: super::expr::round_half_up(right, 6).normalize().to_string(),
                    gap: match super::expr::round_half_up(gap, 6) {
                        // Short by less than shows: say so rather than "0".
                        g if g.is_zero() => "不足 0.000001".to_string(),
                        g => g.normalize().to_string(),
                    },
                    relative: format!(
                        "{}%",
                        super::expr::round_half_up(relative * Decimal::ONE_HUNDRED, 1).normalize()
                    ),
                }),
                ..base
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Kinds, Slots, load};

    const FILE: &str = r#"
id = "t"
title = "t"
document_number = "t"
issuer = "t"
effective_from = "2020-01-01"

[[variables]]
name = "营业收入"
label = "营业收入"
type = "money"

[[variables]]
name = "研发经费"
label = "研发经费"
type = "money"

[[articles]]
id = "一"
text = "营业收入1亿元以上且研发经费占比不低于3%的，奖励20万元。"

[[articles.awards]]
id = "a"
name = "奖励"
beneficiary = "enterprise"
paid = "application"
when = "营业收入 >= 1亿 且 营业收入 > 0 且 研发经费 / 营业收入 >= 3%"
amount = "20万"
"#;

    fn stand(revenue: &str, rd: &str) -> Option<Match> {
        let (mut slots, mut kinds) = (Slots::new(), Kinds::new());
        let p = load("t.toml", FILE, &mut slots, &mut kinds).unwrap();
        let row = vec![Value::Num(revenue.parse().unwrap()), Value::Num(rd.parse().unwrap())];
        let buffer = local_values(&p, &row).unwrap();
        standing(&p.awards[0], &buffer)
    }

    #[test]
    fn a_case_qualifies_nearly_qualifies_with_the_gap_or_is_far() {
        let m = stand("100000000", "3000000").unwrap();
        assert_eq!(m.standing, Standing::Qualifies);
        assert_eq!(m.estimate.as_deref(), Some("200000.00"));
        let m = stand("92000000", "3000000").unwrap();
        assert_eq!(m.standing, Standing::NearlyQualifies);
        let miss = m.miss.unwrap();
        assert_eq!(miss.condition, "营业收入 >= 100000000");
        assert_eq!(miss.gap, "8000000");
        assert_eq!(miss.relative, "8%");
        // Two parts fail, or one fails by more than a fifth: not near.
        assert!(stand("92000000", "100").is_none());
        assert!(stand("70000000", "3000000").is_none());
        // Revenue 0: the guard fails first and the ratio is never divided by zero.
        assert!(stand("0", "0").is_none());
    }
}
