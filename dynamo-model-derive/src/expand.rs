//! Code generation for a model that passed every check.

use crate::ast::{Container, Field};
use crate::check;
use crate::ctxt::Ctxt;
use crate::fallback;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::DeriveInput;

/// Expands `#[derive(Model)]`: the impls when the input is a valid model, else
/// every error plus a stand-in impl (see [`fallback`]).
pub fn derive(input: &DeriveInput) -> TokenStream {
    match try_expand(input) {
        Ok(expanded) => expanded,
        // Code elsewhere that uses this type as a model still finds an impl, so
        // the user sees the mistakes in the struct and not their echoes.
        Err(errors) => fallback::expand(input, errors),
    }
}

fn try_expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let cont = Container::from_ast(&cx, input);
    if let Some(cont) = &cont {
        check::check(&cx, cont);
    }
    cx.check()?;
    match cont {
        Some(cont) => expand_model(&cont),
        // `from_ast` reports an error whenever it returns `None`, so `check` above
        // has already returned it.
        None => Err(internal_error(input)),
    }
}

fn internal_error(input: &DeriveInput) -> syn::Error {
    syn::Error::new_spanned(
        &input.ident,
        "dynamo-model-derive internal error: the input passed the checks but cannot be expanded; please report this",
    )
}

/// The role a key field plays, as the runtime's `KeyRole` and in prose.
#[derive(Copy, Clone)]
enum Role {
    Hash,
    Range,
}

impl Role {
    fn tokens(self) -> TokenStream {
        match self {
            Role::Hash => quote!(::dynamo_model::__private::KeyRole::Hash),
            Role::Range => quote!(::dynamo_model::__private::KeyRole::Range),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Role::Hash => "hash key",
            Role::Range => "range key",
        }
    }
}

