//! The compile step: an operation becomes a plain description of its request, with no
//! client involved, and everything DynamoDB would reject is found here, once.
//!
//! ```text
//! builder (Put, Update, Query, …)
//!   │  compile: validate rules, set transforms, lifecycle stamps, version condition,
//!   │           to_item / key encoding, DynamoDB's request rules
//!   ▼
//! Compiled* (table, key or item, rendered expressions, how to read a failure)
//!   │  into_request: the SDK's fluent builder
//!   ▼
//! Db::send (the one send path) → response → from_item / typed error
//! ```
//!
//! Every builder has `compile()`, which returns one of the `Compiled*` values below, and
//! `request()`, which returns the SDK request it would send. The same compiled values are
//! what transactions and batches carry, so no way of sending skips a check.

mod expressions;
mod failure;
pub(crate) mod identity;
pub(crate) mod lifecycle;
pub(crate) mod values;

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::delete_item::builders::DeleteItemFluentBuilder;
use aws_sdk_dynamodb::operation::get_item::builders::GetItemFluentBuilder;
use aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::scan::builders::ScanFluentBuilder;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete as TransactDelete, Put as TransactPut, ReturnValue,
    ReturnValuesOnConditionCheckFailure, Select, TransactWriteItem, Update as TransactUpdate,
};
use aws_sdk_dynamodb::Client;

pub(crate) use expressions::Compiler;
// DynamoDB's limits on expressions, which every compiled request is checked against.
pub use expressions::{MAX_EXPRESSION_LEN, MAX_EXPRESSION_SIZE, MAX_OPERATORS, MAX_SUBSTITUTIONS};
pub use failure::WriteFailure;
pub(crate) use failure::{elements, Guard, WriteKind};
pub use values::{KeyRole, MAX_NAME_LEN};

use crate::limits::{attribute_size, item_size};
use crate::Item;

/// A compiled write as a transaction carries it: the action, and what the transaction
/// checks and reports of it.
#[derive(Debug, Clone)]
pub(crate) struct TransactWrite {
    pub(crate) table: String,
    /// The key attributes of its item.
    pub(crate) key: Item,
    /// What it adds to the transaction's size: the item written, or the key, and the
    /// values of its expressions.
    pub(crate) size: usize,
    pub(crate) item: TransactWriteItem,
    pub(crate) failure: WriteFailure,
}

/// What the expressions add to a transaction's size. DynamoDB counts them in its 4 MB
/// beside the items: the expressions' text, the attribute names they use and the sizes
/// of their values (placeholders not counted), measured against DynamoDB Local.
fn expressions_size(expressions: &Expressions) -> usize {
    let text: usize = [&expressions.condition, &expressions.update].into_iter().flatten().map(String::len).sum();
    let names: usize = expressions.names.iter().flatten().map(|(_, name)| name.len()).sum();
    let values: usize = expressions.values.iter().flatten().map(|(_, value)| attribute_size(value)).sum();
    text + names + values
}

/// Every action of a transaction asks for the item as stored when its condition fails.
fn on_failure(conditioned: bool) -> Option<ReturnValuesOnConditionCheckFailure> {
    conditioned.then_some(ReturnValuesOnConditionCheckFailure::AllOld)
}

