//! `gaoxin bench rules`: the rules engine in process on generated seed-002 cases against the
//! same four formulas written by hand with rust_decimal (they must agree to the fen), and
//! `Evaluator::explain` per explained award.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use rust_decimal::{Decimal, RoundingStrategy};

use super::median;
use gaoxin_core::rng::Rng;
use gaoxin_rules::eval::{Evaluator, Outcome, TOUCH_BATCH};
use gaoxin_rules::expr::Value;
use gaoxin_rules::policy::{Policy, Slots, load};

/// Seed 002's policy file: the four formulas `by_hand` writes out.
const SEED002: &str = include_str!("../../../rules/xinxiang-xinkai-2020-28.toml");

/// One generated case: one event of one enterprise (the other three amounts are 0).
struct Case {
    enterprise: String,
    contract: Decimal,
    introduced: Decimal,
    patents: Decimal,
    equipment: Decimal,
}

/// Like `make_csv.py` (not the same numbers): enterprise codes drawn uniformly, one event per
/// case, amounts in whole fen spread over 10^4..10^10 fen (so caps bind), 1–12 patents.
fn generate(rows: usize, enterprises: usize, seed: u64) -> Vec<Case> {
    let mut rng = Rng::new(seed);
    let enterprises = enterprises.max(1);
    let width = (enterprises - 1).to_string().len().max(5);
    let fen = |rng: &mut Rng| {
        let digits = 4 + rng.below(6) as u32;
        Decimal::new(10i64.pow(digits) + rng.below(9 * 10usize.pow(digits)) as i64, 2)
    };
    (0..rows)
        .map(|_| {
            let mut case = Case {
                enterprise: format!("E{:0width$}", rng.below(enterprises)),
                contract: Decimal::ZERO,
                introduced: Decimal::ZERO,
                patents: Decimal::ZERO,
                equipment: Decimal::ZERO,
            };
            match rng.below(4) {
                0 => case.contract = fen(&mut rng),
                1 => case.introduced = fen(&mut rng),
                2 => case.patents = Decimal::from(1 + rng.below(12)),
                _ => case.equipment = fen(&mut rng),
            }
            case
        })
        .collect()
}

/// The awards of `by_hand`, by its award number.
const AWARDS: [&str; 4] = [
    "tech_contract",
    "tech_introduced",
    "patent_transfer",
    "first_set_equipment",
];

/// A multiplicative hash for the hand-written map (what a careful hand-written program uses
/// instead of SipHash for short codes).
#[derive(Default)]
struct Mul(u64);

