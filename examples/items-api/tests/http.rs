//! Every route and status over real HTTP, against the router served on 127.0.0.1.

use dynamo_model::cursor::CursorKey;
use dynamo_model::retry::RetryPolicy;
use items_api::api::{ApiConfig, ItemPage, MAX_BODY};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use dynamo_model::Model;

use crate::common::{client, env, fields, send, serve};

fn book(id: &str) -> Value {
    json!({"id": id, "name": format!("book {id}"), "category": "books", "price_cents": 1250, "tags": ["paper"]})
}

#[tokio::test]
async fn items_are_created_read_changed_and_deleted() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();

    // POST: 201 with the item, its Location and its version as ETag.
    let (status, headers, created) = send(http.post(format!("{base}/items")).json(&book("b1"))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(headers["location"], "items/b1");
    assert_eq!(headers["etag"], "\"1\"");
    assert_eq!((created["id"].as_str(), created["version"].as_u64()), (Some("b1"), Some(1)));
    assert_eq!(created["tags"], json!(["paper"]));

    // Create-only: the same id again is 409, and the stored item is unchanged.
    let mut again = book("b1");
    again["name"] = json!("another");
    let (status, _, body) = send(http.post(format!("{base}/items")).json(&again)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, headers, read) = send(http.get(format!("{base}/items/b1"))).await;
    assert_eq!((status, read["name"].as_str()), (StatusCode::OK, Some("book b1")));
    assert_eq!(headers["etag"], "\"1\"");

    // No id: one is generated, and Location points at it.
    let (status, headers, generated) =
        send(http.post(format!("{base}/items")).json(&json!({"name": "n", "category": "books", "price_cents": 1})))
            .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = generated["id"].as_str().expect("an id");
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_eq!(headers["location"], format!("items/{id}").as_str());
    assert_eq!(send(http.get(format!("{base}/items/{id}"))).await.0, StatusCode::OK);

    // GET of an id that is not there.
    let (status, _, body) = send(http.get(format!("{base}/items/nope"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "no item with this id");

    // PATCH with If-Match: only the given fields change; the version moves to 2.
    let (status, headers, patched) =
        send(http.patch(format!("{base}/items/b1")).header("If-Match", "\"1\"").json(&json!({"price_cents": 1500})))
            .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(headers["etag"], "\"2\"");
    assert_eq!(patched["price_cents"], 1500);
    assert_eq!((patched["name"].as_str(), patched["tags"].clone()), (Some("book b1"), json!(["paper"])));

    // A stale If-Match is 412 (as HTTP has it); a stale body version is 409.
    let stale = http.patch(format!("{base}/items/b1")).header("If-Match", "1").json(&json!({"name": "x"}));
    assert_eq!(send(stale).await.0, StatusCode::PRECONDITION_FAILED);
    let (status, _, body) =
        send(http.patch(format!("{base}/items/b1")).json(&json!({"name": "x", "version": 1}))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(fields(&body), ["version"]);
    // A current body version works.
    let (status, _, body) =
        send(http.patch(format!("{base}/items/b1")).json(&json!({"name": "renamed", "version": 2}))).await;
    assert_eq!((status, body["name"].as_str(), body["version"].as_u64()), (StatusCode::OK, Some("renamed"), Some(3)));
    // No version at all: 428, the precondition is required; nothing changed.
    let (status, _, body) = send(http.patch(format!("{base}/items/b1")).json(&json!({"name": "y"}))).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(fields(&body), ["If-Match"]);
    // `If-Match: *` changes whatever version is stored.
    let star = http.patch(format!("{base}/items/b1")).header("If-Match", "*").json(&json!({"tags": []}));
    let (status, _, body) = send(star).await;
    assert_eq!((status, body["tags"].clone(), body["version"].as_u64()), (StatusCode::OK, json!([]), Some(4)));
    // PATCH of an item that is not there; an empty PATCH; a PATCH of the id.
    let missing = http.patch(format!("{base}/items/nope")).header("If-Match", "\"1\"").json(&json!({"name": "x"}));
    assert_eq!(send(missing).await.0, StatusCode::NOT_FOUND);
    let missing = http.patch(format!("{base}/items/nope")).header("If-Match", "*").json(&json!({"name": "x"}));
    assert_eq!(send(missing).await.0, StatusCode::NOT_FOUND);
    let (status, _, body) = send(http.patch(format!("{base}/items/b1")).header("If-Match", "*").json(&json!({}))).await;
    assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["body".to_owned()]));
    let (status, _, body) =
        send(http.patch(format!("{base}/items/b1")).header("If-Match", "*").json(&json!({"id": "b2"}))).await;
    assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["id".to_owned()]));
    // PATCH values are held to the model's rules too, every field named.
    let bad = json!({"name": "", "category": "Not A Category", "price_cents": 100_000_001u64});
    let (status, _, body) = send(http.patch(format!("{base}/items/b1")).header("If-Match", "\"4\"").json(&bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(fields(&body), ["name", "category", "price_cents"]);
    let (_, _, unchanged) = send(http.get(format!("{base}/items/b1"))).await;
    assert_eq!(unchanged["version"], 4);
    let garbage = http.patch(format!("{base}/items/b1")).header("If-Match", "four").json(&json!({"name": "x"}));
    assert_eq!(send(garbage).await.0, StatusCode::BAD_REQUEST);

    // DELETE: a stale If-Match is 412 and deletes nothing; then 204, then 404.
    let stale = http.delete(format!("{base}/items/b1")).header("If-Match", "\"3\"");
    assert_eq!(send(stale).await.0, StatusCode::PRECONDITION_FAILED);
    assert_eq!(send(http.get(format!("{base}/items/b1"))).await.0, StatusCode::OK);
    let (status, _, body) = send(http.delete(format!("{base}/items/b1")).header("If-Match", "\"4\"")).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    assert_eq!(send(http.delete(format!("{base}/items/b1"))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(send(http.get(format!("{base}/items/b1"))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(send(http.delete(format!("{base}/items/{id}"))).await.0, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn bad_requests_are_json_errors_naming_every_field() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let post = |body: String| http.post(format!("{base}/items")).header("content-type", "application/json").body(body);

    // Every broken rule, every field.
    let bad = json!({"id": "a/b", "name": "", "category": "Books!", "price_cents": 100_000_001u64,
                     "tags": ["", "x"]});
    let (status, _, body) = send(post(bad.to_string())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(fields(&body), ["id", "name", "category", "price_cents", "tags"]);
    assert!(body["fields"][1]["rule"].as_str().expect("a rule").contains("length"), "{body}");

    // Malformed JSON, wrong types, missing and unknown fields.
    let (status, _, body) = send(post("{\"name\": ".into())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().expect("an error").starts_with("malformed JSON"), "{body}");
    let (status, _, body) = send(post(json!({"name": "n", "category": "c", "price_cents": "12"}).to_string())).await;
    assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["price_cents".to_owned()]));
    let (status, _, body) = send(post(json!({"name": "n", "category": "c", "price_cents": -1}).to_string())).await;
    assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["price_cents".to_owned()]));
    let (status, _, body) =
        send(post(json!({"name": "n", "category": "c", "price_cents": 1, "tags": [1]}).to_string())).await;
    assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["tags[0]".to_owned()]));
    let (status, _, body) = send(post(json!({"category": "c", "price_cents": 1}).to_string())).await;
    assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["name".to_owned()]));
    assert_eq!(body["fields"][0]["rule"], "required");
    let (status, _, body) =
        send(post(json!({"name": "n", "category": "c", "price_cents": 1, "colour": "red"}).to_string())).await;
    assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["colour".to_owned()]));
    let (status, _, _) = send(post("[]".into())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = send(post(String::new())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A body over 64 KB is 413 (and one just under it is read).
    let name = "n".repeat(MAX_BODY);
    let (status, _, body) = send(post(json!({"name": name, "category": "c", "price_cents": 1}).to_string())).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"], "the body is over 64 KB");
    let name = "n".repeat(MAX_BODY - 100);
    let (status, _, body) = send(post(json!({"name": name, "category": "c", "price_cents": 1}).to_string())).await;
    assert_eq!(
        (status, fields(&body)),
        (StatusCode::BAD_REQUEST, vec!["name".to_owned()]),
        "read, then too long a name"
    );

    // Unknown routes are 404, wrong methods 405, both JSON.
    for (method, path, expected) in [
        (Method::GET, "/", StatusCode::NOT_FOUND),
        (Method::GET, "/things", StatusCode::NOT_FOUND),
        (Method::GET, "/items/a/b", StatusCode::NOT_FOUND),
        (Method::PUT, "/items/a", StatusCode::METHOD_NOT_ALLOWED),
        (Method::DELETE, "/items", StatusCode::METHOD_NOT_ALLOWED),
        (Method::PATCH, "/items", StatusCode::METHOD_NOT_ALLOWED),
        (Method::POST, "/items/a", StatusCode::METHOD_NOT_ALLOWED),
    ] {
        let (status, _, body) = send(http.request(method.clone(), format!("{base}{path}"))).await;
        assert_eq!(status, expected, "{method} {path}");
        assert!(body["error"].is_string(), "{method} {path}: {body}");
    }
    // Nothing above wrote an item.
    assert!(items_api::Item::scan(&env.db).await.expect("a scan").is_empty());
}

async fn list_all(http: &reqwest::Client, base: &str, category: &str, limit: usize) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut request =
            http.get(format!("{base}/items")).query(&[("category", category), ("limit", &limit.to_string())]);
        if let Some(cursor) = &cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        let (status, _, body) = send(request).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page: ItemPage = serde_json::from_value(body).expect("a page");
        assert!(page.items.len() <= limit);
        assert!(page.items.iter().all(|item| item.category == category));
        ids.extend(page.items.into_iter().map(|item| item.id));
        pages += 1;
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => return (ids, pages),
        }
    }
}

