//! `kitap import` killed mid-file (SIGKILL: no clean-up runs) resumes with
//! `--resume` after its last committed batch: every record ends up stored
//! exactly once and the reject report is complete.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kitap_db::{Db, DbUrl};

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

fn job_state(db: &Db) -> Option<(String, String, i64, i64, i64)> {
    let jobs = db.read(|c| kitap_db::imports::list(c, None, 1)).ok()?;
    let job = jobs.into_iter().next()?;
    Some((
        job.id.to_string(),
        job.status.as_str().to_owned(),
        job.progress.next_index,
        job.progress.created,
        job.progress.rejected,
    ))
}

#[test]
fn a_killed_import_resumes_after_its_last_batch() {
    let file = corpus("marc21/lc_booksall2016_part01_first50k.mrc");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let migrated = kitap(&data).arg("migrate").output().unwrap();
    assert!(migrated.status.success(), "{migrated:?}");
    let mut child = kitap(&data)
        .arg("import")
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    let url = DbUrl::parse(&format!("sqlite://{}", data.join("kitap.db").display())).unwrap();
    let started = Instant::now();
    let db = loop {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the import never started"
        );
        std::thread::sleep(Duration::from_millis(50));
        if !data.join("kitap.db").exists() {
            continue;
        }
        let Ok(db) = Db::connect(&url, 1) else {
            continue;
        };
        match job_state(&db) {
            Some((_, _, read, _, _)) if read >= 3000 => break db,
            _ => continue,
        }
    };
    child.kill().unwrap();
    child.wait().unwrap();

    let (id, status, read, created, rejected) = job_state(&db).unwrap();
    assert_eq!(status, "running", "killed, so never marked finished");
    assert!(read < 50_000, "killed too late to test anything ({read})");
    assert_eq!(read % 1000, 0, "progress moves a whole batch at a time");
    let stored = db.read(kitap_db::records::count).unwrap();
    assert_eq!(
        stored, created,
        "what the job says it stored is what is stored"
    );

    let resumed = kitap(&data)
        .arg("import")
        .arg("--resume")
        .arg(&id)
        .output()
        .unwrap();
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );

    let (_, status, read, created, rejected_after) = job_state(&db).unwrap();
    assert_eq!(status, "done");
    assert_eq!(read, 50_000);
    assert!(rejected_after >= rejected);
    let stored = db.read(kitap_db::records::count).unwrap();
    assert_eq!(stored, created);
    // Every record once: the file has 50,000 records; the report accounts
    // for every one not stored.
    let skipped = db.read(|c| kitap_db::imports::list(c, None, 1)).unwrap()[0]
        .progress
        .skipped;
    assert_eq!(
        created + skipped + rejected_after,
        50_000,
        "created {created} skipped {skipped} rejected {rejected_after}"
    );
    let uid: kitap_domain::ImportId = id.parse().unwrap();
    let report = db
        .read(|c| kitap_db::imports::rejects(c, uid, 0, 1000))
        .unwrap();
    // Report lines for records imported with a repair are not rejects.
    let notes = ["copies_not_created", "control_characters_removed"];
    let refused = report
        .iter()
        .filter(|r| !notes.contains(&r.code.as_str()))
        .count();
    assert_eq!(refused as i64, rejected_after);
}
