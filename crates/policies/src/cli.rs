//! `gaoxin policy …`: the database-free commands of the rules engine (`eval`, `explain`) and
//! the zone's policies on the database (`load`, `list`, `batch`).

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use clap::Subcommand;

use super::compute::yuan;
use super::store;
use gaoxin_platform::audit::{WriteContext, Writer};
use gaoxin_platform::cli::{Format, print_json};
use gaoxin_platform::db::Db;

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    #[command(flatten)]
    File(crate::rule_files::PolicyCommand),
    /// 启用规则文件（或目录中的全部 .toml）：检查、运行其测试、存为开发区的在用版本
    Load {
        /// A rule file or a folder of them
        path: PathBuf,
        /// Zone code (default: the only zone)
        #[arg(long)]
        zone: Option<String>,
    },
    /// 列出开发区在用的政策版本
    List {
        #[arg(long)]
        zone: Option<String>,
    },
    /// 生成某年度的免申即享兑现批次（草稿）
    Batch {
        #[arg(long)]
        year: i32,
        #[arg(long, default_value = "")]
        title: String,
        #[arg(long)]
        zone: Option<String>,
    },
}

/// Whether the command needs the database.
pub fn needs_db(command: &PolicyCommand) -> bool {
    !matches!(command, PolicyCommand::File(_))
}

pub async fn run(db: Option<&Db>, command: PolicyCommand, format: Format) -> anyhow::Result<()> {
    let db = match (command, db) {
        (PolicyCommand::File(c), _) => return crate::rule_files::run_policy(c, format),
        (c, Some(db)) => (c, db),
        (_, None) => unreachable!("needs_db"),
    };
    match db {
        (PolicyCommand::Load { path, zone }, db) => {
            let zone = gaoxin_platform::cli::pick(db, zone.as_deref()).await?;
            let files = gaoxin_rules::toml_files(&path).with_context(|| format!("无法读取 {}", path.display()))?;
            let mut writer = Writer::begin(db, WriteContext::cli(Some(zone.id))).await?;
            let mut out = Vec::new();
            for f in files {
                let source = std::fs::read_to_string(&f).with_context(|| format!("无法读取 {}", f.display()))?;
                let name = f
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let (v, loaded) = crate::rule_file::load_policy_file(&mut writer, zone.id, &name, &source, None)
                    .await
                    .map_err(|e| anyhow!("{e}"))?;
                out.push((v, loaded));
            }
            writer.commit().await?;
            match format {
                Format::Json => print_json(
                    &out.iter()
                        .map(|(v, l)| serde_json::json!({"policy": v.policy_id, "version": v.version, "id": v.id, "loaded": l}))
                        .collect::<Vec<_>>(),
                ),
                _ => {
                    for (v, l) in &out {
                        let what = l.short();
                        println!("{what}  {} {}（{}）", v.document_number, v.policy_id, &v.version[..12]);
                    }
                }
            }
            Ok(())
        }
        (PolicyCommand::List { zone }, db) => {
            let zone = gaoxin_platform::cli::pick(db, zone.as_deref()).await?;
            let versions = store::active_versions(db.conn(), zone.id).await?;
            match format {
                Format::Json => print_json(&versions),
                _ => {
                    for v in &versions {
                        println!(
                            "{}  {} {}（{}）",
                            v.policy_id,
                            v.document_number,
                            v.title,
                            &v.version[..12]
                        );
                    }
                }
            }
            Ok(())
        }
        (PolicyCommand::Batch { year, title, zone }, db) => {
            let zone = gaoxin_platform::cli::pick(db, zone.as_deref()).await?;
            let mut writer = Writer::begin(db, WriteContext::cli(Some(zone.id))).await?;
            let b = store::create_batch(&mut writer, zone.id, year, &title, 0)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            writer.commit().await?;
            match format {
                Format::Json => print_json(&b),
                _ => println!(
                    "批次 #{} {}：{} 条明细，合计 {} 元（草稿，待审核）",
                    b.id,
                    b.title,
                    b.line_count,
                    yuan(b.total)
                ),
            }
            Ok(())
        }
        (PolicyCommand::File(_), _) => unreachable!("handled above"),
    }
}
