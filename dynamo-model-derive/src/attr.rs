//! Parsing of `#[dynamo(...)]` on the struct and on its fields.
//!
//! Parsing goes on after a mistake: an unknown key or a value of the wrong form is
//! reported and skipped, so the keys after it are still read and checked.

use crate::case::RenameRule;
use crate::ctxt::Ctxt;
use crate::symbol::{
    Symbol, ALL, CONTAINER_KEYS, COUNTER, CREATED_AT, DEFAULT, DEFAULT_FN, DYNAMO, EMAIL, EXTRA, FIELD_KEYS, GET, GSI,
    GSI_KEYS, HASH, HASH_KEY, INCLUDE, KEYS_ONLY, LEN, LEN_KEYS, LIFECYCLE_KEYS, LSI, LSI_KEYS, MAX, MIN, NAME,
    NON_EMPTY, ONE_OF, PROJECTION, PROJECTIONS, RANGE, RANGE_KEY, REGEX, RENAME, RENAME_ALL, REQUIRED, SERDE, SET,
    SKIP, TABLE, TTL, UPDATED_AT, VALIDATE, VALIDATE_KEYS, VERSION, WITH,
};
use proc_macro2::{Span, TokenTree};
use quote::{quote, ToTokens};
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, Ident, Lit, LitInt, LitStr, Token, UnOp};

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
    /// `validate = path`: a check of the whole struct, `fn(&Self) -> Result<(), String>`.
    pub validate: Option<syn::Path>,
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

/// One rule of `validate(...)`.
pub struct Rule {
    /// The rule's key (`min`, `regex`, ...), where errors about the rule point.
    pub key: Ident,
    /// What the rule checks.
    pub kind: RuleKind,
}

/// What a rule of `validate(...)` checks; every value was checked while parsing.
pub enum RuleKind {
    /// `min = <number literal>`.
    Min(Expr),
    /// `max = <number literal>`.
    Max(Expr),
    /// `len(min = N, max = M)`, either bound optional but not both.
    Len {
        /// The lower bound, an integer literal.
        min: Option<LitInt>,
        /// The upper bound, an integer literal.
        max: Option<LitInt>,
    },
    /// `non_empty`.
    NonEmpty,
    /// `regex = "pattern"`, a pattern the `regex` crate accepts.
    Regex(LitStr),
    /// `one_of = [lit, ...]`, at least one literal.
    OneOf(Vec<Expr>),
    /// `email`.
    Email,
    /// `with = path`, a function `fn(&T) -> Result<(), String>`.
    With(syn::Path),
}

