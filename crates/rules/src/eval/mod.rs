//! Evaluating policies over cases: one case is one row of input (one enterprise's facts for the
//! period, or one event of it). For each award of each policy in force:
//!
//! 1. its condition (`when`) must hold;
//! 2. the amount formula gives the line's amount (a negative result counts as 0);
//! 3. the per-item cap (`cap_per_item`) bounds the line;
//! 4. the line is rounded to the fen, half-up;
//! 5. the per-recipient-per-year cap (`cap_per_recipient_year`) bounds the sum of the recipient's
//!    lines of that award, in input order: a line is cut to what is left;
//! 6. the per-recipient total cap (`cap_per_recipient_total`) bounds what the recipient received
//!    from that award over all years: what earlier approved batches paid (`paid_before`) plus
//!    this run's lines, the same way;
//! 7. the award's budget (`budget` on the award) bounds the sum of all lines of that award in the
//!    run (one year), in input order, the same way;
//! 8. the policy's yearly budget (`budget` at the top of the file) bounds the sum of the lines
//!    of all its awards in the run, in input order, the same way.
//!
//! A case reaches every award (`CaseOf::Any`, the CSV contract), or only the awards paid on its
//! kind of event (`CaseOf::Event`), or only those paid once per recipient and year on its facts
//! (`CaseOf::Facts`) — how the database is evaluated.
//!
//! Totals are per recipient, over all awards of all policies.
//!
//! The evaluator is here; the recipients and their totals are in `recipients`, the caps in
//! `caps`, the explanations in `explain`, reading a CSV in `input` and the tests written in
//! policy files in `self_test`.

use rust_decimal::Decimal;

use super::expr::Value;
use super::policy::{Award, Policy};
use super::sources::EventKind;

mod caps;
mod explain;
mod input;
pub mod output;
mod recipients;
mod self_test;

use caps::{Ledger, LineAt};
pub use explain::{CapNote, Explanation, Named};
pub use input::{evaluate_csv, explain_csv_row};
use recipients::{Recipients, hash_key, pack, sort_key};
pub use self_test::{TestResult, run_tests};

/// Which awards a case reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseOf {
    /// Every award (one CSV row).
    Any,
    /// The awards paid once per recipient and year (no `on`).
    Facts,
    /// The awards paid on this kind of event.
    Event(EventKind),
}

impl CaseOf {
    fn reaches(self, award: &Award) -> bool {
        match self {
            CaseOf::Any => true,
            CaseOf::Facts => award.on.is_none(),
            CaseOf::Event(k) => award.on == Some(k),
        }
    }
}

/// One award line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardLine<'a> {
    pub enterprise: &'a str,
    pub policy: &'a str,
    pub award: &'a str,
    pub amount: Decimal,
    /// The input row (2 = the first data row of a CSV with a header).
    pub row: usize,
}

#[derive(Clone, Copy, Debug)]
struct RawLine {
    recipient: u32,
    award: u32,
    row: u32,
    amount: Decimal,
}

#[derive(Debug, Default)]
pub struct Outcome {
    recipients: Recipients,
    awards: Vec<(String, String)>,
    raw: Vec<RawLine>,
    /// Every recipient seen in the input, sorted, with its total (0.00 when nothing is due).
    pub totals: Vec<(String, Decimal)>,
}

impl Outcome {
    /// The award lines, in input order.
    pub fn lines(&self) -> impl Iterator<Item = AwardLine<'_>> {
        self.raw.iter().map(|l| AwardLine {
            enterprise: self.recipients.name(l.recipient as usize),
            policy: &self.awards[l.award as usize].0,
            award: &self.awards[l.award as usize].1,
            amount: l.amount,
            row: l.row as usize,
        })
    }

    /// (policy id, award id) of every award, by the index [`Outcome::line_parts`] gives.
    pub fn award_ids(&self) -> &[(String, String)] {
        &self.awards
    }

    /// The award lines as (enterprise, award index, amount), in input order: for writers that
    /// prepare each award's text once.
    pub fn line_parts(&self) -> impl Iterator<Item = (&str, usize, Decimal)> {
        // A batch's recipients are read together first, so that their cache misses overlap.
        self.raw.chunks(TOUCH_BATCH).flat_map(move |batch| {
            let mut sum = 0u8;
            for l in batch {
                sum ^= self.recipients.list[l.recipient as usize].key[0];
            }
            std::hint::black_box(sum);
            batch
                .iter()
                .map(move |l| (self.recipients.name(l.recipient as usize), l.award as usize, l.amount))
        })
    }

    pub fn line_count(&self) -> usize {
        self.raw.len()
    }
}

/// A problem in the input or while evaluating, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalFailure {
    pub row: usize,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for EvalFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column.is_empty() {
            write!(f, "第 {} 行：{}", self.row, self.message)
        } else {
            write!(f, "第 {} 行 {} 列：{}", self.row, self.column, self.message)
        }
    }
}

/// How many cases [`Evaluator::touch`] looks ahead at.
pub const TOUCH_BATCH: usize = 32;

