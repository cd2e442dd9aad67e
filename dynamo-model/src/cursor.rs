//! Resume cursors for paginated queries and scans.
//!
//! A [`Cursor`] is opaque text: hand it to an HTTP client and take it back. It is bound
//! to the query that made it: the same table or index, the same partition, inside the
//! same sort-key condition. A cursor from another query, one whose key does not fit the
//! query, or text that is no cursor is [`Error::InvalidCursor`] before anything is
//! sent, never an error from DynamoDB.
//!
//! By default a cursor carries the key it resumes after, readable by whoever holds it,
//! and a client who edits it into another valid key of the same query moves its own
//! starting point (no more than that: the key must still fit the query). With a
//! [`CursorKey`] on the [`Db`](crate::Db) ([`Db::with_cursor_key`](crate::Db::with_cursor_key)),
//! cursors are sealed (XChaCha20-Poly1305): clients can neither read the key values in
//! them nor forge or change one.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::compile::KeyRole;
use crate::error::Error;
use crate::expr::{ordered, Comparator, Node, Operand};
use crate::schema::KeyDef;
use crate::{Item, Result};

/// The longest cursor text accepted: far above any key DynamoDB allows.
const MAX_CURSOR_LEN: usize = 16 * 1024;
/// The first byte of a sealed cursor (a plain one is JSON, starting with `{`).
const SEALED: u8 = 1;
const NONCE_LEN: usize = 24;

/// Where a query or scan left off. Opaque: turn it into a string (`to_string()`, or
/// serde) to hand to an HTTP client, and back with `parse()`.
///
/// ```
/// use dynamo_model::Cursor;
///
/// let cursor: Cursor = "eyJiIjoiMCJ9".parse()?;
/// assert_eq!(cursor.to_string(), "eyJiIjoiMCJ9");
/// assert!("not a cursor!".parse::<Cursor>().is_err());
/// assert!("".parse::<Cursor>().is_err());
/// # Ok::<(), dynamo_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor(String);

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Cursor {
    type Err = Error;

    /// Accepts any text that could be a cursor (base64url, not empty, not huge); what it
    /// holds is checked when it is used, against the query it is given to.
    fn from_str(text: &str) -> Result<Self> {
        let plausible = !text.is_empty()
            && text.len() <= MAX_CURSOR_LEN
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if plausible {
            Ok(Self(text.to_owned()))
        } else {
            Err(invalid("not a cursor"))
        }
    }
}

impl serde::Serialize for Cursor {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Cursor {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// One page of results and where to resume; `cursor` is `None` at the end.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Where the next page starts; `None` when there are no more items.
    pub cursor: Option<Cursor>,
}

/// A secret that seals the cursors of a [`Db`](crate::Db): authenticated encryption
/// with XChaCha20-Poly1305, so clients can neither read the key values in a cursor nor
/// forge one. Every instance of a service that hands out cursors needs the same key.
///
/// ```
/// use dynamo_model::cursor::CursorKey;
///
/// let key = CursorKey::from_bytes([7; 32]);
/// let random = CursorKey::generate(); // valid for this process only
/// # let _ = (key, random);
/// ```
#[derive(Clone)]
pub struct CursorKey(Arc<XChaCha20Poly1305>);

impl CursorKey {
    /// A key from 32 secret bytes (for example read from a secret store).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Arc::new(XChaCha20Poly1305::new(&bytes.into())))
    }

    /// A random key: cursors it seals are valid only in this process.
    pub fn generate() -> Self {
        Self(Arc::new(XChaCha20Poly1305::new(&XChaCha20Poly1305::generate_key(&mut OsRng))))
    }
}

impl fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CursorKey(..)")
    }
}

#[cold]
fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidCursor { reason: reason.into() }
}

