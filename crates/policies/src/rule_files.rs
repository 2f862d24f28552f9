//! `gaoxin policy eval` (no database: rule files + a CSV of cases) and `gaoxin rules test`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, anyhow, bail};
use clap::Subcommand;
use rust_decimal::Decimal;

use gaoxin_platform::cli::Format;
use gaoxin_rules::eval::{Outcome, evaluate_csv, run_tests};
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

/// Appends `s` as a JSON string, exactly as serde_json writes it (only `"`, `\\` and control
/// characters are escaped), without serde_json for the usual string that needs no escaping.
fn push_json_str(buf: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    } else {
        serde_json::to_writer(&mut *buf, s).expect("a string serialises");
    }
}

/// Appends `format!("{:.2}", amount)` (yuan to the fen) without the formatting machinery when
/// the amount has at most two decimals, which every rounded award line and total has.
pub(crate) fn push_yuan(buf: &mut Vec<u8>, amount: Decimal) {
    let scale = amount.scale();
    let fen = match scale {
        0..=2 => amount.mantissa().unsigned_abs().checked_mul(10u128.pow(2 - scale)),
        _ => None,
    };
    let Some(fen) = fen else {
        write!(buf, "{amount:.2}").expect("writing to a Vec");
        return;
    };
    if amount.is_sign_negative() {
        buf.push(b'-');
    }
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    // At least three digits: "0.05" is fen 5. In u64 when it fits: u128 division is a call.
    match u64::try_from(fen) {
        Ok(mut rest) => {
            while rest > 0 || digits.len() - at < 3 {
                at -= 1;
                digits[at] = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
        }
        Err(_) => {
            let mut rest = fen;
            while rest > 0 || digits.len() - at < 3 {
                at -= 1;
                digits[at] = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
        }
    }
    let whole = digits.len() - 2;
    buf.extend_from_slice(&digits[at..whole]);
    buf.push(b'.');
    buf.extend_from_slice(&digits[whole..]);
}

/// Writes the outcome to stdout. Built by hand in a byte buffer handed to stdout a megabyte at
/// a time: serde_json::Value, or `write!` with an escaped copy of every string, cost half of a
/// million-line run.
fn write_outcome(outcome: &Outcome, format: Format) -> std::io::Result<()> {
    const CHUNK: usize = 1 << 20;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + 4096);
    let mut flush = |buf: &mut Vec<u8>, force: bool| -> std::io::Result<()> {
        if force || buf.len() >= CHUNK {
            out.write_all(buf)?;
            buf.clear();
        }
        Ok(())
    };
    match format {
        Format::Json => {
            // Per award: `, "policy": "…", "award": "…", "amount": "` once.
            let middles: Vec<Vec<u8>> = outcome
                .award_ids()
                .iter()
                .map(|(policy, award)| {
                    let mut m = b", \"policy\": ".to_vec();
                    push_json_str(&mut m, policy);
                    m.extend_from_slice(b", \"award\": ");
                    push_json_str(&mut m, award);
                    m.extend_from_slice(b", \"amount\": \"");
                    m
                })
                .collect();
            buf.extend_from_slice(b"{\"awards\": [");
            for (i, (enterprise, award, amount)) in outcome.line_parts().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                buf.extend_from_slice(b"\n  {\"enterprise\": ");
                push_json_str(&mut buf, enterprise);
                buf.extend_from_slice(&middles[award]);
                push_yuan(&mut buf, amount);
                buf.extend_from_slice(b"\"}");
                flush(&mut buf, false)?;
            }
            buf.extend_from_slice(b"\n], \"totals\": [");
            for (i, (e, a)) in outcome.totals.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                buf.extend_from_slice(b"\n  {\"enterprise\": ");
                push_json_str(&mut buf, e);
                buf.extend_from_slice(b", \"amount\": \"");
                push_yuan(&mut buf, *a);
                buf.extend_from_slice(b"\"}");
                flush(&mut buf, false)?;
            }
            buf.extend_from_slice(b"\n]}\n");
        }
        Format::Csv | Format::Text => {
            let middles: Vec<Vec<u8>> = outcome
                .award_ids()
                .iter()
                .map(|(policy, award)| format!(",{policy},{award},").into_bytes())
                .collect();
            buf.extend_from_slice(b"enterprise,policy,award,amount\n");
            for (enterprise, award, amount) in outcome.line_parts() {
                buf.extend_from_slice(enterprise.as_bytes());
                buf.extend_from_slice(&middles[award]);
                push_yuan(&mut buf, amount);
                buf.push(b'\n');
                flush(&mut buf, false)?;
            }
        }
    }
    flush(&mut buf, true)?;
    out.flush()
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
    write_outcome(&outcome, format)?;
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

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn yuan_and_json_strings_are_written_as_format_and_serde_json_write_them() {
        for raw in [
            "0",
            "0.00",
            "0.05",
            "1.5",
            "100000",
            "216.06",
            "-3.2",
            "12345678901234567890.12",
            "1.005",
            "0.001",
        ] {
            let d = Decimal::from_str(raw).unwrap();
            let mut buf = Vec::new();
            push_yuan(&mut buf, d);
            assert_eq!(String::from_utf8(buf).unwrap(), format!("{d:.2}"), "{raw}");
        }
        let mut buf = Vec::new();
        push_yuan(&mut buf, -Decimal::ZERO);
        assert_eq!(String::from_utf8(buf).unwrap(), format!("{:.2}", -Decimal::ZERO));
        for s in ["E00001", "企业\"甲\"", "a\\b", "tab\there", "\u{1}"] {
            let mut buf = Vec::new();
            push_json_str(&mut buf, s);
            assert_eq!(String::from_utf8(buf).unwrap(), serde_json::to_string(s).unwrap());
        }
    }
}
