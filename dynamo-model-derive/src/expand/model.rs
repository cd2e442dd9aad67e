//! What only a model has: `impl Model` with its lifecycle items, the key
//! struct and `Model::key`, the `KeySpace` of the table and of each secondary
//! index, and the index constants.

use super::document::document_impl;
use super::paths::path_consts;
use super::{internal_error, key_guard, put_key, respan, spanned_on_type, Role};
use crate::ast::{field_marker, Container, Field};
use crate::attr::{Index, IndexKind, Projection, TimeUnit};
use crate::case::screaming_snake;
use crate::ty::option_inner;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

pub(super) fn expand_model(cont: &Container) -> syn::Result<TokenStream> {
    let ident = cont.ident;
    let vis = &cont.original.vis;
    let name = ident.unraw().to_string();
    let key_ident = format_ident!("{}Key", ident);
    let Some(table) = cont.attrs.table.as_deref() else {
        return Err(internal_error(cont.original));
    };
    let Some(hash) = cont.hash_key() else {
        return Err(internal_error(cont.original));
    };
    let mut keys = vec![(hash, Role::Hash)];
    if let Some(range) = cont.range_key() {
        keys.push((range, Role::Range));
    }

    let hash_def = key_def(hash);
    let range_def = option_key_def(cont.range_key());

    let put_keys: Vec<TokenStream> = keys.iter().map(|(field, role)| put_key(field, *role, &name)).collect();
    let key_count = keys.len();
    let key_guards: Vec<TokenStream> = keys.iter().map(|(field, _)| key_guard(field)).collect();

    let key_struct = key_struct(cont, &keys, &key_ident, &name);
    let key_members: Vec<&syn::Ident> = keys.iter().map(|(field, _)| field.member).collect();
    let key_types = keys.iter().map(|(field, _)| field.ty);
    let key_fn_doc = match keys.as_slice() {
        [(hash, _), (range, _)] => format!(
            "Builds the primary key of the [`{name}`] item with hash key `{}` and range key `{}`.",
            hash.member.unraw(),
            range.member.unraw()
        ),
        _ => format!("Builds the primary key of the [`{name}`] item with hash key `{}`.", hash.member.unraw()),
    };

    let document = document_impl(cont, &keys, false);
    let lifecycle = lifecycle(cont);
    // A batch cannot check a version, so only unversioned models may be batch-put.
    let unversioned = (!cont.fields.iter().any(|field| field.attrs.version.is_some())).then(|| {
        quote! {
            #[automatically_derived]
            impl ::dynamo_model::batch::Unversioned for #ident {}
        }
    });
    let indexes: Vec<IndexParts> = cont
        .attrs
        .indexes
        .iter()
        .map(|index| index_parts(cont, index))
        .collect::<Option<_>>()
        .ok_or_else(|| internal_error(cont.original))?;
    let index_consts = indexes.iter().map(|index| &index.constant);
    let paths = path_consts(cont, index_consts);
    let index_defs = indexes.iter().map(|index| &index.def);
    let key_spaces = indexes.iter().map(|index| &index.key_space);
    let table_key_space = key_space(
        cont,
        &quote!(#ident),
        hash,
        cont.range_key().map(|range| (range, range.member.span())),
        &table_keys(cont),
        &quote!(::core::option::Option::None),
        None,
    );

    Ok(quote! {
        #key_struct

        impl #ident {
            #[doc = #key_fn_doc]
            // A model may never be looked up by key in the code that declares it.
            #[allow(dead_code)]
            #vis fn key(#(#key_members: impl ::dynamo_model::IntoValue<#key_types>),*) -> #key_ident {
                #key_ident { #(#key_members: ::dynamo_model::IntoValue::into_value(#key_members)),* }
            }
        }

        #paths

        #document

        #[automatically_derived]
        impl ::dynamo_model::Model for #ident {
            type Key = #key_ident;
            const TABLE: &'static str = #table;
            const KEY_SCHEMA: ::dynamo_model::__private::KeySchema = ::dynamo_model::__private::KeySchema {
                hash: #hash_def,
                range: #range_def,
            };
            const INDEXES: &'static [::dynamo_model::IndexDef] = &[#(#index_defs),*];
            #lifecycle

            fn key(&self) -> #key_ident {
                #key_ident {
                    #(#key_members: ::core::clone::Clone::clone(&self.#key_members)),*
                }
            }
        }

        #table_key_space

        #unversioned

        #(#key_spaces)*

        #[automatically_derived]
        impl ::dynamo_model::ModelKey for #key_ident {
            type Model = #ident;

            fn to_key_item(&self) -> ::dynamo_model::Result<::dynamo_model::Item> {
                #(#key_guards)*
                let mut item = ::dynamo_model::__private::item_with_capacity(#key_count);
                #(#put_keys)*
                ::core::result::Result::Ok(item)
            }
        }
    })
}

