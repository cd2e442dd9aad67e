//! The one error type of the library.
//!
//! Every operation returns [`Result<T>`](crate::Result). Variants are what a caller
//! matches on: bad input ([`Error::Invalid`]), data that does not fit the model
//! ([`Error::Decode`]), a create that found an item ([`Error::AlreadyExists`]), a
//! missing table ([`Error::TableNotFound`]) and everything else DynamoDB or the network
//! said ([`Error::Service`]), with the SDK's error kept as the source.

use std::borrow::Cow;
use std::fmt;

/// Shorthand for `std::result::Result<T, dynamo_model::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in dynamo-model.
///
/// Three groups, by when they happen:
/// - before anything is sent: [`Error::Validation`] (the model's declared rules),
///   [`Error::Invalid`] (a value DynamoDB cannot store), [`Error::InvalidRequest`] (a
///   request DynamoDB would reject: limits, overlapping paths, page sizes…),
///   [`Error::Unprojected`] and [`Error::InvalidCursor`];
/// - from DynamoDB's answer, when a write did not happen: [`Error::ConditionFailed`],
///   [`Error::VersionConflict`], [`Error::AlreadyExists`], [`Error::NotFound`],
///   [`Error::PathNotFound`], [`Error::TableNotFound`], [`Error::Service`];
/// - from batches and transactions: [`Error::Action`] (one of their writes refused
///   before sending, by index), [`Error::InvalidTransaction`], [`Error::Batch`] (what a
///   batch did and did not do) and [`Error::TransactionCanceled`] (every action with its
///   reason);
/// - reading: [`Error::Decode`] (a stored item that does not fit the model).
///
/// A write DynamoDB applied never comes back as an `Err`.
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
/// assert!(!err.is_retryable());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value DynamoDB cannot store or compare (a number out of range, an empty key, an
    /// empty set, an empty attribute name…); found before any request was sent.
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
    /// failing field is listed. Found before any request was sent, except for the bounds
    /// of an `add`, which DynamoDB checks against the stored value (nothing is written
    /// then either).
    #[error("{model}: {}", FieldErrors(errors))]
    Validation {
        /// The model whose values were rejected.
        model: &'static str,
        /// Each failing field with its rule and a description of its value.
        errors: Vec<FieldError>,
    },
    /// A request DynamoDB would reject whatever the values: a page size of 0, two update
    /// actions on overlapping paths, an expression over DynamoDB's limits, a filter on a
    /// key attribute… Found before any request was sent.
    #[error("{model}: {reason}")]
    InvalidRequest {
        /// The model the request is for.
        model: &'static str,
        /// What DynamoDB would reject.
        reason: RequestReason,
    },
    /// A versioned write (`#[dynamo(version)]`) found another version than the one it
    /// expected: someone wrote the item since it was read. `current` is the item as
    /// stored now (`None` if it is gone). Nothing was written.
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
    /// The condition of a put, update or delete did not hold; nothing was written. `item`
    /// is the item as it was (DynamoDB returns it at no cost); decode it with
    /// [`Error::current_item`].
    #[error("{model}: the condition did not hold for the item in table `{table}`")]
    ConditionFailed {
        /// The model written.
        model: &'static str,
        /// The full table name, prefix included.
        table: String,
        /// The item as stored when the condition failed; `None` if there was none.
        item: Option<Box<crate::Item>>,
    },
    /// A write found an item of another model of the shared table under its key (its
    /// entity marker is not the model's); nothing was written.
    #[error("{model}: the key holds an item of another model ({found}) in table `{table}`")]
    WrongEntity {
        /// The model written.
        model: &'static str,
        /// The full table name, prefix included.
        table: String,
        /// The entity marker found.
        found: String,
        /// The item as stored.
        item: Box<crate::Item>,
    },
    /// An update (without `upsert`) found no item with its key; nothing was written.
    #[error("{model}: no item with this key in table `{table}`")]
    NotFound {
        /// The model updated.
        model: &'static str,
        /// The full table name, prefix included.
        table: String,
    },
    /// An update writes inside a map or list the stored item does not have (`address.city`
    /// without `address`), or reads an attribute it does not have (`set_from`, `plus`);
    /// nothing was written.
    #[error("{model}: the item in table `{table}` has no `{path}`, which the update needs")]
    PathNotFound {
        /// The model updated.
        model: &'static str,
        /// The full table name, prefix included.
        table: String,
        /// The path that does not exist.
        path: String,
        /// The item as stored; `None` if there was none.
        item: Option<Box<crate::Item>>,
    },
    /// A pagination cursor that this library did not make for this query or scan: from
    /// another table, index or partition, outside the sort-key condition, malformed, or
    /// (with a cursor key) not sealed with this `Db`'s key or changed since.
    #[error("invalid cursor: {reason}")]
    InvalidCursor {
        /// What is wrong with it.
        reason: String,
    },
    /// A query of an index, or a projection, that would leave fields of the result type
    /// without data: decode into a type with fewer fields instead.
    #[error("{model}: {source_name} does not project {missing:?}, which the result needs")]
    Unprojected {
        /// The model queried.
        model: &'static str,
        /// The index that lacks the attributes.
        source_name: String,
        /// The attributes the result type needs (or the selection names) and would not get.
        missing: Vec<String>,
    },
    /// A create-only put (`if_not_exists`) found an item with the same key; nothing was
    /// written.
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
    /// Any other error from DynamoDB or from the way to it (throttling, server errors,
    /// network, credentials, timeouts). [`Error::is_retryable`] says whether trying again
    /// may help.
    #[error("DynamoDB {operation} on `{table}` failed: {}", ServiceText { code: code.as_deref(), message })]
    Service {
        /// The DynamoDB operation, such as `PutItem`.
        operation: &'static str,
        /// The full table name, prefix included.
        table: String,
        /// DynamoDB's error code, such as `ValidationException` or
        /// `ProvisionedThroughputExceededException`; `None` when no answer came back.
        code: Option<String>,
        /// DynamoDB's message, or what went wrong on the way.
        message: String,
        /// Whether trying again may succeed: throttling, a server error (5xx), a
        /// transaction conflict, a network failure or a timeout.
        retryable: bool,
        /// The SDK's error.
        #[source]
        source: Box<aws_sdk_dynamodb::Error>,
    },
    /// A write whose outcome is unknown: it may or may not have been applied. An attempt
    /// of its request may have reached DynamoDB without DynamoDB's answer reaching the
    /// client (a timeout or a broken connection after sending, an unreadable response,
    /// or a server error, which DynamoDB documents as possibly applied), and no later
    /// attempt settled it: the last one failed the same way, or failed otherwise (a
    /// conditional write retried after it was applied fails its own condition, so that
    /// failure proves nothing). Never reported as success, nor as a failed condition. A
    /// delete retried that way and answered "no item" is unknown too (with
    /// [`Error::NotFound`] as its cause): the earlier attempt may have deleted one.
    ///
    /// Read the item to learn what happened before writing again. A transaction given a
    /// [`token`](crate::tx::Transaction::token) can be sent again as it was, with the
    /// same token: DynamoDB applies it at most once within ten minutes.
    #[error("DynamoDB {operation} on `{table}`: outcome unknown after {attempts} attempt(s), the write may have been applied: {cause}")]
    OutcomeUnknown {
        /// The DynamoDB operation, such as `PutItem`.
        operation: &'static str,
        /// The full table name, prefix included.
        table: String,
        /// Attempts made at the request (the SDK's retries included).
        attempts: u32,
        /// The last attempt's error: how the request failed on the way, or the answer a
        /// retry got.
        #[source]
        cause: Box<Error>,
    },
    /// One write of a batch or action of a transaction was refused before sending: the
    /// error it would have had alone, and its position (from 0) among the writes or
    /// actions given. Nothing of a transaction was sent; for a batch, see
    /// [`BatchError`](crate::batch::BatchError).
    #[error("action {index}: {error}")]
    Action {
        /// The position of the write or action.
        index: usize,
        /// Why it was refused.
        error: Box<Error>,
    },
    /// A transaction DynamoDB would reject as a whole (more than 100 actions, more than
    /// 4 MB, two actions on one item, none); found before sending.
    #[error("transaction: {reason}")]
    InvalidTransaction {
        /// What is wrong with it.
        reason: crate::tx::TransactionReason,
    },
    /// DynamoDB canceled a transaction: nothing of it was applied. Every action is
    /// listed with its reason (`None` for the actions that were not the cause); an
    /// action whose condition failed carries the error it would have had alone
    /// ([`Error::VersionConflict`], [`Error::AlreadyExists`], [`Error::NotFound`],
    /// [`Error::ConditionFailed`], …) and the item as stored.
    #[error("transaction canceled: {}", crate::tx::Reasons(actions))]
    TransactionCanceled {
        /// Every action of the transaction, in order.
        actions: Vec<crate::tx::CanceledAction>,
    },
    /// A batch stopped before doing all its work: why, what it did, and exactly the
    /// writes or keys it did not do. A batch never returns `Ok` with data missing.
    #[error("{0}")]
    Batch(Box<crate::batch::BatchError>),
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

