//! What the syntax of a field's type tells: `Option<T>` and its inner type,
//! the name and arguments of a path type, whether it can be a key or a time,
//! and how a person writes it in a message.
//!
//! A derive sees tokens, not resolved types: these helpers judge by the name as
//! written, and leave what they cannot tell (a user type) to rustc.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;
use syn::{GenericArgument, PathArguments, Type};

/// The inner type of a syntactic `Option<T>`, whose path holds `T`: DynamoDB has no
/// `None`, only an absent attribute.
pub(crate) fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
    let is_option = matches!(
        segments.iter().map(String::as_str).collect::<Vec<_>>().as_slice(),
        ["Option"] | ["std", "option", "Option"] | ["core", "option", "Option"]
    );
    if !is_option {
        return None;
    }
    match &path.path.segments.last()?.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => match args.args.first()? {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// The name of a type written as a path (`String` for `std::string::String`),
/// looking through parentheses and the invisible groups of `macro_rules!`.
pub(crate) fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Group(group) => type_name(&group.elem),
        Type::Paren(paren) => type_name(&paren.elem),
        Type::Path(path) if path.qself.is_none() => path.path.segments.last().map(|last| last.ident.to_string()),
        _ => None,
    }
}

/// The type arguments of a path type's last segment (none for `Item`), or
/// `None` if it has other arguments or is no path.
pub(crate) fn type_arguments(ty: &Type) -> Option<Vec<&Type>> {
    let Type::Path(path) = ty else { return None };
    match &path.path.segments.last()?.arguments {
        PathArguments::None => Some(Vec::new()),
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .map(|arg| match arg {
                GenericArgument::Type(ty) => Some(ty),
                _ => None,
            })
            .collect(),
        PathArguments::Parenthesized(_) => None,
    }
}

/// Whether the type is one of the primitive `names`, without arguments.
pub(crate) fn is_one_of(ty: &Type, names: &[&str]) -> bool {
    let bare = match ty {
        Type::Path(path) => path.path.segments.last().is_some_and(|last| last.arguments.is_none()),
        _ => true,
    };
    bare && type_name(ty).is_some_and(|name| names.contains(&name.as_str()))
}

/// The integer types, as the syntax names them.
pub(crate) const INTEGERS: &[&str] = &["u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64", "isize"];
/// The other number types.
pub(crate) const OTHER_NUMBERS: &[&str] = &["u128", "i128", "f32", "f64"];

/// `i64`, `u64` or an `Option` of one: what a time in epoch seconds or
/// milliseconds is stored as.
pub(crate) fn is_epoch_time(ty: &Type) -> bool {
    let epoch = |ty: &Type| {
        is_one_of(ty, &["i64", "u64", "SystemTime", "OffsetDateTime"]) || type_name(ty).as_deref() == Some("DateTime")
    };
    epoch(ty) || option_inner(ty).is_some_and(epoch)
}

/// Whether the type is `String` or `&str`, as far as its syntax tells.
pub(crate) fn is_string(ty: &Type) -> bool {
    match ty {
        Type::Reference(reference) => is_one_of(&reference.elem, &["str"]),
        _ => is_one_of(ty, &["String"]),
    }
}

/// Whether a type may be a key as far as its syntax tells. A user type passes
/// here; the `KeyAttribute` bound in the generated code judges it later.
pub(crate) fn is_scalar(ty: &Type) -> bool {
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
pub(crate) fn is_u8_argument(arguments: &PathArguments) -> bool {
    let PathArguments::AngleBracketed(arguments) = arguments else {
        return false;
    };
    let mut args = arguments.args.iter();
    match (args.next(), args.next()) {
        (Some(GenericArgument::Type(Type::Path(elem))), None) => elem.qself.is_none() && elem.path.is_ident("u8"),
        _ => false,
    }
}

/// Renders a type as a person writes it (`Option<String>`, `&'a str`), not with
/// the token stream's spacing (`Option < String >`).
pub(crate) fn type_to_string(ty: &Type) -> String {
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

#[cfg(test)]
mod tests {
    use super::{is_epoch_time, is_one_of, is_scalar, is_string, type_arguments, type_name, type_to_string, INTEGERS};
    use syn::{parse_quote, Type};

    #[test]
    fn types_of_rules_and_lifecycle_fields() {
        let string: [Type; 4] =
            [parse_quote!(String), parse_quote!(std::string::String), parse_quote!(&str), parse_quote!(&'static str)];
        assert!(string.iter().all(is_string));
        let not_string: [Type; 4] =
            [parse_quote!(i64), parse_quote!(Vec<u8>), parse_quote!(String<u8>), parse_quote!(&String)];
        assert!(!not_string.iter().any(is_string));

        let epoch: [Type; 4] =
            [parse_quote!(i64), parse_quote!(u64), parse_quote!(Option<i64>), parse_quote!(std::option::Option<u64>)];
        assert!(epoch.iter().all(is_epoch_time));
        let not_epoch: [Type; 4] =
            [parse_quote!(i32), parse_quote!(String), parse_quote!(Option<Option<i64>>), parse_quote!(Vec<i64>)];
        assert!(!not_epoch.iter().any(is_epoch_time));

        assert!(is_one_of(&parse_quote!(usize), INTEGERS));
        assert!(!is_one_of(&parse_quote!(u128), INTEGERS));
        assert!(!is_one_of(&parse_quote!(Option<u64>), INTEGERS));

        let map: Type = parse_quote!(std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>);
        assert_eq!(type_name(&map).as_deref(), Some("HashMap"));
        assert_eq!(type_arguments(&map).map(|args| args.len()), Some(2));
        assert_eq!(type_arguments(&parse_quote!(Item)).map(|args| args.len()), Some(0));
    }

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
