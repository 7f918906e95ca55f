//! Redistribution through the API (issue #7, points 5 and 6): a transfer
//! act gives copies from the central library to branch 7 through the pick
//! list, dispatch and receipt; the finder proposes unused copies and titles
//! piled up in one library while another's readers ask for them; the
//! exchange statistics, checked number by number and recounted from the
//! copies' own event logs.

use actix_web::http::Method;
use kitap_tests::{both_backends, Response, TestApp};
use serde_json::{json, Value};

use crate::circulation_desk::checkout;
use crate::circulation_readers::{at, register};
use crate::copies::{record, staff};
use crate::exchange::{conflict, give_back, libs, place, position, scan};

/// `count` copies of `record` at `library`, made by `token` there, with a
/// price: (id, barcode, inventory number) each.
async fn copies_of(
    app: &TestApp,
    token: &str,
    library: &str,
    record: &str,
    count: u32,
    price: i64,
) -> Vec<(String, String, String)> {
    let path = format!("/api/v1/records/{record}/copies");
    let body = json!({"count": count, "price_minor": price, "shelf": "84(5Каз)"});
    let made = at(app, Method::POST, &path, token, library, Some(body))
        .await
        .expect(201);
    made.body["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_owned();
            (s("id"), s("barcode"), s("inventory_number"))
        })
        .collect()
}

async fn make_act(app: &TestApp, token: &str, library: &str, body: Value) -> Response {
    at(
        app,
        Method::POST,
        "/api/v1/transfer-acts",
        token,
        library,
        Some(body),
    )
    .await
}

