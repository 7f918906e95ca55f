//! Thematic selections and library requests through the API (issue #7
//! points 3 and 4): a selection lent as a unit from the fund to branch 7,
//! borrowed there by a reader, returned as a unit with one copy still on
//! loan, and its report; the refusals that keep a selection whole;
//! reminders written once; a request answered by a selection; a merge
//! carrying a request's line to the survivor and undo carrying it back.

use actix_web::http::Method;
use chrono::Duration;
use kitap_tests::{both_backends, Response, TestApp};
use serde_json::{json, Value};

use crate::circulation_desk::{checkout, today};
use crate::circulation_readers::{at, register};
use crate::copies::staff;
use crate::exchange::{conflict, copy_at, give_back, libs, position, scan};

fn due(days: i64) -> String {
    (today() + Duration::days(days)).to_string()
}

async fn post_at(app: &TestApp, token: &str, library: &str, path: &str, body: Value) -> Response {
    at(app, Method::POST, path, token, library, Some(body)).await
}

async fn selection_op(app: &TestApp, token: &str, library: &str, id: &str, op: &str) -> Response {
    post_at(
        app,
        token,
        library,
        &format!("/api/v1/selections/{id}/{op}"),
        json!({}),
    )
    .await
}

fn place_of(p: &Value) -> (String, String) {
    let lib = p["place"]["library"]
        .as_str()
        .or(p["place"]["to_library"].as_str())
        .unwrap_or("")
        .to_owned();
    (p["place"]["code"].as_str().unwrap().to_owned(), lib)
}

async fn version_of(app: &TestApp, token: &str, copy: &str) -> i64 {
    app.get(&format!("/api/v1/copies/{copy}"), Some(token))
        .await
        .expect(200)
        .body["copy"]["version"]
        .as_i64()
        .unwrap()
}

