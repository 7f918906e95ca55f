//! Per-record detection of dialect (MARC 21 vs UNIMARC) and encoding.
//!
//! Declarations are hints, not facts: leader/09 is blank in UTF-8 files
//! from Evergreen and in every UNIMARC file, and IRBIS writes "89"
//! (windows-1251) into 100$a over KZ-1048 bytes. So the bytes are scored and
//! the declaration only breaks near-ties. Every decision carries a reason
//! for the import report.

use crate::encoding::Encoding;
use crate::iso2709::{ParseOptions, Structure, SD};
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

pub(crate) fn detect(st: &Structure<'_>, opts: ParseOptions) -> Detection {
    let (dialect, dialect_reason) = match opts.dialect {
        Some(d) => (d, "set by the caller".to_string()),
        None => detect_dialect(st),
    };
    let declared = declared_encoding(st, dialect);
    let (encoding, encoding_reason) = match opts.encoding {
        Some(e) => (e, "set by the caller".to_string()),
        None => detect_encoding(st, dialect, declared),
    };
    Detection {
        dialect,
        dialect_reason,
        encoding,
        encoding_reason,
        declared,
    }
}

fn has(st: &Structure<'_>, tag: &str) -> bool {
    st.fields.iter().any(|f| f.tag == tag)
}

fn detect_dialect(st: &Structure<'_>) -> (Dialect, String) {
    if has(st, "245") {
        return (Dialect::Marc21, "has a 245 title field".into());
    }
    let has_008 = has(st, "008");
    if has(st, "200") && !has_008 {
        return (Dialect::Unimarc, "has a 200 title field and no 008".into());
    }
    if general_processing_data(st).is_some() && !has_008 {
        return (
            Dialect::Unimarc,
            "has 100$a general processing data and no 008".into(),
        );
    }
    if has_008 {
        return (Dialect::Marc21, "has an 008 fixed-length data field".into());
    }
    (
        Dialect::Unknown,
        "neither 245/008 nor 200/100$a found".into(),
    )
}

/// UNIMARC 100$a: 8-digit date entered, then coded data up to 36 bytes.
pub(crate) fn general_processing_data<'a>(st: &Structure<'a>) -> Option<&'a [u8]> {
    let field = st.fields.iter().find(|f| f.tag == "100")?;
    let sub = field
        .data
        .split(|&b| b == SD)
        .skip(1)
        .find(|s| s.first() == Some(&b'a'))?;
    let value = sub.get(1..)?;
    let date_like = value.get(..8)?.iter().all(u8::is_ascii_digit);
    (date_like && value.len() >= 22).then_some(value)
}

fn declared_encoding(st: &Structure<'_>, dialect: Dialect) -> Option<Encoding> {
    match dialect {
        Dialect::Unimarc => {
            let code = general_processing_data(st)?.get(26..28)?;
            match code {
                b"50" => Some(Encoding::Utf8),
                b"79" => Some(Encoding::Cp866),
                b"89" => Some(Encoding::Windows1251),
                b"99" => Some(Encoding::Koi8R),
                _ => None,
            }
        }
        _ => match st.leader.as_bytes().get(9) {
            Some(b'a') => Some(Encoding::Utf8),
            Some(b' ') => Some(Encoding::Marc8),
            _ => None,
        },
    }
}

/// Counts over all field bytes that the decisions below need.
#[derive(Default)]
struct ByteStats {
    non_ascii: usize,
    escapes: usize,
    utf8_multibyte: usize,
    utf8_invalid: usize,
}

fn byte_stats(st: &Structure<'_>) -> ByteStats {
    let mut s = ByteStats::default();
    for f in &st.fields {
        s.escapes += f.data.iter().filter(|&&b| b == 0x1B).count();
        if f.data.is_ascii() {
            continue;
        }
        s.non_ascii += f.data.iter().filter(|b| !b.is_ascii()).count();
        for chunk in f.data.utf8_chunks() {
            s.utf8_multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
            s.utf8_invalid += usize::from(!chunk.invalid().is_empty());
        }
    }
    s
}

