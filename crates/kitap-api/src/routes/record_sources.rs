//! Source versions kept beside a record: merged records' MARC and imports'
//! incoming MARC, listed and read back as stored (or converted).

use actix_web::{get, web, HttpResponse};
use kitap_app::catalog::{source_as, SourceSummary, SourceView};
use kitap_domain::{RecordId, RecordSourceId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::run;
use crate::auth::Staff;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::QueryParams;
use crate::extract_errors::parse_id;
use crate::state::ApiState;

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceDto {
    pub id: String,
    /// merged (a record merged into this one), import (an import's incoming
    /// record whose copies were attached here) or attach.
    #[schema(example = "merged")]
    pub kind: &'static str,
    /// Where it came from, for people.
    pub origin: String,
    /// iso2709, marcxml or json: how the bytes are stored.
    #[schema(example = "iso2709")]
    pub format: String,
    pub created_at: String,
    /// The staff account that kept it (none for system work).
    pub created_by: Option<String>,
    /// The merge that kept it (kind merged).
    pub merge_id: Option<String>,
    /// Bytes of MARC.
    pub size: i64,
}

impl From<&SourceSummary> for SourceDto {
    fn from(s: &SourceSummary) -> Self {
        SourceDto {
            id: s.id.to_string(),
            kind: s.kind.as_str(),
            origin: s.origin.clone(),
            format: s.format.clone(),
            created_at: s.created_at.to_string(),
            created_by: s.created_by.map(|id| id.to_string()),
            merge_id: s.merge_id.map(|id| id.to_string()),
            size: s.size,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceList {
    /// Oldest first.
    pub sources: Vec<SourceDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SourceQuery {
    /// stored (default: the bytes as kept, in their own format), json
    /// (MARC-in-JSON) or marcxml.
    pub format: Option<String>,
}

/// The source versions kept beside a record, oldest first (any staff).
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "record id")),
    responses(
        (status = 200, body = SourceList),
        (status = 404, description = "record_not_found", body = ErrorEnvelope),
    )
)]
#[get("/records/{id}/sources")]
pub async fn list(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<SourceList>, ApiError> {
    let id: RecordId = parse_id(&id)?;
    let sources = run(&state, move |app| app.record_sources(&staff.principal, id)).await?;
    Ok(web::Json(SourceList {
        sources: sources.iter().map(SourceDto::from).collect(),
    }))
}

/// One source version: its MARC as stored (`application/marc` for ISO 2709,
/// `application/marcxml+xml`, `application/json`), or converted by `format`.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "record id"),
        ("sid" = String, Path, description = "source id"),
        SourceQuery
    ),
    responses(
        (status = 200, description = "the MARC",
            content(
                (Vec<u8> = "application/marc"),
                (String = "application/marcxml+xml"),
                (serde_json::Value = "application/json")
            )),
        (status = 404, description = "record_not_found, record_source_not_found", body = ErrorEnvelope),
        (status = 409, description = "record_source_unreadable: the bytes cannot be converted; read them as stored", body = ErrorEnvelope),
        (status = 422, description = "validation_failed: unknown format", body = ErrorEnvelope),
    )
)]
#[get("/records/{id}/sources/{sid}")]
pub async fn get(
    state: web::Data<ApiState>,
    staff: Staff,
    path: web::Path<(String, String)>,
    query: QueryParams<SourceQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, sid) = path.into_inner();
    let id: RecordId = parse_id(&id)?;
    let sid: RecordSourceId = parse_id(&sid)?;
    let view = match query.format.as_deref() {
        None | Some("stored") => None,
        Some("json") => Some(SourceView::Json),
        Some("marcxml") => Some(SourceView::MarcXml),
        Some(_) => {
            return Err(kitap_app::AppError::from(kitap_domain::ValueError::new(
                "format",
                "must be stored, json or marcxml",
            ))
            .into())
        }
    };
    let (format, bytes) = run(&state, move |app| {
        let source = app.record_source(&staff.principal, id, sid)?;
        match view {
            None => Ok((source.format.clone(), source.marc)),
            Some(SourceView::Json) => {
                Ok(("json".to_owned(), source_as(&source, SourceView::Json)?))
            }
            Some(SourceView::MarcXml) => Ok((
                "marcxml".to_owned(),
                source_as(&source, SourceView::MarcXml)?,
            )),
        }
    })
    .await?;
    let (content_type, ext) = match format.as_str() {
        "marcxml" => ("application/marcxml+xml", "xml"),
        "json" => ("application/json", "json"),
        _ => ("application/marc", "mrc"),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("inline; filename=\"source-{sid}.{ext}\""),
        ))
        .body(bytes))
}
