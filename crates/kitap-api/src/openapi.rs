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
and may name the library they act for with `X-Kitap-Library: <code>`. \
Readers use the self-service routes under /api/v1/opac with their own token from /api/v1/opac/login \
(card number + PIN; security scheme `reader`): staff routes refuse it, and reader routes refuse staff tokens.",
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
        (name = "acts", description = "Accession and write-off acts"),
        (name = "dedup", description = "Duplicates: a record's likely duplicates, catalog-wide scans and their reports, decisions on pairs"),
        (name = "readers", description = "Readers: registration, search, blocks, loans"),
        (name = "circulation", description = "Loan rules, their explanation, closed days"),
        (name = "desk", description = "Checkout, renewal and return at the acting library"),
        (name = "notices", description = "Notices to readers: outbox, calls and visits, the notice job"),
        (name = "holds", description = "Holds: the queue of a title, trapping returned copies, the hold shelf"),
        (name = "exchange", description = "Inter-branch exchange: pick lists, dispatch and receive, the transit board, a copy's position, library distances"),
        (name = "statistics", description = "Reports for any period and set of libraries (loans, visits, readers) as JSON, CSV or XLSX; event attendance entered by staff"),
        (name = "debtors", description = "Readers with overdue loans and the automatic overdue block"),
        (name = "self-service", description = "Readers themselves: log in with card and PIN, own loans, renewals, holds, history")
    )
)]
struct ApiDoc;

struct BearerAuth;

/// The security scheme of the reader's self-service token.
const READER_SCHEME: &str = "reader";

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut OpenApiDoc) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A staff token (`ktp_...`) from /api/v1/auth/login."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            READER_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A reader's self-service token (`ktr_...`) from /api/v1/opac/login; \
only the /api/v1/opac/me routes and logout take it.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The answers the edge and the extractors give for any operation of a
/// kind, said once here rather than in each handler's annotation: a handler
/// documents its own codes, this adds the ones every operation shares, so
/// the document lists each status an operation can really return.
struct SharedResponses;

fn envelope(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                .build(),
        )
        .build()
        .into()
}

/// What an operation is made of, as far as the shared answers care.
struct Shape {
    api: bool,
    secured: bool,
    /// Secured by the reader's token: no roles, no acting library.
    reader: bool,
    path_parameters: bool,
    query_parameters: bool,
    body: bool,
}

fn shared_responses(shape: &Shape) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if shape.api {
        out.push((
            "400",
            "invalid_character (details.field, details.location); invalid_path_parameter, \
invalid_query_parameter, bad_limit, malformed_json where the operation takes them",
        ));
        out.push(("503", "database_busy, not_ready"));
    }
    if shape.reader {
        out.push((
            "401",
            "unauthenticated, invalid_token (also a staff token), token_expired, token_revoked",
        ));
    } else if shape.secured {
        out.push((
            "401",
            "unauthenticated, invalid_token, token_expired, token_revoked",
        ));
        out.push(("403", "role_denied, library_denied"));
        // Any staff request may name its library in X-Kitap-Library.
        out.push((
            "404",
            "library_not_found (X-Kitap-Library names no library), or the named resource does not exist",
        ));
    }
    if shape.path_parameters {
        out.push(("404", "the named resource does not exist (*_not_found)"));
    }
    if shape.body {
        out.push(("413", "payload_too_large"));
        out.push(("415", "unsupported_media_type"));
        out.push(("422", "validation_failed, invalid_body (details.field)"));
    }
    // Query parameters that parse but break a rule answer 422 through
    // validation; unparseable ones are the 400 above.
    if shape.query_parameters && !shape.body {
        out.push(("422", "validation_failed (details.field)"));
    }
    out
}

impl Modify for SharedResponses {
    fn modify(&self, doc: &mut OpenApiDoc) {
        use utoipa::openapi::path::ParameterIn;
        for (path, item) in doc.paths.paths.iter_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let parameters = operation.parameters.as_deref().unwrap_or_default();
                let has = |place: ParameterIn| {
                    parameters.iter().any(|p| {
                        std::mem::discriminant(&p.parameter_in) == std::mem::discriminant(&place)
                    })
                };
                let shape = Shape {
                    api: path.starts_with("/api/"),
                    secured: operation.security.as_ref().is_some_and(|s| !s.is_empty()),
                    reader: operation.security.as_ref().is_some_and(|s| {
                        serde_json::to_value(s)
                            .is_ok_and(|v| v.to_string().contains(&format!("\"{READER_SCHEME}\"")))
                    }),
                    path_parameters: path.contains('{'),
                    query_parameters: has(ParameterIn::Query),
                    body: operation.request_body.is_some(),
                };
                let responses = &mut operation.responses.responses;
                for (status, description) in shared_responses(&shape) {
                    responses
                        .entry(status.to_owned())
                        .or_insert_with(|| envelope(description));
                }
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
    SharedResponses.modify(&mut doc);
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
