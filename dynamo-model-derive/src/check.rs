//! The modelling rules a struct must follow, checked before any code is written.
//!
//! Each rule reports at the token that breaks it. A rule that would only restate
//! an earlier error (a "missing" key next to a key that could not be read) stays
//! quiet, so the user sees their mistakes and not their consequences.

use crate::ast::{Container, Field};
use crate::attr::{Derive, Index, IndexKind, Projection, RuleKind};
use crate::case::screaming_snake;
use crate::ctxt::Ctxt;
use crate::symbol::{
    Symbol, COUNTER, CREATED_AT, DEFAULT, DEFAULT_FN, EXTRA, GET, HASH_KEY, LIFECYCLE_KEYS, RANGE_KEY, RENAME,
    REQUIRED, SERDE, SET, SKIP, TTL, UPDATED_AT, VALIDATE, VERSION, WITH,
};
use crate::ty::{
    is_epoch_time, is_one_of, is_scalar, is_string, option_inner, type_arguments, type_name, type_to_string, INTEGERS,
    OTHER_NUMBERS,
};
use proc_macro2::Span;
use std::collections::{HashMap, HashSet};
use syn::ext::IdentExt;
use syn::{GenericArgument, Ident, PathArguments, Type};

/// DynamoDB's limit on local secondary indexes per table (not a quota: it cannot
/// be raised).
const MAX_LOCAL_INDEXES: usize = 5;
/// DynamoDB's limit on the attributes one index's `INCLUDE` projection lists.
const MAX_INCLUDED: usize = 20;

/// Applies every rule, reporting each violation to `cx`.
pub fn check(cx: &Ctxt, cont: &Container) {
    cx.set_position(0);
    check_generics(cx, cont);
    // `table` or the hash key may be hiding behind a key that could not be read
    // (`tabel = ...`, `hash_kye`): then saying they are missing would be a guess.
    let shared = cont.attrs.shared.is_some();
    if cont.derive == Derive::Model && !cont.incomplete() && !shared {
        check_table(cx, cont);
        // A key template without a shared table is reported (in `entity`) for what it is.
        if cont.hash_key().is_none() && cont.attrs.hash_template.is_none() {
            cx.error_spanned_by(
                cont.ident,
                "a model needs exactly one `#[dynamo(hash_key)]` field: mark the field that holds the item's partition key",
            );
        }
    }

    let mut keys = Keys { hash: None, range: None, model_has_range: cont.range_key().is_some() };
    let mut names = HashMap::new();
    let mut consts = HashMap::new();
    let mut singles = Singles::default();
    for (index, field) in cont.fields.iter().enumerate() {
        cx.set_position(index + 1);
        keys.check(cx, field);
        singles.check(cx, cont, field);
        check_field(cx, field);
        check_attribute_name(cx, field, &mut names);
        check_const_name(cx, cont, field, &mut consts);
    }
    cx.set_position(0);
    if cont.derive == Derive::Model {
        crate::entity::check(cx, cont);
    }
    if shared {
        check_index_names(cx, cont, &consts);
    } else {
        check_indexes(cx, cont, &consts);
    }
}

fn check_generics(cx: &Ctxt, cont: &Container) {
    let generics = &cont.original.generics;
    if !generics.params.is_empty() {
        // Prints as `<...>` only, which is the part to point at.
        cx.error_spanned_by(
            generics,
            format!(
                "generic {}s are not supported yet: remove the type and lifetime parameters and give every field a concrete, owned type",
                cont.derive.noun()
            ),
        );
    }
}

fn check_table(cx: &Ctxt, cont: &Container) {
    if !cont.attrs.table_written {
        cx.error_spanned_by(
            cont.ident,
            format!(
                "missing table name: add `#[dynamo(table = \"...\")]` to `{}` with the name of its DynamoDB table",
                cont.ident
            ),
        );
    }
}

