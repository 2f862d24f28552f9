//! Policy cash-out through the real router and database: events posted and imported, a
//! 免申即享 batch run → reviewed → approved → locked → exported with exact amounts, recheck and
//! diff, explanations, what an enterprise user may see, the calculator, and rule files or data
//! with mistakes refused with where and nothing saved.

use axum::http::StatusCode;
use gaoxin_core::uscc::with_check_char;
use serde_json::json;

use crate::helpers::{TestApp, xlsx};

fn alpha_uscc(n: u32) -> String {
    with_check_char(&format!("91410700MA000000{n}")).unwrap()
}

async fn post_events(app: &TestApp, token: &str, kind: &str, rows: serde_json::Value) -> crate::helpers::TestResponse {
    app.post("/api/v1/events")
        .bearer(token)
        .json(json!({"kind": kind, "rows": rows}))
        .send()
        .await
}

/// The page a form post redirected to, with its flash message.
async fn follow(app: &TestApp, res: &crate::helpers::TestResponse, session: &crate::helpers::Session) -> String {
    let flash = res.cookie("gaoxin_flash").expect("a flash message");
    app.get(res.location().expect("a redirect"))
        .session(session)
        .cookie(&flash)
        .send()
        .await
        .text()
}

async fn latest_batch(app: &TestApp) -> i64 {
    app.scalar(&format!(
        "SELECT MAX(id) FROM payment_batch WHERE zone_id = {}",
        app.fx.alpha.zone_id
    ))
    .await
}

async fn line_of(app: &TestApp, batch: i64, enterprise: i64, award: &str) -> i64 {
    app.scalar(&format!(
        "SELECT MIN(id) FROM award_line WHERE batch_id = {batch} AND enterprise_id = {enterprise} AND award_id = '{award}'"
    ))
    .await
}

