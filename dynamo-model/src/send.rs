//! The one way requests leave the library: every compiled operation's SDK request is
//! sent by [`Db::send`], and every SDK error is mapped to [`Error`] here, by the error's
//! type and code, never by its message.
//!
//! Each request runs in a `tracing` span named `dynamodb` (level DEBUG, target
//! `dynamo_model::send`) with the operation, the table, the index, and once answered
//! the latency, the attempts, the outcome (`ok`, DynamoDB's error code, or how the
//! request failed on the way), the items returned and the capacity consumed when asked
//! for ([`Db::with_consumed_capacity`]). No
//! span or event of the library holds an attribute value, a key, an expression value or
//! an error message (which can quote values); the SDK's own spans become its children.
//! The SDK's trace-level events that print responses and outputs are held back while a
//! request is polled (`redact.rs`), unless [`Db::with_value_tracing`] lets them through.
//!
//! The attempts are counted by an interceptor on the `Db`'s client ([`AttemptWatch`]),
//! which also notes an attempt that ended without DynamoDB's definite answer after the
//! request may have left. A write after such an attempt that did not succeed is
//! [`Error::OutcomeUnknown`]: neither success nor a failed condition can be told.

use std::cell::Cell;
use std::future::Future;
use std::time::Instant;

use tracing::field::Empty;
use tracing::Instrument;

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::config::interceptors::FinalizerInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::error::TransactionCanceledException;

use crate::compile::WriteFailure;
use crate::{Db, Error, Item};

/// Why a request did not succeed: its condition failed (with the item as stored, when
/// DynamoDB returned it), or anything else, already mapped.
#[derive(Debug)]
pub(crate) enum Failure {
    /// `ConditionalCheckFailedException`: nothing was written. The operation that sent
    /// the request knows what its condition meant (see `compile::WriteFailure`).
    Condition(Option<Item>),
    /// Any other error.
    Other(Error),
}

/// The error codes after which the same request may succeed.
const RETRYABLE_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionConflictException",
    "TransactionInProgressException",
];

impl Db {
    /// Sends one SDK request without a condition (the future of its fluent builder's
    /// `send()`), with what goes wrong mapped to [`Error`].
    pub(crate) async fn send<O, E, F>(&self, operation: &'static str, table: &str, request: F) -> crate::Result<O>
    where
        F: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata,
        O: Observed,
        aws_sdk_dynamodb::Error: From<SdkError<E, HttpResponse>>,
    {
        self.send_on(operation, table, None, request).await
    }

    /// [`Db::send`] of a read that may be of an index.
    pub(crate) async fn send_on<O, E, F>(
        &self,
        operation: &'static str,
        table: &str,
        index: Option<&str>,
        request: F,
    ) -> crate::Result<O>
    where
        F: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata,
        O: Observed,
        aws_sdk_dynamodb::Error: From<SdkError<E, HttpResponse>>,
    {
        traced(self, operation, table, index, request)
            .await
            .0
            .map_err(|err| map_error(operation, table, err).into_error(operation, table))
    }

    /// [`Db::send`] of an unconditional write (`BatchWriteItem`): an error after an
    /// attempt that may have been applied is [`Error::OutcomeUnknown`]. With what the
    /// attempts came to: a success may follow an attempt applied unseen.
    pub(crate) async fn send_unsure<O, E, F>(
        &self,
        operation: &'static str,
        table: &str,
        request: F,
    ) -> (crate::Result<O>, Attempts)
    where
        F: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata,
        O: Observed,
        aws_sdk_dynamodb::Error: From<SdkError<E, HttpResponse>>,
    {
        let (result, attempts) = traced(self, operation, table, None, request).await;
        let result = result.map_err(|err| {
            attempts.settle(operation, table, map_error(operation, table, err).into_error(operation, table))
        });
        (result, attempts)
    }

    /// Sends one conditional write; a failed condition is explained by `failure`, the
    /// write's own reading of its condition. An error after an attempt that may have been
    /// applied is [`Error::OutcomeUnknown`]: a retry of a write that was applied fails
    /// its condition, so that failure proves nothing.
    pub(crate) async fn send_write<O, E, F>(
        &self,
        operation: &'static str,
        failure: WriteFailure,
        request: F,
    ) -> crate::Result<O>
    where
        F: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata,
        O: Observed,
        aws_sdk_dynamodb::Error: From<SdkError<E, HttpResponse>>,
    {
        self.send_write_seen(operation, failure, request).await.map(|(output, _)| output)
    }

    /// [`Db::send_write`], with what the attempts came to on success: an answer that
    /// describes the item before the write (`ALL_OLD`) describes it before the last
    /// attempt, which may be after an earlier one applied unseen.
    pub(crate) async fn send_write_seen<O, E, F>(
        &self,
        operation: &'static str,
        failure: WriteFailure,
        request: F,
    ) -> crate::Result<(O, Attempts)>
    where
        F: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata,
        O: Observed,
        aws_sdk_dynamodb::Error: From<SdkError<E, HttpResponse>>,
    {
        let (result, attempts) = traced(self, operation, &failure.table, None, request).await;
        let error = match result {
            Ok(output) => return Ok((output, attempts)),
            Err(err) => match map_error(operation, &failure.table, err) {
                Failure::Other(error) => error,
                Failure::Condition(item) => {
                    let table = failure.table.clone();
                    return Err(attempts.settle(operation, &table, failure.explain(item)));
                }
            },
        };
        Err(attempts.settle(operation, &failure.table, error))
    }
}

tokio::task_local! {
    /// The attempts of the request being sent, counted by [`AttemptWatch`] while
    /// [`traced`] polls it.
    static ATTEMPTS: Cell<Attempts>;
}

/// What the SDK's attempts at one request came to.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Attempts {
    /// Attempts made (the SDK's retries included).
    pub(crate) count: u32,
    /// Whether an attempt ended without DynamoDB's definite answer after the request
    /// may have reached it: a timeout, a broken connection, an unreadable response, or
    /// a server error (DynamoDB documents that a request answered with a 5xx may or may
    /// not have been applied).
    pub(crate) unsettled: bool,
}

