//! Conditions: for `filter` on query and scan, and for conditional put, update and
//! delete. Built from typed paths, combined with `&`, `|`, `!` (or `and`, `or`, `not`).
//!
//! [`Condition::render`] shows a condition as a request would send it; each method of
//! [`Path`] that builds one has an example of what it renders.
//!
//! ```
//! use dynamo_model::Model;
//!
//! #[derive(Model, Debug, Clone)]
//! #[dynamo(table = "orders")]
//! struct Order {
//!     #[dynamo(hash_key)] id: String,
//!     status: String,
//!     total: i64,
//!     name: Option<String>,
//! }
//!
//! let condition = Order::TOTAL.gt(1000) & !Order::STATUS.eq("cancelled") | Order::NAME.not_exists();
//! let rendered = condition.render().unwrap();
//! assert_eq!(rendered.expression, "#n0 > :v0 AND NOT #n1 = :v1 OR attribute_not_exists(#n2)");
//! assert_eq!(rendered.names["#n1"], "status");
//! assert_eq!(rendered.values[":v0"].as_n().unwrap(), "1000");
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::ops::{BitAnd, BitOr, Not};

use aws_sdk_dynamodb::types::AttributeValue;

use super::path::{Path, PathExpr};
use crate::error::{EncodeError, InvalidReason, RequestReason};
use crate::value::{IntoValue, KeyAttribute};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparator {
    /// Whether `a op b` holds when `a` compares to `b` as `order`.
    pub(crate) fn accepts(self, order: std::cmp::Ordering) -> bool {
        match self {
            Comparator::Eq => order.is_eq(),
            Comparator::Ne => order.is_ne(),
            Comparator::Lt => order.is_lt(),
            Comparator::Le => order.is_le(),
            Comparator::Gt => order.is_gt(),
            Comparator::Ge => order.is_ge(),
        }
    }

    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "<>",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }
}

/// The DynamoDB type names [`Path::attribute_type`] tests for, sent as the string
/// DynamoDB names them by (`"S"`, `"BOOL"`, `"SS"`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
    /// Boolean.
    Bool,
    /// Null.
    Null,
    /// List.
    L,
    /// Map.
    M,
    /// String set.
    Ss,
    /// Number set.
    Ns,
    /// Binary set.
    Bs,
}

impl AttributeType {
    pub(crate) fn code(self) -> &'static str {
        match self {
            AttributeType::S => "S",
            AttributeType::N => "N",
            AttributeType::B => "B",
            AttributeType::Bool => "BOOL",
            AttributeType::Null => "NULL",
            AttributeType::L => "L",
            AttributeType::M => "M",
            AttributeType::Ss => "SS",
            AttributeType::Ns => "NS",
            AttributeType::Bs => "BS",
        }
    }
}

/// A value in an expression, encoded when the expression is built; an encoding error
/// is kept and reported, naming the attribute, before any request is sent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Value(AttributeValue),
    Path(PathExpr),
    Size(PathExpr),
    Invalid(Box<InvalidOperand>),
}

/// Why an operand cannot be sent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum InvalidOperand {
    /// A value DynamoDB cannot store or compare.
    Value { path: PathExpr, error: EncodeError },
    /// A request DynamoDB would reject whatever the value.
    Request(RequestReason),
}

impl Operand {
    /// The operand of an encoded value for `path`: `None` (no value) and anything
    /// DynamoDB would reject become an error reported before sending.
    pub(crate) fn encoded(path: &PathExpr, encoded: Result<Option<AttributeValue>, EncodeError>) -> Self {
        let checked = encoded.and_then(|value| {
            let value = value.ok_or_else(|| EncodeError::new(InvalidReason::EmptyValue))?;
            crate::compile::values::check_value_at(&value, path.tail.len())?;
            crate::compile::values::check_operand_size(&value)?;
            Ok(value)
        });
        match checked {
            Ok(value) => Operand::Value(value),
            Err(error) => Operand::Invalid(Box::new(InvalidOperand::Value { path: path.clone(), error })),
        }
    }

    /// An operand that makes its request invalid.
    pub(crate) fn invalid_request(reason: RequestReason) -> Self {
        Operand::Invalid(Box::new(InvalidOperand::Request(reason)))
    }
}

/// One node of a condition tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Compare { left: Operand, op: Comparator, right: Operand },
    Between { path: Operand, low: Operand, high: Operand },
    In { path: PathExpr, values: Vec<Operand> },
    BeginsWith { path: PathExpr, prefix: Operand },
    Contains { path: PathExpr, value: Operand },
    Exists(PathExpr),
    NotExists(PathExpr),
    Type { path: PathExpr, ty: AttributeType },
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
}

