//! The one error type of the library.
//!
//! Every operation returns [`Result<T>`](crate::Result). Variants are what a caller
//! matches on: bad input ([`Error::Invalid`]), data that does not fit the model
//! ([`Error::Decode`]), a create that found an item ([`Error::AlreadyExists`]), a
//! missing table ([`Error::TableNotFound`]) and everything else DynamoDB or the network
//! said ([`Error::Service`]), with the SDK's error kept as the source.

use std::borrow::Cow;
use std::fmt;

use aws_sdk_dynamodb::error::SdkError;

/// Shorthand for `std::result::Result<T, dynamo_model::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in dynamo-model.
///
/// ```
/// use dynamo_model::{Error, InvalidReason};
///
/// fn describe(err: &Error) -> String {
///     match err {
///         Error::Invalid { attribute, reason, .. } => format!("fix `{attribute}`: {reason}"),
///         Error::Decode { attribute, .. } => format!("stored `{attribute}` does not fit"),
///         Error::AlreadyExists { .. } => "already there".to_owned(),
///         other => other.to_string(),
///     }
/// }
/// let err = Error::Invalid {
///     model: "Order",
///     attribute: "total".into(),
///     reason: InvalidReason::NonFiniteNumber,
/// };
/// assert_eq!(describe(&err), "fix `total`: NaN and infinity cannot be stored in DynamoDB");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input DynamoDB would reject (a value it cannot store, an update of a key
    /// attribute, overlapping update paths…); found before any request was sent.
    #[error("{model}.{attribute}: {reason}")]
    Invalid {
        /// The model (struct) whose value was rejected.
        model: &'static str,
        /// The attribute path, such as `total` or `tags[2]` or `address.city`.
        attribute: Cow<'static, str>,
        /// The rule the value breaks.
        reason: InvalidReason,
    },
    /// Values break the model's declared rules (`validate(...)`, `required`); every
    /// failing field is listed. Found before any request was sent.
    #[error("{model}: {}", FieldErrors(errors))]
    Validation {
        /// The model whose values were rejected.
        model: &'static str,
        /// Each failing field with its rule and a description of its value.
        errors: Vec<FieldError>,
    },
    /// A versioned write (`#[dynamo(version)]`) found another version than the one it
    /// expected: someone wrote the item since it was read. `current` is the item as
    /// stored now (`None` if it is gone).
    #[error("{model}: expected version {expected} of the item in table `{table}`, found another")]
    VersionConflict {
        /// The model written.
        model: &'static str,
        /// The full table name, prefix included.
        table: String,
        /// The version the write expected (0: the item must not exist).
        expected: u64,
        /// The item as stored now.
        current: Option<Box<crate::Item>>,
    },
    /// An item read from DynamoDB does not fit the model.
    #[error("{model}.{attribute}: expected {expected}, found {found}")]
    Decode {
        /// The model (struct) being decoded.
        model: &'static str,
        /// The attribute path, such as `total` or `tags[2]`.
        attribute: Cow<'static, str>,
        /// What the model expects there.
        expected: Cow<'static, str>,
        /// What the item holds there (`missing` when the attribute is absent).
        found: Cow<'static, str>,
    },
    /// The condition of a put, update or delete did not hold. `item` is the item as it
    /// was (DynamoDB returns it at no cost); decode it with [`Error::current_item`].
    #[error("{model}: the condition did not hold for the item in table `{table}`")]
    ConditionFailed {
        /// The model written.
        model: &'static str,
        /// The full table name, prefix included.
        table: String,
        /// The item as stored when the condition failed; `None` if there was none.
        item: Option<Box<crate::Item>>,
    },
    /// An update (without `upsert`) found no item with its key.
    #[error("{model}: no item with this key in table `{table}`")]
    NotFound {
        /// The model updated.
        model: &'static str,
        /// The full table name, prefix included.
        table: String,
    },
    /// A pagination cursor that this library did not make for this query or scan.
    #[error("invalid cursor: {reason}")]
    InvalidCursor {
        /// What is wrong with it.
        reason: String,
    },
    /// A query of an index, or a projection, that would leave fields of the result type
    /// without data: decode into a type with fewer fields instead.
    #[error("{model}: {source_name} does not project {missing:?}, which the result type needs")]
    Unprojected {
        /// The model queried.
        model: &'static str,
        /// The index (or "the projection") that lacks the attributes.
        source_name: String,
        /// The attributes the result type needs and would not get.
        missing: Vec<&'static str>,
    },
    /// A create-only put (`if_not_exists`) found an item with the same key.
    #[error("{model}: an item with this key already exists in table `{table}`")]
    AlreadyExists {
        /// The model written.
        model: &'static str,
        /// The full table name, prefix included.
        table: String,
    },
    /// The table does not exist (create it with `Model::create_table`).
    #[error("table `{table}` does not exist")]
    TableNotFound {
        /// The full table name, prefix included.
        table: String,
        /// The SDK's error.
        #[source]
        source: Box<aws_sdk_dynamodb::Error>,
    },
    /// A table did not become active (or go away) in time after create or delete.
    #[error("table `{table}` did not settle: {source}")]
    Wait {
        /// The full table name, prefix included.
        table: String,
        /// The SDK waiter's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Any other error from DynamoDB or from the way to it (network, credentials, timeouts).
    #[error("DynamoDB {operation} failed: {source}")]
    Service {
        /// The DynamoDB operation, such as `PutItem`.
        operation: &'static str,
        /// The SDK's error; match on it for throttling and other service errors.
        #[source]
        source: Box<aws_sdk_dynamodb::Error>,
    },
    /// The DynamoDB Local launcher could not start or reach DynamoDB Local.
    #[cfg(feature = "local")]
    #[error("DynamoDB Local: {message}")]
    Local {
        /// What went wrong and what to do about it.
        message: String,
        /// The underlying I/O error, if any.
        #[source]
        source: Option<std::io::Error>,
    },
}

