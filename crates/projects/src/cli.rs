//! `gaoxin project …`: the pipeline board, the monthly bulletin, the half-year scores, the
//! ledger import.

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use chrono::NaiveDate;
use clap::Subcommand;

use gaoxin_platform::audit::{WriteContext, Writer};
use gaoxin_platform::auth::Scope;
use gaoxin_platform::cli::Format;
use gaoxin_platform::db::Db;
use gaoxin_rules::project_rules;

#[derive(Subcommand, Debug)]
pub enum ProjectCommand {
    /// 列出项目库各阶段的项目数和总投资
    Board {
        #[arg(long)]
        zone: Option<String>,
    },
    /// 生成某月的重大项目推进情况通报（.docx，可另存 .xlsx）：各阶段项目数、本月转段、滞后项目、逾期和已解决问题、停滞项目、部门情况
    Bulletin {
        /// The month, e.g. 2026-11
        #[arg(long)]
        month: String,
        /// Where to write the .docx
        #[arg(long)]
        out: PathBuf,
        /// Also write the sections as an .xlsx (one sheet each)
        #[arg(long)]
        xlsx: Option<PathBuf>,
        #[arg(long)]
        zone: Option<String>,
    },
    /// 按在用的项目推进规则计算考核期内部门和招商专员的得分（逐项列出得失分）
    Scores {
        /// 2026 (the year), 2026H1 or 2026H2
        #[arg(long)]
        period: String,
        #[arg(long)]
        zone: Option<String>,
    },
    /// 导入招商项目台账（.xlsx，与网页导入同一模板）：先逐行检查，有任何错误则不导入并列出行、列和原因
    Import {
        /// The ledger (.xlsx)
        file: PathBuf,
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

async fn zone_scope(db: &Db, zone: Option<String>) -> anyhow::Result<Scope> {
    gaoxin_platform::cli::admin_scope(db, zone.as_deref()).await
}

fn print_scores(title: &str, scores: &[project_rules::Score]) {
    outln!("{title}");
    if scores.is_empty() {
        outln!("  （无得分项）");
    }
    for s in scores {
        outln!("{:>3}. {} {}", s.rank, s.name, s.total.normalize());
        for l in &s.lines {
            outln!("       {:>6} {}", l.points.normalize().to_string(), l.text);
        }
    }
}

pub async fn run(db: &Db, command: ProjectCommand, format: Format) -> anyhow::Result<()> {
    let today = gaoxin_platform::cli::clock()?.today();
    match command {
        ProjectCommand::Board { zone } => board(db, zone, format, today).await,
        ProjectCommand::Bulletin { month, out, xlsx, zone } => {
            bulletin(db, month, out, xlsx, zone, format, today).await
        }
        ProjectCommand::Scores { period, zone } => scores(db, period, zone, format, today).await,
        ProjectCommand::Import { file, zone } => import(db, file, zone, format, today).await,
    }
}

/// `project board`: each stage's projects and amount.
async fn board(db: &Db, zone: Option<String>, format: Format, today: NaiveDate) -> anyhow::Result<()> {
    let scope = zone_scope(db, zone).await?;
    let book = super::store::book(db.conn(), &scope).await?;
    let lines = book.lines(today);
    let board = book.board(&lines);
    match format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&board)?),
        _ => {
            for c in board {
                outln!(
                    "{}\t{} 个\t{} 亿元\t超亿元 {} 个\t停滞 {} 个",
                    c.name,
                    c.count,
                    c.amount_yi(),
                    c.major,
                    c.stalled
                );
            }
        }
    }
    Ok(())
}

