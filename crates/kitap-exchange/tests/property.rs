//! A whole system of libraries, readers and holds driven by random desks.
//!
//! The world below is the application in miniature: it keeps its own books
//! (holds, loans, pick-list orders, selections, owners), changes a copy's
//! position only through [`apply`], and updates its books from what it
//! asked for — never by reading the answer back. After every step the
//! books and the positions must tell the same story, and every position
//! must pass its invariants. Thousands of random sequences look for the
//! combination that Koha's transfer bugs were made of.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::collections::HashMap;

use kitap_domain::{BranchId, CopyId, HoldId, ReaderId, SelectionId, TransferActId};
use kitap_exchange::{
    apply, choose_source, CopyPosition, Distances, Op, Pending, Place, RefusedCode,
    SourceCandidate, TransitReason,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const CASES: u32 = 4000;
const MAX_STEPS: usize = 40;

fn id<T: std::str::FromStr>(n: usize) -> T
where
    T::Err: std::fmt::Debug,
{
    format!("01900000-0000-7000-8000-{n:012}").parse().unwrap()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HoldStatus {
    Waiting,
    InTransit,
    Ready,
    Fulfilled,
    Cancelled,
}

#[derive(Debug, Clone)]
struct Hold {
    id: HoldId,
    reader: ReaderId,
    pickup: BranchId,
    status: HoldStatus,
    /// Waiting: the copy requested for it (on a pick list), if any;
    /// in transit or ready: the copy trapped for it.
    copy: Option<CopyId>,
}

/// A transit the world asked for (a pick-list request or a trap elsewhere).
#[derive(Debug, Clone, Copy)]
struct Order {
    to: BranchId,
    reason: TransitReason,
    dispatched: bool,
}

/// One random step; indices are taken modulo what exists.
#[derive(Debug, Clone)]
enum Action {
    Checkout {
        copy: u8,
        reader: u8,
        lib: u8,
    },
    PickUp {
        hold: u8,
    },
    Return {
        copy: u8,
        lib: u8,
        floats: bool,
    },
    PlaceHold {
        reader: u8,
        pickup: u8,
        direct: bool,
    },
    Serve {
        direct: bool,
    },
    Dispatch {
        copy: u8,
        lib: u8,
        exact: bool,
    },
    Receive {
        copy: u8,
        lib: u8,
        exact: bool,
    },
    CancelHold {
        hold: u8,
    },
    CancelRequest {
        copy: u8,
    },
    LendSelection {
        copy: u8,
        lib: u8,
    },
    ReturnSelection {
        copy: u8,
        wrong: bool,
    },
    Redistribute {
        copy: u8,
        lib: u8,
    },
}

fn action() -> impl Strategy<Value = Action> {
    let n = any::<u8>;
    prop_oneof![
        3 => (n(), n(), n()).prop_map(|(copy, reader, lib)| Action::Checkout { copy, reader, lib }),
        2 => n().prop_map(|hold| Action::PickUp { hold }),
        3 => (n(), n(), any::<bool>()).prop_map(|(copy, lib, floats)| Action::Return { copy, lib, floats }),
        3 => (n(), n(), any::<bool>()).prop_map(|(reader, pickup, direct)| Action::PlaceHold { reader, pickup, direct }),
        1 => any::<bool>().prop_map(|direct| Action::Serve { direct }),
        3 => (n(), n(), prop::bool::weighted(0.8)).prop_map(|(copy, lib, exact)| Action::Dispatch { copy, lib, exact }),
        4 => (n(), n(), prop::bool::weighted(0.8)).prop_map(|(copy, lib, exact)| Action::Receive { copy, lib, exact }),
        1 => n().prop_map(|hold| Action::CancelHold { hold }),
        1 => n().prop_map(|copy| Action::CancelRequest { copy }),
        2 => (n(), n()).prop_map(|(copy, lib)| Action::LendSelection { copy, lib }),
        1 => (n(), prop::bool::weighted(0.2)).prop_map(|(copy, wrong)| Action::ReturnSelection { copy, wrong }),
        1 => (n(), n()).prop_map(|(copy, lib)| Action::Redistribute { copy, lib }),
    ]
}

#[derive(Debug, Clone)]
struct Scenario {
    libraries: usize,
    homes: Vec<u8>,
    readers: usize,
    actions: Vec<Action>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        3usize..=5,
        prop::collection::vec(any::<u8>(), 2..=6),
        0usize..=4,
        prop::collection::vec(action(), 0..=MAX_STEPS),
    )
        .prop_map(|(libraries, homes, readers, actions)| Scenario {
            libraries,
            homes,
            readers,
            actions,
        })
}

/// What the runs did, to show the world really got around.
#[derive(Debug, Default)]
struct Tally {
    steps: usize,
    applied: HashMap<&'static str, usize>,
    refused: HashMap<&'static str, usize>,
    holds_fulfilled: usize,
    holds_ready: usize,
    selections_received: usize,
    redistributed: usize,
}

fn op_name(op: &Op) -> &'static str {
    match op {
        Op::Checkout { .. } => "checkout",
        Op::Return { .. } => "return",
        Op::Trap { .. } => "trap",
        Op::Request { .. } => "request",
        Op::CancelRequest => "cancel_request",
        Op::Dispatch { .. } => "dispatch",
        Op::Receive { .. } => "receive",
        Op::CancelHold { .. } => "cancel_hold",
        Op::ReturnSelection { .. } => "return_selection",
        Op::Redistribute { .. } => "redistribute",
    }
}

