//! Undoing double-encoded UTF-8: UTF-8 bytes that some system decoded as
//! Latin-1 or windows-1251 and then encoded as UTF-8 again. The text is
//! valid UTF-8, so nothing fails; it just reads "PeÌ\u{81}tain" or
//! "ТљР°СЂР°Т“Р°РЅРґС‹".

/// The repaired text if `text` looks double-encoded and re-encoding it
/// gives valid UTF-8 with non-ASCII characters; otherwise `None`.
///
/// The re-encoded bytes must be valid UTF-8: genuine Latin or Cyrillic text
/// almost never is, so the check rejects false positives by itself.
pub fn undo_double_utf8(text: &str) -> Option<String> {
    // Both patterns below need non-ASCII characters.
    if text.is_ascii() {
        return None;
    }
    if looks_latin1_doubled(text) {
        if let Some(fixed) = reencode(text, latin1_byte) {
            return Some(fixed);
        }
    }
    if looks_cp1251_doubled(text) {
        return reencode(text, cp1251_byte);
    }
    None
}

/// "Ã©", "Ì\u{81}": a UTF-8 lead byte read as Latin-1 (U+00C2..U+00F4)
/// followed by a continuation byte read as Latin-1 (U+0080..U+00BF).
fn looks_latin1_doubled(text: &str) -> bool {
    let mut prev = '\0';
    for c in text.chars() {
        if ('\u{C2}'..='\u{F4}').contains(&prev) && ('\u{80}'..='\u{BF}').contains(&c) {
            return true;
        }
        prev = c;
    }
    false
}

/// "Р°", "С‹", "Тљ": a lead byte 0xD0-0xD3 read as windows-1251 (Р С Т У)
/// followed by a continuation byte read as windows-1251.
fn looks_cp1251_doubled(text: &str) -> bool {
    let mut prev = '\0';
    let mut hits = 0usize;
    for c in text.chars() {
        if matches!(prev, 'Р' | 'С' | 'Т' | 'У')
            && cp1251_byte(c).is_some_and(|b| (0x80..0xC0).contains(&b))
        {
            hits += 1;
        }
        prev = c;
    }
    hits >= 2
}

fn latin1_byte(c: char) -> Option<u8> {
    u8::try_from(u32::from(c)).ok()
}

fn cp1251_byte(c: char) -> Option<u8> {
    if c.is_ascii() {
        return u8::try_from(u32::from(c)).ok();
    }
    let mut buf = [0u8; 4];
    let s: &str = c.encode_utf8(&mut buf);
    let (bytes, _, had_errors) = encoding_rs::WINDOWS_1251.encode(s);
    match (had_errors, bytes.first()) {
        (false, Some(&b)) if bytes.len() == 1 => Some(b),
        _ => None,
    }
}

fn reencode(text: &str, byte: fn(char) -> Option<u8>) -> Option<String> {
    let bytes: Option<Vec<u8>> = text.chars().map(byte).collect();
    let fixed = String::from_utf8(bytes?).ok()?;
    (!fixed.is_ascii() && fixed != text).then_some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_double_encoding_is_undone() {
        let doubled = "Pe\u{CC}\u{81}tain";
        assert_eq!(undo_double_utf8(doubled).as_deref(), Some("Pe\u{301}tain"));
        assert_eq!(undo_double_utf8("CafÃ©").as_deref(), Some("Café"));
    }

    #[test]
    fn cp1251_double_encoding_is_undone() {
        let doubled = "ТљР°СЂР°Т“Р°РЅРґС‹";
        assert_eq!(undo_double_utf8(doubled).as_deref(), Some("Қарағанды"));
    }

    #[test]
    fn genuine_text_is_left_alone() {
        for s in ["Café", "Ça va", "Қарағанды", "Россия", "Рё", "plain"] {
            assert_eq!(undo_double_utf8(s), None, "{s}");
        }
    }
}
