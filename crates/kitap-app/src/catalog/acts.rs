//! Accession and write-off acts: the numbered documents by which copies enter
//! and leave the fund. An act is made once, with its copies, in one
//! transaction (see `act_create`), and never changes afterwards: a mistake is
//! corrected by another act. Here: what an act is made of, reading, listing.

use chrono::NaiveDate;
use kitap_db::acts::{self, AccessionAct, ActFilter, ActLine, WriteOffAct};
use kitap_db::branches::Branch;
use kitap_db::DbConnection;
use kitap_domain::{AccessionActId, CopyId, RecordId, WriteOffActId};

use super::copies::{find_library, NewCopies};
use crate::{App, AppError, Principal};

/// The most copies one act lists.
pub const MAX_COPIES_PER_ACT: usize = 5000;

/// New copies of one record, made by an accession act. The act gives their
/// library, acquisition date, source and supplier.
#[derive(Debug, Clone)]
pub struct ActNewCopies {
    pub record_id: RecordId,
    pub copies: NewCopies,
}

#[derive(Debug, Clone)]
pub struct NewAccessionAct {
    /// Library code; the acting library when absent.
    pub library: Option<String>,
    pub date: NaiveDate,
    pub source: String,
    pub supplier: Option<String>,
    pub document_ref: Option<String>,
    pub note: Option<String>,
    /// Copies already catalogued but not yet on an act.
    pub copy_ids: Vec<CopyId>,
    pub new_copies: Vec<ActNewCopies>,
}

#[derive(Debug, Clone)]
pub struct NewWriteOffAct {
    pub library: Option<String>,
    pub date: NaiveDate,
    pub reason: String,
    pub note: Option<String>,
    pub copy_ids: Vec<CopyId>,
}

/// Which acts to list, in creation order.
#[derive(Debug, Clone, Default)]
pub struct ActQuery {
    pub library: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub after: Option<String>,
    pub limit: u32,
}

/// An act with its library and its lines, as shown and printed.
#[derive(Debug, Clone)]
pub struct ActDetails<A> {
    pub act: A,
    pub library: Branch,
    pub lines: Vec<ActLine>,
}

impl App {
    pub fn accession_act(
        &self,
        _who: &Principal,
        id: AccessionActId,
    ) -> Result<ActDetails<AccessionAct>, AppError> {
        self.db.read(|conn| {
            let act = acts::find_accession(conn, id).map_err(act_missing)?;
            let library = kitap_db::branches::find(conn, act.header.branch_id)?;
            let lines = acts::accession_lines(conn, id)?;
            Ok(ActDetails {
                act,
                library,
                lines,
            })
        })
    }

    pub fn write_off_act(
        &self,
        _who: &Principal,
        id: WriteOffActId,
    ) -> Result<ActDetails<WriteOffAct>, AppError> {
        self.db.read(|conn| {
            let act = acts::find_write_off(conn, id).map_err(act_missing)?;
            let library = kitap_db::branches::find(conn, act.header.branch_id)?;
            let lines = acts::write_off_lines(conn, id)?;
            Ok(ActDetails {
                act,
                library,
                lines,
            })
        })
    }

    pub fn list_accession_acts(
        &self,
        _who: &Principal,
        query: ActQuery,
    ) -> Result<Vec<AccessionAct>, AppError> {
        self.db.read(|conn| {
            let filter = act_filter(conn, query)?;
            Ok(acts::list_accession(conn, &filter)?)
        })
    }

    pub fn list_write_off_acts(
        &self,
        _who: &Principal,
        query: ActQuery,
    ) -> Result<Vec<WriteOffAct>, AppError> {
        self.db.read(|conn| {
            let filter = act_filter(conn, query)?;
            Ok(acts::list_write_off(conn, &filter)?)
        })
    }
}

fn act_filter(conn: &mut DbConnection, query: ActQuery) -> Result<ActFilter, AppError> {
    let branch_id = match &query.library {
        Some(code) => Some(find_library(conn, code)?.id),
        None => None,
    };
    Ok(ActFilter {
        branch_id,
        from: query.from,
        to: query.to,
        after: query.after,
        limit: i64::from(query.limit.clamp(1, 500)),
    })
}

pub(crate) fn act_missing(err: kitap_db::DbError) -> AppError {
    match err {
        kitap_db::DbError::NotFound => AppError::NotFound { entity: "act" },
        other => other.into(),
    }
}
