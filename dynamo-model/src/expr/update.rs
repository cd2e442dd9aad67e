//! Update expressions: `SET`, `REMOVE`, `ADD` and `DELETE` actions on typed paths.
//!
//! Paths may go into nested documents, list elements and map entries, so changing one
//! field of a map leaves its other fields alone. Two actions on overlapping paths, and
//! actions on key attributes, are rejected before anything is sent.

use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use super::condition::{Comparator, Operand};
use super::path::{Path, PathExpr};
use super::render::Renderer;
use crate::compile::Guard;
use crate::error::{FieldError, RequestReason, Rule};
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
/// [`Path::plus`] / [`Path::minus`].
#[derive(Debug, Clone)]
pub struct Arithmetic<M, T> {
    pub(crate) value: SetValue,
    /// The change to the source path's value, when it is a value (`plus(n)`: `n`,
    /// `minus(n)`: `-n`), to keep the target's bounds.
    pub(crate) delta: Option<Delta<T>>,
    marker: PhantomData<fn() -> (M, T)>,
}

/// `source + amount`, or `source - amount`.
#[derive(Debug, Clone)]
pub(crate) struct Delta<T> {
    pub(crate) source: PathExpr,
    pub(crate) amount: T,
    pub(crate) subtract: bool,
}

/// Numbers, the only types `+`, `-` and `ADD` apply to.
pub trait Numeric: ToAttribute + PartialOrd + Copy {
    /// Zero, what DynamoDB's `ADD` starts from when the attribute is absent.
    #[doc(hidden)]
    const __ZERO: Self;

    /// `self - other`, `None` if it overflows.
    #[doc(hidden)]
    fn __checked_sub(self, other: Self) -> Option<Self>;

    /// `self + other`, `None` if it overflows.
    #[doc(hidden)]
    fn __checked_add(self, other: Self) -> Option<Self>;
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl Numeric for $t {
            const __ZERO: Self = 0;

            fn __checked_sub(self, other: Self) -> Option<Self> {
                self.checked_sub(other)
            }

            fn __checked_add(self, other: Self) -> Option<Self> {
                self.checked_add(other)
            }
        }
    )*};
}
integers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl Numeric for $t {
            const __ZERO: Self = 0.0;

            fn __checked_sub(self, other: Self) -> Option<Self> {
                Some(self - other).filter(|n| n.is_finite())
            }

            fn __checked_add(self, other: Self) -> Option<Self> {
                Some(self + other).filter(|n| n.is_finite())
            }
        }
    )*};
}
floats!(f32, f64);

/// Sets, the only types `ADD` and `DELETE` of members apply to.
pub trait SetType: ToAttribute {}

impl<T: crate::value::SetMember, S> SetType for std::collections::HashSet<T, S> where Self: ToAttribute {}
impl<T: crate::value::SetMember> SetType for std::collections::BTreeSet<T> where Self: ToAttribute {}

impl<M, T: Numeric, F> Path<M, T, F> {
    /// `path + n`, for [`Update::set_to`](crate::ops::Update::set_to). The attribute must
    /// exist ([`Error::PathNotFound`](crate::Error::PathNotFound) otherwise; `add` counts an
    /// absent attribute as 0).
    pub fn plus(&self, n: impl IntoValue<T>) -> Arithmetic<M, T> {
        self.arithmetic(n.into_value(), false)
    }

    /// `path - n`, for [`Update::set_to`](crate::ops::Update::set_to); the attribute must
    /// exist.
    pub fn minus(&self, n: impl IntoValue<T>) -> Arithmetic<M, T> {
        self.arithmetic(n.into_value(), true)
    }

    fn arithmetic(&self, amount: T, subtract: bool) -> Arithmetic<M, T> {
        let operand = Operand::encoded(&self.expr, self.encode(&amount));
        let source = Operand::Path(self.expr.clone());
        let value = if subtract { SetValue::Minus(source, operand) } else { SetValue::Plus(source, operand) };
        Arithmetic { value, delta: Some(Delta { source: self.expr.clone(), amount, subtract }), marker: PhantomData }
    }

