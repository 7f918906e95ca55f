//! The README runs as written: its `sh` blocks are run with bash, in order
//! and in one shell (variables carry over), against the real
//! `kitap serve --demo` started in a fresh folder. Only the host and port
//! are rewritten; the folder holds `data/` and `target/release/kitap` as a
//! clone does after `cargo run --release`. A block preceded by
//! `<!-- readme-test: skip ... -->` is not run; one preceded by
//! `<!-- readme-test: needs PROGRAM -->` runs when PROGRAM is installed.
//! Every HTTP error fails the run (curl --fail-with-body), so an example
//! that answers an error envelope, or a raw non-ASCII URL that actix refuses
//! with an empty 400, breaks this test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const README_ADDRESSES: [&str; 2] = ["localhost:8080", "127.0.0.1:8080"];

struct Block {
    line: usize,
    marker: Option<String>,
    code: String,
}

/// The ```sh blocks with the `readme-test:` comment just before each, if any.
fn sh_blocks(readme: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut marker = None;
    let mut lines = readme.lines().enumerate();
    while let Some((index, line)) = lines.next() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("<!-- readme-test:") {
            marker = Some(rest.trim_end_matches("-->").trim().to_owned());
        } else if trimmed == "```sh" {
            let code: Vec<&str> = lines
                .by_ref()
                .map(|(_, l)| l)
                .take_while(|l| l.trim() != "```")
                .collect();
            blocks.push(Block {
                line: index + 1,
                marker: marker.take(),
                code: code.join("\n"),
            });
        } else if !trimmed.is_empty() {
            marker = None;
        }
    }
    blocks
}

fn installed(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v '{program}'"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn runnable(block: &Block) -> bool {
    match block.marker.as_deref() {
        None => true,
        Some(m) if m == "skip" || m.starts_with("skip ") => false,
        Some(m) if m.starts_with("needs ") => {
            let program = m["needs ".len()..].trim();
            let found = installed(program);
            if !found {
                eprintln!(
                    "README line {}: {program} not installed, block not run",
                    block.line
                );
            }
            found
        }
        Some(m) => panic!(
            "README line {}: unknown readme-test marker {m:?}",
            block.line
        ),
    }
}

/// The server, killed when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A folder laid out like a clone after `cargo run --release`.
fn clone_like(dir: &Path) -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::os::unix::fs::symlink(repo.join("data").canonicalize().unwrap(), dir.join("data"))
        .unwrap();
    std::fs::create_dir_all(dir.join("target/release")).unwrap();
    let binary = dir.join("target/release/kitap");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_kitap"), &binary).unwrap();
    binary
}

fn kitap(binary: &Path, cwd: &Path) -> Command {
    let mut cmd = Command::new(binary);
    cmd.current_dir(cwd);
    for (name, _) in std::env::vars() {
        if name.starts_with("KITAP_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

/// Starts `serve --demo`; returns it with the lines it printed before serving.
fn serve_demo(binary: &Path, cwd: &Path, port: u16) -> (Server, Vec<String>) {
    let mut child = kitap(binary, cwd)
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let serving = line.starts_with("Kitap is serving");
            if tx.send(line).is_err() || serving {
                return;
            }
        }
    });
    let mut printed = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("the demo server never served; it printed {printed:?}"));
        let serving = line.starts_with("Kitap is serving");
        printed.push(line);
        if serving {
            return (server, printed);
        }
    }
}