/// The key fields seen so far, to report a second hash or range key.
struct Keys<'f> {
    hash: Option<&'f syn::Ident>,
    range: Option<&'f syn::Ident>,
    /// Whether any field is the range key: if none is, a second hash key was
    /// probably meant to be the range key.
    model_has_range: bool,
}

impl<'f> Keys<'f> {
    fn check(&mut self, cx: &Ctxt, field: &'f Field) {
        let attrs = &field.attrs;
        let (Some(hash_key), Some(range_key)) = (attrs.hash_key, attrs.range_key) else {
            if let Some(span) = attrs.hash_key {
                self.hash_key(cx, field, span, true);
            } else if let Some(span) = attrs.range_key {
                self.range_key(cx, field, span);
            }
            return;
        };
        cx.error(
            second_written(field, (HASH_KEY, hash_key), (RANGE_KEY, range_key)),
            "a field cannot be both the hash key and the range key; a range key is a second field that orders the items sharing a hash key",
        );
        // Counted as the hash key only, so a range key elsewhere is not reported too.
        self.hash_key(cx, field, hash_key, false);
    }

    fn hash_key(&mut self, cx: &Ctxt, field: &'f Field, span: Span, may_be_range: bool) {
        let Some(first) = self.hash else {
            self.hash = Some(field.member);
            return;
        };
        let hint = if may_be_range && !self.model_has_range {
            "; for a composite primary key, make this one `#[dynamo(range_key)]`"
        } else {
            ""
        };
        cx.error(
            span,
            format!(
                "a model needs exactly one `#[dynamo(hash_key)]` field, and `{first}` is already the hash key{hint}"
            ),
        );
    }

    fn range_key(&mut self, cx: &Ctxt, field: &'f Field, span: Span) {
        let Some(first) = self.range else {
            self.range = Some(field.member);
            return;
        };
        cx.error(
            span,
            format!(
                "a model can have at most one `#[dynamo(range_key)]` field, and `{first}` is already the range key"
            ),
        );
    }
}

/// Of two conflicting keys on one field, the span of the one written second,
/// which is where the conflict is reported.
fn second_written(field: &Field, a: (Symbol, Span), b: (Symbol, Span)) -> Span {
    let position = |key: Symbol| field.attrs.written.iter().position(|(written, _)| *written == key);
    if position(a.0) <= position(b.0) {
        b.1
    } else {
        a.1
    }
}

fn check_field(cx: &Ctxt, field: &Field) {
    let attrs = &field.attrs;
    if attrs.is_key() {
        let role = if attrs.hash_key.is_some() { "the hash key" } else { "the range key" };
        for &(key, span) in &attrs.written {
            let why = if key == DEFAULT || key == DEFAULT_FN || key == SKIP {
                "every item stores its key"
            } else if key == SERDE || key == WITH {
                "key fields are stored as themselves, as a string, number or binary attribute"
            } else if key == SET || key == GET {
                "a key is stored as given, or `Model::key(...)` would not find the item"
            } else if key == EXTRA {
                "an `extra` field holds the attributes the struct does not declare"
            } else if key == COUNTER {
                "a counter changes with every `add`, and an item's key never changes"
            } else if LIFECYCLE_KEYS.contains(&key) {
                "the library changes it on writes, and an item's key never changes"
            } else {
                continue;
            };
            cx.error(span, format!("`{key}` cannot be used on {role}: {why}"));
        }
        check_key_type(cx, field);
        check_rules(cx, field);
        return;
    }
    if attrs.skip.is_some() {
        for &(key, span) in &attrs.written {
            let effect = if key == DEFAULT || key == DEFAULT_FN {
                "and always reads back as `Default::default()`"
            } else if key == RENAME {
                "so it has no attribute name"
            } else if key == SERDE || key == WITH {
                "so there is nothing to convert"
            } else if key == SET || key == GET {
                "so there is nothing to transform"
            } else if key == VALIDATE || key == REQUIRED {
                "so there is nothing to check before a write"
            } else if key == EXTRA {
                "so it cannot keep the attributes the struct does not declare"
            } else if LIFECYCLE_KEYS.contains(&key) {
                "so the library has nothing to maintain"
            } else {
                continue;
            };
            cx.error(
                span,
                format!("`skip` cannot be combined with `{key}`: a skipped field is never stored, {effect}"),
            );
        }
        return;
    }
    if attrs.extra.is_some() {
        for &(key, span) in &attrs.written {
            if key != EXTRA {
                cx.error(
                    span,
                    format!("`{key}` cannot be combined with `extra`: an `extra` field holds every attribute the struct does not declare, as stored"),
                );
            }
        }
        check_extra_type(cx, field);
        return;
    }
    if let (Some(serde), Some(with)) = (attrs.serde, attrs.with) {
        cx.error(
            second_written(field, (SERDE, serde), (WITH, with)),
            "`serde` and `with` cannot be combined: choose one way to convert this field",
        );
    }
    check_transforms(cx, field);
    if let (Some(default), Some(default_fn)) = (written(field, DEFAULT), written(field, DEFAULT_FN)) {
        cx.error(
            second_written(field, (DEFAULT, default), (DEFAULT_FN, default_fn)),
            "`default` and `default_fn` cannot be combined: a missing attribute reads as one default",
        );
    }
    check_lifecycle(cx, field);
    check_rules(cx, field);
    if attrs.with.is_none() {
        // Through serde, an empty set is a list, which reads back: only `Some(None)` is lost.
        check_exact(cx, field.ty, attrs.serde.is_none());
    }
}

