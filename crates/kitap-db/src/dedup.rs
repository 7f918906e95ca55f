//! Duplicate scans (background jobs, like imports) with the clusters they
//! found, and catalogers' decisions on pairs of records.

use diesel::prelude::*;
use kitap_domain::{DedupScanId, RecordId, StaffId, Timestamp};

use crate::conn::per_backend;
use crate::imports::JobError;
use crate::schema::{dedup_pair_decisions, dedup_scan_clusters, dedup_scans};
use crate::{DbConnection, DbError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl ScanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Queued => "queued",
            ScanStatus::Running => "running",
            ScanStatus::Done => "done",
            ScanStatus::Failed => "failed",
        }
    }

    fn parse(raw: &str) -> Option<ScanStatus> {
        match raw {
            "queued" => Some(ScanStatus::Queued),
            "running" => Some(ScanStatus::Running),
            "done" => Some(ScanStatus::Done),
            "failed" => Some(ScanStatus::Failed),
            _ => None,
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, ScanStatus::Done | ScanStatus::Failed)
    }
}

/// What a scan found, set when it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScanCounts {
    pub records: i64,
    pub clusters: i64,
    pub pairs: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    pub id: DedupScanId,
    pub status: ScanStatus,
    pub requested_by: Option<StaffId>,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub counts: ScanCounts,
    pub error: Option<JobError>,
}

/// One cluster of a finished scan; `cluster` is its report JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanCluster {
    pub seq: i32,
    pub size: i32,
    pub best_score: f64,
    pub cluster: String,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = dedup_scans)]
#[diesel(treat_none_as_default_value = false)]
struct ScanRow {
    id: String,
    status: String,
    requested_by: Option<String>,
    created_at: chrono::NaiveDateTime,
    started_at: Option<chrono::NaiveDateTime>,
    finished_at: Option<chrono::NaiveDateTime>,
    records_count: i64,
    clusters_count: i64,
    pairs_count: i64,
    error_code: Option<String>,
    error: Option<String>,
}

impl TryFrom<ScanRow> for Scan {
    type Error = DbError;

    fn try_from(row: ScanRow) -> Result<Self, DbError> {
        let corrupt = |what: String| DbError::Corrupt(format!("dedup scan {}: {what}", row.id));
        Ok(Scan {
            id: row.id.parse().map_err(|e| corrupt(format!("{e}")))?,
            status: ScanStatus::parse(&row.status)
                .ok_or_else(|| corrupt(format!("status {}", row.status)))?,
            requested_by: row
                .requested_by
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e| corrupt(format!("{e}")))?,
            created_at: Timestamp::from_naive(row.created_at),
            started_at: row.started_at.map(Timestamp::from_naive),
            finished_at: row.finished_at.map(Timestamp::from_naive),
            counts: ScanCounts {
                records: row.records_count,
                clusters: row.clusters_count,
                pairs: row.pairs_count,
            },
            error: row.error_code.map(|code| JobError {
                code,
                message: row.error.unwrap_or_default(),
            }),
        })
    }
}

