//! Lost copies, fines and amnesty campaigns through the API (#5, point 5):
//! mark lost, replace (accession + write-off + loan closed in one go), found
//! after all, fines only when enabled and their waiver, amnesty campaigns and
//! their report.

use actix_web::http::Method;
use chrono::{Duration, NaiveDate};
use kitap_app::config::Config;
use kitap_tests::{both_backends, Backend, Response, TestApp};
use serde_json::{json, Value};

use crate::circulation_desk::{checkout, copies_at_f01, today};
use crate::circulation_readers::{at, register};
use crate::copies::{record, staff};

macro_rules! with_fines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                super::$name(kitap_tests::Backend::Sqlite).await
            }
            #[actix_web::test]
            async fn postgres() {
                super::$name(kitap_tests::Backend::Postgres).await
            }
        }
    )*};
}

with_fines!(
    fines_are_recorded_shown_and_waived,
    amnesty_clears_blocks_and_fines_and_reports_them,
);

struct Desk {
    librarian: String,
    cataloger: String,
    manager: String,
    admin: String,
}

async fn desk(app: &TestApp) -> Desk {
    Desk {
        librarian: staff(app, "lib.f01", "librarian", "F01").await,
        cataloger: staff(app, "cat.f01", "cataloger", "F01").await,
        manager: staff(app, "man.f01", "manager", "F01").await,
        admin: app.admin_token().await,
    }
}

async fn fines_on(backend: Backend) -> Option<TestApp> {
    TestApp::start_with(backend, |c: &mut Config| c.circulation.fines_enabled = true).await
}

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