impl Attempts {
    /// The error of a write: `error` itself, or [`Error::OutcomeUnknown`] with `error`
    /// as its cause when an attempt may have been applied unseen.
    pub(crate) fn settle(self, operation: &'static str, table: &str, error: Error) -> Error {
        if self.unsettled {
            Error::OutcomeUnknown { operation, table: table.to_owned(), attempts: self.count, cause: Box::new(error) }
        } else {
            error
        }
    }
}

/// The interceptor [`Db::new`] adds to its client: after each attempt, counts it and
/// notes whether it ended unsettled (see [`Attempts::unsettled`]). Outside a request
/// the library sends (the client used directly), it does nothing.
#[derive(Debug)]
struct AttemptWatch;

impl AttemptWatch {
    const NAME: &'static str = "dynamo_model::AttemptWatch";
}

impl Intercept for AttemptWatch {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let unsettled = match context.output_or_error() {
            None | Some(Ok(_)) => false,
            Some(Err(error)) if error.is_timeout_error() || error.is_response_error() => true,
            Some(Err(error)) => match context.response() {
                // A 5xx may have been applied; a success that could not be read was.
                Some(response) => response.status().is_server_error() || response.status().is_success(),
                None => error.as_connector_error().is_some_and(|error| !error.is_user() && !refused(error)),
            },
        };
        // Outside `traced` there is no count to keep.
        let _ = ATTEMPTS.try_with(|attempts| {
            let mut counted = attempts.get();
            counted.count += 1;
            counted.unsettled |= unsettled;
            attempts.set(counted);
        });
        Ok(())
    }
}

/// Whether a connection failure is a refused connection: the request never left.
fn refused(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(error) = next {
        if error.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused) {
            return true;
        }
        next = error.source();
    }
    false
}

/// `client` with [`AttemptWatch`] added, unless it has it already.
pub(crate) fn watching_attempts(client: aws_sdk_dynamodb::Client) -> aws_sdk_dynamodb::Client {
    if client.config().interceptors().any(|interceptor| interceptor.name() == AttemptWatch::NAME) {
        return client;
    }
    aws_sdk_dynamodb::Client::from_conf(client.config().to_builder().interceptor(AttemptWatch).build())
}

/// The one place requests are sent: every request of every operation goes through here,
/// in its span; with the result, what its attempts came to.
async fn traced<O, E, F>(
    db: &Db,
    operation: &'static str,
    table: &str,
    index: Option<&str>,
    request: F,
) -> (Result<O, SdkError<E, HttpResponse>>, Attempts)
where
    F: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata,
    O: Observed,
{
    let span = tracing::debug_span!(
        target: "dynamo_model::send",
        "dynamodb",
        operation,
        table,
        index,
        outcome = Empty,
        latency_us = Empty,
        attempts = Empty,
        items = Empty,
        consumed_capacity = Empty,
    );
    // The SDK's request future is large: boxed once here, only a pointer moves through
    // the layers below (a debug build copies a moved future on the stack at each one).
    let request = Box::pin(request);
    let request = async move {
        if db.traces_values() {
            request.await
        } else {
            crate::redact::redacted(request).await
        }
    };
    let started = (!span.is_disabled()).then(Instant::now);
    let mut counted = std::pin::pin!(ATTEMPTS.scope(Cell::new(Attempts::default()), request.instrument(span.clone())));
    let result = counted.as_mut().await;
    let attempts = counted.as_mut().take_value().map(Cell::into_inner).unwrap_or_default();
    let Some(started) = started else { return (result, attempts) };
    span.record("latency_us", started.elapsed().as_micros() as u64);
    span.record("attempts", attempts.count);
    match &result {
        Ok(output) => {
            span.record("outcome", "ok");
            if let Some(items) = output.items() {
                span.record("items", items);
            }
            if let Some(capacity) = output.consumed_capacity() {
                span.record("consumed_capacity", capacity);
            }
        }
        Err(err) => {
            // The code only: DynamoDB's messages can quote the request's values.
            let outcome = match err {
                SdkError::ServiceError(_) => err.code().unwrap_or("service error"),
                SdkError::TimeoutError(_) => "timeout",
                SdkError::DispatchFailure(_) => "dispatch failure",
                SdkError::ResponseError(_) => "response error",
                SdkError::ConstructionFailure(_) => "construction failure",
                _ => "error",
            };
            span.record("outcome", outcome);
        }
    }
    (result, attempts)
}

