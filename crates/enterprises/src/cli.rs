//! `gaoxin enterprise import`, `gaoxin annual import`, `gaoxin uscc check`.

use std::path::PathBuf;

use anyhow::{Context, anyhow, bail};
use clap::Subcommand;

use super::import::{ImportOptions, ImportReport, import_annual, import_enterprises};
use gaoxin_core::uscc::verify_uscc;
use gaoxin_platform::audit::WriteContext;
use gaoxin_platform::cli::{Format, print_json};
use gaoxin_platform::db::Db;

#[derive(Subcommand, Debug)]
pub enum EnterpriseCommand {
    /// 导入企业（.xlsx/.xls/.csv，按统一社会信用代码新增或更新）
    Import(ImportArgs),
}

#[derive(Subcommand, Debug)]
pub enum AnnualCommand {
    /// 导入年度数据（按统一社会信用代码 + 年度新增或更新）
    Import(ImportArgs),
}

#[derive(Subcommand, Debug)]
pub enum UsccCommand {
    /// 校验统一社会信用代码（GB 32100-2015）
    Check {
        #[arg(required = true)]
        codes: Vec<String>,
    },
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The file: .xlsx, .xls or .csv (UTF-8 or GB18030)
    pub file: PathBuf,
    /// Check and preview only; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Only add new rows; leave existing ones as they are
    #[arg(long)]
    pub no_update: bool,
    /// Zone code (default: the only zone)
    #[arg(long)]
    pub zone: Option<String>,
    /// Where to write the file annotated with its errors (default: FILE-错误说明.xlsx)
    #[arg(long)]
    pub errors_out: Option<PathBuf>,
}

async fn run_import(db: &Db, args: ImportArgs, format: Format, annual: bool) -> anyhow::Result<()> {
    let zone = gaoxin_platform::cli::pick(db, args.zone.as_deref()).await?;
    let bytes = std::fs::read(&args.file).with_context(|| format!("无法读取文件 {}", args.file.display()))?;
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let options = ImportOptions {
        update_existing: !args.no_update,
        dry_run: args.dry_run,
    };
    let ctx = WriteContext::cli(Some(zone.id));
    let (report, annotated) = if annual {
        import_annual(db, ctx, &file_name, &bytes, options).await
    } else {
        import_enterprises(db, ctx, &file_name, &bytes, options).await
    }
    .map_err(|e| anyhow!("{e}"))?;
    let mut annotated_path = None;
    if let Some(bytes) = annotated {
        let path = args.errors_out.clone().unwrap_or_else(|| {
            let stem = args
                .file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            args.file.with_file_name(format!("{stem}-错误说明.xlsx"))
        });
        std::fs::write(&path, bytes).with_context(|| format!("无法写入 {}", path.display()))?;
        annotated_path = Some(path);
    }
    print_report(&report, format, annotated_path.as_deref());
    if !report.errors.is_empty() {
        bail!("{} 处错误，未导入任何数据", report.errors.len());
    }
    Ok(())
}

fn print_report(report: &ImportReport, format: Format, annotated: Option<&std::path::Path>) {
    match format {
        Format::Json => {
            let mut value = serde_json::to_value(report).expect("serialisable report");
            if let Some(p) = annotated {
                value["annotated_file"] = serde_json::Value::String(p.display().to_string());
            }
            print_json(&value)
        }
        Format::Text | Format::Csv => {
            println!(
                "{}：新增 {}，更新 {}，不变 {}{}",
                report.file,
                report.new,
                report.changed,
                report.unchanged,
                if report.committed {
                    "（已导入）"
                } else {
                    "（未写入）"
                }
            );
            if !report.unknown_columns.is_empty() {
                println!("未识别的列（已忽略）：{}", report.unknown_columns.join("、"));
            }
            if !report.new_carriers.is_empty() {
                println!("新建载体：{}", report.new_carriers.join("、"));
            }
            for e in &report.errors {
                println!("{e}");
            }
            if let Some(p) = annotated {
                println!("已生成标注错误的文件：{}", p.display());
            }
        }
    }
}

pub async fn run_enterprise(db: &Db, command: EnterpriseCommand, format: Format) -> anyhow::Result<()> {
    match command {
        EnterpriseCommand::Import(args) => run_import(db, args, format, false).await,
    }
}

pub async fn run_annual(db: &Db, command: AnnualCommand, format: Format) -> anyhow::Result<()> {
    match command {
        AnnualCommand::Import(args) => run_import(db, args, format, true).await,
    }
}

/// Needs no database.
pub fn run_uscc(command: UsccCommand, format: Format) -> anyhow::Result<()> {
    let UsccCommand::Check { codes } = command;
    let results: Vec<(String, Result<String, String>)> = codes.iter().map(|c| (c.clone(), verify_uscc(c))).collect();
    match format {
        Format::Json => print_json(
            &results
                .iter()
                .map(|(code, r)| serde_json::json!({"code": code, "valid": r.is_ok(), "reason": r.as_ref().err()}))
                .collect::<Vec<_>>(),
        ),
        Format::Text | Format::Csv => {
            for (code, r) in &results {
                match r {
                    Ok(_) => println!("{code}  有效"),
                    Err(reason) => println!("{code}  无效：{reason}"),
                }
            }
        }
    }
    let invalid = results.iter().filter(|(_, r)| r.is_err()).count();
    if invalid > 0 {
        bail!("{invalid} 个代码无效");
    }
    Ok(())
}
