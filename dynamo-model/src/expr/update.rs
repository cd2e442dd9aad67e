//! Update expressions: `SET`, `REMOVE`, `ADD` and `DELETE` actions on typed paths.
//!
//! Paths may go into nested documents, list elements and map entries, so changing one
//! field of a map leaves its other fields alone. Two actions on overlapping paths, and
//! actions on key attributes, are rejected before anything is sent.

use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use super::condition::{Comparator, Node, Operand};
use super::path::{Layout, Parts, Path, PathExpr};
use super::render::Renderer;
use crate::compile::Guard;
use crate::error::{FieldError, RequestReason, Rule};
use crate::limits::Number;
use crate::value::{IntoValue, ToAttribute};
use crate::Result;

/// The value side of a `SET`: a value, another attribute, or arithmetic on them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SetValue {
    Operand(Operand),
    IfNotExists(PathExpr, Operand),
    Plus(Operand, Operand),
    Minus(Operand, Operand),
    /// `list_append(if_not_exists(path, :empty), :items)` or, prepending, the two swapped.
    Append {
        path: PathExpr,
        items: Operand,
        prepend: bool,
    },
}

/// One action of an update.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Action {
    Set(PathExpr, SetValue),
    Remove(PathExpr),
    Add(PathExpr, Operand),
    Delete(PathExpr, Operand),
}

impl Action {
    fn clause(&self) -> u8 {
        match self {
            Action::Set(..) => 0,
            Action::Remove(_) => 1,
            Action::Add(..) => 2,
            Action::Delete(..) => 3,
        }
    }

    fn path(&self) -> &PathExpr {
        match self {
            Action::Set(path, _) | Action::Remove(path) | Action::Add(path, _) | Action::Delete(path, _) => path,
        }
    }
}

/// Arithmetic for `SET path = a + b` / `a - b`, built from a path with
/// [`Path::plus`] / [`Path::minus`] and given to
/// [`Update::set_to`](crate::ops::Update::set_to).
#[derive(Debug, Clone)]
pub struct Arithmetic<M, T> {
    pub(crate) value: SetValue,
    /// The change to the source path's value, to keep the target's bounds.
    pub(crate) delta: Delta,
    marker: PhantomData<fn() -> (M, T)>,
}

/// `source + amount`, or `source - amount`, with `amount` as sent (through the field's
/// `set` transform): the bounds are kept for the number DynamoDB adds.
#[derive(Debug, Clone)]
pub(crate) struct Delta {
    pub(crate) source: PathExpr,
    pub(crate) amount: Operand,
    pub(crate) subtract: bool,
    /// How the source is stored, which the target must share.
    pub(crate) layout: Layout,
    /// Why the source cannot be read as a number, if it cannot.
    pub(crate) unseen: Option<RequestReason>,
}

/// Integers, the types `+`, `-` and `ADD` apply to. (Floats have none: DynamoDB adds in
/// exact decimal, and the sum of two floats can need more than the 38 digits it holds,
/// which it then refuses; read a float field, change it and write it.)
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no `add`, `plus` or `minus`: DynamoDB adds in exact decimal of 38 digits",
    label = "an integer type is needed here",
    note = "a float's sum can need more digits than DynamoDB holds: read the value, change it and `set` it"
)]
pub trait Numeric: ToAttribute + Copy {
    /// The smallest and largest values the type reads back, as DynamoDB numbers: an
    /// increment that would leave them is refused, as one past a field's `min` or `max`
    /// is, so no update writes a number its field cannot read.
    #[doc(hidden)]
    const __RANGE: (&'static str, &'static str);
}

