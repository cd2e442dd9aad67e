//! What a failed condition means. A write's condition is built from several parts (the
//! item must exist or must not, the version read, the bounds of an increment, the
//! paths the update writes inside, the caller's own condition); when DynamoDB answers
//! `ConditionalCheckFailed` with the item as stored, the part that failed is found on
//! that item, so the error says why.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{Error, FieldError, Rule};
use crate::expr::{ordered, Comparator, Node, Operand, PathExpr};
use crate::Item;

/// A condition the library adds to an update so that DynamoDB refuses it with a failed
/// condition rather than a validation error, or rather than breaking a rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Guard {
    /// The update writes inside this path, or reads it: it must exist.
    Exists(PathExpr),
    /// A write of part of a list, map or set keeps the field's `len` rule:
    /// `size(container) op limit`, unless `unless` holds (the entry written already
    /// exists, or the one removed does not), or the container is absent when that is fine.
    /// No `limit`: no size is small enough (more is added than `max` allows), so only
    /// `unless` lets the write through.
    Length {
        container: PathExpr,
        op: Comparator,
        limit: Option<usize>,
        absent_ok: bool,
        unless: Option<Node>,
        rule: Rule,
        /// Elements the update adds (removes, when negative) at most.
        change: isize,
    },
    /// An increment keeps a field's `min` or `max`: `path op threshold`, or the path
    /// absent when that is fine (`ADD` counts it as 0).
    Bound {
        path: PathExpr,
        op: Comparator,
        threshold: AttributeValue,
        absent_ok: bool,
        /// The field whose rule it is.
        attribute: String,
        rule: Rule,
        /// The change, such as `+ 5`.
        change: String,
    },
}

impl Guard {
    /// The condition DynamoDB checks.
    pub(crate) fn node(&self) -> Node {
        match self {
            Guard::Exists(path) => Node::Exists(path.clone()),
            Guard::Length { container, op, limit, absent_ok, unless, .. } => {
                let size = limit.map(|limit| Node::Compare {
                    left: Operand::Size(container.clone()),
                    op: *op,
                    right: Operand::Value(AttributeValue::N(limit.to_string())),
                });
                let alternatives: Vec<Node> = unless
                    .iter()
                    .cloned()
                    .chain((*absent_ok && limit.is_some()).then(|| Node::NotExists(container.clone())))
                    .chain(size)
                    .collect();
                match <[Node; 1]>::try_from(alternatives) {
                    Ok([only]) => only,
                    Err(alternatives) => Node::Or(alternatives),
                }
            }
            Guard::Bound { path, op, threshold, absent_ok, .. } => {
                let compare = Node::Compare {
                    left: Operand::Path(path.clone()),
                    op: *op,
                    right: Operand::Value(threshold.clone()),
                };
                if *absent_ok {
                    Node::Or(vec![Node::NotExists(path.clone()), compare])
                } else {
                    compare
                }
            }
        }
    }

    /// Whether the guard holds for the item as stored (`None`: no item).
    fn holds(&self, item: Option<&Item>) -> bool {
        match self {
            Guard::Exists(path) => item.and_then(|item| path.lookup(item)).is_some(),
            Guard::Length { container, op, limit, absent_ok, unless, .. } => {
                let excused = unless.as_ref().is_some_and(|unless| excuses(unless, item));
                let Some(limit) = *limit else { return excused };
                let size = match item.and_then(|item| container.lookup(item)) {
                    None => return excused || *absent_ok,
                    Some(value) => match elements(value) {
                        Some(size) => size,
                        None => return true,
                    },
                };
                excused || if *op == Comparator::Ge { size >= limit } else { size <= limit }
            }
            Guard::Bound { path, op, threshold, absent_ok, .. } => match item.and_then(|item| path.lookup(item)) {
                None => *absent_ok,
                Some(value) => ordered(value, threshold).is_some_and(|order| op.accepts(order)),
            },
        }
    }
}

/// What kind of write failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteKind {
    /// A put; `if_not_exists` when it only creates.
    Put { if_not_exists: bool },
    /// An update; without `upsert` the item must exist.
    Update { upsert: bool },
    /// A delete.
    Delete,
    /// A condition check (in a transaction).
    Check,
}

