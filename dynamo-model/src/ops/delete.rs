use aws_sdk_dynamodb::operation::delete_item::builders::DeleteItemFluentBuilder;

use super::conditional::{compile_keyed, Conditional};
use super::Returned;
use crate::compile::{CompiledDelete, WriteKind};
use crate::expr::Condition;
use crate::{Db, Model, ModelKey, Result};

/// Deletes one item by key; awaits to the deleted item ([`Returned`], `None` inside if
/// there was none). Made by [`Model::delete`].
///
/// ```no_run
/// # use dynamo_model::{Db, Model};
/// # #[derive(Model)] #[dynamo(table = "orders")]
/// # struct Order { #[dynamo(hash_key)] customer_id: String, #[dynamo(range_key)] order_id: String, status: String }
/// # async fn run(db: &Db) -> dynamo_model::Result<()> {
/// let deleted: Option<Order> =
///     Order::delete(db, Order::key("c1", "o1")).condition(Order::STATUS.eq("draft")).await?.into_item()?;
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

    /// Deletes only if the condition holds; otherwise
    /// [`Error::ConditionFailed`](crate::Error::ConditionFailed) with the current item.
    /// Several conditions combine with AND.
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

    /// The checked description of the request.
    pub fn compile(&self) -> Result<CompiledDelete> {
        let (table, expressions, failure) =
            compile_keyed(self.db, WriteKind::Delete, &self.conditional, self.expected_version)?;
        Ok(CompiledDelete { table, key: self.key.to_key_item()?, expressions, failure })
    }

    /// The `DeleteItem` request this operation sends, unsent.
    pub fn request(&self) -> Result<DeleteItemFluentBuilder> {
        Ok(self.compile()?.into_request(self.db.client()))
    }

    async fn send(self) -> Result<Returned<Option<M>>> {
        let (request, failure) = self.compile()?.into_parts(self.db.client());
        let table = failure.table.clone();
        let (output, attempts) = self
            .db
            .send_write_seen("DeleteItem", failure, request.set_return_consumed_capacity(self.db.capacity()).send())
            .await?;
        let old = output.attributes.filter(|item| !item.is_empty());
        // No item before the last attempt, after an earlier one that may have deleted it:
        // whether there was one is unknown, and "there was none" would be a guess.
        if old.is_none() && attempts.unsettled {
            let cause = crate::Error::NotFound { model: M::NAME, table: table.clone() };
            return Err(attempts.settle("DeleteItem", &table, cause));
        }
        Ok(Returned::new(old.map(M::from_item).transpose()))
    }
}

super::awaitable!(Delete => Returned<Option<M>>);