/// A condition that cannot be sent: rendering it is an
/// [`Error::InvalidRequest`](crate::Error::InvalidRequest) with `reason`.
fn refused(reason: RequestReason) -> Node {
    Node::Compare {
        left: Operand::invalid_request(reason),
        op: Comparator::Eq,
        right: Operand::Value(AttributeValue::Null(true)),
    }
}

impl Node {
    /// Every attribute path the condition reads.
    pub(crate) fn paths(&self) -> Vec<&PathExpr> {
        fn operand<'n>(operand: &'n Operand, out: &mut Vec<&'n PathExpr>) {
            if let Operand::Path(path) | Operand::Size(path) = operand {
                out.push(path);
            }
        }
        fn walk<'n>(node: &'n Node, out: &mut Vec<&'n PathExpr>) {
            match node {
                Node::Compare { left, right, .. } => {
                    operand(left, out);
                    operand(right, out);
                }
                Node::Between { path, low, high } => {
                    for side in [path, low, high] {
                        operand(side, out);
                    }
                }
                Node::In { path, .. }
                | Node::BeginsWith { path, .. }
                | Node::Contains { path, .. }
                | Node::Exists(path)
                | Node::NotExists(path)
                | Node::Type { path, .. } => out.push(path),
                Node::And(children) | Node::Or(children) => children.iter().for_each(|child| walk(child, out)),
                Node::Not(child) => walk(child, out),
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }

    /// Passes every value compared with a path through `check` (with that path), which
    /// may turn it into an invalid operand: how a key condition checks its key values.
    pub(crate) fn check_values(&mut self, check: impl Fn(&PathExpr, AttributeValue) -> Operand) {
        fn visit(node: &mut Node, check: &dyn Fn(&PathExpr, AttributeValue) -> Operand) {
            let replace = |path: &PathExpr, operand: &mut Operand| {
                if let Operand::Value(value) = operand {
                    *operand = check(path, value.clone());
                }
            };
            match node {
                Node::Compare { left: Operand::Path(path), right, .. } => replace(path, right),
                Node::Between { path: Operand::Path(path), low, high } => {
                    replace(path, low);
                    replace(path, high);
                }
                Node::BeginsWith { path, prefix } => replace(path, prefix),
                Node::And(children) | Node::Or(children) => children.iter_mut().for_each(|child| visit(child, check)),
                Node::Not(child) => visit(child, check),
                _ => {}
            }
        }
        visit(self, &check);
    }

    /// The children of `self` and `other` in order, flattening nodes of the kind being
    /// built (`same_kind`) so `a & b & c` is one `And` of three.
    fn combine(self, other: Node, same_kind: fn(&Node) -> bool) -> Vec<Node> {
        let mut children = Vec::new();
        for node in [self, other] {
            if !same_kind(&node) {
                children.push(node);
            } else if let Node::And(nested) | Node::Or(nested) = node {
                children.extend(nested);
            }
        }
        children
    }

    fn and(self, other: Node) -> Node {
        Node::And(self.combine(other, |node| matches!(node, Node::And(_))))
    }

    fn or(self, other: Node) -> Node {
        Node::Or(self.combine(other, |node| matches!(node, Node::Or(_))))
    }
}

/// A condition on items of model `M`: what `filter` (query, scan), `condition` (put,
/// update, delete) and [`Model::check`](crate::Model::check) take.
///
/// Built from the typed paths of `M` ([`Path::eq`], [`Path::exists`], [`Path::size`]…),
/// so a path of another model does not compile. Combine conditions with `&` (AND), `|`
/// (OR) and `!` (NOT), or the methods [`and`](Condition::and), [`or`](Condition::or) and
/// [`not`](Condition::not). The tree is rendered as written: parentheses are added where
/// DynamoDB's precedence (`NOT` before `AND` before `OR`) would read it otherwise, and
/// nowhere else.
///
/// ```
/// use dynamo_model::{AttributeValue, Model};
///
/// #[derive(Model, Debug, Clone)]
/// #[dynamo(table = "orders")]
/// struct Order {
///     #[dynamo(hash_key)] id: String,
///     status: String,
///     total: i64,
///     note: Option<String>,
/// }
///
/// let paid_and_big_or_noted = Order::STATUS.eq("paid") & (Order::TOTAL.gt(100) | Order::NOTE.exists());
/// let rendered = paid_and_big_or_noted.render()?;
/// assert_eq!(rendered.expression, "#n0 = :v0 AND (#n1 > :v1 OR attribute_exists(#n2))");
/// assert_eq!(rendered.names["#n0"], "status");
/// assert_eq!(rendered.names["#n1"], "total");
/// assert_eq!(rendered.names["#n2"], "note");
/// assert_eq!(rendered.values[":v0"], AttributeValue::S("paid".into()));
/// assert_eq!(rendered.values[":v1"], AttributeValue::N("100".into()));
///
/// // `!` of a group keeps its parentheses; a name used twice has one placeholder.
/// let neither = !(Order::STATUS.eq("paid") | Order::STATUS.eq("new"));
/// assert_eq!(neither.render()?.expression, "NOT (#n0 = :v0 OR #n0 = :v1)");
/// # Ok::<(), dynamo_model::Error>(())
/// ```
pub struct Condition<M> {
    pub(crate) node: Node,
    marker: PhantomData<fn() -> M>,
}

