//! One render pass per request: every expression of the request (key condition,
//! filter, condition, projection, update) is written by one [`Renderer`], which hands
//! out `#nN` placeholders for attribute names and `:vN` for values.
//!
//! No user text ever lands in an expression string, so reserved words (`name`,
//! `status`, `ttl`…) and odd characters need no care. Placeholders are numbered in the
//! order they first appear, a name or value used twice gets one placeholder, and only
//! placeholders that were written are sent: the output is deterministic and never
//! carries the unused entries DynamoDB rejects.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write;

use aws_sdk_dynamodb::types::AttributeValue;

use super::condition::{Node, Operand};
use super::path::{PathExpr, Segment};
use crate::error::{Error, InvalidReason};

/// DynamoDB's limit on the values of one `IN`.
const MAX_IN_OPERANDS: usize = 100;
use crate::Result;

/// Expression strings and their placeholder maps, as one request sends them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// The expression.
    pub expression: String,
    /// `#nN` → attribute name.
    pub names: HashMap<String, String>,
    /// `:vN` → value.
    pub values: HashMap<String, AttributeValue>,
}

/// `ExpressionAttributeNames` and `ExpressionAttributeValues`, `None` when empty.
pub(crate) type Placeholders = (Option<HashMap<String, String>>, Option<HashMap<String, AttributeValue>>);

/// The placeholder allocator of one request.
#[derive(Debug)]
pub(crate) struct Renderer {
    model: &'static str,
    names: Vec<Cow<'static, str>>,
    values: Vec<AttributeValue>,
}

impl Renderer {
    pub(crate) fn new(model: &'static str) -> Self {
        Self { model, names: Vec::new(), values: Vec::new() }
    }

    // Takes the `Cow` itself so a borrowed name is stored without allocating.
    #[allow(clippy::ptr_arg)]
    fn name(&mut self, out: &mut String, name: &Cow<'static, str>) {
        let index = match self.names.iter().position(|n| n == name) {
            Some(index) => index,
            None => {
                self.names.push(name.clone());
                self.names.len() - 1
            }
        };
        out.push_str("#n");
        out.push_str(itoa::Buffer::new().format(index));
    }

    pub(crate) fn path(&mut self, out: &mut String, path: &PathExpr) {
        self.name(out, &Cow::Borrowed(path.root));
        for segment in &path.tail {
            match segment {
                Segment::Attr(name) => {
                    out.push('.');
                    self.name(out, name);
                }
                Segment::Index(i) => {
                    out.push('[');
                    out.push_str(itoa::Buffer::new().format(*i));
                    out.push(']');
                }
            }
        }
    }

    pub(crate) fn value(&mut self, out: &mut String, value: AttributeValue) {
        let index = match self.values.iter().position(|v| *v == value) {
            Some(index) => index,
            None => {
                self.values.push(value);
                self.values.len() - 1
            }
        };
        out.push_str(":v");
        out.push_str(itoa::Buffer::new().format(index));
    }

    pub(crate) fn operand(&mut self, out: &mut String, operand: &Operand) -> Result<()> {
        match operand {
            Operand::Value(value) => self.value(out, value.clone()),
            Operand::Path(path) => self.path(out, path),
            Operand::Size(path) => {
                out.push_str("size(");
                self.path(out, path);
                out.push(')');
            }
            Operand::Invalid { path, error } => return Err(self.invalid(path, error.clone())),
        }
        Ok(())
    }

    #[cold]
    fn invalid(&self, path: &PathExpr, error: crate::error::EncodeError) -> Error {
        match error.into_error(self.model, path.root) {
            Error::Invalid { model, reason, .. } => {
                Error::Invalid { model, attribute: Cow::Owned(path.to_string()), reason }
            }
            other => other,
        }
    }

    pub(crate) fn condition(&mut self, out: &mut String, node: &Node) -> Result<()> {
        match node {
            Node::Compare { left, op, right } => {
                self.operand(out, left)?;
                out.push(' ');
                out.push_str(op.symbol());
                out.push(' ');
                self.operand(out, right)?;
            }
            Node::Between { path, low, high } => {
                self.operand(out, path)?;
                out.push_str(" BETWEEN ");
                self.operand(out, low)?;
                out.push_str(" AND ");
                self.operand(out, high)?;
            }
            Node::In { path, values } => {
                if values.is_empty() || values.len() > MAX_IN_OPERANDS {
                    let reason = InvalidReason::InOperands { count: values.len(), max: MAX_IN_OPERANDS };
                    return Err(Error::Invalid { model: self.model, attribute: Cow::Owned(path.to_string()), reason });
                }
                self.path(out, path);
                out.push_str(" IN (");
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.operand(out, value)?;
                }
                out.push(')');
            }
            Node::BeginsWith { path, prefix } => self.function(out, "begins_with", path, Some(prefix))?,
            Node::Contains { path, value } => self.function(out, "contains", path, Some(value))?,
            Node::Exists(path) => self.function(out, "attribute_exists", path, None)?,
            Node::NotExists(path) => self.function(out, "attribute_not_exists", path, None)?,
            Node::Type { path, ty } => {
                out.push_str("attribute_type(");
                self.path(out, path);
                out.push_str(", ");
                self.value(out, AttributeValue::S(ty.code().to_owned()));
                out.push(')');
            }
            Node::And(children) => {
                for (i, child) in children.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" AND ");
                    }
                    self.grouped(out, child, matches!(child, Node::Or(_)))?;
                }
            }
            Node::Or(children) => {
                for (i, child) in children.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" OR ");
                    }
                    self.condition(out, child)?;
                }
            }
            Node::Not(child) => {
                out.push_str("NOT ");
                self.grouped(out, child, matches!(**child, Node::And(_) | Node::Or(_)))?;
            }
        }
        Ok(())
    }

    fn grouped(&mut self, out: &mut String, node: &Node, parenthesize: bool) -> Result<()> {
        if parenthesize {
            out.push('(');
        }
        self.condition(out, node)?;
        if parenthesize {
            out.push(')');
        }
        Ok(())
    }

    fn function(&mut self, out: &mut String, name: &str, path: &PathExpr, arg: Option<&Operand>) -> Result<()> {
        out.push_str(name);
        out.push('(');
        self.path(out, path);
        if let Some(arg) = arg {
            out.push_str(", ");
            self.operand(out, arg)?;
        }
        out.push(')');
        Ok(())
    }

    /// A projection: the paths, comma-separated.
    pub(crate) fn projection<'p>(&mut self, paths: impl IntoIterator<Item = &'p PathExpr>) -> String {
        let mut out = String::new();
        for (i, path) in paths.into_iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.path(&mut out, path);
        }
        out
    }

    /// A condition on its own.
    pub(crate) fn condition_string(&mut self, node: &Node) -> Result<String> {
        let mut out = String::new();
        self.condition(&mut out, node)?;
        Ok(out)
    }

    /// The placeholder maps, `None` when empty (DynamoDB rejects empty maps).
    pub(crate) fn finish(self) -> Placeholders {
        let names = (!self.names.is_empty()).then(|| {
            let mut key = String::new();
            self.names
                .into_iter()
                .enumerate()
                .map(|(i, name)| {
                    key.clear();
                    let _ = write!(key, "#n{i}");
                    (key.clone(), name.into_owned())
                })
                .collect()
        });
        let values = (!self.values.is_empty())
            .then(|| self.values.into_iter().enumerate().map(|(i, value)| (format!(":v{i}"), value)).collect());
        (names, values)
    }
}
