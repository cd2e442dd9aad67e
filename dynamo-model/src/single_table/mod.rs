//! Single-table design: several models in one table, with keys built from templates,
//! an entity marker on every item, and collections that read several models in one
//! query.
//!
//! The physical table is declared once, with `#[derive(Table)]` on a unit struct: its
//! name, key attributes (`pk` and `sk` unless named), secondary indexes and TTL
//! attribute. Models map onto it with `#[dynamo(table = AppTable, hash = "USER#{user_id}",
//! range = "ORDER#{order_id}")]`: their keys are built from fields by
//! [templates](template), and each writes its entity marker (`_type = "Order"` unless
//! named with `entity = "..."`), which every read checks.
//!
//! ```
//! use dynamo_model::{Document, Model, ModelKey, Table};
//!
//! #[derive(Table)]
//! #[dynamo(name = "app", gsi(name = "gsi1", hash = "gsi1pk", range = "gsi1sk"))]
//! struct AppTable;
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! #[dynamo(table = AppTable, entity = "ORDER", hash = "USER#{user_id}", range = "ORDER#{order_id}",
//!          gsi(name = "gsi1", hash = "STATUS#{status}", range = "{order_id}"))]
//! struct Order {
//!     user_id: String,
//!     order_id: u64,
//!     status: String,
//! }
//!
//! let order = Order { user_id: "42#x".into(), order_id: 7, status: "paid".into() };
//! let item = order.to_item()?;
//! assert_eq!(item["pk"].as_s().unwrap(), "USER#42\"$x"); // `#` in a value is escaped
//! assert_eq!(item["sk"].as_s().unwrap(), "ORDER#00000000000000000007");
//! assert_eq!(item["gsi1pk"].as_s().unwrap(), "STATUS#paid");
//! assert_eq!(item["_type"].as_s().unwrap(), "ORDER");
//! assert_eq!(Order::from_item(item)?, order);
//! assert_eq!(Order::key("42#x", 7u64).to_key_item()?.len(), 2);
//! # Ok::<(), dynamo_model::Error>(())
//! ```

mod collection;
pub mod template;

use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::EncodeError;
use crate::expr::{Comparator, Condition, Node, Operand, PathExpr};
use crate::schema::{IndexDef, KeySchema};
use crate::Item;

pub(crate) use collection::markers_filter;
pub use collection::{Collection, CollectionQuery};
pub use template::{KeyFormat, KeyPart, KeyTemplate, Segment, SEPARATOR};

/// A physical table: what `create_table` creates. A model declares its own (from its
/// `table = "..."`, keys and indexes); a table shared by several models is declared
/// once with `#[derive(Table)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableDef {
    /// The table name, without the [`Db`](crate::Db)'s prefix.
    pub name: &'static str,
    /// Its primary key.
    pub key: KeySchema,
    /// Its secondary indexes.
    pub indexes: &'static [IndexDef],
    /// The attribute DynamoDB's time to live reads, if enabled.
    pub ttl: Option<&'static str>,
    /// The table's stream, if enabled: what each record of a change carries.
    pub stream: Option<StreamView>,
}

/// What each record of a table's DynamoDB stream carries: `stream = new_and_old_images`
/// (or `keys_only`, `new_image`, `old_image`) in `#[derive(Table)]`, or
/// [`CreateTable::stream`](crate::ops::CreateTable::stream).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamView {
    /// Only the key attributes of the changed item.
    KeysOnly,
    /// The item as it is after the change.
    NewImage,
    /// The item as it was before the change.
    OldImage,
    /// Both: what typed [`stream`] changes need to say what moved (feature `streams`).
    ///
    #[cfg_attr(feature = "streams", doc = "[`stream`]: crate::stream")]
    #[cfg_attr(not(feature = "streams"), doc = "[`stream`]: crate#features")]
    NewAndOldImages,
}

