//! Parsing of `#[dynamo(...)]` on the struct and on its fields.
//!
//! Parsing goes on after a mistake: an unknown key or a value of the wrong form is
//! reported and skipped, so the keys after it are still read and checked.
//!
//! This module holds what every place shares: which derive is running, where a
//! key is written (`Place`), a key given at most once (`Attr`), the readers of
//! plain values (`value_expr`, `string_value`, `function_path`, ...) and the
//! report of an unknown key, with a suggestion (`unknown`). Each place has its
//! own module: `container` (the struct), `field` (one field), `index` (`gsi(...)`
//! and `lsi(...)`) and `rules` (a field's `validate(...)`).

mod container;
mod field;
mod index;
mod rules;

pub use container::Container;
pub use field::{DefaultValue, Field, TimeUnit};
pub use index::{Index, IndexKind, Projection};
pub use rules::{Rule, RuleKind};

use crate::ctxt::Ctxt;
use crate::suggest::closest;
use crate::symbol::{
    Symbol, CONTAINER_KEYS, EXTRA, FIELD_KEYS, GSI, GSI_KEYS, HASH, HASH_KEY, LEN, LEN_KEYS, LSI, LSI_KEYS, NAME,
    ONE_OF, PROJECTION, RANGE, RANGE_KEY, REGEX, TABLE, TTL, VALIDATE_KEYS, WITH,
};
use proc_macro2::{Span, TokenTree};
use quote::{quote, ToTokens};
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitStr, Token};

/// Which derive is running: a document accepts fewer keys than a model.
#[derive(Copy, Clone, PartialEq, Eq)]
pub enum Derive {
    /// `#[derive(Model)]`: a table's item.
    Model,
    /// `#[derive(Document)]`: a struct stored as a map inside an item.
    Document,
}

impl Derive {
    /// The derive's name, as written in `#[derive(...)]`.
    pub fn name(self) -> &'static str {
        match self {
            Derive::Model => "Model",
            Derive::Document => "Document",
        }
    }

    /// What the derive makes of the struct, in prose.
    pub fn noun(self) -> &'static str {
        match self {
            Derive::Model => "model",
            Derive::Document => "document",
        }
    }
}

/// Where an attribute is written; decides which keys are valid there.
#[derive(Copy, Clone)]
enum Place {
    Container,
    Field,
    Index(IndexKind),
    /// Inside a field's `validate(...)`.
    Validate,
    /// Inside `len(...)` in `validate(...)`.
    Len,
}

impl Place {
    fn noun(self) -> &'static str {
        match self {
            Place::Container => "struct",
            Place::Field => "field",
            Place::Index(_) => "index",
            Place::Validate => "field",
            Place::Len => "`len(...)`",
        }
    }

    fn keys(self) -> &'static [Symbol] {
        match self {
            Place::Container => CONTAINER_KEYS,
            Place::Field => FIELD_KEYS,
            Place::Index(IndexKind::Global) => GSI_KEYS,
            Place::Index(IndexKind::Local) => LSI_KEYS,
            Place::Validate => VALIDATE_KEYS,
            Place::Len => LEN_KEYS,
        }
    }

    /// The other place a misplaced key may belong to.
    fn other(self) -> Option<Place> {
        match self {
            Place::Container => Some(Place::Field),
            Place::Field => Some(Place::Container),
            Place::Validate => Some(Place::Field),
            Place::Index(_) | Place::Len => None,
        }
    }

    /// Words people bring from DynamoDB's own vocabulary or other libraries.
    fn aliases(self) -> &'static [(&'static str, Symbol, &'static str)] {
        const PARTITION: &str = "DynamoDB's partition key is called the hash key here";
        const SORT: &str = "DynamoDB's sort key is called the range key here";
        match self {
            Place::Container => &[
                ("table_name", TABLE, ""),
                ("tablename", TABLE, ""),
                ("name", TABLE, ""),
                ("global_secondary_index", GSI, ""),
                ("local_secondary_index", LSI, ""),
                ("index", GSI, "a global secondary index is `gsi(...)`, a local one `lsi(...)`"),
            ],
            Place::Field => &[
                ("partition_key", HASH_KEY, PARTITION),
                ("partition", HASH_KEY, PARTITION),
                ("pk", HASH_KEY, PARTITION),
                ("sort_key", RANGE_KEY, SORT),
                ("sort", RANGE_KEY, SORT),
                ("sk", RANGE_KEY, SORT),
                (
                    "flatten",
                    EXTRA,
                    "a `HashMap<String, AttributeValue>` field marked `extra` keeps the attributes the struct does not declare",
                ),
                ("time_to_live", TTL, ""),
                ("expires", TTL, "the item's expiry time is its `ttl`"),
            ],
            Place::Index(_) => &[
                ("partition_key", HASH, PARTITION),
                ("partition", HASH, PARTITION),
                ("pk", HASH, PARTITION),
                ("sort_key", RANGE, SORT),
                ("sort", RANGE, SORT),
                ("sk", RANGE, SORT),
                ("index_name", NAME, ""),
                ("projection_type", PROJECTION, ""),
            ],
            Place::Validate => &[
                ("pattern", REGEX, ""),
                ("matches", REGEX, ""),
                ("custom", WITH, "a function that checks the value is `with = function`"),
                ("function", WITH, "a function that checks the value is `with = function`"),
                ("in", ONE_OF, ""),
                ("enum", ONE_OF, ""),
                ("length", LEN, ""),
            ],
            Place::Len => &[],
        }
    }
}

