//! What a test needs from outside the repository (a tool, a Python module,
//! the shared corpus): outside CI a missing one skips the check with a note,
//! so a developer without yaz can still run the suite; in CI (`CI=true`) it
//! fails the test, so that a check cannot pass by not running.
//!
//! The one place for that rule. kitap-marc and kitap-text, which cannot
//! depend on this harness (it depends on them), include this file with
//! `#[path]`, so it uses nothing but std.
#![allow(dead_code, clippy::panic)]

use std::path::Path;
use std::process::{Command, Stdio};

/// The rule itself: whether a missing prerequisite fails the test, given
/// the value of `CI`.
pub fn must_fail(ci: Option<&str>) -> bool {
    ci == Some("true")
}

/// Whether this run is CI (`CI=true`).
pub fn in_ci() -> bool {
    must_fail(std::env::var("CI").ok().as_deref())
}

/// For a test that cannot run because of `reason`: returns (the caller
/// skips) outside CI, panics in CI.
pub fn skip_or_fail(reason: &str) {
    if in_ci() {
        panic!("{reason}; CI=true, so this fails instead of skipping");
    }
    eprintln!("skipped: {reason}");
}

/// Whether `program` is on PATH; when it is not, [`skip_or_fail`] with how
/// to install it.
pub fn require_tool(program: &str, install: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()));
    if !found {
        skip_or_fail(&format!("{program} is not installed ({install})"));
    }
    found
}

/// Whether `python3` can import `module`; otherwise [`skip_or_fail`].
pub fn require_python_module(module: &str, install: &str) -> bool {
    if !require_tool("python3", "apt-get install python3") {
        return false;
    }
    let imported = Command::new("python3")
        .arg("-c")
        .arg(format!("import {module}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !imported {
        skip_or_fail(&format!("python3 cannot import {module} ({install})"));
    }
    imported
}

/// Whether the shared-data file `path` exists; otherwise [`skip_or_fail`].
pub fn require_file(path: &Path) -> bool {
    let found = path.is_file();
    if !found {
        skip_or_fail(&format!(
            "{} not found (the shared corpus, or MARC_TEST_DATA)",
            path.display()
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ci_true_turns_a_skip_into_a_failure() {
        assert!(must_fail(Some("true")));
        assert!(!must_fail(None));
        assert!(!must_fail(Some("")));
        assert!(!must_fail(Some("false")));
    }

    #[test]
    fn a_present_tool_and_file_are_found() {
        assert!(require_tool("sh", "it is always there"));
        assert!(require_file(&std::env::current_exe().unwrap()));
    }

    /// Run only as a child of the next test.
    #[test]
    #[ignore = "run by a_missing_prerequisite_skips_outside_ci_and_fails_in_ci"]
    fn probe_a_missing_tool_and_file() {
        assert!(!require_tool("kitap-no-such-tool", "nowhere"));
        assert!(!require_file(Path::new("/nonexistent/kitap/corpus.mrc")));
    }

    /// This very test binary, running only the probe, with `ci` as `CI`.
    fn probe(ci: Option<&str>) -> std::process::Output {
        let module = module_path!().split_once("::").map_or("", |(_, m)| m);
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args(["--ignored", "--exact"])
            .arg(format!("{module}::probe_a_missing_tool_and_file"))
            .env_remove("CI");
        if let Some(ci) = ci {
            cmd.env("CI", ci);
        }
        cmd.output().unwrap()
    }

    #[test]
    fn a_missing_prerequisite_skips_outside_ci_and_fails_in_ci() {
        for (ci, fails) in [(None, false), (Some("false"), false), (Some("true"), true)] {
            let out = probe(ci);
            let stdout = String::from_utf8_lossy(&out.stdout);
            // The probe ran (it is not filtered away) and ended as the rule says.
            assert!(
                stdout.contains("1 passed") || stdout.contains("1 failed"),
                "{stdout}"
            );
            assert_eq!(!out.status.success(), fails, "CI={ci:?}: {stdout}");
        }
    }
}
