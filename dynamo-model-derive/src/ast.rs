//! A typed view of the derive input, borrowing from syn.

use crate::attr::{self, Derive};
use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, Ident, Type};

/// The struct a model or document is derived for.
pub struct Container<'a> {
    /// Which derive is running.
    pub derive: Derive,
    /// The struct's name.
    pub ident: &'a Ident,
    /// Its `#[dynamo(...)]` attributes.
    pub attrs: attr::Container,
    /// Its fields, in declaration order.
    pub fields: Vec<Field<'a>>,
    /// The whole input, for visibility, generics and spans.
    pub original: &'a DeriveInput,
}

/// One named field of the struct.
pub struct Field<'a> {
    /// The field's name.
    pub member: &'a Ident,
    /// Its `#[dynamo(...)]` attributes, including the resolved attribute name.
    pub attrs: attr::Field,
    /// Its type.
    pub ty: &'a Type,
    /// The field as parsed by syn.
    pub original: &'a syn::Field,
}

impl<'a> Container<'a> {
    /// Builds the view, or reports why the input cannot be a model (or document)
    /// and returns `None`. Only a struct with named fields can be one.
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput, derive: Derive) -> Option<Container<'a>> {
        let attrs = attr::Container::from_ast(cx, input, derive);
        let needs = format!("`#[derive({})]` needs a struct with named fields", derive.name());
        let noun = derive.noun();
        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => named,
                Fields::Unnamed(fields) => {
                    cx.error_spanned_by(
                        fields,
                        format!("{needs}, not a tuple struct: each field becomes a DynamoDB attribute named after it"),
                    );
                    return None;
                }
                Fields::Unit => {
                    let struct_token = data.struct_token;
                    let ident = &input.ident;
                    cx.error_spanned_by(
                        quote::quote!(#struct_token #ident),
                        format!("{needs}, not a unit struct: a {noun} stores its fields, and this one has none"),
                    );
                    return None;
                }
            },
            Data::Enum(data) => {
                let enum_token = data.enum_token;
                let ident = &input.ident;
                cx.error_spanned_by(
                    quote::quote!(#enum_token #ident),
                    format!(
                        "{needs}, not an enum (to store an enum inside a {noun}, use a field with `#[dynamo(serde)]`)"
                    ),
                );
                return None;
            }
            Data::Union(data) => {
                let union_token = data.union_token;
                let ident = &input.ident;
                cx.error_spanned_by(quote::quote!(#union_token #ident), format!("{needs}, not a union"));
                return None;
            }
        };

        let fields = named
            .named
            .iter()
            .enumerate()
            .filter_map(|(index, field)| {
                cx.set_position(index + 1);
                // Named fields always have an identifier.
                let member = field.ident.as_ref()?;
                Some(Field {
                    member,
                    attrs: attr::Field::from_ast(cx, field, member, attrs.rename_all, derive),
                    ty: &field.ty,
                    original: field,
                })
            })
            .collect();
        cx.set_position(0);

        Some(Container { derive, ident: &input.ident, attrs, fields, original: input })
    }

    /// The `#[dynamo(hash_key)]` field (after `check`, there is exactly one).
    pub fn hash_key(&self) -> Option<&Field<'a>> {
        self.fields.iter().find(|field| field.attrs.hash_key.is_some())
    }

    /// The `#[dynamo(range_key)]` field, if the model has one.
    pub fn range_key(&self) -> Option<&Field<'a>> {
        self.fields.iter().find(|field| field.attrs.range_key.is_some() && field.attrs.hash_key.is_none())
    }

    /// The field with this Rust name (`r#` ignored on either side).
    pub fn field_named(&self, name: &Ident) -> Option<&Field<'a>> {
        field_named(&self.fields, name)
    }

    /// Whether some `#[dynamo(...)]` key, on the struct or a field, could not be
    /// read: a rule about a missing key would then only guess.
    pub fn incomplete(&self) -> bool {
        self.attrs.incomplete || self.fields.iter().any(|field| field.attrs.incomplete)
    }
}

/// The field of `fields` with this Rust name (`r#` ignored on either side).
pub fn field_named<'f, 'a>(fields: &'f [Field<'a>], name: &Ident) -> Option<&'f Field<'a>> {
    let name = name.unraw();
    fields.iter().find(|field| field.member.unraw() == name)
}

/// `::dynamo_model::expr::Field<I>`, the marker of the field at index `I`: a key
/// condition is accepted only on the marker of the sort key it targets.
pub fn field_marker(fields: &[Field], field: &Field) -> TokenStream {
    // `field` is always one of `fields`; were it not, the marker would match no
    // key, which fails to compile rather than misbehaves.
    let index = fields.iter().position(|f| std::ptr::eq(f.original, field.original)).unwrap_or(usize::MAX);
    quote!(::dynamo_model::expr::Field<#index>)
}
