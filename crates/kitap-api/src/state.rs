use std::path::PathBuf;

use std::net::IpAddr;
use std::sync::Arc;

use governor::DefaultKeyedRateLimiter;
use kitap_app::catalog::ImportQueue;
use kitap_app::search::SearchService;
use kitap_app::App;

/// What every handler can reach: the use cases. Metrics and the route table
/// are separate `web::Data` so middleware can reach them without this.
pub struct ApiState {
    pub app: App,
    /// Uploaded import files wait here for the import worker.
    pub upload_dir: PathBuf,
    pub max_upload_bytes: u64,
    pub imports: ImportQueue,
    /// Wakes the dedup worker for a queued scan.
    pub dedup: kitap_app::dedup::DedupQueue,
    pub search: Arc<SearchService>,
    /// Per-client limit of the public search endpoints; `None` when off.
    pub search_limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Proxies whose `X-Forwarded-For` names the client (see `client_addr`).
    pub trusted_proxies: Vec<IpAddr>,
}
