//! The shared DynamoDB Local and the runtime every test runs on.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use dynamo_model::local::DynamoDbLocal;
use dynamo_model::{AttributeValue, Db, Error, Item, Model, ModelKey, RequestReason};

/// One runtime for all tests: SDK clients keep connections on the runtime that opened
/// them, so one shared runtime keeps them valid from test to test.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime")
    })
}

/// The DynamoDB Local shared by this test binary.
pub fn local() -> &'static DynamoDbLocal {
    static LOCAL: OnceLock<DynamoDbLocal> = OnceLock::new();
    LOCAL.get_or_init(|| {
        runtime().block_on(DynamoDbLocal::start()).unwrap_or_else(|e| panic!("DynamoDB Local did not start: {e}"))
    })
}

/// Runs a test body with a `Db` in its own empty namespace.
pub fn run<F, Fut>(test: F) -> Fut::Output
where
    F: FnOnce(Db) -> Fut,
    Fut: Future,
{
    let db = local().isolated_db();
    runtime().block_on(test(db))
}

/// Counts the requests a client sends, to prove that bad input sends none.
#[derive(Debug, Clone, Default)]
pub struct RequestCounter(Arc<AtomicUsize>);

impl RequestCounter {
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "RequestCounter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// A `Db` on the same namespace as `db` whose requests are counted.
pub fn counted(db: &Db) -> (Db, RequestCounter) {
    let counter = RequestCounter::default();
    let config = db.client().config().to_builder().interceptor(counter.clone()).build();
    let mut counted = Db::new(aws_sdk_dynamodb::Client::from_conf(config))
        .with_table_prefix(db.table_prefix())
        .with_retry(db.retry_policy().clone());
    if let Some(key) = db.cursor_key() {
        counted = counted.with_cursor_key(key.clone());
    }
    (counted, counter)
}

/// A cursor's text as the library writes it (base64url without padding), for tests
/// that read or edit cursors as a client could.
pub const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding, as cursors are written.
pub fn base64url_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The bytes of base64url text without padding; `None` if it is not that.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()
}

/// A string value.
pub fn s(text: impl Into<String>) -> AttributeValue {
    AttributeValue::S(text.into())
}

/// A number value, in the notation given.
pub fn n(text: &str) -> AttributeValue {
    AttributeValue::N(text.to_owned())
}

/// The item as stored, read with the SDK client (not through the model).
pub async fn raw<M: Model>(db: &Db, key: &M::Key) -> Option<Item> {
    db.client()
        .get_item()
        .table_name(db.table_name::<M>())
        .set_key(Some(key.to_key_item().expect("the key encodes")))
        .consistent_read(true)
        .send()
        .await
        .expect("the item is read")
        .item
}

/// Runs `op`, returning how many requests it sent and its result.
pub async fn sent<T>(
    requests: &RequestCounter,
    op: impl Future<Output = dynamo_model::Result<T>>,
) -> (usize, dynamo_model::Result<T>) {
    let before = requests.count();
    let result = op.await;
    (requests.count() - before, result)
}

/// Promise 1: DynamoDB rejected nothing, and a refusal before sending sent nothing.
pub fn not_rejected<T: std::fmt::Debug>(what: &str, requests: usize, result: &dynamo_model::Result<T>) {
    match result {
        Err(error @ Error::Service { code, .. }) => panic!(
            "promise 1 broken: `{what}` was sent ({requests} request(s)) and DynamoDB rejected it ({code:?}): {error}"
        ),
        Err(
            error @ (Error::Invalid { .. }
            | Error::InvalidRequest { .. }
            | Error::Unprojected { .. }
            | Error::InvalidCursor { .. }),
        ) => {
            assert_eq!(requests, 0, "`{what}` was refused before sending ({error}) but sent {requests} request(s)");
        }
        _ => {}
    }
}

