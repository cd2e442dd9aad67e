use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;

use super::conditional::{compile_write, exists_condition, Conditional};
use super::Returned;
use crate::compile::{lifecycle, values, CompiledUpdate, KeyRole, WriteKind};
use crate::error::RequestReason;
use crate::expr::{Actions, Arithmetic, Condition, Numeric, Path, SetType};
use crate::value::IntoValue;
use crate::{Db, Error, Model, ModelKey, Result, ToAttribute};

/// Changes attributes of one item in place; awaits to the item as it is afterwards
/// ([`Returned`]). Made by [`Model::update`].
///
/// Paths may reach into nested documents, list elements and map entries: a change to
/// one field of a map leaves the map's other fields as they are (the map must exist:
/// [`Error::PathNotFound`] otherwise). The item must exist ([`Error::NotFound`]
/// otherwise) unless [`Update::upsert`] is asked for. Written values are checked against
/// the field's rules and go through its `set` transform; an `add` keeps the field's
/// `min` and `max` against the stored value. Updates of key attributes, removals of
/// fields the model needs, and two actions on overlapping paths are refused before
/// sending.
///
/// ```
/// use dynamo_model::{Db, Model};
///
/// #[derive(Model, Debug, Clone)]
/// #[dynamo(table = "orders")]
/// struct Order {
///     #[dynamo(hash_key)] id: String,
///     status: String,
///     total: i64,
///     tags: std::collections::BTreeSet<String>,
///     note: Option<String>,
/// }
///
/// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
/// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
/// let update = Order::update(&db, Order::key("o1"))
///     .set(&Order::STATUS, "shipped")
///     .add(&Order::TOTAL, 5)
///     .remove(&Order::NOTE)
///     .condition(Order::STATUS.eq("paid"));
/// let compiled = update.compile()?;
/// let expressions = &compiled.expressions;
/// assert_eq!(expressions.update.as_deref(), Some("SET #n0 = :v0 REMOVE #n1 ADD #n2 :v1"));
/// // The item must exist, `total` must stay within `i64`, and the caller's condition.
/// assert_eq!(
///     expressions.condition.as_deref(),
///     Some("attribute_exists(#n3) AND (attribute_not_exists(#n2) OR #n2 <= :v2) AND #n0 = :v3")
/// );
/// # Ok::<(), dynamo_model::Error>(())
/// ```
#[must_use = "an update does nothing until it is awaited"]
pub struct Update<'a, M: Model> {
    db: &'a Db,
    key: M::Key,
    actions: Actions,
    conditional: Conditional<M>,
    upsert: bool,
    expected_version: Option<u64>,
}

impl<'a, M: Model> Update<'a, M> {
    pub(crate) fn new(db: &'a Db, key: M::Key) -> Self {
        Self {
            db,
            key,
            actions: Actions::default(),
            conditional: Conditional::default(),
            upsert: false,
            expected_version: None,
        }
    }

