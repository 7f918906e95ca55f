//! The Kitap side of the search bench: recall one query at a time, then the
//! mix from many clients against the running server.

use crate::http::{finds_target, search_once, Http};
use crate::load::load;
use crate::procstat::{memory_line, Pid};
use crate::queries::Query;
use crate::report::{measured, report_misses, report_recall};
use crate::server::Server;

/// How hard to drive the server.
pub struct HttpLoad {
    pub clients: usize,
    pub seconds: f64,
    /// What the URLs carry besides the query (shown in the title).
    pub extra: String,
}

fn recall_pass(http: &mut Http, recall: &[Query]) -> anyhow::Result<()> {
    let found = recall
        .iter()
        .map(|q| finds_target(http, q))
        .collect::<Result<Vec<bool>, String>>()
        .map_err(|e| anyhow::anyhow!("recall query: {e}"))?;
    report_recall("Kitap (tantivy) recall", recall, &found);
    report_misses(recall, &found);
    Ok(())
}

/// ISBN queries of the mix have a target too: check them on the way.
fn mix_isbn_check(http: &mut Http, mix: &[Query]) {
    let with_target: Vec<&Query> = mix.iter().filter(|q| q.target.is_some()).collect();
    let found = with_target
        .iter()
        .filter(|q| finds_target(http, q).unwrap_or(false))
        .count();
    println!(
        "mix ISBN queries finding their record: {found}/{}",
        with_target.len()
    );
}

/// Recall pass (it also warms the caches), a 5 s warm-up, the measured run.
pub fn http_phase(
    how: &HttpLoad,
    server: &Server,
    mix: &[Query],
    recall: &[Query],
) -> anyhow::Result<()> {
    let pid = Pid::Other(server.pid());
    println!("server after start: {}", memory_line(pid));
    let mut http = Http::new(&server.addr);
    recall_pass(&mut http, recall)?;
    mix_isbn_check(&mut http, mix);
    let connect = || Http::new(&server.addr);
    let warm = load(
        how.clients,
        5.0_f64.min(how.seconds),
        mix,
        connect,
        search_once,
    );
    println!(
        "warm-up: {} requests; server {}",
        warm.requests(),
        memory_line(pid)
    );
    let shown = if how.extra.is_empty() {
        ", facets on"
    } else {
        &how.extra
    };
    measured(
        &format!(
            "Kitap HTTP GET /api/v1/search (limit=20{shown}), {} clients",
            how.clients
        ),
        &[server.pid()],
        || load(how.clients, how.seconds, mix, connect, search_once),
    );
    println!("server after the run: {}", memory_line(pid));
    Ok(())
}
