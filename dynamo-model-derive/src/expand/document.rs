//! `impl Document`, shared by both derives, and the rest of a document's
//! impls: the conversion of each field to and from its attribute, with its
//! conversion (`serde`, `with`, epoch time), its `set` and `get` transforms and
//! its default.

use super::paths::{encoder_guard, path_consts};
use super::rules::validate_fn;
use super::{
    is_required, is_stored, key_guard, key_role, local, put_key, spanned_on_type, time_unit, typed_fn, typed_ref_fn,
    Role,
};
use crate::ast::{Container, Field};
use crate::attr::DefaultValue;
use crate::ty::option_inner;
use proc_macro2::{Ident, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

pub(super) fn expand_document(cont: &Container) -> syn::Result<TokenStream> {
    let ident = cont.ident;
    let paths = path_consts(cont, std::iter::empty());
    let document = document_impl(cont, &[], false);
    let whole_rule = cont.attrs.validate.is_some();
    Ok(quote! {
        #paths

        #document

        #[automatically_derived]
        impl ::dynamo_model::ToAttribute for #ident {
            const __WHOLE_RULE: bool = #whole_rule;

            fn to_attribute(
                &self,
            ) -> ::dynamo_model::__private::Encoded {
                ::dynamo_model::__private::encode_document(self)
            }

            fn __validate(
                &self,
                errors: &mut ::std::vec::Vec<::dynamo_model::FieldError>,
                path: &::core::primitive::str,
            ) {
                ::dynamo_model::__private::validate_nested(self, errors, path)
            }
        }

        #[automatically_derived]
        impl ::dynamo_model::expr::HasSize for #ident {}

        #[automatically_derived]
        impl ::dynamo_model::FromAttribute for #ident {
            const EXPECTED: &'static str = "map (M)";

            fn from_attribute(
                value: ::dynamo_model::AttributeValue,
            ) -> ::core::result::Result<Self, ::dynamo_model::DecodeError> {
                ::dynamo_model::__private::decode_document(value)
            }
        }
    })
}

