//! Offline circulation through the API: a branch's file of checkouts,
//! returns and renewals applied in time order with the desk policies as of
//! each recorded time, conflicts reported per line, re-uploads harmless.

use actix_web::http::Method;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use kitap_tests::{both_backends, Response, TestApp};
use serde_json::{json, Value};

use crate::circulation_desk::{checkout, copies_at_f01, today};
use crate::circulation_readers::{at, register};
use crate::copies::staff;

const TSV: &str = "text/tab-separated-values";

fn kz() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600).unwrap()
}

/// 10:00 in Karaganda three days ago, plus `minutes`.
fn past(minutes: i64) -> DateTime<Utc> {
    let day = today() - Duration::days(3);
    kz().from_local_datetime(&day.and_hms_opt(10, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
        + Duration::minutes(minutes)
}

/// As a desk tool writes it: seconds and the +05:00 offset.
fn stamp(t: DateTime<Utc>) -> String {
    t.with_timezone(&kz())
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn utc(raw: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(raw.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

async fn upload(app: &TestApp, token: &str, content_type: &str, body: &str) -> Response {
    app.raw(
        Method::POST,
        "/api/v1/offline-circulation?file_name=desk.tsv",
        Some(token),
        &[("X-Kitap-Library", "F01"), ("Content-Type", content_type)],
        Some(body.as_bytes().to_vec()),
    )
    .await
}

fn outcomes(report: &Value) -> Vec<(i64, String, String)> {
    report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["line"].as_i64().unwrap(),
                l["outcome"].as_str().unwrap().to_owned(),
                l["code"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn line(report: &Value, n: i64) -> Value {
    report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["line"] == n)
        .cloned()
        .unwrap_or_else(|| panic!("no line {n}: {report}"))
}

async fn loan(app: &TestApp, id: &Value) -> Value {
    let loans = app.app.db().clone();
    let id: kitap_domain::LoanId = id.as_str().unwrap().parse().unwrap();
    let found = actix_web::web::block(move || loans.read(|conn| kitap_db::loans::find(conn, id)))
        .await
        .unwrap()
        .unwrap();
    json!({
        "issued_at": found.issued_at.to_string(),
        "due_on": found.due_on.to_string(),
        "returned_at": found.returned_at.map(|t| t.to_string()),
        "renewals": found.renewals,
        "kind": found.kind.as_str(),
    })
}

async fn copy_status(app: &TestApp, token: &str, barcode: &str) -> String {
    let copy = app
        .get(&format!("/api/v1/copies/by-barcode/{barcode}"), Some(token))
        .await
        .expect(200);
    copy.body["copy"]["status"].as_str().unwrap().to_owned()
}

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

async fn card(app: &TestApp, token: &str, surname: &str) -> (String, String) {
    let reader = register(app, token, surname, "Оқырман", json!({})).await;
    (
        reader["id"].as_str().unwrap().to_owned(),
        reader["card_number"].as_str().unwrap().to_owned(),
    )
}

both_backends! {
    async fn a_file_applies_in_time_order_as_of_each_recorded_time(app: TestApp) {
        let d = desk(&app).await;
        let b = copies_at_f01(&app, &d.cataloger, "Абай жолы", json!({"count": 4})).await;
        let (_, a) = card(&app, &d.librarian, "Оспанов").await;
        let (_, r) = card(&app, &d.librarian, "Ахметова").await;
        let no_offset = past(0).with_timezone(&kz()).format("%Y-%m-%dT%H:%M:%S");
        let file = format!(
            "# F01 desk, link down\n\
             timestamp\taction\tcard_number\titem_barcode\n\
             {}\treturn\t\t{}\n\
             {}\tcheckout\t{a}\t{}\n\
             {}\treading_room\t{r}\t{}\n\
             {}\tcheckout\t{a}\t{}\n\
             {}\trenew\t{a}\t{}\n\
             not a line at all\n\
             {}\tcheckout\t{a}\t{}\n\
             {}\tcheckout\t{a}\t{}\n\
             {no_offset}\tcheckout\t{a}\t{}\n\
             \n",
            stamp(past(30)), b[0],
            stamp(past(0)), b[0],
            stamp(past(5)), b[1],
            stamp(past(10)), b[2],
            stamp(past(20)), b[2],
            stamp(Utc::now() + Duration::days(1)), b[3],
            stamp(Utc::now() - Duration::days(40)), b[3],
            b[3],
        );
        let created = upload(&app, &d.librarian, TSV, &file).await.expect(201);
        let report = created.body.clone();
        let id = report["offline_upload"]["id"].as_str().unwrap();
        assert_eq!(created.header("location"), Some(format!("/api/v1/offline-circulation/{id}").as_str()));
        let s = |o: &str, c: &str| (o.to_owned(), c.to_owned());
        let got: Vec<(String, String)> = outcomes(&report).into_iter().map(|(_, o, c)| (o, c)).collect();
        assert_eq!(got, vec![
            s("applied", ""), s("applied", ""), s("applied", ""), s("applied", ""), s("applied", ""),
            s("invalid", "wrong_field_count"), s("invalid", "timestamp_in_future"),
            s("invalid", "timestamp_too_old"), s("invalid", "bad_timestamp"),
        ], "{report}");
        assert_eq!(line(&report, 8)["line"], 8, "line numbers count comments and the header");
        let summary = &report["offline_upload"];
        assert_eq!((summary["applied"].as_i64(), summary["invalid"].as_i64(), summary["lines"].as_i64()), (Some(5), Some(4), Some(9)));
        assert_eq!(summary["library"], "F01");
        assert_eq!(summary["format"], "lines");
        assert_eq!(summary["file_name"], "desk.tsv");
        assert!(summary["finished_at"].is_string());

        // The checkout at 10:00 three days ago, returned at 10:30 (sorted
        // before its return although written after it).
        let first = loan(&app, &line(&report, 4)["loan"]).await;
        assert_eq!(utc(&first["issued_at"]), past(0));
        assert_eq!(utc(&first["returned_at"]), past(30));
        assert_eq!(line(&report, 3)["loan"], line(&report, 4)["loan"]);
        let day = today() - Duration::days(3);
        let due: NaiveDate = first["due_on"].as_str().unwrap().parse().unwrap();
        assert!(due >= day + Duration::days(15) && due <= day + Duration::days(22), "due {due}, from {day}");
        // Reading room: due the day it was issued.
        let rr = loan(&app, &line(&report, 5)["loan"]).await;
        assert_eq!(rr["kind"], "reading_room");
        assert_eq!(rr["due_on"], day.to_string());
        let renewed = loan(&app, &line(&report, 7)["loan"]).await;
        assert_eq!(renewed["renewals"], 1);
        assert_eq!(copy_status(&app, &d.librarian, &b[0]).await, "available");
        assert_eq!(copy_status(&app, &d.librarian, &b[2]).await, "on_loan");
        assert_eq!(copy_status(&app, &d.librarian, &b[3]).await, "available");

        // Events at the recorded times, by the uploader, marked offline.
        let db = app.app.db().clone();
        let events = actix_web::web::block(move || {
            let from = kitap_domain::Timestamp::from_utc(past(-60));
            let until = kitap_domain::Timestamp::from_utc(Utc::now() + Duration::hours(1));
            db.read(|conn| kitap_db::circ_events::in_period(conn, from, until, None, None, 100))
        }).await.unwrap().unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["checkout", "checkout", "checkout", "renewal", "return"]);
        let times: Vec<DateTime<Utc>> = events.iter().map(|e| e.at.utc()).collect();
        assert_eq!(times, [past(0), past(5), past(10), past(20), past(30)]);
        for e in &events {
            assert_eq!(e.staff_id.map(|s| s.to_string()), summary["uploaded_by"].as_str().map(str::to_owned));
            let detail = e.detail.as_deref().unwrap_or("");
            assert!(detail.contains(&format!("offline upload {id} line")), "{detail}");
        }

        // The report is kept.
        let again = app.get(&format!("/api/v1/offline-circulation/{id}"), Some(&d.librarian)).await.expect(200);
        assert_eq!(outcomes(&again.body), outcomes(&report));
        let invalid = app.get(&format!("/api/v1/offline-circulation/{id}?outcome=invalid"), Some(&d.librarian)).await.expect(200);
        assert_eq!(invalid.body["lines"].as_array().unwrap().len(), 4);
        assert_eq!(invalid.body["lines"][0]["raw"], "not a line at all");
    }

    async fn conflicts_are_reported_per_line_and_never_fail_the_batch(app: TestApp) {
        let d = desk(&app).await;
        let b = copies_at_f01(&app, &d.cataloger, "Көшпенділер", json!({"count": 8})).await;
        let (_, a) = card(&app, &d.librarian, "Оспанов").await;
        let (_, other) = card(&app, &d.librarian, "Ахметова").await;
        let (blocked_id, blocked) = card(&app, &d.librarian, "Жұмабаев").await;
        app.post(&format!("/api/v1/readers/{blocked_id}/blocks"), Some(&d.librarian), json!({"reason": "кітапты бүлдірді"})).await.expect(201);
        // Online, after the link came back: b0 to a, b1 and b6 to the
        // other reader, b2 lent and returned.
        checkout(&app, &d.librarian, "F01", &a, &b[0], json!({})).await.expect(201);
        checkout(&app, &d.librarian, "F01", &other, &b[1], json!({})).await.expect(201);
        checkout(&app, &d.librarian, "F01", &other, &b[6], json!({})).await.expect(201);
        checkout(&app, &d.librarian, "F01", &a, &b[2], json!({})).await.expect(201);
        at(&app, Method::POST, "/api/v1/returns", &d.librarian, "F01", Some(json!({"item_barcode": b[2]}))).await.expect(200);
        // A return recorded after b6 went out online (a desk PC's clock a
        // little ahead of the server's is within the window).
        let soon = (Utc::now() + Duration::seconds(2)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let file = [
            format!("{};checkout;{blocked};{}", stamp(past(0)), b[3]),
            format!("{};checkout;{a};{}", stamp(past(1)), b[1]),
            format!("{};checkout;{a};{}", stamp(past(2)), b[0]),
            format!("{};return;;{}", stamp(past(3)), b[4]),
            format!("{};return;;{}", stamp(past(4)), b[2]),
            format!("{};checkout;NO-SUCH-CARD;{}", stamp(past(5)), b[5]),
            format!("{};checkout;{a};NOSUCHBARCODE", stamp(past(6))),
            format!("{};return;;{}", stamp(past(7)), b[1]),
            format!("{};renew;{a};{}", stamp(past(8)), b[1]),
            format!("{soon};return;;{}", b[6]),
            format!("{};checkout;{a};{}", stamp(past(9)), b[7]),
        ].join("\r\n");
        let report = upload(&app, &d.librarian, "text/csv", &file).await.expect(201).body;
        let got: Vec<(i64, String, String)> = outcomes(&report);
        let want = [
            (1, "conflict", "reader_blocked"),
            (2, "conflict", "copy_not_available"),
            (3, "already_done", "already_on_loan"),
            (4, "conflict", "not_on_loan"),
            (5, "already_done", "already_returned"),
            (6, "conflict", "reader_not_found"),
            (7, "conflict", "copy_not_found"),
            (8, "conflict", "loan_started_later"),
            (9, "conflict", "copy_on_loan_to_other_reader"),
            (10, "applied", ""),
            (11, "applied", ""),
        ].map(|(n, o, c)| (n, o.to_owned(), c.to_owned()));
        assert_eq!(got, want.to_vec(), "{report}");
        for l in report["lines"].as_array().unwrap() {
            if l["outcome"] != "applied" {
                assert!(l["message"].as_str().is_some_and(|m| !m.is_empty()), "{l}");
            }
        }
        assert_eq!(report["offline_upload"]["conflict"], 7);
        assert_eq!(report["offline_upload"]["already_done"], 2);
        // Nothing was overridden or forced.
        assert_eq!(copy_status(&app, &d.librarian, &b[3]).await, "available");
        assert_eq!(copy_status(&app, &d.librarian, &b[1]).await, "on_loan");
        // A return wins: the other reader's online loan of b6 is closed.
        assert_eq!(copy_status(&app, &d.librarian, &b[6]).await, "available");
        let closed = loan(&app, &line(&report, 10)["loan"]).await;
        assert!(closed["returned_at"].is_string());
        assert_eq!(copy_status(&app, &d.librarian, &b[7]).await, "on_loan");
    }

    async fn uploading_the_same_file_again_creates_nothing(app: TestApp) {
        let d = desk(&app).await;
        let b = copies_at_f01(&app, &d.cataloger, "Қан мен тер", json!({"count": 3})).await;
        let (reader, a) = card(&app, &d.librarian, "Оспанов").await;
        let file = format!(
            "{}\tcheckout\t{a}\t{}\n{}\tcheckout\t{a}\t{}\nbroken\n{}\tcheckout\t{a}\t{}\n",
            stamp(past(0)), b[0], stamp(past(1)), b[1], stamp(past(0)), b[0],
        );
        let first = upload(&app, &d.librarian, TSV, &file).await.expect(201).body;
        let codes = |r: &Value| outcomes(r).into_iter().map(|(_, o, _)| o).collect::<Vec<_>>();
        assert_eq!(codes(&first), ["applied", "applied", "invalid", "duplicate"]);
        let second = upload(&app, &d.librarian, TSV, &file).await.expect(201).body;
        assert_eq!(codes(&second), ["duplicate", "duplicate", "invalid", "duplicate"]);
        let loans = app.get(&format!("/api/v1/readers/{reader}/loans"), Some(&d.librarian)).await.expect(200);
        assert_eq!(loans.body["loans"].as_array().unwrap().len(), 2, "{}", loans.text);

        // The JSON form of the same kind of file.
        let body = json!([
            {"timestamp": stamp(past(2)), "action": "checkout", "card_number": a, "item_barcode": b[2]},
            {"timestamp": stamp(past(3)), "action": "return", "card_number": null, "item_barcode": b[2]},
            {"timestamp": stamp(past(4)), "action": "return", "item_barcode": b[0], "note": "x"},
            "not an object",
            {"timestamp": 5, "action": "return", "item_barcode": b[0]},
        ]).to_string();
        let third = upload(&app, &d.librarian, "application/json", &body).await.expect(201).body;
        assert_eq!(outcomes(&third), vec![
            (1, "applied".to_owned(), String::new()),
            (2, "applied".to_owned(), String::new()),
            (3, "invalid".to_owned(), "unknown_field".to_owned()),
            (4, "invalid".to_owned(), "not_an_object".to_owned()),
            (5, "invalid".to_owned(), "not_a_string".to_owned()),
        ]);
        assert_eq!(third["offline_upload"]["format"], "json");

        // The library's uploads, newest first, with their counts.
        let list = at(&app, Method::GET, "/api/v1/offline-circulation", &d.librarian, "F01", None).await.expect(200);
        let uploads = list.body["offline_uploads"].as_array().unwrap();
        assert_eq!(uploads.len(), 3);
        assert_eq!(uploads[0]["id"], third["offline_upload"]["id"]);
        assert_eq!(uploads[1]["duplicate"], 3);
        assert_eq!(uploads[2]["applied"], 2);
        let page = at(&app, Method::GET, "/api/v1/offline-circulation?limit=2", &d.librarian, "F01", None).await.expect(200);
        let next = page.body["next"].as_str().unwrap();
        let rest = at(&app, Method::GET, &format!("/api/v1/offline-circulation?limit=2&before={next}"), &d.librarian, "F01", None).await.expect(200);
        assert_eq!(rest.body["offline_uploads"].as_array().unwrap().len(), 1);
        // Another library's list is its own.
        let admin = app.admin_token().await;
        let other = at(&app, Method::GET, "/api/v1/offline-circulation", &admin, "F02", None).await.expect(200);
        assert_eq!(other.body["offline_uploads"].as_array().unwrap().len(), 0);
    }

    async fn bad_uploads_answer_with_the_envelope(app: TestApp) {
        let d = desk(&app).await;
        let big = "#".repeat(1024 * 1024 + 1);
        let too_big = upload(&app, &d.librarian, TSV, &big).await.expect(413);
        assert_eq!(too_big.code(), "upload_too_large");
        let xml = upload(&app, &d.librarian, "application/xml", "<x/>").await.expect(415);
        assert_eq!(xml.code(), "unsupported_media_type");
        let empty = upload(&app, &d.librarian, TSV, "").await.expect(422);
        assert_eq!(empty.code(), "empty_upload");
        let comments = upload(&app, &d.librarian, TSV, "# nothing\n\ntimestamp\taction\n").await.expect(422);
        assert_eq!(comments.code(), "validation_failed");
        let object = upload(&app, &d.librarian, "application/json", "{\"a\": 1}").await.expect(422);
        assert_eq!(object.code(), "validation_failed");
        let cataloger = upload(&app, &d.cataloger, TSV, "x\n").await.expect(403);
        assert_eq!(cataloger.code(), "role_denied");
        let missing = app.get("/api/v1/offline-circulation/0193f0a0-0000-7000-8000-000000000999", Some(&d.librarian)).await.expect(404);
        assert_eq!(missing.code(), "offline_upload_not_found");
        let bad_id = app.get("/api/v1/offline-circulation/nope", Some(&d.librarian)).await.expect(400);
        assert_eq!(bad_id.code(), "invalid_path_parameter");
        let created = upload(&app, &d.librarian, TSV, "x\n").await.expect(201);
        assert_eq!(created.body["lines"][0]["code"], "wrong_field_count");
        let id = created.body["offline_upload"]["id"].as_str().unwrap();
        let bad_outcome = app.get(&format!("/api/v1/offline-circulation/{id}?outcome=maybe"), Some(&d.librarian)).await.expect(422);
        assert_eq!(bad_outcome.code(), "validation_failed");
        // A NUL in a line is kept out of the database (PostgreSQL text
        // cannot hold one).
        let nul = upload(&app, &d.librarian, "text/plain", "a\u{0}b\tcheckout\tX\tY\n").await.expect(201);
        assert_eq!(nul.body["lines"][0]["code"], "bad_timestamp");
        assert_eq!(nul.body["lines"][0]["raw"], "a\u{fffd}b\tcheckout\tX\tY");
    }

    async fn five_thousand_lines_apply_in_reasonable_time(app: TestApp) {
        let d = desk(&app).await;
        // 2,500 copies of 25 titles lent to 25 readers (100 each, which a
        // rule for F01 allows) and returned two hours later.
        let admin = app.admin_token().await;
        app.post("/api/v1/loan-rules", Some(&admin), json!({
            "library": "F01", "loan_days": 15, "max_renewals": 2, "renewal_days": 15, "max_items": 100,
        })).await.expect(201);
        let mut barcodes = Vec::new();
        for title in 0..25 {
            barcodes.extend(copies_at_f01(&app, &d.cataloger, &format!("Том {title}"), json!({"count": 100})).await);
        }
        let mut cards = Vec::new();
        for i in 0..25 {
            cards.push(card(&app, &d.librarian, &format!("Оқырман{i}")).await.1);
        }
        let mut file = String::new();
        for (i, barcode) in barcodes.iter().enumerate() {
            let reader = &cards[i % cards.len()];
            let i = i64::try_from(i).unwrap();
            file.push_str(&format!("{}\tcheckout\t{reader}\t{barcode}\n", stamp(past(0) + Duration::seconds(i))));
            file.push_str(&format!("{}\treturn\t\t{barcode}\n", stamp(past(120) + Duration::seconds(i))));
        }
        // The test client's 30 s timeout is for single desk requests.
        let client = awc::Client::builder().timeout(std::time::Duration::from_secs(600)).finish();
        let started = std::time::Instant::now();
        let mut sent = client
            .post(format!("{}/api/v1/offline-circulation", app.base))
            .insert_header(("Authorization", format!("Bearer {}", d.librarian)))
            .insert_header(("X-Kitap-Library", "F01"))
            .insert_header(("Content-Type", TSV))
            .send_body(file)
            .await
            .unwrap();
        let took = started.elapsed();
        assert_eq!(sent.status().as_u16(), 201);
        let report: Value = serde_json::from_slice(&sent.body().limit(64 * 1024 * 1024).await.unwrap()).unwrap();
        assert_eq!(report["offline_upload"]["lines"], 5000);
        assert_eq!(report["offline_upload"]["applied"], 5000, "{}", report["lines"][0]);
        eprintln!("{:?}: 5,000 offline lines applied in {took:?}", app.backend);
        assert!(took < std::time::Duration::from_secs(300), "{took:?}");
        assert_eq!(copy_status(&app, &d.librarian, &barcodes[2499]).await, "available");
    }
}
