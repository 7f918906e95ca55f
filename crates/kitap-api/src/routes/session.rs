use actix_web::{get, post, web, HttpRequest, HttpResponse};
use kitap_app::LoginAttempt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::run;
use crate::auth::{request_id, Staff};
use crate::client_addr::client_addr;
use crate::dto::{BranchDto, LibraryCodes, StaffDto};
use crate::error::{ApiError, ErrorEnvelope};
use crate::extract::JsonBody;
use crate::state::ApiState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "admin")]
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once; Kitap keeps only a hash.
    pub token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    pub expires_at: String,
    pub staff: StaffDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub staff: StaffDto,
    /// The library this request acts for (`X-Kitap-Library`, else home).
    pub acting_library: BranchDto,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// At least 10 characters.
    pub new_password: String,
}

/// Log in with username and password; returns a bearer token.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "invalid_credentials: unknown user or wrong password (the same answer for both)", body = ErrorEnvelope),
        (status = 423, description = "account_locked: too many failed logins for this username from this client address (`details.locked_until`); other addresses may still log in", body = ErrorEnvelope),
        (status = 429, description = "login_throttled: too many failed logins from this client address over all usernames; wait `details.retry_after_seconds` (also `Retry-After`)", body = ErrorEnvelope),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<ApiState>,
    body: JsonBody<LoginRequest>,
) -> Result<web::Json<LoginResponse>, ApiError> {
    let body = body.into_inner();
    let attempt = LoginAttempt {
        username: body.username,
        password: body.password,
        client_addr: client_addr(&req, &state.trusted_proxies).map(|ip| ip.to_string()),
        user_agent: req
            .headers()
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(300).collect()),
        request_id: Some(request_id(&req)),
    };
    let (outcome, branches) = run(&state, move |app| {
        let outcome = app.login(attempt)?;
        Ok((outcome, app.list_branches(true)?))
    })
    .await?;
    Ok(web::Json(LoginResponse {
        token: outcome.token,
        token_type: "Bearer".to_owned(),
        expires_at: outcome.expires_at.to_string(),
        staff: StaffDto::new(&outcome.staff, &LibraryCodes::new(&branches)),
    }))
}

/// End the current session.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorEnvelope))
)]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<ApiState>, staff: Staff) -> Result<HttpResponse, ApiError> {
    run(&state, move |app| {
        app.logout(&staff.principal, &staff.actor)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who am I, and for which library am I acting.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    params(("X-Kitap-Library" = Option<String>, Header, description = "library code to act for; default: home library")),
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope))
)]
#[get("/me")]
pub async fn me(
    state: web::Data<ApiState>,
    staff: Staff,
) -> Result<web::Json<MeResponse>, ApiError> {
    let branches = run(&state, |app| app.list_branches(true)).await?;
    let codes = LibraryCodes::new(&branches);
    Ok(web::Json(MeResponse {
        staff: StaffDto::new(&staff.principal.staff, &codes),
        acting_library: BranchDto::from(&staff.principal.acting_branch),
    }))
}

/// Change my own password; my other sessions end.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204),
        (status = 401, description = "current password wrong", body = ErrorEnvelope),
        (status = 422, description = "new password too short or too long", body = ErrorEnvelope),
    )
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<ApiState>,
    staff: Staff,
    body: JsonBody<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    run(&state, move |app| {
        app.change_own_password(
            &staff.principal,
            &staff.actor,
            &body.current_password,
            &body.new_password,
        )
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
