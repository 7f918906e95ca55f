//! Operational endpoints outside /api/v1: liveness, readiness, metrics.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::run;
use crate::error::{ApiError, ErrorEnvelope};
use crate::metrics::Metrics;
use crate::state::ApiState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    #[schema(example = "ready")]
    pub status: String,
    /// postgres or sqlite.
    pub database: String,
}

/// Alive: the process answers. Touches nothing else.
#[utoipa::path(tag = "system", responses((status = 200, body = Health)))]
#[get("/health")]
pub async fn health() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".to_owned(),
    })
}

/// Ready: the database answers and every migration is applied.
#[utoipa::path(
    tag = "system",
    responses((status = 200, body = Ready), (status = 503, description = "not_ready", body = ErrorEnvelope))
)]
#[get("/ready")]
pub async fn ready(state: web::Data<ApiState>) -> Result<web::Json<Ready>, ApiError> {
    let backend = state.app.db().backend().as_str().to_owned();
    run(&state, |app| app.readiness()).await.map_err(|err| {
        let mut not_ready = ApiError::new(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "the database is not reachable or not migrated",
        );
        not_ready.internal = err.internal.or(Some(err.message));
        not_ready
    })?;
    Ok(web::Json(Ready {
        status: "ready".to_owned(),
        database: backend,
    }))
}

/// Prometheus text format: request counts and latency per route, pool usage.
#[utoipa::path(tag = "system", responses((status = 200, content_type = "text/plain", body = String)))]
#[get("/metrics")]
pub async fn metrics(
    state: web::Data<ApiState>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    let text = metrics
        .render(state.app.db().pool_state())
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