/// The expression strings of one request and their placeholder maps, as it sends them.
///
/// Every operation's `compile()` has them in its `expressions`. They are rendered with
/// one placeholder allocator: names are `#n0`, `#n1`… and values `:v0`, `:v1`… in the
/// order they first appear across the update, the key condition, the filter, the
/// condition and the projection; an equal name or value gets one placeholder, and maps
/// hold only what the strings use (`None` when empty, as DynamoDB rejects empty maps).
/// A write's condition also holds what the library adds to keep its promises (the item
/// exists for an update, a version matches, a bound holds), before the caller's.
///
/// ```
/// use dynamo_model::{AttributeValue, Db, Model};
///
/// #[derive(Model, Debug, Clone)]
/// #[dynamo(table = "orders")]
/// struct Order { #[dynamo(hash_key)] id: String, status: String, note: Option<String> }
///
/// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
/// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
/// let delete = Order::delete(&db, Order::key("o1")).condition(Order::STATUS.eq("draft") & Order::NOTE.not_exists());
/// let expressions = delete.compile()?.expressions;
/// assert_eq!(expressions.condition.as_deref(), Some("#n0 = :v0 AND attribute_not_exists(#n1)"));
/// assert_eq!(expressions.update, None);
/// let names = expressions.names.unwrap();
/// assert_eq!((names["#n0"].as_str(), names["#n1"].as_str()), ("status", "note"));
/// assert_eq!(expressions.values.unwrap()[":v0"], AttributeValue::S("draft".into()));
///
/// // The SDK request `request()` gives carries exactly these.
/// let request = Order::delete(&db, Order::key("o1")).condition(Order::STATUS.eq("draft")).request()?;
/// assert_eq!(request.as_input().get_condition_expression().as_deref(), Some("#n0 = :v0"));
/// # Ok::<(), dynamo_model::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Expressions {
    /// `KeyConditionExpression` (queries).
    pub key_condition: Option<String>,
    /// `ConditionExpression` (writes and condition checks).
    pub condition: Option<String>,
    /// `FilterExpression` (queries and scans).
    pub filter: Option<String>,
    /// `UpdateExpression` (updates).
    pub update: Option<String>,
    /// `ProjectionExpression` (reads of chosen attributes).
    pub projection: Option<String>,
    /// `ExpressionAttributeNames`: `#nN` → attribute name.
    pub names: Option<HashMap<String, String>>,
    /// `ExpressionAttributeValues`: `:vN` → value.
    pub values: Option<HashMap<String, AttributeValue>>,
}

/// A compiled `GetItem`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CompiledGet {
    /// The full table name.
    pub table: String,
    /// The key.
    pub key: Item,
    /// Strongly consistent.
    pub consistent: bool,
    /// The projection, when only some attributes are read.
    pub expressions: Expressions,
}

impl CompiledGet {
    /// The SDK request.
    pub fn into_request(self, client: &Client) -> GetItemFluentBuilder {
        client
            .get_item()
            .table_name(self.table)
            .set_key(Some(self.key))
            .set_consistent_read(self.consistent.then_some(true))
            .set_projection_expression(self.expressions.projection)
            .set_expression_attribute_names(self.expressions.names)
    }
}

/// A compiled `PutItem`: the item exactly as it will be stored.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CompiledPut {
    /// The full table name.
    pub table: String,
    /// The item, validated, stamped and checked.
    pub item: Item,
    /// The condition, if any.
    pub expressions: Expressions,
    /// How to read a failed condition.
    pub failure: WriteFailure,
}

impl CompiledPut {
    /// The SDK request.
    pub fn into_request(self, client: &Client) -> PutItemFluentBuilder {
        self.into_parts(client).0
    }

    /// The SDK request, and how to read its failure.
    pub(crate) fn into_parts(self, client: &Client) -> (PutItemFluentBuilder, WriteFailure) {
        let conditioned = self.expressions.condition.is_some();
        let request = client
            .put_item()
            .table_name(self.table)
            .set_item(Some(self.item))
            .set_condition_expression(self.expressions.condition)
            .set_expression_attribute_names(self.expressions.names)
            .set_expression_attribute_values(self.expressions.values)
            .set_return_values_on_condition_check_failure(
                conditioned.then_some(ReturnValuesOnConditionCheckFailure::AllOld),
            );
        (request, self.failure)
    }
}

impl CompiledPut {
    /// The transaction's action; `key` names the key attributes of the item.
    pub(crate) fn into_transact(self, keys: identity::KeyNames) -> TransactWrite {
        let size = item_size(&self.item) + expressions_size(&self.expressions);
        let key = identity::key_of(keys, &self.item);
        let conditioned = self.expressions.condition.is_some();
        let put = TransactPut::builder()
            .table_name(&self.table)
            .set_item(Some(self.item))
            .set_condition_expression(self.expressions.condition)
            .set_expression_attribute_names(self.expressions.names)
            .set_expression_attribute_values(self.expressions.values)
            .set_return_values_on_condition_check_failure(on_failure(conditioned))
            .build()
            .expect("table and item are set");
        let item = TransactWriteItem::builder().put(put).build();
        TransactWrite { table: self.table, key, size, item, failure: self.failure }
    }
}

