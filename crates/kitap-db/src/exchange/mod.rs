//! Inter-branch exchange: movements of copies between libraries, the
//! distances that route requests, and the exchange event log.

pub mod acts;
pub mod distances;
pub mod events;
pub mod finder;
pub mod requests;
pub mod selections;
pub mod transfers;
