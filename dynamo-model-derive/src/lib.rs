//! The `#[derive(Model)]` macro of `dynamo-model`.
//!
//! Use it through the `dynamo-model` crate (`use dynamo_model::Model;`): the code it
//! generates refers to `::dynamo_model::__private`, which only that crate provides.
//!
//! The crate is a pipeline, one file per stage, in the style of `serde_derive`:
//! [`attr`] parses `#[dynamo(...)]`, [`ast`] builds a typed view of the struct,
//! [`check`] applies the modelling rules, [`expand`] writes the impls and
//! [`fallback`] stands in for them when the input had mistakes. Every mistake is
//! collected in a [`ctxt::Ctxt`] so that they are all reported in one compile.

mod ast;
mod attr;
mod case;
mod check;
mod ctxt;
mod expand;
mod fallback;
mod symbol;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `dynamo_model::Model` for a struct with named fields.
///
/// See the `dynamo-model` documentation for the `#[dynamo(...)]` attributes.
#[proc_macro_derive(Model, attributes(dynamo))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
