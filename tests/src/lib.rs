//! Test harness: a fresh database per test on SQLite (a file) and PostgreSQL
//! (a schema), and a
//! `TestApp` that runs the real actix server on a free port.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod app;
mod db;
pub mod prereq;

pub use app::{Response, TestApp, ADMIN_PASSWORD};
pub use db::{Backend, TestDb};
pub use prereq::{in_ci, require_file, require_python_module, require_tool, skip_or_fail};

/// The shared MARC corpus (`../shared/data/marc` beside the repository), or
/// `MARC_TEST_DATA`.
pub fn marc_data(rel: &str) -> std::path::PathBuf {
    let base = std::env::var_os("MARC_TEST_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/marc")
        });
    base.join(rel)
}

/// Reads a corpus file (panics with the path when it is missing).
pub fn marc_bytes(rel: &str) -> Vec<u8> {
    let path = marc_data(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Writes a test once and runs it on both backends: `NAME::sqlite` always,
/// `NAME::postgres` when `TEST_DATABASE_URL` is set (and always in CI).
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn body($app: $crate::TestApp) $body

                #[actix_web::test]
                async fn sqlite() {
                    body($crate::TestApp::start($crate::Backend::Sqlite).await.unwrap()).await
                }

                #[actix_web::test]
                async fn postgres() {
                    if let Some(app) = $crate::TestApp::start($crate::Backend::Postgres).await {
                        body(app).await
                    }
                }
            }
        )*
    };
}

/// The same for tests that need only the database handle.
#[macro_export]
macro_rules! both_databases {
    ($(fn $name:ident($db:ident: TestDb) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                fn body($db: $crate::TestDb) $body

                #[test]
                fn sqlite() {
                    body($crate::TestDb::new($crate::Backend::Sqlite).unwrap())
                }

                #[test]
                fn postgres() {
                    if let Some(db) = $crate::TestDb::new($crate::Backend::Postgres) {
                        body(db)
                    }
                }
            }
        )*
    };
}
