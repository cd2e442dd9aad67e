//! A second round of attempts to break the items API, on what the first round changed.
//!
//! Every test asserts what the API promises. The breaks these tests found are fixed,
//! or pinned where the behaviour is documented (see the README's items API section).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use base64::Engine;
use dynamo_model::{Db, Model};
use items_api::api::{self, ApiConfig};
use items_api::{counts, local_stream, Item};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{client, env, fields, send, serve};
use crate::support::*;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn post_raw(http: &reqwest::Client, base: &str, body: &str) -> reqwest::RequestBuilder {
    http.post(format!("{base}/items")).header("content-type", "application/json").body(body.to_owned())
}

async fn stored(http: &reqwest::Client, base: &str, id: &str) -> Value {
    let (status, _, body) = send(http.get(format!("{base}/items/{id}"))).await;
    assert_eq!(status, StatusCode::OK, "GET {id}: {body}");
    body
}

/// Writes `parts` to one connection, pausing `pause` between them, and reads until the
/// server closes it (or 5 s pass). Returns everything read, as text.
async fn raw_exchange(base: &str, parts: Vec<Vec<u8>>, pause: Duration) -> String {
    let address = host(base).to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).expect("connects");
        stream.set_read_timeout(Some(Duration::from_secs(5))).expect("a timeout");
        let mut answer = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                std::thread::sleep(pause);
                // Whatever came in meanwhile (an interim 100 Continue, say).
                stream.set_nonblocking(true).expect("non-blocking");
                let mut buffer = [0u8; 4096];
                while let Ok(n) = stream.read(&mut buffer) {
                    if n == 0 {
                        break;
                    }
                    answer.extend_from_slice(&buffer[..n]);
                }
                stream.set_nonblocking(false).expect("blocking");
            }
            if stream.write_all(part).is_err() {
                break;
            }
        }
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .expect("the exchange runs")
}

/// The statuses of every response in a raw answer (interim ones included).
fn statuses(answer: &str) -> Vec<u16> {
    answer.split("HTTP/1.1 ").skip(1).filter_map(|rest| rest.get(..3).and_then(|code| code.parse().ok())).collect()
}

// ---------------------------------------------------------------------------------------
// Authorization
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn adversarial2_the_token_guards_unknown_routes_and_wrong_methods_too() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig { token: Some("s3cret".into()), cors_origins: None }).await;
    let http = client();
    for (method, path) in [
        (Method::GET, "/nope"),
        (Method::GET, "/items/a/b"),
        (Method::GET, "/"),
        (Method::DELETE, "/items"),
        (Method::POST, "/items/x"),
    ] {
        let (status, headers, body) = send(http.request(method.clone(), format!("{base}{path}"))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}: {body}");
        assert_eq!(headers["www-authenticate"], "Bearer");
        assert_json_error(status, &body, path);
        // With the token the route's own answer comes back.
        let request = http.request(method.clone(), format!("{base}{path}")).header("Authorization", "Bearer s3cret");
        let (status, _, _) = send(request).await;
        assert!(status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
    }
}

#[tokio::test]
async fn adversarial2_two_authorization_headers_are_refused_over_http() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig { token: Some("tk".into()), cors_origins: None }).await;
    let http = client();
    // Two Authorization headers, both right.
    let request =
        http.get(format!("{base}/items/x")).header("Authorization", "Bearer tk").header("Authorization", "Bearer tk");
    assert_eq!(send(request).await.0, StatusCode::UNAUTHORIZED);
    // An empty one next to the right one, either order.
    let request = http.get(format!("{base}/items/x")).header("Authorization", "").header("Authorization", "Bearer tk");
    assert_eq!(send(request).await.0, StatusCode::UNAUTHORIZED);
    let request = http.get(format!("{base}/items/x")).header("Authorization", "Bearer tk").header("Authorization", "");
    assert_eq!(send(request).await.0, StatusCode::UNAUTHORIZED);
    // Schemes that only start like Bearer, and a non-breaking space after the token.
    for authorization in ["Bearerx tk", "Bearer: tk", "Bearer=tk", "B earer tk", "Beare tk", "Bearer tk\u{a0}"] {
        let value = reqwest::header::HeaderValue::from_bytes(authorization.as_bytes()).expect("a header value");
        let request = http.get(format!("{base}/items/x")).header("Authorization", value);
        assert_eq!(send(request).await.0, StatusCode::UNAUTHORIZED, "{authorization:?}");
    }
}

