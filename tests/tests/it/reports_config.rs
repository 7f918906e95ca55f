//! The configurable parts of the statistics (issue #8) through the API:
//! versioned knowledge-area rules and reclassification (a past loan keeps
//! its group), age bands other than the default, and remote users in the
//! readers report.

use actix_web::http::Method;
use chrono::{Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use kitap_tests::{Backend, TestApp};
use serde_json::{json, Value};

use crate::circulation_desk::checkout;
use crate::circulation_readers::{enc, register};
use crate::copies::{add, staff};
use crate::exchange::give_back;
use crate::reports::{cell, ints, table};

const PIN: &str = "48213579";

fn kz() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600).unwrap()
}

fn today() -> NaiveDate {
    kitap_app::circulation::today()
}

/// A Russian book classed by BBK (MARC 21 084 with a BBK source).
fn bbk_book(title: &str, bbk: &str) -> Value {
    json!({
        "leader": "00000nam a2200000 i 4500",
        "fields": [
            {"008": "230101s2021    kz            000 1 rus d"},
            {"084": {"ind1": " ", "ind2": " ", "subfields": [{"a": bbk}, {"2": "rubbk"}]}},
            {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": title}]}}
        ]
    })
}

/// Catalogs a BBK-classed record with one copy at F01: (record id, barcode).
async fn classed_copy(app: &TestApp, cataloger: &str, title: &str, bbk: &str) -> (String, String) {
    let created = app
        .post(
            "/api/v1/records",
            Some(cataloger),
            json!({"marc": bbk_book(title, bbk)}),
        )
        .await
        .expect(201);
    let id = created.body["record"]["id"].as_str().unwrap().to_owned();
    let copies = add(app, cataloger, &id, json!({})).await;
    (id, copies[0]["barcode"].as_str().unwrap().to_owned())
}

/// The shipped rules (the built-in ones) with BBK 75 (sport) moved to the
/// socio-political group, under another version.
fn sport_is_socio_political() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../data/area-rules/kz-domain-2024.toml");
    let shipped = std::fs::read_to_string(path).unwrap();
    let sport = "from = 75\nto = 75\narea = \"sport_arts\"";
    assert!(shipped.contains(sport));
    shipped
        .replace(sport, "from = 75\nto = 75\narea = \"socio_political\"")
        .replace(
            "version = \"kz-domain-2024\"",
            "version = \"karaganda-2026\"",
        )
}

async fn loans_by_area(app: &TestApp, manager: &str, day: NaiveDate) -> Value {
    let path = format!("/api/v1/reports/loans?from={day}&to={day}&library=F01");
    app.get(&path, Some(manager)).await.expect(200).body
}

fn area_loans(report: &Value, group: &str) -> u64 {
    cell(table(report, "loans_by_area"), &["Total", group], "Loans")
        .as_u64()
        .unwrap()
}

