//! Every malformed request gets the JSON envelope, never plain text or HTML.

use actix_web::http::Method;
use kitap_tests::both_backends;
use serde_json::json;

both_backends! {
    async fn malformed_json(app: TestApp) {
        let response = app
            .raw(Method::POST, "/api/v1/auth/login", None, &[], Some(b"{\"username\": ".to_vec()))
            .await
            .expect(400);
        assert_eq!(response.code(), "malformed_json");
    }

    async fn json_of_the_wrong_shape(app: TestApp) {
        let response = app.post("/api/v1/auth/login", None, json!({"username": 5})).await.expect(422);
        assert_eq!(response.code(), "invalid_body");
        let response = app
            .post("/api/v1/auth/login", None, json!({"username": "a", "password": "b", "extra": 1}))
            .await
            .expect(422);
        assert_eq!(response.code(), "invalid_body");
    }

    async fn wrong_content_type(app: TestApp) {
        let response = app
            .raw(Method::POST, "/api/v1/auth/login", None, &[("Content-Type", "text/plain")], Some(b"hello".to_vec()))
            .await
            .expect(415);
        assert_eq!(response.code(), "unsupported_media_type");
    }

    async fn oversized_body(app: TestApp) {
        let big = json!({"username": "admin", "password": "x".repeat(2 * 1024 * 1024)});
        let response = app.post("/api/v1/auth/login", None, big).await.expect(413);
        assert_eq!(response.code(), "payload_too_large");
    }

    async fn bad_path_parameter(app: TestApp) {
        let admin = app.admin_token().await;
        let response = app.get("/api/v1/staff/not-a-uuid", Some(&admin)).await.expect(400);
        assert_eq!(response.code(), "invalid_path_parameter");
        assert_eq!(response.body["error"]["details"]["field"], "staff_id");
    }

    async fn bad_query_parameter(app: TestApp) {
        let response = app.get("/api/v1/branches?include_inactive=maybe", None).await.expect(400);
        assert_eq!(response.code(), "invalid_query_parameter");
        let admin = app.admin_token().await;
        let response = app.get("/api/v1/audit?limit=-3", Some(&admin)).await.expect(400);
        assert_eq!(response.code(), "invalid_query_parameter");
        let response = app.get("/api/v1/audit?from=yesterday", Some(&admin)).await.expect(400);
        assert_eq!(response.code(), "invalid_query_parameter");
        let response = app.get("/api/v1/staff?colour=blue", Some(&admin)).await.expect(400);
        assert_eq!(response.code(), "invalid_query_parameter");
    }

    async fn unknown_route(app: TestApp) {
        for path in ["/nope", "/api/v1/nope", "/api/v2/branches", "/api/v1/branches/C00/extra"] {
            let response = app.get(path, None).await.expect(404);
            assert_eq!(response.code(), "not_found", "{path}");
        }
    }

    async fn wrong_method(app: TestApp) {
        let response = app.request(Method::PUT, "/api/v1/branches", None, Some(json!({}))).await.expect(405);
        assert_eq!(response.code(), "method_not_allowed");
        assert_eq!(response.header("allow"), Some("GET, POST"));
        let response = app.request(Method::DELETE, "/api/v1/auth/login", None, None).await.expect(405);
        assert_eq!(response.header("allow"), Some("POST"));
        let response = app.request(Method::POST, "/health", None, Some(json!({}))).await.expect(405);
        assert_eq!(response.code(), "method_not_allowed");
    }

    async fn missing_body(app: TestApp) {
        let response = app.raw(Method::POST, "/api/v1/auth/login", None, &[("Content-Type", "application/json")], None).await;
        let response = response.expect(400);
        assert_eq!(response.code(), "malformed_json");
    }

    async fn client_request_ids_are_kept(app: TestApp) {
        let response = app.raw(Method::GET, "/nope", None, &[("X-Request-Id", "desk-7.req-42")], None).await.expect(404);
        assert_eq!(response.body["error"]["request_id"], "desk-7.req-42");
        let response = app.raw(Method::GET, "/health", None, &[("X-Request-Id", "bad id with spaces")], None).await.expect(200);
        let generated = response.header("x-request-id").unwrap();
        assert_ne!(generated, "bad id with spaces");
        assert_eq!(generated.len(), 36);
    }
}
