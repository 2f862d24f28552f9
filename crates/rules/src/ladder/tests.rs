use rust_decimal::Decimal;

use super::*;
use crate::expr::Value;

const SMALL: &str = r#"
id = "t"
tier = "t"
name = "测试梯度"
ladder = "测试"
rank = 1
document_number = "测试"
issuer = "测试"
effective_from = "2020-01-01"

[[variables]]
name = "收入"
label = "营业收入"
type = "money"
from = "annual.revenue"

[[variables]]
name = "研发"
label = "研发费用"
type = "money"
from = "annual.rd_expense"

[[variables]]
name = "估值"
label = "企业估值（美元）"
type = "money"
from = "innovation.valuation_usd"

[[steps]]
name = "占比"
label = "研发费用占比"
expr = "if 收入 > 0 then 研发 / 收入 else 0"

[[articles]]
id = "一"
text = "研发费用占营业收入比例不低于 4%。"

[[routes]]
id = "a"
name = "条件"

[[routes.conditions]]
id = "rd"
label = "研发费用占比"
article = "一"
when = "占比 >= 4%"
unit = "%"
hint_label = "研发费用再增加"
hint = "(收入 * 4% - 研发) / 1万"
hint_unit = "万元"

[[routes.conditions]]
id = "revenue"
label = "营业收入"
article = "一"
when = "收入 >= 1亿"
unit = "元"

[[routes.conditions]]
id = "valuation"
label = "估值"
article = "一"
when = "估值 >= 1"
"#;

fn value(n: &str) -> Value {
    Value::Num(n.parse().unwrap())
}

#[test]
fn a_gap_reads_as_zone_staff_write_it() {
    let c = load("t.toml", SMALL).unwrap();
    // 3.1% of 141,111,111.11: 4% would need 5,644,444.44, i.e. 127 万 more (half-up).
    let r = c.evaluate_values(
        vec![value("141111111.11"), value("4374444.44"), value("0")],
        vec![true, true, false],
        DEFAULT_MARGIN,
    );
    let route = r.best();
    assert_eq!(
        route.conditions[0].describe(),
        "研发费用占比：3.1%，需 ≥ 4%，差 0.9 个百分点（≈ 研发费用再增加 127 万元）"
    );
    assert_eq!(route.conditions[1].describe(), "营业收入：符合（14111.11 万元）");
    assert_eq!(route.conditions[2].describe(), "估值：需补充 企业估值（美元）");
    assert_eq!(r.status, Status::Fails, "a known failure outweighs an unknown");
    // One failing item, 22.5% short of its bar: outside the default 20% margin, inside 25%.
    assert!(!r.within_reach);
    let wide = c.evaluate_values(
        vec![value("141111111.11"), value("4374444.44"), value("0")],
        vec![true, true, false],
        Decimal::new(25, 2),
    );
    assert!(wide.within_reach);
    assert_eq!(route.missing(), vec!["企业估值（美元）".to_string()]);
}

#[test]
fn mistakes_in_a_criteria_file_say_where() {
    let unknown = SMALL.replace("from = \"annual.rd_expense\"", "from = \"annual.rd\"");
    let e = load("x.toml", &unknown).unwrap_err().to_string();
    assert!(e.starts_with("x.toml:21:"), "{e}");
    assert!(e.contains("数据来源“annual.rd”未知"), "{e}");
    let no_article = SMALL.replace("article = \"一\"\nwhen = \"收入", "article = \"二\"\nwhen = \"收入");
    let e = load("x.toml", &no_article).unwrap_err().to_string();
    assert!(e.contains("条款“二”未在 articles 中列出"), "{e}");
    let type_error = SMALL.replace("when = \"估值 >= 1\"", "when = \"估值 + 1\"");
    let e = load("x.toml", &type_error).unwrap_err().to_string();
    assert!(e.contains("应为是/否"), "{e}");
}

#[test]
fn every_shipped_criteria_file_loads_and_passes_its_own_tests() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/ladder");
    let all = load_path(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(all.len() >= 2, "criteria files found: {}", all.len());
    let mut failures = Vec::new();
    let mut count = 0;
    for c in &all {
        assert!(!c.tests.is_empty(), "{} has no tests", c.file);
        for t in c.run_tests() {
            count += 1;
            for f in t.failures {
                failures.push(format!("{} / {}: {f}", t.file, t.name));
            }
        }
    }
    assert!(failures.is_empty(), "{count} tests, failures:\n{}", failures.join("\n"));
}
