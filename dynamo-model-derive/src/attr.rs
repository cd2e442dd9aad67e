//! Parsing of `#[dynamo(...)]` on the struct and on its fields.
//!
//! Parsing goes on after a mistake: an unknown key or a value of the wrong form is
//! reported and skipped, so the keys after it are still read and checked.

use crate::case::RenameRule;
use crate::ctxt::Ctxt;
use crate::symbol::{
    Symbol, ALL, CONTAINER_KEYS, DEFAULT, DYNAMO, FIELD_KEYS, GSI, GSI_KEYS, HASH, HASH_KEY, INCLUDE, KEYS_ONLY, LSI,
    LSI_KEYS, NAME, PROJECTION, PROJECTIONS, RANGE, RANGE_KEY, RENAME, RENAME_ALL, SERDE, SKIP, TABLE, WITH,
};
use proc_macro2::{Span, TokenTree};
use quote::{quote, ToTokens};
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Token};

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
    /// Whether some key could not be read (unknown, misplaced or unparsable).
    pub incomplete: bool,
}

/// Global or local secondary index.
#[derive(Copy, Clone, PartialEq, Eq)]
pub enum IndexKind {
    /// `gsi(...)`: its own hash key.
    Global,
    /// `lsi(...)`: the table's hash key, another range key.
    Local,
}

impl IndexKind {
    /// The key that declares it.
    pub fn symbol(self) -> Symbol {
        match self {
            IndexKind::Global => GSI,
            IndexKind::Local => LSI,
        }
    }

    /// Its name in prose.
    pub fn noun(self) -> &'static str {
        match self {
            IndexKind::Global => "global secondary index",
            IndexKind::Local => "local secondary index",
        }
    }
}

/// `gsi(...)` or `lsi(...)` on the struct. Fields are named by their Rust names;
/// `check` resolves them.
pub struct Index {
    /// Global or local.
    pub kind: IndexKind,
    /// The `gsi` or `lsi` key, where errors about the index as a whole point.
    pub span: Span,
    /// `name = "..."`; `None` when missing or invalid (already reported).
    pub name: Option<LitStr>,
    /// `hash = field` (global indexes only).
    pub hash: Option<Ident>,
    /// `range = field`.
    pub range: Option<Ident>,
    /// `projection = ...`, `all` when not written.
    pub projection: Projection,
}

/// Which attributes an index holds.
pub enum Projection {
    /// `all`: every attribute.
    All,
    /// `keys_only`: the table's and the index's keys.
    KeysOnly,
    /// `include(a, b)`: the keys and these fields; the span is the whole call.
    Include(Vec<Ident>, Span),
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
    Index(IndexKind),
}