impl Error {
    /// For [`Error::ConditionFailed`] and [`Error::VersionConflict`]: the item as stored
    /// when the write failed, decoded as `D`; `None` if there was none.
    pub fn current_item<D: crate::Document>(&self) -> Option<Result<D>> {
        match self {
            Error::ConditionFailed { item: Some(item), .. } | Error::VersionConflict { current: Some(item), .. } => {
                Some(D::from_item((**item).clone()))
            }
            _ => None,
        }
    }
}

/// One field that breaks one of the model's rules.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The attribute (or path) of the field.
    pub attribute: Cow<'static, str>,
    /// The rule it breaks.
    pub rule: Rule,
    /// A short description of the value (numbers and short strings in full).
    pub value: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {} (got {})", self.attribute, self.rule, self.value)
    }
}

struct FieldErrors<'a>(&'a [FieldError]);

impl fmt::Display for FieldErrors<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            fmt::Display::fmt(error, f)?;
        }
        Ok(())
    }
}

/// A validation rule declared on a field with `#[dynamo(validate(...))]`, or on the
/// model.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// `validate(min = ..)`: at least this number.
    Min(String),
    /// `validate(max = ..)`: at most this number.
    Max(String),
    /// `validate(len(min = .., max = ..))`: a length (characters of a string, elements
    /// of a collection) within these bounds.
    Length {
        /// The shortest allowed.
        min: Option<usize>,
        /// The longest allowed.
        max: Option<usize>,
    },
    /// `validate(regex = "..")`: matches the pattern.
    Pattern(&'static str),
    /// `validate(one_of = [..])`: one of these values.
    OneOf(Vec<String>),
    /// `validate(email)`: an email address.
    Email,
    /// `validate(non_empty)`: not empty.
    NonEmpty,
    /// `required`: an `Option` field that must be `Some` when written.
    Required,
    /// `validate(with = f)` or the model's `validate = f`: the function's message.
    Custom(String),
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Min(min) => write!(f, "must be at least {min}"),
            Rule::Max(max) => write!(f, "must be at most {max}"),
            Rule::Length { min: Some(min), max: Some(max) } => write!(f, "must have a length from {min} to {max}"),
            Rule::Length { min: Some(min), max: None } => write!(f, "must have a length of at least {min}"),
            Rule::Length { min: None, max: Some(max) } => write!(f, "must have a length of at most {max}"),
            Rule::Length { min: None, max: None } => f.write_str("has a length rule"),
            Rule::Pattern(pattern) => write!(f, "must match /{pattern}/"),
            Rule::OneOf(allowed) => write!(f, "must be one of {}", allowed.join(", ")),
            Rule::Email => f.write_str("must be an email address"),
            Rule::NonEmpty => f.write_str("must not be empty"),
            Rule::Required => f.write_str("is required"),
            Rule::Custom(message) => f.write_str(message),
        }
    }
}

