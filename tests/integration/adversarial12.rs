//! Break-it round: faults on the send path (outcome unknown, retries, pagination, batches,
//! transactions, tracing attempts and capacity).
//!
//! Besides the fault-injecting client of `faults/network.rs`, this module has a rig of its
//! own ([`Rig`]): it can answer in DynamoDB's place what DynamoDB Local never answers
//! (unprocessed items and keys, transaction conflicts, an unreadable `200`), and run
//! another client's write between an applied attempt and its retry (the item moves,
//! vanishes or is taken over by another model). A few tests talk to a plain TCP server
//! that breaks HTTP the way a network or proxy does, and to a closed port.
//!
//! Its six breaks are fixed: an unreadable `200` to an applied put, transaction or batch
//! was a plain error (now unknown, or done through the token); writes an unanswered
//! attempt applied, then left unprocessed by the retry, were pending as known unapplied;
//! a batch stopped by a lost answer said it was not worth retrying; a delete retried
//! after its answer was lost said there had been no item.

use std::collections::{HashMap, VecDeque};
use std::future::{Future, IntoFuture};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::config::retry::{RetryConfig, RetryPartition, TokenBucket};
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::config::{HttpClient, RuntimeComponents, SharedHttpClient};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use aws_smithy_runtime_api::client::http::{
    HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use dynamo_model::batch::{BatchCause, BatchError, PendingRequest};
use dynamo_model::tx::CancelReason;
use dynamo_model::{Collection, Db, Document, Error, Model, ModelKey, Table};
use futures::future::BoxFuture;
use futures::StreamExt;

use crate::common::run;
use crate::faults::network::{faulty, Fault, Plan};
use crate::faults::{fast, order, Account, Order};

// ---------------------------------------------------------------------------------------
// Models of this module.
// ---------------------------------------------------------------------------------------

/// A query target with an index: one partition, ordered by `n`, half of it even.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv12_lines", gsi(name = "by_parity", hash = parity, range = n, projection = all))]
struct Line {
    #[dynamo(hash_key)]
    list: String,
    #[dynamo(range_key)]
    n: u32,
    parity: String,
    text: String,
}

fn line(n: u32) -> Line {
    Line { list: "l".into(), n, parity: if n & 1 == 0 { "even" } else { "odd" }.into(), text: format!("line {n}") }
}

#[derive(Document, Debug, Clone, PartialEq, Default)]
struct Address {
    city: String,
    zip: String,
}

/// A model with a map: an update inside it needs the map to exist.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv12_profiles")]
struct Profile {
    #[dynamo(hash_key)]
    id: String,
    address: Address,
}

/// A counter with bounds an update's guards keep.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "adv12_counters")]
struct Counter {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(validate(max = 10))]
    count: i64,
    #[dynamo(validate(len(max = 2)))]
    tags: Vec<String>,
}

#[derive(Table)]
#[dynamo(name = "adv12_app")]
struct AdvApp;

/// A versioned model in a shared table.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = AdvApp, entity = "THING", hash = "THING#{id}", range = "META")]
struct Thing {
    id: String,
    note: String,
    #[dynamo(version)]
    version: u64,
}

/// Another model of the same partition.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = AdvApp, entity = "PART", hash = "THING#{id}", range = "PART#{n}")]
struct Part {
    id: String,
    n: u32,
    label: String,
}

#[derive(Collection, Debug, PartialEq)]
enum ThingData {
    Thing(Thing),
    Part(Part),
}

fn account(id: &str, balance: i64, version: u64) -> Account {
    Account { id: id.into(), balance, version }
}

// ---------------------------------------------------------------------------------------
// The rig: an HTTP client in front of DynamoDB Local that can answer in its place.
// ---------------------------------------------------------------------------------------

/// Something run between an applied attempt and the answer the client gets: another
/// client's write.
type Hook = Arc<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>;

fn hook<F, Fut>(f: F) -> Option<Hook>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    Some(Arc::new(move || Box::pin(f())))
}

/// How the answer to an applied request is lost.
#[derive(Clone, Copy, Debug)]
enum Lost {
    /// The connection breaks.
    Reset,
    /// A 5xx with this code (or none) comes back instead.
    Status(u16, Option<&'static str>),
    /// `200 OK` with a body that is no JSON (a proxy's page).
    Garbage,
    /// The HTTP client's read timeout fires.
    Timeout,
    /// Nothing ever comes.
    Never,
}

/// What one request meets.
#[derive(Clone)]
enum Step {
    /// Sent to DynamoDB Local; its answer comes back.
    Pass,
    /// Not sent: this status and body come back.
    Answer(u16, String),
    /// Not sent: `200 OK`, every write or key of the request unprocessed.
    Unprocessed,
    /// Sent and applied; the hook runs; the answer is lost.
    Applied(Lost, Option<Hook>),
}

#[derive(Default)]
struct Rig {
    next: Mutex<HashMap<String, VecDeque<Step>>>,
    always: Mutex<HashMap<String, Step>>,
    /// Every request: its operation, and whether DynamoDB Local received it.
    seen: Mutex<Vec<(String, bool)>>,
}

impl std::fmt::Debug for Rig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rig").field("seen", &self.seen.lock().unwrap().len()).finish()
    }
}

impl Rig {
    fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn then(&self, operation: &str, steps: Vec<Step>) {
        self.next.lock().unwrap().entry(operation.to_owned()).or_default().extend(steps);
    }

    fn always(&self, operation: &str, step: Step) {
        self.always.lock().unwrap().insert(operation.to_owned(), step);
    }

    fn heal(&self) {
        self.next.lock().unwrap().clear();
        self.always.lock().unwrap().clear();
    }

    fn take(&self, operation: &str) -> Step {
        let queued = self.next.lock().unwrap().get_mut(operation).and_then(VecDeque::pop_front);
        let step = queued.or_else(|| self.always.lock().unwrap().get(operation).cloned()).unwrap_or(Step::Pass);
        let sent = matches!(step, Step::Pass | Step::Applied(..));
        self.seen.lock().unwrap().push((operation.to_owned(), sent));
        step
    }

    fn requests(&self, operation: &str) -> usize {
        self.seen.lock().unwrap().iter().filter(|(op, _)| op == operation).count()
    }

    fn delivered(&self, operation: &str) -> usize {
        self.seen.lock().unwrap().iter().filter(|(op, sent)| op == operation && *sent).count()
    }
}

#[derive(Debug)]
struct RigClient {
    inner: SharedHttpClient,
    rig: Arc<Rig>,
}

#[derive(Debug)]
struct RigConnector {
    inner: SharedHttpConnector,
    rig: Arc<Rig>,
}

impl HttpClient for RigClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(RigConnector {
            inner: self.inner.http_connector(settings, components),
            rig: self.rig.clone(),
        })
    }
}

fn json_response(status: u16, body: String) -> HttpResponse {
    let mut response = HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body));
    response.headers_mut().insert("content-type", "application/x-amz-json-1.0");
    response
}

/// DynamoDB's JSON error body for `code`.
fn error_body(code: &str) -> String {
    format!(r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"injected"}}"#)
}

/// A `TransactionCanceledException` with one reason per action.
fn canceled_body(reasons: &[&str]) -> String {
    let reasons: Vec<String> =
        reasons.iter().map(|code| format!(r#"{{"Code":"{code}","Message":"injected {code}"}}"#)).collect();
    format!(
        r#"{{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [{}]","CancellationReasons":[{}]}}"#,
        reasons.len(),
        reasons.join(",")
    )
}

/// The answer of a batch request that processed none of it.
fn unprocessed(operation: &str, body: &[u8]) -> HttpResponse {
    let request: serde_json::Value = serde_json::from_slice(body).expect("a JSON request");
    let items = request["RequestItems"].clone();
    let answer = match operation {
        "BatchWriteItem" => serde_json::json!({ "UnprocessedItems": items }),
        "BatchGetItem" => serde_json::json!({ "Responses": {}, "UnprocessedKeys": items }),
        other => panic!("no unprocessed answer for {other}"),
    };
    json_response(200, answer.to_string())
}

fn broken(kind: std::io::ErrorKind) -> ConnectorError {
    ConnectorError::io(Box::new(std::io::Error::from(kind)))
}

impl HttpConnector for RigConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let target = request.headers().get("x-amz-target").unwrap_or_default();
        let operation = target.rsplit('.').next().unwrap_or_default().to_owned();
        let step = self.rig.take(&operation);
        let body = request.body().bytes().map(<[u8]>::to_vec).unwrap_or_default();
        let inner = self.inner.clone();
        HttpConnectorFuture::new(async move {
            match step {
                Step::Pass => inner.call(request).await,
                Step::Answer(status, body) => Ok(json_response(status, body)),
                Step::Unprocessed => Ok(unprocessed(&operation, &body)),
                Step::Applied(lost, hook) => {
                    drop(inner.call(request).await?);
                    if let Some(hook) = hook {
                        hook().await;
                    }
                    match lost {
                        Lost::Reset => Err(broken(std::io::ErrorKind::ConnectionReset)),
                        Lost::Status(status, code) => {
                            Ok(json_response(status, code.map(error_body).unwrap_or_else(|| "{}".to_owned())))
                        }
                        Lost::Garbage => {
                            let mut response = HttpResponse::new(
                                StatusCode::try_from(200).unwrap(),
                                SdkBody::from("<html><body>upstream answered</body></html>"),
                            );
                            response.headers_mut().insert("content-type", "text/html");
                            Ok(response)
                        }
                        Lost::Timeout => {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            Err(ConnectorError::timeout("HTTP read timeout occurred after 50ms".into()))
                        }
                        Lost::Never => std::future::pending().await,
                    }
                }
            }
        })
    }
}