impl<M> Condition<M> {
    pub(crate) fn from_node(node: Node) -> Self {
        Self { node, marker: PhantomData }
    }

    /// Both conditions hold: `self AND other`, the same as `self & other`.
    ///
    /// ```
    /// use dynamo_model::expr::Condition;
    /// use dynamo_model::Model;
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, status: String, total: i64, note: Option<String> }
    ///
    /// // A comparison (`eq`, `lt`, `between`…) becomes a `Condition` with `from` or `into`.
    /// let condition = Condition::from(Order::STATUS.eq("paid")).and(Order::TOTAL.ge(10)).or(Order::NOTE.exists()).not();
    /// assert_eq!(condition.render()?.expression, "NOT (#n0 = :v0 AND #n1 >= :v1 OR attribute_exists(#n2))");
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn and(self, other: impl Into<Condition<M>>) -> Self {
        Self::from_node(self.node.and(other.into().node))
    }

    /// Either condition holds: `self OR other`, the same as `self | other`.
    pub fn or(self, other: impl Into<Condition<M>>) -> Self {
        Self::from_node(self.node.or(other.into().node))
    }

    /// The condition does not hold: `NOT self`, the same as `!self`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Self {
        Self::from_node(Node::Not(Box::new(self.node)))
    }
}

impl<M: crate::Document> Condition<M> {
    /// Renders the condition on its own, as a request would send it: for inspection
    /// and tests.
    ///
    /// Every attribute name becomes a `#nN` placeholder and every value a `:vN` one,
    /// numbered in the order they first appear; an equal name or value used twice gets
    /// one placeholder. A request renders all of its expressions with one allocator, so
    /// in a request the numbers run on across its key condition, filter, condition,
    /// update and projection (see [`Expressions`](crate::compile::Expressions)).
    ///
    /// # Errors
    ///
    /// What the request would be refused for before sending: a value DynamoDB cannot
    /// store ([`Error::Invalid`](crate::Error::Invalid)) or a condition DynamoDB would
    /// reject whatever the item ([`Error::InvalidRequest`](crate::Error::InvalidRequest)),
    /// such as an `IN` of no values or a `between` whose bounds are reversed.
    ///
    /// ```
    /// use dynamo_model::expr::Condition;
    /// use dynamo_model::{AttributeValue, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, status: String, note: Option<String> }
    ///
    /// let rendered = (Order::STATUS.eq("draft") | Order::NOTE.eq("draft")).render()?;
    /// assert_eq!(rendered.expression, "#n0 = :v0 OR #n1 = :v0");
    /// assert_eq!(rendered.names.len(), 2);
    /// assert_eq!(rendered.values.len(), 1); // one value, one placeholder
    /// assert_eq!(rendered.values[":v0"], AttributeValue::S("draft".into()));
    ///
    /// let nothing: Vec<String> = Vec::new();
    /// let err = Order::STATUS.is_in(nothing).render().unwrap_err();
    /// assert_eq!(err.to_string(), "Order: IN on `status` takes 1 to 100 values, not 0");
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn render(&self) -> crate::Result<super::Rendered> {
        let mut renderer = super::Renderer::new(M::NAME);
        let expression = renderer.condition_string(&self.node)?;
        let (names, values) = renderer.finish();
        Ok(super::Rendered { expression, names: names.unwrap_or_default(), values: values.unwrap_or_default() })
    }
}

impl<M> Clone for Condition<M> {
    fn clone(&self) -> Self {
        Self::from_node(self.node.clone())
    }
}

impl<M> fmt::Debug for Condition<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Condition").field(&self.node).finish()
    }
}

impl<M, R: Into<Condition<M>>> BitAnd<R> for Condition<M> {
    type Output = Condition<M>;

    fn bitand(self, rhs: R) -> Condition<M> {
        self.and(rhs)
    }
}

impl<M, R: Into<Condition<M>>> BitOr<R> for Condition<M> {
    type Output = Condition<M>;

    fn bitor(self, rhs: R) -> Condition<M> {
        self.or(rhs)
    }
}

impl<M> Not for Condition<M> {
    type Output = Condition<M>;

    fn not(self) -> Condition<M> {
        Condition::not(self)
    }
}

