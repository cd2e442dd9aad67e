//! `validate(...)` on a field: its rules (`min`, `max`, `len(...)`,
//! `non_empty`, `regex`, `one_of`, `email`, `with`), each value checked as it
//! is read.

use super::{function_path, string_value, unknown, value_expr, Attr, Place};
use crate::ctxt::Ctxt;
use crate::symbol::{Symbol, EMAIL, LEN, MAX, MIN, NON_EMPTY, ONE_OF, REGEX, VALIDATE_KEYS, WITH};
use proc_macro2::TokenTree;
use quote::quote;
use syn::meta::ParseNestedMeta;
use syn::{Expr, ExprLit, ExprUnary, Ident, Lit, LitInt, LitStr, Token, UnOp};

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

/// Reads one `validate(...)` into `rules`. Returns whether some rule could not be
/// read (unknown or misplaced).
pub(super) fn parse_rules(cx: &Ctxt, meta: &ParseNestedMeta, rules: &mut Vec<Rule>) -> syn::Result<bool> {
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