impl StreamView {
    /// The name DynamoDB and CloudFormation use, such as `NEW_AND_OLD_IMAGES`.
    pub const fn as_str(self) -> &'static str {
        match self {
            StreamView::KeysOnly => "KEYS_ONLY",
            StreamView::NewImage => "NEW_IMAGE",
            StreamView::OldImage => "OLD_IMAGE",
            StreamView::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        }
    }
}

/// A table several models share, declared with `#[derive(Table)]` on a unit struct:
///
/// ```
/// use dynamo_model::Table;
///
/// #[derive(Table)]
/// #[dynamo(name = "app", ttl = "expires", stream = new_and_old_images,
///          gsi(name = "gsi1", hash = "gsi1pk", range = "gsi1sk"),
///          gsi(name = "gsi2", hash = "gsi2pk", range = "gsi2sk", projection = keys_only))]
/// struct AppTable;
///
/// assert_eq!(AppTable::DEF.key.hash.name, "pk");
/// assert_eq!(AppTable::DEF.key.range.unwrap().name, "sk");
/// assert_eq!(AppTable::ENTITY_ATTRIBUTE, "_type");
/// assert_eq!(AppTable::DEF.stream, Some(dynamo_model::single_table::StreamView::NewAndOldImages));
/// ```
///
/// Key attributes are strings, `pk` and `sk` unless named (`hash = "PK"`,
/// `range = "SK"`, or `range = none` for a table without a sort key). Every index holds
/// the entity marker (`_type` unless named with `entity_attribute = "..."`), so a
/// `keys_only` index is created as `include(_type)`: reads of it check the marker too.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a table several models share",
    label = "not a `#[derive(Table)]` type",
    note = "declare the shared table with `#[derive(Table)] #[dynamo(name = \"...\")] struct AppTable;`, or give a model a table of its own with `table = \"name\"` (quoted)"
)]
pub trait Table: 'static {
    /// The physical table.
    const DEF: TableDef;
    /// The attribute holding each item's entity marker.
    const ENTITY_ATTRIBUTE: &'static str;

    /// Creates the table with every index it declares, and waits until it is active.
    fn create_table(db: &crate::Db) -> crate::ops::CreateTable<'_, Self>
    where
        Self: Sized,
    {
        crate::ops::CreateTable::for_table(db, Self::DEF)
    }

    /// Deletes the table and every item of every model in it.
    fn delete_table(db: &crate::Db) -> crate::ops::DeleteTable<'_, Self>
    where
        Self: Sized,
    {
        crate::ops::DeleteTable::for_table(db, Self::DEF)
    }

    /// Whether the table exists.
    fn table_exists(db: &crate::Db) -> crate::ops::TableExists<'_, Self>
    where
        Self: Sized,
    {
        crate::ops::TableExists::for_table(db, Self::DEF)
    }
}

/// How a model maps onto a shared table: its entity marker and key templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityDef {
    /// The marker attribute (the table's).
    pub attribute: &'static str,
    /// The model's marker value.
    pub name: &'static str,
    /// Its key templates: the table's keys first, then each index's.
    pub templates: &'static [KeyTemplate],
}

impl EntityDef {
    /// The fields the table's own keys are built from: they name the item, so no
    /// update may change them.
    pub fn key_fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.templates.iter().filter(|t| t.index.is_none()).flat_map(KeyTemplate::fields)
    }

    /// `marker = name`.
    pub(crate) fn marker_condition(&self) -> Node {
        Node::Compare {
            left: Operand::Path(PathExpr::attribute(self.attribute)),
            op: Comparator::Eq,
            right: Operand::Value(AttributeValue::S(self.name.to_owned())),
        }
    }
}

/// A model stored in a shared [`Table`], implemented by `#[derive(Model)]` for models
/// declared with `table = SomeTable`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model of a shared table",
    label = "a collection holds models of one shared table",
    note = "map the model onto the table with `#[dynamo(table = AppTable, hash = \"...\", range = \"...\")]`"
)]
pub trait Entity: crate::Model {
    /// The table it lives in.
    type Table: Table;
    /// Its entity marker value.
    const ENTITY_NAME: &'static str;
}

