//! The router as Lambda runs it: API Gateway proxy events (REST API v1 and HTTP API v2,
//! in the shape AWS documents) through `lambda_http`, and the response Lambda returns.

use base64::Engine;
use items_api::api::{self, ApiConfig, MAX_BODY};
use serde_json::{json, Value};

use crate::common::env;
use crate::support::Answer;

#[derive(Clone, Copy, Debug)]
enum Payload {
    /// REST API, stage `Prod` (SAM's default), as `path` + `resource: /{proxy+}`.
    RestV1,
    /// HTTP API on its `$default` stage.
    HttpV2,
    /// HTTP API on a named stage: `rawPath` starts with `/live`.
    HttpV2Staged,
}

struct Call<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a [(&'a str, &'a str)],
    headers: &'a [(&'a str, &'a str)],
    body: Option<String>,
}

fn call<'a>(method: &'a str, path: &'a str) -> Call<'a> {
    Call { method, path, query: &[], headers: &[], body: None }
}

/// The event API Gateway sends for `call`.
fn event(payload: Payload, call: &Call<'_>) -> Value {
    let mut headers = serde_json::Map::new();
    headers.insert("Host".into(), json!("abc123.execute-api.us-east-1.amazonaws.com"));
    headers.insert("X-Forwarded-Proto".into(), json!("https"));
    if call.body.is_some() {
        headers.insert("Content-Type".into(), json!("application/json"));
    }
    for (name, value) in call.headers {
        headers.insert((*name).into(), json!(value));
    }
    let query: serde_json::Map<String, Value> = call.query.iter().map(|(k, v)| ((*k).into(), json!(v))).collect();
    let multi_query: serde_json::Map<String, Value> =
        call.query.iter().map(|(k, v)| ((*k).into(), json!([v]))).collect();
    let raw_query = call.query.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
    match payload {
        Payload::RestV1 => {
            let multi_headers: serde_json::Map<String, Value> =
                headers.iter().map(|(k, v)| (k.clone(), json!([v]))).collect();
            json!({
                "resource": "/{proxy+}",
                "path": call.path,
                "httpMethod": call.method,
                "headers": headers,
                "multiValueHeaders": multi_headers,
                "queryStringParameters": if query.is_empty() { Value::Null } else { Value::Object(query) },
                "multiValueQueryStringParameters": if multi_query.is_empty() { Value::Null } else { Value::Object(multi_query) },
                "pathParameters": {"proxy": call.path.trim_start_matches('/')},
                "stageVariables": null,
                "requestContext": {
                    "accountId": "123456789012",
                    "resourceId": "us4z18",
                    "stage": "Prod",
                    "requestId": "41b45ea3-70b5-11e6-b7bd-69b5aaebc7d9",
                    "requestTimeEpoch": 1583798639428u64,
                    "identity": {"sourceIp": "192.168.100.1", "userAgent": "curl/8.5.0"},
                    "path": format!("/Prod{}", call.path),
                    "resourcePath": "/{proxy+}",
                    "httpMethod": call.method,
                    "apiId": "abc123",
                    "protocol": "HTTP/1.1"
                },
                "body": call.body,
                "isBase64Encoded": false
            })
        }
        Payload::HttpV2 | Payload::HttpV2Staged => {
            let (stage, raw_path) = match payload {
                Payload::HttpV2Staged => ("live", format!("/live{}", call.path)),
                _ => ("$default", call.path.to_owned()),
            };
            // HTTP APIs send binary-safe bodies base64-encoded; send them so.
            let body = call.body.as_ref().map(|body| base64::engine::general_purpose::STANDARD.encode(body));
            json!({
                "version": "2.0",
                "routeKey": "$default",
                "rawPath": raw_path,
                "rawQueryString": raw_query,
                "headers": headers,
                "queryStringParameters": if query.is_empty() { Value::Null } else { Value::Object(query) },
                "requestContext": {
                    "accountId": "123456789012",
                    "apiId": "abc123",
                    "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
                    "domainPrefix": "abc123",
                    "http": {
                        "method": call.method,
                        "path": raw_path,
                        "protocol": "HTTP/1.1",
                        "sourceIp": "192.168.100.1",
                        "userAgent": "curl/8.5.0"
                    },
                    "requestId": "JKJaXmPLvHcESHA=",
                    "routeKey": "$default",
                    "stage": stage,
                    "time": "10/Mar/2020:00:03:59 +0000",
                    "timeEpoch": 1583798639428u64
                },
                "body": body,
                "isBase64Encoded": body.is_some()
            })
        }
    }
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Runs the event through the Lambda handler (as `lambda_http::run` does) and reads the
/// response Lambda hands back to API Gateway.
async fn invoke(router: &axum::Router, payload: Payload, call: &Call<'_>) -> Answer {
    crate::support::invoke(router, event(payload, call)).await
}

#[tokio::test]
async fn every_route_answers_through_api_gateway_events() {
    let env = env().await;
    let router = api::router(env.db.clone(), &ApiConfig::default());
    for payload in [Payload::RestV1, Payload::HttpV2, Payload::HttpV2Staged] {
        let id = format!("{payload:?}").to_lowercase();
        let item = json!({"id": id, "name": "Dune", "category": "books", "price_cents": 999});
        let post = Call { body: Some(item.to_string()), ..call("POST", "/items") };
        let created = invoke(&router, payload, &post).await;
        assert_eq!(created.status, 201, "{payload:?}: {}", created.body);
        assert_eq!(created.headers["location"], format!("items/{id}"), "{payload:?}");
        assert_eq!(created.body["version"], 1);
        assert_eq!(invoke(&router, payload, &post).await.status, 409, "{payload:?}");

        let path = format!("/items/{id}");
        let read = invoke(&router, payload, &call("GET", &path)).await;
        assert_eq!((read.status, read.body["name"].as_str()), (200, Some("Dune")), "{payload:?}");
        assert_eq!(read.headers["etag"], "\"1\"");
        assert_eq!(invoke(&router, payload, &call("GET", "/items/none")).await.status, 404);

        let list = Call { query: &[("category", "books"), ("limit", "1")], ..call("GET", "/items") };
        let page = invoke(&router, payload, &list).await;
        assert_eq!(page.status, 200, "{payload:?}: {}", page.body);
        assert_eq!(page.body["items"].as_array().map(Vec::len), Some(1));
        let list = Call { query: &[("category", "books"), ("cursor", "bm90IGEgY3Vyc29y")], ..call("GET", "/items") };
        let tampered = invoke(&router, payload, &list).await;
        assert_eq!((tampered.status, tampered.body["fields"][0]["field"].as_str()), (400, Some("cursor")));

        let patch = |if_match: &'static str, body: Value| Call {
            headers: Box::leak(Box::new([("If-Match", if_match)])),
            body: Some(body.to_string()),
            ..call("PATCH", Box::leak(path.clone().into_boxed_str()))
        };
        let changed = invoke(&router, payload, &patch("\"1\"", json!({"category": "scifi"}))).await;
        assert_eq!((changed.status, changed.body["category"].as_str()), (200, Some("scifi")), "{}", changed.body);
        assert_eq!(invoke(&router, payload, &patch("\"1\"", json!({"name": "x"}))).await.status, 412);
        let stale_body = Call { body: Some(json!({"name": "x", "version": 1}).to_string()), ..call("PATCH", &path) };
        assert_eq!(invoke(&router, payload, &stale_body).await.status, 409);
        let unversioned = Call { body: Some(json!({"name": "x"}).to_string()), ..call("PATCH", &path) };
        assert_eq!(invoke(&router, payload, &unversioned).await.status, 428);

        let bad = Call { body: Some("{\"name\": [".into()), ..call("POST", "/items") };
        assert_eq!(invoke(&router, payload, &bad).await.status, 400);
        let invalid = json!({"name": "", "category": "?", "price_cents": 1});
        let invalid =
            invoke(&router, payload, &Call { body: Some(invalid.to_string()), ..call("POST", "/items") }).await;
        assert_eq!(invalid.status, 400);
        assert_eq!(invalid.body["fields"].as_array().map(Vec::len), Some(2), "{}", invalid.body);
        let big = json!({"name": "n".repeat(MAX_BODY), "category": "c", "price_cents": 1});
        assert_eq!(
            invoke(&router, payload, &Call { body: Some(big.to_string()), ..call("POST", "/items") }).await.status,
            413
        );
        assert_eq!(invoke(&router, payload, &call("PUT", &path)).await.status, 405);
        let unknown = invoke(&router, payload, &call("GET", "/nothing/here")).await;
        assert_eq!((unknown.status, unknown.body["error"].as_str()), (404, Some("no such route")));

        assert_eq!(invoke(&router, payload, &call("DELETE", &path)).await.status, 204);
        assert_eq!(invoke(&router, payload, &call("DELETE", &path)).await.status, 404);
    }
}

#[tokio::test]
async fn the_token_is_required_through_api_gateway_too() {
    let env = env().await;
    let config = ApiConfig { token: Some("t0ken".into()), cors_origins: None };
    let router = api::router(env.db.clone(), &config);
    for payload in [Payload::RestV1, Payload::HttpV2] {
        let missing = invoke(&router, payload, &call("GET", "/items/a")).await;
        assert_eq!(missing.status, 401, "{payload:?}");
        assert_eq!(missing.headers["www-authenticate"], "Bearer");
        let wrong = Call { headers: &[("Authorization", "Bearer t0ke")], ..call("GET", "/items/a") };
        assert_eq!(invoke(&router, payload, &wrong).await.status, 401);
        let right = Call { headers: &[("Authorization", "Bearer t0ken")], ..call("GET", "/items/a") };
        assert_eq!(invoke(&router, payload, &right).await.status, 404, "authorized, and there is no item a");
    }
}
