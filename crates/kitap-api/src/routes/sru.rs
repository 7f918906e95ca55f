//! SRU 1.2 and 2.0 (`GET /sru`, public): searchRetrieve in CQL over the
//! catalogue index, with records as MARCXML or Dublin Core, and explain.
//!
//! Every problem with a request is an SRU diagnostic in an HTTP 200 XML
//! answer, as SRU clients expect; only the rate limit (429) and failures of
//! the server itself (500, 503) leave the protocol for the JSON envelope.
//! SRU pages by position and the engine by seek cursor, so a page at
//! `startRecord` walks the cursor over the hits before it: positions past
//! [`WINDOW`] are refused with diagnostic 61.

use actix_web::{get, web, HttpRequest, HttpResponse};
use kitap_app::search::{parse_cql, Query, QueryError, SearchRequest, SearchService, Sort};
use kitap_app::{App, AppError};
use serde::Deserialize;
use utoipa::IntoParams;

use super::run;
use super::search::check_rate;
use crate::error::{ApiError, ErrorEnvelope};
use crate::state::ApiState;

#[path = "sru_xml.rs"]
mod xml;

use xml::{
    Diagnostic, Echo, ExplainInfo, IndexInfo, Packing, RecordOut, Schema, SearchResponse, Version,
};

/// Records per response unless asked otherwise, and the most given at once
/// (a larger `maximumRecords` is served as this many, as SRU allows).
const DEFAULT_RECORDS: usize = 10;
const MAX_RECORDS: usize = 100;
/// The last result position served.
const WINDOW: usize = 10_000;
/// Hits per engine request while walking to `startRecord`.
const CHUNK: usize = 1000;
const CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// The indexes the CQL parser understands, as explain lists them.
const INDEXES: &[IndexInfo] = &[
    IndexInfo {
        title: "any field",
        names: &[
            ("cql", "serverChoice"),
            ("cql", "anywhere"),
            ("cql", "keywords"),
            ("cql", "allIndexes"),
        ],
    },
    IndexInfo {
        title: "every record",
        names: &[("cql", "allRecords")],
    },
    IndexInfo {
        title: "title",
        names: &[("dc", "title"), ("bath", "title")],
    },
    IndexInfo {
        title: "author",
        names: &[
            ("dc", "creator"),
            ("dc", "author"),
            ("bath", "author"),
            ("bath", "name"),
        ],
    },
    IndexInfo {
        title: "subject",
        names: &[("dc", "subject"), ("bath", "subject")],
    },
    IndexInfo {
        title: "publisher",
        names: &[("dc", "publisher")],
    },
    IndexInfo {
        title: "year of publication",
        names: &[("dc", "date")],
    },
    IndexInfo {
        title: "language (ISO 639-2/B)",
        names: &[("dc", "language")],
    },
    IndexInfo {
        title: "annotation",
        names: &[("dc", "description")],
    },
    IndexInfo {
        title: "ISBN",
        names: &[("bath", "isbn")],
    },
    IndexInfo {
        title: "ISSN",
        names: &[("bath", "issn")],
    },
    IndexInfo {
        title: "record id",
        names: &[("rec", "id")],
    },
];

