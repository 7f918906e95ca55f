//! Reader notices (#5, point 6) on both backends: scheduling once, overdue
//! levels, consent, the call list (JSON and CSV), marking calls done, SMS
//! through a local HTTP gateway, email through a local SMTP sink, failures
//! and retries, interrupted sends never resent, one node at a time.
//!
//! Readers and loans are written through kitap-db (their HTTP endpoints are
//! another branch's work); records and copies through the API.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use chrono::{Days, NaiveDate};
use kitap_app::config::Config;
use kitap_app::notices::{today, SmsConfig, SmtpConfig, INTERRUPTED, NOTICE_LOCK};
use kitap_db::loans::StoredLoan;
use kitap_db::notices::StoredNotice;
use kitap_db::readers::StoredReader;
use kitap_db::{branches, loans, notices, readers, Db};
use kitap_domain::{
    BranchId, CopyId, LoanId, LoanKind, NoticeChannel, NoticeId, NoticeKind, NoticeStatus,
    ReaderCategory, ReaderId, ReaderStatus, Timestamp,
};
use kitap_tests::{Backend, TestApp};
use serde_json::{json, Value};

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                super::$name(kitap_tests::Backend::Sqlite).await
            }
            #[actix_web::test]
            async fn postgres() {
                super::$name(kitap_tests::Backend::Postgres).await
            }
        }
    )*};
}

on_both!(
    courtesy_and_overdue_levels_are_stored_once,
    consent_decides_the_channel_and_the_desk_gets_the_calls,
    sms_goes_through_the_gateway_once_and_interrupted_sends_are_not_resent,
    smtp_failures_are_kept_and_retried_three_times,
    email_goes_out_once_through_smtp,
    one_node_at_a_time,
    a_trapped_hold_is_announced_once_per_consented_channel,
);

fn days(from: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        from.checked_add_days(Days::new(n as u64)).unwrap()
    } else {
        from.checked_sub_days(Days::new((-n) as u64)).unwrap()
    }
}

struct Fixture {
    db: Db,
    branch: BranchId,
    copies: Vec<CopyId>,
}

/// A record with `n` copies at C00, catalogued through the API.
async fn fixture(app: &TestApp, n: u32) -> Fixture {
    let token = crate::copies::staff(app, "cat.c00", "cataloger", "C00").await;
    let record = crate::copies::record(app, &token, "Абай жолы", true).await;
    let copies =
        crate::copies::add(app, &token, &record, json!({"count": n, "library": "C00"})).await;
    let db = app.app.db().clone();
    let branch = db
        .read(|c| branches::find_by_code(c, &"C00".parse().unwrap()))
        .unwrap()
        .id;
    Fixture {
        db,
        branch,
        copies: crate::copies::ids(&copies)
            .iter()
            .map(|id| id.parse().unwrap())
            .collect(),
    }
}

#[derive(Default)]
struct Contact {
    email: Option<&'static str>,
    phone: Option<&'static str>,
    consent_email: bool,
    consent_sms: bool,
    consent_phone: bool,
}

impl Fixture {
    fn reader(&self, card: &str, contact: Contact) -> ReaderId {
        let now = Timestamp::now();
        let reader = StoredReader {
            id: ReaderId::new(),
            card_number: card.parse().unwrap(),
            surname: format!("Оқырман{card}"),
            first_name: "Айгерим".to_owned(),
            patronymic: None,
            birth_date: NaiveDate::from_ymd_opt(1990, 3, 22).unwrap(),
            iin: None,
            document: None,
            address: Some("Қарағанды, Бұқар жырау 1".to_owned()),
            phone: contact.phone.map(str::to_owned),
            email: contact.email.map(str::to_owned),
            category: ReaderCategory::Adult,
            status: ReaderStatus::Active,
            home_branch_id: self.branch,
            guarantor_id: None,
            guardian: None,
            consent_email: contact.consent_email,
            consent_sms: contact.consent_sms,
            consent_phone: contact.consent_phone,
            keep_history: false,
            registered_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            registered_until: NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
            note: None,
            version: 1,
            created_by: None,
            created_at: now,
            updated_at: now,
        };
        self.db.write(|c| readers::insert(c, &reader)).unwrap();
        reader.id
    }