#[tokio::test]
async fn adversarial2_lambda_rest_api_two_authorization_headers_are_refused() {
    let env = env().await;
    let router = api::router(env.db.clone(), &ApiConfig { token: Some("tk".into()), cors_origins: None });
    let mut wrong = Vec::new();
    for values in [["Bearer nope", "Bearer tk"], ["Bearer tk", "Bearer tk"], ["", "Bearer tk"]] {
        // API Gateway puts every value in multiValueHeaders and the last one in headers.
        let mut event = rest_v1("GET", "/items/x", "Prod", None);
        event["headers"]["Authorization"] = json!(values[1]);
        event["multiValueHeaders"]["Authorization"] = json!(values);
        let answer = invoke(&router, event).await;
        if answer.status != 401 {
            wrong.push(format!("{values:?}: {} {}", answer.status, answer.body));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[tokio::test]
async fn adversarial2_lambda_http_api_joined_authorization_values_are_refused() {
    let env = env().await;
    let router = api::router(env.db.clone(), &ApiConfig { token: Some("tk".into()), cors_origins: None });
    // An HTTP API joins a header's values with commas.
    for joined in ["Bearer tk,Bearer tk", "Bearer nope,Bearer tk", "Bearer tk,"] {
        let mut event = http_v2("GET", "/items/x", "", "$default", None);
        event["headers"]["authorization"] = json!(joined);
        assert_eq!(invoke(&router, event).await.status, 401, "{joined}");
    }
    // Control: the right one once passes, through a named stage, any scheme case.
    let mut event = http_v2("GET", "/items/x", "", "live", None);
    event["headers"]["authorization"] = json!("bearer tk");
    assert_eq!(invoke(&router, event).await.status, 404);
}

#[tokio::test]
async fn adversarial2_a_non_ascii_token_passes_only_byte_for_byte() {
    let env = env().await;
    let token = "tök€n";
    let base = serve(env.db.clone(), &ApiConfig { token: Some(token.into()), cors_origins: None }).await;
    let http = client();
    let header = |text: &str| reqwest::header::HeaderValue::from_bytes(text.as_bytes()).expect("a header value");
    let request = http.get(format!("{base}/items/x")).header("Authorization", header(&format!("Bearer {token}")));
    assert_eq!(send(request).await.0, StatusCode::NOT_FOUND);
    for wrong in ["tokn", "tök€", "TÖK€N", "to\u{308}k€n"] {
        let request = http.get(format!("{base}/items/x")).header("Authorization", header(&format!("Bearer {wrong}")));
        assert_eq!(send(request).await.0, StatusCode::UNAUTHORIZED, "{wrong}");
    }
}

// ---------------------------------------------------------------------------------------
// JSON bodies
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn adversarial2_every_missing_required_field_is_named() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    for body in ["{}", r#"{"id": "x"}"#, r#"{"id": "x", "tags": []}"#] {
        let (status, _, answer) = send(post_raw(&http, &base, body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        let mut named = fields(&answer);
        named.sort();
        assert_eq!(named, ["category", "name", "price_cents"], "{body}: {answer}");
        let rules: Vec<&str> =
            answer["fields"].as_array().expect("fields").iter().filter_map(|f| f["rule"].as_str()).collect();
        assert!(rules.iter().all(|rule| *rule == "required"), "{body}: {answer}");
    }
}

#[tokio::test]
async fn adversarial2_one_missing_required_field_is_named_with_rule_required() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    for missing in ["name", "category", "price_cents"] {
        let mut body = item("m", "books");
        body.as_object_mut().expect("an object").remove(missing);
        let (status, _, answer) = post(&http, &base, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{missing}: {answer}");
        assert_eq!(answer["fields"], json!([{"field": missing, "rule": "required"}]), "{missing}");
    }
}

#[tokio::test]
async fn adversarial2_unknown_fields_with_odd_names_are_named_exactly() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("u", "books")).await.0, StatusCode::CREATED);
    let mut wrong = Vec::new();
    for name in ["a`b", "`", "", " ", "x.y", "name ", "NAME", "é", "a\"b", "missing field `name`"] {
        let mut body = item("u2", "books");
        body[name] = json!(1);
        let (status, _, answer) = post(&http, &base, &body).await;
        if (status, fields(&answer)) != (StatusCode::BAD_REQUEST, vec![name.to_owned()]) {
            wrong.push(format!("POST {name:?}: {status} {answer}"));
        }
        let body = json!({"name": "renamed", name: 1});
        let (status, _, answer) = send(http.patch(format!("{base}/items/u")).header("If-Match", "*").json(&body)).await;
        if (status, fields(&answer)) != (StatusCode::BAD_REQUEST, vec![name.to_owned()]) {
            wrong.push(format!("PATCH {name:?}: {status} {answer}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(stored(&http, &base, "u").await["version"], 1);
}

#[tokio::test]
async fn adversarial2_unknown_fields_with_nested_values_and_next_to_missing_ones_are_named() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let mut body = item("n", "books");
    body["extra"] = json!({"a": [1, {"b": null}], "name": "x"});
    let (status, _, answer) = post(&http, &base, &body).await;
    assert_eq!((status, fields(&answer)), (StatusCode::BAD_REQUEST, vec!["extra".to_owned()]), "{answer}");
    assert_eq!(answer["fields"][0]["rule"], "not a field of this request");
    // A misspelt required field: the unknown one is named (whatever else is).
    let body = json!({"id": "n", "nmae": "x", "category": "books", "price_cents": 1});
    let (status, _, answer) = post(&http, &base, &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(fields(&answer).contains(&"nmae".to_owned()), "{answer}");
    assert_eq!(send(http.get(format!("{base}/items/n"))).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn adversarial2_whitespace_around_the_body_is_fine_and_other_trailing_bytes_are_400() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let body = format!(" \r\n\t{}\n\r\t  \n", item("ws", "books"));
    let (status, _, answer) = send(post_raw(&http, &base, &body)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let patch = format!("\n{}\r\n", json!({"name": "spaced"}));
    let request = http.patch(format!("{base}/items/ws")).header("If-Match", "1").body(patch);
    assert_eq!(send(request).await.0, StatusCode::OK);
    for (i, trailing) in
        ["\u{a0}", "\u{c}", "\u{feff}", "\u{b}", "\u{2028}", "/* */", "// x", "\u{1a}"].iter().enumerate()
    {
        let body = format!("{}{trailing}", item(&format!("tr{i}"), "books"));
        let (status, _, answer) = send(post_raw(&http, &base, &body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{trailing:?}: {answer}");
        assert_json_error(status, &answer, trailing);
        let body = format!("{}{trailing}", json!({"name": "x"}));
        let request = http.patch(format!("{base}/items/ws")).header("If-Match", "*").body(body);
        assert_eq!(send(request).await.0, StatusCode::BAD_REQUEST, "PATCH {trailing:?}");
    }
    // Only whitespace, and nothing at all.
    for body in ["", "   ", "\n"] {
        let (status, _, answer) = send(post_raw(&http, &base, body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}: {answer}");
        assert_json_error(status, &answer, body);
        let request = http.patch(format!("{base}/items/ws")).header("If-Match", "*").body(body);
        let (status, _, answer) = send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "PATCH {body:?}: {answer}");
    }
    assert_eq!(Item::scan(&env.db).await.expect("a scan").len(), 1);
    assert_eq!(stored(&http, &base, "ws").await["name"], "spaced");
}

#[tokio::test]
async fn adversarial2_patch_version_null_and_duplicate_fields_are_400() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("vn", "books")).await.0, StatusCode::CREATED);
    let patch = |body: &str| http.patch(format!("{base}/items/vn")).header("If-Match", "*").body(body.to_owned());
    let (status, _, answer) = send(patch(r#"{"name": "x", "version": null}"#)).await;
    assert_eq!((status, fields(&answer)), (StatusCode::BAD_REQUEST, vec!["version".to_owned()]), "{answer}");
    // Without If-Match too: a null version is not "no version" (that would be 428).
    let request = http.patch(format!("{base}/items/vn")).body(r#"{"name": "x", "version": null}"#);
    let (status, _, answer) = send(request).await;
    assert_eq!((status, fields(&answer)), (StatusCode::BAD_REQUEST, vec!["version".to_owned()]), "{answer}");
    // A field given twice: refused, never the first or the last.
    for body in [r#"{"name": "a", "name": "b"}"#, r#"{"name": "a", "version": 1, "version": 1}"#] {
        let (status, _, answer) = send(patch(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_json_error(status, &answer, body);
    }
    // A null among several given fields is named alone.
    let (status, _, answer) = send(patch(r#"{"name": "ok", "price_cents": 3, "category": null}"#)).await;
    assert_eq!((status, fields(&answer)), (StatusCode::BAD_REQUEST, vec!["category".to_owned()]), "{answer}");
    let stored = stored(&http, &base, "vn").await;
    assert_eq!((stored["version"].as_u64(), stored["name"].as_str()), (Some(1), Some("item vn")));
}

#[tokio::test]
async fn adversarial2_patch_values_breaking_the_models_rules_are_400_naming_the_field() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("r", "books")).await.0, StatusCode::CREATED);
    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"name": "n".repeat(201)}), "name"),
        (json!({"category": "Books"}), "category"),
        (json!({"category": ""}), "category"),
        (json!({"category": "c".repeat(65)}), "category"),
        (json!({"category": "books\n"}), "category"),
        (json!({"category": "a_b"}), "category"),
        (json!({"price_cents": 100_000_001u64}), "price_cents"),
    ] {
        let request = http.patch(format!("{base}/items/r")).header("If-Match", "1").json(&body);
        let (status, _, answer) = send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        let mut named = fields(&answer);
        named.dedup();
        assert_eq!(named, [field], "{body}: {answer}");
    }
    // The edges that keep the rules pass: 200 characters of any width, 64 of category.
    let name: String = "é".repeat(200);
    let body = json!({"name": name, "category": "c".repeat(64), "price_cents": 100_000_000});
    let (status, _, answer) = send(http.patch(format!("{base}/items/r")).header("If-Match", "1").json(&body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["name"].as_str().map(|n| n.chars().count()), Some(200));
}

// ---------------------------------------------------------------------------------------
// Versions: If-Match and body versions
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn adversarial2_if_match_star_does_not_excuse_a_stale_body_version() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("s", "books")).await.0, StatusCode::CREATED);
    let request = http.patch(format!("{base}/items/s")).header("If-Match", "1").json(&json!({"name": "two"}));
    assert_eq!(send(request).await.0, StatusCode::OK);
    // The client says it changes version 1, which is stale; `*` in the header.
    let request =
        http.patch(format!("{base}/items/s")).header("If-Match", "*").json(&json!({"name": "lost", "version": 1}));
    let (status, _, body) = send(request).await;
    assert!(
        [StatusCode::CONFLICT, StatusCode::PRECONDITION_FAILED, StatusCode::BAD_REQUEST].contains(&status),
        "{status}: {body}"
    );
    assert_eq!(stored(&http, &base, "s").await["name"], "two");
}

#[tokio::test]
async fn adversarial2_if_match_and_body_version_agreeing_in_every_form_pass() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("f", "books")).await.0, StatusCode::CREATED);
    for (version, if_match) in [(1u64, "\"1\""), (2, "2"), (3, "W/\"3\""), (4, " \"4\" ")] {
        let request = http
            .patch(format!("{base}/items/f"))
            .header("If-Match", if_match)
            .json(&json!({"price_cents": version, "version": version}));
        let (status, headers, body) = send(request).await;
        assert_eq!(status, StatusCode::OK, "{if_match}: {body}");
        assert_eq!(headers["etag"].to_str().ok(), Some(format!("\"{}\"", version + 1).as_str()));
    }
    // Disagreeing in any form: 400 naming version, nothing changed.
    for if_match in ["\"4\"", "4", "W/\"4\"", "\"6\""] {
        let request = http
            .patch(format!("{base}/items/f"))
            .header("If-Match", if_match)
            .json(&json!({"price_cents": 1, "version": 5 + u64::from(if_match == "\"6\"") * 2}));
        let (status, _, body) = send(request).await;
        assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["version".to_owned()]), "{if_match}");
    }
    assert_eq!(stored(&http, &base, "f").await["version"], 5);
}