/// How `Some(None)` is lost: the library's own conversion stores no attribute,
/// serde stores NULL; both read back as `None`.
fn lost_some_none(native: bool) -> &'static str {
    if native {
        "`Some(None)` would be stored as nothing and read back as `None`; use one `Option`, or an enum"
    } else {
        "serde stores `Some(None)` as NULL, like `None`, and reads NULL back as `None`; use one `Option`, or an enum"
    }
}

/// `Option<Option<T>>` and an `Option` of a set, anywhere in a stored type: `Some(None)`
/// and `Some` of an empty set are stored as nothing (or, through serde, `Some(None)` as
/// NULL), like `None`, so they could not read back as written. `sets` is true for the
/// library's own conversion, which also loses `Some` of an empty set.
fn check_exact(cx: &Ctxt, ty: &Type, sets: bool) {
    let Type::Path(path) = ty else { return };
    let Some(last) = path.path.segments.last() else { return };
    let PathArguments::AngleBracketed(args) = &last.arguments else { return };
    for arg in &args.args {
        let GenericArgument::Type(inner) = arg else { continue };
        if last.ident == "Option" {
            let nested = type_name(inner);
            let why = match nested.as_deref() {
                Some("Option") => Some(lost_some_none(sets)),
                Some("HashSet" | "BTreeSet") if sets => Some("DynamoDB has no empty set, so `Some` of an empty set would read back as `None`; a set field is already optional (empty is no attribute): drop the `Option`"),
                _ => None,
            };
            if let Some(why) = why {
                cx.error_spanned_by(ty, format!("`{}` cannot be stored exactly: {why}", type_to_string(ty)));
                return;
            }
        }
        check_exact(cx, inner, sets);
    }
}

/// The span of `key` on this field, if it is written.
fn written(field: &Field, key: Symbol) -> Option<Span> {
    field.attrs.written.iter().find(|(written, _)| *written == key).map(|(_, span)| *span)
}

/// `set` and `get` transform the value the field's own conversion stores: a
/// conversion by `serde` or `with` is where such a change belongs.
fn check_transforms(cx: &Ctxt, field: &Field) {
    for transform in [SET, GET] {
        let Some(transform_span) = written(field, transform) else { continue };
        for conversion in [SERDE, WITH] {
            let Some(conversion_span) = written(field, conversion) else { continue };
            let place = match (transform == SET, conversion == SERDE) {
                (true, true) => "its `Serialize` impl",
                (false, true) => "its `Deserialize` impl",
                (true, false) => "the module's `to_attribute`",
                (false, false) => "the module's `from_attribute`",
            };
            cx.error(
                second_written(field, (transform, transform_span), (conversion, conversion_span)),
                format!("`{transform}` and `{conversion}` cannot be combined: `{conversion}` converts the field, so transform the value in {place}"),
            );
        }
    }
}