pub fn insert_scan(conn: &mut DbConnection, scan: &Scan) -> Result<(), DbError> {
    let row = ScanRow {
        id: scan.id.to_string(),
        status: scan.status.as_str().to_owned(),
        requested_by: scan.requested_by.map(|s| s.to_string()),
        created_at: scan.created_at.naive(),
        started_at: scan.started_at.map(Timestamp::naive),
        finished_at: scan.finished_at.map(Timestamp::naive),
        records_count: scan.counts.records,
        clusters_count: scan.counts.clusters,
        pairs_count: scan.counts.pairs,
        error_code: scan.error.as_ref().map(|e| e.code.clone()),
        error: scan.error.as_ref().map(|e| e.message.clone()),
    };
    diesel::insert_into(dedup_scans::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_scan(conn: &mut DbConnection, id: DedupScanId) -> Result<Scan, DbError> {
    dedup_scans::table
        .find(id.to_string())
        .select(ScanRow::as_select())
        .first(conn)?
        .try_into()
}

/// Newest first; `before` is the seek cursor.
pub fn list_scans(
    conn: &mut DbConnection,
    before: Option<DedupScanId>,
    limit: i64,
) -> Result<Vec<Scan>, DbError> {
    let mut q = dedup_scans::table.select(ScanRow::as_select()).into_boxed();
    if let Some(before) = before {
        q = q.filter(dedup_scans::id.lt(before.to_string()));
    }
    q.order(dedup_scans::id.desc())
        .limit(limit)
        .load::<ScanRow>(conn)?
        .into_iter()
        .map(Scan::try_from)
        .collect()
}

/// Scans a worker should (re)start: queued ones and those a dead process
/// left running (a scan has no partial results worth keeping).
pub fn unfinished_scans(conn: &mut DbConnection) -> Result<Vec<Scan>, DbError> {
    dedup_scans::table
        .filter(
            dedup_scans::status.eq_any([ScanStatus::Queued.as_str(), ScanStatus::Running.as_str()]),
        )
        .order(dedup_scans::id.asc())
        .select(ScanRow::as_select())
        .load::<ScanRow>(conn)?
        .into_iter()
        .map(Scan::try_from)
        .collect()
}

/// Marks a scan running; clusters of an earlier, interrupted run go.
pub fn start_scan(conn: &mut DbConnection, id: DedupScanId, at: Timestamp) -> Result<(), DbError> {
    let key = id.to_string();
    diesel::delete(dedup_scan_clusters::table.filter(dedup_scan_clusters::scan_id.eq(&key)))
        .execute(conn)?;
    let changed = diesel::update(dedup_scans::table.find(&key))
        .set((
            dedup_scans::status.eq(ScanStatus::Running.as_str()),
            dedup_scans::started_at.eq(at.naive()),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Stores the clusters of a finished scan and marks it done, in the caller's
/// transaction.
pub fn finish_scan(
    conn: &mut DbConnection,
    id: DedupScanId,
    counts: ScanCounts,
    at: Timestamp,
) -> Result<(), DbError> {
    let changed = diesel::update(dedup_scans::table.find(id.to_string()))
        .set((
            dedup_scans::status.eq(ScanStatus::Done.as_str()),
            dedup_scans::finished_at.eq(at.naive()),
            dedup_scans::records_count.eq(counts.records),
            dedup_scans::clusters_count.eq(counts.clusters),
            dedup_scans::pairs_count.eq(counts.pairs),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub fn fail_scan(
    conn: &mut DbConnection,
    id: DedupScanId,
    error: &JobError,
    at: Timestamp,
) -> Result<(), DbError> {
    diesel::update(dedup_scans::table.find(id.to_string()))
        .set((
            dedup_scans::status.eq(ScanStatus::Failed.as_str()),
            dedup_scans::finished_at.eq(at.naive()),
            dedup_scans::error_code.eq(&error.code),
            dedup_scans::error.eq(&error.message),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn insert_clusters(
    conn: &mut DbConnection,
    id: DedupScanId,
    clusters: &[ScanCluster],
) -> Result<(), DbError> {
    let scan = id.to_string();
    for chunk in clusters.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|c| {
                (
                    dedup_scan_clusters::scan_id.eq(&scan),
                    dedup_scan_clusters::seq.eq(c.seq),
                    dedup_scan_clusters::size.eq(c.size),
                    dedup_scan_clusters::best_score.eq(c.best_score),
                    dedup_scan_clusters::cluster.eq(&c.cluster),
                )
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(dedup_scan_clusters::table)
            .values(&rows)
            .execute(c)?);
    }
    Ok(())
}

/// Clusters of a scan in report order, from `from_seq` on.
pub fn clusters(
    conn: &mut DbConnection,
    id: DedupScanId,
    from_seq: i32,
    limit: i64,
) -> Result<Vec<ScanCluster>, DbError> {
    let rows: Vec<(i32, i32, f64, String)> = dedup_scan_clusters::table
        .filter(dedup_scan_clusters::scan_id.eq(id.to_string()))
        .filter(dedup_scan_clusters::seq.ge(from_seq))
        .order(dedup_scan_clusters::seq.asc())
        .limit(limit)
        .select((
            dedup_scan_clusters::seq,
            dedup_scan_clusters::size,
            dedup_scan_clusters::best_score,
            dedup_scan_clusters::cluster,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(seq, size, best_score, cluster)| ScanCluster {
            seq,
            size,
            best_score,
            cluster,
        })
        .collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Confirmed,
    Rejected,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Confirmed => "confirmed",
            Decision::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<Decision> {
        match raw {
            "confirmed" => Some(Decision::Confirmed),
            "rejected" => Some(Decision::Rejected),
            _ => None,
        }
    }
}

/// A cataloger's verdict on a pair; `a < b` always.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairDecision {
    pub a: RecordId,
    pub b: RecordId,
    pub decision: Decision,
    pub decided_by: Option<StaffId>,
    pub decided_at: Timestamp,
    pub note: Option<String>,
}

type DecisionTuple = (
    String,
    String,
    String,
    Option<String>,
    chrono::NaiveDateTime,
    Option<String>,
);

fn decision_from(row: DecisionTuple) -> Result<PairDecision, DbError> {
    let (a, b, decision, by, at, note) = row;
    let corrupt = |what: String| DbError::Corrupt(format!("dedup pair {a}/{b}: {what}"));
    Ok(PairDecision {
        a: a.parse().map_err(|e| corrupt(format!("{e}")))?,
        b: b.parse().map_err(|e| corrupt(format!("{e}")))?,
        decision: Decision::parse(&decision).ok_or_else(|| corrupt(decision.clone()))?,
        decided_by: by
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e| corrupt(format!("{e}")))?,
        decided_at: Timestamp::from_naive(at),
        note,
    })
}

const DECISION_COLUMNS: (
    dedup_pair_decisions::record_a,
    dedup_pair_decisions::record_b,
    dedup_pair_decisions::decision,
    dedup_pair_decisions::decided_by,
    dedup_pair_decisions::decided_at,
    dedup_pair_decisions::note,
) = (
    dedup_pair_decisions::record_a,
    dedup_pair_decisions::record_b,
    dedup_pair_decisions::decision,
    dedup_pair_decisions::decided_by,
    dedup_pair_decisions::decided_at,
    dedup_pair_decisions::note,
);

/// Records or replaces the decision on a pair (`a < b`, the caller orders).
pub fn decide(conn: &mut DbConnection, d: &PairDecision) -> Result<(), DbError> {
    let (a, b) = (d.a.to_string(), d.b.to_string());
    diesel::delete(
        dedup_pair_decisions::table
            .filter(dedup_pair_decisions::record_a.eq(&a))
            .filter(dedup_pair_decisions::record_b.eq(&b)),
    )
    .execute(conn)?;
    diesel::insert_into(dedup_pair_decisions::table)
        .values((
            dedup_pair_decisions::record_a.eq(&a),
            dedup_pair_decisions::record_b.eq(&b),
            dedup_pair_decisions::decision.eq(d.decision.as_str()),
            dedup_pair_decisions::decided_by.eq(d.decided_by.map(|s| s.to_string())),
            dedup_pair_decisions::decided_at.eq(d.decided_at.naive()),
            dedup_pair_decisions::note.eq(&d.note),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find_decision(
    conn: &mut DbConnection,
    a: RecordId,
    b: RecordId,
) -> Result<PairDecision, DbError> {
    let row: DecisionTuple = dedup_pair_decisions::table
        .filter(dedup_pair_decisions::record_a.eq(a.to_string()))
        .filter(dedup_pair_decisions::record_b.eq(b.to_string()))
        .select(DECISION_COLUMNS)
        .first(conn)?;
    decision_from(row)
}

/// Decisions in pair order after the `after` pair, optionally of one kind.
pub fn list_decisions(
    conn: &mut DbConnection,
    decision: Option<Decision>,
    after: Option<(RecordId, RecordId)>,
    limit: i64,
) -> Result<Vec<PairDecision>, DbError> {
    let mut q = dedup_pair_decisions::table
        .select(DECISION_COLUMNS)
        .into_boxed();
    if let Some(decision) = decision {
        q = q.filter(dedup_pair_decisions::decision.eq(decision.as_str()));
    }
    if let Some((a, b)) = after {
        let (a, b) = (a.to_string(), b.to_string());
        q = q.filter(
            dedup_pair_decisions::record_a
                .gt(a.clone())
                .or(dedup_pair_decisions::record_a
                    .eq(a)
                    .and(dedup_pair_decisions::record_b.gt(b))),
        );
    }
    q.order((
        dedup_pair_decisions::record_a.asc(),
        dedup_pair_decisions::record_b.asc(),
    ))
    .limit(limit)
    .load::<DecisionTuple>(conn)?
    .into_iter()
    .map(decision_from)
    .collect()
}

/// The records a cataloger said are not duplicates of any of `ids`, as
/// ordered pairs `(min, max)`.
pub fn rejected_touching(
    conn: &mut DbConnection,
    ids: &[RecordId],
) -> Result<Vec<(RecordId, RecordId)>, DbError> {
    let raw: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut out = Vec::new();
    for chunk in raw.chunks(1000) {
        let rows: Vec<(String, String)> = dedup_pair_decisions::table
            .filter(dedup_pair_decisions::decision.eq(Decision::Rejected.as_str()))
            .filter(
                dedup_pair_decisions::record_a
                    .eq_any(chunk)
                    .or(dedup_pair_decisions::record_b.eq_any(chunk)),
            )
            .select((
                dedup_pair_decisions::record_a,
                dedup_pair_decisions::record_b,
            ))
            .load(conn)?;
        for row in rows {
            out.push(pair_from(row)?);
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Every rejected pair, for a scan.
pub fn all_rejected(conn: &mut DbConnection) -> Result<Vec<(RecordId, RecordId)>, DbError> {
    let rows: Vec<(String, String)> = dedup_pair_decisions::table
        .filter(dedup_pair_decisions::decision.eq(Decision::Rejected.as_str()))
        .select((
            dedup_pair_decisions::record_a,
            dedup_pair_decisions::record_b,
        ))
        .load(conn)?;
    rows.into_iter().map(pair_from).collect()
}

fn pair_from((a, b): (String, String)) -> Result<(RecordId, RecordId), DbError> {
    let corrupt =
        |e: kitap_domain::ValueError| DbError::Corrupt(format!("dedup pair {a}/{b}: {e}"));
    Ok((a.parse().map_err(corrupt)?, b.parse().map_err(corrupt)?))
}
