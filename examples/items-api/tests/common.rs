//! One DynamoDB Local for the binary, a namespace (access key) per test, and the API
//! served on a free port of 127.0.0.1.

use std::sync::atomic::{AtomicU32, Ordering};

use dynamo_model::cursor::CursorKey;
use dynamo_model::local::DynamoDbLocal;
use dynamo_model::Db;
use items_api::api::{self, ApiConfig};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::OnceCell;

static LOCAL: OnceCell<DynamoDbLocal> = OnceCell::const_new();

/// The shared DynamoDB Local.
pub async fn local() -> &'static DynamoDbLocal {
    LOCAL.get_or_init(|| async { DynamoDbLocal::start().await.expect("DynamoDB Local starts") }).await
}

/// A namespace of one's own on the shared DynamoDB Local, with the items table created.
pub struct Env {
    pub db: Db,
    pub access_key: String,
    pub endpoint: String,
}

pub async fn env() -> Env {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let local = local().await;
    let access_key = format!("items{}x{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let db = local.db_with_access_key(&access_key).with_cursor_key(CursorKey::generate());
    items_api::ensure_table(&db).await.expect("the items table is created");
    Env { db, access_key, endpoint: local.endpoint().to_owned() }
}

/// Serves `router(db, config)` on a free port; returns its base URL. The server lives as
/// long as the test's runtime.
pub async fn serve(db: Db, config: &ApiConfig) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = listener.local_addr().expect("a bound address");
    let router = api::router(db, config);
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// Sends a request; the status, headers and body (JSON, `Null` when empty). A body that
/// is not JSON fails the test: every answer with a body must be JSON.
pub async fn send(request: reqwest::RequestBuilder) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: the body is not JSON: {text:?}"))
    };
    (status, headers, body)
}

pub fn fields(body: &Value) -> Vec<String> {
    body["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields in {body}"))
        .iter()
        .map(|f| f["field"].as_str().expect("a field").to_owned())
        .collect()
}
