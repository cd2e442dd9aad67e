//! `#[dynamo(...)]` on the struct: the table, `rename_all`, the secondary
//! indexes and `validate = path`.

use super::{function_path, resource_name, skip_value, string_value, unknown, Attr, Derive, Index, IndexKind, Place};
use crate::case::RenameRule;
use crate::ctxt::Ctxt;
use crate::symbol::{DYNAMO, ENTITY, GSI, HASH, LSI, RANGE, RENAME_ALL, TABLE, VALIDATE};
use proc_macro2::TokenTree;
use quote::quote;
use syn::LitStr;

/// `#[dynamo(...)]` on the struct.
pub struct Container {
    /// The DynamoDB table; `None` when it is missing or invalid (already reported
    /// if invalid, and by `check` if missing).
    pub table: Option<String>,
    /// Whether `table` was written at all, even with a wrong value.
    pub table_written: bool,
    /// How field names become attribute names.
    pub rename_all: RenameRule,
    /// The secondary indexes, in the order written.
    pub indexes: Vec<Index>,
    /// `validate = path`: a check of the whole struct, `fn(&Self) -> Result<(), String>`.
    pub validate: Option<syn::Path>,
    /// Whether some key could not be read (unknown, misplaced or unparsable).
    pub incomplete: bool,
    /// `table = AppTable`: the shared table (a `#[derive(Table)]` type) the model maps onto.
    pub shared: Option<syn::Path>,
    /// `entity = "ORDER"`: the model's entity marker in a shared table.
    pub entity: Option<LitStr>,
    /// `hash = "USER#{user_id}"`: the template of the table's partition key.
    pub hash_template: Option<LitStr>,
    /// `range = "ORDER#{order_id}"`: the template of the table's sort key.
    pub range_template: Option<LitStr>,
}

impl Container {
    /// Reads every `#[dynamo(...)]` on the struct.
    pub fn from_ast(cx: &Ctxt, input: &syn::DeriveInput, derive: Derive) -> Self {
        let mut table = Attr::none(cx, TABLE, Place::Container);
        let mut rename_all = Attr::none(cx, RENAME_ALL, Place::Container);
        let mut validate = Attr::none(cx, VALIDATE, Place::Container);
        let mut indexes = Vec::new();
        let mut incomplete = false;
        let mut shared = None;
        let mut entity = None;
        let mut hash_template = None;
        let mut range_template = None;

        for attr in &input.attrs {
            if attr.path() != DYNAMO {
                continue;
            }
            let result = attr.parse_nested_meta(|meta| {
                if derive == Derive::Document && (meta.path == TABLE || meta.path == GSI || meta.path == LSI) {
                    cx.error_spanned_by(&meta.path, "a document has no table; derive `Model` for a table's item");
                    skip_value(&meta)?;
                } else if meta.path == TABLE && derive == Derive::Model && names_a_type(&meta) {
                    shared = Some(meta.value()?.parse()?);
                    table.set(&meta.path, None);
                } else if derive == Derive::Model && (meta.path == ENTITY || meta.path == HASH || meta.path == RANGE) {
                    let lit: LitStr = meta.value()?.parse()?;
                    let slot = if meta.path == ENTITY {
                        &mut entity
                    } else if meta.path == HASH {
                        &mut hash_template
                    } else {
                        &mut range_template
                    };
                    if slot.is_some() {
                        cx.error_spanned_by(&meta.path, "duplicate attribute: it is already set on this struct");
                    }
                    *slot = Some(lit);
                } else if meta.path == TABLE {
                    let value = string_value(cx, &meta, TABLE, "\"orders\"")?;
                    table.set(&meta.path, value.and_then(|lit| resource_name(cx, &lit, "table")));
                } else if meta.path == RENAME_ALL {
                    let value = string_value(cx, &meta, RENAME_ALL, "\"camelCase\"")?;
                    let rule = value.and_then(|lit| match RenameRule::parse(&lit.value()) {
                        Ok(rule) => Some(rule),
                        Err(err) => {
                            cx.error_spanned_by(&lit, err);
                            None
                        }
                    });
                    rename_all.set(&meta.path, rule);
                } else if meta.path == GSI || meta.path == LSI {
                    let kind = if meta.path == GSI { IndexKind::Global } else { IndexKind::Local };
                    cx.set_subposition(indexes.len() + 1);
                    let index = Index::from_meta(cx, &meta, kind);
                    cx.set_subposition(0);
                    indexes.extend(index?);
                } else if meta.path == VALIDATE {
                    if meta.input.peek(syn::token::Paren) {
                        let path = &meta.path;
                        let args: TokenTree = meta.input.parse()?;
                        cx.error_spanned_by(
                            quote!(#path #args),
                            "on the struct, `validate` names a function that checks the whole struct, like `validate = check_totals`; rules on one value go in `validate(...)` on its field",
                        );
                        validate.set(&meta.path, None);
                    } else {
                        let function = function_path(cx, &meta, VALIDATE, "check_totals")?;
                        validate.set(&meta.path, function);
                    }
                } else {
                    unknown(cx, &meta, Place::Container)?;
                    incomplete = true;
                }
                Ok(())
            });
            if let Err(err) = result {
                cx.syn_error(err);
                incomplete = true;
            }
        }

        let table_written = table.seen;
        Container {
            table: table.get(),
            table_written,
            rename_all: rename_all.get().unwrap_or(RenameRule::None),
            indexes,
            validate: validate.get(),
            incomplete,
            shared,
            entity,
            hash_template,
            range_template,
        }
    }
}

/// Whether `table = ...` names a type (a shared table, `table = AppTable` or
/// `table = tables::App`) rather than giving a name; a lowercase word (`table = orders`)
/// is a name with its quotes forgotten.
fn names_a_type(meta: &syn::meta::ParseNestedMeta) -> bool {
    let fork = meta.input.fork();
    if fork.parse::<syn::Token![=]>().is_err() {
        return false;
    }
    let Ok(path) = fork.parse::<syn::Path>() else { return false };
    path.segments.len() > 1
        || path.segments.last().is_some_and(|last| last.ident.to_string().starts_with(|c: char| c.is_uppercase()))
}
