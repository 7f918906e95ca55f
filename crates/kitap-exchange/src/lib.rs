//! The inter-library exchange as pure functions. No IO, no database, no clock.
//!
//! The model: a copy is always in exactly one [`Place`] — on the open
//! shelf of a library, on loan to a reader, in transit between two
//! libraries for one [`TransitReason`], or on the hold shelf of a library
//! for one hold. A [`CopyPosition`] adds what the copy belongs to, never
//! where it is:
//!
//! - `home`, the owning library (fund accounting), changed only by
//!   redistribution;
//! - `base`, the library whose shelf it belongs on now: its home, the
//!   library it floated to, or the library a selection lent it to. A return
//!   or a cancelled hold sends the copy to its base;
//! - `lent`, the thematic selection it is lent in, if any;
//! - `pending`, the pick list it is on, if any: a plan to send it
//!   somewhere, which keeps it from being lent meanwhile.
//!
//! [`apply`] is the one way a position changes: one [`Op`] (a scan or a
//! decision at a desk) gives the next position or a [`Refused`] with a
//! stable [`RefusedCode`]. Every position `apply` gives passes
//! [`CopyPosition::check`]; the property test drives random desks through a
//! whole system of libraries, readers and holds to hold it to that.
//!
//! Beside the state machine, the policies the exchange asks about:
//! [`routing`] (which copy serves a hold elsewhere), [`floating`] (whether
//! a returned copy stays where it was returned) and [`finder`] (titles to
//! redistribute).

pub mod finder;
pub mod floating;
pub mod invariants;
pub mod ops;
pub mod position;
pub mod refused;
pub mod routing;

#[cfg(test)]
mod testutil;

pub use finder::{surplus, Demand, Holding, Surplus};
pub use floating::FloatingPolicy;
pub use invariants::InvariantViolation;
pub use ops::{apply, Op};
pub use position::{CopyPosition, Lending, Pending, Place, TransitReason};
pub use refused::{Refused, RefusedCode};
pub use routing::{choose_source, rank_sources, Distances, SourceCandidate};
