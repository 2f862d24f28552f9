//! Why an award line is what it is, as shown to the staff who check it: the explanation of one
//! line and the note of each cap (or the rounding) that changed its amount.

use rust_decimal::Decimal;

use crate::expr::Value;
use crate::policy::{Award, Policy};

/// A named value shown in an explanation.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Named {
    pub name: String,
    pub label: String,
    pub value: String,
}

/// A cap (or the rounding) that changed an amount, and by how much.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct CapNote {
    pub kind: String,
    pub limit: String,
    pub before: String,
    pub after: String,
    pub cut: String,
}

/// Why an award line is what it is: the policy and its version, the article text, the
/// condition with the values it read, the formula with its inputs and the intermediate steps,
/// each cap that bound and by how much, and the final amount.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Explanation {
    pub policy: String,
    pub policy_title: String,
    pub document_number: String,
    pub version: String,
    pub article: String,
    pub article_text: String,
    pub award: String,
    pub award_name: String,
    pub without_application: bool,
    pub enterprise: String,
    pub row: usize,
    pub condition: Option<String>,
    pub condition_inputs: Vec<Named>,
    pub steps: Vec<Named>,
    pub formula: String,
    pub formula_inputs: Vec<Named>,
    /// The formula's result before caps and rounding.
    pub computed: String,
    pub caps: Vec<CapNote>,
    pub amount: String,
}

/// The explanation of a line before its caps: what the award's condition and formula read and
/// the policy's steps, with the values of this case. Built only when an explanation is asked for.
pub(super) fn explanation(
    policy: &Policy,
    award: &Award,
    enterprise: &str,
    row_number: usize,
    buffer: &[Value],
) -> Explanation {
    let named = |slots: &[usize]| -> Vec<Named> {
        slots
            .iter()
            .map(|i| Named {
                name: policy.slot_names[*i].0.clone(),
                label: policy.slot_names[*i].1.clone(),
                value: buffer[*i].to_string(),
            })
            .collect()
    };
    Explanation {
        policy: policy.id.clone(),
        policy_title: policy.title.clone(),
        document_number: policy.document_number.clone(),
        version: policy.version.clone(),
        article: award.article_id.clone(),
        article_text: award.article_text.clone(),
        award: award.id.clone(),
        award_name: award.name.clone(),
        without_application: award.without_application,
        enterprise: enterprise.to_string(),
        row: row_number,
        condition: award.when_source.clone(),
        condition_inputs: named(&award.when_inputs),
        steps: policy
            .steps
            .iter()
            .enumerate()
            .map(|(k, st)| Named {
                name: st.name.clone(),
                label: st.label.clone(),
                value: buffer[policy.variables.len() + k].to_string(),
            })
            .collect(),
        formula: award.amount_source.clone(),
        formula_inputs: named(&award.amount_inputs),
        computed: String::new(),
        caps: Vec::new(),
        amount: String::new(),
    }
}

/// Notes a cap that cut an amount from `before` to `after` (nothing when it did not, or when no
/// explanation is being written).
#[inline]
pub(super) fn note_cap(note: &mut Option<Explanation>, kind: &str, limit: Decimal, before: Decimal, after: Decimal) {
    if let Some(n) = note.as_mut()
        && after < before
    {
        n.caps.push(CapNote {
            kind: kind.to_string(),
            limit: format!("{:.2}", limit),
            before: before.normalize().to_string(),
            after: after.normalize().to_string(),
            cut: (before - after).normalize().to_string(),
        });
    }
}
