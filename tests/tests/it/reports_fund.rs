//! The fund, exchange and ratios reports through the API (issue #8): a
//! day's fund movement at two libraries counted by hand (accession acts,
//! a write-off, a copy registered without an act, a redistribution), the
//! balance per library, the classes the act lines kept when the record is
//! re-classed afterwards, and the numbers recounted from the copies.

use actix_web::http::Method;
use chrono::NaiveDate;
use kitap_tests::{both_backends, TestApp};
use serde_json::{json, Value};

use crate::circulation_desk::checkout;
use crate::circulation_readers::{at, register};
use crate::copies::staff;
use crate::exchange::scan;
use crate::reports::{cell, ints, table};

/// A Kazakh fiction book (UNIMARC, BBK 84(5Каз)) or a Russian history
/// book (MARC 21, BBK 63.3(5Каз)), with `bbk` instead when given.
fn marc(title: &str, kazakh: bool, bbk: &str) -> Value {
    if kazakh {
        json!({
            "leader": "00000nam0 2200000   450 ",
            "fields": [
                {"100": {"ind1": " ", "ind2": " ", "subfields": [{"a": "20240101d2023    k  y0kaza50      ca"}]}},
                {"101": {"ind1": "0", "ind2": " ", "subfields": [{"a": "kaz"}]}},
                {"200": {"ind1": "1", "ind2": " ", "subfields": [{"a": title}]}},
                {"686": {"ind1": " ", "ind2": " ", "subfields": [{"a": bbk}, {"2": "rubbk"}]}}
            ]
        })
    } else {
        json!({
            "leader": "00000nam a2200000 i 4500",
            "fields": [
                {"008": "230101s2021    kz            000 0 rus d"},
                {"084": {"ind1": " ", "ind2": " ", "subfields": [{"a": bbk}, {"2": "rubbk"}]}},
                {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": title}]}}
            ]
        })
    }
}

async fn record(app: &TestApp, token: &str, title: &str, kazakh: bool, bbk: &str) -> Value {
    let made = app
        .post(
            "/api/v1/records",
            Some(token),
            json!({"marc": marc(title, kazakh, bbk)}),
        )
        .await
        .expect(201);
    made.body["record"].clone()
}

/// `count` copies of `record` at `library`: (id, barcode) each.
async fn copies(
    app: &TestApp,
    token: &str,
    library: &str,
    record: &str,
    count: u32,
    price: i64,
) -> Vec<(String, String)> {
    let path = format!("/api/v1/records/{record}/copies");
    let body = json!({"count": count, "price_minor": price});
    let made = at(app, Method::POST, &path, token, library, Some(body))
        .await
        .expect(201);
    made.body["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_owned();
            (s("id"), s("barcode"))
        })
        .collect()
}

struct Day {
    manager: String,
    today: NaiveDate,
    k: Value,
    cataloger: String,
}

