//! The OPAC's HTTP client for the load runs: one keep-alive connection per
//! client thread (a ureq agent each), the search page read as JSON.

use std::time::Duration;

use serde::Deserialize;
use ureq::Agent;

use crate::queries::Query;

pub struct Http {
    agent: Agent,
    base: String,
    body: Vec<u8>,
}

/// The parts of a search page the bench looks at.
#[derive(Deserialize)]
pub struct SearchPage {
    pub total: u64,
    #[serde(default)]
    pub hits: Vec<Hit>,
}

#[derive(Deserialize)]
pub struct Hit {
    pub view: HitView,
}

#[derive(Deserialize)]
pub struct HitView {
    #[serde(default)]
    pub isbns: Vec<String>,
}

impl SearchPage {
    pub fn has_isbn(&self, isbn: &str) -> bool {
        self.hits
            .iter()
            .any(|h| h.view.isbns.iter().any(|i| i == isbn))
    }
}

impl Http {
    /// A client of the server at `addr` (host:port).
    pub fn new(addr: &str) -> Http {
        let agent: Agent = Agent::config_builder()
            // Error statuses are answers to count, not transport failures.
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .max_idle_connections_per_host(1)
            .build()
            .into();
        Http {
            agent,
            base: format!("http://{addr}"),
            body: Vec::with_capacity(1 << 16),
        }
    }

    /// GET `path`; the body is kept for `body()`.
    pub fn get(&mut self, path: &str) -> Result<u16, ureq::Error> {
        match self.exchange(path) {
            // A kept-alive connection the server closed: once more on a new one.
            Err(ureq::Error::Io(_)) => self.exchange(path),
            other => other,
        }
    }

    fn exchange(&mut self, path: &str) -> Result<u16, ureq::Error> {
        let mut response = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Accept", "application/json")
            .call()?;
        self.body = response
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()?;
        Ok(response.status().as_u16())
    }

    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The query's search page, or why there is none.
    pub fn search(&mut self, q: &Query) -> Result<SearchPage, String> {
        match self.get(&q.path()) {
            Ok(200) => serde_json::from_slice(&self.body).map_err(|e| e.to_string()),
            Ok(status) => Err(format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            )),
            Err(err) => Err(err.to_string()),
        }
    }
}

/// One load request: the total hits of the page.
pub fn search_once(http: &mut Http, q: &Query) -> Result<Option<u64>, String> {
    http.search(q).map(|page| Some(page.total))
}

/// Whether the query finds its intended record in the top 20.
pub fn finds_target(http: &mut Http, q: &Query) -> Result<bool, String> {
    let page = http.search(q)?;
    Ok(q.target.as_deref().is_some_and(|t| page.has_isbn(t)))
}
