//! The projects of the demo book as drawn before any is created: who invests in what, how
//! much, at which stage and since when, who leads and which departments cooperate.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use gaoxin_enterprises::entity as enterprise;
use gaoxin_land::contract_entity;

use super::Ctx;
use super::templates::{
    CITIES, COOPERATING, EXPANSIONS, LEADERS, OFFICERS, PROJECT_TEMPLATES, SOURCES, TYPICAL, WEIGHTS,
};
use crate::demo::registry::TRADE_NAMES;
use crate::demo::rng::Rng;

/// A project to create.
pub(super) struct Spec {
    pub(super) name: String,
    pub(super) enterprise_id: Option<i64>,
    pub(super) investor: String,
    pub(super) industry: String,
    pub(super) total: i64,
    pub(super) stage: usize,
    /// The date the project entered each stage up to its current one.
    pub(super) dates: Vec<NaiveDate>,
    /// The 标准地 contract: its id, parcel, number and tax per 亩.
    pub(super) contract: Option<(i64, i64, String, Option<i64>)>,
    pub(super) land_area: Option<i64>,
    pub(super) leader: String,
    pub(super) leader_account: Option<i64>,
    pub(super) officer: String,
    pub(super) source: String,
    pub(super) lead: Option<i64>,
    pub(super) cooperating: Vec<i64>,
    pub(super) carrier: Option<i64>,
    pub(super) note: String,
}

/// Whom and where projects are drawn from.
pub(super) struct Pool<'a> {
    pub(super) enterprises: &'a [enterprise::Model],
    /// The active enterprises.
    pub(super) active: Vec<&'a enterprise::Model>,
    /// The enterprise account's own firm.
    pub(super) own: &'a enterprise::Model,
    /// The 标准地 contracts, by id.
    pub(super) contracts: Vec<contract_entity::Model>,
    /// The carriers' ids and names.
    pub(super) carriers: Vec<(i64, String)>,
}

/// About 120 projects (a name drawn twice is dropped), in the order they started.
pub(super) fn specs(rng: &mut Rng, ctx: &Ctx, pool: &Pool) -> Vec<Spec> {
    let mut used_names = HashSet::new();
    let mut specs: Vec<Spec> = Vec::new();
    let total_projects = 120;
    for n in 0..total_projects {
        if let Some(s) = spec(rng, ctx, pool, n, &mut used_names) {
            specs.push(s);
        }
    }
    specs.sort_by_key(|s| s.dates[0]);
    specs
}

