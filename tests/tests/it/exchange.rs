//! Inter-branch exchange through the API (issue #7): a reader's request
//! routed to another library, its pick list, dispatch, transit, receipt on
//! the hold shelf, the loan and the return home, with the copy's one
//! position checked at every step; floating returns; routing by distance
//! and re-routing a line that cannot be filled; a hold cancelled while its
//! copy travels; Koha's three transfer bugs as tests that pass here.

use actix_web::http::Method;
use kitap_tests::{both_backends, Backend, Response, TestApp};
use serde_json::{json, Value};

use crate::circulation_desk::checkout;
use crate::circulation_readers::{at, register};
use crate::copies::{record, staff};

pub(crate) struct Libs {
    /// Librarians of C00 (the central library, the unified fund), F07 and F12.
    pub(crate) c00: String,
    pub(crate) f07: String,
    pub(crate) f12: String,
    pub(crate) cataloger: String,
    pub(crate) admin: String,
}

pub(crate) async fn libs(app: &TestApp) -> Libs {
    Libs {
        c00: staff(app, "lib.c00", "librarian", "C00").await,
        f07: staff(app, "lib.f07", "librarian", "F07").await,
        f12: staff(app, "lib.f12", "librarian", "F12").await,
        cataloger: staff(app, "cat.c00", "cataloger", "C00").await,
        admin: app.admin_token().await,
    }
}

/// A record with one copy at `library` (the cataloger's acting library):
/// (record id, copy id, barcode).
pub(crate) async fn copy_at(
    app: &TestApp,
    token: &str,
    library: &str,
    title: &str,
) -> (String, String, String) {
    let id = record(app, token, title, true).await;
    let path = format!("/api/v1/records/{id}/copies");
    let made = at(
        app,
        Method::POST,
        &path,
        token,
        library,
        Some(json!({"shelf": "84(5Каз)"})),
    )
    .await
    .expect(201);
    let copy = &made.body["copies"][0];
    (
        id,
        copy["id"].as_str().unwrap().to_owned(),
        copy["barcode"].as_str().unwrap().to_owned(),
    )
}

pub(crate) async fn scan(
    app: &TestApp,
    token: &str,
    library: &str,
    what: &str,
    barcode: &str,
) -> Response {
    let path = format!("/api/v1/transfers/{what}");
    at(
        app,
        Method::POST,
        &path,
        token,
        library,
        Some(json!({"barcode": barcode})),
    )
    .await
}

pub(crate) async fn position(app: &TestApp, token: &str, copy: &str) -> Value {
    app.get(&format!("/api/v1/copies/{copy}/position"), Some(token))
        .await
        .expect(200)
        .body
}

async fn hold_of(app: &TestApp, token: &str, reader: &Value) -> Value {
    let path = format!(
        "/api/v1/holds?reader={}&status=",
        reader["id"].as_str().unwrap()
    );
    let _ = path;
    let listed = app
        .get(
            &format!("/api/v1/holds?reader={}", reader["id"].as_str().unwrap()),
            Some(token),
        )
        .await
        .expect(200);
    listed.body["holds"][0].clone()
}

pub(crate) async fn give_back(app: &TestApp, token: &str, library: &str, barcode: &str) -> Value {
    at(
        app,
        Method::POST,
        "/api/v1/returns",
        token,
        library,
        Some(json!({"item_barcode": barcode})),
    )
    .await
    .expect(200)
    .body["return"]
        .clone()
}

pub(crate) fn conflict(response: Response, code: &str) {
    let response = response.expect(409);
    assert_eq!(response.code(), code, "{}", response.text);
}

async fn place(app: &TestApp, token: &str, reader: &Value, record: &str, pickup: &str) -> Value {
    let body = json!({"reader": reader["id"], "record_id": record, "pickup_library": pickup});
    app.post("/api/v1/holds", Some(token), body)
        .await
        .expect(201)
        .body["hold"]
        .clone()
}

async fn open_transfers(app: &TestApp, token: &str) -> Vec<Value> {
    app.get("/api/v1/transfers?open=true", Some(token))
        .await
        .expect(200)
        .body["transfers"]
        .as_array()
        .unwrap()
        .clone()
}

