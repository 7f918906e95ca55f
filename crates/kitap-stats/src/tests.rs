//! Each indicator's definition pinned on a fixture small enough to count
//! by hand.

use chrono::NaiveDate;
use kitap_domain::{
    AgeBand, BranchId, CirculationEventKind as K, LoanKind, ReaderCategory, ReaderId,
};

use crate::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

struct World {
    a: BranchId,
    b: BranchId,
    scope: Scope,
}

fn world() -> World {
    let (a, b) = (BranchId::new(), BranchId::new());
    let scope = Scope::new(day(1), day(31), vec![(a, "A".into()), (b, "B".into())]).unwrap();
    World { a, b, scope }
}

fn fact(library: BranchId, reader: ReaderId, d: u32, kind: K) -> CirculationFact {
    CirculationFact {
        day: day(d),
        library,
        reader,
        kind,
        loan_kind: Some(LoanKind::Home),
        reader_category: ReaderCategory::Adult,
        age_band: AgeBand::Adult,
        material_type: "book".into(),
        kazakh: false,
        language: Some("rus".into()),
        knowledge_area: Some("fiction".into()),
    }
}

fn int(t: &Table, keys: &[&str], column: &str) -> u64 {
    t.cell(keys, column)
        .and_then(Cell::as_int)
        .unwrap_or_else(|| panic!("{keys:?} {column} in {t:?}"))
}

fn table<'a>(tables: &'a [Table], id: &str) -> &'a Table {
    tables.iter().find(|t| t.id == id).unwrap()
}

/// Reader r1: a home checkout, its renewal and return at A; r2: a
/// reading-room issue and its return at A.
fn desk(w: &World) -> Vec<CirculationFact> {
    let (r1, r2) = (ReaderId::new(), ReaderId::new());
    let mut room = fact(w.a, r2, 5, K::Checkout);
    room.loan_kind = Some(LoanKind::ReadingRoom);
    let mut room_back = fact(w.a, r2, 5, K::Return);
    room_back.loan_kind = Some(LoanKind::ReadingRoom);
    vec![
        fact(w.a, r1, 2, K::Checkout),
        fact(w.a, r1, 10, K::Renewal),
        fact(w.a, r1, 20, K::Return),
        room,
        room_back,
    ]
}

#[test]
fn renewals_and_reading_room_issues_count_as_configured() {
    let w = world();
    let facts = desk(&w);
    let cases = [
        (true, true, 3),
        (false, true, 2),
        (true, false, 2),
        (false, false, 1),
    ];
    for (renewals, room, expected) in cases {
        let defs = Definitions {
            renewals_count_as_loans: renewals,
            reading_room_counts_as_loan: room,
            ..Definitions::default()
        };
        let t = loans(&facts, &w.scope, &defs);
        let summary = table(&t, "loans");
        assert_eq!(int(summary, &["A"], "Loans"), expected, "{defs:?}");
        assert_eq!(int(summary, &[TOTAL], "Loans"), expected, "{defs:?}");
        assert_eq!(int(summary, &["B"], "Loans"), 0);
        // The parts are shown whatever counts.
        assert_eq!(int(summary, &["A"], "Home checkouts"), 1);
        assert_eq!(int(summary, &["A"], "Reading-room issues"), 1);
        assert_eq!(int(summary, &["A"], "Renewals"), 1);
        assert_eq!(int(table(&t, "loans_by_reader"), &["A"], "Total"), expected);
        assert_eq!(
            int(table(&t, "loans_by_material"), &["A"], "book"),
            expected
        );
        assert_eq!(
            int(table(&t, "loans_by_area"), &["A", "fiction"], "Loans"),
            expected
        );
    }
    assert_eq!(
        Definitions::default(),
        Definitions {
            renewals_count_as_loans: true,
            reading_room_counts_as_loan: true,
            age_limits: AgeLimits {
                child_max: 14,
                youth_max: 30
            },
        }
    );
}

#[test]
fn returns_and_other_events_are_no_loans() {
    let w = world();
    let r = ReaderId::new();
    let facts = vec![
        fact(w.a, r, 3, K::Return),
        fact(w.a, r, 3, K::MarkLost),
        fact(w.a, r, 3, K::Override),
    ];
    let t = loans(&facts, &w.scope, &Definitions::default());
    assert_eq!(int(table(&t, "loans"), &[TOTAL], "Loans"), 0);
}

