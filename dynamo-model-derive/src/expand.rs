//! Code generation for a model or document that passed every check.

use crate::ast::{Container, Field};
use crate::attr::{DefaultValue, Derive, Index, IndexKind, Projection, RuleKind, TimeUnit};
use crate::case::screaming_snake;
use crate::check;
use crate::ctxt::Ctxt;
use crate::fallback;
use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
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
    let range_def = option_key_def(cont.range_key());

    let put_keys: Vec<TokenStream> = keys.iter().map(|(field, role)| put_key(field, *role, &name)).collect();
    let key_count = keys.len();
    let key_guards: Vec<TokenStream> = keys.iter().map(|(field, _)| key_guard(field)).collect();

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

    let document = document_impl(cont, &keys);
    let lifecycle = lifecycle(cont);
    // A batch cannot check a version, so only unversioned models may be batch-put.
    let unversioned = (!cont.fields.iter().any(|field| field.attrs.version.is_some())).then(|| {
        quote! {
            #[automatically_derived]
            impl ::dynamo_model::batch::Unversioned for #ident {}
        }
    });
    let indexes: Vec<IndexParts> = cont
        .attrs
        .indexes
        .iter()
        .map(|index| index_parts(cont, index))
        .collect::<Option<_>>()
        .ok_or_else(|| internal_error(cont.original))?;
    let index_consts = indexes.iter().map(|index| &index.constant);
    let paths = path_consts(cont, index_consts);
    let index_defs = indexes.iter().map(|index| &index.def);
    let key_spaces = indexes.iter().map(|index| &index.key_space);
    let table_key_space = key_space(
        cont,
        &quote!(#ident),
        hash,
        cont.range_key().map(|range| (range, range.member.span())),
        &table_keys(cont),
        &quote!(::core::option::Option::None),
        None,
    );

    Ok(quote! {
        #key_struct

        impl #ident {
            #[doc = #key_fn_doc]
            // A model may never be looked up by key in the code that declares it.
            #[allow(dead_code)]
            #vis fn key(#(#key_members: impl ::dynamo_model::IntoValue<#key_types>),*) -> #key_ident {
                #key_ident { #(#key_members: ::dynamo_model::IntoValue::into_value(#key_members)),* }
            }
        }

        #paths

        #document

        #[automatically_derived]
        impl ::dynamo_model::Model for #ident {
            type Key = #key_ident;
            const TABLE: &'static str = #table;
            const KEY_SCHEMA: ::dynamo_model::__private::KeySchema = ::dynamo_model::__private::KeySchema {
                hash: #hash_def,
                range: #range_def,
            };
            const INDEXES: &'static [::dynamo_model::IndexDef] = &[#(#index_defs),*];
            #lifecycle

            fn key(&self) -> #key_ident {
                #key_ident {
                    #(#key_members: ::core::clone::Clone::clone(&self.#key_members)),*
                }
            }
        }

        #table_key_space

        #unversioned

        #(#key_spaces)*

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

