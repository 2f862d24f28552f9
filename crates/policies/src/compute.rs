//! Evaluating a zone's policies on its database: the cases are built from the registry, the
//! annual data and the events, each rule variable read from the source it names (`from`). Pure:
//! the store hands plain rows in; the same rows in the same order give the same lines and the
//! same input hash.
//!
//! Case order (which matters for caps applied "in input order"): enterprises by id; for each,
//! first its facts for the year (awards with no `on`), then its events of the year by date and
//! id. Only enterprises in business (`active`) are evaluated. A missing number is 0, a missing
//! text empty, a missing date the first day of the year evaluated.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use gaoxin_rules::eval::{CaseOf, EvalFailure, Evaluator, Explanation};
use gaoxin_rules::expr::Value;
use gaoxin_rules::policy::{self, Kinds, Policy, Slots};
use gaoxin_rules::sources::{AnnualRead, EnterpriseRead, EventColumn, EventKind, EventRead, Origin, Source};

/// A policy version as stored: its row id and file text.
#[derive(Clone, Debug)]
pub struct StoredVersion {
    pub id: i64,
    /// SHA-256 of `source` (part of the cache key: ids repeat across databases).
    pub version: String,
    pub file_name: String,
    pub source: String,
}

/// Policies parsed together, with the id of each one's stored version.
pub struct PolicySet {
    pub policies: Vec<Policy>,
    pub version_ids: Vec<i64>,
    pub slots: Slots,
    pub kinds: Kinds,
}

impl PolicySet {
    pub fn version_id(&self, policy: &str) -> Option<i64> {
        self.policies
            .iter()
            .position(|p| p.id == policy)
            .map(|i| self.version_ids[i])
    }

    pub fn policy(&self, id: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.id == id)
    }
}

type Cache = Mutex<HashMap<Vec<(i64, String)>, Arc<PolicySet>>>;

/// Parses stored versions (cached by version ids: a stored version never changes).
pub fn policy_set(versions: &[StoredVersion]) -> Result<Arc<PolicySet>, String> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key: Vec<(i64, String)> = versions.iter().map(|v| (v.id, v.version.clone())).collect();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(set) = cache.lock().expect("policy cache").get(&key) {
        return Ok(set.clone());
    }
    let mut slots = Slots::new();
    let mut kinds = Kinds::new();
    let mut policies = Vec::new();
    for v in versions {
        policies.push(policy::load(&v.file_name, &v.source, &mut slots, &mut kinds).map_err(|e| e.to_string())?);
    }
    let set = Arc::new(PolicySet {
        policies,
        version_ids: versions.iter().map(|v| v.id).collect(),
        slots,
        kinds,
    });
    let mut guard = cache.lock().expect("policy cache");
    if guard.len() > 64 {
        guard.clear();
    }
    guard.insert(key, set.clone());
    Ok(set)
}

/// An enterprise's facts for the year evaluated.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub enterprise_id: i64,
    pub name: String,
    pub uscc: String,
    pub industry_code: Option<String>,
    pub registered_on: Option<NaiveDate>,
    pub above_scale: Option<bool>,
    pub employees: Option<i32>,
    pub leading_industry: Option<String>,
    /// Fen / counts from `annual_data` of the year (None: no row or no value).
    pub revenue: Option<i64>,
    pub rd_expense: Option<i64>,
    pub tax: Option<i64>,
    pub value_added: Option<i64>,
    pub hitech_revenue: Option<i64>,
    pub rd_staff: Option<i32>,
    pub tech_staff: Option<i32>,
    pub invention_patents: Option<i32>,
}

/// One event, as stored.
#[derive(Clone, Debug)]
pub struct EventFacts {
    pub id: i64,
    pub enterprise_id: i64,
    pub kind: EventKind,
    pub occurred_on: NaiveDate,
    pub started_on: Option<NaiveDate>,
    pub reference: String,
    pub category: Option<String>,
    pub level: Option<String>,
    pub amount: Option<i64>,
    pub secondary_amount: Option<i64>,
    pub quantity: Option<i64>,
    pub certified: Option<bool>,
    pub first_time: Option<bool>,
}

/// An award paid before (approved batches of earlier years), for total caps.
#[derive(Clone, Debug)]
pub struct Paid {
    pub enterprise_id: i64,
    pub policy: String,
    pub award: String,
    /// Fen.
    pub amount: i64,
}

