//! Benchmark support for Kitap: the synthetic catalogue every benchmark
//! generates (`generator`), the query mix drawn from it (`queries`,
//! `recall`, `translit`), the import use case on a file (`import`), a full
//! reindex (`reindex`), the server as a child process (`server`) driven by
//! an HTTP load generator (`http`, `load`, `opac`), /proc sampling
//! (`procstat`), Markdown result tables (`report`) and the PostgreSQL
//! full-text comparison (`pg_fts`), and the duplicate-detection catalogue
//! with injected twins and traps (`dedup_gen`), and a generated year of
//! library activity with its known totals for the statistics bench (`year`). The benchmarks themselves
//! are the bench targets in `benches/`; see BENCHMARKS.md.

pub mod args;
pub mod circ;
pub mod dedup_gen;
pub mod dupes;
pub mod generator;
pub mod http;
pub mod import;
pub mod load;
pub mod opac;
pub mod pg_fts;
pub mod procstat;
pub mod queries;
pub mod recall;
pub mod reindex;
pub mod report;
pub mod server;
pub mod translit;
pub mod year;
