use super::*;
use crate::testutil::{act, branch, copy, hold, reader, selection};

/// Copy 1 of library 1 on its shelf.
fn fresh() -> CopyPosition {
    CopyPosition::on_shelf(copy(1), branch(1))
}

/// Applies and checks the invariants of the result.
fn ok(pos: &CopyPosition, op: Op) -> CopyPosition {
    let next = apply(pos, &op).unwrap_or_else(|r| panic!("{op:?} refused: {r}"));
    next.check()
        .unwrap_or_else(|v| panic!("{op:?} broke an invariant: {v}"));
    next
}

fn refused(pos: &CopyPosition, op: Op) -> RefusedCode {
    match apply(pos, &op) {
        Ok(next) => panic!("{op:?} allowed: {next:?}"),
        Err(refusal) => {
            assert!(!refusal.detail.is_empty());
            refusal.code
        }
    }
}

fn on_loan(pos: &CopyPosition, at: u32, r: u32) -> CopyPosition {
    ok(
        pos,
        Op::Checkout {
            at: branch(at),
            reader: reader(r),
        },
    )
}

fn shelf(at: u32) -> Place {
    Place::Shelf { at: branch(at) }
}

fn transit(from: u32, to: u32, reason: TransitReason) -> Place {
    Place::InTransit {
        from: branch(from),
        to: branch(to),
        reason,
    }
}

fn hold_shelf(at: u32, h: u32, r: u32) -> Place {
    Place::HoldShelf {
        at: branch(at),
        hold: hold(h),
        reader: reader(r),
    }
}

fn trap(pos: &CopyPosition, at: u32, h: u32, r: u32, pickup: u32) -> Result<CopyPosition, Refused> {
    apply(
        pos,
        &Op::Trap {
            at: branch(at),
            hold: hold(h),
            reader: reader(r),
            pickup: branch(pickup),
        },
    )
}

fn receive(at: u32, r: Option<u32>) -> Op {
    Op::Receive {
        at: branch(at),
        for_reader: r.map(reader),
    }
}

fn request(to: u32, reason: TransitReason) -> Op {
    Op::Request {
        to: branch(to),
        reason,
    }
}

/// Copy 1 of library 1 lent in selection 1 to library 2, on its shelf there.
fn lent_to_2() -> CopyPosition {
    let pending = ok(&fresh(), request(2, TransitReason::Selection(selection(1))));
    let sent = ok(&pending, Op::Dispatch { at: branch(1) });
    ok(&sent, receive(2, None))
}

// --- codes ---

#[test]
fn codes_name_the_place_and_the_reason() {
    assert_eq!(shelf(1).code(), "shelf");
    assert_eq!(hold_shelf(1, 1, 1).code(), "hold_shelf");
    assert_eq!(
        transit(1, 2, TransitReason::ReturnHome).code(),
        "in_transit"
    );
    let codes: Vec<&str> = [
        TransitReason::Hold(hold(1)),
        TransitReason::HoldCancelled,
        TransitReason::ReturnHome,
        TransitReason::Selection(selection(1)),
        TransitReason::SelectionReturn(selection(1)),
        TransitReason::Redistribution(act(1)),
    ]
    .iter()
    .map(TransitReason::code)
    .collect();
    assert_eq!(
        codes,
        [
            "hold",
            "hold_cancelled",
            "return_home",
            "selection",
            "selection_return",
            "redistribution"
        ]
    );
}

// --- checkout ---

#[test]
fn checkout_from_any_shelf_lends_at_the_desk() {
    let lent = on_loan(&fresh(), 1, 7);
    assert_eq!(
        lent.place,
        Place::OnLoan {
            from: branch(1),
            reader: reader(7)
        }
    );
    // Found at another library's desk: the scan proves it is there.
    let elsewhere = on_loan(&fresh(), 3, 7);
    assert_eq!(
        elsewhere.place,
        Place::OnLoan {
            from: branch(3),
            reader: reader(7)
        }
    );
    assert_eq!(elsewhere.base, branch(1));
}

#[test]
fn checkout_is_refused_for_a_copy_that_is_not_free() {
    let op = Op::Checkout {
        at: branch(1),
        reader: reader(8),
    };
    assert_eq!(refused(&on_loan(&fresh(), 1, 7), op), RefusedCode::OnLoan);
    let requested = ok(&fresh(), request(2, TransitReason::Hold(hold(1))));
    assert_eq!(refused(&requested, op), RefusedCode::RequestedForTransfer);
    let sent = trap(&fresh(), 1, 1, 7, 2).unwrap();
    assert_eq!(refused(&sent, op), RefusedCode::InTransit);
}