pub struct Evaluator<'p> {
    policies: Vec<&'p Policy>,
    buffers: Vec<Vec<Value>>,
    /// Per policy: whether its expressions can read the input row itself (see `run`).
    direct: Vec<bool>,
    award_offsets: Vec<usize>,
    /// Every recipient seen, with its total.
    recipients: Recipients,
    /// What the lines so far have used of every cap.
    ledger: Ledger,
    lines: Vec<RawLine>,
    /// The date of the event being evaluated: a policy not in force that day does not apply.
    case_date: Option<chrono::NaiveDate>,
}

impl<'p> Evaluator<'p> {
    /// An evaluator for the policies in force in `year`.
    pub fn new(all: &'p [Policy], year: i32) -> Result<Evaluator<'p>, String> {
        let policies: Vec<&Policy> = all.iter().filter(|p| p.in_force(year)).collect();
        let policy_count = policies.len();
        if policies.is_empty() {
            return Err(format!("没有在 {year} 年有效的政策"));
        }
        let mut award_offsets = Vec::new();
        let mut count = 0;
        for p in &policies {
            award_offsets.push(count);
            count += p.awards.len();
        }
        Ok(Evaluator {
            buffers: policies
                .iter()
                .map(|p| vec![Value::Num(Decimal::ZERO); p.variables.len() + p.steps.len()])
                .collect(),
            direct: policies
                .iter()
                .map(|p| p.steps.is_empty() && p.var_globals.iter().enumerate().all(|(i, g)| i == *g))
                .collect(),
            policies,
            award_offsets,
            recipients: Recipients::default(),
            ledger: Ledger::new(count, policy_count),
            lines: Vec::new(),
            case_date: None,
        })
    }

    fn recipient(&mut self, enterprise: &str) -> usize {
        let (id, new) = self.recipients.id(enterprise);
        if new {
            self.ledger.recipient_used.push(None);
        }
        id
    }

    /// Looks up where the recipients of the coming cases are (at most [`TOUCH_BATCH`]), all
    /// together, and reads them, so that their cache misses overlap instead of each stalling its
    /// own case: with 250,000 recipients that was a third of a 1M-row run. Only a hint: nothing
    /// is added or changed.
    pub fn touch<'n>(&self, names: impl Iterator<Item = &'n str>) {
        let r = &self.recipients;
        if r.table.is_empty() {
            return;
        }
        let mask = r.table.len() - 1;
        let mut ids = [0u32; TOUCH_BATCH];
        let mut n = 0;
        for name in names.take(TOUCH_BATCH) {
            if let Some(key) = pack(name) {
                ids[n] = r.table[hash_key(key) as usize & mask];
                n += 1;
            }
        }
        let mut sum = 0u8;
        for id in &ids[..n] {
            if let Some(found) = r.list.get((*id as usize).wrapping_sub(1)) {
                sum ^= found.key[0];
            }
        }
        for id in &ids[..n] {
            if let Some(Some(used)) = self.ledger.recipient_used.get((*id as usize).wrapping_sub(1)) {
                sum ^= used.first().map_or(0, |d| d.scale() as u8);
            }
        }
        std::hint::black_box(sum);
    }

    /// Records what earlier (approved) runs paid the recipient under an award with a total cap.
    pub fn paid_before(&mut self, enterprise: &str, policy: &str, award: &str, amount: Decimal) {
        let recipient = self.recipient(enterprise) as u32;
        let mut slot = None;
        for (pi, p) in self.policies.iter().enumerate() {
            if p.id == policy
                && let Some(ai) = p.awards.iter().position(|a| a.id == award)
            {
                slot = Some((self.award_offsets[pi] + ai) as u32);
            }
        }
        if let Some(slot) = slot {
            *self.ledger.total_used.entry((recipient, slot)).or_default() += amount;
        }
    }

    /// Sets the date of the next cases (an event's date; None: the whole year).
    pub fn set_case_date(&mut self, date: Option<chrono::NaiveDate>) {
        self.case_date = date;
    }

    /// Evaluates one case; `row` holds the values of the shared input variables.
    pub fn case(&mut self, enterprise: &str, row: &[Value], row_number: usize) -> Result<(), EvalFailure> {
        self.run(CaseOf::Any, enterprise, row, row_number, None)
    }

    /// Evaluates one case of the given kind, explaining every award it reaches when asked.
    pub fn case_of(
        &mut self,
        of: CaseOf,
        enterprise: &str,
        row: &[Value],
        row_number: usize,
        explain: Option<&mut Vec<Explanation>>,
    ) -> Result<(), EvalFailure> {
        self.run(of, enterprise, row, row_number, explain)
    }

    /// Evaluates one case and explains every award it reaches (its condition held).
    pub fn explain(
        &mut self,
        enterprise: &str,
        row: &[Value],
        row_number: usize,
    ) -> Result<Vec<Explanation>, EvalFailure> {
        let mut out = Vec::new();
        self.run(CaseOf::Any, enterprise, row, row_number, Some(&mut out))?;
        Ok(out)
    }

