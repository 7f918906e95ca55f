//! Operator-level database work: schema introspection and raw scripts. Used
//! by tests (schema checks, a fresh database per test); not by request handling.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::{Db, DbConnection, DbError};

/// One column as the database itself describes it.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct ColumnInfo {
    #[diesel(sql_type = Text)]
    pub table_name: String,
    #[diesel(sql_type = Text)]
    pub column_name: String,
    #[diesel(sql_type = Text)]
    pub data_type: String,
    #[diesel(sql_type = Bool)]
    pub not_null: bool,
}

const SQLITE_COLUMNS: &str = "
    SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type,
           (p.\"notnull\" = 1 OR p.pk > 0) AS not_null
    FROM sqlite_master m JOIN pragma_table_info(m.name) p
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
      AND m.name <> '__diesel_schema_migrations'
    ORDER BY 1, 2";

const POSTGRES_COLUMNS: &str = "
    SELECT table_name::text AS table_name, column_name::text AS column_name,
           data_type::text AS data_type, (is_nullable = 'NO') AS not_null
    FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations'
    ORDER BY 1, 2";

impl Db {
    /// Every column of every Kitap table, sorted by table and column.
    pub fn introspect_columns(&self) -> Result<Vec<ColumnInfo>, DbError> {
        self.read(|conn| {
            let sql = match conn {
                DbConnection::Postgres(_) => POSTGRES_COLUMNS,
                DbConnection::Sqlite(_) => SQLITE_COLUMNS,
            };
            Ok(diesel::sql_query(sql).load::<ColumnInfo>(conn)?)
        })
    }

    /// Runs SQL statements as they are (no parameters, no results).
    pub fn execute_script(&self, sql: &str) -> Result<(), DbError> {
        self.read(|conn| Ok(conn.batch_execute(sql)?))
    }
}
