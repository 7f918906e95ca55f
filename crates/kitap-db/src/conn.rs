use std::path::PathBuf;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;

use crate::DbError;

/// One connection type for both backends. Queries are written once against it;
/// the few statements that differ per backend `match` on the variant inside
/// this crate.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs the same diesel expression on whichever concrete connection is inside.
/// For statements the multi-backend cannot express (multi-row INSERT, upsert):
/// the tokens are type-checked once per backend.
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::DbConnection::Postgres($c) => $body,
            $crate::DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use per_backend;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// A database URL whose scheme we checked ourselves. The derived
/// `MultiConnection::establish` would try each backend in turn, and SQLite
/// accepts any string as a file name, so a typo in a PostgreSQL URL would
/// silently create a local file. We refuse unknown schemes instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    Postgres(String),
    Sqlite(PathBuf),
}

impl DbUrl {
    pub fn parse(url: &str) -> Result<Self, DbError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(url.to_owned()));
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or(url.strip_prefix("sqlite:"))
        {
            if path.is_empty() || path.contains('?') {
                return Err(DbError::Url(
                    "a sqlite url names a file: sqlite://path/to/kitap.db".to_owned(),
                ));
            }
            return Ok(DbUrl::Sqlite(PathBuf::from(path)));
        }
        Err(DbError::Url(format!(
            "unsupported database url scheme in {:?}: use postgres://... or sqlite://path",
            redact(url)
        )))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbUrl::Postgres(_) => Backend::Postgres,
            DbUrl::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// The URL with any password replaced, for logs and messages.
    pub fn redacted(&self) -> String {
        match self {
            DbUrl::Postgres(url) => redact(url),
            DbUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        }
    }

    pub(crate) fn establish(&self) -> Result<DbConnection, DbError> {
        match self {
            DbUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConnection::Postgres)
                .map_err(|err| DbError::Pool(redact_err(&err.to_string(), url))),
            DbUrl::Sqlite(path) => {
                let path_text = path
                    .to_str()
                    .ok_or_else(|| DbError::Url("the sqlite path is not valid UTF-8".to_owned()))?;
                let mut conn = SqliteConnection::establish(path_text)
                    .map_err(|err| DbError::Pool(err.to_string()))?;
                // Per connection: bundled SQLite enforces foreign keys by default,
                // but we never rely on how SQLite was compiled.
                conn.batch_execute(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
                )?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

fn redact(url: &str) -> String {
    // postgres://user:secret@host/db -> postgres://user:***@host/db
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

fn redact_err(message: &str, url: &str) -> String {
    message.replace(url, &redact(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_choose_the_backend() {
        assert_eq!(
            DbUrl::parse("postgres://u@localhost/kitap")
                .unwrap()
                .backend(),
            Backend::Postgres
        );
        assert_eq!(
            DbUrl::parse("postgresql://u@localhost/kitap")
                .unwrap()
                .backend(),
            Backend::Postgres
        );
        assert_eq!(
            DbUrl::parse("sqlite://kitap-data/kitap.db").unwrap(),
            DbUrl::Sqlite(PathBuf::from("kitap-data/kitap.db"))
        );
        assert_eq!(
            DbUrl::parse("sqlite:///var/lib/kitap.db").unwrap(),
            DbUrl::Sqlite(PathBuf::from("/var/lib/kitap.db"))
        );
    }

    #[test]
    fn unknown_schemes_are_refused_without_leaking_passwords() {
        let err = DbUrl::parse("mysql://root:hunter2@db/kitap").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("unsupported database url scheme"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(DbUrl::parse("kitap.db").is_err());
        assert!(DbUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn redaction_hides_the_password_only() {
        let url = DbUrl::parse("postgres://kitap:s3cret@db:5432/kitap").unwrap();
        assert_eq!(url.redacted(), "postgres://kitap:***@db:5432/kitap");
    }
}
