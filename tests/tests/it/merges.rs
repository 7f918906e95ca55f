//! Merging duplicate records (issue #6): what moves, the redirect, the kept
//! source version, search, undo and its window, chains, and a checkout
//! racing the merge of its copy's record, on both backends.

use actix_web::http::Method;
use futures_util::stream::{self, StreamExt};
use kitap_tests::{both_backends, Backend, Response, TestApp};
use serde_json::{json, Value};

use crate::circulation_desk::checkout;
use crate::circulation_readers::{at, register};
use crate::copies::{add, record, staff};

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

async fn merge(app: &TestApp, token: &str, survivor: &str, merged: &str) -> Response {
    let body = json!({"merged_id": merged, "note": "the same edition, imported twice"});
    app.post(
        &format!("/api/v1/records/{survivor}/merge"),
        Some(token),
        body,
    )
    .await
}

async fn undo(app: &TestApp, token: &str, merge_id: &str) -> Response {
    app.post(
        &format!("/api/v1/merges/{merge_id}/undo"),
        Some(token),
        json!({}),
    )
    .await
}

/// GET without following redirects: (status, Location).
async fn get_raw(app: &TestApp, path: &str, token: Option<&str>) -> (u16, Option<String>) {
    let client = awc::Client::builder().disable_redirects().finish();
    let mut request = client.get(format!("{}{path}", app.base));
    if let Some(token) = token {
        request = request.insert_header(("Authorization", format!("Bearer {token}")));
    }
    let response = request.send().await.unwrap();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (response.status().as_u16(), location)
}