/// One lifecycle role per field, each on a type the library can maintain.
fn check_lifecycle(cx: &Ctxt, field: &Field) {
    let mut roles = field.attrs.written.iter().filter(|(key, _)| LIFECYCLE_KEYS.contains(key));
    let Some(&(first, _)) = roles.next() else {
        return;
    };
    for &(key, span) in roles {
        cx.error(
            span,
            format!("`{key}` cannot be combined with `{first}`: a field has at most one of `version`, `created_at`, `updated_at`, `ttl` and `counter`"),
        );
    }
    // The type is judged against the first role only: with two, the second is
    // the mistake already reported.
    let ty = field.ty;
    let (fits, needs) = if first == VERSION {
        (
            is_one_of(ty, &["u64"]),
            "`version` needs a `u64` field: a narrower integer would overflow into an item the model cannot read",
        )
    } else if first == CREATED_AT || first == UPDATED_AT {
        (
            is_epoch_time(ty),
            "a timestamp needs an `i64`, `u64`, `SystemTime`, `chrono::DateTime<Utc>` or `time::OffsetDateTime` field, or an `Option` of one",
        )
    } else if first == TTL {
        (
            is_epoch_time(ty),
            "`ttl` needs an `i64` or `u64` field holding epoch seconds, a `SystemTime`, `chrono::DateTime<Utc>` or `time::OffsetDateTime`, or an `Option` of one",
        )
    } else {
        let number = |ty: &Type| is_one_of(ty, INTEGERS) || is_one_of(ty, OTHER_NUMBERS);
        (
            number(ty) || option_inner(ty).is_some_and(number),
            "`counter` needs a number field (an integer or float type)",
        )
    };
    if !fits {
        let needs =
            if first == CREATED_AT || first == UPDATED_AT { format!("`{first}`: {needs}") } else { needs.to_owned() };
        cx.error_spanned_by(ty, format!("{needs}; `{}` is not", type_to_string(ty)));
    }
}

/// `extra` receives the item as the runtime holds it, minus the declared
/// attributes: `HashMap<String, AttributeValue>` (any path to each name), or the
/// runtime's alias for it, `Item`.
///
/// Judged here rather than by rustc, which would report a wrong map once for
/// `to_item` and once more, the other way round, for `from_item`.
fn check_extra_type(cx: &Ctxt, field: &Field) {
    let fits = match type_name(field.ty).as_deref() {
        Some("Item") => type_arguments(field.ty).is_some_and(|args| args.is_empty()),
        Some("HashMap") => type_arguments(field.ty).is_some_and(|args| {
            matches!(args.as_slice(), [key, value] if is_one_of(key, &["String"]) && is_one_of(value, &["AttributeValue"]))
        }),
        _ => false,
    };
    if !fits {
        cx.error_spanned_by(
            field.ty,
            format!(
                "`extra` needs a `HashMap<String, AttributeValue>` field, which receives the attributes the struct does not declare; `{}` is not",
                type_to_string(field.ty)
            ),
        );
    }
}

/// The rules of `validate(...)` and `required` that the field's type can tell
/// are misplaced; the rest (`min` on a string, ...) rustc reports on the rule.
fn check_rules(cx: &Ctxt, field: &Field) {
    let attrs = &field.attrs;
    if let Some(span) = attrs.required {
        if option_inner(field.ty).is_none() {
            cx.error(span, "`required` is for Option fields; other fields always have a value");
        }
    }
    let value_ty = option_inner(field.ty).unwrap_or(field.ty);
    for rule in &attrs.rules {
        if matches!(rule.kind, RuleKind::Regex(_) | RuleKind::Email) && !is_string(value_ty) {
            cx.error_spanned_by(
                &rule.key,
                format!(
                    "`{}` applies to strings (`String` or `Option<String>`), and this field is `{}`",
                    rule.key,
                    type_to_string(field.ty)
                ),
            );
        }
    }
}