/// A compiled `UpdateItem`, returning the item as it is afterwards.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CompiledUpdate {
    /// The full table name.
    pub table: String,
    /// The key.
    pub key: Item,
    /// The update and its condition.
    pub expressions: Expressions,
    /// How to read a failed condition.
    pub failure: WriteFailure,
}

impl CompiledUpdate {
    /// The SDK request.
    pub fn into_request(self, client: &Client) -> UpdateItemFluentBuilder {
        self.into_parts(client).0
    }

    /// The SDK request, and how to read its failure.
    pub(crate) fn into_parts(self, client: &Client) -> (UpdateItemFluentBuilder, WriteFailure) {
        let request = client
            .update_item()
            .table_name(self.table)
            .set_key(Some(self.key))
            .set_update_expression(self.expressions.update)
            .set_condition_expression(self.expressions.condition)
            .set_expression_attribute_names(self.expressions.names)
            .set_expression_attribute_values(self.expressions.values)
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        (request, self.failure)
    }
}

impl CompiledUpdate {
    /// The transaction's action. An update with no action at all (which `UpdateItem`
    /// takes) is refused: a transaction's update needs one; a condition alone is a check.
    pub(crate) fn into_transact(self) -> crate::Result<TransactWrite> {
        if self.expressions.update.is_none() {
            return Err(crate::Error::InvalidRequest {
                model: self.failure.model,
                reason: crate::RequestReason::EmptyUpdate,
            });
        }
        let size = item_size(&self.key) + expressions_size(&self.expressions);
        let update = TransactUpdate::builder()
            .table_name(&self.table)
            .set_key(Some(self.key.clone()))
            .set_update_expression(self.expressions.update)
            .set_condition_expression(self.expressions.condition)
            .set_expression_attribute_names(self.expressions.names)
            .set_expression_attribute_values(self.expressions.values)
            .set_return_values_on_condition_check_failure(on_failure(true))
            .build()
            .expect("table, key and update are set");
        let item = TransactWriteItem::builder().update(update).build();
        Ok(TransactWrite { table: self.table, key: self.key, size, item, failure: self.failure })
    }
}

/// A compiled `DeleteItem`, returning the item as it was.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CompiledDelete {
    /// The full table name.
    pub table: String,
    /// The key.
    pub key: Item,
    /// The condition, if any.
    pub expressions: Expressions,
    /// How to read a failed condition.
    pub failure: WriteFailure,
}

impl CompiledDelete {
    /// The SDK request.
    pub fn into_request(self, client: &Client) -> DeleteItemFluentBuilder {
        self.into_parts(client).0
    }

    /// The SDK request, and how to read its failure.
    pub(crate) fn into_parts(self, client: &Client) -> (DeleteItemFluentBuilder, WriteFailure) {
        let conditioned = self.expressions.condition.is_some();
        let request = client
            .delete_item()
            .table_name(self.table)
            .set_key(Some(self.key))
            .set_condition_expression(self.expressions.condition)
            .set_expression_attribute_names(self.expressions.names)
            .set_expression_attribute_values(self.expressions.values)
            .return_values(ReturnValue::AllOld)
            .set_return_values_on_condition_check_failure(
                conditioned.then_some(ReturnValuesOnConditionCheckFailure::AllOld),
            );
        (request, self.failure)
    }
}

impl CompiledDelete {
    /// The transaction's action.
    pub(crate) fn into_transact(self) -> TransactWrite {
        let size = item_size(&self.key) + expressions_size(&self.expressions);
        let conditioned = self.expressions.condition.is_some();
        let delete = TransactDelete::builder()
            .table_name(&self.table)
            .set_key(Some(self.key.clone()))
            .set_condition_expression(self.expressions.condition)
            .set_expression_attribute_names(self.expressions.names)
            .set_expression_attribute_values(self.expressions.values)
            .set_return_values_on_condition_check_failure(on_failure(conditioned))
            .build()
            .expect("table and key are set");
        let item = TransactWriteItem::builder().delete(delete).build();
        TransactWrite { table: self.table, key: self.key, size, item, failure: self.failure }
    }
}

