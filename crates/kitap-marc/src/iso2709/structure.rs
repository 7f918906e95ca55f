//! Leader, directory and field boundaries of one record, still as bytes.
//!
//! The directory is trusted only when it is self-consistent (every entry in
//! range and ending on a field terminator). Otherwise the data area is split
//! on 0x1E and paired with the directory's tags in order, which recovers
//! records whose lengths were counted in characters or never recomputed
//! after transcoding.

use super::{ErrorKind, RecordError, FT, RT};

const LEADER_CHARS: usize = 24;
const ENTRY_LEN: usize = 12;

/// One field's tag and bytes (without the field terminator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawField<'a> {
    pub tag: String,
    pub data: &'a [u8],
}

/// A record's structure: leader, fields as bytes, and repairs made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Structure<'a> {
    pub leader: String,
    pub fields: Vec<RawField<'a>>,
    pub warnings: Vec<String>,
}

struct Entry<'a> {
    tag: &'a str,
    len: Option<usize>,
    start: Option<usize>,
}

/// Finds the leader, directory and fields of one record.
pub(crate) fn structure(bytes: &[u8]) -> Result<Structure<'_>, RecordError> {
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
    let entries = read_directory(directory, &mut warnings)?;
    let data = body.get(base..).unwrap_or_default();
    let fields = match fields_by_directory(&entries, data) {
        Some(fields) => fields,
        None => fields_by_terminator(&entries, data, &mut warnings),
    };
    Ok(Structure {
        leader,
        fields,
        warnings,
    })
}

/// The leader is 24 bytes, except when an exporter wrote it as 24 UTF-8
/// characters (Cyrillic inside the leader, seen in an RSL file); then the
/// directory starts after those characters.
fn leader_byte_len(body: &[u8], warnings: &mut Vec<String>) -> usize {
    let ascii = body.iter().take(LEADER_CHARS).all(u8::is_ascii);
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
/// the leader stays 24 characters with its positions intact.
fn leader_text(bytes: &[u8], warnings: &mut Vec<String>) -> String {
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
    leader
}

pub(crate) fn digits(s: &str) -> Option<usize> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
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
        .and_then(|rest| rest.iter().position(|&b| b == FT))
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

fn read_directory<'a>(
    dir: &'a [u8],
    warnings: &mut Vec<String>,
) -> Result<Vec<Entry<'a>>, RecordError> {
    if !dir.len().is_multiple_of(ENTRY_LEN) {
        warnings.push(format!(
            "directory is {} bytes, not a multiple of 12; {} trailing byte(s) ignored",
            dir.len(),
            dir.len() % ENTRY_LEN
        ));
    }
    let mut entries = Vec::with_capacity(dir.len() / ENTRY_LEN);
    for (i, chunk) in dir.chunks_exact(ENTRY_LEN).enumerate() {
        let tag_bytes = chunk.get(0..3).unwrap_or_default();
        let tag = std::str::from_utf8(tag_bytes).ok();
        let Some(tag) = tag.filter(|_| tag_bytes.iter().all(u8::is_ascii_alphanumeric)) else {
            let msg = format!(
                "directory entry {i} has tag {:?}",
                String::from_utf8_lossy(tag_bytes)
            );
            return Err(RecordError::new(ErrorKind::BadDirectory, msg));
        };
        let num = |r: std::ops::Range<usize>| {
            chunk
                .get(r)
                .and_then(|b| std::str::from_utf8(b).ok())
                .and_then(digits)
        };
        entries.push(Entry {
            tag,
            len: num(3..7),
            start: num(7..12),
        });
    }
    Ok(entries)
}

/// Fields at the directory's offsets, or `None` if any entry is unusable.
fn fields_by_directory<'a>(entries: &[Entry<'_>], data: &'a [u8]) -> Option<Vec<RawField<'a>>> {
    let mut fields = Vec::with_capacity(entries.len());
    for e in entries {
        let (len, start) = (e.len?, e.start?);
        let slice = data.get(start..start.checked_add(len)?)?;
        match slice.split_last() {
            Some((&FT, field)) => fields.push(RawField {
                tag: e.tag.to_string(),
                data: field,
            }),
            _ => return None,
        }
    }
    Some(fields)
}

/// Fallback: the data area split on 0x1E, paired with tags in directory order.
fn fields_by_terminator<'a>(
    entries: &[Entry<'_>],
    data: &'a [u8],
    warnings: &mut Vec<String>,
) -> Vec<RawField<'a>> {
    warnings.push("directory lengths/offsets are inconsistent; fields split on 0x1E".to_string());
    let mut chunks: Vec<&[u8]> = data.split(|&b| b == FT).collect();
    // What follows the last terminator is normally empty (the record's end).
    if chunks
        .last()
        .is_some_and(|c| c.iter().all(|&b| b == b' ' || b == 0))
    {
        chunks.pop();
    }
    if chunks.len() != entries.len() {
        warnings.push(format!(
            "directory lists {} fields, data area has {}; unmatched ones dropped",
            entries.len(),
            chunks.len()
        ));
    }
    entries
        .iter()
        .zip(chunks)
        .map(|(e, chunk)| RawField {
            tag: e.tag.to_string(),
            data: chunk,
        })
        .collect()
}
