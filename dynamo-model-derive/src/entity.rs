//! Models in a shared table (`table = AppTable`): their key templates, read from
//! strings like `"ORDER#{created}#{order_id}"` and resolved against the fields, and
//! the rules such a model follows. `check` reports through this module; `expand`
//! reads the resolved templates once the checks passed.

use crate::ast::{Container, Field};
use crate::attr::IndexKind;
use crate::ctxt::Ctxt;
use crate::suggest::closest;
use crate::ty::option_inner;
use syn::ext::IdentExt;
use syn::LitStr;

/// The separator of a template's segments (the runtime's `SEPARATOR`).
const SEPARATOR: char = '#';

/// One segment of a template.
pub enum Segment<'c, 'a> {
    /// Literal text.
    Literal(String),
    /// A field's value.
    Field(&'c Field<'a>),
}

/// Where a template keys.
#[derive(Clone, PartialEq, Eq)]
pub enum Slot {
    /// The table's partition key.
    Hash,
    /// The table's sort key.
    Range,
    /// An index's partition key.
    IndexHash(String),
    /// An index's sort key.
    IndexRange(String),
}

impl Slot {
    /// Whether it keys the table itself (its fields name the item).
    pub fn is_table(&self) -> bool {
        matches!(self, Slot::Hash | Slot::Range)
    }
}

/// A template resolved against the fields.
pub struct Template<'c, 'a> {
    /// What it keys.
    pub slot: Slot,
    /// The template as written.
    pub lit: &'c LitStr,
    /// Its segments, fields resolved.
    pub segments: Vec<Segment<'c, 'a>>,
}

impl<'c, 'a> Template<'c, 'a> {
    /// The fields it uses, in order.
    pub fn fields(&self) -> impl Iterator<Item = &'c Field<'a>> + '_ {
        self.segments.iter().filter_map(|segment| match segment {
            Segment::Field(field) => Some(*field),
            Segment::Literal(_) => None,
        })
    }
}

/// Every template of the model: the table's keys, then each index's. Mistakes are
/// reported to `cx` when given (the check stage); a template with one is left out.
pub fn templates<'c, 'a>(cx: Option<&Ctxt>, cont: &'c Container<'a>) -> Vec<Template<'c, 'a>> {
    let attrs = &cont.attrs;
    let mut out = Vec::new();
    let mut slots: Vec<(Slot, &'c LitStr)> = Vec::new();
    slots.extend(attrs.hash_template.as_ref().map(|lit| (Slot::Hash, lit)));
    slots.extend(attrs.range_template.as_ref().map(|lit| (Slot::Range, lit)));
    for index in &attrs.indexes {
        let Some(name) = &index.name else { continue };
        slots.extend(index.hash_template.as_ref().map(|lit| (Slot::IndexHash(name.value()), lit)));
        slots.extend(index.range_template.as_ref().map(|lit| (Slot::IndexRange(name.value()), lit)));
    }
    for (slot, lit) in slots {
        if let Some(segments) = parse(cx, cont, &slot, lit) {
            out.push(Template { slot, lit, segments });
        }
    }
    out
}

fn parse<'c, 'a>(
    cx: Option<&Ctxt>,
    cont: &'c Container<'a>,
    slot: &Slot,
    lit: &LitStr,
) -> Option<Vec<Segment<'c, 'a>>> {
    let report = |message: String| {
        if let Some(cx) = cx {
            cx.error_spanned_by(lit, message);
        }
    };
    let text = lit.value();
    if text.is_empty() {
        report(
            "a key template cannot be empty: write literal text and `{field}` placeholders, like \"USER#{user_id}\""
                .into(),
        );
        return None;
    }
    let mut segments = Vec::new();
    let mut ok = true;
    for part in text.split(SEPARATOR) {
        if part.is_empty() {
            report(format!("the key template {text:?} has an empty segment: segments are separated by one `#`, with none at either end"));
            ok = false;
            continue;
        }
        if !part.contains(['{', '}']) {
            segments.push(Segment::Literal(part.to_owned()));
            continue;
        }
        let Some(name) = part.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')) else {
            report(format!(
                "in the key template {text:?}, `{part}` mixes a placeholder with text: a placeholder fills a whole segment between `#`s, like \"ORDER#{{order_id}}\""
            ));
            ok = false;
            continue;
        };
        let Ok(ident) = syn::parse_str::<syn::Ident>(name) else {
            report(format!("in the key template {text:?}, `{{{name}}}` is not a field name"));
            ok = false;
            continue;
        };
        let Some(field) = cont.field_named(&ident) else {
            let candidates: Vec<String> = cont.fields.iter().map(|field| field.member.unraw().to_string()).collect();
            let hint = closest(name, candidates.iter().map(String::as_str))
                .map(|best| format!("; did you mean `{{{best}}}`?"))
                .unwrap_or_default();
            report(format!("`{{{name}}}` in the key template {text:?} names no field of `{}`{hint}", cont.ident));
            ok = false;
            continue;
        };
        if let Some(problem) = unfit(field, slot) {
            report(format!("`{{{name}}}` in the key template {text:?}: {problem}"));
            ok = false;
            continue;
        }
        segments.push(Segment::Field(field));
    }
    ok.then_some(segments)
}

