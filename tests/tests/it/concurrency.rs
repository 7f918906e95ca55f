//! Invariants under concurrent requests, on both backends.

use futures_util::future::join_all;
use kitap_tests::both_backends;
use serde_json::json;

both_backends! {
    async fn concurrent_failed_logins_are_all_counted(app: TestApp) {
        let admin = app.admin_token().await;
        let id = app.create_staff(&admin, "target", "librarian", "F01", "target-password").await;
        let attempts = (0..12).map(|_| app.login("target", "wrong-password"));
        let statuses: Vec<u16> = join_all(attempts).await.into_iter().map(|r| r.status.as_u16()).collect();
        assert!(statuses.iter().all(|s| *s == 401 || *s == 423), "{statuses:?}");
        assert!(statuses.contains(&423), "the account never locked: {statuses:?}");
        let path = format!("/api/v1/audit?entity_id={id}&action=login_failed&limit=500");
        let counted = app.get(&path, Some(&admin)).await.expect(200);
        // Every counted failure saw a distinct count 1, 2, ... n: no increment
        // was lost to a race (attempts arriving after the lock are not counted).
        let mut counts: Vec<i64> = counted.body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["after"]["failed_logins"].as_i64().unwrap())
            .collect();
        counts.sort_unstable();
        assert!(counts.len() >= 5, "{counts:?}");
        assert_eq!(counts, (1..=counts.len() as i64).collect::<Vec<_>>(), "lost or doubled increments");
        let locks = app.get(&format!("/api/v1/audit?entity_id={id}&action=account_locked"), Some(&admin)).await.expect(200);
        assert!(!locks.body["entries"].as_array().unwrap().is_empty());
    }

    async fn one_username_one_account(app: TestApp) {
        let admin = app.admin_token().await;
        let body = json!({"username": "twin", "display_name": "Twin", "role": "librarian", "home_library": "F01", "password": "twin-password"});
        let creates = (0..8).map(|_| app.post("/api/v1/staff", Some(&admin), body.clone()));
        let statuses: Vec<u16> = join_all(creates).await.into_iter().map(|r| r.status.as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 7, "{statuses:?}");
    }

    async fn one_code_one_library(app: TestApp) {
        let admin = app.admin_token().await;
        let body = json!({"code": "F40", "kind": "adult", "name_kk": "Егіз", "name_ru": "Близнец"});
        let creates = (0..8).map(|_| app.post("/api/v1/branches", Some(&admin), body.clone()));
        let statuses: Vec<u16> = join_all(creates).await.into_iter().map(|r| r.status.as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 7, "{statuses:?}");
    }
}
