//! Creating the drawn projects: each at 在谈 with its code, figures and planned dates, moved
//! stage by stage with the evidence the rulebook asks for, and its monthly investment, sales
//! and tax since it started.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use gaoxin_platform::audit::Writer;
use gaoxin_projects::{domain as book, store as projects};

use super::specs::Spec;
use super::{Ctx, Made, err, month_of, next_month};
use crate::demo::rng::Rng;

/// A month's figures in fen: the month, investment, sales and tax.
type Month = (NaiveDate, Option<i64>, Option<i64>, Option<i64>);

/// What a project invests and earns: its fixed investment, its monthly capacity (sales at
/// full production), and the months it reported since it started.
struct Figures {
    fixed: i64,
    capacity: i64,
    months: Vec<Month>,
}

/// Its plan: this year's planned investment, the planned start and production dates.
struct Planned {
    investment: Option<i64>,
    start: Option<NaiveDate>,
    production: Option<NaiveDate>,
}

/// Creates the projects in the order they started, each year's numbered from 1.
pub(super) async fn create_projects(
    writer: &mut Writer,
    ctx: &Ctx<'_>,
    rng: &mut Rng,
    specs: &[Spec],
) -> anyhow::Result<Vec<Made>> {
    let mut per_year: HashMap<i32, usize> = Default::default();
    let mut contract_seq: HashMap<i32, usize> = Default::default();
    let mut made: Vec<Made> = Vec::new();
    for s in specs {
        let created = s.dates[0];
        let seq = per_year.entry(created.year()).or_default();
        *seq += 1;
        let code = format!("XM{}-{:04}", created.year(), seq);
        made.push(create_project(writer, ctx, rng, s, &code, &mut contract_seq).await?);
    }
    Ok(made)
}

