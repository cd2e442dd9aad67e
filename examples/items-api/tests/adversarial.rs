//! Attempts to break the items API's promises, as a user would.
//!
//! Every test asserts what the API promises. The breaks these tests found are fixed,
//! or pinned where the behaviour is documented (see the README's items API section).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use base64::Engine;
use dynamo_model::retry::RetryPolicy;
use dynamo_model::{Db, Model};
use items_api::api::{self, ApiConfig, ItemPage, MAX_BODY};
use items_api::{counts, local_stream, Item};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{client, env, fields, send, serve};
use crate::support::*;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Every id of a category, following cursors.
async fn list_all(http: &reqwest::Client, base: &str, category: &str, limit: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let mut request =
            http.get(format!("{base}/items")).query(&[("category", category), ("limit", &limit.to_string())]);
        if let Some(cursor) = &cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        let (status, _, body) = send(request).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page: ItemPage = serde_json::from_value(body).expect("a page");
        ids.extend(page.items.into_iter().map(|item| item.id));
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => return ids,
        }
    }
    panic!("the cursors never end");
}

/// One raw HTTP/1.1 exchange (for what reqwest will not send as is: dot segments,
/// chunked bodies). Returns the status, the head (lowercase) and the body.
async fn raw(base: &str, request: Vec<u8>) -> (u16, String, String) {
    let address = base.strip_prefix("http://").expect("an http URL").to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).expect("connects");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("a timeout");
        stream.write_all(&request).expect("writes");
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let head = head.to_lowercase();
        let body = if head.contains("transfer-encoding: chunked") { unchunk(body) } else { body.to_owned() };
        (status, head, body)
    })
    .await
    .expect("the exchange runs")
}

fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// A gzip member holding `data` uncompressed (a stored deflate block).
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut crc: u32 = 0xffff_ffff;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    let crc = !crc;
    let len = data.len() as u16;
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255, 1];
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// A `Db` on a port nothing listens on, failing fast.
fn unreachable_db() -> Db {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().expect("an address").port();
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("a", "b", None, None, "test"))
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .build();
    Db::new(aws_sdk_dynamodb::Client::from_conf(config)).with_retry(RetryPolicy::none())
}

// ---------------------------------------------------------------------------------------
// Bodies: sizes, encodings, numbers, nulls
// ---------------------------------------------------------------------------------------

/// A valid item padded with JSON whitespace to exactly `len` bytes.
fn padded_item(id: &str, len: usize) -> String {
    let mut body = item(id, "books").to_string();
    body.pop(); // the closing brace
    let pad = len - body.len() - 1;
    body.push_str(&" ".repeat(pad));
    body.push('}');
    assert_eq!(body.len(), len);
    body
}

#[tokio::test]
async fn adversarial_a_body_of_exactly_64_kb_is_read_and_one_byte_more_is_413() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let post = |body: String| http.post(format!("{base}/items")).header("content-type", "application/json").body(body);
    let (status, _, body) = send(post(padded_item("exact", MAX_BODY))).await;
    assert_eq!(status, StatusCode::CREATED, "exactly 64 KB: {body}");
    let (status, _, body) = send(post(padded_item("over", MAX_BODY + 1))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "64 KB + 1: {body}");
    assert_json_error(status, &body, "64 KB + 1");
    assert_eq!(send(http.get(format!("{base}/items/over"))).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn adversarial_chunked_bodies_are_read_and_limited_like_sized_ones() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let chunked = |body: &str| {
        let mut request = format!(
            "POST /items HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            host(&base)
        );
        for chunk in body.as_bytes().chunks(1000) {
            request.push_str(&format!("{:x}\r\n{}\r\n", chunk.len(), String::from_utf8_lossy(chunk)));
        }
        request.push_str("0\r\n\r\n");
        request.into_bytes()
    };
    let (status, _, body) = raw(&base, chunked(&item("chunky", "books").to_string())).await;
    assert_eq!(status, 201, "{body}");
    let (status, _, body) = raw(&base, chunked(&padded_item("big", MAX_BODY + 1))).await;
    assert_eq!(status, 413, "{body}");
    let body: Value = serde_json::from_str(&body).expect("a JSON error");
    assert_eq!(body["error"], "the body is over 64 KB");
}

#[tokio::test]
async fn adversarial_missing_wrong_or_compressed_content_is_never_a_500() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    // No Content-Type, and a wrong one: the body is JSON all the same.
    for (id, content_type) in
        [("none", None), ("text", Some("text/plain")), ("form", Some("application/x-www-form-urlencoded"))]
    {
        let mut request = http.post(format!("{base}/items")).body(item(id, "books").to_string());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let (status, _, body) = send(request).await;
        assert!(status == StatusCode::CREATED || status == StatusCode::UNSUPPORTED_MEDIA_TYPE, "{id}: {status} {body}");
        if status != StatusCode::CREATED {
            assert_json_error(status, &body, id);
        }
    }
    // A gzip body: read as such, or refused with a JSON 4xx, never stored as garbage.
    let gz = gzip_stored(item("gz", "books").to_string().as_bytes());
    let request = http
        .post(format!("{base}/items"))
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(gz);
    let (status, _, body) = send(request).await;
    if status != StatusCode::CREATED {
        assert_json_error(status, &body, "gzip");
    }
}

#[tokio::test]
async fn adversarial_float_exponent_and_huge_prices_are_400_naming_price_cents() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    for price in ["1e3", "1.0", "12.5", "-1", "18446744073709551616", "null", "\"100\"", "true", "[1]"] {
        let body = format!(r#"{{"id": "p", "name": "n", "category": "books", "price_cents": {price}}}"#);
        let request = http.post(format!("{base}/items")).header("content-type", "application/json").body(body);
        let (status, _, body) = send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "price {price}: {body}");
        assert_eq!(fields(&body), ["price_cents"], "price {price}: {body}");
    }
    // A number out of every range is malformed JSON: 400 all the same.
    let body = r#"{"id": "p", "name": "n", "category": "books", "price_cents": 1e400}"#;
    let (status, _, answer) =
        send(http.post(format!("{base}/items")).header("content-type", "application/json").body(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_json_error(status, &answer, "1e400");
    // The largest u64 parses, and the model's maximum refuses it.
    let body = r#"{"id": "p", "name": "n", "category": "books", "price_cents": 18446744073709551615}"#;
    let (status, _, body) =
        send(http.post(format!("{base}/items")).header("content-type", "application/json").body(body)).await;
    assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["price_cents".to_owned()]));
    assert_eq!(send(http.get(format!("{base}/items/p"))).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn adversarial_duplicate_keys_and_odd_json_are_400_json_errors() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    for body in [
        r#"{"id": "d", "name": "a", "name": "b", "category": "books", "price_cents": 1}"#.to_owned(),
        "\u{feff}{\"id\": \"d\", \"name\": \"a\", \"category\": \"books\", \"price_cents\": 1}".to_owned(),
        r#"{"id": "d", "name": "\ud800", "category": "books", "price_cents": 1}"#.to_owned(),
        deep,
        "null".to_owned(),
        "\"text\"".to_owned(),
    ] {
        let request = http.post(format!("{base}/items")).header("content-type", "application/json").body(body.clone());
        let (status, _, answer) = send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{:.80}: {answer}", body);
        assert_json_error(status, &answer, &body[..body.len().min(80)]);
    }
    assert_eq!(send(http.get(format!("{base}/items/d"))).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn adversarial_null_for_an_optional_post_field_means_absent() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    // `id` is optional and null generates one…
    let (status, _, body) =
        post(&http, &base, &json!({"id": null, "name": "n", "category": "books", "price_cents": 1})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // …and `tags` is optional too: null is no tags.
    let (status, _, body) =
        post(&http, &base, &json!({"id": "nt", "name": "n", "category": "books", "price_cents": 1, "tags": null}))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["tags"], json!([]));
}

#[tokio::test]
async fn adversarial_null_for_a_required_post_field_names_it() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    for field in ["name", "category", "price_cents"] {
        let mut body = item("r", "books");
        body[field] = Value::Null;
        let (status, _, answer) = post(&http, &base, &body).await;
        assert_eq!((status, fields(&answer)), (StatusCode::BAD_REQUEST, vec![field.to_owned()]), "{answer}");
    }
}