    fn loan(&self, copy: usize, reader: ReaderId, due_on: NaiveDate) -> LoanId {
        let loan = StoredLoan {
            id: LoanId::new(),
            copy_id: self.copies[copy],
            reader_id: reader,
            branch_id: self.branch,
            kind: LoanKind::Home,
            rule_id: None,
            issued_at: Timestamp::now(),
            due_on,
            renewals: 0,
            returned_at: None,
            return_branch_id: None,
            lost_at: None,
            issued_by: None,
            fine_minor: 0,
            version: 1,
        };
        self.db.write(|c| loans::insert(c, &loan)).unwrap();
        loan.id
    }

    fn notices(&self) -> Vec<StoredNotice> {
        self.db
            .read(|c| {
                notices::list(
                    c,
                    &notices::NoticeFilter {
                        limit: 1000,
                        ..Default::default()
                    },
                )
            })
            .unwrap()
    }

    fn notice(&self, id: NoticeId) -> StoredNotice {
        self.db.read(|c| notices::find(c, id)).unwrap()
    }
}

fn of_loan(all: &[StoredNotice], loan: LoanId) -> Vec<(NoticeKind, i32, NoticeChannel)> {
    let mut out: Vec<_> = all
        .iter()
        .filter(|n| n.loan_id == Some(loan))
        .map(|n| (n.kind, n.level, n.channel))
        .collect();
    out.sort_by_key(|(k, l, _)| (k.as_str(), *l));
    out
}

async fn run(app: &TestApp, admin: &str) -> Value {
    app.post("/api/v1/notices/run", Some(admin), json!({}))
        .await
        .expect(200)
        .body
}

async fn start(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
    TestApp::start_with(backend, tweak).await
}

async fn courtesy_and_overdue_levels_are_stored_once(backend: Backend) {
    let Some(app) = start(backend, |_| {}).await else {
        return;
    };
    let f = fixture(&app, 3).await;
    let admin = app.admin_token().await;
    let today = today();
    let reader = f.reader("K-1", Contact::default());
    let soon = f.loan(0, reader, days(today, 2));
    let late = f.loan(1, reader, days(today, -3));
    let later = f.loan(2, reader, days(today, 5));

    let first = run(&app, &admin).await;
    assert_eq!(first["scheduled"], 2, "{first}");
    assert_eq!(first["skipped"], false);
    let again = run(&app, &admin).await;
    assert_eq!(again["scheduled"], 0, "{again}");
    let all = f.notices();
    assert_eq!(all.len(), 2);
    assert_eq!(
        of_loan(&all, soon),
        [(NoticeKind::Courtesy, 1, NoticeChannel::Phone)]
    );
    assert_eq!(
        of_loan(&all, late),
        [(NoticeKind::Overdue, 3, NoticeChannel::Phone)]
    );
    assert!(of_loan(&all, later).is_empty());

    // A week later: the late loan reaches level 10, the courtesy one level 3;
    // the third one is 2 days late, below the first level.
    let week = days(today, 7);
    let report = app.app.notice_tick(week).unwrap();
    assert_eq!(report.scheduled, 2, "{report:?}");
    assert_eq!(app.app.notice_tick(week).unwrap().scheduled, 0);
    let all = f.notices();
    assert_eq!(
        of_loan(&all, late),
        [
            (NoticeKind::Overdue, 3, NoticeChannel::Phone),
            (NoticeKind::Overdue, 10, NoticeChannel::Phone)
        ]
    );
    assert_eq!(
        of_loan(&all, soon),
        [
            (NoticeKind::Courtesy, 1, NoticeChannel::Phone),
            (NoticeKind::Overdue, 3, NoticeChannel::Phone)
        ]
    );
    // Courtesy for `later` was missed (the job did not run on its days): not
    // sent late; its overdue notices will come.
    assert_eq!(
        of_loan(&all, later),
        Vec::<(NoticeKind, i32, NoticeChannel)>::new()
    );

    let listed = app
        .get(
            "/api/v1/notices?kind=overdue&library=C00&limit=2",
            Some(&admin),
        )
        .await
        .expect(200);
    assert_eq!(listed.body["notices"].as_array().unwrap().len(), 2);
    let next = listed.body["next"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/api/v1/notices?kind=overdue&after={next}"),
            Some(&admin),
        )
        .await
        .expect(200);
    assert_eq!(rest.body["notices"].as_array().unwrap().len(), 1);
    app.get("/api/v1/notices?status=lost", Some(&admin))
        .await
        .expect(422);
    let cataloger = crate::copies::staff(&app, "cat2.c00", "cataloger", "C00").await;
    let denied = app
        .get("/api/v1/notices", Some(&cataloger))
        .await
        .expect(403);
    assert_eq!(denied.code(), "role_denied");
    let librarian = crate::copies::staff(&app, "lib.c00", "librarian", "C00").await;
    app.post("/api/v1/notices/run", Some(&librarian), json!({}))
        .await
        .expect(403);
}

