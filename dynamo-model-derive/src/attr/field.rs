//! `#[dynamo(...)]` on one field: its attribute name, key role, conversion,
//! default, transforms, lifecycle role and rules.

use super::rules::parse_rules;
use super::{function_path, skip_value, string_value, unknown, value_expr, Attr, Derive, Place, Rule};
use crate::case::RenameRule;
use crate::ctxt::Ctxt;
use crate::suggest::closest;
use crate::symbol::{
    Symbol, COUNTER, CREATED_AT, DEFAULT, DEFAULT_FN, DYNAMO, EXTRA, FIELD_KEYS, GET, HASH_KEY, LIFECYCLE_KEYS,
    RANGE_KEY, RENAME, REQUIRED, SERDE, SET, SKIP, TTL, UPDATED_AT, VALIDATE, VERSION, WITH,
};
use proc_macro2::{Span, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Token};

/// `#[dynamo(...)]` on one field.
pub struct Field {
    /// The attribute name: `rename`, else the field name under `rename_all`.
    pub name: String,
    /// `rename = "..."`, kept to point errors at it.
    pub rename: Option<LitStr>,
    /// `hash_key`, with the span of the key.
    pub hash_key: Option<Span>,
    /// `range_key`, with the span of the key.
    pub range_key: Option<Span>,
    /// `skip`, with the span of the key.
    pub skip: Option<Span>,
    /// `default`, `default = "expr"` or `default_fn = path`, when well formed (the
    /// first of them if several were written, which `check` reports).
    pub default: Option<DefaultValue>,
    /// `serde`, with the span of the key.
    pub serde: Option<Span>,
    /// `with`, with the span of the key, even when its value was malformed.
    pub with: Option<Span>,
    /// The module named by `with = module`, when it was well formed.
    pub with_module: Option<syn::Path>,
    /// The rules of every `validate(...)`, in the order written.
    pub rules: Vec<Rule>,
    /// `required`, with the span of the key.
    pub required: Option<Span>,
    /// `set = path`: applied to the value on its way to DynamoDB.
    pub set: Option<syn::Path>,
    /// `get = path`: applied to the value read back.
    pub get: Option<syn::Path>,
    /// `version`, with the span of the key.
    pub version: Option<Span>,
    /// `created_at`, with its unit.
    pub created_at: Option<TimeUnit>,
    /// `updated_at`, with its unit.
    pub updated_at: Option<TimeUnit>,
    /// `ttl`, with the span of the key.
    pub ttl: Option<Span>,
    /// `counter`, with the span of the key.
    pub counter: Option<Span>,
    /// `extra`, with the span of the key.
    pub extra: Option<Span>,
    /// Every valid key given, in the order written (a repeated key only once);
    /// a conflict is reported at the key written second.
    pub written: Vec<(Symbol, Span)>,
    /// Whether some key could not be read (unknown, misplaced or unparsable).
    pub incomplete: bool,
}

/// How a missing attribute reads.
pub enum DefaultValue {
    /// `default`: `Default::default()`.
    Trait,
    /// `default = "expr"`: the expression, spanned on the string literal.
    Expr(Expr),
    /// `default_fn = path`: `path()`.
    Fn(syn::Path),
}

/// The unit of a `created_at` or `updated_at` timestamp.
#[derive(Copy, Clone, PartialEq, Eq)]
pub enum TimeUnit {
    /// Seconds since the Unix epoch, the default (what DynamoDB's TTL reads too).
    Seconds,
    /// Milliseconds since the Unix epoch.
    Millis,
}

