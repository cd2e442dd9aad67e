//! The [`Db`] handle every operation runs on.

use std::sync::Arc;

use aws_sdk_dynamodb::Client;

use crate::cursor::CursorKey;
use crate::model::Model;
use crate::retry::RetryPolicy;

/// A DynamoDB client plus the settings every operation shares: an optional table-name
/// prefix (for one table set per environment) and an optional key that seals pagination
/// cursors. Cheap to clone. Every request of every operation is sent through it.
///
/// ```
/// use dynamo_model::Db;
///
/// let config = aws_sdk_dynamodb::Config::builder()
///     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
///     .build();
/// let db = Db::new(aws_sdk_dynamodb::Client::from_conf(config)).with_table_prefix("staging-");
/// assert_eq!(db.table_prefix(), "staging-");
/// ```
#[derive(Clone)]
pub struct Db {
    client: Client,
    table_prefix: Arc<str>,
    cursor_key: Option<CursorKey>,
    retry: Arc<RetryPolicy>,
    /// Whether the SDK's trace events with values pass (see [`Db::with_value_tracing`]).
    trace_values: bool,
    /// Whether requests ask DynamoDB for the capacity they consume.
    capacity: bool,
    /// Whatever must live as long as this handle (a DynamoDB Local it runs on).
    _keep_alive: Option<Arc<dyn std::any::Any + Send + Sync>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("table_prefix", &self.table_prefix)
            .field("cursor_key", &self.cursor_key)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Wraps an SDK client. The handle keeps a copy of the client with one interceptor
    /// added, which counts each request's attempts and notes whether one of them may have
    /// reached DynamoDB without an answer (so a write's outcome can be reported as
    /// [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown)); the client given is
    /// left as it is.
    pub fn new(client: Client) -> Self {
        Self {
            client: crate::send::watching_attempts(client),
            table_prefix: Arc::from(""),
            cursor_key: None,
            retry: Arc::new(RetryPolicy::default()),
            trace_values: false,
            capacity: false,
            _keep_alive: None,
        }
    }

    /// Lets the SDK's trace-level events that print whole responses and decoded outputs
    /// (attribute values, keys, items) through, for debugging. Off by default: the
    /// library's own spans never hold a value, and while it polls a request it holds
    /// those SDK events back (the README's "Tracing" section says what is traced).
    #[must_use]
    pub fn with_value_tracing(mut self, on: bool) -> Self {
        self.trace_values = on;
        self
    }

    /// Whether [`Db::with_value_tracing`] is on.
    pub fn traces_values(&self) -> bool {
        self.trace_values
    }

    /// Makes every read and write ask DynamoDB for the capacity it consumes
    /// (`ReturnConsumedCapacity=TOTAL`); each request's `dynamodb` span then records it
    /// as `consumed_capacity` (capacity units, summed over tables and indexes). Off by
    /// default: the answer is a little larger.
    ///
    /// ```
    /// # let config = aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
    /// #     .build();
    /// let db = dynamo_model::Db::new(aws_sdk_dynamodb::Client::from_conf(config)).with_consumed_capacity(true);
    /// assert!(db.reports_consumed_capacity());
    /// ```
    #[must_use]
    pub fn with_consumed_capacity(mut self, on: bool) -> Self {
        self.capacity = on;
        self
    }

    /// Whether [`Db::with_consumed_capacity`] is on.
    pub fn reports_consumed_capacity(&self) -> bool {
        self.capacity
    }

    /// What requests ask for of `ReturnConsumedCapacity`.
    pub(crate) fn capacity(&self) -> Option<aws_sdk_dynamodb::types::ReturnConsumedCapacity> {
        self.capacity.then_some(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total)
    }

    /// The retry policy of batches and transactions (see [`retry`](crate::retry) for
    /// what it retries and how it shares the work with the SDK's own retries).
    #[must_use]
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Arc::new(policy);
        self
    }

    /// The retry policy of batches and transactions.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Whether the client retries throttling, server errors and network faults itself:
    /// its `RetryConfig` allows more than one attempt. A client configured without one
    /// gets the SDK's default (standard mode, 3 attempts), which its config does not show.
    pub(crate) fn sdk_retries(&self) -> bool {
        self.client.config().retry_config().is_none_or(|config| config.max_attempts() > 1)
    }

    /// Seals the cursors of queries and scans with `key` (see [`CursorKey`]): clients
    /// can neither read the key values in them nor forge one, and a cursor made without
    /// this key is refused.
    #[must_use]
    pub fn with_cursor_key(mut self, key: CursorKey) -> Self {
        self.cursor_key = Some(key);
        self
    }

    /// The key that seals cursors, if any.
    pub fn cursor_key(&self) -> Option<&CursorKey> {
        self.cursor_key.as_ref()
    }

    /// Keeps `value` alive as long as this handle or a clone of it.
    #[cfg(feature = "local")]
    pub(crate) fn keeping_alive(mut self, value: Arc<dyn std::any::Any + Send + Sync>) -> Self {
        self._keep_alive = Some(value);
        self
    }

    /// A client configured from the environment by `aws-config`: region, credentials and
    /// endpoint, so `AWS_ENDPOINT_URL_DYNAMODB` (or `AWS_ENDPOINT_URL`) points it at a
    /// DynamoDB Local or any other endpoint.
    pub async fn from_env() -> Self {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Self::new(Client::new(&config))
    }

    /// Prefixes every table name, so `orders` becomes `staging-orders`.
    #[must_use]
    pub fn with_table_prefix(mut self, prefix: impl AsRef<str>) -> Self {
        self.table_prefix = Arc::from(prefix.as_ref());
        self
    }

    /// The table-name prefix (empty by default).
    pub fn table_prefix(&self) -> &str {
        &self.table_prefix
    }

    /// The SDK client, for anything this library does not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A transaction of writes and condition checks on any models. See
    /// [`Transaction`](crate::tx::Transaction).
    pub fn transaction(&self) -> crate::tx::Transaction<'_> {
        crate::tx::Transaction::new(self)
    }

    /// Reads of any models from one point in time. See
    /// [`TransactionGet`](crate::tx::TransactionGet).
    pub fn transaction_get(&self) -> crate::tx::TransactionGet<'_> {
        crate::tx::TransactionGet::new(self)
    }

    /// A batch of puts and deletes on any models. See
    /// [`BatchWrite`](crate::batch::BatchWrite).
    pub fn batch_write(&self) -> crate::batch::BatchWrite<'_> {
        crate::batch::BatchWrite::new(self)
    }

    /// The full table name of a model: prefix and the model's table.
    pub fn table_name<M: Model>(&self) -> String {
        self.prefixed(M::TABLE)
    }

    /// The full name of table `name`: prefix and name.
    pub(crate) fn prefixed(&self, table: &str) -> String {
        let mut name = String::with_capacity(self.table_prefix.len() + table.len());
        name.push_str(&self.table_prefix);
        name.push_str(table);
        name
    }
}
