//! The import loop: read a batch, prepare it outside any transaction (the
//! CPU-heavy part), then match and store it in one short transaction.

use std::collections::HashMap;
use std::path::Path;

use kitap_db::imports::{self, ImportJob, Reject};
use kitap_db::outbox::{self, Change};
use kitap_db::record_sources;
use kitap_db::records::{self, StoredRecord};
use kitap_db::DbConnection;
use kitap_domain::{ImportStatus, RecordId, RecordStatus, Timestamp};
use kitap_marc::Encoding;

use super::source::{self, Format, Item};
use super::{duplicates, matching, OnDuplicate, OnMatch, BATCH};
use crate::catalog::prepare::{prepare, Prepared};
use crate::{Actor, App, AppError};

/// Runs the job from its resume point; returns `Done` or `Cancelled`, and
/// how many of the items read were MARC records.
///
/// Two threads: this one stores batches while a reader thread parses and
/// prepares the next one, so the CPU work of a batch overlaps the database
/// work of the one before (on two cores, nearly doubling throughput).
pub fn run(
    app: &App,
    job: &mut ImportJob,
    actor: &Actor,
    tick: &mut dyn FnMut(&ImportJob),
) -> Result<(ImportStatus, u64), AppError> {
    let format = Format::parse(&job.format)
        .ok_or_else(|| AppError::Internal(format!("import format {:?}", job.format)))?;
    let encoding = job.encoding.as_deref().and_then(Encoding::from_name);
    let on_match = OnMatch::parse(&job.on_match)?;
    let on_duplicate = OnDuplicate::parse(&job.on_duplicate)?;
    let p = job.progress;
    let items = source::open(
        Path::new(&job.file_path),
        format,
        encoding,
        u64::try_from(p.next_offset).unwrap_or(0),
        u64::try_from(p.next_index).unwrap_or(0),
    )
    .map_err(|e| AppError::Internal(format!("cannot read {}: {e}", job.file_path)))?;

    // Read once per job: the libraries 910 copies are matched against, and
    // where copies without a library of their own go (the import's library,
    // else the central one).
    let libraries = app.db.read(kitap_db::branches::list)?;
    let default_library = job.branch_id.or_else(|| {
        libraries
            .iter()
            .find(|b| b.kind == kitap_domain::BranchKind::Central)
            .map(|b| b.id)
    });
    let holdings = (default_library, libraries.as_slice());

    // Two batches in flight at most: memory stays flat whatever the file size.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(1);
    let rules = &*app.area_rules;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut pending: Vec<Item> = Vec::with_capacity(BATCH);
            for item in items {
                pending.push(item);
                if pending.len() == BATCH
                    && tx
                        .send(prepare_batch(std::mem::take(&mut pending), rules))
                        .is_err()
                {
                    // The writer stopped (cancelled or failed).
                    return;
                }
            }
            if !pending.is_empty() {
                let _ = tx.send(prepare_batch(pending, rules));
            }
        });
        let mut parsed = 0;
        for batch in rx {
            parsed += batch.parsed;
            store(app, job, actor, (on_match, on_duplicate, holdings), batch)?;
            tick(job);
            if app.import_job(job.id)?.status == ImportStatus::Cancelled {
                return Ok((ImportStatus::Cancelled, parsed));
            }
        }
        Ok((ImportStatus::Done, parsed))
    })
}

/// A record that passed validation, with where it was in the file.
struct Good {
    index: u64,
    offset: u64,
    prepared: Prepared,
    original: Option<Vec<u8>>,
    encoding: String,
}

/// A batch after the CPU work: what to store and what to report.
struct Batch {
    good: Vec<Good>,
    rejects: Vec<Reject>,
    /// Report lines for records that were read with repairs (not rejects).
    notes: Vec<Reject>,
    /// Index and end offset of the batch's last item (the resume point).
    last: Option<(u64, u64)>,
    /// Items that were MARC records (imported or refused by validation),
    /// as opposed to bytes the reader could not take for a record at all.
    parsed: u64,
}