struct World<'t> {
    libraries: Vec<BranchId>,
    readers: Vec<ReaderId>,
    positions: Vec<CopyPosition>,
    homes: Vec<BranchId>,
    holds: Vec<Hold>,
    loans: HashMap<CopyId, ReaderId>,
    orders: HashMap<CopyId, Order>,
    lent: HashMap<CopyId, (SelectionId, BranchId)>,
    next_id: usize,
    tally: &'t RefCell<Tally>,
}

impl<'t> World<'t> {
    fn new(s: &Scenario, tally: &'t RefCell<Tally>) -> Self {
        let libraries: Vec<BranchId> = (1..=s.libraries).map(id).collect();
        let homes: Vec<BranchId> = s
            .homes
            .iter()
            .map(|h| libraries[usize::from(*h) % libraries.len()])
            .collect();
        let positions = homes
            .iter()
            .enumerate()
            .map(|(i, home)| CopyPosition::on_shelf(id(100 + i), *home))
            .collect();
        Self {
            libraries,
            readers: (1..=s.readers).map(|n| id(200 + n)).collect(),
            positions,
            homes,
            holds: Vec::new(),
            loans: HashMap::new(),
            orders: HashMap::new(),
            lent: HashMap::new(),
            next_id: 1000,
            tally,
        }
    }

    fn fresh<T: std::str::FromStr>(&mut self) -> T
    where
        T::Err: std::fmt::Debug,
    {
        self.next_id += 1;
        id(self.next_id)
    }

    fn lib(&self, n: u8) -> BranchId {
        self.libraries[usize::from(n) % self.libraries.len()]
    }

    fn copy_index(&self, n: u8) -> usize {
        usize::from(n) % self.positions.len()
    }

    /// The `n`th copy of those `wanted`, or of all when none is: desks act
    /// on the copies in front of them far more often than at random.
    fn pick(&self, n: u8, wanted: impl Fn(&CopyPosition) -> bool) -> usize {
        let matching: Vec<usize> = (0..self.positions.len())
            .filter(|i| wanted(&self.positions[*i]))
            .collect();
        if matching.is_empty() {
            self.copy_index(n)
        } else {
            matching[usize::from(n) % matching.len()]
        }
    }

