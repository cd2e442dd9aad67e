//! Two layers retry, the SDK's and the library's policy, and they never multiply: a
//! throttled request is retried by the library only when the client does not retry,
//! validation errors by neither, and conflicts (which the SDK never retries) by the
//! library always.

use std::time::Duration;

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{AsyncSleep, Sleep};
use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemOutput;
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemOutput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsOutput;
use aws_sdk_dynamodb::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use dynamo_model::batch::{BatchCause, BatchError};
use dynamo_model::{Db, Document, Error, Model};

use crate::faults::{block_on, body, fast, mocked, order, Account, Order, ORDERS};

const THROTTLED: &str = "ProvisionedThroughputExceededException";

fn throttled() -> Option<String> {
    Some(body(THROTTLED, "The level of configured provisioned throughput for the table was exceeded"))
}

fn invalid() -> Option<String> {
    Some(body("ValidationException", "One or more parameter values were invalid"))
}

fn conflict() -> Option<String> {
    Some(body("TransactionConflictException", "Transaction is ongoing for the item"))
}

/// The SDK's standard retries: `attempts` tries, 1 ms initial backoff.
fn sdk(attempts: u32) -> RetryConfig {
    RetryConfig::standard().with_max_attempts(attempts).with_initial_backoff(Duration::from_millis(1))
}

/// A `Db` answering by `rule` (a sequence: the SDK's retries take its next answer),
/// with these client retries and a library policy of 3 attempts.
fn db(rule: &Rule, client: RetryConfig) -> Db {
    mocked(&[rule], RuleMode::Sequential, client, fast(3))
}

fn written() -> BatchWriteItemOutput {
    BatchWriteItemOutput::builder().build()
}

fn put_ten(db: &Db) -> dynamo_model::Result<usize> {
    block_on(Order::batch_put(db, (0..10).map(order))).map(|written| written.written)
}

fn unwrap_batch(result: dynamo_model::Result<usize>) -> Box<BatchError> {
    match result {
        Err(Error::Batch(batch)) => batch,
        other => panic!("expected Error::Batch, got {other:?}"),
    }
}

/// A batch of ten puts that stopped on its first request: nothing done, all pending.
fn assert_nothing_done(batch: &BatchError) {
    assert_eq!(batch.done, 0);
    assert_eq!(batch.taken, 10);
    let pending: Vec<(usize, Order)> =
        batch.pending.iter().map(|p| (p.index, p.item::<Order>().unwrap().unwrap())).collect();
    assert_eq!(pending, (0..10).map(|id| (id as usize, order(id))).collect::<Vec<_>>());
}

/// The service error of `error`, as (code, retryable).
fn service(error: &Error) -> (Option<&str>, bool) {
    match error {
        Error::Service { code, retryable, .. } => (code.as_deref(), *retryable),
        other => panic!("expected a service error, got {other:?}"),
    }
}

#[test]
fn throttling_is_retried_by_the_library_when_the_client_does_not_retry() {
    let rule = mock!(Client::batch_write_item).sequence().http_status(400, throttled()).output(written).build();
    let db = db(&rule, RetryConfig::disabled());

    assert_eq!(put_ten(&db).unwrap(), 10);
    assert_eq!(rule.num_calls(), 2, "throttled once, then written: one library retry");
}

#[test]
fn throttling_forever_uses_the_librarys_attempts_when_the_client_does_not_retry() {
    let rule = mock!(Client::batch_write_item).sequence().http_status(400, throttled()).repeatedly().build();
    let db = db(&rule, RetryConfig::disabled());

    let batch = unwrap_batch(put_ten(&db));

    assert_eq!(rule.num_calls(), 3, "the library policy's 3 attempts");
    match &batch.cause {
        BatchCause::RetriesExhausted { attempts: 3, last_error: Some(error) } => {
            assert_eq!(service(error), (Some(THROTTLED), true));
        }
        other => panic!("expected RetriesExhausted after 3 attempts with the last error, got {other:?}"),
    }
    assert_nothing_done(&batch);
}

#[test]
fn with_the_clients_retries_on_the_library_does_not_retry_throttling_again() {
    // Throttled once: the SDK's own retry gets it through.
    let rule = mock!(Client::batch_write_item).sequence().http_status(400, throttled()).output(written).build();
    assert_eq!(put_ten(&db(&rule, sdk(2))).unwrap(), 10);
    assert_eq!(rule.num_calls(), 2, "one SDK retry");

    // Throttled forever: the SDK's 2 attempts, not 2 × the library's 3.
    let rule = mock!(Client::batch_write_item).sequence().http_status(400, throttled()).repeatedly().build();
    let batch = unwrap_batch(put_ten(&db(&rule, sdk(2))));
    assert_eq!(rule.num_calls(), 2, "the SDK's attempts only");
    match &batch.cause {
        BatchCause::Failed(error) => assert_eq!(service(error), (Some(THROTTLED), true)),
        other => panic!("expected Failed with the SDK's last error, got {other:?}"),
    }
    assert_nothing_done(&batch);
}

/// A sleep that does not wait: the SDK's default backoff (seconds) without the wait.
#[derive(Debug)]
struct NoWait;