/// `impl Document`: the conversion to and from an item, shared by both derives.
/// `keys` are the key fields, checked and stored as keys (none for a document).
///
/// For a model in a shared table (`entity`), `to_item` ends by rendering the key
/// templates and the entity marker, and `from_item` starts by checking the marker and
/// restoring fields from the keys.
pub(super) fn document_impl(cont: &Container, keys: &[(&Field, Role)], entity: bool) -> TokenStream {
    let ident = cont.ident;
    let name = ident.unraw().to_string();
    let key_guards: Vec<TokenStream> = keys.iter().map(|(field, _)| key_guard(field)).collect();
    let stored: Vec<&Field> = cont.fields.iter().filter(|field| is_stored(field)).collect();
    let stored_count = stored.len();
    let attributes = stored.iter().map(|field| &field.attrs.name);
    let encoder_guards = stored.iter().filter_map(|field| encoder_guard(field));
    let puts = stored.iter().map(|field| put_field(field, &name));
    let extra = cont.fields.iter().find(|field| field.attrs.extra.is_some());

    // With an `extra` field, the item is sized for the undeclared attributes too,
    // which are written back last: the declared attributes win a name clash.
    let (capacity, put_extra) = match extra {
        Some(field) => {
            let (span, member) = spanned_on_type(field);
            (
                quote!(#stored_count + self.#member.len()),
                Some(
                    quote_spanned!(span=> ::dynamo_model::__private::put_extra(&mut item, #name, &self.#member, <Self as ::dynamo_model::Document>::ATTRIBUTES)?;),
                ),
            )
        }
        None => (quote!(#stored_count), None),
    };

    let construct = match extra {
        None => {
            let takes = cont.fields.iter().map(|field| {
                let member = field.member;
                let value = take_field(field, &name);
                quote!(#member: #value,)
            });
            quote!(::core::result::Result::Ok(Self { #(#takes)* }))
        }
        Some(extra) => {
            // Every declared attribute is taken out of the item first, in field
            // order as without `extra`; what is left belongs to `extra`.
            let others: Vec<&Field> = cont.fields.iter().filter(|field| field.attrs.extra.is_none()).collect();
            let locals: Vec<Ident> =
                others.iter().map(|field| local(&format!("__{}", field.member.unraw()), field.member.span())).collect();
            let values = others.iter().map(|field| take_field(field, &name));
            let members = others.iter().map(|field| field.member);
            let (span, extra_member) = spanned_on_type(extra);
            let item = Ident::new("item", span);
            quote! {
                #(let #locals = #values;)*
                ::core::result::Result::Ok(Self { #(#members: #locals,)* #extra_member: #item })
            }
        }
    };
    let validate = validate_fn(cont, &name);
    let required =
        stored.iter().filter(|field| !field.attrs.is_key() && is_required(field)).map(|field| &field.attrs.name);

    let (stamp, open) = if entity {
        (
            Some(quote!(::dynamo_model::__private::single_table::stamp::<Self>(&mut item)?;)),
            Some(quote!(::dynamo_model::__private::single_table::open::<Self>(&mut item)?;)),
        )
    } else {
        (None, None)
    };

    quote! {
        #[automatically_derived]
        impl ::dynamo_model::Document for #ident {
            const NAME: &'static str = #name;
            const ATTRIBUTES: &'static [&'static str] = &[#(#attributes),*];

            fn to_item(&self) -> ::dynamo_model::Result<::dynamo_model::Item> {
                #(#key_guards)*
                #(#encoder_guards)*
                let mut item = ::dynamo_model::__private::item_with_capacity(#capacity);
                #(#puts)*
                #put_extra
                #stamp
                ::core::result::Result::Ok(item)
            }

            fn from_item(mut item: ::dynamo_model::Item) -> ::dynamo_model::Result<Self> {
                #(#key_guards)*
                #open
                #construct
            }

            #validate

            fn __required_attributes(out: &mut ::std::vec::Vec<&'static str>) {
                out.extend_from_slice(&[#(#required),*]);
            }
        }
    }
}

/// The statement of `to_item` that stores one field.
///
/// A plain field is one call on `&self.member`; `set` and a default written for
/// `None` add to that only on the fields that have them.
fn put_field(field: &Field, name: &str) -> TokenStream {
    if let Some(role) = key_role(field) {
        return put_key(field, role, name);
    }
    let attribute = &field.attrs.name;
    let (span, member) = spanned_on_type(field);
    // The statement storing `value`, a `&FieldType` (or, with `set`, of its value).
    let store = |value: TokenStream| match &field.attrs.with_module {
        Some(module) => {
            // Spanned on the module path: a missing or mistyped function is reported there.
            let to_attribute = quote_spanned!(module.span()=> #module::to_attribute);
            quote_spanned! {span=>
                ::dynamo_model::__private::put_with(&mut item, #name, #attribute, #to_attribute(#value))?;
            }
        }
        None => match time_unit(field) {
            Some(unit) => quote_spanned! {span=>
                ::dynamo_model::__private::put_time(&mut item, #name, #attribute, #value, #unit)?;
            },
            None => {
                let put =
                    if field.attrs.serde.is_some() { Ident::new("put_serde", span) } else { Ident::new("put", span) };
                quote_spanned! {span=>
                    ::dynamo_model::__private::#put(&mut item, #name, #attribute, #value)?;
                }
            }
        },
    };
    let inner = option_inner(field.ty);
    let value_ty = inner.unwrap_or(field.ty);
    let set = field.attrs.set.as_ref().map(|set| typed_ref_fn(set, value_ty, quote!(#value_ty)));
    let value = match &set {
        None => quote_spanned!(span=> &self.#member),
        Some(set) if inner.is_some() => {
            quote_spanned!(span=> &::core::option::Option::map(::core::option::Option::as_ref(&self.#member), #set))
        }
        Some(set) => quote_spanned!(span=> &(#set)(&self.#member)),
    };
    // `None` in an `Option` field with `default = ..`/`default_fn` stores the
    // default, so that the item holds what reading it back would give.
    let Some(default) = custom_default(field, value_ty).filter(|_| inner.is_some()) else {
        return store(value);
    };
    let default = match &set {
        None => default,
        Some(set) => quote_spanned!(span=> (#set)(&#default)),
    };
    let present = store(value);
    let absent = store(quote_spanned!(span=> &::core::option::Option::Some(#default)));
    quote! {
        if ::core::option::Option::is_some(&self.#member) {
            #present
        } else {
            #absent
        }
    }
}

/// The value of `default = "expr"` or `default_fn = path`, if the field has one,
/// as a `value_ty` (the inner type of an `Option` field). The expression is
/// given that type where it is written, so a mismatch is reported on the user's
/// string or path, in the same words on writes and reads (and so only once).
fn custom_default(field: &Field, value_ty: &syn::Type) -> Option<TokenStream> {
    match &field.attrs.default {
        Some(DefaultValue::Expr(expr)) => {
            let span = expr.span();
            let default = local("default", span);
            Some(quote_spanned!(span=> { let #default: #value_ty = #expr; #default }))
        }
        Some(DefaultValue::Fn(function)) => {
            let function = typed_fn(function, quote!(fn() -> #value_ty));
            Some(quote!((#function)()))
        }
        Some(DefaultValue::Trait) | None => None,
    }
}

/// The expression of `from_item` that reads one field back.
fn take_field(field: &Field, name: &str) -> TokenStream {
    let attribute = &field.attrs.name;
    let ty = field.ty;
    let span = ty.span();
    if field.attrs.skip.is_some() {
        return quote_spanned!(span=> <#ty as ::core::default::Default>::default());
    }
    let inner = option_inner(ty);
    let value_ty = inner.unwrap_or(ty);
    let or_default = matches!(field.attrs.default, Some(DefaultValue::Trait));
    let time = time_unit(field);
    let value = if let Some(unit) = &time {
        let take = quote_spanned!(span=> ::dynamo_model::__private::take_time(&mut item, #name, #attribute, #unit)?);
        if or_default {
            quote! {
                if item.contains_key(#attribute) { #take } else { ::core::default::Default::default() }
            }
        } else {
            take
        }
    } else if let Some(module) = &field.attrs.with_module {
        let from_attribute = quote_spanned!(module.span()=> #module::from_attribute);
        let take = if or_default { Ident::new("take_with_or_default", span) } else { Ident::new("take_with", span) };
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
    let value = match custom_default(field, value_ty) {
        None => value,
        Some(default) => {
            // For an `Option` field the expression is the inner value, as on writes.
            let default = if inner.is_some() { quote!(::core::option::Option::Some(#default)) } else { default };
            if field.attrs.with_module.is_none() && field.attrs.serde.is_none() && time.is_none() {
                quote_spanned! {span=>
                    ::dynamo_model::__private::take_or_else(&mut item, #name, #attribute, || #default)?
                }
            } else {
                // The runtime has no `take_or_else` for these conversions; one more
                // lookup, on these fields only, reuses the plain `take_*`.
                quote! {
                    if item.contains_key(#attribute) { #value } else { #default }
                }
            }
        }
    };
    let Some(get) = &field.attrs.get else {
        return value;
    };
    let get = typed_fn(get, quote!(fn(#value_ty) -> #value_ty));
    match inner {
        // Called as a function, not a method: the type read is only known from
        // where it goes, which a method call cannot wait for.
        Some(_) => quote_spanned!(span=> ::core::option::Option::map(#value, #get)),
        None => quote_spanned!(span=> (#get)(#value)),
    }
}
