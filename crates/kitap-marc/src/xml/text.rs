//! Attribute and text decoding, forgiving where the record can survive.

use std::borrow::Cow;

use quick_xml::events::BytesStart;

pub(super) fn show(name: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(name)
}

pub(super) fn attr<'a>(attrs: &'a [(Vec<u8>, String)], names: &[&str]) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| names.iter().any(|n| k.as_slice() == n.as_bytes()))
        .map(|(_, v)| v.as_str())
}

/// Attribute values by local name, unescaped; malformed ones are skipped
/// with a warning (the record may still have everything it needs).
pub(super) fn attributes(e: &BytesStart<'_>, warnings: &mut Vec<String>) -> Vec<(Vec<u8>, String)> {
    let mut out = Vec::new();
    for a in e.attributes() {
        match a {
            Ok(a) => out.push((
                a.key.local_name().as_ref().to_vec(),
                unescape(&a.value, warnings),
            )),
            Err(err) => warnings.push(format!("malformed attribute skipped: {err}")),
        }
    }
    out
}

pub(super) fn text(raw: &[u8], warnings: &mut Vec<String>) -> String {
    unescape(raw, warnings)
}

/// Invalid UTF-8 is replaced (U+FFFD) and unknown entities kept as written,
/// with a warning each, rather than losing the record.
fn unescape(raw: &[u8], warnings: &mut Vec<String>) -> String {
    let text = String::from_utf8_lossy(raw);
    if matches!(text, Cow::Owned(_)) {
        warnings.push("invalid UTF-8 in the XML replaced by U+FFFD".to_string());
    }
    match quick_xml::escape::unescape(&text) {
        Ok(s) => s.into_owned(),
        Err(e) => {
            warnings.push(format!("XML text kept as written: {e}"));
            text.into_owned()
        }
    }
}
