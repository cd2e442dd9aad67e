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
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure, Select};
use aws_sdk_dynamodb::Client;

pub(crate) use expressions::Compiler;
pub use failure::WriteFailure;
pub(crate) use failure::{elements, Guard, WriteKind};
pub use values::{KeyRole, MAX_NAME_LEN};

use crate::Item;

/// The expression strings of one request and their placeholder maps, as it sends them.
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
