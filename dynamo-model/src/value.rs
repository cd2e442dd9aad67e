//! Conversion between Rust values and DynamoDB's `AttributeValue`, without detours.
//!
//! [`ToAttribute`] and [`FromAttribute`] are what `#[derive(Model)]` calls for every
//! field. They are implemented for the std types below; implement them for your own
//! types (newtype ids, enums stored as strings) to store them as themselves, or mark a
//! field `#[dynamo(serde)]` to store any serde type through `serde_dynamo`.
//!
//! | Rust | DynamoDB |
//! |---|---|
//! | `String`, `&str` | `S` |
//! | `bool` | `BOOL` |
//! | all integers (`i8`…`i128`, `u8`…`u128`, `isize`, `usize`), `f32`, `f64` | `N` |
//! | `Vec<u8>`, [`Blob`] | `B` |
//! | `Option<T>` | `T`, or no attribute at all for `None` (never `NULL`) |
//! | `Vec<T>` | `L` |
//! | `HashMap<String, T>`, `BTreeMap<String, T>` | `M` |
//! | `HashSet`/`BTreeSet` of strings, integers, bytes | `SS`, `NS`, `BS`; an empty set is no attribute at all |
//!
//! ```
//! use dynamo_model::{AttributeValue, FromAttribute, ToAttribute};
//!
//! assert_eq!(u64::MAX.to_attribute().unwrap(), Some(AttributeValue::N("18446744073709551615".into())));
//! assert_eq!(None::<String>.to_attribute().unwrap(), None);
//! assert_eq!(i8::from_attribute(AttributeValue::N("-5".into())).unwrap(), -5);
//! let err = u8::from_attribute(AttributeValue::N("300".into())).unwrap_err();
//! assert_eq!(err.to_string(), "expected integer from 0 to 255, found N 300");
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Debug;
use std::hash::{BuildHasher, Hash};

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, ScalarAttributeType};

use crate::error::{DecodeError, EncodeError, InvalidReason, PathSegment};

/// A Rust value that can be written as a DynamoDB attribute.
pub trait ToAttribute {
    /// The attribute value, or `None` when nothing is to be stored (`Option::None`, an
    /// empty set): DynamoDB then holds no attribute at all rather than a `NULL`.
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError>;

    /// Encodes a `Vec<Self>`: a list by default; `u8` overrides it to store bytes as `B`.
    #[doc(hidden)]
    #[inline]
    fn __vec_to_attribute(items: &[Self]) -> Result<Option<AttributeValue>, EncodeError>
    where
        Self: Sized,
    {
        let mut list = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let value = item.to_attribute().map_err(|e| e.within(PathSegment::Index(i)))?;
            list.push(value.unwrap_or(AttributeValue::Null(true)));
        }
        Ok(Some(AttributeValue::L(list)))
    }

    /// Checks the rules of the `#[derive(Document)]` values inside `self`, appending what
    /// breaks them to `errors` with attributes prefixed by `path`. Nothing for other types;
    /// containers forward it to their elements.
    #[doc(hidden)]
    #[inline]
    fn __validate(&self, errors: &mut Vec<crate::FieldError>, path: &str) {
        let _ = (errors, path);
    }

    /// Whether the value is a `#[derive(Document)]` with its own `validate = f` (or an
    /// `Option` of one), which only a whole value can be checked against: writes of its
    /// fields alone are refused.
    #[doc(hidden)]
    const __WHOLE_RULE: bool = false;
}

/// A Rust value that can be read back from a DynamoDB attribute.
pub trait FromAttribute: Sized {
    /// What this type reads, for error messages ("string", "integer from 0 to 255").
    const EXPECTED: &'static str;

    /// Decodes the attribute value. Never panics: a value of the wrong kind or out of
    /// range is a [`DecodeError`].
    fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError>;

    /// The value when the attribute is absent: an error, except for `Option` (`None`)
    /// and sets (empty).
    #[inline]
    fn from_missing() -> Result<Self, DecodeError> {
        Err(DecodeError::missing(Self::EXPECTED))
    }

