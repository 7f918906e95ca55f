//! Copies through the API: bulk add with generated numbers, uniqueness,
//! versioned changes, who may add copies where.

use kitap_domain::Barcode;
use kitap_tests::{both_backends, TestApp};
use serde_json::{json, Value};

/// A Kazakh book (UNIMARC, language kaz) or a Russian one (MARC 21).
pub fn book(title: &str, kazakh: bool) -> Value {
    if kazakh {
        json!({
            "leader": "00000nam0 2200000   450 ",
            "fields": [
                {"100": {"ind1": " ", "ind2": " ", "subfields": [{"a": "20240101d2023    k  y0kaza50      ca"}]}},
                {"101": {"ind1": "0", "ind2": " ", "subfields": [{"a": "kaz"}]}},
                {"200": {"ind1": "1", "ind2": " ", "subfields": [{"a": title}, {"f": "Мұхтар Әуезов"}]}},
                {"210": {"ind1": " ", "ind2": " ", "subfields": [{"a": "Алматы"}, {"c": "Жазушы"}, {"d": "2023"}]}},
                {"700": {"ind1": " ", "ind2": "1", "subfields": [{"a": "Әуезов"}, {"b": "М."}]}}
            ]
        })
    } else {
        json!({
            "leader": "00000nam a2200000 i 4500",
            "fields": [
                {"008": "230101s2021    kz            000 1 rus d"},
                {"100": {"ind1": "1", "ind2": " ", "subfields": [{"a": "Абай Кунанбаев"}]}},
                {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": title}]}},
                {"260": {"ind1": " ", "ind2": " ", "subfields": [{"a": "Алматы :"}, {"b": "Атамұра,"}, {"c": "2021."}]}}
            ]
        })
    }
}

/// Catalogs a record through the API; returns its id.
pub async fn record(app: &TestApp, token: &str, title: &str, kazakh: bool) -> String {
    let created = app
        .post(
            "/api/v1/records",
            Some(token),
            json!({"marc": book(title, kazakh)}),
        )
        .await
        .expect(201);
    created.body["record"]["id"].as_str().unwrap().to_owned()
}

/// A staff account of `role` at library `home`; returns its token.
pub async fn staff(app: &TestApp, username: &str, role: &str, home: &str) -> String {
    let admin = app.admin_token().await;
    let password = format!("{username}-password");
    app.create_staff(&admin, username, role, home, &password)
        .await;
    app.token(username, &password).await
}

/// Adds copies; returns the created copies.
pub async fn add(app: &TestApp, token: &str, record: &str, body: Value) -> Vec<Value> {
    let path = format!("/api/v1/records/{record}/copies");
    let added = app.post(&path, Some(token), body).await.expect(201);
    added.body["copies"].as_array().unwrap().clone()
}

pub fn ids(copies: &[Value]) -> Vec<String> {
    copies
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn copies_are_added_in_bulk_with_generated_numbers(app: TestApp) {
        let token = staff(&app, "cat.f07", "cataloger", "F07").await;
        let kazakh = record(&app, &token, "Абай жолы", true).await;
        let body = json!({"count": 5, "price_minor": 150000, "location": "Абонемент", "shelf": "84(5Каз)",
                          "source": "budget", "acquired_on": "2026-11-02"});
        let copies = add(&app, &token, &kazakh, body).await;
        assert_eq!(copies.len(), 5);
        let numbers: Vec<&str> = copies.iter().map(|c| c["inventory_number"].as_str().unwrap()).collect();
        assert_eq!(numbers, ["F07-000001", "F07-000002", "F07-000003", "F07-000004", "F07-000005"]);
        for c in &copies {
            assert_eq!(c["library"], "F07");
            assert_eq!(c["status"], "available");
            assert_eq!(c["version"], 1);
            assert_eq!(c["kazakh"], true, "the flag follows the Kazakh record");
            assert_eq!(c["price_minor"], 150000);
            assert_eq!(c["acquired_on"], "2026-11-02");
            assert_eq!(c["acquisition_source"], "budget");
            let barcode: Barcode = c["barcode"].as_str().unwrap().parse().unwrap();
            assert!(barcode.is_valid_ean13(), "{barcode}");
            assert!(barcode.as_str().starts_with("200"), "{barcode}");
        }
        let barcodes: Vec<&str> = copies.iter().map(|c| c["barcode"].as_str().unwrap()).collect();
        let distinct: std::collections::HashSet<&&str> = barcodes.iter().collect();
        assert_eq!(distinct.len(), 5);

        let russian = record(&app, &token, "Жол", false).await;
        let one = add(&app, &token, &russian, json!({})).await;
        assert_eq!(one.len(), 1);
        assert_eq!(one[0]["kazakh"], false);
        assert_eq!(one[0]["inventory_number"], "F07-000006");

        // Pages in creation order, by cursor.
        let first = app.get(&format!("/api/v1/records/{kazakh}/copies?limit=3"), Some(&token)).await.expect(200);
        assert_eq!(first.body["copies"].as_array().unwrap().len(), 3);
        let next = first.body["next"].as_str().unwrap();
        let rest = app.get(&format!("/api/v1/records/{kazakh}/copies?limit=3&after={next}"), Some(&token)).await.expect(200);
        assert_eq!(rest.body["copies"][1]["inventory_number"], "F07-000005");
        let all = app.get("/api/v1/copies?library=F07&status=available", Some(&token)).await.expect(200);
        assert_eq!(all.body["copies"].as_array().unwrap().len(), 6);
        assert!(all.body["next"].is_null());
        let none = app.get("/api/v1/copies?library=F06", Some(&token)).await.expect(200);
        assert!(none.body["copies"].as_array().unwrap().is_empty());
        let found = app.get("/api/v1/copies?inventory_number=F07-000006", Some(&token)).await.expect(200);
        assert_eq!(found.body["copies"][0]["record_id"], russian.as_str());

        let scanned = app.get(&format!("/api/v1/copies/by-barcode/{}", barcodes[2]), Some(&token)).await.expect(200);
        assert_eq!(scanned.body["copy"]["inventory_number"], "F07-000003");
        let missing = app.get("/api/v1/copies/by-barcode/0000000000000", Some(&token)).await.expect(404);
        assert_eq!(missing.code(), "copy_not_found");
        let record = app.get(&format!("/api/v1/records/{kazakh}"), Some(&token)).await.expect(200);
        assert_eq!(record.body["copies"], 5);

        // Each copy has its audit row and its outbox row.
        let admin = app.admin_token().await;
        let id = copies[0]["id"].as_str().unwrap();
        let audit = app.get(&format!("/api/v1/audit?entity_type=copy&entity_id={id}"), Some(&admin)).await.expect(200);
        assert_eq!(audit.body["entries"][0]["action"], "create");
        assert_eq!(audit.body["entries"][0]["after"]["inventory_number"], "F07-000001");
        let db = app.app.db().clone();
        let outbox = actix_web::web::block(move || db.read(|c| kitap_db::outbox::after(c, 0, 1000))).await.unwrap().unwrap();
        assert_eq!(outbox.iter().filter(|e| e.entity_type == "copy").count(), 6);
        assert!(outbox.iter().any(|e| e.entity_type == "copy" && e.entity_id == id));
    }

    async fn inventory_numbers_and_barcodes_are_unique(app: TestApp) {
        let token = staff(&app, "cat.f07", "cataloger", "F07").await;
        let id = record(&app, &token, "Қан мен тер", true).await;
        let path = format!("/api/v1/records/{id}/copies");
        let given = add(&app, &token, &id, json!({"inventory_numbers": ["12345", "12346"], "barcodes": ["KZ-0001", "KZ-0002"]})).await;
        assert_eq!(given[1]["inventory_number"], "12346");
        assert_eq!(given[1]["barcode"], "KZ-0002");

        let taken = app.post(&path, Some(&token), json!({"inventory_numbers": ["12399", "12346"]})).await.expect(409);
        assert_eq!(taken.code(), "inventory_number_taken");
        assert!(taken.body["error"]["message"].as_str().unwrap().contains("12346"));
        let taken = app.post(&path, Some(&token), json!({"barcodes": ["KZ-0001"]})).await.expect(409);
        assert_eq!(taken.code(), "barcode_taken");
        let twice = app.post(&path, Some(&token), json!({"inventory_numbers": ["777", "777"]})).await.expect(409);
        assert_eq!(twice.code(), "inventory_number_taken");
        let twice = app.post(&path, Some(&token), json!({"barcodes": ["B1", "B1"]})).await.expect(409);
        assert_eq!(twice.code(), "barcode_taken");
        // Nothing of a refused request stays.
        let listed = app.get(&path, Some(&token)).await.expect(200);
        assert_eq!(listed.body["copies"].as_array().unwrap().len(), 2);

        let cases = [
            (json!({"count": 3, "inventory_numbers": ["1", "2"]}), "inventory_numbers"),
            (json!({"count": 0}), "count"),
            (json!({"count": 1001}), "count"),
            (json!({"status": "on_loan"}), "status"),
            (json!({"status": "withdrawn"}), "status"),
            (json!({"barcodes": ["12 34"]}), "barcode"),
            (json!({"price_minor": -1}), "price"),
            (json!({"source": "found on the street"}), "source"),
        ];
        for (body, field) in cases {
            let refused = app.post(&path, Some(&token), body).await.expect(422);
            assert_eq!(refused.body["error"]["details"]["field"], field, "{}", refused.text);
        }
        let unknown = format!("/api/v1/records/{}/copies", uuid::Uuid::now_v7());
        assert_eq!(app.post(&unknown, Some(&token), json!({})).await.expect(404).code(), "record_not_found");
        app.post("/api/v1/records/nope/copies", Some(&token), json!({})).await.expect(400);
    }

    async fn copies_change_with_a_version(app: TestApp) {
        let token = staff(&app, "cat.f07", "cataloger", "F07").await;
        let id = record(&app, &token, "Көшпенділер", true).await;
        let copy = add(&app, &token, &id, json!({"location": "Абонемент", "note": "дар"})).await.remove(0);
        let path = format!("/api/v1/copies/{}", copy["id"].as_str().unwrap());
        let changed = app
            .patch(&path, Some(&token), json!({"version": 1, "location": "Оқу залы", "status": "reading_room_only", "price_minor": 99900, "note": ""}))
            .await
            .expect(200);
        let c = &changed.body["copy"];
        assert_eq!(c["version"], 2);
        assert_eq!(c["location"], "Оқу залы");
        assert_eq!(c["status"], "reading_room_only");
        assert_eq!(c["price_minor"], 99900);
        assert!(c["note"].is_null());
        assert_eq!(c["inventory_number"], copy["inventory_number"]);

        let stale = app.patch(&path, Some(&token), json!({"version": 1, "shelf": "A-1"})).await.expect(409);
        assert_eq!(stale.code(), "version_conflict");
        assert_eq!(stale.body["error"]["details"]["current_version"], 2);
        let refused = app.patch(&path, Some(&token), json!({"version": 2, "status": "withdrawn"})).await.expect(422);
        assert_eq!(refused.body["error"]["details"]["field"], "status");
        app.patch(&path, Some(&token), json!({"version": 2, "inventory_number": "x"})).await.expect(422);
        let read = app.get(&path, Some(&token)).await.expect(200);
        assert_eq!(read.body["copy"]["version"], 2);
        let missing = format!("/api/v1/copies/{}", uuid::Uuid::now_v7());
        assert_eq!(app.get(&missing, Some(&token)).await.expect(404).code(), "copy_not_found");
    }

    async fn libraries_limit_who_adds_copies(app: TestApp) {
        let f07 = staff(&app, "cat.f07", "cataloger", "F07").await;
        let f06 = staff(&app, "cat.f06", "cataloger", "F06").await;
        let desk = staff(&app, "desk.f07", "librarian", "F07").await;
        let id = record(&app, &f07, "Ақ кеме", true).await;
        let path = format!("/api/v1/records/{id}/copies");

        let denied = app.post(&path, Some(&f07), json!({"library": "F06"})).await.expect(403);
        assert_eq!(denied.code(), "library_denied");
        assert_eq!(denied.body["error"]["details"]["library"], "F06");
        let denied = app.post(&path, Some(&desk), json!({})).await.expect(403);
        assert_eq!(denied.code(), "role_denied");
        let unknown = app.post(&path, Some(&f07), json!({"library": "F42"})).await.expect(404);
        assert_eq!(unknown.code(), "library_not_found");

        let ours = add(&app, &f07, &id, json!({"count": 2})).await;
        let theirs = add(&app, &f06, &id, json!({"library": "f06"})).await;
        assert_eq!(theirs[0]["library"], "F06");
        assert_eq!(theirs[0]["inventory_number"], "F06-000001");
        let admin = app.admin_token().await;
        let central = add(&app, &admin, &id, json!({"library": "F01"})).await;
        assert_eq!(central[0]["library"], "F01");

        // Any staff member reads; only the copy's library changes it.
        let listed = app.get(&path, Some(&desk)).await.expect(200);
        assert_eq!(listed.body["copies"].as_array().unwrap().len(), 4);
        let copy = format!("/api/v1/copies/{}", ours[0]["id"].as_str().unwrap());
        app.get(&copy, Some(&desk)).await.expect(200);
        let denied = app.patch(&copy, Some(&f06), json!({"version": 1, "shelf": "B"})).await.expect(403);
        assert_eq!(denied.code(), "library_denied");
        app.patch(&copy, Some(&desk), json!({"version": 1, "shelf": "B"})).await.expect(403);
        app.get(&copy, None).await.expect(401);
    }
}
