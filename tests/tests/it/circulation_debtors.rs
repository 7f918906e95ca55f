//! Debtors through the API: the list per library (JSON, CSV, XLSX), phone
//! masking per role, and the automatic overdue block placed and lifted.

use actix_web::http::Method;
use chrono::{Duration, NaiveDate};
use kitap_tests::{both_backends, TestApp};
use serde_json::json;

use crate::circulation_desk::{checkout, copies_at_f01, today};
use crate::circulation_readers::{at, register};
use crate::copies::staff;

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

async fn blocks(app: &TestApp, token: &str, reader: &str) -> Vec<String> {
    let listed = app
        .get(&format!("/api/v1/readers/{reader}/blocks"), Some(token))
        .await
        .expect(200);
    listed.body["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn debtors_are_listed_and_blocked_automatically(app: TestApp) {
        let librarian = staff(&app, "lib.f01", "librarian", "F01").await;
        let cataloger = staff(&app, "cat.f01", "cataloger", "F01").await;
        let manager = staff(&app, "man.f01", "manager", "F01").await;
        let admin = app.admin_token().await;
        let books = copies_at_f01(&app, &cataloger, "Абай жолы", json!({"count": 3})).await;
        let late = register(&app, &librarian, "Оспанов", "Ерлан", json!({"phone": "+7 701 111 2233"})).await;
        let recent = register(&app, &librarian, "Сәрсенова", "Әлия", json!({})).await;
        let good = register(&app, &librarian, "Мұратов", "Болат", json!({})).await;
        let late_id = late["id"].as_str().unwrap();
        let recent_id = recent["id"].as_str().unwrap();
        checkout(&app, &librarian, "F01", late_id, &books[0], json!({})).await.expect(201);
        checkout(&app, &librarian, "F01", recent_id, &books[1], json!({})).await.expect(201);
        checkout(&app, &librarian, "F01", good["id"].as_str().unwrap(), &books[2], json!({})).await.expect(201);
        due_on(&app, late_id, today() - Duration::days(40)).await;
        due_on(&app, recent_id, today() - Duration::days(5)).await;

        let listed = app.get("/api/v1/debtors?library=F01", Some(&librarian)).await.expect(200);
        let debtors = listed.body["debtors"].as_array().unwrap();
        assert_eq!(debtors.len(), 2);
        let first = debtors.iter().find(|d| d["reader"] == late["id"]).unwrap();
        assert_eq!(first["max_days_overdue"], 40);
        assert_eq!(first["copies"][0]["barcode"], books[0].as_str());
        assert_eq!(first["copies"][0]["title"], "Абай жолы");
        assert_eq!(first["phone"], "+7 701 111 2233");
        assert_eq!(first["card_number"], late["card_number"]);
        let masked = app.get("/api/v1/debtors", Some(&manager)).await.expect(200);
        assert!(masked.body["debtors"].as_array().unwrap().iter().all(|d| d["phone"].is_null()));
        let elsewhere = app.get("/api/v1/debtors?library=F02", Some(&librarian)).await.expect(200);
        assert!(elsewhere.body["debtors"].as_array().unwrap().is_empty());
        let paged = app.get("/api/v1/debtors?limit=1", Some(&librarian)).await.expect(200);
        let next = paged.body["next"].as_str().unwrap().to_owned();
        let rest = app.get(&format!("/api/v1/debtors?limit=1&after={next}"), Some(&librarian)).await.expect(200);
        assert_eq!(rest.body["debtors"].as_array().unwrap().len(), 1);
        assert_ne!(rest.body["debtors"][0]["reader"], paged.body["debtors"][0]["reader"]);
        let csv = app.get("/api/v1/debtors?library=F01&format=csv", Some(&librarian)).await.expect(200);
        assert!(csv.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/csv"));
        assert!(csv.text.starts_with("Reader,Card"));
        assert!(csv.text.contains(books[0].as_str()));
        let xlsx = app.get("/api/v1/debtors?format=xlsx", Some(&librarian)).await.expect(200);
        assert!(xlsx.bytes.starts_with(b"PK"));
        let bad = app.get("/api/v1/debtors?format=pdf", Some(&librarian)).await.expect(400);
        assert_eq!(bad.code(), "invalid_query_parameter");
        let denied = app.get("/api/v1/debtors", Some(&cataloger)).await.expect(403);
        assert_eq!(denied.code(), "role_denied");

        // The automatic block: 40 days late is blocked, 5 days late is not.
        let denied = app.post("/api/v1/debtors/refresh", Some(&librarian), json!({})).await.expect(403);
        assert_eq!(denied.code(), "role_denied");
        let refreshed = app.post("/api/v1/debtors/refresh", Some(&admin), json!({})).await.expect(200);
        assert_eq!(refreshed.body["placed"], 1);
        assert_eq!(refreshed.body["lifted"], 0);
        assert_eq!(blocks(&app, &librarian, late_id).await, ["overdue"]);
        assert!(blocks(&app, &librarian, recent_id).await.is_empty());
        let again = app.post("/api/v1/debtors/refresh", Some(&admin), json!({})).await.expect(200);
        assert_eq!(again.body["placed"], 0);
        let audit = app.get("/api/v1/audit?action=block", Some(&admin)).await.expect(200);
        assert!(!audit.body["entries"].as_array().unwrap().is_empty());

        // Returned: the block is lifted.
        at(&app, Method::POST, "/api/v1/returns", &librarian, "F01", Some(json!({"item_barcode": books[0]}))).await.expect(200);
        let lifted = app.post("/api/v1/debtors/refresh", Some(&admin), json!({})).await.expect(200);
        assert_eq!(lifted.body["lifted"], 1);
        assert!(blocks(&app, &librarian, late_id).await.is_empty());
    }
}
