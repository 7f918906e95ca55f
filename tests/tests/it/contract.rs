//! One API contract (#16): path ids, page sizes, errors that name the
//! parameter or field, and an error table that lists every code.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use actix_web::http::Method;
use kitap_tests::both_backends;
use regex::Regex;
use serde_json::json;

both_backends! {
    async fn path_ids_that_are_not_uuids_answer_400(app: TestApp) {
        let token = app.admin_token().await;
        let requests = [
            (Method::GET, "/api/v1/records/nope"),
            (Method::PUT, "/api/v1/records/nope"),
            (Method::DELETE, "/api/v1/records/nope"),
            (Method::GET, "/api/v1/records/nope/converted?to=marc21"),
            (Method::GET, "/api/v1/records/nope/copies"),
            (Method::GET, "/api/v1/imports/nope"),
            (Method::POST, "/api/v1/imports/nope/cancel"),
            (Method::GET, "/api/v1/imports/nope/rejects"),
            (Method::GET, "/api/v1/copies/nope"),
            (Method::GET, "/api/v1/staff/nope"),
            (Method::GET, "/api/v1/accession-acts/nope"),
            (Method::GET, "/api/v1/write-off-acts/nope"),
        ];
        for (method, path) in requests {
            let body = (method == Method::PUT).then(|| json!({"version": 1, "marc": {}}));
            let response = app.request(method.clone(), path, Some(&token), body).await.expect(400);
            assert_eq!(response.code(), "invalid_path_parameter", "{method} {path}");
        }
        // Without a token the public record page is asked: the same answer.
        let response = app.get("/api/v1/records/nope", None).await.expect(400);
        assert_eq!(response.code(), "invalid_path_parameter");
    }

    async fn page_sizes_out_of_range_are_refused_with_the_range(app: TestApp) {
        let token = app.admin_token().await;
        let lists = [
            ("/api/v1/records?", 500),
            ("/api/v1/staff?", 500),
            ("/api/v1/audit?", 500),
            ("/api/v1/copies?", 500),
            ("/api/v1/imports?", 500),
            ("/api/v1/accession-acts?", 500),
            ("/api/v1/write-off-acts?", 500),
            ("/api/v1/search?q=abai&", 100),
        ];
        for (path, max) in lists {
            for limit in [0, max + 1, 100_000] {
                let url = format!("{path}limit={limit}");
                let response = app.get(&url, Some(&token)).await.expect(400);
                assert_eq!(response.code(), "bad_limit", "{url}");
                let message = response.body["error"]["message"].as_str().unwrap();
                assert!(message.contains(&format!("1 to {max}")), "{url}: {message}");
                assert_eq!(response.body["error"]["details"]["parameter"], "limit");
                assert_eq!(response.body["error"]["details"]["max"], max);
            }
            app.get(&format!("{path}limit={max}"), Some(&token)).await.expect(200);
            app.get(&format!("{path}limit=1"), Some(&token)).await.expect(200);
        }
    }

    async fn query_errors_name_the_parameter(app: TestApp) {
        let token = app.admin_token().await;
        let cases = [
            ("/api/v1/records?limit=abc", "limit"),
            ("/api/v1/records?kazakh=maybe", "kazakh"),
            ("/api/v1/staff?colour=blue", "colour"),
            ("/api/v1/search", "q"),
            ("/api/v1/search?q=x&year_from=soon", "year_from"),
            ("/api/v1/audit?limit=-3", "limit"),
        ];
        for (url, parameter) in cases {
            let response = app.get(url, Some(&token)).await.expect(400);
            assert_eq!(response.code(), "invalid_query_parameter", "{url}");
            assert_eq!(response.body["error"]["details"]["parameter"], parameter, "{url}");
            let message = response.body["error"]["message"].as_str().unwrap();
            assert!(message.starts_with(&format!("{parameter}: ")), "{url}: {message}");
        }
    }

    async fn body_errors_name_the_field(app: TestApp) {
        let cases = [
            (json!({"username": 5, "password": "x"}), "username"),
            (json!({"username": "a"}), "password"),
            (json!({"username": "a", "password": "b", "extra": 1}), "extra"),
        ];
        for (body, field) in cases {
            let response = app.post("/api/v1/auth/login", None, body.clone()).await.expect(422);
            assert_eq!(response.code(), "invalid_body", "{body}");
            assert_eq!(response.body["error"]["details"]["field"], field, "{body}");
            let message = response.body["error"]["message"].as_str().unwrap();
            assert!(message.starts_with(&format!("{field}: ")), "{body}: {message}");
            assert!(!message.contains("line 1"), "{message}");
        }
        let token = app.admin_token().await;
        let nested = json!({"date": "2026-01-05", "source": "gift",
                            "new_copies": [{"record_id": "x", "count": "two"}]});
        let response = app.post("/api/v1/accession-acts", Some(&token), nested).await.expect(422);
        assert_eq!(response.body["error"]["details"]["field"], "new_copies[0].count");
        let dated = json!({"date": "yesterday", "source": "gift"});
        let response = app.post("/api/v1/accession-acts", Some(&token), dated).await.expect(422);
        assert_eq!(response.body["error"]["details"]["field"], "date");
        // Syntax errors are still malformed_json, with serde's position.
        let response = app
            .raw(Method::POST, "/api/v1/auth/login", None, &[], Some(b"{\"username\": ".to_vec()))
            .await
            .expect(400);
        assert_eq!(response.code(), "malformed_json");
    }
}

// ------------------------------------------------------------ error table

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `.rs` files under `dir`, without their trailing `#[cfg(test)]` module.
fn sources(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or("").to_owned();
                out.push(code);
            }
        }
    }
    out
}

