//! The reader extractor for self-service routes, and the reader's language.
//!
//! A reader route takes only a reader token (`ktr_...`, looked up in
//! `reader_sessions`); a staff token there, like a reader token on a staff
//! route, answers 401 `invalid_token`.

use std::future::{ready, Future, Ready};
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use kitap_app::{Actor, AppError, ReaderPrincipal};

use crate::auth::{bearer_token, request_id};
use crate::error::ApiError;
use crate::state::ApiState;

/// An authenticated reader for this request.
pub struct Reader {
    pub principal: ReaderPrincipal,
    pub actor: Actor,
}

impl FromRequest for Reader {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let token = bearer_token(req);
        let state = req.app_data::<web::Data<ApiState>>().cloned();
        let request_id = request_id(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("api state missing"))?;
            let token = token.ok_or(AppError::Unauthenticated)?;
            let app = state.app.clone();
            let principal = web::block(move || app.authenticate_reader(&token)).await??;
            let actor = principal.actor(Some(request_id));
            Ok(Reader { principal, actor })
        })
    }
}

/// The language of reader-facing texts: Kazakh or Russian, from
/// `Accept-Language` (the higher `q` wins; Kazakh, the state language, when
/// neither is asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Kk,
    Ru,
}

impl Lang {
    pub fn pick<'a>(self, kk: &'a str, ru: &'a str) -> &'a str {
        match self {
            Lang::Kk => kk,
            Lang::Ru => ru,
        }
    }

    pub fn from_header(value: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in value.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "kk" => Lang::Kk,
                "ru" => Lang::Ru,
                _ => continue,
            };
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::Kk, |(_, lang)| lang)
    }
}

impl FromRequest for Lang {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let lang = req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or(Lang::Kk, Lang::from_header);
        ready(Ok(lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preferred_of_kazakh_and_russian_wins() {
        assert_eq!(Lang::from_header("ru-RU,ru;q=0.9,en;q=0.8"), Lang::Ru);
        assert_eq!(Lang::from_header("kk"), Lang::Kk);
        assert_eq!(Lang::from_header("ru;q=0.5, kk;q=0.8"), Lang::Kk);
        assert_eq!(Lang::from_header("en-US,ru;q=0.3"), Lang::Ru);
        assert_eq!(Lang::from_header("en"), Lang::Kk);
        assert_eq!(Lang::from_header("ru;q=0"), Lang::Kk);
    }
}
