//! Integration tests against the real MARC corpus in /work/shared/data/marc
//! (see its SOURCES.md for what each file holds).

// Test code: a panic is how a test fails.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;
mod content;
mod counts;
mod malformed;
mod marc_crate;
// The harness's skip-or-fail rule (kitap-tests depends on this crate, so
// the file is shared rather than the crate).
#[path = "../../../../tests/src/prereq.rs"]
mod prereq;
mod robustness;
mod roundtrip;
mod view;
mod writers;
mod xml_read;
mod xml_schema;
