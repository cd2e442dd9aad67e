//! `#[derive(Table)]`: a physical table several models share, declared on a unit
//! struct. Parse and check the `#[dynamo(...)]` attribute, then expand to an
//! `impl Table`; the keys and indexes are plain data the models' glue refers to.

use crate::ctxt::Ctxt;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{DeriveInput, LitStr};

/// The default names of a shared table's key attributes and entity marker.
const DEFAULT_HASH: &str = "pk";
const DEFAULT_RANGE: &str = "sk";
const DEFAULT_ENTITY_ATTRIBUTE: &str = "_type";

/// One `gsi(...)` or `lsi(...)`.
struct Index {
    global: bool,
    span: Span,
    name: Option<LitStr>,
    hash: Option<LitStr>,
    range: Option<LitStr>,
    projection: Projection,
}

enum Projection {
    All,
    KeysOnly,
    Include(Vec<LitStr>),
}

/// What `#[dynamo(...)]` on the table says.
struct TableAttrs {
    name: Option<LitStr>,
    hash: Option<LitStr>,
    /// `None`: `sk`; `Some(None)`: `range = none`.
    range: Option<Option<LitStr>>,
    ttl: Option<LitStr>,
    entity_attribute: Option<LitStr>,
    indexes: Vec<Index>,
    /// `stream = new_and_old_images`: the variant of `StreamView`.
    stream: Option<syn::Ident>,
}

/// Expands `#[derive(Table)]`.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let attrs = parse(&cx, input);
    check(&cx, input, &attrs);
    match cx.check() {
        Ok(()) => expand(input, &attrs),
        // The impl still stands (with what could be read), so code using the table
        // reports nothing more than the mistakes in its declaration.
        Err(errors) => {
            let mut out = errors.to_compile_error();
            out.extend(expand(input, &attrs));
            out
        }
    }
}

