use aws_sdk_dynamodb::operation::delete_item::builders::DeleteItemFluentBuilder;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};

use super::conditional::Conditional;
use super::lifecycle;
use crate::error::service_error;
use crate::expr::{Condition, Renderer};
use crate::{Db, Model, ModelKey, Result};

/// Deletes one item by key; awaits to the deleted item, `None` if there was none. Made
/// by [`Model::delete`].
///
/// ```no_run
/// # use dynamo_model::{Db, Model};
/// # #[derive(Model)] #[dynamo(table = "orders")]
/// # struct Order { #[dynamo(hash_key)] customer_id: String, #[dynamo(range_key)] order_id: String, status: String }
/// # async fn run(db: &Db) -> dynamo_model::Result<()> {
/// let deleted: Option<Order> =
///     Order::delete(db, Order::key("c1", "o1")).condition(Order::STATUS.eq("draft")).await?;
/// # Ok(()) }
/// ```
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct Delete<'a, M: Model> {
    db: &'a Db,
    key: M::Key,
    conditional: Conditional<M>,
    expected_version: Option<u64>,
}

impl<'a, M: Model> Delete<'a, M> {
    pub(crate) fn new(db: &'a Db, key: M::Key) -> Self {
        Self { db, key, conditional: Conditional::default(), expected_version: None }
    }

    /// Deletes only if the condition holds; otherwise [`Error::ConditionFailed`](crate::Error::ConditionFailed) with
    /// the current item. Several conditions combine with AND.
    pub fn condition(mut self, condition: impl Into<Condition<M>>) -> Self {
        self.conditional.add(condition.into());
        self
    }

    /// Deletes only if the stored `#[dynamo(version)]` is `version` (the one read);
    /// [`Error::VersionConflict`](crate::Error::VersionConflict) otherwise.
    pub fn expect_version(mut self, version: u64) -> Self {
        self.expected_version = Some(version);
        self
    }

    /// The `DeleteItem` request this operation sends, unsent.
    pub fn request(&self) -> Result<DeleteItemFluentBuilder> {
        let mut renderer = Renderer::new(M::NAME);
        let first = self.expected_version.and_then(lifecycle::version_condition::<M>);
        let conditioned = first.is_some() || self.conditional.is_set();
        let condition = self.conditional.render(&mut renderer, first)?;
        let (names, values) = renderer.finish();
        let mut request = self
            .db
            .client()
            .delete_item()
            .table_name(self.db.table_name::<M>())
            .set_key(Some(self.key.to_key_item()?))
            .return_values(ReturnValue::AllOld);
        if conditioned {
            request = request
                .set_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        }
        Ok(request)
    }

    async fn send(self) -> Result<Option<M>> {
        let table = self.db.table_name::<M>();
        match self.request()?.send().await {
            Ok(output) => output.attributes.filter(|item| !item.is_empty()).map(M::from_item).transpose(),
            Err(err) => {
                if let Some(DeleteItemError::ConditionalCheckFailedException(failed)) = err.as_service_error() {
                    let item = failed.item.clone().filter(|item| !item.is_empty());
                    return Err(lifecycle::condition_error::<M>(table, self.expected_version, item));
                }
                Err(service_error("DeleteItem", &table, err))
            }
        }
    }
}

super::awaitable!(Delete => Option<M>);
