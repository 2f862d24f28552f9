//! `gaoxin fuzz`: fuzzing of every reader and parser that takes outside input, on stable Rust
//! (issue 17). cargo-fuzz needs a nightly compiler and a sanitizer runtime, neither of which a
//! zone's build machine has; this is a mutation fuzzer in the spirit of libFuzzer without
//! coverage feedback: it starts from a kept corpus (`fuzz/corpus/<target>/`), mutates inputs
//! (bit flips, interesting bytes, insertions of the target's own tokens, deletions, duplications,
//! splices of two inputs, and — for .xlsx and .docx — the same inside one part of the zip, which
//! is written back so the archive stays readable), runs each through the target under
//! `catch_unwind`, and stops at the first panic or at an input that takes longer than
//! [`SLOW`]. The input is kept in `fuzz/crashes/` and becomes a regression test.
//!
//! A target must never panic, whatever it is given: errors are values.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gaoxin_core::rng::Rng;
use gaoxin_platform::spreadsheet::{Limits, read_within};
use gaoxin_rules::{expr, ladder, land, plan_parser, policy};

/// One thing to fuzz: how to run an input, and the tokens worth inserting.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
    pub tokens: &'static [&'static str],
}

/// An input slower than this is a finding too (a reader that can be made to spin).
pub const SLOW: Duration = Duration::from_secs(5);

fn small() -> Limits {
    Limits {
        max_rows: 5_000,
        max_columns: 64,
        max_cells: 50_000,
        max_unzipped_bytes: 16 << 20,
        max_file_bytes: 4 << 20,
    }
}

fn spreadsheet(data: &[u8]) {
    let _ = read_within("fuzz.xlsx", data, &small());
}

fn csv(data: &[u8]) {
    let _ = read_within("fuzz.csv", data, &small());
}

fn docx(data: &[u8]) {
    let _ = plan_parser::parse_bytes(data);
}

fn plan(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = plan_parser::parse_text(text);
    }
}

fn expression(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(parsed) = expr::parse(text) else { return };
    let lookup = |name: &str| match name.len() % 4 {
        0 => Some(expr::Type::Number),
        1 => Some(expr::Type::Bool),
        2 => Some(expr::Type::Text),
        _ => Some(expr::Type::Date),
    };
    let _ = expr::check(&parsed, &lookup);
    let _ = expr::print(&parsed);
}

fn rule_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = policy::load("fuzz.toml", text, &mut Default::default(), &mut Default::default());
    let _ = ladder::load("fuzz.toml", text);
    let _ = land::load("fuzz.toml", text);
}

const XML: &[&str] = &[
    "<row r=\"1048576\">",
    "<c r=\"XFD1\" t=\"s\"><v>0</v></c>",
    "<c r=\"A1\"><v>1e308</v></c>",
    "</row>",
    "<v>",
    "</v>",
    "t=\"inlineStr\"",
    "<is><t>甲</t></is>",
    "<w:p>",
    "<w:t>",
    "</w:t>",
    "</w:p>",
    "<w:tbl>",
    "<w:tr>",
    "<w:tc>",
    "<w:vMerge/>",
    "&amp;",
    "&#0;",
    "]]>",
    "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
];

/// Every target, in the order `.ci/run` runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "spreadsheet",
        run: spreadsheet,
        tokens: XML,
    },
    Target {
        name: "csv",
        run: csv,
        tokens: &[
            "\"", ",", "\n", "\r\n", "\"\"", "\u{feff}", "\t", ";", "=1+1", "\u{0}", "\r",
        ],
    },
    Target {
        name: "docx",
        run: docx,
        tokens: XML,
    },
    Target {
        name: "plan",
        run: plan,
        tokens: &[
            "一、",
            "（一）",
            "1.",
            "(1)",
            "①",
            "一是",
            "（牵头单位：",
            "；配合单位：",
            "）",
            "责任单位：",
            "完成时限：",
            "年底前",
            "6月底前",
            "2026年",
            "〔2026〕",
            "号",
            "|",
            "\t",
            "新增",
            "家",
            "%",
            "亿元",
            "\n",
        ],
    },
    Target {
        name: "expression",
        run: expression,
        tokens: &[
            "(",
            ")",
            "+",
            "-",
            "*",
            "/",
            "==",
            "!=",
            ">=",
            "<=",
            "and",
            "or",
            "not",
            "if",
            "then",
            "else",
            "min(",
            "max(",
            "round(",
            ",",
            "\"",
            "1e308",
            "0.0000001",
            "-",
            "99999999999999999999",
            "date(2026, 2, 30)",
            "years_between(",
            "in",
            "[",
            "]",
            "x",
            "营业收入",
        ],
    },
    Target {
        name: "rule_file",
        run: rule_file,
        tokens: &[
            "[",
            "]",
            "[[",
            "]]",
            "=",
            "\"",
            "'''",
            "\n",
            "id = ",
            "when = \"",
            "amount = \"",
            "cap = ",
            "[variables]",
            "[[awards]]",
            "[[tests]]",
            "effective_from = 2026-01-01",
            "1e400",
            "-0",
            "inf",
            "nan",
            "{",
            "}",
        ],
    },
];

pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// One mutation of `data` (another corpus input may be spliced in).
pub fn mutate(data: &[u8], other: &[u8], tokens: &[&str], rng: &mut Rng) -> Vec<u8> {
    let mut out = data.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(8) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = [0u8, 0xff, 0x7f, 0x80, b'\n', b'"', b'<', b'>', b'0', b'9'][rng.below(10)];
            }
            2 | 3 if !tokens.is_empty() => {
                let token = tokens[rng.below(tokens.len())].as_bytes();
                out.splice(at..at, token.iter().copied());
            }
            4 if !out.is_empty() => {
                let end = (at + 1 + rng.below(64)).min(out.len());
                out.drain(at.min(end)..end);
            }
            5 if !out.is_empty() => {
                let start = rng.below(out.len());
                let end = (start + 1 + rng.below(256)).min(out.len());
                let piece: Vec<u8> = out[start..end].to_vec();
                for _ in 0..=rng.below(8) {
                    out.splice(at.min(out.len())..at.min(out.len()), piece.iter().copied());
                }
            }
            6 if !other.is_empty() => {
                let start = rng.below(other.len());
                let end = (start + 1 + rng.below(512)).min(other.len());
                out.splice(at..at, other[start..end].iter().copied());
            }
            _ => {
                let n = 1 + rng.below(16);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
                out.splice(at..at, bytes);
            }
        }
        if out.len() > 4 << 20 {
            out.truncate(4 << 20);
        }
    }
    out
}

/// For a zip (.xlsx, .docx): one part mutated, the archive written back (stored), so that the
/// reader gets past the archive into the XML. `None` when `data` is not a readable zip.
pub fn mutate_inside_zip(data: &[u8], tokens: &[&str], rng: &mut Rng) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(data)).ok()?;
    if archive.is_empty() {
        return None;
    }
    let chosen = rng.below(archive.len());
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..archive.len() {
        let entry = archive.by_index(i).ok()?;
        let name = entry.name().ok()?.to_string();
        let mut bytes = Vec::new();
        entry.take(8 << 20).read_to_end(&mut bytes).ok()?;
        if i == chosen {
            bytes = mutate(&bytes, &[], tokens, rng);
        }
        out.start_file(name, options).ok()?;
        out.write_all(&bytes).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}

/// What a run found.
pub struct Outcome {
    pub target: &'static str,
    pub runs: u64,
    pub corpus: usize,
    pub slowest: Duration,
    /// The input that panicked or was too slow, kept in the crashes folder, with why.
    pub finding: Option<(PathBuf, String)>,
}

/// The corpus of a target: every file of `dir` (at least one empty input).
pub fn corpus(dir: &Path) -> std::io::Result<Vec<Vec<u8>>> {
    let mut inputs = Vec::new();
    if dir.is_dir() {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        paths.sort();
        for path in paths.into_iter().filter(|p| p.is_file()) {
            inputs.push(std::fs::read(path)?);
        }
    }
    if inputs.is_empty() {
        inputs.push(Vec::new());
    }
    Ok(inputs)
}

thread_local! {
    /// Where the last panic on this thread happened (the silent hook records it).
    static PANICKED_AT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

fn record_location(info: &std::panic::PanicHookInfo<'_>) {
    let at = info
        .location()
        .map(|l| format!("{}:{}", l.file(), l.line()))
        .unwrap_or_default();
    PANICKED_AT.with(|p| *p.borrow_mut() = at);
}

/// Runs one input, catching a panic: the panic's message and where, or how long it took.
pub fn run_once(target: &Target, input: &[u8]) -> Result<Duration, String> {
    let started = Instant::now();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (target.run)(input))) {
        Ok(()) => Ok(started.elapsed()),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            let at = PANICKED_AT.with(|p| p.borrow().clone());
            Err(format!("{message} (at {at})"))
        }
    }
}

