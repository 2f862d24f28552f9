//! Data never becomes script (issue 17, finding 3): a name that tries to close the page's data
//! element stays text, and every answer carries a Content-Security-Policy that allows no inline
//! script, with the other protective headers.

use axum::http::StatusCode;

use crate::helpers::TestApp;

const HOSTILE: &str = "雏鹰</script><img src=x onerror=alert(1)>";

#[tokio::test]
async fn a_criteria_name_that_closes_the_script_element_stays_data_on_the_ladder_page() {
    let app = TestApp::new().await;
    let staff = app.login("staff_a").await;
    let (_, shipped) = gaoxin_ladder::shipped::files()
        .into_iter()
        .find(|(f, _)| f.starts_with("tech-sme"))
        .unwrap();
    let name_line = shipped
        .lines()
        .find(|l| l.starts_with("name = "))
        .expect("the shipped file has a name")
        .to_string();
    let hostile = shipped.replacen(&name_line, &format!("name = \"{HOSTILE}\""), 1);
    let res = app
        .post("/ladder/criteria/upload")
        .session(&staff)
        .multipart(&[("file", Some("hostile.toml"), hostile.as_bytes())])
        .send()
        .await;
    assert!(res.status.is_redirection(), "{}: {}", res.status, res.text());
    let page = app.get("/ladder").session(&staff).send().await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("雏鹰\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e"),
        "the name is in the chart data, escaped for the script element"
    );
    assert!(!html.contains("</script><img"), "no markup of the name's own");
    assert!(!html.contains("<img src=x"), "no injected element");
}

#[tokio::test]
async fn every_answer_forbids_inline_script_framing_and_caching_of_zone_data() {
    let app = TestApp::new().await;
    let staff = app.login("staff_a").await;
    for path in ["/", "/enterprises", "/login", "/api/v1/enterprises", "/nowhere"] {
        let res = app.get(path).session(&staff).send().await;
        let csp = res
            .headers
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_string());
        let csp = csp.unwrap_or_else(|| panic!("{path}: no Content-Security-Policy"));
        assert!(csp.contains("script-src 'self';"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-eval") && !csp.contains("script-src 'self' 'unsafe-inline'"));
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(res.headers["referrer-policy"], "same-origin", "{path}");
        assert_eq!(res.headers["cache-control"], "no-store", "{path}");
        assert_eq!(res.headers["x-content-type-options"], "nosniff", "{path}");
    }
    let css = app.get("/static/app.css").send().await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers["cache-control"].to_str().unwrap().contains("max-age"),
        "static files stay cacheable"
    );
}

