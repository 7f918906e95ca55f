//! One node at a time for background jobs: a PostgreSQL session-level
//! advisory lock held on a connection of its own (outside the pool), given
//! back when the [`JobLock`] is dropped. SQLite has one node: always granted.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use crate::{Db, DbConnection, DbError};

/// Held while the job runs; dropping it releases the lock.
pub struct JobLock {
    conn: Option<(DbConnection, i64)>,
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

impl Db {
    /// Takes the advisory lock `key` without waiting: `None` when another
    /// session (another node) holds it.
    pub fn try_job_lock(&self, key: i64) -> Result<Option<JobLock>, DbError> {
        if self.backend() == crate::Backend::Sqlite {
            return Ok(Some(JobLock { conn: None }));
        }
        let mut conn = self.raw_connection()?;
        let DbConnection::Postgres(pg) = &mut conn else {
            return Ok(Some(JobLock { conn: None }));
        };
        let row: Locked = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
            .bind::<BigInt, _>(key)
            .get_result(pg)?;
        Ok(row.locked.then_some(JobLock {
            conn: Some((conn, key)),
        }))
    }
}

impl Drop for JobLock {
    fn drop(&mut self) {
        if let Some((DbConnection::Postgres(pg), key)) = &mut self.conn {
            // Closing the connection releases it too; unlock explicitly anyway.
            let _ = pg.batch_execute(&format!("SELECT pg_advisory_unlock({key})"));
        }
    }
}
