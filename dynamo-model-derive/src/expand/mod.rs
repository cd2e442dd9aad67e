//! Code generation for a model or document that passed every check.
//!
//! `derive` runs the pipeline and chooses between the real expansion and the
//! stand-in of `fallback`. The expansion is split by what it writes: `model`
//! (the `Model` impl, the key struct, the key spaces and the indexes),
//! `document` (the `Document` impl and the conversion of each field), `rules`
//! (`Document::validate`) and `paths` (the path constants and their codecs).
//! This module keeps the helpers they share: key roles and guards, the kinds of
//! stored fields, and the spans and local names of the generated code.

mod document;
mod entity;
mod model;
mod paths;
mod rules;

use crate::ast::{Container, Field};
use crate::attr::{Derive, TimeUnit};
use crate::check;
use crate::ctxt::Ctxt;
use crate::fallback;
use document::expand_document;
use model::expand_model;
use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::DeriveInput;

/// Expands `#[derive(Model)]` or `#[derive(Document)]`: the impls when the input
/// is valid, else every error plus stand-in impls (see [`fallback`]).
pub fn derive(input: &DeriveInput, derive: Derive) -> TokenStream {
    let cx = Ctxt::new();
    let cont = Container::from_ast(&cx, input, derive);
    if let Some(cont) = &cont {
        check::check(&cx, cont);
    }
    let expanded = cx.check().and_then(|()| match &cont {
        Some(cont) => match derive {
            Derive::Model if cont.attrs.shared.is_some() => entity::expand_entity(cont),
            Derive::Model => expand_model(cont),
            Derive::Document => expand_document(cont),
        },
        // `from_ast` reports an error whenever it returns `None`, so `check` above
        // has already returned it.
        None => Err(internal_error(input)),
    });
    match expanded {
        Ok(expanded) => expanded,
        // Code elsewhere that uses this type still finds the impls, so the user
        // sees the mistakes in the struct and not their echoes.
        Err(errors) => fallback::expand(input, derive, cont.as_ref(), errors),
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

fn key_role(field: &Field) -> Option<Role> {
    if field.attrs.hash_key.is_some() {
        Some(Role::Hash)
    } else if field.attrs.range_key.is_some() {
        Some(Role::Range)
    } else {
        None
    }
}

/// A no-op read of the key type's `SCALAR`, placed first in every body that
/// stores or reads the key.
///
/// If the type is no `KeyAttribute`, each body would otherwise report its own
/// unmet bound (`put_key` needs `KeyAttribute`, `take` needs `FromAttribute`),
/// each with a different note. rustc drops an error implied by one it already
/// reported at the same span in the same body, and this read fails exactly like
/// the one in `KEY_SCHEMA`, whose identical copies are merged: the user gets a
/// single error, on the field type.
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

/// Whether the field is stored as an attribute of its own (and has a path
/// constant): not skipped, and not the `extra` map.
fn is_stored(field: &Field) -> bool {
    field.attrs.skip.is_none() && field.attrs.extra.is_none()
}

/// Whether the field is stored through its own `ToAttribute`: not skipped, not
/// `extra`, not encoded by `serde` or a `with` module, and no epoch time.
fn is_plain(field: &Field) -> bool {
    is_stored(field) && field.attrs.serde.is_none() && field.attrs.with_module.is_none() && time_unit(field).is_none()
}

/// Whether the model needs the field's attribute to read an item, as the syntax tells:
/// not an `Option` or a set (which read as `None` or empty when absent), nor a field
/// with a default. A user type that reads absence as a value of its own counts as
/// needed, which errs on the side of refusing a removal.
fn is_required(field: &Field) -> bool {
    if field.attrs.default.is_some() {
        return false;
    }
    if field.attrs.with_module.is_some() {
        return true;
    }
    let Some(name) = crate::ty::type_name(field.ty) else { return true };
    !matches!(name.as_str(), "Option" | "HashSet" | "BTreeSet") || field.attrs.serde.is_some() && name != "Option"
}

/// The unit a timestamp or TTL field is stored in, when the field is one (and is not
/// converted by `with` or `serde`): it is then stored as an epoch number.
fn time_unit(field: &Field) -> Option<TokenStream> {
    let attrs = &field.attrs;
    if attrs.with_module.is_some() || attrs.serde.is_some() {
        return None;
    }
    let unit = match (attrs.created_at.or(attrs.updated_at), attrs.ttl) {
        (Some(unit), _) => unit,
        (None, Some(_)) => TimeUnit::Seconds,
        (None, None) => return None,
    };
    Some(match unit {
        TimeUnit::Seconds => quote!(::dynamo_model::TimeUnit::Seconds),
        TimeUnit::Millis => quote!(::dynamo_model::TimeUnit::Millis),
    })
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

/// A local variable of the generated code, named `name`.
///
/// Mixed-site hygiene keeps it apart from the user's tokens spliced next to it
/// (a `with = errors` function, say) while rustc still points at `span` when it
/// reports something about the variable.
fn local(name: &str, span: Span) -> Ident {
    Ident::new(name, Span::mixed_site().located_at(span))
}

/// The variable holding the value a field's rules check, pointed at `span`.
///
/// Not hygienic, unlike [`local`]: when the value lacks a trait a rule needs,
/// rustc reports at the argument, but moves a span from a macro's own context
/// to the `#[derive]`; with the user's span it stays on the rule. The prefix
/// keeps it out of the way of the user's names instead.
fn value_ident(span: Span) -> Ident {
    Ident::new("__dynamo_value", span)
}

/// The user's function `path` as a `fn` pointer of type `signature`.
///
/// A function of another type is then one mismatch, on the path, in the same
/// words wherever it is used (so rustc reports it once), and the calls through
/// the pointer type-check: no error at each call about what the wrong type led
/// to. A local pointer to a known function is a direct call once optimized.
fn typed_fn(path: &syn::Path, signature: TokenStream) -> TokenStream {
    let function = local("function", path.span());
    // The signature is what rustc says the path was expected to be: on the path,
    // not on the `#[derive]`.
    let signature = respan(signature, path.span());
    quote_spanned!(path.span()=> { let #function: #signature = #path; #function })
}

/// [`typed_fn`] for a function taking `&value_ty` and returning `output`
/// (`set`, a rule's `with`), called through a closure so that the argument
/// coerces as in a direct call: `fn trim(value: &str) -> String` serves a
/// `String` field, as clippy's `ptr_arg` would have it written.
fn typed_ref_fn(path: &syn::Path, value_ty: &syn::Type, output: TokenStream) -> TokenStream {
    let span = path.span();
    let function = local("function", span);
    // Not hygienic, as in `value_ident`: a mismatched argument stays reported on
    // the path alone.
    let value = value_ident(span);
    let signature = respan(quote!(fn(&#value_ty) -> #output), span);
    quote_spanned!(span=> { let #function: #signature = |#value| #path(#value); #function })
}

/// The same tokens, all carrying `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let mut respanned = Group::new(group.delimiter(), respan(group.stream(), span));
                respanned.set_span(span);
                token = TokenTree::Group(respanned);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}
