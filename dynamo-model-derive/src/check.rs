//! The modelling rules a struct must follow, checked before any code is written.
//!
//! Each rule reports at the token that breaks it. A rule that would only restate
//! an earlier error (a "missing" key next to a key that could not be read) stays
//! quiet, so the user sees their mistakes and not their consequences.

use crate::ast::{Container, Field};
use crate::ctxt::Ctxt;
use crate::symbol::{Symbol, DEFAULT, RENAME, SERDE, SKIP, WITH};
use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::HashMap;
use syn::{GenericArgument, PathArguments, Type};

/// Applies every rule, reporting each violation to `cx`.
pub fn check(cx: &Ctxt, cont: &Container) {
    check_generics(cx, cont);
    check_table(cx, cont);
    check_keys(cx, cont);
    for field in &cont.fields {
        check_field(cx, field);
    }
    check_attribute_names(cx, cont);
}

fn check_generics(cx: &Ctxt, cont: &Container) {
    let generics = &cont.original.generics;
    if !generics.params.is_empty() {
        // Prints as `<...>` only, which is the part to point at.
        cx.error_spanned_by(
            generics,
            "generic models are not supported yet: give the struct concrete field types",
        );
    }
}

fn check_table(cx: &Ctxt, cont: &Container) {
    // `table` may be hiding behind a key that could not be read (`tabel = ...`).
    if !cont.attrs.table_written && !cont.incomplete() {
        cx.error_spanned_by(
            cont.ident,
            format!(
                "missing table name: add `#[dynamo(table = \"...\")]` to `{}` with the name of its DynamoDB table",
                cont.ident
            ),
        );
    }
}

fn check_keys(cx: &Ctxt, cont: &Container) {
    let mut hash: Option<&Field> = None;
    let mut range: Option<&Field> = None;
    for field in &cont.fields {
        let attrs = &field.attrs;
        if let (Some(_), Some(range_key)) = (attrs.hash_key, attrs.range_key) {
            cx.error(
                range_key,
                "a field cannot be both the hash key and the range key: the range key is a second field that, with the hash key, identifies an item",
            );
        }
        if let Some(hash_key) = attrs.hash_key {
            match hash {
                None => hash = Some(field),
                Some(first) => {
                    let hint = if range.is_none() && attrs.range_key.is_none() {
                        "; for a composite primary key, make this one `#[dynamo(range_key)]`"
                    } else {
                        ""
                    };
                    cx.error(
                        hash_key,
                        format!(
                            "a model needs exactly one `#[dynamo(hash_key)]` field, and `{}` is already the hash key{hint}",
                            first.member
                        ),
                    );
                }
            }
        } else if let Some(range_key) = attrs.range_key {
            match range {
                None => range = Some(field),
                Some(first) => cx.error(
                    range_key,
                    format!(
                        "a model can have at most one `#[dynamo(range_key)]` field, and `{}` is already the range key",
                        first.member
                    ),
                ),
            }
        }
    }
    // A `#[dynamo(hash_kye)]` may be the hash key the user meant.
    if hash.is_none() && !cont.incomplete() {
        cx.error_spanned_by(
            cont.ident,
            "a model needs exactly one `#[dynamo(hash_key)]` field: mark the field that holds the item's partition key",
        );
    }
}

fn check_field(cx: &Ctxt, field: &Field) {
    let attrs = &field.attrs;
    let conversions = [
        (attrs.default, DEFAULT),
        (attrs.skip, SKIP),
        (attrs.serde, SERDE),
        (attrs.with, WITH),
    ];
    if attrs.is_key() {
        let role = if attrs.hash_key.is_some() {
            "the hash key"
        } else {
            "the range key"
        };
        for (span, key) in conversions {
            let Some(span) = span else { continue };
            let why = if key == DEFAULT || key == SKIP {
                "every item stores its key"
            } else {
                "key fields are stored as themselves, as a string, number or binary attribute"
            };
            cx.error(span, format!("`{key}` cannot be used on {role}: {why}"));
        }
        check_key_type(cx, field);
        return;
    }
    if attrs.skip.is_some() {
        let rename = attrs.rename.as_ref().map(|lit| (lit.span(), RENAME));
        for (span, key) in conversions.into_iter().map(|(span, key)| span.map(|span| (span, key))).chain([rename]).flatten() {
            if key == SKIP {
                continue;
            }
            cx.error(span, skip_conflict(key));
        }
        return;
    }
    if let (Some(_), Some(with)) = (attrs.serde, attrs.with) {
        cx.error(
            with,
            "`serde` and `with` cannot be combined: choose one way to convert this field",
        );
    }
}

fn skip_conflict(key: Symbol) -> String {
    let effect = if key == DEFAULT {
        "it always reads back as `Default::default()`"
    } else {
        "it is never stored"
    };
    format!("`skip` cannot be combined with `{key}`: a skipped field is never stored, and {effect}")
}

fn check_key_type(cx: &Ctxt, field: &Field) {
    if !is_scalar(field.ty) {
        cx.error_spanned_by(
            field.ty,
            format!(
                "key attributes must be a string, number or binary (String, an integer or float type, Vec<u8>); `{}` is not",
                type_to_string(field.ty)
            ),
        );
    }
}

