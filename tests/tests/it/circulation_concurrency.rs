//! The "done when": many desks lending the same copies at once never
//! make a double loan, on both backends.

use std::collections::HashSet;

use actix_web::http::Method;
use futures_util::stream::{self, StreamExt};
use kitap_tests::both_backends;
use serde_json::json;

use crate::circulation_desk::copies_at_f01;
use crate::circulation_readers::at;
use crate::copies::staff;

both_backends! {
    async fn a_thousand_checkouts_of_twenty_copies(app: TestApp) {
        let librarian = staff(&app, "lib.f01", "librarian", "F01").await;
        let cataloger = staff(&app, "cat.f01", "cataloger", "F01").await;
        let admin = app.admin_token().await;
        app.post("/api/v1/loan-rules", Some(&admin), json!({"library": "F01", "loan_days": 15, "max_renewals": 2, "renewal_days": 15, "max_items": 1000})).await.expect(201);
        let barcodes = copies_at_f01(&app, &cataloger, "Абай жолы", json!({"count": 20})).await;
        let mut readers = Vec::new();
        for n in 0..50 {
            let body = json!({"surname": format!("Оқырман{n}"), "first_name": "Тест", "birth_date": "1990-01-01", "category": "adult"});
            let created = app.post("/api/v1/readers", Some(&librarian), body).await.expect(201);
            readers.push(created.body["reader"]["id"].as_str().unwrap().to_owned());
        }
        let attempts = (0..1000).map(|i| {
            let body = json!({"reader": readers[i % 50], "item_barcode": barcodes[(i * 7) % 20]});
            let (app, librarian) = (&app, &librarian);
            async move { at(app, Method::POST, "/api/v1/loans", librarian, "F01", Some(body)).await }
        });
        let answers: Vec<_> = stream::iter(attempts).buffer_unordered(50).collect().await;
        let mut created = 0;
        for answer in &answers {
            match answer.status.as_u16() {
                201 => created += 1,
                409 => assert_eq!(answer.code(), "copy_not_available", "{}", answer.text),
                other => panic!("status {other}: {}", answer.text),
            }
        }
        // Count open loans in the database.
        let db = app.app.db().clone();
        let ids: Vec<kitap_domain::ReaderId> = readers.iter().map(|r| r.parse().unwrap()).collect();
        let open = actix_web::web::block(move || db.read(|conn| {
            let mut all = Vec::new();
            for id in ids {
                all.extend(kitap_db::loans::open_of_reader(conn, id)?);
            }
            Ok::<_, kitap_db::DbError>(all)
        })).await.unwrap().unwrap();
        let copies: HashSet<_> = open.iter().map(|l| l.copy_id).collect();
        assert_eq!(copies.len(), open.len(), "a copy has two open loans");
        assert_eq!(open.len(), created, "201 answers and open loans differ");
        assert_eq!(created, 20, "every copy was lent once");
    }
}
