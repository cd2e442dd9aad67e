//! Typed DynamoDB models for Rust.
//!
//! `#[derive(Model)]` turns a struct into a model with a typed key, straight conversion
//! to and from `aws-sdk-dynamodb` items, and operations that are plain values: await them
//! to send, or ask for the SDK request they would send.
//!
//! ```no_run
//! use dynamo_model::{Db, Model};
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! #[dynamo(table = "orders", rename_all = "camelCase")]
//! struct Order {
//!     #[dynamo(hash_key)]
//!     customer_id: String,
//!     #[dynamo(range_key)]
//!     order_id: String,
//!     total_cents: i64,
//!     tags: std::collections::BTreeSet<String>,
//! }
//!
//! # async fn run() -> dynamo_model::Result<()> {
//! let db = Db::from_env().await;
//! Order::create_table(&db).await?;
//! let order = Order { customer_id: "c1".into(), order_id: "o1".into(), total_cents: 1250, tags: Default::default() };
//! Order::put(&db, &order).if_not_exists().await?;
//! let read: Option<Order> = Order::get(&db, Order::key("c1", "o1")).consistent().await?;
//! assert_eq!(read.as_ref(), Some(&order));
//! let deleted = Order::delete(&db, order.key()).await?;
//! # Ok(()) }
//! ```
//!
//! Container attributes: `table = "..."` (required for `Model`), `rename_all = "camelCase"`
//! (serde's conventions), `gsi(name, hash, range, projection)`, `lsi(name, range,
//! projection)`, `validate = f`. Field attributes: `hash_key`, `range_key`, `rename`,
//! `skip`, `default` / `default = "expr"` / `default_fn = f`, `with = module`, `serde`,
//! `validate(min, max, len(..), regex, one_of, email, non_empty, with)`, `required`,
//! `set = f`, `get = f`, `version`, `created_at`, `updated_at`, `ttl`, `counter`,
//! `extra`. The README has an example of each.
//!
//! Every stored field also gets a typed path, an associated constant in
//! `SCREAMING_SNAKE_CASE` (`Order::TOTAL_CENTS`), and every index a constant of its own
//! (`Order::BY_STATUS`). Such a constant shadows an associated constant of the
//! [`Model`] trait with the same name: a field `created_at` makes `Order::CREATED_AT` its
//! path, and the trait's timestamp definition is then `<Order as Model>::CREATED_AT`.
//!
//! Several models can share one table ([`single_table`]): `#[derive(Table)]` declares it,
//! `#[dynamo(table = AppTable, hash = "USER#{user_id}", range = "ORDER#{order_id}")]`
//! maps a model onto it with keys built from its fields, an entity marker keeps the
//! models apart on every read and write, and `#[derive(Collection)]` reads several of them
//! in one query.
//!
//! The same operations travel together: [`Db::transaction`] and [`Db::transaction_get`]
//! (see [`tx`]) carry any mix of models all or nothing, and [`Model::batch_get`],
//! [`Model::batch_put`] and [`Db::batch_write`] (see [`batch`]) split any number of
//! items into DynamoDB's batch requests, retrying what DynamoDB leaves unprocessed with
//! the [`Db`]'s [`retry`] policy, and never report success with data missing.

pub mod batch;
pub mod compile;
pub mod cursor;
pub mod db;
pub mod error;
pub mod expr;
pub mod limits;
#[cfg(feature = "local")]
pub mod local;
pub mod model;
pub mod ops;
mod redact;
pub mod retry;
pub mod schema;
pub(crate) mod send;
pub mod single_table;
#[cfg(feature = "streams")]
pub mod stream;
pub mod table;
pub mod time;
pub mod tx;
#[doc(hidden)]
pub mod validate;
pub mod value;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use aws_sdk_dynamodb::types::AttributeValue;
pub use cursor::{Cursor, Page};
pub use db::Db;
pub use dynamo_model_derive::{Collection, Document, Model, Table};
pub use error::{DecodeError, EncodeError, Error, FieldError, InvalidReason, PathSegment, RequestReason, Result, Rule};
pub use model::{Document, Item, Model, ModelKey};
pub use ops::Returned;
pub use schema::{
    ConsistentRead, Index, IndexDef, IndexKind, IndexProjection, KeyDef, KeySchema, KeySpace, NoRange, TimeUnit,
    Timestamp,
};
pub use single_table::{Collection, Entity, InTable, Partition, Table};
pub use value::{FromAttribute, IntoValue, KeyAttribute, ScalarType, SetMember, ToAttribute};

/// The traits and types most code needs: `use dynamo_model::prelude::*;`.
pub mod prelude {
    pub use crate::{Collection, Db, Document, Error, Model, ModelKey, Result, Table};
}
