//! SRU 1.2/2.0 at `GET /sru`: searchRetrieve in CQL with MARCXML and Dublin
//! Core records, paging by position, explain, diagnostics, and yaz-client
//! as a real SRU client. Every answer is parsed as XML (namespaces
//! resolved), so a malformed document fails the test.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use actix_web::http::Method;
use kitap_tests::{both_backends, TestApp};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use serde_json::{json, Value};

const SRU_1: &str = "http://www.loc.gov/zing/srw/";
const SRU_2: &str = "http://docs.oasis-open.org/ns/search-ws/sruResponse";
const DIAG_1: &str = "http://www.loc.gov/zing/srw/diagnostic/";
const DIAG_2: &str = "http://docs.oasis-open.org/ns/search-ws/diagnostic";
const MARC: &str = "http://www.loc.gov/MARC21/slim";
const DC: &str = "http://purl.org/dc/elements/1.1/";
const SRW_DC: &str = "info:srw/schema/1/dc-schema";
const ZEEREX: &str = "http://explain.z3950.org/dtd/2.0/";
const INDEX_DEADLINE: Duration = Duration::from_secs(10);

/// ISBNs with correct check digits (a wrong one would be a warning and kept
/// apart from the searchable ISBNs).
const ABAI_ISBN: &str = "978-601-7000-00-4";
const QAN_ISBN: &str = "9789965000003";

// ---------------------------------------------------------------- XML

/// An element with its namespace resolved; text is the concatenated
/// character data directly inside it.
#[derive(Debug, Default, Clone)]
struct Node {
    ns: String,
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every descendant (not self) with this namespace and local name, in
    /// document order.
    fn all(&self, ns: &str, name: &str) -> Vec<&Node> {
        let mut out = Vec::new();
        for child in &self.children {
            if child.ns == ns && child.name == name {
                out.push(child);
            }
            out.extend(child.all(ns, name));
        }
        out
    }

    fn first(&self, ns: &str, name: &str) -> Option<&Node> {
        self.all(ns, name).into_iter().next()
    }

    /// Texts of the direct children with this name.
    fn texts(&self, ns: &str, name: &str) -> Vec<String> {
        self.children
            .iter()
            .filter(|c| c.ns == ns && c.name == name)
            .map(|c| c.text.clone())
            .collect()
    }
}

fn element(ns: ResolveResult, start: &BytesStart) -> Node {
    let ns = match ns {
        ResolveResult::Bound(ns) => String::from_utf8(ns.as_ref().to_vec()).unwrap(),
        ResolveResult::Unbound => String::new(),
        ResolveResult::Unknown(prefix) => {
            panic!("unbound prefix {}", String::from_utf8_lossy(&prefix))
        }
    };
    let name = String::from_utf8(start.local_name().as_ref().to_vec()).unwrap();
    let attrs = start
        .attributes()
        .map(|a| {
            let a = a.unwrap();
            let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
            (key, a.unescape_value().unwrap().into_owned())
        })
        .collect();
    Node {
        ns,
        name,
        attrs,
        ..Node::default()
    }
}

/// Parses a whole document: well-formed, one root, every prefix bound.
fn parse_xml(text: &str) -> Node {
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut roots: Vec<Node> = Vec::new();
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .unwrap_or_else(|e| panic!("not well-formed XML ({e}): {text}"));
        match event {
            Event::Start(start) => stack.push(element(ns, &start)),
            Event::Empty(start) => {
                let node = element(ns, &start);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => roots.push(node),
                }
            }
            Event::End(_) => {
                let node = stack.pop().expect("end without start");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => roots.push(node),
                }
            }
            Event::Text(t) => {
                let t = t.unescape().unwrap();
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&t),
                    None => assert!(t.trim().is_empty(), "text outside the root: {t:?}"),
                }
            }
            Event::CData(c) => {
                let c = String::from_utf8(c.into_inner().to_vec()).unwrap();
                stack
                    .last_mut()
                    .expect("CDATA outside the root")
                    .text
                    .push_str(&c);
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {text}");
    assert_eq!(roots.len(), 1, "one root element: {text}");
    roots.pop().unwrap()
}

// ---------------------------------------------------------------- requests