/// How to read a failed condition of one compiled write, for its model.
#[derive(Debug, Clone)]
pub struct WriteFailure {
    pub(crate) model: &'static str,
    pub(crate) table: String,
    pub(crate) kind: WriteKind,
    /// The `#[dynamo(version)]` attribute and the version the write expects.
    pub(crate) version: Option<(&'static str, u64)>,
    pub(crate) guards: Vec<Guard>,
    /// For a model in a shared table: its marker attribute and value.
    pub(crate) entity: Option<(&'static str, &'static str)>,
}

impl WriteFailure {
    /// The error that explains why the condition failed, given the item as stored when
    /// it did (`None`: there was none).
    pub(crate) fn explain(self, item: Option<Item>) -> Error {
        let WriteFailure { model, table, kind, version, guards, entity } = self;
        if let (Some((attribute, name)), Some(stored)) = (entity, &item) {
            let found = match stored.get(attribute) {
                Some(AttributeValue::S(found)) if found == name => None,
                Some(AttributeValue::S(found)) => Some(found.clone()),
                Some(other) => Some(crate::value::describe(other)),
                None => Some("no entity marker".to_owned()),
            };
            if let Some(found) = found {
                return Error::WrongEntity { model, table, found, item: Box::new(item.unwrap_or_default()) };
            }
        }
        match kind {
            WriteKind::Put { if_not_exists: true } if item.is_some() => {
                return Error::AlreadyExists { model, table };
            }
            WriteKind::Update { upsert: false } if item.is_none() => return Error::NotFound { model, table },
            _ => {}
        }
        if let Some((name, expected)) = version {
            let moved = match &item {
                None => expected != 0,
                Some(item) => match item.get(name) {
                    Some(AttributeValue::N(n)) => n.parse::<u64>().ok() != Some(expected),
                    _ => expected != 0,
                },
            };
            if moved {
                return Error::VersionConflict { model, table, expected, current: item.map(Box::new) };
            }
        }
        // A path that is missing explains the others' failing too: it comes first.
        let broken = guards
            .iter()
            .find(|guard| matches!(guard, Guard::Exists(_)) && !guard.holds(item.as_ref()))
            .or_else(|| guards.iter().find(|guard| !guard.holds(item.as_ref())));
        if let Some(guard) = broken {
            match guard {
                Guard::Exists(path) => {
                    return Error::PathNotFound { model, table, path: path.to_string(), item: item.map(Box::new) }
                }
                Guard::Length { container, rule, change, .. } => {
                    let size = item.as_ref().and_then(|item| container.lookup(item)).and_then(elements).unwrap_or(0);
                    let error = FieldError {
                        attribute: container.to_string().into(),
                        rule: rule.clone(),
                        value: if *change < 0 {
                            format!("{size} - {}", change.unsigned_abs())
                        } else {
                            format!("{size} + {change}")
                        },
                    };
                    return Error::Validation { model, errors: vec![error] };
                }
                Guard::Bound { path, attribute, rule, change, .. } => {
                    let current = match item.as_ref().and_then(|item| path.lookup(item)) {
                        Some(AttributeValue::N(n)) => n.clone(),
                        _ => "0".to_owned(),
                    };
                    let error = FieldError {
                        attribute: attribute.clone().into(),
                        rule: rule.clone(),
                        value: format!("{current} {change}"),
                    };
                    return Error::Validation { model, errors: vec![error] };
                }
            }
        }
        Error::ConditionFailed { model, table, item: item.map(Box::new) }
    }
}

/// Whether the excuse of a length guard held for the item as stored: the shapes
/// `Actions` builds (an entry present or absent, a set larger than some size, or either).
fn excuses(node: &Node, item: Option<&Item>) -> bool {
    let find = |path: &PathExpr| item.and_then(|item| path.lookup(item));
    match node {
        Node::Exists(path) => find(path).is_some(),
        Node::NotExists(path) => find(path).is_none(),
        Node::Or(nodes) => nodes.iter().any(|node| excuses(node, item)),
        Node::And(nodes) => nodes.iter().all(|node| excuses(node, item)),
        Node::Compare {
            left: Operand::Size(path),
            op: Comparator::Gt,
            right: Operand::Value(AttributeValue::N(n)),
        } => {
            let Some(size) = find(path).and_then(elements) else { return false };
            n.parse::<usize>().is_ok_and(|n| size > n)
        }
        _ => false,
    }
}

/// How many elements, entries or members a list, map or set holds (DynamoDB's `size()`
/// of it); `None` for any other value.
pub(crate) fn elements(value: &AttributeValue) -> Option<usize> {
    match value {
        AttributeValue::L(list) => Some(list.len()),
        AttributeValue::M(map) => Some(map.len()),
        AttributeValue::Ss(set) => Some(set.len()),
        AttributeValue::Ns(set) => Some(set.len()),
        AttributeValue::Bs(set) => Some(set.len()),
        _ => None,
    }
}
