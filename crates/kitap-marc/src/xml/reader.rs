//! The event loop: quick-xml events, reduced to what MARCXML needs.

use std::io::BufRead;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::build::{fix_code, fix_indicator, fix_tag, nfc, DataField, RecordBuilder};
use super::text::{attr, attributes, show, text};
use super::{XmlErrorKind, XmlRecordError, UNIMARC_SLIM_NS};
use crate::record::{Record, Subfield};
use crate::write::MARC21_SLIM_NS;

/// An owned, simplified event (so that the read buffer can be reused).
enum Ev {
    Start {
        /// The element is in a namespace MARC records may use.
        marc_ns: bool,
        name: Vec<u8>,
        attrs: Vec<(Vec<u8>, String)>,
    },
    End,
    Text(String),
    Eof,
}

/// Streams `Result<Record, XmlRecordError>`, one per `<record>` element.
pub struct MarcXmlReader<R: BufRead> {
    xml: NsReader<R>,
    buf: Vec<u8>,
    index: usize,
    done: bool,
    /// Text-level repairs (invalid UTF-8, unknown entities) since the last
    /// record boundary; they belong to the record being read.
    pending: Vec<String>,
}

impl<R: BufRead> MarcXmlReader<R> {
    pub fn new(input: R) -> Self {
        let mut xml = NsReader::from_reader(input);
        // `<subfield code="b"/>` then reads like an empty start/end pair.
        xml.config_mut().expand_empty_elements = true;
        MarcXmlReader {
            xml,
            buf: Vec::new(),
            index: 0,
            done: false,
            pending: Vec::new(),
        }
    }

    /// The byte offset reached in the input (after the last record read).
    pub fn position(&self) -> u64 {
        self.xml.buffer_position()
    }

    /// How many `<record>` elements have been read so far.
    pub fn records_read(&self) -> usize {
        self.index
    }

    fn next_event(&mut self) -> Result<Ev, XmlRecordError> {
        self.buf.clear();
        let read = self.xml.read_resolved_event_into(&mut self.buf);
        let (ns, event) = match read {
            Ok(pair) => pair,
            Err(e) => {
                let kind = match e {
                    quick_xml::Error::Io(_) => XmlErrorKind::Io,
                    _ => XmlErrorKind::Syntax,
                };
                return Err(self.error(kind, e.to_string(), self.xml.error_position()));
            }
        };
        let marc_ns = match ns {
            ResolveResult::Unbound => true,
            ResolveResult::Bound(ns) => {
                ns.as_ref() == MARC21_SLIM_NS.as_bytes()
                    || ns.as_ref() == UNIMARC_SLIM_NS.as_bytes()
            }
            ResolveResult::Unknown(_) => false,
        };
        Ok(match event {
            Event::Start(e) => Ev::Start {
                marc_ns,
                name: e.local_name().as_ref().to_vec(),
                attrs: attributes(&e, &mut self.pending),
            },
            Event::End(_) => Ev::End,
            Event::Text(t) => Ev::Text(text(&t, &mut self.pending)),
            Event::CData(c) => Ev::Text(String::from_utf8_lossy(&c).into_owned()),
            Event::Eof => Ev::Eof,
            // Comments, processing instructions, declarations: not data.
            _ => Ev::Text(String::new()),
        })
    }

    fn error(&self, kind: XmlErrorKind, message: String, position: u64) -> XmlRecordError {
        XmlRecordError {
            kind,
            message,
            index: self.index,
            position,
        }
    }

    /// Reads up to the end of the current element, keeping its direct text
    /// and skipping (with a warning) any element nested in it.
    fn read_text(
        &mut self,
        what: &str,
        warnings: &mut Vec<String>,
    ) -> Result<String, XmlRecordError> {
        let mut out = String::new();
        loop {
            match self.next_event()? {
                Ev::Text(t) => out.push_str(&t),
                Ev::End => return Ok(out),
                Ev::Start { name, .. } => {
                    warnings.push(format!(
                        "{what}: unexpected element <{}> skipped",
                        show(&name)
                    ));
                    self.skip_element()?;
                }
                Ev::Eof => return Err(self.eof_error()),
            }
        }
    }

