//! The public catalogue: `GET /search` and the index status. Rate-limited
//! per client address (the TCP peer: a forwarded-for header is the client's
//! word and would let anyone pick a fresh key per request).

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest};
use kitap_app::search::{parse_box, Field, IndexStatus, Query, SearchPage, SearchRequest, Sort};
use kitap_app::AppError;
use serde::Deserialize;
use utoipa::IntoParams;

use super::run;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{page_limit, QueryParams};
use crate::state::ApiState;

/// Hits per page unless asked otherwise, and the most a page may have.
const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;
/// Values kept per facet.
const FACET_VALUES: usize = 20;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// The search box: words in any script, or fielded syntax (`title:`,
    /// `author:`, `subject:`, `isbn:`, `year:2010..2020`, `lang:kaz`,
    /// `library:F07`, AND/OR/NOT, "phrases", parentheses).
    pub q: String,
    /// relevance (default), year (newest first), year_asc, title, title_desc, author, author_desc.
    pub sort: Option<String>,
    /// Hits per page, 1..=100 (default 20).
    pub limit: Option<u32>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// Facet filter: language code (ISO 639-2/B).
    pub lang: Option<String>,
    /// Facet filter: library code holding a copy.
    pub library: Option<String>,
    /// Facet filter: record or material type.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub material_type: Option<String>,
    /// Facet filter: knowledge-area group.
    pub group: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    /// Count facets (default true).
    pub facets: Option<bool>,
}

fn filter(field: Field, value: &Option<String>) -> Option<Query> {
    value
        .as_ref()
        .filter(|v| !v.trim().is_empty())
        .map(|v| Query::Words {
            field,
            text: v.clone(),
        })
}

fn bad(code: &'static str, message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

impl SearchParams {
    fn request(&self) -> Result<SearchRequest, ApiError> {
        let query = parse_box(&self.q).map_err(|e| ApiError::from(AppError::Query(e)))?;
        let sort = match self.sort.as_deref() {
            None | Some("") => Sort::Relevance,
            Some(s) => Sort::parse(s).ok_or_else(|| {
                bad(
                    "bad_sort",
                    "sort is one of relevance, year, year_asc, title, title_desc, author, author_desc",
                )
            })?,
        };
        let limit = page_limit(self.limit, DEFAULT_LIMIT, MAX_LIMIT)? as usize;
        let mut filters: Vec<Query> = [
            filter(Field::Lang, &self.lang),
            filter(Field::Library, &self.library),
            filter(Field::MaterialType, &self.material_type),
            filter(Field::BbkGroup, &self.group),
        ]
        .into_iter()
        .flatten()
        .collect();
        if self.year_from.is_some() || self.year_to.is_some() {
            filters.push(Query::Year {
                from: self.year_from,
                to: self.year_to,
            });
        }
        Ok(SearchRequest {
            query,
            filters,
            sort,
            limit,
            after: self.cursor.clone().filter(|c| !c.is_empty()),
            facets: if self.facets.unwrap_or(true) {
                FACET_VALUES
            } else {
                0
            },
            fuzzy: true,
        })
    }
}

/// Refuses a client over its rate with 429 and `Retry-After`.
pub(crate) fn check_rate(state: &ApiState, req: &HttpRequest) -> Result<(), ApiError> {
    let (Some(limiter), Some(peer)) = (&state.search_limiter, req.peer_addr()) else {
        return Ok(());
    };
    match limiter.check_key(&peer.ip()) {
        Ok(()) => Ok(()),
        Err(not_until) => {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            let mut err = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many searches from this address; wait a moment and try again",
            );
            err.details = Some(serde_json::json!({ "retry_after_seconds": wait.as_secs().max(1) }));
            Err(err)
        }
    }
}

/// Search the catalogue (public). Each hit has the bibliographic view,
/// highlighted fields and live availability per library.
#[utoipa::path(
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "a page of hits with facets and the next cursor"),
        (status = 400, description = "unparsable query (code from the parser) or bad parameter", body = ErrorEnvelope),
        (status = 429, description = "rate_limited", body = ErrorEnvelope)
    )
)]
#[get("/search")]
pub async fn search(
    state: web::Data<ApiState>,
    req: HttpRequest,
    params: QueryParams<SearchParams>,
) -> Result<web::Json<SearchPage>, ApiError> {
    check_rate(&state, &req)?;
    let request = params.request()?;
    let service = state.search.clone();
    let page = run(&state, move |app| app.search(&service, &request)).await?;
    Ok(web::Json(page))
}

/// The index: generation, documents, and the outbox position it is current to.
#[utoipa::path(tag = "search", responses((status = 200, description = "index status")))]
#[get("/search/status")]
pub async fn status(state: web::Data<ApiState>) -> web::Json<IndexStatus> {
    web::Json(state.search.status())
}