#[tokio::test]
async fn a_batch_is_run_reviewed_approved_locked_and_exported_with_exact_amounts() {
    let app = TestApp::new().await;
    let fx = app.fx.alpha.clone();
    let token = app.token("staff_a").await;
    let (e1, e2) = (alpha_uscc(1), alpha_uscc(2));
    let res = post_events(
        &app,
        &token,
        "technology_contract",
        json!([
            {"uscc": e1, "reference": "HT-2023-1", "category": "技术转让", "occurred_on": "2023-03-01", "amount": "12,345,678.90", "certified": "是"},
            {"uscc": e1, "reference": "HT-2023-2", "category": "技术服务", "occurred_on": "2023-06-30", "amount": 1234567.89, "certified": true},
            {"uscc": e2, "reference": "HT-2023-3", "category": "技术咨询", "occurred_on": "2023-07-01", "amount": "9999999", "certified": "否"},
        ]),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["created"], 3);
    let res = post_events(
        &app,
        &token,
        "equipment_purchase",
        json!([{"uscc": e2, "reference": "数控生产线", "occurred_on": "2023-09-09", "amount": "4321.10", "certified": "是"}]),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());

    let staff = app.login("staff_a").await;
    let leader = app.login("leader_a").await;
    let res = app
        .post("/policies/batches")
        .session(&staff)
        .form(&[("year", "2023"), ("title", "")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let batch = latest_batch(&app).await;
    assert_eq!(res.location(), Some(format!("/policies/batches/{batch}").as_str()));
    // 12,345,678.90 × 1% = 123,456.789 → capped at 100,000; 1,234,567.89 × 1% = 12,345.6789 →
    // 12,345.68; the uncertified contract pays nothing; 4,321.10 × 5% = 216.055 → 216.06.
    let total = app
        .scalar(&format!("SELECT total FROM payment_batch WHERE id = {batch}"))
        .await;
    assert_eq!(total, 11_256_174);
    let page = app
        .get(&format!("/policies/batches/{batch}"))
        .session(&staff)
        .send()
        .await;
    let html = page.text();
    assert!(html.contains("112,561.74"), "{html}");
    assert!(html.contains("100,000.00") && html.contains("12,345.68") && html.contains("216.06"));
    assert!(html.contains("单项上限"), "the capped line says which cap bound");

    // Review: excluding needs a reason; with one, the total drops by the line.
    let equipment = line_of(&app, batch, fx.other_enterprise, "first_set_equipment").await;
    let res = app
        .post(&format!("/policies/lines/{equipment}/exclude"))
        .session(&staff)
        .form(&[("reason", " ")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar(&format!("SELECT total FROM payment_batch WHERE id = {batch}"))
            .await,
        11_256_174
    );
    let res = app
        .post(&format!("/policies/lines/{equipment}/exclude"))
        .session(&staff)
        .form(&[("reason", "已享受省级首台套补助，不重复奖励")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar(&format!("SELECT total FROM payment_batch WHERE id = {batch}"))
            .await,
        11_234_568
    );

    // Only a leader approves, and only what was submitted.
    let res = app
        .post(&format!("/policies/batches/{batch}/approve"))
        .session(&staff)
        .form(&[])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .post(&format!("/policies/batches/{batch}/approve"))
        .session(&leader)
        .form(&[])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM payment_batch WHERE id = {batch} AND status = 'draft'"
        ))
        .await,
        1
    );
    for (who, path) in [
        (&staff, format!("/policies/batches/{batch}/submit")),
        (&leader, format!("/policies/batches/{batch}/approve")),
    ] {
        let res = app.post(&path).session(who).form(&[]).send().await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{path}");
    }
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM payment_batch WHERE id = {batch} AND status = 'approved' AND approved_by IS NOT NULL"
        ))
        .await,
        1
    );
    // Locked: a change is refused and nothing moves.
    let contract = line_of(&app, batch, fx.enterprise, "tech_contract").await;
    let res = app
        .post(&format!("/policies/lines/{contract}/exclude"))
        .session(&staff)
        .form(&[("reason", "批准后再改")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM award_line WHERE batch_id = {batch} AND excluded = TRUE"
        ))
        .await,
        1
    );
    let res = app
        .post(&format!("/policies/batches/{batch}/recompute"))
        .session(&staff)
        .form(&[])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar(&format!("SELECT total FROM payment_batch WHERE id = {batch}"))
            .await,
        11_234_568
    );

    // The payment list: one row per line, amounts to the fen, the exclusion and its reason.
    let export = app
        .get(&format!("/policies/batches/{batch}/export.xlsx"))
        .session(&staff)
        .send()
        .await;
    assert_eq!(export.status, StatusCode::OK);
    let cells = export.xlsx_cells();
    for want in [
        "100,000.00",
        "12,345.68",
        "216.06",
        "已剔除",
        "已享受省级首台套补助，不重复奖励",
        "新开〔2020〕28号",
        e1.as_str(),
    ] {
        assert!(cells.iter().any(|c| c == want), "{want} not in the export: {cells:?}");
    }

    // Recomputing with the recorded versions gives the identical list.
    let diff = app
        .get(&format!("/policies/batches/{batch}/diff"))
        .session(&staff)
        .send()
        .await;
    assert!(diff.text().contains("复算结果与批次清单完全一致"), "{}", diff.text());

    // After a data change, the diff names the line, the amounts and the input that moved.
    let res = post_events(
        &app,
        &token,
        "technology_contract",
        json!([{"uscc": e1, "reference": "HT-2023-2", "category": "技术服务", "occurred_on": "2023-06-30", "amount": "2000000", "certified": "是"}]),
    )
    .await;
    assert_eq!(res.json()["updated"], 1);
    let diff = app
        .get(&format!("/policies/batches/{batch}/diff"))
        .session(&staff)
        .send()
        .await;
    let html = diff.text();
    assert!(html.contains("输入数据已变化"), "{html}");
    assert!(html.contains("12,345.68") && html.contains("20,000.00"), "{html}");
    assert!(html.contains("1234567.89 → 2000000"), "{html}");

    // Every step is in the audit log.
    assert!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'payment_batch' AND entity_id = '{batch}'"
        ))
        .await
            >= 4
    );
    assert!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'award_line' AND entity_id = '{equipment}'"
        ))
        .await
            >= 2
    );
}

