//! `gaoxin policy eval` (no database: rule files + a CSV of cases) and `gaoxin rules test`.

use std::path::PathBuf;

use anyhow::{Context, anyhow, bail};
use clap::Subcommand;

use gaoxin_platform::cli::Format;
use std::io::Write;

use gaoxin_rules::eval::{evaluate_csv, run_tests};
use gaoxin_rules::policy::load_path;

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// 计算奖励：规则文件（或目录）+ 案例 CSV（enterprise 列和规则变量列）
    Eval {
        /// A rule file or a folder of them
        #[arg(long)]
        rules: PathBuf,
        /// CSV: a column `enterprise` and one column per rule variable
        #[arg(long)]
        input: PathBuf,
        /// The year evaluated (policies in force that year apply)
        #[arg(long)]
        period: i32,
    },
    /// 计算说明：某一行案例的每项奖励（条款原文、条件、公式、上限、金额）
    Explain {
        #[arg(long)]
        rules: PathBuf,
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        period: i32,
        /// The CSV row (2 = the first data row)
        #[arg(long)]
        row: usize,
    },
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// 运行规则文件中的测试
    Test {
        /// A rule file or a folder of them
        path: PathBuf,
    },
    /// 列出规则变量可绑定的数据来源（from = "…"）与事件类型（on = "…"）
    Sources,
}

pub fn run_policy(command: PolicyCommand, format: Format) -> anyhow::Result<()> {
    let (rules, input, period) = match command {
        PolicyCommand::Eval { rules, input, period } => (rules, input, period),
        PolicyCommand::Explain {
            rules,
            input,
            period,
            row,
        } => return run_explain(rules, input, period, row, format),
    };
    let (policies, slots, kinds) = load_path(&rules).map_err(|e| anyhow!("{e}"))?;
    let file = std::fs::File::open(&input).with_context(|| format!("无法读取 {}", input.display()))?;
    let outcome = evaluate_csv(
        &policies,
        &slots,
        &kinds,
        std::io::BufReader::with_capacity(1 << 20, file),
        period,
    )
    .map_err(|e| anyhow!("{}：{e}", input.display()))?;
    gaoxin_rules::eval::output::write(&outcome, format == Format::Json, std::io::stdout().lock())?;
    Ok(())
}

pub fn run_rules(command: RulesCommand, format: Format) -> anyhow::Result<()> {
    let path = match command {
        RulesCommand::Test { path } => path,
        RulesCommand::Sources => return print_sources(format),
    };
    let (policies, slots, kinds) = load_path(&path).map_err(|e| anyhow!("{e}"))?;
    let results = run_tests(&policies, &slots, &kinds);
    let failed = results.iter().filter(|r| !r.failures.is_empty()).count();
    match format {
        Format::Json => gaoxin_platform::cli::print_json(
            &results
                .iter()
                .map(|r| serde_json::json!({"policy": r.policy, "test": r.name, "passed": r.failures.is_empty(), "failures": r.failures}))
                .collect::<Vec<_>>(),
        ),
        Format::Text | Format::Csv => {
            for r in &results {
                if r.failures.is_empty() {
                    println!("通过  {} · {}", r.policy, r.name);
                } else {
                    println!("失败  {} · {}", r.policy, r.name);
                    for f in &r.failures {
                        println!("      {f}");
                    }
                }
            }
            println!("{} passed, {} failed", results.len() - failed, failed);
        }
    }
    if results.is_empty() {
        bail!("{} 中没有测试", path.display());
    }
    if failed > 0 {
        bail!("{failed} 个规则测试未通过");
    }
    Ok(())
}

fn print_sources(format: Format) -> anyhow::Result<()> {
    use gaoxin_rules::sources::{CATALOGUE, EventKind};
    match format {
        Format::Json => gaoxin_platform::cli::print_json(&serde_json::json!({
            "sources": CATALOGUE.iter().map(|s| serde_json::json!({
                "name": s.name, "label": s.label, "type": s.kind.code(), "event": s.event().map(|e| e.code()),
            })).collect::<Vec<_>>(),
            "events": EventKind::ALL.iter().map(|k| serde_json::json!({"on": k.code(), "label": k.label()})).collect::<Vec<_>>(),
        })),
        Format::Text | Format::Csv => {
            println!("事件类型（on = \"…\"）：");
            for k in EventKind::ALL {
                println!("  {:<26} {}", k.code(), k.label());
            }
            println!("数据来源（from = \"…\"）：");
            for s in CATALOGUE {
                println!("  {:<40} {:<7} {}", s.name, s.kind.code(), s.label);
            }
        }
    }
    Ok(())
}

fn run_explain(rules: PathBuf, input: PathBuf, period: i32, row: usize, format: Format) -> anyhow::Result<()> {
    let (policies, slots, kinds) = load_path(&rules).map_err(|e| anyhow!("{e}"))?;
    let file = std::fs::File::open(&input).with_context(|| format!("无法读取 {}", input.display()))?;
    let notes =
        gaoxin_rules::eval::explain_csv_row(&policies, &slots, &kinds, std::io::BufReader::new(file), period, row)
            .map_err(|e| anyhow!("{}：{e}", input.display()))?;
    match format {
        Format::Json => gaoxin_platform::cli::print_json(&notes),
        Format::Text | Format::Csv => {
            // Built whole, then written once: a closed pipe (`| head`) ends quietly.
            use std::fmt::Write as _;
            let mut out = String::new();
            if notes.is_empty() {
                let _ = writeln!(out, "第 {row} 行没有满足条件的奖励");
            }
            let named = |list: &[gaoxin_rules::eval::Named]| {
                list.iter()
                    .map(|i| format!("{}（{}）= {}", i.label, i.name, i.value))
                    .collect::<Vec<_>>()
                    .join("，")
            };
            for n in &notes {
                let _ = writeln!(
                    out,
                    "【{} {}】{}（{} · {} 条款 {}）",
                    n.enterprise, n.award_name, n.amount, n.document_number, n.policy, n.article
                );
                let _ = writeln!(out, "  条款原文：{}", n.article_text);
                if let Some(c) = &n.condition {
                    let _ = writeln!(out, "  条件：{c}，其中 {}：成立", named(&n.condition_inputs));
                }
                for st in &n.steps {
                    let _ = writeln!(out, "  步骤：{}（{}）= {}", st.label, st.name, st.value);
                }
                let _ = writeln!(
                    out,
                    "  公式：{} = {}，其中 {}",
                    n.formula,
                    n.computed,
                    named(&n.formula_inputs)
                );
                for c in &n.caps {
                    let _ = writeln!(out, "  {}：{} → {}（减少 {}）", c.kind, c.before, c.after, c.cut);
                }
                let _ = writeln!(
                    out,
                    "  金额：{} 元（版本 {}）",
                    n.amount,
                    n.version.get(..12).unwrap_or(&n.version)
                );
            }
            match std::io::stdout().lock().write_all(out.as_bytes()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
                _ => {}
            }
        }
    }
    Ok(())
}
