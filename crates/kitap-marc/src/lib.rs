//! MARC records in and out. Pure: no IO beyond `std::io::Read`/`Write`, no
//! database, no HTTP. Bytes from outside are validated and decoded here; no
//! input, however broken, makes this crate panic.

pub mod detect;
pub mod encoding;
pub mod iso2709;
pub mod json;
pub mod marc8;
pub mod marc_crate;
pub mod record;
pub mod write;
pub mod xml;

pub use detect::Detection;
pub use encoding::Encoding;
pub use iso2709::{
    parse, parse_view, parse_with, FieldView, ParseOptions, Parsed, RawRecord, RecordError,
    RecordSplitter, RecordView, SubfieldView,
};
pub use marc_crate::{from_marc_crate, to_marc_crate, ToMarcError};
pub use record::{Dialect, Field, Record, Subfield};
pub use write::{escape_xml, write_iso2709, write_json, write_marcxml, MarcXmlWriter};
pub use xml::{MarcXmlReader, XmlErrorKind, XmlRecordError};
