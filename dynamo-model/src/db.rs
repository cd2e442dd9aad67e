//! The [`Db`] handle every operation runs on.

use std::sync::Arc;

use aws_sdk_dynamodb::Client;

use crate::model::Model;

/// A DynamoDB client plus the settings every operation shares: an optional table-name
/// prefix (for one table set per environment). Cheap to clone.
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
#[derive(Debug, Clone)]
pub struct Db {
    client: Client,
    table_prefix: Arc<str>,
}

impl Db {
    /// Wraps an SDK client.
    pub fn new(client: Client) -> Self {
        Self { client, table_prefix: Arc::from("") }
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

    /// The full table name of a model: prefix and the model's table.
    pub fn table_name<M: Model>(&self) -> String {
        let mut name = String::with_capacity(self.table_prefix.len() + M::TABLE.len());
        name.push_str(&self.table_prefix);
        name.push_str(M::TABLE);
        name
    }
}
