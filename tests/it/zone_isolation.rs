//! Nothing of zone beta is visible or writable from zone alpha: through pages, the API,
//! exports or search. The province reader sees both, and changes neither.

use axum::http::{Method, StatusCode};
use gaoxin_admin::accounts::store as accounts;

use crate::helpers::{BETA_MARKERS, TestApp, TestResponse};

fn assert_no_beta(what: &str, res: &TestResponse) {
    let text = if res.content_type().contains("spreadsheetml") {
        res.xlsx_cells().join("\n")
    } else {
        res.text()
    };
    for marker in BETA_MARKERS {
        assert!(
            !text.contains(marker),
            "{what} shows zone beta's data ({marker}):\n{text}"
        );
    }
}

#[tokio::test]
async fn every_page_list_export_and_api_of_zone_alpha_shows_nothing_of_zone_beta() {
    let app = TestApp::new().await;
    let fx = &app.fx.alpha;
    let audit_line = app
        .scalar(&format!("SELECT MAX(id) FROM audit_log WHERE zone_id = {}", fx.zone_id))
        .await;
    let leader = accounts::by_username(&app.db, "leader_a").await.unwrap().unwrap();
    let mut checked = 0;
    for user in ["admin_a", "leader_a", "staff_a", "ent_a", "auditor_a"] {
        let session = app.login(user).await;
        for spec in gaoxin::app::route_specs() {
            if spec.method != Method::GET || spec.path.starts_with("/static") || spec.path.starts_with("/api/v1/docs") {
                continue;
            }
            let path = spec.path.replace(
                "{id}",
                &if let Some(id) = crate::helpers::policy_path_id(fx, &spec.path) {
                    id.to_string()
                } else if spec.path.contains("users") {
                    leader.id.to_string()
                } else if spec.path.contains("departments") {
                    fx.science_dept.to_string()
                } else if spec.path.contains("enterprises") {
                    fx.enterprise.to_string()
                } else {
                    audit_line.to_string()
                },
            );
            // Searches that match rows of both zones must still show alpha's alone (the terms
            // are echoed in the search box, so none of them is a marker itself).
            for query in [
                "",
                "?q=%E7%A7%91%E5%AD%A6%E6%8A%80%E6%9C%AF",
                "?q=%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8",
                "?q=BETA&actor=%E8%B4%9D",
                "?q=9132028",
                "?entity=department&actor=admin",
            ] {
                let res = app.get(&format!("{path}{query}")).session(&session).send().await;
                if res.status == StatusCode::OK {
                    assert_no_beta(&format!("{user} GET {path}{query}"), &res);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 60, "only {checked} responses checked");
    // The API answers beta-name searches with nothing.
    let token = app.token("admin_a").await;
    let res = app
        .get("/api/v1/enterprises?q=%E8%B4%9D%E5%A1%94")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.json()["total"], 0);
    let res = app.get("/api/v1/enterprises?q=9132028").bearer(&token).send().await;
    assert_eq!(res.json()["total"], 0);
    let res = app
        .get("/api/v1/enterprises?q=%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.json()["total"], 2);
    let res = app.get("/api/v1/departments?q=BETA").bearer(&token).send().await;
    assert_eq!(res.json()["total"], 0);
}

#[tokio::test]
async fn zone_beta_records_cannot_be_read_or_changed_by_id_from_zone_alpha() {
    let app = TestApp::new().await;
    let beta = &app.fx.beta;
    let beta_line = app
        .scalar(&format!(
            "SELECT MAX(id) FROM audit_log WHERE zone_id = {}",
            beta.zone_id
        ))
        .await;
    let admin = app.login("admin_a").await;
    let token = app.token("admin_a").await;
    let before_names = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM department WHERE zone_id = {}",
            beta.zone_id
        ))
        .await;
    for path in [
        format!("/departments/{}/edit", beta.science_dept),
        format!("/enterprises/{}", beta.enterprise),
        format!("/admin/users/{}/edit", beta.admin),
        format!("/audit/{beta_line}"),
        format!("/api/v1/departments/{}", beta.science_dept),
        format!("/api/v1/enterprises/{}", beta.enterprise),
        format!("/api/v1/users/{}", beta.admin),
    ] {
        let res = app.get(&path).session(&admin).send().await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "GET {path}");
        assert_no_beta(&path, &res);
    }
    let res = app
        .call(Method::PUT, &format!("/api/v1/departments/{}", beta.science_dept))
        .bearer(&token)
        .json(serde_json::json!({"name": "被改名"}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .call(Method::DELETE, &format!("/api/v1/departments/{}", beta.economy_dept))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .call(Method::PATCH, &format!("/api/v1/users/{}", beta.admin))
        .bearer(&token)
        .json(serde_json::json!({"active": false}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .post(&format!("/departments/{}", beta.science_dept))
        .session(&admin)
        .form(&[("name", "被改名")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .post(&format!("/departments/{}/delete", beta.economy_dept))
        .session(&admin)
        .form(&[])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // An account in alpha cannot be linked to beta's department or enterprise.
    let res = app
        .post("/api/v1/users")
        .bearer(&token)
        .json(
            serde_json::json!({"username": "crosslink", "display_name": "跨区", "role": "staff",
            "password": "long-enough-1", "department_id": beta.science_dept}),
        )
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert_eq!(res.json()["error"]["field"], "department_id");
    // Beta is untouched.
    let after_names = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM department WHERE zone_id = {} AND name LIKE '贝塔%'",
            beta.zone_id
        ))
        .await;
    assert_eq!(before_names, after_names);
    assert_eq!(after_names, 2);
    let beta_admin_active = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM account WHERE id = {} AND active = {}",
            beta.admin,
            if app.test_db.is_postgres() { "true" } else { "1" }
        ))
        .await;
    assert_eq!(beta_admin_active, 1);
}

#[tokio::test]
async fn the_province_reader_compares_zones_and_reads_either_one() {
    let app = TestApp::new().await;
    let token = app.token("prov").await;
    let zones = app.get("/api/v1/zones").bearer(&token).send().await.json();
    let codes: Vec<&str> = zones
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["alpha", "beta"]);
    assert_eq!(zones[1]["departments"], 2);
    assert_eq!(zones[1]["enterprises"], 2);
    let beta = app
        .get("/api/v1/departments")
        .bearer(&token)
        .header("x-gaoxin-zone", "beta")
        .send()
        .await
        .json();
    assert!(beta["items"][0]["name"].as_str().unwrap().starts_with("贝塔"));
    let alpha = app.get("/api/v1/departments").bearer(&token).send().await.json();
    assert!(alpha["items"][0]["name"].as_str().unwrap().starts_with("阿尔法"));
    let unknown = app
        .get("/api/v1/departments")
        .bearer(&token)
        .header("x-gaoxin-zone", "gamma")
        .send()
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A zone account's own zone list is its zone alone.
    let admin = app.token("admin_a").await;
    let own = app.get("/api/v1/zones").bearer(&admin).send().await.json();
    assert_eq!(own.as_array().unwrap().len(), 1);
    // In the browser, the province reader switches zones through the session.
    let session = app.login("prov").await;
    let page = app.get("/province/zones").session(&session).send().await;
    assert!(page.text().contains("贝塔高新区"));
    let res = app
        .post("/province/zone")
        .session(&session)
        .form(&[("zone_id", &app.fx.beta.zone_id.to_string())])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let html = app.get("/departments").session(&session).send().await.text();
    assert!(html.contains("贝塔科学技术局"));
    assert!(!html.contains("阿尔法科学技术局"));
}