impl Field {
    /// Reads every `#[dynamo(...)]` on a field named `ident`.
    pub fn from_ast(cx: &Ctxt, field: &syn::Field, ident: &Ident, rename_all: RenameRule, derive: Derive) -> Self {
        let mut hash_key = Attr::none(cx, HASH_KEY, Place::Field);
        let mut range_key = Attr::none(cx, RANGE_KEY, Place::Field);
        let mut rename = Attr::none(cx, RENAME, Place::Field);
        let mut skip = Attr::none(cx, SKIP, Place::Field);
        let mut default = Attr::none(cx, DEFAULT, Place::Field);
        let mut default_fn = Attr::none(cx, DEFAULT_FN, Place::Field);
        let mut serde = Attr::none(cx, SERDE, Place::Field);
        let mut with = Attr::none(cx, WITH, Place::Field);
        let mut required = Attr::none(cx, REQUIRED, Place::Field);
        let mut set = Attr::none(cx, SET, Place::Field);
        let mut get = Attr::none(cx, GET, Place::Field);
        let mut version = Attr::none(cx, VERSION, Place::Field);
        let mut created_at = Attr::none(cx, CREATED_AT, Place::Field);
        let mut updated_at = Attr::none(cx, UPDATED_AT, Place::Field);
        let mut ttl = Attr::none(cx, TTL, Place::Field);
        let mut counter = Attr::none(cx, COUNTER, Place::Field);
        let mut extra = Attr::none(cx, EXTRA, Place::Field);
        let mut rules = Vec::new();
        let mut written: Vec<(Symbol, Span)> = Vec::new();
        let mut incomplete = false;

        for attr in &field.attrs {
            if attr.path() != DYNAMO {
                continue;
            }
            let result = attr.parse_nested_meta(|meta| {
                if derive == Derive::Document && (meta.path == HASH_KEY || meta.path == RANGE_KEY) {
                    let key = if meta.path == HASH_KEY { HASH_KEY } else { RANGE_KEY };
                    cx.error_spanned_by(
                        &meta.path,
                        format!("`{key}` is only for `#[derive(Model)]`: a document is stored inside an attribute of an item and has no key of its own"),
                    );
                    return skip_value(&meta);
                }
                if derive == Derive::Document {
                    if let Some(key) = LIFECYCLE_KEYS.iter().find(|key| meta.path == **key) {
                        cx.error_spanned_by(&meta.path, model_only(*key));
                        return skip_value(&meta);
                    }
                }
                if let Some(key) = FIELD_KEYS.iter().find(|key| meta.path == **key) {
                    if !written.iter().any(|(seen, _)| seen == key) {
                        written.push((*key, meta.path.span()));
                    }
                }
                if meta.path == HASH_KEY {
                    hash_key.set_flag(&meta)?;
                } else if meta.path == RANGE_KEY {
                    range_key.set_flag(&meta)?;
                } else if meta.path == SKIP {
                    skip.set_flag(&meta)?;
                } else if meta.path == DEFAULT {
                    default.set(&meta.path, default_value(cx, &meta)?);
                } else if meta.path == DEFAULT_FN {
                    let function = function_path(cx, &meta, DEFAULT_FN, "default_plan")?;
                    default_fn.set(&meta.path, function.map(DefaultValue::Fn));
                } else if meta.path == SERDE {
                    serde.set_flag(&meta)?;
                } else if meta.path == RENAME {
                    let value = string_value(cx, &meta, RENAME, "\"name\"")?;
                    let value = value.filter(|lit| {
                        let empty = lit.value().is_empty();
                        if empty {
                            cx.error_spanned_by(
                                lit,
                                "`rename` cannot be empty: DynamoDB attribute names need at least one character",
                            );
                        }
                        !empty
                    });
                    rename.set(&meta.path, value);
                } else if meta.path == WITH {
                    let module = module_path(cx, &meta)?;
                    with.set(&meta.path, module);
                } else if meta.path == VALIDATE {
                    // Written any number of times: the rules add up.
                    incomplete |= parse_rules(cx, &meta, &mut rules)?;
                } else if meta.path == REQUIRED {
                    required.set_flag(&meta)?;
                } else if meta.path == SET {
                    set.set(&meta.path, function_path(cx, &meta, SET, "trim")?);
                } else if meta.path == GET {
                    get.set(&meta.path, function_path(cx, &meta, GET, "normalize")?);
                } else if meta.path == VERSION {
                    version.set_flag(&meta)?;
                } else if meta.path == CREATED_AT {
                    created_at.set(&meta.path, time_unit(cx, &meta, CREATED_AT)?);
                } else if meta.path == UPDATED_AT {
                    updated_at.set(&meta.path, time_unit(cx, &meta, UPDATED_AT)?);
                } else if meta.path == TTL {
                    ttl.set_flag(&meta)?;
                } else if meta.path == COUNTER {
                    counter.set_flag(&meta)?;
                } else if meta.path == EXTRA {
                    extra.set_flag(&meta)?;
                } else {
                    unknown(cx, &meta, Place::Field)?;
                    incomplete = true;
                }
                Ok(())
            });
            if let Err(err) = result {
                cx.syn_error(err);
                incomplete = true;
            }
        }

        let rename = rename.get();
        let name = match &rename {
            Some(lit) => lit.value(),
            None => rename_all.apply_to_field(&ident.unraw().to_string()),
        };
        Field {
            name,
            rename,
            hash_key: hash_key.get(),
            range_key: range_key.get(),
            skip: skip.get(),
            default: default.get().or(default_fn.get()),
            serde: serde.get(),
            with: written.iter().find(|(key, _)| *key == WITH).map(|(_, span)| *span),
            with_module: with.get(),
            rules,
            required: required.get(),
            set: set.get(),
            get: get.get(),
            version: version.get(),
            created_at: created_at.get(),
            updated_at: updated_at.get(),
            ttl: ttl.get(),
            counter: counter.get(),
            extra: extra.get(),
            written,
            incomplete,
        }
    }

    /// Whether the field is part of the primary key.
    pub fn is_key(&self) -> bool {
        self.hash_key.is_some() || self.range_key.is_some()
    }
}

