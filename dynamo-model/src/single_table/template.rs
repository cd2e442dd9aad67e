//! Key templates: keys built from fields, such as `USER#{user_id}` or
//! `ORDER#{created}#{order_id}`, as single-table designs store them.
//!
//! A template is a list of segments joined by `#`. Each segment is either literal text
//! or one field (a placeholder is always a whole segment, so two fields can never run
//! into each other). A field's segment is written from its stored value:
//!
//! - text as it is, with `#` written `"$` and `"` written `"!`, so a value can never
//!   add a segment or pass for another key (`42#ORDER#x` is stored `42"$ORDER"$x` and
//!   reads back exactly) and escaped text sorts as the text does; no case folding;
//! - integers zero-padded to the width of their type (`u64`: 20 digits), signed ones
//!   offset by half their range first, so the text sorts as the numbers do.
//!
//! Reading parses the segments back, so a field missing from what was read (a
//! projection, an index) is restored from the key.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{DecodeError, EncodeError, InvalidReason};
use crate::Item;

/// What separates the segments of a key template.
pub const SEPARATOR: char = '#';

/// How a field's value is written in a key template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    /// A string, `#` and `"` escaped as `"$` and `"!` (see [`escape`]).
    Text,
    /// An unsigned integer, zero-padded to `width` digits.
    Unsigned {
        /// Digits of the type's largest value.
        width: u8,
    },
    /// A signed integer of `bits` bits, offset by 2^(bits-1) so it is never negative,
    /// then zero-padded to `width` digits: the text sorts as the numbers.
    Signed {
        /// Digits of the offset type's largest value.
        width: u8,
        /// The type's size in bits.
        bits: u8,
    },
}

/// A type whose values can go in a key template: strings and integers, and `Option`s of
/// them in secondary-index templates (no value: no index key, the item stays out of the
/// index). Implement it for a newtype stored as a string or an integer.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot go in a key template",
    label = "a key template takes strings and integers",
    note = "key templates hold strings (escaped) and integers (zero-padded, so they sort as numbers); floats, binary, sets, lists and maps cannot be part of a key's text; implement `dynamo_model::single_table::KeyPart` for a newtype stored as a string or an integer"
)]
pub trait KeyPart {
    /// How the value is written.
    const FORMAT: KeyFormat;
    /// Whether the value may be absent (`Option`): only index templates take those.
    const OPTIONAL: bool = false;
}

impl KeyPart for String {
    const FORMAT: KeyFormat = KeyFormat::Text;
}

macro_rules! unsigned {
    ($($ty:ty => $width:expr),*) => {$(
        impl KeyPart for $ty {
            const FORMAT: KeyFormat = KeyFormat::Unsigned { width: $width };
        }
    )*};
}
unsigned!(u8 => 3, u16 => 5, u32 => 10, u64 => 20);

macro_rules! signed {
    ($($ty:ty => $width:expr, $bits:expr),*) => {$(
        impl KeyPart for $ty {
            const FORMAT: KeyFormat = KeyFormat::Signed { width: $width, bits: $bits };
        }
    )*};
}
signed!(i8 => 3, 8, i16 => 5, 16, i32 => 10, 32, i64 => 20, 64);

impl<T: KeyPart> KeyPart for Option<T> {
    const FORMAT: KeyFormat = T::FORMAT;
    const OPTIONAL: bool = true;
}

/// One segment of a key template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// Literal text.
    Literal(&'static str),
    /// A field's value, by its stored attribute name.
    Field {
        /// The field's attribute name.
        attribute: &'static str,
        /// How its value is written.
        format: KeyFormat,
    },
}

/// A key attribute built from a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyTemplate {
    /// The key attribute it is stored in (`pk`, `gsi1sk`, …).
    pub attribute: &'static str,
    /// The index it keys; `None` for the table's own key.
    pub index: Option<&'static str>,
    /// The template as written, for messages.
    pub text: &'static str,
    /// Its segments.
    pub segments: &'static [Segment],
}