/// Percent-encodes a query-string value (everything but unreserved characters).
fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn query_string(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `GET /sru?<raw>`: must be 200 XML whatever was asked; the parsed root.
async fn sru_raw(app: &TestApp, raw: &str) -> Node {
    let response = app.get(&format!("/sru?{raw}"), None).await;
    assert_eq!(
        response.status.as_u16(),
        200,
        "GET /sru?{raw}: {}",
        response.text
    );
    assert_eq!(
        response.header("content-type"),
        Some("text/xml; charset=utf-8")
    );
    parse_xml(&response.text)
}

async fn sru(app: &TestApp, params: &[(&str, &str)]) -> Node {
    sru_raw(app, &query_string(params)).await
}

/// A searchRetrieve with SRU 1.2 and the given extra parameters.
async fn search(app: &TestApp, query: &str, extra: &[(&str, &str)]) -> Node {
    let mut params = vec![
        ("operation", "searchRetrieve"),
        ("version", "1.2"),
        ("query", query),
    ];
    params.extend_from_slice(extra);
    sru(app, &params).await
}

fn total(root: &Node) -> usize {
    let ns = root.ns.clone();
    let n = root
        .first(&ns, "numberOfRecords")
        .unwrap_or_else(|| panic!("no numberOfRecords: {root:?}"));
    n.text.trim().parse().unwrap()
}

/// Diagnostic numbers (`info:srw/diagnostic/1/N`), checking their namespace.
fn diagnostics(root: &Node) -> Vec<u32> {
    let diag_ns = if root.ns == SRU_2 { DIAG_2 } else { DIAG_1 };
    root.all(diag_ns, "diagnostic")
        .iter()
        .map(|d| {
            let uri = &d
                .first(diag_ns, "uri")
                .expect("diagnostic without uri")
                .text;
            assert!(d.first(diag_ns, "message").is_some(), "no message: {d:?}");
            uri.strip_prefix("info:srw/diagnostic/1/")
                .unwrap_or_else(|| panic!("uri {uri}"))
                .parse()
                .unwrap()
        })
        .collect()
}

/// The one diagnostic of a failed request (and no records).
fn only_diagnostic(root: &Node) -> u32 {
    let found = diagnostics(root);
    assert_eq!(found.len(), 1, "{root:?}");
    assert!(root.all(MARC, "record").is_empty());
    found[0]
}

/// 245$a (MARC 21) or 200$a (UNIMARC) of each MARCXML record, in order.
fn marc_titles(root: &Node) -> Vec<String> {
    root.all(MARC, "record")
        .iter()
        .map(|record| {
            record
                .all(MARC, "datafield")
                .into_iter()
                .filter(|f| matches!(f.attr("tag"), Some("245" | "200")))
                .flat_map(|f| f.all(MARC, "subfield"))
                .find(|s| s.attr("code") == Some("a"))
                .map(|s| s.text.clone())
                .unwrap_or_default()
        })
        .collect()
}

fn positions(root: &Node) -> Vec<usize> {
    let ns = root.ns.clone();
    root.all(&ns, "recordPosition")
        .iter()
        .map(|p| p.text.parse().unwrap())
        .collect()
}

fn next_position(root: &Node) -> Option<usize> {
    let ns = root.ns.clone();
    root.first(&ns, "nextRecordPosition")
        .map(|n| n.text.parse().unwrap())
}

/// The Kitap record ids of Dublin Core records (`urn:uuid:<id>`).
fn dc_ids(root: &Node) -> Vec<String> {
    root.all(SRW_DC, "dc")
        .iter()
        .flat_map(|dc| dc.texts(DC, "identifier"))
        .filter_map(|i| i.strip_prefix("urn:uuid:").map(str::to_owned))
        .collect()
}

// ---------------------------------------------------------------- records

/// A Kazakh RUSMARC record as MARC-in-JSON.
fn unimarc_book(title: &str, author: (&str, &str), isbn: &str, year: u32) -> Value {
    json!({
        "leader": "00000nam0 2200000   450 ",
        "fields": [
            {"001": format!("KZ-{title}")},
            {"010": {"ind1": " ", "ind2": " ", "subfields": [{"a": isbn}]}},
            {"100": {"ind1": " ", "ind2": " ", "subfields": [{"a": format!("20240101d{year}    k  y0kaza50      ca")}]}},
            {"101": {"ind1": "0", "ind2": " ", "subfields": [{"a": "kaz"}]}},
            {"200": {"ind1": "1", "ind2": " ", "subfields": [{"a": title}, {"f": format!("{} {}", author.1, author.0)}]}},
            {"210": {"ind1": " ", "ind2": " ", "subfields": [{"a": "Алматы"}, {"c": "Жазушы"}, {"d": year.to_string()}]}},
            {"215": {"ind1": " ", "ind2": " ", "subfields": [{"a": "480 б."}]}},
            {"330": {"ind1": " ", "ind2": " ", "subfields": [{"a": "Ұлы ақынның өмірі туралы роман-эпопея."}]}},
            {"606": {"ind1": " ", "ind2": " ", "subfields": [{"a": "Қазақ әдебиеті"}]}},
            {"700": {"ind1": " ", "ind2": "1", "subfields": [{"a": author.0}, {"g": author.1}]}}
        ]
    })
}

/// A MARC 21 record as MARC-in-JSON.
fn marc21_book(title: &str, author: &str, isbn: Option<&str>, year: u32, lang: &str) -> Value {
    let mut fields = vec![json!({"008": format!("230101s{year}    kz            000 1 {lang} d")})];
    if let Some(isbn) = isbn {
        fields.push(json!({"020": {"ind1": " ", "ind2": " ", "subfields": [{"a": isbn}]}}));
    }
    fields.extend([
        json!({"100": {"ind1": "1", "ind2": " ", "subfields": [{"a": author}]}}),
        json!({"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": title}]}}),
        json!({"264": {"ind1": " ", "ind2": "1", "subfields": [{"a": "Алматы :"}, {"b": "Атамұра,"}, {"c": format!("{year}.")}]}}),
        json!({"650": {"ind1": " ", "ind2": "4", "subfields": [{"a": "Тарих"}]}}),
    ]);
    json!({"leader": "00000nam a2200000 i 4500", "fields": fields})
}