#[tokio::test]
async fn an_enterprise_user_sees_only_its_own_awards_and_explanations() {
    let app = TestApp::new().await;
    let fx = app.fx.alpha.clone();
    let token = app.token("ent_a").await;
    let res = app
        .get(&format!("/api/v1/awards/{}/explain", fx.line))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert_eq!(body["amount"], "100000.00");
    let n = &body["explanation"];
    assert!(n["article_text"].as_str().unwrap().contains("给予技术交易额1%的奖励"));
    assert_eq!(n["document_number"], "新开〔2020〕28号");
    assert_eq!(n["computed"], "200000");
    assert_eq!(n["caps"][0]["kind"], "单项上限");
    assert_eq!(n["caps"][0]["cut"], "100000");
    assert_eq!(n["formula_inputs"][0]["value"], "20000000");
    for other in [fx.other_line, app.fx.beta.line] {
        let res = app
            .get(&format!("/api/v1/awards/{other}/explain"))
            .bearer(&token)
            .send()
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "line {other}");
        let ent = app.login("ent_a").await;
        let page = app.get(&format!("/policies/awards/{other}")).session(&ent).send().await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
    }
    let ent = app.login("ent_a").await;
    let page = app.get("/policies/awards").session(&ent).send().await;
    let html = page.text();
    assert!(html.contains("100,000.00"), "{html}");
    assert!(!html.contains("50,000.00"), "another enterprise's award shows");
    let page = app
        .get(&format!("/policies/awards/{}", fx.line))
        .session(&ent)
        .send()
        .await;
    assert!(page.text().contains("给予技术交易额1%的奖励"));
    let res = app.get("/api/v1/events").bearer(&token).send().await;
    // Its contract, its talent and its 高企 recognition; none of the other enterprise's.
    assert_eq!(res.json()["total"], 3, "{}", res.text());
    // The enterprise file shows the awards received, each with its explanation.
    let file = app
        .get(&format!("/enterprises/{}", fx.enterprise))
        .session(&ent)
        .send()
        .await
        .text();
    assert!(file.contains("enterprise-awards") && file.contains(&format!("/policies/awards/{}", fx.line)));
    // The policy evaluation: 2 recipients, 150,000 yuan = 15.00 万元 in 2024.
    let leader = app.login("leader_a").await;
    let html = app.get("/policies/evaluation").session(&leader).send().await.text();
    assert!(html.contains("新开〔2020〕28号") && html.contains("15.00"), "{html}");

    // A line of a batch not yet approved is not the enterprise's to see.
    let staff = app.token("staff_a").await;
    post_events(
        &app,
        &staff,
        "technology_contract",
        json!([{"uscc": alpha_uscc(1), "reference": "HT-2022", "category": "技术开发", "occurred_on": "2022-01-05", "amount": "100000", "certified": "是"}]),
    )
    .await;
    let s = app.login("staff_a").await;
    app.post("/policies/batches")
        .session(&s)
        .form(&[("year", "2022")])
        .send()
        .await;
    let draft = latest_batch(&app).await;
    let line = line_of(&app, draft, fx.enterprise, "tech_contract").await;
    assert!(line > 0);
    let res = app
        .get(&format!("/api/v1/awards/{line}/explain"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .get(&format!("/api/v1/awards/{line}/explain"))
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(res.json()["amount"], "1000.00");
    // A draft can be discarded: its lines and itself go, each deletion audited.
    let res = app
        .post(&format!("/policies/batches/{draft}/discard"))
        .session(&s)
        .form(&[])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM payment_batch WHERE id = {draft}"))
            .await,
        0
    );
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM award_line WHERE batch_id = {draft}"))
            .await,
        0
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'award_line' AND entity_id = '{line}' AND action = 'delete'"
        ))
        .await,
        1
    );
}

const VALID: &str = r#"
id = "t-revenue"
title = "测试：营业收入门槛奖励"
document_number = "测〔2024〕1号"
issuer = "测试"
effective_from = "2020-01-01"

[[variables]]
name = "研发经费"
label = "研发经费"
type = "money"
from = "annual.rd_expense"

[[variables]]
name = "营业收入"
label = "营业收入"
type = "money"
from = "annual.revenue"

[[articles]]
id = "一"
text = "研发经费占营业收入比例不低于3%的企业，奖励10万元。"

[[articles.awards]]
id = "ratio"
name = "研发投入奖励"
beneficiary = "enterprise"
paid = "without_application"
when = "研发经费 / 营业收入 >= 3%"
amount = "10万"

[[tests]]
name = "3% 临界"
period = 2024
cases = [{ enterprise = "A", "研发经费" = "30", "营业收入" = "1000" }]
expect = [{ enterprise = "A", award = "ratio", amount = "100000" }]
"#;

