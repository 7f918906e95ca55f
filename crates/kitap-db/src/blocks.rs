//! Blocks on readers. At most one automatic overdue block is active at a
//! time (`reader_blocks_one_overdue`).

use diesel::prelude::*;
use kitap_domain::{BlockId, BlockKind, ReaderId, StaffId, Timestamp};

use crate::schema::reader_blocks;
use crate::{DbConnection, DbError};

/// A second active overdue block fails with
/// `DbError::UniqueViolation(ONE_OVERDUE_INDEX)` on both backends.
pub const ONE_OVERDUE_INDEX: &str = "reader_blocks_one_overdue";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlock {
    pub id: BlockId,
    pub reader_id: ReaderId,
    pub kind: BlockKind,
    pub reason: String,
    pub created_at: Timestamp,
    /// `None` for automatic blocks.
    pub created_by: Option<StaffId>,
    pub lifted_at: Option<Timestamp>,
    pub lifted_by: Option<StaffId>,
    pub lift_reason: Option<String>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = reader_blocks)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    reader_id: String,
    kind: String,
    reason: String,
    created_at: chrono::NaiveDateTime,
    created_by: Option<String>,
    lifted_at: Option<chrono::NaiveDateTime>,
    lifted_by: Option<String>,
    lift_reason: Option<String>,
}

fn opt<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: Option<&str>,
) -> Result<Option<T>, kitap_domain::ValueError> {
    raw.map(str::parse).transpose()
}

impl TryFrom<Row> for StoredBlock {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("block {}: {err}", row.id));
        Ok(StoredBlock {
            id: row.id.parse().map_err(corrupt)?,
            reader_id: row.reader_id.parse().map_err(corrupt)?,
            kind: row.kind.parse().map_err(corrupt)?,
            created_by: opt(row.created_by.as_deref()).map_err(corrupt)?,
            lifted_by: opt(row.lifted_by.as_deref()).map_err(corrupt)?,
            reason: row.reason,
            created_at: Timestamp::from_naive(row.created_at),
            lifted_at: row.lifted_at.map(Timestamp::from_naive),
            lift_reason: row.lift_reason,
        })
    }
}

/// Active blocks of a reader, oldest first.
pub fn active(conn: &mut DbConnection, reader: ReaderId) -> Result<Vec<StoredBlock>, DbError> {
    reader_blocks::table
        .filter(reader_blocks::reader_id.eq(reader.to_string()))
        .filter(reader_blocks::lifted_at.is_null())
        .order(reader_blocks::id.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredBlock::try_from)
        .collect()
}

pub fn insert(conn: &mut DbConnection, block: &StoredBlock) -> Result<(), DbError> {
    let row = Row {
        id: block.id.to_string(),
        reader_id: block.reader_id.to_string(),
        kind: block.kind.as_str().to_owned(),
        reason: block.reason.clone(),
        created_at: block.created_at.naive(),
        created_by: block.created_by.map(|id| id.to_string()),
        lifted_at: block.lifted_at.map(Timestamp::naive),
        lifted_by: block.lifted_by.map(|id| id.to_string()),
        lift_reason: block.lift_reason.clone(),
    };
    match diesel::insert_into(reader_blocks::table)
        .values(row)
        .execute(conn)
    {
        Ok(_) => Ok(()),
        Err(err) => Err(match DbError::from(err) {
            DbError::UniqueViolation(detail)
                if detail.contains(ONE_OVERDUE_INDEX)
                    || detail.ends_with("reader_blocks.reader_id, reader_blocks.kind") =>
            {
                DbError::UniqueViolation(ONE_OVERDUE_INDEX.to_owned())
            }
            other => other,
        }),
    }
}

/// Lifts an active block: `Ok(false)` when it was already lifted.
pub fn lift(
    conn: &mut DbConnection,
    id: BlockId,
    at: Timestamp,
    by: Option<StaffId>,
    reason: Option<&str>,
) -> Result<bool, DbError> {
    let changed = diesel::update(
        reader_blocks::table
            .filter(reader_blocks::id.eq(id.to_string()))
            .filter(reader_blocks::lifted_at.is_null()),
    )
    .set((
        reader_blocks::lifted_at.eq(Some(at.naive())),
        reader_blocks::lifted_by.eq(by.map(|s| s.to_string())),
        reader_blocks::lift_reason.eq(reason),
    ))
    .execute(conn)?;
    if changed == 0 {
        let exists: i64 = reader_blocks::table
            .filter(reader_blocks::id.eq(id.to_string()))
            .count()
            .get_result(conn)?;
        if exists == 0 {
            return Err(DbError::NotFound);
        }
        return Ok(false);
    }
    Ok(true)
}

/// Every active block of one kind, oldest first.
pub fn active_of_kind(
    conn: &mut DbConnection,
    kind: kitap_domain::BlockKind,
) -> Result<Vec<StoredBlock>, DbError> {
    reader_blocks::table
        .filter(reader_blocks::kind.eq(kind.as_str()))
        .filter(reader_blocks::lifted_at.is_null())
        .order(reader_blocks::id.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredBlock::try_from)
        .collect()
}
