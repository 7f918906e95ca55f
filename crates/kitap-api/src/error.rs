//! The one place where failures become HTTP: status, stable code, message.
//!
//! Handlers return [`ApiError`]; its response carries an [`ErrorBody`] in the
//! response extensions, and the request-context middleware renders every
//! response with status >= 400 as the JSON envelope, adding the request id.
//! Responses that actix makes itself (unknown routes, extractor failures)
//! get the same envelope there, so no failure is ever plain text or HTML.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use kitap_app::AppError;
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Option<Value>,
    /// Logged with the request id, never sent to the client.
    pub internal: Option<String>,
}

/// What the middleware renders: attached to error responses as an extension.
#[derive(Debug, Clone)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
    pub details: Option<Value>,
    pub internal: Option<String>,
}

/// `{"error": {...}}`: the envelope of every failure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorInfo,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorInfo {
    /// Stable, machine-readable: clients match on this.
    #[schema(example = "invalid_credentials")]
    pub code: String,
    /// For people; may change between versions.
    pub message: String,
    /// The `X-Request-Id` of the failed request: quote it when reporting a problem.
    pub request_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: None,
            internal: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let mut err = ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "internal error; quote the request id when reporting it",
        );
        err.internal = Some(cause.to_string());
        err
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::new(self.status);
        // Whoever says how long to wait says it in the standard header too.
        let retry_after = self
            .details
            .as_ref()
            .and_then(|d| d.get("retry_after_seconds"))
            .and_then(Value::as_u64);
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from(seconds),
            );
        }
        response.extensions_mut().insert(ErrorBody {
            code: self.code,
            message: self.message.clone(),
            details: self.details.clone(),
            internal: self.internal.clone(),
        });
        response
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        let status = match &err {
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::InvalidCredentials
            | AppError::Unauthenticated
            | AppError::InvalidToken
            | AppError::TokenExpired
            | AppError::TokenRevoked => StatusCode::UNAUTHORIZED,
            AppError::AccountLocked { .. } => StatusCode::LOCKED,
            AppError::LoginThrottled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::RoleDenied { .. } | AppError::LibraryDenied { .. } => StatusCode::FORBIDDEN,
            AppError::InvalidRecord { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::VersionConflict { .. } => StatusCode::CONFLICT,
            AppError::Query(_) => StatusCode::BAD_REQUEST,
            AppError::NotMarc(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Refused(_)
            | AppError::PossibleDuplicate { .. }
            | AppError::ProbableDuplicate { .. } => StatusCode::CONFLICT,
            AppError::OverrideDenied | AppError::HistoryNotKept => StatusCode::FORBIDDEN,
            AppError::GuarantorRequired => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(cause) => return ApiError::internal(cause),
        };
        let details = match &err {
            AppError::Validation(value) => Some(json!({ "field": value.field })),
            AppError::AccountLocked { until } => Some(json!({ "locked_until": until.to_string() })),
            AppError::LoginThrottled {
                retry_after_seconds,
            } => Some(json!({ "retry_after_seconds": retry_after_seconds })),
            AppError::RoleDenied { required } => Some(json!({ "required_roles": required })),
            AppError::LibraryDenied { library } => Some(json!({ "library": library })),
            AppError::InvalidRecord { issues, .. } => {
                Some(json!({ "issues": crate::routes::records_dto::issues(issues) }))
            }
            AppError::VersionConflict { current } => Some(json!({ "current_version": current })),
            AppError::Query(q) => Some(json!({ "position": q.position })),
            AppError::Refused(r) => Some(refusal_details(r)),
            AppError::PossibleDuplicate { candidates }
            | AppError::ProbableDuplicate { candidates } => {
                Some(json!({ "candidates": candidates }))
            }
            AppError::GuarantorRequired => Some(json!({ "field": "guarantor_id" })),
            _ => None,
        };
        ApiError {
            status,
            code: err.code(),
            message: err.to_string(),
            details,
            internal: None,
        }
    }
}

/// A circulation refusal: the first failing check in three languages and
/// every failing check, so the desk screen shows them at once.
fn refusal_details(r: &kitap_app::Refused) -> Value {
    let refusals: Vec<Value> = r
        .refusals
        .iter()
        .map(|(code, detail, overridable)| {
            json!({ "code": code, "detail": detail, "overridable": overridable })
        })
        .collect();
    json!({
        "overridable": r.overridable,
        "message_ru": r.message_ru,
        "message_kk": r.message_kk,
        "refusals": refusals,
    })
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        ApiError::internal(err)
    }
}

/// The envelope for a response actix made without an [`ErrorBody`].
pub fn default_body(status: StatusCode) -> ErrorBody {
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "no such resource"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this method is not allowed here"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the request body is too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "send application/json"),
        StatusCode::UNAUTHORIZED => ("unauthenticated", "authentication required"),
        StatusCode::FORBIDDEN => ("forbidden", "not allowed"),
        StatusCode::REQUEST_TIMEOUT => ("request_timeout", "the request took too long to arrive"),
        s if s.is_client_error() => ("bad_request", "the request is not valid"),
        _ => (
            "internal_error",
            "internal error; quote the request id when reporting it",
        ),
    };
    ErrorBody {
        code,
        message: message.to_owned(),
        details: None,
        internal: None,
    }
}
