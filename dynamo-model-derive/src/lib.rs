//! The `#[derive(Model)]` and `#[derive(Document)]` macros of `dynamo-model`.
//!
//! Use them through the `dynamo-model` crate (`use dynamo_model::{Document, Model};`):
//! the code they generate refers to `::dynamo_model::__private`, which only that
//! crate provides.
//!
//! The crate is a pipeline, one module per stage, in the style of `serde_derive`:
//!
//! - `attr/` parses `#[dynamo(...)]`: `mod.rs` holds what every place shares
//!   (the derive, a key given once, the readers of plain values, the report of
//!   unknown keys), `container.rs` the struct's keys, `field.rs` a field's,
//!   `index.rs` `gsi(...)` and `lsi(...)`, and `rules.rs` `validate(...)`;
//! - `ast.rs` builds a typed view of the struct;
//! - `check.rs` applies the modelling rules;
//! - `expand/` writes the impls: `mod.rs` holds the `derive` entry point, which
//!   runs the pipeline, and the helpers the others share; `model.rs` writes
//!   `impl Model`, the key struct and the key spaces, `document.rs`
//!   `impl Document` and the conversion of each field, `rules.rs`
//!   `Document::validate`, and `paths.rs` the path constants;
//! - `fallback.rs` stands in for the impls when the input had mistakes.
//!
//! Beside them, leaf modules that every stage may use: `symbol.rs` (the keys of
//! `#[dynamo(...)]`), `suggest.rs` (the word the user most likely meant),
//! `case.rs` (`rename_all`), `ctxt.rs` (the error collector) and `ty.rs` (what
//! the syntax of a type tells). A stage imports only from the leaves and from
//! the stages before it; `expand::derive`, the entry point, alone calls
//! `fallback`. Every mistake is collected in a `ctxt::Ctxt` so that they are
//! all reported in one compile.

mod ast;
mod attr;
mod case;
mod check;
mod collection;
mod ctxt;
mod entity;
mod expand;
mod fallback;
mod suggest;
mod symbol;
mod table;
mod ty;

use attr::Derive;
use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `dynamo_model::Model` for a struct with named fields: a table's item.
///
/// It generates the `Model` and `Document` impls (conversion to and from items, the
/// rules' checks), a key struct (`OrderKey` for `Order`) with a constructor
/// `Order::key(hash, range)`, a typed path per stored field named after it in
/// `SCREAMING_SNAKE_CASE` (`Order::TOTAL_CENTS`), and a constant per secondary index
/// named after it (`Order::BY_STATUS`). The `dynamo-model` crate documentation has a
/// compiled example of each attribute below (its "Attributes" section, and its
/// `single_table` module for models of a shared table).
///
/// On the struct, `#[dynamo(...)]` takes:
///
/// | attribute | meaning |
/// |---|---|
/// | `table = "orders"` | the table (required; 3–255 characters of `A-Z a-z 0-9 _ . -`) |
/// | `table = AppTable` | a table several models share, declared with `#[derive(Table)]`; the keys are then built from fields by `hash = "USER#{user_id}"` and `range = "ORDER#{order_id}"` templates, and `entity = "ORDER"` names the model's marker (the struct's name by default) |
/// | `rename_all = "camelCase"` | attribute names from field names: `lowercase`, `UPPERCASE`, `PascalCase`, `camelCase`, `snake_case`, `SCREAMING_SNAKE_CASE`, `kebab-case`, `SCREAMING-KEBAB-CASE` |
/// | `gsi(name = "by_status", hash = status, range = created_at, projection = all)` | a global secondary index on fields; `range` is optional; `projection` is `all` (the default), `keys_only` or `include(field, ...)` |
/// | `lsi(name = "by_total", range = total_cents, projection = keys_only)` | a local secondary index: the table's partition key, another sort key |
/// | `validate = f` | `fn(&Self) -> Result<(), String>`, a rule on the whole item, checked on every put |
///
/// On a field:
///
/// | attribute | meaning |
/// |---|---|
/// | `hash_key`, `range_key` | the partition key (exactly one) and the sort key (at most one): a string, number or binary type |
/// | `rename = "type"` | the stored attribute name |
/// | `skip` | never stored; read back as `Default::default()` |
/// | `default`, `default = "expr"`, `default_fn = f` | a missing attribute reads as `Default::default()`, as the expression, or as `f()` |
/// | `with = module` | stored through `module::to_attribute(&T) -> Result<AttributeValue, EncodeError>` and `module::from_attribute(AttributeValue) -> Result<T, DecodeError>` |
/// | `serde` | stored through `serde_dynamo` (any serde type) |
/// | `validate(min = 0, max = 10, len(min = 1, max = 20), non_empty, regex = "^[A-Z]+$", one_of = ["a", "b"], email, with = f)` | rules checked on every write before sending; `with = f` is `fn(&T) -> Result<(), String>`; a bad regex is a compile error |
/// | `required` | an `Option` that must be `Some` when written |
/// | `set = f`, `get = f` | `fn(&T) -> T` on the way to DynamoDB (values compared with the field too), `fn(T) -> T` on the way back |
/// | `version` | a `u64` for optimistic locking: every write adds 1; a put holds only if the stored version is still the one read, and `expect_version(n)` makes an update or delete conditional the same way |
/// | `created_at`, `updated_at` (`= "millis"` for milliseconds) | epoch times the library sets: on creation, on every write |
/// | `ttl` | the item's expiry time, enabled as the table's time to live by `create_table` |
/// | `counter` | a number updates change only by atomic `add` |
/// | `extra` | a `HashMap<String, AttributeValue>` that keeps the attributes no field declares |
///
/// Time fields (`created_at`, `updated_at`, `ttl`) hold `i64`, `u64`,
/// `std::time::SystemTime`, `chrono::DateTime<Utc>` (feature `chrono`) or
/// `time::OffsetDateTime` (feature `time`), or an `Option` of one.
///
/// Mistakes are compile errors at the token, all reported at once, with a "did you
/// mean" for a misspelled attribute.
#[proc_macro_derive(Model, attributes(dynamo))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input, Derive::Model).into()
}

