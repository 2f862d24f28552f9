//! Benchmark helpers (BENCHMARKS.md has the commands and the figures):
//!
//! - `gaoxin bench files` writes the large, valid files the import benchmarks read; the
//!   benchmark itself is the real command, `gaoxin enterprise import` / `gaoxin annual import`,
//!   timed from outside.
//! - `gaoxin bench rules` times the rules engine in process on generated seed-002 cases against
//!   the same four formulas written by hand with rust_decimal (they must agree to the fen), and
//!   `Evaluator::explain` per explained award.
//! - `gaoxin bench calculate` times `POST /api/v1/policy/calculate` on a running server over one
//!   keep-alive HTTP/1.1 connection.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use clap::Subcommand;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::Workbook;

use crate::demo::Rng;
use gaoxin_core::uscc::numbered_uscc;
use gaoxin_enterprises::domain::{ANNUAL_COLUMNS, ENTERPRISE_COLUMNS};
use gaoxin_rules::eval::{Evaluator, Outcome, TOUCH_BATCH};
use gaoxin_rules::expr::Value;
use gaoxin_rules::policy::{Policy, Slots, load};

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

fn files(enterprises: usize, years: usize, seed: u64, out: PathBuf) -> anyhow::Result<()> {
    std::fs::create_dir_all(&out).with_context(|| format!("无法创建目录 {}", out.display()))?;
    let mut rng = Rng::new(seed);
    let classes = ["2761", "3841", "3741", "6513", "3421", "2651", "7320", "3921"];
    let carriers = ["生物医药产业园", "新能源汽车产业园", "科技企业孵化器", "创新创业大厦"];

    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name("企业")?;
    for (c, spec) in ENTERPRISE_COLUMNS.iter().enumerate() {
        ws.write_string(0, c as u16, spec.header)?;
    }
    for i in 0..enterprises {
        let r = i as u32 + 1;
        ws.write_string(r, 0, format!("基准测试企业{i}有限公司"))?;
        ws.write_string(r, 1, numbered_uscc(i))?;
        ws.write_string(r, 2, classes[rng.below(classes.len())])?;
        ws.write_string(
            r,
            3,
            format!(
                "{}-{:02}-{:02}",
                2000 + rng.below(24),
                1 + rng.below(12),
                1 + rng.below(28)
            ),
        )?;
        ws.write_string(r, 4, format!("新乡市高新区创业路{}号", rng.below(900)))?;
        ws.write_string(r, 5, "张伟")?;
        ws.write_string(r, 6, "李娜")?;
        ws.write_string(r, 7, format!("0373-{}", 3_000_000 + rng.below(999_999)))?;
        ws.write_string(r, 8, "王芳")?;
        ws.write_number(r, 9, (rng.below(20_000) as f64) / 100.0)?;
        ws.write_number(r, 10, (5 + rng.below(2000)) as f64)?;
        ws.write_string(r, 11, "生命科学和生物技术")?;
        ws.write_string(r, 12, carriers[rng.below(carriers.len())])?;
        ws.write_string(r, 13, if rng.below(3) == 0 { "规上" } else { "规下" })?;
        ws.write_string(r, 14, "在营")?;
        ws.write_string(r, 15, if rng.below(4) == 0 { "高企" } else { "" })?;
        ws.write_string(r, 16, "刘洋")?;
    }
    let enterprise_file = out.join("enterprises.xlsx");
    workbook.save(&enterprise_file)?;

    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name("年度数据")?;
    for (c, spec) in ANNUAL_COLUMNS.iter().enumerate() {
        ws.write_string(0, c as u16, spec.header)?;
    }
    let mut r = 1u32;
    for i in 0..enterprises {
        let code = numbered_uscc(i);
        for y in 0..years {
            ws.write_string(r, 0, &code)?;
            ws.write_number(r, 1, (2024 - years + 1 + y) as f64)?;
            let revenue_fen = 5_000_000 + rng.below(2_000_000_000) as i64;
            ws.write_number(r, 2, (revenue_fen / 100) as f64 / 10_000.0)?;
            for c in 3..=6 {
                ws.write_number(r, c, (rng.below(1_000_000) as f64) / 100.0)?;
            }
            for c in 7..=11 {
                ws.write_number(r, c, (rng.below(1_000_000) as f64) / 1000.0)?;
            }
            for c in [12u16, 13, 15] {
                ws.write_number(r, c, rng.below(200) as f64)?;
            }
            r += 1;
        }
    }
    let annual_file = out.join("annual.xlsx");
    workbook.save(&annual_file)?;
    println!(
        "{}（{} 行）\n{}（{} 行）",
        enterprise_file.display(),
        enterprises,
        annual_file.display(),
        enterprises * years
    );
    Ok(())
}

