//! The [`Document`] and [`Model`] traits that the derives implement.

use std::collections::HashMap;
use std::fmt::Debug;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::batch::{BatchGet, BatchWrite, Unversioned};
use crate::db::Db;
use crate::expr::Condition;
use crate::ops::{Check, CreateTable, Delete, DeleteTable, Get, Put, Query, Scan, TableExists, Update};
use crate::schema::{IndexDef, KeySchema, KeySpace, Timestamp};
use crate::single_table::{EntityDef, TableDef};
use crate::value::IntoValue;
use crate::Result;

/// A DynamoDB item: attribute names to values, as the SDK takes and returns it.
pub type Item = HashMap<String, AttributeValue>;

/// A struct stored as a DynamoDB map: a table's item ([`Model`]), a nested document
/// (`#[derive(Document)]`), or a lighter view of an item for projections.
pub trait Document: Sized + Send + Sync {
    /// The struct's name, used in error messages.
    const NAME: &'static str;
    /// The stored attribute names, in field order (skipped fields excluded).
    const ATTRIBUTES: &'static [&'static str];

    /// Encodes the struct as an item. Fails, naming the attribute, on values DynamoDB
    /// cannot store (NaN, numbers out of range, empty keys).
    fn to_item(&self) -> Result<Item>;

    /// Decodes an item. Fails, naming the attribute, on a missing or mistyped attribute;
    /// never panics. Attributes the struct does not declare are ignored (or kept in its
    /// `#[dynamo(extra)]` field).
    fn from_item(item: Item) -> Result<Self>;

    /// Checks the declared rules (`validate(...)`, `required`, `validate = f`), listing
    /// every broken one in [`Error::Validation`](crate::Error::Validation). Every write
    /// calls it before sending.
    fn validate(&self) -> Result<()> {
        Ok(())
    }

    /// Adds the attributes the struct cannot be read without (fields that are not an
    /// `Option`, a set, or given a default; keys excepted) to `out`.
    #[doc(hidden)]
    fn __required_attributes(out: &mut Vec<&'static str>) {
        let _ = out;
    }
}

/// A struct stored as the items of one table. Implement it with `#[derive(Model)]`.
///
/// The derive also generates a key struct (`OrderKey` for `Order`) holding the partition
/// key and, if declared, the sort key, and a constructor `Order::key(hash, range)`; an
/// operation that needs a key takes that struct, so a missing sort key does not compile.
/// Each field gets a typed path, `Order::TOTAL_CENTS`, for conditions and updates (see
/// [`expr`](crate::expr)), and each secondary index a constant, `Order::BY_STATUS`.
///
/// ```
/// use dynamo_model::{Document, Model, ModelKey};
///
/// #[derive(Model, Debug, Clone, PartialEq)]
/// #[dynamo(table = "orders", rename_all = "camelCase")]
/// struct Order {
///     #[dynamo(hash_key)]
///     customer_id: String,
///     #[dynamo(range_key)]
///     order_id: String,
///     total_cents: i64,
///     note: Option<String>,
/// }
///
/// let order = Order { customer_id: "c1".into(), order_id: "o1".into(), total_cents: 1250, note: None };
/// let item = order.to_item()?;
/// assert_eq!(item["customerId"].as_s().unwrap(), "c1");
/// assert_eq!(item["totalCents"].as_n().unwrap(), "1250");
/// assert!(!item.contains_key("note")); // None is no attribute, not NULL
/// assert_eq!(Order::from_item(item)?, order);
///
/// let key = Order::key("c1", "o1");
/// assert_eq!(order.key(), key);
/// assert_eq!(key.to_key_item()?.len(), 2);
/// assert_eq!(Order::KEY_SCHEMA.range.unwrap().name, "orderId");
/// assert_eq!(Order::TOTAL_CENTS.to_string(), "totalCents");
/// # Ok::<(), dynamo_model::Error>(())
/// ```
pub trait Model: Document {
    /// The typed primary key (`OrderKey` for `Order`).
    type Key: ModelKey<Model = Self>;

