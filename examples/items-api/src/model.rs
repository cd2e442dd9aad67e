//! The table and its models: items, per-category counts, and the stream handler's
//! record of what it has applied.

use dynamo_model::{Model, Table};
use serde::{Deserialize, Serialize};

/// The one table: items (`ITEM#{id}` / `ITEM`), category counts (`CATEGORY#{category}` /
/// `COUNT`) and applied-change markers (`ITEM#{id}` / `APPLIED`), with the index
/// `by_category` over items and a stream of new and old images for the stream handler.
#[derive(Table)]
#[dynamo(
    name = "items",
    ttl = "expires_at",
    stream = new_and_old_images,
    gsi(name = "by_category", hash = "gsi1pk", range = "gsi1sk")
)]
pub struct ItemsTable;

/// An item for sale, as the API reads and writes it.
#[derive(Model, Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[dynamo(
    table = ItemsTable,
    entity = "ITEM",
    hash = "ITEM#{id}",
    range = "ITEM",
    gsi(name = "by_category", hash = "CATEGORY#{category}", range = "{id}")
)]
pub struct Item {
    /// Letters, digits, `-`, `_` and `.`, not starting with `.` (so `.` and `..` are
    /// never ids: URL clients resolve them as path segments); generated (a UUID) when a
    /// POST gives none.
    #[dynamo(validate(len(min = 1, max = 64), regex = "^[A-Za-z0-9_-][A-Za-z0-9._-]*$"))]
    pub id: String,
    /// What the item is called.
    #[dynamo(validate(len(min = 1, max = 200)))]
    pub name: String,
    /// Lowercase letters, digits and `-`: the partition of the `by_category` index.
    #[dynamo(validate(len(min = 1, max = 64), regex = "^[a-z0-9-]+$"))]
    pub category: String,
    /// The price in cents, at most 100,000,000 (a million in the currency).
    #[dynamo(validate(max = 100_000_000))]
    pub price_cents: u64,
    /// Up to 20 tags of 1 to 32 characters.
    #[dynamo(validate(len(max = 20), with = tags_are_short))]
    #[serde(default)]
    pub tags: Vec<String>,
    /// Optimistic locking: the version clients send back in `If-Match`.
    #[dynamo(version)]
    #[serde(default)]
    pub version: u64,
    /// When the item was created, in epoch seconds.
    #[dynamo(created_at)]
    #[serde(default)]
    pub created_at: i64,
    /// When the item was last written, in epoch seconds.
    #[dynamo(updated_at)]
    #[serde(default)]
    pub updated_at: i64,
}

// `validate(with = f)` hands the field as it is: `&Vec<String>`.
#[allow(clippy::ptr_arg)]
fn tags_are_short(tags: &Vec<String>) -> Result<(), String> {
    match tags.iter().find(|tag| tag.is_empty() || tag.chars().count() > 32) {
        Some(tag) => Err(format!("each tag has 1 to 32 characters (got {} characters)", tag.chars().count())),
        None => Ok(()),
    }
}

/// How many items a category has, kept by the stream handler.
#[derive(Model, Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[dynamo(table = ItemsTable, entity = "CATEGORY_COUNT", hash = "CATEGORY#{category}", range = "COUNT")]
pub struct CategoryCount {
    /// The category.
    pub category: String,
    /// Its number of items; changed only by atomic `ADD`.
    #[dynamo(counter)]
    pub count: i64,
}

/// The last stream record the handler applied to the counts for one item key: a record
/// redelivered by Lambda (a retried batch) is not counted twice.
#[derive(Model, Debug, Clone, PartialEq, Eq)]
#[dynamo(table = ItemsTable, entity = "APPLIED", hash = "ITEM#{id}", range = "APPLIED")]
pub struct Applied {
    /// The item's id.
    pub id: String,
    /// The record's sequence number, zero-padded to 40 digits so text order is number order.
    pub sequence: String,
    /// Expiry (epoch seconds): a stream keeps records for 24 hours, so after that the
    /// marker has nothing left to guard against.
    #[dynamo(ttl)]
    pub expires_at: i64,
}
