//! MARC imports through `POST /api/v1/imports`, and exports back out.

use std::process::Command;

use kitap_tests::{both_backends, marc_bytes};
use serde_json::Value;

async fn titles_of(app: &kitap_tests::TestApp, token: &str, import_id: &str) -> Vec<String> {
    let page = app
        .get(
            &format!("/api/v1/records?import_id={import_id}&limit=500"),
            Some(token),
        )
        .await
        .expect(200);
    page.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_owned())
        .collect()
}

fn count(job: &Value, key: &str) -> i64 {
    job[key].as_i64().unwrap()
}

both_backends! {
    async fn a_kz1048_file_imports_once_and_reads_as_kazakh(app: TestApp) {
        let token = app.cataloger_token().await;
        let file = marc_bytes("kazakh/rusmarc_kz1048.iso");
        let job = app.import_file(&token, "file_name=rusmarc_kz1048.iso", file.clone()).await;
        assert_eq!(job["status"], "done", "{job}");
        assert_eq!(job["format"], "iso2709");
        assert_eq!(count(&job, "records_read"), 13);
        assert_eq!(count(&job, "created"), 13);
        assert_eq!(count(&job, "rejected"), 0);
        assert_eq!(count(&job, "bytes_done"), file.len() as i64);
        let stored = app.app.import_job(job["id"].as_str().unwrap().parse().unwrap()).unwrap();
        // The worker deletes the upload right after marking the job done.
        let mut left = true;
        for _ in 0..100 {
            left = std::path::Path::new(&stored.file_path).exists();
            if !left {
                break;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(!left, "the upload is deleted once imported");
        let titles = titles_of(&app, &token, job["id"].as_str().unwrap()).await;
        assert!(titles.iter().any(|t| t == "Қан мен тер"), "{titles:?}");
        let first = titles.iter().position(|t| t == "Боран").unwrap();
        let ids = app.get(&format!("/api/v1/records?import_id={}&limit=500", job["id"].as_str().unwrap()), Some(&token)).await.expect(200);
        let boran = ids.body["records"][first]["id"].as_str().unwrap().to_owned();
        let full = app.get(&format!("/api/v1/records/{boran}"), Some(&token)).await.expect(200);
        assert_eq!(full.body["view"]["subjects"][0], "Қазақ әдебиеті");
        assert_eq!(full.body["record"]["source_encoding"], "kz-1048");
        assert!(!titles.iter().any(|t| t.contains('Ќ') || t.contains('ј')), "{titles:?}");

        // The same file again creates nothing: every record matches on 001.
        let again = app.import_file(&token, "file_name=again.iso", file.clone()).await;
        assert_eq!((count(&again, "created"), count(&again, "skipped")), (0, 13), "{again}");
        // Overlay replaces the catalog records; add makes new ones.
        let overlay = app.import_file(&token, "on_match=overlay", file.clone()).await;
        assert_eq!((count(&overlay, "created"), count(&overlay, "updated")), (0, 13), "{overlay}");
        let add = app.import_file(&token, "on_match=add", file).await;
        assert_eq!(count(&add, "created"), 13);
        let all = app.get("/api/v1/records?limit=500", Some(&token)).await.expect(200);
        assert_eq!(all.body["records"].as_array().unwrap().len(), 26);
        let overlaid = all.body["records"].as_array().unwrap().iter().filter(|r| r["version"] == 2).count();
        assert_eq!(overlaid, 13);
    }

    async fn bad_records_are_reported_and_their_neighbours_imported(app: TestApp) {
        let token = app.cataloger_token().await;
        let file = marc_bytes("malformed/pymarc__bad_records.mrc");
        let job = app.import_file(&token, "file_name=bad.mrc", file).await;
        assert_eq!(job["status"], "done", "{job}");
        assert_eq!(count(&job, "records_read"), 9);
        let id = job["id"].as_str().unwrap();
        let rejects = app.get(&format!("/api/v1/imports/{id}/rejects"), Some(&token)).await.expect(200);
        let list = rejects.body["rejects"].as_array().unwrap();
        let broken = list.iter().find(|r| r["index"] == 5).unwrap_or_else(|| panic!("{list:?}"));
        assert_eq!(broken["code"], "bad_base_address");
        assert!(broken["offset"].as_i64().unwrap() > 0);
        // Report lines of records imported with a repair are not rejects.
        let refused = list.iter().filter(|r| r["code"] != "control_characters_removed").count();
        assert_eq!(count(&job, "rejected") as usize, refused);
        assert_eq!(count(&job, "created") + count(&job, "rejected"), 9);
        assert!(count(&job, "created") >= 6, "{job}");
        // The file ends inside its last record: rejected, not imported cut short.
        let last = list.iter().find(|r| r["index"] == 8).unwrap_or_else(|| panic!("{list:?}"));
        assert_eq!(last["code"], "truncated_record", "{last}");

        let csv = app.get(&format!("/api/v1/imports/{id}/rejects?format=csv"), Some(&token)).await.expect(200);
        assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
        let lines: Vec<&str> = csv.text.lines().collect();
        assert_eq!(lines[0], "\u{feff}index,offset,code,control_number,message");
        assert!(lines.iter().any(|l| l.starts_with("5,") && l.contains("bad_base_address")), "{lines:?}");
        assert_eq!(lines.len(), list.len() + 1);
    }

    async fn imports_need_a_cataloger_and_a_body(app: TestApp) {
        let token = app.cataloger_token().await;
        let admin = app.admin_token().await;
        app.create_staff(&admin, "desk.f02", "librarian", "F02", "desk-password-2").await;
        let desk = app.token("desk.f02", "desk-password-2").await;
        let headers = [("Content-Type", "application/octet-stream")];
        let denied = app.raw(actix_web::http::Method::POST, "/api/v1/imports", Some(&desk), &headers, Some(vec![1, 2, 3])).await.expect(403);
        assert_eq!(denied.code(), "role_denied");
        let empty = app.raw(actix_web::http::Method::POST, "/api/v1/imports", Some(&token), &headers, Some(Vec::new())).await.expect(422);
        assert_eq!(empty.code(), "empty_upload");
        let bad = app.raw(actix_web::http::Method::POST, "/api/v1/imports?encoding=ebcdic", Some(&token), &headers, Some(vec![1])).await.expect(422);
        assert_eq!(bad.code(), "validation_failed");
        app.get("/api/v1/imports/0190f0a0-0000-7000-8000-000000000000", Some(&token)).await.expect(404);
        // A file that is not MARC at all fails as such; the report says what
        // the reader made of each piece.
        let junk = app.import_file(&token, "format=iso2709", b"hello, this is not MARC\x1dneither is this\x1d".to_vec()).await;
        assert_eq!((junk["status"].as_str(), junk["error_code"].as_str()), (Some("failed"), Some("not_marc")), "{junk}");
        assert_eq!((count(&junk, "created"), count(&junk, "rejected")), (0, 2), "{junk}");
    }

    async fn utf8_records_export_as_the_same_bytes(app: TestApp) {
        let token = app.cataloger_token().await;
        let file = marc_bytes("kazakh/marc21_utf8.mrc");
        let job = app.import_file(&token, "file_name=marc21_utf8.mrc", file.clone()).await;
        assert_eq!(count(&job, "created"), 40, "{job}");
        let id = job["id"].as_str().unwrap();
        let exported = app.get(&format!("/api/v1/exports/records?import_id={id}"), Some(&token)).await.expect(200);
        assert_eq!(exported.header("content-type"), Some("application/marc"));
        assert!(exported.bytes == file, "ISO 2709 export differs from the imported file");

        let xml = app.get(&format!("/api/v1/exports/records?import_id={id}&format=marcxml"), Some(&token)).await.expect(200);
        assert_eq!(xml.text.matches("<record>").count() + xml.text.matches("<record ").count(), 40);
        let json = app.get(&format!("/api/v1/exports/records?import_id={id}&format=json"), Some(&token)).await.expect(200);
        assert_eq!(json.body.as_array().unwrap().len(), 40);
        // Other readers read what we write.
        let titles: Vec<String> = json.body.as_array().unwrap().iter().map(json_title).collect();
        independent_readers_agree(&exported.bytes, &xml.bytes, &titles);
    }

    async fn legacy_encodings_export_as_utf8_and_convert(app: TestApp) {
        let token = app.cataloger_token().await;
        let job = app.import_file(&token, "", marc_bytes("kazakh/rusmarc_cp1251_ru_keyboard.iso")).await;
        let id = job["id"].as_str().unwrap();
        assert_eq!(count(&job, "created"), 10, "{job}");
        let listed = app.get(&format!("/api/v1/records?import_id={id}"), Some(&token)).await.expect(200);
        assert_eq!(listed.body["records"][0]["source_encoding"], "windows-1251");
        let as21 = app.get(&format!("/api/v1/exports/records?import_id={id}&format=json&convert=marc21"), Some(&token)).await.expect(200);
        let records = as21.body.as_array().unwrap();
        assert_eq!(records.len(), 10);
        assert!(records.iter().all(|r| r["fields"].as_array().unwrap().iter().any(|f| f.get("245").is_some())));
        let iso = app.get(&format!("/api/v1/exports/records?import_id={id}"), Some(&token)).await.expect(200);
        assert!(std::str::from_utf8(&iso.bytes).is_ok(), "the export is UTF-8");
    }
}

/// 245$a of a MARC-in-JSON record.
fn json_title(record: &Value) -> String {
    let fields = record["fields"].as_array().unwrap();
    let title = fields.iter().find_map(|f| f.get("245")).unwrap();
    let subfields = title["subfields"].as_array().unwrap();
    subfields
        .iter()
        .find_map(|s| s["a"].as_str())
        .unwrap()
        .to_owned()
}

/// Three readers that share no code with kitap-marc take our ISO 2709:
/// the `marc` crate, yaz-marcdump and pymarc (record count and titles);
/// xmllint validates our MARCXML. A missing tool fails the test in CI.
fn independent_readers_agree(iso: &[u8], xml: &[u8], titles: &[String]) {
    let dir = tempfile::tempdir().unwrap();
    let iso_path = dir.path().join("out.mrc");
    std::fs::write(&iso_path, iso).unwrap();
    let xml_path = dir.path().join("out.xml");
    std::fs::write(&xml_path, xml).unwrap();

    let read: Vec<marc::Record<'_>> = marc::Records::new(iso).map(Result::unwrap).collect();
    let read_titles: Vec<String> = read
        .iter()
        .map(|r| {
            String::from_utf8(
                r.field(b"245")[0].subfield(b'a')[0]
                    .get_data::<[u8]>()
                    .to_vec(),
            )
            .unwrap()
        })
        .collect();
    assert_eq!(read_titles, titles, "the marc crate's titles");

    if kitap_tests::require_tool("yaz-marcdump", "apt-get install yaz") {
        let out = output(
            Command::new("yaz-marcdump")
                .arg("-o")
                .arg("marcxml")
                .arg(&iso_path),
        );
        assert_eq!(
            out.matches("<record").count(),
            titles.len(),
            "yaz-marcdump's records"
        );
    }
    if kitap_tests::require_python_module("pymarc", "pip install pymarc==5.4.0") {
        let script = "import sys, json, pymarc; recs = [r for r in pymarc.MARCReader(open(sys.argv[1], 'rb'), \
            to_unicode=True, force_utf8=True) if r is not None]; print(json.dumps([r['245']['a'] for r in recs]))";
        let said: Vec<String> = serde_json::from_str(&output(
            Command::new("python3").arg("-c").arg(script).arg(&iso_path),
        ))
        .unwrap();
        assert_eq!(said, titles, "pymarc's titles");
    }
    if kitap_tests::require_tool("xmllint", "apt-get install libxml2-utils") {
        let schema = kitap_tests::marc_data("../schemas/MARC21slim.xsd");
        output(
            Command::new("xmllint")
                .arg("--noout")
                .arg("--schema")
                .arg(&schema)
                .arg(&xml_path),
        );
    }
}

/// The standard output of a command that must succeed.
fn output(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A RUSMARC record with IRBIS 910 copy fields, as MARC-in-JSON.
fn irbis_record(n: u32, copies: &[(&str, &str, &str, &str)]) -> Value {
    let mut fields = vec![
        serde_json::json!({"001": format!("irbis-{n}")}),
        serde_json::json!({"101": {"ind1": "0", "ind2": " ", "subfields": [{"a": "kaz"}]}}),
        serde_json::json!({"200": {"ind1": "1", "ind2": " ", "subfields": [{"a": format!("Кітап {n}")}]}}),
    ];
    for (status, inventory, place, price) in copies {
        fields.push(
            serde_json::json!({"910": {"ind1": " ", "ind2": " ", "subfields": [
                {"a": status}, {"b": inventory}, {"c": "20240315"}, {"d": place}, {"e": price}
            ]}}),
        );
    }
    serde_json::json!({"leader": "00000nam0 2200000   450 ", "fields": fields})
}

both_backends! {
    async fn irbis_910_fields_become_copies(app: TestApp) {
        let token = app.cataloger_token().await;
        let file = serde_json::json!([
            irbis_record(1, &[("0", "И-1001", "F07", "1200"), ("5", "И-1002", "ЧЗ", "1200,50")]),
            irbis_record(2, &[("0", "И-1001", "F07", "900")]),
            irbis_record(3, &[("6", "И-1003", "F01", "100"), ("1", "И-1004", "F01", "100")]),
        ]);
        let job = app.import_file(&token, "format=json&library=F03", file.to_string().into_bytes()).await;
        assert_eq!(job["status"], "done", "{job}");
        assert_eq!(count(&job, "created"), 3, "{job}");
        assert_eq!(count(&job, "copies"), 3, "{job}");
        let id = job["id"].as_str().unwrap();
        let records = app.get(&format!("/api/v1/records?import_id={id}"), Some(&token)).await.expect(200);
        let first = records.body["records"][0]["id"].as_str().unwrap().to_owned();
        let copies = app.get(&format!("/api/v1/records/{first}/copies"), Some(&token)).await.expect(200);
        let list = copies.body["copies"].as_array().unwrap();
        assert_eq!(list.len(), 2, "{list:?}");
        let f07 = list.iter().find(|c| c["inventory_number"] == "И-1001").unwrap();
        assert_eq!(f07["library"], "F07");
        assert_eq!(f07["price_minor"], 120000);
        assert_eq!(f07["kazakh"], true);
        let reading_room = list.iter().find(|c| c["inventory_number"] == "И-1002").unwrap();
        assert_eq!(reading_room["library"], "F03", "an unknown place goes to the import's library");
        assert_eq!(reading_room["location"], "ЧЗ");
        assert_eq!(reading_room["status"], "reading_room_only");
        assert_eq!(reading_room["price_minor"], 120050);

        // Record 2 repeats inventory number И-1001; record 3's first copy is written off.
        let notes = app.get(&format!("/api/v1/imports/{id}/rejects"), Some(&token)).await.expect(200);
        let notes = notes.body["rejects"].as_array().unwrap();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes.iter().all(|n| n["code"] == "copies_not_created"));
        assert!(notes[0]["message"].as_str().unwrap().contains("И-1001"), "{notes:?}");
        assert_eq!(count(&job, "rejected"), 0);
    }
}
