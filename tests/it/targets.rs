//! Targets against 序时进度 (issue 19): a reported target walks through a leap year on a fixed
//! clock — its status and explanation at each month end, 29 February included, and across the
//! year boundary; a past month's status is shown as it was; closed, future and foreign months
//! are refused with the reason; the zone's thresholds move the statuses.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, economy_staff, follow};

/// Reports a figure for target `id` through the API.
async fn report(app: &TestApp, token: &str, id: i64, body: serde_json::Value) -> crate::helpers::TestResponse {
    app.post(&format!("/api/v1/targets/{id}/reports"))
        .bearer(token)
        .json(body)
        .send()
        .await
}

/// Month-end instants of 2028 in the zone (23:00 Beijing time).
fn month_end(m: u32) -> String {
    let day = gaoxin_core::schedule::month_end(2028, m).format("%Y-%m-%d");
    format!("{day}T23:00:00+08:00")
}

#[tokio::test]
async fn a_reported_target_walks_through_a_leap_year_on_a_fixed_clock() {
    let mut app = TestApp::new().await;
    app.set_clock("2028-01-10T09:00:00+08:00");
    let staff = app.token("staff_a").await;
    let science = app.fx.alpha.science_dept;
    let created = app
        .post("/api/v1/targets")
        .bearer(&staff)
        .json(json!({"name": "新认定高新技术企业", "unit": "家", "period": "2028年", "value": "40", "department_id": science}))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_i64().unwrap();
    assert_eq!(created.json()["status"], "missing");
    assert!(created.json()["explanation"].as_str().unwrap().contains("尚无填报数"));

    // The figure to date reported at each month end, and what the zone should read then
    // (hand-computed: expected = m/12; gap = actual/40 − expected; 超前 ≥ +10, 正常 ≥ −5,
    // 滞后 ≥ −20, else 严重滞后).
    let walk: [(u32, &str, &str, &str, &str); 12] = [
        (1, "2", "8.3", "5.0", "on_track"),
        (2, "3", "16.7", "7.5", "behind"),
        (3, "10", "25.0", "25.0", "on_track"),
        (4, "20", "33.3", "50.0", "ahead"),
        (5, "20", "41.7", "50.0", "on_track"),
        (6, "20", "50.0", "50.0", "on_track"),
        (7, "20", "58.3", "50.0", "behind"),
        (8, "21", "66.7", "52.5", "behind"),
        (9, "21", "75.0", "52.5", "severely_behind"),
        (10, "30", "83.3", "75.0", "behind"),
        (11, "36", "91.7", "90.0", "on_track"),
        (12, "38", "100.0", "95.0", "on_track"),
    ];
    for (m, value, expected, actual, status) in walk {
        app.set_clock(&month_end(m));
        let res = report(
            &app,
            &staff,
            id,
            json!({"month": format!("2028-{m:02}"), "value": value}),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "month {m}: {}", res.text());
        let t = res.json();
        assert_eq!(t["expected_percent"], expected, "month {m}");
        assert_eq!(t["actual_percent"], actual, "month {m}");
        assert_eq!(t["status"], status, "month {m}: {}", t["explanation"]);
        assert_eq!(t["reports"].as_array().unwrap().len(), m as usize);
    }
    // 29 February, read again on its own day: exactly 2/12.
    app.set_clock("2028-02-29T12:00:00+08:00");
    let feb = app
        .get(&format!("/api/v1/targets/{id}"))
        .bearer(&staff)
        .send()
        .await
        .json();
    assert_eq!(
        feb["explanation"],
        "应完成 16.7%（2/12 个月），实际 7.5%，落后 9.2 个百分点，差 4家（滞后）"
    );

    // Across the year boundary: the year is over, all of it expected; 2028 is still the default
    // year of the list (the latest with targets), and a past month reads as it stood.
    app.set_clock("2029-01-05T09:00:00+08:00");
    let list = app.get("/api/v1/targets").bearer(&staff).send().await.json();
    let mine = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(mine["expected_percent"], "100.0");
    assert_eq!(mine["status"], "on_track");
    assert_eq!(
        mine["explanation"],
        "应完成 100.0%（12/12 个月），实际 95.0%，落后 5.0 个百分点，差 2家（正常）"
    );
    let june = app
        .get("/api/v1/targets?month=2028-06")
        .bearer(&staff)
        .send()
        .await
        .json();
    let june = june["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(
        (june["expected_percent"].as_str(), june["actual"].as_str()),
        (Some("50.0"), Some("20"))
    );
    assert_eq!(june["as_of"], "2028-06-30");
    let september = app
        .get("/api/v1/targets?month=2028-09&status=severely_behind")
        .bearer(&staff)
        .send()
        .await
        .json();
    assert_eq!(september["total"], 1, "{september}");

    // December is still open on 5 January; a correction replaces the figure, the audit log keeps both.
    let fix = report(
        &app,
        &staff,
        id,
        json!({"month": "2028-12", "value": "41", "note": "补录 12 月 3 家"}),
    )
    .await;
    assert_eq!(fix.json()["status"], "on_track", "{}", fix.text());
    assert!(fix.json()["explanation"].as_str().unwrap().contains("实际 102.5%"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'target_report' AND action = 'update'")
            .await,
        1
    );
    // Closed after the 10th for staff; the admin may still correct it.
    app.set_clock("2029-01-11T09:00:00+08:00");
    let closed = report(&app, &staff, id, json!({"month": "2028-12", "value": "42"})).await;
    assert_eq!(closed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", closed.text());
    assert!(closed.text().contains("2028年12月已结账"), "{}", closed.text());
    let admin = app.token("admin_a").await;
    let by_admin = report(&app, &admin, id, json!({"month": "2028-12", "value": "42"})).await;
    assert_eq!(by_admin.status, StatusCode::OK, "{}", by_admin.text());
    // A month outside the period, a month not yet begun, another department.
    for (month, reason) in [("2029-01", "不在目标期间"), ("2027-12", "不在目标期间")] {
        let res = report(&app, &admin, id, json!({"month": month, "value": "1"})).await;
        assert!(res.text().contains(reason), "{month}: {}", res.text());
    }
    app.set_clock("2028-03-31T09:00:00+08:00");
    let early = report(&app, &staff, id, json!({"month": "2028-05", "value": "1"})).await;
    assert!(early.text().contains("尚未开始"), "{}", early.text());
    economy_staff(&app).await;
    let other = app.token("staff_eco").await;
    let foreign = report(&app, &other, id, json!({"month": "2028-03", "value": "1"})).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN, "{}", foreign.text());
    let leader = app.token("leader_a").await;
    let read_only = report(&app, &leader, id, json!({"month": "2028-03", "value": "1"})).await;
    assert_eq!(read_only.status, StatusCode::FORBIDDEN);

    // The zone's thresholds: 滞后 only past 10 points makes February's −9.2 正常.
    app.set_clock("2028-02-29T12:00:00+08:00");
    let set = app
        .call(Method::PUT, "/api/v1/settings")
        .bearer(&admin)
        .json(json!({"schedule.behind_pp": 10}))
        .send()
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    let feb = app
        .get(&format!("/api/v1/targets/{id}"))
        .bearer(&staff)
        .send()
        .await
        .json();
    assert_eq!(feb["status"], "on_track", "{}", feb["explanation"]);
}

#[tokio::test]
async fn a_bad_target_names_its_field_and_the_pages_set_and_report_one() {
    let mut app = TestApp::new().await;
    app.set_clock("2026-11-20T10:00:00+08:00");
    let staff = app.token("staff_a").await;
    let before = app.scalar("SELECT COUNT(*) FROM target").await;
    for (body, field) in [
        (
            json!({"name": "入库科技型中小企业", "unit": "家", "period": "2026-13", "value": "130"}),
            "period",
        ),
        (
            json!({"name": "入库科技型中小企业", "unit": "家", "period": "2026", "value": "一百三十"}),
            "value",
        ),
        (
            json!({"name": "", "unit": "家", "period": "2026", "value": "130"}),
            "name",
        ),
        (
            json!({"name": "入库科技型中小企业", "unit": "家", "period": "2026", "value": "130", "direction": "大约"}),
            "direction",
        ),
        (
            json!({"name": "入库科技型中小企业", "unit": "家", "period": "2026", "value": "130", "profile": "1,2"}),
            "profile",
        ),
    ] {
        let res = app
            .post("/api/v1/targets")
            .bearer(&staff)
            .json(body.clone())
            .send()
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", res.text());
        assert_eq!(res.json()["error"]["field"], field, "{body}: {}", res.text());
    }
    // Staff set targets for their own department only; the fixture's name is taken.
    let other_department = app
        .post("/api/v1/targets")
        .bearer(&staff)
        .json(json!({"name": "招商引资", "unit": "亿元", "period": "2026", "value": "50", "department_id": app.fx.alpha.economy_dept}))
        .send()
        .await;
    assert_eq!(
        other_department.status,
        StatusCode::FORBIDDEN,
        "{}",
        other_department.text()
    );
    let clash = app
        .post("/api/v1/targets")
        .bearer(&staff)
        .json(json!({"name": "新认定高新技术企业", "unit": "家", "period": "2026", "value": "40", "department_id": app.fx.alpha.science_dept}))
        .send()
        .await;
    assert_eq!(clash.status, StatusCode::CONFLICT, "{}", clash.text());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM target").await, before);

    // Through the pages: a range target with a seasonal profile, then its November figure.
    let session = app.login("staff_a").await;
    let science = app.fx.alpha.science_dept.to_string();
    let res = app
        .post("/targets")
        .session(&session)
        .form(&[
            ("_csrf", session.csrf.as_str()),
            ("name", "新引进国家级研发平台"),
            ("unit", "个"),
            ("period", "2026年"),
            ("value", "1—2"),
            ("direction", "at_least"),
            ("profile", "0,0,1,1,1,1,1,1,1,1,1,1"),
            ("department_id", science.as_str()),
        ])
        .send()
        .await;
    let page = follow(&app, &res, &session).await;
    assert!(page.contains("已新增目标"), "{page}");
    assert!(page.contains("1—2 个"), "{page}");
    let id = app.scalar("SELECT MAX(id) FROM target").await;
    let res = app
        .post(&format!("/targets/{id}/reports"))
        .session(&session)
        .form(&[("_csrf", session.csrf.as_str()), ("month", "2026-11"), ("value", "0")])
        .send()
        .await;
    let page = follow(&app, &res, &session).await;
    assert!(page.contains("已填报 2026-11"), "{page}");
    // Weights 0,0 then 1 × 10: by 20 November, (8 + 20/30) / 10 = 86.7% of 1 expected, nothing done.
    assert!(
        page.contains(
            "应完成 86.7%（按月度分布，已过 10.7/12 个月），实际 0.0%，落后 86.7 个百分点，差 1个（严重滞后）"
        ),
        "{page}"
    );
    let list = app
        .get("/targets?status=severely_behind")
        .session(&session)
        .send()
        .await
        .text();
    assert!(list.contains("新引进国家级研发平台"), "{list}");
    let export = app.get("/targets/export").session(&session).send().await;
    let rows = crate::helpers::read_xlsx(&export.body);
    assert!(
        rows.iter().any(|r| r.iter().any(|c| c == "新引进国家级研发平台")),
        "{rows:?}"
    );
    // The leader reads the list and the target, with no form.
    let leader = app.login("leader_a").await;
    let page = app.get(&format!("/targets/{id}")).session(&leader).send().await.text();
    assert!(page.contains("严重滞后") && !page.contains("id=\"report\""), "{page}");
    let home = app.get("/targets").session(&leader).send().await.text();
    assert!(!home.contains("id=\"new-target\""));
}

/// Posts a targets file to the API import.
async fn import_file(
    app: &TestApp,
    token: &str,
    name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> crate::helpers::TestResponse {
    app.post("/api/v1/targets/import")
        .bearer(token)
        .multipart(&[
            (
                "dry_run",
                None,
                if dry_run {
                    b"true".as_slice()
                } else {
                    b"false".as_slice()
                },
            ),
            ("file", Some(name), bytes),
        ])
        .send()
        .await
}

const HEADER: [&str; 8] = [
    "目标名称",
    "期间",
    "目标值",
    "单位",
    "方向",
    "责任部门",
    "月度分布",
    "备注",
];

#[tokio::test]
async fn targets_come_in_from_excel_all_or_nothing_and_go_out_as_they_came() {
    let mut app = TestApp::new().await;
    app.set_clock("2026-11-20T10:00:00+08:00");
    let admin = app.token("admin_a").await;
    let before = app.scalar("SELECT COUNT(*) FROM target").await;
    let audit = app.scalar("SELECT COUNT(*) FROM audit_log").await;

    // Every bad cell named by row and column; nothing saved.
    let bad = crate::helpers::xlsx(
        "目标",
        &[
            HEADER.to_vec(),
            vec!["入库科技型中小企业", "2026", "130", "家", "", "科技局", "", ""],
            vec!["完成拆迁", "2026-13", "5", "万平方米", "", "", "", ""],
            vec!["本地劳动力就业", "2026", "很多", "人", "", "", "", ""],
            vec!["招商引资到位资金", "2026", "50", "", "", "", "", ""],
            vec!["技改设备投入", "2026", "8", "亿元", "", "不存在局", "", ""],
            vec!["入库科技型中小企业", "2026年", "140", "家", "", "", "", ""],
        ],
    );
    let res = import_file(&app, &admin, "目标.xlsx", &bad, false).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    let errors: Vec<(u64, String)> = res.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        errors,
        [
            (3, "期间".to_string()),
            (4, "目标值".to_string()),
            (5, "单位".to_string()),
            (6, "责任部门".to_string()),
            (7, "目标名称".to_string()),
        ],
        "{}",
        res.text()
    );
    assert!(res.text().contains("与第 2 行重复"), "{}", res.text());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM target").await, before);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log").await,
        audit,
        "nothing written"
    );

    // A clean file: the fixture's target updated, two new, the department by its short name.
    let good = crate::helpers::xlsx(
        "目标",
        &[
            HEADER.to_vec(),
            vec![
                "新认定高新技术企业",
                "2026",
                "45",
                "家",
                "不少于",
                "科学技术局",
                "",
                "调增",
            ],
            vec![
                "入库科技型中小企业",
                "2026年",
                "130",
                "家",
                "",
                "科技局",
                "1,2,3,3,2,1,1,1,1,1,1,1",
                "",
            ],
            vec!["新引进国家级研发平台", "2026", "1—2", "个", "", "", "", ""],
        ],
    );
    let res = import_file(&app, &admin, "目标.xlsx", &good, false).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(
        (res.json()["new"].as_u64(), res.json()["changed"].as_u64()),
        (Some(2), Some(1)),
        "{}",
        res.text()
    );
    let again = import_file(&app, &admin, "目标.xlsx", &good, false).await.json();
    assert_eq!(
        (
            again["new"].as_u64(),
            again["changed"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3))
    );

    // The list's export imports back unchanged (its extra columns are ignored).
    let session = app.login("admin_a").await;
    let export = app.get("/targets/export?year=2026").session(&session).send().await;
    assert_eq!(export.status, StatusCode::OK);
    let round = import_file(&app, &admin, "目标完成情况.xlsx", &export.body, false)
        .await
        .json();
    assert_eq!(
        (
            round["new"].as_u64(),
            round["changed"].as_u64(),
            round["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3)),
        "{round}"
    );

    // A dry run reports and saves nothing; the template downloads and reads as the import expects.
    let one = crate::helpers::xlsx(
        "目标",
        &[
            HEADER.to_vec(),
            vec!["完成拆迁", "2026", "5", "万平方米", "", "", "", ""],
        ],
    );
    let dry = import_file(&app, &admin, "目标.xlsx", &one, true).await.json();
    assert_eq!(dry["new"], 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM target WHERE name = '完成拆迁'").await,
        0
    );
    let template = app.get("/targets/template.xlsx").session(&session).send().await;
    let rows = crate::helpers::read_xlsx(&template.body);
    let mut header: Vec<String> = HEADER.map(String::from).to_vec();
    header.insert(7, "计算指标".into());
    assert_eq!(rows[0], header, "the template's columns");

    // Through the page: refused with the table of errors, then imported with a message.
    let res = app
        .post(&format!("/targets/import?_csrf={}", session.csrf))
        .session(&session)
        .multipart(&[("file", Some("目标.xlsx"), bad.as_slice())])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().contains("id=\"import-errors\"") && res.text().contains("不存在局"),
        "{}",
        res.text()
    );
    let res = app
        .post(&format!("/targets/import?_csrf={}", session.csrf))
        .session(&session)
        .multipart(&[("file", Some("目标.xlsx"), one.as_slice())])
        .send()
        .await;
    let page = follow(&app, &res, &session).await;
    assert!(page.contains("新增 1 个目标"), "{page}");
    // Staff cannot import.
    let staff = app.token("staff_a").await;
    assert_eq!(
        import_file(&app, &staff, "目标.xlsx", &one, true).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_plans_quantitative_targets_become_targets_in_one_step() {
    let app = TestApp::new().await;
    let plan = app.fx.alpha.plan;
    // The fixture's plan carries 新增高新技术企业50家 (lead: 科学技术局).
    let task_target = app
        .scalar(&format!(
            "SELECT MIN(id) FROM task_target WHERE zone_id = {}",
            app.fx.alpha.zone_id
        ))
        .await;
    let session = app.login("admin_a").await;
    let page = app
        .get(&format!("/targets/from-plan?plan_id={plan}"))
        .session(&session)
        .send()
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains(&format!("name=\"name_{task_target}\"")), "{html}");
    assert!(
        html.contains(&format!("name=\"pick\" value=\"{task_target}\"")),
        "{html}"
    );

    // Nothing ticked: refused with the reason, nothing made.
    let before = app.scalar("SELECT COUNT(*) FROM target").await;
    let res = app
        .post("/targets/from-plan")
        .session(&session)
        .form(&[("_csrf", session.csrf.as_str()), ("plan_id", plan.to_string().as_str())])
        .send()
        .await;
    assert!(follow(&app, &res, &session).await.contains("请至少勾选一个指标"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM target").await, before);

    let id = task_target.to_string();
    let name_field = format!("name_{id}");
    let res = app
        .post("/targets/from-plan")
        .session(&session)
        .form(&[
            ("_csrf", session.csrf.as_str()),
            ("plan_id", plan.to_string().as_str()),
            ("pick", id.as_str()),
            (name_field.as_str(), "新增发明专利（方案指标）"),
        ])
        .send()
        .await;
    let page = follow(&app, &res, &session).await;
    assert!(page.contains("已从工作方案生成 1 个目标"), "{page}");
    let year = app
        .scalar(&format!("SELECT CAST(year AS BIGINT) FROM work_plan WHERE id = {plan}"))
        .await;
    let made = app
        .get(&format!(
            "/api/v1/targets?year={year}&q=%E6%96%B9%E6%A1%88%E6%8C%87%E6%A0%87"
        ))
        .session(&session)
        .send()
        .await
        .json();
    let t = &made["items"][0];
    assert_eq!(t["origin"], "plan", "{made}");
    assert_eq!(
        t["department_id"], app.fx.alpha.science_dept,
        "the task's lead department"
    );
    assert_eq!((t["value_low"].as_str(), t["unit"].as_str()), (Some("50"), Some("家")));
    assert!(t["note"].as_str().unwrap().starts_with("来自《"), "{t}");
    // The same name again is refused; the staff may not use the page.
    let res = app
        .post("/targets/from-plan")
        .session(&session)
        .form(&[
            ("_csrf", session.csrf.as_str()),
            ("plan_id", plan.to_string().as_str()),
            ("pick", id.as_str()),
            (name_field.as_str(), "新增发明专利（方案指标）"),
        ])
        .send()
        .await;
    assert!(follow(&app, &res, &session).await.contains("已有目标"));
    let staff = app.login("staff_a").await;
    assert_eq!(
        app.get("/targets/from-plan").session(&staff).send().await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_computed_target_counts_gaoxins_own_data_and_shows_what_makes_it() {
    let mut app = TestApp::new().await;
    app.set_clock("2026-06-30T20:00:00+08:00");
    let admin = app.token("admin_a").await;
    // The fixture's project entered 签约 on 2026-01-10 (150,000 万元 = 15 亿元).
    let metrics = app.get("/api/v1/target-metrics").bearer(&admin).send().await.json();
    assert!(
        metrics
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["code"] == "projects.signed")
    );
    let res = app
        .post("/api/v1/targets")
        .bearer(&admin)
        .json(json!({"name": "新签约亿元以上项目", "period": "2026", "value": "4", "metric": "新签约项目"}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let t = res.json();
    assert_eq!(
        (t["method"].as_str(), t["unit"].as_str()),
        (Some("computed"), Some("个"))
    );
    // 1 of 4 by 30 June: 25% against 50%.
    assert_eq!(t["actual"], "1");
    assert_eq!(
        t["explanation"],
        "应完成 50.0%（6/12 个月），实际 25.0%，落后 25.0 个百分点，差 1个（严重滞后）"
    );
    let id = t["id"].as_i64().unwrap();
    let detail = app
        .get(&format!("/api/v1/targets/{id}"))
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(detail["items"].as_array().unwrap().len(), 1, "{detail}");
    assert_eq!(detail["items"][0]["name"], "阿尔法智能装备产业园项目");
    assert_eq!(detail["items"][0]["date"], "2026-01-10");
    assert!(detail["definition"].as_str().unwrap().contains("签约"));
    // The investment metric in 亿元; a past month before the signing reads 0.
    let res = app
        .post("/api/v1/targets")
        .bearer(&admin)
        .json(json!({"name": "新签约项目总投资", "period": "2026", "value": "60", "metric": "projects.signed_investment"}))
        .send()
        .await;
    assert_eq!(res.json()["actual"], "15", "{}", res.text());
    let january = app
        .get("/api/v1/targets?month=2025-12&year=2026")
        .bearer(&admin)
        .send()
        .await
        .json();
    let signed = january["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(signed["actual"], "0");
    // A computed target takes no report; an unknown metric is refused naming the field.
    let refused = report(&app, &admin, id, json!({"month": "2026-06", "value": "3"})).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("由系统计算，无需填报"), "{}", refused.text());
    let unknown = app
        .post("/api/v1/targets")
        .bearer(&admin)
        .json(json!({"name": "某指标", "unit": "个", "period": "2026", "value": "4", "metric": "不存在的指标"}))
        .send()
        .await;
    assert_eq!(unknown.json()["error"]["field"], "metric", "{}", unknown.text());
    // The page lists the project behind the figure, linked.
    let session = app.login("leader_a").await;
    let page = app.get(&format!("/targets/{id}")).session(&session).send().await.text();
    assert!(
        page.contains("id=\"items\"") && page.contains("阿尔法智能装备产业园项目") && page.contains("/projects/"),
        "{page}"
    );
}
