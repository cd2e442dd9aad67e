use aws_sdk_dynamodb::operation::get_item::builders::GetItemFluentBuilder;

use crate::error::service_error;
use crate::{Db, Model, ModelKey, Result};

/// Reads one item by its key; awaits to `Option<M>`. Made by [`Model::get`].
///
/// ```no_run
/// # use dynamo_model::{Db, Model};
/// # #[derive(Model)] #[dynamo(table = "orders")]
/// # struct Order { #[dynamo(hash_key)] customer_id: String, #[dynamo(range_key)] order_id: String }
/// # async fn run(db: &Db) -> dynamo_model::Result<()> {
/// if let Some(order) = Order::get(db, Order::key("c1", "o1")).consistent().await? {
///     println!("{}", order.order_id);
/// }
/// # Ok(()) }
/// ```
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct Get<'a, M: Model> {
    db: &'a Db,
    key: M::Key,
    consistent: bool,
    skip_expired: bool,
}

impl<'a, M: Model> Get<'a, M> {
    pub(crate) fn new(db: &'a Db, key: M::Key) -> Self {
        Self { db, key, consistent: false, skip_expired: false }
    }

    /// Asks for a strongly consistent read (the default is eventually consistent).
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Treats an item whose `#[dynamo(ttl)]` time has passed as absent. DynamoDB deletes
    /// expired items only eventually, and returns them until it does.
    pub fn skip_expired(mut self) -> Self {
        self.skip_expired = true;
        self
    }

    /// The `GetItem` request this operation sends, unsent.
    pub fn request(&self) -> Result<GetItemFluentBuilder> {
        let mut request =
            self.db.client().get_item().table_name(self.db.table_name::<M>()).set_key(Some(self.key.to_key_item()?));
        if self.consistent {
            request = request.consistent_read(true);
        }
        Ok(request)
    }

    async fn send(self) -> Result<Option<M>> {
        let output =
            self.request()?.send().await.map_err(|e| service_error("GetItem", &self.db.table_name::<M>(), e))?;
        let item = output.item.filter(|item| !(self.skip_expired && super::lifecycle::expired::<M>(item)));
        item.map(M::from_item).transpose()
    }
}

super::awaitable!(Get => Option<M>);