fn prepare_batch(items: Vec<Item>, rules: &kitap_catalog::AreaRules) -> Batch {
    let mut rejects = Vec::new();
    let mut notes = Vec::new();
    let mut good = Vec::with_capacity(items.len());
    let mut last = None;
    let mut parsed = 0;
    for item in items {
        last = Some((item.index, item.end_offset));
        parsed += u64::from(item.outcome.is_ok());
        match item.outcome {
            Err(bad) => rejects.push(Reject {
                record_index: item.index as i64,
                byte_offset: item.offset as i64,
                code: bad.code,
                message: bad.message,
                control_number: None,
            }),
            Ok(read) => {
                let control = read.record.control("001").map(str::to_owned);
                let encoding = read.record.encoding.name().to_owned();
                match prepare(read.record, rules) {
                    Ok(p) => {
                        if let Some(note) = repair_note(&p, item.index, item.offset) {
                            notes.push(note);
                        }
                        // Keep the file's bytes only when they differ from ours.
                        let original = read.original.filter(|o| *o != p.marc);
                        good.push(Good {
                            index: item.index,
                            offset: item.offset,
                            prepared: p,
                            original,
                            encoding,
                        });
                    }
                    Err(rejected) => rejects.push(Reject {
                        record_index: item.index as i64,
                        byte_offset: item.offset as i64,
                        code: rejected.code().to_owned(),
                        message: rejected.summary(),
                        control_number: control,
                    }),
                }
            }
        }
    }
    Batch {
        good,
        rejects,
        notes,
        last,
        parsed,
    }
}

/// One report line per record (the report's key): a record with copies not
/// created and repaired data gets both messages on its line.
fn merge_notes(mut notes: Vec<Reject>, repairs: &[Reject]) -> Vec<Reject> {
    for repair in repairs {
        match notes
            .iter_mut()
            .find(|n| n.record_index == repair.record_index)
        {
            Some(note) => {
                note.message.push_str("; ");
                note.message.push_str(&repair.message);
            }
            None => notes.push(repair.clone()),
        }
    }
    notes
}

/// Control characters removed from a record (PostgreSQL cannot store NUL):
/// the record is kept, and the report says where its data was changed.
fn repair_note(p: &Prepared, index: u64, offset: u64) -> Option<Reject> {
    let removed: Vec<&str> = p
        .warnings
        .iter()
        .filter(|w| w.code == "control_characters_removed")
        .map(|w| w.message.as_str())
        .collect();
    if removed.is_empty() {
        return None;
    }
    Some(Reject {
        record_index: index as i64,
        byte_offset: offset as i64,
        code: "control_characters_removed".to_owned(),
        message: format!("record read; {}", removed.join("; ")),
        control_number: p.record.control("001").map(str::to_owned),
    })
}

/// What the batch will do with one good record.
pub(super) enum Plan {
    /// With the record's index and byte offset in the file.
    Insert(StoredRecord, Prepared, (u64, u64)),
    Overlay(StoredRecord, Prepared, i64),
    Skip,
    /// A probable duplicate left out (`on_duplicate=skip`).
    Skipped((u64, u64)),
    /// A probable duplicate of this record, which gets its copies and keeps
    /// the incoming bytes (when they differ from the canonical ones) as a
    /// source version (`on_duplicate=attach`).
    Attached(RecordId, Prepared, (u64, u64), Option<Vec<u8>>),
}

fn store(
    app: &App,
    job: &mut ImportJob,
    actor: &Actor,
    (on_match, on_duplicate, default_library): (
        OnMatch,
        OnDuplicate,
        (
            Option<kitap_domain::BranchId>,
            &[kitap_db::branches::Branch],
        ),
    ),
    batch: Batch,
) -> Result<(), AppError> {
    let now = Timestamp::now();
    let Batch {
        good,
        rejects,
        notes: repairs,
        last,
        ..
    } = batch;
    let Some((last_index, last_end)) = last else {
        return Ok(());
    };

    let import_id = job.id;
    let file_name = job.file_name.clone();
    let mut progress = job.progress;
    app.db.write(|conn| {
        let refs: Vec<&Prepared> = good.iter().map(|g| &g.prepared).collect();
        let matches = matching::find(conn, &refs)?;
        let mut plans = plan(good, matches, on_match, import_id, actor, now);
        let mut duplicates = duplicates::screen(conn, &app.dedup, on_duplicate, &mut plans)?;
        let (created, updated, skipped) = apply(conn, &plans, now)?;
        let (copies, notes, attached) = add_copies(app, conn, &plans, default_library)?;
        for outcome in &mut duplicates {
            if let Some(n) = attached.get(&outcome.record_index) {
                outcome.copies = *n;
            }
        }
        imports::insert_duplicates(conn, import_id, &duplicates)?;
        keep_sources(conn, &plans, (import_id, &file_name), actor)?;
        imports::insert_rejects(conn, import_id, &rejects)?;
        imports::insert_rejects(conn, import_id, &merge_notes(notes, &repairs))?;
        progress.copies += copies;
        progress.created += created;
        progress.updated += updated;
        progress.skipped += skipped;
        progress.attached += attached.len() as i64;
        progress.rejected += rejects.len() as i64;
        progress.next_index = last_index as i64 + 1;
        if last_end > 0 {
            progress.next_offset = last_end as i64;
        }
        imports::save_progress(conn, import_id, &progress)?;
        crate::audit::record(
            conn,
            actor,
            "import_batch",
            ("import", &import_id),
            None,
            Some(super::progress_json(&progress)),
        )?;
        Ok::<_, AppError>(())
    })?;
    job.progress = progress;
    Ok(())
}