impl Numeric for i8 {
    const __RANGE: (&'static str, &'static str) = ("-128", "127");
}
impl Numeric for i16 {
    const __RANGE: (&'static str, &'static str) = ("-32768", "32767");
}
impl Numeric for i32 {
    const __RANGE: (&'static str, &'static str) = ("-2147483648", "2147483647");
}
impl Numeric for i64 {
    const __RANGE: (&'static str, &'static str) = ("-9223372036854775808", "9223372036854775807");
}
impl Numeric for isize {
    const __RANGE: (&'static str, &'static str) = <i64 as Numeric>::__RANGE;
}
impl Numeric for u8 {
    const __RANGE: (&'static str, &'static str) = ("0", "255");
}
impl Numeric for u16 {
    const __RANGE: (&'static str, &'static str) = ("0", "65535");
}
impl Numeric for u32 {
    const __RANGE: (&'static str, &'static str) = ("0", "4294967295");
}
impl Numeric for u64 {
    const __RANGE: (&'static str, &'static str) = ("0", "18446744073709551615");
}
impl Numeric for usize {
    const __RANGE: (&'static str, &'static str) = <u64 as Numeric>::__RANGE;
}
// 128-bit integers are stored up to DynamoDB's 38 digits.
impl Numeric for i128 {
    const __RANGE: (&'static str, &'static str) =
        ("-99999999999999999999999999999999999999", "99999999999999999999999999999999999999");
}
impl Numeric for u128 {
    const __RANGE: (&'static str, &'static str) = ("0", "99999999999999999999999999999999999999");
}

/// Sets, the only types `ADD` and `DELETE` of members apply to.
pub trait SetType: ToAttribute {}

impl<T: crate::value::SetMember, S> SetType for std::collections::HashSet<T, S> where Self: ToAttribute {}
impl<T: crate::value::SetMember> SetType for std::collections::BTreeSet<T> where Self: ToAttribute {}

impl<M, T: Numeric, F> Path<M, T, F> {
    /// `path + n`, for [`Update::set_to`](crate::ops::Update::set_to). The attribute must
    /// exist ([`Error::PathNotFound`](crate::Error::PathNotFound) otherwise; `add` counts an
    /// absent attribute as 0).
    ///
    /// The update carries the conditions that keep the result within the target's `min`
    /// and `max` and its type's range: here, `total` must be at most `i64::MAX - 5`
    /// before 5 is added.
    ///
    /// ```
    /// use dynamo_model::{AttributeValue, Db, Model};
    ///
    /// #[derive(Model, Debug, Clone)]
    /// #[dynamo(table = "orders")]
    /// struct Order { #[dynamo(hash_key)] id: String, total: i64, previous_total: i64 }
    ///
    /// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
    /// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
    /// let update = Order::update(&db, Order::key("o1")).set_to(&Order::TOTAL, Order::TOTAL.plus(5));
    /// let expressions = update.compile()?.expressions;
    /// assert_eq!(expressions.update.as_deref(), Some("SET #n0 = #n0 + :v0"));
    /// assert_eq!(
    ///     expressions.condition.as_deref(),
    ///     Some("attribute_exists(#n1) AND #n0 <= :v1 AND attribute_exists(#n0)")
    /// );
    /// let values = expressions.values.unwrap();
    /// assert_eq!(values[":v0"], AttributeValue::N("5".into()));
    /// assert_eq!(values[":v1"], AttributeValue::N((i64::MAX - 5).to_string()));
    ///
    /// // The source may be another field of the same type.
    /// let update = Order::update(&db, Order::key("o1")).set_to(&Order::TOTAL, Order::PREVIOUS_TOTAL.minus(1));
    /// assert_eq!(update.compile()?.expressions.update.as_deref(), Some("SET #n0 = #n1 - :v0"));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn plus(&self, n: impl IntoValue<T>) -> Arithmetic<M, T> {
        self.arithmetic(n.into_value(), false)
    }

    /// `path - n`, for [`Update::set_to`](crate::ops::Update::set_to); the attribute must
    /// exist. See [`plus`](Path::plus) for an example.
    pub fn minus(&self, n: impl IntoValue<T>) -> Arithmetic<M, T> {
        self.arithmetic(n.into_value(), true)
    }

    fn arithmetic(&self, amount: T, subtract: bool) -> Arithmetic<M, T> {
        let operand = Operand::encoded(&self.expr, self.encode(&amount));
        let source = Operand::Path(self.expr.clone());
        let delta = Delta {
            source: self.expr.clone(),
            amount: operand.clone(),
            subtract,
            layout: self.codec.layout,
            unseen: self.unseen(true),
        };
        let value = if subtract { SetValue::Minus(source, operand) } else { SetValue::Plus(source, operand) };
        Arithmetic { value, delta, marker: PhantomData }
    }
}

