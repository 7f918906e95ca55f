//! Statistics reports (issue #8) and the event attendance they count.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use kitap_app::catalog::ActFile;
use kitap_app::reports::{
    AnnualReport, Attendance, Cell, Chart, NewAttendance, ReportFormat, ReportKind, ReportTable,
    YEARS,
};
use kitap_app::AppError;
use kitap_domain::ValueError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::acts::download;
use super::acts_dto::XlsxFile;
use super::run;
use crate::auth::Staff;
use crate::dto::LibraryCodes;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::JsonBody;
use crate::state::ApiState;

/// Documents the report parameters (parsed by hand: `library` repeats).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ReportQuery {
    /// First day of the period (YYYY-MM-DD).
    pub from: NaiveDate,
    /// Last day of the period, included.
    pub to: NaiveDate,
    /// Library codes: repeat the parameter or give a comma list (default:
    /// every active library).
    pub library: Option<String>,
    /// json (default), csv (UTF-8 with a byte-order mark, the tables one
    /// after another) or xlsx (a sheet per table).
    pub format: Option<String>,
}

/// One report table. Cells are strings (labels), integers (counts) or
/// numbers with two decimals (ratios, null when the denominator is zero;
/// money in tenge).
#[derive(Debug, Serialize, ToSchema)]
pub struct TableDto {
    /// Stable id: loans, loans_by_area, loans_by_material, loans_by_reader,
    /// visits, readers, ecatalog, debtors, fund_movement, fund_received,
    /// fund_received_by_area, fund_written_off, fund_written_off_by_area,
    /// fund_held_by_area, fund_by_material, exchange, ratios.
    pub id: String,
    pub title: String,
    pub columns: Vec<String>,
    #[schema(value_type = Vec<Vec<Object>>)]
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    /// loans, visits, readers, ecatalog, debtors, fund, exchange or ratios.
    pub kind: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Codes of the libraries covered; each table has a row per library in
    /// this order, then a "Total" row.
    pub libraries: Vec<String>,
    pub tables: Vec<TableDto>,
}

fn invalid(field: &'static str, why: String) -> ApiError {
    ApiError::from(AppError::from(ValueError::new(field, why)))
}

fn date(field: &'static str, raw: Option<String>) -> Result<NaiveDate, ApiError> {
    let raw = raw.ok_or_else(|| invalid(field, "is required (YYYY-MM-DD)".to_owned()))?;
    raw.parse()
        .map_err(|_| invalid(field, format!("{raw:?} is not a YYYY-MM-DD date")))
}

fn bad_parameter(name: &str, message: String) -> ApiError {
    ApiError::bad_request("invalid_query_parameter", format!("{name}: {message}"))
        .with_details(serde_json::json!({ "parameter": name }))
}

struct Period {
    from: NaiveDate,
    to: NaiveDate,
    libraries: Vec<String>,
    format: Option<String>,
}

/// `from`, `to`, repeated or comma-listed `library`, and `format` when
/// `with_format`; anything else is refused.
fn period(req: &HttpRequest, with_format: bool) -> Result<Period, ApiError> {
    let (mut from, mut to, mut libraries, mut format) = (None, None, Vec::new(), None);
    for (key, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        match key.as_ref() {
            "from" => from = Some(value.into_owned()),
            "to" => to = Some(value.into_owned()),
            "library" => libraries.extend(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned),
            ),
            "format" if with_format => format = Some(value.into_owned()),
            other => {
                let known = match with_format {
                    true => "`from`, `to`, `library`, `format`",
                    false => "`from`, `to`, `library`",
                };
                return Err(bad_parameter(
                    other,
                    format!("unknown field, expected {known}"),
                ));
            }
        }
    }
    let (from, to) = (date("from", from)?, date("to", to)?);
    if to < from {
        return Err(invalid("to", "must not be before from".to_owned()));
    }
    Ok(Period {
        from,
        to,
        libraries,
        format,
    })
}

