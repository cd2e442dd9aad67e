//! `Document::validate`: the `required` check and the `validate(...)` rules of
//! each field, the documents nested in it, and the struct's own
//! `validate = path`.

use super::paths::encoder_guard;
use super::{is_plain, is_stored, key_guard, local, spanned_on_type, typed_fn, typed_ref_fn, value_ident};
use crate::ast::{Container, Field};
use crate::attr::RuleKind;
use crate::ty::option_inner;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};

/// `Document::validate`, when the struct has any rule or any plain field: every
/// field's rules in field order, each plain field's nested documents right after
/// its own rules, then the struct's own `validate = f`. `None` keeps the trait's
/// `Ok(())`.
pub(super) fn validate_fn(cont: &Container, name: &str) -> Option<TokenStream> {
    let errors = local("errors", Span::call_site());
    let fields: Vec<TokenStream> = cont
        .fields
        .iter()
        .filter(|field| is_stored(field))
        .filter_map(|field| {
            let rules =
                (!field.attrs.rules.is_empty() || field.attrs.required.is_some()).then(|| field_rules(field, &errors));
            let nested = is_plain(field).then(|| nested_rules(field, &errors));
            (rules.is_some() || nested.is_some()).then(|| quote!(#rules #nested))
        })
        .collect();
    let model = cont.attrs.validate.as_ref().map(|function| {
        let function = typed_fn(function, quote!(fn(&Self) -> ::core::result::Result<(), ::std::string::String>));
        quote!(::dynamo_model::__private::rules::model(&mut #errors, #name, (#function)(self));)
    });
    if fields.is_empty() && model.is_none() {
        return None;
    }
    // As in `to_item`: a field type that cannot be stored is reported once, by the
    // guard, not once more for the bound of its `__validate` call.
    let guards = cont.fields.iter().filter(|field| is_plain(field)).filter_map(|field| {
        if field.attrs.is_key() {
            Some(key_guard(field))
        } else {
            encoder_guard(field)
        }
    });
    Some(quote! {
        fn validate(&self) -> ::dynamo_model::Result<()> {
            #(#guards)*
            let mut #errors = ::std::vec::Vec::new();
            #(#fields)*
            #model
            ::dynamo_model::__private::rules::finish(#name, #errors)
        }
    })
}

/// The check of the `#[derive(Document)]` values inside a plain field (itself,
/// or in an `Option`, a list or a map), their errors prefixed by its attribute.
/// A no-op, inlined away, for any other type.
fn nested_rules(field: &Field, errors: &Ident) -> TokenStream {
    let attribute = &field.attrs.name;
    let (span, member) = spanned_on_type(field);
    quote_spanned! {span=>
        ::dynamo_model::ToAttribute::__validate(&self.#member, &mut #errors, #attribute);
    }
}

/// The checks of one field in `validate`: `required`, then its rules on the value
/// as it will be stored (after `set`), on the inner value of an `Option` when
/// there is one.
fn field_rules(field: &Field, errors: &Ident) -> TokenStream {
    let member = field.member;
    let attribute = &field.attrs.name;
    let required = field.attrs.required.map(|span| {
        quote_spanned!(span=> ::dynamo_model::__private::rules::required(&mut #errors, #attribute, &self.#member);)
    });
    if field.attrs.rules.is_empty() {
        return quote!(#required);
    }
    let value = value_ident(member.span());
    let inner = option_inner(field.ty);
    let value_ty = inner.unwrap_or(field.ty);
    let set = field.attrs.set.as_ref().map(|set| {
        let set = typed_ref_fn(set, value_ty, quote!(#value_ty));
        quote!(let #value = &(#set)(#value);)
    });
    let rules = rule_calls(field, value_ty, errors);
    match inner {
        Some(_) => quote! {
            #required
            if let ::core::option::Option::Some(#value) = &self.#member {
                #set
                #rules
            }
        },
        None => quote! {{
            let #value = &self.#member;
            #set
            #rules
        }},
    }
}

/// The calls of `field`'s rules on the value (see [`value_ident`]), a
/// `&value_ty`, reporting into `errors`. Each call is spanned on its rule's key,
/// so a rule the type does not support (`non_empty` on a number) is reported
/// there.
pub(super) fn rule_calls(field: &Field, value_ty: &syn::Type, errors: &Ident) -> TokenStream {
    let attribute = &field.attrs.name;
    let rules = field.attrs.rules.iter().map(|rule| {
        let span = rule.key.span();
        // The same variable, pointed at the rule: rustc blames the argument when
        // the value's type lacks what the rule needs. Interpolated literals keep
        // their own spans, so one of the wrong type is reported on itself.
        let value = value_ident(span);
        let rules = quote_spanned!(span=> ::dynamo_model::__private::rules);
        match &rule.kind {
            RuleKind::Min(bound) => {
                let bound = number_for(bound, value_ty);
                quote_spanned!(span=> #rules::min(&mut #errors, #attribute, #value, #bound);)
            }
            RuleKind::Max(bound) => {
                let bound = number_for(bound, value_ty);
                quote_spanned!(span=> #rules::max(&mut #errors, #attribute, #value, #bound);)
            }
            RuleKind::Len { min, max } => {
                let bound = |bound: &Option<syn::LitInt>| match bound {
                    Some(lit) => quote!(::core::option::Option::Some(#lit)),
                    None => quote!(::core::option::Option::None),
                };
                let (min, max) = (bound(min), bound(max));
                quote_spanned!(span=> #rules::length(&mut #errors, #attribute, #value, #min, #max);)
            }
            RuleKind::NonEmpty => quote_spanned!(span=> #rules::non_empty(&mut #errors, #attribute, #value);),
            RuleKind::Regex(pattern) => quote_spanned! {span=>
                {
                    static RE: ::std::sync::OnceLock<
                        ::core::option::Option<::dynamo_model::__private::rules::Regex>,
                    > = ::std::sync::OnceLock::new();
                    #rules::pattern(
                        &mut #errors,
                        #attribute,
                        ::core::convert::AsRef::<str>::as_ref(#value),
                        &RE,
                        #pattern,
                    );
                }
            },
            RuleKind::OneOf(allowed) => {
                let allowed = allowed.iter().map(|lit| number_for(lit, value_ty));
                quote_spanned!(span=> #rules::one_of(&mut #errors, #attribute, #value, &[#(#allowed),*]);)
            }
            RuleKind::Email => quote_spanned! {span=>
                #rules::email(&mut #errors, #attribute, ::core::convert::AsRef::<str>::as_ref(#value));
            },
            RuleKind::With(function) => {
                let function =
                    typed_ref_fn(function, value_ty, quote!(::core::result::Result<(), ::std::string::String>));
                quote_spanned!(span=> #rules::custom(&mut #errors, #attribute, #value, (#function)(#value));)
            }
        }
    });
    quote!(#(#rules)*)
}

/// A number literal of a rule as compared with a value of `value_ty`: an integer
/// literal becomes a float one when the field is syntactically a float, so that
/// `min = 0` works on an `f64` as it reads. Anything else is left to rustc.
pub(super) fn number_for(expr: &syn::Expr, value_ty: &syn::Type) -> TokenStream {
    let is_float = matches!(value_ty, syn::Type::Path(path) if path.qself.is_none()
        && (path.path.is_ident("f64") || path.path.is_ident("f32")));
    let as_float = |lit: &syn::LitInt| -> Option<syn::LitFloat> {
        lit.suffix().is_empty().then(|| syn::LitFloat::new(&format!("{}.0", lit.base10_digits()), lit.span()))
    };
    match expr {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(lit), .. }) if is_float => match as_float(lit) {
            Some(float) => float.into_token_stream(),
            None => expr.to_token_stream(),
        },
        syn::Expr::Unary(syn::ExprUnary { op: syn::UnOp::Neg(minus), expr: inner, .. }) if is_float => match &**inner {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(lit), .. }) => match as_float(lit) {
                Some(float) => quote!(#minus #float),
                None => expr.to_token_stream(),
            },
            _ => expr.to_token_stream(),
        },
        _ => expr.to_token_stream(),
    }
}