async fn copy_ids_of(app: &TestApp, token: &str, record: &str) -> Vec<String> {
    let listed = app
        .get(&format!("/api/v1/records/{record}/copies"), Some(token))
        .await
        .expect(200);
    let mut ids: Vec<String> = listed.body["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

async fn holds_of(app: &TestApp, token: &str, reader: &Value) -> Vec<Value> {
    let path = format!("/api/v1/holds?reader={}", reader["id"].as_str().unwrap());
    app.get(&path, Some(token)).await.expect(200).body["holds"]
        .as_array()
        .unwrap()
        .clone()
}

async fn search_ids(app: &TestApp, q: &str) -> Vec<String> {
    app.searchable().await;
    let page = app
        .get(&format!("/api/v1/search?q={q}"), None)
        .await
        .expect(200);
    page.body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn place_hold(app: &TestApp, token: &str, reader: &Value, record: &str) -> Value {
    let body = json!({"reader": reader["id"], "record_id": record, "pickup_library": "F01"});
    app.post("/api/v1/holds", Some(token), body)
        .await
        .expect(201)
        .body["hold"]
        .clone()
}

both_backends! {
    async fn a_merge_moves_everything_redirects_and_undoes(app: TestApp) {
        let d = desk(&app).await;
        let survivor = record(&app, &d.cataloger, "Qazmerge", true).await;
        let merged = record(&app, &d.cataloger, "Qazmerge", true).await;
        let mut before_survivor = copy_ids_of(&app, &d.cataloger, &survivor).await;
        add(&app, &d.cataloger, &survivor, json!({})).await;
        let merged_copies = add(&app, &d.cataloger, &merged, json!({"count": 2})).await;
        before_survivor = {
            let mut all = copy_ids_of(&app, &d.cataloger, &survivor).await;
            all.retain(|c| !before_survivor.contains(c));
            all
        };
        let mut merged_ids: Vec<String> = merged_copies.iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
        merged_ids.sort();
        let barcode = merged_copies[0]["barcode"].as_str().unwrap();

        // A loan of the merged record's copy, a hold on it, and a reader
        // holding both records (first the survivor, then the duplicate).
        let borrower = register(&app, &d.librarian, "Оспанов", "Ерлан", json!({})).await;
        let waiting = register(&app, &d.librarian, "Сәрсенова", "Әлия", json!({})).await;
        let both = register(&app, &d.librarian, "Мұратов", "Болат", json!({})).await;
        let loan = checkout(&app, &d.librarian, "F01", borrower["id"].as_str().unwrap(), barcode, json!({})).await.expect(201);
        let loan_id = loan.body["loan"]["id"].as_str().unwrap().to_owned();
        let waiting_hold = place_hold(&app, &d.librarian, &waiting, &merged).await;
        let kept = place_hold(&app, &d.librarian, &both, &survivor).await;
        let dropped = place_hold(&app, &d.librarian, &both, &merged).await;
        assert_eq!(search_ids(&app, "Qazmerge").await.len(), 2);

        // Only catalogers merge.
        let denied = merge(&app, &d.librarian, &survivor, &merged).await.expect(403);
        assert_eq!(denied.code(), "role_denied");
        let bad = merge(&app, &d.cataloger, &survivor, "not-an-id").await.expect(422);
        assert_eq!(bad.body["error"]["details"]["field"], "merged_id", "{}", bad.text);
        let same = merge(&app, &d.cataloger, &survivor, &survivor).await.expect(409);
        assert_eq!(same.code(), "merge_same_record");
        let unknown = merge(&app, &d.cataloger, &survivor, &uuid::Uuid::now_v7().to_string()).await.expect(404);
        assert_eq!(unknown.code(), "record_not_found");

        let done = merge(&app, &d.cataloger, &survivor, &merged).await.expect(200);
        let m = done.body.clone();
        assert_eq!(m["survivor_id"], survivor.as_str());
        assert_eq!(m["merged_id"], merged.as_str());
        assert_eq!(m["merged_title"], "Qazmerge");
        assert_eq!(m["moved"]["copies"], 2);
        assert_eq!(m["moved"]["loans"], 1);
        assert_eq!(m["moved"]["holds"], 2, "{m}");
        assert_eq!(m["moved"]["holds_cancelled"], 1);
        assert!(m["moved"]["circulation_events"].as_u64().unwrap() >= 1);
        assert!(m["undone_at"].is_null());
        let merge_id = m["id"].as_str().unwrap().to_owned();

        // Everything is on the survivor; the duplicate hold was cancelled.
        let mut all = before_survivor.clone();
        all.extend(merged_ids.clone());
        all.sort();
        assert_eq!(copy_ids_of(&app, &d.cataloger, &survivor).await, all);
        let loans = app.get(&format!("/api/v1/readers/{}/loans", borrower["id"].as_str().unwrap()), Some(&d.librarian)).await.expect(200);
        assert_eq!(loans.body["loans"][0]["id"], loan_id.as_str());
        assert_eq!(loans.body["loans"][0]["record_id"], survivor.as_str());
        let w = holds_of(&app, &d.librarian, &waiting).await;
        assert_eq!(w[0]["id"], waiting_hold["id"]);
        assert_eq!(w[0]["record_id"], survivor.as_str());
        assert_eq!(w[0]["status"], "waiting");
        let b = holds_of(&app, &d.librarian, &both).await;
        assert_eq!(b.len(), 1, "{b:?}");
        assert_eq!(b[0]["id"], kept["id"]);
        let path = format!("/api/v1/holds?reader={}&status=cancelled", both["id"].as_str().unwrap());
        let cancelled = app.get(&path, Some(&d.librarian)).await.expect(200);
        assert_eq!(cancelled.body["holds"][0]["id"], dropped["id"], "{}", cancelled.text);

        // The old id answers 308 to the survivor, for staff and the OPAC.
        let location = format!("/api/v1/records/{survivor}");
        assert_eq!(get_raw(&app, &format!("/api/v1/records/{merged}"), Some(&d.cataloger)).await, (308, Some(location.clone())));
        assert_eq!(get_raw(&app, &format!("/api/v1/records/{merged}"), None).await, (308, Some(location)));
        assert_eq!(get_raw(&app, &format!("/api/v1/records/{}", uuid::Uuid::now_v7()), None).await.0, 404);
        // A hold placed on the old id (an OPAC bookmark) holds the survivor.
        let late = register(&app, &d.librarian, "Кеш", "Келген", json!({})).await;
        let bookmarked = place_hold(&app, &d.librarian, &late, &merged).await;
        assert_eq!(bookmarked["record_id"], survivor.as_str());
        let again = merge(&app, &d.cataloger, &survivor, &merged).await.expect(409);
        assert_eq!(again.code(), "record_already_merged");

        // The merged MARC is kept as a source version of the survivor.
        let sources = app.get(&format!("/api/v1/records/{survivor}/sources"), Some(&d.librarian)).await.expect(200);
        let source = sources.body["sources"][0].clone();
        assert_eq!(sources.body["sources"].as_array().unwrap().len(), 1);
        assert_eq!(source["kind"], "merged");
        assert_eq!(source["format"], "iso2709");
        assert_eq!(source["merge_id"], merge_id.as_str());
        let sid = source["id"].as_str().unwrap();
        let raw = app.get(&format!("/api/v1/records/{survivor}/sources/{sid}"), Some(&d.librarian)).await.expect(200);
        assert_eq!(raw.header("content-type"), Some("application/marc"));
        assert_eq!(raw.bytes.len() as u64, source["size"].as_u64().unwrap());
        assert_eq!(raw.bytes.last(), Some(&0x1d));
        let as_json = app.get(&format!("/api/v1/records/{survivor}/sources/{sid}?format=json"), Some(&d.librarian)).await.expect(200);
        assert!(as_json.text.contains("Qazmerge"), "{}", as_json.text);
        let as_xml = app.get(&format!("/api/v1/records/{survivor}/sources/{sid}?format=marcxml"), Some(&d.librarian)).await.expect(200);
        assert_eq!(as_xml.header("content-type"), Some("application/marcxml+xml"));
        assert!(as_xml.text.contains("Qazmerge"));
        let bad = app.get(&format!("/api/v1/records/{survivor}/sources/{sid}?format=pdf"), Some(&d.librarian)).await.expect(422);
        assert_eq!(bad.code(), "validation_failed");
        let missing = app.get(&format!("/api/v1/records/{merged}/sources/{sid}"), Some(&d.librarian)).await.expect(404);
        assert_eq!(missing.code(), "record_not_found");

        // Search knows one record now.
        assert_eq!(search_ids(&app, "Qazmerge").await, vec![survivor.clone()]);

        // History and audit.
        let list = app.get("/api/v1/merges", Some(&d.librarian)).await.expect(200);
        assert_eq!(list.body["merges"][0]["id"], merge_id.as_str());
        let one = app.get(&format!("/api/v1/merges/{merge_id}"), Some(&d.librarian)).await.expect(200);
        assert_eq!(one.body["note"], "the same edition, imported twice");
        let admin = app.admin_token().await;
        let audit = app.get("/api/v1/audit?action=merge", Some(&admin)).await.expect(200);
        assert_eq!(audit.body["entries"][0]["entity_id"], merge_id.as_str(), "{}", audit.text);

        // Undo brings the record back with exactly what moved.
        let denied = undo(&app, &d.librarian, &merge_id).await.expect(403);
        assert_eq!(denied.code(), "role_denied");
        let undone = undo(&app, &d.cataloger, &merge_id).await.expect(200);
        assert_eq!(undone.body["moved_back"]["copies"], 2);
        assert_eq!(undone.body["moved_back"]["holds"], 2);
        assert_eq!(undone.body["moved_back"]["holds_cancelled"], 1);
        assert!(undone.body["merge"]["undone_at"].as_str().is_some());
        let restored = app.get(&format!("/api/v1/records/{merged}"), Some(&d.cataloger)).await.expect(200);
        assert_eq!(restored.body["record"]["id"], merged.as_str(), "{}", restored.text);
        assert_eq!(copy_ids_of(&app, &d.cataloger, &merged).await, merged_ids);
        assert_eq!(copy_ids_of(&app, &d.cataloger, &survivor).await, before_survivor);
        let loans = app.get(&format!("/api/v1/readers/{}/loans", borrower["id"].as_str().unwrap()), Some(&d.librarian)).await.expect(200);
        assert_eq!(loans.body["loans"][0]["record_id"], merged.as_str());
        let b = holds_of(&app, &d.librarian, &both).await;
        let hold = |id: &Value| b.iter().find(|h| &h["id"] == id).unwrap().clone();
        assert_eq!(hold(&dropped["id"])["status"], "waiting");
        assert_eq!(hold(&dropped["id"])["record_id"], merged.as_str());
        assert_eq!(hold(&kept["id"])["record_id"], survivor.as_str());
        let sources = app.get(&format!("/api/v1/records/{survivor}/sources"), Some(&d.librarian)).await.expect(200);
        assert!(sources.body["sources"].as_array().unwrap().is_empty());
        let mut found = search_ids(&app, "Qazmerge").await;
        found.sort();
        let mut both_ids = vec![survivor.clone(), merged.clone()];
        both_ids.sort();
        assert_eq!(found, both_ids);
        let twice = undo(&app, &d.cataloger, &merge_id).await.expect(409);
        assert_eq!(twice.code(), "merge_already_undone");
        let nothing = undo(&app, &d.cataloger, &uuid::Uuid::now_v7().to_string()).await.expect(404);
        assert_eq!(nothing.code(), "merge_not_found");

        // The restored record can be merged again.
        merge(&app, &d.cataloger, &survivor, &merged).await.expect(200);
    }

    async fn redirects_follow_chains_and_undo_goes_in_order(app: TestApp) {
        let d = desk(&app).await;
        let a = record(&app, &d.cataloger, "Chain A", true).await;
        let b = record(&app, &d.cataloger, "Chain B", true).await;
        let c = record(&app, &d.cataloger, "Chain C", true).await;
        add(&app, &d.cataloger, &a, json!({})).await;
        let first = merge(&app, &d.cataloger, &b, &a).await.expect(200).body["id"].as_str().unwrap().to_owned();
        let second = merge(&app, &d.cataloger, &c, &b).await.expect(200);
        assert_eq!(second.body["moved"]["copies"], 1);
        assert_eq!(second.body["moved"]["sources"], 1);
        assert_eq!(second.body["moved"]["redirects"], 1);
        let second = second.body["id"].as_str().unwrap().to_owned();
        let to_c = Some(format!("/api/v1/records/{c}"));
        assert_eq!(get_raw(&app, &format!("/api/v1/records/{a}"), None).await, (308, to_c.clone()));
        assert_eq!(get_raw(&app, &format!("/api/v1/records/{b}"), None).await, (308, to_c));
        let sources = app.get(&format!("/api/v1/records/{c}/sources"), Some(&d.cataloger)).await.expect(200);
        assert_eq!(sources.body["sources"].as_array().unwrap().len(), 2);

        // The first merge's survivor is gone: undo the later merge first.
        let refused = undo(&app, &d.cataloger, &first).await.expect(409);
        assert_eq!(refused.code(), "merge_survivor_merged");
        undo(&app, &d.cataloger, &second).await.expect(200);
        assert_eq!(get_raw(&app, &format!("/api/v1/records/{a}"), None).await, (308, Some(format!("/api/v1/records/{b}"))));
        assert_eq!(get_raw(&app, &format!("/api/v1/records/{b}"), None).await.0, 200);
        undo(&app, &d.cataloger, &first).await.expect(200);
        assert_eq!(get_raw(&app, &format!("/api/v1/records/{a}"), None).await.0, 200);
        assert_eq!(copy_ids_of(&app, &d.cataloger, &a).await.len(), 1);
        let listed = app.get(&format!("/api/v1/merges?record={b}&limit=1"), Some(&d.cataloger)).await.expect(200);
        assert_eq!(listed.body["merges"][0]["id"], second.as_str());
        let next = listed.body["next"].as_str().unwrap();
        let older = app.get(&format!("/api/v1/merges?record={b}&limit=1&before={next}"), Some(&d.cataloger)).await.expect(200);
        assert_eq!(older.body["merges"][0]["id"], first.as_str());
    }

    async fn concurrent_checkouts_of_a_merged_records_copies_stay_consistent(app: TestApp) {
        let d = desk(&app).await;
        let admin = app.admin_token().await;
        app.post("/api/v1/loan-rules", Some(&admin), json!({"library": "F01", "loan_days": 15, "max_renewals": 2, "renewal_days": 15, "max_items": 1000})).await.expect(201);
        let mut readers = Vec::new();
        for n in 0..8 {
            let reader = register(&app, &d.librarian, &format!("Оқырман{n}"), "Тест", json!({})).await;
            readers.push(reader["id"].as_str().unwrap().to_owned());
        }
        for round in 0..4 {
            let survivor = record(&app, &d.cataloger, &format!("Race {round}"), true).await;
            let merged = record(&app, &d.cataloger, &format!("Race {round}"), true).await;
            let copies = add(&app, &d.cataloger, &merged, json!({"count": 8})).await;
            let barcodes: Vec<String> = copies.iter().map(|c| c["barcode"].as_str().unwrap().to_owned()).collect();
            // Half the checkouts are sent before the merge, half after.
            let mut work: Vec<(usize, Option<usize>)> = (0..8).map(|i| (i, Some(i))).collect();
            work.insert(4, (usize::MAX, None));
            let answers: Vec<(Option<usize>, Response)> = stream::iter(work.into_iter().map(|(i, copy)| {
                let (app, d, survivor, merged, readers, barcodes) = (&app, &d, &survivor, &merged, &readers, &barcodes);
                async move {
                    match copy {
                        None => (None, merge(app, &d.cataloger, survivor, merged).await),
                        Some(c) => {
                            let body = json!({"reader": readers[i], "item_barcode": barcodes[c]});
                            (Some(c), at(app, Method::POST, "/api/v1/loans", &d.librarian, "F01", Some(body)).await)
                        }
                    }
                }
            }))
            .buffer_unordered(9)
            .collect()
            .await;
            let mut lent = 0;
            for (copy, answer) in &answers {
                match copy {
                    None => assert_eq!(answer.status.as_u16(), 200, "merge: {}", answer.text),
                    Some(_) => {
                        assert_eq!(answer.status.as_u16(), 201, "checkout: {}", answer.text);
                        lent += 1;
                    }
                }
            }
            assert_eq!(lent, 8);
            // Every copy and its one open loan belong to the survivor.
            let on_survivor = copy_ids_of(&app, &d.cataloger, &survivor).await;
            assert_eq!(on_survivor.len(), 8, "round {round}");
            let mut open = 0;
            for reader in &readers {
                let loans = app.get(&format!("/api/v1/readers/{reader}/loans"), Some(&d.librarian)).await.expect(200);
                for l in loans.body["loans"].as_array().unwrap() {
                    if barcodes.iter().any(|b| l["barcode"] == b.as_str()) {
                        assert_eq!(l["record_id"], survivor.as_str(), "round {round}: {l}");
                        open += 1;
                    }
                }
            }
            assert_eq!(open, 8, "round {round}: lost or doubled loans");
            let events = circulation_event_records(&app, &barcodes).await;
            assert_eq!(events.len(), 8, "round {round}: {events:?}");
            assert!(events.iter().all(|r| r == &survivor), "round {round}: {events:?}");
            // Return everything for the next round.
            for barcode in &barcodes {
                at(&app, Method::POST, "/api/v1/returns", &d.librarian, "F01", Some(json!({"item_barcode": barcode}))).await.expect(200);
            }
        }
    }
}

both_backends! {
    async fn an_imports_source_version_is_kept_and_read_back(app: TestApp) {
        let d = desk(&app).await;
        let id = record(&app, &d.cataloger, "Source kept", true).await;
        let sources = app.get(&format!("/api/v1/records/{id}/sources"), Some(&d.librarian)).await.expect(200);
        assert!(sources.body["sources"].as_array().unwrap().is_empty());
        // What the importer keeps when it attaches copies: the incoming MARC as it came.
        let incoming = json!({"leader": "00000nam a2200000 i 4500", "fields": [{"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": "Source kept"}]}}]}).to_string();
        let db = app.app.db().clone();
        let record_id: kitap_domain::RecordId = id.parse().unwrap();
        let bytes = incoming.clone().into_bytes();
        let (kept, refused) = actix_web::web::block(move || {
            db.write(|conn| {
                use kitap_db::record_sources::{insert, RecordSource, SourceKind};
                let source = RecordSource::new(record_id, SourceKind::Import, "import test #3 (file.json)", bytes.clone(), "json", None);
                insert(conn, &source)?;
                // A `merged` source names its merge: the schema refuses one without.
                let orphan = RecordSource::new(record_id, SourceKind::Merged, "no merge", bytes, "json", None);
                let refused = kitap_db::savepoint(conn, |c| insert(c, &orphan));
                Ok::<_, kitap_db::DbError>((source.id, refused))
            })
        }).await.unwrap().unwrap();
        assert!(matches!(refused, Err(kitap_db::DbError::CheckViolation(_))), "{refused:?}");
        let sources = app.get(&format!("/api/v1/records/{id}/sources"), Some(&d.librarian)).await.expect(200);
        let listed = &sources.body["sources"];
        assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
        assert_eq!(listed[0]["id"], kept.to_string().as_str());
        assert_eq!(listed[0]["kind"], "import");
        assert_eq!(listed[0]["origin"], "import test #3 (file.json)");
        assert_eq!(listed[0]["size"].as_u64().unwrap(), incoming.len() as u64);
        assert!(listed[0]["merge_id"].is_null());
        let raw = app.get(&format!("/api/v1/records/{id}/sources/{kept}"), Some(&d.librarian)).await.expect(200);
        assert_eq!(raw.header("content-type"), Some("application/json"));
        assert_eq!(raw.text, incoming);
        let xml = app.get(&format!("/api/v1/records/{id}/sources/{kept}?format=marcxml"), Some(&d.librarian)).await.expect(200);
        assert!(xml.text.contains("<subfield code=\"a\">Source kept</subfield>"), "{}", xml.text);
        let other = app.get(&format!("/api/v1/records/{id}/sources/{}", uuid::Uuid::now_v7()), Some(&d.librarian)).await.expect(404);
        assert_eq!(other.code(), "record_source_not_found");
        let anonymous = app.get(&format!("/api/v1/records/{id}/sources"), None).await.expect(401);
        assert_eq!(anonymous.code(), "unauthenticated");
    }
}