/// The fields a struct may have at most one of: each role is reported on the
/// second field that claims it.
#[derive(Default)]
struct Singles<'f> {
    seen: Vec<(Symbol, &'f Ident)>,
}

impl<'f> Singles<'f> {
    fn check(&mut self, cx: &Ctxt, cont: &Container, field: &'f Field) {
        for key in [VERSION, CREATED_AT, UPDATED_AT, TTL, EXTRA] {
            let Some(span) = written(field, key) else { continue };
            let Some((_, first)) = self.seen.iter().find(|(seen, _)| *seen == key) else {
                self.seen.push((key, field.member));
                continue;
            };
            let noun = cont.derive.noun();
            cx.error(
                span,
                format!(
                    "a {noun} can have at most one `#[dynamo({key})]` field, and it is already on `{}`",
                    first.unraw()
                ),
            );
        }
    }
}

fn check_key_type(cx: &Ctxt, field: &Field) {
    if !is_scalar(field.ty) {
        cx.error_spanned_by(
            field.ty,
            format!(
                "key attributes must be a string, number or binary (String, an integer or float type, Vec<u8>); `{}` is not",
                type_to_string(field.ty)
            ),
        );
    }
}

fn check_attribute_name<'f>(cx: &Ctxt, field: &'f Field, names: &mut HashMap<&'f str, &'f syn::Ident>) {
    // A skipped field is never stored, and an `extra` field stores the attributes
    // under their own names, so neither can collide.
    if field.attrs.skip.is_some() || field.attrs.extra.is_some() {
        return;
    }
    let name = field.attrs.name.as_str();
    let Some(first) = names.get(name) else {
        names.insert(name, field.member);
        return;
    };
    let message = format!(
        "two fields are stored as the attribute {name:?}: `{}` already uses that name; give one of them a different `#[dynamo(rename = \"...\")]`",
        first
    );
    match &field.attrs.rename {
        Some(lit) => cx.error_spanned_by(lit, message),
        None => cx.error_spanned_by(field.member, message),
    }
}

/// Two fields whose path constants would share a name (`a_b` and `aB` are both
/// `A_B`): reported on the second. Skipped and `extra` fields have no constant.
fn check_const_name<'f>(cx: &Ctxt, cont: &Container, field: &'f Field, consts: &mut HashMap<String, &'f Ident>) {
    if field.attrs.skip.is_some() || field.attrs.extra.is_some() {
        return;
    }
    let name = screaming_snake(&field.member.unraw().to_string());
    if let Some(first) = consts.get(&name) {
        cx.error_spanned_by(
            field.member,
            format!(
                "the fields `{}` and `{}` would both get the path constant `{}::{name}`; rename one of them (`#[dynamo(rename = \"{}\")]` keeps its attribute name)",
                first.unraw(),
                field.member.unraw(),
                cont.ident,
                field.attrs.name
            ),
        );
        return;
    }
    consts.insert(name, field.member);
}

/// The names of a shared-table model's indexes: unique, and their constants free.
fn check_index_names(cx: &Ctxt, cont: &Container, field_consts: &HashMap<String, &Ident>) {
    let mut names = HashSet::new();
    let mut consts: HashMap<String, String> = HashMap::new();
    for (j, index) in cont.attrs.indexes.iter().enumerate() {
        cx.set_subposition(j + 1);
        check_index_name(cx, cont, index, field_consts, &mut names, &mut consts);
    }
    cx.set_subposition(0);
}

