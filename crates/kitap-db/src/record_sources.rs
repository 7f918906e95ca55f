//! Source versions kept beside a record: the MARC of a record merged into it,
//! or an import's incoming record whose copies were attached to it. The bytes
//! are kept exactly as they came; nothing is derived from them.

use diesel::prelude::*;
use kitap_domain::{MergeId, RecordId, RecordSourceId, StaffId, Timestamp};

use crate::schema::record_sources;
use crate::{DbConnection, DbError};

/// Why a source version is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// The MARC of a record merged into this one (has a merge id).
    Merged,
    /// An import's incoming record whose copies were attached to this one.
    Import,
    /// MARC attached to the record by hand.
    Attach,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Merged => "merged",
            SourceKind::Import => "import",
            SourceKind::Attach => "attach",
        }
    }

    fn parse(raw: &str) -> Result<Self, DbError> {
        match raw {
            "merged" => Ok(SourceKind::Merged),
            "import" => Ok(SourceKind::Import),
            "attach" => Ok(SourceKind::Attach),
            other => Err(DbError::Corrupt(format!("record source kind {other:?}"))),
        }
    }
}

/// One kept source version. `format` is `iso2709`, `marcxml` or `json`
/// (the schema refuses anything else).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSource {
    pub id: RecordSourceId,
    pub record_id: RecordId,
    pub kind: SourceKind,
    /// Where it came from, for people: "merge of <id>", "import <id> #12 (file.mrc)".
    pub origin: String,
    pub marc: Vec<u8>,
    pub format: String,
    pub created_at: Timestamp,
    pub created_by: Option<StaffId>,
    /// Set exactly when `kind` is `Merged`.
    pub merge_id: Option<MergeId>,
}

impl RecordSource {
    /// A new source version of `record_id` kept now, without a merge (imports
    /// and attachments): build it and pass it to [`insert`].
    pub fn new(
        record_id: RecordId,
        kind: SourceKind,
        origin: impl Into<String>,
        marc: Vec<u8>,
        format: &str,
        created_by: Option<StaffId>,
    ) -> RecordSource {
        RecordSource {
            id: RecordSourceId::new(),
            record_id,
            kind,
            origin: origin.into(),
            marc,
            format: format.to_owned(),
            created_at: Timestamp::now(),
            created_by,
            merge_id: None,
        }
    }
}

/// A source version without its bytes, for lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSummary {
    pub id: RecordSourceId,
    pub record_id: RecordId,
    pub kind: SourceKind,
    pub origin: String,
    pub format: String,
    pub created_at: Timestamp,
    pub created_by: Option<StaffId>,
    pub merge_id: Option<MergeId>,
    /// Bytes of MARC.
    pub size: i64,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = record_sources)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    record_id: String,
    kind: String,
    origin: String,
    marc: Vec<u8>,
    format: String,
    created_at: chrono::NaiveDateTime,
    created_by: Option<String>,
    merge_id: Option<String>,
}

diesel::define_sql_function! {
    /// Bytes in a BLOB/BYTEA on both backends.
    fn length(x: diesel::sql_types::Binary) -> diesel::sql_types::Integer;
}

fn corrupt(id: &str) -> impl Fn(kitap_domain::ValueError) -> DbError + '_ {
    move |err| DbError::Corrupt(format!("record source {id}: {err}"))
}

fn opt<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: Option<&str>,
    id: &str,
) -> Result<Option<T>, DbError> {
    raw.map(str::parse).transpose().map_err(corrupt(id))
}

impl TryFrom<Row> for RecordSource {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        Ok(RecordSource {
            id: row.id.parse().map_err(corrupt(&row.id))?,
            record_id: row.record_id.parse().map_err(corrupt(&row.id))?,
            kind: SourceKind::parse(&row.kind)?,
            created_by: opt(row.created_by.as_deref(), &row.id)?,
            merge_id: opt(row.merge_id.as_deref(), &row.id)?,
            origin: row.origin,
            marc: row.marc,
            format: row.format,
            created_at: Timestamp::from_naive(row.created_at),
        })
    }
}

