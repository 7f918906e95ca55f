//! The XML of SRU answers: a small checked writer (every element opened is
//! closed, every text and attribute escaped, characters XML 1.0 cannot carry
//! replaced by U+FFFD), the record schemas (MARCXML, Dublin Core), the
//! ZeeRex explain record and diagnostics.

use kitap_catalog::{BibView, RecordType};
use kitap_marc::Record;

/// The MARC 21 slim namespace, on each `<record>` inside `<recordData>`.
const MARC_NS: &str = "http://www.loc.gov/MARC21/slim";
const DC_SCHEMA_NS: &str = "info:srw/schema/1/dc-schema";
const DC_NS: &str = "http://purl.org/dc/elements/1.1/";
const ZEEREX_NS: &str = "http://explain.z3950.org/dtd/2.0/";

/// SRU protocol version of a request and its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Version {
    V1_1,
    V1_2,
    V2_0,
}

impl Version {
    pub(super) fn parse(text: &str) -> Option<Version> {
        match text.trim() {
            "1.1" => Some(Version::V1_1),
            "1.2" => Some(Version::V1_2),
            "2.0" | "2" => Some(Version::V2_0),
            _ => None,
        }
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Version::V1_1 => "1.1",
            Version::V1_2 => "1.2",
            Version::V2_0 => "2.0",
        }
    }

    fn is_2(self) -> bool {
        self == Version::V2_0
    }

    fn response_ns(self) -> &'static str {
        if self.is_2() {
            "http://docs.oasis-open.org/ns/search-ws/sruResponse"
        } else {
            "http://www.loc.gov/zing/srw/"
        }
    }

    fn diagnostic_ns(self) -> &'static str {
        if self.is_2() {
            "http://docs.oasis-open.org/ns/search-ws/diagnostic"
        } else {
            "http://www.loc.gov/zing/srw/diagnostic/"
        }
    }

    /// Element prefix of the response namespace.
    fn prefix(self) -> &'static str {
        if self.is_2() {
            "sru"
        } else {
            "zs"
        }
    }
}

/// A record schema this server retrieves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Schema {
    MarcXml,
    Dc,
}

impl Schema {
    /// By short name or identifier, case-insensitive; `None` if unknown.
    pub(super) fn parse(text: &str) -> Option<Schema> {
        match text.trim().to_ascii_lowercase().as_str() {
            "marcxml"
            | "marc21-xml"
            | "marc21xml"
            | "marc21"
            | "marc"
            | "info:srw/schema/1/marcxml-v1.1"
            | "info:srw/schema/1/marcxml-v1.1-light"
            | "http://www.loc.gov/marc21/slim" => Some(Schema::MarcXml),
            "dc"
            | "info:srw/schema/1/dc-v1.1"
            | "info:srw/schema/1/dc-schema"
            | "http://purl.org/dc/elements/1.1/" => Some(Schema::Dc),
            _ => None,
        }
    }

    pub(super) fn identifier(self) -> &'static str {
        match self {
            Schema::MarcXml => "info:srw/schema/1/marcxml-v1.1",
            Schema::Dc => "info:srw/schema/1/dc-v1.1",
        }
    }
}

/// How record XML sits in `<recordData>`: as elements, or as escaped text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Packing {
    Xml,
    String,
}

impl Packing {
    fn as_str(self) -> &'static str {
        match self {
            Packing::Xml => "xml",
            Packing::String => "string",
        }
    }
}

/// One SRU diagnostic (`info:srw/diagnostic/1/<number>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Diagnostic {
    pub number: u32,
    pub details: Option<String>,
    pub message: String,
}

impl Diagnostic {
    /// The diagnostic with its standard meaning as the message.
    pub(super) fn new(number: u32, details: impl Into<Option<String>>) -> Diagnostic {
        Diagnostic {
            number,
            details: details.into(),
            message: meaning(number).to_owned(),
        }
    }

    pub(super) fn with_message(mut self, message: impl Into<String>) -> Diagnostic {
        self.message = message.into();
        self
    }
}

