//! The stand-in impls emitted next to the errors when the input is not a valid
//! model or document.
//!
//! Without them, every use of the type elsewhere (`Order::get(...)`,
//! `table.put(&order)`, `Order::TOTAL_CENTS`, `Order::BY_STATUS.query(...)`, a
//! document as a model's field) would add an error of its own, burying the real
//! mistakes. Their bodies never run: the crate does not compile while the errors
//! stand, so nothing here needs the field types to be storable.

use crate::ast::{field_marker, field_named, Container, Field};
use crate::attr::{Derive, IndexKind};
use crate::case::screaming_snake;
use crate::ty::{is_scalar, option_inner};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use std::collections::HashSet;
use syn::ext::IdentExt;
use syn::{parse_quote, DeriveInput};

/// The errors, followed by impls of the derive's traits whose bodies are
/// unreachable, and the constants a valid input would have had, as far as the
/// input tells them.
pub fn expand(input: &DeriveInput, derive: Derive, cont: Option<&Container>, errors: syn::Error) -> TokenStream {
    let ident = &input.ident;
    let name = ident.unraw().to_string();
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let mut where_clause = input.generics.where_clause.clone();
    let generic = !input.generics.params.is_empty();
    if generic {
        // `Document: Send + Sync`; a generic struct only meets that for some of
        // its parameters, and the generics error already says what to do about them.
        where_clause
            .get_or_insert_with(|| parse_quote!(where))
            .predicates
            .push(parse_quote!(Self: ::core::marker::Send + ::core::marker::Sync));
    }
    let errors = errors.to_compile_error();

    let specific = match derive {
        Derive::Model => quote! {
            #[automatically_derived]
            impl #impl_generics ::dynamo_model::Model for #ident #ty_generics #where_clause {
                type Key = ::dynamo_model::__private::FallbackKey<Self>;
                const TABLE: &'static str = "";
                const KEY_SCHEMA: ::dynamo_model::__private::KeySchema = ::dynamo_model::__private::FALLBACK_KEY_SCHEMA;
                const INDEXES: &'static [::dynamo_model::IndexDef] = &[];

                fn key(&self) -> Self::Key {
                    ::core::unreachable!()
                }
            }

            // Batch writes of the model report the derive's errors, not a missing bound.
            #[automatically_derived]
            impl #impl_generics ::dynamo_model::batch::Unversioned for #ident #ty_generics #where_clause {}
        },
        Derive::Document => quote! {
            #[automatically_derived]
            impl #impl_generics ::dynamo_model::ToAttribute for #ident #ty_generics #where_clause {
                fn to_attribute(
                    &self,
                ) -> ::dynamo_model::__private::Encoded {
                    ::core::unreachable!()
                }
            }

            #[automatically_derived]
            impl #impl_generics ::dynamo_model::FromAttribute for #ident #ty_generics #where_clause {
                const EXPECTED: &'static str = "map (M)";

                fn from_attribute(
                    _: ::dynamo_model::AttributeValue,
                ) -> ::core::result::Result<Self, ::dynamo_model::DecodeError> {
                    ::core::unreachable!()
                }
            }
        },
    };

    // A generic struct has its own error, and `KeySpace: 'static` or a path's
    // field type could add more about its parameters: it gets the traits only.
    let constants = if generic { None } else { Some(constants(input, derive, cont)) };

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

        #specific

        #constants
    }
}

