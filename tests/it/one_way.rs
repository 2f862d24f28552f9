//! One way for each shared thing, and what it fixed: enterprise search by name or code, the
//! end of a form action, and the zone's clock.

use axum::http::StatusCode;
use gaoxin_core::clock::Clock;
use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::{Session, TestApp};

/// Noon on a working day in the demo's year (the demo is generated as of the clock).
fn midyear() -> Clock {
    Clock::fixed(Clock::parse("2026-11-20T12:00:00+08:00").unwrap())
}

async fn rows(app: &TestApp, sql: &str) -> Vec<(i64, String)> {
    let backend = app.db.backend();
    app.db
        .conn()
        .query_all_raw(Statement::from_string(backend, sql.to_string()))
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.try_get_by_index::<i64>(0).unwrap(),
                r.try_get_by_index::<String>(1).unwrap(),
            )
        })
        .collect()
}

async fn pairs(app: &TestApp, sql: &str) -> Vec<(i64, i64)> {
    let backend = app.db.backend();
    app.db
        .conn()
        .query_all_raw(Statement::from_string(backend, sql.to_string()))
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.try_get_by_index::<i64>(0).unwrap(),
                r.try_get_by_index::<i64>(1).unwrap(),
            )
        })
        .collect()
}

async fn page(app: &TestApp, session: &Session, path: &str) -> String {
    let res = app.get(path).session(session).send().await;
    assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text());
    res.text()
}

/// A firm of the list (its id, name and 统一社会信用代码), found in the demo data by `sql`
/// (`SELECT <list id>, <enterprise id>`), and the list's path with `q=` still to append.
struct Case {
    what: &'static str,
    sql: &'static str,
    path: fn(i64) -> String,
}

#[tokio::test]
async fn a_lower_case_code_finds_the_firm_in_every_list_that_searches_by_enterprise() {
    let app = TestApp::demo(5, 120, midyear()).await;
    let admin = app.login_demo("admin").await;
    let cases = [
        Case {
            what: "企业库",
            sql: "SELECT CAST(0 AS BIGINT), id FROM enterprise WHERE zone_id = (SELECT id FROM zone WHERE code = 'demo') ORDER BY id",
            path: |_| "/enterprises?".into(),
        },
        Case {
            what: "培育库（已认定）",
            sql: "SELECT run_id, enterprise_id FROM ladder_result WHERE zone_id = (SELECT id FROM zone WHERE code = 'demo') AND held AND tier = 'high_tech' ORDER BY run_id DESC, id",
            path: |run| format!("/ladder/pool?run={run}&kind=held&tier=high_tech&"),
        },
        Case {
            what: "亩均评价结果",
            sql: "SELECT run_id, enterprise_id FROM land_result WHERE zone_id = (SELECT id FROM zone WHERE code = 'demo') AND exclusion_id IS NULL ORDER BY id",
            path: |run| format!("/land/runs/{run}?"),
        },
        Case {
            what: "D 类出清台账",
            sql: "SELECT CAST(0 AS BIGINT), enterprise_id FROM clearance_case WHERE zone_id = (SELECT id FROM zone WHERE code = 'demo') ORDER BY id",
            path: |_| "/land/clearance?".into(),
        },
        Case {
            what: "地块",
            sql: "SELECT CAST(0 AS BIGINT), enterprise_id FROM parcel_occupant WHERE zone_id = (SELECT id FROM zone WHERE code = 'demo') ORDER BY id",
            path: |_| "/land/parcels?".into(),
        },
        Case {
            what: "兑现依据",
            sql: "SELECT CAST(0 AS BIGINT), enterprise_id FROM policy_event WHERE zone_id = (SELECT id FROM zone WHERE code = 'demo') AND kind = 'technology_contract' ORDER BY id",
            path: |_| "/policies/events?kind=technology_contract&".into(),
        },
        Case {
            what: "招商项目",
            sql: "SELECT CAST(0 AS BIGINT), enterprise_id FROM project WHERE zone_id = (SELECT id FROM zone WHERE code = 'demo') AND enterprise_id IS NOT NULL ORDER BY id",
            path: |_| "/projects?".into(),
        },
    ];
    for case in cases {
        let found = pairs(&app, case.sql).await;
        let (list, firm) = *found
            .first()
            .unwrap_or_else(|| panic!("{}: the demo has a row", case.what));
        let named = rows(&app, &format!("SELECT id, name FROM enterprise WHERE id = {firm}")).await;
        let name = &named[0].1;
        let code = rows(&app, &format!("SELECT id, uscc FROM enterprise WHERE id = {firm}")).await[0]
            .1
            .clone();
        assert!(
            code.chars().any(|c| c.is_ascii_uppercase()),
            "{code} has letters to lower"
        );
        let base = (case.path)(list);
        let lower = page(&app, &admin, &format!("{base}q={}&per_page=100", code.to_lowercase())).await;
        assert!(
            lower.contains(name.as_str()),
            "{}: {name} ({code}) not found by its lower-case code",
            case.what
        );
        let other = page(&app, &admin, &format!("{base}q=91000000XXXXXXXXXX&per_page=100")).await;
        assert!(
            !other.contains(name.as_str()),
            "{}: the search does not filter",
            case.what
        );
    }
}