impl std::hash::Hasher for Mul {
    fn finish(&self) -> u64 {
        // The murmur3 finaliser: the table uses the low bits, which a multiply alone leaves
        // depending on the low bytes only ("E0…" for every code).
        let h = (self.0 ^ (self.0 >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
}

/// Award lines (case index, award number, amount) and sorted totals per enterprise.
type ByHand = (Vec<(usize, usize, Decimal)>, Vec<(String, Decimal)>);

/// Seed 002's four awards written by hand with rust_decimal: 1% capped at 100,000 per contract;
/// 10% capped at 1,000,000 per project; 10,000 per patent with 200,000 per recipient and year;
/// 5% uncapped; each line rounded half-up to the fen; totals per enterprise.
fn by_hand(cases: &[Case]) -> ByHand {
    let fen = |d: Decimal| d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let (one_percent, ten_percent, five_percent) = (Decimal::new(1, 2), Decimal::new(10, 2), Decimal::new(5, 2));
    let (contract_cap, introduced_cap) = (Decimal::from(100_000), Decimal::from(1_000_000));
    let (per_patent, patent_cap) = (Decimal::from(10_000), Decimal::from(200_000));
    let mut ids: HashMap<&str, usize, BuildHasherDefault<Mul>> = HashMap::default();
    let mut names: Vec<&str> = Vec::new();
    // Per enterprise: total, patent awards this year.
    let mut sums: Vec<(Decimal, Decimal)> = Vec::new();
    let mut lines = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let r = *ids.entry(&c.enterprise).or_insert_with(|| {
            names.push(&c.enterprise);
            sums.push((Decimal::ZERO, Decimal::ZERO));
            names.len() - 1
        });
        let mut award = [None; 4];
        if c.contract > Decimal::ZERO {
            award[0] = Some(fen((c.contract * one_percent).min(contract_cap)));
        }
        if c.introduced > Decimal::ZERO {
            award[1] = Some(fen((c.introduced * ten_percent).min(introduced_cap)));
        }
        if c.patents > Decimal::ZERO {
            let used = &mut sums[r].1;
            let amount = fen(c.patents * per_patent).min((patent_cap - *used).max(Decimal::ZERO));
            *used += amount;
            award[2] = Some(amount);
        }
        if c.equipment > Decimal::ZERO {
            award[3] = Some(fen(c.equipment * five_percent));
        }
        for (a, amount) in award.into_iter().enumerate() {
            if let Some(amount) = amount.filter(|x| !x.is_zero()) {
                sums[r].0 += amount;
                lines.push((i, a, amount));
            }
        }
    }
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_unstable_by(|a, b| names[*a].cmp(names[*b]));
    let totals = order.iter().map(|i| (names[*i].to_string(), sums[*i].0)).collect();
    (lines, totals)
}

/// The rules engine over the cases; `look_ahead`: as `gaoxin policy eval` drives it (a batch's
/// recipients looked up together first).
fn by_engine(policies: &[Policy], cases: &[Case], rows: &[Value], look_ahead: bool) -> anyhow::Result<Outcome> {
    let width = rows.len() / cases.len().max(1);
    let mut evaluator = Evaluator::new(policies, 2023).map_err(|e| anyhow!(e))?;
    for (i, (case, row)) in cases.iter().zip(rows.chunks(width)).enumerate() {
        if look_ahead && i % TOUCH_BATCH == 0 {
            evaluator.touch(cases[i..].iter().take(TOUCH_BATCH).map(|c| c.enterprise.as_str()));
        }
        evaluator
            .case(&case.enterprise, row, i + 2)
            .map_err(|e| anyhow!("{e}"))?;
    }
    Ok(evaluator.finish())
}

pub(super) fn rules(rows: usize, enterprises: usize, seed: u64, runs: usize, explain: usize) -> anyhow::Result<()> {
    if rows == 0 || runs == 0 {
        bail!("--rows 和 --runs 至少为 1");
    }
    let mut slots = Slots::new();
    let mut kinds = HashMap::new();
    let policy = load("xinxiang-xinkai-2020-28.toml", SEED002, &mut slots, &mut kinds).map_err(|e| anyhow!("{e}"))?;
    let policies = vec![policy];
    let cases = generate(rows, enterprises, seed);
    let slot = |name: &str| {
        slots
            .get(name)
            .copied()
            .with_context(|| format!("规则文件没有变量 {name}"))
    };
    let columns = [
        slot("certified_contract_amount")?,
        slot("tech_introduced_amount")?,
        slot("invention_patents_transferred")?,
        slot("first_set_equipment_price")?,
    ];
    let width = slots.len();
    let mut values = vec![Value::Num(Decimal::ZERO); rows * width];
    for (case, row) in cases.iter().zip(values.chunks_mut(width)) {
        for (column, amount) in columns
            .iter()
            .zip([case.contract, case.introduced, case.patents, case.equipment])
        {
            row[*column] = Value::Num(amount);
        }
    }
    let enterprises = cases
        .iter()
        .map(|c| c.enterprise.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    println!("{rows} cases, {enterprises} enterprises (seed {seed}); median of {runs} runs");

    let (mut engine, mut plain, mut hand) = (Vec::new(), Vec::new(), Vec::new());
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let expected = by_hand(&cases);
        hand.push(t.elapsed());
        let t = Instant::now();
        let outcome = by_engine(&policies, &cases, &values, false)?;
        plain.push(t.elapsed());
        drop(outcome);
        let t = Instant::now();
        let outcome = by_engine(&policies, &cases, &values, true)?;
        engine.push(t.elapsed());
        last = Some((outcome, expected));
    }
    let (outcome, (lines, totals)) = last.expect("at least one run");
    // Agreement to the fen: every line and every total.
    if outcome.line_count() != lines.len() {
        bail!(
            "award lines differ: engine {}, by hand {}",
            outcome.line_count(),
            lines.len()
        );
    }
    for (got, (case, award, amount)) in outcome.lines().zip(&lines) {
        if got.row != case + 2 || got.award != AWARDS[*award] || got.amount != *amount {
            bail!(
                "case {}: engine {} {} {}, by hand {} {} {}",
                case + 1,
                got.enterprise,
                got.award,
                got.amount,
                cases[*case].enterprise,
                AWARDS[*award],
                amount
            );
        }
    }
    if outcome.totals != totals {
        bail!("totals per enterprise differ");
    }
    let (engine, plain, hand) = (median(engine), median(plain), median(hand));
    let per_case = |d: Duration| d.as_secs_f64() * 1e9 / rows as f64;
    let ratio = engine.as_secs_f64() / hand.as_secs_f64();
    println!(
        "engine (Evaluator, as policy eval drives it) {:.3} s  {:.0} ns/case",
        engine.as_secs_f64(),
        per_case(engine)
    );
    println!(
        "engine (Evaluator::case alone, no look-ahead) {:.3} s  {:.0} ns/case",
        plain.as_secs_f64(),
        per_case(plain)
    );
    println!(
        "by hand (rust_decimal, same four formulas)   {:.3} s  {:.0} ns/case",
        hand.as_secs_f64(),
        per_case(hand)
    );
    println!(
        "engine / by hand: {ratio:.2}× (no look-ahead {:.2}×; goal ≤ 3×: {})",
        plain.as_secs_f64() / hand.as_secs_f64(),
        if ratio <= 3.0 { "met" } else { "NOT met" }
    );
    println!(
        "agree to the fen: {} award lines, {} enterprise totals, 0 differences",
        lines.len(),
        totals.len()
    );

    // Explanations: a fresh evaluator, every case explained.
    let explain = explain.min(rows);
    if explain > 0 {
        let mut evaluator = Evaluator::new(&policies, 2023).map_err(|e| anyhow!(e))?;
        let mut notes = 0usize;
        let mut json_bytes = 0usize;
        let mut serialise = Duration::ZERO;
        let t = Instant::now();
        for (i, (case, row)) in cases.iter().zip(values.chunks(width)).take(explain).enumerate() {
            let explained = evaluator
                .explain(&case.enterprise, row, i + 2)
                .map_err(|e| anyhow!("{e}"))?;
            notes += explained.len();
            let s = Instant::now();
            json_bytes += serde_json::to_vec(&explained)?.len();
            serialise += s.elapsed();
        }
        let total = t.elapsed() - serialise;
        let per = |d: Duration| d.as_secs_f64() * 1e6 / notes.max(1) as f64;
        println!(
            "explain: {explain} cases, {notes} explained awards; Evaluator::explain {:.2} µs per explained award \
             (+ {:.2} µs to JSON, {} bytes each); goal < 100 µs: {}",
            per(total),
            per(serialise),
            json_bytes / notes.max(1),
            if per(total) < 100.0 { "met" } else { "NOT met" }
        );
    }
    Ok(())
}
