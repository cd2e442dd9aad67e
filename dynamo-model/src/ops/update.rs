use std::future::IntoFuture;

use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};

use super::conditional::{both, exists_condition, Conditional};
use super::lifecycle;
use crate::expr::{Actions, Arithmetic, Condition, Numeric, Operand, Path, Renderer, SetType, SetValue};
use crate::{Db, Error, Model, ModelKey, Result, ToAttribute};

/// Changes attributes of one item in place; awaits to the item as it is afterwards.
/// Made by [`Model::update`].
///
/// Paths may reach into nested documents, list elements and map entries: a change to
/// one field of a map leaves the map's other fields as they are. The item must exist
/// ([`Error::NotFound`] otherwise) unless [`Update::upsert`] is asked for. Updates of
/// key attributes and two actions on overlapping paths are rejected before sending.
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
/// let request = update.request()?;
/// let input = request.as_input();
/// assert_eq!(input.get_update_expression().as_deref(), Some("SET #n0 = :v0 REMOVE #n1 ADD #n2 :v1"));
/// assert_eq!(input.get_condition_expression().as_deref(), Some("attribute_exists(#n3) AND #n0 = :v2"));
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

    /// `SET path = value`.
    pub fn set<T, F>(mut self, path: &Path<M, T, F>, value: impl Into<T>) -> Self {
        self.actions.set(path, value.into());
        self
    }

    /// `SET path = if_not_exists(path, value)`: writes only when the attribute is absent.
    pub fn set_if_not_exists<T, F>(mut self, path: &Path<M, T, F>, value: impl Into<T>) -> Self {
        self.actions.set_if_not_exists(path, value.into());
        self
    }

    /// `SET path = a ± b`, from [`Path::plus`], [`Path::minus`] and friends.
    pub fn set_to<T, F>(mut self, path: &Path<M, T, F>, value: Arithmetic<M, T>) -> Self {
        self.actions.set_value(&path.expr, value.value);
        self
    }

    /// `SET path = source`, copying another attribute of the same item.
    pub fn set_from<T, F, G>(mut self, path: &Path<M, T, F>, source: &Path<M, T, G>) -> Self {
        self.actions.set_value(&path.expr, SetValue::Operand(Operand::Path(source.expr.clone())));
        self
    }

    /// `ADD path n`: adds to a number (subtract with a negative `n`), starting from 0
    /// when the attribute is absent.
    pub fn add<T: Numeric, F>(mut self, path: &Path<M, T, F>, n: impl Into<T>) -> Self {
        self.actions.add(&path.expr, Operand::encoded(&path.expr, n.into().to_attribute()));
        self
    }

    /// `ADD path members`: adds members to a set, creating it when absent.
    pub fn add_to_set<T: SetType, F>(mut self, path: &Path<M, T, F>, members: T) -> Self {
        self.actions.add(&path.expr, Operand::encoded(&path.expr, members.to_attribute()));
        self
    }

    /// `DELETE path members`: removes members from a set (the attribute goes away with
    /// its last member).
    pub fn delete_from_set<T: SetType, F>(mut self, path: &Path<M, T, F>, members: T) -> Self {
        self.actions.delete(&path.expr, Operand::encoded(&path.expr, members.to_attribute()));
        self
    }

    /// `REMOVE path`: deletes the attribute, list element or map entry.
    pub fn remove<T, F>(mut self, path: &Path<M, T, F>) -> Self {
        self.actions.remove(&path.expr);
        self
    }

    /// Appends elements to a list, creating it when absent.
    pub fn append<E: ToAttribute, F, V: Into<E>>(
        mut self,
        path: &Path<M, Vec<E>, F>,
        items: impl IntoIterator<Item = V>,
    ) -> Self {
        let items: Vec<E> = items.into_iter().map(Into::into).collect();
        self.actions.list_append(&path.expr, &items, false);
        self
    }

    /// Prepends elements to a list, creating it when absent.
    pub fn prepend<E: ToAttribute, F, V: Into<E>>(
        mut self,
        path: &Path<M, Vec<E>, F>,
        items: impl IntoIterator<Item = V>,
    ) -> Self {
        let items: Vec<E> = items.into_iter().map(Into::into).collect();
        self.actions.list_append(&path.expr, &items, true);
        self
    }

    /// Updates only if the condition holds; otherwise [`Error::ConditionFailed`] with
    /// the current item. Several conditions combine with AND.
    pub fn condition(mut self, condition: impl Into<Condition<M>>) -> Self {
        self.conditional.add(condition.into());
        self
    }

    /// Creates the item (with only its key and these changes) when it does not exist,
    /// instead of failing with [`Error::NotFound`].
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

    /// The `UpdateItem` request this operation sends, unsent.
    pub fn request(&self) -> Result<UpdateItemFluentBuilder> {
        let schema = M::KEY_SCHEMA;
        let keys: Vec<&str> = std::iter::once(schema.hash.name).chain(schema.range.map(|r| r.name)).collect();
        self.actions.rule_violations(M::NAME)?;
        lifecycle::check_counters::<M>(&self.actions)?;
        let mut actions = self.actions.clone();
        lifecycle::stamp_update::<M>(&mut actions);
        actions.check(M::NAME, &keys)?;
        let mut renderer = Renderer::new(M::NAME);
        let update = actions.render(&mut renderer)?;
        let mut first = (!self.upsert).then(exists_condition::<M>);
        if let Some(version) = self.expected_version.and_then(lifecycle::version_condition::<M>) {
            first = Some(both::<M>(first, version));
        }
        let condition = self.conditional.render(&mut renderer, first)?;
        let (names, values) = renderer.finish();
        let mut request = self
            .db
            .client()
            .update_item()
            .table_name(self.db.table_name::<M>())
            .set_key(Some(self.key.to_key_item()?))
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        if !update.is_empty() {
            request = request.update_expression(update);
        }
        Ok(request)
    }

    async fn send(self) -> Result<M> {
        let request = self.request()?;
        let table = self.db.table_name::<M>();
        match request.send().await {
            Ok(output) => match output.attributes {
                Some(item) => M::from_item(item),
                None => Err(Error::NotFound { model: M::NAME, table }),
            },
            Err(err) => {
                if let Some(UpdateItemError::ConditionalCheckFailedException(failed)) = err.as_service_error() {
                    let item = failed.item.clone().filter(|item| !item.is_empty());
                    if item.is_none() && !self.upsert {
                        return Err(Error::NotFound { model: M::NAME, table });
                    }
                    return Err(lifecycle::condition_error::<M>(table, self.expected_version, item));
                }
                Err(crate::error::service_error("UpdateItem", &table, err))
            }
        }
    }
}

impl<'a, M: Model + 'a> IntoFuture for Update<'a, M> {
    type Output = Result<M>;
    type IntoFuture = super::OpFuture<'a, M>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<M: Model> std::fmt::Debug for Update<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Update")
            .field("key", &self.key)
            .field("actions", &self.actions)
            .field("upsert", &self.upsert)
            .finish_non_exhaustive()
    }
}
