//! Network and server faults on real requests: a client whose HTTP client passes each
//! request on to DynamoDB Local, or fails it the way networks and servers do (throttling
//! and server errors answered in its place, refused and reset connections, answers that
//! never come), before or after DynamoDB Local has applied it. Every operation kind meets
//! every fault; each ends in its documented typed error after the documented retries, a
//! write is never reported as written when it was not, and a write whose outcome the
//! client cannot know is reported as `Error::OutcomeUnknown`: checked against what
//! DynamoDB Local holds afterwards, both when the write was applied and when it was not.

use std::collections::{HashMap, VecDeque};
use std::future::IntoFuture;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_dynamodb::config::retry::{RetryConfig, RetryPartition, TokenBucket};
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::config::{HttpClient, RuntimeComponents, SharedHttpClient};
use aws_sdk_dynamodb::Client;
use aws_smithy_runtime_api::client::http::{
    HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use dynamo_model::batch::{BatchCause, PendingRequest};
use dynamo_model::{Db, Error, Model};

use crate::common::run;
use crate::faults::{fast, order, Account, Order};

/// The SDK's attempt timeout on a faulty client: an answer that never comes
/// ([`Fault::Stall`]) costs this. Long enough that DynamoDB Local, on a busy machine,
/// always answers in time.
pub(crate) const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a read timeout of the HTTP client ([`Fault::Hang`]) takes to fire.
const READ_TIMEOUT: Duration = Duration::from_millis(50);

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// DynamoDB's throttling answer (400 `ProvisionedThroughputExceededException`) in
    /// place of the request, which is not sent.
    Throttle,
    /// A 500 `InternalServerError` in place of the request, which is not sent.
    ServerError,
    /// The request is applied, and a 500 comes back instead of its answer.
    ServerErrorAfter,
    /// The connection is refused: the request never leaves.
    Refused,
    /// The connection breaks before the request is sent.
    ResetBefore,
    /// The request is applied, and the connection breaks before the answer.
    ResetAfter,
    /// The request is never sent and nothing comes back: the HTTP client's read timeout
    /// fires.
    Hang,
    /// The request is applied and its answer never comes: the read timeout fires.
    HangAfter,
    /// The request is never sent and the HTTP client waits for ever: the SDK's attempt
    /// timeout fires.
    Stall,
    /// The request is applied and the HTTP client waits for ever.
    StallAfter,
}

impl Fault {
    /// Whether DynamoDB Local receives the request (and applies it, or refuses it, as it
    /// would without the fault).
    fn sends(self) -> bool {
        matches!(self, Fault::ServerErrorAfter | Fault::ResetAfter | Fault::HangAfter | Fault::StallAfter)
    }
}

/// Which requests fail and how: per operation, what its next requests meet in turn (a
/// fault, or `None` to pass), then `always`, if set, for every later one; and what every
/// request met.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    next: Mutex<HashMap<&'static str, VecDeque<Option<Fault>>>>,
    always: Mutex<HashMap<&'static str, Fault>>,
    seen: Mutex<Vec<(String, Option<Fault>)>>,
}

impl Plan {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The next requests of `operation` meet `faults`, one each, in order.
    pub(crate) fn then(&self, operation: &'static str, faults: &[Fault]) {
        self.next.lock().unwrap().entry(operation).or_default().extend(faults.iter().copied().map(Some));
    }

    /// The next `requests` requests of `operation` (after those already queued) pass.
    pub(crate) fn pass(&self, operation: &'static str, requests: usize) {
        self.next.lock().unwrap().entry(operation).or_default().extend(std::iter::repeat_n(None, requests));
    }

    /// Every request of `operation` (after the queued ones) meets `fault`.
    pub(crate) fn always(&self, operation: &'static str, fault: Fault) {
        self.always.lock().unwrap().insert(operation, fault);
    }