    /// Decodes a `Vec<Self>`: a list by default; `u8` overrides it to read `B`.
    #[doc(hidden)]
    #[inline]
    fn __vec_from_attribute(value: AttributeValue) -> Result<Vec<Self>, DecodeError> {
        match value {
            AttributeValue::L(list) => list
                .into_iter()
                .enumerate()
                .map(|(i, v)| Self::from_attribute(v).map_err(|e| e.within(PathSegment::Index(i))))
                .collect(),
            other => Err(DecodeError::new("list (L)", describe(&other))),
        }
    }
}

/// A value that can be given where a `T` is expected: a `T` itself, a reference to one,
/// or a common spelling of one (`&str` for `String`, an array for a `Vec` or a set).
///
/// Paths, updates and keys take `impl IntoValue<T>`. Unlike `Into<T>`, it leaves an
/// integer or float literal nothing to choose, so `1` works for a `u64` field and `1.5`
/// for an `f32` one, without a suffix:
///
/// ```
/// use dynamo_model::IntoValue;
///
/// fn takes<T>(value: impl IntoValue<T>) -> T {
///     value.into_value()
/// }
/// let visits: u64 = takes(1);
/// let name: String = takes("Ada");
/// let tags: std::collections::BTreeSet<String> = takes(["a", "b"]);
/// assert_eq!((visits, name.as_str(), tags.len()), (1, "Ada", 2));
/// ```
///
/// Implement it for the spellings of your own types (`impl IntoValue<OrderId> for &str`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value for a field of type `{T}`",
    label = "expected a `{T}` here",
    note = "give a `{T}`, a reference to one, or one of its spellings (`&str` for `String`, an array for a `Vec` or a set)"
)]
pub trait IntoValue<T> {
    /// The value.
    fn into_value(self) -> T;
}

impl<T> IntoValue<T> for T {
    #[inline]
    fn into_value(self) -> T {
        self
    }
}

impl<T: Clone> IntoValue<T> for &T {
    #[inline]
    fn into_value(self) -> T {
        self.clone()
    }
}

impl IntoValue<String> for &str {
    #[inline]
    fn into_value(self) -> String {
        self.to_owned()
    }
}

impl IntoValue<String> for std::borrow::Cow<'_, str> {
    #[inline]
    fn into_value(self) -> String {
        self.into_owned()
    }
}

impl<E: Clone> IntoValue<Vec<E>> for &[E] {
    #[inline]
    fn into_value(self) -> Vec<E> {
        self.to_vec()
    }
}

impl<E, const N: usize> IntoValue<Vec<E>> for [E; N] {
    #[inline]
    fn into_value(self) -> Vec<E> {
        self.into()
    }
}

impl<const N: usize> IntoValue<Vec<u8>> for &[u8; N] {
    #[inline]
    fn into_value(self) -> Vec<u8> {
        self.to_vec()
    }
}

impl<const N: usize> IntoValue<Vec<String>> for [&str; N] {
    #[inline]
    fn into_value(self) -> Vec<String> {
        self.iter().map(|s| (*s).to_owned()).collect()
    }
}

impl<E: Ord, const N: usize> IntoValue<BTreeSet<E>> for [E; N] {
    #[inline]
    fn into_value(self) -> BTreeSet<E> {
        self.into()
    }
}

impl<const N: usize> IntoValue<BTreeSet<String>> for [&str; N] {
    #[inline]
    fn into_value(self) -> BTreeSet<String> {
        self.iter().map(|s| (*s).to_owned()).collect()
    }
}

impl<E: Eq + Hash, S: BuildHasher + Default, const N: usize> IntoValue<HashSet<E, S>> for [E; N] {
    #[inline]
    fn into_value(self) -> HashSet<E, S> {
        self.into_iter().collect()
    }
}

impl<S: BuildHasher + Default, const N: usize> IntoValue<HashSet<String, S>> for [&str; N] {
    #[inline]
    fn into_value(self) -> HashSet<String, S> {
        self.iter().map(|s| (*s).to_owned()).collect()
    }
}

/// The three types a key attribute can have in DynamoDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarType {
    /// String (`S`).
    S,
    /// Number (`N`).
    N,
    /// Binary (`B`).
    B,
}

impl From<ScalarType> for ScalarAttributeType {
    fn from(value: ScalarType) -> Self {
        match value {
            ScalarType::S => ScalarAttributeType::S,
            ScalarType::N => ScalarAttributeType::N,
            ScalarType::B => ScalarAttributeType::B,
        }
    }
}

