//! Update expressions: `SET`, `REMOVE`, `ADD` and `DELETE` actions on typed paths.
//!
//! Paths may go into nested documents, list elements and map entries, so changing one
//! field of a map leaves its other fields alone. Two actions on overlapping paths, and
//! actions on key attributes, are rejected before anything is sent.

use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use super::condition::Operand;
use super::path::{Path, PathExpr};
use super::render::Renderer;
use crate::error::{Error, InvalidReason};
use crate::value::ToAttribute;
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
    marker: PhantomData<fn() -> (M, T)>,
}

/// Numbers, the only types `+`, `-` and `ADD` apply to.
pub trait Numeric: ToAttribute {}

macro_rules! numeric {
    ($($t:ty),*) => {$(impl Numeric for $t {})*};
}
numeric!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64);

/// Sets, the only types `ADD` and `DELETE` of members apply to.
pub trait SetType: ToAttribute {}

impl<T: crate::value::SetMember, S> SetType for std::collections::HashSet<T, S> where Self: ToAttribute {}
impl<T: crate::value::SetMember> SetType for std::collections::BTreeSet<T> where Self: ToAttribute {}

impl<M, T: Numeric, F> Path<M, T, F> {
    /// `path + n`, for [`Update::set_to`](crate::ops::Update::set_to).
    pub fn plus(&self, n: impl Into<T>) -> Arithmetic<M, T> {
        let n = Operand::encoded(&self.expr, n.into().to_attribute());
        Arithmetic { value: SetValue::Plus(Operand::Path(self.expr.clone()), n), marker: PhantomData }
    }

    /// `path - n`, for [`Update::set_to`](crate::ops::Update::set_to).
    pub fn minus(&self, n: impl Into<T>) -> Arithmetic<M, T> {
        let n = Operand::encoded(&self.expr, n.into().to_attribute());
        Arithmetic { value: SetValue::Minus(Operand::Path(self.expr.clone()), n), marker: PhantomData }
    }

    /// `path + other`, two attributes of the same item.
    pub fn plus_path<G>(&self, other: &Path<M, T, G>) -> Arithmetic<M, T> {
        let value = SetValue::Plus(Operand::Path(self.expr.clone()), Operand::Path(other.expr.clone()));
        Arithmetic { value, marker: PhantomData }
    }

    /// `path - other`, two attributes of the same item.
    pub fn minus_path<G>(&self, other: &Path<M, T, G>) -> Arithmetic<M, T> {
        let value = SetValue::Minus(Operand::Path(self.expr.clone()), Operand::Path(other.expr.clone()));
        Arithmetic { value, marker: PhantomData }
    }
}

/// The actions of one update, in the order given; built by
/// [`Update`](crate::ops::Update).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Actions(pub(crate) Vec<Action>);

impl Actions {
    pub(crate) fn set<M, T, F>(&mut self, path: &Path<M, T, F>, value: T) {
        let value = Operand::encoded(&path.expr, path.encode_value(&value));
        self.0.push(Action::Set(path.expr.clone(), SetValue::Operand(value)));
    }

    pub(crate) fn set_if_not_exists<M, T, F>(&mut self, path: &Path<M, T, F>, value: T) {
        let value = Operand::encoded(&path.expr, path.encode_value(&value));
        self.0.push(Action::Set(path.expr.clone(), SetValue::IfNotExists(path.expr.clone(), value)));
    }

    pub(crate) fn set_value(&mut self, path: &PathExpr, value: SetValue) {
        self.0.push(Action::Set(path.clone(), value));
    }

    pub(crate) fn add(&mut self, path: &PathExpr, value: Operand) {
        self.0.push(Action::Add(path.clone(), value));
    }

    pub(crate) fn delete(&mut self, path: &PathExpr, value: Operand) {
        self.0.push(Action::Delete(path.clone(), value));
    }

    pub(crate) fn remove(&mut self, path: &PathExpr) {
        self.0.push(Action::Remove(path.clone()));
    }

    pub(crate) fn list_append<E: ToAttribute>(&mut self, path: &PathExpr, items: &[E], prepend: bool) {
        let items = Operand::encoded(path, E::__vec_to_attribute(items));
        self.0.push(Action::Set(path.clone(), SetValue::Append { path: path.clone(), items, prepend }));
    }

    /// Whether an action already targets this top-level attribute (or a path inside it).
    pub(crate) fn touches(&self, name: &str) -> bool {
        self.0.iter().any(|action| action.path().root == name)
    }

