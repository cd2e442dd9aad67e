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
/// See the `dynamo-model` documentation for the `#[dynamo(...)]` attributes.
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
#[proc_macro_derive(Document, attributes(dynamo))]
pub fn derive_document(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input, Derive::Document).into()
}

/// Derives `dynamo_model::Table` for a unit struct: a physical table several models
/// share (`#[dynamo(name = "app", gsi(name = "gsi1", hash = "gsi1pk", range = "gsi1sk"))]`).
///
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
