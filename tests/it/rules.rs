//! The rules engine through its two doors: `gaoxin rules test` / `gaoxin policy eval` (the real
//! binary, the shipped rule files) and the library (mistakes in rule files and data).

use std::collections::HashMap;
use std::process::Command;

use gaoxin_rules::eval::evaluate_csv;
use gaoxin_rules::policy::{Slots, load};

fn gaoxin(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gaoxin")).args(args).output().unwrap()
}

fn rules_dir() -> String {
    format!("{}/rules", env!("CARGO_MANIFEST_DIR"))
}

/// Seed 002's policy file: its variables are the `policy eval` CSV contract.
fn seed002() -> String {
    format!("{}/rules/xinxiang-xinkai-2020-28.toml", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_shipped_rule_files_pass_their_own_tests() {
    let out = gaoxin(&["rules", "test", &rules_dir()]);
    // Seven shipped policies; every file has tests.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("31 passed, 0 failed"), "{stdout}");
    for file in std::fs::read_dir(rules_dir()).unwrap() {
        let path = file.unwrap().path();
        if path.is_dir() {
            continue; // rules/ladder: cultivation criteria, tested by `gaoxin ladder test`
        }
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains("[[tests]]") && text.contains("from = "));
    }
}

#[test]
fn policy_eval_follows_the_json_contract_with_exact_fen() {
    let dir = std::env::temp_dir().join(format!("gaoxin-rules-{}", gaoxin_platform::secrets::random_hex(4)));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("cases.csv");
    std::fs::write(
        &csv,
        "enterprise,certified_contract_amount,tech_introduced_amount,invention_patents_transferred,first_set_equipment_price\n\
         E00001,20000000.00,0.00,0,0.00\n\
         E00002,0.00,1234.50,0,0.00\n\
         E00001,0.00,0.00,15,0.00\n\
         E00003,0.00,0.00,0,4321.10\n\
         E00001,0.00,0.00,9,0.00\n\
         E00004,0.00,0.00,0,0.00\n",
    )
    .unwrap();
    let out = gaoxin(&[
        "policy",
        "eval",
        "--rules",
        &seed002(),
        "--input",
        csv.to_str().unwrap(),
        "--period",
        "2023",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let awards: Vec<(String, String, String)> = v["awards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            assert_eq!(a["policy"], "xinkai-2020-28");
            (
                a["enterprise"].as_str().unwrap().into(),
                a["award"].as_str().unwrap().into(),
                a["amount"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expect = |e: &str, award: &str, amount: &str| (e.to_string(), award.to_string(), amount.to_string());
    assert_eq!(
        awards,
        vec![
            expect("E00001", "tech_contract", "100000.00"),
            expect("E00002", "tech_introduced", "123.45"),
            expect("E00001", "patent_transfer", "150000.00"),
            expect("E00003", "first_set_equipment", "216.06"),
            // 9 more patents: only 50,000 left under the 200,000 yearly cap.
            expect("E00001", "patent_transfer", "50000.00"),
        ]
    );
    assert_eq!(
        v["totals"],
        serde_json::json!([
            {"enterprise": "E00001", "amount": "300000.00"},
            {"enterprise": "E00002", "amount": "123.45"},
            {"enterprise": "E00003", "amount": "216.06"},
            {"enterprise": "E00004", "amount": "0.00"},
        ])
    );
    let out = gaoxin(&[
        "policy",
        "eval",
        "--rules",
        &seed002(),
        "--input",
        csv.to_str().unwrap(),
        "--period",
        "2023",
        "--format",
        "csv",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("enterprise,policy,award,amount\nE00001,xinkai-2020-28,tech_contract,100000.00\n"),
        "{text}"
    );
    // Bad data: a negative amount, named by row and column; nothing printed on stdout.
    std::fs::write(&csv, "enterprise,certified_contract_amount,tech_introduced_amount,invention_patents_transferred,first_set_equipment_price\nE1,100,0,0,0\nE2,-5,0,0,0\n").unwrap();
    let out = gaoxin(&[
        "policy",
        "eval",
        "--rules",
        &seed002(),
        "--input",
        csv.to_str().unwrap(),
        "--period",
        "2023",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("第 3 行 certified_contract_amount 列") && err.contains("负数"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // A year before the policy.
    let out = gaoxin(&[
        "policy",
        "eval",
        "--rules",
        &seed002(),
        "--input",
        csv.to_str().unwrap(),
        "--period",
        "2019",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有在 2019 年有效的政策"));
    // A missing column.
    std::fs::write(&csv, "enterprise,certified_contract_amount\nE1,100\n").unwrap();
    let out = gaoxin(&[
        "policy",
        "eval",
        "--rules",
        &seed002(),
        "--input",
        csv.to_str().unwrap(),
        "--period",
        "2023",
    ]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("缺少列 first_set_equipment_price")
            || String::from_utf8_lossy(&out.stderr).contains("缺少列")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

const HEAD: &str = r#"id = "t"
title = "测试政策"
document_number = "测〔2024〕1号"
issuer = "测试"
effective_from = "2024-01-01"
"#;

fn load_str(body: &str) -> Result<gaoxin_rules::policy::Policy, String> {
    let mut slots = Slots::new();
    let mut kinds = HashMap::new();
    load("t.toml", &format!("{HEAD}{body}"), &mut slots, &mut kinds).map_err(|e| e.to_string())
}

const REVENUE: &str = "[[variables]]\nname = \"营业收入\"\nlabel = \"营业收入\"\ntype = \"money\"\n";

#[test]
fn mistakes_in_rule_files_name_the_file_line_and_column() {
    // TOML syntax.
    let err = load_str("[[articles]\nid = 1").unwrap_err();
    assert!(err.starts_with("t.toml:6:"), "{err}");
    assert!(err.contains("文件格式错误"), "{err}");
    // An unknown variable, at its column in the file.
    let body = format!(
        "{REVENUE}[[articles]]\nid = \"一\"\ntext = \"…\"\n[[articles.awards]]\nid = \"a\"\nname = \"奖\"\nbeneficiary = \"enterprise\"\npaid = \"application\"\namount = \"营业收入 * 研发费用\"\n"
    );
    let err = load_str(&body).unwrap_err();
    assert!(err.contains("未知变量“研发费用”"), "{err}");
    assert!(err.starts_with("t.toml:18:18:"), "{err}");
    // A type error.
    let body = format!(
        "{REVENUE}[[articles]]\nid = \"一\"\ntext = \"…\"\n[[articles.awards]]\nid = \"a\"\nname = \"奖\"\nbeneficiary = \"enterprise\"\npaid = \"application\"\nwhen = \"营业收入 + 1\"\namount = \"1\"\n"
    );
    assert!(load_str(&body).unwrap_err().contains("条件应为是/否"));
    // A cycle between steps.
    let body = format!(
        "{REVENUE}[[steps]]\nname = \"甲\"\nlabel = \"甲\"\nexpr = \"乙 + 1\"\n[[steps]]\nname = \"乙\"\nlabel = \"乙\"\nexpr = \"甲 * 2\"\n[[articles]]\nid = \"一\"\ntext = \"…\"\n[[articles.awards]]\nid = \"a\"\nname = \"奖\"\nbeneficiary = \"enterprise\"\npaid = \"application\"\namount = \"甲\"\n"
    );
    let err = load_str(&body).unwrap_err();
    assert!(err.contains("循环引用") && err.contains("甲 → 乙 → 甲"), "{err}");
    // A cap that reads a variable, an unknown beneficiary.
    let body = format!(
        "{REVENUE}[[articles]]\nid = \"一\"\ntext = \"…\"\n[[articles.awards]]\nid = \"a\"\nname = \"奖\"\nbeneficiary = \"enterprise\"\npaid = \"application\"\namount = \"1\"\ncap_per_item = \"营业收入\"\n"
    );
    assert!(load_str(&body).unwrap_err().contains("须为常数"));
    let body = format!(
        "{REVENUE}[[articles]]\nid = \"一\"\ntext = \"…\"\n[[articles.awards]]\nid = \"a\"\nname = \"奖\"\nbeneficiary = \"everyone\"\npaid = \"application\"\namount = \"1\"\n"
    );
    assert!(load_str(&body).unwrap_err().contains("受益对象“everyone”未知"));
}

#[test]
fn steps_are_computed_in_dependency_order_and_a_division_by_zero_names_the_row() {
    let body = format!(
        "{REVENUE}[[variables]]\nname = \"研发费用\"\nlabel = \"研发费用\"\ntype = \"money\"\n\
         [[steps]]\nname = \"奖励基数\"\nlabel = \"奖励基数\"\nexpr = \"min(研发费用, 研发强度 * 营业收入)\"\n\
         [[steps]]\nname = \"研发强度\"\nlabel = \"研发强度\"\nexpr = \"研发费用 / 营业收入\"\n\
         [[articles]]\nid = \"一\"\ntext = \"研发投入强度达到 5% 的，按研发费用的 10% 奖励，最高 50 万元\"\n\
         [[articles.awards]]\nid = \"rd\"\nname = \"研发奖励\"\nbeneficiary = \"enterprise\"\npaid = \"without_application\"\n\
         when = \"研发强度 >= 5%\"\namount = \"奖励基数 * 10%\"\ncap_per_item = \"50万\"\n"
    );
    let mut slots = Slots::new();
    let mut kinds = HashMap::new();
    let policy = load("t.toml", &format!("{HEAD}{body}"), &mut slots, &mut kinds).unwrap();
    let policies = vec![policy];
    let csv = "enterprise,营业收入,研发费用\nA,1000000,60000\nB,1000000,40000\nC,100000000,9000000\n";
    let outcome = evaluate_csv(&policies, &slots, &kinds, csv.as_bytes(), 2024).unwrap();
    let amounts: Vec<(String, String)> = outcome
        .lines()
        .map(|l| (l.enterprise.to_string(), format!("{:.2}", l.amount)))
        .collect();
    assert_eq!(
        amounts,
        vec![("A".into(), "6000.00".into()), ("C".into(), "500000.00".into())]
    );
    let err = evaluate_csv(
        &policies,
        &slots,
        &kinds,
        "enterprise,营业收入,研发费用\nA,0,1\n".as_bytes(),
        2024,
    )
    .unwrap_err();
    assert_eq!(err.row, 2);
    assert!(
        err.message.contains("除数为零") && err.message.contains("研发强度"),
        "{}",
        err.message
    );
}

#[test]
fn an_award_explains_itself_with_the_article_text_the_inputs_and_the_cap_that_bound() {
    let dir = std::env::temp_dir().join(format!("gaoxin-explain-{}", gaoxin_platform::secrets::random_hex(4)));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("cases.csv");
    std::fs::write(
        &csv,
        "enterprise,certified_contract_amount,tech_introduced_amount,invention_patents_transferred,first_set_equipment_price\n\
         E1,20000000,0,0,0\nE1,0,0,15,0\nE1,0,0,9,0\n",
    )
    .unwrap();
    let explain = |row: &str| {
        let out = gaoxin(&[
            "policy",
            "explain",
            "--rules",
            &seed002(),
            "--input",
            csv.to_str().unwrap(),
            "--period",
            "2023",
            "--row",
            row,
            "--format",
            "json",
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let first = explain("2");
    let n = &first[0];
    assert_eq!(n["award"], "tech_contract");
    assert_eq!(n["document_number"], "新开〔2020〕28号");
    assert!(
        n["article_text"]
            .as_str()
            .unwrap()
            .contains("每项合同奖励最高不超过10万元")
    );
    assert_eq!(n["formula_inputs"][0]["value"], "20000000");
    assert_eq!(n["computed"], "200000");
    assert_eq!(n["caps"][0]["kind"], "单项上限");
    assert_eq!(n["caps"][0]["cut"], "100000");
    assert_eq!(n["amount"], "100000.00");
    assert_eq!(n["version"].as_str().unwrap().len(), 64);
    // The third row: 15 patents already used 150,000 of the 200,000 yearly cap.
    let third = explain("4");
    assert_eq!(third[0]["award"], "patent_transfer");
    assert_eq!(third[0]["computed"], "90000");
    assert_eq!(third[0]["caps"][0]["after"], "50000");
    assert_eq!(third[0]["amount"], "50000.00");
    let out = gaoxin(&[
        "policy",
        "explain",
        "--rules",
        &seed002(),
        "--input",
        csv.to_str().unwrap(),
        "--period",
        "2023",
        "--row",
        "9",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有这一行"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_policy_wide_budget_bounds_all_its_awards_together_in_input_order() {
    let body = format!(
        r#"{HEAD}budget = "100"

[[variables]]
name = "n"
label = "数量"
type = "count"

[[articles]]
id = "一"
text = "甲奖励 60 元，乙奖励 60 元，全年合计不超过 100 元。"

[[articles.awards]]
id = "a"
name = "甲"
beneficiary = "enterprise"
paid = "without_application"
when = "n > 0"
amount = "60"

[[articles.awards]]
id = "b"
name = "乙"
beneficiary = "enterprise"
paid = "without_application"
when = "n > 0"
amount = "60"
budget = "50"

[[tests]]
name = "award budget first (乙 60 → 50), then the policy's (100 - 60 = 40 left)"
period = 2024
cases = [{{ enterprise = "A", n = 1 }}, {{ enterprise = "B", n = 1 }}]
expect = [
  {{ enterprise = "A", award = "a", amount = "60" }},
  {{ enterprise = "A", award = "b", amount = "40" }},
  {{ enterprise = "B", amount = "0" }},
]
"#
    );
    let mut slots = Slots::new();
    let mut kinds = HashMap::new();
    let p = gaoxin_rules::policy::load("t.toml", &body, &mut slots, &mut kinds).unwrap();
    assert_eq!(p.budget, Some(rust_decimal::Decimal::from(100)));
    let results = gaoxin_rules::eval::run_tests(std::slice::from_ref(&p), &slots, &kinds);
    assert!(
        results.iter().all(|r| r.failures.is_empty()),
        "{:?}",
        results[0].failures
    );
    // The explanation names the policy budget as the cap that bound.
    let mut evaluator = gaoxin_rules::eval::Evaluator::new(std::slice::from_ref(&p), 2024).unwrap();
    let row = vec![gaoxin_rules::expr::Value::Num(1.into())];
    evaluator.case("A", &row, 1).unwrap();
    let notes = evaluator.explain("B", &row, 2).unwrap();
    assert_eq!(notes[0].amount, "0.00");
    assert!(
        notes[0].caps.iter().any(|c| c.kind.contains("政策年度总预算")),
        "{:?}",
        notes[0].caps
    );
}
