//! `gaoxin ladder …`: criteria files (`test`, database-free), the zone's criteria (`load`,
//! `list`), batch evaluation (`evaluate`) and one enterprise's standing with its gaps
//! (`explain`).

use std::path::PathBuf;

/// Prints a line; a closed pipe (`… | head`) ends the output quietly instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

use anyhow::{Context, anyhow};
use chrono::NaiveDate;
use clap::Subcommand;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::status::CandidateKind;
use super::store;
use gaoxin_enterprises::entity as enterprise;
use gaoxin_platform::audit::{WriteContext, Writer};
use gaoxin_platform::cli::{Format, print_json};
use gaoxin_platform::db::Db;
use gaoxin_rules::ladder;

#[derive(Subcommand, Debug)]
pub enum LadderCommand {
    /// 运行培育标准文件中的测试（不需要数据库）
    Test {
        /// A criteria file or a folder of them
        #[arg(default_value = "rules/ladder")]
        path: PathBuf,
    },
    /// 启用培育标准文件（或目录中的全部 .toml）：检查、运行其测试、存为开发区的在用版本
    Load {
        path: PathBuf,
        /// Zone code (default: the only zone)
        #[arg(long)]
        zone: Option<String>,
    },
    /// 列出开发区在用的培育标准
    List {
        #[arg(long)]
        zone: Option<String>,
    },
    /// 评价全部企业的各梯度：结果按批次保存，记录所用标准版本与输入摘要
    Evaluate {
        /// 评价年度（“近一年”）
        #[arg(long)]
        year: i32,
        /// 评价日（默认该年 12 月 31 日）：认定有效期、成立年限按此日计算
        #[arg(long)]
        as_of: Option<NaiveDate>,
        /// “差一项”的幅度：差距不超过门槛的百分之几（默认 20）
        #[arg(long, default_value_t = 20)]
        margin: u32,
        #[arg(long)]
        zone: Option<String>,
    },
    /// 一家企业在各梯度的现状与差距
    Explain {
        /// 统一社会信用代码
        #[arg(long)]
        uscc: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        as_of: Option<NaiveDate>,
        #[arg(long)]
        zone: Option<String>,
    },
}

pub fn needs_db(command: &LadderCommand) -> bool {
    !matches!(command, LadderCommand::Test { .. })
}

pub async fn run(db: Option<&Db>, command: LadderCommand, format: Format) -> anyhow::Result<()> {
    let (command, db) = match (command, db) {
        (LadderCommand::Test { path }, _) => return test(&path, format),
        (c, Some(db)) => (c, db),
        (_, None) => unreachable!("needs_db"),
    };
    match command {
        LadderCommand::Test { .. } => unreachable!("handled above"),
        LadderCommand::Load { path, zone } => load(db, &path, zone.as_deref(), format).await,
        LadderCommand::List { zone } => list(db, zone.as_deref(), format).await,
        LadderCommand::Evaluate {
            year,
            as_of,
            margin,
            zone,
        } => evaluate(db, year, as_of, margin, zone.as_deref(), format).await,
        LadderCommand::Explain {
            uscc,
            year,
            as_of,
            zone,
        } => explain(db, &uscc, year, as_of, zone.as_deref(), format).await,
    }
}

/// `gaoxin ladder load`: every criteria file of a path, checked and made the zone's version in
/// use, in one transaction.
async fn load(db: &Db, path: &std::path::Path, zone: Option<&str>, format: Format) -> anyhow::Result<()> {
    let zone = gaoxin_platform::cli::pick(db, zone).await?;
    let files = gaoxin_rules::toml_files(path).with_context(|| format!("无法读取 {}", path.display()))?;
    let mut writer = Writer::begin(db, WriteContext::cli(Some(zone.id))).await?;
    let mut out = Vec::new();
    for f in files {
        let source = std::fs::read_to_string(&f).with_context(|| format!("无法读取 {}", f.display()))?;
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(
            crate::rule_file::load_criteria_file(&mut writer, zone.id, &name, &source, None)
                .await
                .map_err(|e| anyhow!("{e}"))?,
        );
    }
    writer.commit().await?;
    match format {
        Format::Json => print_json(
            &out.iter()
                .map(|(v, l)| serde_json::json!({"tier": v.tier, "criteria": v.criteria_id, "version": v.version, "id": v.id, "loaded": l}))
                .collect::<Vec<_>>(),
        ),
        _ => {
            for (v, l) in &out {
                let what = l.short();
                outln!("{what}  {} {}（{}）", v.name, v.document_number, &v.version[..12]);
            }
        }
    }
    Ok(())
}

