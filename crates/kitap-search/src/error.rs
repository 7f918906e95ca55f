use thiserror::Error;

#[derive(Debug, Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    OpenDirectory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("search index file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the index was built with another schema")]
    SchemaChanged,
    #[error("the named index generation has no commit")]
    NotCommitted,
    #[error("bad cursor")]
    BadCursor,
    #[error("{0}")]
    Internal(String),
}
