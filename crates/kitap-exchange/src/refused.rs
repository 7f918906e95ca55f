//! Why a move of a copy was refused, in a form the API and the desk can use.
//!
//! The snake_case code is stable (clients switch on it); the detail names
//! the libraries, holds or selections involved, for staff and logs.

use kitap_domain::name_enum;

name_enum!(
    /// Every reason [`crate::apply`] refuses a move. Codes never change meaning.
    RefusedCode, "code", {
        /// The copy is travelling between libraries.
        InTransit => "in_transit",
        /// A reader has the copy.
        OnLoan => "on_loan",
        /// The copy waits on a hold shelf for its reader.
        OnHoldShelf => "on_hold_shelf",
        /// The copy waits on a hold shelf for another reader.
        OnHoldForAnother => "on_hold_for_another",
        NotOnLoan => "not_on_loan",
        NotOnShelf => "not_on_shelf",
        /// The copy is not at the library that scanned it.
        NotAtThisLibrary => "not_at_this_library",
        /// The copy is on a pick list, to be sent to another library.
        RequestedForTransfer => "requested_for_transfer",
        /// Nothing asked for the copy to be sent anywhere.
        NoRequest => "no_request",
        AlreadyRequested => "already_requested",
        /// The copy is already at the library it would be sent to.
        SameLibrary => "same_library",
        /// Only holds, selections and redistribution ask for a copy; the
        /// other transit reasons follow from a return or a cancellation.
        NotRequestable => "not_requestable",
        NotInTransit => "not_in_transit",
        /// The copy was scanned in at a library it was not sent to.
        WrongDestination => "wrong_destination",
        /// The hold named is not the one the copy serves.
        HoldMismatch => "hold_mismatch",
        /// The copy is not lent in the selection named.
        NotLent => "not_lent",
        /// The copy is already lent in a selection.
        AlreadyLent => "already_lent",
        /// The copy is lent in a selection to another library, so it cannot
        /// be given away until the selection comes back.
        LentElsewhere => "lent_elsewhere",
        /// A selection cannot lend a copy to the library that owns it.
        SelectionToHome => "selection_to_home",
    }
);

/// [`crate::apply`]'s "no": the code, plus a detail for staff.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {detail}")]
pub struct Refused {
    pub code: RefusedCode,
    pub detail: String,
}

impl Refused {
    pub fn new(code: RefusedCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_snake_case_and_parse_back() {
        for code in RefusedCode::ALL {
            let text = code.as_str();
            assert!(text.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert_eq!(text.parse::<RefusedCode>().unwrap(), *code);
        }
        let refused = Refused::new(RefusedCode::InTransit, "from A to B");
        assert_eq!(refused.to_string(), "in_transit: from A to B");
    }
}
