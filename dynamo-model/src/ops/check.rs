use super::conditional::{compile_keyed, Conditional};
use crate::compile::{CompiledCheck, WriteKind};
use crate::expr::Condition;
use crate::{Db, Model, ModelKey, Result};

/// A condition on one item that a transaction's writes depend on (DynamoDB's
/// `ConditionCheck`). Made by [`Model::check`]; compiled like a write's condition, with
/// the same checks. DynamoDB runs condition checks only inside transactions.
///
/// ```
/// use dynamo_model::{Db, Model};
///
/// #[derive(Model, Debug)]
/// #[dynamo(table = "customers")]
/// struct Customer { #[dynamo(hash_key)] id: String, active: bool }
///
/// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
/// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
/// let check = Customer::check(&db, Customer::key("c1"), Customer::ACTIVE.eq(true)).compile()?;
/// assert_eq!(check.expressions.condition.as_deref(), Some("#n0 = :v0"));
/// # Ok::<(), dynamo_model::Error>(())
/// ```
#[must_use = "a condition check does nothing until a transaction carries it"]
#[derive(Debug)]
pub struct Check<'a, M: Model> {
    db: &'a Db,
    key: M::Key,
    conditional: Conditional<M>,
    expected_version: Option<u64>,
}

impl<'a, M: Model> Check<'a, M> {
    pub(crate) fn new(db: &'a Db, key: M::Key, condition: Condition<M>) -> Self {
        let mut conditional = Conditional::default();
        conditional.add(condition);
        Self { db, key, conditional, expected_version: None }
    }

    /// One more condition (combined with AND).
    pub fn condition(mut self, condition: impl Into<Condition<M>>) -> Self {
        self.conditional.add(condition.into());
        self
    }

    /// Holds only if the stored `#[dynamo(version)]` is `version`.
    pub fn expect_version(mut self, version: u64) -> Self {
        self.expected_version = Some(version);
        self
    }

    /// The checked description of the condition check.
    pub fn compile(&self) -> Result<CompiledCheck> {
        let (table, expressions, failure) =
            compile_keyed(self.db, WriteKind::Check, &self.conditional, self.expected_version)?;
        Ok(CompiledCheck { table, key: self.key.to_key_item()?, expressions, failure })
    }
}
