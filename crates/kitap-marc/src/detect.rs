//! Per-record detection of dialect (MARC 21 vs UNIMARC) and encoding.
//!
//! Declarations are hints, not facts: leader/09 is blank in UTF-8 files
//! from Evergreen and in every UNIMARC file, and IRBIS writes "89"
//! (windows-1251) into 100$a over KZ-1048 bytes. So the bytes are scored and
//! the declaration only breaks near-ties. Every decision carries a reason
//! for the import report.

use crate::encoding::Encoding;
use crate::iso2709::bytes::count;
use crate::iso2709::view::AreaFacts;
use crate::iso2709::{FieldView, ParseOptions, RecordView, SD};
use crate::record::Dialect;

/// What was detected for one record, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub dialect: Dialect,
    pub dialect_reason: String,
    pub encoding: Encoding,
    pub encoding_reason: String,
    /// What the record itself declares (leader/09 or 100$a/26-27), if anything.
    pub declared: Option<Encoding>,
}

/// Single-byte Cyrillic candidates, in tie-break order (windows-1251 first:
/// it is what IRBIS and most Russian exports write).
const CYRILLIC: [Encoding; 4] = [
    Encoding::Windows1251,
    Encoding::Kz1048,
    Encoding::Cp866,
    Encoding::Koi8R,
];

/// Bytes where KZ-1048 and windows-1251 differ (kz-domain.md §1.3).
const KZ_SIGNATURE: [u8; 16] = [
    0x8D, 0x8E, 0x9D, 0x9E, 0xA1, 0xA2, 0xA3, 0xA5, 0xAA, 0xAF, 0xB4, 0xBA, 0xBC, 0xBD, 0xBE, 0xBF,
];

pub(crate) fn detect(
    view: &RecordView<'_>,
    facts: &AreaFacts<'_>,
    opts: ParseOptions,
) -> Detection {
    let (dialect, dialect_reason) = match opts.dialect {
        Some(d) => (d, "set by the caller"),
        None => detect_dialect(view),
    };
    let declared = declared_encoding(view, dialect);
    let (encoding, encoding_reason) = match opts.encoding {
        Some(e) => (e, Why::Static("set by the caller")),
        None => detect_encoding(view, facts, dialect, declared),
    };
    Detection {
        dialect,
        dialect_reason: dialect_reason.to_string(),
        encoding,
        encoding_reason: encoding_reason.render(),
        declared,
    }
}

/// The decisions of [`detect`] without the reasons, which only import
/// reports read: [`crate::parse`] runs this once per record.
pub(crate) fn decide(
    view: &RecordView<'_>,
    facts: &AreaFacts<'_>,
    opts: ParseOptions,
) -> (Dialect, Encoding) {
    let dialect = match opts.dialect {
        Some(d) => d,
        None => detect_dialect(view).0,
    };
    let encoding = match opts.encoding {
        Some(e) => e,
        None => {
            let declared = declared_encoding(view, dialect);
            detect_encoding(view, facts, dialect, declared).0
        }
    };
    (dialect, encoding)
}

/// Why an encoding was chosen, formatted only when asked for.
enum Why {
    Static(&'static str),
    ValidUtf8 { declared: Option<Encoding> },
    Text(String),
}

impl Why {
    fn render(self) -> String {
        match self {
            Why::Static(s) => s.to_string(),
            Why::ValidUtf8 { declared } => {
                let note = match declared {
                    Some(Encoding::Utf8) | None => String::new(),
                    Some(d) => format!(" (record declares {d}, ignored)"),
                };
                format!("valid UTF-8 with non-ASCII text{note}")
            }
            Why::Text(s) => s,
        }
    }
}

fn has(view: &RecordView<'_>, tag: &[u8; 3]) -> bool {
    view.fields().iter().any(|f| &f.tag() == tag)
}

fn detect_dialect(view: &RecordView<'_>) -> (Dialect, &'static str) {
    if has(view, b"245") {
        return (Dialect::Marc21, "has a 245 title field");
    }
    let has_008 = has(view, b"008");
    if has(view, b"200") && !has_008 {
        return (Dialect::Unimarc, "has a 200 title field and no 008");
    }
    if general_processing_data(view).is_some() && !has_008 {
        return (
            Dialect::Unimarc,
            "has 100$a general processing data and no 008",
        );
    }
    if has_008 {
        return (Dialect::Marc21, "has an 008 fixed-length data field");
    }
    (Dialect::Unknown, "neither 245/008 nor 200/100$a found")
}

/// UNIMARC 100$a: 8-digit date entered, then coded data up to 36 bytes.
fn general_processing_data<'a>(view: &RecordView<'a>) -> Option<&'a [u8]> {
    let field = view.field(*b"100")?;
    let sub = field
        .data()
        .split(|&b| b == SD)
        .skip(1)
        .find(|s| s.first() == Some(&b'a'))?;
    let value = sub.get(1..)?;
    let date_like = value.get(..8)?.iter().all(u8::is_ascii_digit);
    (date_like && value.len() >= 22).then_some(value)
}

