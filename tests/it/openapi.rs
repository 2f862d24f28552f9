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

/// Acceptance of issue 17 (finding 11): every operation the document describes is reached by a
/// request built from the document alone — its path with ids filled in (ids nobody has, so
/// that nothing is changed), a JSON or multipart body
/// where it declares one —, as a generated client would send it: never "no such route", never
/// a wrong method, never a 500.
#[tokio::test]
async fn every_documented_operation_is_reached_by_a_request_built_from_the_document() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let doc = app.get("/api/v1/openapi.json").send().await.json();
    let mut reached = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let mut url = String::new();
            let mut rest = path.as_str();
            while let Some(open) = rest.find('{') {
                let close = rest[open..].find('}').unwrap() + open;
                url.push_str(&rest[..open]);
                url.push_str("999999");
                rest = &rest[close + 1..];
            }
            url.push_str(rest);
            let method: axum::http::Method = method.to_uppercase().parse().unwrap();
            let mut call = app.call(method.clone(), &url).bearer(&token);
            let content = &op["requestBody"]["content"];
            if content.get("multipart/form-data").is_some() {
                call = call.multipart(&[]);
            } else if content.is_object() {
                call = call.json(serde_json::json!({}));
            }
            let res = call.send().await;
            let label = format!("{method} {url}");
            assert_ne!(res.status, axum::http::StatusCode::METHOD_NOT_ALLOWED, "{label}");
            assert_ne!(
                res.status,
                axum::http::StatusCode::UNAUTHORIZED,
                "{label}: {}",
                res.text()
            );
            assert!(!res.status.is_server_error(), "{label}: {} {}", res.status, res.text());
            if res.status == axum::http::StatusCode::NOT_FOUND && res.content_type().contains("json") {
                assert_ne!(res.json()["error"]["code"], "no_route", "{label}");
            }
            reached += 1;
        }
    }
    assert!(reached >= 60, "{reached} operations");
    let wrong = app.get("/api/v1/no-such-thing").bearer(&token).send().await;
    assert_eq!(wrong.json()["error"]["code"], "no_route");
}
