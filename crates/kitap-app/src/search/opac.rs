//! The public catalogue: search with live availability, and the record page.
//! No reader data ever appears here: copies show library, shelf mark and state.

use std::collections::{BTreeMap, HashMap};

use kitap_catalog::BibView;
use kitap_db::search_feed::{self, PublicCopy};
use kitap_domain::{CopyStatus, RecordStatus};
use kitap_marc::Record;
use kitap_search::{Highlighter, QueryError, SearchError, SearchRequest};
use serde::Serialize;

use super::docs::view_of;
use super::service::{internal, SearchService};
use crate::{App, AppError};

/// Copies of one record at one library, by state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Availability {
    pub library: String,
    pub library_name_kk: String,
    pub library_name_ru: String,
    /// On the shelf, may go home.
    pub available: u32,
    pub on_loan: u32,
    /// On the shelf, reading room only.
    pub reading_room_only: u32,
    pub in_transit: u32,
    /// Lost, missing or in repair.
    pub unavailable: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub id: String,
    pub score: f32,
    pub view: BibView,
    /// Field name -> HTML text with `<mark>` around the matched words.
    pub highlights: BTreeMap<&'static str, String>,
    pub availability: Vec<Availability>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchPage {
    pub total: usize,
    pub hits: Vec<SearchHit>,
    pub facets: kitap_search::Facets,
    pub next: Option<String>,
}

/// One copy on the record page.
#[derive(Debug, Clone, Serialize)]
pub struct CopyLine {
    pub status: String,
    pub material_type: String,
    pub location: Option<String>,
    pub shelf: Option<String>,
    /// When a copy on loan is due back. Loans arrive with circulation (#5);
    /// until then no copy has a due date.
    pub due_date: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LibraryHoldings {
    pub library: String,
    pub library_name_kk: String,
    pub library_name_ru: String,
    pub copies: Vec<CopyLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpacRecord {
    pub id: String,
    pub view: BibView,
    pub availability: Vec<Availability>,
    pub holdings: Vec<LibraryHoldings>,
}

fn availability_of(copies: &[&PublicCopy]) -> Vec<Availability> {
    let mut by_library: BTreeMap<&str, Availability> = BTreeMap::new();
    for c in copies {
        let a = by_library
            .entry(&c.branch_code)
            .or_insert_with(|| Availability {
                library: c.branch_code.clone(),
                library_name_kk: c.branch_name_kk.clone(),
                library_name_ru: c.branch_name_ru.clone(),
                ..Availability::default()
            });
        match c.status {
            CopyStatus::Available => a.available += 1,
            CopyStatus::OnLoan => a.on_loan += 1,
            CopyStatus::ReadingRoomOnly => a.reading_room_only += 1,
            CopyStatus::InTransit => a.in_transit += 1,
            CopyStatus::Lost
            | CopyStatus::Withdrawn
            | CopyStatus::InRepair
            | CopyStatus::Missing => a.unavailable += 1,
        }
    }
    by_library.into_values().collect()
}

fn highlights(h: &Highlighter, view: &BibView) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    let mut put = |name: &'static str, text: Option<String>| {
        if let Some(marked) = text.as_deref().and_then(|t| h.mark(t)) {
            out.insert(name, marked);
        }
    };
    put("title", view.title.clone());
    put(
        "author",
        view.main_author()
            .map(|a| a.name.clone())
            .or_else(|| view.responsibility.clone()),
    );
    put("annotation", view.annotation.clone());
    put(
        "subjects",
        (!view.subjects.is_empty()).then(|| view.subjects.join("; ")),
    );
    out
}

fn search_error(err: SearchError) -> AppError {
    match err {
        SearchError::BadCursor => AppError::Query(QueryError::new(
            "bad_cursor",
            "the cursor does not belong to this sort order or is damaged; start again without it",
            0,
        )),
        other => internal(other),
    }
}