fn declared_encoding(view: &RecordView<'_>, dialect: Dialect) -> Option<Encoding> {
    match dialect {
        Dialect::Unimarc => {
            let code = general_processing_data(view)?.get(26..28)?;
            match code {
                b"50" => Some(Encoding::Utf8),
                b"79" => Some(Encoding::Cp866),
                b"89" => Some(Encoding::Windows1251),
                b"99" => Some(Encoding::Koi8R),
                _ => None,
            }
        }
        _ => match view.leader().as_bytes().get(9) {
            Some(b'a') => Some(Encoding::Utf8),
            Some(b' ') => Some(Encoding::Marc8),
            _ => None,
        },
    }
}

const ESC: u8 = 0x1B;

/// What the decisions below need to know about the field bytes.
#[derive(Default)]
struct ByteStats {
    non_ascii: bool,
    escapes: usize,
    /// Only counted when some field is not valid UTF-8.
    utf8_multibyte: usize,
    utf8_invalid: usize,
}

fn byte_stats(view: &RecordView<'_>, facts: &AreaFacts<'_>) -> ByteStats {
    let mut s = ByteStats::default();
    if facts.escape {
        s.escapes = view.fields().iter().map(|f| count(f.data(), ESC)).sum();
    }
    if facts.ascii {
        return s;
    }
    let non_ascii = |f: &&FieldView<'_>| !f.data().is_ascii();
    s.non_ascii = view.fields().iter().any(|f| non_ascii(&f));
    if view
        .fields()
        .iter()
        .filter(non_ascii)
        .all(|f| facts.text(f, 0).is_some())
    {
        return s;
    }
    for f in view.fields().iter().filter(non_ascii) {
        for chunk in f.data().utf8_chunks() {
            s.utf8_multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
            s.utf8_invalid += usize::from(!chunk.invalid().is_empty());
        }
    }
    s
}

fn detect_encoding(
    view: &RecordView<'_>,
    facts: &AreaFacts<'_>,
    dialect: Dialect,
    declared: Option<Encoding>,
) -> (Encoding, Why) {
    let s = byte_stats(view, facts);
    let marc21 = dialect != Dialect::Unimarc;
    if !s.non_ascii {
        if s.escapes > 0 && marc21 {
            return (
                Encoding::Marc8,
                Why::Static("ASCII with MARC-8 escape sequences"),
            );
        }
        return (Encoding::Utf8, Why::Static("ASCII only"));
    }
    if s.utf8_invalid == 0 {
        return (Encoding::Utf8, Why::ValidUtf8 { declared });
    }
    if s.utf8_multibyte >= 4 * s.utf8_invalid {
        let msg = format!(
            "mostly valid UTF-8 ({} multi-byte characters, {} invalid sequences)",
            s.utf8_multibyte, s.utf8_invalid
        );
        return (Encoding::Utf8, Why::Text(msg));
    }
    let (encoding, reason) = single_byte(view, marc21, declared, &s);
    (encoding, Why::Text(reason))
}

/// Not UTF-8: choose among MARC-8 (MARC 21 only) and the Cyrillic code pages.
fn single_byte(
    view: &RecordView<'_>,
    marc21: bool,
    declared: Option<Encoding>,
    s: &ByteStats,
) -> (Encoding, String) {
    let (best, best_score) = best_cyrillic(view, declared);
    if marc21 {
        let m8 = marc8_score(view);
        if s.escapes > 0 || m8 >= best_score || best_score < 0.5 {
            let msg = format!("not UTF-8; MARC-8 pattern score {m8:.2} vs {best} {best_score:.2}");
            return (Encoding::Marc8, msg);
        }
    }
    let mut reason = format!("not UTF-8; Cyrillic plausibility {best_score:.2} for {best}");
    if let Some(d) = declared {
        if d != best {
            reason.push_str(&format!(" (record declares {d}, overruled)"));
        }
    }
    if best == Encoding::Kz1048 {
        let n = kz_signatures_in_words(view);
        reason.push_str(&format!("; {n} KZ-1048 letter byte(s) inside words"));
    }
    (best, reason)
}

