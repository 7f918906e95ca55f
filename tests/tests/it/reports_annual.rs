//! The annual report bundle through the API (issue #8, point 3) on the
//! hand-counted history of `reports.rs`: every report's tables for the
//! year, equal to the single reports of the same period; the workbook read
//! back with calamine (contents, a sheet per table, the totals); the charts
//! as SVG that parses as XML and names the groups; the error codes.

use calamine::{Data, Reader, Xlsx};
use chrono::Datelike;
use kitap_tests::both_backends;
use serde_json::{json, Value};

use crate::copies::staff;
use crate::reports::{cell, history};

/// Every table the bundle holds, in sheet order.
const TABLES: [&str; 18] = [
    "loans",
    "loans_by_area",
    "loans_by_material",
    "loans_by_reader",
    "loans_by_month",
    "visits",
    "readers",
    "ecatalog",
    "debtors",
    "fund_movement",
    "fund_received",
    "fund_received_by_area",
    "fund_written_off",
    "fund_written_off_by_area",
    "fund_held_by_area",
    "fund_by_material",
    "exchange",
    "ratios",
];

fn bundle_tables(bundle: &Value) -> Vec<&Value> {
    bundle["reports"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["tables"].as_array().unwrap())
        .collect()
}

/// The bundle's table `id`, whichever report holds it.
fn table<'a>(bundle: &'a Value, id: &str) -> &'a Value {
    bundle_tables(bundle)
        .into_iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

