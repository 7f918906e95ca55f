//! Duplicate detection through the API: the check on save (409 and
//! confirmation), a record's duplicates, import policies, scans with their
//! reports, and pair decisions. Real records from the shared Kazakh corpus:
//! the same books in Cyrillic RUSMARC, Latin-2021 MARC 21 and other editions.

use kitap_tests::{both_backends, marc_bytes, TestApp};
use serde_json::{json, Value};

/// The records of an ISO 2709 file whose 001 is one of `ids`, as one file.
fn iso_records(rel: &str, ids: &[&str]) -> Vec<u8> {
    let bytes = marc_bytes(rel);
    let mut out = Vec::new();
    for record in bytes.split_inclusive(|b| *b == 0x1d) {
        if ids
            .iter()
            .any(|id| control_number(record) == Some(id.as_bytes()))
        {
            out.extend_from_slice(record);
        }
    }
    assert!(!out.is_empty(), "{ids:?} not in {rel}");
    out
}

/// The 001 of one ISO 2709 record, read from its directory.
fn control_number(record: &[u8]) -> Option<&[u8]> {
    let base: usize = std::str::from_utf8(record.get(12..17)?)
        .ok()?
        .parse()
        .ok()?;
    let end = record.iter().position(|b| *b == 0x1e)?;
    for entry in record.get(24..end)?.chunks(12) {
        if entry.get(..3)? == b"001" {
            let len: usize = std::str::from_utf8(entry.get(3..7)?).ok()?.parse().ok()?;
            let start: usize = std::str::from_utf8(entry.get(7..12)?).ok()?.parse().ok()?;
            return record.get(base + start..base + start + len - 1);
        }
    }
    None
}

async fn import(app: &TestApp, token: &str, query: &str, bytes: Vec<u8>) -> Value {
    let job = app.import_file(token, query, bytes).await;
    assert_eq!(job["status"], "done", "{job}");
    job
}

