//! `gaoxin user add|passwd|disable|list`.

use std::io::BufRead;

use clap::Subcommand;

use super::domain::{self, AccountDraft, AccountState};
use super::store;
use anyhow::{Context, anyhow, bail};
use gaoxin_core::roles::Role;
use gaoxin_core::uscc::verify_uscc;
use gaoxin_core::validate;
use gaoxin_enterprises::entity as enterprise;
use gaoxin_platform::accounts::entity::account;
use gaoxin_platform::audit::{WriteContext, Writer};
use gaoxin_platform::cli::{Format, print_json};
use gaoxin_platform::db::Db;
use gaoxin_platform::departments::entity as department;
use gaoxin_platform::secrets::hash_password;
use gaoxin_platform::zones::{entity as zone, store as zones};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// 新增用户 (create an account)
    Add {
        username: String,
        /// admin | leader | staff | enterprise | auditor | province
        #[arg(long)]
        role: String,
        /// 姓名 (display name; default: the user name)
        #[arg(long)]
        name: Option<String>,
        /// 开发区代码 (zone code; default: the only zone). Not for province accounts.
        #[arg(long)]
        zone: Option<String>,
        /// 部门名称 (required for staff)
        #[arg(long)]
        department: Option<String>,
        /// 企业统一社会信用代码 (required for enterprise users)
        #[arg(long)]
        enterprise: Option<String>,
        /// Password; else read from GAOXIN_PASSWORD or one line of standard input
        #[arg(long, env = "GAOXIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// 修改密码 (set a new password)
    Passwd {
        username: String,
        #[arg(long, env = "GAOXIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// 停用用户 (disable an account and end its sessions)
    Disable { username: String },
    /// 列出用户 (list accounts)
    List {
        #[arg(long)]
        zone: Option<String>,
    },
}

fn read_password(given: Option<String>) -> anyhow::Result<String> {
    let password = match given {
        Some(p) => p,
        None => {
            eprintln!("请输入密码（一行）：");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    validate::password("password", &password).map_err(|e| anyhow!("{}", e.message))?;
    Ok(password)
}

async fn zone_for(db: &Db, code: Option<&str>) -> anyhow::Result<zone::Model> {
    match code {
        Some(code) => zones::by_code(db, code)
            .await?
            .ok_or_else(|| anyhow!("开发区代码 {code} 不存在（gaoxin zone list 可列出全部）")),
        None => {
            let all = zones::all(db).await?;
            match all.len() {
                0 => bail!("还没有开发区：请先运行 gaoxin zone add CODE NAME"),
                1 => Ok(all.into_iter().next().expect("one zone")),
                n => bail!("共有 {n} 个开发区，请用 --zone 指定"),
            }
        }
    }
}

/// Runs `gaoxin user …`.
pub async fn run(db: &Db, command: UserCommand, format: Format) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            username,
            role,
            name,
            zone,
            department,
            enterprise,
            password,
        } => {
            let new = NewUser {
                username,
                role,
                name,
                zone,
                department,
                enterprise,
                password,
            };
            add(db, new, format).await
        }
        UserCommand::Passwd { username, password } => passwd(db, &username, password, format).await,
        UserCommand::Disable { username } => disable(db, &username, format).await,
        UserCommand::List { zone } => list(db, zone, format).await,
    }
}

/// The arguments of `gaoxin user add`.
struct NewUser {
    username: String,
    role: String,
    name: Option<String>,
    zone: Option<String>,
    department: Option<String>,
    /// The enterprise's 统一社会信用代码.
    enterprise: Option<String>,
    password: Option<String>,
}

/// The id of the zone's department named `name`.
async fn department_named(db: &Db, zone: &zone::Model, name: &str) -> anyhow::Result<i64> {
    Ok(department::Entity::find()
        .filter(department::Column::ZoneId.eq(zone.id))
        .filter(department::Column::Name.eq(name.trim()))
        .one(db.conn())
        .await?
        .ok_or_else(|| anyhow!("开发区 {} 没有名为“{name}”的部门", zone.code))?
        .id)
}

/// The id of the zone's enterprise whose 统一社会信用代码 is `code`.
async fn enterprise_coded(db: &Db, zone: &zone::Model, code: &str) -> anyhow::Result<i64> {
    let code = verify_uscc(code).map_err(|m| anyhow!("--enterprise：{m}"))?;
    Ok(enterprise::Entity::find()
        .filter(enterprise::Column::ZoneId.eq(zone.id))
        .filter(enterprise::Column::Uscc.eq(code.clone()))
        .one(db.conn())
        .await?
        .ok_or_else(|| anyhow!("开发区 {} 没有统一社会信用代码为 {code} 的企业", zone.code))?
        .id)
}

