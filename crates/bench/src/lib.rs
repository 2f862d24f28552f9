//! gaoxin-bench: the benchmarks of `gaoxin bench …` (BENCHMARKS.md has the commands and the
//! figures). A crate of its own so that it is always built optimised, whatever the profile of
//! the crates of pages and stores (see the root Cargo.toml):
//!
//! - `gaoxin bench files` writes the large, valid files the import benchmarks read; the
//!   benchmark itself is the real command, `gaoxin enterprise import` / `gaoxin annual import`,
//!   timed from outside.
//! - `gaoxin bench rules` times the rules engine in process on generated seed-002 cases against
//!   the same four formulas written by hand with rust_decimal (they must agree to the fen), and
//!   `Evaluator::explain` per explained award.
//! - `gaoxin bench calculate` times `POST /api/v1/policy/calculate` on a running server over one
//!   keep-alive HTTP/1.1 connection.
//!
//! One file per benchmark; this one holds the command, its dispatch and the two measurements
//! every benchmark reports (the median of the timed runs, peak memory).

use std::path::PathBuf;
use std::time::Duration;

use clap::Subcommand;

mod calculate;
mod files;
mod ladder;
mod land;
mod plan;
mod rules;

use calculate::{CALCULATE_BODY, calculate};
use files::files;
use ladder::ladder;
use land::land;
use plan::plan;
use rules::rules;

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// 生成基准测试文件 (write enterprises.xlsx and annual.xlsx for the import benchmarks)
    Files {
        #[arg(long, default_value_t = 100_000)]
        enterprises: usize,
        /// Years of annual data per enterprise (rows = enterprises × years)
        #[arg(long, default_value_t = 5)]
        years: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// 规则引擎基准 (the rules engine vs the seed-002 formulas written by hand; explanations)
    Rules {
        /// Cases generated (one event each, N/4 enterprises, amounts crossing the caps)
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        /// Enterprises the cases are drawn from (default: rows / 4, as make_csv.py)
        #[arg(long)]
        enterprises: Option<usize>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Timed runs of each side (the median is reported)
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Cases explained for the explanation timing
        #[arg(long, default_value_t = 100_000)]
        explain: usize,
    },
    /// 梯度培育基准 (every shipped criteria file on generated enterprises, in memory, no database)
    Ladder {
        #[arg(long, default_value_t = 100_000)]
        enterprises: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Timed runs (the median is reported)
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// 亩均评价基准 (a generated CSV of two years → every shipped scheme: read, evaluate, write;
    /// no database). With --out the CSV is kept for `gaoxin land evaluate --input`.
    Land {
        #[arg(long, default_value_t = 100_000)]
        enterprises: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Timed runs (the median is reported)
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Where to write the generated CSV (default: a temporary file, removed after)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 方案解析基准 (a plan of N pages, as text and as .docx with a task table; no database)
    Plan {
        /// Pages of 616 characters (22 lines × 28, the 公文 page)
        #[arg(long, default_value_t = 100)]
        pages: usize,
        /// Rows of the task table in the .docx
        #[arg(long, default_value_t = 500)]
        table_rows: usize,
        /// Timed runs (the median is reported)
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// 政策计算器接口基准 (POST /api/v1/policy/calculate on a running server, one connection)
    Calculate {
        /// The server, e.g. http://127.0.0.1:18181
        #[arg(long)]
        url: String,
        /// A bearer token (POST /api/v1/auth/token)
        #[arg(long)]
        token: String,
        #[arg(long, default_value_t = 1000)]
        requests: usize,
        /// Requests sent first and not counted
        #[arg(long, default_value_t = 20)]
        warmup: usize,
        /// The JSON posted (default: one technology contract of 20,000,000 yuan in 2024)
        #[arg(long, default_value = CALCULATE_BODY)]
        body: String,
    },
}

pub fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Files {
            enterprises,
            years,
            seed,
            out,
        } => files(enterprises, years, seed, out),
        BenchCommand::Rules {
            rows,
            enterprises,
            seed,
            runs,
            explain,
        } => rules(rows, enterprises.unwrap_or(rows / 4), seed, runs, explain),
        BenchCommand::Ladder {
            enterprises,
            seed,
            runs,
        } => ladder(enterprises, seed, runs),
        BenchCommand::Land {
            enterprises,
            seed,
            runs,
            out,
        } => land(enterprises, seed, runs, out),
        BenchCommand::Plan {
            pages,
            table_rows,
            runs,
        } => plan(pages, table_rows, runs),
        BenchCommand::Calculate {
            url,
            token,
            requests,
            warmup,
            body,
        } => calculate(&url, &token, requests, warmup, &body),
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Peak resident memory of this process (MiB), from /proc (Linux); 0 elsewhere.
fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| kb / 1024)
        .unwrap_or(0)
}
