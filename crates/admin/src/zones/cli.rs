//! `gaoxin zone add|list`.

use clap::Subcommand;

use gaoxin_platform::audit::WriteContext;
use gaoxin_platform::cli::{Format, print_json};
use gaoxin_platform::db::Db;
use gaoxin_platform::zones::store;

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
                rows.push(super::summary::summary(db, z).await?);
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
