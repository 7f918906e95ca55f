use actix_web::http::Method;
use kitap_tests::both_backends;
use serde_json::json;

both_backends! {
    async fn writes_are_audited_with_before_after_and_request_id(app: TestApp) {
        let admin = app.admin_token().await;
        let headers = [("X-Request-Id", "audit-test-1"), ("X-Kitap-Library", "F02")];
        let body = json!({"name_ru": "Библиотека-филиал №1 им. Абая"}).to_string().into_bytes();
        app.raw(Method::PATCH, "/api/v1/branches/F01", Some(&admin), &headers, Some(body)).await.expect(200);

        let page = app.get("/api/v1/audit?request_id=audit-test-1", Some(&admin)).await.expect(200);
        let entries = page.body["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 1, "{}", page.text);
        let entry = &entries[0];
        assert_eq!(entry["action"], "update");
        assert_eq!(entry["entity_type"], "branch");
        assert_eq!(entry["actor_name"], "admin");
        assert_eq!(entry["library"], "F02");
        assert_eq!(entry["before"]["name_ru"], "Библиотека-филиал №1");
        assert_eq!(entry["after"]["name_ru"], "Библиотека-филиал №1 им. Абая");
        assert_eq!(entry["before"]["code"], "F01");
        assert!(entry["at"].as_str().unwrap().ends_with('Z'));
    }

    async fn logins_and_account_changes_are_audited(app: TestApp) {
        let admin = app.admin_token().await;
        let id = app.create_staff(&admin, "audited", "cataloger", "C00", "audited-password").await;
        app.login("audited", "wrong-password").await.expect(401);
        app.token("audited", "audited-password").await;
        let path = format!("/api/v1/audit?entity_type=staff&entity_id={id}");
        let page = app.get(&path, Some(&admin)).await.expect(200);
        let actions: Vec<&str> = page.body["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["login", "login_failed", "create"]);
        let created = &page.body["entries"][2];
        assert!(created["before"].is_null());
        assert_eq!(created["after"]["role"], "cataloger");
        assert!(!created.to_string().contains("argon2"), "password hashes never reach the audit log");
    }

    async fn failed_writes_leave_no_audit_row(app: TestApp) {
        let admin = app.admin_token().await;
        let headers = [("X-Request-Id", "audit-test-2")];
        let body = json!({"active": false}).to_string().into_bytes();
        app.raw(Method::PATCH, "/api/v1/branches/C00", Some(&admin), &headers, Some(body)).await.expect(409);
        let page = app.get("/api/v1/audit?request_id=audit-test-2", Some(&admin)).await.expect(200);
        assert_eq!(page.body["entries"], json!([]));
    }

    async fn the_audit_log_pages_newest_first(app: TestApp) {
        let admin = app.admin_token().await;
        for n in 0..5 {
            app.patch("/api/v1/branches/F10", Some(&admin), json!({"address": format!("address {n}")})).await.expect(200);
        }
        let first = app.get("/api/v1/audit?entity_type=branch&limit=3", Some(&admin)).await.expect(200);
        let entries = first.body["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0]["after"]["address"], "address 4");
        let next = first.body["next"].as_i64().unwrap();
        let second = app.get(&format!("/api/v1/audit?entity_type=branch&limit=3&before={next}"), Some(&admin)).await.expect(200);
        let rest = second.body["entries"].as_array().unwrap();
        assert_eq!(rest.len(), 2);
        assert_eq!(rest[1]["after"]["address"], "address 0");
        assert!(second.body["next"].is_null());
        let later = app.get("/api/v1/audit?from=2999-01-01T00:00:00Z", Some(&admin)).await.expect(200);
        assert_eq!(later.body["entries"], json!([]));
        let by_library = app.get("/api/v1/audit?library=C00&action=update", Some(&admin)).await.expect(200);
        assert_eq!(by_library.body["entries"].as_array().unwrap().len(), 5);
    }
}