fn attempt_timeout() -> TimeoutConfig {
    TimeoutConfig::builder().operation_attempt_timeout(Duration::from_secs(2)).build()
}

/// A `Db` on the namespace of `db` whose requests meet `rig`: `attempts` SDK attempts
/// (1 ms backoff, no retry quota), the given timeouts, the library's policy 3 tries.
fn rigged(db: &Db, rig: &Arc<Rig>, attempts: u32, timeouts: TimeoutConfig) -> Db {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let config = db.client().config();
    let inner = config.http_client().unwrap_or_else(|| aws_smithy_http_client::Builder::new().build_http());
    let partition = RetryPartition::custom(format!("adv12-{}", NEXT.fetch_add(1, Ordering::Relaxed)))
        .token_bucket(TokenBucket::unlimited())
        .build();
    let config = config
        .to_builder()
        .http_client(RigClient { inner, rig: rig.clone() })
        .retry_config(
            RetryConfig::standard().with_max_attempts(attempts).with_initial_backoff(Duration::from_millis(1)),
        )
        .retry_partition(partition)
        .timeout_config(timeouts)
        .build();
    Db::new(Client::from_conf(config)).with_table_prefix(db.table_prefix()).with_retry(fast(3))
}

/// A `Db` on the namespace of `db` talking to `endpoint` instead of DynamoDB Local.
fn elsewhere(db: &Db, endpoint: &str, attempts: u32) -> Db {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let partition = RetryPartition::custom(format!("adv12-elsewhere-{}", NEXT.fetch_add(1, Ordering::Relaxed)))
        .token_bucket(TokenBucket::unlimited())
        .build();
    let config = db
        .client()
        .config()
        .to_builder()
        .endpoint_url(endpoint)
        .retry_config(
            RetryConfig::standard().with_max_attempts(attempts).with_initial_backoff(Duration::from_millis(1)),
        )
        .retry_partition(partition)
        .timeout_config(attempt_timeout())
        .build();
    Db::new(Client::from_conf(config)).with_table_prefix(db.table_prefix()).with_retry(fast(3))
}

// ---------------------------------------------------------------------------------------
// Assertions.
// ---------------------------------------------------------------------------------------

/// Asserts `result` is `Error::OutcomeUnknown` of `operation`; gives its attempts and cause.
#[track_caller]
fn unknown<T: std::fmt::Debug>(result: dynamo_model::Result<T>, operation: &str) -> (u32, Error) {
    match result {
        Err(Error::OutcomeUnknown { operation: op, attempts, cause, .. }) => {
            assert_eq!(op, operation, "{cause}");
            (attempts, *cause)
        }
        other => panic!("expected Error::OutcomeUnknown of {operation}, got {other:?}"),
    }
}

/// Asserts `result` is a retryable `Error::Service` (never "unknown"); gives its code.
#[track_caller]
fn retryable<T: std::fmt::Debug>(result: dynamo_model::Result<T>) -> Option<String> {
    match result {
        Err(Error::Service { code, retryable: true, .. }) => code,
        other => panic!("expected a retryable Error::Service, got {other:?}"),
    }
}

/// Asserts `result` is `Error::Batch`, and that every write or key it took is either done
/// or pending; gives the batch error.
#[track_caller]
fn batch<T: std::fmt::Debug>(result: dynamo_model::Result<T>) -> BatchError {
    match result {
        Err(Error::Batch(batch)) => {
            assert_eq!(batch.done + batch.pending.len(), batch.taken, "{batch}");
            assert!(batch.pending.windows(2).all(|w| w[0].index < w[1].index), "{batch}");
            *batch
        }
        other => panic!("expected Error::Batch, got {other:?}"),
    }
}

/// The error a batch stopped on (none when it ran out of tries on leftovers); a batch
/// refused before sending fails the test.
#[track_caller]
fn last_error<'e>(error: &'e BatchError, what: &str) -> Option<&'e Error> {
    match &error.cause {
        BatchCause::RetriesExhausted { last_error, .. } => last_error.as_deref(),
        BatchCause::Failed(error) => Some(&**error),
        other => panic!("{what}: {other}"),
    }
}

/// The id of the `Order` a pending put or delete is about.
fn pending_id(request: &PendingRequest) -> u32 {
    let item = match request {
        PendingRequest::Put(item) | PendingRequest::Delete(item) | PendingRequest::Get(item) => item,
        other => panic!("{other:?}"),
    };
    match item.get("id") {
        Some(AttributeValue::N(n)) => n.parse().unwrap(),
        other => panic!("no id: {other:?}"),
    }
}

async fn stored(db: &Db, id: u32) -> Option<Order> {
    Order::get(db, Order::key(id)).consistent().await.unwrap()
}

async fn stored_ids(db: &Db) -> Vec<u32> {
    let mut ids: Vec<u32> = Order::scan(db).consistent().await.unwrap().into_iter().map(|o| o.id).collect();
    ids.sort_unstable();
    ids
}

// ---------------------------------------------------------------------------------------
// Promise 3: every conditional write shape whose answer is lost is "unknown".
// ---------------------------------------------------------------------------------------

#[test]
fn a_create_only_put_whose_answer_is_lost_is_unknown_for_every_kind_of_loss() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        let plan = Plan::new();
        let once = faulty(&db, &plan, 1);
        let twice = faulty(&db, &plan, 2);
        for (i, fault) in [Fault::ServerErrorAfter, Fault::ResetAfter, Fault::HangAfter].into_iter().enumerate() {
            // Applied, the answer lost; the SDK's retry finds the item: unknown, its cause
            // the retry's `AlreadyExists`.
            let id = 100 + i as u32;
            plan.then("PutItem", &[fault]);
            let (attempts, cause) = unknown(Order::put(&twice, &order(id)).if_not_exists().await, "PutItem");
            assert_eq!(attempts, 2, "{fault:?}");
            assert!(matches!(cause, Error::AlreadyExists { .. }), "{fault:?}: {cause:?}");
            assert_eq!(stored(&db, id).await, Some(order(id)), "{fault:?}: applied");
            // No retry: unknown, its cause how the attempt failed.
            let id = 200 + i as u32;
            plan.then("PutItem", &[fault]);
            let (attempts, cause) = unknown(Order::put(&once, &order(id)).if_not_exists().await, "PutItem");
            assert_eq!(attempts, 1, "{fault:?}");
            assert!(matches!(cause, Error::Service { .. }), "{fault:?}: {cause:?}");
            assert_eq!(stored(&db, id).await, Some(order(id)), "{fault:?}: applied");
        }
        // The control: the item there before, no fault: a plain `AlreadyExists`.
        let again = Order::put(&twice, &order(100)).if_not_exists().await;
        assert!(matches!(again, Err(Error::AlreadyExists { .. })), "{again:?}");
    });
}

#[test]
fn versioned_updates_puts_and_deletes_whose_answer_is_lost_are_unknown_not_version_conflicts() {
    run(|db| async move {
        Account::create_table(&db).await.unwrap();
        Account::put(&db, &account("a", 10, 0)).await.unwrap();
        let plan = Plan::new();
        let twice = faulty(&db, &plan, 2);
        let get = |id: &'static str| {
            let db = db.clone();
            async move { Account::get(&db, Account::key(id)).consistent().await.unwrap() }
        };

        // A versioned update applied, a 500 back; the retry fails the version check.
        plan.then("UpdateItem", &[Fault::ServerErrorAfter]);
        let update = Account::update(&twice, Account::key("a")).add(&Account::BALANCE, 5).expect_version(1);
        let (_, cause) = unknown(update.await, "UpdateItem");
        assert!(matches!(cause, Error::VersionConflict { expected: 1, .. }), "{cause:?}");
        let a = get("a").await.unwrap();
        assert_eq!((a.balance, a.version), (15, 2), "applied once");

        // A new versioned item (version 0: created only if absent) applied, reset.
        plan.then("PutItem", &[Fault::ResetAfter]);
        let (_, cause) = unknown(Account::put(&twice, &account("b", 1, 0)).await, "PutItem");
        assert!(matches!(cause, Error::VersionConflict { .. } | Error::AlreadyExists { .. }), "{cause:?}");
        assert_eq!(get("b").await.map(|b| b.version), Some(1), "applied");

        // A versioned delete applied, its answer never comes; the retry finds nothing.
        plan.then("DeleteItem", &[Fault::HangAfter]);
        let (_, cause) = unknown(Account::delete(&twice, Account::key("a")).expect_version(2).await, "DeleteItem");
        assert!(matches!(cause, Error::VersionConflict { expected: 2, .. }), "{cause:?}");
        assert_eq!(get("a").await, None, "applied");

        // The controls: a stale version with no fault is a plain `VersionConflict`.
        let stale = Account::update(&twice, Account::key("b")).add(&Account::BALANCE, 1).expect_version(7).await;
        assert!(matches!(stale, Err(Error::VersionConflict { expected: 7, .. })), "{stale:?}");
        let stale = Account::delete(&twice, Account::key("b")).expect_version(7).await;
        assert!(matches!(stale, Err(Error::VersionConflict { .. })), "{stale:?}");
    });
}

