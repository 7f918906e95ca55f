//! The public search API on both backends: freshness after a change,
//! cross-script queries, fielded syntax, facets and facet filters, Kazakh
//! sorting with seek pages, live availability, the record page, errors and
//! the per-client rate limit.

use kitap_tests::{both_backends, TestApp};
use serde_json::{json, Value};

use crate::copies::{add, record, staff};

fn url(q: &str) -> String {
    let mut out = String::new();
    for b in q.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn search(app: &TestApp, params: &str) -> Value {
    app.get(&format!("/api/v1/search?{params}"), None)
        .await
        .expect(200)
        .body
}

fn titles(page: &Value) -> Vec<String> {
    page["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["view"]["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

both_backends! {
    async fn a_new_record_and_its_copies_are_searchable_within_a_second(app: TestApp) {
        let token = staff(&app, "cat.f07", "cataloger", "F07").await;
        app.searchable().await;
        let id = record(&app, &token, "Көшпенділер", true).await;
        let took = app.searchable().await;
        // The ≤ 1 s promise is measured on a release build (BENCHMARKS.md);
        // this debug build may share two cores with a whole test run, so it
        // only shows an edit is searchable promptly without a reindex.
        assert!(took < std::time::Duration::from_secs(5), "visible after {took:?}");
        let page = search(&app, &format!("q={}", url("Koshpendiler"))).await;
        assert_eq!(page["hits"][0]["id"], id.as_str());
        assert_eq!(page["hits"][0]["highlights"]["title"], "<mark>Көшпенділер</mark>");
        assert!(page["hits"][0]["availability"].as_array().unwrap().is_empty());

        let copies = add(&app, &token, &id, json!({"count": 2, "source": "budget"})).await;
        app.searchable().await;
        let page = search(&app, &format!("q={}&library=F07", url("көшпенділер"))).await;
        assert_eq!(page["total"], 1);
        let at = &page["hits"][0]["availability"][0];
        assert_eq!((at["library"].as_str(), at["available"].as_u64()), (Some("F07"), Some(2)));
        let inv = copies[0]["inventory_number"].as_str().unwrap();
        assert_eq!(search(&app, &format!("q=inv:{inv}")).await["total"], 1);

        // A copy sent to repair shows at once, and the record page says so.
        let copy = copies[0]["id"].as_str().unwrap();
        app.patch(&format!("/api/v1/copies/{copy}"), Some(&token), json!({"version": 1, "status": "in_repair"}))
            .await.expect(200);
        app.searchable().await;
        let page = search(&app, &format!("q={}", url("Көшпенділер"))).await;
        let at = &page["hits"][0]["availability"][0];
        assert_eq!((at["available"].as_u64(), at["unavailable"].as_u64()), (Some(1), Some(1)));
        let public = app.get(&format!("/api/v1/records/{id}"), None).await.expect(200);
        assert_eq!(public.body["holdings"][0]["library"], "F07");
        assert_eq!(public.body["holdings"][0]["copies"].as_array().unwrap().len(), 2);
        assert!(public.body.get("marc").is_none(), "no MARC or staff data on the public page");

        // Deleting the record takes it out of the index.
        let other = record(&app, &token, "Уақытша жазба", true).await;
        app.searchable().await;
        assert_eq!(search(&app, &format!("q={}", url("уақытша"))).await["total"], 1);
        app.delete(&format!("/api/v1/records/{other}"), Some(&token)).await.expect(200);
        app.searchable().await;
        assert_eq!(search(&app, &format!("q={}", url("уақытша"))).await["total"], 0);
    }

    async fn fielded_queries_facets_and_kazakh_sorting(app: TestApp) {
        let token = staff(&app, "cat.f03", "cataloger", "F03").await;
        for title in ["Ұлпан", "Абай жолы", "Қан мен тер", "Кітап", "Ястребы", "Zhol"] {
            let kazakh = title != "Ястребы" && title != "Zhol";
            let id = record(&app, &token, title, kazakh).await;
            add(&app, &token, &id, json!({"count": 1, "source": "gift"})).await;
        }
        app.searchable().await;
        let page = search(&app, "q=year:2000..2030&sort=title&limit=4").await;
        assert_eq!(page["total"], 6);
        assert_eq!(titles(&page), ["Абай жолы", "Кітап", "Қан мен тер", "Ұлпан"]);
        let next = page["next"].as_str().unwrap();
        let rest = search(&app, &format!("q=year:2000..2030&sort=title&limit=4&cursor={next}")).await;
        assert_eq!(titles(&rest), ["Ястребы", "Zhol"]);
        assert!(rest["next"].is_null());
        let langs = &page["facets"]["lang"];
        assert_eq!(langs[0], json!({"value": "kaz", "count": 4}));
        assert_eq!(page["facets"]["library"][0], json!({"value": "F03", "count": 6}));
        let rus = search(&app, "q=year:2000..2030&lang=rus&sort=title").await;
        assert_eq!(titles(&rus), ["Ястребы", "Zhol"]);
        let author = search(&app, &format!("q={}", url("author:Auezov AND title:ulpan"))).await;
        assert_eq!(titles(&author), ["Ұлпан"]);
        let not = search(&app, &format!("q={}", url("lang:kaz NOT title:абай"))).await;
        assert_eq!(not["total"], 3);
        let phrase = search(&app, &format!("q={}", url("\"мен тер\""))).await;
        assert_eq!(titles(&phrase), ["Қан мен тер"]);
    }

    // Issue #17's relevance misses: a word form the stemmer used to leave
    // apart from its title word now finds the record.
    async fn inflected_forms_find_their_titles(app: TestApp) {
        let token = staff(&app, "cat.f07", "cataloger", "F07").await;
        let mut ids = std::collections::HashMap::new();
        for (title, kazakh) in [
            ("Соғыс", true),
            ("Қазақ халқы", true),
            ("Ел мен жер", true),
            ("Любовь и время", false),
            ("Ветер", false),
        ] {
            ids.insert(title, record(&app, &token, title, kazakh).await);
        }
        app.searchable().await;
        for (query, title) in [
            ("соғысы", "Соғыс"),
            ("соғыстың", "Соғыс"),
            ("халықтың", "Қазақ халқы"),
            ("елдер", "Ел мен жер"),
            ("любви", "Любовь и время"),
            ("времени", "Любовь и время"),
            ("ветра", "Ветер"),
        ] {
            let page = search(&app, &format!("q={}", url(query))).await;
            let found: Vec<&str> = page["hits"].as_array().unwrap().iter().filter_map(|h| h["id"].as_str()).collect();
            assert!(found.contains(&ids[title].as_str()), "{query} → {title}: {}", titles(&page).join(" | "));
        }
    }

    async fn bad_queries_and_parameters_are_clear_errors(app: TestApp) {
        let cases = [
            ("q=", "empty_query"),
            ("q=%28%D0%B0%D0%B1%D0%B0%D0%B9", "unbalanced_parenthesis"),
            ("q=year%3Aabc", "bad_range"),
            ("q=abai&sort=price", "bad_sort"),
            ("q=abai&limit=1000", "bad_limit"),
            ("q=abai&cursor=zz", "bad_cursor"),
        ];
        for (params, code) in cases {
            let r = app.get(&format!("/api/v1/search?{params}"), None).await.expect(400);
            assert_eq!(r.body["error"]["code"], code, "{params}");
        }
        let missing = app.get("/api/v1/search", None).await;
        assert_eq!(missing.status.as_u16(), 400);
        let unknown = app.get("/api/v1/records/01a23352-f2f0-7189-81a7-326d7333d88c", None).await.expect(404);
        assert_eq!(unknown.body["error"]["code"], "record_not_found");
    }
}

#[actix_web::test]
async fn searches_are_rate_limited_per_client() {
    let app = TestApp::start_with(kitap_tests::Backend::Sqlite, |c| {
        c.search.rate_limit_per_minute = 60;
        c.search.rate_limit_burst = 3;
    })
    .await
    .unwrap();
    for _ in 0..3 {
        app.get("/api/v1/search?q=abai", None).await.expect(200);
    }
    let refused = app.get("/api/v1/search?q=abai", None).await.expect(429);
    assert_eq!(refused.body["error"]["code"], "rate_limited");
    assert!(
        refused.body["error"]["details"]["retry_after_seconds"]
            .as_u64()
            .unwrap()
            >= 1
    );
    // Staff pages are not limited by it.
    app.get("/api/v1/branches", None).await.expect(200);
}
