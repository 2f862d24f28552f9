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

/// Every text field a documented JSON body declares is bounded by its own limit (issue 17:
/// "text lengths per field, a Chinese message naming the field"): one character past the
/// limit is 422 naming that field, whoever sends it, before any handler runs.
#[tokio::test]
async fn every_documented_text_field_refuses_one_character_past_its_limit() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let doc = app.get("/api/v1/openapi.json").send().await.json();
    let schemas = doc["components"]["schemas"].clone();
    let resolve = |s: &serde_json::Value| -> serde_json::Value {
        match s["$ref"].as_str() {
            Some(r) => schemas[r.rsplit('/').next().unwrap()].clone(),
            None => s.clone(),
        }
    };
    let is_string = |s: &serde_json::Value| {
        s["type"] == "string" || s["type"].as_array().is_some_and(|t| t.iter().any(|x| x == "string"))
    };
    let mut checked = 0;
    let mut fields = std::collections::BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let Some(schema) = op["requestBody"]["content"]["application/json"]["schema"].as_object() else {
                continue;
            };
            if gaoxin_platform::inputs::DOCUMENT_BODIES.contains(&path.as_str()) {
                continue;
            }
            let schema = resolve(&serde_json::Value::Object(schema.clone()));
            let url = path.replace(['{', '}'], "").replace("id", "999999");
            let method: axum::http::Method = method.to_uppercase().parse().unwrap();
            // Top-level text fields, and those of objects in a top-level array.
            let mut bodies: Vec<(String, serde_json::Value)> = Vec::new();
            for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
                let prop = resolve(prop);
                if is_string(&prop) {
                    bodies.push((name.clone(), serde_json::Value::Null));
                } else if let Some(items) = prop.get("items") {
                    let items = resolve(items);
                    for (inner, p) in items["properties"].as_object().into_iter().flatten() {
                        if is_string(&resolve(p)) {
                            bodies.push((inner.clone(), serde_json::json!(name)));
                        }
                    }
                }
            }
            for (field, outer) in bodies {
                let (label, max) = gaoxin_platform::inputs::field_limit(&field);
                let long = "长".repeat(max + 1);
                let body = match outer.as_str() {
                    None => serde_json::json!({ field.clone(): long }),
                    Some(list) => serde_json::json!({ list: [{ field.clone(): long }] }),
                };
                let res = app.call(method.clone(), &url).bearer(&token).json(body).send().await;
                let label_text = format!("{method} {url} {field}");
                assert_eq!(
                    res.status,
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    "{label_text}: {}",
                    res.text()
                );
                let json = res.json();
                assert_eq!(json["error"]["field"], field.as_str(), "{label_text}");
                let message = json["error"]["message"].as_str().unwrap();
                assert!(message.contains(&format!("最多 {max} 字")), "{label_text}: {message}");
                assert!(message.contains(label), "{label_text}: {message}");
                fields.insert(field);
                checked += 1;
            }
        }
    }
    assert!(checked >= 50, "{checked} fields checked");
    for named in ["name", "title", "note", "reason", "phone", "username"] {
        assert!(fields.contains(named), "{named} among {fields:?}");
    }
}
