//! Duplicate-detection keys of records (`record_match_keys`) and the blocks
//! that find candidates (`record_match_blocks`). The app computes the keys
//! (kitap-dedup) and hands them over serialized; this module only stores and
//! finds, batched like the records themselves so imports keep their speed.

use std::collections::HashMap;

use diesel::prelude::*;
use kitap_domain::RecordId;

use crate::schema::{record_match_blocks, record_match_keys, records};
use crate::{DbConnection, DbError};

/// One record's keys as stored: the serialized keys, their scalar parts as
/// columns and the block keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeysRow {
    pub record_id: RecordId,
    pub version: i32,
    /// The serialized `kitap_dedup::MatchKeys` (JSON).
    pub keys: String,
    pub columns: KeyColumns,
    pub blocks: Vec<String>,
}

/// The scalar keys, also kept as columns (reports, ad-hoc queries).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyColumns {
    pub title_key: Option<String>,
    pub author_key: Option<String>,
    pub publisher_key: Option<String>,
    pub year: Option<i32>,
    pub pages: Option<i32>,
    pub edition: Option<String>,
    pub volume: Option<String>,
    pub language: Option<String>,
    pub material: String,
}

/// Keys of a stored record as read back for scoring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKeys {
    pub record_id: RecordId,
    pub version: i32,
    pub keys: String,
}

#[derive(Insertable)]
#[diesel(table_name = record_match_keys)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    record_id: String,
    keys_version: i32,
    keys: String,
    title_key: Option<String>,
    author_key: Option<String>,
    publisher_key: Option<String>,
    year: Option<i32>,
    pages: Option<i32>,
    edition: Option<String>,
    volume: Option<String>,
    language: Option<String>,
    material: String,
}

#[derive(Insertable)]
#[diesel(table_name = record_match_blocks)]
#[diesel(treat_none_as_default_value = false)]
struct BlockRow {
    block: String,
    record_id: String,
}

/// PostgreSQL cannot index a key of more than ~2,700 bytes; a block that
/// long (a title of a page) is cut, which still lets equal titles meet.
const MAX_BLOCK_BYTES: usize = 240;

/// 12 columns x 400 rows stays far inside SQLite's parameter limit.
const ROWS_PER_STATEMENT: usize = 400;

/// Lists of ids or blocks bound in one `IN (...)`.
const IN_CHUNK: usize = 2000;

fn cut(block: &str) -> &str {
    if block.len() <= MAX_BLOCK_BYTES {
        return block;
    }
    let mut end = MAX_BLOCK_BYTES;
    while !block.is_char_boundary(end) {
        end -= 1;
    }
    &block[..end]
}

fn parse_id(raw: &str, table: &str) -> Result<RecordId, DbError> {
    raw.parse()
        .map_err(|e| DbError::Corrupt(format!("{table} {raw}: {e}")))
}