async fn consent_decides_the_channel_and_the_desk_gets_the_calls(backend: Backend) {
    let gateway = Gateway::start();
    let url = gateway.url();
    let Some(app) = start(backend, |c| {
        c.notices.sms = Some(SmsConfig {
            url,
            ..SmsConfig::default()
        })
    })
    .await
    else {
        return;
    };
    let f = fixture(&app, 3).await;
    let admin = app.admin_token().await;
    let librarian = crate::copies::staff(&app, "lib.c00", "librarian", "C00").await;
    let due = days(today(), 2);
    // SMS consent and a phone: SMS.
    let texted = f.reader(
        "K-SMS",
        Contact {
            phone: Some("+77011112233"),
            consent_sms: true,
            ..Contact::default()
        },
    );
    // Email consent only, no email configured: the desk calls.
    let emailed = f.reader(
        "K-MAIL",
        Contact {
            email: Some("reader@example.kz"),
            phone: Some("+77012223344"),
            consent_email: true,
            ..Contact::default()
        },
    );
    // SMS consent but no phone on file, and no other consent: the desk.
    let silent = f.reader(
        "K-NONE",
        Contact {
            consent_sms: true,
            ..Contact::default()
        },
    );
    let l1 = f.loan(0, texted, due);
    let l2 = f.loan(1, emailed, due);
    let l3 = f.loan(2, silent, due);
    let report = run(&app, &admin).await;
    assert_eq!(report["scheduled"], 3, "{report}");
    assert_eq!(report["sent"], 1, "{report}");
    let all = f.notices();
    assert_eq!(of_loan(&all, l1)[0].2, NoticeChannel::Sms);
    assert_eq!(of_loan(&all, l2)[0].2, NoticeChannel::Phone);
    assert_eq!(of_loan(&all, l3)[0].2, NoticeChannel::Phone);
    assert_eq!(gateway.requests().len(), 1);

    let calls = app
        .get("/api/v1/notices/calls?library=C00", Some(&librarian))
        .await
        .expect(200);
    let lines = calls.body["calls"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{}", calls.text);
    let mail = lines.iter().find(|l| l["card_number"] == "K-MAIL").unwrap();
    assert_eq!(mail["phone"], "+77012223344");
    assert_eq!(mail["title"], "Абай жолы");
    assert_eq!(mail["due_on"], due.to_string());
    assert_eq!(mail["days_overdue"], 0);
    assert_eq!(mail["library"], "C00");
    assert!(mail["reader_name"].as_str().unwrap().contains("Айгерим"));
    assert!(mail["address"].as_str().unwrap().contains("Бұқар жырау"));

    let csv = app
        .get("/api/v1/notices/calls?format=csv", Some(&librarian))
        .await
        .expect(200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.text.starts_with("library,reader,card,phone"));
    assert_eq!(csv.text.lines().count(), 3, "{}", csv.text);
    assert!(csv.text.contains("K-MAIL") && csv.text.contains("K-NONE"));
    app.get("/api/v1/notices/calls?format=pdf", Some(&librarian))
        .await
        .expect(400);
    let unknown = app
        .get("/api/v1/notices/calls?library=Z99", Some(&librarian))
        .await
        .expect(404);
    assert_eq!(unknown.code(), "library_not_found");

    // The call was made.
    let id = mail["notice_id"].as_str().unwrap();
    let done = app
        .post(
            &format!("/api/v1/notices/{id}/done"),
            Some(&librarian),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(done.body["notice"]["status"], "printed");
    let twice = app
        .post(
            &format!("/api/v1/notices/{id}/done"),
            Some(&librarian),
            json!({}),
        )
        .await
        .expect(409);
    assert_eq!(twice.code(), "notice_not_pending");
    let sms_id = all.iter().find(|n| n.loan_id == Some(l1)).unwrap().id;
    let not_a_call = app
        .post(
            &format!("/api/v1/notices/{sms_id}/done"),
            Some(&librarian),
            json!({}),
        )
        .await
        .expect(409);
    assert_eq!(not_a_call.code(), "notice_not_pending");
    let missing = app
        .post(
            &format!("/api/v1/notices/{}/done", NoticeId::new()),
            Some(&librarian),
            json!({}),
        )
        .await
        .expect(404);
    assert_eq!(missing.code(), "notice_not_found");
    let audit = app
        .get("/api/v1/audit?entity_type=notice&limit=20", Some(&admin))
        .await
        .expect(200);
    assert!(audit.text.contains("notice.done"), "{}", audit.text);
    let left = app
        .get("/api/v1/notices/calls", Some(&librarian))
        .await
        .expect(200);
    assert_eq!(left.body["calls"].as_array().unwrap().len(), 1);
}

async fn sms_goes_through_the_gateway_once_and_interrupted_sends_are_not_resent(backend: Backend) {
    let gateway = Gateway::start();
    let url = gateway.url();
    let Some(app) = start(backend, |c| {
        c.notices.sms = Some(SmsConfig {
            url,
            auth_header: "Authorization: Bearer sms-secret".to_owned(),
            ..SmsConfig::default()
        })
    })
    .await
    else {
        return;
    };
    let f = fixture(&app, 2).await;
    let admin = app.admin_token().await;
    let today = today();
    let reader = f.reader(
        "K-SMS",
        Contact {
            phone: Some("+77011112233"),
            consent_sms: true,
            ..Contact::default()
        },
    );
    let soon = f.loan(0, reader, days(today, 1));
    let late = f.loan(1, reader, days(today, -4));
    let first = run(&app, &admin).await;
    assert_eq!(
        (first["scheduled"].as_i64(), first["sent"].as_i64()),
        (Some(2), Some(2)),
        "{first}"
    );
    let second = run(&app, &admin).await;
    assert_eq!(
        (second["scheduled"].as_i64(), second["sent"].as_i64()),
        (Some(0), Some(0)),
        "{second}"
    );
    let requests = gateway.requests();
    assert_eq!(requests.len(), 2, "one request per notice");
    for r in &requests {
        assert!(r.starts_with("POST /send"), "{r}");
        assert!(
            r.to_lowercase()
                .contains("authorization: bearer sms-secret"),
            "{r}"
        );
        assert!(r.contains("\"phone\": \"+77011112233\""), "{r}");
        assert!(r.contains("Абай жолы"), "{r}");
    }
    for n in f.notices() {
        assert_eq!(n.status, NoticeStatus::Sent);
        assert_eq!(n.attempts, 1);
        assert!(n.sent_at.is_some());
        assert!(n.loan_id == Some(soon) || n.loan_id == Some(late));
    }

    // A process died between claiming a notice and marking it sent.
    let stuck = StoredNotice {
        id: NoticeId::new(),
        reader_id: reader,
        loan_id: Some(late),
        hold_id: None,
        kind: NoticeKind::Overdue,
        level: 99,
        channel: NoticeChannel::Sms,
        dedupe_key: format!("{late}:overdue:99:test:sms"),
        status: NoticeStatus::Sending,
        attempts: 0,
        last_error: None,
        created_at: Timestamp::now(),
        sent_at: None,
    };
    f.db.write(|c| notices::insert_new(c, &stuck)).unwrap();
    let report = run(&app, &admin).await;
    assert_eq!(report["interrupted"], 1, "{report}");
    assert_eq!(report["sent"], 0, "{report}");
    let after = f.notice(stuck.id);
    assert_eq!(after.status, NoticeStatus::Failed);
    assert_eq!(after.last_error.as_deref(), Some(INTERRUPTED));
    let report = run(&app, &admin).await;
    assert_eq!(
        (report["retried"].as_i64(), report["sent"].as_i64()),
        (Some(0), Some(0)),
        "{report}"
    );
    assert_eq!(f.notice(stuck.id).status, NoticeStatus::Failed);
    assert_eq!(gateway.requests().len(), 2, "never resent");
}

async fn smtp_failures_are_kept_and_retried_three_times(backend: Backend) {
    // A port nothing listens on.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let Some(app) = start(backend, |c| c.notices.smtp = Some(smtp(closed))).await else {
        return;
    };
    let f = fixture(&app, 1).await;
    let reader = f.reader(
        "K-MAIL",
        Contact {
            email: Some("reader@example.kz"),
            consent_email: true,
            ..Contact::default()
        },
    );
    f.loan(0, reader, days(today(), 2));
    let first = app.app.notice_tick(today()).unwrap();
    assert_eq!(
        (first.scheduled, first.sent, first.failed),
        (1, 0, 1),
        "{first:?}"
    );
    let id = f.notices()[0].id;
    let n = f.notice(id);
    assert_eq!(
        (n.status, n.attempts, n.channel),
        (NoticeStatus::Failed, 1, NoticeChannel::Email)
    );
    let error = n.last_error.unwrap();
    assert!(error.starts_with("smtp"), "{error}");
    assert!(!error.contains("reader@example.kz"), "{error}");
    for attempts in [2, 3] {
        let report = app.app.notice_tick(today()).unwrap();
        assert_eq!((report.retried, report.failed), (1, 1), "{report:?}");
        assert_eq!(f.notice(id).attempts, attempts);
    }
    let report = app.app.notice_tick(today()).unwrap();
    assert_eq!(
        (report.retried, report.failed, report.sent),
        (0, 0, 0),
        "{report:?}"
    );
    let n = f.notice(id);
    assert_eq!((n.status, n.attempts), (NoticeStatus::Failed, 3));
}

async fn email_goes_out_once_through_smtp(backend: Backend) {
    let sink = SmtpSink::start();
    let port = sink.port;
    let Some(app) = start(backend, |c| c.notices.smtp = Some(smtp(port))).await else {
        return;
    };
    let f = fixture(&app, 1).await;
    let reader = f.reader(
        "K-MAIL",
        Contact {
            email: Some("reader@example.kz"),
            phone: Some("+77011112233"),
            consent_email: true,
            consent_sms: true,
            ..Contact::default()
        },
    );
    f.loan(0, reader, days(today(), -3));
    let first = app.app.notice_tick(today()).unwrap();
    assert_eq!(
        (first.scheduled, first.sent, first.failed),
        (1, 1, 0),
        "{first:?}"
    );
    let again = app.app.notice_tick(today()).unwrap();
    assert_eq!((again.scheduled, again.sent), (0, 0), "{again:?}");
    let mail = sink.messages();
    assert_eq!(mail.len(), 1);
    let (rcpt, data) = &mail[0];
    assert!(rcpt.contains("<reader@example.kz>"), "{rcpt}");
    assert!(data.contains("kitap@example.kz"), "{data}");
    assert!(data.contains("Subject:"), "{data}");
    let n = &f.notices()[0];
    assert_eq!(
        (n.channel, n.status, n.kind, n.level),
        (
            NoticeChannel::Email,
            NoticeStatus::Sent,
            NoticeKind::Overdue,
            3
        )
    );
}

async fn one_node_at_a_time(backend: Backend) {
    let Some(app) = start(backend, |_| {}).await else {
        return;
    };
    let admin = app.admin_token().await;
    let db = app.app.db().clone();
    let held = db.try_job_lock(NOTICE_LOCK).unwrap();
    assert!(held.is_some());
    let report = run(&app, &admin).await;
    match backend {
        // Another "node" holds the advisory lock: this one skips.
        Backend::Postgres => {
            assert_eq!(report["skipped"], true, "{report}");
            assert!(db.try_job_lock(NOTICE_LOCK).unwrap().is_none());
        }
        Backend::Sqlite => assert_eq!(report["skipped"], false, "{report}"),
    }
    drop(held);
    let report = run(&app, &admin).await;
    assert_eq!(report["skipped"], false, "{report}");
}

fn smtp(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".to_owned(),
        port,
        from: "Kitap <kitap@example.kz>".to_owned(),
        starttls: false,
        ..SmtpConfig::default()
    }
}