#[test]
fn two_events_the_same_day_are_one_visit_two_libraries_two() {
    let w = world();
    let (r1, r2) = (ReaderId::new(), ReaderId::new());
    let facts = vec![
        // r1: checkout and return at A on the 4th: one visit.
        fact(w.a, r1, 4, K::Checkout),
        fact(w.a, r1, 4, K::Return),
        // r1 at B the same day: a second visit.
        fact(w.b, r1, 4, K::Checkout),
        // r1 at A again on the 9th: a third.
        fact(w.a, r1, 9, K::Renewal),
        // r2 at B on the 4th: a fourth.
        fact(w.b, r2, 4, K::Return),
        // Outside the period: ignored.
        CirculationFact {
            day: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            ..fact(w.a, r2, 1, K::Checkout)
        },
    ];
    let attendance = vec![
        AttendanceFact {
            day: day(15),
            library: w.b,
            attendees: 25,
        },
        AttendanceFact {
            day: NaiveDate::from_ymd_opt(2026, 2, 28).unwrap(),
            library: w.b,
            attendees: 99,
        },
    ];
    let t = visits(&facts, &attendance, &w.scope);
    assert_eq!(int(&t, &["A"], "Circulation visits"), 2);
    assert_eq!(int(&t, &["B"], "Circulation visits"), 2);
    assert_eq!(int(&t, &[TOTAL], "Circulation visits"), 4);
    assert_eq!(int(&t, &["A"], "Event attendance"), 0);
    assert_eq!(int(&t, &["B"], "Event attendance"), 25);
    assert_eq!(int(&t, &["B"], "Visits"), 27);
    assert_eq!(int(&t, &[TOTAL], "Visits"), 29);
    assert_eq!(int(&t, &["A"], "Readers visiting"), 1);
    assert_eq!(int(&t, &["B"], "Readers visiting"), 2);
    // r1 visited both libraries: one reader in the total.
    assert_eq!(int(&t, &[TOTAL], "Readers visiting"), 2);
}

#[test]
fn the_kazakh_share_and_the_language_split() {
    let w = world();
    let r = ReaderId::new();
    let kazakh_flag = CirculationFact {
        kazakh: true,
        language: None,
        ..fact(w.a, r, 2, K::Checkout)
    };
    let kaz_code = CirculationFact {
        language: Some("kaz".into()),
        knowledge_area: Some("technology".into()),
        ..fact(w.a, r, 2, K::Checkout)
    };
    let russian = fact(w.a, r, 3, K::Checkout);
    let english = CirculationFact {
        language: Some("eng".into()),
        knowledge_area: None,
        ..fact(w.b, r, 3, K::Checkout)
    };
    let t = loans(
        &[kazakh_flag, kaz_code, russian, english],
        &w.scope,
        &Definitions::default(),
    );
    let summary = table(&t, "loans");
    assert_eq!(int(summary, &["A"], "Kazakh"), 2);
    assert_eq!(int(summary, &["A"], "Russian"), 1);
    assert_eq!(int(summary, &[TOTAL], "Other language"), 1);
    assert_eq!(
        summary.cell(&["A"], "Kazakh share"),
        Some(&Cell::Ratio(Some(0.67)))
    );
    assert_eq!(
        summary.cell(&[TOTAL], "Kazakh share"),
        Some(&Cell::Ratio(Some(0.5)))
    );
    assert_eq!(
        summary.cell(&["B"], "Kazakh share"),
        Some(&Cell::Ratio(Some(0.0)))
    );
    let area = table(&t, "loans_by_area");
    assert_eq!(int(area, &["A", "fiction"], "Loans"), 2);
    assert_eq!(int(area, &["A", "fiction"], "Kazakh"), 1);
    assert_eq!(int(area, &["A", "technology"], "Kazakh"), 1);
    // No group: "other".
    assert_eq!(int(area, &["B", "other"], "Loans"), 1);
    assert_eq!(int(area, &[TOTAL, "all"], "Loans"), 4);
    assert_eq!(area.rows.len(), 3 * (AREAS.len() + 1));
    assert_eq!(language_group(false, Some("RUS")), LanguageGroup::Russian);
    assert_eq!(language_group(true, Some("rus")), LanguageGroup::Kazakh);
    assert_eq!(language_group(false, None), LanguageGroup::Other);
}