impl Place {
    fn noun(self) -> &'static str {
        match self {
            Place::Container => "struct",
            Place::Field => "field",
            Place::Index(_) => "index",
        }
    }

    fn keys(self) -> &'static [Symbol] {
        match self {
            Place::Container => CONTAINER_KEYS,
            Place::Field => FIELD_KEYS,
            Place::Index(IndexKind::Global) => GSI_KEYS,
            Place::Index(IndexKind::Local) => LSI_KEYS,
        }
    }

    /// The other place a misplaced key may belong to.
    fn other(self) -> Option<Place> {
        match self {
            Place::Container => Some(Place::Field),
            Place::Field => Some(Place::Container),
            Place::Index(_) => None,
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
    pub fn from_ast(cx: &Ctxt, input: &syn::DeriveInput, derive: Derive) -> Self {
        let mut table = Attr::none(cx, TABLE, Place::Container);
        let mut rename_all = Attr::none(cx, RENAME_ALL, Place::Container);
        let mut indexes = Vec::new();
        let mut incomplete = false;

        for attr in &input.attrs {
            if attr.path() != DYNAMO {
                continue;
            }
            let result = attr.parse_nested_meta(|meta| {
                if derive == Derive::Document && (meta.path == TABLE || meta.path == GSI || meta.path == LSI) {
                    cx.error_spanned_by(&meta.path, "a document has no table; derive `Model` for a table's item");
                    skip_value(&meta)?;
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
            incomplete,
        }
    }
}

impl Index {
    /// Reads one `gsi(...)` or `lsi(...)`; `None` when it is not written as a list.
    fn from_meta(cx: &Ctxt, meta: &ParseNestedMeta, kind: IndexKind) -> syn::Result<Option<Self>> {
        let keyword = kind.symbol();
        if !meta.input.peek(syn::token::Paren) {
            let path = &meta.path;
            let value = if meta.input.peek(Token![=]) { Some(meta.value()?.parse::<Expr>()?) } else { None };
            let example = match kind {
                IndexKind::Global => "gsi(name = \"by_status\", hash = status, range = created_at)",
                IndexKind::Local => "lsi(name = \"by_total\", range = total)",
            };
            let eq = value.as_ref().map(|_| quote!(=));
            cx.error_spanned_by(
                quote!(#path #eq #value),
                format!("`{keyword}` takes its settings in parentheses, like `{example}`"),
            );
            return Ok(None);
        }

        let place = Place::Index(kind);
        let mut name = Attr::none(cx, NAME, place);
        let mut hash = Attr::none(cx, HASH, place);
        let mut range = Attr::none(cx, RANGE, place);
        let mut projection = Attr::none(cx, PROJECTION, place);
        let mut incomplete = false;
        meta.parse_nested_meta(|inner| {
            if inner.path == NAME {
                let value = string_value(cx, &inner, NAME, "\"by_status\"")?;
                name.set(&inner.path, value.filter(|lit| resource_name(cx, lit, "index").is_some()));
            } else if inner.path == HASH && kind == IndexKind::Global {
                hash.set(&inner.path, field_name(cx, &inner, HASH)?);
            } else if inner.path == HASH {
                cx.error_spanned_by(
                    &inner.path,
                    "a local secondary index always uses the table's hash key: remove `hash`, or declare a `gsi` to choose another",
                );
                skip_value(&inner)?;
            } else if inner.path == RANGE {
                range.set(&inner.path, field_name(cx, &inner, RANGE)?);
            } else if inner.path == PROJECTION {
                projection.set(&inner.path, projection_value(cx, &inner)?);
            } else {
                unknown(cx, &inner, place)?;
                incomplete = true;
            }
            Ok(())
        })?;

        // A key hiding behind one that could not be read is not reported missing.
        if !incomplete {
            let noun = kind.noun();
            let span = meta.path.span();
            if !name.seen {
                cx.error(span, format!("`{keyword}(...)` needs `name = \"...\"`, the name of the index in DynamoDB"));
            }
            if kind == IndexKind::Global && !hash.seen {
                cx.error(span, format!("a {noun} needs `hash = field`, the field that is its partition key"));
            }
            if kind == IndexKind::Local && !range.seen {
                cx.error(
                    span,
                    format!(
                        "a {noun} needs `range = field`, the field that is its sort key (its hash key is the table's)"
                    ),
                );
            }
        }

        Ok(Some(Index {
            kind,
            span: meta.path.span(),
            name: name.get(),
            hash: hash.get(),
            range: range.get(),
            projection: projection.get().unwrap_or(Projection::All),
        }))
    }
}

impl Field {
    /// Reads every `#[dynamo(...)]` on a field named `ident`.
    pub fn from_ast(cx: &Ctxt, field: &syn::Field, ident: &Ident, rename_all: RenameRule, derive: Derive) -> Self {
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
                if derive == Derive::Document && (meta.path == HASH_KEY || meta.path == RANGE_KEY) {
                    let key = if meta.path == HASH_KEY { HASH_KEY } else { RANGE_KEY };
                    cx.error_spanned_by(
                        &meta.path,
                        format!("`{key}` is only for `#[derive(Model)]`: a document is stored inside an attribute of an item and has no key of its own"),
                    );
                    return skip_value(&meta);
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

/// Reads `key = field_name`, a field of the struct named by its Rust name;
/// anything else is reported and yields `None`.
fn field_name(cx: &Ctxt, meta: &ParseNestedMeta, key: Symbol) -> syn::Result<Option<Ident>> {
    Ok(match value_expr(cx, meta, key, "status")? {
        Some(Expr::Path(path)) if path.qself.is_none() && path.attrs.is_empty() && path.path.get_ident().is_some() => {
            path.path.get_ident().cloned()
        }
        Some(Expr::Lit(ExprLit { lit: Lit::Str(lit), .. })) => {
            // Quoting the field is a slip; quoting its attribute name may be a
            // misunderstanding, so the hint says which name is meant.
            let example = if syn::parse_str::<Ident>(&lit.value()).is_ok() { lit.value() } else { "status".into() };
            cx.error_spanned_by(
                &lit,
                format!("`{key}` takes the Rust name of a field, without quotes, like `{key} = {example}`"),
            );
            None
        }
        Some(other) => {
            cx.error_spanned_by(
                &other,
                format!("`{key}` takes the name of one field of this struct, like `{key} = status`"),
            );
            None
        }
        None => None,
    })
}

/// Reads `projection = all | keys_only | include(field, ...)`; anything else is
/// reported and yields `None`.
fn projection_value(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<Projection>> {
    const EXPECTED: &str = "`projection` takes `all`, `keys_only` or `include(field, ...)`";
    let Some(expr) = value_expr(cx, meta, PROJECTION, "keys_only")? else {
        return Ok(None);
    };
    let word = |expr: &Expr| match expr {
        Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => path.path.get_ident().cloned(),
        _ => None,
    };
    Ok(match &expr {
        Expr::Call(call) if word(&call.func).is_some_and(|func| func == INCLUDE) => {
            let mut fields = Vec::new();
            for arg in &call.args {
                match word(arg) {
                    Some(field) => fields.push(field),
                    None => cx.error_spanned_by(
                        arg,
                        "`include(...)` takes the Rust names of fields, like `include(title, body)`",
                    ),
                }
            }
            if call.args.is_empty() {
                cx.error_spanned_by(
                    call,
                    "`include()` needs at least one field; for the keys alone, write `projection = keys_only`",
                );
            }
            Some(Projection::Include(fields, call.span()))
        }
        Expr::Path(_) => match word(&expr) {
            Some(ident) if ident == ALL => Some(Projection::All),
            Some(ident) if ident == KEYS_ONLY => Some(Projection::KeysOnly),
            Some(ident) if ident == INCLUDE => {
                cx.error_spanned_by(
                    &ident,
                    "`include` lists the fields copied into the index besides the keys, like `include(title, body)`",
                );
                None
            }
            Some(ident) => {
                cx.error_spanned_by(&ident, unknown_projection(&ident.to_string()));
                None
            }
            None => {
                cx.error_spanned_by(&expr, EXPECTED);
                None
            }
        },
        Expr::Lit(ExprLit { lit: Lit::Str(lit), .. }) => {
            let hint = match closest(&lit.value(), PROJECTIONS.iter().map(|p| p.as_str())) {
                Some(projection) if projection == INCLUDE.as_str() => "include(field, ...)".to_owned(),
                Some(projection) => projection.to_owned(),
                None => "keys_only".to_owned(),
            };
            cx.error_spanned_by(lit, format!("{EXPECTED}, without quotes, like `projection = {hint}`"));
            None
        }
        other => {
            cx.error_spanned_by(other, EXPECTED);
            None
        }
    })
}

fn unknown_projection(name: &str) -> String {
    match closest(name, PROJECTIONS.iter().map(|p| p.as_str())) {
        Some(suggestion) => format!("unknown projection `{name}`; did you mean `{suggestion}`?"),
        None => format!("unknown projection `{name}`; expected `all`, `keys_only` or `include(field, ...)`"),
    }
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
    if let Some(other) = place.other().filter(|other| other.keys().iter().any(|key| key.as_str() == name)) {
        let other = other.noun();
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
    fn suggests_index_keys_and_projections() {
        use crate::symbol::{GSI_KEYS, PROJECTIONS};
        let index = |word| closest(word, GSI_KEYS.iter().map(|key| key.as_str()));
        assert_eq!(index("hsah"), Some("hash"));
        assert_eq!(index("hash_key"), Some("hash"));
        assert_eq!(index("range_key"), Some("range"));
        assert_eq!(index("projections"), Some("projection"));
        let projection = |word| closest(word, PROJECTIONS.iter().map(|key| key.as_str()));
        assert_eq!(projection("KEYS_ONLY"), Some("keys_only"));
        assert_eq!(projection("keysonly"), Some("keys_only"));
        assert_eq!(projection("ALL"), Some("all"));
        assert_eq!(projection("includes"), Some("include"));
        assert_eq!(projection("everything"), None);
    }

    #[test]
    fn suggests_container_keys() {
        let container = |word| closest(word, CONTAINER_KEYS.iter().map(|key| key.as_str()));
        assert_eq!(container("tabel"), Some("table"));
        assert_eq!(container("renameall"), Some("rename_all"));
        assert_eq!(container("rename"), Some("rename_all"));
    }
}