both_backends! {
    async fn a_request_travels_from_the_fund_to_branch_7_and_home_again(app: TestApp) {
        let l = libs(&app).await;
        let (record_id, copy, barcode) = copy_at(&app, &l.cataloger, "C00", "Көшпенділер").await;
        let reader = register(&app, &l.f07, "Сейфуллина", "Назым", json!({})).await;
        let other = register(&app, &l.f07, "Оспанов", "Ерлан", json!({})).await;
        let other_id = other["id"].as_str().unwrap();

        // Ordered at F07; the only copy is at the central library: a pick-list line there.
        let hold = place(&app, &l.f07, &reader, &record_id, "F07").await;
        assert_eq!(hold["status"], "waiting");
        assert_eq!(hold["pull_from_shelf"], false);
        assert_eq!(hold["transfer"]["status"], "requested");
        assert_eq!(hold["transfer"]["from_library"], "C00");
        assert_eq!(hold["transfer"]["to_library"], "F07");
        assert_eq!(hold["transfer"]["reason"], "hold");
        let p = position(&app, &l.c00, &copy).await;
        assert_eq!((p["place"]["code"].as_str(), p["place"]["library"].as_str()), (Some("shelf"), Some("C00")));
        assert_eq!(p["requested_to"], "F07");
        assert_eq!(p["status"], "available");
        let picks = app.get("/api/v1/exchange/pick-list?library=C00", Some(&l.c00)).await.expect(200);
        let lines = picks.body["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 1, "{}", picks.text);
        assert_eq!(lines[0]["barcode"], barcode.as_str());
        assert_eq!(lines[0]["shelf"], "84(5Каз)");
        assert_eq!(lines[0]["title"], "Көшпенділер");
        assert!(lines[0]["reader_name"].as_str().unwrap().contains("Сейфуллина"));
        // Nobody else takes it off the shelf meanwhile, and it leaves only from where it is.
        conflict(checkout(&app, &l.c00, "C00", other_id, &barcode, json!({})).await, "copy_requested_for_transfer");
        conflict(scan(&app, &l.f07, "F07", "dispatch", &barcode).await, "not_at_this_library");

        // Dispatched: in transit, the hold too.
        let sent = scan(&app, &l.c00, "C00", "dispatch", &barcode).await.expect(200);
        assert_eq!(sent.body["transfer"]["status"], "in_transit");
        assert_eq!(hold_of(&app, &l.f07, &reader).await["status"], "in_transit");
        let p = position(&app, &l.c00, &copy).await;
        assert_eq!(p["status"], "in_transit");
        assert_eq!(p["place"]["code"], "in_transit");
        assert_eq!((p["place"]["from_library"].as_str(), p["place"]["to_library"].as_str()), (Some("C00"), Some("F07")));
        assert_eq!(p["place"]["reason"], "hold");
        assert!(p["requested_to"].is_null());
        let picks = app.get("/api/v1/exchange/pick-list?library=C00", Some(&l.c00)).await.expect(200);
        assert!(picks.body["lines"].as_array().unwrap().is_empty());
        let board = app.get("/api/v1/transfers?status=in_transit&to=F07", Some(&l.c00)).await.expect(200);
        assert_eq!(board.body["transfers"].as_array().unwrap().len(), 1);
        assert_eq!(board.body["transfers"][0]["overdue"], false);
        let late = app.get("/api/v1/transfers?overdue=true", Some(&l.c00)).await.expect(200);
        assert!(late.body["transfers"].as_array().unwrap().is_empty());

        // Koha bug 1, checked out mid-transfer: refused, still in transit, no loan.
        conflict(checkout(&app, &l.c00, "C00", other_id, &barcode, json!({})).await, "copy_not_available");
        assert_eq!(position(&app, &l.c00, &copy).await["place"]["code"], "in_transit");
        // Received at the wrong library: refused, the answer names the destination.
        conflict(scan(&app, &l.f12, "F12", "receive", &barcode).await, "wrong_destination");

        // Received at F07: on the hold shelf, the reader is told.
        let got = scan(&app, &l.f07, "F07", "receive", &barcode).await.expect(200);
        assert_eq!(got.body["destination"], "hold_shelf", "{}", got.text);
        assert_eq!(got.body["transfer"]["status"], "received");
        assert_eq!(got.body["hold"]["status"], "ready");
        // Koha bug 2, a received transfer sent straight back home: not here.
        let p = position(&app, &l.f07, &copy).await;
        assert_eq!((p["place"]["code"].as_str(), p["place"]["library"].as_str()), (Some("hold_shelf"), Some("F07")));
        assert_eq!(p["status"], "available");
        assert!(open_transfers(&app, &l.c00).await.is_empty());
        let run = app.post("/api/v1/notices/run", Some(&l.admin), json!({})).await.expect(200);
        assert!(run.body["scheduled"].as_u64().unwrap() >= 1, "{}", run.text);
        let notices = app.get("/api/v1/notices?kind=hold_ready", Some(&l.admin)).await.expect(200);
        assert!(notices.body["notices"].as_array().unwrap().iter().any(|n| n["reader_id"] == reader["id"]), "{}", notices.text);

        // Koha bug 3, on loan and on hold at once: another reader is refused,
        // the holder's checkout fulfils the hold.
        conflict(checkout(&app, &l.f07, "F07", other_id, &barcode, json!({})).await, "copy_on_hold_for_other");
        checkout(&app, &l.f07, "F07", reader["card_number"].as_str().unwrap(), &barcode, json!({})).await.expect(201);
        let done = app.get(&format!("/api/v1/holds?reader={}&status=fulfilled", reader["id"].as_str().unwrap()), Some(&l.f07)).await.expect(200);
        assert_eq!(done.body["holds"][0]["id"], hold["id"]);
        let p = position(&app, &l.f07, &copy).await;
        assert_eq!((p["place"]["code"].as_str(), p["place"]["library"].as_str()), (Some("on_loan"), Some("F07")));
        assert_eq!(p["place"]["reader"], reader["id"]);

        // Returned at F12: routed home to the central library.
        let back = give_back(&app, &l.f12, "F12", &barcode).await;
        assert_eq!(back["destination"], "in_transit");
        assert_eq!(back["to_library"], "C00");
        let p = position(&app, &l.c00, &copy).await;
        assert_eq!((p["place"]["from_library"].as_str(), p["place"]["to_library"].as_str()), (Some("F12"), Some("C00")));
        assert_eq!(p["place"]["reason"], "return_home");
        let board = open_transfers(&app, &l.c00).await;
        assert_eq!(board.len(), 1);
        assert_eq!(board[0]["reason"], "return_home");

        // Home: on its shelf, every step on record.
        let home = scan(&app, &l.c00, "C00", "receive", &barcode).await.expect(200);
        assert_eq!(home.body["destination"], "shelf");
        let p = position(&app, &l.c00, &copy).await;
        assert_eq!((p["place"]["code"].as_str(), p["place"]["library"].as_str()), (Some("shelf"), Some("C00")));
        assert_eq!(p["home_library"], "C00");
        assert_eq!(p["shelf_library"], "C00");
        let moves: Vec<(&str, &str)> = p["movements"].as_array().unwrap().iter()
            .map(|m| (m["reason"].as_str().unwrap(), m["status"].as_str().unwrap())).collect();
        assert_eq!(moves, [("hold", "received"), ("return_home", "received")]);
        let kinds: Vec<&str> = p["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["requested", "dispatched", "received", "dispatched", "received"]);
        assert!(open_transfers(&app, &l.c00).await.is_empty());
    }

    async fn the_nearest_library_serves_and_a_missing_copy_is_routed_around(app: TestApp) {
        let l = libs(&app).await;
        let f03 = staff(&app, "cat.f03", "cataloger", "F03").await;
        let f03_desk = staff(&app, "lib.f03", "librarian", "F03").await;
        let (record_id, central_copy, _) = copy_at(&app, &l.cataloger, "C00", "Абай жолы").await;
        let path = format!("/api/v1/records/{record_id}/copies");
        let near = at(&app, Method::POST, &path, &f03, "F03", Some(json!({}))).await.expect(201);
        let near_copy = near.body["copies"][0]["id"].as_str().unwrap().to_owned();
        let table = json!({"distances": [
            {"from": "F07", "to": "F03", "distance": 5},
            {"from": "C00", "to": "F07", "distance": 20}
        ]});
        conflict_or_forbidden(app.put("/api/v1/exchange/distances", Some(&l.f07), table.clone()).await);
        app.put("/api/v1/exchange/distances", Some(&l.admin), table).await.expect(200);
        let bad = json!({"distances": [{"from": "F07", "to": "F07", "distance": 1}]});
        assert_eq!(app.put("/api/v1/exchange/distances", Some(&l.admin), bad).await.expect(422).code(), "validation_failed");
        let listed = app.get("/api/v1/exchange/distances", Some(&l.f07)).await.expect(200);
        assert_eq!(listed.body["distances"].as_array().unwrap().len(), 2);

        let reader = register(&app, &l.f07, "Жұмабаев", "Мағжан", json!({})).await;
        let hold = place(&app, &l.f07, &reader, &record_id, "F07").await;
        assert_eq!(hold["transfer"]["from_library"], "F03", "nearest first: {hold}");
        // F03 cannot find it on the shelf: marked missing, the line moves to the fund.
        let transfer = hold["transfer"]["id"].as_str().unwrap();
        let body = json!({"note": "not on the shelf", "missing": true});
        let off = at(&app, Method::POST, &format!("/api/v1/transfers/{transfer}/cancel"), &f03_desk, "F03", Some(body)).await.expect(200);
        assert_eq!(off.body["transfer"]["status"], "cancelled");
        assert_eq!(off.body["transfer"]["note"], "not on the shelf");
        assert_eq!(off.body["rerouted"]["from_library"], "C00");
        assert_eq!(off.body["rerouted"]["copy_id"], central_copy.as_str());
        assert_eq!(position(&app, &l.c00, &near_copy).await["status"], "missing");
        let again = at(&app, Method::POST, &format!("/api/v1/transfers/{transfer}/cancel"), &f03_desk, "F03", Some(json!({}))).await;
        conflict(again, "transfer_not_requested");
        // The reader cancels: the line leaves the fund's pick list.
        let hold_id = hold["id"].as_str().unwrap();
        app.delete(&format!("/api/v1/holds/{hold_id}"), Some(&l.f07)).await.expect(200);
        let picks = app.get("/api/v1/exchange/pick-list?library=C00", Some(&l.c00)).await.expect(200);
        assert!(picks.body["lines"].as_array().unwrap().is_empty(), "{}", picks.text);
        assert!(open_transfers(&app, &l.c00).await.is_empty());
    }

    async fn a_hold_cancelled_while_its_copy_travels_sends_the_copy_on_home(app: TestApp) {
        let l = libs(&app).await;
        let (record_id, copy, barcode) = copy_at(&app, &l.cataloger, "C00", "Қан мен тер").await;
        let reader = register(&app, &l.f07, "Нұрпейісов", "Әбдіжәміл", json!({})).await;
        let hold = place(&app, &l.f07, &reader, &record_id, "F07").await;
        scan(&app, &l.c00, "C00", "dispatch", &barcode).await.expect(200);
        let hold_id = hold["id"].as_str().unwrap();
        app.delete(&format!("/api/v1/holds/{hold_id}"), Some(&l.f07)).await.expect(200);
        let p = position(&app, &l.c00, &copy).await;
        assert_eq!(p["place"]["reason"], "hold_cancelled");
        assert_eq!(p["place"]["to_library"], "F07");
        // It arrives at F07 and goes on home: the one case a received copy leaves again.
        let got = scan(&app, &l.f07, "F07", "receive", &barcode).await.expect(200);
        assert_eq!(got.body["destination"], "in_transit");
        assert_eq!(got.body["to_library"], "C00");
        let p = position(&app, &l.c00, &copy).await;
        assert_eq!((p["place"]["from_library"].as_str(), p["place"]["to_library"].as_str()), (Some("F07"), Some("C00")));
        // Scanned at the central library's return desk: received home.
        let home = give_back(&app, &l.c00, "C00", &barcode).await;
        assert_eq!(home["destination"], "shelf");
        assert_eq!(position(&app, &l.c00, &copy).await["place"]["library"], "C00");
    }

    async fn the_desk_at_the_destination_receives_by_lending(app: TestApp) {
        let l = libs(&app).await;
        let (record_id, copy, barcode) = copy_at(&app, &l.cataloger, "C00", "Менің атым Қожа").await;
        let reader = register(&app, &l.f07, "Бегалин", "Сапарғали", json!({})).await;
        place(&app, &l.f07, &reader, &record_id, "F07").await;
        scan(&app, &l.c00, "C00", "dispatch", &barcode).await.expect(200);
        // The reader is at the F07 desk when the van arrives: one scan receives and lends.
        checkout(&app, &l.f07, "F07", reader["id"].as_str().unwrap(), &barcode, json!({})).await.expect(201);
        let p = position(&app, &l.f07, &copy).await;
        assert_eq!((p["place"]["code"].as_str(), p["place"]["library"].as_str()), (Some("on_loan"), Some("F07")));
        assert!(open_transfers(&app, &l.c00).await.is_empty());
        let moves = p["movements"].as_array().unwrap();
        assert_eq!(moves[0]["status"], "received");
    }

    async fn exchange_roles_are_checked(app: TestApp) {
        let l = libs(&app).await;
        let (_, copy, barcode) = copy_at(&app, &l.cataloger, "C00", "Ақ кеме").await;
        assert_eq!(scan(&app, &l.cataloger, "C00", "dispatch", &barcode).await.expect(403).code(), "role_denied");
        assert_eq!(app.get(&format!("/api/v1/copies/{copy}/position"), Some(&l.cataloger)).await.expect(403).code(), "role_denied");
        let fund = staff(&app, "ex.c00", "exchange", "C00").await;
        conflict(scan(&app, &fund, "C00", "dispatch", &barcode).await, "no_request");
        conflict(scan(&app, &l.c00, "C00", "receive", &barcode).await, "not_in_transit");
        assert_eq!(scan(&app, &l.c00, "C00", "receive", "0000000000000").await.expect(404).code(), "copy_not_found");
        let missing = app.get("/api/v1/transfers/01939d7e-0000-7000-8000-000000000000", Some(&l.c00)).await.expect(404);
        assert_eq!(missing.code(), "transfer_not_found");
        assert_eq!(app.get("/api/v1/transfers?status=flying", Some(&l.c00)).await.expect(422).code(), "validation_failed");
    }
}

fn conflict_or_forbidden(r: Response) {
    assert_eq!(r.expect(403).code(), "role_denied");
}

/// Floating: a library's returns stay on its shelves; the copy's home does not change.
async fn floating_returns_stay(backend: Backend) {
    let Some(app) = TestApp::start_with(backend, |c| {
        c.exchange.floating_libraries = vec!["F12".to_owned()]
    })
    .await
    else {
        return;
    };
    let l = libs(&app).await;
    let (_, copy, barcode) = copy_at(&app, &l.cataloger, "C00", "Үркер").await;
    let reader = register(&app, &l.f12, "Есенберлин", "Ілияс", json!({})).await;
    checkout(
        &app,
        &l.c00,
        "C00",
        reader["id"].as_str().unwrap(),
        &barcode,
        json!({}),
    )
    .await
    .expect(201);
    let back = give_back(&app, &l.f12, "F12", &barcode).await;
    assert_eq!(back["destination"], "shelf", "{back}");
    let p = position(&app, &l.f12, &copy).await;
    assert_eq!(
        (p["place"]["code"].as_str(), p["place"]["library"].as_str()),
        (Some("shelf"), Some("F12"))
    );
    assert_eq!(p["home_library"], "C00");
    assert_eq!(p["shelf_library"], "F12");
    assert!(open_transfers(&app, &l.c00).await.is_empty());
    // Returned at a library that does not float: it goes to where it belongs now.
    checkout(
        &app,
        &l.f12,
        "F12",
        reader["id"].as_str().unwrap(),
        &barcode,
        json!({}),
    )
    .await
    .expect(201);
    let back = give_back(&app, &l.f07, "F07", &barcode).await;
    assert_eq!(back["destination"], "in_transit");
    assert_eq!(back["to_library"], "F12");
}

#[actix_web::test]
async fn floating_returns_stay_sqlite() {
    floating_returns_stay(Backend::Sqlite).await;
}

#[actix_web::test]
async fn floating_returns_stay_postgres() {
    floating_returns_stay(Backend::Postgres).await;
}