both_backends! {
    async fn undo_keeps_a_hold_with_the_copy_trapped_for_it_since(app: TestApp) {
        let d = desk(&app).await;
        let survivor = record(&app, &d.cataloger, "Trapped", true).await;
        let merged = record(&app, &d.cataloger, "Trapped", true).await;
        let own = add(&app, &d.cataloger, &survivor, json!({})).await[0]["barcode"].as_str().unwrap().to_owned();
        let moved = add(&app, &d.cataloger, &merged, json!({})).await[0]["barcode"].as_str().unwrap().to_owned();
        let y = register(&app, &d.librarian, "Бірінші", "Оқырман", json!({})).await;
        let z = register(&app, &d.librarian, "Екінші", "Оқырман", json!({})).await;
        let x = register(&app, &d.librarian, "Үшінші", "Оқырман", json!({})).await;
        checkout(&app, &d.librarian, "F01", y["id"].as_str().unwrap(), &own, json!({})).await.expect(201);
        checkout(&app, &d.librarian, "F01", z["id"].as_str().unwrap(), &moved, json!({})).await.expect(201);
        let hold = place_hold(&app, &d.librarian, &x, &merged).await;
        let id = merge(&app, &d.cataloger, &survivor, &merged).await.expect(200).body["id"].as_str().unwrap().to_owned();
        // The survivor's own copy comes back and is trapped for the moved hold.
        let back = at(&app, Method::POST, "/api/v1/returns", &d.librarian, "F01", Some(json!({"item_barcode": own}))).await.expect(200);
        assert_eq!(back.body["return"]["hold"]["id"], hold["id"], "{}", back.text);
        let undone = undo(&app, &d.cataloger, &id).await.expect(200);
        assert_eq!(undone.body["moved_back"]["copies"], 1);
        assert_eq!(undone.body["moved_back"]["holds"], 0, "{}", undone.text);
        let held = holds_of(&app, &d.librarian, &x).await;
        assert_eq!(held[0]["record_id"], survivor.as_str());
        assert_eq!(held[0]["status"], "ready");
        assert_eq!(held[0]["trapped_barcode"], own.as_str());
        let merged_copies = copy_ids_of(&app, &d.cataloger, &merged).await;
        assert_eq!(merged_copies.len(), 1);
        // The reader picks it up: the hold is fulfilled.
        checkout(&app, &d.librarian, "F01", x["id"].as_str().unwrap(), &own, json!({})).await.expect(201);
    }
}

