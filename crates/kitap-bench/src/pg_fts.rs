//! The comparison: the same records in PostgreSQL with a weighted `tsvector`
//! (title A, author B, subject C, the rest D; the `'simple'` configuration,
//! as Evergreen does with its own) and a GIN index, and the same query mix
//! as `plainto_tsquery` + `ts_rank` top 20 + total count, with and without
//! facet counts. Loads and recall go through `psql`; the load runs through
//! the application's pool (`Db::execute_script`).

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, ensure, Context};
use kitap_app::{Db, DbUrl};

use crate::generator::{isbn13, Spec};
use crate::load::load;
use crate::queries::{sql_str, Query};
use crate::report::{measured, report_recall};

/// The PostgreSQL side of one run: where, in which schema, how hard.
pub struct PgRun<'a> {
    pub base: &'a str,
    pub schema: String,
    pub count: u64,
    pub clients: usize,
    pub seconds: f64,
}

pub fn psql(url: &str, sql: &str) -> anyhow::Result<String> {
    let out = Command::new("psql")
        .args([url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .context("run psql (is it on the PATH?)")?;
    ensure!(
        out.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn tsv_field(s: &str) -> String {
    s.replace('\\', "\\\\").replace(['\t', '\n'], " ")
}

/// Record n as a COPY text line.
fn copy_line(n: u64) -> String {
    let s = Spec::generate(n);
    let title = match &s.other_title {
        Some(o) => format!("{} : {o}", s.title),
        None => s.title.clone(),
    };
    let subjects: Vec<&str> = s.topics.iter().map(|&t| s.subject(t)).collect();
    let other = format!(
        "{} {} {}",
        s.annotation.as_deref().unwrap_or(""),
        s.place,
        s.publisher
    );
    format!(
        "{n}\t{}\t{}\t{}\t{{{}}}\t{}\t{}\t{}\t{}",
        isbn13(n),
        s.lang,
        s.year,
        s.libraries().join(","),
        tsv_field(&title),
        tsv_field(&format!("{} {}", s.author(), s.responsibility())),
        tsv_field(&subjects.join("; ")),
        tsv_field(&other)
    )
}

impl PgRun<'_> {
    pub fn settings(&self) -> anyhow::Result<()> {
        let show = |name: &str| psql(self.base, &format!("SHOW {name}"));
        println!(
            "\nPostgreSQL {} ({}, schema {})",
            show("server_version")?,
            self.base,
            self.schema
        );
        println!(
            "settings: shared_buffers {}, work_mem {}, maintenance_work_mem {}, jit {}",
            show("shared_buffers")?,
            show("work_mem")?,
            show("maintenance_work_mem")?,
            show("jit")?
        );
        Ok(())
    }

    pub fn create_table(&self) -> anyhow::Result<()> {
        let schema = &self.schema;
        psql(
            self.base,
            &format!(
                "CREATE SCHEMA {schema}; CREATE TABLE {schema}.bib (
                   id integer PRIMARY KEY, isbn text NOT NULL, lang text NOT NULL, year integer,
                   libraries text[] NOT NULL, title text NOT NULL, author text NOT NULL,
                   subject text NOT NULL, other text NOT NULL,
                   tsv tsvector GENERATED ALWAYS AS (
                     setweight(to_tsvector('simple', title), 'A') ||
                     setweight(to_tsvector('simple', author), 'B') ||
                     setweight(to_tsvector('simple', subject), 'C') ||
                     setweight(to_tsvector('simple', other || ' ' || isbn), 'D')) STORED)"
            ),
        )?;
        Ok(())
    }

    /// COPY through psql (the generated column computes the tsvector).
    fn copy_rows(&self) -> anyhow::Result<()> {
        let copy = format!(
            "\\copy {}.bib (id, isbn, lang, year, libraries, title, author, subject, other) FROM pstdin",
            self.schema
        );
        let mut child = Command::new("psql")
            .args([self.base, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", &copy])
            .stdin(Stdio::piped())
            .spawn()
            .context("psql copy")?;
        let Some(stdin) = child.stdin.take() else {
            bail!("psql has no stdin");
        };
        let mut w = BufWriter::with_capacity(1 << 20, stdin);
        for n in 0..self.count {
            writeln!(w, "{}", copy_line(n))?;
        }
        w.flush()?;
        drop(w);
        ensure!(child.wait()?.success(), "COPY failed");
        Ok(())
    }

    /// COPY, GIN index, VACUUM ANALYZE, each timed, and the sizes.
    pub fn load_table(&self) -> anyhow::Result<()> {
        let timed = |step: &dyn Fn() -> anyhow::Result<()>| -> anyhow::Result<f64> {
            let start = Instant::now();
            step()?;
            Ok(start.elapsed().as_secs_f64())
        };
        let schema = &self.schema;
        let t_copy = timed(&|| self.copy_rows())?;
        let t_gin = timed(&|| {
            psql(
                self.base,
                &format!("CREATE INDEX bib_tsv ON {schema}.bib USING gin (tsv)"),
            )
            .map(drop)
        })?;
        let t_vacuum =
            timed(&|| psql(self.base, &format!("VACUUM ANALYZE {schema}.bib")).map(drop))?;
        let sizes = psql(
            self.base,
            &format!(
                "SELECT pg_size_pretty(pg_table_size('{schema}.bib')), pg_size_pretty(pg_relation_size('{schema}.bib_tsv')), pg_size_pretty(pg_total_relation_size('{schema}.bib'))"
            ),
        )?;
        println!(
            "PostgreSQL load: COPY {} rows with tsvector {t_copy:.1} s, GIN index {t_gin:.1} s, VACUUM ANALYZE {t_vacuum:.1} s \
             (total {:.1} s); sizes table | GIN | total: {sizes}",
            self.count,
            t_copy + t_gin + t_vacuum
        );
        Ok(())
    }

    /// One statement per recall query, through `psql -f`.
    pub fn recall(&self, work: &Path, recall: &[Query]) -> anyhow::Result<()> {
        let mut sql = String::new();
        for (i, q) in recall.iter().enumerate() {
            sql.push_str(&format!(
                "SELECT {i}, EXISTS (SELECT 1 FROM (SELECT isbn FROM {}.bib WHERE tsv @@ {tq} ORDER BY ts_rank(tsv, {tq}) DESC, id LIMIT 20) t WHERE isbn = {target});\n",
                self.schema,
                tq = q.tsquery,
                target = sql_str(q.target.as_deref().unwrap_or(""))
            ));
        }
        let file = work.join("recall.sql");
        std::fs::write(&file, sql)?;
        let out = Command::new("psql")
            .args([self.base, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-f"])
            .arg(&file)
            .output()
            .context("psql recall")?;
        ensure!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut found = vec![false; recall.len()];
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if let Some((i, f)) = line.split_once('|') {
                if let Some(slot) = i.parse::<usize>().ok().and_then(|i| found.get_mut(i)) {
                    *slot = f == "t";
                }
            }
        }
        report_recall("PostgreSQL FTS ('simple') recall", recall, &found);
        Ok(())
    }

    /// The mix as statements: top 20 + total, or that plus facet counts.
    fn statements(&self, mix: &[Query], facets: bool) -> Vec<Query> {
        mix.iter()
            .map(|q| Query {
                text: if facets {
                    q.pg_facets(&self.schema)
                } else {
                    q.pg_top(&self.schema)
                },
                ..q.clone()
            })
            .collect()
    }

    /// Warm-up, then both statement kinds for `seconds` over `clients`
    /// connections, with the CPU of their backends.
    pub fn load_runs(&self, mix: &[Query]) -> anyhow::Result<()> {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        let url = DbUrl::parse(&format!(
            "{}{sep}application_name=kitap_search_bench",
            self.base
        ))?;
        let db = Db::connect(&url, self.clients as u32).context("connect")?;
        let top = self.statements(mix, false);
        let facets = self.statements(mix, true);
        let run = |db: &mut Db, q: &Query| -> Result<Option<u64>, String> {
            db.execute_script(&q.text)
                .map(|_| None)
                .map_err(|e| e.to_string())
        };
        let warm = load(
            self.clients,
            5.0_f64.min(self.seconds),
            &top,
            || db.clone(),
            run,
        );
        println!("PostgreSQL warm-up: {} statements", warm.requests());
        let pids: Vec<u32> = psql(
            self.base,
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'kitap_search_bench'",
        )?
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
        println!("PostgreSQL backends of the pool: {}", pids.len());
        let clients = self.clients;
        measured(
            &format!("PostgreSQL FTS, top 20 by ts_rank + total count, {clients} connections"),
            &pids,
            || load(clients, self.seconds, &top, || db.clone(), run),
        );
        measured(
            &format!(
                "PostgreSQL FTS, top 20 + total + language/library/year facets, {clients} connections"
            ),
            &pids,
            || load(clients, self.seconds, &facets, || db.clone(), run),
        );
        Ok(())
    }

    pub fn drop_schema(&self) -> anyhow::Result<()> {
        psql(self.base, &format!("DROP SCHEMA {} CASCADE", self.schema)).map(drop)
    }
}

/// The whole PostgreSQL phase; the schema is dropped whatever happens.
pub fn pg_phase(run: &PgRun, work: &Path, mix: &[Query], recall: &[Query]) -> anyhow::Result<()> {
    run.settings()?;
    run.create_table()?;
    let result = run
        .load_table()
        .and_then(|()| run.recall(work, recall))
        .and_then(|()| run.load_runs(mix));
    let dropped = run.drop_schema();
    result.and(dropped)
}
