//! Records whose knowledge area was derived under another version of the
//! knowledge-area rules, and the write that reclassifies one.

use diesel::prelude::*;
use kitap_domain::{RecordId, StaffId, Timestamp};

use crate::schema::records;
use crate::{DbConnection, DbError};

/// Ids of records classified under a version other than `version`, in id
/// order after `after`, at most `limit`.
pub fn other_version(
    conn: &mut DbConnection,
    version: &str,
    after: Option<RecordId>,
    limit: i64,
) -> Result<Vec<RecordId>, DbError> {
    let mut q = records::table
        .filter(records::area_rules_version.ne(version))
        .select(records::id)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(records::id.gt(after.to_string()));
    }
    q.order(records::id.asc())
        .limit(limit)
        .load::<String>(conn)?
        .into_iter()
        .map(|id| {
            id.parse()
                .map_err(|e| DbError::Corrupt(format!("record {id}: {e}")))
        })
        .collect()
}

/// How many records were classified under a version other than `version`.
pub fn count_other_version(conn: &mut DbConnection, version: &str) -> Result<i64, DbError> {
    Ok(records::table
        .filter(records::area_rules_version.ne(version))
        .count()
        .get_result(conn)?)
}

/// A record's knowledge area recomputed under the rules `rules_version`.
#[derive(Debug, Clone, Copy)]
pub struct Reclassified<'a> {
    pub id: RecordId,
    /// The record version the area was computed from.
    pub expected_version: i64,
    pub knowledge_area: Option<&'a str>,
    pub rules_version: &'a str,
    pub by: Option<StaffId>,
    pub at: Timestamp,
}

/// Stores a new knowledge area as a new version of the record (an edit,
/// for the search index and anyone holding the old version); `Ok(false)`
/// when the record changed since `expected_version` or is gone.
pub fn set_area(conn: &mut DbConnection, r: &Reclassified<'_>) -> Result<bool, DbError> {
    let changed = diesel::update(
        records::table
            .filter(records::id.eq(r.id.to_string()))
            .filter(records::version.eq(r.expected_version)),
    )
    .set((
        records::knowledge_area.eq(r.knowledge_area),
        records::area_rules_version.eq(r.rules_version),
        records::version.eq(records::version + 1),
        records::updated_by.eq(r.by.map(|s| s.to_string())),
        records::updated_at.eq(r.at.naive()),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Notes that the rules `rules_version` give the record the area it has:
/// nothing a reader of the record sees changes, so neither does its version.
pub fn confirm_area(
    conn: &mut DbConnection,
    id: RecordId,
    expected_version: i64,
    rules_version: &str,
) -> Result<bool, DbError> {
    let changed = diesel::update(
        records::table
            .filter(records::id.eq(id.to_string()))
            .filter(records::version.eq(expected_version)),
    )
    .set(records::area_rules_version.eq(rules_version))
    .execute(conn)?;
    Ok(changed == 1)
}