/// A tiny HTTP server recording each request (head and body).
struct Gateway {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Gateway {
    fn start() -> Gateway {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut head = String::new();
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    let end = line == "\r\n";
                    head.push_str(&line);
                    if end {
                        break;
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                head.push_str(&String::from_utf8_lossy(&body));
                log.lock().unwrap().push(head);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK",
                );
            }
        });
        Gateway { port, seen }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/send", self.port)
    }

    fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// Trapping a hold on return stores one `hold_ready` notice, on the
/// reader's consented channel (SMS) or the desk's call list (no consent);
/// the job sends it once, and a second run sends nothing new.
async fn a_trapped_hold_is_announced_once_per_consented_channel(backend: Backend) {
    use crate::circulation_readers::{at, register};
    let gateway = Gateway::start();
    let url = gateway.url();
    let Some(app) = start(backend, |c| {
        c.notices.sms = Some(SmsConfig {
            url,
            ..SmsConfig::default()
        })
    })
    .await
    else {
        return;
    };
    let admin = app.admin_token().await;
    let librarian = crate::copies::staff(&app, "lib.f01", "librarian", "F01").await;
    let cataloger = crate::copies::staff(&app, "cat.f01", "cataloger", "F01").await;
    let holder = register(
        &app,
        &librarian,
        "Сәрсенова",
        "Әлия",
        json!({"phone": "+77011112233", "consent_sms": true}),
    )
    .await;
    let caller = register(
        &app,
        &librarian,
        "Мұратов",
        "Болат",
        json!({"phone": "+77012223344"}),
    )
    .await;
    let borrower = register(&app, &librarian, "Оспанов", "Ерлан", json!({})).await;
    let mut barcodes = Vec::new();
    for (title, reader) in [("Абай жолы", &holder), ("Қан мен тер", &caller)] {
        let record = crate::copies::record(&app, &cataloger, title, true).await;
        let copy = crate::copies::add(&app, &cataloger, &record, json!({})).await;
        let barcode = copy[0]["barcode"].as_str().unwrap().to_owned();
        crate::circulation_desk::checkout(
            &app,
            &librarian,
            "F01",
            borrower["id"].as_str().unwrap(),
            &barcode,
            json!({}),
        )
        .await
        .expect(201);
        let body = json!({"reader": reader["id"], "record_id": record, "pickup_library": "F01"});
        app.post("/api/v1/holds", Some(&librarian), body)
            .await
            .expect(201);
        barcodes.push(barcode);
    }
    // Nothing is ready yet: no hold notice.
    let first = run(&app, &admin).await;
    assert_eq!(first["scheduled"], 0, "{first}");
    for barcode in &barcodes {
        let back = at(
            &app,
            actix_web::http::Method::POST,
            "/api/v1/returns",
            &librarian,
            "F01",
            Some(json!({"item_barcode": barcode})),
        )
        .await
        .expect(200);
        assert_eq!(back.body["return"]["destination"], "hold_shelf");
    }

    let report = run(&app, &admin).await;
    assert_eq!(report["scheduled"], 2, "{report}");
    assert_eq!(report["sent"], 1, "{report}");
    let listed = app
        .get("/api/v1/notices?kind=hold_ready", Some(&librarian))
        .await
        .expect(200);
    let notices = listed.body["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 2, "{}", listed.text);
    let of = |reader: &Value| -> Vec<&Value> {
        notices
            .iter()
            .filter(|n| n["reader_id"] == reader["id"])
            .collect()
    };
    let texted = of(&holder);
    assert_eq!(texted.len(), 1);
    assert_eq!(texted[0]["channel"], "sms");
    assert_eq!(texted[0]["status"], "sent");
    assert!(texted[0]["hold_id"].as_str().is_some());
    let called = of(&caller);
    assert_eq!(called.len(), 1);
    assert_eq!(called[0]["channel"], "phone");
    assert_eq!(called[0]["status"], "pending");
    let sms = gateway.requests();
    assert_eq!(sms.len(), 1);
    assert!(sms[0].contains("Абай жолы"), "{}", sms[0]);
    let calls = app
        .get("/api/v1/notices/calls?library=F01", Some(&librarian))
        .await
        .expect(200);
    let lines = calls.body["calls"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{}", calls.text);
    assert_eq!(lines[0]["kind"], "hold_ready");
    assert_eq!(lines[0]["title"], "Қан мен тер");
    assert_eq!(lines[0]["card_number"], caller["card_number"]);

    // A second run: nothing new stored or sent.
    let again = run(&app, &admin).await;
    assert_eq!(again["scheduled"], 0, "{again}");
    assert_eq!(again["sent"], 0, "{again}");
    assert_eq!(gateway.requests().len(), 1);
    let listed = app
        .get("/api/v1/notices?kind=hold_ready", Some(&librarian))
        .await
        .expect(200);
    assert_eq!(listed.body["notices"].as_array().unwrap().len(), 2);
}

/// A minimal SMTP server that accepts everything and keeps (RCPT, DATA).
struct SmtpSink {
    port: u16,
    seen: Arc<Mutex<Vec<(String, String)>>>,
}

impl SmtpSink {
    fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let _ = stream.write_all(b"220 sink ESMTP\r\n");
                let (mut rcpt, mut data, mut in_data) = (String::new(), String::new(), false);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    if in_data {
                        if line == ".\r\n" {
                            in_data = false;
                            log.lock()
                                .unwrap()
                                .push((std::mem::take(&mut rcpt), std::mem::take(&mut data)));
                            let _ = stream.write_all(b"250 queued\r\n");
                        } else {
                            data.push_str(&line);
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "RCPT" => {
                            rcpt.push_str(&line);
                            b"250 OK\r\n"
                        }
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = stream.write_all(b"221 bye\r\n");
                            break;
                        }
                        _ => b"250 OK\r\n",
                    };
                    let _ = stream.write_all(answer);
                }
            }
        });
        SmtpSink { port, seen }
    }

    fn messages(&self) -> Vec<(String, String)> {
        self.seen.lock().unwrap().clone()
    }
}