/// F07 accessions three Kazakh fiction copies (budget), lends one, writes
/// one off (worn) and registers a Russian copy without an act; F12
/// accessions two Russian history copies (gift) and gives one to F07 for
/// good (redistribution). One reader at F07.
async fn day(app: &TestApp) -> Day {
    let cf07 = staff(app, "cat.f07", "cataloger", "F07").await;
    let cf12 = staff(app, "cat.f12", "cataloger", "F12").await;
    let lf07 = staff(app, "lib.f07", "librarian", "F07").await;
    let lf12 = staff(app, "lib.f12", "librarian", "F12").await;
    let ex12 = staff(app, "ex.f12", "exchange", "F12").await;
    let manager = staff(app, "mgr", "manager", "C00").await;
    let today = kitap_app::circulation::today();

    let k = record(app, &cf07, "Абай жолы", true, "84(5Каз)").await;
    let r = record(app, &cf12, "История Казахстана", false, "63.3(5Каз)").await;
    assert_eq!(k["knowledge_area"], "fiction", "{k}");
    let (k_id, r_id) = (k["id"].as_str().unwrap(), r["id"].as_str().unwrap());
    let ks = copies(app, &cf07, "F07", k_id, 3, 100_000).await;
    let ids = |c: &[(String, String)]| c.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    let body = json!({"date": today, "source": "budget", "copy_ids": ids(&ks)});
    at(
        app,
        Method::POST,
        "/api/v1/accession-acts",
        &cf07,
        "F07",
        Some(body),
    )
    .await
    .expect(201);
    let rs = copies(app, &cf12, "F12", r_id, 2, 50_000).await;
    let body = json!({"date": today, "source": "gift", "copy_ids": ids(&rs)});
    at(
        app,
        Method::POST,
        "/api/v1/accession-acts",
        &cf12,
        "F12",
        Some(body),
    )
    .await
    .expect(201);
    let body = json!({"date": today, "reason": "worn", "copy_ids": [ks[2].0]});
    at(
        app,
        Method::POST,
        "/api/v1/write-off-acts",
        &cf07,
        "F07",
        Some(body),
    )
    .await
    .expect(201);
    copies(app, &cf07, "F07", r_id, 1, 30_000).await;

    let body = json!({"to_library": "F07", "copy_ids": [rs[0].0]});
    at(
        app,
        Method::POST,
        "/api/v1/transfer-acts",
        &ex12,
        "F12",
        Some(body),
    )
    .await
    .expect(201);
    scan(app, &lf12, "F12", "dispatch", &rs[0].1)
        .await
        .expect(200);
    scan(app, &lf07, "F07", "receive", &rs[0].1)
        .await
        .expect(200);

    let reader = register(app, &lf07, "Оспанов", "Ерлан", json!({})).await;
    let card = reader["card_number"].as_str().unwrap();
    checkout(app, &lf07, "F07", card, &ks[0].1, json!({}))
        .await
        .expect(201);
    Day {
        manager,
        today,
        k,
        cataloger: cf07,
    }
}

async fn report(app: &TestApp, d: &Day, kind: &str) -> Value {
    let path = format!(
        "/api/v1/reports/{kind}?from={t}&to={t}&library=F07&library=F12",
        t = d.today
    );
    app.get(&path, Some(&d.manager)).await.expect(200).body
}

const BALANCE: [&str; 7] = [
    "Held at start",
    "Received",
    "Added without an act",
    "Written off",
    "Redistributed in",
    "Redistributed out",
    "Held at end",
];

