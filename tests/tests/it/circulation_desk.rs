//! The circulation desk through the API: checkout, renewal, return, every
//! refusal, overrides, loan rules and the calendar, the event log.

use actix_web::http::Method;
use chrono::{Datelike, Duration, FixedOffset, NaiveDate, Utc};
use kitap_tests::{both_backends, Response, TestApp};
use serde_json::{json, Value};

use crate::circulation_readers::{at, register};
use crate::copies::{add, record, staff};

/// Today in Karaganda (UTC+5), as the desk counts.
pub fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&FixedOffset::east_opt(5 * 3600).unwrap())
        .date_naive()
}

/// A Kazakh record with `count` copies at F01 (optionally with a status or
/// material type); returns their barcodes.
pub async fn copies_at_f01(
    app: &TestApp,
    cataloger: &str,
    title: &str,
    extra: Value,
) -> Vec<String> {
    let id = record(app, cataloger, title, true).await;
    add(app, cataloger, &id, extra)
        .await
        .iter()
        .map(|c| c["barcode"].as_str().unwrap().to_owned())
        .collect()
}

pub async fn checkout(
    app: &TestApp,
    token: &str,
    library: &str,
    reader: &str,
    barcode: &str,
    extra: Value,
) -> Response {
    let mut body = json!({"reader": reader, "item_barcode": barcode});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    at(
        app,
        Method::POST,
        "/api/v1/loans",
        token,
        library,
        Some(body),
    )
    .await
}

