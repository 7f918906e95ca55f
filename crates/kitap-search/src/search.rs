//! Running a query: relevance or field sorting, seek pagination, facets.

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur};
use tantivy::schema::Value;
use tantivy::{DocId, Score, SegmentReader, TantivyDocument};

use crate::build::to_tantivy;
use crate::error::SearchError;
use crate::facets::{FacetCollector, Facets};
use crate::index::Generation;
use crate::query::Query;

/// Result order. Title and author sort in Kazakh alphabetical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    YearDesc,
    YearAsc,
    TitleAsc,
    TitleDesc,
    AuthorAsc,
    AuthorDesc,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        Some(match s {
            "relevance" => Sort::Relevance,
            "year" | "year_desc" | "-year" => Sort::YearDesc,
            "year_asc" | "+year" => Sort::YearAsc,
            "title" | "title_asc" => Sort::TitleAsc,
            "title_desc" | "-title" => Sort::TitleDesc,
            "author" | "author_asc" => Sort::AuthorAsc,
            "author_desc" | "-author" => Sort::AuthorDesc,
            _ => return None,
        })
    }

    fn code(self) -> &'static str {
        match self {
            Sort::Relevance => "r",
            Sort::YearDesc => "yd",
            Sort::YearAsc => "ya",
            Sort::TitleAsc => "ta",
            Sort::TitleDesc => "td",
            Sort::AuthorAsc => "aa",
            Sort::AuthorDesc => "ad",
        }
    }
}

/// A position in a result list: the sort key of the last hit shown. Larger
/// keys come first; the next page is the keys strictly below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SortKey(pub u64, pub u64, pub u64);

/// Opaque cursor text: sort code and the three key words in hex.
pub fn encode_cursor(sort: Sort, key: SortKey) -> String {
    format!("{}.{:x}.{:x}.{:x}", sort.code(), key.0, key.1, key.2)
}

pub fn decode_cursor(sort: Sort, text: &str) -> Result<SortKey, SearchError> {
    let mut parts = text.split('.');
    if parts.next() != Some(sort.code()) {
        return Err(SearchError::BadCursor);
    }
    let mut next = || {
        parts
            .next()
            .and_then(|p| u64::from_str_radix(p, 16).ok())
            .ok_or(SearchError::BadCursor)
    };
    let key = SortKey(next()?, next()?, next()?);
    if parts.next().is_some() {
        return Err(SearchError::BadCursor);
    }
    Ok(key)
}

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: Query,
    /// Extra required clauses (facet filters); they do not change scores much.
    pub filters: Vec<Query>,
    pub sort: Sort,
    pub limit: usize,
    /// Seek pagination: the `next` of the previous page.
    pub after: Option<String>,
    /// Facet values kept per facet; 0 skips facet counting.
    pub facets: usize,
    /// Forgive typos (fuzzy variants of longer words). The OPAC box does;
    /// SRU does not, since its clients (copy cataloguing) expect exact matches.
    pub fuzzy: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// Cursor for the next page; `None` on the last one.
    pub next: Option<String>,
}

/// Maps a non-negative score to an order-preserving u64.
fn score_word(score: Score) -> u64 {
    u64::from(score.max(0.0).to_bits())
}

struct KeyColumns {
    tiebreak: Option<tantivy::columnar::Column<u64>>,
    year: Option<tantivy::columnar::Column<i64>>,
    first: Option<tantivy::columnar::Column<u64>>,
    second: Option<tantivy::columnar::Column<u64>>,
}

impl KeyColumns {
    fn open(reader: &SegmentReader, sort: Sort) -> KeyColumns {
        let fast = reader.fast_fields();
        let (a, b) = match sort {
            Sort::TitleAsc | Sort::TitleDesc => ("sort_title_1", "sort_title_2"),
            Sort::AuthorAsc | Sort::AuthorDesc => ("sort_author_1", "sort_author_2"),
            _ => ("", ""),
        };
        KeyColumns {
            tiebreak: fast.u64("tiebreak").ok(),
            year: fast.i64("year").ok(),
            first: fast.u64(a).ok(),
            second: fast.u64(b).ok(),
        }
    }

