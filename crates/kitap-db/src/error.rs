use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Everything that can go wrong below the use-case layer, with no diesel type
/// exposed: constraint violations are classified here so callers can turn them
/// into precise API errors.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("row not found")]
    NotFound,
    #[error("unique constraint violated ({0})")]
    UniqueViolation(String),
    #[error("foreign key constraint violated ({0})")]
    ForeignKeyViolation(String),
    #[error("check constraint violated ({0})")]
    CheckViolation(String),
    #[error("the database is busy, try again")]
    Busy,
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("database url: {0}")]
    Url(String),
    #[error("connection pool: {0}")]
    Pool(String),
    #[error("migrations: {0}")]
    Migration(String),
    #[error("query failed: {0}")]
    Query(String),
}

impl From<DieselError> for DbError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => DbError::NotFound,
            DieselError::DatabaseError(kind, info) => {
                let detail = info.constraint_name().unwrap_or(info.message()).to_owned();
                match kind {
                    DatabaseErrorKind::UniqueViolation => DbError::UniqueViolation(detail),
                    DatabaseErrorKind::ForeignKeyViolation => DbError::ForeignKeyViolation(detail),
                    DatabaseErrorKind::CheckViolation => DbError::CheckViolation(detail),
                    DatabaseErrorKind::SerializationFailure => DbError::Busy,
                    _ => classify_by_message(info.message()),
                }
            }
            other => DbError::Query(other.to_string()),
        }
    }
}

/// SQLite does not always report the extended result code diesel needs
/// (a RESTRICT foreign key fails with plain SQLITE_CONSTRAINT), so fall back
/// to its stable message texts.
fn classify_by_message(message: &str) -> DbError {
    let detail = message.to_owned();
    if message.starts_with("FOREIGN KEY constraint failed") {
        DbError::ForeignKeyViolation(detail)
    } else if message.starts_with("UNIQUE constraint failed") {
        DbError::UniqueViolation(detail)
    } else if message.starts_with("CHECK constraint failed") {
        DbError::CheckViolation(detail)
    } else if message.contains("database is locked") || message.contains("database is busy") {
        DbError::Busy
    } else {
        DbError::Query(detail)
    }
}

impl From<r2d2::Error> for DbError {
    fn from(err: r2d2::Error) -> Self {
        DbError::Pool(err.to_string())
    }
}

impl DbError {
    /// True when the constraint named `name` (or its message) was violated:
    /// PostgreSQL reports the constraint name, SQLite the column list.
    pub fn violates(&self, needle: &str) -> bool {
        match self {
            DbError::UniqueViolation(detail)
            | DbError::ForeignKeyViolation(detail)
            | DbError::CheckViolation(detail) => detail.contains(needle),
            _ => false,
        }
    }
}
