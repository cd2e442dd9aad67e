//! Helpers the break-it rounds share: items and requests over HTTP, API Gateway events
//! through the Lambda handler, and stream events with the counts they make.

use std::collections::BTreeMap;

use base64::Engine;
use dynamo_model::stream::StreamEvent;
use dynamo_model::{Db, Model};
use items_api::{lambda, CategoryCount};
use lambda_http::request::LambdaRequest;
use lambda_http::{Context, LambdaEvent, Service};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::send;

pub fn item(id: &str, category: &str) -> Value {
    json!({"id": id, "name": format!("item {id}"), "category": category, "price_cents": 1250, "tags": ["t"]})
}

pub async fn post(http: &reqwest::Client, base: &str, body: &Value) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    send(http.post(format!("{base}/items")).json(body)).await
}

pub fn host(base: &str) -> &str {
    base.strip_prefix("http://").expect("an http URL")
}

pub async fn race(requests: Vec<reqwest::RequestBuilder>) -> Vec<StatusCode> {
    let mut tasks = tokio::task::JoinSet::new();
    for request in requests {
        tasks.spawn(async move { send(request).await.0 });
    }
    let mut statuses = Vec::new();
    while let Some(status) = tasks.join_next().await {
        statuses.push(status.expect("a request task"));
    }
    statuses.sort();
    statuses
}

pub fn rest_v1(method: &str, path: &str, stage: &str, body: Option<&str>) -> Value {
    let mut headers = serde_json::Map::new();
    headers.insert("Host".into(), json!("abc123.execute-api.us-east-1.amazonaws.com"));
    headers.insert("X-Forwarded-Proto".into(), json!("https"));
    if body.is_some() {
        headers.insert("Content-Type".into(), json!("application/json"));
    }
    let multi: serde_json::Map<String, Value> = headers.iter().map(|(k, v)| (k.clone(), json!([v]))).collect();
    json!({
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": multi,
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": {"proxy": path.trim_start_matches('/')},
        "stageVariables": null,
        "requestContext": {
            "accountId": "123456789012",
            "resourceId": "us4z18",
            "stage": stage,
            "requestId": "41b45ea3-70b5-11e6-b7bd-69b5aaebc7d9",
            "requestTimeEpoch": 1583798639428u64,
            "identity": {"sourceIp": "192.168.100.1", "userAgent": "curl/8.5.0"},
            "path": format!("/{stage}{path}"),
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "apiId": "abc123",
            "protocol": "HTTP/1.1"
        },
        "body": body,
        "isBase64Encoded": false
    })
}

pub fn http_v2(method: &str, path: &str, query: &str, stage: &str, body: Option<&str>) -> Value {
    let raw_path = if stage == "$default" { path.to_owned() } else { format!("/{stage}{path}") };
    let mut headers = serde_json::Map::new();
    headers.insert("host".into(), json!("abc123.execute-api.us-east-1.amazonaws.com"));
    headers.insert("x-forwarded-proto".into(), json!("https"));
    if body.is_some() {
        headers.insert("content-type".into(), json!("application/json"));
    }
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abc123",
            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": "192.168.100.1", "userAgent": "curl/8.5.0"},
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default",
            "stage": stage,
            "time": "10/Mar/2020:00:03:59 +0000",
            "timeEpoch": 1583798639428u64
        },
        "body": body,
        "isBase64Encoded": false
    })
}

pub struct Answer {
    pub status: u16,
    pub headers: Value,
    pub body: Value,
}

pub fn image(id: &str, category: &str, version: u32) -> String {
    format!(
        r#"{{"pk": {{"S": "ITEM#{id}"}}, "sk": {{"S": "ITEM"}}, "_type": {{"S": "ITEM"}},
            "gsi1pk": {{"S": "CATEGORY#{category}"}}, "gsi1sk": {{"S": "{id}"}},
            "id": {{"S": "{id}"}}, "name": {{"S": "Item {id}"}}, "category": {{"S": "{category}"}},
            "price_cents": {{"N": "1250"}}, "tags": {{"L": []}},
            "version": {{"N": "{version}"}}, "created_at": {{"N": "1764547200"}}, "updated_at": {{"N": "1764547200"}}}}"#
    )
}

pub fn keys(id: &str) -> String {
    format!(r#"{{"pk": {{"S": "ITEM#{id}"}}, "sk": {{"S": "ITEM"}}}}"#)
}

pub fn event(records: &[String]) -> StreamEvent {
    serde_json::from_str(&format!(r#"{{"Records": [{}]}}"#, records.join(","))).expect("a DynamoDB event")
}

pub fn expected(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(category, count)| ((*category).to_owned(), *count)).collect()
}

/// An error answer as promised: a JSON object with an `error` text and a `fields` list.
pub fn assert_json_error(status: StatusCode, body: &Value, what: &str) {
    assert!(status.as_u16() < 500, "{what}: {status} {body}");
    assert!(body["error"].is_string(), "{what}: {status}: no JSON error: {body}");
    assert!(body["fields"].is_array(), "{what}: {status}: no fields: {body}");
}

pub async fn invoke(router: &axum::Router, event: Value) -> Answer {
    let request: LambdaRequest = serde_json::from_value(event).expect("API Gateway's event parses");
    let mut adapter = lambda::handler(router.clone());
    let response = adapter.call(LambdaEvent::new(request, Context::default())).await.expect("the router answers");
    let response = serde_json::to_value(&response).expect("the response serializes");
    let status = response["statusCode"].as_u64().expect("a status") as u16;
    let body = match response["body"].as_str() {
        None | Some("") => Value::Null,
        Some(text) if response["isBase64Encoded"] == json!(true) => {
            let bytes = base64::engine::general_purpose::STANDARD.decode(text).expect("base64");
            serde_json::from_slice(&bytes).expect("the body is JSON")
        }
        Some(text) => serde_json::from_str(text).unwrap_or_else(|_| panic!("{status}: not JSON: {text}")),
    };
    let mut headers = serde_json::Map::new();
    for (name, value) in response["headers"].as_object().into_iter().flatten() {
        headers.insert(name.to_lowercase(), value.clone());
    }
    for (name, values) in response["multiValueHeaders"].as_object().into_iter().flatten() {
        headers.insert(name.to_lowercase(), values[0].clone());
    }
    Answer { status, headers: Value::Object(headers), body }
}

pub async fn counts_of(db: &Db) -> BTreeMap<String, i64> {
    let counts = CategoryCount::scan(db).consistent().await.expect("a scan");
    assert!(counts.iter().all(|c| c.count >= 0), "a negative count: {counts:?}");
    counts.into_iter().filter(|c| c.count != 0).map(|c| (c.category, c.count)).collect()
}
