//! The demo zone of `gaoxin demo`: deterministic from the seed, written through the same
//! audited write path as everything else.
//!
//! It generates the zone, the departments of seed 002, ten carriers, enterprises with valid
//! 统一社会信用代码 and real GB/T 4754 classes under four leading industries (and others),
//! five years (2020–2024) of annual data with heavy-tailed revenue, and the six demo accounts.
//! Some data is missing the way real data is (no industry code, no tax or energy figure).

use anyhow::bail;

use gaoxin_admin::accounts::{domain::AccountInput, store as accounts};
use gaoxin_platform::departments::{domain::DEMO_DEPARTMENTS, domain::DepartmentInput, store as departments};
use sea_orm::ActiveValue::Set;

use gaoxin_core::clock::Clock;
use gaoxin_core::industry;
use gaoxin_core::roles::Role;
use gaoxin_enterprises::{
    annual_entity as annual, carrier_entity as carrier, domain as enterprise_domain, entity as enterprise,
};
use gaoxin_platform::audit::{WriteContext, Writer};
use gaoxin_platform::db::Db;
use gaoxin_platform::secrets::hash_password;
use gaoxin_platform::zones::{entity as zone, store as zones};
use gaoxin_policies::events::EventInput;
use gaoxin_policies::store as policies;
use gaoxin_rules::sources::{CONTRACT_TYPES, EventKind, LEVELS, RECOGNITIONS, TALENT_CATEGORIES};

/// The password of every demo account (demo databases only).
pub const PASSWORD: &str = "demo1234";

pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: &'static str,
    pub department: Option<&'static str>,
    pub description: &'static str,
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        username: "admin",
        display_name: "王建国",
        role: "admin",
        department: None,
        description: "管理员 (admin)：账号、部门、配置",
    },
    DemoAccount {
        username: "leader",
        display_name: "李明",
        role: "leader",
        department: None,
        description: "领导 (zone leader)：全区只读",
    },
    DemoAccount {
        username: "keji",
        display_name: "张敏",
        role: "staff",
        department: Some("科学技术局"),
        description: "科学技术局工作人员 (staff)",
    },
    DemoAccount {
        username: "jingfa",
        display_name: "刘洋",
        role: "staff",
        department: Some("经济发展局"),
        description: "经济发展局工作人员 (staff)",
    },
    DemoAccount {
        username: "qiye",
        display_name: "陈静",
        role: "enterprise",
        department: None,
        description: "企业用户 (enterprise)：只见本企业",
    },
    DemoAccount {
        username: "shenji",
        display_name: "赵磊",
        role: "auditor",
        department: None,
        description: "审计 (auditor)：只读，含审计日志",
    },
];

#[derive(Debug)]
pub struct DemoSummary {
    pub zone_code: String,
    pub zone_name: String,
    pub departments: usize,
    pub enterprises: usize,
}

/// A small, fast, deterministic generator (SplitMix64); no cryptographic use.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const TRADE_NAMES: &[&str] = &[
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