/// A model of the shared table `T`, implemented by `#[derive(Model)]`: what a
/// collection requires of each of its models.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model of the table `{T}`",
    label = "the models of a collection share one table",
    note = "every variant of a collection holds a model mapped onto the same `#[derive(Table)]` type"
)]
pub trait InTable<T: Table>: Entity {}

/// The partition key value of a shared table, built by a model's template:
/// `User::partition("42")`. A [collection](Collection) query takes one.
pub struct Partition<T> {
    pub(crate) value: Result<AttributeValue, EncodeError>,
    marker: PhantomData<fn() -> T>,
}

impl<T> Partition<T> {
    /// The stored partition key, rendered by a template (generated code calls it).
    #[doc(hidden)]
    pub fn __new(value: Result<Option<AttributeValue>, EncodeError>) -> Self {
        let value = value.and_then(|v| v.ok_or_else(|| EncodeError::new(crate::InvalidReason::EmptyKey)));
        Self { value, marker: PhantomData }
    }

    /// The key as stored, or why it cannot be.
    pub fn value(&self) -> Result<&AttributeValue, &EncodeError> {
        self.value.as_ref()
    }
}

impl<T> Clone for Partition<T> {
    fn clone(&self) -> Self {
        Self { value: self.value.clone(), marker: PhantomData }
    }
}

impl<T> std::fmt::Debug for Partition<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Partition").field(&self.value).finish()
    }
}

/// A sort-key condition on a templated sort key, built field by field in the
/// template's order by the generated `Order::sk()` (`S` is the key space queried).
///
/// Its comparisons follow the stored text: integers (zero-padded) compare as numbers,
/// strings as their text, which is their order too except that a string sorts right
/// after its own prefix only when the next character sorts after `#`.
///
/// A query's key condition stays within the model's own keys: a field given fixes a
/// prefix (`begins_with`), a comparison becomes a `BETWEEN` whose other end is the
/// last key of the template (`$` is the character after the `#` separator).
///
/// ```
/// use dynamo_model::{AttributeValue, Db, Model, Table};
///
/// #[derive(Table)]
/// #[dynamo(name = "app")]
/// struct AppTable;
///
/// #[derive(Model, Debug, Clone, PartialEq)]
/// #[dynamo(table = AppTable, entity = "ORDER", hash = "USER#{user_id}", range = "ORDER#{created}#{order_id}")]
/// struct Order { user_id: String, created: u32, order_id: String, total: i64 }
///
/// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
/// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
/// let november = Order::query(&db, "42").range(Order::sk().created_between(20261101u32, 20261130u32));
/// let expressions = november.compile()?.expressions;
/// assert_eq!(expressions.key_condition.as_deref(), Some("#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2"));
/// assert_eq!(expressions.filter.as_deref(), Some("#n2 = :v3")); // the entity marker
/// let names = expressions.names.unwrap();
/// assert_eq!([&names["#n0"], &names["#n1"], &names["#n2"]], ["pk", "sk", "_type"]);
/// let values = expressions.values.unwrap();
/// assert_eq!(values[":v0"], AttributeValue::S("USER#42".into()));
/// assert_eq!(values[":v1"], AttributeValue::S("ORDER#0020261101#".into()));
/// assert_eq!(values[":v2"], AttributeValue::S("ORDER#0020261130$".into()));
/// assert_eq!(values[":v3"], AttributeValue::S("ORDER".into()));
///
/// // One day: a field given is a prefix.
/// let day = Order::query(&db, "42").range(Order::sk().created(20261121u32)).compile()?.expressions;
/// assert_eq!(day.key_condition.as_deref(), Some("#n0 = :v0 AND begins_with(#n1, :v1)"));
/// assert_eq!(day.values.unwrap()[":v1"], AttributeValue::S("ORDER#0020261121#".into()));
/// # Ok::<(), dynamo_model::Error>(())
/// ```
pub struct SortKey<S> {
    attribute: &'static str,
    segments: &'static [Segment],
    /// The segment the next field fills.
    next: usize,
    /// The text so far: every segment before `next`, each followed by the separator.
    text: String,
    error: Option<(PathExpr, EncodeError)>,
    marker: PhantomData<fn() -> S>,
}