/// The lifecycle items of `impl Model`: only those the model declares (`check`
/// allows one field each, any number of counters), the trait's defaults standing
/// for the rest.
pub(super) fn lifecycle(cont: &Container) -> TokenStream {
    let mut items = Vec::new();
    for field in &cont.fields {
        let attrs = &field.attrs;
        let attribute = &attrs.name;
        if attrs.version.is_some() {
            // On the field type: an unmet `Copy + TryInto<u64>` is reported there.
            let (span, member) = spanned_on_type(field);
            let version = quote_spanned!(span=> ::dynamo_model::__private::version_of(&self.#member));
            items.push(quote! {
                const VERSION: ::core::option::Option<&'static str> = ::core::option::Option::Some(#attribute);

                fn version(&self) -> u64 {
                    #version
                }
            });
        }
        let timestamps = [(quote!(CREATED_AT), attrs.created_at), (quote!(UPDATED_AT), attrs.updated_at)];
        for (constant, timestamp) in timestamps {
            let Some(unit) = timestamp else { continue };
            let unit = match unit {
                TimeUnit::Seconds => quote!(::dynamo_model::TimeUnit::Seconds),
                TimeUnit::Millis => quote!(::dynamo_model::TimeUnit::Millis),
            };
            items.push(quote! {
                const #constant: ::core::option::Option<::dynamo_model::Timestamp> =
                    ::core::option::Option::Some(::dynamo_model::Timestamp { name: #attribute, unit: #unit });
            });
        }
        if attrs.ttl.is_some() {
            items.push(quote! {
                const TTL: ::core::option::Option<&'static str> = ::core::option::Option::Some(#attribute);
            });
        }
    }
    let counters: Vec<&str> = cont
        .fields
        .iter()
        .filter(|field| field.attrs.counter.is_some())
        .map(|field| field.attrs.name.as_str())
        .collect();
    if !counters.is_empty() {
        items.push(quote! {
            const COUNTERS: &'static [&'static str] = &[#(#counters),*];
        });
    }
    quote!(#(#items)*)
}

/// The attribute names of the table's keys: hash, then range if any.
fn table_keys<'c>(cont: &'c Container) -> Vec<&'c str> {
    cont.hash_key().into_iter().chain(cont.range_key()).map(|field| field.attrs.name.as_str()).collect()
}

/// `impl KeySpace for #space`, for the table (`space` is the model) or an index
/// (`space` is its marker type).
///
/// `range` comes with the span where the range key is declared, where the
/// key space's sort-key trait is implemented for it.
fn key_space(
    cont: &Container,
    space: &TokenStream,
    hash: &Field,
    range: Option<(&Field, Span)>,
    cursor_keys: &[&str],
    projected: &TokenStream,
    index: Option<(&str, IndexKind)>,
) -> TokenStream {
    let index_name = index.map(|(name, _)| name);
    // The table and its local indexes can be read with strong consistency.
    let consistent = index.is_none_or(|(_, kind)| kind == IndexKind::Local);
    let index = match index_name {
        Some(name) => quote!(::core::option::Option::Some(#name)),
        None => quote!(::core::option::Option::None),
    };
    let ident = cont.ident;
    let hash_path = format_ident!("{}", screaming_snake(&hash.member.unraw().to_string()));
    let hash_ty_for_bounds = key_ty(hash);
    let consistent = consistent.then(|| {
        quote! {
            #[automatically_derived]
            impl ::dynamo_model::schema::ConsistentRead for #space
            where
                for<'__dynamo> #hash_ty_for_bounds: ::dynamo_model::KeyAttribute,
            {}
        }
    });
    let hash_ty = key_ty(hash);
    let hash_def = key_def(hash);
    let range_def = option_key_def(range.map(|(field, _)| field));
    let (range_ty, range_marker, range_bound) = match range {
        Some((range, span)) => {
            let ty = key_ty(range);
            (
                quote!(#ty),
                Some(respan(field_marker(&cont.fields, range), span)),
                Some(quote!(for<'__dynamo> #ty: ::dynamo_model::KeyAttribute,)),
            )
        }
        None => (quote!(::dynamo_model::NoRange), None, None),
    };
    let assumed = quote! {
        for<'__dynamo> #hash_ty_for_bounds: ::dynamo_model::KeyAttribute,
        #range_bound
    };
    let sort_key = sort_key_condition(cont, space, index_name, range.map(|(field, _)| field), range_marker, &assumed);
    quote! {
        #[automatically_derived]
        impl ::dynamo_model::KeySpace for #space
        where
            // Always true once the model compiles. When a key's type is no key
            // attribute, the bound of `KeySpace::Hash` and the `SCALAR`s below would
            // repeat the error already reported on the field; assumed here, they
            // stay quiet. (The unused lifetime makes the bound non-trivial, which
            // stable requires.)
            for<'__dynamo> #hash_ty: ::dynamo_model::KeyAttribute,
            #range_bound
        {
            type Model = #ident;
            type Hash = #hash_ty;
            type Range = #range_ty;
            const INDEX: ::core::option::Option<&'static str> = #index;
            const HASH: ::dynamo_model::__private::KeyDef = #hash_def;
            const RANGE: ::core::option::Option<::dynamo_model::__private::KeyDef> = #range_def;
            const CURSOR_KEYS: &'static [&'static str] = &[#(#cursor_keys),*];
            const PROJECTED: ::core::option::Option<&'static [&'static str]> = #projected;

            fn encode_hash(
                value: &Self::Hash,
            ) -> ::dynamo_model::__private::Encoded {
                ::dynamo_model::__private::path_encode(&#ident::#hash_path, value)
            }
        }

        #consistent

        #sort_key
    }
}

/// What `range` accepts on key space `space`: conditions on its sort key only, through a
/// trait of its own, so that a condition on another attribute is reported in words
/// naming the key space and its sort key.
fn sort_key_condition(
    cont: &Container,
    space: &TokenStream,
    index_name: Option<&str>,
    range: Option<&Field>,
    range_marker: Option<TokenStream>,
    assumed: &TokenStream,
) -> TokenStream {
    let ident = cont.ident;
    let vis = &cont.original.vis;
    let model = ident.unraw().to_string();
    let trait_ident = match index_name {
        Some(index) => format_ident!("__{}_{}_SortKey", ident.unraw(), index.replace(['-', '.'], "_")),
        None => format_ident!("__{}_SortKey", ident.unraw()),
    };
    let place = match index_name {
        Some(index) => format!("the index `{index}` of `{model}`"),
        None => format!("the table of `{model}`"),
    };
    let (message, label) = match range {
        Some(range) => (
            format!("this is not a condition on `{}`, the sort key of {place}", range.attrs.name),
            format!("`range` takes `eq`, `lt`, `le`, `gt`, `ge`, `between` or `begins_with` on `{}`", range.attrs.name),
        ),
        None => (
            format!("{place} has no sort key, so a query of it takes no `range`"),
            "a query of a key space without a sort key reads the whole partition".to_owned(),
        ),
    };
    let note = "conditions on other attributes go in `filter`";
    let marker_impl = range_marker.map(|marker| quote!(impl #trait_ident for #marker {}));
    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
        #vis trait #trait_ident {}

        #marker_impl

        #[automatically_derived]
        impl<__F: #trait_ident> ::dynamo_model::ops::SortKeyCondition<#space> for ::dynamo_model::expr::KeyComparison<#ident, __F>
        where
            #assumed
        {
            fn __into_condition(self) -> ::dynamo_model::expr::Condition<#ident> {
                ::core::convert::From::from(self)
            }
        }
    }
}

/// What one secondary index adds to the expansion.
struct IndexParts {
    /// Its `IndexDef` in `Model::INDEXES`.
    def: TokenStream,
    /// Its marker type and the marker's `KeySpace` impl.
    key_space: TokenStream,
    /// `Order::BY_STATUS`, in the model's inherent impl.
    constant: TokenStream,
}

/// The expansion of one index; `None` if it does not resolve, which `check` has
/// ruled out.
fn index_parts(cont: &Container, index: &Index) -> Option<IndexParts> {
    let ident = cont.ident;
    let vis = &cont.original.vis;
    let name = index.name.as_ref()?.value();
    let hash = match index.kind {
        IndexKind::Global => cont.field_named(index.hash.as_ref()?)?,
        IndexKind::Local => cont.hash_key()?,
    };
    let range = match &index.range {
        Some(range) => Some(cont.field_named(range)?),
        None => None,
    };

    let hash_def = key_def(hash);
    let range_def = option_key_def(range);
    let (kind, kind_noun) = match index.kind {
        IndexKind::Global => (quote!(::dynamo_model::IndexKind::Global), index.kind.noun()),
        IndexKind::Local => (quote!(::dynamo_model::IndexKind::Local), index.kind.noun()),
    };

    // Keys first, each attribute once: a key of both the table and the index is
    // one attribute of the item.
    let mut keys: Vec<&str> = table_keys(cont);
    for field in std::iter::once(hash).chain(range) {
        if !keys.contains(&field.attrs.name.as_str()) {
            keys.push(&field.attrs.name);
        }
    }
    let (projection, projected, holds) = match &index.projection {
        Projection::All => (
            quote!(::dynamo_model::IndexProjection::All),
            quote!(::core::option::Option::None),
            "every attribute".to_owned(),
        ),
        Projection::KeysOnly => (
            quote!(::dynamo_model::IndexProjection::KeysOnly),
            quote!(::core::option::Option::Some(&[#(#keys),*])),
            "the keys only".to_owned(),
        ),
        Projection::Include(fields, _) => {
            let included: Vec<&str> = fields
                .iter()
                .map(|field| cont.field_named(field).map(|field| field.attrs.name.as_str()))
                .collect::<Option<_>>()?;
            let mut projected = keys.clone();
            projected.extend(included.iter().filter(|name| !keys.contains(name)));
            let listed: Vec<String> = included.iter().map(|name| format!("`{name}`")).collect();
            (
                quote!(::dynamo_model::IndexProjection::Include(&[#(#included),*])),
                quote!(::core::option::Option::Some(&[#(#projected),*])),
                format!("the keys and {}", listed.join(", ")),
            )
        }
    };

    let def = quote! {
        ::dynamo_model::IndexDef {
            name: #name,
            kind: #kind,
            hash: #hash_def,
            range: #range_def,
            projection: #projection,
        }
    };

    // Index names hold only `[A-Za-z0-9_.-]` (checked), so with a prefix they make
    // an identifier once `-` and `.` are replaced.
    let marker = format_ident!("__{}_{}", ident.unraw(), name.replace(['-', '.'], "_"));
    let marker_doc = format!(
        "The key space of the index `{name}` of [`{ident}`]: the type behind `{ident}::{}`.",
        screaming_snake(&name)
    );
    // Where the index declares its range key (an `lsi` has one, a `gsi` may).
    let range_declared = range.zip(index.range.as_ref().map(Ident::span));
    let key_space =
        key_space(cont, &quote!(#marker), hash, range_declared, &keys, &projected, Some((&name, index.kind)));
    let key_space = quote! {
        #[doc = #marker_doc]
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis enum #marker {}

        #key_space
    };

    let constant_ident = format_ident!("{}", screaming_snake(&name));
    let keys_doc = match range {
        Some(range) => format!("hash `{}`, range `{}`", hash.attrs.name, range.attrs.name),
        None => format!("hash `{}`", hash.attrs.name),
    };
    let doc = format!("The {kind_noun} `{name}` ({keys_doc}), holding {holds}.");
    let constant = quote! {
        #[doc = #doc]
        #[allow(dead_code)]
        #vis const #constant_ident: ::dynamo_model::Index<#ident, #marker> = ::dynamo_model::Index::new();
    };
    Some(IndexParts { def, key_space, constant })
}

/// `OrderKey`: the primary key as its own type, with the model's visibility.
fn key_struct(cont: &Container, keys: &[(&Field, Role)], key_ident: &syn::Ident, name: &str) -> TokenStream {
    let vis = &cont.original.vis;
    let described: Vec<String> =
        keys.iter().map(|(field, role)| format!("the {} `{}`", role.noun(), field.member.unraw())).collect();
    let doc = format!("Primary key of [`{name}`]: {}.\n\nBuild one with `{name}::key(...)`.", described.join(" and "));
    let fields = keys.iter().map(|(field, role)| {
        let member = field.member;
        let ty = field.ty;
        // The model field's own documentation says what the value is; ours adds
        // how it is stored.
        let user_docs: Vec<&syn::Attribute> =
            field.original.attrs.iter().filter(|attr| attr.path().is_ident("doc")).collect();
        let separator = if user_docs.is_empty() { None } else { Some(quote!(#[doc = ""])) };
        let doc = format!("The {}, stored as the attribute `{}`.", role.noun(), field.attrs.name);
        quote! {
            #(#user_docs)*
            #separator
            #[doc = #doc]
            #vis #member: #ty
        }
    });
    quote! {
        #[derive(Clone, Debug, PartialEq)]
        #[doc = #doc]
        #vis struct #key_ident {
            #(#fields),*
        }
    }
}

/// `Some(KeyDef)` of a range key field, or `None`.
fn option_key_def(field: Option<&Field>) -> TokenStream {
    match field {
        Some(field) => {
            let def = key_def(field);
            quote!(::core::option::Option::Some(#def))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// The type of a key field's values: `X` for an index key of type `Option<X>`,
/// which makes the index sparse (a table key is never an `Option`, checked).
fn key_ty<'a>(field: &Field<'a>) -> &'a syn::Type {
    option_inner(field.ty).unwrap_or(field.ty)
}

/// The `KeyDef` of one key field in `KEY_SCHEMA`.
fn key_def(field: &Field) -> TokenStream {
    let attribute = &field.attrs.name;
    let ty = key_ty(field);
    // Spanned on the field type: a type that is no key attribute (a user struct,
    // say) gets its trait error there.
    let scalar = quote_spanned!(ty.span()=>
        <#ty as ::dynamo_model::__private::KeyAttribute>::SCALAR
    );
    quote! {
        ::dynamo_model::__private::KeyDef { name: #attribute, scalar: #scalar }
    }
}