/// The record ids the checkout events of these copies name.
async fn circulation_event_records(app: &TestApp, barcodes: &[String]) -> Vec<String> {
    let db = app.app.db().clone();
    let barcodes: Vec<kitap_domain::Barcode> =
        barcodes.iter().map(|b| b.parse().unwrap()).collect();
    actix_web::web::block(move || {
        db.read(|conn| {
            let mut out = Vec::new();
            for barcode in &barcodes {
                let copy = kitap_db::copies::find_by_barcode(conn, barcode)?;
                let events = kitap_db::circ_events::of_copy(conn, copy.id)?;
                out.extend(
                    events
                        .iter()
                        .filter(|e| e.kind == kitap_domain::CirculationEventKind::Checkout)
                        .map(|e| e.record_id.to_string()),
                );
            }
            Ok::<_, kitap_db::DbError>(out)
        })
    })
    .await
    .unwrap()
    .unwrap()
}

async fn expired_window(backend: Backend) {
    let Some(app) = TestApp::start_with(backend, |c| c.dedup.merge_undo_hours = 0).await else {
        return;
    };
    let d = desk(&app).await;
    let a = record(&app, &d.cataloger, "Window A", true).await;
    let b = record(&app, &d.cataloger, "Window B", true).await;
    let done = merge(&app, &d.cataloger, &a, &b).await.expect(200);
    assert_eq!(done.body["undo_until"], done.body["merged_at"]);
    let id = done.body["id"].as_str().unwrap();
    let late = undo(&app, &d.cataloger, id).await.expect(409);
    assert_eq!(late.code(), "merge_undo_expired");
    assert_eq!(
        get_raw(&app, &format!("/api/v1/records/{b}"), None).await.0,
        308
    );
}

mod undo_after_the_window_is_refused {
    use super::*;

    #[actix_web::test]
    async fn sqlite() {
        expired_window(Backend::Sqlite).await;
    }

    #[actix_web::test]
    async fn postgres() {
        expired_window(Backend::Postgres).await;
    }
}
