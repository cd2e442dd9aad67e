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
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{EncodeError, FieldError, RequestReason};
use crate::value::ToAttribute;

/// How a path encodes values of its type (the same way the field is stored).
pub type Encoder<T> = fn(&T) -> Result<Option<AttributeValue>, EncodeError>;

/// A field's `min` and `max`, when it declares them.
pub type Bounds<T> = (Option<T>, Option<T>);

/// How the values of one field reach DynamoDB: its encoding, its `set` transform, its
/// declared rules and the bounds of its `min`/`max` rules. Every value a path is given
/// goes through its field's codec: compared values are transformed and encoded, written
/// values are also checked against the rules. Built by `#[derive(Model)]` and
/// `#[derive(Document)]`.
pub struct Codec<T> {
    encode: Encoder<T>,
    /// How a value compared with the stored one is encoded, when not as it is stored.
    compared: Option<Encoder<T>>,
    transform: Option<fn(&T) -> T>,
    rules: Option<fn(&T, &mut Vec<FieldError>)>,
    bounds: Option<fn() -> Bounds<T>>,
    required: bool,
    pub(crate) layout: Layout,
    pub(crate) parts: Parts,
}

/// How a field's values are stored, beyond their Rust type: a value copied from one
/// attribute to another (`set_from`) keeps its stored form, so both must share it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Through the type's own `ToAttribute`.
    Plain,
    /// Through `serde_dynamo` (`#[dynamo(serde)]`).
    Serde,
    /// Through a `with` module, named by its path.
    With(&'static str),
    /// As an epoch number in a unit (`created_at`, `updated_at`, `ttl`).
    Time(crate::TimeUnit),
}

/// What the library can check when a write changes part of a field's value (an element,
/// an entry, members) or copies into it, which the field's rules never see whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Parts {
    /// `validate(len(..))` and `non_empty`: kept by size conditions.
    pub(crate) len: (Option<usize>, Option<usize>),
    /// Rules only the whole value can be checked against (`with`, `one_of`, `regex`…).
    pub(crate) opaque: bool,
    /// Any declared rule or transform at all: a copied value would skip them.
    pub(crate) checked: bool,
}

impl<T> Codec<T> {
    /// A codec that encodes with `encode` and nothing more.
    pub const fn new(encode: Encoder<T>) -> Self {
        Self {
            encode,
            compared: None,
            transform: None,
            rules: None,
            bounds: None,
            required: false,
            layout: Layout::Plain,
            parts: Parts { len: (None, None), opaque: false, checked: false },
        }
    }

    /// How the field is stored, when not through its type's own `ToAttribute`.
    pub const fn layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// How values compared with the stored one are encoded (a time, exactly: the stored
    /// form drops the fraction of its unit).
    pub const fn compared(mut self, encode: Encoder<T>) -> Self {
        self.compared = Some(encode);
        self
    }

    /// The field's `validate(len(..))` (or `non_empty`: a `min` of 1), which writes of
    /// its elements, entries or members keep with size conditions.
    pub const fn len(mut self, min: Option<usize>, max: Option<usize>) -> Self {
        self.parts.len = (min, max);
        self.parts.checked = true;
        self
    }

    /// The field has rules only a whole value can be checked against: writes of its
    /// parts and copies into it are refused.
    pub const fn opaque(mut self) -> Self {
        self.parts.opaque = true;
        self.parts.checked = true;
        self
    }

    /// Applies `transform` (the field's `set`) to every value first.
    pub const fn transform(mut self, transform: fn(&T) -> T) -> Self {
        self.transform = Some(transform);
        self.parts.checked = true;
        self
    }

    /// Checks written values against `rules` (the field's `validate(...)`), which report
    /// under the field's own attribute name.
    pub const fn rules(mut self, rules: fn(&T, &mut Vec<FieldError>)) -> Self {
        self.rules = Some(rules);
        self
    }

