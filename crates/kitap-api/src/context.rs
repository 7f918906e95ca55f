//! Per-request middleware: request id, metrics, access log and the error envelope.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};

use crate::error::{default_body, ErrorBody, ErrorEnvelope, ErrorInfo};
use crate::metrics::Metrics;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id: the client's `X-Request-Id` when it is sane, else a new UUIDv7.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn incoming_request_id(req: &ServiceRequest) -> String {
    let given = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| is_sane_id(id));
    match given {
        Some(id) => id.to_owned(),
        None => uuid::Uuid::now_v7().to_string(),
    }
}

/// Ids end up in logs and the audit table: keep them short and printable.
fn is_sane_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let request_id = incoming_request_id(&req);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    // Handlers and extractors turn their errors into responses themselves, so
    // an `Err` here could only come from another middleware; it passes through.
    // (The request must not be cloned before the call: routing needs it unique.)
    let response = next.call(req).await?.map_into_boxed_body();
    let mut response = if response.status().as_u16() >= 400 {
        render_envelope(response, &request_id)
    } else {
        response
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = response.request().method().as_str().to_owned();
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    if let Some(metrics) = metrics {
        metrics.observe(&method, &route, status, elapsed);
    }
    tracing::info!(
        request_id = %request_id,
        method = %method,
        route = %route,
        status,
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    Ok(response)
}

fn render_envelope(
    response: ServiceResponse<BoxBody>,
    request_id: &str,
) -> ServiceResponse<BoxBody> {
    let status = response.status();
    let body = response
        .response()
        .extensions()
        .get::<ErrorBody>()
        .cloned()
        .unwrap_or_else(|| default_body(status));
    if let Some(cause) = &body.internal {
        tracing::error!(request_id = %request_id, cause = %cause, "internal error");
    }
    let envelope = ErrorEnvelope {
        error: ErrorInfo {
            code: body.code.to_owned(),
            message: body.message,
            request_id: request_id.to_owned(),
            details: body.details,
        },
    };
    let bytes = serde_json::to_vec(&envelope).unwrap_or_else(|_| b"{}".to_vec());
    response.map_body(|head, _old| {
        head.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        head.headers_mut().remove(header::CONTENT_LENGTH);
        BoxBody::new(bytes)
    })
}

#[cfg(test)]
mod tests {
    use super::is_sane_id;

    #[test]
    fn request_ids_from_clients_are_checked() {
        assert!(is_sane_id("01938f0a-6c1b-7d2e-9f00-123456789abc"));
        assert!(is_sane_id("desk-7:req.42"));
        assert!(!is_sane_id(""));
        assert!(!is_sane_id("has space"));
        assert!(!is_sane_id("line\nbreak"));
        assert!(!is_sane_id(&"x".repeat(129)));
    }
}