/// What a response tells a request's span: how many items it returned, and the capacity
/// it consumed when the request asked DynamoDB to report it.
pub(crate) trait Observed {
    /// Items returned (or, for a batch write, left unprocessed).
    fn items(&self) -> Option<u64> {
        None
    }
    /// Capacity units consumed, across tables and indexes.
    fn consumed_capacity(&self) -> Option<f64> {
        None
    }
}

fn capacity(consumed: Option<&aws_sdk_dynamodb::types::ConsumedCapacity>) -> Option<f64> {
    consumed.and_then(|c| c.capacity_units)
}

fn capacities(consumed: Option<&Vec<aws_sdk_dynamodb::types::ConsumedCapacity>>) -> Option<f64> {
    consumed.filter(|c| !c.is_empty()).map(|c| c.iter().filter_map(|c| c.capacity_units).sum())
}

mod observed {
    use aws_sdk_dynamodb::operation as op;

    use super::{capacities, capacity, Observed};

    impl Observed for op::get_item::GetItemOutput {
        fn items(&self) -> Option<u64> {
            Some(u64::from(self.item.is_some()))
        }
        fn consumed_capacity(&self) -> Option<f64> {
            capacity(self.consumed_capacity.as_ref())
        }
    }

    macro_rules! single_write {
        ($($output:ty),*) => {$(
            impl Observed for $output {
                fn consumed_capacity(&self) -> Option<f64> {
                    capacity(self.consumed_capacity.as_ref())
                }
            }
        )*};
    }
    single_write!(op::put_item::PutItemOutput, op::update_item::UpdateItemOutput, op::delete_item::DeleteItemOutput);

    impl Observed for op::query::QueryOutput {
        fn items(&self) -> Option<u64> {
            Some(self.count.max(0) as u64)
        }
        fn consumed_capacity(&self) -> Option<f64> {
            capacity(self.consumed_capacity.as_ref())
        }
    }

    impl Observed for op::scan::ScanOutput {
        fn items(&self) -> Option<u64> {
            Some(self.count.max(0) as u64)
        }
        fn consumed_capacity(&self) -> Option<f64> {
            capacity(self.consumed_capacity.as_ref())
        }
    }

    impl Observed for op::batch_get_item::BatchGetItemOutput {
        fn items(&self) -> Option<u64> {
            self.responses.as_ref().map(|tables| tables.values().map(|items| items.len() as u64).sum())
        }
        fn consumed_capacity(&self) -> Option<f64> {
            capacities(self.consumed_capacity.as_ref())
        }
    }

    impl Observed for op::batch_write_item::BatchWriteItemOutput {
        fn items(&self) -> Option<u64> {
            self.unprocessed_items.as_ref().map(|tables| tables.values().map(|writes| writes.len() as u64).sum())
        }
        fn consumed_capacity(&self) -> Option<f64> {
            capacities(self.consumed_capacity.as_ref())
        }
    }

    impl Observed for op::transact_write_items::TransactWriteItemsOutput {
        fn consumed_capacity(&self) -> Option<f64> {
            capacities(self.consumed_capacity.as_ref())
        }
    }

    impl Observed for op::transact_get_items::TransactGetItemsOutput {
        fn items(&self) -> Option<u64> {
            self.responses.as_ref().map(|responses| responses.iter().filter(|r| r.item.is_some()).count() as u64)
        }
        fn consumed_capacity(&self) -> Option<f64> {
            capacities(self.consumed_capacity.as_ref())
        }
    }

    impl Observed for op::create_table::CreateTableOutput {}
    impl Observed for op::delete_table::DeleteTableOutput {}
    impl Observed for op::describe_table::DescribeTableOutput {}
    impl Observed for op::update_time_to_live::UpdateTimeToLiveOutput {}
}

