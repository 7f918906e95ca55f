//! Redistribution (issue #7, points 5 and 6): transfer acts that give
//! copies for good to another library, and the finder that proposes what
//! to give.
//!
//! An act is one transaction: it is numbered ("ТА-2026/0001"), its lines
//! keep each copy's price, and every copy goes through
//! `kitap_exchange::apply(Op::Redistribute)` and [`position::write`]: onto
//! the sending library's pick list with reason `redistribution`, or, a copy
//! already standing at the receiving library, given at once. The usual
//! dispatch and receive scans carry it; receipt makes the receiving library
//! its home. A copy that cannot be given (on loan, in transit, lent in a
//! selection, on a pick list, owned by another library) refuses the whole
//! act with its inventory number named, so nothing is half given.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};
use kitap_db::copies::{self, StoredCopy};
use kitap_db::exchange::acts::{self, StoredActLine, StoredTransferAct};
use kitap_db::exchange::finder::{self, UnusedCopy};
use kitap_db::exchange::transfers::{self, StoredTransfer};
use kitap_db::{branches, DbConnection};
use kitap_domain::{
    BranchId, CopyId, CopyStatus, Money, RecordId, Role, Timestamp, TransferActId, ValueError,
};
use kitap_exchange::{Demand, Holding, Op, Surplus};
use serde_json::json;

use super::position::{self, At};
use super::settings::library;
use crate::audit::record as audit;
use crate::catalog::act_export::{render, Printed};
use crate::catalog::{ActFile, ActHeader, ActLine, ExportFormat};
use crate::{Actor, App, AppError, Principal};

/// Who gives copies away: the unified-fund department and administrators.
pub(crate) const GIVERS: &[Role] = &[Role::Exchange, Role::Admin];
/// Who reads the acts (the transit board's audience).
const ACT_READERS: &[Role] = &[Role::Librarian, Role::Exchange, Role::Admin, Role::Manager];
/// Who asks the finder: planning, not desk work.
pub(crate) const PLANNERS: &[Role] = &[Role::Exchange, Role::Admin, Role::Manager];

/// The act number prefix ("transfer act").
const PREFIX: &str = "ТА";
/// Copies per act: far above a real act, low enough for one transaction.
pub const MAX_COPIES_PER_TRANSFER_ACT: usize = 5_000;

/// A transfer act to make at the acting (giving) library.
#[derive(Debug, Clone, Default)]
pub struct NewTransferAct {
    /// Code of the receiving library.
    pub to_library: String,
    /// The act's date (default: today).
    pub date: Option<NaiveDate>,
    pub copy_ids: Vec<CopyId>,
    pub barcodes: Vec<String>,
    pub note: Option<String>,
}

/// One line of an act, with what it prints and where the copy is now.
#[derive(Debug, Clone)]
pub struct TransferActLine {
    pub copy: StoredCopy,
    pub price: Option<Money>,
    pub title: String,
    pub author: Option<String>,
    pub year: Option<i32>,
    /// The copy's movement for this act; `None` when it was given at once
    /// (it already stood at the receiving library).
    pub movement: Option<StoredTransfer>,
}

#[derive(Debug, Clone)]
pub struct TransferActView {
    pub act: StoredTransferAct,
    pub lines: Vec<TransferActLine>,
}

/// What the finder looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinderQuery {
    /// Copies of `library` (or of all) nobody borrowed for `years` years.
    Unused {
        library: Option<BranchId>,
        years: u16,
        limit: i64,
    },
    /// Titles with more than `min_copies` copies in one library and none in
    /// another; demand counts holds placed in the last `years` years.
    Surplus {
        library: Option<BranchId>,
        min_copies: u32,
        years: u16,
    },
}

/// A surplus proposal with the title named.
#[derive(Debug, Clone)]
pub struct SurplusView {
    pub surplus: Surplus,
    pub title: String,
}

#[derive(Debug, Clone)]
pub enum Candidates {
    Unused(Vec<UnusedCopy>),
    Surplus(Vec<SurplusView>),
}

fn act_missing(err: kitap_db::DbError) -> AppError {
    match err {
        kitap_db::DbError::NotFound => AppError::NotFound {
            entity: "transfer act",
        },
        other => other.into(),
    }
}

/// `n` years back from `now` (365 days each: the finder is not a calendar).
fn years_back(now: Timestamp, years: u16) -> Timestamp {
    Timestamp::from_utc(now.utc() - Duration::days(365 * i64::from(years)))
}

/// The copies the act names, each once, locked for the transaction.
fn load_copies(conn: &mut DbConnection, new: &NewTransferAct) -> Result<Vec<StoredCopy>, AppError> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for id in &new.copy_ids {
        let copy = copies::find_for_update(conn, *id).map_err(crate::catalog::copy_missing)?;
        if seen.insert(copy.id) {
            out.push(copy);
        }
    }
    for raw in &new.barcodes {
        let barcode: kitap_domain::Barcode = raw.parse()?;
        let copy = copies::find_by_barcode_for_update(conn, &barcode)
            .map_err(crate::catalog::copy_missing)?;
        if seen.insert(copy.id) {
            out.push(copy);
        }
    }
    Ok(out)
}

