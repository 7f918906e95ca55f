//! The search bench's command line: `[RECORDS] [name=value ...]`.

use std::path::PathBuf;

use anyhow::{bail, Context};

pub struct SearchArgs {
    pub count: u64,
    pub seconds: f64,
    pub clients: usize,
    /// Run the PostgreSQL phase.
    pub pg: bool,
    /// Run the HTTP phase.
    pub http: bool,
    /// The `kitap` binary to serve with (relative: to the workspace root).
    pub bin: PathBuf,
    /// Queries of each kind in the mix.
    pub per_kind: usize,
    /// Work in this directory and leave it there (relative: to the workspace root).
    pub keep: Option<PathBuf>,
    /// With `keep`: use the database and index already there.
    pub reuse: bool,
    /// With `reuse`: rebuild the index all the same.
    pub reindex: bool,
    /// Writer memory for the rebuild in MiB (default: the config's).
    pub memory: Option<usize>,
    /// Appended to every search URL (e.g. `&facets=false`), for experiments.
    pub extra: String,
}

impl Default for SearchArgs {
    fn default() -> SearchArgs {
        SearchArgs {
            count: 1_000_000,
            seconds: 30.0,
            clients: 8,
            pg: true,
            http: true,
            bin: workspace_root().join("target/release/kitap"),
            per_kind: 500,
            keep: None,
            reuse: false,
            reindex: false,
            memory: None,
            extra: String::new(),
        }
    }
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A relative path is taken from the workspace root: cargo runs a bench in
/// its package's directory, but the commands are typed at the root.
fn from_root(path: &str) -> PathBuf {
    workspace_root().join(path)
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    value
        .parse()
        .with_context(|| format!("{name}={value}: not a number"))
}

impl SearchArgs {
    /// Parses the arguments after the program name; `--bench` and other
    /// flags cargo passes are skipped.
    pub fn parse(args: impl IntoIterator<Item = String>) -> anyhow::Result<SearchArgs> {
        let mut a = SearchArgs::default();
        for arg in args.into_iter().filter(|a| !a.starts_with("--")) {
            a.apply(&arg)?;
        }
        Ok(a)
    }

    fn apply(&mut self, arg: &str) -> anyhow::Result<()> {
        match arg.split_once('=') {
            Some(("seconds", v)) => self.seconds = number("seconds", v)?,
            Some(("clients", v)) => self.clients = number("clients", v)?,
            Some(("pg", v)) => self.pg = v != "off",
            Some(("http", v)) => self.http = v != "off",
            Some(("bin", v)) => self.bin = from_root(v),
            Some(("queries", v)) => self.per_kind = number("queries", v)?,
            Some(("keep", v)) => self.keep = Some(from_root(v)),
            Some(("reuse", v)) => self.reuse = v == "on",
            Some(("reindex", v)) => self.reindex = v == "on",
            Some(("memory", v)) => self.memory = Some(number("memory", v)?),
            Some(("extra", v)) => self.extra = v.to_string(),
            Some((k, _)) => bail!("unknown argument {k}"),
            None => self.count = number("RECORDS", arg)?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> anyhow::Result<SearchArgs> {
        SearchArgs::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn records_and_options() {
        let a = parse(&[
            "--bench",
            "2000",
            "seconds=3",
            "pg=off",
            "extra=&facets=false",
        ])
        .unwrap();
        assert_eq!((a.count, a.seconds, a.pg, a.http), (2000, 3.0, false, true));
        assert_eq!(a.extra, "&facets=false");
        let b = parse(&["bin=target/debug/kitap", "keep=/tmp/k"]).unwrap();
        assert_eq!(b.bin, workspace_root().join("target/debug/kitap"));
        assert_eq!(b.keep, Some(PathBuf::from("/tmp/k")));
        assert_eq!(parse(&[]).unwrap().count, 1_000_000);
        assert!(parse(&["colour=blue"]).is_err());
        assert!(parse(&["clients=many"]).is_err());
    }
}