#[tokio::test]
async fn adversarial2_the_largest_version_in_if_match_is_just_stale() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("big", "books")).await.0, StatusCode::CREATED);
    let max = u64::MAX.to_string();
    let mut wrong = Vec::new();
    for if_match in [max.clone(), format!("\"{max}\""), format!("W/\"{max}\"")] {
        let request =
            http.patch(format!("{base}/items/big")).header("If-Match", if_match.clone()).json(&json!({"name": "x"}));
        let (status, _, body) = send(request).await;
        if status != StatusCode::PRECONDITION_FAILED {
            wrong.push(format!("PATCH If-Match {if_match}: {status} {body}"));
        }
        let request =
            http.patch(format!("{base}/items/gone")).header("If-Match", if_match.clone()).json(&json!({"name": "x"}));
        let (status, _, body) = send(request).await;
        if status != StatusCode::NOT_FOUND {
            wrong.push(format!("PATCH missing If-Match {if_match}: {status} {body}"));
        }
        let (status, _, body) =
            send(http.delete(format!("{base}/items/big")).header("If-Match", if_match.clone())).await;
        if status != StatusCode::PRECONDITION_FAILED {
            wrong.push(format!("DELETE If-Match {if_match}: {status} {body}"));
        }
    }
    let request = http.patch(format!("{base}/items/big")).json(&json!({"name": "x", "version": u64::MAX}));
    let (status, _, body) = send(request).await;
    if status != StatusCode::CONFLICT {
        wrong.push(format!("PATCH body version max: {status} {body}"));
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(stored(&http, &base, "big").await["version"], 1);
}

#[tokio::test]
async fn adversarial2_if_match_matches_only_the_etag_given_out() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let (_, headers, _) = post(&http, &base, &item("e", "books")).await;
    assert_eq!(headers["etag"], "\"1\"");
    let mut matched = Vec::new();
    for if_match in ["\"01\"", "01", "+1", "\"+1\"", "W/\"001\"", "\" 1\"", "\"1 \"", "1\"", "\"1\"\""] {
        let request =
            http.patch(format!("{base}/items/e")).header("If-Match", if_match).json(&json!({"price_cents": 2}));
        let (status, _, body) = send(request).await;
        if status == StatusCode::OK {
            matched.push(if_match);
            // Put the version back where the next one expects it: re-create the item.
            assert_eq!(send(http.delete(format!("{base}/items/e"))).await.0, StatusCode::NO_CONTENT);
            assert_eq!(post(&http, &base, &item("e", "books")).await.0, StatusCode::CREATED);
        } else {
            assert!(
                status == StatusCode::PRECONDITION_FAILED || status == StatusCode::BAD_REQUEST,
                "{if_match}: {status} {body}"
            );
        }
    }
    assert!(matched.is_empty(), "If-Match values that are not the ETag \"1\" matched it: {matched:?}");
}

#[tokio::test]
async fn adversarial2_a_version_0_or_if_match_0_never_creates_a_missing_item() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let full = json!({"name": "n", "category": "books", "price_cents": 1, "tags": []});
    for if_match in ["0", "\"0\"", "W/\"0\""] {
        let request = http.patch(format!("{base}/items/ghost")).header("If-Match", if_match).json(&full);
        let (status, _, body) = send(request).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "If-Match {if_match}: {body}");
        let (status, _, _) = send(http.delete(format!("{base}/items/ghost")).header("If-Match", if_match)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "DELETE If-Match {if_match}");
    }
    let mut body = full.clone();
    body["version"] = json!(0);
    let (status, _, answer) = send(http.patch(format!("{base}/items/ghost")).json(&body)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert!(Item::scan(&env.db).await.expect("a scan").is_empty(), "a PATCH created an item");
    // On an existing item, 0 is stale: 412 by header, 409 by body.
    assert_eq!(post(&http, &base, &item("here", "books")).await.0, StatusCode::CREATED);
    let request = http.patch(format!("{base}/items/here")).header("If-Match", "0").json(&json!({"name": "x"}));
    assert_eq!(send(request).await.0, StatusCode::PRECONDITION_FAILED);
    let request = http.patch(format!("{base}/items/here")).json(&json!({"name": "x", "version": 0}));
    assert_eq!(send(request).await.0, StatusCode::CONFLICT);
    let request = http.delete(format!("{base}/items/here")).header("If-Match", "0");
    assert_eq!(send(request).await.0, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stored(&http, &base, "here").await["version"], 1);
}

