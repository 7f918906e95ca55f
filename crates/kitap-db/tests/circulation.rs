//! The circulation tables and their invariants, on SQLite always and on
//! PostgreSQL when `TEST_DATABASE_URL` is set (a fresh schema per test, as
//! the kitap-tests harness does).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use kitap_db::loans::StoredLoan;
use kitap_db::readers::StoredReader;
use kitap_db::{holds, loan_rules, loans, notices, readers, Db, DbError, DbUrl};
use kitap_domain::{
    BranchId, CopyId, HoldId, HoldStatus, LoanId, LoanKind, NoticeChannel, NoticeId, NoticeKind,
    NoticeStatus, ReaderCategory, ReaderId, ReaderStatus, RecordId, Timestamp,
};

/// A migrated database; dropping it drops the PostgreSQL schema.
struct TestDb {
    db: Db,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, schema)) = &self.postgres {
            let admin = Db::connect(&DbUrl::parse(admin).unwrap(), 1).unwrap();
            let _ = admin.execute_script(&format!("DROP SCHEMA \"{schema}\" CASCADE"));
        }
    }
}

fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kitap.db").display());
    let db = Db::connect(&DbUrl::parse(&url).unwrap(), 2).unwrap();
    db.migrate().unwrap();
    TestDb {
        db,
        _dir: Some(dir),
        postgres: None,
    }
}

fn postgres() -> Option<TestDb> {
    let admin = std::env::var("TEST_DATABASE_URL").ok()?;
    let schema = format!("kitap_test_{}", ReaderId::new().as_uuid().simple());
    Db::connect(&DbUrl::parse(&admin).unwrap(), 1)
        .unwrap()
        .execute_script(&format!("CREATE SCHEMA \"{schema}\""))
        .unwrap();
    let sep = if admin.contains('?') { '&' } else { '?' };
    let url = format!("{admin}{sep}options=-csearch_path%3D{schema}");
    let db = Db::connect(&DbUrl::parse(&url).unwrap(), 2).unwrap();
    db.migrate().unwrap();
    Some(TestDb {
        db,
        _dir: None,
        postgres: Some((admin, schema)),
    })
}

macro_rules! both {
    ($(fn $name:ident($db:ident: &Db) $body:block)*) => {$(
        mod $name {
            use super::*;
            fn body($db: &Db) $body
            #[test]
            fn sqlite() { body(&super::sqlite().db) }
            #[test]
            fn postgres() {
                match super::postgres() {
                    Some(t) => body(&t.db),
                    None => eprintln!("skipped: TEST_DATABASE_URL is not set"),
                }
            }
        }
    )*};
}

fn ts(text: &str) -> Timestamp {
    Timestamp::from_naive(chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap())
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

struct Fixture {
    branch: BranchId,
    record: RecordId,
    copies: [CopyId; 2],
}

/// A library, a record and two copies, written as plain SQL both backends take.
fn fixture(db: &Db) -> Fixture {
    let f = Fixture {
        branch: BranchId::new(),
        record: RecordId::new(),
        copies: [CopyId::new(), CopyId::new()],
    };
    let now = "'2026-12-07 10:00:00'";
    let mut sql = format!(
        "INSERT INTO branches (id, code, name_kk, name_ru, kind, created_at, updated_at)
         VALUES ('{}', 'CB', 'Орталық', 'Центральная', 'central', {now}, {now});
         INSERT INTO records (id, dialect, record_type, marc, source_encoding, title, sort_title,
                              created_at, updated_at)
         VALUES ('{}', 'marc21', 'a', '', 'utf-8', 'Абай жолы', 'абай жолы', {now}, {now});",
        f.branch, f.record
    );
    for (n, copy) in f.copies.iter().enumerate() {
        sql.push_str(&format!(
            "INSERT INTO copies (id, record_id, branch_id, inventory_number, barcode, status,
                                 created_at, updated_at)
             VALUES ('{copy}', '{}', '{}', 'INV-{n}', 'BC-{n}', 'available', {now}, {now});",
            f.record, f.branch
        ));
    }
    db.execute_script(&sql).unwrap();
    f
}

fn reader(branch: BranchId, card: &str, surname: &str) -> StoredReader {
    StoredReader {
        id: ReaderId::new(),
        card_number: card.parse().unwrap(),
        surname: surname.to_owned(),
        first_name: "Айгерим".to_owned(),
        patronymic: None,
        birth_date: day(1990, 3, 22),
        iin: None,
        document: None,
        address: None,
        phone: Some("+77010000000".to_owned()),
        email: None,
        category: ReaderCategory::Adult,
        status: ReaderStatus::Active,
        home_branch_id: branch,
        guarantor_id: None,
        guardian: None,
        consent_email: false,
        consent_sms: true,
        consent_phone: false,
        keep_history: false,
        registered_on: day(2026, 12, 1),
        registered_until: day(2027, 12, 1),
        note: None,
        version: 1,
        created_by: None,
        created_at: ts("2026-12-01 09:00:00"),
        updated_at: ts("2026-12-01 09:00:00"),
    }
}