impl AsyncSleep for NoWait {
    fn sleep(&self, _duration: Duration) -> Sleep {
        Sleep::new(std::future::ready(()))
    }
}

#[test]
fn a_client_with_the_sdks_default_retries_is_not_retried_on_top() {
    // No retry config set: the SDK's default for the latest behavior version retries
    // (standard mode, 3 attempts), so the library must not retry throttling again.
    let rule = mock!(Client::batch_write_item).sequence().http_status(400, throttled()).repeatedly().build();
    let client: Client =
        mock_client!(aws_sdk_dynamodb, RuleMode::Sequential, &[&rule], |config| config.sleep_impl(NoWait));
    assert!(client.config().retry_config().is_none(), "nothing set on the client's config");
    let db = Db::new(client).with_retry(fast(3));

    let batch = unwrap_batch(put_ten(&db));

    assert_eq!(rule.num_calls(), 3, "the SDK's 3 default attempts, not 3 × the library's 3");
    match &batch.cause {
        BatchCause::Failed(error) => assert_eq!(service(error), (Some(THROTTLED), true)),
        other => panic!("expected Failed with the SDK's last error, got {other:?}"),
    }
}

#[test]
fn the_sdks_default_client_retries_throttling_three_times() {
    // What the test above relies on: with nothing set, the SDK itself makes 3 attempts.
    let rule = mock!(Client::put_item).sequence().http_status(400, throttled()).repeatedly().build();
    let client: Client =
        mock_client!(aws_sdk_dynamodb, RuleMode::Sequential, &[&rule], |config| config.sleep_impl(NoWait));
    let db = Db::new(client);

    let err = block_on(Order::put(&db, &order(1))).unwrap_err();

    assert_eq!(service(&err), (Some(THROTTLED), true));
    assert_eq!(rule.num_calls(), 3);
}

#[test]
fn a_validation_exception_is_never_retried() {
    for client in [RetryConfig::disabled(), sdk(2)] {
        let rule = mock!(Client::batch_write_item).sequence().http_status(400, invalid()).output(written).build();
        let db = db(&rule, client.clone());

        let batch = unwrap_batch(put_ten(&db));

        assert_eq!(rule.num_calls(), 1, "with {client:?}");
        match &batch.cause {
            BatchCause::Failed(error) => assert_eq!(service(error), (Some("ValidationException"), false)),
            other => panic!("expected Failed, got {other:?}"),
        }
        assert_nothing_done(&batch);
    }
}

#[test]
fn a_throttled_read_is_retried_by_the_library_when_the_client_does_not_retry() {
    let rule = mock!(Client::batch_get_item)
        .sequence()
        .http_status(400, throttled())
        .output(|| BatchGetItemOutput::builder().responses(ORDERS, vec![order(1).to_item().unwrap()]).build())
        .build();
    let db = db(&rule, RetryConfig::disabled());

    let got = block_on(Order::batch_get(&db, [Order::key(1), Order::key(2)])).unwrap();

    assert_eq!(rule.num_calls(), 2);
    assert_eq!(got.items, [order(1)]);
    assert_eq!(got.not_found, [Order::key(2)]);
}

fn transaction(db: &Db) -> dynamo_model::Result<()> {
    block_on(
        db.transaction()
            .update(Account::update(db, Account::key("a1")).add(&Account::BALANCE, 1).expect_version(1))
            .put(Order::put(db, &order(1))),
    )
}

#[test]
fn a_throttled_transaction_is_retried_by_one_layer() {
    // The client does not retry: the library's 3 attempts.
    let rule = mock!(Client::transact_write_items).sequence().http_status(400, throttled()).repeatedly().build();
    let err = transaction(&db(&rule, RetryConfig::disabled())).unwrap_err();
    assert_eq!(rule.num_calls(), 3);
    assert_eq!(service(&err), (Some(THROTTLED), true));

    // The client retries: its 2 attempts only.
    let rule = mock!(Client::transact_write_items).sequence().http_status(400, throttled()).repeatedly().build();
    let err = transaction(&db(&rule, sdk(2))).unwrap_err();
    assert_eq!(rule.num_calls(), 2);
    assert_eq!(service(&err), (Some(THROTTLED), true));
}

#[test]
fn a_transaction_conflict_is_retried_by_the_library_even_when_the_client_retries() {
    // The SDK does not retry TransactionConflictException, so the library does.
    let rule = mock!(Client::transact_write_items)
        .sequence()
        .http_status(400, conflict())
        .output(|| TransactWriteItemsOutput::builder().build())
        .build();
    transaction(&db(&rule, sdk(2))).unwrap();
    assert_eq!(rule.num_calls(), 2, "one conflict, one library retry");

    let rule = mock!(Client::transact_write_items).sequence().http_status(400, conflict()).repeatedly().build();
    let err = transaction(&db(&rule, sdk(2))).unwrap_err();
    assert_eq!(rule.num_calls(), 3, "the library's 3 attempts, each one SDK attempt");
    assert_eq!(service(&err), (Some("TransactionConflictException"), true));
}
