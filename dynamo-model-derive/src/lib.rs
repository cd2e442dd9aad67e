//! The `#[derive(Model)]` and `#[derive(Document)]` macros of `dynamo-model`.
//!
//! Use them through the `dynamo-model` crate (`use dynamo_model::{Document, Model};`):
//! the code they generate refers to `::dynamo_model::__private`, which only that
//! crate provides.
//!
//! The crate is a pipeline, one file per stage, in the style of `serde_derive`:
//! `attr` parses `#[dynamo(...)]`, `ast` builds a typed view of the struct,
//! `check` applies the modelling rules, `expand` writes the impls and
//! `fallback` stands in for them when the input had mistakes. Every mistake is
//! collected in a `ctxt::Ctxt` so that they are all reported in one compile.

mod ast;
mod attr;
mod case;
mod check;
mod ctxt;
mod expand;
mod fallback;
mod symbol;

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