impl<S> Clone for SortKey<S> {
    fn clone(&self) -> Self {
        Self {
            attribute: self.attribute,
            segments: self.segments,
            next: self.next,
            text: self.text.clone(),
            error: self.error.clone(),
            marker: PhantomData,
        }
    }
}

impl<S> std::fmt::Debug for SortKey<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SortKey").field("attribute", &self.attribute).field("text", &self.text).finish()
    }
}

/// The comparisons of [`SortKey`]: on the next field of the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum Compare {
    /// Greater than.
    Gt,
    /// At least.
    Ge,
    /// Less than.
    Lt,
    /// At most.
    Le,
}

impl<S: crate::KeySpace> SortKey<S> {
    /// The sort key of template `template`, stored in `attribute`, with no field given:
    /// every key of the template.
    #[doc(hidden)]
    pub fn __start(template: &'static KeyTemplate) -> Self {
        let mut this = Self {
            attribute: template.attribute,
            segments: template.segments,
            next: 0,
            text: String::new(),
            error: None,
            marker: PhantomData,
        };
        this.skip_literals();
        this
    }

    fn skip_literals(&mut self) {
        while let Some(Segment::Literal(text)) = self.segments.get(self.next) {
            self.text.push_str(text);
            self.next += 1;
            if self.next < self.segments.len() {
                self.text.push(SEPARATOR);
            }
        }
    }

    /// The next field's segment for `encoded`, and the value itself (for a filter).
    fn write(&mut self, encoded: Result<Option<AttributeValue>, EncodeError>) -> (String, Option<AttributeValue>) {
        let Some(&Segment::Field { format, attribute }) = self.segments.get(self.next) else {
            return (String::new(), None);
        };
        let mut part = String::new();
        let value = encoded.and_then(|value| value.ok_or_else(|| EncodeError::new(crate::InvalidReason::EmptyKey)));
        match value.and_then(|value| template::write_part(format, &value, &mut part).map(|()| value)) {
            Ok(value) => (part, Some(value)),
            Err(error) => {
                self.error.get_or_insert((PathExpr::attribute(attribute), error));
                (part, None)
            }
        }
    }

    fn is_last(&self) -> bool {
        self.next + 1 == self.segments.len()
    }

    /// The next field equals `value` (its stored form, from the field's path encoder).
    #[doc(hidden)]
    pub fn __eq(mut self, encoded: Result<Option<AttributeValue>, EncodeError>) -> Self {
        if self.next < self.segments.len() {
            let (part, _) = self.write(encoded);
            self.text.push_str(&part);
            self.next += 1;
            if self.next < self.segments.len() {
                self.text.push(SEPARATOR);
            }
            self.skip_literals();
        }
        self
    }

