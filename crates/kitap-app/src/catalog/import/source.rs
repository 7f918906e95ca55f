//! Reading an import file from where the job stopped, as a stream of items
//! that each know their index and byte offset (for the reject report and for
//! resuming).

use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom};
use std::path::Path;

use kitap_marc::{Encoding, MarcXmlReader, ParseOptions, Record, RecordSplitter};

/// The formats an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Iso2709,
    MarcXml,
    Json,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Iso2709 => "iso2709",
            Format::MarcXml => "marcxml",
            Format::Json => "json",
        }
    }

    pub fn parse(raw: &str) -> Option<Format> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "iso2709" | "iso" | "mrc" | "marc" => Some(Format::Iso2709),
            "marcxml" | "xml" => Some(Format::MarcXml),
            "json" | "marc-in-json" => Some(Format::Json),
            _ => None,
        }
    }

    /// Guesses from the file name, then from the first non-blank byte.
    pub fn sniff(name: &str, first_bytes: &[u8]) -> Format {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".xml") {
            return Format::MarcXml;
        }
        if lower.ends_with(".json") {
            return Format::Json;
        }
        match first_bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => Format::MarcXml,
            Some(b'[' | b'{') => Format::Json,
            _ => Format::Iso2709,
        }
    }
}

/// One record's worth of input.
pub struct Item {
    pub index: u64,
    pub offset: u64,
    /// Where the next record starts: the resume point once this one commits.
    pub end_offset: u64,
    pub outcome: Result<Read, Unreadable>,
}

pub struct Read {
    pub record: Record,
    /// The bytes as they were in the file (ISO 2709 only).
    pub original: Option<Vec<u8>>,
}

pub struct Unreadable {
    pub code: String,
    pub message: String,
}

/// Opens `path` positioned at the resume point.
pub fn open(
    path: &Path,
    format: Format,
    encoding: Option<Encoding>,
    next_offset: u64,
    next_index: u64,
) -> std::io::Result<Box<dyn Iterator<Item = Item> + Send>> {
    let mut file = File::open(path)?;
    Ok(match format {
        Format::Iso2709 => {
            // ISO 2709 records are self-delimiting: start reading right at the
            // first byte not yet committed.
            file.seek(SeekFrom::Start(next_offset))?;
            Box::new(iso(file, encoding, next_offset, next_index))
        }
        // XML and JSON need their document context: read from the start and
        // drop what was already committed.
        Format::MarcXml => Box::new(xml(file).skip_while(move |i| i.index < next_index)),
        Format::Json => Box::new(json(file).skip_while(move |i| i.index < next_index)),
    })
}

fn iso(
    file: File,
    encoding: Option<Encoding>,
    base: u64,
    base_index: u64,
) -> impl Iterator<Item = Item> {
    let reader = BufReader::with_capacity(1 << 20, file);
    let mut last_end = base;
    let mut next_index = base_index;
    RecordSplitter::new(reader).map(move |raw| {
        let index = next_index;
        next_index += 1;
        match raw {
            Ok(raw) => {
                let offset = base + raw.offset;
                let end_offset = offset + raw.bytes.len() as u64;
                last_end = end_offset;
                let opts = ParseOptions {
                    encoding,
                    dialect: None,
                };
                if let Some(cut) = truncated(&raw.bytes, offset) {
                    return Item {
                        index,
                        offset,
                        end_offset,
                        outcome: Err(cut),
                    };
                }
                let outcome = kitap_marc::parse_with(&raw, opts)
                    .map(|parsed| Read {
                        record: parsed.record,
                        original: Some(raw.bytes),
                    })
                    .map_err(|e| Unreadable {
                        code: e.kind.as_str().to_owned(),
                        message: e.message,
                    });
                Item {
                    index,
                    offset,
                    end_offset,
                    outcome,
                }
            }
            // The splitter does not say where a failed record began; it is at
            // or after the end of the previous one.
            Err(e) => Item {
                index,
                offset: last_end,
                end_offset: last_end,
                outcome: Err(Unreadable {
                    code: e.kind.as_str().to_owned(),
                    message: e.message,
                }),
            },
        }
    })
}

/// The end of a file cut short: the last record has no terminator and fewer
/// bytes than its leader declares. The reader could still repair it from the
/// field terminators, but what was cut off would be lost without a word, so
/// it is rejected. (A record that only lacks its 0x1D is whole and is read.)
fn truncated(bytes: &[u8], offset: u64) -> Option<Unreadable> {
    if bytes.last() == Some(&kitap_marc::iso2709::RT) {
        return None;
    }
    let declared = std::str::from_utf8(bytes.get(..5)?)
        .ok()
        .and_then(|digits| digits.parse::<usize>().ok());
    match declared {
        // The declared length counts the terminator that is missing.
        Some(length) if bytes.len() + 1 >= length => None,
        _ => Some(Unreadable {
            code: "truncated_record".to_owned(),
            message: format!(
                "the record at byte {offset} ends with the file after {} bytes{}, \
                 without a record terminator (0x1D): the file is cut short",
                bytes.len(),
                declared.map_or(String::new(), |l| format!(
                    " of the {l} its leader declares"
                ))
            ),
        }),
    }
}

fn xml(file: File) -> impl Iterator<Item = Item> {
    let mut reader = MarcXmlReader::new(BufReader::with_capacity(1 << 20, file));
    let mut index = 0u64;
    let mut start = 0u64;
    std::iter::from_fn(move || {
        let next = reader.next()?;
        let end = reader.position();
        let item = match next {
            Ok(record) => Item {
                index,
                offset: start,
                end_offset: end,
                outcome: Ok(Read {
                    record,
                    original: None,
                }),
            },
            Err(e) => Item {
                index: e.index as u64,
                offset: e.position,
                end_offset: end,
                outcome: Err(Unreadable {
                    code: format!("xml_{}", e.kind.as_str()),
                    message: e.message,
                }),
            },
        };
        index = item.index + 1;
        start = end;
        Some(item)
    })
}

/// MARC-in-JSON files are small exchange documents; they are read whole.
fn json(file: File) -> impl Iterator<Item = Item> {
    kitap_marc::json::read_json(BufReader::new(file))
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let index = i as u64;
            match r {
                Ok(record) => Item {
                    index,
                    offset: 0,
                    end_offset: 0,
                    outcome: Ok(Read {
                        record,
                        original: None,
                    }),
                },
                Err(e) => Item {
                    index: e.index as u64,
                    offset: 0,
                    end_offset: 0,
                    outcome: Err(Unreadable {
                        code: "json_invalid".to_owned(),
                        message: e.message,
                    }),
                },
            }
        })
}