    fn run(
        &mut self,
        of: CaseOf,
        enterprise: &str,
        row: &[Value],
        row_number: usize,
        mut explain: Option<&mut Vec<Explanation>>,
    ) -> Result<(), EvalFailure> {
        let recipient = self.recipient(enterprise);
        for (pi, policy) in self.policies.iter().enumerate() {
            if of != CaseOf::Any && !policy.awards.iter().any(|a| of.reaches(a)) {
                continue;
            }
            if self.case_date.is_some_and(|date| !policy.in_force_on(date)) {
                continue;
            }
            // The values the policy's expressions read, by local slot: the input row itself
            // when the policy's variables are its first slots in order and it has no steps.
            let buffer: &[Value] = if self.direct[pi] {
                row
            } else {
                fill_slots(policy, &mut self.buffers[pi], row, row_number)?;
                &self.buffers[pi]
            };
            for (ai, award) in policy.awards.iter().enumerate() {
                if !of.reaches(award) || !condition_holds(policy, award, buffer, row_number)? {
                    continue;
                }
                let mut note = explain
                    .as_ref()
                    .map(|_| explain::explanation(policy, award, enterprise, row_number, buffer));
                let at = LineAt {
                    policy: pi,
                    award: self.award_offsets[pi] + ai,
                    recipient,
                };
                let computed = formula_amount(policy, award, buffer, row_number)?;
                let amount = self.ledger.bound(award, policy.budget, at, computed, &mut note);
                if let (Some(out), Some(mut n)) = (explain.as_deref_mut(), note) {
                    n.amount = format!("{amount:.2}");
                    out.push(n);
                }
                if amount.is_zero() {
                    continue;
                }
                self.recipients.list[recipient].total += amount;
                self.lines.push(RawLine {
                    recipient: recipient as u32,
                    award: at.award as u32,
                    row: row_number as u32,
                    amount,
                });
            }
        }
        Ok(())
    }

    pub fn finish(self) -> Outcome {
        let mut recipients = self.recipients;
        recipients.table = Vec::new();
        recipients.long_ids = Default::default();
        // Sorted by a key held in the vector: comparing the names themselves in a run of
        // 250,000 recipients cost a cache miss per comparison.
        let mut order: Vec<(u128, u32)> = (0..recipients.len())
            .map(|i| (sort_key(recipients.name(i)), i as u32))
            .collect();
        order.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| recipients.name(a.1 as usize).cmp(recipients.name(b.1 as usize)))
        });
        let totals = order
            .iter()
            .map(|(_, i)| {
                let i = *i as usize;
                (recipients.name(i).to_string(), recipients.list[i].total)
            })
            .collect();
        let awards = self
            .policies
            .iter()
            .flat_map(|p| p.awards.iter().map(|a| (p.id.clone(), a.id.clone())))
            .collect();
        Outcome {
            recipients,
            awards,
            raw: self.lines,
            totals,
        }
    }
}

/// Fills a policy's own buffer: its variables from the shared input row, then its steps in
/// order (a step may read the variables and the steps before it).
#[inline]
fn fill_slots(policy: &Policy, buffer: &mut [Value], row: &[Value], row_number: usize) -> Result<(), EvalFailure> {
    for (i, global) in policy.var_globals.iter().enumerate() {
        buffer[i] = row[*global].clone();
    }
    let base = policy.variables.len();
    for (k, step) in policy.steps.iter().enumerate() {
        let v = (step.compiled)(buffer).map_err(|e| EvalFailure {
            row: row_number,
            column: String::new(),
            message: format!(
                "政策 {} 步骤“{}”：{}（{}）",
                policy.id, step.name, e.message, step.source
            ),
        })?;
        buffer[base + k] = v;
    }
    Ok(())
}

/// Whether an award's condition holds for the case (an award without one always applies).
#[inline]
fn condition_holds(policy: &Policy, award: &Award, buffer: &[Value], row_number: usize) -> Result<bool, EvalFailure> {
    let Some(when) = &award.when else {
        return Ok(true);
    };
    let ok = when(buffer).map_err(|e| EvalFailure {
        row: row_number,
        column: String::new(),
        message: format!("政策 {} 奖励“{}”的条件：{}", policy.id, award.id, e.message),
    })?;
    Ok(ok.as_bool())
}

/// What an award's formula gives for the case, before caps and rounding; a negative result
/// counts as 0.
#[inline]
fn formula_amount(policy: &Policy, award: &Award, buffer: &[Value], row_number: usize) -> Result<Decimal, EvalFailure> {
    Ok((award.amount)(buffer)
        .map_err(|e| EvalFailure {
            row: row_number,
            column: String::new(),
            message: format!(
                "政策 {} 奖励“{}”的金额：{}（{}）",
                policy.id, award.id, e.message, award.amount_source
            ),
        })?
        .as_num()
        .max(Decimal::ZERO))
}

#[cfg(test)]
mod tests;
