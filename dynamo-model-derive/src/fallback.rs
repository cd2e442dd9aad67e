//! The stand-in impl emitted next to the errors when the input is not a valid
//! model.
//!
//! Without it, every use of the type as a model elsewhere (`Order::get(...)`,
//! `table.put(&order)`) would add an error of its own, burying the real mistakes.
//! Its bodies never run: the crate does not compile while the errors stand.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;
use syn::{parse_quote, DeriveInput};

/// The errors, followed by an impl of `Model` whose bodies are unreachable.
pub fn expand(input: &DeriveInput, errors: syn::Error) -> TokenStream {
    let ident = &input.ident;
    let name = ident.unraw().to_string();
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let mut where_clause = input.generics.where_clause.clone();
    if !input.generics.params.is_empty() {
        // `Model: Send + Sync`; a generic struct only meets that for some of its
        // parameters, and the generics error already says what to do about them.
        where_clause
            .get_or_insert_with(|| parse_quote!(where))
            .predicates
            .push(parse_quote!(Self: ::core::marker::Send + ::core::marker::Sync));
    }
    let errors = errors.to_compile_error();
    quote! {
        #errors

        #[automatically_derived]
        impl #impl_generics ::dynamo_model::Document for #ident #ty_generics #where_clause {
            const NAME: &'static str = #name;
            const ATTRIBUTES: &'static [&'static str] = &[];

            fn to_item(&self) -> ::dynamo_model::Result<::dynamo_model::Item> {
                ::core::unreachable!()
            }

            fn from_item(_: ::dynamo_model::Item) -> ::dynamo_model::Result<Self> {
                ::core::unreachable!()
            }
        }

        #[automatically_derived]
        impl #impl_generics ::dynamo_model::Model for #ident #ty_generics #where_clause {
            type Key = ::dynamo_model::__private::FallbackKey<Self>;
            const TABLE: &'static str = "";
            const KEY_SCHEMA: ::dynamo_model::__private::KeySchema = ::dynamo_model::__private::FALLBACK_KEY_SCHEMA;

            fn key(&self) -> Self::Key {
                ::core::unreachable!()
            }
        }
    }
}