    /// Applies through `apply` only; a refusal must leave the position as it was.
    fn apply(&mut self, i: usize, op: Op) -> bool {
        let before = self.positions[i];
        let result = apply(&before, &op);
        let mut tally = self.tally.borrow_mut();
        match result {
            Ok(next) => {
                *tally.applied.entry(op_name(&op)).or_default() += 1;
                self.positions[i] = next;
                true
            }
            Err(refusal) => {
                *tally.refused.entry(op_name(&op)).or_default() += 1;
                assert!(!refusal.detail.is_empty());
                assert_eq!(
                    self.positions[i], before,
                    "a refused {op:?} changed the copy"
                );
                false
            }
        }
    }

    fn hold_by_copy(&self, copy: CopyId, status: HoldStatus) -> Option<usize> {
        self.holds
            .iter()
            .position(|h| h.status == status && h.copy == Some(copy))
    }

    fn step(&mut self, action: &Action) {
        self.tally.borrow_mut().steps += 1;
        match *action {
            Action::Checkout { copy, reader, lib } => {
                if self.readers.is_empty() {
                    return;
                }
                let reader = self.readers[usize::from(reader) % self.readers.len()];
                let at = self.lib(lib);
                self.checkout(self.copy_index(copy), at, reader);
            }
            Action::PickUp { hold } => {
                if self.holds.is_empty() {
                    return;
                }
                let h = &self.holds[usize::from(hold) % self.holds.len()];
                if let (HoldStatus::Ready, Some(copy)) = (h.status, h.copy) {
                    let (at, reader) = (h.pickup, h.reader);
                    if let Some(i) = self.positions.iter().position(|p| p.copy == copy) {
                        let done = self.checkout(i, at, reader);
                        assert!(done, "the hold's reader could not pick up the copy");
                    }
                }
            }
            Action::Return { copy, lib, floats } => {
                let i = self.copy_index(copy);
                let at = self.lib(lib);
                if self.apply(i, Op::Return { at, floats }) {
                    let had = self.loans.remove(&self.positions[i].copy);
                    assert!(had.is_some(), "returned a copy nobody had");
                }
            }
            Action::PlaceHold {
                reader,
                pickup,
                direct,
            } => {
                if self.readers.is_empty() {
                    return;
                }
                let hold = Hold {
                    id: self.fresh(),
                    reader: self.readers[usize::from(reader) % self.readers.len()],
                    pickup: self.lib(pickup),
                    status: HoldStatus::Waiting,
                    copy: None,
                };
                self.holds.push(hold);
                self.serve(self.holds.len() - 1, direct);
            }
            Action::Serve { direct } => {
                for h in 0..self.holds.len() {
                    if self.holds[h].status == HoldStatus::Waiting && self.holds[h].copy.is_none() {
                        self.serve(h, direct);
                    }
                }
            }
            Action::Dispatch { copy, lib, exact } => {
                let i = match exact {
                    true => self.pick(copy, |p| p.pending.is_some()),
                    false => self.copy_index(copy),
                };
                let at = match (exact, self.positions[i].place) {
                    (true, Place::Shelf { at }) => at,
                    _ => self.lib(lib),
                };
                if self.apply(i, Op::Dispatch { at }) {
                    let c = self.positions[i].copy;
                    let order = self.orders.get_mut(&c);
                    let order = order.unwrap_or_else(|| panic!("dispatched {c} nobody ordered"));
                    assert!(!order.dispatched, "dispatched twice");
                    order.dispatched = true;
                    if let Some(h) = self.hold_by_copy(c, HoldStatus::Waiting) {
                        self.holds[h].status = HoldStatus::InTransit;
                    }
                }
            }
            Action::Receive { copy, lib, exact } => {
                let i = match exact {
                    true => self.pick(copy, |p| matches!(p.place, Place::InTransit { .. })),
                    false => self.copy_index(copy),
                };
                let at = match (exact, self.positions[i].place) {
                    (true, Place::InTransit { to, .. }) => to,
                    _ => self.lib(lib),
                };
                let c = self.positions[i].copy;
                let hold = self.hold_by_copy(c, HoldStatus::InTransit);
                let for_reader = hold.map(|h| self.holds[h].reader);
                if self.apply(i, Op::Receive { at, for_reader }) {
                    if let Some(order) = self.orders.remove(&c) {
                        assert!(order.dispatched && order.to == at);
                        match order.reason {
                            TransitReason::Hold(h) => {
                                let k = hold.unwrap_or_else(|| panic!("no hold for {c}"));
                                assert_eq!(self.holds[k].id, h);
                                self.holds[k].status = HoldStatus::Ready;
                                self.tally.borrow_mut().holds_ready += 1;
                            }
                            TransitReason::Selection(s) => {
                                self.lent.insert(c, (s, at));
                                self.tally.borrow_mut().selections_received += 1;
                            }
                            TransitReason::Redistribution(_) => {
                                self.homes[i] = at;
                                self.tally.borrow_mut().redistributed += 1;
                            }
                            other => panic!("the world never orders {other:?}"),
                        }
                    }
                }
            }
            Action::CancelHold { hold } => {
                if !self.holds.is_empty() {
                    self.cancel_hold(usize::from(hold) % self.holds.len());
                }
            }
            Action::CancelRequest { copy } => {
                let i = self.copy_index(copy);
                if self.apply(i, Op::CancelRequest) {
                    let c = self.positions[i].copy;
                    let order = self.orders.remove(&c);
                    assert!(order.is_some_and(|o| !o.dispatched));
                    if let Some(h) = self.hold_by_copy(c, HoldStatus::Waiting) {
                        self.holds[h].copy = None;
                    }
                }
            }
            Action::LendSelection { copy, lib } => {
                // Selections are drawn from copies on their home shelf.
                let i = self.pick(copy, |p| {
                    p.place == Place::Shelf { at: p.home } && p.pending.is_none()
                });
                let to = self.lib(lib);
                let reason = TransitReason::Selection(self.fresh());
                if self.apply(i, Op::Request { to, reason }) {
                    self.order(i, to, reason, false);
                }
            }
            Action::ReturnSelection { copy, wrong } => {
                let i = self.pick(copy, |p| p.lent.is_some());
                let c = self.positions[i].copy;
                let selection = match self.lent.get(&c) {
                    Some((s, _)) if !wrong => *s,
                    _ => self.fresh(),
                };
                if self.apply(i, Op::ReturnSelection { selection }) {
                    let was = self.lent.remove(&c);
                    assert_eq!(was.map(|(s, _)| s), Some(selection));
                }
            }
            Action::Redistribute { copy, lib } => {
                let i = self.copy_index(copy);
                let to = self.lib(lib);
                let act: TransferActId = self.fresh();
                let immediate = self.positions[i].place == Place::Shelf { at: to };
                if self.apply(i, Op::Redistribute { act, to }) {
                    if immediate {
                        self.homes[i] = to;
                        self.tally.borrow_mut().redistributed += 1;
                    } else {
                        self.order(i, to, TransitReason::Redistribution(act), false);
                    }
                }
            }
        }
    }