// ---------------------------------------------------------------- bench rules

/// Seed 002's policy file: the four formulas `by_hand` writes out.
const SEED002: &str = include_str!("../rules/xinxiang-xinkai-2020-28.toml");

/// One generated case: one event of one enterprise (the other three amounts are 0).
struct Case {
    enterprise: String,
    contract: Decimal,
    introduced: Decimal,
    patents: Decimal,
    equipment: Decimal,
}

/// Like `make_csv.py` (not the same numbers): enterprise codes drawn uniformly, one event per
/// case, amounts in whole fen spread over 10^4..10^10 fen (so caps bind), 1–12 patents.
fn generate(rows: usize, enterprises: usize, seed: u64) -> Vec<Case> {
    let mut rng = Rng::new(seed);
    let enterprises = enterprises.max(1);
    let width = (enterprises - 1).to_string().len().max(5);
    let fen = |rng: &mut Rng| {
        let digits = 4 + rng.below(6) as u32;
        Decimal::new(10i64.pow(digits) + rng.below(9 * 10usize.pow(digits)) as i64, 2)
    };
    (0..rows)
        .map(|_| {
            let mut case = Case {
                enterprise: format!("E{:0width$}", rng.below(enterprises)),
                contract: Decimal::ZERO,
                introduced: Decimal::ZERO,
                patents: Decimal::ZERO,
                equipment: Decimal::ZERO,
            };
            match rng.below(4) {
                0 => case.contract = fen(&mut rng),
                1 => case.introduced = fen(&mut rng),
                2 => case.patents = Decimal::from(1 + rng.below(12)),
                _ => case.equipment = fen(&mut rng),
            }
            case
        })
        .collect()
}

/// The awards of `by_hand`, by its award number.
const AWARDS: [&str; 4] = [
    "tech_contract",
    "tech_introduced",
    "patent_transfer",
    "first_set_equipment",
];

/// A multiplicative hash for the hand-written map (what a careful hand-written program uses
/// instead of SipHash for short codes).
#[derive(Default)]
struct Mul(u64);