/// A statistics report for a period and a set of libraries (managers,
/// administrators): `loans` (checkouts and, as configured in
/// `[statistics]`, renewals and reading-room issues; by knowledge group ×
/// language, by material type, by reader category and age band), `visits`
/// (distinct reader × library × day with a circulation event, plus event
/// attendance), `readers` (registered, new, active, by category and age
/// band; loans and visits per reader), `ecatalog` (active catalogue
/// records at the period end and created in it, by record type and
/// language; one row per record type, the catalogue being shared) or
/// `debtors` (per issuing library: readers with a loan open at the period
/// end and due before it, the copies they hold overdue, their share of the
/// registered readers, and the same a year earlier), `fund` (the balance
/// held at start + received + added without an act − written off ±
/// redistributed = held at end per library; received by source and written
/// off by reason, each by knowledge group × language with copies, titles and
/// value as the act lines recorded them on the act's day; held at the end by
/// group and language; all three by material type), `exchange` (copies sent
/// and received by movement reason, readers served by a copy brought to
/// them, selections sent and received) or `ratios` (loans and visits per
/// registered reader, fund turnover = loans per copy held at the end,
/// copies held per reader). Circulation reports
/// are counted from the immutable event logs with each event's facts of its
/// moment, so a period's numbers never change.
#[utoipa::path(
    tag = "statistics",
    security(("bearer" = [])),
    params(("kind" = String, Path, description = "loans, visits, readers, ecatalog, debtors, fund, exchange or ratios"), ReportQuery),
    responses(
        (status = 200, description = "the report", content(
            (ReportDto = "application/json"),
            (String = "text/csv"),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "invalid_query_parameter", body = ErrorEnvelope),
        (status = 404, description = "report_not_found, library_not_found", body = ErrorEnvelope),
        (status = 422, description = "validation_failed: a bad date, to before from, an unknown format", body = ErrorEnvelope),
    )
)]
#[get("/reports/{kind}")]
pub async fn report(
    state: web::Data<ApiState>,
    staff: Staff,
    kind: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let kind: ReportKind = kind.parse()?;
    let p = period(&req, true)?;
    let format: ReportFormat = p
        .format
        .as_deref()
        .unwrap_or("json")
        .parse()
        .map_err(|e: ValueError| ApiError::from(AppError::from(e)))?;
    let report = run(&state, move |app| {
        let ids = p
            .libraries
            .iter()
            .map(|c| app.library_id(c))
            .collect::<Result<Vec<_>, _>>()?;
        app.report(&staff.principal, kind, p.from, p.to, ids)
    })
    .await?;
    if format != ReportFormat::Json {
        let file = report.file(format)?;
        return Ok(download(ActFile {
            file_name: file.file_name,
            content_type: file.content_type,
            bytes: file.bytes,
        }));
    }
    Ok(HttpResponse::Ok().json(ReportDto {
        kind: report.kind.as_str().to_owned(),
        from: report.from,
        to: report.to,
        libraries: report.libraries,
        tables: report.tables.into_iter().map(table_dto).collect(),
    }))
}

fn table_dto(t: ReportTable) -> TableDto {
    TableDto {
        id: t.id,
        title: t.title,
        columns: t.columns,
        rows: t.rows,
    }
}

/// Documents the annual bundle's parameters (parsed by hand: `library`
/// repeats).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AnnualQuery {
    /// The calendar year, 1900 to 2999 (Karaganda local days, 1 January to
    /// 31 December).
    pub year: i32,
    /// Library codes: repeat the parameter or give a comma list (default:
    /// every active library).
    pub library: Option<String>,
    /// json (default) or xlsx (one workbook: a contents sheet, a sheet per
    /// table, charts of loans by month and by group and language).
    pub format: Option<String>,
}