#[test]
fn conditional_puts_updates_and_deletes_whose_answer_is_lost_are_unknown_not_condition_failures() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        Order::put(&db, &Order { id: 1, note: "a".into() }).await.unwrap();
        let plan = Plan::new();
        let twice = faulty(&db, &plan, 2);

        // An update whose condition its own change breaks: applied, the answer lost, the
        // retry fails the condition and sees the update's own result.
        plan.then("UpdateItem", &[Fault::HangAfter]);
        let update = Order::update(&twice, Order::key(1)).set(&Order::NOTE, "b").condition(Order::NOTE.eq("a"));
        let (_, cause) = unknown(update.await, "UpdateItem");
        assert!(matches!(cause, Error::ConditionFailed { .. }), "{cause:?}");
        assert_eq!(cause.current_item::<Order>().unwrap().unwrap().note, "b", "the retry saw its own write");

        // A put with a condition on the stored item, the same way.
        plan.then("PutItem", &[Fault::ServerErrorAfter]);
        let c = Order { id: 1, note: "c".into() };
        let put = Order::put(&twice, &c).condition(Order::NOTE.eq("b"));
        let (_, cause) = unknown(put.await, "PutItem");
        assert!(matches!(cause, Error::ConditionFailed { .. }), "{cause:?}");
        assert_eq!(stored(&db, 1).await.unwrap().note, "c");

        // A conditional delete: applied, reset; the retry finds no item.
        plan.then("DeleteItem", &[Fault::ResetAfter]);
        let delete = Order::delete(&twice, Order::key(1)).condition(Order::NOTE.eq("c"));
        let (_, cause) = unknown(delete.await, "DeleteItem");
        assert!(matches!(cause, Error::ConditionFailed { .. }), "{cause:?}");
        assert_eq!(stored(&db, 1).await, None, "applied");

        // An update without upsert of an item that is not there, no fault: `NotFound`.
        let missing = Order::update(&twice, Order::key(1)).set(&Order::NOTE, "d").await;
        assert!(matches!(missing, Err(Error::NotFound { .. })), "{missing:?}");
    });
}

#[test]
fn an_update_whose_item_is_deleted_between_its_attempts_is_unknown_not_not_found() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        Order::put(&db, &order(1)).await.unwrap();
        let rig = Rig::new();
        let twice = rigged(&db, &rig, 2, attempt_timeout());
        // The update is applied, another client deletes the item, the answer is lost.
        let plain = db.clone();
        let deletes = hook(move || {
            let plain = plain.clone();
            async move {
                Order::delete(&plain, Order::key(1)).await.unwrap();
            }
        });
        rig.then("UpdateItem", vec![Step::Applied(Lost::Reset, deletes)]);
        let result = Order::update(&twice, Order::key(1)).set(&Order::NOTE, "updated").await;
        assert_eq!(rig.delivered("UpdateItem"), 2);
        let (attempts, cause) = unknown(result, "UpdateItem");
        assert_eq!(attempts, 2);
        assert!(matches!(cause, Error::NotFound { .. }), "{cause:?}");
    });
}

#[test]
fn an_update_inside_a_map_removed_between_its_attempts_is_unknown_not_path_not_found() {
    run(|db| async move {
        Profile::create_table(&db).await.unwrap();
        let profile = Profile { id: "p".into(), address: Address { city: "Lisbon".into(), zip: "1000".into() } };
        Profile::put(&db, &profile).await.unwrap();
        let rig = Rig::new();
        let twice = rigged(&db, &rig, 2, attempt_timeout());
        let plain = db.clone();
        let removes = hook(move || {
            let plain = plain.clone();
            async move {
                plain
                    .client()
                    .update_item()
                    .table_name(plain.table_name::<Profile>())
                    .key("id", AttributeValue::S("p".into()))
                    .update_expression("REMOVE address")
                    .send()
                    .await
                    .unwrap();
            }
        });
        rig.then("UpdateItem", vec![Step::Applied(Lost::Status(500, Some("InternalServerError")), removes)]);
        let result =
            Profile::update(&twice, Profile::key("p")).set(&Profile::ADDRESS.then(Address::CITY), "Porto").await;
        assert_eq!(rig.delivered("UpdateItem"), 2);
        let (_, cause) = unknown(result, "UpdateItem");
        assert!(matches!(cause, Error::PathNotFound { .. }), "{cause:?}");

        // The control: the same update with the map gone and no fault is `PathNotFound`.
        let plain = Profile::update(&db, Profile::key("p")).set(&Profile::ADDRESS.then(Address::CITY), "Faro").await;
        assert!(matches!(plain, Err(Error::PathNotFound { .. })), "{plain:?}");
    });
}

#[test]
fn a_shared_table_write_whose_key_is_taken_over_between_its_attempts_is_unknown_not_wrong_entity() {
    run(|db| async move {
        AdvApp::create_table(&db).await.unwrap();
        Thing::put(&db, &Thing { id: "x".into(), note: "n".into(), version: 0 }).await.unwrap();
        let rig = Rig::new();
        let twice = rigged(&db, &rig, 2, attempt_timeout());
        // Applied; then another writer stores something that is no `Thing` under its key.
        let plain = db.clone();
        let takes_over = hook(move || {
            let plain = plain.clone();
            async move {
                let mut item = Thing::key("x").to_key_item().unwrap();
                item.insert("_type".into(), AttributeValue::S("OTHER".into()));
                item.insert("note".into(), AttributeValue::S("not a thing".into()));
                plain
                    .client()
                    .put_item()
                    .table_name(plain.table_name::<Thing>())
                    .set_item(Some(item))
                    .send()
                    .await
                    .unwrap();
            }
        });
        rig.then("UpdateItem", vec![Step::Applied(Lost::Timeout, takes_over)]);
        let result = Thing::update(&twice, Thing::key("x")).set(&Thing::NOTE, "changed").expect_version(1).await;
        assert_eq!(rig.delivered("UpdateItem"), 2);
        let (_, cause) = unknown(result, "UpdateItem");
        assert!(matches!(cause, Error::WrongEntity { .. }), "{cause:?}");

        // A versioned put the same way.
        let plain = db.clone();
        let takes_over = hook(move || {
            let plain = plain.clone();
            async move {
                let mut item = Thing::key("y").to_key_item().unwrap();
                item.insert("_type".into(), AttributeValue::S("OTHER".into()));
                plain
                    .client()
                    .put_item()
                    .table_name(plain.table_name::<Thing>())
                    .set_item(Some(item))
                    .send()
                    .await
                    .unwrap();
            }
        });
        rig.then("PutItem", vec![Step::Applied(Lost::Reset, takes_over)]);
        let result = Thing::put(&twice, &Thing { id: "y".into(), note: "n".into(), version: 0 }).await;
        let (_, cause) = unknown(result, "PutItem");
        assert!(matches!(cause, Error::WrongEntity { .. }), "{cause:?}");

        // The control: the key taken over, no fault: a plain `WrongEntity`.
        let plain = Thing::update(&db, Thing::key("x")).set(&Thing::NOTE, "again").await;
        assert!(matches!(plain, Err(Error::WrongEntity { .. })), "{plain:?}");
    });
}

#[test]
fn bounded_increments_and_appends_whose_answer_is_lost_are_unknown_not_validation_errors() {
    run(|db| async move {
        Counter::create_table(&db).await.unwrap();
        Counter::put(&db, &Counter { id: "c".into(), count: 6, tags: vec!["a".into()] }).await.unwrap();
        let plan = Plan::new();
        let twice = faulty(&db, &plan, 2);
        // 6 + 3 is within the bound: applied; the retry would make it 12, over it.
        plan.then("UpdateItem", &[Fault::ResetAfter]);
        let (_, cause) =
            unknown(Counter::update(&twice, Counter::key("c")).add(&Counter::COUNT, 3).await, "UpdateItem");
        assert!(matches!(cause, Error::Validation { .. }), "{cause:?}");
        // One tag more is within `len(max = 2)`: applied; the retry would make it three.
        plan.then("UpdateItem", &[Fault::ServerErrorAfter]);
        let (_, cause) =
            unknown(Counter::update(&twice, Counter::key("c")).append(&Counter::TAGS, ["b"]).await, "UpdateItem");
        assert!(matches!(cause, Error::Validation { .. }), "{cause:?}");
        let c = Counter::get(&db, Counter::key("c")).consistent().await.unwrap().unwrap();
        assert_eq!((c.count, c.tags.len()), (9, 2), "each applied once");
        // The controls: the same updates again, no fault: plain validation errors.
        let over = Counter::update(&twice, Counter::key("c")).add(&Counter::COUNT, 3).await;
        assert!(matches!(over, Err(Error::Validation { .. })), "{over:?}");
        let over = Counter::update(&twice, Counter::key("c")).append(&Counter::TAGS, ["c"]).await;
        assert!(matches!(over, Err(Error::Validation { .. })), "{over:?}");
    });
}