/// The actions of one update, in the order given, with what building them found: the
/// rule errors of written values, the conditions the update needs to be safe, and the
/// first request DynamoDB would reject. Built by [`Update`](crate::ops::Update).
#[derive(Debug, Clone, Default)]
pub(crate) struct Actions {
    pub(crate) list: Vec<Action>,
    pub(crate) errors: Vec<FieldError>,
    pub(crate) guards: Vec<Guard>,
    pub(crate) refused: Option<RequestReason>,
    /// The attributes a value is copied into (`set_from`), which the compile step checks
    /// are no index keys.
    pub(crate) copies: Vec<PathExpr>,
}

impl Actions {
    /// `SET path = value`, the value checked against the field's rules.
    pub(crate) fn set<M, T, F>(&mut self, path: &Path<M, T, F>, value: &T) {
        self.seen(path, false);
        let value = self.written(path, value);
        self.part(path, Part::Written);
        self.set_value(&path.expr, SetValue::Operand(value));
    }

    /// `SET path = if_not_exists(path, value)`.
    pub(crate) fn set_if_not_exists<M, T, F>(&mut self, path: &Path<M, T, F>, value: &T) {
        self.seen(path, false);
        let value = self.written(path, value);
        self.part(path, Part::Written);
        self.set_value(&path.expr, SetValue::IfNotExists(path.expr.clone(), value));
    }

    /// `SET path = source`: the stored value is copied as it is, so both must be stored
    /// alike, and the target may have no rules or transform the copy would skip.
    pub(crate) fn set_from<M, T, F, G>(&mut self, path: &Path<M, T, F>, source: &Path<M, T, G>) {
        self.seen(path, false);
        self.seen(source, false);
        if path.codec.layout != source.codec.layout || path.codec.parts.checked || path.has_outer() {
            self.refuse(RequestReason::UncheckableCopy {
                attribute: path.expr.to_string(),
                source: source.expr.to_string(),
            });
        }
        self.copies.push(path.expr.clone());
        self.part(path, Part::Written);
        self.set_value(&path.expr, SetValue::Operand(Operand::Path(source.expr.clone())));
    }

    fn written<M, T, F>(&mut self, path: &Path<M, T, F>, value: &T) -> Operand {
        let encoded = path.encode_written(value, &mut self.errors);
        Operand::encoded(&path.expr, encoded)
    }

    /// `SET path = value`, for any value side.
    pub(crate) fn set_value(&mut self, path: &PathExpr, value: SetValue) {
        self.within(path);
        // An attribute the value reads must exist, or DynamoDB rejects the whole request.
        match &value {
            SetValue::Operand(Operand::Path(source)) => self.needs(source),
            SetValue::Plus(a, b) | SetValue::Minus(a, b) => {
                for operand in [a, b] {
                    if let Operand::Path(source) = operand {
                        self.needs(source);
                    }
                }
            }
            _ => {}
        }
        self.list.push(Action::Set(path.clone(), value));
    }

    /// `SET path = path ± n`, keeping the target's bounds and its type's range.
    pub(crate) fn set_arithmetic<M, T: Numeric, F>(&mut self, path: &Path<M, T, F>, arithmetic: Arithmetic<M, T>) {
        self.arithmetic_on(path);
        let delta = &arithmetic.delta;
        if let Some(reason) = &delta.unseen {
            self.refuse(reason.clone());
        } else if delta.layout != path.codec.layout {
            self.refuse(RequestReason::UncheckableCopy {
                attribute: path.expr.to_string(),
                source: delta.source.to_string(),
            });
        }
        self.bound(path, &delta.source, &delta.amount, delta.subtract, false);
        self.part(path, Part::Written);
        self.set_value(&path.expr, arithmetic.value);
    }

    /// `ADD path n`, keeping the field's bounds and its type's range; an absent
    /// attribute counts as 0.
    pub(crate) fn add_number<M, T: Numeric, F>(&mut self, path: &Path<M, T, F>, n: T) {
        self.arithmetic_on(path);
        self.within(&path.expr);
        let operand = Operand::encoded(&path.expr, path.encode(&n));
        self.bound(path, &path.expr, &operand, false, true);
        self.part(path, Part::Written);
        self.list.push(Action::Add(path.expr.clone(), operand));
    }