#[tokio::test]
async fn adversarial2_delete_with_a_stale_body_version_is_refused() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("dv", "books")).await.0, StatusCode::CREATED);
    let request = http.patch(format!("{base}/items/dv")).header("If-Match", "1").json(&json!({"name": "two"}));
    assert_eq!(send(request).await.0, StatusCode::OK);
    let request = http.delete(format!("{base}/items/dv")).json(&json!({"version": 1}));
    let (status, _, body) = send(request).await;
    assert!(status == StatusCode::CONFLICT || status == StatusCode::BAD_REQUEST, "{status}: {body}");
    assert_eq!(stored(&http, &base, "dv").await["version"], 2);
}

#[tokio::test]
async fn adversarial2_if_match_lists_and_garbage_never_apply() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("l", "books")).await.0, StatusCode::CREATED);
    for if_match in ["\"1\", \"2\"", "\"2\", \"1\"", "*, \"1\"", "\"1\";", "W/ \"1\"", "w/\"1\"", "\"*\"", "W/*", "1 1"]
    {
        let request = http.patch(format!("{base}/items/l")).header("If-Match", if_match).json(&json!({"name": "x"}));
        let (status, _, body) = send(request).await;
        // A list may match (HTTP allows lists); anything else is refused as JSON.
        if status != StatusCode::OK {
            assert!(
                status == StatusCode::BAD_REQUEST || status == StatusCode::PRECONDITION_FAILED,
                "{if_match}: {status} {body}"
            );
            assert_json_error(status, &body, if_match);
        } else {
            assert!(if_match.contains('"') && if_match.contains(','), "{if_match} applied");
            let request = http.patch(format!("{base}/items/l")).header("If-Match", "*").json(&json!({"name": "y"}));
            assert_eq!(send(request).await.0, StatusCode::OK);
        }
    }
}

#[tokio::test]
async fn adversarial2_body_versions_that_are_not_whole_numbers_are_400_naming_version() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("bv", "books")).await.0, StatusCode::CREATED);
    for version in ["-1", "1.0", "1e0", "\"1\"", "true", "[1]", "{}", "18446744073709551616", "0x1"] {
        let body = format!(r#"{{"name": "x", "version": {version}}}"#);
        let request = http.patch(format!("{base}/items/bv")).header("content-type", "application/json").body(body);
        let (status, _, answer) = send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "version {version}: {answer}");
        if version != "0x1" {
            assert_eq!(fields(&answer), ["version"], "version {version}: {answer}");
        }
    }
    assert_eq!(stored(&http, &base, "bv").await["version"], 1);
}

#[tokio::test]
async fn adversarial2_post_wrong_types_name_the_field() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    for (field, value) in [
        ("id", json!(5)),
        ("id", json!(["a"])),
        ("name", json!(["x"])),
        ("category", json!({"a": 1})),
        ("tags", json!([null])),
        ("tags", json!([1])),
        ("tags", json!({"0": "a"})),
    ] {
        let mut body = item("wt", "books");
        body[field] = value.clone();
        let (status, _, answer) = post(&http, &base, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {value}: {answer}");
        let named = fields(&answer);
        assert!(named.len() == 1 && named[0].starts_with(field), "{field}: {value}: {answer}");
    }
    assert!(Item::scan(&env.db).await.expect("a scan").is_empty());
}

#[tokio::test]
async fn adversarial2_a_broken_path_id_is_404_before_any_body_or_version_check() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    for path in [".x", "a%20b", "x".repeat(65).as_str(), "%2E%2E%2Fitems"] {
        for request in [
            http.patch(format!("{base}/items/{path}")).body("not json"),
            http.patch(format!("{base}/items/{path}")).json(&json!({"name": "x"})),
            http.patch(format!("{base}/items/{path}")).header("If-Match", "nope").json(&json!({"name": null})),
            http.delete(format!("{base}/items/{path}")).header("If-Match", "nope"),
        ] {
            let (status, _, body) = send(request).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Ids, categories and headers
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn adversarial2_ids_at_the_edges_of_the_rules_round_trip_through_location() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let long = "a".repeat(64);
    for id in ["-", "_", "-rf", "--", "a.", "_.-", "0", long.as_str(), "A-Z_a-z.0-9"] {
        let (status, headers, body) = post(&http, &base, &item(id, "books")).await;
        assert_eq!(status, StatusCode::CREATED, "{id}: {body}");
        let location = headers["location"].to_str().expect("text").to_owned();
        assert_eq!(location, format!("items/{id}"), "relative to the URL posted to");
        let location = format!("/{location}");
        let (status, headers, body) = send(http.get(format!("{base}{location}"))).await;
        assert_eq!((status, body["id"].as_str()), (StatusCode::OK, Some(id)), "{location}");
        let etag = headers["etag"].to_str().expect("text").to_owned();
        let request = http.patch(format!("{base}{location}")).header("If-Match", etag).json(&json!({"name": "p"}));
        assert_eq!(send(request).await.0, StatusCode::OK, "PATCH {location}");
        let request = http.delete(format!("{base}{location}")).header("If-Match", "\"2\"");
        assert_eq!(send(request).await.0, StatusCode::NO_CONTENT, "DELETE {location}");
    }
    // One past the edges: 400 on POST, 404 by path.
    for id in ["a".repeat(65), ".a".to_owned(), "a b".to_owned()] {
        let (status, _, body) = post(&http, &base, &item(&id, "books")).await;
        assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["id".to_owned()]), "{id}");
    }
    assert!(Item::scan(&env.db).await.expect("a scan").is_empty());
}

