//! The one way requests leave the library: every compiled operation's SDK request is
//! sent by [`Db::send`], and every SDK error is mapped to [`Error`] here, by the error's
//! type and code, never by its message.

use std::future::Future;

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
        aws_sdk_dynamodb::Error: From<SdkError<E, HttpResponse>>,
    {
        self.attempt(operation, table, request).await.map_err(|failure| failure.into_error(operation, table))
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
        aws_sdk_dynamodb::Error: From<SdkError<E, HttpResponse>>,
    {
        match self.attempt(operation, &failure.table, request).await {
            Ok(output) => Ok(output),
            Err(Failure::Condition(item)) => Err(failure.explain(item)),
            Err(Failure::Other(error)) => Err(error),
        }
    }

    /// The one place requests are sent: every request of every operation goes through
    /// here.
    async fn attempt<O, E, F>(&self, operation: &'static str, table: &str, request: F) -> Result<O, Failure>
    where
        F: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata,
        aws_sdk_dynamodb::Error: From<SdkError<E, HttpResponse>>,
    {
        request.await.map_err(|err| map_error(operation, table, err))
    }
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
        aws_sdk_dynamodb::Error: From<SdkError<E, HttpResponse>>,
    {
        request.await.map_err(|err| match err.as_service_error().and_then(canceled) {
            Some(canceled) => TransactionFailure::Canceled(canceled.cancellation_reasons.clone().unwrap_or_default()),
            None => TransactionFailure::Other(map_error(operation, table, err).into_error(operation, table)),
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