/// Fuzzes `target` for `seconds`: first every corpus input as it is, then mutations.
pub fn fuzz(
    target: &'static Target,
    corpus_dir: &Path,
    crashes: &Path,
    seconds: f64,
    seed: u64,
) -> anyhow::Result<Outcome> {
    let inputs = corpus(corpus_dir)?;
    let mut rng = Rng::new(seed);
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut outcome = Outcome {
        target: target.name,
        runs: 0,
        corpus: inputs.len(),
        slowest: Duration::ZERO,
        finding: None,
    };
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(record_location));
    let mut index = 0usize;
    let result = loop {
        let input = if index < inputs.len() {
            inputs[index].clone()
        } else {
            let base = &inputs[rng.below(inputs.len())];
            let other = &inputs[rng.below(inputs.len())];
            let inside = base.starts_with(b"PK") && rng.below(10) < 7;
            match inside
                .then(|| mutate_inside_zip(base, target.tokens, &mut rng))
                .flatten()
            {
                Some(m) => m,
                None => mutate(base, other, target.tokens, &mut rng),
            }
        };
        index += 1;
        outcome.runs += 1;
        let why = match run_once(target, &input) {
            Ok(took) if took > SLOW => Some(format!("took {:.1} s", took.as_secs_f64())),
            Ok(took) => {
                outcome.slowest = outcome.slowest.max(took);
                None
            }
            Err(message) => Some(format!("panicked: {message}")),
        };
        if let Some(why) = why {
            std::fs::create_dir_all(crashes)?;
            let path = crashes.join(format!("{}-{:016x}.bin", target.name, rng.next_u64()));
            std::fs::write(&path, &input)?;
            outcome.finding = Some((path, why));
            break Ok(outcome);
        }
        if index >= inputs.len() && Instant::now() >= deadline {
            break Ok(outcome);
        }
    };
    std::panic::set_hook(previous_hook);
    result
}

/// Seeds for the binary targets, written into `dir/<target>/` (`gaoxin fuzz --seed-corpus`):
/// small real workbooks and a document, made the way users' files are made.
pub fn write_seeds(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let mut save = |target: &str, name: &str, bytes: Vec<u8>| -> anyhow::Result<()> {
        let folder = dir.join(target);
        std::fs::create_dir_all(&folder)?;
        let path = folder.join(name);
        std::fs::write(&path, bytes)?;
        written.push(path);
        Ok(())
    };
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, header) in ["企业名称", "统一社会信用代码", "营业收入(万元)", "认定日期"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *header)?;
    }
    sheet.write_string(1, 0, "新乡示例科技有限公司")?;
    sheet.write_string(1, 1, "91410700MA3X4L0L0B")?;
    sheet.write_number(1, 2, 1234.56)?;
    sheet.write_string(1, 3, "2024-12-01")?;
    save("spreadsheet", "registry.xlsx", workbook.save_to_buffer()?)?;
    let document = gaoxin_platform::docx::Document::new()
        .title("测试高新区2026年工作要点")
        .paragraph("一、重点任务")
        .paragraph("1.新增高新技术企业50家。（牵头单位：区科学技术局；配合单位：区经济发展局）")
        .paragraph("2.完成拆迁5万平方米，年底前完成。（牵头单位：区国土规划建设管理局）");
    save("docx", "plan.docx", document.to_bytes()?)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every finding is kept in `fuzz/regressions/<target>-<what>.<ext>` and must now run
    /// without a panic.
    #[test]
    fn every_kept_finding_now_runs_without_a_panic() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let target = TARGETS
                .iter()
                .find(|t| name.starts_with(&format!("{}-", t.name)))
                .unwrap_or_else(|| panic!("{name}: no target of that name"));
            let took = run_once(target, &std::fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(took < SLOW, "{name}: {took:?}");
            checked += 1;
        }
        assert!(checked >= 2, "{checked} findings kept");
    }

    #[test]
    fn mutations_are_seeded_and_every_target_survives_its_corpus_and_a_few_hundred_mutations() {
        let a = mutate(b"hello, world", b"other", &["x"], &mut Rng::new(7));
        let b = mutate(b"hello, world", b"other", &["x"], &mut Rng::new(7));
        assert_eq!(a, b, "the same seed gives the same input");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
        for target in TARGETS {
            let mut rng = Rng::new(42);
            let inputs = corpus(&root.join("corpus").join(target.name)).unwrap();
            for input in &inputs {
                run_once(target, input).unwrap_or_else(|e| panic!("{}: a corpus input panics: {e}", target.name));
            }
            for _ in 0..200 {
                let base = &inputs[rng.below(inputs.len())];
                let input = mutate(base, base, target.tokens, &mut rng);
                if let Err(e) = run_once(target, &input) {
                    panic!("{}: {e} on {:?}", target.name, String::from_utf8_lossy(&input));
                }
            }
        }
    }
}
