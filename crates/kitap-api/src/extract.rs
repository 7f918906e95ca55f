//! Body and query extractors whose errors name the field or parameter
//! (`limit: invalid digit found in string`, `date: input contains invalid characters`),
//! and the one rule for page sizes.
//!
//! actix's own `web::Json` / `web::Query` report serde's message only (with a
//! line and column for JSON); their error handlers never see the target type,
//! so the path cannot be recovered there. These extractors deserialize through
//! `serde_path_to_error` instead. `JsonBody` still lets `web::Json` read the
//! body, so size limits, content type and syntax errors keep their codes.

use std::future::{ready, Future, Ready};
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::error::ApiError;

/// A JSON request body; a body of the wrong shape answers 422 `invalid_body`
/// with `details.field`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for JsonBody<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let web::Json(value) = value.await?;
            serde_path_to_error::deserialize(value)
                .map(JsonBody)
                .map_err(|err| body_error(&err).into())
        })
    }
}

/// The query string; a parameter of the wrong type, an unknown or a missing
/// one answers 400 `invalid_query_parameter` with `details.parameter`.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T> QueryParams<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for QueryParams<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pairs = form_urlencoded::parse(req.query_string().as_bytes());
        let parsed = serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs));
        ready(parsed.map(QueryParams).map_err(|err| query_error(&err)))
    }
}

fn body_error(err: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let message = err.inner().to_string();
    let field = field_name(&err.path().to_string(), &message);
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
        format!("{field}: {message}"),
    )
    .with_details(json!({ "field": field }))
}

fn query_error(err: &serde_path_to_error::Error<serde_urlencoded::de::Error>) -> ApiError {
    let message = err.inner().to_string();
    let parameter = field_name(&err.path().to_string(), &message);
    ApiError::bad_request("invalid_query_parameter", format!("{parameter}: {message}"))
        .with_details(json!({ "parameter": parameter }))
}

/// The failing field: the path serde walked to it, or, for a missing or
/// unknown field (reported on the enclosing object), the name serde quotes.
fn field_name(path: &str, message: &str) -> String {
    let quoted = message
        .split_once('`')
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(name, _)| name);
    let named = ["missing field", "unknown field"]
        .iter()
        .any(|start| message.starts_with(start));
    match (named, quoted) {
        (true, Some(name)) if path == "." => name.to_owned(),
        // An unknown field is already the last step of the path.
        (true, Some(name)) if path.ends_with(name) => path.to_owned(),
        (true, Some(name)) => format!("{path}.{name}"),
        _ => path.to_owned(),
    }
}

/// A page size: absent means `default`; outside `1..=max` answers 400
/// `bad_limit` with the allowed range, never a silently different page.
pub fn page_limit(raw: Option<u32>, default: u32, max: u32) -> Result<u32, ApiError> {
    let limit = raw.unwrap_or(default);
    if (1..=max).contains(&limit) {
        return Ok(limit);
    }
    Err(ApiError::bad_request(
        "bad_limit",
        format!("limit: must be 1 to {max}, not {limit}"),
    )
    .with_details(json!({ "parameter": "limit", "min": 1, "max": max })))
}

#[cfg(test)]
mod tests {
    use super::field_name;

    #[test]
    fn field_names() {
        assert_eq!(
            field_name("limit", "invalid digit found in string"),
            "limit"
        );
        assert_eq!(field_name(".", "missing field `q`"), "q");
        assert_eq!(
            field_name(".", "unknown field `colour`, expected one of `a`"),
            "colour"
        );
        assert_eq!(field_name("colour", "unknown field `colour`"), "colour");
        assert_eq!(field_name("marc", "missing field `leader`"), "marc.leader");
        assert_eq!(
            field_name("lines[0].price_minor", "invalid type"),
            "lines[0].price_minor"
        );
    }
}
