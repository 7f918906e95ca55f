//! The search index after SIGKILL (no clean-up runs): a server killed while
//! it indexes an import, and a `kitap reindex` killed halfway, come back with
//! an index equal to the database — nothing lost, nothing doubled. On SQLite
//! and, with TEST_DATABASE_URL, on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kitap_app::search::SearchIndex;
use kitap_db::{Db, DbUrl};
use kitap_tests::{Backend, TestDb};

fn corpus(rel: &str) -> PathBuf {
    std::env::var_os("MARC_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/marc"))
        .join(rel)
}

struct Setup {
    url: String,
    data: PathBuf,
    index: PathBuf,
}

impl Setup {
    fn kitap(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kitap"));
        cmd.env("KITAP_DATA_DIR", &self.data)
            .env("KITAP_DATABASE_URL", &self.url)
            .env("KITAP_SEARCH_DIR", &self.index)
            .env("KITAP_ADMIN_PASSWORD", "index-kill-test-pw")
            .env_remove("KITAP_CONFIG")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    }

    fn serve(&self) -> Child {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        self.kitap()
            .arg("serve")
            .env("KITAP_LISTEN", format!("127.0.0.1:{port}"))
            .spawn()
            .unwrap()
    }

    /// The served generation's checkpoint, read from disk as a restart would.
    fn checkpoint(&self) -> Option<i64> {
        let (index, _) = SearchIndex::open(&self.index).ok()?;
        index.current().checkpoint().ok()?.map(|c| c.seq)
    }

    fn generations(&self) -> usize {
        std::fs::read_dir(&self.index)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("gen-"))
            .count()
    }
}

fn wait_until(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ok() {
        assert!(started.elapsed() < limit, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn kill(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

fn verify(setup: &Setup) -> String {
    let out = setup
        .kitap()
        .args(["index", "verify"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "index differs from the database:\n{report}"
    );
    report
}

fn run(backend: Backend) {
    let Some(test_db) = TestDb::new(backend) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup {
        url: test_db.url.clone(),
        data: dir.path().join("data"),
        index: dir.path().join("index"),
    };
    let db = Db::connect(&DbUrl::parse(&setup.url).unwrap(), 1).unwrap();
    let last_outbox = || db.read(kitap_db::search_feed::last_outbox_id).unwrap_or(0);

    // 1. A server indexing an import as it runs is killed halfway.
    let server = setup.serve();
    wait_until("the server made its index", Duration::from_secs(60), || {
        setup.checkpoint().is_some()
    });
    let mut import = setup
        .kitap()
        .arg("import")
        .arg(corpus("marc21/lc_booksall2016_part01_first50k.mrc"))
        .spawn()
        .unwrap();
    wait_until(
        "part of the import is indexed",
        Duration::from_secs(300),
        || setup.checkpoint().unwrap_or(0) >= 3_000,
    );
    kill(server);
    let at_kill = setup.checkpoint().unwrap();
    assert!(import.wait().unwrap().success(), "the import failed");
    let total = last_outbox();
    assert!(
        at_kill < total,
        "killed too late to test anything ({at_kill} of {total})"
    );

    // 2. Restarted, it resumes from its checkpoint and catches up.
    let server = setup.serve();
    wait_until("the index caught up", Duration::from_secs(300), || {
        setup.checkpoint() == Some(total)
    });
    kill(server);
    let report: serde_json::Value = serde_json::from_str(&verify(&setup)).unwrap();
    assert!(report["documents"].as_u64().unwrap() > 40_000, "{report}");

    // 3. A rebuild killed halfway leaves the served generation untouched.
    let mut reindex = setup.kitap().arg("reindex").spawn().unwrap();
    wait_until("the rebuild started", Duration::from_secs(60), || {
        setup.generations() >= 2
    });
    std::thread::sleep(Duration::from_millis(300));
    match reindex.try_wait().unwrap() {
        None => kill(reindex),
        Some(_) => panic!("the rebuild finished before it could be killed"),
    }
    let server = setup.serve();
    wait_until(
        "the stale generation is removed",
        Duration::from_secs(60),
        || setup.generations() == 1,
    );
    kill(server);
    verify(&setup);
}

#[test]
fn sqlite() {
    run(Backend::Sqlite);
}

#[test]
fn postgres() {
    run(Backend::Postgres);
}
