//! The real `kitap serve` binary as a child process on a free port of
//! 127.0.0.1, on a given database and index.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::http::Http;

pub struct Server {
    pub child: Child,
    /// host:port
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        // The bench is over or failed: the server goes with it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn spawn(bin: &Path, work: &Path, db_url: &str, index_dir: &Path) -> anyhow::Result<Server> {
    let addr = format!("127.0.0.1:{}", free_port()?);
    let log = std::fs::File::create(work.join("server.log"))?;
    let child = Command::new(bin)
        .arg("serve")
        .env("KITAP_DATABASE_URL", db_url)
        .env("KITAP_SEARCH_DIR", index_dir)
        .env("KITAP_SEARCH_RATE_LIMIT", "0")
        .env("KITAP_LISTEN", &addr)
        .env("KITAP_DATA_DIR", work.join("data"))
        .env("KITAP_ADMIN_PASSWORD", "search-bench-admin-password")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .with_context(|| format!("start {} serve", bin.display()))?;
    Ok(Server { child, addr })
}

/// The index status once it is not building, as the server reports it.
fn ready(http: &mut Http) -> Option<String> {
    if !matches!(http.get("/api/v1/search/status"), Ok(200)) {
        return None;
    }
    let status: serde_json::Value = serde_json::from_slice(http.body()).ok()?;
    (status["building"] == false).then(|| status.to_string())
}

/// Starts the server and waits (up to 2 minutes) until its index is open.
pub fn start_server(
    bin: &Path,
    work: &Path,
    db_url: &str,
    index_dir: &Path,
) -> anyhow::Result<Server> {
    if !bin.exists() {
        bail!(
            "{} not found: run `cargo build --release -p kitap-cli` first or pass bin=PATH",
            bin.display()
        );
    }
    let mut server = spawn(bin, work, db_url, index_dir)?;
    let mut http = Http::new(&server.addr);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = ready(&mut http) {
            println!("server pid {} on {}: {status}", server.pid(), server.addr);
            return Ok(server);
        }
        if let Some(exit) = server.child.try_wait()? {
            bail!(
                "the server exited ({exit}); see {}",
                work.join("server.log").display()
            );
        }
        if Instant::now() >= deadline {
            bail!(
                "the server did not come up; see {}",
                work.join("server.log").display()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