#[tokio::test]
async fn adversarial_ids_breaking_the_rules_are_400_naming_id() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let long = "x".repeat(65);
    for id in ["", "a b", "café", "a/b", "a%2Fb", "a#b", "ITEM#x", &long, "a\u{0}b", "\u{202e}x"] {
        let (status, _, body) = post(&http, &base, &item(id, "books")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "id {id:?}: {body}");
        let mut named = fields(&body);
        named.dedup();
        assert_eq!(named, ["id"], "id {id:?}: {body}");
    }
    for category in ["Books", "books/x", "b#x", "böoks", " books", ""] {
        let (status, _, body) = post(&http, &base, &item("ok", category)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "category {category:?}: {body}");
        let mut named = fields(&body);
        named.dedup();
        assert_eq!(named, ["category"], "category {category:?}: {body}");
    }
    assert!(Item::scan(&env.db).await.expect("a scan").is_empty());
}

#[tokio::test]
async fn adversarial_data_after_the_json_body_is_400() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("base", "books")).await.0, StatusCode::CREATED);
    let mut accepted = Vec::new();
    for (i, trailing) in [" {", "}", " garbage", "{\"id\": \"other\"}", ",", "\u{0}"].iter().enumerate() {
        let body = format!("{}{trailing}", item(&format!("t{i}"), "books"));
        let request = http.post(format!("{base}/items")).header("content-type", "application/json").body(body.clone());
        let (status, _, _) = send(request).await;
        if status != StatusCode::BAD_REQUEST {
            accepted.push(format!("POST …{trailing}: {status}"));
        }
        let body = format!("{}{trailing}", json!({"name": format!("renamed {i}")}));
        let request = http
            .patch(format!("{base}/items/base"))
            .header("If-Match", "*")
            .header("content-type", "application/json")
            .body(body.clone());
        let (status, _, _) = send(request).await;
        if status != StatusCode::BAD_REQUEST {
            accepted.push(format!("PATCH …{trailing}: {status}"));
        }
    }
    assert!(accepted.is_empty(), "{accepted:#?}");
    assert_eq!(Item::scan(&env.db).await.expect("a scan").len(), 1);
}

// ---------------------------------------------------------------------------------------
// Ids and paths
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn adversarial_dot_ids_are_reachable_at_their_location() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    // `.` and `..` would be path segments a URL client resolves: no id starts with a dot.
    for id in [".", "..", "...", ".hidden"] {
        let (status, _, body) = post(&http, &base, &item(id, "books")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{id}: {body}");
        assert_eq!(body["fields"][0]["field"], "id", "{id}: {body}");
    }
    // Dots inside an id are fine, and the Location a client follows reaches the item.
    for id in ["a.b", "a..", "v1.2.3"] {
        let (status, headers, body) = post(&http, &base, &item(id, "books")).await;
        assert_eq!(status, StatusCode::CREATED, "{id}: {body}");
        let location = headers["location"].to_str().expect("text").to_owned();
        assert_eq!(location, format!("items/{id}"), "relative to the URL posted to");
        let location = format!("/{location}");
        let request = format!("GET {location} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", host(&base));
        let (status, _, body) = raw(&base, request.into_bytes()).await;
        assert_eq!(status, 200, "raw GET {location}: {body}");
        let (status, _, body) = send(http.get(format!("{base}{location}"))).await;
        assert_eq!((status, body["id"].as_str()), (StatusCode::OK, Some(id)), "GET {location}: {body}");
    }
}

