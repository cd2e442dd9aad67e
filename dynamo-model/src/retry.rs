//! The library's one retry policy: how batches retry what DynamoDB left unprocessed, and
//! how transactions retry conflicts and throttling.
//!
//! Two layers retry, and they never multiply:
//!
//! - **The SDK** retries a request that failed with throttling, a server error or a
//!   network fault, as its `RetryConfig` says (standard mode: 3 attempts, exponential
//!   backoff). Configure it on the client (`aws_sdk_dynamodb::config::Builder::retry_config`).
//! - **This policy** retries what the SDK does not: the items and keys a
//!   `BatchWriteItem` or `BatchGetItem` answered as unprocessed, and transactions
//!   cancelled only by conflicts or throttling (`TransactionCanceledException`,
//!   `TransactionConflictException`). Other retryable errors
//!   ([`Error::is_retryable`](crate::Error::is_retryable)) it retries only when the
//!   client's own retries are off (`RetryConfig::disabled()`), so a throttled request is
//!   retried by one layer, never by both.
//!
//! Validation errors, failed conditions and everything found before sending are never
//! retried.

use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use crate::{Db, Error, Result};

/// How the library retries: at most `max_attempts` tries of one request, waiting
/// between them an exponential backoff from `base_delay`, capped at `max_delay`, with
/// jitter. A batch counts attempts that make no progress: a retry that writes or reads
/// any of the leftovers starts the count again, so a slow table is written in full.
///
/// ```
/// use std::time::Duration;
/// use dynamo_model::retry::{Jitter, RetryPolicy};
///
/// let policy = RetryPolicy::default().max_attempts(5).base_delay(Duration::from_millis(20));
/// // Without jitter the delays double: 20 ms, 40 ms, 80 ms, …, up to `max_delay`.
/// let fixed = policy.clone().jitter(Jitter::None);
/// assert_eq!(fixed.delay(1), Duration::from_millis(20));
/// assert_eq!(fixed.delay(3), Duration::from_millis(80));
/// // Full jitter draws each delay from zero up to that bound.
/// assert!(policy.delay(3) <= Duration::from_millis(80));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    jitter: Jitter,
}

/// How a delay is drawn from its exponential bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Jitter {
    /// Uniformly from zero to the bound (AWS's "full jitter"): concurrent clients spread
    /// out instead of retrying in step. The default.
    #[default]
    Full,
    /// Exactly the bound: predictable delays, for tests and single clients.
    None,
}

impl Default for RetryPolicy {
    /// 10 attempts, 25 ms base delay, 5 s maximum delay, full jitter: about 13 s of
    /// waiting at most before a batch gives up on leftovers that make no progress.
    fn default() -> Self {
        Self {
            max_attempts: 10,
            base_delay: Duration::from_millis(25),
            max_delay: Duration::from_secs(5),
            jitter: Jitter::Full,
        }
    }
}

impl RetryPolicy {
    /// No retries at all: one attempt, leftovers returned at once in the error.
    pub fn none() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// Tries of one request, the first included (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The bound of the first delay; each later one doubles it.
    #[must_use]
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The largest delay.
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// How delays are drawn.
    #[must_use]
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// The number of tries allowed.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The delay before retry number `retry` (1 for the first retry): `base_delay ×
    /// 2^(retry-1)`, capped at `max_delay`, then jittered.
    pub fn delay(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(31);
        let bound = self.base_delay.saturating_mul(1u32 << exponent).min(self.max_delay);
        match self.jitter {
            Jitter::None => bound,
            Jitter::Full => {
                let nanos = u64::try_from(bound.as_nanos()).unwrap_or(u64::MAX);
                Duration::from_nanos(random() % nanos.saturating_add(1))
            }
        }
    }

    /// Waits the delay before retry number `retry`.
    pub(crate) async fn wait(&self, retry: u32) {
        let delay = self.delay(retry);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }
}

/// Whether the library retries an error of a batch or transaction request: a
/// transaction canceled only by conflicts or throttling, a transaction conflict, or
/// another error worth retrying that the SDK's own retries did not already take care of.
pub(crate) fn library_retries(db: &Db, error: &Error) -> bool {
    match error {
        Error::TransactionCanceled { .. } => error.is_retryable(),
        Error::Service { code: Some(code), retryable: true, .. } if code == "TransactionConflictException" => true,
        // Batch writes (puts and deletes) and transactions (sent again with the same
        // idempotency token) are safe to send again when their outcome is unknown.
        Error::OutcomeUnknown { cause, .. } => library_retries(db, cause),
        _ => error.is_retryable() && !db.sdk_retries(),
    }
}

/// Runs `attempt` until it succeeds, fails in a way the library does not retry, or the
/// `Db`'s policy runs out of attempts; waits the policy's delay between attempts.
pub(crate) async fn retrying<T, F, Fut>(db: &Db, mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let policy = db.retry_policy();
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Ok(output) => return Ok(output),
            Err(error) if tries < policy.attempts() && library_retries(db, &error) => policy.wait(tries).await,
            Err(error) => return Err(error),
        }
    }
}

/// 64 random bits from the standard library's randomly keyed hasher: enough for jitter
/// and idempotency tokens, with no dependency.
pub(crate) fn random() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64),
    );
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap() {
        let policy = RetryPolicy::default()
            .base_delay(Duration::from_millis(10))
            .max_delay(Duration::from_millis(50))
            .jitter(Jitter::None);
        let delays: Vec<u128> = (1..=5).map(|retry| policy.delay(retry).as_millis()).collect();
        assert_eq!(delays, [10, 20, 40, 50, 50]);
        assert_eq!(policy.delay(u32::MAX), Duration::from_millis(50));
    }

    #[test]
    fn full_jitter_stays_under_the_bound_and_varies() {
        let policy = RetryPolicy::default().base_delay(Duration::from_millis(100));
        let delays: Vec<Duration> = (0..50).map(|_| policy.delay(1)).collect();
        assert!(delays.iter().all(|delay| *delay <= Duration::from_millis(100)));
        let first = delays[0];
        assert!(delays.iter().any(|delay| *delay != first), "full jitter draws different delays");
    }

    #[test]
    fn at_least_one_attempt() {
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
        assert_eq!(RetryPolicy::none().attempts(), 1);
    }
}
