//! `gaoxin plan …`: parse a plan document into its tasks (no database).

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use gaoxin_platform::auth::Scope;
use gaoxin_platform::cli::Format;
use gaoxin_platform::db::Db;
use gaoxin_rules::plan_parser as parse;

#[derive(Subcommand, Debug)]
pub enum PlanCommand {
    /// 生成某月的督查通报（.docx）：各状态任务数、逾期任务及牵头部门、部门排名、督办情况
    Bulletin {
        /// The month, e.g. 2026-06
        #[arg(long)]
        month: String,
        /// Where to write the .docx
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        zone: Option<String>,
    },
    /// 按在用的考核计分办法计算部门得分（每个部门的得失分逐项列出）
    Scores {
        /// 2026 (the year), 2026H1 or 2026H2
        #[arg(long)]
        period: String,
        /// The scheme's id (default: the first in use)
        #[arg(long)]
        scheme: Option<String>,
        #[arg(long)]
        zone: Option<String>,
    },
    /// 解析工作方案（.txt 或 .docx）：列出每项任务的编号、内容、牵头单位、配合单位、完成时限和量化目标（不需要数据库）
    Parse {
        /// The plan: a .txt (UTF-8 or GB18030) or .docx file; `-` reads standard input
        file: PathBuf,
    },
}

pub fn needs_db(command: &PlanCommand) -> bool {
    !matches!(command, PlanCommand::Parse { .. })
}

async fn zone_scope(db: &Db, zone: Option<String>) -> anyhow::Result<Scope> {
    gaoxin_platform::cli::admin_scope(db, zone.as_deref()).await
}

pub async fn run(db: Option<&Db>, command: PlanCommand, format: Format) -> anyhow::Result<()> {
    match command {
        PlanCommand::Bulletin { month, out, zone } => {
            let db = db.expect("needs_db");
            let scope = zone_scope(db, zone).await?;
            let (y, m) = super::web::MonthQuery {
                month: Some(month.clone()),
            }
            .year_month(scope.today())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let b = super::web::bulletin_of(db, &scope, y, m)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let bytes = super::bulletin::to_docx(&b, &scope.zone().name)?;
            std::fs::write(&out, bytes).with_context(|| format!("无法写入 {}", out.display()))?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&b)?),
                _ => println!(
                    "{}年{}月督查通报（截至 {}）：任务 {} 项，逾期 {} 项，已写入 {}",
                    b.year,
                    b.month,
                    b.as_of,
                    b.total,
                    b.overdue.len(),
                    out.display()
                ),
            }
            Ok(())
        }
        PlanCommand::Scores { period, scheme, zone } => {
            let db = db.expect("needs_db");
            let scope = zone_scope(db, zone).await?;
            let q = super::scores::ScoreQuery {
                period: Some(period),
                scheme,
            };
            let (period, from, to) = q.period(scope.today()).map_err(|e| anyhow::anyhow!("{e}"))?;
            let (row, scheme) = super::scores::chosen(db, &scope, &q)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .ok_or_else(|| anyhow::anyhow!("开发区没有在用的考核计分办法（在网页“部门考核”上传或载入示例）"))?;
            let scores = super::scores::scores_for(db, &scope, &scheme, from, to)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"scheme": row.scheme_id, "version": row.version, "period": period, "from": from, "to": to, "departments": scores})
                    )?
                ),
                _ => {
                    println!("{}（{}）{period}：{from} 至 {to}", scheme.name, row.scheme_id);
                    for d in scores {
                        println!("{:>3}. {} {}", d.rank, d.department, d.total);
                        for l in d.lines {
                            println!("       {} {}：{} {}", l.reference, l.text, l.reason, l.points);
                        }
                    }
                }
            }
            Ok(())
        }
        PlanCommand::Parse { file } => {
            let bytes = if file.as_os_str() == "-" {
                let mut buf = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)?;
                buf
            } else {
                std::fs::read(&file).with_context(|| format!("无法读取文件 {}", file.display()))?
            };
            let plan = parse::parse_bytes(&bytes).map_err(|e| anyhow::anyhow!("{}：{e}", file.display()))?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&plan)?),
                _ => print!("{}", text_report(&plan)),
            }
            Ok(())
        }
    }
}

/// The parse as zone staff read it: one block per task.
pub fn text_report(plan: &parse::ParsedPlan) -> String {
    let mut out = String::new();
    if let Some(title) = &plan.title {
        out.push_str(&format!("《{title}》"));
    }
    if let Some(number) = &plan.document_number {
        out.push_str(&format!(" {number}"));
    }
    out.push_str(&format!("\n共 {} 项任务\n\n", plan.tasks.len()));
    for task in &plan.tasks {
        out.push_str(&format!("[{}] {}\n", task.reference, task.text.replace('\n', " ")));
        out.push_str(&format!("  牵头：{}\n", task.lead.join("、")));
        if !task.cooperating.is_empty() {
            out.push_str(&format!("  配合：{}\n", task.cooperating.join("、")));
        }
        if let Some(deadline) = &task.deadline {
            out.push_str(&format!(
                "  时限：{deadline}{}\n",
                task.due_date.map(|d| format!("（{d}）")).unwrap_or_default()
            ));
        }
        for target in &task.targets {
            out.push_str(&format!(
                "  目标：{}（{} {}）\n",
                target.text,
                target.value.normalize(),
                target.unit
            ));
        }
    }
    for warning in &plan.warnings {
        match warning.line {
            Some(_) | None => out.push_str(&format!("注意：{}\n", warning.message)),
        }
    }
    out
}