    /// Clears every fault.
    pub(crate) fn heal(&self) {
        self.next.lock().unwrap().clear();
        self.always.lock().unwrap().clear();
    }

    fn take(&self, operation: &str) -> Option<Fault> {
        let queued = self.next.lock().unwrap().get_mut(operation).and_then(VecDeque::pop_front);
        let fault = queued.unwrap_or_else(|| self.always.lock().unwrap().get(operation).copied());
        self.seen.lock().unwrap().push((operation.to_owned(), fault));
        fault
    }

    /// The requests of `operation` made so far (each SDK attempt is one).
    pub(crate) fn requests(&self, operation: &str) -> usize {
        self.seen.lock().unwrap().iter().filter(|(op, _)| op == operation).count()
    }

    /// The requests of `operation` that reached DynamoDB Local.
    pub(crate) fn delivered(&self, operation: &str) -> usize {
        self.seen.lock().unwrap().iter().filter(|(op, fault)| op == operation && fault.is_none_or(Fault::sends)).count()
    }
}

/// An HTTP client in front of the client's own: requests go through it to DynamoDB
/// Local, or meet their fault.
#[derive(Debug)]
struct Faulty {
    inner: SharedHttpClient,
    plan: Arc<Plan>,
}

#[derive(Debug)]
struct FaultyConnector {
    inner: SharedHttpConnector,
    plan: Arc<Plan>,
}

impl HttpClient for Faulty {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(FaultyConnector {
            inner: self.inner.http_connector(settings, components),
            plan: self.plan.clone(),
        })
    }
}

/// DynamoDB's JSON error answer.
fn answer(status: u16, code: &str) -> HttpResponse {
    let body = format!(r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"injected"}}"#);
    let mut response = HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body));
    response.headers_mut().insert("content-type", "application/x-amz-json-1.0");
    response
}

/// The HTTP client's read timeout, after [`READ_TIMEOUT`].
async fn read_timeout() -> ConnectorError {
    tokio::time::sleep(READ_TIMEOUT).await;
    ConnectorError::timeout("HTTP read timeout occurred after 50ms".into())
}

fn broken(kind: std::io::ErrorKind) -> ConnectorError {
    ConnectorError::io(Box::new(std::io::Error::from(kind)))
}

impl HttpConnector for FaultyConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        // `DynamoDB_20120810.PutItem` → `PutItem`.
        let target = request.headers().get("x-amz-target").unwrap_or_default();
        let operation = target.rsplit('.').next().unwrap_or_default().to_owned();
        let fault = self.plan.take(&operation);
        let inner = self.inner.clone();
        HttpConnectorFuture::new(async move {
            match fault {
                None => inner.call(request).await,
                Some(Fault::Throttle) => Ok(answer(400, "ProvisionedThroughputExceededException")),
                Some(Fault::ServerError) => Ok(answer(500, "InternalServerError")),
                Some(Fault::Refused) => Err(broken(std::io::ErrorKind::ConnectionRefused)),
                Some(Fault::ResetBefore) => Err(broken(std::io::ErrorKind::ConnectionReset)),
                Some(Fault::Hang) => Err(read_timeout().await),
                Some(Fault::Stall) => std::future::pending().await,
                Some(fault @ (Fault::ServerErrorAfter | Fault::ResetAfter | Fault::HangAfter | Fault::StallAfter)) => {
                    // DynamoDB Local's answer, applied or refused, is lost.
                    drop(inner.call(request).await?);
                    match fault {
                        Fault::ServerErrorAfter => Ok(answer(500, "InternalServerError")),
                        Fault::ResetAfter => Err(broken(std::io::ErrorKind::ConnectionReset)),
                        Fault::HangAfter => Err(read_timeout().await),
                        _ => std::future::pending().await,
                    }
                }
            }
        })
    }
}

