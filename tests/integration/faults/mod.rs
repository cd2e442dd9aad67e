//! Batches and transactions against the answers DynamoDB Local never gives
//! (unprocessed items and keys, canceled transactions with mixed reasons, conflicts,
//! throttling), played by `aws-smithy-mocks`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub(crate) mod batch;
mod layering;
pub(crate) mod network;
mod tx;

use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::Client;
use aws_smithy_mocks::{mock_client, MockResponse, Rule, RuleBuilder, RuleMode};
use dynamo_model::retry::{Jitter, RetryPolicy};
use dynamo_model::{Db, Model};

/// The table of [`Order`].
pub(crate) const ORDERS: &str = "fault_orders";
/// The table of [`Account`].
pub(crate) const ACCOUNTS: &str = "fault_accounts";

/// An unversioned model: batches may put it.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "fault_orders")]
pub(crate) struct Order {
    #[dynamo(hash_key)]
    pub(crate) id: u32,
    pub(crate) note: String,
}

pub(crate) fn order(id: u32) -> Order {
    Order { id, note: format!("note {id}") }
}

/// A versioned model, for transactions whose conditions fail.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "fault_accounts")]
pub(crate) struct Account {
    #[dynamo(hash_key)]
    pub(crate) id: String,
    pub(crate) balance: i64,
    #[dynamo(version)]
    pub(crate) version: u64,
}

/// One request the mock saw: when, and what it held.
#[derive(Debug, Clone)]
pub(crate) struct Seen<I> {
    pub(crate) at: Instant,
    pub(crate) input: I,
}

/// The requests a mock rule saw, in order.
#[derive(Debug)]
pub(crate) struct Log<I>(Arc<Mutex<Vec<Seen<I>>>>);

impl<I> Clone for Log<I> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<I: Clone> Log<I> {
    fn new() -> Self {
        Self(Arc::new(Mutex::new(Vec::new())))
    }

    /// Records a request; its number (from 0).
    fn push(&self, input: I) -> usize {
        let mut seen = self.0.lock().unwrap();
        seen.push(Seen { at: Instant::now(), input });
        seen.len() - 1
    }

    pub(crate) fn all(&self) -> Vec<Seen<I>> {
        self.0.lock().unwrap().clone()
    }

    pub(crate) fn inputs(&self) -> Vec<I> {
        self.all().into_iter().map(|seen| seen.input).collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// A rule that answers every request of its operation with `respond(n, input)`, `n`
/// counting requests from 0, and records each request. It serves any number of
/// requests, in `RuleMode::MatchAny`. Only for clients whose own retries are off: the
/// SDK replays a rule without its input on a retry.
pub(crate) fn scripted<I, O, E, F>(builder: RuleBuilder<I, O, E>, respond: F) -> (Rule, Log<I>)
where
    I: Clone + Debug + Send + Sync + 'static,
    O: Debug + Send + Sync + 'static,
    E: Debug + Send + Sync + std::error::Error + 'static,
    F: Fn(usize, &I) -> MockResponse<O, E> + Send + Sync + 'static,
{
    let log = Log::new();
    let seen = log.clone();
    let rule = builder.then_compute_response(move |input| {
        let n = seen.push(input.clone());
        respond(n, input)
    });
    (rule, log)
}

/// A rule builder that records each operation's input (once per operation, not per
/// SDK attempt: count attempts with `Rule::num_calls`).
pub(crate) fn recording<I, O, E>(builder: RuleBuilder<I, O, E>) -> (RuleBuilder<I, O, E>, Log<I>)
where
    I: Clone + Debug + Send + Sync + 'static,
    O: Debug + Send + Sync + 'static,
    E: Debug + Send + Sync + std::error::Error + 'static,
{
    let log = Log::new();
    let seen = log.clone();
    let builder = builder.match_requests(move |input| {
        seen.push(input.clone());
        true
    });
    (builder, log)
}

/// A `Db` on a mocked client with the given retry configuration and library policy.
pub(crate) fn mocked(rules: &[&Rule], mode: RuleMode, sdk: RetryConfig, policy: RetryPolicy) -> Db {
    let client: Client = mock_client!(aws_sdk_dynamodb, mode, rules, move |config| config.retry_config(sdk.clone()));
    Db::new(client).with_retry(policy)
}

/// A `Db` whose client does not retry, with the given library policy, answering
/// requests by `rule` (`RuleMode::MatchAny`).
pub(crate) fn db(rule: &Rule, policy: RetryPolicy) -> Db {
    mocked(&[rule], RuleMode::MatchAny, RetryConfig::disabled(), policy)
}

/// A policy that waits exactly 1 ms, 2 ms, 4 ms… and tries `attempts` times.
pub(crate) fn fast(attempts: u32) -> RetryPolicy {
    RetryPolicy::default().max_attempts(attempts).base_delay(Duration::from_millis(1)).jitter(Jitter::None)
}

/// A JSON error body as DynamoDB sends it.
pub(crate) fn body(code: &str, message: &str) -> String {
    format!(r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"{message}"}}"#)
}

pub(crate) fn block_on<F: std::future::IntoFuture>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future.into_future())
}
