//! Typed attribute paths: which attribute of which model, holding which Rust type.
//!
//! `#[derive(Model)]` and `#[derive(Document)]` generate one associated constant per
//! field, named after the field in `SCREAMING_SNAKE_CASE`: `Order::TOTAL_CENTS` is a
//! `Path<Order, i64, _>`. A path knows how to encode values for its field (the same
//! way the field is stored), so conditions and updates can only be given values of the
//! field's type, and only combined with paths of the same model.
//!
//! The path of an `Option<T>` field has type `T`: DynamoDB has no `None`, only an
//! absent attribute, which `not_exists()` tests and `remove()` makes.
//!
//! ```
//! use dynamo_model::{Document, Model};
//!
//! #[derive(Document, Debug, Clone, PartialEq)]
//! struct Address { city: String, zip: String }
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! #[dynamo(table = "orders")]
//! struct Order {
//!     #[dynamo(hash_key)] id: String,
//!     address: Address,
//!     lines: Vec<Address>,
//!     totals: std::collections::HashMap<String, i64>,
//! }
//!
//! assert_eq!(Order::ADDRESS.then(Address::CITY).to_string(), "address.city");
//! assert_eq!(Order::LINES.index(2).then(Address::ZIP).to_string(), "lines[2].zip");
//! assert_eq!(Order::TOTALS.key("eur").to_string(), "totals.eur");
//! ```

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::EncodeError;
use crate::value::ToAttribute;

/// How a path encodes values of its type (the same way the field is stored).
pub type Encoder<T> = fn(&T) -> Result<Option<AttributeValue>, EncodeError>;

/// The field marker of a path that is not a top-level field (a nested path, a list
/// element or a map entry): such a path can never be a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nested {}

/// The sort-key field marker of a table or index without a sort key: no path has it, so
/// no condition is accepted as its sort-key condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoRangeField {}

/// The field marker of a model's `I`-th field; key conditions use it to accept only
/// the key attribute of the table or index queried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field<const I: usize> {}

/// One step of a path after its first attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// A map entry or a field of a nested document.
    Attr(Cow<'static, str>),
    /// A list element.
    Index(usize),
}

/// The untyped form of a path, as expressions hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathExpr {
    pub(crate) root: &'static str,
    pub(crate) tail: Vec<Segment>,
}

impl PathExpr {
    /// Whether one path is the other or lies inside it (DynamoDB rejects updates of
    /// both in one request).
    pub(crate) fn overlaps(&self, other: &PathExpr) -> bool {
        self.root == other.root && self.tail.iter().zip(&other.tail).all(|(a, b)| a == b)
    }
}

impl fmt::Display for PathExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.root)?;
        for segment in &self.tail {
            match segment {
                Segment::Attr(name) => write!(f, ".{name}")?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// A typed path to an attribute of model `M` holding a `T`. `F` marks top-level fields
/// (see [`Field`]); nested paths are [`Nested`].
pub struct Path<M, T, F = Nested> {
    pub(crate) expr: PathExpr,
    pub(crate) encode: Encoder<T>,
    marker: PhantomData<fn() -> (M, F)>,
}

impl<M, T, F> Path<M, T, F> {
    /// A top-level attribute. Used by the derive; `encode` is how the field is stored.
    pub const fn new(name: &'static str, encode: Encoder<T>) -> Self {
        Self { expr: PathExpr { root: name, tail: Vec::new() }, encode, marker: PhantomData }
    }

    /// The attribute name of the path's first step.
    pub fn root(&self) -> &'static str {
        self.expr.root
    }

    pub(crate) fn encode_value(&self, value: &T) -> Result<Option<AttributeValue>, EncodeError> {
        (self.encode)(value)
    }

    fn step<U>(&self, segment: Segment, encode: Encoder<U>) -> Path<M, U, Nested> {
        let mut expr = self.expr.clone();
        expr.tail.push(segment);
        Path { expr, encode, marker: PhantomData }
    }

    /// A field of the nested document this path holds.
    pub fn then<U, G>(&self, field: Path<T, U, G>) -> Path<M, U, Nested> {
        let mut expr = self.expr.clone();
        expr.tail.push(Segment::Attr(Cow::Borrowed(field.expr.root)));
        expr.tail.extend(field.expr.tail);
        Path { expr, encode: field.encode, marker: PhantomData }
    }
}

impl<M, E: ToAttribute, F> Path<M, Vec<E>, F> {
    /// The list element at `index`.
    pub fn index(&self, index: usize) -> Path<M, E, Nested> {
        self.step(Segment::Index(index), E::to_attribute)
    }
}

impl<M, V: ToAttribute, F, S> Path<M, HashMap<String, V, S>, F> {
    /// The map entry under `key`.
    pub fn key(&self, key: impl Into<String>) -> Path<M, V, Nested> {
        self.step(Segment::Attr(Cow::Owned(key.into())), V::to_attribute)
    }
}

impl<M, V: ToAttribute, F> Path<M, BTreeMap<String, V>, F> {
    /// The map entry under `key`.
    pub fn key(&self, key: impl Into<String>) -> Path<M, V, Nested> {
        self.step(Segment::Attr(Cow::Owned(key.into())), V::to_attribute)
    }
}

impl<M, T, F> Clone for Path<M, T, F> {
    fn clone(&self) -> Self {
        Self { expr: self.expr.clone(), encode: self.encode, marker: PhantomData }
    }
}

impl<M, T, F> fmt::Debug for Path<M, T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Path({})", self.expr)
    }
}

impl<M, T, F> fmt::Display for Path<M, T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.expr, f)
    }
}