/// A comparison of a top-level attribute marked `F` (`=`, `<`, `<=`, `>`, `>=`,
/// `BETWEEN`, `begins_with`): usable as a [`Condition`], and as the sort-key condition
/// of a query when `F` is the sort key of the table or index queried.
///
/// It combines with `&`, `|` and `!` into a [`Condition`]; for the methods `and`, `or`,
/// `not` and `render`, turn it into one first (`Condition::from(comparison)`, or
/// `.into()` where a `Condition` is expected).
///
/// ```
/// use dynamo_model::expr::Condition;
/// use dynamo_model::Model;
///
/// #[derive(Model, Debug, Clone)]
/// #[dynamo(table = "orders")]
/// struct Order { #[dynamo(hash_key)] customer: String, #[dynamo(range_key)] id: String, total: i64 }
///
/// # let db = dynamo_model::Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
/// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
/// // A comparison of the sort key is a query's key condition…
/// let query = Order::query(&db, "c1").range(Order::ID.ge("2026-"));
/// assert_eq!(query.compile()?.expressions.key_condition.as_deref(), Some("#n0 = :v0 AND #n1 >= :v1"));
/// // …and any comparison is a condition.
/// assert_eq!(Condition::from(Order::TOTAL.ge(10)).render()?.expression, "#n0 >= :v0");
/// # Ok::<(), dynamo_model::Error>(())
/// ```
pub struct KeyComparison<M, F> {
    pub(crate) node: Node,
    marker: PhantomData<fn() -> (M, F)>,
}

impl<M, F> KeyComparison<M, F> {
    fn new(node: Node) -> Self {
        Self { node, marker: PhantomData }
    }
}

impl<M, F> Clone for KeyComparison<M, F> {
    fn clone(&self) -> Self {
        Self::new(self.node.clone())
    }
}

impl<M, F> fmt::Debug for KeyComparison<M, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("KeyComparison").field(&self.node).finish()
    }
}

impl<M, F> From<KeyComparison<M, F>> for Condition<M> {
    fn from(value: KeyComparison<M, F>) -> Self {
        Condition::from_node(value.node)
    }
}

impl<M, F, R: Into<Condition<M>>> BitAnd<R> for KeyComparison<M, F> {
    type Output = Condition<M>;

    fn bitand(self, rhs: R) -> Condition<M> {
        Condition::from(self).and(rhs)
    }
}

impl<M, F, R: Into<Condition<M>>> BitOr<R> for KeyComparison<M, F> {
    type Output = Condition<M>;

    fn bitor(self, rhs: R) -> Condition<M> {
        Condition::from(self).or(rhs)
    }
}

impl<M, F> Not for KeyComparison<M, F> {
    type Output = Condition<M>;

    fn not(self) -> Condition<M> {
        Condition::from(self).not()
    }
}

/// What `contains` looks for in a value of type `Self`: a substring in a string, an
/// element in a list, a member in a set.
pub trait Containable: Sized {
    /// The type of what is looked for.
    type Needle;

    /// `Self` holding only `needle`, so that the field's codec (its `set` transform
    /// and encoding) applies to it as to a stored value.
    #[doc(hidden)]
    fn __wrap(needle: Self::Needle) -> Self;

    /// The needle back out of the encoded `__wrap`: the string itself, the one list
    /// element or set member; `None` if there is not exactly one.
    #[doc(hidden)]
    fn __unwrap(encoded: AttributeValue) -> Option<AttributeValue>;
}

impl Containable for String {
    type Needle = String;

    fn __wrap(needle: String) -> Self {
        needle
    }

    fn __unwrap(encoded: AttributeValue) -> Option<AttributeValue> {
        Some(encoded)
    }
}

/// The one element of an encoded list or set.
fn single(encoded: AttributeValue) -> Option<AttributeValue> {
    let mut elements: Vec<AttributeValue> = match encoded {
        AttributeValue::L(list) => list,
        AttributeValue::Ss(set) => set.into_iter().map(AttributeValue::S).collect(),
        AttributeValue::Ns(set) => set.into_iter().map(AttributeValue::N).collect(),
        AttributeValue::Bs(set) => set.into_iter().map(AttributeValue::B).collect(),
        _ => Vec::new(),
    };
    match (elements.pop(), elements.is_empty()) {
        (Some(element), true) => Some(element),
        _ => None,
    }
}

impl<E> Containable for Vec<E> {
    type Needle = E;

    fn __wrap(needle: E) -> Self {
        vec![needle]
    }

    fn __unwrap(encoded: AttributeValue) -> Option<AttributeValue> {
        single(encoded)
    }
}

impl<E: Eq + std::hash::Hash, S: std::hash::BuildHasher + Default> Containable for std::collections::HashSet<E, S> {
    type Needle = E;

    fn __wrap(needle: E) -> Self {
        std::iter::once(needle).collect()
    }

    fn __unwrap(encoded: AttributeValue) -> Option<AttributeValue> {
        single(encoded)
    }
}

impl<E: Ord> Containable for std::collections::BTreeSet<E> {
    type Needle = E;

    fn __wrap(needle: E) -> Self {
        std::iter::once(needle).collect()
    }

