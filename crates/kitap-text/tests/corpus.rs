//! The title variants of the shared Kazakh query set
//! (`../shared/data/marc/kazakh/queries.tsv`): for every record, the Latin-2021,
//! informal Latin and Russian-keyboard forms of the title fold to the keys of the
//! exact Cyrillic title. Skipped when the shared data is not present, except
//! in CI, where that fails.

use std::collections::BTreeMap;

use kitap_text::fold_text;

// The test harness's skip-or-fail rule, shared as a file: kitap-tests
// depends on this crate.
#[path = "../../../tests/src/prereq.rs"]
mod prereq;

const QUERIES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/marc/kazakh/queries.tsv"
);

#[test]
fn title_variants_fold_to_the_exact_title() {
    if !prereq::require_file(std::path::Path::new(QUERIES)) {
        return;
    }
    let text = std::fs::read_to_string(QUERIES).unwrap();
    let mut by_record: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if let [query, record, kind] = cols[..] {
            by_record.entry(record).or_default().insert(kind, query);
        }
    }
    let mut checked = 0;
    let mut failures = Vec::new();
    for (record, kinds) in &by_record {
        let Some(exact) = kinds.get("exact-title") else {
            continue;
        };
        let want = fold_text(exact);
        for kind in [
            "latin2021-title",
            "informal-latin-title",
            "russian-keyboard-title",
        ] {
            if let Some(q) = kinds.get(kind) {
                checked += 1;
                if fold_text(q) != want {
                    failures.push(format!(
                        "{record} {kind}: {q:?} {:?} != {exact:?} {want:?}",
                        fold_text(q)
                    ));
                }
            }
        }
    }
    assert!(checked >= 100, "{checked}");
    assert!(
        failures.is_empty(),
        "{} of {checked}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
