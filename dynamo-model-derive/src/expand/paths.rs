//! The path constants (`Order::TOTAL_CENTS`) and the codec each carries: how
//! the field is encoded, transformed and checked when an update or a condition
//! names it rather than writing the whole item.

use super::rules::{number_for, rule_calls};
use super::{is_plain, is_required, is_stored, key_guard, local, respan, time_unit, typed_ref_fn, value_ident};
use crate::ast::{field_marker, Container, Field};
use crate::attr::RuleKind;
use crate::case::screaming_snake;
use crate::ty::option_inner;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

/// `Order::TOTAL_CENTS: Path<Order, i64, Field<3>>` for every stored field, then
/// the `extra` constants (a model's indexes), in one inherent impl.
pub(super) fn path_consts<'t>(cont: &Container, extra: impl Iterator<Item = &'t TokenStream>) -> TokenStream {
    let ident = cont.ident;
    let vis = &cont.original.vis;
    let consts = cont.fields.iter().filter(|field| is_stored(field)).map(|field| {
        let const_name = format_ident!("{}", screaming_snake(&field.member.unraw().to_string()));
        let attribute = &field.attrs.name;
        let marker = field_marker(&cont.fields, field);
        let doc = format!("Path to the `{attribute}` attribute.");
        let (value_ty, codec) = path_codec(field);
        // See `key_guard`: a key type that is no key attribute is reported once,
        // on the field, rather than once more here for its `ToAttribute` bound.
        let guard = if field.attrs.is_key() { Some(key_guard(field)) } else { None };
        quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            #vis const #const_name: ::dynamo_model::expr::Path<#ident, #value_ty, #marker> = {
                #guard
                ::dynamo_model::expr::Path::new(#attribute, #codec)
            };
        }
    });
    quote! {
        impl #ident {
            #(#consts)*
            #(#extra)*
        }
    }
}