/// A type that can be a partition or sort key: stored as a string, number or binary.
///
/// Implement it (with [`ToAttribute`] and [`FromAttribute`]) for a newtype id to use it
/// as a key field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a DynamoDB key attribute",
    label = "key attributes must be a string, number or binary",
    note = "use String, an integer or float type or Vec<u8>, or implement `dynamo_model::KeyAttribute` for this type"
)]
pub trait KeyAttribute: ToAttribute + FromAttribute + Clone + Debug + PartialEq + Send + Sync {
    /// The key's DynamoDB type, used in the table's attribute definitions.
    const SCALAR: ScalarType;
}

/// A type that can be a member of a DynamoDB set (`SS`, `NS` or `BS`).
pub trait SetMember: Sized {
    /// Encodes the members as a set; `None` for no members, as DynamoDB has no empty sets.
    #[doc(hidden)]
    fn __encode_set<'a, I>(members: I, len: usize) -> Result<Option<AttributeValue>, EncodeError>
    where
        I: Iterator<Item = &'a Self>,
        Self: 'a;

    /// Decodes the members of a set.
    #[doc(hidden)]
    fn __decode_set(value: AttributeValue) -> Result<Vec<Self>, DecodeError>;
}

/// A short description of a value for decode errors: its DynamoDB type and, for
/// scalars, a prefix of its content.
pub(crate) fn describe(value: &AttributeValue) -> String {
    fn clip(s: &str) -> &str {
        match s.char_indices().nth(40) {
            Some((i, _)) => &s[..i],
            None => s,
        }
    }
    match value {
        AttributeValue::S(s) => format!("S {:?}", clip(s)),
        AttributeValue::N(n) => format!("N {}", clip(n)),
        AttributeValue::B(_) => "B".to_owned(),
        AttributeValue::Bool(b) => format!("BOOL {b}"),
        AttributeValue::Null(_) => "NULL".to_owned(),
        AttributeValue::L(_) => "L".to_owned(),
        AttributeValue::M(_) => "M".to_owned(),
        AttributeValue::Ss(_) => "SS".to_owned(),
        AttributeValue::Ns(_) => "NS".to_owned(),
        AttributeValue::Bs(_) => "BS".to_owned(),
        _ => "an attribute type unknown to this SDK version".to_owned(),
    }
}

// ---- strings ----

impl ToAttribute for str {
    #[inline]
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
        Ok(Some(AttributeValue::S(self.to_owned())))
    }
}

impl ToAttribute for String {
    #[inline]
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
        Ok(Some(AttributeValue::S(self.clone())))
    }
}

impl FromAttribute for String {
    const EXPECTED: &'static str = "string (S)";

    #[inline]
    fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError> {
        match value {
            AttributeValue::S(s) => Ok(s),
            other => Err(DecodeError::new(Self::EXPECTED, describe(&other))),
        }
    }
}

impl KeyAttribute for String {
    const SCALAR: ScalarType = ScalarType::S;
}

impl SetMember for String {
    fn __encode_set<'a, I>(members: I, len: usize) -> Result<Option<AttributeValue>, EncodeError>
    where
        I: Iterator<Item = &'a Self>,
    {
        if len == 0 {
            return Ok(None);
        }
        Ok(Some(AttributeValue::Ss(members.cloned().collect())))
    }

    fn __decode_set(value: AttributeValue) -> Result<Vec<Self>, DecodeError> {
        match value {
            AttributeValue::Ss(members) => Ok(members),
            other => Err(DecodeError::new("string set (SS)", describe(&other))),
        }
    }
}

impl<T: ToAttribute + ?Sized> ToAttribute for &T {
    #[inline]
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
        (**self).to_attribute()
    }

    #[inline]
    fn __validate(&self, errors: &mut Vec<crate::FieldError>, path: &str) {
        (**self).__validate(errors, path);
    }
}

// ---- bool ----

impl ToAttribute for bool {
    #[inline]
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
        Ok(Some(AttributeValue::Bool(*self)))
    }
}

impl FromAttribute for bool {
    const EXPECTED: &'static str = "boolean (BOOL)";

    #[inline]
    fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError> {
        match value {
            AttributeValue::Bool(b) => Ok(b),
            other => Err(DecodeError::new(Self::EXPECTED, describe(&other))),
        }
    }
}