/// The `n`-th project, or `None` when its name (and its 二期) is taken.
fn spec(rng: &mut Rng, ctx: &Ctx, pool: &Pool, n: usize, used_names: &mut HashSet<String>) -> Option<Spec> {
    // Who invests: the registry's own firms (the enterprise account's twice, the 标准地
    // contract holders), else a prospect from elsewhere.
    let contract = (n < 3).then(|| pool.contracts.get(n)).flatten();
    let linked: Option<&enterprise::Model> = if let Some(c) = contract {
        pool.enterprises.iter().find(|e| e.id == c.enterprise_id)
    } else if n == 3 || n == 4 {
        Some(pool.own)
    } else if n > 6 && rng.below(100) < 37 && !pool.active.is_empty() {
        Some(*rng.pick(&pool.active))
    } else {
        None
    };
    let cement = n == 5;
    let brand = linked
        .map(|e| e.name.trim_start_matches("新乡").chars().take(2).collect::<String>())
        .unwrap_or_else(|| rng.pick(TRADE_NAMES).to_string());
    let (mut name, industry, total_wan) = investment(rng, contract, linked, &brand, cement);
    if !used_names.insert(name.clone()) {
        name = format!("{}（二期）", name.trim_end_matches("项目"));
        if !used_names.insert(name.clone()) {
            return None;
        }
    }
    let total = total_wan / 100 * 100 * 1_000_000;
    let stage = if cement {
        0
    } else if contract.is_some() {
        5 + n % 2
    } else if n == 3 {
        3
    } else if n == 4 {
        1
    } else {
        pick_stage(rng)
    };
    let stalled = stage < 6 && !cement && rng.below(100) < 10;
    let dates = history(rng, ctx, stage, stalled);
    let major = ctx.rules.is_major(total);
    let (leader, leader_account) = leadership(rng, major, ctx.leader_id);
    let (lead, cooperating) = lead_and_cooperating(rng, &industry);
    let services = industry.starts_with('6') || industry.starts_with('7') || industry.starts_with('5');
    let land_area = match contract {
        Some(c) => linked
            .and_then(|e| e.land_area)
            .filter(|a| *a > 0)
            .or(Some(500_000 + c.id % 7 * 100_000)),
        None if !services && stage >= 1 => {
            Some((total_wan / (300 + rng.below(200) as i64)).max(15) * 10_000 + rng.below(10) as i64 * 1_000)
        }
        None => None,
    };
    let investor = match linked {
        Some(_) => String::new(),
        None => format!(
            "{}{brand}{}{}",
            rng.pick(CITIES),
            word_of(&industry),
            rng.pick(&["科技有限公司", "集团有限公司", "股份有限公司", "有限公司"])
        ),
    };
    Some(Spec {
        name,
        enterprise_id: linked.map(|e| e.id),
        investor,
        carrier: carrier_for(&pool.carriers, &industry, total_wan, rng),
        industry,
        total,
        stage,
        dates,
        contract: contract.map(|c| (c.id, c.parcel_id, c.contract_no.clone(), c.tax_per_mu)),
        land_area,
        leader,
        leader_account,
        officer: rng.pick(OFFICERS).to_string(),
        source: rng.pick(SOURCES).to_string(),
        lead: ctx.department(lead),
        cooperating: cooperating.iter().filter_map(|c| ctx.department(c)).collect(),
        note: if cement {
            "投资方为水泥企业，拟利用园区铁路专用线".into()
        } else {
            String::new()
        },
    })
}

/// What is invested in: the project's name, its GB/T 4754 class and its total investment in
/// 万元. A cement plant (for the negative list), a 标准地 contract's project, a firm's project
/// in its own industry (or an expansion), or a prospect's project from the templates.
fn investment(
    rng: &mut Rng,
    contract: Option<&contract_entity::Model>,
    linked: Option<&enterprise::Model>,
    brand: &str,
    cement: bool,
) -> (String, String, i64) {
    if cement {
        ("年产100万吨水泥粉磨站项目".to_string(), "3011".to_string(), 22_000)
    } else if let Some(c) = contract {
        (
            c.project_name.replace("股份", "").replace("有限责任公司", ""),
            linked
                .and_then(|e| e.industry_code.clone())
                .unwrap_or_else(|| "3841".into()),
            15_000 + rng.below(40) as i64 * 1_000,
        )
    } else {
        let own_code = linked.and_then(|e| e.industry_code.clone());
        let matching: Vec<&(&str, &str, i64, i64)> = match &own_code {
            Some(code) => PROJECT_TEMPLATES.iter().filter(|t| t.1[..2] == code[..2]).collect(),
            None => Vec::new(),
        };
        match (own_code, matching.is_empty()) {
            (Some(_), false) if rng.below(2) == 0 => {
                let t = rng.pick(&matching);
                (format!("{brand}{}", t.0), t.1.to_string(), skewed(rng, t.2, t.3))
            }
            (Some(code), _) => (
                format!("{brand}{}", rng.pick(EXPANSIONS)),
                code,
                skewed(rng, 3_000, 80_000),
            ),
            (None, _) => {
                let t = rng.pick(PROJECT_TEMPLATES);
                (format!("{brand}{}", t.0), t.1.to_string(), skewed(rng, t.2, t.3))
            }
        }
    }
}

/// Most amounts near the low end of the range, a few large.
fn skewed(rng: &mut Rng, lo: i64, hi: i64) -> i64 {
    let u = rng.below(101) as i64;
    lo + (hi - lo) * u * u / 10_000
}

/// A stage (index) by the stages' weights.
fn pick_stage(rng: &mut Rng) -> usize {
    let mut roll = rng.below(100);
    for (i, w) in WEIGHTS.iter().enumerate() {
        if roll < *w {
            return i;
        }
        roll -= w;
    }
    0
}

