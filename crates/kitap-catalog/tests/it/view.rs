//! The bibliographic view of real records, MARC 21 and RUSMARC.

use kitap_catalog::{AuthorKind, BibView, KnowledgeArea, RecordType};

use crate::common::{main_name, records, view_of};

const KZ_RUSMARC: &str = "kazakh/rusmarc_utf8.iso";
const KZ_MARC21: &str = "kazakh/marc21_utf8.mrc";

#[test]
fn kazakh_rusmarc_record() {
    let v = view_of(KZ_RUSMARC, "KZAR0001");
    assert_eq!(v.record_type, RecordType::Book);
    assert_eq!(v.bibliographic_level, 'm');
    assert_eq!(v.title.as_deref(), Some("Қара сөздер"));
    assert_eq!(v.responsibility.as_deref(), Some("Абай Құнанбайұлы"));
    assert_eq!(main_name(&v), "Құнанбайұлы, Абай");
    assert_eq!(v.isbns, ["9786018946653"]);
    assert_eq!(v.year, Some(2019));
    assert_eq!(v.publication[0].place.as_deref(), Some("Алматы"));
    assert_eq!(v.publication[0].publisher.as_deref(), Some("Жазушы"));
    assert_eq!(v.extent.as_deref(), Some("216 б."));
    assert_eq!(v.languages, ["kaz"]);
    assert!(v.is_kazakh());
    assert_eq!(v.udc, ["821.512.122"]);
    assert_eq!(v.bbk, ["84(5Каз)-4"]);
    assert_eq!(v.subjects, ["Қазақ әдебиеті", "Философиялық проза"]);
    assert_eq!(v.knowledge_area(), Some(KnowledgeArea::Fiction));
    assert_eq!(v.control_number.as_deref(), Some("KZAR0001"));
    assert_eq!(v.control_source, None);

    let v = view_of(KZ_RUSMARC, "KZAR0002");
    assert_eq!(v.title.as_deref(), Some("Абай жолы"));
    assert_eq!(v.other_titles, ["роман-эпопея"]);
    assert_eq!(v.part.as_deref(), Some("1-том"));
    assert_eq!(main_name(&v), "Әуезов, Мұхтар");
}

#[test]
fn kazakh_marc21_record() {
    let v = view_of(KZ_MARC21, "KZAM0002");
    assert_eq!(v.title.as_deref(), Some("Абай жолы"));
    assert_eq!(v.other_titles, ["роман-эпопея"]);
    assert_eq!(v.responsibility.as_deref(), Some("Мұхтар Әуезов"));
    assert_eq!(v.part.as_deref(), Some("1-том"));
    assert_eq!(main_name(&v), "Әуезов, Мұхтар");
    assert_eq!(v.isbns, ["9786012745801"]);
    assert_eq!(v.year, Some(2017));
    assert_eq!(v.extent.as_deref(), Some("480 p."));
    assert_eq!(v.languages, ["kaz"]);
    assert_eq!(v.bbk, ["84(5Каз)-44"]);
    assert_eq!(v.udc, ["821.512.122-31"]);
    assert_eq!(v.control_source.as_deref(), Some("KZ-KrCLS"));
}

/// The same 40 books catalogued in RUSMARC and in MARC 21 give the same view.
#[test]
fn both_kazakh_catalogues_agree() {
    let rusmarc = records(KZ_RUSMARC);
    let marc21 = records(KZ_MARC21);
    assert_eq!(rusmarc.len(), 40);
    assert_eq!(marc21.len(), 40);
    for (r, m) in rusmarc.iter().zip(&marc21) {
        let (a, b) = (BibView::from_record(r), BibView::from_record(m));
        let id = a.control_number.clone().unwrap_or_default();
        assert_eq!(a.title, b.title, "{id}");
        assert_eq!(a.other_titles, b.other_titles, "{id}");
        assert_eq!(a.part, b.part, "{id}");
        assert_eq!(main_name(&a), main_name(&b), "{id}");
        assert_eq!(a.isbns, b.isbns, "{id}");
        assert_eq!(a.year, b.year, "{id}");
        assert_eq!(a.publication, b.publication, "{id}");
        assert_eq!(a.languages, b.languages, "{id}");
        assert_eq!(a.bbk, b.bbk, "{id}");
        assert_eq!(a.udc, b.udc, "{id}");
        assert_eq!(a.subjects, b.subjects, "{id}");
        assert!(a.title.is_some() && !a.isbns.is_empty(), "{id}");
    }
}

