//! The demo zone of `gaoxin demo`: deterministic from the seed, written through the same
//! audited write path as everything else.
//!
//! This foundation generates the zone, the departments of seed 002, 60 enterprises with valid
//! 统一社会信用代码 and the six demo accounts. The registry issue grows it into the full
//! realistic zone (about 2,000 enterprises with five years of annual data).

use anyhow::{Context, bail};

use crate::modules::accounts::{domain::AccountInput, store as accounts};
use crate::modules::departments::{domain::DEMO_DEPARTMENTS, domain::DepartmentInput, store as departments};
use crate::modules::enterprises::{domain, store as enterprises};
use crate::modules::zones::{entity as zone, store as zones};
use crate::platform::audit::{WriteContext, Writer};
use crate::platform::db::Db;
use crate::platform::secrets::hash_password;
use crate::roles::Role;

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
    "致远", "科达",
];
const FIELDS: &[&str] = &[
    "生物医药",
    "基因技术",
    "医疗器械",
    "动力电池",
    "新能源汽车",
    "储能技术",
    "航空装备",
    "航天材料",
    "大数据",
    "软件",
    "智能装备",
    "新材料",
    "电子科技",
    "精密机械",
    "环保科技",
    "光电",
    "信息技术",
    "检测技术",
];
const SUFFIXES: &[&str] = &["有限公司", "股份有限公司", "科技有限公司"];

/// Builds a valid 统一社会信用代码: 91 (enterprise registered with market regulation), a
/// Xinxiang division code, a 9-character organisation code, the check character.
fn demo_uscc(rng: &mut Rng) -> String {
    const BODY: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut first17 = String::from("91410700");
    first17.push_str("MA");
    for _ in 0..7 {
        first17.push(BODY[rng.below(BODY.len())] as char);
    }
    domain::with_check_char(&first17).expect("generated from the allowed characters")
}

/// Fills an empty database with the demo zone. Refuses a database that already has zones.
pub async fn create(db: &Db, seed: u64) -> anyhow::Result<DemoSummary> {
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
    let mut seen = std::collections::HashSet::new();
    let mut first_enterprise = None;
    let mut count = 0;
    while count < 60 {
        let name = format!(
            "新乡{}{}{}",
            rng.pick(TRADE_NAMES),
            rng.pick(FIELDS),
            rng.pick(SUFFIXES)
        );
        let uscc = demo_uscc(&mut rng);
        if !seen.insert(name.clone()) || !seen.insert(uscc.clone()) {
            continue;
        }
        let e = enterprises::create(&mut writer, domain::validate(&name, &uscc).context("demo enterprise")?)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        first_enterprise.get_or_insert(e.id);
        count += 1;
    }
    for a in ACCOUNTS {
        let role = Role::parse(a.role).expect("demo roles are valid");
        let hash = hash_password(PASSWORD)?;
        accounts::create(
            &mut writer,
            Some(zone.id),
            AccountInput {
                username: a.username.into(),
                display_name: a.display_name.into(),
                role,
                department_id: a.department.map(|d| department_ids[d]),
                enterprise_id: (role == Role::Enterprise)
                    .then_some(first_enterprise.expect("enterprises were created")),
            },
            hash,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    writer.commit().await?;
    Ok(DemoSummary {
        zone_code: zone.code,
        zone_name: zone.name,
        departments: DEMO_DEPARTMENTS.len(),
        enterprises: count,
    })
}