    fn __unwrap(encoded: AttributeValue) -> Option<AttributeValue> {
        single(encoded)
    }
}

/// Types whose values DynamoDB orders (`<`, `BETWEEN`): strings, numbers and binary,
/// the types of key attributes. Lists, maps, sets and booleans have no order.
#[diagnostic::on_unimplemented(
    message = "DynamoDB does not order values of `{Self}`",
    label = "`lt`, `le`, `gt`, `ge` and `between` need a string, number or binary",
    note = "compare lists, maps, sets and booleans with `eq` and `ne`"
)]
pub trait Ordered {}

impl<T: KeyAttribute> Ordered for T {}
impl Ordered for std::time::SystemTime {}
#[cfg(feature = "chrono")]
#[cfg_attr(docsrs, doc(cfg(feature = "chrono")))]
impl Ordered for chrono::DateTime<chrono::Utc> {}
#[cfg(feature = "time")]
#[cfg_attr(docsrs, doc(cfg(feature = "time")))]
impl Ordered for time::OffsetDateTime {}

/// Types `size()` is defined on in DynamoDB: strings, binary, lists, maps and sets.
#[diagnostic::on_unimplemented(
    message = "DynamoDB has no `size()` of `{Self}`",
    label = "`size()` needs a string, binary, list, map or set",
    note = "implement `dynamo_model::expr::HasSize` for a type stored as one of those"
)]
pub trait HasSize {}

impl HasSize for String {}
impl<T> HasSize for Vec<T> {}
impl HasSize for aws_sdk_dynamodb::primitives::Blob {}
impl<K, V, S> HasSize for std::collections::HashMap<K, V, S> {}
impl<K, V> HasSize for std::collections::BTreeMap<K, V> {}
impl<T, S> HasSize for std::collections::HashSet<T, S> {}
impl<T> HasSize for std::collections::BTreeSet<T> {}
impl HasSize for AttributeValue {}

impl<M, T, F> Path<M, T, F> {
    /// The operand of a value compared with this path: transformed and encoded as the
    /// field stores it.
    fn operand(&self, value: impl IntoValue<T>) -> Operand {
        Operand::encoded(&self.expr, self.encode_compared(&value.into_value()))
    }

    /// `node`, unless this path lies inside a field DynamoDB cannot see into: then a node
    /// that refuses the request.
    fn seen(&self, node: Node) -> Node {
        match self.unseen(false) {
            Some(reason) => refused(reason),
            None => node,
        }
    }

    /// `node`, for a test beyond equality: refused also on a field stored through `with`
    /// (and, for a test that orders values, through `serde`).
    fn seen_as(&self, ordered: bool, node: Node) -> Node {
        match self.unordered(ordered) {
            Some(reason) => refused(reason),
            None => node,
        }
    }

    fn key_compare(&self, op: Comparator, value: impl IntoValue<T>) -> KeyComparison<M, F> {
        let node = Node::Compare { left: Operand::Path(self.expr.clone()), op, right: self.operand(value) };
        KeyComparison::new(match op {
            Comparator::Eq | Comparator::Ne => self.seen(node),
            _ => self.seen_as(true, node),
        })
    }

    fn compare_path<G>(&self, op: Comparator, other: &Path<M, T, G>) -> Condition<M> {
        let node =
            Node::Compare { left: Operand::Path(self.expr.clone()), op, right: Operand::Path(other.expr.clone()) };
        let node = match op {
            Comparator::Eq | Comparator::Ne => other.seen(self.seen(node)),
            _ => other.seen_as(true, self.seen_as(true, node)),
        };
        Condition::from_node(match self.incomparable(other) {
            Some(reason) => refused(reason),
            None => node,
        })
    }

