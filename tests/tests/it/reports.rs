//! Statistics reports through the API (issue #8): a tiny known history at
//! two libraries (three readers of different categories and ages,
//! checkouts, a renewal, a reading-room issue, returns, event attendance)
//! and every number of the loans, visits and readers reports counted by
//! hand; the renewal switch; the report recomputed from the raw event rows.

use std::collections::HashSet;

use actix_web::http::Method;
use chrono::NaiveDate;
use kitap_tests::{both_backends, Backend, TestApp};
use serde_json::{json, Value};

use crate::circulation_desk::checkout;
use crate::circulation_readers::{at, register};
use crate::copies::{record, staff};
use crate::exchange::give_back;

pub(crate) struct History {
    pub(crate) manager: String,
    pub(crate) today: NaiveDate,
}

pub(crate) async fn copy(
    app: &TestApp,
    cataloger: &str,
    library: &str,
    title: &str,
    kazakh: bool,
) -> String {
    let id = record(app, cataloger, title, kazakh).await;
    let made = at(
        app,
        Method::POST,
        &format!("/api/v1/records/{id}/copies"),
        cataloger,
        library,
        Some(json!({})),
    )
    .await
    .expect(201);
    made.body["copies"][0]["barcode"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// F07: adult A (home checkout of a Kazakh book, renewed, returned) and
/// pupil P, a child (a Russian book in the reading room, returned). F12:
/// student S, youth (a Russian book home) and A again (a Kazakh book
/// home); 12 people at an F12 evening.
pub(crate) async fn history(app: &TestApp) -> History {
    let (lf07, lf12) = (
        staff(app, "lib.f07", "librarian", "F07").await,
        staff(app, "lib.f12", "librarian", "F12").await,
    );
    let (cf07, cf12) = (
        staff(app, "cat.f07", "cataloger", "F07").await,
        staff(app, "cat.f12", "cataloger", "F12").await,
    );
    let manager = staff(app, "mgr", "manager", "C00").await;
    let k1 = copy(app, &cf07, "F07", "Абай жолы", true).await;
    let r1 = copy(app, &cf07, "F07", "Война и мир", false).await;
    let r2 = copy(app, &cf12, "F12", "Анна Каренина", false).await;
    let k3 = copy(app, &cf12, "F12", "Көшпенділер", true).await;
    let a = register(app, &lf07, "Оспанов", "Ерлан", json!({})).await;
    let p = register(
        app,
        &lf07,
        "Серікова",
        "Аружан",
        json!({"birth_date": "2016-02-01", "category": "pupil", "guardian": "Серікова Г."}),
    )
    .await;
    let s = register(
        app,
        &lf12,
        "Ким",
        "Алина",
        json!({"birth_date": "2004-06-01", "category": "student"}),
    )
    .await;
    let card = |r: &Value| r["card_number"].as_str().unwrap().to_owned();

    let loan = checkout(app, &lf07, "F07", &card(&a), &k1, json!({}))
        .await
        .expect(201);
    let loan_id = loan.body["loan"]["id"].as_str().unwrap().to_owned();
    at(
        app,
        Method::POST,
        &format!("/api/v1/loans/{loan_id}/renew"),
        &lf07,
        "F07",
        Some(json!({})),
    )
    .await
    .expect(200);
    checkout(
        app,
        &lf07,
        "F07",
        &card(&p),
        &r1,
        json!({"kind": "reading_room"}),
    )
    .await
    .expect(201);
    give_back(app, &lf07, "F07", &r1).await;
    checkout(app, &lf12, "F12", &card(&s), &r2, json!({}))
        .await
        .expect(201);
    checkout(app, &lf12, "F12", &card(&a), &k3, json!({}))
        .await
        .expect(201);
    give_back(app, &lf07, "F07", &k1).await;
    let today = kitap_app::circulation::today();
    let entered = app
        .post(
            "/api/v1/attendance",
            Some(&lf12),
            json!({"held_on": today, "name": "Абай оқулары", "attendees": 12}),
        )
        .await
        .expect(201);
    assert_eq!(entered.body["attendance"]["library"], "F12");
    History { manager, today }
}

async fn report(app: &TestApp, h: &History, kind: &str) -> Value {
    let path = format!(
        "/api/v1/reports/{kind}?from={d}&to={d}&library=F07&library=F12",
        d = h.today
    );
    app.get(&path, Some(&h.manager)).await.expect(200).body
}

pub(crate) fn table<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

/// The cell of `column` in the row whose first cells are `keys`.
pub(crate) fn cell(t: &Value, keys: &[&str], column: &str) -> Value {
    let at = t["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    let row = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| keys.iter().enumerate().all(|(i, k)| r[i] == *k))
        .unwrap_or_else(|| panic!("no row {keys:?} in {t}"));
    row[at].clone()
}

pub(crate) fn ints(t: &Value, keys: &[&str], columns: &[&str]) -> Vec<u64> {
    columns
        .iter()
        .map(|c| {
            cell(t, keys, c)
                .as_u64()
                .unwrap_or_else(|| panic!("{keys:?} {c}"))
        })
        .collect()
}

both_backends! {
    async fn every_number_of_the_loans_visits_and_readers_reports(app: TestApp) {
        let h = history(&app).await;
        let loans = report(&app, &h, "loans").await;
        assert_eq!(loans["kind"], "loans");
        assert_eq!(loans["libraries"], json!(["F07", "F12"]));
        let summary = table(&loans, "loans");
        let cols = ["Loans", "Kazakh", "Russian", "Other language", "Home checkouts", "Reading-room issues", "Renewals"];
        assert_eq!(ints(summary, &["F07"], &cols), [3, 2, 1, 0, 1, 1, 1]);
        assert_eq!(ints(summary, &["F12"], &cols), [2, 1, 1, 0, 2, 0, 0]);
        assert_eq!(ints(summary, &["Total"], &cols), [5, 3, 2, 0, 3, 1, 1]);
        assert_eq!(cell(summary, &["Total"], "Kazakh share"), json!(0.6));
        assert_eq!(cell(summary, &["F12"], "Kazakh share"), json!(0.5));
        let area = table(&loans, "loans_by_area");
        assert_eq!(ints(area, &["Total", "all"], &["Loans", "Kazakh", "Russian"]), [5, 3, 2]);
        let groups: u64 = area["rows"].as_array().unwrap().iter()
            .filter(|r| r[0] == "Total" && r[1] != "all").map(|r| r[3].as_u64().unwrap()).sum();
        assert_eq!(groups, 5);
        let by_reader = table(&loans, "loans_by_reader");
        let cols = ["category adult", "category pupil", "category student", "age ≤14", "age 15–30", "age 31+", "Total"];
        assert_eq!(ints(by_reader, &["F07"], &cols), [2, 1, 0, 1, 0, 2, 3]);
        assert_eq!(ints(by_reader, &["F12"], &cols), [1, 0, 1, 0, 1, 1, 2]);
        assert_eq!(ints(by_reader, &["Total"], &cols), [3, 1, 1, 1, 1, 3, 5]);
        let by_material = table(&loans, "loans_by_material");
        assert_eq!(ints(by_material, &["Total"], &["Total"]), [5]);

        let visits = report(&app, &h, "visits").await;
        let v = table(&visits, "visits");
        let cols = ["Visits", "Circulation visits", "Event attendance", "Readers visiting"];
        // F07: A (checkout, renewal, return: one day) and P; F12: S and A, 12 at the evening.
        assert_eq!(ints(v, &["F07"], &cols), [2, 2, 0, 2]);
        assert_eq!(ints(v, &["F12"], &cols), [14, 2, 12, 2]);
        assert_eq!(ints(v, &["Total"], &cols), [16, 4, 12, 3]);

        let readers = report(&app, &h, "readers").await;
        let r = table(&readers, "readers");
        let cols = ["Registered", "New", "Active", "category adult", "category pupil", "category student", "age ≤14", "age 15–30", "age 31+", "Loans", "Visits"];
        assert_eq!(ints(r, &["F07"], &cols), [2, 2, 2, 1, 1, 0, 1, 0, 1, 3, 2]);
        assert_eq!(ints(r, &["F12"], &cols), [1, 1, 2, 0, 0, 1, 0, 1, 0, 2, 14]);
        assert_eq!(ints(r, &["Total"], &cols), [3, 3, 3, 1, 1, 1, 1, 1, 1, 5, 16]);
        assert_eq!(cell(r, &["F07"], "Loans per reader"), json!(1.5));
        assert_eq!(cell(r, &["F12"], "Visits per reader"), json!(14.0));
        assert_eq!(cell(r, &["Total"], "Loans per reader"), json!(1.67));
        assert_eq!(cell(r, &["Total"], "Visits per reader"), json!(5.33));

        // Default: every active library; F07 and F12 are the only ones with events.
        let all = app.get(&format!("/api/v1/reports/loans?from={d}&to={d}", d = h.today), Some(&h.manager)).await.expect(200);
        assert_eq!(cell(table(&all.body, "loans"), &["Total"], "Loans"), json!(5));
        // A period before the history: nothing.
        let before = h.today - chrono::Duration::days(10);
        let empty = app.get(&format!("/api/v1/reports/loans?from={before}&to={before}&library=F07"), Some(&h.manager)).await.expect(200);
        assert_eq!(cell(table(&empty.body, "loans"), &["Total"], "Loans"), json!(0));

        // CSV with a BOM, XLSX as a zip.
        let csv = app.get(&format!("/api/v1/reports/visits?from={d}&to={d}&library=F07,F12&format=csv", d = h.today), Some(&h.manager)).await.expect(200);
        assert!(csv.text.starts_with('\u{feff}'), "{}", csv.text);
        assert!(csv.text.contains("F12,14,2,12,2"), "{}", csv.text);
        let xlsx = app.get(&format!("/api/v1/reports/loans?from={d}&to={d}&format=xlsx", d = h.today), Some(&h.manager)).await.expect(200);
        assert!(xlsx.header("content-type").unwrap().contains("spreadsheetml"));

        // Attendance is listed back.
        let list = app.get(&format!("/api/v1/attendance?from={d}&to={d}&library=F12", d = h.today), Some(&h.manager)).await.expect(200);
        assert_eq!(list.body["attendance"][0]["attendees"], 12);
    }

    async fn report_errors_have_stable_codes(app: TestApp) {
        let admin = app.admin_token().await;
        let librarian = staff(&app, "lib.f07", "librarian", "F07").await;
        let r = app.get("/api/v1/reports/nope?from=2026-01-01&to=2026-12-31", Some(&admin)).await.expect(404);
        assert_eq!(r.code(), "report_not_found");
        let r = app.get("/api/v1/reports/loans?from=2026-13-01&to=2026-12-31", Some(&admin)).await.expect(422);
        assert_eq!(r.code(), "validation_failed");
        let r = app.get("/api/v1/reports/loans?from=2026-12-31&to=2026-01-01", Some(&admin)).await.expect(422);
        assert_eq!(r.code(), "validation_failed");
        let r = app.get("/api/v1/reports/loans?from=2026-01-01&to=2026-01-31&format=pdf", Some(&admin)).await.expect(422);
        assert_eq!(r.code(), "validation_failed");
        let r = app.get("/api/v1/reports/loans?from=2026-01-01&to=2026-01-31&library=X99", Some(&admin)).await.expect(404);
        assert_eq!(r.code(), "library_not_found");
        let r = app.get("/api/v1/reports/loans?from=2026-01-01&to=2026-01-31&year=2026", Some(&admin)).await.expect(400);
        assert_eq!(r.code(), "invalid_query_parameter");
        // Librarians enter attendance but read no reports.
        app.get("/api/v1/reports/loans?from=2026-01-01&to=2026-01-31", Some(&librarian)).await.expect(403);
        let r = app.post("/api/v1/attendance", Some(&librarian), json!({"held_on": "2026-01-10", "name": "", "attendees": 3})).await.expect(422);
        assert_eq!(r.code(), "validation_failed");
    }

    async fn reports_are_reproducible_from_the_raw_events(app: TestApp) {
        let h = history(&app).await;
        let loans = report(&app, &h, "loans").await;
        let visits = report(&app, &h, "visits").await;
        // Karaganda days (UTC+5), as the desk and the reports count them.
        let five = chrono::Duration::hours(5);
        let from = kitap_domain::Timestamp::from_utc(h.today.and_hms_opt(0, 0, 0).unwrap().and_utc() - five);
        let until = kitap_domain::Timestamp::from_utc((h.today + chrono::Duration::days(1)).and_hms_opt(0, 0, 0).unwrap().and_utc() - five);
        let events = app.app.db()
            .read(|conn| kitap_db::circ_events::in_period(conn, from, until, None, None, 100_000))
            .unwrap();
        let raw_loans = events.iter()
            .filter(|e| matches!(e.kind.as_str(), "checkout" | "renewal"))
            .count() as u64;
        let raw_visits: HashSet<_> = events.iter().map(|e| (e.reader_id, e.branch_id, (e.at.utc() + five).date_naive())).collect();
        assert_eq!(cell(table(&loans, "loans"), &["Total"], "Loans").as_u64(), Some(raw_loans));
        assert_eq!(cell(table(&visits, "visits"), &["Total"], "Circulation visits").as_u64(), Some(raw_visits.len() as u64));
        assert_eq!(raw_loans, 5);
        // Groups as stored with each event: the report's group rows are the raw counts.
        let area = table(&loans, "loans_by_area");
        for group in ["fiction", "other", "socio_political"] {
            let raw = events.iter()
                .filter(|e| matches!(e.kind.as_str(), "checkout" | "renewal"))
                .filter(|e| e.knowledge_area.as_deref().unwrap_or("other") == group)
                .count() as u64;
            assert_eq!(cell(area, &["Total", group], "Loans").as_u64(), Some(raw), "{group}");
        }
    }
}

#[actix_web::test]
async fn renewals_can_be_left_out_of_loans() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) =
            TestApp::start_with(backend, |c| c.statistics.renewals_count_as_loans = false).await
        else {
            continue;
        };
        let h = history(&app).await;
        let loans = report(&app, &h, "loans").await;
        let summary = table(&loans, "loans");
        let cols = ["Loans", "Renewals"];
        assert_eq!(ints(summary, &["F07"], &cols), [2, 1]);
        assert_eq!(ints(summary, &["Total"], &cols), [4, 1]);
        let readers = report(&app, &h, "readers").await;
        assert_eq!(
            cell(table(&readers, "readers"), &["F07"], "Loans per reader"),
            json!(1.0)
        );
    }
}
