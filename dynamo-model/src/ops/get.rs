use std::marker::PhantomData;

use aws_sdk_dynamodb::operation::get_item::builders::GetItemFluentBuilder;

use crate::compile::{lifecycle, CompiledGet, Compiler};
use crate::expr::PathExpr;
use crate::{Db, Document, Model, ModelKey, Result};

/// Whether an item read has expired (its model's `#[dynamo(ttl)]` has passed).
pub(crate) type Expired = fn(&crate::Item) -> bool;

/// Reads one item by its key; awaits to `Option<P>` (`P` is the model unless
/// [`Get::project_into`] chose a lighter type). Made by [`Model::get`].
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
pub struct Get<'a, M: Model, P = M> {
    db: &'a Db,
    key: M::Key,
    consistent: bool,
    skip_expired: bool,
    marker: PhantomData<fn() -> P>,
}

impl<M: Model, P> Clone for Get<'_, M, P> {
    fn clone(&self) -> Self {
        Self {
            db: self.db,
            key: self.key.clone(),
            consistent: self.consistent,
            skip_expired: self.skip_expired,
            marker: PhantomData,
        }
    }
}

impl<M: Model, P> std::fmt::Debug for Get<'_, M, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Get")
            .field("key", &self.key)
            .field("consistent", &self.consistent)
            .field("skip_expired", &self.skip_expired)
            .finish_non_exhaustive()
    }
}

impl<'a, M: Model> Get<'a, M, M> {
    pub(crate) fn new(db: &'a Db, key: M::Key) -> Self {
        Self { db, key, consistent: false, skip_expired: false, marker: PhantomData }
    }
}

impl<'a, M: Model, P: Document> Get<'a, M, P> {
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

    /// Decodes into `Q`, reading only its attributes (and the key): a lighter struct
    /// with some of the model's fields (`#[derive(Document)]`). The request carries a
    /// projection of `Q`'s attributes and the model's keys.
    ///
    /// ```
    /// use dynamo_model::{Db, Document, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, status: String, total: i64, note: Option<String> }
    ///
    /// #[derive(Document, Debug, Clone)]
    /// struct OrderStatus { status: String }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let get = Order::get(&db, Order::key("o1")).project_into::<OrderStatus>();
    /// let expressions = get.compile()?.expressions;
    /// assert_eq!(expressions.projection.as_deref(), Some("#n0, #n1"));
    /// let names = expressions.names.unwrap();
    /// assert_eq!((names["#n0"].as_str(), names["#n1"].as_str()), ("status", "id"));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn project_into<Q: Document>(self) -> Get<'a, M, Q> {
        Get {
            db: self.db,
            key: self.key,
            consistent: self.consistent,
            skip_expired: self.skip_expired,
            marker: PhantomData,
        }
    }

    /// The checked description of the request: table, key, consistency and, for
    /// [`project_into`](Get::project_into), the projection.
    pub fn compile(&self) -> Result<CompiledGet> {
        let mut compiler = Compiler::new(M::NAME);
        if P::ATTRIBUTES != M::ATTRIBUTES {
            let mut paths: Vec<PathExpr> = P::ATTRIBUTES.iter().map(|name| PathExpr::attribute(name)).collect();
            // The key names the item; the TTL decides `skip_expired`.
            let needed = [
                Some(M::KEY_SCHEMA.hash.name),
                M::KEY_SCHEMA.range.map(|range| range.name),
                M::TTL,
                M::ENTITY.map(|entity| entity.attribute),
            ];
            for name in needed.into_iter().flatten() {
                if !paths.iter().any(|path| path.root == name) {
                    paths.push(PathExpr::attribute(name));
                }
            }
            compiler.projection(&paths)?;
        }
        Ok(CompiledGet {
            table: self.db.table_name::<M>(),
            key: self.key.to_key_item()?,
            consistent: self.consistent,
            expressions: compiler.finish()?,
        })
    }

    /// The `GetItem` request this operation sends, unsent.
    pub fn request(&self) -> Result<GetItemFluentBuilder> {
        Ok(self.compile()?.into_request(self.db.client()))
    }

    /// What a transaction's read needs: the compiled request and whether an item read
    /// counts as absent.
    pub(crate) fn parts(&self) -> Result<(CompiledGet, Option<Expired>)> {
        let absent: Option<Expired> = match (self.skip_expired, M::ENTITY.is_some()) {
            (true, true) => Some(|item| lifecycle::expired::<M>(item) || crate::single_table::foreign::<M>(item)),
            (true, false) => Some(lifecycle::expired::<M>),
            (false, true) => Some(crate::single_table::foreign::<M>),
            (false, false) => None,
        };
        Ok((self.compile()?, absent))
    }

    async fn send(self) -> Result<Option<P>> {
        let compiled = self.compile()?;
        let table = compiled.table.clone();
        let output = self
            .db
            .send(
                "GetItem",
                &table,
                compiled.into_request(self.db.client()).set_return_consumed_capacity(self.db.capacity()).send(),
            )
            .await?;
        // An item of another model of a shared table is not one of this model's.
        let item = output
            .item
            .filter(|item| !(self.skip_expired && lifecycle::expired::<M>(item)))
            .filter(|item| !crate::single_table::foreign::<M>(item));
        item.map(P::from_item).transpose()
    }
}

impl<'a, M: Model + 'a, P: Document + 'a> std::future::IntoFuture for Get<'a, M, P> {
    type Output = Result<Option<P>>;
    type IntoFuture = super::OpFuture<'a, Option<P>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
