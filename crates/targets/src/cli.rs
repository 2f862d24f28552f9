//! `gaoxin target list|status`: the zone's targets and where they stood at a month's end.

use clap::Subcommand;

use crate::store::{self, Filter};
use gaoxin_platform::cli::Format;
use gaoxin_platform::db::Db;

#[derive(Subcommand, Debug)]
pub enum TargetCommand {
    /// 列出某年度的目标及其序时进度状态
    List {
        /// The year (default: the latest year with targets, not after this one)
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        zone: Option<String>,
    },
    /// 导入目标（.xlsx/.csv，与网页导入同一模板）：先逐行检查，有任何错误则不导入并列出行、列和原因（退出码 1）
    Import {
        file: std::path::PathBuf,
        /// Check every row, save nothing
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        zone: Option<String>,
    },
    /// 某月末各目标的完成情况：应完成、实际、状态和说明
    Status {
        /// The month, e.g. 2026-11 (default: today)
        #[arg(long)]
        month: Option<String>,
        #[arg(long)]
        zone: Option<String>,
    },
}

macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

pub async fn run(db: &Db, command: TargetCommand, format: Format) -> anyhow::Result<()> {
    let (year, month, zone) = match command {
        TargetCommand::List { year, zone } => (year, None, zone),
        TargetCommand::Status { month, zone } => (None, month, zone),
        TargetCommand::Import { file, dry_run, zone } => return import(db, &file, dry_run, zone, format).await,
    };
    let scope = gaoxin_platform::cli::admin_scope(db, zone.as_deref()).await?;
    let as_of = store::as_of(month.as_deref(), scope.today()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (_, default_year) = store::years(db.conn(), &scope)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let year = match (year, &month) {
        (Some(y), _) => y,
        (None, Some(_)) => chrono::Datelike::year(&as_of),
        (None, None) => default_year,
    };
    let filter = Filter {
        year: Some(year),
        ..Default::default()
    };
    let lines = store::lines(db.conn(), &scope, &filter, as_of)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    match format {
        Format::Json => {
            let items: Vec<serde_json::Value> = lines
                .iter()
                .map(|l| {
                    serde_json::json!({
                        "id": l.target.id,
                        "name": l.target.name,
                        "period": l.target.period,
                        "goal": l.goal_text,
                        "as_of": l.as_of,
                        "actual": l.actual.map(|a| a.normalize().to_string()),
                        "status": l.status_code(),
                        "explanation": l.explanation(),
                    })
                })
                .collect();
            outln!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({"items": items, "total": lines.len()}))?
            );
        }
        _ => {
            outln!("{year} 年目标（截至 {as_of}）：{} 个", lines.len());
            for l in &lines {
                outln!(
                    "{}\t{}\t{}\t{}\t{}",
                    l.target.name,
                    l.period.label(),
                    l.goal_text,
                    l.status_label(),
                    l.explanation()
                );
            }
        }
    }
    Ok(())
}

/// `target import`: the same report as the page and the API; exit 1 when any row is refused.
async fn import(
    db: &Db,
    file: &std::path::Path,
    dry_run: bool,
    zone: Option<String>,
    format: Format,
) -> anyhow::Result<()> {
    let scope = gaoxin_platform::cli::admin_scope(db, zone.as_deref()).await?;
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut writer =
        gaoxin_platform::audit::Writer::begin(db, gaoxin_platform::audit::WriteContext::cli(Some(scope.zone_id())))
            .await?;
    let report = crate::import::import(&mut writer, &scope, &name, &bytes, dry_run)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let failed = !report.errors.is_empty();
    if !failed && !dry_run {
        writer.commit().await?;
    }
    match format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&report)?),
        _ => {
            for e in &report.errors {
                outln!("{e}");
            }
            outln!(
                "{}{name}：新增 {} 个，更新 {} 个，未变 {} 个{}",
                if dry_run { "检查 " } else { "导入 " },
                report.new,
                report.changed,
                report.unchanged,
                if failed { "；有错误，未导入" } else { "" }
            );
        }
    }
    if failed {
        anyhow::bail!("{} 处错误，未导入", report.errors.len());
    }
    Ok(())
}
