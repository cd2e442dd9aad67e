//! What a model in a shared table (`table = AppTable`) expands to: its key templates
//! as data, `impl Model` and `impl Entity` onto the table's keys and indexes, the key
//! struct of the templates' fields, the key spaces of the table and of each index,
//! and the typed sort-key builders (`Order::sk()`). Rendering and parsing keys is the
//! runtime's (`single_table::template`); this is the glue.

use super::document::document_impl;
use super::internal_error;
use super::model::lifecycle;
use super::paths::path_consts;
use crate::ast::{Container, Field};
use crate::attr::IndexKind;
use crate::case::screaming_snake;
use crate::entity::{templates, Segment, Slot, Template};
use crate::ty::option_inner;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

const ST: &str = "::dynamo_model::__private::single_table";

fn st() -> TokenStream {
    ST.parse().expect("a path")
}

/// The type of a field's values in a key: `X` for an `Option<X>`.
fn value_ty<'a>(field: &Field<'a>) -> &'a syn::Type {
    option_inner(field.ty).unwrap_or(field.ty)
}

/// The field's path constant, `Order::USER_ID`.
fn path_of(cont: &Container, field: &Field) -> TokenStream {
    let ident = cont.ident;
    let constant = format_ident!("{}", screaming_snake(&field.member.unraw().to_string()));
    quote!(#ident::#constant)
}

/// The stored key attribute a template fills, as a constant expression.
fn attribute_of(table: &syn::Path, slot: &Slot) -> TokenStream {
    let st = st();
    match slot {
        Slot::Hash => quote!(<#table as ::dynamo_model::Table>::DEF.key.hash.name),
        Slot::Range => quote!(#st::range_name(<#table as ::dynamo_model::Table>::DEF.key.range)),
        Slot::IndexHash(name) => {
            quote!(#st::table_index(<#table as ::dynamo_model::Table>::DEF.indexes, #name).hash.name)
        }
        Slot::IndexRange(name) => quote!(#st::range_name(
            #st::table_index(<#table as ::dynamo_model::Table>::DEF.indexes, #name).range
        )),
    }
}

/// The `KeyTemplate` of one template.
fn template_def(table: &syn::Path, template: &Template) -> TokenStream {
    let st = st();
    let attribute = attribute_of(table, &template.slot);
    let index = match &template.slot {
        Slot::Hash | Slot::Range => quote!(::core::option::Option::None),
        Slot::IndexHash(name) | Slot::IndexRange(name) => quote!(::core::option::Option::Some(#name)),
    };
    let text = template.lit.value();
    let segments = template.segments.iter().map(|segment| match segment {
        Segment::Literal(text) => quote!(#st::Segment::Literal(#text)),
        Segment::Field(field) => {
            let name = &field.attrs.name;
            let ty = field.ty;
            // On the field type: a type that cannot go in a key is reported there.
            let format = quote_spanned!(ty.span()=> <#ty as #st::KeyPart>::FORMAT);
            quote!(#st::Segment::Field { attribute: #name, format: #format })
        }
    });
    quote! {
        #st::KeyTemplate {
            attribute: #attribute,
            index: #index,
            text: #text,
            segments: &[#(#segments),*],
        }
    }
}

/// The values of a template's fields from `source` (a key struct, `self`, or the
/// key-space value), as `(attribute, encoded)` pairs.
fn encoded_values(cont: &Container, fields: &[&Field], access: impl Fn(usize, &Field) -> TokenStream) -> TokenStream {
    let pairs = fields.iter().enumerate().map(|(i, field)| {
        let name = &field.attrs.name;
        let path = path_of(cont, field);
        let value = access(i, field);
        quote!((#name, ::dynamo_model::__private::path_encode(&#path, #value)))
    });
    quote!(&[#(#pairs),*])
}

/// The type of a key space's partition value: the field's, a tuple of them, or `()`.
fn hash_type(fields: &[&Field]) -> TokenStream {
    match fields {
        [one] => {
            let ty = value_ty(one);
            quote!(#ty)
        }
        many => {
            let types = many.iter().map(|field| value_ty(field));
            quote!((#(#types,)*))
        }
    }
}

/// How `encode_hash` reaches field `i` of its value.
fn hash_access(count: usize) -> impl Fn(usize, &Field) -> TokenStream {
    move |i, _| {
        if count == 1 {
            quote!(value)
        } else {
            let index = syn::Index::from(i);
            quote!(&value.#index)
        }
    }
}

/// Each field once, in order of first use.
fn unique<'c, 'a>(fields: impl Iterator<Item = &'c Field<'a>>) -> Vec<&'c Field<'a>> {
    let mut out: Vec<&Field> = Vec::new();
    for field in fields {
        if !out.iter().any(|seen| std::ptr::eq(seen.original, field.original)) {
            out.push(field);
        }
    }
    out
}

pub(super) fn expand_entity(cont: &Container) -> syn::Result<TokenStream> {
    let st = st();
    let ident = cont.ident;
    let vis = &cont.original.vis;
    let name = ident.unraw().to_string();
    let table = cont.attrs.shared.as_ref().ok_or_else(|| internal_error(cont.original))?;
    let entity = cont.attrs.entity.as_ref().map_or_else(|| name.clone(), syn::LitStr::value);
    let key_ident = format_ident!("{}Key", ident);

    let templates = templates(None, cont);
    let position = |slot: &Slot| templates.iter().position(|t| &t.slot == slot);
    let hash_at = position(&Slot::Hash).ok_or_else(|| internal_error(cont.original))?;
    let range_at = position(&Slot::Range);
    let defs = templates.iter().map(|template| template_def(table, template));

    // The key struct: the fields of the table's templates.
    let key_fields =
        unique(templates.iter().filter(|t| t.slot.is_table()).flat_map(|t| t.fields().collect::<Vec<_>>()));
    let key_members: Vec<&syn::Ident> = key_fields.iter().map(|field| field.member).collect();
    let key_types: Vec<&syn::Type> = key_fields.iter().map(|field| field.ty).collect();
    let key_docs = key_fields.iter().map(|field| format!("The field `{}` of the key.", field.member.unraw()));
    let key_puts = templates.iter().enumerate().filter(|(_, t)| t.slot.is_table()).map(|(i, template)| {
        let fields: Vec<&Field> = template.fields().collect();
        let values = encoded_values(cont, &fields, |_, field| {
            let member = field.member;
            quote!(&self.#member)
        });
        quote! {
            #st::put_key(&mut item, #name, &<#ident>::__TEMPLATES[#i], #values)?;
        }
    });
    let key_field_values = encoded_values(cont, &key_fields, |_, field| {
        let member = field.member;
        quote!(&self.#member)
    });
    let key_count = if range_at.is_some() { 2usize } else { 1 };

    // The table's key space.
    let hash_fields: Vec<&Field> = templates[hash_at].fields().collect();
    let hash_ty = hash_type(&hash_fields);
    let hash_values = encoded_values(cont, &hash_fields, hash_access(hash_fields.len()));
    let hash_params: Vec<syn::Ident> = hash_fields.iter().map(|field| field.member.clone()).collect();
    let hash_param_types: Vec<&syn::Type> = hash_fields.iter().map(|field| value_ty(field)).collect();
    let hash_value = if hash_params.len() == 1 {
        let only = &hash_params[0];
        quote!(::dynamo_model::IntoValue::into_value(#only))
    } else {
        quote!((#(::dynamo_model::IntoValue::into_value(#hash_params),)*))
    };
    let table_def = quote!(<#table as ::dynamo_model::Table>::DEF);
    let cursor_keys = match range_at {
        Some(_) => quote!(&[#table_def.key.hash.name, #st::range_name(#table_def.key.range)]),
        None => quote!(&[#table_def.key.hash.name]),
    };
    let default_range = range_at.map(|at| {
        quote! {
            fn default_range() -> ::core::option::Option<::dynamo_model::expr::Condition<#ident>> {
                #st::default_range::<Self>(&<#ident>::__TEMPLATES[#at])
            }
        }
    });
    let table_space = quote! {
        #[automatically_derived]
        impl ::dynamo_model::KeySpace for #ident {
            type Model = #ident;
            type Hash = #hash_ty;
            type Range = ::dynamo_model::NoRange;
            const INDEX: ::core::option::Option<&'static str> = ::core::option::Option::None;
            const HASH: ::dynamo_model::__private::KeyDef = #table_def.key.hash;
            const RANGE: ::core::option::Option<::dynamo_model::__private::KeyDef> = #table_def.key.range;
            const CURSOR_KEYS: &'static [&'static str] = #cursor_keys;
            const PROJECTED: ::core::option::Option<&'static [&'static str]> = ::core::option::Option::None;

            fn encode_hash(value: &Self::Hash) -> ::dynamo_model::__private::Encoded {
                #st::render(&<#ident>::__TEMPLATES[#hash_at], #hash_values)
            }

            #default_range
        }

        #[automatically_derived]
        impl ::dynamo_model::schema::ConsistentRead for #ident {}
    };
    let mut builders = Vec::new();
    if let Some(at) = range_at {
        builders.push(sort_key_builder(cont, &templates[at], at, &quote!(#ident), "sk", "the table's sort key"));
    }

    // Each index: its key space, constant and sort-key builder.
    let mut index_defs = Vec::new();
    let mut index_consts = Vec::new();
    let mut index_spaces = Vec::new();
    for index in &cont.attrs.indexes {
        let Some(index_name) = index.name.as_ref().map(syn::LitStr::value) else { continue };
        let index_def = quote!(#st::table_index(#table_def.indexes, #index_name));
        index_defs.push(index_def.clone());
        let marker = format_ident!("__{}_{}", ident.unraw(), index_name.replace(['-', '.'], "_"));
        let constant = format_ident!("{}", screaming_snake(&index_name));
        let doc = format!("The index `{index_name}` of the shared table, as [`{name}`] keys it.");
        index_consts.push(quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            #vis const #constant: ::dynamo_model::Index<#ident, #marker> = ::dynamo_model::Index::new();
        });
        let hash_slot = match index.kind {
            IndexKind::Global => Slot::IndexHash(index_name.clone()),
            IndexKind::Local => Slot::Hash,
        };
        let Some(index_hash_at) = position(&hash_slot) else { continue };
        let index_range_at = position(&Slot::IndexRange(index_name.clone()));
        let fields: Vec<&Field> = templates[index_hash_at].fields().collect();
        let index_hash_ty = hash_type(&fields);
        let values = encoded_values(cont, &fields, hash_access(fields.len()));
        let cursor_keys = match (range_at, index_range_at) {
            (Some(_), Some(_)) => quote!(&[
                #table_def.key.hash.name, #st::range_name(#table_def.key.range),
                #index_def.hash.name, #st::range_name(#index_def.range)
            ]),
            (Some(_), None) => {
                quote!(&[#table_def.key.hash.name, #st::range_name(#table_def.key.range), #index_def.hash.name])
            }
            (None, Some(_)) => {
                quote!(&[#table_def.key.hash.name, #index_def.hash.name, #st::range_name(#index_def.range)])
            }
            (None, None) => quote!(&[#table_def.key.hash.name, #index_def.hash.name]),
        };
        let default_range = index_range_at.map(|at| {
            quote! {
                fn default_range() -> ::core::option::Option<::dynamo_model::expr::Condition<#ident>> {
                    #st::default_range::<Self>(&<#ident>::__TEMPLATES[#at])
                }
            }
        });
        let consistent = (index.kind == IndexKind::Local).then(|| {
            quote! {
                #[automatically_derived]
                impl ::dynamo_model::schema::ConsistentRead for #marker {}
            }
        });
        index_spaces.push(quote! {
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            #vis enum #marker {}

            #[automatically_derived]
            impl ::dynamo_model::KeySpace for #marker {
                type Model = #ident;
                type Hash = #index_hash_ty;
                type Range = ::dynamo_model::NoRange;
                const INDEX: ::core::option::Option<&'static str> = ::core::option::Option::Some(#index_name);
                const HASH: ::dynamo_model::__private::KeyDef = #index_def.hash;
                const RANGE: ::core::option::Option<::dynamo_model::__private::KeyDef> = #index_def.range;
                const CURSOR_KEYS: &'static [&'static str] = #cursor_keys;
                const PROJECTED: ::core::option::Option<&'static [&'static str]> = #st::projected(#index_def);

                fn encode_hash(value: &Self::Hash) -> ::dynamo_model::__private::Encoded {
                    #st::render(&<#ident>::__TEMPLATES[#index_hash_at], #values)
                }

                #default_range
            }

            #consistent
        });
        if let Some(at) = index_range_at {
            let method = format!("{}_sk", index_name.replace(['-', '.'], "_").to_lowercase());
            let place = format!("the sort key of the index `{index_name}`");
            builders.push(sort_key_builder(cont, &templates[at], at, &quote!(#marker), &method, &place));
        }
    }

    let document = document_impl(cont, &[], true);
    let lifecycle = lifecycle(cont);
    let paths = path_consts(cont, index_consts.iter());
    let unversioned = (!cont.fields.iter().any(|field| field.attrs.version.is_some())).then(|| {
        quote! {
            #[automatically_derived]
            impl ::dynamo_model::batch::Unversioned for #ident {}
        }
    });
    let checks = mapping_checks(cont, table, &templates);
    let key_doc = format!("Primary key of [`{name}`]: the fields its key templates are built from.");
    let key_fn_doc = format!("Builds the primary key of the [`{name}`] item from the fields of its key templates.");
    let partition_doc = format!(
        "The partition of the shared table that [`{name}`] items with these fields are in, for a collection query."
    );

    Ok(quote! {
        #[derive(Clone, Debug, PartialEq)]
        #[doc = #key_doc]
        #vis struct #key_ident {
            #(#[doc = #key_docs] #vis #key_members: #key_types,)*
        }

        impl #ident {
            #[doc(hidden)]
            const __TEMPLATES: &'static [#st::KeyTemplate] = &[#(#defs),*];

            #[doc = #key_fn_doc]
            #[allow(dead_code)]
            #vis fn key(#(#key_members: impl ::dynamo_model::IntoValue<#key_types>),*) -> #key_ident {
                #key_ident { #(#key_members: ::dynamo_model::IntoValue::into_value(#key_members)),* }
            }

            #[doc = #partition_doc]
            #[allow(dead_code)]
            #vis fn partition(#(#hash_params: impl ::dynamo_model::IntoValue<#hash_param_types>),*) -> ::dynamo_model::Partition<#table> {
                ::dynamo_model::Partition::__new(<Self as ::dynamo_model::KeySpace>::encode_hash(&#hash_value))
            }
        }

        #paths

        #document

        #[automatically_derived]
        impl ::dynamo_model::Model for #ident {
            type Key = #key_ident;
            const TABLE: &'static str = #table_def.name;
            const KEY_SCHEMA: ::dynamo_model::__private::KeySchema = #table_def.key;
            const INDEXES: &'static [::dynamo_model::IndexDef] = &[#(#index_defs),*];
            const TABLE_DEF: #st::TableDef = #table_def;
            const ENTITY: ::core::option::Option<#st::EntityDef> = ::core::option::Option::Some(#st::EntityDef {
                attribute: <#table as ::dynamo_model::Table>::ENTITY_ATTRIBUTE,
                name: #entity,
                templates: <#ident>::__TEMPLATES,
            });
            #lifecycle

            fn key(&self) -> #key_ident {
                #key_ident { #(#key_members: ::core::clone::Clone::clone(&self.#key_members)),* }
            }
        }

        #[automatically_derived]
        impl ::dynamo_model::Entity for #ident {
            type Table = #table;
            const ENTITY_NAME: &'static str = #entity;
        }

        #[automatically_derived]
        impl ::dynamo_model::InTable<#table> for #ident {}

        #[automatically_derived]
        impl ::dynamo_model::ModelKey for #key_ident {
            type Model = #ident;

            fn to_key_item(&self) -> ::dynamo_model::Result<::dynamo_model::Item> {
                let mut item = ::dynamo_model::__private::item_with_capacity(#key_count);
                #(#key_puts)*
                ::core::result::Result::Ok(item)
            }

            fn __fields(&self) -> ::dynamo_model::Result<::dynamo_model::Item> {
                #st::fields(#name, #key_field_values)
            }
        }

        #table_space

        #(#index_spaces)*

        #(#builders)*

        #unversioned

        #checks
    })
}

/// What only the compiler can check, each a constant that fails to evaluate with a
/// message, at the token the mistake is in: the indexes the model names are the
/// table's, of the kind it says, with a sort key exactly when it gives one a template;
/// the table has a sort key exactly when the model gives a `range`; no field is stored
/// under a key attribute or the marker; a `ttl` field is the table's TTL attribute; no
/// field of the table's keys is an `Option` (behind an alias, which the derive cannot see).
fn mapping_checks(cont: &Container, table: &syn::Path, templates: &[Template]) -> TokenStream {
    let st = st();
    let table_def = quote!(<#table as ::dynamo_model::Table>::DEF);
    let table_name = quote!(#table).to_string().replace(' ', "");
    let check = |span: proc_macro2::Span, condition: TokenStream, message: String| {
        quote_spanned! {span=>
            const _: () = ::core::assert!(#condition, #message);
        }
    };
    let mut out = Vec::new();
    let has_range = templates.iter().any(|t| t.slot == Slot::Range);
    let span = cont.attrs.range_template.as_ref().map_or_else(|| cont.ident.span(), |lit| lit.span());
    out.push(check(
        span,
        quote!(#table_def.key.range.is_some() == #has_range),
        if has_range {
            format!("the table `{table_name}` has no sort key, so a model of it gives no `range` template")
        } else {
            format!("the table `{table_name}` has a sort key: give the model a `range = \"...\"` template")
        },
    ));
    for index in &cont.attrs.indexes {
        let Some(lit) = &index.name else { continue };
        let name = lit.value();
        let global = index.kind == IndexKind::Global;
        let templated = index.range_template.is_some();
        let indexes = quote!(#table_def.indexes);
        out.push(check(
            lit.span(),
            quote!(#st::has_index(#indexes, #name)),
            format!("the table `{table_name}` declares no index `{name}`: declare it in its `#[derive(Table)]`"),
        ));
        let (declared, other) = if global { ("gsi", "lsi") } else { ("lsi", "gsi") };
        out.push(check(
            lit.span(),
            quote!(#st::index_is(#indexes, #name, #global)),
            format!("the table's index `{name}` is not a `{declared}`: declare it here with `{other}(...)`"),
        ));
        out.push(check(
            lit.span(),
            quote!(#st::index_range_is(#indexes, #name, #templated)),
            if templated {
                format!("the table's index `{name}` has no sort key, so the model gives it no `range` template")
            } else {
                format!("the table's index `{name}` has a sort key: give it a `range = \"...\"` template here, or the items stay out of the index")
            },
        ));
    }
    for template in templates.iter().filter(|t| !t.slot.is_table()) {
        let attribute = attribute_of(table, &template.slot);
        let (Slot::IndexHash(name) | Slot::IndexRange(name)) = &template.slot else { continue };
        let global = cont.attrs.indexes.iter().any(|index| {
            index.kind == IndexKind::Global && index.name.as_ref().is_some_and(|lit| lit.value() == *name)
        });
        // An index of the other kind is reported as such, not again here.
        out.push(check(
            template.lit.span(),
            quote!(!#st::index_is(#table_def.indexes, #name, #global) || !#st::is_table_key(&#table_def, #attribute)),
            format!("this index key is one of the table's own keys, which the table's templates build: an index keyed on them (an inverted index) takes no template of its own, and is not supported on a model of `{table_name}` yet"),
        ));
    }
    for field in cont.fields.iter().filter(|field| super::is_stored(field)) {
        let attribute = &field.attrs.name;
        out.push(check(
            field.member.span(),
            quote!(!#st::is_reserved(&#table_def, <#table as ::dynamo_model::Table>::ENTITY_ATTRIBUTE, #attribute)),
            format!("the field is stored as `{attribute}`, which the table `{table_name}` keeps for a key or the entity marker: rename it (`#[dynamo(rename = \"...\")]`)"),
        ));
        if field.attrs.ttl.is_some() {
            out.push(check(
                field.member.span(),
                quote!(#st::ttl_is(#table_def.ttl, #attribute)),
                format!("`{attribute}` is the model's TTL, so it must be the table's: declare `ttl = \"{attribute}\"` in the `#[derive(Table)]` of `{table_name}`"),
            ));
        }
    }
    for template in templates.iter().filter(|t| t.slot.is_table()) {
        for field in template.fields() {
            let ty = field.ty;
            out.push(check(
                ty.span(),
                quote!(!<#ty as #st::KeyPart>::OPTIONAL),
                format!(
                    "`{}` is in the table's key templates, which every item fills: it cannot be an `Option`",
                    field.member.unraw()
                ),
            ));
        }
    }
    quote!(#(#out)*)
}

/// The typed builder of a templated sort key: `Order::sk()` (or `Order::gsi1_sk()`),
/// one state per field of the template, in order; each state takes the field's value
/// (`.created(x)`, moving on) or compares it (`.created_gt(x)`, ending the condition).
fn sort_key_builder(
    cont: &Container,
    template: &Template,
    at: usize,
    space: &TokenStream,
    method: &str,
    place: &str,
) -> TokenStream {
    let st = st();
    let ident = cont.ident;
    let vis = &cont.original.vis;
    let fields: Vec<&Field> = template.fields().collect();
    let base = format!("__{}_{}", ident.unraw(), method);
    let state = |i: usize| format_ident!("{}{}", base, i);
    let method_ident = format_ident!("{}", method);
    let text = template.lit.value();
    let mut out = Vec::new();
    for i in 0..=fields.len() {
        let this = state(i);
        let doc = match fields.get(i) {
            Some(field) => {
                format!("A condition on {place} (`{text}`): give `{}` (to go on) or compare it.", field.member.unraw())
            }
            None => format!("A condition on {place} (`{text}`): every field given, one key."),
        };
        let methods = fields.get(i).map(|field| {
            let next = state(i + 1);
            let member = field.member.unraw().to_string();
            let eq = format_ident!("{}", member);
            let gt = format_ident!("{}_gt", member);
            let ge = format_ident!("{}_ge", member);
            let lt = format_ident!("{}_lt", member);
            let le = format_ident!("{}_le", member);
            let between = format_ident!("{}_between", member);
            let ty = value_ty(field);
            let path = path_of(cont, field);
            let encode = |value: TokenStream| {
                quote!(::dynamo_model::__private::path_encode(&#path, &::dynamo_model::IntoValue::<#ty>::into_value(#value)))
            };
            let (v, low, high) = (encode(quote!(value)), encode(quote!(low)), encode(quote!(high)));
            let compare = |op: &str, name: &syn::Ident, doc: String| {
                let op = format_ident!("{}", op);
                quote! {
                    #[doc = #doc]
                    pub fn #name(self, value: impl ::dynamo_model::IntoValue<#ty>) -> #st::SortKeyRange<#space> {
                        self.0.__compare(#st::Compare::#op, #v)
                    }
                }
            };
            let gt = compare("Gt", &gt, format!("`{member}` greater than `value` (keys given before it equal)."));
            let ge = compare("Ge", &ge, format!("`{member}` at least `value`."));
            let lt = compare("Lt", &lt, format!("`{member}` less than `value`."));
            let le = compare("Le", &le, format!("`{member}` at most `value`."));
            let eq_doc = format!("`{member}` equal to `value`; go on with the next field, or use as it is.");
            let between_doc = format!("`{member}` between `low` and `high`, both included.");
            quote! {
                #[doc = #eq_doc]
                pub fn #eq(self, value: impl ::dynamo_model::IntoValue<#ty>) -> #next {
                    #next(self.0.__eq(#v))
                }
                #gt
                #ge
                #lt
                #le
                #[doc = #between_doc]
                pub fn #between(
                    self,
                    low: impl ::dynamo_model::IntoValue<#ty>,
                    high: impl ::dynamo_model::IntoValue<#ty>,
                ) -> #st::SortKeyRange<#space> {
                    self.0.__between(#low, #high)
                }
            }
        });
        out.push(quote! {
            #[doc = #doc]
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            #[derive(Clone, Debug)]
            #vis struct #this(#st::SortKey<#space>);

            #[allow(dead_code)]
            impl #this {
                #methods
            }

            #[automatically_derived]
            impl ::dynamo_model::ops::SortKeyCondition<#space> for #this {
                fn __into_condition(self) -> ::dynamo_model::expr::Condition<#ident> {
                    self.0.__condition()
                }
            }
        });
    }
    let first = state(0);
    let doc = format!(
        "A typed condition on {place}, built from its template `{text}` field by field: every key of the template, or those whose fields are given or compared."
    );
    quote! {
        #(#out)*

        impl #ident {
            #[doc = #doc]
            #[allow(dead_code)]
            #vis fn #method_ident() -> #first {
                #first(#st::SortKey::__start(&<#ident>::__TEMPLATES[#at]))
            }
        }
    }
}
