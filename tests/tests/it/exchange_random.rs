//! Random sequences of desk and exchange operations through the HTTP API
//! (issue #7's "the same scenarios pass through the API on both backends"):
//! checkouts and returns at any library, holds placed and cancelled,
//! dispatch and receive scans at right and wrong libraries, pick-list lines
//! called off. Every answer is a success or a 4xx envelope, never a 500,
//! and after every step the copies, holds and movements agree:
//! - a copy on loan has status on_loan and no travelling movement;
//! - a copy in transit has status in_transit and exactly one movement in
//!   transit, matching its place;
//! - a copy on a pick list has exactly one requested movement;
//! - a ready hold's copy is on that library's hold shelf for it, an
//!   in-transit hold's copy travels for it, and no copy serves two holds.

use actix_web::http::Method;
use kitap_tests::{both_backends, Response, TestApp};
use serde_json::{json, Value};

use crate::circulation_readers::{at, register};
use crate::copies::{record, staff};

const LIBRARIES: [&str; 3] = ["C00", "F01", "F02"];

/// xorshift64*: a fixed seed gives the same sequence on every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct World {
    desks: Vec<String>,
    cataloger: String,
    records: Vec<String>,
    /// (copy id, barcode, record index)
    copies: Vec<(String, String, usize)>,
    readers: Vec<Value>,
}

async fn world(app: &TestApp) -> World {
    let mut desks = Vec::new();
    for lib in LIBRARIES {
        desks.push(
            staff(
                app,
                &format!("desk.{}", lib.to_lowercase()),
                "librarian",
                lib,
            )
            .await,
        );
    }
    let cataloger = staff(app, "cat.all", "cataloger", "C00").await;
    let mut records = Vec::new();
    let mut copies = Vec::new();
    for (r, title) in ["Абай жолы", "Көшпенділер"].iter().enumerate() {
        let id = record(app, &cataloger, title, true).await;
        for lib in LIBRARIES.iter().take(3 - r) {
            let path = format!("/api/v1/records/{id}/copies");
            let cat = staff(
                app,
                &format!("cat.{}.{r}", lib.to_lowercase()),
                "cataloger",
                lib,
            )
            .await;
            let made = at(app, Method::POST, &path, &cat, lib, Some(json!({})))
                .await
                .expect(201);
            let c = &made.body["copies"][0];
            copies.push((
                c["id"].as_str().unwrap().to_owned(),
                c["barcode"].as_str().unwrap().to_owned(),
                r,
            ));
        }
        records.push(id);
    }
    let mut readers = Vec::new();
    for (i, name) in ["Әлия", "Ерлан", "Назым", "Болат"].iter().enumerate() {
        readers.push(register(app, &desks[i % 3], &format!("Оқырман{i}"), name, json!({})).await);
    }
    World {
        desks,
        cataloger,
        records,
        copies,
        readers,
    }
}

fn acceptable(r: &Response, what: &str) {
    let status = r.status.as_u16();
    assert!(
        status < 300 || (400..500).contains(&status),
        "{what}: {status} {}",
        r.text
    );
    if status >= 400 {
        assert!(
            !r.code().is_empty(),
            "{what}: an error without a code: {}",
            r.text
        );
    }
}

