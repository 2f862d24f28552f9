//! The everyday flows through the real router: sessions, password, language, tokens, user
//! and department management, lists and exports, static files.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use gaoxin::app::{AppConfig, AppState, app};
use gaoxin_admin::accounts::store as accounts;

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn a_session_survives_a_restart_and_ends_at_logout() {
    let mut test = TestApp::new().await;
    let session = test.login("leader_a").await;
    // A new server process on the same database: sessions live in the database.
    test.router = app(AppState {
        db: test.db.clone(),
        config: Arc::new(AppConfig::default()),
    });
    let app = test;
    let home = app.get("/").session(&session).send().await;
    assert_eq!(home.status, StatusCode::OK);
    let html = home.text();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("<h1>首页</h1>"));
    assert!(html.contains("领导"));
    let res = app.post("/logout").session(&session).form(&[]).send().await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), Some("/login"));
    let after = app.get("/").session(&session).send().await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.location(), Some("/login?next=%2F"));
    let actions = app
        .get("/api/v1/audit?actor=leader_a")
        .bearer(&app.token("admin_a").await)
        .send()
        .await
        .json();
    let names: Vec<&str> = actions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"login") && names.contains(&"logout"), "{names:?}");
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = TestApp::new().await;
    let res = app
        .post("/login")
        .form(&[("username", "admin_a"), ("password", PASSWORD)])
        .send()
        .await;
    let cookie = res.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"));
    let res = app
        .post("/login")
        .header("x-forwarded-proto", "https")
        .form(&[("username", "admin_a"), ("password", PASSWORD)])
        .send()
        .await;
    assert!(
        res.headers
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Secure")
    );
    // Only local paths are followed after login.
    let res = app
        .post("/login")
        .form(&[
            ("username", "admin_a"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await;
    assert_eq!(res.location(), Some("/"));
}

#[tokio::test]
async fn changing_the_password_signs_out_other_sessions() {
    let app = TestApp::new().await;
    let here = app.login("staff_a").await;
    let elsewhere = app.login("staff_a").await;
    let res = app
        .post("/account/password")
        .session(&here)
        .form(&[
            ("current", "wrong"),
            ("new_password", "new-secret-9"),
            ("confirm", "new-secret-9"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("当前密码不正确"));
    let res = app
        .post("/account/password")
        .session(&here)
        .form(&[
            ("current", PASSWORD),
            ("new_password", "new-secret-9"),
            ("confirm", "other"),
        ])
        .send()
        .await;
    assert!(res.text().contains("两次输入的新密码不一致"));
    let res = app
        .post("/account/password")
        .session(&here)
        .form(&[
            ("current", PASSWORD),
            ("new_password", "new-secret-9"),
            ("confirm", "new-secret-9"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/account").session(&here).send().await.status, StatusCode::OK);
    assert_eq!(
        app.get("/account").session(&elsewhere).send().await.status,
        StatusCode::SEE_OTHER
    );
    let old = app
        .post("/api/v1/auth/token")
        .json(serde_json::json!({"username": "staff_a", "password": PASSWORD}))
        .send()
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = app
        .post("/api/v1/auth/token")
        .json(serde_json::json!({"username": "staff_a", "password": "new-secret-9"}))
        .send()
        .await;
    assert_eq!(new.status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_interface_switches_to_english_per_user() {
    let app = TestApp::new().await;
    let leader = app.login("leader_a").await;
    let res = app
        .post("/account/locale")
        .session(&leader)
        .header("referer", "http://localhost/departments")
        .form(&[("locale", "en")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), Some("/departments"));
    let html = app.get("/").session(&leader).send().await.text();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<h1>Home</h1>"));
    assert!(html.contains("Leader"));
    // Someone else still gets Chinese.
    let other = app.login("admin_a").await;
    assert!(
        app.get("/")
            .session(&other)
            .send()
            .await
            .text()
            .contains("<h1>首页</h1>")
    );
    let bad = app
        .post("/account/locale")
        .session(&leader)
        .form(&[("locale", "fr")])
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_token_created_on_the_account_page_works_until_revoked() {
    let app = TestApp::new().await;
    let auditor = app.login("auditor_a").await;
    let page = app
        .post("/account/tokens")
        .session(&auditor)
        .form(&[("name", "报表系统"), ("days", "30")])
        .send()
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    let start = html.find("id=\"new-token\">").unwrap() + "id=\"new-token\">".len();
    let token = html[start..].split('<').next().unwrap().trim().to_string();
    assert!(token.starts_with("gx_"));
    let me = app.get("/api/v1/me").bearer(&token).send().await.json();
    assert_eq!(me["username"], "auditor_a");
    assert_eq!(me["role"], "auditor");
    assert_eq!(me["zone_code"], "alpha");
    let tokens = app.get("/api/v1/auth/tokens").bearer(&token).send().await.json();
    let id = tokens[0]["id"].as_i64().unwrap();
    assert_eq!(tokens[0]["name"], "报表系统");
    // The token's hash only: the token itself is nowhere in the database.
    let stored = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM api_token WHERE token_hash = '{token}' OR token_prefix = '{token}'"
        ))
        .await;
    assert_eq!(stored, 0);
    let res = app
        .post(&format!("/account/tokens/{id}/revoke"))
        .session(&auditor)
        .form(&[])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/api/v1/me").bearer(&token).send().await.status,
        StatusCode::UNAUTHORIZED
    );
    // Someone else's token cannot be revoked.
    let other = app.token("leader_a").await;
    let other_id = app.get("/api/v1/auth/tokens").bearer(&other).send().await.json()[0]["id"]
        .as_i64()
        .unwrap();
    let res = app
        .post(&format!("/account/tokens/{other_id}/revoke"))
        .session(&auditor)
        .form(&[])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_admin_creates_edits_and_disables_users_through_the_pages() {
    let app = TestApp::new().await;
    let admin = app.login("admin_a").await;
    let form = app.get("/admin/users/new").session(&admin).send().await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("阿尔法科学技术局"));
    // Staff without a department is refused, with the reason under the field.
    let res = app
        .post("/admin/users")
        .session(&admin)
        .form(&[
            ("username", "wangwei"),
            ("display_name", "王伟"),
            ("role", "staff"),
            ("password", "first-pass-1"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("部门人员必须选择所属部门"));
    let dept = app.fx.alpha.economy_dept.to_string();
    let res = app
        .post("/admin/users")
        .session(&admin)
        .form(&[
            ("username", "wangwei"),
            ("display_name", "王伟"),
            ("role", "staff"),
            ("department_id", &dept),
            ("password", "first-pass-1"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let flash = res.cookie("gaoxin_flash").expect("a flash message");
    let list = app
        .get("/admin/users?q=wang")
        .session(&admin)
        .cookie(&flash)
        .send()
        .await
        .text();
    assert!(list.contains("王伟") && list.contains("阿尔法经济发展局"));
    assert!(list.contains("已新增用户：wangwei"), "the flash message shows once");
    let again = app.get("/admin/users?q=wang").session(&admin).send().await.text();
    assert!(!again.contains("已新增用户"));
    let account = accounts::by_username(&app.db, "wangwei").await.unwrap().unwrap();
    // An enterprise user is linked by the enterprise's 统一社会信用代码.
    let res = app
        .post(&format!("/admin/users/{}", account.id))
        .session(&admin)
        .form(&[
            ("display_name", "王伟"),
            ("role", "enterprise"),
            ("enterprise", "91410700MA0000009X"),
            ("active", "on"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().contains("校验位错误") || res.text().contains("不合法"),
        "{}",
        res.text()
    );
    // Disable: the user can no longer sign in.
    let res = app
        .post(&format!("/admin/users/{}", account.id))
        .session(&admin)
        .form(&[("display_name", "王伟"), ("role", "staff"), ("department_id", &dept)])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = app
        .post("/api/v1/auth/token")
        .json(serde_json::json!({"username": "wangwei", "password": "first-pass-1"}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    // The admin cannot lock themselves out.
    let me = accounts::by_username(&app.db, "admin_a").await.unwrap().unwrap();
    let res = app
        .call(Method::PATCH, &format!("/api/v1/users/{}", me.id))
        .bearer(&app.token("admin_a").await)
        .json(serde_json::json!({"active": false}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Export gives the list with Chinese headers.
    let export = app.get("/admin/users/export").session(&admin).send().await;
    let cells = export.xlsx_cells();
    assert_eq!(&cells[..3], ["用户名", "姓名", "角色"]);
    assert!(cells.contains(&"wangwei".to_string()) && cells.contains(&"停用".to_string()));
}

#[tokio::test]
async fn departments_are_listed_searched_paginated_and_exported_as_on_screen() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    for i in 1..=23 {
        let res = app
            .post("/api/v1/departments")
            .bearer(&token)
            .json(serde_json::json!({"name": format!("第{i:02}工作专班"), "sort_order": 100 + i}))
            .send()
            .await;
        assert_eq!(res.status, StatusCode::CREATED);
    }
    let page2 = app
        .get("/api/v1/departments?page=2&per_page=10")
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(page2["total"], 25);
    assert_eq!(page2["items"].as_array().unwrap().len(), 10);
    assert_eq!(page2["items"][0]["name"], "第09工作专班");
    let leader = app.login("leader_a").await;
    let html = app
        .get("/departments?q=专班&per_page=10&page=3")
        .session(&leader)
        .send()
        .await
        .text();
    assert!(html.contains("共 23 条"), "{html}");
    assert!(html.contains("第21工作专班") && !html.contains("第20工作专班"));
    assert!(
        html.contains("href=\"/departments?q=%E4%B8%93%E7%8F%AD&#38;per_page=10&#38;page=2\""),
        "{html}"
    );
    assert!(!html.contains("/departments/new"), "a leader gets no create button");
    let export = app.get("/departments/export?q=专班").session(&leader).send().await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(
        export
            .headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    let cells = export.xlsx_cells();
    assert_eq!(&cells[..5], ["部门名称", "简称", "联系人", "联系电话", "排序"]);
    let names: Vec<&String> = cells.iter().filter(|c| c.contains("专班")).collect();
    assert_eq!(names.len(), 23);
    assert!(cells.contains(&"101".to_string()), "numbers stay numbers");
}

#[tokio::test]
async fn the_admin_creates_edits_and_deletes_a_department_through_the_pages() {
    let app = TestApp::new().await;
    let admin = app.login("admin_a").await;
    let res = app
        .post("/departments")
        .session(&admin)
        .form(&[("name", "应急管理局"), ("short_name", "应急局"), ("sort_order", "5")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let id = app.scalar("SELECT MAX(id) FROM department").await;
    let edit = app
        .get(&format!("/departments/{id}/edit"))
        .session(&admin)
        .send()
        .await
        .text();
    assert!(edit.contains("value=\"应急管理局\""));
    let res = app
        .post(&format!("/departments/{id}"))
        .session(&admin)
        .form(&[("name", "应急管理局"), ("phone", "0373-1112223")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = app
        .post(&format!("/departments/{id}/delete"))
        .session(&admin)
        .form(&[])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM department WHERE id = {id}"))
            .await,
        0
    );
    // A department with users is kept, and the page says why.
    let res = app
        .post(&format!("/departments/{}/delete", app.fx.alpha.science_dept))
        .session(&admin)
        .form(&[])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let flash = res.cookie("gaoxin_flash").expect("a flash message");
    let list = app
        .get("/departments")
        .session(&admin)
        .cookie(&flash)
        .send()
        .await
        .text();
    assert!(list.contains("下还有 1 个用户"), "{list}");
}

#[tokio::test]
async fn health_static_files_and_request_ids() {
    let app = TestApp::new().await;
    let res = app.get("/healthz").send().await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["status"], "ok");
    assert_eq!(res.headers.get("x-request-id").unwrap().len(), 16);
    for (path, kind) in [
        ("/static/vendor/htmx-2.0.11.min.js", "javascript"),
        ("/static/vendor/echarts-6.1.0.min.js", "javascript"),
        ("/static/app.css", "text/css"),
    ] {
        let res = app.get(path).send().await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert!(res.content_type().contains(kind), "{path}: {}", res.content_type());
        assert!(res.body.len() > 1000);
    }
    assert_eq!(app.get("/static/nothing.js").send().await.status, StatusCode::NOT_FOUND);
    let docs = app.get("/api/v1/docs/").send().await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(docs.text().contains("swagger"));
}
