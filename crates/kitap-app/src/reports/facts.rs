//! The facts of one report request, each family loaded from the database
//! on first use and kept for the rest of the request: a bundle of every
//! table reads the circulation log once, not once per report.

use std::rc::Rc;
use std::time::Instant;

use kitap_circulation::AgeBands;
use kitap_db::DbConnection;
use kitap_stats::{
    AttendanceFact, CirculationFact, ExchangeFact, FundFacts, LoanFact, ReaderFact, RecordFact,
    Scope, SelfServiceFact,
};

use super::fund::{load_exchange, load_fund};
use super::remote::load_self_service;
use super::{load_attendance, load_circulation, load_loans, load_readers, load_records};
use crate::AppError;

/// The fact families of `scope`, loaded lazily within one `Db::read`.
pub(crate) struct Facts<'c> {
    conn: &'c mut DbConnection,
    pub(crate) scope: Scope,
    /// The configured age bands readers are counted in.
    bands: AgeBands,
    circulation: Option<Rc<Vec<CirculationFact>>>,
    attendance: Option<Rc<Vec<AttendanceFact>>>,
    readers: Option<Rc<Vec<ReaderFact>>>,
    loans: Option<Rc<Vec<LoanFact>>>,
    records: Option<Rc<Vec<RecordFact>>>,
    fund: Option<Rc<FundFacts>>,
    exchange: Option<Rc<Vec<ExchangeFact>>>,
    self_service: Option<Rc<Vec<SelfServiceFact>>>,
}

/// The cached family, or `load` it into the cache.
fn cached<T>(
    family: &'static str,
    slot: &mut Option<Rc<T>>,
    load: impl FnOnce() -> Result<T, AppError>,
) -> Result<Rc<T>, AppError> {
    if let Some(facts) = slot {
        return Ok(Rc::clone(facts));
    }
    let started = Instant::now();
    let facts = Rc::new(load()?);
    tracing::debug!(
        family,
        seconds = started.elapsed().as_secs_f64(),
        "statistics facts loaded"
    );
    *slot = Some(Rc::clone(&facts));
    Ok(facts)
}

impl<'c> Facts<'c> {
    pub(crate) fn new(conn: &'c mut DbConnection, scope: Scope, bands: AgeBands) -> Facts<'c> {
        Facts {
            conn,
            scope,
            bands,
            circulation: None,
            attendance: None,
            readers: None,
            loans: None,
            records: None,
            fund: None,
            exchange: None,
            self_service: None,
        }
    }

    pub(crate) fn circulation(&mut self) -> Result<Rc<Vec<CirculationFact>>, AppError> {
        cached("circulation", &mut self.circulation, || {
            load_circulation(self.conn, &self.scope)
        })
    }

    pub(crate) fn attendance(&mut self) -> Result<Rc<Vec<AttendanceFact>>, AppError> {
        cached("attendance", &mut self.attendance, || {
            load_attendance(self.conn, &self.scope)
        })
    }

    /// Registrations covering a day of the period or of the same period a
    /// year earlier: the readers report and the debtors' year-earlier
    /// columns both filter them by their own period.
    pub(crate) fn readers(&mut self) -> Result<Rc<Vec<ReaderFact>>, AppError> {
        cached("readers", &mut self.readers, || {
            let wide = Scope {
                from: kitap_stats::year_earlier(&self.scope).from,
                ..self.scope.clone()
            };
            load_readers(self.conn, &wide, &self.bands)
        })
    }

    pub(crate) fn loans(&mut self) -> Result<Rc<Vec<LoanFact>>, AppError> {
        cached("loans", &mut self.loans, || {
            load_loans(self.conn, &self.scope)
        })
    }

    pub(crate) fn records(&mut self) -> Result<Rc<Vec<RecordFact>>, AppError> {
        cached("records", &mut self.records, || {
            load_records(self.conn, &self.scope)
        })
    }

    /// Act lines, holdings and home moves: the fund tables and the ratios.
    pub(crate) fn fund(&mut self) -> Result<Rc<FundFacts>, AppError> {
        cached("fund", &mut self.fund, || load_fund(self.conn, &self.scope))
    }

    pub(crate) fn exchange(&mut self) -> Result<Rc<Vec<ExchangeFact>>, AppError> {
        cached("exchange", &mut self.exchange, || {
            load_exchange(self.conn, &self.scope)
        })
    }

    /// Readers' own OPAC actions: the remote users of the readers table.
    pub(crate) fn self_service(&mut self) -> Result<Rc<Vec<SelfServiceFact>>, AppError> {
        cached("self_service", &mut self.self_service, || {
            load_self_service(self.conn, &self.scope)
        })
    }
}
