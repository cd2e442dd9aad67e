//! The HTTP API: one axum router, served locally or by Lambda behind API Gateway.
//!
//! | route                         | does                                   | answers                  |
//! |-------------------------------|----------------------------------------|--------------------------|
//! | `POST /items`                 | creates an item (create-only)          | 201, 400, 409, 413       |
//! | `GET /items/{id}`             | reads one                              | 200, 404                 |
//! | `GET /items?category=..`      | a page of a category (`limit`, `cursor`) | 200, 400               |
//! | `PATCH /items/{id}`           | changes the given fields, if the version matches | 200, 400, 404, 409, 412, 428 |
//! | `DELETE /items/{id}`          | deletes one (`If-Match` or a body `version`, optional) | 204, 400, 404, 409, 412 |
//!
//! Every error is JSON: `{"error": "...", "fields": [{"field": "...", "rule": "..."}]}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use dynamo_model::{Cursor, Db, Document, Error, Model};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::model::Item;

/// The largest request body accepted: larger ones are 413.
pub const MAX_BODY: usize = 64 * 1024;
/// The page size when a list gives no `limit`.
pub const DEFAULT_LIMIT: usize = 20;
/// The largest `limit` a list takes.
pub const MAX_LIMIT: usize = 100;

/// How the API is set up; [`ApiConfig::from_env`] reads it from the environment.
#[derive(Debug, Clone, Default)]
pub struct ApiConfig {
    /// `ITEMS_API_TOKEN`: when set, every request needs `Authorization: Bearer <token>`
    /// (an empty token set here lets no request through).
    pub token: Option<String>,
    /// `ITEMS_API_CORS_ORIGINS`: `*`, or origins separated by commas (a `*` among them
    /// allows any); unset, no CORS headers are sent (browsers then allow same-origin
    /// calls only).
    pub cors_origins: Option<String>,
}

impl ApiConfig {
    /// Reads `ITEMS_API_TOKEN` and `ITEMS_API_CORS_ORIGINS` (empty counts as unset).
    pub fn from_env() -> Self {
        let var = |name| std::env::var(name).ok().filter(|value: &String| !value.is_empty());
        Self { token: var("ITEMS_API_TOKEN"), cors_origins: var("ITEMS_API_CORS_ORIGINS") }
    }
}

#[derive(Clone)]
struct App {
    db: Db,
    token: Option<Arc<[u8]>>,
}

/// The API's router on `db` (whose table must exist; see [`crate::ensure_table`]).
/// Give the `Db` a cursor key ([`Db::with_cursor_key`]) so list cursors are sealed.
pub fn router(db: Db, config: &ApiConfig) -> Router {
    let app = App { db, token: config.token.as_ref().map(|token| Arc::from(token.as_bytes())) };
    let mut router = Router::new()
        .route("/items", get(list).post(create))
        .route("/items/{id}", get(read).patch(patch).delete(remove))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed on this route")
        })
        .layer(middleware::from_fn_with_state(app.clone(), authorize))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(app);
    if let Some(origins) = &config.cors_origins {
        let allow = if origins.split(',').any(|origin| origin.trim() == "*") {
            AllowOrigin::any()
        } else {
            AllowOrigin::list(origins.split(',').filter_map(|origin| HeaderValue::from_str(origin.trim()).ok()))
        };
        // Outermost, so preflight requests (which carry no token) are answered here.
        router = router.layer(
            CorsLayer::new()
                .allow_origin(allow)
                .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::IF_MATCH])
                .expose_headers([header::ETAG, header::LOCATION]),
        );
    }
    router
}

/// `Authorization: Bearer <token>` when a token is configured, compared in constant time.
async fn authorize(State(app): State<App>, request: Request, next: Next) -> Response {
    if let Some(token) = &app.token {
        // The scheme is case-insensitive (RFC 9110), the token exact. An empty token
        // configured lets nothing through.
        let mut given = request.headers().get_all(header::AUTHORIZATION).iter();
        let given = match (given.next(), given.next()) {
            (Some(value), None) => value.as_bytes(),
            _ => b"",
        };
        let token_given = match given.iter().position(|b| *b == b' ') {
            Some(space) if given[..space].eq_ignore_ascii_case(b"bearer") => &given[space + 1..],
            _ => b"",
        };
        if token.is_empty() || !bool::from(token_given.ct_eq(token)) {
            let mut response = ApiError::new(StatusCode::UNAUTHORIZED, "missing or wrong bearer token").into_response();
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
    }
    next.run(request).await
}

/// A field and the rule it breaks, in an error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRule {
    /// The field (or query parameter, or header).
    pub field: String,
    /// The rule it breaks.
    pub rule: String,
}

