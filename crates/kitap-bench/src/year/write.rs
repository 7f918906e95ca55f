//! The planned year as multi-row INSERTs, tables in the order their
//! foreign keys need, the same SQL on both backends (only the MARC blob
//! literal differs).

use std::fmt::Write as _;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use kitap_app::{Backend, Db};
use kitap_circulation::AgeBands;
use kitap_domain::Barcode;
use uuid::Uuid;

use super::plan::{Loan, Reason, World};
use crate::circ::history::{ts, Batches, Inserts};

/// The seeded default loan rule (migration 2026-12-07-000001_circulation).
const DEFAULT_RULE: &str = "0193f0a0-0000-7000-8000-000000000001";
/// Generated copies' and readers' barcode serials start here.
const SERIAL_BASE: u64 = 700_000_000;

const SURNAMES: [&str; 8] = [
    "Ахметов",
    "Серікова",
    "Жұмабаев",
    "Иванова",
    "Қасымов",
    "Петров",
    "Оспанова",
    "Ким",
];
const NAMES: [&str; 6] = ["Айгүл", "Ерлан", "Мария", "Дәурен", "Сәуле", "Анна"];

/// A quoted SQL string literal.
fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn opt(s: Option<&str>) -> String {
    s.map_or_else(|| "NULL".to_owned(), q)
}

fn blob(backend: Backend, bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(hex, "{b:02x}");
    }
    match backend {
        Backend::Sqlite => format!("X'{hex}'"),
        Backend::Postgres => format!("'\\x{hex}'::bytea"),
    }
}

fn t(at: NaiveDateTime) -> String {
    format!("'{}'", ts(at))
}

fn b(v: bool) -> &'static str {
    if v {
        "TRUE"
    } else {
        "FALSE"
    }
}

fn noon(d: NaiveDate) -> NaiveDateTime {
    d.and_hms_opt(6, 0, 0).unwrap_or_default()
}

