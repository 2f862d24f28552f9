//! The policy side of the demo zone: the shipped policy files, the facts awards are paid on
//! for 2023 and 2024 (technology contracts, introductions, patent transfers by ten IP service
//! institutions, first-set equipment, recognitions, talents, leases in carriers and loans),
//! and 2023's award batch, computed, approved and locked.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use gaoxin_platform::audit::Writer;
use gaoxin_policies::events::EventInput;
use gaoxin_policies::status::BatchStatus;
use gaoxin_policies::store as policies;
use gaoxin_rules::sources::{CONTRACT_TYPES, EventKind, LEVELS, RECOGNITIONS, TALENT_CATEGORIES};

use super::registry::person;
use super::rng::{Rng, amount};

/// The events of one kind, each with its enterprise's id.
type Events = Vec<(i64, EventInput)>;

/// Loads the shipped policy files, then saves the events awards are paid on.
pub(super) async fn create_policies(
    writer: &mut Writer,
    zone_id: i64,
    rng: &mut Rng,
    enterprises: &[(i64, bool)],
) -> anyhow::Result<()> {
    for (file, source) in gaoxin_policies::shipped::files() {
        gaoxin_policies::rule_file::load_policy_file(writer, zone_id, &file, &source, None)
            .await
            .map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    }
    for (kind, rows) in demo_events(rng, enterprises) {
        policies::save_events(writer, zone_id, kind, &rows, policies::Registrant::OPERATOR)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}

/// 2023's awards, computed, approved and locked, so that the policy evaluation and the
/// enterprises' own award pages have history; 2024 is left for the visitor to run.
pub(super) async fn approve_2023(writer: &mut Writer, zone_id: i64, leader_id: i64) -> anyhow::Result<()> {
    let past = policies::create_batch(writer, zone_id, 2023, "2023 年度免申即享兑现", leader_id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let past = policies::move_batch(writer, &past, BatchStatus::Submitted, leader_id, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    policies::move_batch(writer, &past, BatchStatus::Approved, leader_id, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// The facts awards are paid on, for 2023 and 2024, by kind; `enterprises` are the ids with
/// whether the firm is in a carrier.
fn demo_events(rng: &mut Rng, enterprises: &[(i64, bool)]) -> Vec<(EventKind, Events)> {
    let mut by_kind: BTreeMap<EventKind, Events> = Default::default();
    for year in [2023, 2024] {
        for (i, (id, in_carrier)) in enterprises.iter().enumerate() {
            events_of(rng, &mut by_kind, year, i, *id, *in_carrier);
        }
    }
    by_kind.into_iter().collect()
}

/// A day of `year`.
fn day(rng: &mut Rng, year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32).expect("a date")
}

/// One enterprise's events of one year: the `i`-th enterprise, `id`.
fn events_of(rng: &mut Rng, by_kind: &mut BTreeMap<EventKind, Events>, year: i32, i: usize, id: i64, in_carrier: bool) {
    let mut push = |kind: EventKind, input: EventInput| by_kind.entry(kind).or_default().push((id, input));
    if rng.below(7) == 0 {
        for n in 0..1 + rng.below(3) {
            let on = day(rng, year);
            push(
                EventKind::TechnologyContract,
                EventInput {
                    occurred_on: Some(on),
                    reference: format!("{year}4107{:06}{n}", i),
                    category: Some(rng.pick(CONTRACT_TYPES).to_string()),
                    amount: Some(amount(rng, 50_000, 30_000_000)),
                    certified: Some(rng.below(8) != 0),
                    ..Default::default()
                },
            );
        }
    }
    if rng.below(40) == 0 {
        push(
            EventKind::TechnologyIntroduction,
            EventInput {
                occurred_on: Some(day(rng, year)),
                reference: format!("引进项目 {year}-{i}"),
                category: Some(rng.pick(&["北京", "上海", "深圳", "武汉", "西安"]).to_string()),
                amount: Some(amount(rng, 200_000, 20_000_000)),
                ..Default::default()
            },
        );
    }
    if i < 10 {
        push(
            EventKind::PatentTransfer,
            EventInput {
                occurred_on: Some(day(rng, year)),
                reference: format!("{year} 年度转移批次"),
                quantity: Some((1 + rng.below(30) as i64) * 100),
                ..Default::default()
            },
        );
    }
    if rng.below(60) == 0 {
        push(
            EventKind::EquipmentPurchase,
            EventInput {
                occurred_on: Some(day(rng, year)),
                reference: format!(
                    "{year} 年{}生产线",
                    rng.pick(&["数控", "智能装配", "电池极片", "精密检测"])
                ),
                amount: Some(amount(rng, 1_000_000, 50_000_000)),
                certified: Some(rng.below(3) != 0),
                ..Default::default()
            },
        );
    }
    if rng.below(12) == 0 {
        push(EventKind::Recognition, recognition(rng, year, i));
    }
    if rng.below(15) == 0 {
        for n in 0..1 + rng.below(4) {
            push(
                EventKind::Talent,
                EventInput {
                    occurred_on: Some(day(rng, year)),
                    reference: format!("{}（{year}-{n}）", person(rng)),
                    category: Some(rng.pick(TALENT_CATEGORIES).to_string()),
                    level: Some(rng.pick(LEVELS).to_string()),
                    ..Default::default()
                },
            );
        }
    }
    // A quarter of the firms in carriers lease their rooms there.
    if in_carrier
        && i.is_multiple_of(4)
        && let Some(lease) = lease(rng, year, id)
    {
        push(EventKind::Lease, lease);
    }
    if rng.below(25) == 0 {
        push(EventKind::Loan, loan(rng, year, i));
    }
}

/// A recognition of one of the first eight categories: the ladder's later ones are recognised
/// in `demo_ladder`.
fn recognition(rng: &mut Rng, year: i32, i: usize) -> EventInput {
    let category = rng.pick(&RECOGNITIONS[..8]).to_string();
    EventInput {
        occurred_on: Some(day(rng, year)),
        reference: format!("GR{year}{:05}", i),
        level: Some(if category == "高新技术企业" || category == "制造业单项冠军" {
            "国家级".to_string()
        } else {
            rng.pick(LEVELS).to_string()
        }),
        category: Some(category),
        first_time: Some(rng.below(3) != 0),
        ..Default::default()
    }
}

/// One lease per enterprise (same move-in date both years, from a generator of the
/// enterprise's own), its rent paid each year from the year it moved in.
fn lease(rng: &mut Rng, year: i32, id: i64) -> Option<EventInput> {
    let mut fixed = Rng::new(id as u64);
    let start = NaiveDate::from_ymd_opt(2020 + fixed.below(5) as i32, 1 + fixed.below(12) as u32, 1).expect("a date");
    (start.year() <= year).then(|| EventInput {
        occurred_on: Some(NaiveDate::from_ymd_opt(year, 12, 20).expect("a date")),
        started_on: Some(start),
        reference: format!("{} 室 {year} 年租金", 100 + fixed.below(900)),
        quantity: Some((100 + rng.below(2000) as i64) * 100),
        amount: Some(amount(rng, 20_000, 600_000)),
        ..Default::default()
    })
}

/// A bank loan with its interest.
fn loan(rng: &mut Rng, year: i32, i: usize) -> EventInput {
    let principal = amount(rng, 1_000_000, 30_000_000);
    EventInput {
        occurred_on: Some(day(rng, year)),
        reference: format!("JK{year}{:05}", i),
        started_on: Some(day(rng, year)),
        category: Some(
            rng.pick(&["中国银行", "工商银行", "建设银行", "新乡银行", "农商银行"])
                .to_string(),
        ),
        amount: Some(principal),
        secondary_amount: Some(principal / 100 * (3 + rng.below(3) as i64)),
        ..Default::default()
    }
}
