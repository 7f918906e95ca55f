use chrono::Weekday;
use kitap_domain::{BlockKind, CopyStatus};
use proptest::prelude::*;

use super::*;
use crate::testutil::{branch, copy_id, date, good_reader, reader_id};
use crate::BlockState;

fn shelf_copy() -> CopyState {
    CopyState {
        id: copy_id(10),
        status: CopyStatus::Available,
        material_type: "book".to_owned(),
        branch: branch(1),
        reading_room_only: false,
        trapped_for: None,
        queued_hold_for_others: false,
    }
}

fn sundays_closed() -> Calendar {
    Calendar::new([Weekday::Sun], [])
}

fn home(
    reader: &ReaderState,
    copy: &CopyState,
    overrides: &Overrides,
) -> Result<CheckoutDecision, Refusal> {
    let values = RuleValues::default_seed();
    decide_checkout(
        reader,
        copy,
        &values,
        &sundays_closed(),
        date(2025, 5, 17),
        LoanKind::Home,
        overrides,
    )
}

fn code(result: Result<CheckoutDecision, Refusal>) -> RefusalCode {
    result.unwrap_err().code
}

#[test]
fn a_good_reader_takes_a_book_home_for_fifteen_days() {
    let got = home(&good_reader(), &shelf_copy(), &Overrides::none()).unwrap();
    // 17 May + 15 = Sunday 1 June: due Monday.
    assert_eq!(got.due_on, date(2025, 6, 2));
    assert!(got.overridden.is_empty() && !got.fulfils_hold);
}

#[test]
fn reading_room_issues_are_due_today_and_ignore_the_limit() {
    let mut reader = good_reader();
    reader.open_home_loans = 5;
    reader.overdue_loans = 1;
    let mut copy = shelf_copy();
    copy.status = CopyStatus::ReadingRoomOnly;
    let values = RuleValues {
        reading_room_only: true,
        ..RuleValues::default_seed()
    };
    let today = date(2025, 5, 17);
    let got = decide_checkout(
        &reader,
        &copy,
        &values,
        &sundays_closed(),
        today,
        LoanKind::ReadingRoom,
        &Overrides::none(),
    )
    .unwrap();
    assert_eq!((got.due_on, got.kind), (today, LoanKind::ReadingRoom));
}

#[test]
fn reader_checks_come_first_in_their_order() {
    let mut reader = good_reader();
    reader.status = ReaderStatus::Archived;
    reader.registered_until = date(2024, 12, 31);
    reader.blocks.push(BlockState {
        kind: BlockKind::Manual,
        reason: "damaged a book".into(),
    });
    let mut copy = shelf_copy();
    copy.status = CopyStatus::OnLoan;
    assert_eq!(
        code(home(&reader, &copy, &Overrides::none())),
        RefusalCode::ReaderNotActive
    );
    let all: Vec<RefusalCode> = all_refusals(
        &reader,
        &copy,
        &RuleValues::default_seed(),
        date(2025, 5, 17),
        LoanKind::Home,
    )
    .into_iter()
    .map(|r| r.code)
    .collect();
    assert_eq!(
        all,
        [
            RefusalCode::ReaderNotActive,
            RefusalCode::RegistrationExpired,
            RefusalCode::ReaderBlocked,
            RefusalCode::CopyNotAvailable
        ]
    );
}

#[test]
fn registration_expires_the_day_after_its_end() {
    let mut reader = good_reader();
    reader.registered_until = date(2025, 5, 17);
    assert!(home(&reader, &shelf_copy(), &Overrides::none()).is_ok());
    reader.registered_until = date(2025, 5, 16);
    assert_eq!(
        code(home(&reader, &shelf_copy(), &Overrides::none())),
        RefusalCode::RegistrationExpired
    );
}

#[test]
fn a_debtor_is_soft_blocked_and_staff_may_override() {
    let mut reader = good_reader();
    reader.overdue_loans = 2;
    reader.max_overdue_days = 41;
    let refusal = home(&reader, &shelf_copy(), &Overrides::none()).unwrap_err();
    assert_eq!(refusal.code, RefusalCode::ReaderHasOverdue);
    assert!(refusal.detail.contains("41 days"), "{refusal}");
    let got = home(
        &reader,
        &shelf_copy(),
        &Overrides::of(&[RefusalCode::ReaderHasOverdue]),
    )
    .unwrap();
    assert_eq!(got.overridden, [RefusalCode::ReaderHasOverdue]);
}

#[test]
fn the_overdue_block_is_the_debtor_rule_not_a_hard_block() {
    let mut reader = good_reader();
    reader.blocks.push(BlockState {
        kind: BlockKind::Overdue,
        reason: "auto".into(),
    });
    assert_eq!(
        code(home(&reader, &shelf_copy(), &Overrides::none())),
        RefusalCode::ReaderHasOverdue
    );
    reader.blocks.push(BlockState {
        kind: BlockKind::LostCopy,
        reason: "lost Abai".into(),
    });
    assert_eq!(
        code(home(&reader, &shelf_copy(), &Overrides::none())),
        RefusalCode::ReaderBlocked
    );
}