/// `code: message`, or the message alone when there is no code.
struct ServiceText<'a> {
    code: Option<&'a str>,
    message: &'a str,
}

impl fmt::Display for ServiceText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) => write!(f, "{code}: {}", self.message),
            None => f.write_str(self.message),
        }
    }
}

impl Error {
    /// For [`Error::ConditionFailed`], [`Error::VersionConflict`], [`Error::PathNotFound`]
    /// and [`Error::WrongEntity`]: the item as stored when the write failed, decoded as `D`;
    /// `None` if there was none.
    pub fn current_item<D: crate::Document>(&self) -> Option<Result<D>> {
        match self {
            Error::ConditionFailed { item: Some(item), .. }
            | Error::VersionConflict { current: Some(item), .. }
            | Error::PathNotFound { item: Some(item), .. }
            | Error::WrongEntity { item, .. } => Some(D::from_item((**item).clone())),
            _ => None,
        }
    }

    /// Whether the same request may succeed if sent again: throttling, a server error
    /// (5xx), a transaction conflict, a network failure or a timeout. Everything found
    /// before sending, failed conditions and decode errors are not retryable, nor is
    /// [`Error::OutcomeUnknown`]: a write that may have been applied needs a read before
    /// it is sent again.
    ///
    /// ```
    /// let err = dynamo_model::Error::NotFound { model: "Order", table: "orders".into() };
    /// assert!(!err.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Service { retryable, .. } => *retryable,
            Error::TransactionCanceled { actions } => crate::tx::retryable(actions),
            Error::Batch(batch) => match &batch.cause {
                crate::batch::BatchCause::RetriesExhausted { .. } => true,
                // A batch's puts and deletes are safe to send again, applied or not.
                crate::batch::BatchCause::Failed(error) => match &**error {
                    Error::OutcomeUnknown { cause, .. } => cause.is_retryable(),
                    error => error.is_retryable(),
                },
                crate::batch::BatchCause::Refused(_) => false,
            },
            _ => false,
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

/// The rule a value breaks when DynamoDB cannot store or compare it.
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
    /// An `N` (or `NS` member) whose text is not a number DynamoDB reads.
    NotANumber {
        /// The text.
        value: String,
    },
    /// A key attribute (of the table or of an index) with an empty string or binary value.
    EmptyKey,
    /// A key attribute longer than DynamoDB allows (2048 bytes for a partition key,
    /// 1024 for a sort key).
    KeyTooLong {
        /// The value's size in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// A key attribute (of the table or of an index) of another type than its key schema.
    KeyType {
        /// The key's type: `S`, `N` or `B`.
        expected: &'static str,
        /// The type of the value given.
        found: String,
    },
    /// An item larger than DynamoDB's 400 KB, counted as DynamoDB counts it (see
    /// [`limits::item_size`](crate::limits::item_size)), with its entries in the table's
    /// local secondary indexes when it has any; the error's `attribute` is the item's
    /// largest attribute.
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
    /// A set with no members inside a value (a list element, a map entry, an update or
    /// condition operand): DynamoDB has no empty sets.
    EmptySet,
    /// `NULL` with the value `false`, which DynamoDB rejects.
    NullFalse,
    /// An attribute name or map key that is empty.
    EmptyName,
    /// An attribute name or map key longer than DynamoDB allows.
    NameTooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// Lists and maps nested deeper than DynamoDB allows.
    TooDeep {
        /// How deep the value nests.
        depth: usize,
        /// The deepest DynamoDB accepts.
        max: usize,
    },
    /// `None` or an empty set given as a value to compare with or to write in an
    /// update: DynamoDB has no such value (test absence with `not_exists()`, clear an
    /// attribute with `remove()`).
    EmptyValue,
    /// `Some(x)` where `x` is itself stored as nothing (`Some(None)`, `Some` of an empty
    /// set): it would read back as `None`.
    Indistinct,
    /// An `extra` attribute named like one of the struct's own attributes: it would read
    /// back into that field.
    DeclaredName,
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
            Self::NotANumber { value } => write!(f, "{value:?} is not a number DynamoDB reads"),
            Self::EmptyKey => f.write_str("a key attribute cannot be empty"),
            Self::KeyTooLong { len, max } => {
                write!(f, "key attribute is {len} bytes, DynamoDB allows at most {max}")
            }
            Self::KeyType { expected, found } => write!(f, "a key attribute of type {expected} cannot hold {found}"),
            Self::ItemTooLarge { size, max } => {
                write!(f, "item is {size} bytes, DynamoDB allows at most {max}; this is its largest attribute")
            }
            Self::DuplicateSetMember { member } => {
                write!(f, "set holds {member} twice; DynamoDB sets have unique members")
            }
            Self::EmptySet => f.write_str("an empty set cannot be stored in DynamoDB"),
            Self::NullFalse => f.write_str("NULL must be true in DynamoDB"),
            Self::EmptyName => f.write_str("attribute names and map keys cannot be empty"),
            Self::NameTooLong { len, max } => write!(f, "name is {len} bytes, DynamoDB allows at most {max}"),
            Self::TooDeep { depth, max } => {
                write!(f, "lists and maps nest {depth} deep, DynamoDB allows at most {max}")
            }
            Self::EmptyValue => f.write_str(
                "None or an empty set is no value in DynamoDB: use not_exists() to test for absence, remove() to clear",
            ),
            Self::Indistinct => f.write_str("Some of a value stored as nothing would read back as None"),
            Self::DeclaredName => {
                f.write_str("is one of the struct's own attributes, so it cannot be an extra attribute")
            }
            Self::Custom(message) => f.write_str(message),
        }
    }
}

