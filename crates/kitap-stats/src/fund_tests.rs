//! The fund tables on a fixture counted by hand: two libraries, March.

use chrono::NaiveDate;
use kitap_domain::{BranchId, CopyId, RecordId};

use super::*;
use crate::Cell;

fn on(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn class(record: RecordId, area: &str, language: &str, value: Option<i64>) -> CopyClass {
    CopyClass {
        record,
        material_type: "book".into(),
        kazakh: language == "kaz",
        language: Some(language.into()),
        knowledge_area: Some(area.into()),
        value_minor: value,
    }
}

struct Fixture {
    facts: FundFacts,
    scope: Scope,
}

/// c1 A since Feb; c2 received at A on 5 Mar (budget); c3 A written off
/// 10 Mar (worn); c4 moved A→B on 15 Mar; c5 registered at A on 20 Mar
/// without an act; c6 received at B in April; c7 B, moved to A in April.
fn fixture() -> Fixture {
    let (a, b) = (BranchId::new(), BranchId::new());
    let (r1, r3, r4, r5, r6, r7) = (
        RecordId::new(),
        RecordId::new(),
        RecordId::new(),
        RecordId::new(),
        RecordId::new(),
        RecordId::new(),
    );
    let c: Vec<CopyId> = (0..8).map(|_| CopyId::new()).collect();
    let hold = |copy: CopyId, home, since, off, class| HoldingFact {
        copy,
        home,
        since,
        written_off_on: off,
        // c5 is the one registered without an act.
        accessioned: copy != c[5],
        class,
    };
    let line = |day, library, key: &str, copy, class| ActLineFact {
        day,
        library,
        key: key.into(),
        copy,
        class,
    };
    let fiction_rus = class(r1, "fiction", "rus", Some(50_000));
    let fiction_kaz = class(r1, "fiction", "kaz", Some(100_000));
    let worn = class(r3, "technology", "rus", Some(20_000));
    let tech_eng = class(r5, "technology", "eng", None);
    let facts = FundFacts {
        received: vec![
            line(on(2, 1), a, "budget", c[1], fiction_rus.clone()),
            line(on(3, 5), a, "budget", c[2], fiction_kaz.clone()),
            line(on(4, 2), b, "gift", c[6], class(r6, "fiction", "kaz", None)),
        ],
        written_off: vec![line(on(3, 10), a, "worn", c[3], worn.clone())],
        holdings: vec![
            hold(c[1], a, on(2, 1), None, fiction_rus),
            hold(c[2], a, on(3, 5), None, fiction_kaz),
            hold(c[3], a, on(1, 1), Some(on(3, 10)), worn),
            hold(
                c[4],
                b,
                on(1, 1),
                None,
                class(r4, "socio_political", "kaz", None),
            ),
            hold(c[5], a, on(3, 20), None, tech_eng),
            hold(c[6], b, on(4, 2), None, class(r6, "fiction", "kaz", None)),
            hold(
                c[7],
                a,
                on(1, 1),
                None,
                class(r7, "agriculture", "rus", None),
            ),
        ],
        moves: vec![
            HomeMoveFact {
                day: on(3, 15),
                copy: c[4],
                from: a,
                to: b,
            },
            HomeMoveFact {
                day: on(4, 5),
                copy: c[7],
                from: b,
                to: a,
            },
        ],
    };
    let scope = Scope::new(on(3, 1), on(3, 31), vec![(a, "A".into()), (b, "B".into())]).unwrap();
    Fixture { facts, scope }
}

fn int(t: &Table, keys: &[&str], column: &str) -> u64 {
    t.cell(keys, column)
        .and_then(Cell::as_int)
        .unwrap_or_else(|| panic!("{keys:?} {column} in {t:?}"))
}

fn table<'a>(tables: &'a [Table], id: &str) -> &'a Table {
    tables.iter().find(|t| t.id == id).unwrap()
}

#[test]
fn the_balance_counts_each_movement_once_per_library() {
    let f = fixture();
    let tables = fund(&f.facts, &f.scope);
    let t = table(&tables, "fund_movement");
    let expect = [
        // library, start, received, added, written off, in, out, end
        ("A", [3, 1, 1, 1, 0, 1, 3]),
        ("B", [1, 0, 0, 0, 1, 0, 2]),
        // The move A→B stays inside the total.
        ("Total", [4, 1, 1, 1, 0, 0, 5]),
    ];
    let cols = [
        "Held at start",
        "Received",
        "Added without an act",
        "Written off",
        "Redistributed in",
        "Redistributed out",
        "Held at end",
    ];
    for (lib, want) in expect {
        let got: Vec<u64> = cols.iter().map(|c| int(t, &[lib], c)).collect();
        assert_eq!(got, want, "{lib}");
        // start + received + added − written off + in − out = end
        assert_eq!(got[0] + got[1] + got[2] + got[4] - got[3] - got[5], got[6]);
    }
    // c1 and c2 are one title; c5 has no price.
    assert_eq!(int(t, &["A"], "Titles held"), 2);
    assert_eq!(t.cell(&["A"], "Value held"), Some(&Cell::Money(150_000)));
}

#[test]
fn received_and_written_off_go_by_source_reason_group_and_language() {
    let f = fixture();
    let tables = fund(&f.facts, &f.scope);
    let received = table(&tables, "fund_received");
    assert_eq!(int(received, &["A"], "budget"), 1);
    assert_eq!(int(received, &["A"], "Kazakh"), 1);
    // The gift is April's.
    assert_eq!(int(received, &["B"], "gift"), 0);
    assert_eq!(int(received, &["Total"], "Copies"), 1);

    let off = table(&tables, "fund_written_off");
    assert_eq!(int(off, &["A"], "worn"), 1);
    assert_eq!(off.cell(&["A"], "Value"), Some(&Cell::Money(20_000)));
    let off_area = table(&tables, "fund_written_off_by_area");
    assert_eq!(int(off_area, &["A", "technology"], "Russian"), 1);

    let held = table(&tables, "fund_held_by_area");
    assert_eq!(int(held, &["A", "fiction"], "Copies"), 2);
    assert_eq!(int(held, &["A", "fiction"], "Kazakh"), 1);
    assert_eq!(int(held, &["A", "fiction"], "Titles"), 1);
    assert_eq!(int(held, &["A", "technology"], "Other language"), 1);
    // c7 is B's until April.
    assert_eq!(int(held, &["B", "agriculture"], "Copies"), 1);
    assert_eq!(int(held, &["Total", "all"], "Copies"), 5);

    let material = table(&tables, "fund_by_material");
    assert_eq!(int(material, &["Total", "book"], "Held at end"), 5);
    assert_eq!(int(material, &["Total", "book"], "Received"), 1);
    assert_eq!(int(material, &["Total", "book"], "Written off"), 1);
}

#[test]
fn held_at_end_is_per_library_and_in_total() {
    let f = fixture();
    let held = held_at_end(&f.facts, &f.scope);
    let a = f.scope.libraries[0].0;
    assert_eq!(held.get(&Some(a)), Some(&3));
    assert_eq!(held.get(&None), Some(&5));
}