    fn skip_element(&mut self) -> Result<(), XmlRecordError> {
        let mut depth = 0usize;
        loop {
            match self.next_event()? {
                Ev::Start { .. } => depth += 1,
                Ev::End if depth == 0 => return Ok(()),
                Ev::End => depth -= 1,
                Ev::Text(_) => {}
                Ev::Eof => return Err(self.eof_error()),
            }
        }
    }

    fn eof_error(&self) -> XmlRecordError {
        let at = self.xml.buffer_position();
        self.error(
            XmlErrorKind::Syntax,
            "unexpected end of document inside an element".into(),
            at,
        )
    }

    /// Reads one record's children up to its end tag.
    fn read_record(
        &mut self,
        start: u64,
    ) -> Result<Result<Record, XmlRecordError>, XmlRecordError> {
        let mut b = RecordBuilder {
            warnings: std::mem::take(&mut self.pending),
            ..RecordBuilder::default()
        };
        loop {
            match self.next_event()? {
                Ev::Start { name, attrs, .. } => self.record_child(&name, &attrs, &mut b)?,
                Ev::End => break,
                Ev::Text(_) => {}
                Ev::Eof => return Err(self.eof_error()),
            }
        }
        b.warnings.append(&mut self.pending);
        Ok(b.finish().map_err(|errors| {
            let kind = if errors.iter().any(|e| e.starts_with("empty record")) {
                XmlErrorKind::Empty
            } else {
                XmlErrorKind::BadContent
            };
            self.error(kind, errors.join("; "), start)
        }))
    }

    fn record_child(
        &mut self,
        name: &[u8],
        attrs: &[(Vec<u8>, String)],
        b: &mut RecordBuilder,
    ) -> Result<(), XmlRecordError> {
        match name {
            b"leader" | b"lab" => {
                let text = self.read_text("leader", &mut b.warnings)?;
                if b.leader.is_some() {
                    b.warnings.push("second leader ignored".to_string());
                } else {
                    b.leader = Some(text);
                }
            }
            b"controlfield" | b"cf" => {
                let value = self.read_text("controlfield", &mut b.warnings)?;
                b.control(attr(attrs, &["tag", "t"]), &value);
            }
            b"datafield" | b"df" => self.read_datafield(attrs, b)?,
            other => {
                b.warnings.push(format!(
                    "unexpected element <{}> in record skipped",
                    show(other)
                ));
                self.skip_element()?;
            }
        }
        Ok(())
    }

    fn read_datafield(
        &mut self,
        attrs: &[(Vec<u8>, String)],
        b: &mut RecordBuilder,
    ) -> Result<(), XmlRecordError> {
        let tag = fix_tag(attr(attrs, &["tag", "t"]), &mut b.warnings);
        let shown = tag.clone().unwrap_or_else(|_| "???".to_string());
        let mut field = DataField {
            ind1: fix_indicator(
                &shown,
                "ind1",
                attr(attrs, &["ind1", "i1"]),
                &mut b.warnings,
            ),
            ind2: fix_indicator(
                &shown,
                "ind2",
                attr(attrs, &["ind2", "i2"]),
                &mut b.warnings,
            ),
            tag: shown.clone(),
            subfields: Vec::new(),
        };
        let bad_code = self.read_subfields(&mut field, &mut b.warnings)?;
        match (tag, bad_code) {
            (Err(e), _) => b.errors.push(format!("data field: {e}")),
            (Ok(_), Some(e)) => b.errors.push(e),
            (Ok(_), None) => b.fields.push(field.into_field()),
        }
        Ok(())
    }

