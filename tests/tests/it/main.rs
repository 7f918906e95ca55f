//! End-to-end tests over HTTP and against both database backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod acts;
mod architecture;
mod audit;
mod auth;
mod branches;
mod circulation_concurrency;
mod circulation_debtors;
mod circulation_desk;
mod circulation_holds;
mod circulation_lost;
mod circulation_offline;
mod circulation_readers;
mod circulation_self_service;
mod concurrency;
mod contract;
mod copies;
mod dedup;
mod errors;
mod exchange;
mod exchange_concurrency;
mod exchange_random;
mod exchange_redistribution;
mod exchange_selections;
mod hardening;
mod imports;
mod merges;
mod notices;
mod openapi;
mod records;
mod schema;
mod search;
mod search_eval;
mod sru;
mod staff;
mod system;
