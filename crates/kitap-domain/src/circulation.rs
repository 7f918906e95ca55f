//! The closed sets of names circulation stores: loans, holds, notices and
//! the event log. The rules that use them live in `kitap-circulation`.

use crate::name_enum;

name_enum!(
    /// Where the copy is used.
    LoanKind, "kind", {
        /// Taken home until the due date.
        Home => "home",
        /// Used in the reading room and returned the same day.
        ReadingRoom => "reading_room",
    }
);

name_enum!(
    /// A hold's life: waiting in the queue, a copy travelling to the pickup
    /// library, the copy on the hold shelf, then one of three ends.
    HoldStatus, "status", {
        Waiting => "waiting",
        InTransit => "in_transit",
        /// On the hold shelf of the pickup library.
        Ready => "ready",
        Fulfilled => "fulfilled",
        Cancelled => "cancelled",
        /// Not picked up in time, or waited past its end date.
        Expired => "expired",
    }
);

impl HoldStatus {
    /// Whether the hold still counts: in the queue, travelling or on the shelf.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            HoldStatus::Waiting | HoldStatus::InTransit | HoldStatus::Ready
        )
    }
}

name_enum!(
    /// What a notice tells the reader.
    NoticeKind, "kind", {
        /// The due date is near.
        Courtesy => "courtesy",
        /// The due date has passed.
        Overdue => "overdue",
        /// A held copy waits on the hold shelf.
        HoldReady => "hold_ready",
    }
);

name_enum!(
    /// How a notice reaches the reader; each needs the reader's consent.
    NoticeChannel, "channel", {
        Email => "email",
        Sms => "sms",
        /// Staff call the reader.
        Phone => "phone",
        /// Staff visit the reader (home service).
        Visit => "visit",
    }
);

name_enum!(
    /// What a circulation event log row records.
    CirculationEventKind, "kind", {
        Checkout => "checkout",
        Renewal => "renewal",
        Return => "return",
        MarkLost => "mark_lost",
        /// Staff overrode a refusal; the row names the refusal codes.
        Override => "override",
    }
);

name_enum!(
    /// Where a notice is: waiting to go out, sent, given up on, or printed
    /// for staff to post or hand over.
    NoticeStatus, "status", {
        Pending => "pending",
        /// Claimed by one worker that is sending it now. A notice found in
        /// this state by the next run was interrupted; it is marked failed,
        /// never resent (it may have gone out).
        Sending => "sending",
        Sent => "sent",
        Failed => "failed",
        Printed => "printed",
    }
);

name_enum!(
    /// The age groups reports count readers in; the bounds are
    /// `kitap_circulation::AgeBands`.
    AgeBand, "age_band", {
        Child => "child",
        Youth => "youth",
        Adult => "adult",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in LoanKind::ALL {
            assert_eq!(k.as_str().parse::<LoanKind>().unwrap(), *k);
        }
        for s in HoldStatus::ALL {
            assert_eq!(s.as_str().parse::<HoldStatus>().unwrap(), *s);
        }
        for k in NoticeKind::ALL {
            assert_eq!(k.as_str().parse::<NoticeKind>().unwrap(), *k);
        }
        for c in NoticeChannel::ALL {
            assert_eq!(c.as_str().parse::<NoticeChannel>().unwrap(), *c);
        }
        for e in CirculationEventKind::ALL {
            assert_eq!(e.as_str().parse::<CirculationEventKind>().unwrap(), *e);
        }
        assert_eq!(
            serde_json::to_string(&LoanKind::ReadingRoom).unwrap(),
            "\"reading_room\""
        );
        assert_eq!(
            serde_json::to_string(&CirculationEventKind::MarkLost).unwrap(),
            "\"mark_lost\""
        );
    }

    #[test]
    fn open_holds_are_the_ones_still_in_play() {
        let open: Vec<&str> = HoldStatus::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.as_str())
            .collect();
        assert_eq!(open, ["waiting", "in_transit", "ready"]);
    }
}