    fn key(&self, sort: Sort, doc: DocId, score: Score) -> SortKey {
        let get =
            |c: &Option<tantivy::columnar::Column<u64>>| c.as_ref().and_then(|c| c.first(doc));
        let tie = get(&self.tiebreak).unwrap_or(0);
        let year = self.year.as_ref().and_then(|c| c.first(doc));
        let words = (
            get(&self.first).unwrap_or(0),
            get(&self.second).unwrap_or(0),
        );
        match sort {
            Sort::Relevance => SortKey(score_word(score), 0, tie),
            // Records without a year come last in both directions.
            Sort::YearDesc => SortKey(
                year.map_or(0, |y| (y + (1 << 40)) as u64),
                score_word(score),
                tie,
            ),
            Sort::YearAsc => SortKey(
                year.map_or(0, |y| u64::MAX - (y + (1 << 40)) as u64),
                score_word(score),
                tie,
            ),
            // Empty sort text comes last in both directions.
            Sort::TitleAsc | Sort::AuthorAsc if words.0 == 0 => SortKey(0, 0, tie),
            Sort::TitleAsc | Sort::AuthorAsc => {
                SortKey(u64::MAX - words.0, u64::MAX - words.1, tie)
            }
            Sort::TitleDesc | Sort::AuthorDesc => SortKey(words.0, words.1, tie),
        }
    }
}

/// Runs `request` on one generation.
pub fn run(generation: &Generation, request: &SearchRequest) -> Result<SearchResults, SearchError> {
    let fields = &generation.fields;
    let mut clauses = vec![(
        Occur::Must,
        to_tantivy(fields, &request.query, request.fuzzy),
    )];
    for filter in &request.filters {
        clauses.push((Occur::Must, to_tantivy(fields, filter, request.fuzzy)));
    }
    let query = BooleanQuery::new(clauses);
    let after = request
        .after
        .as_deref()
        .map(|c| decode_cursor(request.sort, c))
        .transpose()?;
    let sort = request.sort;
    let limit = request.limit.clamp(1, 1000);
    let top = TopDocs::with_limit(limit).tweak_score(move |reader: &SegmentReader| {
        let columns = KeyColumns::open(reader, sort);
        move |doc: DocId, score: Score| {
            let key = columns.key(sort, doc, score);
            match after {
                Some(cursor) if key >= cursor => None,
                _ => Some(key),
            }
        }
    });
    let searcher = generation.reader.searcher();
    let facet_top = request.facets;
    let (top_docs, total, facets) = if facet_top > 0 {
        let (t, c, f) =
            searcher.search(&query, &(top, Count, FacetCollector { top: facet_top }))?;
        (t, c, f)
    } else {
        let (t, c) = searcher.search(&query, &(top, Count))?;
        (t, c, Facets::new())
    };
    let mut hits = Vec::with_capacity(top_docs.len());
    let mut last = None;
    for (key, address) in top_docs {
        let Some(key) = key else { continue };
        let doc: TantivyDocument = searcher.doc(address)?;
        let id = doc
            .get_first(fields.id)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let score = if sort == Sort::Relevance {
            f32::from_bits(key.0 as u32)
        } else {
            f32::from_bits(key.1 as u32)
        };
        hits.push(Hit { id, score });
        last = Some(key);
    }
    let next = match last {
        Some(key) if hits.len() == limit => Some(encode_cursor(sort, key)),
        _ => None,
    };
    Ok(SearchResults {
        total,
        hits,
        facets,
        next,
    })
}

/// Every (id, version, copies digest) in the generation, for consistency checks.
pub fn inventory(generation: &Generation) -> Result<Vec<(String, i64, u64)>, SearchError> {
    let searcher = generation.reader.searcher();
    let mut out = Vec::new();
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(64)?;
        let alive = segment.alive_bitset();
        for doc_id in 0..segment.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc_id)) {
                continue;
            }
            let doc: TantivyDocument = store.get(doc_id)?;
            let f = &generation.fields;
            let id = doc
                .get_first(f.id)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let version = doc
                .get_first(f.version)
                .and_then(|v| v.as_i64())
                .unwrap_or(0);
            let digest = doc
                .get_first(f.copies_digest)
                .and_then(|v| v.as_u64())
                .unwrap_or(0);
            out.push((id.to_string(), version, digest));
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_rejects() {
        let key = SortKey(1, u64::MAX, 42);
        let text = encode_cursor(Sort::TitleAsc, key);
        assert_eq!(decode_cursor(Sort::TitleAsc, &text).ok(), Some(key));
        assert!(decode_cursor(Sort::Relevance, &text).is_err());
        assert!(decode_cursor(Sort::TitleAsc, "ta.1.2").is_err());
        assert!(decode_cursor(Sort::TitleAsc, "ta.zz.1.2").is_err());
    }
}
