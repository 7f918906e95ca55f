//! The generated year (`kitap_bench::year`) on both backends: a small year
//! written into a fresh database, and every known count recounted from the
//! rows with plain SQL through the database's own client.

// A test: a failed query or a malformed row fails it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use kitap_app::DbUrl;
use kitap_bench::circ::sqlcli::rows;
use kitap_bench::import::{open_app, ScratchSchema};
use kitap_bench::year::{generate_year, KnownCounts, LibraryCounts, YearSpec};

type Map = BTreeMap<String, u64>;

/// `SELECT key, count` → map.
fn map(url: &DbUrl, sql: &str) -> Map {
    rows(url, sql)
        .unwrap()
        .into_iter()
        .map(|r| (r[..r.len() - 1].join("|"), r[r.len() - 1].parse().unwrap()))
        .collect()
}

fn one(url: &DbUrl, sql: &str) -> u64 {
    rows(url, sql).unwrap()[0][0].parse().unwrap()
}

const GROUP: &str = "COALESCE(r.knowledge_area, 'unclassified') || '/' || \
    CASE WHEN r.kazakh THEN 'kazakh' WHEN r.language = 'rus' THEN 'russian' ELSE 'other' END";

/// The band of an age (SQL integer expression) under the spec's bands.
fn band_sql(age: &str, spec: &YearSpec) -> String {
    format!(
        "CASE WHEN {age} <= {c} THEN 'child' WHEN {age} <= {y} THEN 'youth' ELSE 'adult' END",
        c = spec.child_max_age,
        y = spec.youth_max_age
    )
}

/// Full years between a birth date and a day, both 'YYYY-MM-DD' text.
fn age_sql(birth: &str, day: &str) -> String {
    format!(
        "(CAST(substr({day}, 1, 4) AS INTEGER) - CAST(substr({birth}, 1, 4) AS INTEGER) \
         - CASE WHEN substr({day}, 6, 5) < substr({birth}, 6, 5) THEN 1 ELSE 0 END)"
    )
}