// ---------------------------------------------------------------------------------------
// Promise 4: transactions carry their token through every retry.
// ---------------------------------------------------------------------------------------

#[test]
fn a_transaction_applied_then_its_item_moved_before_the_retry_is_still_applied_once() {
    run(|db| async move {
        Account::create_table(&db).await.unwrap();
        Account::put(&db, &account("a", 10, 0)).await.unwrap();
        let rig = Rig::new();
        let once = rigged(&db, &rig, 1, attempt_timeout());
        let twice = rigged(&db, &rig, 2, attempt_timeout());
        // Another client's increment lands between the applied try and its retry.
        let moves = |db: &Db| {
            let plain = db.clone();
            hook(move || {
                let plain = plain.clone();
                async move {
                    Account::update(&plain, Account::key("a")).add(&Account::BALANCE, 100).await.unwrap();
                }
            })
        };

        // The library's retry (the SDK does not retry here), same token.
        rig.then("TransactWriteItems", vec![Step::Applied(Lost::Timeout, moves(&db))]);
        let tx = once
            .transaction()
            .update(Account::update(&once, Account::key("a")).add(&Account::BALANCE, 1).expect_version(1));
        let result = tx.await;
        assert_eq!(rig.delivered("TransactWriteItems"), 2);
        assert!(
            matches!(result, Ok(()) | Err(Error::OutcomeUnknown { .. })),
            "applied, so never a cancellation: {result:?}"
        );
        let a = Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap();
        assert_eq!(a.balance, 111, "applied once, and the other client's change kept");

        // The SDK's retry, same token.
        rig.then("TransactWriteItems", vec![Step::Applied(Lost::Reset, moves(&db))]);
        let version = a.version;
        let tx = twice
            .transaction()
            .update(Account::update(&twice, Account::key("a")).add(&Account::BALANCE, 1).expect_version(version));
        let result = tx.await;
        assert_eq!(rig.delivered("TransactWriteItems"), 4);
        assert!(
            matches!(result, Ok(()) | Err(Error::OutcomeUnknown { .. })),
            "applied, so never a cancellation: {result:?}"
        );
        let a = Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap();
        assert_eq!(a.balance, 212, "applied once, and the other client's change kept");
    });
}

#[test]
fn a_transaction_with_a_token_reported_unknown_can_be_sent_again_and_applies_once() {
    run(|db| async move {
        Account::create_table(&db).await.unwrap();
        Order::create_table(&db).await.unwrap();
        Account::put(&db, &account("a", 10, 0)).await.unwrap();
        Account::put(&db, &account("guard", 0, 0)).await.unwrap();
        let plan = Plan::new();
        let once = faulty(&db, &plan, 1);
        let tx = || {
            once.transaction()
                .update(Account::update(&once, Account::key("a")).add(&Account::BALANCE, 1).expect_version(1))
                .put(Order::put(&once, &order(7)).if_not_exists())
                .check(Account::check(&once, Account::key("guard"), Account::BALANCE.eq(0)))
                .token("adv12-resend")
        };
        // Every try (the library's three) applied and unanswered: unknown.
        plan.always("TransactWriteItems", Fault::HangAfter);
        let (_, cause) = unknown(tx().await, "TransactWriteItems");
        assert!(matches!(cause, Error::Service { retryable: true, .. }), "{cause:?}");
        assert_eq!(plan.delivered("TransactWriteItems"), 3);
        plan.heal();
        // Sent again as it was, with its token: done, nothing applied twice.
        tx().await.unwrap();
        let a = Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap();
        assert_eq!((a.balance, a.version), (11, 2), "applied once for four sends");
        assert_eq!(stored(&db, 7).await, Some(order(7)));
        // The control: without the token, the same transaction fails its conditions.
        let fresh = once
            .transaction()
            .update(Account::update(&once, Account::key("a")).add(&Account::BALANCE, 1).expect_version(1))
            .put(Order::put(&once, &order(7)).if_not_exists())
            .await;
        let Err(Error::TransactionCanceled { actions }) = fresh else { panic!("{fresh:?}") };
        assert!(matches!(actions[0].error.as_deref(), Some(Error::VersionConflict { .. })), "{actions:?}");
        assert!(matches!(actions[1].error.as_deref(), Some(Error::AlreadyExists { .. })), "{actions:?}");
    });
}

#[test]
fn transaction_conflicts_and_in_progress_answers_are_retried_by_one_layer_only() {
    run(|db| async move {
        Account::create_table(&db).await.unwrap();
        Account::put(&db, &account("a", 10, 0)).await.unwrap();
        let rig = Rig::new();
        let thrice = rigged(&db, &rig, 3, attempt_timeout());
        let once = rigged(&db, &rig, 1, attempt_timeout());
        let tx = |db: &Db| {
            let db = db.clone();
            async move { db.transaction().update(Account::update(&db, Account::key("a")).add(&Account::BALANCE, 1)).await }
        };
        let requests = || rig.requests("TransactWriteItems");

        // A conflict is the library's to retry (the SDK does not): its 3 tries, not 3 × 3.
        rig.always("TransactWriteItems", Step::Answer(400, error_body("TransactionConflictException")));
        let conflict = tx(&thrice).await;
        assert!(matches!(&conflict, Err(e) if e.is_retryable()), "{conflict:?}");
        assert_eq!(requests(), 3, "{conflict:?}");
        rig.heal();

        // A cancellation by a conflict alone: the same.
        rig.always("TransactWriteItems", Step::Answer(400, canceled_body(&["TransactionConflict"])));
        let canceled = tx(&thrice).await;
        let Err(Error::TransactionCanceled { actions }) = &canceled else { panic!("{canceled:?}") };
        assert_eq!(actions[0].reason, CancelReason::TransactionConflict);
        assert!(canceled.as_ref().unwrap_err().is_retryable());
        assert_eq!(requests(), 6, "three more");
        rig.heal();

        // In progress is the SDK's to retry (a throttling code): its 3 attempts, not 3 × 3.
        rig.always("TransactWriteItems", Step::Answer(400, error_body("TransactionInProgressException")));
        let busy = tx(&thrice).await;
        assert!(matches!(&busy, Err(e) if e.is_retryable()), "{busy:?}");
        assert_eq!(requests(), 9, "three more: {busy:?}");
        // With the SDK's retries off, the library's policy takes them.
        let busy = tx(&once).await;
        assert!(matches!(&busy, Err(e) if e.is_retryable()), "{busy:?}");
        assert_eq!(requests(), 12, "three more: {busy:?}");
        rig.heal();

        // Two conflicts, then through: applied once.
        rig.then(
            "TransactWriteItems",
            vec![
                Step::Answer(400, error_body("TransactionConflictException")),
                Step::Answer(400, canceled_body(&["TransactionConflict"])),
            ],
        );
        tx(&thrice).await.unwrap();
        assert_eq!(requests(), 15);
        let a = Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap();
        assert_eq!(a.balance, 11, "nothing of the refused tries was applied, the last one once");

        // Reads: a conflict cancelling a transactional read is retried by the library only.
        rig.always("TransactGetItems", Step::Answer(400, canceled_body(&["TransactionConflict"])));
        let mut read = thrice.transaction_get();
        read.get(Account::get(&thrice, Account::key("a")));
        let result = read.await;
        assert!(matches!(result, Err(Error::TransactionCanceled { .. })), "{result:?}");
        assert_eq!(rig.requests("TransactGetItems"), 3);
    });
}

// ---------------------------------------------------------------------------------------
// Promises 2 and 3: an unreadable answer to an applied write.
// ---------------------------------------------------------------------------------------

#[test]
fn an_applied_put_answered_with_an_unreadable_200_is_unknown() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        let rig = Rig::new();
        let twice = rigged(&db, &rig, 2, attempt_timeout());
        rig.then("PutItem", vec![Step::Applied(Lost::Garbage, None)]);
        let result = Order::put(&twice, &order(1)).if_not_exists().await;
        assert_eq!(stored(&db, 1).await, Some(order(1)), "applied");
        // What a caller would do with a plain failure: send it again, and be told it
        // already exists, although it was this very put that created it.
        unknown(result, "PutItem");
    });
}

#[test]
fn an_applied_transaction_answered_with_an_unreadable_200_is_unknown_or_done() {
    run(|db| async move {
        Account::create_table(&db).await.unwrap();
        Account::put(&db, &account("a", 10, 0)).await.unwrap();
        let rig = Rig::new();
        let once = rigged(&db, &rig, 1, attempt_timeout());
        rig.then("TransactWriteItems", vec![Step::Applied(Lost::Garbage, None)]);
        let tx = once
            .transaction()
            .update(Account::update(&once, Account::key("a")).add(&Account::BALANCE, 1).expect_version(1));
        let result = tx.await;
        let a = Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap();
        assert_eq!(a.balance, 11, "applied once");
        assert!(matches!(result, Ok(()) | Err(Error::OutcomeUnknown { .. })), "{result:?}");
    });
}

