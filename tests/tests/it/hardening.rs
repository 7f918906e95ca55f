//! Issue #16, points 1-3: control characters, failed exports and files
//! that hold no MARC, the same on both backends.

use actix_web::http::Method;
use kitap_tests::{both_backends, marc_bytes, TestApp};
use serde_json::{json, Value};

/// The first `n` records of a demo file shipped with the repository.
fn demo_records(file: &str, n: usize) -> Vec<Vec<u8>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../data/demo")
        .join(file);
    let bytes = std::fs::read(&path).unwrap();
    bytes
        .split_inclusive(|b| *b == 0x1D)
        .take(n)
        .map(<[u8]>::to_vec)
        .collect()
}

fn digits(bytes: &[u8]) -> usize {
    std::str::from_utf8(bytes).unwrap().parse().unwrap()
}

/// Puts a NUL in place of the second character of 245$a (an ASCII letter,
/// so the record's lengths stay right).
fn with_nul_in_title(mut record: Vec<u8>) -> Vec<u8> {
    let base = digits(&record[12..17]);
    let entry = record[24..base - 1]
        .chunks(12)
        .find(|e| e.starts_with(b"245"))
        .unwrap()
        .to_vec();
    let start = base + digits(&entry[7..12]);
    let at = start + 5;
    assert_eq!(&record[start + 2..start + 4], b"\x1fa");
    assert!(record[at].is_ascii_alphabetic(), "{}", record[at]);
    record[at] = 0;
    record
}

/// The response exactly as it came over the wire (awc takes a connection
/// closed mid-body for the end of a chunked body).
async fn raw_get(app: &TestApp, path: &str, token: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let address = app.base.trim_start_matches("http://").to_owned();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    actix_web::web::block(move || {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut out = Vec::new();
        // A reset connection ends the read with an error: what came is kept.
        let _ = stream.read_to_end(&mut out);
        out
    })
    .await
    .unwrap()
}

