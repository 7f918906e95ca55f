//! A circulation history in bulk, beside an imported catalogue: readers,
//! returned loans with their checkout and return events, and some loans
//! still open. Written with multi-row INSERTs in transactions through
//! `Db::execute_script`, the same SQL on both backends; the desk use cases
//! would take hours for two million loans, and what is measured is the desk
//! working next to such tables, not how they were filled.

use std::collections::HashSet;
use std::fmt::Write as _;

use anyhow::Context;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use kitap_app::{Db, DbUrl};
use kitap_domain::Barcode;
use uuid::Uuid;

use super::sqlcli::rows;
use crate::generator::Rng;

/// The seeded default loan rule (migration 2026-12-07-000001_circulation).
const DEFAULT_RULE: &str = "0193f0a0-0000-7000-8000-000000000001";
/// Rows per INSERT and INSERTs per transaction.
const ROWS: usize = 500;
const STATEMENTS: usize = 40;
/// Bench readers' card serials start here, far above the server's own series.
const CARD_SERIAL_BASE: u64 = 500_000_000;

pub struct CopyRow {
    pub id: String,
    pub record_id: String,
    pub branch_id: String,
    pub barcode: String,
    pub material_type: String,
}

pub struct Catalog {
    pub copies: Vec<CopyRow>,
    /// (id, code) of every library.
    pub branches: Vec<(String, String)>,
}

impl Catalog {
    pub fn load(url: &DbUrl) -> anyhow::Result<Catalog> {
        let copies = rows(
            url,
            "SELECT id, record_id, branch_id, barcode, material_type FROM copies \
             WHERE status = 'available' ORDER BY id",
        )?
        .into_iter()
        .filter_map(|r| match r.as_slice() {
            [id, record, branch, barcode, material] => Some(CopyRow {
                id: id.clone(),
                record_id: record.clone(),
                branch_id: branch.clone(),
                barcode: barcode.clone(),
                material_type: material.clone(),
            }),
            _ => None,
        })
        .collect();
        let branches = rows(url, "SELECT id, code FROM branches ORDER BY code")?
            .into_iter()
            .filter_map(|r| match r.as_slice() {
                [id, code] => Some((id.clone(), code.clone())),
                _ => None,
            })
            .collect();
        Ok(Catalog { copies, branches })
    }

    pub fn code_of(&self, branch_id: &str) -> &str {
        self.branches
            .iter()
            .find(|(id, _)| id == branch_id)
            .map_or("C00", |(_, code)| code.as_str())
    }
}

pub struct Reader {
    pub id: String,
    pub card: String,
    pub category: &'static str,
}

/// What the history left behind: the readers, and which copies (indexes
/// into `Catalog::copies`) and readers have open loans.
pub struct History {
    pub readers: Vec<Reader>,
    pub copies_on_loan: HashSet<usize>,
    pub readers_with_loans: HashSet<usize>,
    pub loans: u64,
    pub events: u64,
}

const SURNAMES: [&str; 12] = [
    "Ахметов",
    "Серікова",
    "Жұмабаев",
    "Иванова",
    "Қасымов",
    "Петров",
    "Нұрланова",
    "Әбенов",
    "Смирнова",
    "Төлегенов",
    "Оспанова",
    "Ким",
];
const NAMES: [&str; 10] = [
    "Айгүл",
    "Ерлан",
    "Мария",
    "Дәурен",
    "Олег",
    "Сәуле",
    "Асқар",
    "Анна",
    "Бауыржан",
    "Гүлнар",
];
/// Readers over 16: the bench lends without guardians.
const CATEGORIES: [&str; 3] = ["adult", "student", "pensioner"];

pub(crate) fn ts(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

/// Runs the accumulated statements once there are enough of them (also
/// the year generator's writer, `crate::year`).
pub(crate) struct Batches<'a> {
    db: &'a Db,
    sql: String,
    statements: usize,
}

impl<'a> Batches<'a> {
    pub(crate) fn new(db: &'a Db) -> Self {
        Batches {
            db,
            sql: String::new(),
            statements: 0,
        }
    }

    pub(crate) fn push(&mut self, statement: String) -> anyhow::Result<()> {
        self.sql.push_str(&statement);
        self.sql.push_str(";\n");
        self.statements += 1;
        if self.statements >= STATEMENTS {
            self.flush()?;
        }
        Ok(())
    }