/// A `Db` on the same namespace as `db` whose requests meet `plan`: the SDK makes
/// `attempts` attempts (1 ms backoff, no retry quota), each cut at [`ATTEMPT_TIMEOUT`];
/// the library's policy tries 3 times.
pub(crate) fn faulty(db: &Db, plan: &Arc<Plan>, attempts: u32) -> Db {
    let config = db.client().config();
    // The SDK's default HTTP client (plain HTTP: DynamoDB Local), a pool of its own.
    let inner = config.http_client().unwrap_or_else(|| aws_smithy_http_client::Builder::new().build_http());
    let partition = RetryPartition::custom(format!("faults-{}", dynamo_model_token()))
        .token_bucket(TokenBucket::unlimited())
        .build();
    let config = config
        .to_builder()
        .http_client(Faulty { inner, plan: plan.clone() })
        .retry_config(
            RetryConfig::standard().with_max_attempts(attempts).with_initial_backoff(Duration::from_millis(1)),
        )
        .retry_partition(partition)
        .timeout_config(TimeoutConfig::builder().operation_attempt_timeout(ATTEMPT_TIMEOUT).build())
        .build();
    Db::new(Client::from_conf(config)).with_table_prefix(db.table_prefix()).with_retry(fast(3))
}

/// A name no other client of this run has.
fn dynamo_model_token() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// A query target: one partition, ordered by `n`.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "fault_entries")]
struct Entry {
    #[dynamo(hash_key)]
    list: String,
    #[dynamo(range_key)]
    n: u32,
    text: String,
}

fn entry(n: u32) -> Entry {
    Entry { list: "l".into(), n, text: format!("entry {n}") }
}

async fn tables(db: &Db) {
    Order::create_table(db).await.unwrap();
    Account::create_table(db).await.unwrap();
    Entry::create_table(db).await.unwrap();
}

fn account(id: &str, balance: i64, version: u64) -> Account {
    Account { id: id.into(), balance, version }
}

/// Asserts `result` is `Error::Service` with `code`, retryable, and gives it.
#[track_caller]
fn service<T: std::fmt::Debug>(result: dynamo_model::Result<T>, code: Option<&str>) -> Error {
    match result {
        Err(error @ Error::Service { .. }) => {
            let Error::Service { code: got, retryable, .. } = &error else { unreachable!() };
            assert_eq!(got.as_deref(), code, "{error}");
            assert!(*retryable && error.is_retryable(), "{error}");
            error
        }
        other => panic!("expected Error::Service {code:?}, got {other:?}"),
    }
}

/// Asserts `result` is `Error::OutcomeUnknown` for `operation`, and gives its cause.
#[track_caller]
fn unknown<T: std::fmt::Debug>(result: dynamo_model::Result<T>, operation: &str, attempts: u32) -> Error {
    match result {
        Err(Error::OutcomeUnknown { operation: op, attempts: n, cause, .. }) => {
            assert_eq!((op, n), (operation, attempts), "{cause}");
            *cause
        }
        other => panic!("expected Error::OutcomeUnknown of {operation}, got {other:?}"),
    }
}