    /// DynamoDB adds to the stored number: the field must be stored as its own number
    /// (not through `with` or `serde`), and have no rules only its whole value can be
    /// checked against (`validate(with = f)`, `one_of`).
    fn arithmetic_on<M, T, F>(&mut self, path: &Path<M, T, F>) {
        if let Some(reason) = path.unseen(true) {
            self.refuse(reason);
        } else if path.codec.parts.opaque {
            self.refuse(RequestReason::UncheckableRule { attribute: path.expr.to_string() });
        }
    }

    /// `ADD path members` / `DELETE path members` of a set, keeping the set's `len` rule.
    pub(crate) fn set_members<M, T, F>(&mut self, path: &Path<M, T, F>, members: &T, delete: bool) {
        self.seen(path, true);
        let members = Operand::encoded(&path.expr, path.encode(members));
        let count = match &members {
            Operand::Value(set) => crate::compile::elements(set).unwrap_or(0),
            _ => 0,
        };
        let change = if delete { Part::Shrunk(count) } else { Part::Grown(count) };
        self.whole(path, change);
        if delete {
            self.part_emptied(path, count);
        } else {
            self.part(path, Part::Written);
        }
        self.within(&path.expr);
        self.list.push(if delete {
            Action::Delete(path.expr.clone(), members)
        } else {
            Action::Add(path.expr.clone(), members)
        });
    }

    /// `ADD version 1` and the like: a number the library itself adds to.
    pub(crate) fn add_raw(&mut self, path: &PathExpr, value: Operand) {
        self.list.push(Action::Add(path.clone(), value));
    }

    /// `REMOVE path`; refused for a field the model needs to read the item, and for a
    /// field whose `len` rule needs it (non_empty).
    pub(crate) fn remove<M, T, F>(&mut self, path: &Path<M, T, F>) {
        self.seen(path, false);
        if path.codec.is_required() {
            self.refuse(RequestReason::RemoveRequired { attribute: path.expr.to_string() });
        }
        if let (Some(min), _) = path.codec.parts.len {
            if min > 0 {
                let rule = Rule::Length { min: Some(min), max: path.codec.parts.len.1 };
                self.errors.push(FieldError { attribute: path.expr.to_string().into(), rule, value: "removed".into() });
            }
        }
        self.part(path, Part::Removed);
        self.within(&path.expr);
        self.list.push(Action::Remove(path.expr.clone()));
    }

    /// `SET path = list_append(...)`: the elements go through the list field's codec,
    /// and the list keeps its `len` rule.
    pub(crate) fn list_append<M, E: ToAttribute, F>(
        &mut self,
        path: &Path<M, Vec<E>, F>,
        items: &Vec<E>,
        prepend: bool,
    ) {
        self.seen(path, true);
        // The elements keep their own rules (a document's fields and its `validate = f`).
        path.nested_rules_of(items, &mut self.errors);
        let items_operand = match path.encode_written(items, &mut Vec::new()) {
            // A `Vec<u8>` is binary: there is no list to append to.
            Ok(Some(AttributeValue::B(_))) => {
                Operand::invalid_request(RequestReason::NotAList { attribute: path.expr.to_string() })
            }
            encoded => Operand::encoded(&path.expr, encoded),
        };
        self.whole(path, Part::Grown(items.len()));
        self.part(path, Part::Written);
        self.set_value(&path.expr, SetValue::Append { path: path.expr.clone(), items: items_operand, prepend });
    }

    /// A change of the size of the list or set at `path` itself (members added or
    /// removed, elements appended) keeps the field's `len` rule; a field with rules only
    /// its whole value can be checked against refuses it.
    fn whole<M, T, F>(&mut self, path: &Path<M, T, F>, change: Part) {
        let parts = path.codec.parts;
        if parts.opaque {
            self.refuse(RequestReason::UncheckableRule { attribute: path.expr.to_string() });
            return;
        }
        self.length(&path.expr, parts, change, None);
    }