impl App {
    /// Runs a catalogue search and adds each hit's view, highlights and live
    /// availability per library from the database.
    pub fn search(
        &self,
        service: &SearchService,
        request: &SearchRequest,
    ) -> Result<SearchPage, AppError> {
        let results =
            kitap_search::run(&service.index().current(), request).map_err(search_error)?;
        let ids: Vec<String> = results.hits.iter().map(|h| h.id.clone()).collect();
        let (records, copies) = self.db().read(|conn| {
            let records = search_feed::records_by_ids(conn, &ids)?;
            let copies = search_feed::public_copies(conn, &ids)?;
            Ok::<_, kitap_db::DbError>((records, copies))
        })?;
        let records: HashMap<&str, _> = records.iter().map(|r| (r.id.as_str(), r)).collect();
        let mut by_record: HashMap<&str, Vec<&PublicCopy>> = HashMap::new();
        for c in &copies {
            by_record.entry(&c.record_id).or_default().push(c);
        }
        let highlighter = Highlighter::new(&request.query);
        let hits = results
            .hits
            .iter()
            // A record deleted since the index saw it is simply not shown.
            .filter_map(|hit| {
                let record = records.get(hit.id.as_str())?;
                let view = view_of(record)?;
                Some(SearchHit {
                    id: hit.id.clone(),
                    score: hit.score,
                    highlights: highlights(&highlighter, &view),
                    availability: availability_of(
                        by_record.get(hit.id.as_str()).map_or(&[][..], |v| v),
                    ),
                    view,
                })
            })
            .collect();
        Ok(SearchPage {
            total: results.total,
            hits,
            facets: results.facets,
            next: results.next,
        })
    }

    /// The public record page: the view and the copies by library.
    pub fn opac_record(&self, id: &str) -> Result<OpacRecord, AppError> {
        let ids = vec![id.to_string()];
        let (records, copies) = self.db().read(|conn| {
            let records = search_feed::records_by_ids(conn, &ids)?;
            let copies = search_feed::public_copies(conn, &ids)?;
            Ok::<_, kitap_db::DbError>((records, copies))
        })?;
        let record = records
            .into_iter()
            .find(|r| r.status == RecordStatus::Active)
            .ok_or(AppError::NotFound { entity: "record" })?;
        let view = view_of(&record)
            .ok_or_else(|| AppError::Internal(format!("stored record {id} unreadable")))?;
        let refs: Vec<&PublicCopy> = copies.iter().collect();
        let mut holdings: Vec<LibraryHoldings> = Vec::new();
        for c in &copies {
            let line = CopyLine {
                status: c.status.as_str().to_owned(),
                material_type: c.material_type.clone(),
                location: c.location.clone(),
                shelf: c.shelf.clone(),
                due_date: None,
            };
            match holdings.last_mut() {
                Some(h) if h.library == c.branch_code => h.copies.push(line),
                _ => holdings.push(LibraryHoldings {
                    library: c.branch_code.clone(),
                    library_name_kk: c.branch_name_kk.clone(),
                    library_name_ru: c.branch_name_ru.clone(),
                    copies: vec![line],
                }),
            }
        }
        Ok(OpacRecord {
            id: record.id,
            view,
            availability: availability_of(&refs),
            holdings,
        })
    }

    /// Decoded records for the ids, in the order asked (SRU answers with MARC).
    pub fn records_for_display(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, Record, BibView)>, AppError> {
        let records = self
            .db()
            .read(|conn| search_feed::records_by_ids(conn, ids))?;
        let by_id: HashMap<&str, _> = records.iter().map(|r| (r.id.as_str(), r)).collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(stored) = by_id.get(id.as_str()) else {
                continue;
            };
            let Ok(view) = kitap_marc::parse_view(&stored.marc) else {
                continue;
            };
            let record = view.into_record(Some(kitap_marc::Encoding::Utf8));
            let bib = BibView::from_record(&record);
            out.push((id.clone(), record, bib));
        }
        Ok(out)
    }
}