// ---- numbers ----

/// Parses an `N` value, with the type's own range in the error.
#[inline]
fn number_text(value: AttributeValue, expected: &'static str) -> Result<String, DecodeError> {
    match value {
        AttributeValue::N(n) => Ok(n),
        other => Err(DecodeError::new(expected, describe(&other))),
    }
}

fn encode_number_set<'a, T, I>(members: I, len: usize) -> Result<Option<AttributeValue>, EncodeError>
where
    T: ToAttribute + 'a,
    I: Iterator<Item = &'a T>,
{
    if len == 0 {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(len);
    for member in members {
        if let Some(AttributeValue::N(n)) = member.to_attribute()? {
            out.push(n);
        }
    }
    Ok(Some(AttributeValue::Ns(out)))
}

fn decode_number_set<T: FromAttribute>(value: AttributeValue) -> Result<Vec<T>, DecodeError> {
    match value {
        AttributeValue::Ns(members) => members.into_iter().map(|n| T::from_attribute(AttributeValue::N(n))).collect(),
        other => Err(DecodeError::new("number set (NS)", describe(&other))),
    }
}

/// Integers of at most 64 bits always fit DynamoDB's 38 significant digits.
macro_rules! small_integers {
    ($($t:ty => $expected:literal),* $(,)?) => {$(
        impl ToAttribute for $t {
            #[inline]
            fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
                Ok(Some(AttributeValue::N(itoa::Buffer::new().format(*self).to_owned())))
            }
        }

        impl FromAttribute for $t {
            const EXPECTED: &'static str = $expected;


            #[inline]
            fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError> {
                let text = number_text(value, Self::EXPECTED)?;
                text.parse::<$t>().map_err(|_| DecodeError::new(Self::EXPECTED, format!("N {text}")))
            }
        }

        impl KeyAttribute for $t {
            const SCALAR: ScalarType = ScalarType::N;
        }

        impl SetMember for $t {
            fn __encode_set<'a, I>(members: I, len: usize) -> Result<Option<AttributeValue>, EncodeError>
            where
                I: Iterator<Item = &'a Self>,
            {
                encode_number_set(members, len)
            }

            fn __decode_set(value: AttributeValue) -> Result<Vec<Self>, DecodeError> {
                decode_number_set(value)
            }
        }
    )*};
}

small_integers! {
    i8 => "integer from -128 to 127",
    i16 => "integer from -32768 to 32767",
    i32 => "integer from -2147483648 to 2147483647",
    i64 => "integer from -9223372036854775808 to 9223372036854775807",
    isize => "integer in the range of isize",
    u16 => "integer from 0 to 65535",
    u32 => "integer from 0 to 4294967295",
    u64 => "integer from 0 to 18446744073709551615",
    usize => "integer in the range of usize",
}

// `u8` is written out because it also decides what `Vec<u8>` is: bytes, not a list.
impl ToAttribute for u8 {
    #[inline]
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
        Ok(Some(AttributeValue::N(itoa::Buffer::new().format(*self).to_owned())))
    }

    #[inline]
    fn __vec_to_attribute(items: &[Self]) -> Result<Option<AttributeValue>, EncodeError> {
        Ok(Some(AttributeValue::B(Blob::new(items))))
    }
}

impl FromAttribute for u8 {
    const EXPECTED: &'static str = "integer from 0 to 255";

    #[inline]
    fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError> {
        let text = number_text(value, Self::EXPECTED)?;
        text.parse::<u8>().map_err(|_| DecodeError::new(Self::EXPECTED, format!("N {text}")))
    }

    #[inline]
    fn __vec_from_attribute(value: AttributeValue) -> Result<Vec<Self>, DecodeError> {
        match value {
            AttributeValue::B(blob) => Ok(blob.into_inner()),
            other => Err(DecodeError::new("binary (B)", describe(&other))),
        }
    }
}

impl KeyAttribute for u8 {
    const SCALAR: ScalarType = ScalarType::N;
}

impl SetMember for u8 {
    fn __encode_set<'a, I>(members: I, len: usize) -> Result<Option<AttributeValue>, EncodeError>
    where
        I: Iterator<Item = &'a Self>,
    {
        encode_number_set(members, len)
    }