    /// A write or removal of `path`, an element or entry of a list or map (or a field
    /// inside one): the container keeps its `len` rule, and a container with rules only
    /// its whole value can be checked against refuses it.
    fn part<M, T, F>(&mut self, path: &Path<M, T, F>, change: Part) {
        if let Some(ruled) = &path.ruled {
            self.refuse(RequestReason::UncheckableRule { attribute: ruled.to_string() });
            return;
        }
        let Some((container, parts)) = &path.container else { return };
        if parts.opaque {
            self.refuse(RequestReason::UncheckableRule { attribute: container.to_string() });
            return;
        }
        // Only a direct element or entry changes the container's size.
        if path.expr.parent().as_ref() != Some(container) {
            return;
        }
        let (change, unless) = match change {
            // A new element or entry, unless it was there.
            Part::Written => (Part::Grown(1), Node::Exists(path.expr.clone())),
            // One less, unless it was not there.
            Part::Removed => (Part::Shrunk(1), Node::NotExists(path.expr.clone())),
            other => (other, Node::Exists(path.expr.clone())),
        };
        self.length(container, *parts, change, Some(unless));
    }

    /// `DELETE` of `k` members from a set that is an element or entry: DynamoDB removes
    /// the element or entry when its last member goes, so the container keeps its `len`
    /// rule unless the set is absent or holds more than `k` members.
    fn part_emptied<M, T, F>(&mut self, path: &Path<M, T, F>, k: usize) {
        if let Some(ruled) = &path.ruled {
            self.refuse(RequestReason::UncheckableRule { attribute: ruled.to_string() });
            return;
        }
        let Some((container, parts)) = &path.container else { return };
        if parts.opaque {
            self.refuse(RequestReason::UncheckableRule { attribute: container.to_string() });
            return;
        }
        if path.expr.parent().as_ref() != Some(container) {
            return;
        }
        let unless = Node::Or(vec![
            Node::NotExists(path.expr.clone()),
            Node::Compare {
                left: Operand::Size(path.expr.clone()),
                op: Comparator::Gt,
                right: Operand::Value(AttributeValue::N(k.to_string())),
            },
        ]);
        self.length(container, *parts, Part::Shrunk(1), Some(unless));
    }

    /// The size conditions that keep `len(min, max)` of the container at `path` through
    /// `change`: at most `max - k` before `k` are added, at least `min + k` before `k`
    /// are removed (absent counting as empty).
    fn length(&mut self, path: &PathExpr, parts: Parts, change: Part, unless: Option<Node>) {
        let (min, max) = parts.len;
        let rule = Rule::Length { min, max };
        match change {
            Part::Grown(k) => {
                let k = k as isize;
                // Growing can break `max`; from nothing, fewer than `min` break `min`.
                if let Some(min) = min.filter(|&min| (k as usize) < min) {
                    self.push_length(path, Comparator::Ge, min as isize, false, unless.clone(), &rule, k);
                }
                if let Some(max) = max {
                    self.push_length(path, Comparator::Le, max as isize, true, unless, &rule, k);
                }
            }
            Part::Shrunk(k) => {
                if let Some(min) = min.filter(|&min| min > 0) {
                    self.push_length(path, Comparator::Ge, min as isize, true, unless, &rule, -(k as isize));
                }
            }
            Part::Written | Part::Removed => {}
        }
    }

    /// One size condition on `container` for `change` (elements added, or removed when
    /// negative) against `bound` (`max` for `Le`, `min` for `Ge`). Several writes of parts
    /// of one container in one update are all checked against the size before it, so
    /// their changes add up in one condition, excused only when every write's own excuse
    /// holds.
    #[allow(clippy::too_many_arguments)]
    fn push_length(
        &mut self,
        container: &PathExpr,
        op: Comparator,
        bound: isize,
        absent_ok: bool,
        unless: Option<Node>,
        rule: &Rule,
        change: isize,
    ) {
        let same = |guard: &Guard| {
            matches!(guard, Guard::Length { container: c, op: o, absent_ok: a, change: d, .. }
                if c == container && *o == op && *a == absent_ok && d.signum() == change.signum())
        };
        let (change, unless) = match self.guards.iter().position(same) {
            Some(i) => match self.guards.remove(i) {
                Guard::Length { change: before, unless: excused, .. } => {
                    let unless = match (excused, unless) {
                        (Some(Node::And(mut all)), Some(next)) => {
                            all.push(next);
                            Some(Node::And(all))
                        }
                        (Some(first), Some(next)) => Some(Node::And(vec![first, next])),
                        _ => None,
                    };
                    (before + change, unless)
                }
                _ => (change, unless),
            },
            None => (change, unless),
        };
        // `size - |change| >= min` before removing; `size + change <= max` before adding;
        // from nothing, `size + change >= min` before adding.
        let limit = bound - change;
        if op == Comparator::Ge && limit <= 0 && change > 0 {
            // Enough is added to reach `min` from nothing.
            return;
        }
        if limit < 0 && unless.is_none() {
            // More is added than `max` allows from nothing.
            self.errors.push(FieldError {
                attribute: container.to_string().into(),
                rule: rule.clone(),
                value: format!("+ {change}"),
            });
            return;
        }
        // Below 0, no size is small enough: only elements or entries already there can
        // be written.
        self.guards.push(Guard::Length {
            container: container.clone(),
            op,
            limit: usize::try_from(limit).ok(),
            absent_ok,
            unless,
            rule: rule.clone(),
            change,
        });
    }