/// The rule a value breaks when it cannot be written to DynamoDB.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidReason {
    /// `f32`/`f64` NaN or infinity.
    NonFiniteNumber,
    /// A number outside DynamoDB's range (1E-130 to 9.99…E+125 in magnitude) or with more
    /// than 38 significant digits.
    NumberOutOfRange {
        /// The number as text.
        value: String,
    },
    /// A key attribute with an empty string or binary value.
    EmptyKey,
    /// A key attribute longer than DynamoDB allows (2048 bytes for a partition key,
    /// 1024 for a sort key).
    KeyTooLong {
        /// The value's size in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// An item larger than DynamoDB's 400 KB, counted as DynamoDB counts it (see
    /// [`limits::item_size`](crate::limits::item_size)); the error's `attribute` is
    /// the item's largest attribute.
    ItemTooLarge {
        /// The item's size in bytes.
        size: usize,
        /// The limit in bytes ([`MAX_ITEM_SIZE`](crate::limits::MAX_ITEM_SIZE)).
        max: usize,
    },
    /// A set holding the same member twice (as DynamoDB compares them).
    DuplicateSetMember {
        /// The duplicated member as text.
        member: String,
    },
    /// An update of a key attribute: keys identify the item and cannot change.
    KeyUpdate,
    /// Two update actions on the same attribute, or one inside the other.
    OverlappingPaths {
        /// The path of the earlier action.
        other: String,
    },
    /// `page_size(0)`: DynamoDB reads at least one item per request.
    PageSize,
    /// Lists and maps nested deeper than DynamoDB allows.
    TooDeep {
        /// How deep the value nests.
        depth: usize,
        /// The deepest DynamoDB accepts.
        max: usize,
    },
    /// A `SET` or `REMOVE` of a `#[dynamo(counter)]` attribute, which only `ADD` changes.
    CounterWrite,
    /// An `IN` with no values, or more than DynamoDB allows.
    InOperands {
        /// How many values were given.
        count: usize,
        /// The most DynamoDB accepts.
        max: usize,
    },
    /// `None` or an empty set given as a value to compare with or to write in an
    /// update: DynamoDB has no such value (test absence with `not_exists()`, clear an
    /// attribute with `remove()`).
    EmptyValue,
    /// A value given to a condition or update breaks the field's declared rule.
    Rule {
        /// The rule.
        rule: Rule,
        /// A description of the value.
        value: String,
    },
    /// A custom rule from a `with` module or a serde field.
    Custom(String),
}

impl fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NonFiniteNumber => f.write_str("NaN and infinity cannot be stored in DynamoDB"),
            Self::NumberOutOfRange { value } => write!(
                f,
                "{value} cannot be stored in DynamoDB (at most 38 significant digits, magnitude 1E-130 to 9.99E+125)"
            ),
            Self::EmptyKey => f.write_str("a key attribute cannot be empty"),
            Self::KeyTooLong { len, max } => {
                write!(f, "key attribute is {len} bytes, DynamoDB allows at most {max}")
            }
            Self::ItemTooLarge { size, max } => {
                write!(f, "item is {size} bytes, DynamoDB allows at most {max}; this is its largest attribute")
            }
            Self::DuplicateSetMember { member } => {
                write!(f, "set holds {member} twice; DynamoDB sets have unique members")
            }
            Self::KeyUpdate => f.write_str("key attributes cannot be updated; write a new item instead"),
            Self::OverlappingPaths { other } => {
                write!(f, "overlaps `{other}`, changed by the same update; DynamoDB rejects overlapping paths")
            }
            Self::PageSize => f.write_str("must be at least 1"),
            Self::TooDeep { depth, max } => {
                write!(f, "lists and maps nest {depth} deep, DynamoDB allows at most {max}")
            }
            Self::CounterWrite => f.write_str("is a counter: change it with add(), never set or remove"),
            Self::InOperands { count, max } => write!(f, "IN takes 1 to {max} values, not {count}"),
            Self::EmptyValue => f.write_str(
                "None or an empty set is no value in DynamoDB: use not_exists() to test for absence, remove() to clear",
            ),
            Self::Rule { rule, value } => write!(f, "{rule} (got {value})"),
            Self::Custom(message) => f.write_str(message),
        }
    }
}

/// A value that cannot be encoded as an `AttributeValue`.
///
/// Returned by [`ToAttribute`](crate::ToAttribute) and by `with` modules; the model
/// turns it into [`Error::Invalid`] naming the attribute.
///
/// Boxed so that `Result<AttributeValue, EncodeError>` stays as small as the value:
/// encoding is on every write's hot path, errors are rare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError(Box<EncodeErrorInner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct EncodeErrorInner {
    path: Vec<PathSegment>,
    reason: InvalidReason,
}

