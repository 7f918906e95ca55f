//! Prometheus metrics: request counts and latency per route, pool usage,
//! login failures, pair locks and throttled logins.

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use kitap_app::{LoginMonitor, PoolState};

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    login_failures: IntCounter,
    login_locks: IntCounter,
    login_throttled: IntCounter,
}

impl Metrics {
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new_custom(Some("kitap".to_owned()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by method, route pattern and status",
            ),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by method and route pattern",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["method", "route"],
        )?;
        let pool = IntGaugeVec::new(
            Opts::new(
                "db_pool_connections",
                "Database pool: size (max), open and idle connections",
            ),
            &["state"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        let counter = |name: &str, help: &str| -> Result<IntCounter, prometheus::Error> {
            let counter = IntCounter::new(name, help)?;
            registry.register(Box::new(counter.clone()))?;
            Ok(counter)
        };
        Ok(Metrics {
            login_failures: counter(
                "login_failures_total",
                "Failed staff logins counted against a (username, address) pair",
            )?,
            login_locks: counter(
                "login_locks_total",
                "(username, client address) pairs locked after failed logins",
            )?,
            login_throttled: counter(
                "login_throttled_total",
                "Logins refused because their client address must wait",
            )?,
            registry,
            requests,
            latency,
            pool,
        })
    }

    /// `route` is the matched pattern (`/api/v1/branches/{code}`), never the
    /// raw path, so label cardinality stays bounded.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(elapsed.as_secs_f64());
    }

    pub fn render(&self, pool: PoolState) -> Result<String, prometheus::Error> {
        self.pool
            .with_label_values(&["max"])
            .set(i64::from(pool.size));
        self.pool
            .with_label_values(&["open"])
            .set(i64::from(pool.connections));
        self.pool
            .with_label_values(&["idle"])
            .set(i64::from(pool.idle));
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|err| prometheus::Error::Msg(err.to_string()))
    }
}

impl LoginMonitor for Metrics {
    fn failure(&self) {
        self.login_failures.inc();
    }

    fn pair_locked(&self) {
        self.login_locks.inc();
    }

    fn throttled(&self) {
        self.login_throttled.inc();
    }
}
