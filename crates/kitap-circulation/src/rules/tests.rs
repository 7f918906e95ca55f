use proptest::prelude::*;

use super::*;
use crate::testutil::{branch, rule_id};

fn values(loan_days: u16) -> RuleValues {
    RuleValues {
        loan_days,
        ..RuleValues::default_seed()
    }
}

fn rule(
    n: u32,
    library: Option<u32>,
    category: Option<ReaderCategory>,
    material: Option<&str>,
) -> LoanRule {
    LoanRule {
        id: rule_id(n),
        library: library.map(branch),
        category,
        material_type: material.map(str::to_owned),
        values: values(u16::try_from(n).unwrap()),
    }
}

fn key(library: u32, category: ReaderCategory, material: &str) -> RuleKey {
    RuleKey {
        library: branch(library),
        category,
        material_type: material.to_owned(),
    }
}

#[test]
fn the_seed_is_five_books_for_fifteen_days() {
    let seed = RuleValues::default_seed();
    assert_eq!(
        (seed.loan_days, seed.max_items, seed.max_renewals),
        (15, 5, 2)
    );
    assert!(seed.holds_allowed && !seed.reading_room_only);
    assert_eq!(seed.fine_per_day_minor, 0);
}

#[test]
fn library_beats_category_beats_material_beats_catch_all() {
    let rules = vec![
        rule(1, None, None, None),
        rule(2, None, None, Some("book")),
        rule(3, None, Some(ReaderCategory::Pupil), None),
        rule(4, Some(7), None, None),
        rule(5, Some(8), None, None),
    ];
    let pupil_book_at_7 = key(7, ReaderCategory::Pupil, "book");
    let got = resolve(&rules, &pupil_book_at_7).unwrap();
    assert_eq!(
        (got.rule, got.specificity, got.values.loan_days),
        (rule_id(4), 4, 4)
    );
    let pupil_book_at_9 = key(9, ReaderCategory::Pupil, "book");
    assert_eq!(resolve(&rules, &pupil_book_at_9).unwrap().rule, rule_id(3));
    let adult_book_at_9 = key(9, ReaderCategory::Adult, "book");
    assert_eq!(resolve(&rules, &adult_book_at_9).unwrap().rule, rule_id(2));
    let adult_dvd_at_9 = key(9, ReaderCategory::Adult, "dvd");
    assert_eq!(resolve(&rules, &adult_dvd_at_9).unwrap().rule, rule_id(1));
}

#[test]
fn the_explanation_names_winner_beaten_and_skipped() {
    let rules = vec![
        rule(1, None, None, None),
        rule(3, None, Some(ReaderCategory::Pupil), None),
        rule(5, Some(8), None, None),
    ];
    let got = resolve(&rules, &key(7, ReaderCategory::Pupil, "book")).unwrap();
    let text = got.explanation.join("\n");
    assert!(
        got.explanation[0].starts_with(&format!("rule {} applies", rule_id(3))),
        "{text}"
    );
    assert!(got.explanation[0].contains("category pupil"), "{text}");
    assert!(text.contains("more general (specificity 0)"), "{text}");
    assert!(
        text.contains(&format!(
            "rule {} skipped: library {} is not {}",
            rule_id(5),
            branch(8),
            branch(7)
        )),
        "{text}"
    );
    assert_eq!(got.explanation.len(), 3);
}

#[test]
fn duplicates_resolve_to_the_lower_id() {
    let rules = vec![
        rule(9, None, Some(ReaderCategory::Child), None),
        rule(6, None, Some(ReaderCategory::Child), None),
    ];
    let got = resolve(&rules, &key(1, ReaderCategory::Child, "book")).unwrap();
    assert_eq!(got.rule, rule_id(6));
    assert!(
        got.explanation[1].contains("duplicate"),
        "{:?}",
        got.explanation
    );
}

#[test]
fn no_catch_all_means_no_rule() {
    let rules = vec![rule(1, Some(2), None, None)];
    let err = resolve(&rules, &key(3, ReaderCategory::Adult, "book")).unwrap_err();
    assert!(err.to_string().starts_with("no loan rule applies"), "{err}");
}

const CATEGORIES: [ReaderCategory; 3] = [
    ReaderCategory::Adult,
    ReaderCategory::Pupil,
    ReaderCategory::Pensioner,
];
const MATERIALS: [&str; 3] = ["book", "journal", "dvd"];

/// Rules over a small key space so matches and near-misses are common; ids
/// may repeat keys (duplicates) but never ids.
fn arb_rules() -> impl Strategy<Value = Vec<LoanRule>> {
    let one = (
        proptest::option::of(0u32..3),
        proptest::option::of(0usize..3),
        proptest::option::of(0usize..3),
    );
    proptest::collection::vec(one, 0..12).prop_map(|specs| {
        specs
            .into_iter()
            .enumerate()
            .map(|(i, (lib, cat, mat))| {
                let n = u32::try_from(i).unwrap() + 1;
                rule(
                    n,
                    lib,
                    cat.map(|c| CATEGORIES[c]),
                    mat.map(|m| MATERIALS[m]),
                )
            })
            .collect()
    })
}

fn arb_key() -> impl Strategy<Value = RuleKey> {
    (0u32..3, 0usize..3, 0usize..3).prop_map(|(l, c, m)| key(l, CATEGORIES[c], MATERIALS[m]))
}

proptest! {
    #[test]
    fn the_chosen_rule_matches_and_none_is_more_specific(rules in arb_rules(), k in arb_key()) {
        match resolve(&rules, &k) {
            Ok(got) => {
                let chosen = rules.iter().find(|r| r.id == got.rule).unwrap();
                prop_assert!(chosen.matches(&k));
                prop_assert_eq!(chosen.specificity(), got.specificity);
                for other in rules.iter().filter(|r| r.matches(&k)) {
                    prop_assert!(other.specificity() <= got.specificity);
                    if other.specificity() == got.specificity {
                        prop_assert!(other.id >= got.rule);
                    }
                }
                prop_assert_eq!(got.explanation.len(), rules.len());
            }
            Err(_) => prop_assert!(rules.iter().all(|r| !r.matches(&k))),
        }
    }

    #[test]
    fn the_order_of_the_rules_does_not_matter(
        (rules, shuffled) in arb_rules().prop_flat_map(|r| (Just(r.clone()), Just(r).prop_shuffle())),
        k in arb_key(),
    ) {
        prop_assert_eq!(resolve(&rules, &k), resolve(&shuffled, &k));
    }
}
