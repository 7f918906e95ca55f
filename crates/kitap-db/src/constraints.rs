//! Indexes, primary keys, foreign keys and CHECK constraints as each backend
//! describes them, in one comparable form: the schema test requires the two
//! migration trees to produce the same set, so an invariant written in one
//! tree only (a UNIQUE, an ON DELETE, a CHECK) is caught.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use crate::{Db, DbConnection, DbError};

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    tbl: String,
    #[diesel(sql_type = Text)]
    cols: String,
    #[diesel(sql_type = Bool)]
    uniq: bool,
    #[diesel(sql_type = Bool)]
    partial: bool,
    #[diesel(sql_type = Bool)]
    pk: bool,
}

#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Text)]
    tbl: String,
    #[diesel(sql_type = Text)]
    cols: String,
    #[diesel(sql_type = Text)]
    ref_tbl: String,
    #[diesel(sql_type = Text)]
    ref_cols: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

#[derive(QueryableByName)]
struct CheckRow {
    #[diesel(sql_type = Text)]
    tbl: String,
    #[diesel(sql_type = BigInt)]
    checks: i64,
}

#[derive(QueryableByName)]
struct SqlRow {
    #[diesel(sql_type = Text)]
    tbl: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

/// An expression column of an index (attnum 0 here, no name in SQLite) is
/// spelled `(expr)` on both backends.
const PG_COLS: &str = "array_to_string(ARRAY(SELECT COALESCE(a.attname::text, '(expr)') \
     FROM unnest(KEYS) WITH ORDINALITY k(attnum, n) \
     LEFT JOIN pg_attribute a ON a.attrelid = REL AND a.attnum = k.attnum \
     ORDER BY k.n), ',')";

fn pg_cols(keys: &str, rel: &str) -> String {
    PG_COLS.replace("KEYS", keys).replace("REL", rel)
}

fn pg_indexes() -> String {
    format!(
        "SELECT t.relname::text AS tbl, {} AS cols, ix.indisunique AS uniq,
                (ix.indpred IS NOT NULL) AS partial, ix.indisprimary AS pk
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_namespace ns ON ns.oid = t.relnamespace
         WHERE ns.nspname = current_schema() AND t.relname <> '__diesel_schema_migrations'",
        pg_cols("ix.indkey", "t.oid")
    )
}

fn pg_foreign_keys() -> String {
    format!(
        "SELECT t.relname::text AS tbl, {} AS cols, r.relname::text AS ref_tbl, {} AS ref_cols,
                CASE c.confdeltype WHEN 'r' THEN 'restrict' WHEN 'c' THEN 'cascade'
                     WHEN 'n' THEN 'set null' WHEN 'd' THEN 'set default' ELSE 'no action' END
                AS on_delete
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
         JOIN pg_class r ON r.oid = c.confrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace
         WHERE c.contype = 'f' AND ns.nspname = current_schema()",
        pg_cols("c.conkey", "c.conrelid"),
        pg_cols("c.confkey", "c.confrelid")
    )
}

const PG_CHECKS: &str = "
    SELECT t.relname::text AS tbl, count(*) AS checks
    FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
    JOIN pg_namespace ns ON ns.oid = t.relnamespace
    WHERE c.contype = 'c' AND ns.nspname = current_schema()
    GROUP BY t.relname";

const SQLITE_TABLES: &str = "m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
      AND m.name <> '__diesel_schema_migrations'";

fn sqlite_indexes() -> String {
    // A rowid primary key (INTEGER PRIMARY KEY) has no index entry: the
    // primary key is read from the columns instead, for every table.
    format!(
        "SELECT m.name AS tbl,
                (SELECT group_concat(name, ',') FROM
                   (SELECT COALESCE(name, '(expr)') AS name FROM pragma_index_info(il.name)
                    ORDER BY seqno)) AS cols,
                il.\"unique\" = 1 AS uniq, il.partial = 1 AS partial, 0 = 1 AS pk
         FROM sqlite_master m JOIN pragma_index_list(m.name) il
         WHERE {SQLITE_TABLES} AND il.origin <> 'pk'
         UNION ALL
         SELECT m.name AS tbl,
                (SELECT group_concat(name, ',') FROM
                   (SELECT name FROM pragma_table_info(m.name) WHERE pk > 0 ORDER BY pk)) AS cols,
                1 = 1 AS uniq, 0 = 1 AS partial, 1 = 1 AS pk
         FROM sqlite_master m
         WHERE {SQLITE_TABLES} AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE pk > 0)"
    )
}

