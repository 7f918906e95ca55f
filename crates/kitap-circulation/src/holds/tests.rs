use chrono::Weekday;
use kitap_domain::{BlockKind, ReaderStatus};
use proptest::prelude::*;

use super::*;
use crate::testutil::{branch, copy_id, date, good_reader, hold_id, reader_id, record_id};
use crate::BlockState;

fn at(day: u32, hour: u32) -> Timestamp {
    Timestamp::from_naive(date(2025, 4, day).and_hms_opt(hour, 0, 0).unwrap())
}

fn hold(n: u32, placed: Timestamp, pickup: u32) -> HoldState {
    HoldState {
        id: hold_id(n),
        reader: reader_id(n),
        record: record_id(500),
        copy: None,
        pickup: branch(pickup),
        status: HoldStatus::Waiting,
        placed_at: placed,
    }
}

fn returned_at(library: u32) -> TrappableCopy {
    TrappableCopy {
        id: copy_id(10),
        record: record_id(500),
        at_library: branch(library),
    }
}

#[test]
fn first_come_first_served_then_id() {
    let holds = vec![
        hold(3, at(2, 9), 1),
        hold(2, at(1, 9), 1),
        hold(1, at(2, 9), 1),
    ];
    let order: Vec<HoldId> = queue_order(&holds).iter().map(|h| h.id).collect();
    assert_eq!(order, [hold_id(2), hold_id(1), hold_id(3)]);
}

#[test]
fn a_copy_at_the_pickup_library_goes_to_the_hold_shelf() {
    let holds = vec![hold(1, at(1, 9), 1)];
    assert_eq!(
        trap(&returned_at(1), &holds),
        TrapDecision::HoldShelf { hold: hold_id(1) }
    );
}

#[test]
fn a_copy_elsewhere_travels_to_the_pickup_library() {
    let holds = vec![hold(1, at(1, 9), 2)];
    let expected = TransferRequest {
        copy: copy_id(10),
        from: branch(1),
        to: branch(2),
        reason: TransferReason::Hold(hold_id(1)),
    };
    assert_eq!(
        trap(&returned_at(1), &holds),
        TrapDecision::Transfer(expected)
    );
}

#[test]
fn only_waiting_holds_this_copy_can_serve() {
    let mut other_copy = hold(1, at(1, 9), 1);
    other_copy.copy = Some(copy_id(11));
    let mut ready = hold(2, at(1, 10), 1);
    ready.status = HoldStatus::Ready;
    let mut other_record = hold(3, at(1, 11), 1);
    other_record.record = record_id(501);
    let mut this_copy = hold(4, at(1, 12), 1);
    this_copy.copy = Some(copy_id(10));
    let holds = vec![other_copy, ready, other_record.clone(), this_copy];
    assert_eq!(
        trap(&returned_at(1), &holds),
        TrapDecision::HoldShelf { hold: hold_id(4) }
    );
    assert_eq!(trap(&returned_at(1), &[other_record]), TrapDecision::None);
}

#[test]
fn the_hold_shelf_expiry_skips_closed_days() {
    let cal = Calendar::new([Weekday::Sun], [date(2025, 3, 21), date(2025, 3, 22)]);
    assert_eq!(
        hold_shelf_expires(date(2025, 3, 17), 5, &cal).unwrap(),
        date(2025, 3, 24)
    );
    assert_eq!(
        hold_shelf_expires(date(2025, 3, 10), 5, &cal).unwrap(),
        date(2025, 3, 15)
    );
}

#[test]
fn placing_holds() {
    let values = RuleValues::default_seed();
    let got = decide_place_hold(&good_reader(), &values, &[], 1).unwrap();
    assert!(got.pull_from_shelf);
    assert_eq!(got.status, HoldStatus::Waiting);

    let mut done = hold(1, at(1, 9), 1);
    done.status = HoldStatus::Fulfilled;
    assert!(decide_place_hold(&good_reader(), &values, &[done], 0).is_ok());
    let err = decide_place_hold(&good_reader(), &values, &[hold(2, at(1, 9), 1)], 0).unwrap_err();
    assert_eq!(err.code, RefusalCode::AlreadyHolding);

    let no_holds = RuleValues {
        holds_allowed: false,
        ..values.clone()
    };
    assert_eq!(
        decide_place_hold(&good_reader(), &no_holds, &[], 0)
            .unwrap_err()
            .code,
        RefusalCode::HoldsNotAllowed
    );

    let mut blocked_reader = good_reader();
    blocked_reader.blocks.push(BlockState {
        kind: BlockKind::LostCopy,
        reason: "lost".into(),
    });
    assert_eq!(
        decide_place_hold(&blocked_reader, &values, &[], 0)
            .unwrap_err()
            .code,
        RefusalCode::ReaderBlocked
    );
    let archived = ReaderState {
        status: ReaderStatus::Archived,
        ..good_reader()
    };
    assert_eq!(
        decide_place_hold(&archived, &values, &[], 0)
            .unwrap_err()
            .code,
        RefusalCode::ReaderNotActive
    );
}

fn arb_holds() -> impl Strategy<Value = Vec<HoldState>> {
    let one = (1u32..5, 0u32..4, 0usize..6, proptest::option::of(10u32..12));
    proptest::collection::vec(one, 0..10).prop_map(|specs| {
        specs
            .into_iter()
            .enumerate()
            .map(|(i, (day, pickup, status, copy))| HoldState {
                status: HoldStatus::ALL[status],
                copy: copy.map(copy_id),
                ..hold(u32::try_from(i).unwrap() + 1, at(day, 9), pickup)
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn the_trapped_hold_is_the_first_servable_and_order_free(
        (holds, shuffled) in arb_holds().prop_flat_map(|h| (Just(h.clone()), Just(h).prop_shuffle())),
        library in 0u32..4,
    ) {
        let copy = returned_at(library);
        let got = trap(&copy, &holds);
        prop_assert_eq!(got, trap(&copy, &shuffled));
        let chosen = match got {
            TrapDecision::None => None,
            TrapDecision::HoldShelf { hold } => Some(hold),
            TrapDecision::Transfer(t) => match t.reason {
                TransferReason::Hold(hold) => Some(hold),
                TransferReason::ReturnHome => None,
            },
        };
        let servable: Vec<&HoldState> = holds.iter().filter(|h| h.can_be_served_by(&copy)).collect();
        match chosen {
            None => prop_assert!(servable.is_empty()),
            Some(id) => {
                let winner = servable.iter().find(|h| h.id == id).unwrap();
                prop_assert!(servable.iter().all(|h| (h.placed_at, h.id) >= (winner.placed_at, winner.id)));
                let at_pickup = winner.pickup == copy.at_library;
                prop_assert_eq!(at_pickup, matches!(got, TrapDecision::HoldShelf { .. }));
            }
        }
    }
}