    /// `path = value`. The value has the field's type (or one of its spellings, see
    /// [`IntoValue`]) and is stored as the field stores it: through its `set` transform
    /// and encoding. On the sort key, it is also a query's key condition.
    ///
    /// ```
    /// use dynamo_model::expr::Condition;
    /// use dynamo_model::{AttributeValue, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, status: String, total: i64, note: Option<String> }
    ///
    /// let rendered = Condition::from(Order::STATUS.eq("paid")).render()?;
    /// assert_eq!(rendered.expression, "#n0 = :v0");
    /// assert_eq!(rendered.names["#n0"], "status");
    /// assert_eq!(rendered.values[":v0"], AttributeValue::S("paid".into()));
    ///
    /// // The path of an `Option<String>` field compares with a `String`.
    /// assert_eq!(Condition::from(Order::NOTE.eq("gift")).render()?.values[":v0"], AttributeValue::S("gift".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn eq(&self, value: impl IntoValue<T>) -> KeyComparison<M, F> {
        self.key_compare(Comparator::Eq, value)
    }

    /// `path <> value`. It also holds when the attribute is absent; add
    /// [`exists`](Path::exists) to require it.
    ///
    /// ```
    /// use dynamo_model::expr::Condition;
    /// use dynamo_model::{AttributeValue, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, status: String, total: i64, note: Option<String> }
    ///
    /// let rendered = Order::STATUS.ne("cancelled").render()?;
    /// assert_eq!(rendered.expression, "#n0 <> :v0");
    /// assert_eq!(rendered.values[":v0"], AttributeValue::S("cancelled".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn ne(&self, value: impl IntoValue<T>) -> Condition<M> {
        Condition::from_node(self.seen(Node::Compare {
            left: Operand::Path(self.expr.clone()),
            op: Comparator::Ne,
            right: self.operand(value),
        }))
    }

    /// `path IN (values…)`; DynamoDB takes 1 to 100 values (other counts are an
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest) before sending).
    ///
    /// ```
    /// use dynamo_model::expr::Condition;
    /// use dynamo_model::{AttributeValue, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, status: String, total: i64, note: Option<String> }
    ///
    /// let rendered = Order::STATUS.is_in(["paid", "shipped"]).render()?;
    /// assert_eq!(rendered.expression, "#n0 IN (:v0, :v1)");
    /// assert_eq!(rendered.values[":v0"], AttributeValue::S("paid".into()));
    /// assert_eq!(rendered.values[":v1"], AttributeValue::S("shipped".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn is_in<V: IntoValue<T>>(&self, values: impl IntoIterator<Item = V>) -> Condition<M> {
        Condition::from_node(
            self.seen(Node::In {
                path: self.expr.clone(),
                values: values.into_iter().map(|v| self.operand(v)).collect(),
            }),
        )
    }

    /// `path = other`, two attributes of the same item, of the same type and stored
    /// alike. A path compared with itself is an
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest) before sending.
    ///
    /// ```
    /// use dynamo_model::Model;
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "accounts")]
    /// struct Account { #[dynamo(hash_key)] id: String, billing_email: String, contact_email: String }
    ///
    /// let rendered = Account::BILLING_EMAIL.eq_path(&Account::CONTACT_EMAIL).render()?;
    /// assert_eq!(rendered.expression, "#n0 = #n1");
    /// assert_eq!(rendered.names["#n0"], "billing_email");
    /// assert_eq!(rendered.names["#n1"], "contact_email");
    /// assert!(rendered.values.is_empty());
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn eq_path<G>(&self, other: &Path<M, T, G>) -> Condition<M> {
        self.compare_path(Comparator::Eq, other)
    }

    /// `attribute_exists(path)`: the item has the attribute (a `Some` of an `Option`
    /// field, a non-empty set, a map entry under a key…).
    ///
    /// ```
    /// use dynamo_model::expr::Condition;
    /// use dynamo_model::{AttributeValue, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, status: String, total: i64, note: Option<String> }
    ///
    /// let rendered = Order::NOTE.exists().render()?;
    /// assert_eq!(rendered.expression, "attribute_exists(#n0)");
    /// assert_eq!(rendered.names["#n0"], "note");
    /// assert!(rendered.values.is_empty());
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn exists(&self) -> Condition<M> {
        Condition::from_node(self.seen(Node::Exists(self.expr.clone())))
    }

    /// `attribute_not_exists(path)`: the item lacks the attribute (`None`, an empty
    /// set, an absent map entry…). On a key attribute of a write's condition, it means
    /// no item is stored under the key.
    ///
    /// ```
    /// use dynamo_model::expr::Condition;
    /// use dynamo_model::{AttributeValue, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, status: String, total: i64, note: Option<String> }
    ///
    /// let rendered = Order::NOTE.not_exists().render()?;
    /// assert_eq!(rendered.expression, "attribute_not_exists(#n0)");
    /// assert_eq!(rendered.names["#n0"], "note");
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn not_exists(&self) -> Condition<M> {
        Condition::from_node(self.seen(Node::NotExists(self.expr.clone())))
    }

    /// `attribute_type(path, type)`: the attribute holds a value of that DynamoDB type.
    /// The type is sent as a value (`"S"`, `"N"`, `"BOOL"`…).
    ///
    /// ```
    /// use dynamo_model::expr::AttributeType;
    /// use dynamo_model::{AttributeValue, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "events")]
    /// struct Event { #[dynamo(hash_key)] id: String, payload: AttributeValue }
    ///
    /// let rendered = Event::PAYLOAD.attribute_type(AttributeType::M).render()?;
    /// assert_eq!(rendered.expression, "attribute_type(#n0, :v0)");
    /// assert_eq!(rendered.values[":v0"], AttributeValue::S("M".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn attribute_type(&self, ty: AttributeType) -> Condition<M> {
        Condition::from_node(self.seen_as(false, Node::Type { path: self.expr.clone(), ty }))
    }

    /// `size(path)`: the length of a string or binary, the element count of
    /// a list, map or set; compare it with `eq`, `gt`, … on the result ([`Size`]).
    /// Only types DynamoDB measures have it ([`HasSize`]).
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use dynamo_model::{AttributeValue, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, tags: BTreeSet<String>, history: Vec<String> }
    ///
    /// let rendered = (Order::TAGS.size().ge(2) & Order::HISTORY.size().lt(100)).render()?;
    /// assert_eq!(rendered.expression, "size(#n0) >= :v0 AND size(#n1) < :v1");
    /// assert_eq!(rendered.names["#n0"], "tags");
    /// assert_eq!(rendered.values[":v0"], AttributeValue::N("2".into()));
    /// assert_eq!(rendered.values[":v1"], AttributeValue::N("100".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn size(&self) -> Size<M>
    where
        T: HasSize,
    {
        Size { path: self.expr.clone(), refused: self.unordered(false), marker: PhantomData }
    }

    /// `contains(path, needle)`: a substring of a string, an element of a list, a member
    /// of a set. The needle has the element's type and goes through the field's `set`
    /// transform as a stored value would.
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use dynamo_model::{AttributeValue, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order {
    ///     #[dynamo(hash_key)] id: String,
    ///     title: String,
    ///     tags: BTreeSet<String>,
    ///     totals: Vec<i64>,
    /// }
    ///
    /// let rendered = (Order::TITLE.contains("gift") | Order::TAGS.contains("gift")).render()?;
    /// assert_eq!(rendered.expression, "contains(#n0, :v0) OR contains(#n1, :v0)");
    /// assert_eq!(rendered.values[":v0"], AttributeValue::S("gift".into())); // a member, not a set
    ///
    /// let rendered = Order::TOTALS.contains(7).render()?; // an element of a list
    /// assert_eq!(rendered.expression, "contains(#n0, :v0)");
    /// assert_eq!(rendered.values[":v0"], AttributeValue::N("7".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn contains(&self, needle: impl IntoValue<T::Needle>) -> Condition<M>
    where
        T: Containable,
    {
        let wrapped = T::__wrap(needle.into_value());
        let value = match self.encode(&wrapped) {
            Ok(Some(encoded)) => {
                // A `Vec<u8>` is binary: it has no elements to look for.
                let binary = matches!(encoded, AttributeValue::B(_));
                match T::__unwrap(encoded) {
                    Some(element) => Operand::encoded(&self.expr, Ok(Some(element))),
                    None if binary => {
                        Operand::invalid_request(RequestReason::NotAList { attribute: self.expr.to_string() })
                    }
                    None => Operand::encoded(
                        &self.expr,
                        Err(EncodeError::new(InvalidReason::Custom(
                            "the field's `set` transform turned one element into another number of elements".into(),
                        ))),
                    ),
                }
            }
            other => Operand::encoded(&self.expr, other),
        };
        Condition::from_node(self.seen_as(false, Node::Contains { path: self.expr.clone(), value }))
    }
}

impl<M, T, F> Path<M, T, F> {
    /// `path < value`. Only strings, numbers, binaries and times are ordered
    /// ([`Ordered`]); strings and binaries compare byte by byte. On the sort key, it is
    /// also a query's key condition.
    ///
    /// ```
    /// use dynamo_model::expr::Condition;
    /// use dynamo_model::{AttributeValue, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, status: String, total: i64, note: Option<String> }
    ///
    /// let rendered = Condition::from(Order::TOTAL.lt(1_000)).render()?;
    /// assert_eq!(rendered.expression, "#n0 < :v0");
    /// assert_eq!(rendered.values[":v0"], AttributeValue::N("1000".into()));
    ///
    /// let range = Order::TOTAL.gt(10) & Order::TOTAL.le(20);
    /// assert_eq!(range.render()?.expression, "#n0 > :v0 AND #n0 <= :v1");
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn lt(&self, value: impl IntoValue<T>) -> KeyComparison<M, F>
    where
        T: Ordered,
    {
        self.key_compare(Comparator::Lt, value)
    }

    /// `path <= value`
    pub fn le(&self, value: impl IntoValue<T>) -> KeyComparison<M, F>
    where
        T: Ordered,
    {
        self.key_compare(Comparator::Le, value)
    }

    /// `path > value`
    pub fn gt(&self, value: impl IntoValue<T>) -> KeyComparison<M, F>
    where
        T: Ordered,
    {
        self.key_compare(Comparator::Gt, value)
    }

    /// `path >= value`
    pub fn ge(&self, value: impl IntoValue<T>) -> KeyComparison<M, F>
    where
        T: Ordered,
    {
        self.key_compare(Comparator::Ge, value)
    }

    /// `path BETWEEN low AND high` (both ends included); `low` above `high` is an
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest) before sending. On the
    /// sort key, it is also a query's key condition.
    ///
    /// ```
    /// use dynamo_model::expr::Condition;
    /// use dynamo_model::{AttributeValue, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, status: String, total: i64, note: Option<String> }
    ///
    /// let rendered = Condition::from(Order::TOTAL.between(10, 20)).render()?;
    /// assert_eq!(rendered.expression, "#n0 BETWEEN :v0 AND :v1");
    /// assert_eq!(rendered.values[":v0"], AttributeValue::N("10".into()));
    /// assert_eq!(rendered.values[":v1"], AttributeValue::N("20".into()));
    ///
    /// let reversed = Condition::from(Order::TOTAL.between(20, 10)).render().unwrap_err();
    /// assert_eq!(reversed.to_string(), "Order: between on `total` has its low bound above its high one");
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn between(&self, low: impl IntoValue<T>, high: impl IntoValue<T>) -> KeyComparison<M, F>
    where
        T: Ordered,
    {
        KeyComparison::new(self.seen_as(
            true,
            Node::Between { path: Operand::Path(self.expr.clone()), low: self.operand(low), high: self.operand(high) },
        ))
    }

    /// `path < other`, two attributes of the same item.
    ///
    /// ```
    /// use dynamo_model::Model;
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "accounts")]
    /// struct Account { #[dynamo(hash_key)] id: String, used: i64, quota: i64 }
    ///
    /// assert_eq!(Account::USED.lt_path(&Account::QUOTA).render()?.expression, "#n0 < #n1");
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn lt_path<G>(&self, other: &Path<M, T, G>) -> Condition<M>
    where
        T: Ordered,
    {
        self.compare_path(Comparator::Lt, other)
    }

    /// `path > other`, two attributes of the same item.
    pub fn gt_path<G>(&self, other: &Path<M, T, G>) -> Condition<M>
    where
        T: Ordered,
    {
        self.compare_path(Comparator::Gt, other)
    }
}

