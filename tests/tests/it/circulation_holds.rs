//! Holds through the API: placing (and every refusal), the queue, trapping
//! on return (hold shelf or transit to the pickup library), receiving at the
//! pickup library, checkout fulfilling the hold, cancelling and expiry.

use actix_web::http::Method;
use chrono::NaiveDate;
use kitap_tests::{both_backends, Response, TestApp};
use serde_json::{json, Value};

use crate::circulation_desk::checkout;
use crate::circulation_readers::{at, register};
use crate::copies::{add, record, staff};

struct Desk {
    librarian: String,
    cataloger: String,
    admin: String,
}

async fn desk(app: &TestApp) -> Desk {
    Desk {
        librarian: staff(app, "lib.f01", "librarian", "F01").await,
        cataloger: staff(app, "cat.f01", "cataloger", "F01").await,
        admin: app.admin_token().await,
    }
}

/// A record with one copy at F01: (record id, barcode).
async fn one_copy(app: &TestApp, cataloger: &str, title: &str) -> (String, String) {
    let id = record(app, cataloger, title, true).await;
    let copies = add(app, cataloger, &id, json!({})).await;
    (id, copies[0]["barcode"].as_str().unwrap().to_owned())
}

async fn place(app: &TestApp, token: &str, reader: &Value, record: &str, pickup: &str) -> Response {
    let body = json!({"reader": reader["id"], "record_id": record, "pickup_library": pickup});
    app.post("/api/v1/holds", Some(token), body).await
}

async fn give_back(app: &TestApp, token: &str, library: &str, barcode: &str) -> Value {
    at(
        app,
        Method::POST,
        "/api/v1/returns",
        token,
        library,
        Some(json!({"item_barcode": barcode})),
    )
    .await
    .expect(200)
    .body["return"]
        .clone()
}

async fn copy_status(app: &TestApp, token: &str, barcode: &str) -> Value {
    app.get(&format!("/api/v1/copies/by-barcode/{barcode}"), Some(token))
        .await
        .expect(200)
        .body["copy"]["status"]
        .clone()
}

