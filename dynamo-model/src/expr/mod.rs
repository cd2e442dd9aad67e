//! Typed expressions: paths, conditions, key conditions, projections and updates,
//! rendered in one pass per request.
//!
//! The expression tree is plain data, built from the typed paths `#[derive(Model)]`
//! generates ([`Path`]); each operation renders all of its expressions with one
//! placeholder allocator (see [`Rendered`] for the shape), so every attribute name is a
//! `#nN` placeholder and every value a `:vN` placeholder.
//!
//! What each builder renders (`Order::STATUS` and the like are the path constants the
//! derive generates; each method's documentation has a checked example):
//!
//! | built with | DynamoDB expression |
//! |---|---|
//! | [`eq`](Path::eq), [`ne`](Path::ne), [`lt`](Path::lt), [`le`](Path::le), [`gt`](Path::gt), [`ge`](Path::ge) | `#n0 = :v0`, `#n0 <> :v0`, `#n0 < :v0`, … |
//! | [`between`](Path::between) | `#n0 BETWEEN :v0 AND :v1` |
//! | [`is_in`](Path::is_in) | `#n0 IN (:v0, :v1)` |
//! | [`begins_with`](Path::begins_with), [`contains`](Path::contains) | `begins_with(#n0, :v0)`, `contains(#n0, :v0)` |
//! | [`exists`](Path::exists), [`not_exists`](Path::not_exists) | `attribute_exists(#n0)`, `attribute_not_exists(#n0)` |
//! | [`attribute_type`](Path::attribute_type) | `attribute_type(#n0, :v0)` |
//! | [`size`](Path::size)`().gt(n)` | `size(#n0) > :v0` |
//! | [`eq_path`](Path::eq_path), [`lt_path`](Path::lt_path), [`gt_path`](Path::gt_path) | `#n0 = #n1`, … |
//! | `a & b`, `a \| b`, `!a` ([`Condition`]) | `… AND …`, `… OR …`, `NOT …` |
//! | [`then`](Path::then), [`index`](Path::index), [`key`](Path::key) | `#n0.#n1`, `#n0[2]`, `#n0.#n1` |
//! | [`Update::set`](crate::ops::Update::set) | `SET #n0 = :v0` |
//! | [`Update::set_if_not_exists`](crate::ops::Update::set_if_not_exists) | `SET #n0 = if_not_exists(#n0, :v0)` |
//! | [`Update::set_to`](crate::ops::Update::set_to) with [`plus`](Path::plus) / [`minus`](Path::minus) | `SET #n0 = #n0 + :v0` |
//! | [`Update::set_from`](crate::ops::Update::set_from) | `SET #n0 = #n1` |
//! | [`Update::append`](crate::ops::Update::append) / [`prepend`](crate::ops::Update::prepend) | `SET #n0 = list_append(if_not_exists(#n0, :v0), :v1)` |
//! | [`Update::add`](crate::ops::Update::add), [`add_to_set`](crate::ops::Update::add_to_set) | `ADD #n0 :v0` |
//! | [`Update::delete_from_set`](crate::ops::Update::delete_from_set) | `DELETE #n0 :v0` |
//! | [`Update::remove`](crate::ops::Update::remove) | `REMOVE #n0` |
//! | [`Query::range`](crate::ops::Query::range) | `#n0 = :v0 AND <comparison of the sort key>` |
//! | `select(&path)`, `project_into::<View>()` on a get, query or scan | `#n0, #n1` (a projection) |
//!
//! A condition renders on its own with [`Condition::render`]; an operation's `compile()`
//! gives every expression of its request and their placeholder maps
//! ([`Expressions`](crate::compile::Expressions)), and `request()` the SDK request that
//! carries them:
//!
//! ```
//! use dynamo_model::{AttributeValue, Model};
//!
//! #[derive(Model, Debug, Clone)]
//! #[dynamo(table = "orders")]
//! struct Order {
//!     #[dynamo(hash_key)] customer: String,
//!     #[dynamo(range_key)] id: String,
//!     status: String,
//!     total: i64,
//! }
//!
//! # let db = dynamo_model::Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
//! #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
//! let query = Order::query(&db, "c1").range(Order::ID.between("2026-01", "2026-06")).filter(Order::TOTAL.gt(100));
//! let expressions = query.compile()?.expressions;
//! assert_eq!(expressions.key_condition.as_deref(), Some("#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2"));
//! assert_eq!(expressions.filter.as_deref(), Some("#n2 > :v3"));
//! let names = expressions.names.unwrap();
//! assert_eq!((names["#n0"].as_str(), names["#n1"].as_str(), names["#n2"].as_str()), ("customer", "id", "total"));
//! let values = expressions.values.unwrap();
//! assert_eq!(values[":v0"], AttributeValue::S("c1".into()));
//! assert_eq!(values[":v3"], AttributeValue::N("100".into()));
//! # Ok::<(), dynamo_model::Error>(())
//! ```

mod condition;
mod path;
mod render;
mod update;

pub use condition::{AttributeType, Condition, Containable, HasSize, KeyComparison, Ordered, Size};
pub use path::{Bounds, Codec, Encoder, Field, Layout, Nested, Path};
pub use render::Rendered;
pub use update::{Arithmetic, Numeric, SetType};

pub use crate::schema::NoRange;

pub(crate) use condition::{Comparator, Node, Operand};
pub(crate) use path::PathExpr;
pub(crate) use render::{ordered, Renderer};
pub(crate) use update::{Actions, SetValue};
