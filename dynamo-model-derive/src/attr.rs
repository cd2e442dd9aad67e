//! Parsing of `#[dynamo(...)]` on the struct and on its fields.
//!
//! Parsing goes on after a mistake: an unknown key or a value of the wrong form is
//! reported and skipped, so the keys after it are still read and checked.

use crate::case::RenameRule;
use crate::ctxt::Ctxt;
use crate::symbol::{
    Symbol, CONTAINER_KEYS, DEFAULT, DYNAMO, FIELD_KEYS, HASH_KEY, RANGE_KEY, RENAME, RENAME_ALL, SERDE, SKIP, TABLE,
    WITH,
};
use proc_macro2::{Span, TokenTree};
use quote::{quote, ToTokens};
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Token};

/// `#[dynamo(...)]` on the struct.
pub struct Container {
    /// The DynamoDB table; `None` when it is missing or invalid (already reported
    /// if invalid, and by `check` if missing).
    pub table: Option<String>,
    /// Whether `table` was written at all, even with a wrong value.
    pub table_written: bool,
    /// How field names become attribute names.
    pub rename_all: RenameRule,
    /// Whether some key could not be read (unknown, misplaced or unparsable).
    pub incomplete: bool,
}

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
    /// `default`, with the span of the key.
    pub default: Option<Span>,
    /// `serde`, with the span of the key.
    pub serde: Option<Span>,
    /// `with`, with the span of the key, even when its value was malformed.
    pub with: Option<Span>,
    /// The module named by `with = module`, when it was well formed.
    pub with_module: Option<syn::Path>,
    /// Every valid key given, in the order written (a repeated key only once);
    /// a conflict is reported at the key written second.
    pub written: Vec<(Symbol, Span)>,
    /// Whether some key could not be read (unknown, misplaced or unparsable).
    pub incomplete: bool,
}

/// Where an attribute is written; decides which keys are valid there.
#[derive(Copy, Clone)]
enum Place {
    Container,
    Field,
}

