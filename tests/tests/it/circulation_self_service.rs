//! Reader self-service through the API (#5, point 7): card + PIN login and
//! its brakes, tokens that never cross between readers and staff, the
//! reader's own card, loans, online renewal by the desk's policy, history
//! only when kept, holds, and never a glimpse of another reader.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use kitap_tests::{both_backends, Response, TestApp};
use serde_json::{json, Value};

use crate::circulation_desk::checkout;
use crate::circulation_readers::{at, register};
use crate::copies::{add, record, staff};

/// Long enough that it cannot turn up by chance inside an id or a timestamp.
const PIN: &str = "48213579";

struct Desk {
    librarian: String,
    cataloger: String,
}

async fn desk(app: &TestApp) -> Desk {
    Desk {
        librarian: staff(app, "lib.f01", "librarian", "F01").await,
        cataloger: staff(app, "cat.f01", "cataloger", "F01").await,
    }
}

/// A record with one copy at F01: (record id, barcode).
async fn one_copy(app: &TestApp, cataloger: &str, title: &str) -> (String, String) {
    let id = record(app, cataloger, title, true).await;
    let copies = add(app, cataloger, &id, json!({})).await;
    (id, copies[0]["barcode"].as_str().unwrap().to_owned())
}

/// A reader with the PIN; returns the reader as staff see it.
async fn reader_with_pin(app: &TestApp, librarian: &str, surname: &str, extra: Value) -> Value {
    let mut body = json!({"pin": PIN});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    register(app, librarian, surname, "Айгерім", body).await
}

async fn opac_login(app: &TestApp, card: &str, pin: &str) -> Response {
    app.post(
        "/api/v1/opac/login",
        None,
        json!({"card_number": card, "pin": pin}),
    )
    .await
}

async fn reader_token(app: &TestApp, reader: &Value) -> String {
    let card = reader["card_number"].as_str().unwrap();
    let response = opac_login(app, card, PIN).await.expect(200);
    response.body["token"].as_str().unwrap().to_owned()
}

