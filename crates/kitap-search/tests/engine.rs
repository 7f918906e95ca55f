//! The engine end to end on a temporary directory: cross-script matching,
//! fielded queries, sorting in Kazakh order, seek pagination, facets,
//! checkpoints and generations.
// The helpers below build fixtures; a failure there should stop the test.
#![allow(clippy::unwrap_used)]

use kitap_search::box_query::parse_box;
use kitap_search::{
    inventory, run, Change, IndexDoc, Indexer, OpenState, SearchIndex, SearchRequest, Sort,
};

fn doc(id: &str, title: &str, author: &str, lang: &str, year: i32, library: &str) -> IndexDoc {
    IndexDoc {
        id: id.to_string(),
        version: 1,
        languages: vec![lang.to_string()],
        titles: vec![title.to_string()],
        authors: vec![author.to_string()],
        year: Some(year),
        material_types: vec!["book".to_string()],
        libraries: vec![library.to_string()],
        sort_title: title.to_string(),
        sort_author: author.to_string(),
        ..IndexDoc::default()
    }
}

fn catalog() -> Vec<IndexDoc> {
    let mut qara = doc("r1", "Қара сөздер", "Құнанбайұлы, Абай", "kaz", 2019, "CL");
    qara.isbns = vec!["9786018946653".to_string()];
    vec![
        qara,
        doc("r2", "Абай жолы", "Әуезов, Мұхтар", "kaz", 2010, "F07"),
        doc("r3", "Путь Абая", "Ауэзов, Мухтар", "rus", 1985, "F07"),
        doc("r4", "Ястребы", "Иванов, Иван", "rus", 2001, "CL"),
        doc("r5", "Ұлы дала", "Есенберлин, Ілияс", "kaz", 2015, "F12"),
        doc(
            "r6",
            "Kazakh steppe history",
            "Smith, John",
            "eng",
            1999,
            "CL",
        ),
    ]
}

fn indexed() -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let (index, state) = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(state, OpenState::NeedsBuild);
    let mut indexer = Indexer::new(&index, 50_000_000).unwrap();
    let changes: Vec<Change> = catalog()
        .into_iter()
        .map(|d| Change::Upsert(Box::new(d)))
        .collect();
    indexer.apply(&changes).unwrap();
    indexer.commit(6).unwrap();
    (dir, index)
}

fn ids(index: &SearchIndex, q: &str, sort: Sort) -> Vec<String> {
    let request = SearchRequest {
        query: parse_box(q).unwrap(),
        filters: vec![],
        sort,
        limit: 10,
        after: None,
        facets: 0,
        fuzzy: true,
    };
    run(&index.current(), &request)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn every_spelling_finds_the_kazakh_title() {
    let (_dir, index) = indexed();
    for q in [
        "Қара сөздер",
        "Qara sözder",
        "Kara sozder",
        "кара создер",
        "Қара сөздеер",
        "Kunanbayuly Kara",
        "Құнанбайұлы",
        "978-601-8946-65-3",
        "9786018946653",
        "isbn:978-601-8946-65-3",
    ] {
        let found = ids(&index, q, Sort::Relevance);
        assert_eq!(
            found.first().map(String::as_str),
            Some("r1"),
            "{q}: {found:?}"
        );
    }
    for q in [
        "Abai joly",
        "Abay zholy",
        "абай жолы",
        "Абаай жолы",
        "Auezov Abay",
    ] {
        let found = ids(&index, q, Sort::Relevance);
        assert_eq!(
            found.first().map(String::as_str),
            Some("r2"),
            "{q}: {found:?}"
        );
    }
}

#[test]
fn inflected_query_and_exact_script_first() {
    let (_dir, index) = indexed();
    let found = ids(&index, "Абайдың", Sort::Relevance);
    assert!(found.contains(&"r2".to_string()), "{found:?}");
}

#[test]
fn fielded_ranges_and_negation() {
    let (_dir, index) = indexed();
    // The Russian spelling of the name folds to the same key; the exact one ranks first.
    assert_eq!(
        ids(&index, "author:Әуезов", Sort::Relevance),
        vec!["r2", "r3"]
    );
    let mut recent = ids(&index, "year:2010..2020 lang:kaz", Sort::YearAsc);
    assert_eq!(recent, vec!["r2", "r5", "r1"]);
    recent = ids(&index, "lang:kaz NOT year:..2012", Sort::YearDesc);
    assert_eq!(recent, vec!["r1", "r5"]);
    assert_eq!(
        ids(&index, "library:f07 title:\"абай жолы\"", Sort::Relevance),
        vec!["r2"]
    );
}

#[test]
fn titles_sort_in_kazakh_order_with_seek_pages() {
    let (_dir, index) = indexed();
    let all: Vec<String> = {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let request = SearchRequest {
                query: kitap_search::Query::All,
                filters: vec![],
                sort: Sort::TitleAsc,
                limit: 2,
                after: after.clone(),
                facets: 5,
                fuzzy: true,
            };
            let page = run(&index.current(), &request).unwrap();
            assert_eq!(page.total, 6);
            assert_eq!(page.facets["lang"][0].value, "kaz");
            assert_eq!(page.facets["lang"][0].count, 3);
            out.extend(page.hits.into_iter().map(|h| h.id));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        out
    };
    // Абай < Қара < Путь < Ұлы < Ястребы, then Latin.
    assert_eq!(all, vec!["r2", "r1", "r3", "r5", "r4", "r6"]);
}

#[test]
fn checkpoint_survives_reopen_and_deletes_apply() {
    let (dir, index) = indexed();
    drop(index);
    let (index, state) = SearchIndex::open(dir.path()).unwrap();
    match state {
        OpenState::Ready(cp) => assert_eq!(cp.seq, 6),
        other => panic!("{other:?}"),
    }
    let mut indexer = Indexer::new(&index, 50_000_000).unwrap();
    indexer
        .apply(&[
            Change::Delete("r4".to_string()),
            Change::Upsert(Box::new(catalog().remove(0))),
        ])
        .unwrap();
    indexer.commit(8).unwrap();
    let inv = inventory(&index.current()).unwrap();
    let ids: Vec<&str> = inv.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(ids, vec!["r1", "r2", "r3", "r5", "r6"]);
}

#[test]
fn typos_in_short_words_and_one_or_two_letter_words() {
    let (_dir, index) = indexed();
    let mut indexer = Indexer::new(&index, 50_000_000).unwrap();
    let extra = doc(
        "r7",
        "Карлаг: история для всех",
        "Дженисбаев, Б.",
        "rus",
        2018,
        "CL",
    );
    indexer.apply(&[Change::Upsert(Box::new(extra))]).unwrap();
    indexer.commit(7).unwrap();
    for (q, want) in [
        // One typo in a word of three or four letters.
        ("Абай жлы", "r2"),
        ("Қра сөздер", "r1"),
        // A transposition whose folding key differs by two ("сх" folds like "ш").
        ("история для весх", "r7"),
        // A one- or two-letter word that matches nothing does not veto the rest.
        ("Қара сөздер 2", "r1"),
        ("Ұлы дала ме", "r5"),
    ] {
        let found = ids(&index, q, Sort::Relevance);
        assert_eq!(
            found.first().map(String::as_str),
            Some(want),
            "{q}: {found:?}"
        );
    }
    // Alone, a short word is still required.
    assert!(ids(&index, "ме", Sort::Relevance).is_empty());
}
