//! Department scope inside a zone (issue 17, finding 5): every object a department acts on has
//! an owner — a department named on it, or the department that holds its area of work (职责分工:
//! registry, ladder, 亩均, parcels, policies) —, and staff act only on their department's
//! objects. In the fixture 科学技术局 (staff_a) holds every area and 经济发展局 (staff_eco) none.
//! The matrix: each kind of object × its actions, as the other department (refused, 403, nothing
//! written) and as the owning one (let through to the action itself).

use axum::http::StatusCode;

use crate::helpers::{Session, TestApp, economy_staff, import, xlsx};

/// One action: a form POST (path, fields), a JSON POST, or a file upload.
enum Act {
    Form(String, Vec<(&'static str, String)>),
    Json(String, serde_json::Value),
    Upload(String, &'static str, Vec<u8>),
    RegistryImport,
}

fn actions(app: &TestApp) -> Vec<(&'static str, Act)> {
    let fx = &app.fx.alpha;
    let form = |path: String, fields: &[(&'static str, &str)]| {
        Act::Form(path, fields.iter().map(|(k, v)| (*k, v.to_string())).collect())
    };
    let rule = b"[policy]\nid = \"x\"\n".to_vec();
    vec![
        ("registry: import", Act::RegistryImport),
        (
            "ladder: target",
            form(
                "/ladder/targets".into(),
                &[("tier", "high_tech"), ("year", "2026"), ("count", "5")],
            ),
        ),
        ("ladder: run", form("/ladder/runs".into(), &[("year", "2024")])),
        (
            "ladder: run (API)",
            Act::Json("/api/v1/ladder/runs".into(), serde_json::json!({"year": 2024})),
        ),
        (
            "ladder: criteria file",
            Act::Upload("/ladder/criteria/upload".into(), "高企.toml", rule.clone()),
        ),
        (
            "land: scheme file",
            Act::Upload("/land/schemes/upload".into(), "方案.toml", rule.clone()),
        ),
        (
            "land: publish",
            form(format!("/land/runs/{}/publish", fx.land_run), &[("days", "10")]),
        ),
        ("land: rerun", form(format!("/land/runs/{}/rerun", fx.land_run), &[])),
        (
            "land: publish (API)",
            Act::Json(
                format!("/api/v1/land/runs/{}/publish", fx.land_run),
                serde_json::json!({"days": 10}),
            ),
        ),
        (
            "land: class",
            form(
                format!("/land/results/{}/class", fx.land_result),
                &[("class", "A"), ("reason", "复核后调整")],
            ),
        ),
        (
            "land: objection",
            form(
                format!("/land/objections/{}/resolve", fx.land_objection),
                &[("decision", "rejected"), ("answer", "经核实，维持原评价")],
            ),
        ),
        (
            "land: measure",
            form(
                "/land/measures".into(),
                &[
                    ("class", "x|D"),
                    ("category", "要素"),
                    ("measure", "差别化电价"),
                    ("department", "经发局"),
                ],
            ),
        ),
        (
            "land: measure delete",
            form(format!("/land/measures/{}/delete", fx.land_measure), &[]),
        ),
        (
            "land: clearance progress",
            form(
                format!("/land/clearance/{}/progress", fx.clearance_case),
                &[("note", "已约谈企业负责人"), ("percent", "30")],
            ),
        ),
        (
            "parcels: occupant",
            form(
                format!("/land/parcels/{}/occupants", fx.land_parcel),
                &[("uscc", "91410700MA0000001X"), ("role", "tenant")],
            ),
        ),
        (
            "parcels: occupant delete",
            form(format!("/land/occupants/{}/delete", fx.parcel_occupant), &[]),
        ),
        (
            "parcels: completion",
            form(
                format!("/land/contracts/{}/completion", fx.land_contract),
                &[
                    ("completed_on", "2026-06-30"),
                    ("fixed_investment", "5000"),
                    ("floor_area", "12000"),
                ],
            ),
        ),
        (
            "land: run",
            form(
                "/land/runs".into(),
                &[("scheme_version_id", &fx.land_scheme.to_string()), ("year", "2024")],
            ),
        ),
        (
            "land: finalize",
            form(format!("/land/runs/{}/finalize", fx.land_run), &[]),
        ),
        (
            "land: clearance cases",
            form(format!("/land/runs/{}/clearance", fx.land_run), &[]),
        ),
        ("land: shipped scheme", form("/land/schemes/shipped".into(), &[])),
        (
            "parcels: parcel",
            form("/land/parcels".into(), &[("code", "P-2026-9"), ("area", "12.5")]),
        ),
        (
            "parcels: contract",
            form(
                format!("/land/parcels/{}/contracts", fx.land_parcel),
                &[
                    ("uscc", "91410700MA0000001X"),
                    ("contract_no", "HT-9"),
                    ("signed_on", "2026-01-05"),
                ],
            ),
        ),
        (
            "policies: batch submit",
            form(format!("/policies/batches/{}/submit", fx.batch), &[]),
        ),
        (
            "policies: batch discard",
            form(format!("/policies/batches/{}/discard", fx.batch), &[]),
        ),
        (
            "policies: line include",
            form(format!("/policies/lines/{}/include", fx.other_line), &[]),
        ),
        (
            "policies: application return",
            form(
                format!("/policies/applications/{}/return", fx.application),
                &[("note", "材料不全")],
            ),
        ),
        (
            "registry: import page",
            Act::Upload("/enterprises/import".into(), "名单.xlsx", Vec::new()),
        ),
        (
            "policies: file",
            Act::Upload("/policies/upload".into(), "政策.toml", rule),
        ),
        (
            "policies: batch",
            form(
                "/policies/batches".into(),
                &[("year", "2025"), ("title", "2025 年第一批")],
            ),
        ),
        (
            "policies: batch recompute",
            form(format!("/policies/batches/{}/recompute", fx.batch), &[]),
        ),
        (
            "policies: line exclude",
            form(
                format!("/policies/lines/{}/exclude", fx.line),
                &[("reason", "重复申报")],
            ),
        ),
        (
            "policies: application",
            form(format!("/policies/applications/{}/approve", fx.application), &[]),
        ),
        (
            "policies: event delete",
            form(format!("/policies/events/{}/delete", fx.event), &[]),
        ),
    ]
}

async fn send(app: &TestApp, who: &Session, token: &str, act: &Act) -> (StatusCode, String) {
    let res = match act {
        Act::Form(path, fields) => {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post(path).session(who).form(&pairs).send().await
        }
        Act::Json(path, body) => app.post(path).bearer(token).json(body.clone()).send().await,
        Act::Upload(path, name, bytes) => {
            app.post(&format!("{path}?_csrf={}", who.csrf))
                .session(who)
                .multipart(&[("file", Some(name), bytes)])
                .send()
                .await
        }
        Act::RegistryImport => {
            let file = xlsx(
                "企业",
                &[
                    vec!["企业名称", "统一社会信用代码"],
                    vec!["新企业", "91410700MA3X4L0L0B"],
                ],
            );
            import(app, token, "enterprise", "名单.xlsx", &file, false).await
        }
    };
    (res.status, res.text())
}

#[tokio::test]
async fn another_department_is_refused_on_every_object_the_owning_one_is_let_through() {
    let app = TestApp::new().await;
    economy_staff(&app).await;
    let (economy, science) = (app.login("staff_eco").await, app.login("staff_a").await);
    let (economy_token, science_token) = (app.token("staff_eco").await, app.token("staff_a").await);
    let last = app.scalar("SELECT COALESCE(MAX(id), 0) FROM audit_log").await;
    let before_enterprises = app.scalar("SELECT COUNT(*) FROM enterprise").await;
    let actions = actions(&app);
    for (what, act) in &actions {
        let (status, body) = send(&app, &economy, &economy_token, act).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what} as 经济发展局: {body}");
        assert!(
            body.contains("负责"),
            "{what}: the answer says who answers for it: {body}"
        );
    }
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE id > {last}"))
            .await,
        0,
        "the refused actions wrote nothing"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM enterprise").await, before_enterprises);
    for (what, act) in &actions {
        let (status, body) = send(&app, &science, &science_token, act).await;
        assert_ne!(status, StatusCode::FORBIDDEN, "{what} as 科学技术局: {body}");
        assert!(!status.is_server_error(), "{what} as 科学技术局: {status} {body}");
    }
}

#[tokio::test]
async fn the_admin_moves_an_area_of_work_and_the_right_to_act_moves_with_it() {
    let app = TestApp::new().await;
    economy_staff(&app).await;
    let (economy, science) = (app.login("staff_eco").await, app.login("staff_a").await);
    let admin = app.token("admin_a").await;
    let target = |who: &Session| {
        app.post("/ladder/targets")
            .session(who)
            .form(&[("tier", "high_tech"), ("year", "2026"), ("count", "7")])
    };
    assert_eq!(target(&economy).send().await.status, StatusCode::FORBIDDEN);
    let moved = app
        .call(axum::http::Method::PUT, "/api/v1/department-duties")
        .bearer(&admin)
        .json(serde_json::json!({"ladder": app.fx.alpha.economy_dept}))
        .send()
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
    let ladder = moved
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["duty"] == "ladder")
        .cloned()
        .unwrap();
    assert_eq!(ladder["department_id"], app.fx.alpha.economy_dept);
    assert_eq!(target(&economy).send().await.status, StatusCode::SEE_OTHER);
    let refused = target(&science).send().await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.text().contains("经济发展局"), "{}", refused.text());

    // Nobody holds it: only the admin, and the answer says how to fix it.
    app.call(axum::http::Method::PUT, "/api/v1/department-duties")
        .bearer(&admin)
        .json(serde_json::json!({"ladder": null}))
        .send()
        .await;
    let refused = target(&economy).send().await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.text().contains("尚未指定负责部门"), "{}", refused.text());
    let unknown = app
        .call(axum::http::Method::PUT, "/api/v1/department-duties")
        .bearer(&admin)
        .json(serde_json::json!({"cooking": null}))
        .send()
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The departments page shows the division of work.
    let page = app.get("/departments").session(&science).send().await.text();
    assert!(page.contains("职责分工") && page.contains("仅管理员"), "{page}");
}