/// What DynamoDB would reject in a request, whatever its values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestReason {
    /// `page_size(0)`: DynamoDB reads at least one item per request.
    PageSize,
    /// An update of a key attribute of the table: keys identify the item.
    KeyUpdate {
        /// The key attribute.
        attribute: String,
    },
    /// Two update actions on the same attribute, or one inside the other.
    OverlappingPaths {
        /// The later action's path.
        path: String,
        /// The earlier action's path.
        other: String,
    },
    /// A `SET` or `REMOVE` of a `#[dynamo(counter)]` attribute, which only `ADD` changes.
    CounterWrite {
        /// The counter.
        attribute: String,
    },
    /// A `REMOVE` of a field the model needs to read the item (not an `Option`, a set or
    /// a field with a default).
    RemoveRequired {
        /// The field's path.
        attribute: String,
    },
    /// An `IN` with no values, or more than DynamoDB allows.
    InOperands {
        /// The attribute compared.
        attribute: String,
        /// How many values were given.
        count: usize,
        /// The most DynamoDB accepts.
        max: usize,
    },
    /// `between(low, high)` with `low` above `high`.
    BetweenBounds {
        /// The attribute compared.
        attribute: String,
    },
    /// A query filter on a key attribute of the table or index queried: DynamoDB takes
    /// those only in the key condition.
    FilterOnKey {
        /// The key attribute.
        attribute: String,
    },
    /// A projection naming the same path twice, or a path and another inside it.
    OverlappingProjection {
        /// The later path.
        path: String,
        /// The earlier path.
        other: String,
    },
    /// A list path (an element, `append`, `contains`) on a `Vec<u8>`, which is stored
    /// as binary (`B`), not as a list.
    NotAList {
        /// The attribute.
        attribute: String,
    },
    /// An expression string longer than DynamoDB allows.
    ExpressionTooLong {
        /// Which expression: `condition`, `filter`, `key condition`, `update` or `projection`.
        expression: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// An expression whose size, with every name and value counted where it is used,
    /// is over DynamoDB's limit.
    ExpressionTooLarge {
        /// Which expression.
        expression: &'static str,
        /// Its size in bytes, as DynamoDB counts it.
        size: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// A list index beyond what DynamoDB reads (2,147,483,647).
    ListIndex {
        /// The path.
        attribute: String,
        /// The index.
        index: usize,
    },
    /// A comparison of an attribute with itself, which DynamoDB rejects.
    SelfComparison {
        /// The attribute.
        attribute: String,
    },
    /// An expression with more operators and functions than DynamoDB allows.
    TooManyOperators {
        /// Which expression.
        expression: &'static str,
        /// How many it has, as DynamoDB counts them.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// Expression attribute names and values larger in all than DynamoDB allows.
    SubstitutionsTooLarge {
        /// Their size in bytes, as DynamoDB counts it.
        size: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// A write of part of a field (an element, an entry, members, a field inside it), or
    /// an increment of a number, whose rules only its whole value can be checked against
    /// (`validate(with = f)`, `one_of`…): write the whole value with `set`.
    UncheckableRule {
        /// The field.
        attribute: String,
    },
    /// A path inside a field stored through `with` or `serde`, or a write of part of such
    /// a field (`add`, `append`, members of a set), or a test of a `with` field beyond
    /// equality (order, `size`, `begins_with`, `contains`): what is stored is the
    /// conversion's, which DynamoDB cannot see into. Write and compare the field whole.
    Converted {
        /// The field.
        attribute: String,
    },
    /// A comparison of two time fields stored in different units (`lt_path`, `eq_path`…):
    /// DynamoDB would compare seconds with milliseconds.
    TimeUnits {
        /// The field compared.
        attribute: String,
        /// The field it is compared with.
        other: String,
    },
    /// A copy (`set_from`) into a field stored differently from the source, or with rules
    /// or a `set` transform the copied value would skip.
    UncheckableCopy {
        /// The field written.
        attribute: String,
        /// The field copied.
        source: String,
    },
    /// A copy (`set_from`) into a key attribute of an index, whose value DynamoDB checks
    /// and the library cannot see.
    CopyIntoIndexKey {
        /// The index key.
        attribute: String,
    },
    /// An action on the `#[dynamo(version)]` attribute (`set`, `remove`, even `add`):
    /// updates add 1 to it, and nothing else changes it.
    VersionWrite {
        /// The version attribute.
        attribute: String,
    },
    /// `expect_version` on a model without a `#[dynamo(version)]` field.
    NoVersion,
    /// An upsert that would create an item the model cannot read: the fields the model
    /// needs that the update does not set.
    IncompleteUpsert {
        /// The fields.
        missing: Vec<&'static str>,
    },
    /// A put with a condition (a versioned model's) in a batch, which takes none.
    ConditionalBatchWrite,
    /// A write of an item already written in the same batch call, or read twice in one
    /// transaction.
    DuplicateItem {
        /// The position of the first write of it.
        first: usize,
    },
    /// A handle of another transaction's read.
    ForeignHandle,
    /// An update with no action in a transaction, which takes none: use a condition
    /// check for a condition alone.
    EmptyUpdate,
    /// An update that changes a field an index key template is built from, without
    /// giving every field of that template a plain value: the index key would go stale.
    StaleIndexKey {
        /// The index.
        index: &'static str,
        /// The index key attribute built by the template.
        key: &'static str,
        /// A field of the template the update does not give a value.
        field: String,
    },
}

impl RequestReason {
    /// The attribute (or path) the request is refused for, if it is about one.
    ///
    /// ```
    /// use dynamo_model::RequestReason;
    ///
    /// assert_eq!(RequestReason::KeyUpdate { attribute: "id".into() }.attribute(), Some("id"));
    /// assert_eq!(RequestReason::PageSize.attribute(), None);
    /// ```
    pub fn attribute(&self) -> Option<&str> {
        match self {
            Self::KeyUpdate { attribute }
            | Self::CounterWrite { attribute }
            | Self::RemoveRequired { attribute }
            | Self::InOperands { attribute, .. }
            | Self::BetweenBounds { attribute }
            | Self::FilterOnKey { attribute }
            | Self::NotAList { attribute }
            | Self::SelfComparison { attribute }
            | Self::ListIndex { attribute, .. }
            | Self::UncheckableRule { attribute }
            | Self::Converted { attribute }
            | Self::TimeUnits { attribute, .. }
            | Self::UncheckableCopy { attribute, .. }
            | Self::CopyIntoIndexKey { attribute }
            | Self::VersionWrite { attribute } => Some(attribute),
            Self::StaleIndexKey { field, .. } => Some(field),
            Self::OverlappingPaths { path, .. } | Self::OverlappingProjection { path, .. } => Some(path),
            Self::IncompleteUpsert { missing } => missing.first().copied(),
            Self::PageSize
            | Self::ConditionalBatchWrite
            | Self::DuplicateItem { .. }
            | Self::ForeignHandle
            | Self::EmptyUpdate
            | Self::NoVersion
            | Self::ExpressionTooLong { .. }
            | Self::ExpressionTooLarge { .. }
            | Self::TooManyOperators { .. }
            | Self::SubstitutionsTooLarge { .. } => None,
        }
    }
}

impl fmt::Display for RequestReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PageSize => f.write_str("page_size must be at least 1"),
            Self::StaleIndexKey { index, key, field } => write!(
                f,
                "the update changes a field of the key `{key}` of index `{index}` but gives no plain value to `{field}`, \
                 also in its template: set every field of the template, or none"
            ),
            Self::KeyUpdate { attribute } => {
                write!(f, "`{attribute}` is a key attribute and cannot be updated; write a new item instead")
            }
            Self::OverlappingPaths { path, other } => {
                write!(f, "`{path}` overlaps `{other}`, changed by the same update; DynamoDB rejects overlapping paths")
            }
            Self::CounterWrite { attribute } => {
                write!(f, "`{attribute}` is a counter: change it with add(), never set or remove")
            }
            Self::RemoveRequired { attribute } => {
                write!(f, "`{attribute}` cannot be removed: the model needs it to read the item")
            }
            Self::InOperands { attribute, count, max } => {
                write!(f, "IN on `{attribute}` takes 1 to {max} values, not {count}")
            }
            Self::BetweenBounds { attribute } => write!(f, "between on `{attribute}` has its low bound above its high one"),
            Self::FilterOnKey { attribute } => write!(
                f,
                "`{attribute}` is a key of the table or index queried: put it in the key condition (range), not the filter"
            ),
            Self::OverlappingProjection { path, other } => {
                write!(f, "the projection names `{path}` and `{other}`, which overlap")
            }
            Self::NotAList { attribute } => {
                write!(f, "`{attribute}` is binary (B): a Vec<u8> has no list elements")
            }
            Self::ExpressionTooLong { expression, len, max } => {
                write!(f, "the {expression} expression is {len} bytes, DynamoDB allows at most {max}")
            }
            Self::ExpressionTooLarge { expression, size, max } => write!(
                f,
                "the {expression} expression weighs {size} bytes with its names and values, DynamoDB allows at most {max}"
            ),
            Self::SelfComparison { attribute } => write!(f, "`{attribute}` is compared with itself"),
            Self::ListIndex { attribute, index } => {
                write!(f, "`{attribute}`: list index {index} is beyond the largest DynamoDB reads, 2147483647")
            }
            Self::TooManyOperators { expression, count, max } => {
                write!(f, "the {expression} expression has {count} operators and functions, DynamoDB allows at most {max}")
            }
            Self::SubstitutionsTooLarge { size, max } => {
                write!(f, "the expression attribute names and values are {size} bytes, DynamoDB allows at most {max}")
            }
            Self::UncheckableRule { attribute } => write!(
                f,
                "`{attribute}` has rules only its whole value can be checked against: write it whole with set()"
            ),
            Self::Converted { attribute } => write!(
                f,
                "`{attribute}` is stored through `with` or `serde`, which DynamoDB cannot see into: write it whole with set(), and compare it whole (a `with` field for equality only)"
            ),
            Self::TimeUnits { attribute, other } => write!(
                f,
                "`{attribute}` and `{other}` are times stored in different units: DynamoDB would compare seconds with milliseconds"
            ),
            Self::UncheckableCopy { attribute, source } => write!(
                f,
                "`{attribute}` cannot be copied from `{source}`: they are stored differently, or `{attribute}` has rules or a transform the copy would skip"
            ),
            Self::CopyIntoIndexKey { attribute } => {
                write!(f, "`{attribute}` is an index key: set it to a value, which the library can check, not from another attribute")
            }
            Self::VersionWrite { attribute } => {
                write!(f, "`{attribute}` is the version: every update adds 1 to it; no action of the update may change it")
            }
            Self::NoVersion => f.write_str("expect_version needs a #[dynamo(version)] field"),
            Self::IncompleteUpsert { missing } => write!(
                f,
                "an upsert could create an item without {missing:?}, which the model needs: set them, or give them defaults"
            ),
            Self::ConditionalBatchWrite => f.write_str(
                "BatchWriteItem takes no conditions: write a versioned item with put or in a transaction, or overwrite it on purpose",
            ),
            Self::DuplicateItem { first } => write!(f, "the same item as write {first}: one call writes an item once"),
            Self::ForeignHandle => f.write_str("the handle belongs to another transaction's read"),
            Self::EmptyUpdate => {
                f.write_str("an update in a transaction needs at least one action; a condition alone is a check()")
            }
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
        Error::Invalid { model, attribute: render_path(Cow::Borrowed(attribute), &path), reason }
    }

    /// As `into_error`, for an attribute (or path) known only at run time.
    #[cold]
    pub(crate) fn into_error_at(self, model: &'static str, attribute: &str) -> Error {
        let EncodeErrorInner { path, reason } = *self.0;
        Error::Invalid { model, attribute: render_path(Cow::Owned(attribute.to_owned()), &path), reason }
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
        Error::Decode { model, attribute: render_path(Cow::Borrowed(attribute), &path), expected, found }
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
fn render_path(attribute: Cow<'static, str>, path: &[PathSegment]) -> Cow<'static, str> {
    if path.is_empty() {
        return attribute;
    }
    let mut out = attribute.into_owned();
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