#[tokio::test]
async fn adversarial2_crlf_in_ids_never_reaches_a_header() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let injected = ["a%0D%0ASet-Cookie:%20x=1", "a%0ASet-Cookie:%20x=1", "a%0D%0A%0D%0A{}", "%0D%0ALocation:%20/evil"];
    for path in injected {
        for request in [
            http.get(format!("{base}/items/{path}")),
            http.patch(format!("{base}/items/{path}")).header("If-Match", "*").json(&json!({"name": "x"})),
            http.delete(format!("{base}/items/{path}")),
        ] {
            let (status, headers, body) = send(request).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
            assert!(headers.get("set-cookie").is_none() && headers.get("location").is_none(), "{path}: {headers:?}");
        }
    }
    for id in ["a\r\nSet-Cookie: x=1", "a\nb", "a\rb", "\r\n"] {
        let (status, headers, body) = post(&http, &base, &item(id, "books")).await;
        assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["id".to_owned()]), "{id:?}");
        assert!(headers.get("set-cookie").is_none() && headers.get("location").is_none());
    }
    // Through Lambda: a decoded path with CR LF, as a REST API hands it.
    let router = api::router(env.db.clone(), &ApiConfig::default());
    for path in ["/items/a\r\nSet-Cookie: x=1", "/items/a\nb"] {
        for event in [rest_v1("GET", path, "Prod", None), http_v2("DELETE", path, "", "live", None)] {
            let answer = invoke(&router, event).await;
            assert_eq!(answer.status, 404, "{path:?}: {}", answer.body);
            assert!(answer.headers.get("set-cookie").is_none(), "{path:?}");
        }
    }
    assert!(Item::scan(&env.db).await.expect("a scan").is_empty());
}

#[tokio::test]
async fn adversarial2_list_categories_breaking_the_rules_are_400_naming_category() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let long = "c".repeat(65);
    for category in
        ["Books", "books\n", " books", "books ", "a_b", "a.b", "b\u{0}", "bööks", long.as_str(), "books\r\n"]
    {
        let (status, _, body) = send(http.get(format!("{base}/items")).query(&[("category", category)])).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{category:?}: {body}");
        let mut named = fields(&body);
        named.dedup();
        assert_eq!(named, ["category"], "{category:?}: {body}");
    }
    // With another broken parameter: both named, category among them.
    let (status, _, body) = send(http.get(format!("{base}/items?category=A&limit=0"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let mut named = fields(&body);
    named.sort();
    assert_eq!(named, ["category", "limit"], "{body}");
    // The edges that keep the rules: 64 characters, digits and dashes only.
    for category in ["c".repeat(64), "-".to_owned(), "0".to_owned(), "a-1".to_owned()] {
        let (status, _, body) = send(http.get(format!("{base}/items")).query(&[("category", &category)])).await;
        assert_eq!((status, &body["items"]), (StatusCode::OK, &json!([])), "{category}");
    }
}

// ---------------------------------------------------------------------------------------
// CORS
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn adversarial2_a_wildcard_in_a_cors_list_allows_any_origin() {
    let env = env().await;
    for origins in ["https://shop.example, *", "*,https://shop.example", " * "] {
        let config = ApiConfig { token: Some("t".into()), cors_origins: Some(origins.into()) };
        let base = serve(env.db.clone(), &config).await;
        let http = client();
        for origin in ["https://evil.example", "null", "https://shop.example"] {
            let response = http
                .request(Method::OPTIONS, format!("{base}/items/x"))
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "PATCH")
                .header("Access-Control-Request-Headers", "if-match, content-type, authorization")
                .send()
                .await
                .expect("an answer");
            assert!(response.status().is_success(), "{origins} {origin}: {}", response.status());
            let allowed = response.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok());
            assert!(allowed == Some("*") || allowed == Some(origin), "{origins} {origin}: {allowed:?}");
            let methods = response.headers()["access-control-allow-methods"].to_str().expect("text").to_uppercase();
            assert!(methods.contains("PATCH"), "{methods}");
            let headers = response.headers()["access-control-allow-headers"].to_str().expect("text").to_lowercase();
            assert!(headers.contains("if-match") && headers.contains("authorization"), "{headers}");
        }
        let (status, headers, _) =
            send(http.get(format!("{base}/items/x")).header("Origin", "https://evil.example")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(headers.get("access-control-allow-origin").is_some(), "{origins}: {headers:?}");
    }
}

#[tokio::test]
async fn adversarial2_a_cors_list_varies_on_origin_and_matches_exactly() {
    let env = env().await;
    let config = ApiConfig { token: None, cors_origins: Some("https://a.example,https://b.example:8443".into()) };
    let base = serve(env.db.clone(), &config).await;
    let http = client();
    let (_, headers, _) = send(http.get(format!("{base}/items/x")).header("Origin", "https://a.example")).await;
    assert_eq!(headers["access-control-allow-origin"], "https://a.example");
    let vary: Vec<String> =
        headers.get_all("vary").iter().map(|v| v.to_str().unwrap_or_default().to_lowercase()).collect();
    assert!(vary.iter().any(|v| v.contains("origin")), "no Vary: Origin: {vary:?}");
    for origin in [
        "https://A.example",
        "https://a.example/",
        "https://a.example:443",
        "http://a.example",
        "https://b.example",
        "https://a.example,https://b.example:8443",
        "https://a.examplex",
    ] {
        let (_, headers, _) = send(http.get(format!("{base}/items/x")).header("Origin", origin)).await;
        assert!(headers.get("access-control-allow-origin").is_none(), "{origin}: {headers:?}");
    }
    let (_, headers, _) = send(http.get(format!("{base}/items/x")).header("Origin", "https://b.example:8443")).await;
    assert_eq!(headers["access-control-allow-origin"], "https://b.example:8443");
}

// ---------------------------------------------------------------------------------------
// HTTP transport: big queries, framing, Expect
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn adversarial2_very_many_query_parameters_are_ignored_or_refused_as_json() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    assert_eq!(post(&http, &base, &item("q", "books")).await.0, StatusCode::CREATED);
    let many: String = (0..3000).map(|i| format!("&p{i}=v{i}")).collect();
    let (status, _, body) = send(http.get(format!("{base}/items?category=books{many}"))).await;
    assert_eq!((status, body["items"][0]["id"].as_str()), (StatusCode::OK, Some("q")), "{body}");
    // The same unknown parameter thousands of times.
    let repeated = "&x=1".repeat(5000);
    let (status, _, body) = send(http.get(format!("{base}/items?category=books{repeated}"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A 20 KB cursor next to them: 400 naming cursor.
    let cursor = "Q".repeat(20 * 1024);
    let (status, _, body) = send(http.get(format!("{base}/items?category=books&cursor={cursor}{many}"))).await;
    assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["cursor".to_owned()]));
}

#[tokio::test]
/// A request target over the HTTP server's own limit never reaches the router: the
/// server answers `414 URI Too Long` itself, with no body (documented in the README; API
/// Gateway has limits of its own in front of Lambda). Never a 5xx, never a hang.
async fn adversarial2_a_100_kb_request_target_is_refused_before_the_router() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let pad = "p".repeat(100 * 1024);
    for target in [format!("/items?category=books&pad={pad}"), format!("/items/{pad}"), format!("/items?cursor={pad}")]
    {
        let request = format!("GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", host(&base));
        let answer = raw_exchange(&base, vec![request.into_bytes()], Duration::ZERO).await;
        let head = answer.split_once("\r\n\r\n").map_or(answer.as_str(), |(head, _)| head);
        assert!(head.starts_with("HTTP/1.1 414"), "{:.40}: {head:?}", target);
    }
    // Control: a long target within the limit reaches the router and gets its JSON error.
    let cursor = "c".repeat(10 * 1024);
    let (status, _, body) = send(client().get(format!("{base}/items?category=books&cursor={cursor}"))).await;
    assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["cursor".to_owned()]));
}

