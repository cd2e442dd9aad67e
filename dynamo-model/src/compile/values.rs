//! DynamoDB's rules for values, checked wherever a value enters a request: every
//! attribute of a put item, every key, every value of an expression. One walk over each
//! value finds what DynamoDB would reject: numbers it cannot read or hold, empty or
//! duplicated sets, `NULL(false)`, empty or overlong names, nesting too deep.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{EncodeError, Error, InvalidReason, PathSegment};
use crate::limits::{attribute_size, Number, MAX_ITEM_SIZE, MAX_NESTING};
use crate::schema::{IndexDef, IndexKind, IndexProjection};
use crate::value::ScalarType;
use crate::Item;

/// The longest attribute name or map key DynamoDB accepts, in UTF-8 bytes.
pub const MAX_NAME_LEN: usize = 65_535;

/// Which key a key attribute is, for DynamoDB's size limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRole {
    /// Partition key: at most 2048 bytes.
    Hash,
    /// Sort key: at most 1024 bytes.
    Range,
}

impl KeyRole {
    /// The longest value, in bytes, a key of this role may hold.
    pub fn max_len(self) -> usize {
        match self {
            KeyRole::Hash => 2048,
            KeyRole::Range => 1024,
        }
    }
}

/// Checks one value, anywhere inside it; the error names the place inside it.
pub(crate) fn check_value(value: &AttributeValue) -> Result<(), EncodeError> {
    check_nested(value, 0)
}

/// Checks a value written `depth` levels inside an attribute (`a.b` is 1 deep): its
/// nesting counts from there.
pub(crate) fn check_value_at(value: &AttributeValue, depth: usize) -> Result<(), EncodeError> {
    check_nested(value, depth)
}

