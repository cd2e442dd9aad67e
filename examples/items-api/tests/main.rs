//! The items API's tests: the router through `lambda_http` with API Gateway's event JSON,
//! over real HTTP, the stream handler with stream event JSON, the whole flow on
//! DynamoDB Local with the local stream runner, and the SAM template against the models.
//! One DynamoDB Local serves the whole binary; each test has its own access key.

mod adversarial;
mod adversarial2;
mod common;
mod e2e;
mod http;
mod lambda_events;
mod stream_events;
mod support;
mod template;