async fn upload(
    app: &TestApp,
    session: &crate::helpers::Session,
    name: &str,
    text: &str,
) -> crate::helpers::TestResponse {
    app.post("/policies/upload")
        .session(session)
        .multipart(&[("file", Some(name), text.as_bytes())])
        .send()
        .await
}

#[tokio::test]
async fn rule_files_and_data_with_mistakes_are_refused_with_where_and_nothing_is_saved() {
    let app = TestApp::new().await;
    let staff = app.login("staff_a").await;
    let versions = "SELECT COUNT(*) FROM policy_version";
    let audit = "SELECT COUNT(*) FROM audit_log";
    let (v0, a0) = (app.scalar(versions).await, app.scalar(audit).await);
    let cases: [(&str, String, &str); 6] = [
        ("broken.toml", "id = \"x\"\ntitle = [".into(), "broken.toml:2:"),
        (
            "unknown.toml",
            VALID.replace("研发经费 / 营业收入 >= 3%", "研发费用 / 营业收入 >= 3%"),
            "unknown.toml:29:9: 奖励“ratio”的条件：未知变量“研发费用”",
        ),
        (
            "unbound.toml",
            VALID.replace("from = \"annual.revenue\"\n", ""),
            "没有声明数据来源",
        ),
        (
            "wrongtype.toml",
            VALID.replace("from = \"annual.revenue\"", "from = \"enterprise.industry_code\""),
            "wrongtype.toml:18:8: 变量“营业收入”声明为 money，数据来源“enterprise.industry_code”是 text",
        ),
        (
            "failing.toml",
            VALID.replace("amount = \"100000\"", "amount = \"90000\""),
            "未通过",
        ),
        (
            "cycle.toml",
            VALID.replace(
                "[[articles]]",
                "[[steps]]\nname = \"a\"\nlabel = \"甲\"\nexpr = \"b + 1\"\n\n[[steps]]\nname = \"b\"\nlabel = \"乙\"\nexpr = \"a + 1\"\n\n[[articles]]",
            ),
            "循环引用",
        ),
    ];
    for (name, text, want) in &cases {
        let res = upload(&app, &staff, name, text).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(res.text().contains(want), "{name}: {want} not in {}", res.text());
    }
    assert_eq!(app.scalar(versions).await, v0);
    assert_eq!(app.scalar(audit).await, a0);

    // A valid file is taken; then a division by zero in the data (an enterprise with no
    // revenue) stops the batch with the enterprise named, and no batch is saved.
    let res = upload(&app, &staff, "ratio.toml", VALID).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(app.scalar(versions).await, v0 + 1);
    let batches = app.scalar("SELECT COUNT(*) FROM payment_batch").await;
    let res = app
        .post("/policies/batches")
        .session(&staff)
        .form(&[("year", "2024")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let html = follow(&app, &res, &staff).await;
    assert!(
        html.contains("阿尔法另一家有限公司") && html.contains("除数为零"),
        "{html}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM payment_batch").await, batches);

    // A negative amount in event data: row and column named, nothing saved.
    let events = app.scalar("SELECT COUNT(*) FROM policy_event").await;
    let token = app.token("staff_a").await;
    let res = post_events(
        &app,
        &token,
        "loan",
        json!([
            {"uscc": alpha_uscc(1), "reference": "JK-1", "started_on": "2023-05-01", "occurred_on": "2024-02-01", "amount": "1000000", "secondary_amount": "40000"},
            {"uscc": alpha_uscc(1), "reference": "JK-2", "started_on": "2023-05-01", "occurred_on": "2024-02-01", "amount": "1000000", "secondary_amount": "-1"},
            {"uscc": "91410700MA00000099", "reference": "JK-3", "started_on": "2023-05-01", "occurred_on": "2024-02-01", "amount": "1", "secondary_amount": "1"},
        ]),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = res.json()["errors"].as_array().unwrap().clone();
    assert_eq!(errors[0]["row"], 2);
    assert_eq!(errors[0]["column"], "当年实付利息（元）");
    assert!(errors[0]["reason"].as_str().unwrap().contains("负数"));
    assert_eq!(errors[1]["row"], 3);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM policy_event").await, events);
}

#[tokio::test]
async fn an_event_import_names_each_bad_row_and_column_and_saves_nothing_until_clean() {
    let app = TestApp::new().await;
    let staff = app.login("staff_a").await;
    let template = app
        .get("/policies/events/template.xlsx?kind=technology_contract")
        .session(&staff)
        .send()
        .await;
    let cells = template.xlsx_cells();
    assert!(cells.contains(&"合同登记号*".to_string()) && cells.contains(&"技术交易额（元）*".to_string()));
    let (e1, e2, unknown) = (alpha_uscc(1), alpha_uscc(2), alpha_uscc(9));
    let header = vec![
        "统一社会信用代码",
        "企业名称",
        "合同登记号",
        "合同类型",
        "登记日期",
        "技术交易额（元）",
        "是否经认定登记",
    ];
    let bad = xlsx(
        "技术合同",
        &[
            header.clone(),
            vec![
                &e1,
                "阿尔法测试科技有限公司",
                "A-1",
                "技术开发",
                "2024-01-02",
                "#1500000",
                "是",
            ],
            vec![&e2, "", "A-2", "技术买卖", "2024-01-02", "-5", "是"],
            vec![&unknown, "", "A-3", "技术开发", "2024/1/2", "100", "否"],
            vec![&e1, "错名有限公司", "A-4", "技术开发", "2024-01-02", "100", "是"],
        ],
    );
    let events = app.scalar("SELECT COUNT(*) FROM policy_event").await;
    let res = app
        .post("/policies/events/import")
        .session(&staff)
        .multipart(&[
            ("kind", None, b"technology_contract"),
            ("file", Some("合同.xlsx"), &bad),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    for want in [
        "合同类型",
        "技术买卖",
        "不能为负数",
        "企业库中没有",
        "企业名称与企业库不一致",
        "未导入任何数据",
    ] {
        assert!(html.contains(want), "{want} not in {html}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM policy_event").await, events);
    let good = xlsx(
        "技术合同",
        &[
            header,
            vec![
                &e1,
                "阿尔法测试科技有限公司",
                "A-1",
                "技术开发",
                "2024-01-02",
                "#1500000",
                "是",
            ],
            vec![&e2, "", "A-2", "技术转让", "2024-01-02", "5,000.50", "否"],
        ],
    );
    for (round, want) in [(1, "新增 2 条"), (2, "未变 2 条")] {
        let res = app
            .post("/policies/events/import")
            .session(&staff)
            .multipart(&[
                ("kind", None, b"technology_contract"),
                ("file", Some("合同.xlsx"), &good),
            ])
            .send()
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "round {round}: {}", res.text());
        let html = follow(&app, &res, &staff).await;
        assert!(html.contains(want), "round {round}: {html}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM policy_event").await, events + 2);
    assert_eq!(
        app.scalar("SELECT amount FROM policy_event WHERE reference = 'A-2'")
            .await,
        500_050
    );
}

#[tokio::test]
async fn the_calculator_explains_what_cases_would_get_without_saving() {
    let app = TestApp::new().await;
    // A policy with a date variable and `period.year` in use too: cases that leave them out
    // still compute (the first day of the year; the year asked for).
    let staff = app.login("staff_a").await;
    let (_, rent) = gaoxin_policies::shipped::files()
        .into_iter()
        .find(|(f, _)| f.contains("rent-relief"))
        .unwrap();
    assert_eq!(
        upload(&app, &staff, "rent.toml", &rent).await.status,
        StatusCode::SEE_OTHER
    );
    let token = app.token("ent_a").await;
    let lines = app.scalar("SELECT COUNT(*) FROM award_line").await;
    let res = app
        .post("/api/v1/policy/calculate")
        .bearer(&token)
        .json(json!({"year": 2024, "cases": [
            {"on": "technology_contract", "values": {"certified_contract_amount": "20000000"}},
            {"on": "equipment_purchase", "values": {"first_set_equipment_price": "4321.1"}},
        ]}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert_eq!(body["total"], "100216.06");
    assert_eq!(body["awards"][0]["caps"][0]["kind"], "单项上限");
    assert_eq!(body["awards"][1]["amount"], "216.06");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM award_line").await, lines);
    for (values, want) in [
        (json!({"certified_contract_amoun": "1"}), "certified_contract_amoun"),
        (json!({"certified_contract_amount": "-1"}), "负数"),
        (json!({"certified_contract_amount": "十万"}), "不是数字"),
    ] {
        let res = app
            .post("/api/v1/policy/calculate")
            .bearer(&token)
            .json(json!({"year": 2024, "cases": [{"on": "technology_contract", "values": values}]}))
            .send()
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().contains(want), "{}", res.text());
    }
}

const ONCE: &str = r#"
id = "t-once"
title = "测试：首次认定高企一次性奖励"
document_number = "测〔2024〕2号"
issuer = "测试"
effective_from = "2020-01-01"

[[variables]]
name = "category"
label = "认定类别"
type = "text"
from = "recognition.category"

[[articles]]
id = "一"
text = "对认定为高新技术企业的，一次性奖励30万元。"

[[articles.awards]]
id = "hitech"
name = "高企认定奖励"
beneficiary = "enterprise"
paid = "without_application"
on = "recognition"
when = "category == \"高新技术企业\""
amount = "30万"
cap_per_recipient_total = "30万"

[[tests]]
name = "一次"
period = 2024
cases = [{ enterprise = "A", on = "recognition", category = "高新技术企业" }]
expect = [{ enterprise = "A", award = "hitech", amount = "300000" }]
"#;

#[tokio::test]
async fn a_cap_over_all_years_counts_what_approved_batches_of_earlier_years_paid() {
    let app = TestApp::new().await;
    let staff = app.login("staff_a").await;
    let leader = app.login("leader_a").await;
    assert_eq!(
        upload(&app, &staff, "once.toml", ONCE).await.status,
        StatusCode::SEE_OTHER
    );
    let token = app.token("staff_a").await;
    for year in [2021, 2022] {
        let res = post_events(
            &app,
            &token,
            "recognition",
            json!([{"uscc": alpha_uscc(1), "category": "高新技术企业", "level": "国家级", "occurred_on": format!("{year}-11-30"), "first_time": "是"}]),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let before = latest_batch(&app).await;
        let res = app
            .post("/policies/batches")
            .session(&staff)
            .form(&[("year", year.to_string().as_str())])
            .send()
            .await;
        let batch = latest_batch(&app).await;
        if year == 2022 {
            // Paid once already: nothing is due, and no empty batch is left behind.
            assert_eq!(batch, before, "no batch for 2022");
            assert!(follow(&app, &res, &staff).await.contains("没有可兑现的奖励"));
            break;
        }
        let paid = app
            .scalar(&format!(
                "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM award_line WHERE batch_id = {batch} AND award_id = 'hitech'"
            ))
            .await;
        assert_eq!(paid, 30_000_000, "{year}");
        app.post(&format!("/policies/batches/{batch}/submit"))
            .session(&staff)
            .form(&[])
            .send()
            .await;
        app.post(&format!("/policies/batches/{batch}/approve"))
            .session(&leader)
            .form(&[])
            .send()
            .await;
    }
}

const THRESHOLDS: &str = r#"
id = "t-threshold"
title = "测试：营业收入门槛"
document_number = "测〔2024〕3号"
issuer = "测试"
effective_from = "2020-01-01"

[[variables]]
name = "营业收入"
label = "营业收入"
type = "money"
from = "annual.revenue"

[[articles]]
id = "一"
text = "营业收入13亿元以上的，奖励50万元；所有在营企业登记即奖励1万元。"

[[articles.awards]]
id = "big"
name = "规模奖励"
beneficiary = "enterprise"
paid = "application"
when = "营业收入 >= 13亿"
amount = "50万"

[[articles.awards]]
id = "any"
name = "登记奖励"
beneficiary = "enterprise"
paid = "without_application"
when = "营业收入 >= 0"
amount = "1万"

[[tests]]
name = "门槛"
period = 2024
cases = [{ enterprise = "A", "营业收入" = "1300000000" }]
expect = [{ enterprise = "A", amount = "510000" }]
"#;

#[tokio::test]
async fn matching_lists_who_qualifies_and_who_is_near_with_the_gap_and_an_enterprise_sees_only_itself() {
    let app = TestApp::new().await;
    let staff = app.login("staff_a").await;
    assert_eq!(
        upload(&app, &staff, "t.toml", THRESHOLDS).await.status,
        StatusCode::SEE_OTHER
    );
    // Alpha's first enterprise had 1,234,560,000 yuan of revenue in 2024: 65,440,000 short of
    // 13亿, 5.0% of the threshold — near; the other enterprise has no annual data (0): far.
    let page = app
        .get("/policies/matches?year=2024&award=t-threshold:big")
        .session(&staff)
        .send()
        .await;
    let html = page.text();
    assert!(html.contains("阿尔法测试科技有限公司"), "{html}");
    assert!(html.contains("营业收入 &#62;= 1300000000"), "{html}");
    assert!(html.contains("差 65440000（5%）"), "{html}");
    assert!(!html.contains("阿尔法另一家有限公司"), "a far enterprise is not listed");
    let export = app
        .get("/policies/matches/export.xlsx?year=2024&award=t-threshold:any&standing=qualifies")
        .session(&staff)
        .send()
        .await;
    let cells = export.xlsx_cells();
    assert!(cells.iter().any(|c| c == "阿尔法另一家有限公司"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "10,000.00"), "{cells:?}");
    assert_eq!(cells.iter().filter(|c| *c == "符合").count(), 2);
    // The enterprise user: its own standing only.
    let token = app.token("ent_a").await;
    let res = app.get("/api/v1/matches?year=2024").bearer(&token).send().await;
    let list = res.json();
    let list = list.as_array().unwrap();
    assert!(!list.is_empty());
    assert!(
        list.iter().all(|m| m["enterprise_id"] == app.fx.alpha.enterprise),
        "{list:?}"
    );
    assert!(list.iter().any(|m| m["match"]["standing"] == "NearlyQualifies"));
    let ent = app.login("ent_a").await;
    let html = app.get("/policies/matches?year=2024").session(&ent).send().await.text();
    assert!(!html.contains("阿尔法另一家有限公司"));
    assert_eq!(
        app.get("/policies/matches/export.xlsx?year=2024")
            .session(&ent)
            .send()
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_what_if_runs_a_draft_on_a_past_year_and_saves_nothing() {
    let app = TestApp::new().await;
    let leader = app.login("leader_a").await;
    let page = app
        .get(&format!("/policies/sandbox?version={}", app.fx.alpha.policy_version))
        .session(&leader)
        .send()
        .await;
    let html = page.text();
    assert!(
        html.contains("cap_per_item = &#34;10万&#34;") || html.contains("cap_per_item = \"10万\""),
        "{html}"
    );
    let (file, source) = gaoxin_policies::shipped::files()
        .into_iter()
        .find(|(f, _)| f.contains("xinkai-2020-28"))
        .unwrap();
    let _ = file;
    let draft = source
        .replace(
            "amount = \"certified_contract_amount * 1%\"",
            "amount = \"certified_contract_amount * 1.5%\"",
        )
        .replacen("cap_per_item = \"10万\"", "cap_per_item = \"15万\"", 1);
    assert_ne!(draft, source);
    let before = (
        app.scalar("SELECT COUNT(*) FROM policy_version").await,
        app.scalar("SELECT COUNT(*) FROM audit_log").await,
        app.scalar("SELECT COUNT(*) FROM award_line").await,
    );
    let res = app
        .post("/policies/sandbox")
        .session(&leader)
        .form(&[
            ("version", &app.fx.alpha.policy_version.to_string()),
            ("year", "2024"),
            ("source", &draft),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let html = res.text();
    // Before: 100,000 (capped) + 50,000; after: 20,000,000 × 1.5% = 300,000 → 150,000 and
    // 5,000,000 × 1.5% = 75,000.
    assert!(html.contains("150,000.00") && html.contains("225,000.00"), "{html}");
    assert!(html.contains("+75,000.00"), "{html}");
    assert!(
        html.contains("公式：certified_contract_amount * 1% → certified_contract_amount * 1.5%"),
        "{html}"
    );
    assert!(
        html.contains("草稿文件中的测试未通过"),
        "the draft's own 1% tests now fail: {html}"
    );
    let after = (
        app.scalar("SELECT COUNT(*) FROM policy_version").await,
        app.scalar("SELECT COUNT(*) FROM audit_log").await,
        app.scalar("SELECT COUNT(*) FROM award_line").await,
    );
    assert_eq!(before, after, "a what-if saves nothing");
    // A broken draft is answered with where it is broken.
    let res = app
        .post("/policies/sandbox")
        .session(&leader)
        .form(&[("year", "2024"), ("source", "id = 1")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("草稿.toml:1:"), "{}", res.text());
}

#[tokio::test]
async fn an_application_is_submitted_with_attachments_assessed_approved_and_joins_the_payment_list() {
    let app = TestApp::new().await;
    let staff = app.login("staff_a").await;
    let ent = app.login("ent_a").await;
    let (_, talent) = gaoxin_policies::shipped::files()
        .into_iter()
        .find(|(f, _)| f.contains("talent"))
        .unwrap();
    assert_eq!(
        upload(&app, &staff, "talent.toml", &talent).await.status,
        StatusCode::SEE_OTHER
    );
    let token = app.token("staff_a").await;
    let res = post_events(
        &app,
        &token,
        "talent",
        json!([{"uscc": alpha_uscc(1), "reference": "李四", "category": "领军人才", "level": "省级", "occurred_on": "2024-04-01"}]),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let event = app.scalar("SELECT id FROM policy_event WHERE reference = '李四'").await;
    let form = app
        .get("/policies/applications/new?offer=example-talent:talent_introduction&year=2024")
        .session(&ent)
        .send()
        .await;
    assert!(
        form.text().contains("李四"),
        "the enterprise picks its own talent: {}",
        form.text()
    );
    let event_text = event.to_string();
    let submit = |file: &'static str, body: &'static [u8], statement: &'static str| {
        let event_text = event_text.clone();
        let ent = &ent;
        let app = &app;
        async move {
            app.post("/policies/applications")
                .session(ent)
                .multipart(&[
                    ("offer", None, b"example-talent:talent_introduction"),
                    ("year", None, b"2024"),
                    ("event", None, event_text.as_bytes()),
                    ("statement", None, statement.as_bytes()),
                    ("files", Some(file), body),
                ])
                .send()
                .await
        }
    };
    let applications = "SELECT COUNT(*) FROM policy_application";
    let existing = app.scalar(applications).await;
    let res = submit("病毒.exe", b"MZ", "申请领军人才奖励").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("类型不支持"));
    let res = submit("劳动合同.pdf", b"%PDF-1.4 test", " ").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.scalar(applications).await, existing);
    let res = submit("劳动合同.pdf", b"%PDF-1.4 test", "李四全职到岗，申请领军人才引才奖励").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let id = app.scalar("SELECT MAX(id) FROM policy_application").await;
    let attachment = app.scalar("SELECT MAX(id) FROM application_attachment").await;
    // Twice for the same talent: refused.
    assert_eq!(
        submit("a.pdf", b"%PDF", "再申请一次").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The department sees what the rules give: 领军人才 → 500,000.
    let page = app
        .get(&format!("/policies/applications/{id}"))
        .session(&staff)
        .send()
        .await;
    let html = page.text();
    assert!(html.contains("500,000.00") && html.contains("劳动合同.pdf"), "{html}");
    let file = app
        .get(&format!("/policies/attachments/{attachment}"))
        .session(&staff)
        .send()
        .await;
    assert_eq!(file.body, b"%PDF-1.4 test");
    // Not to another zone, nor (by id) to anyone outside the zone.
    let beta = app.login("staff_b").await;
    assert_eq!(
        app.get(&format!("/policies/attachments/{attachment}"))
            .session(&beta)
            .send()
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/policies/applications/{id}"))
            .session(&beta)
            .send()
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let res = app
        .post(&format!("/policies/applications/{id}/approve"))
        .session(&staff)
        .form(&[])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar(&format!(
            "SELECT amount FROM policy_application WHERE id = {id} AND status = 'approved'"
        ))
        .await,
        50_000_000
    );
    // The next 2024 batch carries it (the fixture's 2024 contract awards are already paid).
    app.post("/policies/batches")
        .session(&staff)
        .form(&[("year", "2024")])
        .send()
        .await;
    let batch = latest_batch(&app).await;
    assert_eq!(
        app.scalar(&format!("SELECT total FROM payment_batch WHERE id = {batch}"))
            .await,
        50_000_000
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM award_line WHERE batch_id = {batch} AND application_id = {id}"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(&format!("SELECT batch_id FROM policy_application WHERE id = {id}"))
            .await,
        batch
    );
    // The recheck of that batch does not count the application line as a difference.
    let diff = app
        .get(&format!("/policies/batches/{batch}/diff"))
        .session(&staff)
        .send()
        .await;
    assert!(diff.text().contains("复算结果与批次清单完全一致"), "{}", diff.text());
}