#[tokio::test]
async fn adversarial_prefix_ids_and_categories_stay_apart() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    for (id, category) in [("b1", "book"), ("b10", "books"), ("b1.", "books"), ("b1-", "book-s"), ("B1", "book")] {
        assert_eq!(post(&http, &base, &item(id, category)).await.0, StatusCode::CREATED, "{id}");
    }
    for (id, category) in [("b1", "book"), ("b10", "books"), ("b1.", "books"), ("B1", "book")] {
        let (status, _, body) = send(http.get(format!("{base}/items/{id}"))).await;
        assert_eq!(
            (status, body["id"].as_str(), body["category"].as_str()),
            (StatusCode::OK, Some(id), Some(category))
        );
    }
    assert_eq!(send(http.get(format!("{base}/items/b"))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(send(http.get(format!("{base}/items/b100"))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(list_all(&http, &base, "book", 1).await, ["B1", "b1"]);
    assert_eq!(list_all(&http, &base, "books", 1).await, ["b1.", "b10"]);
    assert_eq!(list_all(&http, &base, "boo", 1).await, Vec::<String>::new());
    // Deleting one does not touch its prefix or extension.
    assert_eq!(send(http.delete(format!("{base}/items/b1"))).await.0, StatusCode::NO_CONTENT);
    assert_eq!(send(http.get(format!("{base}/items/b10"))).await.0, StatusCode::OK);
    assert_eq!(send(http.get(format!("{base}/items/b1."))).await.0, StatusCode::OK);
}

#[tokio::test]
async fn adversarial_odd_ids_in_the_path_are_404_never_500() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let paths = [
        "caf%C3%A9".to_owned(),
        "a%2Fb".to_owned(),
        "a%20b".to_owned(),
        "%00".to_owned(),
        "%23".to_owned(),
        "ITEM%23x".to_owned(),
        "x".repeat(65),
        "x".repeat(1000),
        "%E2%80%AE".to_owned(),
    ];
    for path in &paths {
        let short = &path[..path.len().min(40)];
        let (status, _, body) = send(http.get(format!("{base}/items/{path}"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "GET {short}: {body}");
        assert_eq!(body["error"], "no item with this id", "GET {short}");
        let (status, _, body) =
            send(http.patch(format!("{base}/items/{path}")).header("If-Match", "*").json(&json!({"name": "x"}))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "PATCH {short}: {body}");
        let (status, _, body) = send(http.delete(format!("{base}/items/{path}"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "DELETE {short}: {body}");
    }
    assert!(Item::scan(&env.db).await.expect("a scan").is_empty(), "a PATCH created an item");
}

#[tokio::test]
async fn adversarial_an_id_longer_than_a_key_is_404_and_names_no_internal_attribute() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let id = "x".repeat(3000);
    let mut wrong = Vec::new();
    for request in [
        http.get(format!("{base}/items/{id}")),
        http.patch(format!("{base}/items/{id}")).header("If-Match", "*").json(&json!({"name": "x"})),
        http.delete(format!("{base}/items/{id}")),
    ] {
        let (status, _, body) = send(request).await;
        if status != StatusCode::NOT_FOUND {
            wrong.push(format!("{status} {body}"));
        }
    }
    // A list of a category no item can have: an empty page, or a 400 naming `category`.
    let (status, _, body) = send(http.get(format!("{base}/items")).query(&[("category", "c".repeat(3000))])).await;
    let listed = (status == StatusCode::OK && body["items"] == json!([]))
        || (status == StatusCode::BAD_REQUEST && fields(&body) == ["category"]);
    if !listed {
        wrong.push(format!("list: {status} {body}"));
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[tokio::test]
async fn adversarial_invalid_utf8_in_path_or_query_is_a_json_400() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    for url in [
        format!("{base}/items/%FF"),
        format!("{base}/items?category=%FF"),
        format!("{base}/items?category=books&cursor=%FF"),
        format!("{base}/items?category=books&limit=99999999999999999999999"),
        format!("{base}/items?category={}", "c".repeat(3000)),
    ] {
        let (status, _, body) = send(http.get(&url)).await;
        assert!(status == StatusCode::BAD_REQUEST || status == StatusCode::OK, "{:.60}: {status} {body}", url);
        if status == StatusCode::OK {
            assert_eq!(body["items"], json!([]), "{:.60}", url);
        } else {
            assert_json_error(status, &body, &url);
        }
    }
}

#[tokio::test]
async fn adversarial_trailing_slashes_head_and_options_answer_as_promised() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("h", "books")).await.0, StatusCode::CREATED);
    for (method, path, expected) in [
        (Method::GET, "/items/", StatusCode::NOT_FOUND),
        (Method::GET, "/items/h/", StatusCode::NOT_FOUND),
        (Method::GET, "//items/h", StatusCode::NOT_FOUND),
        (Method::POST, "/items/", StatusCode::NOT_FOUND),
        (Method::OPTIONS, "/items/h", StatusCode::METHOD_NOT_ALLOWED),
        (Method::PUT, "/items", StatusCode::METHOD_NOT_ALLOWED),
        (Method::TRACE, "/items/h", StatusCode::METHOD_NOT_ALLOWED),
    ] {
        let (status, _, body) = send(http.request(method.clone(), format!("{base}{path}"))).await;
        assert_eq!(status, expected, "{method} {path}: {body}");
        assert_json_error(status, &body, path);
    }
    // HEAD of an item: GET's status and ETag, no body.
    let response = http.head(format!("{base}/items/h")).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let response = http.head(format!("{base}/items/nope")).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = http.head(format!("{base}/items?category=books")).send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
}

// ---------------------------------------------------------------------------------------
// PATCH
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn adversarial_patch_null_for_a_required_field_is_400_naming_it() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("n", "books")).await.0, StatusCode::CREATED);
    for field in ["name", "category", "price_cents", "tags"] {
        let body = json!({field: null, "price_cents": 5});
        let body = if field == "price_cents" { json!({"price_cents": null, "name": "x"}) } else { body };
        let (status, _, answer) = send(http.patch(format!("{base}/items/n")).header("If-Match", "*").json(&body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(fields(&answer), [field], "{body}");
    }
    let (_, _, stored) = send(http.get(format!("{base}/items/n"))).await;
    assert_eq!(stored["version"], 1, "nothing changed: {stored}");
}

#[tokio::test]
async fn adversarial_patch_and_post_wrong_types_and_server_fields_name_the_field() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("w", "books")).await.0, StatusCode::CREATED);
    for (body, field) in [
        (json!({"price_cents": 1.5}), "price_cents"),
        (json!({"price_cents": "7"}), "price_cents"),
        (json!({"name": 5}), "name"),
        (json!({"tags": "a"}), "tags"),
        (json!({"name": "x", "version": "1"}), "version"),
        (json!({"name": "x", "created_at": 1}), "created_at"),
        (json!({"name": "x", "Name": "y"}), "Name"),
    ] {
        let request = http.patch(format!("{base}/items/w")).header("If-Match", "*").json(&body);
        let (status, _, answer) = send(request).await;
        assert_eq!((status, fields(&answer)), (StatusCode::BAD_REQUEST, vec![field.to_owned()]), "PATCH {body}");
    }
    for field in ["version", "created_at", "updated_at"] {
        let mut body = item("w2", "books");
        body[field] = json!(99);
        let (status, _, answer) = post(&http, &base, &body).await;
        assert_eq!((status, fields(&answer)), (StatusCode::BAD_REQUEST, vec![field.to_owned()]), "POST {field}");
    }
    let (_, _, stored) = send(http.get(format!("{base}/items/w"))).await;
    assert_eq!(stored["version"], 1);
    assert_eq!(send(http.get(format!("{base}/items/w2"))).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn adversarial_patch_tags_to_empty_and_tags_breaking_rules() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("t", "books")).await.0, StatusCode::CREATED);
    let patch = |version: &str, body: Value| {
        http.patch(format!("{base}/items/t")).header("If-Match", version.to_owned()).json(&body)
    };
    let (status, headers, body) = send(patch("\"1\"", json!({"tags": []}))).await;
    assert_eq!((status, body["tags"].clone()), (StatusCode::OK, json!([])), "{body}");
    assert_eq!(headers["etag"], "\"2\"");
    let (_, _, read) = send(http.get(format!("{base}/items/t"))).await;
    assert_eq!(read["tags"], json!([]));
    // Tags the model refuses, in a PATCH as in a POST.
    let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
    for tags in [json!([""]), json!(["x".repeat(33)]), json!(many), json!([1]), json!("a")] {
        let (status, _, body) = send(patch("*", json!({"tags": tags}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{tags}: {body}");
        assert!(fields(&body).iter().all(|f| f.starts_with("tags")), "{tags}: {body}");
        assert!(!fields(&body).is_empty(), "{tags}: {body}");
    }
    let (_, _, read) = send(http.get(format!("{base}/items/t"))).await;
    assert_eq!((read["version"].as_u64(), read["tags"].clone()), (Some(2), json!([])), "{read}");
}

#[tokio::test]
async fn adversarial_patch_moving_category_moves_the_item_between_lists() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    for id in ["m1", "m2", "m3"] {
        assert_eq!(post(&http, &base, &item(id, "books")).await.0, StatusCode::CREATED);
    }
    let (status, _, body) =
        send(http.patch(format!("{base}/items/m2")).header("If-Match", "\"1\"").json(&json!({"category": "games"})))
            .await;
    assert_eq!((status, body["category"].as_str()), (StatusCode::OK, Some("games")), "{body}");
    assert_eq!(list_all(&http, &base, "books", 1).await, ["m1", "m3"]);
    assert_eq!(list_all(&http, &base, "games", 20).await, ["m2"]);
    // And back, by body version, with other fields: still listed once, in the new place.
    let (status, _, body) =
        send(http.patch(format!("{base}/items/m2")).json(&json!({"category": "books", "name": "back", "version": 2})))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(list_all(&http, &base, "books", 2).await, ["m1", "m2", "m3"]);
    assert_eq!(list_all(&http, &base, "games", 20).await, Vec::<String>::new());
    // A PATCH of the category to the same value is a change like any other.
    let (status, _, body) =
        send(http.patch(format!("{base}/items/m1")).header("If-Match", "1").json(&json!({"category": "books"}))).await;
    assert_eq!((status, body["version"].as_u64()), (StatusCode::OK, Some(2)));
    assert_eq!(list_all(&http, &base, "books", 20).await, ["m1", "m2", "m3"]);
}

#[tokio::test]
async fn adversarial_a_stale_body_version_is_refused_even_with_if_match() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("v", "books")).await.0, StatusCode::CREATED);
    let (status, _, _) =
        send(http.patch(format!("{base}/items/v")).header("If-Match", "1").json(&json!({"name": "two"}))).await;
    assert_eq!(status, StatusCode::OK);
    // The client says it changes version 1 (stale) in the body, and 2 in the header.
    let (status, _, body) = send(
        http.patch(format!("{base}/items/v")).header("If-Match", "\"2\"").json(&json!({"name": "x", "version": 1})),
    )
    .await;
    assert!(
        status == StatusCode::CONFLICT
            || status == StatusCode::PRECONDITION_FAILED
            || status == StatusCode::BAD_REQUEST,
        "{status}: {body}"
    );
    let (_, _, stored) = send(http.get(format!("{base}/items/v"))).await;
    assert_eq!(stored["name"], "two");
}

