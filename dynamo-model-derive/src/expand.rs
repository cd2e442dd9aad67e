//! Code generation for a model that passed every check.

use crate::ast::{Container, Field};
use crate::check;
use crate::ctxt::Ctxt;
use crate::fallback;
use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
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

    let hash_def = key_def(hash);
    let range_def = match cont.range_key() {
        Some(range) => {
            let def = key_def(range);
            quote!(::core::option::Option::Some(#def))
        }
        None => quote!(::core::option::Option::None),
    };

    let put_keys: Vec<TokenStream> = keys.iter().map(|(field, role)| put_key(field, *role, &name)).collect();
    let key_count = keys.len();
    let key_guards: Vec<TokenStream> = keys.iter().map(|(field, _)| key_guard(field)).collect();

    let stored: Vec<&Field> = cont.fields.iter().filter(|field| field.attrs.skip.is_none()).collect();
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
        _ => format!("Builds the primary key of the [`{name}`] item with hash key `{}`.", hash.member.unraw()),
    };

    let attributes = stored.iter().map(|field| &field.attrs.name);
    let encoder_guards = stored.iter().filter_map(|field| encoder_guard(field));
    let paths = path_consts(cont);
    let hash_ty = hash.ty;
    let (range_ty, range_field) = match cont.range_key() {
        Some(range) => {
            let ty = range.ty;
            let marker = field_marker(cont, range);
            (quote!(#ty), marker)
        }
        None => (quote!(::dynamo_model::NoRange), quote!(::dynamo_model::expr::Nested)),
    };
    let cursor_keys = keys.iter().map(|(field, _)| &field.attrs.name);

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

        #paths

        #[automatically_derived]
        impl ::dynamo_model::Document for #ident {
            const NAME: &'static str = #name;
            const ATTRIBUTES: &'static [&'static str] = &[#(#attributes),*];

            fn to_item(&self) -> ::dynamo_model::Result<::dynamo_model::Item> {
                #(#key_guards)*
                #(#encoder_guards)*
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
        }

        #[automatically_derived]
        impl ::dynamo_model::Model for #ident {
            type Key = #key_ident;
            const TABLE: &'static str = #table;
            const KEY_SCHEMA: ::dynamo_model::__private::KeySchema = ::dynamo_model::__private::KeySchema {
                hash: #hash_def,
                range: #range_def,
            };

            fn key(&self) -> #key_ident {
                #key_ident {
                    #(#key_members: ::core::clone::Clone::clone(&self.#key_members)),*
                }
            }
        }

        #[automatically_derived]
        impl ::dynamo_model::KeySpace for #ident
        where
            // Always true once the model compiles. When the hash key's type is no
            // key attribute, the bound of `KeySpace::Hash` would repeat the error
            // already reported on the field; assumed here, it stays quiet. (The
            // unused lifetime makes the bound non-trivial, which stable requires.)
            for<'__dynamo> #hash_ty: ::dynamo_model::KeyAttribute,
        {
            type Model = #ident;
            type Hash = #hash_ty;
            type Range = #range_ty;
            type RangeField = #range_field;
            const INDEX: ::core::option::Option<&'static str> = ::core::option::Option::None;
            const HASH: ::dynamo_model::__private::KeyDef = #hash_def;
            const RANGE: ::core::option::Option<::dynamo_model::__private::KeyDef> = #range_def;
            const CURSOR_KEYS: &'static [&'static str] = &[#(#cursor_keys),*];
            const PROJECTED: ::core::option::Option<&'static [&'static str]> = ::core::option::Option::None;
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