/// Every difference between the known counts and the rows' own counts.
fn recount(url: &DbUrl, known: &KnownCounts, spec: &YearSpec) -> Vec<String> {
    let y = known.year;
    let mut diffs = Vec::new();
    let per_lib = |f: &dyn Fn(&LibraryCounts) -> u64| -> Map {
        known
            .by_library
            .iter()
            .map(|(code, l)| (code.clone(), f(l)))
            .filter(|(_, n)| *n > 0)
            .collect()
    };
    let per_lib_map = |f: &dyn Fn(&LibraryCounts) -> &Map| -> Map {
        let mut out = Map::new();
        for (code, l) in &known.by_library {
            for (k, v) in f(l) {
                out.insert(format!("{code}|{k}"), *v);
            }
        }
        out
    };
    let mut check = |what: &str, known: Map, found: Map| {
        if known != found {
            diffs.push(format!("{what}: known {known:?}, rows {found:?}"));
        }
    };
    let events = |kind: &str, loan_kind: &str| {
        format!(
            "SELECT b.code, count(*) FROM circulation_events e JOIN branches b ON b.id = e.branch_id \
             WHERE e.kind = '{kind}' AND e.loan_kind LIKE '{loan_kind}' GROUP BY b.code"
        )
    };
    check(
        "checkouts",
        per_lib(&|l| l.checkouts),
        map(url, &events("checkout", "home")),
    );
    check(
        "reading room",
        per_lib(&|l| l.reading_room),
        map(url, &events("checkout", "reading_room")),
    );
    check(
        "renewals",
        per_lib(&|l| l.renewals),
        map(url, &events("renewal", "%")),
    );
    check(
        "returns",
        per_lib(&|l| l.returns),
        map(url, &events("return", "%")),
    );
    check(
        "visits",
        per_lib(&|l| l.visits),
        map(
            url,
            "SELECT code, count(*) FROM (SELECT DISTINCT b.code, e.reader_id, \
             substr(CAST(e.at AS TEXT), 1, 10) AS day FROM circulation_events e \
             JOIN branches b ON b.id = e.branch_id) v GROUP BY code",
        ),
    );
    check(
        "loans by group",
        known.total.loans_by_group.clone(),
        map(
            url,
            &format!(
                "SELECT {GROUP}, count(*) FROM circulation_events r WHERE r.kind = 'checkout' \
                 GROUP BY 1"
            ),
        ),
    );
    check(
        "loans by age band",
        per_lib_map(&|l| &l.loans_by_age_band),
        map(
            url,
            "SELECT b.code, e.age_band, count(*) FROM circulation_events e \
             JOIN branches b ON b.id = e.branch_id WHERE e.kind = 'checkout' \
             GROUP BY b.code, e.age_band",
        ),
    );
    let birth = "CAST(r.birth_date AS TEXT)";
    check(
        "readers by age band at the year end",
        per_lib_map(&|l| &l.readers_by_age_band),
        map(
            url,
            &format!(
                "SELECT b.code, {band}, count(*) FROM readers r \
                 JOIN branches b ON b.id = r.home_branch_id \
                 WHERE r.registered_on BETWEEN '{y}-01-01' AND '{y}-12-31' GROUP BY 1, 2",
                band = band_sql(&age_sql(birth, &format!("'{y}-12-31'")), spec)
            ),
        ),
    );
    check(
        "readers registered",
        per_lib(&|l| l.readers_registered),
        map(
            url,
            &format!(
                "SELECT b.code, count(*) FROM readers r JOIN branches b ON b.id = r.home_branch_id \
                 WHERE r.registered_on BETWEEN '{y}-01-01' AND '{y}-12-31' GROUP BY b.code"
            ),
        ),
    );
    check(
        "new readers",
        per_lib(&|l| l.new_readers),
        map(
            url,
            &format!(
                "SELECT b.code, count(*) FROM readers r JOIN branches b ON b.id = r.home_branch_id \
                 WHERE r.registered_on BETWEEN '{y}-01-01' AND '{y}-12-31' \
                 AND r.created_at >= '{y}-01-01' GROUP BY b.code"
            ),
        ),
    );
    check(
        "received by source",
        per_lib_map(&|l| &l.received_by_source),
        map(
            url,
            &format!(
                "SELECT b.code, a.source, count(*) FROM accession_lines l \
                 JOIN accession_acts a ON a.id = l.act_id JOIN branches b ON b.id = a.branch_id \
                 WHERE a.act_date >= '{y}-01-01' GROUP BY b.code, a.source"
            ),
        ),
    );
    check(
        "written off by reason",
        per_lib_map(&|l| &l.written_off_by_reason),
        map(
            url,
            "SELECT b.code, a.reason, count(*) FROM write_off_lines l \
             JOIN write_off_acts a ON a.id = l.act_id JOIN branches b ON b.id = a.branch_id \
             GROUP BY b.code, a.reason",
        ),
    );
    check(
        "held by group",
        per_lib_map(&|l| &l.held_by_group),
        map(
            url,
            &format!(
                "SELECT b.code, {GROUP}, count(*) FROM copies c JOIN records r ON r.id = c.record_id \
                 JOIN branches b ON b.id = c.branch_id WHERE c.status <> 'withdrawn' GROUP BY 1, 2"
            ),
        ),
    );
    let debtors = format!(
        "FROM loans l JOIN branches b ON b.id = l.branch_id \
         WHERE l.returned_at IS NULL AND l.due_on < '{y}-12-31'"
    );
    check(
        "debtors",
        per_lib(&|l| l.debtors),
        map(
            url,
            &format!("SELECT b.code, count(DISTINCT l.reader_id) {debtors} GROUP BY b.code"),
        ),
    );
    check(
        "debtors in total",
        Map::from([("all".into(), known.total.debtors)]),
        Map::from([(
            "all".into(),
            one(
                url,
                &format!("SELECT count(DISTINCT l.reader_id) {debtors}"),
            ),
        )]),
    );
    check(
        "debtor copies",
        per_lib(&|l| l.debtor_copies),
        map(
            url,
            &format!("SELECT b.code, count(*) {debtors} GROUP BY b.code"),
        ),
    );
    check(
        "open loans and copies on loan",
        Map::from([("all".into(), known.total.open_loans)]),
        Map::from([(
            "all".into(),
            one(url, "SELECT count(*) FROM copies WHERE status = 'on_loan'"),
        )]),
    );
    let exchange = |kind: &str| {
        format!(
            "SELECT b.code, e.reason, count(*) FROM exchange_events e \
             JOIN branches b ON b.id = e.branch_id WHERE e.kind = '{kind}' GROUP BY b.code, e.reason"
        )
    };
    check(
        "sent",
        per_lib_map(&|l| &l.sent_by_reason),
        map(url, &exchange("dispatched")),
    );
    check(
        "received by exchange",
        per_lib_map(&|l| &l.exchange_received_by_reason),
        map(url, &exchange("received")),
    );
    check(
        "records",
        Map::from([
            ("all".into(), known.records),
            ("created".into(), known.records_created),
        ]),
        Map::from([
            ("all".into(), one(url, "SELECT count(*) FROM records")),
            (
                "created".into(),
                one(
                    url,
                    &format!("SELECT count(*) FROM records WHERE created_at >= '{y}-01-01'"),
                ),
            ),
        ]),
    );
    check(
        "rows",
        Map::from([
            ("events".into(), known.circulation_events),
            ("loans".into(), known.loans),
            ("transfers".into(), known.transfers),
        ]),
        Map::from([
            (
                "events".into(),
                one(url, "SELECT count(*) FROM circulation_events"),
            ),
            ("loans".into(), one(url, "SELECT count(*) FROM loans")),
            (
                "transfers".into(),
                one(url, "SELECT count(*) FROM transfers"),
            ),
        ]),
    );
    diffs
}