/// A key that may be given once; a repeat is reported where it is written.
struct Attr<'c, T> {
    cx: &'c Ctxt,
    name: Symbol,
    place: Place,
    seen: bool,
    value: Option<T>,
}

impl<'c, T> Attr<'c, T> {
    fn none(cx: &'c Ctxt, name: Symbol, place: Place) -> Self {
        Attr { cx, name, place, seen: false, value: None }
    }

    /// Records one occurrence of the key, whose value is `None` when it was
    /// malformed (and reported as such).
    fn set(&mut self, path: &syn::Path, value: Option<T>) {
        if self.seen {
            self.cx.error_spanned_by(
                path,
                format!("duplicate attribute: `{}` is already set on this {}", self.name, self.place.noun()),
            );
            return;
        }
        self.seen = true;
        self.value = value;
    }

    /// Records one occurrence of a key that takes no value.
    fn set_flag(&mut self, meta: &ParseNestedMeta) -> syn::Result<()>
    where
        T: From<Span>,
    {
        no_value(self.cx, meta, self.name)?;
        self.set(&meta.path, Some(T::from(meta.path.span())));
        Ok(())
    }

    fn get(self) -> Option<T> {
        self.value
    }
}

/// Reports a value given to a key that takes none, and skips it.
fn no_value(cx: &Ctxt, meta: &ParseNestedMeta, key: Symbol) -> syn::Result<()> {
    let message = format!("`{key}` does not take a value; write `#[dynamo({key})]`");
    if meta.input.peek(Token![=]) {
        let value: Expr = meta.value()?.parse()?;
        cx.error_spanned_by(&value, message);
    } else if meta.input.peek(syn::token::Paren) {
        let args: TokenTree = meta.input.parse()?;
        cx.error_spanned_by(&args, message);
    }
    Ok(())
}

