use actix_web::http::Method;
use kitap_tests::{both_backends, TestApp, ADMIN_PASSWORD};
use serde_json::json;

both_backends! {
    async fn login_returns_a_working_token(app: TestApp) {
        let response = app.login("admin", ADMIN_PASSWORD).await.expect(200);
        let token = response.body["token"].as_str().unwrap();
        assert!(token.starts_with("ktp_"));
        assert_eq!(response.body["staff"]["role"], "admin");
        let me = app.get("/api/v1/me", Some(token)).await.expect(200);
        assert_eq!(me.body["staff"]["username"], "admin");
        assert_eq!(me.body["acting_library"]["code"], "C00");
    }

    async fn usernames_are_case_insensitive(app: TestApp) {
        app.login("ADMIN", ADMIN_PASSWORD).await.expect(200);
    }

    async fn wrong_password_and_unknown_user_look_the_same(app: TestApp) {
        let wrong = app.login("admin", "not-the-password").await.expect(401);
        let unknown = app.login("nobody", "not-the-password").await.expect(401);
        let malformed = app.login("x", "not-the-password").await.expect(401);
        assert_eq!(wrong.code(), "invalid_credentials");
        assert_eq!(wrong.body["error"]["message"], unknown.body["error"]["message"]);
        assert_eq!(unknown.code(), malformed.code());
    }

    async fn repeated_failures_lock_the_account(app: TestApp) {
        let admin = app.admin_token().await;
        app.create_staff(&admin, "desk.one", "librarian", "F01", "desk-password-1").await;
        for _ in 0..4 {
            app.login("desk.one", "wrong-password").await.expect(401);
        }
        let fifth = app.login("desk.one", "wrong-password").await.expect(423);
        assert_eq!(fifth.code(), "account_locked");
        assert!(fifth.body["error"]["details"]["locked_until"].is_string());
        // Even the right password is refused from this address while locked.
        let right = app.login("desk.one", "desk-password-1").await.expect(423);
        assert_eq!(right.code(), "account_locked");
        // An administrator can lift the lock (at every address).
        let list = app.get("/api/v1/staff?role=librarian", Some(&admin)).await.expect(200);
        let id = list.body["staff"][0]["id"].as_str().unwrap().to_owned();
        assert!(list.body["staff"][0]["locked_until"].is_string());
        app.post(&format!("/api/v1/staff/{id}/unlock"), Some(&admin), json!({})).await.expect(200);
        app.login("desk.one", "desk-password-1").await.expect(200);
    }

    async fn a_good_login_resets_the_failure_count(app: TestApp) {
        let admin = app.admin_token().await;
        app.create_staff(&admin, "desk.two", "librarian", "F02", "desk-password-2").await;
        for _ in 0..4 {
            app.login("desk.two", "wrong-password").await.expect(401);
        }
        app.login("desk.two", "desk-password-2").await.expect(200);
        for _ in 0..4 {
            app.login("desk.two", "wrong-password").await.expect(401);
        }
        app.login("desk.two", "desk-password-2").await.expect(200);
    }

    async fn logout_revokes_the_token(app: TestApp) {
        let token = app.admin_token().await;
        let other = app.admin_token().await;
        app.post("/api/v1/auth/logout", Some(&token), json!({})).await.expect(204);
        let after = app.get("/api/v1/me", Some(&token)).await.expect(401);
        assert_eq!(after.code(), "token_revoked");
        // Only that session ended.
        app.get("/api/v1/me", Some(&other)).await.expect(200);
    }

    async fn expired_tokens_are_refused(app: TestApp) {
        let token = app.admin_token().await;
        app.db.connect()
            .execute_script("UPDATE sessions SET expires_at = created_at")
            .unwrap();
        let response = app.get("/api/v1/me", Some(&token)).await.expect(401);
        assert_eq!(response.code(), "token_expired");
    }

    async fn missing_and_forged_tokens_are_refused(app: TestApp) {
        let missing = app.get("/api/v1/me", None).await.expect(401);
        assert_eq!(missing.code(), "unauthenticated");
        let forged = format!("ktp_{}", "0".repeat(64));
        let response = app.get("/api/v1/me", Some(&forged)).await.expect(401);
        assert_eq!(response.code(), "invalid_token");
        let garbage = app.get("/api/v1/me", Some("hello")).await.expect(401);
        assert_eq!(garbage.code(), "invalid_token");
    }

    async fn tokens_are_stored_only_as_hashes(app: TestApp) {
        let token = app.admin_token().await;
        let hash = kitap_app::tokens::hash(&token);
        let sessions = app.db.connect();
        // The hash finds the session; the token itself appears nowhere.
        sessions.execute_script(&format!("UPDATE sessions SET user_agent = 'found' WHERE token_hash = '{hash}'")).unwrap();
        sessions.execute_script(&format!("DELETE FROM sessions WHERE token_hash = '{token}'")).unwrap();
        app.get("/api/v1/me", Some(&token)).await.expect(200);
    }

    async fn role_denied_for_desk_staff(app: TestApp) {
        let admin = app.admin_token().await;
        app.create_staff(&admin, "desk.three", "librarian", "F03", "desk-password-3").await;
        let desk = app.token("desk.three", "desk-password-3").await;
        let response = app.get("/api/v1/staff", Some(&desk)).await.expect(403);
        assert_eq!(response.code(), "role_denied");
        let response = app.get("/api/v1/audit", Some(&desk)).await.expect(403);
        assert_eq!(response.code(), "role_denied");
        let create = json!({"code": "F99", "name_kk": "x", "name_ru": "x", "kind": "adult"});
        app.post("/api/v1/branches", Some(&desk), create).await.expect(403);
    }

    async fn library_denied_outside_the_accounts_libraries(app: TestApp) {
        let admin = app.admin_token().await;
        let body = json!({
            "username": "desk.four", "display_name": "Desk Four", "role": "librarian",
            "home_library": "F04", "libraries": ["F05"], "password": "desk-password-4"
        });
        app.post("/api/v1/staff", Some(&admin), body).await.expect(201);
        let desk = app.token("desk.four", "desk-password-4").await;
        let me = |library: &'static str| {
            let app = &app;
            let desk = desk.clone();
            async move {
                app.raw(actix_web::http::Method::GET, "/api/v1/me", Some(&desk), &[("X-Kitap-Library", library)], None).await
            }
        };
        assert_eq!(me("F04").await.expect(200).body["acting_library"]["code"], "F04");
        assert_eq!(me("f05").await.expect(200).body["acting_library"]["code"], "F05");
        let denied = me("F06").await.expect(403);
        assert_eq!(denied.code(), "library_denied");
        assert_eq!(denied.body["error"]["details"]["library"], "F06");
        assert_eq!(me("F77").await.expect(404).code(), "library_not_found");
        assert_eq!(me("not a code").await.expect(400).code(), "invalid_header");
    }

    async fn an_inactive_library_cannot_be_acted_for(app: TestApp) {
        let admin = app.admin_token().await;
        app.create_staff(&admin, "desk.five", "librarian", "F05", "desk-password-5").await;
        let desk = app.token("desk.five", "desk-password-5").await;
        app.patch("/api/v1/branches/F05", Some(&admin), json!({"active": false})).await.expect(200);
        let response = app.get("/api/v1/me", Some(&desk)).await.expect(403);
        assert_eq!(response.code(), "library_denied");
    }

    async fn deactivating_an_account_ends_its_sessions(app: TestApp) {
        let admin = app.admin_token().await;
        let id = app.create_staff(&admin, "desk.six", "librarian", "F06", "desk-password-6").await;
        let desk = app.token("desk.six", "desk-password-6").await;
        app.patch(&format!("/api/v1/staff/{id}"), Some(&admin), json!({"active": false})).await.expect(200);
        assert_eq!(app.get("/api/v1/me", Some(&desk)).await.expect(401).code(), "token_revoked");
        assert_eq!(app.login("desk.six", "desk-password-6").await.expect(401).code(), "invalid_credentials");
    }

    async fn changing_my_password_keeps_only_this_session(app: TestApp) {
        let admin = app.admin_token().await;
        app.create_staff(&admin, "desk.seven", "librarian", "F07", "desk-password-7").await;
        let first = app.token("desk.seven", "desk-password-7").await;
        let second = app.token("desk.seven", "desk-password-7").await;
        let wrong = json!({"current_password": "nope-nope-nope", "new_password": "a-new-password-7"});
        assert_eq!(app.post("/api/v1/me/password", Some(&first), wrong).await.expect(401).code(), "invalid_credentials");
        let short = json!({"current_password": "desk-password-7", "new_password": "short"});
        assert_eq!(app.post("/api/v1/me/password", Some(&first), short).await.expect(422).code(), "validation_failed");
        let good = json!({"current_password": "desk-password-7", "new_password": "a-new-password-7"});
        app.post("/api/v1/me/password", Some(&first), good).await.expect(204);
        app.get("/api/v1/me", Some(&first)).await.expect(200);
        app.get("/api/v1/me", Some(&second)).await.expect(401);
        app.login("desk.seven", "desk-password-7").await.expect(401);
        app.login("desk.seven", "a-new-password-7").await.expect(200);
    }
}

