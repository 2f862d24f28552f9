//! The cultivation ladder through the real path: facts imported from .xlsx (enterprises,
//! annual data, innovation data), recognitions as events, the shipped 科小 and 高企 criteria
//! (loaded by the fixture), the standing API and pages, runs, the pool and its export, and
//! who sees what. Five enterprises whose tiers and gaps were computed by hand from the
//! official criteria (国科发政〔2017〕115号, 国科发火〔2016〕32号 and its 工作指引).

use axum::http::StatusCode;
use gaoxin_core::uscc::numbered_uscc;

use crate::helpers::{TestApp, import, xlsx};

/// 甲 qualifies for both; 乙 is short on R&D; 丙 was registered 364 days before the day
/// evaluated; 丁 holds 高企 and has no data; 戊 lacks the two review scores.
struct Five {
    usccs: Vec<String>,
    ids: Vec<i64>,
}

async fn five(app: &TestApp, token: &str) -> Five {
    let usccs: Vec<String> = (900..905).map(numbered_uscc).collect();
    let names = [
        "甲创新科技有限公司",
        "乙创新科技有限公司",
        "丙创新科技有限公司",
        "丁创新科技有限公司",
        "戊创新科技有限公司",
    ];
    let registered = ["2018-05-01", "2018-05-01", "2024-01-02", "2015-03-01", "2018-05-01"];
    let mut rows = vec![vec!["企业名称", "统一社会信用代码", "注册日期", "服务专员"]];
    for i in 0..5 {
        rows.push(vec![names[i], &usccs[i], registered[i], "王专员"]);
    }
    let res = import(app, token, "enterprise", "企业.xlsx", &xlsx("企业", &rows), false).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // Annual data in 万元: revenue, R&D, tech staff, 高新技术产品收入.
    let header = vec![
        "统一社会信用代码",
        "年度",
        "营业收入(万元)",
        "研发经费(万元)",
        "科技人员数",
        "高新技术产品收入(万元)",
    ];
    let mut annual = vec![header];
    for (i, rd2024) in [(0, "250"), (1, "100"), (4, "250")] {
        annual.push(vec![&usccs[i], "2022", "3000", "150", "", ""]);
        annual.push(vec![&usccs[i], "2023", "4000", "200", "", ""]);
        annual.push(vec![&usccs[i], "2024", "5000", rd2024, "25", "3500"]);
    }
    annual.push(vec![&usccs[2], "2024", "1000", "60", "20", "800"]);
    let res = import(app, token, "annual", "年报.xlsx", &xlsx("年度数据", &annual), false).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let header = vec![
        "统一社会信用代码",
        "年度",
        "职工总数",
        "资产总额(万元)",
        "净资产(万元)",
        "境内研发费用(万元)",
        "成本费用支出总额(万元)",
        "I类知识产权数",
        "II类知识产权数",
        "科技成果转化数",
        "研发组织管理得分",
        "知识产权评审得分",
    ];
    let mut innovation = vec![header];
    for (i, rd2024, scores) in [(0, "250", true), (1, "100", true), (4, "250", false)] {
        let (m, q) = if scores { ("15", "18") } else { ("", "") };
        innovation.push(vec![&usccs[i], "2022", "", "", "2000", "150", "", "", "", "2", m, q]);
        innovation.push(vec![&usccs[i], "2023", "", "", "2600", "200", "", "", "", "2", m, q]);
        innovation.push(vec![
            &usccs[i], "2024", "100", "8000", "3380", rd2024, "4000", "2", "5", "1", m, q,
        ]);
    }
    innovation.push(vec![
        &usccs[2], "2024", "50", "900", "500", "60", "700", "1", "0", "5", "20", "22",
    ]);
    let res = import(
        app,
        token,
        "innovation",
        "创新指标.xlsx",
        &xlsx("创新指标", &innovation),
        false,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["new"], 10, "{}", res.text());
    let mut ids = Vec::new();
    for u in &usccs {
        let list = app
            .get(&format!("/api/v1/enterprises?q={u}"))
            .bearer(token)
            .send()
            .await
            .json();
        ids.push(list["items"][0]["id"].as_i64().unwrap());
    }
    // 丁 holds 高企 since 2022-12-01 (valid three years).
    let res = app
        .post("/api/v1/events")
        .bearer(token)
        .json(serde_json::json!({"kind": "recognition", "rows": [{
            "uscc": usccs[3], "category": "高新技术企业", "level": "国家级",
            "reference": "GR202241000123", "occurred_on": "2022-12-01", "first_time": "是"
        }]}))
        .send()
        .await;
    assert!(res.status.is_success(), "{}", res.text());
    Five { usccs, ids }
}

