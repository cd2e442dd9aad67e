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

use super::condition::{InvalidOperand, Node, Operand};
use super::path::{PathExpr, Segment};
use crate::error::{Error, RequestReason};

/// DynamoDB's limit on the values of one `IN`.
const MAX_IN_OPERANDS: usize = 100;
/// The largest list index DynamoDB reads in a path (a Java `int`).
const MAX_LIST_INDEX: usize = i32::MAX as usize;
use crate::Result;

/// One expression and its placeholder maps, as a request would send them: what
/// [`Condition::render`](super::Condition::render) returns (which has an example). A
/// request's own expressions are in its [`Expressions`](crate::compile::Expressions).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// The expression.
    pub expression: String,
    /// `#nN` → attribute name (DynamoDB's `ExpressionAttributeNames`).
    pub names: HashMap<String, String>,
    /// `:vN` → value (DynamoDB's `ExpressionAttributeValues`).
    pub values: HashMap<String, AttributeValue>,
}

/// `ExpressionAttributeNames` and `ExpressionAttributeValues`, `None` when empty.
pub(crate) type Placeholders = (Option<HashMap<String, String>>, Option<HashMap<String, AttributeValue>>);

/// The placeholder allocator of one request. It also counts, per expression, the
/// operators and functions DynamoDB limits (see [`Renderer::take_counts`]).
#[derive(Debug)]
pub(crate) struct Renderer {
    model: &'static str,
    names: Vec<Cow<'static, str>>,
    values: Vec<AttributeValue>,
    operators: usize,
    /// What the names and values written so far weigh in DynamoDB's "expression size":
    /// every occurrence counts.
    substituted: usize,
}

impl Renderer {
    pub(crate) fn new(model: &'static str) -> Self {
        Self { model, names: Vec::new(), values: Vec::new(), operators: 0, substituted: 0 }
    }

