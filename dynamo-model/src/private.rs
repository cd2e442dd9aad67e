//! What `#[derive(Model)]` expands to calls. Not a public API: names and signatures
//! change without notice.
//!
//! Keeping the per-field logic here means it is compiled once, not once per model, and
//! the generated code stays a list of calls.

use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use crate::schema::{KeyDef, KeySchema};
pub use crate::value::{KeyAttribute, ScalarType};

/// The checks generated validation code calls.
pub use crate::validate as rules;

use crate::error::{DecodeError, EncodeError};
use crate::error::{Error, PathSegment};
use crate::{Document, FromAttribute, Item, Model, ModelKey, Result, ToAttribute};

pub use crate::compile::KeyRole;

/// What an encoder returns: the value, or nothing to store.
pub type Encoded = std::result::Result<Option<AttributeValue>, EncodeError>;

/// An empty item with room for `capacity` attributes.
#[inline]
pub fn item_with_capacity(capacity: usize) -> Item {
    Item::with_capacity(capacity)
}

/// Stores one field; `None` and empty sets store nothing.
#[inline(always)]
pub fn put<T: ToAttribute + ?Sized>(item: &mut Item, model: &'static str, name: &'static str, value: &T) -> Result<()> {
    match value.to_attribute() {
        Ok(Some(value)) => {
            item.insert(name.to_owned(), value);
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(err) => Err(err.into_error(model, name)),
    }
}

/// Stores a key field, checked as every key value is (see `schema::encode_key`).
#[inline(always)]
pub fn put_key<T: KeyAttribute>(
    item: &mut Item,
    model: &'static str,
    name: &'static str,
    value: &T,
    role: KeyRole,
) -> Result<()> {
    let encoded = crate::schema::encode_key(value, role).map_err(|err| err.into_error(model, name))?;
    item.insert(name.to_owned(), encoded);
    Ok(())
}

/// A value encoded by a path's codec: the `set` transform, then the field's encoding.
/// Generated code uses it as the partition-key encoder of a key space.
#[inline]
pub fn path_encode<M, T, F>(
    path: &crate::expr::Path<M, T, F>,
    value: &T,
) -> std::result::Result<Option<AttributeValue>, EncodeError> {
    path.encode(value)
}

/// Encodes a value through serde_dynamo; a serde `None`/unit (`NULL`) is no value, as
/// for plain fields. The encoder of `#[dynamo(serde)]` paths.
pub fn encode_serde<T: Serialize + ?Sized>(value: &T) -> std::result::Result<Option<AttributeValue>, EncodeError> {
    match serde_dynamo::aws_sdk_dynamodb_1::to_attribute_value::<_>(value) {
        Ok(AttributeValue::Null(_)) => Ok(None),
        Ok(value) => Ok(Some(value)),
        Err(err) => Err(EncodeError::custom(err.to_string())),
    }
}

/// A nested document as a map (`M`), for `#[derive(Document)]`'s `ToAttribute`.
pub fn encode_document<D: Document>(value: &D) -> std::result::Result<Option<AttributeValue>, EncodeError> {
    match value.to_item() {
        Ok(item) => Ok(Some(AttributeValue::M(item))),
        Err(Error::Invalid { attribute, reason, .. }) => {
            Err(EncodeError::new(reason).within(PathSegment::Key(attribute.into_owned())))
        }
        Err(other) => Err(EncodeError::custom(other.to_string())),
    }
}

/// Checks a nested document's rules, for `#[derive(Document)]`'s `ToAttribute`:
/// each broken rule is reported with its attribute prefixed by `path.`.
pub fn validate_nested<D: Document>(doc: &D, errors: &mut Vec<crate::FieldError>, path: &str) {
    if let Err(Error::Validation { errors: inner, .. }) = doc.validate() {
        errors.extend(inner.into_iter().map(|error| crate::FieldError {
            attribute: std::borrow::Cow::Owned(format!("{path}.{}", error.attribute)),
            ..error
        }));
    }
}

/// A nested document from a map (`M`), for `#[derive(Document)]`'s `FromAttribute`.
pub fn decode_document<D: Document>(value: AttributeValue) -> std::result::Result<D, DecodeError> {
    match value {
        AttributeValue::M(item) => D::from_item(item).map_err(|err| match err {
            Error::Decode { attribute, expected, found, .. } => {
                DecodeError::new(expected, found).within(PathSegment::Key(attribute.into_owned()))
            }
            other => DecodeError::new("a map of the document's fields", other.to_string()),
        }),
        other => Err(DecodeError::new("map (M)", crate::value::describe(&other))),
    }
}

/// Stores a `#[dynamo(serde)]` field through serde_dynamo (see [`encode_serde`]).
pub fn put_serde<T: Serialize + ?Sized>(
    item: &mut Item,
    model: &'static str,
    name: &'static str,
    value: &T,
) -> Result<()> {
    match encode_serde(value) {
        Ok(Some(value)) => {
            item.insert(name.to_owned(), value);
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(err) => Err(err.into_error(model, name)),
    }
}

/// Stores a `#[dynamo(with = module)]` field from what `module::to_attribute` returned.
#[inline]
pub fn put_with(
    item: &mut Item,
    model: &'static str,
    name: &'static str,
    encoded: std::result::Result<AttributeValue, EncodeError>,
) -> Result<()> {
    let value = encoded.map_err(|err| err.into_error(model, name))?;
    item.insert(name.to_owned(), value);
    Ok(())
}

/// Reads one field; a missing attribute is an error unless the type has a value for
/// absence (`Option`, sets).
#[inline]
pub fn take<T: FromAttribute>(item: &mut Item, model: &'static str, name: &'static str) -> Result<T> {
    match item.remove(name) {
        Some(value) => T::from_attribute(value),
        None => T::from_missing(),
    }
    .map_err(|err| err.into_error(model, name))
}

/// Reads a `#[dynamo(default = expr)]` or `default_fn` field: a missing attribute is
/// `default()`.
#[inline]
pub fn take_or_else<T: FromAttribute>(
    item: &mut Item,
    model: &'static str,
    name: &'static str,
    default: impl FnOnce() -> T,
) -> Result<T> {
    match item.remove(name) {
        Some(value) => T::from_attribute(value).map_err(|err| err.into_error(model, name)),
        None => Ok(default()),
    }
}

/// Stores a timestamp or TTL field as an epoch number in `unit`.
pub fn put_time<T: crate::time::EpochTime>(
    item: &mut Item,
    model: &'static str,
    name: &'static str,
    value: &T,
    unit: crate::TimeUnit,
) -> Result<()> {
    if let Some(value) = value.__to_epoch(unit).map_err(|err| err.into_error(model, name))? {
        item.insert(name.to_owned(), value);
    }
    Ok(())
}

/// Reads a timestamp or TTL field from its epoch number in `unit`.
pub fn take_time<T: crate::time::EpochTime>(
    item: &mut Item,
    model: &'static str,
    name: &'static str,
    unit: crate::TimeUnit,
) -> Result<T> {
    T::__from_epoch(item.remove(name), unit).map_err(|err| err.into_error(model, name))
}

/// The path encoder of a timestamp or TTL field stored in unit `UNIT` (a `TimeUnit`
/// as `u8`).
pub fn encode_time<T: crate::time::EpochTime, const UNIT: u8>(value: &T) -> Encoded {
    let unit = if UNIT == crate::TimeUnit::Millis as u8 { crate::TimeUnit::Millis } else { crate::TimeUnit::Seconds };
    value.__to_epoch(unit)
}

/// A time compared with a `created_at`, `updated_at` or `ttl` field: exact, with the
/// fraction of the unit the stored form drops.
pub fn encode_time_exact<T: crate::time::EpochTime, const UNIT: u8>(value: &T) -> Encoded {
    let unit = if UNIT == crate::TimeUnit::Millis as u8 { crate::TimeUnit::Millis } else { crate::TimeUnit::Seconds };
    value.__to_epoch_exact(unit)
}

/// Writes back a `#[dynamo(extra)]` field's attributes; one named like a declared
/// attribute is refused.
pub fn put_extra(item: &mut Item, model: &'static str, extra: &Item, declared: &[&str]) -> Result<()> {
    for (name, value) in extra {
        // One of the struct's own attributes would read back into its field, not here.
        if declared.contains(&name.as_str()) {
            return Err(Error::Invalid {
                model,
                attribute: name.clone().into(),
                reason: crate::InvalidReason::DeclaredName,
            });
        }
        item.insert(name.clone(), value.clone());
    }
    Ok(())
}

/// A `#[dynamo(version)]` field's value as a `u64` (negative counts as 0).
#[inline]
pub fn version_of<T: Copy + TryInto<u64>>(value: &T) -> u64 {
    (*value).try_into().unwrap_or(0)
}

/// Reads a `#[dynamo(default)]` field: a missing attribute is `T::default()`.
#[inline]
pub fn take_or_default<T: FromAttribute + Default>(
    item: &mut Item,
    model: &'static str,
    name: &'static str,
) -> Result<T> {
    take_or_else(item, model, name, T::default)
}

fn decode_serde<T: DeserializeOwned>(value: AttributeValue, model: &'static str, name: &'static str) -> Result<T> {
    let found = crate::value::describe(&value);
    serde_dynamo::aws_sdk_dynamodb_1::from_attribute_value(value)
        .map_err(|err| DecodeError::new(err.to_string(), found).into_error(model, name))
}

/// Reads a `#[dynamo(serde)]` field; a missing attribute decodes as `NULL`, so an
/// `Option` reads as `None` and anything else is a "missing" error.
pub fn take_serde<T: DeserializeOwned>(item: &mut Item, model: &'static str, name: &'static str) -> Result<T> {
    match item.remove(name) {
        Some(value) => decode_serde(value, model, name),
        None => serde_dynamo::aws_sdk_dynamodb_1::from_attribute_value(AttributeValue::Null(true))
            .map_err(|err| DecodeError::missing(err.to_string()).into_error(model, name)),
    }
}

/// Reads a `#[dynamo(serde, default)]` field: a missing attribute is `T::default()`.
pub fn take_serde_or_default<T: DeserializeOwned + Default>(
    item: &mut Item,
    model: &'static str,
    name: &'static str,
) -> Result<T> {
    match item.remove(name) {
        Some(value) => decode_serde(value, model, name),
        None => Ok(T::default()),
    }
}

/// Reads a `#[dynamo(with = module)]` field through `module::from_attribute`.
#[inline]
pub fn take_with<T>(
    item: &mut Item,
    model: &'static str,
    name: &'static str,
    decode: fn(AttributeValue) -> std::result::Result<T, DecodeError>,
) -> Result<T> {
    match item.remove(name) {
        Some(value) => decode(value).map_err(|err| err.into_error(model, name)),
        None => Err(DecodeError::missing("a value").into_error(model, name)),
    }
}

/// Reads a `#[dynamo(with = module, default)]` field: a missing attribute is `T::default()`.
#[inline]
pub fn take_with_or_default<T: Default>(
    item: &mut Item,
    model: &'static str,
    name: &'static str,
    decode: fn(AttributeValue) -> std::result::Result<T, DecodeError>,
) -> Result<T> {
    match item.remove(name) {
        Some(value) => decode(value).map_err(|err| err.into_error(model, name)),
        None => Ok(T::default()),
    }
}

/// The key type of the stub impl the derive emits after a compile error, so that one
/// mistake does not cascade into errors at every use of the model. Never constructed.
pub struct FallbackKey<M>(PhantomData<fn() -> M>, std::convert::Infallible);

impl<M> Clone for FallbackKey<M> {
    fn clone(&self) -> Self {
        match self.1 {}
    }
}

impl<M> PartialEq for FallbackKey<M> {
    fn eq(&self, _: &Self) -> bool {
        match self.1 {}
    }
}

impl<M> std::fmt::Debug for FallbackKey<M> {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.1 {}
    }
}

impl<M: Model<Key = Self>> ModelKey for FallbackKey<M> {
    type Model = M;

    fn to_key_item(&self) -> Result<Item> {
        match self.1 {}
    }
}

/// The key schema of the stub impl the derive emits after a compile error.
pub const FALLBACK_KEY_SCHEMA: KeySchema = KeySchema { hash: KeyDef { name: "", scalar: ScalarType::S }, range: None };

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use super::*;
    use crate::error::Rule;
    use crate::FieldError;

    /// A hand-written `#[derive(Document)]`: `city` must not be empty, and `inner` is
    /// a nested document checked as the derive checks one.
    struct Address {
        city: &'static str,
        inner: Option<Box<Address>>,
    }

    impl Document for Address {
        const NAME: &'static str = "Address";
        const ATTRIBUTES: &'static [&'static str] = &["city", "inner"];

        fn to_item(&self) -> Result<Item> {
            Ok(Item::new())
        }

        fn from_item(_: Item) -> Result<Self> {
            Ok(Address { city: "", inner: None })
        }

        fn validate(&self) -> Result<()> {
            let mut errors = Vec::new();
            crate::validate::non_empty(&mut errors, "city", self.city);
            if let Some(inner) = &self.inner {
                inner.as_ref().__validate(&mut errors, "inner");
            }
            crate::validate::finish(Self::NAME, errors)
        }
    }

    impl ToAttribute for Address {
        fn to_attribute(&self) -> std::result::Result<Option<AttributeValue>, EncodeError> {
            encode_document(self)
        }

        fn __validate(&self, errors: &mut Vec<FieldError>, path: &str) {
            validate_nested(self, errors, path);
        }
    }

    fn bad() -> Address {
        Address { city: "", inner: None }
    }

    fn good() -> Address {
        Address { city: "Lyon", inner: None }
    }

    fn paths(check: impl FnOnce(&mut Vec<FieldError>)) -> Vec<String> {
        let mut errors = Vec::new();
        check(&mut errors);
        assert!(errors.iter().all(|e| e.rule == Rule::NonEmpty));
        errors.into_iter().map(|e| e.attribute.into_owned()).collect()
    }

    #[test]
    fn nested_documents_report_under_their_path() {
        assert_eq!(paths(|e| bad().__validate(e, "home")), ["home.city"]);
        assert_eq!(paths(|e| good().__validate(e, "home")), Vec::<String>::new());
        assert_eq!(paths(|e| <&Address as ToAttribute>::__validate(&&bad(), e, "home")), ["home.city"]);
        assert_eq!(paths(|e| Some(bad()).__validate(e, "prev")), ["prev.city"]);
        assert_eq!(paths(|e| None::<Address>.__validate(e, "prev")), Vec::<String>::new());
        assert_eq!(
            paths(|e| vec![good(), bad(), bad()].__validate(e, "history")),
            ["history[1].city", "history[2].city"]
        );
        assert_eq!(paths(|e| [bad()][..].__validate(e, "list")), ["list[0].city"]);
        let map = HashMap::from([("home".to_owned(), bad()), ("work".to_owned(), good())]);
        assert_eq!(paths(|e| map.__validate(e, "by_label")), ["by_label.home.city"]);
        let map = BTreeMap::from([("a".to_owned(), bad()), ("b".to_owned(), bad())]);
        assert_eq!(paths(|e| map.__validate(e, "m")), ["m.a.city", "m.b.city"]);
        // Deeper nesting composes the prefixes.
        let deep = Address { city: "Oslo", inner: Some(Box::new(Address { city: "", inner: Some(Box::new(bad())) })) };
        assert_eq!(paths(|e| vec![deep].__validate(e, "h")), ["h[0].inner.city", "h[0].inner.inner.city"]);
        // Plain values have nothing nested.
        assert_eq!(paths(|e| vec![String::new()].__validate(e, "s")), Vec::<String>::new());
    }
}