#[test]
fn copies_off_the_shelf_are_a_hard_no() {
    for status in [
        CopyStatus::OnLoan,
        CopyStatus::Lost,
        CopyStatus::Withdrawn,
        CopyStatus::InRepair,
        CopyStatus::Missing,
        CopyStatus::InTransit,
    ] {
        let copy = CopyState {
            status,
            ..shelf_copy()
        };
        let every = Overrides::of(RefusalCode::ALL);
        assert_eq!(
            code(home(&good_reader(), &copy, &every)),
            RefusalCode::CopyNotAvailable,
            "{status}"
        );
    }
}

#[test]
fn reading_room_copies_do_not_go_home_unless_overridden() {
    let flagged = CopyState {
        reading_room_only: true,
        ..shelf_copy()
    };
    let by_status = CopyState {
        status: CopyStatus::ReadingRoomOnly,
        ..shelf_copy()
    };
    for copy in [flagged, by_status] {
        assert_eq!(
            code(home(&good_reader(), &copy, &Overrides::none())),
            RefusalCode::CopyReadingRoomOnly
        );
        let over = Overrides::of(&[RefusalCode::CopyReadingRoomOnly]);
        assert!(home(&good_reader(), &copy, &over).is_ok());
    }
}

#[test]
fn holds_for_others_block_and_a_trap_for_this_reader_fulfils() {
    let mut copy = CopyState {
        trapped_for: Some(reader_id(2)),
        ..shelf_copy()
    };
    assert_eq!(
        code(home(&good_reader(), &copy, &Overrides::none())),
        RefusalCode::CopyOnHoldForOther
    );
    copy.trapped_for = Some(reader_id(1));
    copy.queued_hold_for_others = true;
    assert!(
        home(&good_reader(), &copy, &Overrides::none())
            .unwrap()
            .fulfils_hold
    );
    let queued = CopyState {
        queued_hold_for_others: true,
        ..shelf_copy()
    };
    assert_eq!(
        code(home(&good_reader(), &queued, &Overrides::none())),
        RefusalCode::CopyOnHoldForOther
    );
}

#[test]
fn the_rule_and_the_limit_come_last() {
    let mut reader = good_reader();
    reader.open_home_loans = 5;
    let values = RuleValues {
        reading_room_only: true,
        ..RuleValues::default_seed()
    };
    let today = date(2025, 5, 17);
    let all: Vec<RefusalCode> =
        all_refusals(&reader, &shelf_copy(), &values, today, LoanKind::Home)
            .into_iter()
            .map(|r| r.code)
            .collect();
    assert_eq!(
        all,
        [
            RefusalCode::RuleForbidsHomeLoan,
            RefusalCode::LoanLimitReached
        ]
    );
    reader.open_home_loans = 4;
    assert!(home(&reader, &shelf_copy(), &Overrides::none()).is_ok());
}

#[test]
fn a_calendar_without_open_days_refuses_home_loans() {
    let closed = Calendar::new(
        [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ],
        [],
    );
    let got = decide_checkout(
        &good_reader(),
        &shelf_copy(),
        &RuleValues::default_seed(),
        &closed,
        date(2025, 5, 17),
        LoanKind::Home,
        &Overrides::none(),
    );
    assert_eq!(code(got), RefusalCode::NoOpenDay);
}

proptest! {
    /// The decision agrees with `all_refusals`: allowed exactly when every
    /// refusal is overridden, and then it lists exactly those.
    #[test]
    fn decide_agrees_with_all_refusals(
        archived in any::<bool>(),
        expired in any::<bool>(),
        manual in any::<bool>(),
        overdue in 0u32..3,
        open in 0u32..8,
        status in 0usize..8,
        rr_copy in any::<bool>(),
        rr_rule in any::<bool>(),
        trapped in 0u8..3,
        queued in any::<bool>(),
        reading_room in any::<bool>(),
        chosen in proptest::collection::vec(0usize..15, 0..15),
    ) {
        let mut reader = good_reader();
        if archived { reader.status = ReaderStatus::Archived; }
        if expired { reader.registered_until = date(2025, 1, 1); }
        if manual { reader.blocks.push(BlockState { kind: BlockKind::Manual, reason: "x".into() }); }
        reader.overdue_loans = overdue;
        reader.open_home_loans = open;
        let copy = CopyState {
            status: CopyStatus::ALL[status],
            reading_room_only: rr_copy,
            trapped_for: [None, Some(reader_id(1)), Some(reader_id(2))][usize::from(trapped)],
            queued_hold_for_others: queued,
            ..shelf_copy()
        };
        let values = RuleValues { reading_room_only: rr_rule, ..RuleValues::default_seed() };
        let kind = if reading_room { LoanKind::ReadingRoom } else { LoanKind::Home };
        let codes: Vec<RefusalCode> = chosen.iter().filter_map(|i| RefusalCode::ALL.get(*i).copied()).collect();
        let overrides = Overrides::of(&codes);
        let today = date(2025, 5, 17);
        let all: Vec<RefusalCode> = all_refusals(&reader, &copy, &values, today, kind).into_iter().map(|r| r.code).collect();
        match decide_checkout(&reader, &copy, &values, &Calendar::always_open(), today, kind, &overrides) {
            Ok(got) => {
                prop_assert_eq!(&got.overridden, &all);
                prop_assert!(all.iter().all(|c| overrides.allows(*c)));
                prop_assert!(got.due_on >= today);
            }
            Err(refusal) => {
                let first_kept = all.iter().find(|c| !overrides.allows(**c));
                prop_assert_eq!(Some(&refusal.code), first_kept);
            }
        }
    }
}