fn sqlite_foreign_keys() -> String {
    format!(
        "SELECT m.name AS tbl, group_concat(f.\"from\", ',') AS cols, f.\"table\" AS ref_tbl,
                group_concat(f.\"to\", ',') AS ref_cols, lower(f.on_delete) AS on_delete
         FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
         WHERE {SQLITE_TABLES}
         GROUP BY m.name, f.id"
    )
}

/// CHECK constraints are not introspectable in SQLite: they are counted in
/// the table's stored CREATE statement (comments removed first).
fn sqlite_check_count(sql: &str) -> i64 {
    let code: String = sql
        .lines()
        .map(|line| line.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase();
    let words: Vec<&str> = code
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .collect();
    words.iter().filter(|w| **w == "CHECK").count() as i64
}

impl Db {
    /// One sorted line per index, primary key, foreign key and per table's
    /// CHECK count, the same words on both backends.
    pub fn introspect_constraints(&self) -> Result<Vec<String>, DbError> {
        self.read(|conn| {
            let (indexes, keys, checks) = match conn {
                DbConnection::Postgres(_) => {
                    let indexes = diesel::sql_query(pg_indexes()).load::<IndexRow>(conn)?;
                    let keys = diesel::sql_query(pg_foreign_keys()).load::<ForeignKeyRow>(conn)?;
                    let checks = diesel::sql_query(PG_CHECKS).load::<CheckRow>(conn)?;
                    (indexes, keys, checks)
                }
                DbConnection::Sqlite(_) => {
                    let indexes = diesel::sql_query(sqlite_indexes()).load::<IndexRow>(conn)?;
                    let keys =
                        diesel::sql_query(sqlite_foreign_keys()).load::<ForeignKeyRow>(conn)?;
                    let tables = diesel::sql_query(format!(
                        "SELECT m.name AS tbl, m.sql AS sql FROM sqlite_master m WHERE {SQLITE_TABLES}"
                    ))
                    .load::<SqlRow>(conn)?;
                    let checks = tables
                        .into_iter()
                        .map(|t| CheckRow {
                            checks: sqlite_check_count(&t.sql),
                            tbl: t.tbl,
                        })
                        .filter(|c| c.checks > 0)
                        .collect();
                    (indexes, keys, checks)
                }
            };
            let mut lines: Vec<String> = indexes
                .into_iter()
                .map(|i| {
                    let kind = match (i.pk, i.uniq) {
                        (true, _) => "primary key",
                        (false, true) => "unique index",
                        (false, false) => "index",
                    };
                    let partial = if i.partial { " where ..." } else { "" };
                    format!("{kind} {}({}){partial}", i.tbl, i.cols)
                })
                .chain(keys.into_iter().map(|k| {
                    format!(
                        "foreign key {}({}) -> {}({}) on delete {}",
                        k.tbl, k.cols, k.ref_tbl, k.ref_cols, k.on_delete
                    )
                }))
                .chain(
                    checks
                        .into_iter()
                        .map(|c| format!("check constraints on {}: {}", c.tbl, c.checks)),
                )
                .collect();
            lines.sort();
            Ok(lines)
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn checks_are_counted_outside_comments() {
        let sql = "CREATE TABLE t (\n  a TEXT CHECK (a <> ''), -- check (not this)\n  b INT CHECK(b > 0)\n)";
        assert_eq!(super::sqlite_check_count(sql), 2);
    }
}