/// What a cursor given to one query or scan must be: made for it, holding exactly its
/// key attributes with their types, in its partition and inside its sort-key condition.
#[derive(Debug, Clone)]
pub(crate) struct CursorSpec {
    /// Which query or scan: kind, table, index and partition.
    binding: String,
    /// The attributes of a `LastEvaluatedKey`, with their types and roles.
    keys: Vec<(KeyDef, KeyRole)>,
    /// The partition key and its value, for a query.
    partition: Option<(&'static str, AttributeValue)>,
    /// The sort-key condition of a query.
    range: Option<(&'static str, Node)>,
    /// Whether that sort key is unique within the partition (a table's).
    unique: bool,
    /// Whether the query reads from the highest sort key down.
    descending: bool,
    seal: Option<CursorKey>,
}

/// Whether a key space's sort key identifies an item within a partition: a table's
/// does; an index's may repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortKeys {
    Unique,
    Repeating,
}

impl CursorSpec {
    pub(crate) fn new(
        table: &str,
        index: Option<&str>,
        keys: Vec<(KeyDef, KeyRole)>,
        partition: Option<(&'static str, AttributeValue)>,
        range: Option<(&'static str, Node, SortKeys)>,
        descending: bool,
        seal: Option<CursorKey>,
    ) -> Self {
        let kind = if partition.is_some() { "query" } else { "scan" };
        let mut binding = format!("{kind}\u{0}{table}\u{0}{}", index.unwrap_or(""));
        if let Some((_, value)) = &partition {
            binding.push('\u{0}');
            binding.push_str(&key_json(&HashMap::from([(String::new(), value.clone())])).to_string());
        }
        // Only a unique sort key can sit on the end bound with nothing after it.
        let (range, unique) = match range {
            Some((name, node, sort_keys)) => (Some((name, node)), sort_keys == SortKeys::Unique),
            None => (None, false),
        };
        Self { binding, keys, partition, range, unique, descending, seal }
    }

    /// Whether nothing can follow `key` in this query: it sits on the inclusive bound
    /// the query reads towards (`<= d` or `BETWEEN b AND d` read upwards, reaching
    /// `d`), and the sort key is unique, as a table's is. DynamoDB rejects such a start
    /// key instead of returning an empty page. (Items of an index may share a sort key,
    /// so more may follow one on the bound; DynamoDB takes such a start key.)
    pub(crate) fn at_end(&self, key: &Item) -> bool {
        if !self.unique {
            return false;
        }
        let Some((name, condition)) = &self.range else { return false };
        let Some(value) = key.get(*name) else { return false };
        let bound = match (condition, self.descending) {
            (Node::Compare { op: Comparator::Le, right: Operand::Value(bound), .. }, false)
            | (Node::Compare { op: Comparator::Ge, right: Operand::Value(bound), .. }, true)
            | (Node::Between { high: Operand::Value(bound), .. }, false)
            | (Node::Between { low: Operand::Value(bound), .. }, true) => bound,
            _ => return false,
        };
        ordered(value, bound) == Some(std::cmp::Ordering::Equal)
    }

    /// The cursor that resumes after `key`.
    pub(crate) fn encode(&self, key: &Item) -> Cursor {
        let key = key_json(key);
        match &self.seal {
            Some(seal) => {
                let plain = key.to_string();
                let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
                let payload = Payload { msg: plain.as_bytes(), aad: self.binding.as_bytes() };
                // Encryption of a short message in memory has no way to fail.
                let sealed = seal.0.encrypt(&nonce, payload).unwrap_or_default();
                let mut bytes = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
                bytes.push(SEALED);
                bytes.extend_from_slice(&nonce);
                bytes.extend_from_slice(&sealed);
                Cursor(URL_SAFE_NO_PAD.encode(bytes))
            }
            None => {
                let json = serde_json::json!({ "b": fingerprint(&self.binding), "k": key });
                Cursor(URL_SAFE_NO_PAD.encode(json.to_string()))
            }
        }
    }

    /// The `ExclusiveStartKey` a cursor stands for, if it was made for this query.
    pub(crate) fn decode(&self, cursor: &Cursor) -> Result<Item> {
        let bytes = URL_SAFE_NO_PAD.decode(&cursor.0).map_err(|_| invalid("not base64url"))?;
        let key_json: serde_json::Value = match (&self.seal, bytes.first()) {
            (Some(seal), Some(&SEALED)) if bytes.len() > 1 + NONCE_LEN => {
                let nonce = XNonce::from_slice(&bytes[1..1 + NONCE_LEN]);
                let payload = Payload { msg: &bytes[1 + NONCE_LEN..], aad: self.binding.as_bytes() };
                let plain = seal.0.decrypt(nonce, payload).map_err(|_| {
                    invalid("it was not sealed with this service's key for this query (forged, tampered, or from another query)")
                })?;
                serde_json::from_slice(&plain).map_err(|_| invalid("not JSON"))?
            }
            (Some(_), _) => return Err(invalid("it is not sealed, and this Db seals its cursors")),
            (None, Some(&SEALED)) => return Err(invalid("it is sealed, and this Db has no cursor key")),
            (None, _) => {
                let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| invalid("not JSON"))?;
                if json.get("b").and_then(serde_json::Value::as_str) != Some(fingerprint(&self.binding).as_str()) {
                    return Err(invalid("it was made by another query or scan (table, index or partition)"));
                }
                json.get("k").cloned().ok_or_else(|| invalid("it holds no key"))?
            }
        };
        let key = parse_key(&key_json)?;
        self.check(&key)?;
        Ok(key)
    }

    /// The key has exactly this read's key attributes, with valid values, in its
    /// partition and inside its sort-key condition.
    fn check(&self, key: &Item) -> Result<()> {
        let names_match = key.len() == self.keys.len() && self.keys.iter().all(|(def, _)| key.contains_key(def.name));
        if !names_match {
            let mut found: Vec<&str> = key.keys().map(String::as_str).collect();
            found.sort_unstable();
            let expected: Vec<&str> = self.keys.iter().map(|(def, _)| def.name).collect();
            return Err(invalid(format!("it holds the attributes {found:?}, this read resumes from {expected:?}")));
        }
        for (def, role) in &self.keys {
            let value = &key[def.name];
            crate::compile::values::check_key(def.scalar, *role, value)
                .map_err(|reason| invalid(format!("`{}`: {reason}", def.name)))?;
        }
        if let Some((name, expected)) = &self.partition {
            if ordered(&key[*name], expected) != Some(std::cmp::Ordering::Equal) {
                return Err(invalid("it is from another partition"));
            }
        }
        if let Some((name, condition)) = &self.range {
            if !satisfies(condition, &key[*name]) || self.at_end(key) {
                return Err(invalid("its sort key is outside this query's sort-key condition"));
            }
        }
        Ok(())
    }
}

/// Whether a sort-key value meets a sort-key condition (`=`, `<`, `<=`, `>`, `>=`,
/// `BETWEEN`, `begins_with`).
fn satisfies(condition: &Node, value: &AttributeValue) -> bool {
    match condition {
        Node::Compare { op, right: Operand::Value(bound), .. } => {
            ordered(value, bound).is_some_and(|order| op.accepts(order))
        }
        Node::Between { low: Operand::Value(low), high: Operand::Value(high), .. } => {
            ordered(value, low).is_some_and(|o| o.is_ge()) && ordered(value, high).is_some_and(|o| o.is_le())
        }
        Node::BeginsWith { prefix: Operand::Value(prefix), .. } => match (value, prefix) {
            (AttributeValue::S(value), AttributeValue::S(prefix)) => value.starts_with(prefix.as_str()),
            (AttributeValue::B(value), AttributeValue::B(prefix)) => value.as_ref().starts_with(prefix.as_ref()),
            _ => false,
        },
        // Key conditions hold nothing else.
        _ => false,
    }
}

/// FNV-1a of the binding: tells one query's plain cursors from another's (not a secret).
fn fingerprint(binding: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in binding.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// A key as JSON, sorted so that one key has one text form: `{"name": {"S": "…"}}`.
fn key_json(key: &Item) -> serde_json::Value {
    let mut entries: Vec<(&String, &AttributeValue)> = key.iter().collect();
    entries.sort_unstable_by_key(|(name, _)| *name);
    let mut object = serde_json::Map::new();
    for (name, value) in entries {
        let (kind, text) = match value {
            AttributeValue::S(s) => ("S", s.clone()),
            AttributeValue::N(n) => ("N", n.clone()),
            AttributeValue::B(b) => ("B", STANDARD.encode(b.as_ref())),
            // A `LastEvaluatedKey` holds key scalars only.
            _ => continue,
        };
        object.insert(name.clone(), serde_json::json!({ kind: text }));
    }
    serde_json::Value::Object(object)
}

fn parse_key(json: &serde_json::Value) -> Result<Item> {
    let object = json.as_object().ok_or_else(|| invalid("malformed key"))?;
    let mut key = HashMap::with_capacity(object.len());
    for (name, value) in object {
        let typed = value.as_object().filter(|o| o.len() == 1).ok_or_else(|| invalid("malformed value"))?;
        let (kind, text) = typed.iter().next().ok_or_else(|| invalid("malformed value"))?;
        let text = text.as_str().ok_or_else(|| invalid("malformed value"))?;
        let value = match kind.as_str() {
            "S" => AttributeValue::S(text.to_owned()),
            "N" => AttributeValue::N(text.to_owned()),
            "B" => AttributeValue::B(Blob::new(STANDARD.decode(text).map_err(|_| invalid("malformed binary"))?)),
            _ => return Err(invalid("a key value must be S, N or B")),
        };
        key.insert(name.clone(), value);
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::PathExpr;
    use crate::value::ScalarType;

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.to_owned())
    }

    fn spec(partition: &str, seal: Option<CursorKey>) -> CursorSpec {
        let keys = vec![
            (KeyDef { name: "pk", scalar: ScalarType::S }, KeyRole::Hash),
            (KeyDef { name: "sk", scalar: ScalarType::S }, KeyRole::Range),
        ];
        let range = Node::BeginsWith { path: PathExpr::attribute("sk"), prefix: Operand::Value(s("b")) };
        CursorSpec::new("t", None, keys, Some(("pk", s(partition))), Some(("sk", range, SortKeys::Unique)), false, seal)
    }

    fn key(pk: &str, sk: &str) -> Item {
        HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
    }

    #[test]
    fn a_cursor_round_trips_through_text() {
        for seal in [None, Some(CursorKey::generate())] {
            let spec = spec("p1", seal);
            let cursor = spec.encode(&key("p1", "b7"));
            let text = cursor.to_string();
            assert_eq!(spec.decode(&text.parse().unwrap()).unwrap(), key("p1", "b7"));
        }
    }

    #[test]
    fn a_cursor_of_another_query_or_outside_the_condition_is_refused() {
        for seal in [None, Some(CursorKey::from_bytes([3; 32]))] {
            let mine = spec("p1", seal.clone());
            let other = spec("p2", seal.clone());
            assert!(mine.decode(&other.encode(&key("p2", "b1"))).is_err());
            // Outside `begins_with("b")`, or in another partition, even if made for this query.
            assert!(mine.decode(&mine.encode(&key("p1", "a1"))).is_err());
            assert!(mine.decode(&mine.encode(&key("p2", "b1"))).is_err());
            let extra =
                HashMap::from([("pk".to_owned(), s("p1")), ("sk".to_owned(), s("b")), ("x".to_owned(), s("1"))]);
            assert!(mine.decode(&mine.encode(&extra)).is_err());
            let wrong_type =
                HashMap::from([("pk".to_owned(), s("p1")), ("sk".to_owned(), AttributeValue::N("1".into()))]);
            assert!(mine.decode(&mine.encode(&wrong_type)).is_err());
        }
    }

    #[test]
    fn sealed_cursors_hide_the_key_and_resist_tampering() {
        let spec = spec("secret-partition", Some(CursorKey::from_bytes([9; 32])));
        let cursor = spec.encode(&key("secret-partition", "b-secret"));
        let bytes = URL_SAFE_NO_PAD.decode(cursor.to_string()).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("secret"));
        let mut tampered = bytes.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(spec.decode(&Cursor(URL_SAFE_NO_PAD.encode(tampered))).is_err());
        // Another key, or no key, cannot open it; a plain cursor is refused by a sealing Db.
        assert!(self::spec("secret-partition", Some(CursorKey::from_bytes([8; 32]))).decode(&cursor).is_err());
        assert!(self::spec("secret-partition", None).decode(&cursor).is_err());
        let plain = self::spec("secret-partition", None).encode(&key("secret-partition", "b1"));
        assert!(spec.decode(&plain).is_err());
    }

    #[test]
    fn text_that_is_no_cursor_is_refused() {
        let spec = spec("p1", None);
        for text in ["e30", "bm90IGpzb24", "W10"] {
            assert!(spec.decode(&text.parse().unwrap()).is_err(), "{text}");
        }
        assert!("a b".parse::<Cursor>().is_err());
        assert!("x".repeat(MAX_CURSOR_LEN + 1).parse::<Cursor>().is_err());
    }
}
