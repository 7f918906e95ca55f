//! End-to-end import throughput (parse, validate, view, store, keys,
//! outbox, progress) of a generated catalog, on SQLite and PostgreSQL, with
//! the process's resident memory sampled after every batch.
//!
//! `cargo bench -p kitap-app --bench import -- [RECORDS] [sqlite|postgres|both]`
//! PostgreSQL: `KITAP_BENCH_PG_URL` (default postgres://postgres@127.0.0.1:5432/postgres);
//! the run uses a fresh schema and drops it afterwards. Durability settings
//! are the server's own (no synchronous_commit=off).

// A benchmark binary: a failed setup step should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use kitap_app::catalog::{ImportRequest, OnMatch};
use kitap_app::config::AuthConfig;
use kitap_app::{Actor, App, Db, DbUrl};
use kitap_marc::{Dialect, Encoding, Field, Record, Subfield};

// As in the `kitap` binary: import allocates many small strings on two
// threads, where glibc's allocator spends a fifth of the time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TITLES: &[&str] = &[
    "Абай жолы",
    "Қан мен тер",
    "Көшпенділер",
    "Ұлпан",
    "Аласапыран",
    "Ақ кеме",
    "Война и мир",
    "Тихий Дон",
    "Мастер и Маргарита",
    "Qazaq tarihy",
    "Steppe voices",
];
const AUTHORS: &[&str] = &[
    "Әуезов, Мұхтар",
    "Есенберлин, Ілияс",
    "Мүсірепов, Ғабит",
    "Толстой, Лев",
    "Шолохов, Михаил",
    "Булгаков, Михаил",
    "Айтматов, Шыңғыс",
    "Nurpeisov, Abdizhamil",
];
const LANGS: &[&str] = &["kaz", "rus", "kaz", "rus", "eng"];

fn sf(code: char, value: impl Into<String>) -> Subfield {
    Subfield {
        code,
        value: value.into(),
    }
}

fn data(tag: &str, ind1: char, ind2: char, subfields: Vec<Subfield>) -> Field {
    Field::Data {
        tag: tag.to_owned(),
        ind1,
        ind2,
        subfields,
    }
}

fn isbn13(n: u64) -> String {
    let body = format!("978601{:06}", n % 1_000_000);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// Record `n`: MARC 21 for even n, RUSMARC for odd, with 001/003, ISBN,
/// language, title, author, publication, extent, subject, BBK and annotation.
fn record(n: u64) -> Record {
    let title = format!("{} ({n})", TITLES[(n % TITLES.len() as u64) as usize]);
    let author = AUTHORS[(n % AUTHORS.len() as u64) as usize];
    let lang = LANGS[(n % LANGS.len() as u64) as usize];
    let year = 1950 + n % 75;
    let isbn = isbn13(n);
    if n.is_multiple_of(2) {
        Record {
            leader: "00000nam a2200000 i 4500".to_owned(),
            fields: vec![
                Field::Control {
                    tag: "001".into(),
                    value: format!("bench{n:08}"),
                },
                Field::Control {
                    tag: "003".into(),
                    value: "KZ-KrCBS".into(),
                },
                Field::Control {
                    tag: "008".into(),
                    value: format!("240101s{year}    kz            000 1 {lang} d"),
                },
                data("020", ' ', ' ', vec![sf('a', isbn)]),
                data("084", ' ', ' ', vec![sf('a', "84(5Каз)"), sf('2', "rubbk")]),
                data("100", '1', ' ', vec![sf('a', author)]),
                data(
                    "245",
                    '1',
                    '0',
                    vec![sf('a', format!("{title} /")), sf('c', author)],
                ),
                data(
                    "260",
                    ' ',
                    ' ',
                    vec![
                        sf('a', "Алматы :"),
                        sf('b', "Жазушы,"),
                        sf('c', year.to_string()),
                    ],
                ),
                data("300", ' ', ' ', vec![sf('a', "320 б.")]),
                data(
                    "520",
                    ' ',
                    ' ',
                    vec![sf(
                        'a',
                        "Роман қазақ даласының тарихы туралы. Кітап мектеп оқушыларына арналған.",
                    )],
                ),
                data("650", ' ', '4', vec![sf('a', "Қазақ әдебиеті")]),
            ],
            encoding: Encoding::Utf8,
            dialect: Dialect::Marc21,
            warnings: vec![],
        }
    } else {
        Record {
            leader: "00000nam0 2200000   450 ".to_owned(),
            fields: vec![
                Field::Control {
                    tag: "001".into(),
                    value: format!("RU\\KrCBS\\{n:08}"),
                },
                data("010", ' ', ' ', vec![sf('a', isbn)]),
                data(
                    "100",
                    ' ',
                    ' ',
                    vec![sf(
                        'a',
                        format!("20240101d{year}    k  y0{lang}y50      ca"),
                    )],
                ),
                data("101", '0', ' ', vec![sf('a', lang)]),
                data("200", '1', ' ', vec![sf('a', title), sf('f', author)]),
                data(
                    "210",
                    ' ',
                    ' ',
                    vec![
                        sf('a', "Караганда"),
                        sf('c', "Болашақ-Баспа"),
                        sf('d', year.to_string()),
                    ],
                ),
                data("215", ' ', ' ', vec![sf('a', "256 с.")]),
                data(
                    "330",
                    ' ',
                    ' ',
                    vec![sf('a', "Сборник рассказов о жизни в степи.")],
                ),
                data("606", '1', ' ', vec![sf('a', "Казахская литература")]),
                data("686", ' ', ' ', vec![sf('a', "84(5Каз)"), sf('2', "rubbk")]),
                data("700", ' ', '1', vec![sf('a', author)]),
            ],
            encoding: Encoding::Utf8,
            dialect: Dialect::Unimarc,
            warnings: vec![],
        }
    }
}

fn generate(path: &Path, count: u64) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    for n in 0..count {
        kitap_marc::write_iso2709(&record(n), &mut out)?;
    }
    out.flush()
}

