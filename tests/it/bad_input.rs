//! Bad input gets the right status and a clear message, and changes nothing.

use axum::http::{Method, StatusCode};
use sea_orm::ConnectionTrait;

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn a_wrong_password_is_refused_the_same_way_as_an_unknown_user() {
    let app = TestApp::new().await;
    for (user, password) in [("leader_a", "wrong-password"), ("nobody", PASSWORD)] {
        let res = app
            .post("/api/v1/auth/token")
            .json(serde_json::json!({"username": user, "password": password}))
            .send()
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        assert_eq!(res.json()["error"]["code"], "bad_credentials");
        assert_eq!(res.json()["error"]["message"], "用户名或密码错误");
        let page = app
            .post("/login")
            .form(&[("username", user), ("password", password)])
            .send()
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(page.text().contains("用户名或密码错误"));
        assert!(page.headers.get("set-cookie").is_none());
    }
    // A real account's failures are audited one by one; an unknown name's are aggregated (one
    // line when it locks), so only leader_a's two appear.
    let failed = app
        .scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed'")
        .await;
    assert_eq!(failed, 2);
}

#[tokio::test]
async fn five_failures_lock_the_account_even_for_the_right_password() {
    let app = TestApp::new().await;
    for _ in 0..5 {
        let res = app
            .post("/login")
            .form(&[("username", "staff_a"), ("password", "nope-nope")])
            .send()
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    let res = app
        .post("/api/v1/auth/token")
        .json(serde_json::json!({"username": "staff_a", "password": PASSWORD}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.json()["error"]["message"].as_str().unwrap().contains("已锁定"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'locked'")
            .await,
        1
    );
    // The admin re-enables the account, which lifts the lock.
    let admin = app.token("admin_a").await;
    let staff = gaoxin_admin::accounts::store::by_username(&app.db, "staff_a")
        .await
        .unwrap()
        .unwrap();
    let res = app
        .call(Method::PATCH, &format!("/api/v1/users/{}", staff.id))
        .bearer(&admin)
        .json(serde_json::json!({"active": true}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    app.login("staff_a").await;
}

#[tokio::test]
async fn expired_and_revoked_tokens_are_refused() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    assert_eq!(app.get("/api/v1/me").bearer(&token).send().await.status, StatusCode::OK);
    // Revoked.
    let tokens = app.get("/api/v1/auth/tokens").bearer(&token).send().await.json();
    let id = tokens[0]["id"].as_i64().unwrap();
    let res = app
        .call(Method::DELETE, &format!("/api/v1/auth/tokens/{id}"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let res = app.get("/api/v1/me").bearer(&token).send().await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.json()["error"]["code"], "invalid_token");
    // Expired.
    let token = app.token("leader_a").await;
    app.db
        .conn()
        .execute_unprepared("UPDATE api_token SET expires_at = '2020-01-01T00:00:00+00:00' WHERE revoked_at IS NULL")
        .await
        .unwrap();
    let res = app.get("/api/v1/departments").bearer(&token).send().await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.json()["error"]["message"], "令牌无效、已过期或已吊销");
    // Made up.
    let res = app.get("/api/v1/me").bearer("gx_not_a_token").send().await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    // A token request with a bad validity.
    let res = app
        .post("/api/v1/auth/token")
        .json(serde_json::json!({"username": "admin_a", "password": PASSWORD, "expires_in_days": 99999}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["error"]["field"], "expires_in_days");
}

#[tokio::test]
async fn writes_without_the_csrf_token_or_from_another_site_are_refused() {
    let app = TestApp::new().await;
    let admin = app.login("admin_a").await;
    let count = "SELECT COUNT(*) FROM department";
    let before = app.scalar(count).await;
    let res = app
        .post("/departments")
        .session(&admin)
        .without_csrf()
        .form(&[("name", "无令牌部门")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.text().contains("CSRF"), "{}", res.text());
    let res = app
        .post("/departments")
        .session(&admin)
        .form(&[("name", "跨站部门"), ("_csrf", "0000")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "a wrong token must not pass");
    let res = app
        .post("/departments")
        .session(&admin)
        .header("origin", "https://evil.example")
        .form(&[("name", "跨站部门")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.text().contains("跨站"));
    let res = app
        .post("/departments")
        .session(&admin)
        .header("sec-fetch-site", "cross-site")
        .form(&[("name", "跨站部门")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // An API write on the session cookie needs the header token too.
    let res = app
        .post("/api/v1/departments")
        .session(&admin)
        .without_csrf()
        .json(serde_json::json!({"name": "无令牌部门"}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.json()["error"]["code"], "csrf");
    assert_eq!(app.scalar(count).await, before);
    // The same form from this site with its token works.
    let res = app
        .post("/departments")
        .session(&admin)
        .header("origin", "http://localhost")
        .form(&[("name", "正常部门")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(app.scalar(count).await, before + 1);
}

#[tokio::test]
async fn malformed_bodies_get_a_400_with_a_chinese_message() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let cases: [(&str, &[u8], &str); 5] = [
        ("application/json", b"{\"name\": ", "JSON"),
        ("application/json", b"{\"name\": \"\xff\xfe\"}", "JSON"),
        ("application/json", b"{\"name\": \"x\", \"colour\": \"red\"}", "colour"),
        ("application/json", b"[1, 2]", "请求数据"),
        ("text/plain", b"name=x", "Content-Type"),
    ];
    for (content_type, body, needle) in cases {
        let res = app
            .post("/api/v1/departments")
            .bearer(&token)
            .raw(content_type, body)
            .send()
            .await;
        assert_eq!(
            res.status,
            StatusCode::BAD_REQUEST,
            "{content_type} {:?}",
            String::from_utf8_lossy(body)
        );
        let json = res.json();
        assert_eq!(json["error"]["code"], "bad_request");
        let message = json["error"]["message"].as_str().unwrap();
        assert!(message.contains(needle), "{message}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM department").await, 4);
}

#[tokio::test]
async fn over_long_and_invalid_fields_are_named() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let res = app
        .post("/api/v1/departments")
        .bearer(&token)
        .json(serde_json::json!({"name": "科".repeat(101)}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let json = res.json();
    assert_eq!(json["error"]["field"], "name");
    assert!(json["error"]["message"].as_str().unwrap().contains("最多 100 个字符"));
    let res = app
        .post("/api/v1/users")
        .bearer(&token)
        .json(serde_json::json!({"username": "新用户", "display_name": "x", "role": "leader", "password": "long-enough-1"}))
        .send()
        .await;
    assert_eq!(res.json()["error"]["field"], "username");
    let res = app
        .post("/api/v1/users")
        .bearer(&token)
        .json(serde_json::json!({"username": "newbie", "display_name": "x", "role": "province", "password": "long-enough-1"}))
        .send()
        .await;
    assert_eq!(res.json()["error"]["field"], "role");
    let res = app
        .post("/api/v1/users")
        .bearer(&token)
        .json(serde_json::json!({"username": "newbie", "display_name": "x", "role": "leader", "password": "short"}))
        .send()
        .await;
    assert_eq!(res.json()["error"]["field"], "password");
    // A form gets the message under the field, with the typed values kept.
    let admin = app.login("admin_a").await;
    let res = app
        .post("/departments")
        .session(&admin)
        .form(&[("name", "新部门"), ("phone", "不是电话"), ("sort_order", "abc")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    assert!(html.contains("排序须为整数"), "{html}");
    assert!(html.contains("value=\"新部门\""));
    // A non-numeric id is a 404, not a 500.
    let res = app.get("/api/v1/departments/abc").bearer(&token).send().await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // Unknown routes: JSON for the API, a page otherwise.
    let res = app.get("/api/v1/nothing-here").bearer(&token).send().await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.json()["error"]["code"], "no_route");
    let res = app.get("/nothing-here").session(&admin).send().await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.content_type().starts_with("text/html"));
}

#[tokio::test]
async fn outside_text_longer_than_the_audit_columns_is_cut_not_refused() {
    let app = TestApp::new().await;
    // A user name longer than any account's is refused before it reaches a handler or the log.
    let long_name = "x".repeat(500);
    let res = app
        .post("/login")
        .form(&[("username", long_name.as_str()), ("password", "whatever")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert!(res.text().contains("用户名（username）过长"), "{}", res.text());
    let res = app
        .post("/login")
        .form(&[("username", "x".repeat(64).as_str()), ("password", "whatever")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text());
    let token = app.token("admin_a").await;
    let res = app
        .post("/api/v1/departments")
        .bearer(&token)
        .header("x-request-id", &format!("{}<script>", "r".repeat(200)))
        .json(serde_json::json!({"name": "长请求号部门"}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let log = app
        .get("/api/v1/audit?entity=department&action=create")
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(log["items"][0]["request_id"], "r".repeat(64));
    // A user with the longest allowed name still signs in and is audited.
    let admin = app.token("admin_a").await;
    let res = app
        .post("/api/v1/users")
        .bearer(&admin)
        .json(
            serde_json::json!({"username": "u".repeat(64), "display_name": "名".repeat(100),
            "role": "leader", "password": "long-enough-1"}),
        )
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let long_user = "u".repeat(64);
    let res = app
        .post("/login")
        .form(&[("username", long_user.as_str()), ("password", "long-enough-1")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_stale_login_page_still_signs_in_while_a_session_is_open() {
    let app = TestApp::new().await;
    let session = app.login("leader_a").await;
    let res = app
        .post("/login")
        .session(&session)
        .without_csrf()
        .form(&[("username", "admin_a"), ("password", PASSWORD)])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    // But not from another site.
    let res = app
        .post("/login")
        .header("origin", "https://evil.example")
        .form(&[("username", "admin_a"), ("password", PASSWORD)])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}