/// The `KeyDef` of one key field in `KEY_SCHEMA`.
fn key_def(field: &Field) -> TokenStream {
    let attribute = &field.attrs.name;
    let ty = field.ty;
    // Spanned on the field type: a type that is no key attribute (a user struct,
    // say) gets its trait error there.
    let scalar = quote_spanned!(ty.span()=>
        <#ty as ::dynamo_model::__private::KeyAttribute>::SCALAR
    );
    quote! {
        ::dynamo_model::__private::KeyDef { name: #attribute, scalar: #scalar }
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
    let put = if field.attrs.serde.is_some() { Ident::new("put_serde", span) } else { Ident::new("put", span) };
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

/// `::dynamo_model::expr::Field<I>`, the marker of the field at index `I`: a key
/// condition is accepted only on the marker of the sort key it targets.
fn field_marker(cont: &Container, field: &Field) -> TokenStream {
    let index = cont.fields.iter().position(|f| std::ptr::eq(f.original, field.original)).unwrap_or(usize::MAX);
    quote!(::dynamo_model::expr::Field<#index>)
}

/// The value type of a field's path constant and the encoder it carries.
///
/// Spanned like the calls of `to_item` (on the field type, on the module path for
/// `with`), so that rustc reports a field type it cannot store, or a missing
/// `to_attribute`, once for the constant and the method together (see
/// `encoder_guard`).
fn path_encoder(field: &Field) -> (TokenStream, TokenStream) {
    if let Some(module) = &field.attrs.with_module {
        let ty = field.ty;
        let to_attribute = quote_spanned!(module.span()=> #module::to_attribute);
        let encoder = quote! {{
            fn encode(
                value: &#ty,
            ) -> ::core::result::Result<
                ::core::option::Option<::dynamo_model::AttributeValue>,
                ::dynamo_model::EncodeError,
            > {
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
    let encoder = if field.attrs.serde.is_some() {
        quote_spanned!(span=> ::dynamo_model::__private::encode_serde::<#spanned_ty>)
    } else {
        quote_spanned!(span=> <#spanned_ty as ::dynamo_model::ToAttribute>::to_attribute)
    };
    (quote!(#ty), encoder)
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

/// A no-op use, at the top of `to_item`, of the encoder a plain or `serde`
/// field's path constant carries.
///
/// When the field type cannot be encoded, the constant and `put`/`put_serde`
/// would each report it, with different notes. This use fails exactly like the
/// constant (so rustc merges the two), and it comes first in `to_item`, where
/// rustc then drops the same unmet bound at the same span for `put`. Key fields
/// have `key_guard`, and `with` fields need none: their functions are resolved
/// at one span in both places.
fn encoder_guard(field: &Field) -> Option<TokenStream> {
    if field.attrs.is_key() || field.attrs.skip.is_some() || field.attrs.with_module.is_some() {
        return None;
    }
    let (_, encoder) = path_encoder(field);
    Some(quote_spanned!(field.ty.span()=> let _ = #encoder;))
}

/// The inner type of a syntactic `Option<T>`, whose path holds `T`: DynamoDB has no
/// `None`, only an absent attribute.
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
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

/// `Order::TOTAL_CENTS: Path<Order, i64, Field<3>>` for every stored field.
fn path_consts(cont: &Container) -> TokenStream {
    let ident = cont.ident;
    let vis = &cont.original.vis;
    let consts = cont.fields.iter().filter(|field| field.attrs.skip.is_none()).map(|field| {
        let const_name = format_ident!(
            "{}",
            crate::case::RenameRule::ScreamingSnakeCase.apply_to_field(&field.member.unraw().to_string())
        );
        let attribute = &field.attrs.name;
        let marker = field_marker(cont, field);
        let doc = format!("Path to the `{attribute}` attribute.");
        let (value_ty, encoder) = path_encoder(field);
        // See `key_guard`: a key type that is no key attribute is reported once,
        // on the field, rather than once more here for its `ToAttribute` bound.
        let guard = if field.attrs.is_key() { Some(key_guard(field)) } else { None };
        quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            #vis const #const_name: ::dynamo_model::expr::Path<#ident, #value_ty, #marker> = {
                #guard
                ::dynamo_model::expr::Path::new(#attribute, #encoder)
            };
        }
    });
    quote! {
        impl #ident {
            #(#consts)*
        }
    }
}