#[tokio::test]
async fn an_event_belongs_to_the_department_that_registered_it() {
    let app = TestApp::new().await;
    economy_staff(&app).await;
    let economy = app.token("staff_eco").await;
    let science = app.token("staff_a").await;
    let uscc = app
        .get(&format!("/api/v1/enterprises/{}", app.fx.alpha.enterprise))
        .bearer(&science)
        .send()
        .await
        .json()["uscc"]
        .as_str()
        .unwrap()
        .to_string();
    let event = |reference: &str| {
        serde_json::json!({"kind": "recognition", "rows": [{
            "uscc": uscc, "category": "科技型中小企业", "level": "省级",
            "reference": reference, "occurred_on": "2025-05-01", "first_time": "是"
        }]})
    };
    let post = |token: &str, body: serde_json::Value| app.post("/api/v1/events").bearer(token).json(body);
    // 经济发展局 registers its own event and may change it again.
    for _ in 0..2 {
        let res = post(&economy, event("ECO-1")).send().await;
        assert!(res.status.is_success(), "{}", res.text());
    }
    let dept = app
        .scalar("SELECT department_id FROM policy_event WHERE reference = 'ECO-1'")
        .await;
    assert_eq!(dept, app.fx.alpha.economy_dept);
    // It may not overwrite one 科学技术局 registered.
    assert!(post(&science, event("SCI-1")).send().await.status.is_success());
    let mut changed = event("SCI-1");
    changed["rows"][0]["level"] = "国家级".into();
    let refused = post(&economy, changed).send().await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    assert!(refused.text().contains("其他部门登记"), "{}", refused.text());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM policy_event WHERE reference = 'SCI-1' AND level = '省级'")
            .await,
        1
    );
}
