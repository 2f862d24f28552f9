//! The task ledger through the real router and database: a plan uploaded, checked and saved
//! (with an unknown department created and another kept as written), progress reported with
//! actuals and evidence, colours, completion confirmed, 督办 issued and closed, the monthly
//! bulletin as .docx, the Excel export, and who may do what.

use axum::http::StatusCode;
use chrono::{Datelike, Duration};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, docx_text, economy_staff};

async fn post(app: &TestApp, session: &Session, path: &str, form: &[(&str, &str)]) -> String {
    crate::helpers::post_form(app, session, path, form).await
}

fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + Duration::hours(8)).date_naive()
}

const PLAN: &str = "关于印发《测试高新区重点工作方案》的通知\n测高〔2026〕3号\n一、重点任务\n（一）创新\n1.新增高新技术企业50家。（牵头单位：区科学技术局；配合单位：区经济发展局、区创新服务中心）\n2.培育专精特新企业10家。（牵头单位：科技局；配合单位：税务分局）\n";

#[tokio::test]
async fn a_plan_becomes_a_ledger_with_progress_colours_supervision_and_a_bulletin() {
    let app = TestApp::new().await;
    let admin = app.login("admin_a").await;
    let staff = app.login("staff_a").await; // 科学技术局
    let fx = &app.fx.alpha;

    // Upload → preview.
    let res = app
        .post("/plans/upload")
        .session(&staff)
        .multipart(&[("text", None, PLAN.as_bytes())])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let preview_path = res.location().unwrap().to_string();
    let page = app.get(&preview_path).session(&staff).send().await.text();
    assert!(page.contains("<strong id=\"task-count\">2</strong>"), "{page}");
    assert!(page.contains("value=\"测试高新区重点工作方案\""));
    assert!(page.contains("value=\"测高〔2026〕3号\""));
    // 区科学技术局 and 科技局 are 科学技术局, 区经济发展局 is 经济发展局; the other two are unknown.
    assert!(page.contains("name=\"map:区创新服务中心\""));
    assert!(page.contains("name=\"map:税务分局\""));
    assert!(!page.contains("name=\"map:科技局\""));
    let year = today().year().to_string();
    let before = app.scalar("SELECT COUNT(*) FROM plan_task").await;
    // A bad year leaves everything as it was.
    let page = post(
        &app,
        &staff,
        &format!("{preview_path}/commit"),
        &[("title", "测试方案"), ("year", "26"), ("map:区创新服务中心", "new")],
    )
    .await;
    assert!(page.contains("年度应为四位数字"), "{page}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM plan_task").await, before);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM department WHERE name = '创新服务中心'")
            .await,
        0
    );
    let page = post(
        &app,
        &staff,
        &format!("{preview_path}/commit"),
        &[
            ("title", "测试高新区重点工作方案"),
            ("year", &year),
            ("document_number", "测高〔2026〕3号"),
            ("map:区创新服务中心", "new"),
            ("map:税务分局", "keep"),
        ],
    )
    .await;
    assert!(page.contains("共 2 项任务；新建部门：创新服务中心"), "{page}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM plan_task").await, before + 2);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM task_department WHERE written = '税务分局' AND department_id IS NULL")
            .await,
        1
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM task_department WHERE written IN ('区科学技术局', '科技局') AND department_id = {}",
            fx.science_dept
        ))
        .await,
        2
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM task_target g JOIN plan_task t ON t.id = g.task_id JOIN work_plan p ON p.id = t.plan_id WHERE p.title = '测试高新区重点工作方案' AND g.value = '50' AND g.unit = '家'").await, 1);

    // The API sees the tasks with colours; a task due at the year's end with nothing done.
    let token = app.token("admin_a").await;
    let tasks = app
        .get("/api/v1/plan-tasks?q=高新技术企业50家")
        .bearer(&token)
        .send()
        .await
        .json();
    let first = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["ref"] == "一.(一).1")
        .expect("task 一.(一).1")
        .clone();
    let id = first["id"].as_i64().unwrap();
    assert_eq!(first["lead"][0]["written"], "区科学技术局");
    assert_eq!(first["cooperating"].as_array().unwrap().len(), 2);
    assert_eq!(first["due_date"], format!("{year}-12-31"));

    // Progress with an actual and an evidence file, by the lead department's staff.
    let target_id = first["targets"][0]["id"].as_i64().unwrap();
    let actual_field = format!("actual_{target_id}");
    let res = app
        .post(&format!("/plans/tasks/{id}/reports"))
        .session(&staff)
        .multipart(&[
            ("kind", None, b"progress".as_slice()),
            ("note", None, "已认定42家".as_bytes()),
            ("percent", None, b"84".as_slice()),
            (&actual_field, None, b"42".as_slice()),
            ("file", Some("认定名单.pdf"), b"%PDF-1.4 list".as_slice()),
        ])
        .send()
        .await;
    let page = crate::helpers::follow(&app, &res, &staff).await;
    assert!(page.contains("已报送进展"), "{page}");
    assert!(page.contains("已认定42家"));
    assert!(page.contains("认定名单.pdf"));
    assert_eq!(
        app.scalar(&format!(
            "SELECT CAST(percent AS BIGINT) FROM plan_task WHERE id = {id}"
        ))
        .await,
        84
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM task_target WHERE id = {target_id} AND actual = '42'"
        ))
        .await,
        1
    );
    let attachment = app
        .scalar(&format!(
            "SELECT MAX(a.id) FROM task_attachment a JOIN task_report r ON r.id = a.report_id WHERE r.task_id = {id}"
        ))
        .await;
    let file = app
        .get(&format!("/plans/attachments/{attachment}"))
        .session(&admin)
        .send()
        .await;
    assert_eq!(file.body, b"%PDF-1.4 list");
    // The percent never goes back.
    let res = app
        .post(&format!("/plans/tasks/{id}/reports"))
        .session(&staff)
        .multipart(&[("note", None, "x".as_bytes()), ("percent", None, b"50".as_slice())])
        .send()
        .await;
    assert!(
        crate::helpers::follow(&app, &res, &staff)
            .await
            .contains("完成比例不能低于上次报送的 84%")
    );

    // The lead department edits the task and links the name kept as written.
    let kept = app
        .scalar("SELECT id FROM task_department WHERE written = '税务分局'")
        .await;
    let kept_task = app
        .scalar(&format!("SELECT task_id FROM task_department WHERE id = {kept}"))
        .await;
    let link = format!("link_{kept}");
    let economy_dept = fx.economy_dept.to_string();
    let page = post(
        &app,
        &staff,
        &format!("/plans/tasks/{kept_task}/edit"),
        &[
            ("text", "培育专精特新企业12家。"),
            ("deadline", "9月底前"),
            ("due_date", &format!("{year}-09-30")),
            (&link, &economy_dept),
        ],
    )
    .await;
    assert!(
        page.contains("已保存任务") && page.contains("培育专精特新企业12家"),
        "{page}"
    );
    assert_eq!(
        app.scalar(&format!("SELECT department_id FROM task_department WHERE id = {kept}"))
            .await,
        fx.economy_dept
    );
    let page = post(
        &app,
        &staff,
        &format!("/plans/tasks/{kept_task}/edit"),
        &[("text", " "), ("deadline", "")],
    )
    .await;
    assert!(page.contains("工作任务不能为空"), "{page}");
    // A task of another department: the science staff may not report on it, the API says 403.
    let staff_token = app.token("staff_a").await;
    let res = app
        .post(&format!(
            "/api/v1/plan-tasks/{}/reports",
            other_task(&app, &token).await
        ))
        .bearer(&staff_token)
        .json(json!({"kind": "progress", "note": "越权", "percent": 10}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // A cooperating department's staff adds its part, but cannot report progress.
    let economy = economy_staff(&app).await;
    let economy_token = app.token("staff_eco").await;
    let res = app
        .post(&format!("/api/v1/plan-tasks/{id}/reports"))
        .bearer(&economy_token)
        .json(json!({"kind": "progress", "note": "x", "percent": 90}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .post(&format!("/api/v1/plan-tasks/{id}/reports"))
        .bearer(&economy_token)
        .json(json!({"kind": "part", "note": "经发局已配合走访企业12家"}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(economy > 0);
    // A leader comments.
    let leader = app.login("leader_a").await;
    let page = post_multipart(
        &app,
        &leader,
        &format!("/plans/tasks/{id}/reports"),
        &[("kind", "comment"), ("note", "请加快进度")],
    )
    .await;
    assert!(page.contains("已批示") && page.contains("请加快进度"), "{page}");

    // Colours: overdue, behind, due soon, on track — dates relative to today.
    let t = today();
    let made = app
        .post("/api/v1/plans")
        .bearer(&token)
        .json(json!({"title": "颜色测试", "year": t.year(), "tasks": [
            {"ref": "1", "text": "逾期任务", "deadline": "已过", "start_date": (t - Duration::days(60)).to_string(), "due_date": (t - Duration::days(3)).to_string(), "departments": [{"role": "lead", "written": "科学技术局"}]},
            {"ref": "2", "text": "滞后任务", "start_date": (t - Duration::days(50)).to_string(), "due_date": (t + Duration::days(50)).to_string(), "departments": [{"role": "lead", "written": "科学技术局"}]},
            {"ref": "3", "text": "临期任务", "start_date": t.to_string(), "due_date": (t + Duration::days(5)).to_string(), "departments": [{"role": "lead", "written": "经济发展局"}]},
            {"ref": "4", "text": "正常任务", "start_date": t.to_string(), "due_date": (t + Duration::days(100)).to_string(), "departments": [{"role": "lead", "written": "经济发展局"}]}
        ]}))
        .send()
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text());
    let plan_id = made.json()["id"].as_i64().unwrap();
    let colours: Vec<(String, String, String)> = app
        .get(&format!("/api/v1/plan-tasks?plan_id={plan_id}"))
        .bearer(&token)
        .send()
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["ref"].as_str().unwrap().to_string(),
                t["colour"].as_str().unwrap().to_string(),
                t["colour_reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(colours[0].1, "red");
    assert!(colours[0].2.starts_with("逾期 3 天"), "{colours:?}");
    assert_eq!(colours[1].1, "yellow");
    assert!(colours[1].2.contains("已过 50%，已完成 0%"), "{colours:?}");
    assert_eq!(colours[2].1, "blue");
    assert_eq!(colours[3].1, "normal");
    let overdue_id = app
        .get(&format!("/api/v1/plan-tasks?plan_id={plan_id}&colour=red"))
        .bearer(&token)
        .send()
        .await
        .json()[0]["id"]
        .as_i64()
        .unwrap();

    // 督办: issued, cannot be closed before the lead department answers, then closed.
    let due = (t + Duration::days(7)).to_string();
    let page = post(
        &app,
        &admin,
        &format!("/plans/tasks/{overdue_id}/orders"),
        &[("reason", "逾期未完成"), ("deadline", &due)],
    )
    .await;
    assert!(page.contains("已下发督办单") && page.contains("逾期未完成"), "{page}");
    let order = app
        .scalar(&format!(
            "SELECT MAX(id) FROM supervision_order WHERE task_id = {overdue_id}"
        ))
        .await;
    let page = post(&app, &admin, &format!("/plans/orders/{order}/close"), &[("note", "")]).await;
    assert!(page.contains("牵头部门尚未报送办理情况，不能办结督办单"), "{page}");
    let page = post_multipart(
        &app,
        &staff,
        &format!("/plans/tasks/{overdue_id}/reports"),
        &[("kind", "completion"), ("note", "已全部完成")],
    )
    .await;
    assert!(page.contains("已报送完成，待督查确认"), "{page}");
    let page = post(
        &app,
        &admin,
        &format!("/plans/orders/{order}/close"),
        &[("note", "核实完成")],
    )
    .await;
    assert!(page.contains("督办单已办结"), "{page}");
    // Completion confirmed: green.
    let page = post(
        &app,
        &admin,
        &format!("/plans/tasks/{overdue_id}/confirm"),
        &[("accept", "1")],
    )
    .await;
    assert!(page.contains("已确认完成") && page.contains("绿色（已完成）"), "{page}");
    // Staff cannot confirm.
    let res = app
        .post(&format!("/plans/tasks/{id}/confirm"))
        .session(&staff)
        .form(&[("accept", "1")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // The monthly bulletin .docx: counts, the overdue list with lead departments, the ranking.
    let month = format!("{}-{:02}", t.year(), t.month());
    let res = app
        .get(&format!("/plans/bulletin.docx?month={month}"))
        .session(&admin)
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let text = docx_text(&res.body);
    assert!(text.contains("重点工作督查通报"), "{text}");
    assert!(text.contains("一、总体情况"));
    assert!(text.contains("本月下发督办单1份，办结1份"), "{text}");
    assert!(text.contains("部门推进情况排名"));
    assert!(text.contains("科学技术局") && text.contains("经济发展局"));
    let bulletin = app
        .get(&format!("/api/v1/plans/bulletin?month={month}"))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(bulletin["counts"]["green"], 1);
    assert!(
        bulletin["completed_this_month"][0]
            .as_str()
            .unwrap()
            .contains("逾期任务")
    );
    let bad = app
        .get("/api/v1/plans/bulletin?month=2026-13")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text());
    assert!(bad.text().contains("应写作 2024-06"));

    // The ledger export has the Chinese headers and the rows.
    let res = app
        .get(&format!("/plans/ledger.xlsx?plan_id={plan_id}"))
        .session(&admin)
        .send()
        .await;
    let rows = crate::helpers::read_xlsx(&res.body);
    assert_eq!(
        rows[0][..11],
        [
            "序号",
            "任务编号",
            "所属方案",
            "工作任务",
            "牵头部门",
            "配合部门",
            "完成时限",
            "目标",
            "进展情况",
            "完成比例",
            "状态"
        ]
    );
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().any(|r| r[3] == "逾期任务" && r[10] == "完成"));

    // Every write went to the audit log.
    assert!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'supervision_order' AND action = 'update'")
            .await
            >= 1
    );
    assert!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'task_report'")
            .await
            >= 5
    );
}

async fn post_multipart(app: &TestApp, session: &Session, path: &str, fields: &[(&str, &str)]) -> String {
    let parts: Vec<(&str, Option<&str>, &[u8])> = fields.iter().map(|(k, v)| (*k, None, v.as_bytes())).collect();
    let res = app.post(path).session(session).multipart(&parts).send().await;
    crate::helpers::follow(app, &res, session).await
}

/// A task the fixture's 经济发展局 leads (the science staff's department does not).
async fn other_task(app: &TestApp, token: &str) -> i64 {
    let made = app
        .post("/api/v1/plans")
        .bearer(token)
        .json(json!({"title": "他部门方案", "year": today().year(), "tasks": [{"text": "经发局的任务", "departments": [{"role": "lead", "written": "经济发展局"}]}]}))
        .send()
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text());
    let plan: Value = made.json();
    app.scalar(&format!("SELECT MIN(id) FROM plan_task WHERE plan_id = {}", plan["id"]))
        .await
}

#[tokio::test]
async fn the_api_parses_and_refuses_bad_input_clearly() {
    let app = TestApp::new().await;
    let token = app.token("staff_a").await;
    let res = app
        .post("/api/v1/plans/parse")
        .bearer(&token)
        .json(json!({"text": PLAN}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let v = res.json();
    assert_eq!(v["tasks"][1]["ref"], "一.(一).2");
    assert_eq!(v["tasks"][1]["lead"][0], "科技局");
    assert_eq!(v["tasks"][1]["targets"][0]["value"], 10);
    let res = app
        .post("/api/v1/plans/parse")
        .bearer(&token)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A plan without a lead department is refused as a whole, naming the task.
    let before = app.scalar("SELECT COUNT(*) FROM work_plan").await;
    let res = app
        .post("/api/v1/plans")
        .bearer(&token)
        .json(json!({"title": "缺牵头", "year": 2026, "tasks": [
            {"ref": "1", "text": "有牵头", "departments": [{"role": "lead", "written": "科学技术局"}]},
            {"ref": "2", "text": "没有牵头", "departments": [{"role": "cooperating", "written": "财政局"}]}
        ]}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("第 2 项任务（2）没有牵头部门"), "{}", res.text());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM work_plan").await, before);
    // The whole cycle through the API alone: save, report, 督办, answer, close, confirm, bulletin.
    let admin = app.token("admin_a").await;
    let t = today();
    let made = app
        .post("/api/v1/plans")
        .bearer(&admin)
        .json(json!({"title": "接口方案", "year": t.year(), "document_number": "接口〔2026〕1号", "tasks": [
            {"ref": "1", "text": "建成创新平台3个", "start_date": (t - Duration::days(30)).to_string(), "due_date": (t - Duration::days(1)).to_string(),
             "departments": [{"role": "lead", "written": "区科学技术局"}], "targets": [{"text": "建成创新平台3个", "value": "3", "unit": "个"}]}
        ]}))
        .send()
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text());
    let plan_id = made.json()["id"].as_i64().unwrap();
    let task = app
        .get(&format!("/api/v1/plan-tasks?plan_id={plan_id}"))
        .bearer(&admin)
        .send()
        .await
        .json()[0]
        .clone();
    let id = task["id"].as_i64().unwrap();
    assert_eq!(task["colour"], "red");
    assert_eq!(task["lead"][0]["department_id"], app.fx.alpha.science_dept);
    let order = app
        .post(&format!("/api/v1/plan-tasks/{id}/supervision"))
        .bearer(&admin)
        .json(json!({"reason": "逾期", "deadline": (t + Duration::days(5)).to_string()}))
        .send()
        .await;
    assert_eq!(order.status, StatusCode::OK, "{}", order.text());
    let order_id = order.json()["id"].as_i64().unwrap();
    let refused = app
        .post(&format!("/api/v1/supervision/{order_id}/close"))
        .bearer(&admin)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.text().contains("尚未报送办理情况"));
    let target = task["targets"][0]["id"].as_i64().unwrap();
    let answered = app
        .post(&format!("/api/v1/plan-tasks/{id}/reports"))
        .bearer(&token)
        .json(json!({"kind": "completion", "note": "3个平台已挂牌", "actuals": [[target, "3"]]}))
        .send()
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.text());
    assert_eq!(answered.json()["targets"][0]["actual"], "3");
    let closed = app
        .post(&format!("/api/v1/supervision/{order_id}/close"))
        .bearer(&admin)
        .json(json!({"note": "已核实"}))
        .send()
        .await;
    assert_eq!(closed.json()["status"], "closed");
    let confirmed = app
        .post(&format!("/api/v1/plan-tasks/{id}/confirm"))
        .bearer(&admin)
        .json(json!({"accept": true}))
        .send()
        .await;
    assert_eq!(confirmed.json()["colour"], "green");
    let detail = app
        .get(&format!("/api/v1/plan-tasks/{id}"))
        .bearer(&admin)
        .send()
        .await
        .json();
    assert_eq!(detail["supervision"][0]["level"], "green");
    assert_eq!(detail["reports"][0]["supervision_id"], order_id);
    let docx = app
        .get(&format!(
            "/api/v1/plans/bulletin.docx?month={}-{:02}",
            t.year(),
            t.month()
        ))
        .bearer(&admin)
        .send()
        .await;
    assert!(docx_text(&docx.body).contains("建成创新平台3个"));
    // A binary upload gets a clear message on the page.
    let staff = app.login("staff_a").await;
    let junk: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    let res = app
        .post("/plans/upload")
        .session(&staff)
        .multipart(&[("file", Some("x.txt"), junk.as_slice())])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text().contains("不是文本文件或 .docx 文件"));
}

#[tokio::test]
async fn the_ledger_comes_in_from_excel_row_by_row_and_round_trips() {
    let app = TestApp::new().await;
    let admin = app.login("admin_a").await;
    let header = vec![
        "序号",
        "工作任务",
        "牵头部门",
        "配合部门",
        "完成时限",
        "目标",
        "进展情况",
        "完成比例",
        "状态",
    ];
    let bad = crate::helpers::xlsx(
        "台账",
        &[
            header.clone(),
            vec![
                "1",
                "新增高新技术企业30家",
                "科学技术局",
                "经济发展局",
                "2026-09-30",
                "",
                "已认定10家",
                "30%",
                "",
            ],
            vec!["2", "", "科学技术局", "", "全年", "", "", "", ""],
            vec!["3", "建设孵化器", "", "", "全年", "", "", "", ""],
            vec!["4", "招商引资", "经济发展局", "", "全年", "", "", "一半", ""],
        ],
    );
    let before = app.scalar("SELECT COUNT(*) FROM plan_task").await;
    let res = app
        .post("/plans/import")
        .session(&admin)
        .multipart(&[
            ("title", None, "2026年重点工作台账".as_bytes()),
            ("year", None, b"2026".as_slice()),
            ("file", Some("台账.xlsx"), bad.as_slice()),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text();
    for needle in [
        "工作任务不能为空",
        "牵头部门不能为空",
        "完成比例“一半”应为 0–100 的数字",
        "<td>4</td><td>牵头部门</td>",
    ] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM plan_task").await,
        before,
        "nothing saved"
    );
    let good = crate::helpers::xlsx(
        "台账",
        &[
            header.clone(),
            vec![
                "1",
                "新增高新技术企业30家",
                "区科学技术局",
                "经济发展局、区财政局",
                "2026-09-30",
                "",
                "已认定10家",
                "30%",
                "正常",
            ],
            vec![
                "2",
                "建设孵化器",
                "科学技术局",
                "",
                "全年",
                "新增孵化面积5万平方米",
                "",
                "",
                "",
            ],
        ],
    );
    let res = app
        .post("/plans/import")
        .session(&admin)
        .multipart(&[
            ("title", None, "2026年重点工作台账".as_bytes()),
            ("year", None, b"2026".as_slice()),
            ("file", Some("台账.xlsx"), good.as_slice()),
        ])
        .send()
        .await;
    let page = crate::helpers::follow(&app, &res, &admin).await;
    assert!(page.contains("《2026年重点工作台账》共 2 项任务"), "{page}");
    let plan = app.scalar("SELECT MAX(id) FROM work_plan").await;
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM plan_task WHERE plan_id = {plan} AND due_date IS NOT NULL"
        ))
        .await,
        2,
        "全年 is the year's end"
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT CAST(MAX(percent) AS BIGINT) FROM plan_task WHERE plan_id = {plan}"
        ))
        .await,
        30
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM task_target WHERE text = '新增孵化面积5万平方米' AND unit = '万平方米'")
            .await,
        1
    );
    // The export of that plan imports again as a copy with the same tasks.
    let export = app
        .get(&format!("/plans/ledger.xlsx?plan_id={plan}"))
        .session(&admin)
        .send()
        .await;
    let res = app
        .post("/plans/import")
        .session(&admin)
        .multipart(&[
            ("title", None, "副本".as_bytes()),
            ("year", None, b"2026".as_slice()),
            ("file", Some("导出.xlsx"), export.body.as_slice()),
        ])
        .send()
        .await;
    assert!(
        crate::helpers::follow(&app, &res, &admin)
            .await
            .contains("《副本》共 2 项任务")
    );
    let copy = app.scalar("SELECT MAX(id) FROM work_plan").await;
    let again = app
        .get(&format!("/plans/ledger.xlsx?plan_id={copy}"))
        .session(&admin)
        .send()
        .await;
    let (a, b) = (
        crate::helpers::read_xlsx(&export.body),
        crate::helpers::read_xlsx(&again.body),
    );
    for (ra, rb) in a.iter().zip(b.iter()).skip(1) {
        // Same task, departments, deadline, targets and percent; the plan's title differs.
        for c in [1usize, 3, 4, 5, 6, 7, 9] {
            assert_eq!(ra[c], rb[c], "column {c}");
        }
    }
}

