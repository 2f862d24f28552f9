//! Every write through the API appears in the audit log with the right before/after; a
//! failed write leaves neither data nor an audit row; the log itself cannot be rewritten.

use axum::http::{Method, StatusCode};
use gaoxin_platform::audit::{WriteContext, Writer};
use gaoxin_platform::departments::{domain::DepartmentInput, store as departments};
use sea_orm::ConnectionTrait;

use crate::helpers::TestApp;

fn input(name: &str) -> DepartmentInput {
    DepartmentInput {
        name: name.into(),
        short_name: None,
        contact_person: None,
        phone: None,
        sort_order: 0,
    }
}

#[tokio::test]
async fn create_update_delete_through_the_api_are_audited_with_before_and_after() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let created = app
        .post("/api/v1/departments")
        .bearer(&token)
        .json(serde_json::json!({"name": "招商服务中心", "short_name": "招商中心", "phone": "0373-3000000"}))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let request_id = created
        .headers
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let id = created.json()["id"].as_i64().unwrap();

    let updated = app
        .call(Method::PUT, &format!("/api/v1/departments/{id}"))
        .bearer(&token)
        .json(serde_json::json!({"name": "投资服务中心", "short_name": "招商中心", "phone": "0373-3000000"}))
        .send()
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    let deleted = app
        .call(Method::DELETE, &format!("/api/v1/departments/{id}"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    let log = app
        .get(&format!("/api/v1/audit?entity=department&id={id}"))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(log["total"], 3);
    let items = log["items"].as_array().unwrap();
    // Newest first.
    let (del, upd, cre) = (&items[0], &items[1], &items[2]);
    assert_eq!(cre["action"], "create");
    assert!(cre["before"].is_null());
    assert_eq!(cre["after"]["name"], "招商服务中心");
    assert_eq!(cre["after"]["zone_id"], app.fx.alpha.zone_id);
    assert_eq!(cre["request_id"], request_id.as_str());
    assert_eq!(cre["actor_name"], "阿尔法admin (admin_a)");
    assert_eq!(upd["action"], "update");
    assert_eq!(upd["before"]["name"], "招商服务中心");
    assert_eq!(upd["after"]["name"], "投资服务中心");
    assert_eq!(del["action"], "delete");
    assert_eq!(del["before"]["name"], "投资服务中心");
    assert!(del["after"].is_null());
    // The detail page shows the changed field.
    let admin = app.login("admin_a").await;
    let line = upd["id"].as_i64().unwrap();
    let page = app.get(&format!("/audit/{line}")).session(&admin).send().await.text();
    assert!(page.contains("招商服务中心") && page.contains("投资服务中心"));
    // Password hashes never reach the audit log.
    let hashes = app
        .scalar("SELECT COUNT(*) FROM audit_log WHERE after_json LIKE '%argon2%' OR before_json LIKE '%argon2%'")
        .await;
    assert_eq!(hashes, 0);
}

#[tokio::test]
async fn a_refused_write_leaves_neither_data_nor_an_audit_row() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let departments = "SELECT COUNT(*) FROM department";
    let audit = "SELECT COUNT(*) FROM audit_log";
    let (d0, a0) = (app.scalar(departments).await, app.scalar(audit).await);
    // Same name as an existing department of the zone.
    let res = app
        .post("/api/v1/departments")
        .bearer(&token)
        .json(serde_json::json!({"name": "阿尔法科学技术局"}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["error"]["field"], "name");
    // A name too long.
    let res = app
        .post("/api/v1/departments")
        .bearer(&token)
        .json(serde_json::json!({"name": "局".repeat(101)}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Deleting a department that still has users.
    let res = app
        .call(
            Method::DELETE,
            &format!("/api/v1/departments/{}", app.fx.alpha.science_dept),
        )
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(
        res.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("还有 1 个用户")
    );
    assert_eq!(app.scalar(departments).await, d0);
    assert_eq!(app.scalar(audit).await, a0);
}

#[tokio::test]
async fn a_write_that_fails_in_the_database_rolls_back_its_earlier_changes_and_their_audit_rows() {
    let app = TestApp::new().await;
    let zone = app.fx.alpha.zone_id;
    let (d0, a0) = (
        app.scalar("SELECT COUNT(*) FROM department").await,
        app.scalar("SELECT COUNT(*) FROM audit_log").await,
    );
    let mut writer = Writer::begin(&app.db, WriteContext::system(Some(zone), "test"))
        .await
        .unwrap();
    departments::create(&mut writer, zone, input("临时部门")).await.unwrap();
    // The second insert breaks the unique index on (zone_id, name) inside the database.
    let duplicate = gaoxin_platform::departments::entity::ActiveModel {
        name: sea_orm::ActiveValue::Set("临时部门".into()),
        sort_order: sea_orm::ActiveValue::Set(0),
        ..Default::default()
    };
    let err = writer.insert_in_zone(duplicate).await.unwrap_err();
    assert!(
        matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))),
        "{err}"
    );
    drop(writer);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM department").await, d0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log").await, a0);
}

#[tokio::test]
async fn the_database_refuses_to_update_or_delete_audit_rows() {
    let app = TestApp::new().await;
    let before = app.scalar("SELECT COUNT(*) FROM audit_log").await;
    assert!(before > 0);
    let conn = app.db.conn();
    let update = conn
        .execute_unprepared("UPDATE audit_log SET actor_name = 'forged'")
        .await;
    assert!(update.is_err(), "UPDATE on audit_log must fail");
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = conn.execute_unprepared("DELETE FROM audit_log").await;
    assert!(delete.is_err(), "DELETE on audit_log must fail");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log").await, before);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE actor_name = 'forged'")
            .await,
        0
    );
}

#[tokio::test]
async fn the_audit_log_filters_by_actor_entity_and_date_and_exports_to_xlsx() {
    let app = TestApp::new().await;
    let auditor = app.login("auditor_a").await;
    let token = app.token("admin_a").await;
    app.post("/api/v1/departments")
        .bearer(&token)
        .json(serde_json::json!({"name": "审计测试部门"}))
        .send()
        .await;
    let by_actor = app
        .get("/api/v1/audit?actor=admin_a&entity=department")
        .session(&auditor)
        .send()
        .await
        .json();
    assert_eq!(by_actor["total"], 1);
    let logins = app
        .get("/api/v1/audit?action=login")
        .session(&auditor)
        .send()
        .await
        .json();
    assert!(logins["total"].as_u64().unwrap() >= 2, "{logins}");
    let future = app
        .get("/api/v1/audit?from=2999-01-01")
        .session(&auditor)
        .send()
        .await
        .json();
    assert_eq!(future["total"], 0);
    let bad = app.get("/api/v1/audit?from=01/02/2025").session(&auditor).send().await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["field"], "from");
    let export = app
        .get("/audit/export?entity=department")
        .session(&auditor)
        .send()
        .await;
    assert_eq!(export.status, StatusCode::OK);
    let cells = export.xlsx_cells();
    assert_eq!(&cells[..4], ["序号", "时间", "操作人", "操作"]);
    assert!(cells.iter().any(|c| c.contains("审计测试部门")));
    assert!(cells.iter().all(|c| !c.contains("login_failed")));
    let page = app.get("/audit?entity=department").session(&auditor).send().await;
    assert_eq!(page.status, StatusCode::OK);
    // Two departments from the fixture and one from this test.
    assert!(page.text().contains("共 3 条"), "{}", page.text());
}
