//! Extractor configuration: malformed JSON, path and query parameters and
//! oversized bodies become envelope errors with precise codes.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use serde_json::json;

use crate::error::ApiError;

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|err, _req| json_error(err).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| path_error(err).into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| query_error(err).into())
}

fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { length, limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body has {length} bytes; at most {limit} are accepted"),
        ),
        JsonPayloadError::Overflow { limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is larger than {limit} bytes"),
        ),
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ),
        JsonPayloadError::Deserialize(inner) if inner.is_data() => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            format!("the JSON does not fit this request: {inner}"),
        ),
        JsonPayloadError::Deserialize(inner) => ApiError::bad_request(
            "malformed_json",
            format!("the body is not valid JSON: {inner}"),
        ),
        other => ApiError::bad_request(
            "malformed_json",
            format!("the body could not be read: {other}"),
        ),
    }
}

fn path_error(err: PathError) -> ApiError {
    let PathError::Deserialize(inner) = err else {
        return ApiError::bad_request("invalid_path_parameter", "a path parameter is not valid");
    };
    ApiError::bad_request(
        "invalid_path_parameter",
        format!("a path parameter is not valid: {inner}"),
    )
}

fn query_error(err: QueryPayloadError) -> ApiError {
    let QueryPayloadError::Deserialize(inner) = err else {
        return ApiError::bad_request("invalid_query_parameter", "the query string is not valid");
    };
    ApiError::bad_request(
        "invalid_query_parameter",
        format!("the query string is not valid: {inner}"),
    )
}

/// Parses a path segment into a typed id, with the field in the details.
pub fn parse_id<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: &str,
) -> Result<T, ApiError> {
    raw.parse::<T>().map_err(|err| {
        ApiError::bad_request("invalid_path_parameter", format!("{err}"))
            .with_details(json!({ "field": err.field }))
    })
}

/// Registered as the app's default service: a path we serve with another
/// method gets 405 and an `Allow` header, anything else 404.
pub async fn fallback(
    req: HttpRequest,
    routes: web::Data<crate::routes::KnownRoutes>,
) -> HttpResponse {
    let Some(allowed) = routes.methods_for(req.path()) else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no route for {}", req.path()),
        )
        .error_response();
    };
    let allow = allowed.join(", ");
    let mut response = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{} is not allowed on {}; use {allow}",
            req.method(),
            req.path()
        ),
    )
    .with_details(json!({ "allow": allowed }))
    .error_response();
    if let Ok(value) = HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}