impl<M, F> Path<M, String, F> {
    /// `begins_with(path, prefix)`: the string starts with `prefix`. On the sort key, it
    /// is also a query's key condition.
    ///
    /// ```
    /// use dynamo_model::expr::Condition;
    /// use dynamo_model::{AttributeValue, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, status: String, total: i64, note: Option<String> }
    ///
    /// let rendered = Condition::from(Order::STATUS.begins_with("ship")).render()?;
    /// assert_eq!(rendered.expression, "begins_with(#n0, :v0)");
    /// assert_eq!(rendered.values[":v0"], AttributeValue::S("ship".into()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn begins_with(&self, prefix: impl IntoValue<String>) -> KeyComparison<M, F> {
        KeyComparison::new(
            self.seen_as(true, Node::BeginsWith { path: self.expr.clone(), prefix: self.operand(prefix) }),
        )
    }
}

impl<M, F> Path<M, Vec<u8>, F> {
    /// `begins_with(path, prefix)` on a binary attribute.
    pub fn begins_with(&self, prefix: impl IntoValue<Vec<u8>>) -> KeyComparison<M, F> {
        KeyComparison::new(
            self.seen_as(true, Node::BeginsWith { path: self.expr.clone(), prefix: self.operand(prefix) }),
        )
    }
}

