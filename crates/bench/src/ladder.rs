//! `gaoxin bench ladder`: every shipped criteria file on generated enterprises, in memory, with
//! no database.

use std::time::Instant;

use anyhow::{anyhow, bail};
use rust_decimal::Decimal;

use super::peak_rss_mib;
use gaoxin_core::rng::Rng;

/// Generated facts for the ladder benchmark: three years of figures with growth, a few gaps,
/// and a 高企 recognition for one firm in five.
fn ladder_facts(n: usize, seed: u64) -> Vec<gaoxin_rules::ladder::Facts> {
    use gaoxin_rules::ladder::{Facts, Held, YEAR_FIELDS, YearField as F};
    let mut rng = Rng::new(seed);
    let dec = |fen: i64| Some(Decimal::new(fen, 2));
    (0..n)
        .map(|_| {
            let mut facts = Facts {
                registered_on: chrono::NaiveDate::from_ymd_opt(
                    2000 + rng.below(24) as i32,
                    1 + rng.below(12) as u32,
                    1 + rng.below(28) as u32,
                ),
                industry_code: Some(["C3841", "C2761", "I6513", "C3421"][rng.below(4)].to_string()),
                employees: Some(10 + rng.below(800) as i64),
                ..Default::default()
            };
            let mut revenue = (5_000_000 + rng.below(200_000_000) as i64) * 100;
            let mut net = revenue / 3;
            for year in 2022..=2024 {
                revenue = revenue / 100 * (85 + rng.below(50) as i64);
                net = net / 100 * (90 + rng.below(40) as i64);
                let rd = revenue / 1000 * (10 + rng.below(70) as i64);
                let staff = 20 + rng.below(600) as i64;
                let mut f = [None; YEAR_FIELDS];
                f[F::Revenue as usize] = dec(revenue);
                f[F::RdExpense as usize] = dec(rd);
                f[F::HitechRevenue as usize] = dec(revenue / 100 * (30 + rng.below(70) as i64));
                f[F::TechStaff as usize] = Some(Decimal::from(staff / (2 + rng.below(8) as i64)));
                f[F::RdStaff as usize] = Some(Decimal::from(staff / 10));
                f[F::TotalStaff as usize] = Some(Decimal::from(staff));
                f[F::TotalAssets as usize] = dec(revenue / 10 * (8 + rng.below(12) as i64));
                f[F::NetAssets as usize] = if rng.below(10) == 0 { None } else { dec(net) };
                f[F::DomesticRdExpense as usize] = dec(rd / 100 * (70 + rng.below(31) as i64));
                f[F::TotalCost as usize] = dec(revenue / 100 * (70 + rng.below(25) as i64));
                f[F::MainRevenue as usize] = dec(revenue / 100 * (60 + rng.below(40) as i64));
                f[F::IpClass1 as usize] = Some(Decimal::from(rng.below(6)));
                f[F::IpClass2 as usize] = Some(Decimal::from(rng.below(20)));
                f[F::AchievementsTransferred as usize] = Some(Decimal::from(rng.below(4)));
                f[F::RdInstitutions as usize] = Some(Decimal::from(rng.below(3)));
                f[F::RdManagementScore as usize] = (rng.below(10) < 7).then(|| Decimal::from(6 + rng.below(14)));
                f[F::IpQualityScore as usize] = (rng.below(10) < 7).then(|| Decimal::from(6 + rng.below(16)));
                f[F::MarketShare as usize] =
                    (rng.below(10) == 0).then(|| Decimal::new(100 + rng.below(2000) as i64, 2));
                f[F::Valuation as usize] =
                    (rng.below(50) == 0).then(|| Decimal::from(10_000_000 + rng.below(900_000_000)));
                f[F::EquityFinancing as usize] =
                    (rng.below(20) == 0).then(|| Decimal::from(1_000_000 + rng.below(90_000_000)));
                facts.years.insert(year, f);
            }
            if rng.below(5) == 0 {
                facts.recognitions.push(Held {
                    category: "高新技术企业".into(),
                    level: Some("国家级".into()),
                    date: chrono::NaiveDate::from_ymd_opt(2022, 11, 1).expect("a date"),
                    reference: "GR".into(),
                });
            }
            facts
        })
        .collect()
}

pub(super) fn ladder(enterprises: usize, seed: u64, runs: usize) -> anyhow::Result<()> {
    use gaoxin_rules::ladder::{self, Status};
    if enterprises == 0 || runs == 0 {
        bail!("--enterprises 和 --runs 至少为 1");
    }
    let criteria: Vec<ladder::Criteria> = gaoxin_ladder::shipped::files()
        .iter()
        .map(|(f, t)| ladder::load(f, t))
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow!("{e}"))?;
    let validities = ladder::validities(&criteria);
    let started = Instant::now();
    let facts = ladder_facts(enterprises, seed);
    let generated = started.elapsed();
    let (year, as_of) = (2024, ladder::default_as_of(2024));
    let mut times = Vec::new();
    let mut tally = [0usize; 3];
    for _ in 0..runs {
        tally = [0; 3];
        let t = Instant::now();
        let statuses = ladder::parallel_map(&facts, |f| {
            criteria
                .iter()
                .map(|c| c.evaluate(f, year, as_of, &validities, ladder::DEFAULT_MARGIN).status)
                .collect::<Vec<Status>>()
        });
        times.push(t.elapsed());
        for s in statuses.iter().flatten() {
            tally[match s {
                Status::Qualifies => 0,
                Status::Unknown => 1,
                Status::Fails => 2,
            }] += 1;
        }
    }
    times.sort();
    let median = times[times.len() / 2];
    let results = enterprises * criteria.len();
    println!(
        "{enterprises} enterprises × {} criteria = {results} results: median {:.3} s over {runs} runs ({:.2} µs per result); generating the facts took {:.2} s",
        criteria.len(),
        median.as_secs_f64(),
        median.as_secs_f64() * 1e6 / results as f64,
        generated.as_secs_f64()
    );
    println!(
        "qualifies {}, unknown {}, fails {}; peak memory {} MiB",
        tally[0],
        tally[1],
        tally[2],
        peak_rss_mib()
    );
    Ok(())
}