impl Place {
    fn noun(self) -> &'static str {
        match self {
            Place::Container => "struct",
            Place::Field => "field",
        }
    }

    fn keys(self) -> &'static [Symbol] {
        match self {
            Place::Container => CONTAINER_KEYS,
            Place::Field => FIELD_KEYS,
        }
    }

    fn other(self) -> Place {
        match self {
            Place::Container => Place::Field,
            Place::Field => Place::Container,
        }
    }

    /// Words people bring from DynamoDB's own vocabulary or other libraries.
    fn aliases(self) -> &'static [(&'static str, Symbol, &'static str)] {
        const PARTITION: &str = "DynamoDB's partition key is called the hash key here";
        const SORT: &str = "DynamoDB's sort key is called the range key here";
        match self {
            Place::Container => &[("table_name", TABLE, ""), ("tablename", TABLE, ""), ("name", TABLE, "")],
            Place::Field => &[
                ("partition_key", HASH_KEY, PARTITION),
                ("partition", HASH_KEY, PARTITION),
                ("pk", HASH_KEY, PARTITION),
                ("sort_key", RANGE_KEY, SORT),
                ("sort", RANGE_KEY, SORT),
                ("sk", RANGE_KEY, SORT),
            ],
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

impl Container {
    /// Reads every `#[dynamo(...)]` on the struct.
    pub fn from_ast(cx: &Ctxt, input: &syn::DeriveInput) -> Self {
        let mut table = Attr::none(cx, TABLE, Place::Container);
        let mut rename_all = Attr::none(cx, RENAME_ALL, Place::Container);
        let mut incomplete = false;

        for attr in &input.attrs {
            if attr.path() != DYNAMO {
                continue;
            }
            let result = attr.parse_nested_meta(|meta| {
                if meta.path == TABLE {
                    let value = string_value(cx, &meta, TABLE, "\"orders\"")?;
                    table.set(&meta.path, value.and_then(|lit| table_name(cx, &lit)));
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
            incomplete,
        }
    }
}

impl Field {
    /// Reads every `#[dynamo(...)]` on a field named `ident`.
    pub fn from_ast(cx: &Ctxt, field: &syn::Field, ident: &Ident, rename_all: RenameRule) -> Self {
        let mut hash_key = Attr::none(cx, HASH_KEY, Place::Field);
        let mut range_key = Attr::none(cx, RANGE_KEY, Place::Field);
        let mut rename = Attr::none(cx, RENAME, Place::Field);
        let mut skip = Attr::none(cx, SKIP, Place::Field);
        let mut default = Attr::none(cx, DEFAULT, Place::Field);
        let mut serde = Attr::none(cx, SERDE, Place::Field);
        let mut with = Attr::none(cx, WITH, Place::Field);
        let mut written: Vec<(Symbol, Span)> = Vec::new();
        let mut incomplete = false;

        for attr in &field.attrs {
            if attr.path() != DYNAMO {
                continue;
            }
            let result = attr.parse_nested_meta(|meta| {
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
                    default.set_flag(&meta)?;
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
            default: default.get(),
            serde: serde.get(),
            with: written.iter().find(|(key, _)| *key == WITH).map(|(_, span)| *span),
            with_module: with.get(),
            written,
            incomplete,
        }
    }

    /// Whether the field is part of the primary key.
    pub fn is_key(&self) -> bool {
        self.hash_key.is_some() || self.range_key.is_some()
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

/// Validates `table = "..."` against DynamoDB's rules for table names, so that a
/// bad name fails at compile time rather than on the first request.
fn table_name(cx: &Ctxt, lit: &LitStr) -> Option<String> {
    const RULE: &str =
        "DynamoDB table names are 3 to 255 characters long and use only letters, digits, `_`, `-` and `.`";
    let name = lit.value();
    let len = name.chars().count();
    let bad = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')));
    let problem = if let Some(bad) = bad {
        format!("invalid table name {name:?}: it contains {bad:?}; {RULE}")
    } else if len == 0 {
        format!("the table name is empty; {RULE}")
    } else if len < 3 {
        format!("table name {name:?} is too short; {RULE}")
    } else if len > 255 {
        format!("table name is too long ({len} characters); {RULE}")
    } else {
        return Some(name);
    };
    cx.error_spanned_by(lit, problem);
    None
}

/// Reports a key that is not valid here, and skips its value.
fn unknown(cx: &Ctxt, meta: &ParseNestedMeta, place: Place) -> syn::Result<()> {
    let name = meta.path.to_token_stream().to_string().replace(' ', "");
    cx.error_spanned_by(&meta.path, unknown_message(&name, place));
    if meta.input.peek(Token![=]) {
        let _: Expr = meta.value()?.parse()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _: TokenTree = meta.input.parse()?;
    }
    Ok(())
}

fn unknown_message(name: &str, place: Place) -> String {
    let noun = place.noun();
    if place.other().keys().iter().any(|key| key.as_str() == name) {
        let other = place.other().noun();
        return format!(
            "`{name}` is a {other} attribute, not a {noun} attribute: move it to the `#[dynamo(...)]` on the {other}"
        );
    }
    if let Some((_, key, why)) = place.aliases().iter().find(|(alias, _, _)| alias.eq_ignore_ascii_case(name)) {
        let why = if why.is_empty() { String::new() } else { format!(" ({why})") };
        return format!("unknown {noun} attribute `{name}`; did you mean `{key}`?{why}");
    }
    let keys = place.keys().iter().map(|key| key.as_str());
    if let Some(suggestion) = closest(name, keys.clone()) {
        return format!("unknown {noun} attribute `{name}`; did you mean `{suggestion}`?");
    }
    let expected: Vec<String> = keys.map(|key| format!("`{key}`")).collect();
    format!("unknown {noun} attribute `{name}`; expected one of {}", expected.join(", "))
}

/// The candidate closest to `unknown`, if one is close enough to be what the
/// user meant. Case, `-` and `_` are ignored: `camelcase`, `hashKey` and
/// `snake-case` are slips, not different words.
pub fn closest<'a>(unknown: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    fn normalize(word: &str) -> String {
        word.chars().filter(|c| !matches!(c, '_' | '-')).map(|c| c.to_ascii_lowercase()).collect()
    }
    let unknown = normalize(unknown);
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(&unknown, &normalize(candidate)), candidate))
        .filter(|(score, _)| *score >= 0.82)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::closest;
    use crate::symbol::{CONTAINER_KEYS, FIELD_KEYS};

    fn field(word: &str) -> Option<&'static str> {
        closest(word, FIELD_KEYS.iter().map(|key| key.as_str()))
    }

    #[test]
    fn suggests_field_keys() {
        assert_eq!(field("hash_ky"), Some("hash_key"));
        assert_eq!(field("hashkey"), Some("hash_key"));
        assert_eq!(field("hashKey"), Some("hash_key"));
        assert_eq!(field("hash"), Some("hash_key"));
        assert_eq!(field("rangekey"), Some("range_key"));
        assert_eq!(field("range"), Some("range_key"));
        assert_eq!(field("renam"), Some("rename"));
        assert_eq!(field("defualt"), Some("default"));
        assert_eq!(field("skipp"), Some("skip"));
        assert_eq!(field("skip_serializing"), Some("skip"));
        assert_eq!(field("serd"), Some("serde"));
        assert_eq!(field("wiht"), Some("with"));
    }

    #[test]
    fn does_not_guess_wildly() {
        assert_eq!(field("flatten"), None);
        assert_eq!(field("index"), None);
        assert_eq!(field("ttl"), None);
        assert_eq!(closest("bucket", CONTAINER_KEYS.iter().map(|key| key.as_str())), None);
    }

    #[test]
    fn suggests_container_keys() {
        let container = |word| closest(word, CONTAINER_KEYS.iter().map(|key| key.as_str()));
        assert_eq!(container("tabel"), Some("table"));
        assert_eq!(container("renameall"), Some("rename_all"));
        assert_eq!(container("rename"), Some("rename_all"));
    }
}