#[test]
fn checkout_from_the_hold_shelf_only_by_its_reader_at_its_library() {
    let waiting = trap(&fresh(), 1, 1, 7, 1).unwrap();
    assert_eq!(waiting.place, hold_shelf(1, 1, 7));
    let at_2 = Op::Checkout {
        at: branch(2),
        reader: reader(7),
    };
    assert_eq!(refused(&waiting, at_2), RefusedCode::NotAtThisLibrary);
    let lent = on_loan(&waiting, 1, 7);
    assert_eq!(
        lent.place,
        Place::OnLoan {
            from: branch(1),
            reader: reader(7)
        }
    );
}

// --- return ---

#[test]
fn return_at_the_base_shelves_it() {
    let back = ok(
        &on_loan(&fresh(), 1, 7),
        Op::Return {
            at: branch(1),
            floats: false,
        },
    );
    assert_eq!(back, fresh());
}

#[test]
fn return_elsewhere_sends_it_home_unless_it_floats() {
    let lent = on_loan(&fresh(), 1, 7);
    let home = ok(
        &lent,
        Op::Return {
            at: branch(2),
            floats: false,
        },
    );
    assert_eq!(home.place, transit(2, 1, TransitReason::ReturnHome));
    assert_eq!(ok(&home, receive(1, None)), fresh());
    let floated = ok(
        &lent,
        Op::Return {
            at: branch(2),
            floats: true,
        },
    );
    assert_eq!(floated.place, shelf(2));
    assert_eq!((floated.home, floated.base), (branch(1), branch(2)));
    // Its next non-floating return goes to the library it floated to.
    let again = on_loan(&floated, 2, 8);
    let to_2 = ok(
        &again,
        Op::Return {
            at: branch(3),
            floats: false,
        },
    );
    assert_eq!(to_2.place, transit(3, 2, TransitReason::ReturnHome));
}

#[test]
fn a_lent_copy_returns_to_the_library_it_is_lent_to_even_when_floating() {
    let loaned = on_loan(&lent_to_2(), 2, 7);
    let back = ok(
        &loaned,
        Op::Return {
            at: branch(3),
            floats: true,
        },
    );
    assert_eq!(back.place, transit(3, 2, TransitReason::ReturnHome));
    assert_eq!(back.base, branch(2));
    let here = ok(
        &loaned,
        Op::Return {
            at: branch(2),
            floats: false,
        },
    );
    assert_eq!(here.place, shelf(2));
}

#[test]
fn return_of_a_copy_not_on_loan_is_refused() {
    let op = Op::Return {
        at: branch(1),
        floats: false,
    };
    assert_eq!(refused(&fresh(), op), RefusedCode::NotOnLoan);
    let waiting = trap(&fresh(), 1, 1, 7, 1).unwrap();
    assert_eq!(refused(&waiting, op), RefusedCode::NotOnLoan);
}

// --- trap ---

#[test]
fn trap_puts_it_on_the_hold_shelf_or_sends_it_to_the_pickup() {
    assert_eq!(
        trap(&fresh(), 1, 1, 7, 1).unwrap().place,
        hold_shelf(1, 1, 7)
    );
    let sent = trap(&fresh(), 1, 1, 7, 3).unwrap();
    assert_eq!(sent.place, transit(1, 3, TransitReason::Hold(hold(1))));
    sent.check().unwrap();
}

#[test]
fn trap_needs_a_free_copy_in_hand() {
    assert_eq!(
        trap(&fresh(), 2, 1, 7, 2).unwrap_err().code,
        RefusedCode::NotAtThisLibrary
    );
    let requested = ok(&fresh(), request(2, TransitReason::Hold(hold(2))));
    assert_eq!(
        trap(&requested, 1, 1, 7, 1).unwrap_err().code,
        RefusedCode::RequestedForTransfer
    );
    let waiting = trap(&fresh(), 1, 1, 7, 1).unwrap();
    assert_eq!(
        trap(&waiting, 1, 2, 8, 1).unwrap_err().code,
        RefusedCode::OnHoldShelf
    );
    assert_eq!(
        trap(&on_loan(&fresh(), 1, 7), 1, 2, 8, 1).unwrap_err().code,
        RefusedCode::OnLoan
    );
}