    fn __decode_set(value: AttributeValue) -> Result<Vec<Self>, DecodeError> {
        decode_number_set(value)
    }
}

/// 128-bit integers can exceed DynamoDB's 38 significant digits.
const MAX_DIGITS_128: u128 = 10u128.pow(38);

macro_rules! wide_integers {
    ($($t:ty => $expected:literal),* $(,)?) => {$(
        impl ToAttribute for $t {
            #[inline]
            fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
                let mut buffer = itoa::Buffer::new();
                let text = buffer.format(*self);
                if self.unsigned_abs() >= MAX_DIGITS_128 {
                    return Err(EncodeError::new(InvalidReason::NumberOutOfRange { value: text.to_owned() }));
                }
                Ok(Some(AttributeValue::N(text.to_owned())))
            }
        }

        impl FromAttribute for $t {
            const EXPECTED: &'static str = $expected;


            #[inline]
            fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError> {
                let text = number_text(value, Self::EXPECTED)?;
                text.parse::<$t>().map_err(|_| DecodeError::new(Self::EXPECTED, format!("N {text}")))
            }
        }

        impl KeyAttribute for $t {
            const SCALAR: ScalarType = ScalarType::N;
        }

        impl SetMember for $t {
            fn __encode_set<'a, I>(members: I, len: usize) -> Result<Option<AttributeValue>, EncodeError>
            where
                I: Iterator<Item = &'a Self>,
            {
                encode_number_set(members, len)
            }

            fn __decode_set(value: AttributeValue) -> Result<Vec<Self>, DecodeError> {
                decode_number_set(value)
            }
        }
    )*};
}

/// `unsigned_abs` for `u128` itself, so one macro serves both widths.
trait UnsignedAbs {
    fn unsigned_abs(self) -> u128;
}

impl UnsignedAbs for u128 {
    fn unsigned_abs(self) -> u128 {
        self
    }
}

wide_integers! {
    i128 => "integer of at most 38 digits",
    u128 => "non-negative integer of at most 38 digits",
}

/// DynamoDB's number range: magnitude from 1E-130 to 9.99…E+125, or zero.
#[inline]
fn check_float(value: f64) -> Result<(), EncodeError> {
    if !value.is_finite() {
        return Err(EncodeError::new(InvalidReason::NonFiniteNumber));
    }
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-130..1e126).contains(&magnitude) {
        return Err(EncodeError::new(InvalidReason::NumberOutOfRange {
            value: ryu::Buffer::new().format_finite(value).to_owned(),
        }));
    }
    Ok(())
}

macro_rules! floats {
    ($($t:ty => $expected:literal),* $(,)?) => {$(
        impl ToAttribute for $t {
            #[inline]
            fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
                check_float(f64::from(*self))?;
                Ok(Some(AttributeValue::N(ryu::Buffer::new().format_finite(*self).to_owned())))
            }
        }

        impl FromAttribute for $t {
            const EXPECTED: &'static str = $expected;


            #[inline]
            fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError> {
                let text = number_text(value, Self::EXPECTED)?;
                match text.parse::<$t>() {
                    Ok(v) if v.is_finite() => Ok(v),
                    _ => Err(DecodeError::new(Self::EXPECTED, format!("N {text}"))),
                }
            }
        }

        impl KeyAttribute for $t {
            const SCALAR: ScalarType = ScalarType::N;
        }
    )*};
}

floats! {
    f32 => "number in the range of f32",
    f64 => "number in the range of f64",
}

// ---- binary ----

impl ToAttribute for Blob {
    #[inline]
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
        Ok(Some(AttributeValue::B(self.clone())))
    }
}

impl FromAttribute for Blob {
    const EXPECTED: &'static str = "binary (B)";

    #[inline]
    fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError> {
        match value {
            AttributeValue::B(b) => Ok(b),
            other => Err(DecodeError::new(Self::EXPECTED, describe(&other))),
        }
    }
}

impl KeyAttribute for Blob {
    const SCALAR: ScalarType = ScalarType::B;
}

impl KeyAttribute for Vec<u8> {
    const SCALAR: ScalarType = ScalarType::B;
}