#[test]
fn an_applied_batch_answered_with_an_unreadable_200_marks_its_writes_maybe_applied() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        let rig = Rig::new();
        let twice = rigged(&db, &rig, 2, attempt_timeout());
        rig.always("BatchWriteItem", Step::Applied(Lost::Garbage, None));
        let error = batch(Order::batch_put(&twice, (0..10).map(order)).await);
        assert_eq!(stored_ids(&db).await, (0..10).collect::<Vec<_>>(), "all applied");
        assert_eq!((error.done, error.pending.len()), (0, 10), "{error}");
        let unmarked: Vec<u32> =
            error.pending.iter().filter(|p| !p.maybe_applied).map(|p| pending_id(&p.request)).collect();
        assert!(unmarked.is_empty(), "written, yet pending as known unapplied: {unmarked:?} ({error})");
    });
}

// ---------------------------------------------------------------------------------------
// Promise 2: batches count only confirmed writes and mark what may have been applied.
// ---------------------------------------------------------------------------------------

#[test]
fn writes_left_unprocessed_by_a_retry_of_an_applied_attempt_are_marked_maybe_applied() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        Order::batch_put(&db, (100..105).map(order)).await.unwrap();
        let rig = Rig::new();
        let twice = rigged(&db, &rig, 2, attempt_timeout());

        // Attempt 1 is applied and answered with a 500; the SDK's attempt 2 is answered
        // "all unprocessed" (a throttled table), and so are the library's retries.
        rig.then("BatchWriteItem", vec![Step::Applied(Lost::Status(500, Some("InternalServerError")), None)]);
        rig.always("BatchWriteItem", Step::Unprocessed);
        let writes = db_batch(&twice);
        let error = batch(writes.await);
        assert!(matches!(error.cause, BatchCause::RetriesExhausted { .. }), "{error}");
        assert_eq!((error.done, error.pending.len()), (0, 10), "{error}");
        // Every write of it was applied by attempt 1.
        assert_eq!(stored_ids(&db).await, (0..5).collect::<Vec<_>>(), "puts applied, deletes applied");
        let unmarked: Vec<u32> =
            error.pending.iter().filter(|p| !p.maybe_applied).map(|p| pending_id(&p.request)).collect();
        assert!(unmarked.is_empty(), "applied, yet pending as known unapplied: {unmarked:?} ({error})");
    });
}

/// Five puts (ids 0..5) and five deletes (ids 100..105), in one request.
fn db_batch(db: &Db) -> dynamo_model::batch::BatchWrite<'_> {
    db.batch_write().put_all(&ORDERS[..]).delete_all::<Order, _>((100..105).map(Order::key))
}

static ORDERS: std::sync::LazyLock<Vec<Order>> = std::sync::LazyLock::new(|| (0..5).map(order).collect());

#[test]
fn batch_writes_account_for_every_write_under_every_fault() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        let plan = Plan::new();
        let faults = [
            Fault::Throttle,
            Fault::ServerError,
            Fault::ServerErrorAfter,
            Fault::Refused,
            Fault::ResetBefore,
            Fault::ResetAfter,
            Fault::Hang,
            Fault::HangAfter,
        ];
        let mut base = 0;
        for attempts in [1, 2] {
            let client = faulty(&db, &plan, attempts);
            for fault in faults {
                base += 1000;
                plan.heal();
                plan.pass("BatchWriteItem", 1);
                plan.always("BatchWriteItem", fault);
                let before = plan.requests("BatchWriteItem");
                let result = Order::batch_put(&client, (base..base + 60).map(order)).concurrency(2).await;
                let what = format!("{fault:?} with {attempts} SDK attempt(s)");
                let error = batch(result);
                let requests = plan.requests("BatchWriteItem") - before;
                let ids: Vec<u32> =
                    stored_ids(&db).await.into_iter().filter(|id| (base..base + 60).contains(id)).collect();
                // Confirmed writes are there; a write known unsent is not; nothing beyond
                // what was taken was written.
                let in_db = |id: u32| ids.contains(&id);
                for pending in &error.pending {
                    let id = pending_id(&pending.request);
                    assert_eq!(id, base + pending.index as u32, "{what}");
                    assert!(pending.maybe_applied || !in_db(id), "{what}: {id} written, marked unapplied: {error}");
                }
                let maybe = error.pending.iter().filter(|p| p.maybe_applied && in_db(pending_id(&p.request))).count();
                assert_eq!(ids.len(), error.done + maybe, "{what}: {error}");
                assert!(ids.iter().all(|id| ((id - base) as usize) < error.taken), "{what}");
                assert!(error.done >= 25 || error.done == 0, "{what}: the first request passed: {error}");
                // The known-unsent faults leave nothing maybe applied.
                let sends = matches!(fault, Fault::ServerErrorAfter | Fault::ResetAfter | Fault::HangAfter);
                if matches!(fault, Fault::Throttle | Fault::Refused) {
                    assert!(error.pending.iter().all(|p| !p.maybe_applied), "{what}: {error}");
                }
                if !sends {
                    assert_eq!(ids.len(), error.done, "{what}");
                }
                // One layer retries: the library's 3 tries without the SDK's, the SDK's 2
                // attempts alone otherwise (a chunk each at most, the first passed).
                let failed_chunks =
                    error.pending.chunks(1).map(|p| p[0].index / 25).collect::<std::collections::BTreeSet<_>>();
                let per_chunk = if attempts == 1 { 3 } else { 2 };
                assert!(requests <= 1 + per_chunk * failed_chunks.len().max(1), "{what}: {requests} requests");
                let last = last_error(&error, &what);
                if matches!(fault, Fault::Throttle | Fault::Refused) {
                    assert!(!matches!(last, Some(Error::OutcomeUnknown { .. })), "{what}: {last:?}");
                }
            }
        }
    });
}

#[test]
fn batch_gets_under_every_fault_read_what_they_say_and_are_never_unknown() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        Order::batch_put(&db, (0..250).filter(|id| id % 2 == 0).map(order)).await.unwrap();
        let plan = Plan::new();
        for attempts in [1, 2] {
            let client = faulty(&db, &plan, attempts);
            for fault in [Fault::Throttle, Fault::ServerErrorAfter, Fault::ResetAfter, Fault::HangAfter, Fault::Refused]
            {
                plan.heal();
                plan.pass("BatchGetItem", 1);
                plan.always("BatchGetItem", fault);
                let before = plan.requests("BatchGetItem");
                let what = format!("{fault:?} with {attempts} SDK attempt(s)");
                let error = batch(Order::batch_get(&client, (0..250).map(Order::key)).concurrency(1).await);
                // The first request (keys 0..100) was read; the other 150 keys are pending.
                assert_eq!((error.done, error.taken, error.pending.len()), (100, 250, 150), "{what}: {error}");
                assert!(error.pending.iter().all(|p| !p.maybe_applied), "{what}");
                assert_eq!(error.read.len(), 50, "{what}: the even ids of the first 100");
                let last = last_error(&error, &what);
                let last = last.unwrap_or_else(|| panic!("{what}: no error"));
                assert!(matches!(last, Error::Service { retryable: true, .. }), "{what}: {last:?}");
                // The second request only: the library's 3 tries or the SDK's 2 attempts.
                let requests = plan.requests("BatchGetItem") - before;
                assert_eq!(requests, 1 + if attempts == 1 { 3 } else { 2 }, "{what}");
            }
        }
    });
}

#[test]
fn unprocessed_batches_are_retried_by_the_library_alone_and_their_leftovers_are_exact() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        Order::batch_put(&db, (0..30).map(order)).await.unwrap();
        let rig = Rig::new();
        let thrice = rigged(&db, &rig, 3, attempt_timeout());
        // Unprocessed on every try: the policy's 3 tries (a 200 is no SDK retry).
        rig.always("BatchWriteItem", Step::Unprocessed);
        let error = batch(Order::batch_put(&thrice, (100..110).map(order)).await);
        assert!(matches!(error.cause, BatchCause::RetriesExhausted { attempts: 3, last_error: None }), "{error}");
        assert_eq!(rig.requests("BatchWriteItem"), 3);
        assert_eq!((error.done, error.pending.len()), (0, 10));
        assert!(error.pending.iter().all(|p| !p.maybe_applied), "answered, not applied: {error}");
        assert_eq!(stored_ids(&db).await.len(), 30, "none written");
        rig.always("BatchGetItem", Step::Unprocessed);
        let error = batch(Order::batch_get(&thrice, (0..10).map(Order::key)).await);
        assert!(matches!(error.cause, BatchCause::RetriesExhausted { attempts: 3, last_error: None }), "{error}");
        assert_eq!(rig.requests("BatchGetItem"), 3);
        assert_eq!((error.done, error.pending.len(), error.read.len()), (0, 10, 0));
        rig.heal();
        // Unprocessed once, then through: everything done.
        rig.then("BatchWriteItem", vec![Step::Unprocessed]);
        assert_eq!(Order::batch_put(&thrice, (100..110).map(order)).await.unwrap().written, 10);
        assert_eq!(stored_ids(&db).await.len(), 40);
    });
}