#[tokio::test]
async fn adversarial_if_match_forms_and_deleted_items() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("f", "books")).await.0, StatusCode::CREATED);
    let patch = |if_match: &str| {
        http.patch(format!("{base}/items/f")).header("If-Match", if_match.to_owned()).json(&json!({"price_cents": 7}))
    };
    // The stale ones are 412; the wrong-looking ones 400; nothing changes.
    for if_match in ["\"0\"", "0", "\"2\"", "W/\"5\""] {
        let (status, _, body) = send(patch(if_match)).await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{if_match}: {body}");
        assert_json_error(status, &body, if_match);
    }
    for if_match in ["", "\"\"", "-1", "1.0", "\"1", "18446744073709551616", "**"] {
        let (status, _, body) = send(patch(if_match)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{if_match:?}: {body}");
    }
    let (_, _, stored) = send(http.get(format!("{base}/items/f"))).await;
    assert_eq!(stored["version"], 1);
    // Deleted: every precondition is 404, not 412.
    assert_eq!(send(http.delete(format!("{base}/items/f")).header("If-Match", "*")).await.0, StatusCode::NO_CONTENT);
    for if_match in ["*", "1", "\"7\""] {
        assert_eq!(send(patch(if_match)).await.0, StatusCode::NOT_FOUND, "PATCH {if_match}");
        let delete = http.delete(format!("{base}/items/f")).header("If-Match", if_match);
        assert_eq!(send(delete).await.0, StatusCode::NOT_FOUND, "DELETE {if_match}");
    }
    let body_version = http.patch(format!("{base}/items/f")).json(&json!({"name": "x", "version": 1}));
    assert_eq!(send(body_version).await.0, StatusCode::NOT_FOUND);
    assert!(Item::scan(&env.db).await.expect("a scan").is_empty(), "a PATCH re-created the item");
}

// ---------------------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn adversarial_concurrent_posts_of_one_id_create_it_once() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let requests = (0..12)
        .map(|i| {
            let mut body = item("same", "books");
            body["name"] = json!(format!("writer {i}"));
            http.post(format!("{base}/items")).json(&body)
        })
        .collect();
    let statuses = race(requests).await;
    let created = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
    let conflicts = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert_eq!((created, conflicts), (1, 11), "{statuses:?}");
    let (_, headers, stored) = send(http.get(format!("{base}/items/same"))).await;
    assert_eq!((stored["version"].as_u64(), headers["etag"].to_str().ok()), (Some(1), Some("\"1\"")));
}

#[tokio::test]
async fn adversarial_concurrent_patches_with_one_if_match_let_exactly_one_win() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("c", "books")).await.0, StatusCode::CREATED);
    let requests = (0..12)
        .map(|i| http.patch(format!("{base}/items/c")).header("If-Match", "\"1\"").json(&json!({"price_cents": i})))
        .collect();
    let statuses = race(requests).await;
    let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let stale = statuses.iter().filter(|s| **s == StatusCode::PRECONDITION_FAILED).count();
    assert_eq!((won, stale), (1, 11), "{statuses:?}");
    // The same with body versions: one 200, the rest 409.
    let requests = (0..12)
        .map(|i| http.patch(format!("{base}/items/c")).json(&json!({"price_cents": 100 + i, "version": 2})))
        .collect();
    let statuses = race(requests).await;
    let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let stale = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert_eq!((won, stale), (1, 11), "{statuses:?}");
    let (_, _, stored) = send(http.get(format!("{base}/items/c"))).await;
    assert_eq!(stored["version"], 3);
}

#[tokio::test]
async fn adversarial_concurrent_deletes_delete_once() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("d", "books")).await.0, StatusCode::CREATED);
    assert_eq!(post(&http, &base, &item("e", "books")).await.0, StatusCode::CREATED);
    let statuses = race((0..10).map(|_| http.delete(format!("{base}/items/d"))).collect()).await;
    let deleted = statuses.iter().filter(|s| **s == StatusCode::NO_CONTENT).count();
    let missing = statuses.iter().filter(|s| **s == StatusCode::NOT_FOUND).count();
    assert_eq!((deleted, missing), (1, 9), "{statuses:?}");
    let statuses =
        race((0..10).map(|_| http.delete(format!("{base}/items/e")).header("If-Match", "\"1\"")).collect()).await;
    let deleted = statuses.iter().filter(|s| **s == StatusCode::NO_CONTENT).count();
    assert_eq!(deleted, 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| [StatusCode::NO_CONTENT, StatusCode::NOT_FOUND].contains(s)), "{statuses:?}");
}

