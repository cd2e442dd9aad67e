//! Batches and transactions against the answers DynamoDB Local never gives
//! (unprocessed items and keys, canceled transactions with mixed reasons, conflicts,
//! throttling), played by `aws-smithy-mocks`.

#![allow(clippy::unwrap_used, clippy::expect_used)]