fn person(rng: &mut Rng) -> String {
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
/// database that already has zones.
pub async fn create(db: &Db, seed: u64, enterprises: usize) -> anyhow::Result<DemoSummary> {
    create_at(db, seed, enterprises, gaoxin_platform::cli::clock()?).await
}

/// [`create`] as of the clock's today.
pub async fn create_at(db: &Db, seed: u64, enterprises: usize, clock: Clock) -> anyhow::Result<DemoSummary> {
    if !zones::all(db).await?.is_empty() {
        bail!("该数据库已有开发区数据；演示区需要一个空数据库（不加 --db 时会新建 gaoxin-demo.db）");
    }
    let zone: zone::Model = zones::create(
        db,
        WriteContext::system(None, "demo"),
        "demo",
        "新乡示例高新技术产业开发区",
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut rng = Rng::new(seed);
    let mut writer = Writer::begin(db, WriteContext::system(Some(zone.id), "demo")).await?;
    let mut department_ids = std::collections::HashMap::new();
    for (i, (name, short)) in DEMO_DEPARTMENTS.iter().enumerate() {
        let d = departments::create(
            &mut writer,
            zone.id,
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
    let carrier_ids = {
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
        writer
            .insert_many_in_zone(rows)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect::<Vec<_>>()
    };
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::with_capacity(enterprises);
    let mut plans = Vec::with_capacity(enterprises);
    while rows.len() < enterprises {
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
        let uscc = demo_uscc(&mut rng);
        if !seen.insert(name.clone()) || !seen.insert(uscc.clone()) {
            continue;
        }
        let code = *rng.pick(classes);
        let industry_code = industry::lookup(code).map(|i| i.code.to_string());
        let services = code.starts_with('6') || code.starts_with('7');
        let revenue = first_revenue(&mut rng);
        let employees = (revenue / 1_000_000 / 60).clamp(5, 20_000) as i32 + rng.below(40) as i32;
        let land = if services || rng.below(10) < 2 {
            0
        } else {
            (5 + rng.below(200)) as i64 * 10_000 + rng.below(10_000) as i64
        };
        let year = 2000 + rng.below(24) as i32;
        let registered_on = chrono::NaiveDate::from_ymd_opt(year, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32);
        let status = match rng.below(100) {
            0..=2 => "moved_out",
            3 => "deregistered",
            _ => "active",
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
            legal_representative: Set(Some(person(&mut rng))),
            principal: Set(Some(person(&mut rng))),
            phone: Set(Some(format!("0373-{}", 3_000_000 + rng.below(999_999)))),
            finance_officer: Set(if rng.below(10) == 0 {
                None
            } else {
                Some(person(&mut rng))
            }),
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
            service_officer: Set(Some(person(&mut rng))),
            ..Default::default()
        };
        rows.push(active);
        plans.push((revenue, employees, services, year));
    }
    let created = writer.insert_many_in_zone(rows).await?;
    let first_enterprise = created.first().map(|e| e.id);
    let count = created.len();
    let mut annual_rows = Vec::new();
    for (e, (revenue, employees, services, founded)) in created.iter().zip(plans) {
        let mut revenue = revenue;
        for year in YEARS {
            if year < founded {
                continue;
            }
            // Growth between −15% and +35% a year.
            revenue = revenue / 100 * (85 + rng.below(51) as i64);
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
            annual_rows.push(annual::ActiveModel {
                enterprise_id: Set(e.id),
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
                cod: Set(emission(&mut rng, 8)),
                ammonia: Set(emission(&mut rng, 1)),
                sulfur_dioxide: Set(emission(&mut rng, 3)),
                nitrogen_oxides: Set(emission(&mut rng, 4)),
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
            });
        }
    }
    let annual_models = writer.insert_many_in_zone(annual_rows).await?;
    for (file, source) in gaoxin_policies::shipped::files() {
        gaoxin_policies::rule_file::load_policy_file(&mut writer, zone.id, &file, &source, None)
            .await
            .map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    }
    let with_carrier: Vec<(i64, bool)> = created.iter().map(|e| (e.id, e.carrier_id.is_some())).collect();
    for (kind, rows) in demo_events(&mut rng, &with_carrier) {
        policies::save_events(&mut writer, zone.id, kind, &rows)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let mut leader_id = 0;
    let mut admin_id = 0;
    for a in ACCOUNTS {
        let role = Role::parse(a.role).expect("demo roles are valid");
        let hash = hash_password(PASSWORD)?;
        let account = accounts::create(
            &mut writer,
            Some(zone.id),
            AccountInput {
                username: a.username.into(),
                display_name: a.display_name.into(),
                role,
                department_id: a.department.map(|d| department_ids[d]),
                enterprise_id: if role == Role::Enterprise {
                    first_enterprise
                } else {
                    None
                },
            },
            hash,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        if role == Role::Leader {
            leader_id = account.id;
        }
        if role == Role::Admin {
            admin_id = account.id;
        }
    }
    // 2023's awards, computed, approved and locked, so that the policy evaluation and the
    // enterprises' own award pages have history; 2024 is left for the visitor to run.
    let past = policies::create_batch(&mut writer, zone.id, 2023, "2023 年度免申即享兑现", leader_id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let past = policies::transition(&mut writer, &past, "submitted", leader_id, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    policies::transition(&mut writer, &past, "approved", leader_id, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    demo_ladder(&mut writer, zone.id, seed, &created, &annual_models).await?;
    let admin = gaoxin_platform::auth::Scope::demo_admin(zone.clone().into(), admin_id, clock);
    demo_land(&mut writer, &admin, seed, &created, &department_ids).await?;
    demo_plans(&mut writer, &admin, seed).await?;
    demo_projects(&mut writer, &admin, seed, &created, &department_ids, leader_id).await?;
    writer.commit().await?;
    Ok(DemoSummary {
        zone_code: zone.code,
        zone_name: zone.name,
        departments: DEMO_DEPARTMENTS.len(),
        enterprises: count,
    })
}

/// The cultivation ladder of the demo zone: innovation data for 2022–2024 (with gaps, as real
/// returns have), recognitions held by the firms tagged 高企 / 专精特新 / 瞪羚, the shipped
/// criteria, targets, and the 2023 and 2024 evaluations. A generator of its own, so that the
/// data generated before it stays as it was for a given seed.
async fn demo_ladder(
    writer: &mut Writer,
    zone_id: i64,
    seed: u64,
    enterprises: &[enterprise::Model],
    annual_rows: &[annual::Model],
) -> anyhow::Result<()> {
    use gaoxin_enterprises::innovation_entity as innovation;
    use gaoxin_ladder::{shipped, store as ladder};
    let mut rng = Rng::new(seed ^ 0x1add_e700);
    let by_enterprise: std::collections::HashMap<(i64, i32), &annual::Model> =
        annual_rows.iter().map(|a| ((a.enterprise_id, a.year), a)).collect();
    let mut rows = Vec::new();
    for e in enterprises.iter().filter(|e| e.status == "active") {
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
                    Some(amount(&mut rng, 5_000_000, 300_000_000))
                } else {
                    None
                }),
                valuation_usd: Set(if startup {
                    Some(amount(&mut rng, 20_000_000, 2_000_000_000))
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
    writer.insert_many_in_zone(rows).await?;
    // Recognitions held: the tags of the registry, with certificates dated so that some are
    // valid, some about to expire and some expired.
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
            hold(
                "高新技术企业",
                "GR",
                &[2020, 2021, 2022, 2023, 2024],
                "国家级",
                &mut rng,
            );
        }
        if tags.iter().any(|t| t == "专精特新") {
            hold("专精特新中小企业", "ZJTX", &[2022, 2023, 2024], "省级", &mut rng);
        }
        if tags.iter().any(|t| t == "瞪羚") {
            hold("瞪羚企业", "DL", &[2023, 2024], "市级", &mut rng);
        }
        if rng.below(100) < 20 {
            hold("科技型中小企业", "KX", &[2023, 2024], "国家级", &mut rng);
        }
    }
    policies::save_events(writer, zone_id, EventKind::Recognition, &recognitions)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
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

/// 亩均 of the demo zone: parcels for the firms with land (one in twenty a tenant on another
/// firm's parcel, evaluated together), a dozen 标准地 contracts, the shipped schemes, the 2023
/// evaluations final (objections answered, two classes adjusted, differentiated policies, the D
/// firms' clearance cases, some closed) and the 2024 evaluations published for objections.
async fn demo_land(
    writer: &mut Writer,
    admin: &gaoxin_platform::auth::Scope,
    seed: u64,
    enterprises: &[enterprise::Model],
    departments: &std::collections::HashMap<&str, i64>,
) -> anyhow::Result<()> {
    use chrono::NaiveDate;
    use gaoxin_land::{clearance_entity, contract_entity, objection_entity, occupant_entity, parcel_entity};
    use gaoxin_land::{shipped, store as land};
    use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
    let err = |e: gaoxin_platform::error::AppError| anyhow::anyhow!("{e}");
    let mut rng = Rng::new(seed ^ 0x1a4d_0007);
    let zone_id = admin.zone_id();
    // Parcels: each firm with land holds one; a few are tenants on the previous firm's.
    let with_land: Vec<&enterprise::Model> = enterprises
        .iter()
        .filter(|e| e.status == "active" && e.land_area.is_some_and(|a| a > 0))
        .collect();
    let mut parcels = Vec::new();
    let mut holders = Vec::new();
    let mut tenants = Vec::new();
    for (n, e) in with_land.iter().enumerate() {
        if n > 0 && rng.below(20) == 0 {
            tenants.push((holders.len() - 1, e.id));
            continue;
        }
        holders.push(e.id);
        parcels.push(parcel_entity::ActiveModel {
            code: Set(format!("XX{:02}-{:04}", 20 + rng.below(5), parcels.len() + 1)),
            name: Set(format!("{}地块", e.name.trim_end_matches("有限公司"))),
            area: Set(e.land_area.unwrap_or(0)),
            location: Set(e.registered_address.clone().unwrap_or_default()),
            carrier_id: Set(e.carrier_id),
            land_use: Set("工业".into()),
            supplied_on: Set(e.registered_on),
            ..Default::default()
        });
    }
    let parcels = writer.insert_many_in_zone(parcels).await?;
    let mut occupants: Vec<occupant_entity::ActiveModel> = parcels
        .iter()
        .zip(&holders)
        .map(|(p, e)| occupant_entity::ActiveModel {
            parcel_id: Set(p.id),
            enterprise_id: Set(*e),
            role: Set("owner".into()),
            ..Default::default()
        })
        .collect();
    for (parcel, e) in &tenants {
        occupants.push(occupant_entity::ActiveModel {
            parcel_id: Set(parcels[*parcel].id),
            enterprise_id: Set(*e),
            role: Set("tenant".into()),
            ..Default::default()
        });
    }
    writer.insert_many_in_zone(occupants).await?;
    // 标准地: the newest firms' parcels, contracted with five to seven indicators.
    let mut newest: Vec<(usize, &enterprise::Model)> = with_land
        .iter()
        .filter_map(|e| holders.iter().position(|h| *h == e.id).map(|p| (p, *e)))
        .filter(|(_, e)| {
            e.registered_on
                .is_some_and(|d| d >= NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default())
        })
        .collect();
    newest.truncate(12);
    let mut contracts = Vec::new();
    for (k, (p, e)) in newest.iter().enumerate() {
        let signed = e.registered_on.unwrap_or_default();
        let completed = (k % 3 != 2).then(|| signed + chrono::Duration::days(300 + rng.below(300) as i64));
        let area = parcels[*p].area;
        contracts.push(contract_entity::ActiveModel {
            parcel_id: Set(parcels[*p].id),
            enterprise_id: Set(e.id),
            contract_no: Set(format!("XXBZD-{}-{:03}", signed.format("%Y"), k + 1)),
            signed_on: Set(signed),
            project_name: Set(format!("{}建设项目", e.name.trim_end_matches("有限公司"))),
            investment_intensity: Set(Some(3_000_000 + rng.below(20) as i64 * 100_000)),
            floor_area_ratio: Set(Some(12_000)),
            tax_per_mu: Set(Some(150_000 + rng.below(15) as i64 * 10_000)),
            value_added_per_mu: Set((k % 2 == 0).then_some(1_000_000)),
            energy_value_added: Set(Some(20_000)),
            emission_value_added: Set(Some(3_000_000)),
            rd_share: Set((k % 3 == 0).then_some(20_000)),
            completion_due: Set(Some(signed + chrono::Duration::days(540))),
            operating_years: Set(3),
            completed_on: Set(completed),
            // Area (ten-thousandths of a 亩) × 万元 per 亩 → fen; floor area in 0.01 m².
            fixed_investment: Set(completed.map(|_| area * (250 + rng.below(250) as i64) * 100)),
            floor_area: Set(completed.map(|_| area * 6_667 / 100 * (8 + rng.below(8) as i64))),
            ..Default::default()
        });
    }
    writer.insert_many_in_zone(contracts).await?;
    // The shipped schemes and the evaluations.
    for (file, source) in shipped::files() {
        gaoxin_land::rule_file::load_scheme_file(writer, zone_id, &file, &source, None)
            .await
            .map_err(err)?;
    }
    let versions = land::active_versions(writer.read(), zone_id).await.map_err(err)?;
    let today = admin.today();
    for scheme in ["huangyan-2022-guishang", "huangyan-2022-guixia"] {
        let Some(v) = versions.iter().find(|v| v.scheme_id == scheme) else {
            continue;
        };
        for year in [2023, 2024] {
            let run = land::evaluate_zone(writer, v, year, gaoxin_rules::ladder::default_as_of(year), None)
                .await
                .map_err(err)?;
            let run = land::publish(writer, admin, run.id, if year == 2023 { 0 } else { 7 }, today)
                .await
                .map_err(err)?;
            let results = gaoxin_land::result_entity::Entity::find()
                .filter(gaoxin_land::result_entity::Column::RunId.eq(run.id))
                .filter(gaoxin_land::result_entity::Column::ExclusionId.is_null())
                .all(writer.read())
                .await?;
            // Objections from the last-ranked firms; 2023's answered.
            let mut last: Vec<&gaoxin_land::result_entity::Model> = results.iter().collect();
            last.sort_by_key(|r| std::cmp::Reverse(r.rank));
            for r in last.iter().take(2) {
                let o = writer
                    .insert_in_zone(objection_entity::ActiveModel {
                        run_id: Set(run.id),
                        result_id: Set(r.id),
                        enterprise_id: Set(r.enterprise_id),
                        reason: Set("评价税收未包含已入库的 12 月税款，请核实".into()),
                        evidence: Set("税务局出具的完税证明（12 月入库）".into()),
                        status: Set("open".into()),
                        ..Default::default()
                    })
                    .await?;
                if year == 2023 {
                    let mut a = o.clone().into_active_model();
                    a.status = Set("rejected".into());
                    a.answer = Set(Some("经与税务局核对，12 月税款已计入评价税收，维持原评价".into()));
                    a.department_id = Set(departments.values().min().copied());
                    writer.update_in_zone(&o, a).await?;
                }
            }
            if year == 2023 {
                // Two classes set by hand, then final.
                for r in results.iter().filter(|r| r.rank > 0).take(2) {
                    let to = if r.class.starts_with('A') {
                        "B 提升发展"
                    } else {
                        "D 倒逼整治"
                    };
                    land::adjust_class(writer, admin, r.id, to, "存在违法用地行为，按区亩均办会议决定调档")
                        .await
                        .map_err(err)?;
                }
                land::finalize(writer, admin, run.id, today, None).await.map_err(err)?;
                land::open_clearance(writer, admin, run.id).await.map_err(err)?;
            }
        }
        for (class, category, measure, agency) in [
            ("A 优先发展", "用地", "优先保障新增用地指标和用能指标", "自然资源局"),
            ("A 优先发展", "扶持资金", "技改、研发奖补资金上浮 20%", "财政局"),
            ("C 调控帮扶", "电价", "执行差别化电价，加价 0.05 元/千瓦时", "供电公司"),
            ("D 倒逼整治", "电价", "执行差别化电价，加价 0.1 元/千瓦时", "供电公司"),
            ("D 倒逼整治", "水价", "执行差别化水价，加价 0.5 元/吨", "自来水公司"),
            ("D 倒逼整治", "扶持资金", "不享受各类扶持资金", "财政局"),
        ] {
            land::add_measure(writer, admin, scheme, class, category, measure, agency)
                .await
                .map_err(err)?;
        }
    }
    // Clearance: routes chosen for most cases, a few closed with land recovered.
    let cases = clearance_entity::Entity::find()
        .filter(clearance_entity::Column::ZoneId.eq(zone_id))
        .all(writer.read())
        .await?;
    let department_ids: Vec<i64> = departments.values().copied().collect();
    for (k, c) in cases.iter().enumerate() {
        if k % 5 == 4 {
            continue;
        }
        let (route, actions) = land::ROUTES[k % land::ROUTES.len()];
        let deadline = NaiveDate::from_ymd_opt(2024 + (k % 3) as i32, 6 + (k % 6) as u32, 30);
        let planned = land::plan_case(
            writer,
            admin,
            c.id,
            route,
            &format!("{actions}：制定“一企一策”方案，明确责任人和时间节点"),
            department_ids.get(k % department_ids.len().max(1)).copied(),
            deadline,
        )
        .await
        .map_err(err)?;
        land::report_progress(
            writer,
            admin,
            planned.id,
            "已约谈企业负责人，“一企一策”方案已报区亩均办",
            30,
        )
        .await
        .map_err(err)?;
        if k % 2 == 0 {
            land::report_progress(writer, admin, planned.id, "整治措施推进中，已完成设备评估", 60)
                .await
                .map_err(err)?;
        }
        if k % 3 == 0 {
            let recovered = if route == "buy_back" || route == "eliminate" {
                rust_decimal::Decimal::new(5 + rng.below(100) as i64, 1)
            } else {
                rust_decimal::Decimal::ZERO
            };
            land::close_case(
                writer,
                admin,
                planned.id,
                NaiveDate::from_ymd_opt(2024, 10, 31).unwrap_or_default(),
                recovered,
                "已完成，经区亩均办验收销号",
            )
            .await
            .map_err(err)?;
        }
    }
    Ok(())
}

/// An amount in fen between `low` and `high` yuan, log-uniform: most small, a few large.
fn amount(rng: &mut Rng, low: i64, high: i64) -> i64 {
    let mut steps = 0;
    let mut v = low;
    while v * 13 / 10 <= high {
        v = v * 13 / 10;
        steps += 1;
    }
    let mut yuan = low;
    for _ in 0..rng.below(steps + 1) {
        yuan = yuan * 13 / 10;
    }
    (yuan + rng.below(1000) as i64) * 100 + rng.below(100) as i64
}

/// The facts awards are paid on, for 2023 and 2024: technology contracts, introductions,
/// patent transfers (by ten IP service institutions), first-set equipment, recognitions,
/// talents, leases in carriers and loans.
fn demo_events(rng: &mut Rng, enterprises: &[(i64, bool)]) -> Vec<(EventKind, Vec<(i64, EventInput)>)> {
    use chrono::{Datelike, NaiveDate};
    let mut by_kind: std::collections::BTreeMap<EventKind, Vec<(i64, EventInput)>> = Default::default();
    let mut push = |kind: EventKind, id: i64, input: EventInput| by_kind.entry(kind).or_default().push((id, input));
    for year in [2023, 2024] {
        for (i, (id, in_carrier)) in enterprises.iter().enumerate() {
            let day = |rng: &mut Rng| {
                NaiveDate::from_ymd_opt(year, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32).expect("a date")
            };
            if rng.below(7) == 0 {
                for n in 0..1 + rng.below(3) {
                    let on = day(rng);
                    push(
                        EventKind::TechnologyContract,
                        *id,
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
                    *id,
                    EventInput {
                        occurred_on: Some(day(rng)),
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
                    *id,
                    EventInput {
                        occurred_on: Some(day(rng)),
                        reference: format!("{year} 年度转移批次"),
                        quantity: Some((1 + rng.below(30) as i64) * 100),
                        ..Default::default()
                    },
                );
            }
            if rng.below(60) == 0 {
                push(
                    EventKind::EquipmentPurchase,
                    *id,
                    EventInput {
                        occurred_on: Some(day(rng)),
                        reference: format!("{}生产线", rng.pick(&["数控", "智能装配", "电池极片", "精密检测"])),
                        amount: Some(amount(rng, 1_000_000, 50_000_000)),
                        certified: Some(rng.below(3) != 0),
                        ..Default::default()
                    },
                );
            }
            if rng.below(12) == 0 {
                // The first eight categories: the ladder's later ones are recognised in `demo_ladder`.
                let category = rng.pick(&RECOGNITIONS[..8]).to_string();
                push(
                    EventKind::Recognition,
                    *id,
                    EventInput {
                        occurred_on: Some(day(rng)),
                        reference: format!("GR{year}{:05}", i),
                        level: Some(if category == "高新技术企业" || category == "制造业单项冠军" {
                            "国家级".to_string()
                        } else {
                            rng.pick(LEVELS).to_string()
                        }),
                        category: Some(category),
                        first_time: Some(rng.below(3) != 0),
                        ..Default::default()
                    },
                );
            }
            if rng.below(15) == 0 {
                for n in 0..1 + rng.below(4) {
                    push(
                        EventKind::Talent,
                        *id,
                        EventInput {
                            occurred_on: Some(day(rng)),
                            reference: format!("{}（{year}-{n}）", person(rng)),
                            category: Some(rng.pick(TALENT_CATEGORIES).to_string()),
                            level: Some(rng.pick(LEVELS).to_string()),
                            ..Default::default()
                        },
                    );
                }
            }
            if *in_carrier && i % 4 == 0 {
                // One lease per enterprise (same move-in date both years), its rent paid each year.
                let mut fixed = Rng::new(*id as u64);
                let start = NaiveDate::from_ymd_opt(2020 + fixed.below(5) as i32, 1 + fixed.below(12) as u32, 1)
                    .expect("a date");
                if start.year() <= year {
                    push(
                        EventKind::Lease,
                        *id,
                        EventInput {
                            occurred_on: Some(NaiveDate::from_ymd_opt(year, 12, 20).expect("a date")),
                            started_on: Some(start),
                            reference: format!("{} 室 {year} 年租金", 100 + fixed.below(900)),
                            quantity: Some((100 + rng.below(2000) as i64) * 100),
                            amount: Some(amount(rng, 20_000, 600_000)),
                            ..Default::default()
                        },
                    );
                }
            }
            if rng.below(25) == 0 {
                let principal = amount(rng, 1_000_000, 30_000_000);
                push(
                    EventKind::Loan,
                    *id,
                    EventInput {
                        occurred_on: Some(day(rng)),
                        reference: format!("JK{year}{:05}", i),
                        started_on: Some(day(rng)),
                        category: Some(
                            rng.pick(&["中国银行", "工商银行", "建设银行", "新乡银行", "农商银行"])
                                .to_string(),
                        ),
                        amount: Some(principal),
                        secondary_amount: Some(principal / 100 * (3 + rng.below(3) as i64)),
                        ..Default::default()
                    },
                );
            }
        }
    }
    by_kind.into_iter().collect()
}

/// The task ledger of the demo zone: the zone's own 工作方案 (seed 002, 17 tasks) as this
/// year's plan with deadlines spread over the year, progress reported, some completed and
/// confirmed (a few late), some overdue with 督办单 (one answered and closed), and the example
/// scoring scheme loaded. Its own generator, so that earlier data stays the same per seed.
async fn demo_plans(writer: &mut Writer, admin: &gaoxin_platform::auth::Scope, seed: u64) -> anyhow::Result<()> {
    use chrono::{Datelike, NaiveDate};
    use gaoxin_plans::{scores, store as plans};
    use gaoxin_rules::plan_parser as parse;
    let err = |e: gaoxin_platform::error::AppError| anyhow::anyhow!("{e}");
    let mut rng = Rng::new(seed ^ 0x9a7e_0008);
    let today = admin.today();
    let year = today.year();
    let parsed = parse::parse_text(include_str!("../data/demo/xinxiang-gaoxin-plan.txt"));
    let departments = plans::departments_in(writer, admin).await.map_err(err)?;
    let deadlines = [("6月底前", 6), ("9月底前", 9), ("全年", 12)];
    let mut tasks = Vec::new();
    for t in &parsed.tasks {
        let (text, month) = deadlines[rng.below(3)];
        let mut departments_of = Vec::new();
        for (role, names) in [("lead", &t.lead), ("cooperating", &t.cooperating)] {
            for n in names {
                departments_of.push(plans::NewDepartment {
                    role: role.into(),
                    written: n.clone(),
                    department_id: plans::match_written(n, &departments),
                });
            }
        }
        tasks.push(plans::NewTask {
            reference: t.reference.clone(),
            section: t.section.join(" / "),
            text: t.text.clone(),
            deadline: Some(text.into()),
            due_date: parse::deadline::due_date(text, Some(year)).or(NaiveDate::from_ymd_opt(year, month, 28)),
            start_date: None,
            departments: departments_of,
            targets: t
                .targets
                .iter()
                .map(|g| plans::NewTarget {
                    text: g.text.clone(),
                    value: g.value.normalize().to_string(),
                    unit: g.unit.clone(),
                })
                .collect(),
        });
    }
    let plan = plans::create_plan(
        writer,
        admin,
        &format!("{year}年新乡高新区深化改革创新加快推动高质量发展工作方案"),
        year,
        parsed.document_number.clone(),
        Some("xinxiang-gaoxin-plan.txt".into()),
        tasks,
    )
    .await
    .map_err(err)?;
    let lines = plans::ledger_of_plan(writer, admin, plan.id, today)
        .await
        .map_err(err)?;
    let mut supervised = 0;
    for line in lines {
        let t = &line.task;
        let Some(due) = t.due_date else { continue };
        let roll = rng.below(10);
        let reported = |p: i32| plans::NewReport {
            kind: "progress".into(),
            note: format!("已按计划推进，完成阶段性工作（{p}%）"),
            percent: Some(p),
            actuals: Vec::new(),
        };
        if due < today && roll < 7 {
            // Completed: on time mostly, a few late; the supervisor confirmed.
            let done_on = if roll < 5 {
                due - chrono::Duration::days(rng.below(20) as i64)
            } else {
                due + chrono::Duration::days(5 + rng.below(20) as i64)
            };
            plans::file_report(writer, admin, t.id, reported(60), Vec::new(), done_on)
                .await
                .map_err(err)?;
            let done = plans::NewReport {
                kind: "completion".into(),
                note: "任务已完成，佐证材料已归档".into(),
                percent: None,
                actuals: Vec::new(),
            };
            plans::file_report(writer, admin, t.id, done, Vec::new(), done_on.min(today))
                .await
                .map_err(err)?;
            plans::confirm(
                writer,
                admin,
                t.id,
                true,
                "",
                (done_on + chrono::Duration::days(3)).min(today),
            )
            .await
            .map_err(err)?;
        } else if due < today {
            // Overdue: a 督办单; the first one answered and closed.
            plans::file_report(
                writer,
                admin,
                t.id,
                reported(40 + rng.below(40) as i32),
                Vec::new(),
                today,
            )
            .await
            .map_err(err)?;
            let issued = (due + chrono::Duration::days(7)).min(today);
            let order = plans::issue_order(
                writer,
                admin,
                t.id,
                "超过完成时限未完成，请说明原因并明确完成时间",
                Some(issued + chrono::Duration::days(10)),
                issued,
            )
            .await
            .map_err(err)?;
            if supervised == 0 {
                let answer = plans::NewReport {
                    kind: "progress".into(),
                    note: "已制定整改计划，预计月底前完成".into(),
                    percent: Some(95),
                    actuals: Vec::new(),
                };
                plans::file_report(writer, admin, t.id, answer, Vec::new(), today)
                    .await
                    .map_err(err)?;
                plans::close_order(writer, admin, order.id, "已核实整改计划", today)
                    .await
                    .map_err(err)?;
            }
            supervised += 1;
        } else {
            // Running: some ahead of the time-elapsed schedule, some behind.
            let expected = gaoxin_core::clock::expected_percent(t.start_date, due, today);
            let p = (expected + rng.below(30) as i32 - 15).clamp(5, 95);
            plans::file_report(writer, admin, t.id, reported(p), Vec::new(), today)
                .await
                .map_err(err)?;
        }
    }
    scores::load_scheme(writer, admin.zone_id(), scores::SHIPPED.0, scores::SHIPPED.1, None)
        .await
        .map_err(err)?;
    Ok(())
}

/// A project template: its name, GB/T 4754 class and total investment range (万元; most
/// near the low end).
const PROJECT_TEMPLATES: &[(&str, &str, i64, i64)] = &[
    ("年产10GWh动力锂电池项目", "3841", 267_000, 1_600_000),
    ("年产5万吨锂电池隔膜项目", "3985", 67_000, 400_000),
    ("储能电池系统集成项目", "3841", 33_000, 200_000),
    ("光伏组件智能制造项目", "3825", 50_000, 300_000),
    ("新能源汽车驱动电机项目", "3812", 20_000, 120_000),
    ("充电桩及配电设备生产项目", "3823", 10_000, 60_000),
    ("钠离子电池中试线项目", "3849", 13_000, 80_000),
    ("高压线束及特种电缆项目", "3831", 7_000, 40_000),
    ("集成电路封装测试项目", "3973", 100_000, 600_000),
    ("年产2000万片柔性电路板项目", "3982", 27_000, 160_000),
    ("MEMS传感器研发生产项目", "3983", 17_000, 100_000),
    ("Mini LED显示模组项目", "3974", 40_000, 240_000),
    ("5G通信基站设备生产项目", "3921", 20_000, 120_000),
    ("智能终端整机制造项目", "3922", 17_000, 100_000),
    ("工业控制计算机生产项目", "3914", 7_000, 40_000),
    ("高纯电子化学品项目", "3985", 20_000, 120_000),
    ("智能车载终端项目", "3962", 10_000, 60_000),
    ("光电子器件产业化项目", "3976", 13_000, 80_000),
    ("生物疫苗产业化基地项目", "2762", 50_000, 300_000),
    ("单克隆抗体药物生产项目", "2761", 67_000, 400_000),
    ("高端制剂生产线项目", "2720", 17_000, 100_000),
    ("原料药绿色化改造项目", "2710", 10_000, 60_000),
    ("医用敷料及卫生材料项目", "2770", 5_000, 30_000),
    ("中药配方颗粒生产项目", "2740", 10_000, 60_000),
    ("体外诊断试剂研发生产项目", "2665", 8_000, 50_000),
    ("医疗影像设备生产项目", "3581", 20_000, 120_000),
    ("高值医用耗材项目", "3584", 13_000, 80_000),
    ("半导体专用设备制造项目", "3562", 27_000, 160_000),
    ("电子元器件装备制造项目", "3563", 13_000, 80_000),
    ("智能装备产业园二期", "3569", 33_000, 200_000),
    ("矿山智能装备项目", "3511", 17_000, 100_000),
    ("盾构机关键部件项目", "3517", 20_000, 120_000),
    ("工业机器人整机及核心部件项目", "3491", 27_000, 160_000),
    ("增材制造装备项目", "3493", 10_000, 60_000),
    ("高档数控机床项目", "3421", 17_000, 100_000),
    ("工业互联网平台及数据中心项目", "6550", 33_000, 200_000),
    ("智慧城市运营中心项目", "6531", 5_000, 30_000),
    ("应用软件研发中心项目", "6513", 3_000, 20_000),
    ("集成电路设计中心项目", "6520", 7_000, 40_000),
    ("物联网技术服务平台项目", "6532", 3_000, 16_000),
    ("区域大数据中心项目", "6450", 50_000, 300_000),
    ("新能源汽车零部件项目", "3670", 17_000, 100_000),
    ("新能源商用车整车项目", "3612", 100_000, 600_000),
    ("高性能铝合金材料项目", "3240", 27_000, 160_000),
    ("碳纤维复合材料项目", "3062", 20_000, 120_000),
    ("石墨负极材料项目", "3091", 40_000, 240_000),
    ("航空零部件精密制造项目", "3744", 17_000, 100_000),
    ("工业级无人机研发制造项目", "3963", 10_000, 60_000),
    ("工程技术研究院项目", "7320", 3_000, 16_000),
    ("冷链物流仓储中心项目", "5990", 7_000, 40_000),
];

/// What an enterprise already in the registry invests in (its own industry code).
const EXPANSIONS: &[&str] = &[
    "扩产项目",
    "技术改造项目",
    "二期项目",
    "研发中心建设项目",
    "智能化改造项目",
    "总部及研发基地项目",
];

/// A 卡壳问题: title, detail, lead department, cooperating departments, the answer when
/// resolved, and the earliest stage (index) it happens at.
type ProblemTemplate = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    usize,
);

const PROJECT_PROBLEMS: &[ProblemTemplate] = &[
    (
        "土地征迁：地块内剩余 3 户未签约",
        "项目用地范围内尚有 3 户未签订征迁协议，影响净地交付。",
        "国土规划建设管理局",
        &["社会事务局"],
        "已完成剩余住户签约和房屋拆除，地块已净地交付。",
        1,
    ),
    (
        "规划方案调整（容积率）",
        "企业申请将容积率由 1.2 调整为 1.5，需规委会审议。",
        "国土规划建设管理局",
        &["管委会办公室"],
        "规划方案调整已经规委会审议通过，批复已送达企业。",
        1,
    ),
    (
        "项目融资：银行授信未落实",
        "项目贷款 3 亿元授信尚未落实，影响设备采购合同签订。",
        "财政局",
        &["经济发展局"],
        "已组织银企对接会，3 家银行联合授信 3 亿元，首笔贷款已发放。",
        1,
    ),
    (
        "环评审批进度慢",
        "环境影响报告书已受理 40 天，仍未召开技术评审会。",
        "行政服务中心",
        &["综合监管和执法局"],
        "已开通绿色通道，环评报告书已获批复。",
        2,
    ),
    (
        "施工许可证办理受阻（图审未通过）",
        "施工图审查两次未通过，施工许可证无法办理。",
        "国土规划建设管理局",
        &["行政服务中心"],
        "已组织图审机构上门指导，修改后通过审查，施工许可证已核发。",
        2,
    ),
    (
        "用电增容：需新增 10kV 双回路供电",
        "生产线用电负荷 8000kVA，现有线路容量不足，需新建双回路。",
        "经济发展局",
        &["国土规划建设管理局"],
        "已协调供电公司完成接入方案批复，线路已敷设并送电。",
        2,
    ),
    (
        "能评（节能审查）未批复",
        "项目年综合能耗 1.2 万吨标准煤，节能审查需报市级批复。",
        "经济发展局",
        &["行政服务中心"],
        "节能审查意见已出具。",
        2,
    ),
    (
        "北侧规划路未贯通，施工车辆无法进场",
        "地块北侧规划路尚未修建，大型施工车辆只能绕行。",
        "国土规划建设管理局",
        &["财政局"],
        "临时施工便道已修通，规划路纳入明年城建计划。",
        3,
    ),
    (
        "天然气管网未接入",
        "生产工艺需用天然气，中压管线距厂区 1.5 公里未接入。",
        "经济发展局",
        &["国土规划建设管理局"],
        "燃气公司已完成中压管线接驳并通气。",
        3,
    ),
    (
        "供水管网压力不足",
        "厂区供水压力不足 0.2MPa，不能满足生产和消防用水。",
        "国土规划建设管理局",
        &["经济发展局"],
        "已完成片区加压泵站改造，供水压力达标。",
        3,
    ),
    (
        "消防验收排队时间长",
        "主体工程已完工，消防验收预约排期超过 30 天。",
        "国土规划建设管理局",
        &["综合监管和执法局"],
        "已安排专场验收，消防验收合格。",
        4,
    ),
    (
        "设备进口减免税手续",
        "进口生产设备 26 台套，减免税确认手续尚未办结。",
        "经济发展局",
        &["财政局"],
        "已取得进口设备减免税确认书，设备已清关。",
        3,
    ),
    (
        "排污总量指标不足",
        "投产后 COD 排放总量指标缺口 12 吨/年。",
        "综合监管和执法局",
        &["经济发展局"],
        "已通过区内排污权交易调剂指标。",
        4,
    ),
    (
        "招工难：一线操作工缺口 300 人",
        "二季度投产需新增一线操作工 300 人，目前到岗不足一半。",
        "人力资源部",
        &["社会事务局"],
        "已组织 2 场专场招聘会并对接职业院校，到岗 280 人。",
        4,
    ),
    (
        "人才公寓和员工宿舍配套",
        "企业引进研发人员 60 名，需人才公寓周转。",
        "人力资源部",
        &["社会事务局"],
        "已安排人才公寓 60 套，员工已入住。",
        3,
    ),
];

/// The project book of the demo zone: about 120 investment projects at realistic stages (many
/// in talks or signed, fewer producing), each created at 在谈 and moved stage by stage with the
/// evidence the rulebook asks for, so that some have stayed too long and are stalled; monthly
/// investment, sales and tax since they started; about 40 blocking problems (resolved on time,
/// late, open, overdue and escalated); two weekly meetings with decisions; admission reviews
/// (one refused on the negative list); this year's targets; a leader's comments. A generator
/// of its own, so that the data before it stays the same per seed.
async fn demo_projects(
    writer: &mut Writer,
    admin: &gaoxin_platform::auth::Scope,
    seed: u64,
    enterprises: &[enterprise::Model],
    departments: &std::collections::HashMap<&str, i64>,
    leader_id: i64,
) -> anyhow::Result<()> {
    use chrono::{Datelike, Duration, NaiveDate};
    use gaoxin_land::contract_entity;
    use gaoxin_projects::{domain as book, store as projects};
    use sea_orm::QueryOrder;
    let err = |e: gaoxin_platform::error::AppError| anyhow::anyhow!("{e}");
    let mut rng = Rng::new(seed ^ 0x9c0d_0009);
    let today = admin.today();
    let (file, source) = projects::SHIPPED;
    projects::load_rulebook(writer, admin.zone_id(), file, source, None)
        .await
        .map_err(err)?;
    let (rules, _) = projects::rulebook_in_use(writer.read(), admin).await.map_err(err)?;
    let department = |name: &str| departments.get(name).copied();
    let carriers: Vec<(i64, String)> = admin
        .select::<carrier::Entity>()
        .all(writer.read())
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let contracts = admin
        .select::<contract_entity::Entity>()
        .order_by_asc(contract_entity::Column::Id)
        .all(writer.read())
        .await?;
    let active: Vec<&enterprise::Model> = enterprises.iter().filter(|e| e.status == "active").collect();
    let Some(own) = enterprises.first() else {
        return Ok(());
    };
    let earliest = NaiveDate::from_ymd_opt(today.year() - 1, 1, 6).unwrap_or(today);
    const OFFICERS: &[&str] = &["孟凡超", "程丽娟", "高志远", "宋佳", "韩冬", "冯晓燕", "郑凯"];
    const LEADERS: &[&str] = &["孙立新", "周振华", "赵春雨", "吴国栋"];
    const SOURCES: &[&str] = &["中介招商", "驻点招商", "以商招商", "基金招商", "委托招商"];
    const CITIES: &[&str] = &[
        "深圳市",
        "上海",
        "苏州",
        "杭州",
        "北京",
        "合肥",
        "武汉",
        "郑州",
        "宁波",
        "东莞",
        "天津",
        "成都",
    ];
    const COOPERATING: &[&str] = &[
        "国土规划建设管理局",
        "行政服务中心",
        "经济发展局",
        "综合监管和执法局",
        "财政局",
        "科学技术局",
    ];
    // Stage weights (在谈 … 达产) and the days a project typically spends in each.
    const WEIGHTS: [usize; 7] = [31, 24, 12, 18, 5, 7, 3];
    const TYPICAL: [(i64, i64); 7] = [(25, 150), (15, 80), (20, 80), (240, 450), (25, 100), (150, 420), (0, 0)];
    // Most amounts near the low end of the range, a few large.
    let skewed = |rng: &mut Rng, lo: i64, hi: i64| {
        let u = rng.below(101) as i64;
        lo + (hi - lo) * u * u / 10_000
    };
    let pick_stage = |rng: &mut Rng| {
        let mut roll = rng.below(100);
        for (i, w) in WEIGHTS.iter().enumerate() {
            if roll < *w {
                return i;
            }
            roll -= w;
        }
        0
    };
    let word_of = |code: &str| match &code[..2] {
        "38" => "新能源",
        "39" => "电子",
        "27" | "26" => "生物",
        "35" | "34" => "智能装备",
        "65" | "64" => "信息技术",
        "36" => "汽车",
        "37" => "航空",
        _ => "新材料",
    };
    let carrier_for = |code: &str, total_wan: i64, rng: &mut Rng| {
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
    };

    struct Spec {
        name: String,
        enterprise_id: Option<i64>,
        investor: String,
        industry: String,
        total: i64,
        stage: usize,
        /// The date the project entered each stage up to its current one.
        dates: Vec<NaiveDate>,
        contract: Option<(i64, i64, String, Option<i64>)>,
        land_area: Option<i64>,
        leader: String,
        leader_account: Option<i64>,
        officer: String,
        source: String,
        lead: Option<i64>,
        cooperating: Vec<i64>,
        carrier: Option<i64>,
        note: String,
    }
    // The history: the days in the current stage (past the limit for a stalled project), the
    // days in each earlier one, squeezed into the time since `earliest`.
    let history = |rng: &mut Rng, stage: usize, stalled: bool| -> Vec<NaiveDate> {
        let limit = rules.stages[stage].max_days;
        let mut current = match limit {
            Some(max) if stalled => max + 5 + rng.below(80) as i64,
            // Building and producing: mostly since this year.
            Some(_) if stage == 3 || stage == 5 => 20 + rng.below(400) as i64,
            Some(max) => 3 + rng.below((max * 85 / 100) as usize) as i64,
            None => 15 + rng.below(200) as i64,
        };
        let span = (today - earliest).num_days();
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
    };
    let mut used_names = std::collections::HashSet::new();
    let mut specs: Vec<Spec> = Vec::new();
    let total_projects = 120;
    for n in 0..total_projects {
        // Who invests: the registry's own firms (the enterprise account's twice, the 标准地
        // contract holders), else a prospect from elsewhere.
        let contract = (n < 3).then(|| contracts.get(n)).flatten();
        let linked: Option<&enterprise::Model> = if let Some(c) = contract {
            enterprises.iter().find(|e| e.id == c.enterprise_id)
        } else if n == 3 || n == 4 {
            Some(own)
        } else if n > 6 && rng.below(100) < 37 && !active.is_empty() {
            Some(*rng.pick(&active))
        } else {
            None
        };
        let cement = n == 5;
        let brand = linked
            .map(|e| e.name.trim_start_matches("新乡").chars().take(2).collect::<String>())
            .unwrap_or_else(|| rng.pick(TRADE_NAMES).to_string());
        let (mut name, industry, total_wan) = if cement {
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
                    (format!("{brand}{}", t.0), t.1.to_string(), skewed(&mut rng, t.2, t.3))
                }
                (Some(code), _) => (
                    format!("{brand}{}", rng.pick(EXPANSIONS)),
                    code,
                    skewed(&mut rng, 3_000, 80_000),
                ),
                (None, _) => {
                    let t = rng.pick(PROJECT_TEMPLATES);
                    (format!("{brand}{}", t.0), t.1.to_string(), skewed(&mut rng, t.2, t.3))
                }
            }
        };
        if !used_names.insert(name.clone()) {
            name = format!("{}（二期）", name.trim_end_matches("项目"));
            if !used_names.insert(name.clone()) {
                continue;
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
            pick_stage(&mut rng)
        };
        let stalled = stage < 6 && !cement && rng.below(100) < 10;
        let dates = history(&mut rng, stage, stalled);
        let major = rules.is_major(total);
        let (leader, leader_account) = if (major && rng.below(100) < 85) || rng.below(100) < 20 {
            if major && rng.below(100) < 30 && leader_id > 0 {
                ("李明".to_string(), Some(leader_id))
            } else {
                (rng.pick(LEADERS).to_string(), None)
            }
        } else {
            (String::new(), None)
        };
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
        specs.push(Spec {
            name,
            enterprise_id: linked.map(|e| e.id),
            investor,
            carrier: carrier_for(&industry, total_wan, &mut rng),
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
            lead: department(lead),
            cooperating: cooperating.iter().filter_map(|c| department(c)).collect(),
            note: if cement {
                "投资方为水泥企业，拟利用园区铁路专用线".into()
            } else {
                String::new()
            },
        });
    }
    specs.sort_by_key(|s| s.dates[0]);
    let wan = |fen: i64| book::wan(fen);
    let month_of = |d: NaiveDate| NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
    let next_month = |d: NaiveDate| {
        if d.month() == 12 {
            NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
        }
        .unwrap_or(d)
    };
    let this_month = month_of(today);
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let mut per_year: std::collections::HashMap<i32, usize> = Default::default();
    let mut contract_seq: std::collections::HashMap<i32, usize> = Default::default();
    // (project id, created on, stage, stalled)
    let mut made: Vec<(i64, NaiveDate, usize, bool)> = Vec::new();
    for s in &specs {
        let created = s.dates[0];
        let seq = per_year.entry(created.year()).or_default();
        *seq += 1;
        let code = format!("XM{}-{:04}", created.year(), seq);
        // Monthly figures from the month the project started: investment while it builds,
        // sales and tax once it produces (ramping up to capacity).
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
        // This year's planned investment: the pace so far over the whole year, some set too
        // high so that the project falls behind 序时进度.
        let done: Vec<i64> = months
            .iter()
            .filter(|(m, ..)| *m >= year_start)
            .filter_map(|(_, i, ..)| *i)
            .collect();
        let planned_investment = (!done.is_empty() && (3..=5).contains(&s.stage)).then(|| {
            let first = started.map(|d| month_of(d).max(year_start)).unwrap_or(year_start);
            let months_in_year = 13 - first.month() as i64;
            done.iter().sum::<i64>() / done.len() as i64 * months_in_year / 100 * (78 + rng.below(28) as i64)
                / 1_000_000
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
            1 | 2 => Some(ahead(&mut rng, s.dates[s.stage], 90, 240)),
            _ => started.map(|d| d - Duration::days(rng.below(40) as i64)),
        };
        let planned_production = match s.stage {
            0 => None,
            1 | 2 => planned_start.map(|d| d.max(today) + Duration::days(365 + rng.below(180) as i64)),
            3 | 4 => Some(ahead(&mut rng, s.dates[s.stage], 200, 500)),
            _ => producing,
        };
        let new = projects::NewProject {
            code: code.clone(),
            name: s.name.clone(),
            enterprise_id: s.enterprise_id,
            investor: s.investor.clone(),
            industry_code: s.industry.clone(),
            total_investment: wan(s.total),
            fixed_investment: wan(fixed),
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
            stage_since: Some(created),
            planned_start,
            planned_production,
            planned_investment: planned_investment.map(wan).unwrap_or_default(),
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
        };
        let p = projects::create(writer, admin, &new, today)
            .await
            .map_err(|e| anyhow::anyhow!("{code} {}: {e}", s.name))?;
        for (i, on) in s.dates.iter().enumerate().skip(1) {
            let y = on.year();
            let evidence = match i {
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
            };
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
        for (m, inv, sales, tax) in months {
            projects::save_month_unchecked(
                writer,
                admin,
                p.id,
                &projects::MonthFigures {
                    month: book::month_key(m),
                    investment: inv.map(wan).unwrap_or_default(),
                    sales: sales.map(wan).unwrap_or_default(),
                    tax: tax.map(wan).unwrap_or_default(),
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
        made.push((p.id, created, s.stage, stalled));
    }
    // Blocking problems: on projects signed or later, the stalled ones more often.
    let mut problem_ids = Vec::new();
    let last_month_end = this_month - Duration::days(1);
    for k in 0..40usize {
        // resolved on time (the first three last month), late, open, overdue, escalated
        let kind = match k % 10 {
            0..=2 => "on_time",
            3 => "late",
            4 if k < 20 => "on_time",
            4 => "late",
            5 | 6 => "open",
            7 => "overdue",
            _ => "escalated",
        };
        let back = |rng: &mut Rng, lo: i64, hi: i64| today - Duration::days(lo + rng.below((hi - lo) as usize) as i64);
        let (raised, deadline, resolved) = match kind {
            "on_time" if k < 3 => {
                let done = last_month_end - Duration::days(rng.below(25) as i64);
                let raised = done - Duration::days(5 + rng.below(20) as i64);
                (raised, done + Duration::days(rng.below(10) as i64), Some(done))
            }
            "on_time" => {
                let raised = back(&mut rng, 40, 220);
                let deadline = raised + Duration::days(20 + rng.below(25) as i64);
                (
                    raised,
                    deadline,
                    Some(raised + Duration::days(5 + rng.below(15) as i64)),
                )
            }
            "late" => {
                let raised = back(&mut rng, 60, 220);
                let deadline = raised + Duration::days(15 + rng.below(15) as i64);
                (
                    raised,
                    deadline,
                    Some((deadline + Duration::days(3 + rng.below(22) as i64)).min(today)),
                )
            }
            "open" => {
                let raised = back(&mut rng, 0, 15);
                (raised, today + Duration::days(1 + rng.below(25) as i64), None)
            }
            "overdue" => {
                let raised = back(&mut rng, 25, 45);
                (raised, today - Duration::days(1 + rng.below(6) as i64), None)
            }
            _ => {
                let raised = back(&mut rng, 45, 120);
                let deadline = (raised + Duration::days(15 + rng.below(20) as i64)).min(today - Duration::days(9));
                (raised, deadline, None)
            }
        };
        let (title, detail, lead, cooperating, answer, from_stage) = *rng.pick(PROJECT_PROBLEMS);
        let candidates: Vec<&(i64, NaiveDate, usize, bool)> = made
            .iter()
            .filter(|(_, created, stage, ..)| *stage >= from_stage.max(1) && *created <= raised)
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let stalled: Vec<&&(i64, NaiveDate, usize, bool)> = candidates.iter().filter(|c| c.3).collect();
        let project = if !stalled.is_empty() && rng.below(3) == 0 {
            **rng.pick(&stalled)
        } else {
            *rng.pick(&candidates)
        };
        let q = projects::raise_problem(
            writer,
            admin,
            project.0,
            &projects::NewProblem {
                title: title.to_string(),
                detail: detail.to_string(),
                lead_department_id: department(lead),
                cooperating_department_ids: cooperating.iter().filter_map(|c| department(c)).collect(),
                deadline: Some(deadline.max(raised)),
            },
            raised,
        )
        .await
        .map_err(err)?;
        if let Some(on) = resolved {
            projects::resolve_problem(writer, admin, q.id, answer, on.max(raised), today)
                .await
                .map_err(err)?;
        } else {
            problem_ids.push((q.id, project.0, kind));
        }
    }
    // Admission reviews: three projects in talks, and the cement plant refused on the
    // negative list.
    let all_checks: Vec<String> = rules.admission.checklist.iter().map(|c| c.key.clone()).collect();
    let current = projects::book(writer.read(), admin).await.map_err(err)?;
    let in_talks: Vec<&book::Project> = current
        .projects
        .iter()
        .filter(|p| p.stage == rules.stages[0].key)
        .collect();
    let mut reviewed = Vec::new();
    let cement = in_talks.iter().find(|p| p.industry_code.as_deref() == Some("3011"));
    let planned: Vec<&&book::Project> = in_talks
        .iter()
        .filter(|p| {
            let code = p.industry_code.as_deref().unwrap_or("");
            rules.admission.industries.iter().any(|i| code.starts_with(&i.prefix))
        })
        .collect();
    for (i, p) in planned.iter().take(3).map(|p| **p).chain(cement.copied()).enumerate() {
        let ticked: Vec<String> = match i {
            0 | 1 => all_checks.clone(),
            2 => all_checks.iter().take(2).cloned().collect(),
            _ => all_checks.clone(),
        };
        let note = match i {
            0 => "符合园区产业规划，同意准入，请投促局加快推进签约。",
            1 => "同意准入，建议进一步落实项目用地。",
            2 => "有条件准入：须在签约前补充能耗和排放论证材料。",
            _ => "属准入负面清单，不予准入，请投促局做好解释工作。",
        };
        let on = (today - Duration::days(3 + 14 * i as i64)).max(p.stage_since);
        projects::record_review(writer, admin, p.id, &ticked, "", note, on)
            .await
            .map_err(err)?;
        reviewed.push(projects::Proposed {
            project_id: p.id,
            problem_id: None,
            reason: format!("准入评审：{}", p.name),
        });
    }
    if !reviewed.is_empty() {
        let held = today - Duration::days(3);
        projects::create_meeting(writer, admin, "review", held, "项目准入评审会（双周一评审）", &reviewed)
            .await
            .map_err(err)?;
    }
    // Two weekly meetings (一周一会办) on the last two Mondays, with decisions.
    let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    let department_names: std::collections::HashMap<i64, &str> = departments.iter().map(|(n, id)| (*id, *n)).collect();
    for (w, held) in [monday - Duration::days(7), monday].into_iter().enumerate() {
        let mut items = projects::agenda(&current.as_of(held), held + Duration::days(6), held);
        items.truncate(10);
        let m = projects::create_meeting(
            writer,
            admin,
            "weekly",
            held,
            &format!(
                "重大项目推进周会办会（{}年第{}周）",
                held.year(),
                held.iso_week().week()
            ),
            &items,
        )
        .await
        .map_err(err)?;
        let (_, items) = projects::meeting(writer.read(), admin, m.id).await.map_err(err)?;
        for item in items.iter().take(if w == 0 { 6 } else { 3 }) {
            let lead = item
                .problem_id
                .and_then(|q| current.problems.iter().find(|x| x.id == q))
                .map(|q| q.lead_department_id)
                .or(department("投资促进局"));
            let who = lead
                .and_then(|d| department_names.get(&d))
                .copied()
                .unwrap_or("投资促进局");
            let days = 7 + rng.below(8) as i64;
            let decision = if item.problem_id.is_some() {
                format!("由{who}牵头，会同配合部门{days}日内协调解决，结果报管委会办公室。")
            } else {
                format!("由{who}约谈投资方，摸清停滞原因，{days}日内提出推进方案。")
            };
            projects::record_decision(
                writer,
                admin,
                item.id,
                &decision,
                lead,
                Some(held + Duration::days(days)),
            )
            .await
            .map_err(err)?;
        }
    }
    // This year's targets.
    for (metric, label, value) in [
        ("major_signed", "“12345”招商目标：超亿元项目签约", "41"),
        ("major_started", "超亿元项目开工", "16"),
        ("major_producing", "超亿元项目投产", "14"),
        ("signed_amount", "签约项目总投资（亿元）", "370"),
        ("investment", "重大项目完成投资（亿元）", "120"),
    ] {
        projects::save_target(writer, admin, today.year(), metric, label, value)
            .await
            .map_err(err)?;
    }
    // The leader's comments (批示) on his projects and on escalated problems.
    if leader_id > 0 {
        use gaoxin_platform::auth::{Caller, Credential, Scope};
        let leader = Scope::new(
            Caller {
                account_id: leader_id,
                username: "leader".into(),
                display_name: "李明".into(),
                role: Role::Leader,
                zone: Some(admin.zone().clone()),
                department_id: None,
                enterprise_id: None,
                locale: Default::default(),
                credential: Credential::Token { id: 0 },
            },
            admin.zone().clone(),
            None,
            admin.clock(),
        );
        // On his own projects: one in talks or signed, one waiting for land, one stalled.
        let mine: Vec<&book::Project> = current
            .projects
            .iter()
            .filter(|p| p.leader_account_id == Some(leader_id))
            .collect();
        let position = |p: &book::Project| rules.position(&p.stage);
        let stalled = |p: &book::Project| rules.stalled(&p.stage, p.stage_since, today).is_some();
        let picks = [
            (
                mine.iter().find(|p| position(p) <= 1 && !stalled(p)),
                "该项目是今年“12345”招商的重点，请投促局倍加关注，每月报送进展。",
            ),
            (
                mine.iter().find(|p| position(p) == 2 && !stalled(p)),
                "请国规局加快办理规划和施工许可手续，确保按计划开工。",
            ),
            (
                mine.iter().find(|p| stalled(p)),
                "停滞时间较长，请牵头部门在下周会办会上专题汇报原因和推进措施。",
            ),
        ];
        for (p, text) in picks {
            if let Some(p) = p {
                projects::add_comment(writer, &leader, p.id, None, text)
                    .await
                    .map_err(err)?;
            }
        }
        for (q, project, _) in problem_ids.iter().filter(|(.., kind)| *kind == "escalated").take(2) {
            projects::add_comment(
                writer,
                &leader,
                *project,
                Some(*q),
                "此问题已逾期升级，请牵头部门主要负责同志亲自协调，本周五前反馈结果。",
            )
            .await
            .map_err(err)?;
        }
    }
    Ok(())
}