/// Stores the keys of records that have none yet (new records, in the
/// transaction that inserts them): plain inserts, COPY on PostgreSQL.
pub fn insert_many(conn: &mut DbConnection, batch: &[KeysRow]) -> Result<(), DbError> {
    if batch.is_empty() {
        return Ok(());
    }
    let rows: Vec<Row> = batch.iter().map(row).collect();
    let mut blocks: Vec<(String, String)> = batch
        .iter()
        .flat_map(|k| {
            let id = k.record_id.to_string();
            k.blocks
                .iter()
                .map(move |b| (cut(b).to_owned(), id.clone()))
        })
        .collect();
    // Two keys cut to the same prefix, or listed twice, are one row.
    blocks.sort();
    blocks.dedup();
    let blocks: Vec<BlockRow> = blocks
        .into_iter()
        .map(|(block, record_id)| BlockRow { block, record_id })
        .collect();
    match conn {
        DbConnection::Postgres(c) => {
            diesel::copy_from(record_match_keys::table)
                .from_insertable(&rows)
                .execute(c)?;
            diesel::copy_from(record_match_blocks::table)
                .from_insertable(&blocks)
                .execute(c)?;
        }
        DbConnection::Sqlite(c) => {
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                diesel::insert_into(record_match_keys::table)
                    .values(chunk)
                    .execute(c)?;
            }
            for chunk in blocks.chunks(ROWS_PER_STATEMENT * 5) {
                diesel::insert_into(record_match_blocks::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

/// Replaces the keys of records that may have some (updates, rekeying).
pub fn replace_many(conn: &mut DbConnection, batch: &[KeysRow]) -> Result<(), DbError> {
    let ids: Vec<String> = batch.iter().map(|k| k.record_id.to_string()).collect();
    delete_many(conn, &ids)?;
    insert_many(conn, batch)
}

fn delete_many(conn: &mut DbConnection, ids: &[String]) -> Result<(), DbError> {
    for chunk in ids.chunks(IN_CHUNK) {
        diesel::delete(
            record_match_blocks::table.filter(record_match_blocks::record_id.eq_any(chunk)),
        )
        .execute(conn)?;
        diesel::delete(record_match_keys::table.filter(record_match_keys::record_id.eq_any(chunk)))
            .execute(conn)?;
    }
    Ok(())
}

fn row(k: &KeysRow) -> Row {
    let c = &k.columns;
    Row {
        record_id: k.record_id.to_string(),
        keys_version: k.version,
        keys: k.keys.clone(),
        title_key: c.title_key.clone(),
        author_key: c.author_key.clone(),
        publisher_key: c.publisher_key.clone(),
        year: c.year,
        pages: c.pages,
        edition: c.edition.clone(),
        volume: c.volume.clone(),
        language: c.language.clone(),
        material: c.material.clone(),
    }
}

/// Records sharing a block with `blocks`, other than `except`, with their
/// stored keys: the check on save. A block holding more than `max_members`
/// other records is passed over (a title shared by hundreds of records
/// identifies nothing), which also bounds the work of one check.
pub fn candidates(
    conn: &mut DbConnection,
    blocks: &[String],
    except: Option<RecordId>,
    max_members: usize,
) -> Result<Vec<StoredKeys>, DbError> {
    let except = except.map(|id| id.to_string());
    let limit = i64::try_from(max_members).unwrap_or(i64::MAX - 1) + 1;
    let mut ids: Vec<String> = Vec::new();
    for block in blocks {
        let mut q = record_match_blocks::table
            .filter(record_match_blocks::block.eq(cut(block)))
            .select(record_match_blocks::record_id)
            .into_boxed();
        if let Some(except) = &except {
            q = q.filter(record_match_blocks::record_id.ne(except.clone()));
        }
        let members: Vec<String> = q.limit(limit).load(conn)?;
        if members.len() <= max_members {
            ids.extend(members);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    keys_by_raw_ids(conn, &ids)
}

/// For each of `blocks`, the records in it (a batch's candidates in one
/// query per chunk). Blocks with more than `max_members` records are left
/// out: a title shared by hundreds of records identifies nothing.
pub fn block_members(
    conn: &mut DbConnection,
    blocks: &[String],
    max_members: usize,
) -> Result<HashMap<String, Vec<RecordId>>, DbError> {
    let mut wanted: Vec<&str> = blocks.iter().map(|b| cut(b)).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut found: HashMap<String, Vec<RecordId>> = HashMap::new();
    for chunk in wanted.chunks(IN_CHUNK) {
        let rows: Vec<(String, String)> = record_match_blocks::table
            .filter(record_match_blocks::block.eq_any(chunk))
            .select((record_match_blocks::block, record_match_blocks::record_id))
            .load(conn)?;
        for (block, id) in rows {
            let id = parse_id(&id, "record_match_blocks")?;
            found.entry(block).or_default().push(id);
        }
    }
    found.retain(|_, members| members.len() <= max_members);
    // Callers look blocks up by their full text; give cut ones back under it.
    let mut by_given = HashMap::new();
    for block in blocks {
        if let Some(members) = found.get(cut(block)) {
            by_given.insert(block.clone(), members.clone());
        }
    }
    Ok(by_given)
}

/// The stored keys of these records (those that have keys).
pub fn keys_of(conn: &mut DbConnection, ids: &[RecordId]) -> Result<Vec<StoredKeys>, DbError> {
    let raw: Vec<String> = ids.iter().map(ToString::to_string).collect();
    keys_by_raw_ids(conn, &raw)
}

fn keys_by_raw_ids(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<StoredKeys>, DbError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        let rows: Vec<(String, i32, String)> = record_match_keys::table
            .filter(record_match_keys::record_id.eq_any(chunk))
            .select((
                record_match_keys::record_id,
                record_match_keys::keys_version,
                record_match_keys::keys,
            ))
            .load(conn)?;
        for (id, version, keys) in rows {
            out.push(StoredKeys {
                record_id: parse_id(&id, "record_match_keys")?,
                version,
                keys,
            });
        }
    }
    out.sort_by_key(|k| k.record_id);
    Ok(out)
}

/// A page of every record's keys in id order, after `after`: the scan reads
/// the catalog with this, page by page, so no statement holds it all.
pub fn page(
    conn: &mut DbConnection,
    after: Option<RecordId>,
    limit: i64,
) -> Result<Vec<StoredKeys>, DbError> {
    let mut q = record_match_keys::table
        .select((
            record_match_keys::record_id,
            record_match_keys::keys_version,
            record_match_keys::keys,
        ))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(record_match_keys::record_id.gt(after.to_string()));
    }
    let rows: Vec<(String, i32, String)> = q
        .order(record_match_keys::record_id.asc())
        .limit(limit)
        .load(conn)?;
    rows.into_iter()
        .map(|(id, version, keys)| {
            Ok(StoredKeys {
                record_id: parse_id(&id, "record_match_keys")?,
                version,
                keys,
            })
        })
        .collect()
}

/// Records after `after` (id order) whose keys are missing or older than
/// `version`: what a rekey recomputes.
pub fn stale(
    conn: &mut DbConnection,
    version: i32,
    after: Option<RecordId>,
    limit: i64,
) -> Result<Vec<RecordId>, DbError> {
    let mut q = records::table
        .left_join(record_match_keys::table)
        .filter(
            record_match_keys::record_id
                .is_null()
                .or(record_match_keys::keys_version.lt(version)),
        )
        .select(records::id)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(records::id.gt(after.to_string()));
    }
    let ids: Vec<String> = q.order(records::id.asc()).limit(limit).load(conn)?;
    ids.iter().map(|id| parse_id(id, "records")).collect()
}

/// How many records have keys of `version` or newer, and how many records
/// there are: "is the index complete".
pub fn coverage(conn: &mut DbConnection, version: i32) -> Result<(i64, i64), DbError> {
    let current: i64 = record_match_keys::table
        .filter(record_match_keys::keys_version.ge(version))
        .count()
        .get_result(conn)?;
    let all: i64 = records::table.count().get_result(conn)?;
    Ok((current, all))
}