/// Age bands as the desk computes them, on the event's day.
fn bands_agree(url: &DbUrl, spec: &YearSpec) {
    let wrong = one(
        url,
        "SELECT count(*) FROM circulation_events e JOIN readers r ON r.id = e.reader_id \
         WHERE e.reader_category <> r.category",
    );
    assert_eq!(wrong, 0, "events carry the reader's category");
    let bands = map(
        url,
        "SELECT age_band, count(*) FROM circulation_events GROUP BY age_band",
    );
    for band in ["child", "youth", "adult"] {
        assert!(
            bands.get(band).copied().unwrap_or(0) > 0,
            "{band}: {bands:?}"
        );
    }
    let age = age_sql("CAST(r.birth_date AS TEXT)", "CAST(e.at AS TEXT)");
    let misbanded = one(
        url,
        &format!(
            "SELECT count(*) FROM circulation_events e JOIN readers r ON r.id = e.reader_id \
             WHERE e.age_band <> {}",
            band_sql(&age, spec)
        ),
    );
    assert_eq!(misbanded, 0, "events carry the band of the spec's bands");
}

fn year_on(url: &DbUrl) {
    let app = open_app(url).unwrap();
    // Bands other than the default: the generator follows the configuration.
    let spec = YearSpec {
        child_max_age: 13,
        youth_max_age: 21,
        ..YearSpec::scaled(0.005)
    };
    let known = generate_year(app.db(), &spec, 7).unwrap();
    let t = &known.total;
    // The scale is what was asked for, roughly.
    assert_eq!(known.by_library.len(), 21);
    assert!(t.checkouts + t.reading_room + t.renewals > 3_000, "{t:?}");
    assert!(t.written_off == spec.written_off as u64, "{t:?}");
    assert!(t.received == spec.received as u64, "{t:?}");
    assert!(t.debtors > 0 && t.sent > 0 && t.visits > 0, "{t:?}");
    assert!(t.held_by_group.len() >= 10, "{:?}", t.held_by_group);
    let diffs = recount(url, &known, &spec);
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    bands_agree(url, &spec);
    // The recount notices a wrong number.
    let mut wrong = known.clone();
    if let Some(l) = wrong.by_library.values_mut().next() {
        l.visits += 1;
    }
    wrong.total.debtors += 1;
    assert_eq!(recount(url, &wrong, &spec).len(), 2);
}

#[test]
fn a_small_year_on_sqlite_matches_its_known_counts() {
    let dir = tempfile::tempdir().unwrap();
    let url = DbUrl::parse(&format!(
        "sqlite://{}",
        dir.path().join("year.db").display()
    ))
    .unwrap();
    year_on(&url);
}

#[test]
fn a_small_year_on_postgres_matches_its_known_counts() {
    let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs PostgreSQL: set TEST_DATABASE_URL"
        );
        eprintln!("TEST_DATABASE_URL unset: PostgreSQL skipped");
        return;
    };
    let schema = ScratchSchema::create(&base, "kitap_year_test").unwrap();
    year_on(&schema.url);
}
