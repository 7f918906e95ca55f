use actix_web::{get, patch, post, web, HttpResponse};
use kitap_app::{App, AppError, NewStaff, Staff as Account, StaffPatch, StaffQuery};
use kitap_domain::StaffId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::run;
use crate::auth::{AdminOnly, Staff};
use crate::dto::{LibraryCodes, StaffDto};
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{page_limit, JsonBody, QueryParams};
use crate::extract_errors::parse_id;
use crate::state::ApiState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Accounts whose home library has this code.
    pub home_library: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
    /// Cursor: the `next` of the previous page.
    pub after: Option<String>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffList {
    pub staff: Vec<StaffDto>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffOne {
    pub staff: StaffDto,
    /// Only when Kitap generated the password: shown this once, never stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_password: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStaff {
    #[schema(example = "aigerim.k")]
    pub username: String,
    #[schema(example = "Айгерім Қасымова")]
    pub display_name: String,
    #[schema(example = "librarian")]
    pub role: String,
    #[schema(example = "F01")]
    pub home_library: String,
    /// Further library codes the account may act for.
    #[serde(default)]
    pub libraries: Vec<String>,
    /// May act for every library.
    #[serde(default)]
    pub all_libraries: bool,
    /// At least 10 characters; omit to have one generated.
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStaff {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub home_library: Option<String>,
    pub libraries: Option<Vec<String>>,
    pub all_libraries: Option<bool>,
    /// false deactivates the account and ends its sessions.
    pub active: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// Omit to have one generated.
    pub password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordReset {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_password: Option<String>,
}

fn one(
    app: &App,
    account: &Account,
    initial_password: Option<String>,
) -> Result<StaffOne, AppError> {
    let codes = LibraryCodes::new(&app.list_branches(true)?);
    Ok(StaffOne {
        staff: StaffDto::new(account, &codes),
        initial_password,
    })
}

/// Staff accounts, oldest first (administrators).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = StaffList), (status = 403, body = ErrorEnvelope))
)]
#[get("/staff")]
pub async fn list(
    state: web::Data<ApiState>,
    staff: Staff<AdminOnly>,
    query: QueryParams<ListQuery>,
) -> Result<web::Json<StaffList>, ApiError> {
    let query = query.into_inner();
    let limit = page_limit(query.limit, 100, 500)?;
    let after = query.after.as_deref().map(parse_cursor).transpose()?;
    let filter = StaffQuery {
        home_library: query.home_library,
        role: query.role,
        active: query.active,
        after,
        limit,
    };
    let (accounts, branches) = run(&state, move |app| {
        Ok((
            app.list_staff(Some(&staff.principal), filter)?,
            app.list_branches(true)?,
        ))
    })
    .await?;
    let codes = LibraryCodes::new(&branches);
    let next = (accounts.len() == limit as usize)
        .then(|| accounts.last().map(|a| a.id.to_string()))
        .flatten();
    Ok(web::Json(StaffList {
        staff: accounts.iter().map(|a| StaffDto::new(a, &codes)).collect(),
        next,
    }))
}

fn parse_cursor(raw: &str) -> Result<StaffId, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::bad_request(
            "invalid_query_parameter",
            "after must be the `next` of a previous page",
        )
    })
}

/// Create a staff account (administrators).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    request_body = CreateStaff,
    responses(
        (status = 201, body = StaffOne),
        (status = 403, description = "role_denied, library_denied", body = ErrorEnvelope),
        (status = 409, description = "username_taken", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[post("/staff")]
pub async fn create(
    state: web::Data<ApiState>,
    staff: Staff<AdminOnly>,
    body: JsonBody<CreateStaff>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let new = NewStaff {
        username: body.username,
        display_name: body.display_name,
        role: body.role,
        home_library: body.home_library,
        libraries: body.libraries,
        all_libraries: body.all_libraries,
        password: body.password,
    };
    let created = run(&state, move |app| {
        let (account, generated) = app.create_staff(&staff.principal, &staff.actor, new)?;
        one(app, &account, generated)
    })
    .await?;
    Ok(HttpResponse::Created().json(created))
}

/// One account (administrators, or the account itself).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "staff account id")),
    responses((status = 200, body = StaffOne), (status = 404, body = ErrorEnvelope))
)]
#[get("/staff/{id}")]
pub async fn get(
    state: web::Data<ApiState>,
    staff: Staff,
    id: web::Path<String>,
) -> Result<web::Json<StaffOne>, ApiError> {
    let id: StaffId = parse_id(&id)?;
    let found = run(&state, move |app| {
        let account = app.staff_by_id(&staff.principal, id)?;
        one(app, &account, None)
    })
    .await?;
    Ok(web::Json(found))
}

/// Change an account's name, role, libraries or active flag (administrators).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "staff account id")),
    request_body = UpdateStaff,
    responses(
        (status = 200, body = StaffOne),
        (status = 404, body = ErrorEnvelope),
        (status = 409, description = "cannot_demote_self", body = ErrorEnvelope),
    )
)]
#[patch("/staff/{id}")]
pub async fn update(
    state: web::Data<ApiState>,
    staff: Staff<AdminOnly>,
    id: web::Path<String>,
    body: JsonBody<UpdateStaff>,
) -> Result<web::Json<StaffOne>, ApiError> {
    let id: StaffId = parse_id(&id)?;
    let body = body.into_inner();
    let patch = StaffPatch {
        display_name: body.display_name,
        role: body.role,
        home_library: body.home_library,
        libraries: body.libraries,
        all_libraries: body.all_libraries,
        active: body.active,
    };
    let updated = run(&state, move |app| {
        let account = app.update_staff(&staff.principal, &staff.actor, id, patch)?;
        one(app, &account, None)
    })
    .await?;
    Ok(web::Json(updated))
}

/// Set a new password (generated when omitted); clears a lockout and ends the account's sessions.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "staff account id")),
    request_body = ResetPassword,
    responses((status = 200, body = PasswordReset), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope))
)]
#[post("/staff/{id}/password")]
pub async fn reset_password(
    state: web::Data<ApiState>,
    staff: Staff<AdminOnly>,
    id: web::Path<String>,
    body: JsonBody<ResetPassword>,
) -> Result<web::Json<PasswordReset>, ApiError> {
    let id: StaffId = parse_id(&id)?;
    let password = body.into_inner().password;
    let generated = run(&state, move |app| {
        app.reset_staff_password(Some(&staff.principal), &staff.actor, id, password)
    })
    .await?;
    Ok(web::Json(PasswordReset {
        initial_password: generated,
    }))
}

/// Lift a lockout before it runs out (administrators).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "staff account id")),
    responses((status = 200, body = StaffOne), (status = 404, body = ErrorEnvelope))
)]
#[post("/staff/{id}/unlock")]
pub async fn unlock(
    state: web::Data<ApiState>,
    staff: Staff<AdminOnly>,
    id: web::Path<String>,
) -> Result<web::Json<StaffOne>, ApiError> {
    let id: StaffId = parse_id(&id)?;
    let unlocked = run(&state, move |app| {
        let account = app.unlock_staff(&staff.principal, &staff.actor, id)?;
        one(app, &account, None)
    })
    .await?;
    Ok(web::Json(unlocked))
}
