use kitap_db::{admin, Db, DbUrl};
use tempfile::TempDir;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database: an SQLite file in a temporary folder, or a new
/// PostgreSQL database created from `TEST_DATABASE_URL` and dropped at the end.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    _dir: Option<TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// `None` only for PostgreSQL when `TEST_DATABASE_URL` is unset outside
    /// CI; in CI (`CI=true`) a missing or unreachable server fails the test.
    pub fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("kitap.db").display());
                Some(TestDb {
                    backend,
                    url,
                    _dir: Some(dir),
                    postgres: None,
                })
            }
            Backend::Postgres => Self::postgres(),
        }
    }

    fn postgres() -> Option<TestDb> {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
        let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
            assert!(
                !in_ci,
                "CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI"
            );
            eprintln!("TEST_DATABASE_URL not set: skipping the PostgreSQL variant");
            return None;
        };
        let name = format!("kitap_test_{}", uuid::Uuid::now_v7().simple());
        admin::create_postgres_database(&admin_url, &name).unwrap_or_else(|err| {
            panic!("creating a test database through TEST_DATABASE_URL: {err}")
        });
        let url = replace_database(&admin_url, &name);
        Some(TestDb {
            backend: Backend::Postgres,
            url,
            _dir: None,
            postgres: Some((admin_url, name)),
        })
    }

    /// A connected, migrated handle.
    pub fn migrated(&self) -> Db {
        let db = self.connect();
        db.migrate().unwrap();
        db
    }

    pub fn connect(&self) -> Db {
        Db::connect(&DbUrl::parse(&self.url).unwrap(), 4).unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.postgres {
            if let Err(err) = admin::drop_postgres_database(admin_url, name) {
                eprintln!("could not drop test database {name}: {err}");
            }
        }
    }
}

/// postgres://u@h:5432/postgres?x=y -> postgres://u@h:5432/NAME?x=y
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{host_part}/{name}?{query}"),
        None => format!("{host_part}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            super::replace_database("postgres://p@h:5432/postgres", "t1"),
            "postgres://p@h:5432/t1"
        );
        assert_eq!(
            super::replace_database("postgres://p@h", "t1"),
            "postgres://p@h/t1"
        );
        assert_eq!(
            super::replace_database("postgres://p@h/x?sslmode=disable", "t1"),
            "postgres://p@h/t1?sslmode=disable"
        );
    }
}