/// One computed award line.
#[derive(Clone, Debug)]
pub struct Line {
    pub enterprise_id: i64,
    pub event_id: Option<i64>,
    pub policy: String,
    pub version_id: i64,
    pub award: String,
    pub award_name: String,
    pub article: String,
    pub without_application: bool,
    /// Fen.
    pub amount: i64,
    pub explanation: Explanation,
}

pub struct Computed {
    pub lines: Vec<Line>,
    pub input_hash: String,
    pub cases: usize,
}

fn fen(v: Option<i64>) -> Value {
    Value::Num(Decimal::new(v.unwrap_or(0), 2))
}

fn count(v: Option<i32>) -> Value {
    Value::Num(Decimal::from(v.unwrap_or(0)))
}

fn text(v: &Option<String>) -> Value {
    Value::Text(v.as_deref().unwrap_or("").into())
}

fn value_of(source: &Source, facts: &Facts, event: Option<&EventFacts>, year: i32) -> Value {
    let first_day = NaiveDate::from_ymd_opt(year, 1, 1).expect("a year");
    match source.origin {
        Origin::PeriodYear => Value::Num(Decimal::from(year)),
        Origin::Annual(read) => match read {
            AnnualRead::Revenue => fen(facts.revenue),
            AnnualRead::RdExpense => fen(facts.rd_expense),
            AnnualRead::Tax => fen(facts.tax),
            AnnualRead::ValueAdded => fen(facts.value_added),
            AnnualRead::HitechRevenue => fen(facts.hitech_revenue),
            AnnualRead::RdStaff => count(facts.rd_staff),
            AnnualRead::TechStaff => count(facts.tech_staff),
            AnnualRead::InventionPatents => count(facts.invention_patents),
        },
        Origin::Enterprise(read) => match read {
            EnterpriseRead::IndustryCode => text(&facts.industry_code),
            EnterpriseRead::RegisteredOn => Value::Date(facts.registered_on.unwrap_or(first_day)),
            EnterpriseRead::AboveScale => Value::Bool(facts.above_scale.unwrap_or(false)),
            EnterpriseRead::Employees => count(facts.employees),
            EnterpriseRead::LeadingIndustry => text(&facts.leading_industry),
        },
        Origin::Event(kind, read) => {
            let Some(e) = event.filter(|e| e.kind == kind) else {
                return match source.kind.expr_type() {
                    gaoxin_rules::expr::Type::Number => Value::Num(Decimal::ZERO),
                    gaoxin_rules::expr::Type::Bool => Value::Bool(false),
                    gaoxin_rules::expr::Type::Text => Value::Text("".into()),
                    gaoxin_rules::expr::Type::Date => Value::Date(first_day),
                };
            };
            match read {
                EventRead::CertifiedAmount => {
                    if e.certified == Some(true) {
                        fen(e.amount)
                    } else {
                        Value::Num(Decimal::ZERO)
                    }
                }
                EventRead::Column(c) => match c {
                    EventColumn::Date => Value::Date(e.occurred_on),
                    EventColumn::StartDate => Value::Date(e.started_on.unwrap_or(e.occurred_on)),
                    EventColumn::Reference => Value::Text(e.reference.as_str().into()),
                    EventColumn::Category => text(&e.category),
                    EventColumn::Level => text(&e.level),
                    EventColumn::Amount => fen(e.amount),
                    EventColumn::SecondaryAmount => fen(e.secondary_amount),
                    EventColumn::Quantity => fen(e.quantity),
                    EventColumn::Certified => Value::Bool(e.certified == Some(true)),
                    EventColumn::FirstTime => Value::Bool(e.first_time == Some(true)),
                },
            }
        }
    }
}

/// The cases of a year, in evaluation order: enterprises by id, each with its events of the
/// year by date and id (its facts case comes first). Events of unknown enterprises are dropped.
fn case_order<'a>(
    year: i32,
    enterprises: &'a [Facts],
    events: &'a [EventFacts],
) -> Vec<(&'a Facts, Vec<&'a EventFacts>)> {
    let mut events_of: HashMap<i64, Vec<&EventFacts>> = HashMap::new();
    for e in events.iter().filter(|e| chrono::Datelike::year(&e.occurred_on) == year) {
        events_of.entry(e.enterprise_id).or_default().push(e);
    }
    let mut order: Vec<&Facts> = enterprises.iter().collect();
    order.sort_by_key(|f| f.enterprise_id);
    order
        .into_iter()
        .map(|f| {
            let mut list = events_of.remove(&f.enterprise_id).unwrap_or_default();
            list.sort_by_key(|e| (e.occurred_on, e.id));
            (f, list)
        })
        .collect()
}

