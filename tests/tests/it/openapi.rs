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
            // A reader's token has no roles and no acting library: reader
            // operations answer 403 only where they say so.
            let reader = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("reader").is_some()));
            if secured {
                assert!(
                    op["responses"]["401"].is_object(),
                    "{method} {path} lacks 401"
                );
                assert!(
                    reader || op["responses"]["403"].is_object(),
                    "{method} {path} lacks 403"
                );
            }
            assert_eq!(
                reader,
                path.starts_with("/api/v1/opac/") && path != "/api/v1/opac/login",
                "{method} {path}: reader routes, and only they, take the reader token"
            );
        }
    }
}

/// A parameter documented "in: path" must stand in the path template:
/// query structs need `#[into_params(parameter_in = Query)]`, because the
/// `QueryParams` extractor does not tell utoipa where they come from.
#[test]
fn path_parameters_are_in_the_path_and_query_parameters_are_not() {
    let doc: serde_json::Value =
        serde_json::from_str(&kitap_api::openapi_json(&kitap_api::openapi())).unwrap();
    let mut misplaced = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap_or_default();
                let in_template = path.contains(&format!("{{{name}}}"));
                if (p["in"] == "path") != in_template {
                    misplaced.push(format!("{method} {path} {name} in {}", p["in"]));
                }
            }
        }
    }
    assert!(misplaced.is_empty(), "misplaced parameters: {misplaced:#?}");
}
