//! Kitap's HTTP API (actix-web). The only crate that knows HTTP.
//!
//! Routes live in [`routes`]; failures become the JSON envelope in [`error`]
//! (the single error-to-status mapping) and [`context`] (rendering, request
//! id); the OpenAPI document is generated from the registered routes.

mod auth;
mod client_addr;
mod context;
mod dto;
mod edge;
pub mod error;
mod extract;
mod extract_errors;
mod metrics;
mod openapi;
mod reader_auth;
pub mod routes;
mod state;

use std::net::TcpListener;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{web, App as ActixApp, HttpServer};
use kitap_app::search::SearchService;
use kitap_app::App;
use utoipa_actix_web::AppExt;

pub use auth::LIBRARY_HEADER;
pub use openapi::{openapi, openapi_json};

use metrics::Metrics;
use routes::KnownRoutes;
use state::ApiState;

/// HTTP settings taken from the configuration.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub workers: usize,
    pub max_body_bytes: usize,
    /// Largest import upload, in bytes.
    pub max_upload_bytes: u64,
    /// Where uploads are kept until their import has run.
    pub upload_dir: std::path::PathBuf,
    pub search: kitap_app::search::SearchSettings,
    /// Public search requests per minute per client (0: no limit) and burst.
    pub search_rate: (u32, u32),
    /// Proxies whose `X-Forwarded-For` header names the client address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

fn search_limiter(
    (per_minute, burst): (u32, u32),
) -> Option<governor::DefaultKeyedRateLimiter<std::net::IpAddr>> {
    let per_minute = std::num::NonZeroU32::new(per_minute)?;
    let burst = std::num::NonZeroU32::new(burst.max(1)).unwrap_or(per_minute);
    Some(governor::RateLimiter::keyed(
        governor::Quota::per_minute(per_minute).allow_burst(burst),
    ))
}

/// Everything the app factory clones into each worker.
#[derive(Clone)]
struct Shared {
    state: web::Data<ApiState>,
    metrics: web::Data<Metrics>,
    routes: web::Data<KnownRoutes>,
    openapi: web::Data<String>,
    max_body_bytes: usize,
}

fn build_app(
    shared: Shared,
) -> ActixApp<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, _) = ActixApp::new()
        .into_utoipa_app()
        .app_data(shared.state)
        .app_data(shared.metrics)
        .app_data(shared.routes)
        .app_data(shared.openapi)
        .app_data(edge::JsonLimit(shared.max_body_bytes))
        .app_data(extract_errors::json_config(shared.max_body_bytes))
        .app_data(web::PayloadConfig::new(shared.max_body_bytes))
        .app_data(extract_errors::path_config())
        .app_data(extract_errors::query_config())
        .configure(openapi::register)
        .split_for_parts();
    app.default_service(web::to(extract_errors::fallback))
        .wrap(from_fn(edge::refuse_control_characters))
        .wrap(from_fn(context::request_context))
}

/// Builds the HTTP server on an already bound listener (port 0 in tests).
pub fn server(
    app: App,
    settings: &ServerSettings,
    listener: TcpListener,
) -> std::io::Result<Server> {
    let metrics = web::Data::new(Metrics::new().map_err(std::io::Error::other)?);
    let app = app.with_login_monitor(metrics.clone().into_inner());
    let doc = openapi();
    let search = SearchService::start(app.db().clone(), &settings.search)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let shared = Shared {
        state: web::Data::new(ApiState {
            imports: app.start_import_worker(settings.upload_dir.clone()),
            // Brings stored match keys up to date first, then runs scans.
            dedup: app.start_dedup_worker(),
            search,
            search_limiter: search_limiter(settings.search_rate),
            app,
            upload_dir: settings.upload_dir.clone(),
            max_upload_bytes: settings.max_upload_bytes,
            trusted_proxies: settings.trusted_proxies.clone(),
        }),
        metrics,
        routes: web::Data::new(KnownRoutes::from_openapi(&doc)),
        openapi: web::Data::new(openapi_json(&doc)),
        max_body_bytes: settings.max_body_bytes,
    };
    let mut http = HttpServer::new(move || build_app(shared.clone()))
        .shutdown_timeout(10)
        .listen(listener)?;
    if settings.workers > 0 {
        http = http.workers(settings.workers);
    }
    Ok(http.run())
}

/// Runs the server until Ctrl-C, with the periodic housekeeping jobs.
pub fn run_blocking(
    app: App,
    settings: &ServerSettings,
    listener: TcpListener,
) -> std::io::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let housekeeping = app.clone();
        actix_web::rt::spawn(async move {
            let mut every_hour = actix_web::rt::time::interval(Duration::from_secs(3600));
            loop {
                every_hour.tick().await;
                let app = housekeeping.clone();
                match web::block(move || app.purge_expired_sessions()).await {
                    Ok(Ok(purged)) => tracing::debug!(purged, "expired sessions purged"),
                    Ok(Err(err)) => tracing::warn!(error = %err, "purging expired sessions failed"),
                    Err(err) => tracing::warn!(error = %err, "purging expired sessions failed"),
                }
                let app = housekeeping.clone();
                let actor = kitap_app::Actor::system("hold expiry");
                match web::block(move || app.expire_holds_job(&actor)).await {
                    Ok(Ok(out)) => tracing::debug!(expired = out.expired, "holds expired"),
                    Ok(Err(err)) => tracing::warn!(error = %err, "expiring holds failed"),
                    Err(err) => tracing::warn!(error = %err, "expiring holds failed"),
                }
                let app = housekeeping.clone();
                let actor = kitap_app::Actor::system("selection reminders");
                match web::block(move || app.selection_reminders_job(&actor)).await {
                    Ok(Ok(run)) => tracing::debug!(
                        due_soon = run.due_soon,
                        overdue = run.overdue,
                        "selection reminders written"
                    ),
                    Ok(Err(err)) => tracing::warn!(error = %err, "selection reminders failed"),
                    Err(err) => tracing::warn!(error = %err, "selection reminders failed"),
                }
            }
        });
        server(app, settings, listener)?.await
    })
}