fn named(copy: &StoredCopy, code: &'static str, why: impl std::fmt::Display) -> AppError {
    AppError::conflict(code, format!("copy {}: {why}", copy.inventory_number))
}

fn line_of(
    conn: &mut DbConnection,
    act: &StoredTransferAct,
    stored: &StoredActLine,
) -> Result<TransferActLine, AppError> {
    let copy = copies::find(conn, stored.copy_id)?;
    let record = kitap_db::records::find(conn, copy.record_id)?;
    let movement = transfers::of_copy(conn, copy.id)?
        .into_iter()
        .filter(|t| t.act_id == Some(act.id))
        .max_by_key(|t| t.requested_at);
    Ok(TransferActLine {
        price: stored.price_minor.map(Money::try_from).transpose()?,
        title: record.derived.title,
        author: record.derived.main_author,
        year: record.derived.year,
        movement,
        copy,
    })
}

fn view_of(conn: &mut DbConnection, act: StoredTransferAct) -> Result<TransferActView, AppError> {
    let mut lines = Vec::new();
    for stored in acts::lines(conn, act.id)? {
        lines.push(line_of(conn, &act, &stored)?);
    }
    lines.sort_by(|a, b| {
        a.copy
            .inventory_number
            .to_string()
            .cmp(&b.copy.inventory_number.to_string())
    });
    Ok(TransferActView { act, lines })
}

impl App {
    /// Makes a transfer act at the acting library: its copies go on the
    /// pick list for the receiving library (or are given at once when they
    /// already stand there). All or nothing.
    pub fn create_transfer_act(
        &self,
        who: &Principal,
        actor: &Actor,
        new: NewTransferAct,
    ) -> Result<TransferActView, AppError> {
        who.require_role(GIVERS)?;
        let count = new.copy_ids.len() + new.barcodes.len();
        if count == 0 {
            return Err(ValueError::new(
                "copy_ids",
                "name at least one copy (copy_ids or barcodes)",
            )
            .into());
        }
        if count > MAX_COPIES_PER_TRANSFER_ACT {
            return Err(ValueError::new(
                "copy_ids",
                format!("at most {MAX_COPIES_PER_TRANSFER_ACT} copies per act"),
            )
            .into());
        }
        let from = who.acting_branch.id;
        let now = Timestamp::now();
        let date = new.date.unwrap_or_else(crate::circulation::today);
        let note = new
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        self.db.write(|conn| {
            let to = library(conn, &new.to_library)?;
            if to == from {
                return Err(ValueError::new(
                    "to_library",
                    "must be another library than the giving (acting) one",
                )
                .into());
            }
            let given = load_copies(conn, &new)?;
            let id = TransferActId::new();
            let mut checked = Vec::with_capacity(given.len());
            let mut total = Money::ZERO;
            for copy in given {
                if copy.branch_id != from {
                    return Err(named(
                        &copy,
                        "copy_in_other_library",
                        "belongs to another library; only its owner gives it",
                    ));
                }
                let loaded = position::load(conn, copy.clone())?;
                let after = kitap_exchange::apply(&loaded.pos, &Op::Redistribute { act: id, to })
                    .map_err(|r| named(&copy, r.code.as_str(), r.detail))?;
                if copy.status != CopyStatus::Available {
                    return Err(named(
                        &copy,
                        "copy_not_available",
                        format!("is {}", copy.status.as_str()),
                    ));
                }
                if let Some(price) = copy.price {
                    total = total.checked_add(price).ok_or_else(|| {
                        AppError::from(ValueError::new("copy_ids", "the act total is too large"))
                    })?;
                }
                checked.push((loaded, after));
            }
            let n = acts::next_number(conn, date.year())?;
            let act = StoredTransferAct {
                id,
                number: format!("{PREFIX}-{}/{n:04}", date.year()),
                from_branch_id: from,
                to_branch_id: to,
                act_date: date,
                note: note.clone(),
                copy_count: i32::try_from(checked.len())
                    .map_err(|_| ValueError::new("copy_ids", "too many copies"))?,
                total_minor: total.minor(),
                created_by: actor.staff_id,
                created_at: now,
            };
            let lines: Vec<StoredActLine> = checked
                .iter()
                .map(|(l, _)| StoredActLine {
                    copy_id: l.copy.id,
                    price_minor: l.copy.price.map(Money::minor),
                })
                .collect();
            acts::insert(conn, &act, &lines)?;
            let at = At {
                actor,
                here: from,
                now,
                note: Some(act.number.as_str()),
            };
            for (loaded, after) in &checked {
                position::write(conn, loaded, after, &at)?;
            }
            let copies: Vec<String> = checked.iter().map(|(l, _)| l.copy.id.to_string()).collect();
            audit(
                conn,
                actor,
                "create",
                ("transfer_act", &id),
                None,
                Some(json!({
                    "number": act.number, "from": from.to_string(), "to": to.to_string(),
                    "act_date": date, "copy_count": act.copy_count,
                    "total_minor": act.total_minor, "copies": copies,
                })),
            )?;
            view_of(conn, act)
        })
    }

