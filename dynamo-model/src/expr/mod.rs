//! Typed expressions: paths, conditions, key conditions, projections and updates,
//! rendered in one pass per request.
//!
//! The expression tree is plain data, built from the typed paths `#[derive(Model)]`
//! generates ([`Path`]); each operation renders all of its expressions with one
//! placeholder allocator (see [`Rendered`] for the shape), so every attribute name is a
//! `#nN` placeholder and every value a `:vN` placeholder.

mod condition;
mod path;
mod render;
mod update;

pub use condition::{AttributeType, Condition, Containable, HasSize, KeyComparison, Ordered, Size};
pub use path::{Bounds, Codec, Encoder, Field, Layout, Nested, Path};
pub use render::Rendered;
pub use update::{Arithmetic, Numeric, SetType};

pub use crate::schema::NoRange;

pub(crate) use condition::{Comparator, Node, Operand};
pub(crate) use path::PathExpr;
pub(crate) use render::{ordered, Renderer};
pub(crate) use update::{Actions, SetValue};
