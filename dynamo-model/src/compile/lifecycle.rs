//! What writes do for the lifecycle attributes a model declares: timestamps, the
//! optimistic-locking version and counters.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::compile::Guard;
use crate::error::{Error, FieldError, RequestReason, Rule};
use crate::expr::{Actions, Comparator, Node, Operand, PathExpr, SetValue};
use crate::{Item, Model, Result};

fn root(name: &'static str) -> PathExpr {
    PathExpr::attribute(name)
}

fn number(n: u64) -> AttributeValue {
    AttributeValue::N(itoa::Buffer::new().format(n).to_owned())
}

/// On a put: `created_at` keeps the value read from DynamoDB and is set to now for a
/// new item (absent or 0); `updated_at` is now.
pub(crate) fn stamp_item<M: Model>(item: &mut Item) {
    if let Some(created) = M::CREATED_AT {
        let unset = match item.get(created.name) {
            None => true,
            Some(AttributeValue::N(n)) => n == "0",
            Some(_) => false,
        };
        if unset {
            item.insert(created.name.to_owned(), created.now());
        }
    }
    if let Some(updated) = M::UPDATED_AT {
        item.insert(updated.name.to_owned(), updated.now());
    }
}

/// On an update: `updated_at = now`, `created_at = if_not_exists(created_at, now)` (so
/// an upsert stamps the new item and nothing else ever changes it), and `version + 1`
/// by `ADD`, so an update never resets the version. Attributes the caller changes
/// explicitly are left to the caller.
pub(crate) fn stamp_update<M: Model>(actions: &mut Actions) {
    if let Some(updated) = M::UPDATED_AT.filter(|t| !actions.touches(t.name)) {
        actions.set_value(&root(updated.name), SetValue::Operand(Operand::Value(updated.now())));
    }
    if let Some(created) = M::CREATED_AT.filter(|t| !actions.touches(t.name)) {
        let path = root(created.name);
        actions.set_value(&path, SetValue::IfNotExists(path.clone(), Operand::Value(created.now())));
    }
    if let Some(version) = M::VERSION.filter(|name| !actions.touches(name)) {
        actions.add_raw(&root(version), Operand::Value(number(1)));
        // The version stays a `u64`: at its largest, the update is refused.
        actions.guards.push(Guard::Bound {
            path: root(version),
            op: Comparator::Le,
            threshold: number(u64::MAX - 1),
            absent_ok: true,
            attribute: version.to_owned(),
            rule: Rule::Max(LAST_VERSION.to_owned()),
            change: "+ 1".to_owned(),
        });
    }
}

/// The version changes only by the `ADD 1` every update makes (an action of the
/// caller's on it, even an `add`, would replace that); `expect_version` needs one, and
/// one that has a next (`u64::MAX` has none).
pub(crate) fn check_version<M: Model>(actions: &Actions, expected: Option<u64>) -> Result<()> {
    check_expected_version::<M>(expected)?;
    if let (Some(name), Some(u64::MAX)) = (M::VERSION, expected) {
        let error = FieldError {
            attribute: name.into(),
            rule: Rule::Max(LAST_VERSION.to_owned()),
            value: format!("{LAST_VERSION} + 1"),
        };
        return Err(Error::Validation { model: M::NAME, errors: vec![error] });
    }
    match M::VERSION.and_then(|version| actions.target(version)) {
        Some(path) => Err(Error::InvalidRequest {
            model: M::NAME,
            reason: RequestReason::VersionWrite { attribute: path.to_string() },
        }),
        None => Ok(()),
    }
}

/// A write that expects a version needs a model with one.
pub(crate) fn check_expected_version<M: Model>(expected: Option<u64>) -> Result<()> {
    if expected.is_some() && M::VERSION.is_none() {
        return Err(Error::InvalidRequest { model: M::NAME, reason: RequestReason::NoVersion });
    }
    Ok(())
}

/// The condition that makes a write of version `expected` + 1 safe: the stored version
/// is `expected`, or for 0 (a new item) there is no item.
pub(crate) fn version_condition<M: Model>(expected: u64) -> Option<Node> {
    let version = M::VERSION?;
    Some(if expected == 0 {
        Node::NotExists(root(M::KEY_SCHEMA.hash.name))
    } else {
        Node::Compare {
            left: Operand::Path(root(version)),
            op: Comparator::Eq,
            right: Operand::Value(number(expected)),
        }
    })
}

/// The largest version a write can make (`u64::MAX`), as a rule's bound.
const LAST_VERSION: &str = "18446744073709551615";

/// On a put of a versioned model: writes `version + 1`; returns the version expected.
/// A version at `u64::MAX` has no next one: the put is refused.
pub(crate) fn bump_version<M: Model>(model: &M, item: &mut Item) -> Result<Option<u64>> {
    let Some(name) = M::VERSION else { return Ok(None) };
    let expected = model.version();
    let Some(next) = expected.checked_add(1) else {
        let error = FieldError {
            attribute: name.into(),
            rule: Rule::Max(LAST_VERSION.to_owned()),
            value: format!("{expected} + 1"),
        };
        return Err(Error::Validation { model: M::NAME, errors: vec![error] });
    };
    item.insert(name.to_owned(), number(next));
    Ok(Some(expected))
}

/// Counters change only by `ADD`: a `SET` or `REMOVE` of one is refused.
pub(crate) fn check_counters<M: Model>(actions: &Actions) -> Result<()> {
    match actions.non_add_target(M::COUNTERS) {
        Some(path) => Err(Error::InvalidRequest {
            model: M::NAME,
            reason: RequestReason::CounterWrite { attribute: path.to_string() },
        }),
        None => Ok(()),
    }
}

/// Now, in epoch seconds, as DynamoDB's TTL counts.
fn epoch_seconds() -> u64 {
    crate::schema::since_epoch().as_secs()
}

/// Whether the item's TTL time has passed (an item without one never expires).
pub(crate) fn expired<M: Model>(item: &Item) -> bool {
    let Some(ttl) = M::TTL else { return false };
    match item.get(ttl) {
        Some(AttributeValue::N(n)) => n.parse::<f64>().is_ok_and(|at| at <= epoch_seconds() as f64),
        _ => false,
    }
}

/// The filter that keeps only unexpired items: `attribute_not_exists(ttl) OR ttl > now`.
pub(crate) fn unexpired_filter<M: Model>() -> Option<Node> {
    let ttl = M::TTL?;
    Some(Node::Or(vec![
        Node::NotExists(root(ttl)),
        Node::Compare {
            left: Operand::Path(root(ttl)),
            op: Comparator::Gt,
            right: Operand::Value(number(epoch_seconds())),
        },
    ]))
}
