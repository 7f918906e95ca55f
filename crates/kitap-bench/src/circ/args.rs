//! The circulation bench's command line: `[RECORDS] [name=value ...]`.

use std::path::PathBuf;

use anyhow::{bail, Context};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backends {
    Sqlite,
    Postgres,
    Both,
}

pub struct CircArgs {
    pub records: u64,
    pub readers: usize,
    /// Returned loans of history.
    pub loans: u64,
    /// Readers with two open loans each in the history.
    pub open_readers: usize,
    pub backends: Backends,
    pub clients: usize,
    pub seconds: f64,
    /// Cycles of the one-desk latency phase.
    pub cycles: usize,
    /// Open loans of the big reader.
    pub big: usize,
    pub bin: PathBuf,
    /// Work in this directory and leave it there.
    pub keep: Option<PathBuf>,
    /// With `keep`, SQLite: reuse the database and index there.
    pub reuse: bool,
}

impl Default for CircArgs {
    fn default() -> CircArgs {
        CircArgs {
            records: 1_000_000,
            readers: 100_000,
            loans: 2_000_000,
            open_readers: 10_000,
            backends: Backends::Both,
            clients: 8,
            seconds: 30.0,
            cycles: 1_000,
            big: 400,
            bin: root().join("target/release/kitap"),
            keep: None,
            reuse: false,
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    value
        .parse()
        .with_context(|| format!("{name}={value}: not a number"))
}

impl CircArgs {
    /// The arguments after the program name; flags cargo passes are skipped.
    pub fn parse(args: impl IntoIterator<Item = String>) -> anyhow::Result<CircArgs> {
        let mut a = CircArgs::default();
        for arg in args.into_iter().filter(|a| !a.starts_with("--")) {
            match arg.split_once('=') {
                Some(("readers", v)) => a.readers = number("readers", v)?,
                Some(("loans", v)) => a.loans = number("loans", v)?,
                Some(("open", v)) => a.open_readers = number("open", v)?,
                Some(("backend", "sqlite")) => a.backends = Backends::Sqlite,
                Some(("backend", "pg" | "postgres")) => a.backends = Backends::Postgres,
                Some(("backend", "both")) => a.backends = Backends::Both,
                Some(("clients", v)) => a.clients = number("clients", v)?,
                Some(("seconds", v)) => a.seconds = number("seconds", v)?,
                Some(("cycles", v)) => a.cycles = number("cycles", v)?,
                Some(("big", v)) => a.big = number("big", v)?,
                Some(("bin", v)) => a.bin = root().join(v),
                Some(("keep", v)) => a.keep = Some(root().join(v)),
                Some(("reuse", v)) => a.reuse = v == "on",
                Some((k, v)) => bail!("unknown argument {k}={v}"),
                None => a.records = number("RECORDS", &arg)?,
            }
        }
        if a.clients == 0 || a.readers < a.clients * 10 + a.open_readers + 1 {
            bail!("need clients ≥ 1 and readers ≥ 10 per client + open + 1");
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> anyhow::Result<CircArgs> {
        CircArgs::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn sizes_and_options() {
        let a = parse(&[
            "--bench",
            "20000",
            "readers=5000",
            "loans=40000",
            "open=500",
            "backend=pg",
        ])
        .unwrap();
        assert_eq!(
            (a.records, a.readers, a.loans, a.open_readers),
            (20_000, 5_000, 40_000, 500)
        );
        assert_eq!(a.backends, Backends::Postgres);
        let d = parse(&[]).unwrap();
        assert_eq!(
            (d.records, d.readers, d.loans, d.big),
            (1_000_000, 100_000, 2_000_000, 400)
        );
        assert!(parse(&["backend=oracle"]).is_err());
        assert!(parse(&["readers=10"]).is_err());
    }
}
