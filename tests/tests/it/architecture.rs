//! The dependency rules of docs/ARCHITECTURE.md, checked on `cargo metadata`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Crates that hold policy only: no database, HTTP, index or async runtime.
const PURE: [&str; 8] = [
    "kitap-domain",
    "kitap-marc",
    "kitap-catalog",
    "kitap-circulation",
    "kitap-text",
    "kitap-dedup",
    "kitap-exchange",
    "kitap-stats",
];

/// Which workspace crates each workspace crate may depend on (normal
/// dependencies). Every workspace crate must be listed: a new crate states
/// its place in the layering here, and docs/ARCHITECTURE.md says why.
const LAYERS: &[(&str, &[&str])] = &[
    ("kitap-domain", &[]),
    ("kitap-marc", &[]),
    ("kitap-text", &[]),
    ("kitap-catalog", &["kitap-domain", "kitap-marc"]),
    ("kitap-circulation", &["kitap-domain"]),
    ("kitap-exchange", &["kitap-domain"]),
    ("kitap-stats", &["kitap-domain"]),
    ("kitap-dedup", &["kitap-catalog", "kitap-text"]),
    ("kitap-search", &["kitap-domain", "kitap-text"]),
    ("kitap-db", &["kitap-domain"]),
    (
        "kitap-app",
        &[
            "kitap-domain",
            "kitap-marc",
            "kitap-text",
            "kitap-catalog",
            "kitap-circulation",
            "kitap-search",
            "kitap-db",
            "kitap-dedup",
            "kitap-exchange",
            "kitap-stats",
        ],
    ),
    // The API reaches the database and the index only through the app.
    (
        "kitap-api",
        &["kitap-domain", "kitap-marc", "kitap-catalog", "kitap-app"],
    ),
    (
        "kitap-cli",
        &["kitap-domain", "kitap-marc", "kitap-app", "kitap-api"],
    ),
    // Benchmarks drive the app and the served binary like a user would.
    (
        "kitap-bench",
        &[
            "kitap-domain",
            "kitap-marc",
            "kitap-app",
            "kitap-api",
            "kitap-catalog",
            "kitap-dedup",
            "kitap-text",
            // The generated year's age bands, computed as the desk does.
            "kitap-circulation",
            // The report tables' labels the known counts are compared by.
            "kitap-stats",
        ],
    ),
    (
        "kitap-tests",
        &["kitap-domain", "kitap-db", "kitap-app", "kitap-api"],
    ),
];
const FORBIDDEN_IN_PURE: [&str; 9] = [
    "diesel",
    "actix",
    "awc",
    "tantivy",
    "tokio",
    "r2d2",
    "libsqlite3-sys",
    "pq-sys",
    "utoipa",
];

struct Graph {
    /// package id -> name
    names: BTreeMap<String, String>,
    /// package id -> normal (non-dev, non-build) dependency ids
    normal: BTreeMap<String, Vec<String>>,
    workspace: BTreeSet<String>,
}

/// Only the packages built for this machine: the rules are about what we
/// build, and other platforms' packages may not even be downloaded.
fn host_triple() -> String {
    let output = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .unwrap()
        .to_owned()
}

fn graph() -> Graph {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            &host_triple(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let meta: Value = serde_json::from_slice(&output.stdout).unwrap();
    let names = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_owned(),
                p["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let workspace = meta["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    let mut normal = BTreeMap::new();
    for node in meta["resolve"]["nodes"].as_array().unwrap() {
        let deps = node["deps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|dep| {
                dep["dep_kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|k| k["kind"].is_null())
            })
            .map(|dep| dep["pkg"].as_str().unwrap().to_owned())
            .collect();
        normal.insert(node["id"].as_str().unwrap().to_owned(), deps);
    }
    Graph {
        names,
        normal,
        workspace,
    }
}

impl Graph {
    fn id_of(&self, name: &str) -> Option<&String> {
        self.workspace.iter().find(|id| self.names[*id] == name)
    }

    fn direct(&self, id: &str) -> Vec<&str> {
        self.normal[id]
            .iter()
            .map(|dep| self.names[dep].as_str())
            .collect()
    }

    fn transitive(&self, id: &str) -> BTreeSet<&str> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![id.to_owned()];
        while let Some(next) = stack.pop() {
            for dep in &self.normal[&next] {
                if seen.insert(self.names[dep].as_str()) {
                    stack.push(dep.clone());
                }
            }
        }
        seen
    }

    fn workspace_names(&self) -> Vec<&str> {
        self.workspace
            .iter()
            .map(|id| self.names[id].as_str())
            .collect()
    }
}

fn is_forbidden(name: &str) -> bool {
    FORBIDDEN_IN_PURE.iter().any(|f| {
        name == *f || name.starts_with(&format!("{f}-")) || name.starts_with(&format!("{f}_"))
    })
}

#[test]
fn pure_crates_know_no_database_http_index_or_runtime() {
    let graph = graph();
    let mut checked = 0;
    for name in PURE {
        let id = graph
            .id_of(name)
            .unwrap_or_else(|| panic!("{name} is listed as pure but is not in the workspace"));
        checked += 1;
        let bad: Vec<&str> = graph
            .transitive(id)
            .into_iter()
            .filter(|dep| is_forbidden(dep))
            .collect();
        assert!(bad.is_empty(), "{name} depends (transitively) on {bad:?}");
    }
    assert_eq!(checked, PURE.len());
}

#[test]
fn crates_depend_only_on_the_layers_below_them() {
    let graph = graph();
    let members = graph.workspace_names();
    for (name, _) in LAYERS {
        assert!(
            members.contains(name),
            "{name} is listed in LAYERS but not in the workspace"
        );
    }
    for name in &members {
        let allowed = LAYERS
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, allowed)| *allowed)
            .unwrap_or_else(|| panic!("{name} is not in LAYERS: say what it may depend on"));
        let id = graph.id_of(name).unwrap();
        let bad: Vec<&str> = graph
            .direct(id)
            .into_iter()
            .filter(|dep| members.contains(dep) && !allowed.contains(dep))
            .collect();
        assert!(bad.is_empty(), "{name} may not depend on {bad:?}");
    }
}

