//! Circulation event rows: the facts statistics count by, as they were at
//! the moment (reader category and age band, material type, the record's
//! language, Kazakh flag and knowledge area).

use chrono::NaiveDate;
use kitap_circulation::AgeBands;
use kitap_db::circ_events::{self, CirculationEvent};
use kitap_db::copies::StoredCopy;
use kitap_db::readers::StoredReader;
use kitap_db::{records, DbConnection, DbError};
use kitap_domain::{
    BranchId, CirculationEventId, CirculationEventKind, LoanId, LoanKind, Timestamp,
};

use crate::Actor;

/// What one event says beyond reader and copy.
pub(crate) struct EventFacts<'a> {
    pub kind: CirculationEventKind,
    pub loan: Option<LoanId>,
    pub loan_kind: Option<LoanKind>,
    pub branch: BranchId,
    pub due_on: Option<NaiveDate>,
    pub overridden: &'a [kitap_circulation::RefusalCode],
    pub detail: Option<String>,
    /// The configured age bands (`[statistics]`): the event keeps the
    /// reader's band of its day.
    pub bands: AgeBands,
}

pub(crate) fn write(
    conn: &mut DbConnection,
    actor: &Actor,
    (reader, copy): (&StoredReader, &StoredCopy),
    facts: EventFacts<'_>,
    at: Timestamp,
    today: NaiveDate,
) -> Result<CirculationEventId, DbError> {
    // The copy's record now, not as the caller read it: a merge may have
    // moved the copy since (the row lock makes the merge wait or be seen).
    let record_id = kitap_db::merges::record_of_copy(conn, copy.id)?;
    let record = records::find(conn, record_id)?;
    let id = CirculationEventId::new();
    circ_events::insert(
        conn,
        &CirculationEvent {
            id,
            at,
            kind: facts.kind,
            loan_id: facts.loan,
            copy_id: copy.id,
            record_id,
            reader_id: reader.id,
            branch_id: facts.branch,
            staff_id: actor.staff_id,
            loan_kind: facts.loan_kind,
            reader_category: reader.category,
            age_band: facts.bands.band_for(reader.birth_date, today),
            material_type: copy.material_type.clone(),
            language: record.derived.language.clone(),
            kazakh: record.derived.kazakh,
            knowledge_area: record.derived.knowledge_area.clone(),
            due_on: facts.due_on,
            overridden: facts
                .overridden
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            detail: facts.detail,
        },
    )?;
    Ok(id)
}