fn plan(
    good: Vec<Good>,
    mut matches: HashMap<usize, StoredRecord>,
    on_match: OnMatch,
    import_id: kitap_domain::ImportId,
    actor: &Actor,
    now: Timestamp,
) -> Vec<Plan> {
    let mut plans: Vec<Plan> = Vec::with_capacity(good.len());
    // Records earlier in this batch, by key: a file may hold a record twice.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (pos, g) in good.into_iter().enumerate() {
        let Good {
            index,
            offset,
            prepared: p,
            original,
            encoding,
        } = g;
        let stored_match = matches.remove(&pos);
        let earlier = matching::batch_keys(&p).find_map(|k| seen.get(&k).copied());
        let new_row = |id: RecordId| StoredRecord {
            id,
            version: 1,
            status: RecordStatus::Active,
            marc: p.marc.clone(),
            original: original.clone(),
            source_encoding: encoding.clone(),
            derived: p.derived.clone(),
            import_id: Some(import_id),
            created_by: actor.staff_id,
            updated_by: actor.staff_id,
            created_at: now,
            updated_at: now,
        };
        let planned = match (on_match, stored_match, earlier) {
            (OnMatch::Add, _, _) | (_, None, None) => {
                Plan::Insert(new_row(RecordId::new()), p, (index, offset))
            }
            (OnMatch::Skip, _, _) => Plan::Skip,
            (OnMatch::Overlay, Some(old), _) => {
                let row = StoredRecord {
                    version: old.version + 1,
                    created_by: old.created_by,
                    created_at: old.created_at,
                    status: old.status,
                    ..new_row(old.id)
                };
                Plan::Overlay(row, p, old.version)
            }
            (OnMatch::Overlay, None, Some(at)) => {
                // The later copy in the file wins; the earlier plan is replaced.
                if let Some(Plan::Insert(row, _, _)) = plans.get(at) {
                    let id = row.id;
                    let replacement = Plan::Insert(new_row(id), p, (index, offset));
                    if let Some(slot) = plans.get_mut(at) {
                        *slot = replacement;
                    }
                }
                Plan::Skip
            }
        };
        if let Plan::Insert(_, ref prepared, _) = planned {
            for k in matching::batch_keys(prepared) {
                seen.entry(k).or_insert(plans.len());
            }
        }
        plans.push(planned);
    }
    plans
}

