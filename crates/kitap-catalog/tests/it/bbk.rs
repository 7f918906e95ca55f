//! BBK and UDC from the real RUSMARC and MARC 21 files, classified.

use std::collections::BTreeMap;

use kitap_catalog::{AreaRules, BbkTable, BibView, KnowledgeArea};

use crate::common::records;

fn areas(file: &str) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for r in records(file) {
        let v = BibView::from_record(&r);
        let name = v.knowledge_area().map_or("none", KnowledgeArea::as_str);
        *out.entry(name).or_default() += 1;
    }
    out
}

#[test]
fn every_kazakh_rusmarc_record_has_bbk_and_udc() {
    for file in [
        "kazakh/rusmarc_utf8.iso",
        "kazakh/rusmarc_kz1048.iso",
        "kazakh/rusmarc_cp1251_ru_keyboard.iso",
        "kazakh/rusmarc_other_editions.iso",
    ] {
        for r in records(file) {
            let v = BibView::from_record(&r);
            let id = v.control_number.clone().unwrap_or_default();
            assert_eq!(v.bbk.len(), 1, "{file} {id}");
            let class = AreaRules::default().classify_bbk(&v.bbk[0]).unwrap();
            assert_eq!(class.table, BbkTable::Public, "{id}: {}", v.bbk[0]);
            // kz1048 export carries no 675.
            if !file.contains("kz1048") {
                assert_eq!(v.udc.len(), 1, "{file} {id}");
                assert!(
                    KnowledgeArea::from_udc(&v.udc[0]).is_some(),
                    "{id}: {}",
                    v.udc[0]
                );
            }
        }
    }
}

#[test]
fn kazakh_catalogue_by_knowledge_area() {
    let by_area = areas("kazakh/rusmarc_utf8.iso");
    assert_eq!(by_area.values().sum::<usize>(), 40);
    // 29 records under 84, 7 under 63/86/87, 3 under 81/83, 1 under 85.
    let expected = [
        ("fiction", 29),
        ("linguistics_literary", 3),
        ("socio_political", 7),
        ("sport_arts", 1),
    ];
    assert_eq!(by_area, BTreeMap::from(expected));
    // The MARC 21 copy of the same catalogue gives the same statistics.
    assert_eq!(areas("kazakh/marc21_utf8.mrc"), by_area);
}

#[test]
fn bbk_and_udc_agree_on_the_kazakh_files() {
    // Where both are present, the UDC fallback lands in the same group as
    // BBK for the Kazakh fiction (84(5Каз) / 821.512.122).
    for r in records("kazakh/rusmarc_utf8.iso") {
        let v = BibView::from_record(&r);
        let bbk = KnowledgeArea::from_bbk(&v.bbk[0]);
        if bbk == Some(KnowledgeArea::Fiction) {
            assert_eq!(KnowledgeArea::from_udc(&v.udc[0]), bbk, "{:?}", v.udc);
        }
    }
}

#[test]
fn nlr_letter_tables_all_classify() {
    let mut tables = BTreeMap::new();
    for r in records("unimarc/rusmarc__irbis_TEST1.ISO") {
        for index in BibView::from_record(&r).bbk {
            let class = AreaRules::default()
                .classify_bbk(&index)
                .unwrap_or_else(|| panic!("{index}"));
            *tables.entry(format!("{:?}", class.table)).or_insert(0) += 1;
        }
    }
    assert!(
        tables.get("Scientific").copied().unwrap_or(0) > 40,
        "{tables:?}"
    );
    assert!(tables.get("Public").copied().unwrap_or(0) > 5, "{tables:?}");
}

#[test]
fn marc21_bbk_needs_a_bbk_source() {
    // RSL's MARC 21 has 084 $2 rubbk; LC's 084s are other schemes.
    let rsl = records("duplicates/isbn_978-5-901202-50-0/RSL_01003120729_marc21.mrc");
    assert_eq!(BibView::from_record(&rsl[0]).bbk, ["Ч617ц.я8", "Ч751.22я8"]);
    for r in records("marc21/lc_booksall2016_part01_kazakhstan.mrc") {
        assert!(BibView::from_record(&r).bbk.is_empty());
    }
}