#[test]
fn kz1048_and_russian_keyboard_exports() {
    let v = view_of("kazakh/rusmarc_kz1048.iso", "KZAK0001");
    assert_eq!(v.title.as_deref(), Some("Боран"));
    assert_eq!(v.other_titles, ["роман"]);
    assert_eq!(main_name(&v), "Ахтанов, Тахауи");
    assert_eq!(v.subjects, ["Қазақ әдебиеті"]);
    assert_eq!(v.isbns, ["9786015380733"]);
    let v = view_of("kazakh/rusmarc_kz1048.iso", "KZAK0004");
    assert_eq!(v.title.as_deref(), Some("Караганда: 90 лет истории"));
    assert_eq!(v.languages, ["rus"]);
    assert!(!v.is_kazakh());
    assert_eq!(v.bbk, ["63.3(5Каз-4Кар)"]);
    assert_eq!(v.knowledge_area(), Some(KnowledgeArea::SocioPolitical));
    // Typed on a Russian layout: the letters are wrong, the structure is not.
    let v = view_of("kazakh/rusmarc_cp1251_ru_keyboard.iso", "KZAC0002");
    assert_eq!(v.title.as_deref(), Some("Боран"));
    assert_eq!(v.subjects, ["Казак адебиети"]);
    assert_eq!(v.isbns, ["9786015380733"]);
}

#[test]
fn noisy_and_latin_kazakh_records() {
    let noisy = "kazakh/marc21_noisy.mrc";
    let v = view_of(noisy, "KZAN0001");
    assert_eq!(v.isbns, ["9786014984659"], "ISBN-10 without hyphens");
    assert!(view_of(noisy, "KZAN0004").isbns.is_empty());
    assert_eq!(main_name(&view_of(noisy, "KZAN0002")), "Нұрпейісов, Ә.");
    assert_eq!(
        view_of(noisy, "KZAN0011").title.as_deref(),
        Some("Абй жолы")
    );
    let v = view_of("kazakh/marc21_latin2021.mrc", "KZAL0002");
    assert_eq!(v.title.as_deref(), Some("Qara sözder"));
    assert_eq!(main_name(&v), "Qūnanbaiūly, Abai");
    assert_eq!(v.languages, ["kaz"]);
    assert_eq!(v.isbns, ["9786018946653"]);
}