fn refusal(response: Response, code: &str) -> Value {
    let response = response.expect(409);
    assert_eq!(response.code(), code, "{}", response.text);
    let details = response.body["error"]["details"].clone();
    assert!(details["message_ru"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    assert!(details["message_kk"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    assert!(details["refusals"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["code"] == code));
    details
}

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

async fn add_rule(app: &TestApp, admin: &str, body: Value) -> Value {
    let mut rule = json!({"loan_days": 15, "max_renewals": 2, "renewal_days": 15, "max_items": 5});
    for (k, v) in body.as_object().unwrap() {
        rule[k] = v.clone();
    }
    app.post("/api/v1/loan-rules", Some(admin), rule)
        .await
        .expect(201)
        .body["loan_rule"]
        .clone()
}

both_backends! {
    async fn checkout_renew_return_and_the_event_log(app: TestApp) {
        let d = desk(&app).await;
        let barcodes = copies_at_f01(&app, &d.cataloger, "Абай жолы", json!({"count": 2})).await;
        let reader = register(&app, &d.librarian, "Оспанов", "Ерлан", json!({})).await;
        let card = reader["card_number"].as_str().unwrap();
        let loan = checkout(&app, &d.librarian, "F01", card, &barcodes[0], json!({})).await.expect(201);
        let loan = &loan.body["loan"];
        assert_eq!(loan["barcode"], barcodes[0].as_str());
        assert_eq!(loan["title"], "Абай жолы");
        assert_eq!(loan["kind"], "home");
        assert_eq!(loan["library"], "F01");
        assert_eq!(loan["reader"], reader["id"]);
        let due: NaiveDate = loan["due_on"].as_str().unwrap().parse().unwrap();
        assert!(due >= today() + Duration::days(15), "{due}");
        let copy = app.get(&format!("/api/v1/copies/by-barcode/{}", barcodes[0]), Some(&d.librarian)).await.expect(200);
        assert_eq!(copy.body["copy"]["status"], "on_loan");

        let loans = app.get(&format!("/api/v1/readers/{}/loans", reader["id"].as_str().unwrap()), Some(&d.librarian)).await.expect(200);
        assert_eq!(loans.body["loans"][0]["overdue_days"], 0);
        assert_eq!(loans.body["loans"][0]["barcode"], barcodes[0].as_str());

        let id = loan["id"].as_str().unwrap();
        let renewed = at(&app, Method::POST, &format!("/api/v1/loans/{id}/renew"), &d.librarian, "F01", Some(json!({}))).await.expect(200);
        assert_eq!(renewed.body["loan"]["renewals"], 1);
        let again = at(&app, Method::POST, "/api/v1/renewals", &d.librarian, "F01", Some(json!({"item_barcode": barcodes[0]}))).await.expect(200);
        assert_eq!(again.body["loan"]["renewals"], 2);
        let third = at(&app, Method::POST, "/api/v1/renewals", &d.librarian, "F01", Some(json!({"item_barcode": barcodes[0]}))).await;
        let details = refusal(third, "renewal_limit_reached");
        assert_eq!(details["overridable"], true);

        let returned = at(&app, Method::POST, "/api/v1/returns", &d.librarian, "F01", Some(json!({"item_barcode": barcodes[0]}))).await.expect(200);
        assert_eq!(returned.body["return"]["destination"], "shelf");
        assert_eq!(returned.body["return"]["overdue_days"], 0);
        assert_eq!(returned.body["return"]["loan"]["id"], id);
        let copy = app.get(&format!("/api/v1/copies/by-barcode/{}", barcodes[0]), Some(&d.librarian)).await.expect(200);
        assert_eq!(copy.body["copy"]["status"], "available");
        let not_out = at(&app, Method::POST, "/api/v1/returns", &d.librarian, "F01", Some(json!({"item_barcode": barcodes[0]}))).await.expect(409);
        assert_eq!(not_out.code(), "not_on_loan");

        // Reading room: due today.
        let rr = checkout(&app, &d.librarian, "F01", card, &barcodes[1], json!({"kind": "reading_room"})).await.expect(201);
        assert_eq!(rr.body["loan"]["due_on"], today().to_string());
        assert_eq!(rr.body["loan"]["kind"], "reading_room");

        // The event log: category, age band, language, Kazakh flag.
        let db = app.app.db().clone();
        let events = actix_web::web::block(move || {
            let from = kitap_domain::Timestamp::from_utc(Utc::now() - Duration::hours(1));
            let until = kitap_domain::Timestamp::from_utc(Utc::now() + Duration::hours(1));
            db.read(|conn| kitap_db::circ_events::in_period(conn, from, until, None, None, 100))
        }).await.unwrap().unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["checkout", "renewal", "renewal", "return", "checkout"]);
        for e in &events {
            assert_eq!(e.reader_category.as_str(), "adult");
            assert_eq!(e.age_band.as_str(), "adult", "born 1990");
            assert_eq!(e.language.as_deref(), Some("kaz"));
            assert!(e.kazakh);
            assert_eq!(e.material_type, "book");
        }
    }

    async fn every_checkout_refusal(app: TestApp) {
        let d = desk(&app).await;
        let books = copies_at_f01(&app, &d.cataloger, "Көшпенділер", json!({"count": 4})).await;
        let reading_room = copies_at_f01(&app, &d.cataloger, "Энциклопедия", json!({"status": "reading_room_only"})).await;
        let periodical = copies_at_f01(&app, &d.cataloger, "Егемен Қазақстан", json!({"material_type": "periodical"})).await;
        add_rule(&app, &d.admin, json!({"material_type": "periodical", "reading_room_only": true})).await;
        add_rule(&app, &d.admin, json!({"library": "F01", "category": "pupil", "max_items": 1})).await;
        let reader = register(&app, &d.librarian, "Сәрсенова", "Әлия", json!({"category": "pupil"})).await;
        let card = reader["card_number"].as_str().unwrap().to_owned();
        let other = register(&app, &d.librarian, "Мұратов", "Болат", json!({})).await;
        let other_card = other["card_number"].as_str().unwrap().to_owned();

        checkout(&app, &d.librarian, "F01", &card, &books[0], json!({})).await.expect(201);
        let details = refusal(checkout(&app, &d.librarian, "F01", &card, &books[1], json!({})).await, "loan_limit_reached");
        assert_eq!(details["overridable"], true);
        refusal(checkout(&app, &d.librarian, "F01", &other_card, &books[0], json!({})).await, "copy_not_available");
        refusal(checkout(&app, &d.librarian, "F01", &other_card, &reading_room[0], json!({})).await, "copy_reading_room_only");
        refusal(checkout(&app, &d.librarian, "F01", &other_card, &periodical[0], json!({})).await, "rule_forbids_home_loan");

        // Overrides: a librarian may not, an administrator may; hard refusals stay.
        let denied = checkout(&app, &d.librarian, "F01", &card, &books[1], json!({"override": ["loan_limit_reached"]})).await.expect(403);
        assert_eq!(denied.code(), "override_denied");
        let passed = checkout(&app, &d.admin, "F01", &card, &books[1], json!({"override": ["loan_limit_reached"]})).await.expect(201);
        assert_eq!(passed.body["loan"]["overridden"], json!(["loan_limit_reached"]));
        let loan_id = passed.body["loan"]["id"].as_str().unwrap();
        let audit = app.get(&format!("/api/v1/audit?entity_id={loan_id}&action=override"), Some(&d.admin)).await.expect(200);
        assert_eq!(audit.body["entries"].as_array().unwrap().len(), 1);
        refusal(checkout(&app, &d.admin, "F01", &other_card, &books[0], json!({"override": ["copy_not_available"]})).await, "copy_not_available");

        // A manual block, lifted.
        let other_id = other["id"].as_str().unwrap();
        let block = app.post(&format!("/api/v1/readers/{other_id}/blocks"), Some(&d.librarian), json!({"reason": "кітапты бүлдірді"})).await.expect(201);
        refusal(checkout(&app, &d.librarian, "F01", &other_card, &books[2], json!({})).await, "reader_blocked");
        let block_id = block.body["block"]["id"].as_str().unwrap();
        app.delete(&format!("/api/v1/readers/{other_id}/blocks/{block_id}"), Some(&d.librarian)).await.expect(204);
        checkout(&app, &d.librarian, "F01", &other_card, &books[2], json!({})).await.expect(201);

        // Overdue and expired registration, set in the database.
        let db = app.app.db().clone();
        let reader_id: kitap_domain::ReaderId = other_id.parse().unwrap();
        actix_web::web::block(move || db.write(|conn| {
            for open in kitap_db::loans::open_of_reader(conn, reader_id)? {
                kitap_db::loans::renew(conn, open.id, open.version, NaiveDate::from_ymd_opt(2020, 1, 10).unwrap(), 0)?;
            }
            Ok::<_, kitap_db::DbError>(())
        })).await.unwrap().unwrap();
        let details = refusal(checkout(&app, &d.librarian, "F01", &other_card, &books[3], json!({})).await, "reader_has_overdue");
        assert!(details["refusals"][0]["detail"].as_str().unwrap().contains("overdue"));
        let loans = app.get(&format!("/api/v1/readers/{other_id}/loans"), Some(&d.librarian)).await.expect(200);
        assert!(loans.body["loans"][0]["overdue_days"].as_u64().unwrap() > 365);
        let db = app.app.db().clone();
        let expired_id = reader["id"].as_str().unwrap().parse().unwrap();
        actix_web::web::block(move || db.write(|conn| {
            let mut r = kitap_db::readers::find(conn, expired_id)?;
            let version = r.version;
            r.registered_until = NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
            r.version += 1;
            kitap_db::readers::update(conn, &r, version)
        })).await.unwrap().unwrap();
        refusal(checkout(&app, &d.librarian, "F01", &card, &books[3], json!({"kind": "reading_room"})).await, "registration_expired");
        app.post(&format!("/api/v1/readers/{}/reregister", reader["id"].as_str().unwrap()), Some(&d.librarian), json!({})).await.expect(200);
        checkout(&app, &d.librarian, "F01", &card, &books[3], json!({"kind": "reading_room"})).await.expect(201);
    }

    async fn rules_explain_and_the_calendar(app: TestApp) {
        let d = desk(&app).await;
        let books = copies_at_f01(&app, &d.cataloger, "Қан мен тер", json!({"count": 2})).await;
        let reader = register(&app, &d.librarian, "Әлиев", "Арман", json!({})).await;
        let card = reader["card_number"].as_str().unwrap();
        let rules = app.get("/api/v1/loan-rules", Some(&d.librarian)).await.expect(200);
        let default = rules.body["loan_rules"][0].clone();
        assert!(default["library"].is_null());
        let refused = app.delete(&format!("/api/v1/loan-rules/{}", default["id"].as_str().unwrap()), Some(&d.admin)).await.expect(409);
        assert_eq!(refused.code(), "default_rule_required");
        let f01 = add_rule(&app, &d.admin, json!({"library": "F01", "loan_days": 30})).await;
        let dup = app.post("/api/v1/loan-rules", Some(&d.admin), json!({"library": "F01", "loan_days": 10, "max_renewals": 1, "renewal_days": 10, "max_items": 3})).await.expect(409);
        assert_eq!(dup.code(), "loan_rule_exists");
        let by_librarian = app.post("/api/v1/loan-rules", Some(&d.librarian), json!({"library": "F02", "loan_days": 10, "max_renewals": 1, "renewal_days": 10, "max_items": 3})).await.expect(403);
        assert_eq!(by_librarian.code(), "role_denied");

        let path = format!("/api/v1/rules/explain?reader={card}&item={}&library=F01", books[0]);
        let explained = app.get(&path, Some(&d.librarian)).await.expect(200);
        assert_eq!(explained.body["loan_rule"]["id"], f01["id"]);
        assert_eq!(explained.body["specificity"], 4);
        assert!(explained.body["explanation"][0].as_str().unwrap().contains("applies"));
        assert!(explained.body["explanation"].as_array().unwrap().len() >= 2);
        let elsewhere = app.get(&format!("/api/v1/rules/explain?reader={card}&item={}&library=F02", books[0]), Some(&d.librarian)).await.expect(200);
        assert_eq!(elsewhere.body["loan_rule"]["id"], default["id"]);

        // A closed weekday moves the due date to the next open day.
        let plain_due = today() + Duration::days(30);
        let weekday = plain_due.weekday().number_from_monday();
        let closed = app.post("/api/v1/closed-days", Some(&d.admin), json!({"library": "F01", "weekday": weekday, "reason": "санитарный день"})).await.expect(201);
        let again = app.post("/api/v1/closed-days", Some(&d.admin), json!({"library": "F01", "weekday": weekday})).await.expect(409);
        assert_eq!(again.code(), "closed_day_exists");
        let loan = checkout(&app, &d.librarian, "F01", card, &books[0], json!({})).await.expect(201);
        assert_eq!(loan.body["loan"]["due_on"], (plain_due + Duration::days(1)).to_string());
        let explained = app.get(&path, Some(&d.librarian)).await.expect(200);
        assert_eq!(explained.body["due_on"], (plain_due + Duration::days(1)).to_string());
        let listed = app.get("/api/v1/closed-days", Some(&d.librarian)).await.expect(200);
        assert_eq!(listed.body["closed_days"][0]["library"], "F01");
        app.delete(&format!("/api/v1/closed-days/{}", closed.body["closed_day"]["id"].as_str().unwrap()), Some(&d.admin)).await.expect(204);
        let loan = checkout(&app, &d.librarian, "F01", card, &books[1], json!({})).await.expect(201);
        assert_eq!(loan.body["loan"]["due_on"], plain_due.to_string());
        app.delete(&format!("/api/v1/loan-rules/{}", f01["id"].as_str().unwrap()), Some(&d.admin)).await.expect(204);
    }

    async fn a_copy_returned_elsewhere_travels_home(app: TestApp) {
        let d = desk(&app).await;
        let books = copies_at_f01(&app, &d.cataloger, "Ботагөз", json!({})).await;
        let reader = register(&app, &d.librarian, "Тоқаев", "Серік", json!({})).await;
        let f02 = staff(&app, "lib.f02", "librarian", "F02").await;
        checkout(&app, &d.librarian, "F01", reader["id"].as_str().unwrap(), &books[0], json!({})).await.expect(201);
        let away = at(&app, Method::POST, "/api/v1/returns", &f02, "F02", Some(json!({"item_barcode": books[0]}))).await.expect(200);
        assert_eq!(away.body["return"]["destination"], "in_transit");
        assert_eq!(away.body["return"]["to_library"], "F01");
        assert_eq!(away.body["return"]["loan"]["return_library"], "F02");
        let copy = app.get(&format!("/api/v1/copies/by-barcode/{}", books[0]), Some(&d.librarian)).await.expect(200);
        assert_eq!(copy.body["copy"]["status"], "in_transit");
        assert_eq!(copy.body["copy"]["library"], "F01");
        // Not lendable on the way (the destination's desk would receive it first).
        refusal(checkout(&app, &f02, "F02", reader["id"].as_str().unwrap(), &books[0], json!({})).await, "copy_not_available");
        let not_home = at(&app, Method::POST, "/api/v1/returns", &f02, "F02", Some(json!({"item_barcode": books[0]}))).await.expect(409);
        assert_eq!(not_home.code(), "wrong_destination");
        let home = at(&app, Method::POST, "/api/v1/returns", &d.librarian, "F01", Some(json!({"item_barcode": books[0]}))).await.expect(200);
        assert_eq!(home.body["return"]["destination"], "shelf");
        assert!(home.body["return"]["loan"].is_null());
        let copy = app.get(&format!("/api/v1/copies/by-barcode/{}", books[0]), Some(&d.librarian)).await.expect(200);
        assert_eq!(copy.body["copy"]["status"], "available");
    }
}