/// The meanings from the SRU diagnostics list of the numbers this server uses.
fn meaning(number: u32) -> &'static str {
    match number {
        1 => "General system error",
        2 => "System temporarily unavailable",
        4 => "Unsupported operation",
        5 => "Unsupported version",
        6 => "Unsupported parameter value",
        7 => "Mandatory parameter not supplied",
        8 => "Unsupported parameter",
        10 => "Query syntax error",
        13 => "Invalid or unsupported use of parentheses",
        16 => "Unsupported index",
        19 => "Unsupported relation",
        27 => "Empty term unsupported",
        36 => "Term in invalid format for index or relation",
        60 => "Too many records retrieved",
        61 => "First record position out of range",
        66 => "Unknown schema for retrieval",
        71 => "Unsupported record packing",
        72 => "XPath retrieval unsupported",
        80 => "Sort not supported",
        _ => "Diagnostic",
    }
}

/// Appends `text` escaped for element content (`attr` false) or a
/// double-quoted attribute value (`attr` true): the MARCXML writer's escaper.
fn escape_into(out: &mut String, text: &str, attr: bool) {
    kitap_marc::escape_xml(out, text, attr);
}

/// Builds a document; element names are the caller's constants, text and
/// attribute values are escaped. [`Xml::finish`] closes what is still open.
pub(super) struct Xml {
    out: String,
    open: Vec<String>,
}

impl Xml {
    pub(super) fn new() -> Xml {
        Xml {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            open: Vec::new(),
        }
    }

    fn start_tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape_into(&mut self.out, value, true);
            self.out.push('"');
        }
    }

    pub(super) fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> &mut Xml {
        self.start_tag(name, attrs);
        self.out.push('>');
        self.open.push(name.to_owned());
        self
    }

    pub(super) fn close(&mut self) -> &mut Xml {
        if let Some(name) = self.open.pop() {
            self.out.push_str("</");
            self.out.push_str(&name);
            self.out.push('>');
        }
        self
    }

    /// `<name attrs>text</name>`.
    pub(super) fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> &mut Xml {
        self.start_tag(name, attrs);
        self.out.push('>');
        escape_into(&mut self.out, text, false);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    pub(super) fn text(&mut self, text: &str) -> &mut Xml {
        escape_into(&mut self.out, text, false);
        self
    }

    /// A fragment that is already well-formed XML (from [`marcxml_record`]).
    fn fragment(&mut self, xml: &str) -> &mut Xml {
        self.out.push_str(xml);
        self
    }

    pub(super) fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out.push('\n');
        self.out
    }
}

/// One `<record xmlns="http://www.loc.gov/MARC21/slim">` element, from the
/// MARCXML writer (which checks characters and escapes) with its collection
/// wrapper taken off.
pub(super) fn marcxml_record(record: &Record) -> Option<String> {
    let mut buf = Vec::new();
    kitap_marc::write_marcxml(std::iter::once(record), &mut buf).ok()?;
    let text = String::from_utf8(buf).ok()?;
    // Markup in field data is escaped, so these are the element's own tags.
    let start = text.find("<record>")?;
    let end = text.rfind("</record>")? + "</record>".len();
    let inner = text.get(start + "<record>".len()..end)?;
    Some(format!("<record xmlns=\"{MARC_NS}\">{inner}"))
}

/// The DCMI type of a record type.
fn dcmi_type(kind: RecordType) -> &'static str {
    match kind {
        RecordType::Book | RecordType::Serial | RecordType::Article | RecordType::Manuscript => {
            "Text"
        }
        RecordType::Music => "Sound",
        RecordType::Map => "Image",
        RecordType::Audiovisual => "MovingImage",
        RecordType::Electronic => "Software",
        RecordType::Mixed => "Collection",
        RecordType::Authority | RecordType::Other => "Text",
    }
}