/// Why a field cannot go in a template of this slot, if it cannot.
fn unfit(field: &Field, slot: &Slot) -> Option<&'static str> {
    let attrs = &field.attrs;
    if attrs.skip.is_some() || attrs.extra.is_some() {
        return Some("the field is not stored, so it cannot build a key");
    }
    if attrs.serde.is_some() || attrs.with_module.is_some() {
        return Some("a field stored through `serde` or `with` cannot go in a key template: its stored form is not the field's text");
    }
    if attrs.get.is_some() {
        return Some("a field with a `get` transform reads back as another value than the key holds, so the item read would not find itself by its key");
    }
    if attrs.version.is_some() || attrs.counter.is_some() {
        return Some(
            "the version and counters change on every write by `ADD`, so a key built from them would go stale",
        );
    }
    if slot.is_table() && attrs.updated_at.is_some() {
        return Some("`updated_at` changes on every write, and the table's keys name the item: an item's key would change under it (an index key may use it)");
    }
    if slot.is_table() && option_inner(field.ty).is_some() {
        return Some("the table's keys name every item, so their fields cannot be `Option`s (an index key template may use one: no value, no index entry)");
    }
    None
}

/// The rules of a model in a shared table, and the container keys only such a model takes.
pub fn check(cx: &Ctxt, cont: &Container) {
    let attrs = &cont.attrs;
    if attrs.shared.is_none() {
        for lit in [&attrs.entity, &attrs.hash_template, &attrs.range_template].into_iter().flatten() {
            cx.error_spanned_by(
                lit,
                "`entity`, `hash` and `range` on the struct are for a model in a shared table (`table = AppTable`, a `#[derive(Table)]` type); with a table of its own, a model marks its key fields `#[dynamo(hash_key)]` and `#[dynamo(range_key)]`",
            );
        }
        for index in &attrs.indexes {
            for lit in [&index.hash_template, &index.range_template].into_iter().flatten() {
                cx.error_spanned_by(
                    lit,
                    "a key template is for a model in a shared table (`table = AppTable`); with a table of its own, an index key names a field, like `hash = status`",
                );
            }
        }
        return;
    }
    if attrs.hash_template.is_none() && !cont.incomplete() {
        cx.error_spanned_by(
            cont.ident,
            "a model in a shared table needs `hash = \"...\"`, the template of its partition key, like `hash = \"USER#{user_id}\"`",
        );
    }
    if let Some(entity) = &attrs.entity {
        if entity.value().is_empty() {
            cx.error_spanned_by(entity, "an entity marker cannot be empty");
        }
    }
    for field in &cont.fields {
        for span in [field.attrs.hash_key, field.attrs.range_key].into_iter().flatten() {
            cx.error(
                span,
                "a model in a shared table builds its keys from templates (`hash = \"USER#{user_id}\"` on the struct), not from `hash_key` or `range_key` fields",
            );
        }
    }
    for index in &attrs.indexes {
        if index.hash.is_some() || index.range.is_some() {
            cx.error(
                index.span,
                "in a shared table, an index key is a template of fields, like `hash = \"STATUS#{status}\"`",
            );
        }
        if index.kind == IndexKind::Global && index.hash_template.is_none() && index.hash.is_none() {
            cx.error(index.span, "a global secondary index needs `hash = \"...\"`, the template of its partition key");
        }
        if !matches!(index.projection, crate::attr::Projection::All) {
            cx.error(
                index.span,
                "in a shared table, an index's projection is the table's: declare it in `#[derive(Table)]`",
            );
        }
    }
    templates(Some(cx), cont);
}
