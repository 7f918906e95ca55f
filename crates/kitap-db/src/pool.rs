use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};

use crate::{Backend, DbConnection, DbError, DbUrl};

/// Opens connections for r2d2 from a URL whose scheme we already checked.
#[derive(Debug)]
struct Manager {
    url: DbUrl,
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = DbError;

    fn connect(&self) -> Result<DbConnection, DbError> {
        self.url.establish()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), DbError> {
        conn.batch_execute("SELECT 1").map_err(DbError::from)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// Pool usage, for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolState {
    pub size: u32,
    pub connections: u32,
    pub idle: u32,
}

/// The database handle the rest of Kitap holds: a pool plus the knowledge of
/// which backend it talks to. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    url: DbUrl,
}

impl Db {
    /// Connects (creating the SQLite file's folder if needed) and checks one
    /// connection out, so a bad URL fails here and not on the first request.
    pub fn connect(url: &DbUrl, pool_size: u32) -> Result<Db, DbError> {
        if let DbUrl::Sqlite(path) = url {
            if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|err| {
                    DbError::Url(format!("cannot create {}: {err}", dir.display()))
                })?;
            }
        }
        let pool = r2d2::Pool::builder()
            .max_size(pool_size.max(1))
            .connection_timeout(Duration::from_secs(10))
            .build(Manager { url: url.clone() })?;
        Ok(Db {
            pool,
            url: url.clone(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            size: self.pool.max_size(),
            connections: state.connections,
            idle: state.idle_connections,
        }
    }

    /// Runs `work` on a pooled connection without a transaction: for reads
    /// that need no consistent snapshot across statements.
    pub fn read<T, E>(&self, work: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DbError>,
    {
        let mut conn = self.pool.get().map_err(DbError::from)?;
        work(&mut conn)
    }

    /// Runs `work` in one write transaction: committed when it returns `Ok`,
    /// rolled back when it returns `Err`. On SQLite the transaction is
    /// `BEGIN IMMEDIATE`, which takes the write lock up front; a deferred one
    /// could fail with SQLITE_BUSY halfway through when it tries to upgrade.
    pub fn write<T, E>(&self, work: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DbError>,
    {
        let mut conn = self.pool.get().map_err(DbError::from)?;
        in_write_transaction(&mut conn, work)
    }

    pub(crate) fn raw_connection(&self) -> Result<DbConnection, DbError> {
        self.url.establish()
    }
}

pub(crate) fn in_write_transaction<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError>,
{
    begin_write(conn).map_err(DbError::from)?;
    match work(conn) {
        Ok(value) => {
            if let Err(err) = DbConnection::commit_transaction(conn) {
                // A failed COMMIT leaves the transaction open; close it so the
                // pooled connection is clean for its next user.
                let _ = DbConnection::rollback_transaction(conn);
                return Err(DbError::from(err).into());
            }
            Ok(value)
        }
        Err(err) => {
            DbConnection::rollback_transaction(conn).map_err(DbError::from)?;
            Err(err)
        }
    }
}

fn begin_write(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    // The derived MultiConnection transaction manager delegates to the inner
    // connection's AnsiTransactionManager, so beginning on the inner connection
    // is seen by nested `transaction()` calls and by the commit below.
    match conn {
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")
        }
        DbConnection::Postgres(inner) => AnsiTransactionManager::begin_transaction(inner),
    }
}

/// Runs `work` in a savepoint of the caller's write transaction: when it
/// returns `Err` only its own writes are undone and the transaction goes on
/// (on PostgreSQL a failed statement would otherwise doom the whole
/// transaction).
pub fn savepoint<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError>,
{
    enum Failed<E> {
        Work(E),
        Db(diesel::result::Error),
    }
    impl<E> From<diesel::result::Error> for Failed<E> {
        fn from(err: diesel::result::Error) -> Self {
            Failed::Db(err)
        }
    }
    match diesel::Connection::transaction::<T, Failed<E>, _>(conn, |c| {
        work(c).map_err(Failed::Work)
    }) {
        Ok(value) => Ok(value),
        Err(Failed::Work(err)) => Err(err),
        Err(Failed::Db(err)) => Err(DbError::from(err).into()),
    }
}