/// An error answer: its status and the JSON body `{"error", "fields"}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    error: String,
    fields: Vec<FieldRule>,
}

impl ApiError {
    fn new(status: StatusCode, error: impl Into<String>) -> Self {
        Self { status, error: error.into(), fields: Vec::new() }
    }

    fn field(mut self, field: impl Into<String>, rule: impl Into<String>) -> Self {
        self.fields.push(FieldRule { field: field.into(), rule: rule.into() });
        self
    }

    fn bad_request(error: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            error: &'a str,
            fields: &'a [FieldRule],
        }
        let mut response = (self.status, Json(Body { error: &self.error, fields: &self.fields })).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        match error {
            Error::Validation { errors, .. } => {
                let mut api = ApiError::bad_request("invalid item");
                for error in errors {
                    api = api.field(error.attribute, error.rule.to_string());
                }
                api
            }
            Error::Invalid { attribute, reason, .. } => {
                ApiError::bad_request("invalid item").field(attribute, reason.to_string())
            }
            Error::InvalidCursor { .. } => ApiError::bad_request("invalid cursor")
                .field("cursor", "a cursor this API returned for the same category"),
            Error::AlreadyExists { .. } => ApiError::new(StatusCode::CONFLICT, "an item with this id exists"),
            Error::NotFound { .. } | Error::VersionConflict { current: None, .. } => not_found(),
            Error::VersionConflict { .. } => ApiError::new(StatusCode::CONFLICT, "the item changed: read it again")
                .field("version", "the item's current version"),
            // The write may have been applied: the client reads before writing again.
            error @ Error::OutcomeUnknown { .. } => {
                eprintln!("items-api: {error}");
                ApiError::new(StatusCode::GATEWAY_TIMEOUT, "the write may or may not have been applied: read the item")
            }
            error if error.is_retryable() || matches!(&error, Error::Service { code: None, .. }) => {
                eprintln!("items-api: DynamoDB unavailable: {error}");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the database is unavailable: try again")
            }
            error => {
                eprintln!("items-api: {error}");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        }
    }
}

fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no item with this id")
}

/// A JSON body read within [`MAX_BODY`]; a type error names the field.
fn json<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("the body is over {} KB", MAX_BODY / 1024))
        }
        status => ApiError::new(status, rejection.body_text()),
    })?;
    let mut deserializer = serde_json::Deserializer::from_slice(&body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let api = ApiError::bad_request(format!("malformed JSON: {inner}"));
        let message = inner.to_string();
        // serde_json's message without its position: the rule the field breaks.
        let rule = message.rsplit_once(" at line ").map_or(message.as_str(), |(rule, _)| rule);
        match inner.classify() {
            // An unknown field: the path ends at it (its name as sent, whatever it holds).
            serde_json::error::Category::Data if rule.starts_with("unknown field `") && path != "." => {
                api.field(path, "not a field of this request")
            }
            serde_json::error::Category::Data if path != "." => api.field(path, rule),
            _ => api,
        }
    })?;
    // One JSON value and nothing after it but whitespace.
    deserializer.end().map_err(|error| ApiError::bad_request(format!("malformed JSON: {error}")))?;
    Ok(value)
}

/// The id in the path. An id the model's rules refuse (too long for a key, say) names no
/// item: 404, as any other id with no item.
fn id_of(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let id = path.map(|Path(id)| id).map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    match broken_rules(Item { id, ..probe() }, "id") {
        (item, None) => Ok(item.id),
        (_, Some(_)) => Err(not_found()),
    }
}

/// An item that keeps every rule, to check one field against the model's rules.
fn probe() -> Item {
    Item {
        id: "probe".into(),
        name: "probe".into(),
        category: "probe".into(),
        price_cents: 0,
        tags: Vec::new(),
        version: 0,
        created_at: 0,
        updated_at: 0,
    }
}

/// The item back, with the rule `field` breaks, if any.
fn broken_rules(item: Item, field: &str) -> (Item, Option<String>) {
    let broken = match item.validate() {
        Err(Error::Validation { errors, .. }) => errors
            .into_iter()
            .filter(|error| error.attribute == field)
            .map(|error| error.rule.to_string())
            .reduce(|a, b| format!("{a}; {b}")),
        _ => None,
    };
    (item, broken)
}

/// What `POST /items` takes. Every field is read as optional (`null` as absent), so a
/// body missing several required fields is told about each.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewItem {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    price_cents: Option<u64>,
    #[serde(default)]
    tags: Option<Vec<String>>,
}

