//! The debtors and electronic-catalogue reports through the API (issue
//! #8): hand-counted overdue loans at two libraries, the boundary of "due
//! before the period end", returned loans, the year-earlier columns; the
//! catalogue's records by type and language at a period end.

use chrono::{Duration, Months, NaiveDate};
use kitap_tests::{both_backends, TestApp};
use serde_json::{json, Value};

use crate::circulation_desk::{checkout, today};
use crate::circulation_readers::register;
use crate::copies::{record, staff};
use crate::exchange::give_back;
use crate::reports::{cell, copy, ints, table};

/// Moves every open loan of a reader to `due`.
async fn due_on(app: &TestApp, reader: &str, due: NaiveDate) {
    let db = app.app.db().clone();
    let reader_id: kitap_domain::ReaderId = reader.parse().unwrap();
    actix_web::web::block(move || {
        db.write(|conn| {
            for open in kitap_db::loans::open_of_reader(conn, reader_id)? {
                kitap_db::loans::renew(conn, open.id, open.version, due, 0)?;
            }
            Ok::<_, kitap_db::DbError>(())
        })
    })
    .await
    .unwrap()
    .unwrap();
}

async fn report(app: &TestApp, token: &str, kind: &str, from: NaiveDate, to: NaiveDate) -> Value {
    let path = format!("/api/v1/reports/{kind}?from={from}&to={to}&library=F07&library=F12");
    app.get(&path, Some(token)).await.expect(200).body
}

const DEBT: [&str; 3] = ["Debtors", "Overdue copies", "Registered readers"];
const DEBT_BEFORE: [&str; 3] = [
    "Debtors a year earlier",
    "Overdue copies a year earlier",
    "Registered readers a year earlier",
];