impl RuleKind {
    /// Whether a second rule of this kind on one field can only be a mistake: two
    /// bounds of one kind contradict or repeat each other, while two patterns or
    /// two functions are two independent checks.
    fn once(&self) -> bool {
        !matches!(self, RuleKind::Regex(_) | RuleKind::With(_))
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

impl Container {
    /// Reads every `#[dynamo(...)]` on the struct.
    pub fn from_ast(cx: &Ctxt, input: &syn::DeriveInput, derive: Derive) -> Self {
        let mut table = Attr::none(cx, TABLE, Place::Container);
        let mut rename_all = Attr::none(cx, RENAME_ALL, Place::Container);
        let mut validate = Attr::none(cx, VALIDATE, Place::Container);
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

/// Reads one `validate(...)` into `rules`. Returns whether some rule could not be
/// read (unknown or misplaced).
fn parse_rules(cx: &Ctxt, meta: &ParseNestedMeta, rules: &mut Vec<Rule>) -> syn::Result<bool> {
    if !meta.input.peek(syn::token::Paren) {
        let path = &meta.path;
        let value = if meta.input.peek(Token![=]) { Some(meta.value()?.parse::<Expr>()?) } else { None };
        let eq = value.as_ref().map(|_| quote!(=));
        cx.error_spanned_by(
            quote!(#path #eq #value),
            "on a field, `validate` takes rules in parentheses, like `validate(min = 0)`; a function that checks the value is `validate(with = function)`",
        );
        return Ok(false);
    }
    if empty_parens(meta)? {
        cx.error_spanned_by(
            &meta.path,
            "`validate()` lists no rule; write rules like `validate(min = 0, max = 100)`, or remove it",
        );
        return Ok(false);
    }
    let mut incomplete = false;
    meta.parse_nested_meta(|inner| {
        let Some(key) = inner.path.get_ident().cloned().filter(|_| VALIDATE_KEYS.iter().any(|k| inner.path == *k))
        else {
            unknown(cx, &inner, Place::Validate)?;
            incomplete = true;
            return Ok(());
        };
        let kind = if key == MIN || key == MAX {
            let symbol = if key == MIN { MIN } else { MAX };
            number_literal(cx, &inner, symbol)?
                .map(|lit| if key == MIN { RuleKind::Min(lit) } else { RuleKind::Max(lit) })
        } else if key == LEN {
            len_rule(cx, &inner)?
        } else if key == NON_EMPTY || key == EMAIL {
            let symbol = if key == NON_EMPTY { NON_EMPTY } else { EMAIL };
            no_rule_value(cx, &inner, symbol)?;
            Some(if key == NON_EMPTY { RuleKind::NonEmpty } else { RuleKind::Email })
        } else if key == REGEX {
            let value = string_value(cx, &inner, REGEX, "\"^[a-z]+$\"")?;
            value.filter(|lit| valid_regex(cx, lit)).map(RuleKind::Regex)
        } else if key == ONE_OF {
            one_of(cx, &inner)?.map(RuleKind::OneOf)
        } else {
            function_path(cx, &inner, WITH, "check_value")?.map(RuleKind::With)
        };
        let Some(kind) = kind else {
            return Ok(());
        };
        if kind.once() {
            let same = std::mem::discriminant(&kind);
            if rules.iter().any(|rule| std::mem::discriminant(&rule.kind) == same) {
                cx.error_spanned_by(&key, format!("duplicate rule: `{key}` is already set on this field"));
                return Ok(());
            }
        }
        rules.push(Rule { key, kind });
        Ok(())
    })?;
    Ok(incomplete)
}

/// Whether the key is followed by `()`, which syn's nested-meta parser rejects
/// with a message of its own; the caller says what belongs inside instead.
fn empty_parens(meta: &ParseNestedMeta) -> syn::Result<bool> {
    let fork = meta.input.fork();
    let content;
    syn::parenthesized!(content in fork);
    if !content.is_empty() {
        return Ok(false);
    }
    // Consumes the `()` from the real input.
    let _: TokenTree = meta.input.parse()?;
    Ok(true)
}

/// Reports a value given to a rule that takes none (`non_empty`, `email`), and
/// skips it.
fn no_rule_value(cx: &Ctxt, meta: &ParseNestedMeta, key: Symbol) -> syn::Result<()> {
    let message = format!("`{key}` does not take a value; write `validate({key})`");
    if meta.input.peek(Token![=]) {
        let value: Expr = meta.value()?.parse()?;
        cx.error_spanned_by(&value, message);
    } else if meta.input.peek(syn::token::Paren) {
        let args: TokenTree = meta.input.parse()?;
        cx.error_spanned_by(&args, message);
    }
    Ok(())
}

/// Whether `expr` is a number literal, negative or not: what `min`, `max` and the
/// numbers of `one_of` take.
fn is_number(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Int(_) | Lit::Float(_), .. }) => true,
        Expr::Unary(ExprUnary { op: UnOp::Neg(_), expr, .. }) => {
            matches!(&**expr, Expr::Lit(ExprLit { lit: Lit::Int(_) | Lit::Float(_), .. }))
        }
        _ => false,
    }
}

/// Reads `min = <number>` or `max = <number>`; anything else is reported and
/// yields `None`.
fn number_literal(cx: &Ctxt, meta: &ParseNestedMeta, key: Symbol) -> syn::Result<Option<Expr>> {
    Ok(match value_expr(cx, meta, key, "0")? {
        Some(expr) if is_number(&expr) => Some(expr),
        Some(other) => {
            let hint = if matches!(&other, Expr::Lit(ExprLit { lit: Lit::Str(_), .. })) {
                format!("; for the length of a string or a list, use `len({key} = ...)`")
            } else {
                String::new()
            };
            cx.error_spanned_by(
                &other,
                format!("`{key}` takes a number literal, like `{key} = 0` or `{key} = -1.5`{hint}"),
            );
            None
        }
        None => None,
    })
}

/// Reads `one_of = [lit, ...]`; anything else is reported and yields `None`.
fn one_of(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<Vec<Expr>>> {
    const EXAMPLE: &str = "one_of = [\"admin\", \"member\"]";
    let Some(expr) = value_expr(cx, meta, ONE_OF, "[\"admin\", \"member\"]")? else {
        return Ok(None);
    };
    let Expr::Array(array) = expr else {
        cx.error_spanned_by(&expr, format!("`one_of` takes a list of literals in brackets, like `{EXAMPLE}`"));
        return Ok(None);
    };
    if array.elems.is_empty() {
        cx.error_spanned_by(&array, "`one_of = []` accepts no value at all; list the values allowed");
        return Ok(None);
    }
    let mut valid = true;
    for elem in &array.elems {
        if !(is_number(elem) || matches!(elem, Expr::Lit(_))) {
            cx.error_spanned_by(elem, format!("`one_of` takes literals only, like `{EXAMPLE}`"));
            valid = false;
        }
    }
    Ok(valid.then(|| array.elems.into_iter().collect()))
}

/// Reads `len(min = N, max = M)`; a malformed one is reported and yields `None`.
fn len_rule(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<RuleKind>> {
    const EXAMPLE: &str = "len(min = 1, max = 64)";
    if !meta.input.peek(syn::token::Paren) {
        let path = &meta.path;
        let value = if meta.input.peek(Token![=]) { Some(meta.value()?.parse::<Expr>()?) } else { None };
        let eq = value.as_ref().map(|_| quote!(=));
        cx.error_spanned_by(
            quote!(#path #eq #value),
            format!("`len` takes its bounds in parentheses, like `{EXAMPLE}` (either bound may be left out)"),
        );
        return Ok(None);
    }
    if empty_parens(meta)? {
        cx.error_spanned_by(&meta.path, format!("`len()` needs `min`, `max` or both, like `{EXAMPLE}`"));
        return Ok(None);
    }
    let mut min = Attr::none(cx, MIN, Place::Len);
    let mut max = Attr::none(cx, MAX, Place::Len);
    // The keys as written, to point at the whole `min = 5, max = 1` when they conflict.
    let mut min_key = None;
    let mut valid = true;
    meta.parse_nested_meta(|inner| {
        if inner.path == MIN || inner.path == MAX {
            let key = if inner.path == MIN { MIN } else { MAX };
            let bound = match value_expr(cx, &inner, key, "1")? {
                Some(Expr::Lit(ExprLit { lit: Lit::Int(lit), .. }))
                    if matches!(lit.suffix(), "" | "usize") && lit.base10_parse::<usize>().is_ok() =>
                {
                    Some(lit)
                }
                Some(other) => {
                    cx.error_spanned_by(
                        &other,
                        format!(
                            "`{key}` in `len(...)` takes a whole number of characters or elements, like `{key} = 1`"
                        ),
                    );
                    None
                }
                None => None,
            };
            valid &= bound.is_some();
            if key == MIN {
                min_key = Some(inner.path.clone());
                min.set(&inner.path, bound);
            } else {
                max.set(&inner.path, bound);
            }
        } else {
            unknown(cx, &inner, Place::Len)?;
            valid = false;
        }
        Ok(())
    })?;
    // Not empty (checked above), so `min` or `max` was written unless an unknown
    // key was, which is reported already.
    let (min, max) = (min.get(), max.get());
    if let (Some(low), Some(high)) = (&min, &max) {
        // Both parse: checked when they were read.
        let (low_value, high_value) = (low.base10_parse::<usize>()?, high.base10_parse::<usize>()?);
        if low_value > high_value {
            cx.error_spanned_by(
                quote!(#min_key #high),
                format!("`len(min = {low_value}, max = {high_value})` accepts no length: `min` must not exceed `max`"),
            );
            return Ok(None);
        }
    }
    Ok(valid.then_some(RuleKind::Len { min, max }))
}

/// Whether `lit` is a pattern the `regex` crate accepts, else reports
/// regex-syntax's reason on the literal.
fn valid_regex(cx: &Ctxt, lit: &LitStr) -> bool {
    let pattern = lit.value();
    let Err(err) = regex_syntax::Parser::new().parse(&pattern) else {
        return true;
    };
    // The error's own `Display` draws the pattern with a caret line under it,
    // which reads badly inside a compiler message: say what is wrong, and where.
    let (reason, span) = match &err {
        regex_syntax::Error::Parse(err) => (err.kind().to_string(), Some(err.span())),
        regex_syntax::Error::Translate(err) => (err.kind().to_string(), Some(err.span())),
        other => (other.to_string(), None),
    };
    let at = span
        .and_then(|span| pattern.get(span.start.offset..span.end.offset))
        .filter(|part| !part.is_empty() && *part != pattern)
        .map(|part| format!(" (at `{part}`)"))
        .unwrap_or_default();
    cx.error_spanned_by(lit, format!("invalid regular expression: {reason}{at}"));
    false
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
        assert_eq!(field("cache"), None);
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
    fn suggests_new_field_keys() {
        assert_eq!(field("defaultfn"), Some("default_fn"));
        assert_eq!(field("default_func"), Some("default_fn"));
        assert_eq!(field("requred"), Some("required"));
        assert_eq!(field("validation"), Some("validate"));
        assert_eq!(field("createdAt"), Some("created_at"));
        assert_eq!(field("updated"), Some("updated_at"));
        assert_eq!(field("versoin"), Some("version"));
        assert_eq!(field("counters"), Some("counter"));
    }

    #[test]
    fn suggests_rules() {
        use crate::symbol::{LEN_KEYS, VALIDATE_KEYS};
        let rule = |word| closest(word, VALIDATE_KEYS.iter().map(|key| key.as_str()));
        assert_eq!(rule("minimum"), Some("min"));
        assert_eq!(rule("maximum"), Some("max"));
        assert_eq!(rule("length"), Some("len"));
        assert_eq!(rule("nonempty"), Some("non_empty"));
        assert_eq!(rule("not_empty"), Some("non_empty"));
        assert_eq!(rule("oneof"), Some("one_of"));
        assert_eq!(rule("regexp"), Some("regex"));
        assert_eq!(rule("mail"), Some("email"));
        assert_eq!(rule("uppercase"), None);
        let len = |word| closest(word, LEN_KEYS.iter().map(|key| key.as_str()));
        assert_eq!(len("minimum"), Some("min"));
        assert_eq!(len("maximum"), Some("max"));
    }

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

    #[test]
    fn suggests_container_keys() {
        let container = |word| closest(word, CONTAINER_KEYS.iter().map(|key| key.as_str()));
        assert_eq!(container("tabel"), Some("table"));
        assert_eq!(container("renameall"), Some("rename_all"));
        assert_eq!(container("rename"), Some("rename_all"));
    }
}