/// Simple Dublin Core of a record (`info:srw/schema/1/dc-v1.1`).
pub(super) fn dc_record(id: &str, view: &BibView) -> String {
    let mut x = Xml {
        out: String::new(),
        open: Vec::new(),
    };
    x.open(
        "srw_dc:dc",
        &[("xmlns:srw_dc", DC_SCHEMA_NS), ("xmlns:dc", DC_NS)],
    );
    if let Some(title) = &view.title {
        let full = match &view.part {
            Some(part) => format!("{title}. {part}"),
            None => title.clone(),
        };
        x.leaf("dc:title", &[], &full);
    }
    for author in &view.authors {
        x.leaf("dc:creator", &[], &author.name);
    }
    if view.authors.is_empty() {
        if let Some(responsibility) = &view.responsibility {
            x.leaf("dc:creator", &[], responsibility);
        }
    }
    for subject in view.subjects.iter().chain(&view.keywords) {
        x.leaf("dc:subject", &[], subject);
    }
    if let Some(annotation) = &view.annotation {
        x.leaf("dc:description", &[], annotation);
    }
    for publisher in view.publication.iter().filter_map(|p| p.publisher.as_ref()) {
        x.leaf("dc:publisher", &[], publisher);
    }
    if let Some(year) = view.year {
        x.leaf("dc:date", &[], &year.to_string());
    }
    x.leaf("dc:type", &[], dcmi_type(view.record_type));
    x.leaf("dc:type", &[], view.record_type.as_str());
    if let Some(extent) = &view.extent {
        x.leaf("dc:format", &[], extent);
    }
    for isbn in &view.isbns {
        x.leaf("dc:identifier", &[], &format!("urn:ISBN:{isbn}"));
    }
    for issn in &view.issns {
        x.leaf("dc:identifier", &[], &format!("urn:ISSN:{issn}"));
    }
    x.leaf("dc:identifier", &[], &format!("urn:uuid:{id}"));
    for language in &view.languages {
        x.leaf("dc:language", &[], language);
    }
    for series in &view.series {
        let text = match &series.number {
            Some(number) => format!("{} ; {number}", series.title),
            None => series.title.clone(),
        };
        x.leaf("dc:relation", &[], &text);
    }
    x.close();
    x.out
}

/// A record ready for `<recordData>`.
pub(super) struct RecordOut {
    pub xml: String,
    pub position: usize,
}

/// What the start of every response says.
fn response_start(x: &mut Xml, version: Version, element: &str) {
    let p = version.prefix();
    let xmlns = format!("xmlns:{p}");
    x.open(
        &format!("{p}:{element}"),
        &[(&xmlns, version.response_ns())],
    );
    x.leaf(&format!("{p}:version"), &[], version.as_str());
}

fn diagnostics(x: &mut Xml, version: Version, list: &[Diagnostic]) {
    if list.is_empty() {
        return;
    }
    let p = version.prefix();
    x.open(&format!("{p}:diagnostics"), &[]);
    for d in list {
        x.open("diagnostic", &[("xmlns", version.diagnostic_ns())]);
        x.leaf("uri", &[], &format!("info:srw/diagnostic/1/{}", d.number));
        if let Some(details) = &d.details {
            x.leaf("details", &[], details);
        }
        x.leaf("message", &[], &d.message);
        x.close();
    }
    x.close();
}

/// Record data in the packing asked for.
fn record_data(x: &mut Xml, p: &str, packing: Packing, xml: &str) {
    x.open(&format!("{p}:recordData"), &[]);
    match packing {
        Packing::Xml => x.fragment(xml),
        Packing::String => x.text(xml),
    };
    x.close();
}

/// The echo of the request, as the response schemas have it.
pub(super) struct Echo<'a> {
    pub query: Option<&'a str>,
    pub start_record: Option<usize>,
    pub maximum_records: Option<usize>,
    pub schema: Option<&'a str>,
    pub packing: Packing,
}

/// A whole searchRetrieveResponse.
pub(super) struct SearchResponse<'a> {
    pub version: Version,
    pub total: usize,
    pub schema: Schema,
    pub packing: Packing,
    pub records: Vec<RecordOut>,
    pub next_position: Option<usize>,
    pub echo: Option<Echo<'a>>,
    pub diagnostics: Vec<Diagnostic>,
}