/// Keeps a source version (in the caller's transaction).
pub fn insert(conn: &mut DbConnection, source: &RecordSource) -> Result<(), DbError> {
    let row = Row {
        id: source.id.to_string(),
        record_id: source.record_id.to_string(),
        kind: source.kind.as_str().to_owned(),
        origin: source.origin.clone(),
        marc: source.marc.clone(),
        format: source.format.clone(),
        created_at: source.created_at.naive(),
        created_by: source.created_by.map(|s| s.to_string()),
        merge_id: source.merge_id.map(|m| m.to_string()),
    };
    diesel::insert_into(record_sources::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

type SummaryRow = (
    String,
    String,
    String,
    String,
    String,
    chrono::NaiveDateTime,
    Option<String>,
    Option<String>,
    i32,
);

/// The record's source versions, oldest first, without their bytes.
pub fn list(conn: &mut DbConnection, record: RecordId) -> Result<Vec<SourceSummary>, DbError> {
    let rows: Vec<SummaryRow> = record_sources::table
        .filter(record_sources::record_id.eq(record.to_string()))
        .order((record_sources::created_at.asc(), record_sources::id.asc()))
        .select((
            record_sources::id,
            record_sources::record_id,
            record_sources::kind,
            record_sources::origin,
            record_sources::format,
            record_sources::created_at,
            record_sources::created_by,
            record_sources::merge_id,
            length(record_sources::marc),
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(id, record_id, kind, origin, format, at, by, merge, size)| {
                Ok(SourceSummary {
                    record_id: record_id.parse().map_err(corrupt(&id))?,
                    kind: SourceKind::parse(&kind)?,
                    created_by: opt(by.as_deref(), &id)?,
                    merge_id: opt(merge.as_deref(), &id)?,
                    id: id.parse().map_err(corrupt(&id))?,
                    origin,
                    format,
                    created_at: Timestamp::from_naive(at),
                    size: i64::from(size),
                })
            },
        )
        .collect()
}

/// One source version of `record`; `NotFound` when it is not this record's.
pub fn get(
    conn: &mut DbConnection,
    record: RecordId,
    id: RecordSourceId,
) -> Result<RecordSource, DbError> {
    record_sources::table
        .filter(record_sources::id.eq(id.to_string()))
        .filter(record_sources::record_id.eq(record.to_string()))
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

/// Gives every source version of `from` to `to`; returns the ids moved.
pub fn move_all(
    conn: &mut DbConnection,
    from: RecordId,
    to: RecordId,
) -> Result<Vec<RecordSourceId>, DbError> {
    let ids: Vec<String> = record_sources::table
        .filter(record_sources::record_id.eq(from.to_string()))
        .select(record_sources::id)
        .load(conn)?;
    diesel::update(record_sources::table.filter(record_sources::id.eq_any(&ids)))
        .set(record_sources::record_id.eq(to.to_string()))
        .execute(conn)?;
    ids.iter()
        .map(|id| id.parse().map_err(corrupt(id)))
        .collect()
}

/// Gives the source versions `ids` (those still present) to `to`.
pub fn move_to(
    conn: &mut DbConnection,
    ids: &[RecordSourceId],
    to: RecordId,
) -> Result<usize, DbError> {
    let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
    Ok(
        diesel::update(record_sources::table.filter(record_sources::id.eq_any(keys)))
            .set(record_sources::record_id.eq(to.to_string()))
            .execute(conn)?,
    )
}

/// Removes the source version a merge kept (its undo).
pub fn delete_of_merge(conn: &mut DbConnection, merge: MergeId) -> Result<usize, DbError> {
    Ok(
        diesel::delete(
            record_sources::table.filter(record_sources::merge_id.eq(merge.to_string())),
        )
        .execute(conn)?,
    )
}

/// The source version a merge kept.
pub fn of_merge(conn: &mut DbConnection, merge: MergeId) -> Result<RecordSource, DbError> {
    record_sources::table
        .filter(record_sources::merge_id.eq(merge.to_string()))
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}
