//! Rendering the expressions of one request, with DynamoDB's limits on each: its length,
//! its operators and functions, and the size of all names and values together.

use crate::error::{Error, RequestReason};
use crate::expr::{Actions, Node, PathExpr, Renderer};
use crate::limits::attribute_size;
use crate::Result;

use super::Expressions;

/// The longest expression string DynamoDB accepts, in bytes, as sent (placeholders
/// and all).
pub const MAX_EXPRESSION_LEN: usize = 4096;
/// The most operators and functions one expression may hold.
pub const MAX_OPERATORS: usize = 300;
/// The largest size of all expression attribute names and values of one request.
pub const MAX_SUBSTITUTIONS: usize = 2 * 1024 * 1024;
/// The largest "expression size" of one expression: its length, plus the size of each
/// name and value at each place it is used.
pub const MAX_EXPRESSION_SIZE: usize = 1024 * 1024;

/// Writes the expressions of one request with one placeholder allocator.
#[derive(Debug)]
pub(crate) struct Compiler {
    renderer: Renderer,
    out: Expressions,
}

impl Compiler {
    pub(crate) fn new(model: &'static str) -> Self {
        Self { renderer: Renderer::new(model), out: Expressions::default() }
    }

    /// The key condition: `hash = value` and the sort-key condition, if any.
    pub(crate) fn key_condition(&mut self, hash: &Node, range: Option<&Node>) -> Result<()> {
        let mut out = String::new();
        self.renderer.condition(&mut out, hash)?;
        if let Some(range) = range {
            out.push_str(" AND ");
            self.renderer.count_operator();
            self.renderer.condition(&mut out, range)?;
        }
        self.out.key_condition = Some(self.limited("key condition", out)?);
        Ok(())
    }

    /// The condition of a write or check.
    pub(crate) fn condition(&mut self, node: Option<&Node>) -> Result<()> {
        if let Some(node) = node {
            let rendered = self.renderer.condition_string(node)?;
            self.out.condition = Some(self.limited("condition", rendered)?);
        }
        Ok(())
    }

    /// The filter of a query or scan.
    pub(crate) fn filter(&mut self, node: Option<&Node>) -> Result<()> {
        if let Some(node) = node {
            let rendered = self.renderer.condition_string(node)?;
            self.out.filter = Some(self.limited("filter", rendered)?);
        }
        Ok(())
    }

    /// The update expression; none for an update without actions.
    pub(crate) fn update(&mut self, actions: &Actions) -> Result<()> {
        let rendered = actions.render(&mut self.renderer)?;
        if !rendered.is_empty() {
            self.out.update = Some(self.limited("update", rendered)?);
        }
        Ok(())
    }

    /// The projection.
    pub(crate) fn projection(&mut self, paths: &[PathExpr]) -> Result<()> {
        let rendered = self.renderer.projection(paths)?;
        self.out.projection = Some(self.limited("projection", rendered)?);
        Ok(())
    }

    /// The expressions and their placeholders, checked for their total size.
    pub(crate) fn finish(self) -> Result<Expressions> {
        let model = self.renderer.model();
        let (names, values) = self.renderer.finish();
        let size = names.iter().flatten().map(|(placeholder, name)| placeholder.len() + name.len()).sum::<usize>()
            + values
                .iter()
                .flatten()
                .map(|(placeholder, value)| placeholder.len() + attribute_size(value))
                .sum::<usize>();
        if size > MAX_SUBSTITUTIONS {
            return Err(Error::InvalidRequest {
                model,
                reason: RequestReason::SubstitutionsTooLarge { size, max: MAX_SUBSTITUTIONS },
            });
        }
        Ok(Expressions { names, values, ..self.out })
    }

    /// `expression` if it is within DynamoDB's limits on one expression.
    fn limited(&mut self, kind: &'static str, expression: String) -> Result<String> {
        let model = self.renderer.model();
        let (operators, substituted) = self.renderer.take_counts();
        let size = expression.len() + substituted;
        if size > MAX_EXPRESSION_SIZE {
            return Err(Error::InvalidRequest {
                model,
                reason: RequestReason::ExpressionTooLarge { expression: kind, size, max: MAX_EXPRESSION_SIZE },
            });
        }
        if expression.len() > MAX_EXPRESSION_LEN {
            return Err(Error::InvalidRequest {
                model,
                reason: RequestReason::ExpressionTooLong {
                    expression: kind,
                    len: expression.len(),
                    max: MAX_EXPRESSION_LEN,
                },
            });
        }
        if operators > MAX_OPERATORS {
            return Err(Error::InvalidRequest {
                model,
                reason: RequestReason::TooManyOperators { expression: kind, count: operators, max: MAX_OPERATORS },
            });
        }
        Ok(expression)
    }
}