/// The source of each input slot; refuses a policy with a variable not bound to the database.
pub fn slot_sources(set: &PolicySet) -> Result<Vec<&'static Source>, String> {
    let mut out: Vec<Option<&'static Source>> = vec![None; set.slots.len()];
    for p in &set.policies {
        for (i, v) in p.variables.iter().enumerate() {
            let Some(src) = v.from else {
                return Err(format!(
                    "政策 {}（{}）的变量“{}”没有声明数据来源 from，无法按数据库计算",
                    p.id, p.file, v.name
                ));
            };
            let slot = p.var_globals[i];
            if let Some(existing) = out[slot]
                && existing.name != src.name
            {
                return Err(format!(
                    "变量“{}”在不同政策中绑定了不同的数据来源（{} 与 {}）",
                    v.name, existing.name, src.name
                ));
            }
            out[slot] = Some(src);
        }
    }
    Ok(out
        .into_iter()
        .map(|s| s.expect("every slot belongs to a variable"))
        .collect())
}

/// Evaluates the policies for `year` on these enterprises and events (events of other years
/// and of unknown enterprises are ignored). Lines of amount 0 are left out.
pub fn compute(
    set: &PolicySet,
    year: i32,
    enterprises: &[Facts],
    events: &[EventFacts],
    paid: &[Paid],
) -> Result<Computed, String> {
    let sources = slot_sources(set)?;
    let mut evaluator = Evaluator::new(&set.policies, year)?;
    let by_id: HashMap<i64, &Facts> = enterprises.iter().map(|f| (f.enterprise_id, f)).collect();
    let mut hasher = Sha256::new();
    hasher.update(format!("year={year}\n").as_bytes());
    for p in set.policies.iter().filter(|p| p.in_force(year)) {
        hasher.update(format!("policy={} {}\n", p.id, p.version).as_bytes());
    }
    let mut paid_sorted: Vec<&Paid> = paid.iter().filter(|p| by_id.contains_key(&p.enterprise_id)).collect();
    paid_sorted.sort_by(|a, b| (a.enterprise_id, &a.policy, &a.award).cmp(&(b.enterprise_id, &b.policy, &b.award)));
    for p in paid_sorted {
        hasher.update(format!("paid={} {} {} {}\n", p.enterprise_id, p.policy, p.award, p.amount).as_bytes());
        evaluator.paid_before(
            &p.enterprise_id.to_string(),
            &p.policy,
            &p.award,
            Decimal::new(p.amount, 2),
        );
    }
    let mut row = vec![Value::Num(Decimal::ZERO); sources.len()];
    let mut lines = Vec::new();
    let mut notes = Vec::new();
    let mut cases = 0usize;
    for (facts, events) in case_order(year, enterprises, events) {
        let key = facts.enterprise_id.to_string();
        for event in std::iter::once(None).chain(events.into_iter().map(Some)) {
            for (slot, source) in sources.iter().enumerate() {
                row[slot] = value_of(source, facts, event, year);
            }
            hasher.update(match event {
                None => format!("F {}", facts.enterprise_id),
                Some(e) => format!("E {} {}", facts.enterprise_id, e.id),
            });
            for v in &row {
                hasher.update(b"\x1f");
                hasher.update(v.to_string().as_bytes());
            }
            hasher.update(b"\n");
            let of = event.map(|e| CaseOf::Event(e.kind)).unwrap_or(CaseOf::Facts);
            // An event counts only under the policies in force on its date.
            evaluator.set_case_date(event.map(|e| e.occurred_on));
            notes.clear();
            cases += 1;
            evaluator
                .case_of(of, &key, &row, cases, Some(&mut notes))
                .map_err(|f: EvalFailure| {
                    let at = match event {
                        None => format!("{} 年度数据", year),
                        Some(e) => format!("{}“{}”", e.kind.label(), e.reference),
                    };
                    format!("{}（{}）的{at}：{}", facts.name, facts.uscc, f.message)
                })?;
            for note in notes.drain(..) {
                let amount: Decimal = note.amount.parse().unwrap_or_default();
                if amount.is_zero() {
                    continue;
                }
                let policy = set.policy(&note.policy).expect("the evaluator's policy");
                let award = policy
                    .awards
                    .iter()
                    .find(|a| a.id == note.award)
                    .expect("the evaluator's award");
                let mut explanation = note;
                explanation.enterprise = format!("{}（{}）", facts.name, facts.uscc);
                lines.push(Line {
                    enterprise_id: facts.enterprise_id,
                    event_id: event.map(|e| e.id),
                    policy: policy.id.clone(),
                    version_id: set.version_id(&policy.id).expect("a version"),
                    award: award.id.clone(),
                    award_name: award.name.clone(),
                    article: award.article_id.clone(),
                    without_application: award.without_application,
                    amount: to_fen(amount),
                    explanation,
                });
            }
        }
    }
    Ok(Computed {
        lines,
        input_hash: hex::encode(hasher.finalize()),
        cases,
    })
}