    pub(crate) fn flush(&mut self) -> anyhow::Result<()> {
        if self.statements == 0 {
            return Ok(());
        }
        let script = format!("BEGIN;\n{}COMMIT;", self.sql);
        self.db.execute_script(&script).context("bulk insert")?;
        self.sql.clear();
        self.statements = 0;
        Ok(())
    }
}

/// Rows of one table collected into multi-row INSERTs.
pub(crate) struct Inserts {
    head: String,
    values: Vec<String>,
}

impl Inserts {
    pub(crate) fn new(head: &str) -> Self {
        Inserts {
            head: head.to_owned(),
            values: Vec::with_capacity(ROWS),
        }
    }

    pub(crate) fn add(&mut self, row: String, out: &mut Batches) -> anyhow::Result<()> {
        self.values.push(row);
        if self.full() {
            self.finish(out)?;
        }
        Ok(())
    }

    fn full(&self) -> bool {
        self.values.len() >= ROWS
    }

    pub(crate) fn finish(&mut self, out: &mut Batches) -> anyhow::Result<()> {
        if self.values.is_empty() {
            return Ok(());
        }
        let statement = format!("{} VALUES {}", self.head, self.values.join(","));
        self.values.clear();
        out.push(statement)
    }
}

/// `count` active readers registered this year, in the 21 libraries.
pub fn insert_readers(
    db: &Db,
    catalog: &Catalog,
    count: usize,
    today: NaiveDate,
) -> anyhow::Result<Vec<Reader>> {
    let mut rng = Rng::new(5);
    let mut out = Batches::new(db);
    let mut inserts = Inserts::new(
        "INSERT INTO readers (id, card_number, surname, surname_key, first_name, birth_date, \
         category, status, home_branch_id, consent_email, consent_sms, consent_phone, keep_history, \
         registered_on, registered_until, version, created_at, updated_at)",
    );
    let now = ts(today.and_hms_opt(9, 0, 0).unwrap_or_default());
    let mut readers = Vec::with_capacity(count);
    for n in 0..count {
        let id = Uuid::now_v7().to_string();
        let card = Barcode::ean13("290", CARD_SERIAL_BASE + n as u64)?
            .as_str()
            .to_owned();
        let surname = *rng.pick(&SURNAMES);
        let category = *rng.pick(&CATEGORIES);
        let birth = NaiveDate::from_ymd_opt(
            1945 + rng.below(60) as i32,
            1 + rng.below(12) as u32,
            1 + rng.below(28) as u32,
        )
        .unwrap_or_default();
        let home = &catalog.branches[n % catalog.branches.len()].0;
        let row = format!(
            "('{id}','{card}','{surname}','{key}','{name}','{birth}','{category}','active','{home}',\
             FALSE,FALSE,TRUE,FALSE,'{from}','{until}',1,'{now}','{now}')",
            key = surname.to_lowercase(),
            name = rng.pick(&NAMES),
            from = today - Duration::days(60),
            until = today + Duration::days(300),
        );
        inserts.add(row, &mut out)?;
        readers.push(Reader { id, card, category });
    }
    inserts.finish(&mut out)?;
    out.flush()?;
    Ok(readers)
}

/// One loan row and its events.
struct LoanRows<'a> {
    loans: Inserts,
    events: Inserts,
    catalog: &'a Catalog,
    readers: &'a [Reader],
}

impl LoanRows<'_> {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        out: &mut Batches,
        copy: usize,
        reader: usize,
        issued: NaiveDateTime,
        returned: Option<NaiveDateTime>,
        language: &str,
    ) -> anyhow::Result<u64> {
        let c = &self.catalog.copies[copy];
        let r = &self.readers[reader];
        let id = Uuid::now_v7().to_string();
        let due = issued.date() + Duration::days(15);
        let (ret, ret_branch) = match returned {
            Some(t) => (format!("'{}'", ts(t)), format!("'{}'", c.branch_id)),
            None => ("NULL".to_owned(), "NULL".to_owned()),
        };
        let loan = format!(
            "('{id}','{copy}','{reader}','{branch}','home','{DEFAULT_RULE}','{issued}','{due}',0,\
             {ret},{ret_branch},0,1)",
            copy = c.id,
            reader = r.id,
            branch = c.branch_id,
            issued = ts(issued),
        );
        self.loans.values.push(loan);
        let mut events = 0;
        let mut event = |kind: &str, at: NaiveDateTime| {
            let kazakh = if language == "kaz" { "TRUE" } else { "FALSE" };
            let row = format!(
                "('{eid}','{at}','{kind}','{id}','{copy}','{record}','{reader}','{branch}','home',\
                 '{category}','adult','{material}','{language}',{kazakh},'{due}')",
                eid = Uuid::now_v7(),
                at = ts(at),
                copy = c.id,
                record = c.record_id,
                reader = r.id,
                branch = c.branch_id,
                category = r.category,
                material = c.material_type,
            );
            events += 1;
            self.events.values.push(row);
        };
        event("checkout", issued);
        if let Some(t) = returned {
            event("return", t);
        }
        // Loans before their events: the events refer to them.
        if self.events.full() {
            self.loans.finish(out)?;
            self.events.finish(out)?;
        }
        Ok(events)
    }
}