    /// The field's `min` and `max`, which increments must keep.
    pub const fn bounds(mut self, bounds: fn() -> Bounds<T>) -> Self {
        self.bounds = Some(bounds);
        self.parts.checked = true;
        self
    }

    /// The model cannot read an item without this attribute: it may not be removed.
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Whether the attribute may not be removed.
    pub(crate) fn is_required(&self) -> bool {
        self.required
    }

    /// The value as it would be stored: transformed, then encoded.
    pub(crate) fn encode(&self, value: &T) -> Result<Option<AttributeValue>, EncodeError> {
        match self.transform {
            Some(transform) => (self.encode)(&transform(value)),
            None => (self.encode)(value),
        }
    }

    /// The value as it would be stored, after checking it against the field's rules:
    /// each broken rule is added to `errors`, named by `path`.
    pub(crate) fn encode_written(
        &self,
        value: &T,
        path: &PathExpr,
        errors: &mut Vec<FieldError>,
    ) -> Result<Option<AttributeValue>, EncodeError> {
        let transformed;
        let value = match self.transform {
            Some(transform) => {
                transformed = transform(value);
                &transformed
            }
            None => value,
        };
        if let Some(rules) = self.rules {
            let before = errors.len();
            rules(value, errors);
            path.reroot(&mut errors[before..]);
        }
        (self.encode)(value)
    }

    /// The field's `min` and `max`, transformed as values are.
    pub(crate) fn bounds_of(&self) -> Bounds<T> {
        match self.bounds {
            Some(bounds) => bounds(),
            None => (None, None),
        }
    }
}

impl<T> Clone for Codec<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Codec<T> {}

/// The rules of the documents inside a value of `T` (list elements, map values).
fn nested_rules<T: ToAttribute>(value: &T, errors: &mut Vec<FieldError>) {
    value.__validate(errors, "");
}

/// The field marker of a path that is not a top-level field (a nested path, a list
/// element or a map entry): such a path can never be a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nested {}

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
    /// An "element" of a `Vec<u8>`, which is binary, not a list: refused when rendered.
    ByteIndex(usize),
}

/// The untyped form of a path, as expressions hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathExpr {
    pub(crate) root: &'static str,
    pub(crate) tail: Vec<Segment>,
}

impl PathExpr {
    /// A top-level attribute.
    pub(crate) fn attribute(root: &'static str) -> Self {
        Self { root, tail: Vec::new() }
    }

    /// Whether one path is the other or lies inside it (DynamoDB rejects updates of
    /// both in one request).
    pub(crate) fn overlaps(&self, other: &PathExpr) -> bool {
        self.root == other.root && self.tail.iter().zip(&other.tail).all(|(a, b)| a == b)
    }

    /// The path this one lies directly inside, if it is not a top-level attribute.
    pub(crate) fn parent(&self) -> Option<PathExpr> {
        let (_, parent) = self.tail.split_last()?;
        Some(PathExpr { root: self.root, tail: parent.to_vec() })
    }

    /// The value at this path inside `item`, if there is one.
    pub(crate) fn lookup<'i>(&self, item: &'i crate::Item) -> Option<&'i AttributeValue> {
        let mut value = item.get(self.root)?;
        for segment in &self.tail {
            value = match (segment, value) {
                (Segment::Attr(name), AttributeValue::M(map)) => map.get(name.as_ref())?,
                (Segment::Index(i), AttributeValue::L(list)) => list.get(*i)?,
                _ => return None,
            };
        }
        Some(value)
    }

    /// Renames rule errors reported under a field's own name (its last step) after the
    /// whole path: `city` becomes `address.city`.
    fn reroot(&self, errors: &mut [FieldError]) {
        if errors.is_empty() {
            return;
        }
        let own = match self.tail.last() {
            Some(Segment::Attr(name)) => name.as_ref(),
            Some(Segment::Index(_) | Segment::ByteIndex(_)) => "",
            None => self.root,
        };
        let full = self.to_string();
        for error in errors {
            let rest = error.attribute.strip_prefix(own).unwrap_or(&error.attribute);
            error.attribute = Cow::Owned(format!("{full}{rest}"));
        }
    }
}

