use kitap_tests::both_backends;
use serde_json::json;

both_backends! {
    async fn the_21_libraries_are_listed_publicly(app: TestApp) {
        let response = app.get("/api/v1/branches", None).await.expect(200);
        let branches = response.body["branches"].as_array().unwrap();
        assert_eq!(branches.len(), 21);
        assert_eq!(branches[0]["code"], "C00");
        assert_eq!(branches[0]["kind"], "central");
        assert_eq!(branches[0]["name_kk"], "М.О. Әуезов атындағы Орталық қалалық кітапхана");
        assert_eq!(branches.iter().filter(|b| b["kind"] == "children").count(), 6);
        let one = app.get("/api/v1/branches/f07", None).await.expect(200);
        assert_eq!(one.body["branch"]["code"], "F07");
        assert_eq!(app.get("/api/v1/branches/F42", None).await.expect(404).code(), "library_not_found");
    }

    async fn admins_add_rename_and_deactivate_libraries(app: TestApp) {
        let admin = app.admin_token().await;
        let body = json!({
            "code": "f21", "kind": "children",
            "name_kk": "№21 балалар кітапхана-филиалы", "name_ru": "Детская библиотека-филиал №21",
            "address": "Қарағанды, Бұқар жырау даңғылы, 1", "phone": "+7 (7212) 00-00-00"
        });
        let created = app.post("/api/v1/branches", Some(&admin), body.clone()).await.expect(201);
        assert_eq!(created.body["branch"]["code"], "F21");
        assert_eq!(app.post("/api/v1/branches", Some(&admin), body).await.expect(409).code(), "branch_code_taken");

        let renamed = app
            .patch("/api/v1/branches/F21", Some(&admin), json!({"name_ru": "Библиотека семейного чтения", "phone": ""}))
            .await
            .expect(200);
        assert_eq!(renamed.body["branch"]["name_ru"], "Библиотека семейного чтения");
        assert_eq!(renamed.body["branch"]["name_kk"], "№21 балалар кітапхана-филиалы");
        assert!(renamed.body["branch"]["phone"].is_null());

        app.patch("/api/v1/branches/F21", Some(&admin), json!({"active": false})).await.expect(200);
        let active = app.get("/api/v1/branches", None).await.expect(200);
        assert_eq!(active.body["branches"].as_array().unwrap().len(), 21);
        let all = app.get("/api/v1/branches?include_inactive=true", None).await.expect(200);
        assert_eq!(all.body["branches"].as_array().unwrap().len(), 22);
    }

    async fn library_input_is_validated(app: TestApp) {
        let admin = app.admin_token().await;
        let cases = [
            (json!({"code": "21", "kind": "adult", "name_kk": "a", "name_ru": "b"}), "code"),
            (json!({"code": "F30", "kind": "school", "name_kk": "a", "name_ru": "b"}), "kind"),
            (json!({"code": "F30", "kind": "adult", "name_kk": "  ", "name_ru": "b"}), "name_kk"),
            (json!({"code": "F30", "kind": "adult", "name_kk": "a", "name_ru": "b", "phone": "call me"}), "phone"),
        ];
        for (body, field) in cases {
            let response = app.post("/api/v1/branches", Some(&admin), body).await.expect(422);
            assert_eq!(response.code(), "validation_failed");
            assert_eq!(response.body["error"]["details"]["field"], field);
        }
        let central = json!({"code": "C01", "kind": "central", "name_kk": "a", "name_ru": "b"});
        assert_eq!(app.post("/api/v1/branches", Some(&admin), central).await.expect(409).code(), "central_library_exists");
    }

    async fn the_central_library_stays(app: TestApp) {
        let admin = app.admin_token().await;
        let off = app.patch("/api/v1/branches/C00", Some(&admin), json!({"active": false})).await.expect(409);
        assert_eq!(off.code(), "central_library_required");
        app.patch("/api/v1/branches/C00", Some(&admin), json!({"kind": "adult"})).await.expect(409);
        app.patch("/api/v1/branches/F01", Some(&admin), json!({"kind": "central"})).await.expect(409);
        app.delete("/api/v1/branches/C00", Some(&admin)).await.expect(409);
    }

    async fn libraries_with_history_are_never_deleted(app: TestApp) {
        let admin = app.admin_token().await;
        // A library added by mistake, with no history, can go.
        let body = json!({"code": "F30", "kind": "adult", "name_kk": "Қате", "name_ru": "Ошибка"});
        app.post("/api/v1/branches", Some(&admin), body).await.expect(201);
        app.delete("/api/v1/branches/F30", Some(&admin)).await.expect(204);
        app.get("/api/v1/branches/F30", None).await.expect(404);
        // One where staff work has history.
        app.create_staff(&admin, "desk.f09", "librarian", "F09", "desk-password-9").await;
        let refused = app.delete("/api/v1/branches/F09", Some(&admin)).await.expect(409);
        assert_eq!(refused.code(), "branch_has_history");
        app.get("/api/v1/branches/F09", None).await.expect(200);
        // One that somebody acted for has audit history.
        let body = json!({"code": "F31", "kind": "adult", "name_kk": "Жаңа", "name_ru": "Новая"});
        app.post("/api/v1/branches", Some(&admin), body).await.expect(201);
        let rename = json!({"address": "Караганда"});
        let acting = [("X-Kitap-Library", "F31")];
        let body = Some(rename.to_string().into_bytes());
        app.raw(actix_web::http::Method::PATCH, "/api/v1/branches/F01", Some(&admin), &acting, body).await.expect(200);
        let refused = app.delete("/api/v1/branches/F31", Some(&admin)).await.expect(409);
        assert_eq!(refused.code(), "branch_has_history");
        app.delete("/api/v1/branches/F42", Some(&admin)).await.expect(404);
    }
}