both_backends! {
    async fn the_bundle_holds_every_report_of_the_year(app: TestApp) {
        let h = history(&app).await;
        let year = h.today.year();
        let libs = "library=F07&library=F12";
        let bundle = app.get(&format!("/api/v1/reports/annual?year={year}&{libs}"), Some(&h.manager)).await.expect(200).body;
        assert_eq!(bundle["year"], year);
        assert_eq!(bundle["from"], format!("{year}-01-01"));
        assert_eq!(bundle["to"], format!("{year}-12-31"));
        assert_eq!(bundle["libraries"], json!(["F07", "F12"]));
        let ids: Vec<&str> = bundle_tables(&bundle).iter().map(|t| t["id"].as_str().unwrap()).collect();
        assert_eq!(ids, TABLES);

        // Each section is the single report of the same year, number for number.
        for section in bundle["reports"].as_array().unwrap() {
            let kind = section["kind"].as_str().unwrap();
            let single = app
                .get(&format!("/api/v1/reports/{kind}?from={year}-01-01&to={year}-12-31&{libs}"), Some(&h.manager))
                .await
                .expect(200)
                .body;
            assert_eq!(section["tables"], single["tables"], "{kind}");
        }
        // The hand-counted history: 5 loans, all this month.
        assert_eq!(cell(table(&bundle, "loans"), &["Total"], "Loans"), json!(5));
        let month = format!("{year}-{:02}", h.today.month());
        let by_month = table(&bundle, "loans_by_month");
        assert_eq!(cell(by_month, &["Total"], &month), json!(5));
        assert_eq!(cell(by_month, &["F07"], &month), json!(3));
        assert_eq!(cell(by_month, &["F12"], "Total"), json!(2));
        assert_eq!(by_month["columns"].as_array().unwrap().len(), 14);
        assert_eq!(cell(table(&bundle, "visits"), &["Total"], "Visits"), json!(16));

        // A year without events: the same tables, zeros.
        let empty = app.get(&format!("/api/v1/reports/annual?year={}&library=F07", year - 1), Some(&h.manager)).await.expect(200).body;
        assert_eq!(cell(table(&empty, "loans_by_month"), &["Total"], "Total"), json!(0));
        // Every active library by default.
        let all = app.get(&format!("/api/v1/reports/annual?year={year}"), Some(&h.manager)).await.expect(200).body;
        assert!(all["libraries"].as_array().unwrap().len() > 2);
        assert_eq!(cell(table(&all, "loans"), &["Total"], "Loans"), json!(5));
    }

    async fn the_bundle_as_a_workbook(app: TestApp) {
        let h = history(&app).await;
        let year = h.today.year();
        let xlsx = app
            .get(&format!("/api/v1/reports/annual?year={year}&library=F07,F12&format=xlsx"), Some(&h.manager))
            .await
            .expect(200);
        assert_eq!(xlsx.header("content-type"), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        assert!(xlsx.header("content-disposition").unwrap().contains(&format!("annual-{year}.xlsx")));
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
        let mut expected = vec!["contents"];
        expected.extend(TABLES);
        assert_eq!(book.sheet_names(), expected);

        let contents = book.worksheet_range("contents").unwrap();
        let at = |r: &calamine::Range<Data>, row: u32, col: u32| r.get_value((row, col)).cloned().unwrap_or(Data::Empty);
        assert_eq!(at(&contents, 0, 0), Data::String(format!("Annual report {year}")));
        let rows: Vec<Vec<Data>> = contents.rows().map(<[Data]>::to_vec).collect();
        let value = |label: &str| rows.iter().find(|r| r[0] == Data::String(label.into())).map(|r| r[1].clone()).unwrap();
        assert_eq!(value("Year"), Data::String(year.to_string()));
        assert_eq!(value("Libraries"), Data::String("F07, F12".into()));
        // The list of sheets names every table sheet.
        for id in TABLES {
            assert!(rows.iter().any(|r| r[0] == Data::String(id.into())), "contents lists {id}");
        }

        // A sheet per table: title, headers, a row per library, the total.
        let loans = book.worksheet_range("loans").unwrap();
        let rows: Vec<Vec<Data>> = loans.rows().map(<[Data]>::to_vec).collect();
        assert_eq!(rows[1][0], Data::String("Library".into()));
        assert_eq!(rows[1][1], Data::String("Loans".into()));
        let labels: Vec<Data> = rows[2..].iter().map(|r| r[0].clone()).collect();
        assert_eq!(labels, [Data::String("F07".into()), Data::String("F12".into()), Data::String("Total".into())]);
        assert_eq!(rows[2][1], Data::Float(3.0));
        assert_eq!(rows[4][1], Data::Float(5.0));
        let by_month = book.worksheet_range("loans_by_month").unwrap();
        let rows: Vec<Vec<Data>> = by_month.rows().map(<[Data]>::to_vec).collect();
        let total = rows.iter().find(|r| r[0] == Data::String("Total".into())).unwrap();
        assert_eq!(total[13], Data::Float(5.0));
        assert_eq!(total[h.today.month() as usize], Data::Float(5.0));
        let visits = book.worksheet_range("visits").unwrap();
        assert_eq!(at(&visits, 4, 1), Data::Float(16.0));
        // Native charts are drawings of their sheets.
        for part in ["xl/charts/chart1.xml", "xl/charts/chart2.xml"] {
            assert!(xlsx.bytes.windows(part.len()).any(|w| w == part.as_bytes()), "{part}");
        }
    }

    async fn the_charts_as_svg(app: TestApp) {
        let h = history(&app).await;
        let year = h.today.year();
        let svg = app
            .get(&format!("/api/v1/reports/annual/charts/loans_by_area.svg?year={year}&library=F07&library=F12"), Some(&h.manager))
            .await
            .expect(200);
        assert_eq!(svg.header("content-type"), Some("image/svg+xml; charset=utf-8"));
        let texts = svg_texts(&svg.text);
        for label in ["ҚСӘ", "ЖТҒ", "Техника", "а/ш", "75/85", "81/83", "84", "Прочие"] {
            assert!(texts.iter().any(|t| t == label), "{label} in {texts:?}");
        }
        for legend in ["Kazakh", "Russian", "Other language"] {
            assert!(texts.iter().any(|t| t == legend), "{legend} in {texts:?}");
        }
        let month = app
            .get(&format!("/api/v1/reports/annual/charts/loans_by_month.svg?year={year}"), Some(&h.manager))
            .await
            .expect(200);
        let texts = svg_texts(&month.text);
        assert!(texts.iter().any(|t| t == &format!("Loans by month, {year}")), "{texts:?}");
        assert!(texts.iter().any(|t| t == &format!("{year}-01")), "{texts:?}");
    }

    async fn annual_errors_have_stable_codes(app: TestApp) {
        let manager = staff(&app, "mgr", "manager", "C00").await;
        let librarian = staff(&app, "lib.f07", "librarian", "F07").await;
        for bad in ["", "?year=", "?year=abc", "?year=1800", "?year=3000", "?year=2023.5"] {
            let r = app.get(&format!("/api/v1/reports/annual{bad}"), Some(&manager)).await.expect(400);
            assert_eq!(r.code(), "invalid_query_parameter", "{bad}");
            assert_eq!(r.body["error"]["details"]["parameter"], "year", "{bad}");
        }
        let r = app.get("/api/v1/reports/annual?year=2023&from=2023-01-01", Some(&manager)).await.expect(400);
        assert_eq!(r.code(), "invalid_query_parameter");
        let r = app.get("/api/v1/reports/annual?year=2023&format=csv", Some(&manager)).await.expect(422);
        assert_eq!(r.code(), "validation_failed");
        let r = app.get("/api/v1/reports/annual?year=2023&library=X99", Some(&manager)).await.expect(404);
        assert_eq!(r.code(), "library_not_found");
        let r = app.get("/api/v1/reports/annual/charts/loans_by_year.svg?year=2023", Some(&manager)).await.expect(404);
        assert_eq!(r.code(), "chart_not_found");
        let r = app.get("/api/v1/reports/annual/charts/loans_by_month?year=2023", Some(&manager)).await.expect(404);
        assert_eq!(r.code(), "chart_not_found");
        let r = app.get("/api/v1/reports/annual/charts/loans_by_month.svg?year=99999", Some(&manager)).await.expect(400);
        assert_eq!(r.code(), "invalid_query_parameter");
        let r = app.get("/api/v1/reports/annual/charts/loans_by_month.svg?year=2023&format=xlsx", Some(&manager)).await.expect(400);
        assert_eq!(r.code(), "invalid_query_parameter");
        app.get("/api/v1/reports/annual?year=2023", Some(&librarian)).await.expect(403);
        app.get("/api/v1/reports/annual/charts/loans_by_area.svg?year=2023", Some(&librarian)).await.expect(403);
        app.get("/api/v1/reports/annual?year=2023", None).await.expect(401);
    }
}

/// The text of every `<text>` element, the document parsed as XML (a
/// syntax error fails the test).
fn svg_texts(svg: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut texts = Vec::new();
    let (mut in_text, mut root) = (false, None);
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                root.get_or_insert(name.clone());
                in_text = name == "text";
            }
            Event::Text(t) if in_text => {
                let raw = t.unescape().unwrap().trim().to_owned();
                if !raw.is_empty() {
                    texts.push(raw);
                }
            }
            Event::End(_) => in_text = false,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(root.as_deref(), Some("svg"));
    texts
}