/// The value type of a field's path constant and the codec it carries: the plain
/// encoder (as `to_item` encodes the field), then the field's `set` transform, its
/// rules (and those of the documents inside it), the bounds of `min`/`max`, and
/// whether reading the item needs the attribute.
///
/// Spanned like the calls of `to_item` (on the field type, on the module path for
/// `with`), so that rustc reports a field type it cannot store, or a missing
/// `to_attribute`, once for the constant and the method together (see
/// `encoder_guard`).
fn path_codec(field: &Field) -> (TokenStream, TokenStream) {
    let (value_ty, encoder) = plain_path_encoder(field);
    let codec = quote!(::dynamo_model::expr::Codec::<#value_ty>::new(#encoder));
    let inner = option_inner(field.ty);
    // A `with` field's path holds the whole field type, `Option` included.
    let rules_ty = if field.attrs.with_module.is_some() { field.ty } else { inner.unwrap_or(field.ty) };
    let transform = field.attrs.set.as_ref().map(|set| {
        let set = typed_ref_fn(set, rules_ty, quote!(#rules_ty));
        quote! {
            .transform({
                fn __dynamo_transform(value: &#rules_ty) -> #rules_ty {
                    (#set)(value)
                }
                __dynamo_transform
            })
        }
    });
    let rules = codec_rules(field, rules_ty, inner.is_some() && field.attrs.with_module.is_some());
    let bounds = codec_bounds(field, rules_ty);
    let required = is_required(field).then(|| quote!(.required()));
    let layout = codec_layout(field);
    let parts = codec_parts(field);
    (value_ty, quote!(#codec #transform #rules #bounds #required #layout #parts))
}

/// `.layout(..)` for a field not stored through its type's own `ToAttribute`: a copy
/// between two fields needs them stored alike.
fn codec_layout(field: &Field) -> Option<TokenStream> {
    let layout = if let Some(module) = &field.attrs.with_module {
        let module = module.to_token_stream().to_string().replace(' ', "");
        quote!(::dynamo_model::expr::Layout::With(#module))
    } else if field.attrs.serde.is_some() {
        quote!(::dynamo_model::expr::Layout::Serde)
    } else if let Some(unit) = time_unit(field) {
        // Compared exactly: the stored form drops the fraction of its unit.
        let ty = option_inner(field.ty).unwrap_or(field.ty);
        return Some(quote! {
            .layout(::dynamo_model::expr::Layout::Time(#unit))
            .compared(::dynamo_model::__private::encode_time_exact::<#ty, { #unit as u8 }>)
        });
    } else {
        return None;
    };
    Some(quote!(.layout(#layout)))
}

/// What writes of parts of the field must keep: its `len` (and `non_empty`) as sizes,
/// and whether it has rules only its whole value can be checked against.
fn codec_parts(field: &Field) -> TokenStream {
    let mut min: Option<&syn::LitInt> = None;
    let mut max: Option<&syn::LitInt> = None;
    let mut non_empty = false;
    let mut opaque = false;
    for rule in &field.attrs.rules {
        match &rule.kind {
            RuleKind::Len { min: low, max: high } => {
                min = low.as_ref().or(min);
                max = high.as_ref().or(max);
            }
            RuleKind::NonEmpty => non_empty = true,
            RuleKind::Min(_) | RuleKind::Max(_) => {}
            _ => opaque = true,
        }
    }
    let len = (min.is_some() || max.is_some() || non_empty).then(|| {
        let min = match (min, non_empty) {
            (Some(min), false) => quote!(::core::option::Option::Some(#min)),
            (Some(min), true) => quote!(::core::option::Option::Some(if #min > 1 { #min } else { 1 })),
            (None, true) => quote!(::core::option::Option::Some(1)),
            (None, false) => quote!(::core::option::Option::None),
        };
        let max = match max {
            Some(max) => quote!(::core::option::Option::Some(#max)),
            None => quote!(::core::option::Option::None),
        };
        quote!(.len(#min, #max))
    });
    let opaque = opaque.then(|| quote!(.opaque()));
    quote!(#len #opaque)
}

/// `.rules(f)` for a field with `validate(...)` rules or a plain type that may hold
/// documents: the function runs them on one value, reporting under the field's own
/// attribute name.
fn codec_rules(field: &Field, value_ty: &syn::Type, optional_with: bool) -> Option<TokenStream> {
    let errors = local("errors", field.member.span());
    let value = value_ident(field.member.span());
    let attribute = &field.attrs.name;
    let rules = (!field.attrs.rules.is_empty()).then(|| {
        let calls = rule_calls(field, option_inner(value_ty).filter(|_| optional_with).unwrap_or(value_ty), &errors);
        if optional_with {
            quote! {
                if let ::core::option::Option::Some(#value) = #value {
                    #calls
                }
            }
        } else {
            calls
        }
    });
    // Spanned on the field type, like the encoder: a type that cannot be stored is
    // reported once, there.
    let nested = (is_plain(field) && !field.attrs.is_key()).then(|| {
        let span = field.ty.span();
        let value = value_ident(span);
        quote_spanned!(span=> ::dynamo_model::ToAttribute::__validate(#value, #errors, #attribute);)
    });
    if rules.is_none() && nested.is_none() {
        return None;
    }
    Some(quote! {
        .rules({
            fn __dynamo_rules(
                #value: &#value_ty,
                mut #errors: &mut ::std::vec::Vec<::dynamo_model::FieldError>,
            ) {
                #rules
                #nested
            }
            __dynamo_rules
        })
    })
}

/// `.bounds(f)` for a number field with `min` or `max`: what an increment must keep.
fn codec_bounds(field: &Field, value_ty: &syn::Type) -> Option<TokenStream> {
    let mut min = None;
    let mut max = None;
    for rule in &field.attrs.rules {
        match &rule.kind {
            RuleKind::Min(bound) => min = Some(number_for(bound, value_ty)),
            RuleKind::Max(bound) => max = Some(number_for(bound, value_ty)),
            _ => {}
        }
    }
    // `add` and arithmetic apply to the number types only; a bound on anything else is
    // reported by its rule.
    let numeric = matches!(value_ty, syn::Type::Path(path) if path.qself.is_none()
        && NUMBERS.iter().any(|number| path.path.is_ident(number)));
    if min.is_none() && max.is_none() || field.attrs.with_module.is_some() || !numeric {
        return None;
    }
    let some = |bound: Option<TokenStream>| match bound {
        Some(bound) => quote!(::core::option::Option::Some(#bound)),
        None => quote!(::core::option::Option::None),
    };
    let (min, max) = (some(min), some(max));
    Some(quote! {
        .bounds({
            fn __dynamo_bounds() -> (::core::option::Option<#value_ty>, ::core::option::Option<#value_ty>) {
                (#min, #max)
            }
            __dynamo_bounds
        })
    })
}

/// The number types, which `add` and arithmetic apply to.
const NUMBERS: &[&str] =
    &["u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32", "f64"];

/// The path encoder of a field without rules: how `to_item` encodes its value.
fn plain_path_encoder(field: &Field) -> (TokenStream, TokenStream) {
    if let Some(module) = &field.attrs.with_module {
        let ty = field.ty;
        let to_attribute = quote_spanned!(module.span()=> #module::to_attribute);
        // The field's own type, as the user wrote it (`&Vec<_>` included).
        let encoder = quote! {{
            #[allow(clippy::ptr_arg)]
            fn encode(
                value: &#ty,
            ) -> ::dynamo_model::__private::Encoded {
                #to_attribute(value).map(::core::option::Option::Some)
            }
            encode
        }};
        return (quote!(#ty), encoder);
    }
    let ty = option_inner(field.ty).unwrap_or(field.ty);
    // For `Option<X>` the encoder names `X`; moved onto the span of the whole field
    // type, an unmet bound on `X` lands where `put` reports it for `Option<X>`.
    let span = field.ty.span();
    let spanned_ty = respan(ty.to_token_stream(), span);
    let encoder = if let Some(unit) = time_unit(field) {
        quote_spanned!(span=> ::dynamo_model::__private::encode_time::<#spanned_ty, { #unit as u8 }>)
    } else if field.attrs.serde.is_some() {
        quote_spanned!(span=> ::dynamo_model::__private::encode_serde::<#spanned_ty>)
    } else {
        quote_spanned!(span=> <#spanned_ty as ::dynamo_model::ToAttribute>::to_attribute)
    };
    (quote!(#ty), encoder)
}

/// A no-op use, at the top of `to_item`, of the encoder a plain or `serde`
/// field's path constant carries.
///
/// When the field type cannot be encoded, the constant and `put`/`put_serde`
/// would each report it, with different notes. This use fails exactly like the
/// constant (so rustc merges the two), and it comes first in `to_item`, where
/// rustc then drops the same unmet bound at the same span for `put`. Key fields
/// have `key_guard`, and `with` fields need none: their functions are resolved
/// at one span in both places.
pub(super) fn encoder_guard(field: &Field) -> Option<TokenStream> {
    if field.attrs.is_key() || !is_stored(field) || field.attrs.with_module.is_some() {
        return None;
    }
    // The plain encoder even for a field with rules: its own encoder ends by
    // calling the plain one, which is where an unmet bound is reported.
    let (_, encoder) = plain_path_encoder(field);
    Some(quote_spanned!(field.ty.span()=> let _ = #encoder;))
}
