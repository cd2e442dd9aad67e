//! The stream Lambda: consumes the items table's DynamoDB stream and keeps the
//! per-category counts, reporting partial batch failures (`ReportBatchItemFailures`).

use items_api::lambda;
use lambda_http::{lambda_runtime, service_fn, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let db = items_api::lambda_db().await;
    let db = &db;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<dynamo_model::stream::StreamEvent>| async move {
        lambda::stream_handler(db, event).await
    }))
    .await
}