/// One project: created, moved through its stages, its months saved. `contract_seq` numbers
/// the investment contracts of each year.
async fn create_project(
    writer: &mut Writer,
    ctx: &Ctx<'_>,
    rng: &mut Rng,
    s: &Spec,
    code: &str,
    contract_seq: &mut HashMap<i32, usize>,
) -> anyhow::Result<Made> {
    let (admin, rules, today) = (ctx.admin, &ctx.rules, ctx.today);
    let created = s.dates[0];
    let figures = figures(rng, s, today);
    let planned = planned(rng, s, &figures, today);
    let new = new_project(rng, s, code, &figures, &planned);
    let p = projects::create(writer, admin, &new, today)
        .await
        .map_err(|e| anyhow::anyhow!("{code} {}: {e}", s.name))?;
    for (i, on) in s.dates.iter().enumerate().skip(1) {
        let evidence = evidence(rng, s, i, *on, contract_seq);
        projects::move_stage(
            writer,
            admin,
            p.id,
            &projects::Move {
                to: rules.stages[i].key.clone(),
                on_date: *on,
                evidence,
                note: String::new(),
            },
            today,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{code} → {}: {e}", rules.stages[i].name))?;
    }
    for (m, inv, sales, tax) in figures.months {
        projects::save_month_unchecked(
            writer,
            admin,
            p.id,
            &projects::MonthFigures {
                month: book::month_key(m),
                investment: inv.map(book::wan).unwrap_or_default(),
                sales: sales.map(book::wan).unwrap_or_default(),
                tax: tax.map(book::wan).unwrap_or_default(),
                ..Default::default()
            },
            today,
        )
        .await
        .map_err(err)?;
    }
    let stalled = rules
        .stalled(&rules.stages[s.stage].key, *s.dates.last().unwrap_or(&created), today)
        .is_some();
    Ok((p.id, created, s.stage, stalled))
}

/// Monthly figures from the month the project started: investment while it builds, sales and
/// tax once it produces (ramping up to capacity).
fn figures(rng: &mut Rng, s: &Spec, today: NaiveDate) -> Figures {
    let this_month = month_of(today);
    let fixed = s.total / 100 * (70 + rng.below(20) as i64) / 100_000_000 * 100_000_000;
    let started = s.dates.get(3).copied();
    let producing = s.dates.get(5).copied();
    let full = s.dates.get(6).copied();
    let build_months = 10 + rng.below(12) as i64;
    let capacity = s.total / 100 * (80 + rng.below(120) as i64) / 12;
    let tax_rate = match &s.contract {
        // 标准地: the tax per 亩 the contract asks for, one project short of it.
        Some((id, _, _, Some(per_mu))) => {
            let mu_tax = per_mu * s.land_area.unwrap_or(0) / 10_000 * 100 / 12;
            let share = if id % 2 == 0 { 130 } else { 75 };
            Some(mu_tax * share / 100)
        }
        _ => None,
    };
    let mut months = Vec::new();
    if let Some(start) = started {
        let mut m = month_of(start);
        let mut spent = 0;
        let mut since_production = 0;
        while m < this_month {
            let inv = if spent < fixed * 95 / 100 {
                let base = fixed / build_months * (60 + rng.below(80) as i64) / 100;
                let base = if producing.is_some_and(|p| m >= month_of(p)) {
                    base / 3
                } else {
                    base
                };
                spent += base;
                Some(base)
            } else {
                None
            };
            let (sales, tax) = match producing {
                Some(p) if m >= month_of(p) => {
                    since_production += 1;
                    let ramp = if full.is_some_and(|f| m >= month_of(f)) {
                        95 + rng.below(15) as i64
                    } else {
                        (30 + since_production * 6).min(90) + rng.below(10) as i64
                    };
                    let sales = capacity / 100 * ramp;
                    let tax = tax_rate
                        .map(|t| t / 100 * ramp)
                        .unwrap_or(sales / 100 * (4 + rng.below(4) as i64));
                    (Some(sales), Some(tax))
                }
                _ => (None, None),
            };
            if inv.is_some() || sales.is_some() {
                // Reported to 0.1 万元.
                let round = |v: Option<i64>| v.map(|v| v / 100_000 * 100_000);
                months.push((m, round(inv), round(sales), round(tax)));
            }
            m = next_month(m);
        }
    }
    Figures {
        fixed,
        capacity,
        months,
    }
}

/// This year's planned investment and the planned dates.
fn planned(rng: &mut Rng, s: &Spec, figures: &Figures, today: NaiveDate) -> Planned {
    let started = s.dates.get(3).copied();
    let producing = s.dates.get(5).copied();
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    // This year's planned investment: the pace so far over the whole year, some set too
    // high so that the project falls behind 序时进度.
    let done: Vec<i64> = figures
        .months
        .iter()
        .filter(|(m, ..)| *m >= year_start)
        .filter_map(|(_, i, ..)| *i)
        .collect();
    let planned_investment = (!done.is_empty() && (3..=5).contains(&s.stage)).then(|| {
        let first = started.map(|d| month_of(d).max(year_start)).unwrap_or(year_start);
        let months_in_year = 13 - first.month() as i64;
        done.iter().sum::<i64>() / done.len() as i64 * months_in_year / 100 * (78 + rng.below(28) as i64) / 1_000_000
            * 1_000_000
    });
    // Planned dates: mostly ahead, a few already missed (the bulletin lists them).
    let missed = rng.below(100) < 12;
    let ahead = |rng: &mut Rng, from: NaiveDate, lo: i64, hi: i64| {
        if missed {
            today - Duration::days(5 + rng.below(60) as i64)
        } else {
            (from + Duration::days(lo + rng.below((hi - lo) as usize) as i64))
                .max(today + Duration::days(20 + rng.below(60) as i64))
        }
    };
    let planned_start = match s.stage {
        0 => None,
        1 | 2 => Some(ahead(rng, s.dates[s.stage], 90, 240)),
        _ => started.map(|d| d - Duration::days(rng.below(40) as i64)),
    };
    let planned_production = match s.stage {
        0 => None,
        1 | 2 => planned_start.map(|d| d.max(today) + Duration::days(365 + rng.below(180) as i64)),
        3 | 4 => Some(ahead(rng, s.dates[s.stage], 200, 500)),
        _ => producing,
    };
    // A missed production date is still not before the planned start (the store refuses that).
    let planned_production = match (planned_start, planned_production) {
        (Some(start), Some(production)) if production < start => Some(start),
        (_, production) => production,
    };
    Planned {
        investment: planned_investment,
        start: planned_start,
        production: planned_production,
    }
}

/// The form the project is created with (at 在谈, on the day it entered the book).
fn new_project(rng: &mut Rng, s: &Spec, code: &str, figures: &Figures, planned: &Planned) -> projects::NewProject {
    let wan = book::wan;
    let capacity = figures.capacity;
    projects::NewProject {
        code: code.to_string(),
        name: s.name.clone(),
        enterprise_id: s.enterprise_id,
        investor: s.investor.clone(),
        industry_code: s.industry.clone(),
        total_investment: wan(s.total),
        fixed_investment: wan(figures.fixed),
        source: s.source.clone(),
        officer: s.officer.clone(),
        leader: s.leader.clone(),
        leader_account_id: s.leader_account,
        lead_department_id: s.lead,
        cooperating_department_ids: s.cooperating.clone(),
        carrier_id: s.carrier,
        location: format!(
            "新乡高新区{}路与{}路交叉口{}",
            rng.pick(&["新一", "新二", "科技", "创业", "华兰", "金穗", "宏力"]),
            rng.pick(&["新四", "新五", "新七", "振中", "国槐", "学院"]),
            rng.pick(&["东北角", "西北角", "东南角", "西南角"])
        ),
        parcel_id: s.contract.as_ref().map(|c| c.1),
        contract_id: s.contract.as_ref().map(|c| c.0),
        land_area: s
            .land_area
            .map(|a| gaoxin_core::quantity::Fixed::<4>(a).to_string())
            .unwrap_or_default(),
        stage: String::new(),
        stage_since: Some(s.dates[0]),
        planned_start: planned.start,
        planned_production: planned.production,
        planned_investment: planned.investment.map(wan).unwrap_or_default(),
        planned_output: if s.stage >= 5 {
            wan(capacity * 12 / 1_000_000 * 1_000_000)
        } else {
            String::new()
        },
        planned_tax: if s.stage >= 5 {
            wan(capacity * 12 / 100 * 6 / 1_000_000 * 1_000_000)
        } else {
            String::new()
        },
        note: s.note.clone(),
    }
}

/// The evidence for entering stage `i` on `on`: the investment contract (numbered by year in
/// `contract_seq` unless it is a 标准地 contract), the land title or approval, the building
/// permit, the completion filing, the first invoice or discharge permit, the acceptance.
fn evidence(rng: &mut Rng, s: &Spec, i: usize, on: NaiveDate, contract_seq: &mut HashMap<i32, usize>) -> String {
    let y = on.year();
    match i {
        1 => match &s.contract {
            Some((_, _, no, _)) => no.clone(),
            None => {
                let n = contract_seq.entry(y).or_default();
                *n += 1;
                format!("HT-{y}-{n:03}")
            }
        },
        2 if rng.below(2) == 0 => format!("豫({y})新乡市不动产权第{:07}号", 10_000 + rng.below(90_000)),
        2 => format!("新高管土批〔{y}〕{}号", 10 + rng.below(90)),
        3 => format!("施工许可证 410700{}{:02}01", on.format("%Y%m%d"), 1 + rng.below(20)),
        4 => format!("竣工验收备案 竣备〔{y}〕{:03}号", 1 + rng.below(300)),
        5 if rng.below(2) == 0 => format!("首笔增值税专用发票 No.{:08}（{on}）", rng.below(100_000_000)),
        5 => format!("排污许可证 91410700{:08}001P", rng.below(100_000_000)),
        _ => format!("达产验收意见（新高管〔{y}〕{}号）", 10 + rng.below(90)),
    }
}
