use std::future::IntoFuture;
use std::marker::PhantomData;

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;

use super::read::{key_operand, KeyCondition, Purpose, ReadOptions, ReadTypes, Reader};
use crate::compile::{CompiledRead, KeyRole, ReadKind};
use crate::expr::{Condition, PathExpr};
use crate::{Db, Document, KeySpace, Result};

/// A sort-key condition for key space `S`: a comparison on the sort key of the table or
/// index queried, made with `eq`, `lt`, `le`, `gt`, `ge`, `between` or `begins_with`
/// on that key's path. `#[derive(Model)]` implements it for each key space; a condition
/// on another attribute does not compile, and the error names the sort key expected.
#[diagnostic::on_unimplemented(
    message = "this is not a condition on the sort key of the table or index queried",
    label = "not a comparison of the sort key",
    note = "`range` takes `eq`, `lt`, `le`, `gt`, `ge`, `between` or `begins_with` on the sort key's path; other attributes go in `filter`"
)]
pub trait SortKeyCondition<S: KeySpace> {
    /// The condition.
    #[doc(hidden)]
    fn __into_condition(self) -> Condition<S::Model>;

    /// The condition, and a filter that makes it exact where one key condition cannot
    /// be (on the compared field's own attribute).
    #[doc(hidden)]
    fn __into_parts(self) -> (Condition<S::Model>, Option<Condition<S::Model>>)
    where
        Self: Sized,
    {
        (self.__into_condition(), None)
    }
}

/// The items of one partition of a table or index. Made by [`Model::query`](crate::Model::query)
/// or [`Index::query`](crate::Index::query).
///
/// Await it for every matching item (all pages), call [`Query::page`] for one page and a
/// cursor, [`Query::stream`] to pull items as they come, or [`Query::count`].
/// `limit(n)` is the number of matching items returned, however many pages that takes;
/// `page_size(n)` is DynamoDB's own per-request `Limit`.
///
/// ```
/// use dynamo_model::{Db, Model};
///
/// #[derive(Model, Debug, Clone)]
/// #[dynamo(table = "orders")]
/// struct Order {
///     #[dynamo(hash_key)] customer: String,
///     #[dynamo(range_key)] id: String,
///     total: i64,
///     status: String,
/// }
///
/// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
/// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
/// let query = Order::query(&db, "c1")
///     .range(Order::ID.begins_with("2026-"))
///     .filter(Order::TOTAL.gt(1000) & Order::STATUS.ne("cancelled"))
///     .limit(20);
/// let expressions = query.compile()?.expressions;
/// assert_eq!(expressions.key_condition.as_deref(), Some("#n0 = :v0 AND begins_with(#n1, :v1)"));
/// assert_eq!(expressions.filter.as_deref(), Some("#n2 > :v2 AND #n3 <> :v3"));
/// assert_eq!(expressions.names.as_ref().unwrap()["#n3"], "status");
/// # Ok::<(), dynamo_model::Error>(())
/// ```
#[must_use = "a query does nothing until it is awaited"]
pub struct Query<'a, M, S = M, P = M> {
    db: &'a Db,
    key: KeyCondition,
    descending: bool,
    options: ReadOptions,
    marker: ReadTypes<M, S, P>,
}

impl<'a, M: Document, S: KeySpace<Model = M>> Query<'a, M, S, M> {
    pub(crate) fn new(db: &'a Db, hash: S::Hash) -> Self {
        let path = PathExpr::attribute(S::HASH.name);
        let hash = key_operand(&path, S::HASH, KeyRole::Hash, S::encode_hash(&hash));
        Self {
            db,
            key: KeyCondition { hash, range: S::default_range().map(|condition| condition.node) },
            descending: false,
            options: ReadOptions::default(),
            marker: PhantomData,
        }
    }
}