both_backends! {
    async fn every_number_of_the_debtors_report(app: TestApp) {
        let (lf07, lf12) = (
            staff(&app, "lib.f07", "librarian", "F07").await,
            staff(&app, "lib.f12", "librarian", "F12").await,
        );
        let (cf07, cf12) = (
            staff(&app, "cat.f07", "cataloger", "F07").await,
            staff(&app, "cat.f12", "cataloger", "F12").await,
        );
        let manager = staff(&app, "mgr", "manager", "C00").await;
        let mut f07 = Vec::new();
        for title in ["Абай жолы", "Көшпенділер", "Война и мир", "Анна Каренина"] {
            f07.push(copy(&app, &cf07, "F07", title, true).await);
        }
        let f12 = copy(&app, &cf12, "F12", "Қан мен тер", true).await;
        let a = register(&app, &lf07, "Оспанов", "Ерлан", json!({})).await;
        let b = register(&app, &lf07, "Сәрсенова", "Әлия", json!({})).await;
        let c = register(&app, &lf07, "Мұратов", "Болат", json!({})).await;
        let d = register(&app, &lf12, "Ким", "Алина", json!({})).await;
        let card = |r: &Value| r["card_number"].as_str().unwrap().to_owned();
        let id = |r: &Value| r["id"].as_str().unwrap().to_owned();
        let now = today();
        // A holds two copies ten days late: one debtor, two copies.
        checkout(&app, &lf07, "F07", &card(&a), &f07[0], json!({})).await.expect(201);
        checkout(&app, &lf07, "F07", &card(&a), &f07[1], json!({})).await.expect(201);
        due_on(&app, &id(&a), now - Duration::days(10)).await;
        // B was late but has returned the book: no debtor.
        checkout(&app, &lf07, "F07", &card(&b), &f07[2], json!({})).await.expect(201);
        due_on(&app, &id(&b), now - Duration::days(10)).await;
        give_back(&app, &lf07, "F07", &f07[2]).await;
        // C is due today: not yet late at the period end.
        checkout(&app, &lf07, "F07", &card(&c), &f07[3], json!({})).await.expect(201);
        due_on(&app, &id(&c), now).await;
        // D at F12 was due yesterday.
        checkout(&app, &lf12, "F12", &card(&d), &f12, json!({})).await.expect(201);
        due_on(&app, &id(&d), now - Duration::days(1)).await;

        let r = report(&app, &manager, "debtors", now, now).await;
        assert_eq!(r["kind"], "debtors");
        let t = table(&r, "debtors");
        assert_eq!(ints(t, &["F07"], &DEBT), [1, 2, 3]);
        assert_eq!(ints(t, &["F12"], &DEBT), [1, 1, 1]);
        assert_eq!(ints(t, &["Total"], &DEBT), [2, 3, 4]);
        assert_eq!(cell(t, &["F07"], "Debtors share"), json!(0.33));
        assert_eq!(cell(t, &["F12"], "Debtors share"), json!(1.0));
        assert_eq!(cell(t, &["Total"], "Debtors share"), json!(0.5));
        // A year ago nobody was registered or owed anything.
        assert_eq!(ints(t, &["Total"], &DEBT_BEFORE), [0, 0, 0]);
        assert_eq!(cell(t, &["Total"], "Debtors share a year earlier"), Value::Null);

        // A year on, with nothing returned: today's numbers are the
        // year-earlier columns, and C, due today, is late by then too.
        let later = now.checked_add_months(Months::new(12)).unwrap();
        let r = report(&app, &manager, "debtors", later, later).await;
        let t = table(&r, "debtors");
        for (row, before, after) in [("F07", [1, 2, 3], [2, 3]), ("F12", [1, 1, 1], [1, 1]), ("Total", [2, 3, 4], [3, 4])] {
            assert_eq!(ints(t, &[row], &DEBT_BEFORE), before, "{row}");
            assert_eq!(ints(t, &[row], &DEBT[..2]), after, "{row}");
        }
        assert_eq!(cell(t, &["Total"], "Debtors share a year earlier"), json!(0.5));

        // Ten days ago the loans were not issued yet: nobody owes.
        let back = now - Duration::days(10);
        let r = report(&app, &manager, "debtors", back, back).await;
        assert_eq!(ints(table(&r, "debtors"), &["Total"], &DEBT[..2]), [0, 0]);

        let csv = app.get(&format!("/api/v1/reports/debtors?from={now}&to={now}&library=F12&format=csv"), Some(&manager)).await.expect(200);
        assert!(csv.text.contains("F12,1,1,1,1.00,0,0,0,"), "{}", csv.text);
    }

    async fn every_number_of_the_ecatalog_report(app: TestApp) {
        let cataloger = staff(&app, "cat.f07", "cataloger", "F07").await;
        let manager = staff(&app, "mgr", "manager", "C00").await;
        record(&app, &cataloger, "Абай жолы", true).await;
        record(&app, &cataloger, "Көшпенділер", true).await;
        record(&app, &cataloger, "Война и мир", false).await;
        let now = today();
        let r = report(&app, &manager, "ecatalog", now, now).await;
        assert_eq!(r["kind"], "ecatalog");
        let t = table(&r, "ecatalog");
        let cols = ["Records", "Kazakh", "Russian", "Other language", "Created in period"];
        assert_eq!(ints(t, &["book"], &cols), [3, 2, 1, 0, 3]);
        assert_eq!(ints(t, &["Total"], &cols), [3, 2, 1, 0, 3]);
        assert_eq!(t["rows"].as_array().unwrap().len(), 2);
        // Held a week later, created before it.
        let later = now + Duration::days(7);
        let t2 = report(&app, &manager, "ecatalog", later, later).await;
        assert_eq!(ints(table(&t2, "ecatalog"), &["Total"], &cols), [3, 2, 1, 0, 0]);
        // Before they existed: an empty catalogue.
        let before = now - Duration::days(1);
        let t0 = report(&app, &manager, "ecatalog", before, before).await;
        assert_eq!(ints(table(&t0, "ecatalog"), &["Total"], &cols), [0, 0, 0, 0, 0]);
    }
}