/// The SRU request parameters (1.1, 1.2 and 2.0). Others are ignored, as
/// are the `x-` extensions.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SruParams {
    /// searchRetrieve, explain or scan (scan answers diagnostic 4). Without
    /// it: searchRetrieve when there is a query, else explain.
    pub operation: Option<String>,
    /// 1.1, 1.2 (default) or 2.0.
    pub version: Option<String>,
    /// CQL: dc.title, dc.creator, dc.subject, dc.publisher, dc.date,
    /// dc.language, dc.description, bath.isbn, bath.issn, rec.id,
    /// cql.serverChoice/cql.anywhere, cql.allRecords; and, or, not.
    pub query: Option<String>,
    /// SRU 2.0: only `cql`.
    #[serde(rename = "queryType")]
    #[param(rename = "queryType")]
    pub query_type: Option<String>,
    /// 1-based position of the first record (default 1).
    #[serde(rename = "startRecord")]
    #[param(rename = "startRecord")]
    pub start_record: Option<String>,
    /// Records to return, 0..=100 (default 10; more is served as 100).
    #[serde(rename = "maximumRecords")]
    #[param(rename = "maximumRecords")]
    pub maximum_records: Option<String>,
    /// marcxml (default; also info:srw/schema/1/marcxml-v1.1, MARC21-xml) or
    /// dc (info:srw/schema/1/dc-v1.1).
    #[serde(rename = "recordSchema")]
    #[param(rename = "recordSchema")]
    pub record_schema: Option<String>,
    /// SRU 1.x: xml (default) or string (the record XML as escaped text).
    /// SRU 2.0: packed or unpacked (the same here).
    #[serde(rename = "recordPacking")]
    #[param(rename = "recordPacking")]
    pub record_packing: Option<String>,
    /// SRU 2.0: xml (default) or string.
    #[serde(rename = "recordXMLEscaping")]
    #[param(rename = "recordXMLEscaping")]
    pub record_xml_escaping: Option<String>,
    /// Not supported (diagnostic 72).
    #[serde(rename = "recordXPath")]
    #[param(rename = "recordXPath")]
    pub record_xpath: Option<String>,
    /// Not supported: answered in relevance order with diagnostic 80.
    #[serde(rename = "sortKeys")]
    #[param(rename = "sortKeys")]
    pub sort_keys: Option<String>,
}

fn xml_response(body: String) -> HttpResponse {
    HttpResponse::Ok().content_type(CONTENT_TYPE).body(body)
}

/// Search the catalogue over SRU 1.2/2.0 (public; for Z39.50/SRU clients
/// such as yaz-client or another library system). Always XML; problems
/// with the request are SRU diagnostics in a 200 answer.
#[utoipa::path(
    tag = "sru",
    params(SruParams),
    responses(
        (status = 200, content_type = "text/xml", body = String,
         description = "searchRetrieveResponse, explainResponse or scanResponse, possibly with diagnostics"),
        (status = 429, description = "rate_limited", body = ErrorEnvelope)
    )
)]
#[get("/sru")]
pub async fn sru(state: web::Data<ApiState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    check_rate(&state, &req)?;
    let params = match web::Query::<SruParams>::from_query(req.query_string()) {
        Ok(params) => params.into_inner(),
        Err(err) => {
            let diagnostic = Diagnostic::new(6, Some(err.to_string()));
            return Ok(xml_response(xml::diagnostic_response(
                Version::V1_2,
                "searchRetrieveResponse",
                &[diagnostic],
            )));
        }
    };
    let operation = params
        .operation
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
    let has_query = params.query.is_some();
    let element = match operation {
        Some("explain") => "explainResponse",
        Some("scan") => "scanResponse",
        None if !has_query => "explainResponse",
        _ => "searchRetrieveResponse",
    };
    let version = match params
        .version
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => Version::V1_2,
        Some(text) => match Version::parse(text) {
            Some(version) => version,
            None => {
                let answer_in = if text.starts_with('2') {
                    Version::V2_0
                } else {
                    Version::V1_2
                };
                let diagnostic = Diagnostic::new(5, Some("1.2".to_owned())).with_message(format!(
                    "Unsupported version {text}: this server speaks SRU 1.1, 1.2 and 2.0"
                ));
                return Ok(xml_response(xml::diagnostic_response(
                    answer_in,
                    element,
                    &[diagnostic],
                )));
            }
        },
    };
    match element {
        "explainResponse" => Ok(xml_response(explain(&req, version, &params))),
        "scanResponse" => {
            let diagnostic = Diagnostic::new(4, Some("scan".to_owned()))
                .with_message("Unsupported operation: scan");
            Ok(xml_response(xml::diagnostic_response(
                version,
                element,
                &[diagnostic],
            )))
        }
        _ => match operation {
            None | Some("searchRetrieve") => search_retrieve(&state, version, params)
                .await
                .map(xml_response),
            Some(other) => {
                let diagnostic = Diagnostic::new(4, Some(other.to_owned()));
                Ok(xml_response(xml::diagnostic_response(
                    version,
                    element,
                    &[diagnostic],
                )))
            }
        },
    }
}