impl std::hash::Hasher for Mul {
    fn finish(&self) -> u64 {
        // The murmur3 finaliser: the table uses the low bits, which a multiply alone leaves
        // depending on the low bytes only ("E0…" for every code).
        let h = (self.0 ^ (self.0 >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
}

/// Award lines (case index, award number, amount) and sorted totals per enterprise.
type ByHand = (Vec<(usize, usize, Decimal)>, Vec<(String, Decimal)>);

/// Seed 002's four awards written by hand with rust_decimal: 1% capped at 100,000 per contract;
/// 10% capped at 1,000,000 per project; 10,000 per patent with 200,000 per recipient and year;
/// 5% uncapped; each line rounded half-up to the fen; totals per enterprise.
fn by_hand(cases: &[Case]) -> ByHand {
    let fen = |d: Decimal| d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let (one_percent, ten_percent, five_percent) = (Decimal::new(1, 2), Decimal::new(10, 2), Decimal::new(5, 2));
    let (contract_cap, introduced_cap) = (Decimal::from(100_000), Decimal::from(1_000_000));
    let (per_patent, patent_cap) = (Decimal::from(10_000), Decimal::from(200_000));
    let mut ids: HashMap<&str, usize, BuildHasherDefault<Mul>> = HashMap::default();
    let mut names: Vec<&str> = Vec::new();
    // Per enterprise: total, patent awards this year.
    let mut sums: Vec<(Decimal, Decimal)> = Vec::new();
    let mut lines = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let r = *ids.entry(&c.enterprise).or_insert_with(|| {
            names.push(&c.enterprise);
            sums.push((Decimal::ZERO, Decimal::ZERO));
            names.len() - 1
        });
        let mut award = [None; 4];
        if c.contract > Decimal::ZERO {
            award[0] = Some(fen((c.contract * one_percent).min(contract_cap)));
        }
        if c.introduced > Decimal::ZERO {
            award[1] = Some(fen((c.introduced * ten_percent).min(introduced_cap)));
        }
        if c.patents > Decimal::ZERO {
            let used = &mut sums[r].1;
            let amount = fen(c.patents * per_patent).min((patent_cap - *used).max(Decimal::ZERO));
            *used += amount;
            award[2] = Some(amount);
        }
        if c.equipment > Decimal::ZERO {
            award[3] = Some(fen(c.equipment * five_percent));
        }
        for (a, amount) in award.into_iter().enumerate() {
            if let Some(amount) = amount.filter(|x| !x.is_zero()) {
                sums[r].0 += amount;
                lines.push((i, a, amount));
            }
        }
    }
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_unstable_by(|a, b| names[*a].cmp(names[*b]));
    let totals = order.iter().map(|i| (names[*i].to_string(), sums[*i].0)).collect();
    (lines, totals)
}

/// The rules engine over the cases; `look_ahead`: as `gaoxin policy eval` drives it (a batch's
/// recipients looked up together first).
fn by_engine(policies: &[Policy], cases: &[Case], rows: &[Value], look_ahead: bool) -> anyhow::Result<Outcome> {
    let width = rows.len() / cases.len().max(1);
    let mut evaluator = Evaluator::new(policies, 2023).map_err(|e| anyhow!(e))?;
    for (i, (case, row)) in cases.iter().zip(rows.chunks(width)).enumerate() {
        if look_ahead && i % TOUCH_BATCH == 0 {
            evaluator.touch(cases[i..].iter().take(TOUCH_BATCH).map(|c| c.enterprise.as_str()));
        }
        evaluator
            .case(&case.enterprise, row, i + 2)
            .map_err(|e| anyhow!("{e}"))?;
    }
    Ok(evaluator.finish())
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

/// A CSV of `enterprises` firms over 2022 and 2023 with the columns of `gaoxin land evaluate
/// --input`: 规上 and 规下, a tenth without emission data, one in twenty without land of its own.
fn land_csv(enterprises: usize, seed: u64) -> String {
    use std::fmt::Write as _;
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(enterprises * 2 * 160);
    out.push_str("统一社会信用代码,企业名称,年度,营业收入(万元),工业增加值(万元),税收(万元),研发经费(万元),综合能耗(吨标准煤),化学需氧量排放(吨),氨氮排放(吨),二氧化硫排放(吨),氮氧化物排放(吨),用电量(万千瓦时),用地面积(亩),从业人员数,企业规模,行业代码,注册日期\n");
    let wan = |yuan: u64| Decimal::new(yuan as i64, 4).normalize();
    for n in 0..enterprises {
        let uscc = numbered_uscc(n);
        let above = rng.below(3) > 0;
        let land = (rng.below(20) != 0).then(|| Decimal::new(30 + rng.below(2000) as i64, 1));
        let staff = 5 + rng.below(if above { 900 } else { 60 });
        let industry = ["2761", "3841", "3741", "4610", "3421", "2651", "3921"][rng.below(7)];
        let registered = format!(
            "{}-{:02}-{:02}",
            1995 + rng.below(29),
            1 + rng.below(12),
            1 + rng.below(28)
        );
        let mut revenue =
            if above { 20_000_000 } else { 1_000_000 } + rng.below(if above { 500_000_000 } else { 20_000_000 }) as u64;
        for year in [2022, 2023] {
            revenue = revenue / 100 * (85 + rng.below(40) as u64);
            let value_added = revenue / 100 * (15 + rng.below(20) as u64);
            let tax = revenue / 1000 * (20 + rng.below(50) as u64);
            let rd = revenue / 1000 * rng.below(60) as u64;
            let energy = Decimal::new((revenue / 10_000_000) as i64 * (5 + rng.below(30) as i64), 2);
            let _ = write!(
                out,
                "{uscc},企业{n},{year},{},{},{},{},{energy},",
                wan(revenue),
                wan(value_added),
                wan(tax),
                wan(rd)
            );
            if rng.below(10) == 0 {
                out.push_str(",,,,");
            } else {
                for _ in 0..4 {
                    let _ = write!(out, "{},", Decimal::new(rng.below(5000) as i64, 3));
                }
            }
            let _ = write!(
                out,
                "{},",
                Decimal::new((revenue / 100_000) as i64 * (2 + rng.below(8) as i64), 4)
            );
            if let Some(land) = land {
                let _ = write!(out, "{land}");
            }
            let _ = writeln!(
                out,
                ",{staff},{},{industry},{registered}",
                if above { "规上" } else { "规下" }
            );
        }
    }
    out
}

fn land(enterprises: usize, seed: u64, runs: usize, out: Option<PathBuf>) -> anyhow::Result<()> {
    use gaoxin_land::{output, shipped};
    use gaoxin_rules::land;
    if enterprises == 0 || runs == 0 {
        bail!("--enterprises 和 --runs 至少为 1");
    }
    let started = Instant::now();
    let csv = land_csv(enterprises, seed);
    let generated = started.elapsed();
    if let Some(path) = &out {
        std::fs::write(path, &csv).with_context(|| format!("无法写入 {}", path.display()))?;
    }
    println!(
        "{enterprises} enterprises × 2 years ({:.1} MiB of CSV, generated in {:.2} s){}",
        csv.len() as f64 / (1 << 20) as f64,
        generated.as_secs_f64(),
        out.as_ref()
            .map(|p| format!(", written to {}", p.display()))
            .unwrap_or_default()
    );
    for name in shipped::names() {
        let scheme = shipped::resolve(&name)?;
        let (mut read_t, mut eval_t, mut write_t) = (Vec::new(), Vec::new(), Vec::new());
        let mut summary = String::new();
        for _ in 0..runs {
            let t = Instant::now();
            let input = land::input::read_csv(&scheme, csv.as_bytes(), 2023).map_err(|e| anyhow!("{e}"))?;
            read_t.push(t.elapsed());
            let t = Instant::now();
            let evaluation = scheme.evaluate(&input.cases, input.baseline.as_deref());
            eval_t.push(t.elapsed());
            let t = Instant::now();
            let records = output::ranked(
                input
                    .rows
                    .iter()
                    .zip(&evaluation.results)
                    .map(|(row, result)| output::Record {
                        uscc: &row.uscc,
                        name: row.name.as_deref(),
                        result,
                    })
                    .collect(),
            );
            let mut sink = Vec::new();
            output::write_json(&scheme, &records, &mut sink)?;
            write_t.push(t.elapsed());
            let results = &evaluation.results;
            let evaluated = results.iter().filter(|r| r.excluded.is_none()).count();
            let last = scheme.classes.names.len() - 1;
            let d = results
                .iter()
                .filter(|r| r.excluded.is_none() && r.class == last)
                .count();
            summary = format!(
                "{evaluated} ranked, {d} in D, JSON {:.1} MiB",
                sink.len() as f64 / (1 << 20) as f64
            );
        }
        let (r, e, w) = (median(read_t), median(eval_t), median(write_t));
        println!(
            "{name}: read {:.3} s + evaluate {:.3} s + write JSON {:.3} s = {:.3} s (median of {runs}); {summary}",
            r.as_secs_f64(),
            e.as_secs_f64(),
            w.as_secs_f64(),
            (r + e + w).as_secs_f64()
        );
    }
    println!("peak memory {} MiB", peak_rss_mib());
    Ok(())
}

/// Generated facts for the ladder benchmark: three years of figures with growth, a few gaps,
/// and a 高企 recognition for one firm in five.
fn ladder_facts(n: usize, seed: u64) -> Vec<gaoxin_rules::ladder::Facts> {
    use gaoxin_rules::ladder::{Facts, Held, YEAR_FIELDS, YearField as F};
    let mut rng = Rng::new(seed);
    let dec = |fen: i64| Some(Decimal::new(fen, 2));
    (0..n)
        .map(|_| {
            let mut facts = Facts {
                registered_on: chrono::NaiveDate::from_ymd_opt(
                    2000 + rng.below(24) as i32,
                    1 + rng.below(12) as u32,
                    1 + rng.below(28) as u32,
                ),
                industry_code: Some(["C3841", "C2761", "I6513", "C3421"][rng.below(4)].to_string()),
                employees: Some(10 + rng.below(800) as i64),
                ..Default::default()
            };
            let mut revenue = (5_000_000 + rng.below(200_000_000) as i64) * 100;
            let mut net = revenue / 3;
            for year in 2022..=2024 {
                revenue = revenue / 100 * (85 + rng.below(50) as i64);
                net = net / 100 * (90 + rng.below(40) as i64);
                let rd = revenue / 1000 * (10 + rng.below(70) as i64);
                let staff = 20 + rng.below(600) as i64;
                let mut f = [None; YEAR_FIELDS];
                f[F::Revenue as usize] = dec(revenue);
                f[F::RdExpense as usize] = dec(rd);
                f[F::HitechRevenue as usize] = dec(revenue / 100 * (30 + rng.below(70) as i64));
                f[F::TechStaff as usize] = Some(Decimal::from(staff / (2 + rng.below(8) as i64)));
                f[F::RdStaff as usize] = Some(Decimal::from(staff / 10));
                f[F::TotalStaff as usize] = Some(Decimal::from(staff));
                f[F::TotalAssets as usize] = dec(revenue / 10 * (8 + rng.below(12) as i64));
                f[F::NetAssets as usize] = if rng.below(10) == 0 { None } else { dec(net) };
                f[F::DomesticRdExpense as usize] = dec(rd / 100 * (70 + rng.below(31) as i64));
                f[F::TotalCost as usize] = dec(revenue / 100 * (70 + rng.below(25) as i64));
                f[F::MainRevenue as usize] = dec(revenue / 100 * (60 + rng.below(40) as i64));
                f[F::IpClass1 as usize] = Some(Decimal::from(rng.below(6)));
                f[F::IpClass2 as usize] = Some(Decimal::from(rng.below(20)));
                f[F::AchievementsTransferred as usize] = Some(Decimal::from(rng.below(4)));
                f[F::RdInstitutions as usize] = Some(Decimal::from(rng.below(3)));
                f[F::RdManagementScore as usize] = (rng.below(10) < 7).then(|| Decimal::from(6 + rng.below(14)));
                f[F::IpQualityScore as usize] = (rng.below(10) < 7).then(|| Decimal::from(6 + rng.below(16)));
                f[F::MarketShare as usize] =
                    (rng.below(10) == 0).then(|| Decimal::new(100 + rng.below(2000) as i64, 2));
                f[F::Valuation as usize] =
                    (rng.below(50) == 0).then(|| Decimal::from(10_000_000 + rng.below(900_000_000)));
                f[F::EquityFinancing as usize] =
                    (rng.below(20) == 0).then(|| Decimal::from(1_000_000 + rng.below(90_000_000)));
                facts.years.insert(year, f);
            }
            if rng.below(5) == 0 {
                facts.recognitions.push(Held {
                    category: "高新技术企业".into(),
                    level: Some("国家级".into()),
                    date: chrono::NaiveDate::from_ymd_opt(2022, 11, 1).expect("a date"),
                    reference: "GR".into(),
                });
            }
            facts
        })
        .collect()
}

fn ladder(enterprises: usize, seed: u64, runs: usize) -> anyhow::Result<()> {
    use gaoxin_rules::ladder::{self, Status};
    if enterprises == 0 || runs == 0 {
        bail!("--enterprises 和 --runs 至少为 1");
    }
    let criteria: Vec<ladder::Criteria> = gaoxin_ladder::shipped::files()
        .iter()
        .map(|(f, t)| ladder::load(f, t))
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow!("{e}"))?;
    let validities = ladder::validities(&criteria);
    let started = Instant::now();
    let facts = ladder_facts(enterprises, seed);
    let generated = started.elapsed();
    let (year, as_of) = (2024, ladder::default_as_of(2024));
    let mut times = Vec::new();
    let mut tally = [0usize; 3];
    for _ in 0..runs {
        tally = [0; 3];
        let t = Instant::now();
        let statuses = ladder::parallel_map(&facts, |f| {
            criteria
                .iter()
                .map(|c| c.evaluate(f, year, as_of, &validities, ladder::DEFAULT_MARGIN).status)
                .collect::<Vec<Status>>()
        });
        times.push(t.elapsed());
        for s in statuses.iter().flatten() {
            tally[match s {
                Status::Qualifies => 0,
                Status::Unknown => 1,
                Status::Fails => 2,
            }] += 1;
        }
    }
    times.sort();
    let median = times[times.len() / 2];
    let results = enterprises * criteria.len();
    println!(
        "{enterprises} enterprises × {} criteria = {results} results: median {:.3} s over {runs} runs ({:.2} µs per result); generating the facts took {:.2} s",
        criteria.len(),
        median.as_secs_f64(),
        median.as_secs_f64() * 1e6 / results as f64,
        generated.as_secs_f64()
    );
    println!(
        "qualifies {}, unknown {}, fails {}; peak memory {} MiB",
        tally[0],
        tally[1],
        tally[2],
        peak_rss_mib()
    );
    Ok(())
}

fn rules(rows: usize, enterprises: usize, seed: u64, runs: usize, explain: usize) -> anyhow::Result<()> {
    if rows == 0 || runs == 0 {
        bail!("--rows 和 --runs 至少为 1");
    }
    let mut slots = Slots::new();
    let mut kinds = HashMap::new();
    let policy = load("xinxiang-xinkai-2020-28.toml", SEED002, &mut slots, &mut kinds).map_err(|e| anyhow!("{e}"))?;
    let policies = vec![policy];
    let cases = generate(rows, enterprises, seed);
    let slot = |name: &str| {
        slots
            .get(name)
            .copied()
            .with_context(|| format!("规则文件没有变量 {name}"))
    };
    let columns = [
        slot("certified_contract_amount")?,
        slot("tech_introduced_amount")?,
        slot("invention_patents_transferred")?,
        slot("first_set_equipment_price")?,
    ];
    let width = slots.len();
    let mut values = vec![Value::Num(Decimal::ZERO); rows * width];
    for (case, row) in cases.iter().zip(values.chunks_mut(width)) {
        for (column, amount) in columns
            .iter()
            .zip([case.contract, case.introduced, case.patents, case.equipment])
        {
            row[*column] = Value::Num(amount);
        }
    }
    let enterprises = cases
        .iter()
        .map(|c| c.enterprise.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    println!("{rows} cases, {enterprises} enterprises (seed {seed}); median of {runs} runs");

    let (mut engine, mut plain, mut hand) = (Vec::new(), Vec::new(), Vec::new());
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let expected = by_hand(&cases);
        hand.push(t.elapsed());
        let t = Instant::now();
        let outcome = by_engine(&policies, &cases, &values, false)?;
        plain.push(t.elapsed());
        drop(outcome);
        let t = Instant::now();
        let outcome = by_engine(&policies, &cases, &values, true)?;
        engine.push(t.elapsed());
        last = Some((outcome, expected));
    }
    let (outcome, (lines, totals)) = last.expect("at least one run");
    // Agreement to the fen: every line and every total.
    if outcome.line_count() != lines.len() {
        bail!(
            "award lines differ: engine {}, by hand {}",
            outcome.line_count(),
            lines.len()
        );
    }
    for (got, (case, award, amount)) in outcome.lines().zip(&lines) {
        if got.row != case + 2 || got.award != AWARDS[*award] || got.amount != *amount {
            bail!(
                "case {}: engine {} {} {}, by hand {} {} {}",
                case + 1,
                got.enterprise,
                got.award,
                got.amount,
                cases[*case].enterprise,
                AWARDS[*award],
                amount
            );
        }
    }
    if outcome.totals != totals {
        bail!("totals per enterprise differ");
    }
    let (engine, plain, hand) = (median(engine), median(plain), median(hand));
    let per_case = |d: Duration| d.as_secs_f64() * 1e9 / rows as f64;
    let ratio = engine.as_secs_f64() / hand.as_secs_f64();
    println!(
        "engine (Evaluator, as policy eval drives it) {:.3} s  {:.0} ns/case",
        engine.as_secs_f64(),
        per_case(engine)
    );
    println!(
        "engine (Evaluator::case alone, no look-ahead) {:.3} s  {:.0} ns/case",
        plain.as_secs_f64(),
        per_case(plain)
    );
    println!(
        "by hand (rust_decimal, same four formulas)   {:.3} s  {:.0} ns/case",
        hand.as_secs_f64(),
        per_case(hand)
    );
    println!(
        "engine / by hand: {ratio:.2}× (no look-ahead {:.2}×; goal ≤ 3×: {})",
        plain.as_secs_f64() / hand.as_secs_f64(),
        if ratio <= 3.0 { "met" } else { "NOT met" }
    );
    println!(
        "agree to the fen: {} award lines, {} enterprise totals, 0 differences",
        lines.len(),
        totals.len()
    );

    // Explanations: a fresh evaluator, every case explained.
    let explain = explain.min(rows);
    if explain > 0 {
        let mut evaluator = Evaluator::new(&policies, 2023).map_err(|e| anyhow!(e))?;
        let mut notes = 0usize;
        let mut json_bytes = 0usize;
        let mut serialise = Duration::ZERO;
        let t = Instant::now();
        for (i, (case, row)) in cases.iter().zip(values.chunks(width)).take(explain).enumerate() {
            let explained = evaluator
                .explain(&case.enterprise, row, i + 2)
                .map_err(|e| anyhow!("{e}"))?;
            notes += explained.len();
            let s = Instant::now();
            json_bytes += serde_json::to_vec(&explained)?.len();
            serialise += s.elapsed();
        }
        let total = t.elapsed() - serialise;
        let per = |d: Duration| d.as_secs_f64() * 1e6 / notes.max(1) as f64;
        println!(
            "explain: {explain} cases, {notes} explained awards; Evaluator::explain {:.2} µs per explained award \
             (+ {:.2} µs to JSON, {} bytes each); goal < 100 µs: {}",
            per(total),
            per(serialise),
            json_bytes / notes.max(1),
            if per(total) < 100.0 { "met" } else { "NOT met" }
        );
    }
    Ok(())
}

// ---------------------------------------------------------------- bench calculate

/// Reads one HTTP/1.1 response: (status, body). Content-Length or chunked bodies.
fn read_response(reader: &mut BufReader<TcpStream>) -> anyhow::Result<(u16, Vec<u8>)> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        bail!("the server closed the connection");
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("not an HTTP status line: {line:?}"))?;
    let (mut length, mut chunked, mut close) = (None, false, false);
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse::<usize>().ok(),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                "connection" => close = value.eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .with_context(|| format!("bad chunk size {line:?}"))?;
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..])?;
            line.clear();
            reader.read_line(&mut line)?;
            if size == 0 {
                break;
            }
        }
    } else if let Some(length) = length {
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    } else {
        bail!("a response without Content-Length");
    }
    if close {
        bail!("the server closes the connection after each response (HTTP {status})");
    }
    Ok((status, body))
}

