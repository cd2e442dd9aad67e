//! The shared DynamoDB Local and the runtime every test runs on.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use dynamo_model::local::DynamoDbLocal;
use dynamo_model::{AttributeValue, Db, Item, Model, ModelKey};

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
    let mut counted = Db::new(aws_sdk_dynamodb::Client::from_conf(config)).with_table_prefix(db.table_prefix());
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