/// Host and port of the server as the client addressed it.
fn host_and_port(req: &HttpRequest) -> (String, u16) {
    let info = req.connection_info();
    let default_port = if info.scheme() == "https" { 443 } else { 80 };
    let host = info.host();
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        // [::1]:8080
        match rest.split_once(']') {
            Some((name, tail)) => (name, tail.strip_prefix(':')),
            None => (rest, None),
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    let port = port.and_then(|p| p.parse().ok()).unwrap_or(default_port);
    (name.to_owned(), port)
}

fn packing(version: Version, params: &SruParams) -> Result<Packing, Diagnostic> {
    let parse = |value: &str| match value.trim().to_ascii_lowercase().as_str() {
        "xml" => Some(Packing::Xml),
        "string" => Some(Packing::String),
        _ => None,
    };
    let bad = |name: &str, value: &str| {
        Diagnostic::new(71, Some(value.to_owned())).with_message(format!(
            "Unsupported record packing: {name} is xml or string"
        ))
    };
    let escaping = params
        .record_xml_escaping
        .as_deref()
        .filter(|v| !v.trim().is_empty());
    let packing = params
        .record_packing
        .as_deref()
        .filter(|v| !v.trim().is_empty());
    if version == Version::V2_0 {
        if let Some(value) = escaping {
            return parse(value).ok_or_else(|| bad("recordXMLEscaping", value));
        }
        // 2.0's recordPacking is packed/unpacked (the same for whole
        // records); a 1.x client's xml/string there is taken as meant.
        return match packing {
            None => Ok(Packing::Xml),
            Some(value) => match value.trim().to_ascii_lowercase().as_str() {
                "packed" | "unpacked" => Ok(Packing::Xml),
                _ => parse(value).ok_or_else(|| {
                    Diagnostic::new(6, Some(value.to_owned())).with_message(
                        "Unsupported parameter value: recordPacking is packed or unpacked",
                    )
                }),
            },
        };
    }
    match packing.or(escaping) {
        None => Ok(Packing::Xml),
        Some(value) => parse(value).ok_or_else(|| bad("recordPacking", value)),
    }
}

fn explain(req: &HttpRequest, version: Version, params: &SruParams) -> String {
    let (host, port) = host_and_port(req);
    let packing = packing(version, params).unwrap_or(Packing::Xml);
    xml::explain_response(&ExplainInfo {
        version,
        host: &host,
        port,
        database: "sru",
        indexes: INDEXES,
        default_records: DEFAULT_RECORDS,
        max_records: MAX_RECORDS,
        packing,
    })
}

/// A non-negative integer parameter, or diagnostic 6 naming it.
fn number(name: &str, value: Option<&str>) -> Result<Option<usize>, Diagnostic> {
    let Some(text) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    // Digits only: "+5", "5.0" and "-1" are not SRU integers; a huge number
    // is refused the same way rather than wrapped.
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(
            Diagnostic::new(6, Some(name.to_owned())).with_message(format!(
                "Unsupported parameter value: {name} must be a non-negative integer, not '{text}'"
            )),
        );
    }
    text.parse().map(Some).map_err(|_| {
        Diagnostic::new(6, Some(name.to_owned())).with_message(format!(
            "Unsupported parameter value: {name} '{text}' is too large"
        ))
    })
}

/// The text between the first pair of single quotes of a parser message
/// (the index or relation it names).
fn quoted(message: &str) -> Option<String> {
    let (_, rest) = message.split_once('\'')?;
    let (inside, _) = rest.split_once('\'')?;
    Some(inside.to_owned())
}

/// The SRU diagnostic for a CQL parse failure.
fn cql_diagnostic(err: &QueryError) -> Diagnostic {
    let number = match err.code {
        "unknown_index" | "unknown_field" => 16,
        "unsupported_relation" => 19,
        "unbalanced_parenthesis" => 13,
        "bad_range" => 36,
        _ => 10,
    };
    let details = match number {
        16 | 19 => quoted(&err.message).unwrap_or_else(|| err.message.clone()),
        _ => format!("{} at character {}", err.message, err.position),
    };
    let mut diagnostic = Diagnostic::new(number, Some(details));
    diagnostic.message = format!("{}: {}", diagnostic.message, err.message);
    diagnostic
}