async fn blocks(app: &TestApp, token: &str, reader: &str) -> Vec<(String, String)> {
    let listed = app
        .get(&format!("/api/v1/readers/{reader}/blocks"), Some(token))
        .await
        .expect(200);
    listed.body["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["kind"].as_str().unwrap().to_owned(),
                b["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn post_at(app: &TestApp, token: &str, path: &str, body: Value) -> Response {
    at(app, Method::POST, path, token, "F01", Some(body)).await
}

async fn give_back(app: &TestApp, token: &str, barcode: &str) -> Value {
    post_at(
        app,
        token,
        "/api/v1/returns",
        json!({"item_barcode": barcode}),
    )
    .await
    .expect(200)
    .body["return"]
        .clone()
}

async fn lend(app: &TestApp, token: &str, reader: &Value, barcode: &str) -> String {
    let loan = checkout(
        app,
        token,
        "F01",
        reader["id"].as_str().unwrap(),
        barcode,
        json!({}),
    )
    .await
    .expect(201);
    loan.body["loan"]["id"].as_str().unwrap().to_owned()
}

fn conflict(response: Response, code: &str) {
    let response = response.expect(409);
    assert_eq!(response.code(), code, "{}", response.text);
}

async fn copy(app: &TestApp, token: &str, barcode: &str) -> Value {
    app.get(&format!("/api/v1/copies/by-barcode/{barcode}"), Some(token))
        .await
        .expect(200)
        .body["copy"]
        .clone()
}

both_backends! {
    async fn lost_copies_are_replaced_or_found(app: TestApp) {
        let d = desk(&app).await;
        let books = copies_at_f01(&app, &d.cataloger, "Абай жолы", json!({"count": 2, "shelf": "84(5Каз)"})).await;
        let edition = record(&app, &d.cataloger, "Абай жолы (2020)", true).await;
        let reader = register(&app, &d.librarian, "Оспанов", "Ерлан", json!({})).await;
        let reader_id = reader["id"].as_str().unwrap();
        let a = lend(&app, &d.librarian, &reader, &books[0]).await;
        let b = lend(&app, &d.librarian, &reader, &books[1]).await;

        // Marking lost: the loan stays open, the copy is lost, a block names it.
        let denied = post_at(&app, &d.cataloger, &format!("/api/v1/loans/{a}/lost"), json!({})).await.expect(403);
        assert_eq!(denied.code(), "role_denied");
        let bad = post_at(&app, &d.librarian, "/api/v1/loans/nope/lost", json!({})).await.expect(400);
        assert_eq!(bad.code(), "invalid_path_parameter");
        let unknown = post_at(&app, &d.librarian, &format!("/api/v1/loans/{}/lost", kitap_domain::LoanId::new()), json!({})).await.expect(404);
        assert_eq!(unknown.code(), "loan_not_found");
        let lost = post_at(&app, &d.librarian, &format!("/api/v1/loans/{a}/lost"), json!({})).await.expect(200);
        assert!(lost.body["loan"]["lost_at"].as_str().is_some());
        assert!(lost.body["loan"]["returned_at"].is_null());
        assert_eq!(lost.body["copy"]["status"], "lost");
        assert_eq!(lost.body["block"]["kind"], "lost_copy");
        assert!(lost.body["block"]["reason"].as_str().unwrap().contains(books[0].as_str()));
        conflict(post_at(&app, &d.librarian, &format!("/api/v1/loans/{a}/lost"), json!({})).await, "loan_already_lost");
        conflict(post_at(&app, &d.librarian, &format!("/api/v1/loans/{a}/renew"), json!({})).await, "loan_already_lost");
        assert_eq!(copy(&app, &d.librarian, &books[0]).await["status"], "lost");
        let kinds: Vec<String> = blocks(&app, &d.librarian, reader_id).await.into_iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, ["lost_copy"]);

        // A replacement needs a lost loan and a free barcode.
        conflict(post_at(&app, &d.librarian, &format!("/api/v1/loans/{b}/replace"), json!({"barcode": "RPL-0001"})).await, "loan_not_lost");
        post_at(&app, &d.librarian, &format!("/api/v1/loans/{b}/lost"), json!({})).await.expect(200);
        assert_eq!(blocks(&app, &d.librarian, reader_id).await.len(), 2);
        conflict(post_at(&app, &d.librarian, &format!("/api/v1/loans/{a}/replace"), json!({"barcode": books[1]})).await, "barcode_taken");
        let missing = post_at(&app, &d.librarian, &format!("/api/v1/loans/{a}/replace"),
            json!({"barcode": "RPL-0001", "record_id": kitap_domain::RecordId::new().to_string()})).await.expect(404);
        assert_eq!(missing.code(), "record_not_found");
        // Nothing of the refused attempts stayed.
        assert_eq!(copy(&app, &d.librarian, &books[0]).await["status"], "lost");
        app.get("/api/v1/copies/by-barcode/RPL-0001", Some(&d.librarian)).await.expect(404);

        // The reader brings an equivalent edition.
        let replaced = post_at(&app, &d.librarian, &format!("/api/v1/loans/{a}/replace"),
            json!({"barcode": "RPL-0001", "record_id": edition, "price_minor": 250000})).await.expect(200);
        let r = &replaced.body;
        assert!(r["loan"]["returned_at"].as_str().is_some(), "{r}");
        assert_eq!(r["loan"]["return_library"], "F01");
        assert_eq!(r["lost_copy"]["status"], "withdrawn");
        assert!(r["lost_copy"]["write_off_act_id"].as_str().is_some());
        assert_eq!(r["new_copy"]["barcode"], "RPL-0001");
        assert_eq!(r["new_copy"]["record_id"], edition.as_str());
        assert_eq!(r["new_copy"]["acquisition_source"], "replacement");
        assert_eq!(r["new_copy"]["status"], "available");
        assert_eq!(r["new_copy"]["shelf"], "84(5Каз)");
        assert_eq!(r["new_copy"]["library"], "F01");
        assert!(r["new_copy"]["accession_act_id"].as_str().is_some());
        assert!(!r["accession_act"].as_str().unwrap().is_empty());
        // The other copy is still lost: the blocks stay.
        assert_eq!(r["blocks_lifted"], 0);
        assert_eq!(blocks(&app, &d.librarian, reader_id).await.len(), 2);
        conflict(post_at(&app, &d.librarian, &format!("/api/v1/loans/{a}/replace"), json!({"barcode": "RPL-0002"})).await, "loan_not_open");
        conflict(post_at(&app, &d.librarian, &format!("/api/v1/loans/{a}/lost"), json!({})).await, "loan_not_open");

        // The acts: accession `replacement`, write-off `lost_by_reader`.
        let write_off = r["lost_copy"]["write_off_act_id"].as_str().unwrap();
        let act = app.get(&format!("/api/v1/write-off-acts/{write_off}"), Some(&d.librarian)).await.expect(200);
        assert!(act.text.contains("lost_by_reader"), "{}", act.text);
        let accession = r["new_copy"]["accession_act_id"].as_str().unwrap();
        let act = app.get(&format!("/api/v1/accession-acts/{accession}"), Some(&d.librarian)).await.expect(200);
        assert!(act.text.contains("replacement"), "{}", act.text);

        // The other copy turns up after all: a plain return.
        let found = give_back(&app, &d.librarian, &books[1]).await;
        assert_eq!(found["was_lost"], true);
        assert_eq!(found["lost_blocks_lifted"], 2);
        assert_eq!(found["destination"], "shelf");
        assert!(found["amnesty"].is_null());
        assert!(blocks(&app, &d.librarian, reader_id).await.is_empty());
        assert_eq!(copy(&app, &d.librarian, &books[1]).await["status"], "available");

        let audit = app.get("/api/v1/audit?entity_type=loan&limit=100", Some(&d.admin)).await.expect(200);
        assert!(audit.text.contains("mark_lost") && audit.text.contains("replace_lost"), "{}", audit.text);

        // The event log: two marked lost, a replacement and a return.
        let db = app.app.db().clone();
        let events = actix_web::web::block(move || {
            let from = kitap_domain::Timestamp::from_utc(chrono::Utc::now() - Duration::hours(1));
            let until = kitap_domain::Timestamp::from_utc(chrono::Utc::now() + Duration::hours(1));
            db.read(|conn| kitap_db::circ_events::in_period(conn, from, until, None, None, 100))
        }).await.unwrap().unwrap();
        let lost_events = events.iter().filter(|e| e.kind.as_str() == "mark_lost").count();
        assert_eq!(lost_events, 2);
        assert!(events.iter().any(|e| e.detail.as_deref().is_some_and(|t| t.contains("resolved by replacement"))));
        assert!(events.iter().any(|e| e.detail.as_deref().is_some_and(|t| t.contains("found after being marked lost"))));
    }

    async fn fines_are_not_charged_when_disabled(app: TestApp) {
        let d = desk(&app).await;
        app.post("/api/v1/loan-rules", Some(&d.admin), json!({"library": "F01", "loan_days": 15, "max_renewals": 2,
            "renewal_days": 15, "max_items": 5, "fine_per_day_minor": 50})).await.expect(201);
        let books = copies_at_f01(&app, &d.cataloger, "Абай жолы", json!({})).await;
        let reader = register(&app, &d.librarian, "Оспанов", "Ерлан", json!({})).await;
        let loan = lend(&app, &d.librarian, &reader, &books[0]).await;
        due_on(&app, reader["id"].as_str().unwrap(), today() - Duration::days(4)).await;
        let listed = app.get("/api/v1/debtors", Some(&d.librarian)).await.expect(200);
        assert_eq!(listed.body["debtors"][0]["copies"][0]["fine_minor"], 0);
        let back = give_back(&app, &d.librarian, &books[0]).await;
        assert_eq!(back["overdue_days"], 4);
        assert_eq!(back["fine_minor"], 0);
        conflict(app.post(&format!("/api/v1/loans/{loan}/waive-fine"), Some(&d.admin), json!({"reason": "x"})).await, "no_fine");
    }

    async fn the_notice_tick_places_and_lifts_overdue_blocks(app: TestApp) {
        let d = desk(&app).await;
        let books = copies_at_f01(&app, &d.cataloger, "Абай жолы", json!({})).await;
        let reader = register(&app, &d.librarian, "Оспанов", "Ерлан", json!({})).await;
        let reader_id = reader["id"].as_str().unwrap();
        lend(&app, &d.librarian, &reader, &books[0]).await;
        due_on(&app, reader_id, today() - Duration::days(40)).await;
        let run = app.post("/api/v1/notices/run", Some(&d.admin), json!({})).await.expect(200);
        assert_eq!(run.body["blocks_placed"], 1, "{}", run.text);
        assert_eq!(run.body["blocks_lifted"], 0);
        let kinds: Vec<String> = blocks(&app, &d.librarian, reader_id).await.into_iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, ["overdue"]);
        let again = app.post("/api/v1/notices/run", Some(&d.admin), json!({})).await.expect(200);
        assert_eq!(again.body["blocks_placed"], 0);
        give_back(&app, &d.librarian, &books[0]).await;
        let lifted = app.post("/api/v1/notices/run", Some(&d.admin), json!({})).await.expect(200);
        assert_eq!(lifted.body["blocks_lifted"], 1, "{}", lifted.text);
        assert!(blocks(&app, &d.librarian, reader_id).await.is_empty());
    }
}

