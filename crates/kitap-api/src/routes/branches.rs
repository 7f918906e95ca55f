use actix_web::{delete, get, patch, post, web, HttpResponse};
use kitap_app::{BranchPatch, NewBranch};
use kitap_domain::BranchCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::run;
use crate::auth::{AdminOnly, Staff};
use crate::dto::BranchDto;
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::{JsonBody, QueryParams};
use crate::extract_errors::parse_id;
use crate::state::ApiState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Include deactivated libraries (default false).
    #[serde(default)]
    pub include_inactive: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BranchList {
    pub branches: Vec<BranchDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BranchOne {
    pub branch: BranchDto,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBranch {
    #[schema(example = "F21")]
    pub code: String,
    pub name_kk: String,
    pub name_ru: String,
    /// adult or children (there is one central library).
    #[schema(example = "adult")]
    pub kind: String,
    pub address: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBranch {
    pub name_kk: Option<String>,
    pub name_ru: Option<String>,
    pub kind: Option<String>,
    pub address: Option<String>,
    /// An empty string clears the phone.
    pub phone: Option<String>,
    /// false deactivates the library (its history stays), true reactivates it.
    pub active: Option<bool>,
}

/// The libraries of the system. Public: the catalogue shows them to readers.
#[utoipa::path(
    tag = "libraries",
    params(ListQuery),
    responses((status = 200, body = BranchList))
)]
#[get("/branches")]
pub async fn list(
    state: web::Data<ApiState>,
    query: QueryParams<ListQuery>,
) -> Result<web::Json<BranchList>, ApiError> {
    let include_inactive = query.include_inactive;
    let branches = run(&state, move |app| app.list_branches(include_inactive)).await?;
    Ok(web::Json(BranchList {
        branches: branches.iter().map(BranchDto::from).collect(),
    }))
}

/// One library by code.
#[utoipa::path(
    tag = "libraries",
    params(("code" = String, Path, description = "library code, e.g. F07")),
    responses((status = 200, body = BranchOne), (status = 404, body = ErrorEnvelope))
)]
#[get("/branches/{code}")]
pub async fn get(
    state: web::Data<ApiState>,
    code: web::Path<String>,
) -> Result<web::Json<BranchOne>, ApiError> {
    let code: BranchCode = parse_id(&code)?;
    let branch = run(&state, move |app| app.branch_by_code(code.as_str())).await?;
    Ok(web::Json(BranchOne {
        branch: BranchDto::from(&branch),
    }))
}

/// Add a library (administrators).
#[utoipa::path(
    tag = "libraries",
    security(("bearer" = [])),
    request_body = CreateBranch,
    responses(
        (status = 201, body = BranchOne),
        (status = 409, description = "branch_code_taken, central_library_exists", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
#[post("/branches")]
pub async fn create(
    state: web::Data<ApiState>,
    staff: Staff<AdminOnly>,
    body: JsonBody<CreateBranch>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let new = NewBranch {
        code: body.code,
        name_kk: body.name_kk,
        name_ru: body.name_ru,
        kind: body.kind,
        address: body.address,
        phone: body.phone,
    };
    let branch = run(&state, move |app| {
        app.create_branch(&staff.principal, &staff.actor, new)
    })
    .await?;
    Ok(HttpResponse::Created().json(BranchOne {
        branch: BranchDto::from(&branch),
    }))
}

/// Rename, describe, deactivate or reactivate a library (administrators).
#[utoipa::path(
    tag = "libraries",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "library code")),
    request_body = UpdateBranch,
    responses(
        (status = 200, body = BranchOne),
        (status = 404, body = ErrorEnvelope),
        (status = 409, description = "central_library_required", body = ErrorEnvelope),
    )
)]
#[patch("/branches/{code}")]
pub async fn update(
    state: web::Data<ApiState>,
    staff: Staff<AdminOnly>,
    code: web::Path<String>,
    body: JsonBody<UpdateBranch>,
) -> Result<web::Json<BranchOne>, ApiError> {
    let code: BranchCode = parse_id(&code)?;
    let body = body.into_inner();
    let patch = BranchPatch {
        name_kk: body.name_kk,
        name_ru: body.name_ru,
        kind: body.kind,
        address: body.address,
        phone: body.phone,
        active: body.active,
    };
    let branch = run(&state, move |app| {
        app.update_branch(&staff.principal, &staff.actor, code.as_str(), patch)
    })
    .await?;
    Ok(web::Json(BranchOne {
        branch: BranchDto::from(&branch),
    }))
}

/// Delete a library created by mistake; one with history must be deactivated instead.
#[utoipa::path(
    tag = "libraries",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "library code")),
    responses(
        (status = 204),
        (status = 404, body = ErrorEnvelope),
        (status = 409, description = "branch_has_history, central_library_required", body = ErrorEnvelope),
    )
)]
#[delete("/branches/{code}")]
pub async fn remove(
    state: web::Data<ApiState>,
    staff: Staff<AdminOnly>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code: BranchCode = parse_id(&code)?;
    run(&state, move |app| {
        app.delete_branch(&staff.principal, &staff.actor, code.as_str())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
