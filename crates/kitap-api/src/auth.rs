//! The staff extractor: every protected route names the roles it admits, and
//! the extractor checks token, session, account, acting library and role
//! before the handler runs.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use kitap_app::{Actor, AppError, Principal};
use kitap_domain::{BranchCode, Role};

use crate::context::RequestId;
use crate::error::ApiError;
use crate::state::ApiState;

/// The header naming the library (by code) the client acts for; without it,
/// the account's home library.
pub const LIBRARY_HEADER: &str = "X-Kitap-Library";

/// Which roles a route admits.
pub trait Access {
    const ROLES: &'static [Role];
}

/// Any logged-in staff member.
pub struct AnyStaff;
impl Access for AnyStaff {
    const ROLES: &'static [Role] = &Role::ALL;
}

/// System administrators.
pub struct AdminOnly;
impl Access for AdminOnly {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// An authenticated, authorised staff member for this request.
pub struct Staff<A: Access = AnyStaff> {
    pub principal: Principal,
    pub actor: Actor,
    _access: PhantomData<A>,
}

impl<A: Access + 'static> FromRequest for Staff<A> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let token = bearer_token(req);
        let library = req
            .headers()
            .get(LIBRARY_HEADER)
            .map(|value| value.to_str().map(str::to_owned));
        let state = req.app_data::<web::Data<ApiState>>().cloned();
        let request_id = request_id(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("api state missing"))?;
            let token = token.ok_or(AppError::Unauthenticated)?;
            let library = library
                .transpose()
                .map_err(|_| {
                    ApiError::bad_request("invalid_header", "X-Kitap-Library is not valid text")
                })?
                .map(|raw| library_code(&raw))
                .transpose()?;
            let app = state.app.clone();
            let principal = web::block(move || {
                app.authenticate(&token, library.as_ref().map(BranchCode::as_str))
            })
            .await??;
            principal.require_role(A::ROLES)?;
            let actor = principal.actor(Some(request_id));
            Ok(Staff {
                principal,
                actor,
                _access: PhantomData,
            })
        })
    }
}

/// The library code a request acts for; a malformed one is a bad header, not
/// a validation failure of the operation.
fn library_code(raw: &str) -> Result<BranchCode, ApiError> {
    raw.parse::<BranchCode>().map_err(|err| {
        ApiError::bad_request("invalid_header", format!("{LIBRARY_HEADER}: {err}"))
            .with_details(serde_json::json!({ "header": LIBRARY_HEADER }))
    })
}

pub(crate) fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

pub fn request_id(req: &HttpRequest) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default()
}