#[test]
fn only_the_api_crate_depends_on_actix() {
    let graph = graph();
    for name in graph.workspace_names() {
        // The end-to-end test harness drives the server over HTTP.
        if name == "kitap-api" || name == "kitap-tests" {
            continue;
        }
        let id = graph.id_of(name).unwrap();
        let http: Vec<&str> = graph
            .direct(id)
            .into_iter()
            .filter(|d| d.starts_with("actix") || *d == "awc" || d.starts_with("utoipa"))
            .collect();
        assert!(
            http.is_empty(),
            "{name} depends directly on {http:?}; only kitap-api may"
        );
    }
}

#[test]
fn only_the_db_crate_depends_on_diesel_and_only_search_on_tantivy() {
    let graph = graph();
    for name in graph.workspace_names() {
        let id = graph.id_of(name).unwrap();
        for dep in graph.direct(id) {
            if dep.starts_with("diesel")
                || dep == "r2d2"
                || dep == "libsqlite3-sys"
                || dep == "pq-sys"
            {
                assert_eq!(name, "kitap-db", "{name} depends directly on {dep}");
            }
            if dep.starts_with("tantivy") {
                assert_eq!(name, "kitap-search", "{name} depends directly on {dep}");
            }
        }
    }
}

#[test]
fn the_checker_sees_real_edges() {
    // Guards against a rule that passes because the graph came back empty.
    let graph = graph();
    let db = graph.id_of("kitap-db").unwrap();
    assert!(graph.direct(db).contains(&"diesel"));
    let api = graph.id_of("kitap-api").unwrap();
    assert!(graph.transitive(api).contains("tokio"));
    assert!(graph.direct(api).contains(&"kitap-app"));
    assert!(
        is_forbidden("actix-web") && is_forbidden("diesel_migrations") && !is_forbidden("serde")
    );
}

/// kitap-marc's direct dependencies, as docs/ARCHITECTURE.md lists them.
const MARC_DEPENDENCIES: [&str; 6] = [
    "encoding_rs",
    "marc",
    "quick-xml",
    "serde_json",
    "thiserror",
    "unicode-normalization",
];

#[test]
fn kitap_marc_depends_only_on_the_crates_the_architecture_lists() {
    let graph = graph();
    let id = graph.id_of("kitap-marc").unwrap();
    let mut direct = graph.direct(id);
    direct.sort_unstable();
    assert_eq!(direct, MARC_DEPENDENCIES, "update docs/ARCHITECTURE.md too");
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/ARCHITECTURE.md"),
    )
    .unwrap();
    let section = doc
        .split("\n\n")
        .find(|p| p.starts_with("**kitap-marc**"))
        .unwrap();
    // "Pure: a, b, c only." ends the crate's paragraph.
    let listed = section
        .rsplit_once("Pure: ")
        .and_then(|(_, rest)| rest.split_once(" only."))
        .unwrap()
        .0
        .replace('\n', " ");
    let mut listed: Vec<&str> = listed.split(',').map(str::trim).collect();
    listed.sort_unstable();
    assert_eq!(
        listed, MARC_DEPENDENCIES,
        "docs/ARCHITECTURE.md's kitap-marc paragraph"
    );
}