/// Reads `with = path::to::module`; anything else is reported and yields `None`.
fn module_path(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<syn::Path>> {
    Ok(match value_expr(cx, meta, WITH, "my_module")? {
        Some(Expr::Path(path)) if path.qself.is_none() && path.attrs.is_empty() => Some(path.path),
        Some(Expr::Lit(ExprLit { lit: Lit::Str(lit), .. })) => {
            cx.error_spanned_by(
                &lit,
                format!("`with` takes a module path without quotes, like `with = {}`", lit.value()),
            );
            None
        }
        Some(other) => {
            cx.error_spanned_by(
                &other,
                "`with` takes the path of a module with `to_attribute` and `from_attribute` functions, like `with = my_module`",
            );
            None
        }
        None => None,
    })
}

/// Why a lifecycle key (`version`, ...) belongs on a model only.
fn model_only(key: Symbol) -> String {
    let why = if key == VERSION {
        "optimistic locking versions the items of a table"
    } else if key == TTL {
        "DynamoDB expires the items of a table by one of their top-level attributes"
    } else if key == COUNTER {
        "a counter is a top-level attribute of a table's item, changed by `add` in updates"
    } else {
        "the library sets it when it writes an item of a table"
    };
    format!("`{key}` is for `#[derive(Model)]`: {why}, and a document is stored inside an attribute of an item")
}

/// Reads `default` (no value: `Default::default()`) or `default = "expr"`; a
/// malformed value is reported and yields `None`.
fn default_value(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<DefaultValue>> {
    if meta.input.peek(syn::token::Paren) {
        let args: TokenTree = meta.input.parse()?;
        let inner = match &args {
            TokenTree::Group(group) => group.stream().to_string(),
            other => other.to_string(),
        };
        let example = if inner.is_empty() { "0".to_owned() } else { inner };
        cx.error_spanned_by(
            &args,
            format!("`default` takes no arguments in parentheses; for an expression, write `default = {example:?}`; for `Default::default()`, `default` alone"),
        );
        return Ok(None);
    }
    if !meta.input.peek(Token![=]) {
        return Ok(Some(DefaultValue::Trait));
    }
    let lit = match value_expr(cx, meta, DEFAULT, "\"0\"")? {
        Some(Expr::Lit(ExprLit { lit: Lit::Str(lit), .. })) => lit,
        Some(other) => {
            // serde's `default = "path"` names a function; here the string is the
            // expression itself, and `default_fn` names a function.
            let quoted = other.to_token_stream().to_string();
            cx.error_spanned_by(
                &other,
                format!("`default = ...` takes a Rust expression in quotes, like `default = {quoted:?}`; a function is `default_fn = path`"),
            );
            return Ok(None);
        }
        None => return Ok(None),
    };
    // Parsed from the literal, the expression's tokens carry its span: a type
    // mismatch in the expression is reported on the string.
    let value = lit.value();
    let problem = match lit.parse::<Expr>() {
        Ok(expr) => return Ok(Some(DefaultValue::Expr(expr))),
        // syn's message for text that is not even tokens says nothing about why.
        Err(_) if value.parse::<proc_macro2::TokenStream>().is_err() => {
            "its brackets or quotes do not balance".to_owned()
        }
        Err(err) => err.to_string(),
    };
    cx.error_spanned_by(
        &lit,
        format!("`default = \"...\"` takes a Rust expression, and {value:?} is not one: {problem}"),
    );
    Ok(None)
}

/// Reads the unit of `created_at` or `updated_at` (`key`): no value for seconds, or
/// `key = "seconds"` / `key = "millis"`. A malformed one is reported and yields `None`.
fn time_unit(cx: &Ctxt, meta: &ParseNestedMeta, key: Symbol) -> syn::Result<Option<TimeUnit>> {
    if meta.input.peek(syn::token::Paren) {
        let args: TokenTree = meta.input.parse()?;
        cx.error_spanned_by(&args, format!("`{key}` takes its unit as a string, like `{key} = \"millis\"`"));
        return Ok(None);
    }
    if !meta.input.peek(Token![=]) {
        return Ok(Some(TimeUnit::Seconds));
    }
    let Some(lit) = string_value(cx, meta, key, "\"millis\"")? else {
        return Ok(None);
    };
    let unit = lit.value();
    Ok(match unit.as_str() {
        "seconds" => Some(TimeUnit::Seconds),
        "millis" => Some(TimeUnit::Millis),
        _ => {
            // Abbreviations are too short for `closest` to recognize.
            let suggestion = match unit.to_ascii_lowercase().as_str() {
                "ms" | "milli" | "millisecond" | "milliseconds" => Some("millis"),
                "s" | "sec" | "secs" | "second" => Some("seconds"),
                _ => closest(&unit, ["seconds", "millis"]),
            };
            let hint = suggestion.map(|unit| format!("; did you mean {unit:?}?")).unwrap_or_default();
            cx.error_spanned_by(
                &lit,
                format!(
                    "unknown time unit {unit:?} for `{key}`: expected \"seconds\" (the default) or \"millis\"{hint}"
                ),
            );
            None
        }
    })
}