/// Documents the chart's parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ChartQuery {
    /// The calendar year, 1900 to 2999.
    pub year: i32,
    /// Library codes, repeated or a comma list (default: every active
    /// library).
    pub library: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnnualSection {
    /// loans, visits, readers, ecatalog, debtors, fund, exchange, ratios.
    pub kind: String,
    pub tables: Vec<TableDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnnualDto {
    pub year: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Codes of the libraries covered; each table has a row per library in
    /// this order, then a "Total" row.
    pub libraries: Vec<String>,
    pub generated_at: String,
    /// Every report kind's tables, in the order of the workbook's sheets.
    pub reports: Vec<AnnualSection>,
}

struct YearQuery {
    year: i32,
    libraries: Vec<String>,
    format: Option<String>,
}

/// `year`, repeated or comma-listed `library`, and `format` when
/// `with_format`. A missing year, one that is not a number or one outside
/// 1900..=2999 is a bad query parameter (400), like any unknown one.
fn year_query(req: &HttpRequest, with_format: bool) -> Result<YearQuery, ApiError> {
    let (mut year, mut libraries, mut format) = (None, Vec::new(), None);
    for (key, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        match key.as_ref() {
            "year" => year = Some(value.into_owned()),
            "library" => libraries.extend(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned),
            ),
            "format" if with_format => format = Some(value.into_owned()),
            other => {
                let known = match with_format {
                    true => "`year`, `library`, `format`",
                    false => "`year`, `library`",
                };
                return Err(bad_parameter(
                    other,
                    format!("unknown field, expected {known}"),
                ));
            }
        }
    }
    let raw = year.ok_or_else(|| bad_parameter("year", "is required (YYYY)".to_owned()))?;
    let year = raw
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| YEARS.contains(y))
        .ok_or_else(|| bad_parameter("year", format!("{raw:?} is not a year from 1900 to 2999")))?;
    Ok(YearQuery {
        year,
        libraries,
        format,
    })
}

fn annual_dto(a: AnnualReport) -> AnnualDto {
    AnnualDto {
        year: a.year,
        from: a.from,
        to: a.to,
        libraries: a.libraries,
        generated_at: a.generated_at.to_string(),
        reports: a
            .reports
            .into_iter()
            .map(|r| AnnualSection {
                kind: r.kind.as_str().to_owned(),
                tables: r.tables.into_iter().map(table_dto).collect(),
            })
            .collect(),
    }
}

/// The annual report bundle (managers, administrators): every report
/// (loans with loans by month, visits, readers, ecatalog, debtors, fund,
/// exchange, ratios) for a
/// calendar year and a set of libraries, counted from one reading of the
/// facts. As JSON, or as one XLSX workbook laid out like the annual report:
/// a `contents` sheet (year, libraries, when generated, the sheets), then a
/// sheet per table named by its id (a row per library, then the total;
/// bold headers, the header rows frozen), with native charts of loans by
/// month and loans by knowledge group stacked by language.
#[utoipa::path(
    tag = "statistics",
    security(("bearer" = [])),
    params(AnnualQuery),
    responses(
        (status = 200, description = "the bundle", content(
            (AnnualDto = "application/json"),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "invalid_query_parameter: a missing year, one that is not a number or outside 1900 to 2999, an unknown parameter", body = ErrorEnvelope),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
        (status = 422, description = "validation_failed: a format other than json or xlsx", body = ErrorEnvelope),
    )
)]
#[get("/reports/annual")]
pub async fn annual(
    state: web::Data<ApiState>,
    staff: Staff,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let q = year_query(&req, true)?;
    let xlsx = match q.format.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("json") => false,
        Some("xlsx") => true,
        Some(_) => return Err(invalid("format", "must be json or xlsx".to_owned())),
    };
    let bundle = run(&state, move |app| {
        let ids = q
            .libraries
            .iter()
            .map(|c| app.library_id(c))
            .collect::<Result<Vec<_>, _>>()?;
        app.annual_report(&staff.principal, q.year, ids)
    })
    .await?;
    if xlsx {
        let file = bundle.xlsx()?;
        return Ok(download(ActFile {
            file_name: file.file_name,
            content_type: file.content_type,
            bytes: file.bytes,
        }));
    }
    Ok(HttpResponse::Ok().json(annual_dto(bundle)))
}