impl fmt::Display for PathExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.root)?;
        for segment in &self.tail {
            match segment {
                Segment::Attr(name) => write!(f, ".{name}")?,
                Segment::Index(i) | Segment::ByteIndex(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// The `set` transform of the list or map field a path's element or entry belongs to,
/// applied to the element or entry alone.
type Outer<T> = Arc<dyn Fn(&T) -> T + Send + Sync>;

/// A typed path to an attribute of model `M` holding a `T`. `F` marks top-level fields
/// (see [`Field`]); nested paths are [`Nested`].
///
/// `#[derive(Model)]` and `#[derive(Document)]` generate one per field, as an associated
/// constant named after it (`Order::TOTAL_CENTS`). Conditions are built from it
/// ([`eq`](Path::eq), [`between`](Path::between), [`exists`](Path::exists),
/// [`size`](Path::size)…), updates take it ([`Update::set`](crate::ops::Update::set),
/// [`add`](crate::ops::Update::add), [`remove`](crate::ops::Update::remove)…), and
/// [`then`](Path::then), [`index`](Path::index) and [`key`](Path::key) lead into a
/// nested document, a list element or a map entry. Its `Display` is the path as
/// DynamoDB documents write it (`address.city`, `lines[2]`); in requests every name in
/// it is a placeholder.
pub struct Path<M, T, F = Nested> {
    pub(crate) expr: PathExpr,
    pub(crate) codec: Codec<T>,
    outer: Option<Outer<T>>,
    /// For an element or entry: the list or map it lies in, and what that field's rules
    /// need of writes of its parts.
    pub(crate) container: Option<(PathExpr, Parts)>,
    /// The field stored through `with` or `serde` this path lies inside, if any: what is
    /// stored there is the conversion's, so the path names nothing DynamoDB can see.
    pub(crate) inside: Option<PathExpr>,
    /// The field with rules only its whole value can be checked against (`validate(with
    /// = f)`, `one_of`…) this path lies inside, if any: writes of the path are refused.
    pub(crate) ruled: Option<PathExpr>,
    marker: PhantomData<fn() -> (M, F)>,
}

impl<M, T, F> Path<M, T, F> {
    /// A top-level attribute. Used by the derive; `codec` is how the field is stored.
    pub const fn new(name: &'static str, codec: Codec<T>) -> Self {
        Self {
            expr: PathExpr { root: name, tail: Vec::new() },
            codec,
            outer: None,
            container: None,
            inside: None,
            ruled: None,
            marker: PhantomData,
        }
    }

    /// Whether the field is stored through `with` or `serde`, as DynamoDB cannot see into.
    pub(crate) fn converted(&self) -> bool {
        matches!(self.codec.layout, Layout::Serde | Layout::With(_))
    }

    /// Why a request may not name this path (or write it by parts): it lies inside a
    /// field stored through `with` or `serde`, or (`whole`: for writes of parts of its
    /// own value, by members or elements) is one.
    pub(crate) fn unseen(&self, whole: bool) -> Option<RequestReason> {
        let field = match &self.inside {
            Some(field) => field.clone(),
            None if whole && self.converted() => self.expr.clone(),
            None => return None,
        };
        Some(RequestReason::Converted { attribute: field.to_string() })
    }

    /// Why a test of this path's stored value beyond equality (order, size, prefix,
    /// substring, element) may not be sent: besides a path inside a converted field, a
    /// field stored through `with`, whose stored form sorts, measures and contains as
    /// the conversion makes it, not as its value does.
    /// `ordered`: the test orders values (`<`, `between`, `begins_with`), which a field
    /// stored through `serde` does not allow either (its stored type is serde's: a
    /// `Vec<u8>` is a list of numbers, a `SystemTime` a map).
    pub(crate) fn unordered(&self, ordered: bool) -> Option<RequestReason> {
        self.unseen(false).or_else(|| {
            let converted = match self.codec.layout {
                Layout::With(_) => true,
                Layout::Serde => ordered,
                Layout::Plain | Layout::Time(_) => false,
            };
            converted.then(|| RequestReason::Converted { attribute: self.expr.to_string() })
        })
    }

    /// Why this path may not be compared with `other`: a field stored through `with` or
    /// `serde` holds its conversion's form, which another layout's value never equals;
    /// times in seconds and in milliseconds are numbers a thousand times apart.
    pub(crate) fn incomparable<U, G>(&self, other: &Path<M, U, G>) -> Option<RequestReason> {
        let (mine, theirs) = (self.codec.layout, other.codec.layout);
        if mine == theirs {
            return None;
        }
        let converted = |layout| matches!(layout, Layout::With(_) | Layout::Serde);
        let field = if converted(mine) {
            &self.expr
        } else if converted(theirs) {
            &other.expr
        } else if let (Layout::Time(_), Layout::Time(_)) = (mine, theirs) {
            return Some(RequestReason::TimeUnits { attribute: self.expr.to_string(), other: other.expr.to_string() });
        } else {
            return None;
        };
        Some(RequestReason::Converted { attribute: field.to_string() })
    }

    /// The converted field a path made from this one lies inside.
    fn inside_for_child(&self) -> Option<PathExpr> {
        self.inside.clone().or_else(|| self.converted().then(|| self.expr.clone()))
    }

    /// The field with whole-value rules a path made from this one lies inside.
    fn ruled_for_child(&self) -> Option<PathExpr> {
        self.ruled.clone().or_else(|| self.codec.parts.opaque.then(|| self.expr.clone()))
    }

    /// Whether the `set` transform of a list or map applies to this path's values.
    pub(crate) fn has_outer(&self) -> bool {
        self.outer.is_some()
    }

    /// A value as this path stores it: through the `set` transform of the list or map it
    /// lies in, its field's transform, then its field's encoding.
    pub(crate) fn encode(&self, value: &T) -> Result<Option<AttributeValue>, EncodeError> {
        match &self.outer {
            Some(outer) => self.codec.encode(&outer(value)),
            None => self.codec.encode(value),
        }
    }

    /// A value compared with this path's stored one: as stored, but a time exactly.
    pub(crate) fn encode_compared(&self, value: &T) -> Result<Option<AttributeValue>, EncodeError> {
        match (&self.outer, self.codec.compared) {
            (None, Some(compared)) => compared(value),
            _ => self.encode(value),
        }
    }

    /// As [`Path::encode`], for a value written: checked against the field's rules too.
    pub(crate) fn encode_written(
        &self,
        value: &T,
        errors: &mut Vec<FieldError>,
    ) -> Result<Option<AttributeValue>, EncodeError> {
        match &self.outer {
            Some(outer) => self.codec.encode_written(&outer(value), &self.expr, errors),
            None => self.codec.encode_written(value, &self.expr, errors),
        }
    }

    /// The rules of the documents inside `value` (list elements, map values), as the
    /// field's `set` transform leaves them; errors are named after this path and the
    /// place in `value` (`list[0].score` for the first element appended). The field's own
    /// rules, such as `len`, hold for the whole field, not for `value`.
    pub(crate) fn nested_rules_of(&self, value: &T, errors: &mut Vec<FieldError>)
    where
        T: ToAttribute,
    {
        let transformed;
        let value = match self.codec.transform {
            Some(transform) => {
                transformed = transform(value);
                &transformed
            }
            None => value,
        };
        value.__validate(errors, &self.expr.to_string());
    }

    /// The attribute name of the path's first step.
    pub fn root(&self) -> &'static str {
        self.expr.root
    }

    /// The codec of the path's field, for the derive.
    #[doc(hidden)]
    pub const fn codec(&self) -> Codec<T> {
        self.codec
    }

    /// The path of an element or entry (`segment`) of this list or map; `outer` carries
    /// this field's `set` transform over to it.
    fn step<U: ToAttribute>(&self, segment: Segment, outer: Option<Outer<U>>) -> Path<M, U, Nested> {
        let mut expr = self.expr.clone();
        expr.tail.push(segment);
        let codec = Codec::new(element_encode::<U>).rules(nested_rules::<U>);
        let container = Some((self.expr.clone(), self.codec.parts));
        let (inside, ruled) = (self.inside_for_child(), self.ruled_for_child());
        Path { expr, codec, outer, container, inside, ruled, marker: PhantomData }
    }

    /// A field of the nested document this path holds. (Rules of this field that only
    /// its whole value can be checked against make writes inside it refused.)
    ///
    /// ```
    /// use dynamo_model::{AttributeValue, Document, Model};
    ///
    /// #[derive(Document, Debug, Clone, PartialEq)]
    /// struct Address { city: String, zip: String }
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, shipping: Address }
    ///
    /// let city = Order::SHIPPING.then(Address::CITY);
    /// assert_eq!(city.to_string(), "shipping.city");
    /// let rendered = city.ne("Porto").render()?;
    /// assert_eq!(rendered.expression, "#n0.#n1 <> :v0");
    /// assert_eq!(rendered.names["#n0"], "shipping");
    /// assert_eq!(rendered.names["#n1"], "city");
    /// assert_eq!(rendered.values[":v0"], AttributeValue::S("Porto".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn then<U, G>(&self, field: Path<T, U, G>) -> Path<M, U, Nested>
    where
        T: ToAttribute,
    {
        let mut expr = self.expr.clone();
        expr.tail.push(Segment::Attr(Cow::Borrowed(field.expr.root)));
        expr.tail.extend(field.expr.tail);
        // Writes inside a field whose rules need its whole value are refused; so are
        // writes inside an element of such a list or map.
        let opaque = |(path, parts): (PathExpr, Parts)| parts.opaque.then_some((path, parts));
        // `field` may itself be an element, an entry or a path inside a converted field
        // of the document (`DOC.then(Inner::LIST.index(0))`): what it knows of the list,
        // map or field it lies in, it knows relative to the document.
        let container = field
            .container
            .map(|(path, parts)| (self.rebase(path), parts))
            .or_else(|| opaque((self.expr.clone(), self.codec.parts)))
            .or_else(|| self.container.clone().and_then(opaque));
        let inside = self.inside_for_child().or_else(|| field.inside.map(|path| self.rebase(path)));
        // A document with its own `validate = f` is written whole, as a field with rules
        // only its whole value can be checked against.
        let ruled = self
            .ruled_for_child()
            .or_else(|| T::__WHOLE_RULE.then(|| self.expr.clone()))
            .or_else(|| field.ruled.map(|path| self.rebase(path)));
        Path { expr, codec: field.codec, outer: field.outer, container, inside, ruled, marker: PhantomData }
    }

    /// A path of the nested document this path holds, as a path of the model.
    fn rebase(&self, inner: PathExpr) -> PathExpr {
        let mut expr = self.expr.clone();
        expr.tail.push(Segment::Attr(Cow::Borrowed(inner.root)));
        expr.tail.extend(inner.tail);
        expr
    }
}

/// An element of a list or an entry of a map, stored as in a whole one: a value stored as
/// nothing (`None`, an empty set) is `NULL` there.
fn element_encode<U: ToAttribute>(value: &U) -> Result<Option<AttributeValue>, EncodeError> {
    Ok(Some(value.to_attribute()?.unwrap_or(AttributeValue::Null(true))))
}

impl<M, E: ToAttribute + Clone + 'static, F> Path<M, Vec<E>, F> {
    /// The list element at `index`. The list field's `set` transform applies to the
    /// element as it would inside the list. (A `Vec<u8>` is binary, not a list: a
    /// request using one of its "elements" is an
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest).)
    ///
    /// ```
    /// use dynamo_model::expr::Condition;
    /// use dynamo_model::{AttributeValue, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, history: Vec<String> }
    ///
    /// let rendered = Condition::from(Order::HISTORY.index(0).eq("created")).render()?;
    /// assert_eq!(rendered.expression, "#n0[0] = :v0"); // the index is written as it is
    /// assert_eq!(rendered.names["#n0"], "history");
    /// assert_eq!(rendered.values[":v0"], AttributeValue::S("created".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn index(&self, index: usize) -> Path<M, E, Nested> {
        let binary = matches!(E::__vec_to_attribute(&[]), Ok(Some(AttributeValue::B(_))));
        let segment = if binary { Segment::ByteIndex(index) } else { Segment::Index(index) };
        let outer = self.codec.transform.map(|transform| {
            Arc::new(move |element: &E| {
                let mut list = transform(&vec![element.clone()]);
                match (list.pop(), list.is_empty()) {
                    (Some(transformed), true) => transformed,
                    // A transform that changes the number of elements has no meaning
                    // for one of them.
                    _ => element.clone(),
                }
            }) as Outer<E>
        });
        self.step(segment, outer)
    }
}