async fn create(app: &TestApp, token: &str, marc: Value) -> String {
    let created = app
        .post("/api/v1/records", Some(token), json!({ "marc": marc }))
        .await
        .expect(201);
    created.body["record"]["id"].as_str().unwrap().to_owned()
}

/// Waits until SRU sees `count` records in all (the indexer follows the
/// outbox every 100 ms).
async fn wait_indexed(app: &TestApp, count: usize) {
    let started = Instant::now();
    loop {
        let root = search(app, "cql.allRecords=1", &[("maximumRecords", "0")]).await;
        let seen = total(&root);
        if seen >= count {
            assert_eq!(seen, count, "more records indexed than created");
            return;
        }
        assert!(
            started.elapsed() < INDEX_DEADLINE,
            "index has {seen} of {count} records after {INDEX_DEADLINE:?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The test catalogue: two Kazakh novels (RUSMARC and MARC 21), a Russian
/// book and five volumes of one chronicle, for paging.
struct Catalogue {
    abai: String,
    qan: String,
    russian: String,
    chronicle: Vec<String>,
}

async fn catalogue(app: &TestApp) -> Catalogue {
    let token = app.cataloger_token().await;
    let abai = create(
        app,
        &token,
        unimarc_book("Абай жолы", ("Әуезов", "Мұхтар"), ABAI_ISBN, 2023),
    )
    .await;
    let qan = create(
        app,
        &token,
        marc21_book(
            "Қан мен тер",
            "Нұрпейісов, Әбдіжәміл",
            Some(QAN_ISBN),
            2011,
            "kaz",
        ),
    )
    .await;
    let russian = create(
        app,
        &token,
        marc21_book("Кочевники", "Есенберлин, Ильяс", None, 2010, "rus"),
    )
    .await;
    let mut chronicle = Vec::new();
    for volume in 1..=5 {
        let title = format!("Шежіре {volume}");
        chronicle.push(
            create(
                app,
                &token,
                marc21_book(&title, "Құдайбердіұлы, Шәкәрім", None, 2000 + volume, "kaz"),
            )
            .await,
        );
    }
    wait_indexed(app, 8).await;
    Catalogue {
        abai,
        qan,
        russian,
        chronicle,
    }
}

/// Record ids a query finds, as Dublin Core (up to 100).
async fn ids(app: &TestApp, query: &str) -> Vec<String> {
    let root = search(
        app,
        query,
        &[("recordSchema", "dc"), ("maximumRecords", "100")],
    )
    .await;
    assert_eq!(diagnostics(&root), Vec::<u32>::new(), "{query}");
    let found = dc_ids(&root);
    assert_eq!(found.len(), total(&root), "{query}");
    found
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

// ---------------------------------------------------------------- yaz-client

/// Runs yaz-client with `commands` on stdin; `None` when it is not
/// installed (outside CI; in CI a missing yaz-client fails the test).
fn yaz_client(commands: &str) -> Option<String> {
    if !kitap_tests::require_tool("yaz-client", "apt-get install yaz") {
        return None;
    }
    let mut child = Command::new("yaz-client")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(commands.as_bytes())
        .unwrap();
    // stdin is closed: yaz-client ends after the last command.
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("yaz-client did not finish in 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "yaz-client: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

both_backends! {
    async fn sru_search_retrieve_finds_records_by_index(app: TestApp) {
        let c = catalogue(&app).await;
        // Title in Cyrillic, in Latin-2021 letters, as one word or a phrase.
        assert_eq!(ids(&app, "dc.title = \"абай жолы\"").await, vec![c.abai.clone()]);
        assert_eq!(ids(&app, "dc.title = \"Abai joly\"").await, vec![c.abai.clone()]);
        assert_eq!(ids(&app, "dc.title=абай").await, vec![c.abai.clone()]);
        assert_eq!(ids(&app, "title = \"қан мен тер\"").await, vec![c.qan.clone()]);
        assert_eq!(ids(&app, "dc.title = \"qan men ter\"").await, vec![c.qan.clone()]);
        // Authors, Cyrillic and Latin.
        assert_eq!(ids(&app, "dc.creator = әуезов").await, vec![c.abai.clone()]);
        assert_eq!(ids(&app, "dc.creator = auezov").await, vec![c.abai.clone()]);
        assert_eq!(ids(&app, "dc.creator = нұрпейісов").await, vec![c.qan.clone()]);
        // ISBN hyphenated, plain, and as ISBN-10-less ISBN-13 of the other.
        assert_eq!(ids(&app, &format!("bath.isbn = {ABAI_ISBN}")).await, vec![c.abai.clone()]);
        assert_eq!(ids(&app, "bath.isbn = 9786017000004").await, vec![c.abai.clone()]);
        assert_eq!(ids(&app, "bath.isbn = 978-9965-0-0000-3").await, vec![c.qan.clone()]);
        assert_eq!(ids(&app, &format!("bath.isbn = {QAN_ISBN}")).await, vec![c.qan.clone()]);
        // The record id, language, year.
        assert_eq!(ids(&app, &format!("rec.id = {}", c.russian)).await, vec![c.russian.clone()]);
        assert_eq!(ids(&app, "dc.language = rus").await, vec![c.russian.clone()]);
        assert_eq!(ids(&app, "dc.date = 2011").await, vec![c.qan.clone()]);
        assert_eq!(ids(&app, "dc.title = шежіре and dc.date >= 2004").await.len(), 2);
        // Booleans.
        assert_eq!(
            sorted(ids(&app, "dc.title = абай or dc.title = кочевники").await),
            sorted(vec![c.abai.clone(), c.russian.clone()])
        );
        assert_eq!(ids(&app, "dc.title = абай and dc.creator = әуезов").await, vec![c.abai.clone()]);
        assert!(ids(&app, "dc.title = абай and dc.creator = нұрпейісов").await.is_empty());
        assert_eq!(sorted(ids(&app, "dc.title = шежіре").await), sorted(c.chronicle.clone()));
        assert_eq!(ids(&app, "dc.title = шежіре not dc.date <= 2004").await, c.chronicle[4..].to_vec());
        assert_eq!(
            ids(&app, "(dc.title = абай or dc.title = шежіре) not dc.language = kaz").await,
            Vec::<String>::new()
        );
        // A bare term searches every field; cql.allRecords finds all.
        assert_eq!(ids(&app, "Жазушы").await, vec![c.abai.clone()]);
        assert_eq!(ids(&app, "cql.allRecords = 1").await.len(), 8);
        // SRU 2.0 without operation: searchRetrieve, in the 2.0 namespace.
        let v2 = sru(&app, &[("version", "2.0"), ("query", "dc.title=абай")]).await;
        assert_eq!((v2.ns.as_str(), v2.name.as_str()), (SRU_2, "searchRetrieveResponse"));
        assert_eq!(total(&v2), 1);
        assert_eq!(marc_titles(&v2), vec!["Абай жолы"]);
        // No version: 1.2.
        let v1 = sru(&app, &[("query", "dc.title=абай")]).await;
        assert_eq!((v1.ns.as_str(), v1.name.as_str()), (SRU_1, "searchRetrieveResponse"));
        assert_eq!(v1.first(SRU_1, "version").unwrap().text, "1.2");
    }

    async fn sru_pages_by_start_record(app: TestApp) {
        let c = catalogue(&app).await;
        let mut seen = Vec::new();
        let mut start = Some(1);
        let mut pages = 0;
        while let Some(at) = start {
            let at_text = at.to_string();
            let page = search(&app, "dc.title = шежіре", &[
                ("startRecord", &at_text), ("maximumRecords", "2"), ("recordSchema", "dc"),
            ]).await;
            assert_eq!(total(&page), 5);
            assert_eq!(diagnostics(&page), Vec::<u32>::new());
            let got = dc_ids(&page);
            assert_eq!(positions(&page), (at..at + got.len()).collect::<Vec<_>>());
            seen.extend(got);
            start = next_position(&page);
            pages += 1;
            assert!(pages <= 3, "paging does not end");
        }
        assert_eq!(pages, 3);
        assert_eq!(seen.len(), 5, "{seen:?}");
        assert_eq!(sorted(seen), sorted(c.chronicle.clone()));
        // The same order as one big page.
        let whole = search(&app, "dc.title = шежіре", &[("recordSchema", "dc")]).await;
        let second = search(&app, "dc.title = шежіре", &[
            ("startRecord", "2"), ("maximumRecords", "3"), ("recordSchema", "dc"),
        ]).await;
        assert_eq!(dc_ids(&second), dc_ids(&whole)[1..4].to_vec());
        assert_eq!(next_position(&second), Some(5));
        // Default page: 10 records; maximumRecords=0 only counts.
        let all = search(&app, "cql.allRecords=1", &[]).await;
        assert_eq!((total(&all), marc_titles(&all).len(), next_position(&all)), (8, 8, None));
        let counted = search(&app, "cql.allRecords=1", &[("maximumRecords", "0")]).await;
        assert_eq!((total(&counted), marc_titles(&counted).len()), (8, 0));
        // More than 100 is served as 100 (here: all 8).
        let many = search(&app, "cql.allRecords=1", &[("maximumRecords", "5000")]).await;
        assert_eq!(marc_titles(&many).len(), 8);
        // Past the end: diagnostic 61 with the count.
        let past = search(&app, "dc.title = шежіре", &[("startRecord", "6")]).await;
        assert_eq!((only_diagnostic(&past), total(&past)), (61, 5));
        let far = search(&app, "dc.title = шежіре", &[("startRecord", "10001")]).await;
        assert_eq!(only_diagnostic(&far), 61);
        // No hits at position 1 is not an error (a nonsense word: the
        // engine forgives a typo in words from three letters on).
        let none = search(&app, "dc.title = qwxzjvkp", &[]).await;
        assert_eq!((total(&none), diagnostics(&none).len()), (0, 0));
        // Bad numbers: diagnostic 6.
        for (name, value) in [
            ("startRecord", "0"), ("startRecord", "-1"), ("startRecord", "x"),
            ("maximumRecords", "-5"), ("maximumRecords", "ten"), ("maximumRecords", "99999999999999999999999"),
        ] {
            let bad = search(&app, "dc.title = шежіре", &[(name, value)]).await;
            assert_eq!(only_diagnostic(&bad), 6, "{name}={value}");
        }
    }

    async fn sru_records_come_as_marcxml_or_dublin_core(app: TestApp) {
        let c = catalogue(&app).await;
        // MARCXML: the default, and by every name.
        for schema in [None, Some("marcxml"), Some("info:srw/schema/1/marcxml-v1.1"), Some("MARC21-xml")] {
            let mut extra = vec![];
            if let Some(s) = schema {
                extra.push(("recordSchema", s));
            }
            let root = search(&app, "dc.title = абай or dc.title = \"қан мен тер\"", &extra).await;
            assert_eq!(total(&root), 2, "{schema:?}");
            assert_eq!(
                root.first(SRU_1, "recordSchema").unwrap().text,
                "info:srw/schema/1/marcxml-v1.1"
            );
            assert_eq!(root.first(SRU_1, "recordPacking").unwrap().text, "xml");
            let mut titles = marc_titles(&root);
            titles.sort();
            assert_eq!(titles, vec!["Абай жолы", "Қан мен тер"], "{schema:?}");
        }
        // The MARC record is complete: leader, control fields, the author
        // (RUSMARC 700 crosswalked to MARC 21 100).
        let abai = search(&app, &format!("rec.id = {}", c.abai), &[]).await;
        let record = abai.first(MARC, "record").unwrap();
        assert_eq!(record.first(MARC, "leader").unwrap().text.len(), 24);
        assert_eq!(record.first(MARC, "controlfield").unwrap().attr("tag"), Some("001"));
        assert!(record.all(MARC, "datafield").iter().any(|f| f.attr("tag") == Some("100")));

        // Packing "string": the same record as escaped text.
        let packed = search(&app, &format!("rec.id = {}", c.abai), &[("recordPacking", "string")]).await;
        assert_eq!(packed.first(SRU_1, "recordPacking").unwrap().text, "string");
        let data = packed.first(SRU_1, "recordData").unwrap();
        assert!(data.children.is_empty());
        let inner = parse_xml(&data.text);
        assert_eq!((inner.ns.as_str(), inner.name.as_str()), (MARC, "record"));
        let wrapped = Node { children: vec![inner], ..Node::default() };
        assert_eq!(marc_titles(&wrapped), vec!["Абай жолы"]);

        // Dublin Core, by short name and by identifier.
        for schema in ["dc", "info:srw/schema/1/dc-v1.1"] {
            let root = search(&app, &format!("rec.id = {}", c.abai), &[("recordSchema", schema)]).await;
            assert_eq!(root.first(SRU_1, "recordSchema").unwrap().text, "info:srw/schema/1/dc-v1.1");
            let dc = root.first(SRW_DC, "dc").unwrap_or_else(|| panic!("no srw_dc:dc: {root:?}"));
            assert_eq!(dc.texts(DC, "title"), vec!["Абай жолы"]);
            assert_eq!(dc.texts(DC, "creator"), vec!["Әуезов, Мұхтар"]);
            assert_eq!(dc.texts(DC, "date"), vec!["2023"]);
            assert_eq!(dc.texts(DC, "language"), vec!["kaz"]);
            assert_eq!(dc.texts(DC, "publisher"), vec!["Жазушы"]);
            assert_eq!(dc.texts(DC, "subject"), vec!["Қазақ әдебиеті"]);
            assert!(dc.texts(DC, "description")[0].starts_with("Ұлы ақынның"));
            assert!(dc.texts(DC, "type").contains(&"Text".to_owned()));
            let identifiers = dc.texts(DC, "identifier");
            assert!(identifiers.contains(&"urn:ISBN:9786017000004".to_owned()), "{identifiers:?}");
            assert!(identifiers.contains(&format!("urn:uuid:{}", c.abai)), "{identifiers:?}");
        }

        // SRU 2.0: recordXMLEscaping instead of recordPacking.
        let v2 = sru(&app, &[
            ("operation", "searchRetrieve"), ("version", "2.0"),
            ("query", &format!("rec.id = {}", c.qan)), ("recordSchema", "dc"),
        ]).await;
        assert_eq!(v2.ns, SRU_2);
        assert_eq!(v2.first(SRU_2, "recordXMLEscaping").unwrap().text, "xml");
        assert!(v2.first(SRU_2, "recordPacking").is_none());
        assert_eq!(v2.first(SRW_DC, "dc").unwrap().texts(DC, "title"), vec!["Қан мен тер"]);
        let v2s = sru(&app, &[
            ("version", "2.0"), ("query", &format!("rec.id = {}", c.qan)), ("recordXMLEscaping", "string"),
        ]).await;
        let text = &v2s.first(SRU_2, "recordData").unwrap().text;
        assert_eq!(parse_xml(text).name, "record");
        let bad = sru(&app, &[("version", "2.0"), ("query", "абай"), ("recordXMLEscaping", "json")]).await;
        assert_eq!(only_diagnostic(&bad), 71);
    }

    async fn sru_explain_describes_the_server(app: TestApp) {
        let port: u16 = app.base.rsplit(':').next().unwrap().parse().unwrap();
        // No parameters at all, operation=explain, and SRU 2.0.
        for raw in ["", "operation=explain&version=1.2", "operation=explain&version=2.0", "version=2.0"] {
            let root = sru_raw(&app, raw).await;
            assert_eq!(root.name, "explainResponse", "{raw}");
            let explain = root.first(ZEEREX, "explain").unwrap_or_else(|| panic!("{raw}: {root:?}"));
            let server = explain.first(ZEEREX, "serverInfo").unwrap();
            assert_eq!(server.attr("protocol"), Some("SRU"));
            assert_eq!(server.texts(ZEEREX, "host"), vec!["127.0.0.1"]);
            assert_eq!(server.texts(ZEEREX, "port"), vec![port.to_string()]);
            assert_eq!(server.texts(ZEEREX, "database"), vec!["sru"]);
            let titles = explain.first(ZEEREX, "databaseInfo").unwrap().texts(ZEEREX, "title");
            assert_eq!(titles[0], "Kitap");
            assert!(titles.iter().any(|t| t.contains("кітапхана")), "{titles:?}");
            assert!(titles.iter().any(|t| t.contains("библиотечный")), "{titles:?}");
            let names: Vec<String> = explain
                .first(ZEEREX, "indexInfo").unwrap()
                .all(ZEEREX, "name")
                .iter()
                .map(|n| format!("{}.{}", n.attr("set").unwrap(), n.text))
                .collect();
            for index in [
                "dc.title", "dc.creator", "dc.subject", "bath.isbn", "cql.anywhere", "rec.id",
                "dc.date", "dc.language", "dc.publisher",
            ] {
                assert!(names.iter().any(|n| n == index), "{index} not in {names:?}");
            }
            let schemas: Vec<&str> = explain
                .all(ZEEREX, "schema")
                .iter()
                .map(|s| s.attr("name").unwrap())
                .collect();
            assert_eq!(schemas, vec!["marcxml", "dc"]);
            let config = explain.first(ZEEREX, "configInfo").unwrap();
            let value = |kind: &str, name: &str| {
                config.children.iter()
                    .find(|c| c.name == kind && c.attr("type") == Some(name))
                    .map(|c| c.text.clone())
            };
            assert_eq!(value("default", "numberOfRecords").as_deref(), Some("10"));
            assert_eq!(value("setting", "maximumRecords").as_deref(), Some("100"));
        }
        let v2 = sru_raw(&app, "version=2.0").await;
        assert_eq!(v2.ns, SRU_2);
        // The host as the client named it.
        let named = app
            .raw(Method::GET, "/sru", None, &[("Host", "opac.example.kz:8443")], None)
            .await;
        let server = parse_xml(&named.text);
        let server = server.first(ZEEREX, "serverInfo").unwrap();
        assert_eq!(server.texts(ZEEREX, "host"), vec!["opac.example.kz"]);
        assert_eq!(server.texts(ZEEREX, "port"), vec!["8443"]);
    }

    async fn sru_bad_requests_are_diagnostics(app: TestApp) {
        catalogue(&app).await;
        let cases: &[(&str, u32)] = &[
            // CQL syntax: two terms without a boolean, a quote never closed, a dangling boolean.
            ("абай жолы", 10),
            ("dc.title = \"абай", 10),
            ("dc.title = абай and", 10),
            ("(dc.title = абай", 13),
            ("foo.bar = абай", 16),
            ("dc.nonsense = абай", 16),
            ("dc.title > абай", 19),
            ("dc.date = никогда", 36),
        ];
        for (query, number) in cases {
            let root = search(&app, query, &[]).await;
            assert_eq!(only_diagnostic(&root), *number, "{query}");
            assert_eq!(total(&root), 0);
        }
        let unknown = search(&app, "foo.bar = абай", &[]).await;
        assert_eq!(unknown.first(DIAG_1, "details").unwrap().text, "foo.bar");
        // Unknown schema, packing, XPath.
        let schema = search(&app, "dc.title = абай", &[("recordSchema", "mods")]).await;
        assert_eq!(only_diagnostic(&schema), 66);
        assert_eq!(schema.first(DIAG_1, "details").unwrap().text, "mods");
        let packing = search(&app, "dc.title = абай", &[("recordPacking", "json")]).await;
        assert_eq!(only_diagnostic(&packing), 71);
        let xpath = search(&app, "dc.title = абай", &[("recordXPath", "/record")]).await;
        assert_eq!(only_diagnostic(&xpath), 72);
        // No query: 7, also when empty; in 2.0 with its namespace.
        for raw in ["operation=searchRetrieve&version=1.2", "operation=searchRetrieve&query=", "operation=searchRetrieve&query=%20%20"] {
            let root = sru_raw(&app, raw).await;
            assert_eq!(only_diagnostic(&root), 7, "{raw}");
        }
        let v2 = sru_raw(&app, "operation=searchRetrieve&version=2.0").await;
        assert_eq!((v2.ns.as_str(), only_diagnostic(&v2)), (SRU_2, 7));
        // Operations and versions.
        let scan = sru_raw(&app, "operation=scan&version=1.2&scanClause=dc.title%3D%D0%B0").await;
        assert_eq!((scan.name.as_str(), only_diagnostic(&scan)), ("scanResponse", 4));
        let other = sru_raw(&app, "operation=update&version=1.2&query=x").await;
        assert_eq!(only_diagnostic(&other), 4);
        let version = sru_raw(&app, "operation=searchRetrieve&version=3.1&query=x").await;
        assert_eq!((version.ns.as_str(), only_diagnostic(&version)), (SRU_1, 5));
        let query_type = sru_raw(&app, "version=2.0&query=x&queryType=searchTerms").await;
        assert_eq!(only_diagnostic(&query_type), 6);
        // A repeated parameter.
        let twice = sru_raw(&app, "operation=searchRetrieve&query=a&query=b").await;
        assert_eq!(only_diagnostic(&twice), 6);
        // Sorting is not supported: said, and the records still come.
        let sorted = search(&app, "dc.title = шежіре", &[("sortKeys", "title,,1")]).await;
        assert_eq!((total(&sorted), diagnostics(&sorted)), (5, vec![80]));
        // Nothing the client sends makes the server fail.
        for raw in [
            "query=%FF%FE", "query=%", "query=%ZZ", "query=((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a",
            "query=%22%5C", "query=dc.title%3D%00", "query=%3D%3D%3D", "startRecord=&maximumRecords=&query=a",
            "query=a&recordSchema=%00", "version=&operation=&query=", "operation=explain&recordPacking=nonsense",
            "query=a&x-whatever=1&unknown=2", "query=dc.title%3D%22%3C%2Frecord%3E%26%22",
        ] {
            let root = sru_raw(&app, raw).await;
            assert!(matches!(root.name.as_str(), "searchRetrieveResponse" | "explainResponse"), "{raw}");
        }
        // HTTP outside SRU: POST is not served.
        let post = app.raw(Method::POST, "/sru", None, &[("Content-Type", "text/xml")], Some(b"<x/>".to_vec())).await;
        assert_eq!(post.expect(405).header("allow"), Some("GET"));
    }

    async fn yaz_client_searches_over_sru(app: TestApp) {
        let c = catalogue(&app).await;
        let url = format!("{}/sru", app.base);
        let commands = format!(
            "open {url}\nsru get 1.2\nquerytype cql\nfind dc.title=\"абай жолы\"\nshow 1\n\
             find dc.title=шежіре\nfind foo.bar=x\nsru get 2.0\nschema dc\nfind bath.isbn={QAN_ISBN}\nshow 1\nquit\n"
        );
        let Some(out) = actix_web::rt::task::spawn_blocking(move || yaz_client(&commands)).await.unwrap() else {
            return;
        };
        let hits: Vec<&str> = out.lines().filter(|l| l.starts_with("Number of hits:")).collect();
        // find + show of Абай жолы, the chronicle, the diagnostic, find + show of the ISBN.
        assert_eq!(
            hits,
            vec!["Number of hits: 1", "Number of hits: 1", "Number of hits: 5", "Number of hits: 0",
                 "Number of hits: 1", "Number of hits: 1"],
            "{out}"
        );
        assert!(out.contains("<subfield code=\"a\">Абай жолы</subfield>"), "{out}");
        assert!(out.contains("SRW diagnostic info:srw/diagnostic/1/16"), "{out}");
        assert!(out.contains("<dc:title>Қан мен тер</dc:title>"), "{out}");
        assert!(out.contains(&format!("urn:uuid:{}", c.qan)), "{out}");
    }
}

/// `/sru` shares the public search rate limit.
#[actix_web::test]
async fn sru_is_rate_limited_like_search() {
    let app = TestApp::start_with(kitap_tests::Backend::Sqlite, |config| {
        config.search.rate_limit_per_minute = 1;
        config.search.rate_limit_burst = 2;
    })
    .await
    .unwrap();
    sru_raw(&app, "").await;
    sru_raw(&app, "query=x").await;
    let limited = app.get("/sru?query=x", None).await.expect(429);
    assert_eq!(limited.code(), "rate_limited");
}

/// Tag -> first subfield `code` of each datafield of a MARCXML record.
fn subfield(record: &Node, tag: &str, code: &str) -> Option<String> {
    record
        .all(MARC, "datafield")
        .into_iter()
        .filter(|f| f.attr("tag") == Some(tag))
        .flat_map(|f| f.all(MARC, "subfield"))
        .find(|s| s.attr("code") == Some(code))
        .map(|s| s.text.clone())
}

both_backends! {
    async fn sru_marcxml_is_marc21_for_unimarc_records(app: TestApp) {
        let token = app.cataloger_token().await;
        let id = create(&app, &token, unimarc_book("Абай жолы", ("Әуезов", "Мұхтар"), ABAI_ISBN, 2023)).await;
        wait_indexed(&app, 1).await;
        let root = search(&app, &format!("rec.id = {id}"), &[("recordSchema", "marcxml")]).await;
        let record = root.first(MARC, "record").unwrap_or_else(|| panic!("no record: {root:?}"));
        let tags: Vec<String> = record
            .all(MARC, "datafield")
            .iter()
            .filter_map(|f| f.attr("tag").map(str::to_owned))
            .collect();
        // MARC 21 tags, not RUSMARC ones under the MARC 21 namespace.
        for unimarc in ["010", "200", "210", "215", "700"] {
            assert!(!tags.iter().any(|t| t == unimarc), "UNIMARC {unimarc} in MARC 21 slim: {tags:?}");
        }
        assert_eq!(subfield(record, "245", "a").as_deref(), Some("Абай жолы"));
        assert_eq!(subfield(record, "020", "a").as_deref(), Some(ABAI_ISBN));
        assert_eq!(subfield(record, "100", "a").as_deref(), Some("Әуезов, Мұхтар"));
        assert!(record
            .all(MARC, "controlfield")
            .iter()
            .any(|f| f.attr("tag") == Some("008")));
        // A MARC 21 leader: "a" (Unicode) at 9, "4500" at 20.
        let leader = record.first(MARC, "leader").unwrap().text.clone();
        assert_eq!((&leader[9..10], &leader[20..24]), ("a", "4500"), "{leader}");
    }
}
