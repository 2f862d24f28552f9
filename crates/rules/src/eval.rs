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

use std::collections::HashMap;
use std::io::Read;

use rust_decimal::Decimal;

use super::expr::{Value, round_half_up};
use super::policy::{Award, Policy, Slots, VarKind};
use super::sources::{EventKind, Origin};

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

/// FNV-1a, for the rare recipient name longer than 15 bytes.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// Hashes a packed name: one folded multiply and the murmur3 finaliser. Recipients are codes,
/// not attacker-chosen keys; SipHash over a string on the heap was a tenth of a 1M-row run.
fn hash_key(key: u128) -> u64 {
    let m = u128::from((key as u64) ^ 0x243f_6a88_85a3_08d3) * u128::from(((key >> 64) as u64) ^ 0x1319_8a2e_0370_7344);
    let h = (m as u64) ^ ((m >> 64) as u64);
    let h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// A name of up to 15 bytes packed with its length (in the last byte) into a u128; None: longer.
fn pack(name: &str) -> Option<u128> {
    let bytes = name.as_bytes();
    if bytes.len() > 15 {
        return None;
    }
    let mut buf = [0u8; 16];
    buf[..bytes.len()].copy_from_slice(bytes);
    buf[15] = bytes.len() as u8;
    Some(u128::from_le_bytes(buf))
}

/// The first 16 bytes of a name, zero-padded, as a big-endian number: two names whose keys
/// differ are in the order of their keys; equal keys need the full comparison.
fn sort_key(name: &str) -> u128 {
    let bytes = name.as_bytes();
    let n = bytes.len().min(16);
    let mut buf = [0u8; 16];
    buf[..n].copy_from_slice(&bytes[..n]);
    u128::from_be_bytes(buf)
}

/// The last byte of the key of a name longer than 15 bytes (its first 8 bytes are then its
/// index in `Recipients::long_names`).
const LONG: u8 = 0xFF;

/// One recipient: its name (packed) and its total so far, 32 bytes: finding a recipient and
/// adding to its total touch one cache line.
#[derive(Clone, Copy, Debug)]
struct Recipient {
    key: [u8; 16],
    total: Decimal,
}

/// Recipients by name, with their totals. Open addressing over ids (a table of u32 at most half
/// full) and the names packed in the recipients themselves: a lookup reads one table slot and
/// one recipient, no string on the heap. With 250,000 recipients, a map of boxed names cost a
/// cache miss or three per row, which is what made a 1M-row run grow faster than its input.
#[derive(Debug, Default)]
struct Recipients {
    /// Slot → id + 1 (0: empty); its length is 0 or a power of two.
    table: Vec<u32>,
    list: Vec<Recipient>,
    long_names: Vec<Box<str>>,
    long_ids: FnvMap<Box<str>, u32>,
}

impl Recipients {
    fn len(&self) -> usize {
        self.list.len()
    }

    fn name(&self, id: usize) -> &str {
        let key = &self.list[id].key;
        if key[15] == LONG {
            let mut index = [0u8; 8];
            index.copy_from_slice(&key[..8]);
            &self.long_names[u64::from_le_bytes(index) as usize]
        } else {
            std::str::from_utf8(&key[..usize::from(key[15])]).expect("a whole name, packed")
        }
    }

    /// The id of `name`, added with a total of 0 when new; and whether it is new.
    fn id(&mut self, name: &str) -> (usize, bool) {
        let Some(key) = pack(name) else {
            return self.long_id(name);
        };
        if self.list.len() * 2 >= self.table.len() {
            self.grow();
        }
        let mask = self.table.len() - 1;
        let mut slot = hash_key(key) as usize & mask;
        loop {
            match self.table[slot] {
                0 => {
                    let id = self.list.len();
                    self.table[slot] = id as u32 + 1;
                    self.list.push(Recipient {
                        key: key.to_le_bytes(),
                        total: Decimal::ZERO,
                    });
                    return (id, true);
                }
                n if u128::from_le_bytes(self.list[n as usize - 1].key) == key => return (n as usize - 1, false),
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    fn long_id(&mut self, name: &str) -> (usize, bool) {
        if let Some(id) = self.long_ids.get(name) {
            return (*id as usize, false);
        }
        let id = self.list.len();
        let mut key = [0u8; 16];
        key[..8].copy_from_slice(&(self.long_names.len() as u64).to_le_bytes());
        key[15] = LONG;
        self.long_names.push(name.into());
        self.long_ids.insert(name.into(), id as u32);
        self.list.push(Recipient {
            key,
            total: Decimal::ZERO,
        });
        (id, true)
    }

    fn grow(&mut self) {
        let size = (self.table.len() * 2).max(1024);
        let mask = size - 1;
        let mut table = vec![0u32; size];
        for (id, r) in self.list.iter().enumerate() {
            if r.key[15] == LONG {
                continue;
            }
            let mut slot = hash_key(u128::from_le_bytes(r.key)) as usize & mask;
            while table[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            table[slot] = id as u32 + 1;
        }
        self.table = table;
    }
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
    award_count: usize,
    budget_used: Vec<Decimal>,
    /// Per policy: what its lines used of the policy's yearly budget.
    policy_budget_used: Vec<Decimal>,
    /// Every recipient seen, with its total.
    recipients: Recipients,
    /// Per recipient, per award: what its capped awards have used this year.
    recipient_used: Vec<Option<Box<[Decimal]>>>,
    /// Per (recipient, award) with a total cap: paid before plus this run.
    total_used: FnvMap<(u32, u32), Decimal>,
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
            award_count: count,
            budget_used: vec![Decimal::ZERO; count],
            policy_budget_used: vec![Decimal::ZERO; policy_count],
            recipients: Recipients::default(),
            recipient_used: Vec::new(),
            total_used: FnvMap::default(),
            lines: Vec::new(),
            case_date: None,
        })
    }

    fn recipient(&mut self, enterprise: &str) -> usize {
        let (id, new) = self.recipients.id(enterprise);
        if new {
            self.recipient_used.push(None);
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
            if let Some(Some(used)) = self.recipient_used.get((*id as usize).wrapping_sub(1)) {
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
            *self.total_used.entry((recipient, slot)).or_default() += amount;
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
                let buffer = &mut self.buffers[pi];
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
                buffer
            };
            for (ai, award) in policy.awards.iter().enumerate() {
                if !of.reaches(award) {
                    continue;
                }
                if let Some(when) = &award.when {
                    let ok = when(buffer).map_err(|e| EvalFailure {
                        row: row_number,
                        column: String::new(),
                        message: format!("政策 {} 奖励“{}”的条件：{}", policy.id, award.id, e.message),
                    })?;
                    if !ok.as_bool() {
                        continue;
                    }
                }
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
                let mut note = explain.as_ref().map(|_| Explanation {
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
                });
                let mut amount = (award.amount)(buffer)
                    .map_err(|e| EvalFailure {
                        row: row_number,
                        column: String::new(),
                        message: format!(
                            "政策 {} 奖励“{}”的金额：{}（{}）",
                            policy.id, award.id, e.message, award.amount_source
                        ),
                    })?
                    .as_num()
                    .max(Decimal::ZERO);
                let explaining = note.is_some();
                if let Some(n) = note.as_mut() {
                    n.computed = amount.normalize().to_string();
                }
                let mut bound = |kind: &str, limit: Decimal, before: Decimal, after: Decimal| {
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
                };
                if let Some(cap) = award.cap_per_item {
                    let capped = amount.min(cap);
                    bound("单项上限", cap, amount, capped);
                    amount = capped;
                }
                let rounded = round_half_up(amount, 2);
                if explaining && rounded != amount {
                    bound("四舍五入到分", rounded, amount, rounded);
                }
                amount = rounded;
                let slot = self.award_offsets[pi] + ai;
                if let Some(cap) = award.cap_per_recipient_year {
                    let count = self.award_count;
                    let used = self.recipient_used[recipient]
                        .get_or_insert_with(|| vec![Decimal::ZERO; count].into_boxed_slice());
                    let left = cap - used[slot];
                    let capped = amount.min(left.max(Decimal::ZERO));
                    bound("每个对象每年上限（已用后剩余）", left, amount, capped);
                    amount = capped;
                    used[slot] += amount;
                }
                if let Some(cap) = award.cap_per_recipient_total {
                    let used = self.total_used.entry((recipient as u32, slot as u32)).or_default();
                    let capped = amount.min((cap - *used).max(Decimal::ZERO));
                    bound("每个对象累计上限（历年已获后剩余）", cap - *used, amount, capped);
                    amount = capped;
                    *used += amount;
                }
                if let Some(budget) = award.budget {
                    let capped = amount.min((budget - self.budget_used[slot]).max(Decimal::ZERO));
                    bound("政策总预算（剩余）", budget - self.budget_used[slot], amount, capped);
                    amount = capped;
                    self.budget_used[slot] += amount;
                }
                if let Some(budget) = policy.budget {
                    let left = budget - self.policy_budget_used[pi];
                    let capped = amount.min(left.max(Decimal::ZERO));
                    bound("政策年度总预算（各奖励合计，剩余）", left, amount, capped);
                    amount = capped;
                    self.policy_budget_used[pi] += amount;
                }
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
                    award: slot as u32,
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
        recipients.long_ids = FnvMap::default();
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

/// Evaluates a CSV: a column `enterprise` and one column per variable (named as in the rule
/// files). Empty numeric cells are 0 (the event did not happen); negative amounts are refused.
pub fn evaluate_csv<R: Read>(
    policies: &[Policy],
    slots: &Slots,
    kinds: &HashMap<String, VarKind>,
    input: R,
    year: i32,
) -> Result<Outcome, EvalFailure> {
    let mut evaluator = Evaluator::new(policies, year).map_err(|message| EvalFailure {
        row: 0,
        column: String::new(),
        message,
    })?;
    drive(
        policies,
        slots,
        kinds,
        input,
        year,
        &mut evaluator,
        |evaluator, enterprise, values, line| evaluator.case(enterprise, values, line).map(|_| true),
    )?;
    Ok(evaluator.finish())
}

/// Explains the awards of one CSV row (2 = the first data row), after evaluating the rows
/// before it so that yearly caps per recipient and budgets stand as they would.
pub fn explain_csv_row<R: Read>(
    policies: &[Policy],
    slots: &Slots,
    kinds: &HashMap<String, VarKind>,
    input: R,
    year: i32,
    target: usize,
) -> Result<Vec<Explanation>, EvalFailure> {
    let mut evaluator = Evaluator::new(policies, year).map_err(|message| EvalFailure {
        row: 0,
        column: String::new(),
        message,
    })?;
    let mut found = None;
    drive(
        policies,
        slots,
        kinds,
        input,
        year,
        &mut evaluator,
        |evaluator, enterprise, values, line| {
            if line == target {
                found = Some(evaluator.explain(enterprise, values, line)?);
                Ok(false)
            } else {
                evaluator.case(enterprise, values, line).map(|_| true)
            }
        },
    )?;
    found.ok_or(EvalFailure {
        row: target,
        column: String::new(),
        message: "文件中没有这一行".into(),
    })
}

/// Reads the CSV and hands each row's values to `on_row` (which returns false to stop), a
/// batch of rows at a time: the evaluator looks up a batch's recipients together first (see
/// [`Evaluator::touch`]).
///
/// An empty date cell is the first day of the year; a variable bound to `period.year` that has
/// no column is the year evaluated.
fn drive<R: Read>(
    policies: &[Policy],
    slots: &Slots,
    kinds: &HashMap<String, VarKind>,
    input: R,
    year: i32,
    evaluator: &mut Evaluator<'_>,
    mut on_row: impl FnMut(&mut Evaluator<'_>, &str, &[Value], usize) -> Result<bool, EvalFailure>,
) -> Result<(), EvalFailure> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| EvalFailure {
            row: 1,
            column: String::new(),
            message: format!("无法读取表头：{e}"),
        })?
        .clone();
    let position = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
    };
    let enterprise_col = position("enterprise").ok_or_else(|| EvalFailure {
        row: 1,
        column: "enterprise".into(),
        message: "缺少 enterprise 列".into(),
    })?;
    let period_year: std::collections::HashSet<&str> = policies
        .iter()
        .flat_map(|p| p.variables.iter())
        .filter(|v| v.from.is_some_and(|f| f.origin == Origin::PeriodYear))
        .map(|v| v.name.as_str())
        .collect();
    let first_day = chrono::NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| EvalFailure {
        row: 0,
        column: String::new(),
        message: format!("年度 {year} 无效"),
    })?;
    // Column of each slot; None: the slot is the year evaluated (no column in the file).
    let mut by_slot: Vec<(Option<usize>, String, VarKind)> = Vec::new();
    let mut needed: Vec<(&String, &usize)> = slots.iter().collect();
    needed.sort_by_key(|(_, i)| **i);
    for (name, _) in &needed {
        let col = match position(name) {
            Some(col) => Some(col),
            None if period_year.contains(name.as_str()) => None,
            None => {
                return Err(EvalFailure {
                    row: 1,
                    column: (*name).clone(),
                    message: format!("缺少列 {name}（规则文件中声明的变量）"),
                });
            }
        };
        by_slot.push((col, (*name).clone(), kinds[*name]));
    }
    let mut row_values = vec![Value::Num(Decimal::ZERO); by_slot.len()];
    for (slot, (col, _, _)) in by_slot.iter().enumerate() {
        if col.is_none() {
            row_values[slot] = Value::Num(Decimal::from(year));
        }
    }
    let mut batch = vec![csv::StringRecord::new(); TOUCH_BATCH];
    let mut line = 1usize;
    loop {
        // A format error is reported after the rows before it (a row before it may be the one
        // to explain).
        let mut filled = 0;
        let mut failure = None;
        while filled < TOUCH_BATCH {
            match reader.read_record(&mut batch[filled]) {
                Ok(true) => filled += 1,
                Ok(false) => break,
                Err(e) => {
                    failure = Some(EvalFailure {
                        row: line + filled + 1,
                        column: String::new(),
                        message: format!("CSV 格式错误：{e}"),
                    });
                    break;
                }
            }
        }
        evaluator.touch(
            batch[..filled]
                .iter()
                .map(|r| r.get(enterprise_col).unwrap_or("").trim()),
        );
        for record in &batch[..filled] {
            line += 1;
            for (slot, (col, name, kind)) in by_slot.iter().enumerate() {
                let Some(col) = col else { continue };
                let raw = record.get(*col).unwrap_or("");
                row_values[slot] = if *kind == VarKind::Date && raw.trim().is_empty() {
                    Value::Date(first_day)
                } else {
                    read_cell(*kind, raw).map_err(|message| EvalFailure {
                        row: line,
                        column: name.clone(),
                        message,
                    })?
                };
            }
            let enterprise = record.get(enterprise_col).unwrap_or("").trim();
            if enterprise.is_empty() {
                return Err(EvalFailure {
                    row: line,
                    column: "enterprise".into(),
                    message: "enterprise 为空".into(),
                });
            }
            if !on_row(evaluator, enterprise, &row_values, line)? {
                return Ok(());
            }
        }
        if let Some(failure) = failure {
            return Err(failure);
        }
        if filled < TOUCH_BATCH {
            return Ok(());
        }
    }
}

/// `kind.read(raw)`, with a shortcut for the usual cell of a number column: plain digits,
/// optionally a point and more digits (at most 18 in all). The value is the same exact decimal,
/// scale included; anything else (blanks, commas, signs, errors) goes to `VarKind::read`.
fn read_cell(kind: VarKind, raw: &str) -> Result<Value, String> {
    if matches!(kind, VarKind::Money | VarKind::Number | VarKind::Count)
        && let Some(n) = plain_decimal(raw.as_bytes(), kind != VarKind::Count)
    {
        return Ok(Value::Num(n));
    }
    kind.read(raw)
}

fn plain_decimal(bytes: &[u8], fraction: bool) -> Option<Decimal> {
    if bytes.is_empty() || bytes.len() > 18 {
        return None;
    }
    let mut mantissa = 0i64;
    let mut scale: Option<u32> = None;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + i64::from(b - b'0');
                if let Some(s) = scale.as_mut() {
                    *s += 1;
                }
            }
            b'.' if fraction && scale.is_none() && i > 0 => scale = Some(0),
            _ => return None,
        }
    }
    match scale {
        Some(0) => None,
        s => Some(Decimal::new(mantissa, s.unwrap_or(0))),
    }
}

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

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn the_shortcut_for_plain_numbers_reads_what_the_general_parser_reads() {
        for raw in [
            "0",
            "0.00",
            "146.53",
            "1.50",
            "007",
            "20000000.00",
            "123456789012345678",
            "5",
        ] {
            let fast = plain_decimal(raw.as_bytes(), true).unwrap();
            let slow = Decimal::from_str(raw).unwrap();
            assert_eq!((fast, fast.scale()), (slow, slow.scale()), "{raw}");
            assert_eq!(read_cell(VarKind::Money, raw), VarKind::Money.read(raw), "{raw}");
        }
        for raw in [
            "",
            " 5",
            "1,000",
            "-5",
            ".5",
            "5.",
            "1.2.3",
            "1e3",
            "1234567890123456789",
            "1.5",
        ] {
            assert!(
                plain_decimal(raw.as_bytes(), false).is_none() || raw.is_empty(),
                "{raw}"
            );
            assert_eq!(read_cell(VarKind::Count, raw), VarKind::Count.read(raw), "{raw}");
            assert_eq!(read_cell(VarKind::Money, raw), VarKind::Money.read(raw), "{raw}");
        }
    }

    #[test]
    fn recipients_are_found_again_and_sorted_like_their_names() {
        let mut r = Recipients::default();
        let long = "91410700MA3X5C8K2Q-分公司";
        let names = [
            "E2",
            "E10",
            "",
            "A\u{0}B",
            "A",
            long,
            "é",
            "E10 ",
            "123456789012345",
            "1234567890123456",
        ];
        let ids: Vec<usize> = names.iter().map(|n| r.id(n).0).collect();
        assert_eq!(ids, (0..names.len()).collect::<Vec<_>>());
        for _ in 0..3000 {
            r.id(&format!("X{}", r.len()));
        }
        for (i, n) in names.iter().enumerate() {
            assert_eq!(r.id(n), (i, false));
            assert_eq!(r.name(i), *n);
        }
        let mut by_key: Vec<&str> = names.to_vec();
        by_key.sort_unstable_by(|a, b| sort_key(a).cmp(&sort_key(b)).then_with(|| a.cmp(b)));
        let mut by_name = names.to_vec();
        by_name.sort();
        assert_eq!(by_key, by_name);
    }
}