/// `gaoxin ladder list`: the zone's criteria in use.
async fn list(db: &Db, zone: Option<&str>, format: Format) -> anyhow::Result<()> {
    let zone = gaoxin_platform::cli::pick(db, zone).await?;
    let versions = store::active_versions(db.conn(), zone.id).await?;
    match format {
        Format::Json => print_json(&versions),
        _ => {
            for v in &versions {
                outln!(
                    "{}  {} {}{}（{}）",
                    v.tier,
                    v.name,
                    v.document_number,
                    if v.local { " [地方标准]" } else { "" },
                    &v.version[..12]
                );
            }
        }
    }
    Ok(())
}

/// `gaoxin ladder evaluate`: a run of the whole zone, with its counts per tier.
async fn evaluate(
    db: &Db,
    year: i32,
    as_of: Option<NaiveDate>,
    margin: u32,
    zone: Option<&str>,
    format: Format,
) -> anyhow::Result<()> {
    let zone = gaoxin_platform::cli::pick(db, zone).await?;
    let as_of = as_of.unwrap_or_else(|| ladder::default_as_of(year));
    let started = std::time::Instant::now();
    let mut writer = Writer::begin(db, WriteContext::cli(Some(zone.id))).await?;
    let run = store::evaluate_zone(&mut writer, zone.id, year, as_of, Decimal::new(margin.into(), 2), None)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    writer.commit().await?;
    let counts = store::counts_of(&run);
    match format {
        Format::Json => print_json(&serde_json::json!({
            "run": run.id,
            "year": run.year,
            "as_of": run.as_of,
            "enterprises": run.enterprise_count,
            "input_hash": run.input_hash,
            "criteria": store::versions_of(&run),
            "counts": counts,
        })),
        _ => {
            outln!(
                "评价批次 #{}：{} 年度（评价日 {}），{} 家企业，用时 {:.2} 秒",
                run.id,
                run.year,
                run.as_of,
                run.enterprise_count,
                started.elapsed().as_secs_f64()
            );
            outln!(
                "{:<16}{:>8}{:>8}{:>10}{:>8}",
                "梯度",
                CandidateKind::Held.label(),
                CandidateKind::Qualifies.label(),
                CandidateKind::Unknown.label(),
                CandidateKind::WithinReach.label()
            );
            for c in &counts {
                outln!(
                    "{:<16}{:>8}{:>8}{:>10}{:>8}",
                    c.name,
                    c.held,
                    c.qualifies,
                    c.unknown,
                    c.within_reach
                );
            }
        }
    }
    Ok(())
}

/// `gaoxin ladder explain`: one enterprise's standing in every tier, evaluated live, with each
/// condition of the deciding route.
async fn explain(
    db: &Db,
    uscc: &str,
    year: i32,
    as_of: Option<NaiveDate>,
    zone: Option<&str>,
    format: Format,
) -> anyhow::Result<()> {
    let zone = gaoxin_platform::cli::pick(db, zone).await?;
    let as_of = as_of.unwrap_or_else(|| ladder::default_as_of(year));
    let e = enterprise::Entity::find()
        .filter(enterprise::Column::ZoneId.eq(zone.id))
        .filter(enterprise::Column::Uscc.eq(uscc.trim().to_uppercase()))
        .one(db.conn())
        .await?
        .ok_or_else(|| anyhow!("开发区中没有统一社会信用代码为 {uscc} 的企业"))?;
    let set = store::criteria_set(db.conn(), zone.id)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let gathered = store::gather(db.conn(), zone.id, Some(e.id), year, -9, as_of)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let Some((_, facts)) = gathered.first() else {
        return Err(anyhow!("{} 不是在营企业", e.name));
    };
    let standings = store::standings(&set, facts, year, as_of, ladder::DEFAULT_MARGIN);
    match format {
        Format::Json => print_json(&standings),
        _ => {
            outln!("{}（{}）{} 年度，评价日 {as_of}", e.name, e.uscc, year);
            for s in &standings {
                let r = &s.result;
                let held = match &s.held {
                    Some(h) => format!(
                        "{}（{}，{}{}）",
                        CandidateKind::Held.label(),
                        h.date,
                        h.reference,
                        h.expires_on.map(|d| format!("，有效期至 {d} 前")).unwrap_or_default()
                    ),
                    None => String::new(),
                };
                outln!(
                    "\n{} — {}{}{}",
                    r.name,
                    r.status.label(),
                    if r.within_reach { "（差一项）" } else { "" },
                    held
                );
                let best = r.best();
                for c in &best.conditions {
                    outln!("  · {}", c.describe());
                }
                if let Some(score) = &best.score {
                    outln!("  · {}", score.describe());
                }
            }
        }
    }
    Ok(())
}

fn test(path: &std::path::Path, format: Format) -> anyhow::Result<()> {
    let all = ladder::load_path(path).map_err(|e| anyhow!("{e}"))?;
    let outcomes: Vec<ladder::TestOutcome> = all.iter().flat_map(|c| c.run_tests()).collect();
    gaoxin_platform::cli::print_outcomes(&outcomes, format)
}
