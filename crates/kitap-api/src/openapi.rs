//! The OpenAPI document, generated from the registered routes.

use actix_web::{web, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as OpenApiDoc, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::AppExt;

use crate::routes::{self, system};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kitap",
        description = "Library cataloguing and circulation for a centralised city library system. \
Every failure answers with the error envelope {\"error\": {\"code\", \"message\", \"request_id\", \"details\"}}; \
`code` is stable. Staff authenticate with `Authorization: Bearer <token>` from /api/v1/auth/login \
and may name the library they act for with `X-Kitap-Library: <code>`.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "system", description = "Liveness, readiness, metrics"),
        (name = "auth", description = "Staff login and sessions"),
        (name = "libraries", description = "The central library and its branches"),
        (name = "staff", description = "Staff accounts"),
        (name = "audit", description = "Who changed what"),
        (name = "copies", description = "Copies (items) of records in the libraries"),
        (name = "acts", description = "Accession and write-off acts")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut OpenApiDoc) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every secured operation can answer 401 and 403; say so once, here,
/// rather than in each handler's annotation.
struct AuthResponses;

impl Modify for AuthResponses {
    fn modify(&self, doc: &mut OpenApiDoc) {
        let envelope = || {
            ResponseBuilder::new().content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                    .build(),
            )
        };
        for item in doc.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                if operation.security.as_ref().is_none_or(|s| s.is_empty()) {
                    continue;
                }
                let responses = &mut operation.responses.responses;
                responses.entry("401".to_owned()).or_insert_with(|| {
                    envelope()
                        .description("unauthenticated, invalid_token, token_expired, token_revoked")
                        .build()
                        .into()
                });
                responses.entry("403".to_owned()).or_insert_with(|| {
                    envelope()
                        .description("role_denied, library_denied")
                        .build()
                        .into()
                });
            }
        }
    }
}

/// Registers every documented route; used both by the server and by [`openapi`].
pub(crate) fn register(cfg: &mut ServiceConfig<'_>) {
    cfg.service(system::health)
        .service(system::ready)
        .service(system::metrics)
        .service(routes::sru::sru)
        .service(
            scope::scope("/api/v1")
                .route("/openapi.json", web::get().to(serve))
                .configure(routes::api_v1),
        );
}

/// The document as the server serves it and `api-spec/openapi.json` holds it.
pub fn openapi() -> OpenApiDoc {
    let (_, doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(register)
        .split_for_parts();
    let mut doc = doc;
    AuthResponses.modify(&mut doc);
    doc
}

/// Pretty JSON with a trailing newline: stable text for the checked-in file.
pub fn openapi_json(doc: &OpenApiDoc) -> String {
    let mut text = doc.to_pretty_json().unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

pub(crate) async fn serve(doc: web::Data<String>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.get_ref().clone())
}