async fn step(app: &TestApp, w: &World, dice: &mut Dice) -> String {
    let lib = dice.pick(3);
    let (desk, code) = (&w.desks[lib], LIBRARIES[lib]);
    let (_, barcode, rec) = &w.copies[dice.pick(w.copies.len())];
    let reader = &w.readers[dice.pick(w.readers.len())];
    let (what, r) = match dice.pick(10) {
        0 => {
            let body = json!({"reader": reader["id"], "item_barcode": barcode});
            (
                "checkout",
                at(app, Method::POST, "/api/v1/loans", desk, code, Some(body)).await,
            )
        }
        1 | 2 => {
            let body = json!({"item_barcode": barcode});
            (
                "return",
                at(app, Method::POST, "/api/v1/returns", desk, code, Some(body)).await,
            )
        }
        3 | 4 => {
            let body = json!({"reader": reader["id"], "record_id": w.records[*rec], "pickup_library": code});
            (
                "hold",
                at(app, Method::POST, "/api/v1/holds", desk, code, Some(body)).await,
            )
        }
        5 => {
            let path = format!("/api/v1/holds?reader={}", reader["id"].as_str().unwrap());
            let open = app.get(&path, Some(desk)).await.expect(200).body["holds"].clone();
            match open.as_array().and_then(|h| h.first()) {
                Some(h) => {
                    let path = format!("/api/v1/holds/{}", h["id"].as_str().unwrap());
                    (
                        "cancel hold",
                        at(app, Method::DELETE, &path, desk, code, None).await,
                    )
                }
                None => return "nothing to cancel".to_owned(),
            }
        }
        6 | 7 => {
            // Send a line of some library's pick list, mostly from there.
            let from = dice.pick(3);
            let path = format!("/api/v1/exchange/pick-list?library={}", LIBRARIES[from]);
            let lines = app.get(&path, Some(desk)).await.expect(200).body["lines"].clone();
            let Some(line) = lines
                .as_array()
                .and_then(|l| l.get(dice.pick(l.len().max(1))))
                .cloned()
            else {
                return "empty pick list".to_owned();
            };
            let by = if dice.pick(5) == 0 { lib } else { from };
            let body = json!({"barcode": line["barcode"]});
            (
                "dispatch",
                at(
                    app,
                    Method::POST,
                    "/api/v1/transfers/dispatch",
                    &w.desks[by],
                    LIBRARIES[by],
                    Some(body),
                )
                .await,
            )
        }
        8 => {
            // Receive a travelling copy, mostly where it goes.
            let board = app
                .get("/api/v1/transfers?status=in_transit", Some(desk))
                .await
                .expect(200)
                .body["transfers"]
                .clone();
            let Some(t) = board
                .as_array()
                .and_then(|l| l.get(dice.pick(l.len().max(1))))
                .cloned()
            else {
                return "nothing travelling".to_owned();
            };
            let to = LIBRARIES
                .iter()
                .position(|l| t["to_library"] == *l)
                .unwrap_or(lib);
            let by = if dice.pick(5) == 0 { lib } else { to };
            let body = json!({"barcode": t["barcode"]});
            let path = if dice.pick(3) == 0 {
                "/api/v1/returns"
            } else {
                "/api/v1/transfers/receive"
            };
            let body = if path == "/api/v1/returns" {
                json!({"item_barcode": t["barcode"]})
            } else {
                body
            };
            (
                "receive",
                at(
                    app,
                    Method::POST,
                    path,
                    &w.desks[by],
                    LIBRARIES[by],
                    Some(body),
                )
                .await,
            )
        }
        _ => {
            let lines = app
                .get(
                    &format!("/api/v1/exchange/pick-list?library={code}"),
                    Some(desk),
                )
                .await
                .expect(200);
            match lines.body["lines"].as_array().and_then(|l| l.first()) {
                Some(line) => {
                    let path = format!("/api/v1/transfers/{}/cancel", line["id"].as_str().unwrap());
                    (
                        "call off",
                        at(
                            app,
                            Method::POST,
                            &path,
                            desk,
                            code,
                            Some(json!({"note": "not found"})),
                        )
                        .await,
                    )
                }
                None => return "empty pick list".to_owned(),
            }
        }
    };
    acceptable(&r, what);
    let ok = if r.status.is_success() {
        "ok"
    } else {
        "refused"
    };
    format!(
        "{what} {ok} {barcode} at {code}: {} {}",
        r.status.as_u16(),
        r.code()
    )
}