pub(super) fn search_response(r: &SearchResponse<'_>) -> String {
    let version = r.version;
    let p = version.prefix();
    let mut x = Xml::new();
    response_start(&mut x, version, "searchRetrieveResponse");
    x.leaf(&format!("{p}:numberOfRecords"), &[], &r.total.to_string());
    if !r.records.is_empty() {
        x.open(&format!("{p}:records"), &[]);
        for record in &r.records {
            x.open(&format!("{p}:record"), &[]);
            x.leaf(&format!("{p}:recordSchema"), &[], r.schema.identifier());
            if version.is_2() {
                x.leaf(&format!("{p}:recordXMLEscaping"), &[], r.packing.as_str());
            } else {
                x.leaf(&format!("{p}:recordPacking"), &[], r.packing.as_str());
            }
            record_data(&mut x, p, r.packing, &record.xml);
            x.leaf(
                &format!("{p}:recordPosition"),
                &[],
                &record.position.to_string(),
            );
            x.close();
        }
        x.close();
    }
    if let Some(next) = r.next_position {
        x.leaf(&format!("{p}:nextRecordPosition"), &[], &next.to_string());
    }
    if let Some(echo) = &r.echo {
        x.open(&format!("{p}:echoedSearchRetrieveRequest"), &[]);
        x.leaf(&format!("{p}:version"), &[], version.as_str());
        if let Some(query) = echo.query {
            x.leaf(&format!("{p}:query"), &[], query);
        }
        if let Some(start) = echo.start_record {
            x.leaf(&format!("{p}:startRecord"), &[], &start.to_string());
        }
        if let Some(max) = echo.maximum_records {
            x.leaf(&format!("{p}:maximumRecords"), &[], &max.to_string());
        }
        if version.is_2() {
            x.leaf(
                &format!("{p}:recordXMLEscaping"),
                &[],
                echo.packing.as_str(),
            );
        } else {
            x.leaf(&format!("{p}:recordPacking"), &[], echo.packing.as_str());
        }
        if let Some(schema) = echo.schema {
            x.leaf(&format!("{p}:recordSchema"), &[], schema);
        }
        x.close();
    }
    diagnostics(&mut x, version, &r.diagnostics);
    x.finish()
}

/// A response of `element` (searchRetrieveResponse, explainResponse,
/// scanResponse) that carries only diagnostics.
pub(super) fn diagnostic_response(version: Version, element: &str, list: &[Diagnostic]) -> String {
    let p = version.prefix();
    let mut x = Xml::new();
    response_start(&mut x, version, element);
    if element == "searchRetrieveResponse" {
        x.leaf(&format!("{p}:numberOfRecords"), &[], "0");
    }
    diagnostics(&mut x, version, list);
    x.finish()
}

/// A searchable index: its title and the CQL names that reach it.
pub(super) struct IndexInfo {
    pub title: &'static str,
    pub names: &'static [(&'static str, &'static str)],
}

/// What explain advertises about this server.
pub(super) struct ExplainInfo<'a> {
    pub version: Version,
    pub host: &'a str,
    pub port: u16,
    pub database: &'a str,
    pub indexes: &'a [IndexInfo],
    pub default_records: usize,
    pub max_records: usize,
    pub packing: Packing,
}