fn encode_binary_set<'a, I>(members: I, len: usize) -> Result<Option<AttributeValue>, EncodeError>
where
    I: Iterator<Item = &'a [u8]>,
{
    if len == 0 {
        return Ok(None);
    }
    Ok(Some(AttributeValue::Bs(members.map(Blob::new).collect())))
}

fn decode_binary_set(value: AttributeValue) -> Result<Vec<Blob>, DecodeError> {
    match value {
        AttributeValue::Bs(members) => Ok(members),
        other => Err(DecodeError::new("binary set (BS)", describe(&other))),
    }
}

impl SetMember for Blob {
    fn __encode_set<'a, I>(members: I, len: usize) -> Result<Option<AttributeValue>, EncodeError>
    where
        I: Iterator<Item = &'a Self>,
    {
        encode_binary_set(members.map(Blob::as_ref), len)
    }

    fn __decode_set(value: AttributeValue) -> Result<Vec<Self>, DecodeError> {
        decode_binary_set(value)
    }
}

impl SetMember for Vec<u8> {
    fn __encode_set<'a, I>(members: I, len: usize) -> Result<Option<AttributeValue>, EncodeError>
    where
        I: Iterator<Item = &'a Self>,
    {
        encode_binary_set(members.map(Vec::as_slice), len)
    }

    fn __decode_set(value: AttributeValue) -> Result<Vec<Self>, DecodeError> {
        Ok(decode_binary_set(value)?.into_iter().map(Blob::into_inner).collect())
    }
}

// ---- containers ----

impl<T: ToAttribute> ToAttribute for Option<T> {
    const __WHOLE_RULE: bool = T::__WHOLE_RULE;

    /// `None` is nothing; `Some(x)` is `x`, unless `x` is itself stored as nothing or as
    /// `NULL` (`Some(None)`, `Some` of an empty set, `Some(AttributeValue::Null(true))`),
    /// which would read back as `None`: [`InvalidReason::Indistinct`].
    #[inline]
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
        match self {
            Some(value) => match value.to_attribute()? {
                // `NULL` reads back as `None` too.
                Some(AttributeValue::Null(true)) | None => Err(EncodeError::new(InvalidReason::Indistinct)),
                Some(encoded) => Ok(Some(encoded)),
            },
            None => Ok(None),
        }
    }

    #[inline]
    fn __validate(&self, errors: &mut Vec<crate::FieldError>, path: &str) {
        if let Some(value) = self {
            value.__validate(errors, path);
        }
    }
}

impl<T: FromAttribute> FromAttribute for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;

    #[inline]
    fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError> {
        match value {
            AttributeValue::Null(_) => Ok(None),
            other => T::from_attribute(other).map(Some),
        }
    }

    #[inline]
    fn from_missing() -> Result<Self, DecodeError> {
        Ok(None)
    }
}

impl<T: ToAttribute> ToAttribute for Vec<T> {
    #[inline]
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
        T::__vec_to_attribute(self)
    }

    #[inline]
    fn __validate(&self, errors: &mut Vec<crate::FieldError>, path: &str) {
        validate_elements(self, errors, path);
    }
}

impl<T: ToAttribute> ToAttribute for [T] {
    #[inline]
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
        T::__vec_to_attribute(self)
    }

    #[inline]
    fn __validate(&self, errors: &mut Vec<crate::FieldError>, path: &str) {
        validate_elements(self, errors, path);
    }
}

impl<T: FromAttribute> FromAttribute for Vec<T> {
    const EXPECTED: &'static str = "list (L)";

    #[inline]
    fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError> {
        T::__vec_from_attribute(value)
    }
}

/// Forwards `__validate` to each element, at `path[i]`.
///
/// The element reports under the empty path and only the errors it adds are then
/// prefixed: no path is built per element, so the loop over a list of plain values
/// (whose `__validate` does nothing) optimizes away.
fn validate_elements<T: ToAttribute>(items: &[T], errors: &mut Vec<crate::FieldError>, path: &str) {
    for (i, item) in items.iter().enumerate() {
        let before = errors.len();
        item.__validate(errors, "");
        prefix_new(errors, before, format_args!("{path}[{i}]"));
    }
}