    /// The next field compares with `value`.
    ///
    /// The key condition bounds the keys on both sides where it can: from the fields
    /// given before (`text`) to just past them. Where one key condition cannot be exact
    /// (a strict bound that the field's own key text would meet), DynamoDB's filter
    /// compares the field's own attribute too, so exactly the right items come back and
    /// `limit` counts only them.
    #[doc(hidden)]
    pub fn __compare(mut self, op: Compare, encoded: Result<Option<AttributeValue>, EncodeError>) -> SortKeyRange<S> {
        let last = self.is_last();
        let field = self.field_path();
        let (part, value) = self.write(encoded);
        let at = format!("{}{part}", self.text);
        let bounded = !self.text.is_empty();
        // Keys where the field equals `value` are `at` (last field) or start `at#`; keys
        // where it is greater start after `at$` (not last).
        let equal_start = if last { at.clone() } else { format!("{at}{SEPARATOR}") };
        let after_equal = format!("{at}{}", next_char(SEPARATOR));
        let upper = upper_bound(&self.text);
        // The one key in a bounded range that the strict comparison leaves out is the
        // one where the field equals `value` (`at`, or `at#` with an empty rest):
        // `field <> value` drops exactly it (equal text, equal value: the code is one to
        // one), keeping the stored-text order of the rest.
        let not_equal = || {
            let (Some(path), Some(value)) = (field.clone(), value.clone()) else { return None };
            Some(Node::Compare { left: Operand::Path(path), op: Comparator::Ne, right: Operand::Value(value) })
        };
        let (node, filter) = match (op, last) {
            (Compare::Gt, false) => (self.at_least(after_equal, upper), None),
            (Compare::Gt, true) if bounded => (self.at_least(at, upper), not_equal()),
            (Compare::Gt, true) => (self.compare(Comparator::Gt, at), None),
            (Compare::Ge, _) => (self.at_least(equal_start, upper), None),
            (Compare::Lt, _) if bounded => (self.between(self.text.clone(), equal_start), not_equal()),
            (Compare::Lt, _) => (self.compare(Comparator::Lt, equal_start), None),
            // Keys of this model never equal `at$` (not last: they go on with `#`).
            (Compare::Le, false) if bounded => (self.between(self.text.clone(), after_equal), None),
            (Compare::Le, false) => (self.compare(Comparator::Lt, after_equal), None),
            (Compare::Le, true) if bounded => (self.between(self.text.clone(), at), None),
            (Compare::Le, true) => (self.compare(Comparator::Le, at), None),
        };
        self.range(node, filter)
    }

    /// The next field lies between `low` and `high`, both included.
    #[doc(hidden)]
    pub fn __between(
        mut self,
        low: Result<Option<AttributeValue>, EncodeError>,
        high: Result<Option<AttributeValue>, EncodeError>,
    ) -> SortKeyRange<S> {
        let last = self.is_last();
        let (low_part, _) = self.write(low);
        let (high_part, _) = self.write(high);
        let low = format!("{}{low_part}", self.text);
        let high = format!("{}{high_part}", self.text);
        let (low, high) = if last {
            (low, high)
        } else {
            // Keys of this model go on with `#` after the field: none is `high$` itself.
            (format!("{low}{SEPARATOR}"), format!("{high}{}", next_char(SEPARATOR)))
        };
        let node = self.between(low, high);
        self.range(node, None)
    }

    /// The path of the field the next segment holds.
    fn field_path(&self) -> Option<PathExpr> {
        match self.segments.get(self.next) {
            Some(Segment::Field { attribute, .. }) => Some(PathExpr::attribute(attribute)),
            _ => None,
        }
    }

    fn range(self, node: Node, filter: Option<Node>) -> SortKeyRange<S> {
        let failed = self.error.is_some();
        let condition = self.finish(node);
        SortKeyRange { condition, filter: if failed { None } else { filter.map(Condition::from_node) } }
    }

    fn path(&self) -> PathExpr {
        PathExpr::attribute(self.attribute)
    }

    /// `key op text`. DynamoDB takes no empty string in a key condition, and no key is
    /// empty: against `""`, every key is greater (`>= "\0"`, the least non-empty text)
    /// and none is less or equal (`< "\0"`).
    fn compare(&self, op: Comparator, text: String) -> Node {
        let (op, text) = match (text.is_empty(), op) {
            (false, op) => (op, text),
            (true, Comparator::Gt | Comparator::Ge | Comparator::Ne) => (Comparator::Ge, LEAST.to_owned()),
            (true, _) => (Comparator::Lt, LEAST.to_owned()),
        };
        Node::Compare { left: Operand::Path(self.path()), op, right: Operand::Value(AttributeValue::S(text)) }
    }

    /// `key BETWEEN low AND high`, with empty bounds read as in [`SortKey::compare`].
    fn between(&self, low: String, high: String) -> Node {
        if high.is_empty() {
            return self.compare(Comparator::Lt, high);
        }
        let low = if low.is_empty() { LEAST.to_owned() } else { low };
        Node::Between {
            path: Operand::Path(self.path()),
            low: Operand::Value(AttributeValue::S(low)),
            high: Operand::Value(AttributeValue::S(high)),
        }
    }

