//! The zone's registry in the demo: the departments of seed 002, ten carriers, enterprises
//! with valid 统一社会信用代码 and real GB/T 4754 classes under four leading industries (and
//! others), and five years (2020–2024) of annual data with heavy-tailed revenue. Some data is
//! missing the way real data is (no industry code, no tax or energy figure).

use std::collections::{HashMap, HashSet};

use gaoxin_enterprises::status::Status;

use gaoxin_core::industry;
use gaoxin_enterprises::{
    annual_entity as annual, carrier_entity as carrier, domain as enterprise_domain, entity as enterprise,
};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::departments::{domain::DEMO_DEPARTMENTS, domain::DepartmentInput, store as departments};
use sea_orm::ActiveValue::Set;

use super::rng::Rng;

pub(super) const TRADE_NAMES: &[&str] = &[
    "华瑞", "中科", "新航", "博远", "天成", "恒信", "瑞康", "德源", "金桥", "云启", "卓越", "正泰", "宏图", "海川",
    "睿智", "远景", "汇通", "安泰", "晶创", "微芯", "星河", "长风", "锦程", "普华", "同舟", "弘毅", "明德", "润泽",
    "致远", "科达", "鼎盛", "华威", "康宁", "立信", "启明", "赛德", "拓普", "万邦", "新元", "优创", "智源", "众诚",
    "九州", "凯越", "蓝海",
];
const SUFFIXES: &[&str] = &["有限公司", "股份有限公司", "科技有限公司", "有限责任公司"];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "林",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "军", "杰", "涛", "明", "超", "霞", "平", "刚", "桂英", "建华",
    "志强", "海燕",
];

/// The four leading industries of the seeds, each with real GB/T 4754-2017 classes and the
/// word its firms' names carry; then the other industries of a typical zone.
const INDUSTRIES: &[(&str, &[&str], &[&str])] = &[
    (
        "生命科学和生物技术",
        &["2710", "2720", "2761", "2762", "3581", "3586", "7340"],
        &["生物医药", "基因技术", "医疗器械", "制药"],
    ),
    (
        "动力电池与新能源汽车",
        &["3841", "3612", "3670", "3849", "3823"],
        &["动力电池", "新能源汽车", "储能技术", "锂电"],
    ),
    (
        "航空航天",
        &["3741", "3742", "3743", "3744", "3749"],
        &["航空装备", "航天材料", "航空科技"],
    ),
    (
        "大数据",
        &["6513", "6550", "6450", "6531", "6520"],
        &["大数据", "软件", "信息技术", "云计算"],
    ),
    (
        "智能装备制造",
        &["3421", "3491", "3562", "4090", "3831"],
        &["智能装备", "精密机械", "自动化"],
    ),
    (
        "新材料",
        &["2651", "3099", "3240", "2929"],
        &["新材料", "复合材料", "高分子"],
    ),
    (
        "科技服务",
        &["7320", "7451", "7520", "7590"],
        &["检测技术", "科技服务", "环保科技"],
    ),
];

const CARRIERS: &[(&str, &str)] = &[
    ("生物医药产业园", "industrial_park"),
    ("新能源汽车产业园", "industrial_park"),
    ("航空航天产业园", "industrial_park"),
    ("大数据产业园", "industrial_park"),
    ("科技企业孵化器", "incubator"),
    ("大学科技园众创空间", "maker_space"),
    ("高新区加速器一期", "accelerator"),
    ("创新创业大厦", "building"),
    ("智能制造产业园", "industrial_park"),
    ("新材料产业园", "industrial_park"),
];

const YEARS: std::ops::RangeInclusive<i32> = 2020..=2024;

/// Builds a valid 统一社会信用代码: 91 (enterprise registered with market regulation), a
/// Xinxiang division code, a 9-character organisation code, the check character.
fn demo_uscc(rng: &mut Rng) -> String {
    const BODY: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut first17 = String::from("91410700");
    first17.push_str("MA");
    for _ in 0..7 {
        first17.push(BODY[rng.below(BODY.len())] as char);
    }
    gaoxin_core::uscc::with_check_char(&first17).expect("generated from the allowed characters")
}