/// Forwards `__validate` to each value of a map, at `path.key` (as in
/// [`validate_elements`], without building a path per entry).
fn validate_values<'a, V, I>(entries: I, errors: &mut Vec<crate::FieldError>, path: &str)
where
    V: ToAttribute + 'a,
    I: Iterator<Item = (&'a String, &'a V)>,
{
    for (key, value) in entries {
        let before = errors.len();
        value.__validate(errors, "");
        prefix_new(errors, before, format_args!("{path}.{key}"));
    }
}

/// Prefixes the attributes of the errors from `before` on with `prefix`.
#[inline]
fn prefix_new(errors: &mut [crate::FieldError], before: usize, prefix: std::fmt::Arguments<'_>) {
    for error in &mut errors[before..] {
        error.attribute = std::borrow::Cow::Owned(format!("{prefix}{}", error.attribute));
    }
}

fn encode_map<'a, V, I>(entries: I, len: usize) -> Result<Option<AttributeValue>, EncodeError>
where
    V: ToAttribute + 'a,
    I: Iterator<Item = (&'a String, &'a V)>,
{
    let mut map = HashMap::with_capacity(len);
    for (key, value) in entries {
        let encoded = value.to_attribute().map_err(|e| e.within(PathSegment::Key(key.clone())))?;
        // As in a list, a value stored as nothing (`None`, an empty set) is `NULL` in a
        // map: the entry reads back.
        map.insert(key.clone(), encoded.unwrap_or(AttributeValue::Null(true)));
    }
    Ok(Some(AttributeValue::M(map)))
}

fn decode_map<V, C>(value: AttributeValue) -> Result<C, DecodeError>
where
    V: FromAttribute,
    C: FromIterator<(String, V)>,
{
    match value {
        AttributeValue::M(map) => map
            .into_iter()
            .map(|(k, v)| match V::from_attribute(v) {
                Ok(v) => Ok((k, v)),
                Err(e) => Err(e.within(PathSegment::Key(k))),
            })
            .collect(),
        other => Err(DecodeError::new("map (M)", describe(&other))),
    }
}

impl<V: ToAttribute, S> ToAttribute for HashMap<String, V, S> {
    #[inline]
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
        encode_map(self.iter(), self.len())
    }

    #[inline]
    fn __validate(&self, errors: &mut Vec<crate::FieldError>, path: &str) {
        validate_values(self.iter(), errors, path);
    }
}

impl<V: FromAttribute, S: BuildHasher + Default> FromAttribute for HashMap<String, V, S> {
    const EXPECTED: &'static str = "map (M)";

    #[inline]
    fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError> {
        decode_map(value)
    }
}

impl<V: ToAttribute> ToAttribute for BTreeMap<String, V> {
    #[inline]
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
        encode_map(self.iter(), self.len())
    }

    #[inline]
    fn __validate(&self, errors: &mut Vec<crate::FieldError>, path: &str) {
        validate_values(self.iter(), errors, path);
    }
}

impl<V: FromAttribute> FromAttribute for BTreeMap<String, V> {
    const EXPECTED: &'static str = "map (M)";

    #[inline]
    fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError> {
        decode_map(value)
    }
}

impl<T: SetMember, S> ToAttribute for HashSet<T, S> {
    #[inline]
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
        T::__encode_set(self.iter(), self.len())
    }
}

impl<T: SetMember + Eq + Hash, S: BuildHasher + Default> FromAttribute for HashSet<T, S> {
    const EXPECTED: &'static str = "set (SS, NS or BS)";

    /// The members of a set; `NULL` (an empty set inside a list or map) is empty.
    #[inline]
    fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError> {
        match value {
            AttributeValue::Null(true) => Ok(Self::default()),
            value => Ok(T::__decode_set(value)?.into_iter().collect()),
        }
    }

    #[inline]
    fn from_missing() -> Result<Self, DecodeError> {
        Ok(Self::default())
    }
}

impl<T: SetMember> ToAttribute for BTreeSet<T> {
    #[inline]
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
        T::__encode_set(self.iter(), self.len())
    }
}

impl<T: SetMember + Ord> FromAttribute for BTreeSet<T> {
    const EXPECTED: &'static str = "set (SS, NS or BS)";

    /// The members of a set; `NULL` (an empty set inside a list or map) is empty.
    #[inline]
    fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError> {
        match value {
            AttributeValue::Null(true) => Ok(Self::default()),
            value => Ok(T::__decode_set(value)?.into_iter().collect()),
        }
    }