#[test]
fn trap_catches_a_copy_before_it_leaves_the_desk() {
    // Returned at 2, on its way home to 1: a hold at 3 catches it at 2.
    let away = ok(
        &on_loan(&fresh(), 2, 7),
        Op::Return {
            at: branch(2),
            floats: false,
        },
    );
    assert_eq!(away.place, transit(2, 1, TransitReason::ReturnHome));
    let caught = ok(
        &away,
        Op::Trap {
            at: branch(2),
            hold: hold(1),
            reader: reader(8),
            pickup: branch(3),
        },
    );
    assert_eq!(caught.place, transit(2, 3, TransitReason::Hold(hold(1))));
    let here = ok(
        &away,
        Op::Trap {
            at: branch(2),
            hold: hold(1),
            reader: reader(8),
            pickup: branch(2),
        },
    );
    assert_eq!(here.place, hold_shelf(2, 1, 8));
    // Only where it is: another library cannot catch it.
    assert_eq!(
        trap(&away, 3, 1, 8, 3).unwrap_err().code,
        RefusedCode::InTransit
    );
}

// --- request, cancel request, dispatch ---

#[test]
fn request_puts_it_on_the_pick_list_and_dispatch_sends_it() {
    let reason = TransitReason::Hold(hold(1));
    let pending = ok(&fresh(), request(2, reason));
    assert_eq!(pending.place, shelf(1));
    assert_eq!(
        pending.pending,
        Some(Pending {
            to: branch(2),
            reason
        })
    );
    assert_eq!(
        refused(&pending, request(3, reason)),
        RefusedCode::AlreadyRequested
    );
    assert_eq!(
        refused(&pending, Op::Dispatch { at: branch(2) }),
        RefusedCode::NotAtThisLibrary
    );
    let sent = ok(&pending, Op::Dispatch { at: branch(1) });
    assert_eq!(sent.place, transit(1, 2, reason));
    assert_eq!(sent.pending, None);
    assert_eq!(ok(&pending, Op::CancelRequest), fresh());
}

#[test]
fn request_refusals() {
    let hold_1 = TransitReason::Hold(hold(1));
    assert_eq!(
        refused(&fresh(), request(1, hold_1)),
        RefusedCode::SameLibrary
    );
    for reason in [
        TransitReason::ReturnHome,
        TransitReason::HoldCancelled,
        TransitReason::SelectionReturn(selection(1)),
    ] {
        assert_eq!(
            refused(&fresh(), request(2, reason)),
            RefusedCode::NotRequestable
        );
    }
    assert_eq!(
        refused(&on_loan(&fresh(), 1, 7), request(2, hold_1)),
        RefusedCode::OnLoan
    );
    let lent = lent_to_2();
    assert_eq!(
        refused(&lent, request(3, TransitReason::Selection(selection(2)))),
        RefusedCode::AlreadyLent
    );
    assert_eq!(
        refused(&lent, request(3, TransitReason::Redistribution(act(1)))),
        RefusedCode::LentElsewhere
    );
    // A lent copy may still serve a hold elsewhere.
    ok(&lent, request(3, hold_1));
    // A floated copy cannot be "lent" to the library that owns it.
    let floated = ok(
        &on_loan(&fresh(), 1, 7),
        Op::Return {
            at: branch(2),
            floats: true,
        },
    );
    assert_eq!(
        refused(&floated, request(1, TransitReason::Selection(selection(1)))),
        RefusedCode::SelectionToHome
    );
}

#[test]
fn cancel_request_and_dispatch_without_a_request_are_refused() {
    assert_eq!(refused(&fresh(), Op::CancelRequest), RefusedCode::NoRequest);
    assert_eq!(
        refused(&fresh(), Op::Dispatch { at: branch(1) }),
        RefusedCode::NoRequest
    );
    assert_eq!(
        refused(&on_loan(&fresh(), 1, 7), Op::Dispatch { at: branch(1) }),
        RefusedCode::OnLoan
    );
}

// --- receive ---

#[test]
fn receive_only_at_the_destination() {
    let sent = ok(
        &on_loan(&fresh(), 1, 7),
        Op::Return {
            at: branch(2),
            floats: false,
        },
    );
    let wrong = apply(&sent, &receive(3, None)).unwrap_err();
    assert_eq!(wrong.code, RefusedCode::WrongDestination);
    assert!(wrong.detail.contains(&branch(1).to_string()));
    assert_eq!(
        refused(&fresh(), receive(1, None)),
        RefusedCode::NotInTransit
    );
}

#[test]
fn receive_for_a_hold_needs_the_hold_reader() {
    let sent = trap(&fresh(), 1, 1, 7, 2).unwrap();
    assert_eq!(refused(&sent, receive(2, None)), RefusedCode::HoldMismatch);
    assert_eq!(ok(&sent, receive(2, Some(7))).place, hold_shelf(2, 1, 7));
}

