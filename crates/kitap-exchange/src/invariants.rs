//! The per-copy invariants: what must hold of every [`CopyPosition`] that
//! [`crate::apply`] produces. The application checks them on a position it
//! loads, so a row damaged outside the exchange is caught before it is used.

use kitap_domain::BranchId;

use crate::{CopyPosition, Place, TransitReason};

/// A position that cannot happen. The first one found is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvariantViolation {
    #[error("in transit from {at} to itself")]
    TransitToItself { at: BranchId },
    /// Only a copy on an open shelf can be pulled for a pick list.
    #[error("on a pick list while {place}")]
    PendingOffShelf { place: &'static str },
    #[error("on the pick list of {at} to be sent to {at} itself")]
    PendingToOwnShelf { at: BranchId },
    #[error("on a pick list for a {reason} transit, which is never requested")]
    PendingNotRequestable { reason: &'static str },
    /// A free copy stands where it belongs; returns and receipts put it
    /// on its base shelf, so anything else is a lost update.
    #[error("on the shelf of {at} but belongs at {base}")]
    ShelfNotBase { at: BranchId, base: BranchId },
    #[error("lent in a selection to its own home library {home}")]
    LentToHome { home: BranchId },
    /// A lent copy belongs on the shelf of the library it is lent to.
    #[error("lent to {library} but belongs at {base}")]
    LentBaseMismatch { library: BranchId, base: BranchId },
    #[error("going home to {to} but belongs at {base}")]
    ReturnHomeNotToBase { to: BranchId, base: BranchId },
    #[error("a selection return going to {to}, not to the home library {home}")]
    SelectionReturnNotHome { to: BranchId, home: BranchId },
    #[error("a returning selection copy still counted as lent or away from home")]
    SelectionReturnStillLent,
    #[error("travelling to be lent in a selection to its own home library {home}")]
    SelectionToHome { home: BranchId },
    /// A copy lent in one selection cannot travel for another one or be
    /// given away: the selection must come back first.
    #[error("travelling for a {reason} transit while lent in a selection")]
    TransitWhileLent { reason: &'static str },
}

impl CopyPosition {
    /// Checks the per-copy invariants; `apply` keeps every one of them.
    pub fn check(&self) -> Result<(), InvariantViolation> {
        use InvariantViolation as V;
        if let Some(pending) = self.pending {
            let Place::Shelf { at } = self.place else {
                return Err(V::PendingOffShelf {
                    place: self.place.code(),
                });
            };
            if pending.to == at {
                return Err(V::PendingToOwnShelf { at });
            }
            if !pending.reason.requestable() {
                return Err(V::PendingNotRequestable {
                    reason: pending.reason.code(),
                });
            }
        }
        if let Some(lent) = self.lent {
            if lent.library == self.home {
                return Err(V::LentToHome { home: self.home });
            }
            if lent.library != self.base {
                return Err(V::LentBaseMismatch {
                    library: lent.library,
                    base: self.base,
                });
            }
        }
        match self.place {
            Place::Shelf { at } if at != self.base => Err(V::ShelfNotBase {
                at,
                base: self.base,
            }),
            Place::InTransit { from, to, reason } => self.check_transit(from, to, reason),
            Place::Shelf { .. } | Place::OnLoan { .. } | Place::HoldShelf { .. } => Ok(()),
        }
    }

    fn check_transit(
        &self,
        from: BranchId,
        to: BranchId,
        reason: TransitReason,
    ) -> Result<(), InvariantViolation> {
        use InvariantViolation as V;
        if from == to {
            return Err(V::TransitToItself { at: from });
        }
        match reason {
            TransitReason::ReturnHome if to != self.base => Err(V::ReturnHomeNotToBase {
                to,
                base: self.base,
            }),
            TransitReason::SelectionReturn(_) if to != self.home => {
                Err(V::SelectionReturnNotHome {
                    to,
                    home: self.home,
                })
            }
            TransitReason::SelectionReturn(_) if self.lent.is_some() || self.base != self.home => {
                Err(V::SelectionReturnStillLent)
            }
            TransitReason::Selection(_) if to == self.home => {
                Err(V::SelectionToHome { home: self.home })
            }
            TransitReason::Selection(_) | TransitReason::Redistribution(_)
                if self.lent.is_some() =>
            {
                Err(V::TransitWhileLent {
                    reason: reason.code(),
                })
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{branch, copy, hold, reader, selection};
    use crate::{Lending, Pending};

    #[test]
    fn a_new_copy_is_consistent() {
        assert_eq!(CopyPosition::on_shelf(copy(1), branch(1)).check(), Ok(()));
    }

    #[test]
    fn each_broken_position_is_named() {
        let good = CopyPosition::on_shelf(copy(1), branch(1));
        let cases = [
            (
                CopyPosition {
                    place: Place::InTransit {
                        from: branch(1),
                        to: branch(1),
                        reason: TransitReason::ReturnHome,
                    },
                    ..good
                },
                InvariantViolation::TransitToItself { at: branch(1) },
            ),
            (
                CopyPosition {
                    place: Place::OnLoan {
                        from: branch(1),
                        reader: reader(1),
                    },
                    pending: Some(Pending {
                        to: branch(2),
                        reason: TransitReason::Hold(hold(1)),
                    }),
                    ..good
                },
                InvariantViolation::PendingOffShelf { place: "on_loan" },
            ),
            (
                CopyPosition {
                    pending: Some(Pending {
                        to: branch(1),
                        reason: TransitReason::Hold(hold(1)),
                    }),
                    ..good
                },
                InvariantViolation::PendingToOwnShelf { at: branch(1) },
            ),
            (
                CopyPosition {
                    pending: Some(Pending {
                        to: branch(2),
                        reason: TransitReason::ReturnHome,
                    }),
                    ..good
                },
                InvariantViolation::PendingNotRequestable {
                    reason: "return_home",
                },
            ),
            (
                CopyPosition {
                    place: Place::Shelf { at: branch(2) },
                    ..good
                },
                InvariantViolation::ShelfNotBase {
                    at: branch(2),
                    base: branch(1),
                },
            ),
            (
                CopyPosition {
                    lent: Some(Lending {
                        selection: selection(1),
                        library: branch(1),
                    }),
                    ..good
                },
                InvariantViolation::LentToHome { home: branch(1) },
            ),
            (
                CopyPosition {
                    lent: Some(Lending {
                        selection: selection(1),
                        library: branch(2),
                    }),
                    ..good
                },
                InvariantViolation::LentBaseMismatch {
                    library: branch(2),
                    base: branch(1),
                },
            ),
            (
                CopyPosition {
                    place: Place::InTransit {
                        from: branch(1),
                        to: branch(3),
                        reason: TransitReason::ReturnHome,
                    },
                    ..good
                },
                InvariantViolation::ReturnHomeNotToBase {
                    to: branch(3),
                    base: branch(1),
                },
            ),
            (
                CopyPosition {
                    place: Place::InTransit {
                        from: branch(1),
                        to: branch(3),
                        reason: TransitReason::SelectionReturn(selection(1)),
                    },
                    ..good
                },
                InvariantViolation::SelectionReturnNotHome {
                    to: branch(3),
                    home: branch(1),
                },
            ),
        ];
        for (position, violation) in cases {
            assert_eq!(position.check(), Err(violation), "{position:?}");
            assert!(!violation.to_string().is_empty());
        }
    }
}
