//! Only `serve` and `migrate` create a database. Every other command refuses
//! a missing SQLite file or an unmigrated PostgreSQL schema with an error and
//! a non-zero exit, and leaves nothing behind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

use kitap_tests::{Backend, TestDb};

fn kitap(cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kitap"));
    cmd.current_dir(cwd)
        .env_remove("KITAP_DATA_DIR")
        .env_remove("KITAP_DATABASE_URL")
        .env_remove("KITAP_SEARCH_DIR")
        .env_remove("KITAP_CONFIG");
    cmd
}

/// Every command that works on an existing database, with valid arguments.
fn commands(marc: &str) -> Vec<Vec<&str>> {
    vec![
        vec!["user", "list"],
        vec!["user", "passwd", "admin"],
        vec![
            "user",
            "add",
            "aigerim",
            "--role",
            "cataloger",
            "--home",
            "C00",
        ],
        vec!["export", "-o", "out.xml", "--format", "marcxml"],
        vec!["import", marc],
        vec!["reindex"],
        vec!["index", "status"],
        vec!["index", "verify"],
    ]
}

fn refused(output: &Output, expected: &str, args: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "`kitap {}` succeeded without a database",
        args.join(" ")
    );
    assert!(
        stderr.contains(expected),
        "`kitap {}` said: {stderr}",
        args.join(" ")
    );
}

fn demo_file() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/demo/irbis_TEST1.iso")
        .display()
        .to_string()
}

#[test]
fn commands_refuse_a_missing_sqlite_database_and_create_none() {
    let dir = tempfile::tempdir().unwrap();
    let marc = demo_file();
    for args in commands(&marc) {
        let output = kitap(dir.path()).args(&args).output().unwrap();
        refused(
            &output,
            "no database at kitap-data/kitap.db; run `kitap migrate` or `kitap serve` first",
            &args,
        );
        assert!(
            !dir.path().join("kitap-data").exists(),
            "`kitap {}` created the data folder",
            args.join(" ")
        );
    }
}

#[test]
fn a_missing_database_points_at_the_demo_one() {
    let dir = tempfile::tempdir().unwrap();
    let migrated = kitap(dir.path())
        .args(["--data-dir", "kitap-demo", "migrate"])
        .output()
        .unwrap();
    assert!(migrated.status.success(), "{migrated:?}");
    let args = ["user", "list"];
    let output = kitap(dir.path()).args(args).output().unwrap();
    refused(&output, "add `--data-dir kitap-demo`", &args);

    let listed = kitap(dir.path())
        .args(["--data-dir", "kitap-demo", "user", "list"])
        .output()
        .unwrap();
    assert!(listed.status.success(), "{listed:?}");
}

fn on_an_unmigrated_database(backend: Backend) {
    let Some(test_db) = TestDb::new(backend) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    if backend == Backend::Sqlite {
        // An existing file without Kitap's tables (e.g. `touch kitap.db`).
        let path = test_db.url.trim_start_matches("sqlite://");
        std::fs::write(path, b"").unwrap();
    }
    let marc = demo_file();
    for args in commands(&marc) {
        let output = kitap(dir.path())
            .env("KITAP_DATABASE_URL", &test_db.url)
            .args(&args)
            .output()
            .unwrap();
        refused(&output, "migrations; run `kitap migrate` first", &args);
    }
    // `migrate` makes it usable.
    let migrate = kitap(dir.path())
        .env("KITAP_DATABASE_URL", &test_db.url)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{migrate:?}");
    let listed = kitap(dir.path())
        .env("KITAP_DATABASE_URL", &test_db.url)
        .args(["user", "list"])
        .output()
        .unwrap();
    assert!(listed.status.success(), "{listed:?}");
}

#[test]
fn commands_refuse_an_unmigrated_sqlite_database() {
    on_an_unmigrated_database(Backend::Sqlite);
}

#[test]
fn commands_refuse_an_unmigrated_postgres_database() {
    on_an_unmigrated_database(Backend::Postgres);
}
