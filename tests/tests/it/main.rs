//! End-to-end tests over HTTP and against both database backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod architecture;
mod audit;
mod auth;
mod branches;
mod concurrency;
mod errors;
mod openapi;
mod schema;
mod staff;
mod system;