#[test]
fn loans_by_reader_use_the_category_and_band_of_the_moment() {
    let w = world();
    let r = ReaderId::new();
    let as_child = CirculationFact {
        reader_category: ReaderCategory::Pupil,
        age_band: AgeBand::Child,
        ..fact(w.a, r, 2, K::Checkout)
    };
    let as_youth = CirculationFact {
        reader_category: ReaderCategory::Pupil,
        age_band: AgeBand::Youth,
        material_type: "periodical".into(),
        ..fact(w.b, r, 25, K::Checkout)
    };
    let t = loans(&[as_child, as_youth], &w.scope, &Definitions::default());
    let by = table(&t, "loans_by_reader");
    assert_eq!(int(by, &[TOTAL], "category pupil"), 2);
    assert_eq!(int(by, &[TOTAL], "age ≤14"), 1);
    assert_eq!(int(by, &["B"], "age 15–30"), 1);
    assert_eq!(int(by, &[TOTAL], "category adult"), 0);
    let m = table(&t, "loans_by_material");
    assert_eq!(m.columns, ["Library", "book", "periodical", "Total"]);
    assert_eq!(int(m, &["A"], "periodical"), 0);
    assert_eq!(int(m, &[TOTAL], "periodical"), 1);
}

#[test]
fn readers_registered_new_active_and_per_reader_ratios() {
    let w = world();
    let reader = |library, on: NaiveDate, until: NaiveDate, category, age_band| ReaderFact {
        reader: ReaderId::new(),
        library,
        registered_on: on,
        registered_until: until,
        first_registered_on: on,
        category,
        age_band,
    };
    let feb = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    let jan = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let next = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    let old = reader(
        w.a,
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        feb,
        ReaderCategory::Adult,
        AgeBand::Adult,
    );
    let renewed = reader(w.a, jan, next, ReaderCategory::Pensioner, AgeBand::Adult);
    let new_a = reader(w.a, day(3), next, ReaderCategory::Pupil, AgeBand::Child);
    let new_b = reader(w.b, day(20), next, ReaderCategory::Student, AgeBand::Youth);
    let later = reader(
        w.b,
        NaiveDate::from_ymd_opt(2026, 4, 2).unwrap(),
        next,
        ReaderCategory::Adult,
        AgeBand::Adult,
    );
    // new_a borrows at A twice (one visit) and at B once; renewed at A.
    let facts = vec![
        fact(w.a, new_a.reader, 3, K::Checkout),
        fact(w.a, new_a.reader, 3, K::Checkout),
        fact(w.b, new_a.reader, 7, K::Checkout),
        fact(w.a, renewed.reader, 8, K::Renewal),
    ];
    let attendance = vec![AttendanceFact {
        day: day(9),
        library: w.a,
        attendees: 4,
    }];
    let all = [old, renewed, new_a, new_b, later];
    let t = readers(
        &all,
        &facts,
        &attendance,
        &[],
        &w.scope,
        &Definitions::default(),
    );
    // "old" expired before March; "later" registered after it.
    assert_eq!(int(&t, &["A"], "Registered"), 2);
    assert_eq!(int(&t, &["B"], "Registered"), 1);
    assert_eq!(int(&t, &[TOTAL], "Registered"), 3);
    assert_eq!(int(&t, &["A"], "New"), 1);
    assert_eq!(int(&t, &[TOTAL], "New"), 2);
    assert_eq!(int(&t, &["A"], "Active"), 2);
    assert_eq!(int(&t, &["B"], "Active"), 1);
    assert_eq!(int(&t, &[TOTAL], "Active"), 2);
    assert_eq!(int(&t, &[TOTAL], "category pupil"), 1);
    assert_eq!(int(&t, &[TOTAL], "category pensioner"), 1);
    assert_eq!(int(&t, &["B"], "age 15–30"), 1);
    assert_eq!(int(&t, &["A"], "age 31+"), 1);
    assert_eq!(int(&t, &["A"], "Loans"), 3);
    // A: new_a on the 3rd, renewed on the 8th, 4 attendees.
    assert_eq!(int(&t, &["A"], "Visits"), 6);
    assert_eq!(
        t.cell(&["A"], "Loans per reader"),
        Some(&Cell::Ratio(Some(1.5)))
    );
    assert_eq!(
        t.cell(&["A"], "Visits per reader"),
        Some(&Cell::Ratio(Some(3.0)))
    );
    assert_eq!(
        t.cell(&[TOTAL], "Loans per reader"),
        Some(&Cell::Ratio(Some(1.33)))
    );
    let none = Scope::new(day(1), day(31), vec![]).unwrap();
    let empty = readers(
        &all,
        &facts,
        &attendance,
        &[],
        &none,
        &Definitions::default(),
    );
    assert_eq!(
        empty.cell(&[TOTAL], "Loans per reader"),
        Some(&Cell::Ratio(None))
    );
}

