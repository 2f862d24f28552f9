//! `gaoxin bench plan`: the plan parser on a plan of N pages, as text and as .docx with a task
//! table, with no database.

use std::time::Instant;

use anyhow::{anyhow, bail};

use super::{median, peak_rss_mib};

/// The demo plan (seed 002, 17 annotated items) repeated to `pages` pages, parsed as text; then
/// the same paragraphs and a task table of `table_rows` rows as a .docx, parsed from its bytes.
pub(super) fn plan(pages: usize, table_rows: usize, runs: usize) -> anyhow::Result<()> {
    use gaoxin_rules::plan_parser as parse;
    if pages == 0 || runs == 0 {
        bail!("--pages 和 --runs 至少为 1");
    }
    let one = include_str!("../../../data/demo/xinxiang-gaoxin-plan.txt");
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
