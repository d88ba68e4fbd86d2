//! Logs (tracing) and metrics (Prometheus). Both are process-wide, so both are installed
//! once even when a test process starts several servers.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

static PROMETHEUS: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Request latency buckets in seconds: sub-millisecond reads up to slow durable writes.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Installs the log subscriber; `RUST_LOG` wins over the configured filter.
pub fn init_logging(filter: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(filter));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// Installs the Prometheus recorder (once per process).
pub fn init_metrics() {
    PROMETHEUS.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
            .ok()?
            .install_recorder()
            .map_err(|e| tracing::warn!(error = %e, "metrics recorder not installed"))
            .ok()
    });
}

pub fn render_metrics() -> String {
    PROMETHEUS
        .get()
        .and_then(|h| h.as_ref())
        .map(|h| h.render())
        .unwrap_or_default()
}
