//! Decoded text, encoding and dialect of known records.

use kitap_marc::{Dialect, Encoding};

use crate::common::{read_ok, text_of};

/// Reads a file, checks every record's encoding/dialect, returns the records.
fn expect_all(rel: &str, enc: Encoding, dialect: Dialect) -> Vec<kitap_marc::Parsed> {
    let recs = read_ok(rel);
    for (i, p) in recs.iter().enumerate() {
        assert_eq!(
            p.record.encoding, enc,
            "{rel} #{i}: {}",
            p.detection.encoding_reason
        );
        assert_eq!(
            p.record.dialect, dialect,
            "{rel} #{i}: {}",
            p.detection.dialect_reason
        );
    }
    recs
}

#[test]
fn kz1048_declared_as_1251_is_read_as_kazakh() {
    let recs = read_ok("kazakh/rusmarc_kz1048.iso");
    assert_eq!(recs.len(), 13);
    // Records 3, 7 and 11 hold no byte where KZ-1048 and windows-1251
    // differ, so either answer decodes them identically.
    for (i, p) in recs.iter().enumerate() {
        let expected = if [3, 7, 11].contains(&i) {
            Encoding::Windows1251
        } else {
            Encoding::Kz1048
        };
        assert_eq!(
            p.record.encoding, expected,
            "#{i}: {}",
            p.detection.encoding_reason
        );
        assert_eq!(p.record.dialect, Dialect::Unimarc);
    }
    let first = &recs[0];
    assert_eq!(first.detection.declared, Some(Encoding::Windows1251));
    assert_eq!(first.record.first_subfield("200", 'a'), Some("Боран"));
    assert_eq!(
        first.record.first_subfield("606", 'a'),
        Some("Қазақ әдебиеті")
    );
    let all: String = recs.iter().map(|p| text_of(&p.record, "200")).collect();
    assert!(
        !all.contains('Ќ') && !all.contains('ј'),
        "mojibake left: {all}"
    );
    assert_eq!(
        recs[1].record.first_subfield("200", 'a'),
        Some("Мен сені сүйемін")
    );
    assert_eq!(recs[2].record.first_subfield("200", 'a'), Some("Гауһартас"));
}

#[test]
fn kazakh_utf8_rusmarc_and_marc21() {
    let r = expect_all("kazakh/rusmarc_utf8.iso", Encoding::Utf8, Dialect::Unimarc);
    assert_eq!(r[0].record.first_subfield("200", 'a'), Some("Қара сөздер"));
    assert_eq!(
        r[0].record.first_subfield("200", 'f'),
        Some("Абай Құнанбайұлы")
    );
    assert_eq!(
        r[1].record.first_subfield("200", 'f'),
        Some("Мұхтар Әуезов")
    );
    assert_eq!(r[0].detection.declared, Some(Encoding::Utf8));
    let m = expect_all("kazakh/marc21_utf8.mrc", Encoding::Utf8, Dialect::Marc21);
    assert_eq!(
        m[0].record.first_subfield("245", 'a'),
        Some("Қара сөздер /")
    );
    assert_eq!(
        m[0].record.first_subfield("100", 'a'),
        Some("Құнанбайұлы, Абай.")
    );
}

#[test]
fn kazakh_russian_keyboard_cp1251() {
    let r = expect_all(
        "kazakh/rusmarc_cp1251_ru_keyboard.iso",
        Encoding::Windows1251,
        Dialect::Unimarc,
    );
    assert_eq!(r[0].record.first_subfield("200", 'a'), Some("Ушкан уя"));
    assert_eq!(
        r[0].record.first_subfield("200", 'f'),
        Some("Бауыржан Момышулы")
    );
}

#[test]
fn cp866_unimarc_without_subfields() {
    for rel in [
        "unimarc/ruby-marc__cp866_unimarc.marc",
        "unimarc/ruby-marc__cp866_multirecord.marc",
    ] {
        let recs = read_ok(rel);
        for p in &recs {
            assert_eq!(
                p.record.encoding,
                Encoding::Cp866,
                "{rel}: {}",
                p.detection.encoding_reason
            );
            let all: Vec<String> = p.record.fields.iter().map(|f| format!("{f:?}")).collect();
            assert!(all.join(" ").contains("Никитенко Е. А."), "{rel}: {all:?}");
        }
    }
}

