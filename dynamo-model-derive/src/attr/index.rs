//! `gsi(...)` and `lsi(...)` on the struct: a secondary index, its keys and
//! its projection.

use super::{resource_name, skip_value, string_value, unknown, value_expr, Attr, Place};
use crate::ctxt::Ctxt;
use crate::suggest::closest;
use crate::symbol::{Symbol, ALL, GSI, HASH, INCLUDE, KEYS_ONLY, LSI, NAME, PROJECTION, PROJECTIONS, RANGE};
use proc_macro2::Span;
use quote::quote;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Token};

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
    /// `hash = "STATUS#{status}"`: a key template, for a model in a shared table.
    pub hash_template: Option<LitStr>,
    /// `range = "ORDER#{created}"`: a key template, for a model in a shared table.
    pub range_template: Option<LitStr>,
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

impl Index {
    /// Reads one `gsi(...)` or `lsi(...)`; `None` when it is not written as a list.
    pub(super) fn from_meta(cx: &Ctxt, meta: &ParseNestedMeta, kind: IndexKind) -> syn::Result<Option<Self>> {
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
        let mut hash_template = None;
        let mut range_template = None;
        meta.parse_nested_meta(|inner| {
            if inner.path == NAME {
                let value = string_value(cx, &inner, NAME, "\"by_status\"")?;
                name.set(&inner.path, value.filter(|lit| resource_name(cx, lit, "index").is_some()));
            } else if inner.path == HASH && kind == IndexKind::Global && is_template(&inner) {
                hash_template = Some(inner.value()?.parse()?);
                hash.set(&inner.path, None);
            } else if inner.path == RANGE && is_template(&inner) {
                range_template = Some(inner.value()?.parse()?);
                range.set(&inner.path, None);
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
            hash_template,
            range_template,
            range: range.get(),
            projection: projection.get().unwrap_or(Projection::All),
        }))
    }
}

/// Reads `key = field_name`, a field of the struct named by its Rust name;
/// anything else is reported and yields `None`.
/// Whether the value is a key template (a string with a `{field}` or a `#`), which
/// models in a shared table give their index keys.
fn is_template(meta: &ParseNestedMeta) -> bool {
    let fork = meta.input.fork();
    let Ok(_) = fork.parse::<Token![=]>() else { return false };
    // A quoted field name (`"status"`) is a slip reported as such; anything else
    // (`"STATUS#{status}"`, a constant `"FEED"`) is a template.
    fork.parse::<LitStr>().is_ok_and(|lit| {
        let value = lit.value();
        value.contains(['{', '#']) || value.chars().any(char::is_uppercase) || syn::parse_str::<Ident>(&value).is_err()
    })
}

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