fn expand_model(cont: &Container) -> syn::Result<TokenStream> {
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

    let key_defs: Vec<TokenStream> = keys
        .iter()
        .map(|(field, _)| {
            let attribute = &field.attrs.name;
            let ty = field.ty;
            // Spanned on the field type: a type that is no key attribute (a user
            // struct, say) gets its trait error there.
            let scalar = quote_spanned!(ty.span()=>
                <#ty as ::dynamo_model::__private::KeyAttribute>::SCALAR
            );
            quote! {
                ::dynamo_model::__private::KeyDef { name: #attribute, scalar: #scalar }
            }
        })
        .collect();
    let hash_def = &key_defs[0];
    let range_def = match key_defs.get(1) {
        Some(def) => quote!(::core::option::Option::Some(#def)),
        None => quote!(::core::option::Option::None),
    };

    let put_keys: Vec<TokenStream> = keys
        .iter()
        .map(|(field, role)| put_key(field, *role, &name))
        .collect();
    let key_count = keys.len();
    let key_guards: Vec<TokenStream> = keys.iter().map(|(field, _)| key_guard(field)).collect();

    let stored: Vec<&Field> = cont
        .fields
        .iter()
        .filter(|field| field.attrs.skip.is_none())
        .collect();
    let stored_count = stored.len();
    let puts = stored.iter().map(|field| put_field(field, &name));
    let takes = cont.fields.iter().map(|field| take_field(field, &name));

    let key_struct = key_struct(cont, &keys, &key_ident, &name);
    let key_members: Vec<&syn::Ident> = keys.iter().map(|(field, _)| field.member).collect();
    let key_types = keys.iter().map(|(field, _)| field.ty);
    let key_fn_doc = match keys.as_slice() {
        [(hash, _), (range, _)] => format!(
            "Builds the primary key of the [`{name}`] item with hash key `{}` and range key `{}`.",
            hash.member.unraw(),
            range.member.unraw()
        ),
        _ => format!(
            "Builds the primary key of the [`{name}`] item with hash key `{}`.",
            hash.member.unraw()
        ),
    };

    Ok(quote! {
        #key_struct

        impl #ident {
            #[doc = #key_fn_doc]
            // A model may never be looked up by key in the code that declares it.
            #[allow(dead_code)]
            #vis fn key(#(#key_members: impl ::core::convert::Into<#key_types>),*) -> #key_ident {
                #key_ident { #(#key_members: #key_members.into()),* }
            }
        }

        #[automatically_derived]
        impl ::dynamo_model::Model for #ident {
            type Key = #key_ident;
            const NAME: &'static str = #name;
            const TABLE: &'static str = #table;
            const KEY_SCHEMA: ::dynamo_model::__private::KeySchema = ::dynamo_model::__private::KeySchema {
                hash: #hash_def,
                range: #range_def,
            };

            fn to_item(&self) -> ::dynamo_model::Result<::dynamo_model::Item> {
                #(#key_guards)*
                let mut item = ::dynamo_model::__private::item_with_capacity(#stored_count);
                #(#puts)*
                ::core::result::Result::Ok(item)
            }

            fn from_item(mut item: ::dynamo_model::Item) -> ::dynamo_model::Result<Self> {
                #(#key_guards)*
                ::core::result::Result::Ok(Self {
                    #(#takes)*
                })
            }

            fn key(&self) -> #key_ident {
                #key_ident {
                    #(#key_members: ::core::clone::Clone::clone(&self.#key_members)),*
                }
            }
        }

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

/// `OrderKey`: the primary key as its own type, with the model's visibility.
fn key_struct(
    cont: &Container,
    keys: &[(&Field, Role)],
    key_ident: &syn::Ident,
    name: &str,
) -> TokenStream {
    let vis = &cont.original.vis;
    let described: Vec<String> = keys
        .iter()
        .map(|(field, role)| format!("the {} `{}`", role.noun(), field.member.unraw()))
        .collect();
    let doc = format!(
        "Primary key of [`{name}`]: {}.\n\nBuild one with `{name}::key(...)`.",
        described.join(" and ")
    );
    let fields = keys.iter().map(|(field, role)| {
        let member = field.member;
        let ty = field.ty;
        let doc = format!(
            "The {}, stored as the attribute `{}`.",
            role.noun(),
            field.attrs.name
        );
        quote! {
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

fn key_guard(field: &Field) -> TokenStream {
    let ty = field.ty;
    quote_spanned! {ty.span()=>
        let _ = <#ty as ::dynamo_model::__private::KeyAttribute>::SCALAR;
    }
}

/// The statement that stores a key field, in `to_item` and `to_key_item`.
fn put_key(field: &Field, role: Role, name: &str) -> TokenStream {
    let attribute = &field.attrs.name;
    let role = role.tokens();
    let (span, member) = spanned_on_type(field);
    quote_spanned! {span=>
        ::dynamo_model::__private::put_key(&mut item, #name, #attribute, &self.#member, #role)?;
    }
}

/// The statement of `to_item` that stores one field.
fn put_field(field: &Field, name: &str) -> TokenStream {
    if let Some(role) = key_role(field) {
        return put_key(field, role, name);
    }
    let attribute = &field.attrs.name;
    let (span, member) = spanned_on_type(field);
    if let Some(module) = &field.attrs.with_module {
        // Spanned on the module path: a missing or mistyped function is reported there.
        let to_attribute = quote_spanned!(module.span()=> #module::to_attribute);
        return quote_spanned! {span=>
            ::dynamo_model::__private::put_with(&mut item, #name, #attribute, #to_attribute(&self.#member))?;
        };
    }
    let put = if field.attrs.serde.is_some() {
        Ident::new("put_serde", span)
    } else {
        Ident::new("put", span)
    };
    quote_spanned! {span=>
        ::dynamo_model::__private::#put(&mut item, #name, #attribute, &self.#member)?;
    }
}

/// The `member: value,` of `from_item` that reads one field back.
fn take_field(field: &Field, name: &str) -> TokenStream {
    let member = field.member;
    let attribute = &field.attrs.name;
    let ty = field.ty;
    let span = ty.span();
    if field.attrs.skip.is_some() {
        return quote_spanned!(span=> #member: <#ty as ::core::default::Default>::default(),);
    }
    let or_default = field.attrs.default.is_some();
    let value = if let Some(module) = &field.attrs.with_module {
        let from_attribute = quote_spanned!(module.span()=> #module::from_attribute);
        let take = if or_default {
            Ident::new("take_with_or_default", span)
        } else {
            Ident::new("take_with", span)
        };
        quote_spanned!(span=> ::dynamo_model::__private::#take(&mut item, #name, #attribute, #from_attribute)?)
    } else {
        let take = match (field.attrs.serde.is_some(), or_default) {
            (false, false) => "take",
            (false, true) => "take_or_default",
            (true, false) => "take_serde",
            (true, true) => "take_serde_or_default",
        };
        let take = Ident::new(take, span);
        quote_spanned!(span=> ::dynamo_model::__private::#take(&mut item, #name, #attribute)?)
    };
    quote!(#member: #value,)
}

/// The span of the field's type, and the field's name carrying that span.
///
/// The calls that store and read a field are spanned on its type so that a type
/// the runtime cannot store is reported at the field, not at `#[derive(Model)]`;
/// rustc blames the `self.member` argument, so the member needs the span too.
/// For key fields this also puts every unmet `KeyAttribute` bound at the same
/// place as the one in `KEY_SCHEMA`.
fn spanned_on_type(field: &Field) -> (Span, Ident) {
    let span = field.ty.span();
    let mut member = field.member.clone();
    member.set_span(span);
    (span, member)
}

fn key_role(field: &Field) -> Option<Role> {
    if field.attrs.hash_key.is_some() {
        Some(Role::Hash)
    } else if field.attrs.range_key.is_some() {
        Some(Role::Range)
    } else {
        None
    }
}

