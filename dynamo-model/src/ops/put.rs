use std::collections::HashMap;

use aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder;
use aws_sdk_dynamodb::operation::put_item::PutItemError;

use crate::error::{service_error, Error};
use crate::{Db, Model, Result};

/// Writes one item, replacing any item with the same key; awaits to `()`. Made by
/// [`Model::put`].
///
/// The item is encoded before anything is sent: a value DynamoDB cannot store is an
/// [`Error::InvalidValue`] and no request goes out.
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
#[derive(Debug, Clone)]
pub struct Put<'a, M: Model> {
    db: &'a Db,
    item: &'a M,
    if_not_exists: bool,
}

impl<'a, M: Model> Put<'a, M> {
    pub(crate) fn new(db: &'a Db, item: &'a M) -> Self {
        Self { db, item, if_not_exists: false }
    }

    /// Creates only: fails with [`Error::AlreadyExists`] when an item with the same key
    /// exists, leaving it untouched.
    pub fn if_not_exists(mut self) -> Self {
        self.if_not_exists = true;
        self
    }

    /// The `PutItem` request this operation sends, unsent.
    pub fn request(&self) -> Result<PutItemFluentBuilder> {
        let mut request = self
            .db
            .client()
            .put_item()
            .table_name(self.db.table_name::<M>())
            .set_item(Some(self.item.to_item()?));
        if self.if_not_exists {
            request = request
                .condition_expression("attribute_not_exists(#pk)")
                .set_expression_attribute_names(Some(HashMap::from([(
                    "#pk".to_owned(),
                    M::KEY_SCHEMA.hash.name.to_owned(),
                )])));
        }
        Ok(request)
    }

    async fn send(self) -> Result<()> {
        let request = self.request()?;
        match request.send().await {
            Ok(_) => Ok(()),
            Err(err) => {
                let table = self.db.table_name::<M>();
                if matches!(err.as_service_error(), Some(PutItemError::ConditionalCheckFailedException(_))) {
                    return Err(Error::AlreadyExists { model: M::NAME, table });
                }
                Err(service_error("PutItem", &table, err))
            }
        }
    }
}

super::awaitable!(Put => ());