/// The best-scoring Cyrillic code page; a declared one wins near-ties.
fn best_cyrillic(view: &RecordView<'_>, declared: Option<Encoding>) -> (Encoding, f64) {
    let mut best = (Encoding::Windows1251, f64::MIN);
    for enc in CYRILLIC {
        let score = cyrillic_score(view, enc);
        if score > best.1 + 1e-9 {
            best = (enc, score);
        }
    }
    if let Some(d) = declared.filter(|d| CYRILLIC.contains(d)) {
        let score = cyrillic_score(view, d);
        if score >= best.1 - 0.02 {
            best = (d, score);
        }
    }
    // A "89" declaration must not win over KZ-1048 letters inside words:
    // that is precisely the lie legacy Kazakh exports tell.
    if best.0 == Encoding::Windows1251 && kz_signatures_in_words(view) > 0 {
        let kz = cyrillic_score(view, Encoding::Kz1048);
        if kz > best.1 {
            best = (Encoding::Kz1048, kz);
        }
    }
    best
}

/// Letters of the Cyrillic alphabets our libraries write: Russian, Kazakh,
/// and і/ї/є/ґ/ў. Serbian and Macedonian letters (Ќ Ј Ѕ Ћ Џ Љ Њ Ђ) count as
/// implausible: they are exactly what KZ-1048 or CP866 misread as 1251 gives.
fn plausible_letter(c: char) -> bool {
    matches!(c, '\u{410}'..='\u{44F}') || "ЁёІіЇїЄєҐґЎўӘәҒғҚқҢңӨөҰұҮүҺһ".contains(c)
}

/// In [-1, 1]: share of non-ASCII characters that are plausible letters,
/// penalised for capitals inside words (KOI8-R/1251 confusion swaps case).
fn cyrillic_score(view: &RecordView<'_>, enc: Encoding) -> f64 {
    let (mut good, mut bad) = (0.0f64, 0.0f64);
    for f in view.fields() {
        let (text, _) = enc.decode_raw(f.data());
        let mut prev = ' ';
        for c in text.chars() {
            if !c.is_ascii() {
                if plausible_letter(c) {
                    good += 1.0;
                } else {
                    bad += 1.0;
                }
            }
            if plausible_letter(c) && c.is_uppercase() && plausible_letter(prev) {
                bad += 0.5;
            }
            prev = c;
        }
    }
    if good + bad == 0.0 {
        return 0.0;
    }
    (good - bad) / (good + bad)
}

/// In [-1, 1]: how much the high bytes look like MARC-8 Latin (a combining
/// mark 0xE0-0xFE before a letter, or an isolated ANSEL special) rather than
/// runs of single-byte letters.
fn marc8_score(view: &RecordView<'_>) -> f64 {
    let (mut good, mut bad) = (0.0f64, 0.0f64);
    for f in view.fields() {
        let data = f.data();
        for (i, &b) in data.iter().enumerate() {
            if b.is_ascii() {
                continue;
            }
            let next = data.get(i + 1).copied().unwrap_or(b' ');
            let prev = i
                .checked_sub(1)
                .and_then(|p| data.get(p))
                .copied()
                .unwrap_or(b' ');
            let combining = (0xE0..=0xFE).contains(&b);
            let isolated = prev.is_ascii() && next.is_ascii();
            if (combining && (next.is_ascii_alphabetic() || (0xE0..=0xFE).contains(&next)))
                || ((0xA1..=0xC8).contains(&b) && isolated)
            {
                good += 1.0;
            } else {
                bad += 1.0;
            }
        }
    }
    if good + bad == 0.0 {
        return 0.0;
    }
    (good - bad) / (good + bad)
}

/// KZ-1048 letter bytes with a letter byte on at least one side, i.e. in a
/// word rather than used as a symbol.
fn kz_signatures_in_words(view: &RecordView<'_>) -> usize {
    let letter = |b: u8| b.is_ascii_alphabetic() || b >= 0xC0 || KZ_SIGNATURE.contains(&b);
    view.fields()
        .iter()
        .map(|f| {
            let data = f.data();
            data.iter()
                .enumerate()
                .filter(|&(i, b)| {
                    let prev = i.checked_sub(1).and_then(|p| data.get(p)).copied();
                    let next = data.get(i + 1).copied();
                    KZ_SIGNATURE.contains(b)
                        && (prev.is_some_and(letter) || next.is_some_and(letter))
                })
                .count()
        })
        .sum()
}
