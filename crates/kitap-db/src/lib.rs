//! The only crate that knows diesel.
//!
//! It owns `schema.rs`, the two mirrored migration trees, the connection pool and
//! every query. Callers get plain functions over `&mut DbConnection` and typed
//! records; no diesel type crosses this crate's public API except the opaque
//! connection handle itself.

pub mod admin;
mod conn;
mod constraints;
mod error;
mod migrate;
mod pool;
mod schema;

pub mod acts;
pub mod amnesty;
pub mod audit;
pub mod blocks;
pub mod branches;
pub mod calendar;
pub mod circ_events;
pub mod classification;
pub mod copies;
pub mod counters;
pub mod dedup;
pub mod exchange;
pub mod fines;
pub mod holds;
pub mod imports;
mod job_lock;
pub mod loan_rules;
pub mod loans;
pub mod login_failures;
pub mod match_keys;
pub mod merges;
pub mod notices;
pub mod offline;
pub mod outbox;
pub mod reader_activity;
pub mod reader_sessions;
pub mod readers;
pub mod record_sources;
pub mod records;
pub mod replacements;
pub mod search_feed;
pub mod sessions;
pub mod staff;
pub mod stats;
pub mod stats_fund;

pub use conn::{Backend, DbConnection, DbUrl};
pub use error::DbError;
pub use job_lock::JobLock;
pub use migrate::MIGRATION_DIRS;
pub use pool::{savepoint, Db, PoolState};
