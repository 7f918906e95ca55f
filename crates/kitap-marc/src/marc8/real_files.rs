//! Tests against real MARC-8 records from `/work/shared/data/marc/`.
//!
//! The ISO 2709 reader lives elsewhere in the crate; these tests split records
//! with a minimal, test-only parser so that they depend on nothing but the
//! MARC-8 decoder. Expected strings were produced by pymarc 5.4.0's
//! `marc8_to_unicode` (which returns NFC) on the same subfield bytes, keeping
//! only subfields for which pymarc reported no problem.

use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

use super::decode;

fn data_dir() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/marc"
    ))
    .to_path_buf()
}

fn read(sub: &str, name: &str) -> Vec<u8> {
    let path = data_dir().join(sub).join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn ascii_num(b: &[u8]) -> Option<usize> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// Records: chunks of at least 24 bytes between record terminators.
fn records(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|&b| b == 0x1D).filter(|r| r.len() >= 24)
}

/// `(directory index, tag, field data without the field terminator)`.
fn fields(rec: &[u8]) -> Vec<(usize, [u8; 3], &[u8])> {
    let mut out = Vec::new();
    let Some(base) = rec.get(12..17).and_then(ascii_num) else {
        return out;
    };
    let Some(end) = rec.iter().position(|&b| b == 0x1E) else {
        return out;
    };
    let dir = rec.get(24..end).unwrap_or_default();
    for (i, e) in dir.chunks_exact(12).enumerate() {
        let (Some(len), Some(start)) = (
            e.get(3..7).and_then(ascii_num),
            e.get(7..12).and_then(ascii_num),
        ) else {
            continue;
        };
        let tag = [e[0], e[1], e[2]];
        let from = base.saturating_add(start).min(rec.len());
        let to = from.saturating_add(len).min(rec.len());
        let mut f = rec.get(from..to).unwrap_or_default();
        if let Some(stripped) = f.strip_suffix(&[0x1E]) {
            f = stripped;
        }
        out.push((i, tag, f));
    }
    out
}

