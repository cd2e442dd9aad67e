//! The condition part of put, update, delete and condition checks.

use std::marker::PhantomData;

use crate::expr::{Condition, Node, PathExpr};
use crate::Model;

/// The caller's conditions on a write, ANDed together.
#[derive(Debug)]
pub(crate) struct Conditional<M> {
    node: Option<Node>,
    marker: PhantomData<fn() -> M>,
}

impl<M> Default for Conditional<M> {
    fn default() -> Self {
        Self { node: None, marker: PhantomData }
    }
}

impl<M> Clone for Conditional<M> {
    fn clone(&self) -> Self {
        Self { node: self.node.clone(), marker: PhantomData }
    }
}

impl<M> Conditional<M> {
    pub(crate) fn add(&mut self, condition: Condition<M>) {
        self.node = Some(both::<M>(self.node.take(), condition.node));
    }

    /// The library's own conditions (`first`), then the caller's, ANDed; `None` when
    /// there are none.
    pub(crate) fn with(&self, first: Vec<Node>) -> Option<Node> {
        first.into_iter().chain(self.node.clone()).reduce(|all, next| both::<M>(Some(all), next))
    }
}

/// `first AND second`.
pub(crate) fn both<M>(first: Option<Node>, second: Node) -> Node {
    match first {
        Some(first) => Condition::<M>::from_node(first).and(Condition::from_node(second)).node,
        None => second,
    }
}

fn hash_path<M: Model>() -> PathExpr {
    PathExpr::attribute(M::KEY_SCHEMA.hash.name)
}

/// `attribute_exists(hash key)`: the item exists.
pub(crate) fn exists_condition<M: Model>() -> Node {
    Node::Exists(hash_path::<M>())
}

/// `attribute_not_exists(hash key)`: no item with this key exists.
pub(crate) fn not_exists_condition<M: Model>() -> Node {
    Node::NotExists(hash_path::<M>())
}
