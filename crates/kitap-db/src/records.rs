//! Bibliographic records: the canonical MARC bytes plus columns derived from
//! them. The app layer derives those columns (it knows MARC); this module only
//! stores and finds.

use diesel::prelude::*;
use kitap_domain::{ImportId, RecordId, RecordStatus, StaffId, Timestamp};

use crate::schema::{copies, record_keys, records};
use crate::{DbConnection, DbError};

/// A stored record. `marc` is UTF-8 ISO 2709; every other field except the
/// bookkeeping ones is derived from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub id: RecordId,
    pub version: i64,
    pub status: RecordStatus,
    pub marc: Vec<u8>,
    pub original: Option<Vec<u8>>,
    pub source_encoding: String,
    pub derived: Derived,
    pub import_id: Option<ImportId>,
    pub created_by: Option<StaffId>,
    pub updated_by: Option<StaffId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The columns computed from the MARC on every write.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Derived {
    pub dialect: String,
    pub record_type: String,
    pub title: String,
    pub sort_title: String,
    pub main_author: Option<String>,
    pub year: Option<i32>,
    pub language: Option<String>,
    pub kazakh: bool,
    pub bbk: Option<String>,
    pub udc: Option<String>,
    pub knowledge_area: Option<String>,
    /// The version of the knowledge-area rules that derived `knowledge_area`.
    pub area_rules_version: String,
    pub warnings: i32,
}

/// An identifier a record answers to (see the `record_keys` table).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordKey {
    pub kind: &'static str,
    pub value: String,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = records)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    version: i64,
    status: String,
    dialect: String,
    record_type: String,
    marc: Vec<u8>,
    original: Option<Vec<u8>>,
    source_encoding: String,
    title: String,
    sort_title: String,
    main_author: Option<String>,
    year: Option<i32>,
    language: Option<String>,
    kazakh: bool,
    bbk: Option<String>,
    udc: Option<String>,
    knowledge_area: Option<String>,
    warnings: i32,
    import_id: Option<String>,
    created_by: Option<String>,
    updated_by: Option<String>,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
    area_rules_version: String,
}

#[derive(Insertable)]
#[diesel(table_name = record_keys)]
#[diesel(treat_none_as_default_value = false)]
struct KeyRow {
    kind: String,
    value: String,
    record_id: String,
}

fn opt_parse<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: Option<&str>,
) -> Result<Option<T>, kitap_domain::ValueError> {
    raw.map(str::parse).transpose()
}

impl TryFrom<Row> for StoredRecord {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("record {}: {err}", row.id));
        Ok(StoredRecord {
            id: row.id.parse().map_err(corrupt)?,
            version: row.version,
            status: row.status.parse().map_err(corrupt)?,
            import_id: opt_parse(row.import_id.as_deref()).map_err(corrupt)?,
            created_by: opt_parse(row.created_by.as_deref()).map_err(corrupt)?,
            updated_by: opt_parse(row.updated_by.as_deref()).map_err(corrupt)?,
            marc: row.marc,
            original: row.original,
            source_encoding: row.source_encoding,
            derived: Derived {
                dialect: row.dialect,
                record_type: row.record_type,
                title: row.title,
                sort_title: row.sort_title,
                main_author: row.main_author,
                year: row.year,
                language: row.language,
                kazakh: row.kazakh,
                bbk: row.bbk,
                udc: row.udc,
                knowledge_area: row.knowledge_area,
                area_rules_version: row.area_rules_version,
                warnings: row.warnings,
            },
            created_at: Timestamp::from_naive(row.created_at),
            updated_at: Timestamp::from_naive(row.updated_at),
        })
    }
}

impl From<&StoredRecord> for Row {
    fn from(r: &StoredRecord) -> Self {
        let d = &r.derived;
        Row {
            id: r.id.to_string(),
            version: r.version,
            status: r.status.as_str().to_owned(),
            dialect: d.dialect.clone(),
            record_type: d.record_type.clone(),
            marc: r.marc.clone(),
            original: r.original.clone(),
            source_encoding: r.source_encoding.clone(),
            title: d.title.clone(),
            sort_title: d.sort_title.clone(),
            main_author: d.main_author.clone(),
            year: d.year,
            language: d.language.clone(),
            kazakh: d.kazakh,
            bbk: d.bbk.clone(),
            udc: d.udc.clone(),
            knowledge_area: d.knowledge_area.clone(),
            warnings: d.warnings,
            import_id: r.import_id.map(|id| id.to_string()),
            created_by: r.created_by.map(|id| id.to_string()),
            updated_by: r.updated_by.map(|id| id.to_string()),
            created_at: r.created_at.naive(),
            updated_at: r.updated_at.naive(),
            area_rules_version: d.area_rules_version.clone(),
        }
    }
}

/// SQLite allows 32,766 bound parameters per statement; 24 columns x 400 rows
/// stays well inside it and is large enough that statement overhead vanishes.
const ROWS_PER_STATEMENT: usize = 400;