/// Derives `dynamo_model::Document` for a struct with named fields stored as a
/// map (`M`) inside an item, or read as a lighter view of one.
///
/// It takes the field attributes of `Model` except the keys (`hash_key`,
/// `range_key`) and the lifecycle attributes of a table's items (`version`,
/// `created_at`, `updated_at`, `ttl`, `counter`), and `rename_all` and
/// `validate = path` on the struct.
///
/// Its fields get typed paths too, which a model's path leads into with `then`
/// (`Order::SHIPPING.then(Address::CITY)` is `shipping.city`), and its rules are
/// checked with those of the item holding it. A `Document` with some of a model's fields
/// is also a lighter result type for projections (`project_into::<OrderSummary>()`).
#[proc_macro_derive(Document, attributes(dynamo))]
pub fn derive_document(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input, Derive::Document).into()
}

/// Derives `dynamo_model::Table` for a unit struct: a physical table several models
/// share (`#[dynamo(name = "app", gsi(name = "gsi1", hash = "gsi1pk", range = "gsi1sk"))]`).
///
/// | attribute | meaning |
/// |---|---|
/// | `name = "app"` | the table (required) |
/// | `hash = "PK"`, `range = "SK"` | the key attribute names, strings (`pk` and `sk` unless named); `range = none` for no sort key |
/// | `gsi(name = "gsi1", hash = "gsi1pk", range = "gsi1sk", projection = keys_only)`, `lsi(name = "lsi1", range = "lsi1sk")` | secondary indexes, by attribute name; `projection` is `all` (the default), `keys_only` or `include("a", "b")` |
/// | `ttl = "expires"` | the attribute DynamoDB's time to live reads |
/// | `entity_attribute = "kind"` | the attribute of each item's entity marker (`_type` by default) |
/// | `stream = new_and_old_images` | a DynamoDB stream (`new_image`, `old_image`, `keys_only`) |
///
/// Models map onto it with `#[dynamo(table = AppTable, hash = "...", range = "...")]`.
/// See the `dynamo-model` documentation of `single_table`.
#[proc_macro_derive(Table, attributes(dynamo))]
pub fn derive_table(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    table::derive(&input).into()
}

/// Derives `dynamo_model::Collection` for an enum with one variant per model of a
/// shared table (`enum UserData { User(User), Order(Order) }`), read together by one
/// query and decoded by entity marker.
#[proc_macro_derive(Collection)]
pub fn derive_collection(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    collection::derive(&input).into()
}
