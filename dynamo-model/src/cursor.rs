//! Resume cursors for paginated queries and scans.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;

use crate::error::Error;
use crate::{Item, Result};

/// Where a query or scan left off: the key of the last item returned. Opaque; turn it
/// into a string (`to_string()`, or serde) to hand to an HTTP client, and back with
/// `parse()`; a string that is not a cursor is [`Error::InvalidCursor`].
///
/// ```
/// use dynamo_model::{AttributeValue, Cursor};
///
/// let cursor = Cursor::from_key([("pk".to_owned(), AttributeValue::S("c1".into()))].into())?;
/// let text = cursor.to_string();
/// assert_eq!(text.parse::<Cursor>()?, cursor);
/// assert!("not a cursor".parse::<Cursor>().is_err());
/// assert!(Cursor::from_key([("pk".to_owned(), AttributeValue::Bool(true))].into()).is_err());
/// # Ok::<(), dynamo_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor(Item);

impl Cursor {
    /// A cursor from a key: attribute names to string, number or binary values, as a
    /// `LastEvaluatedKey` holds; any other kind of value is [`Error::InvalidCursor`].
    pub fn from_key(key: Item) -> Result<Self> {
        let scalar = |value: &AttributeValue| {
            matches!(value, AttributeValue::S(_) | AttributeValue::N(_) | AttributeValue::B(_))
        };
        if key.values().all(scalar) {
            Ok(Self(key))
        } else {
            Err(invalid("a key value must be S, N or B"))
        }
    }

    /// A cursor from DynamoDB's `LastEvaluatedKey`, whose values are always key scalars.
    pub(crate) fn from_last_key(key: Item) -> Self {
        Self(key)
    }

    /// The `ExclusiveStartKey` to resume from.
    pub fn key(&self) -> &Item {
        &self.0
    }

    pub(crate) fn into_key(self) -> Item {
        self.0
    }

    /// Checks the cursor names exactly the key attributes of what it resumes.
    pub(crate) fn check(&self, keys: &[&str]) -> Result<()> {
        let matches = self.0.len() == keys.len() && keys.iter().all(|k| self.0.contains_key(*k));
        if matches {
            Ok(())
        } else {
            let mut found: Vec<&str> = self.0.keys().map(String::as_str).collect();
            found.sort_unstable();
            Err(invalid(format!("it holds the attributes {found:?}, this query resumes from {keys:?}")))
        }
    }
}

#[cold]
fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidCursor { reason: reason.into() }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Sorted, so a key has one text form.
        let mut entries: Vec<(&String, &AttributeValue)> = self.0.iter().collect();
        entries.sort_unstable_by_key(|(name, _)| *name);
        let mut object = serde_json::Map::new();
        for (name, value) in entries {
            let (kind, text) = match value {
                AttributeValue::S(s) => ("S", s.clone()),
                AttributeValue::N(n) => ("N", n.clone()),
                AttributeValue::B(b) => ("B", STANDARD.encode(b.as_ref())),
                // Every constructor admits only S, N and B.
                _ => return Err(fmt::Error),
            };
            object.insert(name.clone(), serde_json::json!({ kind: text }));
        }
        f.write_str(&URL_SAFE_NO_PAD.encode(serde_json::Value::Object(object).to_string()))
    }
}

impl FromStr for Cursor {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid("not base64url"))?;
        let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| invalid("not JSON"))?;
        let object = json.as_object().ok_or_else(|| invalid("not an object"))?;
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
        Ok(Self(key))
    }
}

impl serde::Serialize for Cursor {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
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
