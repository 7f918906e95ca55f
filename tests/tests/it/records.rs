//! Bibliographic records through the API: create, read, update with a
//! version, delete or withdraw, list, validate, convert.

use futures_util::future::join_all;
use kitap_tests::both_backends;
use serde_json::{json, Value};

/// A Kazakh RUSMARC-style record as MARC-in-JSON.
fn unimarc_book(title: &str, isbn: &str) -> Value {
    json!({
        "leader": "00000nam0 2200000   450 ",
        "fields": [
            {"001": format!("KZ-{title}")},
            {"010": {"ind1": " ", "ind2": " ", "subfields": [{"a": isbn}]}},
            {"100": {"ind1": " ", "ind2": " ", "subfields": [{"a": "20240101d2023    k  y0kaza50      ca"}]}},
            {"101": {"ind1": "0", "ind2": " ", "subfields": [{"a": "kaz"}]}},
            {"200": {"ind1": "1", "ind2": " ", "subfields": [{"a": title}, {"f": "Мұхтар Әуезов"}]}},
            {"210": {"ind1": " ", "ind2": " ", "subfields": [{"a": "Алматы"}, {"c": "Жазушы"}, {"d": "2023"}]}},
            {"215": {"ind1": " ", "ind2": " ", "subfields": [{"a": "480 б."}]}},
            {"700": {"ind1": " ", "ind2": "1", "subfields": [{"a": "Әуезов"}, {"b": "М."}]}}
        ]
    })
}

