//! What the exchange department plans with: the redistribution finder and
//! the exchange statistics.

use std::collections::BTreeMap;

use actix_web::{get, web, HttpRequest};
use chrono::NaiveDate;
use kitap_app::exchange::{Candidates, ExchangeCounts, FinderQuery};
use kitap_app::AppError;
use kitap_domain::ValueError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::run;
use crate::auth::Staff;
use crate::dto::LibraryCodes;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::QueryParams;
use crate::state::ApiState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CandidatesQuery {
    /// unused (copies nobody borrowed for `years` years) or surplus
    /// (titles with more than `min_copies` copies in one library and none
    /// in another).
    pub kind: String,
    /// Code of the library whose copies are looked at (default: all).
    pub library: Option<String>,
    /// unused: years without a loan (default 3); surplus: years of holds
    /// counted as demand (default 2). 1 to 50.
    pub years: Option<u16>,
    /// surplus: more than this many copies in one library (default 2).
    pub min_copies: Option<u32>,
    /// unused: 1 to 5000 (default 500).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnusedCopyDto {
    pub copy_id: String,
    pub record_id: String,
    pub title: String,
    pub barcode: String,
    pub inventory_number: String,
    pub shelf: Option<String>,
    /// The copy's home library.
    pub library: String,
    /// When it was last lent; null: never.
    pub last_loan_at: Option<String>,
    pub acquired_on: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestedBy {
    pub library: String,
    /// Holds its readers placed in the period.
    pub requests: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurplusDto {
    pub record_id: String,
    pub title: String,
    /// The library with the surplus.
    pub library: String,
    pub copies: u32,
    /// Libraries without a copy.
    pub lacking: Vec<String>,
    /// The lacking libraries whose readers requested the title, most
    /// requests first.
    pub requested_by: Vec<RequestedBy>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidatesDto {
    /// unused or surplus: which list is filled.
    pub kind: String,
    pub unused: Vec<UnusedCopyDto>,
    pub surplus: Vec<SurplusDto>,
}

fn invalid(field: &'static str, why: &str) -> ApiError {
    ApiError::from(AppError::from(ValueError::new(field, why)))
}

/// Redistribution candidates (the exchange department, administrators,
/// managers): copies unused for years, or titles piled up in one library
/// while others have none, with the libraries whose readers asked for them.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(CandidatesQuery),
    responses(
        (status = 200, body = CandidatesDto),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[get("/exchange/redistribution/candidates")]
pub async fn candidates(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<CandidatesQuery>,
) -> Result<web::Json<CandidatesDto>, ApiError> {
    let q = query.into_inner();
    if q.years.is_some_and(|y| !(1..=50).contains(&y)) {
        return Err(invalid("years", "must be 1 to 50"));
    }
    let limit = crate::extract::page_limit(q.limit, 500, 5000)?;
    let kind = q.kind.clone();
    let (found, branches) = run(&state, move |app| {
        let library = q.library.map(|c| app.library_id(&c)).transpose()?;
        let query = match q.kind.as_str() {
            "unused" => FinderQuery::Unused {
                library,
                years: q.years.unwrap_or(3),
                limit: i64::from(limit),
            },
            "surplus" => FinderQuery::Surplus {
                library,
                min_copies: q.min_copies.unwrap_or(2),
                years: q.years.unwrap_or(2),
            },
            _ => return Err(ValueError::new("kind", "must be unused or surplus").into()),
        };
        Ok((
            app.redistribution_candidates(&staff.principal, query)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    let mut out = CandidatesDto {
        kind,
        unused: Vec::new(),
        surplus: Vec::new(),
    };
    match found {
        Candidates::Unused(list) => {
            out.unused = list
                .into_iter()
                .map(|u| UnusedCopyDto {
                    copy_id: u.copy_id.to_string(),
                    record_id: u.record_id.to_string(),
                    title: u.title,
                    barcode: u.barcode,
                    inventory_number: u.inventory_number,
                    shelf: u.shelf,
                    library: codes.code(u.branch_id),
                    last_loan_at: u.last_loan_at.map(|t| t.to_string()),
                    acquired_on: u.acquired_on,
                })
                .collect();
        }
        Candidates::Surplus(list) => {
            out.surplus = list
                .into_iter()
                .map(|s| SurplusDto {
                    record_id: s.surplus.record.to_string(),
                    title: s.title,
                    library: codes.code(s.surplus.from),
                    copies: s.surplus.copies,
                    lacking: s.surplus.lacking.iter().map(|b| codes.code(*b)).collect(),
                    requested_by: s
                        .surplus
                        .requested_by
                        .iter()
                        .map(|(b, n)| RequestedBy {
                            library: codes.code(*b),
                            requests: *n,
                        })
                        .collect(),
                })
                .collect();
        }
    }
    Ok(web::Json(out))
}

/// Documents the statistics' parameters (parsed by hand: `library` repeats).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct StatsQuery {
    /// First day of the period (YYYY-MM-DD).
    pub from: NaiveDate,
    /// Last day of the period, included.
    pub to: NaiveDate,
    /// Library codes: repeat the parameter or give a comma list (default:
    /// every active library).
    pub library: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeCountsDto {
    /// Copies dispatched from the library.
    pub sent: u64,
    /// Copies received at the library.
    pub received: u64,
    /// `sent` by reason: hold, return_home, selection, selection_return,
    /// redistribution, hold_cancelled.
    pub sent_by_reason: BTreeMap<String, u64>,
    pub received_by_reason: BTreeMap<String, u64>,
    /// Distinct readers whose hold's copy was received at their pickup library.
    pub readers_served: u64,
    /// Distinct selections sent from (received at) the library.
    pub selections_sent: u64,
    pub selections_received: u64,
    /// Open transits from (to) the library travelling too long, now.
    pub overdue_outgoing: u64,
    pub overdue_incoming: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LibraryExchangeDto {
    pub library: String,
    #[serde(flatten)]
    pub counts: ExchangeCountsDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeStatsDto {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub libraries: Vec<LibraryExchangeDto>,
    /// Over the libraries listed; distinct readers and selections counted once.
    pub total: ExchangeCountsDto,
}

fn counts_dto(c: &ExchangeCounts) -> ExchangeCountsDto {
    let names = |m: &BTreeMap<&'static str, u64>| {
        m.iter()
            .map(|(k, v)| ((*k).to_owned(), *v))
            .collect::<BTreeMap<String, u64>>()
    };
    ExchangeCountsDto {
        sent: c.sent,
        received: c.received,
        sent_by_reason: names(&c.sent_by_reason),
        received_by_reason: names(&c.received_by_reason),
        readers_served: c.readers_served,
        selections_sent: c.selections_sent,
        selections_received: c.selections_received,
        overdue_outgoing: c.overdue_outgoing,
        overdue_incoming: c.overdue_incoming,
    }
}

fn bad_parameter(name: &str, message: String) -> ApiError {
    ApiError::bad_request("invalid_query_parameter", format!("{name}: {message}"))
        .with_details(serde_json::json!({ "parameter": name }))
}

fn date_parameter(name: &str, raw: Option<String>) -> Result<NaiveDate, ApiError> {
    let raw = raw.ok_or_else(|| bad_parameter(name, "missing field".to_owned()))?;
    raw.parse()
        .map_err(|_| bad_parameter(name, format!("{raw:?} is not a YYYY-MM-DD date")))
}

/// Exchange statistics for a period (the exchange department,
/// administrators, managers): per library and in total, copies sent and
/// received by reason, readers served, selections, and overdue transits
/// now. Counted from the exchange event log, so a period's numbers never
/// change.
#[utoipa::path(
    tag = "exchange",
    security(("bearer" = [])),
    params(StatsQuery),
    responses(
        (status = 200, body = ExchangeStatsDto),
        (status = 400, description = "invalid_query_parameter", body = ErrorEnvelope),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[get("/exchange/stats")]
pub async fn stats(
    state: web::Data<ApiState>,
    staff: Staff,
    req: HttpRequest,
) -> Result<web::Json<ExchangeStatsDto>, ApiError> {
    let (mut from, mut to, mut codes) = (None, None, Vec::new());
    for (key, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        match key.as_ref() {
            "from" => from = Some(value.into_owned()),
            "to" => to = Some(value.into_owned()),
            "library" => codes.extend(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned),
            ),
            other => {
                return Err(bad_parameter(
                    other,
                    "unknown field, expected `from`, `to`, `library`".to_owned(),
                ))
            }
        }
    }
    let (from, to) = (date_parameter("from", from)?, date_parameter("to", to)?);
    let (s, branches) = run(&state, move |app| {
        let ids = codes
            .iter()
            .map(|c| app.library_id(c))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((
            app.exchange_stats(&staff.principal, from, to, ids)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(ExchangeStatsDto {
        from: s.from,
        to: s.to,
        libraries: s
            .libraries
            .iter()
            .map(|(b, c)| LibraryExchangeDto {
                library: codes.code(*b),
                counts: counts_dto(c),
            })
            .collect(),
        total: counts_dto(&s.total),
    }))
}