impl EncodeError {
    /// A new error for the value itself.
    #[cold]
    pub fn new(reason: InvalidReason) -> Self {
        Self(Box::new(EncodeErrorInner { path: Vec::new(), reason }))
    }

    /// A custom rule, for `with` modules.
    pub fn custom(message: impl Into<String>) -> Self {
        Self::new(InvalidReason::Custom(message.into()))
    }

    /// Places the error inside a list element or map entry (used by container impls).
    #[must_use]
    pub fn within(mut self, segment: PathSegment) -> Self {
        self.0.path.push(segment);
        self
    }

    /// The rule the value breaks.
    pub fn reason(&self) -> &InvalidReason {
        &self.0.reason
    }

    #[cold]
    pub(crate) fn into_error(self, model: &'static str, attribute: &'static str) -> Error {
        let EncodeErrorInner { path, reason } = *self.0;
        Error::Invalid { model, attribute: render_path(attribute, &path), reason }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.reason, f)
    }
}

impl std::error::Error for EncodeError {}

/// An attribute value that does not decode into the Rust type asked for.
///
/// Returned by [`FromAttribute`](crate::FromAttribute) and by `with` modules; the model
/// turns it into [`Error::Decode`] naming the attribute.
///
/// Boxed, like [`EncodeError`], to keep decoding's `Result`s small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(Box<DecodeErrorInner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct DecodeErrorInner {
    path: Vec<PathSegment>,
    expected: Cow<'static, str>,
    found: Cow<'static, str>,
}

impl DecodeError {
    /// A value of the wrong kind or out of range: `expected` names what the type needs,
    /// `found` describes what was there.
    #[cold]
    pub fn new(expected: impl Into<Cow<'static, str>>, found: impl Into<Cow<'static, str>>) -> Self {
        Self(Box::new(DecodeErrorInner { path: Vec::new(), expected: expected.into(), found: found.into() }))
    }

    /// The attribute is absent.
    pub fn missing(expected: impl Into<Cow<'static, str>>) -> Self {
        Self::new(expected, "missing")
    }

    /// Places the error inside a list element or map entry (used by container impls).
    #[must_use]
    pub fn within(mut self, segment: PathSegment) -> Self {
        self.0.path.push(segment);
        self
    }

    /// What the type expected.
    pub fn expected(&self) -> &str {
        &self.0.expected
    }

    /// What was found.
    pub fn found(&self) -> &str {
        &self.0.found
    }

    #[cold]
    pub(crate) fn into_error(self, model: &'static str, attribute: &'static str) -> Error {
        let DecodeErrorInner { path, expected, found } = *self.0;
        Error::Decode { model, attribute: render_path(attribute, &path), expected, found }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}, found {}", self.0.expected, self.0.found)
    }
}

impl std::error::Error for DecodeError {}

/// One step inside a nested value, used to name where an encode or decode error is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// A list element.
    Index(usize),
    /// A map entry.
    Key(String),
}

/// Segments are pushed innermost first, so they render in reverse.
fn render_path(attribute: &'static str, path: &[PathSegment]) -> Cow<'static, str> {
    if path.is_empty() {
        return Cow::Borrowed(attribute);
    }
    let mut out = String::from(attribute);
    for segment in path.iter().rev() {
        match segment {
            PathSegment::Index(i) => {
                out.push('[');
                out.push_str(itoa::Buffer::new().format(*i));
                out.push(']');
            }
            PathSegment::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
        }
    }
    Cow::Owned(out)
}

/// Maps an SDK error to [`Error`]: by the service error's type, never by its message.
pub(crate) fn service_error<E, R>(operation: &'static str, table: &str, err: SdkError<E, R>) -> Error
where
    aws_sdk_dynamodb::Error: From<SdkError<E, R>>,
{
    let source = Box::new(aws_sdk_dynamodb::Error::from(err));
    match *source {
        aws_sdk_dynamodb::Error::ResourceNotFoundException(_) => {
            Error::TableNotFound { table: table.to_owned(), source }
        }
        _ => Error::Service { operation, source },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_paths_render_outermost_first() {
        let err =
            DecodeError::new("number", "S").within(PathSegment::Index(2)).within(PathSegment::Key("lines".into()));
        match err.into_error("Order", "doc") {
            Error::Decode { attribute, .. } => assert_eq!(attribute, "doc.lines[2]"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