/// `size(path)` of an attribute, to compare with a number: made by [`Path::size`], which
/// has an example.
#[derive(Debug, Clone)]
pub struct Size<M> {
    path: PathExpr,
    refused: Option<RequestReason>,
    marker: PhantomData<fn() -> M>,
}

impl<M> Size<M> {
    fn compare(&self, op: Comparator, n: u64) -> Condition<M> {
        if let Some(reason) = &self.refused {
            return Condition::from_node(refused(reason.clone()));
        }
        Condition::from_node(Node::Compare {
            left: Operand::Size(self.path.clone()),
            op,
            right: Operand::Value(AttributeValue::N(itoa::Buffer::new().format(n).to_owned())),
        })
    }

    /// `size(path) = n`
    pub fn eq(&self, n: u64) -> Condition<M> {
        self.compare(Comparator::Eq, n)
    }

    /// `size(path) <> n`
    pub fn ne(&self, n: u64) -> Condition<M> {
        self.compare(Comparator::Ne, n)
    }

    /// `size(path) < n`
    pub fn lt(&self, n: u64) -> Condition<M> {
        self.compare(Comparator::Lt, n)
    }

    /// `size(path) <= n`
    pub fn le(&self, n: u64) -> Condition<M> {
        self.compare(Comparator::Le, n)
    }

    /// `size(path) > n`
    pub fn gt(&self, n: u64) -> Condition<M> {
        self.compare(Comparator::Gt, n)
    }

    /// `size(path) >= n`
    pub fn ge(&self, n: u64) -> Condition<M> {
        self.compare(Comparator::Ge, n)
    }
}
