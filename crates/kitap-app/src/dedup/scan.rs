//! Catalog-wide duplicate scans: a job (queued by the API or run by
//! `kitap dedup scan`) clusters every record's stored keys with
//! kitap-dedup and stores the clusters; the report is rendered from them
//! as JSON or CSV, the same for the API and the command line.

use std::collections::HashSet;
use std::io::Write;

use kitap_db::dedup::{self, Scan, ScanCluster, ScanCounts, ScanStatus};
use kitap_db::imports::JobError;
use kitap_db::records::{self, RecordSummary};
use kitap_db::{match_keys, DbError};
use kitap_dedup::{Cluster, MatchKeys};
use kitap_domain::{DedupScanId, RecordId, Role, Timestamp, ValueError};
use serde_json::{json, Value};

use super::keys::parse_keys;
use crate::{Actor, App, AppError, Principal};

/// Keys read per statement while loading the catalog.
const PAGE: i64 = 5000;

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Csv,
}

impl ReportFormat {
    pub fn parse(raw: &str) -> Result<ReportFormat, AppError> {
        match raw.trim() {
            "json" => Ok(ReportFormat::Json),
            "csv" => Ok(ReportFormat::Csv),
            _ => Err(ValueError::new("format", "must be json or csv").into()),
        }
    }
}

fn scan_missing(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound {
            entity: "dedup scan",
        },
        other => other.into(),
    }
}

impl App {
    /// Registers a scan; the dedup worker (or `kitap dedup scan`) runs it.
    pub fn queue_scan(&self, who: Option<&Principal>, actor: &Actor) -> Result<Scan, AppError> {
        if let Some(who) = who {
            who.require_role(&[Role::Admin, Role::Cataloger])?;
        }
        let scan = Scan {
            id: DedupScanId::new(),
            status: ScanStatus::Queued,
            requested_by: actor.staff_id,
            created_at: Timestamp::now(),
            started_at: None,
            finished_at: None,
            counts: ScanCounts::default(),
            error: None,
        };
        self.db.write(|conn| {
            dedup::insert_scan(conn, &scan)?;
            crate::audit::record(conn, actor, "queue", ("dedup_scan", &scan.id), None, None)?;
            Ok::<_, AppError>(())
        })?;
        Ok(scan)
    }

    pub fn scan(&self, id: DedupScanId) -> Result<Scan, AppError> {
        self.db
            .read(|conn| dedup::find_scan(conn, id))
            .map_err(scan_missing)
    }

    /// Scans, newest first.
    pub fn scans(&self, before: Option<DedupScanId>, limit: i64) -> Result<Vec<Scan>, AppError> {
        Ok(self
            .db
            .read(|conn| dedup::list_scans(conn, before, limit.clamp(1, 500)))?)
    }

    pub fn unfinished_scans(&self) -> Result<Vec<Scan>, AppError> {
        Ok(self.db.read(dedup::unfinished_scans)?)
    }

    /// Runs a queued (or interrupted) scan to its end: keys brought up to
    /// date, the catalog clustered, the clusters stored. A failure is kept
    /// on the scan as a code and a message.
    pub fn run_scan(&self, id: DedupScanId, actor: &Actor) -> Result<Scan, AppError> {
        let scan = self.scan(id)?;
        if scan.status.is_final() {
            return Ok(scan);
        }
        self.db
            .write(|conn| dedup::start_scan(conn, id, Timestamp::now()))?;
        let started = std::time::Instant::now();
        match self.cluster_catalog(id, actor) {
            Ok(counts) => {
                tracing::info!(
                    scan = %id,
                    records = counts.records,
                    clusters = counts.clusters,
                    seconds = started.elapsed().as_secs_f64(),
                    "dedup scan finished"
                );
                self.scan(id)
            }
            Err(err) => {
                if let AppError::Internal(cause) = &err {
                    tracing::error!(scan = %id, %cause, "dedup scan failed");
                }
                let error = JobError {
                    code: err.code().to_owned(),
                    message: err.to_string(),
                };
                self.db
                    .write(|conn| dedup::fail_scan(conn, id, &error, Timestamp::now()))?;
                Err(err)
            }
        }
    }

