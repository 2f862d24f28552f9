//! Every route × every role → the expected outcome. The expectations are written out here by
//! hand (not derived from the route table), and the test fails if a route exists that this
//! table does not list, so a new route cannot skip its authorisation review.

use axum::http::{Method, StatusCode};
use gaoxin_admin::accounts::store as accounts;

use crate::helpers::{Session, TestApp};

/// Who may use each route: A admin, L leader, S staff, E enterprise user, U auditor,
/// P province reader; `*` = public.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("GET", "/", "ALSEUP"),
    ("GET", "/login", "*"),
    ("POST", "/login", "*"),
    ("POST", "/logout", "ALSEUP"),
    ("GET", "/account", "ALSEUP"),
    ("POST", "/account/password", "ALSEUP"),
    ("POST", "/account/locale", "ALSEUP"),
    ("POST", "/account/tokens", "ALSEUP"),
    ("POST", "/account/tokens/{id}/revoke", "ALSEUP"),
    ("GET", "/admin/users", "AU"),
    ("GET", "/admin/users/export", "AU"),
    ("GET", "/admin/users/new", "A"),
    ("POST", "/admin/users", "A"),
    ("GET", "/admin/users/{id}/edit", "A"),
    ("POST", "/admin/users/{id}", "A"),
    ("POST", "/api/v1/auth/token", "*"),
    ("GET", "/api/v1/auth/tokens", "ALSEUP"),
    ("DELETE", "/api/v1/auth/tokens/{id}", "ALSEUP"),
    ("GET", "/api/v1/me", "ALSEUP"),
    ("GET", "/api/v1/users", "AU"),
    ("POST", "/api/v1/users", "A"),
    ("GET", "/api/v1/users/{id}", "AU"),
    ("PATCH", "/api/v1/users/{id}", "A"),
    ("GET", "/api/v1/users/{id}/tokens", "AU"),
    ("DELETE", "/api/v1/users/{id}/tokens/{token_id}", "A"),
    ("POST", "/api/v1/users/{id}/unlock", "A"),
    ("POST", "/admin/users/{id}/tokens/{token_id}/revoke", "A"),
    ("POST", "/admin/users/{id}/unlock", "A"),
    ("GET", "/departments", "ALSUP"),
    ("GET", "/departments/export", "ALSUP"),
    ("GET", "/departments/new", "A"),
    ("POST", "/departments", "A"),
    ("GET", "/departments/{id}/edit", "AS"),
    ("POST", "/departments/{id}", "AS"),
    ("POST", "/departments/{id}/delete", "A"),
    ("GET", "/api/v1/departments", "ALSUP"),
    ("POST", "/api/v1/departments", "A"),
    ("GET", "/api/v1/departments/{id}", "ALSUP"),
    ("PUT", "/api/v1/departments/{id}", "AS"),
    ("DELETE", "/api/v1/departments/{id}", "A"),
    ("POST", "/departments/duties", "A"),
    ("GET", "/api/v1/department-duties", "ALSUP"),
    ("PUT", "/api/v1/department-duties", "A"),
    ("GET", "/settings", "ALSUP"),
    ("POST", "/settings", "A"),
    ("GET", "/api/v1/settings", "ALSUP"),
    ("PUT", "/api/v1/settings", "A"),
    ("GET", "/targets", "ALSUP"),
    ("GET", "/targets/export", "ALSUP"),
    ("GET", "/targets/template.xlsx", "ALSUP"),
    ("GET", "/targets/import", "A"),
    ("GET", "/targets/from-plan", "A"),
    ("POST", "/targets/from-plan", "A"),
    ("POST", "/targets/import", "A"),
    ("POST", "/api/v1/targets/import", "A"),
    ("POST", "/targets", "AS"),
    ("GET", "/targets/{id}", "ALSUP"),
    ("POST", "/targets/{id}/reports", "AS"),
    ("GET", "/api/v1/targets", "ALSUP"),
    ("POST", "/api/v1/targets", "AS"),
    ("GET", "/api/v1/targets/{id}", "ALSUP"),
    ("GET", "/api/v1/target-metrics", "ALSUP"),
    ("POST", "/api/v1/targets/{id}/reports", "AS"),
    ("GET", "/enterprises", "ALSEUP"),
    ("GET", "/enterprises/export", "ALSUP"),
    ("GET", "/enterprises/template.xlsx", "ALSUP"),
    ("GET", "/enterprises/annual/template.xlsx", "ALSUP"),
    ("GET", "/enterprises/annual/export", "ALSUP"),
    ("GET", "/enterprises/import", "AS"),
    ("POST", "/enterprises/import", "AS"),
    ("POST", "/enterprises/import/{token}/commit", "AS"),
    ("GET", "/enterprises/import/{token}/errors.xlsx", "AS"),
    ("GET", "/enterprises/{id}", "ALSEUP"),
    ("POST", "/enterprises/{id}/corrections", "E"),
    ("GET", "/enterprises/corrections", "ALSUP"),
    ("POST", "/enterprises/corrections/{id}/approve", "AS"),
    ("POST", "/enterprises/corrections/{id}/reject", "AS"),
    ("GET", "/api/v1/enterprises", "ALSEUP"),
    ("GET", "/api/v1/enterprises/{id}", "ALSEUP"),
    ("GET", "/api/v1/enterprises/{id}/annual", "ALSEUP"),
    ("GET", "/api/v1/enterprises/{id}/innovation", "ALSEUP"),
    ("GET", "/api/v1/enterprises/{id}/ladder", "ALSEUP"),
    ("GET", "/enterprises/innovation/template.xlsx", "ALSUP"),
    ("GET", "/enterprises/innovation/export", "ALSUP"),
    ("GET", "/ladder", "ALSUP"),
    ("POST", "/ladder/runs", "AS"),
    ("POST", "/ladder/targets", "AS"),
    ("GET", "/ladder/pool", "ALSUP"),
    ("GET", "/ladder/pool/export.xlsx", "ALSUP"),
    ("GET", "/ladder/criteria", "ALSUP"),
    ("POST", "/ladder/criteria/upload", "AS"),
    ("GET", "/ladder/criteria/{id}", "ALSUP"),
    ("GET", "/api/v1/ladder/criteria", "ALSUP"),
    ("GET", "/api/v1/ladder/runs", "ALSUP"),
    ("POST", "/api/v1/ladder/runs", "AS"),
    ("GET", "/api/v1/ladder/runs/{id}", "ALSUP"),
    ("GET", "/api/v1/ladder/runs/{id}/candidates", "ALSUP"),
    ("GET", "/api/v1/ladder/targets", "ALSUP"),
    ("GET", "/ladder/runs/{id}/recheck", "ALSUP"),
    ("GET", "/ladder/expiring", "ALSUP"),
    ("GET", "/ladder/expiring/export.xlsx", "ALSUP"),
    ("GET", "/api/v1/ladder/runs/{id}/recheck", "ALSUP"),
    ("GET", "/api/v1/ladder/expiring", "ALSUP"),
    ("GET", "/plans", "ALSUP"),
    ("GET", "/plans/ledger.xlsx", "ALSUP"),
    ("GET", "/plans/upload", "AS"),
    ("POST", "/plans/upload", "AS"),
    ("GET", "/plans/upload/{token}", "AS"),
    ("POST", "/plans/upload/{token}/commit", "AS"),
    ("GET", "/plans/import", "A"),
    ("POST", "/plans/import", "A"),
    ("GET", "/plans/tasks/new", "AS"),
    ("POST", "/plans/tasks", "AS"),
    ("GET", "/plans/tasks/{id}", "ALSUP"),
    ("POST", "/plans/tasks/{id}/reports", "ALS"),
    ("POST", "/plans/tasks/{id}/edit", "AS"),
    ("POST", "/plans/tasks/{id}/confirm", "A"),
    ("POST", "/plans/tasks/{id}/orders", "A"),
    ("POST", "/plans/orders/{id}/close", "A"),
    ("GET", "/plans/orders", "ALSUP"),
    ("GET", "/plans/attachments/{id}", "ALSUP"),
    ("GET", "/plans/bulletin", "ALSUP"),
    ("GET", "/plans/bulletin.docx", "ALSUP"),
    ("POST", "/plans/settings", "A"),
    ("POST", "/api/v1/plans/parse", "AS"),
    ("GET", "/api/v1/plans", "ALSUP"),
    ("POST", "/api/v1/plans", "AS"),
    ("GET", "/api/v1/plan-tasks", "ALSUP"),
    ("GET", "/api/v1/plan-tasks/{id}", "ALSUP"),
    ("POST", "/api/v1/plan-tasks/{id}/reports", "ALS"),
    ("POST", "/api/v1/plan-tasks/{id}/confirm", "A"),
    ("POST", "/api/v1/plan-tasks/{id}/supervision", "A"),
    ("POST", "/api/v1/supervision/{id}/close", "A"),
    ("GET", "/api/v1/plans/bulletin", "ALSUP"),
    ("GET", "/api/v1/plans/bulletin.docx", "ALSUP"),
    ("GET", "/plans/scores", "ALSUP"),
    ("POST", "/plans/scores/schemes", "A"),
    ("POST", "/plans/scores/shipped", "A"),
    ("GET", "/api/v1/plans/scores", "ALSUP"),
    ("GET", "/land", "ALSUP"),
    ("POST", "/land/schemes/upload", "AS"),
    ("POST", "/land/schemes/shipped", "AS"),
    ("GET", "/land/schemes/{id}", "ALSUP"),
    ("POST", "/land/runs", "AS"),
    ("GET", "/land/runs/{id}", "ALSEUP"),
    ("GET", "/land/runs/{id}/export.xlsx", "ALSUP"),
    ("GET", "/land/runs/{id}/measures.xlsx", "ALSUP"),
    ("POST", "/land/runs/{id}/publish", "AS"),
    ("POST", "/land/runs/{id}/finalize", "AS"),
    ("POST", "/land/runs/{id}/rerun", "AS"),
    ("POST", "/land/runs/{id}/clearance", "AS"),
    ("GET", "/land/results/{id}", "ALSEUP"),
    ("POST", "/land/results/{id}/class", "AS"),
    ("POST", "/land/results/{id}/objections", "ASE"),
    ("POST", "/land/objections/{id}/resolve", "AS"),
    ("GET", "/land/my", "E"),
    ("GET", "/land/measures", "ALSUP"),
    ("POST", "/land/measures", "AS"),
    ("POST", "/land/measures/{id}/delete", "AS"),
    ("GET", "/land/clearance", "ALSUP"),
    ("GET", "/land/clearance/export.xlsx", "ALSUP"),
    ("GET", "/land/clearance/{id}", "ALSUP"),
    ("POST", "/land/clearance/{id}/plan", "AS"),
    ("POST", "/land/clearance/{id}/close", "AS"),
    ("POST", "/land/clearance/{id}/progress", "AS"),
    ("GET", "/land/transitions", "ALSUP"),
    ("GET", "/api/v1/land/schemes", "ALSUP"),
    ("GET", "/api/v1/land/runs", "ALSEUP"),
    ("POST", "/api/v1/land/runs", "AS"),
    ("GET", "/api/v1/land/runs/{id}", "ALSEUP"),
    ("GET", "/api/v1/land/runs/{id}/results", "ALSEUP"),
    ("POST", "/api/v1/land/runs/{id}/publish", "AS"),
    ("POST", "/api/v1/land/runs/{id}/finalize", "AS"),
    ("GET", "/api/v1/land/results/{id}", "ALSEUP"),
    ("POST", "/api/v1/land/results/{id}/objections", "ASE"),
    ("GET", "/api/v1/land/clearance", "ALSUP"),
    ("GET", "/api/v1/land/transitions", "ALSUP"),
    ("GET", "/land/parcels", "ALSUP"),
    ("POST", "/land/parcels", "AS"),
    ("GET", "/land/parcels/export.xlsx", "ALSUP"),
    ("GET", "/land/parcels/template.xlsx", "ALSUP"),
    ("POST", "/land/parcels/import", "AS"),
    ("GET", "/land/parcels/{id}", "ALSUP"),
    ("POST", "/land/parcels/{id}/occupants", "AS"),
    ("POST", "/land/occupants/{id}/delete", "AS"),
    ("POST", "/land/parcels/{id}/contracts", "AS"),
    ("GET", "/land/contracts", "ALSUP"),
    ("GET", "/land/contracts/{id}", "ALSUP"),
    ("POST", "/land/contracts/{id}/completion", "AS"),
    ("GET", "/api/v1/land/parcels", "ALSUP"),
    ("GET", "/api/v1/land/contracts/{id}/check", "ALSUP"),
    ("POST", "/api/v1/enterprises/import", "AS"),
    ("GET", "/policies", "ALSUP"),
    ("POST", "/policies/upload", "AS"),
    ("GET", "/policies/evaluation", "ALSUP"),
    ("GET", "/policies/versions/{id}", "ALSUP"),
    ("GET", "/policies/events", "ALSEUP"),
    ("GET", "/policies/events/new", "AS"),
    ("POST", "/policies/events", "AS"),
    ("POST", "/policies/events/{id}/delete", "AS"),
    ("GET", "/policies/events/template.xlsx", "ALSUP"),
    ("POST", "/policies/events/import", "AS"),
    ("GET", "/policies/batches", "ALSUP"),
    ("POST", "/policies/batches", "AS"),
    ("GET", "/policies/batches/{id}", "ALSUP"),
    ("GET", "/policies/batches/{id}/export.xlsx", "ALSUP"),
    ("GET", "/policies/batches/{id}/diff", "ALSUP"),
    ("POST", "/policies/batches/{id}/recompute", "AS"),
    ("POST", "/policies/batches/{id}/submit", "AS"),
    ("POST", "/policies/batches/{id}/discard", "AS"),
    ("POST", "/policies/batches/{id}/approve", "L"),
    ("POST", "/policies/batches/{id}/return", "L"),
    ("POST", "/policies/lines/{id}/exclude", "AS"),
    ("POST", "/policies/lines/{id}/include", "AS"),
    ("GET", "/policies/awards", "ALSEUP"),
    ("GET", "/policies/awards/{id}", "ALSEUP"),
    ("GET", "/policies/applications", "ALSEUP"),
    ("GET", "/policies/applications/new", "E"),
    ("POST", "/policies/applications", "E"),
    ("GET", "/policies/applications/{id}", "ALSEUP"),
    ("POST", "/policies/applications/{id}/approve", "AS"),
    ("POST", "/policies/applications/{id}/return", "AS"),
    ("GET", "/policies/attachments/{id}", "ALSEUP"),
    ("GET", "/policies/sandbox", "ALSUP"),
    ("POST", "/policies/sandbox", "ALSUP"),
    ("GET", "/policies/matches", "ALSEUP"),
    ("GET", "/policies/matches/export.xlsx", "ALSUP"),
    ("GET", "/api/v1/matches", "ALSEUP"),
    ("GET", "/api/v1/policies", "ALSUP"),
    ("GET", "/api/v1/events", "ALSEUP"),
    ("POST", "/api/v1/events", "AS"),
    ("GET", "/api/v1/batches", "ALSUP"),
    ("GET", "/api/v1/batches/{id}/lines", "ALSUP"),
    ("GET", "/api/v1/awards/{id}/explain", "ALSEUP"),
    ("POST", "/api/v1/policy/calculate", "ALSEUP"),
    ("GET", "/projects", "ALSEUP"),
    ("GET", "/projects/new", "AS"),
    ("POST", "/projects", "AS"),
    ("GET", "/projects/problems", "ALSUP"),
    ("POST", "/projects/problems/{id}/resolve", "AS"),
    ("GET", "/projects/mine", "L"),
    ("GET", "/projects/meetings", "ALSUP"),
    ("POST", "/projects/meetings", "A"),
    ("GET", "/projects/meetings/{id}", "ALSUP"),
    ("POST", "/projects/meeting-items/{id}/decision", "A"),
    ("GET", "/projects/reviews", "ALSUP"),
    ("GET", "/projects/bulletin", "ALSUP"),
    ("GET", "/projects/bulletin.docx", "ALSUP"),
    ("GET", "/projects/bulletin.xlsx", "ALSUP"),
    ("GET", "/projects/visits", "ALSUP"),
    ("GET", "/projects/scores", "ALSUP"),
    ("GET", "/projects/targets", "ALSUP"),
    ("POST", "/projects/targets", "A"),
    ("GET", "/projects/locations", "ALSUP"),
    ("GET", "/projects/rules", "ALSUP"),
    ("POST", "/projects/rules", "A"),
    ("GET", "/projects/export.xlsx", "ALSUP"),
    ("GET", "/projects/template.xlsx", "A"),
    ("GET", "/projects/import", "A"),
    ("POST", "/projects/import", "A"),
    ("POST", "/projects/import/monthly", "A"),
    ("GET", "/projects/{id}", "ALSEUP"),
    ("GET", "/projects/{id}/edit", "AS"),
    ("POST", "/projects/{id}/edit", "AS"),
    ("POST", "/projects/{id}/stage", "AS"),
    ("POST", "/projects/{id}/monthly", "AS"),
    ("POST", "/projects/{id}/problems", "ALSE"),
    ("POST", "/projects/{id}/comments", "AL"),
    ("POST", "/projects/{id}/reviews", "A"),
    ("GET", "/api/v1/projects", "ALSEUP"),
    ("POST", "/api/v1/projects", "AS"),
    ("GET", "/api/v1/projects/bulletin", "ALSUP"),
    ("GET", "/api/v1/projects/scores", "ALSUP"),
    ("GET", "/api/v1/projects/{id}", "ALSEUP"),
    ("POST", "/api/v1/projects/{id}/stage", "AS"),
    ("POST", "/api/v1/projects/{id}/problems", "ALSE"),
    ("POST", "/api/v1/project-problems/{id}/resolve", "AS"),
    ("GET", "/audit", "AU"),
    ("GET", "/audit/export", "AU"),
    ("GET", "/audit/{id}", "AU"),
    ("GET", "/api/v1/audit", "AU"),
    ("GET", "/province/zones", "P"),
    ("POST", "/province/zone", "P"),
    ("GET", "/api/v1/zones", "ALSEUP"),
    ("GET", "/healthz", "*"),
    ("GET", "/static/{*path}", "*"),
    ("GET", "/api/v1/openapi.json", "*"),
    ("GET", "/api/v1/docs", "*"),
    ("GET", "/api/v1/docs/", "*"),
    ("GET", "/api/v1/docs/{*rest}", "*"),
];

