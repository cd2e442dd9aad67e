use aws_sdk_dynamodb::operation::delete_item::builders::DeleteItemFluentBuilder;
use aws_sdk_dynamodb::types::ReturnValue;

use crate::error::service_error;
use crate::{Db, Model, ModelKey, Result};

/// Deletes one item by key; awaits to the deleted item, `None` if there was none. Made
/// by [`Model::delete`].
///
/// ```no_run
/// # use dynamo_model::{Db, Model};
/// # #[derive(Model)] #[dynamo(table = "orders")]
/// # struct Order { #[dynamo(hash_key)] customer_id: String, #[dynamo(range_key)] order_id: String }
/// # async fn run(db: &Db) -> dynamo_model::Result<()> {
/// let deleted: Option<Order> = Order::delete(db, Order::key("c1", "o1")).await?;
/// # Ok(()) }
/// ```
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct Delete<'a, M: Model> {
    db: &'a Db,
    key: M::Key,
}

impl<'a, M: Model> Delete<'a, M> {
    pub(crate) fn new(db: &'a Db, key: M::Key) -> Self {
        Self { db, key }
    }

    /// The `DeleteItem` request this operation sends, unsent.
    pub fn request(&self) -> Result<DeleteItemFluentBuilder> {
        Ok(self
            .db
            .client()
            .delete_item()
            .table_name(self.db.table_name::<M>())
            .set_key(Some(self.key.to_key_item()?))
            .return_values(ReturnValue::AllOld))
    }

    async fn send(self) -> Result<Option<M>> {
        let output = self
            .request()?
            .send()
            .await
            .map_err(|e| service_error("DeleteItem", &self.db.table_name::<M>(), e))?;
        output.attributes.filter(|item| !item.is_empty()).map(M::from_item).transpose()
    }
}

super::awaitable!(Delete => Option<M>);