/// A match of one enterprise (and one of its events, for awards paid on events).
#[derive(Clone, Debug)]
pub struct MatchLine {
    pub enterprise_id: i64,
    pub event_id: Option<i64>,
    /// "技术合同“HT-1”" for an event; empty for the year's facts.
    pub on: String,
    pub m: gaoxin_rules::matching::Match,
}

/// Which awards of the policies in force in `year` each enterprise qualifies or nearly
/// qualifies for, on its facts for the year and on each of its events of the year.
pub fn matches(
    set: &PolicySet,
    year: i32,
    enterprises: &[Facts],
    events: &[EventFacts],
) -> Result<Vec<MatchLine>, String> {
    use gaoxin_rules::matching::{local_values, standing};
    let sources = slot_sources(set)?;
    let mut row = vec![Value::Num(Decimal::ZERO); sources.len()];
    let mut out = Vec::new();
    for (facts, events) in case_order(year, enterprises, events) {
        for event in std::iter::once(None).chain(events.into_iter().map(Some)) {
            for (slot, source) in sources.iter().enumerate() {
                row[slot] = value_of(source, facts, event, year);
            }
            for p in set.policies.iter().filter(|p| p.in_force(year)) {
                if event.is_some_and(|e| !p.in_force_on(e.occurred_on)) {
                    continue;
                }
                let reached: Vec<&gaoxin_rules::policy::Award> =
                    p.awards.iter().filter(|a| a.on == event.map(|e| e.kind)).collect();
                if reached.is_empty() {
                    continue;
                }
                // A case whose steps cannot be computed (a division by zero) matches nothing.
                let Ok(buffer) = local_values(p, &row) else { continue };
                for award in reached {
                    if let Some(mut m) = standing(award, &buffer) {
                        m.policy = p.id.clone();
                        out.push(MatchLine {
                            enterprise_id: facts.enterprise_id,
                            event_id: event.map(|e| e.id),
                            on: event
                                .map(|e| format!("{}“{}”", e.kind.label(), e.reference))
                                .unwrap_or_else(|| format!("{year} 年度数据")),
                            m,
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

/// A policy's yearly budget in fen: its own `budget`, else the sum of its awards' budgets
/// (None when neither is set).
pub fn yearly_budget(p: &Policy) -> Option<i64> {
    if let Some(b) = p.budget {
        return Some(to_fen(b));
    }
    let awards: Vec<i64> = p.awards.iter().filter_map(|a| a.budget).map(to_fen).collect();
    (!awards.is_empty()).then(|| awards.iter().sum())
}

/// Yuan with at most 2 decimals → fen.
pub fn to_fen(yuan: Decimal) -> i64 {
    let mut v = yuan;
    v.rescale(2);
    i64::try_from(v.mantissa()).unwrap_or(i64::MAX)
}

/// Fen → "1,234.50".
pub fn yuan(fen: i64) -> String {
    let text = format!("{:.2}", Decimal::new(fen.abs(), 2));
    let (int, frac) = text.split_once('.').expect("two decimals");
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}{out}.{frac}", if fen < 0 { "-" } else { "" })
}

/// Fen → 万元 with 2 decimals, half-up ("12.35").
pub fn wan(fen: i64) -> String {
    format!("{:.2}", gaoxin_rules::expr::round_half_up(Decimal::new(fen, 6), 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_shown_grouped_with_two_decimals() {
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(123_456_789), "1,234,567.89");
        assert_eq!(yuan(-100_000), "-1,000.00");
        assert_eq!(wan(1_234_500_000), "1234.50");
        assert_eq!(wan(123_456), "0.12");
        assert_eq!(wan(5_000), "0.01");
        assert_eq!(to_fen(Decimal::new(12345, 2)), 12345);
        assert_eq!(to_fen(Decimal::new(5, 0)), 500);
    }
}
