//! The circulation benchmark's parts (issue #5): a loan history loaded in
//! bulk beside an imported catalogue (`history`), a desk client speaking the
//! real HTTP API (`desk`), and the measured phases (`phases`).

pub mod args;
pub mod desk;
pub mod history;
pub mod phases;
pub mod sqlcli;