/// r1 (home A) logs in on the 2nd and the 9th and renews online at A;
/// r2 (home A) places a hold on the 5th; r3 (home B, where r1 also acted
/// once after moving there) cancels a hold on the 30th; r4 (home B) only
/// acted in February. Remote users: A {r1, r2} = 2, B {r3, r1} = 2, total
/// {r1, r2, r3} = 3.
#[test]
fn remote_users_are_distinct_self_service_readers_at_their_home_library() {
    let w = world();
    let (r1, r2, r3, r4) = (
        ReaderId::new(),
        ReaderId::new(),
        ReaderId::new(),
        ReaderId::new(),
    );
    let act = |library, reader, day| SelfServiceFact {
        day,
        library,
        reader,
    };
    let remote = vec![
        act(w.a, r1, day(2)),
        act(w.a, r1, day(9)),
        act(w.a, r1, day(9)),
        act(w.a, r2, day(5)),
        act(w.b, r3, day(30)),
        act(w.b, r1, day(31)),
        act(w.b, r4, NaiveDate::from_ymd_opt(2026, 2, 27).unwrap()),
    ];
    let t = readers(&[], &[], &[], &remote, &w.scope, &Definitions::default());
    assert_eq!(int(&t, &["A"], "Remote users"), 2);
    assert_eq!(int(&t, &["B"], "Remote users"), 2);
    assert_eq!(int(&t, &[TOTAL], "Remote users"), 3);
    // A self-service action is no circulation: nobody is active.
    assert_eq!(int(&t, &[TOTAL], "Active"), 0);
    let only_a = Scope::new(day(1), day(31), vec![(w.a, "A".into())]).unwrap();
    let t = readers(&[], &[], &[], &remote, &only_a, &Definitions::default());
    assert_eq!(int(&t, &[TOTAL], "Remote users"), 2);
}

#[test]
fn age_columns_are_labelled_with_the_configured_bands() {
    let w = world();
    let defs = Definitions {
        age_limits: AgeLimits {
            child_max: 13,
            youth_max: 21,
        },
        ..Definitions::default()
    };
    let youth = CirculationFact {
        age_band: AgeBand::Youth,
        ..fact(w.a, ReaderId::new(), 2, K::Checkout)
    };
    let t = loans(&[youth], &w.scope, &defs);
    let by = table(&t, "loans_by_reader");
    assert!(by.columns.ends_with(&[
        "age ≤13".to_owned(),
        "age 14–21".to_owned(),
        "age 22+".to_owned(),
        "Total".to_owned()
    ]));
    assert_eq!(int(by, &["A"], "age 14–21"), 1);
    let r = readers(&[], &[], &[], &[], &w.scope, &defs);
    assert!(r.columns.contains(&"age ≤13".to_owned()), "{:?}", r.columns);
    let one_year = AgeLimits {
        child_max: 14,
        youth_max: 15,
    };
    assert_eq!(one_year.label(AgeBand::Youth), "age 15");
    let none = AgeLimits {
        child_max: 17,
        youth_max: 17,
    };
    assert_eq!(none.label(AgeBand::Youth), "age youth (none)");
    assert_eq!(none.label(AgeBand::Adult), "age 18+");
}

#[test]
fn a_reversed_period_is_refused() {
    assert!(Scope::new(day(2), day(1), vec![]).is_err());
    assert!(Scope::new(day(1), day(1), vec![]).is_ok());
}

fn loan(
    library: BranchId,
    reader: ReaderId,
    issued: NaiveDate,
    due: NaiveDate,
    closed: Option<NaiveDate>,
) -> LoanFact {
    LoanFact {
        reader,
        library,
        issued_on: issued,
        due_on: due,
        closed_on: closed,
    }
}

