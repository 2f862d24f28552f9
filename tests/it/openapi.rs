//! The OpenAPI document covers every API route, with the right method.

use crate::helpers::TestApp;

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document() {
    let app = TestApp::new().await;
    let res = app.get("/api/v1/openapi.json").send().await;
    assert_eq!(res.status, axum::http::StatusCode::OK);
    let doc = res.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let mut missing = Vec::new();
    let mut count = 0;
    for spec in gaoxin::app::route_specs() {
        if !spec.is_api() && spec.path != "/healthz" {
            continue;
        }
        if spec.path == "/api/v1/openapi.json" {
            continue;
        }
        count += 1;
        let method = spec.method.as_str().to_lowercase();
        if paths.get(&spec.path).and_then(|p| p.get(&method)).is_none() {
            missing.push(format!("{} {}", spec.method, spec.path));
        }
    }
    assert!(
        missing.is_empty(),
        "API routes missing from the OpenAPI document: {missing:?}"
    );
    assert!(count >= 18, "{count}");
    // Every documented path is a real route too.
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            assert!(
                gaoxin::app::route_specs()
                    .iter()
                    .any(|s| &s.path == path && s.method.as_str().eq_ignore_ascii_case(method)),
                "documented but not routed: {method} {path}"
            );
        }
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}
