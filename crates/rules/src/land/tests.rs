use rust_decimal::Decimal;

use super::*;
use crate::expr::round_half_up;

fn shipped(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../rules/land")
            .join(name),
    )
    .unwrap()
}

#[test]
fn mistakes_in_a_scheme_file_say_where_and_what() {
    let text = shipped("huaian-2024.toml");
    let bad = |from: &str, to: &str| {
        let changed = text.replacen(from, to, 1);
        assert_ne!(changed, text, "{from}");
        load("s.toml", &changed).unwrap_err().to_string()
    };
    let e = bad("from = \"annual.energy\"", "from = \"annual.power\"");
    assert!(
        e.starts_with("s.toml:") && e.contains("数据来源“annual.power”未知"),
        "{e}"
    );
    let e = bad("benchmark_average_times = \"2\"\n", "");
    assert!(e.contains("须写 benchmark"), "{e}");
    let e = bad(
        "shares = [\"20\", \"40\", \"35\", \"5\"]",
        "shares = [\"20\", \"40\", \"30\", \"5\"]",
    );
    assert!(
        e.starts_with("s.toml:") && e.contains("分类比例合计应为 100%，这里 20% + 40% + 30% + 5% 合计 95%"),
        "{e}"
    );
    let e = bad("names = [\"A 优先发展\", ", "names = [");
    assert!(e.contains("4 个分类比例须对应 4 个类别名称，这里有 3 个"), "{e}");
    let e = bad("method = \"percentile\"", "method = \"score\"");
    assert!(e.contains("按得分分类（score）时写 cuts"), "{e}");
    // Weights in one table: a weight for an indicator the file does not define.
    let e = bad("weight = \"45\"\n", "");
    assert!(e.contains("没有权重"), "{e}");
    let with_table =
        text.replacen("weight = \"45\"\n", "", 1) + "\n[weights]\ntax_per_mu = \"45\"\nland_tax = \"10\"\n";
    let e = load("s.toml", &with_table).unwrap_err();
    assert!(e.to_string().contains("[weights] 中的指标“land_tax”未定义"), "{e}");
    assert_eq!(e.line, with_table.lines().count(), "{e}");
    let fixed = with_table.replace("land_tax = \"10\"\n", "");
    let scheme = load("s.toml", &fixed).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scheme.indicators[0].weight, Decimal::from(45));
    let e = bad("value = \"税收 / 1万 / 用地\"", "value = \"税收 > 用地\"");
    assert!(e.contains("应为数值"), "{e}");
}

#[test]
fn a_result_explains_every_indicator_and_an_exclusion_its_reason() {
    let scheme = load("h.toml", &shipped("huangyan-2022-guishang.toml")).unwrap();
    let case = |id: &str, land: &str, emissions: bool| {
        let values = scheme
            .variables
            .iter()
            .map(|v| {
                let raw = match v.name.as_str() {
                    "规上" => "是",
                    "用地" => land,
                    "税收" => "2409700",
                    "增加值" => "13616000",
                    "能耗" => "500",
                    "化学需氧量" if emissions => "0.3",
                    "氨氮" | "二氧化硫" | "氮氧化物" if emissions => "0",
                    "职工" => "75",
                    "研发" => "300000",
                    "营收" => "10000000",
                    _ => return None,
                };
                Some(v.kind.read(raw).unwrap())
            })
            .collect();
        Case { id: id.into(), values }
    };
    let evaluation = scheme.evaluate(
        &[case("A", "10", true), case("B", "10", false), case("R", "0", true)],
        None,
    );
    let results = &evaluation.results;
    let a = &results[0];
    assert_eq!(a.indicators.len(), 6);
    let tax = &scheme.indicators[0];
    assert_eq!(
        (tax.id.as_str(), tax.weight, evaluation.benchmarks[0]),
        ("tax_per_mu", Decimal::from(30), "24.097".parse().unwrap())
    );
    assert_eq!(
        a.indicators[0].value.map(|v| round_half_up(v, 3)),
        Some("24.097".parse().unwrap())
    );
    assert_eq!(round_half_up(a.indicators[0].score, 2), Decimal::from(30));
    // B has no emission data: filled with the average of those who have it (A alone).
    let b_emission = &results[1].indicators[3];
    assert_eq!(b_emission.value, None);
    assert!(b_emission.filled);
    assert_eq!(scheme.indicators[3].missing, Missing::GroupAverage);
    assert_eq!(b_emission.score, a.indicators[3].score);
    assert_eq!(evaluation.fills[3], a.indicators[3].score);
    assert_eq!(results[0].total, results[1].total);
    assert_eq!((results[0].rank, results[1].rank), (1, 1));
    let r = &results[2];
    assert_eq!(r.excluded.map(|x| scheme.exclusion_reason(x).0), Some("no_land"));
    assert_eq!(scheme.class_name(r), "另列（不参加排序）");
    assert_eq!(r.rank, 0);
}

#[test]
fn every_shipped_scheme_loads_and_passes_its_own_tests() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/land");
    let all = load_path(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(all.len() >= 3, "schemes found: {}", all.len());
    let mut failures = Vec::new();
    for s in &all {
        assert!(!s.tests.is_empty(), "{} has no tests", s.file);
        for t in s.run_tests() {
            for f in t.failures {
                failures.push(format!("{} / {}: {f}", t.file, t.name));
            }
        }
    }
    assert!(failures.is_empty(), "failures:\n{}", failures.join("\n"));
}