fn kinds(p: &Value) -> Vec<String> {
    p["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn a_transfer_act_gives_two_copies_from_the_fund_to_branch_7(app: TestApp) {
        let l = libs(&app).await;
        let fund = staff(&app, "ex.c00", "exchange", "C00").await;
        let r = record(&app, &l.cataloger, "Абай жолы", true).await;
        let made = copies_of(&app, &l.cataloger, "C00", &r, 3, 150_000).await;
        let (c1, c2, c3) = (&made[0], &made[1], &made[2]);
        let reader = register(&app, &l.c00, "Әуезов", "Мұхтар", json!({})).await;
        checkout(&app, &l.c00, "C00", reader["id"].as_str().unwrap(), &c3.1, json!({})).await.expect(201);

        // A copy on loan refuses the whole act, named by its inventory number.
        let refused = make_act(&app, &fund, "C00", json!({"to_library": "F07", "copy_ids": [c1.0, c3.0]})).await.expect(409);
        assert_eq!(refused.code(), "on_loan", "{}", refused.text);
        assert!(refused.text.contains(&c3.2), "{}", refused.text);
        assert!(app.get("/api/v1/transfer-acts", Some(&fund)).await.expect(200).body["acts"].as_array().unwrap().is_empty());
        assert!(position(&app, &fund, &c1.0).await["requested_to"].is_null(), "nothing half done");
        // Desk librarians do not give copies away; a library does not give to itself.
        assert_eq!(make_act(&app, &l.c00, "C00", json!({"to_library": "F07", "copy_ids": [c1.0]})).await.expect(403).code(), "role_denied");
        assert_eq!(make_act(&app, &fund, "C00", json!({"to_library": "C00", "copy_ids": [c1.0]})).await.expect(422).code(), "validation_failed");
        assert_eq!(make_act(&app, &fund, "C00", json!({"to_library": "F07"})).await.expect(422).code(), "validation_failed");

        let body = json!({"to_library": "F07", "copy_ids": [c1.0], "barcodes": [c2.1], "note": "the branch has none"});
        let act = make_act(&app, &fund, "C00", body).await.expect(201);
        let year = chrono::Utc::now().date_naive().format("%Y").to_string();
        assert_eq!(act.body["act"]["number"], format!("ТА-{year}/0001"), "{}", act.text);
        assert_eq!((act.body["act"]["from_library"].as_str(), act.body["act"]["to_library"].as_str()), (Some("C00"), Some("F07")));
        assert_eq!(act.body["act"]["copy_count"], 2);
        assert_eq!(act.body["act"]["total_minor"], 300_000);
        let lines = act.body["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|x| x["movement_status"] == "requested" && x["price_minor"] == 150_000 && x["title"] == "Абай жолы"));
        let act_id = act.body["act"]["id"].as_str().unwrap().to_owned();

        // On the fund's pick list for F07, reason redistribution; still the fund's.
        for c in [c1, c2] {
            let p = position(&app, &fund, &c.0).await;
            assert_eq!(p["requested_to"], "F07");
            assert_eq!(p["home_library"], "C00");
            assert_eq!(p["movements"][0]["reason"], "redistribution");
        }
        let picks = app.get("/api/v1/exchange/pick-list?library=C00", Some(&l.c00)).await.expect(200);
        let reasons: Vec<&str> = picks.body["lines"].as_array().unwrap().iter().map(|x| x["reason"].as_str().unwrap()).collect();
        assert_eq!(reasons, ["redistribution", "redistribution"]);
        // A copy already on the act cannot go on another.
        conflict(make_act(&app, &fund, "C00", json!({"to_library": "F12", "copy_ids": [c1.0]})).await, "requested_for_transfer");

        for c in [c1, c2] {
            scan(&app, &l.c00, "C00", "dispatch", &c.1).await.expect(200);
        }
        let read = app.get(&format!("/api/v1/transfer-acts/{act_id}"), Some(&l.f07)).await.expect(200);
        assert!(read.body["lines"].as_array().unwrap().iter().all(|x| x["movement_status"] == "in_transit"));
        for c in [c1, c2] {
            let got = scan(&app, &l.f07, "F07", "receive", &c.1).await.expect(200);
            assert_eq!(got.body["destination"], "shelf");
            let p = position(&app, &l.f07, &c.0).await;
            assert_eq!((p["home_library"].as_str(), p["shelf_library"].as_str()), (Some("F07"), Some("F07")));
            assert_eq!((p["place"]["code"].as_str(), p["place"]["library"].as_str()), (Some("shelf"), Some("F07")));
            assert_eq!(kinds(&p), ["requested", "dispatched", "received", "redistributed"]);
            let copy = app.get(&format!("/api/v1/copies/{}", c.0), Some(&l.f07)).await.expect(200);
            assert_eq!(copy.body["copy"]["library"], "F07", "{}", copy.text);
            assert_eq!(copy.body["copy"]["status"], "available");
        }
        let read = app.get(&format!("/api/v1/transfer-acts/{act_id}"), Some(&l.f07)).await.expect(200);
        assert!(read.body["lines"].as_array().unwrap().iter().all(|x| x["movement_status"] == "received" && x["home_library"] == "F07"), "{}", read.text);
        // Now F07's: the fund cannot give them again.
        conflict(make_act(&app, &fund, "C00", json!({"to_library": "F12", "copy_ids": [c1.0]})).await, "copy_in_other_library");

        let listed = app.get("/api/v1/transfer-acts?from=C00", Some(&fund)).await.expect(200);
        assert_eq!(listed.body["acts"].as_array().unwrap().len(), 1);
        let none = app.get("/api/v1/transfer-acts?to=F12", Some(&fund)).await.expect(200);
        assert!(none.body["acts"].as_array().unwrap().is_empty());
        let missing = app.get("/api/v1/transfer-acts/01939d7e-0000-7000-8000-000000000000", Some(&fund)).await.expect(404);
        assert_eq!(missing.code(), "transfer_act_not_found");

        // The act printed: number, date, from, to, lines, total.
        let csv = app.get(&format!("/api/v1/transfer-acts/{act_id}/export?format=csv"), Some(&fund)).await.expect(200);
        let text = &csv.text;
        assert!(text.starts_with(&format!("Transfer act,ТА-{year}/0001")), "{text}");
        assert!(text.contains("\nFrom,C00 ") && text.contains("\nTo,F07 "), "{text}");
        assert!(text.contains("Note,the branch has none"), "{text}");
        for c in [c1, c2] {
            assert!(text.contains(&format!(",{},{},Абай жолы,", c.2, c.1)), "{text}");
        }
        assert!(text.contains("Total,2 copies,,,,,3000.00"), "{text}");
        let xlsx = app.get(&format!("/api/v1/transfer-acts/{act_id}/export?format=xlsx"), Some(&fund)).await.expect(200);
        assert!(xlsx.header("content-type").unwrap().contains("spreadsheetml"));
    }

    async fn the_finder_proposes_unused_copies_and_titles_other_libraries_want(app: TestApp) {
        let l = libs(&app).await;
        let manager = staff(&app, "mgr.c00", "manager", "C00").await;
        let r = record(&app, &l.cataloger, "Ұлпан", true).await;
        let made = copies_of(&app, &l.cataloger, "C00", &r, 3, 100_000).await;
        let reader = register(&app, &l.f07, "Мүсірепов", "Ғабит", json!({})).await;
        // A reader of F07 asks for it: the hold is F07's demand.
        place(&app, &l.f07, &reader, &r, "F07").await;

        let found = app.get("/api/v1/exchange/redistribution/candidates?kind=surplus&min_copies=2", Some(&manager)).await.expect(200);
        let ours: Vec<&Value> = found.body["surplus"].as_array().unwrap().iter().filter(|s| s["record_id"] == r.as_str()).collect();
        assert_eq!(ours.len(), 1, "{}", found.text);
        assert_eq!(ours[0]["library"], "C00");
        assert_eq!(ours[0]["copies"], 3);
        assert_eq!(ours[0]["title"], "Ұлпан");
        let lacking: Vec<&str> = ours[0]["lacking"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
        assert!(lacking.contains(&"F07") && lacking.contains(&"F12") && !lacking.contains(&"C00"), "{lacking:?}");
        assert_eq!(ours[0]["requested_by"], json!([{"library": "F07", "requests": 1}]));
        // Three copies are not more than three.
        let none = app.get("/api/v1/exchange/redistribution/candidates?kind=surplus&min_copies=3", Some(&manager)).await.expect(200);
        assert!(!none.body["surplus"].as_array().unwrap().iter().any(|s| s["record_id"] == r.as_str()));
        // Only F07's surplus: nothing of this title.
        let f07 = app.get("/api/v1/exchange/redistribution/candidates?kind=surplus&library=F07", Some(&manager)).await.expect(200);
        assert!(!f07.body["surplus"].as_array().unwrap().iter().any(|s| s["record_id"] == r.as_str()));

        // Unused: a copy lent today is not; the other two are (never lent).
        let other = register(&app, &l.c00, "Мұқанов", "Сәбит", json!({})).await;
        // The hold put one copy on the pick list; lend one of the others.
        let mut lent = &made[0];
        for c in &made {
            if position(&app, &l.c00, &c.0).await["requested_to"].is_null() {
                lent = c;
            }
        }
        checkout(&app, &l.c00, "C00", other["id"].as_str().unwrap(), &lent.1, json!({})).await.expect(201);
        give_back(&app, &l.c00, "C00", &lent.1).await;
        let unused = app.get("/api/v1/exchange/redistribution/candidates?kind=unused&library=C00&years=1", Some(&manager)).await.expect(200);
        let ids: Vec<&str> = unused.body["unused"].as_array().unwrap().iter().map(|u| u["copy_id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 2, "{}", unused.text);
        assert!(!ids.contains(&lent.0.as_str()));
        assert!(unused.body["unused"].as_array().unwrap().iter().all(|u| u["last_loan_at"].is_null() && u["library"] == "C00" && u["title"] == "Ұлпан"));
        let at_f07 = app.get("/api/v1/exchange/redistribution/candidates?kind=unused&library=F07", Some(&manager)).await.expect(200);
        assert!(at_f07.body["unused"].as_array().unwrap().is_empty());

        assert_eq!(app.get("/api/v1/exchange/redistribution/candidates?kind=surplus", Some(&l.c00)).await.expect(403).code(), "role_denied");
        assert_eq!(app.get("/api/v1/exchange/redistribution/candidates?kind=best", Some(&manager)).await.expect(422).code(), "validation_failed");
        assert_eq!(app.get("/api/v1/exchange/redistribution/candidates?kind=unused&library=X99", Some(&manager)).await.expect(404).code(), "library_not_found");
    }
}

/// A floated copy (owned by C00, standing on F07's shelf) given to F07 by
/// an act changes owner at once: no movement, the event logged.
async fn given_where_it_stands(backend: kitap_tests::Backend) {
    let Some(app) = TestApp::start_with(backend, |c| {
        c.exchange.floating_libraries = vec!["F07".to_owned()]
    })
    .await
    else {
        return;
    };
    let l = libs(&app).await;
    let fund = staff(&app, "ex.c00", "exchange", "C00").await;
    let r = record(&app, &l.cataloger, "Қан мен тер", true).await;
    let made = copies_of(&app, &l.cataloger, "C00", &r, 1, 90_000).await;
    let (copy, barcode) = (&made[0].0, &made[0].1);
    let reader = register(&app, &l.f07, "Нұрпейісов", "Әбдіжәміл", json!({})).await;
    checkout(
        &app,
        &l.c00,
        "C00",
        reader["id"].as_str().unwrap(),
        barcode,
        json!({}),
    )
    .await
    .expect(201);
    give_back(&app, &l.f07, "F07", barcode).await;
    let p = position(&app, &fund, copy).await;
    assert_eq!(
        (p["home_library"].as_str(), p["shelf_library"].as_str()),
        (Some("C00"), Some("F07"))
    );
    let body = json!({"to_library": "F07", "copy_ids": [copy]});
    let act = make_act(&app, &fund, "C00", body).await.expect(201);
    assert_eq!(
        act.body["lines"][0]["movement_status"], "given",
        "{}",
        act.text
    );
    assert_eq!(act.body["lines"][0]["home_library"], "F07");
    let p = position(&app, &fund, copy).await;
    assert_eq!(p["home_library"], "F07");
    assert!(p["requested_to"].is_null());
    assert!(p["movements"].as_array().unwrap().is_empty());
    assert_eq!(kinds(&p).last().map(String::as_str), Some("redistributed"));
}

#[actix_web::test]
async fn a_copy_standing_at_the_receiver_is_given_at_once_sqlite() {
    given_where_it_stands(kitap_tests::Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_copy_standing_at_the_receiver_is_given_at_once_postgres() {
    given_where_it_stands(kitap_tests::Backend::Postgres).await;
}

/// The sent/received counts of `libraries` recomputed from the copies'
/// own event logs: (library, sent or received, reason) → count.
fn recount(positions: &[Value]) -> std::collections::BTreeMap<(String, &'static str, String), u64> {
    let mut out = std::collections::BTreeMap::new();
    for p in positions {
        for e in p["events"].as_array().unwrap() {
            let reason = e["reason"].as_str().unwrap_or("").to_owned();
            let (side, library) = match e["kind"].as_str().unwrap() {
                "dispatched" => ("sent", &e["from_library"]),
                "received" => ("received", &e["to_library"]),
                _ => continue,
            };
            *out.entry((library.as_str().unwrap().to_owned(), side, reason))
                .or_insert(0) += 1;
        }
    }
    out
}

both_backends! {
    async fn exchange_statistics_count_every_movement_once(app: TestApp) {
        let l = libs(&app).await;
        let fund = staff(&app, "ex.c00", "exchange", "C00").await;
        let manager = staff(&app, "mgr.c00", "manager", "C00").await;
        let r1 = register(&app, &l.f07, "Жансүгіров", "Ілияс", json!({})).await;
        let r2 = register(&app, &l.f12, "Майлин", "Бейімбет", json!({})).await;
        let x = record(&app, &l.cataloger, "Құлагер", true).await;
        let y = record(&app, &l.cataloger, "Шұға", true).await;
        let z = record(&app, &l.cataloger, "Қорқыт", true).await;
        let cx = copies_of(&app, &l.cataloger, "C00", &x, 1, 0).await.remove(0);
        let cy = copies_of(&app, &l.cataloger, "C00", &y, 1, 0).await.remove(0);
        let cz = copies_of(&app, &l.cataloger, "C00", &z, 1, 0).await.remove(0);

        // A: R1's hold at F07 served from the fund.
        place(&app, &l.f07, &r1, &x, "F07").await;
        scan(&app, &l.c00, "C00", "dispatch", &cx.1).await.expect(200);
        scan(&app, &l.f07, "F07", "receive", &cx.1).await.expect(200);
        // B: R1 borrows and returns it at F07: it goes home.
        checkout(&app, &l.f07, "F07", r1["id"].as_str().unwrap(), &cx.1, json!({})).await.expect(201);
        give_back(&app, &l.f07, "F07", &cx.1).await;
        scan(&app, &l.c00, "C00", "receive", &cx.1).await.expect(200);
        // C: Y given to F12.
        make_act(&app, &fund, "C00", json!({"to_library": "F12", "copy_ids": [cy.0]})).await.expect(201);
        scan(&app, &l.c00, "C00", "dispatch", &cy.1).await.expect(200);
        scan(&app, &l.f12, "F12", "receive", &cy.1).await.expect(200);
        // D: R2's hold at F12, on the road still.
        place(&app, &l.f12, &r2, &z, "F12").await;
        scan(&app, &l.c00, "C00", "dispatch", &cz.1).await.expect(200);

        let today = chrono::Utc::now().date_naive();
        let (from, to) = (today.pred_opt().unwrap(), today.succ_opt().unwrap());
        let path = format!("/api/v1/exchange/stats?from={from}&to={to}&library=C00,F07&library=F12");
        let stats = app.get(&path, Some(&manager)).await.expect(200);
        let rows = stats.body["libraries"].as_array().unwrap();
        let libs_listed: Vec<&str> = rows.iter().map(|x| x["library"].as_str().unwrap()).collect();
        assert_eq!(libs_listed, ["C00", "F07", "F12"], "{}", stats.text);
        let row = |code: &str| rows.iter().find(|x| x["library"] == code).unwrap().clone();
        let (c00, f07, f12, total) = (row("C00"), row("F07"), row("F12"), stats.body["total"].clone());
        let reasons = |v: &Value, side: &str| -> Vec<(String, u64)> {
            v[side].as_object().unwrap().iter().filter(|(_, n)| n.as_u64().unwrap() > 0)
                .map(|(k, n)| (k.clone(), n.as_u64().unwrap())).collect()
        };
        let pairs = |list: &[(&str, u64)]| -> Vec<(String, u64)> { list.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect() };
        // By hand: C00 sent X (hold), Y (redistribution), Z (hold); received X home.
        assert_eq!((c00["sent"].as_u64(), c00["received"].as_u64()), (Some(3), Some(1)));
        assert_eq!(reasons(&c00, "sent_by_reason"), pairs(&[("hold", 2), ("redistribution", 1)]));
        assert_eq!(reasons(&c00, "received_by_reason"), pairs(&[("return_home", 1)]));
        assert_eq!(c00["readers_served"], 0);
        assert_eq!(c00["sent_by_reason"].as_object().unwrap().len(), 6, "every reason listed");
        // F07 received X for R1 and sent it home.
        assert_eq!((f07["sent"].as_u64(), f07["received"].as_u64()), (Some(1), Some(1)));
        assert_eq!(reasons(&f07, "sent_by_reason"), pairs(&[("return_home", 1)]));
        assert_eq!(reasons(&f07, "received_by_reason"), pairs(&[("hold", 1)]));
        assert_eq!(f07["readers_served"], 1);
        // F12 received Y; Z has not arrived, so R2 is not served yet.
        assert_eq!((f12["sent"].as_u64(), f12["received"].as_u64()), (Some(0), Some(1)));
        assert_eq!(reasons(&f12, "received_by_reason"), pairs(&[("redistribution", 1)]));
        assert_eq!(f12["readers_served"], 0);
        assert_eq!((total["sent"].as_u64(), total["received"].as_u64(), total["readers_served"].as_u64()), (Some(4), Some(3), Some(1)));
        for v in [&c00, &f07, &f12, &total] {
            assert_eq!((v["selections_sent"].as_u64(), v["selections_received"].as_u64()), (Some(0), Some(0)));
            assert_eq!((v["overdue_outgoing"].as_u64(), v["overdue_incoming"].as_u64()), (Some(0), Some(0)));
        }

        // Reproducible: the same numbers from the copies' own event logs.
        let mut positions = Vec::new();
        for c in [&cx, &cy, &cz] {
            positions.push(position(&app, &manager, &c.0).await);
        }
        let counted = recount(&positions);
        for v in [&c00, &f07, &f12] {
            let code = v["library"].as_str().unwrap();
            for (side, key) in [("sent", "sent_by_reason"), ("received", "received_by_reason")] {
                let mut sum = 0;
                for (reason, n) in v[key].as_object().unwrap() {
                    let again = counted.get(&(code.to_owned(), side, reason.clone())).copied().unwrap_or(0);
                    assert_eq!(n.as_u64().unwrap(), again, "{code} {side} {reason}");
                    sum += again;
                }
                assert_eq!(v[side].as_u64().unwrap(), sum, "{code} {side}");
            }
        }
        // Asked again: the same answer.
        assert_eq!(app.get(&path, Some(&manager)).await.expect(200).body, stats.body);

        // Another period: nothing. All libraries by default.
        let old = app.get("/api/v1/exchange/stats?from=2020-01-01&to=2020-01-31", Some(&manager)).await.expect(200);
        assert_eq!(old.body["total"]["sent"], 0);
        assert!(old.body["libraries"].as_array().unwrap().len() >= 3);
        assert_eq!(app.get("/api/v1/exchange/stats?from=2020-01-01&to=2020-01-31", Some(&l.c00)).await.expect(403).code(), "role_denied");
        assert_eq!(app.get("/api/v1/exchange/stats?to=2020-01-31", Some(&manager)).await.expect(400).code(), "invalid_query_parameter");
        assert_eq!(app.get("/api/v1/exchange/stats?from=2020-02-01&to=2020-01-31", Some(&manager)).await.expect(422).code(), "validation_failed");
        assert_eq!(app.get("/api/v1/exchange/stats?from=2020-01-01&to=2020-01-31&library=X99", Some(&manager)).await.expect(404).code(), "library_not_found");
    }
}