/// The ZeeRex explain record.
fn zeerex(info: &ExplainInfo<'_>) -> String {
    let mut x = Xml {
        out: String::new(),
        open: Vec::new(),
    };
    x.open("explain", &[("xmlns", ZEEREX_NS)]);
    x.open(
        "serverInfo",
        &[
            ("protocol", "SRU"),
            ("version", info.version.as_str()),
            ("transport", "http"),
            ("method", "GET"),
        ],
    );
    x.leaf("host", &[], info.host);
    x.leaf("port", &[], &info.port.to_string());
    x.leaf("database", &[], info.database);
    x.close();

    x.open("databaseInfo", &[]);
    x.leaf("title", &[("lang", "en"), ("primary", "true")], "Kitap");
    x.leaf("title", &[("lang", "kk")], "Китап — кітапхана каталогы");
    x.leaf("title", &[("lang", "ru")], "Китап — библиотечный каталог");
    x.leaf(
        "description",
        &[("lang", "en"), ("primary", "true")],
        "The catalogue of the city library system: MARC 21 and RUSMARC records in Kazakh, Russian and other languages.",
    );
    x.leaf(
        "description",
        &[("lang", "kk")],
        "Қалалық кітапханалар жүйесінің каталогы.",
    );
    x.leaf(
        "description",
        &[("lang", "ru")],
        "Каталог централизованной библиотечной системы города.",
    );
    x.close();

    x.open("indexInfo", &[]);
    let sets = [
        ("cql", "info:srw/cql-context-set/1/cql-v1.2"),
        ("dc", "info:srw/cql-context-set/1/dc-v1.1"),
        ("bath", "http://zing.z3950.org/cql/bath/2.0/"),
        ("rec", "info:srw/cql-context-set/2/rec-1.1"),
    ];
    for (name, identifier) in sets {
        x.open("set", &[("name", name), ("identifier", identifier)]);
        x.close();
    }
    for index in info.indexes {
        x.open(
            "index",
            &[("search", "true"), ("scan", "false"), ("sort", "false")],
        );
        x.leaf("title", &[("lang", "en")], index.title);
        for (set, name) in index.names {
            x.open("map", &[]);
            x.leaf("name", &[("set", set)], name);
            x.close();
        }
        x.close();
    }
    x.close();

    x.open("schemaInfo", &[]);
    let schemas = [
        (
            Schema::MarcXml,
            "marcxml",
            "MARCXML (MARC 21 slim; UNIMARC records as they are)",
        ),
        (Schema::Dc, "dc", "Simple Dublin Core"),
    ];
    for (schema, name, title) in schemas {
        x.open(
            "schema",
            &[
                ("identifier", schema.identifier()),
                ("name", name),
                ("retrieve", "true"),
                ("sort", "false"),
            ],
        );
        x.leaf("title", &[("lang", "en")], title);
        x.close();
    }
    x.close();

    x.open("configInfo", &[]);
    x.leaf(
        "default",
        &[("type", "numberOfRecords")],
        &info.default_records.to_string(),
    );
    x.leaf(
        "setting",
        &[("type", "maximumRecords")],
        &info.max_records.to_string(),
    );
    x.leaf("default", &[("type", "index")], "cql.serverChoice");
    x.leaf("default", &[("type", "relation")], "=");
    x.leaf("default", &[("type", "retrieveSchema")], "marcxml");
    for relation in [
        "=", "==", "all", "any", "adj", "exact", "<", "<=", ">", ">=", "within",
    ] {
        x.leaf("supports", &[("type", "relation")], relation);
    }
    for boolean in ["and", "or", "not"] {
        x.leaf("supports", &[("type", "booleanModifier")], boolean);
    }
    x.close();

    x.close();
    x.out
}

/// A whole explainResponse.
pub(super) fn explain_response(info: &ExplainInfo<'_>) -> String {
    let version = info.version;
    let p = version.prefix();
    let mut x = Xml::new();
    response_start(&mut x, version, "explainResponse");
    x.open(&format!("{p}:record"), &[]);
    x.leaf(&format!("{p}:recordSchema"), &[], ZEEREX_NS);
    if version.is_2() {
        x.leaf(
            &format!("{p}:recordXMLEscaping"),
            &[],
            info.packing.as_str(),
        );
    } else {
        x.leaf(&format!("{p}:recordPacking"), &[], info.packing.as_str());
    }
    record_data(&mut x, p, info.packing, &zeerex(info));
    x.leaf(&format!("{p}:recordPosition"), &[], "1");
    x.close();
    x.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped_and_sanitised() {
        let mut x = Xml::new();
        x.open("a", &[("b", "\"<&>\n")])
            .leaf("c", &[], "x < y & \u{1}z\r");
        let out = x.finish();
        assert!(out.contains("<a b=\"&quot;&lt;&amp;&gt;&#xA;\">"), "{out}");
        assert!(
            out.contains("<c>x &lt; y &amp; \u{FFFD}z&#xD;</c></a>"),
            "{out}"
        );
    }

    #[test]
    fn schemas_by_name_and_identifier() {
        assert_eq!(Schema::parse("MARC21-xml"), Some(Schema::MarcXml));
        assert_eq!(
            Schema::parse("info:srw/schema/1/marcxml-v1.1"),
            Some(Schema::MarcXml)
        );
        assert_eq!(Schema::parse("info:srw/schema/1/dc-v1.1"), Some(Schema::Dc));
        assert_eq!(Schema::parse("mods"), None);
    }
}