/// Why a transaction did not go through: canceled, with DynamoDB's reason for each
/// action, or anything else, already mapped.
#[derive(Debug)]
pub(crate) enum TransactionFailure {
    /// `TransactionCanceledException`: nothing was applied.
    Canceled(Vec<aws_sdk_dynamodb::types::CancellationReason>),
    /// Any other error.
    Other(Error),
}

impl Db {
    /// Sends a `TransactWriteItems` or `TransactGetItems` request; `canceled` finds the
    /// cancellation among the operation's errors. For a transaction that `writes`, an
    /// error other than a cancellation after an attempt that may have been applied is
    /// [`Error::OutcomeUnknown`].
    pub(crate) async fn send_transaction<O, E, F>(
        &self,
        operation: &'static str,
        table: &str,
        request: F,
        canceled: fn(&E) -> Option<&TransactionCanceledException>,
        writes: bool,
    ) -> Result<O, TransactionFailure>
    where
        F: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata,
        O: Observed,
        aws_sdk_dynamodb::Error: From<SdkError<E, HttpResponse>>,
    {
        let (result, attempts) = traced(self, operation, table, None, request).await;
        result.map_err(|err| {
            match err.as_service_error().and_then(canceled) {
                // Authoritative even after an unsettled attempt: a retry carries the
                // same idempotency token, and DynamoDB answers a transaction it already
                // applied with success.
                Some(canceled) => {
                    TransactionFailure::Canceled(canceled.cancellation_reasons.clone().unwrap_or_default())
                }
                None => {
                    let error = map_error(operation, table, err).into_error(operation, table);
                    TransactionFailure::Other(if writes { attempts.settle(operation, table, error) } else { error })
                }
            }
        })
    }
}

impl Db {
    /// A request over several tables (a transaction, a batch) answered that a table does
    /// not exist, without saying which: the first of `tables` that DynamoDB does not
    /// describe is the one. Any other error is returned as it is.
    pub(crate) async fn name_missing_table(&self, error: Error, tables: Vec<String>) -> Error {
        let Error::TableNotFound { table, source } = error else { return error };
        let mut asked: Vec<&str> = Vec::new();
        for candidate in &tables {
            if asked.contains(&candidate.as_str()) {
                continue;
            }
            asked.push(candidate);
            let described = self.client().describe_table().table_name(candidate).send().await;
            if matches!(described.as_ref().map_err(|err| err.as_service_error()), Err(Some(e)) if e.is_resource_not_found_exception())
            {
                return Error::TableNotFound { table: candidate.clone(), source };
            }
        }
        Error::TableNotFound { table, source }
    }
}

impl Failure {
    /// The error of an operation whose request carries no condition.
    fn into_error(self, operation: &'static str, table: &str) -> Error {
        match self {
            Failure::Other(error) => error,
            // Only conditional requests fail this way; reported plainly all the same.
            Failure::Condition(_) => Error::Service {
                operation,
                table: table.to_owned(),
                code: Some("ConditionalCheckFailedException".to_owned()),
                message: "the conditional request failed".to_owned(),
                retryable: false,
                source: Box::new(aws_sdk_dynamodb::Error::ConditionalCheckFailedException(
                    aws_sdk_dynamodb::types::error::ConditionalCheckFailedException::builder().build(),
                )),
            },
        }
    }
}

/// Maps an SDK error: a failed condition with its item, a missing table, or
/// [`Error::Service`] with DynamoDB's code and message and whether to retry.
pub(crate) fn map_error<E>(operation: &'static str, table: &str, err: SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata,
    aws_sdk_dynamodb::Error: From<SdkError<E, HttpResponse>>,
{
    let status = err.raw_response().map(|response| response.status().as_u16());
    let transport = match &err {
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
        SdkError::DispatchFailure(failure) => !failure.is_user(),
        _ => false,
    };
    let code = err.code().map(str::to_owned);
    let service_message = err.message().map(str::to_owned);
    let source = aws_sdk_dynamodb::Error::from(err);
    match source {
        aws_sdk_dynamodb::Error::ConditionalCheckFailedException(failed) => {
            return Failure::Condition(failed.item.filter(|item| !item.is_empty()))
        }
        aws_sdk_dynamodb::Error::ResourceNotFoundException(_) => {
            return Failure::Other(Error::TableNotFound { table: table.to_owned(), source: Box::new(source) })
        }
        _ => {}
    }
    let retryable = transport
        || status.is_some_and(|status| status >= 500)
        || code.as_deref().is_some_and(|code| RETRYABLE_CODES.contains(&code));
    let message = match service_message {
        Some(message) if code.is_some() => message,
        _ => DisplayErrorContext(&source).to_string(),
    };
    Failure::Other(Error::Service {
        operation,
        table: table.to_owned(),
        code,
        message,
        retryable,
        source: Box::new(source),
    })
}