fn loan(copy: CopyId, reader: ReaderId, branch: BranchId, due_on: NaiveDate) -> StoredLoan {
    StoredLoan {
        id: LoanId::new(),
        copy_id: copy,
        reader_id: reader,
        branch_id: branch,
        kind: LoanKind::Home,
        rule_id: None,
        issued_at: ts("2026-12-07 10:00:00"),
        due_on,
        renewals: 0,
        returned_at: None,
        return_branch_id: None,
        lost_at: None,
        issued_by: None,
        fine_minor: 0,
        version: 1,
    }
}

both! {
    fn migration_reverts_and_applies_again(db: &Db) {
        let reverted = db.revert_all_migrations().unwrap();
        assert_eq!(reverted, db.known_migrations().unwrap().len());
        assert!(db.introspect_columns().unwrap().is_empty());
        db.migrate().unwrap();
        let rules = db.read(loan_rules::list).unwrap();
        assert_eq!(rules.len(), 1, "the seeded default rule");
        let rule = &rules[0];
        assert_eq!((rule.branch_id, rule.category, rule.material_type.as_deref()), (None, None, None));
        assert_eq!((rule.loan_days, rule.max_renewals, rule.renewal_days, rule.max_items), (15, 2, 15, 5));
        assert!(rule.holds_allowed && !rule.reading_room_only);
        // The expression index forbids a second rule with the same (all NULL) keys.
        let mut twin = rule.clone();
        twin.id = kitap_domain::LoanRuleId::new();
        let err = db.read(|c| loan_rules::insert(c, &twin)).unwrap_err();
        assert!(matches!(&err, DbError::UniqueViolation(n) if n == loan_rules::KEYS_INDEX), "{err:?}");
    }

    fn a_copy_cannot_be_lent_twice(db: &Db) {
        let f = fixture(db);
        let a = reader(f.branch, "R-1", "Иванова");
        let b = reader(f.branch, "R-2", "Сейткали");
        db.read(|c| readers::insert(c, &a)).unwrap();
        db.read(|c| readers::insert(c, &b)).unwrap();
        let first = loan(f.copies[0], a.id, f.branch, day(2026, 12, 22));
        db.read(|c| loans::insert(c, &first)).unwrap();
        let second = loan(f.copies[0], b.id, f.branch, day(2026, 12, 22));
        let err = db.read(|c| loans::insert(c, &second)).unwrap_err();
        assert!(
            matches!(&err, DbError::UniqueViolation(n) if n == loans::OPEN_COPY_INDEX),
            "{err:?}"
        );
        // The same inside a write transaction, which then rolls back.
        let err = db.write(|c| loans::insert(c, &second)).unwrap_err();
        assert!(err.violates(loans::OPEN_COPY_INDEX), "{err:?}");

        let open = db.read(|c| loans::open_for_copy(c, f.copies[0])).unwrap().unwrap();
        assert_eq!(open.id, first.id);
        let listed = db.read(|c| loans::open_for_reader(c, a.id)).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].title, "Абай жолы");
        assert_eq!(listed[0].barcode.as_str(), "BC-0");

        assert!(db.read(|c| loans::renew(c, first.id, 1, day(2027, 1, 6), 1)).unwrap());
        assert!(!db.read(|c| loans::renew(c, first.id, 1, day(2027, 1, 6), 1)).unwrap(), "stale version");

        let counts = db.read(|c| readers::loan_counts(c, a.id, day(2027, 1, 10))).unwrap();
        assert_eq!((counts.open, counts.overdue, counts.max_overdue_days), (1, 1, 4));
        let debtors = db.read(|c| loans::overdue(c, day(2027, 1, 10), Some(f.branch), None, 50)).unwrap();
        assert_eq!(debtors.len(), 1);
        assert_eq!(debtors[0].surname, "Иванова");

        let at = ts("2027-01-10 12:00:00");
        assert!(db.read(|c| loans::close(c, first.id, at, f.branch, 0)).unwrap());
        assert!(!db.read(|c| loans::close(c, first.id, at, f.branch, 0)).unwrap());
        assert!(db.read(|c| loans::open_for_copy(c, f.copies[0])).unwrap().is_none());
        // Returned: the copy may go out again.
        db.read(|c| loans::insert(c, &second)).unwrap();
        let history = db.read(|c| loans::history(c, a.id, None, 10)).unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].loan.returned_at, Some(at));
    }

    fn one_open_hold_per_reader_and_title(db: &Db) {
        let f = fixture(db);
        let a = reader(f.branch, "R-1", "Иванова");
        db.read(|c| readers::insert(c, &a)).unwrap();
        let hold = |placed: &str| holds::StoredHold {
            id: HoldId::new(),
            reader_id: a.id,
            record_id: f.record,
            copy_id: None,
            pickup_branch_id: f.branch,
            status: HoldStatus::Waiting,
            placed_at: ts(placed),
            trapped_copy_id: None,
            ready_on: None,
            expires_on: None,
            closed_at: None,
            version: 1,
        };
        let first = hold("2026-12-07 10:00:00");
        db.read(|c| holds::insert(c, &first)).unwrap();
        let err = db.read(|c| holds::insert(c, &hold("2026-12-07 11:00:00"))).unwrap_err();
        assert!(
            matches!(&err, DbError::UniqueViolation(n) if n == holds::OPEN_HOLD_INDEX),
            "{err:?}"
        );
        assert_eq!(db.read(|c| holds::queue(c, f.record)).unwrap().len(), 1);
        assert!(db.read(|c| holds::cancel(c, first.id, ts("2026-12-08 09:00:00"))).unwrap());
        assert!(db.read(|c| holds::queue(c, f.record)).unwrap().is_empty());
        db.read(|c| holds::insert(c, &hold("2026-12-08 10:00:00"))).unwrap();
        assert_eq!(db.read(|c| holds::of_reader(c, a.id, false)).unwrap().len(), 2);
    }

    fn a_notice_is_stored_once_per_dedupe_key(db: &Db) {
        let f = fixture(db);
        let a = reader(f.branch, "R-1", "Иванова");
        db.read(|c| readers::insert(c, &a)).unwrap();
        let notice = |key: &str| notices::StoredNotice {
            id: NoticeId::new(),
            reader_id: a.id,
            loan_id: None,
            hold_id: None,
            kind: NoticeKind::Overdue,
            level: 1,
            channel: NoticeChannel::Sms,
            dedupe_key: key.to_owned(),
            status: NoticeStatus::Pending,
            attempts: 0,
            last_error: None,
            created_at: ts("2026-12-07 10:00:00"),
            sent_at: None,
        };
        let first = notice("overdue:1:sms:loan-1");
        // Inside one transaction, so a PostgreSQL conflict must not abort it.
        let (one, two) = db
            .write(|c| {
                let one = notices::insert_new(c, &first)?;
                let two = notices::insert_new(c, &notice("overdue:1:sms:loan-1"))?;
                Ok::<_, DbError>((one, two))
            })
            .unwrap();
        assert!(one && !two);
        let pending = db.read(|c| notices::pending(c, 10)).unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].id, first.id);
        assert_eq!(db.read(|c| notices::mark_failed(c, first.id, "gateway down", true)).unwrap(), 1);
        db.read(|c| notices::mark_sent(c, first.id, ts("2026-12-07 11:00:00"))).unwrap();
        assert!(db.read(|c| notices::pending(c, 10)).unwrap().is_empty());
    }

    fn readers_are_found_and_duplicates_suspected(db: &Db) {
        let f = fixture(db);
        let mut a = reader(f.branch, "R-1", "Иванова");
        a.iin = Some("900101300811".parse().unwrap());
        db.read(|c| readers::insert(c, &a)).unwrap();
        let found = db.read(|c| readers::find_by_card(c, &"R-1".parse().unwrap())).unwrap();
        assert_eq!(found, a);
        let filter = readers::ReaderFilter { surname_prefix: Some("ИВАН".into()), limit: 10, ..Default::default() };
        assert_eq!(db.read(|c| readers::list(c, &filter)).unwrap().len(), 1);
        let dups = db
            .read(|c| readers::possible_duplicates(c, "иванова", "АЙГЕРИМ", day(1990, 3, 22), None, None))
            .unwrap();
        assert_eq!(dups.len(), 1);
        let by_iin = db
            .read(|c| readers::possible_duplicates(c, "Другая", "Имя", day(2000, 1, 1), a.iin.as_ref(), None))
            .unwrap();
        assert_eq!(by_iin.len(), 1);
        let mut changed = a.clone();
        changed.phone = None;
        changed.version = 2;
        assert!(db.read(|c| readers::update(c, &changed, 1)).unwrap());
        assert!(!db.read(|c| readers::update(c, &changed, 1)).unwrap());
    }
}

/// The same indexes (expression and partial ones included), keys and CHECK
/// counts on both backends; the full check over every table is in kitap-tests.
#[test]
fn both_backends_hold_the_same_circulation_constraints() {
    let Some(pg) = postgres() else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let lite = sqlite();
    let on_sqlite = lite.db.introspect_constraints().unwrap();
    let on_postgres = pg.db.introspect_constraints().unwrap();
    assert!(on_sqlite.contains(&"unique index loans(copy_id) where ...".to_owned()));
    assert!(on_sqlite.contains(&"unique index loan_rules((expr),(expr),(expr))".to_owned()));
    let only_sqlite: Vec<_> = on_sqlite
        .iter()
        .filter(|l| !on_postgres.contains(l))
        .collect();
    let only_postgres: Vec<_> = on_postgres
        .iter()
        .filter(|l| !on_sqlite.contains(l))
        .collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only on SQLite: {only_sqlite:#?}\nonly on PostgreSQL: {only_postgres:#?}"
    );
}
