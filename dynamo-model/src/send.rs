//! The one way requests leave the library: every compiled operation's SDK request is
//! sent by [`Db::send`], and every SDK error is mapped to [`Error`] here, by the error's
//! type and code, never by its message.
//!
//! Each request runs in a `tracing` span named `dynamodb` (level DEBUG, target
//! `dynamo_model::send`) with the operation, the table, the index, and once answered
//! the latency, the outcome (`ok`, DynamoDB's error code, or how the request failed on
//! the way), the items returned and the capacity consumed when DynamoDB reports it. No
//! span or event of the library holds an attribute value, a key, an expression value or
//! an error message (which can quote values); the SDK's own spans become its children.
//! The SDK's trace-level events that print responses and outputs are held back while a
//! request is polled (`redact.rs`), unless [`Db::with_value_tracing`] lets them through.

use std::future::Future;
use std::time::Instant;

use tracing::field::Empty;
use tracing::Instrument;

use aws_sdk_dynamodb::config::http::HttpResponse;
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
            .map_err(|err| map_error(operation, table, err).into_error(operation, table))
    }

    /// Sends one conditional write; a failed condition is explained by `failure`, the
    /// write's own reading of its condition.
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
        match self.attempt(operation, &failure.table, request).await {
            Ok(output) => Ok(output),
            Err(Failure::Condition(item)) => Err(failure.explain(item)),
            Err(Failure::Other(error)) => Err(error),
        }
    }

    /// A single write, its failure read as a failed condition or mapped.
    async fn attempt<O, E, F>(&self, operation: &'static str, table: &str, request: F) -> Result<O, Failure>
    where
        F: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata,
        O: Observed,
        aws_sdk_dynamodb::Error: From<SdkError<E, HttpResponse>>,
    {
        traced(self, operation, table, None, request).await.map_err(|err| map_error(operation, table, err))
    }
}

/// The one place requests are sent: every request of every operation goes through here,
/// in its span.
async fn traced<O, E, F>(
    db: &Db,
    operation: &'static str,
    table: &str,
    index: Option<&str>,
    request: F,
) -> Result<O, SdkError<E, HttpResponse>>
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
    let result = request.instrument(span.clone()).await;
    let Some(started) = started else { return result };
    span.record("latency_us", started.elapsed().as_micros() as u64);
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
    result
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
    /// cancellation among the operation's errors.
    pub(crate) async fn send_transaction<O, E, F>(
        &self,
        operation: &'static str,
        table: &str,
        request: F,
        canceled: fn(&E) -> Option<&TransactionCanceledException>,
    ) -> Result<O, TransactionFailure>
    where
        F: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata,
        O: Observed,
        aws_sdk_dynamodb::Error: From<SdkError<E, HttpResponse>>,
    {
        traced(self, operation, table, None, request).await.map_err(|err| {
            match err.as_service_error().and_then(canceled) {
                Some(canceled) => {
                    TransactionFailure::Canceled(canceled.cancellation_reasons.clone().unwrap_or_default())
                }
                None => TransactionFailure::Other(map_error(operation, table, err).into_error(operation, table)),
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