/// What a valid searchRetrieve asks for.
struct Asked {
    query: Query,
    /// Hits before the first one returned (`startRecord - 1`).
    skip: usize,
    count: usize,
    schema: Schema,
    packing: Packing,
    warnings: Vec<Diagnostic>,
}

fn validate(version: Version, params: &SruParams) -> Result<Asked, Diagnostic> {
    let Some(text) = params.query.as_deref().filter(|q| !q.trim().is_empty()) else {
        return Err(Diagnostic::new(7, Some("query".to_owned()))
            .with_message("Mandatory parameter not supplied: query"));
    };
    if let Some(kind) = params
        .query_type
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        if !kind.eq_ignore_ascii_case("cql") {
            return Err(
                Diagnostic::new(6, Some("queryType".to_owned())).with_message(format!(
                    "Unsupported parameter value: queryType '{kind}' (only cql)"
                )),
            );
        }
    }
    let start = number("startRecord", params.start_record.as_deref())?.unwrap_or(1);
    if start == 0 {
        return Err(Diagnostic::new(6, Some("startRecord".to_owned()))
            .with_message("Unsupported parameter value: startRecord starts at 1"));
    }
    if start > WINDOW {
        return Err(Diagnostic::new(61, Some(start.to_string())).with_message(format!(
            "First record position out of range: records past position {WINDOW} are not served; narrow the query"
        )));
    }
    let asked =
        number("maximumRecords", params.maximum_records.as_deref())?.unwrap_or(DEFAULT_RECORDS);
    let count = asked.min(MAX_RECORDS).min(WINDOW + 1 - start);
    let schema = match params
        .record_schema
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Schema::MarcXml,
        Some(name) => Schema::parse(name).ok_or_else(|| {
            Diagnostic::new(66, Some(name.to_owned())).with_message(format!(
                "Unknown schema for retrieval: {name} (marcxml or dc)"
            ))
        })?,
    };
    let packing = packing(version, params)?;
    if params
        .record_xpath
        .as_deref()
        .is_some_and(|x| !x.trim().is_empty())
    {
        return Err(Diagnostic::new(72, None));
    }
    let query = parse_cql(text).map_err(|e| cql_diagnostic(&e))?;
    let mut warnings = Vec::new();
    if params
        .sort_keys
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty())
    {
        warnings.push(
            Diagnostic::new(80, Some("sortKeys".to_owned()))
                .with_message("Sort not supported: records are in relevance order"),
        );
    }
    Ok(Asked {
        query,
        skip: start - 1,
        count,
        schema,
        packing,
        warnings,
    })
}

/// What the engine and the database gave for one page.
struct Found {
    total: usize,
    records: Vec<(String, kitap_marc::Record, kitap_catalog::BibView)>,
}

/// The hits at positions `skip + 1 ..= skip + count`, walking the seek
/// cursor in chunks, and their records.
fn find(
    app: &App,
    service: &SearchService,
    query: &Query,
    skip: usize,
    count: usize,
) -> Result<Found, AppError> {
    let wanted = skip + count;
    let mut ids: Vec<String> = Vec::new();
    let mut after = None;
    let mut fetched = 0;
    let mut total;
    loop {
        // Limit 1 when only the count is wanted (maximumRecords=0).
        let limit = wanted.saturating_sub(fetched).clamp(1, CHUNK);
        let page = app.search(
            service,
            &SearchRequest {
                query: query.clone(),
                filters: vec![],
                sort: Sort::Relevance,
                limit,
                after: after.take(),
                facets: 0,
                fuzzy: false,
            },
        )?;
        total = page.total;
        ids.extend(page.hits.into_iter().map(|h| h.id));
        fetched += limit;
        match page.next {
            Some(next) if fetched < wanted => after = Some(next),
            _ => break,
        }
    }
    let ids: Vec<String> = ids.into_iter().skip(skip).take(count).collect();
    let records = if ids.is_empty() {
        Vec::new()
    } else {
        app.records_for_display(&ids)?
    };
    Ok(Found { total, records })
}

