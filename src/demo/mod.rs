//! The demo zone of `gaoxin demo`: deterministic from the seed, written through the same
//! audited write path as everything else.
//!
//! It generates the zone, its registry (`registry`: the departments of seed 002, ten
//! carriers, enterprises with valid 统一社会信用代码 and real GB/T 4754 classes under four
//! leading industries (and others), five years (2020–2024) of annual data with heavy-tailed
//! revenue), the policy facts and 2023's awards (`policies`), the six demo accounts, the
//! cultivation ladder (`ladder`), 亩均 (`land`), the task ledger (`plans`) and the project book
//! (`projects`). Some data is missing the way real data is (no industry code, no tax or energy
//! figure).
//!
//! The registry and the policy facts draw from one generator (`rng`), in that order; the
//! ladder, land, plans and projects each have a generator of their own, seeded from the
//! seed, so that the data generated before them stays the same for a given seed.

mod ladder;
mod land;
mod plans;
mod policies;
mod projects;
mod registry;
mod rng;
mod targets;

use anyhow::Context;
use std::collections::HashMap;

use anyhow::bail;

use gaoxin_admin::accounts::{domain::AccountInput, store as accounts};
use gaoxin_core::clock::Clock;
use gaoxin_core::roles::Role;
use gaoxin_platform::audit::{WriteContext, Writer};
use gaoxin_platform::db::Db;
use gaoxin_platform::departments::domain::DEMO_DEPARTMENTS;
use gaoxin_platform::secrets::hash_password;
use gaoxin_platform::zones::{entity as zone, store as zones};

pub use rng::Rng;

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
    let department_ids = registry::create_departments(&mut writer, zone.id, &mut rng).await?;
    // The division of work a zone like this one has (职责分工).
    for (duty, department) in DEMO_DUTIES {
        gaoxin_platform::departments::duties::assign(&mut writer, zone.id, duty, Some(department_ids[department]))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let carrier_ids = registry::create_carriers(&mut writer, &mut rng)
        .await
        .context("演示载体")?;
    let (created, plans) = registry::create_enterprises(&mut writer, &mut rng, enterprises, &carrier_ids)
        .await
        .context("演示企业")?;
    let first_enterprise = created.first().map(|e| e.id);
    let count = created.len();
    let annual_models = registry::create_annual_data(&mut writer, &mut rng, &created, plans)
        .await
        .context("演示年度数据")?;
    let with_carrier: Vec<(i64, bool)> = created.iter().map(|e| (e.id, e.carrier_id.is_some())).collect();
    policies::create_policies(&mut writer, zone.id, &mut rng, &with_carrier)
        .await
        .context("演示政策")?;
    let (leader_id, admin_id) = create_accounts(&mut writer, zone.id, &department_ids, first_enterprise).await?;
    policies::approve_2023(&mut writer, zone.id, leader_id).await?;
    ladder::demo_ladder(&mut writer, zone.id, seed, &created, &annual_models)
        .await
        .context("演示梯度培育")?;
    let admin = gaoxin_platform::auth::Scope::demo_admin(zone.clone().into(), admin_id, clock);
    land::demo_land(&mut writer, &admin, seed, &created, &department_ids)
        .await
        .context("演示亩均")?;
    plans::demo_plans(&mut writer, &admin, seed)
        .await
        .context("演示工作台账")?;
    projects::demo_projects(&mut writer, &admin, seed, &created, &department_ids, leader_id)
        .await
        .context("演示项目")?;
    targets::demo_targets(&mut writer, &admin, seed, &department_ids)
        .await
        .context("演示目标")?;
    writer.commit().await?;
    Ok(DemoSummary {
        zone_code: zone.code,
        zone_name: zone.name,
        departments: DEMO_DEPARTMENTS.len(),
        enterprises: count,
    })
}

/// Which demo department holds each area of work.
const DEMO_DUTIES: [(gaoxin_platform::departments::duties::Duty, &str); 5] = {
    use gaoxin_platform::departments::duties::Duty;
    [
        (Duty::Registry, "经济发展局"),
        (Duty::Ladder, "科学技术局"),
        (Duty::Land, "经济发展局"),
        (Duty::Parcels, "国土规划建设管理局"),
        (Duty::Policies, "科学技术局"),
    ]
};

/// The six demo accounts (the enterprise account on the first enterprise); returns the
/// leader's and the administrator's account ids.
async fn create_accounts(
    writer: &mut Writer,
    zone_id: i64,
    department_ids: &HashMap<&str, i64>,
    first_enterprise: Option<i64>,
) -> anyhow::Result<(i64, i64)> {
    let mut leader_id = 0;
    let mut admin_id = 0;
    for a in ACCOUNTS {
        let role = Role::parse(a.role).expect("demo roles are valid");
        let hash = hash_password(PASSWORD)?;
        let account = accounts::create(
            writer,
            Some(zone_id),
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
    Ok((leader_id, admin_id))
}
