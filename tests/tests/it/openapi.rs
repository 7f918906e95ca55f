//! `api-spec/openapi.json` must be what the code generates.
//! Regenerate with `KITAP_UPDATE_OPENAPI=1 cargo test -p kitap-tests openapi`.

use std::path::PathBuf;

#[test]
fn the_checked_in_spec_matches_the_code() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../api-spec/openapi.json");
    let generated = kitap_api::openapi_json(&kitap_api::openapi());
    if std::env::var("KITAP_UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "api-spec/openapi.json is out of date: run KITAP_UPDATE_OPENAPI=1 cargo test -p kitap-tests openapi"
    );
}

#[test]
fn every_operation_documents_its_errors_and_tag() {
    let doc: serde_json::Value =
        serde_json::from_str(&kitap_api::openapi_json(&kitap_api::openapi())).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path} has no tag"
            );
            let secured = op.get("security").is_some();
            if secured {
                assert!(
                    op["responses"]["401"].is_object(),
                    "{method} {path} lacks 401"
                );
                assert!(
                    op["responses"]["403"].is_object(),
                    "{method} {path} lacks 403"
                );
            }
        }
    }
}