#[test]
fn windows_1251_marc21_and_irbis() {
    let r = expect_all(
        "marc21/pymarc__1251.dat",
        Encoding::Windows1251,
        Dialect::Marc21,
    );
    let title = r[0].record.first_subfield("245", 'a').unwrap_or_default();
    assert!(
        title.starts_with("Основы гидравлического расчета инженерных сетей"),
        "{title}"
    );
    for rel in [
        "unimarc/rusmarc__irbis_TEST1.ISO",
        "unimarc/rusmarc__irbis_TEST1_nonsequential.ISO",
    ] {
        let r = expect_all(rel, Encoding::Windows1251, Dialect::Unimarc);
        assert_eq!(r.len(), 81);
        assert_eq!(r[0].record.first_subfield("200", 'a'), Some("Вып. 13."));
        assert_eq!(r[0].record.control("001"), Some("RU\\NLR\\bibl\\3415"));
    }
}

#[test]
fn utf8_with_blank_leader_09_is_not_marc8() {
    let fsl = expect_all(
        "marc21/evergreen__FSL.marc",
        Encoding::Utf8,
        Dialect::Marc21,
    );
    assert_eq!(fsl.len(), 52);
    assert_eq!(
        fsl[0].record.first_subfield("245", 'a'),
        Some("Люди с чистой совестью :")
    );
    assert_eq!(fsl[0].detection.declared, Some(Encoding::Marc8));
    let maps = expect_all(
        "marc21/evergreen__map_data.mrc",
        Encoding::Utf8,
        Dialect::Marc21,
    );
    let t = maps[0]
        .record
        .first_subfield("245", 'a')
        .unwrap_or_default();
    assert!(t.starts_with("Geology of the northern California"), "{t}");
    let twin_a = read_ok("marc21/pymarc__utf8_with_leader_flag.dat");
    let twin_b = expect_all(
        "marc21/pymarc__utf8_without_leader_flag.dat",
        Encoding::Utf8,
        Dialect::Marc21,
    );
    assert_eq!(
        twin_b[0].record.first_subfield("245", 'a'),
        Some("Escape from loneliness /")
    );
    assert_eq!(twin_a[0].record.fields, twin_b[0].record.fields);
}

#[test]
fn length_mismatch_files_give_every_record() {
    let bu = read_ok("malformed/catmandu__bu_bibs.mrc");
    assert_eq!(bu.len(), 100);
    let vichy = bu[2].record.first_subfield("245", 'b').unwrap_or_default();
    assert!(
        vichy.starts_with("Pétain's national revolution"),
        "{vichy:?}"
    );
    assert!(bu[2]
        .record
        .warnings
        .iter()
        .any(|w| w.contains("double-encoded")));
    assert_eq!(
        bu[99].record.first_subfield("245", 'a'),
        Some("Evil in modern thought :")
    );

    let lines = read_ok("malformed/qa-catalogue__000-line-seperated.mrc");
    assert_eq!(lines.len(), 20);
    assert_eq!(
        lines[0].record.first_subfield("245", 'a'),
        Some("Das Töpferbuch")
    );

    let split = read_ok("malformed/neb-catalog__1251-split.mrc");
    assert_eq!(split.len(), 6);
    assert!(split
        .iter()
        .all(|p| p.record.first_subfield("245", 'a').is_some()));

    let bncf = expect_all(
        "unimarc/unimarcxml__bncf_data.mrc",
        Encoding::Utf8,
        Dialect::Unimarc,
    );
    assert_eq!(bncf.len(), 5);
    assert_eq!(
        bncf[0].record.first_subfield("200", 'a'),
        Some("\u{98}Lo \u{9c}Stato innovatore"),
        "BNCF keeps its NSB/NSE non-sorting markers"
    );
    assert_eq!(
        bncf[4].record.first_subfield("200", 'a'),
        Some("Storia d'Italia. Annali")
    );
}

#[test]
fn marc8_files_are_detected_as_marc8() {
    let r = read_ok("malformed/marc4j__bad_leaders_10_11.mrc");
    assert_eq!(
        r[0].record.encoding,
        Encoding::Marc8,
        "{}",
        r[0].detection.encoding_reason
    );
}

#[test]
fn nfc_everywhere() {
    use unicode_normalization::is_nfc;
    for rel in [
        "marc21/lc_booksall2016_part01_kazakhstan.mrc",
        "kazakh/rusmarc_kz1048.iso",
    ] {
        for p in read_ok(rel) {
            for f in &p.record.fields {
                for s in f.subfields() {
                    assert!(is_nfc(&s.value), "{rel}: {:?}", s.value);
                }
            }
        }
    }
}