async fn fines_are_recorded_shown_and_waived(backend: Backend) {
    let Some(app) = fines_on(backend).await else {
        return;
    };
    let d = desk(&app).await;
    app.post(
        "/api/v1/loan-rules",
        Some(&d.admin),
        json!({"library": "F01", "loan_days": 15, "max_renewals": 2,
        "renewal_days": 15, "max_items": 5, "fine_per_day_minor": 50}),
    )
    .await
    .expect(201);
    let books = copies_at_f01(&app, &d.cataloger, "Абай жолы", json!({"count": 2})).await;
    let reader = register(&app, &d.librarian, "Оспанов", "Ерлан", json!({})).await;
    let other = register(&app, &d.librarian, "Мұратов", "Болат", json!({})).await;
    let late = lend(&app, &d.librarian, &reader, &books[0]).await;
    due_on(
        &app,
        reader["id"].as_str().unwrap(),
        today() - Duration::days(4),
    )
    .await;
    let on_time = lend(&app, &d.librarian, &other, &books[1]).await;

    let listed = app
        .get("/api/v1/debtors", Some(&d.librarian))
        .await
        .expect(200);
    let debtor = &listed.body["debtors"][0];
    assert_eq!(debtor["copies"][0]["fine_minor"], 200, "{}", listed.text);
    assert_eq!(debtor["fines_minor"], 200);
    let csv = app
        .get("/api/v1/debtors?format=csv", Some(&d.librarian))
        .await
        .expect(200);
    assert!(
        csv.text.lines().next().unwrap().ends_with(",Fine"),
        "{}",
        csv.text
    );

    let back = give_back(&app, &d.librarian, &books[0]).await;
    assert_eq!(back["overdue_days"], 4);
    assert_eq!(back["fine_minor"], 200);
    let back = give_back(&app, &d.librarian, &books[1]).await;
    assert_eq!(back["fine_minor"], 0);

    let path = format!("/api/v1/loans/{late}/waive-fine");
    let denied = app
        .post(&path, Some(&d.librarian), json!({"reason": "x"}))
        .await
        .expect(403);
    assert_eq!(denied.code(), "role_denied");
    app.post(&path, Some(&d.manager), json!({"reason": "  "}))
        .await
        .expect(422);
    let waived = app
        .post(&path, Some(&d.manager), json!({"reason": "hospital"}))
        .await
        .expect(200);
    assert_eq!(waived.body["waiver"]["amount_minor"], 200);
    assert_eq!(waived.body["waiver"]["reason"], "hospital");
    assert!(waived.body["waiver"]["campaign_id"].is_null());
    conflict(
        app.post(&path, Some(&d.admin), json!({"reason": "again"}))
            .await,
        "fine_already_waived",
    );
    conflict(
        app.post(
            &format!("/api/v1/loans/{on_time}/waive-fine"),
            Some(&d.admin),
            json!({"reason": "x"}),
        )
        .await,
        "no_fine",
    );
    let unknown = app
        .post(
            &format!("/api/v1/loans/{}/waive-fine", kitap_domain::LoanId::new()),
            Some(&d.admin),
            json!({"reason": "x"}),
        )
        .await
        .expect(404);
    assert_eq!(unknown.code(), "loan_not_found");
    let audit = app
        .get("/api/v1/audit?action=waive_fine", Some(&d.admin))
        .await
        .expect(200);
    assert_eq!(
        audit.body["entries"].as_array().unwrap().len(),
        1,
        "{}",
        audit.text
    );
}

