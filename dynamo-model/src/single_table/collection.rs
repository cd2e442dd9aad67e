//! Collections: one query over a partition of a shared table that returns several
//! models at once, each item decoded as the model its entity marker names.

use std::future::IntoFuture;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use super::{Entity, Partition, Table};
use crate::compile::{CompiledRead, KeyRole, ReadKind};
use crate::cursor::{Cursor, Page};
use crate::expr::{Comparator, Condition, Node, Operand, PathExpr};
use crate::ops::read::{key_operand, KeyCondition, Purpose, ReadOptions, Reader};
use crate::ops::SortKeyCondition;
use crate::{Db, Item, KeySpace, Model, Result};

/// Several models of one shared table read together, implemented with
/// `#[derive(Collection)]` on an enum with one variant per model:
///
/// ```
/// use dynamo_model::{Collection, Db, Model, Table};
///
/// #[derive(Table)]
/// #[dynamo(name = "app")]
/// struct AppTable;
///
/// #[derive(Model, Debug, Clone)]
/// #[dynamo(table = AppTable, entity = "USER", hash = "USER#{user_id}", range = "PROFILE")]
/// struct User { user_id: String, name: String }
///
/// #[derive(Model, Debug, Clone)]
/// #[dynamo(table = AppTable, entity = "ORDER", hash = "USER#{user_id}", range = "ORDER#{order_id}")]
/// struct Order { user_id: String, order_id: String, total: i64 }
///
/// #[derive(Collection, Debug)]
/// enum UserData {
///     User(User),
///     Order(Order),
/// }
///
/// # async fn run(db: &Db) -> dynamo_model::Result<()> {
/// for item in UserData::query(db, User::partition("42")).await? {
///     match item {
///         UserData::User(user) => println!("{}", user.name),
///         UserData::Order(order) => println!("{} {}", order.order_id, order.total),
///     }
/// }
/// # Ok(()) }
/// ```
///
/// The query keeps only the collection's models (by their markers, in DynamoDB's
/// filter, so `limit` counts only them); pagination, cursors, `limit`, `page_size`,
/// filters and streams work as for one model's [`Query`](crate::ops::Query).
pub trait Collection: Sized + Send + 'static {
    /// The table its models share.
    type Table: Table;
    /// One model of the collection, whose key space (the table's keys) the query runs on.
    #[doc(hidden)]
    type Anchor: Model + KeySpace<Model = Self::Anchor>;
    /// The entity markers of its models.
    const ENTITIES: &'static [&'static str];

    /// Decodes an item as the model its marker names.
    fn from_item(item: Item) -> Result<Self>;

    /// The items of one partition that belong to the collection's models.
    fn query(db: &Db, partition: Partition<Self::Table>) -> CollectionQuery<'_, Self> {
        CollectionQuery::new(db, partition)
    }
}

/// `marker IN (names)` (or `=` for one name).
pub(crate) fn markers_filter(attribute: &'static str, names: &[&'static str]) -> Node {
    let path = PathExpr::attribute(attribute);
    let value = |name: &str| Operand::Value(AttributeValue::S(name.to_owned()));
    match names {
        [one] => Node::Compare { left: Operand::Path(path), op: Comparator::Eq, right: value(one) },
        names => Node::In { path, values: names.iter().map(|name| value(name)).collect() },
    }
}

/// A query of a [`Collection`]: the items of one partition, each as its own model.
/// Made by [`Collection::query`]; awaits to every item (all pages).
#[must_use = "a query does nothing until it is awaited"]
pub struct CollectionQuery<'a, C: Collection> {
    db: &'a Db,
    key: KeyCondition,
    descending: bool,
    options: ReadOptions,
    marker: PhantomData<fn() -> C>,
}

impl<'a, C: Collection> CollectionQuery<'a, C> {
    fn new(db: &'a Db, partition: Partition<C::Table>) -> Self {
        let hash_def = <C::Anchor as KeySpace>::HASH;
        let path = PathExpr::attribute(hash_def.name);
        let hash = key_operand(&path, hash_def, KeyRole::Hash, partition.value.map(Some));
        let options = ReadOptions {
            entities: Some((<C::Table as Table>::ENTITY_ATTRIBUTE, C::ENTITIES)),
            ..ReadOptions::default()
        };
        Self { db, key: KeyCondition { hash, range: None }, descending: false, options, marker: PhantomData }
    }

    /// A sort-key condition, made as for one model of the table (`Order::sk()…`).
    pub fn range<M>(mut self, condition: impl SortKeyCondition<M>) -> Self
    where
        M: Entity<Table = C::Table> + KeySpace<Model = M>,
    {
        let (condition, filter) = condition.__into_parts();
        self.options.range_filter = filter.map(|filter| filter.node);
        let mut node = condition.node;
        if let Some(range) = <C::Anchor as KeySpace>::RANGE {
            node.check_values(|path, value| key_operand(path, range, KeyRole::Range, Ok(Some(value))));
        }
        self.key.range = Some(node);
        self
    }

    /// Keeps only items that match, on attributes of any model of the table (items
    /// that lack an attribute compare as DynamoDB compares absent attributes).
    pub fn filter<M>(mut self, condition: impl Into<Condition<M>>) -> Self
    where
        M: Entity<Table = C::Table>,
    {
        let node = condition.into().node;
        self.options.filter = Some(crate::ops::conditional::both::<M>(self.options.filter.take(), node));
        self
    }

    /// Sort-key order from highest to lowest.
    pub fn descending(mut self) -> Self {
        self.descending = true;
        self
    }

    /// A strongly consistent read.
    pub fn consistent(mut self) -> Self {
        self.options.consistent = true;
        self
    }

    /// Returns at most `n` items of the collection, reading as many pages as that takes.
    pub fn limit(mut self, n: usize) -> Self {
        self.options.limit = Some(n);
        self
    }

    /// How many items DynamoDB reads per request (its `Limit`), before filtering.
    pub fn page_size(mut self, n: u32) -> Self {
        self.options.page_size = Some(n);
        self
    }

    fn reader(&self, purpose: Purpose) -> Result<Reader<'a>> {
        let kind = ReadKind::Query { descending: self.descending };
        self.options.reader::<C::Anchor, C::Anchor>(self.db, kind, Some(&self.key), purpose)
    }

    /// The checked description of the request (its first page).
    pub fn compile(&self) -> Result<CompiledRead> {
        Ok(self.reader(Purpose::Items)?.read)
    }

    /// One page: up to `limit` items (or, without a limit, the first DynamoDB page
    /// that holds any) and the cursor to pass back for the next page.
    pub async fn page(self, cursor: Option<Cursor>) -> Result<Page<C>> {
        self.reader(Purpose::Items)?.walk(cursor)?.page_with(C::from_item).await
    }

    /// The items as a stream, reading a page only when the previous one is used up.
    pub fn stream(self) -> impl futures::Stream<Item = Result<C>> + Send + 'a {
        crate::ops::read::stream_with(self.reader(Purpose::Items).and_then(|reader| reader.walk(None)), C::from_item)
    }

    /// The number of the collection's items in the partition.
    pub async fn count(self) -> Result<u64> {
        self.reader(Purpose::Count)?.count().await
    }
}

impl<'a, C: Collection> IntoFuture for CollectionQuery<'a, C> {
    type Output = Result<Vec<C>>;
    type IntoFuture = crate::ops::OpFuture<'a, Vec<C>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.reader(Purpose::Items)?.walk(None)?.collect_with(C::from_item).await })
    }
}

impl<C: Collection> std::fmt::Debug for CollectionQuery<'_, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CollectionQuery")
            .field("key", &self.key)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}