    fn cluster_catalog(&self, id: DedupScanId, actor: &Actor) -> Result<ScanCounts, AppError> {
        self.rekey(&mut |_| {})?;
        let catalog = self.load_keys()?;
        let rejected: HashSet<(RecordId, RecordId)> =
            self.db.read(dedup::all_rejected)?.into_iter().collect();
        let clusters = kitap_dedup::cluster(&catalog, &self.dedup, &rejected);
        let records = catalog.len() as i64;
        drop(catalog);
        let mut members: Vec<RecordId> = clusters
            .iter()
            .flat_map(|c| c.members.iter().copied())
            .collect();
        members.sort_unstable();
        members.dedup();
        let summaries = self.db.read(|conn| records::summaries(conn, &members))?;
        let rows: Vec<ScanCluster> = clusters
            .iter()
            .enumerate()
            .map(|(i, c)| cluster_row(i32::try_from(i + 1).unwrap_or(i32::MAX), c, &summaries))
            .collect();
        let counts = ScanCounts {
            records,
            clusters: rows.len() as i64,
            pairs: clusters.iter().map(|c| c.pairs.len() as i64).sum(),
        };
        self.db.write(|conn| {
            dedup::insert_clusters(conn, id, &rows)?;
            dedup::finish_scan(conn, id, counts, Timestamp::now())?;
            crate::audit::record(
                conn,
                actor,
                "finish",
                ("dedup_scan", &id),
                None,
                Some(json!({
                    "records": counts.records, "clusters": counts.clusters, "pairs": counts.pairs
                })),
            )?;
            Ok::<_, AppError>(())
        })?;
        Ok(counts)
    }

    /// Every record's stored keys, page by page.
    fn load_keys(&self) -> Result<Vec<(RecordId, MatchKeys)>, AppError> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let page = self.db.read(|conn| match_keys::page(conn, after, PAGE))?;
            let Some(last) = page.last() else {
                return Ok(all);
            };
            after = Some(last.record_id);
            for stored in &page {
                all.push((stored.record_id, parse_keys(stored)?));
            }
        }
    }

    /// Clusters of a finished scan in report order, from `from_seq` on.
    pub fn scan_clusters(
        &self,
        id: DedupScanId,
        from_seq: i32,
        limit: i64,
    ) -> Result<Vec<ScanCluster>, AppError> {
        let scan = self.finished_scan(id)?;
        Ok(self
            .db
            .read(|conn| dedup::clusters(conn, scan.id, from_seq, limit.clamp(1, 1000)))?)
    }

    fn finished_scan(&self, id: DedupScanId) -> Result<Scan, AppError> {
        let scan = self.scan(id)?;
        if scan.status != ScanStatus::Done {
            return Err(AppError::conflict(
                "scan_not_done",
                format!(
                    "the scan is {}; its report is there once it is done",
                    scan.status.as_str()
                ),
            ));
        }
        Ok(scan)
    }

    /// Writes a finished scan's whole report. JSON: the scan and its
    /// clusters; CSV: one line per scored pair, with its cluster.
    pub fn write_scan_report(
        &self,
        id: DedupScanId,
        format: ReportFormat,
        out: &mut dyn Write,
    ) -> Result<(), AppError> {
        let scan = self.finished_scan(id)?;
        let io = |e: std::io::Error| AppError::Internal(format!("writing the report: {e}"));
        match format {
            ReportFormat::Json => {
                write!(out, "{{\"scan\":{},\"clusters\":[", scan_json(&scan)).map_err(io)?
            }
            // A BOM so that Excel, which catalogers open it in, reads UTF-8.
            ReportFormat::Csv => out
                .write_all(
                    "\u{feff}cluster,size,record_a,title_a,record_b,title_b,score,level,evidence,vetoes\r\n"
                        .as_bytes(),
                )
                .map_err(io)?,
        }
        let mut from = 1;
        let mut first = true;
        loop {
            let page = self.db.read(|conn| dedup::clusters(conn, id, from, 1000))?;
            let Some(last) = page.last() else { break };
            from = last.seq + 1;
            for c in &page {
                match format {
                    ReportFormat::Json => {
                        if !first {
                            out.write_all(b",").map_err(io)?;
                        }
                        out.write_all(c.cluster.as_bytes()).map_err(io)?;
                    }
                    ReportFormat::Csv => csv_lines(c, out).map_err(io)?,
                }
                first = false;
            }
        }
        if format == ReportFormat::Json {
            out.write_all(b"]}").map_err(io)?;
        }
        Ok(())
    }
}