impl<'a, M: Document, S: KeySpace<Model = M>, P: Document> Query<'a, M, S, P> {
    /// The sort-key condition: `eq`, `lt`, `le`, `gt`, `ge`, `between` or
    /// `begins_with` on the sort key of the table or index queried. Its values are key
    /// values: not empty, at most 1024 bytes. It joins the partition key's `=` in the
    /// key condition; a comparison of any other attribute does not compile here (it
    /// goes in [`filter`](Query::filter)).
    ///
    /// ```
    /// use dynamo_model::{AttributeValue, Db, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders", gsi(name = "by_status", hash = status, range = total))]
    /// struct Order {
    ///     #[dynamo(hash_key)] customer: String,
    ///     #[dynamo(range_key)] id: String,
    ///     status: String,
    ///     total: i64,
    /// }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let key_condition = |query: dynamo_model::ops::Query<'_, Order>| query.compile().map(|c| c.expressions.key_condition);
    /// let in_2026 = Order::query(&db, "c1").range(Order::ID.begins_with("2026-"));
    /// assert_eq!(key_condition(in_2026)?.as_deref(), Some("#n0 = :v0 AND begins_with(#n1, :v1)"));
    /// let first_half = Order::query(&db, "c1").range(Order::ID.between("2026-01", "2026-06"));
    /// assert_eq!(key_condition(first_half)?.as_deref(), Some("#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2"));
    /// let whole_partition = Order::query(&db, "c1");
    /// assert_eq!(key_condition(whole_partition)?.as_deref(), Some("#n0 = :v0"));
    ///
    /// // On an index, its own keys: `status` and `total`.
    /// let big = Order::BY_STATUS.query(&db, "paid").range(Order::TOTAL.gt(100)).compile()?;
    /// assert_eq!(big.index, Some("by_status"));
    /// assert_eq!(big.expressions.key_condition.as_deref(), Some("#n0 = :v0 AND #n1 > :v1"));
    /// let names = big.expressions.names.unwrap();
    /// assert_eq!((names["#n0"].as_str(), names["#n1"].as_str()), ("status", "total"));
    /// let values = big.expressions.values.unwrap();
    /// assert_eq!(values[":v0"], AttributeValue::S("paid".into()));
    /// assert_eq!(values[":v1"], AttributeValue::N("100".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn range(mut self, condition: impl SortKeyCondition<S>) -> Self {
        let (condition, filter) = condition.__into_parts();
        self.options.range_filter = filter.map(|filter| filter.node);
        let mut node = condition.node;
        if let Some(range) = S::RANGE {
            node.check_values(|path, value| key_operand(path, range, KeyRole::Range, Ok(Some(value))));
        }
        self.key.range = Some(node);
        self
    }

    super::read::read_options!(Query { db, key, descending });

    /// Sort-key order from highest to lowest.
    pub fn descending(mut self) -> Self {
        self.descending = true;
        self
    }

    fn reader(&self, purpose: Purpose) -> Result<Reader<'a>> {
        let kind = ReadKind::Query { descending: self.descending };
        self.options.reader::<S, P>(self.db, kind, Some(&self.key), purpose)
    }

    /// The checked description of the request (its first page).
    pub fn compile(&self) -> Result<CompiledRead> {
        Ok(self.reader(Purpose::Items)?.read)
    }

    /// The `Query` request of the first page, unsent: the SDK's fluent builder, which
    /// `as_input()` shows.
    ///
    /// ```
    /// use dynamo_model::{Db, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] customer: String, #[dynamo(range_key)] id: String, status: String }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let request = Order::query(&db, "c1").descending().filter(Order::STATUS.ne("cancelled")).request()?;
    /// let input = request.as_input();
    /// assert_eq!(input.get_key_condition_expression().as_deref(), Some("#n0 = :v0"));
    /// assert_eq!(input.get_filter_expression().as_deref(), Some("#n1 <> :v1"));
    /// assert_eq!(input.get_scan_index_forward(), &Some(false));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn request(&self) -> Result<QueryFluentBuilder> {
        Ok(self.compile()?.query(self.db.client(), self.descending, None))
    }
}

impl<'a, M: Document + 'a, S: KeySpace<Model = M>, P: Document + 'a> IntoFuture for Query<'a, M, S, P> {
    type Output = Result<Vec<P>>;
    type IntoFuture = super::OpFuture<'a, Vec<P>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.reader(Purpose::Items)?.walk(None)?.collect().await })
    }
}

impl<M, S, P> std::fmt::Debug for Query<'_, M, S, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query").field("key", &self.key).field("options", &self.options).finish_non_exhaustive()
    }
}