    fn at_least(&self, lower: String, upper: Option<String>) -> Node {
        match upper {
            Some(upper) => self.between(lower, upper),
            None => self.compare(Comparator::Ge, lower),
        }
    }

    fn finish(self, node: Node) -> Condition<S::Model> {
        match self.error {
            Some((path, error)) => Condition::from_node(Node::Compare {
                left: Operand::Path(path.clone()),
                op: Comparator::Eq,
                right: Operand::encoded(&path, Err(error)),
            }),
            None => Condition::from_node(node),
        }
    }

    /// The condition as it stands: every key that starts with the fields given (all of
    /// them: that one key).
    #[doc(hidden)]
    pub fn __condition(self) -> Condition<S::Model> {
        let node = if self.next >= self.segments.len() || self.text.is_empty() {
            // Every key of the template, when nothing of it is known (`>= "\0"`).
            let op = if self.next >= self.segments.len() { Comparator::Eq } else { Comparator::Ge };
            self.compare(op, self.text.clone())
        } else {
            Node::BeginsWith { path: self.path(), prefix: Operand::Value(AttributeValue::S(self.text.clone())) }
        };
        self.finish(node)
    }
}

/// A sort-key condition that compares a field of a templated sort key, made by the
/// generated builders (`Order::sk().created_gt(..)`).
pub struct SortKeyRange<S: crate::KeySpace> {
    condition: Condition<S::Model>,
    /// A filter on the compared field's own attribute, where the key condition alone
    /// would take in the keys where the field equals the bound.
    filter: Option<Condition<S::Model>>,
}

impl<S: crate::KeySpace> std::fmt::Debug for SortKeyRange<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SortKeyRange").finish_non_exhaustive()
    }
}

impl<S: crate::KeySpace> crate::ops::SortKeyCondition<S> for SortKeyRange<S> {
    fn __into_condition(self) -> Condition<S::Model> {
        self.condition
    }

    fn __into_parts(self) -> (Condition<S::Model>, Option<Condition<S::Model>>) {
        (self.condition, self.filter)
    }
}

/// The least non-empty text: every key is at least this.
const LEAST: &str = "\0";

/// The character after `c`, for "just after every key that continues with `c`".
fn next_char(c: char) -> char {
    char::from_u32(c as u32 + 1).unwrap_or(c)
}

/// A bound just above every key starting with `prefix` (which ends with the
/// separator): the prefix with its last separator replaced by the next character.
/// Keys of the model never equal it (they go on after the separator).
fn upper_bound(prefix: &str) -> Option<String> {
    let trimmed = prefix.strip_suffix(SEPARATOR)?;
    Some(format!("{trimmed}{}", next_char(SEPARATOR)))
}

/// The condition every write of an entity carries: the key holds no item, or one of
/// this entity, so a write never replaces, changes or deletes another model's item.
pub(crate) fn write_condition<M: crate::Model>() -> Option<Node> {
    let entity = M::ENTITY?;
    Some(Node::Or(vec![Node::NotExists(PathExpr::attribute(M::KEY_SCHEMA.hash.name)), entity.marker_condition()]))
}

/// Renders an entity's templates again, from an item the lifecycle has stamped.
pub(crate) fn restamp<M: crate::Model>(item: &mut Item) -> crate::Result<()> {
    match &M::ENTITY {
        Some(entity) => template::stamp(M::NAME, entity, item),
        None => Ok(()),
    }
}

/// Whether an item read by key is another model's (so, for this model, no item).
pub(crate) fn foreign<M: crate::Model>(item: &Item) -> bool {
    M::ENTITY.is_some_and(|entity| !template::is_of(&entity, item))
}