/// The lifecycle items of `impl Model`: only those the model declares (`check`
/// allows one field each, any number of counters), the trait's defaults standing
/// for the rest.
fn lifecycle(cont: &Container) -> TokenStream {
    let mut items = Vec::new();
    for field in &cont.fields {
        let attrs = &field.attrs;
        let attribute = &attrs.name;
        if attrs.version.is_some() {
            // On the field type: an unmet `Copy + TryInto<u64>` is reported there.
            let (span, member) = spanned_on_type(field);
            let version = quote_spanned!(span=> ::dynamo_model::__private::version_of(&self.#member));
            items.push(quote! {
                const VERSION: ::core::option::Option<&'static str> = ::core::option::Option::Some(#attribute);

                fn version(&self) -> u64 {
                    #version
                }
            });
        }
        let timestamps = [(quote!(CREATED_AT), attrs.created_at), (quote!(UPDATED_AT), attrs.updated_at)];
        for (constant, timestamp) in timestamps {
            let Some(unit) = timestamp else { continue };
            let unit = match unit {
                TimeUnit::Seconds => quote!(::dynamo_model::TimeUnit::Seconds),
                TimeUnit::Millis => quote!(::dynamo_model::TimeUnit::Millis),
            };
            items.push(quote! {
                const #constant: ::core::option::Option<::dynamo_model::Timestamp> =
                    ::core::option::Option::Some(::dynamo_model::Timestamp { name: #attribute, unit: #unit });
            });
        }
        if attrs.ttl.is_some() {
            items.push(quote! {
                const TTL: ::core::option::Option<&'static str> = ::core::option::Option::Some(#attribute);
            });
        }
    }
    let counters: Vec<&str> = cont
        .fields
        .iter()
        .filter(|field| field.attrs.counter.is_some())
        .map(|field| field.attrs.name.as_str())
        .collect();
    if !counters.is_empty() {
        items.push(quote! {
            const COUNTERS: &'static [&'static str] = &[#(#counters),*];
        });
    }
    quote!(#(#items)*)
}

fn expand_document(cont: &Container) -> syn::Result<TokenStream> {
    let ident = cont.ident;
    let paths = path_consts(cont, std::iter::empty());
    let document = document_impl(cont, &[]);
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
fn document_impl(cont: &Container, keys: &[(&Field, Role)]) -> TokenStream {
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
                ::core::result::Result::Ok(item)
            }

            fn from_item(mut item: ::dynamo_model::Item) -> ::dynamo_model::Result<Self> {
                #(#key_guards)*
                #construct
            }

            #validate

            fn __required_attributes(out: &mut ::std::vec::Vec<&'static str>) {
                out.extend_from_slice(&[#(#required),*]);
            }
        }
    }
}

/// Whether the field is stored as an attribute of its own (and has a path
/// constant): not skipped, and not the `extra` map.
fn is_stored(field: &Field) -> bool {
    field.attrs.skip.is_none() && field.attrs.extra.is_none()
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

/// `Document::validate`, when the struct has any rule or any plain field: every
/// field's rules in field order, each plain field's nested documents right after
/// its own rules, then the struct's own `validate = f`. `None` keeps the trait's
/// `Ok(())`.
fn validate_fn(cont: &Container, name: &str) -> Option<TokenStream> {
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

/// Whether the field is stored through its own `ToAttribute`: not skipped, not
/// `extra`, not encoded by `serde` or a `with` module, and no epoch time.
fn is_plain(field: &Field) -> bool {
    is_stored(field) && field.attrs.serde.is_none() && field.attrs.with_module.is_none() && time_unit(field).is_none()
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
fn rule_calls(field: &Field, value_ty: &syn::Type, errors: &Ident) -> TokenStream {
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
fn number_for(expr: &syn::Expr, value_ty: &syn::Type) -> TokenStream {
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

/// The attribute names of the table's keys: hash, then range if any.
fn table_keys<'c>(cont: &'c Container) -> Vec<&'c str> {
    cont.hash_key().into_iter().chain(cont.range_key()).map(|field| field.attrs.name.as_str()).collect()
}

/// `impl KeySpace for #space`, for the table (`space` is the model) or an index
/// (`space` is its marker type).
///
/// `range` comes with the span where the range key is declared, where the
/// key space's sort-key trait is implemented for it.
fn key_space(
    cont: &Container,
    space: &TokenStream,
    hash: &Field,
    range: Option<(&Field, Span)>,
    cursor_keys: &[&str],
    projected: &TokenStream,
    index: Option<(&str, IndexKind)>,
) -> TokenStream {
    let index_name = index.map(|(name, _)| name);
    // The table and its local indexes can be read with strong consistency.
    let consistent = index.is_none_or(|(_, kind)| kind == IndexKind::Local);
    let index = match index_name {
        Some(name) => quote!(::core::option::Option::Some(#name)),
        None => quote!(::core::option::Option::None),
    };
    let ident = cont.ident;
    let hash_path = format_ident!("{}", screaming_snake(&hash.member.unraw().to_string()));
    let hash_ty_for_bounds = key_ty(hash);
    let consistent = consistent.then(|| {
        quote! {
            #[automatically_derived]
            impl ::dynamo_model::schema::ConsistentRead for #space
            where
                for<'__dynamo> #hash_ty_for_bounds: ::dynamo_model::KeyAttribute,
            {}
        }
    });
    let hash_ty = key_ty(hash);
    let hash_def = key_def(hash);
    let range_def = option_key_def(range.map(|(field, _)| field));
    let (range_ty, range_marker, range_bound) = match range {
        Some((range, span)) => {
            let ty = key_ty(range);
            (
                quote!(#ty),
                Some(respan(field_marker(&cont.fields, range), span)),
                Some(quote!(for<'__dynamo> #ty: ::dynamo_model::KeyAttribute,)),
            )
        }
        None => (quote!(::dynamo_model::NoRange), None, None),
    };
    let assumed = quote! {
        for<'__dynamo> #hash_ty_for_bounds: ::dynamo_model::KeyAttribute,
        #range_bound
    };
    let sort_key = sort_key_condition(cont, space, index_name, range.map(|(field, _)| field), range_marker, &assumed);
    quote! {
        #[automatically_derived]
        impl ::dynamo_model::KeySpace for #space
        where
            // Always true once the model compiles. When a key's type is no key
            // attribute, the bound of `KeySpace::Hash` and the `SCALAR`s below would
            // repeat the error already reported on the field; assumed here, they
            // stay quiet. (The unused lifetime makes the bound non-trivial, which
            // stable requires.)
            for<'__dynamo> #hash_ty: ::dynamo_model::KeyAttribute,
            #range_bound
        {
            type Model = #ident;
            type Hash = #hash_ty;
            type Range = #range_ty;
            const INDEX: ::core::option::Option<&'static str> = #index;
            const HASH: ::dynamo_model::__private::KeyDef = #hash_def;
            const RANGE: ::core::option::Option<::dynamo_model::__private::KeyDef> = #range_def;
            const CURSOR_KEYS: &'static [&'static str] = &[#(#cursor_keys),*];
            const PROJECTED: ::core::option::Option<&'static [&'static str]> = #projected;

            fn encode_hash(
                value: &Self::Hash,
            ) -> ::dynamo_model::__private::Encoded {
                ::dynamo_model::__private::path_encode(&#ident::#hash_path, value)
            }
        }

        #consistent

        #sort_key
    }
}

/// What `range` accepts on key space `space`: conditions on its sort key only, through a
/// trait of its own, so that a condition on another attribute is reported in words
/// naming the key space and its sort key.
fn sort_key_condition(
    cont: &Container,
    space: &TokenStream,
    index_name: Option<&str>,
    range: Option<&Field>,
    range_marker: Option<TokenStream>,
    assumed: &TokenStream,
) -> TokenStream {
    let ident = cont.ident;
    let vis = &cont.original.vis;
    let model = ident.unraw().to_string();
    let trait_ident = match index_name {
        Some(index) => format_ident!("__{}_{}_SortKey", ident.unraw(), index.replace(['-', '.'], "_")),
        None => format_ident!("__{}_SortKey", ident.unraw()),
    };
    let place = match index_name {
        Some(index) => format!("the index `{index}` of `{model}`"),
        None => format!("the table of `{model}`"),
    };
    let (message, label) = match range {
        Some(range) => (
            format!("this is not a condition on `{}`, the sort key of {place}", range.attrs.name),
            format!("`range` takes `eq`, `lt`, `le`, `gt`, `ge`, `between` or `begins_with` on `{}`", range.attrs.name),
        ),
        None => (
            format!("{place} has no sort key, so a query of it takes no `range`"),
            "a query of a key space without a sort key reads the whole partition".to_owned(),
        ),
    };
    let note = "conditions on other attributes go in `filter`";
    let marker_impl = range_marker.map(|marker| quote!(impl #trait_ident for #marker {}));
    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
        #vis trait #trait_ident {}

        #marker_impl

        #[automatically_derived]
        impl<__F: #trait_ident> ::dynamo_model::ops::SortKeyCondition<#space> for ::dynamo_model::expr::KeyComparison<#ident, __F>
        where
            #assumed
        {
            fn __into_condition(self) -> ::dynamo_model::expr::Condition<#ident> {
                ::core::convert::From::from(self)
            }
        }
    }
}

/// What one secondary index adds to the expansion.
struct IndexParts {
    /// Its `IndexDef` in `Model::INDEXES`.
    def: TokenStream,
    /// Its marker type and the marker's `KeySpace` impl.
    key_space: TokenStream,
    /// `Order::BY_STATUS`, in the model's inherent impl.
    constant: TokenStream,
}

/// The expansion of one index; `None` if it does not resolve, which `check` has
/// ruled out.
fn index_parts(cont: &Container, index: &Index) -> Option<IndexParts> {
    let ident = cont.ident;
    let vis = &cont.original.vis;
    let name = index.name.as_ref()?.value();
    let hash = match index.kind {
        IndexKind::Global => cont.field_named(index.hash.as_ref()?)?,
        IndexKind::Local => cont.hash_key()?,
    };
    let range = match &index.range {
        Some(range) => Some(cont.field_named(range)?),
        None => None,
    };

    let hash_def = key_def(hash);
    let range_def = option_key_def(range);
    let (kind, kind_noun) = match index.kind {
        IndexKind::Global => (quote!(::dynamo_model::IndexKind::Global), index.kind.noun()),
        IndexKind::Local => (quote!(::dynamo_model::IndexKind::Local), index.kind.noun()),
    };

    // Keys first, each attribute once: a key of both the table and the index is
    // one attribute of the item.
    let mut keys: Vec<&str> = table_keys(cont);
    for field in std::iter::once(hash).chain(range) {
        if !keys.contains(&field.attrs.name.as_str()) {
            keys.push(&field.attrs.name);
        }
    }
    let (projection, projected, holds) = match &index.projection {
        Projection::All => (
            quote!(::dynamo_model::IndexProjection::All),
            quote!(::core::option::Option::None),
            "every attribute".to_owned(),
        ),
        Projection::KeysOnly => (
            quote!(::dynamo_model::IndexProjection::KeysOnly),
            quote!(::core::option::Option::Some(&[#(#keys),*])),
            "the keys only".to_owned(),
        ),
        Projection::Include(fields, _) => {
            let included: Vec<&str> = fields
                .iter()
                .map(|field| cont.field_named(field).map(|field| field.attrs.name.as_str()))
                .collect::<Option<_>>()?;
            let mut projected = keys.clone();
            projected.extend(included.iter().filter(|name| !keys.contains(name)));
            let listed: Vec<String> = included.iter().map(|name| format!("`{name}`")).collect();
            (
                quote!(::dynamo_model::IndexProjection::Include(&[#(#included),*])),
                quote!(::core::option::Option::Some(&[#(#projected),*])),
                format!("the keys and {}", listed.join(", ")),
            )
        }
    };

    let def = quote! {
        ::dynamo_model::IndexDef {
            name: #name,
            kind: #kind,
            hash: #hash_def,
            range: #range_def,
            projection: #projection,
        }
    };

    // Index names hold only `[A-Za-z0-9_.-]` (checked), so with a prefix they make
    // an identifier once `-` and `.` are replaced.
    let marker = format_ident!("__{}_{}", ident.unraw(), name.replace(['-', '.'], "_"));
    let marker_doc = format!(
        "The key space of the index `{name}` of [`{ident}`]: the type behind `{ident}::{}`.",
        screaming_snake(&name)
    );
    // Where the index declares its range key (an `lsi` has one, a `gsi` may).
    let range_declared = range.zip(index.range.as_ref().map(Ident::span));
    let key_space =
        key_space(cont, &quote!(#marker), hash, range_declared, &keys, &projected, Some((&name, index.kind)));
    let key_space = quote! {
        #[doc = #marker_doc]
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis enum #marker {}

        #key_space
    };

    let constant_ident = format_ident!("{}", screaming_snake(&name));
    let keys_doc = match range {
        Some(range) => format!("hash `{}`, range `{}`", hash.attrs.name, range.attrs.name),
        None => format!("hash `{}`", hash.attrs.name),
    };
    let doc = format!("The {kind_noun} `{name}` ({keys_doc}), holding {holds}.");
    let constant = quote! {
        #[doc = #doc]
        #[allow(dead_code)]
        #vis const #constant_ident: ::dynamo_model::Index<#ident, #marker> = ::dynamo_model::Index::new();
    };
    Some(IndexParts { def, key_space, constant })
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

/// `Some(KeyDef)` of a range key field, or `None`.
fn option_key_def(field: Option<&Field>) -> TokenStream {
    match field {
        Some(field) => {
            let def = key_def(field);
            quote!(::core::option::Option::Some(#def))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// The type of a key field's values: `X` for an index key of type `Option<X>`,
/// which makes the index sparse (a table key is never an `Option`, checked).
fn key_ty<'a>(field: &Field<'a>) -> &'a syn::Type {
    option_inner(field.ty).unwrap_or(field.ty)
}

/// The `KeyDef` of one key field in `KEY_SCHEMA`.
fn key_def(field: &Field) -> TokenStream {
    let attribute = &field.attrs.name;
    let ty = key_ty(field);
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
pub fn field_marker(fields: &[Field], field: &Field) -> TokenStream {
    // `field` is always one of `fields`; were it not, the marker would match no
    // key, which fails to compile rather than misbehaves.
    let index = fields.iter().position(|f| std::ptr::eq(f.original, field.original)).unwrap_or(usize::MAX);
    quote!(::dynamo_model::expr::Field<#index>)
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
    let Some(name) = crate::check::type_name(field.ty) else { return true };
    !matches!(name.as_str(), "Option" | "HashSet" | "BTreeSet") || field.attrs.serde.is_some() && name != "Option"
}

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
    if field.attrs.is_key() || !is_stored(field) || field.attrs.with_module.is_some() {
        return None;
    }
    // The plain encoder even for a field with rules: its own encoder ends by
    // calling the plain one, which is where an unmet bound is reported.
    let (_, encoder) = plain_path_encoder(field);
    Some(quote_spanned!(field.ty.span()=> let _ = #encoder;))
}

/// The inner type of a syntactic `Option<T>`, whose path holds `T`: DynamoDB has no
/// `None`, only an absent attribute.
pub fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
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

/// `Order::TOTAL_CENTS: Path<Order, i64, Field<3>>` for every stored field, then
/// the `extra` constants (a model's indexes), in one inherent impl.
fn path_consts<'t>(cont: &Container, extra: impl Iterator<Item = &'t TokenStream>) -> TokenStream {
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