pub(crate) fn write(db: &Db, w: &World<'_>, bands: &AgeBands) -> anyhow::Result<()> {
    let mut out = Batches::new(db);
    let lib = |i: usize| w.libraries[i].id.as_str();
    let backend = db.backend();

    let mut ins = Inserts::new(
        "INSERT INTO records (id, version, status, dialect, record_type, marc, source_encoding, \
         title, sort_title, main_author, year, language, kazakh, bbk, udc, knowledge_area, \
         area_rules_version, warnings, created_at, updated_at)",
    );
    for r in &w.records {
        let row = format!(
            "('{}',1,'active',{},{},{},'utf-8',{},{},{},{},{},{},{},{},{},{},{},{},{})",
            r.id,
            q(&r.dialect),
            q(&r.record_type),
            blob(backend, &r.marc),
            q(&r.derived_title),
            q(&r.sort_title),
            opt(r.main_author.as_deref()),
            r.year.map_or_else(|| "NULL".to_owned(), |y| y.to_string()),
            opt(r.language.as_deref()),
            b(r.kazakh),
            opt(r.bbk.as_deref()),
            opt(r.udc.as_deref()),
            opt(r.knowledge_area.as_deref()),
            q(&r.area_rules_version),
            r.warnings,
            t(r.created),
            t(r.created),
        );
        ins.add(row, &mut out)?;
    }
    ins.finish(&mut out)?;

    let mut ins = Inserts::new(
        "INSERT INTO accession_acts (id, number, branch_id, act_date, source, copy_count, \
         total_minor, created_at)",
    );
    for (n, a) in w.accessions.iter().enumerate() {
        let total: i64 = a.copies.iter().map(|c| w.copies[*c].price).sum();
        let row = format!(
            "('{}','GA-{}-{n}','{}','{}','{}',{},{total},{})",
            a.id,
            w.seed,
            lib(a.library),
            a.date,
            a.source,
            a.copies.len(),
            t(noon(a.date)),
        );
        ins.add(row, &mut out)?;
    }
    ins.finish(&mut out)?;

    let mut ins = Inserts::new(
        "INSERT INTO write_off_acts (id, number, branch_id, act_date, reason, copy_count, \
         total_minor, created_at)",
    );
    for (n, a) in w.write_offs.iter().enumerate() {
        let total: i64 = a.copies.iter().map(|c| w.copies[*c].price).sum();
        let row = format!(
            "('{}','GW-{}-{n}','{}','{}','{}',{},{total},{})",
            a.id,
            w.seed,
            lib(a.library),
            a.date,
            a.reason,
            a.copies.len(),
            t(noon(a.date)),
        );
        ins.add(row, &mut out)?;
    }
    ins.finish(&mut out)?;

    let mut ins = Inserts::new(
        "INSERT INTO copies (id, record_id, branch_id, inventory_number, barcode, material_type, \
         status, price_minor, acquired_on, acquisition_source, accession_act_id, \
         write_off_act_id, kazakh, version, created_at, updated_at)",
    );
    for (n, c) in w.copies.iter().enumerate() {
        let barcode = Barcode::ean13("291", SERIAL_BASE + n as u64)?;
        let (status, off) = match c.write_off {
            Some(a) => ("withdrawn", format!("'{}'", w.write_offs[a].id)),
            None if c.on_loan_at_end => ("on_loan", "NULL".to_owned()),
            None => ("available", "NULL".to_owned()),
        };
        let act = &w.accessions[c.accession];
        let updated = c.write_off.map_or(c.acquired, |a| w.write_offs[a].date);
        let row = format!(
            "('{}','{}','{}','G{}-{n}','{}','{}','{status}',{},'{}','{}','{}',{off},{},1,{},{})",
            c.id,
            w.records[c.record].id,
            lib(c.home),
            w.seed,
            barcode.as_str(),
            c.material,
            c.price,
            c.acquired,
            act.source,
            act.id,
            b(w.records[c.record].kazakh),
            t(noon(c.acquired)),
            t(noon(updated)),
        );
        ins.add(row, &mut out)?;
    }
    ins.finish(&mut out)?;

    let mut ins = Inserts::new(&format!("INSERT INTO accession_lines {LINE_COLUMNS}"));
    for a in &w.accessions {
        for c in &a.copies {
            ins.add(line(w, a.id, *c), &mut out)?;
        }
    }
    ins.finish(&mut out)?;
    let mut ins = Inserts::new(&format!("INSERT INTO write_off_lines {LINE_COLUMNS}"));
    for a in &w.write_offs {
        for c in &a.copies {
            ins.add(line(w, a.id, *c), &mut out)?;
        }
    }
    ins.finish(&mut out)?;

    let mut ins = Inserts::new(
        "INSERT INTO readers (id, card_number, surname, surname_key, first_name, birth_date, \
         category, status, home_branch_id, consent_email, consent_sms, consent_phone, \
         keep_history, registered_on, registered_until, version, created_at, updated_at)",
    );
    for (n, r) in w.readers.iter().enumerate() {
        let card = Barcode::ean13("292", SERIAL_BASE + n as u64)?;
        let surname = SURNAMES[n % SURNAMES.len()];
        let row = format!(
            "('{}','{}','{surname}','{}','{}','{}','{}','active','{}',FALSE,FALSE,TRUE,FALSE,\
             '{}','{}',1,{},{})",
            r.id,
            card.as_str(),
            surname.to_lowercase(),
            NAMES[n % NAMES.len()],
            r.birth,
            r.category,
            lib(r.home),
            r.registered_on,
            r.registered_on + Duration::days(365),
            t(noon(r.created)),
            t(noon(r.registered_on)),
        );
        ins.add(row, &mut out)?;
    }
    ins.finish(&mut out)?;

    // Holds before the loans and transfers that name them.
    let mut ins = Inserts::new(
        "INSERT INTO holds (id, reader_id, record_id, copy_id, pickup_branch_id, status, \
         placed_at, trapped_copy_id, ready_on, expires_on, closed_at, version)",
    );
    for h in &w.holds {
        let copy = &w.copies[h.copy];
        let ready = h.placed.date() + Duration::days(1);
        let row = format!(
            "('{}','{}','{}',NULL,'{}','fulfilled',{},'{}','{}','{}',{},1)",
            h.id,
            w.readers[h.reader].id,
            w.records[copy.record].id,
            lib(h.pickup),
            t(h.placed),
            copy.id,
            ready,
            ready + Duration::days(7),
            t(h.closed),
        );
        ins.add(row, &mut out)?;
    }
    ins.finish(&mut out)?;

    let mut ins = Inserts::new(
        "INSERT INTO loans (id, copy_id, reader_id, branch_id, kind, rule_id, issued_at, due_on, \
         renewals, returned_at, return_branch_id, fine_minor, version)",
    );
    for l in &w.loans {
        let (ret, ret_lib) = match l.returned {
            Some(at) => (t(at), format!("'{}'", lib(l.library))),
            None => ("NULL".to_owned(), "NULL".to_owned()),
        };
        let row = format!(
            "('{}','{}','{}','{}','{}','{DEFAULT_RULE}',{},'{}',{},{ret},{ret_lib},0,{})",
            l.id,
            w.copies[l.copy].id,
            w.readers[l.reader].id,
            lib(l.library),
            kind(l),
            t(l.issued),
            l.due_now(),
            u8::from(l.renewed.is_some()),
            1 + u8::from(l.renewed.is_some()) + u8::from(l.returned.is_some()),
        );
        ins.add(row, &mut out)?;
    }
    ins.finish(&mut out)?;

    let mut ins = Inserts::new(
        "INSERT INTO circulation_events (id, at, kind, loan_id, copy_id, record_id, reader_id, \
         branch_id, loan_kind, reader_category, age_band, material_type, language, kazakh, \
         knowledge_area, due_on)",
    );
    // In the order they happened, as the desk appends them: a table whose
    // rows lie in time order is what a period's reports read in production.
    let mut order: Vec<(NaiveDateTime, usize, &str)> = Vec::with_capacity(w.loans.len() * 2);
    for (i, l) in w.loans.iter().enumerate() {
        order.push((l.issued, i, "checkout"));
        if let Some((at, _)) = l.renewed {
            order.push((at, i, "renewal"));
        }
        if let Some(at) = l.returned {
            order.push((at, i, "return"));
        }
    }
    order.sort_by_key(|(at, i, _)| (*at, *i));
    for (at, i, what) in order {
        let l = &w.loans[i];
        let copy = &w.copies[l.copy];
        let record = &w.records[copy.record];
        let reader = &w.readers[l.reader];
        let event = |what: &str, at: NaiveDateTime, due: NaiveDate| {
            format!(
                "('{}',{},'{what}','{}','{}','{}','{}','{}','{}','{}','{}','{}',{},{},{},'{due}')",
                Uuid::now_v7(),
                t(at),
                l.id,
                copy.id,
                record.id,
                reader.id,
                lib(l.library),
                kind(l),
                reader.category,
                bands.band_for(reader.birth, at.date()).as_str(),
                copy.material,
                opt(record.language.as_deref()),
                b(record.kazakh),
                opt(record.knowledge_area.as_deref()),
            )
        };
        let row = match what {
            "checkout" => event(what, at, l.due),
            "renewal" => event(what, at, l.renewed.map_or(l.due, |(_, due)| due)),
            _ => event(what, at, l.due_now()),
        };
        ins.add(row, &mut out)?;
    }
    ins.finish(&mut out)?;

    let mut ins = Inserts::new(
        "INSERT INTO selections (id, number, name, from_branch_id, to_branch_id, due_on, status, \
         created_at, dispatched_at, received_at, returned_at, closed_at, version)",
    );
    for (n, s) in w.selections.iter().enumerate() {
        let row = format!(
            "('{}','GS-{}-{n}','Selection {n}','{}','{}','{}','closed',{},{},{},{},{},5)",
            s.id,
            w.seed,
            lib(s.from),
            lib(s.to),
            s.returned.date(),
            t(s.created),
            t(s.created + Duration::hours(1)),
            t(s.received),
            t(s.returned),
            t(s.closed),
        );
        ins.add(row, &mut out)?;
    }
    ins.finish(&mut out)?;
    let mut ins =
        Inserts::new("INSERT INTO selection_copies (selection_id, copy_id, state, returned_at)");
    for s in &w.selections {
        for c in &s.copies {
            let row = format!(
                "('{}','{}','returned',{})",
                s.id,
                w.copies[*c].id,
                t(s.closed)
            );
            ins.add(row, &mut out)?;
        }
    }
    ins.finish(&mut out)?;

    let mut ins = Inserts::new(
        "INSERT INTO transfer_acts (id, number, from_branch_id, to_branch_id, act_date, \
         copy_count, total_minor, created_at)",
    );
    for (n, a) in w.transfer_acts.iter().enumerate() {
        let total: i64 = a.copies.iter().map(|c| w.copies[*c].price).sum();
        let row = format!(
            "('{}','GT-{}-{n}','{}','{}','{}',{},{total},{})",
            a.id,
            w.seed,
            lib(a.from),
            lib(a.to),
            a.date,
            a.copies.len(),
            t(noon(a.date)),
        );
        ins.add(row, &mut out)?;
    }
    ins.finish(&mut out)?;
    let mut ins = Inserts::new("INSERT INTO transfer_act_lines (act_id, copy_id, price_minor)");
    for a in &w.transfer_acts {
        for c in &a.copies {
            let row = format!("('{}','{}',{})", a.id, w.copies[*c].id, w.copies[*c].price);
            ins.add(row, &mut out)?;
        }
    }
    ins.finish(&mut out)?;

    let id_or_null = |id: Option<Uuid>| id.map_or_else(|| "NULL".to_owned(), |i| format!("'{i}'"));
    let mut ins = Inserts::new(
        "INSERT INTO transfers (id, copy_id, from_branch_id, to_branch_id, reason, hold_id, \
         selection_id, act_id, status, requested_at, dispatched_at, received_at, version)",
    );
    for tr in &w.transfers {
        let row = format!(
            "('{}','{}','{}','{}','{}',{},{},{},'received',{},{},{},3)",
            tr.id,
            w.copies[tr.copy].id,
            lib(tr.from),
            lib(tr.to),
            tr.reason.as_str(),
            id_or_null(tr.hold.map(|h| w.holds[h].id)),
            id_or_null(tr.selection.map(|s| w.selections[s].id)),
            id_or_null(tr.act.map(|a| w.transfer_acts[a].id)),
            t(tr.dispatched),
            t(tr.dispatched),
            t(tr.received),
        );
        ins.add(row, &mut out)?;
    }
    ins.finish(&mut out)?;
    let mut ins = Inserts::new(
        "INSERT INTO exchange_events (id, at, kind, copy_id, record_id, transfer_id, \
         from_branch_id, to_branch_id, branch_id, reason, hold_id, reader_id, selection_id, act_id)",
    );
    for tr in &w.transfers {
        let copy = &w.copies[tr.copy];
        let hold = tr.hold.map(|h| &w.holds[h]);
        for (what, at, here) in [
            ("dispatched", tr.dispatched, tr.from),
            ("received", tr.received, tr.to),
        ] {
            let row = format!(
                "('{}',{},'{what}','{}','{}','{}','{}','{}','{}','{}',{},{},{},{})",
                Uuid::now_v7(),
                t(at),
                copy.id,
                w.records[copy.record].id,
                tr.id,
                lib(tr.from),
                lib(tr.to),
                lib(here),
                tr.reason.as_str(),
                id_or_null(hold.map(|h| h.id)),
                id_or_null(hold.map(|h| w.readers[h.reader].id)),
                id_or_null(tr.selection.map(|s| w.selections[s].id)),
                id_or_null(tr.act.map(|a| w.transfer_acts[a].id)),
            );
            ins.add(row, &mut out)?;
        }
        // The copy changes its owning library on receipt, as the app logs it.
        if tr.reason == Reason::Redistribution {
            let row = format!(
                "('{}',{},'redistributed','{}','{}',NULL,'{}','{}','{}',NULL,NULL,NULL,NULL,NULL)",
                Uuid::now_v7(),
                t(tr.received),
                copy.id,
                w.records[copy.record].id,
                lib(tr.from),
                lib(tr.to),
                lib(tr.to),
            );
            ins.add(row, &mut out)?;
        }
    }
    ins.finish(&mut out)?;
    out.flush()?;
    Ok(())
}

const LINE_COLUMNS: &str = "(act_id, copy_id, price_minor, record_id, material_type, language, \
     kazakh, knowledge_area)";

/// An act line with the class of its copy, as the app writes it.
fn line(w: &World<'_>, act: Uuid, copy: usize) -> String {
    let c = &w.copies[copy];
    let r = &w.records[c.record];
    format!(
        "('{act}','{}',{},'{}','{}',{},{},{})",
        c.id,
        c.price,
        r.id,
        c.material,
        opt(r.language.as_deref()),
        b(r.kazakh),
        opt(r.knowledge_area.as_deref()),
    )
}

fn kind(l: &Loan) -> &'static str {
    if l.reading_room {
        "reading_room"
    } else {
        "home"
    }
}