    /// Reads a data field's children; returns why a subfield was unusable.
    fn read_subfields(
        &mut self,
        field: &mut DataField,
        warnings: &mut Vec<String>,
    ) -> Result<Option<String>, XmlRecordError> {
        let mut bad_code = None;
        loop {
            match self.next_event()? {
                Ev::Start { name, attrs, .. } if name == b"subfield" || name == b"sf" => {
                    let code = fix_code(&field.tag, attr(&attrs, &["code", "c"]), warnings);
                    let value = self.read_text("subfield", warnings)?;
                    match code {
                        Ok(code) => field.subfields.push(Subfield {
                            code,
                            value: nfc(&value),
                        }),
                        Err(e) => bad_code = Some(e),
                    }
                }
                Ev::Start { name, .. } if name == b"s1" => {
                    self.read_embedded(&mut field.subfields, warnings)?;
                }
                Ev::Start { name, .. } => {
                    let tag = &field.tag;
                    warnings.push(format!(
                        "field {tag}: unexpected element <{}> skipped",
                        show(&name)
                    ));
                    self.skip_element()?;
                }
                Ev::End => return Ok(bad_code),
                Ev::Text(_) => {}
                Ev::Eof => return Err(self.eof_error()),
            }
        }
    }
}

impl<R: BufRead> MarcXmlReader<R> {
    /// A UNIMARC embedded field (`<s1>` in UNIMARC-slim, the 4XX linking
    /// technique) becomes what ISO 2709 holds: `$1` with the tag (and, for a
    /// data field, the indicators), then the embedded subfields in line.
    fn read_embedded(
        &mut self,
        out: &mut Vec<Subfield>,
        warnings: &mut Vec<String>,
    ) -> Result<(), XmlRecordError> {
        loop {
            match self.next_event()? {
                Ev::Start { name, attrs, .. } if name == b"cf" || name == b"controlfield" => {
                    let tag = attr(&attrs, &["t", "tag"]).unwrap_or("???").to_string();
                    let value = self.read_text("embedded field", warnings)?;
                    out.push(Subfield {
                        code: '1',
                        value: nfc(&format!("{tag}{value}")),
                    });
                }
                Ev::Start { name, attrs, .. } if name == b"df" || name == b"datafield" => {
                    let tag = attr(&attrs, &["t", "tag"]).unwrap_or("???").to_string();
                    let i1 = fix_indicator(&tag, "ind1", attr(&attrs, &["i1", "ind1"]), warnings);
                    let i2 = fix_indicator(&tag, "ind2", attr(&attrs, &["i2", "ind2"]), warnings);
                    out.push(Subfield {
                        code: '1',
                        value: format!("{tag}{i1}{i2}"),
                    });
                    self.read_embedded_subfields(&tag, out, warnings)?;
                }
                Ev::Start { name, .. } => {
                    warnings.push(format!(
                        "embedded field: unexpected element <{}> skipped",
                        show(&name)
                    ));
                    self.skip_element()?;
                }
                Ev::End => return Ok(()),
                Ev::Text(_) => {}
                Ev::Eof => return Err(self.eof_error()),
            }
        }
    }

    fn read_embedded_subfields(
        &mut self,
        tag: &str,
        out: &mut Vec<Subfield>,
        warnings: &mut Vec<String>,
    ) -> Result<(), XmlRecordError> {
        loop {
            match self.next_event()? {
                Ev::Start { attrs, .. } => {
                    let code = fix_code(tag, attr(&attrs, &["c", "code"]), warnings).unwrap_or('?');
                    let value = self.read_text("subfield", warnings)?;
                    out.push(Subfield {
                        code,
                        value: nfc(&value),
                    });
                }
                Ev::End => return Ok(()),
                Ev::Text(_) => {}
                Ev::Eof => return Err(self.eof_error()),
            }
        }
    }
}

impl<R: BufRead> Iterator for MarcXmlReader<R> {
    type Item = Result<Record, XmlRecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            let start = self.xml.buffer_position();
            let event = match self.next_event() {
                Ok(ev) => ev,
                Err(e) => return self.fatal(e),
            };
            match event {
                Ev::Start {
                    marc_ns: true,
                    name,
                    ..
                } if name == b"record" || name == b"rec" => {
                    let result = self.read_record(start);
                    return match result {
                        Ok(item) => {
                            self.index += 1;
                            Some(item)
                        }
                        Err(e) => self.fatal(e),
                    };
                }
                Ev::Eof => {
                    self.done = true;
                    return None;
                }
                _ => self.pending.clear(),
            }
        }
    }
}

impl<R: BufRead> MarcXmlReader<R> {
    fn fatal(&mut self, e: XmlRecordError) -> Option<Result<Record, XmlRecordError>> {
        self.done = true;
        Some(Err(e))
    }
}