impl KeyTemplate {
    /// The fields it is built from.
    pub fn fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.segments.iter().filter_map(|segment| match segment {
            Segment::Field { attribute, .. } => Some(*attribute),
            Segment::Literal(_) => None,
        })
    }

    /// Whether it uses the field stored as `attribute`.
    pub fn uses(&self, attribute: &str) -> bool {
        self.fields().any(|field| field == attribute)
    }

    /// The key's text from the fields' stored values; `Ok(None)` when one is absent.
    /// The error names the field whose value cannot be written.
    pub fn render<'v>(
        &self,
        mut value_of: impl FnMut(&str) -> Option<&'v AttributeValue>,
    ) -> Result<Option<String>, (&'static str, EncodeError)> {
        let mut out = String::with_capacity(32);
        for (i, segment) in self.segments.iter().enumerate() {
            if i > 0 {
                out.push(SEPARATOR);
            }
            match *segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Field { attribute, format } => {
                    let Some(value) = value_of(attribute) else { return Ok(None) };
                    write_part(format, value, &mut out).map_err(|e| (attribute, e))?;
                }
            }
        }
        Ok(Some(out))
    }

    /// The fields' values parsed from the key's text, as stored values.
    pub fn parse(&self, text: &str) -> Result<Vec<(&'static str, AttributeValue)>, DecodeError> {
        let mut parts = text.split(SEPARATOR);
        let mut out = Vec::with_capacity(self.segments.len());
        for segment in self.segments {
            let Some(part) = parts.next() else {
                return Err(self.mismatch(text));
            };
            match *segment {
                Segment::Literal(literal) if literal == part => {}
                Segment::Literal(_) => return Err(self.mismatch(text)),
                Segment::Field { attribute, format } => out.push((attribute, read_part(format, part)?)),
            }
        }
        if parts.next().is_some() {
            return Err(self.mismatch(text));
        }
        Ok(out)
    }

    fn mismatch(&self, text: &str) -> DecodeError {
        DecodeError::new(format!("a key of the template `{}`", self.text), format!("{text:?}"))
    }

    /// The text every key of the template starts with: its leading literal segments,
    /// each followed by the separator (empty when it starts with a field).
    pub fn literal_prefix(&self) -> String {
        let mut out = String::new();
        for segment in self.segments {
            match segment {
                Segment::Literal(text) => {
                    out.push_str(text);
                    out.push(SEPARATOR);
                }
                Segment::Field { .. } => break,
            }
        }
        out
    }
}

/// Writes one stored value as a segment.
pub fn write_part(format: KeyFormat, value: &AttributeValue, out: &mut String) -> Result<(), EncodeError> {
    match (format, value) {
        (KeyFormat::Text, AttributeValue::S(text)) => {
            escape(text, out);
            Ok(())
        }
        (KeyFormat::Unsigned { width }, AttributeValue::N(n)) => {
            let value: u128 = n.parse().map_err(|_| not_in_template(format, n))?;
            pad(value, width, out).ok_or_else(|| not_in_template(format, n))
        }
        (KeyFormat::Signed { width, bits }, AttributeValue::N(n)) => {
            let value: i128 = n.parse().map_err(|_| not_in_template(format, n))?;
            let offset = 1i128 << (bits - 1);
            if value < -offset || value >= offset {
                return Err(not_in_template(format, n));
            }
            pad((value + offset) as u128, width, out).ok_or_else(|| not_in_template(format, n))
        }
        (_, other) => Err(not_in_template(format, &crate::value::describe(other))),
    }
}

fn not_in_template(format: KeyFormat, found: &str) -> EncodeError {
    let expected = match format {
        KeyFormat::Text => "a string".to_owned(),
        KeyFormat::Unsigned { width } => format!("a whole number of at most {width} digits"),
        KeyFormat::Signed { bits, .. } => format!("a whole number that fits in {bits} bits"),
    };
    EncodeError::new(InvalidReason::Custom(format!("a key template segment takes {expected}, not {found}")))
}

fn pad(value: u128, width: u8, out: &mut String) -> Option<()> {
    let mut buffer = itoa::Buffer::new();
    let digits = buffer.format(value);
    let width = usize::from(width);
    if digits.len() > width {
        return None;
    }
    out.extend(std::iter::repeat_n('0', width - digits.len()));
    out.push_str(digits);
    Some(())
}