    /// `SET path = value`. The value is checked against the field's rules and goes
    /// through its `set` transform, as in a put. A path into a nested document, a list
    /// element or a map entry changes only that part; the map or list must exist
    /// ([`Error::PathNotFound`] otherwise), which the update's condition checks.
    ///
    /// ```
    /// use dynamo_model::{AttributeValue, Db, Document, Model};
    ///
    /// #[derive(Document, Debug, Clone, PartialEq)]
    /// struct Address { city: String, zip: String }
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, status: String, shipping: Address }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let update = Order::update(&db, Order::key("o1"))
    ///     .set(&Order::STATUS, "shipped")
    ///     .set(&Order::SHIPPING.then(Address::CITY), "Porto");
    /// let expressions = update.compile()?.expressions;
    /// assert_eq!(expressions.update.as_deref(), Some("SET #n0 = :v0, #n1.#n2 = :v1"));
    /// // The item exists (`id` is its hash key), and so does the map written into.
    /// assert_eq!(expressions.condition.as_deref(), Some("attribute_exists(#n3) AND attribute_exists(#n1)"));
    /// let names = expressions.names.unwrap();
    /// assert_eq!([&names["#n0"], &names["#n1"], &names["#n2"], &names["#n3"]], ["status", "shipping", "city", "id"]);
    /// let values = expressions.values.unwrap();
    /// assert_eq!(values[":v0"], AttributeValue::S("shipped".into()));
    /// assert_eq!(values[":v1"], AttributeValue::S("Porto".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn set<T, F>(mut self, path: &Path<M, T, F>, value: impl IntoValue<T>) -> Self {
        self.actions.set(path, &value.into_value());
        self
    }

    /// `SET path = if_not_exists(path, value)`: writes only when the attribute is absent.
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use dynamo_model::{AttributeValue, Db, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order {
    ///     #[dynamo(hash_key)] id: String,
    ///     status: String,
    ///     total: i64,
    ///     note: Option<String>,
    ///     tags: BTreeSet<String>,
    ///     history: Vec<String>,
    /// }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let update = Order::update(&db, Order::key("o1")).set_if_not_exists(&Order::NOTE, "first");
    /// let expressions = update.compile()?.expressions;
    /// assert_eq!(expressions.update.as_deref(), Some("SET #n0 = if_not_exists(#n0, :v0)"));
    /// assert_eq!(expressions.names.unwrap()["#n0"], "note");
    /// assert_eq!(expressions.values.unwrap()[":v0"], AttributeValue::S("first".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn set_if_not_exists<T, F>(mut self, path: &Path<M, T, F>, value: impl IntoValue<T>) -> Self {
        self.actions.set_if_not_exists(path, &value.into_value());
        self
    }

    /// `SET path = path ± n`, from [`Path::plus`] and [`Path::minus`] (which have an
    /// example). The attribute read must exist ([`Error::PathNotFound`] otherwise); the
    /// target's `min` and `max` and its type's range are kept.
    pub fn set_to<T: Numeric, F>(mut self, path: &Path<M, T, F>, value: Arithmetic<M, T>) -> Self {
        self.actions.set_arithmetic(path, value);
        self
    }

    /// `SET path = source`, copying another attribute of the same item (which must exist).
    ///
    /// The stored value is copied as it is, so the two fields must be stored alike, and
    /// the target may have no declared rules or `set` transform (the copy would skip them)
    /// and may not be an index key; otherwise the update is an
    /// [`Error::InvalidRequest`] before sending.
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use dynamo_model::{AttributeValue, Db, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order {
    ///     #[dynamo(hash_key)] id: String,
    ///     status: String,
    ///     total: i64,
    ///     note: Option<String>,
    ///     tags: BTreeSet<String>,
    ///     history: Vec<String>,
    /// }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let update = Order::update(&db, Order::key("o1")).set_from(&Order::NOTE, &Order::STATUS);
    /// let expressions = update.compile()?.expressions;
    /// assert_eq!(expressions.update.as_deref(), Some("SET #n0 = #n1"));
    /// // The item exists, and so does the attribute copied.
    /// assert_eq!(expressions.condition.as_deref(), Some("attribute_exists(#n2) AND attribute_exists(#n1)"));
    /// assert!(expressions.values.is_none());
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn set_from<T, F, G>(mut self, path: &Path<M, T, F>, source: &Path<M, T, G>) -> Self {
        self.actions.set_from(path, source);
        self
    }

    /// `ADD path n`: adds to an integer (subtract with a negative `n`), starting from 0
    /// when the attribute is absent. The field's `min` and `max` and its type's range
    /// hold against the stored value: a result out of them is an [`Error::Validation`]
    /// and nothing is written. A field stored through `with` or `serde`, or with rules
    /// only a whole value can be checked against, is an [`Error::InvalidRequest`].
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use dynamo_model::{AttributeValue, Db, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order {
    ///     #[dynamo(hash_key)] id: String,
    ///     status: String,
    ///     total: i64,
    ///     note: Option<String>,
    ///     tags: BTreeSet<String>,
    ///     history: Vec<String>,
    /// }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let update = Order::update(&db, Order::key("o1")).add(&Order::TOTAL, 5);
    /// let expressions = update.compile()?.expressions;
    /// assert_eq!(expressions.update.as_deref(), Some("ADD #n0 :v0"));
    /// // `total` stays an `i64`: absent (counted as 0), or at most `i64::MAX - 5`.
    /// assert_eq!(
    ///     expressions.condition.as_deref(),
    ///     Some("attribute_exists(#n1) AND (attribute_not_exists(#n0) OR #n0 <= :v1)")
    /// );
    /// let values = expressions.values.unwrap();
    /// assert_eq!(values[":v0"], AttributeValue::N("5".into()));
    /// assert_eq!(values[":v1"], AttributeValue::N("9223372036854775802".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn add<T: Numeric, F>(mut self, path: &Path<M, T, F>, n: impl IntoValue<T>) -> Self {
        self.actions.add_number(path, n.into_value());
        self
    }

    /// `ADD path members`: adds members to a set, creating it when absent.
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use dynamo_model::{AttributeValue, Db, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order {
    ///     #[dynamo(hash_key)] id: String,
    ///     status: String,
    ///     total: i64,
    ///     note: Option<String>,
    ///     tags: BTreeSet<String>,
    ///     history: Vec<String>,
    /// }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let update = Order::update(&db, Order::key("o1")).add_to_set(&Order::TAGS, ["gift", "rush"]);
    /// let expressions = update.compile()?.expressions;
    /// assert_eq!(expressions.update.as_deref(), Some("ADD #n0 :v0"));
    /// assert_eq!(expressions.names.unwrap()["#n0"], "tags");
    /// assert_eq!(expressions.values.unwrap()[":v0"], AttributeValue::Ss(vec!["gift".into(), "rush".into()]));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn add_to_set<T: SetType, F>(mut self, path: &Path<M, T, F>, members: impl IntoValue<T>) -> Self {
        self.actions.set_members(path, &members.into_value(), false);
        self
    }

    /// `DELETE path members`: removes members from a set (the attribute goes away with
    /// its last member).
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use dynamo_model::{AttributeValue, Db, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order {
    ///     #[dynamo(hash_key)] id: String,
    ///     status: String,
    ///     total: i64,
    ///     note: Option<String>,
    ///     tags: BTreeSet<String>,
    ///     history: Vec<String>,
    /// }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let update = Order::update(&db, Order::key("o1")).delete_from_set(&Order::TAGS, ["rush"]);
    /// let expressions = update.compile()?.expressions;
    /// assert_eq!(expressions.update.as_deref(), Some("DELETE #n0 :v0"));
    /// assert_eq!(expressions.values.unwrap()[":v0"], AttributeValue::Ss(vec!["rush".into()]));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn delete_from_set<T: SetType, F>(mut self, path: &Path<M, T, F>, members: impl IntoValue<T>) -> Self {
        self.actions.set_members(path, &members.into_value(), true);
        self
    }

    /// `REMOVE path`: deletes the attribute, list element or map entry. A field the
    /// model needs to read the item (not an `Option`, a set or a field with a default)
    /// cannot be removed: [`Error::InvalidRequest`] before sending.
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use dynamo_model::{AttributeValue, Db, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order {
    ///     #[dynamo(hash_key)] id: String,
    ///     status: String,
    ///     total: i64,
    ///     note: Option<String>,
    ///     tags: BTreeSet<String>,
    ///     history: Vec<String>,
    /// }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let update = Order::update(&db, Order::key("o1")).remove(&Order::NOTE).remove(&Order::HISTORY.index(0));
    /// let expressions = update.compile()?.expressions;
    /// assert_eq!(expressions.update.as_deref(), Some("REMOVE #n0, #n1[0]"));
    /// let names = expressions.names.unwrap();
    /// assert_eq!((names["#n0"].as_str(), names["#n1"].as_str()), ("note", "history"));
    ///
    /// // `status` is a `String`: an item without it could not be read.
    /// let refused = Order::update(&db, Order::key("o1")).remove(&Order::STATUS).compile();
    /// assert!(matches!(refused, Err(dynamo_model::Error::InvalidRequest { .. })));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn remove<T, F>(mut self, path: &Path<M, T, F>) -> Self {
        self.actions.remove(path);
        self
    }

    /// Appends elements to a list, creating it when absent:
    /// `SET path = list_append(if_not_exists(path, []), items)`.
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use dynamo_model::{AttributeValue, Db, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order {
    ///     #[dynamo(hash_key)] id: String,
    ///     status: String,
    ///     total: i64,
    ///     note: Option<String>,
    ///     tags: BTreeSet<String>,
    ///     history: Vec<String>,
    /// }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let update = Order::update(&db, Order::key("o1")).append(&Order::HISTORY, ["shipped"]);
    /// let expressions = update.compile()?.expressions;
    /// assert_eq!(expressions.update.as_deref(), Some("SET #n0 = list_append(if_not_exists(#n0, :v0), :v1)"));
    /// let values = expressions.values.unwrap();
    /// assert_eq!(values[":v0"], AttributeValue::L(vec![])); // the list when absent
    /// assert_eq!(values[":v1"], AttributeValue::L(vec![AttributeValue::S("shipped".into())]));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn append<E: ToAttribute, F, V: IntoValue<E>>(
        mut self,
        path: &Path<M, Vec<E>, F>,
        items: impl IntoIterator<Item = V>,
    ) -> Self {
        let items: Vec<E> = items.into_iter().map(IntoValue::into_value).collect();
        self.actions.list_append(path, &items, false);
        self
    }

    /// Prepends elements to a list, creating it when absent:
    /// `SET path = list_append(items, if_not_exists(path, []))`.
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use dynamo_model::{AttributeValue, Db, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order {
    ///     #[dynamo(hash_key)] id: String,
    ///     status: String,
    ///     total: i64,
    ///     note: Option<String>,
    ///     tags: BTreeSet<String>,
    ///     history: Vec<String>,
    /// }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let update = Order::update(&db, Order::key("o1")).prepend(&Order::HISTORY, ["created"]);
    /// let expressions = update.compile()?.expressions;
    /// assert_eq!(expressions.update.as_deref(), Some("SET #n0 = list_append(:v1, if_not_exists(#n0, :v0))"));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn prepend<E: ToAttribute, F, V: IntoValue<E>>(
        mut self,
        path: &Path<M, Vec<E>, F>,
        items: impl IntoIterator<Item = V>,
    ) -> Self {
        let items: Vec<E> = items.into_iter().map(IntoValue::into_value).collect();
        self.actions.list_append(path, &items, true);
        self
    }

    /// Updates only if the condition holds; otherwise [`Error::ConditionFailed`] with
    /// the current item. Several conditions combine with AND, after the conditions the
    /// update needs of its own (the item exists, bounds hold…).
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use dynamo_model::{AttributeValue, Db, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order {
    ///     #[dynamo(hash_key)] id: String,
    ///     status: String,
    ///     total: i64,
    ///     note: Option<String>,
    ///     tags: BTreeSet<String>,
    ///     history: Vec<String>,
    /// }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let update = Order::update(&db, Order::key("o1"))
    ///     .set(&Order::STATUS, "shipped")
    ///     .condition(Order::STATUS.eq("paid"))
    ///     .condition(Order::TAGS.contains("express") | Order::TOTAL.gt(100));
    /// let expressions = update.compile()?.expressions;
    /// assert_eq!(
    ///     expressions.condition.as_deref(),
    ///     Some("attribute_exists(#n1) AND #n0 = :v1 AND (contains(#n2, :v2) OR #n3 > :v3)")
    /// );
    /// let values = expressions.values.unwrap();
    /// assert_eq!(values[":v1"], AttributeValue::S("paid".into()));
    /// assert_eq!(values[":v2"], AttributeValue::S("express".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn condition(mut self, condition: impl Into<Condition<M>>) -> Self {
        self.conditional.add(condition.into());
        self
    }

    /// Creates the item (with its key and these changes) when it does not exist,
    /// instead of failing with [`Error::NotFound`]. Refused before sending when the item
    /// it could create lacks fields the model needs.
    ///
    /// ```
    /// use dynamo_model::{Db, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "pages")]
    /// struct Page { #[dynamo(hash_key)] path: String, title: String, views: u64 }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let update = Page::update(&db, Page::key("/")).set(&Page::TITLE, "Home").add(&Page::VIEWS, 1).upsert();
    /// let expressions = update.compile()?.expressions;
    /// assert_eq!(expressions.update.as_deref(), Some("SET #n0 = :v0 ADD #n1 :v1"));
    /// // No `attribute_exists` of the key: only the bound of `views`.
    /// assert_eq!(expressions.condition.as_deref(), Some("attribute_not_exists(#n1) OR #n1 <= :v2"));
    ///
    /// // Without `title`, a new page could not be read back.
    /// let refused = Page::update(&db, Page::key("/")).add(&Page::VIEWS, 1).upsert().compile();
    /// assert!(matches!(refused, Err(dynamo_model::Error::InvalidRequest { .. })));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn upsert(mut self) -> Self {
        self.upsert = true;
        self
    }

    /// Updates only if the stored `#[dynamo(version)]` is `version` (the one read):
    /// optimistic locking; [`Error::VersionConflict`] otherwise. Without it, a versioned
    /// update still adds 1 to the version and never resets it.
    pub fn expect_version(mut self, version: u64) -> Self {
        self.expected_version = Some(version);
        self
    }

    /// The checked description of the request: its table, key and expressions (see
    /// [`Expressions`](crate::compile::Expressions)), with every refusal found before
    /// sending (rules broken, paths DynamoDB would reject, limits passed).
    pub fn compile(&self) -> Result<CompiledUpdate> {
        if !self.actions.errors.is_empty() {
            return Err(Error::Validation { model: M::NAME, errors: self.actions.errors.clone() });
        }
        lifecycle::check_counters::<M>(&self.actions)?;
        lifecycle::check_version::<M>(&self.actions, self.expected_version)?;
        crate::single_table::check_key_fields::<M>(&self.actions)?;
        let key_fields = self.key.__fields()?;
        let mut actions = self.actions.clone();
        if self.upsert {
            crate::single_table::stamp_upsert::<M>(&mut actions, &key_fields);
        }
        lifecycle::stamp_update::<M>(&mut actions);
        // What changes a field: the caller's actions and `updated_at`; the `created_at`
        // stamp never changes a stored value (`if_not_exists`), nor does an upsert's
        // writing of the key's fields.
        let updated = M::UPDATED_AT.map(|t| t.name);
        let changed = |field: &str| self.actions.touches(field) || updated == Some(field);
        crate::single_table::sync_indexes::<M>(&mut actions, &key_fields, self.upsert, changed)?;
        let schema = M::KEY_SCHEMA;
        let keys: Vec<&str> = std::iter::once(schema.hash.name).chain(schema.range.map(|r| r.name)).collect();
        actions.check(&keys).map_err(|reason| Error::InvalidRequest { model: M::NAME, reason })?;
        check_index_values::<M>(&actions)?;
        check_value_sizes::<M>(&actions, &self.key.to_key_item()?)?;
        if self.upsert {
            let mut missing = Vec::new();
            M::__required_attributes(&mut missing);
            missing.retain(|name| !actions.written_roots().any(|written| written == *name));
            if !missing.is_empty() {
                return Err(Error::InvalidRequest {
                    model: M::NAME,
                    reason: RequestReason::IncompleteUpsert { missing },
                });
            }
        }

        let mut first: Vec<_> = (!self.upsert).then(exists_condition::<M>).into_iter().collect();
        first.extend(self.expected_version.and_then(lifecycle::version_condition::<M>));
        first.extend(actions.guards.iter().map(|guard| guard.node()));
        let kind = WriteKind::Update { upsert: self.upsert };
        let condition = self.conditional.with(first);
        // The guards are in the condition already; what is left of them reads a failure.
        let guards = std::mem::take(&mut actions.guards);
        let (table, expressions, failure) =
            compile_write::<M>(self.db, kind, self.expected_version, condition, Some(&actions), guards)?;
        Ok(CompiledUpdate { table, key: self.key.to_key_item()?, expressions, failure })
    }

    /// The `UpdateItem` request this operation sends, unsent: the SDK's fluent builder,
    /// carrying the compiled expressions, which `as_input()` shows.
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use dynamo_model::{AttributeValue, Db, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order {
    ///     #[dynamo(hash_key)] id: String,
    ///     status: String,
    ///     total: i64,
    ///     note: Option<String>,
    ///     tags: BTreeSet<String>,
    ///     history: Vec<String>,
    /// }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let request = Order::update(&db, Order::key("o1")).set(&Order::STATUS, "shipped").request()?;
    /// let input = request.as_input();
    /// assert_eq!(input.get_table_name().as_deref(), Some("orders"));
    /// assert_eq!(input.get_update_expression().as_deref(), Some("SET #n0 = :v0"));
    /// assert_eq!(input.get_condition_expression().as_deref(), Some("attribute_exists(#n1)"));
    /// let names = input.get_expression_attribute_names().as_ref().unwrap();
    /// assert_eq!((names["#n0"].as_str(), names["#n1"].as_str()), ("status", "id"));
    /// let values = input.get_expression_attribute_values().as_ref().unwrap();
    /// assert_eq!(values[":v0"], AttributeValue::S("shipped".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn request(&self) -> Result<UpdateItemFluentBuilder> {
        Ok(self.compile()?.into_request(self.db.client()))
    }

    async fn send(self) -> Result<Returned<M>> {
        let (request, failure) = self.compile()?.into_parts(self.db.client());
        let output = self
            .db
            .send_write("UpdateItem", failure, request.set_return_consumed_capacity(self.db.capacity()).send())
            .await?;
        Ok(Returned::new(M::from_item(output.attributes.unwrap_or_default())))
    }
}

/// A value written that is larger than any item can be (with its key and name) is
/// refused: DynamoDB would reject the request.
fn check_value_sizes<M: Model>(actions: &Actions, key: &crate::Item) -> Result<()> {
    let key_size = crate::limits::item_size(key);
    for (path, value) in actions.written_values() {
        let size = key_size + path.root.len() + crate::limits::attribute_size(value);
        if size > crate::limits::MAX_ITEM_SIZE {
            return Err(Error::Invalid {
                model: M::NAME,
                attribute: path.to_string().into(),
                reason: crate::InvalidReason::ItemTooLarge { size, max: crate::limits::MAX_ITEM_SIZE },
            });
        }
    }
    Ok(())
}

/// Values written to the key attributes of an index have their key's type, are not
/// empty and fit, as for a put; and no index key is copied from another attribute.
fn check_index_values<M: Model>(actions: &Actions) -> Result<()> {
    let is_index_key = |name: &str| {
        M::INDEXES.iter().any(|index| index.hash.name == name || index.range.is_some_and(|r| r.name == name))
    };
    if let Some(copy) = actions.copies.iter().find(|path| path.tail.is_empty() && is_index_key(path.root)) {
        return Err(Error::InvalidRequest {
            model: M::NAME,
            reason: RequestReason::CopyIntoIndexKey { attribute: copy.root.to_owned() },
        });
    }
    for (name, value) in actions.top_level_values() {
        for index in M::INDEXES {
            let keys = std::iter::once((index.hash, KeyRole::Hash)).chain(index.range.map(|r| (r, KeyRole::Range)));
            for (key, role) in keys.filter(|(key, _)| key.name == name) {
                values::check_key(key.scalar, role, value).map_err(|reason| Error::Invalid {
                    model: M::NAME,
                    attribute: name.into(),
                    reason,
                })?;
            }
        }
    }
    Ok(())
}

super::awaitable!(Update => Returned<M>);

impl<M: Model> std::fmt::Debug for Update<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Update")
            .field("key", &self.key)
            .field("actions", &self.actions)
            .field("upsert", &self.upsert)
            .finish_non_exhaustive()
    }
}
