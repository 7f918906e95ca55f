//! Inter-branch exchange use cases (issue #7): every change of a copy's
//! place goes through `kitap_exchange::apply` and [`position::write`], in
//! the same transaction as the loans and holds it touches.
//!
//! - [`routing`]: a hold with no free copy at its pickup library requests
//!   the best copy elsewhere (pick list);
//! - [`moves`]: dispatch, receive, calling off a pick-list line, the pick
//!   list, the transit board, a copy's position;
//! - [`settings`]: the distance table and the floating policy;
//! - [`redistribution`]: transfer acts (copies given for good to another
//!   library, through the pick list) and the redistribution finder;
//! - [`stats`]: the exchange statistics, counted from the event log;
//! - [`selections`]: thematic selections lent as a unit, their return
//!   report and due-date reminders;
//! - [`requests`]: libraries' requests to the fund, answered by a selection.

pub(crate) mod moves;
pub(crate) mod position;
pub(crate) mod redistribution;
pub(crate) mod requests;
pub(crate) mod routing;
pub(crate) mod selections;
pub(crate) mod settings;
pub(crate) mod stats;

pub use kitap_db::exchange::acts::StoredTransferAct;
pub use kitap_db::exchange::finder::UnusedCopy;
pub use kitap_db::exchange::requests::{RequestFilter, StoredLibraryRequest, StoredRequestTitle};
pub use kitap_db::exchange::selections::{StoredReminder, StoredSelection};
pub use kitap_db::exchange::transfers::StoredTransfer;
pub use kitap_exchange::{CopyPosition, Place, TransitReason};
pub use moves::{PositionView, ReceiveView, TransferQuery, TransferView};
pub use redistribution::{
    Candidates, FinderQuery, NewTransferAct, SurplusView, TransferActLine, TransferActView,
    MAX_COPIES_PER_TRANSFER_ACT,
};
pub use requests::{
    AnswerRequest, LibraryRequestView, NewLibraryRequest, RequestAnswer, RequestTitleView,
    Uncovered,
};
pub use selections::{
    CopyPick, NewSelection, ReminderRun, ReminderView, SelectionCopyView, SelectionQuery,
    SelectionReport, SelectionView,
};
pub use settings::Distance;
pub use stats::{ExchangeCounts, ExchangeStats, REASONS};