#[test]
fn library_of_congress_kazakhstan_records() {
    let lc = "marc21/lc_booksall2016_part01_kazakhstan.mrc";
    let v = view_of(lc, "00271542");
    assert_eq!(v.title.as_deref(), Some("Aqiqatyn aĭtqanda--"));
    assert_eq!(v.other_titles, ["maqalalar, sūkhbattar, kȯsemsȯzder"]);
    assert_eq!(v.responsibility.as_deref(), Some("Mikhail Esenăliev"));
    assert_eq!(main_name(&v), "Isinaliev, Mikhail");
    assert_eq!(v.isbns, ["9785766756927"]);
    assert_eq!(v.year, Some(1998));
    assert_eq!(v.publication[0].publisher.as_deref(), Some("\"Qazaqstan\""));
    assert_eq!(v.languages, ["kaz"]);
    assert_eq!(v.series[0].title, "Kazakhstan--nash obshchiĭ dom");
    assert_eq!(v.system_numbers, ["(OCoLC)ocm41405116"]);
    assert_eq!(v.control_number.as_deref(), Some("00271542"));
    assert_eq!(v.control_source.as_deref(), Some("DLC"));

    let v = view_of(lc, "00271543");
    assert_eq!(main_name(&v), "Kim, G. N.");
    assert_eq!(v.isbns, ["9789965441103", "9789965798030", "9789965798047"]);
    assert_eq!(v.languages, ["rus"]);
    assert_eq!(v.year, Some(1999));
    assert!(v
        .other_titles
        .contains(&"History of Korean immigration".to_string()));

    let all = records(lc);
    assert_eq!(all.len(), 431);
    let views: Vec<BibView> = all.iter().map(BibView::from_record).collect();
    let in_008 = views
        .iter()
        .filter(|v| v.languages.first().map(String::as_str) == Some("kaz"));
    assert_eq!(
        in_008.count(),
        257,
        "SOURCES.md: 257 records with 008/35-37 kaz"
    );
    // Eleven more have Kazakh only in 041$a (multilingual texts).
    assert_eq!(views.iter().filter(|v| v.is_kazakh()).count(), 268);
}

#[test]
fn russian_state_library_pair() {
    let dir = "duplicates/isbn_978-5-901202-50-0";
    let m = BibView::from_record(&records(&format!("{dir}/RSL_01003120729_marc21.mrc"))[0]);
    let u = BibView::from_record(&records(&format!("{dir}/RSL_01003120729_rusmarc.iso"))[0]);
    for v in [&m, &u] {
        assert_eq!(
            v.title.as_deref(),
            Some("Международный стандартный книжный номер (ISBN)")
        );
        assert_eq!(v.other_titles, ["пособие для издателей"]);
        assert_eq!(v.isbns, ["9785901202500"]);
        assert_eq!(v.year, Some(2007));
        assert_eq!(v.languages, ["rus"]);
        assert_eq!(v.udc, ["655.535.2"]);
        assert_eq!(v.bbk, ["Ч617ц.я8", "Ч751.22я8"]);
        assert_eq!(v.keywords, ["ISBN"]);
        assert_eq!(v.main_author(), None);
        assert_eq!(v.authors[0].name, "Калинин, Сергей Юрьевич");
        assert_eq!(v.authors[1].kind, AuthorKind::Corporate);
        assert_eq!(v.authors[1].name, "Российская книжная палата");
        assert_eq!(v.knowledge_area(), Some(KnowledgeArea::SocioPolitical));
        assert_eq!(v.control_number.as_deref(), Some("003120729"));
    }
    assert_eq!(m.authors[0].role.as_deref(), Some("сост."));
    assert_eq!(u.authors[0].role.as_deref(), Some("com"));
    assert_eq!(u.series[0].title, "Библиотека Российской книжной палаты");
    assert_eq!(u.series[0].number.as_deref(), Some("вып. 3"));
}

#[test]
fn irbis_export_of_nlr_records() {
    let file = "unimarc/rusmarc__irbis_TEST1.ISO";
    let v = view_of(file, "RU\\NLR\\bibl\\5996");
    assert_eq!(v.title.as_deref(), Some("Задачи и этюды"));
    assert_eq!(v.other_titles, ["Сб."]);
    assert_eq!(v.bbk, ["Ч515.815я43"]);
    assert_eq!(v.knowledge_area(), Some(KnowledgeArea::SportArts), "chess");
    assert_eq!(v.authors[0].name, "Барсуков, В. Н.");
    assert_eq!(v.authors[0].role.as_deref(), Some("edt"));
    assert_eq!(v.year, Some(1997));
    assert_eq!(v.languages, ["rus"]);
    assert_eq!(v.subjects, ["Шахматные композиции -- Сборники"]);
    let all = records(file);
    assert_eq!(all.len(), 81);
    assert!(all.iter().all(|r| BibView::from_record(r).title.is_some()));
}