both_backends! {
    async fn the_fund_balance_of_a_day_counted_by_hand(app: TestApp) {
        let d = day(&app).await;
        let fund = report(&app, &d, "fund").await;
        assert_eq!(fund["kind"], "fund");
        let b = table(&fund, "fund_movement");
        assert_eq!(ints(b, &["F07"], &BALANCE), [0, 3, 1, 1, 1, 0, 4]);
        assert_eq!(ints(b, &["F12"], &BALANCE), [0, 2, 0, 0, 0, 1, 1]);
        // The move F12→F07 stays inside the two libraries' total.
        assert_eq!(ints(b, &["Total"], &BALANCE), [0, 5, 1, 1, 0, 0, 5]);
        assert_eq!(ints(b, &["F07"], &["Titles held"]), [2]);
        // 2 × 1,000 + 300 + 500 tenge.
        assert_eq!(cell(b, &["F07"], "Value held"), json!(2800.0));

        let received = table(&fund, "fund_received");
        assert_eq!(ints(received, &["F07"], &["Copies", "Kazakh", "budget", "gift"]), [3, 3, 3, 0]);
        assert_eq!(ints(received, &["F12"], &["Copies", "Russian", "budget", "gift"]), [2, 2, 0, 2]);
        assert_eq!(cell(received, &["Total"], "Value"), json!(4000.0));
        let off = table(&fund, "fund_written_off");
        assert_eq!(ints(off, &["F07"], &["Copies", "worn"]), [1, 1]);
        let by_area = table(&fund, "fund_received_by_area");
        assert_eq!(ints(by_area, &["F07", "fiction"], &["Copies", "Kazakh", "Titles"]), [3, 3, 1]);
        let held = table(&fund, "fund_held_by_area");
        assert_eq!(ints(held, &["Total", "all"], &["Copies", "Kazakh", "Russian", "Titles"]), [5, 2, 3, 2]);
        let material = table(&fund, "fund_by_material");
        let rows: u64 = material["rows"].as_array().unwrap().iter()
            .filter(|r| r[0] == "Total").map(|r| r[4].as_u64().unwrap()).sum();
        assert_eq!(rows, 5);

        // Recounted from the copies themselves: held = not withdrawn, by library.
        for (lib, want) in [("F07", 4), ("F12", 1)] {
            let list = app.get(&format!("/api/v1/copies?library={lib}&limit=100"), Some(&d.manager)).await.expect(200);
            let held = list.body["copies"].as_array().unwrap().iter().filter(|c| c["status"] != "withdrawn").count();
            assert_eq!(held, want, "{lib}: {}", list.text);
        }

        let exchange = report(&app, &d, "exchange").await;
        let x = table(&exchange, "exchange");
        assert_eq!(ints(x, &["F12"], &["Sent", "Received", "sent: redistribution"]), [1, 0, 1]);
        assert_eq!(ints(x, &["F07"], &["Sent", "Received", "received: redistribution"]), [0, 1, 1]);
        assert_eq!(ints(x, &["Total"], &["Sent", "Received"]), [1, 1]);

        let ratios = report(&app, &d, "ratios").await;
        let r = table(&ratios, "ratios");
        assert_eq!(ints(r, &["F07"], &["Registered readers", "Loans", "Copies held"]), [1, 1, 4]);
        assert_eq!(cell(r, &["F07"], "Fund turnover"), json!(0.25));
        assert_eq!(cell(r, &["F07"], "Copies per reader"), json!(4.0));
        // No readers at F12: no ratio rather than a division by zero.
        assert_eq!(cell(r, &["F12"], "Copies per reader"), Value::Null);

        // CSV: money with two decimals.
        let csv = app.get(&format!("/api/v1/reports/fund?from={t}&to={t}&library=F07&format=csv", t = d.today), Some(&d.manager)).await.expect(200);
        assert!(csv.text.contains("F07,0,3,1,1,1,0,4,2,2800.00"), "{}", csv.text);
    }

    async fn act_lines_keep_the_class_of_their_day(app: TestApp) {
        let d = day(&app).await;
        // The record is re-classed: mathematics now.
        let id = d.k["id"].as_str().unwrap();
        let path = format!("/api/v1/records/{id}");
        let version = d.k["version"].as_i64().unwrap();
        let body = json!({"version": version, "marc": marc("Абай жолы", true, "22.1")});
        let saved = app.put(&path, Some(&d.cataloger), body).await.expect(200);
        assert_eq!(saved.body["record"]["knowledge_area"], "natural_sciences");

        let fund = report(&app, &d, "fund").await;
        // Received and written off as on the act's day…
        let by_area = table(&fund, "fund_received_by_area");
        assert_eq!(ints(by_area, &["F07", "fiction"], &["Copies"]), [3]);
        assert_eq!(ints(by_area, &["F07", "natural_sciences"], &["Copies"]), [0]);
        let off = table(&fund, "fund_written_off_by_area");
        assert_eq!(ints(off, &["F07", "fiction"], &["Copies"]), [1]);
        // …the fund held is a state: classed as its records are now.
        let held = table(&fund, "fund_held_by_area");
        assert_eq!(ints(held, &["F07", "natural_sciences"], &["Copies"]), [2]);
        assert_eq!(ints(held, &["F07", "fiction"], &["Copies"]), [0]);
    }
}
