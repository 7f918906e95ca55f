//! What the search index reads: records with their MARC, the copies that
//! give availability and the libraries facet, and the outbox position.

use diesel::dsl::max;
use diesel::prelude::*;

use kitap_domain::{CopyStatus, RecordStatus};

use crate::schema::{branches, copies, outbox, records};
use crate::{DbConnection, DbError};

/// Ids per `IN (...)` list, well inside SQLite's bound-parameter limit.
const IDS_PER_STATEMENT: usize = 500;

/// A record as the indexer needs it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct FeedRecord {
    pub id: String,
    pub version: i64,
    #[diesel(deserialize_as = String)]
    pub status: RecordStatus,
    pub record_type: String,
    pub knowledge_area: Option<String>,
    pub marc: Vec<u8>,
}

/// A copy as search sees it: where it is, what it is, whether it can go out.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct FeedCopy {
    pub record_id: String,
    pub branch_code: String,
    #[diesel(deserialize_as = String)]
    pub status: CopyStatus,
    pub material_type: String,
    pub inventory_number: String,
    pub barcode: String,
    pub location: Option<String>,
    pub shelf: Option<String>,
}

type RecordCols = (
    records::id,
    records::version,
    records::status,
    records::record_type,
    records::knowledge_area,
    records::marc,
);

const RECORD_COLS: RecordCols = (
    records::id,
    records::version,
    records::status,
    records::record_type,
    records::knowledge_area,
    records::marc,
);

/// The records with these ids (missing ones are simply absent), in id order.
pub fn records_by_ids(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<FeedRecord>, DbError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let rows: Vec<FeedRecord> = records::table
            .filter(records::id.eq_any(chunk))
            .order(records::id.asc())
            .select(RECORD_COLS)
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

/// One page of all records in id order, after `after` (seek), for rebuilds.
pub fn records_page(
    conn: &mut DbConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<FeedRecord>, DbError> {
    let mut q = records::table
        .order(records::id.asc())
        .limit(limit)
        .select(RECORD_COLS)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(records::id.gt(after.to_string()));
    }
    Ok(q.load(conn)?)
}

/// The copies of these records, with their library's code, by record id.
pub fn copies_of(conn: &mut DbConnection, record_ids: &[String]) -> Result<Vec<FeedCopy>, DbError> {
    let mut out = Vec::new();
    for chunk in record_ids.chunks(IDS_PER_STATEMENT) {
        let rows: Vec<FeedCopy> = copies::table
            .inner_join(branches::table)
            .filter(copies::record_id.eq_any(chunk))
            .order((
                copies::record_id.asc(),
                branches::code.asc(),
                copies::inventory_number.asc(),
            ))
            .select((
                copies::record_id,
                branches::code,
                copies::status,
                copies::material_type,
                copies::inventory_number,
                copies::barcode,
                copies::location,
                copies::shelf,
            ))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

/// The records the copies belong to (distinct).
pub fn records_of_copies(
    conn: &mut DbConnection,
    copy_ids: &[String],
) -> Result<Vec<String>, DbError> {
    let mut out = Vec::new();
    for chunk in copy_ids.chunks(IDS_PER_STATEMENT) {
        let rows: Vec<String> = copies::table
            .filter(copies::id.eq_any(chunk))
            .select(copies::record_id)
            .distinct()
            .load(conn)?;
        out.extend(rows);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The highest outbox id (0 when empty).
pub fn last_outbox_id(conn: &mut DbConnection) -> Result<i64, DbError> {
    let id: Option<i64> = outbox::table.select(max(outbox::id)).first(conn)?;
    Ok(id.unwrap_or(0))
}

/// Copies of a record shown to the public: library, shelf mark and state.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct PublicCopy {
    pub record_id: String,
    pub branch_code: String,
    pub branch_name_kk: String,
    pub branch_name_ru: String,
    #[diesel(deserialize_as = String)]
    pub status: CopyStatus,
    pub material_type: String,
    pub location: Option<String>,
    pub shelf: Option<String>,
}

/// The non-withdrawn copies of these records with their library names, for
/// availability (the same query answers a results page and a record page).
pub fn public_copies(
    conn: &mut DbConnection,
    record_ids: &[String],
) -> Result<Vec<PublicCopy>, DbError> {
    let mut out = Vec::new();
    for chunk in record_ids.chunks(IDS_PER_STATEMENT) {
        let rows: Vec<PublicCopy> = copies::table
            .inner_join(branches::table)
            .filter(copies::record_id.eq_any(chunk))
            .filter(copies::status.ne(CopyStatus::Withdrawn.as_str()))
            .order((branches::code.asc(), copies::inventory_number.asc()))
            .select((
                copies::record_id,
                branches::code,
                branches::name_kk,
                branches::name_ru,
                copies::status,
                copies::material_type,
                copies::location,
                copies::shelf,
            ))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}