async fn create(State(app): State<App>, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let new: NewItem = json(body)?;
    let mut missing = ApiError::bad_request("invalid item");
    for (field, given) in
        [("name", new.name.is_some()), ("category", new.category.is_some()), ("price_cents", new.price_cents.is_some())]
    {
        if !given {
            missing = missing.field(field, "required");
        }
    }
    let (Some(name), Some(category), Some(price_cents)) = (new.name, new.category, new.price_cents) else {
        return Err(missing);
    };
    let item = Item {
        id: new.id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        name,
        category,
        price_cents,
        tags: new.tags.unwrap_or_default(),
        version: 0,
        created_at: 0,
        updated_at: 0,
    };
    // Version 0 makes the put create-only: an existing id is a conflict.
    let stored = Item::put(&app.db, &item).await.map_err(|error| match error {
        Error::VersionConflict { .. } => ApiError::new(StatusCode::CONFLICT, "an item with this id exists"),
        error => error.into(),
    })?;
    // Relative to the URL posted to (`…/items`), so it leads back to the item behind any
    // API Gateway stage or base path.
    let location = HeaderValue::from_str(&format!("items/{}", stored.id)).map_err(|_| not_found())?;
    Ok((StatusCode::CREATED, [(header::LOCATION, location), (header::ETAG, etag(&stored))], Json(stored))
        .into_response())
}

fn etag(item: &Item) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{}\"", item.version)).unwrap_or(HeaderValue::from_static("\"0\""))
}

async fn read(State(app): State<App>, id: Result<Path<String>, PathRejection>) -> Result<Response, ApiError> {
    let id = id_of(id)?;
    match Item::get(&app.db, Item::key(id)).await? {
        Some(item) => Ok(([(header::ETAG, etag(&item))], Json(item)).into_response()),
        None => Err(not_found()),
    }
}

/// The query of `GET /items`.
#[derive(Debug, Deserialize)]
struct ListParams {
    category: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// A page of a category.
#[derive(Debug, Serialize, Deserialize)]
pub struct ItemPage {
    /// The items, in id order.
    pub items: Vec<Item>,
    /// Where the next page starts; `null` on the last page.
    pub cursor: Option<String>,
}

async fn list(State(app): State<App>, params: Result<Query<ListParams>, QueryRejection>) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    let mut error = ApiError::bad_request("invalid query");
    let category = match params.category.filter(|category| !category.is_empty()) {
        None => {
            error = error.field("category", "required");
            None
        }
        Some(category) => match broken_rules(Item { category, ..probe() }, "category") {
            (item, None) => Some(item.category),
            (_, Some(rule)) => {
                error = error.field("category", rule);
                None
            }
        },
    };
    let limit = match params.limit.as_deref().map(str::parse::<usize>) {
        None => DEFAULT_LIMIT,
        Some(Ok(limit)) if (1..=MAX_LIMIT).contains(&limit) => limit,
        Some(_) => {
            error = error.field("limit", format!("an integer from 1 to {MAX_LIMIT}"));
            DEFAULT_LIMIT
        }
    };
    let cursor = match params.cursor.as_deref().map(str::parse::<Cursor>) {
        None => None,
        Some(Ok(cursor)) => Some(cursor),
        Some(Err(_)) => {
            error = error.field("cursor", "a cursor this API returned for the same category");
            None
        }
    };
    let (Some(category), true) = (category, error.fields.is_empty()) else {
        return Err(error);
    };
    let page = Item::BY_CATEGORY.query(&app.db, category).limit(limit).page(cursor).await?;
    Ok(Json(ItemPage { items: page.items, cursor: page.cursor.map(|cursor| cursor.to_string()) }).into_response())
}

/// The version a write expects: `If-Match` (`"3"`, `3`, or `*` for any), else the
/// body's `version`. A stale `If-Match` is 412 (as HTTP has it), a stale body version 409.
enum Expected {
    Header(Option<u64>),
    Body(u64),
    Missing,
}

fn expected(headers: &HeaderMap, body_version: Option<u64>) -> Result<Expected, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(body_version.map_or(Expected::Missing, Expected::Body));
    };
    let expected = if_match(value)?;
    // Both given: they must say the same, or the request contradicts itself. `*` (any
    // version) does not excuse a body version: that one is checked.
    match (&expected, body_version) {
        (Expected::Header(Some(header)), Some(body)) if *header != body => {
            Err(ApiError::bad_request("If-Match and the body's version differ")
                .field("version", "the version If-Match gives, or left out"))
        }
        (Expected::Header(None), Some(body)) => Ok(Expected::Body(body)),
        _ => Ok(expected),
    }
}