/// No template carries an inline script or an inline event handler: the policy would block it,
/// so behaviour lives in /static/app.js (data-confirm, data-autosubmit, data-print, data-back).
#[test]
fn no_template_has_inline_script() {
    let mut offenders = Vec::new();
    for dir in std::fs::read_dir("crates").unwrap() {
        let templates = dir.unwrap().path().join("templates");
        let mut stack = vec![templates];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else { continue };
            for e in entries {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                let lower = text.to_lowercase();
                for bad in [
                    " onclick=",
                    " onchange=",
                    " onsubmit=",
                    " oninput=",
                    " onload=",
                    "javascript:",
                ] {
                    if lower.contains(bad) {
                        offenders.push(format!("{}: {bad}", p.display()));
                    }
                }
                let mut rest = lower.as_str();
                while let Some(at) = rest.find("<script") {
                    let tag = &rest[at..rest[at..].find('>').map_or(rest.len(), |e| at + e)];
                    if !tag.contains(" src=") && !tag.contains("application/json") {
                        offenders.push(format!("{}: {tag}", p.display()));
                    }
                    rest = &rest[at + 7..];
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// After login only a path of this site is followed (issue 17, finding 7): a tab makes
/// `/\t/evil.example` another host in a browser; a control character made a 500.
#[tokio::test]
async fn login_never_redirects_to_another_site_nor_fails_on_a_strange_next() {
    let app = TestApp::new().await;
    for (next, expected) in [
        ("/\t/evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/enterprises?page=2", "/enterprises?page=2"),
    ] {
        let res = app
            .post("/login")
            .form(&[
                ("username", "staff_a"),
                ("password", crate::helpers::PASSWORD),
                ("next", next),
            ])
            .send()
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{next:?}: {}", res.text());
        assert_eq!(res.location(), Some(expected), "{next:?}");
    }
    // A control character is refused before the login is looked at (it used to be a 500).
    let res = app
        .post("/login")
        .form(&[
            ("username", "staff_a"),
            ("password", crate::helpers::PASSWORD),
            ("next", "/enterprises\u{1}"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("控制字符"), "{}", res.text());
}

/// `page` and `year` out of range are a 422 naming the field (issue 17, finding 9): the
/// overflowing page number and `year=2147483647` used to panic and drop the connection.
#[tokio::test]
async fn page_and_year_out_of_range_are_refused_with_the_field() {
    let app = TestApp::new().await;
    let staff = app.login("staff_a").await;
    let token = app.token("staff_a").await;
    for path in [
        "/enterprises?page=9223372036854775807",
        "/ladder/pool?page=9223372036854775807",
        "/land/parcels?page=18446744073709551615",
        "/projects?page=0",
        "/policies/matches?year=2147483647",
        "/ladder/pool?year=2147483647",
        "/projects/targets?year=-5",
    ] {
        let res = app.get(path).session(&staff).send().await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", res.text());
        let field = if path.contains("year=") { "年份" } else { "页码" };
        assert!(res.text().contains(field), "{path}: {}", res.text());
    }
    let res = app
        .get("/api/v1/enterprises?page=9223372036854775807")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert_eq!(res.json()["error"]["field"], "page", "{}", res.text());
    let fine = app.get("/enterprises?page=3&year=2026").session(&staff).send().await;
    assert_eq!(fine.status, StatusCode::OK);
}

/// The lock-out cannot be raced (issue 17, finding 4): 30 wrong passwords sent at once lock the
/// account, and then the right one is refused. Before, each attempt read the count before the slow
/// password check and wrote it after, so parallel attempts never reached five.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_parallel_wrong_passwords_lock_the_account() {
    let app = std::sync::Arc::new(TestApp::new().await);
    let mut tries = tokio::task::JoinSet::new();
    for i in 0..30 {
        let app = app.clone();
        tries.spawn(async move {
            app.post("/login")
                .form(&[("username", "staff_a"), ("password", &format!("wrong-{i}"))])
                .send()
                .await
                .status
        });
    }
    let mut statuses = Vec::new();
    while let Some(status) = tries.join_next().await {
        statuses.push(status.unwrap());
    }
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let right = app
        .post("/login")
        .form(&[("username", "staff_a"), ("password", crate::helpers::PASSWORD)])
        .send()
        .await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "{}", right.text());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed' OR action = 'locked'")
            .await,
        5,
        "the password was looked at five times, no more"
    );
}

/// One value longer than an Excel cell holds no longer breaks an export for good (issue 17,
/// finding 6): a 40,000-character task (from a CSV, which has no cell limit) is cut at 32,767
/// characters with a marker in the ledger export.
#[tokio::test]
async fn a_value_longer_than_an_excel_cell_is_cut_in_the_export_not_a_500() {
    let app = TestApp::new().await;
    let admin = app.login("admin_a").await;
    let long = "长".repeat(40_000);
    let csv = format!("序号,工作任务,牵头部门,完成时限\n1,{long},科学技术局,全年\n");
    let res = app
        .post("/plans/import")
        .session(&admin)
        .multipart(&[
            ("title", None, "长文本台账".as_bytes()),
            ("year", None, b"2026".as_slice()),
            ("file", Some("台账.csv"), csv.as_bytes()),
        ])
        .send()
        .await;
    let page = crate::helpers::follow(&app, &res, &admin).await;
    assert!(page.contains("共 1 项任务"), "{page}");
    let plan = app.scalar("SELECT MAX(id) FROM work_plan").await;
    let export = app
        .get(&format!("/plans/ledger.xlsx?plan_id={plan}"))
        .session(&admin)
        .send()
        .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.text());
    let rows = crate::helpers::read_xlsx(&export.body);
    let cut = rows
        .iter()
        .flatten()
        .find(|c| c.contains("以下已截断"))
        .expect("the long task is in the export, cut with a marker");
    assert_eq!(cut.chars().count(), 32_767);
    assert!(cut.starts_with("长长长"));
}

/// Issue 17, finding 2: a plan of thousands of tasks under one enormous heading answered
/// 109 MB. The answer is bounded: at most 5,000 tasks, headings cut, a warning that says so.
#[tokio::test]
async fn a_plan_parse_answer_stays_small_whatever_the_plan() {
    let app = TestApp::new().await;
    let token = app.token("staff_a").await;
    let mut text = format!("一、{}\n", "长".repeat(60_000));
    for i in 1..=6_000 {
        text.push_str(&format!("{i}.推进第{i}项工作（牵头单位：区科技局）\n"));
    }
    let res = app
        .post("/api/v1/plans/parse")
        .bearer(&token)
        .json(serde_json::json!({ "text": text }))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.body.len() < 8_000_000, "answer of {} bytes", res.body.len());
    let plan = res.json();
    assert_eq!(plan["tasks"].as_array().unwrap().len(), 5_000);
    let last = plan["warnings"].as_array().unwrap().last().unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(last.contains("共找到 6000 项任务"), "{last}");
}

/// Issue 17, finding 9: NUL and other control characters, values past 20,000 characters and
/// impossible years are refused with the field before any handler (a form, a JSON body, a query
/// string), and nothing is stored. On PostgreSQL a NUL in a search used to be a 500.
#[tokio::test]
async fn control_characters_huge_values_and_impossible_years_are_refused_with_the_field() {
    let app = TestApp::new().await;
    let admin = app.login("admin_a").await;
    let token = app.token("admin_a").await;
    let departments = app.scalar("SELECT COUNT(*) FROM department").await;

    let res = app
        .post("/departments")
        .session(&admin)
        .form(&[("name", "科技\u{0}局"), ("sort_order", "1")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("控制字符"), "{}", res.text());

    let long = "长".repeat(20_001);
    let res = app
        .post("/api/v1/departments")
        .bearer(&token)
        .json(serde_json::json!({"name": long, "sort_order": 1}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["error"]["field"], "name");
    assert!(res.text().contains("过长"), "{}", res.text());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM department").await, departments);

    let res = app
        .post("/api/v1/ladder/runs")
        .bearer(&token)
        .json(serde_json::json!({"year": 2147483647}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert_eq!(res.json()["error"]["field"], "year");

    let res = app.get("/api/v1/enterprises?q=%00").bearer(&token).send().await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert_eq!(res.json()["error"]["field"], "q");
    let res = app.get("/enterprises?q=a%1Bb").session(&admin).send().await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A panic in a handler is a logged 500 with the usual error body, never a dropped connection.
#[tokio::test]
async fn a_panicking_handler_answers_500_with_a_body() {
    use tower::ServiceExt;
    let test = TestApp::new().await;
    let router = axum::Router::new().route(
        "/boom",
        axum::routing::get(|axum::extract::RawQuery(q): axum::extract::RawQuery| async move {
            let year: i32 = q.unwrap_or_default().parse().expect("a year");
            year.to_string()
        }),
    );
    let app = gaoxin::app::layered(router, test.state.clone());
    let res = app
        .oneshot(
            axum::http::Request::get("/boom")
                .header("host", "localhost")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["code"], "internal");
}

/// Issue 17, finding 10: a project hangs on a leader of its own zone — another zone's account,
/// a staff account or an id nobody has is refused with the field.
#[tokio::test]
async fn a_project_hangs_on_a_leader_of_its_own_zone_only() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let mut ids = Vec::new();
    for name in ["leader_a", "leader_b", "staff_a"] {
        ids.push(
            app.scalar(&format!("SELECT id FROM account WHERE username = '{name}'"))
                .await,
        );
    }
    let (leader_a, leader_b, staff_a) = (ids[0], ids[1], ids[2]);
    let project = |leader: i64| {
        serde_json::json!({
            "name": "挂钩领导测试项目", "investor": "某科技有限公司", "total_investment": "1000",
            "lead_department_id": app.fx.alpha.science_dept, "stage": "签约", "leader_account_id": leader
        })
    };
    for wrong in [leader_b, staff_a, 999_999] {
        let res = app
            .post("/api/v1/projects")
            .bearer(&token)
            .json(project(wrong))
            .send()
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}: {}", res.text());
        assert_eq!(res.json()["error"]["field"], "leader_account_id");
    }
    let res = app
        .post("/api/v1/projects")
        .bearer(&token)
        .json(project(leader_a))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
}
