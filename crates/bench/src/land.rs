//! `gaoxin bench land`: a generated CSV of two years through every shipped 亩均 scheme — read,
//! evaluate, write — with no database.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, anyhow, bail};
use rust_decimal::Decimal;

use super::{median, peak_rss_mib};
use gaoxin_core::rng::Rng;
use gaoxin_core::uscc::numbered_uscc;

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

pub(super) fn land(enterprises: usize, seed: u64, runs: usize, out: Option<PathBuf>) -> anyhow::Result<()> {
    use gaoxin_land::shipped;
    use gaoxin_rules::land;
    use gaoxin_rules::land::output;
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
            let records = output::ranked_rows(&input.rows, &evaluation.results);
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