#[test]
fn throttling_is_retried_by_the_sdk_then_reported_as_retryable() {
    run(|db| async move {
        tables(&db).await;
        Order::put(&db, &order(1)).await.unwrap();
        let plan = Plan::new();
        let faulty = faulty(&db, &plan, 3);

        // Two throttled attempts, then through: every operation succeeds, in 3 requests.
        for operation in ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "BatchWriteItem", "BatchGetItem"] {
            plan.then(operation, &[Fault::Throttle, Fault::Throttle]);
        }
        plan.then("TransactWriteItems", &[Fault::Throttle, Fault::Throttle]);
        plan.then("TransactGetItems", &[Fault::Throttle, Fault::Throttle]);
        assert_eq!(Order::get(&faulty, Order::key(1)).await.unwrap(), Some(order(1)));
        Order::put(&faulty, &order(2)).await.unwrap();
        Order::update(&faulty, Order::key(2)).set(&Order::NOTE, "updated").await.unwrap();
        Order::delete(&faulty, Order::key(1)).await.unwrap();
        Entry::put(&db, &entry(1)).await.unwrap();
        assert_eq!(Entry::query(&faulty, "l".to_owned()).await.unwrap(), vec![entry(1)]);
        assert_eq!(Order::batch_put(&faulty, (10..40).map(order)).await.unwrap().written, 30);
        assert_eq!(Order::batch_get(&faulty, (10..40).map(Order::key)).await.unwrap().items.len(), 30);
        faulty.transaction().put(Order::put(&faulty, &order(50))).await.unwrap();
        let mut read = faulty.transaction_get();
        let handle = read.get(Order::get(&faulty, Order::key(50)));
        assert_eq!(read.await.unwrap().get(&handle).unwrap(), Some(order(50)));
        for operation in
            ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "TransactWriteItems", "TransactGetItems"]
        {
            assert_eq!(plan.requests(operation), 3, "{operation}: two throttled attempts and one through");
        }
        // The 30 puts take two requests (25 + 5): the first one is throttled twice.
        assert_eq!(plan.requests("BatchWriteItem"), 4);
        assert_eq!(plan.requests("BatchGetItem"), 3);
        let stored = Order::get(&db, Order::key(2)).consistent().await.unwrap().unwrap();
        assert_eq!(stored.note, "updated");
        assert_eq!(Order::get(&db, Order::key(1)).consistent().await.unwrap(), None);

        // Throttled on every attempt: `Error::Service`, retryable, after 3 requests.
        for operation in ["GetItem", "PutItem", "UpdateItem", "Query", "TransactWriteItems"] {
            plan.always(operation, Fault::Throttle);
        }
        let throttled = Some("ProvisionedThroughputExceededException");
        service(Order::get(&faulty, Order::key(2)).await, throttled);
        service(Order::put(&faulty, &order(3)).await, throttled);
        service(Order::update(&faulty, Order::key(2)).set(&Order::NOTE, "lost").await, throttled);
        service(Entry::query(&faulty, "l".to_owned()).await, throttled);
        // The SDK's three attempts, then the library's policy (a conflict or throttle
        // cancelling a transaction is the library's to retry; a throttled request the
        // SDK already retried is not retried again).
        service(faulty.transaction().put(Order::put(&faulty, &order(51))).await, throttled);
        assert_eq!(
            [plan.requests("GetItem"), plan.requests("PutItem"), plan.requests("UpdateItem")],
            [6, 6, 6],
            "three more attempts each"
        );
        assert_eq!([plan.requests("Query"), plan.requests("TransactWriteItems")], [6, 6]);
        // Nothing of it was written.
        assert_eq!(Order::get(&db, Order::key(3)).consistent().await.unwrap(), None);
        assert_eq!(Order::get(&db, Order::key(51)).consistent().await.unwrap(), None);
        assert_eq!(Order::get(&db, Order::key(2)).consistent().await.unwrap().unwrap().note, "updated");
    });
}