async fn refused(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Value {
    let response = app
        .request(method, path, Some(token), body)
        .await
        .expect(400);
    assert_eq!(
        response.code(),
        "invalid_character",
        "{path}: {}",
        response.text
    );
    response.body["error"].clone()
}

both_backends! {
    async fn control_characters_are_refused_at_the_edge(app: TestApp) {
        let admin = app.admin_token().await;
        for (path, field) in [
            ("/api/v1/copies?barcode=%00", "barcode"),
            ("/api/v1/records?q=%00", "q"),
            ("/api/v1/records?language=%00", "language"),
            ("/api/v1/audit?action=%00", "action"),
            ("/api/v1/exports/records?language=%00", "language"),
            ("/api/v1/search?q=%01abc", "q"),
            ("/api/v1/records?q=a%7Fb", "q"),
        ] {
            let error = refused(&app, Method::GET, path, &admin, None).await;
            assert_eq!(error["details"]["field"], field, "{path}: {error}");
            assert!(error["message"].as_str().unwrap().contains(field), "{error}");
        }
        let error = refused(&app, Method::GET, "/api/v1/copies/by-barcode/12%0034", &admin, None).await;
        assert_eq!(error["details"]["location"], "path");

        let staff = json!({"username": "nul.user", "display_name": "a\u{0}b", "role": "librarian", "home_library": "F03"});
        let error = refused(&app, Method::POST, "/api/v1/staff", &admin, Some(staff)).await;
        assert_eq!(error["details"]["field"], "display_name");
        let branch = json!({"address": "x\u{0}y"});
        let error = refused(&app, Method::PATCH, "/api/v1/branches/F05", &admin, Some(branch)).await;
        assert_eq!(error["details"]["field"], "address");

        // Nothing was stored, and tab and line breaks are text like any other.
        let list = app.get("/api/v1/staff?limit=500", Some(&admin)).await.expect(200);
        assert!(!list.text.contains("nul.user"));
        app.get("/api/v1/records?q=a%09b", Some(&admin)).await.expect(200);
        let branch = json!({"address": "line one\nline two\tand a tab"});
        app.patch("/api/v1/branches/F05", Some(&admin), branch).await.expect(200);
        // SRU answers in its own diagnostics, never with a server error.
        let sru = app.get("/sru?version=1.2&operation=searchRetrieve&query=a%00b", None).await;
        assert!(sru.status.as_u16() < 500, "{}", sru.text);
    }

    async fn a_record_with_a_huge_identifier_is_stored_on_both_backends(app: TestApp) {
        // PostgreSQL cannot index a key this long; SQLite can.
        let token = app.cataloger_token().await;
        let number = "9".repeat(3000);
        let marc = json!({
            "leader": "00000nam a2200000 i 4500",
            "fields": [
                {"001": number.clone()},
                {"003": "KZ-KRG"},
                {"035": {"ind1": " ", "ind2": " ", "subfields": [{"a": format!("(KRG){number}")}]}},
                {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": "Ұзын нөмір"}]}}
            ]
        });
        let created = app.post("/api/v1/records", Some(&token), json!({"marc": marc})).await.expect(201);
        assert_eq!(created.body["record"]["title"], "Ұзын нөмір", "{}", created.text);
    }

    async fn a_nul_byte_in_marc_is_removed_and_the_neighbours_imported(app: TestApp) {
        let token = app.cataloger_token().await;
        let records = demo_records("lc_kazakhstan_first200.mrc", 3);
        let mut file = records[0].clone();
        file.extend(with_nul_in_title(records[1].clone()));
        file.extend(&records[2]);
        let job = app.import_file(&token, "file_name=nul.mrc", file).await;
        assert_eq!(job["status"], "done", "{job}");
        assert_eq!((job["records_read"].as_i64(), job["created"].as_i64()), (Some(3), Some(3)), "{job}");
        assert_eq!(job["rejected"], 0);
        let id = job["id"].as_str().unwrap();
        let report = app.get(&format!("/api/v1/imports/{id}/rejects"), Some(&token)).await.expect(200);
        let lines = report.body["rejects"].as_array().unwrap();
        let line = lines.iter().find(|l| l["index"] == 1).unwrap_or_else(|| panic!("{}", report.text));
        assert_eq!(line["code"], "control_characters_removed", "{line}");
        assert!(line["message"].as_str().unwrap().contains("245$a"), "{line}");
        let page = app.get(&format!("/api/v1/records?import_id={id}&limit=10"), Some(&token)).await.expect(200);
        assert!(!page.text.contains("\\u0000"), "{}", page.text);
        assert_eq!(page.body["records"].as_array().unwrap().len(), 3);
    }

    async fn files_without_marc_fail_as_not_marc(app: TestApp) {
        let token = app.cataloger_token().await;
        let readme = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
        let lc = demo_records("lc_kazakhstan_first200.mrc", 1).remove(0);
        for (name, bytes, format) in [
            ("five.mrc", lc[..5].to_vec(), "ISO 2709"),
            ("leader.mrc", lc[..23].to_vec(), "ISO 2709"),
            ("README.md", readme, "ISO 2709"),
            ("invalid.xml", marc_bytes("malformed/marc-perl__invalid.xml"), "MARCXML"),
        ] {
            let job = app.import_file(&token, &format!("file_name={name}"), bytes).await;
            assert_eq!(job["status"], "failed", "{name}: {job}");
            assert_eq!(job["error_code"], "not_marc", "{name}: {job}");
            let message = job["error"].as_str().unwrap();
            assert!(message.contains(format) && message.contains(name), "{name}: {message}");
        }
    }

    async fn a_truncated_last_record_is_rejected_not_imported_cut_short(app: TestApp) {
        let token = app.cataloger_token().await;
        let records = demo_records("lc_kazakhstan_first200.mrc", 3);
        let mut file = [records[0].clone(), records[1].clone()].concat();
        let cut_at = file.len() as i64;
        file.extend(&records[2][..records[2].len() / 2]);
        let job = app.import_file(&token, "file_name=cut.mrc", file).await;
        assert_eq!(job["status"], "done", "{job}");
        assert_eq!((job["created"].as_i64(), job["rejected"].as_i64()), (Some(2), Some(1)), "{job}");
        let id = job["id"].as_str().unwrap();
        let report = app.get(&format!("/api/v1/imports/{id}/rejects"), Some(&token)).await.expect(200);
        let line = &report.body["rejects"][0];
        assert_eq!(line["code"], "truncated_record", "{line}");
        assert_eq!(line["offset"].as_i64(), Some(cut_at));
        // A record that lacks only its terminator is whole, and is read.
        let whole = records[0][..records[0].len() - 1].to_vec();
        let job = app.import_file(&token, "file_name=noterm.mrc&on_match=add", whole).await;
        assert_eq!((job["created"].as_i64(), job["rejected"].as_i64()), (Some(1), Some(0)), "{job}");
    }

    async fn a_failed_export_looks_failed(app: TestApp) {
        let token = app.cataloger_token().await;
        let file = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/demo/lc_kazakhstan_first200.mrc")).unwrap();
        let job = app.import_file(&token, "file_name=lc.mrc", file).await;
        assert_eq!(job["created"], 200, "{job}");
        let export = "/api/v1/exports/records?format=marcxml";
        let whole = app.get(export, Some(&token)).await.expect(200);
        assert!(whole.bytes.len() > 256 * 1024, "{}", whole.bytes.len());
        let raw = raw_get(&app, export, &token).await;
        assert!(raw.ends_with(b"\r\n0\r\n\r\n"), "a whole export ends with the last chunk");

        // The last record unreadable: the transfer starts, then is cut off.
        let db = app.db.connect();
        db.execute_script("UPDATE records SET marc = substr(marc, 1, 10) WHERE id = (SELECT max(id) FROM records)").unwrap();
        let raw = raw_get(&app, export, &token).await;
        let head = String::from_utf8_lossy(&raw[..raw.len().min(1024)]).to_lowercase();
        assert!(head.starts_with("http/1.1 200") && head.contains("transfer-encoding: chunked"), "{head}");
        assert!(!raw.ends_with(b"\r\n0\r\n\r\n"), "a cut-off export must not end like a complete file");
        assert!(raw.len() > 64 * 1024, "the transfer had begun: {}", raw.len());

        // The first record unreadable: nothing was sent yet, so it is an error.
        db.execute_script("UPDATE records SET marc = substr(marc, 1, 10) WHERE id = (SELECT min(id) FROM records)").unwrap();
        let failed = app.get(export, Some(&token)).await.expect(500);
        assert_eq!(failed.code(), "internal_error");
    }
}