/// The item as stored after `what`: it must read back and keep its rules; else the
/// line that says how it broke (with the raw item).
async fn stored<M: Model>(db: &Db, key: M::Key, what: &str) -> Result<M, String> {
    let raw = raw::<M>(db, &key).await;
    match M::get(db, key).consistent().await {
        Ok(Some(item)) => match item.validate() {
            Ok(()) => Ok(item),
            Err(error) => {
                Err(format!("promise 3: after `{what}` the stored item breaks its rules: {error}\n  raw {raw:?}"))
            }
        },
        Ok(None) => Err(format!("`{what}`: the item is gone")),
        Err(error) => Err(format!("promise 3: after `{what}` the item no longer reads back: {error}\n  raw {raw:?}")),
    }
}

/// The item as stored after `what`, which must read back and keep its rules.
pub async fn readable_and_valid<M: Model>(db: &Db, key: M::Key, what: &str) -> M {
    stored(db, key, what).await.unwrap_or_else(|line| panic!("{line}"))
}

/// As [`readable_and_valid`], the broken promise as a line (`None` when it holds).
pub async fn check_stored<M: Model>(db: &Db, key: M::Key, what: &str) -> Option<String> {
    stored::<M>(db, key, what).await.err()
}

/// A filter sent, accepted, and answering `expected` items; else the line that says how
/// it failed (a refusal of a filter that has an answer is over-refusal).
pub fn judge_filter<T>(
    what: &str,
    count: usize,
    result: &dynamo_model::Result<Vec<T>>,
    expected: usize,
) -> Option<String> {
    match result {
        Ok(items) if items.len() == expected => None,
        Ok(items) => Some(format!("promise 4: filter `{what}` answered {} item(s), expected {expected}", items.len())),
        Err(error) if count > 0 => Some(format!("promise 1: filter `{what}` sent ({count}) and failed: {error:?}")),
        Err(error) => Some(format!("OVER-REFUSAL: filter `{what}`: {error:?}")),
    }
}

/// "applied", or the error: for the probes' logs.
pub fn outcome<T>(result: &dynamo_model::Result<T>) -> String {
    match result {
        Ok(_) => "applied".to_owned(),
        Err(error) => error.to_string(),
    }
}

/// Refused before sending as inside (or a test beyond equality of) a converted field
/// whose path contains `attribute`.
pub fn converted<T>(result: &dynamo_model::Result<T>, attribute: &str) -> bool {
    matches!(result, Err(Error::InvalidRequest { reason: RequestReason::Converted { attribute: a }, .. }) if a.contains(attribute))
}

/// Refused before sending as a write inside a value with whole-value rules.
pub fn uncheckable<T>(result: &dynamo_model::Result<T>) -> bool {
    matches!(result, Err(Error::InvalidRequest { reason: RequestReason::UncheckableRule { .. }, .. }))
}

/// Owned strings.
pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// `$op.await` fails with an error matching the pattern, and sends no request. Evaluates
/// to the error.
macro_rules! refused {
    ($requests:expr, $op:expr, $pat:pat $(if $guard:expr)?) => {{
        let requests: &$crate::common::RequestCounter = &$requests;
        let before = requests.count();
        let result = $op.await;
        assert_eq!(requests.count(), before, "`{}` sent a request; it returned {:?}", stringify!($op), result);
        match result {
            Err(error) => {
                assert!(
                    matches!(&error, $pat $(if $guard)?),
                    "`{}`: expected {}, got {error:?}",
                    stringify!($op),
                    stringify!($pat)
                );
                error
            }
            Ok(value) => panic!("`{}` was not refused: {value:?}", stringify!($op)),
        }
    }};
}

/// `$op.await` is sent and DynamoDB accepts it. Evaluates to its output.
macro_rules! accepted {
    ($requests:expr, $op:expr) => {{
        let requests: &$crate::common::RequestCounter = &$requests;
        let before = requests.count();
        let result = $op.await;
        assert!(requests.count() > before, "`{}` sent nothing", stringify!($op));
        match result {
            Ok(value) => value,
            Err(error) => panic!("`{}`: DynamoDB should have accepted it, got {error:?}", stringify!($op)),
        }
    }};
}