fn registered(library: BranchId, reader: ReaderId, on: NaiveDate) -> ReaderFact {
    ReaderFact {
        reader,
        library,
        registered_on: on,
        registered_until: on + chrono::Duration::days(400),
        first_registered_on: on,
        category: ReaderCategory::Adult,
        age_band: AgeBand::Adult,
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn debtors_count_overdue_loans_at_the_period_end_and_a_year_earlier() {
    let w = world();
    let (r1, r2, r3, r4) = (
        ReaderId::new(),
        ReaderId::new(),
        ReaderId::new(),
        ReaderId::new(),
    );
    let loans = vec![
        // r1 owes two copies at A and one at B.
        loan(w.a, r1, day(1), day(10), None),
        loan(w.a, r1, day(2), day(10), None),
        loan(w.b, r1, day(2), day(10), None),
        // r2: returned on the 31st (not a debtor); due on the 31st (not yet late).
        loan(w.a, r2, day(1), day(10), Some(day(31))),
        loan(w.a, r2, day(1), day(31), None),
        // r3: late a year ago, returned since; r4: issued after the year-earlier end.
        loan(
            w.b,
            r3,
            ymd(2025, 3, 1),
            ymd(2025, 3, 15),
            Some(ymd(2025, 6, 1)),
        ),
        loan(
            w.b,
            r4,
            ymd(2025, 4, 1),
            ymd(2025, 4, 10),
            Some(ymd(2025, 5, 1)),
        ),
    ];
    let readers = vec![
        registered(w.a, r1, ymd(2026, 1, 1)),
        registered(w.a, r2, ymd(2026, 1, 1)),
        registered(w.b, r3, ymd(2025, 1, 1)),
        registered(w.b, r4, ymd(2025, 1, 1)),
    ];
    let t = debtors(&loans, &readers, &w.scope);
    let cols = [
        "Debtors",
        "Overdue copies",
        "Registered readers",
        "Debtors a year earlier",
        "Overdue copies a year earlier",
        "Registered readers a year earlier",
    ];
    let ints = |row: &str| {
        cols.iter()
            .map(|c| t.cell(&[row], c).and_then(Cell::as_int).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(ints("A"), [1, 2, 2, 0, 0, 0]);
    // r3/r4 registered 2025-01-01 for 400 days: gone by March 2026.
    assert_eq!(ints("B"), [1, 1, 0, 1, 1, 2]);
    assert_eq!(ints(TOTAL), [1, 3, 2, 1, 1, 2]);
    assert_eq!(
        t.cell(&["A"], "Debtors share"),
        Some(&Cell::Ratio(Some(0.5)))
    );
    assert_eq!(
        t.cell(&[TOTAL], "Debtors share"),
        Some(&Cell::Ratio(Some(0.5)))
    );
    assert_eq!(
        t.cell(&["A"], "Debtors share a year earlier"),
        Some(&Cell::Ratio(None))
    );
    assert_eq!(
        year_earlier(&Scope::new(ymd(2024, 2, 29), ymd(2024, 2, 29), vec![]).unwrap()).to,
        ymd(2023, 2, 28)
    );
}

#[test]
fn ecatalog_counts_records_at_the_end_and_created_in_the_period() {
    let w = world();
    let rec = |on: NaiveDate, t: &str, kazakh: bool, lang: Option<&str>| RecordFact {
        created_on: on,
        record_type: t.into(),
        kazakh,
        language: lang.map(Into::into),
    };
    let records = vec![
        rec(ymd(2025, 5, 1), "book", false, Some("rus")),
        rec(day(3), "book", true, None),
        rec(day(31), "serial", false, Some("kaz")),
        rec(day(4), "book", false, Some("eng")),
        // After the period: not yet in the catalogue.
        rec(ymd(2026, 4, 1), "book", true, None),
    ];
    let t = ecatalog(&records, &w.scope);
    let cols = [
        "Records",
        "Kazakh",
        "Russian",
        "Other language",
        "Created in period",
    ];
    let ints = |row: &str| {
        cols.iter()
            .map(|c| t.cell(&[row], c).and_then(Cell::as_int).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(ints("book"), [3, 1, 1, 1, 2]);
    assert_eq!(ints("serial"), [1, 1, 0, 0, 1]);
    assert_eq!(ints(TOTAL), [4, 2, 1, 1, 3]);
    assert_eq!(t.rows.len(), 3);
}

#[test]
fn loans_by_month_split_the_period_into_calendar_months() {
    let (a, b, c) = (BranchId::new(), BranchId::new(), BranchId::new());
    let scope = Scope::new(
        ymd(2026, 1, 15),
        ymd(2026, 3, 10),
        vec![(a, "A".into()), (b, "B".into())],
    )
    .unwrap();
    let r = ReaderId::new();
    let on = |library, y, m, d, kind| CirculationFact {
        day: ymd(y, m, d),
        ..fact(library, r, 1, kind)
    };
    let mut room = on(b, 2026, 2, 28, K::Checkout);
    room.loan_kind = Some(LoanKind::ReadingRoom);
    let facts = vec![
        on(a, 2026, 1, 14, K::Checkout), // before the period
        on(a, 2026, 1, 15, K::Checkout),
        on(a, 2026, 1, 31, K::Renewal),
        on(a, 2026, 2, 1, K::Return), // no loan
        room,
        on(b, 2026, 3, 10, K::Checkout),
        on(b, 2026, 3, 11, K::Checkout), // after the period
        on(c, 2026, 2, 2, K::Checkout),  // not a library of the scope
    ];
    let t = loans_by_month(&facts, &scope, &Definitions::default());
    assert_eq!(
        t.columns,
        ["Library", "2026-01", "2026-02", "2026-03", "Total"]
    );
    let row = |label: &str| -> Vec<u64> {
        t.row(&[label]).unwrap()[1..]
            .iter()
            .map(|c| c.as_int().unwrap())
            .collect()
    };
    assert_eq!(row("A"), [2, 0, 0, 2]);
    assert_eq!(row("B"), [0, 1, 1, 2]);
    assert_eq!(row(TOTAL), [2, 1, 1, 4]);
    assert_eq!(t.rows.len(), 3);

    let strict = Definitions {
        renewals_count_as_loans: false,
        reading_room_counts_as_loan: false,
        ..Definitions::default()
    };
    let t = loans_by_month(&facts, &scope, &strict);
    assert_eq!(t.cell(&[TOTAL], "Total"), Some(&Cell::Int(2)));
    assert_eq!(t.cell(&["A"], "2026-01"), Some(&Cell::Int(1)));
    assert_eq!(t.cell(&["B"], "2026-02"), Some(&Cell::Int(0)));

    // Over the new year: December, then January.
    let winter = Scope::new(ymd(2025, 12, 20), ymd(2026, 1, 10), scope.libraries.clone()).unwrap();
    let facts = vec![
        on(a, 2025, 12, 31, K::Checkout),
        on(a, 2026, 1, 1, K::Checkout),
    ];
    let t = loans_by_month(&facts, &winter, &Definitions::default());
    assert_eq!(t.columns, ["Library", "2025-12", "2026-01", "Total"]);
    assert_eq!(t.cell(&["A"], "2025-12"), Some(&Cell::Int(1)));
    assert_eq!(t.cell(&[TOTAL], "2026-01"), Some(&Cell::Int(1)));
}

#[test]
fn a_reader_registered_again_is_not_new() {
    let w = world();
    let next = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    let at = |library, first: NaiveDate, on: NaiveDate| ReaderFact {
        first_registered_on: first,
        registered_until: next,
        ..registered(library, ReaderId::new(), on)
    };
    let earlier = NaiveDate::from_ymd_opt(2024, 9, 1).unwrap();
    let all = [
        at(w.a, day(4), day(4)),   // first registered in March: new
        at(w.a, earlier, day(10)), // re-registered in March
        at(w.a, earlier, earlier), // registered before, still valid
        at(w.b, day(2), day(30)),  // first in March, re-registered in March: new
    ];
    let t = readers(&all, &[], &[], &[], &w.scope, &Definitions::default());
    assert_eq!(int(&t, &["A"], "Registered"), 3);
    assert_eq!(int(&t, &["A"], "New"), 1);
    assert_eq!(int(&t, &["A"], "Re-registered"), 1);
    assert_eq!(int(&t, &["B"], "New"), 1);
    assert_eq!(int(&t, &["B"], "Re-registered"), 0);
    assert_eq!(int(&t, &[TOTAL], "New"), 2);
    assert_eq!(int(&t, &[TOTAL], "Re-registered"), 1);
}