    #[inline]
    fn from_missing() -> Result<Self, DecodeError> {
        Ok(Self::new())
    }
}

impl ToAttribute for AttributeValue {
    #[inline]
    fn to_attribute(&self) -> Result<Option<AttributeValue>, EncodeError> {
        Ok(Some(self.clone()))
    }
}

impl FromAttribute for AttributeValue {
    const EXPECTED: &'static str = "any attribute value";

    #[inline]
    fn from_attribute(value: AttributeValue) -> Result<Self, DecodeError> {
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> AttributeValue {
        AttributeValue::N(text.to_owned())
    }

    #[test]
    fn integers_at_their_limits_round_trip() {
        assert_eq!(u64::MAX.to_attribute().unwrap(), Some(n("18446744073709551615")));
        assert_eq!(i64::from_attribute(n("-9223372036854775808")).unwrap(), i64::MIN);
        let big = 10i128.pow(38) - 1;
        assert_eq!(i128::from_attribute(big.to_attribute().unwrap().unwrap()).unwrap(), big);
    }

    #[test]
    fn integers_beyond_38_digits_are_rejected() {
        let err = i128::MAX.to_attribute().unwrap_err();
        assert!(matches!(err.reason(), InvalidReason::NumberOutOfRange { .. }));
        assert!((-(10i128.pow(38))).to_attribute().is_err());
        assert!(u128::MAX.to_attribute().is_err());
    }

    #[test]
    fn floats_outside_dynamodb_range_are_rejected() {
        assert_eq!(f64::NAN.to_attribute().unwrap_err().reason(), &InvalidReason::NonFiniteNumber);
        assert_eq!(f64::INFINITY.to_attribute().unwrap_err().reason(), &InvalidReason::NonFiniteNumber);
        assert!(1e126f64.to_attribute().is_err());
        assert!(1e-131f64.to_attribute().is_err());
        assert_eq!(0.0f64.to_attribute().unwrap(), Some(n("0.0")));
        assert!(9.99e125f64.to_attribute().is_ok());
        assert!(1e-130f64.to_attribute().is_ok());
    }

    #[test]
    fn out_of_range_numbers_are_decode_errors() {
        let err = u8::from_attribute(n("256")).unwrap_err();
        assert_eq!((err.expected(), err.found()), ("integer from 0 to 255", "N 256"));
        assert!(i32::from_attribute(n("1.5")).is_err());
        assert!(f32::from_attribute(n("1e39")).is_err());
        assert!(u32::from_attribute(AttributeValue::S("1".into())).is_err());
    }

    #[test]
    fn bytes_are_binary_and_other_vecs_are_lists() {
        assert_eq!(vec![1u8, 2].to_attribute().unwrap(), Some(AttributeValue::B(Blob::new(vec![1, 2]))));
        assert_eq!(vec![1u16].to_attribute().unwrap(), Some(AttributeValue::L(vec![n("1")])));
        assert_eq!(Vec::<u8>::from_attribute(AttributeValue::B(Blob::new(vec![7]))).unwrap(), vec![7]);
        assert!(Vec::<u8>::from_attribute(AttributeValue::L(vec![])).is_err());
    }

    #[test]
    fn empty_sets_and_none_store_nothing() {
        assert_eq!(HashSet::<String>::new().to_attribute().unwrap(), None);
        assert_eq!(BTreeSet::<i64>::new().to_attribute().unwrap(), None);
        assert_eq!(None::<i64>.to_attribute().unwrap(), None);
        assert_eq!(HashSet::<String>::from_missing().unwrap(), HashSet::new());
        assert_eq!(Option::<String>::from_missing().unwrap(), None);
        assert!(String::from_missing().is_err());
    }

    #[test]
    fn list_elements_name_their_index_in_errors() {
        let value = AttributeValue::L(vec![n("1"), AttributeValue::S("x".into())]);
        let err = Vec::<i64>::from_attribute(value).unwrap_err();
        assert_eq!(err.found(), "S \"x\"");
        let err = vec![1.0, f64::NAN].to_attribute().unwrap_err();
        assert_eq!(err.into_error("M", "xs").to_string(), "M.xs[1]: NaN and infinity cannot be stored in DynamoDB");
    }
}
