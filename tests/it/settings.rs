//! Zone settings (issue 17: upload limits are zone settings with sane defaults): the admin sets
//! them by page or API, all or nothing and audited; staff read them; an import past the zone's
//! limit is refused in Chinese while another zone keeps the defaults.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, follow, import};

/// A registry CSV of `n` enterprises.
fn registry_csv(n: usize) -> Vec<u8> {
    let mut out = String::from("企业名称,统一社会信用代码\n");
    for i in 0..n {
        out.push_str(&format!(
            "设置测试企业{i}有限公司,{}\n",
            gaoxin_core::uscc::numbered_uscc(9_000 + i)
        ));
    }
    out.into_bytes()
}

#[tokio::test]
async fn a_zone_lowers_its_upload_limits_and_only_its_own_imports_feel_it() {
    let app = TestApp::new().await;
    let admin = app.token("admin_a").await;
    let staff = app.token("staff_a").await;

    let listed = app.get("/api/v1/settings").bearer(&staff).send().await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
    let rows = listed.json();
    let rows_setting = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "upload.max_rows")
        .unwrap()
        .clone();
    assert_eq!(rows_setting["value"], 1_000_000);
    assert_eq!(rows_setting["is_default"], true);

    // Staff may not change them; one bad value changes nothing.
    let refused = app
        .call(Method::PUT, "/api/v1/settings")
        .bearer(&staff)
        .json(json!({"upload.max_rows": 100}))
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let audit0 = app
        .scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'zone_setting'")
        .await;
    let bad = app
        .call(Method::PUT, "/api/v1/settings")
        .bearer(&admin)
        .json(json!({"upload.max_columns": 20, "upload.max_rows": 5}))
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text());
    assert_eq!(bad.json()["error"]["field"], "upload.max_rows", "{}", bad.text());
    assert!(bad.text().contains("100–1048576"), "{}", bad.text());
    let unknown = app
        .call(Method::PUT, "/api/v1/settings")
        .bearer(&admin)
        .json(json!({"upload.max_colums": 20}))
        .send()
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unknown.text());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM zone_setting").await, 0);

    let set = app
        .call(Method::PUT, "/api/v1/settings")
        .bearer(&admin)
        .json(json!({"upload.max_rows": "100", "upload.max_file_mb": 1}))
        .send()
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'zone_setting'")
            .await,
        audit0 + 2,
        "each change audited"
    );

    // 150 rows: refused in zone A, naming the row and the limit; nothing saved.
    let before = app.scalar("SELECT COUNT(*) FROM enterprise").await;
    let res = import(&app, &admin, "enterprise", "名单.csv", &registry_csv(150), false).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert!(res.text().contains("最多 100 行"), "{}", res.text());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM enterprise").await, before);
    // 98 rows plus the header fit.
    let res = import(&app, &admin, "enterprise", "名单.csv", &registry_csv(98), false).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["new"], 98, "{}", res.text());
    // A file over the zone's 1 MB.
    let mut big = registry_csv(1);
    big.extend(std::iter::repeat_n(b'\n', 1_100_000));
    let res = import(&app, &admin, "enterprise", "名单.csv", &big, true).await;
    assert!(res.text().contains("最多 1 MB"), "{}", res.text());

    // Zone B keeps the defaults.
    let other = app.token("admin_b").await;
    let res = import(&app, &other, "enterprise", "名单.csv", &registry_csv(150), false).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["new"], 150, "{}", res.text());

    // The page shows the zone's value; the form sets it back to the default (its row goes).
    let session = app.login("admin_a").await;
    let page = app.get("/settings").session(&session).send().await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("value=\"100\""), "{}", page.text());
    let res = app
        .post("/settings")
        .session(&session)
        .form(&[
            ("_csrf", session.csrf.as_str()),
            ("upload.max_rows", "1,000,000"),
            ("upload.max_file_mb", "0"),
        ])
        .send()
        .await;
    let body = follow(&app, &res, &session).await;
    assert!(body.contains("上传文件最大应为 1–64 之间的整数"), "{body}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM zone_setting").await,
        2,
        "nothing changed"
    );
    let res = app
        .post("/settings")
        .session(&session)
        .form(&[
            ("_csrf", session.csrf.as_str()),
            ("upload.max_rows", "1,000,000"),
            ("upload.max_file_mb", "64"),
        ])
        .send()
        .await;
    let body = follow(&app, &res, &session).await;
    assert!(body.contains("已保存本区设置"), "{body}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM zone_setting").await, 0);
    let staff_page = app.get("/settings").session(&app.login("staff_a").await).send().await;
    assert!(!staff_page.text().contains("<input id=\"setting-"), "staff read only");
}