async fn add(db: &Db, new: NewUser, format: Format) -> anyhow::Result<()> {
    let NewUser {
        username,
        role,
        name,
        zone,
        department,
        enterprise: uscc,
        password,
    } = new;
    let role_parsed = Role::parse(&role)
        .ok_or_else(|| anyhow!("未知角色 {role}：可选 admin leader staff enterprise auditor province"))?;
    let zone = if role_parsed == Role::Province {
        if zone.is_some() {
            bail!("省/市级账号不属于某个开发区，不能指定 --zone");
        }
        None
    } else {
        Some(zone_for(db, zone.as_deref()).await?)
    };
    let department_id = match (&department, &zone) {
        (Some(dname), Some(z)) => Some(department_named(db, z, dname).await?),
        _ => None,
    };
    let enterprise_id = match (&uscc, &zone) {
        (Some(code), Some(z)) => Some(enterprise_coded(db, z, code).await?),
        _ => None,
    };
    let input = domain::validate(
        &AccountDraft {
            display_name: name.unwrap_or_else(|| username.clone()),
            username,
            role,
            department_id,
            enterprise_id,
        },
        true,
    )
    .map_err(|e| anyhow!("{}：{}", e.field, e.message))?;
    let password = read_password(password)?;
    let hashed = hash_password(&password)?;
    let zone_id = zone.as_ref().map(|z| z.id);
    let mut writer = Writer::begin(db, WriteContext::cli(zone_id)).await?;
    let account = store::create(&mut writer, zone_id, input, hashed)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    writer.commit().await?;
    match format {
        Format::Json => print_json(&serde_json::json!({
            "id": account.id, "username": account.username, "role": account.role,
            "zone": zone.map(|z| z.code),
        })),
        Format::Text | Format::Csv => {
            println!("已创建用户 {}（{}，id {}）", account.username, account.role, account.id)
        }
    }
    Ok(())
}

async fn passwd(db: &Db, username: &str, password: Option<String>, format: Format) -> anyhow::Result<()> {
    let account = store::by_username(db, username)
        .await?
        .ok_or_else(|| anyhow!("用户 {username} 不存在"))?;
    let password = read_password(password)?;
    let hashed = hash_password(&password)?;
    let mut writer = Writer::begin(db, WriteContext::cli(account.zone_id)).await?;
    store::set_password(&mut writer, &account, hashed)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    store::end_sessions(&mut writer, account.id, None)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    writer.commit().await?;
    match format {
        Format::Json => print_json(&serde_json::json!({"username": account.username, "password_changed": true})),
        Format::Text | Format::Csv => println!("已修改 {} 的密码，其所有登录已退出", account.username),
    }
    Ok(())
}

async fn disable(db: &Db, username: &str, format: Format) -> anyhow::Result<()> {
    let account = store::by_username(db, username)
        .await?
        .ok_or_else(|| anyhow!("用户 {username} 不存在"))?;
    let input = domain::validate(
        &AccountDraft {
            username: account.username.clone(),
            display_name: account.display_name.clone(),
            role: account.role.clone(),
            department_id: account.department_id,
            enterprise_id: account.enterprise_id,
        },
        true,
    )
    .map_err(|e| anyhow!("{}：{}", e.field, e.message))?;
    let mut writer = Writer::begin(db, WriteContext::cli(account.zone_id)).await?;
    store::update(&mut writer, &account, input, false)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    writer.commit().await?;
    match format {
        Format::Json => print_json(&serde_json::json!({"username": account.username, "active": false})),
        Format::Text | Format::Csv => println!("已停用用户 {}", account.username),
    }
    Ok(())
}

async fn list(db: &Db, zone: Option<String>, format: Format) -> anyhow::Result<()> {
    let mut select = account::Entity::find().order_by_asc(account::Column::Id);
    if let Some(code) = zone {
        let z = zone_for(db, Some(&code)).await?;
        select = select.filter(account::Column::ZoneId.eq(z.id));
    }
    let accounts = select.all(db.conn()).await.context("读取用户失败")?;
    match format {
        Format::Json => print_json(
            &accounts
                .iter()
                .map(|a| {
                    serde_json::json!({"id": a.id, "username": a.username, "display_name": a.display_name,
                    "role": a.role, "zone_id": a.zone_id, "active": a.active})
                })
                .collect::<Vec<_>>(),
        ),
        Format::Text | Format::Csv => {
            for a in accounts {
                println!(
                    "{:<20} {:<12} {:<10} {}",
                    a.username,
                    a.display_name,
                    a.role,
                    AccountState::of_flag(a.active).label()
                );
            }
        }
    }
    Ok(())
}