    /// Acts given by `from` and/or received by `to`, newest first.
    pub fn transfer_acts(
        &self,
        who: &Principal,
        from: Option<BranchId>,
        to: Option<BranchId>,
        limit: i64,
    ) -> Result<Vec<StoredTransferAct>, AppError> {
        who.require_role(ACT_READERS)?;
        self.db
            .read(|conn| Ok(acts::list(conn, from, to, limit.clamp(1, 1000))?))
    }

    /// One act with its lines and where each copy is.
    pub fn transfer_act(
        &self,
        who: &Principal,
        id: TransferActId,
    ) -> Result<TransferActView, AppError> {
        who.require_role(ACT_READERS)?;
        self.db.read(|conn| {
            let act = acts::find(conn, id).map_err(act_missing)?;
            view_of(conn, act)
        })
    }

    /// The act as a file (CSV or XLSX), as the accession and write-off acts.
    pub fn export_transfer_act(
        &self,
        who: &Principal,
        id: TransferActId,
        format: ExportFormat,
    ) -> Result<ActFile, AppError> {
        let v = self.transfer_act(who, id)?;
        let all = self.list_branches(true)?;
        let name = |b: BranchId| {
            all.iter()
                .find(|x| x.id == b)
                .map(|x| format!("{} {}", x.code, x.name_kk))
                .unwrap_or_else(|| b.to_string())
        };
        let header = ActHeader {
            number: v.act.number.clone(),
            branch_id: v.act.from_branch_id,
            act_date: v.act.act_date,
            note: v.act.note.clone(),
            copy_count: v.act.copy_count,
            total: Money::try_from(v.act.total_minor)?,
            created_by: v.act.created_by,
            created_at: v.act.created_at,
        };
        let lines: Vec<ActLine> = v
            .lines
            .iter()
            .map(|l| ActLine {
                copy: l.copy.clone(),
                price: l.price,
                title: l.title.clone(),
                author: l.author.clone(),
                year: l.year,
            })
            .collect();
        render(
            &Printed {
                title: "Transfer act",
                header: &header,
                facts: vec![
                    ("From", name(v.act.from_branch_id)),
                    ("To", name(v.act.to_branch_id)),
                ],
                lines: &lines,
            },
            format,
        )
    }

    /// Redistribution candidates: unused copies, or titles piled up in one
    /// library and missing in another (with the libraries whose readers
    /// asked for them, most requests first).
    pub fn redistribution_candidates(
        &self,
        who: &Principal,
        q: FinderQuery,
    ) -> Result<Candidates, AppError> {
        who.require_role(PLANNERS)?;
        let now = Timestamp::now();
        self.db.read(|conn| match q {
            FinderQuery::Unused {
                library,
                years,
                limit,
            } => Ok(Candidates::Unused(finder::unused_copies(
                conn,
                library,
                years_back(now, years),
                limit.clamp(1, 5_000),
            )?)),
            FinderQuery::Surplus {
                library,
                min_copies,
                years,
            } => {
                let holdings: Vec<Holding> = finder::holdings_by_library(conn)?
                    .into_iter()
                    .map(|(record, library, n)| Holding {
                        record,
                        library,
                        copies: u32::try_from(n).unwrap_or(u32::MAX),
                    })
                    .collect();
                let demand: Vec<Demand> = finder::demand_by_library(conn, years_back(now, years))?
                    .into_iter()
                    .map(|(record, library, n)| Demand {
                        record,
                        library,
                        requests: u32::try_from(n).unwrap_or(u32::MAX),
                    })
                    .collect();
                let system: Vec<BranchId> = branches::list(conn)?
                    .into_iter()
                    .filter(|b| b.active)
                    .map(|b| b.id)
                    .collect();
                let mut out = Vec::new();
                for s in kitap_exchange::surplus(&holdings, &demand, &system, min_copies) {
                    if library.is_some_and(|l| l != s.from) {
                        continue;
                    }
                    let title = title_of(conn, s.record)?;
                    out.push(SurplusView { surplus: s, title });
                }
                Ok(Candidates::Surplus(out))
            }
        })
    }
}

fn title_of(conn: &mut DbConnection, record: RecordId) -> Result<String, AppError> {
    Ok(kitap_db::records::find(conn, record)?.derived.title)
}
