use kitap_tests::both_backends;

both_backends! {
    async fn health_and_ready(app: TestApp) {
        let health = app.get("/health", None).await.expect(200);
        assert_eq!(health.body["status"], "ok");
        let ready = app.get("/ready", None).await.expect(200);
        assert_eq!(ready.body["status"], "ready");
        let expected = match app.backend {
            kitap_tests::Backend::Sqlite => "sqlite",
            kitap_tests::Backend::Postgres => "postgres",
        };
        assert_eq!(ready.body["database"], expected);
    }

    async fn not_ready_when_a_migration_is_missing(app: TestApp) {
        app.db.connect().execute_script("DELETE FROM __diesel_schema_migrations").unwrap();
        let response = app.get("/ready", None).await.expect(503);
        assert_eq!(response.code(), "not_ready");
        assert!(!response.text.contains("migrations pending"), "internal detail leaked: {}", response.text);
    }

    async fn metrics_count_requests_per_route(app: TestApp) {
        app.get("/api/v1/branches/F01", None).await.expect(200);
        app.get("/api/v1/branches/F02", None).await.expect(200);
        app.get("/no/such/page", None).await.expect(404);
        let metrics = app.get("/metrics", None).await.expect(200);
        assert!(metrics.header("content-type").unwrap().starts_with("text/plain"));
        let text = metrics.text;
        assert!(text.contains(r#"kitap_http_requests_total{method="GET",route="/api/v1/branches/{code}",status="200"} 2"#), "{text}");
        assert!(text.contains(r#"route="unmatched",status="404""#), "{text}");
        assert!(text.contains("kitap_http_request_duration_seconds_bucket"), "{text}");
        assert!(text.contains(r#"kitap_db_pool_connections{state="max"} 4"#), "{text}");
    }

    async fn the_openapi_document_is_served(app: TestApp) {
        let doc = app.get("/api/v1/openapi.json", None).await.expect(200);
        assert_eq!(doc.body["info"]["title"], "Kitap");
        assert!(doc.body["paths"]["/api/v1/auth/login"]["post"].is_object());
        assert_eq!(doc.text, kitap_api::openapi_json(&kitap_api::openapi()));
    }
}