/// A scan as reports and the API show it.
pub fn scan_json(scan: &Scan) -> Value {
    json!({
        "id": scan.id,
        "status": scan.status.as_str(),
        "records": scan.counts.records,
        "clusters": scan.counts.clusters,
        "pairs": scan.counts.pairs,
        "error": scan.error.as_ref().map(|e| e.message.clone()),
        "error_code": scan.error.as_ref().map(|e| e.code.clone()),
        "created_at": scan.created_at.to_string(),
        "started_at": scan.started_at.map(|t| t.to_string()),
        "finished_at": scan.finished_at.map(|t| t.to_string()),
    })
}

fn cluster_row(seq: i32, c: &Cluster<RecordId>, summaries: &[RecordSummary]) -> ScanCluster {
    let summary = |id: &RecordId| {
        summaries
            .binary_search_by_key(id, |s| s.id)
            .ok()
            .and_then(|i| summaries.get(i))
    };
    let members: Vec<Value> = c
        .members
        .iter()
        .map(|id| {
            let s = summary(id);
            json!({
                "record_id": id,
                "title": s.map(|s| s.title.clone()),
                "main_author": s.and_then(|s| s.main_author.clone()),
                "year": s.and_then(|s| s.year),
            })
        })
        .collect();
    let pairs: Vec<Value> = c
        .pairs
        .iter()
        .map(|p| {
            json!({
                "a": p.a,
                "b": p.b,
                "score": p.verdict.score,
                "level": p.verdict.level,
                "evidence": p.verdict.evidence,
                "vetoes": p.verdict.vetoes,
            })
        })
        .collect();
    let cluster = json!({
        "seq": seq,
        "size": c.members.len(),
        "best_score": c.best_score,
        "members": members,
        "pairs": pairs,
    });
    ScanCluster {
        seq,
        size: i32::try_from(c.members.len()).unwrap_or(i32::MAX),
        best_score: c.best_score.clamp(0.0, 1.0),
        cluster: cluster.to_string(),
    }
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The codes of a list of evidence, `code(+points)` joined by spaces.
fn codes(list: &Value) -> String {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|e| {
                    let code = e["code"].as_str().unwrap_or("?");
                    match e["points"].as_f64() {
                        Some(p) => format!("{code}({p:+.2})"),
                        None => code.to_owned(),
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

fn csv_lines(c: &ScanCluster, out: &mut dyn Write) -> std::io::Result<()> {
    let cluster: Value = serde_json::from_str(&c.cluster).unwrap_or(Value::Null);
    let title_of = |id: &Value| -> String {
        cluster["members"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["record_id"] == *id))
            .and_then(|m| m["title"].as_str())
            .unwrap_or("")
            .to_owned()
    };
    for pair in cluster["pairs"].as_array().into_iter().flatten() {
        let a = pair["a"].as_str().unwrap_or("");
        let b = pair["b"].as_str().unwrap_or("");
        write!(
            out,
            "{},{},{},{},{},{},{:.3},{},{},{}\r\n",
            c.seq,
            c.size,
            a,
            csv_cell(&title_of(&pair["a"])),
            b,
            csv_cell(&title_of(&pair["b"])),
            pair["score"].as_f64().unwrap_or(0.0),
            pair["level"].as_str().unwrap_or(""),
            csv_cell(&codes(&pair["evidence"])),
            csv_cell(&codes(&pair["vetoes"])),
        )?;
    }
    Ok(())
}
