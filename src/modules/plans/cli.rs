//! `gaoxin plan …`: parse a plan document into its tasks (no database).

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use super::parse;
use crate::cli::Format;

#[derive(Subcommand, Debug)]
pub enum PlanCommand {
    /// 解析工作方案（.txt 或 .docx）：列出每项任务的编号、内容、牵头单位、配合单位、完成时限和量化目标（不需要数据库）
    Parse {
        /// The plan: a .txt (UTF-8 or GB18030) or .docx file; `-` reads standard input
        file: PathBuf,
    },
}

pub fn needs_db(command: &PlanCommand) -> bool {
    !matches!(command, PlanCommand::Parse { .. })
}

pub async fn run(command: PlanCommand, format: Format) -> anyhow::Result<()> {
    match command {
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
