//! Writers: ISO 2709 (UTF-8), MARCXML (MARC 21 slim) and MARC-in-JSON.
//!
//! Every writer takes a [`Record`](crate::Record) and a `std::io::Write`.
//! Records that cannot be represented (a tag that is not 3 ASCII characters,
//! a record over ISO 2709's 99,999 bytes) are refused with
//! `io::ErrorKind::InvalidInput`; anything repairable is repaired and
//! reported in the returned warnings, never silently.

pub mod iso2709;
pub mod marcxml;

pub use crate::json::{record_to_json, write_json};
pub use iso2709::{write_iso2709, write_iso2709_preserving};
pub use marcxml::{escape_xml, write_marcxml, MarcXmlWriter, MARC21_SLIM_NS};

use std::io;

/// The error for a record a format cannot carry.
pub(crate) fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}