/// The rules of `gsi(...)` and `lsi(...)`; a document has none (rejected while
/// parsing).
fn check_indexes(cx: &Ctxt, cont: &Container, field_consts: &HashMap<String, &Ident>) {
    let mut names = HashSet::new();
    let mut consts: HashMap<String, String> = HashMap::new();
    let mut local = 0;
    for (j, index) in cont.attrs.indexes.iter().enumerate() {
        cx.set_subposition(j + 1);
        check_index_name(cx, cont, index, field_consts, &mut names, &mut consts);

        if index.kind == IndexKind::Local {
            local += 1;
            if local == MAX_LOCAL_INDEXES + 1 {
                cx.error(
                    index.span,
                    format!("a table can have at most {MAX_LOCAL_INDEXES} local secondary indexes (a DynamoDB limit); use a `gsi` for this one"),
                );
            }
            check_local(cx, cont, index);
        }

        let hash = index.hash.as_ref().and_then(|ident| index_key(cx, cont, ident, "hash"));
        let range = index.range.as_ref().and_then(|ident| index_key(cx, cont, ident, "range"));
        if let (Some(hash), Some(range), Some(ident)) = (hash, range, &index.range) {
            if std::ptr::eq(hash.original, range.original) {
                cx.error_spanned_by(
                    ident,
                    format!(
                        "`{}` is already this index's hash key; its range key must be another field",
                        ident.unraw()
                    ),
                );
            }
        }
        if let Projection::Include(fields, span) = &index.projection {
            check_include(cx, cont, index, fields, *span);
        }
    }
    cx.set_subposition(0);
}

/// An index name given once, whose constant no field or other index has.
fn check_index_name(
    cx: &Ctxt,
    cont: &Container,
    index: &Index,
    field_consts: &HashMap<String, &Ident>,
    names: &mut HashSet<String>,
    consts: &mut HashMap<String, String>,
) {
    if let Some(lit) = &index.name {
        let name = lit.value();
        let constant = screaming_snake(&name);
        if !names.insert(name.clone()) {
            cx.error_spanned_by(
                lit,
                format!("duplicate index name {name:?}: the struct already has an index of that name"),
            );
        } else if let Some(field) = field_consts.get(&constant) {
            cx.error_spanned_by(
                    lit,
                    format!(
                        "the index {name:?} gets the constant `{}::{constant}`, which is already the path of the field `{}`; rename the field (`#[dynamo(rename = \"...\")]` keeps its attribute name) or the index",
                        cont.ident,
                        field.unraw()
                    ),
                );
        } else if let Some(first) = consts.get(&constant) {
            cx.error_spanned_by(
                    lit,
                    format!(
                        "the indexes {first:?} and {name:?} would both get the constant `{}::{constant}`; rename one of them",
                        cont.ident
                    ),
                );
        } else {
            consts.insert(constant, name);
        }
    }
}

/// What only a local index requires: a table with a range key, and another one.
fn check_local(cx: &Ctxt, cont: &Container, index: &Index) {
    let Some(table_range) = cont.range_key() else {
        // The range key may be hiding behind a key that could not be read.
        if !cont.incomplete() {
            cx.error(
                index.span,
                "a local secondary index needs a table with a range key: it sorts the items of one partition by another field; mark a field `#[dynamo(range_key)]`, or declare a `gsi` instead",
            );
        }
        return;
    };
    let Some(ident) = &index.range else {
        return;
    };
    let name = ident.unraw();
    if name == table_range.member.unraw() {
        cx.error_spanned_by(
            ident,
            format!("`{name}` is already the table's range key; a local secondary index sorts by another field"),
        );
    } else if cont.hash_key().is_some_and(|hash| hash.member.unraw() == name) {
        cx.error_spanned_by(
            ident,
            format!("`{name}` is the table's hash key, which a local secondary index already uses as its hash key; its range key must be another field"),
        );
    }
}

