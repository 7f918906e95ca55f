//! Leader, directory and field boundaries of one record, still as bytes.
//!
//! The directory is trusted only when it is self-consistent (every entry in
//! range and ending on a field terminator). Otherwise the data area is split
//! on 0x1E and paired with the directory's tags in order, which recovers
//! records whose lengths were counted in characters or never recomputed
//! after transcoding.

use std::borrow::Cow;

use super::bytes;
use super::view::{FieldView, RecordView};
use super::{ErrorKind, RecordError, FT, RT};

const LEADER_CHARS: usize = 24;
const ENTRY_LEN: usize = 12;

/// Structural parse of one record's bytes (with or without the final 0x1D):
/// leader checked, directory validated, fields borrowed from `bytes`.
/// Nothing is decoded; repairs are listed in [`RecordView::warnings`].
pub fn parse_view(bytes: &[u8]) -> Result<RecordView<'_>, RecordError> {
    let mut warnings = Vec::new();
    let body = match bytes.split_last() {
        Some((&RT, body)) => body,
        _ => {
            warnings.push("record has no terminator (0x1D): it may be truncated".to_string());
            bytes
        }
    };
    if body.is_empty() {
        return Err(RecordError::new(ErrorKind::Empty, "empty record"));
    }
    if body.len() < LEADER_CHARS {
        let msg = format!("{} bytes, shorter than a 24-byte leader", body.len());
        return Err(RecordError::new(ErrorKind::LeaderTooShort, msg));
    }
    let leader_len = leader_byte_len(body, &mut warnings);
    let leader_bytes = body.get(..leader_len).unwrap_or_default();
    let leader = leader_text(leader_bytes, &mut warnings);
    check_lengths(&leader, bytes.len(), &mut warnings)?;
    let dir_end = find_directory_end(body, leader_len)?;
    let base = dir_end + 1;
    check_base(&leader, base, &mut warnings);
    let directory = body.get(leader_len..dir_end).unwrap_or_default();
    let data = body.get(base..).unwrap_or_default();
    let fields = read_fields(directory, data, &mut warnings)?;
    Ok(RecordView::new(leader, data, fields, warnings))
}

/// The leader is 24 bytes, except when an exporter wrote it as 24 UTF-8
/// characters (Cyrillic inside the leader, seen in an RSL file); then the
/// directory starts after those characters.
fn leader_byte_len(body: &[u8], warnings: &mut Vec<String>) -> usize {
    let ascii = body.get(..LEADER_CHARS).is_some_and(<[u8]>::is_ascii);
    if ascii {
        return LEADER_CHARS;
    }
    let head = body.get(..LEADER_CHARS * 4).unwrap_or(body);
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => {
            std::str::from_utf8(head.get(..e.valid_up_to()).unwrap_or_default()).unwrap_or("")
        }
    };
    match text.char_indices().nth(LEADER_CHARS) {
        Some((n, _)) if n > LEADER_CHARS => {
            warnings.push(format!(
                "leader holds non-ASCII characters; it spans {n} bytes"
            ));
            n
        }
        _ => LEADER_CHARS,
    }
}

/// Leader bytes as text; anything but printable ASCII becomes a blank so
/// the leader stays 24 characters with its positions intact. Borrowed in
/// the usual case of 24 printable ASCII bytes.
fn leader_text<'a>(bytes: &'a [u8], warnings: &mut Vec<String>) -> Cow<'a, str> {
    let printable = |b: &u8| b.is_ascii() && !b.is_ascii_control();
    if bytes.len() == LEADER_CHARS && bytes.iter().all(printable) {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return Cow::Borrowed(text);
        }
    }
    let text = String::from_utf8_lossy(bytes);
    let mut bad = 0;
    let leader: String = text
        .chars()
        .take(LEADER_CHARS)
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                bad += 1;
                ' '
            }
        })
        .collect();
    if bad > 0 {
        warnings.push(format!(
            "leader had {bad} non-ASCII or control character(s), replaced by blanks"
        ));
    }
    Cow::Owned(leader)
}

/// A non-empty run of ASCII digits as a number (`None` on overflow).
fn digits(s: &str) -> Option<usize> {
    digit_bytes(s.as_bytes())
}

fn digit_bytes(s: &[u8]) -> Option<usize> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0usize, |n, &b| {
        let d = b.checked_sub(b'0').filter(|&d| d <= 9)?;
        n.checked_mul(10)?.checked_add(usize::from(d))
    })
}

fn check_lengths(
    leader: &str,
    actual: usize,
    warnings: &mut Vec<String>,
) -> Result<(), RecordError> {
    let field = leader.get(0..5).unwrap_or_default();
    let Some(declared) = digits(field) else {
        let msg = format!("record length {field:?} in leader/00-04 is not a number");
        return Err(RecordError::new(ErrorKind::BadRecordLength, msg));
    };
    if declared != actual {
        warnings.push(format!(
            "leader says {declared} bytes, record has {actual}; record split on 0x1D instead"
        ));
    }
    let base = leader.get(12..17).unwrap_or_default();
    if digits(base).is_none() {
        let msg = format!("base address {base:?} in leader/12-16 is not a number");
        return Err(RecordError::new(ErrorKind::BadBaseAddress, msg));
    }
    Ok(())
}