#[test]
fn server_errors_on_reads_are_retryable_and_on_writes_leave_the_outcome_unknown() {
    run(|db| async move {
        tables(&db).await;
        Order::put(&db, &order(1)).await.unwrap();
        let plan = Plan::new();
        let faulty = faulty(&db, &plan, 2);

        // A read: retried, then `Error::Service` with DynamoDB's code.
        plan.always("GetItem", Fault::ServerError);
        service(Order::get(&faulty, Order::key(1)).await, Some("InternalServerError"));
        assert_eq!(plan.requests("GetItem"), 2);

        // A write answered with 500 twice: DynamoDB documents that such a write may have
        // been applied, so it is reported as unknown, never as plain failure. (Here it
        // was not applied.)
        plan.always("PutItem", Fault::ServerError);
        let cause = unknown(Order::put(&faulty, &order(2)).await, "PutItem", 2);
        service(Err::<(), _>(cause), Some("InternalServerError"));
        assert_eq!(Order::get(&db, Order::key(2)).consistent().await.unwrap(), None);
        plan.heal();

        // A create-only put applied, answered with 500; the SDK's retry then finds the
        // item and fails the condition. That failure proves nothing: unknown.
        plan.then("PutItem", &[Fault::ServerErrorAfter]);
        let cause = unknown(Order::put(&faulty, &order(3)).if_not_exists().await, "PutItem", 2);
        assert!(matches!(cause, Error::AlreadyExists { .. }), "{cause:?}");
        assert_eq!(Order::get(&db, Order::key(3)).consistent().await.unwrap(), Some(order(3)), "it was applied");
        // The control: the same put when the item was there before is `AlreadyExists`.
        let again = Order::put(&faulty, &order(3)).if_not_exists().await;
        assert!(matches!(again, Err(Error::AlreadyExists { .. })), "{again:?}");

        // An unconditional put applied, answered with 500, retried: applied, and so
        // reported as written.
        plan.then("PutItem", &[Fault::ServerErrorAfter]);
        Order::put(&faulty, &order(4)).await.unwrap();
        assert_eq!(Order::get(&db, Order::key(4)).consistent().await.unwrap(), Some(order(4)));
        // Put 3: the 500 after applying and the retry; its control; put 4: the same two.
        assert_eq!(plan.delivered("PutItem"), 5);
    });
}

#[test]
fn a_versioned_write_whose_answer_is_lost_is_reported_as_unknown_whether_or_not_it_was_applied() {
    run(|db| async move {
        tables(&db).await;
        Account::put(&db, &account("a", 10, 0)).await.unwrap();
        let plan = Plan::new();
        let once = faulty(&db, &plan, 1);
        let twice = faulty(&db, &plan, 2);

        // Applied, then no answer within the SDK's attempt timeout, no retry.
        plan.then("UpdateItem", &[Fault::StallAfter]);
        let update = Account::update(&once, Account::key("a")).add(&Account::BALANCE, 5).expect_version(1);
        let cause = unknown(update.await, "UpdateItem", 1);
        assert!(matches!(&cause, Error::Service { code: None, .. }), "a timeout: {cause:?}");
        let stored = Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap();
        assert_eq!((stored.balance, stored.version), (15, 2), "applied");

        // Applied, the connection reset; the SDK's retry fails the version check.
        plan.then("PutItem", &[Fault::ResetAfter]);
        let cause = unknown(Account::put(&twice, &account("a", 100, 2)).await, "PutItem", 2);
        assert!(matches!(cause, Error::VersionConflict { .. }), "{cause:?}");
        let stored = Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap();
        assert_eq!((stored.balance, stored.version), (100, 3), "applied");
        // The control: a stale version, no fault: a plain `VersionConflict`.
        let stale = Account::put(&twice, &account("a", 1, 2)).await;
        assert!(matches!(stale, Err(Error::VersionConflict { .. })), "{stale:?}");

        // Never sent, no answer: unknown all the same (the client cannot tell).
        plan.then("DeleteItem", &[Fault::Stall]);
        unknown(Account::delete(&once, Account::key("a")).expect_version(3).await, "DeleteItem", 1);
        plan.then("PutItem", &[Fault::ResetBefore]);
        unknown(Account::put(&once, &account("a", 7, 3)).await, "PutItem", 1);
        let stored = Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap();
        assert_eq!((stored.balance, stored.version), (100, 3), "neither was applied");

        // A refused connection is known unsent: `Error::Service`, retryable.
        plan.then("PutItem", &[Fault::Refused]);
        service(Account::put(&once, &account("a", 7, 3)).await, None);
        assert_eq!(Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap().balance, 100);
        // A write whose attempts all end unsettled counts each.
        plan.then("PutItem", &[Fault::ResetBefore, Fault::HangAfter]);
        unknown(Account::put(&twice, &account("a", 8, 3)).await, "PutItem", 2);
        assert_eq!(Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap().balance, 8, "applied");
        // A read timing out is retryable, never "unknown".
        plan.always("GetItem", Fault::Hang);
        service(Account::get(&twice, Account::key("a")).await, None);
        assert_eq!(plan.requests("GetItem"), 2);
    });
}

