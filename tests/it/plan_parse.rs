//! `gaoxin plan parse` on real plans, field by field.
//!
//! The corpus (`tests/plans/`) is excerpts of published government work plans; each `.json`
//! beside a `.txt` was annotated by hand from the text (not from the parser's output) and names
//! its source. Sources:
//! - 00: 新乡高新区管委会《新乡高新区深化改革创新加快推动高质量发展工作方案》新开〔2020〕28号 (seed 002)
//! - 01: 鞍山市立山区 鞍立政发〔2023〕2号 — http://www.lishan.gov.cn/html/ASLSQ/202303/0168765895614794.html
//! - 02: 黄石港区 港政发〔2021〕1号 — http://huangshigang.gov.cn/zwpd/dfbmptlj/qzwbj/qzfb/zc/zfwj/202108/t20210812_824105.html
//! - 03: 广州市 穗府办〔2006〕19号 — http://www.gz.gov.cn/zwgk/fggw/sfbgtwj/content/post_2847289.html
//! - 04: 咸宁市咸安区 2023年重点工作任务责任分解 — https://by6714.com/t/huazhong/7692.html (a copy)
//! - 05: 大竹县 竹府办〔2016〕20号 附件 — http://www.dazhu.gov.cn/xxgk-show-947.html
//! - 06: 霍山县开发区 2025年重点工作及责任清单 — https://www.ahhuoshan.gov.cn/public/6598161/37968314.html
//! - 07: 昆明市官渡区 稳增长促发展政策措施 — http://www.kmgd.gov.cn/c/2016-12-06/1370808.shtml
//! - 08: 黄石市下陆区 2020年区政府重点工作责任分解 — http://www.xialuqu.gov.cn/zwgk/zc/qtzdgkwj/202012/t20201222_742409.html
//! - 09: 武汉市蔡甸区 蔡政办〔2023〕1号 — https://www.caidian.gov.cn/zwgk/zc/zfwj/qzfbgwj/202302/t20230208_2147809.shtml
//! - 10: 滁州市 2020年市政府重点工作及责任分解 — http://www.chuzhou.gov.cn/public/152523227/567017766.html
//!
//! `tests/plans/SOURCES-*.md` give the layout each one stands for.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn parse(file: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_gaoxin"))
        .args(["plan", "parse"])
        .arg(file)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[derive(Default)]
struct Score {
    hit: usize,
    found: usize,
    expected: usize,
}

impl Score {
    fn add(&mut self, expected: &[Value], found: &[Value]) {
        self.expected += expected.len();
        self.found += found.len();
        self.hit += found.iter().filter(|f| expected.contains(f)).count();
    }

    fn f1(&self) -> f64 {
        let p = self.hit as f64 / self.found.max(1) as f64;
        let r = self.hit as f64 / self.expected.max(1) as f64;
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

#[test]
fn every_field_of_every_task_in_the_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/plans");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 11, "seed 002 and at least 10 more plans");
    let (mut lead, mut cooperating, mut targets) = (Score::default(), Score::default(), Score::default());
    let (mut starts, mut total) = (0, 0);
    let mut failures = Vec::new();
    for file in &files {
        let expected: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert!(
            expected["source"].as_str().is_some_and(|s| !s.is_empty()),
            "{} names its source",
            file.display()
        );
        let got = parse(&file.with_extension("txt"));
        let expected_tasks = expected["tasks"].as_array().unwrap();
        let got_tasks = got["tasks"].as_array().unwrap();
        let name = file.file_name().unwrap().to_string_lossy();
        if expected_tasks.len() != got_tasks.len() {
            failures.push(format!(
                "{name}: {} tasks expected, {} found",
                expected_tasks.len(),
                got_tasks.len()
            ));
        }
        for e in expected_tasks {
            let g = got_tasks.iter().find(|g| g["ref"] == e["ref"]);
            let empty = Vec::new();
            let field = |v: Option<&Value>, k: &str| v.and_then(|v| v[k].as_array()).cloned().unwrap_or_default();
            lead.add(e["lead"].as_array().unwrap_or(&empty), &field(g, "lead"));
            cooperating.add(e["cooperating"].as_array().unwrap_or(&empty), &field(g, "cooperating"));
            let strip = |ts: Vec<Value>| {
                ts.into_iter()
                    .map(|t| serde_json::json!([t["value"], t["unit"]]))
                    .collect::<Vec<_>>()
            };
            targets.add(&strip(field(Some(e), "targets")), &strip(field(g, "targets")));
            total += 1;
            let Some(g) = g else {
                failures.push(format!("{name}: task {} not found", e["ref"]));
                continue;
            };
            let start = |v: &Value| {
                v["text"]
                    .as_str()
                    .unwrap_or_default()
                    .chars()
                    .take(10)
                    .collect::<String>()
            };
            if start(e) == start(g) {
                starts += 1;
            }
            for key in ["text", "lead", "cooperating", "deadline", "due_date", "targets"] {
                if e[key] != g[key] {
                    failures.push(format!("{name} {} {key}: expected {} got {}", e["ref"], e[key], g[key]));
                }
            }
            for t in g["targets"].as_array().unwrap() {
                assert!(
                    g["text"].as_str().unwrap().contains(t["text"].as_str().unwrap()),
                    "a target's text is a substring of the task's"
                );
            }
        }
    }
    eprintln!(
        "plans {} tasks {total}: lead F1 {:.3}, cooperating F1 {:.3}, targets F1 {:.3}, text start {starts}/{total}",
        files.len(),
        lead.f1(),
        cooperating.f1(),
        targets.f1()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(lead.f1() >= 0.95 && cooperating.f1() >= 0.95 && targets.f1() >= 0.9);
}

#[test]
fn the_seed_plan_gives_all_seventeen_annotated_items() {
    let got = parse(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/plans/00-xinxiang-gaoxin-2020.txt"));
    assert_eq!(got["document_number"], "新开〔2020〕28号");
    let refs: Vec<&str> = got["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["ref"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs,
        [
            "二.(一).1",
            "二.(一).2",
            "二.(一).3",
            "二.(二).1",
            "二.(二).2",
            "二.(二).3",
            "二.(三).1",
            "二.(三).2",
            "二.(四).1",
            "二.(四).2",
            "二.(五).1",
            "二.(五).2",
            "二.(五).3",
            "三.(一)",
            "三.(二)",
            "三.(三)",
            "三.(四)"
        ]
    );
}

#[test]
fn malformed_input_gets_a_message_or_warnings_never_a_panic() {
    let dir = std::env::temp_dir().join(format!("gaoxin-plan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        Command::new(env!("CARGO_BIN_EXE_gaoxin"))
            .args(["plan", "parse"])
            .arg(&path)
            .args(["--format", "json"])
            .output()
            .unwrap()
    };
    let junk: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let out = run("junk.txt", &junk);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("不是文本文件或 .docx 文件"));
    let out = run("old.doc", &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("另存为 .docx"));
    let out = run("none.txt", "一、总体要求\n坚持创新驱动。\n".as_bytes());
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tasks"].as_array().unwrap().len(), 0);
    assert!(
        v["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("没有找到写明责任单位的条目")
    );
    let out = run(
        "unclosed.txt",
        "1.建设平台（牵头单位：区科技局；配合单位：区财政局\n2.引进人才（牵头单位：区人社局）\n".as_bytes(),
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tasks"].as_array().unwrap().len(), 2);
    assert_eq!(v["warnings"][0]["line"], 1);
    std::fs::remove_dir_all(&dir).ok();
}