/// Reads one segment back into the stored value it was written from.
pub fn read_part(format: KeyFormat, part: &str) -> Result<AttributeValue, DecodeError> {
    let number = |width: u8| -> Result<u128, DecodeError> {
        if part.len() != usize::from(width) || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DecodeError::new(format!("{width} digits"), format!("{part:?}")));
        }
        part.parse().map_err(|_| DecodeError::new(format!("{width} digits"), format!("{part:?}")))
    };
    match format {
        KeyFormat::Text => unescape(part).map(AttributeValue::S),
        KeyFormat::Unsigned { width } => Ok(AttributeValue::N(number(width)?.to_string())),
        KeyFormat::Signed { width, bits } => {
            let biased = number(width)? as i128;
            let offset = 1i128 << (bits - 1);
            if biased >= 2 * offset {
                return Err(DecodeError::new(format!("a {bits}-bit number"), format!("{part:?}")));
            }
            Ok(AttributeValue::N((biased - offset).to_string()))
        }
    }
}

/// The escape character: the one just below the separator, so that escaped text sorts
/// as the text does.
pub const ESCAPE: char = '"';

/// Writes text with the separator and the escape character escaped: `"` as `"!` and
/// `#` as `"$`. The code is prefix-free and keeps the order of characters (`!` < `"` <
/// `#` < `$`), so escaped strings sort exactly as the strings do.
pub fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            ESCAPE => out.push_str("\"!"),
            SEPARATOR => out.push_str("\"$"),
            c => out.push(c),
        }
    }
}

/// Reads escaped text back; anything `escape` cannot have written is an error.
pub fn unescape(part: &str) -> Result<String, DecodeError> {
    let mut out = String::with_capacity(part.len());
    let mut chars = part.chars();
    while let Some(c) = chars.next() {
        if c != ESCAPE {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('!') => out.push(ESCAPE),
            Some('$') => out.push(SEPARATOR),
            _ => return Err(DecodeError::new("`!` or `$` after an escaping `\"`", format!("{part:?}"))),
        }
    }
    Ok(out)
}

/// Renders every template of an entity from the item's fields: the table's keys (which
/// need every field) and the index keys (left out, and any stale one removed, when a
/// field is absent); then the entity marker.
pub(crate) fn stamp(model: &'static str, entity: &super::EntityDef, item: &mut Item) -> crate::Result<()> {
    for (i, template) in entity.templates.iter().enumerate() {
        let rendered =
            template.render(|name| item.get(name)).map_err(|(attribute, e)| e.into_error(model, attribute))?;
        match rendered {
            Some(text) => {
                let value = AttributeValue::S(text);
                // The table's keys are checked as every key is (not empty, within the
                // size of its role); index keys are checked with the item's.
                if template.index.is_none() {
                    let role = if i == 0 { crate::compile::KeyRole::Hash } else { crate::compile::KeyRole::Range };
                    crate::compile::values::check_key(crate::ScalarType::S, role, &value).map_err(|reason| {
                        crate::Error::Invalid { model, attribute: template.attribute.into(), reason }
                    })?;
                }
                item.insert(template.attribute.to_owned(), value);
            }
            None if template.index.is_none() => {
                let missing = template.fields().find(|field| !item.contains_key(*field)).unwrap_or(template.attribute);
                return Err(EncodeError::new(InvalidReason::EmptyKey).into_error(model, missing));
            }
            None => {
                item.remove(template.attribute);
            }
        }
    }
    item.insert(entity.attribute.to_owned(), AttributeValue::S(entity.name.to_owned()));
    Ok(())
}