#[test]
fn a_transaction_whose_answer_is_lost_is_applied_once_or_reported_as_unknown() {
    run(|db| async move {
        tables(&db).await;
        Account::put(&db, &account("a", 10, 0)).await.unwrap();
        let plan = Plan::new();
        let once = faulty(&db, &plan, 1);
        let twice = faulty(&db, &plan, 2);

        // Applied, answer lost, on every try (the SDK's one, and the library's policy's
        // three, with the same token): unknown.
        plan.always("TransactWriteItems", Fault::HangAfter);
        let tx = once.transaction().update(Account::update(&once, Account::key("a")).add(&Account::BALANCE, 1));
        let cause = unknown(tx.await, "TransactWriteItems", 1);
        assert!(matches!(&cause, Error::Service { code: None, .. }), "{cause:?}");
        assert_eq!(plan.delivered("TransactWriteItems"), 3);
        let stored = Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap();
        assert_eq!((stored.balance, stored.version), (11, 2), "applied once: the token makes the tries one");
        plan.heal();

        // Applied, answer lost once: the library's retry (same token) is answered as done.
        plan.then("TransactWriteItems", &[Fault::HangAfter]);
        let tx = once.transaction().update(Account::update(&once, Account::key("a")).add(&Account::BALANCE, 1));
        tx.await.unwrap();
        let stored = Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap();
        assert_eq!((stored.balance, stored.version), (12, 3), "applied once");

        // Applied, connection reset; the SDK's retry carries the same token: DynamoDB
        // answers it as done and applies nothing twice.
        plan.then("TransactWriteItems", &[Fault::ResetAfter]);
        let tx = twice.transaction().update(Account::update(&twice, Account::key("a")).add(&Account::BALANCE, 1));
        tx.await.unwrap();
        let stored = Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap();
        assert_eq!((stored.balance, stored.version), (13, 4), "applied once");
        // 3 lost answers, then 2 and 2 requests that made one change each.
        assert_eq!(plan.delivered("TransactWriteItems"), 7);

        // The control: what makes a resent transaction "done" is its token. Sent again
        // with its token it is answered as done and changes nothing; with another token
        // its version check fails, as a retry's would without one.
        let tx = |token: &str| {
            twice
                .transaction()
                .update(Account::update(&twice, Account::key("a")).add(&Account::BALANCE, 1).expect_version(4))
                .token(token.to_owned())
        };
        tx("first").await.unwrap();
        tx("first").await.unwrap();
        let again = tx("second").await;
        assert!(matches!(again, Err(Error::TransactionCanceled { .. })), "{again:?}");
        let stored = Account::get(&db, Account::key("a")).consistent().await.unwrap().unwrap();
        assert_eq!((stored.balance, stored.version), (14, 5), "one change for three sends");
    });
}