fn apply(
    conn: &mut DbConnection,
    plans: &[Plan],
    now: Timestamp,
) -> Result<(i64, i64, i64), AppError> {
    let inserts: Vec<(StoredRecord, Vec<kitap_db::records::RecordKey>)> = plans
        .iter()
        .filter_map(|plan| match plan {
            Plan::Insert(row, p, _) => Some((row.clone(), p.keys.clone())),
            _ => None,
        })
        .collect();
    records::insert_many(conn, &inserts)?;
    let mut keys = Vec::with_capacity(inserts.len());
    let mut overlaid = Vec::new();
    for plan in plans {
        match plan {
            Plan::Insert(row, p, _) => keys.push(crate::dedup::keys_row(row.id, &p.match_keys)?),
            Plan::Overlay(row, p, _) => {
                overlaid.push(crate::dedup::keys_row(row.id, &p.match_keys)?)
            }
            _ => {}
        }
    }
    kitap_db::match_keys::insert_many(conn, &keys)?;
    let mut updated = 0;
    let mut skipped = 0;
    let mut ids: Vec<String> = inserts.iter().map(|(r, _)| r.id.to_string()).collect();
    for plan in plans {
        match plan {
            Plan::Overlay(row, p, expected) => {
                if records::update(conn, row, *expected, &p.keys)? {
                    kitap_db::copies::set_kazakh_for_record(conn, row.id, row.derived.kazakh)?;
                    ids.push(row.id.to_string());
                    updated += 1;
                } else {
                    overlaid.retain(|k| k.record_id != row.id);
                    skipped += 1;
                }
            }
            Plan::Skip | Plan::Skipped(..) => skipped += 1,
            Plan::Insert(..) | Plan::Attached(..) => {}
        }
    }
    let changes: Vec<Change> = ids
        .iter()
        .map(|id| Change {
            entity_type: "record",
            entity_id: id,
            op: "upsert",
        })
        .collect();
    outbox::push_many(conn, now, &changes)?;
    kitap_db::match_keys::replace_many(conn, &overlaid)?;
    Ok((inserts.len() as i64, updated, skipped))
}

/// The incoming MARC of each record attached to a duplicate, kept as an
/// `import` source version of that record: as it came in the file (ISO 2709
/// in its own encoding), or our canonical ISO 2709 of a MARCXML or JSON one.
fn keep_sources(
    conn: &mut DbConnection,
    plans: &[Plan],
    (import_id, file_name): (kitap_domain::ImportId, &str),
    actor: &Actor,
) -> Result<(), AppError> {
    for plan in plans {
        let Plan::Attached(target, p, (index, _), original) = plan else {
            continue;
        };
        let source = record_sources::RecordSource::new(
            *target,
            record_sources::SourceKind::Import,
            format!("import {import_id} #{index} ({file_name})"),
            original.clone().unwrap_or_else(|| p.marc.clone()),
            "iso2709",
            actor.staff_id,
        );
        record_sources::insert(conn, &source)?;
    }
    Ok(())
}

/// Copies created, report notes, and the copies each attached record (by
/// its index in the file) brought.
type AddedCopies = (i64, Vec<Reject>, HashMap<i64, i32>);

/// Creates the 910 copies of the records this batch inserted. A record whose
/// copies cannot be created (a taken inventory number, a bad price) keeps
/// its record; the report says which copies are missing and why.
fn add_copies(
    app: &App,
    conn: &mut DbConnection,
    plans: &[Plan],
    (default, libraries): (
        Option<kitap_domain::BranchId>,
        &[kitap_db::branches::Branch],
    ),
) -> Result<AddedCopies, AppError> {
    let mut created = 0i64;
    let mut notes = Vec::new();
    // Attached records (by index in the file) and the copies they brought.
    let mut attached = HashMap::new();
    for plan in plans {
        let (record_id, p, (index, offset), what) = match plan {
            Plan::Insert(row, p, at) => (row.id, p, at, "record imported"),
            Plan::Attached(target, p, at, _) => {
                attached.insert(at.0 as i64, 0);
                (*target, p, at, "copies attached to a duplicate")
            }
            _ => continue,
        };
        let Some(default) = default else {
            continue;
        };
        let found = super::holdings::copies_of(&p.record, libraries, default);
        let mut problems = found.problems;
        for (library, specs) in &found.by_library {
            // A duplicate is the same edition, so the same language: the
            // incoming record's Kazakh flag is the target's.
            match app.insert_imported_copies(conn, record_id, *library, p.derived.kazakh, specs) {
                Ok(n) => {
                    created += n as i64;
                    if let Some(count) = attached.get_mut(&(*index as i64)) {
                        *count += i32::try_from(n).unwrap_or(i32::MAX);
                    }
                }
                Err(err @ (AppError::Conflict { .. } | AppError::Validation(_))) => {
                    problems.push(err.to_string())
                }
                Err(other) => return Err(other),
            }
        }
        if !problems.is_empty() {
            notes.push(Reject {
                record_index: *index as i64,
                byte_offset: *offset as i64,
                code: "copies_not_created".to_owned(),
                message: format!("{what}; copies not created: {}", problems.join("; ")),
                control_number: p.record.control("001").map(str::to_owned),
            });
        }
    }
    Ok((created, notes, attached))
}
