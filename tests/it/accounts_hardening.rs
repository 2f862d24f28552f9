//! Accounts that hold (issue 17, findings 8 and 10): every API token expires, dies with the
//! password or the account, and can be listed and revoked by an admin; an admin can lift a
//! lock-out; user names are one whatever their case; common and short passwords are refused.

use axum::http::StatusCode;

use crate::helpers::{PASSWORD, TestApp};

async fn account_id(app: &TestApp, username: &str) -> i64 {
    app.scalar(&format!("SELECT id FROM account WHERE username = '{username}'"))
        .await
}

/// A fresh API token of `username` with `password`.
async fn issue(app: &TestApp, username: &str, password: &str) -> String {
    let issued = app
        .post("/api/v1/auth/token")
        .json(serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .json();
    issued["token"].as_str().unwrap().to_string()
}

async fn me(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/v1/me").bearer(token).send().await.status
}

#[tokio::test]
async fn a_token_expires_and_dies_with_the_password_or_the_account_and_admin_can_revoke_it() {
    let app = TestApp::new().await;
    let admin = app.token("admin_a").await;
    let staff = account_id(&app, "staff_a").await;

    // No token lives for ever; the default is 90 days.
    let forever = app
        .post("/api/v1/auth/token")
        .json(serde_json::json!({"username": "staff_a", "password": PASSWORD, "expires_in_days": 0}))
        .send()
        .await;
    assert_eq!(forever.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", forever.text());
    assert_eq!(forever.json()["error"]["field"], "expires_in_days");
    let issued = app
        .post("/api/v1/auth/token")
        .json(serde_json::json!({"username": "staff_a", "password": PASSWORD}))
        .send()
        .await
        .json();
    let expires = chrono::DateTime::parse_from_rfc3339(issued["expires_at"].as_str().unwrap()).unwrap();
    let days = (expires.with_timezone(&chrono::Utc) - gaoxin_core::clock::system_now()).num_days();
    assert!((89..=90).contains(&days), "{days} days");

    // An admin lists the user's tokens and revokes one: it is refused from then on.
    let token = issued["token"].as_str().unwrap().to_string();
    assert_eq!(me(&app, &token).await, StatusCode::OK);
    let listed = app
        .get(&format!("/api/v1/users/{staff}/tokens"))
        .bearer(&admin)
        .send()
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
    let id = issued["id"].as_i64().unwrap();
    assert!(listed.json().as_array().unwrap().iter().any(|t| t["id"] == id));
    let revoked = app
        .call(
            axum::http::Method::DELETE,
            &format!("/api/v1/users/{staff}/tokens/{id}"),
        )
        .bearer(&admin)
        .send()
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.text());
    assert_eq!(me(&app, &token).await, StatusCode::UNAUTHORIZED);

    // An admin of another zone sees neither the user nor its tokens.
    let other = app.token("admin_b").await;
    let hidden = app
        .get(&format!("/api/v1/users/{staff}/tokens"))
        .bearer(&other)
        .send()
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);

    // A password reset by the admin ends every token.
    let token = app.token("staff_a").await;
    let reset = app
        .call(axum::http::Method::PATCH, &format!("/api/v1/users/{staff}"))
        .bearer(&admin)
        .json(serde_json::json!({"password": "reset-by-admin-7"}))
        .send()
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.text());
    assert_eq!(me(&app, &token).await, StatusCode::UNAUTHORIZED, "reset password");

    // So does changing one's own password.
    let token = issue(&app, "staff_a", "reset-by-admin-7").await;
    let session = app.login_with("staff_a", "reset-by-admin-7").await;
    let changed = app
        .post("/account/password")
        .session(&session)
        .form(&[
            ("current", "reset-by-admin-7"),
            ("new_password", "changed-by-me-8"),
            ("confirm", "changed-by-me-8"),
        ])
        .send()
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.text());
    assert_eq!(me(&app, &token).await, StatusCode::UNAUTHORIZED, "own password changed");

    // And disabling the account.
    let token = issue(&app, "staff_a", "changed-by-me-8").await;
    let disabled = app
        .call(axum::http::Method::PATCH, &format!("/api/v1/users/{staff}"))
        .bearer(&admin)
        .json(serde_json::json!({"active": false}))
        .send()
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.text());
    assert_eq!(me(&app, &token).await, StatusCode::UNAUTHORIZED, "account disabled");
    let live = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM api_token WHERE account_id = {staff} AND revoked_at IS NULL"
        ))
        .await;
    assert_eq!(live, 0);
}