#[test]
fn a_query_interrupted_mid_pagination_is_an_error_or_resumes_from_its_cursor() {
    run(|db| async move {
        tables(&db).await;
        Entry::batch_put(&db, (0..30).map(entry)).await.unwrap();
        let plan = Plan::new();
        let faulty = faulty(&db, &plan, 2);
        let query = || Entry::query(&faulty, "l".to_owned()).page_size(10);

        // Two pages read, then every attempt at the third throttled.
        let interrupt = || {
            plan.heal();
            plan.pass("Query", 2);
            plan.always("Query", Fault::Throttle);
        };

        // All pages at once: the third page fails, so the call fails; never 20 items.
        interrupt();
        service(query().await, Some("ProvisionedThroughputExceededException"));

        // As a stream: the 20 items of the pages read, then the error, then nothing.
        interrupt();
        let mut stream = std::pin::pin!(query().stream());
        let mut streamed = Vec::new();
        let mut errors = 0;
        while let Some(item) = futures::StreamExt::next(&mut stream).await {
            match item {
                Ok(entry) => streamed.push(entry.n),
                Err(error) => {
                    service(Err::<(), _>(error), Some("ProvisionedThroughputExceededException"));
                    errors += 1;
                }
            }
        }
        assert_eq!((streamed, errors), ((0..20).collect::<Vec<_>>(), 1));

        // Page by page: the failed page is an error; its cursor, used again once the
        // fault is gone, reads on from where the last good page ended.
        interrupt();
        let first = query().page(None).await.unwrap();
        let second = query().page(first.cursor.clone()).await.unwrap();
        service(query().page(second.cursor.clone()).await, Some("ProvisionedThroughputExceededException"));
        plan.heal();
        let mut items: Vec<u32> = first.items.iter().chain(&second.items).map(|entry| entry.n).collect();
        let mut cursor = second.cursor;
        while let Some(at) = cursor {
            let page = query().page(Some(at)).await.unwrap();
            items.extend(page.items.iter().map(|entry| entry.n));
            cursor = page.cursor;
        }
        assert_eq!(items, (0..30).collect::<Vec<_>>(), "every item exactly once");
    });
}

#[test]
fn a_batch_never_counts_as_done_a_write_whose_answer_was_lost() {
    run(|db| async move {
        tables(&db).await;
        let plan = Plan::new();
        // The client does not retry: the library's policy does (3 tries).
        let faulty = faulty(&db, &plan, 1);

        // The first request applied and its answer lost: sent again (puts are safe to
        // repeat), all 30 written.
        plan.then("BatchWriteItem", &[Fault::ResetAfter]);
        assert_eq!(Order::batch_put(&faulty, (0..30).map(order)).await.unwrap().written, 30);
        assert_eq!(Order::scan(&db).consistent().count().await.unwrap(), 30);

        // Every request of the second chunk lost after applying: the first chunk (25) is
        // done, the other 5 pending and marked as maybe applied (they were).
        plan.pass("BatchWriteItem", 1);
        plan.always("BatchWriteItem", Fault::HangAfter);
        let error = Order::batch_put(&faulty, (100..130).map(order)).concurrency(1).await.unwrap_err();
        let Error::Batch(batch) = &error else { panic!("{error:?}") };
        assert_eq!((batch.done, batch.taken, batch.pending.len()), (25, 30, 5), "{error}");
        assert!(batch.pending.iter().all(|pending| pending.maybe_applied), "{error}");
        let BatchCause::RetriesExhausted { attempts: 3, last_error: Some(last) } = &batch.cause else {
            panic!("{error}")
        };
        assert!(matches!(**last, Error::OutcomeUnknown { operation: "BatchWriteItem", .. }), "{last:?}");
        for pending in &batch.pending {
            let PendingRequest::Put(item) = &pending.request else { panic!("{pending:?}") };
            let written: Order = dynamo_model::Document::from_item(item.clone()).unwrap();
            assert_eq!(Order::get(&db, Order::key(written.id)).consistent().await.unwrap(), Some(written));
        }

        // Never sent (refused): pending, not maybe applied, and indeed not there.
        plan.heal();
        plan.always("BatchWriteItem", Fault::Refused);
        let error = Order::batch_put(&faulty, (200..210).map(order)).await.unwrap_err();
        let Error::Batch(batch) = &error else { panic!("{error:?}") };
        assert_eq!((batch.done, batch.pending.len()), (0, 10), "{error}");
        assert!(batch.pending.iter().all(|pending| !pending.maybe_applied), "{error}");
        assert_eq!(Order::scan(&db).consistent().count().await.unwrap(), 60, "30 + 30, none of the refused");
    });
}