/// `project bulletin`: the month's bulletin as .docx (and .xlsx).
async fn bulletin(
    db: &Db,
    month: String,
    out: PathBuf,
    xlsx: Option<PathBuf>,
    zone: Option<String>,
    format: Format,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let scope = zone_scope(db, zone).await?;
    let book = super::store::book(db.conn(), &scope).await?;
    // A month still running is reported as of today.
    let b = book
        .bulletin_at(&month, today)
        .map_err(|e| anyhow!("无法生成通报：{e}"))?;
    let docx = super::bulletin::to_docx(&b, &scope.zone().name).context("无法生成通报 .docx")?;
    std::fs::write(&out, docx).with_context(|| format!("无法写入 {}", out.display()))?;
    if let Some(path) = &xlsx {
        let bytes = super::bulletin::to_xlsx(&b).map_err(|e| anyhow!(e))?;
        std::fs::write(path, bytes).with_context(|| format!("无法写入 {}", path.display()))?;
    }
    match format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&b)?),
        _ => outln!(
            "{month} 重大项目推进情况通报（截至 {}）：项目 {} 个，本月转段 {} 次，滞后 {} 个，停滞 {} 个，逾期问题 {} 个，本月解决 {} 个；已写入 {}{}",
            b.as_of,
            b.total,
            b.moved.len(),
            b.behind.len(),
            b.stalled.len(),
            b.overdue.len(),
            b.resolved.len(),
            out.display(),
            xlsx.map(|p| format!(" 和 {}", p.display())).unwrap_or_default()
        ),
    }
    Ok(())
}

/// `project scores`: a period's department and officer scores, line by line.
async fn scores(db: &Db, period: String, zone: Option<String>, format: Format, today: NaiveDate) -> anyhow::Result<()> {
    let scope = zone_scope(db, zone).await?;
    let (from, to) = project_rules::period(&period).map_err(|e| anyhow!(e))?;
    if from > today {
        return Err(anyhow!("考核期 {period} 还没有开始（{from} 起）"));
    }
    // A period still running is scored as of today.
    let end = to.min(today);
    let book = super::store::book(db.conn(), &scope).await?;
    let (projects, problems) = book.score_facts(from, end);
    let (departments, officers) = project_rules::scores(&book.rules.scores, &projects, &problems, end);
    match format {
        Format::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "period": period.trim().to_ascii_uppercase(),
                "from": from,
                "to": to,
                "as_of": end,
                "rulebook": book.rules.id,
                "version": book.rules.version,
                "departments": departments,
                "officers": officers,
            }))?
        ),
        _ => {
            outln!(
                "{}（版本 {}）{}：{from} 至 {to}{}",
                book.rules.name,
                &book.rules.version[..12],
                period.trim().to_ascii_uppercase(),
                if end < to {
                    format!("，截至 {end}")
                } else {
                    String::new()
                }
            );
            print_scores("部门得分", &departments);
            print_scores("招商专员得分", &officers);
        }
    }
    Ok(())
}

/// `project import`: the ledger, all rows or none.
async fn import(db: &Db, file: PathBuf, zone: Option<String>, format: Format, today: NaiveDate) -> anyhow::Result<()> {
    let zone = gaoxin_platform::cli::pick(db, zone.as_deref()).await?;
    let bytes = std::fs::read(&file).with_context(|| format!("无法读取文件 {}", file.display()))?;
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let scope = Scope::demo_admin(zone.clone().into(), 0, gaoxin_platform::cli::clock()?);
    let mut writer = Writer::begin(db, WriteContext::cli(Some(zone.id))).await?;
    match super::import::import_projects(&mut writer, &scope, &file_name, &bytes, today).await {
        Ok(done) => {
            writer.commit().await?;
            match format {
                Format::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"file": file_name, "created": done.created, "updated": done.updated})
                    )?
                ),
                _ => outln!(
                    "{file_name}：新增项目 {} 个，更新 {} 个（已导入）",
                    done.created,
                    done.updated
                ),
            }
            Ok(())
        }
        Err(errors) => {
            drop(writer);
            match format {
                Format::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({"file": file_name, "errors": errors}))?
                ),
                _ => {
                    for e in &errors {
                        if e.row == 0 {
                            outln!("{file_name}：{}", e.reason);
                        } else {
                            outln!("{e}");
                        }
                    }
                }
            }
            Err(anyhow!("{file_name}：{} 处错误，未导入任何数据", errors.len()))
        }
    }
}