fn parse(cx: &Ctxt, input: &DeriveInput) -> TableAttrs {
    let mut attrs = TableAttrs {
        name: None,
        hash: None,
        range: None,
        ttl: None,
        entity_attribute: None,
        indexes: Vec::new(),
        stream: None,
    };
    for attr in input.attrs.iter().filter(|attr| attr.path().is_ident("dynamo")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                attrs.name = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("hash") {
                attrs.hash = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("range") {
                let value = meta.value()?;
                if value.peek(syn::Ident) {
                    let ident: syn::Ident = value.parse()?;
                    if ident != "none" {
                        return Err(syn::Error::new(ident.span(), "expected `range = \"sk\"` or `range = none`"));
                    }
                    attrs.range = Some(None);
                } else {
                    attrs.range = Some(Some(value.parse()?));
                }
            } else if meta.path.is_ident("ttl") {
                attrs.ttl = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("entity_attribute") {
                attrs.entity_attribute = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("stream") {
                let ident: syn::Ident = meta.value()?.parse()?;
                let variant = match ident.to_string().as_str() {
                    "keys_only" => "KeysOnly",
                    "new_image" => "NewImage",
                    "old_image" => "OldImage",
                    "new_and_old_images" => "NewAndOldImages",
                    _ => {
                        return Err(syn::Error::new(
                            ident.span(),
                            "expected `stream = new_and_old_images`, `new_image`, `old_image` or `keys_only`",
                        ))
                    }
                };
                attrs.stream = Some(syn::Ident::new(variant, ident.span()));
            } else if meta.path.is_ident("gsi") || meta.path.is_ident("lsi") {
                attrs.indexes.push(parse_index(&meta)?);
            } else {
                return Err(meta.error(
                    "unknown key of `#[derive(Table)]`: expected `name`, `hash`, `range`, `ttl`, `entity_attribute`, `stream`, `gsi(...)` or `lsi(...)`",
                ));
            }
            Ok(())
        });
        if let Err(error) = result {
            cx.syn_error(error);
        }
    }
    attrs
}

fn parse_index(meta: &ParseNestedMeta) -> syn::Result<Index> {
    let global = meta.path.is_ident("gsi");
    let mut index =
        Index { global, span: meta.path.span(), name: None, hash: None, range: None, projection: Projection::All };
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("name") {
            index.name = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident("hash") && global {
            index.hash = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident("range") {
            index.range = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident("projection") {
            let value = inner.value()?;
            let ident: syn::Ident = value.parse()?;
            index.projection = match ident.to_string().as_str() {
                "all" => Projection::All,
                "keys_only" => Projection::KeysOnly,
                "include" => {
                    let content;
                    syn::parenthesized!(content in value);
                    let names = content.parse_terminated(|input| input.parse::<LitStr>(), syn::Token![,])?;
                    Projection::Include(names.into_iter().collect())
                }
                _ => {
                    return Err(syn::Error::new(
                        ident.span(),
                        "expected `projection = all`, `keys_only` or `include(\"a\", \"b\")`",
                    ))
                }
            };
        } else {
            let expected =
                if global { "`name`, `hash`, `range` or `projection`" } else { "`name`, `range` or `projection`" };
            return Err(inner.error(format!("unknown key of this index: expected {expected}")));
        }
        Ok(())
    })?;
    Ok(index)
}

fn check(cx: &Ctxt, input: &DeriveInput, attrs: &TableAttrs) {
    if !matches!(&input.data, syn::Data::Struct(data) if matches!(data.fields, syn::Fields::Unit)) {
        cx.error_spanned_by(&input.ident, "`#[derive(Table)]` goes on a unit struct (`struct AppTable;`): the table holds no fields of its own, its models do");
    }
    match &attrs.name {
        None => {
            cx.error_spanned_by(&input.ident, "`#[derive(Table)]` needs `#[dynamo(name = \"...\")]`: the table's name")
        }
        Some(name) => check_table_name(cx, name),
    }
    let names = [
        attrs.hash.as_ref(),
        attrs.range.as_ref().and_then(Option::as_ref),
        attrs.ttl.as_ref(),
        attrs.entity_attribute.as_ref(),
    ];
    for name in names.into_iter().flatten() {
        check_attribute(cx, name);
    }
    // The marker and the TTL are attributes of their own: one named like a key would
    // overwrite it on every item.
    let mut keys: Vec<String> = vec![attrs.hash.as_ref().map_or_else(|| DEFAULT_HASH.to_owned(), LitStr::value)];
    match &attrs.range {
        None => keys.push(DEFAULT_RANGE.to_owned()),
        Some(Some(range)) => keys.push(range.value()),
        Some(None) => {}
    }
    for index in &attrs.indexes {
        keys.extend([index.hash.as_ref(), index.range.as_ref()].into_iter().flatten().map(LitStr::value));
    }
    let marker = attrs.entity_attribute.as_ref().map_or_else(|| DEFAULT_ENTITY_ATTRIBUTE.to_owned(), LitStr::value);
    if keys.contains(&marker) {
        let span = attrs.entity_attribute.as_ref().map_or_else(|| input.ident.span(), LitStr::span);
        cx.error(span, format!("the entity marker `{marker}` is also a key attribute of the table: name it apart with `entity_attribute = \"...\"`"));
    }
    if let Some(ttl) = attrs.ttl.as_ref().filter(|ttl| keys.contains(&ttl.value())) {
        cx.error_spanned_by(ttl, "the TTL attribute holds a time, not a key: name it apart from the key attributes");
    }
    let mut seen: Vec<String> = Vec::new();
    for index in &attrs.indexes {
        match &index.name {
            None => cx.error(index.span, "an index needs `name = \"...\"`"),
            Some(name) => {
                check_table_name(cx, name);
                if seen.contains(&name.value()) {
                    cx.error_spanned_by(
                        name,
                        format!("a second index named `{}`: index names are unique in a table", name.value()),
                    );
                }
                seen.push(name.value());
            }
        }
        if index.global && index.hash.is_none() {
            cx.error(index.span, "a global secondary index needs `hash = \"...\"`: its partition key attribute");
        }
        if !index.global && index.range.is_none() {
            cx.error(index.span, "a local secondary index needs `range = \"...\"`: its sort key attribute");
        }
        if !index.global && matches!(attrs.range, Some(None)) {
            cx.error(index.span, "a local secondary index needs a table with a sort key");
        }
        for name in [index.hash.as_ref(), index.range.as_ref()].into_iter().flatten() {
            check_attribute(cx, name);
        }
        if let Projection::Include(names) = &index.projection {
            for name in names {
                check_attribute(cx, name);
            }
        }
    }
}

/// Table and index names: 3 to 255 of `a-z A-Z 0-9 _ - .`.
fn check_table_name(cx: &Ctxt, name: &LitStr) {
    let value = name.value();
    let valid = (3..=255).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !valid {
        cx.error_spanned_by(
            name,
            format!("`{value}` is not a DynamoDB table or index name: 3 to 255 of `a-z A-Z 0-9 _ - .`"),
        );
    }
}

/// Attribute names: 1 to 255 bytes.
fn check_attribute(cx: &Ctxt, name: &LitStr) {
    let value = name.value();
    if value.is_empty() || value.len() > 255 {
        cx.error_spanned_by(name, "an attribute name is 1 to 255 bytes long");
    }
}

fn key_def(name: &str) -> TokenStream {
    quote!(::dynamo_model::__private::KeyDef { name: #name, scalar: ::dynamo_model::__private::ScalarType::S })
}

fn expand(input: &DeriveInput, attrs: &TableAttrs) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let name = attrs.name.as_ref().map(LitStr::value).unwrap_or_default();
    let hash_name = attrs.hash.as_ref().map_or_else(|| DEFAULT_HASH.to_owned(), LitStr::value);
    let range_name = match &attrs.range {
        None => Some(DEFAULT_RANGE.to_owned()),
        Some(range) => range.as_ref().map(LitStr::value),
    };
    let marker = attrs.entity_attribute.as_ref().map_or_else(|| DEFAULT_ENTITY_ATTRIBUTE.to_owned(), LitStr::value);
    let hash = key_def(&hash_name);
    let range = match &range_name {
        Some(range) => {
            let def = key_def(range);
            quote!(::core::option::Option::Some(#def))
        }
        None => quote!(::core::option::Option::None),
    };
    let ttl = match &attrs.ttl {
        Some(ttl) => quote!(::core::option::Option::Some(#ttl)),
        None => quote!(::core::option::Option::None),
    };
    let stream = match &attrs.stream {
        Some(view) => quote!(::core::option::Option::Some(::dynamo_model::single_table::StreamView::#view)),
        None => quote!(::core::option::Option::None),
    };
    let indexes = attrs.indexes.iter().map(|index| {
        let index_name = index.name.as_ref().map(LitStr::value).unwrap_or_default();
        let (kind, hash) = if index.global {
            let hash = key_def(&index.hash.as_ref().map(LitStr::value).unwrap_or_default());
            (quote!(Global), hash)
        } else {
            (quote!(Local), key_def(&hash_name))
        };
        let range = match &index.range {
            Some(range) => {
                let def = key_def(&range.value());
                quote!(::core::option::Option::Some(#def))
            }
            None => quote!(::core::option::Option::None),
        };
        // Every index holds the entity marker, so reads of it can check it.
        let projection = match &index.projection {
            Projection::All => quote!(::dynamo_model::IndexProjection::All),
            Projection::KeysOnly => quote!(::dynamo_model::IndexProjection::Include(&[#marker])),
            Projection::Include(names) => {
                let names = names.iter().map(LitStr::value).filter(|name| *name != marker);
                quote!(::dynamo_model::IndexProjection::Include(&[#(#names,)* #marker]))
            }
        };
        quote! {
            ::dynamo_model::IndexDef {
                name: #index_name,
                kind: ::dynamo_model::IndexKind::#kind,
                hash: #hash,
                range: #range,
                projection: #projection,
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl #impl_generics ::dynamo_model::Table for #ident #ty_generics #where_clause {
            const DEF: ::dynamo_model::__private::single_table::TableDef = ::dynamo_model::__private::single_table::TableDef {
                name: #name,
                key: ::dynamo_model::__private::KeySchema { hash: #hash, range: #range },
                indexes: &[#(#indexes),*],
                ttl: #ttl,
                stream: #stream,
            };
            const ENTITY_ATTRIBUTE: &'static str = #marker;
        }
    }
}