    fn order(&mut self, i: usize, to: BranchId, reason: TransitReason, dispatched: bool) {
        let previous = self.orders.insert(
            self.positions[i].copy,
            Order {
                to,
                reason,
                dispatched,
            },
        );
        assert!(previous.is_none(), "two orders for one copy");
    }

    fn checkout(&mut self, i: usize, at: BranchId, reader: ReaderId) -> bool {
        if !self.apply(i, Op::Checkout { at, reader }) {
            return false;
        }
        let c = self.positions[i].copy;
        if let Some(h) = self.hold_by_copy(c, HoldStatus::Ready) {
            assert_eq!(self.holds[h].reader, reader, "lent to another reader");
            self.holds[h].status = HoldStatus::Fulfilled;
            self.holds[h].copy = None;
            self.tally.borrow_mut().holds_fulfilled += 1;
        }
        let previous = self.loans.insert(c, reader);
        assert!(previous.is_none(), "lent twice");
        true
    }

    /// Gives a waiting hold the nearest free copy: trapped when it is at the
    /// pickup (or `direct`), else requested onto the pick list where it is.
    fn serve(&mut self, h: usize, direct: bool) {
        let hold = self.holds[h].clone();
        let candidates: Vec<SourceCandidate> = self
            .positions
            .iter()
            .filter_map(|p| match (p.place, p.pending) {
                (Place::Shelf { at }, None) => Some(SourceCandidate {
                    copy: p.copy,
                    library: at,
                    loans: 0,
                }),
                _ => None,
            })
            .collect();
        let Some(copy) = choose_source(hold.pickup, &candidates, &Distances::default(), None)
        else {
            return;
        };
        let Some(i) = self.positions.iter().position(|p| p.copy == copy) else {
            return;
        };
        let Place::Shelf { at } = self.positions[i].place else {
            panic!("chose a copy that is not on a shelf");
        };
        if at == hold.pickup || direct {
            let op = Op::Trap {
                at,
                hold: hold.id,
                reader: hold.reader,
                pickup: hold.pickup,
            };
            assert!(self.apply(i, op), "a free copy refused a trap");
            self.holds[h].copy = Some(copy);
            if at == hold.pickup {
                self.holds[h].status = HoldStatus::Ready;
                self.tally.borrow_mut().holds_ready += 1;
            } else {
                self.holds[h].status = HoldStatus::InTransit;
                self.order(i, hold.pickup, TransitReason::Hold(hold.id), true);
            }
        } else {
            let reason = TransitReason::Hold(hold.id);
            let op = Op::Request {
                to: hold.pickup,
                reason,
            };
            assert!(self.apply(i, op), "a free copy refused a request");
            self.holds[h].copy = Some(copy);
            self.order(i, hold.pickup, reason, false);
        }
    }

