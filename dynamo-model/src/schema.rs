//! Key schemas and secondary indexes: what `create_table` creates and what queries are
//! typed against.

use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::compile::KeyRole;
use crate::db::Db;
use crate::error::{EncodeError, InvalidReason};
use crate::ops::{Query, Scan};
use crate::value::{IntoValue, KeyAttribute, ScalarType};
use crate::Model;

/// The primary key of a model's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySchema {
    /// The partition (hash) key.
    pub hash: KeyDef,
    /// The sort (range) key, if the table has one.
    pub range: Option<KeyDef>,
}

/// One key attribute: its stored name and DynamoDB type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyDef {
    /// The attribute name as stored (after `rename` / `rename_all`).
    pub name: &'static str,
    /// `S`, `N` or `B`.
    pub scalar: ScalarType,
}

/// Global or local secondary index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    /// A global secondary index: its own partition key.
    Global,
    /// A local secondary index: the table's partition key, another sort key.
    Local,
}

/// Which attributes a secondary index holds besides the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexProjection {
    /// Every attribute.
    All,
    /// Only the table's and the index's keys.
    KeysOnly,
    /// The keys and these attributes.
    Include(&'static [&'static str]),
}

/// A secondary index as declared on a model with `gsi(...)` or `lsi(...)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexDef {
    /// The index name.
    pub name: &'static str,
    /// Global or local.
    pub kind: IndexKind,
    /// The index's partition key (the table's, for a local index).
    pub hash: KeyDef,
    /// The index's sort key.
    pub range: Option<KeyDef>,
    /// The attributes the index holds.
    pub projection: IndexProjection,
}

/// The unit of a `created_at` / `updated_at` attribute (epoch time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Seconds since the Unix epoch.
    Seconds,
    /// Milliseconds since the Unix epoch.
    Millis,
}

/// A timestamp attribute the library sets on writes (`#[dynamo(created_at)]`,
/// `#[dynamo(updated_at)]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    /// The attribute name.
    pub name: &'static str,
    /// Seconds or milliseconds.
    pub unit: TimeUnit,
}

impl Timestamp {
    /// The current time in this timestamp's unit, as a DynamoDB number.
    pub(crate) fn now(self) -> aws_sdk_dynamodb::types::AttributeValue {
        let since_epoch = since_epoch();
        let value = match self.unit {
            TimeUnit::Seconds => since_epoch.as_secs(),
            TimeUnit::Millis => u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX),
        };
        aws_sdk_dynamodb::types::AttributeValue::N(itoa::Buffer::new().format(value).to_owned())
    }
}

/// The time since the Unix epoch, by which timestamps and TTL count.
pub(crate) fn since_epoch() -> std::time::Duration {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default()
}

/// The sort key type of a table or index that has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoRange {}

/// Something a query can run on: a model's table, or one of its indexes. Implemented by
/// `#[derive(Model)]` for the model itself and for a marker type per index.
pub trait KeySpace: 'static {
    /// The model whose items it holds.
    type Model: Model;
    /// The type of its partition key: the key field's, or for a key built by a
    /// template, its field's type (a tuple of them for several, `()` for none).
    type Hash;
    /// The type of its sort key, or [`NoRange`].
    type Range;
    /// The index name; `None` for the table itself.
    const INDEX: Option<&'static str>;
    /// Its partition key.
    const HASH: KeyDef;
    /// Its sort key.
    const RANGE: Option<KeyDef>;
    /// The attributes of a `LastEvaluatedKey` from it: the table's keys and its own.
    const CURSOR_KEYS: &'static [&'static str];
    /// The attributes an item read from it carries; `None` for all of them.
    const PROJECTED: Option<&'static [&'static str]>;

    /// A partition key value as stored: through the field's `set` transform, then its
    /// encoding.
    fn encode_hash(value: &Self::Hash) -> Result<Option<AttributeValue>, EncodeError>;

    /// The sort-key condition of a query that gives none: for a templated sort key, the
    /// keys of the model's template (`begins_with(sk, "ORDER#")`).
    fn default_range() -> Option<crate::expr::Condition<Self::Model>> {
        None
    }
}

/// A key space that can be read with strong consistency: a table or a local secondary
/// index. Global secondary indexes cannot, so `consistent()` on one does not compile.
#[diagnostic::on_unimplemented(
    message = "DynamoDB cannot read a global secondary index with strong consistency",
    label = "`consistent()` needs a table or a local secondary index",
    note = "read the table (or a local secondary index) for a strongly consistent result"
)]
pub trait ConsistentRead: KeySpace {}

/// Encodes a key value, checking what DynamoDB requires of keys: the key's type, not
/// empty, within the size limit of its role, a number DynamoDB holds.
pub(crate) fn encode_key<T: KeyAttribute>(value: &T, role: KeyRole) -> Result<AttributeValue, EncodeError> {
    let encoded = value.to_attribute()?.ok_or_else(|| EncodeError::new(InvalidReason::EmptyKey))?;
    crate::compile::values::check_key(T::SCALAR, role, &encoded).map_err(EncodeError::new)?;
    Ok(encoded)
}

/// A secondary index of model `M`, as a value: `Order::BY_STATUS.query(&db, "shipped")`.
pub struct Index<M, S> {
    marker: PhantomData<fn() -> (M, S)>,
}

impl<M, S> Index<M, S> {
    /// The index marker; generated by `#[derive(Model)]`.
    pub const fn new() -> Self {
        Self { marker: PhantomData }
    }
}

impl<M, S> Default for Index<M, S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M, S> Clone for Index<M, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, S> Copy for Index<M, S> {}

impl<M, S> std::fmt::Debug for Index<M, S>
where
    S: KeySpace,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Index({})", S::INDEX.unwrap_or("<table>"))
    }
}

impl<M: Model, S: KeySpace<Model = M>> Index<M, S> {
    /// The items of one partition of the index, by the value of the index's partition
    /// key; [`Query::range`](crate::ops::Query::range) takes a condition on the index's
    /// sort key (and has an example of an index query).
    pub fn query(self, db: &Db, hash: impl IntoValue<S::Hash>) -> Query<'_, M, S> {
        Query::new(db, hash.into_value())
    }

    /// Every item of the index.
    pub fn scan(self, db: &Db) -> Scan<'_, M, S> {
        Scan::new(db)
    }

    /// The index name.
    pub fn name(self) -> &'static str {
        S::INDEX.unwrap_or("")
    }
}