fn tier<'a>(standing: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    standing
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tier"] == code)
        .unwrap_or_else(|| panic!("no tier {code} in {standing}"))
}

#[tokio::test]
async fn five_enterprises_get_the_tiers_and_gaps_computed_by_hand() {
    let app = TestApp::new().await;
    let token = app.token("staff_a").await;
    let f = five(&app, &token).await;
    let standing = |i: usize| {
        let path = format!("/api/v1/enterprises/{}/ladder?year=2024", f.ids[i]);
        let token = token.clone();
        let app = &app;
        async move {
            let res = app.get(&path).bearer(&token).send().await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text());
            res.json()
        }
    };

    // 甲. 高企: R&D (150+200+250)/(3000+4000+5000) = 600/12000 = 5% exactly, and the last year's
    // revenue is 5000万 exactly, so 5% is the bar: met. 境内 100%, 科技人员 25/100, 高新收入
    // 3500/5000 = 70%. Score: IP 7 (I类) + 18 = 25; conversions 2+2+1 = 5 → 25; management 15;
    // net assets 2000→2600→3380: growth 30% → 7; revenue (4/3 + 5/4)/2 − 1 = 29.2% → 7. 79 ≥ 71.
    // 科小: 100 staff, 5000万 revenue, 8000万 assets; 科技人员 25% → 16; R&D 250/5000 = 5% → 40
    // (of cost 250/4000 = 6.25% → 0); I类 → 30: 86 ≥ 60.
    let s = standing(0).await;
    let ht = tier(&s, "high_tech");
    assert_eq!(ht["status"], "qualifies", "{ht}");
    assert_eq!(ht["route"]["score"]["low"], "79");
    assert_eq!(ht["route"]["score"]["high"], "79");
    assert_eq!(ht["manual"].as_array().unwrap().len(), 2, "{ht}");
    let sme = tier(&s, "tech_sme");
    assert_eq!(sme["status"], "qualifies");
    assert_eq!(sme["route"]["score"]["low"], "86");

    // 乙. R&D (150+200+100)/12000 = 3.75% < 5%: 1.25 个百分点 short, 5% × 12000万 − 450万 = 150万
    // more; a quarter of the bar: not within reach. Its score is 甲's (79).
    // 科小: R&D 100/5000 = 2% → 10, cost 100/4000 = 2.5% → 0: 16 + 10 + 30 = 56, 4 short of 60
    // (6.7%): within reach.
    let s = standing(1).await;
    let ht = tier(&s, "high_tech");
    assert_eq!(ht["status"], "fails");
    assert_eq!(ht["within_reach"], false);
    let gaps: Vec<&str> = ht["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert_eq!(
        gaps,
        [
            "近三年研发费用占销售收入比例达标（≤5000万 5%、≤2亿 4%、>2亿 3%）：3.75%，需 ≥ 5%，差 1.25 个百分点（≈ 研发费用再增加 150 万元）"
        ]
    );
    let sme = tier(&s, "tech_sme");
    assert_eq!(sme["status"], "fails");
    assert_eq!(sme["within_reach"], true);
    assert_eq!(sme["gaps"][0], "综合评价不低于60分：56 分，需 ≥ 60 分，差 4 分");

    // 丙. Registered 2024-01-02: 364 days on 2024-12-31, not a whole year. Its 2022 and 2023
    // revenue is 0 (it did not exist), not unknown. Score 7+22 + 25 + 20 + 0 + 0 = 74.
    let s = standing(2).await;
    let ht = tier(&s, "high_tech");
    assert_eq!(ht["status"], "fails");
    assert_eq!(ht["route"]["score"]["low"], "74");
    let unmet: Vec<&serde_json::Value> = ht["route"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["check"] == "not_met")
        .collect();
    assert_eq!(unmet.len(), 1, "{ht}");
    assert_eq!(unmet[0]["id"], "registered_one_year");

    // 丁. Holds 高企 (2022-12-01, valid until 2025-11-30) and has no figures: the 科小 direct
    // route cannot check its size, so it is unknown (需补充), not failed.
    let s = standing(3).await;
    let ht = tier(&s, "high_tech");
    assert_eq!(ht["held"]["reference"], "GR202241000123");
    assert_eq!(ht["held"]["valid_until"], "2025-11-30");
    assert_eq!(ht["status"], "unknown");
    let sme = tier(&s, "tech_sme");
    assert_eq!(sme["status"], "unknown");
    let missing: Vec<&str> = sme["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(
        missing.contains(&"职工总数") && missing.contains(&"资产总额"),
        "{missing:?}"
    );

    // 戊. 甲's figures without the two review scores: 25 + 7 + 7 = 39 known, at most
    // 39 + 30 + 20 = 89: unknown, and the scores are listed to supply.
    let s = standing(4).await;
    let ht = tier(&s, "high_tech");
    assert_eq!(ht["status"], "unknown");
    assert_eq!(ht["route"]["score"]["low"], "39");
    assert_eq!(ht["route"]["score"]["high"], "89");
    assert!(
        ht["missing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "研究开发组织管理水平得分（评审）"),
        "{ht}"
    );

    // The enterprise page shows the same, in words.
    let session = app.login("staff_a").await;
    let page = app
        .get(&format!("/enterprises/{}", f.ids[1]))
        .session(&session)
        .send()
        .await;
    assert!(
        page.text().contains("差 1.25 个百分点（≈ 研发费用再增加 150 万元）"),
        "{}",
        page.text()
    );
    let _ = f.usccs;
}