fn refusal(response: Response, code: &str) {
    let response = response.expect(409);
    assert_eq!(response.code(), code, "{}", response.text);
    let details = &response.body["error"]["details"];
    assert!(details["message_ru"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    assert!(details["message_kk"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}

both_backends! {
    async fn holds_are_trapped_on_return_and_fulfilled_at_checkout(app: TestApp) {
        let d = desk(&app).await;
        let f02 = staff(&app, "lib.f02", "librarian", "F02").await;
        let (record_id, barcode) = one_copy(&app, &d.cataloger, "Абай жолы").await;
        let a = register(&app, &d.librarian, "Оспанов", "Ерлан", json!({})).await;
        let b = register(&app, &d.librarian, "Сәрсенова", "Әлия", json!({})).await;
        let c = register(&app, &d.librarian, "Мұратов", "Болат", json!({})).await;
        let loan = checkout(&app, &d.librarian, "F01", a["id"].as_str().unwrap(), &barcode, json!({})).await.expect(201);

        let hb = place(&app, &d.librarian, &b, &record_id, "F01").await.expect(201);
        let hb = hb.body["hold"].clone();
        assert_eq!(hb["status"], "waiting");
        assert_eq!(hb["pickup_library"], "F01");
        assert_eq!(hb["pull_from_shelf"], false);
        let hc = place(&app, &d.librarian, &c, &record_id, "F02").await.expect(201).body["hold"].clone();
        refusal(place(&app, &d.librarian, &b, &record_id, "F01").await, "already_holding");
        let denied = place(&app, &d.cataloger, &b, &record_id, "F01").await.expect(403);
        assert_eq!(denied.code(), "role_denied");

        let queue = app.get(&format!("/api/v1/holds?record_id={record_id}"), Some(&d.librarian)).await.expect(200);
        let ids: Vec<&Value> = queue.body["holds"].as_array().unwrap().iter().map(|h| &h["id"]).collect();
        assert_eq!(ids, [&hb["id"], &hc["id"]]);

        // Waiting holds stop renewals.
        let loan_id = loan.body["loan"]["id"].as_str().unwrap();
        refusal(at(&app, Method::POST, &format!("/api/v1/loans/{loan_id}/renew"), &d.librarian, "F01", Some(json!({}))).await, "title_on_hold");

        // The return traps the copy for B at F01: onto the hold shelf.
        let back = give_back(&app, &d.librarian, "F01", &barcode).await;
        assert_eq!(back["destination"], "hold_shelf");
        assert_eq!(back["hold"]["id"], hb["id"]);
        assert_eq!(back["hold"]["status"], "ready");
        assert!(back["hold"]["expires_on"].as_str().is_some());
        let shelf = app.get("/api/v1/holds/shelf?library=F01", Some(&d.librarian)).await.expect(200);
        let on_shelf = &shelf.body["holds"][0];
        assert_eq!(on_shelf["trapped_barcode"], barcode.as_str());
        assert_eq!(on_shelf["card_number"], b["card_number"]);
        assert_eq!(on_shelf["reader_name"], "Сәрсенова Әлия");
        let expires: NaiveDate = on_shelf["expires_on"].as_str().unwrap().parse().unwrap();
        assert!(expires > crate::circulation_desk::today());
        refusal(checkout(&app, &d.librarian, "F01", c["id"].as_str().unwrap(), &barcode, json!({})).await, "copy_on_hold_for_other");

        // B borrows it: the hold is fulfilled.
        checkout(&app, &d.librarian, "F01", b["card_number"].as_str().unwrap(), &barcode, json!({})).await.expect(201);
        let done = app.get(&format!("/api/v1/holds?reader={}&status=fulfilled", b["id"].as_str().unwrap()), Some(&d.librarian)).await.expect(200);
        assert_eq!(done.body["holds"][0]["id"], hb["id"]);
        assert!(done.body["holds"][0]["closed_at"].as_str().is_some());

        // B returns it: C's hold is at F02, the copy travels there.
        let back = give_back(&app, &d.librarian, "F01", &barcode).await;
        assert_eq!(back["destination"], "in_transit");
        assert_eq!(back["to_library"], "F02");
        assert_eq!(back["hold"]["id"], hc["id"]);
        assert_eq!(back["hold"]["status"], "in_transit");
        assert_eq!(copy_status(&app, &d.librarian, &barcode).await, "in_transit");
        let received = give_back(&app, &f02, "F02", &barcode).await;
        assert_eq!(received["destination"], "hold_shelf");
        assert!(received["loan"].is_null());
        assert_eq!(received["hold"]["status"], "ready");
        assert_eq!(copy_status(&app, &d.librarian, &barcode).await, "available");
        let f02_shelf = app.get("/api/v1/holds?library=F02&status=ready", Some(&f02)).await.expect(200);
        assert_eq!(f02_shelf.body["holds"][0]["id"], hc["id"]);

        // C cancels: nobody else waits, the copy goes home to F01.
        let hc_id = hc["id"].as_str().unwrap();
        let cancelled = app.delete(&format!("/api/v1/holds/{hc_id}"), Some(&f02)).await.expect(200);
        assert_eq!(cancelled.body["hold"]["status"], "cancelled");
        assert_eq!(copy_status(&app, &d.librarian, &barcode).await, "in_transit");
        let again = app.delete(&format!("/api/v1/holds/{hc_id}"), Some(&f02)).await.expect(409);
        assert_eq!(again.code(), "hold_closed");
        let missing = app.delete("/api/v1/holds/01939d7e-0000-7000-8000-000000000000", Some(&f02)).await.expect(404);
        assert_eq!(missing.code(), "hold_not_found");
        let home = give_back(&app, &d.librarian, "F01", &barcode).await;
        assert_eq!(home["destination"], "shelf");
        let audit = app.get(&format!("/api/v1/audit?entity_id={hc_id}"), Some(&d.admin)).await.expect(200);
        assert!(audit.body["entries"].as_array().unwrap().len() >= 3);
    }

    async fn hold_refusals_and_expiry(app: TestApp) {
        let d = desk(&app).await;
        let (record_id, barcode) = one_copy(&app, &d.cataloger, "Көшпенділер").await;
        let a = register(&app, &d.librarian, "Тоқаев", "Серік", json!({})).await;
        let b = register(&app, &d.librarian, "Әлиев", "Арман", json!({})).await;
        let c = register(&app, &d.librarian, "Жұмабаев", "Мағжан", json!({})).await;

        // A copy on the shelf: the hold waits and the desk pulls it.
        let pulled = place(&app, &d.librarian, &a, &record_id, "F01").await.expect(201);
        assert_eq!(pulled.body["hold"]["pull_from_shelf"], true);
        app.delete(&format!("/api/v1/holds/{}", pulled.body["hold"]["id"].as_str().unwrap()), Some(&d.librarian)).await.expect(200);

        // Refusals: a blocked reader, a rule without holds, unknown things.
        let c_id = c["id"].as_str().unwrap();
        app.post(&format!("/api/v1/readers/{c_id}/blocks"), Some(&d.librarian), json!({"reason": "кітапты бүлдірді"})).await.expect(201);
        refusal(place(&app, &d.librarian, &c, &record_id, "F01").await, "reader_blocked");
        app.post("/api/v1/loan-rules", Some(&d.admin), json!({"library": "F03", "loan_days": 15, "max_renewals": 2, "renewal_days": 15, "max_items": 5, "holds_allowed": false})).await.expect(201);
        refusal(place(&app, &d.librarian, &a, &record_id, "F03").await, "holds_not_allowed");
        let nowhere = place(&app, &d.librarian, &a, &record_id, "Z99").await.expect(404);
        assert_eq!(nowhere.code(), "library_not_found");
        let no_record = place(&app, &d.librarian, &a, "01939d7e-0000-7000-8000-000000000000", "F01").await.expect(404);
        assert_eq!(no_record.code(), "record_not_found");
        let no_reader = app.post("/api/v1/holds", Some(&d.librarian), json!({"reader": "01939d7e-0000-7000-8000-000000000000", "record_id": record_id, "pickup_library": "F01"})).await.expect(404);
        assert_eq!(no_reader.code(), "reader_not_found");
        let no_filter = app.get("/api/v1/holds", Some(&d.librarian)).await.expect(422);
        assert_eq!(no_filter.code(), "validation_failed");

        // Expiry: B's ready hold runs out, the copy is trapped for A.
        let lender = register(&app, &d.librarian, "Нұрланов", "Дәурен", json!({})).await;
        checkout(&app, &d.librarian, "F01", lender["id"].as_str().unwrap(), &barcode, json!({})).await.expect(201);
        let hb = place(&app, &d.librarian, &b, &record_id, "F01").await.expect(201).body["hold"].clone();
        let ha = place(&app, &d.librarian, &a, &record_id, "F01").await.expect(201).body["hold"].clone();
        let back = give_back(&app, &d.librarian, "F01", &barcode).await;
        assert_eq!(back["hold"]["id"], hb["id"]);
        let denied = app.post("/api/v1/holds/expire", Some(&d.librarian), json!({})).await.expect(403);
        assert_eq!(denied.code(), "role_denied");
        let nothing = app.post("/api/v1/holds/expire", Some(&d.admin), json!({})).await.expect(200);
        assert_eq!(nothing.body["expired"], 0);
        let db = app.app.db().clone();
        let hold_id: kitap_domain::HoldId = hb["id"].as_str().unwrap().parse().unwrap();
        actix_web::web::block(move || db.write(|conn| {
            let mut h = kitap_db::holds::find(conn, hold_id)?;
            let version = h.version;
            h.expires_on = NaiveDate::from_ymd_opt(2020, 1, 10);
            h.version += 1;
            kitap_db::holds::update(conn, &h, version)
        })).await.unwrap().unwrap();
        let expired = app.post("/api/v1/holds/expire", Some(&d.admin), json!({})).await.expect(200);
        assert_eq!(expired.body["expired"], 1);
        assert_eq!(expired.body["retrapped"], 1);
        let shelf = app.get("/api/v1/holds/shelf?library=F01", Some(&d.librarian)).await.expect(200);
        assert_eq!(shelf.body["holds"].as_array().unwrap().len(), 1);
        assert_eq!(shelf.body["holds"][0]["id"], ha["id"]);
        let old = app.get(&format!("/api/v1/holds?reader={}&status=expired", b["id"].as_str().unwrap()), Some(&d.librarian)).await.expect(200);
        assert_eq!(old.body["holds"][0]["id"], hb["id"]);
    }
}