#[test]
fn a_batch_stopped_by_a_server_error_or_a_lost_answer_is_retryable_like_one_stopped_by_throttling() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        let plan = Plan::new();
        let mut not_retryable = Vec::new();
        for attempts in [1, 2] {
            let client = faulty(&db, &plan, attempts);
            for fault in [Fault::Throttle, Fault::Refused, Fault::ServerError, Fault::ResetAfter, Fault::HangAfter] {
                plan.heal();
                plan.always("BatchWriteItem", fault);
                let error = Order::batch_put(&client, (0..10).map(order)).await.unwrap_err();
                assert!(matches!(error, Error::Batch(_)), "{error:?}");
                // Puts are safe to send again, and each of these faults is retryable alone:
                // sending the batch again may help.
                if !error.is_retryable() {
                    not_retryable.push(format!("{fault:?} with {attempts} SDK attempt(s): {error}"));
                }
            }
        }
        assert!(not_retryable.is_empty(), "{not_retryable:#?}");
    });
}

#[test]
fn batch_requests_failing_alike_are_retried_by_one_layer_only() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        let plan = Plan::new();
        for (attempts, expected) in [(1, 3), (3, 3), (2, 2)] {
            let client = faulty(&db, &plan, attempts);
            for fault in [Fault::ServerError, Fault::Throttle] {
                plan.heal();
                plan.always("BatchWriteItem", fault);
                plan.always("BatchGetItem", fault);
                let (writes, reads) = (plan.requests("BatchWriteItem"), plan.requests("BatchGetItem"));
                let error = batch(Order::batch_put(&client, (0..10).map(order)).await);
                assert_eq!(plan.requests("BatchWriteItem") - writes, expected, "{fault:?}, {attempts}: {error}");
                let error = batch(Order::batch_get(&client, (0..10).map(Order::key)).await);
                assert_eq!(plan.requests("BatchGetItem") - reads, expected, "{fault:?}, {attempts}: {error}");
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// Promise 8: reads are never "unknown".
// ---------------------------------------------------------------------------------------

#[test]
fn reads_of_every_kind_are_never_unknown_and_retried_by_one_layer() {
    run(|db| async move {
        Line::create_table(&db).await.unwrap();
        Line::batch_put(&db, (0..10).map(line)).await.unwrap();
        let plan = Plan::new();
        for attempts in [1, 2] {
            let client = faulty(&db, &plan, attempts);
            for fault in [Fault::ServerErrorAfter, Fault::ResetAfter, Fault::HangAfter, Fault::ServerError] {
                let what = format!("{fault:?} with {attempts} SDK attempt(s)");
                plan.heal();
                for operation in ["GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"] {
                    plan.always(operation, fault);
                }
                let count = |operation: &str| plan.requests(operation);
                let before = count("GetItem");
                retryable(Line::get(&client, Line::key("l", 1)).await);
                assert_eq!(count("GetItem") - before, attempts as usize, "{what}: the SDK's attempts only");
                let before = count("Query");
                retryable(Line::query(&client, "l").await);
                retryable(Line::query(&client, "l").count().await);
                retryable(Line::BY_PARITY.query(&client, "even").await);
                retryable(Line::query(&client, "l").page(None).await);
                let streamed: Vec<_> = Line::query(&client, "l").stream().collect().await;
                assert!(matches!(streamed.as_slice(), [Err(Error::Service { retryable: true, .. })]), "{what}");
                assert_eq!(count("Query") - before, 5 * attempts as usize, "{what}");
                retryable(Line::scan(&client).await);
                retryable(Line::scan(&client).segments(3).await);
                retryable(Line::scan(&client).segments(2).count().await);
                // A transactional read: the library's tries when the SDK's are off.
                let before = count("TransactGetItems");
                let mut read = client.transaction_get();
                read.get(Line::get(&client, Line::key("l", 1)));
                retryable(read.await);
                let expected = if attempts == 1 { 3 } else { 2 };
                assert_eq!(count("TransactGetItems") - before, expected, "{what}");
                let error = batch(Line::batch_get(&client, (0..5).map(|n| Line::key("l", n))).await);
                let last = last_error(&error, &what);
                assert!(matches!(last, Some(Error::Service { retryable: true, .. })), "{what}: {last:?}");
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// Promise 5: an interrupted query fails or resumes, never short.
// ---------------------------------------------------------------------------------------

#[test]
fn a_filtered_limited_query_interrupted_mid_way_fails_or_resumes_exactly() {
    run(|db| async move {
        Line::create_table(&db).await.unwrap();
        Line::batch_put(&db, (0..40).map(line)).await.unwrap();
        let plan = Plan::new();
        let client = faulty(&db, &plan, 2);
        let evens = || Line::query(&client, "l").filter(Line::PARITY.eq("even")).page_size(4);
        let interrupt = |after: usize| {
            plan.heal();
            plan.pass("Query", after);
            plan.always("Query", Fault::Throttle);
        };
        let throttled = Some("ProvisionedThroughputExceededException".to_owned());

        // 15 matches take 8 pages of 4: the fourth page is throttled.
        interrupt(3);
        assert_eq!(retryable(evens().limit(15).await), throttled);
        interrupt(3);
        assert_eq!(retryable(evens().limit(15).page(None).await), throttled);
        interrupt(3);
        let streamed: Vec<dynamo_model::Result<Line>> = evens().limit(15).stream().collect().await;
        let (ok, errors): (Vec<_>, Vec<_>) = streamed.into_iter().partition(Result::is_ok);
        let ok: Vec<u32> = ok.into_iter().map(|line| line.unwrap().n).collect();
        assert_eq!(ok, vec![0, 2, 4, 6, 8, 10], "the three pages read, in order");
        assert_eq!(errors.len(), 1, "then the error, then nothing");
        interrupt(3);
        assert_eq!(retryable(evens().count().await), throttled);

        // Page by page, five matches a page; a page interrupted after one of its requests
        // fails whole, and its cursor read again continues exactly.
        plan.heal();
        let first = evens().limit(5).page(None).await.unwrap();
        assert_eq!(first.items.iter().map(|l| l.n).collect::<Vec<_>>(), [0, 2, 4, 6, 8]);
        interrupt(1);
        retryable(evens().limit(5).page(first.cursor.clone()).await);
        plan.heal();
        let mut seen: Vec<u32> = first.items.iter().map(|l| l.n).collect();
        let mut cursor = first.cursor;
        while let Some(at) = cursor {
            let page = evens().limit(5).page(Some(at)).await.unwrap();
            seen.extend(page.items.iter().map(|l| l.n));
            cursor = page.cursor;
        }
        assert_eq!(seen, (0..40).step_by(2).collect::<Vec<_>>(), "every match once, in order");
        assert_eq!(evens().count().await.unwrap(), 20);
    });
}

#[test]
fn index_queries_scans_and_parallel_scans_interrupted_mid_way_are_errors() {
    run(|db| async move {
        Line::create_table(&db).await.unwrap();
        Line::batch_put(&db, (0..40).map(line)).await.unwrap();
        let plan = Plan::new();
        let client = faulty(&db, &plan, 2);
        let interrupt = |operation: &'static str, after: usize, fault: Fault| {
            plan.heal();
            plan.pass(operation, after);
            plan.always(operation, fault);
        };
        for fault in [Fault::Throttle, Fault::ResetAfter, Fault::Hang] {
            interrupt("Query", 2, fault);
            retryable(Line::BY_PARITY.query(&client, "even").page_size(3).await);
            interrupt("Query", 2, fault);
            let streamed: Vec<_> = Line::BY_PARITY.query(&client, "odd").page_size(3).stream().collect().await;
            let ok = streamed.iter().filter(|item| item.is_ok()).count();
            assert_eq!((ok, streamed.len()), (6, 7), "{fault:?}: two pages, then the error");
            interrupt("Scan", 2, fault);
            retryable(Line::scan(&client).page_size(5).await);
            interrupt("Scan", 3, fault);
            retryable(Line::scan(&client).page_size(5).segments(3).await);
            interrupt("Scan", 3, fault);
            retryable(Line::scan(&client).page_size(5).segments(3).count().await);
            interrupt("Scan", 2, fault);
            let streamed: Vec<_> = Line::scan(&client).page_size(5).stream().collect().await;
            let ok = streamed.iter().filter(|item| item.is_ok()).count();
            assert_eq!((ok, streamed.len()), (10, 11), "{fault:?}: two pages, then the error");
        }
        plan.heal();
        assert_eq!(Line::scan(&client).page_size(5).segments(3).await.unwrap().len(), 40);
        assert_eq!(Line::BY_PARITY.query(&client, "even").page_size(3).await.unwrap().len(), 20);
    });
}

#[test]
fn a_collection_query_interrupted_mid_way_fails_or_resumes_exactly() {
    run(|db| async move {
        AdvApp::create_table(&db).await.unwrap();
        Thing::put(&db, &Thing { id: "x".into(), note: "n".into(), version: 0 }).await.unwrap();
        for n in 0..6 {
            Part::put(&db, &Part { id: "x".into(), n, label: format!("part {n}") }).await.unwrap();
        }
        let plan = Plan::new();
        let client = faulty(&db, &plan, 2);
        let query = || ThingData::query(&client, Thing::partition("x")).page_size(2);
        plan.pass("Query", 2);
        plan.always("Query", Fault::ResetAfter);
        retryable(query().await);
        plan.heal();
        plan.pass("Query", 2);
        plan.always("Query", Fault::Throttle);
        let streamed: Vec<_> = query().stream().collect().await;
        assert_eq!((streamed.iter().filter(|i| i.is_ok()).count(), streamed.len()), (4, 5));
        plan.heal();
        let first = query().limit(3).page(None).await.unwrap();
        plan.pass("Query", 1);
        plan.always("Query", Fault::Hang);
        retryable(query().limit(3).page(first.cursor.clone()).await);
        plan.heal();
        let second = query().limit(10).page(first.cursor).await.unwrap();
        assert_eq!((first.items.len(), second.items.len(), second.cursor.is_none()), (3, 4, true));
        let parts = first.items.iter().chain(&second.items).filter(|i| matches!(i, ThingData::Part(_))).count();
        assert_eq!(parts, 6, "every item once");
    });
}

// ---------------------------------------------------------------------------------------
// Promises 1-3 on a real network: a closed port, a server that breaks HTTP.
// ---------------------------------------------------------------------------------------

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn a_closed_port_refuses_writes_known_unsent() {
    run(|db| async move {
        let dead = elsewhere(&db, &format!("http://127.0.0.1:{}", closed_port()), 2);
        // A single write: retried by the SDK, then a retryable service error, not unknown.
        retryable(Order::put(&dead, &order(1)).if_not_exists().await);
        retryable(Account::update(&dead, Account::key("a")).add(&Account::BALANCE, 1).expect_version(1).await);
        retryable(Order::delete(&dead, Order::key(1)).await);
        // A transaction: never sent, so not unknown.
        let tx = dead.transaction().put(Order::put(&dead, &order(2))).await;
        retryable(tx);
        // A batch: every write pending, none maybe applied.
        let error = batch(Order::batch_put(&dead, (0..30).map(order)).await);
        assert_eq!(error.done, 0, "{error}");
        assert!(error.pending.iter().all(|p| !p.maybe_applied), "refused, never sent: {error}");
    });
}

/// What the fake server does with each request it reads.
#[derive(Clone, Copy, Debug)]
enum Misbehave {
    /// Closes the connection without answering.
    Close,
    /// Starts a `200 OK` with a long body, sends part of it and closes.
    Truncate,
}

/// A TCP server on 127.0.0.1 that reads each HTTP request whole and then misbehaves; it
/// stops after `deadline`. Gives its URL and the count of requests read.
fn misbehaving(how: Misbehave, deadline: Duration) -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        let end = Instant::now() + deadline;
        while Instant::now() < end {
            let Ok((mut stream, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            stream.set_nonblocking(false).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            // Headers, then as many body bytes as Content-Length says.
            let complete = loop {
                let Ok(n) = stream.read(&mut buffer) else { break false };
                if n == 0 {
                    break false;
                }
                request.extend_from_slice(&buffer[..n]);
                let text = String::from_utf8_lossy(&request).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text[..end]
                        .lines()
                        .find_map(|line| {
                            let (name, value) = line.split_once(':')?;
                            name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        break true;
                    }
                }
            };
            if !complete {
                continue;
            }
            seen.fetch_add(1, Ordering::SeqCst);
            if let Misbehave::Truncate = how {
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 400\r\nConnection: close\r\n\r\n{\"Attributes\":{\"id\":{\"N\":";
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.flush();
            }
            drop(stream);
        }
    });
    (url, count)
}

#[test]
fn a_server_that_drops_the_connection_after_reading_a_write_leaves_it_unknown() {
    run(|db| async move {
        for how in [Misbehave::Close, Misbehave::Truncate] {
            let (url, requests) = misbehaving(how, Duration::from_secs(20));
            let client = elsewhere(&db, &url, 2);
            let (attempts, _) = unknown(Order::put(&client, &order(1)).if_not_exists().await, "PutItem");
            assert_eq!((attempts, requests.load(Ordering::SeqCst)), (2, 2), "{how:?}");
            let update = Account::update(&client, Account::key("a")).add(&Account::BALANCE, 1).expect_version(1);
            unknown(update.await, "UpdateItem");
            unknown(client.transaction().put(Order::put(&client, &order(2))).await, "TransactWriteItems");
            let error = batch(Order::batch_put(&client, (0..5).map(order)).await);
            assert!(error.pending.iter().all(|p| p.maybe_applied), "{how:?}: {error}");
            // A read is only retryable.
            retryable(Order::get(&client, Order::key(1)).await);
            retryable(Order::scan(&client).await);
        }
    });
}

#[test]
fn an_operation_timeout_in_the_middle_of_an_applied_attempt_leaves_the_write_unknown() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        Account::create_table(&db).await.unwrap();
        Account::put(&db, &account("a", 10, 0)).await.unwrap();
        let rig = Rig::new();
        let timeouts = TimeoutConfig::builder().operation_timeout(Duration::from_millis(400)).build();
        let client = rigged(&db, &rig, 3, timeouts);
        rig.then("PutItem", vec![Step::Applied(Lost::Never, None)]);
        let (attempts, cause) = unknown(Order::put(&client, &order(1)).if_not_exists().await, "PutItem");
        assert_eq!(attempts, 1, "{cause:?}");
        assert_eq!(stored(&db, 1).await, Some(order(1)), "applied");
        rig.then("TransactWriteItems", vec![Step::Applied(Lost::Never, None)]);
        let tx = client.transaction().update(Account::update(&client, Account::key("a")).add(&Account::BALANCE, 1));
        unknown(tx.await, "TransactWriteItems");
        let a = Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap();
        assert_eq!(a.balance, 11, "applied once");
        rig.then("BatchWriteItem", vec![Step::Applied(Lost::Never, None)]);
        let error = batch(Order::batch_put(&client, (10..15).map(order)).await);
        assert!(error.pending.iter().all(|p| p.maybe_applied), "{error}");
        // A read timing out so is retryable, never unknown.
        rig.then("GetItem", vec![Step::Applied(Lost::Never, None)]);
        retryable(Order::get(&client, Order::key(1)).await);
    });
}

#[test]
fn a_delete_retried_after_its_answer_was_lost_reports_the_item_it_deleted() {
    run(|db| async move {
        Order::create_table(&db).await.unwrap();
        Order::put(&db, &order(1)).await.unwrap();
        let plan = Plan::new();
        let twice = faulty(&db, &plan, 2);
        plan.then("DeleteItem", &[Fault::ResetAfter]);
        let deleted = Order::delete(&twice, Order::key(1)).await;
        assert_eq!(stored(&db, 1).await, None, "deleted");
        // Either the item it deleted, or "unknown": never "there was none".
        match deleted {
            Ok(returned) => assert_eq!(returned.into_item().unwrap(), Some(order(1))),
            Err(error) => {
                unknown(Err::<(), _>(error), "DeleteItem");
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// Promise 7: tracing.
// ---------------------------------------------------------------------------------------

/// The closing lines of the library's `dynamodb` spans of `operation`.
fn closed_spans<'o>(output: &'o str, operation: &str) -> Vec<&'o str> {
    let operation = format!("operation=\"{operation}\"");
    output.lines().filter(|line| line.contains(&operation) && line.contains("dynamo_model::send: close")).collect()
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn spans_count_the_sdk_retries_and_the_capacity_of_every_kind_of_request() {
    let db = crate::common::local().isolated_db();
    let output = crate::observability::traced(|| {
        current_thread().block_on(async {
            let plan = Plan::new();
            let client = faulty(&db, &plan, 3).with_consumed_capacity(true);
            Order::create_table(&client).await.unwrap();
            Line::create_table(&client).await.unwrap();
            Line::batch_put(&client, (0..6).map(line)).await.unwrap();
            let throttle = |operation: &'static str| plan.then(operation, &[Fault::Throttle, Fault::Throttle]);
            throttle("PutItem");
            Order::put(&client, &order(1)).await.unwrap();
            throttle("GetItem");
            Order::get(&client, Order::key(1)).await.unwrap().unwrap();
            throttle("UpdateItem");
            Order::update(&client, Order::key(1)).set(&Order::NOTE, "n").await.unwrap();
            throttle("Query");
            assert_eq!(Line::query(&client, "l").await.unwrap().len(), 6);
            throttle("Query");
            assert_eq!(Line::query(&client, "l").count().await.unwrap(), 6);
            throttle("Scan");
            assert_eq!(Line::scan(&client).await.unwrap().len(), 6);
            throttle("BatchWriteItem");
            Order::batch_put(&client, (10..15).map(order)).await.unwrap();
            throttle("BatchGetItem");
            assert_eq!(Order::batch_get(&client, (10..15).map(Order::key)).await.unwrap().items.len(), 5);
            throttle("TransactWriteItems");
            client.transaction().put(Order::put(&client, &order(20))).await.unwrap();
            throttle("TransactGetItems");
            let mut read = client.transaction_get();
            read.get(Order::get(&client, Order::key(20)));
            read.await.unwrap();
            throttle("DeleteItem");
            Order::delete(&client, Order::key(1)).await.unwrap();
        });
    });
    for operation in [
        "PutItem",
        "GetItem",
        "UpdateItem",
        "Query",
        "Scan",
        "BatchWriteItem",
        "BatchGetItem",
        "TransactWriteItems",
        "TransactGetItems",
        "DeleteItem",
    ] {
        let spans = closed_spans(&output, operation);
        let retried: Vec<&&str> = spans.iter().filter(|span| span.contains("attempts=3")).collect();
        let expected = if operation == "Query" { 2 } else { 1 };
        assert_eq!(retried.len(), expected, "{operation}: {spans:#?}");
        for span in retried {
            assert!(span.contains("outcome=\"ok\"") && span.contains("consumed_capacity="), "{operation}: {span}");
        }
    }
}

const SECRET: &str = "Adv12-SeCrEt-c0ffee";

#[test]
fn unknown_outcomes_and_faults_trace_their_attempts_and_no_value() {
    let db = crate::common::local().isolated_db();
    let errors = Arc::new(Mutex::new(String::new()));
    let seen = errors.clone();
    let output = crate::observability::traced(|| {
        current_thread().block_on(async {
            let plan = Plan::new();
            let once = faulty(&db, &plan, 1);
            let twice = faulty(&db, &plan, 2);
            Order::create_table(&twice).await.unwrap();
            Account::create_table(&twice).await.unwrap();
            let key = format!("acct-{SECRET}");
            Account::put(&twice, &account(&key, 10, 0)).await.unwrap();
            Order::put(&twice, &Order { id: 1, note: format!("a {SECRET}") }).await.unwrap();
            let log = |result: &dyn std::fmt::Debug| seen.lock().unwrap().push_str(&format!("{result:?}\n"));

            // A conditional update applied, its answer lost, its retry failing the
            // condition against the stored item (which holds the secret).
            plan.then("UpdateItem", &[Fault::ResetAfter]);
            let update = Order::update(&twice, Order::key(1))
                .set(&Order::NOTE, format!("b {SECRET}"))
                .condition(Order::NOTE.eq(format!("a {SECRET}")));
            let result = update.await;
            assert!(matches!(&result, Err(Error::OutcomeUnknown { attempts: 2, .. })), "{result:?}");
            log(&result);
            // A versioned update of a secret key, applied, a 500 back, retried.
            plan.then("UpdateItem", &[Fault::ServerErrorAfter]);
            let update =
                Account::update(&twice, Account::key(key.as_str())).add(&Account::BALANCE, 1).expect_version(1);
            let result = update.await;
            assert!(matches!(&result, Err(Error::OutcomeUnknown { attempts: 2, .. })), "{result:?}");
            log(&result);
            // A transaction on the secret key, every try lost after applying.
            plan.always("TransactWriteItems", Fault::HangAfter);
            let tx = once
                .transaction()
                .update(Account::update(&once, Account::key(key.as_str())).set(&Account::BALANCE, 5).expect_version(2));
            let result = tx.await;
            assert!(matches!(&result, Err(Error::OutcomeUnknown { .. })), "{result:?}");
            log(&result);
            // A batch of secret notes, its requests lost after applying.
            plan.always("BatchWriteItem", Fault::ServerErrorAfter);
            let orders: Vec<Order> = (10..15).map(|id| Order { id, note: format!("n {SECRET}") }).collect();
            let result = Order::batch_put(&twice, orders).await;
            assert!(matches!(&result, Err(Error::Batch(_))), "{result:?}");
            log(&result);
            // Reads of the secret key, throttled through.
            plan.always("GetItem", Fault::Throttle);
            let result = Account::get(&twice, Account::key(key.as_str())).await;
            log(&result);
        });
    });
    let errors = errors.lock().unwrap().clone();
    // The control: the errors do hold the secret (the items found, the pending writes).
    assert!(errors.contains(SECRET), "{errors}");
    // The spans: the attempts and outcomes of every request, no value.
    let updates = closed_spans(&output, "UpdateItem");
    assert!(
        updates.iter().any(|s| s.contains("attempts=2") && s.contains("ConditionalCheckFailedException")),
        "{updates:#?}"
    );
    let txs = closed_spans(&output, "TransactWriteItems");
    assert_eq!(txs.iter().filter(|s| s.contains("attempts=1") && !s.contains("outcome=\"ok\"")).count(), 3, "{txs:#?}");
    let batches = closed_spans(&output, "BatchWriteItem");
    assert!(
        batches.iter().any(|s| s.contains("attempts=2") && s.contains("outcome=\"InternalServerError\"")),
        "{batches:#?}"
    );
    let gets = closed_spans(&output, "GetItem");
    assert!(
        gets.iter().any(|s| s.contains("attempts=2") && s.contains("ProvisionedThroughputExceededException")),
        "{gets:#?}"
    );
    let leaks: Vec<&str> = output.lines().filter(|line| line.contains(SECRET)).collect();
    assert!(leaks.is_empty(), "{leaks:#?}");
}

#[test]
fn each_try_of_a_transaction_is_a_span_with_its_own_attempts_and_outcome() {
    let db = crate::common::local().isolated_db();
    let output = crate::observability::traced(|| {
        current_thread().block_on(async {
            let plan = Plan::new();
            let once = faulty(&db, &plan, 1);
            let twice = faulty(&db, &plan, 2);
            Order::create_table(&once).await.unwrap();
            plan.then("TransactWriteItems", &[Fault::HangAfter]);
            once.transaction().put(Order::put(&once, &order(1))).await.unwrap();
            plan.then("TransactWriteItems", &[Fault::ResetAfter]);
            twice.transaction().put(Order::put(&twice, &order(2))).await.unwrap();
            plan.then("TransactWriteItems", &[Fault::Throttle]);
            twice.transaction().put(Order::put(&twice, &order(3))).await.unwrap();
        });
    });
    let spans = closed_spans(&output, "TransactWriteItems");
    assert_eq!(spans.len(), 4, "{spans:#?}");
    assert!(spans[0].contains("attempts=1") && spans[0].contains("outcome=\"dispatch failure\""), "{}", spans[0]);
    assert!(spans[1].contains("attempts=1") && spans[1].contains("outcome=\"ok\""), "{}", spans[1]);
    assert!(spans[2].contains("attempts=2") && spans[2].contains("outcome=\"ok\""), "{}", spans[2]);
    assert!(spans[3].contains("attempts=2") && spans[3].contains("outcome=\"ok\""), "{}", spans[3]);
}

// ---------------------------------------------------------------------------------------
// Promise 6: no task left behind.
// ---------------------------------------------------------------------------------------

#[test]
fn cancelled_and_faulted_reads_batches_and_streams_leave_no_task_behind() {
    let runtime = current_thread();
    let db = crate::common::local().isolated_db();
    runtime.block_on(async move {
        let alive = || tokio::runtime::Handle::current().metrics().num_alive_tasks();
        assert_eq!(alive(), 0);
        let plan = Plan::new();
        let client = faulty(&db, &plan, 2);
        Order::create_table(&client).await.unwrap();
        Line::create_table(&client).await.unwrap();
        Order::batch_put(&client, (0..250).map(order)).await.unwrap();
        Line::batch_put(&client, (0..30).map(line)).await.unwrap();

        plan.always("TransactGetItems", Fault::Hang);
        plan.pass("BatchGetItem", 1);
        plan.always("BatchGetItem", Fault::HangAfter);
        plan.pass("Scan", 2);
        plan.always("Scan", Fault::Hang);
        plan.pass("Query", 1);
        plan.always("Query", Fault::ResetAfter);
        let mut read = client.transaction_get();
        read.get(Order::get(&client, Order::key(1)));
        let (tx, got, scanned, queried) = futures::join!(
            read.into_future(),
            Order::batch_get(&client, (0..250).map(Order::key)).into_future(),
            Line::scan(&client).page_size(4).segments(4).into_future(),
            Line::query(&client, "l").page_size(4).into_future(),
        );
        assert!(tx.is_err() && got.is_err() && scanned.is_err() && queried.is_err());

        // A stream dropped half way, with a page request in flight that never answers.
        plan.heal();
        plan.pass("Query", 1);
        plan.always("Query", Fault::Stall);
        {
            let stream = Line::query(&client, "l").page_size(4).stream();
            let mut stream = std::pin::pin!(stream);
            for _ in 0..4 {
                stream.next().await.unwrap().unwrap();
            }
            let stuck = tokio::time::timeout(Duration::from_millis(100), stream.next()).await;
            assert!(stuck.is_err(), "the next page never comes");
        }
        // Writes cancelled by their caller while their answers are stalled.
        plan.always("PutItem", Fault::StallAfter);
        plan.always("BatchWriteItem", Fault::Stall);
        plan.always("TransactWriteItems", Fault::StallAfter);
        let o = order(900);
        let cancelled = tokio::time::timeout(Duration::from_millis(100), Order::put(&client, &o).into_future()).await;
        assert!(cancelled.is_err());
        let cancelled = tokio::time::timeout(
            Duration::from_millis(100),
            Order::batch_put(&client, (1000..1100).map(order)).concurrency(4).into_future(),
        )
        .await;
        assert!(cancelled.is_err());
        let cancelled = tokio::time::timeout(
            Duration::from_millis(100),
            client.transaction().put(Order::put(&client, &o)).into_future(),
        )
        .await;
        assert!(cancelled.is_err());
        drop(client);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while alive() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(alive(), 0, "tasks left running");
        // The control: a task still running is seen.
        let stuck = tokio::spawn(std::future::pending::<()>());
        assert_eq!(alive(), 1);
        stuck.abort();
    });
}
