//! Readers through the API: registration, duplicate warnings, IIN rules,
//! guarantors, masking per role, search by surname.

use actix_web::http::Method;
use kitap_tests::{both_backends, Response, TestApp};
use serde_json::{json, Value};

use crate::copies::staff;

/// A valid IIN for the birth date `yymmdd`, the `n`-th serial that has a
/// check digit.
pub fn iin(yymmdd: &str, n: u32) -> String {
    let weights1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    let weights2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    let mut found = 0;
    for serial in 0..10_000u32 {
        let base = format!("{yymmdd}3{serial:04}");
        let digits: Vec<u32> = base.chars().map(|c| c.to_digit(10).unwrap()).collect();
        let sum = |w: &[u32; 11]| digits.iter().zip(w).map(|(d, w)| d * w).sum::<u32>() % 11;
        let mut check = sum(&weights1);
        if check == 10 {
            check = sum(&weights2);
        }
        if check == 10 {
            continue;
        }
        if found == n {
            return format!("{base}{check}");
        }
        found += 1;
    }
    panic!("no IIN");
}

/// Percent-encodes a query value (Cyrillic must be encoded).
pub fn enc(raw: &str) -> String {
    raw.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A request acting for `library`.
pub async fn at(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    library: &str,
    body: Option<Value>,
) -> Response {
    let bytes = body.map(|b| b.to_string().into_bytes());
    app.raw(
        method,
        path,
        Some(token),
        &[("X-Kitap-Library", library)],
        bytes,
    )
    .await
}

/// Registers an adult reader; returns the reader.
pub async fn register(
    app: &TestApp,
    token: &str,
    surname: &str,
    first_name: &str,
    extra: Value,
) -> Value {
    let mut body = json!({"surname": surname, "first_name": first_name, "birth_date": "1990-05-15", "category": "adult"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let created = app
        .post("/api/v1/readers", Some(token), body)
        .await
        .expect(201);
    created.body["reader"].clone()
}

both_backends! {
    async fn readers_register_with_cards_and_duplicate_warnings(app: TestApp) {
        let librarian = staff(&app, "lib.f01", "librarian", "F01").await;
        let number = iin("900515", 0);
        let first = register(&app, &librarian, "Сейтқалиева", "Айгерім", json!({
            "iin": number, "phone": "+7 701 000 0000", "email": "a@example.kz", "address": "Қарағанды",
            "document": "ID 012345678", "pin": "2468", "consent_sms": true
        })).await;
        assert_eq!(first["home_library"], "F01");
        assert_eq!(first["iin"], number.as_str());
        assert_eq!(first["masked"], false);
        let card = first["card_number"].as_str().unwrap();
        assert_eq!(card.len(), 13, "{card}");
        assert!(card.starts_with("290"), "{card}");
        let year = chrono::Utc::now().format("%Y").to_string();
        assert_eq!(first["registered_until"], format!("{year}-12-31"));

        // Same name and birth date: a warning with the candidates, then confirmed.
        let body = json!({"surname": "СЕЙТҚАЛИЕВА", "first_name": "айгерім", "birth_date": "1990-05-15", "category": "adult"});
        let dup = app.post("/api/v1/readers", Some(&librarian), body.clone()).await.expect(409);
        assert_eq!(dup.code(), "reader_possible_duplicate");
        let candidates = dup.body["error"]["details"]["candidates"].as_array().unwrap();
        assert_eq!(candidates.len(), 1);
        assert_eq!(candidates[0]["card_number"], card);
        assert_eq!(candidates[0]["iin"], format!("******{}", &number[6..]));
        let mut confirmed = body.clone();
        confirmed["confirm_duplicate"] = json!(true);
        let second = app.post("/api/v1/readers", Some(&librarian), confirmed).await.expect(201);
        assert_ne!(second.body["reader"]["card_number"], card);

        // The IIN is one reader's only.
        let taken = json!({"surname": "Басқа", "first_name": "Адам", "birth_date": "1991-01-01", "category": "adult", "iin": number, "confirm_duplicate": true});
        let refused = app.post("/api/v1/readers", Some(&librarian), taken).await.expect(409);
        assert_eq!(refused.code(), "iin_taken");
        let bad = json!({"surname": "Басқа", "first_name": "Адам", "birth_date": "1991-01-01", "category": "adult", "iin": "900515300011"});
        let invalid = app.post("/api/v1/readers", Some(&librarian), bad).await;
        if invalid.status.as_u16() != 201 {
            let invalid = invalid.expect(422);
            assert_eq!(invalid.code(), "validation_failed");
            assert_eq!(invalid.body["error"]["details"]["field"], "iin");
        }
        let bad = json!({"surname": "Басқа", "first_name": "Адам", "birth_date": "1991-01-01", "category": "adult", "iin": "12345"});
        let invalid = app.post("/api/v1/readers", Some(&librarian), bad).await.expect(422);
        assert_eq!(invalid.body["error"]["details"]["field"], "iin");

        // By card, by id, re-registration, a versioned change.
        let id = first["id"].as_str().unwrap();
        let by_card = app.get(&format!("/api/v1/readers/by-card/{card}"), Some(&librarian)).await.expect(200);
        assert_eq!(by_card.body["reader"]["id"], id);
        let changed = app.patch(&format!("/api/v1/readers/{id}"), Some(&librarian), json!({"version": first["version"], "phone": "+7 702 111 2233"})).await.expect(200);
        assert_eq!(changed.body["reader"]["phone"], "+7 702 111 2233");
        let stale = app.patch(&format!("/api/v1/readers/{id}"), Some(&librarian), json!({"version": first["version"], "phone": ""})).await.expect(409);
        assert_eq!(stale.code(), "version_conflict");
        app.post(&format!("/api/v1/readers/{id}/reregister"), Some(&librarian), json!({})).await.expect(200);
        let missing = app.get("/api/v1/readers/by-card/0000000000000", Some(&librarian)).await.expect(404);
        assert_eq!(missing.code(), "reader_not_found");
    }

    async fn children_need_a_guarantor(app: TestApp) {
        let librarian = staff(&app, "lib.f01", "librarian", "F01").await;
        let child = json!({"surname": "Жас", "first_name": "Бала", "birth_date": "2016-03-01", "category": "child"});
        let refused = app.post("/api/v1/readers", Some(&librarian), child.clone()).await.expect(422);
        assert_eq!(refused.code(), "guarantor_required");
        let parent = register(&app, &librarian, "Жас", "Ана", json!({})).await;
        let mut with_guarantor = child.clone();
        with_guarantor["guarantor_id"] = parent["id"].clone();
        app.post("/api/v1/readers", Some(&librarian), with_guarantor).await.expect(201);
        let mut with_guardian = child;
        with_guardian["first_name"] = json!("Інісі");
        with_guardian["guardian"] = json!("Жас Әке, +7 700 000 0001");
        app.post("/api/v1/readers", Some(&librarian), with_guardian).await.expect(201);
    }

    async fn personal_data_is_masked_for_other_roles(app: TestApp) {
        let librarian = staff(&app, "lib.f01", "librarian", "F01").await;
        let cataloger = staff(&app, "cat.f01", "cataloger", "F01").await;
        let number = iin("850203", 1);
        let reader = register(&app, &librarian, "Нұрланова", "Дина", json!({"iin": number, "phone": "+7 701 555 0000", "address": "Бұқар жырау 1"})).await;
        let id = reader["id"].as_str().unwrap();
        let seen = app.get(&format!("/api/v1/readers/{id}"), Some(&cataloger)).await.expect(200);
        assert_eq!(seen.body["reader"]["iin"], format!("******{}", &number[6..]));
        assert!(seen.body["reader"]["phone"].is_null());
        assert!(seen.body["reader"]["address"].is_null());
        assert_eq!(seen.body["reader"]["masked"], true);
        let full = app.get(&format!("/api/v1/readers/{id}"), Some(&librarian)).await.expect(200);
        assert_eq!(full.body["reader"]["iin"], number.as_str());
        let refused = app.post("/api/v1/readers", Some(&cataloger), json!({"surname": "А", "first_name": "Б", "birth_date": "1990-01-01", "category": "adult"})).await.expect(403);
        assert_eq!(refused.code(), "role_denied");
        // The audit log holds the masked IIN only.
        let admin = app.admin_token().await;
        let audit = app.get(&format!("/api/v1/audit?entity_id={id}"), Some(&admin)).await.expect(200);
        assert!(!audit.text.contains(&number), "{}", audit.text);
        assert_eq!(audit.body["entries"][0]["after"]["iin"], format!("******{}", &number[6..]));
    }

    async fn readers_are_found_by_surname_in_any_case(app: TestApp) {
        let librarian = staff(&app, "lib.f01", "librarian", "F01").await;
        register(&app, &librarian, "Әбішева", "Гүлнар", json!({})).await;
        register(&app, &librarian, "Әбенов", "Марат", json!({})).await;
        register(&app, &librarian, "Иванов", "Пётр", json!({})).await;
        for q in ["әб", "ӘБ", "Әбі"] {
            let found = app.get(&format!("/api/v1/readers?q={}", enc(q)), Some(&librarian)).await.expect(200);
            let names: Vec<&str> = found.body["readers"].as_array().unwrap().iter().map(|r| r["surname"].as_str().unwrap()).collect();
            let expected = if q == "Әбі" { 1 } else { 2 };
            assert_eq!(names.len(), expected, "{q}: {names:?}");
        }
        let page = app.get("/api/v1/readers?limit=2", Some(&librarian)).await.expect(200);
        let next = page.body["next"].as_str().unwrap();
        let rest = app.get(&format!("/api/v1/readers?limit=2&after={next}"), Some(&librarian)).await.expect(200);
        assert_eq!(rest.body["readers"][0]["surname"], "Иванов");
        let by_library = app.get("/api/v1/readers?library=F02", Some(&librarian)).await.expect(200);
        assert!(by_library.body["readers"].as_array().unwrap().is_empty());
    }
}