/// Resident set size now, and the peak so far, in MiB (Linux).
fn rss_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn run(label: &str, url: &DbUrl, file: &Path, count: u64) {
    let db = Db::connect(url, 4).expect("connect");
    db.migrate().expect("migrate");
    let app = App::new(db, &AuthConfig::default()).expect("app");
    app.seed_branches().expect("seed");
    let actor = Actor::system("bench");
    let job = app
        .queue_import(
            None,
            &actor,
            ImportRequest {
                file_name: "bench.mrc".into(),
                file_path: file.to_path_buf(),
                format: None,
                encoding: None,
                on_match: OnMatch::Skip,
                library: None,
            },
        )
        .expect("queue");
    let start = Instant::now();
    let mut samples: Vec<(i64, f64)> = Vec::new();
    let done = app
        .run_import(job.id, &actor, &mut |j| {
            samples.push((j.progress.next_index, rss_mib().0))
        })
        .expect("import");
    let secs = start.elapsed().as_secs_f64();
    let p = done.progress;
    assert_eq!(p.created as u64, count, "{p:?}");
    let at = |frac: f64| {
        let want = (count as f64 * frac) as i64;
        samples
            .iter()
            .find(|(n, _)| *n >= want)
            .map_or(0.0, |s| s.1)
    };
    println!(
        "{label}: {count} records in {secs:.1} s = {:.0} records/s; RSS at 10% {:.0} MiB, 50% {:.0} MiB, 100% {:.0} MiB; peak {:.0} MiB",
        count as f64 / secs, at(0.1), at(0.5), at(1.0), rss_mib().1
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let count: u64 = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let which = args.get(1).map_or("both", String::as_str);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bench.mrc");
    let t = Instant::now();
    generate(&file, count).expect("generate");
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!(
        "generated {count} records, {:.0} MB, in {:.1} s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    if which == "sqlite" || which == "both" {
        let url = DbUrl::parse(&format!(
            "sqlite://{}",
            dir.path().join("bench.db").display()
        ))
        .expect("url");
        run("sqlite", &url, &file, count);
    }
    if which == "postgres" || which == "both" {
        let base = std::env::var("KITAP_BENCH_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let schema = format!("kitap_bench_{}", std::process::id());
        let admin = Db::connect(&DbUrl::parse(&base).expect("url"), 1).expect("connect");
        admin
            .execute_script(&format!("CREATE SCHEMA {schema}"))
            .expect("schema");
        let sep = if base.contains('?') { '&' } else { '?' };
        let url =
            DbUrl::parse(&format!("{base}{sep}options=-csearch_path%3D{schema}")).expect("url");
        run("postgres", &url, &file, count);
        admin
            .execute_script(&format!("DROP SCHEMA {schema} CASCADE"))
            .expect("drop");
    }
}
