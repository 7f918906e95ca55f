//! MARCXML (MARC 21 slim): a `<collection>` of `<record>` elements.
//!
//! The leader is written as the record has it: in MARCXML its lengths mean
//! nothing and the text is Unicode by definition. Characters XML 1.0 cannot
//! carry at all (C0 controls other than tab, newline, carriage return, and
//! U+FFFE/U+FFFF) are replaced by U+FFFD with a warning; carriage returns
//! and, in attributes, tabs and newlines are written as character references
//! so that a reader's line-end and attribute normalisation cannot change them.

use std::io::{self, Write};

use crate::record::{Field, Record};

/// The MARC 21 slim namespace URI.
pub const MARC21_SLIM_NS: &str = "http://www.loc.gov/MARC21/slim";

/// Streams records into one `<collection>`; call [`MarcXmlWriter::finish`].
pub struct MarcXmlWriter<W: Write> {
    out: W,
}

impl<W: Write> MarcXmlWriter<W> {
    /// Writes the XML declaration and the opening `<collection>`.
    pub fn new(mut out: W) -> io::Result<Self> {
        writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        writeln!(out, "<collection xmlns=\"{MARC21_SLIM_NS}\">")?;
        Ok(MarcXmlWriter { out })
    }

    /// Writes one `<record>`; returns the repairs made.
    pub fn write_record(&mut self, rec: &Record) -> io::Result<Vec<String>> {
        let mut warnings = Vec::new();
        let mut s = String::from("  <record>\n    <leader>");
        escape_into(&mut s, &rec.leader, false, "leader", &mut warnings);
        s.push_str("</leader>\n");
        for field in &rec.fields {
            field_xml(&mut s, field, &mut warnings);
        }
        s.push_str("  </record>\n");
        self.out.write_all(s.as_bytes())?;
        Ok(warnings)
    }

    /// Closes the collection and hands back the writer.
    pub fn finish(mut self) -> io::Result<W> {
        writeln!(self.out, "</collection>")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Writes `records` as one MARCXML collection; returns all repairs made.
pub fn write_marcxml<'a, W, I>(records: I, out: W) -> io::Result<Vec<String>>
where
    W: Write,
    I: IntoIterator<Item = &'a Record>,
{
    let mut writer = MarcXmlWriter::new(out)?;
    let mut warnings = Vec::new();
    for rec in records {
        warnings.extend(writer.write_record(rec)?);
    }
    writer.finish()?;
    Ok(warnings)
}

fn field_xml(s: &mut String, field: &Field, warnings: &mut Vec<String>) {
    let tag = field.tag();
    match field {
        Field::Control { value, .. } => {
            s.push_str("    <controlfield tag=\"");
            escape_into(s, tag, true, tag, warnings);
            s.push_str("\">");
            escape_into(s, value, false, tag, warnings);
            s.push_str("</controlfield>\n");
        }
        Field::Data {
            ind1,
            ind2,
            subfields,
            ..
        } => {
            s.push_str("    <datafield tag=\"");
            escape_into(s, tag, true, tag, warnings);
            s.push_str("\" ind1=\"");
            escape_into(s, &ind1.to_string(), true, tag, warnings);
            s.push_str("\" ind2=\"");
            escape_into(s, &ind2.to_string(), true, tag, warnings);
            s.push_str("\">\n");
            for sf in subfields {
                s.push_str("      <subfield code=\"");
                escape_into(s, &sf.code.to_string(), true, tag, warnings);
                s.push_str("\">");
                escape_into(s, &sf.value, false, tag, warnings);
                s.push_str("</subfield>\n");
            }
            s.push_str("    </datafield>\n");
        }
    }
}

/// Characters XML 1.0 does not allow anywhere, even as references.
fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Appends `text` escaped for XML 1.0 element content (`attr` false) or a
/// double-quoted attribute value (`attr` true); characters XML 1.0 forbids
/// become U+FFFD. Returns whether any was replaced.
pub fn escape_xml(s: &mut String, text: &str, attr: bool) -> bool {
    let mut replaced = false;
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' if attr => s.push_str("&quot;"),
            '\r' => s.push_str("&#xD;"),
            '\t' if attr => s.push_str("&#x9;"),
            '\n' if attr => s.push_str("&#xA;"),
            c if forbidden(c) => {
                replaced = true;
                s.push('\u{FFFD}');
            }
            c => s.push(c),
        }
    }
    replaced
}

fn escape_into(s: &mut String, text: &str, attr: bool, tag: &str, warnings: &mut Vec<String>) {
    if escape_xml(s, text, attr) {
        warnings.push(format!(
            "{tag}: control characters not allowed in XML 1.0 replaced by U+FFFD"
        ));
    }
}
