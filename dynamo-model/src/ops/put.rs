use aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder;

use super::conditional::{compile_write, not_exists_condition, Conditional};
use crate::compile::{lifecycle, values, CompiledPut, WriteKind};
use crate::expr::Condition;
use crate::{Db, Model, Result};

/// Writes one item, replacing any item with the same key; awaits to the item as stored.
/// Made by [`Model::put`].
///
/// The item is validated, encoded and checked before anything is sent: a broken rule is
/// an [`Error::Validation`](crate::Error::Validation), a value DynamoDB cannot store an
/// [`Error::Invalid`](crate::Error::Invalid), and no request goes out. The item is also
/// read back into the model before sending, so nothing is written that the model could
/// not read. `created_at` is set when it is 0 (an item never written) and `updated_at`
/// on every put. For a model with a `#[dynamo(version)]`, the put writes version + 1 and
/// holds only if the stored version is still the one read
/// ([`Error::VersionConflict`](crate::Error::VersionConflict) otherwise); an item of
/// version 0 is created only if absent.
///
/// The awaited value is the item exactly as stored, with its new version and timestamps:
/// write it again from there.
///
/// ```no_run
/// # use dynamo_model::{Db, Error, Model};
/// # #[derive(Model, Debug)] #[dynamo(table = "orders")]
/// # struct Order { #[dynamo(hash_key)] customer_id: String, #[dynamo(range_key)] order_id: String, #[dynamo(version)] version: u64 }
/// # async fn run(db: &Db, order: &Order) -> dynamo_model::Result<()> {
/// match Order::put(db, order).if_not_exists().await {
///     Ok(stored) => println!("created at version {}", stored.version),
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

    /// Creates only: fails with [`Error::AlreadyExists`](crate::Error::AlreadyExists)
    /// when an item with the same key exists, leaving it untouched.
    pub fn if_not_exists(mut self) -> Self {
        self.if_not_exists = true;
        self
    }

    /// Writes only if the condition holds for the item stored now (an absent item has
    /// no attributes); otherwise [`Error::ConditionFailed`](crate::Error::ConditionFailed)
    /// with that item. Several conditions combine with AND.
    pub fn condition(mut self, condition: impl Into<Condition<M>>) -> Self {
        self.conditional.add(condition.into());
        self
    }

    /// The checked description of the request: the item as it will be stored, the
    /// condition, and how to read a failure.
    pub fn compile(&self) -> Result<CompiledPut> {
        Ok(self.prepare()?.0)
    }

    /// The `PutItem` request this operation sends, unsent.
    pub fn request(&self) -> Result<PutItemFluentBuilder> {
        Ok(self.compile()?.into_request(self.db.client()))
    }

    /// The compiled request and the item as the model will read it back.
    fn prepare(&self) -> Result<(CompiledPut, M)> {
        self.item.validate()?;
        let mut item = self.item.to_item()?;
        lifecycle::stamp_item::<M>(&mut item);
        let expected_version = lifecycle::bump_version(self.item, &mut item)?;
        // Keys built from a stamped field (`created_at`, `updated_at`, the version) are
        // built again from the stamped item; a model without stamps keeps `to_item`'s.
        if M::CREATED_AT.is_some() || M::UPDATED_AT.is_some() || M::VERSION.is_some() {
            crate::single_table::restamp::<M>(&mut item)?;
        }
        values::check_item(M::NAME, &item)?;
        values::check_index_keys(M::NAME, M::INDEXES, &item)?;
        values::check_local_indexes(M::NAME, M::INDEXES, M::KEY_SCHEMA.hash.name, &item)?;
        values::normalize_numbers(&mut item);
        // What the model reads back is what the put returns; if it cannot read it, the
        // put is refused here rather than stored.
        let stored = M::from_item(item.clone())?;

        let mut first = Vec::new();
        // A new versioned item (version 0) is created only if absent, like `if_not_exists`.
        if self.if_not_exists || expected_version == Some(0) {
            first.push(not_exists_condition::<M>());
        }
        if let Some(version) = expected_version.filter(|v| *v > 0).and_then(lifecycle::version_condition::<M>) {
            first.push(version);
        }
        let kind = WriteKind::Put { if_not_exists: self.if_not_exists };
        let (table, expressions, failure) =
            compile_write::<M>(self.db, kind, expected_version, self.conditional.with(first), None, Vec::new())?;
        Ok((CompiledPut { table, item, expressions, failure }, stored))
    }

    async fn send(self) -> Result<M> {
        let (compiled, stored) = self.prepare()?;
        let (request, failure) = compiled.into_parts(self.db.client());
        self.db.send_write("PutItem", failure, request.set_return_consumed_capacity(self.db.capacity()).send()).await?;
        Ok(stored)
    }
}

super::awaitable!(Put => M);
