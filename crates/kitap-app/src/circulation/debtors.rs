//! Debtors: readers with overdue loans, per library or system-wide, and the
//! automatic `overdue` block (`kitap_circulation::overdue_block_change`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kitap_circulation::{overdue_block_change, BlockChange, DebtPolicy};
use kitap_db::blocks::{self, StoredBlock};
use kitap_db::loans::{self, OverdueLoan};
use kitap_db::{branches, DbError};
use kitap_domain::{BlockId, BlockKind, BranchCode, ReaderId, Role, Timestamp};
use serde_json::json;

use super::fines::fine_per_day;
use super::state::reader_state;
use super::today;
use crate::audit::record as audit;
use crate::{Actor, App, AppError, Principal};

/// Who sees the debtors list.
const DEBTOR_READERS: &[Role] = &[Role::Librarian, Role::Admin, Role::Manager];

/// One overdue copy of a debtor.
#[derive(Debug, Clone)]
pub struct DebtorCopy {
    pub barcode: String,
    pub title: String,
    pub due_on: NaiveDate,
    pub days_overdue: i64,
    /// The fine so far (days overdue × the rule's fine per day); 0 when
    /// fines are off.
    pub fine_minor: i64,
}

/// A reader with overdue loans.
#[derive(Debug, Clone)]
pub struct Debtor {
    pub reader: ReaderId,
    pub name: String,
    pub card_number: String,
    /// `None` for roles that do not see personal data.
    pub phone: Option<String>,
    pub copies: Vec<DebtorCopy>,
    pub max_days_overdue: i64,
    /// The fines of the overdue copies so far.
    pub fines_minor: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockRefresh {
    pub placed: u32,
    pub lifted: u32,
}

fn sees_phone(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Librarian)
}

impl App {
    /// Readers with overdue loans of one library (by issuing library) or of
    /// all, by reader id from `after`, at most `limit`.
    pub fn debtors(
        &self,
        who: &Principal,
        library: Option<&str>,
        after: Option<ReaderId>,
        limit: usize,
    ) -> Result<Vec<Debtor>, AppError> {
        who.require_role(DEBTOR_READERS)?;
        let code: Option<BranchCode> = library.map(str::parse).transpose()?;
        let today = today();
        let full = sees_phone(who.staff.role);
        self.db.read(|conn| {
            let branch = match &code {
                Some(code) => Some(
                    branches::find_by_code(conn, code)
                        .map_err(|e| match e {
                            DbError::NotFound => AppError::NotFound { entity: "library" },
                            other => other.into(),
                        })?
                        .id,
                ),
                None => None,
            };
            let overdue = loans::overdue(conn, today, branch, None, 1_000_000)?;
            let fines = self.circulation.fines_enabled;
            let mut rates: BTreeMap<Option<kitap_domain::LoanRuleId>, i64> = BTreeMap::new();
            let mut by_reader: BTreeMap<ReaderId, Debtor> = BTreeMap::new();
            for o in overdue {
                let OverdueLoan { loan, .. } = &o;
                let days = (today - loan.due_on).num_days();
                let rate = match rates.get(&loan.rule_id) {
                    Some(rate) => *rate,
                    None => {
                        let rate = fine_per_day(conn, fines, loan)?;
                        rates.insert(loan.rule_id, rate);
                        rate
                    }
                };
                let fine_minor = rate.saturating_mul(days.max(0));
                let entry = by_reader.entry(loan.reader_id).or_insert_with(|| Debtor {
                    reader: loan.reader_id,
                    name: format!("{} {}", o.surname, o.first_name),
                    card_number: o.card_number.to_string(),
                    phone: if full { o.phone.clone() } else { None },
                    copies: Vec::new(),
                    max_days_overdue: 0,
                    fines_minor: 0,
                });
                entry.max_days_overdue = entry.max_days_overdue.max(days);
                entry.fines_minor = entry.fines_minor.saturating_add(fine_minor);
                entry.copies.push(DebtorCopy {
                    barcode: o.barcode.to_string(),
                    title: o.title.clone(),
                    due_on: loan.due_on,
                    days_overdue: days,
                    fine_minor,
                });
            }
            Ok(by_reader
                .into_values()
                .filter(|d| after.is_none_or(|a| d.reader > a))
                .take(limit)
                .collect())
        })
    }

    /// Places the `overdue` block on readers whose oldest overdue loan
    /// reached the threshold and lifts it from those with none that late.
    pub fn refresh_overdue_blocks(
        &self,
        who: &Principal,
        actor: &Actor,
    ) -> Result<BlockRefresh, AppError> {
        who.require_role(&[Role::Admin])?;
        self.refresh_overdue_blocks_job(actor)
    }

    /// The refresh without a principal, for a periodic job.
    pub fn refresh_overdue_blocks_job(&self, actor: &Actor) -> Result<BlockRefresh, AppError> {
        self.refresh_overdue_blocks_on(actor, today())
    }