/// Subfield values of a data field (indicators and the text before the
/// first delimiter skipped), without their codes.
fn subfields(f: &[u8]) -> Vec<&[u8]> {
    f.get(2..)
        .unwrap_or_default()
        .split(|&b| b == 0x1F)
        .skip(1)
        .map(|s| s.get(1..).unwrap_or_default())
        .collect()
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// `(file in marc8/, record index, directory index, subfield index, NFC text)`.
const EXPECTED: &[(&str, usize, usize, usize, &str)] = &[
    (
        "marc4j__cyrillic_capital_e.mrc",
        0,
        16,
        1,
        "Bu\u{12d}da, I\u{fe20}U\u{fe21}ri\u{12d}.",
    ), // 100
    (
        "marc4j__cyrillic_capital_e.mrc",
        0,
        17,
        1,
        "Vor, shpion i ubi\u{12d}t\u{fe20}s\u{fe21}a /",
    ), // 245
    (
        "marc4j__cyrillic_capital_e.mrc",
        0,
        33,
        1,
        "\u{411}\u{443}\u{439}\u{434}\u{430}, \u{42e}\u{440}\u{438}\u{439}.",
    ), // 880
    ("marc4j__cyrillic_capital_e.mrc", 0, 35, 2, ""), // 880
    ("marc4j__cyrillic_capital_e.mrc", 0, 35, 3, "SMO,"), // 880
    ("marc4j__cyrillic_capital_e.mrc", 0, 36, 2, ""), // 880
    (
        "marc-perl__charset_cyrillic.marc",
        0,
        9,
        1,
        "Odluke i res\u{306}enja Saveznog ustavnog suda.",
    ), // 245
    (
        "marc-perl__charset_cyrillic.marc",
        0,
        16,
        1,
        "Odluke i mis\u{306}ljenja Ustavnog suda Jugoslavije",
    ), // 780
    (
        "marc-perl__charset_hebrew1.marc",
        0,
        9,
        2,
        "bi\u{1e6d}\u{2bc}on Igud kelali shel sofrim be-Yi\u{15b}ra\u{2bc}el.",
    ), // 245
    (
        "marc-perl__charset_hebrew1.marc",
        0,
        12,
        0,
        "Gil. mis. 1 (\u{1e33}ayits 1998)-",
    ), // 362
    (
        "marc-perl__charset_hebrew1.marc",
        0,
        16,
        2,
        "\u{5d4}\u{5d0}\u{5d9}\u{5d2}\u{5d5}\u{5d3},",
    ), // 880
    ("marc-perl__charset_hebrew1.marc", 0, 16, 3, "c1998-."), // 880
    (
        "marc-perl__charset_cjk1.marc",
        0,
        11,
        1,
        "Taish\u{14d}, Tomiz\u{14d},",
    ), // 100
    (
        "marc-perl__charset_cjk1.marc",
        0,
        12,
        1,
        "Kindaichi Ky\u{14d}suke to Ainugo /",
    ), // 245
    (
        "marc-perl__charset_cjk1.marc",
        0,
        19,
        1,
        "\u{5927}\u{6b63} \u{5341}\u{4e09}\u{9020},",
    ), // 880
    (
        "marc-perl__charset_cjk1.marc",
        0,
        20,
        1,
        "\u{91d1}\u{7530}\u{4e00} \u{4eac}\u{52a9} \u{3068} \u{30a2}\u{30a4}\u{30cc}\u{8a9e} /",
    ), // 880
    (
        "marc-perl__charset_cjk1.marc",
        0,
        20,
        2,
        "\u{5927}\u{53cb} \u{5e78}\u{7537}.",
    ), // 880
    (
        "marc-perl__charset_cjk1.marc",
        0,
        21,
        1,
        "\u{7b2c} 1\u{7248}.",
    ), // 880
    (
        "evergreen__lul_fre_100.mrc",
        0,
        10,
        0,
        "Qu\u{e9}bec, Qu\u{e9}. :",
    ), // 260
    (
        "evergreen__lul_fre_100.mrc",
        1,
        6,
        1,
        "po\u{e9}sies canadiennes /",
    ), // 245
    (
        "pymarc__marc8.dat",
        0,
        13,
        0,
        "De la solitude \u{e0} la communaut\u{e9}.",
    ), // 240
    (
        "pymarc__marc8.dat",
        0,
        17,
        0,
        "Translation of De la solitude \u{e0} la communaut\u{e9}.",
    ), // 500
    // pymarc leaves the reference as text; LC's lossless convention decodes it.
    (
        "traject__escaped_character_reference.marc8.marc",
        0,
        1,
        0,
        "Rio de Janeiro escaped replacement char: \u{fffd} .",
    ),
];

#[test]
fn decodes_like_pymarc() {
    let mut checked = 0;
    for &(file, ri, fi, si, want) in EXPECTED {
        let data = read("marc8", file);
        let rec = records(&data)
            .nth(ri)
            .unwrap_or_else(|| panic!("{file}: no record {ri}"));
        let (_, tag, f) = fields(rec)
            .into_iter()
            .find(|x| x.0 == fi)
            .unwrap_or_else(|| panic!("{file}: no field {fi}"));
        let value = *subfields(f)
            .get(si)
            .unwrap_or_else(|| panic!("{file}: no subfield {si}"));
        let (got, _) = decode(value);
        assert_eq!(
            nfc(&got),
            want,
            "{file} record {ri} field {fi} ({}) subfield {si}",
            String::from_utf8_lossy(&tag)
        );
        checked += 1;
    }
    assert_eq!(checked, EXPECTED.len());
}

#[test]
fn known_fields_decode_without_warnings() {
    for &(file, ri, fi, si, _) in EXPECTED {
        let data = read("marc8", file);
        let rec = records(&data).nth(ri).unwrap_or_default();
        let f = fields(rec)
            .into_iter()
            .find(|x| x.0 == fi)
            .map(|x| x.2)
            .unwrap_or_default();
        let value = subfields(f).get(si).copied().unwrap_or_default();
        let (_, w) = decode(value);
        assert!(w.is_empty(), "{file} {ri}/{fi}/{si}: {w:?}");
    }
}

/// marc4j's "Cyrillic capital E" record has a 0x1F byte (the subfield
/// delimiter) where "Э" of "Эксмо" belongs, inside an `ESC ( N` run. Decoded
/// as a whole field, the escape state survives the delimiter, so the rest of
/// the word stays Cyrillic (what to do with the 0x1F is the reader's call).
#[test]
fn cyrillic_state_survives_delimiter_within_one_call() {
    let data = read("marc8", "marc4j__cyrillic_capital_e.mrc");
    let rec = records(&data).next().unwrap_or_default();
    let f = fields(rec)
        .into_iter()
        .find(|x| x.0 == 35)
        .map(|x| x.2)
        .unwrap_or_default();
    let (got, w) = decode(f.get(2..).unwrap_or_default());
    assert!(w.is_empty(), "{w:?}");
    assert!(
        got.contains("\u{41c}\u{43e}\u{441}\u{43a}\u{432}\u{430} :\u{1f}b\u{1f}\u{43a}\u{441}\u{43c}\u{43e},"),
        "{got:?}"
    );
}

fn decode_everything(sub: &str, name: &str) -> (usize, usize) {
    let data = read(sub, name);
    let (mut n_fields, mut n_warn) = (0usize, 0usize);
    for rec in records(&data) {
        for (_, tag, f) in fields(rec) {
            n_fields += 1;
            // The whole field in one call, and each subfield on its own.
            let (s, w) = decode(f);
            let _ = nfc(&s);
            n_warn += w.len();
            if !tag.starts_with(b"00") {
                for v in subfields(f) {
                    let (s, w) = decode(v);
                    let _ = nfc(&s);
                    n_warn += w.len();
                }
            }
        }
        // Also the raw record, as if someone passed garbage.
        let _ = decode(rec);
    }
    (n_fields, n_warn)
}

#[test]
fn every_marc8_file_decodes_without_panic() {
    let dir = data_dir().join("marc8");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    assert!(names.len() >= 30, "{names:?}");
    let mut total = 0;
    for name in &names {
        let (n, _) = decode_everything("marc8", name);
        total += n;
    }
    assert!(total > 1000, "only {total} fields");
}

#[test]
fn malformed_files_decode_without_panic_and_warn() {
    for name in [
        "marc4j__incomplete_esc_seq.mrc",
        "marc4j__greekmissingcharsetchange.mrc",
        "pymarc__bad_marc8_escape.dat",
        "pymarc__bad_eacc_encoding.dat",
    ] {
        let (n, warnings) = decode_everything("malformed", name);
        assert!(n > 0, "{name}: no fields found");
        assert!(warnings > 0, "{name}: expected warnings");
    }
    // Everything else in malformed/ too (MARC-8 or not): no panic.
    let dir = data_dir().join("malformed");
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let name = e
            .ok()
            .and_then(|e| e.file_name().into_string().ok())
            .unwrap_or_default();
        if !name.is_empty() {
            decode_everything("malformed", &name);
        }
    }
}
