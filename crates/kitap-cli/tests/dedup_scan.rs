//! `kitap dedup rekey` and `kitap dedup scan`: the Latin-2021 twins of
//! Cyrillic records come out as clusters, in the JSON and the CSV report,
//! written to a file or to standard output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus(rel: &str) -> PathBuf {
    std::env::var_os("MARC_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/marc"))
        .join(rel)
}

fn kitap(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kitap"));
    cmd.env("KITAP_DATA_DIR", data)
        .env_remove("KITAP_DATABASE_URL")
        .env_remove("KITAP_CONFIG");
    cmd
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {out:?}");
    out
}

#[test]
fn the_scan_writes_json_and_csv_reports() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run(kitap(&data).arg("migrate"));
    run(kitap(&data)
        .arg("import")
        .arg(corpus("kazakh/rusmarc_utf8.iso"))
        .arg(corpus("kazakh/marc21_latin2021.mrc")));

    // Keys were stored with the records: nothing left to compute.
    let rekeyed = run(kitap(&data).args(["dedup", "rekey"]));
    let said = String::from_utf8_lossy(&rekeyed.stderr);
    assert!(said.contains("0 records keyed"), "{said}");

    let json_path = dir.path().join("report.json");
    run(kitap(&data)
        .args(["dedup", "scan", "--out"])
        .arg(&json_path));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(report["scan"]["status"], "done");
    assert_eq!(report["scan"]["records"], 50);
    let clusters = report["clusters"].as_array().unwrap();
    assert!(clusters.len() >= 9, "{report:#}");
    assert!(!dir.path().join("report.json.partial").exists());

    let csv = run(kitap(&data).args(["dedup", "scan", "--format", "csv"]));
    let text = String::from_utf8(csv.stdout).unwrap();
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert!(lines[0]
        .ends_with("cluster,size,record_a,title_a,record_b,title_b,score,level,evidence,vetoes"));
    let pairs: usize = clusters
        .iter()
        .map(|c| c["pairs"].as_array().unwrap().len())
        .sum();
    assert_eq!(lines.len() - 1, pairs);

    let bad = kitap(&data)
        .args(["dedup", "scan", "--format", "xml"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--format must be json or csv"));
}
