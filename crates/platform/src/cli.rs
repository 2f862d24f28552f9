//! What every module's command line shares: the output format, JSON printing, and choosing
//! the zone a command works on.

use clap::ValueEnum;
use serde::Serialize;

use gaoxin_core::clock::Clock;

use crate::auth::Scope;
use crate::db::Db;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// CSV (`gaoxin policy eval`, `gaoxin land evaluate`); other commands print text.
    Csv,
}

/// Prints a value as pretty JSON on stdout (`--format json`).
pub fn print_json<T: Serialize>(value: &T) {
    println!("{}", serde_json::to_string_pretty(value).expect("serialisable output"));
}

/// The zone a command works on: `--zone CODE`, or the only zone there is.
pub async fn pick(db: &Db, code: Option<&str>) -> anyhow::Result<crate::zones::entity::Model> {
    match code {
        Some(code) => crate::zones::store::by_code(db, code)
            .await?
            .ok_or_else(|| anyhow::anyhow!("开发区代码 {code} 不存在")),
        None => {
            let all = crate::zones::store::all(db).await?;
            match all.len() {
                1 => Ok(all.into_iter().next().expect("one zone")),
                0 => anyhow::bail!("还没有开发区：请先运行 gaoxin zone add CODE NAME"),
                n => anyhow::bail!("共有 {n} 个开发区，请用 --zone 指定"),
            }
        }
    }
}

/// The clock of a command: the system clock, or the instant `GAOXIN_NOW` fixes.
pub fn clock() -> anyhow::Result<Clock> {
    Clock::from_env().map_err(anyhow::Error::msg)
}

/// A command that acts on a zone's data as its administrator would (`--zone CODE`).
pub async fn admin_scope(db: &Db, zone: Option<&str>) -> anyhow::Result<Scope> {
    let zone = pick(db, zone).await?;
    Ok(Scope::demo_admin(zone.into(), 0, clock()?))
}

/// Prints the outcomes of a rule file's own tests (criteria, schemes); an error when any failed.
pub fn print_outcomes(outcomes: &[gaoxin_rules::ladder::TestOutcome], format: Format) -> anyhow::Result<()> {
    let failed = outcomes.iter().filter(|o| !o.failures.is_empty()).count();
    match format {
        Format::Json => print_json(&outcomes),
        _ => {
            for o in outcomes {
                if o.failures.is_empty() {
                    println!("ok    {} — {}", o.file, o.name);
                } else {
                    println!("FAIL  {} — {}", o.file, o.name);
                    for f in &o.failures {
                        println!("        {f}");
                    }
                }
            }
            println!("{} passed, {failed} failed", outcomes.len() - failed);
        }
    }
    if outcomes.is_empty() {
        anyhow::bail!("没有测试");
    }
    if failed > 0 {
        anyhow::bail!("{failed} 个测试未通过");
    }
    Ok(())
}
