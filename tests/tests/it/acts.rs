//! Accession and write-off acts through the API: numbering, what they do to
//! copies, refusals, CSV/XLSX files, and numbers under concurrent requests.

use std::collections::HashSet;

use calamine::{Data, Reader, Xlsx};
use futures_util::future::join_all;
use kitap_domain::{CopyId, CopyStatus, Timestamp};
use kitap_tests::{both_backends, TestApp};
use serde_json::json;

use super::copies::{add, ids, record, staff};

/// Sets a copy's status in the database, as a loan will.
async fn set_status(app: &TestApp, id: &str, status: CopyStatus) {
    let db = app.app.db().clone();
    let id: CopyId = id.parse().unwrap();
    actix_web::web::block(move || {
        db.write(|c| kitap_db::copies::set_status(c, id, status, Timestamp::now()))
    })
    .await
    .unwrap()
    .unwrap();
}

both_backends! {
    async fn accession_acts_bring_copies_into_the_fund(app: TestApp) {
        let token = staff(&app, "cat.f07", "cataloger", "F07").await;
        let r = record(&app, &token, "Абай жолы", true).await;
        let loose = add(&app, &token, &r, json!({"count": 2, "price_minor": 1000})).await;
        let body = json!({
            "date": "2026-11-20", "source": "gift", "supplier": "Қарағанды облысы әкімдігі",
            "document_ref": "хат № 15", "copy_ids": ids(&loose),
            "new_copies": [{"record_id": r, "count": 3, "price_minor": 250000, "location": "Абонемент"}]
        });
        let made = app.post("/api/v1/accession-acts", Some(&token), body).await.expect(201);
        let act = &made.body["act"];
        assert_eq!(act["number"], "ҚА-2026/0001");
        assert_eq!(act["library"], "F07");
        assert_eq!(act["date"], "2026-11-20");
        assert_eq!(act["source"], "gift");
        assert_eq!(act["copy_count"], 5);
        assert_eq!(act["total_minor"], 2 * 1000 + 3 * 250000);
        let lines = act["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 5);
        assert!(lines.iter().all(|l| l["title"] == "Абай жолы" && l["status"] == "available"));
        let act_id = act["id"].as_str().unwrap().to_owned();

        // Copies already catalogued now carry the act's acquisition facts.
        let first = app.get(&format!("/api/v1/copies/{}", loose[0]["id"].as_str().unwrap()), Some(&token)).await.expect(200);
        let c = &first.body["copy"];
        assert_eq!(c["accession_act_id"], act_id.as_str());
        assert_eq!(c["acquisition_source"], "gift");
        assert_eq!(c["acquired_on"], "2026-11-20");
        assert_eq!(c["supplier"], "Қарағанды облысы әкімдігі");
        assert_eq!(c["version"], 2);
        let all = app.get(&format!("/api/v1/copies?record={r}"), Some(&token)).await.expect(200);
        let all = all.body["copies"].as_array().unwrap().clone();
        assert_eq!(all.len(), 5);
        assert!(all.iter().all(|c| c["accession_act_id"] == act_id.as_str()));

        let one_more = add(&app, &token, &r, json!({})).await;
        let body = json!({"date": "2026-11-21", "source": "budget", "copy_ids": ids(&one_more)});
        let second = app.post("/api/v1/accession-acts", Some(&token), body).await.expect(201);
        assert_eq!(second.body["act"]["number"], "ҚА-2026/0002");
        assert_eq!(second.body["act"]["total_minor"], 0);

        let again = json!({"date": "2026-11-21", "source": "budget", "copy_ids": ids(&one_more)});
        let refused = app.post("/api/v1/accession-acts", Some(&token), again).await.expect(409);
        assert_eq!(refused.code(), "copy_already_accessioned");
        let admin = app.admin_token().await;
        let elsewhere = add(&app, &admin, &r, json!({"library": "F06"})).await;
        let body = json!({"date": "2026-11-21", "source": "budget", "copy_ids": ids(&elsewhere)});
        let refused = app.post("/api/v1/accession-acts", Some(&token), body).await.expect(409);
        assert_eq!(refused.code(), "copy_in_other_library");
        let body = json!({"date": "2026-11-21", "source": "budget", "copy_ids": [uuid::Uuid::now_v7().to_string()]});
        assert_eq!(app.post("/api/v1/accession-acts", Some(&token), body).await.expect(404).code(), "copy_not_found");
        let cases = [
            (json!({"date": "2026-11-21", "source": "budget"}), "copy_ids"),
            (json!({"date": "1850-01-01", "source": "budget", "copy_ids": ids(&elsewhere)}), "date"),
            (json!({"date": "2026-11-21", "source": "bought", "copy_ids": ids(&elsewhere)}), "source"),
            (json!({"date": "2026-11-21", "source": "budget", "copy_ids": ["x"]}), "copy_id"),
        ];
        for (body, field) in cases {
            let refused = app.post("/api/v1/accession-acts", Some(&token), body).await.expect(422);
            assert_eq!(refused.body["error"]["details"]["field"], field, "{}", refused.text);
        }

        let listed = app.get("/api/v1/accession-acts?library=F07", Some(&token)).await.expect(200);
        let acts = listed.body["acts"].as_array().unwrap();
        assert_eq!(acts.len(), 2);
        assert!(acts[0].get("lines").is_none());
        let later = app.get("/api/v1/accession-acts?from=2026-11-21", Some(&token)).await.expect(200);
        assert_eq!(later.body["acts"][0]["number"], "ҚА-2026/0002");
        let paged = app.get("/api/v1/accession-acts?limit=1", Some(&token)).await.expect(200);
        let next = paged.body["next"].as_str().unwrap();
        let rest = app.get(&format!("/api/v1/accession-acts?limit=1&after={next}"), Some(&token)).await.expect(200);
        assert_eq!(rest.body["acts"][0]["number"], "ҚА-2026/0002");
        let read = app.get(&format!("/api/v1/accession-acts/{act_id}"), Some(&token)).await.expect(200);
        assert_eq!(read.body["act"]["lines"].as_array().unwrap().len(), 5);
        let missing = format!("/api/v1/accession-acts/{}", uuid::Uuid::now_v7());
        assert_eq!(app.get(&missing, Some(&token)).await.expect(404).code(), "act_not_found");
    }

    async fn write_off_withdraws_copies_and_keeps_their_history(app: TestApp) {
        let token = staff(&app, "cat.f07", "cataloger", "F07").await;
        let r = record(&app, &token, "Қараш-Қараш оқиғасы", true).await;
        let copies = add(&app, &token, &r, json!({"count": 3, "price_minor": 120000})).await;
        let leaving = ids(&copies[..2]);
        let body = json!({"date": "2026-11-20", "reason": "worn", "note": "тозған", "copy_ids": leaving});
        let made = app.post("/api/v1/write-off-acts", Some(&token), body).await.expect(201);
        let act = &made.body["act"];
        assert_eq!(act["number"], "ЕШ-2026/0001");
        assert_eq!(act["reason"], "worn");
        assert_eq!(act["copy_count"], 2);
        assert_eq!(act["total_minor"], 240000);
        assert!(act["lines"].as_array().unwrap().iter().all(|l| l["status"] == "withdrawn"));
        let act_id = act["id"].as_str().unwrap();

        // Written-off copies stay readable, with their act.
        let path = format!("/api/v1/copies/{}", leaving[0]);
        let gone = app.get(&path, Some(&token)).await.expect(200);
        assert_eq!(gone.body["copy"]["status"], "withdrawn");
        assert_eq!(gone.body["copy"]["write_off_act_id"], act_id);
        let withdrawn = app.get("/api/v1/copies?library=F07&status=withdrawn", Some(&token)).await.expect(200);
        assert_eq!(withdrawn.body["copies"].as_array().unwrap().len(), 2);
        let changed = app.patch(&path, Some(&token), json!({"version": 2, "note": "x"})).await.expect(409);
        assert_eq!(changed.code(), "copy_withdrawn");
        let twice = json!({"date": "2026-11-21", "reason": "other", "copy_ids": [leaving[1]]});
        assert_eq!(app.post("/api/v1/write-off-acts", Some(&token), twice).await.expect(409).code(), "copy_withdrawn");
        let admin = app.admin_token().await;
        let history = app.get(&format!("/api/v1/audit?entity_type=copy&entity_id={}", leaving[0]), Some(&admin)).await.expect(200);
        let actions: Vec<&str> = history.body["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["write_off", "create"]);
        // The record keeps its last copy in the fund, so it cannot be deleted.
        app.delete(&format!("/api/v1/records/{r}"), Some(&token)).await.expect(409);

        let bad = json!({"date": "2026-11-21", "reason": "burnt", "copy_ids": [copies[2]["id"]]});
        let refused = app.post("/api/v1/write-off-acts", Some(&token), bad).await.expect(422);
        assert_eq!(refused.body["error"]["details"]["field"], "reason");
        let listed = app.get("/api/v1/write-off-acts?library=F07&from=2026-11-01&to=2026-11-30", Some(&token)).await.expect(200);
        assert_eq!(listed.body["acts"].as_array().unwrap().len(), 1);
        let read = app.get(&format!("/api/v1/write-off-acts/{act_id}"), Some(&token)).await.expect(200);
        assert_eq!(read.body["act"]["lines"][0]["price_minor"], 120000);
    }

    async fn on_loan_copies_cannot_be_written_off(app: TestApp) {
        let token = staff(&app, "cat.f07", "cataloger", "F07").await;
        let r = record(&app, &token, "Менің атым Қожа", true).await;
        let copies = add(&app, &token, &r, json!({"count": 2})).await;
        let lent = copies[1]["id"].as_str().unwrap();
        set_status(&app, lent, CopyStatus::OnLoan).await;

        let body = json!({"date": "2026-11-20", "reason": "lost_by_reader", "copy_ids": ids(&copies)});
        let refused = app.post("/api/v1/write-off-acts", Some(&token), body).await.expect(409);
        assert_eq!(refused.code(), "copy_on_loan");
        assert!(refused.body["error"]["message"].as_str().unwrap().contains("F07-000002"), "{}", refused.text);
        // Nothing of the refused act happened.
        let first = app.get(&format!("/api/v1/copies/{}", copies[0]["id"].as_str().unwrap()), Some(&token)).await.expect(200);
        assert_eq!(first.body["copy"]["status"], "available");
        let acts = app.get("/api/v1/write-off-acts", Some(&token)).await.expect(200);
        assert!(acts.body["acts"].as_array().unwrap().is_empty());

        let path = format!("/api/v1/copies/{lent}");
        let moved = app.patch(&path, Some(&token), json!({"version": 2, "status": "available"})).await.expect(409);
        assert_eq!(moved.code(), "copy_on_loan");
        app.patch(&path, Some(&token), json!({"version": 2, "location": "Абонемент"})).await.expect(200);
        set_status(&app, copies[0]["id"].as_str().unwrap(), CopyStatus::InTransit).await;
        let body = json!({"date": "2026-11-20", "reason": "other", "copy_ids": [copies[0]["id"]]});
        assert_eq!(app.post("/api/v1/write-off-acts", Some(&token), body).await.expect(409).code(), "copy_in_transit");
    }

    async fn acts_download_as_csv_and_xlsx(app: TestApp) {
        let token = staff(&app, "cat.f07", "cataloger", "F07").await;
        let r = record(&app, &token, "Абай жолы, 1-кітап", true).await;
        let body = json!({"date": "2026-11-20", "source": "budget", "supplier": "Фолиант",
                          "new_copies": [{"record_id": r, "count": 2, "price_minor": 250050}]});
        let made = app.post("/api/v1/accession-acts", Some(&token), body).await.expect(201);
        let id = made.body["act"]["id"].as_str().unwrap();

        let csv = app.get(&format!("/api/v1/accession-acts/{id}/export?format=csv"), Some(&token)).await.expect(200);
        assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
        let disposition = csv.header("content-disposition").unwrap();
        assert!(disposition.starts_with("attachment"), "{disposition}");
        assert!(disposition.contains("-2026-0001.csv"), "{disposition}");
        let lines: Vec<&str> = csv.text.lines().collect();
        assert_eq!(lines[0], "Accession act,ҚА-2026/0001");
        assert_eq!(lines[1], "Date,2026-11-20");
        assert!(lines[2].starts_with("Library,F07 "), "{}", lines[2]);
        assert!(lines.contains(&"Source,budget"));
        assert!(lines.contains(&"Supplier,Фолиант"));
        let header = lines.iter().position(|l| *l == "No,Inventory number,Barcode,Title,Author,Year,Price").unwrap();
        let first = lines[header + 1];
        assert!(first.starts_with("1,F07-000001,200"), "{first}");
        assert!(first.contains(",\"Абай жолы, 1-кітап\","), "{first}");
        assert!(first.ends_with(",2023,2500.50"), "{first}");
        assert_eq!(lines[header + 3], "Total,2 copies,,,,,5001.00");
        assert_eq!(lines.len(), header + 4);

        let xlsx = app.get(&format!("/api/v1/accession-acts/{id}/export?format=xlsx"), Some(&token)).await.expect(200);
        assert_eq!(xlsx.header("content-type"), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        assert!(xlsx.bytes.starts_with(b"PK"));
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
        assert_eq!(book.sheet_names(), ["ҚА-2026-0001"]);
        let sheet = book.worksheet_range("ҚА-2026-0001").unwrap();
        let cell = |row: u32, col: u32| sheet.get_value((row, col)).cloned().unwrap_or(Data::Empty);
        assert_eq!(cell(0, 0), Data::String("Accession act".into()));
        assert_eq!(cell(0, 1), Data::String("ҚА-2026/0001".into()));
        let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
        let header = rows.iter().position(|r| r[0] == Data::String("No".into())).unwrap();
        let first = &rows[header + 1];
        assert_eq!(first[1], Data::String("F07-000001".into()));
        assert_eq!(first[3], Data::String("Абай жолы, 1-кітап".into()));
        assert_eq!(first[6], Data::Float(2500.5));
        assert_eq!(rows[header + 3][0], Data::String("Total".into()));
        assert_eq!(rows[header + 3][6], Data::Float(5001.0));

        let wrong = app.get(&format!("/api/v1/accession-acts/{id}/export?format=pdf"), Some(&token)).await.expect(422);
        assert_eq!(wrong.body["error"]["details"]["field"], "format");
        let copies: Vec<serde_json::Value> =
            made.body["act"]["lines"].as_array().unwrap().iter().map(|l| l["copy_id"].clone()).collect();
        let body = json!({"date": "2026-11-21", "reason": "obsolete", "copy_ids": copies});
        let off = app.post("/api/v1/write-off-acts", Some(&token), body).await.expect(201);
        let off_id = off.body["act"]["id"].as_str().unwrap();
        let csv = app.get(&format!("/api/v1/write-off-acts/{off_id}/export"), Some(&token)).await.expect(200);
        assert!(csv.text.starts_with("Write-off act,ЕШ-2026/0001\n"), "{}", csv.text);
        assert!(csv.text.contains("\nReason,obsolete\n"), "{}", csv.text);
        let xlsx = app.get(&format!("/api/v1/write-off-acts/{off_id}/export?format=XLSX"), Some(&token)).await.expect(200);
        assert!(xlsx.bytes.starts_with(b"PK"));
    }

    async fn parallel_requests_never_share_numbers(app: TestApp) {
        let token = staff(&app, "cat.f07", "cataloger", "F07").await;
        let r = record(&app, &token, "Абай жолы", true).await;
        let act = json!({"date": "2026-11-20", "source": "budget", "new_copies": [{"record_id": r, "count": 3}]});
        let acts = (0..8).map(|_| app.post("/api/v1/accession-acts", Some(&token), act.clone()));
        let path = format!("/api/v1/records/{r}/copies");
        let adds = (0..8).map(|_| app.post(&path, Some(&token), json!({"count": 4})));
        let (acts, adds) = futures_util::future::join(join_all(acts), join_all(adds)).await;

        let mut numbers: Vec<String> = acts.iter().map(|a| {
            assert_eq!(a.status.as_u16(), 201, "{}", a.text);
            a.body["act"]["number"].as_str().unwrap().to_owned()
        }).collect();
        numbers.sort();
        let expected: Vec<String> = (1..=8).map(|n| format!("ҚА-2026/{n:04}")).collect();
        assert_eq!(numbers, expected);
        assert!(adds.iter().all(|a| a.status.as_u16() == 201), "{:?}", adds.iter().map(|a| &a.text).collect::<Vec<_>>());
        let all = app.get(&format!("/api/v1/copies?record={r}&limit=500"), Some(&token)).await.expect(200);
        let all = all.body["copies"].as_array().unwrap();
        assert_eq!(all.len(), 8 * 3 + 8 * 4);
        let barcodes: HashSet<&str> = all.iter().map(|c| c["barcode"].as_str().unwrap()).collect();
        let inventory: HashSet<&str> = all.iter().map(|c| c["inventory_number"].as_str().unwrap()).collect();
        assert_eq!(barcodes.len(), all.len(), "duplicate barcodes");
        assert_eq!(inventory.len(), all.len(), "duplicate inventory numbers");

        // One copy, many write-offs at once: exactly one act takes it.
        let target = all[0]["id"].clone();
        let body = json!({"date": "2026-11-21", "reason": "worn", "copy_ids": [target]});
        let offs = join_all((0..6).map(|_| app.post("/api/v1/write-off-acts", Some(&token), body.clone()))).await;
        let statuses: Vec<u16> = offs.iter().map(|r| r.status.as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        assert!(offs.iter().filter(|r| r.status.as_u16() != 201).all(|r| r.code() == "copy_withdrawn" || r.code() == "copy_changed"),
            "{:?}", offs.iter().map(|r| &r.text).collect::<Vec<_>>());
    }
}
