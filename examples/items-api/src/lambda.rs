//! The two Lambda entries: the API behind API Gateway (REST API v1 and HTTP API v2
//! payloads, through `lambda_http`), and the stream handler.

use axum::Router;
use dynamo_model::stream::{DynamoDbEventResponse, StreamEvent};
use dynamo_model::Db;
use lambda_http::request::{LambdaRequest, RequestContext};
use lambda_http::{LambdaEvent, Request, RequestExt, Service};
use std::convert::Infallible;
use tower::ServiceExt;

/// The router as `lambda_http` runs it, answering on the paths API Gateway routed.
///
/// `lambda_http` puts a named stage in front of the path (`/Prod/items`); the router
/// routes on the path the client called instead: a REST API's resource path, or an HTTP
/// API's raw path without its stage. The path is set before the router routes.
pub fn service(
    router: Router,
) -> impl Service<Request, Response = axum::response::Response, Error = Infallible, Future: Send> + Clone {
    router.map_request(|mut request: Request| {
        if let Some(path) = called_path(&request).map(|path| encode_path(&path)) {
            let query = request.uri().query().map(|query| format!("?{query}")).unwrap_or_default();
            if let Ok(uri) = format!("{path}{query}").parse() {
                *request.uri_mut() = uri;
            }
        }
        request
    })
}

/// The path as a URI path: API Gateway may hand it decoded (`/items/a b`), so bytes a
/// URI path cannot hold are percent-encoded; `%` and what a path may hold stay.
fn encode_path(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

fn called_path<B>(request: &lambda_http::http::Request<B>) -> Option<String> {
    let raw = request.raw_http_path();
    if raw.is_empty() {
        return None;
    }
    let stage = match request.request_context_ref()? {
        RequestContext::ApiGatewayV1(_) => return Some(raw.to_owned()),
        RequestContext::ApiGatewayV2(context) => context.stage.as_deref(),
        #[allow(unreachable_patterns)]
        _ => return None,
    };
    match stage {
        Some(stage) if stage != "$default" => {
            let prefix = format!("/{stage}");
            match raw.strip_prefix(&prefix) {
                Some("") => Some("/".to_owned()),
                Some(rest) if rest.starts_with('/') => Some(rest.to_owned()),
                _ => Some(raw.to_owned()),
            }
        }
        _ => Some(raw.to_owned()),
    }
}

/// The API Lambda's handler: API Gateway's event through `lambda_http` into
/// [`service`], as `lambda_http::run` does, with one check first. A REST API puts every
/// value of a repeated header in `multiValueHeaders` and only the last in `headers`,
/// and `lambda_http` keeps the last: an event with several `Authorization` values gets
/// none, so it is refused as over HTTP, where two are refused.
pub fn handler(
    router: Router,
) -> impl Service<LambdaEvent<LambdaRequest>, Response = impl serde::Serialize, Error = Infallible> + Clone {
    let adapter = lambda_http::Adapter::from(service(router));
    tower::ServiceBuilder::new().map_request(single_authorization).service(adapter)
}

fn single_authorization(mut event: LambdaEvent<LambdaRequest>) -> LambdaEvent<LambdaRequest> {
    if let LambdaRequest::ApiGatewayV1(request) = &mut event.payload {
        let authorization = lambda_http::http::header::AUTHORIZATION;
        if request.multi_value_headers.get_all(&authorization).iter().count() > 1 {
            request.multi_value_headers.remove(&authorization);
            request.headers.remove(&authorization);
        }
    }
    event
}

/// The stream Lambda's handler: the counts, and the partial batch failure response
/// (`ReportBatchItemFailures`).
pub async fn stream_handler(
    db: &Db,
    event: LambdaEvent<StreamEvent>,
) -> Result<DynamoDbEventResponse, lambda_http::Error> {
    Ok(crate::counts::handle(db, &event.payload).await.response)
}
