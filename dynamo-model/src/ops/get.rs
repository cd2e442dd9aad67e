use aws_sdk_dynamodb::operation::get_item::builders::GetItemFluentBuilder;

use crate::compile::{lifecycle, CompiledGet};
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

    /// The checked description of the request.
    pub fn compile(&self) -> Result<CompiledGet> {
        Ok(CompiledGet { table: self.db.table_name::<M>(), key: self.key.to_key_item()?, consistent: self.consistent })
    }

    /// The `GetItem` request this operation sends, unsent.
    pub fn request(&self) -> Result<GetItemFluentBuilder> {
        Ok(self.compile()?.into_request(self.db.client()))
    }

    async fn send(self) -> Result<Option<M>> {
        let compiled = self.compile()?;
        let table = compiled.table.clone();
        let output = self.db.send("GetItem", &table, compiled.into_request(self.db.client()).send()).await?;
        let item = output.item.filter(|item| !(self.skip_expired && lifecycle::expired::<M>(item)));
        item.map(M::from_item).transpose()
    }
}

super::awaitable!(Get => Option<M>);