#[tokio::test]
async fn department_scores_are_explained_and_the_cli_writes_the_bulletin() {
    let app = TestApp::new().await;
    let admin = app.login("admin_a").await;
    let token = app.token("admin_a").await;
    let page = post(&app, &admin, "/plans/scores/shipped", &[]).await;
    assert!(page.contains("重点工作考核计分办法（示例）：已启用新版本"), "{page}");
    // The fixture's task (科学技术局 leads, 经济发展局 cooperates) was due 2024-12-31 at 40%
    // with a supervision order issued in June that was never closed.
    let v = app
        .get("/api/v1/plans/scores?period=2024H2&scheme=kaohe-example")
        .bearer(&token)
        .send()
        .await
        .json();
    let science = v["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"].as_str().unwrap().ends_with("科学技术局"))
        .unwrap()
        .clone();
    assert_eq!(science["total"], "97", "{v}");
    assert_eq!(science["lines"][0]["reason"], "牵头：逾期未完成");
    let economy = v["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"].as_str().unwrap().ends_with("经济发展局"))
        .unwrap()
        .clone();
    assert_eq!(economy["total"], "99.1", "{v}");
    // 2024H1: the order was issued in June and turned red; the task was behind its schedule.
    let v = app
        .get("/api/v1/plans/scores?period=2024H1")
        .bearer(&token)
        .send()
        .await
        .json();
    let science = v["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"].as_str().unwrap().ends_with("科学技术局"))
        .unwrap()
        .clone();
    let reasons: Vec<&str> = science["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["牵头：滞后于序时进度", "牵头：被督办 1 次", "牵头：督办升级为红色 1 次"],
        "{v}"
    );
    let bad = app
        .get("/api/v1/plans/scores?period=2024H3")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A bad scheme file is refused with its reason.
    let res = app
        .post("/plans/scores/schemes")
        .session(&admin)
        .multipart(&[(
            "file",
            Some("bad.toml"),
            gaoxin_plans::scores::SHIPPED
                .1
                .replace("overdue = -3", "overdue = 3")
                .as_bytes(),
        )])
        .send()
        .await;
    assert!(
        crate::helpers::follow(&app, &res, &admin)
            .await
            .contains("是扣分，应为 0 或负数")
    );

    // The CLI: the month's bulletin as .docx, and the scores.
    let dir = std::env::temp_dir().join(format!("gaoxin-bulletin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("通报.docx");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_gaoxin"))
        .args([
            "--db",
            app.test_db.url.as_str(),
            "plan",
            "bulletin",
            "--month",
            "2024-06",
            "--zone",
            &app.fx.alpha.code,
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = docx_text(&std::fs::read(&out).unwrap());
    assert!(text.contains("（2024年第6期）"), "{text}");
    assert!(
        text.contains("本月下发督办单1份，办结0份，尚未办结1份，其中升级为红色督办1份"),
        "{text}"
    );
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_gaoxin"))
        .args([
            "--db",
            app.test_db.url.as_str(),
            "plan",
            "scores",
            "--period",
            "2024",
            "--zone",
            &app.fx.alpha.code,
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("重点工作考核计分办法（示例）（kaohe-example）2024：2024-01-01 至 2024-12-31"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_docx_with_a_task_table_and_a_long_plan_parse() {
    use gaoxin_rules::plan_parser as parse;
    let bytes = gaoxin_platform::docx::Document::new()
        .title("某区2026年重点工作任务清单")
        .paragraph("一、产业发展")
        .table(
            ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"]
                .map(String::from)
                .to_vec(),
            vec![
                [
                    "1",
                    "新增规上工业企业20家",
                    "区经发局",
                    "区统计局、各街道",
                    "2026年12月31日",
                ]
                .map(String::from)
                .to_vec(),
                ["2", "建成标准厂房10万平方米", "区住建局", "", "9月底前"]
                    .map(String::from)
                    .to_vec(),
            ],
        )
        .to_bytes()
        .unwrap();
    let plan = parse::parse_bytes(&bytes).unwrap();
    assert_eq!(plan.tasks.len(), 2, "{plan:?}");
    assert_eq!(plan.tasks[0].reference, "一.1");
    assert_eq!(plan.tasks[0].cooperating, ["区统计局", "各街道"]);
    assert_eq!(plan.tasks[0].due_date.unwrap().to_string(), "2026-12-31");
    assert_eq!(plan.tasks[1].due_date.unwrap().to_string(), "2026-09-30");
    assert_eq!(plan.tasks[1].targets[0].unit, "万平方米");
    // 200 pages of the seed plan: every annotated item, no panic.
    let one = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/plans/00-xinxiang-gaoxin-2020.txt"
    ))
    .unwrap();
    let copies = 200 * 616 / one.chars().count() + 1;
    let long = vec![one.as_str(); copies].join("\n");
    assert_eq!(parse::parse_text(&long).tasks.len(), 17 * copies);
}
