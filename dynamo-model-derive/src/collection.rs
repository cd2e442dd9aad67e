//! `#[derive(Collection)]`: an enum with one variant per model of a shared table,
//! read together by one query. Check the enum's shape, then expand to an
//! `impl Collection` whose decoding picks the variant by the item's entity marker;
//! that the models share a table and have distinct markers is checked by the compiler
//! (a trait bound and a constant), since only it knows the models.

use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

/// Expands `#[derive(Collection)]`.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let variants = variants(&cx, input);
    if let Err(errors) = cx.check() {
        return errors.to_compile_error();
    }
    expand(input, &variants)
}

/// Each variant's name and the model it holds.
fn variants<'a>(cx: &Ctxt, input: &'a DeriveInput) -> Vec<(&'a syn::Ident, &'a syn::Type)> {
    let Data::Enum(data) = &input.data else {
        cx.error_spanned_by(
            &input.ident,
            "`#[derive(Collection)]` goes on an enum with one variant per model, such as `enum UserData { User(User), Order(Order) }`",
        );
        return Vec::new();
    };
    if data.variants.is_empty() {
        cx.error_spanned_by(&input.ident, "a collection needs at least one model: add a variant such as `User(User)`");
    }
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(&input.generics, "a collection cannot be generic: its variants name its models");
    }
    let mut out = Vec::new();
    for variant in &data.variants {
        match &variant.fields {
            Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                out.push((&variant.ident, &fields.unnamed[0].ty));
            }
            _ => cx.error_spanned_by(
                variant,
                format!("each variant of a collection holds one model, as `{}(Model)`", variant.ident),
            ),
        }
    }
    out
}

fn expand(input: &DeriveInput, variants: &[(&syn::Ident, &syn::Type)]) -> TokenStream {
    let ident = &input.ident;
    let name = ident.to_string();
    let Some((_, anchor)) = variants.first() else { return TokenStream::new() };
    let entity = quote!(::dynamo_model::__private::single_table::Entity);
    let names: Vec<TokenStream> =
        variants.iter().map(|(_, ty)| quote_spanned!(ty.span()=> <#ty as #entity>::ENTITY_NAME)).collect();
    let arms = variants.iter().zip(&names).map(|((variant, ty), marker)| {
        quote! {
            ::core::option::Option::Some(__marker) if __marker == #marker => {
                <#ty as ::dynamo_model::Document>::from_item(item).map(#ident::#variant)
            }
        }
    });
    let same_table = variants.iter().skip(1).map(|(_, ty)| {
        quote_spanned! {ty.span()=>
            const _: fn() = ::dynamo_model::__private::single_table::same_table::<#anchor, #ty>;
        }
    });
    let mut distinct = Vec::new();
    for (j, (second, second_ty)) in variants.iter().enumerate() {
        for (first, first_ty) in &variants[..j] {
            let message = format!(
                "the models of `{first}` and `{second}` claim one entity marker, so the collection could not tell their items apart: give each its own `entity = \"...\"`"
            );
            distinct.push(quote_spanned! {second_ty.span()=>
                const _: () = ::core::assert!(
                    !::dynamo_model::__private::single_table::same_marker(
                        <#first_ty as #entity>::ENTITY_NAME,
                        <#second_ty as #entity>::ENTITY_NAME,
                    ),
                    #message
                );
            });
        }
    }
    quote! {
        #[automatically_derived]
        impl ::dynamo_model::Collection for #ident {
            type Table = <#anchor as #entity>::Table;
            type Anchor = #anchor;
            const ENTITIES: &'static [&'static str] = &[#(#names),*];

            fn from_item(item: ::dynamo_model::Item) -> ::dynamo_model::Result<Self> {
                let attribute = <<#anchor as #entity>::Table as ::dynamo_model::Table>::ENTITY_ATTRIBUTE;
                match ::dynamo_model::__private::single_table::marker(&item, attribute) {
                    #(#arms)*
                    _ => ::core::result::Result::Err(
                        ::dynamo_model::__private::single_table::unknown_marker(#name, attribute, &item),
                    ),
                }
            }
        }

        #(#same_table)*
        #(#distinct)*
    }
}
