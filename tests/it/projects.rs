//! The project book through the real router and database: a project registered and walked
//! through every stage with evidence, a problem raised by the investor, put on the weekly
//! agenda, decided and resolved, the monthly bulletin as .docx, who may do what (only the lead
//! department or admin moves a stage, leaders comment, an enterprise sees only its own
//! projects), stalled projects, scores, targets, site visits and the rulebook.

use axum::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate};
use serde_json::json;

use crate::helpers::{Session, TestApp, docx_text, economy_staff};

async fn post(app: &TestApp, session: &Session, path: &str, form: &[(&str, &str)]) -> String {
    crate::helpers::post_form(app, session, path, form).await
}

fn today() -> NaiveDate {
    (chrono::Utc::now() + Duration::hours(8)).date_naive()
}

#[tokio::test]
async fn a_project_walks_every_stage_with_a_problem_on_the_agenda_and_in_the_bulletin() {
    let app = TestApp::new().await;
    economy_staff(&app).await;
    let admin = app.login("admin_a").await;
    let staff = app.login("staff_a").await; // 科学技术局
    let eco = app.login("staff_eco").await;
    let leader = app.login("leader_a").await;
    let ent = app.login("ent_a").await;
    let fx = &app.fx.alpha;
    let t = today();
    let start = t - Duration::days(70);

    // Registered by the science department's staff: a bad amount is refused with its field and
    // nothing is saved.
    let before = app.scalar("SELECT COUNT(*) FROM project").await;
    let science = fx.science_dept.to_string();
    let economy = fx.economy_dept.to_string();
    let enterprise = fx.enterprise.to_string();
    let since = start.to_string();
    let mut form = vec![
        ("name", "年产5万吨锂电池隔膜项目"),
        ("investor", ""),
        ("enterprise_id", enterprise.as_str()),
        ("industry_code", "C3985"),
        ("total_investment", "12亿"),
        ("lead_department_id", science.as_str()),
        ("cooperating", economy.as_str()),
        ("leader", "领导甲"),
        ("officer", "招商专员乙"),
        ("stage_since", since.as_str()),
        ("planned_start", since.as_str()),
    ];
    let res = app.post("/projects").session(&staff).form(&form).send().await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.text().contains("总投资“12亿”应为不小于 0 的万元数"),
        "{}",
        res.text()
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM project").await, before);
    form[4] = ("total_investment", "120000.5");
    let res = app.post("/projects").session(&staff).form(&form).send().await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let path = res.location().unwrap().to_string();
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(
        app.scalar(&format!("SELECT total_investment FROM project WHERE id = {id}"))
            .await,
        120_000_500_000
    );
    let page = app.get(&path).session(&staff).send().await.text();
    assert!(page.contains("在谈"), "{page}");
    assert!(page.contains("3985"), "{page}");

    // Only the lead department (or admin) moves the stage; evidence is required where the
    // rulebook asks for it; stages cannot be skipped.
    let d = |n: i64| (start + Duration::days(n)).to_string();
    let res = app
        .post(&format!("{path}/stage"))
        .session(&eco)
        .form(&[("to", "signed"), ("on_date", &d(5)), ("evidence", "HT-1")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let page = post(
        &app,
        &staff,
        &format!("{path}/stage"),
        &[("to", "signed"), ("on_date", &d(5))],
    )
    .await;
    assert!(page.contains("进入签约阶段须登记投资合同编号"), "{page}");
    let page = post(
        &app,
        &staff,
        &format!("{path}/stage"),
        &[("to", "started"), ("on_date", &d(5)), ("evidence", "X")],
    )
    .await;
    assert!(page.contains("只能从在谈进入下一阶段签约"), "{page}");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM project_transition WHERE project_id = {id}"
        ))
        .await,
        1
    );
    let steps = [
        ("signed", 5, "HT-2026-031"),
        ("land_supplied", 15, "豫(2026)不动产权第0012345号"),
        ("started", 25, "施工许可证 410700202603150101"),
        ("completed", 45, "竣工验收备案 2026-118"),
        ("producing", 55, "首笔开票 2026-09"),
    ];
    for (to, day, evidence) in steps {
        let page = post(
            &app,
            &staff,
            &format!("{path}/stage"),
            &[("to", to), ("on_date", &d(day)), ("evidence", evidence)],
        )
        .await;
        assert!(page.contains("已进入"), "{to}: {page}");
    }
    // Admin moves the last step.
    let page = post(
        &app,
        &admin,
        &format!("{path}/stage"),
        &[
            ("to", "full_capacity"),
            ("on_date", &d(65)),
            ("evidence", "达产验收意见 2026-7"),
        ],
    )
    .await;
    assert!(page.contains("已进入达产阶段"), "{page}");
    let page = post(
        &app,
        &admin,
        &format!("{path}/stage"),
        &[("to", "x"), ("on_date", &d(66))],
    )
    .await;
    assert!(page.contains("项目已在最后阶段（达产）"), "{page}");
    let detail = app
        .get(&format!("/api/v1/projects/{id}"))
        .session(&admin)
        .send()
        .await
        .json();
    let transitions = detail["transitions"].as_array().unwrap();
    assert_eq!(transitions.len(), 7);
    assert_eq!(transitions[2]["evidence"], "豫(2026)不动产权第0012345号");
    assert_eq!(detail["project"]["stage_name"], "达产");
    assert!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'project_transition' AND action = 'create'")
            .await
            >= 7
    );

    // Monthly figures by the lead department.
    let month = format!("{}-{:02}", t.year(), t.month());
    let page = post(
        &app,
        &staff,
        &format!("{path}/monthly"),
        &[
            ("month", &month),
            ("investment", "3500.25"),
            ("sales", "800"),
            ("tax", "40"),
        ],
    )
    .await;
    assert!(page.contains("已保存"), "{page}");
    let page = post(
        &app,
        &staff,
        &format!("{path}/monthly"),
        &[("month", "2026/01"), ("investment", "1")],
    )
    .await;
    assert!(page.contains("应写作 2026-11"), "{page}");

    // The investor raises a problem on its own project; leaders comment, staff may not.
    let deadline = (t + Duration::days(10)).to_string();
    let page = post(
        &app,
        &ent,
        &format!("{path}/problems"),
        &[
            ("title", "用电增容审批慢"),
            ("lead_department_id", &economy),
            ("cooperating", &science),
            ("deadline", &deadline),
        ],
    )
    .await;
    assert!(page.contains("已提出问题"), "{page}");
    let problem = app
        .scalar(&format!("SELECT MAX(id) FROM project_problem WHERE project_id = {id}"))
        .await;
    let page = post(
        &app,
        &leader,
        &format!("{path}/comments"),
        &[("text", "请经发局本周内协调供电公司")],
    )
    .await;
    assert!(page.contains("已记录批示"), "{page}");
    let res = app
        .post(&format!("{path}/comments"))
        .session(&staff)
        .form(&[("text", "x")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // An enterprise sees only its own projects.
    let other = fx.project; // The fixture's project is also this enterprise's.
    let list = app.get("/projects").session(&ent).send().await.text();
    assert!(list.contains("年产5万吨锂电池隔膜项目"));
    let api = app.get("/api/v1/projects").session(&ent).send().await.json();
    assert!(
        api.as_array()
            .unwrap()
            .iter()
            .all(|p| p["enterprise_id"] == json!(fx.enterprise))
    );
    let beta = app.fx.beta.project;
    assert_eq!(
        app.get(&format!("/projects/{beta}")).session(&ent).send().await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/projects/{other}")).session(&ent).send().await.status,
        StatusCode::OK
    );

    // The weekly agenda proposes the new problem; the meeting records a decision against it.
    let page = app.get("/projects/meetings").session(&admin).send().await.text();
    assert!(page.contains(&format!("value=\"q{problem}\"")), "{page}");
    assert!(page.contains("新提出的问题"), "{page}");
    let res = app
        .post("/projects/meetings")
        .session(&admin)
        .form(&[
            ("title", "第 48 周项目会办"),
            ("held_on", &t.to_string()),
            ("item", &format!("q{problem}")),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let meeting = res.location().unwrap().to_string();
    let meeting_id: i64 = meeting.rsplit('/').next().unwrap().parse().unwrap();
    let item = app
        .scalar(&format!(
            "SELECT MIN(id) FROM project_meeting_item WHERE meeting_id = {meeting_id}"
        ))
        .await;
    let page = post(
        &app,
        &admin,
        &format!("/projects/meeting-items/{item}/decision"),
        &[
            ("meeting_id", &meeting_id.to_string()),
            ("decision", "经发局牵头对接供电公司，三日内完成增容方案"),
            ("department_id", &economy),
            ("due_date", &deadline),
        ],
    )
    .await;
    assert!(page.contains("经发局牵头对接供电公司"), "{page}");

    // Only the problem's lead department (or admin) resolves it.
    let res = app
        .post(&format!("/projects/problems/{problem}/resolve"))
        .session(&staff)
        .form(&[("answer", "x")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let mine = app.get("/projects/problems?mine=1").session(&eco).send().await.text();
    assert!(mine.contains("用电增容审批慢"), "{mine}");
    let page = post(
        &app,
        &eco,
        &format!("/projects/problems/{problem}/resolve"),
        &[
            ("answer", "供电公司已批复增容 2000 千伏安"),
            ("resolved_on", &t.to_string()),
        ],
    )
    .await;
    assert!(page.contains("问题已办结"), "{page}");
    let page = app.get(&path).session(&leader).send().await.text();
    assert!(page.contains("按期解决"), "{page}");
    assert!(page.contains("请经发局本周内协调供电公司"), "{page}");
    assert!(page.contains("经发局牵头对接供电公司"), "{page}");

    // The monthly bulletin: the stage moves of this month, the problem resolved.
    let res = app
        .get(&format!("/projects/bulletin.docx?month={month}"))
        .session(&admin)
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let text = docx_text(&res.body);
    assert!(text.contains("年产5万吨锂电池隔膜项目"), "{text}");
    assert!(text.contains("用电增容审批慢"), "{text}");
    assert!(text.contains("供电公司已批复增容 2000 千伏安"), "{text}");
    assert!(text.contains("达产"), "{text}");
    let xlsx = app
        .get(&format!("/projects/bulletin.xlsx?month={month}"))
        .session(&admin)
        .send()
        .await;
    assert!(xlsx.xlsx_cells().iter().any(|c| c == "用电增容审批慢"));
    let json = app
        .get(&format!("/api/v1/projects/bulletin?month={month}"))
        .session(&admin)
        .send()
        .await
        .json();
    assert_eq!(json["resolved"].as_array().unwrap().len(), 1);
    let bad = app.get("/projects/bulletin?month=11-2026").session(&admin).send().await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn stalled_projects_overdue_problems_scores_targets_and_visits_explain_themselves() {
    let app = TestApp::new().await;
    let admin = app.login("admin_a").await;
    let token = app.token("admin_a").await;
    let fx = &app.fx.alpha;
    let t = today();

    // The fixture's project has been 签约 since 2026-01-10 with its problem overdue since
    // 2026-03-01: stalled (90 days allowed) and escalated to its leader.
    let page = app
        .get(&format!("/projects/{}", fx.project))
        .session(&admin)
        .send()
        .await
        .text();
    if t > NaiveDate::from_ymd_opt(2026, 4, 10).unwrap() {
        assert!(page.contains("停滞：签约阶段已"), "{page}");
        assert!(page.contains("超过规定的 90 天"), "{page}");
    }
    assert!(page.contains("已升级至领导甲"), "{page}");
    let board = app.get("/projects?stalled=1").session(&admin).send().await.text();
    assert!(board.contains("阿尔法智能装备产业园项目"), "{board}");
    assert!(!board.contains("BETA-ONLY"));

    // Through the API: a project signed this year with investment completed; a problem.
    let res = app
        .post("/api/v1/projects")
        .bearer(&token)
        .json(json!({
            "name": "新型显示模组项目", "investor": "某光电有限公司", "total_investment": "250000",
            "lead_department_id": fx.economy_dept, "officer": "招商专员丙", "industry_code": "3974",
            "stage": "签约", "stage_since": (t - Duration::days(3)).to_string()
        }))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let created = res.json();
    assert_eq!(created["stage_name"], "签约");
    assert_eq!(created["major"], true);
    let bad = app
        .post("/api/v1/projects")
        .bearer(&token)
        .json(json!({"name": "x", "investor": "y", "total_investment": "1", "lead_department_id": fx.economy_dept, "stage": "谈判"}))
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("阶段“谈判”不在规则中"), "{}", bad.text());

    // Half-year scores: the signing counts for the economy department and the officer, each
    // line explained.
    let period = format!("{}H{}", t.year(), if t.month() <= 6 { 1 } else { 2 });
    let scores = app
        .get(&format!("/api/v1/projects/scores?period={period}"))
        .bearer(&token)
        .send()
        .await
        .json();
    let eco = scores["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "阿尔法经济发展局")
        .unwrap_or_else(|| panic!("{scores}"));
    assert!(
        eco["lines"][0]["text"]
            .as_str()
            .unwrap()
            .contains("签约，总投资 25 亿元 × 2 分/亿元"),
        "{eco}"
    );
    assert_eq!(eco["total"].as_str().unwrap().parse::<f64>().unwrap(), 50.0, "{eco}");
    assert!(
        scores["officers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["name"] == "招商专员丙")
    );
    let page = app
        .get(&format!("/projects/scores?period={period}"))
        .session(&admin)
        .send()
        .await
        .text();
    assert!(page.contains("招商专员丙"), "{page}");
    let bad = app.get("/projects/scores?period=2026Q1").session(&admin).send().await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Targets against the time-elapsed schedule.
    let year = t.year().to_string();
    let page = post(
        &app,
        &admin,
        "/projects/targets",
        &[
            ("year", &year),
            ("metric", "major_signed"),
            ("value", "41"),
            ("label", "“12345”招商目标"),
        ],
    )
    .await;
    assert!(page.contains("已保存目标"), "{page}");
    // The fixture's project was signed on 2026-01-10; the new one this year.
    let signed = if t.year() == 2026 {
        "2 / 目标 41 = 4.9%"
    } else {
        "1 / 目标 41 = 2.4%"
    };
    assert!(page.contains(signed), "{page}");
    let page = post(
        &app,
        &admin,
        "/projects/targets",
        &[("year", &year), ("metric", "major_signed"), ("value", "-1")],
    )
    .await;
    assert!(page.contains("目标值应大于 0"), "{page}");

    // Site visits take projects from 开工 on: none of these.
    let page = app.get("/projects/visits").session(&admin).send().await.text();
    assert!(page.contains("开工及以后阶段"), "{page}");
    assert!(!page.contains("新型显示模组项目"));

    // The rulebook: a bad file is refused with its reason and changes nothing.
    let res = app
        .post(&format!("/projects/rules?_csrf={}", admin.csrf))
        .session(&admin)
        .multipart(&[("file", Some("rules.toml"), b"id = \"x\"\nname = 3\n")])
        .send()
        .await;
    let page = crate::helpers::follow(&app, &res, &admin).await;
    assert!(page.contains("rules.toml：第 2 行"), "{page}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM project_rulebook").await, 0);
    let shipped = std::fs::read("rules/projects/xiangmu-example.toml").unwrap();
    let changed = String::from_utf8(shipped).unwrap().replace(
        "max_days = 90\nevidence = \"投资合同编号\"",
        "max_days = 30\nevidence = \"投资合同编号\"",
    );
    let res = app
        .post(&format!("/projects/rules?_csrf={}", admin.csrf))
        .session(&admin)
        .multipart(&[("file", Some("本区规则.toml"), changed.as_bytes())])
        .send()
        .await;
    let page = crate::helpers::follow(&app, &res, &admin).await;
    assert!(page.contains("alert-success"), "{page}");
    let page = app.get("/projects/rules").session(&admin).send().await.text();
    assert!(page.contains("本区规则.toml"), "{page}");
}