/// The path constants, and for a model its key spaces and index constants.
fn constants(input: &DeriveInput, derive: Derive, cont: Option<&Container>) -> TokenStream {
    let ident = &input.ident;
    let vis = &input.vis;
    // Names already taken: a collision was reported, and defining the name twice
    // would add an error of its own.
    let mut taken = HashSet::new();
    let mut consts = Vec::new();
    let mut key_spaces = Vec::new();

    let fields = cont.map(|cont| cont.fields.as_slice()).unwrap_or_default();
    for field in fields {
        // As in a valid expansion: no constant for a field that is not stored as
        // an attribute of its own.
        if field.attrs.skip.is_some() || field.attrs.extra.is_some() {
            continue;
        }
        let const_name = screaming_snake(&field.member.unraw().to_string());
        if !taken.insert(const_name.clone()) {
            continue;
        }
        let const_name = format_ident!("{}", const_name);
        let attribute = &field.attrs.name;
        let value_ty = match option_inner(field.ty) {
            Some(inner) if field.attrs.with_module.is_none() => inner,
            _ => field.ty,
        };
        let marker = field_marker(fields, field);
        let doc = format!("Path to the `{attribute}` attribute.");
        consts.push(quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            #vis const #const_name: ::dynamo_model::expr::Path<#ident, #value_ty, #marker> =
                ::dynamo_model::expr::Path::new(#attribute, ::dynamo_model::expr::Codec::new(|_| ::core::unreachable!()));
        });
    }

    if derive == Derive::Model {
        let hash = cont.and_then(Container::hash_key);
        let range = cont.and_then(Container::range_key);
        key_spaces.push(key_space(ident, &quote!(#ident), hash, range, false));
        let indexes = cont.map(|cont| cont.attrs.indexes.as_slice()).unwrap_or_default();
        for index in indexes {
            let Some(name) = &index.name else { continue };
            let name = name.value();
            let const_name = screaming_snake(&name);
            if !taken.insert(const_name.clone()) {
                continue;
            }
            let const_name = format_ident!("{}", const_name);
            let marker = format_ident!("__{}_{}", ident.unraw(), name.replace(['-', '.'], "_"));
            let hash = match index.kind {
                IndexKind::Global => index.hash.as_ref().and_then(|hash| field_named(fields, hash)),
                IndexKind::Local => hash,
            };
            let range = index.range.as_ref().and_then(|range| field_named(fields, range));
            let doc = format!("The {} `{name}`.", index.kind.noun());
            let marker_doc = format!("The key space of the index `{name}` of [`{ident}`].");
            key_spaces.push(quote! {
                #[doc = #marker_doc]
                #[doc(hidden)]
                #[allow(non_camel_case_types)]
                #vis enum #marker {}
            });
            key_spaces.push(key_space(ident, &quote!(#marker), hash, range, true));
            consts.push(quote! {
                #[doc = #doc]
                #[allow(dead_code)]
                #vis const #const_name: ::dynamo_model::Index<#ident, #marker> = ::dynamo_model::Index::new();
            });
        }
    }

    quote! {
        impl #ident {
            #(#consts)*
        }

        #(#key_spaces)*
    }
}

/// A key space whose keys are the fields given where they could be keys at all,
/// so that queries written against them type-check; `String` and no range key
/// otherwise. `sparse` for an index, whose keys may be an `Option` of a key type.
fn key_space(
    ident: &syn::Ident,
    space: &TokenStream,
    hash: Option<&Field>,
    range: Option<&Field>,
    sparse: bool,
) -> TokenStream {
    // An index key may be an `Option` of a key type (a sparse index); a table
    // key may not, and falls back to `String`.
    let key_ty = |field: &Field| -> syn::Type {
        match option_inner(field.ty) {
            Some(inner) if sparse => inner.clone(),
            _ => field.ty.clone(),
        }
    };
    let usable = |field: &&Field| {
        let attrs = &field.attrs;
        attrs.skip.is_none() && attrs.serde.is_none() && attrs.with.is_none() && is_scalar(&key_ty(field))
    };
    let hash_ty = match hash.filter(usable) {
        Some(field) => key_ty(field).to_token_stream(),
        None => quote!(::std::string::String),
    };
    let range_ty = match range.filter(usable) {
        Some(field) => key_ty(field).to_token_stream(),
        None => quote!(::dynamo_model::NoRange),
    };
    quote! {
        #[automatically_derived]
        impl ::dynamo_model::KeySpace for #space
        where
            // A user type that is no key attribute was reported on its field (or
            // will be, once the other errors are fixed); assumed here, it is not
            // reported again.
            for<'__dynamo> #hash_ty: ::dynamo_model::KeyAttribute,
        {
            type Model = #ident;
            type Hash = #hash_ty;
            type Range = #range_ty;
            const INDEX: ::core::option::Option<&'static str> = ::core::option::Option::None;
            const HASH: ::dynamo_model::__private::KeyDef = ::dynamo_model::__private::FALLBACK_KEY_SCHEMA.hash;
            const RANGE: ::core::option::Option<::dynamo_model::__private::KeyDef> = ::core::option::Option::None;
            const CURSOR_KEYS: &'static [&'static str] = &[];
            const PROJECTED: ::core::option::Option<&'static [&'static str]> = ::core::option::Option::None;

            fn encode_hash(
                _: &Self::Hash,
            ) -> ::dynamo_model::__private::Encoded {
                ::core::unreachable!()
            }
        }

        #[automatically_derived]
        impl ::dynamo_model::ConsistentRead for #space {}

        // Every condition passes as a sort-key condition: the real one is judged once
        // the model compiles.
        #[automatically_derived]
        impl<__F> ::dynamo_model::ops::SortKeyCondition<#space> for ::dynamo_model::expr::KeyComparison<#ident, __F> {
            fn __into_condition(self) -> ::dynamo_model::expr::Condition<#ident> {
                ::core::convert::From::from(self)
            }
        }
    }
}