// ---------------------------------------------------------------------------------------
// Lists and cursors
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn adversarial_cursors_survive_deletes_moves_and_other_limits() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    for i in 0..10 {
        assert_eq!(post(&http, &base, &item(&format!("k{i}"), "books")).await.0, StatusCode::CREATED);
    }
    let page = |limit: &str, cursor: Option<&str>| {
        let mut request = http.get(format!("{base}/items")).query(&[("category", "books"), ("limit", limit)]);
        if let Some(cursor) = cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        request
    };
    let (_, _, first) = send(page("3", None)).await;
    let ids: Vec<&str> = first["items"].as_array().expect("items").iter().filter_map(|i| i["id"].as_str()).collect();
    assert_eq!(ids, ["k0", "k1", "k2"]);
    let cursor = first["cursor"].as_str().expect("a cursor").to_owned();
    // The item the cursor stands on is deleted, the next one moved away, one more added.
    assert_eq!(send(http.delete(format!("{base}/items/k2"))).await.0, StatusCode::NO_CONTENT);
    let moved = http.patch(format!("{base}/items/k3")).header("If-Match", "*").json(&json!({"category": "games"}));
    assert_eq!(send(moved).await.0, StatusCode::OK);
    assert_eq!(post(&http, &base, &item("k99", "books")).await.0, StatusCode::CREATED);
    // Following the cursor, with another limit, gives the rest exactly once.
    let mut rest = Vec::new();
    let mut next = Some(cursor.clone());
    while let Some(cursor) = next {
        let (status, _, body) = send(page("4", Some(&cursor))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        rest.extend(body["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().unwrap_or("").to_owned()));
        next = body["cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(rest, ["k4", "k5", "k6", "k7", "k8", "k9", "k99"]);
    // The cursor of books, in games: refused.
    let (status, _, body) =
        send(http.get(format!("{base}/items")).query(&[("category", "games"), ("cursor", &cursor)])).await;
    assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["cursor".to_owned()]));
}

#[tokio::test]
async fn adversarial_cursor_text_edits_are_400_and_encodings_are_the_same_cursor() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    for i in 0..3 {
        assert_eq!(post(&http, &base, &item(&format!("q{i}"), "books")).await.0, StatusCode::CREATED);
    }
    let (_, _, first) = send(http.get(format!("{base}/items?category=books&limit=1"))).await;
    let cursor = first["cursor"].as_str().expect("a cursor").to_owned();
    assert!(cursor.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{cursor}");
    // Percent-encoding every character is the same cursor.
    let encoded: String = cursor.bytes().map(|b| format!("%{b:02X}")).collect();
    let (status, _, body) = send(http.get(format!("{base}/items?category=books&limit=1&cursor={encoded}"))).await;
    assert_eq!((status, body["items"][0]["id"].as_str()), (StatusCode::OK, Some("q1")), "{body}");
    // Edited cursors: refused, never a page.
    for edited in [
        format!("%20{cursor}"),
        format!("{cursor}%20"),
        format!("{cursor}%0A"),
        format!("{cursor}="),
        format!("{cursor}A"),
        cursor[..cursor.len() - 1].to_owned(),
        format!("{cursor}{cursor}"),
        "A".repeat(20_000),
        "eyJiIjoiMCJ9".to_owned(),
    ] {
        let (status, _, body) = send(http.get(format!("{base}/items?category=books&cursor={edited}"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{:.40}: {body}", edited);
        assert_eq!(fields(&body), ["cursor"], "{:.40}", edited);
    }
}

#[tokio::test]
async fn adversarial_limit_edges_and_duplicate_parameters() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    for i in 0..3 {
        assert_eq!(post(&http, &base, &item(&format!("l{i}"), "books")).await.0, StatusCode::CREATED);
    }
    for (limit, count) in [("1", 1), ("100", 3), ("3", 3), ("2", 2)] {
        let (status, _, body) = send(http.get(format!("{base}/items?category=books&limit={limit}"))).await;
        assert_eq!(status, StatusCode::OK, "limit {limit}: {body}");
        assert_eq!(body["items"].as_array().map(Vec::len), Some(count), "limit {limit}");
    }
    for limit in ["0", "101", "1.5", "1e1", "0x10", "18446744073709551616", "%20", "2%00"] {
        let (status, _, body) = send(http.get(format!("{base}/items?category=books&limit={limit}"))).await;
        assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["limit".to_owned()]), "limit {limit}");
    }
    // Parameters given twice: a JSON 400, never a guess between them or a 500.
    for query in ["category=books&category=games", "category=books&limit=1&limit=2"] {
        let (status, _, body) = send(http.get(format!("{base}/items?{query}"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_json_error(status, &body, query);
    }
    // Unknown parameters are ignored; an encoded category is decoded.
    let (status, _, body) = send(http.get(format!("{base}/items?category=%62ooks&colour=red"))).await;
    assert_eq!((status, body["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(3)), "{body}");
}

// ---------------------------------------------------------------------------------------
// Token and CORS
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn adversarial_an_empty_configured_token_still_guards_the_routes() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig { token: Some(String::new()), cors_origins: None }).await;
    let http = client();
    let (status, _, body) = send(http.get(format!("{base}/items/x"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _, body) = post(&http, &base, &item("x", "books")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn adversarial_only_the_exact_token_passes() {
    let env = env().await;
    let token = "Tok3n-with.chars~+/=";
    let base = serve(env.db.clone(), &ApiConfig { token: Some(token.into()), cors_origins: None }).await;
    let http = client();
    let wrong = [
        format!("Bearer  {token}"),
        format!("Bearer\t{token}"),
        format!("Bearer {}", token.to_lowercase()),
        format!("Bearer {token}x"),
        format!("Bearer {token} {token}"),
        format!("Bearer {token},Bearer {token}"),
        format!("Bearer{token}"),
        format!("Token {token}"),
        token.to_owned(),
        "Bearer".to_owned(),
    ];
    for authorization in &wrong {
        for (method, path) in [
            (Method::GET, "/items/x"),
            (Method::HEAD, "/items/x"),
            (Method::OPTIONS, "/items/x"),
            (Method::PUT, "/items"),
        ] {
            let request = http.request(method.clone(), format!("{base}{path}")).header("Authorization", authorization);
            let response = request.send().await.expect("an answer");
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{method} {path} with {authorization:?}");
        }
    }
    // Trailing whitespace is not part of a header value (HTTP strips it): it passes.
    for authorization in [format!("Bearer {token}"), format!("Bearer {token}  ")] {
        let request = http.get(format!("{base}/items/x")).header("Authorization", authorization.clone());
        assert_eq!(send(request).await.0, StatusCode::NOT_FOUND, "{authorization:?}");
    }
    // A second Authorization header does not help a wrong first one.
    let request = http
        .get(format!("{base}/items/x"))
        .header("Authorization", "Bearer wrong")
        .header("Authorization", format!("Bearer {token}"));
    assert_eq!(send(request).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn adversarial_the_bearer_scheme_is_case_insensitive() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig { token: Some("s3cret".into()), cors_origins: None }).await;
    let http = client();
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let request = http.get(format!("{base}/items/x")).header("Authorization", format!("{scheme} s3cret"));
        let (status, _, body) = send(request).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{scheme}: {body}");
    }
}

#[tokio::test]
async fn adversarial_a_cors_list_with_a_wildcard_builds_a_router() {
    let env = env().await;
    for origins in ["*", " * ", "https://shop.example,https://b.example", "https://shop.example, *", "*,*", ",", ""] {
        let config = ApiConfig { token: None, cors_origins: Some(origins.into()) };
        let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| api::router(env.db.clone(), &config)));
        assert!(built.is_ok(), "router with cors_origins {origins:?} panicked");
    }
}

#[tokio::test]
async fn adversarial_cors_answers_preflights_and_exposes_headers_with_a_token() {
    let env = env().await;
    let config =
        ApiConfig { token: Some("t".into()), cors_origins: Some(" https://a.example , https://b.example ".into()) };
    let base = serve(env.db.clone(), &config).await;
    let http = client();
    for origin in ["https://a.example", "https://b.example"] {
        let response = http
            .request(Method::OPTIONS, format!("{base}/items"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "Authorization,Content-Type")
            .send()
            .await
            .expect("an answer");
        assert!(response.status().is_success(), "{origin}: {}", response.status());
        assert_eq!(response.headers()["access-control-allow-origin"], origin);
    }
    let (status, headers, _) = send(
        http.post(format!("{base}/items"))
            .header("Authorization", "Bearer t")
            .header("Origin", "https://b.example")
            .json(&item("co", "books")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(headers["access-control-allow-origin"], "https://b.example");
    let exposed = headers["access-control-expose-headers"].to_str().expect("text").to_lowercase();
    assert!(exposed.contains("etag") && exposed.contains("location"), "{exposed}");
    // A 401 from an allowed origin still carries CORS headers, so the browser can read it.
    let (status, headers, _) = send(http.get(format!("{base}/items/co")).header("Origin", "https://a.example")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers["access-control-allow-origin"], "https://a.example");
    // Another origin gets no allow-origin.
    let (_, headers, _) = send(http.get(format!("{base}/items/co")).header("Origin", "https://a.example.evil")).await;
    assert!(headers.get("access-control-allow-origin").is_none());
}

// ---------------------------------------------------------------------------------------
// Lambda (API Gateway REST v1 and HTTP v2 events through lambda_http)
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn adversarial_lambda_rest_v1_with_multi_value_headers_only_and_base64_bodies() {
    let env = env().await;
    let router = api::router(env.db.clone(), &ApiConfig { token: Some("tk".into()), cors_origins: None });
    // The token and the content type only in `multiValueHeaders` (`headers` null).
    let mut event = rest_v1("POST", "/items", "Prod", Some(&item("mv", "books").to_string()));
    event["multiValueHeaders"]["Authorization"] = json!(["Bearer tk"]);
    event["headers"] = Value::Null;
    let answer = invoke(&router, event).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    assert_eq!(answer.headers["location"], "items/mv");
    // A base64 body (binary media types on a REST API).
    let body = base64::engine::general_purpose::STANDARD.encode(item("b64", "books").to_string());
    let mut event = rest_v1("POST", "/items", "Prod", Some(&body));
    event["isBase64Encoded"] = json!(true);
    event["headers"]["Authorization"] = json!("Bearer tk");
    event["multiValueHeaders"]["Authorization"] = json!(["Bearer tk"]);
    let answer = invoke(&router, event).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    // Only `headers` (no `multiValueHeaders`): still authorized.
    let mut event = rest_v1("GET", "/items/b64", "Prod", None);
    event["headers"]["Authorization"] = json!("Bearer tk");
    event["multiValueHeaders"] = Value::Null;
    let answer = invoke(&router, event).await;
    assert_eq!((answer.status, answer.body["id"].as_str()), (200, Some("b64")), "{}", answer.body);
    // And the wrong token in multiValueHeaders, the right one nowhere: 401.
    let mut event = rest_v1("GET", "/items/b64", "Prod", None);
    event["multiValueHeaders"]["Authorization"] = json!(["Bearer nope", "Bearer tk"]);
    let answer = invoke(&router, event).await;
    assert_eq!(answer.status, 401, "{}", answer.body);
}

#[tokio::test]
async fn adversarial_lambda_stage_named_like_the_first_path_segment() {
    let env = env().await;
    let router = api::router(env.db.clone(), &ApiConfig::default());
    // REST API on stage `items`: `path` has no stage.
    let answer = invoke(&router, rest_v1("POST", "/items", "items", Some(&item("s1", "books").to_string()))).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let answer = invoke(&router, rest_v1("GET", "/items/s1", "items", None)).await;
    assert_eq!((answer.status, answer.body["id"].as_str()), (200, Some("s1")), "{}", answer.body);
    // HTTP API on stage `items`: `rawPath` is `/items/items/s1`.
    let answer = invoke(&router, http_v2("GET", "/items/s1", "", "items", None)).await;
    assert_eq!((answer.status, answer.body["id"].as_str()), (200, Some("s1")), "{}", answer.body);
    let answer = invoke(&router, http_v2("GET", "/items", "category=books", "items", None)).await;
    assert_eq!((answer.status, answer.body["items"][0]["id"].as_str()), (200, Some("s1")), "{}", answer.body);
    // HTTP API on stage `items` and an item with id `items`.
    let answer =
        invoke(&router, http_v2("POST", "/items", "", "items", Some(&item("items", "books").to_string()))).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let answer = invoke(&router, http_v2("GET", "/items/items", "", "items", None)).await;
    assert_eq!((answer.status, answer.body["id"].as_str()), (200, Some("items")), "{}", answer.body);
    // The stage root is no route.
    let answer = invoke(&router, http_v2("GET", "", "", "items", None)).await;
    assert_eq!(answer.status, 404, "{}", answer.body);
}

#[tokio::test]
async fn adversarial_lambda_encoded_queries_and_cursors_work_as_over_http() {
    let env = env().await;
    let router = api::router(env.db.clone(), &ApiConfig::default());
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    for i in 0..3 {
        let answer = invoke(
            &router,
            http_v2("POST", "/items", "", "$default", Some(&item(&format!("e{i}"), "a-b").to_string())),
        )
        .await;
        assert_eq!(answer.status, 201);
    }
    // HTTP API: the raw query string, with encoded characters.
    let first = invoke(&router, http_v2("GET", "/items", "category=%61-b&limit=%31", "$default", None)).await;
    assert_eq!((first.status, first.body["items"][0]["id"].as_str()), (200, Some("e0")), "{}", first.body);
    let cursor = first.body["cursor"].as_str().expect("a cursor").to_owned();
    let second =
        invoke(&router, http_v2("GET", "/items", &format!("category=a-b&limit=1&cursor={cursor}"), "$default", None))
            .await;
    assert_eq!((second.status, second.body["items"][0]["id"].as_str()), (200, Some("e1")), "{}", second.body);
    // REST API: decoded parameters in the maps.
    let mut event = rest_v1("GET", "/items", "Prod", None);
    event["queryStringParameters"] = json!({"category": "a-b", "limit": "2", "cursor": cursor});
    event["multiValueQueryStringParameters"] = json!({"category": ["a-b"], "limit": ["2"], "cursor": [cursor]});
    let page = invoke(&router, event).await;
    let ids: Vec<&str> =
        page.body["items"].as_array().expect("items").iter().filter_map(|i| i["id"].as_str()).collect();
    assert_eq!((page.status, ids), (200, vec!["e1", "e2"]), "{}", page.body);
    // A category with characters to encode: decoded the same, and refused as no item's
    // category can be (400 naming `category`, as over HTTP).
    let mut event = rest_v1("GET", "/items", "Prod", None);
    event["queryStringParameters"] = json!({"category": "a b&c=d#e+f"});
    event["multiValueQueryStringParameters"] = json!({"category": ["a b&c=d#e+f"]});
    let page = invoke(&router, event).await;
    assert_eq!((page.status, page.body["fields"][0]["field"].as_str()), (400, Some("category")), "{}", page.body);
    let (status, _, body) = send(client().get(format!("{base}/items")).query(&[("category", "a b&c=d#e+f")])).await;
    assert_eq!((status, body["fields"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("category")));
    // Duplicate parameters: 400 as over HTTP.
    let mut event = rest_v1("GET", "/items", "Prod", None);
    event["queryStringParameters"] = json!({"category": "games"});
    event["multiValueQueryStringParameters"] = json!({"category": ["a-b", "games"]});
    let page = invoke(&router, event).await;
    assert_eq!(page.status, 400, "{}", page.body);
    let page = invoke(&router, http_v2("GET", "/items", "category=a-b&category=games", "$default", None)).await;
    assert_eq!(page.status, 400, "{}", page.body);
}

#[tokio::test]
async fn adversarial_lambda_encoded_and_dot_paths_answer_as_over_http() {
    let env = env().await;
    let router = api::router(env.db.clone(), &ApiConfig::default());
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    // Encoded paths, as a REST API and a Function URL deliver them.
    for path in ["/items/caf%C3%A9", "/items/a%20b", "/items/", "/items/a/b"] {
        let (status, _, body) = send(http.get(format!("{base}{path}"))).await;
        for (name, event) in [
            ("v1", rest_v1("GET", path, "Prod", None)),
            ("v2", http_v2("GET", path, "", "$default", None)),
            ("v2 staged", http_v2("GET", path, "", "live", None)),
        ] {
            let answer = invoke(&router, event).await;
            assert_eq!((answer.status, &answer.body["error"]), (status.as_u16(), &body["error"]), "{name} {path}");
        }
        let (status, _, _) = send(http.put(format!("{base}{path}"))).await;
        let answer = invoke(&router, rest_v1("PUT", path, "Prod", None)).await;
        assert_eq!(answer.status, status.as_u16(), "PUT {path}");
    }
    // An id with dots is reachable by a REST API event and a staged HTTP API event; an
    // id of dots alone is refused, as over HTTP.
    let answer = invoke(&router, rest_v1("POST", "/items", "Prod", Some(&item("..", "books").to_string()))).await;
    assert_eq!((answer.status, answer.body["fields"][0]["field"].as_str()), (400, Some("id")), "{}", answer.body);
    let answer = invoke(&router, rest_v1("POST", "/items", "Prod", Some(&item("a..", "books").to_string()))).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    for event in [rest_v1("GET", "/items/a..", "Prod", None), http_v2("GET", "/items/a..", "", "live", None)] {
        let answer = invoke(&router, event).await;
        assert_eq!((answer.status, answer.body["id"].as_str()), (200, Some("a..")), "{}", answer.body);
    }
}

#[tokio::test]
async fn adversarial_lambda_decoded_paths_answer_as_over_http() {
    let env = env().await;
    let router = api::router(env.db.clone(), &ApiConfig::default());
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let mut differences = Vec::new();
    for (decoded, encoded) in [("/items/a b", "/items/a%20b"), ("/items/café", "/items/caf%C3%A9")] {
        for method in ["GET", "PUT", "DELETE"] {
            let (status, _, body) =
                send(http.request(method.parse().expect("a method"), format!("{base}{encoded}"))).await;
            for (name, event) in [
                ("v2", http_v2(method, decoded, "", "$default", None)),
                ("v2 staged", http_v2(method, decoded, "", "live", None)),
                ("v1", rest_v1(method, decoded, "Prod", None)),
            ] {
                let answer = invoke(&router, event).await;
                if (answer.status, &answer.body["error"]) != (status.as_u16(), &body["error"]) {
                    differences.push(format!(
                        "{name} {method} {decoded}: {} {} (HTTP {encoded}: {status} {})",
                        answer.status, answer.body["error"], body["error"]
                    ));
                }
            }
        }
    }
    assert!(differences.is_empty(), "{differences:#?}");
}

// ---------------------------------------------------------------------------------------
// Stream handler
// ---------------------------------------------------------------------------------------

fn record(name: &str, sequence: u64, keys: &str, images: &str) -> String {
    format!(
        r#"{{
        "eventID": "id{sequence}",
        "eventName": "{name}",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {{
            "ApproximateCreationDateTime": 1764547200,
            "Keys": {keys},
            {images}
            "SequenceNumber": "{sequence:021}",
            "SizeBytes": 321,
            "StreamViewType": "NEW_AND_OLD_IMAGES"
        }},
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/items/stream/2026-12-01T00:00:00.000"
    }}"#
    )
}

fn insert(sequence: u64, id: &str, category: &str) -> String {
    record("INSERT", sequence, &keys(id), &format!(r#""NewImage": {},"#, image(id, category, 1)))
}

fn modify(sequence: u64, id: &str, from: &str, to: &str) -> String {
    let images = format!(r#""OldImage": {}, "NewImage": {},"#, image(id, from, 1), image(id, to, 2));
    record("MODIFY", sequence, &keys(id), &images)
}

fn remove(sequence: u64, id: &str, category: &str) -> String {
    record("REMOVE", sequence, &keys(id), &format!(r#""OldImage": {},"#, image(id, category, 2)))
}

#[tokio::test]
async fn adversarial_stream_many_records_of_one_item_in_one_batch_and_partial_redelivery() {
    let env = env().await;
    let db = &env.db;
    let records = vec![
        insert(100, "a", "books"),
        modify(101, "a", "books", "books"),
        modify(102, "a", "books", "games"),
        modify(103, "a", "games", "music"),
        modify(104, "a", "music", "music"),
        remove(105, "a", "music"),
        insert(106, "a", "books"),
        modify(107, "a", "books", "games"),
        insert(108, "b", "games"),
        modify(109, "b", "games", "books"),
        modify(110, "a", "games", "books"),
    ];
    let processed = counts::handle(db, &event(&records)).await;
    assert!(processed.response.batch_item_failures.is_empty());
    assert_eq!(counts_of(db).await, expected(&[("books", 2)]));
    // Lambda hands back every suffix of the batch (a retry from a failed record): nothing moves.
    for start in (0..records.len()).rev() {
        counts::handle(db, &event(&records[start..])).await;
        assert_eq!(counts_of(db).await, expected(&[("books", 2)]), "redelivery from record {start}");
    }
    // The same record twice in one batch.
    counts::handle(db, &event(&[insert(111, "c", "toys"), insert(111, "c", "toys")])).await;
    assert_eq!(counts_of(db).await, expected(&[("books", 2), ("toys", 1)]));
}

#[tokio::test]
async fn adversarial_stream_records_of_other_items_interleaved_and_sequence_number_lengths() {
    let env = env().await;
    let db = &env.db;
    // Sequence numbers of different lengths order as numbers, not as text.
    let batch = event(&[
        insert(9, "x", "books"),
        insert(10, "y", "books"),
        modify(99, "x", "books", "games"),
        modify(100, "y", "books", "games"),
        remove(1000, "x", "games"),
    ]);
    let processed = counts::handle(db, &batch).await;
    assert!(processed.response.batch_item_failures.is_empty());
    assert_eq!(counts_of(db).await, expected(&[("games", 1)]));
    counts::handle(db, &batch).await;
    assert_eq!(counts_of(db).await, expected(&[("games", 1)]));
}

#[tokio::test]
async fn adversarial_stream_remove_of_an_item_never_inserted_keeps_counts_equal_to_a_recount() {
    let env = env().await;
    let db = &env.db;
    counts::handle(db, &event(&[insert(1, "a", "books")])).await;
    let processed = counts::handle(db, &event(&[remove(2, "ghost", "games")])).await;
    assert!(processed.response.batch_item_failures.is_empty());
    // The recount: `a` in books, and no item in games.
    assert_eq!(counts_of(db).await, expected(&[("books", 1)]));
}

#[tokio::test]
async fn adversarial_stream_records_of_an_item_out_of_order() {
    let env = env().await;
    let db = &env.db;
    counts::handle(db, &event(&[modify(21, "a", "books", "games"), insert(20, "a", "books")])).await;
    assert_eq!(counts_of(db).await, expected(&[("games", 1)]));
}

#[tokio::test]
async fn adversarial_stream_unavailable_database_fails_the_first_item_record() {
    let db = unreachable_db();
    let count_record = record(
        "INSERT",
        40,
        r#"{"pk": {"S": "CATEGORY#x"}, "sk": {"S": "COUNT"}}"#,
        r#""NewImage": {"pk": {"S": "CATEGORY#x"}, "sk": {"S": "COUNT"}, "_type": {"S": "CATEGORY_COUNT"}, "category": {"S": "x"}, "count": {"N": "1"}},"#,
    );
    let batch =
        event(&[count_record, modify(41, "a", "books", "books"), insert(42, "a", "books"), insert(43, "b", "books")]);
    let processed = counts::handle(&db, &batch).await;
    let failures: Vec<_> = processed.response.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect();
    assert_eq!(failures, [Some(format!("{:021}", 42))]);
    assert_eq!((processed.handled, processed.other_models), (1, 1));
}

#[tokio::test]
async fn adversarial_stream_runner_counts_equal_a_recount_after_api_churn() {
    let env = env().await;
    let db = env.db.clone();
    let base = serve(db.clone(), &ApiConfig::default()).await;
    let http = client();
    let streams = local_stream::client(&env.endpoint, &env.access_key);
    let table = db.table_name::<Item>();
    let runner = {
        let db = db.clone();
        tokio::spawn(async move {
            local_stream::run(&streams, &db, &table, 7, |event| {
                let db = db.clone();
                async move { counts::handle(&db, &event).await.response }
            })
            .await
        })
    };
    for i in 0..8 {
        assert_eq!(post(&http, &base, &item(&format!("z{i}"), "books")).await.0, StatusCode::CREATED);
    }
    // Moves, moves back, same-category changes, deletes, a re-create elsewhere, racing patches.
    let patch = |id: &str, body: Value| http.patch(format!("{base}/items/{id}")).header("If-Match", "*").json(&body);
    assert_eq!(send(patch("z0", json!({"category": "games"}))).await.0, StatusCode::OK);
    assert_eq!(send(patch("z0", json!({"category": "books"}))).await.0, StatusCode::OK);
    assert_eq!(send(patch("z0", json!({"category": "music"}))).await.0, StatusCode::OK);
    assert_eq!(send(patch("z1", json!({"category": "books", "name": "same"}))).await.0, StatusCode::OK);
    assert_eq!(send(http.delete(format!("{base}/items/z2"))).await.0, StatusCode::NO_CONTENT);
    assert_eq!(post(&http, &base, &item("z2", "games")).await.0, StatusCode::CREATED);
    assert_eq!(send(http.delete(format!("{base}/items/z3"))).await.0, StatusCode::NO_CONTENT);
    assert_eq!(post(&http, &base, &item("z3", "toys")).await.0, StatusCode::CREATED);
    assert_eq!(send(http.delete(format!("{base}/items/z3"))).await.0, StatusCode::NO_CONTENT);
    let statuses = race(
        ["games", "music", "toys", "books"]
            .iter()
            .map(|category| {
                http.patch(format!("{base}/items/z4")).header("If-Match", "*").json(&json!({"category": category}))
            })
            .collect(),
    )
    .await;
    assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::PRECONDITION_FAILED), "{statuses:?}");

    let deadline = Instant::now() + Duration::from_secs(20);
    let (counted, recount) = loop {
        let counted = counts_of(&db).await;
        let mut recount = BTreeMap::new();
        for item in Item::scan(&db).consistent().await.expect("a scan") {
            *recount.entry(item.category).or_insert(0) += 1;
        }
        if counted == recount || Instant::now() > deadline {
            break (counted, recount);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    runner.abort();
    assert_eq!(counted, recount);
    assert_eq!(recount.values().sum::<i64>(), 7);
}