#[tokio::test]
async fn adversarial2_content_length_and_chunked_together_smuggle_nothing() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let first = item("framed", "books").to_string();
    let smuggled_body = item("smuggled", "books").to_string();
    let smuggled = format!(
        "POST /items HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{smuggled_body}",
        host(&base),
        smuggled_body.len()
    );
    // The chunked body ends, and a second request follows: the Content-Length covers both.
    let chunked = format!("{:x}\r\n{first}\r\n0\r\n\r\n", first.len());
    let body = format!("{chunked}{smuggled}");
    let request = format!(
        "POST /items HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nTransfer-Encoding: chunked\r\n\r\n{body}",
        host(&base),
        body.len()
    );
    let answer = raw_exchange(&base, vec![request.into_bytes()], Duration::ZERO).await;
    let codes = statuses(&answer);
    assert!(codes.len() <= 1, "more than one answer on one request: {codes:?}\n{answer}");
    assert_eq!(
        send(http.get(format!("{base}/items/smuggled"))).await.0,
        StatusCode::NOT_FOUND,
        "the request hidden in the body was served: {codes:?}"
    );
    // The reverse order of the headers, and a TE the server does not know.
    for te in ["chunked", "gzip, chunked", "identity"] {
        let request = format!(
            "POST /items HTTP/1.1\r\nHost: {}\r\nTransfer-Encoding: {te}\r\nContent-Length: {}\r\nContent-Type: application/json\r\n\r\n{body}",
            host(&base),
            body.len()
        );
        let answer = raw_exchange(&base, vec![request.into_bytes()], Duration::ZERO).await;
        assert!(statuses(&answer).len() <= 1, "{te}: {answer}");
        assert_eq!(send(http.get(format!("{base}/items/smuggled"))).await.0, StatusCode::NOT_FOUND, "{te}");
    }
}

#[tokio::test]
async fn adversarial2_expect_100_continue_reads_the_body_and_refuses_big_ones_early() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let body = item("expect", "books").to_string();
    let head = format!(
        "POST /items HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        host(&base),
        body.len()
    );
    let answer =
        raw_exchange(&base, vec![head.into_bytes(), body.clone().into_bytes()], Duration::from_millis(300)).await;
    assert_eq!(statuses(&answer), [100, 201], "{answer}");
    assert_eq!(stored(&http, &base, "expect").await["id"], "expect");
    // A body declared over the limit: 413 as JSON (the server need not ask for it).
    let big = 200 * 1024;
    let head = format!(
        "POST /items HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {big}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        host(&base)
    );
    let answer = raw_exchange(&base, vec![head.into_bytes(), vec![b' '; big]], Duration::from_millis(300)).await;
    let codes = statuses(&answer);
    assert_eq!(codes.last(), Some(&413), "{answer}");
    let json_body = answer.rsplit_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    let json_body: Value = serde_json::from_str(json_body).unwrap_or_else(|_| panic!("not JSON: {answer}"));
    assert_eq!(json_body["error"], "the body is over 64 KB");
    // An expectation the server does not know: the request is still answered as JSON.
    let body = item("expect2", "books").to_string();
    let head = format!(
        "POST /items HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 200-ok\r\nConnection: close\r\n\r\n{body}",
        host(&base),
        body.len(),
    );
    let answer = raw_exchange(&base, vec![head.into_bytes()], Duration::ZERO).await;
    let codes = statuses(&answer);
    assert!(codes == [201] || codes == [417], "{answer}");
}

/// Sends `request`, closes the writing half, and reads the answer.
async fn raw_half_closed(base: &str, request: Vec<u8>) -> String {
    let address = host(base).to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).expect("connects");
        stream.set_read_timeout(Some(Duration::from_secs(5))).expect("a timeout");
        stream.write_all(&request).expect("writes");
        stream.shutdown(std::net::Shutdown::Write).expect("half-closes");
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .expect("the exchange runs")
}

fn json_of(answer: &str) -> Option<Value> {
    let (head, body) = answer.split_once("\r\n\r\n")?;
    let body = if head.to_lowercase().contains("transfer-encoding: chunked") {
        body.split("\r\n").skip(1).step_by(2).collect::<String>()
    } else {
        body.to_owned()
    };
    serde_json::from_str(&body).ok()
}

#[tokio::test]
async fn adversarial2_short_and_malformed_bodies_are_json_400s_and_trailers_are_fine() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let body = item("short", "books").to_string();
    // A Content-Length past what is sent, then the client stops writing.
    let request = format!(
        "POST /items HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        host(&base),
        body.len() + 50
    );
    let answer = raw_half_closed(&base, request.into_bytes()).await;
    let codes = statuses(&answer);
    assert!(codes.is_empty() || (codes == [400] && json_of(&answer).is_some()), "{answer}");
    // A chunk size that is no number, and a chunk longer than its size.
    for chunks in [format!("zz\r\n{body}\r\n0\r\n\r\n"), format!("5\r\n{body}\r\n0\r\n\r\n")] {
        let request = format!(
            "POST /items HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunks}",
            host(&base)
        );
        let answer = raw_exchange(&base, vec![request.into_bytes()], Duration::ZERO).await;
        let codes = statuses(&answer);
        assert!(codes.first().is_some_and(|c| (400..500).contains(c)), "{chunks:.20}: {answer}");
        let error = json_of(&answer);
        assert!(error.as_ref().is_some_and(|e| e["error"].is_string()), "{chunks:.20}: no JSON error: {answer}");
    }
    assert_eq!(send(http.get(format!("{base}/items/short"))).await.0, StatusCode::NOT_FOUND);
    // Chunk extensions and trailers: the body is the chunks.
    let (first, second) = body.split_at(10);
    let request = format!(
        "POST /items HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\nConnection: close\r\n\r\n{:x};ext=1\r\n{first}\r\n{:x}\r\n{second}\r\n0\r\nX-Sum: 1\r\n\r\n",
        host(&base),
        first.len(),
        second.len()
    );
    let answer = raw_exchange(&base, vec![request.into_bytes()], Duration::ZERO).await;
    assert_eq!(statuses(&answer), [201], "{answer}");
}

