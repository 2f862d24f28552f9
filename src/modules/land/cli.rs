//! `gaoxin land …`: the schemes' own tests (database-free) and a scheme evaluated on the
//! registry's data of a year (read-only: the ranking, each enterprise's score and class, the
//! exclusions with their reasons).

use std::path::PathBuf;

/// Prints a line; a closed pipe (`… | head`) ends the output quietly instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

use anyhow::{Context, anyhow, bail};
use chrono::NaiveDate;
use clap::Subcommand;

use super::store;
use crate::cli::{Format, print_json};
use crate::platform::db::Db;
use crate::rules::expr::round_half_up;
use crate::rules::{ladder, land};

#[derive(Subcommand, Debug)]
pub enum LandCommand {
    #[command(flatten)]
    File(crate::rules::cli::LandFileCommand),
    /// 用评价方案计算开发区企业某年度的亩均效益（只读：排名、得分、分类、不参评原因）
    Evaluate {
        /// The scheme file (its own tests must pass)
        #[arg(long)]
        scheme: PathBuf,
        /// The year of the data evaluated
        #[arg(long)]
        year: i32,
        /// The day evaluated (default 31 December of the year)
        #[arg(long)]
        as_of: Option<NaiveDate>,
        #[arg(long)]
        zone: Option<String>,
    },
}

pub fn needs_db(command: &LandCommand) -> bool {
    !matches!(command, LandCommand::File(_))
}

pub async fn run(db: Option<&Db>, command: LandCommand, format: Format) -> anyhow::Result<()> {
    let (scheme_path, year, as_of, zone, db) = match (command, db) {
        (LandCommand::File(c), _) => return crate::rules::cli::run_land_file(c, format),
        (
            LandCommand::Evaluate {
                scheme,
                year,
                as_of,
                zone,
            },
            Some(db),
        ) => (scheme, year, as_of, zone, db),
        (_, None) => unreachable!("needs_db"),
    };
    let text = std::fs::read_to_string(&scheme_path).with_context(|| format!("无法读取 {}", scheme_path.display()))?;
    let scheme = land::load(&scheme_path.display().to_string(), &text).map_err(|e| anyhow!("{e}"))?;
    if let Some(failed) = scheme.run_tests().into_iter().find(|t| !t.failures.is_empty()) {
        bail!("方案的测试“{}”未通过：{}", failed.name, failed.failures.join("；"));
    }
    let zone = crate::modules::zones::cli::pick(db, zone.as_deref()).await?;
    let as_of = as_of.unwrap_or_else(|| ladder::default_as_of(year));
    let cases = store::cases(db.conn(), zone.id, &scheme, year, as_of)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let baseline = if scheme.baseline_previous_year {
        let previous = store::cases(db.conn(), zone.id, &scheme, year - 1, ladder::default_as_of(year - 1))
            .await
            .map_err(|e| anyhow!("{e}"))?;
        Some(previous.into_iter().map(|(_, c)| c).collect::<Vec<_>>())
    } else {
        None
    };
    let plain: Vec<land::Case> = cases.iter().map(|(_, c)| c.clone()).collect();
    let results = scheme.evaluate(&plain, baseline.as_deref());
    let mut rows: Vec<(&crate::modules::enterprises::entity::Model, &land::LandResult)> =
        cases.iter().map(|(e, _)| e).zip(&results).collect();
    rows.sort_by_key(|(e, r)| (r.excluded.is_some(), r.rank, e.id));
    match format {
        Format::Json => print_json(&serde_json::json!({
            "scheme": scheme.id,
            "version": scheme.version,
            "year": year,
            "results": rows.iter().map(|(e, r)| serde_json::json!({
                "enterprise_id": e.id,
                "name": e.name,
                "uscc": e.uscc,
                "rank": r.rank,
                "class": r.class,
                "total": round_half_up(r.total, 2),
                "excluded": r.excluded.as_ref().map(|(id, label)| serde_json::json!({"id": id, "reason": label})),
                "indicators": r.indicators,
                "adjustments": r.adjustments,
            })).collect::<Vec<_>>(),
        })),
        _ => {
            let evaluated = rows.iter().filter(|(_, r)| r.excluded.is_none()).count();
            outln!(
                "{}（{}）{year} 年度：{evaluated} 家参评，{} 家不参评或不在范围",
                scheme.name,
                scheme.document_number,
                rows.len() - evaluated
            );
            for (e, r) in &rows {
                match &r.excluded {
                    None => outln!(
                        "{:>5}  {:<10}  {:>9}  {}",
                        r.rank,
                        r.class,
                        format!("{:.2}", round_half_up(r.total, 2)),
                        e.name
                    ),
                    Some((_, reason)) if reason.starts_with("不在评价范围") => {}
                    Some((_, reason)) => outln!("    -  {:<10}  {:>9}  {}（{reason}）", r.class, "", e.name),
                }
            }
        }
    }
    Ok(())
}