/// An update of an entity may not change the fields of the table's templates: they name
/// the item. Checked on the caller's actions, before the lifecycle stamps.
pub(crate) fn check_key_fields<M: crate::Model>(actions: &crate::expr::Actions) -> crate::Result<()> {
    let Some(entity) = M::ENTITY else { return Ok(()) };
    let touched = entity.key_fields().find(|field| actions.touches(field));
    match touched {
        Some(field) => Err(crate::Error::InvalidRequest {
            model: M::NAME,
            reason: crate::RequestReason::KeyUpdate { attribute: field.to_owned() },
        }),
        None => Ok(()),
    }
}

/// What an upsert of an entity writes besides the caller's changes: the marker and the
/// key's fields, as a put would store them. Before the lifecycle stamps, so a
/// `created_at` in the key keeps the key's value.
pub(crate) fn stamp_upsert<M: crate::Model>(actions: &mut crate::expr::Actions, key_fields: &Item) {
    let Some(entity) = M::ENTITY else { return };
    let set = |actions: &mut crate::expr::Actions, name: &'static str, value: AttributeValue| {
        actions.set_value(&PathExpr::attribute(name), crate::expr::SetValue::Operand(Operand::Value(value)));
    };
    set(actions, entity.attribute, AttributeValue::S(entity.name.to_owned()));
    for field in entity.key_fields() {
        if let Some(value) = key_fields.get(field) {
            set(actions, field, value.clone());
        }
    }
}

/// Keeps an entity's index keys in step with an update.
///
/// An index template whose fields the update changes (`changed`: the caller's actions
/// and `updated_at`) is rendered again when every field it needs has a plain value (set
/// by the update, or in the key), removed when one of its fields is removed (the item
/// leaves the index), and otherwise the update is refused: never a stale index key.
///
/// An upsert may create the item, so it also writes the index keys it can render from
/// what it knows of a new item (the key's fields, constants, and `created_at` as stamped,
/// by `if_not_exists` so an existing item keeps its own); an index key it cannot render
/// is left alone (for a new item, the fields are absent, so it is in no such index).
pub(crate) fn sync_indexes<M: crate::Model>(
    actions: &mut crate::expr::Actions,
    key_fields: &Item,
    upsert: bool,
    changed: impl Fn(&str) -> bool,
) -> crate::Result<()> {
    let Some(entity) = M::ENTITY else { return Ok(()) };
    let created = M::CREATED_AT.map(|t| t.name);
    for template in entity.templates.iter().filter(|t| t.index.is_some()) {
        let touched = template.fields().any(&changed);
        if !touched && !upsert {
            continue;
        }
        if touched && template.fields().any(|field| actions.removes(field)) {
            actions.remove_raw(&PathExpr::attribute(template.attribute));
            continue;
        }
        let values = actions.plain_values();
        // `created_at` as stamped (`if_not_exists(created_at, now)`), for a new item only.
        let stamped = if touched { None } else { created.and_then(|name| actions.stamped_value(name)) };
        let value_of = |field: &str| {
            values
                .iter()
                .find(|(name, _)| *name == field)
                .map(|(_, v)| *v)
                .or_else(|| key_fields.get(field))
                .or_else(|| stamped.as_ref().filter(|_| created == Some(field)))
        };
        let rendered = template.render(value_of).map_err(|(attribute, e)| e.into_error(M::NAME, attribute))?;
        let path = PathExpr::attribute(template.attribute);
        match rendered {
            Some(text) => {
                let text = Operand::Value(AttributeValue::S(text));
                let value = if touched {
                    crate::expr::SetValue::Operand(text)
                } else {
                    // Unchanged fields: an existing item keeps the key it has.
                    crate::expr::SetValue::IfNotExists(path.clone(), text)
                };
                actions.set_value(&path, value);
            }
            None if touched => {
                let missing = template.fields().find(|field| value_of(field).is_none()).unwrap_or(template.attribute);
                return Err(crate::Error::InvalidRequest {
                    model: M::NAME,
                    reason: crate::RequestReason::StaleIndexKey {
                        index: template.index.unwrap_or_default(),
                        key: template.attribute,
                        field: missing.to_owned(),
                    },
                });
            }
            None => {}
        }
    }
    Ok(())
}