async fn check(app: &TestApp, w: &World, log: &[String]) {
    let token = &w.desks[0];
    let mut trapped: Vec<(String, String)> = Vec::new(); // (hold id, copy id) seen from copies
    for (copy, _, _) in &w.copies {
        let p = app
            .get(&format!("/api/v1/copies/{copy}/position"), Some(token))
            .await
            .expect(200)
            .body;
        let place = p["place"]["code"].as_str().unwrap();
        let status = p["status"].as_str().unwrap();
        let moves = p["movements"].as_array().unwrap();
        let travelling: Vec<&Value> = moves
            .iter()
            .filter(|m| m["status"] == "in_transit")
            .collect();
        let requested: Vec<&Value> = moves
            .iter()
            .filter(|m| m["status"] == "requested")
            .collect();
        let ctx = || format!("copy {copy}: {p}\nsteps:\n{}", log.join("\n"));
        match place {
            "on_loan" => {
                assert_eq!(status, "on_loan", "{}", ctx());
                assert!(travelling.is_empty() && requested.is_empty(), "{}", ctx());
            }
            "in_transit" => {
                assert_eq!(status, "in_transit", "{}", ctx());
                assert_eq!(travelling.len(), 1, "{}", ctx());
                assert_eq!(
                    travelling[0]["from_library"],
                    p["place"]["from_library"],
                    "{}",
                    ctx()
                );
                assert_eq!(
                    travelling[0]["to_library"],
                    p["place"]["to_library"],
                    "{}",
                    ctx()
                );
                assert_ne!(
                    p["place"]["from_library"],
                    p["place"]["to_library"],
                    "{}",
                    ctx()
                );
                assert!(requested.is_empty(), "{}", ctx());
                if p["place"]["reason"] == "hold" {
                    trapped.push((
                        p["place"]["hold_id"].as_str().unwrap().to_owned(),
                        copy.clone(),
                    ));
                }
            }
            "shelf" | "hold_shelf" => {
                assert!(travelling.is_empty(), "{}", ctx());
                assert!(matches!(status, "available" | "missing"), "{}", ctx());
                assert_eq!(
                    requested.len(),
                    usize::from(!p["requested_to"].is_null()),
                    "{}",
                    ctx()
                );
                if place == "hold_shelf" {
                    trapped.push((
                        p["place"]["hold_id"].as_str().unwrap().to_owned(),
                        copy.clone(),
                    ));
                }
            }
            other => panic!("unknown place {other}: {}", ctx()),
        }
    }
    let mut from_holds: Vec<(String, String)> = Vec::new();
    for record in &w.records {
        let holds = app
            .get(&format!("/api/v1/holds?record_id={record}"), Some(token))
            .await
            .expect(200)
            .body;
        for h in holds["holds"].as_array().unwrap() {
            let ctx = || format!("hold {h}\nsteps:\n{}", log.join("\n"));
            match h["status"].as_str().unwrap() {
                "ready" | "in_transit" => {
                    let copy = h["trapped_copy_id"]
                        .as_str()
                        .expect("a trapped copy")
                        .to_owned();
                    from_holds.push((h["id"].as_str().unwrap().to_owned(), copy));
                }
                "waiting" => assert!(h["trapped_copy_id"].is_null(), "{}", ctx()),
                _ => {}
            }
        }
    }
    trapped.sort();
    from_holds.sort();
    assert_eq!(
        trapped,
        from_holds,
        "copies serving holds disagree with the holds\nsteps:\n{}",
        log.join("\n")
    );
    let mut copies: Vec<&String> = trapped.iter().map(|(_, c)| c).collect();
    copies.dedup();
    assert_eq!(copies.len(), trapped.len(), "a copy serves two holds");
}

async fn run(app: &TestApp, seed: u64, steps: usize) {
    let w = world(app).await;
    let _ = &w.cataloger;
    let mut dice = Dice(seed);
    let mut log = Vec::new();
    for _ in 0..steps {
        log.push(step(app, &w, &mut dice).await);
        check(app, &w, &log).await;
    }
    // The walk must have moved copies, or it proved nothing.
    for what in [
        "checkout ok",
        "return ok",
        "hold ok",
        "dispatch ok",
        "receive ok",
        "call off ok",
        "cancel hold ok",
    ] {
        let n = log.iter().filter(|l| l.starts_with(what)).count();
        assert!(
            n >= 1,
            "only {n} of \"{what}\" in {steps} steps:\n{}",
            log.join("\n")
        );
    }
}

both_backends! {
    async fn random_desk_and_exchange_sequences_keep_every_copy_in_one_place(app: TestApp) {
        run(&app, 0x9E37_79B9_7F4A_7C15, 300).await;
    }
}