/// A request with a reader token and an `Accept-Language`.
async fn as_reader(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    lang: &str,
    body: Option<Value>,
) -> Response {
    let bytes = body.map(|b| b.to_string().into_bytes());
    app.raw(
        method,
        path,
        Some(token),
        &[("Accept-Language", lang)],
        bytes,
    )
    .await
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

both_backends! {
    async fn readers_log_in_with_card_and_pin_and_tokens_never_cross(app: TestApp) {
        let d = desk(&app).await;
        let reader = reader_with_pin(&app, &d.librarian, "Сейтқалиева", json!({"iin": crate::circulation_readers::iin("900515", 0)})).await;
        let card = reader["card_number"].as_str().unwrap().to_owned();
        let no_pin = register(&app, &d.librarian, "Пинсіз", "Ерлан", json!({})).await;

        // Unknown card, malformed card, wrong PIN and a reader without a PIN: one answer.
        for (card, pin) in [
            ("2909999999999", PIN),
            ("карта", PIN),
            (card.as_str(), "0000"),
            (no_pin["card_number"].as_str().unwrap(), PIN),
        ] {
            let response = opac_login(&app, card, pin).await.expect(401);
            assert_eq!(response.code(), "invalid_credentials", "{card}");
        }
        let login = opac_login(&app, &card, PIN).await.expect(200);
        let token = login.body["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("ktr_"), "{token}");
        assert_eq!(login.body["token_type"], "Bearer");

        let me = app.get("/api/v1/opac/me", Some(&token)).await.expect(200);
        let r = &me.body["reader"];
        assert_eq!(r["card_number"], card.as_str());
        assert_eq!(r["surname"], "Сейтқалиева");
        assert_eq!(r["home_library"]["code"], "F01");
        assert_eq!(r["blocked"], false);
        assert_eq!(r["consent"]["keep_history"], false);
        assert!(!me.text.contains("iin") && !me.text.contains(PIN), "{}", me.text);

        // A reader's token opens no staff route; a staff token no reader route.
        for path in ["/api/v1/me", "/api/v1/readers", "/api/v1/holds?library=F01"] {
            let response = app.get(path, Some(&token)).await.expect(401);
            assert_eq!(response.code(), "invalid_token", "{path}");
        }
        let response = app.post("/api/v1/auth/logout", Some(&token), json!({})).await.expect(401);
        assert_eq!(response.code(), "invalid_token");
        for path in ["/api/v1/opac/me", "/api/v1/opac/me/loans", "/api/v1/opac/me/holds"] {
            let response = app.get(path, Some(&d.librarian)).await.expect(401);
            assert_eq!(response.code(), "invalid_token", "{path}");
            let response = app.get(path, None).await.expect(401);
            assert_eq!(response.code(), "unauthenticated", "{path}");
        }

        // Changing the PIN: the old one no longer opens, other sessions end.
        let second = reader_token(&app, &reader).await;
        let wrong = app.post("/api/v1/opac/me/pin", Some(&token), json!({"current_pin": "1111", "new_pin": "7777"})).await.expect(401);
        assert_eq!(wrong.code(), "invalid_credentials");
        let bad = app.post("/api/v1/opac/me/pin", Some(&token), json!({"current_pin": PIN, "new_pin": "12ab"})).await.expect(422);
        assert_eq!(bad.body["error"]["details"]["field"], "pin");
        app.post("/api/v1/opac/me/pin", Some(&token), json!({"current_pin": PIN, "new_pin": "73590146"})).await.expect(204);
        opac_login(&app, &card, PIN).await.expect(401);
        opac_login(&app, &card, "73590146").await.expect(200);
        let ended = app.get("/api/v1/opac/me", Some(&second)).await.expect(401);
        assert_eq!(ended.code(), "token_revoked");
        app.get("/api/v1/opac/me", Some(&token)).await.expect(200);

        app.post("/api/v1/opac/logout", Some(&token), json!({})).await.expect(204);
        let out = app.get("/api/v1/opac/me", Some(&token)).await.expect(401);
        assert_eq!(out.code(), "token_revoked");

        // A PIN given at the desk (a forgotten one) ends the reader's sessions.
        let third = opac_login(&app, &card, "73590146").await.expect(200).body["token"].as_str().unwrap().to_owned();
        let current = app.get(&format!("/api/v1/readers/{}", id(&reader)), Some(&d.librarian)).await.expect(200);
        app.patch(&format!("/api/v1/readers/{}", id(&reader)), Some(&d.librarian), json!({"version": current.body["reader"]["version"], "pin": "13572468"})).await.expect(200);
        let ended = app.get("/api/v1/opac/me", Some(&third)).await.expect(401);
        assert_eq!(ended.code(), "token_revoked");
        opac_login(&app, &card, "13572468").await.expect(200);

        // No PIN in the audit log, old or new.
        let admin = app.admin_token().await;
        let audit = app.get("/api/v1/audit?limit=500", Some(&admin)).await.expect(200);
        assert!(audit.text.contains("reader_login") && audit.text.contains("pin_changed"));
        for pin in [PIN, "73590146", "13572468"] {
            assert!(!audit.text.contains(pin), "a PIN in the audit log");
        }
    }

    async fn wrong_pins_lock_the_card_at_this_address_only(app: TestApp) {
        let d = desk(&app).await;
        let reader = reader_with_pin(&app, &d.librarian, "Құлыпова", json!({})).await;
        let card = reader["card_number"].as_str().unwrap();
        for attempt in 1..=5 {
            let response = opac_login(&app, card, "9999").await;
            let expected = if attempt < 5 { 401 } else { 423 };
            response.expect(expected);
        }
        let locked = opac_login(&app, card, PIN).await.expect(423);
        assert_eq!(locked.code(), "account_locked");
        assert!(locked.body["error"]["details"]["locked_until"].is_string());
        // An unknown card locks the same way, so a lock reveals nothing.
        for _ in 0..4 {
            opac_login(&app, "2908888888888", "9999").await.expect(401);
        }
        opac_login(&app, "2908888888888", "9999").await.expect(423);
        // The desk at the same address is not slowed down.
        app.login("admin", kitap_tests::ADMIN_PASSWORD).await.expect(200);
    }

    async fn withdrawn_readers_cannot_log_in_and_blocked_ones_see_why(app: TestApp) {
        let d = desk(&app).await;
        let (record_id, barcode) = one_copy(&app, &d.cataloger, "Абай жолы").await;
        let gone = reader_with_pin(&app, &d.librarian, "Кеткенова", json!({})).await;
        let session = reader_token(&app, &gone).await;
        app.patch(&format!("/api/v1/readers/{}", id(&gone)), Some(&d.librarian), json!({"version": gone["version"], "status": "archived"})).await.expect(200);
        let refused = opac_login(&app, gone["card_number"].as_str().unwrap(), PIN).await.expect(409);
        assert_eq!(refused.code(), "reader_not_active");
        assert!(refused.body["error"]["details"]["message_kk"].as_str().unwrap().contains("мұрағат"));
        let ended = app.get("/api/v1/opac/me", Some(&session)).await.expect(401);
        assert_eq!(ended.code(), "token_revoked");

        let blocked = reader_with_pin(&app, &d.librarian, "Бұғатталған", json!({})).await;
        let card = blocked["card_number"].as_str().unwrap();
        let loan = checkout(&app, &d.librarian, "F01", card, &barcode, json!({})).await.expect(201);
        let loan_id = id(&loan.body["loan"]);
        let reason = "кітапты бүлдірді";
        app.post(&format!("/api/v1/readers/{}/blocks", id(&blocked)), Some(&d.librarian), json!({"reason": reason})).await.expect(201);
        let token = reader_token(&app, &blocked).await;

        let me = as_reader(&app, Method::GET, "/api/v1/opac/me", &token, "ru-RU,ru;q=0.9", None).await.expect(200);
        let r = &me.body["reader"];
        assert_eq!(r["blocked"], true);
        assert_eq!(r["blocks"][0]["kind"], "manual");
        assert_eq!(r["blocks"][0]["reason"], reason);
        assert_eq!(r["blocks"][0]["meaning"]["code"], "reader_blocked");
        assert_eq!(r["blocks"][0]["meaning"]["message"], r["blocks"][0]["meaning"]["message_ru"]);

        let loans = app.get("/api/v1/opac/me/loans", Some(&token)).await.expect(200);
        let l = &loans.body["loans"][0];
        assert_eq!(l["renewable"], false);
        assert_eq!(l["renewal_refusal"]["code"], "reader_blocked");
        assert_eq!(l["renewal_refusal"]["message"], l["renewal_refusal"]["message_kk"], "Kazakh by default");

        let path = format!("/api/v1/opac/me/loans/{loan_id}/renew");
        let ru = as_reader(&app, Method::POST, &path, &token, "ru", None).await.expect(409);
        assert_eq!(ru.code(), "reader_blocked");
        let details = &ru.body["error"]["details"];
        assert_eq!(ru.body["error"]["message"], details["message_ru"]);
        assert!(details["message_ru"].as_str().unwrap().contains("Обслуживание приостановлено"));
        assert_eq!(details["refusals"][0]["code"], "reader_blocked");
        // The staff detail (the block's wording, override flags) stays at the desk.
        assert!(details["refusals"][0].get("detail").is_none() && details.get("overridable").is_none());
        assert!(!ru.text.contains(reason));
        let kk = as_reader(&app, Method::POST, &path, &token, "kk-KZ", None).await.expect(409);
        assert_eq!(kk.body["error"]["message"], kk.body["error"]["details"]["message_kk"]);

        let hold = app.post("/api/v1/opac/me/holds", Some(&token), json!({"record_id": record_id, "pickup_library": "F01"})).await.expect(409);
        assert_eq!(hold.code(), "reader_blocked");
    }

    async fn loans_renew_online_by_the_desk_policy_and_history_is_opt_in(app: TestApp) {
        let d = desk(&app).await;
        let (record_id, barcode) = one_copy(&app, &d.cataloger, "Қан мен тер").await;
        let a = reader_with_pin(&app, &d.librarian, "Оспанова", json!({})).await;
        let b = reader_with_pin(&app, &d.librarian, "Мұратова", json!({})).await;
        checkout(&app, &d.librarian, "F01", a["card_number"].as_str().unwrap(), &barcode, json!({})).await.expect(201);
        let token = reader_token(&app, &a).await;

        let loans = app.get("/api/v1/opac/me/loans", Some(&token)).await.expect(200);
        let loan = loans.body["loans"][0].clone();
        assert_eq!(loans.body["loans"].as_array().unwrap().len(), 1);
        assert_eq!(loan["title"], "Қан мен тер");
        assert_eq!(loan["library"], "F01");
        assert_eq!((loan["renewals_left"].as_u64(), loan["renewable"].as_bool()), (Some(2), Some(true)));
        assert!(loan["renewal_refusal"].is_null());
        let loan_id = id(&loan);

        let renewed = app.post(&format!("/api/v1/opac/me/loans/{loan_id}/renew"), Some(&token), json!({})).await.expect(200);
        assert_eq!(renewed.body["loan"]["renewals"], 1);
        assert_eq!(renewed.body["loan"]["renewals_left"], 1);
        let db = app.app.db().clone();
        let events = actix_web::web::block(move || {
            let from = kitap_domain::Timestamp::from_utc(Utc::now() - Duration::hours(1));
            let until = kitap_domain::Timestamp::from_utc(Utc::now() + Duration::hours(1));
            db.read(|conn| kitap_db::circ_events::in_period(conn, from, until, None, None, 100))
        }).await.unwrap().unwrap();
        let renewal = events.iter().find(|e| e.kind.as_str() == "renewal").unwrap();
        assert_eq!(renewal.staff_id, None, "renewed by the reader");
        assert_eq!(renewal.detail.as_deref(), Some("reader_online"));

        // Someone waits for the title: no renewal, and the list says why.
        let b_token = reader_token(&app, &b).await;
        app.post("/api/v1/opac/me/holds", Some(&b_token), json!({"record_id": record_id, "pickup_library": "F01"})).await.expect(201);
        let loans = app.get("/api/v1/opac/me/loans", Some(&token)).await.expect(200);
        assert_eq!(loans.body["loans"][0]["renewal_refusal"]["code"], "title_on_hold");
        let refused = app.post(&format!("/api/v1/opac/me/loans/{loan_id}/renew"), Some(&token), json!({})).await.expect(409);
        assert_eq!(refused.code(), "title_on_hold");

        // History: refused until the reader chose to keep it.
        at(&app, Method::POST, "/api/v1/returns", &d.librarian, "F01", Some(json!({"item_barcode": barcode}))).await.expect(200);
        let refused = app.get("/api/v1/opac/me/history", Some(&token)).await.expect(403);
        assert_eq!(refused.code(), "history_not_kept");
        let current = app.get(&format!("/api/v1/readers/{}", id(&a)), Some(&d.librarian)).await.expect(200);
        app.patch(&format!("/api/v1/readers/{}", id(&a)), Some(&d.librarian), json!({"version": current.body["reader"]["version"], "keep_history": true})).await.expect(200);
        let token = reader_token(&app, &a).await;
        let history = app.get("/api/v1/opac/me/history?limit=1", Some(&token)).await.expect(200);
        let past = &history.body["loans"][0];
        assert_eq!(id(past), loan_id);
        assert_eq!(past["return_library"], "F01");
        assert!(past["returned_at"].is_string());
        let next = history.body["next"].as_str().unwrap();
        let rest = app.get(&format!("/api/v1/opac/me/history?before={next}"), Some(&token)).await.expect(200);
        assert_eq!(rest.body["loans"].as_array().unwrap().len(), 0);
        assert!(rest.body["next"].is_null());
        let bad = app.get("/api/v1/opac/me/history?before=nope", Some(&token)).await.expect(400);
        assert_eq!(bad.code(), "invalid_query_parameter");
        let empty = app.get("/api/v1/opac/me/loans", Some(&token)).await.expect(200);
        assert_eq!(empty.body["loans"].as_array().unwrap().len(), 0);
    }

    async fn readers_hold_and_cancel_and_never_see_each_other(app: TestApp) {
        let d = desk(&app).await;
        let (first, first_barcode) = one_copy(&app, &d.cataloger, "Көшпенділер").await;
        let (second, second_barcode) = one_copy(&app, &d.cataloger, "Ботагөз").await;
        let a = reader_with_pin(&app, &d.librarian, "Әлиева", json!({})).await;
        let b = reader_with_pin(&app, &d.librarian, "Бекова", json!({})).await;
        checkout(&app, &d.librarian, "F01", a["card_number"].as_str().unwrap(), &first_barcode, json!({})).await.expect(201);
        let b_loan = checkout(&app, &d.librarian, "F01", b["card_number"].as_str().unwrap(), &second_barcode, json!({})).await.expect(201);
        let b_loan = id(&b_loan.body["loan"]);
        let a_token = reader_token(&app, &a).await;
        let b_token = reader_token(&app, &b).await;

        // B holds the first title, then A queues for the second behind nobody.
        let b_hold = app.post("/api/v1/opac/me/holds", Some(&b_token), json!({"record_id": first, "pickup_library": "F02"})).await.expect(201);
        let b_hold = b_hold.body["hold"].clone();
        assert_eq!((b_hold["status"].as_str(), b_hold["queue_position"].as_u64()), (Some("waiting"), Some(1)));
        assert_eq!(b_hold["pickup_library"], "F02");
        let again = app.post("/api/v1/opac/me/holds", Some(&b_token), json!({"record_id": first, "pickup_library": "F01"})).await.expect(409);
        assert_eq!(again.code(), "already_holding");
        let a_hold = app.post("/api/v1/opac/me/holds", Some(&a_token), json!({"record_id": second, "pickup_library": "F01"})).await.expect(201);
        let a_hold = id(&a_hold.body["hold"]);
        let missing = app.post("/api/v1/opac/me/holds", Some(&a_token), json!({"record_id": "01900000-0000-7000-8000-000000000000", "pickup_library": "F01"})).await.expect(404);
        assert_eq!(missing.code(), "record_not_found");

        // A sees only A's; B's ids answer "not found", exactly like ids nobody has.
        let a_loans = app.get("/api/v1/opac/me/loans", Some(&a_token)).await.expect(200);
        assert_eq!(a_loans.body["loans"].as_array().unwrap().len(), 1);
        assert!(!a_loans.text.contains(&b_loan));
        let a_holds = app.get("/api/v1/opac/me/holds", Some(&a_token)).await.expect(200);
        let holds = a_holds.body["holds"].as_array().unwrap();
        assert_eq!((holds.len(), id(&holds[0])), (1, a_hold.clone()));
        assert!(!a_holds.text.contains(b["card_number"].as_str().unwrap()));
        let nobody = "01900000-0000-7000-8000-000000000000";
        for loan in [b_loan.as_str(), nobody] {
            let response = app.post(&format!("/api/v1/opac/me/loans/{loan}/renew"), Some(&a_token), json!({})).await.expect(404);
            assert_eq!(response.code(), "loan_not_found");
        }
        for hold in [id(&b_hold), nobody.to_owned()] {
            let response = app.delete(&format!("/api/v1/opac/me/holds/{hold}"), Some(&a_token)).await.expect(404);
            assert_eq!(response.code(), "hold_not_found");
        }
        let bad = app.delete("/api/v1/opac/me/holds/nope", Some(&a_token)).await.expect(400);
        assert_eq!(bad.code(), "invalid_path_parameter");
        // B's loan and hold are untouched.
        let b_loans = app.get("/api/v1/opac/me/loans", Some(&b_token)).await.expect(200);
        assert_eq!(b_loans.body["loans"][0]["renewals"], 0);
        let b_holds = app.get("/api/v1/opac/me/holds", Some(&b_token)).await.expect(200);
        assert_eq!(b_holds.body["holds"][0]["status"], "waiting");

        // A cancels A's own hold.
        let cancelled = app.delete(&format!("/api/v1/opac/me/holds/{a_hold}"), Some(&a_token)).await.expect(200);
        assert_eq!(cancelled.body["hold"]["status"], "cancelled");
        let a_holds = app.get("/api/v1/opac/me/holds", Some(&a_token)).await.expect(200);
        assert_eq!(a_holds.body["holds"].as_array().unwrap().len(), 0);
        let closed = app.delete(&format!("/api/v1/opac/me/holds/{a_hold}"), Some(&a_token)).await.expect(409);
        assert_eq!(closed.code(), "hold_closed");
    }
}