    /// Writing inside a map or list needs the map or list: DynamoDB rejects the request
    /// otherwise.
    fn within(&mut self, path: &PathExpr) {
        if let Some(parent) = path.parent() {
            self.needs(&parent);
        }
    }

    fn needs(&mut self, path: &PathExpr) {
        let guard = Guard::Exists(path.clone());
        if !self.guards.contains(&guard) {
            self.guards.push(guard);
        }
    }

    /// Refuses a write that names a path inside a field stored through `with` or `serde`
    /// (or, `whole`, writes part of such a field's own value).
    fn seen<M, T, F>(&mut self, path: &Path<M, T, F>, whole: bool) {
        if let Some(reason) = path.unseen(whole) {
            self.refuse(reason);
        }
    }

    fn refuse(&mut self, reason: RequestReason) {
        self.refused.get_or_insert(reason);
    }

    /// The conditions that keep `target` within its `min` and `max` and within what its
    /// type reads back, when it becomes `source` changed by `change`: `source <= max - n`
    /// for `+ n` (`source >= min - n` for `- n`), computed exactly in decimal as DynamoDB
    /// adds, an absent source counting as 0 when `absent_is_zero` (as `ADD` does).
    /// `amount` is the operand as sent.
    fn bound<M, T: Numeric, F>(
        &mut self,
        target: &Path<M, T, F>,
        source: &PathExpr,
        amount: &Operand,
        subtract: bool,
        absent_is_zero: bool,
    ) {
        let number = |value: &T| match value.to_attribute() {
            Ok(Some(AttributeValue::N(text))) => Number::parse(&text),
            _ => None,
        };
        // A delta that does not encode is reported by its own operand.
        let Operand::Value(AttributeValue::N(text)) = amount else { return };
        let Some(magnitude) = Number::parse(text) else { return };
        let delta = if subtract { magnitude.negated() } else { magnitude };
        let change_text = format!("{} {text}", if subtract { "-" } else { "+" });
        let attribute = target.expr.to_string();
        let (declared_min, declared_max) = target.codec.bounds_of();
        let (type_min, type_max) = T::__RANGE;
        let sides = [
            (Comparator::Ge, declared_min.and_then(|b| number(&b)), Number::parse(type_min)),
            (Comparator::Le, declared_max.and_then(|b| number(&b)), Number::parse(type_max)),
        ];
        for (op, declared, of_type) in sides {
            // The tighter of the field's rule and the type's range.
            let tighter = |a: Number, b: Number| {
                let a_tighter = if op == Comparator::Ge { a.compare(&b).is_ge() } else { a.compare(&b).is_le() };
                if a_tighter {
                    a
                } else {
                    b
                }
            };
            let bound = match (declared, of_type) {
                (Some(declared), Some(of_type)) => tighter(declared, of_type),
                (Some(bound), None) | (None, Some(bound)) => bound,
                (None, None) => continue,
            };
            let within = |value: &Number| {
                if op == Comparator::Ge {
                    value.compare(&bound).is_ge()
                } else {
                    value.compare(&bound).is_le()
                }
            };
            let absent_ok = absent_is_zero && within(&delta);
            // A stored value is within its bounds; only a change towards this side, or an
            // absent value that would not be, can break it.
            let towards = if op == Comparator::Ge {
                delta.is_negative()
            } else {
                !delta.is_negative() && delta != Number::zero()
            };
            if !towards && (absent_ok || !absent_is_zero) {
                continue;
            }
            let rule = if op == Comparator::Ge { Rule::Min(bound.to_plain()) } else { Rule::Max(bound.to_plain()) };
            // `source` must be at least (or at most) `bound - delta`: rounded to what
            // DynamoDB holds, towards the stricter side.
            let mut threshold = bound.add(&delta.negated()).round(38, op == Comparator::Ge);
            if threshold.too_small() {
                // No stored number lies strictly between 0 and ±1E-130: the nearest of
                // the two on the stricter side says the same.
                let stricter_is_zero = threshold.is_negative() == (op == Comparator::Ge);
                let text = match (stricter_is_zero, threshold.is_negative()) {
                    (true, _) => "0",
                    (false, true) => "-1e-130",
                    (false, false) => "1e-130",
                };
                threshold = Number::parse(text).unwrap_or_else(Number::zero);
            }
            if !threshold.storable() {
                // Beyond DynamoDB's range: every stored value is on one side of it.
                let above = !threshold.is_negative();
                let none_holds = if op == Comparator::Ge { above } else { !above };
                if none_holds {
                    self.errors.push(FieldError {
                        attribute: attribute.clone().into(),
                        rule,
                        value: change_text.clone(),
                    });
                } else if !absent_ok && absent_is_zero {
                    // Only an absent value breaks this side.
                    self.needs(source);
                }
                continue;
            }
            self.guards.push(Guard::Bound {
                path: source.clone(),
                op,
                threshold: AttributeValue::N(threshold.to_plain()),
                absent_ok,
                attribute: attribute.clone(),
                rule,
                change: change_text.clone(),
            });
        }
    }
}

