//! Search (issue #4): the index service that follows the outbox, rebuilds,
//! and the OPAC use cases over it.

mod docs;
mod opac;
mod rebuild;
mod service;
mod verify;

pub use kitap_search::SearchIndex;
pub use kitap_search::{
    box_query::parse_box, cql::parse_cql, normalize_isbn, FacetValue, Facets, Field, Query,
    QueryError, SearchRequest, Sort,
};
pub use opac::{Availability, CopyLine, LibraryHoldings, OpacRecord, SearchHit, SearchPage};
pub use rebuild::rebuild;
pub use service::{index_exists, IndexStatus, SearchService, SearchSettings, HOLE_WAIT, TICK};
pub use verify::IndexCheck;
