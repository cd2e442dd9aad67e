//! The items API. In Lambda (behind API Gateway) it serves the router through
//! `lambda_http`; anywhere else it serves it on `127.0.0.1:$PORT` (default 3000), on the
//! DynamoDB at `AWS_ENDPOINT_URL_DYNAMODB` or on a DynamoDB Local it starts, and runs
//! the stream handler on the table's stream there too.
//!
//! ```text
//! cargo run -p items-api
//! ```

use items_api::api::{self, ApiConfig};
use items_api::{counts, cursor_key_from_env, ensure_table, lambda, local_stream};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let config = ApiConfig::from_env();
    let cursor_key = cursor_key_from_env()?;
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        let db = items_api::lambda_db().await.with_cursor_key(cursor_key);
        return lambda_http::lambda_runtime::run(lambda::handler(api::router(db, &config))).await;
    }

    let local = dynamo_model::local::DynamoDbLocal::start().await?;
    // DynamoDB Local keeps tables per access key: the API and the stream runner share one.
    let access_key = "itemsapi";
    let db = local.db_with_access_key(access_key).with_cursor_key(cursor_key);
    let streams = local_stream::client(local.endpoint(), access_key);
    ensure_table(&db).await?;

    // The stream side: the same handler the stream Lambda runs, fed from the local stream.
    let stream_db = db.clone();
    tokio::spawn(async move {
        let table = stream_db.table_name::<items_api::Item>();
        let handle = |event| {
            let db = stream_db.clone();
            async move { counts::handle(&db, &event).await.response }
        };
        if let Err(error) = local_stream::run(&streams, &stream_db, &table, 100, handle).await {
            eprintln!("items-api: the local stream runner stopped: {error}");
        }
    });

    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse().map_err(|_| format!("PORT is not a port number: {port}"))?,
        Err(_) => 3000,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;
    println!("DynamoDB at {}", local.endpoint());
    println!("listening on http://{address}");
    // Answers go out at once (no Nagle delay on small JSON bodies).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, api::router(db, &config))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