/// Record id by exact title among an import's records.
async fn id_by_title(app: &TestApp, token: &str, import: &Value, title: &str) -> String {
    let page = app
        .get(
            &format!(
                "/api/v1/records?import_id={}&limit=500",
                import["id"].as_str().unwrap()
            ),
            Some(token),
        )
        .await
        .expect(200);
    page.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["title"].as_str().unwrap_or("").starts_with(title))
        .unwrap_or_else(|| panic!("no {title:?} in {}", page.body))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn import_duplicates(app: &TestApp, token: &str, import: &Value) -> Vec<Value> {
    let page = app
        .get(
            &format!(
                "/api/v1/imports/{}/duplicates",
                import["id"].as_str().unwrap()
            ),
            Some(token),
        )
        .await
        .expect(200);
    page.body["duplicates"].as_array().unwrap().clone()
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn record_count(app: &TestApp, token: &str) -> usize {
    let page = app
        .get("/api/v1/records?limit=500", Some(token))
        .await
        .expect(200);
    page.body["records"].as_array().unwrap().len()
}

/// A RUSMARC book as MARC-in-JSON, with IRBIS 910 copies (status, inventory number, place).
fn rusmarc_book(control: &str, title: &str, isbn: &str, copies: &[(&str, &str)]) -> Value {
    let mut fields = vec![
        json!({"001": control}),
        json!({"010": {"ind1": " ", "ind2": " ", "subfields": [{"a": isbn}]}}),
        json!({"100": {"ind1": " ", "ind2": " ", "subfields": [{"a": "20240115d2019    k  y0kaza50    ca"}]}}),
        json!({"101": {"ind1": "0", "ind2": " ", "subfields": [{"a": "kaz"}]}}),
        json!({"200": {"ind1": "1", "ind2": " ", "subfields": [{"a": title}, {"f": "Сәкен Сейфуллин"}]}}),
        json!({"210": {"ind1": " ", "ind2": " ", "subfields": [{"a": "Алматы"}, {"c": "Жазушы"}, {"d": "2019"}]}}),
        json!({"215": {"ind1": " ", "ind2": " ", "subfields": [{"a": "320 б."}]}}),
        json!({"700": {"ind1": " ", "ind2": "1", "subfields": [{"a": "Сейфуллин"}, {"g": "Сәкен"}]}}),
    ];
    for (inventory, place) in copies {
        fields.push(json!({"910": {"ind1": " ", "ind2": " ", "subfields": [
            {"a": "0"}, {"b": inventory}, {"c": "20240315"}, {"d": place}, {"e": "1500"}
        ]}}));
    }
    json!({"leader": "00000nam0 2200000   450 ", "fields": fields})
}

both_backends! {
    async fn a_latin_twin_of_a_cyrillic_record_needs_confirmation(app: TestApp) {
        let token = app.cataloger_token().await;
        // KZAL0001 (Latin-2021, MARC 21) is KZAR0011 (Cyrillic, RUSMARC).
        let latin = import(&app, &token, "", iso_records("kazakh/marc21_latin2021.mrc", &["KZAL0001"])).await;
        let latin_id = id_by_title(&app, &token, &latin, "Menıñ ömırım").await;
        let latin_marc = app.get(&format!("/api/v1/records/{latin_id}"), Some(&token)).await.expect(200).body["marc"].clone();
        app.delete(&format!("/api/v1/records/{latin_id}"), Some(&token)).await.expect(200);
        let cyrillic = import(&app, &token, "", iso_records("kazakh/rusmarc_utf8.iso", &["KZAR0011", "KZAR0027"])).await;
        let cyrillic_id = id_by_title(&app, &token, &cyrillic, "Менің өмірім").await;
        let before = record_count(&app, &token).await;

        let refused = app.post("/api/v1/records", Some(&token), json!({"marc": latin_marc})).await.expect(409);
        assert_eq!(refused.code(), "probable_duplicate");
        let candidates = refused.body["error"]["details"]["candidates"].as_array().unwrap();
        assert_eq!(candidates.len(), 1, "{candidates:?}");
        let candidate = &candidates[0];
        assert_eq!(candidate["record_id"], cyrillic_id.as_str());
        assert_eq!(candidate["level"], "probable");
        assert!(candidate["score"].as_f64().unwrap() >= 0.85, "{candidate}");
        let agreed = codes(&candidate["evidence"]);
        assert!(agreed.contains(&"isbn".to_owned()) && agreed.contains(&"title".to_owned()), "{agreed:?}");
        assert!(candidate["vetoes"].as_array().unwrap().is_empty());
        assert_eq!(record_count(&app, &token).await, before, "nothing is stored");

        let confirmed = app
            .post("/api/v1/records", Some(&token), json!({"marc": latin_marc, "confirm_duplicate": true}))
            .await
            .expect(201);
        let new_id = confirmed.body["record"]["id"].as_str().unwrap().to_owned();
        let duplicates = confirmed.body["duplicates"].as_array().unwrap();
        assert_eq!(duplicates[0]["record_id"], cyrillic_id.as_str(), "{duplicates:?}");
        assert!(duplicates[0]["evidence"].as_array().unwrap().iter().all(|e| e["detail"].as_str().is_some_and(|d| !d.is_empty())));
        let admin = app.admin_token().await;
        let audit = app.get(&format!("/api/v1/audit?action=confirm_duplicate&entity_id={new_id}"), Some(&admin)).await.expect(200);
        assert_eq!(audit.body["entries"].as_array().unwrap().len(), 1, "{}", audit.body);

        // Both ways round, and not with itself or the other book.
        let listed = app.get(&format!("/api/v1/records/{cyrillic_id}/duplicates"), Some(&token)).await.expect(200);
        let ids: Vec<&str> = listed.body["duplicates"].as_array().unwrap().iter().map(|d| d["record_id"].as_str().unwrap()).collect();
        assert_eq!(ids, vec![new_id.as_str()]);

        // An edit is checked too (the record itself left out).
        let path = format!("/api/v1/records/{new_id}");
        let edit = app.put(&path, Some(&token), json!({"version": 1, "marc": latin_marc})).await.expect(409);
        assert_eq!(edit.code(), "probable_duplicate");
        let edited = app.put(&path, Some(&token), json!({"version": 1, "marc": latin_marc, "confirm_duplicate": true})).await.expect(200);
        assert_eq!(edited.body["record"]["version"], 2);
        assert_eq!(edited.body["duplicates"][0]["record_id"], cyrillic_id.as_str());

        // A different book is saved without a word.
        let other = rusmarc_book("X-1", "Тар жол, тайғақ кешу", "978-601-03-0000-3", &[]);
        let saved = app.post("/api/v1/records", Some(&token), json!({"marc": other})).await.expect(201);
        assert!(saved.body["duplicates"].as_array().unwrap().is_empty(), "{}", saved.body);
    }

    async fn another_edition_is_not_proposed(app: TestApp) {
        let token = app.cataloger_token().await;
        import(&app, &token, "", marc_bytes("kazakh/rusmarc_utf8.iso")).await;
        let editions = import(&app, &token, "on_duplicate=skip", marc_bytes("kazakh/rusmarc_other_editions.iso")).await;
        assert_eq!(editions["skipped"], 0, "{editions}");
        assert_eq!(editions["created"], editions["records_read"], "{editions}");
        let reported = import_duplicates(&app, &token, &editions).await;
        assert!(reported.is_empty(), "other editions proposed: {reported:#?}");
        // Үркер 2009 (KZAE0001) beside Үркер 2014 (KZAR0027): same title and author.
        let urker = id_by_title(&app, &token, &editions, "Үркер").await;
        let listed = app.get(&format!("/api/v1/records/{urker}/duplicates"), Some(&token)).await.expect(200);
        assert!(listed.body["duplicates"].as_array().unwrap().is_empty(), "{}", listed.body);
    }

    async fn imports_add_skip_or_attach_probable_duplicates(app: TestApp) {
        let token = app.cataloger_token().await;
        let first = import(&app, &token, "", marc_bytes("kazakh/rusmarc_utf8.iso")).await;
        let twins = marc_bytes("kazakh/marc21_utf8.mrc");

        let skipped = import(&app, &token, "on_duplicate=skip", twins.clone()).await;
        let report = import_duplicates(&app, &token, &skipped).await;
        let skipped_n = skipped["skipped"].as_i64().unwrap();
        assert!(skipped_n >= 38, "MARC 21 twins of RUSMARC records are skipped: {skipped}");
        assert_eq!(skipped_n + skipped["created"].as_i64().unwrap(), 40);
        assert_eq!(report.iter().filter(|d| d["action"] == "skipped").count() as i64, skipped_n);
        let firsts = app.get(&format!("/api/v1/records?import_id={}&limit=500", first["id"].as_str().unwrap()), Some(&token)).await.expect(200);
        let first_ids: Vec<&str> = firsts.body["records"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        for line in report.iter().filter(|d| d["action"] == "skipped") {
            assert!(line["record_id"].is_null());
            assert_eq!(line["level"], "probable");
            assert!(first_ids.contains(&line["duplicate_of"].as_str().unwrap()), "{line}");
            assert!(!line["candidates"][0]["evidence"].as_array().unwrap().is_empty());
        }

        // add: stored anyway, and listed with its duplicate.
        let added = import(&app, &token, "on_duplicate=add&on_match=add", iso_records("kazakh/marc21_utf8.mrc", &["KZAM0001"])).await;
        assert_eq!(added["created"], 1);
        let report = import_duplicates(&app, &token, &added).await;
        assert_eq!(report.len(), 1, "{report:?}");
        assert_eq!(report[0]["action"], "added");
        assert!(report[0]["record_id"].is_string());

        // attach: the record is not stored, its copies go to the catalog record.
        let original = rusmarc_book("SEIF-1", "Тар жол, тайғақ кешу", "978-601-03-0123-4", &[("И-2001", "F07")]);
        let base = import(&app, &token, "format=json", json!([original]).to_string().into_bytes()).await;
        assert_eq!(base["copies"], 1);
        let target = id_by_title(&app, &token, &base, "Тар жол").await;
        let incoming = rusmarc_book("OTHER-77", "Тар жол, тайғақ кешу", "978-601-03-0123-4", &[("И-2002", "F07"), ("И-2003", "F07")]);
        let attached = import(&app, &token, "format=json&on_duplicate=attach", json!([incoming]).to_string().into_bytes()).await;
        assert_eq!((attached["created"].as_i64(), attached["attached"].as_i64(), attached["copies"].as_i64()), (Some(0), Some(1), Some(2)), "{attached}");
        let report = import_duplicates(&app, &token, &attached).await;
        assert_eq!(report.len(), 1);
        assert_eq!(report[0]["action"], "attached");
        assert_eq!(report[0]["duplicate_of"], target.as_str());
        assert_eq!(report[0]["copies"], 2);
        let copies = app.get(&format!("/api/v1/records/{target}/copies"), Some(&token)).await.expect(200);
        let mut numbers: Vec<&str> = copies.body["copies"].as_array().unwrap().iter().map(|c| c["inventory_number"].as_str().unwrap()).collect();
        numbers.sort_unstable();
        assert_eq!(numbers, vec!["И-2001", "И-2002", "И-2003"]);
        // The incoming record is kept as a source version of the catalog record.
        let sources = app.get(&format!("/api/v1/records/{target}/sources"), Some(&token)).await.expect(200);
        let sources = sources.body["sources"].as_array().unwrap();
        assert_eq!(sources.len(), 1, "{sources:?}");
        assert_eq!(sources[0]["kind"], "import");
        assert!(sources[0]["origin"].as_str().unwrap().contains(attached["id"].as_str().unwrap()), "{sources:?}");
    }

    async fn the_same_book_twice_in_one_file_is_caught(app: TestApp) {
        let token = app.cataloger_token().await;
        // Cyrillic and Latin-2021 records of one book in one file.
        let mut file = iso_records("kazakh/rusmarc_utf8.iso", &["KZAR0011"]);
        file.extend(iso_records("kazakh/marc21_latin2021.mrc", &["KZAL0001"]));
        let job = import(&app, &token, "on_duplicate=skip", file).await;
        assert_eq!((job["created"].as_i64(), job["skipped"].as_i64()), (Some(1), Some(1)), "{job}");
        let kept = id_by_title(&app, &token, &job, "Менің өмірім").await;
        let report = import_duplicates(&app, &token, &job).await;
        assert_eq!(report.len(), 1, "{report:?}");
        assert_eq!(report[0]["index"], 1);
        assert_eq!(report[0]["action"], "skipped");
        assert_eq!(report[0]["duplicate_of"], kept.as_str());
    }

    async fn scans_cluster_the_catalog_and_remember_rejected_pairs(app: TestApp) {
        let token = app.cataloger_token().await;
        import(&app, &token, "", marc_bytes("kazakh/rusmarc_utf8.iso")).await;
        let latin = import(&app, &token, "", marc_bytes("kazakh/marc21_latin2021.mrc")).await;

        let scan = run_scan(&app, &token).await;
        let clusters = scan["clusters"].as_i64().unwrap();
        assert!(clusters >= 9, "the Latin twins cluster with their Cyrillic records: {scan}");
        let id = scan["id"].as_str().unwrap();
        let report = app.get(&format!("/api/v1/dedup/scans/{id}/report"), Some(&token)).await.expect(200);
        let found = report.body["clusters"].as_array().unwrap();
        assert_eq!(found.len() as i64, clusters);
        assert_eq!(report.body["scan"]["status"], "done");
        let latin_pages = app.get(&format!("/api/v1/records?import_id={}&limit=500", latin["id"].as_str().unwrap()), Some(&token)).await.expect(200);
        let latin_ids: Vec<&str> = latin_pages.body["records"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        for cluster in found {
            let members = cluster["members"].as_array().unwrap();
            assert!(members.len() >= 2);
            assert!(members.iter().any(|m| latin_ids.contains(&m["record_id"].as_str().unwrap())), "{cluster}");
            for pair in cluster["pairs"].as_array().unwrap() {
                assert!(pair["score"].as_f64().unwrap() >= 0.5);
                assert!(!pair["evidence"].as_array().unwrap().is_empty());
            }
        }
        let pairs: i64 = found.iter().map(|c| c["pairs"].as_array().unwrap().len() as i64).sum();
        assert_eq!(pairs, scan["pairs"].as_i64().unwrap());

        let csv = app.get(&format!("/api/v1/dedup/scans/{id}/report?format=csv"), Some(&token)).await.expect(200);
        assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
        let text = csv.text.clone();
        let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
        assert!(lines[0].trim_start_matches('\u{feff}').starts_with("cluster,size,record_a,title_a,record_b,title_b,score,level,evidence,vetoes"));
        assert_eq!(lines.len() as i64 - 1, pairs, "one line per pair");
        assert!(lines[1].contains("isbn("), "{}", lines[1]);

        let page = app.get(&format!("/api/v1/dedup/scans/{id}/clusters?limit=2"), Some(&token)).await.expect(200);
        assert_eq!(page.body["clusters"].as_array().unwrap().len(), 2);
        assert_eq!(page.body["next"], 3);

        // Rejecting a pair: not proposed again, anywhere.
        let pair = &found[0]["pairs"][0];
        let (a, b) = (pair["a"].as_str().unwrap(), pair["b"].as_str().unwrap());
        let decided = app
            .put(&format!("/api/v1/dedup/pairs/{b}/{a}"), Some(&token), json!({"decision": "rejected", "note": "двухтомник: разные тома"}))
            .await
            .expect(200);
        assert_eq!(decided.body["record_a"], a.min(b));
        assert_eq!(decided.body["decision"], "rejected");
        let listed = app.get("/api/v1/dedup/pairs?decision=rejected", Some(&token)).await.expect(200);
        assert_eq!(listed.body["pairs"].as_array().unwrap().len(), 1);
        let none = app.get("/api/v1/dedup/pairs?decision=confirmed", Some(&token)).await.expect(200);
        assert!(none.body["pairs"].as_array().unwrap().is_empty());
        let duplicates = app.get(&format!("/api/v1/records/{a}/duplicates"), Some(&token)).await.expect(200);
        assert!(!duplicates.body["duplicates"].as_array().unwrap().iter().any(|d| d["record_id"] == b), "{}", duplicates.body);
        let again = run_scan(&app, &token).await;
        let report = app.get(&format!("/api/v1/dedup/scans/{}/report", again["id"].as_str().unwrap()), Some(&token)).await.expect(200);
        let still = report.body["clusters"].as_array().unwrap().iter().flat_map(|c| c["pairs"].as_array().unwrap().clone()).any(|p| (p["a"] == a && p["b"] == b) || (p["a"] == b && p["b"] == a));
        assert!(!still, "a rejected pair is not reported again");
        // Changing one's mind replaces the decision.
        app.put(&format!("/api/v1/dedup/pairs/{a}/{b}"), Some(&token), json!({"decision": "confirmed"})).await.expect(200);
        let one = app.get(&format!("/api/v1/dedup/pairs/{a}/{b}"), Some(&token)).await.expect(200);
        assert_eq!(one.body["decision"], "confirmed");
    }

    async fn records_stored_without_keys_are_keyed(app: TestApp) {
        let token = app.cataloger_token().await;
        let cyrillic = import(&app, &token, "", marc_bytes("kazakh/rusmarc_utf8.iso")).await;
        let latin = import(&app, &token, "", iso_records("kazakh/marc21_latin2021.mrc", &["KZAL0001"])).await;
        let twin = id_by_title(&app, &token, &latin, "Menıñ ömırım").await;
        let original = id_by_title(&app, &token, &cyrillic, "Менің өмірім").await;
        assert_eq!(app.app.keys_coverage().unwrap(), (41, 41));
        // As a catalog stored before duplicate detection existed.
        app.app.db().execute_script("DELETE FROM record_match_blocks; DELETE FROM record_match_keys;").unwrap();
        assert_eq!(app.app.keys_coverage().unwrap(), (0, 41));
        let unseen = app.get(&format!("/api/v1/records/{original}/duplicates"), Some(&token)).await.expect(200);
        assert!(unseen.body["duplicates"].as_array().unwrap().is_empty());
        assert_eq!(app.app.rekey(&mut |_| {}).unwrap(), 41);
        assert_eq!(app.app.keys_coverage().unwrap(), (41, 41));
        assert_eq!(app.app.rekey(&mut |_| {}).unwrap(), 0, "nothing left to do");
        let found = app.get(&format!("/api/v1/records/{original}/duplicates"), Some(&token)).await.expect(200);
        assert_eq!(found.body["duplicates"][0]["record_id"], twin.as_str(), "{}", found.body);
    }

    async fn bad_dedup_input_gets_clear_codes(app: TestApp) {
        let token = app.cataloger_token().await;
        let headers = [("Content-Type", "application/octet-stream")];
        let bad_policy = app
            .raw(actix_web::http::Method::POST, "/api/v1/imports?on_duplicate=merge", Some(&token), &headers, Some(b"x".to_vec()))
            .await
            .expect(422);
        assert_eq!(bad_policy.code(), "validation_failed");
        assert_eq!(bad_policy.body["error"]["details"]["field"], "on_duplicate");

        let job = import(&app, &token, "", iso_records("kazakh/rusmarc_utf8.iso", &["KZAR0011", "KZAR0027"])).await;
        let a = id_by_title(&app, &token, &job, "Менің өмірім").await;
        let b = id_by_title(&app, &token, &job, "Үркер").await;
        let bad = app.put(&format!("/api/v1/dedup/pairs/{a}/{b}"), Some(&token), json!({"decision": "maybe"})).await.expect(422);
        assert_eq!((bad.code(), &bad.body["error"]["details"]["field"]), ("validation_failed", &json!("decision")));
        let same = app.put(&format!("/api/v1/dedup/pairs/{a}/{a}"), Some(&token), json!({"decision": "rejected"})).await.expect(422);
        assert_eq!(same.code(), "validation_failed");
        let garbled = app.put(&format!("/api/v1/dedup/pairs/{a}/not-an-id"), Some(&token), json!({"decision": "rejected"})).await.expect(400);
        assert_eq!(garbled.code(), "invalid_path_parameter");
        let unknown = app
            .put(&format!("/api/v1/dedup/pairs/{a}/0190f0a0-0000-7000-8000-000000000000"), Some(&token), json!({"decision": "rejected"}))
            .await
            .expect(404);
        assert_eq!(unknown.code(), "record_not_found");
        let extra = app.put(&format!("/api/v1/dedup/pairs/{a}/{b}"), Some(&token), json!({"decision": "rejected", "why": 1})).await.expect(422);
        assert_eq!(extra.code(), "invalid_body");
        let undecided = app.get(&format!("/api/v1/dedup/pairs/{a}/{b}"), Some(&token)).await.expect(404);
        assert_eq!(undecided.code(), "pair_decision_not_found");
        let filter = app.get("/api/v1/dedup/pairs?decision=maybe", Some(&token)).await.expect(422);
        assert_eq!(filter.code(), "validation_failed");
        let cursor = app.get("/api/v1/dedup/pairs?after=nonsense", Some(&token)).await.expect(400);
        assert_eq!(cursor.code(), "invalid_query_parameter");

        let missing = app.get("/api/v1/dedup/scans/0190f0a0-0000-7000-8000-000000000000", Some(&token)).await.expect(404);
        assert_eq!(missing.code(), "scan_not_found");
        let no_record = app.get("/api/v1/records/0190f0a0-0000-7000-8000-000000000000/duplicates", Some(&token)).await.expect(404);
        assert_eq!(no_record.code(), "record_not_found");
        let scan = run_scan(&app, &token).await;
        let format = app.get(&format!("/api/v1/dedup/scans/{}/report?format=xml", scan["id"].as_str().unwrap()), Some(&token)).await.expect(422);
        assert_eq!((format.code(), &format.body["error"]["details"]["field"]), ("validation_failed", &json!("format")));

        // Only catalogers decide and scan.
        let admin = app.admin_token().await;
        app.create_staff(&admin, "desk.d01", "librarian", "C00", "desk-password-1").await;
        let desk = app.token("desk.d01", "desk-password-1").await;
        let denied = app.put(&format!("/api/v1/dedup/pairs/{a}/{b}"), Some(&desk), json!({"decision": "rejected"})).await.expect(403);
        assert_eq!(denied.code(), "role_denied");
        app.post("/api/v1/dedup/scans", Some(&desk), json!({})).await.expect(403);
    }
}

/// Starts a scan and waits for it (30 s at most); returns the finished scan.
async fn run_scan(app: &TestApp, token: &str) -> Value {
    let started = app
        .post("/api/v1/dedup/scans", Some(token), json!({}))
        .await
        .expect(202);
    let id = started.body["scan"]["id"].as_str().unwrap().to_owned();
    for _ in 0..300 {
        let scan = app
            .get(&format!("/api/v1/dedup/scans/{id}"), Some(token))
            .await
            .expect(200);
        let status = scan.body["scan"]["status"].as_str().unwrap().to_owned();
        if status == "done" {
            return scan.body["scan"].clone();
        }
        assert!(status == "queued" || status == "running", "{}", scan.body);
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the scan did not finish");
}