#[test]
fn faults_leave_no_task_behind() {
    // A runtime of its own, so that its task count is this test's alone.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let db = crate::common::local().isolated_db();
    runtime.block_on(async move {
        let alive = || tokio::runtime::Handle::current().metrics().num_alive_tasks();
        assert_eq!(alive(), 0);
        let plan = Plan::new();
        let faulty = faulty(&db, &plan, 2);
        Order::create_table(&faulty).await.unwrap();
        Entry::create_table(&faulty).await.unwrap();
        Account::create_table(&faulty).await.unwrap();
        Entry::batch_put(&faulty, (0..30).map(entry)).await.unwrap();
        Account::put(&faulty, &account("a", 1, 0)).await.unwrap();

        plan.always("GetItem", Fault::Stall);
        plan.then("PutItem", &[Fault::StallAfter, Fault::HangAfter]);
        plan.then("UpdateItem", &[Fault::ResetAfter, Fault::ResetBefore]);
        plan.pass("Query", 1);
        plan.always("Query", Fault::Hang);
        plan.always("BatchWriteItem", Fault::ServerErrorAfter);
        plan.always("TransactWriteItems", Fault::ResetAfter);
        let (account, order99) = (account("a", 2, 1), order(99));
        let (get, put, update, query, batch, tx) = futures::join!(
            Order::get(&faulty, Order::key(1)).into_future(),
            Account::put(&faulty, &account).into_future(),
            Account::update(&faulty, Account::key("a")).add(&Account::BALANCE, 1).into_future(),
            futures::TryStreamExt::try_collect::<Vec<Entry>>(
                Entry::query(&faulty, "l".to_owned()).page_size(10).stream()
            ),
            Order::batch_put(&faulty, (0..30).map(order)).into_future(),
            faulty.transaction().put(Order::put(&faulty, &order99)).into_future(),
        );
        assert!(
            get.is_err() && put.is_err() && update.is_err() && query.is_err(),
            "{get:?} {put:?} {update:?} {query:?}"
        );
        assert!(batch.is_err() && tx.is_err(), "{batch:?} {tx:?}");
        drop(faulty);
        // The HTTP client's connections close once their client is gone; nothing else
        // was left running.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while alive() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(alive(), 0, "tasks left running after every request ended");

        // The control: a task still running is seen.
        let stuck = tokio::spawn(std::future::pending::<()>());
        assert_eq!(alive(), 1);
        stuck.abort();
    });
}

#[test]
fn each_span_counts_the_attempts_of_its_request() {
    let db = crate::common::local().isolated_db();
    let output = crate::observability::traced(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let plan = Plan::new();
            let faulty = faulty(&db, &plan, 3);
            Order::create_table(&faulty).await.unwrap();
            plan.then("PutItem", &[Fault::Throttle, Fault::Throttle]);
            Order::put(&faulty, &order(1)).await.unwrap();
            plan.then("PutItem", &[Fault::ResetAfter]);
            let unknown = Order::put(&faulty, &order(1)).if_not_exists().await;
            assert!(matches!(unknown, Err(Error::OutcomeUnknown { attempts: 2, .. })), "{unknown:?}");
        });
    });
    // The library's span closing: `dynamodb{…}: dynamo_model::send: close …`.
    let spans: Vec<&str> = output
        .lines()
        .filter(|line| line.contains("operation=\"PutItem\"") && line.contains("dynamo_model::send: close"))
        .collect();
    assert_eq!(spans.len(), 2, "{spans:#?}");
    assert!(spans[0].contains("attempts=3") && spans[0].contains("outcome=\"ok\""), "{}", spans[0]);
    assert!(
        spans[1].contains("attempts=2") && spans[1].contains("outcome=\"ConditionalCheckFailedException\""),
        "{}",
        spans[1]
    );
}