const ROLES: [(char, &str); 6] = [
    ('A', "admin_a"),
    ('L', "leader_a"),
    ('S', "staff_a"),
    ('E', "ent_a"),
    ('U', "auditor_a"),
    ('P', "prov"),
];

#[tokio::test]
async fn the_table_lists_exactly_the_registered_routes() {
    let registered: Vec<(String, String)> = gaoxin::app::route_specs()
        .iter()
        .map(|s| (s.method.to_string(), s.path.clone()))
        .collect();
    for (method, path) in &registered {
        assert!(
            EXPECTED.iter().any(|(m, p, _)| m == method && p == path),
            "route {method} {path} is not in the authorisation matrix: add it with the roles that may use it"
        );
    }
    for (method, path, _) in EXPECTED {
        assert!(
            registered.iter().any(|(m, p)| m == method && p == path),
            "the matrix lists {method} {path}, which is not a route"
        );
    }
    // The public routes are public in the route table too, and nothing else is.
    for spec in gaoxin::app::route_specs() {
        let (_, _, who) = EXPECTED
            .iter()
            .find(|(m, p, _)| *m == spec.method.as_str() && *p == spec.path)
            .unwrap();
        assert_eq!(
            *who == "*",
            spec.access == gaoxin_platform::routes::Access::Public,
            "{} {}",
            spec.method,
            spec.path
        );
    }
}