fn get(url: &str) -> Option<String> {
    let out = Command::new("curl")
        .args(["-s", "--fail", url])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Ready, and the demo catalogue fully indexed (search examples need it).
fn wait_for_index(base: &str) {
    let started = Instant::now();
    loop {
        let ready = get(&format!("{base}/ready")).is_some();
        let status = get(&format!("{base}/api/v1/search/status"));
        if let (true, Some(status)) = (ready, status) {
            let status: serde_json::Value = serde_json::from_str(&status).unwrap();
            if status["building"] == false && status["documents"].as_u64() >= Some(400) {
                return;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the demo index was not built within a minute"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `change it with `CMD``: the hint, which must work when pasted as printed.
fn password_hint(printed: &[String]) -> String {
    let line = printed
        .iter()
        .find(|l| l.contains("change it with `"))
        .unwrap_or_else(|| panic!("no password hint in {printed:?}"));
    let start = line.find('`').unwrap() + 1;
    let end = line.rfind('`').unwrap();
    line[start..end].to_owned()
}

fn script(blocks: &[&Block], port: u16) -> String {
    // Fail on the first failing command, HTTP errors included, and say which.
    let mut script = String::from(
        "set -Eeuo pipefail\n\
         curl() { command curl --fail-with-body --show-error \"$@\"; }\n\
         trap 'echo \"readme-test: failed: $BASH_COMMAND\" >&2' ERR\n",
    );
    for block in blocks {
        let mut code = block.code.clone();
        for address in README_ADDRESSES {
            code = code.replace(address, &format!("127.0.0.1:{port}"));
        }
        script.push_str(&format!(
            "echo '--- README line {}' >&2\n{code}\n",
            block.line
        ));
    }
    script
}

fn tail(text: &str, chars: usize) -> String {
    let count = text.chars().count();
    text.chars().skip(count.saturating_sub(chars)).collect()
}

#[test]
fn the_readme_examples_run_as_written() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    let blocks = sh_blocks(&readme);
    let run: Vec<&Block> = blocks.iter().filter(|b| runnable(b)).collect();
    assert!(run.len() >= 5, "only {} runnable README blocks", run.len());

    let dir = tempfile::tempdir().unwrap();
    let binary = clone_like(dir.path());
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (_server, printed) = serve_demo(&binary, dir.path(), port);
    let base = format!("http://127.0.0.1:{port}");
    wait_for_index(&base);

    let hint = password_hint(&printed);
    assert_eq!(
        hint, "target/release/kitap --data-dir kitap-demo user passwd admin",
        "the hint as printed"
    );
    let pasted = Command::new("bash")
        .args(["-c", &hint])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        pasted.status.success()
            && String::from_utf8_lossy(&pasted.stdout).contains("password of admin changed"),
        "the printed hint `{hint}` failed: {pasted:?}"
    );

    let started = Instant::now();
    let out = Command::new("bash")
        .arg("-c")
        .arg(script(&run, port))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "a README example failed:\n{stderr}\n--- the end of its output:\n{}",
        tail(&stdout, 1500)
    );
    assert!(
        !stdout.contains("{\"error\":{"),
        "a README example answered an error envelope:\n{stdout}"
    );
    // The self-service example renewed as the reader (the reader's loan
    // answer, with `renewals_left`, not the desk's).
    assert!(
        stdout.contains("\"renewals\":1,\"renewals_left\":1"),
        "the reader's renewal example did not renew:\n{}",
        tail(&stdout, 1500)
    );
    let export = std::fs::read_to_string(dir.path().join("f07.xml")).unwrap();
    assert!(
        export.contains("<collection"),
        "the export example wrote {export:.200}"
    );
    // The statistics examples: the loans report counts the desk's loan
    // and the reader's renewal; the workbook, the chart and the command's
    // files were written.
    assert!(
        stdout.contains("\"kind\":\"loans\""),
        "the loans report example:\n{}",
        tail(&stdout, 1500)
    );
    let book = std::fs::read(dir.path().join("annual.xlsx")).unwrap();
    assert!(book.starts_with(b"PK"), "annual.xlsx is no workbook");
    let svg = std::fs::read_to_string(dir.path().join("loans-by-area.svg")).unwrap();
    assert!(svg.contains("<svg"), "the chart example wrote {svg:.200}");
    let written = std::fs::read_dir(dir.path().join("annual-report"))
        .unwrap()
        .count();
    assert!(written >= 3, "kitap report annual wrote {written} files");
    eprintln!(
        "README examples ran in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