    /// The model the request is for.
    pub(crate) fn model(&self) -> &'static str {
        self.model
    }

    /// One more operator or function in the expression being written.
    pub(crate) fn count_operator(&mut self) {
        self.operators += 1;
    }

    /// The operators and functions written since the last call, and the size of the
    /// names and values written: one expression's counts.
    pub(crate) fn take_counts(&mut self) -> (usize, usize) {
        (std::mem::take(&mut self.operators), std::mem::take(&mut self.substituted))
    }

    // Takes the `Cow` itself so a borrowed name is stored without allocating.
    #[allow(clippy::ptr_arg)]
    fn name(&mut self, out: &mut String, name: &Cow<'static, str>) {
        self.substituted += name.len();
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

    /// A document path: every name a placeholder, list indexes as they are. An empty
    /// name, or an "element" of a binary, is refused.
    pub(crate) fn path(&mut self, out: &mut String, path: &PathExpr) -> Result<()> {
        crate::compile::values::check_name(path.root).map_err(|e| e.into_error_at(self.model, &path.to_string()))?;
        self.name(out, &Cow::Borrowed(path.root));
        for segment in &path.tail {
            match segment {
                Segment::Attr(name) => {
                    crate::compile::values::check_name(name)
                        .map_err(|e| e.into_error_at(self.model, &path.to_string()))?;
                    out.push('.');
                    self.name(out, name);
                }
                Segment::Index(i) if *i > MAX_LIST_INDEX => {
                    return Err(self.request(RequestReason::ListIndex { attribute: path.to_string(), index: *i }));
                }
                Segment::Index(i) => {
                    out.push('[');
                    out.push_str(itoa::Buffer::new().format(*i));
                    out.push(']');
                }
                Segment::ByteIndex(_) => {
                    return Err(self.request(RequestReason::NotAList { attribute: path.to_string() }));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn value(&mut self, out: &mut String, value: AttributeValue) {
        self.substituted += crate::limits::attribute_size(&value);
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
            Operand::Path(path) => self.path(out, path)?,
            Operand::Size(path) => self.function(out, "size", path, None)?,
            Operand::Invalid(invalid) => return Err(self.invalid(invalid)),
        }
        Ok(())
    }

    #[cold]
    fn invalid(&self, invalid: &InvalidOperand) -> Error {
        match invalid {
            InvalidOperand::Value { path, error } => error.clone().into_error_at(self.model, &path.to_string()),
            InvalidOperand::Request(reason) => self.request(reason.clone()),
        }
    }

    #[cold]
    fn request(&self, reason: RequestReason) -> Error {
        Error::InvalidRequest { model: self.model, reason }
    }

    pub(crate) fn condition(&mut self, out: &mut String, node: &Node) -> Result<()> {
        match node {
            Node::Compare { left, op, right } => {
                if let (Operand::Path(a), Operand::Path(b)) = (left, right) {
                    if a == b {
                        return Err(self.request(RequestReason::SelfComparison { attribute: a.to_string() }));
                    }
                }
                self.operand(out, left)?;
                out.push(' ');
                out.push_str(op.symbol());
                out.push(' ');
                self.count_operator();
                self.operand(out, right)?;
            }
            Node::Between { path, low, high } => {
                if let (Operand::Value(low), Operand::Value(high)) = (low, high) {
                    if ordered(low, high) == Some(std::cmp::Ordering::Greater) {
                        let attribute = match path {
                            Operand::Path(path) => path.to_string(),
                            _ => String::new(),
                        };
                        return Err(self.request(RequestReason::BetweenBounds { attribute }));
                    }
                }
                self.operand(out, path)?;
                out.push_str(" BETWEEN ");
                self.count_operator();
                self.operand(out, low)?;
                out.push_str(" AND ");
                self.operand(out, high)?;
            }
            Node::In { path, values } => {
                if values.is_empty() || values.len() > MAX_IN_OPERANDS {
                    let reason = RequestReason::InOperands {
                        attribute: path.to_string(),
                        count: values.len(),
                        max: MAX_IN_OPERANDS,
                    };
                    return Err(self.request(reason));
                }
                self.path(out, path)?;
                out.push_str(" IN (");
                self.count_operator();
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
                self.function_with_value(out, "attribute_type", path, AttributeValue::S(ty.code().to_owned()))?
            }
            Node::And(children) => {
                for (i, child) in children.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" AND ");
                        self.count_operator();
                    }
                    self.grouped(out, child, matches!(child, Node::Or(_)))?;
                }
            }
            Node::Or(children) => {
                for (i, child) in children.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" OR ");
                        self.count_operator();
                    }
                    self.condition(out, child)?;
                }
            }
            Node::Not(child) => {
                // A chain of NOTs, written in a loop rather than one call deeper each.
                let mut innermost = child;
                out.push_str("NOT ");
                self.count_operator();
                while let Node::Not(next) = &**innermost {
                    out.push_str("NOT ");
                    self.count_operator();
                    innermost = next;
                }
                self.grouped(out, innermost, matches!(**innermost, Node::And(_) | Node::Or(_)))?;
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

    /// `name(path)` or `name(path, arg)`.
    pub(crate) fn function(
        &mut self,
        out: &mut String,
        name: &str,
        path: &PathExpr,
        arg: Option<&Operand>,
    ) -> Result<()> {
        out.push_str(name);
        out.push('(');
        self.count_operator();
        self.path(out, path)?;
        if let Some(arg) = arg {
            out.push_str(", ");
            self.operand(out, arg)?;
        }
        out.push(')');
        Ok(())
    }

    /// `name(path, value)`.
    pub(crate) fn function_with_value(
        &mut self,
        out: &mut String,
        name: &str,
        path: &PathExpr,
        value: AttributeValue,
    ) -> Result<()> {
        self.function(out, name, path, Some(&Operand::Value(value)))
    }

    /// A projection: the paths, comma-separated; the same path twice, or a path and one
    /// inside it, is refused.
    pub(crate) fn projection<'p>(&mut self, paths: impl IntoIterator<Item = &'p PathExpr>) -> Result<String> {
        let mut out = String::new();
        let mut written: Vec<&PathExpr> = Vec::new();
        for path in paths {
            if let Some(other) = written.iter().find(|other| other.overlaps(path)) {
                return Err(self.request(RequestReason::OverlappingProjection {
                    path: path.to_string(),
                    other: other.to_string(),
                }));
            }
            if !written.is_empty() {
                out.push_str(", ");
            }
            self.path(&mut out, path)?;
            written.push(path);
        }
        Ok(out)
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

/// How two values of one type compare in DynamoDB: strings and binaries byte by byte,
/// numbers by value; `None` for other types or two types.
pub(crate) fn ordered(a: &AttributeValue, b: &AttributeValue) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (AttributeValue::S(a), AttributeValue::S(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        (AttributeValue::B(a), AttributeValue::B(b)) => Some(a.as_ref().cmp(b.as_ref())),
        (AttributeValue::N(a), AttributeValue::N(b)) => {
            Some(crate::limits::Number::parse(a)?.compare(&crate::limits::Number::parse(b)?))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{Comparator, PathExpr};

    fn leaf() -> Node {
        Node::Compare {
            left: Operand::Path(PathExpr::attribute("a")),
            op: Comparator::Eq,
            right: Operand::Value(AttributeValue::N("1".into())),
        }
    }

    /// Conditions as deep as DynamoDB's 300 operators allow render on a test thread's
    /// 2 MB stack in a debug build: chains of NOT, and ANDs and ORs nested in turn.
    #[test]
    fn the_deepest_conditions_dynamodb_takes_render_without_exhausting_the_stack() {
        let rendered = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(|| {
                let mut not = leaf();
                for _ in 0..299 {
                    not = Node::Not(Box::new(not));
                }
                let mut nested = leaf();
                for i in 0..150 {
                    nested = if i % 2 == 0 { Node::And(vec![leaf(), nested]) } else { Node::Or(vec![leaf(), nested]) };
                }
                let mut renderer = Renderer::new("Doc");
                assert_eq!(not.paths().len(), 1);
                let not = renderer.condition_string(&not).map(|s| s.len());
                let nested = renderer.condition_string(&nested).map(|s| s.len());
                (not, nested)
            })
            .expect("a thread")
            .join()
            .expect("no stack overflow");
        assert!(rendered.0.is_ok() && rendered.1.is_ok());
    }
}