#[tokio::test]
async fn a_run_is_stored_with_its_versions_and_reproduces_and_the_pool_exports_with_the_service_officer() {
    let app = TestApp::new().await;
    let token = app.token("staff_a").await;
    let f = five(&app, &token).await;
    let res = app
        .post("/api/v1/ladder/runs")
        .bearer(&token)
        .json(serde_json::json!({"year": 2024}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let run = res.json();
    let versions = run["criteria"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{run}");
    assert!(versions.iter().all(|v| v["version"].as_str().unwrap().len() == 64));
    let counts = run["counts"].as_array().unwrap();
    let ht = counts.iter().find(|c| c["tier"] == "high_tech").unwrap();
    // Held: the fixture's enterprise and 丁; qualifying and not held: 甲.
    assert_eq!(ht["held"], 2, "{run}");
    assert_eq!(ht["qualifies"], 1, "{run}");
    let candidates = app
        .get(&format!("/api/v1/ladder/runs/{}/candidates?tier=high_tech", run["id"]))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(candidates[0]["uscc"], f.usccs[0].as_str(), "{candidates}");
    assert_eq!(candidates[0]["service_officer"], "王专员");
    let within = app
        .get(&format!(
            "/api/v1/ladder/runs/{}/candidates?tier=tech_sme&kind=within_reach",
            run["id"]
        ))
        .bearer(&token)
        .send()
        .await
        .json();
    assert!(
        within
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["uscc"] == f.usccs[1].as_str()),
        "{within}"
    );
    // The pool page and its export.
    let session = app.login("staff_a").await;
    let page = app
        .get(&format!("/ladder/pool?run={}&tier=high_tech", run["id"]))
        .session(&session)
        .send()
        .await;
    assert!(page.text().contains("甲创新科技有限公司"));
    let export = app
        .get(&format!(
            "/ladder/pool/export.xlsx?run={}&tier=tech_sme&kind=within_reach",
            run["id"]
        ))
        .session(&session)
        .send()
        .await;
    assert_eq!(export.status, StatusCode::OK);
    let cells = export.xlsx_cells();
    assert!(cells.contains(&"乙创新科技有限公司".to_string()), "{cells:?}");
    assert!(cells.contains(&"王专员".to_string()));
    assert!(cells.iter().any(|c| c.contains("差 4 分")), "{cells:?}");
    // The same data and versions: the same hash and the same results. New data: a new hash.
    let again = app
        .post("/api/v1/ladder/runs")
        .bearer(&token)
        .json(serde_json::json!({"year": 2024}))
        .send()
        .await
        .json();
    assert_eq!(again["input_hash"], run["input_hash"]);
    assert_eq!(again["counts"], run["counts"]);
    let same = |a: i64, b: i64| {
        format!(
            "SELECT COUNT(*) FROM ladder_result x JOIN ladder_result y ON x.enterprise_id = y.enterprise_id \
             AND x.tier = y.tier WHERE x.run_id = {a} AND y.run_id = {b} AND x.status = y.status \
             AND x.gaps = y.gaps AND x.within_reach = y.within_reach"
        )
    };
    let total = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM ladder_result WHERE run_id = {}",
            run["id"]
        ))
        .await;
    assert!(total >= 14, "{total}");
    assert_eq!(
        app.scalar(&same(run["id"].as_i64().unwrap(), again["id"].as_i64().unwrap()))
            .await,
        total
    );
    let innovation = xlsx(
        "创新指标",
        &[
            vec!["统一社会信用代码", "年度", "研发组织管理得分"],
            vec![&f.usccs[4], "2024", "16"],
        ],
    );
    let res = import(&app, &token, "innovation", "补充.xlsx", &innovation, false).await;
    assert_eq!(res.json()["changed"], 1, "{}", res.text());
    let third = app
        .post("/api/v1/ladder/runs")
        .bearer(&token)
        .json(serde_json::json!({"year": 2024}))
        .send()
        .await
        .json();
    assert_ne!(third["input_hash"], run["input_hash"]);
    // Rechecking: the first run against today's data (戊's score changed since): one tier of
    // one enterprise differs; the third run (made after the change) is identical.
    let recheck = app
        .get(&format!("/api/v1/ladder/runs/{}/recheck", run["id"]))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(recheck["same_inputs"], false, "{recheck}");
    let differences = recheck["differences"].as_array().unwrap();
    assert!(!differences.is_empty(), "{recheck}");
    assert!(differences.iter().all(|d| d["enterprise_id"] == f.ids[4]), "{recheck}");
    let recheck = app
        .get(&format!("/api/v1/ladder/runs/{}/recheck", third["id"]))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(recheck["same_inputs"], true);
    assert_eq!(recheck["differences"].as_array().unwrap().len(), 0, "{recheck}");
    let page = app
        .get(&format!("/ladder/runs/{}/recheck", third["id"]))
        .session(&session)
        .send()
        .await;
    assert!(page.text().contains("完全一致"));
    // The run is one audit line (its results are derived).
    let audited = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'ladder_run' AND entity_id = '{}'",
            run["id"]
        ))
        .await;
    assert_eq!(audited, 2, "the insert and the evaluate event");
}