pub(super) fn person(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

/// Revenue in fen for the first year: heavy-tailed (most firms small, a few very large).
fn first_revenue(rng: &mut Rng) -> i64 {
    let wan: i64 = match rng.below(100) {
        0..=19 => 50 + rng.below(450) as i64,         // 50–500 万元
        20..=59 => 500 + rng.below(2_500) as i64,     // 0.05–0.3 亿元
        60..=84 => 3_000 + rng.below(17_000) as i64,  // 0.3–2 亿元
        85..=96 => 20_000 + rng.below(80_000) as i64, // 2–10 亿元
        _ => 100_000 + rng.below(900_000) as i64,     // 10–100 亿元
    };
    wan * 1_000_000 + rng.below(1_000_000) as i64
}

/// `value × percent / 100` for integers (fen), rounding down.
fn pct(value: i64, percent_x10: i64) -> i64 {
    value / 1000 * percent_x10
}

/// Fills an empty database with the demo zone of `enterprises` enterprises (2,000 for
/// `gaoxin demo`), as of today on the command's clock (`GAOXIN_NOW` fixes it). Refuses a
/// The departments of seed 002, each with a contact person and a phone number; returns their
/// ids by name.
pub(super) async fn create_departments(
    writer: &mut Writer,
    zone_id: i64,
    rng: &mut Rng,
) -> anyhow::Result<HashMap<&'static str, i64>> {
    let mut department_ids = HashMap::new();
    for (i, (name, short)) in DEMO_DEPARTMENTS.iter().enumerate() {
        let d = departments::create(
            writer,
            zone_id,
            DepartmentInput {
                name: name.to_string(),
                short_name: Some(short.to_string()),
                contact_person: Some(format!(
                    "{}{}",
                    rng.pick(&["王", "李", "张", "刘", "陈", "杨", "赵", "黄"]),
                    rng.pick(&["科长", "主任", "副局长"])
                )),
                phone: Some(format!("0373-36{:05}", rng.below(100_000))),
                sort_order: (i as i32 + 1) * 10,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        department_ids.insert(*name, d.id);
    }
    Ok(department_ids)
}

/// The ten carriers (industrial parks, an incubator, …); returns their ids in order.
pub(super) async fn create_carriers(writer: &mut Writer, rng: &mut Rng) -> anyhow::Result<Vec<i64>> {
    let rows: Vec<carrier::ActiveModel> = CARRIERS
        .iter()
        .map(|(name, kind)| carrier::ActiveModel {
            name: Set(format!("新乡高新区{name}")),
            kind: Set(kind.to_string()),
            address: Set(Some(format!(
                "新乡市高新区{}路{}号",
                rng.pick(&["新一", "新二", "科技", "创业", "华兰", "金穗"]),
                1 + rng.below(300)
            ))),
            ..Default::default()
        })
        .collect();
    Ok(writer
        .insert_many_in_zone(rows)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect::<Vec<_>>())
}

/// What an enterprise's annual data grows from: its first year's revenue, its staff, whether
/// it is a service firm (no gross output, no emissions) and the year it was founded.
pub(super) struct Growth {
    revenue: i64,
    employees: i32,
    services: bool,
    founded: i32,
}

/// `count` enterprises in the carriers, with what their annual data grows from.
pub(super) async fn create_enterprises(
    writer: &mut Writer,
    rng: &mut Rng,
    count: usize,
    carrier_ids: &[i64],
) -> anyhow::Result<(Vec<enterprise::Model>, Vec<Growth>)> {
    let mut seen = HashSet::new();
    let mut rows = Vec::with_capacity(count);
    let mut plans = Vec::with_capacity(count);
    while rows.len() < count {
        // A name or 统一社会信用代码 already taken draws the firm again.
        if let Some((active, growth)) = enterprise(rng, &mut seen, carrier_ids) {
            rows.push(active);
            plans.push(growth);
        }
    }
    Ok((writer.insert_many_in_zone(rows).await?, plans))
}

/// One enterprise, or `None` when its name or 统一社会信用代码 is taken (`seen` holds both).
fn enterprise(
    rng: &mut Rng,
    seen: &mut HashSet<String>,
    carrier_ids: &[i64],
) -> Option<(enterprise::ActiveModel, Growth)> {
    let sector = rng.below(100);
    let (leading, classes, words) = INDUSTRIES[match sector {
        0..=21 => 0,
        22..=39 => 1,
        40..=51 => 2,
        52..=69 => 3,
        70..=81 => 4,
        82..=91 => 5,
        _ => 6,
    }];
    let mut name = format!("新乡{}{}{}", rng.pick(TRADE_NAMES), rng.pick(words), rng.pick(SUFFIXES));
    // The name list runs out near 10,000 firms: later firms with a taken name become
    // branches (分公司) of it, so any --enterprises N finishes.
    let mut branch = 1;
    while seen.contains(&name) && seen.len() > 6_000 {
        branch += 1;
        let base = name.split('（').next().unwrap_or(&name).to_string();
        name = format!("{base}（第{branch}分公司）");
    }
    let uscc = demo_uscc(rng);
    if !seen.insert(name.clone()) || !seen.insert(uscc.clone()) {
        return None;
    }
    let code = *rng.pick(classes);
    let industry_code = industry::lookup(code).map(|i| i.code.to_string());
    let services = code.starts_with('6') || code.starts_with('7');
    let revenue = first_revenue(rng);
    let employees = (revenue / 1_000_000 / 60).clamp(5, 20_000) as i32 + rng.below(40) as i32;
    let land = if services || rng.below(10) < 2 {
        0
    } else {
        (5 + rng.below(200)) as i64 * 10_000 + rng.below(10_000) as i64
    };
    let year = 2000 + rng.below(24) as i32;
    let registered_on = chrono::NaiveDate::from_ymd_opt(year, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32);
    let status = match rng.below(100) {
        0..=2 => Status::MovedOut.code(),
        3 => Status::Deregistered.code(),
        _ => Status::Active.code(),
    };
    let mut tags = Vec::new();
    if rng.below(100) < 25 {
        tags.push("高企".to_string());
    }
    if rng.below(100) < 8 {
        tags.push("瞪羚".to_string());
    }
    if rng.below(100) < 10 {
        tags.push("专精特新".to_string());
    }
    let active = enterprise::ActiveModel {
        name: Set(name),
        uscc: Set(uscc),
        // Real data has gaps: about one firm in twenty has no industry code yet.
        industry_code: Set(if rng.below(20) == 0 { None } else { industry_code }),
        registered_on: Set(registered_on),
        registered_address: Set(Some(format!(
            "新乡市高新区{}路{}号",
            rng.pick(&["新一", "新二", "科技", "创业", "华兰", "金穗", "宏力"]),
            1 + rng.below(500)
        ))),
        legal_representative: Set(Some(person(rng))),
        principal: Set(Some(person(rng))),
        phone: Set(Some(format!("0373-{}", 3_000_000 + rng.below(999_999)))),
        finance_officer: Set(if rng.below(10) == 0 { None } else { Some(person(rng)) }),
        land_area: Set(Some(land)),
        employees: Set(Some(employees)),
        leading_industry: Set(Some(leading.to_string())),
        carrier_id: Set(Some(carrier_ids[rng.below(carrier_ids.len())])),
        scale: Set(Some(
            if !services && revenue >= 2_000 * 1_000_000 {
                "above"
            } else {
                "below"
            }
            .to_string(),
        )),
        status: Set(status.to_string()),
        tags: Set(enterprise_domain::tags_to_column(&tags)),
        service_officer: Set(Some(person(rng))),
        ..Default::default()
    };
    let growth = Growth {
        revenue,
        employees,
        services,
        founded: year,
    };
    Some((active, growth))
}

/// The enterprises' annual data for 2020–2024 (from the year each was founded).
pub(super) async fn create_annual_data(
    writer: &mut Writer,
    rng: &mut Rng,
    created: &[enterprise::Model],
    plans: Vec<Growth>,
) -> anyhow::Result<Vec<annual::Model>> {
    let mut annual_rows = Vec::new();
    for (e, growth) in created.iter().zip(plans) {
        let mut revenue = growth.revenue;
        for year in YEARS {
            if year < growth.founded {
                continue;
            }
            // Growth between −15% and +35% a year.
            revenue = revenue / 100 * (85 + rng.below(51) as i64);
            annual_rows.push(annual_row(rng, e.id, year, revenue, &growth));
        }
    }
    Ok(writer.insert_many_in_zone(annual_rows).await?)
}

/// One year of an enterprise's annual data, from that year's revenue.
fn annual_row(rng: &mut Rng, enterprise_id: i64, year: i32, revenue: i64, growth: &Growth) -> annual::ActiveModel {
    let Growth {
        employees, services, ..
    } = *growth;
    let rd = pct(revenue, 10 + rng.below(70) as i64);
    let tax = pct(revenue, 25 + rng.below(55) as i64);
    let value_added = pct(revenue, 200 + rng.below(150) as i64);
    let energy_kg = if services {
        revenue / 1_000_000 * 20
    } else {
        revenue / 1_000_000 * 300
    } / 10
        * (5 + rng.below(10) as i64);
    let emission = |rng: &mut Rng, per_10k: i64| {
        if services {
            None
        } else {
            Some(revenue / 1_000_000 * per_10k / 100 * (5 + rng.below(10) as i64) / 10)
        }
    };
    let rd_staff = (employees / 10).max(1) + rng.below(10) as i32;
    annual::ActiveModel {
        enterprise_id: Set(enterprise_id),
        year: Set(year),
        revenue: Set(Some(revenue)),
        gross_output: Set(if services {
            None
        } else {
            Some(pct(revenue, 900 + rng.below(200) as i64))
        }),
        value_added: Set(Some(value_added)),
        // About one row in twenty has no tax figure yet, as in real returns.
        tax: Set(if rng.below(20) == 0 { None } else { Some(tax) }),
        rd_expense: Set(Some(rd)),
        energy: Set(if rng.below(30) == 0 { None } else { Some(energy_kg) }),
        cod: Set(emission(rng, 8)),
        ammonia: Set(emission(rng, 1)),
        sulfur_dioxide: Set(emission(rng, 3)),
        nitrogen_oxides: Set(emission(rng, 4)),
        // 用电量 follows energy use (about 3 kWh per kg of standard coal here).
        electricity: Set(Some(energy_kg * 3)),
        rd_staff: Set(Some(rd_staff)),
        tech_staff: Set(Some(rd_staff + rng.below(20) as i32)),
        hitech_revenue: Set(if rng.below(3) == 0 {
            Some(pct(revenue, 300 + rng.below(600) as i64))
        } else {
            None
        }),
        invention_patents: Set(Some(rng.below(30) as i32)),
        sources_json: Set(Some(
            r#"{"演示数据":["revenue","value_added","tax","rd_expense","energy"]}"#.to_string(),
        )),
        ..Default::default()
    }
}
