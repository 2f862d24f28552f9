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

/// The document is valid OpenAPI where clients break first (issue 17, finding 11): every
/// response has a description, and every parameter said to be in the path is in the path's
/// template (list filters are query parameters), each operation's parameters and id unique.
#[tokio::test]
async fn every_response_is_described_and_every_parameter_is_where_it_is_sent() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").send().await.json();
    let mut errors = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if let Some(id) = op["operationId"].as_str()
                && !ids.insert(id.to_string())
            {
                errors.push(format!("{method} {path}: operationId {id} not unique"));
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                if response.get("$ref").is_none()
                    && response["description"].as_str().is_none_or(|d| d.trim().is_empty())
                {
                    errors.push(format!("{method} {path} {status}: no description"));
                }
            }
            let mut seen = std::collections::HashSet::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let (name, place) = (p["name"].as_str().unwrap_or(""), p["in"].as_str().unwrap_or(""));
                if !seen.insert((name.to_string(), place.to_string())) {
                    errors.push(format!("{method} {path}: parameter {name} twice"));
                }
                if place == "path" && !path.contains(&format!("{{{name}}}")) {
                    errors.push(format!("{method} {path}: {name} declared in: path"));
                }
                if place == "path" && p["required"] != true {
                    errors.push(format!("{method} {path}: path parameter {name} not required"));
                }
            }
        }
    }
    assert!(errors.is_empty(), "{} errors: {errors:#?}", errors.len());
}