const CALCULATE_BODY: &str =
    r#"{"year": 2024, "cases": [{"on": "technology_contract", "values": {"certified_contract_amount": "20000000"}}]}"#;

fn calculate(url: &str, token: &str, requests: usize, warmup: usize, body: &str) -> anyhow::Result<()> {
    if requests == 0 {
        bail!("--requests 至少为 1");
    }
    let parsed = url::Url::parse(url).with_context(|| format!("无效的地址 {url}"))?;
    if parsed.scheme() != "http" {
        bail!("只支持 http://（本机回环上的服务）");
    }
    let host = parsed.host_str().context("地址中没有主机")?.to_string();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let path = format!("{}/api/v1/policy/calculate", parsed.path().trim_end_matches('/'));
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let stream = TcpStream::connect((host.as_str(), port)).with_context(|| format!("无法连接 {host}:{port}"))?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut times = Vec::with_capacity(requests);
    let mut first = None;
    for i in 0..warmup + requests {
        let t = Instant::now();
        writer.write_all(request.as_bytes())?;
        let (status, body) = read_response(&mut reader)?;
        let elapsed = t.elapsed();
        if status != 200 {
            bail!("HTTP {status}: {}", String::from_utf8_lossy(&body));
        }
        if first.is_none() {
            first = Some(body);
        }
        if i >= warmup {
            times.push(elapsed);
        }
    }
    times.sort();
    // Nearest rank.
    let rank = |p: f64| times[((p * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    let first = first
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let total = serde_json::from_str::<serde_json::Value>(&first)
        .ok()
        .and_then(|v| v["total"].as_str().map(str::to_string))
        .unwrap_or_default();
    println!("POST {path} ×{requests} (after {warmup} not counted), one keep-alive connection to {host}:{port}");
    println!("request: {body}");
    println!("response: total {total}, {} bytes", first.len());
    println!(
        "median {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  min {:.3} ms  max {:.3} ms  mean {:.3} ms; goal median < 1 ms: {}",
        ms(rank(0.5)),
        ms(rank(0.9)),
        ms(rank(0.99)),
        ms(times[0]),
        ms(times[times.len() - 1]),
        ms(mean),
        if ms(rank(0.5)) < 1.0 { "met" } else { "NOT met" }
    );
    Ok(())
}

/// The demo plan (seed 002, 17 annotated items) repeated to `pages` pages, parsed as text; then
/// the same paragraphs and a task table of `table_rows` rows as a .docx, parsed from its bytes.
fn plan(pages: usize, table_rows: usize, runs: usize) -> anyhow::Result<()> {
    use gaoxin_rules::plan_parser as parse;
    if pages == 0 || runs == 0 {
        bail!("--pages 和 --runs 至少为 1");
    }
    let one = include_str!("../data/demo/xinxiang-gaoxin-plan.txt");
    let mut text = String::new();
    while text.chars().count() < pages * 616 {
        text.push_str(one);
        text.push('\n');
    }
    let chars = text.chars().count();
    let mut times = Vec::new();
    let mut tasks = 0;
    for _ in 0..runs {
        let t = Instant::now();
        tasks = parse::parse_text(&text).tasks.len();
        times.push(t.elapsed());
    }
    println!(
        "text: {chars} characters ({:.0} pages, {:.2} MiB), {tasks} tasks: median {:.1} ms of {runs} runs",
        chars as f64 / 616.0,
        text.len() as f64 / (1 << 20) as f64,
        median(times).as_secs_f64() * 1000.0
    );
    let mut doc = gaoxin_platform::docx::Document::new().title("基准测试工作方案");
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        doc = doc.paragraph(line);
    }
    let rows = (1..=table_rows)
        .map(|i| {
            vec![
                i.to_string(),
                format!("新增高新技术企业{}家，推进第{i}项重点工作。", i % 90 + 10),
                "区科学技术局".into(),
                "区财政局、区经济发展局".into(),
                "2026年12月31日前".into(),
            ]
        })
        .collect();
    let bytes = doc
        .table(
            ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"]
                .map(String::from)
                .to_vec(),
            rows,
        )
        .to_bytes()?;
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        tasks = parse::parse_bytes(&bytes).map_err(|e| anyhow!("{e}"))?.tasks.len();
        times.push(t.elapsed());
    }
    println!(
        ".docx: {:.2} MiB with a {table_rows}-row task table, {tasks} tasks: median {:.1} ms of {runs} runs; peak memory {} MiB",
        bytes.len() as f64 / (1 << 20) as f64,
        median(times).as_secs_f64() * 1000.0,
        peak_rss_mib()
    );
    Ok(())
}
