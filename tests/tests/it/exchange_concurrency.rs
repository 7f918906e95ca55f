//! The exchange under concurrent desks, on both backends: one copy
//! dispatched by eight scans at once leaves once; eight holds placed at once
//! for a title with two free copies elsewhere put each copy on a pick list
//! once (the unique index `transfers_open_copy` holds; a hold that lost the
//! race for a copy takes the next one or waits, and is placed either way).

use std::collections::HashSet;

use actix_web::http::Method;
use futures_util::future::join_all;
use kitap_tests::both_backends;
use serde_json::json;

use crate::circulation_readers::{at, register};
use crate::copies::{record, staff};
use crate::exchange::{copy_at, libs, open_transfers, place, scan};

both_backends! {
    async fn eight_dispatches_of_one_copy_send_it_once(app: TestApp) {
        let l = libs(&app).await;
        let (record_id, _, barcode) = copy_at(&app, &l.cataloger, "C00", "Абай жолы").await;
        let reader = register(&app, &l.f07, "Сейфуллин", "Сәкен", json!({})).await;
        place(&app, &l.f07, &reader, &record_id, "F07").await;
        let scans = (0..8).map(|_| scan(&app, &l.c00, "C00", "dispatch", &barcode));
        let answers = join_all(scans).await;
        let sent = answers.iter().filter(|a| a.status.as_u16() == 200).count();
        for a in answers.iter().filter(|a| a.status.as_u16() != 200) {
            assert_eq!(a.status.as_u16(), 409, "{}", a.text);
        }
        assert_eq!(sent, 1, "exactly one dispatch");
        let open = open_transfers(&app, &l.c00).await;
        assert_eq!(open.len(), 1);
        assert_eq!(open[0]["status"], "in_transit");
    }

    async fn eight_holds_at_once_never_request_one_copy_twice(app: TestApp) {
        let l = libs(&app).await;
        let f12_cat = staff(&app, "cat.f12", "cataloger", "F12").await;
        let r = record(&app, &l.cataloger, "Ақбілек", true).await;
        let path = format!("/api/v1/records/{r}/copies");
        at(&app, Method::POST, &path, &l.cataloger, "C00", Some(json!({}))).await.expect(201);
        at(&app, Method::POST, &path, &f12_cat, "F12", Some(json!({}))).await.expect(201);
        let mut readers = Vec::new();
        for n in 0..8 {
            readers.push(register(&app, &l.f07, &format!("Оқырман{n}"), "Тест", json!({})).await);
        }
        let holds = readers.iter().map(|reader| {
            let body = json!({"reader": reader["id"], "record_id": r, "pickup_library": "F07"});
            let (app, token) = (&app, &l.f07);
            async move { app.post("/api/v1/holds", Some(token), body).await }
        });
        let answers = join_all(holds).await;
        for a in &answers {
            assert_eq!(a.status.as_u16(), 201, "every hold is placed: {}", a.text);
        }
        let routed: Vec<_> = answers.iter().filter(|a| !a.body["hold"]["transfer"].is_null()).collect();
        assert_eq!(routed.len(), 2, "two copies, two routed holds");
        let open = open_transfers(&app, &l.c00).await;
        assert_eq!(open.len(), 2);
        let copies: HashSet<&str> = open.iter().map(|t| t["copy_id"].as_str().unwrap()).collect();
        assert_eq!(copies.len(), 2, "a copy requested twice");
        assert!(open.iter().all(|t| t["status"] == "requested" && t["to_library"] == "F07"));
        let from: HashSet<&str> = open.iter().map(|t| t["from_library"].as_str().unwrap()).collect();
        assert_eq!(from, HashSet::from(["C00", "F12"]));
    }
}