/// `marcxml` is MARC 21 slim: a UNIMARC (RUSMARC) record goes through the
/// crosswalk rather than going out with UNIMARC tags under a MARC 21 label.
fn as_marc21(record: &kitap_marc::Record) -> std::borrow::Cow<'_, kitap_marc::Record> {
    if record.dialect == kitap_marc::Dialect::Unimarc {
        std::borrow::Cow::Owned(kitap_catalog::convert::to_marc21(record).record)
    } else {
        std::borrow::Cow::Borrowed(record)
    }
}

async fn search_retrieve(
    state: &web::Data<ApiState>,
    version: Version,
    params: SruParams,
) -> Result<String, ApiError> {
    let asked = match validate(version, &params) {
        Ok(asked) => asked,
        Err(diagnostic) => {
            return Ok(xml::diagnostic_response(
                version,
                "searchRetrieveResponse",
                &[diagnostic],
            ));
        }
    };
    let service = state.search.clone();
    let (query, skip, count) = (asked.query.clone(), asked.skip, asked.count);
    let found = run(state, move |app| find(app, &service, &query, skip, count)).await;
    let found = match found {
        Ok(found) => found,
        // A query the engine refuses (none known today) is still the client's.
        Err(err) if err.status.is_client_error() => {
            let diagnostic = Diagnostic::new(10, Some(err.message.clone()));
            return Ok(xml::diagnostic_response(
                version,
                "searchRetrieveResponse",
                &[diagnostic],
            ));
        }
        Err(err) => return Err(err),
    };
    let mut diagnostics = asked.warnings;
    if skip > 0 && skip >= found.total {
        diagnostics.insert(
            0,
            Diagnostic::new(61, Some((skip + 1).to_string())).with_message(format!(
                "First record position out of range: there are {} records",
                found.total
            )),
        );
    }
    let records = found
        .records
        .iter()
        .filter_map(|(id, record, view)| match asked.schema {
            Schema::MarcXml => xml::marcxml_record(&as_marc21(record)),
            Schema::Dc => Some(xml::dc_record(id, view)),
        })
        .enumerate()
        .map(|(i, xml)| RecordOut {
            xml,
            position: skip + 1 + i,
        })
        .collect();
    let end = skip + count;
    let next_position = (count > 0 && end < found.total && end < WINDOW).then_some(end + 1);
    let start_record = skip + 1;
    Ok(xml::search_response(&SearchResponse {
        version,
        total: found.total,
        schema: asked.schema,
        packing: asked.packing,
        records,
        next_position,
        echo: Some(Echo {
            query: params.query.as_deref(),
            start_record: Some(start_record),
            maximum_records: Some(count),
            schema: params.record_schema.as_deref(),
            packing: asked.packing,
        }),
        diagnostics,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_digits_only() {
        assert_eq!(number("startRecord", Some("12")), Ok(Some(12)));
        assert_eq!(number("startRecord", None), Ok(None));
        assert_eq!(number("startRecord", Some(" ")), Ok(None));
        for bad in ["-1", "+1", "1.0", "x", "99999999999999999999999"] {
            assert_eq!(
                number("startRecord", Some(bad)).map_err(|d| d.number),
                Err(6),
                "{bad}"
            );
        }
    }

    #[test]
    fn cql_errors_map_to_sru_diagnostics() {
        let cases = [
            ("foo.bar = x", 16),
            ("dc.title any", 10),
            ("(dc.title = x", 13),
            ("dc.title \"x", 10),
            ("dc.date = abc", 36),
        ];
        for (query, expected) in cases {
            let err = parse_cql(query).err().map(|e| cql_diagnostic(&e).number);
            assert_eq!(err, Some(expected), "{query}");
        }
        let unknown = parse_cql("foo.bar = x")
            .err()
            .map(|e| cql_diagnostic(&e).details);
        assert_eq!(unknown, Some(Some("foo.bar".to_owned())));
    }
}