/// The word a prospect's company name carries for its industry.
fn word_of(code: &str) -> &'static str {
    match &code[..2] {
        "38" => "新能源",
        "39" => "电子",
        "27" | "26" => "生物",
        "35" | "34" => "智能装备",
        "65" | "64" => "信息技术",
        "36" => "汽车",
        "37" => "航空",
        _ => "新材料",
    }
}

/// The carrier a project of this industry and size settles in: small ones in the incubator.
fn carrier_for(carriers: &[(i64, String)], code: &str, total_wan: i64, rng: &mut Rng) -> Option<i64> {
    let want = match &code[..2] {
        "38" | "36" => "新能源汽车",
        "27" | "26" => "生物医药",
        "65" | "64" => "大数据",
        "37" => "航空航天",
        "34" | "35" => "智能制造",
        "39" => {
            if rng.below(2) == 0 {
                "加速器"
            } else {
                "智能制造"
            }
        }
        "73" => "大学科技园",
        _ => "新材料",
    };
    let want = if total_wan < 5_000 && !code.starts_with("65") {
        "孵化器"
    } else if code.starts_with("3583") || code.starts_with("358") {
        "生物医药"
    } else {
        want
    };
    carriers.iter().find(|(_, n)| n.contains(want)).map(|(id, _)| *id)
}

/// The history: the days in the current stage (past the limit for a stalled project), the
/// days in each earlier one, squeezed into the time since `earliest`. Returns the day the
/// project entered each stage up to `stage`.
fn history(rng: &mut Rng, ctx: &Ctx, stage: usize, stalled: bool) -> Vec<NaiveDate> {
    let today = ctx.today;
    let limit = ctx.rules.stages[stage].max_days;
    let mut current = match limit {
        Some(max) if stalled => max + 5 + rng.below(80) as i64,
        // Building and producing: mostly since this year.
        Some(_) if stage == 3 || stage == 5 => 20 + rng.below(400) as i64,
        Some(max) => 3 + rng.below((max * 85 / 100) as usize) as i64,
        None => 15 + rng.below(200) as i64,
    };
    let span = (today - ctx.earliest).num_days();
    current = current.min(span - 10 * stage as i64);
    let mut prior: Vec<i64> = (0..stage)
        .map(|i| TYPICAL[i].0 + rng.below((TYPICAL[i].1 - TYPICAL[i].0) as usize + 1) as i64)
        .collect();
    let sum: i64 = prior.iter().sum();
    let least = 10 * stage as i64;
    if sum + current > span {
        // Squeeze the earlier stages (each at least 10 days) into the room left.
        let room = span - current;
        for d in &mut prior {
            *d = 10 + (*d - 10) * (room - least) / (sum - least).max(1);
        }
    }
    let mut day = today - Duration::days(current + prior.iter().sum::<i64>());
    let mut dates = vec![day];
    for d in prior {
        day += Duration::days(d);
        dates.push(day);
    }
    dates
}

/// The leader in charge: most major projects and a few others have one, sometimes the demo
/// leader (`leader_id`) himself.
fn leadership(rng: &mut Rng, major: bool, leader_id: i64) -> (String, Option<i64>) {
    if (major && rng.below(100) < 85) || rng.below(100) < 20 {
        if major && rng.below(100) < 30 && leader_id > 0 {
            ("李明".to_string(), Some(leader_id))
        } else {
            (rng.pick(LEADERS).to_string(), None)
        }
    } else {
        (String::new(), None)
    }
}

/// The lead department (by name) and one or two cooperating ones.
fn lead_and_cooperating(rng: &mut Rng, industry: &str) -> (&'static str, Vec<&'static str>) {
    let lead = match rng.below(100) {
        0..=64 => "投资促进局",
        65..=84 => "经济发展局",
        85..=94 => "科学技术局",
        _ => "服务业促进局",
    };
    let lead = if industry.starts_with("65") && lead == "经济发展局" {
        "服务业促进局"
    } else {
        lead
    };
    let mut cooperating = Vec::new();
    for _ in 0..1 + rng.below(2) {
        let c = *rng.pick(COOPERATING);
        if c != lead && !cooperating.contains(&c) {
            cooperating.push(c);
        }
    }
    (lead, cooperating)
}