/// Whether a type may be a key as far as its syntax tells. A user type passes
/// here; the `KeyAttribute` bound in the generated code judges it later.
fn is_scalar(ty: &Type) -> bool {
    match ty {
        Type::Group(group) => is_scalar(&group.elem),
        Type::Paren(paren) => is_scalar(&paren.elem),
        Type::Path(path) => {
            let Some(last) = path.path.segments.last() else {
                return true;
            };
            if path.qself.is_some() {
                return true;
            }
            match last.ident.to_string().as_str() {
                "Option" | "HashMap" | "BTreeMap" | "HashSet" | "BTreeSet" | "bool" => false,
                "Vec" => is_u8_argument(&last.arguments),
                _ => true,
            }
        }
        Type::Tuple(_)
        | Type::Array(_)
        | Type::Slice(_)
        | Type::Reference(_)
        | Type::Ptr(_)
        | Type::BareFn(_)
        | Type::TraitObject(_)
        | Type::ImplTrait(_)
        | Type::Never(_) => false,
        _ => true,
    }
}

/// Whether `<...>` is exactly `<u8>`.
fn is_u8_argument(arguments: &PathArguments) -> bool {
    let PathArguments::AngleBracketed(arguments) = arguments else {
        return false;
    };
    let mut args = arguments.args.iter();
    match (args.next(), args.next()) {
        (Some(GenericArgument::Type(Type::Path(elem))), None) => {
            elem.qself.is_none() && elem.path.is_ident("u8")
        }
        _ => false,
    }
}

/// Renders a type as a person writes it (`Option<String>`, `&'a str`), not with
/// the token stream's spacing (`Option < String >`).
fn type_to_string(ty: &Type) -> String {
    // `after_word` says whether the last thing written was an identifier or a
    // literal: only two words in a row need a space between them (`&'a str`).
    fn write(tokens: TokenStream, out: &mut String, after_word: &mut bool) {
        for token in tokens {
            match token {
                TokenTree::Group(group) => {
                    let (open, close) = match group.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::None => ("", ""),
                    };
                    out.push_str(open);
                    if !open.is_empty() {
                        *after_word = false;
                    }
                    write(group.stream(), out, after_word);
                    out.push_str(close);
                    if !close.is_empty() {
                        *after_word = false;
                    }
                }
                TokenTree::Ident(_) | TokenTree::Literal(_) => {
                    if *after_word {
                        out.push(' ');
                    }
                    out.push_str(&token.to_string());
                    *after_word = true;
                }
                TokenTree::Punct(punct) => {
                    match punct.as_char() {
                        ch @ (',' | ';') => {
                            out.push(ch);
                            out.push(' ');
                        }
                        ch @ ('+' | '=') => {
                            out.push(' ');
                            out.push(ch);
                            out.push(' ');
                        }
                        '-' if punct.spacing() == Spacing::Joint => out.push_str(" -"),
                        '>' if out.ends_with('-') => out.push_str("> "),
                        ch => out.push(ch),
                    }
                    *after_word = false;
                }
            }
        }
    }
    let mut out = String::new();
    write(ty.to_token_stream(), &mut out, &mut false);
    out.trim().to_owned()
}

fn check_attribute_names(cx: &Ctxt, cont: &Container) {
    let mut seen: HashMap<&str, &Field> = HashMap::new();
    for field in &cont.fields {
        if field.attrs.skip.is_some() {
            continue;
        }
        let name = field.attrs.name.as_str();
        let Some(first) = seen.get(name) else {
            seen.insert(name, field);
            continue;
        };
        let message = format!(
            "two fields are stored as the attribute {name:?}: `{}` already uses that name; give one of them a different `#[dynamo(rename = \"...\")]`",
            first.member
        );
        match &field.attrs.rename {
            Some(lit) => cx.error_spanned_by(lit, message),
            None => cx.error_spanned_by(&field.original.ident, message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_scalar, type_to_string};
    use syn::{parse_quote, Type};

    #[test]
    fn scalars() {
        let scalars: [Type; 7] = [
            parse_quote!(String),
            parse_quote!(u64),
            parse_quote!(f64),
            parse_quote!(Vec<u8>),
            parse_quote!(std::vec::Vec<u8>),
            parse_quote!(CustomerId),
            parse_quote!(<T as Trait>::Assoc),
        ];
        for ty in &scalars {
            assert!(is_scalar(ty), "{}", type_to_string(ty));
        }
        let not_scalars: [Type; 11] = [
            parse_quote!(Option<String>),
            parse_quote!(std::option::Option<u8>),
            parse_quote!(Vec<String>),
            parse_quote!(Vec),
            parse_quote!(HashMap<String, u8>),
            parse_quote!(BTreeSet<u8>),
            parse_quote!(bool),
            parse_quote!((String, u8)),
            parse_quote!(()),
            parse_quote!([u8; 16]),
            parse_quote!(&'static str),
        ];
        for ty in &not_scalars {
            assert!(!is_scalar(ty), "{}", type_to_string(ty));
        }
    }

    #[test]
    fn types_print_as_written() {
        let cases: [(Type, &str); 9] = [
            (parse_quote!(Option<String>), "Option<String>"),
            (parse_quote!(std::collections::HashMap<String, Vec<u8>>), "std::collections::HashMap<String, Vec<u8>>"),
            (parse_quote!(&'a str), "&'a str"),
            (parse_quote!(&mut Vec<u8>), "&mut Vec<u8>"),
            (parse_quote!((String, u8)), "(String, u8)"),
            (parse_quote!(()), "()"),
            (parse_quote!([u8; 16]), "[u8; 16]"),
            (parse_quote!(Box<dyn Fn(u8) -> u8 + Send>), "Box<dyn Fn(u8) -> u8 + Send>"),
            (parse_quote!(bool), "bool"),
        ];
        for (ty, expected) in &cases {
            assert_eq!(type_to_string(ty), *expected);
        }
    }
}
