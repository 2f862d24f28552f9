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
//! 7. the policy's total budget (`budget`) bounds the sum of all lines of that award in the
//!    run (one year), in input order, the same way.
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

/// FNV-1a: recipients are short codes; SipHash's DoS resistance buys nothing here.
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

#[derive(Debug, Default)]
pub struct Outcome {
    names: Vec<Box<str>>,
    awards: Vec<(String, String)>,
    raw: Vec<RawLine>,
    /// Every recipient seen in the input, sorted, with its total (0.00 when nothing is due).
    pub totals: Vec<(String, Decimal)>,
}

impl Outcome {
    /// The award lines, in input order.
    pub fn lines(&self) -> impl Iterator<Item = AwardLine<'_>> {
        self.raw.iter().map(|l| AwardLine {
            enterprise: &self.names[l.recipient as usize],
            policy: &self.awards[l.award as usize].0,
            award: &self.awards[l.award as usize].1,
            amount: l.amount,
            row: l.row as usize,
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

pub struct Evaluator<'p> {
    policies: Vec<&'p Policy>,
    buffers: Vec<Vec<Value>>,
    award_offsets: Vec<usize>,
    award_count: usize,
    budget_used: Vec<Decimal>,
    ids: FnvMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    totals: Vec<Decimal>,
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
            policies,
            award_offsets,
            award_count: count,
            budget_used: vec![Decimal::ZERO; count],
            ids: FnvMap::default(),
            names: Vec::new(),
            totals: Vec::new(),
            recipient_used: Vec::new(),
            total_used: FnvMap::default(),
            lines: Vec::new(),
            case_date: None,
        })
    }

    fn recipient(&mut self, enterprise: &str) -> usize {
        if let Some(id) = self.ids.get(enterprise) {
            return *id as usize;
        }
        let id = self.names.len();
        self.ids.insert(enterprise.into(), id as u32);
        self.names.push(enterprise.into());
        self.totals.push(Decimal::ZERO);
        self.recipient_used.push(None);
        id
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
            if let Some(date) = self.case_date
                && (date < policy.effective_from || policy.effective_to.is_some_and(|to| date > to))
            {
                continue;
            }
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
                if rounded != amount {
                    bound("四舍五入到分", rounded, amount, rounded);
                }
                amount = rounded;
                let slot = self.award_offsets[pi] + ai;
                if let Some(cap) = award.cap_per_recipient_year {
                    let count = self.award_count;
                    let used = self.recipient_used[recipient]
                        .get_or_insert_with(|| vec![Decimal::ZERO; count].into_boxed_slice());
                    let capped = amount.min((cap - used[slot]).max(Decimal::ZERO));
                    bound("每个对象每年上限（已用后剩余）", cap - used[slot], amount, capped);
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
                if let (Some(out), Some(mut n)) = (explain.as_deref_mut(), note) {
                    n.amount = format!("{amount:.2}");
                    out.push(n);
                }
                if amount.is_zero() {
                    continue;
                }
                self.totals[recipient] += amount;
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
        let mut order: Vec<usize> = (0..self.names.len()).collect();
        order.sort_by(|a, b| self.names[*a].cmp(&self.names[*b]));
        let totals = order
            .iter()
            .map(|i| (self.names[*i].to_string(), self.totals[*i]))
            .collect();
        let awards = self
            .policies
            .iter()
            .flat_map(|p| p.awards.iter().map(|a| (p.id.clone(), a.id.clone())))
            .collect();
        Outcome {
            names: self.names,
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
    drive(policies, slots, kinds, input, year, |enterprise, values, line| {
        evaluator.case(enterprise, values, line).map(|_| true)
    })?;
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
    drive(policies, slots, kinds, input, year, |enterprise, values, line| {
        if line == target {
            found = Some(evaluator.explain(enterprise, values, line)?);
            Ok(false)
        } else {
            evaluator.case(enterprise, values, line).map(|_| true)
        }
    })?;
    found.ok_or(EvalFailure {
        row: target,
        column: String::new(),
        message: "文件中没有这一行".into(),
    })
}

/// Reads the CSV and hands each row's values to `on_row` (which returns false to stop).
///
/// An empty date cell is the first day of the year; a variable bound to `period.year` that has
/// no column is the year evaluated.
fn drive<R: Read>(
    policies: &[Policy],
    slots: &Slots,
    kinds: &HashMap<String, VarKind>,
    input: R,
    year: i32,
    mut on_row: impl FnMut(&str, &[Value], usize) -> Result<bool, EvalFailure>,
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
    let mut record = csv::StringRecord::new();
    let mut line = 1usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(EvalFailure {
                    row: line + 1,
                    column: String::new(),
                    message: format!("CSV 格式错误：{e}"),
                });
            }
        }
        line += 1;
        for (slot, (col, name, kind)) in by_slot.iter().enumerate() {
            let Some(col) = col else { continue };
            let raw = record.get(*col).unwrap_or("");
            row_values[slot] = if *kind == VarKind::Date && raw.trim().is_empty() {
                Value::Date(first_day)
            } else {
                kind.read(raw).map_err(|message| EvalFailure {
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
        if !on_row(enterprise, &row_values, line)? {
            break;
        }
    }
    Ok(())
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