both_backends! {
    async fn a_selection_is_lent_borrowed_returned_and_reported(app: TestApp) {
        let l = libs(&app).await;
        let mut copies = Vec::new();
        for title in ["Абай жолы", "Көшпенділер", "Ақ кеме", "Қан мен тер"] {
            copies.push(copy_at(&app, &l.cataloger, "C00", title).await);
        }
        let barcodes: Vec<&str> = copies[..3].iter().map(|c| c.2.as_str()).collect();
        let body = json!({"name": "Абай оқулары", "to_library": "F07", "due_on": due(30), "barcodes": barcodes});
        let made = post_at(&app, &l.c00, "C00", "/api/v1/selections", body).await.expect(201);
        let id = made.body["selection"]["id"].as_str().unwrap().to_owned();
        assert_eq!(made.body["selection"]["status"], "draft");
        assert_eq!(made.body["selection"]["from_library"], "C00");
        assert!(made.body["selection"]["number"].as_str().unwrap().starts_with("ІР-"), "{}", made.text);
        assert_eq!(made.body["copies"].as_array().unwrap().len(), 3);
        // A fourth copy joins the draft and is taken out again.
        let path = format!("/api/v1/selections/{id}/copies");
        let added = post_at(&app, &l.c00, "C00", &path, json!({"copy_ids": [copies[3].1]})).await.expect(200);
        assert_eq!(added.body["copies"].as_array().unwrap().len(), 4);
        let gone = at(&app, Method::DELETE, &format!("{path}/{}", copies[3].1), &l.c00, "C00", None).await.expect(200);
        assert_eq!(gone.body["copies"].as_array().unwrap().len(), 3);

        // Dispatched as a unit: all three travel for the selection.
        let sent = selection_op(&app, &l.c00, "C00", &id, "dispatch").await.expect(200);
        assert_eq!(sent.body["selection"]["status"], "dispatched");
        for c in &copies[..3] {
            let p = position(&app, &l.c00, &c.1).await;
            assert_eq!(place_of(&p), ("in_transit".to_owned(), "F07".to_owned()));
            assert_eq!(p["place"]["reason"], "selection");
        }
        // Received at F07 as a unit: lent there.
        let got = selection_op(&app, &l.f07, "F07", &id, "receive").await.expect(200);
        assert_eq!(got.body["selection"]["status"], "lent", "{}", got.text);
        for c in &copies[..3] {
            let p = position(&app, &l.f07, &c.1).await;
            assert_eq!(place_of(&p), ("shelf".to_owned(), "F07".to_owned()));
            assert_eq!(p["lent_in_selection"], id.as_str());
            assert_eq!(p["shelf_library"], "F07");
            assert_eq!(p["home_library"], "C00");
        }
        assert!(got.body["copies"].as_array().unwrap().iter().all(|c| c["state"] == "lent"));

        // A reader borrows one at F07 and returns it at F12: it travels to F07, not home.
        let reader = register(&app, &l.f07, "Құнанбаев", "Абай", json!({})).await;
        let reader_id = reader["id"].as_str().unwrap();
        let (c1, b1) = (&copies[0].1, &copies[0].2);
        checkout(&app, &l.f07, "F07", reader_id, b1, json!({})).await.expect(201);
        let back = give_back(&app, &l.f12, "F12", b1).await;
        assert_eq!(back["destination"], "in_transit");
        assert_eq!(back["to_library"], "F07");
        scan(&app, &l.f07, "F07", "receive", b1).await.expect(200);
        assert_eq!(place_of(&position(&app, &l.f07, c1).await), ("shelf".to_owned(), "F07".to_owned()));
        // Borrowed again and still out when the selection goes back.
        checkout(&app, &l.f07, "F07", reader_id, b1, json!({})).await.expect(201);

        let back = selection_op(&app, &l.f07, "F07", &id, "return").await.expect(200);
        assert_eq!(back.body["selection"]["status"], "returning", "{}", back.text);
        for c in &copies[1..3] {
            let p = position(&app, &l.c00, &c.1).await;
            assert_eq!(place_of(&p), ("in_transit".to_owned(), "C00".to_owned()));
            assert_eq!(p["place"]["reason"], "selection_return");
        }
        let p = position(&app, &l.c00, c1).await;
        assert_eq!(place_of(&p), ("on_loan".to_owned(), "F07".to_owned()));
        assert!(p["lent_in_selection"].is_null());
        let report = app.get(&format!("/api/v1/selections/{id}/report"), Some(&l.c00)).await.expect(200);
        assert_eq!(report.body["counts"]["travelling"], 2, "{}", report.text);
        assert_eq!(report.body["counts"]["on_loan"], 1);
        assert!(report.body["on_loan"][0]["reader_name"].as_str().unwrap().contains("Құнанбаев"));

        // Home: one by scan, the other by the unit receipt; closed.
        scan(&app, &l.c00, "C00", "receive", &copies[1].2).await.expect(200);
        let home = selection_op(&app, &l.c00, "C00", &id, "receive-home").await.expect(200);
        assert_eq!(home.body["selection"]["status"], "closed", "{}", home.text);
        let report = app.get(&format!("/api/v1/selections/{id}/report"), Some(&l.c00)).await.expect(200);
        assert_eq!(report.body["counts"]["returned"], 2, "{}", report.text);
        assert_eq!(report.body["counts"]["on_loan"], 1);
        assert_eq!(report.body["counts"]["missing"], 0);
        assert_eq!(report.body["on_loan"][0]["copy_id"], c1.as_str());
        let returned: Vec<&Value> = report.body["returned"].as_array().unwrap().iter().collect();
        assert!(returned.iter().all(|c| c["state"] == "returned" && c["place_library"] == "C00"));
        assert!(returned.iter().all(|c| !c["returned_at"].is_null()));
        // The borrowed copy, returned at F07 later, goes home to C00.
        let later = give_back(&app, &l.f07, "F07", b1).await;
        assert_eq!(later["destination"], "in_transit");
        assert_eq!(later["to_library"], "C00");
        scan(&app, &l.c00, "C00", "receive", b1).await.expect(200);
        let p = position(&app, &l.c00, c1).await;
        assert_eq!(place_of(&p), ("shelf".to_owned(), "C00".to_owned()));
        assert_eq!(p["shelf_library"], "C00");
        let report = app.get(&format!("/api/v1/selections/{id}/report"), Some(&l.c00)).await.expect(200);
        assert_eq!(report.body["counts"]["returned"], 3, "{}", report.text);

        let listed = app.get("/api/v1/selections?library=F07&status=closed", Some(&l.f07)).await.expect(200);
        assert_eq!(listed.body["selections"].as_array().unwrap().len(), 1);
        let listed = app.get("/api/v1/selections?library=F12", Some(&l.f07)).await.expect(200);
        assert!(listed.body["selections"].as_array().unwrap().is_empty());
    }

    async fn a_copy_missing_at_the_borrowing_library_is_reported_missing(app: TestApp) {
        let l = libs(&app).await;
        let a = copy_at(&app, &l.cataloger, "C00", "Үркер").await;
        let b = copy_at(&app, &l.cataloger, "C00", "Алмас қылыш").await;
        let body = json!({"name": "Тарих", "to_library": "F07", "due_on": due(10), "copy_ids": [a.1, b.1]});
        let made = post_at(&app, &l.c00, "C00", "/api/v1/selections", body).await.expect(201);
        let id = made.body["selection"]["id"].as_str().unwrap().to_owned();
        selection_op(&app, &l.c00, "C00", &id, "dispatch").await.expect(200);
        // One arrives by a single scan, the other by the unit receipt.
        scan(&app, &l.f07, "F07", "receive", &a.2).await.expect(200);
        let s = app.get(&format!("/api/v1/selections/{id}"), Some(&l.f07)).await.expect(200);
        assert_eq!(s.body["selection"]["status"], "dispatched");
        scan(&app, &l.f07, "F07", "receive", &b.2).await.expect(200);
        let s = app.get(&format!("/api/v1/selections/{id}"), Some(&l.f07)).await.expect(200);
        assert_eq!(s.body["selection"]["status"], "lent", "{}", s.text);
        // F07 cannot find one on its shelf.
        let version = version_of(&app, &l.c00, &b.1).await;
        at(&app, Method::PATCH, &format!("/api/v1/copies/{}", b.1), &l.cataloger, "C00", Some(json!({"version": version, "status": "missing"}))).await.expect(200);
        let back = selection_op(&app, &l.f07, "F07", &id, "return").await.expect(200);
        assert_eq!(back.body["selection"]["status"], "returning");
        scan(&app, &l.c00, "C00", "receive", &a.2).await.expect(200);
        let report = app.get(&format!("/api/v1/selections/{id}/report"), Some(&l.c00)).await.expect(200);
        assert_eq!(report.body["selection"]["status"], "closed", "{}", report.text);
        assert_eq!(report.body["counts"]["returned"], 1);
        assert_eq!(report.body["counts"]["missing"], 1);
        assert_eq!(report.body["missing"][0]["copy_id"], b.1.as_str());
        assert_eq!(report.body["missing"][0]["state"], "missing");
    }

    async fn a_selection_is_refused_whole_or_not_at_all(app: TestApp) {
        let l = libs(&app).await;
        let a = copy_at(&app, &l.cataloger, "C00", "Жусан").await;
        let b = copy_at(&app, &l.cataloger, "C00", "Күйші").await;
        let body = json!({"name": "Проза", "to_library": "F07", "due_on": due(20), "copy_ids": [a.1, b.1]});
        let made = post_at(&app, &l.c00, "C00", "/api/v1/selections", body).await.expect(201);
        let id = made.body["selection"]["id"].as_str().unwrap().to_owned();
        // In another open selection: refused, naming the inventory number.
        let again = json!({"name": "Тағы", "to_library": "F12", "due_on": due(20), "copy_ids": [a.1]});
        let r = post_at(&app, &l.c00, "C00", "/api/v1/selections", again).await.expect(409);
        assert_eq!(r.code(), "copy_in_selection");
        let inventory = made.body["copies"].as_array().unwrap().iter().find(|c| c["copy_id"] == a.1.as_str()).unwrap()["inventory_number"].as_str().unwrap().to_owned();
        assert!(r.body["error"]["message"].as_str().unwrap().contains(&inventory), "{}", r.text);
        // Bad dates, the same library, a copy elsewhere, roles.
        let past = json!({"name": "X", "to_library": "F07", "due_on": today().to_string(), "copy_ids": []});
        assert_eq!(post_at(&app, &l.c00, "C00", "/api/v1/selections", past).await.expect(422).code(), "validation_failed");
        let own = json!({"name": "X", "to_library": "C00", "due_on": due(5)});
        conflict(post_at(&app, &l.c00, "C00", "/api/v1/selections", own).await, "same_library");
        let elsewhere = json!({"name": "X", "to_library": "F12", "due_on": due(5), "barcodes": [b.2]});
        conflict(post_at(&app, &l.f07, "F07", "/api/v1/selections", elsewhere).await, "copy_not_on_shelf");
        let denied = json!({"name": "X", "to_library": "F07", "due_on": due(5)});
        assert_eq!(post_at(&app, &l.cataloger, "C00", "/api/v1/selections", denied).await.expect(403).code(), "role_denied");
        assert_eq!(app.get(&format!("/api/v1/selections/{id}"), Some(&l.cataloger)).await.expect(403).code(), "role_denied");
        let manager = staff(&app, "man.c00", "manager", "C00").await;
        app.get(&format!("/api/v1/selections/{id}"), Some(&manager)).await.expect(200);
        assert_eq!(selection_op(&app, &manager, "C00", &id, "dispatch").await.expect(403).code(), "role_denied");
        assert_eq!(app.get("/api/v1/selections/01939d7e-0000-7000-8000-000000000000", Some(&l.c00)).await.expect(404).code(), "selection_not_found");

        // One copy leaves with a reader before the dispatch: nothing is half-done.
        let reader = register(&app, &l.c00, "Әуезов", "Мұхтар", json!({})).await;
        checkout(&app, &l.c00, "C00", reader["id"].as_str().unwrap(), &b.2, json!({})).await.expect(201);
        conflict(selection_op(&app, &l.f07, "F07", &id, "dispatch").await, "wrong_library");
        let refused = selection_op(&app, &l.c00, "C00", &id, "dispatch").await.expect(409);
        assert_eq!(refused.code(), "copy_not_on_shelf");
        let p = position(&app, &l.c00, &a.1).await;
        assert_eq!(place_of(&p), ("shelf".to_owned(), "C00".to_owned()));
        assert!(p["requested_to"].is_null());
        assert!(p["movements"].as_array().unwrap().is_empty());
        let s = app.get(&format!("/api/v1/selections/{id}"), Some(&l.c00)).await.expect(200);
        assert_eq!(s.body["selection"]["status"], "draft");
        // Taken out, the rest goes; receipt and return only at the borrowing library.
        at(&app, Method::DELETE, &format!("/api/v1/selections/{id}/copies/{}", b.1), &l.c00, "C00", None).await.expect(200);
        selection_op(&app, &l.c00, "C00", &id, "dispatch").await.expect(200);
        conflict(selection_op(&app, &l.c00, "C00", &id, "dispatch").await, "selection_wrong_status");
        conflict(selection_op(&app, &l.f12, "F12", &id, "receive").await, "wrong_library");
        conflict(selection_op(&app, &l.f07, "F07", &id, "return").await, "selection_wrong_status");
        selection_op(&app, &l.f07, "F07", &id, "receive").await.expect(200);
        conflict(selection_op(&app, &l.c00, "C00", &id, "return").await, "wrong_library");
        selection_op(&app, &l.f07, "F07", &id, "return").await.expect(200);
    }

    async fn a_draft_is_cancelled_and_its_copies_are_free_again(app: TestApp) {
        let l = libs(&app).await;
        let a = copy_at(&app, &l.cataloger, "C00", "Атаманның ақыры").await;
        let body = json!({"name": "Жоба", "to_library": "F07", "due_on": due(10), "copy_ids": [a.1]});
        let made = post_at(&app, &l.c00, "C00", "/api/v1/selections", body).await.expect(201);
        let id = made.body["selection"]["id"].as_str().unwrap().to_owned();
        conflict(selection_op(&app, &l.f07, "F07", &id, "cancel").await, "wrong_library");
        let cancelled = selection_op(&app, &l.c00, "C00", &id, "cancel").await.expect(200);
        assert_eq!(cancelled.body["selection"]["status"], "cancelled");
        conflict(selection_op(&app, &l.c00, "C00", &id, "cancel").await, "selection_wrong_status");
        conflict(selection_op(&app, &l.c00, "C00", &id, "dispatch").await, "selection_wrong_status");
        // The copy may join another selection now.
        let other = json!({"name": "Басқа", "to_library": "F12", "due_on": due(10), "copy_ids": [a.1]});
        let next = post_at(&app, &l.c00, "C00", "/api/v1/selections", other).await.expect(201);
        let next_id = next.body["selection"]["id"].as_str().unwrap().to_owned();
        selection_op(&app, &l.c00, "C00", &next_id, "dispatch").await.expect(200);
        // A dispatched selection is not cancelled: it comes back by its return.
        conflict(selection_op(&app, &l.c00, "C00", &next_id, "cancel").await, "selection_wrong_status");
    }

    async fn reminders_are_written_once(app: TestApp) {
        let l = libs(&app).await;
        let a = copy_at(&app, &l.cataloger, "C00", "Ботагөз").await;
        let body = json!({"name": "Қысқа", "to_library": "F07", "due_on": due(1), "copy_ids": [a.1]});
        let made = post_at(&app, &l.c00, "C00", "/api/v1/selections", body).await.expect(201);
        let id = made.body["selection"]["id"].as_str().unwrap().to_owned();
        selection_op(&app, &l.c00, "C00", &id, "dispatch").await.expect(200);
        // Not lent yet: no reminder.
        let run = app.post("/api/v1/selections/reminders/run", Some(&l.admin), json!({})).await.expect(200);
        assert_eq!(run.body["due_soon"], 0);
        selection_op(&app, &l.f07, "F07", &id, "receive").await.expect(200);
        assert_eq!(app.post("/api/v1/selections/reminders/run", Some(&l.f07), json!({})).await.expect(403).code(), "role_denied");
        let run = app.post("/api/v1/selections/reminders/run", Some(&l.admin), json!({})).await.expect(200);
        assert_eq!((run.body["due_soon"].as_u64(), run.body["overdue"].as_u64()), (Some(1), Some(0)));
        let run = app.post("/api/v1/selections/reminders/run", Some(&l.admin), json!({})).await.expect(200);
        assert_eq!(run.body["due_soon"], 0);
        let listed = app.get("/api/v1/selections/reminders?library=F07", Some(&l.f07)).await.expect(200);
        let reminders = listed.body["reminders"].as_array().unwrap();
        assert_eq!(reminders.len(), 1, "{}", listed.text);
        assert_eq!(reminders[0]["kind"], "due_soon");
        assert_eq!(reminders[0]["number"], made.body["selection"]["number"]);
        assert_eq!(reminders[0]["due_on"], due(1));
        let none = app.get("/api/v1/selections/reminders?library=F12", Some(&l.f07)).await.expect(200);
        assert!(none.body["reminders"].as_array().unwrap().is_empty());
        let path = format!("/api/v1/selections/{id}/reminders/overdue/ack");
        assert_eq!(post_at(&app, &l.f07, "F07", &path, json!({})).await.expect(404).code(), "reminder_not_found");
        let path = format!("/api/v1/selections/{id}/reminders/someday/ack");
        assert_eq!(post_at(&app, &l.f07, "F07", &path, json!({})).await.expect(422).code(), "validation_failed");
        let path = format!("/api/v1/selections/{id}/reminders/due_soon/ack");
        post_at(&app, &l.f07, "F07", &path, json!({})).await.expect(204);
        let listed = app.get("/api/v1/selections/reminders?library=F07", Some(&l.f07)).await.expect(200);
        assert!(listed.body["reminders"].as_array().unwrap().is_empty());
    }

    async fn a_library_request_is_answered_with_a_selection(app: TestApp) {
        let l = libs(&app).await;
        let (abai, abai_copy, _) = copy_at(&app, &l.cataloger, "C00", "Абай жолы").await;
        let (rare, _, _) = copy_at(&app, &l.cataloger, "C00", "Сирек кітап").await;
        let titles = json!([{"record_id": abai, "copies": 1}, {"record_id": rare, "copies": 2}]);
        let body = json!({"titles": titles, "needed_by": due(14), "note": "оқырмандар сұрайды"});
        let made = post_at(&app, &l.f07, "F07", "/api/v1/library-requests", body).await.expect(201);
        let rid = made.body["request"]["id"].as_str().unwrap().to_owned();
        assert_eq!(made.body["request"]["to_library"], "C00");
        assert_eq!(made.body["request"]["status"], "open");
        assert!(made.body["request"]["number"].as_str().unwrap().starts_with("КС-"));
        assert_eq!(made.body["titles"].as_array().unwrap().len(), 2);
        // Neither titles nor topic; to itself.
        assert_eq!(post_at(&app, &l.f07, "F07", "/api/v1/library-requests", json!({})).await.expect(422).code(), "validation_failed");
        conflict(post_at(&app, &l.c00, "C00", "/api/v1/library-requests", json!({"topic": "тарих"})).await, "same_library");
        let topic = post_at(&app, &l.f12, "F12", "/api/v1/library-requests", json!({"topic": "балалар әдебиеті"})).await.expect(201);
        let listed = app.get("/api/v1/library-requests?to=C00&status=open", Some(&l.c00)).await.expect(200);
        assert_eq!(listed.body["requests"].as_array().unwrap().len(), 2);
        let listed = app.get("/api/v1/library-requests?from=F07", Some(&l.c00)).await.expect(200);
        assert_eq!(listed.body["requests"].as_array().unwrap().len(), 1);

        // Answered at the fund with the one copy it has of Abai.
        let path = format!("/api/v1/library-requests/{rid}/answer");
        let answer = json!({"copy_ids": [abai_copy], "due_on": due(60), "note": "сирек кітап жоқ"});
        conflict(post_at(&app, &l.f12, "F12", &path, answer.clone()).await, "wrong_library");
        let got = post_at(&app, &l.c00, "C00", &path, answer.clone()).await.expect(200);
        assert_eq!(got.body["request"]["request"]["status"], "answered", "{}", got.text);
        assert_eq!(got.body["request"]["request"]["answer_note"], "сирек кітап жоқ");
        assert_eq!(got.body["selection"]["selection"]["status"], "dispatched");
        assert_eq!(got.body["selection"]["selection"]["to_library"], "F07");
        assert_eq!(got.body["selection"]["selection"]["request_id"], rid.as_str());
        let uncovered = got.body["uncovered"].as_array().unwrap();
        assert_eq!(uncovered.len(), 1);
        assert_eq!(uncovered[0]["record_id"], rare.as_str());
        assert_eq!((uncovered[0]["requested"].as_u64(), uncovered[0]["sent"].as_u64()), (Some(2), Some(0)));
        assert_eq!(position(&app, &l.c00, &abai_copy).await["place"]["reason"], "selection");
        conflict(post_at(&app, &l.c00, "C00", &path, answer).await, "request_not_open");
        // The topic request is called off.
        let tid = topic.body["request"]["id"].as_str().unwrap();
        let off = post_at(&app, &l.f12, "F12", &format!("/api/v1/library-requests/{tid}/cancel"), json!({})).await.expect(200);
        assert_eq!(off.body["request"]["status"], "cancelled");
        let one = app.get(&format!("/api/v1/library-requests/{rid}"), Some(&l.c00)).await.expect(200);
        assert_eq!(one.body["request"]["status"], "answered");
        assert_eq!(app.get("/api/v1/library-requests/01939d7e-0000-7000-8000-000000000000", Some(&l.c00)).await.expect(404).code(), "library_request_not_found");
    }

    async fn a_merge_carries_request_lines_to_the_survivor_and_undo_back(app: TestApp) {
        let l = libs(&app).await;
        let (survivor, _, _) = copy_at(&app, &l.cataloger, "C00", "Абай жолы").await;
        let (merged, _, _) = copy_at(&app, &l.cataloger, "C00", "Абай жолы (екінші)").await;
        let one = json!({"titles": [{"record_id": merged, "copies": 2}]});
        let r1 = post_at(&app, &l.f07, "F07", "/api/v1/library-requests", one).await.expect(201);
        let both = json!({"titles": [{"record_id": merged, "copies": 1}, {"record_id": survivor, "copies": 3}]});
        let r2 = post_at(&app, &l.f12, "F12", "/api/v1/library-requests", both).await.expect(201);
        let (r1, r2) = (r1.body["request"]["id"].as_str().unwrap().to_owned(), r2.body["request"]["id"].as_str().unwrap().to_owned());
        let lines = |body: &Value| -> Vec<(String, u64)> {
            let mut v: Vec<(String, u64)> = body["titles"].as_array().unwrap().iter()
                .map(|t| (t["record_id"].as_str().unwrap().to_owned(), t["copies"].as_u64().unwrap())).collect();
            v.sort();
            v
        };
        let merge = app.post(&format!("/api/v1/records/{survivor}/merge"), Some(&l.cataloger), json!({"merged_id": merged})).await.expect(200);
        let mid = merge.body["id"].as_str().unwrap().to_owned();
        let got1 = app.get(&format!("/api/v1/library-requests/{r1}"), Some(&l.c00)).await.expect(200);
        assert_eq!(lines(&got1.body), vec![(survivor.clone(), 2)], "{}", got1.text);
        let got2 = app.get(&format!("/api/v1/library-requests/{r2}"), Some(&l.c00)).await.expect(200);
        assert_eq!(lines(&got2.body), vec![(survivor.clone(), 4)]);
        app.post(&format!("/api/v1/merges/{mid}/undo"), Some(&l.cataloger), json!({})).await.expect(200);
        let got1 = app.get(&format!("/api/v1/library-requests/{r1}"), Some(&l.c00)).await.expect(200);
        assert_eq!(lines(&got1.body), vec![(merged.clone(), 2)]);
        let got2 = app.get(&format!("/api/v1/library-requests/{r2}"), Some(&l.c00)).await.expect(200);
        let mut want = vec![(merged.clone(), 1), (survivor.clone(), 3)];
        want.sort();
        assert_eq!(lines(&got2.body), want);
    }
}