#[tokio::test]
async fn lists_follow_cursors_to_every_item_once() {
    let env = env().await;
    let base = serve(env.db.clone(), &ApiConfig::default()).await;
    let http = client();
    let mut books: Vec<String> = (0..23).map(|i| format!("b{i:02}")).collect();
    for id in &books {
        assert_eq!(send(http.post(format!("{base}/items")).json(&book(id))).await.0, StatusCode::CREATED);
    }
    for i in 0..4 {
        let game = json!({"id": format!("g{i}"), "name": "g", "category": "games", "price_cents": 1});
        assert_eq!(send(http.post(format!("{base}/items")).json(&game)).await.0, StatusCode::CREATED);
    }
    books.sort();
    for limit in [1, 5, 23, 100] {
        let (ids, pages) = list_all(&http, &base, "books", limit).await;
        assert_eq!(ids, books, "limit {limit}");
        assert!(pages >= 23_usize.div_ceil(limit), "limit {limit}: {pages} pages");
    }
    let (ids, _) = list_all(&http, &base, "games", 3).await;
    assert_eq!(ids, ["g0", "g1", "g2", "g3"]);
    let (ids, pages) = list_all(&http, &base, "empty", 20).await;
    assert_eq!((ids.len(), pages), (0, 1));
    // The default page is 20 items.
    let (_, _, body) = send(http.get(format!("{base}/items?category=books"))).await;
    assert_eq!(body["items"].as_array().map(Vec::len), Some(20));
    assert!(body["cursor"].is_string());
    let cursor = body["cursor"].as_str().expect("a cursor").to_owned();
    // The cursor resumes, and resumes again the same (it is not used up).
    for _ in 0..2 {
        let (status, _, next) =
            send(http.get(format!("{base}/items")).query(&[("category", "books"), ("cursor", &cursor)])).await;
        assert_eq!(status, StatusCode::OK);
        let ids: Vec<&str> = next["items"].as_array().expect("items").iter().filter_map(|i| i["id"].as_str()).collect();
        assert_eq!(ids, ["b20", "b21", "b22"]);
    }

    // Bad queries: every parameter named.
    let (status, _, body) = send(http.get(format!("{base}/items"))).await;
    assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["category".to_owned()]));
    let (status, _, body) = send(http.get(format!("{base}/items?limit=0&cursor=%21"))).await;
    assert_eq!(
        (status, fields(&body)),
        (StatusCode::BAD_REQUEST, vec!["category".to_owned(), "limit".into(), "cursor".into()])
    );
    for limit in ["101", "-1", "ten", ""] {
        let (status, _, body) = send(http.get(format!("{base}/items?category=books&limit={limit}"))).await;
        assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["limit".to_owned()]), "limit={limit}");
    }

    // A tampered cursor: each character changed in turn is refused, never a wrong page.
    let mut tampered = 0;
    for i in 0..cursor.len() {
        let mut bytes = cursor.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let edited = String::from_utf8(bytes).expect("ASCII");
        let (status, _, body) =
            send(http.get(format!("{base}/items")).query(&[("category", "books"), ("cursor", &edited)])).await;
        if edited != cursor {
            assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["cursor".to_owned()]), "{edited}");
            tampered += 1;
        }
    }
    assert!(tampered > 10);
    // A foreign cursor: from another category, or from a server with another key.
    let (status, _, body) =
        send(http.get(format!("{base}/items")).query(&[("category", "games"), ("cursor", &cursor)])).await;
    assert_eq!((status, fields(&body)), (StatusCode::BAD_REQUEST, vec!["cursor".to_owned()]));
    let other = serve(env.db.clone().with_cursor_key(CursorKey::generate()), &ApiConfig::default()).await;
    let (status, _, _) =
        send(http.get(format!("{other}/items")).query(&[("category", "books"), ("cursor", &cursor)])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Control: the same cursor on its own server still works.
    let (status, _, _) =
        send(http.get(format!("{base}/items")).query(&[("category", "books"), ("cursor", &cursor)])).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_token_guards_every_route_and_cors_answers_preflights() {
    let env = env().await;
    let config = ApiConfig { token: Some("s3cret-token".into()), cors_origins: Some("https://shop.example".into()) };
    let base = serve(env.db.clone(), &config).await;
    let http = client();

    for (method, path) in [
        (Method::GET, "/items/x"),
        (Method::GET, "/items?category=books"),
        (Method::POST, "/items"),
        (Method::PATCH, "/items/x"),
        (Method::DELETE, "/items/x"),
        (Method::GET, "/unknown"),
    ] {
        for authorization in [
            None,
            Some("Bearer wrong"),
            Some("Bearer s3cret-toke"),
            Some("Bearer s3cret-token2"),
            Some("s3cret-token"),
            Some("Basic s3cret-token"),
            Some("Bearer "),
        ] {
            let mut request = http.request(method.clone(), format!("{base}{path}")).json(&book("x"));
            if let Some(authorization) = authorization {
                request = request.header("Authorization", authorization);
            }
            let (status, headers, body) = send(request).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} with {authorization:?}");
            assert_eq!(headers["www-authenticate"], "Bearer");
            assert!(body["error"].is_string());
        }
    }
    // Nothing was written without the token; with it, the routes answer.
    assert!(items_api::Item::scan(&env.db).await.expect("a scan").is_empty());
    let authorized = |request: reqwest::RequestBuilder| request.header("Authorization", "Bearer s3cret-token");
    let (status, headers, _) =
        send(authorized(http.post(format!("{base}/items")).json(&book("x"))).header("Origin", "https://shop.example"))
            .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(headers["access-control-allow-origin"], "https://shop.example");
    assert_eq!(send(authorized(http.get(format!("{base}/items/x")))).await.0, StatusCode::OK);
    assert_eq!(send(authorized(http.get(format!("{base}/unknown")))).await.0, StatusCode::NOT_FOUND);

    // A preflight carries no token and is answered for the allowed origin only.
    let preflight = |origin: &str| {
        http.request(Method::OPTIONS, format!("{base}/items/x"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "PATCH")
            .header("Access-Control-Request-Headers", "authorization, if-match, content-type")
    };
    let response = preflight("https://shop.example").send().await.expect("an answer");
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(response.headers()["access-control-allow-origin"], "https://shop.example");
    let methods = response.headers()["access-control-allow-methods"].to_str().expect("text").to_owned();
    assert!(methods.contains("PATCH"), "{methods}");
    let response = preflight("https://evil.example").send().await.expect("an answer");
    assert!(response.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn an_unreachable_database_is_503() {
    // A port nothing listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().expect("an address").port();
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("a", "b", None, None, "test"))
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .build();
    let db = dynamo_model::Db::new(aws_sdk_dynamodb::Client::from_conf(config)).with_retry(RetryPolicy::none());
    let base = serve(db, &ApiConfig::default()).await;
    let http = client();
    for request in [
        http.get(format!("{base}/items/x")),
        http.get(format!("{base}/items?category=books")),
        http.post(format!("{base}/items")).json(&book("x")),
        http.patch(format!("{base}/items/x")).header("If-Match", "1").json(&json!({"name": "y"})),
        http.delete(format!("{base}/items/x")),
    ] {
        let (status, headers, body) = send(request).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(headers["retry-after"], "1");
        assert_eq!(body["error"], "the database is unavailable: try again");
    }
    // Control: validation still answers first, without the database.
    let (status, _, _) = send(http.post(format!("{base}/items")).json(&json!({"name": ""}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
