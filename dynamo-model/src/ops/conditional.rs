//! The condition part of put, update and delete.

use std::marker::PhantomData;

use crate::expr::{Condition, Node, PathExpr, Renderer};
use crate::{Model, Result};

/// The user's conditions on a write, ANDed together.
#[derive(Debug)]
pub(crate) struct Conditional<M> {
    pub(crate) node: Option<Node>,
    pub(crate) marker: PhantomData<fn() -> M>,
}

impl<M> Default for Conditional<M> {
    fn default() -> Self {
        Self { node: None, marker: PhantomData }
    }
}

impl<M> Conditional<M> {
    pub(crate) fn add(&mut self, condition: Condition<M>) {
        self.node = Some(both::<M>(self.node.take(), condition.node));
    }

    pub(crate) fn is_set(&self) -> bool {
        self.node.is_some()
    }

    /// Renders `first AND the user's conditions`, or `None` when there are none.
    pub(crate) fn render(&self, renderer: &mut Renderer, first: Option<Node>) -> Result<Option<String>> {
        let node = match (first, self.node.clone()) {
            (first, Some(user)) => both::<M>(first, user),
            (Some(first), None) => first,
            (None, None) => return Ok(None),
        };
        renderer.condition_string(&node).map(Some)
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
    PathExpr { root: M::KEY_SCHEMA.hash.name, tail: Vec::new() }
}

/// `attribute_exists(hash key)`: the item exists.
pub(crate) fn exists_condition<M: Model>() -> Node {
    Node::Exists(hash_path::<M>())
}

/// `attribute_not_exists(hash key)`: no item with this key exists.
pub(crate) fn not_exists_condition<M: Model>() -> Node {
    Node::NotExists(hash_path::<M>())
}
