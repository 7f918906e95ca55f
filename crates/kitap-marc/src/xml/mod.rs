//! MARCXML in: a streaming reader over `std::io::BufRead`.
//!
//! Accepted: the MARC 21 slim namespace with any prefix, no namespace at
//! all (Alma, Evergreen exports), and the BNCF UNIMARC-slim vocabulary
//! (`rec`/`lab`/`cf`/`df`/`sf`); a `<collection>` wrapper or bare
//! `<record>` roots; a leading BOM. Records inside other vocabularies
//! (an OAI-PMH `<record>` wrapper) are looked into, not taken as MARC.
//!
//! A record whose content is unusable (no tag, no subfield code) is that
//! record's error and reading goes on; a document that stops being
//! well-formed ends the stream with an error at that byte position, after
//! every record read before it.

mod build;
mod reader;
mod text;

pub(crate) use build::{fix_code, fix_indicator, fix_tag, nfc, RecordBuilder};
pub use reader::MarcXmlReader;

use std::fmt;

/// The BNCF (Florence) UNIMARC-slim namespace.
pub const UNIMARC_SLIM_NS: &str = "http://www.bncf.firenze.sbn.it/unimarc/slim";

/// Why a `<record>` (or the rest of the document) could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum XmlErrorKind {
    /// The record's content cannot make a record (missing tag or code).
    BadContent,
    /// A `<record>` with neither leader nor fields.
    Empty,
    /// The document is not well-formed from here on; reading stops.
    Syntax,
    /// The underlying reader failed; reading stops.
    Io,
}

impl XmlErrorKind {
    /// Stable names for import reports.
    pub fn as_str(self) -> &'static str {
        match self {
            XmlErrorKind::BadContent => "bad_content",
            XmlErrorKind::Empty => "empty",
            XmlErrorKind::Syntax => "syntax",
            XmlErrorKind::Io => "io",
        }
    }

    /// Whether the reader stops after this error.
    pub fn is_fatal(self) -> bool {
        matches!(self, XmlErrorKind::Syntax | XmlErrorKind::Io)
    }
}

impl fmt::Display for XmlErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One record (or the document from here on) that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("record {index} at byte {position}: {kind}: {message}")]
pub struct XmlRecordError {
    pub kind: XmlErrorKind,
    pub message: String,
    /// 0-based index of the `<record>` element (for a fatal error: of the
    /// record that was being read, or that would have come next).
    pub index: usize,
    /// Byte offset in the input: the record's start, or where the XML broke.
    pub position: u64,
}
