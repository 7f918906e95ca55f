//! The OPAC index (issue #4): the tantivy schema, analysis with kitap-text,
//! the one `IndexWriter`, and queries with facets, sorting and seek
//! pagination. The database is the truth; everything here can be rebuilt.

mod analysis;
pub mod box_query;
mod build;
pub mod cql;
mod doc;
mod error;
mod facets;
mod highlight;
mod index;
pub mod query;
mod schema;
mod search;

pub use analysis::{record_lang, words, WordTerms};
pub use build::{normalize_isbn, normalize_issn};
pub use doc::{tiebreak, IndexDoc, PreparedDoc};
pub use error::SearchError;
pub use facets::{FacetValue, Facets};
pub use highlight::Highlighter;
pub use index::{Change, Checkpoint, Generation, Indexer, OpenState, Rebuild, SearchIndex};
pub use query::{Field, Query, QueryError};
pub use schema::{Fields, SCHEMA_VERSION};
pub use search::{inventory, run, Hit, SearchRequest, SearchResults, Sort};