fn detect_encoding(
    st: &Structure<'_>,
    dialect: Dialect,
    declared: Option<Encoding>,
) -> (Encoding, String) {
    let s = byte_stats(st);
    let marc21 = dialect != Dialect::Unimarc;
    if s.non_ascii == 0 {
        if s.escapes > 0 && marc21 {
            return (Encoding::Marc8, "ASCII with MARC-8 escape sequences".into());
        }
        return (Encoding::Utf8, "ASCII only".into());
    }
    if s.utf8_invalid == 0 {
        let note = match declared {
            Some(Encoding::Utf8) | None => String::new(),
            Some(d) => format!(" (record declares {d}, ignored)"),
        };
        return (
            Encoding::Utf8,
            format!("valid UTF-8 with non-ASCII text{note}"),
        );
    }
    if s.utf8_multibyte >= 4 * s.utf8_invalid {
        let msg = format!(
            "mostly valid UTF-8 ({} multi-byte characters, {} invalid sequences)",
            s.utf8_multibyte, s.utf8_invalid
        );
        return (Encoding::Utf8, msg);
    }
    single_byte(st, marc21, declared, &s)
}

/// Not UTF-8: choose among MARC-8 (MARC 21 only) and the Cyrillic code pages.
fn single_byte(
    st: &Structure<'_>,
    marc21: bool,
    declared: Option<Encoding>,
    s: &ByteStats,
) -> (Encoding, String) {
    let (best, best_score) = best_cyrillic(st, declared);
    if marc21 {
        let m8 = marc8_score(st);
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
        let n = kz_signatures_in_words(st);
        reason.push_str(&format!("; {n} KZ-1048 letter byte(s) inside words"));
    }
    (best, reason)
}

/// The best-scoring Cyrillic code page; a declared one wins near-ties.
fn best_cyrillic(st: &Structure<'_>, declared: Option<Encoding>) -> (Encoding, f64) {
    let mut best = (Encoding::Windows1251, f64::MIN);
    for enc in CYRILLIC {
        let score = cyrillic_score(st, enc);
        if score > best.1 + 1e-9 {
            best = (enc, score);
        }
    }
    if let Some(d) = declared.filter(|d| CYRILLIC.contains(d)) {
        let score = cyrillic_score(st, d);
        if score >= best.1 - 0.02 {
            best = (d, score);
        }
    }
    // A "89" declaration must not win over KZ-1048 letters inside words:
    // that is precisely the lie legacy Kazakh exports tell.
    if best.0 == Encoding::Windows1251 && kz_signatures_in_words(st) > 0 {
        let kz = cyrillic_score(st, Encoding::Kz1048);
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
fn cyrillic_score(st: &Structure<'_>, enc: Encoding) -> f64 {
    let (mut good, mut bad) = (0.0f64, 0.0f64);
    for f in &st.fields {
        let (text, _) = enc.decode_raw(f.data);
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
fn marc8_score(st: &Structure<'_>) -> f64 {
    let (mut good, mut bad) = (0.0f64, 0.0f64);
    for f in &st.fields {
        for (i, &b) in f.data.iter().enumerate() {
            if b.is_ascii() {
                continue;
            }
            let next = f.data.get(i + 1).copied().unwrap_or(b' ');
            let prev = i
                .checked_sub(1)
                .and_then(|p| f.data.get(p))
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
fn kz_signatures_in_words(st: &Structure<'_>) -> usize {
    let letter = |b: u8| b.is_ascii_alphabetic() || b >= 0xC0 || KZ_SIGNATURE.contains(&b);
    st.fields
        .iter()
        .map(|f| {
            f.data
                .iter()
                .enumerate()
                .filter(|&(i, b)| {
                    let prev = i.checked_sub(1).and_then(|p| f.data.get(p)).copied();
                    let next = f.data.get(i + 1).copied();
                    KZ_SIGNATURE.contains(b)
                        && (prev.is_some_and(letter) || next.is_some_and(letter))
                })
                .count()
        })
        .sum()
}