/// Single-table glue: what a model in a shared table expands to calls.
pub mod single_table {
    use aws_sdk_dynamodb::types::AttributeValue;

    use crate::error::EncodeError;
    use crate::expr::Condition;
    use crate::schema::IndexDef;
    pub use crate::single_table::{
        Collection, Compare, Entity, EntityDef, InTable, KeyFormat, KeyPart, KeyTemplate, Partition, Segment, SortKey,
        SortKeyRange, Table, TableDef,
    };
    use crate::{Item, KeySpace, Model, Result};

    /// The end of a templated model's `to_item`: its keys rendered from its fields and
    /// its entity marker set.
    pub fn stamp<M: Model>(item: &mut Item) -> Result<()> {
        match &M::ENTITY {
            Some(entity) => crate::single_table::template::stamp(M::NAME, entity, item),
            None => Ok(()),
        }
    }

    /// The start of a templated model's `from_item`: the marker checked, fields missing
    /// from what was read restored from the keys, keys and marker taken out.
    pub fn open<M: Model>(item: &mut Item) -> Result<()> {
        match &M::ENTITY {
            Some(entity) => crate::single_table::template::open(M::NAME, entity, item),
            None => Ok(()),
        }
    }

    /// The encoded values of a key's fields, borrowed; a field with no value (an empty
    /// key) or one that failed to encode is the error, with its name.
    fn key_values<'v>(
        values: &'v [(&'static str, std::result::Result<Option<AttributeValue>, EncodeError>)],
    ) -> std::result::Result<Vec<(&'static str, &'v AttributeValue)>, (&'static str, EncodeError)> {
        values
            .iter()
            .map(|(name, value)| match value {
                Ok(Some(value)) => Ok((*name, value)),
                Ok(None) => Err((*name, EncodeError::new(crate::InvalidReason::EmptyKey))),
                Err(error) => Err((*name, error.clone())),
            })
            .collect()
    }

    /// A key's text rendered by a template from its fields' encoded values.
    fn render_text(
        template: &KeyTemplate,
        values: &[(&'static str, std::result::Result<Option<AttributeValue>, EncodeError>)],
    ) -> std::result::Result<String, (&'static str, EncodeError)> {
        let present = key_values(values)?;
        let text = template.render(|field| present.iter().find(|(name, _)| *name == field).map(|(_, value)| *value))?;
        // Every field of the template was given, so it renders.
        Ok(text.unwrap_or_default())
    }

    /// A key rendered by a template from the fields' encoded values.
    pub fn render(
        template: &KeyTemplate,
        values: &[(&'static str, std::result::Result<Option<AttributeValue>, EncodeError>)],
    ) -> std::result::Result<Option<AttributeValue>, EncodeError> {
        render_text(template, values).map(|text| Some(AttributeValue::S(text))).map_err(|(_, error)| error)
    }

    /// A templated key attribute into a key item (the table's hash key first, then its
    /// range key), checked as every key is; the error names the field.
    pub fn put_key(
        item: &mut Item,
        model: &'static str,
        template: &KeyTemplate,
        values: &[(&'static str, std::result::Result<Option<AttributeValue>, EncodeError>)],
    ) -> Result<()> {
        let text = render_text(template, values).map_err(|(name, error)| error.into_error(model, name))?;
        let value = AttributeValue::S(text);
        let role = if item.is_empty() { crate::compile::KeyRole::Hash } else { crate::compile::KeyRole::Range };
        crate::compile::values::check_key(crate::ScalarType::S, role, &value)
            .map_err(|reason| crate::Error::Invalid { model, attribute: template.attribute.into(), reason })?;
        item.insert(template.attribute.to_owned(), value);
        Ok(())
    }

    /// The name of a sort key (empty when there is none, which a check of the
    /// model's expansion reports, naming it).
    pub const fn range_name(key: Option<crate::KeyDef>) -> &'static str {
        match key {
            Some(key) => key.name,
            None => "",
        }
    }

    /// The index of a shared table named `name` (a stand-in when there is none, which a
    /// check of the model's expansion reports, naming it).
    pub const fn table_index(indexes: &'static [IndexDef], name: &'static str) -> IndexDef {
        match find_index(indexes, name) {
            Some(index) => index,
            None => IndexDef {
                name,
                kind: crate::IndexKind::Global,
                hash: crate::KeyDef { name: "", scalar: crate::ScalarType::S },
                range: None,
                projection: crate::IndexProjection::All,
            },
        }
    }

    const fn find_index(indexes: &'static [IndexDef], name: &str) -> Option<IndexDef> {
        let mut i = 0;
        while i < indexes.len() {
            if str_eq(indexes[i].name, name) {
                return Some(indexes[i]);
            }
            i += 1;
        }
        None
    }

    /// Whether the table declares the index.
    pub const fn has_index(indexes: &'static [IndexDef], name: &str) -> bool {
        find_index(indexes, name).is_some()
    }

    /// Whether the table's index (if declared) is of the kind the model says.
    pub const fn index_is(indexes: &'static [IndexDef], name: &str, global: bool) -> bool {
        match find_index(indexes, name) {
            Some(index) => matches!(index.kind, crate::IndexKind::Global) == global,
            None => true,
        }
    }

    /// Whether the table's index (if declared) has a sort key exactly when the model
    /// gives it a template.
    pub const fn index_range_is(indexes: &'static [IndexDef], name: &str, templated: bool) -> bool {
        match find_index(indexes, name) {
            Some(index) => index.range.is_some() == templated,
            None => true,
        }
    }

    /// Whether `attribute` is one the table keeps for itself: a key of the table or of
    /// an index, or the entity marker.
    pub const fn is_reserved(table: &TableDef, marker: &str, attribute: &str) -> bool {
        if str_eq(marker, attribute) || str_eq(table.key.hash.name, attribute) {
            return true;
        }
        if let Some(range) = table.key.range {
            if str_eq(range.name, attribute) {
                return true;
            }
        }
        let mut i = 0;
        while i < table.indexes.len() {
            let index = table.indexes[i];
            if str_eq(index.hash.name, attribute) {
                return true;
            }
            if let Some(range) = index.range {
                if str_eq(range.name, attribute) {
                    return true;
                }
            }
            i += 1;
        }
        false
    }

    /// Whether `attribute` is one of the table's own key attributes.
    pub const fn is_table_key(table: &TableDef, attribute: &str) -> bool {
        if str_eq(table.key.hash.name, attribute) {
            return true;
        }
        match table.key.range {
            Some(range) => str_eq(range.name, attribute),
            None => false,
        }
    }

    /// Whether the table's TTL attribute is `attribute`.
    pub const fn ttl_is(table: Option<&str>, attribute: &str) -> bool {
        match table {
            Some(table) => str_eq(table, attribute),
            None => false,
        }
    }

    /// Whether two entity markers are the same.
    pub const fn same_marker(a: &str, b: &str) -> bool {
        str_eq(a, b)
    }

    /// What an index of a shared table holds besides the keys (`None`: everything).
    pub const fn projected(index: IndexDef) -> Option<&'static [&'static str]> {
        match index.projection {
            crate::IndexProjection::All => None,
            crate::IndexProjection::KeysOnly => Some(&[]),
            crate::IndexProjection::Include(names) => Some(names),
        }
    }

    /// The key's fields as stored, by attribute name.
    pub fn fields(
        model: &'static str,
        values: &[(&'static str, std::result::Result<Option<AttributeValue>, EncodeError>)],
    ) -> Result<Item> {
        let mut item = Item::with_capacity(values.len());
        for (name, value) in values {
            match value {
                Ok(Some(value)) => {
                    item.insert((*name).to_owned(), value.clone());
                }
                Ok(None) => {}
                Err(error) => return Err(error.clone().into_error(model, name)),
            }
        }
        Ok(item)
    }

    const fn str_eq(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }

    /// Compiles only when the two models share a table.
    pub fn same_table<A: Entity, B: InTable<A::Table>>() {}

    /// The query of a templated sort key with no condition given: the model's keys.
    pub fn default_range<S: KeySpace>(template: &'static KeyTemplate) -> Option<Condition<S::Model>> {
        if template.literal_prefix().is_empty() {
            return None;
        }
        Some(SortKey::<S>::__start(template).__condition())
    }

    /// A collection item's entity marker (`None`: no string marker).
    pub fn marker<'i>(item: &'i Item, attribute: &str) -> Option<&'i str> {
        match item.get(attribute) {
            Some(AttributeValue::S(name)) => Some(name),
            _ => None,
        }
    }

    /// The error of a collection item whose marker names none of its models.
    pub fn unknown_marker(collection: &'static str, attribute: &'static str, item: &Item) -> crate::Error {
        crate::Error::Decode {
            model: collection,
            attribute: attribute.into(),
            expected: "the entity marker of one of the collection's models".into(),
            found: item.get(attribute).map_or_else(|| "missing".to_owned(), crate::value::describe).into(),
        }
    }
}