fn check_nested(value: &AttributeValue, depth: usize) -> Result<(), EncodeError> {
    match value {
        AttributeValue::N(n) => check_number(n),
        AttributeValue::Null(false) => Err(EncodeError::new(InvalidReason::NullFalse)),
        AttributeValue::Ss(members) => check_set(members, |m| Ok(m.as_str())),
        AttributeValue::Bs(members) => check_set(members, |m| Ok(m.as_ref())),
        AttributeValue::Ns(members) => check_set(members, |m| storable_number(m)),
        AttributeValue::L(list) => {
            check_depth(depth)?;
            for (i, element) in list.iter().enumerate() {
                check_nested(element, depth + 1).map_err(|e| within(e, PathSegment::Index(i)))?;
            }
            Ok(())
        }
        AttributeValue::M(map) => {
            check_depth(depth)?;
            for (key, element) in map {
                check_name(key)
                    .and_then(|()| check_nested(element, depth + 1))
                    .map_err(|e| within(e, PathSegment::Key(key.clone())))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Places an error inside a list element or map entry; nesting too deep is reported on
/// the attribute itself, where the path would only repeat the nesting.
fn within(error: EncodeError, segment: PathSegment) -> EncodeError {
    if matches!(error.reason(), InvalidReason::TooDeep { .. }) {
        error
    } else {
        error.within(segment)
    }
}

fn check_depth(depth: usize) -> Result<(), EncodeError> {
    if depth >= MAX_NESTING {
        return Err(EncodeError::new(InvalidReason::TooDeep { depth: depth + 1, max: MAX_NESTING }));
    }
    Ok(())
}

fn check_number(text: &str) -> Result<(), EncodeError> {
    storable_number(text).map(drop)
}

/// The number `text` spells, if DynamoDB reads and holds it.
pub(crate) fn storable_number(text: &str) -> Result<Number, EncodeError> {
    match Number::parse(text) {
        None => Err(EncodeError::new(InvalidReason::NotANumber { value: text.to_owned() })),
        Some(number) if !number.storable() => {
            Err(EncodeError::new(InvalidReason::NumberOutOfRange { value: text.to_owned() }))
        }
        Some(number) => Ok(number),
    }
}

/// A set: not empty, no member twice as DynamoDB compares them (`key`).
fn check_set<'a, T: std::fmt::Debug, K: Ord>(
    members: &'a [T],
    key: impl Fn(&'a T) -> Result<K, EncodeError>,
) -> Result<(), EncodeError> {
    if members.is_empty() {
        return Err(EncodeError::new(InvalidReason::EmptySet));
    }
    let mut keyed = Vec::with_capacity(members.len());
    for (i, member) in members.iter().enumerate() {
        keyed.push((key(member)?, i));
    }
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    match keyed.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        Some(pair) => {
            let member = format!("{:?}", members[pair[0].1]);
            Err(EncodeError::new(InvalidReason::DuplicateSetMember { member }))
        }
        None => Ok(()),
    }
}

/// A list or map given as an expression value is held to the item-size limit, counting
/// what its elements weigh (but not its own list or map overhead), as DynamoDB does.
pub(crate) fn check_operand_size(value: &AttributeValue) -> Result<(), EncodeError> {
    let size = match value {
        AttributeValue::L(list) => list.iter().map(attribute_size).sum(),
        AttributeValue::M(map) => map.iter().map(|(key, value)| key.len() + attribute_size(value)).sum(),
        _ => return Ok(()),
    };
    if size > MAX_ITEM_SIZE {
        return Err(EncodeError::new(InvalidReason::ItemTooLarge { size, max: MAX_ITEM_SIZE }));
    }
    Ok(())
}

/// An attribute name or map key: not empty, not longer than DynamoDB allows.
pub(crate) fn check_name(name: &str) -> Result<(), EncodeError> {
    if name.is_empty() {
        return Err(EncodeError::new(InvalidReason::EmptyName));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(EncodeError::new(InvalidReason::NameTooLong { len: name.len(), max: MAX_NAME_LEN }));
    }
    Ok(())
}

/// Checks a whole item: every name and value, then its size against
/// [`MAX_ITEM_SIZE`], naming its largest attribute (the likeliest one to shrink).
pub(crate) fn check_item(model: &'static str, item: &Item) -> crate::Result<()> {
    let mut size = 0;
    let mut largest: Option<(&String, usize)> = None;
    for (name, value) in item {
        check_name(name).and_then(|()| check_value(value)).map_err(|e| e.into_error_at(model, name))?;
        let attribute = name.len() + attribute_size(value);
        size += attribute;
        if largest.is_none_or(|(_, most)| attribute > most) {
            largest = Some((name, attribute));
        }
    }
    if size <= MAX_ITEM_SIZE {
        return Ok(());
    }
    Err(Error::Invalid {
        model,
        attribute: largest.map_or("", |(name, _)| name.as_str()).to_owned().into(),
        reason: InvalidReason::ItemTooLarge { size, max: MAX_ITEM_SIZE },
    })
}

/// DynamoDB's 400 KB holds for an item and its entries in the table's local secondary
/// indexes together: an index holding the item (it has the index's sort key) adds the
/// whole item for `ALL`, else the partition key, its sort key and the attributes it
/// includes.
pub(crate) fn check_local_indexes(
    model: &'static str,
    indexes: &[IndexDef],
    hash: &str,
    item: &Item,
) -> crate::Result<()> {
    let attribute = |name: &str| item.get_key_value(name).map_or(0, |(name, value)| name.len() + attribute_size(value));
    let mut total = 0;
    let mut with_indexes = false;
    for index in indexes.iter().filter(|index| index.kind == IndexKind::Local) {
        let Some(range) = index.range.filter(|range| item.contains_key(range.name)) else { continue };
        if total == 0 {
            total = crate::limits::item_size(item);
        }
        with_indexes = true;
        total += match index.projection {
            IndexProjection::All => crate::limits::item_size(item),
            IndexProjection::KeysOnly => attribute(hash) + attribute(range.name),
            IndexProjection::Include(included) => {
                attribute(hash) + attribute(range.name) + included.iter().map(|name| attribute(name)).sum::<usize>()
            }
        };
    }
    if !with_indexes || total <= MAX_ITEM_SIZE {
        return Ok(());
    }
    let largest =
        item.iter().max_by_key(|(name, value)| name.len() + attribute_size(value)).map(|(name, _)| name.clone());
    Err(Error::Invalid {
        model,
        attribute: largest.unwrap_or_default().into(),
        reason: InvalidReason::ItemTooLarge { size: total, max: MAX_ITEM_SIZE },
    })
}

/// Writes every number of an item (anywhere inside it) as DynamoDB gives it back, so
/// that the item a put returns is the item a get returns. The numbers have been checked.
pub(crate) fn normalize_numbers(item: &mut Item) {
    fn number(text: &mut String) {
        // Integers as the number types write them are already in DynamoDB's form.
        let bytes = text.as_bytes();
        let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
        let plain = digits.iter().all(u8::is_ascii_digit)
            && (digits == b"0" && bytes.len() == 1 || digits.first().is_some_and(|&d| d != b'0'));
        if !plain {
            if let Some(parsed) = Number::parse(text) {
                *text = parsed.to_plain();
            }
        }
    }
    fn walk(value: &mut AttributeValue) {
        match value {
            AttributeValue::N(text) => number(text),
            AttributeValue::Ns(members) => members.iter_mut().for_each(number),
            AttributeValue::L(list) => list.iter_mut().for_each(walk),
            AttributeValue::M(map) => map.values_mut().for_each(walk),
            _ => {}
        }
    }
    item.values_mut().for_each(walk);
}

/// What DynamoDB requires of a key value (of the table or of an index): its key's type,
/// not empty, within the size limit of its role, a number DynamoDB holds.
pub(crate) fn check_key(scalar: ScalarType, role: KeyRole, value: &AttributeValue) -> Result<(), InvalidReason> {
    let len = match (scalar, value) {
        (ScalarType::S, AttributeValue::S(s)) => s.len(),
        (ScalarType::B, AttributeValue::B(b)) => b.as_ref().len(),
        // A number is never empty, and its 38 digits are far below either limit; it must
        // be one DynamoDB holds.
        (ScalarType::N, AttributeValue::N(n)) => return storable_number(n).map(drop).map_err(|e| e.reason().clone()),
        (scalar, other) => {
            return Err(InvalidReason::KeyType { expected: scalar_name(scalar), found: crate::value::describe(other) })
        }
    };
    if len == 0 {
        return Err(InvalidReason::EmptyKey);
    }
    if len > role.max_len() {
        return Err(InvalidReason::KeyTooLong { len, max: role.max_len() });
    }
    Ok(())
}

fn scalar_name(scalar: ScalarType) -> &'static str {
    match scalar {
        ScalarType::S => "S",
        ScalarType::N => "N",
        ScalarType::B => "B",
    }
}

/// Every index key attribute an item holds has its key's type, is not empty and fits.
/// (An item without the attribute is simply not in that index.)
pub(crate) fn check_index_keys(model: &'static str, indexes: &[crate::IndexDef], item: &Item) -> crate::Result<()> {
    for index in indexes {
        let keys = std::iter::once((index.hash, KeyRole::Hash)).chain(index.range.map(|range| (range, KeyRole::Range)));
        for (key, role) in keys {
            if let Some(value) = item.get(key.name) {
                check_key(key.scalar, role, value).map_err(|reason| Error::Invalid {
                    model,
                    attribute: key.name.into(),
                    reason,
                })?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use aws_sdk_dynamodb::primitives::Blob;

    use super::*;

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.into())
    }

    fn reason(value: &AttributeValue) -> Option<InvalidReason> {
        check_value(value).err().map(|e| e.reason().clone())
    }

    #[test]
    fn numbers_dynamodb_cannot_hold_are_found() {
        let n = |text: &str| AttributeValue::N(text.to_owned());
        for ok in ["0", "-0.0", "9.99e125", "-9.99E+125", "1e-130", "12345678901234567890123456789012345678", "100e-2"]
        {
            assert_eq!(reason(&n(ok)), None, "{ok}");
        }
        for bad in ["1e126", "-1E126", "1e-131", "123456789012345678901234567890123456789", "0.5e-130"] {
            assert_eq!(reason(&n(bad)), Some(InvalidReason::NumberOutOfRange { value: bad.into() }), "{bad}");
        }
        for junk in ["", "abc", "1.2.3", " 1", "1 ", "NaN", "Infinity", "0x10", "-", "1e", "e5", "."] {
            assert_eq!(reason(&n(junk)), Some(InvalidReason::NotANumber { value: junk.into() }), "{junk:?}");
        }
        let nested =
            AttributeValue::M(HashMap::from([("k".to_owned(), AttributeValue::Ns(vec!["1".into(), "1e200".into()]))]));
        let err = check_value(&nested).unwrap_err();
        assert_eq!(err.into_error_at("Doc", "doc").to_string().split(':').next(), Some("Doc.doc.k"));
    }

    #[test]
    fn duplicate_set_members_are_found_as_dynamodb_compares_them() {
        let ns = |members: &[&str]| AttributeValue::Ns(members.iter().map(|m| (*m).to_owned()).collect());
        let duplicate = |value: &AttributeValue| match reason(value) {
            Some(InvalidReason::DuplicateSetMember { member }) => Some(member),
            _ => None,
        };
        assert_eq!(duplicate(&ns(&["1", "2", "1.0"])), Some("\"1\"".to_owned()));
        assert_eq!(duplicate(&ns(&["10e-1", "+001"])), Some("\"10e-1\"".to_owned()));
        assert_eq!(duplicate(&ns(&["0", "-0.00"])), Some("\"0\"".to_owned()));
        assert_eq!(duplicate(&ns(&["1", "-1", "10", "0.1"])), None);
        let ss = AttributeValue::Ss(vec!["a".into(), "b".into(), "a".into()]);
        assert_eq!(duplicate(&AttributeValue::L(vec![ss])), Some("\"a\"".to_owned()));
        let bs = AttributeValue::Bs(vec![Blob::new(vec![1]), Blob::new(vec![1])]);
        assert!(duplicate(&bs).is_some());
        let item = HashMap::from([("n".to_owned(), ns(&["5", "5.00"]))]);
        match check_item("Doc", &item) {
            Err(Error::Invalid { reason: InvalidReason::DuplicateSetMember { member }, .. }) => {
                assert_eq!(member, "\"5\"")
            }
            other => panic!("expected a duplicate member, got {other:?}"),
        }
    }

    #[test]
    fn empty_sets_null_false_and_empty_names_are_found_anywhere() {
        assert_eq!(reason(&AttributeValue::Ss(vec![])), Some(InvalidReason::EmptySet));
        assert_eq!(reason(&AttributeValue::L(vec![AttributeValue::Ns(vec![])])), Some(InvalidReason::EmptySet));
        assert_eq!(reason(&AttributeValue::Null(false)), Some(InvalidReason::NullFalse));
        assert_eq!(reason(&AttributeValue::Null(true)), None);
        let empty_key = AttributeValue::L(vec![AttributeValue::M(HashMap::from([(String::new(), s("x"))]))]);
        let err = check_value(&empty_key).unwrap_err();
        assert_eq!(err.reason(), &InvalidReason::EmptyName);
        assert_eq!(
            err.into_error_at("Doc", "list").to_string(),
            "Doc.list[0].: attribute names and map keys cannot be empty"
        );
        let item = HashMap::from([(String::new(), s("x"))]);
        assert!(matches!(check_item("Doc", &item), Err(Error::Invalid { reason: InvalidReason::EmptyName, .. })));
        let long = "k".repeat(MAX_NAME_LEN + 1);
        assert_eq!(
            reason(&AttributeValue::M(HashMap::from([(long, s("x"))]))),
            Some(InvalidReason::NameTooLong { len: MAX_NAME_LEN + 1, max: MAX_NAME_LEN })
        );
    }

    #[test]
    fn nesting_is_limited_at_every_depth() {
        let mut value = AttributeValue::Null(true);
        for _ in 0..MAX_NESTING {
            value = AttributeValue::L(vec![value]);
        }
        assert_eq!(reason(&value), None);
        let deeper = AttributeValue::M(HashMap::from([("a".to_owned(), value)]));
        assert_eq!(reason(&deeper), Some(InvalidReason::TooDeep { depth: MAX_NESTING + 1, max: MAX_NESTING }));
    }

    #[test]
    fn keys_have_their_type_and_size() {
        let key = |scalar| scalar;
        assert_eq!(check_key(key(ScalarType::S), KeyRole::Hash, &s("x")), Ok(()));
        assert_eq!(check_key(key(ScalarType::S), KeyRole::Hash, &s("")), Err(InvalidReason::EmptyKey));
        assert_eq!(
            check_key(key(ScalarType::S), KeyRole::Range, &s(&"x".repeat(1025))),
            Err(InvalidReason::KeyTooLong { len: 1025, max: 1024 })
        );
        assert_eq!(check_key(key(ScalarType::S), KeyRole::Hash, &s(&"x".repeat(2048))), Ok(()));
        assert!(matches!(
            check_key(key(ScalarType::N), KeyRole::Hash, &s("1")),
            Err(InvalidReason::KeyType { expected: "N", .. })
        ));
        assert_eq!(
            check_key(key(ScalarType::B), KeyRole::Hash, &AttributeValue::B(Blob::new(vec![]))),
            Err(InvalidReason::EmptyKey)
        );
    }

    #[test]
    fn check_names_the_largest_attribute() {
        let mut item: Item = HashMap::from([
            ("pk".to_owned(), s("k")),
            ("body".to_owned(), s(&"a".repeat(409_600 - 3 - 4 - 6))),
            ("note".to_owned(), s("xy")),
        ]);
        assert_eq!(crate::limits::item_size(&item), MAX_ITEM_SIZE);
        assert!(check_item("Doc", &item).is_ok());

        item.insert("note".to_owned(), s("xyz"));
        match check_item("Doc", &item) {
            Err(Error::Invalid { model, attribute, reason }) => {
                assert_eq!((model, attribute.as_ref()), ("Doc", "body"));
                assert_eq!(reason, InvalidReason::ItemTooLarge { size: 409_601, max: MAX_ITEM_SIZE });
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn check_draws_the_line_where_item_size_does() {
        let kinds = [
            AttributeValue::N("-1.5".into()),
            AttributeValue::B(Blob::new(vec![1; 100])),
            AttributeValue::L(vec![AttributeValue::Null(true); 10]),
            AttributeValue::M(HashMap::from([("é".to_owned(), AttributeValue::Bool(true))])),
            AttributeValue::Ns(vec!["1".into(), "-0.25".into()]),
        ];
        for value in kinds {
            let build = |pad: usize| -> Item {
                HashMap::from([
                    ("pk".to_owned(), s("k")),
                    ("value".to_owned(), value.clone()),
                    ("pad".to_owned(), s(&"x".repeat(pad))),
                ])
            };
            let pad = MAX_ITEM_SIZE - crate::limits::item_size(&build(0));
            assert!(check_item("Doc", &build(pad)).is_ok(), "{value:?}");
            match check_item("Doc", &build(pad + 1)) {
                Err(Error::Invalid {
                    attribute, reason: InvalidReason::ItemTooLarge { size: 409_601, max }, ..
                }) => {
                    assert_eq!((attribute.as_ref(), max), ("pad", MAX_ITEM_SIZE));
                }
                other => panic!("unexpected {other:?} for {value:?}"),
            }
        }
    }

    #[test]
    fn error_message_names_size_and_limit() {
        let item = HashMap::from([("body".to_owned(), s(&"a".repeat(409_597)))]);
        assert_eq!(
            check_item("Doc", &item).unwrap_err().to_string(),
            "Doc.body: item is 409601 bytes, DynamoDB allows at most 409600; this is its largest attribute"
        );
    }
}