    /// The table name, without the [`Db`]'s prefix.
    const TABLE: &'static str;
    /// The table's primary key.
    const KEY_SCHEMA: KeySchema;
    /// The table's secondary indexes.
    const INDEXES: &'static [IndexDef] = &[];
    /// The `#[dynamo(version)]` attribute: optimistic locking.
    const VERSION: Option<&'static str> = None;
    /// The `#[dynamo(created_at)]` attribute, set when an item is created.
    const CREATED_AT: Option<Timestamp> = None;
    /// The `#[dynamo(updated_at)]` attribute, set on every write.
    const UPDATED_AT: Option<Timestamp> = None;
    /// The `#[dynamo(ttl)]` attribute: expiry time in epoch seconds, enabled as the
    /// table's TTL by `create_table`.
    const TTL: Option<&'static str> = None;
    /// The `#[dynamo(counter)]` attributes, changed only by atomic `ADD`.
    const COUNTERS: &'static [&'static str] = &[];
    /// For a model in a shared table (`table = SomeTable`): its entity marker and key
    /// templates (see [`single_table`](crate::single_table)).
    const ENTITY: Option<EntityDef> = None;
    /// The physical table, as `create_table` creates it: the model's own, or the shared
    /// table it maps onto, with every index the table declares.
    const TABLE_DEF: TableDef =
        TableDef { name: Self::TABLE, key: Self::KEY_SCHEMA, indexes: Self::INDEXES, ttl: Self::TTL, stream: None };

    /// The item's primary key.
    fn key(&self) -> Self::Key;

    /// The item's `#[dynamo(version)]` as read (0 for an item never written).
    fn version(&self) -> u64 {
        0
    }

    /// Reads one item by key: `Ok(None)` when there is none. See [`Get`].
    fn get(db: &Db, key: Self::Key) -> Get<'_, Self> {
        Get::new(db, key)
    }

    /// Writes the item, replacing any item with the same key; awaits to the item as
    /// stored. See [`Put`].
    fn put<'a>(db: &'a Db, item: &'a Self) -> Put<'a, Self> {
        Put::new(db, item)
    }

    /// Changes attributes of one item in place; awaits to the item as it is afterwards.
    /// See [`Update`].
    fn update(db: &Db, key: Self::Key) -> Update<'_, Self> {
        Update::new(db, key)
    }

    /// Deletes one item by key and gives back the deleted item, if there was one. See [`Delete`].
    fn delete(db: &Db, key: Self::Key) -> Delete<'_, Self> {
        Delete::new(db, key)
    }

    /// A condition on one item, for a transaction to depend on. See [`Check`].
    fn check(db: &Db, key: Self::Key, condition: impl Into<Condition<Self>>) -> Check<'_, Self> {
        Check::new(db, key, condition.into())
    }

    /// Reads the items of any number of keys in `BatchGetItem` requests of 100, with
    /// unprocessed keys retried; awaits to the items found, in the order of the keys,
    /// and the keys not found. See [`BatchGet`].
    fn batch_get<I>(db: &Db, keys: I) -> BatchGet<'_, Self>
    where
        I: IntoIterator<Item = Self::Key>,
    {
        BatchGet::new(db, keys.into_iter().collect())
    }

    /// Puts any number of items (taken from the iterator as requests go out) in
    /// `BatchWriteItem` requests of 25, with unprocessed items retried. Only for models
    /// without a `#[dynamo(version)]` (see [`Unversioned`]). See [`BatchWrite`].
    fn batch_put<'a, I>(db: &'a Db, items: I) -> BatchWrite<'a>
    where
        Self: Unversioned,
        I: IntoIterator + 'a,
        I::IntoIter: Send + 'a,
        I::Item: std::borrow::Borrow<Self> + Send,
    {
        BatchWrite::new(db).put_items::<Self, I>(items)
    }

    /// Like [`Model::batch_put`], for any model: replaces whatever is stored under each
    /// key without checking its version. See [`BatchWrite::overwrite`].
    fn batch_overwrite<'a, I>(db: &'a Db, items: I) -> BatchWrite<'a>
    where
        I: IntoIterator + 'a,
        I::IntoIter: Send + 'a,
        I::Item: std::borrow::Borrow<Self> + Send,
    {
        BatchWrite::new(db).overwrite_items::<Self, I>(items)
    }

    /// Deletes the items of any number of keys in `BatchWriteItem` requests of 25. See
    /// [`BatchWrite`].
    fn batch_delete<'a, I>(db: &'a Db, keys: I) -> BatchWrite<'a>
    where
        I: IntoIterator<Item = Self::Key> + 'a,
        I::IntoIter: Send + 'a,
    {
        BatchWrite::new(db).delete_all::<Self, I>(keys)
    }

    /// The items of one partition, by partition key value. See [`Query`].
    fn query(db: &Db, hash: impl IntoValue<<Self as KeySpace>::Hash>) -> Query<'_, Self, Self>
    where
        Self: KeySpace<Model = Self>,
    {
        Query::new(db, hash.into_value())
    }

    /// Every item of the table. See [`Scan`].
    fn scan(db: &Db) -> Scan<'_, Self, Self>
    where
        Self: KeySpace<Model = Self>,
    {
        Scan::new(db)
    }

    /// Creates the model's table (for a model in a shared table: that table, with every
    /// index it declares) and its indexes from the key schema (on-demand billing
    /// unless asked otherwise) and waits until it is active. See [`CreateTable`].
    fn create_table(db: &Db) -> CreateTable<'_, Self> {
        CreateTable::for_table(db, Self::TABLE_DEF)
    }

    /// Deletes the model's table and everything in it. See [`DeleteTable`].
    fn delete_table(db: &Db) -> DeleteTable<'_, Self> {
        DeleteTable::for_table(db, Self::TABLE_DEF)
    }

    /// Whether the model's table exists. See [`TableExists`].
    fn table_exists(db: &Db) -> TableExists<'_, Self> {
        TableExists::for_table(db, Self::TABLE_DEF)
    }
}

/// The typed primary key of a model, generated by `#[derive(Model)]`.
pub trait ModelKey: Clone + Debug + PartialEq + Send + Sync {
    /// The model this key belongs to.
    type Model: Model<Key = Self>;

    /// Encodes the key attributes as an item (what `GetItem` and `DeleteItem` take).
    fn to_key_item(&self) -> Result<Item>;

    /// The key's fields as stored (for a key built by templates, the fields' own
    /// attributes rather than the rendered keys).
    #[doc(hidden)]
    fn __fields(&self) -> Result<Item> {
        self.to_key_item()
    }
}