/// The entity marker of a read item, checked; then the fields the item lacks restored
/// from its keys, and the keys and the marker taken out (they are no field's).
pub(crate) fn open(model: &'static str, entity: &super::EntityDef, item: &mut Item) -> crate::Result<()> {
    match item.remove(entity.attribute) {
        Some(AttributeValue::S(name)) if name == entity.name => {}
        other => {
            let found = other.as_ref().map_or_else(|| "no entity marker".to_owned(), crate::value::describe);
            return Err(crate::Error::Decode {
                model,
                attribute: entity.attribute.into(),
                expected: format!("the entity marker {:?}", entity.name).into(),
                found: found.into(),
            });
        }
    }
    for template in entity.templates {
        let Some(stored) = item.remove(template.attribute) else { continue };
        if template.fields().all(|field| item.contains_key(field)) {
            continue;
        }
        let AttributeValue::S(text) = &stored else {
            return Err(
                DecodeError::new("a string key", crate::value::describe(&stored)).into_error(model, template.attribute)
            );
        };
        let parts = template.parse(text).map_err(|e| e.into_error(model, template.attribute))?;
        for (field, value) in parts {
            item.entry(field.to_owned()).or_insert(value);
        }
    }
    Ok(())
}

/// Whether an item read is of this entity (its marker is the entity's name).
pub(crate) fn is_of(entity: &super::EntityDef, item: &Item) -> bool {
    matches!(item.get(entity.attribute), Some(AttributeValue::S(name)) if name == entity.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDER_SK: KeyTemplate = KeyTemplate {
        attribute: "sk",
        index: None,
        text: "ORDER#{created}#{id}",
        segments: &[
            Segment::Literal("ORDER"),
            Segment::Field { attribute: "created", format: KeyFormat::Signed { width: 20, bits: 64 } },
            Segment::Field { attribute: "id", format: KeyFormat::Text },
        ],
    };

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.to_owned())
    }

    fn n(text: &str) -> AttributeValue {
        AttributeValue::N(text.to_owned())
    }

    #[test]
    fn renders_and_parses_back() {
        let item: Item = [("created".to_owned(), n("-5")), ("id".to_owned(), s("a#b\"!"))].into();
        let text = ORDER_SK.render(|name| item.get(name)).unwrap().unwrap();
        assert_eq!(text, "ORDER#09223372036854775803#a\"$b\"!!");
        let parts = ORDER_SK.parse(&text).unwrap();
        assert_eq!(parts, vec![("created", n("-5")), ("id", s("a#b\"!"))]);
    }

    #[test]
    fn escaped_text_sorts_as_the_text() {
        let texts = ["", "!", "\"", "\"\"", "\"#", "#", "#\"", "$", "%", "a", "a#", "a$", "é"];
        let escaped: Vec<String> = texts
            .iter()
            .map(|text| {
                let mut out = String::new();
                escape(text, &mut out);
                out
            })
            .collect();
        for (i, a) in texts.iter().enumerate() {
            for (j, b) in texts.iter().enumerate() {
                assert_eq!(a.cmp(b), escaped[i].cmp(&escaped[j]), "{a:?} against {b:?}");
            }
        }
    }

    #[test]
    fn numbers_sort_as_text() {
        let mut texts = Vec::new();
        for value in [i64::MIN, -10, -9, 0, 9, 10, i64::MAX] {
            let mut out = String::new();
            write_part(KeyFormat::Signed { width: 20, bits: 64 }, &n(&value.to_string()), &mut out).unwrap();
            texts.push(out);
        }
        let mut sorted = texts.clone();
        sorted.sort();
        assert_eq!(texts, sorted);
    }

    #[test]
    fn refuses_what_it_cannot_have_written() {
        assert!(ORDER_SK.parse("ORDER#1#x").is_err());
        assert!(ORDER_SK.parse("ORDER#09223372036854775803#x#y").is_err());
        assert!(ORDER_SK.parse("USER#09223372036854775803#x").is_err());
        assert!(unescape("\"").is_err());
        assert!(unescape("\"#").is_err());
        assert_eq!(unescape("%23").unwrap(), "%23");
        assert!(read_part(KeyFormat::Unsigned { width: 3 }, "999").is_ok());
        let mut out = String::new();
        assert!(write_part(KeyFormat::Unsigned { width: 3 }, &n("1000"), &mut out).is_err());
        assert!(write_part(KeyFormat::Signed { width: 3, bits: 8 }, &n("128"), &mut out).is_err());
        assert!(write_part(KeyFormat::Text, &n("1"), &mut out).is_err());
    }
}