mod configured_lockout {
    use super::*;

    async fn body(app: TestApp) {
        let admin = app.admin_token().await;
        app.create_staff(&admin, "desk.eight", "librarian", "F08", "desk-password-8")
            .await;
        app.login("desk.eight", "wrong-password").await.expect(401);
        assert_eq!(
            app.login("desk.eight", "wrong-password")
                .await
                .expect(423)
                .code(),
            "account_locked"
        );
    }

    async fn start(backend: kitap_tests::Backend) -> Option<TestApp> {
        TestApp::start_with(backend, |config| config.auth.max_failed_logins = 2).await
    }

    #[actix_web::test]
    async fn sqlite() {
        body(start(kitap_tests::Backend::Sqlite).await.unwrap()).await
    }

    #[actix_web::test]
    async fn postgres() {
        if let Some(app) = start(kitap_tests::Backend::Postgres).await {
            body(app).await
        }
    }
}

/// Like `both_backends!`, over a server configured by `$tweak` first.
macro_rules! both_backends_with {
    ($tweak:expr; $(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn body($app: TestApp) $body

                async fn start(backend: kitap_tests::Backend) -> Option<TestApp> {
                    TestApp::start_with(backend, $tweak).await
                }

                #[actix_web::test]
                async fn sqlite() {
                    body(start(kitap_tests::Backend::Sqlite).await.unwrap()).await
                }

                #[actix_web::test]
                async fn postgres() {
                    if let Some(app) = start(kitap_tests::Backend::Postgres).await {
                        body(app).await
                    }
                }
            }
        )*
    };
}