#[tokio::test]
async fn an_admin_lifts_a_lock_out_from_the_user_page() {
    let app = TestApp::new().await;
    let staff = account_id(&app, "staff_a").await;
    for i in 0..5 {
        app.post("/login")
            .form(&[("username", "staff_a"), ("password", &format!("wrong-{i}"))])
            .send()
            .await;
    }
    let refused = app
        .post("/login")
        .form(&[("username", "staff_a"), ("password", PASSWORD)])
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let admin = app.login("admin_a").await;
    let page = app
        .get(&format!("/admin/users/{staff}/edit"))
        .session(&admin)
        .send()
        .await
        .text();
    assert!(page.contains("账号已锁定至"), "{page}");
    let res = app
        .post(&format!("/admin/users/{staff}/unlock"))
        .session(&admin)
        .form(&[])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let page = app
        .get(&format!("/admin/users/{staff}/edit"))
        .session(&admin)
        .send()
        .await
        .text();
    assert!(!page.contains("账号已锁定至"));
    app.login("staff_a").await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'unlocked'")
            .await,
        1
    );
}

#[tokio::test]
async fn user_names_are_one_whatever_their_case_and_weak_passwords_are_refused() {
    let app = TestApp::new().await;
    let admin = app.token("admin_a").await;
    let create = |username: &'static str, password: &'static str| {
        app.post("/api/v1/users").bearer(&admin).json(serde_json::json!({
            "username": username, "display_name": "测试", "role": "leader", "password": password
        }))
    };
    let twin = create("STAFF_A", "long-enough-1").send().await;
    assert_eq!(twin.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", twin.text());
    assert_eq!(twin.json()["error"]["field"], "username");
    assert!(twin.text().contains("已被使用"), "{}", twin.text());
    // Signing in ignores the case too.
    app.login_with("Staff_A", PASSWORD).await;

    for (password, reason) in [
        ("demo1234", "至少 10 位"),
        ("1234567890", "常见密码"),
        ("Qwertyuiop", "常见密码"),
        ("woaini1314", "常见密码"),
        ("abcabcabcabc", "4 个不同的字符"),
    ] {
        let res = create("newleader", password).send().await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        assert_eq!(res.json()["error"]["field"], "password", "{password}");
        assert!(res.text().contains(reason), "{password}: {}", res.text());
    }
    let ok = create("newleader", "zone-leader-2026").send().await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text());
}

async fn login_from(app: &TestApp, username: &str, password: &str, address: &str) -> crate::helpers::TestResponse {
    app.post("/login")
        .peer(address)
        .form(&[("username", username), ("password", password)])
        .send()
        .await
}

/// Issue 17, finding 10: a user name nobody has answers exactly like a real one — five wrong
/// passwords, then locked with the same message —, and its failures are one audit line (when it
/// locks), not one per attempt.
#[tokio::test]
async fn an_unknown_user_name_locks_like_a_real_one_and_is_audited_once() {
    let app = TestApp::new().await;
    let audit_before = app.scalar("SELECT COUNT(*) FROM audit_log").await;
    let mut answers = Vec::new();
    for name in ["staff_a", "nobody_here"] {
        let mut seen = Vec::new();
        for i in 0..7 {
            let res = login_from(&app, name, &format!("wrong-{i}"), "10.1.1.1:5000").await;
            let text = res.text();
            let message = text
                .split("role=\"alert\">")
                .nth(1)
                .and_then(|t| t.split('<').next())
                .unwrap_or("")
                .replace(char::is_numeric, "#");
            seen.push((res.status, message));
        }
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1], "a real and an unknown name answer alike");
    assert_eq!(answers[1][4].0, StatusCode::UNAUTHORIZED);
    assert_eq!(answers[1][5].0, StatusCode::TOO_MANY_REQUESTS);
    let unknown_rows = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE id > {audit_before} AND entity = 'username'"
        ))
        .await;
    assert_eq!(
        unknown_rows, 1,
        "seven failures of an unknown name: one line, when it locked"
    );
}

/// An attacker elsewhere cannot keep an account locked out: five failures from one address lock
/// it for that address only; twenty failures from one address, whatever the names, lock the
/// address.
#[tokio::test]
async fn failures_lock_the_account_for_their_address_and_an_address_that_sprays_is_stopped() {
    let app = TestApp::new().await;
    for i in 0..5 {
        login_from(&app, "admin_a", &format!("guess-{i}"), "203.0.113.9:4000").await;
    }
    let attacker = login_from(&app, "admin_a", PASSWORD, "203.0.113.9:4001").await;
    assert_eq!(attacker.status, StatusCode::TOO_MANY_REQUESTS);
    let admin = login_from(&app, "admin_a", PASSWORD, "10.0.0.7:5000").await;
    assert_eq!(
        admin.status,
        StatusCode::SEE_OTHER,
        "the admin at their own desk signs in"
    );

    for i in 0..20 {
        let res = login_from(&app, &format!("user{i}"), "spray-2026", "198.51.100.4:4000").await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let blocked = login_from(&app, "staff_a", PASSWORD, "198.51.100.4:4000").await;
    assert_eq!(
        blocked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the spraying address is stopped"
    );
    let elsewhere = login_from(&app, "staff_a", PASSWORD, "10.0.0.8:5000").await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'address_locked'")
            .await,
        1
    );
}