#[test]
fn receive_of_a_redistributed_copy_changes_its_owner() {
    let pending = ok(
        &fresh(),
        Op::Redistribute {
            act: act(1),
            to: branch(3),
        },
    );
    assert_eq!(
        pending.pending,
        Some(Pending {
            to: branch(3),
            reason: TransitReason::Redistribution(act(1))
        })
    );
    let sent = ok(&pending, Op::Dispatch { at: branch(1) });
    assert_eq!(sent.home, branch(1));
    let given = ok(&sent, receive(3, None));
    assert_eq!(given, CopyPosition::on_shelf(copy(1), branch(3)));
}

#[test]
fn a_copy_for_a_cancelled_hold_goes_on_to_its_base() {
    let sent = trap(&fresh(), 1, 1, 7, 2).unwrap();
    let cancelled = ok(&sent, Op::CancelHold { hold: hold(1) });
    assert_eq!(cancelled.place, transit(1, 2, TransitReason::HoldCancelled));
    let arrived = ok(&cancelled, receive(2, None));
    assert_eq!(arrived.place, transit(2, 1, TransitReason::ReturnHome));
    assert_eq!(ok(&arrived, receive(1, None)), fresh());
    // A floated copy goes on to the library it floated to, not home.
    let floated = ok(
        &on_loan(&fresh(), 1, 7),
        Op::Return {
            at: branch(2),
            floats: true,
        },
    );
    let out = trap(&floated, 2, 2, 8, 3).unwrap();
    let back = ok(
        &ok(&out, Op::CancelHold { hold: hold(2) }),
        receive(3, None),
    );
    assert_eq!(back.place, transit(3, 2, TransitReason::ReturnHome));
    assert_eq!(ok(&back, receive(2, None)).place, shelf(2));
}

// --- cancel hold ---

#[test]
fn cancel_hold_on_the_hold_shelf_frees_the_copy_where_it_belongs() {
    let waiting = trap(&fresh(), 1, 1, 7, 1).unwrap();
    assert_eq!(ok(&waiting, Op::CancelHold { hold: hold(1) }), fresh());
    let away = ok(&trap(&fresh(), 1, 1, 7, 2).unwrap(), receive(2, Some(7)));
    let going_home = ok(&away, Op::CancelHold { hold: hold(1) });
    assert_eq!(going_home.place, transit(2, 1, TransitReason::ReturnHome));
}

#[test]
fn cancel_hold_of_another_hold_is_refused() {
    let waiting = trap(&fresh(), 1, 1, 7, 1).unwrap();
    assert_eq!(
        refused(&waiting, Op::CancelHold { hold: hold(2) }),
        RefusedCode::HoldMismatch
    );
    assert_eq!(
        refused(&fresh(), Op::CancelHold { hold: hold(1) }),
        RefusedCode::HoldMismatch
    );
    let home = ok(
        &on_loan(&fresh(), 1, 7),
        Op::Return {
            at: branch(2),
            floats: false,
        },
    );
    assert_eq!(
        refused(&home, Op::CancelHold { hold: hold(1) }),
        RefusedCode::HoldMismatch
    );
}

// --- selections ---

#[test]
fn a_selection_lends_the_copy_and_brings_it_back() {
    let lent = lent_to_2();
    assert_eq!(lent.place, shelf(2));
    assert_eq!(
        lent.lent,
        Some(Lending {
            selection: selection(1),
            library: branch(2)
        })
    );
    assert_eq!((lent.home, lent.base), (branch(1), branch(2)));
    let back = ok(
        &lent,
        Op::ReturnSelection {
            selection: selection(1),
        },
    );
    assert_eq!(
        back.place,
        transit(2, 1, TransitReason::SelectionReturn(selection(1)))
    );
    assert_eq!((back.lent, back.base), (None, branch(1)));
    assert_eq!(ok(&back, receive(1, None)), fresh());
}

#[test]
fn a_selection_copy_on_loan_goes_home_when_returned() {
    let loaned = on_loan(&lent_to_2(), 2, 7);
    let ended = ok(
        &loaned,
        Op::ReturnSelection {
            selection: selection(1),
        },
    );
    assert_eq!(ended.place, loaned.place);
    assert_eq!((ended.lent, ended.base), (None, branch(1)));
    let returned = ok(
        &ended,
        Op::Return {
            at: branch(2),
            floats: false,
        },
    );
    assert_eq!(returned.place, transit(2, 1, TransitReason::ReturnHome));
}