fn find_directory_end(body: &[u8], leader_len: usize) -> Result<usize, RecordError> {
    body.get(leader_len..)
        .and_then(|rest| bytes::find(rest, FT))
        .map(|i| leader_len + i)
        .ok_or_else(|| {
            RecordError::new(
                ErrorKind::BadDirectory,
                "no field terminator after the directory",
            )
        })
}

/// The base address must point just past the directory; when it does not,
/// the terminator is believed, because it is what the writer really wrote.
fn check_base(leader: &str, base: usize, warnings: &mut Vec<String>) {
    let declared = leader.get(12..17).and_then(digits);
    if declared != Some(base) {
        warnings.push(format!(
            "base address {} disagrees with the directory end; using {base}",
            declared.map_or_else(|| "?".to_string(), |d| d.to_string())
        ));
    }
}

fn entry_tag(i: usize, chunk: &[u8]) -> Result<[u8; 3], RecordError> {
    match chunk {
        [a, b, c, ..] if [a, b, c].iter().all(|b| b.is_ascii_alphanumeric()) => Ok([*a, *b, *c]),
        _ => {
            let tag_bytes = chunk.get(0..3).unwrap_or_default();
            let msg = format!(
                "directory entry {i} has tag {:?}",
                String::from_utf8_lossy(tag_bytes)
            );
            Err(RecordError::new(ErrorKind::BadDirectory, msg))
        }
    }
}

/// A directory number: a fixed number of ASCII digits (at most 5, so it
/// cannot overflow).
fn fixed_digits<const N: usize>(digits: [u8; N]) -> Option<usize> {
    let mut n = 0usize;
    let mut bad = false;
    for b in digits {
        let d = b.wrapping_sub(b'0');
        bad |= d > 9;
        n = n * 10 + usize::from(d);
    }
    (!bad).then_some(n)
}

/// The field an entry points at, if its length and offset are numbers in
/// range and the field ends on a terminator: its offset in the data area
/// and its bytes without the terminator.
fn entry_field<'a>(entry: &[u8; ENTRY_LEN], data: &'a [u8]) -> Option<(usize, &'a [u8])> {
    let [_, _, _, l0, l1, l2, l3, s0, s1, s2, s3, s4] = *entry;
    let len = fixed_digits([l0, l1, l2, l3])?;
    let start = fixed_digits([s0, s1, s2, s3, s4])?;
    match data.get(start..start + len)?.split_last() {
        Some((&FT, field)) => Some((start, field)),
        _ => None,
    }
}

/// Fields at the directory's offsets, or, if any entry is unusable, the
/// data area split on terminators. Every tag is checked either way: a bad
/// tag makes the directory unreadable.
fn read_fields<'a>(
    dir: &[u8],
    data: &'a [u8],
    warnings: &mut Vec<String>,
) -> Result<Vec<FieldView<'a>>, RecordError> {
    if !dir.len().is_multiple_of(ENTRY_LEN) {
        warnings.push(format!(
            "directory is {} bytes, not a multiple of 12; {} trailing byte(s) ignored",
            dir.len(),
            dir.len() % ENTRY_LEN
        ));
    }
    let mut fields = Vec::with_capacity(dir.len() / ENTRY_LEN);
    let mut consistent = true;
    for (i, chunk) in dir.chunks_exact(ENTRY_LEN).enumerate() {
        let tag = entry_tag(i, chunk)?;
        if !consistent {
            continue;
        }
        let field = <&[u8; ENTRY_LEN]>::try_from(chunk)
            .ok()
            .and_then(|entry| entry_field(entry, data));
        match field {
            Some((at, bytes)) => fields.push(FieldView::at(tag, bytes, at)),
            None => consistent = false,
        }
    }
    if consistent {
        return Ok(fields);
    }
    Ok(fields_by_terminator(dir, data, warnings))
}

/// Fallback: the data area split on 0x1E, paired with tags in directory order.
fn fields_by_terminator<'a>(
    dir: &[u8],
    data: &'a [u8],
    warnings: &mut Vec<String>,
) -> Vec<FieldView<'a>> {
    warnings.push("directory lengths/offsets are inconsistent; fields split on 0x1E".to_string());
    let mut at = 0;
    let mut chunks: Vec<(usize, &[u8])> = bytes::split(data, FT)
        .map(|chunk| {
            let start = at;
            at += chunk.len() + 1;
            (start, chunk)
        })
        .collect();
    // What follows the last terminator is normally empty (the record's end).
    if chunks
        .last()
        .is_some_and(|(_, c)| c.iter().all(|&b| b == b' ' || b == 0))
    {
        chunks.pop();
    }
    let entries = dir.len() / ENTRY_LEN;
    if chunks.len() != entries {
        warnings.push(format!(
            "directory lists {} fields, data area has {}; unmatched ones dropped",
            entries,
            chunks.len()
        ));
    }
    // The tags were checked by the caller.
    let tags = dir
        .chunks_exact(ENTRY_LEN)
        .filter_map(|c| entry_tag(0, c).ok());
    tags.zip(chunks)
        .map(|(tag, (at, chunk))| FieldView::at(tag, chunk, at))
        .collect()
}