#[tokio::test]
async fn an_enterprise_user_sees_its_own_tiers_and_gaps_only() {
    let app = TestApp::new().await;
    let fx = &app.fx.alpha;
    let token = app.token("ent_a").await;
    let own = app
        .get(&format!("/api/v1/enterprises/{}/ladder?year=2024", fx.enterprise))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text());
    assert_eq!(tier(&own.json(), "high_tech")["held"]["reference"], "GR202341000001");
    let other = app
        .get(&format!("/api/v1/enterprises/{}/ladder?year=2024", fx.other_enterprise))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let session = app.login("ent_a").await;
    let page = app
        .get(&format!("/enterprises/{}", fx.enterprise))
        .session(&session)
        .send()
        .await;
    assert!(page.text().contains("ladder-panel"), "the own page shows the ladder");
    for path in ["/ladder", "/ladder/pool", "/api/v1/ladder/runs"] {
        let res = app.get(path).session(&session).send().await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn bad_criteria_and_bad_innovation_rows_are_refused_and_change_nothing() {
    let app = TestApp::new().await;
    let token = app.token("staff_a").await;
    let session = app.login("staff_a").await;
    let versions = "SELECT COUNT(*) FROM criteria_version";
    let audit = "SELECT COUNT(*) FROM audit_log";
    let (v0, a0) = (app.scalar(versions).await, app.scalar(audit).await);
    let (_, shipped) = gaoxin_ladder::shipped::files()
        .into_iter()
        .find(|(f, _)| f.starts_with("tech-sme"))
        .unwrap();
    // A test whose expectation is wrong: the file is refused, naming the test.
    let wrong = shipped.replace(
        r#"{ enterprise = "P60", status = "qualifies", score = "60", unmet = [] }"#,
        r#"{ enterprise = "P60", status = "qualifies", score = "61", unmet = [] }"#,
    );
    assert_ne!(wrong, shipped);
    // An unknown data source: refused with file:line:column.
    let unknown = shipped.replace("from = \"innovation.total_assets\"", "from = \"innovation.assets\"");
    for (name, text, needle) in [
        ("wrong.toml", wrong.as_str(), "P60：得分应为 61，实为 60"),
        ("unknown.toml", unknown.as_str(), "unknown.toml:"),
    ] {
        let res = app
            .post("/ladder/criteria/upload")
            .session(&session)
            .multipart(&[("file", Some(name), text.as_bytes())])
            .send()
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(res.text().contains(needle), "{name}: {}", res.text());
    }
    assert!(
        app.post("/ladder/criteria/upload")
            .session(&session)
            .multipart(&[("file", Some("unknown.toml"), unknown.as_bytes())])
            .send()
            .await
            .text()
            .contains("数据来源“innovation.assets”未知")
    );
    assert_eq!(app.scalar(versions).await, v0);
    assert_eq!(app.scalar(audit).await, a0);
    // Innovation rows: each bad cell named by row and column; nothing written.
    let rows = "SELECT COUNT(*) FROM innovation_data";
    let before = app.scalar(rows).await;
    let uscc = numbered_uscc(1);
    let file = xlsx(
        "创新指标",
        &[
            vec![
                "统一社会信用代码",
                "年度",
                "资产总额(万元)",
                "净资产(万元)",
                "主导产品市场占有率(%)",
                "研发组织管理得分",
            ],
            vec!["91410700MA00000000", "2024", "100", "50", "10", "10"],
            vec![&uscc, "2024", "-5", "", "120", "21"],
        ],
    );
    let res = import(&app, &token, "innovation", "坏.xlsx", &file, false).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    let errors = res.json()["errors"].as_array().unwrap().clone();
    let at = |row: i64, column: &str| {
        errors
            .iter()
            .find(|e| e["row"] == row && e["column"].as_str().unwrap().contains(column))
            .map(|e| e["reason"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no error at row {row} column {column}: {errors:?}"))
    };
    assert!(at(2, "统一社会信用代码").contains("校验"), "{errors:?}");
    assert!(at(3, "资产总额").contains("负数"));
    assert!(at(3, "市场占有率").contains("0 到 100"));
    assert!(at(3, "研发组织管理得分").contains("0 到 20"));
    assert_eq!(app.scalar(rows).await, before);
    // A run for a year with no criteria in force, and a bad year: a clear refusal.
    let res = app
        .post("/api/v1/ladder/runs")
        .bearer(&token)
        .json(serde_json::json!({"year": 2010}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text());
    assert!(res.text().contains("没有生效的培育标准"));
    let res = app
        .post("/ladder/runs")
        .session(&session)
        .form(&[("year", "二〇二四")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_innovation_export_reimports_without_changes_and_the_template_downloads() {
    let app = TestApp::new().await;
    let token = app.token("staff_a").await;
    let _ = five(&app, &token).await;
    let session = app.login("staff_a").await;
    let export = app.get("/enterprises/innovation/export").session(&session).send().await;
    assert_eq!(export.status, StatusCode::OK);
    let res = import(&app, &token, "innovation", "导出.xlsx", &export.body, true).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let report = res.json();
    assert_eq!(report["new"], 0, "{report}");
    assert_eq!(report["changed"], 0, "{report}");
    assert!(report["unchanged"].as_i64().unwrap() >= 13, "{report}");
    let template = app
        .get("/enterprises/innovation/template.xlsx")
        .session(&session)
        .send()
        .await;
    assert!(template.xlsx_cells().contains(&"知识产权评审得分".to_string()));
}

#[tokio::test]
async fn recognitions_about_to_expire_are_listed_with_their_last_valid_day() {
    let app = TestApp::new().await;
    let token = app.token("staff_a").await;
    let f = five(&app, &token).await;
    // 丁's 高企 of 2022-12-01 is valid until 2025-11-30; the fixture's of 2023-11-01 until
    // 2026-10-31, outside a year from 2025-06-01.
    let list = app
        .get("/api/v1/ladder/expiring?from=2025-06-01&days=365")
        .bearer(&token)
        .send()
        .await
        .json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["enterprise_id"], f.ids[3]);
    assert_eq!(list[0]["valid_until"], "2025-11-30");
    assert_eq!(list[0]["tier"], "高新技术企业");
    let longer = app
        .get("/api/v1/ladder/expiring?from=2025-06-01&days=730")
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(longer.as_array().unwrap().len(), 2, "{longer}");
    let session = app.login("staff_a").await;
    let export = app
        .get("/ladder/expiring/export.xlsx?from=2025-06-01&days=365")
        .session(&session)
        .send()
        .await;
    assert!(export.xlsx_cells().contains(&"GR202241000123".to_string()));
}
