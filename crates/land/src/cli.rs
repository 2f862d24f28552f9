//! `gaoxin land …`: the schemes' own tests (database-free) and a scheme evaluated on a year's
//! data, from the registry or from a CSV without a database (read-only: the ranking, each
//! enterprise's indicators, points, score, rank and class, the exclusions with their reasons).

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use chrono::NaiveDate;
use clap::Subcommand;

use super::{shipped, store};
use gaoxin_platform::audit::{WriteContext, Writer};
use gaoxin_platform::cli::Format;
use gaoxin_platform::db::Db;
use gaoxin_rules::land::output;
use gaoxin_rules::{ladder, land};

#[derive(Subcommand, Debug)]
pub enum LandCommand {
    #[command(flatten)]
    File(LandFileCommand),
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
    /// 载入评价方案文件（或目录；不给路径时载入全部内置方案）到开发区：先运行方案自带的测试
    Load {
        path: Option<PathBuf>,
        #[arg(long)]
        zone: Option<String>,
    },
    /// 用开发区在用的方案开展评价并保存为草稿（之后在网页上公示、处理异议、确认）
    Run {
        /// The scheme's id in the zone (e.g. huangyan-2022-guishang)
        #[arg(long)]
        scheme: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        as_of: Option<NaiveDate>,
        #[arg(long)]
        zone: Option<String>,
    },
}

pub fn needs_db(command: &LandCommand) -> bool {
    matches!(
        command,
        LandCommand::Evaluate { input: None, .. } | LandCommand::Load { .. } | LandCommand::Run { .. }
    )
}

pub async fn run(db: Option<&Db>, command: LandCommand, format: Format) -> anyhow::Result<()> {
    let (scheme, year, input, as_of, zone) = match command {
        LandCommand::File(c) => return run_land_file(c, format),
        LandCommand::Load { path, zone } => return load(db.expect("needs_db"), path, zone, format).await,
        LandCommand::Run {
            scheme,
            year,
            as_of,
            zone,
        } => return run_stored(db.expect("needs_db"), &scheme, year, as_of, zone, format).await,
        LandCommand::Evaluate {
            scheme,
            year,
            input,
            as_of,
            zone,
        } => (scheme, year, input, as_of, zone),
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
        let records = output::ranked_rows(&read.rows, &evaluation.results);
        return print(&scheme, year, &records, format);
    }
    let db = db.expect("needs_db");
    let zone = gaoxin_platform::cli::pick(db, zone.as_deref()).await?;
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

async fn load(db: &Db, path: Option<PathBuf>, zone: Option<String>, format: Format) -> anyhow::Result<()> {
    let zone = gaoxin_platform::cli::pick(db, zone.as_deref()).await?;
    let files: Vec<(String, String)> = match path {
        None => shipped::files(),
        Some(path) => gaoxin_rules::toml_files(&path)
            .with_context(|| format!("无法读取 {}", path.display()))?
            .into_iter()
            .map(|f| {
                let text = std::fs::read_to_string(&f).with_context(|| format!("无法读取 {}", f.display()))?;
                Ok((f.display().to_string(), text))
            })
            .collect::<anyhow::Result<_>>()?,
    };
    let mut writer = Writer::begin(db, WriteContext::cli(Some(zone.id))).await?;
    let mut out = Vec::new();
    for (file, text) in files {
        let (v, loaded) = crate::rule_file::load_scheme_file(&mut writer, zone.id, &file, &text, None)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        out.push(
            serde_json::json!({"scheme": v.scheme_id, "version": v.version, "id": v.id, "loaded": loaded.short()}),
        );
    }
    writer.commit().await?;
    match format {
        Format::Json => gaoxin_platform::cli::print_json(&out),
        _ => {
            for o in &out {
                println!(
                    "{}  {}",
                    o["scheme"].as_str().unwrap_or(""),
                    o["loaded"].as_str().unwrap_or("")
                );
            }
        }
    }
    Ok(())
}

async fn run_stored(
    db: &Db,
    scheme: &str,
    year: i32,
    as_of: Option<NaiveDate>,
    zone: Option<String>,
    format: Format,
) -> anyhow::Result<()> {
    let zone = gaoxin_platform::cli::pick(db, zone.as_deref()).await?;
    let mut writer = Writer::begin(db, WriteContext::cli(Some(zone.id))).await?;
    let version = store::active_versions(writer.read(), zone.id)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .into_iter()
        .find(|v| v.scheme_id == scheme)
        .ok_or_else(|| anyhow!("开发区没有在用的评价方案“{scheme}”（先用 gaoxin land load 载入）"))?;
    let started = std::time::Instant::now();
    let run = store::evaluate_zone(
        &mut writer,
        &version,
        year,
        as_of.unwrap_or_else(|| ladder::default_as_of(year)),
        None,
    )
    .await
    .map_err(|e| anyhow!("{e}"))?;
    writer.commit().await?;
    tracing::debug!(seconds = started.elapsed().as_secs_f64(), "land run stored");
    let c = store::counts_of(&run);
    match format {
        Format::Json => gaoxin_platform::cli::print_json(&serde_json::json!({
            "id": run.id, "scheme": run.scheme_id, "year": run.year, "status": run.status,
            "ranked": c.ranked, "excluded": c.excluded, "out_of_scope": c.out_of_scope, "classes": c.classes,
        })),
        _ => println!(
            "评价 #{}（草稿）：{} 家参评，{} 家不参评（另列），{} 家不在评价范围；{}",
            run.id,
            c.ranked,
            c.excluded,
            c.out_of_scope,
            c.classes
                .iter()
                .map(|(n, k)| format!("{n} {k}"))
                .collect::<Vec<_>>()
                .join("，")
        ),
    }
    Ok(())
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

/// The database-free `gaoxin land …` commands: land-efficiency evaluation schemes.
#[derive(Subcommand, Debug)]
pub enum LandFileCommand {
    /// 运行亩均评价方案文件中的测试（不需要数据库）
    Test {
        /// A scheme file or a folder of them
        #[arg(default_value = "rules/land")]
        path: PathBuf,
    },
}

pub fn run_land_file(command: LandFileCommand, format: Format) -> anyhow::Result<()> {
    match command {
        LandFileCommand::Test { path } => {
            let all = gaoxin_rules::land::load_path(&path).map_err(|e| anyhow::anyhow!("{e}"))?;
            let outcomes: Vec<gaoxin_rules::ladder::TestOutcome> = all.iter().flat_map(|s| s.run_tests()).collect();
            gaoxin_platform::cli::print_outcomes(&outcomes, format)
        }
    }
}