fn marc21_book(title: &str) -> Value {
    json!({
        "leader": "00000nam a2200000 i 4500",
        "fields": [
            {"008": "230101s2023    kz            000 1 rus d"},
            {"020": {"ind1": " ", "ind2": " ", "subfields": [{"a": "9786010000003"}]}},
            {"100": {"ind1": "1", "ind2": " ", "subfields": [{"a": "Абай Кунанбаев"}]}},
            {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": title}, {"c": "Абай."}]}},
            {"260": {"ind1": " ", "ind2": " ", "subfields": [{"a": "Алматы :"}, {"b": "Атамұра,"}, {"c": "2023."}]}}
        ]
    })
}

both_backends! {
    async fn catalogers_create_and_read_records(app: TestApp) {
        let token = app.cataloger_token().await;
        // 978-601-7000-00-? with a wrong check digit: a warning, not a refusal.
        let created = app
            .post("/api/v1/records", Some(&token), json!({"marc": unimarc_book("Абай жолы", "978-601-7000-00-1")}))
            .await
            .expect(201);
        let record = &created.body["record"];
        assert_eq!(record["version"], 1);
        assert_eq!(record["dialect"], "unimarc");
        assert_eq!(record["title"], "Абай жолы");
        assert_eq!(record["language"], "kaz");
        assert_eq!(record["kazakh"], true);
        assert_eq!(record["year"], 2023);
        let codes: Vec<&str> = created.body["warnings"].as_array().unwrap().iter()
            .map(|w| w["code"].as_str().unwrap()).collect();
        assert!(codes.contains(&"bad_isbn_check_digit"), "{codes:?}");

        let id = record["id"].as_str().unwrap();
        let read = app.get(&format!("/api/v1/records/{id}"), Some(&token)).await.expect(200);
        assert_eq!(read.body["view"]["title"], "Абай жолы");
        assert_eq!(read.body["view"]["publication"][0]["publisher"], "Жазушы");
        assert_eq!(read.body["marc"]["fields"][4]["200"]["subfields"][0]["a"], "Абай жолы");
        assert_eq!(read.body["copies"], 0);

        // Any staff member reads; only catalogers and admins write.
        let admin = app.admin_token().await;
        app.create_staff(&admin, "desk.f01", "librarian", "F01", "desk-password-1").await;
        let desk = app.token("desk.f01", "desk-password-1").await;
        app.get(&format!("/api/v1/records/{id}"), Some(&desk)).await.expect(200);
        let denied = app.post("/api/v1/records", Some(&desk), json!({"marc": marc21_book("X")})).await.expect(403);
        assert_eq!(denied.code(), "role_denied");
        // Without a token: the public record page, never the MARC or staff fields.
        let public = app.get(&format!("/api/v1/records/{id}"), None).await.expect(200);
        assert_eq!(public.body["view"]["title"], "Абай жолы");
        assert!(public.body.get("marc").is_none() && public.body.get("record").is_none());
        // A bad token is refused, not treated as no token.
        app.get(&format!("/api/v1/records/{id}"), Some("ktp_nonsense")).await.expect(401);
    }

    async fn bad_records_are_refused_with_field_level_issues(app: TestApp) {
        let token = app.cataloger_token().await;
        let mut no_title = marc21_book("x");
        no_title["fields"].as_array_mut().unwrap().retain(|f| f.get("245").is_none());
        let refused = app.post("/api/v1/records", Some(&token), json!({"marc": no_title})).await.expect(422);
        assert_eq!(refused.code(), "record_invalid");
        let issues = refused.body["error"]["details"]["issues"].as_array().unwrap();
        let missing = issues.iter().find(|i| i["code"] == "missing_title").unwrap();
        assert_eq!(missing["severity"], "error");
        assert!(refused.body["error"]["message"].as_str().unwrap().contains("title"));

        let garbage = app.post("/api/v1/records", Some(&token), json!({"marc": [1, 2]})).await.expect(422);
        assert_eq!(garbage.code(), "invalid_marc");

        // Validation without saving reports warnings too.
        let mut bad_lang = marc21_book("Title");
        bad_lang["fields"].as_array_mut().unwrap().push(json!({"041": {"ind1": "0", "ind2": " ", "subfields": [{"a": "kzk"}]}}));
        let checked = app.post("/api/v1/records/validate", Some(&token), json!({"marc": bad_lang})).await.expect(200);
        assert_eq!(checked.body["valid"], true);
        let issue = checked.body["issues"].as_array().unwrap().iter()
            .find(|i| i["code"] == "unknown_language_code").cloned().unwrap();
        assert_eq!(issue["tag"], "041");
        assert_eq!(issue["subfield"], "a");
        let listed = app.get("/api/v1/records", Some(&token)).await.expect(200);
        assert_eq!(listed.body["records"].as_array().unwrap().len(), 0, "validate must not save");
    }

    async fn updates_need_the_current_version(app: TestApp) {
        let token = app.cataloger_token().await;
        let created = app.post("/api/v1/records", Some(&token), json!({"marc": marc21_book("Қара сөздер")})).await.expect(201);
        let id = created.body["record"]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/records/{id}");

        let updated = app.put(&path, Some(&token), json!({"version": 1, "marc": marc21_book("Қара сөздер. 2-басылым")})).await.expect(200);
        assert_eq!(updated.body["record"]["version"], 2);
        assert_eq!(updated.body["record"]["title"], "Қара сөздер. 2-басылым");

        let stale = app.put(&path, Some(&token), json!({"version": 1, "marc": marc21_book("Stale")})).await.expect(409);
        assert_eq!(stale.code(), "version_conflict");
        assert_eq!(stale.body["error"]["details"]["current_version"], 2);

        // Two catalogers saving the same version at once: exactly one wins.
        let tries = (0..6).map(|n| {
            let body = json!({"version": 2, "marc": marc21_book(&format!("Edit {n}"))});
            let path = path.clone();
            let token = token.clone();
            let app = &app;
            async move { app.put(&path, Some(&token), body).await.status.as_u16() }
        });
        let statuses = join_all(tries).await;
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
        let now = app.get(&path, Some(&token)).await.expect(200);
        assert_eq!(now.body["record"]["version"], 3);

        let missing = app.put("/api/v1/records/0190f0a0-0000-7000-8000-000000000000", Some(&token), json!({"version": 1, "marc": marc21_book("x")})).await.expect(404);
        assert_eq!(missing.code(), "record_not_found");
    }

    async fn deleting_writes_outbox_and_audit(app: TestApp) {
        let token = app.cataloger_token().await;
        let created = app.post("/api/v1/records", Some(&token), json!({"marc": marc21_book("Жойылатын")})).await.expect(201);
        let id = created.body["record"]["id"].as_str().unwrap().to_owned();
        let stale = app.delete(&format!("/api/v1/records/{id}?version=7"), Some(&token)).await.expect(409);
        assert_eq!(stale.code(), "version_conflict");
        let gone = app.delete(&format!("/api/v1/records/{id}?version=1"), Some(&token)).await.expect(200);
        assert_eq!(gone.body["outcome"], "deleted");
        app.get(&format!("/api/v1/records/{id}"), Some(&token)).await.expect(404);

        let outbox = app.app.db().read(|conn| kitap_db::outbox::after(conn, 0, 100)).unwrap();
        let ops: Vec<(&str, &str)> = outbox.iter().filter(|e| e.entity_id == id)
            .map(|e| (e.entity_type.as_str(), e.op.as_str())).collect();
        assert_eq!(ops, vec![("record", "upsert"), ("record", "delete")]);

        let admin = app.admin_token().await;
        let audit = app.get(&format!("/api/v1/audit?entity_type=record&entity_id={id}"), Some(&admin)).await.expect(200);
        let actions: Vec<&str> = audit.body["entries"].as_array().unwrap().iter()
            .map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, vec!["delete", "create"]);
    }

    async fn records_are_listed_page_by_page(app: TestApp) {
        let token = app.cataloger_token().await;
        for n in 0..5 {
            app.post("/api/v1/records", Some(&token), json!({"marc": unimarc_book(&format!("Кітап {n}"), "9786017000001")})).await.expect(201);
        }
        app.post("/api/v1/records", Some(&token), json!({"marc": marc21_book("Русская книга")})).await.expect(201);
        let mut seen = Vec::new();
        let mut path = "/api/v1/records?limit=2".to_owned();
        loop {
            let page = app.get(&path, Some(&token)).await.expect(200);
            for r in page.body["records"].as_array().unwrap() {
                seen.push(r["title"].as_str().unwrap().to_owned());
            }
            match page.body["next"].as_str() {
                Some(next) => path = format!("/api/v1/records?limit=2&after={next}"),
                None => break,
            }
        }
        assert_eq!(seen.len(), 6);
        assert_eq!(seen[0], "Кітап 0");
        let kazakh = app.get("/api/v1/records?kazakh=true", Some(&token)).await.expect(200);
        assert_eq!(kazakh.body["records"].as_array().unwrap().len(), 5);
        let russian = app.get("/api/v1/records?language=rus", Some(&token)).await.expect(200);
        assert_eq!(russian.body["records"][0]["title"], "Русская книга");
        app.get("/api/v1/records?after=nope", Some(&token)).await.expect(422);
        // A title query: every word, any case; LIKE wildcards are literal.
        let found = app.get("/api/v1/records?q=%D0%9A%D0%86%D0%A2%D0%90%D0%9F%203", Some(&token)).await.expect(200);
        let titles: Vec<&str> = found.body["records"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap()).collect();
        assert_eq!(titles, vec!["Кітап 3"]);
        let wild = app.get("/api/v1/records?q=%25", Some(&token)).await.expect(200);
        assert_eq!(wild.body["records"].as_array().unwrap().len(), 0);
        let exported = app.get("/api/v1/exports/records?format=json&q=%D0%BA%D1%96%D1%82%D0%B0%D0%BF", Some(&token)).await.expect(200);
        assert_eq!(exported.body.as_array().unwrap().len(), 5);
    }

    async fn records_convert_between_marc_families(app: TestApp) {
        let token = app.cataloger_token().await;
        let created = app.post("/api/v1/records", Some(&token), json!({"marc": unimarc_book("Абай жолы", "9786017000001")})).await.expect(201);
        let id = created.body["record"]["id"].as_str().unwrap();
        let as21 = app.get(&format!("/api/v1/records/{id}/converted?to=marc21"), Some(&token)).await.expect(200);
        let fields = as21.body["marc"]["fields"].as_array().unwrap();
        let title = fields.iter().find_map(|f| f.get("245")).unwrap();
        assert_eq!(title["subfields"][0]["a"].as_str().unwrap().trim_end_matches([' ', '/']), "Абай жолы");
        assert!(fields.iter().any(|f| f.get("020").is_some()));
        app.get(&format!("/api/v1/records/{id}/converted?to=dublin-core"), Some(&token)).await.expect(422);
    }
}

both_backends! {
    async fn the_demo_catalog_loads_once_with_copies_everywhere(app: TestApp) {
        let inner = app.app.clone();
        let report = actix_web::web::block(move || inner.seed_demo_catalog()).await.unwrap().unwrap().unwrap();
        assert!(report.records >= 440, "{report:?}");
        assert!(report.copies >= report.records, "{report:?}");
        let token = app.cataloger_token().await;
        for library in ["C00", "F07", "F20"] {
            let held = app.get(&format!("/api/v1/records?library={library}&limit=5"), Some(&token)).await.expect(200);
            assert_eq!(held.body["records"].as_array().unwrap().len(), 5, "{library}");
        }
        let kazakh = app.get("/api/v1/records?kazakh=true&limit=500", Some(&token)).await.expect(200);
        assert!(kazakh.body["records"].as_array().unwrap().len() > 100);
        let inner = app.app.clone();
        let again = actix_web::web::block(move || inner.seed_demo_catalog()).await.unwrap().unwrap();
        assert!(again.is_none(), "a catalog with records is left alone");
    }
}