/// Resolves the field named as an index's `hash` or `range` (`role`) and checks
/// that it can be a key; `None` when it cannot (reported).
fn index_key<'c, 'a>(cx: &Ctxt, cont: &'c Container<'a>, ident: &Ident, role: &str) -> Option<&'c Field<'a>> {
    let field = resolve(cx, cont, ident)?;
    let name = ident.unraw();
    let attrs = &field.attrs;
    let why = if attrs.skip.is_some() {
        "it is skipped, so it is never stored".to_owned()
    } else if attrs.extra.is_some() {
        "it holds the attributes the struct does not declare".to_owned()
    } else if attrs.serde.is_some() || attrs.with.is_some() {
        let how = if attrs.serde.is_some() { "serde" } else { "with" };
        format!("it is converted with `{how}`, and key attributes are stored as themselves, as a string, number or binary attribute")
    } else if !is_scalar(option_inner(field.ty).unwrap_or(field.ty)) {
        // An `Option` of a key type makes the index sparse: items without the
        // attribute are not in it. (A table key is never optional, checked on the field.)
        format!(
            "key attributes must be a string, number or binary (String, an integer or float type, Vec<u8>), or an `Option` of one for a sparse index; `{}` is not",
            type_to_string(field.ty)
        )
    } else {
        return Some(field);
    };
    cx.error_spanned_by(ident, format!("`{name}` cannot be the index's {role} key: {why}"));
    None
}

/// The field `ident` names, or an error with the closest field name.
fn resolve<'c, 'a>(cx: &Ctxt, cont: &'c Container<'a>, ident: &Ident) -> Option<&'c Field<'a>> {
    if let Some(field) = cont.field_named(ident) {
        return Some(field);
    }
    let name = ident.unraw().to_string();
    let members: Vec<String> = cont.fields.iter().map(|field| field.member.unraw().to_string()).collect();
    let mut message = format!("no field `{name}` in `{}`", cont.ident);
    if let Some(field) = cont.fields.iter().find(|field| field.attrs.skip.is_none() && field.attrs.name == name) {
        // The attribute name was written where the Rust name is expected.
        message.push_str(&format!("; `{name}` is the attribute of the field `{}`", field.member.unraw()));
    } else if let Some(suggestion) = crate::suggest::closest(&name, members.iter().map(String::as_str)) {
        message.push_str(&format!("; did you mean `{suggestion}`?"));
    }
    cx.error_spanned_by(ident, message);
    None
}

/// The fields of `include(...)`: stored, not keys (those are always in the
/// index), each once, at most DynamoDB's limit.
fn check_include(cx: &Ctxt, cont: &Container, index: &Index, fields: &[Ident], span: Span) {
    let is_index_key = |ident: &Ident| {
        let name = ident.unraw();
        index.hash.iter().chain(&index.range).any(|key| key.unraw() == name)
    };
    let mut seen: Vec<&Ident> = Vec::new();
    for ident in fields {
        let Some(field) = resolve(cx, cont, ident) else {
            continue;
        };
        let name = ident.unraw();
        if seen.iter().any(|earlier| earlier.unraw() == name) {
            cx.error_spanned_by(ident, format!("`{name}` is already listed in this `include(...)`"));
            continue;
        }
        seen.push(ident);
        if field.attrs.skip.is_some() {
            cx.error_spanned_by(
                ident,
                format!("`{name}` is skipped, so it is never stored and cannot be copied into an index"),
            );
        } else if field.attrs.extra.is_some() {
            cx.error_spanned_by(
                ident,
                format!("`{name}` holds the attributes the struct does not declare; list the attributes themselves, as fields"),
            );
        } else if field.attrs.is_key() || is_index_key(ident) {
            let whose = if field.attrs.is_key() { "the table" } else { "this index" };
            cx.error_spanned_by(
                ident,
                format!(
                    "`{name}` is a key of {whose}, and keys are always in the index: remove it from `include(...)`"
                ),
            );
        }
    }
    if fields.len() > MAX_INCLUDED {
        cx.error(
            span,
            format!(
                "`include(...)` lists {} fields, and DynamoDB copies at most {MAX_INCLUDED} into one index; use `projection = all`",
                fields.len()
            ),
        );
    }
}
