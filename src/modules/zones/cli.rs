//! `gaoxin zone add|list`.

use clap::Subcommand;

use super::store;
use crate::cli::{Format, print_json};
use crate::platform::audit::WriteContext;
use crate::platform::db::Db;

#[derive(Subcommand, Debug)]
pub enum ZoneCommand {
    /// 新增开发区 (create a zone)
    Add {
        /// 代码，如 jiangyin (2–32 lower-case letters, digits, -)
        code: String,
        /// 名称，如 江阴高新区
        name: String,
    },
    /// 列出开发区 (list zones with counts)
    List,
}

/// The zone a command works on: `--zone CODE`, or the only zone there is.
pub async fn pick(db: &Db, code: Option<&str>) -> anyhow::Result<crate::modules::zones::entity::Model> {
    match code {
        Some(code) => super::store::by_code(db, code)
            .await?
            .ok_or_else(|| anyhow::anyhow!("开发区代码 {code} 不存在")),
        None => {
            let all = super::store::all(db).await?;
            match all.len() {
                1 => Ok(all.into_iter().next().expect("one zone")),
                0 => anyhow::bail!("还没有开发区：请先运行 gaoxin zone add CODE NAME"),
                n => anyhow::bail!("共有 {n} 个开发区，请用 --zone 指定"),
            }
        }
    }
}

pub async fn run(db: &Db, command: ZoneCommand, format: Format) -> anyhow::Result<()> {
    match command {
        ZoneCommand::Add { code, name } => {
            let zone = store::create(db, WriteContext::cli(None), &code, &name).await?;
            match format {
                Format::Json => print_json(&serde_json::json!({"id": zone.id, "code": zone.code, "name": zone.name})),
                Format::Text | Format::Csv => println!("已创建开发区 {} {}（id {}）", zone.code, zone.name, zone.id),
            }
        }
        ZoneCommand::List => {
            let mut rows = Vec::new();
            for z in store::all(db).await? {
                rows.push(store::summary(db, z).await?);
            }
            match format {
                Format::Json => print_json(&rows),
                Format::Text | Format::Csv => {
                    println!(
                        "{:<16} {:<24} {:>6} {:>6} {:>8}",
                        "代码", "名称", "部门", "用户", "企业"
                    );
                    for r in rows {
                        println!(
                            "{:<16} {:<24} {:>6} {:>6} {:>8}",
                            r.code, r.name, r.departments, r.accounts, r.enterprises
                        );
                    }
                }
            }
        }
    }
    Ok(())
}