    /// `path + other`, two attributes of the same item (both must exist). The target's
    /// `min`/`max` are not checked for such a sum.
    pub fn plus_path<G>(&self, other: &Path<M, T, G>) -> Arithmetic<M, T> {
        let value = SetValue::Plus(Operand::Path(self.expr.clone()), Operand::Path(other.expr.clone()));
        Arithmetic { value, delta: None, marker: PhantomData }
    }

    /// `path - other`, two attributes of the same item (both must exist). The target's
    /// `min`/`max` are not checked for such a difference.
    pub fn minus_path<G>(&self, other: &Path<M, T, G>) -> Arithmetic<M, T> {
        let value = SetValue::Minus(Operand::Path(self.expr.clone()), Operand::Path(other.expr.clone()));
        Arithmetic { value, delta: None, marker: PhantomData }
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
}

impl Actions {
    /// `SET path = value`, the value checked against the field's rules.
    pub(crate) fn set<M, T, F>(&mut self, path: &Path<M, T, F>, value: &T) {
        let value = self.written(path, value);
        self.set_value(&path.expr, SetValue::Operand(value));
    }

    /// `SET path = if_not_exists(path, value)`.
    pub(crate) fn set_if_not_exists<M, T, F>(&mut self, path: &Path<M, T, F>, value: &T) {
        let value = self.written(path, value);
        self.set_value(&path.expr, SetValue::IfNotExists(path.expr.clone(), value));
    }