    fn cancel_hold(&mut self, h: usize) {
        let hold = self.holds[h].clone();
        let copy = hold
            .copy
            .and_then(|c| self.positions.iter().position(|p| p.copy == c));
        match (hold.status, copy) {
            (HoldStatus::Waiting, Some(i)) => {
                assert!(self.apply(i, Op::CancelRequest), "its request vanished");
                self.orders.remove(&self.positions[i].copy);
            }
            (HoldStatus::InTransit | HoldStatus::Ready, Some(i)) => {
                assert!(self.apply(i, Op::CancelHold { hold: hold.id }));
                self.orders.remove(&self.positions[i].copy);
            }
            (HoldStatus::InTransit | HoldStatus::Ready, None) => {
                panic!("a trapped hold lost its copy")
            }
            (HoldStatus::Waiting, None) => {}
            (HoldStatus::Fulfilled | HoldStatus::Cancelled, _) => {
                // Nothing serves it any more: every copy refuses.
                for i in 0..self.positions.len() {
                    let before = self.positions[i];
                    let refused = apply(&before, &Op::CancelHold { hold: hold.id });
                    assert_eq!(refused.map_err(|r| r.code), Err(RefusedCode::HoldMismatch));
                }
                return;
            }
        }
        self.holds[h].status = HoldStatus::Cancelled;
        self.holds[h].copy = None;
    }