/// A chart of the annual bundle as SVG (managers, administrators):
/// `loans_by_month.svg` (total loans per calendar month) or
/// `loans_by_area.svg` (loans by knowledge group, stacked by language;
/// the groups' labels as in the report, e.g. ҚСӘ, ЖТҒ).
#[utoipa::path(
    tag = "statistics",
    security(("bearer" = [])),
    params(("chart" = String, Path, description = "loans_by_month.svg or loans_by_area.svg"), ChartQuery),
    responses(
        (status = 200, description = "the chart", content_type = "image/svg+xml", body = String),
        (status = 400, description = "invalid_query_parameter: a missing or bad year, an unknown parameter", body = ErrorEnvelope),
        (status = 404, description = "chart_not_found, library_not_found", body = ErrorEnvelope),
    )
)]
#[get("/reports/annual/charts/{chart}")]
pub async fn annual_chart(
    state: web::Data<ApiState>,
    staff: Staff,
    chart: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let chart: Chart = chart.parse()?;
    let q = year_query(&req, false)?;
    let svg = run(&state, move |app| {
        let ids = q
            .libraries
            .iter()
            .map(|c| app.library_id(c))
            .collect::<Result<Vec<_>, _>>()?;
        app.annual_chart(&staff.principal, q.year, ids, chart)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml; charset=utf-8")
        .body(svg))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAttendance {
    /// Library code (default: the acting library).
    pub library: Option<String>,
    /// The day of the event (not in the future).
    pub held_on: NaiveDate,
    /// What the event was ("Абай оқулары").
    pub name: String,
    /// People who came, 0 to 100000.
    pub attendees: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceDto {
    pub id: String,
    pub library: String,
    pub held_on: NaiveDate,
    pub name: String,
    pub attendees: u32,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceOne {
    pub attendance: AttendanceDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceList {
    /// By day, then entry order; at most 5000.
    pub attendance: Vec<AttendanceDto>,
}

fn attendance_dto(a: &Attendance, codes: &LibraryCodes) -> AttendanceDto {
    AttendanceDto {
        id: a.id.to_string(),
        library: codes.code(a.branch_id),
        held_on: a.held_on,
        name: a.name.clone(),
        attendees: a.attendees,
        created_at: a.created_at.to_string(),
    }
}

/// Enter the attendance of a library event (librarians, administrators,
/// managers): the visits report adds it to the desk's visits.
#[utoipa::path(
    tag = "statistics",
    security(("bearer" = [])),
    request_body = CreateAttendance,
    responses(
        (status = 201, body = AttendanceOne),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[post("/attendance")]
pub async fn create_attendance(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<CreateAttendance>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let (a, branches) = run(&state, move |app| {
        let library = b.library.map(|c| app.library_id(&c)).transpose()?;
        let new = NewAttendance {
            library,
            held_on: b.held_on,
            name: b.name,
            attendees: b.attendees,
        };
        Ok((
            app.record_attendance(&staff.principal, &staff.actor, new)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(HttpResponse::Created().json(AttendanceOne {
        attendance: attendance_dto(&a, &codes),
    }))
}

/// Documents the attendance list's parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AttendanceQuery {
    /// First day (YYYY-MM-DD).
    pub from: NaiveDate,
    /// Last day, included.
    pub to: NaiveDate,
    /// Library codes, repeated or a comma list (default: all).
    pub library: Option<String>,
}

/// Event attendance entered for a period (librarians, administrators,
/// managers).
#[utoipa::path(
    tag = "statistics",
    security(("bearer" = [])),
    params(AttendanceQuery),
    responses(
        (status = 200, body = AttendanceList),
        (status = 400, description = "invalid_query_parameter", body = ErrorEnvelope),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[get("/attendance")]
pub async fn list_attendance(
    state: web::Data<ApiState>,
    staff: Staff,
    req: HttpRequest,
) -> Result<web::Json<AttendanceList>, ApiError> {
    let p = period(&req, false)?;
    let (list, branches) = run(&state, move |app| {
        let ids = p
            .libraries
            .iter()
            .map(|c| app.library_id(c))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((
            app.list_attendance(&staff.principal, p.from, p.to, ids)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(AttendanceList {
        attendance: list.iter().map(|a| attendance_dto(a, &codes)).collect(),
    }))
}