const ATTACKER: &str = "203.0.113.66";
const DESK: &str = "198.51.100.10";

/// Behind a proxy on the same host: the tests' 127.0.0.1 is trusted, so
/// `X-Forwarded-For` says which address each login comes from.
fn behind_proxy(config: &mut kitap_app::Config) {
    config.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
}

async fn login_from(
    app: &TestApp,
    addr: &str,
    username: &str,
    password: &str,
) -> kitap_tests::Response {
    let body = json!({ "username": username, "password": password })
        .to_string()
        .into_bytes();
    app.raw(
        Method::POST,
        "/api/v1/auth/login",
        None,
        &[("X-Forwarded-For", addr)],
        Some(body),
    )
    .await
}

/// Five wrong passwords for `username` from `addr`: four refusals, then the lock.
async fn lock_pair(app: &TestApp, addr: &str, username: &str) -> kitap_tests::Response {
    for _ in 0..4 {
        assert_eq!(
            login_from(app, addr, username, "wrong-password")
                .await
                .expect(401)
                .code(),
            "invalid_credentials"
        );
    }
    let locked = login_from(app, addr, username, "wrong-password")
        .await
        .expect(423);
    assert_eq!(locked.code(), "account_locked");
    locked
}

async fn metric(app: &TestApp, name: &str) -> u64 {
    let text = app.get("/metrics", None).await.expect(200).text;
    text.lines()
        .find_map(|line| {
            line.strip_prefix(name)
                .and_then(|rest| rest.trim().parse().ok())
        })
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

both_backends_with! { behind_proxy;
    async fn an_attacker_address_cannot_lock_out_a_librarian_elsewhere(app: TestApp) {
        let admin = app.admin_token().await;
        app.create_staff(&admin, "desk.lock", "librarian", "F01", "desk-password-l").await;
        let locked = lock_pair(&app, ATTACKER, "desk.lock").await;
        assert!(locked.body["error"]["details"]["locked_until"].is_string());
        // The attacker's address stays locked even with the right password.
        assert_eq!(login_from(&app, ATTACKER, "desk.lock", "desk-password-l").await.expect(423).code(), "account_locked");
        // The librarian at her own desk is not: her pair has no failures.
        login_from(&app, DESK, "desk.lock", "desk-password-l").await.expect(200);
        assert_eq!(login_from(&app, DESK, "desk.lock", "wrong-password").await.expect(401).code(), "invalid_credentials");
        // Administrators see that the username is locked somewhere.
        let list = app.get("/api/v1/staff?role=librarian", Some(&admin)).await.expect(200);
        assert!(list.body["staff"][0]["locked_until"].is_string());
        // The lock is audited with the address and metered.
        let audit = app.get("/api/v1/audit?action=account_locked", Some(&admin)).await.expect(200);
        assert_eq!(audit.body["entries"][0]["after"]["client_addr"], ATTACKER);
        assert_eq!(metric(&app, "kitap_login_locks_total").await, 1);
        assert!(metric(&app, "kitap_login_failures_total").await >= 6);
    }

    async fn unknown_usernames_lock_like_real_ones(app: TestApp) {
        // A lock tells nothing about whether the name exists.
        lock_pair(&app, ATTACKER, "nobody.here").await;
        lock_pair(&app, ATTACKER, "x").await;
        login_from(&app, ATTACKER, "admin", ADMIN_PASSWORD).await.expect(200);
    }

    async fn a_lock_runs_out(app: TestApp) {
        let admin = app.admin_token().await;
        app.create_staff(&admin, "desk.expiry", "librarian", "F01", "desk-password-e").await;
        lock_pair(&app, ATTACKER, "desk.expiry").await;
        app.db.connect().execute_script("UPDATE login_failures SET locked_until = '2000-01-01 00:00:00'").unwrap();
        // Once over, the count still stands: the next wrong password locks again.
        assert_eq!(login_from(&app, ATTACKER, "desk.expiry", "wrong-password").await.expect(423).code(), "account_locked");
        app.db.connect().execute_script("UPDATE login_failures SET locked_until = '2000-01-01 00:00:00'").unwrap();
        // The right password logs in and the pair starts again.
        login_from(&app, ATTACKER, "desk.expiry", "desk-password-e").await.expect(200);
        for _ in 0..4 {
            login_from(&app, ATTACKER, "desk.expiry", "wrong-password").await.expect(401);
        }
    }

    async fn old_failures_are_forgotten(app: TestApp) {
        let admin = app.admin_token().await;
        app.create_staff(&admin, "desk.memory", "librarian", "F01", "desk-password-m").await;
        for _ in 0..4 {
            login_from(&app, ATTACKER, "desk.memory", "wrong-password").await.expect(401);
        }
        // Longer ago than auth.failure_memory_minutes.
        app.db.connect().execute_script("UPDATE login_failures SET last_failed_at = '2000-01-01 00:00:00'").unwrap();
        for _ in 0..4 {
            login_from(&app, ATTACKER, "desk.memory", "wrong-password").await.expect(401);
        }
    }

    async fn an_admin_password_reset_clears_every_lock(app: TestApp) {
        let admin = app.admin_token().await;
        let id = app.create_staff(&admin, "desk.reset", "librarian", "F01", "desk-password-r").await;
        lock_pair(&app, ATTACKER, "desk.reset").await;
        lock_pair(&app, DESK, "desk.reset").await;
        let reset = json!({ "password": "desk-password-new" });
        app.post(&format!("/api/v1/staff/{id}/password"), Some(&admin), reset).await.expect(200);
        login_from(&app, DESK, "desk.reset", "desk-password-new").await.expect(200);
        login_from(&app, ATTACKER, "desk.reset", "desk-password-new").await.expect(200);
        let list = app.get("/api/v1/staff?role=librarian", Some(&admin)).await.expect(200);
        assert!(list.body["staff"][0]["locked_until"].is_null());
    }

    async fn sessions_record_the_forwarded_client_address(app: TestApp) {
        let from_desk = login_from(&app, DESK, "admin", ADMIN_PASSWORD).await.expect(200);
        let from_desk = from_desk.body["token"].as_str().unwrap().to_owned();
        let direct = app.admin_token().await;
        app.db.connect()
            .execute_script(&format!("UPDATE sessions SET expires_at = created_at WHERE client_addr = '{DESK}'"))
            .unwrap();
        assert_eq!(app.get("/api/v1/me", Some(&from_desk)).await.expect(401).code(), "token_expired");
        app.get("/api/v1/me", Some(&direct)).await.expect(200);
    }
}

fn throttle_after_three(config: &mut kitap_app::Config) {
    behind_proxy(config);
    config.auth.login_throttle_after = 3;
}

both_backends_with! { throttle_after_three;
    async fn an_address_failing_across_usernames_is_slowed_down(app: TestApp) {
        for name in ["guess.one", "guess.two", "admin"] {
            login_from(&app, ATTACKER, name, "wrong-password").await.expect(401);
        }
        // Even the right password waits: the address must not get more guesses.
        let refused = login_from(&app, ATTACKER, "admin", ADMIN_PASSWORD).await.expect(429);
        assert_eq!(refused.code(), "login_throttled");
        assert_eq!(refused.body["error"]["details"]["retry_after_seconds"], 1);
        assert_eq!(refused.header("retry-after"), Some("1"));
        // Another address is not slowed down.
        login_from(&app, DESK, "admin", ADMIN_PASSWORD).await.expect(200);
        // After the wait one more guess, then the wait doubles.
        actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
        login_from(&app, ATTACKER, "guess.three", "wrong-password").await.expect(401);
        let refused = login_from(&app, ATTACKER, "guess.four", "wrong-password").await.expect(429);
        assert_eq!(refused.body["error"]["details"]["retry_after_seconds"], 2);
        assert_eq!(refused.header("retry-after"), Some("2"));
        assert_eq!(metric(&app, "kitap_login_throttled_total").await, 2);
    }
}

both_backends! {
    async fn a_forwarded_for_header_from_an_untrusted_peer_is_ignored(app: TestApp) {
        // No trusted proxies: every attempt is the TCP peer's, whatever it claims.
        for _ in 0..4 {
            login_from(&app, ATTACKER, "admin", "wrong-password").await.expect(401);
        }
        login_from(&app, ATTACKER, "admin", "wrong-password").await.expect(423);
        assert_eq!(login_from(&app, DESK, "admin", ADMIN_PASSWORD).await.expect(423).code(), "account_locked");
    }
}
