//! ISO 2709 (the binary MARC exchange format): splitting, structure, decoding.
//!
//! Reading is in three steps so that each can fail on its own:
//! [`RecordSplitter`] cuts the stream at 0x1D, [`parse_view`] finds leader,
//! directory and field bytes (repairing what it can, with warnings) without
//! decoding anything, and [`parse`] detects dialect and encoding and decodes
//! the text into an owned [`Record`](crate::Record).

pub(crate) mod bytes;
mod decode;
mod split;
mod structure;
pub(crate) mod view;

use std::fmt;

pub use decode::{parse, parse_with, ParseOptions, Parsed};
pub use split::{RawRecord, RecordSplitter, DEFAULT_MAX_RECORD, RT};
pub use structure::parse_view;
pub use view::{FieldView, RecordView, SubfieldView, Subfields};

/// Field terminator.
pub const FT: u8 = 0x1E;
/// Subfield delimiter.
pub const SD: u8 = 0x1F;

/// Why a record could not be read at all. The names are stable: import
/// reports and API clients match on [`ErrorKind::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The underlying reader failed.
    Io,
    /// No record terminator within the size cap.
    Oversized,
    /// Nothing but a record terminator.
    Empty,
    /// Fewer than 24 bytes: not even a leader.
    LeaderTooShort,
    /// Leader/00-04 is not a number.
    BadRecordLength,
    /// Leader/12-16 is not a number.
    BadBaseAddress,
    /// The directory cannot be read (no terminator, bad tags).
    BadDirectory,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Io => "io",
            ErrorKind::Oversized => "oversized",
            ErrorKind::Empty => "empty",
            ErrorKind::LeaderTooShort => "leader_too_short",
            ErrorKind::BadRecordLength => "bad_record_length",
            ErrorKind::BadBaseAddress => "bad_base_address",
            ErrorKind::BadDirectory => "bad_directory",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A record that could not be read; the rest of the file is unaffected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct RecordError {
    pub kind: ErrorKind,
    /// For people: what is wrong, in terms of the record's bytes.
    pub message: String,
    /// 0-based position of the record in its file, when known.
    pub index: Option<usize>,
}

impl RecordError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        RecordError {
            kind,
            message: message.into(),
            index: None,
        }
    }

    pub(crate) fn at(mut self, index: usize) -> Self {
        self.index = Some(index);
        self
    }
}