/// `loans` returned loans over the last two years, then two open loans for
/// each of `open_readers` readers (not yet due) with their copies marked on
/// loan.
pub fn insert_history(
    db: &Db,
    catalog: &Catalog,
    readers: Vec<Reader>,
    loans: u64,
    open_readers: usize,
    today: NaiveDate,
) -> anyhow::Result<History> {
    let mut rng = Rng::new(7);
    let mut out = Batches::new(db);
    let mut rows = LoanRows {
        loans: Inserts::new(
            "INSERT INTO loans (id, copy_id, reader_id, branch_id, kind, rule_id, issued_at, due_on, \
             renewals, returned_at, return_branch_id, fine_minor, version)",
        ),
        events: Inserts::new(
            "INSERT INTO circulation_events (id, at, kind, loan_id, copy_id, record_id, reader_id, \
             branch_id, loan_kind, reader_category, age_band, material_type, language, kazakh, due_on)",
        ),
        catalog,
        readers: &readers,
    };
    let start = (today - Duration::days(730))
        .and_hms_opt(9, 0, 0)
        .unwrap_or_default();
    let mut events = 0;
    for n in 0..loans {
        let issued = start
            + Duration::seconds((n as f64 / loans as f64 * 700.0 * 86_400.0) as i64)
            + Duration::minutes(rng.below(600) as i64);
        let returned = issued + Duration::days(1 + rng.below(25) as i64);
        let language = if rng.chance(0.55) { "kaz" } else { "rus" };
        let copy = rng.below(catalog.copies.len());
        let reader = rng.below(readers.len());
        events += rows.add(&mut out, copy, reader, issued, Some(returned), language)?;
    }
    let mut copies_on_loan = HashSet::new();
    let mut readers_with_loans = HashSet::new();
    let issued = (today - Duration::days(5))
        .and_hms_opt(11, 0, 0)
        .unwrap_or_default();
    let mut open = 0;
    while readers_with_loans.len() < open_readers.min(readers.len()) {
        let reader = rng.below(readers.len());
        if !readers_with_loans.insert(reader) {
            continue;
        }
        for _ in 0..2 {
            let copy = loop {
                let c = rng.below(catalog.copies.len());
                if copies_on_loan.insert(c) {
                    break c;
                }
            };
            events += rows.add(&mut out, copy, reader, issued, None, "kaz")?;
            open += 1;
        }
    }
    rows.loans.finish(&mut out)?;
    rows.events.finish(&mut out)?;
    out.flush()?;
    db.execute_script(
        "UPDATE copies SET status = 'on_loan' \
         WHERE id IN (SELECT copy_id FROM loans WHERE returned_at IS NULL)",
    )?;
    Ok(History {
        readers,
        copies_on_loan,
        readers_with_loans,
        loans: loans + open,
        events,
    })
}

/// Makes planner statistics current after the bulk load (PostgreSQL's
/// autovacuum would get there later; SQLite plans without them).
pub fn analyze(db: &Db) -> anyhow::Result<()> {
    db.execute_script("ANALYZE").context("ANALYZE")?;
    Ok(())
}

/// A report line: how much there is.
pub fn sizes(url: &DbUrl) -> anyhow::Result<String> {
    let mut line = String::new();
    for table in [
        "records",
        "copies",
        "readers",
        "loans",
        "circulation_events",
    ] {
        let n = rows(url, &format!("SELECT count(*) FROM {table}"))?;
        let n = n
            .first()
            .and_then(|r| r.first())
            .cloned()
            .unwrap_or_default();
        let _ = write!(line, "{table} {n}; ");
    }
    Ok(line)
}