fn captures(texts: &[String], patterns: &[&str]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for pattern in patterns {
        let re = Regex::new(pattern).unwrap();
        for text in texts {
            found.extend(re.captures_iter(text).map(|c| c[1].to_owned()));
        }
    }
    found
}

/// The function `name` of `text`, up to the next top-level item.
fn function<'a>(text: &'a str, name: &str) -> &'a str {
    let start = text
        .find(&format!("fn {name}("))
        .unwrap_or_else(|| panic!("no fn {name}"));
    let rest = &text[start..];
    let end = rest.find("\n}\n").map_or(rest.len(), |e| e + 3);
    &rest[..end]
}

/// Every code the HTTP API can put in an error envelope, read from the code.
fn codes_in_the_code() -> BTreeSet<String> {
    let root = repo().join("crates");
    let api = sources(&root.join("kitap-api/src"));
    let mut codes = captures(
        &api,
        &[
            r#"ApiError::new\(\s*[A-Za-z_:]+,\s*"([a-z_]+)""#,
            r#"bad_request\(\s*"([a-z_]+)""#,
            r#"\bbad\(\s*"([a-z_]+)""#,
            r#"=> \(\s*"([a-z_]+)",\s*""#,
        ],
    );
    let app = sources(&root.join("kitap-app/src"));
    codes.extend(captures(
        &app,
        &[
            r#"conflict\(\s*"([a-z_]+)""#,
            r#"InvalidRecord \{\s*code: "([a-z_]+)""#,
            r#"QueryError::new\(\s*"([a-z_]+)""#,
        ],
    ));
    let error_rs = std::fs::read_to_string(root.join("kitap-app/src/error.rs")).unwrap();
    let arms = [
        function(&error_rs, "code").to_owned(),
        function(&error_rs, "not_found_code").to_owned(),
    ];
    codes.extend(captures(&arms, &[r#"=> "([a-z_]+)""#]));
    // The search box's parser (SRU's CQL errors are diagnostics, not envelopes).
    let search = [std::fs::read_to_string(root.join("kitap-search/src/box_query.rs")).unwrap()];
    let search: Vec<String> = search
        .iter()
        .map(|t| t.split("#[cfg(test)]").next().unwrap().to_owned())
        .collect();
    codes.extend(captures(&search, &[r#"QueryError::new\(\s*"([a-z_]+)""#]));
    codes.extend(refusal_codes(&root, &app));
    // The exchange state machine's refusals reach the envelope as they are
    // (`exchange::position::refused`): every code of kitap-exchange's
    // RefusedCode.
    let refused = std::fs::read_to_string(root.join("kitap-exchange/src/refused.rs")).unwrap();
    let names = refused.split("impl RefusedCode").next().unwrap();
    codes.extend(captures(&[names.to_owned()], &[r#"\w+ => "([a-z_]+)","#]));
    codes
}

/// The refusal codes the desk can answer with (`AppError::Refused` carries
/// the policy's code): those the checkout and renewal policies produce and
/// those kitap-app names itself, by their snake_case names.
fn refusal_codes(root: &Path, app: &[String]) -> BTreeSet<String> {
    let circulation = root.join("kitap-circulation/src");
    let refusal = std::fs::read_to_string(circulation.join("refusal.rs")).unwrap();
    let names = refusal.split("impl RefusalCode").next().unwrap();
    let pair = Regex::new(r#"(\w+) => "([a-z_]+)","#).unwrap();
    let snake: std::collections::BTreeMap<String, String> = pair
        .captures_iter(names)
        .map(|c| (c[1].to_owned(), c[2].to_owned()))
        .collect();
    let mut texts: Vec<String> = ["checkout.rs", "renewal.rs"]
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(circulation.join(f)).unwrap();
            text.split("#[cfg(test)]").next().unwrap().to_owned()
        })
        .collect();
    texts.extend(app.iter().cloned());
    captures(&texts, &[r"RefusalCode::([A-Z]\w+)"])
        .into_iter()
        .filter_map(|name| snake.get(&name).cloned())
        .collect()
}

/// The codes in the error table of docs/API-DESIGN.md.
fn codes_in_the_table() -> BTreeSet<String> {
    let doc = std::fs::read_to_string(repo().join("docs/API-DESIGN.md")).unwrap();
    let row = Regex::new(r"^\| \d{3} \| (.*) \|$").unwrap();
    let code = Regex::new(r"`([a-z][a-z0-9_]*)`").unwrap();
    doc.lines()
        .filter_map(|line| row.captures(line).map(|c| c[1].to_owned()))
        .flat_map(|cell| {
            code.captures_iter(&cell)
                .map(|c| c[1].to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_error_table_lists_every_code_and_only_those() {
    let code = codes_in_the_code();
    // The scan must see each kind of source, or it proves nothing.
    for known in [
        "malformed_json",
        "payload_too_large",
        "not_found",
        "validation_failed",
        "record_not_found",
        "version_conflict",
        "copy_on_loan",
        "record_invalid",
        "bad_limit",
        "bad_sort",
        "empty_query",
        "bad_range",
        "bad_cursor",
        "not_ready",
        "invalid_header",
        "internal_error",
        "database_busy",
    ] {
        assert!(code.contains(known), "the scan missed {known}: {code:?}");
    }
    let table = codes_in_the_table();
    let undocumented: Vec<_> = code.difference(&table).collect();
    let unknown: Vec<_> = table.difference(&code).collect();
    assert!(
        undocumented.is_empty(),
        "codes missing from docs/API-DESIGN.md's table: {undocumented:?}"
    );
    assert!(
        unknown.is_empty(),
        "codes in the table that the API never returns: {unknown:?}"
    );
}