/// `*`, or the ETag given out (`"3"`), or its bare number; matched as text (no `01`,
/// no `+1`), as HTTP's strong comparison has it. A weak tag (`W/"3"`) matches the same.
fn if_match(value: &HeaderValue) -> Result<Expected, ApiError> {
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(Expected::Header(None));
    }
    let text = text.strip_prefix("W/").unwrap_or(text);
    let digits = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
    let canonical =
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && (digits == "0" || !digits.starts_with('0'));
    match digits.parse() {
        Ok(version) if canonical => Ok(Expected::Header(Some(version))),
        _ => {
            Err(ApiError::bad_request("invalid If-Match").field("If-Match", "the item's version, as its ETag gives it"))
        }
    }
}

fn stale(error: ApiError, expected: &Expected) -> ApiError {
    match (error.status, expected) {
        (StatusCode::CONFLICT, Expected::Header(_)) => ApiError {
            status: StatusCode::PRECONDITION_FAILED,
            error: "the item changed: read it again".into(),
            ..error
        },
        _ => error,
    }
}

/// What `PATCH /items/{id}` takes: only the fields given change.
/// A field left out is unchanged; `null` is refused (naming the field), never taken as
/// "unchanged" or "empty".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemPatch {
    #[serde(default, deserialize_with = "present")]
    name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    category: Option<String>,
    #[serde(default, deserialize_with = "present")]
    price_cents: Option<u64>,
    #[serde(default, deserialize_with = "present")]
    tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    version: Option<u64>,
}

/// A field given in a PATCH: a value of its type, not `null`.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

async fn patch(
    State(app): State<App>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let id = id_of(id)?;
    let patch: ItemPatch = json(body)?;
    let expected = expected(&headers, patch.version)?;
    let mut update = Item::update(&app.db, Item::key(id.as_str()));
    let mut changes = 0;
    if let Some(name) = &patch.name {
        update = update.set(&Item::NAME, name.as_str());
        changes += 1;
    }
    if let Some(category) = &patch.category {
        update = update.set(&Item::CATEGORY, category.as_str());
        changes += 1;
    }
    if let Some(price) = patch.price_cents {
        update = update.set(&Item::PRICE_CENTS, price);
        changes += 1;
    }
    if let Some(tags) = &patch.tags {
        update = update.set(&Item::TAGS, tags.clone());
        changes += 1;
    }
    if changes == 0 {
        return Err(ApiError::bad_request("nothing to change")
            .field("body", "at least one of name, category, price_cents, tags"));
    }
    update = match expected {
        Expected::Header(Some(version)) | Expected::Body(version) => update.expect_version(version),
        Expected::Header(None) => update,
        Expected::Missing => {
            return Err(ApiError::new(StatusCode::PRECONDITION_REQUIRED, "say which version you change")
                .field("If-Match", "required (or a `version` field)"))
        }
    };
    match update.await {
        Ok(returned) => {
            let item = returned.into_item()?;
            Ok(([(header::ETAG, etag(&item))], Json(item)).into_response())
        }
        Err(error) => Err(refused(&app, &id, error, &expected).await),
    }
}

/// What a `DELETE /items/{id}` body may hold: the version it deletes (or none at all).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Deletion {
    #[serde(default, deserialize_with = "present")]
    version: Option<u64>,
}

async fn remove(
    State(app): State<App>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let id = id_of(id)?;
    let body_version = match &body {
        Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => None,
        _ => json::<Deletion>(body)?.version,
    };
    let expected = expected(&headers, body_version)?;
    let mut delete = Item::delete(&app.db, Item::key(id.as_str()));
    if let Expected::Header(Some(version)) | Expected::Body(version) = expected {
        delete = delete.expect_version(version);
    }
    match delete.await {
        Ok(returned) => match returned.into_item()? {
            Some(_) => Ok(StatusCode::NO_CONTENT.into_response()),
            None => Err(not_found()),
        },
        Err(error) => Err(refused(&app, &id, error, &expected).await),
    }
}

/// Why a versioned write was refused: 404 with no item, 409/412 for a stale version.
/// A version no item can reach (past the largest the model can write) is stale too.
async fn refused(app: &App, id: &str, error: Error, expected: &Expected) -> ApiError {
    let unreachable_version = match &error {
        Error::Validation { errors, .. } => errors.iter().any(|error| error.attribute == "version"),
        Error::Invalid { attribute, .. } => attribute == "version",
        _ => false,
    };
    if !unreachable_version {
        return stale(error.into(), expected);
    }
    match Item::get(&app.db, Item::key(id)).await {
        Ok(None) => not_found(),
        Ok(Some(_)) => stale(
            ApiError::new(StatusCode::CONFLICT, "the item changed: read it again")
                .field("version", "the item's current version"),
            expected,
        ),
        Err(error) => error.into(),
    }
}