impl<M, V, F, S> Path<M, HashMap<String, V, S>, F>
where
    V: ToAttribute + Clone + 'static,
    S: std::hash::BuildHasher + Default + 'static,
{
    /// The map entry under `key`. The map field's `set` transform applies to the entry as
    /// it would inside the map.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use dynamo_model::expr::Condition;
    /// use dynamo_model::{AttributeValue, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "products")]
    /// struct Product { #[dynamo(hash_key)] id: String, prices: HashMap<String, i64> }
    ///
    /// let rendered = Condition::from(Product::PRICES.key("eur").gt(100)).render()?;
    /// assert_eq!(rendered.expression, "#n0.#n1 > :v0"); // the key is a name placeholder too
    /// assert_eq!(rendered.names["#n0"], "prices");
    /// assert_eq!(rendered.names["#n1"], "eur");
    /// assert_eq!(rendered.values[":v0"], AttributeValue::N("100".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn key(&self, key: impl Into<String>) -> Path<M, V, Nested> {
        let key = key.into();
        let outer = self.codec.transform.map(|transform| {
            let key = key.clone();
            Arc::new(move |value: &V| {
                let mut map = HashMap::with_hasher(S::default());
                map.insert(key.clone(), value.clone());
                transform(&map).remove(&key).unwrap_or_else(|| value.clone())
            }) as Outer<V>
        });
        self.step(Segment::Attr(Cow::Owned(key)), outer)
    }
}

impl<M, V: ToAttribute + Clone + 'static, F> Path<M, BTreeMap<String, V>, F> {
    /// The map entry under `key`. The map field's `set` transform applies to the entry as
    /// it would inside the map.
    pub fn key(&self, key: impl Into<String>) -> Path<M, V, Nested> {
        let key = key.into();
        let outer = self.codec.transform.map(|transform| {
            let key = key.clone();
            Arc::new(move |value: &V| {
                let map = BTreeMap::from([(key.clone(), value.clone())]);
                transform(&map).remove(&key).unwrap_or_else(|| value.clone())
            }) as Outer<V>
        });
        self.step(Segment::Attr(Cow::Owned(key)), outer)
    }
}

impl<M, T, F> Clone for Path<M, T, F> {
    fn clone(&self) -> Self {
        Self {
            expr: self.expr.clone(),
            codec: self.codec,
            outer: self.outer.clone(),
            container: self.container.clone(),
            inside: self.inside.clone(),
            ruled: self.ruled.clone(),
            marker: PhantomData,
        }
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
