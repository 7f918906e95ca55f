//! Document number series (accession acts, write-off acts, generated barcodes).
//! The increment is one upsert ... RETURNING, so two desks never get the same
//! number, on either backend, and a first use needs no separate insert that
//! could fail (a failed statement aborts a PostgreSQL transaction).

use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::conn::per_backend;
use crate::schema::document_counters;
use crate::{DbConnection, DbError};

/// Reserves `count` consecutive numbers in `series` (which starts at 1) and
/// returns the first. Call it inside the transaction that uses the numbers,
/// so a rolled-back document gives them back.
pub fn reserve(conn: &mut DbConnection, series: &str, count: i32) -> Result<i32, DbError> {
    let count = count.max(1);
    let last: i32 = per_backend!(conn, |c| diesel::insert_into(document_counters::table)
        .values((
            document_counters::series.eq(series),
            document_counters::last_number.eq(count),
        ))
        .on_conflict(document_counters::series)
        .do_update()
        .set(
            document_counters::last_number
                .eq(document_counters::last_number + excluded(document_counters::last_number)),
        )
        .returning(document_counters::last_number)
        .get_result(c)?);
    Ok(last - count + 1)
}

/// The next number in `series`.
pub fn next(conn: &mut DbConnection, series: &str) -> Result<i32, DbError> {
    reserve(conn, series, 1)
}