    /// The refresh as of `today` (the notice job runs it on each tick).
    pub fn refresh_overdue_blocks_on(
        &self,
        actor: &Actor,
        today: NaiveDate,
    ) -> Result<BlockRefresh, AppError> {
        let policy = DebtPolicy {
            auto_block_after_days: self.circulation.auto_block_after_days,
        };
        let now = Timestamp::now();
        self.db.write(|conn| {
            let mut readers: Vec<ReaderId> = loans::overdue(conn, today, None, None, 1_000_000)?
                .iter()
                .map(|o| o.loan.reader_id)
                .collect();
            readers.extend(
                blocks::active_of_kind(conn, BlockKind::Overdue)?
                    .iter()
                    .map(|b| b.reader_id),
            );
            readers.sort();
            readers.dedup();
            let mut out = BlockRefresh::default();
            for id in readers {
                let reader = kitap_db::readers::find(conn, id)?;
                let state = reader_state(conn, &reader, today)?;
                match overdue_block_change(&state, &policy) {
                    Some(BlockChange::Place) => {
                        let block = StoredBlock {
                            id: BlockId::new(),
                            reader_id: id,
                            kind: BlockKind::Overdue,
                            reason: format!("{} days overdue", state.max_overdue_days),
                            created_at: now,
                            created_by: actor.staff_id,
                            lifted_at: None,
                            lifted_by: None,
                            lift_reason: None,
                        };
                        match blocks::insert(conn, &block) {
                            Ok(()) => {}
                            Err(DbError::UniqueViolation(_)) => continue,
                            Err(other) => return Err(other.into()),
                        }
                        let after = json!({"reader_id": id.to_string(), "kind": "overdue", "reason": block.reason});
                        audit(conn, actor, "block", ("reader_block", &block.id), None, Some(after))?;
                        out.placed += 1;
                    }
                    Some(BlockChange::Lift) => {
                        for b in blocks::active(conn, id)?
                            .into_iter()
                            .filter(|b| b.kind == BlockKind::Overdue)
                        {
                            if blocks::lift(conn, b.id, now, actor.staff_id, Some("no longer overdue"))? {
                                let after = json!({"lifted": true, "reason": "no longer overdue"});
                                audit(conn, actor, "lift_block", ("reader_block", &b.id), None, Some(after))?;
                                out.lifted += 1;
                            }
                        }
                    }
                    None => {}
                }
            }
            Ok(out)
        })
    }
}

const COLUMNS: [&str; 9] = [
    "Reader",
    "Card",
    "Phone",
    "Barcode",
    "Title",
    "Due on",
    "Days overdue",
    "Max days overdue",
    "Fine",
];

/// One line per overdue copy.
fn cells(list: &[Debtor]) -> Vec<[String; 9]> {
    list.iter()
        .flat_map(|d| {
            d.copies.iter().map(move |c| {
                [
                    d.name.clone(),
                    d.card_number.clone(),
                    d.phone.clone().unwrap_or_default(),
                    c.barcode.clone(),
                    c.title.clone(),
                    c.due_on.to_string(),
                    c.days_overdue.to_string(),
                    d.max_days_overdue.to_string(),
                    c.fine_minor.to_string(),
                ]
            })
        })
        .collect()
}

/// The debtors list as CSV (RFC 4180, UTF-8) or XLSX.
pub fn debtors_file(
    list: &[Debtor],
    format: crate::catalog::ExportFormat,
) -> Result<crate::catalog::ActFile, AppError> {
    use crate::catalog::ExportFormat;
    match format {
        ExportFormat::Csv => {
            let bytes =
                csv_bytes(list).map_err(|e| AppError::Internal(format!("debtors csv: {e}")))?;
            Ok(crate::catalog::ActFile {
                file_name: "debtors.csv".to_owned(),
                content_type: "text/csv; charset=utf-8",
                bytes,
            })
        }
        ExportFormat::Xlsx => {
            let bytes = xlsx(list).map_err(|e| AppError::Internal(format!("debtors xlsx: {e}")))?;
            Ok(crate::catalog::ActFile {
                file_name: "debtors.xlsx".to_owned(),
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                bytes,
            })
        }
    }
}

fn xlsx(list: &[Debtor]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let ws = book.add_worksheet();
    ws.set_name("Debtors")?;
    for (col, name) in (0u16..).zip(COLUMNS) {
        ws.write_string_with_format(0, col, name, &bold)?;
    }
    for (row, line) in (1u32..).zip(cells(list)) {
        for (col, value) in (0u16..).zip(line.iter()) {
            ws.write_string(row, col, value)?;
        }
    }
    book.save_to_buffer()
}

fn csv_bytes(list: &[Debtor]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(COLUMNS)?;
    for row in cells(list) {
        out.write_record(row)?;
    }
    out.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}
