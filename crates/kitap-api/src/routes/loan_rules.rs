//! Loan rules, the rule explanation and closed days.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::NaiveDate;
use kitap_app::circulation::{
    ClosedOn, Explanation, LoanRuleInput, LoanRulePatch, NewClosedDay, StoredClosedDay,
    StoredLoanRule,
};
use kitap_domain::{ClosedDayId, LoanRuleId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::run;
use crate::auth::Staff;
use crate::dto::LibraryCodes;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{JsonBody, QueryParams};
use crate::extract_errors::parse_id;
use crate::state::ApiState;

#[derive(Debug, Serialize, ToSchema)]
pub struct LoanRuleDto {
    pub id: String,
    /// Library code; null = any library.
    pub library: Option<String>,
    /// Reader category; null = any.
    pub category: Option<String>,
    /// Material type; null = any.
    pub material_type: Option<String>,
    pub loan_days: i32,
    pub max_renewals: i32,
    pub renewal_days: i32,
    /// Home loans a reader may have open.
    pub max_items: i32,
    pub reading_room_only: bool,
    pub holds_allowed: bool,
    /// In tiyn per day late; 0 = no fines.
    pub fine_per_day_minor: i64,
    /// 4 per library + 2 per category + 1 per material type given.
    pub specificity: u8,
    pub version: i64,
}

impl LoanRuleDto {
    fn new(r: &StoredLoanRule, codes: &LibraryCodes) -> Self {
        let specificity = 4 * u8::from(r.branch_id.is_some())
            + 2 * u8::from(r.category.is_some())
            + u8::from(r.material_type.is_some());
        LoanRuleDto {
            id: r.id.to_string(),
            library: r.branch_id.map(|b| codes.code(b)),
            category: r.category.map(|c| c.as_str().to_owned()),
            material_type: r.material_type.clone(),
            loan_days: r.loan_days,
            max_renewals: r.max_renewals,
            renewal_days: r.renewal_days,
            max_items: r.max_items,
            reading_room_only: r.reading_room_only,
            holds_allowed: r.holds_allowed,
            fine_per_day_minor: r.fine_per_day_minor,
            specificity,
            version: r.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoanRuleOne {
    pub loan_rule: LoanRuleDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoanRuleList {
    pub loan_rules: Vec<LoanRuleDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLoanRule {
    /// Library code; absent = any library.
    pub library: Option<String>,
    /// Reader category; absent = any.
    pub category: Option<String>,
    /// Material type (book, periodical, ...); absent = any.
    pub material_type: Option<String>,
    /// 1 to 365.
    pub loan_days: i32,
    pub max_renewals: i32,
    pub renewal_days: i32,
    pub max_items: i32,
    #[serde(default)]
    pub reading_room_only: bool,
    #[serde(default = "yes")]
    pub holds_allowed: bool,
    #[serde(default)]
    pub fine_per_day_minor: i64,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLoanRule {
    pub version: i64,
    pub loan_days: Option<i32>,
    pub max_renewals: Option<i32>,
    pub renewal_days: Option<i32>,
    pub max_items: Option<i32>,
    pub reading_room_only: Option<bool>,
    pub holds_allowed: Option<bool>,
    pub fine_per_day_minor: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExplainQuery {
    /// Reader id or card number.
    pub reader: String,
    /// The copy's barcode.
    pub item: String,
    /// Library code; the acting library when absent.
    pub library: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExplainDto {
    pub loan_rule: LoanRuleDto,
    pub specificity: u8,
    /// The resolver's reasoning: the winner, beaten and skipped rules.
    pub explanation: Vec<String>,
    pub library: String,
    pub category: String,
    pub material_type: String,
    /// The due date of a home loan made today.
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedDayDto {
    pub id: String,
    /// Library code; null = every library.
    pub library: Option<String>,
    pub date: Option<NaiveDate>,
    /// ISO weekday, 1 = Monday .. 7 = Sunday.
    pub weekday: Option<u8>,
    pub reason: Option<String>,
}

impl ClosedDayDto {
    fn new(d: &StoredClosedDay, codes: &LibraryCodes) -> Self {
        let (date, weekday) = match d.on {
            ClosedOn::Date(date) => (Some(date), None),
            ClosedOn::Weekday(w) => (None, Some(w)),
        };
        ClosedDayDto {
            id: d.id.to_string(),
            library: d.branch_id.map(|b| codes.code(b)),
            date,
            weekday,
            reason: d.reason.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedDayOne {
    pub closed_day: ClosedDayDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedDayList {
    pub closed_days: Vec<ClosedDayDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClosedDayBody {
    /// Library code; absent = every library.
    pub library: Option<String>,
    /// A date (holiday); give this or `weekday`.
    pub date: Option<NaiveDate>,
    /// ISO weekday 1 (Monday) to 7 (Sunday).
    pub weekday: Option<u8>,
    pub reason: Option<String>,
}

async fn rule_one<F>(state: &web::Data<ApiState>, work: F) -> Result<LoanRuleOne, ApiError>
where
    F: FnOnce(&kitap_app::App) -> Result<StoredLoanRule, kitap_app::AppError> + Send + 'static,
{
    let (rule, branches) =
        run(state, move |app| Ok((work(app)?, app.list_branches(true)?))).await?;
    Ok(LoanRuleOne {
        loan_rule: LoanRuleDto::new(&rule, &LibraryCodes::new(&branches)),
    })
}

/// Every loan rule.
#[utoipa::path(tag = "circulation", security(("bearer" = [])), responses((status = 200, body = LoanRuleList)))]
#[get("/loan-rules")]
pub async fn list_rules(
    state: web::Data<ApiState>,
    staff: Staff,
) -> Result<web::Json<LoanRuleList>, ApiError> {
    let (rules, branches) = run(&state, move |app| {
        Ok((app.loan_rules(&staff.principal)?, app.list_branches(true)?))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(LoanRuleList {
        loan_rules: rules.iter().map(|r| LoanRuleDto::new(r, &codes)).collect(),
    }))
}

/// Add a loan rule (administrators).
#[utoipa::path(
    tag = "circulation",
    security(("bearer" = [])),
    request_body = NewLoanRule,
    responses(
        (status = 201, body = LoanRuleOne),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
        (status = 409, description = "loan_rule_exists", body = ErrorEnvelope),
    )
)]
#[post("/loan-rules")]
pub async fn create_rule(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<NewLoanRule>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let input = LoanRuleInput {
        library: b.library,
        category: b.category,
        material_type: b.material_type,
        loan_days: b.loan_days,
        max_renewals: b.max_renewals,
        renewal_days: b.renewal_days,
        max_items: b.max_items,
        reading_room_only: b.reading_room_only,
        holds_allowed: b.holds_allowed,
        fine_per_day_minor: b.fine_per_day_minor,
    };
    let rule = rule_one(&state, move |app| {
        app.add_loan_rule(&staff.principal, &staff.actor, input)
    })
    .await?;
    Ok(HttpResponse::Created().json(rule))
}

/// Change a rule's values (administrators); its keys never change.
#[utoipa::path(
    tag = "circulation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "loan rule id")),
    request_body = UpdateLoanRule,
    responses(
        (status = 200, body = LoanRuleOne),
        (status = 404, description = "loan_rule_not_found", body = ErrorEnvelope),
        (status = 409, description = "version_conflict", body = ErrorEnvelope),
    )
)]
#[patch("/loan-rules/{id}")]
pub async fn update_rule(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
    body: JsonBody<UpdateLoanRule>,
) -> Result<web::Json<LoanRuleOne>, ApiError> {
    let id: LoanRuleId = parse_id(&id)?;
    let b = body.into_inner();
    let patch = LoanRulePatch {
        loan_days: b.loan_days,
        max_renewals: b.max_renewals,
        renewal_days: b.renewal_days,
        max_items: b.max_items,
        reading_room_only: b.reading_room_only,
        holds_allowed: b.holds_allowed,
        fine_per_day_minor: b.fine_per_day_minor,
    };
    let version = b.version;
    Ok(web::Json(
        rule_one(&state, move |app| {
            app.update_loan_rule(&staff.principal, &staff.actor, id, version, patch)
        })
        .await?,
    ))
}

/// Delete a loan rule (administrators); the default rule stays.
#[utoipa::path(
    tag = "circulation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "loan rule id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 404, description = "loan_rule_not_found", body = ErrorEnvelope),
        (status = 409, description = "default_rule_required", body = ErrorEnvelope),
    )
)]
#[delete("/loan-rules/{id}")]
pub async fn remove_rule(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: LoanRuleId = parse_id(&id)?;
    run(&state, move |app| {
        app.remove_loan_rule(&staff.principal, &staff.actor, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Which loan rule applies to a reader and a copy at a library, why, and
/// the due date of a home loan made today.
#[utoipa::path(
    tag = "circulation",
    security(("bearer" = [])),
    params(ExplainQuery),
    responses(
        (status = 200, body = ExplainDto),
        (status = 404, description = "reader_not_found, copy_not_found, library_not_found", body = ErrorEnvelope),
    )
)]
#[get("/rules/explain")]
pub async fn explain(
    state: web::Data<ApiState>,
    staff: Staff,
    query: QueryParams<ExplainQuery>,
) -> Result<web::Json<ExplainDto>, ApiError> {
    let q = query.into_inner();
    let (found, branches): (Explanation, _) = run(&state, move |app| {
        let found = app.explain_rule(&staff.principal, &q.reader, &q.item, q.library.as_deref())?;
        Ok((found, app.list_branches(true)?))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(ExplainDto {
        loan_rule: LoanRuleDto::new(&found.rule, &codes),
        specificity: found.specificity,
        explanation: found.explanation,
        library: found.library,
        category: found.category.as_str().to_owned(),
        material_type: found.material_type,
        due_on: found.due_on,
    }))
}

/// Every closed day: system-wide (no library) and per library.
#[utoipa::path(tag = "circulation", security(("bearer" = [])), responses((status = 200, body = ClosedDayList)))]
#[get("/closed-days")]
pub async fn list_closed(
    state: web::Data<ApiState>,
    staff: Staff,
) -> Result<web::Json<ClosedDayList>, ApiError> {
    let (days, branches) = run(&state, move |app| {
        Ok((app.closed_days(&staff.principal)?, app.list_branches(true)?))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(ClosedDayList {
        closed_days: days.iter().map(|d| ClosedDayDto::new(d, &codes)).collect(),
    }))
}

/// Close a library (or all, without `library`) on a date or a weekday
/// (administrators). Due dates falling on it move to the next open day.
#[utoipa::path(
    tag = "circulation",
    security(("bearer" = [])),
    request_body = NewClosedDayBody,
    responses(
        (status = 201, body = ClosedDayOne),
        (status = 404, description = "library_not_found", body = ErrorEnvelope),
        (status = 409, description = "closed_day_exists", body = ErrorEnvelope),
    )
)]
#[post("/closed-days")]
pub async fn create_closed(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<NewClosedDayBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let new = NewClosedDay {
        library: b.library,
        date: b.date,
        weekday: b.weekday,
        reason: b.reason,
    };
    let (day, branches) = run(&state, move |app| {
        Ok((
            app.add_closed_day(&staff.principal, &staff.actor, new)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    Ok(HttpResponse::Created().json(ClosedDayOne {
        closed_day: ClosedDayDto::new(&day, &LibraryCodes::new(&branches)),
    }))
}

/// Remove a closed day (administrators).
#[utoipa::path(
    tag = "circulation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "closed day id")),
    responses((status = 204, description = "removed"), (status = 404, description = "closed_day_not_found", body = ErrorEnvelope))
)]
#[delete("/closed-days/{id}")]
pub async fn remove_closed(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: ClosedDayId = parse_id(&id)?;
    run(&state, move |app| {
        app.remove_closed_day(&staff.principal, &staff.actor, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
