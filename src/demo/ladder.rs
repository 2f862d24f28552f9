//! The cultivation ladder of the demo zone: innovation data for 2022–2024 (with gaps, as real
//! returns have), recognitions held by the firms tagged 高企 / 专精特新 / 瞪羚, the shipped
//! criteria, targets, and the 2023 and 2024 evaluations. A generator of its own, so that the
//! data generated before it stays as it was for a given seed.

use std::collections::HashMap;

use gaoxin_enterprises::innovation_entity as innovation;
use gaoxin_enterprises::{annual_entity as annual, domain as enterprise_domain, entity as enterprise};
use gaoxin_ladder::{shipped, store as ladder};
use gaoxin_platform::audit::Writer;
use gaoxin_policies::events::EventInput;
use gaoxin_policies::store as policies;
use gaoxin_rules::sources::EventKind;
use sea_orm::ActiveValue::Set;

use super::rng::{Rng, amount};

/// The ladder of the demo zone, in this order: innovation data, recognitions held, criteria,
/// targets, evaluations.
pub(super) async fn demo_ladder(
    writer: &mut Writer,
    zone_id: i64,
    seed: u64,
    enterprises: &[enterprise::Model],
    annual_rows: &[annual::Model],
) -> anyhow::Result<()> {
    let mut rng = Rng::new(seed ^ 0x1add_e700);
    let rows = innovation_rows(&mut rng, enterprises, annual_rows);
    writer.insert_many_in_zone(rows).await?;
    let recognitions = recognitions_held(&mut rng, enterprises);
    policies::save_events(
        writer,
        zone_id,
        EventKind::Recognition,
        &recognitions,
        policies::Registrant::OPERATOR,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    criteria_targets_and_runs(writer, zone_id).await
}

/// Innovation data of the active enterprises for 2022–2024, following their annual data.
fn innovation_rows(
    rng: &mut Rng,
    enterprises: &[enterprise::Model],
    annual_rows: &[annual::Model],
) -> Vec<innovation::ActiveModel> {
    let by_enterprise: HashMap<(i64, i32), &annual::Model> =
        annual_rows.iter().map(|a| ((a.enterprise_id, a.year), a)).collect();
    let mut rows = Vec::new();
    for e in enterprises
        .iter()
        .filter(|e| e.status == gaoxin_enterprises::status::Status::Active.code())
    {
        let strong = rng.below(100) < 35;
        let mut net = 0i64;
        let mut total_staff = e.employees.unwrap_or(20).max(5);
        let startup = rng.below(100) < 3;
        for year in 2022..=2024 {
            let Some(a) = by_enterprise.get(&(e.id, year)) else {
                continue;
            };
            let revenue = a.revenue.unwrap_or(0);
            let rd = a.rd_expense.unwrap_or(0);
            let assets = revenue / 10 * (8 + rng.below(12) as i64);
            net = if net == 0 {
                assets / 100 * (30 + rng.below(40) as i64)
            } else {
                net / 100 * (95 + rng.below(40) as i64)
            };
            total_staff = (total_staff / 10 * (9 + rng.below(4) as i32)).max(5);
            // About one row in eight misses a figure or two, as real returns do.
            let gap = rng.below(8) == 0;
            rows.push(innovation::ActiveModel {
                enterprise_id: Set(e.id),
                year: Set(year),
                total_staff: Set(Some(total_staff.max(a.tech_staff.unwrap_or(0)))),
                total_assets: Set(Some(assets)),
                net_assets: Set(if gap { None } else { Some(net.min(assets)) }),
                domestic_rd_expense: Set(if gap && rng.below(2) == 0 {
                    None
                } else {
                    Some(rd / 100 * (80 + rng.below(21) as i64))
                }),
                total_cost: Set(Some(revenue / 100 * (70 + rng.below(26) as i64))),
                main_revenue: Set(Some(revenue / 100 * (60 + rng.below(39) as i64))),
                ip_class1: Set(a.invention_patents.map(|n| if strong { n } else { n / 4 })),
                ip_class2: Set(Some(rng.below(if strong { 25 } else { 6 }) as i32)),
                achievements_transferred: Set(Some(rng.below(if strong { 5 } else { 2 }) as i32)),
                equity_financing: Set(if startup || rng.below(40) == 0 {
                    Some(amount(rng, 5_000_000, 300_000_000))
                } else {
                    None
                }),
                valuation_usd: Set(if startup {
                    Some(amount(rng, 20_000_000, 2_000_000_000))
                } else {
                    None
                }),
                market_share: Set(if rng.below(12) == 0 {
                    Some((100 + rng.below(2500)) as i64)
                } else {
                    None
                }),
                rd_institutions: Set(Some(i32::from(strong) + rng.below(2) as i32)),
                rd_management_score: Set(if rng.below(10) < 7 {
                    Some(if strong { 12 + rng.below(9) } else { 6 + rng.below(8) } as i32)
                } else {
                    None
                }),
                ip_quality_score: Set(if rng.below(10) < 7 {
                    Some(if strong { 14 + rng.below(9) } else { 6 + rng.below(10) } as i32)
                } else {
                    None
                }),
                ..Default::default()
            });
        }
    }
    rows
}

/// Recognitions held: the tags of the registry, with certificates dated so that some are
/// valid, some about to expire and some expired.
fn recognitions_held(rng: &mut Rng, enterprises: &[enterprise::Model]) -> Vec<(i64, EventInput)> {
    let mut recognitions = Vec::new();
    for (i, e) in enterprises.iter().enumerate() {
        let tags = enterprise_domain::tags_from_column(e.tags.as_deref());
        let mut hold = |category: &str, prefix: &str, years: &[i32], level: &str, rng: &mut Rng| {
            let year = *rng.pick(years);
            recognitions.push((
                e.id,
                EventInput {
                    occurred_on: chrono::NaiveDate::from_ymd_opt(
                        year,
                        10 + rng.below(3) as u32,
                        1 + rng.below(28) as u32,
                    ),
                    reference: format!("{prefix}{year}{:05}", i),
                    category: Some(category.to_string()),
                    level: Some(level.to_string()),
                    first_time: Some(rng.below(2) == 0),
                    ..Default::default()
                },
            ));
        };
        if tags.iter().any(|t| t == "高企") {
            hold("高新技术企业", "GR", &[2020, 2021, 2022, 2023, 2024], "国家级", rng);
        }
        if tags.iter().any(|t| t == "专精特新") {
            hold("专精特新中小企业", "ZJTX", &[2022, 2023, 2024], "省级", rng);
        }
        if tags.iter().any(|t| t == "瞪羚") {
            hold("瞪羚企业", "DL", &[2023, 2024], "市级", rng);
        }
        if rng.below(100) < 20 {
            hold("科技型中小企业", "KX", &[2023, 2024], "国家级", rng);
        }
    }
    recognitions
}

/// The shipped criteria, the targets, and the 2023 and 2024 evaluations.
async fn criteria_targets_and_runs(writer: &mut Writer, zone_id: i64) -> anyhow::Result<()> {
    for (file, source) in shipped::files() {
        gaoxin_ladder::rule_file::load_criteria_file(writer, zone_id, &file, &source, None)
            .await
            .map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    }
    for (tier, year, count) in [
        ("high_tech", 2023, 420),
        ("high_tech", 2024, 480),
        ("tech_sme", 2024, 600),
        ("gazelle", 2024, 150),
    ] {
        ladder::set_target(writer, zone_id, tier, year, count, Some("演示目标".into()))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    for year in [2023, 2024] {
        ladder::evaluate_zone(
            writer,
            zone_id,
            year,
            gaoxin_rules::ladder::default_as_of(year),
            gaoxin_rules::ladder::DEFAULT_MARGIN,
            None,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}
