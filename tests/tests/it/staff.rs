use kitap_tests::both_backends;
use serde_json::json;

both_backends! {
    async fn an_admin_creates_a_librarian_scoped_to_one_branch(app: TestApp) {
        let admin = app.admin_token().await;
        let body = json!({
            "username": "Aigerim.K", "display_name": "Айгерім Қасымова",
            "role": "librarian", "home_library": "f03"
        });
        let created = app.post("/api/v1/staff", Some(&admin), body).await.expect(201);
        let staff = &created.body["staff"];
        assert_eq!(staff["username"], "aigerim.k");
        assert_eq!(staff["home_library"], "F03");
        assert_eq!(staff["libraries"], json!([]));
        assert_eq!(staff["all_libraries"], false);
        let password = created.body["initial_password"].as_str().unwrap();
        assert_eq!(password.len(), 20);
        let token = app.token("aigerim.k", password).await;
        let me = app.get("/api/v1/me", Some(&token)).await.expect(200);
        assert_eq!(me.body["staff"]["display_name"], "Айгерім Қасымова");
        assert_eq!(me.body["acting_library"]["code"], "F03");
        assert!(app.get("/api/v1/staff", Some(&admin)).await.expect(200).text.contains("aigerim.k"));
    }

    async fn staff_input_is_validated(app: TestApp) {
        let admin = app.admin_token().await;
        let base = json!({"username": "x.user", "display_name": "X", "role": "librarian", "home_library": "F01"});
        let mut bad_role = base.clone();
        bad_role["role"] = json!("root");
        assert_eq!(app.post("/api/v1/staff", Some(&admin), bad_role).await.expect(422).body["error"]["details"]["field"], "role");
        let mut bad_name = base.clone();
        bad_name["username"] = json!("айгерім");
        assert_eq!(app.post("/api/v1/staff", Some(&admin), bad_name).await.expect(422).body["error"]["details"]["field"], "username");
        let mut short = base.clone();
        short["password"] = json!("short");
        assert_eq!(app.post("/api/v1/staff", Some(&admin), short).await.expect(422).body["error"]["details"]["field"], "password");
        let mut nowhere = base.clone();
        nowhere["home_library"] = json!("F77");
        assert_eq!(app.post("/api/v1/staff", Some(&admin), nowhere).await.expect(404).code(), "library_not_found");
        app.post("/api/v1/staff", Some(&admin), base.clone()).await.expect(201);
        assert_eq!(app.post("/api/v1/staff", Some(&admin), base).await.expect(409).code(), "username_taken");
    }

    async fn staff_list_pages_with_a_cursor(app: TestApp) {
        let admin = app.admin_token().await;
        for n in 0..5 {
            app.create_staff(&admin, &format!("page.user{n}"), "cataloger", "C00", "page-password-0").await;
        }
        let mut seen = Vec::new();
        let mut path = "/api/v1/staff?role=cataloger&limit=2".to_owned();
        loop {
            let page = app.get(&path, Some(&admin)).await.expect(200);
            for account in page.body["staff"].as_array().unwrap() {
                seen.push(account["username"].as_str().unwrap().to_owned());
            }
            match page.body["next"].as_str() {
                Some(next) => path = format!("/api/v1/staff?role=cataloger&limit=2&after={next}"),
                None => break,
            }
        }
        assert_eq!(seen, (0..5).map(|n| format!("page.user{n}")).collect::<Vec<_>>());
        let by_home = app.get("/api/v1/staff?home_library=C00&role=admin", Some(&admin)).await.expect(200);
        assert_eq!(by_home.body["staff"].as_array().unwrap().len(), 1);
    }

    async fn staff_see_themselves_but_not_others(app: TestApp) {
        let admin = app.admin_token().await;
        let id = app.create_staff(&admin, "desk.self", "librarian", "F01", "desk-password-s").await;
        let other = app.create_staff(&admin, "desk.other", "librarian", "F01", "desk-password-o").await;
        let desk = app.token("desk.self", "desk-password-s").await;
        app.get(&format!("/api/v1/staff/{id}"), Some(&desk)).await.expect(200);
        assert_eq!(app.get(&format!("/api/v1/staff/{other}"), Some(&desk)).await.expect(403).code(), "role_denied");
        let missing = uuid::Uuid::now_v7();
        assert_eq!(app.get(&format!("/api/v1/staff/{missing}"), Some(&admin)).await.expect(404).code(), "staff_not_found");
    }

    async fn admins_change_roles_and_libraries(app: TestApp) {
        let admin = app.admin_token().await;
        let id = app.create_staff(&admin, "move.me", "librarian", "F01", "move-password-1").await;
        let changed = app
            .patch(&format!("/api/v1/staff/{id}"), Some(&admin), json!({"role": "exchange", "home_library": "F02", "libraries": ["F03", "F02", "F03"]}))
            .await
            .expect(200);
        assert_eq!(changed.body["staff"]["role"], "exchange");
        assert_eq!(changed.body["staff"]["home_library"], "F02");
        assert_eq!(changed.body["staff"]["libraries"], json!(["F03"]));
        let me = app.get("/api/v1/me", Some(&admin)).await.expect(200);
        let admin_id = me.body["staff"]["id"].as_str().unwrap();
        let demote = app.patch(&format!("/api/v1/staff/{admin_id}"), Some(&admin), json!({"role": "manager"})).await.expect(409);
        assert_eq!(demote.code(), "cannot_demote_self");
    }

    async fn a_password_reset_ends_sessions_and_lifts_locks(app: TestApp) {
        let admin = app.admin_token().await;
        let id = app.create_staff(&admin, "forgetful", "librarian", "F01", "forgot-password").await;
        let old = app.token("forgetful", "forgot-password").await;
        let reset = app.post(&format!("/api/v1/staff/{id}/password"), Some(&admin), json!({})).await.expect(200);
        let generated = reset.body["initial_password"].as_str().unwrap().to_owned();
        app.get("/api/v1/me", Some(&old)).await.expect(401);
        app.login("forgetful", "forgot-password").await.expect(401);
        app.login("forgetful", &generated).await.expect(200);
        app.post(&format!("/api/v1/staff/{id}/password"), Some(&admin), json!({"password": "chosen-password"})).await.expect(200);
        app.login("forgetful", "chosen-password").await.expect(200);
    }
}
