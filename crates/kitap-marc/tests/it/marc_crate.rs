//! Interop with the `marc` crate on real records: kitap -> marc -> kitap
//! gives the same fields, and records read by `marc`'s own reader decode
//! the way kitap-marc decodes the same bytes (MARC-8 and windows-1251
//! included, which `marc` cannot decode itself).

use std::fs::File;

use kitap_marc::{from_marc_crate, to_marc_crate, Dialect, Encoding, ParseOptions, Record};

use crate::common::{data_dir, read_ok};

/// MARC 21 in UTF-8 (Kitap's Kazakh set, LC's romanized Kazakh), MARC-8 and
/// windows-1251; RUSMARC in windows-1251 and KZ-1048; with the encoding
/// the file is in. (A KZ-1048 record without Kazakh letters has the same bytes
/// in windows-1251, and is detected as that.)
const FILES: [(&str, Encoding); 7] = [
    ("kazakh/marc21_utf8.mrc", Encoding::Utf8),
    (
        "marc21/lc_booksall2016_part01_kazakhstan.mrc",
        Encoding::Utf8,
    ),
    ("marc8/pymarc__marc8.dat", Encoding::Marc8),
    ("marc8/marc-perl__charset_cyrillic.marc", Encoding::Marc8),
    ("marc21/pymarc__1251.dat", Encoding::Windows1251),
    (
        "kazakh/rusmarc_cp1251_ru_keyboard.iso",
        Encoding::Windows1251,
    ),
    ("kazakh/rusmarc_kz1048.iso", Encoding::Kz1048),
];

/// The leader without what the writer decides: lengths, base address,
/// structure digits and (MARC 21, now UTF-8) leader/09.
fn leader_kept(rec: &Record) -> String {
    rec.leader
        .char_indices()
        .map(|(i, c)| match i {
            0..=4 | 9..=16 | 20..=23 => '_',
            _ => c,
        })
        .collect()
}

fn title(rec: &Record) -> Option<&str> {
    match rec.dialect {
        Dialect::Unimarc => rec.first_subfield("200", 'a'),
        _ => rec.first_subfield("245", 'a'),
    }
}

#[test]
fn records_go_to_the_marc_crate_and_back_unchanged() {
    for (file, encoding) in FILES {
        let records = read_ok(file);
        assert!(
            records.iter().any(|p| p.record.encoding == encoding),
            "{file}: no record in {encoding:?}"
        );
        for (i, parsed) in records.into_iter().enumerate() {
            let rec = parsed.record;
            let same_bytes = encoding == Encoding::Kz1048 && rec.encoding == Encoding::Windows1251;
            assert!(
                rec.encoding == encoding || same_bytes,
                "{file} #{i}: {:?}",
                rec.encoding
            );
            let converted = to_marc_crate(&rec).unwrap_or_else(|e| panic!("{file} #{i}: {e}"));
            // What `marc` users see: every field, in order, and the title.
            assert_eq!(converted.fields().count(), rec.fields.len(), "{file} #{i}");
            let title_tag = if rec.dialect == Dialect::Unimarc {
                b"200"
            } else {
                b"245"
            };
            let seen = converted.field(title_tag).first().and_then(|f| {
                f.subfield(b'a')
                    .first()
                    .map(|s| s.get_data::<str>().to_owned())
            });
            assert_eq!(seen.as_deref(), title(&rec), "{file} #{i}");

            let back = from_marc_crate(&converted, ParseOptions::default())
                .unwrap_or_else(|e| panic!("{file} #{i}: {e}"))
                .record;
            assert_eq!(back.fields, rec.fields, "{file} #{i}");
            assert_eq!(back.dialect, rec.dialect, "{file} #{i}");
            assert_eq!(back.encoding, Encoding::Utf8, "{file} #{i}");
            assert_eq!(leader_kept(&back), leader_kept(&rec), "{file} #{i}");
        }
    }
}

#[test]
fn records_read_by_the_marc_crate_decode_as_kitap_reads_them() {
    for (file, _) in FILES {
        let expected: Vec<Record> = read_ok(file).into_iter().map(|p| p.record).collect();
        let input = File::open(data_dir().join(file)).unwrap();
        let mut count = 0;
        for (i, read) in marc::Records::new(input).enumerate() {
            let read = read.unwrap_or_else(|e| panic!("marc crate, {file} #{i}: {e}"));
            let decoded = Record::try_from(&read).unwrap_or_else(|e| panic!("{file} #{i}: {e}"));
            assert_eq!(decoded, expected[i], "{file} #{i}");
            count += 1;
        }
        assert_eq!(
            count,
            expected.len(),
            "{file}: records read by the marc crate"
        );
    }
}