    /// The first `SET` or `REMOVE` of one of these attributes, if any.
    pub(crate) fn non_add_target(&self, names: &[&str]) -> Option<&PathExpr> {
        self.0
            .iter()
            .filter(|action| matches!(action, Action::Set(..) | Action::Remove(_)))
            .map(Action::path)
            .find(|path| names.contains(&path.root))
    }

    /// Every value that breaks its field's declared rules, as one validation error.
    pub(crate) fn rule_violations(&self, model: &'static str) -> Result<()> {
        let mut errors = Vec::new();
        for action in &self.0 {
            let operands: Vec<&Operand> = match action {
                Action::Set(_, SetValue::Operand(o)) | Action::Add(_, o) | Action::Delete(_, o) => vec![o],
                Action::Set(_, SetValue::IfNotExists(_, o)) => vec![o],
                Action::Set(_, SetValue::Plus(a, b) | SetValue::Minus(a, b)) => vec![a, b],
                Action::Set(_, SetValue::Append { items, .. }) => vec![items],
                Action::Remove(_) => Vec::new(),
            };
            for operand in operands {
                if let Operand::Invalid { path, error } = operand {
                    if let InvalidReason::Rule { rule, value } = error.reason() {
                        errors.push(crate::FieldError {
                            attribute: path.to_string().into(),
                            rule: rule.clone(),
                            value: value.clone(),
                        });
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation { model, errors })
        }
    }

    /// Rejects what DynamoDB would: no action at all, two actions on overlapping paths,
    /// and actions on the given key attributes.
    pub(crate) fn check(&self, model: &'static str, keys: &[&str]) -> Result<()> {
        for (i, action) in self.0.iter().enumerate() {
            let path = action.path();
            if path.tail.is_empty() && keys.contains(&path.root) {
                return Err(invalid(model, path, InvalidReason::KeyUpdate));
            }
            if let Some(other) = self.0[..i].iter().map(Action::path).find(|other| other.overlaps(path)) {
                return Err(invalid(model, path, InvalidReason::OverlappingPaths { other: other.to_string() }));
            }
        }
        Ok(())
    }

    /// `SET … REMOVE … ADD … DELETE …`, each clause listing its actions in the order given.
    pub(crate) fn render(&self, renderer: &mut Renderer) -> Result<String> {
        let mut out = String::new();
        for (keyword, clause) in [("SET ", 0), ("REMOVE ", 1), ("ADD ", 2), ("DELETE ", 3)] {
            let mut first = true;
            for action in self.0.iter().filter(|action| action.clause() == clause) {
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

#[cold]
fn invalid(model: &'static str, path: &PathExpr, reason: InvalidReason) -> Error {
    Error::Invalid { model, attribute: path.to_string().into(), reason }
}

fn render_action(renderer: &mut Renderer, out: &mut String, action: &Action) -> Result<()> {
    match action {
        Action::Set(path, value) => {
            renderer.path(out, path);
            out.push_str(" = ");
            match value {
                SetValue::Operand(operand) => renderer.operand(out, operand)?,
                SetValue::IfNotExists(path, operand) => {
                    out.push_str("if_not_exists(");
                    renderer.path(out, path);
                    out.push_str(", ");
                    renderer.operand(out, operand)?;
                    out.push(')');
                }
                SetValue::Plus(a, b) | SetValue::Minus(a, b) => {
                    renderer.operand(out, a)?;
                    out.push_str(if matches!(value, SetValue::Plus(..)) { " + " } else { " - " });
                    renderer.operand(out, b)?;
                }
                SetValue::Append { path, items, prepend } => {
                    let mut existing = String::from("if_not_exists(");
                    renderer.path(&mut existing, path);
                    existing.push_str(", ");
                    renderer.value(&mut existing, AttributeValue::L(Vec::new()));
                    existing.push(')');
                    let mut new_items = String::new();
                    renderer.operand(&mut new_items, items)?;
                    out.push_str("list_append(");
                    let (first, second) = if *prepend { (&new_items, &existing) } else { (&existing, &new_items) };
                    out.push_str(first);
                    out.push_str(", ");
                    out.push_str(second);
                    out.push(')');
                }
            }
        }
        Action::Remove(path) => renderer.path(out, path),
        Action::Add(path, operand) | Action::Delete(path, operand) => {
            renderer.path(out, path);
            out.push(' ');
            renderer.operand(out, operand)?;
        }
    }
    Ok(())
}
