//! Which item a request is about: its table and key values, as bytes equal exactly when
//! DynamoDB would see the same item (numbers compared as numbers, `1` and `1.0` alike).

use std::hash::BuildHasher;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::limits::Number;
use crate::Item;

/// The names of a table's key attributes: partition key, then sort key if any.
pub(crate) type KeyNames = (&'static str, Option<&'static str>);

/// The identity of the item `item` (a whole item or its key) of `table`; `None` when a
/// key attribute is missing or not a key type.
pub(crate) fn identity(table: &str, names: KeyNames, item: &Item) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(table.len() + 48);
    out.extend_from_slice(&(table.len() as u64).to_le_bytes());
    out.extend_from_slice(table.as_bytes());
    for name in std::iter::once(names.0).chain(names.1) {
        let (tag, bytes): (u8, std::borrow::Cow<'_, [u8]>) = match item.get(name)? {
            AttributeValue::S(text) => (b'S', text.as_bytes().into()),
            AttributeValue::B(blob) => (b'B', blob.as_ref().into()),
            AttributeValue::N(text) => (b'N', Number::parse(text)?.to_plain().into_bytes().into()),
            _ => return None,
        };
        out.push(tag);
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(&bytes);
    }
    Some(out)
}

/// The key attributes of `item`.
pub(crate) fn key_of(names: KeyNames, item: &Item) -> Item {
    std::iter::once(names.0)
        .chain(names.1)
        .filter_map(|name| item.get(name).map(|value| (name.to_owned(), value.clone())))
        .collect()
}

/// Whether `a` and `b` hold the same key values under `names`.
pub(crate) fn same_key(names: KeyNames, a: &Item, b: &Item) -> bool {
    std::iter::once(names.0).chain(names.1).all(|name| match (a.get(name), b.get(name)) {
        (Some(AttributeValue::N(x)), Some(AttributeValue::N(y))) => {
            x == y || Number::parse(x).zip(Number::parse(y)).is_some_and(|(x, y)| x.compare(&y).is_eq())
        }
        (Some(x), Some(y)) => x == y,
        _ => false,
    })
}

/// 128-bit fingerprints of identities, keyed at random per use: a batch of any size
/// remembers a 16-byte fingerprint per item (and its position) to find a key written twice.
pub(crate) struct Fingerprints {
    first: std::collections::hash_map::RandomState,
    second: std::collections::hash_map::RandomState,
}

impl Fingerprints {
    pub(crate) fn new() -> Self {
        Self { first: Default::default(), second: Default::default() }
    }

    pub(crate) fn of(&self, identity: &[u8]) -> [u64; 2] {
        [self.first.hash_one(identity), self.second.hash_one(identity)]
    }
}