async fn amnesty_clears_blocks_and_fines_and_reports_them(backend: Backend) {
    let Some(app) = fines_on(backend).await else {
        return;
    };
    let d = desk(&app).await;
    let today = today();
    let campaign = |name: &str, from: i64, to: i64, library: Option<&str>| json!({"name": name, "starts_on": today + Duration::days(from), "ends_on": today + Duration::days(to), "library": library});
    let path = "/api/v1/amnesty-campaigns";
    let denied = app
        .post(path, Some(&d.librarian), campaign("x", 0, 1, None))
        .await
        .expect(403);
    assert_eq!(denied.code(), "role_denied");
    let backwards = app
        .post(path, Some(&d.admin), campaign("x", 3, 1, None))
        .await
        .expect(422);
    assert_eq!(backwards.code(), "validation_failed");
    let unknown = app
        .post(path, Some(&d.admin), campaign("x", 0, 1, Some("Z99")))
        .await
        .expect(404);
    assert_eq!(unknown.code(), "library_not_found");
    let week = app
        .post(
            path,
            Some(&d.manager),
            campaign("Кешірілетін кітаптар апталығы", -1, 5, None),
        )
        .await
        .expect(201);
    let week = week.body["campaign"].clone();
    assert!(week["library"].is_null());
    conflict(
        app.post(path, Some(&d.admin), campaign("again", 5, 9, Some("F02")))
            .await,
        "amnesty_overlap",
    );
    let later = app
        .post(
            path,
            Some(&d.admin),
            campaign("F02 later", 6, 9, Some("F02")),
        )
        .await
        .expect(201);
    assert_eq!(later.body["campaign"]["library"], "F02");
    let listed = app
        .get(&format!("{path}?limit=1"), Some(&d.librarian))
        .await
        .expect(200);
    assert_eq!(listed.body["campaigns"][0]["id"], week["id"]);
    let next = listed.body["next"].as_str().unwrap();
    let rest = app
        .get(&format!("{path}?after={next}"), Some(&d.librarian))
        .await
        .expect(200);
    assert_eq!(rest.body["campaigns"].as_array().unwrap().len(), 1);
    let id = week["id"].as_str().unwrap();
    app.get(&format!("{path}/{id}"), Some(&d.librarian))
        .await
        .expect(200);
    let missing = app
        .get(
            &format!("{path}/{}", kitap_domain::LoanId::new()),
            Some(&d.librarian),
        )
        .await
        .expect(404);
    assert_eq!(missing.code(), "amnesty_campaign_not_found");

    app.post(
        "/api/v1/loan-rules",
        Some(&d.admin),
        json!({"library": "F01", "loan_days": 15, "max_renewals": 2,
        "renewal_days": 15, "max_items": 5, "fine_per_day_minor": 50}),
    )
    .await
    .expect(201);
    let books = copies_at_f01(&app, &d.cataloger, "Абай жолы", json!({"count": 3})).await;
    // A debtor 40 days late, blocked; a reader who lost a copy, then found it;
    // a reader on time (not the amnesty's business).
    let late = register(
        &app,
        &d.librarian,
        "Оспанов",
        "Ерлан",
        json!({"phone": "+7 701 111 2233"}),
    )
    .await;
    let loser = register(&app, &d.librarian, "Сәрсенова", "Әлия", json!({})).await;
    let good = register(&app, &d.librarian, "Мұратов", "Болат", json!({})).await;
    let late_id = late["id"].as_str().unwrap();
    lend(&app, &d.librarian, &late, &books[0]).await;
    let lost = lend(&app, &d.librarian, &loser, &books[1]).await;
    lend(&app, &d.librarian, &good, &books[2]).await;
    due_on(&app, late_id, today - Duration::days(40)).await;
    app.post("/api/v1/debtors/refresh", Some(&d.admin), json!({}))
        .await
        .expect(200);
    assert_eq!(blocks(&app, &d.librarian, late_id).await.len(), 1);
    post_at(
        &app,
        &d.librarian,
        &format!("/api/v1/loans/{lost}/lost"),
        json!({}),
    )
    .await
    .expect(200);

    let back = give_back(&app, &d.librarian, &books[0]).await;
    assert_eq!(back["fine_minor"], 2000);
    assert_eq!(back["amnesty"]["campaign_id"], id);
    assert_eq!(back["amnesty"]["fine_waived_minor"], 2000);
    assert_eq!(back["amnesty"]["blocks_lifted"], 1);
    assert!(blocks(&app, &d.librarian, late_id).await.is_empty());
    let found = give_back(&app, &d.librarian, &books[1]).await;
    assert_eq!(found["was_lost"], true);
    assert_eq!(found["amnesty"]["campaign_id"], id);
    assert_eq!(found["lost_blocks_lifted"], 1);
    let on_time = give_back(&app, &d.librarian, &books[2]).await;
    assert!(on_time["amnesty"].is_null());

    let report = app
        .get(&format!("{path}/{id}/report"), Some(&d.manager))
        .await
        .expect(200);
    let r = &report.body;
    let lines = r["returns"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{}", report.text);
    assert_eq!(lines[0]["barcode"], books[0].as_str());
    assert_eq!(lines[0]["days_overdue"], 40);
    assert_eq!(lines[0]["fine_waived_minor"], 2000);
    assert_eq!(lines[0]["blocks_lifted"], 1);
    assert_eq!(lines[0]["title"], "Абай жолы");
    assert_eq!(lines[0]["library"], "F01");
    assert_eq!(lines[0]["reader_name"], "Оспанов Ерлан");
    assert!(
        !report.text.contains("111 2233"),
        "contacts stay out of the report"
    );
    assert_eq!(lines[1]["was_lost"], true);
    assert_eq!(lines[1]["blocks_lifted"], 1);
    assert_eq!(r["totals"]["returned"], 2);
    assert_eq!(r["totals"]["readers"], 2);
    assert_eq!(r["totals"]["blocks_lifted"], 2);
    assert_eq!(r["totals"]["fines_waived_minor"], 2000);
    let csv = app
        .get(
            &format!("{path}/{id}/report?format=csv"),
            Some(&d.librarian),
        )
        .await
        .expect(200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.text.starts_with("Returned at,Reader,Card"));
    assert_eq!(csv.text.lines().count(), 4, "{}", csv.text);
    assert!(csv.text.lines().last().unwrap().starts_with("Total,"));
    app.get(
        &format!("{path}/{id}/report?format=pdf"),
        Some(&d.librarian),
    )
    .await
    .expect(400);
    let cataloger = app
        .get(&format!("{path}/{id}/report"), Some(&d.cataloger))
        .await
        .expect(403);
    assert_eq!(cataloger.code(), "role_denied");
    let waiver = app
        .post(
            &format!(
                "/api/v1/loans/{}/waive-fine",
                back["loan"]["id"].as_str().unwrap()
            ),
            Some(&d.admin),
            json!({"reason": "x"}),
        )
        .await;
    conflict(waiver, "fine_already_waived");
}