    /// The books and the positions tell the same story.
    fn check(&self) {
        for (i, pos) in self.positions.iter().enumerate() {
            let c = pos.copy;
            pos.check()
                .unwrap_or_else(|v| panic!("copy {i} broke an invariant: {v}: {pos:?}"));
            assert_eq!(pos.home, self.homes[i], "owner of copy {i}");
            assert_eq!(
                pos.lent.map(|l| (l.selection, l.library)),
                self.lent.get(&c).copied(),
                "selection of copy {i}"
            );
            // A loan exists iff the copy is on loan, to the same reader.
            match pos.place {
                Place::OnLoan { reader, .. } => assert_eq!(self.loans.get(&c), Some(&reader)),
                _ => assert_eq!(self.loans.get(&c), None, "a loan of copy {i} not on loan"),
            }
            let known = |b: &BranchId| self.libraries.contains(b);
            match pos.place {
                Place::Shelf { at } | Place::HoldShelf { at, .. } => assert!(known(&at)),
                Place::OnLoan { from, .. } => assert!(known(&from)),
                Place::InTransit { from, to, .. } => assert!(known(&from) && known(&to)),
            }
            // Hold shelves and hold transits match exactly one hold.
            let serving: Vec<&Hold> = self.holds.iter().filter(|h| h.copy == Some(c)).collect();
            assert!(
                serving.len() <= 1,
                "copy {i} serves {} holds",
                serving.len()
            );
            match (pos.place, pos.pending) {
                (Place::HoldShelf { at, hold, reader }, _) => {
                    let [h] = serving[..] else {
                        panic!("copy {i} on a hold shelf for no hold");
                    };
                    assert_eq!(
                        (h.id, h.status, h.pickup, h.reader),
                        (hold, HoldStatus::Ready, at, reader)
                    );
                }
                (
                    Place::InTransit {
                        to,
                        reason: TransitReason::Hold(hold),
                        ..
                    },
                    _,
                ) => {
                    let [h] = serving[..] else {
                        panic!("copy {i} in transit for no hold");
                    };
                    assert_eq!(
                        (h.id, h.status, h.pickup),
                        (hold, HoldStatus::InTransit, to)
                    );
                }
                (
                    Place::Shelf { .. },
                    Some(Pending {
                        to,
                        reason: TransitReason::Hold(hold),
                    }),
                ) => {
                    let [h] = serving[..] else {
                        panic!("copy {i} requested for no hold");
                    };
                    assert_eq!((h.id, h.status, h.pickup), (hold, HoldStatus::Waiting, to));
                }
                _ => assert!(
                    serving.is_empty(),
                    "copy {i} serves a hold it is not placed for"
                ),
            }
            // Pick lists and transits the world asked for.
            let order = self.orders.get(&c);
            match (pos.place, pos.pending) {
                (_, Some(p)) => {
                    let o = order.unwrap_or_else(|| panic!("copy {i} on a pick list nobody asked"));
                    assert_eq!((o.to, o.reason, o.dispatched), (p.to, p.reason, false));
                }
                (Place::InTransit { to, reason, .. }, None)
                    if matches!(
                        reason,
                        TransitReason::Hold(_)
                            | TransitReason::Selection(_)
                            | TransitReason::Redistribution(_)
                    ) =>
                {
                    let o = order.unwrap_or_else(|| panic!("copy {i} sent nobody asked"));
                    assert_eq!((o.to, o.reason, o.dispatched), (to, reason, true));
                }
                _ => assert!(
                    order.is_none(),
                    "copy {i} ordered but not moving: {order:?}"
                ),
            }
        }
        for hold in &self.holds {
            let trapped = matches!(hold.status, HoldStatus::InTransit | HoldStatus::Ready);
            if trapped {
                assert!(hold.copy.is_some(), "hold {} trapped nothing", hold.id);
            }
            if let Some(c) = hold.copy {
                let copies = self.positions.iter().filter(|p| p.copy == c).count();
                assert_eq!(copies, 1);
            }
        }
    }
}

#[test]
fn random_desks_keep_every_copy_in_exactly_one_place() {
    let tally = RefCell::new(Tally::default());
    let cases = RefCell::new(0u32);
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&scenario(), |s| {
        *cases.borrow_mut() += 1;
        let mut world = World::new(&s, &tally);
        world.check();
        for action in &s.actions {
            world.step(action);
            world.check();
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let tally = tally.into_inner();
    let cases = cases.into_inner();
    eprintln!("{cases} cases, {tally:#?}");
    assert!(cases >= CASES);
    // The world got around: every kind of move happened, many times.
    for op in [
        "checkout",
        "return",
        "trap",
        "request",
        "cancel_request",
        "dispatch",
        "receive",
        "cancel_hold",
        "return_selection",
        "redistribute",
    ] {
        assert!(
            tally.applied.get(op).copied().unwrap_or(0) > 50,
            "{op} rarely applied"
        );
    }
    assert!(tally.holds_fulfilled > 100 && tally.holds_ready > 100);
    assert!(tally.selections_received > 50 && tally.redistributed > 50);
}