#[tokio::test]
async fn a_refused_form_action_returns_to_the_form_with_the_reason_never_a_409_page() {
    let app = TestApp::demo(5, 60, midyear()).await;
    let admin = app.login_demo("admin").await;
    // 招商项目: a problem resolved twice. The second answer is a conflict ("该问题已解决").
    let solved = pairs(
        &app,
        "SELECT project_id, id FROM project_problem WHERE zone_id = (SELECT id FROM zone WHERE code = 'demo') AND resolved_on IS NOT NULL ORDER BY id",
    )
    .await;
    let (project, problem) = *solved.first().expect("the demo has resolved problems");
    let back = format!("/projects/{project}");
    let res = app
        .post(&format!("/projects/problems/{problem}/resolve"))
        .session(&admin)
        .form(&[("answer", "再答一次"), ("resolved_on", "2026-11-19"), ("back", &back)])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(res.location(), Some(back.as_str()));
    let flash = res
        .cookie("gaoxin_flash")
        .expect("the reason travels as a flash message");
    let back = app
        .get(res.location().unwrap())
        .session(&admin)
        .cookie(&flash)
        .send()
        .await
        .text();
    assert!(back.contains("该问题已解决"), "{back}");
}

#[tokio::test]
async fn a_duplicate_key_the_database_refuses_ends_the_action_with_the_reason() {
    use gaoxin_platform::audit::{WriteContext, Writer};
    use sea_orm::ActiveValue::Set;
    let app = TestApp::demo(5, 40, midyear()).await;
    let zone = app.scalar("SELECT id FROM zone WHERE code = 'demo'").await;
    // The same department twice, past the store's own check: the unique index answers.
    let mut writer = Writer::begin(&app.db, WriteContext::system(Some(zone), "test"))
        .await
        .unwrap();
    let err = writer
        .insert_in_zone(gaoxin_platform::departments::entity::ActiveModel {
            name: Set("科学技术局".into()),
            sort_order: Set(1),
            ..Default::default()
        })
        .await
        .unwrap_err();
    drop(writer);
    let refused = gaoxin_platform::error::AppError::from(err);
    let response =
        gaoxin_platform::web::finish(&app.state, &axum::http::HeaderMap::new(), "/land/parcels", Err(refused)).unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/land/parcels");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    let decoded: String = url::form_urlencoded::parse(cookie.split(';').next().unwrap().as_bytes())
        .map(|(k, v)| format!("{k}{v}"))
        .collect();
    assert!(decoded.contains("重复"), "{decoded}");
}

#[tokio::test]
async fn at_six_in_the_morning_on_new_years_day_every_page_is_already_in_the_new_year() {
    // 2026-01-01 06:00 in the zone is still 2025-12-31 in UTC.
    let app = TestApp::demo(5, 60, Clock::fixed(Clock::parse("2026-01-01T06:00:00+08:00").unwrap())).await;
    let admin = app.login_demo("admin").await;
    for (path, want) in [
        // The month so far, and the half-year and year the targets and scores are for.
        ("/plans/bulletin", "统计截至 2026-01-01"),
        ("/plans/scores", "2026-01-01 至 2026-06-30"),
        ("/projects/targets", "序时进度 0%（截至 2026-01-01）"),
        // The last complete month and year (in UTC it would still be November and 2024).
        ("/projects/bulletin", "截至 2025-12-31"),
        ("/policies/batches", "value=\"2025\""),
        // The demo's 公示 started today and lasts seven days.
        ("/land", "公示中 至 2026-01-08"),
    ] {
        let html = page(&app, &admin, path).await;
        let text = html.replace("</span>", "").replace("<span>", "");
        assert!(text.contains(want), "{path} does not show {want}");
    }
}
