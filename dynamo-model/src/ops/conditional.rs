//! The condition part of put, update, delete and condition checks.

use std::marker::PhantomData;

use crate::compile::{lifecycle, Compiler, Expressions, Guard, WriteFailure, WriteKind};
use crate::expr::{Actions, Condition, Node, PathExpr};
use crate::{Db, Model, Result};

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

/// What every write's compile step ends with: its update (if any) and condition rendered
/// with one placeholder allocator and checked against DynamoDB's limits, and how to read
/// its failure. Returns the full table name too.
pub(crate) fn compile_write<M: Model>(
    db: &Db,
    kind: WriteKind,
    expected_version: Option<u64>,
    condition: Option<Node>,
    update: Option<&Actions>,
    guards: Vec<Guard>,
) -> Result<(String, Expressions, WriteFailure)> {
    let mut compiler = Compiler::new(M::NAME);
    if let Some(actions) = update {
        compiler.update(actions)?;
    }
    // In a shared table, a write never touches another model's item under the same key.
    let condition = match crate::single_table::write_condition::<M>() {
        Some(entity) => Some(match condition {
            Some(condition) => both::<M>(Some(entity), condition),
            None => entity,
        }),
        None => condition,
    };
    compiler.condition(condition.as_ref())?;
    let expressions = compiler.finish()?;
    let table = db.table_name::<M>();
    let failure = WriteFailure {
        model: M::NAME,
        table: table.clone(),
        kind,
        version: M::VERSION.zip(expected_version),
        guards,
        entity: M::ENTITY.map(|entity| (entity.attribute, entity.name)),
    };
    Ok((table, expressions, failure))
}

/// A write on one item by key with the caller's condition and an optional expected
/// version: what a delete and a condition check compile to.
pub(crate) fn compile_keyed<M: Model>(
    db: &Db,
    kind: WriteKind,
    conditional: &Conditional<M>,
    expected_version: Option<u64>,
) -> Result<(String, Expressions, WriteFailure)> {
    lifecycle::check_expected_version::<M>(expected_version)?;
    let first = expected_version.and_then(lifecycle::version_condition::<M>).into_iter().collect();
    compile_write::<M>(db, kind, expected_version, conditional.with(first), None, Vec::new())
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