/// Inserts records and their keys; one multi-row statement per chunk.
pub fn insert_many(
    conn: &mut DbConnection,
    batch: &[(StoredRecord, Vec<RecordKey>)],
) -> Result<(), DbError> {
    let rows: Vec<Row> = batch.iter().map(|(r, _)| Row::from(r)).collect();
    match conn {
        // COPY in binary: one round trip and no statement to parse, several
        // times faster than multi-row INSERT for a batch of an import.
        DbConnection::Postgres(c) => {
            diesel::copy_from(records::table)
                .from_insertable(&rows)
                .execute(c)?;
        }
        DbConnection::Sqlite(c) => {
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                diesel::insert_into(records::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
    }
    let keys: Vec<(RecordId, &RecordKey)> = batch
        .iter()
        .flat_map(|(r, keys)| keys.iter().map(move |k| (r.id, k)))
        .collect();
    insert_keys(conn, &keys)
}

fn insert_keys(conn: &mut DbConnection, keys: &[(RecordId, &RecordKey)]) -> Result<(), DbError> {
    // Duplicates inside one record's key list (the same ISBN in 020 twice) are
    // dropped here rather than failing the primary key.
    let mut rows: Vec<(String, String, String)> = keys
        .iter()
        .map(|(id, k)| (k.kind.to_owned(), k.value.clone(), id.to_string()))
        .collect();
    rows.sort();
    rows.dedup();
    let rows: Vec<KeyRow> = rows
        .into_iter()
        .map(|(kind, value, record_id)| KeyRow {
            kind,
            value,
            record_id,
        })
        .collect();
    match conn {
        DbConnection::Postgres(c) => {
            diesel::copy_from(record_keys::table)
                .from_insertable(&rows)
                .execute(c)?;
        }
        DbConnection::Sqlite(c) => {
            for chunk in rows.chunks(ROWS_PER_STATEMENT * 5) {
                diesel::insert_into(record_keys::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: RecordId) -> Result<StoredRecord, DbError> {
    records::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

pub fn find_many(conn: &mut DbConnection, ids: &[RecordId]) -> Result<Vec<StoredRecord>, DbError> {
    let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
    records::table
        .filter(records::id.eq_any(keys))
        .order(records::id.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredRecord::try_from)
        .collect()
}

/// Writes a new version of a record if it is still at `expected_version`:
/// `Ok(false)` when someone else changed it first, `Err(NotFound)` when it is
/// gone. The keys are replaced with `keys`.
pub fn update(
    conn: &mut DbConnection,
    record: &StoredRecord,
    expected_version: i64,
    keys: &[RecordKey],
) -> Result<bool, DbError> {
    let row = Row::from(record);
    let changed = diesel::update(
        records::table
            .filter(records::id.eq(&row.id))
            .filter(records::version.eq(expected_version)),
    )
    .set((
        records::version.eq(row.version),
        records::status.eq(&row.status),
        records::dialect.eq(&row.dialect),
        records::record_type.eq(&row.record_type),
        records::marc.eq(&row.marc),
        records::original.eq(&row.original),
        records::source_encoding.eq(&row.source_encoding),
        records::title.eq(&row.title),
        records::sort_title.eq(&row.sort_title),
        records::main_author.eq(&row.main_author),
        records::year.eq(row.year),
        records::language.eq(&row.language),
        records::kazakh.eq(row.kazakh),
        records::bbk.eq(&row.bbk),
        records::udc.eq(&row.udc),
        records::knowledge_area.eq(&row.knowledge_area),
        records::area_rules_version.eq(&row.area_rules_version),
        records::warnings.eq(row.warnings),
        records::import_id.eq(&row.import_id),
        records::updated_by.eq(&row.updated_by),
        records::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    if changed == 0 {
        // Distinguish "gone" from "changed by someone else".
        find(conn, record.id)?;
        return Ok(false);
    }
    diesel::delete(record_keys::table.filter(record_keys::record_id.eq(&row.id))).execute(conn)?;
    let keys: Vec<(RecordId, &RecordKey)> = keys.iter().map(|k| (record.id, k)).collect();
    insert_keys(conn, &keys)?;
    Ok(true)
}

/// Sets the status and bumps the version (withdrawing a record with copies).
pub fn set_status(
    conn: &mut DbConnection,
    id: RecordId,
    status: RecordStatus,
    by: Option<StaffId>,
    at: Timestamp,
) -> Result<(), DbError> {
    let changed = diesel::update(records::table.find(id.to_string()))
        .set((
            records::status.eq(status.as_str()),
            records::version.eq(records::version + 1),
            records::updated_by.eq(by.map(|s| s.to_string())),
            records::updated_at.eq(at.naive()),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Deletes a record; the copies foreign key refuses it while copies exist.
pub fn delete(conn: &mut DbConnection, id: RecordId) -> Result<(), DbError> {
    let deleted = diesel::delete(records::table.find(id.to_string())).execute(conn)?;
    if deleted == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub fn count_copies(conn: &mut DbConnection, id: RecordId) -> Result<i64, DbError> {
    Ok(copies::table
        .filter(copies::record_id.eq(id.to_string()))
        .count()
        .get_result(conn)?)
}

/// Which of `values` (of one key kind) are already in the catalog, and where.
pub fn find_keys(
    conn: &mut DbConnection,
    kind: &str,
    values: &[String],
) -> Result<Vec<(String, RecordId)>, DbError> {
    let mut found = Vec::new();
    for chunk in values.chunks(ROWS_PER_STATEMENT * 5) {
        let rows: Vec<(String, String)> = record_keys::table
            .filter(record_keys::kind.eq(kind))
            .filter(record_keys::value.eq_any(chunk))
            .select((record_keys::value, record_keys::record_id))
            .load(conn)?;
        for (value, id) in rows {
            let id = id
                .parse()
                .map_err(|e| DbError::Corrupt(format!("record_keys {value}: {e}")))?;
            found.push((value, id));
        }
    }
    Ok(found)
}

pub fn keys_of(conn: &mut DbConnection, id: RecordId) -> Result<Vec<(String, String)>, DbError> {
    Ok(record_keys::table
        .filter(record_keys::record_id.eq(id.to_string()))
        .order((record_keys::kind.asc(), record_keys::value.asc()))
        .select((record_keys::kind, record_keys::value))
        .load(conn)?)
}

/// What to list; every filter is optional. Pages are in id (creation) order.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub status: Option<RecordStatus>,
    pub kazakh: Option<bool>,
    pub language: Option<String>,
    pub dialect: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    /// Only records with at least one copy in this library.
    pub branch_id: Option<String>,
    pub import_id: Option<ImportId>,
    pub ids: Option<Vec<RecordId>>,
    pub updated_since: Option<Timestamp>,
    /// Words that must all occur in the title (case-insensitive). A stand-in
    /// for "by query" until the search index answers such selections.
    pub title_words: Vec<String>,
    /// Seek cursor: records after this one.
    pub after: Option<RecordId>,
    pub limit: i64,
}

pub fn list(conn: &mut DbConnection, f: &RecordFilter) -> Result<Vec<StoredRecord>, DbError> {
    let mut q = records::table.select(Row::as_select()).into_boxed();
    if let Some(status) = f.status {
        q = q.filter(records::status.eq(status.as_str()));
    }
    if let Some(kazakh) = f.kazakh {
        q = q.filter(records::kazakh.eq(kazakh));
    }
    if let Some(language) = &f.language {
        q = q.filter(records::language.eq(language.clone()));
    }
    if let Some(dialect) = &f.dialect {
        q = q.filter(records::dialect.eq(dialect.clone()));
    }
    if let Some(from) = f.year_from {
        q = q.filter(records::year.ge(from));
    }
    if let Some(to) = f.year_to {
        q = q.filter(records::year.le(to));
    }
    if let Some(branch) = &f.branch_id {
        let held = copies::table
            .filter(copies::branch_id.eq(branch.clone()))
            .select(copies::record_id);
        q = q.filter(records::id.eq_any(held));
    }
    if let Some(import) = f.import_id {
        q = q.filter(records::import_id.eq(import.to_string()));
    }
    if let Some(ids) = &f.ids {
        let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
        q = q.filter(records::id.eq_any(keys));
    }
    if let Some(since) = f.updated_since {
        q = q.filter(records::updated_at.ge(since.naive()));
    }
    for word in &f.title_words {
        // sort_title is stored lower-cased (full Unicode), so a lower-cased
        // pattern matches on both backends whatever LIKE does with case.
        let escaped = word
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q = q.filter(
            records::sort_title
                .like(format!("%{escaped}%"))
                .escape('\\'),
        );
    }
    if let Some(after) = f.after {
        q = q.filter(records::id.gt(after.to_string()));
    }
    q.order(records::id.asc())
        .limit(f.limit)
        .load::<Row>(conn)?
        .into_iter()
        .map(StoredRecord::try_from)
        .collect()
}

pub fn count(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(records::table.count().get_result(conn)?)
}

/// What a report shows of a record, without its MARC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSummary {
    pub id: RecordId,
    pub title: String,
    pub main_author: Option<String>,
    pub year: Option<i32>,
}

/// Title, author and year of these records (those that exist), in id order.
pub fn summaries(conn: &mut DbConnection, ids: &[RecordId]) -> Result<Vec<RecordSummary>, DbError> {
    let raw: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in raw.chunks(ROWS_PER_STATEMENT * 5) {
        let rows: Vec<(String, String, Option<String>, Option<i32>)> = records::table
            .filter(records::id.eq_any(chunk))
            .select((
                records::id,
                records::title,
                records::main_author,
                records::year,
            ))
            .load(conn)?;
        for (id, title, main_author, year) in rows {
            out.push(RecordSummary {
                id: id
                    .parse()
                    .map_err(|e| DbError::Corrupt(format!("record {id}: {e}")))?,
                title,
                main_author,
                year,
            });
        }
    }
    out.sort_by_key(|r| r.id);
    Ok(out)
}