async fn concrete_path(app: &TestApp, path: &str) -> String {
    let fx = &app.fx.alpha;
    let leader = accounts::by_username(&app.db, "leader_a").await.unwrap().unwrap();
    let audit_line = app
        .scalar(&format!("SELECT MIN(id) FROM audit_log WHERE zone_id = {}", fx.zone_id))
        .await;
    let id = if let Some(id) = crate::helpers::policy_path_id(fx, path) {
        id.to_string()
    } else if path.starts_with("/account/tokens") || path.starts_with("/api/v1/auth/tokens") {
        "999999".to_string()
    } else if path.contains("users") {
        leader.id.to_string()
    } else if path.contains("departments") {
        fx.science_dept.to_string()
    } else if path.contains("enterprises") {
        fx.enterprise.to_string()
    } else if path.contains("audit") {
        audit_line.to_string()
    } else {
        String::new()
    };
    path.replace("{id}", &id)
        .replace("{token}", "00000000000000000000000000000000")
        .replace("{*path}", "app.css")
        .replace("{*rest}", "index.html")
}

async fn call(app: &TestApp, method: &str, path: &str, session: Option<&Session>) -> (StatusCode, Option<String>) {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let is_api = path.starts_with("/api/");
    let mut call = app.call(method.clone(), path).maybe_session(session);
    if method != Method::GET {
        call = if is_api {
            call.json(serde_json::json!({}))
        } else {
            call.form(&[])
        };
    }
    let res = call.send().await;
    (res.status, res.location().map(str::to_string))
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says() {
    let app = TestApp::new().await;
    let mut sessions = Vec::new();
    for (letter, user) in ROLES {
        sessions.push((letter, user, app.login(user).await));
    }
    let mut failures = Vec::new();
    for (method, path, who) in EXPECTED {
        let concrete = concrete_path(&app, path).await;
        let is_api = path.starts_with("/api/");
        // Anonymous.
        let (status, location) = call(&app, method, &concrete, None).await;
        if *who == "*" {
            if status == StatusCode::FORBIDDEN {
                failures.push(format!(
                    "anonymous {method} {concrete}: public route refused ({status})"
                ));
            }
        } else if is_api {
            if status != StatusCode::UNAUTHORIZED {
                failures.push(format!("anonymous {method} {concrete}: expected 401, got {status}"));
            }
        } else if status != StatusCode::SEE_OTHER || !location.as_deref().unwrap_or("").starts_with("/login") {
            failures.push(format!(
                "anonymous {method} {concrete}: expected redirect to /login, got {status} {location:?}"
            ));
        }
        // Each role.
        for (letter, user, session) in sessions.iter_mut() {
            if *method == "POST" && *path == "/logout" {
                // Logging out ends the session the rest of the matrix uses; use a fresh one.
                let fresh = app.login(user).await;
                let (status, _) = call(&app, method, &concrete, Some(&fresh)).await;
                if status != StatusCode::SEE_OTHER {
                    failures.push(format!("{user} {method} {concrete}: expected 303, got {status}"));
                }
                continue;
            }
            let (status, location) = call(&app, method, &concrete, Some(session)).await;
            if status.is_server_error() {
                failures.push(format!("{user} {method} {concrete}: {status}"));
            }
            let allowed = *who == "*" || who.contains(*letter);
            let refused = status == StatusCode::FORBIDDEN
                || (status == StatusCode::UNAUTHORIZED && *who != "*")
                || location.as_deref().is_some_and(|l| l.starts_with("/login"));
            if allowed && refused {
                failures.push(format!(
                    "{user} {method} {concrete}: should be allowed, got {status} {location:?}"
                ));
            }
            if !allowed && status != StatusCode::FORBIDDEN {
                failures.push(format!(
                    "{user} {method} {concrete}: should be 403, got {status} {location:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} authorisation mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The second zone's identities (its admin, staff and enterprise user), sent to every route that
/// names an object of the first zone by id: never a 2xx, never a 500, and nothing of the first
/// zone is written (its audit log does not move).
#[tokio::test]
async fn another_zones_identities_get_nothing_by_id_from_this_zone() {
    let app = TestApp::new().await;
    let mut sessions = Vec::new();
    for user in ["admin_b", "staff_b", "ent_b"] {
        sessions.push((user, app.login(user).await));
    }
    let alpha_log = format!(
        "SELECT COUNT(*) FROM audit_log WHERE zone_id = {}",
        app.fx.alpha.zone_id
    );
    let before = app.scalar(&alpha_log).await;
    let mut failures = Vec::new();
    let mut tried = 0;
    for (method, path, who) in EXPECTED {
        if !path.contains("{id}") || *who == "*" || path.contains("tokens") {
            continue;
        }
        let concrete = concrete_path(&app, path).await;
        for (user, session) in &sessions {
            let (status, location) = call(&app, method, &concrete, Some(session)).await;
            tried += 1;
            if status.is_success() || status.is_server_error() {
                failures.push(format!("{user} {method} {concrete}: {status} {location:?}"));
            }
        }
    }
    assert!(tried > 150, "{tried} requests");
    assert!(
        failures.is_empty(),
        "{} got through:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        app.scalar(&alpha_log).await,
        before,
        "the second zone wrote into the first"
    );
}

#[tokio::test]
async fn staff_edit_only_their_own_department() {
    let app = TestApp::new().await;
    let staff = app.login("staff_a").await;
    let own = app.fx.alpha.science_dept;
    let other = app.fx.alpha.economy_dept;
    let body = serde_json::json!({"name": "阿尔法科学技术局", "phone": "0373-1234567"});
    let res = app
        .call(Method::PUT, &format!("/api/v1/departments/{own}"))
        .session(&staff)
        .json(body.clone())
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["phone"], "0373-1234567");
    let res = app
        .call(Method::PUT, &format!("/api/v1/departments/{other}"))
        .session(&staff)
        .json(serde_json::json!({"name": "改名"}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let page = app
        .get(&format!("/departments/{other}/edit"))
        .session(&staff)
        .send()
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.text().contains("无权访问"));
}

#[tokio::test]
async fn an_enterprise_user_sees_only_its_own_enterprise() {
    let app = TestApp::new().await;
    let ent = app.login("ent_a").await;
    let fx = &app.fx.alpha;
    let home = app.get("/").session(&ent).send().await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(
        home.location(),
        Some(format!("/enterprises/{}", fx.enterprise).as_str())
    );
    let list = app.get("/api/v1/enterprises").session(&ent).send().await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], fx.enterprise);
    let other = app
        .get(&format!("/api/v1/enterprises/{}", fx.other_enterprise))
        .session(&ent)
        .send()
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let page = app
        .get(&format!("/enterprises/{}", fx.other_enterprise))
        .session(&ent)
        .send()
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let html = app.get("/enterprises").session(&ent).send().await.text();
    assert!(html.contains("阿尔法测试科技有限公司"));
    assert!(!html.contains("阿尔法另一家有限公司"));
}

#[tokio::test]
async fn read_only_roles_cannot_write_even_through_their_own_routes() {
    let app = TestApp::new().await;
    // The province reader may choose a zone but not change it.
    let prov = app.token("prov").await;
    let res = app
        .post("/api/v1/departments")
        .bearer(&prov)
        .header("x-gaoxin-zone", "beta")
        .json(serde_json::json!({"name": "省里新增"}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let leader = app.token("leader_a").await;
    let res = app
        .call(
            Method::DELETE,
            &format!("/api/v1/departments/{}", app.fx.alpha.economy_dept),
        )
        .bearer(&leader)
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let count = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM department WHERE id = {}",
            app.fx.alpha.economy_dept
        ))
        .await;
    assert_eq!(count, 1);
}
