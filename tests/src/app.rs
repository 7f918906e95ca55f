use std::net::TcpListener;

use actix_web::http::{Method, StatusCode};
use awc::Client;
use kitap_api::ServerSettings;
use kitap_app::config::Config;
use kitap_app::App;
use serde_json::{json, Value};

use crate::{Backend, TestDb};

pub const ADMIN_PASSWORD: &str = "admin-test-password";

/// The real Kitap server on 127.0.0.1:<free port> over a fresh database.
pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    pub app: App,
    pub db: TestDb,
    client: Client,
    server: actix_web::dev::ServerHandle,
    /// The search index of this server, removed with it.
    pub index_dir: tempfile::TempDir,
}

/// What came back: status, parsed JSON body (Null when empty), headers.
pub struct Response {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
    /// The body as it came (exports are binary).
    pub bytes: Vec<u8>,
    pub headers: actix_web::http::header::HeaderMap,
}

impl Response {
    /// The error envelope's code, or "" when the body is not an envelope.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status and that a failure came as the full envelope.
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        if status >= 400 {
            assert_envelope(&self);
        }
        self
    }
}

fn assert_envelope(response: &Response) {
    assert_eq!(
        response.header("content-type"),
        Some("application/json"),
        "{}",
        response.text
    );
    let error = &response.body["error"];
    assert!(
        error["code"].as_str().is_some_and(|c| !c.is_empty()),
        "no code: {}",
        response.text
    );
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "no message: {}",
        response.text
    );
    let request_id = error["request_id"].as_str().unwrap_or("");
    assert!(!request_id.is_empty(), "no request id: {}", response.text);
    assert_eq!(response.header("x-request-id"), Some(request_id));
}

impl TestApp {
    pub async fn start(backend: Backend) -> Option<TestApp> {
        Self::start_with(backend, |_| {}).await
    }

    /// Starts with the test configuration changed by `tweak` first.
    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter("info")
                .with_test_writer()
                .try_init();
        }
        let db = TestDb::new(backend)?;
        Some(Self::start_on(db, tweak).await)
    }

    /// Stops this server and starts another over the same database with
    /// the configuration changed by `tweak` (as after editing the
    /// configuration and restarting); sessions and data carry over.
    pub async fn restart_with(mut self, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let db = self.db.hand_over();
        self.server.stop(true).await;
        drop(self);
        Self::start_on(db, tweak).await
    }

    async fn start_on(db: TestDb, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let backend = db.backend;
        let mut config = Config::default();
        config.database.url = db.url.clone();
        config.database.pool_size = 4;
        let index_dir = tempfile::tempdir().unwrap();
        config.search.dir = index_dir.path().display().to_string();
        // Tests send searches in bursts; the limit has its own test.
        config.search.rate_limit_per_minute = 0;
        tweak(&mut config);
        let app = actix_web::web::block(move || {
            let app = App::open(&config).unwrap();
            app.seed(Some(ADMIN_PASSWORD.to_owned()), false).unwrap();
            (app, config)
        })
        .await
        .unwrap();
        let (app, config) = app;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let settings = ServerSettings {
            workers: 2,
            max_body_bytes: config.server.max_body_bytes,
            max_upload_bytes: 64 * 1024 * 1024,
            upload_dir: std::env::temp_dir()
                .join(format!("kitap-test-uploads-{}", std::process::id())),
            search: config.search_settings(),
            search_rate: (
                config.search.rate_limit_per_minute,
                config.search.rate_limit_burst,
            ),
            trusted_proxies: config.server.trusted_proxies.clone(),
        };
        let server = kitap_api::server(app.clone(), &settings, listener).unwrap();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        TestApp {
            backend,
            base,
            app,
            db,
            client: Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .finish(),
            server: handle,
            index_dir,
        }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let bytes = body.map(|value| value.to_string().into_bytes());
        self.raw(method, path, token, &[], bytes).await
    }

    /// A request with free-form headers and body bytes (sent as JSON when present).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Response {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.insert_header(("Authorization", format!("Bearer {token}")));
        }
        for (name, value) in headers {
            request = request.insert_header((*name, *value));
        }
        let sent = match body {
            Some(bytes) => {
                let request = if headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
                {
                    request
                } else {
                    request.insert_header(("Content-Type", "application/json"))
                };
                request.send_body(bytes).await
            }
            None => request.send().await,
        };
        let mut response = sent.unwrap();
        let bytes = response.body().limit(16 * 1024 * 1024).await.unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Response {
            status: response.status(),
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
            bytes: bytes.to_vec(),
            headers: response.headers().clone(),
        }
    }

    /// Waits until every change committed so far is searchable; returns how long it took.
    pub async fn searchable(&self) -> std::time::Duration {
        let started = std::time::Instant::now();
        let db = self.app.db().clone();
        let last = actix_web::web::block(move || db.read(kitap_db::search_feed::last_outbox_id))
            .await
            .unwrap()
            .unwrap();
        loop {
            let status = self.get("/api/v1/search/status", None).await.expect(200);
            if status.body["checkpoint"].as_i64().unwrap() >= last
                && status.body["building"] == false
            {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "index never caught up: {:?}",
                status.body
            );
            actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::PUT, path, token, Some(body)).await
    }

    /// Uploads a MARC file to `POST /api/v1/imports?{query}` and waits for
    /// the job to end; returns the finished job.
    pub async fn import_file(&self, token: &str, query: &str, bytes: Vec<u8>) -> Value {
        let path = format!("/api/v1/imports?{query}");
        let headers = [("Content-Type", "application/octet-stream")];
        let queued = self
            .raw(Method::POST, &path, Some(token), &headers, Some(bytes))
            .await
            .expect(202);
        let id = queued.body["import"]["id"].as_str().unwrap().to_owned();
        self.wait_import(token, &id).await
    }

    /// Polls an import job until it is done, failed or cancelled (60 s at most).
    pub async fn wait_import(&self, token: &str, id: &str) -> Value {
        for _ in 0..600 {
            let job = self
                .get(&format!("/api/v1/imports/{id}"), Some(token))
                .await
                .expect(200);
            let status = job.body["import"]["status"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            if status != "queued" && status != "running" {
                return job.body["import"].clone();
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("import {id} did not finish in 60 s");
    }

    /// A cataloger account acting for the central library.
    pub async fn cataloger_token(&self) -> String {
        let admin = self.admin_token().await;
        self.create_staff(
            &admin,
            "cataloger.c00",
            "cataloger",
            "C00",
            "cataloger-password-1",
        )
        .await;
        self.token("cataloger.c00", "cataloger-password-1").await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::DELETE, path, token, None).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.post(
            "/api/v1/auth/login",
            None,
            json!({ "username": username, "password": password }),
        )
        .await
    }

    /// Logs in and returns the bearer token, failing the test otherwise.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let response = self.login(username, password).await.expect(200);
        response.body["token"].as_str().unwrap().to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.token("admin", ADMIN_PASSWORD).await
    }

    /// Creates an account through the API as admin; returns its id.
    pub async fn create_staff(
        &self,
        admin: &str,
        username: &str,
        role: &str,
        home: &str,
        password: &str,
    ) -> String {
        let body = json!({
            "username": username,
            "display_name": username,
            "role": role,
            "home_library": home,
            "password": password,
        });
        let response = self
            .post("/api/v1/staff", Some(admin), body)
            .await
            .expect(201);
        response.body["staff"]["id"].as_str().unwrap().to_owned()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting and let workers close their pooled connections
        // before the test database is dropped.
        drop(self.server.stop(false));
    }
}
