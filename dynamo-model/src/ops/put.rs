use aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;

use super::conditional::{both, not_exists_condition, Conditional};
use super::lifecycle;
use crate::error::{service_error, Error};
use crate::expr::{Condition, Renderer};
use crate::{Db, Model, Result};

/// Writes one item, replacing any item with the same key; awaits to `()`. Made by
/// [`Model::put`].
///
/// The item is validated and encoded before anything is sent: a broken rule is an
/// [`Error::Validation`], a value DynamoDB cannot store an [`Error::Invalid`], and no
/// request goes out. `created_at` is set for a new item and `updated_at` on every put.
/// For a model with a `#[dynamo(version)]`, the put writes version + 1 and holds only if
/// the stored version is still the one read ([`Error::VersionConflict`] otherwise); an
/// item of version 0 is created only if absent.
///
/// ```no_run
/// # use dynamo_model::{Db, Error, Model};
/// # #[derive(Model)] #[dynamo(table = "orders")]
/// # struct Order { #[dynamo(hash_key)] customer_id: String, #[dynamo(range_key)] order_id: String }
/// # async fn run(db: &Db, order: &Order) -> dynamo_model::Result<()> {
/// match Order::put(db, order).if_not_exists().await {
///     Ok(()) => println!("created"),
///     Err(Error::AlreadyExists { .. }) => println!("kept the existing order"),
///     Err(other) => return Err(other),
/// }
/// # Ok(()) }
/// ```
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug)]
pub struct Put<'a, M: Model> {
    db: &'a Db,
    item: &'a M,
    if_not_exists: bool,
    conditional: Conditional<M>,
}

impl<'a, M: Model> Put<'a, M> {
    pub(crate) fn new(db: &'a Db, item: &'a M) -> Self {
        Self { db, item, if_not_exists: false, conditional: Conditional::default() }
    }

    /// Creates only: fails with [`Error::AlreadyExists`] when an item with the same key
    /// exists, leaving it untouched.
    pub fn if_not_exists(mut self) -> Self {
        self.if_not_exists = true;
        self
    }

    /// Writes only if the condition holds for the item stored now (an absent item has
    /// no attributes); otherwise [`Error::ConditionFailed`] with that item. Several
    /// conditions combine with AND.
    pub fn condition(mut self, condition: impl Into<Condition<M>>) -> Self {
        self.conditional.add(condition.into());
        self
    }

    /// The `PutItem` request this operation sends, unsent: validated, with timestamps
    /// stamped and the version bumped, or an error and nothing to send.
    pub fn request(&self) -> Result<PutItemFluentBuilder> {
        Ok(self.prepare()?.0)
    }

    /// The request and the version it expects to replace, if the model is versioned.
    fn prepare(&self) -> Result<(PutItemFluentBuilder, Option<u64>)> {
        self.item.validate()?;
        let mut item = self.item.to_item()?;
        lifecycle::stamp_item::<M>(&mut item);
        let expected_version = lifecycle::bump_version(self.item, &mut item);
        crate::limits::check_item(M::NAME, &item)?;
        let mut first = None;
        // A new versioned item (version 0) is created only if absent, like `if_not_exists`.
        if self.if_not_exists || expected_version == Some(0) {
            first = Some(not_exists_condition::<M>());
        }
        if let Some(version) = expected_version.filter(|v| *v > 0).and_then(lifecycle::version_condition::<M>) {
            first = Some(both::<M>(first, version));
        }
        let mut renderer = Renderer::new(M::NAME);
        let condition = self.conditional.render(&mut renderer, first)?;
        let (names, values) = renderer.finish();
        let mut request = self.db.client().put_item().table_name(self.db.table_name::<M>()).set_item(Some(item));
        if condition.is_some() {
            request = request
                .set_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        }
        Ok((request, expected_version))
    }

    async fn send(self) -> Result<()> {
        let (request, expected_version) = self.prepare()?;
        match request.send().await {
            Ok(_) => Ok(()),
            Err(err) => {
                let table = self.db.table_name::<M>();
                if let Some(PutItemError::ConditionalCheckFailedException(failed)) = err.as_service_error() {
                    let item = failed.item.clone().filter(|item| !item.is_empty());
                    // With `if_not_exists`, an existing item is the reason whatever else failed.
                    if self.if_not_exists && item.is_some() {
                        return Err(Error::AlreadyExists { model: M::NAME, table });
                    }
                    return Err(lifecycle::condition_error::<M>(table, expected_version, item));
                }
                Err(service_error("PutItem", &table, err))
            }
        }
    }
}

super::awaitable!(Put => ());