/// What a write does to a list, map or set.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// An element or entry written (new, or in place of one).
    Written,
    /// An element or entry removed.
    Removed,
    /// `k` elements or members added.
    Grown(usize),
    /// At most `k` members removed.
    Shrunk(usize),
}

impl Actions {
    /// Whether an action already targets this top-level attribute (or a path inside it).
    pub(crate) fn touches(&self, name: &str) -> bool {
        self.list.iter().any(|action| action.path().root == name)
    }

    /// Whether the update removes this top-level attribute whole.
    pub(crate) fn removes(&self, name: &str) -> bool {
        self.list
            .iter()
            .any(|action| matches!(action, Action::Remove(path) if path.root == name && path.tail.is_empty()))
    }

    /// `REMOVE path`, of an attribute the library keeps (an index key).
    pub(crate) fn remove_raw(&mut self, path: &PathExpr) {
        self.list.push(Action::Remove(path.clone()));
    }

    /// The values set whole to top-level attributes (`SET a = :v`, nothing conditional).
    pub(crate) fn plain_values(&self) -> Vec<(&'static str, &AttributeValue)> {
        self.list
            .iter()
            .filter_map(|action| match action {
                Action::Set(path, SetValue::Operand(Operand::Value(value))) if path.tail.is_empty() => {
                    Some((path.root, value))
                }
                _ => None,
            })
            .collect()
    }

    /// The value of `SET name = if_not_exists(name, value)` (a lifecycle stamp), if any.
    pub(crate) fn stamped_value(&self, name: &str) -> Option<AttributeValue> {
        self.list.iter().find_map(|action| match action {
            Action::Set(path, SetValue::IfNotExists(source, Operand::Value(value)))
                if path.root == name && path.tail.is_empty() && source == path =>
            {
                Some(value.clone())
            }
            _ => None,
        })
    }

    /// The first `SET` or `REMOVE` of one of these attributes, if any.
    pub(crate) fn non_add_target(&self, names: &[&str]) -> Option<&PathExpr> {
        self.list
            .iter()
            .filter(|action| matches!(action, Action::Set(..) | Action::Remove(_)))
            .map(Action::path)
            .find(|path| names.contains(&path.root))
    }

    /// The first action on this attribute (or inside it), if any.
    pub(crate) fn target(&self, name: &str) -> Option<&PathExpr> {
        self.list.iter().map(Action::path).find(|path| path.root == name)
    }

    /// The top-level attributes the update sets or adds to (what an upsert writes).
    pub(crate) fn written_roots(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.list.iter().filter(|action| !matches!(action, Action::Remove(_))).map(|action| action.path().root)
    }

