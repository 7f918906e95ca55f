//! Reading rows back through the database's own command-line client
//! (`sqlite3`, `psql`): the bench drives the app, which hands out no raw
//! queries, and only needs a few columns as text.

use std::process::Command;

use anyhow::{bail, Context};
use kitap_app::DbUrl;

/// The rows of `sql`, each a vector of its columns as text.
pub fn rows(url: &DbUrl, sql: &str) -> anyhow::Result<Vec<Vec<String>>> {
    let out = match url {
        DbUrl::Sqlite(path) => Command::new("sqlite3")
            .args(["-batch", "-noheader", "-separator", "\t"])
            .arg(path)
            .arg(sql)
            .output()
            .context("run sqlite3 (is it on the PATH?)")?,
        DbUrl::Postgres(url) => Command::new("psql")
            .args([
                url.as_str(),
                "-X",
                "-At",
                "-F",
                "\t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .output()
            .context("run psql (is it on the PATH?)")?,
    };
    if !out.status.success() {
        bail!("{sql}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect())
}
