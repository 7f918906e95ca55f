//! Circulation policy as pure functions. No IO, no database, no clock.
//!
//! The model: the application loads a snapshot of what matters (a
//! [`ReaderState`], a [`CopyState`], a [`LoanState`], the reader's holds),
//! resolves the [`LoanRule`] that applies ([`resolve`]), takes the library's
//! [`Calendar`] and today's date, and asks one policy function. Every policy
//! has the shape `(state, rules, today) -> Result<Decision, Refusal>`: the
//! decision says what to write (a due date, a fine, where the copy goes),
//! the [`Refusal`] carries a stable snake_case [`RefusalCode`] with English,
//! Russian and Kazakh text. The application then writes the decision in the
//! same transaction it loaded the snapshot in.
//!
//! - [`rules`]: which loan rule applies, and why (the explanation feeds
//!   `GET /api/v1/rules/explain`);
//! - [`calendar`]: open days and due dates;
//! - [`age`]: age bands and the guarantor rule for readers under 16;
//! - [`checkout`], [`renewal`], [`returns`]: the desk's three decisions;
//! - [`holds`]: the hold queue, trapping a returned copy, placing a hold;
//! - [`debt`]: debtors, the automatic overdue block, amnesty campaigns;
//! - [`notices`]: which notices are due, with a key that makes them unique;
//! - [`offline`]: the offline desk's file, its time order and window, and
//!   how an offline action meets what the server already knows.
//!
//! Staff with the override right may pass some refusals ([`Overrides`]);
//! the decision lists what was overridden so the application audits it.
//! Hard refusals (a copy that is not on the shelf) are never overridable.

pub mod age;
pub mod calendar;
pub mod checkout;
pub mod debt;
pub mod holds;
pub mod notices;
pub mod offline;
pub mod refusal;
pub mod renewal;
pub mod returns;
pub mod rules;
pub mod state;

#[cfg(test)]
mod testutil;

pub use age::{age_on, needs_guarantor, AgeBand, AgeBands};
pub use calendar::{Calendar, CalendarError};
pub use checkout::{all_refusals, decide_checkout, CheckoutDecision};
pub use debt::{
    amnesty_clearance, auto_block_due, is_debtor, overdue_block_change, AmnestyCampaign,
    AmnestyClearance, BlockChange, DebtPolicy,
};
pub use holds::{
    decide_place_hold, hold_shelf_expires, queue_order, trap, HoldState, PlaceHoldDecision,
    TransferReason, TransferRequest, TrapDecision, TrappableCopy,
};
pub use notices::{channels_for, hold_ready_notice, notices_due, NoticeDue, NoticePolicy};
pub use refusal::{Overrides, Refusal, RefusalCode};
pub use renewal::{decide_renewal, renewal_refusals, RenewalChannel, RenewalDecision};
pub use returns::{decide_return, overdue_days, Destination, ReturnDecision};
pub use rules::{resolve, LoanRule, NoRuleApplies, Resolution, RuleKey, RuleValues};
pub use state::{BlockState, CopyState, LoanState, ReaderState};