    /// Every value the update writes (by `SET`, `list_append`, `ADD` of members), with
    /// the path it goes to.
    pub(crate) fn written_values(&self) -> impl Iterator<Item = (&PathExpr, &AttributeValue)> + '_ {
        self.list.iter().filter_map(|action| match action {
            Action::Set(
                path,
                SetValue::Operand(Operand::Value(value))
                | SetValue::IfNotExists(_, Operand::Value(value))
                | SetValue::Append { items: Operand::Value(value), .. },
            )
            | Action::Add(path, Operand::Value(value)) => Some((path, value)),
            _ => None,
        })
    }

    /// The values written to top-level attributes by `SET`, for checks of index keys.
    pub(crate) fn top_level_values(&self) -> impl Iterator<Item = (&'static str, &AttributeValue)> + '_ {
        self.list.iter().filter_map(|action| match action {
            Action::Set(
                path,
                SetValue::Operand(Operand::Value(value)) | SetValue::IfNotExists(_, Operand::Value(value)),
            ) if path.tail.is_empty() => Some((path.root, value)),
            _ => None,
        })
    }

    /// Rejects what DynamoDB would whatever the values: two actions on overlapping paths,
    /// and actions on the given key attributes.
    pub(crate) fn check(&self, keys: &[&str]) -> std::result::Result<(), RequestReason> {
        if let Some(reason) = &self.refused {
            return Err(reason.clone());
        }
        for (i, action) in self.list.iter().enumerate() {
            let path = action.path();
            if path.tail.is_empty() && keys.contains(&path.root) {
                return Err(RequestReason::KeyUpdate { attribute: path.root.to_owned() });
            }
            if let Some(other) = self.list[..i].iter().map(Action::path).find(|other| other.overlaps(path)) {
                return Err(RequestReason::OverlappingPaths { path: path.to_string(), other: other.to_string() });
            }
        }
        Ok(())
    }

    /// `SET … REMOVE … ADD … DELETE …`, each clause listing its actions in the order given.
    pub(crate) fn render(&self, renderer: &mut Renderer) -> Result<String> {
        let mut out = String::new();
        for (keyword, clause) in [("SET ", 0), ("REMOVE ", 1), ("ADD ", 2), ("DELETE ", 3)] {
            let mut first = true;
            for action in self.list.iter().filter(|action| action.clause() == clause) {
                if first {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(keyword);
                    first = false;
                } else {
                    out.push_str(", ");
                }
                render_action(renderer, &mut out, action)?;
            }
        }
        Ok(out)
    }
}

fn render_action(renderer: &mut Renderer, out: &mut String, action: &Action) -> Result<()> {
    match action {
        Action::Set(path, value) => {
            renderer.path(out, path)?;
            out.push_str(" = ");
            match value {
                SetValue::Operand(operand) => renderer.operand(out, operand)?,
                SetValue::IfNotExists(path, operand) => {
                    renderer.function(out, "if_not_exists", path, Some(operand))?;
                }
                SetValue::Plus(a, b) | SetValue::Minus(a, b) => {
                    renderer.operand(out, a)?;
                    out.push_str(if matches!(value, SetValue::Plus(..)) { " + " } else { " - " });
                    renderer.count_operator();
                    renderer.operand(out, b)?;
                }
                SetValue::Append { path, items, prepend } => {
                    let mut existing = String::new();
                    renderer.function_with_value(
                        &mut existing,
                        "if_not_exists",
                        path,
                        AttributeValue::L(Vec::new()),
                    )?;
                    let mut new_items = String::new();
                    renderer.operand(&mut new_items, items)?;
                    out.push_str("list_append(");
                    renderer.count_operator();
                    let (first, second) = if *prepend { (&new_items, &existing) } else { (&existing, &new_items) };
                    out.push_str(first);
                    out.push_str(", ");
                    out.push_str(second);
                    out.push(')');
                }
            }
        }
        Action::Remove(path) => renderer.path(out, path)?,
        Action::Add(path, operand) | Action::Delete(path, operand) => {
            renderer.path(out, path)?;
            out.push(' ');
            renderer.operand(out, operand)?;
        }
    }
    Ok(())
}