/// Reads `key = <expr>`. A key written without `=` is reported (and its
/// parenthesized arguments skipped, if any) and yields `None`.
fn value_expr(cx: &Ctxt, meta: &ParseNestedMeta, key: Symbol, example: &str) -> syn::Result<Option<Expr>> {
    if meta.input.peek(Token![=]) {
        let mut expr: Expr = meta.value()?.parse()?;
        // Values passed through a `macro_rules!` fragment arrive wrapped in a group.
        while let Expr::Group(group) = expr {
            expr = *group.expr;
        }
        return Ok(Some(expr));
    }
    let path = &meta.path;
    let args = if meta.input.peek(syn::token::Paren) { Some(meta.input.parse::<TokenTree>()?) } else { None };
    cx.error_spanned_by(quote!(#path #args), format!("`{key}` needs a value, like `{key} = {example}`"));
    Ok(None)
}

/// Reads `key = "string"`; anything else is reported and yields `None`.
fn string_value(cx: &Ctxt, meta: &ParseNestedMeta, key: Symbol, example: &str) -> syn::Result<Option<LitStr>> {
    Ok(match value_expr(cx, meta, key, example)? {
        Some(Expr::Lit(ExprLit { lit: Lit::Str(lit), .. })) => Some(lit),
        Some(other) => {
            cx.error_spanned_by(&other, format!("`{key}` takes a string literal, like `{key} = {example}`"));
            None
        }
        None => None,
    })
}

/// Reads `key = path::to::function` (`validate`, `default_fn`, `set`, `get`, and
/// `with` inside `validate(...)`); anything else is reported and yields `None`.
fn function_path(cx: &Ctxt, meta: &ParseNestedMeta, key: Symbol, example: &str) -> syn::Result<Option<syn::Path>> {
    Ok(match value_expr(cx, meta, key, example)? {
        Some(Expr::Path(path)) if path.qself.is_none() && path.attrs.is_empty() => Some(path.path),
        Some(Expr::Lit(ExprLit { lit: Lit::Str(lit), .. })) => {
            let value = lit.value();
            let example = if syn::parse_str::<syn::Path>(&value).is_ok() { value } else { example.to_owned() };
            cx.error_spanned_by(
                &lit,
                format!("`{key}` takes a function path without quotes, like `{key} = {example}`"),
            );
            None
        }
        Some(other) => {
            cx.error_spanned_by(
                &other,
                format!("`{key}` takes the path of a function, like `{key} = {example}`; a closure or a call is not accepted"),
            );
            None
        }
        None => None,
    })
}

/// Validates a table or index name (`noun`) against DynamoDB's rules for both,
/// so that a bad name fails at compile time rather than on the first request.
fn resource_name(cx: &Ctxt, lit: &LitStr, noun: &str) -> Option<String> {
    let rule =
        format!("DynamoDB {noun} names are 3 to 255 characters long and use only letters, digits, `_`, `-` and `.`");
    let name = lit.value();
    let len = name.chars().count();
    let bad = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')));
    let problem = if let Some(bad) = bad {
        format!("invalid {noun} name {name:?}: it contains {bad:?}; {rule}")
    } else if len == 0 {
        format!("the {noun} name is empty; {rule}")
    } else if len < 3 {
        format!("{noun} name {name:?} is too short; {rule}")
    } else if len > 255 {
        format!("{noun} name is too long ({len} characters); {rule}")
    } else {
        return Some(name);
    };
    cx.error_spanned_by(lit, problem);
    None
}

/// Skips the value of a key that is reported and ignored.
fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        let _: Expr = meta.value()?.parse()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _: TokenTree = meta.input.parse()?;
    }
    Ok(())
}

/// Reports a key that is not valid here, and skips its value.
fn unknown(cx: &Ctxt, meta: &ParseNestedMeta, place: Place) -> syn::Result<()> {
    let name = meta.path.to_token_stream().to_string().replace(' ', "");
    cx.error_spanned_by(&meta.path, unknown_message(&name, place));
    skip_value(meta)
}

fn unknown_message(name: &str, place: Place) -> String {
    let noun = place.noun();
    let unknown = match place {
        Place::Validate => format!("unknown rule `{name}` in `validate(...)`"),
        Place::Len => format!("unknown key `{name}` in `len(...)`"),
        _ => format!("unknown {noun} attribute `{name}`"),
    };
    if let Some(other) = place.other().filter(|other| other.keys().iter().any(|key| key.as_str() == name)) {
        let other = other.noun();
        if let Place::Validate = place {
            return format!(
                "`{name}` is a {other} attribute, not a rule: write it beside `validate(...)`, like `#[dynamo({name}, validate(...))]`"
            );
        }
        return format!(
            "`{name}` is a {other} attribute, not a {noun} attribute: move it to the `#[dynamo(...)]` on the {other}"
        );
    }
    if let Some((_, key, why)) = place.aliases().iter().find(|(alias, _, _)| alias.eq_ignore_ascii_case(name)) {
        let why = if why.is_empty() { String::new() } else { format!(" ({why})") };
        return format!("{unknown}; did you mean `{key}`?{why}");
    }
    let keys = place.keys().iter().map(|key| key.as_str());
    if let Some(suggestion) = closest(name, keys.clone()) {
        return format!("{unknown}; did you mean `{suggestion}`?");
    }
    let expected: Vec<String> = keys.map(|key| format!("`{key}`")).collect();
    format!("{unknown}; expected one of {}", expected.join(", "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn explains_misplaced_and_aliased_rules() {
        use super::{unknown_message, Place};
        assert_eq!(
            unknown_message("required", Place::Validate),
            "`required` is a field attribute, not a rule: write it beside `validate(...)`, like `#[dynamo(required, validate(...))]`"
        );
        assert_eq!(
            unknown_message("pattern", Place::Validate),
            "unknown rule `pattern` in `validate(...)`; did you mean `regex`?"
        );
        assert_eq!(
            unknown_message("flatten", Place::Field),
            "unknown field attribute `flatten`; did you mean `extra`? (a `HashMap<String, AttributeValue>` field marked `extra` keeps the attributes the struct does not declare)"
        );
        assert_eq!(
            unknown_message("version", Place::Container),
            "`version` is a field attribute, not a struct attribute: move it to the `#[dynamo(...)]` on the field"
        );
    }
}
