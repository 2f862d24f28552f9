//! `gaoxin land …`: the schemes' own tests (database-free) and a scheme evaluated on a year's
//! data, from the registry or from a CSV without a database (read-only: the ranking, each
//! enterprise's indicators, points, score, rank and class, the exclusions with their reasons).

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use chrono::NaiveDate;
use clap::Subcommand;

use super::{output, shipped, store};
use crate::cli::Format;
use crate::platform::db::Db;
use crate::rules::{ladder, land};

#[derive(Subcommand, Debug)]
pub enum LandCommand {
    #[command(flatten)]
    File(crate::rules::cli::LandFileCommand),
    /// 用评价方案计算某年度的亩均效益（只读）：读开发区企业库，或用 --input 读 CSV（不需要数据库）
    Evaluate {
        /// A shipped scheme's name (huangyan-2022-guishang, huangyan-2022-guixia, huaian-2024,
        /// zhejiang-default) or a scheme file
        #[arg(long)]
        scheme: String,
        /// The year of the data evaluated
        #[arg(long)]
        year: i32,
        /// A CSV with the annual-data headers plus 用地面积(亩), 从业人员数, 企业规模 (no database)
        #[arg(long)]
        input: Option<PathBuf>,
        /// The day evaluated (default 31 December of the year)
        #[arg(long)]
        as_of: Option<NaiveDate>,
        #[arg(long)]
        zone: Option<String>,
    },
}

pub fn needs_db(command: &LandCommand) -> bool {
    matches!(command, LandCommand::Evaluate { input: None, .. })
}

pub async fn run(db: Option<&Db>, command: LandCommand, format: Format) -> anyhow::Result<()> {
    let LandCommand::Evaluate {
        scheme,
        year,
        input,
        as_of,
        zone,
    } = command
    else {
        let LandCommand::File(c) = command else { unreachable!() };
        return crate::rules::cli::run_land_file(c, format);
    };
    let scheme = shipped::resolve(&scheme)?;
    if let Some(path) = input {
        let file = std::fs::File::open(&path).with_context(|| format!("无法读取 {}", path.display()))?;
        let read = land::input::read_csv(&scheme, std::io::BufReader::with_capacity(1 << 16, file), year)
            .map_err(|e| anyhow!("{}：{e}", path.display()))?;
        for note in &read.notes {
            eprintln!("注意：{note}");
        }
        let evaluation = scheme.evaluate(&read.cases, read.baseline.as_deref());
        let records = output::ranked(
            read.rows
                .iter()
                .zip(&evaluation.results)
                .map(|(row, result)| output::Record {
                    uscc: &row.uscc,
                    name: row.name.as_deref(),
                    result,
                })
                .collect(),
        );
        return print(&scheme, year, &records, format);
    }
    let db = db.expect("needs_db");
    let zone = crate::modules::zones::cli::pick(db, zone.as_deref()).await?;
    let as_of = as_of.unwrap_or_else(|| ladder::default_as_of(year));
    let units = store::cases(db.conn(), zone.id, &scheme, year, as_of)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let baseline = if scheme.baseline_previous_year {
        let previous = store::cases(db.conn(), zone.id, &scheme, year - 1, ladder::default_as_of(year - 1))
            .await
            .map_err(|e| anyhow!("{e}"))?;
        Some(previous.into_iter().map(|u| u.case).collect::<Vec<_>>())
    } else {
        None
    };
    let plain: Vec<land::Case> = units.iter().map(|u| u.case.clone()).collect();
    let evaluation = scheme.evaluate(&plain, baseline.as_deref());
    // Enterprises sharing a parcel share their unit's result.
    let records = output::ranked(
        units
            .iter()
            .zip(&evaluation.results)
            .flat_map(|(u, result)| {
                u.members.iter().map(move |e| output::Record {
                    uscc: &e.uscc,
                    name: Some(&e.name),
                    result,
                })
            })
            .collect(),
    );
    print(&scheme, year, &records, format)
}

/// Prints the records; a closed pipe (`… | head`) ends the output quietly.
fn print(scheme: &land::Scheme, year: i32, records: &[output::Record<'_>], format: Format) -> anyhow::Result<()> {
    let stdout = std::io::stdout().lock();
    let written = match format {
        Format::Json => output::write_json(scheme, records, stdout),
        Format::Csv => output::write_csv(scheme, records, stdout),
        Format::Text => output::write_text(scheme, year, records, stdout),
    };
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
