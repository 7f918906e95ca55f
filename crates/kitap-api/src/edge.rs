//! One rule for text from outside, the same on both backends: control
//! characters other than tab and line breaks are refused at the edge with
//! 400 `invalid_character`, naming where they were.
//!
//! Why at the edge: PostgreSQL text cannot hold U+0000 while SQLite can, so
//! without this a NUL in a barcode, a search word or a display name answered
//! 500 on one backend and was stored on the other. No name, code, address or
//! query of a library needs a control character.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{Error, HttpMessage, ResponseError};
use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::error::ApiError;

/// The characters refused: C0 controls except tab, LF and CR, and DEL: the
/// set the catalog removes from MARC data, so both doors keep one rule.
pub fn is_refused(c: char) -> bool {
    kitap_catalog::is_forbidden_control(c)
}

fn first_refused(text: &str) -> Option<(usize, char)> {
    text.chars().enumerate().find(|(_, c)| is_refused(*c))
}

fn refusal(place: &str, name: &str, (position, c): (usize, char)) -> ApiError {
    ApiError::bad_request(
        "invalid_character",
        format!(
            "{name}: the {place} holds the control character U+{:04X} at character {position}; \
             text may hold no control characters but tab and line breaks",
            c as u32
        ),
    )
    .with_details(json!({ "field": name, "location": place, "position": position }))
}

/// The decoded path segments and query parameters.
fn check_uri(req: &ServiceRequest) -> Result<(), ApiError> {
    for segment in req.path().split('/') {
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        if let Some(found) = first_refused(&decoded) {
            return Err(refusal("path", &decoded, found));
        }
    }
    for (name, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if let Some(found) = first_refused(&name).or_else(|| first_refused(&value)) {
            return Err(refusal("query parameter", &name, found));
        }
    }
    Ok(())
}

/// The first string (key or value) in a JSON document holding a refused
/// character, with its path (`fields[3].subfields[0].a`).
fn find_in_json(value: &Value, path: &mut String) -> Option<(String, (usize, char))> {
    match value {
        Value::String(s) => first_refused(s).map(|found| (path.clone(), found)),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = find_in_json(item, path);
            path.truncate(len);
            found
        }),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            let found = first_refused(key)
                .map(|f| (path.clone(), f))
                .or_else(|| find_in_json(item, path));
            path.truncate(len);
            found
        }),
        _ => None,
    }
}

/// Raw control characters are not valid JSON (the JSON extractor refuses
/// them); escaped ones (`\u0000`) decode into strings, so only a body with
/// `\u00` or `\u007f` escapes is parsed here.
fn check_json(body: &[u8]) -> Result<(), ApiError> {
    let suspicious = body.windows(4).any(|w| w.eq_ignore_ascii_case(b"\\u00"));
    if !suspicious {
        return Ok(());
    }
    // Malformed JSON is the extractor's to report, with its own code.
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Ok(());
    };
    match find_in_json(&value, &mut String::new()) {
        Some((path, found)) => Err(refusal("body", &path, found)),
        None => Ok(()),
    }
}

async fn read_body(payload: &mut Payload, limit: usize) -> Result<Bytes, ApiError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request("malformed_json", format!("the body could not be read: {e}"))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("the body is larger than {limit} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn is_json(req: &ServiceRequest) -> bool {
    let content_type = req.content_type();
    content_type == "application/json" || content_type.ends_with("+json")
}

/// The body limit the JSON extractor applies, so both refuse the same sizes.
#[derive(Debug, Clone, Copy)]
pub struct JsonLimit(pub usize);

pub async fn refuse_control_characters(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // SRU answers in its own diagnostics, not in the JSON envelope.
    let checked = req.path().starts_with("/api/");
    if checked {
        if let Err(err) = check_uri(&req) {
            return Ok(req.into_response(err.error_response()));
        }
    }
    if checked && is_json(&req) {
        let limit = req
            .app_data::<JsonLimit>()
            .map_or(256 * 1024, |limit| limit.0);
        let mut payload = req.take_payload();
        let body = match read_body(&mut payload, limit).await {
            Ok(body) => body,
            Err(err) => return Ok(req.into_response(err.error_response())),
        };
        if let Err(err) = check_json(&body) {
            return Ok(req.into_response(err.error_response()));
        }
        req.set_payload(Payload::from(body));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_c0_and_del_but_not_tab_or_line_breaks() {
        assert!(is_refused('\0'));
        assert!(is_refused('\u{1b}'));
        assert!(is_refused('\u{7f}'));
        assert!(!is_refused('\t'));
        assert!(!is_refused('\n'));
        assert!(!is_refused('\r'));
        assert!(!is_refused('Ә'));
        assert!(!is_refused(' '));
    }

    #[test]
    fn json_errors_name_the_field() {
        let err = check_json(br#"{"a": 1, "display_name": "a\u0000b"}"#).unwrap_err();
        assert_eq!(err.code, "invalid_character");
        assert_eq!(err.details.unwrap()["field"], "display_name");
        let err = check_json(br#"{"fields": [{"245": {"subfields": [{"a": "x\u001Fy"}]}}]}"#)
            .unwrap_err();
        assert_eq!(
            err.details.unwrap()["field"],
            "fields[0].245.subfields[0].a"
        );
        assert!(check_json(br#"{"note": "tab\there, \u00e9 and \\u0000 as text"}"#).is_ok());
        assert!(check_json(b"not json \\u0000").is_ok());
    }
}