// ---------------------------------------------------------------------------------------
// Lambda
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn adversarial2_lambda_http_api_base64_bodies_if_match_and_staged_queries() {
    let env = env().await;
    let router = api::router(env.db.clone(), &ApiConfig::default());
    let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    for (stage, id) in [("$default", "h1"), ("live", "h2")] {
        let mut event = http_v2("POST", "/items", "", stage, Some(&b64(&item(id, "a-b").to_string())));
        event["isBase64Encoded"] = json!(true);
        let answer = invoke(&router, event).await;
        assert_eq!(answer.status, 201, "{stage}: {}", answer.body);
        // PATCH with a base64 body and If-Match in the headers, through the stage.
        let mut event =
            http_v2("PATCH", &format!("/items/{id}"), "", stage, Some(&b64(&json!({"category": "c-d"}).to_string())));
        event["isBase64Encoded"] = json!(true);
        event["headers"]["if-match"] = json!("W/\"1\"");
        let answer = invoke(&router, event).await;
        assert_eq!((answer.status, answer.body["category"].as_str()), (200, Some("c-d")), "{stage}: {}", answer.body);
        assert_eq!(answer.headers["etag"], "\"2\"");
        // A stale If-Match: 412, and no If-Match at all: 428.
        let mut event = http_v2("PATCH", &format!("/items/{id}"), "", stage, Some(r#"{"name": "x"}"#));
        event["headers"]["if-match"] = json!("\"1\"");
        assert_eq!(invoke(&router, event).await.status, 412, "{stage}");
        let event = http_v2("PATCH", &format!("/items/{id}"), "", stage, Some(r#"{"name": "x"}"#));
        assert_eq!(invoke(&router, event).await.status, 428, "{stage}");
        // Trailing data in a base64 body: 400.
        let mut event =
            http_v2("PATCH", &format!("/items/{id}"), "", stage, Some(&b64(r#"{"name": "x"} {"name": "y"}"#)));
        event["isBase64Encoded"] = json!(true);
        event["headers"]["if-match"] = json!("*");
        assert_eq!(invoke(&router, event).await.status, 400, "{stage}");
    }
    let answer = invoke(&router, http_v2("GET", "/items", "category=c-d&limit=1", "live", None)).await;
    assert_eq!((answer.status, answer.body["items"][0]["id"].as_str()), (200, Some("h1")), "{}", answer.body);
    let cursor = answer.body["cursor"].as_str().expect("a cursor").to_owned();
    let query = format!("limit=1&cursor={cursor}&category=c-d");
    let answer = invoke(&router, http_v2("GET", "/items", &query, "live", None)).await;
    assert_eq!((answer.status, answer.body["items"][0]["id"].as_str()), (200, Some("h2")), "{}", answer.body);
    // A broken category through the stage: 400 naming category.
    let answer = invoke(&router, http_v2("GET", "/items", "category=C_D", "live", None)).await;
    assert_eq!((answer.status, answer.body["fields"][0]["field"].as_str()), (400, Some("category")));
}

#[tokio::test]
async fn adversarial2_lambda_rest_api_if_match_in_multi_value_headers_and_base64_patch() {
    let env = env().await;
    let router = api::router(env.db.clone(), &ApiConfig::default());
    let answer = invoke(&router, rest_v1("POST", "/items", "Prod", Some(&item("r1", "books").to_string()))).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let body = base64::engine::general_purpose::STANDARD.encode(json!({"name": "b64"}).to_string());
    let mut event = rest_v1("PATCH", "/items/r1", "Prod", Some(&body));
    event["isBase64Encoded"] = json!(true);
    event["headers"]["If-Match"] = json!("\"1\"");
    event["multiValueHeaders"]["If-Match"] = json!(["\"1\""]);
    let answer = invoke(&router, event).await;
    assert_eq!((answer.status, answer.body["name"].as_str()), (200, Some("b64")), "{}", answer.body);
    // Only in multiValueHeaders, stale: 412.
    let mut event = rest_v1("PATCH", "/items/r1", "Prod", Some(r#"{"name": "x"}"#));
    event["multiValueHeaders"]["If-Match"] = json!(["\"1\""]);
    event["headers"] = Value::Null;
    let answer = invoke(&router, event).await;
    assert_eq!(answer.status, 412, "{}", answer.body);
    // A null PATCH field through Lambda: 400 naming it.
    let mut event = rest_v1("PATCH", "/items/r1", "Prod", Some(r#"{"name": null}"#));
    event["headers"]["If-Match"] = json!("*");
    event["multiValueHeaders"]["If-Match"] = json!(["*"]);
    let answer = invoke(&router, event).await;
    assert_eq!((answer.status, answer.body["fields"][0]["field"].as_str()), (400, Some("name")), "{}", answer.body);
}

#[tokio::test]
async fn adversarial2_lambda_location_on_a_named_stage_leads_back_to_the_item() {
    let env = env().await;
    let router = api::router(env.db.clone(), &ApiConfig::default());
    let answer = invoke(&router, http_v2("POST", "/items", "", "live", Some(&item("st", "books").to_string()))).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let location = answer.headers["location"].as_str().expect("a Location").to_owned();
    // Resolve it as a browser would, against https://host/live/items (the URL called).
    let resolved = if location.starts_with('/') {
        location.clone()
    } else if location.starts_with("https://") {
        location.splitn(4, '/').nth(3).map(|path| format!("/{path}")).unwrap_or_default()
    } else {
        format!("/live/{location}")
    };
    assert!(resolved.starts_with("/live/items/"), "Location {location:?} leaves the stage: {resolved}");
}

// ---------------------------------------------------------------------------------------
// Stream counts
// ---------------------------------------------------------------------------------------

fn record(name: &str, sequence: &str, keys: &str, images: &str, identity: &str) -> String {
    format!(
        r#"{{
        "eventID": "id{sequence}",
        "eventName": "{name}",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        {identity}
        "dynamodb": {{
            "ApproximateCreationDateTime": 1764547200,
            "Keys": {keys},
            {images}
            "SequenceNumber": "{sequence}",
            "SizeBytes": 321,
            "StreamViewType": "NEW_AND_OLD_IMAGES"
        }},
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/items/stream/2026-12-01T00:00:00.000"
    }}"#
    )
}

fn seq(n: u64) -> String {
    format!("{n:021}")
}

fn insert(sequence: u64, id: &str, category: &str) -> String {
    record("INSERT", &seq(sequence), &keys(id), &format!(r#""NewImage": {},"#, image(id, category, 1)), "")
}

fn modify(sequence: u64, id: &str, from: &str, to: &str) -> String {
    let images = format!(r#""OldImage": {}, "NewImage": {},"#, image(id, from, 1), image(id, to, 2));
    record("MODIFY", &seq(sequence), &keys(id), &images, "")
}

fn remove(sequence: u64, id: &str, category: &str) -> String {
    record("REMOVE", &seq(sequence), &keys(id), &format!(r#""OldImage": {},"#, image(id, category, 2)), "")
}

const TTL: &str = r#""userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},"#;

fn expire(sequence: u64, id: &str, category: &str) -> String {
    record("REMOVE", &seq(sequence), &keys(id), &format!(r#""OldImage": {},"#, image(id, category, 2)), TTL)
}

async fn recount(db: &Db) -> BTreeMap<String, i64> {
    let mut recount = BTreeMap::new();
    for item in Item::scan(db).consistent().await.expect("a scan") {
        *recount.entry(item.category).or_insert(0) += 1;
    }
    recount
}

#[tokio::test]
async fn adversarial2_stream_the_same_batch_handled_concurrently_counts_once() {
    let env = env().await;
    let db = env.db.clone();
    let batch = event(&[
        insert(10, "a", "books"),
        insert(11, "b", "books"),
        modify(12, "a", "books", "games"),
        modify(13, "b", "books", "books"),
        remove(14, "b", "books"),
        insert(15, "c", "music"),
        expire(16, "c", "music"),
        insert(17, "d", "music"),
    ]);
    // Lambda may run a retried batch while a timed-out run of it is still going.
    let mut runs = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let db = db.clone();
        let batch = batch.clone();
        runs.spawn(async move { counts::handle(&db, &batch).await.response.batch_item_failures.len() });
    }
    while runs.join_next().await.is_some() {}
    // Every run that failed is retried by Lambda until it passes: do the same.
    for _ in 0..10 {
        if counts::handle(&db, &batch).await.response.batch_item_failures.is_empty() {
            break;
        }
    }
    assert_eq!(counts_of(&db).await, expected(&[("games", 1), ("music", 1)]));
}

#[tokio::test]
async fn adversarial2_stream_expire_and_remove_of_one_item_redelivered_never_go_negative() {
    let env = env().await;
    let db = &env.db;
    counts::handle(db, &event(&[insert(1, "x", "books"), insert(2, "y", "books")])).await;
    // The item expires, and Lambda delivers its expiry three times, with a stale remove.
    for _ in 0..3 {
        let processed = counts::handle(db, &event(&[expire(3, "x", "books"), remove(3, "x", "books")])).await;
        assert!(processed.response.batch_item_failures.is_empty());
    }
    assert_eq!(counts_of(db).await, expected(&[("books", 1)]));
    // A MODIFY that keeps the category, redelivered around a real move.
    let batch =
        event(&[modify(4, "y", "books", "books"), modify(5, "y", "books", "games"), modify(6, "y", "games", "games")]);
    counts::handle(db, &batch).await;
    counts::handle(db, &batch).await;
    counts::handle(db, &event(&[modify(4, "y", "books", "books")])).await;
    assert_eq!(counts_of(db).await, expected(&[("games", 1)]));
    // Sequence numbers of 40 digits (the longest) compare as numbers.
    let long = |n: u64| format!("{n:040}");
    let big = record("INSERT", &long(7), &keys("z"), &format!(r#""NewImage": {},"#, image("z", "toys", 1)), "");
    let bigger = record(
        "REMOVE",
        &format!("1{}", &long(8)[1..]),
        &keys("z"),
        &format!(r#""OldImage": {},"#, image("z", "toys", 1)),
        "",
    );
    counts::handle(db, &event(&[big.clone(), bigger.clone()])).await;
    counts::handle(db, &event(&[big, bigger])).await;
    assert_eq!(counts_of(db).await, expected(&[("games", 1)]));
}

/// Starts the local stream runner on `db`'s table with the counts handler.
fn start_runner(env: &crate::common::Env, batch_size: i32) -> tokio::task::JoinHandle<()> {
    let db = env.db.clone();
    let streams = local_stream::client(&env.endpoint, &env.access_key);
    let table = db.table_name::<Item>();
    tokio::spawn(async move {
        let _ = local_stream::run(&streams, &db, &table, batch_size, |event| {
            let db = db.clone();
            async move { counts::handle(&db, &event).await.response }
        })
        .await;
    })
}

/// Waits until the counts equal a recount by scan (or 20 s pass); both, for the assert.
async fn settled(db: &Db) -> (BTreeMap<String, i64>, BTreeMap<String, i64>) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (counted, recounted) = (counts_of(db).await, recount(db).await);
        if counted == recounted || Instant::now() > deadline {
            return (counted, recounted);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn adversarial2_stream_runner_patch_category_racing_delete_then_recount() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let runner = start_runner(&env, 10);
    let ids: Vec<String> = (0..12).map(|i| format!("pd{i}")).collect();
    for id in &ids {
        assert_eq!(post(&http, &base, &item(id, "books")).await.0, StatusCode::CREATED);
    }
    // For each item: a move to games (If-Match 1), a move to music (`*`), and a delete,
    // all at once; then re-create half of them elsewhere and race again.
    for round in 0..2 {
        let mut requests = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            if round == 1 && i % 2 == 1 {
                continue;
            }
            let url = format!("{base}/items/{id}");
            requests.push(http.patch(&url).header("If-Match", "1").json(&json!({"category": "games"})));
            requests.push(http.patch(&url).header("If-Match", "*").json(&json!({"category": "music"})));
            requests.push(http.delete(&url));
        }
        let statuses = race(requests).await;
        let allowed = [StatusCode::OK, StatusCode::NO_CONTENT, StatusCode::NOT_FOUND, StatusCode::PRECONDITION_FAILED];
        assert!(statuses.iter().all(|s| allowed.contains(s)), "{statuses:?}");
        if round == 0 {
            for id in ids.iter().step_by(2) {
                let (status, _, body) = post(&http, &base, &item(id, "toys")).await;
                assert!(status == StatusCode::CREATED || status == StatusCode::CONFLICT, "{body}");
            }
        }
    }
    let (counted, recounted) = settled(&env.db).await;
    runner.abort();
    assert_eq!(counted, recounted);
}

#[tokio::test]
async fn adversarial2_stream_runner_many_items_moving_concurrently_then_recount() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let runner = start_runner(&env, 25);
    let categories = ["a", "b", "c", "d"];
    let ids: Vec<String> = (0..24).map(|i| format!("mv{i:02}")).collect();
    let creates =
        ids.iter().enumerate().map(|(i, id)| http.post(format!("{base}/items")).json(&item(id, categories[i % 4])));
    assert!(race(creates.collect()).await.iter().all(|s| *s == StatusCode::CREATED));
    // Four rounds: every item moves to another category, all at once, some twice at once.
    for round in 1..=4 {
        let mut requests = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let to = categories[(i + round) % 4];
            requests
                .push(http.patch(format!("{base}/items/{id}")).header("If-Match", "*").json(&json!({"category": to})));
            if i % 3 == 0 {
                let other = categories[(i + round + 1) % 4];
                requests.push(
                    http.patch(format!("{base}/items/{id}")).header("If-Match", "*").json(&json!({"category": other})),
                );
            }
        }
        let statuses = race(requests).await;
        assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::PRECONDITION_FAILED), "{statuses:?}");
    }
    let (counted, recounted) = settled(&env.db).await;
    runner.abort();
    assert_eq!(counted, recounted);
    assert_eq!(recounted.values().sum::<i64>(), 24);
}