    fn written<M, T, F>(&mut self, path: &Path<M, T, F>, value: &T) -> Operand {
        Operand::encoded(&path.expr, path.encode_written(value, &mut self.errors))
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

    /// `SET path = a ± b`, keeping the target's bounds when `b` is a value.
    pub(crate) fn set_arithmetic<M, T: Numeric, F>(&mut self, path: &Path<M, T, F>, arithmetic: Arithmetic<M, T>) {
        if let Some(delta) = &arithmetic.delta {
            let change = if delta.subtract { Change::Minus(delta.amount) } else { Change::Plus(delta.amount) };
            self.bound(path, &delta.source, change, false);
        }
        self.set_value(&path.expr, arithmetic.value);
    }

    /// `ADD path n`, keeping the field's bounds; an absent attribute counts as 0.
    pub(crate) fn add_number<M, T: Numeric, F>(&mut self, path: &Path<M, T, F>, n: T) {
        self.within(&path.expr);
        let operand = Operand::encoded(&path.expr, path.encode(&n));
        self.bound(path, &path.expr, Change::Plus(n), true);
        self.list.push(Action::Add(path.expr.clone(), operand));
    }

    /// `ADD path members` / `DELETE path members` of a set.
    pub(crate) fn set_members(&mut self, path: &PathExpr, members: Operand, delete: bool) {
        self.within(path);
        self.list.push(if delete { Action::Delete(path.clone(), members) } else { Action::Add(path.clone(), members) });
    }

    /// `REMOVE path`; refused for a field the model needs to read the item.
    pub(crate) fn remove<M, T, F>(&mut self, path: &Path<M, T, F>) {
        if path.codec.is_required() {
            self.refuse(RequestReason::RemoveRequired { attribute: path.expr.to_string() });
        }
        self.within(&path.expr);
        self.list.push(Action::Remove(path.expr.clone()));
    }

    /// `SET path = list_append(...)`: the elements go through the list field's codec.
    pub(crate) fn list_append<M, E, F>(&mut self, path: &Path<M, Vec<E>, F>, items: &Vec<E>, prepend: bool) {
        let items = match path.encode_written(items, &mut Vec::new()) {
            // A `Vec<u8>` is binary: there is no list to append to.
            Ok(Some(AttributeValue::B(_))) => {
                Operand::invalid_request(RequestReason::NotAList { attribute: path.expr.to_string() })
            }
            encoded => Operand::encoded(&path.expr, encoded),
        };
        self.set_value(&path.expr, SetValue::Append { path: path.expr.clone(), items, prepend });
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

    fn refuse(&mut self, reason: RequestReason) {
        self.refused.get_or_insert(reason);
    }

    /// The conditions that keep `target`'s `min` and `max` when it becomes `source`
    /// changed by `change`: `source >= min - n`, `source <= max - n` (for `+ n`),
    /// an absent source counting as 0 when `absent_is_zero` (as `ADD` does).
    fn bound<M, T: Numeric, F>(
        &mut self,
        target: &Path<M, T, F>,
        source: &PathExpr,
        change: Change<T>,
        absent_is_zero: bool,
    ) {
        let (min, max) = target.codec.bounds_of();
        if min.is_none() && max.is_none() {
            return;
        }
        let attribute = target.expr.to_string();
        let result_of = |x: T| match change {
            Change::Plus(n) => x.__checked_add(n),
            Change::Minus(n) => x.__checked_sub(n),
        };
        // The value `source` must have, at least or at most, for the result to reach `bound`.
        let threshold = |bound: T| match change {
            Change::Plus(n) => bound.__checked_sub(n),
            Change::Minus(n) => bound.__checked_add(n),
        };
        let zero_result = result_of(T::__ZERO);
        let change_text = match change {
            Change::Plus(n) => format!("+ {}", display_number(&n)),
            Change::Minus(n) => format!("- {}", display_number(&n)),
        };
        for (bound, op, rule) in [
            (min, Comparator::Ge, min.map(|b| Rule::Min(display_number(&b)))),
            (max, Comparator::Le, max.map(|b| Rule::Max(display_number(&b)))),
        ] {
            let (Some(bound), Some(rule)) = (bound, rule) else { continue };
            let absent_ok = absent_is_zero
                && zero_result.is_some_and(|r| if op == Comparator::Ge { r >= bound } else { r <= bound });
            match threshold(bound).map(|t| t.to_attribute()) {
                Some(Ok(Some(threshold))) => self.guards.push(Guard::Bound {
                    path: source.clone(),
                    op,
                    threshold,
                    absent_ok,
                    attribute: attribute.clone(),
                    rule,
                    change: change_text.clone(),
                }),
                // A threshold the type cannot hold: `min - n` beyond the type's range.
                // Below it, every stored value keeps the bound; above it, none does.
                _ => {
                    let n = match change {
                        Change::Plus(n) => n,
                        Change::Minus(n) => n,
                    };
                    let grows = matches!(change, Change::Plus(_)) == (n > T::__ZERO);
                    let unreachable = if op == Comparator::Ge { !grows } else { grows };
                    if unreachable && n != T::__ZERO {
                        self.errors.push(FieldError {
                            attribute: attribute.clone().into(),
                            rule,
                            value: change_text.clone(),
                        });
                    }
                }
            }
        }
    }
}

/// How an update changes a number.
#[derive(Debug, Clone, Copy)]
enum Change<T> {
    Plus(T),
    Minus(T),
}

fn display_number<T: ToAttribute>(n: &T) -> String {
    match n.to_attribute() {
        Ok(Some(AttributeValue::N(text))) => text,
        _ => "?".to_owned(),
    }
}

impl Actions {
    /// Whether an action already targets this top-level attribute (or a path inside it).
    pub(crate) fn touches(&self, name: &str) -> bool {
        self.list.iter().any(|action| action.path().root == name)
    }

    /// The first `SET` or `REMOVE` of one of these attributes, if any.
    pub(crate) fn non_add_target(&self, names: &[&str]) -> Option<&PathExpr> {
        self.list
            .iter()
            .filter(|action| matches!(action, Action::Set(..) | Action::Remove(_)))
            .map(Action::path)
            .find(|path| names.contains(&path.root))
    }

    /// The top-level attributes the update sets or adds to (what an upsert writes).
    pub(crate) fn written_roots(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.list.iter().filter(|action| !matches!(action, Action::Remove(_))).map(|action| action.path().root)
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