#[test]
fn return_selection_refusals() {
    let op = Op::ReturnSelection {
        selection: selection(1),
    };
    assert_eq!(refused(&fresh(), op), RefusedCode::NotLent);
    let lent = lent_to_2();
    assert_eq!(
        refused(
            &lent,
            Op::ReturnSelection {
                selection: selection(2)
            }
        ),
        RefusedCode::NotLent
    );
    let requested = ok(&lent, request(3, TransitReason::Hold(hold(1))));
    assert_eq!(refused(&requested, op), RefusedCode::RequestedForTransfer);
    let travelling = trap(&lent, 2, 1, 7, 3).unwrap();
    assert_eq!(refused(&travelling, op), RefusedCode::InTransit);
}

// --- redistribution ---

#[test]
fn redistribute_to_the_library_it_stands_at_is_immediate() {
    let floated = ok(
        &on_loan(&fresh(), 1, 7),
        Op::Return {
            at: branch(2),
            floats: true,
        },
    );
    let given = ok(
        &floated,
        Op::Redistribute {
            act: act(1),
            to: branch(2),
        },
    );
    assert_eq!(given, CopyPosition::on_shelf(copy(1), branch(2)));
}

#[test]
fn redistribute_refusals() {
    let op = Op::Redistribute {
        act: act(1),
        to: branch(3),
    };
    assert_eq!(refused(&lent_to_2(), op), RefusedCode::LentElsewhere);
    assert_eq!(refused(&on_loan(&fresh(), 1, 7), op), RefusedCode::OnLoan);
    let requested = ok(&fresh(), request(2, TransitReason::Hold(hold(1))));
    assert_eq!(refused(&requested, op), RefusedCode::RequestedForTransfer);
}

// --- Koha's transfer bugs, at the pure level ---

/// Koha let a copy in transit be issued, leaving the open transfer behind.
#[test]
fn koha_checkout_mid_transfer() {
    let travelling = ok(
        &on_loan(&fresh(), 1, 7),
        Op::Return {
            at: branch(2),
            floats: false,
        },
    );
    let at_destination = Op::Checkout {
        at: branch(1),
        reader: reader(8),
    };
    assert_eq!(refused(&travelling, at_destination), RefusedCode::InTransit);
    let received = ok(&travelling, receive(1, None));
    let lent = ok(&received, at_destination);
    assert_eq!(
        lent.place,
        Place::OnLoan {
            from: branch(1),
            reader: reader(8)
        }
    );
    assert_eq!(lent.pending, None);
}

/// Koha sent a received transfer straight back to the home branch.
#[test]
fn koha_received_transfer_not_sent_back_home() {
    // For a hold: on the hold shelf of the pickup library.
    let for_hold = ok(&trap(&fresh(), 1, 1, 7, 2).unwrap(), receive(2, Some(7)));
    assert_eq!(for_hold.place, hold_shelf(2, 1, 7));
    // For a selection: on the shelf of the library it is lent to.
    let selection_copy = lent_to_2();
    assert_eq!(selection_copy.place, shelf(2));
    assert_eq!(selection_copy.lent.map(|l| l.library), Some(branch(2)));
    // A floating return: on the shelf where it was returned.
    let floated = ok(
        &on_loan(&fresh(), 1, 7),
        Op::Return {
            at: branch(3),
            floats: true,
        },
    );
    assert_eq!(floated.place, shelf(3));
    for pos in [for_hold, selection_copy, floated] {
        assert!(!matches!(pos.place, Place::InTransit { .. }), "{pos:?}");
        assert_eq!(pos.pending, None);
    }
}

/// Koha could show one item both issued and as a found (waiting) reserve.
#[test]
fn koha_item_both_on_loan_and_on_hold() {
    let waiting = trap(&fresh(), 1, 1, 7, 1).unwrap();
    let by_b = Op::Checkout {
        at: branch(1),
        reader: reader(8),
    };
    assert_eq!(refused(&waiting, by_b), RefusedCode::OnHoldForAnother);
    let by_a = on_loan(&waiting, 1, 7);
    assert_eq!(
        by_a.place,
        Place::OnLoan {
            from: branch(1),
            reader: reader(7)
        }
    );
    assert!(!matches!(by_a.place, Place::HoldShelf { .. }));
    // The loan ended, the old hold has nothing to cancel.
    assert_eq!(
        refused(&by_a, Op::CancelHold { hold: hold(1) }),
        RefusedCode::HoldMismatch
    );
}