/// 10:00 in Karaganda `days` ago, as an offline desk file writes it.
fn stamp_days_ago(days: i64) -> String {
    let day = today() - Duration::days(days);
    kz().from_local_datetime(&day.and_hms_opt(10, 0, 0).unwrap())
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

async fn offline_checkout(
    app: &TestApp,
    librarian: &str,
    card: &str,
    barcode: &str,
    days_ago: i64,
) {
    let file = format!(
        "timestamp\taction\tcard_number\titem_barcode\n{}\tcheckout\t{card}\t{barcode}\n",
        stamp_days_ago(days_ago)
    );
    let done = app
        .raw(
            Method::POST,
            "/api/v1/offline-circulation?file_name=desk.tsv",
            Some(librarian),
            &[
                ("X-Kitap-Library", "F01"),
                ("Content-Type", "text/tab-separated-values"),
            ],
            Some(file.into_bytes()),
        )
        .await
        .expect(201);
    assert_eq!(done.body["offline_upload"]["applied"], 1, "{}", done.body);
}

async fn rules_then_reclassify(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let admin = app.admin_token().await;
    let manager = staff(&app, "mgr", "manager", "C00").await;
    let librarian = staff(&app, "lib.f01", "librarian", "F01").await;
    let cataloger = staff(&app, "cat.f01", "cataloger", "F01").await;
    let (chess, barcode) = classed_copy(&app, &cataloger, "Шахматные задачи", "75.581").await;
    let (novel, _) = classed_copy(&app, &cataloger, "Абай жолы", "84(5Каз)-44").await;
    let record = app
        .get(&format!("/api/v1/records/{chess}"), Some(&cataloger))
        .await
        .expect(200);
    assert_eq!(record.body["record"]["knowledge_area"], "sport_arts");

    let rules = app
        .get("/api/v1/reports/area-rules", Some(&manager))
        .await
        .expect(200);
    assert_eq!(rules.body["version"], "kz-domain-2024");
    assert_eq!(rules.body["records_to_reclassify"], 0);
    let sport = rules.body["bbk_public"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["from"] == 75)
        .unwrap();
    assert_eq!(sport["area"], "sport_arts");
    assert!(rules.body["udc"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["prefix"] == "004" && r["area"] == "technology"));
    app.get("/api/v1/reports/area-rules", Some(&librarian))
        .await
        .expect(403);

    // Period A, five days ago: the chess book is lent (and returned) as sport.
    let reader = register(&app, &librarian, "Оспанов", "Ерлан", json!({})).await;
    let card = reader["card_number"].as_str().unwrap().to_owned();
    offline_checkout(&app, &librarian, &card, &barcode, 5).await;
    give_back(&app, &librarian, "F01", &barcode).await;

    // The library's own rules file: sport goes to ҚСӘ.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("area-rules.toml");
    std::fs::write(&file, sport_is_socio_political()).unwrap();
    let rules_path = file.display().to_string();
    let app = app
        .restart_with(move |c| c.statistics.area_rules = rules_path)
        .await;

    let rules = app
        .get("/api/v1/reports/area-rules", Some(&manager))
        .await
        .expect(200);
    assert_eq!(rules.body["version"], "karaganda-2026");
    assert_eq!(rules.body["records_to_reclassify"], 2);
    // Nothing is reclassified behind the administrator's back.
    let record = app
        .get(&format!("/api/v1/records/{chess}"), Some(&cataloger))
        .await
        .expect(200);
    assert_eq!(record.body["record"]["knowledge_area"], "sport_arts");
    assert_eq!(
        record.body["record"]["area_rules_version"],
        "kz-domain-2024"
    );
    let version = record.body["record"]["version"].as_i64().unwrap();

    let denied = app
        .post("/api/v1/admin/reclassify", Some(&manager), json!({}))
        .await
        .expect(403);
    assert_eq!(denied.code(), "role_denied");
    let done = app
        .post("/api/v1/admin/reclassify", Some(&admin), json!({}))
        .await
        .expect(200);
    assert_eq!(
        done.body,
        json!({"version": "karaganda-2026", "changed": 1, "unchanged": 1, "skipped": 0})
    );
    let again = app
        .post("/api/v1/admin/reclassify", Some(&admin), json!({}))
        .await
        .expect(200);
    assert_eq!(
        (
            again.body["changed"].as_u64(),
            again.body["unchanged"].as_u64()
        ),
        (Some(0), Some(0))
    );

    // The changed record is a new version, the unchanged one is not.
    let record = app
        .get(&format!("/api/v1/records/{chess}"), Some(&cataloger))
        .await
        .expect(200);
    assert_eq!(record.body["record"]["knowledge_area"], "socio_political");
    assert_eq!(
        record.body["record"]["area_rules_version"],
        "karaganda-2026"
    );
    assert_eq!(record.body["record"]["version"].as_i64(), Some(version + 1));
    let other = app
        .get(&format!("/api/v1/records/{novel}"), Some(&cataloger))
        .await
        .expect(200);
    assert_eq!(other.body["record"]["knowledge_area"], "fiction");
    assert_eq!(other.body["record"]["version"], 1);
    let rules = app
        .get("/api/v1/reports/area-rules", Some(&manager))
        .await
        .expect(200);
    assert_eq!(rules.body["records_to_reclassify"], 0);
    // The search index followed, as for an edit.
    app.searchable().await;
    let q = enc("Шахматные");
    let found = app
        .get(&format!("/api/v1/search?q={q}&group=socio_political"), None)
        .await
        .expect(200);
    assert_eq!(
        found.body["hits"].as_array().unwrap().len(),
        1,
        "{}",
        found.body
    );
    let gone = app
        .get(&format!("/api/v1/search?q={q}&group=sport_arts"), None)
        .await
        .expect(200);
    assert_eq!(
        gone.body["hits"].as_array().unwrap().len(),
        0,
        "{}",
        gone.body
    );
    let audit = app
        .get("/api/v1/audit?action=reclassify", Some(&admin))
        .await
        .expect(200);
    assert_eq!(
        audit.body["entries"].as_array().map(Vec::len),
        Some(1),
        "{}",
        audit.body
    );

    // Period B, today: the same book lent again counts under ҚСӘ; period A
    // still shows the loan it had.
    checkout(&app, &librarian, "F01", &card, &barcode, json!({}))
        .await
        .expect(201);
    let a = loans_by_area(&app, &manager, today() - Duration::days(5)).await;
    assert_eq!(
        (
            area_loans(&a, "sport_arts"),
            area_loans(&a, "socio_political")
        ),
        (1, 0)
    );
    let b = loans_by_area(&app, &manager, today()).await;
    assert_eq!(
        (
            area_loans(&b, "sport_arts"),
            area_loans(&b, "socio_political")
        ),
        (0, 1)
    );
    // A record saved now is classified by the new rules at once.
    let (fresh, _) = classed_copy(&app, &cataloger, "Футбол", "75.578").await;
    let fresh = app
        .get(&format!("/api/v1/records/{fresh}"), Some(&cataloger))
        .await
        .expect(200);
    assert_eq!(fresh.body["record"]["knowledge_area"], "socio_political");
    // And so is an imported one.
    let file = json!([bbk_book("Волейбол", "75.569")])
        .to_string()
        .into_bytes();
    let job = app.import_file(&cataloger, "format=json", file).await;
    assert_eq!(job["status"], "done", "{job}");
    let path = format!("/api/v1/records?import_id={}", job["id"].as_str().unwrap());
    let imported = app.get(&path, Some(&cataloger)).await.expect(200);
    let imported = &imported.body["records"][0];
    assert_eq!(imported["knowledge_area"], "socio_political", "{imported}");
    assert_eq!(imported["area_rules_version"], "karaganda-2026");
}

#[actix_web::test]
async fn a_rules_change_reclassifies_records_but_not_past_loans_sqlite() {
    rules_then_reclassify(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_rules_change_reclassifies_records_but_not_past_loans_postgres() {
    rules_then_reclassify(Backend::Postgres).await;
}

/// A birth date making the reader `years` old today (the birthday a month
/// ago).
fn aged(years: i32) -> String {
    let t = today();
    let anniversary =
        NaiveDate::from_ymd_opt(t.year() - years, t.month(), t.day().min(28)).unwrap();
    (anniversary - Duration::days(30)).to_string()
}

async fn bands_13_21(backend: Backend) {
    let Some(app) = TestApp::start_with(backend, |c| {
        c.statistics.child_max_age = 13;
        c.statistics.youth_max_age = 21;
    })
    .await
    else {
        return;
    };
    let manager = staff(&app, "mgr", "manager", "C00").await;
    let librarian = staff(&app, "lib.f01", "librarian", "F01").await;
    let cataloger = staff(&app, "cat.f01", "cataloger", "F01").await;
    // 13: a child; 14: youth here (a child by default); 21: youth; 22: adult.
    let mut cards = Vec::new();
    for (n, years) in [13, 14, 21, 22].into_iter().enumerate() {
        let extra = json!({"birth_date": aged(years), "category": "pupil", "guardian": "Ата-ана"});
        let reader = register(&app, &librarian, &format!("Оқырман{n}"), "Әлия", extra).await;
        cards.push(reader["card_number"].as_str().unwrap().to_owned());
    }
    for (n, card) in cards.iter().enumerate() {
        let (_, barcode) = classed_copy(&app, &cataloger, &format!("Кітап {n}"), "84(5Каз)").await;
        checkout(&app, &librarian, "F01", card, &barcode, json!({}))
            .await
            .expect(201);
    }
    let d = today();
    let loans = app
        .get(
            &format!("/api/v1/reports/loans?from={d}&to={d}&library=F01"),
            Some(&manager),
        )
        .await
        .expect(200);
    let by = table(&loans.body, "loans_by_reader");
    let bands = ["age ≤13", "age 14–21", "age 22+"];
    assert_eq!(ints(by, &["Total"], &bands), [1, 2, 1], "{by}");
    let readers = app
        .get(
            &format!("/api/v1/reports/readers?from={d}&to={d}&library=F01"),
            Some(&manager),
        )
        .await
        .expect(200);
    assert_eq!(
        ints(table(&readers.body, "readers"), &["F01"], &bands),
        [1, 2, 1]
    );
    let csv = app
        .get(
            &format!("/api/v1/reports/readers?from={d}&to={d}&library=F01&format=csv"),
            Some(&manager),
        )
        .await
        .expect(200);
    assert!(
        csv.text.contains("age ≤13,age 14–21,age 22+"),
        "{}",
        csv.text
    );
    // The band is stored with each event: the 14-year-old's loan is youth.
    let events = app
        .app
        .db()
        .read(|conn| {
            kitap_db::circ_events::in_period(
                conn,
                kitap_domain::Timestamp::from_utc(Utc::now() - Duration::days(1)),
                kitap_domain::Timestamp::from_utc(Utc::now() + Duration::days(1)),
                None,
                None,
                100,
            )
        })
        .unwrap();
    let mut stored: Vec<&str> = events.iter().map(|e| e.age_band.as_str()).collect();
    stored.sort_unstable();
    assert_eq!(stored, ["adult", "child", "youth", "youth"]);
}

#[actix_web::test]
async fn age_bands_follow_the_configuration_sqlite() {
    bands_13_21(Backend::Sqlite).await;
}

#[actix_web::test]
async fn age_bands_follow_the_configuration_postgres() {
    bands_13_21(Backend::Postgres).await;
}

async fn opac_token(app: &TestApp, reader: &Value) -> String {
    let card = reader["card_number"].as_str().unwrap();
    let done = app
        .post(
            "/api/v1/opac/login",
            None,
            json!({"card_number": card, "pin": PIN}),
        )
        .await
        .expect(200);
    done.body["token"].as_str().unwrap().to_owned()
}

/// F01: A logs in twice and looks at the loans, B places a hold and
/// cancels it, C only borrows at the desk, D fails the PIN. F07: E renews
/// a loan online. Remote users: F01 {A, B} = 2, F07 {E} = 1, total 3.
async fn remote_users(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let manager = staff(&app, "mgr", "manager", "C00").await;
    let f01 = staff(&app, "lib.f01", "librarian", "F01").await;
    let f07 = staff(&app, "lib.f07", "librarian", "F07").await;
    let cataloger = staff(&app, "cat.f01", "cataloger", "F01").await;
    let with_pin = json!({"pin": PIN});
    let a = register(&app, &f01, "Ахметов", "Арман", with_pin.clone()).await;
    let b = register(&app, &f01, "Бекова", "Бота", with_pin.clone()).await;
    let c = register(&app, &f01, "Сейтов", "Серік", with_pin.clone()).await;
    let d = register(&app, &f01, "Дәулетова", "Дана", with_pin.clone()).await;
    let e = register(&app, &f07, "Ермеков", "Ерлан", with_pin.clone()).await;

    let token = opac_token(&app, &a).await;
    app.get("/api/v1/opac/me/loans", Some(&token))
        .await
        .expect(200);
    opac_token(&app, &a).await;

    let (record, desk_copy) = classed_copy(&app, &cataloger, "Көшпенділер", "84(5Каз)").await;
    let card = |r: &Value| r["card_number"].as_str().unwrap().to_owned();
    checkout(&app, &f01, "F01", &card(&c), &desk_copy, json!({}))
        .await
        .expect(201);
    let token = opac_token(&app, &b).await;
    let hold = app
        .post(
            "/api/v1/opac/me/holds",
            Some(&token),
            json!({"record_id": record, "pickup_library": "F01"}),
        )
        .await
        .expect(201);
    let hold_id = hold.body["hold"]["id"].as_str().unwrap();
    app.delete(&format!("/api/v1/opac/me/holds/{hold_id}"), Some(&token))
        .await
        .expect(200);

    let wrong = app
        .post(
            "/api/v1/opac/login",
            None,
            json!({"card_number": card(&d), "pin": "11112222"}),
        )
        .await;
    assert_eq!(wrong.status.as_u16(), 401);

    // E, of F07, borrows at F01 and renews online: counted at home, F07.
    let (_, other_copy) = classed_copy(&app, &cataloger, "Абай жолы", "84(5Каз)").await;
    let lent = checkout(&app, &f01, "F01", &card(&e), &other_copy, json!({}))
        .await
        .expect(201);
    let loan_id = lent.body["loan"]["id"].as_str().unwrap();
    let token = opac_token(&app, &e).await;
    app.post(
        &format!("/api/v1/opac/me/loans/{loan_id}/renew"),
        Some(&token),
        json!({}),
    )
    .await
    .expect(200);

    let day = today();
    let report = app
        .get(
            &format!("/api/v1/reports/readers?from={day}&to={day}&library=F01,F07"),
            Some(&manager),
        )
        .await
        .expect(200);
    let r = table(&report.body, "readers");
    assert_eq!(ints(r, &["F01"], &["Registered", "Remote users"]), [4, 2]);
    assert_eq!(ints(r, &["F07"], &["Registered", "Remote users"]), [1, 1]);
    assert_eq!(ints(r, &["Total"], &["Remote users", "Active"]), [3, 2]);
    // Yesterday nobody acted; F07 alone counts its own reader only.
    let y = day - Duration::days(1);
    let before = app
        .get(
            &format!("/api/v1/reports/readers?from={y}&to={y}&library=F01,F07"),
            Some(&manager),
        )
        .await
        .expect(200);
    assert_eq!(
        ints(
            table(&before.body, "readers"),
            &["Total"],
            &["Remote users"]
        ),
        [0]
    );
    let f07_only = app
        .get(
            &format!("/api/v1/reports/readers?from={day}&to={day}&library=F07"),
            Some(&manager),
        )
        .await
        .expect(200);
    assert_eq!(
        ints(
            table(&f07_only.body, "readers"),
            &["Total"],
            &["Remote users"]
        ),
        [1]
    );
}

#[actix_web::test]
async fn remote_users_are_readers_acting_themselves_sqlite() {
    remote_users(Backend::Sqlite).await;
}

#[actix_web::test]
async fn remote_users_are_readers_acting_themselves_postgres() {
    remote_users(Backend::Postgres).await;
}
