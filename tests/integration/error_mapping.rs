//! How DynamoDB's answers become `Error`s, with the answers DynamoDB Local cannot give
//! (throttling, server errors, a connection that fails) played by `aws-smithy-mocks`.
//! The SDK's own retries are off here, so each test sees one answer.

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::error::ConditionalCheckFailedException;
use aws_sdk_dynamodb::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use dynamo_model::{AttributeValue, Db, Error, Model};

#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = "mapped")]
struct Counter {
    #[dynamo(hash_key)]
    id: String,
    hits: u64,
    #[dynamo(version)]
    version: u64,
}

fn counter() -> Counter {
    Counter { id: "c1".into(), hits: 1, version: 3 }
}

fn db(rules: &[&Rule]) -> Db {
    let client: Client = mock_client!(aws_sdk_dynamodb, RuleMode::Sequential, rules, |config| config
        .retry_config(RetryConfig::disabled()));
    Db::new(client)
}

/// A JSON error body as DynamoDB sends it.
fn body(code: &str, message: &str) -> Option<String> {
    Some(format!(r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"{message}"}}"#))
}

fn block_on<F: std::future::IntoFuture>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future.into_future())
}

#[test]
fn throttling_is_a_retryable_service_error_with_its_code() {
    let rule = mock!(Client::put_item)
        .sequence()
        .http_status(
            400,
            body("ProvisionedThroughputExceededException", "Rate of requests exceeds the allowed throughput"),
        )
        .build();
    let err = block_on(Counter::put(&db(&[&rule]), &counter())).unwrap_err();
    match &err {
        Error::Service { operation: "PutItem", table, code, retryable: true, .. } => {
            assert_eq!(table, "mapped");
            assert_eq!(code.as_deref(), Some("ProvisionedThroughputExceededException"));
        }
        other => panic!("expected a retryable service error, got {other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(
        err.to_string(),
        "DynamoDB PutItem on `mapped` failed: ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput"
    );
}

#[test]
fn a_server_error_is_retryable() {
    let rule = mock!(Client::get_item)
        .sequence()
        .http_status(500, body("InternalServerError", "Internal server error"))
        .build();
    let err = block_on(Counter::get(&db(&[&rule]), Counter::key("c1"))).unwrap_err();
    assert!(matches!(&err, Error::Service { operation: "GetItem", retryable: true, .. }), "{err:?}");
    assert!(err.to_string().contains("InternalServerError: Internal server error"), "{err}");

    // A 503 without a body DynamoDB recognises is retryable too: the status says so.
    let rule = mock!(Client::get_item).sequence().http_status(503, None).build();
    let err = block_on(Counter::get(&db(&[&rule]), Counter::key("c1"))).unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}

#[test]
fn a_validation_exception_shows_its_code_and_message() {
    let rule = mock!(Client::query)
        .sequence()
        .http_status(400, body("ValidationException", "One or more parameter values were invalid: nothing useful"))
        .build();
    let err = block_on(Counter::query(&db(&[&rule]), "c1")).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("ValidationException: One or more parameter values were invalid: nothing useful"), "{text}");
    assert!(!text.contains("unhandled error"), "{text}");
    assert!(!err.is_retryable());
    match err {
        Error::Service { code, .. } => assert_eq!(code.as_deref(), Some("ValidationException")),
        other => panic!("expected a service error, got {other:?}"),
    }
}

#[test]
fn a_failed_condition_carries_the_item_and_says_why() {
    let stored = std::collections::HashMap::from([
        ("id".to_owned(), AttributeValue::S("c1".into())),
        ("hits".to_owned(), AttributeValue::N("9".into())),
        ("version".to_owned(), AttributeValue::N("5".into())),
    ]);
    let item = stored.clone();
    let moved = mock!(Client::update_item).then_error(move || {
        UpdateItemError::ConditionalCheckFailedException(
            ConditionalCheckFailedException::builder()
                .message("The conditional request failed")
                .set_item(Some(item.clone()))
                .build(),
        )
    });
    let item = stored.clone();
    let held = mock!(Client::update_item).then_error(move || {
        UpdateItemError::ConditionalCheckFailedException(
            ConditionalCheckFailedException::builder().set_item(Some(item.clone())).build(),
        )
    });
    let db = db(&[&moved, &held]);
    // The version moved: a version conflict, with the current item.
    let err = block_on(Counter::update(&db, Counter::key("c1")).add(&Counter::HITS, 1).expect_version(3)).unwrap_err();
    match &err {
        Error::VersionConflict { expected: 3, current: Some(_), .. } => {}
        other => panic!("expected a version conflict, got {other:?}"),
    }
    assert_eq!(err.current_item::<Counter>().unwrap().unwrap(), Counter { id: "c1".into(), hits: 9, version: 5 });
    // The version is the one expected: the caller's own condition failed.
    let err = block_on(
        Counter::update(&db, Counter::key("c1"))
            .add(&Counter::HITS, 1)
            .expect_version(5)
            .condition(Counter::HITS.lt(5)),
    )
    .unwrap_err();
    match &err {
        Error::ConditionFailed { item: Some(item), .. } => assert_eq!(item.as_ref(), &stored),
        other => panic!("expected ConditionFailed, got {other:?}"),
    }
    assert!(!err.is_retryable());
}

#[test]
fn a_connection_that_fails_is_retryable_and_says_what_happened() {
    // Nothing listens on port 1 of the loopback interface.
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .endpoint_url("http://127.0.0.1:1")
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("k", "s", None, None, "test"))
        .retry_config(RetryConfig::disabled())
        .build();
    let db = Db::new(Client::from_conf(config));
    let err = block_on(Counter::get(&db, Counter::key("c1"))).unwrap_err();
    match &err {
        Error::Service { code: None, retryable: true, message, .. } => {
            assert!(message.contains("dispatch failure") || message.contains("connect"), "{message}");
        }
        other => panic!("expected a retryable transport error, got {other:?}"),
    }
}