/// A compiled condition check: a condition on one item, which a transaction makes all
/// of its writes depend on.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CompiledCheck {
    /// The full table name.
    pub table: String,
    /// The key.
    pub key: Item,
    /// The condition.
    pub expressions: Expressions,
    /// How to read a failed condition.
    pub failure: WriteFailure,
}

impl CompiledCheck {
    /// The transaction's action.
    pub(crate) fn into_transact(self) -> TransactWrite {
        let size = item_size(&self.key) + expressions_size(&self.expressions);
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(self.key.clone()))
            // A check is made with a condition, so it always has one.
            .set_condition_expression(self.expressions.condition)
            .set_expression_attribute_names(self.expressions.names)
            .set_expression_attribute_values(self.expressions.values)
            .set_return_values_on_condition_check_failure(on_failure(true))
            .build()
            .expect("table, key and condition are set");
        let item = TransactWriteItem::builder().condition_check(check).build();
        TransactWrite { table: self.table, key: self.key, size, item, failure: self.failure }
    }
}

/// Query or scan, with what only one of them has.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ReadKind {
    /// A query of one partition, in sort-key order (`descending` reverses it).
    Query {
        /// Highest sort key first.
        descending: bool,
    },
    /// A scan, of one segment of `total` when parallel.
    Scan {
        /// `(segment, total)`.
        segment: Option<(i32, i32)>,
    },
}

/// A compiled query or scan: everything but where a page starts.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CompiledRead {
    /// The full table name.
    pub table: String,
    /// The index read, if not the table.
    pub index: Option<&'static str>,
    /// Query or scan.
    pub kind: ReadKind,
    /// Key condition, filter, projection.
    pub expressions: Expressions,
    /// Strongly consistent.
    pub consistent: bool,
    /// DynamoDB's per-request `Limit`.
    pub page_size: Option<i32>,
    /// Only the count of matching items.
    pub count_only: bool,
}

impl CompiledRead {
    /// The `Query` request of the page starting after `start`; `None` for a scan.
    pub fn query_request(&self, client: &Client, start: Option<Item>) -> Option<QueryFluentBuilder> {
        match self.kind {
            ReadKind::Query { descending } => Some(self.query(client, descending, start)),
            ReadKind::Scan { .. } => None,
        }
    }

    /// The `Scan` request of the page starting after `start`; `None` for a query.
    pub fn scan_request(&self, client: &Client, start: Option<Item>) -> Option<ScanFluentBuilder> {
        match self.kind {
            ReadKind::Scan { segment } => Some(self.scan(client, segment, start)),
            ReadKind::Query { .. } => None,
        }
    }

    pub(crate) fn query(&self, client: &Client, descending: bool, start: Option<Item>) -> QueryFluentBuilder {
        client
            .query()
            .table_name(&self.table)
            .set_index_name(self.index.map(str::to_owned))
            .set_key_condition_expression(self.expressions.key_condition.clone())
            .set_filter_expression(self.expressions.filter.clone())
            .set_projection_expression(self.expressions.projection.clone())
            .set_expression_attribute_names(self.expressions.names.clone())
            .set_expression_attribute_values(self.expressions.values.clone())
            .set_consistent_read(self.consistent.then_some(true))
            .set_scan_index_forward(descending.then_some(false))
            .set_limit(self.page_size)
            .set_select(self.count_only.then_some(Select::Count))
            .set_exclusive_start_key(start)
    }

    pub(crate) fn scan(&self, client: &Client, segment: Option<(i32, i32)>, start: Option<Item>) -> ScanFluentBuilder {
        client
            .scan()
            .table_name(&self.table)
            .set_index_name(self.index.map(str::to_owned))
            .set_filter_expression(self.expressions.filter.clone())
            .set_projection_expression(self.expressions.projection.clone())
            .set_expression_attribute_names(self.expressions.names.clone())
            .set_expression_attribute_values(self.expressions.values.clone())
            .set_consistent_read(self.consistent.then_some(true))
            .set_limit(self.page_size)
            .set_select(self.count_only.then_some(Select::Count))
            .set_segment(segment.map(|(segment, _)| segment))
            .set_total_segments(segment.map(|(_, total)| total))
            .set_exclusive_start_key(start)
    }
}
